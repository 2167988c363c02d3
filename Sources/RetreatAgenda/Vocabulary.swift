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

/// One of the five skills the practice's page names ("the art of good dialogue: listening, mirroring,
/// opening the heart, self-soothing"). Every agenda teaches all five, in a teachable order.
public enum Skill: String, CaseIterable, Codable, Sendable, Comparable {
    /// Relaxing into one's feelings without needing to change them right away.
    case selfSoothing = "self-soothing"
    /// Listening to the partner without preparing an answer.
    case listening
    /// Reflecting back what the partner said before answering.
    case mirroring
    /// Compassion and empathy for where the partner's need comes from.
    case openingTheHeart = "opening-the-heart"
    /// The structured dialogue that puts the other skills together.
    case dialogue

    /// The skills that must have been taught before this one: self-soothing before listening and
    /// mirroring, mirroring before dialogue, listening and mirroring before opening the heart.
    public var buildsOn: [Skill] {
        switch self {
        case .selfSoothing: return []
        case .listening, .mirroring: return [.selfSoothing]
        case .dialogue: return [.mirroring]
        case .openingTheHeart: return [.listening, .mirroring]
        }
    }

    /// The bit of this skill in a skill mask.
    var bit: UInt8 {
        switch self {
        case .selfSoothing: return 1
        case .listening: return 2
        case .mirroring: return 4
        case .openingTheHeart: return 8
        case .dialogue: return 16
        }
    }

    /// Catalog order (the order the page lists them in is not a teaching order; this one is).
    public static func < (lhs: Skill, rhs: Skill) -> Bool {
        allCases.firstIndex(of: lhs) ?? 0 < allCases.firstIndex(of: rhs) ?? 0
    }
}

/// The steps of the atonement phase of affair recovery (atone → attune → attach), in the order they
/// are taken: safety first, then disclosure, the hurt partner's questions and the impact heard, then
/// remorse and a trust-and-repair plan.
public enum AtonementStep: String, CaseIterable, Codable, Sendable, Comparable {
    /// Safety, ground rules and self-soothing for both partners.
    case safety
    /// The structured disclosure by the involved partner.
    case disclosure
    /// The hurt partner's questions answered.
    case questions
    /// The impact on the hurt partner heard and mirrored.
    case impact
    /// Remorse and amends from the involved partner.
    case remorse
    /// A plan for rebuilding trust (transparency, check-ins, repair).
    case trustPlan = "trust-plan"

    /// 0 for safety ... 5 for the trust plan.
    public var order: Int { AtonementStep.allCases.firstIndex(of: self) ?? 0 }

    /// The bit of this step in a step mask.
    var bit: UInt8 { UInt8(1) << UInt8(order) }

    /// Whether the step opens the wound (disclosure, questions, impact): these come no later than day 2.
    public var opensTheWound: Bool { self == .disclosure || self == .questions || self == .impact }

    public static func < (lhs: AtonementStep, rhs: AtonementStep) -> Bool { lhs.order < rhs.order }
}

/// What the evening reflection sends the couple home with. Homework practises a skill, so it is
/// given only once that skill has been taught (`skills`).
public enum Homework: String, CaseIterable, Codable, Sendable {
    /// Self-soothing practice and rest: the homework after a demanding day.
    case selfSoothing = "self-soothing"
    /// A short listening-and-mirroring exercise to practise at home.
    case mirroring
    /// A dialogue to practise at home.
    case dialogue

    /// The skills the homework practises; they must have been taught by the end of that day.
    public var skills: [Skill] {
        switch self {
        case .selfSoothing: return [.selfSoothing]
        case .mirroring: return [.listening, .mirroring]
        case .dialogue: return [.dialogue]
        }
    }
}
