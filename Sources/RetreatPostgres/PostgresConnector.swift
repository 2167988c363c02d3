import Foundation
import Logging
import PostgresNIO
import RetreatStore

/// Blocking access to one PostgreSQL server for a synchronous store: a few long-lived connections, each used by
/// one thread at a time.
///
/// postgres-nio is asynchronous; the store protocol is not. Every call here waits for its `EventLoopFuture`
/// (`wait()`), which is allowed on any thread but an event loop's own: the CLI's main thread, the server's
/// worker pool, a test's thread. The event loops are postgres-nio's shared group, so nothing here owns a
/// thread.
final class PostgresConnector: @unchecked Sendable {
    let location: PostgresLocation
    private let configuration: PostgresConnection.Configuration
    private let passwordNote: String?
    private let logger: Logger
    private let lock = NSLock()
    /// Idle connections (guarded by `lock`).
    private var idle: [PostgresConnection] = []
    private var nextID = 1
    /// Connections kept open between transactions; more may be open while many threads work at once.
    static let keptIdle = 4

    /// Prepares connections to `location` with the password from `PGPASSWORD` or the password file.
    /// - Throws: `StoreError.invalid` when TLS cannot be set up as asked (an unreadable `sslrootcert`, ...).
    init(_ location: PostgresLocation, environment: [String: String] = ProcessInfo.processInfo.environment) throws(StoreError) {
        self.location = location
        let password = PostgresPassword.lookup(for: location, environment: environment)
        passwordNote = password.note
        var logger = Logger(label: "retreat.postgres", factory: { _ in SwiftLogNoOpLogHandler() })
        logger.logLevel = .critical
        self.logger = logger
        var config: PostgresConnection.Configuration
        if let folder = location.socketFolder {
            config = PostgresConnection.Configuration(
                unixSocketPath: "\(folder)/.s.PGSQL.\(location.port)", username: location.user, password: password.password, database: location.database)
        } else {
            config = PostgresConnection.Configuration(
                host: location.host ?? "localhost", port: location.port, username: location.user, password: password.password, database: location.database,
                tls: try Self.tls(location))
        }
        config.options.connectTimeout = .seconds(Int64(location.connectTimeout))
        // One practice per schema; ISO dates and UTC make every value read back as written.
        config.options.additionalStartupParameters = [
            // Only the practice's schema (pg_catalog is searched first implicitly): a table missing there is an
            // error, never another practice's table found in `public`.
            ("search_path", location.schema),
            ("DateStyle", "ISO, YMD"),
            ("TimeZone", "UTC"),
            ("application_name", location.applicationName),
            // A writer waits for another as SQLite's busy timeout does, then gives up with `.busy`.
            ("lock_timeout", "30s"),
            ("idle_in_transaction_session_timeout", "600s"),
            // The server notices a client machine that vanished (and releases its locks) within minutes.
            ("tcp_keepalives_idle", "60"),
            ("tcp_keepalives_interval", "10"),
            ("tcp_keepalives_count", "6"),
        ]
        configuration = config
    }

    deinit {
        for connection in idle { Self.close(connection) }
    }

    /// Closes a connection without waiting; the connection object lives until it is closed (postgres-nio asks
    /// that a connection be closed before it is released).
    static func close(_ connection: PostgresConnection) {
        let closed: EventLoopFuture<Void> = connection.close()
        closed.whenComplete { _ in withExtendedLifetime(connection) {} }
    }

    static func tls(_ location: PostgresLocation) throws(StoreError) -> PostgresConnection.Configuration.TLS {
        var tls = TLSConfiguration.makeClientConfiguration()
        switch location.tlsMode {
        case .disable:
            return .disable
        case .prefer, .require:
            // As libpq's prefer/require: encrypted, the certificate not checked (use verify-full for that).
            tls.certificateVerification = .none
        case .verifyFull:
            tls.certificateVerification = .fullVerification
            if let root = location.rootCertificate {
                guard FileManager.default.isReadableFile(atPath: root) else {
                    throw StoreError(.invalid, "sslrootcert \(root) cannot be read")
                }
                tls.trustRoots = .file(root)
            }
        }
        let context: NIOSSLContext
        do { context = try NIOSSLContext(configuration: tls) } catch { throw StoreError(.invalid, "TLS cannot be set up: \(error)") }
        return location.tlsMode == .prefer ? .prefer(context) : .require(context)
    }

    /// Runs `body` on a connection of its own (opened when none is idle), then keeps the connection for the next
    /// call unless it broke. When a kept connection turns out to have been closed meanwhile (a server restart, an
    /// idle timeout) and its first statement fails for it, nothing was done on it: `body` runs once more on a new
    /// connection.
    func withSession<T>(_ body: (PostgresSession) throws -> T) throws -> T {
        // Waiting on an event loop for that loop's own work would never end (and postgres-nio traps on it).
        if MultiThreadedEventLoopGroup.currentEventLoop != nil {
            throw StoreError(.io, "the PostgreSQL store was called on an event loop thread; call the use cases from a worker thread")
        }
        var (connection, reused) = try checkout()
        while true {
            let session = PostgresSession(connection: connection, logger: logger, location: location)
            do {
                let result = try body(session)
                checkin(connection, healthy: !session.broken)
                return result
            } catch let failure as PostgresFailure where reused && failure.isConnectionLost && session.statements <= 1 {
                Self.close(connection)
                connection = try connect()
                reused = false
            } catch {
                checkin(connection, healthy: !session.broken)
                throw error
            }
        }
    }

    /// A new connection kept out of the pool: for a session-level lock held across many transactions. The caller
    /// closes it with `PostgresConnector.close`.
    func dedicatedSession() throws(StoreError) -> PostgresSession {
        PostgresSession(connection: try connect(), logger: logger, location: location)
    }

    /// An idle connection, or a new one; and whether it was kept from an earlier call.
    private func checkout() throws(StoreError) -> (PostgresConnection, Bool) {
        let reused: PostgresConnection? = lock.withLock {
            while let c = idle.popLast() {
                if !c.isClosed { return c }
            }
            return nil
        }
        if let reused { return (reused, true) }
        return (try connect(), false)
    }

    private func connect() throws(StoreError) -> PostgresConnection {
        let id = lock.withLock {
            nextID += 1
            return nextID
        }
        do {
            let future = PostgresConnection.connect(
                on: PostgresConnection.defaultEventLoopGroup.next(), configuration: configuration, id: id, logger: logger)
            // postgres-nio enforces connect_timeout itself; the bound here only guards against a wait that never ends.
            return try PostgresSession.wait(for: future, seconds: location.connectTimeout + PostgresSession.answerBound) {
                future.whenSuccess { Self.close($0) }
            }
        } catch {
            throw connectionError(error)
        }
    }

    private func checkin(_ connection: PostgresConnection, healthy: Bool) {
        let keep =
            healthy && !connection.isClosed
            && lock.withLock { () -> Bool in
                guard idle.count < Self.keptIdle else { return false }
                idle.append(connection)
                return true
            }
        if !keep { Self.close(connection) }
    }

    /// A failed connection attempt as one sentence naming the server (never a password).
    func connectionError(_ error: any Error) -> StoreError {
        let target = location.description
        guard let psql = error as? PSQLError else { return StoreError(.io, "cannot connect to \(target): \(Self.reason(error))") }
        switch psql.code {
        case .authMechanismRequiresPassword:
            var message = "\(target) asks for a password; set PGPASSWORD or add it to ~/.pgpass (mode 0600)"
            if let passwordNote { message += " (\(passwordNote))" }
            return StoreError(.io, message)
        case .sslUnsupported:
            return StoreError(.io, "\(target) does not offer TLS but sslmode=\(location.tlsMode.rawValue) requires it")
        case .server:
            let state = psql.serverInfo?[.sqlState] ?? ""
            let message = psql.serverInfo?[.message] ?? "refused"
            if state == "28P01" {
                return StoreError(.io, "\(target) refused the login: \(message) (the password comes from PGPASSWORD or ~/.pgpass)")
            }
            if state == "28000" {
                let tls = location.tlsMode == .disable && message.contains("no encryption") ? "; the server requires TLS, so drop sslmode=disable" : ""
                return StoreError(.io, "\(target) refused the connection: \(message)\(tls)")
            }
            if state == "3D000" { return StoreError(.notInitialized, "\(target): \(message); create the database first (createdb)") }
            return StoreError(.io, "cannot connect to \(target): \(message)")
        default:
            let reason = Self.reason(psql)
            let raw = psql.underlying.map { String(describing: $0) } ?? ""
            if raw.contains("CERTIFICATE_VERIFY_FAILED") {
                return StoreError(
                    .io, "\(target): the server's TLS certificate is not trusted (sslmode=verify-full); name the authority that signed it with sslrootcert=FILE"
                )
            }
            if raw.contains("failedToValidateHostname") {
                return StoreError(.io, "\(target): the server's TLS certificate does not name \(location.host ?? "the host") (sslmode=verify-full)")
            }
            return StoreError(.io, "cannot connect to \(target): \(reason)")
        }
    }

    /// Why a connection failed or was lost, in words (never a Swift type's dump).
    static func reason(_ error: any Error) -> String {
        if let e = error as? PSQLError {
            if let underlying = e.underlying { return reason(underlying) }
            switch e.code {
            case .serverClosedConnection, .uncleanShutdown: return "the server closed the connection"
            case .clientClosedConnection: return "the connection was closed"
            case .connectionError: return "the connection failed"
            case .server: return e.serverInfo?[.message] ?? "the server refused"
            default: return "the connection failed (\(e.code.description))"
            }
        }
        if let e = error as? PostgresFailure { return e.message }
        let text = String(describing: error)
        let words: [(String, String)] = [
            ("errno: 111", "nothing accepts connections there (connection refused)"),
            ("Connection refused", "nothing accepts connections there (connection refused)"),
            ("errno: 113", "the host cannot be reached"), ("errno: 101", "the network cannot be reached"), ("errno: 110", "the server did not answer in time"),
            ("connectTimeout", "the server did not answer in time"), ("errno: 104", "the server reset the connection"),
            ("uncleanShutdown", "the server closed the connection"), ("NXDOMAIN", "the host name cannot be resolved"),
            ("Name or service not known", "the host name cannot be resolved"), ("Temporary failure in name resolution", "the host name cannot be resolved"),
            ("No such file or directory", "no server socket there (is the server running?)"),
        ]
        if let match = words.first(where: { text.contains($0.0) }) { return match.1 }
        return text.count > 120 || text.contains("(") ? "the connection failed" : text
    }
}

/// One connection lent to one thread: queries that block until the server answers.
final class PostgresSession {
    let connection: PostgresConnection
    let logger: Logger
    let location: PostgresLocation
    /// Set when the connection can no longer be trusted (closed, ended by the server, a query failed outside SQL or
    /// got no answer in time); nothing more is sent on it, and it is closed rather than kept.
    var broken = false
    /// Statements sent so far (the one that failed included).
    var statements = 0

    init(connection: PostgresConnection, logger: Logger, location: PostgresLocation) {
        self.connection = connection
        self.logger = logger
        self.location = location
    }

    /// Runs one statement (bound parameters, never concatenation) and returns its rows.
    /// - Throws: `PostgresFailure` carrying the server's SQLSTATE and message.
    @discardableResult
    func query(_ query: PostgresQuery) throws(PostgresFailure) -> PostgresQueryResult {
        statements += 1
        if broken || connection.isClosed {
            broken = true
            throw PostgresFailure.lost("the connection is closed")
        }
        do {
            let connection = self.connection
            return try Self.wait(for: connection.query(query, logger: logger), seconds: Self.answerBound) { PostgresConnector.close(connection) }
        } catch {
            let failure = PostgresFailure(error)
            if failure.isConnectionLost {
                broken = true
                PostgresConnector.close(connection)
            }
            throw failure
        }
    }

    /// Ends the transaction without keeping anything, unless the connection is lost (the server then ends it
    /// itself, and a statement sent on a dead connection could wait for ever).
    func rollback() {
        guard !broken, !connection.isClosed else {
            broken = true
            return
        }
        _ = try? execute("ROLLBACK")
    }

    /// Commits the transaction. A connection lost while committing leaves it unknown whether the change was made,
    /// and says so.
    func commit() throws(PostgresFailure) {
        do {
            try execute("COMMIT")
        } catch {
            var failure = error
            if failure.isConnectionLost { failure.whileCommitting = true }
            throw failure
        }
    }

    /// Seconds any one statement may wait for the server's answer: well above `lock_timeout` (30 s), which bounds
    /// every wait for another writer; a statement with no answer by then is taken as a lost connection.
    static let answerBound = 120

    /// The value of `future`, waiting at most `seconds`; when the time runs out, `abandon` runs (closing the
    /// connection) and the wait fails as a lost connection.
    static func wait<T>(for future: EventLoopFuture<T>, seconds: Int, abandon: () -> Void) throws -> T {
        let done = DispatchSemaphore(value: 0)
        let outcome = Outcome<T>()
        future.whenComplete { result in
            outcome.set(result)
            done.signal()
        }
        if done.wait(timeout: .now() + .seconds(seconds)) == .timedOut {
            abandon()
            throw PostgresFailure.lost("no answer from the server in \(seconds) s")
        }
        guard let result = outcome.get() else { throw PostgresFailure.lost("no answer from the server") }
        return try result.get()
    }

    /// Runs one statement written in full by this module (no values from outside).
    func execute(_ sql: String) throws(PostgresFailure) {
        try query(PostgresQuery(unsafeSQL: sql))
    }

    /// The rows' only column, decoded.
    func column<T: PostgresDecodable>(_ query: PostgresQuery, as type: T.Type) throws -> [T] {
        try self.query(query).rows.map { try $0.decode(T.self) }
    }

    /// The first row's only column, decoded; nil without rows.
    func value<T: PostgresDecodable>(_ query: PostgresQuery, as type: T.Type) throws -> T? {
        try self.query(query).rows.first.map { try $0.decode(T.self) }
    }
}

/// A connection found closed, or that gave no answer in time.
struct ConnectionLost: Error {
    var reason: String
}

/// The result of a future, handed from an event loop to the thread waiting for it.
private final class Outcome<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var result: Result<T, any Error>?

    func set(_ value: Result<T, any Error>) { lock.withLock { result = value } }
    func get() -> Result<T, any Error>? { lock.withLock { result } }
}

/// A statement the server refused (with its SQLSTATE) or that never reached it.
struct PostgresFailure: Error, CustomStringConvertible {
    /// The SQLSTATE, when the server answered.
    var sqlState: String?
    /// The server's message (never its detail, which may quote a row's values), or the client's reason.
    var message: String
    /// The constraint named by the server, if any.
    var constraint: String?
    /// The original error.
    var underlying: any Error
    /// Whether the connection was lost while COMMIT was on its way (the change may or may not have been made).
    var whileCommitting = false

    /// A connection that is gone, for `reason`.
    static func lost(_ reason: String) -> PostgresFailure {
        PostgresFailure(sqlState: nil, message: reason, constraint: nil, underlying: ConnectionLost(reason: reason))
    }

    init(sqlState: String?, message: String, constraint: String?, underlying: any Error) {
        self.sqlState = sqlState
        self.message = message
        self.constraint = constraint
        self.underlying = underlying
    }

    init(_ error: any Error) {
        if let failure = error as? PostgresFailure {
            self = failure
            return
        }
        underlying = error
        if let psql = error as? PSQLError, let info = psql.serverInfo {
            sqlState = info[.sqlState]
            message = info[.message] ?? psql.code.description
            constraint = info[.constraintName]
        } else {
            sqlState = nil
            message = PostgresConnector.reason(error)
            constraint = nil
        }
    }

    /// Whether the connection is gone or no longer usable: no answer from the server at all, the server ending the
    /// session (57P01 admin shutdown, 57P02 crash shutdown, 57P03 cannot connect now), a connection exception
    /// (class 08), or any FATAL/PANIC error.
    var isConnectionLost: Bool {
        guard let sqlState else { return true }
        if sqlState.hasPrefix("08") || ["57P01", "57P02", "57P03", "57P05"].contains(sqlState) { return true }
        return severity == "FATAL" || severity == "PANIC"
    }

    /// The server's severity (FATAL ends the session), when it answered.
    var severity: String? { (underlying as? PSQLError)?.serverInfo?[.severity] }

    /// Whether the transaction may succeed when run again (serialization failure, deadlock).
    var isRetryable: Bool { sqlState == "40001" || sqlState == "40P01" }

    var description: String { sqlState.map { "\(message) (SQLSTATE \($0))" } ?? message }

    /// The same failure as a `StoreError` a person can act on.
    var storeError: StoreError {
        switch sqlState {
        case "55P03": return StoreError(.busy, "the store is busy (another staff member is writing); try again")
        case "40001", "40P01": return StoreError(.busy, "the store stayed busy with concurrent changes; try again")
        case "23505", "23P01", "23503", "23514":
            return StoreError(.conflict, "the change conflicts with an existing record; nothing was changed")
        case "53100": return StoreError(.io, "the database server's disk is full; nothing was changed")
        case "25006": return StoreError(.io, "the database is read-only")
        case "42501": return StoreError(.io, "the database role lacks a privilege: \(message)")
        case _ where isConnectionLost && whileCommitting:
            return StoreError(.io, "the database connection was lost while the change was being committed; check whether it was made before trying again")
        case _ where isConnectionLost:
            return StoreError(.io, "the database connection was lost; nothing was changed (try again; if it persists, check that the server is running)")
        case .some: return StoreError(.io, "database error: \(message)")
        case nil: return StoreError(.io, "the database connection was lost; nothing was changed")
        }
    }
}
