import RetreatAgenda
import RetreatConfig
import Testing

/// Two days over a small catalog: what every agenda needs (intake, both individual sessions, the
/// five skills, the check-in, a close, the plan forward, breaks, lunch, both evenings) and up to
/// `extra` random further sessions with their prerequisites.
func smallInstance(_ rng: inout SplitMix64, extra: Int = 2) throws -> PlanRequest {
    let structural: Set<String> = [
        "intake-history", "individual-partner-a", "individual-partner-b", "self-soothing", "listening-mirroring", "opening-the-heart",
        "dialogue-practice", "morning-check-in", "grounding-close", "plan-forward", "break", "lunch", "evening-reflection", "evening-soothing",
    ]
    var keep = structural
    var optional = standardCatalog.modules.filter { $0.kind == .session && !structural.contains($0.id) && $0.intensity < 3 && $0.atonement.isEmpty }
    optional.shuffle(using: &rng)
    let wanted = Int(rng.next() % UInt64(extra + 1))
    for module in optional {
        var closure: [String] = []
        var stack = [module.id]
        while let id = stack.popLast() {
            if keep.contains(id) || closure.contains(id) { continue }
            closure.append(id)
            stack.append(contentsOf: (standardCatalog.module(id)?.prerequisites ?? []) + (standardCatalog.module(id)?.followedBy ?? []))
        }
        if keep.count - structural.count + closure.count <= wanted { keep.formUnion(closure) }
    }
    let catalog = try standardCatalog.keeping(keep)
    var pool = Priority.known.filter { $0 != .affairRecovery }
    pool.shuffle(using: &rng)
    return makeRequest(Array(pool.prefix(1 + Int(rng.next() % 2))), days: 2, catalog: catalog)
}

@Suite("Planner quality")
struct QualityTests {
    @Test("on small instances the planner finds the exhaustive optimum, breaks and lunch varied too")
    func matchesExhaustive() throws {
        var rng = SplitMix64(seed: 4_242)
        for _ in 0..<3 {
            let request = try smallInstance(&rng, extra: 1)
            let planned = try AgendaPlanner(options: SearchOptions(maxEvaluations: 3_000)).plan(request)
            let optimum = try ExhaustivePlanner().plan(request)
            let fixedPauses = try ExhaustivePlanner(variesPauses: false).plan(request)
            #expect(optimum.score <= fixedPauses.score, "varying breaks and lunch can only find better agendas")
            #expect(optimum.score <= planned.score, "the exhaustive planner missed a better agenda")
            #expect(planned.score == optimum.score, "\(request.priorities) \(request.catalog.ids): planner \(planned.score), optimum \(optimum.score)")
            #expect(hardViolations(optimum, request).isEmpty == (optimum.score.hard == 0))
        }
    }

    @Test("the exhaustive planner refuses large instances")
    func exhaustiveLimit() {
        #expect(throws: AgendaError.self) { try ExhaustivePlanner().plan(makeRequest([.communication])) }
    }
}
