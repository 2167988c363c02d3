/// Where a module id came from in a staff edit.
public enum ModuleReference: String, Hashable, Sendable {
    /// A pin (`MODULE@DAY/HH:MM`).
    case pin
    /// An exclusion.
    case exclusion
    /// A length override (`MODULE=MINUTES`).
    case length

    var phrase: String {
        switch self {
        case .pin: return "Pinned module"
        case .exclusion: return "Excluded module"
        case .length: return "The length override names module"
        }
    }
}

/// A clinical rule an agenda or a staff edit would break: which rule, the counselor's sentence for
/// it and what in particular breaks it.
public struct BrokenRule: Hashable, Sendable, CustomStringConvertible {
    /// The rule's id in `HardRule.all`, e.g. `"skill-order"`.
    public var rule: String
    /// The rule as a counselor states it.
    public var sentence: String
    /// What breaks it, e.g. `"day 1: \"listening-mirroring\" at 10:45 comes before self-soothing has been taught"`.
    public var detail: String

    /// Creates a broken-rule record.
    public init(rule: String, sentence: String, detail: String) {
        self.rule = rule
        self.sentence = sentence
        self.detail = detail
    }

    /// `"Refused: DETAIL. Rule: SENTENCE"`.
    public var description: String {
        let detail = detail.hasSuffix(".") ? String(detail.dropLast()) : detail
        return "Refused: \(detail). Rule (\(rule)): \(sentence)"
    }
}

/// Everything that can go wrong while loading a catalog or planning an agenda.
///
/// Every case carries enough detail for `description` to be one sentence that says what is wrong
/// and what to do about it. `category` says how a caller should report it (usage error, conflict
/// with a clinical rule, ineligible couple, catalog problem).
public enum AgendaError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The catalog text is not valid TOML (the message names the line and column).
    case catalogSyntax(String)
    /// A module's field is missing or has a value outside its range.
    case invalidModule(id: String, reason: String)
    /// Two modules share an id.
    case duplicateModuleID(String)
    /// A module lists a prerequisite that is not in the catalog.
    case unknownPrerequisite(module: String, prerequisite: String)
    /// The prerequisites form a cycle (the ids along the cycle, first repeated at the end).
    case prerequisiteCycle([String])
    /// The couple cannot be planned for: the reason says why and what to do instead.
    case ineligible(Ineligibility)
    /// A ranked priority is neither built in nor declared in the catalog's `custom_priorities`.
    case unknownPriority(String, valid: [String])
    /// A staff edit names a module the catalog does not have.
    case unknownModule(String, in: ModuleReference, valid: [String])
    /// A staff edit (pin, exclusion, length) would break a clinical rule, or no agenda keeping the
    /// edits keeps every rule.
    case breaksRule(BrokenRule)
    /// The plan request itself is malformed (days, ranking, template).
    case invalidRequest(String)
    /// A staff adjustment is malformed (a day outside the intensive, a length of 0, a pin of lunch).
    case invalidAdjustment(String)
    /// The catalog, even without staff edits, lacks something every agenda needs, or no agenda
    /// keeping every rule was found for it.
    case unplannable(String)
    /// The catalog lacks what every intensive needs (no modules, no session teaching a skill to every
    /// couple, no intake, no lunch, ...); the sentence says what to add.
    case incompleteCatalog(String)
    /// A catalog file could not be read.
    case unreadableFile(path: String, reason: String)

    /// How a caller should report an error.
    public enum Category: String, Sendable {
        /// A value given by the user is wrong (unknown priority or module, malformed edit): exit 64.
        case usage
        /// A clinical rule would be broken: exit 3.
        case ruleConflict
        /// The couple cannot be planned for (screen, affair questions).
        case ineligible
        /// The catalog or the day template is unusable, or no agenda could be planned.
        case catalog
    }

    /// How a caller should report this error.
    public var category: Category {
        switch self {
        case .unknownPriority, .unknownModule, .invalidRequest, .invalidAdjustment: return .usage
        case .breaksRule: return .ruleConflict
        case .ineligible: return .ineligible
        case .catalogSyntax, .invalidModule, .duplicateModuleID, .unknownPrerequisite, .prerequisiteCycle, .unplannable, .unreadableFile,
            .incompleteCatalog:
            return .catalog
        }
    }

    /// One sentence describing the problem and the fix.
    public var description: String {
        switch self {
        case .catalogSyntax(let message):
            return "The module catalog is not valid TOML: \(message); fix the syntax at that position."
        case .invalidModule(let id, let reason):
            return "Module \"\(id)\": \(reason)"
        case .duplicateModuleID(let id):
            return "Module id \"\(id)\" is used by more than one module; give each module its own id."
        case .unknownPrerequisite(let module, let prerequisite):
            return
                "Module \"\(module)\" lists prerequisite \"\(prerequisite)\", which is not in the catalog; add that module or remove it from the prerequisites."
        case .prerequisiteCycle(let ids):
            return "The prerequisites form a cycle (\(ids.joined(separator: " -> "))); remove one of these prerequisites so the modules can be ordered."
        case .ineligible(let reason):
            return reason.description
        case .unknownPriority(let name, let valid):
            return "Priority \"\(name)\" is not known; use one of \(valid.joined(separator: ", ")) (custom priorities must be declared in the catalog)."
        case .unknownModule(let id, let reference, let valid):
            return "\(reference.phrase) \"\(id)\" is not in the catalog; valid modules: \(valid.joined(separator: ", "))."
        case .breaksRule(let broken):
            return broken.description
        case .invalidRequest(let sentence),
            .invalidAdjustment(let sentence),
            .unplannable(let sentence):
            return sentence
        case .incompleteCatalog(let sentence):
            return "The module catalog is incomplete: \(sentence)"
        case .unreadableFile(let path, let reason):
            return "The catalog file \(path) could not be read (\(reason)); check the path and its permissions."
        }
    }
}
