import Foundation
import RetreatScheduling
import RetreatStore
import Testing

/// A writer killed with SIGKILL at a random point loses nothing committed and leaves nothing half-written.
@Suite(.serialized) struct CrashTests {
    @Test func sigkillDuringBookingsAndImportsLeavesASoundStore() throws {
        let box = try Sandbox()
        defer { box.cleanup() }
        // A large import (one transaction of ~2,000 rows) gives the kill something to interrupt.
        var body = ""
        for i in 0..<2000 {
            let day = 20270101 + (i % 28)
            body += "BEGIN:VEVENT\r\nUID:crash-\(i)\r\nDTSTAMP:20261201T000000Z\r\nDTSTART;VALUE=DATE:\(day)\r\nEND:VEVENT\r\n"
        }
        let file = box.dir.appendingPathComponent("big.ics").path
        try Data(("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\n" + body + "END:VCALENDAR\r\n").utf8).write(to: URL(fileURLWithPath: file))
        var rng = SystemRandomNumberGenerator()
        var killed = 0
        for round in 0..<24 {
            let args: [String] =
                round % 3 == 2
                ? ["blackout", "import", file, "--replace", "--from", "2027-01-01", "--to", "2027-01-31"]
                : ["book", "--couple", "C\(round)", "--start", "2027-0\(2 + round % 6)-\(10 + round % 9)", round % 2 == 0 ? "--hold" : "--json"]
            let p = box.start(args)
            try p.run()
            usleep(UInt32.random(in: 5_000...60_000, using: &rng))
            if p.isRunning {
                kill(p.processIdentifier, SIGKILL)
                killed += 1
            }
            p.waitUntilExit()
            let store = try SQLiteStore(path: box.db)
            #expect(try store.invariantViolations() == [], "after round \(round)")
        }
        #expect(killed > 0, "no writer was killed mid-run: the test proved nothing")
        let store = try SQLiteStore(path: box.db)
        #expect(try store.invariantViolations() == [])
        // Each import is whole or absent: either all 2,000 occurrences' rows or none.
        let imported = try store.read { try $0.blackouts() }.filter { $0.source.hasSuffix("/big.ics") }.count
        #expect(imported == 0 || imported == 2000)
        print("crash test: \(killed) of 24 writers killed mid-run")
    }
}
