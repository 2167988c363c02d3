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
    /// The skills of the practice's page this session teaches.
    public var skills: [Skill]
    /// The atonement steps of affair recovery this session takes.
    public var atonement: [AtonementStep]
    /// For an evening reflection: what it sends the couple home with.
    public var homework: Homework?

    /// Creates a module; see the catalog file for the meaning of each field.
    public init(
        id: String, staffTitle: String, clientTitle: String, minutes: Int, kind: BlockKind = .session,
        servesAll: Bool = false, priorities: [Priority] = [], intensity: Int = 1, prerequisites: [String] = [],
        phase: Phase = .core, timeOfDay: TimeOfDay = .any, repeatable: Bool = false, calming: Bool = false,
        intake: Bool = false, planForward: Bool = false, checkIn: Bool = false, closesDay: Bool = false,
        individual: Partner? = nil, general: Bool = false, intimate: Bool = false, touch: Bool = false,
        blameFraming: Bool = false, skills: [Skill] = [], atonement: [AtonementStep] = [], homework: Homework? = nil
    ) {
        self.id = id
        self.staffTitle = staffTitle
        self.clientTitle = clientTitle
        self.minutes = minutes
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
        self.skills = skills
        self.atonement = atonement
        self.homework = homework
    }

    /// Whether the module serves `priority` specifically (general modules serve none specifically).
    public func serves(_ priority: Priority) -> Bool {
        priorities.contains(priority)
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
        return words
    }
}
