import Foundation
import RetreatStore
import Testing

/// What a hostile tester found in the CLI of issues 10 and 13, each kept as a test that failed before its fix.
@Suite(.serialized) struct AttackRegressionTests {
    func sqlite(_ path: String, _ sql: String) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.executescript(sys.argv[2]); c.commit()", path, sql]
        try p.run()
        p.waitUntilExit()
        #expect(p.terminationStatus == 0, "sqlite edit failed: \(sql)")
    }

    @Test(arguments: ["[[[\n", "[[[a]]]\n", "[[[]]\n", "[[[ [a]]]\n", "[a\n", "a.[b] = 1\n", "= 1\n", "x = \"open\n", "a = \"\"\"\n"])
    func malformedTOMLIsAnErrorNotACrash(_ text: String) throws {
        let box = try Sandbox(initialise: false)
        defer { box.cleanup() }
        let file = box.dir.appendingPathComponent("p.toml")
        try Data(text.utf8).write(to: file)
        for args in [["init", "--config", file.path], ["init", "--modules", file.path]] {
            let r = try box.run(args)
            #expect(r.code == 1, "\(args): \(r.err)")
            #expect(r.err.split(separator: "\n").count == 1, "\(r.err)")
        }
        #expect(!FileManager.default.fileExists(atPath: box.db), "a refused init left a store")
    }

    /// A NUL (literal or `\u0000`) would cut a value short inside the TOML parser; a sendmail command that fails
    /// its check leaves no store behind and the error names the file.
    @Test func aNULOrABadSendmailInAPracticeFileLeavesNoStore() throws {
        let practice = try String(contentsOf: repoRoot.appendingPathComponent("Fixtures/practice.toml"), encoding: .utf8)
        let cases: [(String, String, String)] = [
            ("p.toml", practice.replacingOccurrences(of: "name = \"Retreat Intensives\"", with: "name = \"Re\\u0000treat\""), "NUL"),
            ("p.toml", practice.replacingOccurrences(of: "[mail]\n", with: "[mail]\nsendmail = \"/usr/bin/true\\U00000000 --evil\"\n"), "NUL"),
            ("p.toml", practice.replacingOccurrences(of: "[mail]\n", with: "[mail]\nsendmail = \"msmtp -t; rm -rf /\"\n"), "sendmail"),
            ("m.toml", "[[module]]\nid = \"a\"\ntitle = \"Wel\\u0000come\"\n", "NUL"),
        ]
        for (name, text, word) in cases {
            let box = try Sandbox(initialise: false)
            defer { box.cleanup() }
            let file = box.dir.appendingPathComponent(name)
            try Data(text.utf8).write(to: file)
            let r = try box.run(name == "m.toml" ? ["init", "--modules", file.path] : ["init", "--config", file.path])
            #expect(r.code == 1, "\(name): \(r.err)")
            #expect(r.err.contains(word) && r.err.contains(file.path), "\(r.err)")
            #expect(!FileManager.default.fileExists(atPath: box.db), "a refused init left a store: \(r.err)")
        }
    }

    /// One-character file names once trapped inside Foundation's path code (exit 132).
    @Test func oneCharacterFileNamesAreNamesNotCrashes() throws {
        let box = try Sandbox()
        defer { box.cleanup() }
        #expect(try box.run(["backup", "--out", "x"]).code == 0)
        #expect(FileManager.default.fileExists(atPath: box.dir.appendingPathComponent("x").path))
        for out in ["-", "a/"] {
            let r = try box.run(["backup", "--out", out])
            #expect(r.code < 128, "backup --out \(out): \(r.code) \(r.err)")
        }
        let config = repoRoot.appendingPathComponent("Fixtures/practice.toml").path
        let r = try box.run(["init", "--config", config, "--db", "n"])
        #expect(r.code == 0, "\(r.err)")
        #expect(FileManager.default.fileExists(atPath: box.dir.appendingPathComponent("n").path))
    }

    @Test func restoreRefusesRecordsTheUseCasesCouldNotUse() throws {
        let box = try Sandbox()
        defer { box.cleanup() }
        try box.run(["book", "--couple", "A", "--start", "2027-01-04"])
        try box.run(["pay", "B0001", "--amount", "100"])
        let good = box.dir.appendingPathComponent("good.bak").path
        #expect(try box.run(["backup", "--out", good]).code == 0)
        let edits: [(String, String)] = [
            ("INSERT INTO payments(booking_id,amount_cents,day,voided) VALUES('B0001',9223372036854775807,'2026-12-01',0)", "payment out of range"),
            ("UPDATE payments SET amount_cents=-9223372036854775807", "payment out of range"),
            ("UPDATE bookings SET sequence=9223372036854775807", "sequence number out of range"),
            ("UPDATE bookings SET seq=9223372036854775807", "record number is out of range"),
            ("UPDATE bookings SET price_cents=9223372036854775807", "price out of range"),
            ("INSERT OR REPLACE INTO profile VALUES ('counselors', 'garbage')", "counselors cannot be read"),
            ("INSERT OR REPLACE INTO profile VALUES ('agendaCatalog', '[[[[[[')", "module catalog cannot be read"),
            ("UPDATE bookings SET couple = 'A' || char(27) || '[2J'", "control character"),
            ("UPDATE profile SET value = 'x' || char(13) || char(10) || 'BEGIN:VEVENT' WHERE key = 'name'", "the practice name"),
            ("UPDATE bookings SET resource = 'attic'", "breaks the store's invariants"),
            (
                "PRAGMA foreign_keys=off; CREATE TABLE od2(resource TEXT NOT NULL, day TEXT NOT NULL, booking_id TEXT NOT NULL REFERENCES bookings(id) ON DELETE CASCADE, kind TEXT NOT NULL CHECK (kind IN ('intensive','turnover'))); INSERT INTO od2 SELECT * FROM occupied_days; DROP TABLE occupied_days; ALTER TABLE od2 RENAME TO occupied_days; CREATE INDEX occupied_days_booking ON occupied_days(booking_id);",
                "keys, indexes or triggers"
            ),
            ("CREATE TRIGGER evil AFTER INSERT ON bookings BEGIN DELETE FROM audit_log; END;", "keys, indexes or triggers"),
        ]
        let bytes = try box.fileBytes()
        for (i, (sql, message)) in edits.enumerated() {
            let copy = box.dir.appendingPathComponent("bad-\(i).bak").path
            try FileManager.default.copyItem(atPath: good, toPath: copy)
            try sqlite(copy, sql)
            let r = try box.run(["restore", copy])
            #expect(r.code == 1, "\(sql): \(r.err)")
            #expect(r.err.contains(message), "\(sql): \(r.err)")
            #expect(r.err.contains("nothing was restored"))
            #expect(try box.fileBytes() == bytes, "\(sql) changed the store")
        }
        // A good backup of another page size restores.
        let paged = box.dir.appendingPathComponent("paged.bak").path
        try FileManager.default.copyItem(atPath: good, toPath: paged)
        try sqlite(paged, "PRAGMA page_size=8192; VACUUM;")
        let r = try box.run(["restore", paged])
        #expect(r.code == 0, "\(r.err)")
        // Nothing is left behind next to the store.
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: box.dir.path).filter { $0.hasSuffix(".tmp") || $0.contains(".tmp-") }
        #expect(leftovers.isEmpty, "\(leftovers)")
    }

    @Test func demoNeverTakesAStoreOrAFileBecauseOfANameOrAFolder() throws {
        let box = try Sandbox(initialise: false)
        defer { box.cleanup() }
        let practice = repoRoot.appendingPathComponent("Fixtures/practice.toml").path
        // A real store initialised by a user called "demo" is not the demo's.
        #expect(try box.run(["init", "--config", practice], env: ["RETREAT_ACTOR": "demo"]).code == 0)
        try box.run(["book", "--couple", "Real", "--start", "2027-01-04"])
        let out = box.dir.appendingPathComponent("Calendars")
        let r = try box.run(["demo", "--db", box.db, "--config", practice, "--out", out.path])
        #expect(r.code == 1)
        #expect(try box.run(["list"]).out.contains("Real"))
        // A real export in the demo's folder is never replaced.
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        let staff = out.appendingPathComponent("staff.ics").path
        #expect(try box.run(["export", "--all", "--out", staff]).code == 0)
        let before = try Data(contentsOf: URL(fileURLWithPath: staff))
        let demoDB = box.dir.appendingPathComponent("demo.sqlite").path
        let demo = try box.run(["demo", "--db", demoDB, "--config", practice, "--out", out.path])
        #expect(demo.code == 1)
        #expect(demo.err.contains("was not written by the demo"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: staff)) == before)
        #expect(!FileManager.default.fileExists(atPath: demoDB), "the demo made a store before refusing")
    }

    @Test func settingsThatWouldChangeWhatLiveBookingsMeanAreRefused() throws {
        let box = try Sandbox()
        defer { box.cleanup() }
        #expect(try box.run(["settings", "set", "partnerWindow=08:00-20:00"]).out.contains("partnerWindow: 07:00-22:00 → 08:00-20:00"))
        #expect(try box.run(["settings", "--json"]).out.contains("\"partnerWindow\" : \"08:00-20:00\""))
        for zone in ["GMT+5", "UTC+05:00", "EST", "Etc/GMT-5"] {
            let r = try box.run(["settings", "set", "timeZone=\(zone)"])
            #expect(r.code == 64, "\(zone): \(r.err)")
        }
        try box.run(["book", "--couple", "A", "--start", "2027-01-04"])
        for setting in ["dayEnd=20:00", "dayStart=08:00", "timeZone=Europe/London", "currency=EUR"] {
            let r = try box.run(["settings", "set", setting])
            #expect(r.code == 3, "\(setting): \(r.err)")
            #expect(r.err.contains("B0001"))
        }
        #expect(try box.run(["settings", "set", "startWeekdays=mon"]).code == 0)
    }

    @Test func moneyAfterACancellationAndVoidsStayAccountedFor() throws {
        let box = try Sandbox()
        defer { box.cleanup() }
        try box.run(["book", "--couple", "A", "--start", "2027-03-01"])
        try box.run(["pay", "B0001", "--amount", "1000"])
        try box.run(["pay", "B0001", "--amount", "1000", "--refund"])
        let void = try box.run(["pay", "B0001", "--void", "1"])
        #expect(void.code == 1)
        #expect(void.err.contains("less than nothing paid"))
        #expect(try box.run(["pay", "B0001", "--amount", "10", "--date", "2026-12-02"]).code == 64)  // a future date
        try box.run(["cancel", "B0001"])
        let after = try box.run(["pay", "B0001", "--amount", "9999"])
        #expect(after.code == 1)
        #expect(after.err.contains("is cancelled"))
    }

    @Test func endingASeriesLaterNeverBringsSessionsBack() throws {
        let box = try Sandbox()
        defer { box.cleanup() }
        try box.run(["sessions", "book", "--couple", "T", "--start", "2027-01-06T10:00", "--length", "50", "--every", "week", "--count", "4"])
        #expect(try box.run(["sessions", "cancel", "S0001", "--from", "2027-01-13"]).code == 0)
        let later = try box.run(["sessions", "cancel", "S0001", "--from", "2027-02-01"])
        #expect(later.code == 1)
        #expect(try box.run(["sessions", "show", "S0001", "--json"]).out.components(separatedBy: "\"originalDate\"").count - 1 == 1)
        // A change that changes nothing is refused and bumps no SEQUENCE.
        let same = try box.run(["sessions", "move", "S0001", "--occurrence", "2027-01-06", "--to", "2027-01-06T10:00"])
        #expect(same.code == 1)
        #expect(try box.run(["sessions", "show", "S0001", "--json"]).out.contains("\"sequence\" : 1"))
    }

    @Test func readOnlyCommandsLeaveBackupsForeignAndEmptyFilesAlone() throws {
        let box = try Sandbox()
        defer { box.cleanup() }
        try box.run(["book", "--couple", "A", "--start", "2027-01-04"])
        let backup = box.dir.appendingPathComponent("b.bak").path
        try box.run(["backup", "--out", backup])
        let before = try Data(contentsOf: URL(fileURLWithPath: backup))
        #expect(try box.run(["--db", backup, "list"]).code == 0)
        #expect(try Data(contentsOf: URL(fileURLWithPath: backup)) == before, "reading a backup changed it")
        let foreign = box.dir.appendingPathComponent("f.db").path
        try sqlite(foreign, "CREATE TABLE t(x)")
        let foreignBytes = try Data(contentsOf: URL(fileURLWithPath: foreign))
        #expect(try box.run(["--db", foreign, "list"]).code == 1)
        #expect(try Data(contentsOf: URL(fileURLWithPath: foreign)) == foreignBytes)
        let empty = box.dir.appendingPathComponent("e.db").path
        FileManager.default.createFile(atPath: empty, contents: Data())
        let r = try box.run(["--db", empty, "list"])
        #expect(r.code == 1)
        #expect(r.err.contains("is empty"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: empty)).isEmpty)
        #expect(try box.run(["--db", empty, "init"]).code == 0)
        #expect((try FileManager.default.attributesOfItem(atPath: empty)[.posixPermissions] as? Int) == 0o600)
    }

    @Test func anInitKilledHalfWayCanBeFinished() throws {
        let box = try Sandbox(initialise: false)
        defer { box.cleanup() }
        // What a killed init leaves: the first migrations applied, the header never stamped.
        try sqlite(
            box.db,
            "CREATE TABLE grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY); INSERT INTO grdb_migrations VALUES ('v1'); CREATE TABLE settings (id INTEGER PRIMARY KEY CHECK (id = 1), json TEXT NOT NULL);"
        )
        let r = try box.run(["init", "--config", repoRoot.appendingPathComponent("Fixtures/practice.toml").path])
        #expect(r.code == 1)  // the half-made store's schema differs; it is not taken for a store either way
        let other = box.dir.appendingPathComponent("other.sqlite").path
        try sqlite(other, "CREATE TABLE grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY);")
        let killed = try box.run(["--db", other, "init", "--config", repoRoot.appendingPathComponent("Fixtures/practice.toml").path])
        #expect(killed.code == 0, "\(killed.err)")
    }

    @Test func timeAndInputBoundaries() throws {
        let box = try Sandbox()
        defer { box.cleanup() }
        for args in [
            ["freebusy", "--from", "2027-01-01", "--to", "9999-12-31"], ["blackout", "add", "--from", "2027-06-01", "--to", "9999-12-31"],
            ["book", "--couple", "X", "--start", "2027-01-04", "--request-id", ""], ["backup", "--out", ""],
            ["export", "--all", "--detailed"],
            ["sessions", "book", "--couple", "T", "--start", "2027-03-14T02:30", "--length", "50", "--every", "week", "--count", "1"],
        ] {
            let r = try box.run(args)
            #expect(r.code == 64, "\(args): \(r.err)")
        }
        #expect(try box.run(Array(repeating: "--json", count: 450) + ["list"]).code == 64)
        try box.run(["waitlist", "add", "--couple", "W", "--from", "2027-01-01", "--to", "2027-01-31"])
        #expect(try box.run(["waitlist", "add", "--couple", "W", "--from", "2026-01-01", "--to", "2026-02-01"]).code == 64)
        #expect(try box.run(["waitlist", "book", "1", "--start", "2027-03-01"]).code == 64)
        #expect(try box.run(["blackout", "import", "/dev/zero"]).err.contains("is not a regular file"))
    }

    @Test func aConfirmedIntensiveInThePastIsCompletedAndStaysPut() throws {
        let box = try Sandbox()
        defer { box.cleanup() }
        try box.run(["book", "--couple", "A", "--start", "2027-01-04"])
        let later = ["RETREAT_NOW": "2027-03-01T15:00:00Z"]
        #expect(try box.run(["show", "B0001", "--json"], env: later).out.contains("\"status\" : \"completed\""))
        #expect(try box.run(["cancel", "B0001"], env: later).code == 1)
        #expect(try box.run(["reschedule", "B0001", "--start", "2027-04-05"], env: later).code == 1)
        // The same day, once its session hours have begun, takes no new intensive.
        try box.run(["settings", "set", "minimumNoticeDays=0"])
        let sameDay = try box.run(["book", "--couple", "B", "--start", "2026-12-01", "--hold"], env: ["RETREAT_NOW": "2026-12-01T23:00:00Z"])
        #expect(sameDay.code == 1, "\(sameDay.err)")
    }

    @Test func auditDetailsSayWhatChanged() throws {
        let box = try Sandbox()
        defer { box.cleanup() }
        try box.run(["book", "--couple", "A", "--start", "2027-01-04", "--hold", "--priority", "communication"])
        try box.run(["confirm", "B0001"])
        try box.run(["intake", "B0001", "--partner", "A", "--safety", "passed"])
        try box.run(["intake", "B0001", "--partner", "B", "--safety", "passed"])
        try box.run(["agenda", "B0001", "--exclude", "appreciations"])
        let log = try box.run(["audit", "--id", "B0001"]).out
        #expect(log.contains("confirm  booking B0001  {\"after\":{\"status\":\"confirmed\"},\"before\":{\"status\":\"held\"}}"))
        #expect(log.contains("agenda-adjust"))
        #expect(log.contains("appreciations"))
    }
}
