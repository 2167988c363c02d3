import Foundation
import RetreatPostgres
import RetreatScheduling
import RetreatStore

/// What `retreat migrate` copied, counted in the target inside the copying transaction.
public struct MigrationReport: Sendable {
    /// The source store.
    public var from: String
    /// The PostgreSQL store it now also lives in (no password).
    public var to: String
    /// Records of each kind in the target, equal to the source's.
    public var counts: [(kind: String, count: Int)]
}

extension RetreatService {
    /// Copies this store into the empty PostgreSQL database (or schema) at `url` in one transaction: one snapshot
    /// of every record is read here, the schema is created there, every record written with its ids, read back
    /// and compared, and the invariants checked before COMMIT; on any failure the target is left as it was.
    /// The target's audit log ends with a `migrate` entry naming the source.
    /// - Throws: `.badInput` when `url` is not a usable `postgres://` URL, `.invalid` when the target is not
    ///   empty, `.incompatible` when this store breaks an invariant or the copy differs.
    public func migrate(to url: String) throws(AppError) -> MigrationReport {
        guard PostgresLocation.isURL(url) else {
            throw AppError(.badInput, "--to: \"\(PostgresLocation.redacted(url))\" is not a postgres:// URL (postgres://user@host:port/dbname)")
        }
        do { _ = try PostgresLocation(url: url) } catch { throw AppError(.badInput, "--to: \(error.message)") }
        let source = location
        do {
            let problems = try store.invariantViolations()
            if let first = problems.first { throw AppError(.incompatible, "\(source) breaks the store's invariants (\(first)); nothing was copied") }
            // The same checks as restore: what entry would refuse (control characters in names, amounts out of
            // range, unreadable documents) is not copied either.
            do {
                try store.read { try RestoreCheck.check($0) }
            } catch let error as AppError {
                throw AppError(error.kind, "\(source) cannot be copied: \(error.message); nothing was copied")
            }
            let records = try store.read { try $0.records() }
            guard records.settings != nil else { throw AppError(.notInitialized, "\(source) has no settings; run `retreat init` first") }
            let entry = AuditEntry(
                at: clock(), actor: actor, action: "migrate", entity: "store", entityID: "1",
                detail: AuditDetail.json(["from": source, "schemaMigrations": String(SQLiteStore.migrationNames.count)]))
            let report = try PostgresStore.copy(records, into: url, audit: entry)
            return MigrationReport(from: source, to: report.location, counts: report.counts.map { ($0.key, $0.value) })
        } catch {
            throw AppError.wrap(error)
        }
    }
}
