import RetreatScheduling

/// A staff pin: the module starts on that day at that time, whatever else moves.
public struct Pin: Hashable, Codable, Sendable {
    /// The pinned session module.
    public var moduleID: String
    /// The day, 0-based (0 is the first day of the intensive).
    public var dayIndex: Int
    /// When the module starts.
    public var start: ClockTime

    /// Creates a pin of `moduleID` on day `dayIndex` (0-based) at `start`.
    public init(moduleID: String, dayIndex: Int, start: ClockTime) {
        self.moduleID = moduleID
        self.dayIndex = dayIndex
        self.start = start
    }
}

/// Staff changes applied on top of the catalog when (re-)planning.
public struct Adjustments: Hashable, Codable, Sendable {
    /// Modules fixed to a day and time (hard: a plan always keeps them).
    public var pins: [Pin]
    /// Module ids never to schedule.
    public var excluded: Set<String>
    /// New lengths in minutes by module id (for `break` and `lunch` modules: the break and lunch length).
    public var durationOverrides: [String: Int]

    /// Creates a set of adjustments (none by default).
    public init(pins: [Pin] = [], excluded: Set<String> = [], durationOverrides: [String: Int] = [:]) {
        self.pins = pins
        self.excluded = excluded
        self.durationOverrides = durationOverrides
    }

    /// No adjustments.
    public static let none = Adjustments()
}

/// Everything the planner needs for one couple.
public struct PlanRequest: Hashable, Sendable {
    /// The couple's priorities, most important first (rank 1 first).
    public var priorities: [Priority]
    /// What the intake established.
    public var intake: Intake
    /// Length of the intensive in days (1...14).
    public var days: Int
    /// The frame of each day.
    public var template: DayTemplate
    /// The modules to plan with.
    public var catalog: ModuleCatalog
    /// Staff pins, exclusions and duration overrides.
    public var adjustments: Adjustments

    /// Creates a request; `days` defaults to 3 and `template` to `DayTemplate.standard`.
    public init(
        priorities: [Priority], intake: Intake, days: Int = 3, template: DayTemplate = .standard,
        catalog: ModuleCatalog, adjustments: Adjustments = .none
    ) {
        self.priorities = priorities
        self.intake = intake
        self.days = days
        self.template = template
        self.catalog = catalog
        self.adjustments = adjustments
    }

    /// Refuses couples the practice cannot plan an intensive for.
    /// - Throws: `AgendaError.ineligible` when a partner's safety screen failed or was not recorded,
    ///   or when affair recovery is ranked but the intake does not confirm that the affair has ended
    ///   or does not name the hurt partner.
    public func checkEligibility() throws(AgendaError) {
        if let reason = intake.ineligibility(for: priorities) {
            throw .ineligible(reason)
        }
    }
}
