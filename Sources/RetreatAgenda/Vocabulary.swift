import Foundation

/// A couple's priority for the intensive: one of the four the practice names on its page, or a
/// staff-defined one (declared in the catalog's `custom_priorities`).
///
/// Encoded (`Codable`) as its raw string, e.g. `"affair-recovery"`.
public enum Priority: Hashable, Comparable, Codable, Sendable, CustomStringConvertible {
    /// Breaking through unresolved issues (`"unresolved-issues"`).
    case unresolvedIssues
    /// Recovering from an extra-marital affair (`"affair-recovery"`).
    case affairRecovery
    /// Deepening communication (`"communication"`).
    case communication
    /// Increasing sex and intimacy (`"intimacy"`).
    case intimacy
    /// A staff-defined priority; its string is never one of the four built-in names.
    case custom(String)

    /// The four priorities the practice names, in the order its page lists them.
    public static let known: [Priority] = [.unresolvedIssues, .affairRecovery, .communication, .intimacy]

    /// Maps a raw string to a priority; the built-in names map to their cases, anything else is `.custom`.
    /// Surrounding whitespace is trimmed and letters are lower-cased.
    public init(_ rawValue: String) {
        let key = rawValue.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        switch key {
        case "unresolved-issues": self = .unresolvedIssues
        case "affair-recovery": self = .affairRecovery
        case "communication": self = .communication
        case "intimacy": self = .intimacy
        default: self = .custom(key)
        }
    }

    /// The raw string, e.g. `"unresolved-issues"`.
    public var rawValue: String {
        switch self {
        case .unresolvedIssues: return "unresolved-issues"
        case .affairRecovery: return "affair-recovery"
        case .communication: return "communication"
        case .intimacy: return "intimacy"
        case .custom(let name): return name
        }
    }

    /// Whether this is one of the four built-in priorities.
    public var isKnown: Bool {
        if case .custom = self { return false }
        return true
    }

    /// The raw string.
    public var description: String { rawValue }

    public static func < (lhs: Priority, rhs: Priority) -> Bool { lhs.rawValue < rhs.rawValue }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        self.init(try container.decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

/// The phase of the intensive a module belongs to; the planner prefers opening before core before integration.
public enum Phase: String, CaseIterable, Comparable, Codable, Sendable {
    /// Intake, history, safety and the first skills.
    case opening
    /// The work on the couple's priorities.
    case core
    /// Consolidating, agreements and the plan forward.
    case integration

    /// 0 for opening, 1 for core, 2 for integration.
    public var order: Int {
        switch self {
        case .opening: return 0
        case .core: return 1
        case .integration: return 2
        }
    }

    public static func < (lhs: Phase, rhs: Phase) -> Bool { lhs.order < rhs.order }
}

/// When in the day a module is best placed (before or after lunch).
public enum TimeOfDay: String, CaseIterable, Codable, Sendable {
    /// Before lunch.
    case morning
    /// After lunch.
    case afternoon
    /// No preference.
    case any
}

/// What a module or an agenda block is.
public enum BlockKind: String, CaseIterable, Codable, Sendable {
    /// Therapeutic work with the couple (or one partner).
    case session
    /// A short break; also the recovery break between demanding blocks.
    case `break`
    /// The lunch break (exactly one a day, inside the lunch window).
    case lunch
    /// The evening reflection and homework that ends every day but the last.
    case reflection
}

/// One of the two partners, for time with one partner alone.
public enum Partner: String, CaseIterable, Comparable, Codable, Sendable {
    /// The first partner.
    case a = "A"
    /// The second partner.
    case b = "B"

    public static func < (lhs: Partner, rhs: Partner) -> Bool { lhs.rawValue < rhs.rawValue }
}
