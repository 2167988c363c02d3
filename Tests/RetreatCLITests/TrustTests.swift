import Foundation
import RetreatScheduling
import RetreatStore
import Testing

/// Staff can trust the store: every reproduction of the trust issue, run as staff would, with the store's bytes
/// checked where nothing may change.
@Suite(.serialized) struct TrustTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var args: [String]
        var code: Int32
        var message: String
        var testDescription: String { args.joined(separator: " ") }
    }

    /// Every numeric setting and amount at its boundaries: each refused value exits with its code and one line
    /// naming what was wrong, and the store does not change.
    static let boundaries: [Case] = {
        var cases: [Case] = []
        let ranges: [(String, ClosedRange<Int>)] = [
            ("intensiveDays", 1...14), ("turnoverDays", 0...30), ("minimumNoticeDays", 0...365), ("horizonMonths", 1...120),
            ("holdExpiryHours", 1...720), ("depositPercent", 0...100), ("depositDueDays", 0...365), ("priceCents", 0...1_000_000_000),
        ]
        for (key, range) in ranges {
            for bad in [range.lowerBound - 1, range.upperBound + 1, -1, Int.max] where !range.contains(bad) {
                cases.append(Case(args: ["settings", "set", "\(key)=\(bad)"], code: 64, message: "\(key) is \(bad)"))
            }
            cases.append(Case(args: ["settings", "set", "\(key)=9223372036854775808"], code: 64, message: "is not a whole number"))
            cases.append(Case(args: ["settings", "set", "\(key)=ten"], code: 64, message: "is not a whole number"))
            cases.append(Case(args: ["settings", "set", "\(key)="], code: 64, message: "is not a whole number"))
        }
        for amount in ["-0.50", "10.½", "1,2,3", "1e3", "0x10", " 5", "5.", ".5", "1.234", "", "10000000.01", "92233720368547758", "NaN"] {
            cases.append(Case(args: ["pay", "B0001", "--amount=\(amount)"], code: 64, message: "--amount <amount>"))
            cases.append(Case(args: ["book", "--couple", "X", "--start", "2027-01-18", "--price=\(amount)"], code: 64, message: "--price <price>"))
        }
        cases.append(Case(args: ["pay", "B0001", "--amount", "0"], code: 64, message: "--amount must not be zero"))
        cases.append(Case(args: ["pay", "B0001", "--amount", "1", "--refund"], code: 64, message: "is more than the 0.00 USD paid on B0001"))
        cases.append(Case(args: ["pay", "B0001", "--void", "0"], code: 64, message: "is not an id"))
        cases.append(Case(args: ["pay", "B0001", "--void=-3"], code: 64, message: "is not an id"))
        cases.append(Case(args: ["pay", "B0001", "--void", "7"], code: 1, message: "B0001 has no payment 7"))
        cases.append(Case(args: ["pay", "B0001"], code: 64, message: "give --amount AMOUNT, or --void PAYMENT"))
        cases.append(Case(args: ["settings", "set", "partnerWindow=22:00-07:00"], code: 64, message: "is not hours such as 07:00-22:00"))
        cases.append(Case(args: ["settings", "set", "dayEnd=08:00"], code: 64, message: "dayEnd 08:00 is not after dayStart 09:00"))
        cases.append(Case(args: ["settings", "set", "resources="], code: 64, message: "empty name"))
        cases.append(Case(args: ["settings", "set", "resources=practice,practice"], code: 64, message: "more than once"))
        cases.append(Case(args: ["settings", "set", "resources=annex"], code: 3, message: "resource \"practice\" has live booking(s) (B0001)"))
        cases.append(Case(args: ["settings", "set", "turnoverDays=2"], code: 3, message: "would change the days of live booking(s) B0001"))
        cases.append(Case(args: ["settings", "set", "timeZone=Mars/Base"], code: 64, message: "is not a known IANA time zone"))
        cases.append(Case(args: ["settings", "set", "nope=1"], code: 64, message: "unknown setting \"nope\""))
        cases.append(Case(args: ["settings", "set", "turnoverDays"], code: 64, message: "is not KEY=VALUE"))
        cases.append(Case(args: ["settings", "set", "refundTiers=60:100,30"], code: 64, message: "DAYS:PERCENT"))
        cases.append(Case(args: ["settings", "set", "refundTiers=60:101"], code: 64, message: "percent 101"))
        cases.append(Case(args: ["init"], code: 1, message: "is already initialised"))
        cases.append(Case(args: ["edit", "B0001"], code: 64, message: "give at least one of"))
        cases.append(Case(args: ["edit", "B0001", "--contact", "x@y.org\r\nATTENDEE:mailto:spy@evil.org"], code: 64, message: "--contact"))
        cases.append(Case(args: ["edit", "B0001", "--couple", "A\u{1B}[2J"], code: 64, message: "--couple"))
        cases.append(Case(args: ["edit", "B0001", "--resource", "attic"], code: 64, message: "unknown resource"))
        cases.append(Case(args: ["cancel", "B0001", "--reason", "a\u{7}b"], code: 64, message: "--reason"))
        cases.append(
            Case(args: ["book", "--couple", "Other", "--start", "2027-01-25", "--request-id", "first"], code: 1, message: "request id first was already used"))
        return cases
    }()

    @Test(arguments: boundaries)
    func refusedValuesChangeNothing(_ c: Case) throws {
        let box = try Sandbox()
        defer { box.cleanup() }
        let setup = try box.run(["book", "--couple", "Private Names", "--start", "2027-01-11", "--request-id", "first"])
        #expect(setup.code == 0, "\(setup.err)")
        let bytes = try box.fileBytes()
        let r = try box.run(c.args)
        #expect(r.code == c.code, "stderr: \(r.err)")
        #expect(r.err.contains(c.message), "got: \(r.err)")
        #expect(r.err.split(separator: "\n").count == 1, "error is not one line: \(r.err)")
        #expect(!r.err.contains("Private Names"))
        #expect(r.code < 128)
        #expect(try box.fileBytes() == bytes, "a refused command changed the store file")
    }

    @Test func settingsSetShowsTheDiffRecordsItAndDryRunChangesNothing() throws {
        let box = try Sandbox()
        defer { box.cleanup() }
        let bytes = try box.fileBytes()
        let dry = try box.run(["settings", "set", "minimumNoticeDays=10", "holdExpiryHours=24", "--dry-run"])
        #expect(dry.code == 0, "\(dry.err)")
        #expect(dry.out.contains("minimumNoticeDays: 14 → 10"))
        #expect(dry.out.contains("holdExpiryHours: 48 → 24"))
        #expect(try box.fileBytes() == bytes)
        #expect(try box.run(["settings", "set", "minimumNoticeDays=10", "holdExpiryHours=24"]).code == 0)
        #expect(try box.run(["settings", "--json"]).out.contains("\"minimumNoticeDays\" : 10"))
        let audit = try box.run(["audit", "--json"]).out
        #expect(audit.contains("\"action\" : \"settings\""))
        #expect(audit.contains("\\\"before\\\":{\\\"holdExpiryHours\\\":\\\"48\\\",\\\"minimumNoticeDays\\\":\\\"14\\\"}"))
        // No live booking: the span may change.
        #expect(try box.run(["settings", "set", "turnoverDays=2"]).code == 0)
    }

    @Test func oneHugePaymentCannotBreakListingsAndAMistakeCanBeVoided() throws {
        let box = try Sandbox()
        defer { box.cleanup() }
        try box.run(["book", "--couple", "A", "--start", "2027-01-11"])
        #expect(try box.run(["pay", "B0001", "--amount", "92233720368547758"]).code == 64)
        #expect(try box.run(["pay", "B0001", "--amount", "10000000.00"]).code == 0)
        // Payments are capped in sum too, so nothing can overflow later.
        let second = try box.run(["pay", "B0001", "--amount", "10000000.00"])
        #expect(second.code == 64)
        #expect(second.err.contains("over 10,000,000.00 USD"))
        for args in [["list"], ["show", "B0001"], ["list", "--owing", "--json"]] { #expect(try box.run(args).code == 0) }
        // The overpayment shows as a credit, and can be voided.
        #expect(try box.run(["show", "B0001"]).out.contains("credit     9,995,500.00 USD"))
        #expect(try box.run(["list", "--owing"]).out.contains("credit 9,995,500.00 USD"))
        #expect(try box.run(["pay", "B0001", "--void", "1"]).code == 0)
        #expect(try box.run(["show", "B0001"]).out.contains("(void)"))
        #expect(try box.run(["cancel", "B0001", "--reason", "booked by mistake"]).code == 0)
        #expect(try box.run(["show", "B0001"]).out.contains("reason: booked by mistake"))
    }

    @Test func editCorrectsABookingAndTheAuditLogExplainsIt() throws {
        let box = try Sandbox()
        defer { box.cleanup() }
        try box.run(["book", "--couple", "Jo & Max", "--start", "2027-01-11", "--contact", "jo@example.org"])
        let edited = try box.run(["edit", "B0001", "--couple", "Jo and Max", "--contact", "Jo <jo@example.org>, max@example.org", "--price", "4000"])
        #expect(edited.code == 0, "\(edited.err)")
        let show = try box.run(["show", "B0001", "--json"]).out
        #expect(show.contains("\"couple\" : \"Jo and Max\""))
        #expect(show.contains("\"contact\" : \"Jo <jo@example.org>, max@example.org\""))
        #expect(show.contains("\"priceCents\" : 400000"))
        #expect(show.contains("\"depositCents\" : 100000"))
        let log = try box.run(["audit", "--id", "B0001"]).out
        #expect(log.contains("edit"))
        #expect(log.contains("\"before\":{\"contact\":\"jo@example.org\",\"couple\":\"Jo & Max\",\"priceCents\":\"450000\"}"))
    }

    @Test func aDifferentRequestWithAUsedKeyIsRefusedAndRevealsNothing() throws {
        let box = try Sandbox()
        defer { box.cleanup() }
        try box.run(["book", "--couple", "First Couple", "--start", "2027-01-11", "--priority", "affair-recovery", "--request-id", "k"])
        let again = try box.run(["book", "--couple", "First Couple", "--start", "2027-01-11", "--priority", "affair-recovery", "--request-id", "k"])
        #expect(again.code == 0)
        #expect(again.out.contains("already booked (same request id)"))
        let other = try box.run(["book", "--couple", "Second Couple", "--start", "2027-02-01", "--request-id", "k", "--json"])
        #expect(other.code == 1)
        #expect(other.err.contains("request id k was already used for a different request"))
        #expect(!(other.out + other.err).contains("First Couple"))
        #expect(!(other.out + other.err).contains("affair"))
    }

    @Test func demoNeverDeletesAStoreItDidNotMake() throws {
        let box = try Sandbox()
        defer { box.cleanup() }
        try box.run(["book", "--couple", "A", "--start", "2027-01-11"])
        let bytes = try box.fileBytes()
        let bad = try box.run(["demo", "--db", box.db, "--config", "/nonexistent.toml", "--out", box.dir.appendingPathComponent("cal").path])
        #expect(bad.code == 1)
        let good = try box.run([
            "demo", "--db", box.db, "--config", repoRoot.appendingPathComponent("Fixtures/practice.toml").path, "--out",
            box.dir.appendingPathComponent("cal").path,
        ])
        #expect(good.code == 1)
        #expect(good.err.contains("holds a store the demo did not make"))
        #expect(try box.fileBytes() == bytes)
        // A store an earlier demo made is replaced.
        let demoDB = box.dir.appendingPathComponent("demo.sqlite").path
        for _ in 0..<2 {
            let r = try box.run([
                "demo", "--db", demoDB, "--config", repoRoot.appendingPathComponent("Fixtures/practice.toml").path, "--out",
                box.dir.appendingPathComponent("cal").path,
            ])
            #expect(r.code == 0, "\(r.err)")
        }
    }

    @Test func importsAreKeyedByResourceAndSource() throws {
        let box = try Sandbox()
        defer { box.cleanup() }
        try box.run(["settings", "set", "resources=practice,annex"])
        let event = { (day: String) in
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:team-meeting@corp\r\nDTSTAMP:20261201T000000Z\r\nDTSTART;VALUE=DATE:\(day)\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
        }
        let a = box.dir.appendingPathComponent("a.ics")
        let b = box.dir.appendingPathComponent("b.ics")
        try Data(event("20270301").utf8).write(to: a)
        try Data(event("20270301").utf8).write(to: b)
        #expect(try box.run(["blackout", "import", a.path, "--resource", "practice", "--json"]).out.contains("\"added\" : 1"))
        // The same meeting UID in another counselor's calendar is that counselor's busy time, not "already present".
        #expect(try box.run(["blackout", "import", b.path, "--resource", "annex", "--json"]).out.contains("\"added\" : 1"))
        // --replace of one counselor's calendar leaves the other's alone.
        try Data(event("20270302").utf8).write(to: a)
        let replaced = try box.run(["blackout", "import", a.path, "--resource", "practice", "--replace", "--json"]).out
        #expect(replaced.contains("\"removed\" : 1"))
        let list = try box.run(["blackout", "list", "--json"]).out
        #expect(list.contains("\"from\" : \"2027-03-02\""))
        #expect(list.contains("\"resource\" : \"annex\""))
        #expect(list.components(separatedBy: "\"source\"").count - 1 == 2)
    }

    @Test func hostileBackupsAreRefusedWithTheStoreUnchanged() throws {
        let box = try Sandbox()
        defer { box.cleanup() }
        try box.run(["book", "--couple", "Keep Me", "--start", "2027-01-11"])
        let good = box.dir.appendingPathComponent("good.sqlite").path
        #expect(try box.run(["backup", "--out", good]).code == 0)
        func tampered(_ name: String, _ sql: String) throws -> String {
            let path = box.dir.appendingPathComponent(name).path
            try FileManager.default.copyItem(atPath: good, toPath: path)
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            p.arguments = ["python3", "-c", "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.executescript(sys.argv[2]); c.commit()", path, sql]
            try p.run()
            p.waitUntilExit()
            return path
        }
        var hostile: [(String, String)] = [
            (try tampered("no-migrations.sqlite", "DROP TABLE grdb_migrations;"), "no migration history"),
            (try tampered("foreign-migration.sqlite", "INSERT INTO grdb_migrations VALUES ('v99-future');"), "migrations this build does not know"),
            (try tampered("wrong-schema.sqlite", "ALTER TABLE bookings DROP COLUMN contact;"), "does not have the schema of a Retreat store"),
            (
                try tampered(
                    "double-booked.sqlite",
                    "INSERT INTO bookings SELECT 'B0002', 2, 'Other', contact, resource, start, end, status, sequence, priorities, price_cents, deposit_cents, deposit_due, created_at, hold_expires_at, refund_cents, refund_percent, cancelled_on, NULL, intensive_days, turnover_days, cancellation_reason, NULL FROM bookings;"
                ), "breaks the store's invariants"
            ),
            (
                try tampered("bad-settings.sqlite", "UPDATE settings SET json = json_set(json, '$.minimumNoticeDays', 9223372036854775807);"),
                "impossible settings"
            ),
            (try tampered("bad-date.sqlite", "UPDATE bookings SET start = '2027-02-30', end = '2027-03-02';"), "breaks the store's invariants"),
        ]
        let truncated = box.dir.appendingPathComponent("truncated.sqlite").path
        let data = try Data(contentsOf: URL(fileURLWithPath: good))
        try data.prefix(data.count / 2).write(to: URL(fileURLWithPath: truncated))
        hostile.append((truncated, "nothing was restored"))
        let foreign = box.dir.appendingPathComponent("foreign.sqlite").path
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute('CREATE TABLE t(x)'); c.commit()", foreign]
        try p.run()
        p.waitUntilExit()
        hostile.append((foreign, "is not a Retreat store"))
        let bytes = try box.fileBytes()
        for (path, message) in hostile {
            let r = try box.run(["restore", path])
            #expect(r.code == 1, "\(path): \(r.err)")
            #expect(r.err.contains(message), "\(path): \(r.err)")
            #expect(r.err.contains("nothing was restored"), "\(path): \(r.err)")
            #expect(try box.fileBytes() == bytes, "\(path) changed the store")
            #expect(try box.run(["list"]).out.contains("Keep Me"), "the store is no longer usable after \(path)")
        }
        // The good backup restores.
        try box.run(["cancel", "B0001"])
        #expect(try box.run(["restore", good]).code == 0)
        #expect(try box.run(["show", "B0001", "--json"]).out.contains("\"status\" : \"confirmed\""))
    }

    @Test func aKilledBackupLeavesNoPartialFile() throws {
        let box = try Sandbox()
        defer { box.cleanup() }
        // A store big enough that the backup takes a moment.
        let file = box.dir.appendingPathComponent("many.ics")
        var body = ""
        for i in 0..<6000 { body += "BEGIN:VEVENT\r\nUID:m-\(i)\r\nDTSTAMP:20261201T000000Z\r\nDTSTART;VALUE=DATE:\(20270101 + (i % 28))\r\nEND:VEVENT\r\n" }
        try Data(("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\n" + body + "END:VCALENDAR\r\n").utf8).write(to: file)
        try box.run(["blackout", "import", file.path, "--from", "2027-01-01", "--to", "2027-01-31"])
        var killed = 0
        for round in 0..<12 {
            let out = box.dir.appendingPathComponent("backup-\(round).sqlite").path
            let p = box.start(["backup", "--out", out])
            try p.run()
            usleep(UInt32(2_000 * (round + 1)))
            if p.isRunning {
                kill(p.processIdentifier, SIGKILL)
                killed += 1
            }
            p.waitUntilExit()
            if p.terminationReason == .uncaughtSignal {
                // Killed: either nothing at --out, or (killed after the link) a complete, checked backup.
                if FileManager.default.fileExists(atPath: out) {
                    let store = try SQLiteStore(path: out)
                    #expect(try store.invariantViolations().isEmpty)
                }
            } else {
                #expect(p.terminationStatus == 0)
                #expect(FileManager.default.fileExists(atPath: out))
            }
        }
        print("backup kill test: \(killed) of 12 backups killed mid-run")
        #expect(killed > 0, "no backup was killed: the test proved nothing")
    }
}
