import Foundation
import RetreatScheduling
import TOMLKit

/// The modules an agenda is built from, validated: unique ids, known prerequisites without cycles,
/// intensities 1...3, positive durations, known priorities and neutral client titles.
///
/// Load it from TOML with `init(toml:)` (see `Fixtures/agenda-modules.toml` for the format).
public struct ModuleCatalog: Hashable, Sendable {
    /// The modules in catalog order.
    public let modules: [AgendaModule]
    /// Staff-defined priorities that modules may serve besides the four built-in ones.
    public let customPriorities: [Priority]

    /// Words a client title must not contain, because they would reveal the topic of the session.
    public static let revealingWords: [String] = [
        "affair", "infidelity", "cheating", "betrayal", "disclosure", "sex", "sexual", "intimacy",
        "desire", "trust", "addiction", "violence", "abuse", "divorce", "unresolved",
    ]

    /// Validates `modules` and creates the catalog.
    /// - Throws: `AgendaError` naming the first problem (duplicate id, unknown prerequisite,
    ///   prerequisite cycle, or an invalid field of one module).
    public init(modules: [AgendaModule], customPriorities: [Priority] = []) throws(AgendaError) {
        try ModuleCatalog.validate(modules, customPriorities: customPriorities)
        self.modules = modules
        self.customPriorities = customPriorities
    }

    /// Parses and validates a TOML catalog: an optional top-level `custom_priorities` array and
    /// one `[[module]]` table per module.
    /// - Throws: `AgendaError.catalogSyntax` for malformed TOML, otherwise the validation errors of
    ///   `init(modules:customPriorities:)`.
    public init(toml: String) throws(AgendaError) {
        let parsed = try CatalogParser.parse(toml)
        try self.init(modules: parsed.modules, customPriorities: parsed.customPriorities)
    }

    /// Reads a TOML catalog file (UTF-8) and parses it with `init(toml:)`.
    public init(contentsOf url: URL) throws(AgendaError) {
        let text: String
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw .unreadableFile(path: url.path, reason: error.localizedDescription)
        }
        try self.init(toml: text)
    }

    /// The module with `id`, if any.
    public func module(_ id: String) -> AgendaModule? {
        modules.first { $0.id == id }
    }

    /// The ids in catalog order.
    public var ids: [String] { modules.map(\.id) }

    /// Every priority a module may serve: the four built-in ones and the custom ones.
    public var knownPriorities: [Priority] { Priority.known + customPriorities }

    /// A smaller catalog with only the modules whose ids are in `ids` (catalog order kept).
    /// - Throws: `AgendaError.unknownPrerequisite` when a kept module needs one that was left out.
    public func keeping(_ ids: Set<String>) throws(AgendaError) -> ModuleCatalog {
        try ModuleCatalog(modules: modules.filter { ids.contains($0.id) }, customPriorities: customPriorities)
    }

    // MARK: - Validation

    static func validate(_ modules: [AgendaModule], customPriorities: [Priority]) throws(AgendaError) {
        for custom in customPriorities {
            if custom.isKnown {
                continue
            }
            if custom.rawValue.isEmpty || custom.rawValue == "all" {
                throw .invalidModule(
                    id: "custom_priorities",
                    reason: "custom priority \"\(custom.rawValue)\" is not a usable name; give each custom priority a non-empty name other than \"all\".")
            }
        }
        let known = Set(Priority.known + customPriorities)
        var seen = Set<String>()
        for module in modules {
            if !seen.insert(module.id).inserted {
                throw .duplicateModuleID(module.id)
            }
            try validateFields(module, knownPriorities: known)
        }
        for module in modules {
            for prerequisite in module.prerequisites where !seen.contains(prerequisite) {
                throw .unknownPrerequisite(module: module.id, prerequisite: prerequisite)
            }
        }
        if let cycle = findCycle(modules) {
            throw .prerequisiteCycle(cycle)
        }
    }

    private static func validateFields(_ module: AgendaModule, knownPriorities: Set<Priority>) throws(AgendaError) {
        func fail(_ reason: String) -> AgendaError { .invalidModule(id: module.id, reason: reason) }
        let id = module.id
        if id.isEmpty || id.unicodeScalars.contains(where: { $0.properties.isWhitespace }) {
            throw fail("the id is empty or contains spaces; use a lower-case id such as \"dialogue-practice\".")
        }
        if module.staffTitle.trimmingCharacters(in: .whitespaces).isEmpty {
            throw fail("the staff title is empty; describe the module for staff in `title`.")
        }
        if module.clientTitle.trimmingCharacters(in: .whitespaces).isEmpty {
            throw fail("the client title is empty; give a neutral `client_title` such as \"Session\".")
        }
        // Titles reach calendars, e-mail and terminals: one line of plain text.
        for (key, text) in [("title", module.staffTitle), ("client_title", module.clientTitle)] {
            if let (scalar, position) = TextRules.firstForbidden(in: text) {
                throw fail("`\(key)` contains \(TextRules.describe(scalar)) at character \(position); a title is one line of plain text.")
            }
        }
        let lowered = module.clientTitle.lowercased()
        if let word = revealingWords.first(where: { lowered.contains($0) }) {
            throw fail(
                "the client title \"\(module.clientTitle)\" contains \"\(word)\", which reveals the topic; use a neutral title such as \"Session\" or \"Guided conversation\"."
            )
        }
        if module.minutes <= 0 {
            throw fail("minutes is \(module.minutes); set a length greater than 0.")
        }
        if module.minutes > 24 * 60 {
            throw fail("minutes is \(module.minutes), longer than a day; set a length of at most a few hours.")
        }
        if !(1...3).contains(module.intensity) {
            throw fail("intensity is \(module.intensity); use 1 (light), 2 or 3 (demanding).")
        }
        if module.servesAll && !module.priorities.isEmpty {
            throw fail("it serves \"all\" and specific priorities at once; list either [\"all\"] or the specific priorities.")
        }
        if module.kind == .session && !module.servesAll && module.priorities.isEmpty {
            throw fail("it serves no priority; list the priorities it serves, or [\"all\"] for general work.")
        }
        for priority in module.priorities where !knownPriorities.contains(priority) {
            throw fail(
                "it serves unknown priority \"\(priority.rawValue)\"; use unresolved-issues, affair-recovery, communication, intimacy, \"all\", or declare it in custom_priorities."
            )
        }
        if Set(module.priorities).count != module.priorities.count {
            throw fail("it lists a priority twice; list each priority once.")
        }
        if module.prerequisites.contains(module.id) {
            throw fail("it lists itself as a prerequisite; remove \"\(module.id)\" from its prerequisites.")
        }
        if module.kind != .session {
            if module.intake || module.planForward || module.individual != nil || module.opensDay || module.closesDay {
                throw fail("a \(module.kind.rawValue) cannot be flagged intake, plan-forward, individual, opens-day or closes-day; only sessions can.")
            }
            if !module.prerequisites.isEmpty {
                throw fail("a \(module.kind.rawValue) cannot have prerequisites; the planner places it where the day needs it.")
            }
        }
    }

    /// The first prerequisite cycle found, as ids with the first one repeated at the end.
    private static func findCycle(_ modules: [AgendaModule]) -> [String]? {
        var index: [String: Int] = [:]
        for (position, module) in modules.enumerated() { index[module.id] = position }
        var state = [Int](repeating: 0, count: modules.count)  // 0 new, 1 on the stack, 2 done
        var stack: [Int] = []

        func visit(_ node: Int) -> [String]? {
            state[node] = 1
            stack.append(node)
            for prerequisite in modules[node].prerequisites {
                guard let next = index[prerequisite] else { continue }
                if state[next] == 1 {
                    let start = stack.lastIndex(of: next) ?? 0
                    let path = stack[start...].map { modules[$0].id }
                    return path + [modules[next].id]
                }
                if state[next] == 0, let cycle = visit(next) { return cycle }
            }
            stack.removeLast()
            state[node] = 2
            return nil
        }

        for node in modules.indices where state[node] == 0 {
            if let cycle = visit(node) { return cycle }
        }
        return nil
    }
}

/// Reads the TOML format into modules (field checks only; `ModuleCatalog.validate` does the rest).
enum CatalogParser {
    static let moduleKeys: Set<String> = [
        "id", "title", "client_title", "minutes", "kind", "priorities", "intensity", "prerequisites",
        "phase", "time_of_day", "repeatable", "flags", "partner",
    ]
    static let flagNames: Set<String> = ["calming", "individual", "intake", "plan-forward", "planForward", "opens-day", "closes-day"]

    static func parse(_ text: String) throws(AgendaError) -> (modules: [AgendaModule], customPriorities: [Priority]) {
        let table: TOMLTable
        do {
            // The TOML parser aborts on some malformed headers and keys: check the shape first.
            try TOMLShape.check(text, file: "the module catalog")
            table = try TOMLTable(string: text)
        } catch let error as InputError {
            throw .catalogSyntax(error.message)
        } catch let error as TOMLParseError {
            throw .catalogSyntax("\(error.description) (line \(error.source.begin.line), column \(error.source.begin.column))")
        } catch {
            throw .catalogSyntax(String(describing: error))
        }
        for key in table.keys where key != "module" && key != "custom_priorities" {
            throw .invalidModule(id: key, reason: "unknown top-level key \"\(key)\"; the catalog has only `custom_priorities` and [[module]] tables.")
        }
        var custom: [Priority] = []
        if let value = table["custom_priorities"] {
            guard let array = value.array else {
                throw .invalidModule(id: "custom_priorities", reason: "custom_priorities must be an array of strings, e.g. [\"blended-family\"].")
            }
            for element in array {
                guard let name = element.string else {
                    throw .invalidModule(id: "custom_priorities", reason: "custom_priorities must contain only strings.")
                }
                custom.append(Priority(name))
            }
        }
        guard let moduleValue = table["module"] else {
            return ([], custom)
        }
        guard let array = moduleValue.array else {
            throw .invalidModule(id: "module", reason: "`module` must be an array of tables; write each module as a [[module]] table.")
        }
        var modules: [AgendaModule] = []
        for (position, element) in array.enumerated() {
            guard let moduleTable = element.table else {
                throw .invalidModule(id: "module #\(position + 1)", reason: "it is not a table; write each module as a [[module]] table.")
            }
            modules.append(try parseModule(moduleTable, position: position))
        }
        return (modules, custom)
    }

    private static func parseModule(_ table: TOMLTable, position: Int) throws(AgendaError) -> AgendaModule {
        let name = table["id"]?.string ?? "module #\(position + 1)"
        func fail(_ reason: String) -> AgendaError { .invalidModule(id: name, reason: reason) }
        for key in table.keys.sorted() where !moduleKeys.contains(key) {
            throw fail("unknown key \"\(key)\"; the known keys are \(moduleKeys.sorted().joined(separator: ", ")).")
        }
        func string(_ key: String, required: Bool, example: String) throws(AgendaError) -> String? {
            guard let value = table[key] else {
                if required { throw fail("`\(key)` is missing; add it, e.g. \(key) = \(example).") }
                return nil
            }
            guard let text = value.string else { throw fail("`\(key)` must be a string, e.g. \(key) = \(example).") }
            return text
        }
        func strings(_ key: String, example: String) throws(AgendaError) -> [String]? {
            guard let value = table[key] else { return nil }
            guard let array = value.array else { throw fail("`\(key)` must be an array of strings, e.g. \(key) = \(example).") }
            var result: [String] = []
            for element in array {
                guard let text = element.string else { throw fail("`\(key)` must contain only strings, e.g. \(key) = \(example).") }
                result.append(text)
            }
            return result
        }
        func integer(_ key: String, required: Bool, example: String) throws(AgendaError) -> Int? {
            guard let value = table[key] else {
                if required { throw fail("`\(key)` is missing; add it, e.g. \(key) = \(example).") }
                return nil
            }
            guard let number = value.int else { throw fail("`\(key)` must be a whole number, e.g. \(key) = \(example).") }
            return number
        }

        guard table["id"]?.string != nil else {
            throw fail("`id` is missing or not a string; add a unique id, e.g. id = \"dialogue-practice\".")
        }
        let title = try string("title", required: true, example: "\"Listening and mirroring\"") ?? ""
        let clientTitle = try string("client_title", required: true, example: "\"Session\"") ?? ""
        let minutes = try integer("minutes", required: true, example: "60") ?? 0
        let kindText = try string("kind", required: false, example: "\"session\"") ?? "session"
        guard let kind = BlockKind(rawValue: kindText) else {
            throw fail("kind \"\(kindText)\" is unknown; use session, break, lunch or reflection.")
        }
        let priorityNames = try strings("priorities", example: "[\"communication\"]")
        var servesAll = false
        var priorities: [Priority] = []
        if let priorityNames {
            for priorityName in priorityNames {
                if priorityName.trimmingCharacters(in: .whitespaces).lowercased() == "all" {
                    servesAll = true
                } else {
                    priorities.append(Priority(priorityName))
                }
            }
        } else if kind != .session {
            servesAll = true
        }
        let intensity = try integer("intensity", required: false, example: "2") ?? 1
        let prerequisites = try strings("prerequisites", example: "[\"intake-history\"]") ?? []
        let phaseText = try string("phase", required: false, example: "\"core\"") ?? "core"
        guard let phase = Phase(rawValue: phaseText) else {
            throw fail("phase \"\(phaseText)\" is unknown; use opening, core or integration.")
        }
        let timeText = try string("time_of_day", required: false, example: "\"morning\"") ?? "any"
        guard let timeOfDay = TimeOfDay(rawValue: timeText) else {
            throw fail("time_of_day \"\(timeText)\" is unknown; use morning, afternoon or any.")
        }
        var repeatable = kind == .break || kind == .lunch
        if let value = table["repeatable"] {
            guard let flag = value.bool else { throw fail("`repeatable` must be true or false.") }
            repeatable = flag
        }
        let flags = try strings("flags", example: "[\"calming\"]") ?? []
        for flag in flags where !flagNames.contains(flag) {
            throw fail("flag \"\(flag)\" is unknown; use calming, individual, intake, plan-forward, opens-day or closes-day.")
        }
        let partnerText = try string("partner", required: false, example: "\"A\"")
        var individual: Partner?
        if flags.contains("individual") {
            guard let partnerText, let partner = Partner(rawValue: partnerText.uppercased()) else {
                throw fail("it is flagged individual but `partner` is missing or not \"A\" or \"B\"; say whose time alone it is, e.g. partner = \"A\".")
            }
            individual = partner
        } else if partnerText != nil {
            throw fail("it names a partner but is not flagged individual; add \"individual\" to its flags or remove `partner`.")
        }
        return AgendaModule(
            id: name, staffTitle: title, clientTitle: clientTitle, minutes: minutes, kind: kind,
            servesAll: servesAll, priorities: priorities, intensity: intensity, prerequisites: prerequisites,
            phase: phase, timeOfDay: timeOfDay, repeatable: repeatable, calming: flags.contains("calming"),
            intake: flags.contains("intake"),
            planForward: flags.contains("plan-forward") || flags.contains("planForward"),
            opensDay: flags.contains("opens-day"), closesDay: flags.contains("closes-day"),
            individual: individual
        )
    }
}
