import Foundation
import Testing

@Suite(.serialized) struct BackupTests {
    @Test(arguments: StoreKind.allCases) func backupRestoreRoundTripAndRefusals(_ kind: StoreKind) throws {
        let box = try Sandbox(kind)
        defer { box.cleanup() }
        try box.run(["book", "--couple", "A", "--start", "2027-01-11"])
        try box.run(["blackout", "add", "--from", "2027-02-01", "--to", "2027-02-02"])
        let savedList = try box.run(["list", "--json"]).out
        let backup = box.dir.appendingPathComponent("backup.sqlite").path
        #expect(try box.run(["backup", "--out", backup]).code == 0)
        #expect((try FileManager.default.attributesOfItem(atPath: backup)[.posixPermissions] as? Int) == 0o600)
        let again = try box.run(["backup", "--out", backup])
        #expect(again.code == 1)
        #expect(again.err.contains("already exists"))
        try box.run(["cancel", "B0001"])
        try box.run(["book", "--couple", "B", "--start", "2027-03-01"])
        #expect(try box.run(["restore", backup]).code == 0)
        let list = try box.run(["list", "--json"]).out
        #expect(list.contains("\"status\" : \"confirmed\""))
        #expect(!list.contains("\"couple\" : \"B\""))
        #expect(list == savedList)
        // The audit log is the backup's plus one restore entry.
        let audit = try box.run(["audit", "--json"]).out
        #expect(audit.contains("\"action\" : \"restore\""))
        // Refusals change nothing.
        let before = try box.snapshot()
        let text = box.dir.appendingPathComponent("notes.txt").path
        try Data("hello".utf8).write(to: URL(fileURLWithPath: text))
        for (file, message) in [(text, "is not a Retreat store"), (box.dir.appendingPathComponent("none.sqlite").path, "no such file")] {
            let r = try box.run(["restore", file])
            #expect(r.code == 1)
            #expect(r.err.contains(message), "\(r.err)")
        }
        // A store of a newer schema is refused.
        let newer = box.dir.appendingPathComponent("newer.sqlite").path
        #expect(try box.run(["backup", "--out", newer]).code == 0)
        let sqlite = Process()
        sqlite.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        sqlite.arguments = ["python3", "-c", "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute('PRAGMA user_version = 99'); c.commit()", newer]
        try sqlite.run()
        sqlite.waitUntilExit()
        let r = try box.run(["restore", newer])
        #expect(r.code == 1)
        #expect(r.err.contains("newer schema (99"))
        #expect(try box.snapshot() == before)
    }

    @Test(arguments: StoreKind.allCases) func exportDataHoldsEveryRecord(_ kind: StoreKind) throws {
        let box = try Sandbox(kind)
        defer { box.cleanup() }
        try box.run(["book", "--couple", "A", "--start", "2027-01-11", "--hold"])
        try box.run(["pay", "B0001", "--amount", "1125"])
        try box.run(["waitlist", "add", "--couple", "W", "--from", "2027-01-01", "--to", "2027-02-01"])
        let out = try box.run(["export-data", "--json"])
        #expect(out.code == 0)
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(out.out.utf8)) as? [String: Any])
        #expect((obj["bookings"] as? [[String: Any]])?.count == 1)
        #expect(((obj["bookings"] as? [[String: Any]])?.first?["payments"] as? [[String: Any]])?.count == 1)
        #expect((obj["waitlist"] as? [[String: Any]])?.count == 1)
        let actions = (obj["audit"] as? [[String: Any]])?.compactMap { $0["action"] as? String } ?? []
        #expect(actions == ["init", "hold", "payment", "waitlist-add"])
        // Series, intakes and agendas are records too.
        #expect(obj["series"] is [Any])
        #expect(obj["agendas"] is [Any])
    }
}
