import RetreatAgenda
import RetreatConfig
import RetreatScheduling
import Testing

/// A staff edit aimed at one clinical rule.
struct RuleEdit: Sendable, CustomStringConvertible {
    var rule: String
    var ranking: [Priority]
    var adjustments: Adjustments
    var description: String { "\(rule) \(adjustments.durationOverrides.keys.sorted().joined())" }
}

func pin(_ module: String, _ day: Int, _ start: String) -> Pin {
    Pin(moduleID: module, dayIndex: day - 1, start: time(start))
}

@Suite("Clinical rules")
struct HardRuleTests {
    @Test("the rule table has an id and a counselor's sentence for every rule, and ids are unique")
    func table() {
        let hard = AgendaRule.hardRules
        #expect(hard.count >= 29)
        #expect(Set(hard.map(\.id)).count == hard.count)
        #expect(hard.allSatisfy { $0.level == .hard && $0.sentence.hasSuffix(".") && $0.sentence.count > 40 })
        #expect(AgendaRule.preferences.allSatisfy { $0.level != .hard && !$0.sentence.isEmpty })
        for id in [
            "check-in", "homework", "atone-early", "atone-order", "affair-steps", "attach-after-atone", "no-blame-after-disclosure",
            "intimacy-ranked", "unranked-general", "skills-taught", "skill-order",
        ] {
            #expect(AgendaRule.named(id)?.level == .hard, "\(id)")
        }
    }

    /// Done when (issue 11, pure part): every ranking of the four priorities is planned, and the
    /// agenda keeps every rule, checked by the planner's table and by the independent checker.
    @Test("for every ranking of the four priorities (64 orders), the planned agenda keeps every rule", arguments: 0..<4)
    func everyRanking(part: Int) throws {
        for ranking in allRankings.enumerated().filter({ $0.offset % 4 == part }).map(\.element) {
            let request = makeRequest(ranking)
            let agenda = try testPlanner.plan(request)
            let names = ranking.map(\.rawValue)
            #expect(agenda.score.hard == 0, "\(names): \(agenda.score.penalties.filter { $0.level == .hard })")
            #expect(hardViolations(agenda, request).isEmpty, "\(names): \(hardViolations(agenda, request))")
            #expect(score(agenda, for: request) == agenda.score)
            #expect(agenda.score.summary.hasPrefix("all clinical rules hold"))
            // The JSON contract carries every block.
            #expect(agenda.json(startDate: nil).days.map(\.blocks.count) == agenda.days.map(\.blocks.count))
        }
        #expect(allRankings.count == 64)
    }

    /// Edits that try to break each clinical rule. `duration`, `excluded` and `pins` are the staff
    /// edits themselves (a length, an exclusion, a pin), so no edit can break them; `ScoreTests`
    /// shows the scorer catches hand-edited agendas that do.
    static let edits: [RuleEdit] = [
        RuleEdit(rule: "intake-first", ranking: [.communication], adjustments: Adjustments(excluded: ["intake-history"])),
        RuleEdit(rule: "individual-time", ranking: [.communication], adjustments: Adjustments(excluded: ["individual-partner-b"])),
        RuleEdit(rule: "check-in", ranking: [.communication], adjustments: Adjustments(pins: [pin("morning-check-in", 1, "13:00")])),
        RuleEdit(
            rule: "day-close", ranking: [.communication],
            adjustments: Adjustments(excluded: ["self-soothing", "appreciations", "grounding-close", "integrating-breakthroughs", "rituals-of-connection"])),
        RuleEdit(
            rule: "reflection", ranking: [.communication], adjustments: Adjustments(excluded: ["evening-reflection", "evening-soothing", "evening-mirroring"])),
        RuleEdit(rule: "homework-taught", ranking: [.communication], adjustments: Adjustments(excluded: ["evening-soothing", "evening-mirroring"])),
        RuleEdit(rule: "homework", ranking: [.affairRecovery], adjustments: Adjustments(excluded: ["evening-soothing"])),
        RuleEdit(rule: "plan-forward-last", ranking: [.intimacy], adjustments: Adjustments(excluded: ["plan-forward"])),
        RuleEdit(rule: "affair-ranked", ranking: [.communication], adjustments: Adjustments(pins: [pin("affair-safety", 2, "10:00")])),
        RuleEdit(rule: "affair-steps", ranking: [.affairRecovery], adjustments: Adjustments(excluded: ["affair-impact"])),
        RuleEdit(
            rule: "atone-order", ranking: [.affairRecovery],
            adjustments: Adjustments(pins: [pin("affair-trust-plan", 2, "09:30"), pin("affair-disclosure", 2, "10:45")])),
        RuleEdit(rule: "atone-early", ranking: [.affairRecovery, .communication], adjustments: Adjustments(pins: [pin("affair-disclosure", 3, "09:30")])),
        RuleEdit(
            rule: "atone-together", ranking: [.affairRecovery, .communication],
            adjustments: Adjustments(pins: [pin("affair-disclosure", 2, "10:45"), pin("complaints-to-requests", 2, "13:15")])),
        RuleEdit(rule: "attach-after-atone", ranking: [.affairRecovery, .intimacy], adjustments: Adjustments(pins: [pin("intimacy-touch", 2, "09:30")])),
        RuleEdit(
            rule: "no-blame-after-disclosure", ranking: [.affairRecovery, .unresolvedIssues],
            adjustments: Adjustments(pins: [pin("beyond-the-blame-game", 3, "09:30")])),
        RuleEdit(rule: "intimacy-ranked", ranking: [.communication], adjustments: Adjustments(pins: [pin("intimacy-touch", 3, "14:00")])),
        RuleEdit(rule: "unranked-general", ranking: [.communication], adjustments: Adjustments(pins: [pin("issue-mapping", 2, "10:00")])),
        RuleEdit(
            rule: "rank-time", ranking: [.affairRecovery, .communication],
            adjustments: Adjustments(pins: [pin("complaints-to-requests", 3, "09:30"), pin("time-outs-repair", 3, "13:30")])),
        RuleEdit(rule: "concluded", ranking: [.unresolvedIssues, .communication], adjustments: Adjustments(excluded: ["issue-agreements"])),
        RuleEdit(
            rule: "followed-by", ranking: [.unresolvedIssues, .communication],
            adjustments: Adjustments(pins: [pin("issue-breakthrough", 2, "13:30"), pin("issue-agreements", 3, "10:00")])),
        RuleEdit(rule: "skills-taught", ranking: [.intimacy], adjustments: Adjustments(excluded: ["dialogue-practice"])),
        RuleEdit(rule: "skill-order", ranking: [.communication], adjustments: Adjustments(pins: [pin("listening-mirroring", 1, "10:30")])),
        RuleEdit(rule: "prerequisite", ranking: [.communication], adjustments: Adjustments(pins: [pin("closeness-distance-dance", 1, "10:30")])),
        RuleEdit(
            rule: "repeat", ranking: [.communication],
            adjustments: Adjustments(pins: [pin("complaints-to-requests", 2, "10:00"), pin("complaints-to-requests", 3, "10:00")])),
        RuleEdit(rule: "first-day-gentle", ranking: [.affairRecovery], adjustments: Adjustments(pins: [pin("affair-disclosure", 1, "10:30")])),
        RuleEdit(
            rule: "recovery-break", ranking: [.affairRecovery],
            adjustments: Adjustments(pins: [pin("affair-disclosure", 2, "09:30"), pin("affair-impact", 2, "11:00")])),
        RuleEdit(rule: "run", ranking: [.affairRecovery], adjustments: Adjustments(durationOverrides: ["affair-disclosure": 120])),
        RuleEdit(rule: "length-limits", ranking: [.affairRecovery], adjustments: Adjustments(durationOverrides: ["affair-disclosure": 60])),
        RuleEdit(rule: "length-limits", ranking: [.communication], adjustments: Adjustments(durationOverrides: ["complaints-to-requests": 80])),
        RuleEdit(
            rule: "contact", ranking: [.communication, .unresolvedIssues],
            adjustments: Adjustments(
                pins: [
                    pin("dialogue-practice", 2, "09:45"), pin("issue-mapping", 2, "11:30"), pin("origins-autonomy-togetherness", 2, "13:15"),
                    pin("closeness-distance-dance", 2, "14:45"), pin("complaints-to-requests", 2, "16:00"),
                ],
                durationOverrides: ["dialogue-practice": 90, "issue-mapping": 90, "complaints-to-requests": 60])),
        RuleEdit(rule: "lunch", ranking: [.communication], adjustments: Adjustments(durationOverrides: ["lunch": 120])),
        RuleEdit(rule: "day-bounds", ranking: [.communication], adjustments: Adjustments(pins: [pin("complaints-to-requests", 2, "16:30")])),
        RuleEdit(
            rule: "overlap", ranking: [.communication],
            adjustments: Adjustments(pins: [pin("dialogue-practice", 2, "10:00"), pin("complaints-to-requests", 2, "10:30")])),
    ]

    @Test("a staff edit that would break a clinical rule is refused with the rule's sentence", arguments: edits)
    func editRefused(edit: RuleEdit) throws {
        let request = makeRequest(edit.ranking, adjustments: edit.adjustments)
        do {
            let agenda = try testPlanner.plan(request)
            Issue.record("planned despite the edit (\(agenda.score.summary))")
        } catch {
            guard case .breaksRule(let broken) = error else {
                Issue.record("refused with \(error) instead of a broken rule")
                return
            }
            #expect(broken.rule == edit.rule, "\(broken)")
            #expect(broken.sentence == AgendaRule.named(edit.rule)?.sentence)
            #expect(error.category == .ruleConflict)
            #expect(error.description.contains(broken.sentence))
        }
        // Without the edit the same couple is planned.
        #expect(throws: Never.self) { try testPlanner.plan(makeRequest(edit.ranking)) }
    }

    @Test("every clinical rule but the edits themselves has an edit test")
    func coverage() {
        let covered = Set(Self.edits.map(\.rule)).union(["duration", "excluded", "pins"])
        #expect(covered == Set(AgendaRule.hardRules.map(\.id)))
    }

    @Test("edits the rules refuse on their own are refused by validate, before any planning")
    func validateRefuses() {
        let foundByPlanning = [
            "atone-order", "attach-after-atone", "no-blame-after-disclosure", "skill-order", "prerequisite", "atone-together", "rank-time", "followed-by",
        ]
        for edit in Self.edits where !foundByPlanning.contains(edit.rule) {
            do {
                try AgendaPlanner.validate(adjustments: edit.adjustments, priorities: edit.ranking, catalog: standardCatalog)
                Issue.record("\(edit.rule): validate accepted the edit")
            } catch {
                guard case .breaksRule(let broken) = error else {
                    Issue.record("\(edit.rule): \(error)")
                    continue
                }
                #expect(broken.rule == edit.rule, "\(broken)")
            }
        }
    }

    @Test("the issue's examples: a 120-minute disclosure and listening pinned before self-soothing")
    func issueExamples() {
        do {
            _ = try testPlanner.plan(makeRequest([.affairRecovery], adjustments: Adjustments(durationOverrides: ["affair-disclosure": 120])))
            Issue.record("planned a 120-minute disclosure")
        } catch {
            #expect(
                error.description
                    == "Refused: the length override makes \"affair-disclosure\" last 120 minutes, which no agenda can hold. Rule (run): No stretch of session work runs longer than the day template allows (90 minutes by default) without a break: attention and regulation wear out."
            )
        }
        do {
            _ = try testPlanner.plan(makeRequest([.communication], adjustments: Adjustments(pins: [pin("listening-mirroring", 1, "10:30")])))
            Issue.record("planned listening before self-soothing")
        } catch {
            #expect(error.description.contains("teaches listening before self-soothing has been taught"), "\(error)")
            #expect(error.description.contains("Rule (skill-order): Skills are taught in an order that can be learned"))
        }
    }
}
