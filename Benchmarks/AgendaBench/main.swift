// AgendaBench: `swift run -c release AgendaBench [runs] [couples] [small-instances] [catalog.toml]`
//
// Defaults: 21 runs, 1000 couples, 300 small instances, Fixtures/agenda-modules.toml.
// AGENDA_EVALS=N sets the planner's search budget (SearchOptions.maxEvaluations).
//
// 1. Plans one intensive `runs` times and prints the median time.
// 2. Plans `couples` generated couples (random rankings of 1-4 priorities, 3 days) in a batch and
//    prints the median time per couple, the summed scores and the penalty points by rule.
// 3. On `small-instances` generated small instances (one or two days over a small catalog subset)
//    prints how often the planner equals the exhaustive optimum and is no worse than the greedy
//    baseline (both should be 100%).
import Foundation
import RetreatAgenda
import RetreatScheduling

let arguments = CommandLine.arguments.dropFirst()
let runs = arguments.count > 0 ? Int(arguments[arguments.startIndex]) ?? 21 : 21
let couples = arguments.count > 1 ? Int(arguments[arguments.startIndex + 1]) ?? 1000 : 1000
let smallInstances = arguments.count > 2 ? Int(arguments[arguments.startIndex + 2]) ?? 300 : 300
let catalogURL =
    arguments.count > 3
    ? URL(fileURLWithPath: arguments[arguments.startIndex + 3])
    : URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures/agenda-modules.toml")

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

/// A random ranking of 1...4 of the built-in priorities.
func randomRanking(_ rng: inout SplitMix64) -> [Priority] {
    var pool = Priority.known
    pool.shuffle(using: &rng)
    return Array(pool.prefix(Int(rng.next() % 4) + 1))
}

func request(_ priorities: [Priority], _ catalog: ModuleCatalog, days: Int = 3) -> PlanRequest {
    PlanRequest(
        priorities: priorities,
        intake: Intake(affairEnded: priorities.contains(.affairRecovery) ? true : nil, safetyScreenPassed: true),
        days: days, catalog: catalog
    )
}

do {
    let catalog = try ModuleCatalog(contentsOf: catalogURL)
    let budget = ProcessInfo.processInfo.environment["AGENDA_EVALS"].flatMap { Int($0) } ?? SearchOptions.standard.maxEvaluations
    let planner = AgendaPlanner(options: SearchOptions(maxEvaluations: budget))
    let greedy = GreedyPlanner()
    print("catalog: \(catalog.modules.count) modules from \(catalogURL.path)")

    // 1. One intensive.
    let one = request([.affairRecovery, .communication, .intimacy, .unresolvedIssues], catalog)
    var times: [Double] = []
    var agenda = try planner.plan(one)
    for _ in 0..<runs {
        let start = ContinuousClock.now
        agenda = try planner.plan(one)
        times.append(milliseconds(start))
    }
    print("one intensive (affair, communication, intimacy, unresolved): median \(format(median(times))) ms over \(runs) runs; score \(agenda.score)")

    // 2. A batch of couples.
    var rng = SplitMix64(seed: 2026)
    var planTimes: [Double] = []
    var greedyTimes: [Double] = []
    var feasible = 0
    var better = 0
    var ruleTotals: [String: Int] = [:]
    var totals = (0, 0, 0)
    var notWorse = 0
    let batchStart = ContinuousClock.now
    for _ in 0..<couples {
        let couple = request(randomRanking(&rng), catalog)
        var start = ContinuousClock.now
        let planned = try planner.plan(couple)
        planTimes.append(milliseconds(start))
        start = ContinuousClock.now
        let baseline = try greedy.plan(couple)
        greedyTimes.append(milliseconds(start))
        if planned.score.hard == 0 { feasible += 1 }
        for penalty in planned.score.penalties { ruleTotals[penalty.rule, default: 0] += penalty.points }
        totals = (totals.0 + planned.score.hard, totals.1 + planned.score.medium, totals.2 + planned.score.soft)
        if planned.score < baseline.score { better += 1 }
        if planned.score <= baseline.score { notWorse += 1 }
    }
    let batchSeconds = milliseconds(batchStart) / 1000
    print(
        "batch of \(couples) couples: planner median \(format(median(planTimes))) ms, greedy median \(format(median(greedyTimes))) ms, total \(format(batchSeconds)) s"
    )
    print("  by rule: \(ruleTotals.sorted { $0.value > $1.value })")
    print("  summed score \(totals); hard-feasible \(feasible)/\(couples); planner better than greedy \(better)/\(couples), never worse \(notWorse)/\(couples)")

    // 3. Small instances against the exhaustive optimum.
    let exhaustive = ExhaustivePlanner()
    var equal = 0
    var atMostGreedy = 0
    var exhaustiveTimes: [Double] = []
    var smallRNG = SplitMix64(seed: 7)
    var mismatches: [String] = []
    for _ in 0..<smallInstances {
        let days = smallRNG.next() % 3 == 0 ? 2 : 1
        let (small, ranking) = try smallInstance(catalog, days: Int(days), &smallRNG)
        let smallRequest = request(ranking, small, days: Int(days))
        let planned = try planner.plan(smallRequest)
        let start = ContinuousClock.now
        let optimum = try exhaustive.plan(smallRequest)
        exhaustiveTimes.append(milliseconds(start))
        let baseline = try greedy.plan(smallRequest)
        if planned.score == optimum.score {
            equal += 1
        } else if mismatches.count < 5 {
            mismatches.append("  planner \(planned.score) vs optimum \(optimum.score): \(ranking.map(\.rawValue)) \(small.ids.joined(separator: ","))")
        }
        if planned.score <= baseline.score { atMostGreedy += 1 }
    }
    let percentEqual = smallInstances == 0 ? 100 : Double(equal) * 100 / Double(smallInstances)
    let percentGreedy = smallInstances == 0 ? 100 : Double(atMostGreedy) * 100 / Double(smallInstances)
    print(
        "small instances: \(smallInstances); planner == exhaustive optimum \(equal) (\(format(percentEqual))%), planner <= greedy \(atMostGreedy) (\(format(percentGreedy))%), exhaustive median \(format(median(exhaustiveTimes))) ms, max \(format(exhaustiveTimes.max() ?? 0)) ms"
    )
    for line in mismatches { print(line) }
} catch {
    print("AgendaBench failed: \(error)")
    exit(1)
}

/// One day's catalog: the structural modules plus 2...5 random sessions (with their prerequisites).
func smallInstance(_ catalog: ModuleCatalog, days: Int, _ rng: inout SplitMix64) throws(AgendaError) -> (ModuleCatalog, [Priority]) {
    var structural: Set<String> = ["intake-history", "individual-partner-a", "individual-partner-b", "plan-forward", "break", "lunch"]
    if days > 1 { structural.formUnion(["evening-reflection", "grounding-close"]) }
    var keep = structural
    let optional = catalog.modules.filter { $0.kind == .session && !structural.contains($0.id) && (days > 1 || $0.intensity < 3) }
    let wanted = days > 1 ? 1 + Int(rng.next() % 3) : 3 + Int(rng.next() % 4)
    var shuffled = optional
    shuffled.shuffle(using: &rng)
    for module in shuffled {
        var closure: [String] = []
        var stack = [module.id]
        while let id = stack.popLast() {
            if keep.contains(id) || closure.contains(id) { continue }
            closure.append(id)
            stack.append(contentsOf: catalog.module(id)?.prerequisites ?? [])
        }
        if keep.count - structural.count + closure.count <= wanted {
            keep.formUnion(closure)
        }
    }
    let small = try catalog.keeping(keep)
    var served = Set<Priority>()
    for module in small.modules { served.formUnion(module.priorities) }
    var pool = served.isEmpty ? [Priority.communication] : served.sorted()
    pool.shuffle(using: &rng)
    let ranking = Array(pool.prefix(1 + Int(rng.next() % 3)))
    return (small, ranking)
}
