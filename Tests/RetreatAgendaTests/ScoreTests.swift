import Foundation
import RetreatAgenda
import RetreatConfig
import RetreatScheduling
import Testing

@Suite("Scoring any agenda")
struct ScoreTests {
    func planned() throws -> (Agenda, PlanRequest) {
        let request = makeRequest([.intimacy, .communication, .unresolvedIssues])
        return (try testPlanner.plan(request), request)
    }

    @Test("removing lunch is a hard violation with a sentence")
    func missingLunch() throws {
        var (agenda, request) = try planned()
        agenda.days[1].blocks.removeAll { $0.kind == .lunch }
        let scored = score(agenda, for: request)
        #expect(scored.hard > 0)
        #expect(scored.penalties.contains { $0.level == .hard && $0.rule == "lunch" && $0.sentence.contains("day 2 has no lunch") })
        #expect(!hardViolations(agenda, request).isEmpty)
    }

    @Test("moving a prerequisite after the modules that need it is caught")
    func prerequisiteOrder() throws {
        var (agenda, request) = try planned()
        // Move intake from the start of day 1 to the start of day 2.
        let intake = agenda.days[0].blocks.removeFirst()
        agenda.days[1].blocks.insert(intake, at: 0)
        let scored = score(agenda, for: request)
        #expect(scored.penalties.contains { $0.rule == "intake-first" && $0.sentence.contains("instead of intake and history") })
        #expect(
            scored.penalties.contains {
                $0.rule == "prerequisite" && $0.sentence.contains("\"individual-partner-a\" at 10:45 comes before its prerequisite \"intake-history\"")
            })
        #expect(scored.penalties.contains { $0.rule == "overlap" })
        #expect(hardViolations(agenda, request).contains { $0.contains("before its prerequisite intake-history") })
    }

    @Test("two demanding blocks back to back and a demanding end are caught")
    func demanding() throws {
        let request = makeRequest([.affairRecovery])
        let blocks: [(String, String, String, BlockKind)] = [
            ("09:00", "09:30", "morning-check-in", .session),
            ("09:30", "11:00", "affair-disclosure", .session),
            ("11:00", "12:00", "affair-impact", .session),
            ("12:00", "13:00", "lunch", .lunch),
            ("13:00", "13:15", "evening-reflection", .reflection),
        ]
        let day = AgendaDay(
            index: 1,
            blocks: blocks.map {
                AgendaBlock(start: time($0.0), end: time($0.1), kind: $0.3, moduleID: $0.2, staffTitle: "", clientTitle: "", priorities: [], intensity: 3)
            })
        var agenda = try testPlanner.plan(request)
        agenda.days[1] = day
        let scored = score(agenda, for: request)
        #expect(scored.penalties.contains { $0.rule == "recovery-break" })
        #expect(scored.penalties.contains { $0.rule == "day-close" && $0.sentence.contains("a demanding block") })
        #expect(scored.penalties.contains { $0.rule == "run" })
        #expect(scored.penalties.contains { $0.rule == "homework" && $0.sentence.contains("\"evening-reflection\"") })
        #expect(scored.penalties.allSatisfy { !$0.sentence.isEmpty })
        #expect(!hardViolations(agenda, request).isEmpty)
    }

    @Test("what no staff edit can break is caught on hand-edited agendas: lengths, exclusions, pins")
    func handEdited() throws {
        let pinned = Pin(moduleID: "dialogue-practice", dayIndex: 1, start: time("09:30"))
        let request = makeRequest([.communication], adjustments: Adjustments(pins: [pinned], excluded: ["time-outs-repair"]))
        let agenda = try testPlanner.plan(request)
        #expect(score(agenda, for: request).hard == 0)
        // Stretch one block: its length no longer matches.
        var stretched = agenda
        let index = try #require(stretched.days[2].blocks.firstIndex { $0.moduleID == "plan-forward" })
        let start = stretched.days[2].blocks[index].start.minutes
        stretched.days[2].blocks[index].end = try #require(ClockTime(hour: (start + 90) / 60, minute: (start + 90) % 60))
        #expect(score(stretched, for: request).penalties.contains { $0.rule == "duration" && $0.sentence.contains("lasts 90 minutes") })
        // Put the excluded module in.
        var withExcluded = agenda
        withExcluded.days[2].blocks.append(
            AgendaBlock(
                start: time("17:00"), end: time("17:45"), kind: .session, moduleID: "time-outs-repair", staffTitle: "", clientTitle: "", priorities: [],
                intensity: 1))
        #expect(score(withExcluded, for: request).penalties.contains { $0.rule == "excluded" })
        // Move the pinned block.
        var moved = agenda
        for (d, day) in moved.days.enumerated() {
            for (i, block) in day.blocks.enumerated() where block.moduleID == "dialogue-practice" {
                moved.days[d].blocks[i].moduleID = "complaints-to-requests"
            }
        }
        #expect(score(moved, for: request).penalties.contains { $0.rule == "pins" && $0.sentence.contains("pinned to day 2 at 09:30") })
    }

    @Test("the score reads in words")
    func summary() throws {
        let (agenda, request) = try planned()
        #expect(agenda.score.summary.hasPrefix("all clinical rules hold"))
        let words = Score(penalties: [
            Penalty(level: .soft, points: 2, rule: "afternoon-intensity", sentence: "x"),
            Penalty(level: .soft, points: 1, rule: "afternoon-intensity", sentence: "y"),
            Penalty(level: .soft, points: 1, rule: "unused-contact", sentence: "z"),
        ]).summary
        #expect(words == "all clinical rules hold; 2 soft preferences missed: demanding work after lunch (2), contact time left unused")
        #expect(Score(penalties: []).summary == "all clinical rules hold; no preference missed")
        var broken = agenda
        broken.days[1].blocks.removeAll { $0.kind == .lunch }
        let text = score(broken, for: request).summary
        #expect(text.hasPrefix("2 clinical rules are broken: No stretch of session work runs longer"), "\(text)")
        #expect(text.contains(" / Each day has exactly one lunch, inside the lunch window: nobody does deep work hungry; "), "\(text)")
        let medium = Score(penalties: [Penalty(level: .medium, points: 4, rule: "rank-missing", sentence: "x")]).summary
        #expect(medium == "all clinical rules hold; 1 shortcoming: a ranked priority without session time")
    }

    @Test("scores compare hard, then medium, then soft")
    func ordering() {
        #expect(Score(hard: 0, medium: 5, soft: 90) < Score(hard: 1, medium: 0, soft: 0))
        #expect(Score(hard: 0, medium: 1, soft: 0) > Score(hard: 0, medium: 0, soft: 99))
        #expect(Score(penalties: [Penalty(level: .soft, points: 2, rule: "x", sentence: "x")]) == Score(hard: 0, medium: 0, soft: 2))
    }

    @Test("the CLI JSON has the documented shape and dates")
    func json() throws {
        let (agenda, _) = try planned()
        guard let start = CalendarDay(iso: "2026-05-04") else { return }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = try encoder.encode(agenda.json(startDate: start))
        let object = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        let days = object?["days"] as? [[String: Any]] ?? []
        #expect(days.count == 3)
        #expect(days.map { $0["date"] as? String } == ["2026-05-04", "2026-05-05", "2026-05-06"])
        let block = (days.first?["blocks"] as? [[String: Any]])?.first ?? [:]
        #expect(Set(block.keys) == ["start", "end", "kind", "module", "priorities"])
        #expect(block["start"] as? String == "09:00")
        #expect(block["module"] as? String == "intake-history")
        // Without a date, no date key; the agenda itself round-trips.
        let undated = try JSONSerialization.jsonObject(with: encoder.encode(agenda.json(startDate: nil))) as? [String: Any]
        #expect((undated?["days"] as? [[String: Any]])?.first?["date"] == nil)
        let decoded = try JSONDecoder().decode(Agenda.self, from: JSONEncoder().encode(agenda))
        #expect(decoded == agenda)
    }
}
