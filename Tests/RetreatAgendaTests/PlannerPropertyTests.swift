import RetreatAgenda
import RetreatScheduling
import Testing

@Suite("Planner properties over random couples")
struct PlannerPropertyTests {
    /// 200 random rankings (fixed seed), 2 to 4 days.
    static let cases: [(ranking: [Priority], days: Int)] = {
        var rng = SplitMix64(seed: 20_260_415)
        return (0..<200).map { _ in
            let ranking = randomRanking(&rng)
            let days = [3, 3, 2, 4][Int(rng.next() % 4)]
            return (ranking, days)
        }
    }()

    @Test("every hard rule holds, rank 1 gets the most session minutes, and planning is deterministic")
    func properties() throws {
        var checked = 0
        for (index, testCase) in Self.cases.enumerated() {
            let request = makeRequest(testCase.ranking, days: testCase.days)
            let agenda = try testPlanner.plan(request)
            let violations = hardViolations(agenda, request)
            #expect(violations.isEmpty, "case \(index) \(testCase.ranking.map(\.rawValue)) \(testCase.days) days: \(violations)")
            #expect(agenda.score.hard == 0, "case \(index): \(agenda.score.penalties.filter { $0.level == .hard })")
            // The planner's own scorer agrees with the score it reported.
            #expect(score(agenda, for: request) == agenda.score)

            let minutes = testCase.ranking.map { sessionMinutes(of: $0, in: agenda, catalog: standardCatalog) }
            #expect(minutes.allSatisfy { $0 <= minutes[0] }, "case \(index) \(testCase.ranking.map(\.rawValue)): \(minutes)")
            #expect(minutes.allSatisfy { $0 > 0 }, "case \(index) \(testCase.ranking.map(\.rawValue)): \(minutes)")

            if index % 4 == 0 {
                let again = try testPlanner.plan(request)
                #expect(again == agenda, "case \(index) is not deterministic")
            }
            checked += 1
        }
        #expect(checked == 200)
    }

    @Test("affair recovery runs in order: safety and disclosure before trust and intimacy, never on day 1")
    func affairOrder() throws {
        let request = makeRequest([.affairRecovery, .communication])
        let agenda = try AgendaPlanner().plan(request)
        #expect(hardViolations(agenda, request).isEmpty)
        var order: [String] = []
        for day in agenda.days {
            for block in day.blocks where block.moduleID.hasPrefix("affair-") {
                order.append(block.moduleID)
                if day.index == 0 { #expect(standardCatalog.module(block.moduleID)?.intensity != 3) }
            }
        }
        let chain = ["affair-safety", "affair-disclosure", "affair-impact", "affair-understanding", "affair-trust-plan", "affair-intimacy"]
        #expect(order.contains("affair-disclosure"))
        let positions = chain.compactMap { order.firstIndex(of: $0) }
        #expect(positions == positions.sorted())
        #expect(!agenda.days[0].blocks.contains { $0.moduleID == "affair-disclosure" })
    }

    @Test("affair work is not planned unless affair recovery is ranked")
    func noAffairUnlessRanked() throws {
        let agenda = try testPlanner.plan(makeRequest([.intimacy, .communication]))
        #expect(!agenda.days.flatMap(\.blocks).contains { $0.moduleID.hasPrefix("affair-") })
    }
}
