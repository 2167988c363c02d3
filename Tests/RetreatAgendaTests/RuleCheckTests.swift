import RetreatAgenda
import RetreatConfig
import RetreatScheduling
import Testing

/// Breaking a clinical rule by hand in a planned agenda: the planner's scorer names the rule, and
/// the independent checker of `Support.swift` sees it too, so "no plan breaks it" is a real check.
@Suite("Each clinical rule is checked")
struct RuleCheckTests {
    static func block(_ id: String, _ start: String, _ end: String, _ kind: BlockKind = .session) -> AgendaBlock {
        AgendaBlock(start: time(start), end: time(end), kind: kind, moduleID: id, staffTitle: "", clientTitle: "", priorities: [], intensity: 1)
    }

    /// Replaces the first block of `from` (on any day) by `to`, keeping its times.
    static func swapModule(_ days: inout [AgendaDay], _ from: String, _ to: String, kind: BlockKind = .session) {
        for d in days.indices {
            if let i = days[d].blocks.firstIndex(where: { $0.moduleID == from }) {
                days[d].blocks[i].moduleID = to
                days[d].blocks[i].kind = kind
                return
            }
        }
    }

    static let cases: [(rule: String, ranking: [Priority], edit: @Sendable (inout [AgendaDay]) -> Void)] = [
        ("check-in", [.communication], { days in days[1].blocks.removeFirst() }),
        ("homework", [.affairRecovery], { days in swapModule(&days, "evening-soothing", "evening-reflection", kind: .reflection) }),
        ("skills-taught", [.communication], { days in for d in days.indices { days[d].blocks.removeAll { $0.moduleID == "dialogue-practice" } } }),
        ("skill-order", [.communication], { days in swapModule(&days, "self-soothing", "appreciations") }),
        ("intimacy-ranked", [.communication], { days in swapModule(&days, "dialogue-practice", "intimacy-touch") }),
        ("affair-ranked", [.communication], { days in swapModule(&days, "dialogue-practice", "affair-safety") }),
        ("unranked-general", [.communication], { days in swapModule(&days, "dialogue-practice", "issue-mapping") }),
        ("affair-steps", [.affairRecovery], { days in for d in days.indices { days[d].blocks.removeAll { $0.moduleID == "affair-trust-plan" } } }),
        (
            "atone-early", [.affairRecovery],
            { days in
                for d in days.indices { days[d].blocks.removeAll { $0.moduleID == "affair-impact" } }
                days[2].blocks.append(block("affair-impact", "17:00", "18:00"))
            }
        ),
        ("atone-order", [.affairRecovery], { days in swapModule(&days, "affair-safety", "affair-trust-plan") }),
        ("attach-after-atone", [.affairRecovery, .intimacy], { days in swapModule(&days, "affair-safety", "intimacy-touch") }),
        (
            "no-blame-after-disclosure", [.affairRecovery, .unresolvedIssues],
            { days in
                days[2].blocks.append(block("beyond-the-blame-game", "17:00", "18:00"))
            }
        ),
        ("first-day-gentle", [.affairRecovery], { days in swapModule(&days, "self-soothing", "affair-disclosure") }),
        ("individual-time", [.communication], { days in swapModule(&days, "individual-partner-a", "individual-partner-b") }),
        ("intake-first", [.communication], { days in days[0].blocks.removeFirst() }),
        ("plan-forward-last", [.communication], { days in days[2].blocks.removeAll { $0.moduleID == "plan-forward" } }),
        ("reflection", [.communication], { days in days[0].blocks.removeLast() }),
        ("repeat", [.communication], { days in days[2].blocks.append(block("opening-the-heart", "17:00", "18:00")) }),
    ]

    @Test("breaking a rule by hand is caught by the scorer and by the independent checker", arguments: 0..<cases.count)
    func caught(index: Int) throws {
        let (rule, ranking, edit) = Self.cases[index]
        let request = makeRequest(ranking)
        var agenda = try testPlanner.plan(request)
        #expect(clinicalViolations(agenda, request).isEmpty && hardViolations(agenda, request).isEmpty)
        edit(&agenda.days)
        let scored = score(agenda, for: request)
        #expect(scored.penalties.contains { $0.rule == rule && $0.level == .hard }, "\(rule): \(scored.penalties.filter { $0.level == .hard })")
        #expect(!hardViolations(agenda, request).isEmpty, "the independent checker missed \(rule)")
    }
}
