import RetreatAgenda
import Testing

/// One or two days over a small catalog: the structural modules and a few random sessions.
func smallInstance(_ rng: inout SplitMix64) throws -> PlanRequest {
    let days = rng.next() % 3 == 0 ? 2 : 1
    var structural: Set<String> = ["intake-history", "individual-partner-a", "individual-partner-b", "plan-forward", "break", "lunch"]
    if days > 1 { structural.formUnion(["evening-reflection", "grounding-close"]) }
    var keep = structural
    var optional = standardCatalog.modules.filter { $0.kind == .session && !structural.contains($0.id) && (days > 1 || $0.intensity < 3) }
    optional.shuffle(using: &rng)
    let wanted = days > 1 ? 1 + Int(rng.next() % 2) : 2 + Int(rng.next() % 3)
    for module in optional {
        var closure: [String] = []
        var stack = [module.id]
        while let id = stack.popLast() {
            if keep.contains(id) || closure.contains(id) { continue }
            closure.append(id)
            stack.append(contentsOf: standardCatalog.module(id)?.prerequisites ?? [])
        }
        if keep.count - structural.count + closure.count <= wanted { keep.formUnion(closure) }
    }
    let catalog = try standardCatalog.keeping(keep)
    var pool = Set(catalog.modules.flatMap(\.priorities)).sorted()
    if pool.isEmpty { pool = [.communication] }
    pool.shuffle(using: &rng)
    return makeRequest(Array(pool.prefix(1 + Int(rng.next() % 3))), days: Int(days), catalog: catalog)
}

@Suite("Planner quality")
struct QualityTests {
    @Test("the planner is never worse than the greedy baseline")
    func neverWorseThanGreedy() throws {
        var rng = SplitMix64(seed: 99)
        for _ in 0..<40 {
            let request = makeRequest(randomRanking(&rng))
            let planned = try testPlanner.plan(request)
            let greedy = try GreedyPlanner().plan(request)
            #expect(planned.score <= greedy.score, "\(request.priorities): \(planned.score) vs greedy \(greedy.score)")
        }
    }

    @Test("on small instances the planner finds the exhaustive optimum")
    func matchesExhaustive() throws {
        var rng = SplitMix64(seed: 4_242)
        var equal = 0
        let count = 24
        for _ in 0..<count {
            let request = try smallInstance(&rng)
            let planned = try AgendaPlanner(options: SearchOptions(maxEvaluations: 3_000)).plan(request)
            let optimum = try ExhaustivePlanner().plan(request)
            #expect(optimum.score <= planned.score, "the exhaustive planner missed a better agenda")
            #expect(planned.score == optimum.score, "\(request.priorities) \(request.catalog.ids): planner \(planned.score), optimum \(optimum.score)")
            #expect(hardViolations(optimum, request).isEmpty || optimum.score.hard > 0)
            if planned.score == optimum.score { equal += 1 }
        }
        #expect(equal == count)
    }

    @Test("the exhaustive planner refuses large instances")
    func exhaustiveLimit() {
        #expect(throws: AgendaError.self) { try ExhaustivePlanner().plan(makeRequest([.communication])) }
    }
}
