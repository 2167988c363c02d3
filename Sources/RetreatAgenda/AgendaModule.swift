/// One building block of an intensive day: a session, a break, lunch or the evening reflection.
public struct AgendaModule: Hashable, Codable, Sendable, Identifiable {
    /// Unique id, e.g. `"dialogue-practice"`.
    public var id: String
    /// What staff see; may name the topic.
    public var staffTitle: String
    /// What the couple sees; neutral, never the topic ("Session", "Guided conversation", "Break").
    public var clientTitle: String
    /// Length in minutes (> 0). For breaks and lunch the day template's lengths apply instead.
    public var minutes: Int
    /// The shortest a staff length may make it, when the catalog sets one (`min_minutes`); otherwise
    /// `minimumMinutes` gives the default.
    public var minMinutes: Int?
    /// The longest a staff length may make it, when the catalog sets one (`max_minutes`); otherwise
    /// `maximumMinutes` gives the default.
    public var maxMinutes: Int?
    /// Session, break, lunch or reflection.
    public var kind: BlockKind
    /// Whether the module serves every priority (general work such as intake or a closing).
    public var servesAll: Bool
    /// The specific priorities served (empty when `servesAll`).
    public var priorities: [Priority]
    /// 1 (light) ... 3 (demanding).
    public var intensity: Int
    /// Ids of modules that must come earlier in the intensive.
    public var prerequisites: [String]
    /// Opening, core or integration.
    public var phase: Phase
    /// Preferred time of day.
    public var timeOfDay: TimeOfDay
    /// Whether the module may appear more than once (at most once a day).
    public var repeatable: Bool
    /// A calming block: may close a day.
    public var calming: Bool
    /// The intake and history block that opens day 1.
    public var intake: Bool
    /// The plan forward that ends the last day.
    public var planForward: Bool
    /// The morning check-in that opens every day after the first (and appears nowhere else).
    public var checkIn: Bool
    /// Belongs at the end of a day (e.g. a grounding close); elsewhere it costs a soft penalty.
    public var closesDay: Bool
    /// For time with one partner alone: which partner; `nil` for work with the couple.
    public var individual: Partner?
    /// Work useful to any couple: may fill time in an agenda whose ranking it does not serve.
    /// A module serving only priorities the couple did not rank appears only when it is general.
    public var general: Bool
    /// Intimacy work (sex, desire, touch): planned only when the couple ranked intimacy.
    public var intimate: Bool
    /// Touch, sensate focus or sexual reconnection: never before the atonement steps of affair recovery.
    public var touch: Bool
    /// Framed around blame (even to move beyond it): never after a disclosure.
    public var blameFraming: Bool
    /// The central work of the priorities it serves: when one of them is ranked, an agenda without
    /// it (where it could fit) falls short, and the score says so.
    public var central: Bool
    /// Concludes the work of the priorities it serves (repair and agreements on an unresolved
    /// issue): when one of them is ranked it is planned, after that priority's other own work, so the
    /// couple does not leave with the issue opened and left open.
    public var concludes: Bool
    /// Ids of modules that must follow this one on the same day whenever it is planned: it opens
    /// something they close (a breakthrough is followed by repair and agreements).
    public var followedBy: [String]
    /// The skills of the practice's page this session teaches.
    public var skills: [Skill]
    /// The atonement steps of affair recovery this session takes.
    public var atonement: [AtonementStep]
    /// For an evening reflection: what it sends the couple home with.
    public var homework: Homework?

    /// Creates a module; see the catalog file for the meaning of each field.
    public init(
        id: String, staffTitle: String, clientTitle: String, minutes: Int, minMinutes: Int? = nil, maxMinutes: Int? = nil, kind: BlockKind = .session,
        servesAll: Bool = false, priorities: [Priority] = [], intensity: Int = 1, prerequisites: [String] = [],
        phase: Phase = .core, timeOfDay: TimeOfDay = .any, repeatable: Bool = false, calming: Bool = false,
        intake: Bool = false, planForward: Bool = false, checkIn: Bool = false, closesDay: Bool = false,
        individual: Partner? = nil, general: Bool = false, intimate: Bool = false, touch: Bool = false,
        blameFraming: Bool = false, central: Bool = false, concludes: Bool = false, followedBy: [String] = [], skills: [Skill] = [],
        atonement: [AtonementStep] = [],
        homework: Homework? = nil
    ) {
        self.id = id
        self.staffTitle = staffTitle
        self.clientTitle = clientTitle
        self.minutes = minutes
        self.minMinutes = minMinutes
        self.maxMinutes = maxMinutes
        self.kind = kind
        self.servesAll = servesAll
        self.priorities = priorities
        self.intensity = intensity
        self.prerequisites = prerequisites
        self.phase = phase
        self.timeOfDay = timeOfDay
        self.repeatable = repeatable
        self.calming = calming
        self.intake = intake
        self.planForward = planForward
        self.checkIn = checkIn
        self.closesDay = closesDay
        self.individual = individual
        self.general = general
        self.intimate = intimate
        self.touch = touch
        self.blameFraming = blameFraming
        self.central = central
        self.concludes = concludes
        self.followedBy = followedBy
        self.skills = skills
        self.atonement = atonement
        self.homework = homework
    }

    /// Whether the module serves `priority` specifically (general modules serve none specifically).
    public func serves(_ priority: Priority) -> Bool {
        priorities.contains(priority)
    }

    /// The shortest length a staff edit may give the module: `minMinutes` when the catalog sets it;
    /// otherwise 10 minutes for a break, 30 for lunch, and two thirds of the catalog length (rounded
    /// up to 5 minutes) for a session or a reflection.
    public var minimumMinutes: Int {
        if let minMinutes { return minMinutes }
        switch kind {
        case .break: return min(10, minutes)
        case .lunch: return min(30, minutes)
        case .session, .reflection: return min(minutes, ((minutes * 2 + 2) / 3 + 4) / 5 * 5)
        }
    }

    /// The longest length a staff edit may give the module: `maxMinutes` when the catalog sets it;
    /// otherwise 30 minutes for a break, 120 for lunch, and one and a half times the catalog length
    /// (rounded down to 5 minutes) for a session or a reflection. (A session longer than the day
    /// template's run without a break is refused by that rule as well.)
    public var maximumMinutes: Int {
        if let maxMinutes { return maxMinutes }
        switch kind {
        case .break: return max(30, minutes)
        case .lunch: return max(120, minutes)
        case .session, .reflection: return max(minutes, minutes * 3 / 2 / 5 * 5)
        }
    }

    /// Whether the module may close a day: calming, or of the integration phase.
    public var canCloseDay: Bool {
        kind == .session && (calming || phase == .integration) && intensity < 3
    }

    /// The catalog's flag words for this module, in a fixed order (as `flags = [...]` in the TOML,
    /// plus `skill:…`, `step:…`, `homework:…`, `repeatable` and `intensity:N` for listings).
    public var flagWords: [String] {
        var words: [String] = []
        if intake { words.append("intake") }
        if individual != nil { words.append("individual") }
        if checkIn { words.append("check-in") }
        if calming { words.append("calming") }
        if closesDay { words.append("closes-day") }
        if planForward { words.append("plan-forward") }
        if general { words.append("general") }
        if intimate { words.append("intimate") }
        if touch { words.append("touch") }
        if blameFraming { words.append("blame-framing") }
        if central { words.append("central") }
        if concludes { words.append("concludes") }
        return words
    }
}
