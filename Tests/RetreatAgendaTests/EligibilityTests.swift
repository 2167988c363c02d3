import RetreatAgenda
import RetreatConfig
import Testing

@Suite("Requests the planner refuses")
struct EligibilityTests {
    @Test("without affair recovery ranked, an unknown or unended affair does not block planning")
    func otherPriorities() throws {
        var intake = screenedIntake([.communication])
        intake.affairEnded = .no
        let agenda = try testPlanner.plan(PlanRequest(priorities: [.communication, .intimacy], intake: intake, catalog: standardCatalog))
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
        var bad = makeRequest(priorities)
        bad.days = days
        do {
            _ = try testPlanner.plan(bad)
            Issue.record("planned a malformed request")
        } catch {
            #expect(error.description.contains(expected), "\(error.description)")
            #expect(error.category == .usage)
        }
    }

    @Test("unknown priorities are refused naming the valid ones; custom ones only when the catalog declares them")
    func unknownPriority() throws {
        let request = makeRequest([.custom("sex")])
        #expect(throws: AgendaError.unknownPriority("sex", valid: ["unresolved-issues", "affair-recovery", "communication", "intimacy"])) {
            try testPlanner.plan(request)
        }
        #expect(throws: AgendaError.self) { try AgendaPlanner.validate(priorities: [Priority("sex"), .communication], catalog: standardCatalog) }
        do {
            try AgendaPlanner.validate(priorities: [.communication, Priority("Grief")], catalog: standardCatalog)
        } catch {
            #expect(
                error.description
                    == "Priority \"grief\" is not known; use one of unresolved-issues, affair-recovery, communication, intimacy (custom priorities must be declared in the catalog)."
            )
            #expect(error.category == .usage)
        }
        // Declared in the catalog: accepted, and its modules are planned.
        var modules = standardCatalog.modules
        modules.append(
            AgendaModule(
                id: "grief-work", staffTitle: "Grieving the losses together", clientTitle: "Session", minutes: 60, priorities: [.custom("grief")],
                intensity: 2, prerequisites: ["listening-mirroring"]))
        let catalog = try ModuleCatalog(modules: modules, customPriorities: [.custom("grief")])
        try AgendaPlanner.validate(priorities: [.custom("grief"), .communication], catalog: catalog)
        let agenda = try testPlanner.plan(makeRequest([.custom("grief"), .communication], catalog: catalog))
        #expect(agenda.days.flatMap(\.blocks).contains { $0.moduleID == "grief-work" })
    }

    @Test("unknown modules in pins, exclusions and lengths are refused naming the valid ones")
    func unknownModules() {
        let cases: [(Adjustments, ModuleReference)] = [
            (Adjustments(pins: [Pin(moduleID: "no-such", dayIndex: 0, start: time("10:00"))]), .pin),
            (Adjustments(excluded: ["no-such"]), .exclusion),
            (Adjustments(durationOverrides: ["no-such": 30]), .length),
        ]
        for (adjustments, reference) in cases {
            #expect(throws: AgendaError.unknownModule("no-such", in: reference, valid: standardCatalog.ids)) {
                try AgendaPlanner.validate(adjustments: adjustments, priorities: [.communication], catalog: standardCatalog)
            }
            do {
                _ = try testPlanner.plan(makeRequest([.communication], adjustments: adjustments))
                Issue.record("planned with an unknown module")
            } catch {
                #expect(error.category == .usage)
                #expect(error.description.contains("\"no-such\" is not in the catalog; valid modules: intake-history, "))
            }
        }
    }

    @Test("a one-day intensive cannot hold affair recovery, and says why")
    func affairNeedsTwoDays() {
        do {
            _ = try testPlanner.plan(makeRequest([.affairRecovery], days: 1))
            Issue.record("planned affair recovery in one day")
        } catch {
            #expect(error.category == .catalog)
            #expect(error.description.contains("Affair recovery needs at least two days"))
        }
    }
}
