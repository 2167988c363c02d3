// AgendaBench: `swift run -c release AgendaBench [runs] [couples] [small-instances] [catalog.toml]`
//
// Defaults: 21 runs, 1000 couples, 60 small instances, Fixtures/agenda-modules.toml.
// AGENDA_EVALS=N sets the planner's search budget (SearchOptions.maxEvaluations);
// AGENDA_RESTARTS=N the baseline's restarts (default 300).
//
// 1. Plans one intensive `runs` times and prints the median time.
// 2. Every ranking of the four priorities (64): how many agendas keep every clinical rule, and how
//    many give rank 1 the most session time beyond what the clinical rules require.
// 3. `couples` generated couples (random rankings of 1-4 priorities, 3 days): the planner against
//    an independent baseline (`Baseline.swift`: randomized restarts of a constraint-ordered
//    construction, sharing no code with the planner but the scorer). Prints the share of couples
//    where every clinical rule holds, the mean medium and soft penalties, and how often the planner
//    is better, equal or worse.
// 4. `small-instances` small instances (two days over a catalog subset): the planner against the
//    exhaustive optimum, which also varies where breaks and lunch fall; and how often varying them
//    finds a better agenda than the planners' own placement of breaks and lunch.
import Foundation
import RetreatAgenda
import RetreatConfig
import RetreatScheduling

let arguments = CommandLine.arguments.dropFirst()
func argument(_ index: Int, _ fallback: Int) -> Int {
    arguments.count > index ? Int(arguments[arguments.startIndex + index]) ?? fallback : fallback
}
let runs = argument(0, 21)
let couples = argument(1, 1000)
let smallInstances = argument(2, 60)
let catalogURL =
    arguments.count > 3
    ? URL(fileURLWithPath: arguments[arguments.startIndex + 3])
    : URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures/agenda-modules.toml")
let environment = ProcessInfo.processInfo.environment

func milliseconds(_ start: ContinuousClock.Instant) -> Double {
    let elapsed = ContinuousClock.now - start
    return Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
}

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    guard !sorted.isEmpty else { return 0 }
    return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
}

func format(_ value: Double) -> String { String(format: "%.2f", value) }
func percent(_ part: Int, _ whole: Int) -> String { whole == 0 ? "-" : String(format: "%.1f%%", Double(part) * 100 / Double(whole)) }

/// A random ranking of 1...4 of the built-in priorities.
func randomRanking(_ rng: inout SplitMix64) -> [Priority] {
    var pool = Priority.known
    pool.shuffle(using: &rng)
    return Array(pool.prefix(Int(rng.next() % 4) + 1))
}

/// Both partners screened; with affair recovery ranked, the affair has ended and B is the hurt partner.
func request(_ priorities: [Priority], _ catalog: ModuleCatalog, days: Int = 3) -> PlanRequest {
    PlanRequest(
        priorities: priorities,
        intake: Intake(
            partnerA: SafetyScreen(result: .passed), partnerB: SafetyScreen(result: .passed),
            affairEnded: priorities.contains(.affairRecovery) ? .yes : .unknown, hurtPartner: .b),
        days: days, catalog: catalog)
}

/// Every ranking of the four priorities: the 64 orders of the non-empty subsets.
func allRankings(_ pool: [Priority]) -> [[Priority]] {
    var result: [[Priority]] = []
    for (index, first) in pool.enumerated() {
        result.append([first])
        var rest = pool
        rest.remove(at: index)
        for tail in allRankings(rest) { result.append([first] + tail) }
    }
    return result
}

/// Session minutes by rank beyond the clinical minimum, written here from the README's definition
/// (not the planner's code): each session counts once, for the highest-ranked priority it serves;
/// not counted are sessions serving every priority, the atonement steps, the first teaching of each
/// skill, and a concluding session of a ranked priority with what it builds on.
func rankMinutes(_ ranking: [Priority], _ agenda: Agenda, _ catalog: ModuleCatalog) -> [Int] {
    var required: Set<String> = []
    var stack = catalog.modules.filter { $0.kind == .session && $0.concludes && $0.priorities.contains(where: ranking.contains) }.map(\.id)
    while let id = stack.popLast() {
        if required.insert(id).inserted { stack += catalog.module(id)?.prerequisites ?? [] }
    }
    var taught: Set<Skill> = []
    var minutes = [Int](repeating: 0, count: ranking.count)
    for block in agenda.days.flatMap(\.blocks) {
        guard let module = catalog.module(block.moduleID), module.kind == .session else { continue }
        let first = !Set(module.skills).isSubset(of: taught)
        taught.formUnion(module.skills)
        guard !first, module.atonement.isEmpty, !module.servesAll, !required.contains(module.id) else { continue }
        if let rank = ranking.firstIndex(where: module.serves) { minutes[rank] += block.minutes }
    }
    return minutes
}

/// Two days over a small catalog: what every agenda needs and up to two random further sessions (with
/// what they build on and what must follow them).
func smallInstance(_ catalog: ModuleCatalog, _ rng: inout SplitMix64) throws(AgendaError) -> PlanRequest {
    let structural: Set<String> = [
        "intake-history", "individual-partner-a", "individual-partner-b", "self-soothing", "listening-mirroring", "opening-the-heart",
        "dialogue-practice", "morning-check-in", "grounding-close", "plan-forward", "break", "lunch", "evening-reflection", "evening-soothing",
    ]
    var keep = structural
    var optional = catalog.modules.filter { $0.kind == .session && !structural.contains($0.id) && $0.atonement.isEmpty }
    optional.shuffle(using: &rng)
    let wanted = Int(rng.next() % 3)
    for module in optional {
        var closure: [String] = []
        var stack = [module.id]
        while let id = stack.popLast() {
            if keep.contains(id) || closure.contains(id) { continue }
            closure.append(id)
            stack.append(contentsOf: (catalog.module(id)?.prerequisites ?? []) + (catalog.module(id)?.followedBy ?? []))
        }
        if keep.count - structural.count + closure.count <= wanted { keep.formUnion(closure) }
    }
    var pool = Priority.known.filter { $0 != .affairRecovery }
    pool.shuffle(using: &rng)
    return request(Array(pool.prefix(1 + Int(rng.next() % 2))), try catalog.keeping(keep), days: 2)
}

do {
    let catalog = try ModuleCatalog(contentsOf: catalogURL)
    let budget = environment["AGENDA_EVALS"].flatMap { Int($0) } ?? SearchOptions.standard.maxEvaluations
    let restarts = environment["AGENDA_RESTARTS"].flatMap { Int($0) } ?? 300
    let planner = AgendaPlanner(options: SearchOptions(maxEvaluations: budget))
    let baseline = RestartBaseline(restarts: restarts)
    print("catalog: \(catalog.modules.count) modules from \(catalogURL.path); planner budget \(budget), baseline \(restarts) restarts")

    // AGENDA_SHOW=p1,p2,...: print the planner's agenda of that ranking (AGENDA_BASELINE=1: the baseline's,
    // AGENDA_GREEDY=1: the greedy construction's) and stop.
    if let shown = environment["AGENDA_SHOW"] {
        let ranking = shown.split(separator: ",").map { Priority(String($0)) }
        // With AGENDA_BASELINE set, the baseline's agenda instead.
        let planned =
            environment["AGENDA_BASELINE"] != nil
            ? baseline.plan(request(ranking, catalog), seed: 1)
            : environment["AGENDA_GREEDY"] != nil ? try GreedyPlanner().plan(request(ranking, catalog)) : try planner.plan(request(ranking, catalog))
        for day in planned.days {
            print("day \(day.index + 1)")
            for block in day.blocks { print("  \(block.start)-\(block.end)  \(block.moduleID)") }
        }
        print("minutes beyond the clinical minimum by rank: \(rankMinutes(ranking, planned, catalog))")
        print(planned.score.summary)
        for penalty in planned.score.penalties { print("  \(penalty)") }
        exit(0)
    }

    // 1. One intensive.
    let one = request([.affairRecovery, .communication, .intimacy, .unresolvedIssues], catalog)
    var times: [Double] = []
    var agenda = try planner.plan(one)
    for _ in 0..<runs {
        let start = ContinuousClock.now
        agenda = try planner.plan(one)
        times.append(milliseconds(start))
    }
    print("one intensive (affair, communication, intimacy, unresolved): median \(format(median(times))) ms over \(runs) runs; \(agenda.score.summary)")

    // 2. Every ranking.
    let rankings = allRankings(Priority.known)
    var rankingsFeasible = 0
    var inRankOrder = 0
    var rankOneFirst = 0
    var leavingTime = 0
    for ranking in rankings {
        let planned = try planner.plan(request(ranking, catalog))
        if planned.score.isFeasible { rankingsFeasible += 1 }
        let minutes = rankMinutes(ranking, planned, catalog)
        // Each rank clearly more than the next (a quarter more, at least 15 minutes), unless neither gets any.
        if zip(minutes, minutes.dropFirst()).allSatisfy({ ($0 == 0 && $1 == 0) || $0 >= $1 + max(15, ($1 + 3) / 4) }) {
            inRankOrder += 1
        } else {
            print("  time not in rank order: \(ranking.map(\.rawValue)) \(minutes)")
        }
        guard minutes.contains(where: { $0 > 0 }) else { continue }
        leavingTime += 1
        if minutes.count == 1 || minutes[0] > minutes[1] { rankOneFirst += 1 } else { print("  rank 1 not first: \(ranking.map(\.rawValue)) \(minutes)") }
    }
    print(
        "every ranking (\(rankings.count)): every clinical rule holds \(rankingsFeasible)/\(rankings.count); beyond the clinical minimum each rank gets clearly more time than the next (or neither any) \(inRankOrder)/\(rankings.count); rank 1 gets the most in \(rankOneFirst)/\(leavingTime) rankings that leave time beyond the clinical minimum (the other \(rankings.count - leavingTime) leave none)"
    )

    // 3. Generated couples: planner against the independent baseline.
    var rng = SplitMix64(seed: 2026)
    var planTimes: [Double] = []
    var baseTimes: [Double] = []
    var feasible = (planner: 0, baseline: 0)
    var medium = (planner: 0, baseline: 0)
    var soft = (planner: 0, baseline: 0)
    var softWhenBothFeasible = (planner: 0, baseline: 0, count: 0)
    var comparison = (better: 0, equal: 0, worse: 0)
    var baselineRules: [String: Int] = [:]
    var worseExamples: [String] = []
    let batchStart = ContinuousClock.now
    for index in 0..<couples {
        let couple = request(randomRanking(&rng), catalog)
        var start = ContinuousClock.now
        let planned = try planner.plan(couple)
        planTimes.append(milliseconds(start))
        start = ContinuousClock.now
        let base = baseline.plan(couple, seed: UInt64(index) &* 0x9E37_79B9 &+ 1)
        baseTimes.append(milliseconds(start))
        if planned.score.isFeasible { feasible.planner += 1 }
        if base.score.isFeasible { feasible.baseline += 1 }
        for penalty in base.score.penalties where penalty.level == .hard { baselineRules[penalty.rule, default: 0] += 1 }
        medium = (medium.planner + planned.score.medium, medium.baseline + base.score.medium)
        soft = (soft.planner + planned.score.soft, soft.baseline + base.score.soft)
        if planned.score.isFeasible && base.score.isFeasible {
            softWhenBothFeasible = (
                softWhenBothFeasible.planner + planned.score.soft, softWhenBothFeasible.baseline + base.score.soft, softWhenBothFeasible.count + 1
            )
        }
        if planned.score < base.score {
            comparison.better += 1
        } else if planned.score == base.score {
            comparison.equal += 1
        } else {
            comparison.worse += 1
            if worseExamples.count < 5 {
                worseExamples.append("  planner \(planned.score) worse than baseline \(base.score): \(couple.priorities.map(\.rawValue))")
            }
        }
    }
    let n = Double(max(couples, 1))
    print(
        "\(couples) generated couples in \(format(milliseconds(batchStart) / 1000)) s; median per plan: planner \(format(median(planTimes))) ms, baseline \(format(median(baseTimes))) ms"
    )
    print(
        "  every clinical rule holds: planner \(feasible.planner)/\(couples) (\(percent(feasible.planner, couples))), baseline \(feasible.baseline)/\(couples) (\(percent(feasible.baseline, couples)))"
    )
    print("  mean medium penalty: planner \(format(Double(medium.planner) / n)), baseline \(format(Double(medium.baseline) / n))")
    print("  mean soft penalty: planner \(format(Double(soft.planner) / n)), baseline \(format(Double(soft.baseline) / n))")
    if softWhenBothFeasible.count > 0 {
        let count = Double(softWhenBothFeasible.count)
        print(
            "  mean soft penalty where both keep every rule (\(softWhenBothFeasible.count) couples): planner \(format(Double(softWhenBothFeasible.planner) / count)), baseline \(format(Double(softWhenBothFeasible.baseline) / count))"
        )
    }
    print("  planner better than the baseline \(comparison.better), equal \(comparison.equal), worse \(comparison.worse)")
    for line in worseExamples { print(line) }
    print("  rules the baseline broke (couples): \(baselineRules.sorted { $0.value > $1.value }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))")

    // 4. Small instances against the exhaustive optimum.
    let exhaustive = ExhaustivePlanner()
    let fixedPauses = ExhaustivePlanner(variesPauses: false)
    var equal = 0
    var pausesHelped = 0
    var exhaustiveTimes: [Double] = []
    var smallRNG = SplitMix64(seed: 7)
    var mismatches: [String] = []
    var candidates: [Int] = []
    for _ in 0..<smallInstances {
        let small = try smallInstance(catalog, &smallRNG)
        candidates.append(small.catalog.modules.filter { $0.kind == .session }.count)
        let planned = try planner.plan(small)
        let start = ContinuousClock.now
        let optimum = try exhaustive.plan(small)
        exhaustiveTimes.append(milliseconds(start))
        let fixed = try fixedPauses.plan(small)
        if optimum.score < fixed.score { pausesHelped += 1 }
        if planned.score == optimum.score {
            equal += 1
        } else if mismatches.count < 5 {
            mismatches.append(
                "  planner \(planned.score) vs optimum \(optimum.score): \(small.priorities.map(\.rawValue)) \(small.catalog.ids.joined(separator: ","))")
        }
    }
    print(
        "small instances (2 days, \(candidates.min() ?? 0)-\(candidates.max() ?? 0) sessions): \(smallInstances); planner == exhaustive optimum \(equal) (\(percent(equal, smallInstances))); varying breaks and lunch beat the planners' placement in \(pausesHelped); exhaustive median \(format(median(exhaustiveTimes))) ms, max \(format(exhaustiveTimes.max() ?? 0)) ms"
    )
    for line in mismatches { print(line) }

    // 5. The dominance pruning changes nothing: the same optimum without it, on a few instances.
    var sameOptimum = 0
    var withoutTimes: [Double] = []
    let checks = min(3, smallInstances)
    var checkRNG = SplitMix64(seed: 7)
    for _ in 0..<checks {
        let small = try smallInstance(catalog, &checkRNG)
        let start = ContinuousClock.now
        let plain = try ExhaustivePlanner(prunesDominated: false).plan(small)
        withoutTimes.append(milliseconds(start))
        if try plain.score == exhaustive.plan(small).score { sameOptimum += 1 }
    }
    print("  without the dominance pruning: same optimum on \(sameOptimum)/\(checks) instances (median \(format(median(withoutTimes))) ms each)")
} catch {
    print("AgendaBench failed: \(error)")
    exit(1)
}
