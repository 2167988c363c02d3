import RetreatAgenda
import Testing

@Suite("Eligibility")
struct EligibilityTests {
    func request(_ priorities: [Priority], affairEnded: Bool?, safe: Bool) -> PlanRequest {
        PlanRequest(priorities: priorities, intake: Intake(affairEnded: affairEnded, safetyScreenPassed: safe), catalog: standardCatalog)
    }

    /// Plans with the planner or the greedy baseline.
    func plan(_ request: PlanRequest, greedy: Bool) throws -> Agenda {
        greedy ? try GreedyPlanner().plan(request) : try testPlanner.plan(request)
    }

    @Test("affair recovery needs a confirmed end of the affair", arguments: [false, true])
    func affairNotEnded(greedy: Bool) {
        #expect(
            throws: AgendaError.ineligible(
                "Affair recovery is ranked, but the intake says the affair has not ended; affair-recovery work begins only after it has ended, so remove affair recovery from the ranking or postpone the intensive."
            )
        ) {
            try plan(request([.affairRecovery, .communication], affairEnded: false, safe: true), greedy: greedy)
        }
        #expect(
            throws: AgendaError.ineligible(
                "Affair recovery is ranked, but the intake does not say whether the affair has ended; confirm at intake that it has ended before planning affair-recovery work, or remove affair recovery from the ranking."
            )
        ) {
            try plan(request([.communication, .affairRecovery], affairEnded: nil, safe: true), greedy: greedy)
        }
    }

    @Test("a failed safety screen refuses any intensive")
    func safetyScreen() {
        for ranking: [Priority] in [[.communication], [.affairRecovery]] {
            do {
                _ = try AgendaPlanner().plan(request(ranking, affairEnded: true, safe: false))
                Issue.record("planned without a passed safety screen")
            } catch {
                guard case .ineligible(let sentence) = error else {
                    Issue.record("wrong error \(error)")
                    continue
                }
                #expect(sentence.contains("safety screen was not passed"))
                #expect(sentence.contains("refer the couple"))
            }
        }
    }

    @Test("without affair recovery ranked, an unknown or unended affair does not block planning")
    func otherPriorities() throws {
        let agenda = try testPlanner.plan(request([.communication, .intimacy], affairEnded: false, safe: true))
        #expect(agenda.score.hard == 0)
    }

    @Test(
        "malformed requests are refused",
        arguments: [
            ([Priority](), 3, "No priority is ranked"),
            ([Priority.communication, .communication], 3, "ranked twice"),
            ([Priority.communication], 0, "plan for 1 to 14 days"),
        ])
    func malformed(priorities: [Priority], days: Int, expected: String) {
        var bad = request(priorities, affairEnded: nil, safe: true)
        bad.days = days
        do {
            _ = try testPlanner.plan(bad)
            Issue.record("planned a malformed request")
        } catch {
            #expect(error.description.contains(expected), "\(error.description)")
        }
    }
}
