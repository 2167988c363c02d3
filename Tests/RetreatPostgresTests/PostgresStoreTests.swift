import Foundation
import PostgresNIO
import RetreatScheduling
import RetreatStore
import Testing

@testable import RetreatPostgres

/// A schema of its own in the test database (`$RETREAT_TEST_POSTGRES`), dropped afterwards; without a server the
/// test is cancelled with the reason (shown as skipped), never passed.
final class Schema {
    let url: String
    let location: PostgresLocation

    init() throws {
        guard let base = ProcessInfo.processInfo.environment["RETREAT_TEST_POSTGRES"], !base.isEmpty else {
            try Test.cancel("PostgreSQL not available: RETREAT_TEST_POSTGRES is not set (`make test` starts a throwaway cluster when it can)")
        }
        let name = "p_\(UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(20))"
        url = base + (base.contains("?") ? "&" : "?") + "schema=\(name)"
        location = try PostgresLocation(url: url)
    }

    /// Runs SQL written here, outside any store (as an operator's psql would).
    func sql(_ text: String) throws {
        let connector = try PostgresConnector(location)
        try connector.withSession { session in try session.execute(text) }
    }

    func count(_ query: String) throws -> Int {
        let connector = try PostgresConnector(location)
        return try connector.withSession { session in try session.value(PostgresQuery(unsafeSQL: query), as: Int.self) ?? -1 }
    }

    deinit {
        try? sql("DROP SCHEMA IF EXISTS \(location.schema) CASCADE")
    }
}

let now = ISO8601DateFormatter().date(from: "2026-12-01T15:00:00Z") ?? Date()

func d(_ s: String) -> CalendarDay {
    guard let day = CalendarDay(iso: s) else { fatalError("bad test date \(s)") }
    return day
}

func booking(_ id: String, start: String, resource: String = "practice", status: BookingStatus = .confirmed) -> Booking {
    Booking(
        id: id, couple: "Couple \(id)", resource: resource, start: d(start), intensiveDays: 3, turnoverDays: 1, status: status, priceCents: 1000,
        deposit: Deposit(amountCents: 250, due: d("2026-12-05")), createdAt: now)
}

func series(_ id: String, counselor: String = "practice", day: String, hour: Int, count: Int = 4) throws -> StoredSeries {
    guard let time = ClockTime(hour: hour, minute: 0) else { throw StoreError(.invalid, "time") }
    let spec = CounselingSeriesSpec(
        couple: "Couple \(id)", counselor: counselor, lengthMinutes: 50, frequency: .weekly, start: LocalTime(day: d(day), time: time), end: .count(count),
        counselorZone: "America/New_York", partnerZones: [])
    return StoredSeries(series: try CounselingSeries(id: id, spec: spec), contact: nil, active: true, createdAt: now)
}

@Suite struct PostgresStoreTests {
    @Test func openingRefusesWhatIsNotARetreatStore() throws {
        let schema = try Schema()
        // No store yet: refused without create, named with the URL and how to make one.
        do {
            _ = try PostgresStore(url: schema.url)
            Issue.record("a missing store was opened")
        } catch {
            #expect(error.code == .notInitialized)
            #expect(error.message.contains("retreat init"))
        }
        // Someone else's tables: refused even with create.
        try schema.sql("CREATE SCHEMA \(schema.location.schema)")
        try schema.sql("CREATE TABLE \(schema.location.schema).invoices (id int)")
        #expect(throws: StoreError.self) { try PostgresStore(url: schema.url, create: true) }
        try schema.sql("DROP TABLE \(schema.location.schema).invoices")
        let store = try PostgresStore(url: schema.url, create: true)
        #expect(try store.read { try $0.isInitialized() } == false)
        #expect(try schema.count("SELECT count(*)::int8 FROM \(schema.location.schema).retreat_migrations") == PostgresSchema.migrations.count)
        // A newer Retreat's migration: refused, naming it.
        try schema.sql("INSERT INTO \(schema.location.schema).retreat_migrations (position, name) VALUES (99, 'v99-from-the-future')")
        do {
            _ = try PostgresStore(url: schema.url)
            Issue.record("a store of a newer schema was opened")
        } catch {
            #expect(error.code == .incompatible)
            #expect(error.message.contains("v99-from-the-future"))
        }
    }

    @Test func everyTableIsCopiedByStoreRecords() throws {
        let schema = try Schema()
        _ = try PostgresStore(url: schema.url, create: true)
        let connector = try PostgresConnector(schema.location)
        let tables = try connector.withSession { session in
            try session.column("SELECT tablename::text FROM pg_tables WHERE schemaname = \(schema.location.schema)", as: String.self)
        }
        // Derived (session rows) and bookkeeping (migrations) tables are exempt; everything else is a record.
        #expect(Set(tables).subtracting(["retreat_migrations", "session_occurrences"]) == StoreRecords.tables)
        #expect(Set(PostgresSchema.tables) == Set(tables).subtracting(["retreat_migrations"]))
    }

    @Test func theExclusionConstraintHoldsAgainstRawSQL() throws {
        let schema = try Schema()
        let store = try PostgresStore(url: schema.url, create: true)
        try store.write { tx in try tx.insert(booking("B0001", start: "2027-01-11"), requestFingerprint: nil) }
        let s = schema.location.schema
        let insert = """
            INSERT INTO \(s).bookings (id, seq, couple, resource, start, intensive_days, turnover_days, status, price_cents, deposit_cents, deposit_due, created_at)
            VALUES ('X1', 99, 'x', 'practice', '2027-01-14', 1, 0, 'held', 0, 0, '2027-01-01', 0)
            """
        // The turnover day 01-14 is occupied: PostgreSQL itself refuses, whatever wrote the row.
        #expect(throws: (any Error).self) { try schema.sql(insert) }
        try schema.sql(insert.replacingOccurrences(of: "'held'", with: "'cancelled'"))
        #expect(try schema.count("SELECT count(*)::int8 FROM \(s).bookings") == 2)
        // Occupied ranges are derived from the stored span: three intensive days and one turnover day.
        #expect(try schema.count("SELECT (upper(occupied) - lower(occupied))::int8 FROM \(s).bookings WHERE id = 'B0001'") == 4)
        #expect(try store.invariantViolations().isEmpty)
    }

    @Test func overlappingSessionsOfOneCounselorAreRefusedByTheDatabase() throws {
        let schema = try Schema()
        let store = try PostgresStore(url: schema.url, create: true)
        try store.write { tx in try tx.insert(try series("S0001", day: "2027-01-04", hour: 12)) }
        #expect(try schema.count("SELECT count(*)::int8 FROM \(schema.location.schema).session_occurrences") == 4)
        // Another counselor at the same time is fine; the same counselor half an hour later is not.
        try store.write { tx in try tx.insert(try series("S0002", counselor: "other", day: "2027-01-04", hour: 12)) }
        do {
            try store.write { tx in
                var late = try series("S0003", day: "2027-01-11", hour: 12)
                late.series = try late.series.moving(d("2027-01-11"), to: LocalTime(day: d("2027-01-11"), time: try #require(ClockTime(hour: 12, minute: 30))))
                try tx.insert(late)
            }
            Issue.record("an overlapping session was stored")
        } catch let error as StoreError {
            #expect(error.code == .conflict)
            #expect(error.message == "2027-01-11 12:30 is already taken on practice by another counseling session; nothing was booked")
        }
        // Moving a session away frees its time; cancelling the series frees all of them.
        var first = try #require(try store.read { try $0.allSeries() }.first)
        first.series = try first.series.cancelling(d("2027-01-11"))
        try store.write { tx in try tx.update(first) }
        try store.write { tx in try tx.insert(try series("S0003", day: "2027-01-11", hour: 12, count: 1)) }
        first.active = false
        try store.write { tx in try tx.update(first) }
        #expect(try schema.count("SELECT count(*)::int8 FROM \(schema.location.schema).session_occurrences WHERE series_id = 'S0001'") == 0)
        #expect(try store.invariantViolations().isEmpty)
        // A session row that no longer matches its series is reported.
        try schema.sql("DELETE FROM \(schema.location.schema).session_occurrences WHERE series_id = 'S0003'")
        #expect(try store.invariantViolations().contains { $0.contains("session rows and active series differ") })
    }

    @Test func readsDoNotWaitForWriters() throws {
        let schema = try Schema()
        let store = try PostgresStore(url: schema.url, create: true)
        try store.write { tx in try tx.saveSettings(PracticeSettings(timeZoneIdentifier: "America/New_York")) }
        let again = try PostgresStore(url: schema.url)
        // A write holding the practice's lock does not block a read from another store object.
        try store.write { tx in
            try tx.insert(booking("B0001", start: "2027-01-11"), requestFingerprint: nil)
            #expect(try again.read { try $0.bookings(BookingQuery()) }.isEmpty)
        }
        #expect(try again.read { try $0.bookings(BookingQuery()) }.count == 1)
    }

    @Test func copyIntoAnEmptyDatabaseIsOneTransaction() throws {
        let schema = try Schema()
        var records = StoreRecords(settings: PracticeSettings(timeZoneIdentifier: "America/New_York"), profile: ["name": "Retreat"])
        records.bookings = [
            StoreRecords.BookingRecord(booking: booking("B0001", start: "2027-01-11"), seq: 1, requestFingerprint: nil),
            // Overlaps B0001: a broken source is refused and nothing is left behind.
            StoreRecords.BookingRecord(booking: booking("B0002", start: "2027-01-12"), seq: 2, requestFingerprint: nil),
        ]
        #expect(throws: StoreError.self) { try PostgresStore.copy(records, into: schema.url) }
        #expect(try schema.count("SELECT count(*)::int8 FROM pg_namespace WHERE nspname = '\(schema.location.schema)'") == 0)
        records.bookings.removeLast()
        let report = try PostgresStore.copy(records, into: schema.url)
        #expect(report.counts.first { $0.key == "bookings" }?.value == 1)
        let store = try PostgresStore(url: schema.url)
        #expect(try store.read { try $0.records() } == records)
        // Never into a database that holds a store.
        do {
            _ = try PostgresStore.copy(records, into: schema.url)
            Issue.record("a copy into a non-empty database was made")
        } catch let error as StoreError {
            #expect(error.code == .invalid)
            #expect(error.message.contains("not empty"))
        }
    }

    @Test func aWrongPasswordOrAMissingOneIsNamedWithoutEchoingIt() throws {
        let schema = try Schema()
        var env = ProcessInfo.processInfo.environment
        env["PGPASSWORD"] = "definitely-wrong"
        do {
            _ = try PostgresStore(url: schema.url, create: true, environment: env)
            Issue.record("a wrong password was accepted")
        } catch {
            #expect(error.code == .io)
            #expect(error.message.contains("PGPASSWORD"))
            #expect(!error.message.contains("definitely-wrong"))
        }
        env["PGPASSWORD"] = nil
        env["PGPASSFILE"] = "/nonexistent/pgpass"
        do {
            _ = try PostgresStore(url: schema.url, create: true, environment: env)
            Issue.record("no password was accepted by a server that asks for one")
        } catch {
            #expect(error.message.contains("asks for a password"))
        }
    }

    @Test func nothingListensThereIsOneSentence() throws {
        // A loopback port nobody listens on (bound and closed at once).
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) } }
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
        let port = Int(UInt16(bigEndian: addr.sin_port))
        close(fd)
        do {
            _ = try PostgresStore(url: "postgres://nobody@127.0.0.1:\(port)/x?sslmode=disable&connect_timeout=5")
            Issue.record("connected to nothing")
        } catch {
            #expect(error.code == .io)
            #expect(error.message.hasPrefix("cannot connect to postgres://nobody@127.0.0.1:\(port)/x"))
            // In words, never a Swift error's dump.
            #expect(error.message.contains("connection refused"), "\(error.message)")
            #expect(!error.message.contains("errno") && !error.message.contains("Failure("), "\(error.message)")
        }
    }

    @Test func tlsIsUsedWhenTheServerAsksForIt() throws {
        let schema = try Schema()
        guard let certificate = ProcessInfo.processInfo.environment["RETREAT_TEST_POSTGRES_TLS"], !certificate.isEmpty else {
            try Test.cancel("the test server does not insist on TLS (PG_TLS=0, or no openssl to make its certificate)")
        }
        // sslmode=prefer, the default: TLS because the server offers (and here requires) it.
        let store = try PostgresStore(url: schema.url, create: true)
        let encrypted = try store.connector.withSession { session in
            try session.value("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()", as: Bool.self)
        }
        #expect(encrypted == true)
        // Without TLS the server refuses, and the message says what to change.
        do {
            _ = try PostgresStore(url: schema.url + "&sslmode=disable")
            Issue.record("a connection without TLS was accepted")
        } catch {
            #expect(error.message.contains("drop sslmode=disable"), "\(error.message)")
        }
        // verify-full checks the certificate against sslrootcert and the host name.
        _ = try PostgresStore(url: schema.url + "&sslmode=verify-full&sslrootcert=\(certificate)")
        do {
            _ = try PostgresStore(url: schema.url + "&sslmode=verify-full")
            Issue.record("an untrusted certificate was accepted under verify-full")
        } catch {
            #expect(error.code == .io)
            #expect(error.message.contains("certificate"), "\(error.message)")
        }
    }

    @Test func aConnectionTheServerClosedIsReplacedWithoutAnError() throws {
        let schema = try Schema()
        let name = "retreat_\(schema.location.schema)"
        let store = try PostgresStore(url: schema.url + "&application_name=\(name)", create: true)
        try store.write { tx in try tx.saveSettings(PracticeSettings(timeZoneIdentifier: "America/New_York")) }
        // An administrator (or an idle timeout, or a restart) ends the store's kept connections.
        #expect(try schema.count("SELECT count(pg_terminate_backend(pid))::int8 FROM pg_stat_activity WHERE application_name = '\(name)'") >= 1)
        usleep(200_000)
        #expect(try store.read { try $0.isInitialized() })
        try store.write { tx in try tx.insert(booking("B0001", start: "2027-01-11"), requestFingerprint: nil) }
        #expect(try store.read { try $0.bookings(BookingQuery()) }.count == 1)
    }

    @Test func anOperatorsPgDumpAndPgRestoreGiveBackAWorkingStore() throws {
        let schema = try Schema()
        guard let bin = ProcessInfo.processInfo.environment["RETREAT_PG_BIN"], FileManager.default.isExecutableFile(atPath: bin + "/pg_dump") else {
            try Test.cancel("pg_dump not found (RETREAT_PG_BIN is set by scripts/pg-cluster.sh)")
        }
        let store = try PostgresStore(url: schema.url, create: true)
        try store.write { tx in
            try tx.saveSettings(PracticeSettings(timeZoneIdentifier: "America/New_York"))
            try tx.insert(booking("B0001", start: "2027-01-11"), requestFingerprint: nil)
            try tx.insert(try series("S0001", day: "2027-02-01", hour: 12))
            _ = try tx.insert(Payment(amountCents: 100, date: d("2026-12-01")), bookingID: "B0001")
        }
        let before = try store.read { try $0.records() }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("retreat-\(schema.location.schema).dump").path
        defer { unlink(file) }
        let target = "host=127.0.0.1 port=\(schema.location.port) user=\(schema.location.user) dbname=\(schema.location.database)"
        func run(_ tool: String, _ arguments: [String]) throws -> Int32 {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "\(bin)/\(tool)")
            p.arguments = arguments
            p.standardOutput = FileHandle.nullDevice
            try p.run()
            p.waitUntilExit()
            return p.terminationStatus
        }
        #expect(try run("pg_dump", ["--format=custom", "--schema=\(schema.location.schema)", "--file=\(file)", target]) == 0)
        try schema.sql("DROP SCHEMA \(schema.location.schema) CASCADE")
        #expect(try run("pg_restore", ["--dbname=\(target)", "--exit-on-error", file]) == 0)
        let restored = try PostgresStore(url: schema.url)
        #expect(try restored.read { try $0.records() } == before)
        #expect(try restored.invariantViolations().isEmpty)
        // The restored constraints and the identity sequences work as before.
        #expect(throws: StoreError.self) { try restored.write { tx in try tx.insert(booking("B0002", start: "2027-01-12"), requestFingerprint: nil) } }
        let next = try restored.write { tx in try tx.insert(Payment(amountCents: 5, date: d("2026-12-02")), bookingID: "B0001") }
        #expect(next.id == 2)
    }
}

/// A value handed between test threads.
final class Handoff<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: T?
    func set(_ v: T) { lock.withLock { value = v } }
    func get() -> T? { lock.withLock { value } }
}

@Suite struct PostgresConnectionLossTests {
    /// The server ends the backend of a transaction that waits for the practice's lock (an administrator's
    /// pg_terminate_backend, a failover): the call fails with one sentence instead of waiting for ever, and the
    /// next call works on a new connection.
    @Test func aTransactionWhoseBackendIsTerminatedFailsAndTheNextCallWorks() throws {
        let schema = try Schema()
        let name = "retreat_lost_\(schema.location.schema)"
        let store = try PostgresStore(url: schema.url + "&application_name=\(name)", create: true)
        try store.write { tx in try tx.saveSettings(PracticeSettings(timeZoneIdentifier: "America/New_York")) }

        // Another session holds the practice's lock, so the store's write waits for it.
        let holder = try PostgresConnector(schema.location)
        let holding = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        let holderDone = DispatchSemaphore(value: 0)
        let lockKey = PostgresStore.lockKey(schema.location.schema)
        DispatchQueue.global().async {
            _ = try? holder.withSession { session in
                try session.execute("BEGIN")
                try session.query(lockKey)
                holding.signal()
                release.wait()
                session.rollback()
            }
            holderDone.signal()
        }
        holding.wait()
        var holderEnded = false
        func endHolder() {
            guard !holderEnded else { return }
            holderEnded = true
            release.signal()
            holderDone.wait()
        }
        defer { endHolder() }

        let outcome = Handoff<(any Error)?>()
        let finished = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            do {
                try store.write { tx in try tx.insert(booking("B0001", start: "2027-01-11"), requestFingerprint: nil) }
                outcome.set(nil)
            } catch {
                outcome.set(error)
            }
            finished.signal()
        }
        // Once the writer waits for the lock, its backend is ended.
        var waiting = 0
        for _ in 0..<400 where waiting == 0 {
            waiting = try schema.count(
                "SELECT count(*)::int8 FROM pg_stat_activity WHERE application_name = '\(name)' AND wait_event_type = 'Lock'")
            if waiting == 0 { usleep(25_000) }
        }
        #expect(waiting == 1)
        #expect(try schema.count("SELECT count(pg_terminate_backend(pid))::int8 FROM pg_stat_activity WHERE application_name = '\(name)'") == 1)

        // Bounded only so that a hang fails the test instead of stopping the run.
        let returned = finished.wait(timeout: .now() + .seconds(90))
        #expect(returned == .success, "the write did not return after its connection was ended")
        guard returned == .success else { return }
        let error = try #require(outcome.get() ?? nil)
        let storeError = try #require(error as? StoreError)
        #expect(storeError.code == .io)
        #expect(storeError.message.hasPrefix("the database connection was lost; nothing was changed"), "\(storeError.message)")
        #expect(!storeError.message.contains("SQLSTATE"))

        endHolder()
        // The next call gets a fresh connection.
        try store.write { tx in try tx.insert(booking("B0001", start: "2027-01-11"), requestFingerprint: nil) }
        #expect(try store.read { try $0.bookings(BookingQuery()) }.count == 1)
    }
}

@Suite struct PostgresSchemaIsolationTests {
    /// A practice's connections search only its own schema: a table missing there is never found in `public`.
    @Test func theSearchPathIsOnlyThePracticesSchema() throws {
        let schema = try Schema()
        _ = try PostgresStore(url: schema.url, create: true)
        let connector = try PostgresConnector(schema.location)
        let path = try connector.withSession { session in try session.value("SHOW search_path", as: String.self) }
        #expect(path == schema.location.schema)
    }

    @Test func aStoreMissingATableIsRefusedOnOpen() throws {
        let schema = try Schema()
        _ = try PostgresStore(url: schema.url, create: true)
        try schema.sql("DROP TABLE \(schema.location.schema).booking_notes")
        do {
            _ = try PostgresStore(url: schema.url)
            Issue.record("a store without its booking_notes table was opened")
        } catch {
            #expect(error.code == .incompatible)
            #expect(error.message.contains("booking_notes"), "\(error.message)")
        }
    }

    @Test func aStoreWithoutItsExclusionConstraintsIsRefusedOnOpen() throws {
        let schema = try Schema()
        _ = try PostgresStore(url: schema.url, create: true)
        try schema.sql("ALTER TABLE \(schema.location.schema).bookings DROP CONSTRAINT bookings_no_shared_day")
        do {
            _ = try PostgresStore(url: schema.url)
            Issue.record("a store without bookings_no_shared_day was opened")
        } catch {
            #expect(error.code == .incompatible)
            #expect(error.message.contains("bookings_no_shared_day") && error.message.contains("btree_gist"), "\(error.message)")
        }
    }
}

@Suite struct PostgresBlackoutIDTests {
    /// As in the SQLite store: a removed blackout's id is never reused, and a re-import that adds nothing takes
    /// no id from the identity.
    @Test func aReimportTakesNoIdAndRemovedIdsAreNotReused() throws {
        let schema = try Schema()
        let store = try PostgresStore(url: schema.url, create: true)
        try store.write { tx in try tx.saveSettings(PracticeSettings(timeZoneIdentifier: "America/New_York")) }
        let first = try store.write { tx in try tx.insert(Blackout(from: d("2027-03-01"), to: d("2027-03-02"))) }
        let second = try store.write { tx in try tx.insert(Blackout(from: d("2027-03-05"), to: d("2027-03-05"))) }
        #expect(try store.write { tx in try tx.deleteBlackout(id: second.id ?? 0) })
        let key = ImportKey(resource: nil, source: "ics:test")
        let item = ImportedBlackout(uid: "u1", recurrenceID: "", from: d("2027-04-01"), to: d("2027-04-01"))
        for _ in 0..<3 { _ = try store.write { tx in try tx.importBlackouts([item], key: key, reason: "busy", replacingWithin: nil) } }
        let third = try store.write { tx in try tx.insert(Blackout(from: d("2027-03-09"), to: d("2027-03-09"))) }
        #expect(first.id == 1 && second.id == 2)
        #expect(third.id == 4)
    }
}
