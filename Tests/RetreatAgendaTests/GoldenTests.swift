import Foundation
import RetreatAgenda
import RetreatConfig
import Testing

/// Golden agendas under `Golden/`; `RETREAT_RECORD=1 swift test` re-records them.
@Suite("Golden agendas")
struct GoldenTests {
    static let goldenDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")

    static let cases: [(name: String, request: PlanRequest)] = [
        ("communication-intimacy", makeRequest([.communication, .intimacy])),
        ("affair-first", makeRequest([.affairRecovery, .communication, .intimacy, .unresolvedIssues])),
        (
            "unresolved-pinned",
            makeRequest(
                [.unresolvedIssues, .communication],
                adjustments: Adjustments(
                    pins: [Pin(moduleID: "issue-breakthrough", dayIndex: 2, start: time("09:45"))],
                    excluded: ["time-outs-repair"],
                    durationOverrides: ["plan-forward": 75]
                )
            )
        ),
    ]

    @Test("agendas match the committed golden files", arguments: 0..<3)
    func golden(index: Int) throws {
        let (name, request) = Self.cases[index]
        let agenda = try AgendaPlanner().plan(request)
        #expect(agenda.score.hard == 0)
        #expect(hardViolations(agenda, request).isEmpty)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let text = String(decoding: try encoder.encode(agenda), as: UTF8.self) + "\n"
        let file = Self.goldenDirectory.appendingPathComponent("\(name).json")
        if ProcessInfo.processInfo.environment["RETREAT_RECORD"] == "1" {
            try FileManager.default.createDirectory(at: Self.goldenDirectory, withIntermediateDirectories: true)
            try text.write(to: file, atomically: true, encoding: .utf8)
            return
        }
        let golden = try String(contentsOf: file, encoding: .utf8)
        #expect(text == golden, "\(name) differs from \(file.path); re-record with RETREAT_RECORD=1 if the change is intended")
    }
}
