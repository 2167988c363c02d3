import Foundation
internal import GRDB
import RetreatScheduling

extension SQLiteTransaction {
    func records() throws -> StoreRecords {
        // Every record is copied to another store from here (migrate, a PostgreSQL restore): a text PostgreSQL
        // would change (NUL cuts it) or that reads back altered (bytes that are not UTF-8) is refused first.
        try checkTextIsCopyable()
        let payments = try payments(of: nil)
        var records = StoreRecords()
        records.settings = try SettingsRow.fetchOne(db, key: 1)?.settings
        records.profile = Dictionary(try ProfileRow.fetchAll(db).map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a })
        records.bookings = try BookingRow.order(BookingRow.CodingKeys.seq).fetchAll(db).map {
            StoreRecords.BookingRecord(booking: try $0.booking(payments: payments[$0.id] ?? []), seq: $0.seq, requestFingerprint: $0.requestFingerprint)
        }
        records.blackouts = try BlackoutRow.order(BlackoutRow.CodingKeys.id).fetchAll(db).map {
            StoreRecords.BlackoutRecord(blackout: try $0.blackout, uid: $0.uid, recurrenceID: $0.recurrenceID)
        }
        records.waitlist = try WaitlistRow.order(WaitlistRow.CodingKeys.id).fetchAll(db).map { try $0.entry }
        records.series = try SeriesRow.order(SeriesRow.CodingKeys.seq).fetchAll(db).map { StoreRecords.SeriesRecord(stored: try $0.stored, seq: $0.seq) }
        records.intakes = Dictionary(try IntakeRow.fetchAll(db).map { ($0.bookingID, $0.json) }, uniquingKeysWith: { a, _ in a })
        records.agendas = try AgendaRow.order(AgendaRow.CodingKeys.bookingID).fetchAll(db).map {
            StoredAgenda(
                bookingID: $0.bookingID, agendaJSON: $0.json, adjustmentsJSON: $0.adjustments, plannedAt: Date(timeIntervalSince1970: $0.plannedAt),
                staleReason: $0.staleReason)
        }
        records.audit = try AuditRow.order(AuditRow.CodingKeys.id).fetchAll(db).map(\.entry)
        records.sentEvents = try SentEventRow.order(SentEventRow.CodingKeys.uid).fetchAll(db).map { try $0.event }
        records.outbox = try OutboxRow.order(OutboxRow.CodingKeys.id).fetchAll(db).map { try $0.message }
        records.feeds = try feeds()
        records.apiTokens = try apiTokens()
        records.notes = try BookingNoteRow.order(BookingNoteRow.CodingKeys.bookingID).fetchAll(db).map {
            BookingNote(bookingID: $0.bookingID, note: $0.note, source: $0.source, createdAt: Date(timeIntervalSince1970: $0.createdAt))
        }
        return records
    }

    /// Writes `records` into this empty store with their ids and numbers, occupancy rows derived as usual.
    func load(_ records: StoreRecords) throws {
        if let settings = records.settings { try SettingsRow(settings).insert(db) }
        for (key, value) in records.profile.sorted(by: { $0.key < $1.key }) { try ProfileRow(key: key, value: value).insert(db) }
        for record in records.bookings {
            try BookingRow(record.booking, seq: record.seq, fingerprint: record.requestFingerprint).insert(db)
            try occupy(record.booking)
            for p in record.booking.payments {
                var row = PaymentRow(
                    id: p.id, bookingID: record.booking.id, amountCents: p.amountCents, day: p.date.description, note: p.note, voided: p.voided)
                try row.insert(db)
            }
        }
        for record in records.blackouts {
            var row = BlackoutRow(record.blackout, uid: record.uid, recurrenceID: record.recurrenceID)
            try row.insert(db)
        }
        for entry in records.waitlist {
            var row = WaitlistRow(entry)
            try row.insert(db)
        }
        for record in records.series { try SeriesRow(record.stored, seq: record.seq).insert(db) }
        for (bookingID, json) in records.intakes.sorted(by: { $0.key < $1.key }) { try IntakeRow(bookingID: bookingID, json: json).insert(db) }
        for agenda in records.agendas { try save(agenda) }
        for entry in records.audit {
            var row = AuditRow(
                id: entry.id, at: entry.at.timeIntervalSince1970, actor: entry.actor, action: entry.action, entity: entry.entity,
                entityID: entry.entityID, detail: entry.detail)
            try row.insert(db)
        }
        for event in records.sentEvents { try SentEventRow(event).insert(db) }
        for message in records.outbox {
            var row = OutboxRow(message)
            try row.insert(db)
        }
        for feed in records.feeds { try insert(feed) }
        for token in records.apiTokens { try insert(token) }
        for note in records.notes { try save(note) }
    }
}

extension SQLiteTransaction {
    /// Refuses a store holding a text value with a NUL byte or bytes that are not UTF-8, naming the table, the
    /// column and the record's key (never the value: it may be a couple's name).
    func checkTextIsCopyable() throws {
        let tables = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        for table in tables {
            let info = try Row.fetchAll(db, sql: "SELECT name, pk FROM pragma_table_info(?)", arguments: [table])
            let columns: [String] = info.map { $0["name"] }
            let key = info.first(where: { ($0["pk"] as Int) == 1 }).map { $0["name"] as String }
            let keyExpression = key.map { "quote(\"\($0)\")" } ?? "rowid"
            for column in columns {
                let cursor = try Row.fetchCursor(
                    db,
                    sql: """
                        SELECT CAST(\(keyExpression) AS TEXT) AS k, CAST("\(column)" AS BLOB) AS v FROM "\(table)" WHERE typeof("\(column)") = 'text'
                        """)
                while let row = try cursor.next() {
                    guard let bytes = row["v"] as Data? else { continue }
                    let problem: String
                    if bytes.contains(0) {
                        problem = "holds a NUL byte"
                    } else if String(validating: bytes, as: UTF8.self) == nil {
                        problem = "holds bytes that are not UTF-8"
                    } else {
                        continue
                    }
                    let id = (row["k"] as String?) ?? "?"
                    throw StoreError(
                        .incompatible,
                        "the \(table) record \(id) \(problem) in its \(column) (PostgreSQL would store it changed); correct it in the source first")
                }
            }
        }
    }
}

extension SQLiteStore {
    /// Writes `records` as a new SQLite store file at `path` (which must not exist), mode 0600, complete or not
    /// at all: how a PostgreSQL store is backed up (`retreat backup`), in the format `retreat restore` reads on
    /// either store.
    /// - Throws: `StoreError.invalid` when `path` exists, `.io` when it cannot be written.
    public static func writeBackup(_ records: StoreRecords, to path: String) throws(StoreError) {
        if FileManager.default.fileExists(atPath: path) || (try? FileManager.default.destinationOfSymbolicLink(atPath: path)) != nil {
            throw StoreError(.invalid, "\(path) already exists; choose a new file for the backup")
        }
        removeAbandonedTemporaries(beside: path)
        let temporary = try temporaryFile(beside: path)
        defer { removeDatabaseFiles(temporary) }
        do {
            let store = try SQLiteStore(path: temporary, create: true)
            try store.queue.write { db in try SQLiteTransaction(db: db).load(records) }
            try store.queue.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA journal_mode = DELETE") }
            try store.queue.close()
        } catch let error as StoreError {
            throw StoreError(error.code, "backup to \(path) failed: \(error.message)")
        } catch {
            throw StoreError(.io, "backup to \(path) failed: \(error)")
        }
        try publish(temporary, at: path)
    }

    /// The records of the backup file at `path` after the checks `restore` makes (a Retreat store of this or an
    /// older schema, integrity, schema shape, settings, invariants), read from a private copy: how a PostgreSQL
    /// store is restored. The backup's own file is never touched.
    /// `check` is the use cases' own reading of every record, as `restore` runs it.
    public static func records(ofBackup path: String, check: (any StoreReading) throws -> Void) throws(StoreError) -> StoreRecords {
        try requireRegularFile(path)
        // The whole practice passes through this copy: in a folder only this account can enter, mode 0600, and
        // copies a killed restore left there are removed.
        let beside = (try privateTemporaryFolder() as NSString).appendingPathComponent("retreat-restore")
        removeAbandonedTemporaries(beside: beside)
        let candidate = try temporaryFile(beside: beside)
        defer { removeDatabaseFiles(candidate) }
        do {
            let copy = try checkedCopy(of: path, into: candidate, check: check)
            defer { try? copy.close() }
            return try copy.read { db in try SQLiteTransaction(db: db).records() }
        } catch let error as StoreError {
            throw error
        } catch let error as DatabaseError {
            throw StoreError(.incompatible, "\(path) cannot be restored: \(error.message ?? "\(error.resultCode)")")
        } catch {
            throw StoreError(.io, "cannot read \(path): \(error)")
        }
    }

    /// Refuses a backup path that is missing or not a regular file (a FIFO or a device would block or never end).
    static func requireRegularFile(_ path: String) throws(StoreError) {
        var info = stat()
        guard stat(path, &info) == 0 else { throw StoreError(.notFound, "cannot read \(path): no such file") }
        guard info.st_mode & S_IFMT == S_IFREG else { throw StoreError(.invalid, "\(path) is not a regular file; give a backup file") }
    }

    /// `$TMPDIR/retreat-UID`, mode 0700, owned by this account (created when missing; refused when someone
    /// else could enter it).
    static func privateTemporaryFolder() throws(StoreError) -> String {
        let folder = (NSTemporaryDirectory() as NSString).appendingPathComponent("retreat-\(getuid())")
        if mkdir(folder, 0o700) != 0 && errno != EEXIST {
            throw StoreError(.io, "cannot create \(folder): \(String(cString: strerror(errno)))")
        }
        var info = stat()
        guard lstat(folder, &info) == 0, info.st_mode & S_IFMT == S_IFDIR, info.st_uid == getuid(), info.st_mode & 0o077 == 0 else {
            throw StoreError(.io, "\(folder) is not a private folder of this account (mode 0700); remove it")
        }
        return folder
    }

    /// Names of the migrations this build applies, in order (the PostgreSQL store applies the same list).
    public static var migrationNames: [String] { SQLiteSchema.migrationNames }
}
