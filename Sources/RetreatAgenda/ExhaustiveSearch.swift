// Exhaustive search: the exact optimum of small instances, to measure the planner against.

/// Enumerates, day by day, every sequence of candidate sessions (each module on any day the rules'
/// filters admit it, in any order) and, when `variesPauses` is set, every placement of breaks and
/// lunch: before each session there may be nothing, a break (after a session) or lunch (once a
/// day; if none was placed, lunch follows the last session, as in `DayBuilder.finish`). Without
/// `variesPauses`, breaks and lunch go where `DayBuilder.add` puts them, as in the planners.
///
/// Two prunings, both exact:
/// - Bounds: a partial plan is abandoned when the rule table's monotone checks (`Problem.assess`
///   on the partial plan) already score it no better than the best complete plan found; those
///   checks only count what no completion can undo.
/// - Dominance: two partial plans that hold the same modules on the same days and end in the same
///   state (time, run, lunch, last and first session, …; see `NodeKey`) have the same future: every
///   completion adds the same points to both. Of two such plans only the one with the lower partial
///   score is extended. (Used when the catalog has at most 64 modules and each skill is taught by
///   one candidate, so that which session first teaches a skill does not depend on the order.)
struct Enumeration {
    let problem: Problem
    let variesPauses: Bool
    let usesDominance: Bool
    var best: (score: Score, days: [[Placed]])
    var count: [Int]
    var memo: [NodeKey: Score] = [:]
    /// Partial plans extended.
    var nodes = 0

    /// Starts from `incumbent` (the best plan known, e.g. the planner's): only strictly better
    /// plans replace it, so it speeds up the search without changing the optimum's score.
    init(problem: Problem, variesPauses: Bool, prunesDominated: Bool, incumbent: [[Placed]]) {
        self.problem = problem
        self.variesPauses = variesPauses
        self.best = (problem.evaluate(incumbent, explain: false), incumbent)
        self.count = [Int](repeating: 0, count: problem.n)
        let uniqueTeachers = Skill.allCases.allSatisfy { skill in problem.candidates.filter { problem.skillMask[$0] & skill.bit != 0 }.count <= 1 }
        self.usesDominance = prunesDominated && problem.n <= 64 && uniqueTeachers
    }

    mutating func run() -> [[Placed]] {
        extend(day: 0, builder: DayBuilder(problem: problem, day: 0), items: [], closed: [], sets: [0])
        return best.days
    }

    /// Whether a partial plan with this state and partial score is worth extending (and records it).
    private mutating func worthExtending(_ key: NodeKey, _ partial: Score) -> Bool {
        guard partial < best.score else { return false }
        guard usesDominance else { return true }
        if let seen = memo[key], seen <= partial { return false }
        memo[key] = partial
        return true
    }

    private mutating func extend(day d: Int, builder: DayBuilder, items: [Int], closed: [[Placed]], sets: [UInt64]) {
        let p = problem
        nodes += 1
        // Close the day here.
        var finished = builder
        let days = closed + [finished.finish()]
        if d == p.days - 1 {
            let score = p.evaluate(days, explain: false)
            if score < best.score { best = (score, days) }
        } else {
            let fresh = DayBuilder(problem: p, day: d + 1, taught: finished.taught)
            let key = NodeKey(p, day: d + 1, sets: sets + [0], builder: fresh)
            if worthExtending(key, p.assess(PlanView(days: days, lastOpen: false), explain: false)) {
                extend(day: d + 1, builder: fresh, items: [], closed: days, sets: sets + [0])
            }
        }
        // Or add one more session, after nothing, a break or lunch.
        for m in p.candidates where !items.contains(m) && (p.repeatable[m] || count[m] == 0) && p.admits(m, onDay: d) {
            for pause in pauses(builder) {
                var next = builder
                switch pause {
                case .automatic: next.add(m)
                case .none: next.appendSession(m)
                case .pause:
                    next.appendBreak()
                    next.appendSession(m)
                case .lunch:
                    next.appendLunch()
                    next.appendSession(m)
                }
                var nextSets = sets
                if m < 64 { nextSets[d] |= UInt64(1) << UInt64(m) }
                let partial = p.assess(PlanView(days: closed + [next.blocks], lastOpen: true), explain: false)
                guard worthExtending(NodeKey(p, day: d, sets: nextSets, builder: next), partial) else { continue }
                count[m] += 1
                extend(day: d, builder: next, items: items + [m], closed: closed, sets: nextSets)
                count[m] -= 1
            }
        }
    }

    private enum Pause {
        case automatic, none, pause, lunch
    }

    private func pauses(_ builder: DayBuilder) -> [Pause] {
        guard variesPauses else { return [.automatic] }
        var options: [Pause] = [.none]
        if let last = builder.blocks.last, problem.kind[last.module] == .session { options.append(.pause) }
        if !builder.lunchDone { options.append(.lunch) }
        return options
    }
}

/// What the future of a partial plan depends on: the modules on each day so far, and the open
/// day's time, run of session work, lunch, demanding flags, first and last session, the last ranked
/// work (for keeping a priority's sessions together) and whether it ends in a session.
struct NodeKey: Hashable {
    var day: Int
    var sets: [UInt64]
    var t: Int
    var run: Int
    var flags: UInt8
    var first: Int
    var lastSession: Int
    var inRun: UInt64

    init(_ p: Problem, day: Int, sets: [UInt64], builder: DayBuilder) {
        self.day = day
        self.sets = sets
        t = builder.t
        run = builder.run
        let lastIsSession = builder.blocks.last.map { p.kind[$0.module] == .session } ?? false
        flags =
            (builder.lunchDone ? 1 : 0) | (builder.previousDemanding ? 2 : 0) | (builder.demandingDay ? 4 : 0) | (lastIsSession ? 8 : 0)
        first = builder.blocks.first?.module ?? -1
        var last = -1
        var inRun: UInt64 = 0
        for block in builder.blocks where p.kind[block.module] == .session {
            last = block.module
            let mask = p.rankMask[block.module]
            if mask != 0 {
                inRun = mask
            } else if !p.servesAll[block.module] {
                inRun = 0
            }
        }
        lastSession = last
        self.inRun = inRun
    }
}
