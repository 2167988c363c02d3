import RetreatScheduling

/// Scores any agenda against a request: every clinical rule and preference of the rule table, each
/// penalty with a sentence. Works on hand-edited agendas too: a block naming a module the catalog
/// does not have, a block of the wrong kind or a wrong number of days is a hard penalty as well
/// (`unknown-module`, `kind`, `days`: the agenda does not match the catalog or the intensive).
public func score(_ agenda: Agenda, for request: PlanRequest) -> Score {
    let problem: Problem
    do {
        problem = try Problem(request, strict: false)
    } catch {
        return Score(penalties: [Penalty(level: .hard, points: 1, rule: "request", sentence: error.description)])
    }
    var extra: [Penalty] = []
    if agenda.days.count != problem.days {
        extra.append(
            Penalty(
                level: .hard, points: 1, rule: "days",
                sentence: "The agenda has \(agenda.days.count) day(s), but the intensive has \(problem.days); plan every day once."))
    }
    var placed = [[Placed]](repeating: [], count: problem.days)
    for (position, day) in agenda.days.enumerated() where position < problem.days {
        var blocks: [Placed] = []
        for block in day.blocks {
            guard let module = problem.index[block.moduleID] else {
                extra.append(
                    Penalty(
                        level: .hard, points: 1, rule: "unknown-module",
                        sentence: "Day \(position + 1) has a block of \"\(block.moduleID)\", which is not in the catalog; replace it with a catalog module."))
                continue
            }
            if problem.kind[module] != block.kind {
                extra.append(
                    Penalty(
                        level: .hard, points: 1, rule: "kind",
                        sentence:
                            "Day \(position + 1): the block of \"\(block.moduleID)\" is marked \(block.kind.rawValue), but the module is a \(problem.kind[module].rawValue); use the module's kind."
                    ))
            }
            blocks.append(Placed(module: module, start: block.start.minutes, end: block.end.minutes))
        }
        placed[position] = blocks.enumerated().sorted { ($0.element.start, $0.offset) < ($1.element.start, $1.offset) }.map(\.element)
    }
    let scored = problem.evaluate(placed, explain: true)
    return extra.isEmpty ? scored : Score(penalties: extra + scored.penalties)
}

/// How hard the local search works. The search is deterministic: the same request and options
/// always give the same agenda.
public struct SearchOptions: Hashable, Sendable {
    /// Search effort before the search stops, in fully scored candidate agendas (a candidate
    /// rejected early by the day checks or as not allowed counts as a fraction of one).
    public var maxEvaluations: Int
    /// Seed of the random kicks between hill climbs.
    public var seed: UInt64

    /// Creates options.
    public init(maxEvaluations: Int = 12_000, seed: UInt64 = 0x5EED_CAFE) {
        self.maxEvaluations = maxEvaluations
        self.seed = seed
    }

    /// The default effort.
    public static let standard = SearchOptions()
}

/// The greedy construction alone (the planner's starting point), without search.
public struct GreedyPlanner: Sendable {
    /// Creates the greedy planner.
    public init() {}

    /// Plans greedily. Unlike `AgendaPlanner.plan(_:)` it returns the agenda even when a clinical
    /// rule is broken (its score says which), so it can be compared.
    /// - Throws: the eligibility, request and staff-edit errors of `AgendaPlanner.plan(_:)`.
    public func plan(_ request: PlanRequest) throws(AgendaError) -> Agenda {
        try request.checkEligibility()
        let problem = try Problem(request, strict: true)
        let days = problem.layout(Construction(problem: problem).build())
        return problem.agenda(from: days, score: problem.evaluate(days, explain: true))
    }
}

/// The planner: the greedy construction followed by an iterated local search (remove, insert,
/// replace, move and swap of session modules, first improvement, with seeded random kicks).
public struct AgendaPlanner: Sendable {
    /// The search effort and seed.
    public var options: SearchOptions

    /// Creates a planner.
    public init(options: SearchOptions = .standard) {
        self.options = options
    }

    /// Checks a ranking and staff edits against the catalog and the clinical rules without planning,
    /// so a caller can refuse them before saving anything. `plan(_:)` throws the same errors.
    /// - Parameters:
    ///   - adjustments: the staff's pins, exclusions and lengths.
    ///   - priorities: the couple's ranking, most important first.
    ///   - catalog: the module catalog.
    ///   - days: the length of the intensive.
    ///   - template: the frame of each day.
    /// - Throws: `AgendaError.unknownPriority` or `.unknownModule` naming the valid ones,
    ///   `.invalidRequest` / `.invalidAdjustment` for malformed values, `.breaksRule` with the rule's
    ///   sentence when an edit breaks a clinical rule on its own (a pinned module or day a rule keeps
    ///   out, pins that overlap, a length no agenda can hold, an exclusion of something a rule
    ///   needs), and `.unplannable` when the catalog itself lacks what a rule needs.
    public static func validate(
        adjustments: Adjustments, priorities: [Priority], catalog: ModuleCatalog, days: Int = 3, template: DayTemplate = .standard
    ) throws(AgendaError) {
        let request = PlanRequest(priorities: priorities, intake: .empty, days: days, template: template, catalog: catalog, adjustments: adjustments)
        _ = try Problem(request, strict: true)
    }

    /// Checks a ranking alone: every priority built in or declared in the catalog, each once.
    /// - Throws: `AgendaError.unknownPriority` naming the valid ones, or `.invalidRequest`.
    public static func validate(priorities: [Priority], catalog: ModuleCatalog) throws(AgendaError) {
        try Problem.checkRanking(priorities, catalog: catalog)
    }

    /// Plans an intensive. Pins, exclusions and duration overrides in `request.adjustments` are
    /// kept, so re-planning after a staff change is calling this again with the new adjustments.
    /// Never returns an agenda that breaks a clinical rule.
    /// - Throws: `AgendaError.ineligible` (a safety screen failed or not recorded; affair recovery
    ///   ranked without a confirmed end of the affair or a recorded hurt partner), the errors of
    ///   `validate(adjustments:priorities:catalog:days:template:)`, `.breaksRule` when no agenda
    ///   keeping the staff edits keeps every rule (an agenda without the edits does), and
    ///   `.unplannable` when no agenda keeping every rule was found at all.
    public func plan(_ request: PlanRequest) throws(AgendaError) -> Agenda {
        try request.checkEligibility()
        let problem = try Problem(request, strict: true)
        let agenda = search(problem)
        if !agenda.score.isFeasible {
            try AgendaPlanner.refuseBroken(agenda, problem, request) { plain throws(AgendaError) in
                search(try Problem(plain, strict: true))
            }
        }
        return agenda
    }

    private func search(_ problem: Problem) -> Agenda {
        let start = Construction(problem: problem).build()
        var search = LocalSearch(problem: problem, start: start, options: options)
        let days = problem.layout(search.run())
        return problem.agenda(from: days, score: problem.evaluate(days, explain: true))
    }

    /// Throws when `agenda` breaks a clinical rule: `.breaksRule` when the same request without
    /// staff edits plans cleanly (so the edits are to blame), `.unplannable` otherwise.
    ///
    /// The rule named is one the edits actually break. The edits are applied to the clean agenda
    /// (the plan without them: exclusions taken out, pins moved to their times, the new lengths),
    /// and the first rule (in rule-table order) this edited plan breaks about an edited module is
    /// named; failing that, its first broken rule that the searched `agenda` breaks too; then the
    /// searched agenda's first penalty about an edited module; then the edited plan's first broken
    /// rule; then the searched agenda's (a lost pin is the edit itself, never what it breaks).
    static func refuseBroken(
        _ agenda: Agenda, _ problem: Problem, _ request: PlanRequest, replan: (PlanRequest) throws(AgendaError) -> Agenda
    ) throws(AgendaError) {
        let broken = agenda.score.penalties.filter { $0.level == .hard }
        guard let fallback = broken.first else { return }
        // The penalties quote the modules they are about as "\"id\"".
        let edited = Set(request.adjustments.pins.map(\.moduleID)).union(request.adjustments.durationOverrides.keys)
            .union(request.adjustments.excluded)
        func aboutAnEdit(_ penalty: Penalty) -> Bool {
            // A lost pin is the edit itself, not what it breaks.
            penalty.rule != Rules.pins.id && edited.contains { penalty.sentence.contains("\"\($0)\"") }
        }
        func pick(_ penalties: [Penalty]) -> Penalty? {
            penalties.first(where: aboutAnEdit) ?? penalties.first { $0.rule != Rules.pins.id }
        }
        var clean: Agenda?
        if request.adjustments != .none {
            var plain = request
            plain.adjustments = .none
            if let planned = try? replan(plain), planned.score.isFeasible { clean = planned }
        }
        var chosen = pick(broken) ?? fallback
        if let clean {
            let repaired = problem.applyingEdits(to: clean).penalties.filter { $0.level == .hard && $0.rule != Rules.pins.id }
            let alsoInAgenda = Set(broken.map(\.rule))
            let choices: [Penalty?] = [
                repaired.first(where: aboutAnEdit), repaired.first { alsoInAgenda.contains($0.rule) }, broken.first(where: aboutAnEdit), repaired.first,
            ]
            if let first = choices.compactMap({ $0 }).first { chosen = first }
        }
        let rule = AgendaRule.named(chosen.rule)
        let refusal = BrokenRule(rule: chosen.rule, sentence: rule?.sentence ?? chosen.sentence, detail: chosen.sentence)
        if clean != nil { throw .breaksRule(refusal) }
        throw .unplannable(
            "No agenda keeping every clinical rule was found for this ranking and catalog (\(refusal.detail): \(refusal.sentence)); change the catalog or the length of the intensive."
        )
    }
}

/// The exact optimum by enumeration, for small instances only (see `Enumeration`): every
/// assignment of the candidate sessions to days, every order within a day and, by default, every
/// placement of breaks and lunch between the sessions. Used to measure the planner's quality. The
/// planner's agenda serves as the first incumbent (it only speeds up the pruning: the result is
/// the optimum either way, and equals the planner's score exactly when no better agenda exists).
public struct ExhaustivePlanner: Sendable {
    /// Most candidate session modules accepted.
    public var maxCandidates: Int
    /// Most days accepted.
    public var maxDays: Int
    /// Whether to vary where breaks and lunch fall (otherwise they go where the planners put them).
    public var variesPauses: Bool
    /// Whether to skip partial plans dominated by an equivalent one (exact, much faster; turn it
    /// off only to check that it changes nothing).
    public var prunesDominated: Bool

    /// Creates the exhaustive planner with its size limits.
    public init(maxCandidates: Int = 12, maxDays: Int = 2, variesPauses: Bool = true, prunesDominated: Bool = true) {
        self.maxCandidates = maxCandidates
        self.maxDays = maxDays
        self.variesPauses = variesPauses
        self.prunesDominated = prunesDominated
    }

    /// Finds the best agenda of the search space, even when it breaks a clinical rule (its score
    /// says which), so it can be compared with the planner's.
    /// - Throws: the eligibility, request and staff-edit errors of `AgendaPlanner.plan(_:)`, and
    ///   `.invalidRequest` when the instance is larger than the limits.
    public func plan(_ request: PlanRequest) throws(AgendaError) -> Agenda {
        try request.checkEligibility()
        let problem = try Problem(request, strict: true)
        if problem.candidates.count > maxCandidates || problem.days > maxDays {
            throw .invalidRequest(
                "The instance has \(problem.candidates.count) candidate sessions over \(problem.days) day(s); exhaustive search handles at most \(maxCandidates) over \(maxDays) day(s), so use a smaller catalog (ModuleCatalog.keeping) or the AgendaPlanner."
            )
        }
        // The planner's agenda is the first incumbent: it prunes more than the construction would,
        // and the enumeration replaces it only by a strictly better one.
        var search = LocalSearch(problem: problem, start: Construction(problem: problem).build(), options: .standard)
        var enumeration = Enumeration(
            problem: problem, variesPauses: variesPauses, prunesDominated: prunesDominated, incumbent: problem.layout(search.run()))
        let days = enumeration.run()
        return problem.agenda(from: days, score: problem.evaluate(days, explain: true))
    }
}
