import Foundation
import RetreatAgenda
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
            ("09:00", "10:30", "affair-disclosure", .session),
            ("10:30", "11:30", "affair-impact", .session),
            ("11:30", "11:45", "break", .break),
            ("12:00", "13:00", "lunch", .lunch),
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
        #expect(scored.penalties.contains { $0.rule == "demanding-end" })
        #expect(scored.penalties.contains { $0.rule == "run" })
        #expect(scored.penalties.allSatisfy { !$0.sentence.isEmpty })
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
