/// Everything that can go wrong while loading a catalog or planning an agenda.
///
/// Every case carries enough detail for `description` to be one sentence that says what is wrong
/// and what to do about it.
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
    /// The couple cannot be planned for: the sentence says why and what to do instead.
    case ineligible(String)
    /// The plan request itself is malformed (days, ranking, template).
    case invalidRequest(String)
    /// A staff adjustment (pin, exclusion, duration override) cannot be applied.
    case invalidAdjustment(String)
    /// The catalog, after exclusions, lacks something every agenda needs.
    case unplannable(String)
    /// A catalog file could not be read.
    case unreadableFile(path: String, reason: String)

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
        case .ineligible(let sentence),
            .invalidRequest(let sentence),
            .invalidAdjustment(let sentence),
            .unplannable(let sentence):
            return sentence
        case .unreadableFile(let path, let reason):
            return "The catalog file \(path) could not be read (\(reason)); check the path and its permissions."
        }
    }
}
