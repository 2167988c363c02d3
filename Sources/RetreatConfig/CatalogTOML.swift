// Reading the module catalog's TOML format into plain values: the catalog is built through the pure
// `ModuleCatalog(modules:customPriorities:)`, so the planner (RetreatAgenda) knows nothing of TOML.
import Foundation
import RetreatAgenda
import RetreatScheduling
internal import TOMLKit

extension ModuleCatalog {
    /// Parses and validates a TOML catalog: an optional top-level `custom_priorities` array and
    /// one `[[module]]` table per module.
    /// - Throws: `AgendaError.catalogSyntax` for malformed TOML, `.invalidModule` naming an unknown
    ///   key or a bad value, otherwise the validation errors of `init(modules:customPriorities:)`.
    public init(toml: String) throws(AgendaError) {
        let parsed = try CatalogParser.parse(toml)
        try self.init(modules: parsed.modules, customPriorities: parsed.customPriorities)
    }

    /// Reads a TOML catalog file (UTF-8) and parses it with `init(toml:)`.
    /// - Throws: `AgendaError.unreadableFile` naming the path, or the errors of `init(toml:)`.
    public init(contentsOf url: URL) throws(AgendaError) {
        let text: String
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw .unreadableFile(path: url.path, reason: error.localizedDescription)
        }
        try self.init(toml: text)
    }
}

/// Reads the TOML format into modules (field checks only; `ModuleCatalog.validate` does the rest).
enum CatalogParser {
    static let moduleKeys: Set<String> = [
        "id", "title", "client_title", "minutes", "kind", "priorities", "intensity", "prerequisites",
        "phase", "time_of_day", "repeatable", "flags", "partner", "skills", "atonement", "homework",
    ]
    /// The flag words; "opens-day" is the older name of "check-in" and "planForward" of "plan-forward".
    static let flagNames: Set<String> = [
        "calming", "individual", "intake", "plan-forward", "planForward", "check-in", "opens-day", "closes-day", "general", "intimate",
        "touch", "blame-framing",
    ]

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
            throw fail(
                "flag \"\(flag)\" is unknown; use calming, individual, intake, plan-forward, check-in, closes-day, general, intimate, touch or blame-framing."
            )
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
        var skills: [Skill] = []
        for word in try strings("skills", example: "[\"listening\", \"mirroring\"]") ?? [] {
            guard let skill = Skill(rawValue: word) else {
                throw fail("skill \"\(word)\" is unknown; use \(Skill.allCases.map(\.rawValue).joined(separator: ", ")).")
            }
            skills.append(skill)
        }
        var steps: [AtonementStep] = []
        for word in try strings("atonement", example: "[\"disclosure\", \"questions\"]") ?? [] {
            guard let step = AtonementStep(rawValue: word) else {
                throw fail("atonement step \"\(word)\" is unknown; use \(AtonementStep.allCases.map(\.rawValue).joined(separator: ", ")).")
            }
            steps.append(step)
        }
        var homework: Homework?
        if let word = try string("homework", required: false, example: "\"self-soothing\"") {
            guard let value = Homework(rawValue: word) else {
                throw fail("homework \"\(word)\" is unknown; use self-soothing or dialogue.")
            }
            homework = value
        }
        return AgendaModule(
            id: name, staffTitle: title, clientTitle: clientTitle, minutes: minutes, kind: kind,
            servesAll: servesAll, priorities: priorities, intensity: intensity, prerequisites: prerequisites,
            phase: phase, timeOfDay: timeOfDay, repeatable: repeatable, calming: flags.contains("calming"),
            intake: flags.contains("intake"),
            planForward: flags.contains("plan-forward") || flags.contains("planForward"),
            checkIn: flags.contains("check-in") || flags.contains("opens-day"), closesDay: flags.contains("closes-day"),
            individual: individual, general: flags.contains("general"), intimate: flags.contains("intimate"),
            touch: flags.contains("touch"), blameFraming: flags.contains("blame-framing"), skills: skills, atonement: steps,
            homework: homework
        )
    }
}
