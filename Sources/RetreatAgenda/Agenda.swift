import RetreatScheduling

/// One block of an agenda day.
public struct AgendaBlock: Hashable, Codable, Sendable {
    /// When the block starts.
    public var start: ClockTime
    /// When the block ends.
    public var end: ClockTime
    /// Session, break, lunch or reflection.
    public var kind: BlockKind
    /// The catalog module.
    public var moduleID: String
    /// What staff see.
    public var staffTitle: String
    /// What the couple sees (neutral).
    public var clientTitle: String
    /// The specific priorities the block serves (empty for general work, breaks and lunch).
    public var priorities: [Priority]
    /// 1...3 (1 for breaks, lunch and reflection).
    public var intensity: Int

    /// Creates a block.
    public init(
        start: ClockTime, end: ClockTime, kind: BlockKind, moduleID: String, staffTitle: String,
        clientTitle: String, priorities: [Priority], intensity: Int
    ) {
        self.start = start
        self.end = end
        self.kind = kind
        self.moduleID = moduleID
        self.staffTitle = staffTitle
        self.clientTitle = clientTitle
        self.priorities = priorities
        self.intensity = intensity
    }

    /// Length in minutes.
    public var minutes: Int { end.minutes - start.minutes }
}

/// One day of an agenda.
public struct AgendaDay: Hashable, Codable, Sendable {
    /// 0-based day of the intensive.
    public var index: Int
    /// The blocks in time order.
    public var blocks: [AgendaBlock]

    /// Creates a day.
    public init(index: Int, blocks: [AgendaBlock]) {
        self.index = index
        self.blocks = blocks
    }
}

/// How bad a penalty is: any hard penalty makes an agenda unusable; medium ones outweigh any
/// number of soft ones.
public enum PenaltyLevel: String, CaseIterable, Codable, Sendable {
    /// A broken rule (overlap, missing lunch, prerequisite out of order, ...).
    case hard
    /// A clear shortcoming (a ranked priority without sessions, rank order broken, a repeat).
    case medium
    /// A preference (rank 1 near its share of the time, demanding work in the morning, ...).
    case soft
}

/// One reason an agenda scores worse, in a sentence a person can act on.
public struct Penalty: Hashable, Codable, Sendable, CustomStringConvertible {
    /// Hard, medium or soft.
    public var level: PenaltyLevel
    /// How many points it adds to its level.
    public var points: Int
    /// A short rule code, e.g. `"lunch"`, `"prerequisite"`, `"rank-time"`.
    public var rule: String
    /// The explanation.
    public var sentence: String

    /// Creates a penalty.
    public init(level: PenaltyLevel, points: Int, rule: String, sentence: String) {
        self.level = level
        self.points = points
        self.rule = rule
        self.sentence = sentence
    }

    /// `"[hard 1] sentence"`.
    public var description: String { "[\(level.rawValue) \(points)] \(sentence)" }
}

/// The quality of an agenda: hard, medium and soft penalty points, compared in that order
/// (lower is better), with the penalties that make them up.
///
/// Equality, hashing and ordering look at the three totals only.
public struct Score: Comparable, Hashable, Codable, Sendable, CustomStringConvertible {
    /// Points from broken rules; 0 for a usable agenda.
    public var hard: Int
    /// Points from clear shortcomings.
    public var medium: Int
    /// Points from missed preferences.
    public var soft: Int
    /// Every penalty, hard first.
    public var penalties: [Penalty]

    /// Creates a score from its penalties, summing the points per level.
    public init(penalties: [Penalty]) {
        var totals: [PenaltyLevel: Int] = [:]
        for penalty in penalties { totals[penalty.level, default: 0] += penalty.points }
        self.hard = totals[.hard] ?? 0
        self.medium = totals[.medium] ?? 0
        self.soft = totals[.soft] ?? 0
        let order: [PenaltyLevel: Int] = [.hard: 0, .medium: 1, .soft: 2]
        self.penalties = penalties.enumerated().sorted {
            (order[$0.element.level] ?? 0, $0.offset) < (order[$1.element.level] ?? 0, $1.offset)
        }.map(\.element)
    }

    /// A score with the totals only (no penalties listed).
    public init(hard: Int, medium: Int, soft: Int) {
        self.hard = hard
        self.medium = medium
        self.soft = soft
        self.penalties = []
    }

    /// No penalties at all.
    public static let perfect = Score(hard: 0, medium: 0, soft: 0)

    /// Whether no hard rule is broken.
    public var isFeasible: Bool { hard == 0 }

    /// `"(hard, medium, soft)"`.
    public var description: String { "(\(hard), \(medium), \(soft))" }

    public static func < (lhs: Score, rhs: Score) -> Bool {
        (lhs.hard, lhs.medium, lhs.soft) < (rhs.hard, rhs.medium, rhs.soft)
    }

    public static func == (lhs: Score, rhs: Score) -> Bool {
        lhs.hard == rhs.hard && lhs.medium == rhs.medium && lhs.soft == rhs.soft
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(hard)
        hasher.combine(medium)
        hasher.combine(soft)
    }
}

/// A planned intensive: its days and how well it meets the rules and preferences.
public struct Agenda: Hashable, Codable, Sendable {
    /// The days, first to last.
    public var days: [AgendaDay]
    /// The score the planner gave it (recompute with `score(_:for:)` after editing).
    public var score: Score

    /// Creates an agenda.
    public init(days: [AgendaDay], score: Score) {
        self.days = days
        self.score = score
    }

    /// Session minutes per specific priority (blocks serving several count for each).
    public var sessionMinutesByPriority: [Priority: Int] {
        var result: [Priority: Int] = [:]
        for day in days {
            for block in day.blocks where block.kind == .session {
                for priority in block.priorities { result[priority, default: 0] += block.minutes }
            }
        }
        return result
    }

    /// The document the CLI writes: `{"days":[{"date","blocks":[{"start","end","kind","module","priorities"}]}]}`,
    /// with day `i` dated `startDate + i` (no dates when `startDate` is `nil`).
    public func json(startDate: CalendarDay?) -> AgendaDocument {
        AgendaDocument(
            days: days.map { day in
                AgendaDocument.Day(
                    date: startDate?.adding(days: day.index),
                    blocks: day.blocks.map {
                        AgendaDocument.Block(start: $0.start, end: $0.end, kind: $0.kind, module: $0.moduleID, priorities: $0.priorities)
                    }
                )
            })
    }
}

/// The CLI's JSON shape of an agenda (see `Agenda.json(startDate:)`).
public struct AgendaDocument: Hashable, Codable, Sendable {
    /// One day of the document.
    public struct Day: Hashable, Codable, Sendable {
        /// The calendar date, when the caller supplied a start date.
        public var date: CalendarDay?
        /// The blocks in time order.
        public var blocks: [Block]

        /// Creates a day.
        public init(date: CalendarDay?, blocks: [Block]) {
            self.date = date
            self.blocks = blocks
        }
    }

    /// One block of the document.
    public struct Block: Hashable, Codable, Sendable {
        /// `"HH:MM"`.
        public var start: ClockTime
        /// `"HH:MM"`.
        public var end: ClockTime
        /// session, break, lunch or reflection.
        public var kind: BlockKind
        /// The module id.
        public var module: String
        /// The specific priorities served.
        public var priorities: [Priority]

        /// Creates a block.
        public init(start: ClockTime, end: ClockTime, kind: BlockKind, module: String, priorities: [Priority]) {
            self.start = start
            self.end = end
            self.kind = kind
            self.module = module
            self.priorities = priorities
        }
    }

    /// The days.
    public var days: [Day]

    /// Creates a document.
    public init(days: [Day]) {
        self.days = days
    }
}
