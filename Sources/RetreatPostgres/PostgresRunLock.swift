import Foundation
import PostgresNIO
import RetreatStore

/// A session-level advisory lock held on a connection of its own for the length of a run (one `notify` at a
/// time per practice). The server releases it when that connection closes: on `release()`, or when the process
/// holding it ends however it ends. A connection lost during the run loses the lock with it, so the outbox keeps
/// its lease on a claim (a claim is taken over only once it is older than the lease) rather than trusting the
/// lock alone.
final class PostgresRunLock: RunLock {
    private let lock = NSLock()
    private var connection: PostgresConnection?

    init(_ connection: PostgresConnection) { self.connection = connection }

    func release() {
        let held: PostgresConnection? = lock.withLock {
            defer { connection = nil }
            return connection
        }
        if let held { PostgresConnector.close(held) }
    }

    deinit { release() }
}

extension PostgresStore: RunLocking {
    public func tryRunLock(_ name: String) throws -> (any RunLock)? {
        let session = try connector.dedicatedSession()
        do {
            let key = "retreat-run:" + name + ":" + url.schema
            let taken = try session.value("SELECT pg_try_advisory_lock(hashtextextended(\(key), 0))", as: Bool.self) ?? false
            guard taken else {
                PostgresConnector.close(session.connection)
                return nil
            }
            return PostgresRunLock(session.connection)
        } catch let failure as PostgresFailure {
            PostgresConnector.close(session.connection)
            throw failure.storeError
        } catch {
            PostgresConnector.close(session.connection)
            throw error
        }
    }
}
