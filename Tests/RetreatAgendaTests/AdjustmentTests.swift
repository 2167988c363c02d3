import RetreatAgenda
import RetreatConfig
import RetreatScheduling
import Testing

@Suite("Staff adjustments")
struct AdjustmentTests {
    @Test(
        "pins are honoured, and a re-plan keeps them",
        arguments: [
            ("dialogue-practice", 1, "09:30"),
            ("issue-mapping", 2, "10:30"),
            ("self-soothing", 0, "14:00"),
        ])
    func pins(module: String, day: Int, start: String) throws {
        let pin = Pin(moduleID: module, dayIndex: day, start: time(start))
        let request = makeRequest([.unresolvedIssues, .communication], adjustments: Adjustments(pins: [pin]))
        let agenda = try testPlanner.plan(request)
        #expect(agenda.days[day].blocks.contains { $0.moduleID == module && $0.start == time(start) })
        #expect(hardViolations(agenda, request).isEmpty, "\(hardViolations(agenda, request))")

        // Re-plan with a second change: the first pin stays.
        var replan = request
        replan.adjustments.excluded = ["complaints-to-requests"]
        replan.adjustments.pins.append(Pin(moduleID: "time-outs-repair", dayIndex: 2, start: time("13:30")))
        let again = try testPlanner.plan(replan)
        #expect(again.days[day].blocks.contains { $0.moduleID == module && $0.start == time(start) })
        #expect(again.days[2].blocks.contains { $0.moduleID == "time-outs-repair" && $0.start == time("13:30") })
        #expect(hardViolations(again, replan).isEmpty, "\(hardViolations(again, replan))")
    }

    @Test("a pinned general module outside the ranking is planned, with its prerequisites, as fill")
    func pinOutsideRanking() throws {
        let pin = Pin(moduleID: "closeness-distance-dance", dayIndex: 2, start: time("10:00"))
        let request = makeRequest([.affairRecovery], adjustments: Adjustments(pins: [pin]))
        let agenda = try testPlanner.plan(request)
        #expect(hardViolations(agenda, request).isEmpty, "\(hardViolations(agenda, request))")
        #expect(agenda.days[2].blocks.contains { $0.moduleID == "closeness-distance-dance" && $0.start == time("10:00") })
        #expect(agenda.days.flatMap(\.blocks).contains { $0.moduleID == "origins-autonomy-togetherness" })
        #expect(agenda.score.penalties.contains { $0.rule == "fill" && $0.sentence.contains("closeness-distance-dance") })
    }

    @Test("an excluded module never appears")
    func exclusion() throws {
        let base = try testPlanner.plan(makeRequest([.communication, .intimacy]))
        #expect(base.days.flatMap(\.blocks).contains { $0.moduleID == "complaints-to-requests" })
        let request = makeRequest(
            [.communication, .intimacy], adjustments: Adjustments(excluded: ["complaints-to-requests", "origins-autonomy-togetherness"]))
        let agenda = try testPlanner.plan(request)
        #expect(!agenda.days.flatMap(\.blocks).contains { $0.moduleID == "complaints-to-requests" || $0.moduleID == "origins-autonomy-togetherness" })
        #expect(hardViolations(agenda, request).isEmpty)
    }

    @Test("a duration override changes the block's length")
    func durationOverride() throws {
        let request = makeRequest(
            [.communication, .unresolvedIssues],
            adjustments: Adjustments(durationOverrides: ["intake-history": 75, "lunch": 45, "break": 20, "dialogue-practice": 45])
        )
        let agenda = try testPlanner.plan(request)
        #expect(hardViolations(agenda, request).isEmpty, "\(hardViolations(agenda, request))")
        let blocks = agenda.days.flatMap(\.blocks)
        #expect(blocks.filter { $0.moduleID == "intake-history" }.map(\.minutes) == [75])
        #expect(blocks.filter { $0.kind == .lunch }.allSatisfy { $0.minutes == 45 })
        #expect(blocks.filter { $0.kind == .break }.allSatisfy { $0.minutes == 20 })
        #expect(blocks.filter { $0.moduleID == "dialogue-practice" }.allSatisfy { $0.minutes == 45 })
    }

    @Test(
        "impossible adjustments are refused with a sentence",
        arguments: [
            (Adjustments(pins: [Pin(moduleID: "no-such-module", dayIndex: 0, start: time("10:00"))]), "not in the catalog"),
            (Adjustments(pins: [Pin(moduleID: "lunch", dayIndex: 0, start: time("12:00"))]), "only sessions can be pinned"),
            (Adjustments(pins: [Pin(moduleID: "dialogue-practice", dayIndex: 5, start: time("10:00"))]), "the intensive has 3 days"),
            (Adjustments(pins: [Pin(moduleID: "dialogue-practice", dayIndex: 1, start: time("16:30"))]), "outside the day"),
            (Adjustments(pins: [Pin(moduleID: "affair-disclosure", dayIndex: 0, start: time("10:00"))]), "No demanding (intensity-3) work on day 1"),
            (
                Adjustments(pins: [
                    Pin(moduleID: "dialogue-practice", dayIndex: 1, start: time("10:00")),
                    Pin(moduleID: "complaints-to-requests", dayIndex: 1, start: time("10:30")),
                ]), "overlap"
            ),
            (
                Adjustments(pins: [Pin(moduleID: "dialogue-practice", dayIndex: 1, start: time("10:00"))], excluded: ["dialogue-practice"]),
                "both pinned and excluded"
            ),
            (Adjustments(excluded: ["no-such-module"]), "not in the catalog"),
            (Adjustments(excluded: ["intake-history"]), "intake"),
            (Adjustments(excluded: ["lunch"]), "lunch"),
            (Adjustments(durationOverrides: ["dialogue-practice": 0]), "between 1 and 480"),
            (Adjustments(durationOverrides: ["lunch": 120]), "longer than the lunch window"),
        ])
    func refusals(adjustments: Adjustments, expected: String) {
        do {
            _ = try testPlanner.plan(makeRequest([.affairRecovery, .communication], adjustments: adjustments))
            Issue.record("planned despite \(adjustments)")
        } catch {
            #expect(error.description.contains(expected), "\(error.description)")
        }
        // validate refuses them too, before anything is planned or saved.
        #expect(throws: AgendaError.self) {
            try AgendaPlanner.validate(adjustments: adjustments, priorities: [.affairRecovery, .communication], catalog: standardCatalog)
        }
    }
}
