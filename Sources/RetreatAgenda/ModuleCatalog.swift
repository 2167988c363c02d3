import Foundation
import RetreatScheduling

/// The modules an agenda is built from, validated: unique ids, known prerequisites without cycles,
/// intensities 1...3, positive durations, known priorities and neutral client titles.
///
/// Built from plain values by `init(modules:customPriorities:)`; `CatalogTOML.swift` reads the TOML
/// format (see `Fixtures/agenda-modules.toml`) into those values.
public struct ModuleCatalog: Hashable, Sendable {
    /// The modules in catalog order.
    public let modules: [AgendaModule]
    /// Staff-defined priorities that modules may serve besides the four built-in ones.
    public let customPriorities: [Priority]

    /// Most modules a catalog may hold: the planner's search grows with the catalog.
    public static let maxModules = 300

    /// Words a client title must not contain, because they would reveal the topic of the session.
    public static let revealingWords: [String] = [
        "affair", "infidelity", "cheating", "betrayal", "disclosure", "sex", "sexual", "intimacy",
        "desire", "trust", "addiction", "violence", "abuse", "divorce", "unresolved", "cheat", "adulter", "porn", "erotic",
        "unfaithful", "jealous",
    ]

    /// Validates `modules` and creates the catalog.
    /// - Throws: `AgendaError` naming the first problem (duplicate id, unknown prerequisite,
    ///   prerequisite cycle, or an invalid field of one module).
    public init(modules: [AgendaModule], customPriorities: [Priority] = []) throws(AgendaError) {
        try ModuleCatalog.validate(modules, customPriorities: customPriorities)
        self.modules = modules
        self.customPriorities = customPriorities
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
        var declared = Set<Priority>()
        for custom in customPriorities {
            try validateCustomPriority(custom)
            if !declared.insert(custom).inserted {
                throw .invalidModule(
                    id: "custom_priorities", reason: "custom priority \"\(custom.rawValue)\" is listed twice; list each custom priority once.")
            }
        }
        if modules.isEmpty {
            throw .incompleteCatalog(
                "it has no modules; add [[module]] tables (intake, time with each partner alone, the five skills, a check-in, the plan forward, a break, lunch and the evening reflections; see Fixtures/agenda-modules.toml)."
            )
        }
        if modules.count > maxModules {
            throw .incompleteCatalog(
                "it has \(modules.count) modules; a catalog holds at most \(maxModules) (the practice's own has 35), so that planning stays quick."
            )
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
        try validateFollowers(modules)
    }

    /// Checks that the catalog can plan an intensive for any couple, whatever they rank: an intake,
    /// time alone with each partner, a morning check-in, the plan forward, a break, lunch, an evening
    /// reflection, and for each of the five skills a session that every couple may be given (it
    /// serves all priorities or is flagged general). A catalog read from a file is checked this way
    /// (`init(toml:)`); a smaller one built in code for a test may leave things out, and planning
    /// then says what is missing.
    /// - Throws: `AgendaError.incompleteCatalog` naming the first thing missing and what to add.
    public func checkComplete() throws(AgendaError) {
        let sessions = modules.filter { $0.kind == .session }
        func need(_ present: Bool, _ sentence: String) throws(AgendaError) {
            if !present { throw .incompleteCatalog(sentence) }
        }
        try need(!modules.isEmpty, "it has no modules; add [[module]] tables (see Fixtures/agenda-modules.toml).")
        try need(sessions.contains { $0.intake }, "no session opens day 1 with intake and history; add one with flags = [\"intake\"].")
        for who in Partner.allCases {
            try need(
                sessions.contains { $0.individual == who },
                "no session gives partner \(who.rawValue) time alone; add one with flags = [\"individual\"] and partner = \"\(who.rawValue)\".")
        }
        try need(sessions.contains { $0.checkIn }, "no morning check-in opens days 2 and 3; add a repeatable session with flags = [\"check-in\"].")
        try need(sessions.contains { $0.planForward }, "no plan forward ends the last day; add a session with flags = [\"plan-forward\"].")
        try need(modules.contains { $0.kind == .break }, "there is no break; add a module with kind = \"break\".")
        try need(modules.contains { $0.kind == .lunch }, "there is no lunch; add a module with kind = \"lunch\".")
        try need(modules.contains { $0.kind == .reflection }, "there is no evening reflection; add a module with kind = \"reflection\".")
        for skill in Skill.allCases {
            let teachers = sessions.filter { $0.skills.contains(skill) }
            if teachers.isEmpty {
                throw .incompleteCatalog(
                    "no session teaches the skill \(skill.rawValue), which every intensive teaches; add a session with skills = [\"\(skill.rawValue)\"] and flags = [\"general\"]."
                )
            }
            if !teachers.contains(where: { $0.servesAll || $0.general }) {
                throw .incompleteCatalog(
                    "the skill \(skill.rawValue) is taught only by \(teachers.map { "\"\($0.id)\"" }.joined(separator: ", ")), which serves only \(Set(teachers.flatMap(\.priorities).map(\.rawValue)).sorted().joined(separator: ", ")); every couple is taught it, so flag one of them general (or let it serve [\"all\"])."
                )
            }
        }
    }

    /// A custom priority's name: a plain lower-case word or words joined by hyphens, not a built-in
    /// priority and not "all" (it reaches terminals and the score's sentences).
    private static func validateCustomPriority(_ custom: Priority) throws(AgendaError) {
        func fail(_ reason: String) -> AgendaError { .invalidModule(id: "custom_priorities", reason: reason) }
        let name = custom.rawValue
        if let (scalar, position) = TextRules.firstForbidden(in: name) {
            throw fail(
                "a custom priority contains \(TextRules.describe(scalar)) at character \(position); name it with lower-case letters, digits and hyphens, e.g. \"blended-family\"."
            )
        }
        if custom.isKnown {
            throw fail(
                "custom priority \"\(name)\" is one of the four built-in priorities (unresolved-issues, affair-recovery, communication, intimacy), which need no declaration; remove it from custom_priorities."
            )
        }
        if name.isEmpty || name == "all" {
            throw fail("custom priority \"\(name)\" is not a usable name; give each custom priority a non-empty name other than \"all\".")
        }
        let allowed = name.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }
        if !allowed || name.hasPrefix("-") || name.hasSuffix("-") || name.count > 40 {
            throw fail(
                "custom priority \"\(name)\" is not a plain name; use at most 40 lower-case letters, digits and hyphens, e.g. \"blended-family\"."
            )
        }
    }

    /// `followed_by`: each follower exists, is a session, and can come after the module (it is not
    /// one of the module's own prerequisites, directly or through others).
    private static func validateFollowers(_ modules: [AgendaModule]) throws(AgendaError) {
        var byID: [String: AgendaModule] = [:]
        for module in modules { byID[module.id] = module }
        // A chain of followers that comes back to where it began can never be planned: each must follow the other.
        for module in modules where !module.followedBy.isEmpty {
            var reached = Set<String>()
            var stack = module.followedBy
            while let id = stack.popLast() {
                if id == module.id {
                    throw .invalidModule(
                        id: module.id, reason: "its followed_by chain comes back to it, so no day could hold them all; break the cycle.")
                }
                guard reached.insert(id).inserted else { continue }
                stack.append(contentsOf: byID[id]?.followedBy ?? [])
            }
        }
        for module in modules where !module.followedBy.isEmpty {
            func fail(_ reason: String) -> AgendaError { .invalidModule(id: module.id, reason: reason) }
            if module.kind != .session {
                throw fail("a \(module.kind.rawValue) cannot be followed_by other modules; only sessions can.")
            }
            if Set(module.followedBy).count != module.followedBy.count {
                throw fail("it lists a module twice in followed_by; list each once.")
            }
            // Everything the module builds on, directly or through others.
            var before = Set<String>()
            var stack = module.prerequisites
            while let id = stack.popLast() {
                guard before.insert(id).inserted else { continue }
                stack.append(contentsOf: byID[id]?.prerequisites ?? [])
            }
            for id in module.followedBy {
                guard let follower = byID[id] else {
                    throw fail("it is followed_by \"\(id)\", which is not in the catalog; add that module or remove it from followed_by.")
                }
                if id == module.id || before.contains(id) {
                    throw fail("it is followed_by \"\(id)\", which must come before it; remove \"\(id)\" from followed_by.")
                }
                if follower.kind != .session {
                    throw fail("it is followed_by \"\(id)\", a \(follower.kind.rawValue); only sessions can follow it.")
                }
            }
        }
    }

    /// The topic word a client title holds as a reader sees it: compatibility forms folded (fullwidth letters,
    /// ligatures), invisible format characters dropped (a zero-width joiner or soft hyphen inside a word), Greek and
    /// Cyrillic look-alikes read as the Latin letters they imitate, accents and case ignored.
    static func revealingWord(in title: String) -> String? {
        let folded = title.precomposedStringWithCompatibilityMapping
        var visible = String.UnicodeScalarView()
        for scalar in folded.unicodeScalars where scalar.properties.generalCategory != .format {
            visible.append(lookalikes[scalar] ?? scalar)
        }
        let plain = String(visible).folding(options: [.caseInsensitive, .diacriticInsensitive, .widthInsensitive], locale: nil)
        return revealingWords.first { plain.contains($0) }
    }

    /// Greek and Cyrillic letters drawn like Latin ones.
    static let lookalikes: [Unicode.Scalar: Unicode.Scalar] = {
        let pairs: [(String, String)] = [
            ("аАαΑ", "a"), ("вВβΒ", "b"), ("сСϲϹ", "c"), ("ԁ", "d"), ("еЕεΕ", "e"), ("һН", "h"), ("іІιΙӏ", "i"), ("јЈ", "j"),
            ("кКκΚ", "k"), ("мМΜ", "m"), ("пΝ", "n"), ("оОοΟ", "o"), ("рРρΡ", "p"), ("ԛ", "q"), ("ѕЅ", "s"), ("тТτΤ", "t"),
            ("υ", "u"), ("ѵν", "v"), ("ԝ", "w"), ("хХχΧ", "x"), ("уУγ", "y"), ("Ζ", "z"),
        ]
        var map: [Unicode.Scalar: Unicode.Scalar] = [:]
        for (from, to) in pairs {
            guard let latin = to.unicodeScalars.first else { continue }
            for scalar in from.unicodeScalars { map[scalar] = latin }
        }
        return map
    }()

    private static func validateFields(_ module: AgendaModule, knownPriorities: Set<Priority>) throws(AgendaError) {
        func fail(_ reason: String) -> AgendaError { .invalidModule(id: module.id, reason: reason) }
        let id = module.id
        if id.isEmpty || id.unicodeScalars.contains(where: { $0.properties.isWhitespace || TextRules.isForbidden($0) }) {
            throw fail("the id is empty or contains spaces or control characters; use a lower-case id such as \"dialogue-practice\".")
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
        if let word = revealingWord(in: module.clientTitle) {
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
        if let minimum = module.minMinutes, !(1...module.minutes).contains(minimum) {
            throw fail(
                "min_minutes is \(minimum); set a minimum length between 1 and the module's \(module.minutes) minutes (or leave it out for the default of two thirds)."
            )
        }
        if let maximum = module.maxMinutes, !(module.minutes...(24 * 60)).contains(maximum) {
            throw fail(
                "max_minutes is \(maximum); set a maximum length between the module's \(module.minutes) minutes and a day (or leave it out for the default of one and a half times its length)."
            )
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
            if module.intake || module.planForward || module.individual != nil || module.checkIn || module.closesDay || module.general
                || module.intimate || module.touch || module.blameFraming || module.central || module.concludes
            {
                throw fail(
                    "a \(module.kind.rawValue) cannot carry the flags \(module.flagWords.joined(separator: ", ")); only sessions can.")
            }
            if !module.prerequisites.isEmpty {
                throw fail("a \(module.kind.rawValue) cannot have prerequisites; the planner places it where the day needs it.")
            }
            if !module.skills.isEmpty || !module.atonement.isEmpty {
                throw fail("a \(module.kind.rawValue) cannot teach skills or take atonement steps; only sessions can.")
            }
        }
        if module.homework != nil && module.kind != .reflection {
            throw fail("only an evening reflection can set `homework`; remove it or make the module kind = \"reflection\".")
        }
        if module.concludes && (module.servesAll || module.priorities.isEmpty) {
            throw fail("it is flagged concludes but serves every priority; list the priorities whose work it concludes, e.g. [\"unresolved-issues\"].")
        }
        if module.concludes && module.intensity == 3 {
            throw fail("it is flagged concludes, so it closes the work calmly; give it intensity 1 or 2.")
        }
        if module.touch && !module.intimate {
            throw fail("it is flagged touch, which is intimacy work; add \"intimate\" to its flags as well.")
        }
        if module.intimate && !module.servesAll && !module.priorities.contains(.intimacy) {
            throw fail("it is flagged intimate but does not serve intimacy; add \"intimacy\" to its priorities.")
        }
        if !module.atonement.isEmpty && !module.priorities.contains(.affairRecovery) {
            throw fail("it takes atonement steps but does not serve affair-recovery; add \"affair-recovery\" to its priorities.")
        }
        if module.checkIn {
            if !module.repeatable {
                throw fail("a check-in opens every day after the first, so it must be repeatable; set repeatable = true.")
            }
            if module.intensity == 3 {
                throw fail("a check-in opens the day gently; give it intensity 1 or 2.")
            }
        }
        if Set(module.skills).count != module.skills.count || Set(module.atonement).count != module.atonement.count {
            throw fail("it lists a skill or an atonement step twice; list each once.")
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

/// One line of `retreat agenda modules`: what staff need to pin, exclude or lengthen a module.
public struct ModuleListing: Hashable, Codable, Sendable {
    /// The module id used in pins, exclusions and lengths.
    public var id: String
    /// What staff see.
    public var title: String
    /// What the couple sees.
    public var clientTitle: String
    /// Length in minutes from the catalog (breaks and lunch take the day template's lengths).
    public var minutes: Int
    /// The shortest a staff length may make it (`AgendaModule.minimumMinutes`).
    public var minMinutes: Int
    /// The longest a staff length may make it (`AgendaModule.maximumMinutes`).
    public var maxMinutes: Int
    /// session, break, lunch or reflection.
    public var kind: BlockKind
    /// 1 (light) ... 3 (demanding); 1 for breaks, lunch and reflections.
    public var intensity: Int
    /// The priorities served, or `["all"]` for general work.
    public var priorities: [String]
    /// The catalog flags (`intake`, `check-in`, `general`, `intimate`, `touch`, `blame-framing`, `central`, …),
    /// followed by `repeatable`, `skill:NAME`, `step:NAME`, `homework:NAME` and `followed-by:ID` where they apply.
    public var flags: [String]
    /// Ids of the modules that must come earlier.
    public var prerequisites: [String]
    /// Ids of the modules that must follow it on the same day.
    public var followedBy: [String]

    /// The listing of `module`.
    public init(_ module: AgendaModule) {
        id = module.id
        title = module.staffTitle
        clientTitle = module.clientTitle
        minutes = module.minutes
        minMinutes = module.minimumMinutes
        maxMinutes = module.maximumMinutes
        kind = module.kind
        intensity = module.kind == .session ? module.intensity : 1
        priorities = module.servesAll ? ["all"] : module.priorities.map(\.rawValue)
        var words = module.flagWords
        if module.repeatable && module.kind == .session { words.append("repeatable") }
        words += module.skills.map { "skill:\($0.rawValue)" }
        words += module.atonement.map { "step:\($0.rawValue)" }
        if let homework = module.homework { words.append("homework:\(homework.rawValue)") }
        words += module.followedBy.map { "followed-by:\($0)" }
        flags = words
        prerequisites = module.prerequisites
        followedBy = module.followedBy
    }

    /// Three lines for a terminal: id, kind, minutes (and the lengths a staff edit may give it),
    /// intensity, priorities and flags; then the staff title; then what the couple sees. A terminal
    /// prints them one by one, so a control character inside a value stays escaped.
    public var lines: [String] {
        let pad = { (text: String, width: Int) in text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count) }
        let tail = flags.isEmpty ? "" : "  [\(flags.joined(separator: ", "))]"
        return [
            pad(id, 30) + pad(kind.rawValue, 11) + pad("\(minutes) min", 8) + pad("\(minMinutes)-\(maxMinutes)", 8) + pad("i\(intensity)", 4)
                + priorities.joined(separator: ",") + tail,
            "    staff: \(title)",
            "    couple sees: \(clientTitle)",
        ]
    }

    /// `lines` joined by line breaks.
    public var line: String { lines.joined(separator: "\n") }
}

extension ModuleCatalog {
    /// The catalog as listing values, in catalog order (for `retreat agenda modules [--json]`).
    public var listing: [ModuleListing] { modules.map(ModuleListing.init) }
}
