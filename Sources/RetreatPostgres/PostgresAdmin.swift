import Foundation
import PostgresNIO
import RetreatScheduling
import RetreatStore

extension PostgresTransaction {
    func records() throws -> StoreRecords {
        var records = StoreRecords()
        if try isInitialized() { records.settings = try settings() }
        for row in try session.query("SELECT key, value FROM profile").rows {
            let (key, value) = try row.decode((String, String).self)
            records.profile[key] = value
        }
        records.bookings = try bookingRows("SELECT \(unescaped: Self.bookingColumns) FROM bookings ORDER BY seq").map {
            StoreRecords.BookingRecord(booking: $0.booking, seq: $0.seq, requestFingerprint: $0.fingerprint)
        }
        records.blackouts = try session.query("SELECT \(unescaped: Self.blackoutColumns) FROM blackouts ORDER BY id").rows.map(Self.blackoutRecord)
        records.waitlist = try session.query("SELECT \(unescaped: Self.waitlistColumns) FROM waitlist ORDER BY id").rows.map(Self.waitlistEntry)
        records.series = try seriesRecords()
        for row in try session.query("SELECT booking_id, json FROM intakes").rows {
            let (bookingID, json) = try row.decode((String, String).self)
            records.intakes[bookingID] = json
        }
        records.agendas = try session.query("SELECT booking_id, json, adjustments, planned_at, stale_reason FROM agendas ORDER BY booking_id").rows.map(
            Self.storedAgenda)
        records.audit = try session.query("SELECT id, at, actor, action, entity, entity_id, detail FROM audit_log ORDER BY id").rows.map(Self.auditEntry)
        records.sentEvents = try sentEvents(owner: nil)
        records.outbox = try outboxMessages(OutboxQuery())
        records.feeds = try feeds()
        records.apiTokens = try apiTokens()
        records.notes = try bookingNotes()
        return records
    }

    /// Writes `records` into this empty store with their ids and numbers; the session rows are derived as usual
    /// and the exclusion constraints check every live booking and session on the way in.
    func load(_ records: StoreRecords) throws {
        if let settings = records.settings { try saveSettings(settings) }
        for (key, value) in records.profile.sorted(by: { $0.key < $1.key }) { try saveProfileValue(key, value) }
        for record in records.bookings {
            try insert(record.booking, seq: record.seq, fingerprint: record.requestFingerprint)
            for p in record.booking.payments {
                try session.query(
                    """
                    INSERT INTO payments (id, booking_id, amount_cents, day, note, voided)
                    VALUES (\(p.id), \(record.booking.id), \(p.amountCents), \(p.date.description)::date, \(p.note), \(p.voided))
                    """)
            }
        }
        for record in records.blackouts {
            let b = record.blackout
            try session.query(
                """
                INSERT INTO blackouts (id, from_day, to_day, resource, reason, source, uid, recurrence_id, starts_at, ends_at)
                VALUES (\(b.id), \(b.from.description)::date, \(b.to.description)::date, \(b.resource), \(b.reason), \(b.source), \(record.uid),
                    \(record.recurrenceID), \(b.startsAt?.timeIntervalSince1970), \(b.endsAt?.timeIntervalSince1970))
                """)
        }
        for e in records.waitlist {
            try session.query(
                """
                INSERT INTO waitlist (id, couple, contact, from_day, to_day, resource, created_at, status, booking_id)
                VALUES (\(e.id), \(e.couple), \(e.contact), \(e.from.description)::date, \(e.to.description)::date, \(e.resource),
                    \(e.createdAt.timeIntervalSince1970), \(e.status.rawValue), \(e.bookingID))
                """)
        }
        for record in records.series { try insert(record.stored, seq: record.seq) }
        for (bookingID, json) in records.intakes.sorted(by: { $0.key < $1.key }) { try saveIntakeJSON(json, bookingID: bookingID) }
        for agenda in records.agendas { try save(agenda) }
        for e in records.audit {
            try session.query(
                """
                INSERT INTO audit_log (id, at, actor, action, entity, entity_id, detail)
                VALUES (\(e.id), \(e.at.timeIntervalSince1970), \(e.actor), \(e.action), \(e.entity), \(e.entityID), \(e.detail))
                """)
        }
        for event in records.sentEvents { try save(event) }
        for message in records.outbox { _ = try insert(message, keepingID: true) }
        for feed in records.feeds { try insert(feed) }
        for token in records.apiTokens { try insert(token) }
        for note in records.notes { try save(note) }
        // The next id of each table follows the copied ones.
        for table in ["payments", "blackouts", "waitlist", "audit_log", "outbox"] {
            try session.execute(
                "SELECT setval(pg_get_serial_sequence('\(table)', 'id'), coalesce((SELECT max(id) FROM \(table)), 1), (SELECT max(id) FROM \(table)) IS NOT NULL)"
            )
        }
    }

    /// Removes every record (the schema stays), ids starting again from 1.
    func deleteEverything() throws {
        try session.execute("TRUNCATE \(PostgresSchema.tables.joined(separator: ", ")) RESTART IDENTITY")
    }
}

extension PostgresStore {
    // MARK: checks

    public func invariantViolations() throws -> [String] {
        try mapped {
            try connector.withSession { session in
                try session.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                defer { session.rollback() }
                return try Self.violations(session, schema: url.schema)
            }
        }
    }

    /// Every broken invariant: the migrations and the guarding constraints in place, readable records, spans in
    /// range, no resource-day shared by two live bookings, session rows equal to the active series' sessions, no
    /// two overlapping sessions of one counselor.
    static func violations(_ session: PostgresSession, schema: String) throws -> [String] {
        var problems: [String] = []
        let applied = try session.column("SELECT name FROM retreat_migrations ORDER BY position", as: String.self)
        if applied != PostgresSchema.migrationNames { problems.append("migrations applied: \(applied.joined(separator: ", ")); expected all of this build's") }
        let constraints = try session.column(
            """
            SELECT c.conname::text FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
            WHERE n.nspname = \(schema) AND c.contype = 'x' AND c.convalidated
            """, as: String.self)
        for name in PostgresSchema.guardingConstraints where !constraints.contains(name) {
            problems.append("the exclusion constraint \(name) is missing")
        }
        let tx = PostgresTransaction(session: session)
        let records: StoreRecords
        do {
            records = try tx.records()
        } catch {
            problems.append("records cannot be read: \(error)")
            return problems
        }
        var taken: [String: String] = [:]
        for b in records.bookings.map(\.booking) where b.status.isLive {
            if !(1...14).contains(b.intensiveDays) || !(0...30).contains(b.turnoverDays) {
                problems.append("booking \(b.id) has an impossible span of \(b.intensiveDays)+\(b.turnoverDays) days")
                continue
            }
            for day in b.occupancy.occupiedDays {
                if let other = taken.updateValue(b.id, forKey: "\(b.resource)|\(day)"), other != b.id {
                    problems.append("two live bookings share \(b.resource) on \(day) (\(other), \(b.id))")
                }
            }
        }
        let stored = Set(
            try session.query(
                "SELECT series_id, original_date::text, extract(epoch FROM lower(during))::float8, extract(epoch FROM upper(during))::float8 FROM session_occurrences"
            ).rows.map { row -> String in
                let (id, day, start, end) = try row.decode((String, String, Double, Double).self)
                return "\(id)|\(day)|\(start)|\(end)"
            })
        var expected = Set<String>()
        var byCounselor: [String: [(Date, Date, String)]] = [:]
        for s in records.series.map(\.stored) where s.active {
            for o in s.series.occurrences() {
                expected.insert("\(s.series.id)|\(o.originalDate)|\(o.start.timeIntervalSince1970)|\(o.end.timeIntervalSince1970)")
                byCounselor[s.series.spec.counselor, default: []].append((o.start, o.end, "\(s.series.id) \(o.originalDate)"))
            }
        }
        let diff = stored.symmetricDifference(expected)
        if !diff.isEmpty {
            problems.append("session rows and active series differ on \(diff.count) session(s), e.g. \(diff.sorted().prefix(3).joined(separator: ", "))")
        }
        for (counselor, sessions) in byCounselor {
            let sorted = sessions.sorted { $0.0 < $1.0 }
            for (a, b) in zip(sorted, sorted.dropFirst()) where b.0 < a.1 {
                problems.append("sessions \(a.2) and \(b.2) of \(counselor) overlap")
            }
        }
        return problems
    }

    // MARK: backup and restore

    /// Writes a consistent copy of the whole store (one snapshot) to `path` as an SQLite store file, mode 0600,
    /// complete or not at all: the format `retreat restore` reads on either store, so a PostgreSQL practice can
    /// be restored into a fresh database, or moved back to a file.
    /// - Throws: `StoreError.invalid` when `path` exists.
    public func backup(to path: String) throws {
        let records = try read { try $0.records() }
        try SQLiteStore.writeBackup(records, to: path)
    }

    /// Replaces the store's contents with a backup file (as `backup` writes, or an SQLite store's own backup)
    /// after the checks the SQLite store makes on a private copy of it (`check`, the use cases' reading of every
    /// record, included); then, in one transaction under the
    /// practice's lock, every record is removed and the backup's are written (the exclusion constraints checking
    /// them), and `audit` appended. On any failure nothing changes.
    public func restore(from path: String, audit: AuditEntry, check: (any StoreReading) throws -> Void) throws {
        do {
            let records = try SQLiteStore.records(ofBackup: path, check: check)
            try locked { session in
                let tx = PostgresTransaction(session: session)
                try tx.deleteEverything()
                try tx.load(records)
                try tx.append(audit)
                if let first = try Self.violations(session, schema: url.schema).first {
                    throw StoreError(.incompatible, "\(path) breaks the store's invariants once restored: \(first)")
                }
            }
        } catch let error as StoreError {
            throw StoreError(error.code, "\(error.message); nothing was restored")
        }
    }

    // MARK: copying a store in

    /// What a copy into PostgreSQL wrote.
    public struct CopyReport: Sendable {
        /// Where the records went.
        public var location: String
        /// How many records of each kind, read back from PostgreSQL inside the copying transaction.
        public var counts: KeyValuePairs<String, Int>
    }

    /// Copies `records` into the empty database (or schema) at `url` in one transaction: the schema is created,
    /// every record written with its ids, then read back and compared with `records`, and the store's invariants
    /// checked, all before COMMIT; then `audit` is appended. Refuses a database that holds any table.
    /// - Throws: `StoreError.invalid` for a database that is not empty, `.incompatible` when the copy differs or
    ///   breaks an invariant (nothing is left behind), `.conflict` when two bookings in `records` share a day.
    public static func copy(
        _ records: StoreRecords, into text: String, audit: AuditEntry? = nil, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> CopyReport {
        let location: PostgresLocation
        do { location = try PostgresLocation(url: text, environment: environment) } catch { throw StoreError(.invalid, "--to: \(error.message)") }
        let connector = try PostgresConnector(location, environment: environment)
        do {
            return try connector.withSession { session in
                try session.execute("BEGIN")
                do {
                    try session.query(lockKey(location.schema))
                    switch try state(session, schema: location.schema) {
                    case .empty: break
                    case .store, .foreign:
                        throw StoreError(
                            .invalid, "\(location) is not empty (schema \(location.schema) has tables); migrate copies into an empty database only")
                    }
                    try createSchema(session, location: location)
                    try migrate(session, applied: [], location: location)
                    let tx = PostgresTransaction(session: session)
                    try tx.load(records)
                    let copied = try tx.records()
                    if let difference = copied.firstDifference(from: records) {
                        throw StoreError(.incompatible, "the copy in \(location) does not match the source (\(difference)); nothing was copied")
                    }
                    if let problem = try violations(session, schema: location.schema).first {
                        throw StoreError(.incompatible, "the copy in \(location) breaks an invariant (\(problem)); nothing was copied")
                    }
                    if let audit { try tx.append(audit) }
                    try session.commit()
                    return CopyReport(location: location.description, counts: copied.counts)
                } catch {
                    session.rollback()
                    throw error
                }
            }
        } catch let failure as PostgresFailure {
            throw failure.storeError
        }
    }
}
