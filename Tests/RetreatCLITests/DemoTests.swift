import Foundation
import Testing

@testable import RetreatICal

/// `make demo` writes the committed sample calendars; regenerating them must give the same bytes.
@Suite(.serialized) struct DemoTests {
    @Test func committedCalendarsMatchTheDemo() throws {
        let box = try Sandbox(initialise: false)
        defer { box.cleanup() }
        let out = box.dir.appendingPathComponent("Calendars")
        let r = try box.run(
            [
                "demo", "--out", out.path, "--config", repoRoot.appendingPathComponent("Fixtures/practice.toml").path,
                "--db", box.dir.appendingPathComponent("demo.sqlite").path,
            ], env: ["RETREAT_NOW": ""])
        #expect(r.code == 0, "\(r.err)")
        let committed = repoRoot.appendingPathComponent("Calendars")
        let names = try FileManager.default.contentsOfDirectory(atPath: out.path).filter { $0.hasSuffix(".ics") }.sorted()
        #expect(names == (try FileManager.default.contentsOfDirectory(atPath: committed.path).filter { $0.hasSuffix(".ics") }.sorted()))
        for name in names {
            let fresh = try Data(contentsOf: out.appendingPathComponent(name))
            let saved = try Data(contentsOf: committed.appendingPathComponent(name))
            #expect(fresh == saved, "Calendars/\(name) drifted from what `make demo` writes; run `make demo` and commit")
            #expect(ICalValidator.problems(in: String(decoding: fresh, as: UTF8.self)).isEmpty)
        }
        // Checked by an independent parser too: five real-client parsers and libical's restriction table.
        if let reason = IndependentValidator.missing {
            print("DemoTests: the independent validator was skipped: \(reason)")
        } else {
            let result = try IndependentValidator.check(names.map { out.appendingPathComponent($0).path })
            #expect(result.code == 0, "ics-validate.py refused the demo calendars:\n\(result.output)")
        }
    }
}
