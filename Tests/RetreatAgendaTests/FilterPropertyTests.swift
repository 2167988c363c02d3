import RetreatScheduling
import Testing

@testable import RetreatAgenda

/// The planners' filters and bounds come from the rule table; these properties show that none of
/// them rejects what `evaluate` accepts, over many random requests and plans.
@Suite("Filters and bounds agree with the score")
struct FilterPropertyTests {
    /// A random request: ranking, 2-3 days, sometimes an exclusion.
    static func randomRequest(_ rng: inout SplitMix64) -> PlanRequest {
        let ranking = randomRanking(&rng)
        let days = 2 + Int(rng.next() % 2)
        let optional = ["complaints-to-requests", "time-outs-repair", "appreciations", "grounding-close"]
        let excluded: Set<String> = rng.next() % 3 == 0 ? [optional[Int(rng.next() % 4)]] : []
        return makeRequest(ranking, days: days, adjustments: Adjustments(excluded: excluded))
    }

    /// A random plan built the way the exhaustive search builds one: day by day, each session
    /// appended after nothing, a break or lunch (or laid out by `add`), then `finish`. Returns the
    /// plan and the score bound of every partial plan on the way.
    static func randomPlan(_ p: Problem, _ rng: inout SplitMix64, sessions: [Int]) -> (days: [[Placed]], bounds: [Score]) {
        var closed: [[Placed]] = []
        var bounds: [Score] = []
        let literal = rng.next() % 2 == 0
        for d in 0..<p.days {
            var builder = DayBuilder(problem: p, day: d)
            for _ in 0..<(3 + Int(rng.next() % 6)) {
                let m = sessions[Int(rng.next() % UInt64(sessions.count))]
                if literal {
                    switch rng.next() % 4 {
                    case 0: builder.appendBreak()
                    case 1: if !builder.lunchDone { builder.appendLunch() }
                    default: break
                    }
                    builder.appendSession(m)
                } else {
                    builder.add(m)
                }
                bounds.append(p.assess(PlanView(days: closed + [builder.blocks], lastOpen: true), explain: false))
            }
            closed.append(builder.finish())
            bounds.append(p.assess(PlanView(days: closed, lastOpen: false), explain: false))
        }
        return (closed, bounds)
    }

    static func check(_ p: Problem, _ days: [[Placed]], bounds: [Score], label: String) {
        let score = p.evaluate(days, explain: false)
        // Module and day filters: a rejected session means a broken clinical rule.
        for (d, blocks) in days.enumerated() {
            for block in blocks where p.kind[block.module] == .session {
                let m = block.module
                if !p.admitsModule(m) || !p.admits(m, onDay: d) || !p.isCandidate[m] {
                    #expect(score.hard > 0, "\(label): \(p.name(m)) on day \(d + 1) is filtered out, but the plan scores \(score)")
                }
            }
            // Day filter of the local search: a day that fails it fails the plan.
            let dayPoints = p.dayHardPoints(d, blocks)
            #expect(dayPoints <= score.hard, "\(label): day \(d + 1) has \(dayPoints) hard points, the plan \(score.hard)")
        }
        // Exhaustive bounds: every partial plan's score is a lower bound, level by level.
        for bound in bounds {
            #expect(bound.hard <= score.hard && bound.medium <= score.medium && bound.soft <= score.soft, "\(label): bound \(bound) > \(score)")
        }
    }

    @Test("random plans: filters reject only what breaks a rule, bounds never exceed the score", arguments: 0..<4)
    func randomPlans(part: Int) throws {
        var rng = SplitMix64(seed: 777 + UInt64(part))
        var infeasible = 0
        for round in 0..<60 {
            let request = Self.randomRequest(&rng)
            let p = try Problem(request, strict: false)
            // Half the plans draw from every session (to exercise the filters), half from the candidates.
            let all = (0..<p.n).filter { p.kind[$0] == .session }
            let (days, bounds) = Self.randomPlan(p, &rng, sessions: round % 2 == 0 ? all : p.candidates)
            Self.check(p, days, bounds: bounds, label: "part \(part) round \(round)")
            if p.evaluate(days, explain: false).hard > 0 { infeasible += 1 }
        }
        #expect(infeasible > 0)
    }

    @Test("planned agendas pass every filter and every bound is clean", arguments: 0..<2)
    func feasiblePlans(part: Int) throws {
        var rng = SplitMix64(seed: 4_711 + UInt64(part))
        for round in 0..<8 {
            var request = Self.randomRequest(&rng)
            request.days = 3
            let agenda = try testPlanner.plan(request)
            let p = try Problem(request, strict: true)
            let days = agenda.days.map { day in
                day.blocks.compactMap { block in p.index[block.moduleID].map { Placed(module: $0, start: block.start.minutes, end: block.end.minutes) } }
            }
            #expect(p.evaluate(days, explain: false).hard == 0)
            // Rebuild it the exhaustive search's way to get the partial plans on the way.
            var closed: [[Placed]] = []
            var bounds: [Score] = []
            for (d, blocks) in days.enumerated() {
                var prefix: [Placed] = []
                for block in blocks {
                    prefix.append(block)
                    bounds.append(p.assess(PlanView(days: closed + [prefix], lastOpen: true), explain: false))
                    if p.kind[block.module] == .session {
                        #expect(p.admits(block.module, onDay: d) && p.isCandidate[block.module], "round \(round): \(p.name(block.module))")
                    }
                }
                #expect(p.dayHardPoints(d, blocks) == 0)
                closed.append(blocks)
                bounds.append(p.assess(PlanView(days: closed, lastOpen: false), explain: false))
            }
            #expect(bounds.allSatisfy { $0.hard == 0 })
            Self.check(p, days, bounds: bounds, label: "round \(round)")
        }
    }

    @Test("the local search's day filter rejects no move that evaluate would accept")
    func localSearchFilter() throws {
        var rng = SplitMix64(seed: 99_991)
        var rejected = 0
        for _ in 0..<3 {
            var request = Self.randomRequest(&rng)
            request.days = 3
            let p = try Problem(request, strict: true)
            let agenda = try testPlanner.plan(request)
            let state = agenda.days.map { day in day.blocks.filter { $0.kind == .session }.compactMap { p.index[$0.moduleID] } }
            var search = LocalSearch(problem: p, start: state, options: SearchOptions(maxEvaluations: 1_000_000))
            #expect(search.current.hard == 0)
            for move in search.neighbourhood() {
                guard let changes = search.apply(move) else { continue }
                // The evening homework of a later day depends on what earlier days taught: lay out the whole plan.
                var next = search.state
                for (d, items) in changes { next[d] = items }
                let days = p.layout(next)
                if search.trial(move) == nil {
                    rejected += 1
                    #expect(p.evaluate(days, explain: false).hard > 0, "a rejected move gives a plan that keeps every rule")
                }
            }
        }
        #expect(rejected > 100)
    }
}
