import Foundation
internal import GRDB
import RetreatScheduling

extension SQLiteStore {
    /// Copies the store to `path` with SQLite's online backup API: a consistent snapshot even while other staff
    /// write. The copy is written to a temporary file (mode 0600) in the target's folder and linked into place
    /// only when complete, so a backup killed mid-way never leaves a partial file at `path`.
    /// - Throws: `StoreError.invalid` when `path` exists, `.io` when the folder cannot be written.
    public func backup(to path: String) throws(StoreError) {
        if FileManager.default.fileExists(atPath: path) || (try? FileManager.default.destinationOfSymbolicLink(atPath: path)) != nil {
            throw StoreError(.invalid, "\(path) already exists; choose a new file for the backup")
        }
        Self.removeAbandonedTemporaries(beside: path)
        let temporary = try Self.temporaryFile(beside: path)
        defer { Self.removeDatabaseFiles(temporary) }
        do {
            let destination = try DatabaseQueue(path: temporary)
            try queue.backup(to: destination)
            try destination.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA journal_mode = DELETE") }
            try destination.close()
        } catch {
            throw StoreError(.io, "backup to \(path) failed: \(error)")
        }
        try Self.publish(temporary, at: path)
    }

    /// Replaces the store's contents with a backup, after checking a private copy of it: a Retreat store of this
    /// or an older schema whose applied migrations are a prefix of this build's, migrated to this schema, with
    /// the same tables and columns as a new store, SQLite's integrity and foreign-key checks passing, settings
    /// in their documented ranges, and the occupancy invariant holding. Only then is the copy swapped in (one
    /// SQLite backup step: all or nothing); otherwise nothing changes and the error names the failed check.
    public func restore(from path: String, audit: AuditEntry, check: (any StoreReading) throws -> Void) throws(StoreError) {
        try Self.requireRegularFile(path)
        Self.removeAbandonedTemporaries(beside: self.path)
        let candidate = try Self.temporaryFile(beside: self.path)
        defer { Self.removeDatabaseFiles(candidate) }
        do {
            let copy = try Self.checkedCopy(of: path, into: candidate, check: check)
            // The copy takes the store's page size, or SQLite's backup step into a WAL store fails.
            let pageSize = try queue.read { db in try Int.fetchOne(db, sql: "PRAGMA page_size") ?? 4096 }
            if try copy.read({ db in try Int.fetchOne(db, sql: "PRAGMA page_size") }) != pageSize {
                try copy.writeWithoutTransaction { db in
                    try db.execute(sql: "PRAGMA page_size = \(pageSize)")
                    try db.execute(sql: "VACUUM")
                }
            }
            try Self.useWAL(queue)
            try copy.backup(to: queue)
            try copy.close()
            try write { tx in try tx.append(audit) }
        } catch let error as StoreError {
            let sentence = error.message.hasSuffix(".") ? String(error.message.dropLast()) : error.message
            throw StoreError(error.code, "\(sentence); nothing was restored")
        } catch let error as DatabaseError {
            throw StoreError(.incompatible, "\(path) cannot be restored: \(error.message ?? "\(error.resultCode)"); nothing was restored")
        } catch {
            throw StoreError(.io, "restore from \(path) failed: \(error); nothing was restored")
        }
    }

    /// Copies the backup at `path` (opened read-only: its own file is never touched) into the private, empty file
    /// `candidate`, migrates the copy and runs every check of `check(_:name:)` on it, then `check` (the use cases'
    /// own reading of every record).
    static func checkedCopy(of path: String, into candidate: String, check: (any StoreReading) throws -> Void) throws -> DatabaseQueue {
        do {
            var config = Configuration()
            config.readonly = true
            let source = try DatabaseQueue(path: path, configuration: config)
            let header = try source.read { db in
                (try Int32.fetchOne(db, sql: "PRAGMA application_id") ?? 0, try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0)
            }
            guard header.0 == SQLiteSchema.applicationID else { throw StoreError(.incompatible, "\(path) is not a Retreat store") }
            if header.1 > SQLiteSchema.version {
                throw StoreError(.incompatible, "\(path) is of a newer schema (\(header.1); this build knows \(SQLiteSchema.version)); upgrade retreat")
            }
            let copy = try DatabaseQueue(path: candidate)
            try source.backup(to: copy)
            try source.close()
            try copy.close()
        } catch let error as DatabaseError where error.resultCode == .SQLITE_NOTADB {
            throw StoreError(.incompatible, "\(path) is not a Retreat store (not an SQLite database)")
        }
        let copy = try DatabaseQueue(path: candidate)
        try Self.check(copy, name: path)
        // Every record must also make sense to the use cases (amounts, texts, documents), checked by them.
        do {
            try copy.read { db in try check(SQLiteTransaction(db: db)) }
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(.incompatible, "\(path) holds a record Retreat cannot use: \(error)")
        }
        return copy
    }

    /// The checks a restore candidate must pass, migrating it first (it is a private copy).
    static func check(_ copy: DatabaseQueue, name: String) throws {
        let integrity = try copy.read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check") }
        guard integrity == ["ok"] else {
            throw StoreError(.incompatible, "\(name) fails SQLite's integrity check (\(integrity.prefix(2).joined(separator: "; ")))")
        }
        let applied = try copy.read { db -> [String]? in
            guard try db.tableExists("grdb_migrations") else { return nil }
            return try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations")
        }
        guard let applied, !applied.isEmpty else {
            throw StoreError(.incompatible, "\(name) has no migration history; it was not written by retreat")
        }
        let known = SQLiteSchema.migrationNames
        guard applied.count <= known.count, Set(applied) == Set(known.prefix(applied.count)) else {
            throw StoreError(
                .incompatible, "\(name) has migrations this build does not know (\(Set(applied).subtracting(known).sorted().joined(separator: ", ")))")
        }
        try SQLiteSchema.migrator.migrate(copy)
        try copy.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA user_version = \(SQLiteSchema.version)") }
        // The same schema as a store this build creates: tables and columns, and every key, index, trigger and
        // view exactly (a backup without the occupancy key, or with a trigger of its own, is not taken over).
        let reference = try DatabaseQueue()
        try SQLiteSchema.migrator.migrate(reference)
        let expected = try reference.read(Self.shape)
        let actual = try copy.read(Self.shape)
        if actual != expected {
            let missing = expected.subtracting(actual).sorted().prefix(3)
            let extra = actual.subtracting(expected).sorted().prefix(3)
            throw StoreError(
                .incompatible,
                "\(name) does not have the schema of a Retreat store (missing: \(missing.joined(separator: ", ")); unexpected: \(extra.joined(separator: ", ")))"
            )
        }
        let expectedSQL = try reference.read(Self.definitions)
        let actualSQL = try copy.read(Self.definitions)
        if actualSQL != expectedSQL {
            let odd = actualSQL.symmetricDifference(expectedSQL).map { $0.split(separator: "\u{1F}").prefix(2).joined(separator: " ") }.sorted().prefix(3)
            throw StoreError(.incompatible, "\(name) has keys, indexes or triggers a Retreat store does not have (\(odd.joined(separator: ", ")))")
        }
        try copy.read { db in
            let tx = SQLiteTransaction(db: db)
            let settings: PracticeSettings
            do { settings = try tx.settings() } catch { throw StoreError(.incompatible, "\(name) has no readable settings: \(error)") }
            do { try settings.validate() } catch { throw StoreError(.incompatible, "\(name) has impossible settings: \(error)") }
            let problems = try violations(db)
            if let first = problems.first {
                throw StoreError(.incompatible, "\(name) breaks the store's invariants: \(first)")
            }
        }
    }

    /// Table and column names of a database, as "table.column".
    static func shape(_ db: Database) throws -> Set<String> {
        var result = Set<String>()
        for table in try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'") {
            for column in try db.columns(in: table) { result.insert("\(table).\(column.name)") }
        }
        return result
    }

    /// Every schema object's type, name and SQL (keys, indexes, triggers, views), whitespace normalised.
    static func definitions(_ db: Database) throws -> Set<String> {
        Set(
            try Row.fetchAll(db, sql: "SELECT type, name, coalesce(sql, '') AS sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'").map { row in
                let sql = (row["sql"] as String).split(whereSeparator: \.isWhitespace).joined(separator: " ")
                return "\(row["type"] as String)\u{1F}\(row["name"] as String)\u{1F}\(sql)"
            })
    }

    /// Removes temporary copies a killed backup or restore left beside `path` (their process is gone).
    static func removeAbandonedTemporaries(beside path: String) {
        let url = URL(fileURLWithPath: path)
        let dir = url.deletingLastPathComponent().path
        let prefix = ".\(url.lastPathComponent)."
        for name in (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [] where name.hasPrefix(prefix) && name.contains(".tmp") {
            let parts = name.dropFirst(prefix.count).split(separator: ".")
            guard let pid = parts.first.flatMap({ Int32($0) }), pid != getpid() else { continue }
            if kill(pid, 0) != 0 && errno == ESRCH { unlink((dir as NSString).appendingPathComponent(name)) }
        }
    }

    /// A new, empty, mode-0600 file beside `path` (same folder, so a rename or link stays on one file system).
    static func temporaryFile(beside path: String) throws(StoreError) -> String {
        let dir = FilePaths.folder(of: path)
        let name = ".\((path as NSString).lastPathComponent).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp"
        let temporary = dir.isEmpty ? name : (dir as NSString).appendingPathComponent(name)
        let fd = open(temporary, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { throw StoreError(.io, "cannot create \(path): \(String(cString: strerror(errno)))") }
        close(fd)
        return temporary
    }

    /// Links a finished temporary file to `path` (refusing to replace anything there) and removes its name.
    static func publish(_ temporary: String, at path: String) throws(StoreError) {
        let fd = open(temporary, O_RDONLY)
        if fd >= 0 {
            fsync(fd)
            close(fd)
        }
        guard link(temporary, path) == 0 else {
            let reason = errno == EEXIST ? "it already exists" : String(cString: strerror(errno))
            throw StoreError(.invalid, "cannot create \(path): \(reason)")
        }
        let dir = FilePaths.folder(of: path)
        let dfd = open(dir.isEmpty ? "." : dir, O_RDONLY)
        if dfd >= 0 {
            fsync(dfd)
            close(dfd)
        }
    }

    /// Removes a database file and its journal files.
    static func removeDatabaseFiles(_ path: String) {
        for suffix in ["", "-wal", "-shm", "-journal"] { unlink(path + suffix) }
    }
}
