import Foundation
import PostgresNIO
import RetreatScheduling
import RetreatStore

/// The practice's records in a PostgreSQL database (postgres-nio): for practices whose staff work on several
/// machines, or that run several `retreat serve` processes on one database.
///
/// The guarantees are the SQLite store's, held by PostgreSQL:
/// - no two live bookings of one resource share a day (intensive or turnover): an exclusion constraint over each
///   live booking's occupied date range, derived from its stored span
///   (`EXCLUDE USING gist (resource WITH =, occupied WITH &&)`, btree_gist);
/// - no two counseling sessions of one counselor overlap: one row per session of every active series, kept
///   whenever a series is written, under `EXCLUDE USING gist (counselor WITH =, during WITH &&)`;
/// - every write transaction first takes a transaction-level advisory lock of the practice
///   (`pg_advisory_xact_lock`), as SQLite's `BEGIN IMMEDIATE` takes the write lock, then runs at READ
///   COMMITTED: every statement sees all that was committed before the lock was granted, so a
///   check-then-insert cannot be overtaken. A writer waits up to 30 s (`lock_timeout`) for the lock. A body that
///   fails with a serialization failure or a deadlock (possible only when something else writes the tables) runs
///   again, up to five times in all;
/// - reads run in one `REPEATABLE READ READ ONLY` snapshot and never wait for writers.
///
/// A refused booking surfaces as the SQLite store's `StoreError(.conflict, "<day> is already taken on
/// <resource>; nothing was booked")`.
///
/// Calls block until the server answers: make them from any thread but an event loop's (the CLI's main thread,
/// the server's worker pool); a call on an event loop thread is refused with an error.
public final class PostgresStore: PracticeStore {
    let connector: PostgresConnector
    /// Where the store lives.
    public let url: PostgresLocation
    /// The URL (never with a password), for messages.
    public var location: String { url.description }

    /// Attempts a write transaction gets when the database asks for a retry.
    static let attempts = 5

    /// Opens the store at the `postgres://` URL `text`, applying missing migrations; with `create`, a database
    /// (or schema) without a Retreat store gets one.
    /// - Throws: `StoreError.invalid` for a URL that cannot be used (a password in it, ...), `.notInitialized`
    ///   when there is no store and `create` is false, `.incompatible` for a database that holds other tables or
    ///   migrations this build does not know, `.io` when the server cannot be reached or refuses the login.
    public init(url text: String, create: Bool = false, environment: [String: String] = ProcessInfo.processInfo.environment) throws(StoreError) {
        do {
            url = try PostgresLocation(url: text, environment: environment)
        } catch {
            throw StoreError(.invalid, "\(PostgresLocation.origin(of: text, environment: environment)): \(error.message)")
        }
        connector = try PostgresConnector(url, environment: environment)
        do {
            try connector.withSession { session in try Self.open(session, location: url, create: create) }
        } catch let error as StoreError {
            throw error
        } catch let error as PostgresFailure where error.sqlState?.hasPrefix("23") == true {
            // A rule a migration adds that the stored records break: not a booking conflict.
            throw StoreError(
                .incompatible,
                "\(url) cannot be brought up to this version: its records break a rule the new schema adds (\(error.message)); nothing was changed")
        } catch let error as PostgresFailure {
            throw error.storeError
        } catch {
            throw StoreError(.io, "cannot open \(url): \(PostgresConnector.reason(error))")
        }
    }

    // MARK: opening and migrations

    /// The advisory lock key of the practice in `schema`: every write, migration and copy takes it first.
    static func lockKey(_ schema: String) -> PostgresQuery {
        "SELECT pg_advisory_xact_lock(hashtextextended(\("retreat:" + schema), 0))"
    }

    /// What the database holds for a store at `location`.
    enum State: Equatable {
        /// No schema, or a schema with no relations.
        case empty
        /// A Retreat store with these migrations applied.
        case store(applied: [String])
        /// Relations that are not a Retreat store.
        case foreign(relations: Int)
    }

    static func state(_ session: PostgresSession, schema: String) throws -> State {
        let relations =
            try session.value(
                """
                SELECT count(*)::int8 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE n.nspname = \(schema) AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
                """, as: Int.self) ?? 0
        let hasMigrations =
            try session.value(
                "SELECT count(*)::int8 FROM pg_tables WHERE schemaname = \(schema) AND tablename = 'retreat_migrations'", as: Int.self) ?? 0
        if hasMigrations > 0 {
            return .store(applied: try session.column("SELECT name FROM retreat_migrations ORDER BY position", as: String.self))
        }
        return relations == 0 ? .empty : .foreign(relations: relations)
    }

    /// Checks the store's migrations and applies the missing ones (in one transaction under the practice's lock);
    /// creates the store when `create` and the database has none.
    static func open(_ session: PostgresSession, location: PostgresLocation, create: Bool) throws {
        // Most opens find the schema current and write nothing (read-only commands change no row).
        if case .store(let applied) = try state(session, schema: location.schema), try pending(applied, location: location).isEmpty {
            try checkShape(session, location: location)
            return
        }
        try session.execute("BEGIN")
        do {
            try session.query(lockKey(location.schema))
            switch try state(session, schema: location.schema) {
            case .foreign(let n):
                throw StoreError(
                    .incompatible, "\(location) is not a Retreat store (schema \(location.schema) holds \(n) other table(s) and no retreat_migrations)")
            case .empty:
                guard create else {
                    throw StoreError(.notInitialized, "no Retreat store at \(location); run `retreat init --db \(location)` first")
                }
                try createSchema(session, location: location)
                try migrate(session, applied: [], location: location)
            case .store(let applied):
                try migrate(session, applied: applied, location: location)
            }
            try session.commit()
        } catch {
            session.rollback()
            throw error
        }
        try checkShape(session, location: location)
    }

    /// Refuses a store whose schema lacks a table, or the validated exclusion constraints the no-double-booking
    /// guarantee rests on (a `pg_restore` into a database without btree_gist leaves them out, and says so only
    /// among its warnings).
    static func checkShape(_ session: PostgresSession, location: PostgresLocation) throws {
        let present = Set(try session.column("SELECT tablename::text FROM pg_tables WHERE schemaname = \(location.schema)", as: String.self))
        let missing = PostgresSchema.tables.filter { !present.contains($0) }
        if !missing.isEmpty {
            throw StoreError(
                .incompatible,
                "\(location) is incomplete: schema \(location.schema) lacks the table(s) \(missing.joined(separator: ", ")); restore the store from a backup")
        }
        let constraints = Set(
            try session.column(
                """
                SELECT c.conname::text FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
                WHERE n.nspname = \(location.schema) AND c.contype = 'x' AND c.convalidated
                """, as: String.self))
        let absent = PostgresSchema.guardingConstraints.filter { !constraints.contains($0) }
        if !absent.isEmpty {
            throw StoreError(
                .incompatible,
                "\(location) lacks the exclusion constraint(s) \(absent.joined(separator: ", ")) that keep two bookings or sessions from sharing a time (a pg_restore into a database without the btree_gist extension leaves them out); run CREATE EXTENSION btree_gist and restore again"
            )
        }
    }

    /// Creates the schema (when missing) and the migrations table.
    static func createSchema(_ session: PostgresSession, location: PostgresLocation) throws {
        // The schema name was checked to be a plain lower-case identifier (PostgresLocation).
        try session.execute("CREATE SCHEMA IF NOT EXISTS \(location.schema)")
        try session.execute(
            """
            CREATE TABLE \(location.schema).retreat_migrations (
                position integer PRIMARY KEY,
                name text NOT NULL UNIQUE,
                applied_at timestamptz NOT NULL DEFAULT now()
            )
            """)
    }

    /// The migrations still to apply after `applied`, refusing a history this build does not know.
    static func pending(_ applied: [String], location: PostgresLocation) throws(StoreError) -> [PostgresSchema.Migration] {
        let known = PostgresSchema.migrationNames
        let unknown = applied.filter { !known.contains($0) }
        if !unknown.isEmpty {
            throw StoreError(
                .incompatible,
                "\(location) was written by a newer Retreat (migrations \(unknown.joined(separator: ", ")) are unknown to this build); upgrade retreat")
        }
        guard Array(known.prefix(applied.count)) == applied else {
            throw StoreError(.incompatible, "\(location) has migrations applied out of order (\(applied.joined(separator: ", ")))")
        }
        return Array(PostgresSchema.migrations.dropFirst(applied.count))
    }

    static func migrate(_ session: PostgresSession, applied: [String], location: PostgresLocation) throws {
        let todo = try pending(applied, location: location)
        if todo.contains(where: { $0.name == "v5-stored-spans" }) { try ensureBtreeGist(session, location: location) }
        var position = applied.count
        for migration in todo {
            for statement in migration.statements { try session.execute(statement) }
            position += 1
            try session.query("INSERT INTO retreat_migrations (position, name) VALUES (\(position), \(migration.name))")
        }
    }

    /// btree_gist gives text equality a GiST operator class, which the exclusion constraints need. It is created
    /// in `public` (shared by every practice in the database) unless it is there already.
    static func ensureBtreeGist(_ session: PostgresSession, location: PostgresLocation) throws {
        if try session.value("SELECT count(*)::int8 FROM pg_extension WHERE extname = 'btree_gist'", as: Int.self) ?? 0 > 0 { return }
        let publicExists = try session.value("SELECT count(*)::int8 FROM pg_namespace WHERE nspname = 'public'", as: Int.self) ?? 0 > 0
        do {
            try session.execute("SAVEPOINT extension")
            try session.execute(publicExists ? "CREATE EXTENSION IF NOT EXISTS btree_gist WITH SCHEMA public" : "CREATE EXTENSION IF NOT EXISTS btree_gist")
            try session.execute("RELEASE SAVEPOINT extension")
        } catch {
            try? session.execute("ROLLBACK TO SAVEPOINT extension")
            throw StoreError(
                .io,
                "\(location): PostgreSQL's btree_gist extension is missing and this role cannot create it (\(error.message)); ask the database owner to run CREATE EXTENSION btree_gist (Debian: it comes with postgresql-contrib)"
            )
        }
    }

    // MARK: transactions

    public func read<T>(_ body: (any StoreReading) throws -> T) throws -> T {
        try mapped {
            try connector.withSession { session in
                try session.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                do {
                    let result = try body(PostgresTransaction(session: session))
                    try session.commit()
                    return result
                } catch {
                    session.rollback()
                    throw error
                }
            }
        }
    }

    public func write<T>(_ body: (any StoreWriting) throws -> T) throws -> T {
        try locked { session in try body(PostgresTransaction(session: session)) }
    }

    /// Runs `body` in one transaction that holds the practice's advisory lock from its start, again when the
    /// database asks for a retry.
    func locked<T>(_ body: (PostgresSession) throws -> T) throws -> T {
        var attempt = 1
        while true {
            do {
                return try connector.withSession { session in
                    try session.execute("BEGIN ISOLATION LEVEL READ COMMITTED")
                    do {
                        try session.query(Self.lockKey(url.schema))
                        let result = try body(session)
                        try session.commit()
                        return result
                    } catch {
                        session.rollback()
                        throw error
                    }
                }
            } catch let failure as PostgresFailure where failure.isRetryable && attempt < Self.attempts {
                attempt += 1
                usleep(UInt32.random(in: 1_000...(20_000 * UInt32(attempt))))
            } catch let failure as PostgresFailure {
                throw failure.storeError
            }
        }
    }

    /// Runs `body`, mapping PostgreSQL's failures to `StoreError` and passing every other error through.
    func mapped<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let failure as PostgresFailure {
            throw failure.storeError
        }
    }
}
