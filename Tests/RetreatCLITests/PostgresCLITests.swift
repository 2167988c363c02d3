import Foundation
import Testing

/// The CLI on a PostgreSQL store: the same contract as on a file, `migrate`, and passwords kept off command lines.
@Suite(.serialized) struct PostgresCLITests {
    @Test func aConflictReadsTheSameAndExitsThreeOnBothStores() throws {
        var errors: [StoreKind: String] = [:]
        for kind in StoreKind.allCases {
            let box = try Sandbox(kind)
            defer { box.cleanup() }
            #expect(try box.run(["book", "--couple", "Jo & Max", "--start", "2027-01-11"]).code == 0)
            let loser = try box.run(["book", "--couple", "Sam & Alex", "--start", "2027-01-13"])
            #expect(loser.code == 3)
            #expect(!loser.err.contains("Jo"))
            errors[kind] = loser.err
            // A reschedule onto a taken day too.
            #expect(try box.run(["book", "--couple", "Sam & Alex", "--start", "2027-01-18"]).code == 0)
            let moved = try box.run(["reschedule", "B0002", "--start", "2027-01-12"])
            #expect(moved.code == 3)
            errors[kind, default: ""] += moved.err
        }
        #expect(errors[.sqlite] == errors[.postgres])
        #expect(errors[.sqlite]?.contains("2027-01-13") == true)
    }

    @Test func aPasswordOnTheCommandLineIsRefused() throws {
        let box = try Sandbox()
        defer { box.cleanup() }
        for url in ["postgres://staff:s3cret@127.0.0.1:1/practice", "postgresql://127.0.0.1:1/practice?password=s3cret"] {
            let r = try box.run(["list", "--db", url])
            #expect(r.code == 64, "\(r.err)")
            #expect(r.err.contains("PGPASSWORD"))
            #expect(!r.err.contains("s3cret"))
            let m = try box.run(["migrate", "--to", url])
            #expect(m.code == 64, "\(m.err)")
            #expect(!m.err.contains("s3cret"))
        }
        let unknown = try box.run(["list", "--db", "postgres://staff@127.0.0.1:1/practice?sslmode=sometimes"])
        #expect(unknown.code == 64)
        #expect(unknown.err.contains("sslmode"))
    }

    @Test func migrateCopiesAFileStoreIntoAnEmptyDatabaseOnce() throws {
        let file = try Sandbox(.sqlite)
        defer { file.cleanup() }
        let target = try Sandbox(.postgres, initialise: false)
        defer { target.cleanup() }
        try file.run(["book", "--couple", "A", "--start", "2027-01-11", "--contact", "a@example.org"])
        try file.run(["pay", "B0001", "--amount", "500"])
        try file.run(["book", "--couple", "B", "--start", "2027-02-01", "--hold"])
        try file.run(["cancel", "B0002"])
        try file.run(["blackout", "add", "--from", "2027-03-01", "--to", "2027-03-02", "--reason", "leave"])
        try file.run(["waitlist", "add", "--couple", "W", "--from", "2027-04-01", "--to", "2027-05-01"])
        try file.run(["intake", "B0001", "--affair-ended", "yes"])
        try file.run(["agenda", "B0001", "--json"])
        let series = try file.run([
            "sessions", "book", "--couple", "C", "--start", "2027-03-15T12:00", "--length", "50", "--every", "week", "--count", "6",
        ])
        #expect(series.code == 0, "\(series.err)")
        let reads = [
            ["list", "--json"], ["blackout", "list", "--json"], ["waitlist", "list", "--json"], ["sessions", "list", "--json"], ["agenda", "B0001", "--json"],
        ]
        let before = try reads.map { try file.run($0).out }
        let fileBytes = try file.fileBytes()

        let migrated = try file.run(["migrate", "--to", target.db])
        #expect(migrated.code == 0, "\(migrated.err)")
        #expect(migrated.out.contains("2 bookings"))
        #expect(try file.fileBytes() == fileBytes)  // the source is left as it was
        let after = try reads.map { try file.run($0 + ["--db", target.db]).out }
        #expect(after == before)
        let audit = try file.run(["audit", "--json", "--db", target.db]).out
        #expect(audit.contains("\"action\" : \"migrate\""))
        // The copy is a working store that refuses the same double booking.
        let loser = try file.run(["book", "--couple", "D", "--start", "2027-01-12", "--db", target.db])
        #expect(loser.code == 3)
        #expect(loser.err.contains("2027-01-12, 2027-01-13 are booked on practice"))
        #expect(try file.run(["book", "--couple", "D", "--start", "2027-01-18", "--db", target.db]).code == 0)
        // Never into a database that is not empty.
        let again = try file.run(["migrate", "--to", target.db])
        #expect(again.code == 1)
        #expect(again.err.contains("not empty"))
    }

    /// A mistyped URL is refused (exit 64), never taken for a file name holding the password.
    @Test func aMistypedURLIsRefusedAndCreatesNoFile() throws {
        let box = try Sandbox()
        defer { box.cleanup() }
        for url in ["postgres:/staff:s3cret@127.0.0.1/practice", "postgres:staff:s3cret@127.0.0.1", "PostgreSQL:staff:s3cret@h/db"] {
            let before = try FileManager.default.contentsOfDirectory(atPath: box.dir.path).sorted()
            let r = try box.run(["list", "--db", url])
            #expect(r.code == 64, "\(url): \(r.err)")
            #expect(!r.err.contains("s3cret"), "\(r.err)")
            #expect(try FileManager.default.contentsOfDirectory(atPath: box.dir.path).sorted() == before)
            let m = try box.run(["migrate", "--to", url])
            #expect(m.code == 64, "\(url): \(m.err)")
            #expect(!m.err.contains("s3cret"), "\(m.err)")
        }
    }

    /// migrate runs restore's checks and refuses text PostgreSQL would change, naming the record, never the couple.
    @Test func migrateRefusesWhatRestoreRefusesAndTextPostgreSQLWouldChange() throws {
        let cases = [
            ("UPDATE bookings SET couple = 'Jo' || char(0) || 'Max'", "NUL"),
            ("UPDATE bookings SET couple = CAST(x'4a6fff4d6178' AS TEXT)", "UTF-8"),
            ("UPDATE bookings SET couple = 'Jo' || char(7) || 'Max'", "control character"),
            ("UPDATE bookings SET price_cents = 99999999999999", "out of range"),
        ]
        for (sql, word) in cases {
            let file = try Sandbox(.sqlite)
            defer { file.cleanup() }
            let target = try Sandbox(.postgres, initialise: false)
            defer { target.cleanup() }
            #expect(try file.run(["book", "--couple", "Jo & Max", "--start", "2027-01-11"]).code == 0)
            let edit = Process()
            edit.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            edit.arguments = ["sqlite3", file.db, sql]
            try edit.run()
            edit.waitUntilExit()
            #expect(edit.terminationStatus == 0)
            let r = try file.run(["migrate", "--to", target.db])
            #expect(r.code == 1, "\(sql): \(r.err)")
            #expect(r.err.contains(word) && r.err.contains("B0001"), "\(sql): \(r.err)")
            #expect(!r.err.contains("Jo") && !r.err.contains("Max"), "\(r.err)")
            #expect(r.err.split(separator: "\n").count == 1, "\(r.err)")
        }
    }
}
