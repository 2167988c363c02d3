import RetreatAgenda
import RetreatConfig
import RetreatScheduling
import Testing

@Suite("Planner properties over random couples")
struct PlannerPropertyTests {
    /// Random couples (fixed seed): a ranking of 1-4 priorities, 2 to 4 days, sometimes a staff
    /// exclusion of an optional module.
    static let cases: [(ranking: [Priority], days: Int, excluded: Set<String>)] = {
        var rng = SplitMix64(seed: 20_260_415)
        let optional = ["complaints-to-requests", "time-outs-repair", "closeness-distance-dance", "appreciations", "rituals-of-connection", "grounding-close"]
        return (0..<48).map { _ in
            let ranking = randomRanking(&rng)
            let days = [3, 3, 2, 4][Int(rng.next() % 4)]
            let excluded: Set<String> = rng.next() % 3 == 0 ? [optional[Int(rng.next() % UInt64(optional.count))]] : []
            return (ranking, days, excluded)
        }
    }()

    @Test("every rule holds or the couple is refused with a reason; planning is deterministic", arguments: 0..<4)
    func properties(part: Int) throws {
        for (index, testCase) in Self.cases.enumerated() where index % 4 == part {
            let request = makeRequest(testCase.ranking, days: testCase.days, adjustments: Adjustments(excluded: testCase.excluded))
            let label = "case \(index) \(testCase.ranking.map(\.rawValue)) \(testCase.days) days, excluding \(testCase.excluded.sorted())"
            let agenda: Agenda
            do {
                agenda = try testPlanner.plan(request)
            } catch {
                // Two days cannot hold affair recovery and the five skills; nothing else is refused.
                #expect(testCase.days == 2 && testCase.ranking.contains(.affairRecovery), "\(label): \(error)")
                #expect(error.category == .catalog)
                continue
            }
            let violations = hardViolations(agenda, request)
            #expect(violations.isEmpty, "\(label): \(violations)")
            #expect(agenda.score.hard == 0, "\(label): \(agenda.score.penalties.filter { $0.level == .hard })")
            #expect(score(agenda, for: request) == agenda.score)
            // Every ranked priority gets session time.
            for priority in testCase.ranking {
                #expect(sessionMinutes(of: priority, in: agenda, catalog: standardCatalog) > 0, "\(label): \(priority)")
            }
            if index % 3 == 0 {
                #expect(try testPlanner.plan(request) == agenda, "\(label) is not deterministic")
            }
        }
    }

    @Test("beyond what the clinical rules require, each rank gets clearly more time than the next and rank 1 the most, for every ranking")
    func timeFollowsRanking() throws {
        var shortfalls: [String] = []
        for ranking in allRankings where ranking.count > 1 {
            let agenda = try testPlanner.plan(makeRequest(ranking))
            let minutes = rankMinutes(ranking, in: agenda, catalog: standardCatalog)
            let inOrder = zip(minutes, minutes.dropFirst()).allSatisfy { ($0 == 0 && $1 == 0) || $0 >= $1 + max(15, ($1 + 3) / 4) }
            // With affair recovery and unresolved issues both ranked, the clinical minimum (the atonement
            // steps, the work that concludes the issue, the five skills) fills the three days.
            let saturated = ranking.contains(.affairRecovery) && ranking.contains(.unresolvedIssues)
            if !inOrder || (!saturated && minutes[0] <= minutes[1]) { shortfalls.append("\(ranking.map(\.rawValue)): \(minutes)") }
        }
        #expect(shortfalls.isEmpty, "\(shortfalls)")
    }

    @Test("affair recovery: atone (by day 2, in order) before attune before attach, and the couple never leaves with the wound open")
    func affairOrder() throws {
        let request = makeRequest([.affairRecovery, .intimacy, .communication])
        let agenda = try AgendaPlanner().plan(request)
        #expect(hardViolations(agenda, request).isEmpty)
        var order: [(day: Int, id: String)] = []
        for day in agenda.days {
            for block in day.blocks where block.moduleID.hasPrefix("affair-") || block.moduleID == "intimacy-touch" {
                order.append((day.index, block.moduleID))
            }
        }
        let ids = order.map(\.id)
        let chain = ["affair-safety", "affair-disclosure", "affair-impact", "affair-trust-plan"]
        let positions = chain.compactMap { ids.firstIndex(of: $0) }
        #expect(positions.count == 4 && positions == positions.sorted())
        #expect(order.first { $0.id == "affair-disclosure" }?.day == 1)
        #expect(order.first { $0.id == "affair-impact" }?.day == 1)
        if let touch = ids.firstIndex(of: "intimacy-touch"), let plan = ids.firstIndex(of: "affair-trust-plan") { #expect(touch > plan) }
        // The evening after the disclosure day sends the couple home with self-soothing.
        #expect(agenda.days[1].blocks.last?.moduleID == "evening-soothing")
        #expect(agenda.days[2].blocks.first?.moduleID == "morning-check-in")
        #expect(!agenda.days.flatMap(\.blocks).contains { $0.moduleID == "beyond-the-blame-game" })
    }

    @Test("no intimacy work unless intimacy is ranked, no affair work unless affair recovery is ranked")
    func onlyWhatIsRanked() throws {
        for ranking: [Priority] in [[.communication], [.affairRecovery, .communication], [.unresolvedIssues]] {
            let agenda = try testPlanner.plan(makeRequest(ranking))
            let ids = agenda.days.flatMap(\.blocks).map(\.moduleID)
            #expect(!ids.contains { standardCatalog.module($0)?.intimate == true }, "\(ranking): \(ids)")
            #expect(!ids.contains { $0.hasPrefix("intimacy-") || $0 == "affair-intimacy" }, "\(ranking): \(ids)")
            if !ranking.contains(.affairRecovery) { #expect(!ids.contains { $0.hasPrefix("affair-") }) }
        }
    }

    @Test("the five skills are taught in every plan, and communication ranked first gets more practice")
    func skills() throws {
        func skillMinutes(_ ranking: [Priority]) throws -> Int {
            let agenda = try testPlanner.plan(makeRequest(ranking))
            var minutes = 0
            for block in agenda.days.flatMap(\.blocks) where !(standardCatalog.module(block.moduleID)?.skills.isEmpty ?? true) {
                minutes += block.minutes
            }
            return minutes
        }
        let first = try skillMinutes([.communication, .intimacy])
        let last = try skillMinutes([.intimacy, .unresolvedIssues, .communication])
        let unranked = try skillMinutes([.intimacy])
        #expect(first >= last && first > unranked && unranked >= 225, "\(first) \(last) \(unranked)")
    }
}
