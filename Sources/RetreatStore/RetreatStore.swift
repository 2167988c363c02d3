import Foundation
import GRDB
import RetreatScheduling

/// The practice's bookings in one SQLite file (GRDB, WAL mode).
///
/// Invariants live in the schema: one row per occupied resource-day (intensive and turnover days of every
/// live booking) under a primary key, so two staff booking the same dates at the same instant cannot both
/// win, even from two processes. Every write runs in one `BEGIN IMMEDIATE` transaction and appends to the
/// audit log in that same transaction.
public final class RetreatStore: Sendable {
    let dbWriter: any DatabaseWriter
    /// The file path of the store.
    public let path: String

    /// Schema version this build writes; a store of a newer version is refused.
    public static let schemaVersion = 4
    static let applicationID: Int32 = 0x5254_5254  // "RTRT"

    /// Opens (or, with `create`, creates with mode 0600) the store at `path`.
    /// - Throws: `StoreError.notInitialized` when the file is missing and `create` is false,
    ///   `.incompatible` for a file that is not a Retreat store or is of a newer schema.
    public init(path: String, create: Bool = false) throws(StoreError) {
        self.path = path
        let fm = FileManager.default
        if !fm.fileExists(atPath: path) {
            guard create else {
                throw StoreError(.notInitialized, "no Retreat store at \(path); run `retreat init` first (or pass --db)")
            }
            try Self.createFile(path)
        }
        var config = Configuration()
        config.busyMode = .timeout(30)
        config.foreignKeysEnabled = true
        config.label = "retreat"
        if ProcessInfo.processInfo.environment["RETREAT_TRACE_SQL"] != nil {
            config.prepareDatabase { db in db.trace { FileHandle.standardError.write(Data("SQL: \($0)\n".utf8)) } }
        }
        do {
            // One connection per process (DatabaseQueue) on a WAL-mode file: other processes read while one
            // writes, writers queue on the busy timeout. (GRDB's DatabasePool creates and drops a table on every
            // open, which would make read-only commands change the file.)
            let pool = try DatabaseQueue(path: path, configuration: config)
            self.dbWriter = pool
            if try pool.read({ db in try String.fetchOne(db, sql: "PRAGMA journal_mode") }) != "wal" {
                try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA journal_mode = WAL") }
            }
            try pool.writeWithoutTransaction { db in
                let appID = try Int32.fetchOne(db, sql: "PRAGMA application_id") ?? 0
                let tables = try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master WHERE type = 'table'") ?? 0
                if appID != Self.applicationID && tables > 0 {
                    throw StoreError(.incompatible, "\(path) is not a Retreat store")
                }
                let version = try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0
                if version > Self.schemaVersion {
                    throw StoreError(
                        .incompatible, "\(path) was written by a newer Retreat (schema \(version); this build knows \(Self.schemaVersion)); upgrade retreat")
                }
            }
            // Migrate only when needed: GRDB's migrator writes to the schema even when it has nothing to do,
            // and a read-only command must leave the file byte-for-byte alone.
            if try !pool.read({ db in try Self.migrator.hasCompletedMigrations(db) }) {
                try Self.migrator.migrate(pool)
            }
            // Only write the header when it changes: a read-only command must leave the file byte-for-byte alone.
            try pool.writeWithoutTransaction { db in
                if try Int32.fetchOne(db, sql: "PRAGMA application_id") != Self.applicationID {
                    try db.execute(sql: "PRAGMA application_id = \(Self.applicationID)")
                }
                if try Int.fetchOne(db, sql: "PRAGMA user_version") != Self.schemaVersion {
                    try db.execute(sql: "PRAGMA user_version = \(Self.schemaVersion)")
                }
            }
        } catch let error as StoreError {
            throw error
        } catch let error as DatabaseError {
            if error.resultCode == .SQLITE_NOTADB {
                throw StoreError(.incompatible, "\(path) is not a Retreat store (not an SQLite database)")
            }
            throw StoreError(.io, "cannot open \(path): \(error.message ?? "\(error.resultCode)")")
        } catch {
            throw StoreError(.io, "cannot open \(path): \(error)")
        }
    }

    private static func createFile(_ path: String) throws(StoreError) {
        let dir = (path as NSString).deletingLastPathComponent
        if !dir.isEmpty && !FileManager.default.fileExists(atPath: dir) {
            do {
                try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } catch {
                throw StoreError(.io, "cannot create folder \(dir): \(error.localizedDescription)")
            }
        }
        // Mode 0600 from the first byte: the store holds couples' private details. SQLite gives the
        // -wal and -shm files the same mode.
        let fd = open(path, O_CREAT | O_EXCL | O_WRONLY, 0o600)
        if fd < 0 {
            throw StoreError(.io, "cannot create \(path): \(String(cString: strerror(errno)))")
        }
        fchmod(fd, 0o600)
        close(fd)
    }

    /// Default store path: `$RETREAT_DB`, else `$XDG_DATA_HOME/retreat/retreat.sqlite`, else
    /// `~/.local/share/retreat/retreat.sqlite`.
    public static func defaultPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let db = environment["RETREAT_DB"], !db.isEmpty { return db }
        let base =
            environment["XDG_DATA_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? ((environment["HOME"] ?? NSHomeDirectory()) + "/.local/share")
        return base + "/retreat/retreat.sqlite"
    }

    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE settings (
                        id INTEGER PRIMARY KEY CHECK (id = 1),
                        json TEXT NOT NULL
                    );
                    -- Practice profile for calendars: name, organizer e-mail and name, location.
                    CREATE TABLE profile (
                        key TEXT PRIMARY KEY,
                        value TEXT NOT NULL
                    );
                    CREATE TABLE bookings (
                        id TEXT PRIMARY KEY,
                        seq INTEGER NOT NULL UNIQUE,
                        couple TEXT NOT NULL CHECK (couple <> ''),
                        contact TEXT,
                        resource TEXT NOT NULL,
                        start TEXT NOT NULL,
                        end TEXT NOT NULL CHECK (end >= start),
                        status TEXT NOT NULL CHECK (status IN ('held','confirmed','completed','cancelled','expired')),
                        sequence INTEGER NOT NULL DEFAULT 0,
                        priorities TEXT NOT NULL DEFAULT '[]',
                        price_cents INTEGER NOT NULL CHECK (price_cents >= 0),
                        deposit_cents INTEGER NOT NULL CHECK (deposit_cents >= 0),
                        deposit_due TEXT NOT NULL,
                        created_at REAL NOT NULL,
                        hold_expires_at REAL,
                        refund_cents INTEGER,
                        refund_percent INTEGER,
                        cancelled_on TEXT,
                        request_id TEXT UNIQUE
                    );
                    CREATE INDEX bookings_start ON bookings(start);
                    CREATE INDEX bookings_status ON bookings(status);
                    -- One row per occupied resource-day of every live booking, turnover included.
                    -- The primary key is what makes a double booking impossible.
                    CREATE TABLE occupied_days (
                        resource TEXT NOT NULL,
                        day TEXT NOT NULL,
                        booking_id TEXT NOT NULL REFERENCES bookings(id) ON DELETE CASCADE,
                        kind TEXT NOT NULL CHECK (kind IN ('intensive','turnover')),
                        PRIMARY KEY (resource, day)
                    ) WITHOUT ROWID;
                    CREATE INDEX occupied_days_booking ON occupied_days(booking_id);
                    CREATE TABLE payments (
                        id INTEGER PRIMARY KEY,
                        booking_id TEXT NOT NULL REFERENCES bookings(id) ON DELETE CASCADE,
                        amount_cents INTEGER NOT NULL,
                        day TEXT NOT NULL,
                        note TEXT
                    );
                    CREATE INDEX payments_booking ON payments(booking_id);
                    CREATE TABLE blackouts (
                        id INTEGER PRIMARY KEY,
                        from_day TEXT NOT NULL,
                        to_day TEXT NOT NULL CHECK (to_day >= from_day),
                        resource TEXT,
                        reason TEXT,
                        source TEXT NOT NULL DEFAULT 'manual',
                        uid TEXT,
                        recurrence_id TEXT
                    );
                    CREATE INDEX blackouts_range ON blackouts(from_day, to_day);
                    CREATE TABLE waitlist (
                        id INTEGER PRIMARY KEY,
                        couple TEXT NOT NULL CHECK (couple <> ''),
                        contact TEXT,
                        from_day TEXT NOT NULL,
                        to_day TEXT NOT NULL CHECK (to_day >= from_day),
                        resource TEXT,
                        created_at REAL NOT NULL,
                        status TEXT NOT NULL DEFAULT 'waiting' CHECK (status IN ('waiting','booked','removed'))
                    );
                    CREATE TABLE audit_log (
                        id INTEGER PRIMARY KEY,
                        at REAL NOT NULL,
                        actor TEXT NOT NULL,
                        action TEXT NOT NULL,
                        entity TEXT NOT NULL,
                        entity_id TEXT NOT NULL,
                        detail TEXT NOT NULL DEFAULT '{}'
                    );
                    """)
        }
        m.registerMigration("v2-import-keys") { db in
            // An imported occurrence is stored once per source: re-importing the same file changes nothing.
            try db.execute(sql: "CREATE UNIQUE INDEX blackouts_import_key ON blackouts(source, uid, recurrence_id) WHERE uid IS NOT NULL")
        }
        m.registerMigration("v3-series") { db in
            try db.execute(
                sql: """
                    CREATE TABLE series (
                        id TEXT PRIMARY KEY,
                        seq INTEGER NOT NULL UNIQUE,
                        couple TEXT NOT NULL CHECK (couple <> ''),
                        counselor TEXT NOT NULL,
                        contact TEXT,
                        json TEXT NOT NULL,
                        active INTEGER NOT NULL DEFAULT 1,
                        created_at REAL NOT NULL
                    );
                    CREATE INDEX series_counselor ON series(counselor);
                    """)
        }
        m.registerMigration("v4-agendas") { db in
            try db.execute(
                sql: """
                    CREATE TABLE intakes (
                        booking_id TEXT PRIMARY KEY REFERENCES bookings(id) ON DELETE CASCADE,
                        affair_ended INTEGER,
                        safety_passed INTEGER NOT NULL
                    );
                    CREATE TABLE agendas (
                        booking_id TEXT PRIMARY KEY REFERENCES bookings(id) ON DELETE CASCADE,
                        json TEXT NOT NULL,
                        adjustments TEXT NOT NULL DEFAULT '{}',
                        planned_at REAL NOT NULL
                    );
                    """)
        }
        return m
    }

    // MARK: transactions

    /// Runs `body` in one IMMEDIATE transaction (the write lock is taken at BEGIN, so concurrent writers
    /// wait up to the busy timeout rather than fail), mapping SQLite errors to `StoreError`.
    func write<T>(_ body: (Database) throws -> T) throws(StoreError) -> T {
        do {
            return try dbWriter.writeWithoutTransaction { db in
                var result: T?
                try db.inTransaction(.immediate) {
                    result = try body(db)
                    return .commit
                }
                guard let result else { throw StoreError(.io, "transaction produced no result") }
                return result
            }
        } catch let error as StoreError {
            throw error
        } catch let error as DatabaseError {
            throw Self.map(error)
        } catch {
            throw StoreError(.io, "\(error)")
        }
    }

    func read<T>(_ body: (Database) throws -> T) throws(StoreError) -> T {
        do {
            return try dbWriter.read(body)
        } catch let error as StoreError {
            throw error
        } catch let error as DatabaseError {
            throw Self.map(error)
        } catch {
            throw StoreError(.io, "\(error)")
        }
    }

    static func map(_ error: DatabaseError) -> StoreError {
        switch error.resultCode {
        case .SQLITE_BUSY, .SQLITE_LOCKED:
            return StoreError(.io, "the store is busy (another staff member is writing); try again")
        case .SQLITE_CONSTRAINT:
            return StoreError(.conflict, "the change conflicts with an existing record; nothing was changed")
        case .SQLITE_READONLY:
            return StoreError(.io, "the store is read-only")
        default:
            return StoreError(.io, "database error: \(error.message ?? "\(error.resultCode)")")
        }
    }

    func audit(_ db: Database, now: Date, actor: String, action: String, entity: String, id: String, detail: [String: String] = [:]) throws {
        let json = (try? String(decoding: JSONSerialization.data(withJSONObject: detail, options: [.sortedKeys]), as: UTF8.self)) ?? "{}"
        try db.execute(
            sql: "INSERT INTO audit_log (at, actor, action, entity, entity_id, detail) VALUES (?, ?, ?, ?, ?, ?)",
            arguments: [now.timeIntervalSince1970, actor, action, entity, id, json])
    }

    // MARK: settings

    /// Stores the practice settings (validated first) and, optionally, the calendar profile.
    public func saveSettings(_ settings: PracticeSettings, profile: PracticeProfile? = nil, now: Date, actor: String) throws(StoreError) {
        do {
            try settings.validate()
        } catch {
            throw StoreError(.invalid, error.description)
        }
        let json = String(decoding: (try? JSONEncoder.sorted.encode(settings)) ?? Data(), as: UTF8.self)
        try write { db in
            let existing = try self.liveBookings(db)
            for b in existing where !settings.resources.contains(b.resource) {
                throw StoreError(.invalid, "resource \"\(b.resource)\" has live bookings (\(b.id)); keep it in resources")
            }
            try db.execute(sql: "INSERT INTO settings (id, json) VALUES (1, ?) ON CONFLICT(id) DO UPDATE SET json = excluded.json", arguments: [json])
            if let profile {
                for (key, value) in profile.pairs {
                    try db.execute(
                        sql: "INSERT INTO profile (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value", arguments: [key, value])
                }
            }
            try self.audit(db, now: now, actor: actor, action: "settings", entity: "settings", id: "1")
        }
    }

    /// The practice settings.
    /// - Throws: `StoreError.notInitialized` before `saveSettings`.
    public func settings() throws(StoreError) -> PracticeSettings {
        try read { db in try self.settings(db) }
    }

    /// The calendar profile (defaults where unset).
    public func profile() throws(StoreError) -> PracticeProfile {
        try read { db in
            var pairs: [String: String] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT key, value FROM profile") { pairs[row["key"]] = row["value"] }
            return PracticeProfile(pairs: pairs)
        }
    }

    func settings(_ db: Database) throws -> PracticeSettings {
        guard let json = try String.fetchOne(db, sql: "SELECT json FROM settings WHERE id = 1") else {
            throw StoreError(.notInitialized, "the store has no settings yet; run `retreat init --config FILE`")
        }
        do {
            return try JSONDecoder().decode(PracticeSettings.self, from: Data(json.utf8))
        } catch {
            throw StoreError(.incompatible, "the stored settings cannot be read: \(error)")
        }
    }
}

extension JSONEncoder {
    /// Compact JSON with sorted keys, for stable stored values.
    public static var sorted: JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        return e
    }
}
