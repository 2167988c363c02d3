import RetreatScheduling

/// Scores any agenda against a request: every hard rule, medium shortcoming and soft preference,
/// each penalty with a sentence. Works on hand-edited agendas too (unknown modules, wrong kinds or
/// a wrong number of days are hard penalties).
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
    /// rejected early by the structural or day-level checks counts as a fraction of one).
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

/// The baseline: builds an agenda greedily, day by day, by phase and then rank, without search.
public struct GreedyPlanner: Sendable {
    /// Creates the baseline planner.
    public init() {}

    /// Plans greedily.
    /// - Throws: `AgendaError.ineligible` for couples the practice cannot plan for, and the
    ///   request, adjustment and catalog-structure errors of `AgendaPlanner.plan(_:)`.
    public func plan(_ request: PlanRequest) throws(AgendaError) -> Agenda {
        try request.checkEligibility()
        let problem = try Problem(request, strict: true)
        let state = Construction(problem: problem).build()
        let days = problem.layout(state)
        return problem.agenda(from: days, score: problem.evaluate(days, explain: true))
    }
}

/// The planner: the greedy construction followed by an iterated local search (remove, insert,
/// replace, move and swap of session modules, first improvement, with seeded random kicks).
/// It never returns an agenda worse than the greedy one.
public struct AgendaPlanner: Sendable {
    /// The search effort and seed.
    public var options: SearchOptions

    /// Creates a planner.
    public init(options: SearchOptions = .standard) {
        self.options = options
    }

    /// Plans an intensive. Pins, exclusions and duration overrides in `request.adjustments` are
    /// kept, so re-planning after a staff change is calling this again with the new adjustments.
    /// - Throws: `AgendaError.ineligible` (safety screen not passed, or affair recovery ranked
    ///   without a confirmed end of the affair), `.invalidRequest`, `.invalidAdjustment` or
    ///   `.unplannable` with a sentence saying what to change.
    public func plan(_ request: PlanRequest) throws(AgendaError) -> Agenda {
        try request.checkEligibility()
        let problem = try Problem(request, strict: true)
        let start = Construction(problem: problem).build()
        var search = LocalSearch(problem: problem, start: start, options: options)
        let best = search.run()
        let days = problem.layout(best)
        return problem.agenda(from: days, score: problem.evaluate(days, explain: true))
    }
}

/// The exact optimum by enumeration, for small instances only: every assignment of the candidate
/// session modules to days and every order within a day (branch and bound on the hard rules that
/// can only get worse as a day grows). Used to measure the planner's quality.
public struct ExhaustivePlanner: Sendable {
    /// Most candidate session modules accepted.
    public var maxCandidates: Int
    /// Most days accepted.
    public var maxDays: Int

    /// Creates the exhaustive planner with its size limits.
    public init(maxCandidates: Int = 10, maxDays: Int = 2) {
        self.maxCandidates = maxCandidates
        self.maxDays = maxDays
    }

    /// Finds the best agenda of the planners' search space.
    /// - Throws: the errors of `AgendaPlanner.plan(_:)`, and `.invalidRequest` when the instance
    ///   is larger than the limits.
    public func plan(_ request: PlanRequest) throws(AgendaError) -> Agenda {
        try request.checkEligibility()
        let problem = try Problem(request, strict: true)
        if problem.candidates.count > maxCandidates || problem.days > maxDays {
            throw .invalidRequest(
                "The instance has \(problem.candidates.count) candidate sessions over \(problem.days) day(s); exhaustive search handles at most \(maxCandidates) over \(maxDays) day(s), so use a smaller catalog (ModuleCatalog.keeping) or the AgendaPlanner."
            )
        }
        var enumeration = Enumeration(problem: problem)
        let days = enumeration.run()
        return problem.agenda(from: days, score: problem.evaluate(days, explain: true))
    }
}

// MARK: - Greedy construction

/// Builds a first agenda: day 1 opens with intake and the two individual sessions; each day is
/// filled by phase and rank (missing prerequisites pulled in first) while it fits, and closed with
/// a calming block (the plan forward on the last day); pinned modules are then put on their days.
struct Construction {
    let problem: Problem

    func build() -> [[Int]] {
        let p = problem
        var state = [[Int]](repeating: [], count: p.days)
        var used = [Int](repeating: 0, count: p.n)
        var placed = [Bool](repeating: false, count: p.n)
        var pinnedDays = [[Int]](repeating: [], count: p.n)
        for pin in p.pins { pinnedDays[pin.module].append(pin.day) }
        let rankedCount = p.ranked.count
        func bestRank(_ m: Int) -> Int {
            p.rankMask[m] != 0 ? p.rankMask[m].trailingZeroBitCount : (p.servesAll[m] ? rankedCount : rankedCount + 1)
        }
        let order = p.candidates.sorted { (p.phase[$0], bestRank($0), $0) < (p.phase[$1], bestRank($1), $1) }

        func allowed(_ m: Int, _ d: Int, _ items: [Int]) -> Bool {
            if items.contains(m) { return false }
            if !p.repeatable[m] && used[m] > 0 { return false }
            if !p.repeatable[m] && !pinnedDays[m].isEmpty && !pinnedDays[m].contains(d) { return false }
            if d == 0 && p.intensity[m] == 3 { return false }
            return true
        }
        func fits(_ items: [Int], _ d: Int) -> Bool {
            let blocks = p.layoutDay(d, items)
            var contact = 0
            for block in blocks {
                if block.end > p.dayEnd { return false }
                switch p.kind[block.module] {
                case .session, .reflection: contact += block.end - block.start
                case .lunch:
                    if block.start < p.lunchWindowStart || block.end > p.lunchWindowEnd { return false }
                case .break: break
                }
                let pinned = p.pin(day: d, module: block.module)
                if pinned >= 0 && pinned != block.start && p.kind[block.module] == .session { return false }
            }
            return contact <= p.maxContact
        }
        /// `m` preceded by its prerequisites that are not yet placed, in dependency order; nil if impossible.
        func chain(_ m: Int, _ d: Int, _ items: [Int]) -> [Int]? {
            var result: [Int] = []
            var visiting = Set<Int>()
            func visit(_ x: Int) -> Bool {
                if x != m && (placed[x] || items.contains(x) || result.contains(x)) { return true }
                if !visiting.insert(x).inserted || !p.isCandidate[x] || !allowed(x, d, items) { return false }
                for q in p.prerequisites[x] where !visit(q) { return false }
                result.append(x)
                return true
            }
            return visit(m) ? result : nil
        }

        // Target shares of the priority minutes: rank 1 about half, the rest decreasing by rank.
        var targets = [Int](repeating: 0, count: rankedCount)
        if rankedCount == 1 {
            targets[0] = 1000
        } else if rankedCount > 1 {
            targets[0] = 500
            let weights = (1..<rankedCount).map { rankedCount - $0 }
            let total = weights.reduce(0, +)
            for r in 1..<rankedCount { targets[r] = 500 * weights[r - 1] / total }
        }
        var minutes = [Int](repeating: 0, count: rankedCount)
        var totalMinutes = 0
        func addMinutes(_ m: Int) {
            guard p.rankMask[m] != 0 else { return }
            totalMinutes += p.duration[m]
            for r in 0..<rankedCount where p.rankMask[m] & (UInt64(1) << UInt64(r)) != 0 { minutes[r] += p.duration[m] }
        }
        /// How far the minutes by rank would be from the targets (per mille, summed) after adding `extra`.
        func imbalance(adding extra: [Int]) -> Int {
            var trial = minutes
            var total = totalMinutes
            for m in extra where p.rankMask[m] != 0 {
                total += p.duration[m]
                for r in 0..<rankedCount where p.rankMask[m] & (UInt64(1) << UInt64(r)) != 0 { trial[r] += p.duration[m] }
            }
            guard total > 0 else { return 0 }
            var sum = 0
            for r in 0..<rankedCount {
                sum += abs(trial[r] * 1000 / total - targets[r])
                if r > 0 && trial[r] > trial[r - 1] { sum += 1000 }
            }
            return sum
        }

        for d in 0..<p.days {
            let isLast = d == p.days - 1
            var items: [Int] = []
            if d == 0 {
                let openers =
                    [p.candidates.first { p.isIntake[$0] }]
                    + Partner.allCases.map { who in p.candidates.first { p.partner[$0] == who } }
                for case let m? in openers where allowed(m, d, items) {
                    if let pulled = chain(m, d, items) {
                        items += pulled
                        for x in pulled { addMinutes(x) }
                    }
                }
            } else if let opener = p.candidates.first(where: {
                p.opensDay[$0] && allowed($0, d, items) && p.prerequisites[$0].allSatisfy { q in placed[q] }
                    && p.pin(day: d, module: $0) < 0
            }) {
                items.append(opener)
            }
            let closing: Int?
            if isLast {
                closing = p.candidates.first { p.isPlanForward[$0] && p.canClose[$0] && allowed($0, d, items) }
            } else {
                closing = p.candidates.filter {
                    p.canClose[$0] && !p.isPlanForward[$0] && allowed($0, d, items)
                        && p.prerequisites[$0].allSatisfy { q in placed[q] || items.contains(q) }
                }.min {
                    (p.closesDay[$0] ? 0 : 1, p.servesAll[$0] ? 0 : 1, p.repeatable[$0] ? 0 : 1, p.duration[$0], $0) < (
                        p.closesDay[$1] ? 0 : 1, p.servesAll[$1] ? 0 : 1, p.repeatable[$1] ? 0 : 1, p.duration[$1], $1
                    )
                }
            }
            // Pins of this day wait at the end of the trial sequence until nothing fits before them;
            // prerequisites of pins on this or later days are urgent.
            var pending = p.pins.filter { $0.day == d && $0.module != closing && !items.contains($0.module) }
                .sorted { $0.start < $1.start }.map(\.module)
            var urgent = Set<Int>()
            var stack = p.pins.filter { $0.day >= d }.flatMap { p.prerequisites[$0.module] }
            while let q = stack.popLast() {
                if placed[q] || urgent.contains(q) { continue }
                urgent.insert(q)
                stack.append(contentsOf: p.prerequisites[q])
            }
            let pinnedToday = Set(p.pins.filter { $0.day == d }.map(\.module))
            while true {
                var choice: (key: (Int, Int, Int, Int, Int), pulled: [Int])?
                for m in order where m != closing && !p.isIntake[m] && !p.isPlanForward[m] && !pinnedToday.contains(m) && allowed(m, d, items) {
                    guard let pulled = chain(m, d, items), !pulled.contains(where: { $0 == closing || pinnedToday.contains($0) }) else { continue }
                    let general = p.rankMask[m] == 0 ? 1 : 0
                    let key = (urgent.contains(m) ? 0 : 1, general, imbalance(adding: pulled), p.phase[m], m)
                    if let choice, !(key < choice.key) { continue }
                    if fits(items + pulled + pending + (closing.map { [$0] } ?? []), d) {
                        choice = (key, pulled)
                    }
                }
                if let choice {
                    items += choice.pulled
                    for m in choice.pulled { addMinutes(m) }
                } else if !pending.isEmpty {
                    let pinned = pending.removeFirst()
                    items.append(pinned)
                    addMinutes(pinned)
                } else {
                    break
                }
            }
            if let closing, chain(closing, d, items) == [closing] {
                items.append(closing)
                addMinutes(closing)
            }
            state[d] = items
            for m in items {
                used[m] += 1
                placed[m] = true
            }
        }

        // Pins: move each pinned module onto its day, before the first block that starts after the pin.
        for pin in p.pins.sorted(by: { ($0.day, $0.start) < ($1.day, $1.start) }) where pin.day < p.days {
            if state[pin.day].contains(pin.module) { continue }
            if !p.repeatable[pin.module] {
                for d in 0..<p.days { state[d].removeAll { $0 == pin.module } }
            }
            let blocks = p.layoutDay(pin.day, state[pin.day])
            var position = state[pin.day].count
            var sessionIndex = 0
            for block in blocks where p.kind[block.module] == .session {
                if block.start >= pin.start || (pin.day == p.days - 1 && p.isPlanForward[block.module]) {
                    position = sessionIndex
                    break
                }
                sessionIndex += 1
            }
            state[pin.day].insert(pin.module, at: min(position, state[pin.day].count))
        }
        return state
    }
}

// MARK: - Local search

/// One change to a plan (lists of session modules per day).
enum Move {
    case remove(day: Int, at: Int)
    case insert(module: Int, day: Int, at: Int)
    case replace(day: Int, at: Int, with: Int)
    case relocate(day: Int, at: Int, toDay: Int, to: Int)
    case swap(day: Int, at: Int, otherDay: Int, other: Int)
    /// Remove an item and every item that (transitively) needs it.
    case removeChain(day: Int, at: Int)
    /// Insert a module preceded by its missing prerequisites (in dependency order).
    case insertChain(module: Int, day: Int, at: Int)
}

struct LocalSearch {
    let problem: Problem
    let budget: Int
    var rng: SplitMix64
    /// Work done, in units: 16 for a full evaluation, 4 for a day-level rejection, 1 for a move
    /// rejected by the structural filter.
    var evaluations = 0
    var state: [[Int]]
    var laid: [[Placed]]
    var current: Score
    var count: [Int]
    /// Per module, the positions (`day * 1024 + index`) where it occurs.
    var positions: [[Int]]
    /// Per day, the minutes of contact (sessions and the evening reflection).
    var dayContact: [Int]
    var cursor = 0

    static let fullCost = 16
    static let dayCost = 4
    static let filterCost = 1

    init(problem: Problem, start: [[Int]], options: SearchOptions) {
        self.problem = problem
        self.budget = LocalSearch.fullCost * max(0, options.maxEvaluations)
        self.rng = SplitMix64(seed: options.seed)
        self.state = start
        self.laid = problem.layout(start)
        self.current = problem.evaluate(laid, explain: false)
        self.count = []
        self.positions = []
        self.dayContact = []
        reindex()
    }

    mutating func reindex() {
        let p = problem
        count = [Int](repeating: 0, count: p.n)
        positions = [[Int]](repeating: [], count: p.n)
        dayContact = [Int](repeating: 0, count: state.count)
        for (d, items) in state.enumerated() {
            var contact = d < p.days - 1 ? (p.reflectionModule.map { p.duration[$0] } ?? 0) : 0
            for (i, m) in items.enumerated() {
                count[m] += 1
                positions[m].append(d * 1024 + i)
                contact += p.duration[m]
            }
            dayContact[d] = contact
        }
    }

    private func pinnedOn(_ day: Int, _ m: Int) -> Bool {
        problem.pin(day: day, module: m) >= 0
    }

    private func mayAdd(_ m: Int, to day: Int) -> Bool {
        if day == 0 && problem.intensity[m] == 3 { return false }
        if problem.repeatable[m] {
            return !state[day].contains(m)
        }
        return count[m] == 0
    }

    // MARK: Structural filter (exact: only moves that certainly break a hard rule are skipped)

    private func occurs(_ m: Int, before position: Int, excluding: Int = -1) -> Bool {
        for place in positions[m] where place != excluding && place < position { return true }
        return false
    }

    private func prerequisitesBefore(_ m: Int, _ position: Int) -> Bool {
        for q in problem.prerequisites[m] where !occurs(q, before: position) { return false }
        return true
    }

    /// Whether removing the occurrence of `m` at `position` (optionally re-adding it at `newPosition`)
    /// leaves a present module without `m` before it.
    private func neededByOthers(_ m: Int, at position: Int, newPosition: Int = Int.max) -> Bool {
        for x in problem.dependents[m] {
            for place in positions[x] where !occurs(m, before: place, excluding: position) && newPosition > place {
                return true
            }
        }
        return false
    }

    /// Whether `m` may be the last session of day `d`.
    private func mayClose(_ m: Int, _ d: Int) -> Bool {
        d == problem.days - 1 ? problem.isPlanForward[m] && problem.canClose[m] : problem.canClose[m]
    }

    /// Whether taking the item at (d, i) out leaves the day without its opening or closing.
    private func removalBreaksFrame(_ d: Int, _ i: Int) -> Bool {
        let items = state[d]
        if d == 0 && i == 0 { return true }
        if i == items.count - 1 && (i == 0 || !mayClose(items[i - 1], d)) { return true }
        if d == 0, let who = problem.partner[items[i]] {
            if !items.enumerated().contains(where: { $0.offset != i && problem.partner[$0.element] == who }) { return true }
        }
        return false
    }

    /// Positions (`day * 1024 + index`) of the item at `position` and of every item that
    /// transitively needs it (for items with several occurrences: those not preceded by another
    /// occurrence of what they need), or nil when one of them is pinned.
    func dependentChain(_ d: Int, _ i: Int) -> Set<Int>? {
        var removed: Set<Int> = [d * 1024 + i]
        var stack = [(state[d][i], d * 1024 + i)]
        while let (m, place) = stack.popLast() {
            for x in problem.dependents[m] {
                for other in positions[x] where !removed.contains(other) && other > place {
                    if positions[m].contains(where: { $0 < other && !removed.contains($0) }) { continue }
                    let day = other / 1024
                    if pinnedOn(day, x) { return nil }
                    removed.insert(other)
                    stack.append((x, other))
                }
            }
        }
        return removed
    }

    /// `m`'s prerequisites (transitively) that do not occur before (d, j), in dependency order,
    /// followed by `m`; nil when one of them may not be added to day `d`.
    func prerequisiteChain(_ m: Int, _ d: Int, _ j: Int) -> [Int]? {
        var result: [Int] = []
        var visiting: Set<Int> = []
        func visit(_ x: Int) -> Bool {
            if x != m && (occurs(x, before: d * 1024 + j) || result.contains(x)) { return true }
            if !visiting.insert(x).inserted || !problem.isCandidate[x] || !mayAdd(x, to: d) { return false }
            for q in problem.prerequisites[x] where !visit(q) { return false }
            result.append(x)
            return true
        }
        return visit(m) ? result : nil
    }

    func certainlyInfeasible(_ move: Move) -> Bool {
        let p = problem
        switch move {
        case .removeChain(let d, let i):
            return removalBreaksFrame(d, i)
        case .insertChain(let m, let d, let j):
            if d == 0 && j == 0 { return true }
            if j == state[d].count && !mayClose(m, d) { return true }
            return false
        case .remove(let d, let i):
            let m = state[d][i]
            return removalBreaksFrame(d, i) || neededByOthers(m, at: d * 1024 + i)
        case .insert(let m, let d, let j):
            if dayContact[d] + p.duration[m] > p.maxContact { return true }
            if d == 0 && j == 0 { return true }
            if j == state[d].count && !mayClose(m, d) { return true }
            return !prerequisitesBefore(m, d * 1024 + j)
        case .replace(let d, let i, let m):
            let old = state[d][i]
            if dayContact[d] - p.duration[old] + p.duration[m] > p.maxContact { return true }
            if d == 0 && i == 0 && !p.isIntake[m] { return true }
            if i == state[d].count - 1 && !mayClose(m, d) { return true }
            if d == 0, let who = p.partner[old], p.partner[m] != who,
                !state[d].enumerated().contains(where: { $0.offset != i && p.partner[$0.element] == who })
            {
                return true
            }
            return !prerequisitesBefore(m, d * 1024 + i) || neededByOthers(old, at: d * 1024 + i)
        case .relocate(let d, let i, let d2, let j):
            if d == d2 {
                if d == 0 && (i == 0 || j == 0) { return true }
                return false
            }
            let m = state[d][i]
            if dayContact[d2] + p.duration[m] > p.maxContact { return true }
            if removalBreaksFrame(d, i) { return true }
            if d2 == 0 && j == 0 { return true }
            if j == state[d2].count && !mayClose(m, d2) { return true }
            return !prerequisitesBefore(m, d2 * 1024 + j) || neededByOthers(m, at: d * 1024 + i, newPosition: d2 * 1024 + j)
        case .swap(let d, let i, let d2, let j):
            if d == d2 { return d == 0 && i == 0 }
            let a = state[d][i]
            let b = state[d2][j]
            return dayContact[d] - p.duration[a] + p.duration[b] > p.maxContact
                || dayContact[d2] - p.duration[b] + p.duration[a] > p.maxContact
        }
    }

    /// The days changed by `move`, or nil when the move is not allowed.
    func apply(_ move: Move) -> [(Int, [Int])]? {
        let p = problem
        switch move {
        case .removeChain(let d, let i):
            guard let removed = dependentChain(d, i), removed.count > 1 else { return nil }
            var changes: [(Int, [Int])] = []
            for day in Set(removed.map { $0 / 1024 }).sorted() {
                let items = state[day].enumerated().filter { !removed.contains(day * 1024 + $0.offset) }.map(\.element)
                changes.append((day, items))
            }
            return changes
        case .insertChain(let m, let d, let j):
            guard let chain = prerequisiteChain(m, d, j), chain.count > 1 else { return nil }
            let added = chain.reduce(0) { $0 + p.duration[$1] }
            if current.hard == 0 && dayContact[d] + added > p.maxContact { return nil }
            var items = state[d]
            items.insert(contentsOf: chain, at: j)
            return [(d, items)]
        case .remove(let d, let i):
            if pinnedOn(d, state[d][i]) { return nil }
            var items = state[d]
            items.remove(at: i)
            return [(d, items)]
        case .insert(let m, let d, let j):
            if !mayAdd(m, to: d) { return nil }
            var items = state[d]
            items.insert(m, at: j)
            return [(d, items)]
        case .replace(let d, let i, let m):
            let old = state[d][i]
            if old == m || pinnedOn(d, old) { return nil }
            if d == 0 && p.intensity[m] == 3 { return nil }
            if p.repeatable[m] {
                if state[d].contains(m) { return nil }
            } else if count[m] > 0 {
                return nil
            }
            var items = state[d]
            items[i] = m
            return [(d, items)]
        case .relocate(let d, let i, let d2, let j):
            let m = state[d][i]
            if d == d2 {
                if j == i || j == i + 1 { return nil }
                var items = state[d]
                items.remove(at: i)
                items.insert(m, at: j > i ? j - 1 : j)
                return [(d, items)]
            }
            if pinnedOn(d, m) || (d2 == 0 && p.intensity[m] == 3) { return nil }
            if p.repeatable[m] && state[d2].contains(m) { return nil }
            var from = state[d]
            from.remove(at: i)
            var to = state[d2]
            to.insert(m, at: j)
            return [(d, from), (d2, to)]
        case .swap(let d, let i, let d2, let j):
            let a = state[d][i]
            let b = state[d2][j]
            if a == b { return nil }
            if d == d2 {
                var items = state[d]
                items.swapAt(i, j)
                return [(d, items)]
            }
            if pinnedOn(d, a) || pinnedOn(d2, b) { return nil }
            if (d == 0 && p.intensity[b] == 3) || (d2 == 0 && p.intensity[a] == 3) { return nil }
            if p.repeatable[a] && state[d2].contains(a) { return nil }
            if p.repeatable[b] && state[d].contains(b) { return nil }
            var first = state[d]
            first[i] = b
            var second = state[d2]
            second[j] = a
            return [(d, first), (d2, second)]
        }
    }

    func neighbourhood() -> [Move] {
        let p = problem
        var moves: [Move] = []
        moves.reserveCapacity(2_048)
        let days = state.count
        for d in 0..<days {
            for i in state[d].indices {
                moves.append(.remove(day: d, at: i))
            }
        }
        for d in 0..<days {
            for i in state[d].indices {
                for d2 in 0..<days {
                    for j in 0...state[d2].count {
                        moves.append(.relocate(day: d, at: i, toDay: d2, to: j))
                    }
                }
            }
        }
        for d in 0..<days {
            for i in state[d].indices {
                for d2 in d..<days {
                    for j in (d2 == d ? i + 1 : 0)..<state[d2].count {
                        moves.append(.swap(day: d, at: i, otherDay: d2, other: j))
                    }
                }
            }
        }
        for m in p.candidates {
            for d in 0..<days where mayAdd(m, to: d) {
                for j in 0...state[d].count {
                    moves.append(.insert(module: m, day: d, at: j))
                }
            }
        }
        for d in 0..<days {
            for i in state[d].indices {
                for m in p.candidates where m != state[d][i] {
                    moves.append(.replace(day: d, at: i, with: m))
                }
            }
        }
        for d in 0..<days {
            for i in state[d].indices where !p.dependents[state[d][i]].isEmpty {
                moves.append(.removeChain(day: d, at: i))
            }
        }
        for m in p.candidates where !p.prerequisites[m].isEmpty {
            for d in 0..<days where mayAdd(m, to: d) {
                for j in 0...state[d].count {
                    moves.append(.insertChain(module: m, day: d, at: j))
                }
            }
        }
        return moves
    }

    /// Scores the plan with `move` applied; nil when the move is not allowed or, while the current
    /// plan is feasible, certainly breaks a hard rule (such a plan can never be better).
    mutating func trial(_ move: Move) -> (changes: [(Int, [Int])], score: Score, days: [[Placed]])? {
        let feasible = current.hard == 0
        if feasible {
            evaluations += LocalSearch.filterCost
            if certainlyInfeasible(move) { return nil }
        }
        guard let changes = apply(move) else { return nil }
        var days = laid
        for (d, items) in changes { days[d] = problem.layoutDay(d, items) }
        if feasible {
            for (d, _) in changes where problem.dayBreaksHardRule(d, days[d]) {
                evaluations += LocalSearch.dayCost
                return nil
            }
        }
        evaluations += LocalSearch.fullCost
        return (changes, problem.evaluate(days, explain: false), days)
    }

    mutating func commit(_ changes: [(Int, [Int])], _ days: [[Placed]], _ score: Score) {
        for (d, items) in changes { state[d] = items }
        laid = days
        current = score
        reindex()
    }

    /// First-improvement hill climbing from the current plan until no move improves it.
    mutating func climb() {
        var moves = neighbourhood()
        var checked = 0
        var index = moves.isEmpty ? 0 : cursor % moves.count
        while checked < moves.count && evaluations < budget {
            let move = moves[index]
            index = (index + 1) % moves.count
            checked += 1
            guard let result = trial(move) else { continue }
            if result.score < current {
                commit(result.changes, result.days, result.score)
                moves = neighbourhood()
                cursor = index
                index = moves.isEmpty ? 0 : index % moves.count
                checked = 0
            }
        }
    }

    /// One to three random moves, preferring ones that do not add hard violations.
    mutating func kick() {
        var left = 1 + rng.below(3)
        var attempts = 0
        var moves = neighbourhood()
        while left > 0 && attempts < 200 && evaluations < budget && !moves.isEmpty {
            attempts += 1
            let move = moves[rng.below(moves.count)]
            guard let result = trial(move) else { continue }
            if result.score.hard > current.hard && attempts < 150 { continue }
            commit(result.changes, result.days, result.score)
            moves = neighbourhood()
            left -= 1
        }
    }

    mutating func run() -> [[Int]] {
        climb()
        var best = (state, laid, current)
        while evaluations < budget {
            kick()
            climb()
            if current < best.2 {
                best = (state, laid, current)
            } else if current > best.2 {
                state = best.0
                laid = best.1
                current = best.2
                reindex()
            }
        }
        return best.0
    }
}

// MARK: - Exhaustive enumeration

struct Enumeration {
    let problem: Problem
    var best: (score: Score, days: [[Placed]])
    var count: [Int]
    var placed: [Bool]

    init(problem: Problem) {
        self.problem = problem
        let start = problem.layout(Construction(problem: problem).build())
        self.best = (problem.evaluate(start, explain: false), start)
        self.count = [Int](repeating: 0, count: problem.n)
        self.placed = [Bool](repeating: false, count: problem.n)
    }

    mutating func run() -> [[Placed]] {
        extend(day: 0, builder: DayBuilder(problem: problem, day: 0), items: [], closed: [], bound: 0)
        return best.days
    }

    /// `bound`: hard points already certain for the closed days and the current prefix (they can
    /// only grow), not counting the current day's contact overrun.
    private mutating func extend(day d: Int, builder: DayBuilder, items: [Int], closed: [[Placed]], bound: Int) {
        let p = problem
        // Close the day here.
        var finished = builder
        let blocks = finished.finish()
        var closedBound = bound + contactBound(builder.contact)
        for pin in p.pins where pin.day == d && !items.contains(pin.module) { closedBound += 1 }
        if closedBound <= best.score.hard {
            let days = closed + [blocks]
            if d == p.days - 1 {
                let score = p.evaluate(days, explain: false)
                if score < best.score { best = (score, days) }
            } else {
                let before = items.map { ($0, placed[$0]) }
                for m in items { placed[m] = true }
                extend(day: d + 1, builder: DayBuilder(problem: p, day: d + 1), items: [], closed: days, bound: closedBound)
                for (m, was) in before { placed[m] = was }
            }
        }
        // Or add one more session.
        for m in p.candidates {
            if d == 0 && p.intensity[m] == 3 { continue }
            if items.contains(m) { continue }
            if !p.repeatable[m] && count[m] > 0 { continue }
            var added = bound
            if d == 0 && items.isEmpty && !p.isIntake[m] { added += 1 }
            for q in p.prerequisites[m] where !placed[q] && !items.contains(q) { added += 1 }
            var next = builder
            next.add(m)
            if let last = next.blocks.last {
                if last.end > p.dayEnd { added += 1 + (last.end - p.dayEnd) / 15 }
                let pinned = p.pin(day: d, module: m)
                if pinned >= 0 && last.start != pinned { added += 1 }
            }
            if added + contactBound(next.contact) > best.score.hard { continue }
            count[m] += 1
            extend(day: d, builder: next, items: items + [m], closed: closed, bound: added)
            count[m] -= 1
        }
    }

    private func contactBound(_ contact: Int) -> Int {
        contact > problem.maxContact ? 1 + (contact - problem.maxContact) / 15 : 0
    }
}
