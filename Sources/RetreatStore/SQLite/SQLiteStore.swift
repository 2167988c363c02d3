import Foundation
internal import GRDB
import RetreatScheduling

/// The practice's records in one SQLite file (GRDB, WAL mode): the embedded default store.
///
/// Invariants live in the schema: one row per occupied resource-day (intensive and turnover days of every
/// live booking) under a primary key, so two staff booking the same dates at the same instant cannot both
/// win, even from two processes. Every write runs in one `BEGIN IMMEDIATE` transaction.
///
/// One connection per process (`DatabaseQueue`) on a WAL-mode file: other processes read while one writes,
/// writers queue on the 30-second busy timeout. (GRDB's `DatabasePool` creates and drops a table on every
/// open, which would make read-only commands change the file.)
public final class SQLiteStore: PracticeStore {
    let queue: DatabaseQueue
    /// The file path of the store.
    public let path: String
    /// The file path of the store.
    public var location: String { path }

    /// Schema version this build writes; a store of a newer version is refused.
    public static var schemaVersion: Int { SQLiteSchema.version }

    /// Opens (or, with `create`, creates with mode 0600) the store at `path`.
    /// - Throws: `StoreError.notInitialized` when the file is missing and `create` is false, `.invalid` when
    ///   `create` is true and something already exists there and `exclusive` is set, `.incompatible` for a
    ///   file that is not a Retreat store or is of a newer schema.
    public init(path: String, create: Bool = false) throws(StoreError) {
        self.path = path
        var info = stat()
        if stat(path, &info) != 0 {
            guard create else {
                throw StoreError(.notInitialized, "no Retreat store at \(path); run `retreat init` first (or pass --db)")
            }
            try Self.createFile(path)
        } else if info.st_size == 0 {
            // An empty file is not a store yet: only `init` (create) may make it one, and then it is private.
            guard create else {
                throw StoreError(.notInitialized, "\(path) is empty, not a Retreat store; run `retreat init` first (or pass --db)")
            }
            chmod(path, 0o600)
        }
        do {
            queue = try Self.openQueue(path)
            // Nothing is written to a file before it is known to be ours (a foreign database stays untouched).
            try queue.read { db in try Self.checkOwnership(db, path: path) }
            try Self.migrateIfNeeded(queue)
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

    /// Refuses a database that is not a Retreat store or is of a newer schema. A file whose header was never
    /// stamped (an `init` killed after its first migrations) is ours when its migration history is a prefix of
    /// this build's and every table is one of ours.
    static func checkOwnership(_ db: Database, path: String) throws {
        let appID = try Int32.fetchOne(db, sql: "PRAGMA application_id") ?? 0
        let tables = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        if appID != SQLiteSchema.applicationID && !tables.isEmpty {
            let known = Set(SQLiteSchema.migrationNames)
            let applied = tables.contains("grdb_migrations") ? try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations") : []
            let ours = try SQLiteSchema.tableNames()
            guard appID == 0, tables.contains("grdb_migrations"), Set(applied).isSubset(of: known), Set(tables).isSubset(of: ours) else {
                throw StoreError(.incompatible, "\(path) is not a Retreat store")
            }
        }
        let version = try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0
        if version > SQLiteSchema.version {
            throw StoreError(
                .incompatible, "\(path) was written by a newer Retreat (schema \(version); this build knows \(SQLiteSchema.version)); upgrade retreat")
        }
    }

    static func openQueue(_ path: String, readonly: Bool = false) throws -> DatabaseQueue {
        var config = Configuration()
        config.busyMode = .timeout(30)
        config.foreignKeysEnabled = true
        config.readonly = readonly
        config.label = "retreat"
        if ProcessInfo.processInfo.environment["RETREAT_TRACE_SQL"] != nil {
            config.prepareDatabase { db in db.trace { FileHandle.standardError.write(Data("SQL: \($0)\n".utf8)) } }
        }
        return try DatabaseQueue(path: path, configuration: config)
    }

    /// Migrates only when needed (GRDB's migrator writes to the schema even when it has nothing to do, and a
    /// read-only command must leave the file byte-for-byte alone), then stamps the header when it changes.
    static func migrateIfNeeded(_ queue: DatabaseQueue) throws {
        if try !queue.read({ db in try SQLiteSchema.migrator.hasCompletedMigrations(db) }) {
            try useWAL(queue)
            try SQLiteSchema.migrator.migrate(queue)
        }
        try queue.writeWithoutTransaction { db in
            if try Int32.fetchOne(db, sql: "PRAGMA application_id") != SQLiteSchema.applicationID {
                try db.execute(sql: "PRAGMA application_id = \(SQLiteSchema.applicationID)")
            }
            if try Int.fetchOne(db, sql: "PRAGMA user_version") != SQLiteSchema.version {
                try db.execute(sql: "PRAGMA user_version = \(SQLiteSchema.version)")
            }
        }
    }

    /// Creates an empty file with mode 0600 (and its folder 0700), refusing one that exists.
    static func createFile(_ path: String) throws(StoreError) {
        let dir = FilePaths.folder(of: path)
        if !dir.isEmpty && !FileManager.default.fileExists(atPath: dir) {
            do {
                try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } catch {
                throw StoreError(.io, "cannot create folder \(dir): \(error.localizedDescription)")
            }
        }
        // Mode 0600 from the first byte: the store holds couples' private details. SQLite gives the
        // -wal and -shm files the same mode.
        let fd = open(path, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW, 0o600)
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

    /// WAL mode (readers beside one writer), set before the first write: a read-only command leaves a file in
    /// another journal mode (a backup) byte-for-byte alone.
    static func useWAL(_ queue: DatabaseQueue) throws {
        if try queue.read({ db in try String.fetchOne(db, sql: "PRAGMA journal_mode") }) != "wal" {
            try queue.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA journal_mode = WAL") }
        }
    }

    // MARK: transactions

    public func read<T>(_ body: (any StoreReading) throws -> T) throws -> T {
        try mapped { try queue.read { db in try body(SQLiteTransaction(db: db)) } }
    }

    public func write<T>(_ body: (any StoreWriting) throws -> T) throws -> T {
        try mapped {
            try Self.useWAL(queue)
            return try queue.writeWithoutTransaction { db in
                var result: T?
                // IMMEDIATE: the write lock is taken at BEGIN, so what the body reads cannot change before it
                // writes; a concurrent writer waits up to the busy timeout rather than fails.
                try db.inTransaction(.immediate) {
                    result = try body(SQLiteTransaction(db: db))
                    return .commit
                }
                guard let result else { throw StoreError(.io, "transaction produced no result") }
                return result
            }
        }
    }

    /// Runs `body`, mapping SQLite's errors to `StoreError` and passing every other error through.
    func mapped<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as DatabaseError {
            throw Self.map(error)
        }
    }

    static func map(_ error: DatabaseError) -> StoreError {
        switch error.resultCode {
        case .SQLITE_BUSY, .SQLITE_LOCKED:
            return StoreError(.busy, "the store is busy (another staff member is writing); try again")
        case .SQLITE_CONSTRAINT:
            return StoreError(.conflict, "the change conflicts with an existing record; nothing was changed")
        case .SQLITE_READONLY:
            return StoreError(.io, "the store is read-only")
        case .SQLITE_FULL:
            return StoreError(.io, "the disk is full; nothing was changed")
        default:
            return StoreError(.io, "database error: \(error.message ?? "\(error.resultCode)")")
        }
    }

    // MARK: checks

    public func invariantViolations() throws -> [String] {
        try mapped { try queue.read { db in try Self.violations(db) } }
    }

    /// Every broken invariant of the database `db`: integrity, foreign keys, occupancy rows equal to the
    /// spans of the live bookings, no resource-day shared by two live bookings, readable records.
    static func violations(_ db: Database) throws -> [String] {
        var problems: [String] = []
        let integrity = try String.fetchAll(db, sql: "PRAGMA integrity_check")
        if integrity != ["ok"] { problems.append("integrity_check: \(integrity.prefix(3).joined(separator: "; "))") }
        if try Row.fetchOne(db, sql: "PRAGMA foreign_key_check") != nil { problems.append("foreign key check failed") }
        var expected = Set<String>()
        let tx = SQLiteTransaction(db: db)
        let live: [Booking]
        do {
            live = try tx.bookings(.live)
            _ = try tx.bookings(BookingQuery())
            _ = try tx.blackouts()
            _ = try tx.waitlist()
            _ = try tx.allSeries()
            _ = try tx.sentEvents(owner: nil)
            _ = try tx.outboxMessages(OutboxQuery())
        } catch {
            problems.append("records cannot be read: \(error)")
            return problems
        }
        for b in live {
            if !(1...14).contains(b.intensiveDays) || !(0...30).contains(b.turnoverDays) {
                problems.append("booking \(b.id) has an impossible span of \(b.intensiveDays)+\(b.turnoverDays) days")
                continue
            }
            for (offset, day) in b.occupancy.occupiedDays.enumerated() {
                let key = "\(b.resource)|\(day)|\(offset < b.intensiveDays ? "intensive" : "turnover")|\(b.id)"
                if !expected.insert(key).inserted { problems.append("booking \(b.id) occupies \(day) twice") }
            }
        }
        var shared = Set<String>()
        for key in expected {
            let parts = key.split(separator: "|")
            if !shared.insert("\(parts[0])|\(parts[1])").inserted { problems.append("two live bookings share \(parts[0]) on \(parts[1])") }
        }
        let rows = Set(try OccupiedDayRow.fetchAll(db).map { "\($0.resource)|\($0.day)|\($0.kind)|\($0.bookingID)" })
        let diff = rows.symmetricDifference(expected)
        if !diff.isEmpty {
            problems.append(
                "occupancy rows and live bookings differ on \(diff.count) resource-day(s), e.g. \(diff.sorted().prefix(3).joined(separator: ", "))")
        }
        return problems
    }
}
