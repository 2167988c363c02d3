import Foundation
import Testing

/// The `--help` text of every command is pinned: scripts and staff read it, and a change to an option's name,
/// values or default must be a visible diff. Re-record with `RETREAT_RECORD_SNAPSHOTS=1 swift test --filter HelpTests`.
@Suite struct HelpTests {
    static let commands: [[String]] = [
        [], ["init"], ["settings"], ["settings", "show"], ["settings", "set"], ["availability"], ["check"], ["calendar"], ["book"], ["confirm"],
        ["cancel"], ["reschedule"], ["edit"], ["pay"],
        ["list"], ["show"], ["blackout"], ["blackout", "add"], ["blackout", "import"], ["blackout", "list"], ["blackout", "remove"], ["waitlist"],
        ["waitlist", "add"], ["waitlist", "list"], ["waitlist", "remove"], ["waitlist", "book"], ["agenda"], ["intake"], ["sessions"],
        ["sessions", "book"], ["sessions", "list"], ["sessions", "show"], ["sessions", "edit"], ["sessions", "move"], ["sessions", "cancel"],
        ["sessions", "availability"],
        ["export"], ["freebusy"], ["notify"], ["outbox"], ["outbox", "list"], ["outbox", "retry"], ["audit"], ["backup"], ["restore"], ["export-data"],
        ["migrate"], ["demo"], ["feeds"], ["feeds", "list"], ["feeds", "create"], ["feeds", "revoke"], ["feeds", "rotate"], ["tokens"],
        ["tokens", "list"], ["tokens", "create"], ["tokens", "revoke"], ["tokens", "rotate"], ["serve"],
    ]

    static let snapshots = repoRoot.appendingPathComponent("Tests/RetreatCLITests/Snapshots/help")

    @Test(arguments: commands)
    func helpTextIsPinned(_ path: [String]) throws {
        let box = try Sandbox(initialise: false)
        defer { box.cleanup() }
        let r = try box.run(path + ["--help"], env: ["COLUMNS": "100"])
        #expect(r.code == 0, "\(r.err)")
        let name = (path.isEmpty ? "retreat" : path.joined(separator: "-")) + ".txt"
        let file = Self.snapshots.appendingPathComponent(name)
        if ProcessInfo.processInfo.environment["RETREAT_RECORD_SNAPSHOTS"] == "1" {
            try FileManager.default.createDirectory(at: Self.snapshots, withIntermediateDirectories: true)
            try r.out.write(to: file, atomically: true, encoding: .utf8)
            return
        }
        let golden = try String(contentsOf: file, encoding: .utf8)
        #expect(r.out == golden, "help of `retreat \(path.joined(separator: " "))` changed; re-record with RETREAT_RECORD_SNAPSHOTS=1")
    }

    @Test func everyCommandHasAPinnedHelpText() throws {
        // A new command without a golden file fails here, so the list above cannot silently fall behind.
        let top = try Sandbox(initialise: false).run(["--help"], env: ["COLUMNS": "100"]).out
        let names = top.split(separator: "\n", omittingEmptySubsequences: false).drop { !$0.hasPrefix("SUBCOMMANDS:") }.dropFirst().prefix {
            !$0.isEmpty
        }.compactMap { line -> String? in
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard line.hasPrefix("  "), !line.hasPrefix("        "), let first = trimmed.split(separator: " ").first else { return nil }
            return String(first)
        }
        #expect(!names.isEmpty)
        for name in names where name != "help" {
            #expect(Self.commands.contains([name]), "`retreat \(name)` has no pinned help text")
        }
    }

    @Test func globalOptionsWorkBeforeAndAfterTheSubcommand() throws {
        let box = try Sandbox()
        defer { box.cleanup() }
        try box.run(["book", "--couple", "A", "--start", "2027-01-11"])
        let before = try box.run(["--db", box.db, "list", "--json"], env: ["RETREAT_DB": "/nonexistent/none.sqlite"])
        #expect(before.code == 0, "\(before.err)")
        #expect(before.out.contains("\"id\" : \"B0001\""))
        let after = try box.run(["list", "--db", box.db, "--json"], env: ["RETREAT_DB": "/nonexistent/none.sqlite"])
        #expect(after.out == before.out)
        let both = try box.run(["--db=\(box.db)", "--json", "list"], env: ["RETREAT_DB": "/nonexistent/none.sqlite"])
        #expect(both.out == before.out)
        let nested = try box.run(["--db", box.db, "blackout", "list", "--json"], env: ["RETREAT_DB": "/nonexistent/none.sqlite"])
        #expect(nested.code == 0, "\(nested.err)")
        #expect(nested.out.trimmingCharacters(in: .whitespacesAndNewlines) == "[\n\n]" || nested.out.contains("[]"))
    }
}
