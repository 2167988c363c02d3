import Foundation
import PostgresNIO
import RetreatScheduling
import RetreatStore

// Feeds, API tokens and request notes on PostgreSQL: the same plain record operations as the SQLite store.

extension PostgresTransaction {
    static let feedColumns = "id, kind, subject, token_hash, created_at, rotated_at, revoked_at"
    static let apiTokenColumns = "id, role, label, token_hash, created_at, rotated_at, revoked_at"

    static func feedRecord(_ row: PostgresRow) throws -> FeedRecord {
        let (id, kind, subject, hash, created, rotated, revoked) = try row.decode((String, String, String?, String, Double, Double?, Double?).self)
        guard let k = FeedKind(rawValue: kind) else { throw StoreError(.incompatible, "feed \(id) has an unknown kind \"\(kind)\"") }
        return FeedRecord(
            id: id, kind: k, subject: subject, tokenHash: hash, createdAt: instant(created), rotatedAt: rotated.map(instant),
            revokedAt: revoked.map(instant))
    }

    static func apiTokenRecord(_ row: PostgresRow) throws -> APITokenRecord {
        let (id, role, label, hash, created, rotated, revoked) = try row.decode((String, String, String?, String, Double, Double?, Double?).self)
        guard let r = APIRole(rawValue: role) else { throw StoreError(.incompatible, "API token \(id) has an unknown role \"\(role)\"") }
        return APITokenRecord(
            id: id, role: r, label: label, tokenHash: hash, createdAt: instant(created), rotatedAt: rotated.map(instant), revokedAt: revoked.map(instant))
    }

    static func bookingNote(_ row: PostgresRow) throws -> BookingNote {
        let (bookingID, note, source, created) = try row.decode((String, String, String, Double).self)
        return BookingNote(bookingID: bookingID, note: note, source: source, createdAt: instant(created))
    }

    func latestAuditEntry() throws -> AuditEntry? {
        try session.query("SELECT id, at, actor, action, entity, entity_id, detail FROM audit_log ORDER BY id DESC LIMIT 1").rows.first.map(
            Self.auditEntry)
    }

    func feeds() throws -> [FeedRecord] {
        try session.query("SELECT \(unescaped: Self.feedColumns) FROM feeds ORDER BY id").rows.map(Self.feedRecord)
    }

    func feed(tokenHash: String) throws -> FeedRecord? {
        try session.query("SELECT \(unescaped: Self.feedColumns) FROM feeds WHERE token_hash = \(tokenHash)").rows.first.map(Self.feedRecord)
    }

    func apiTokens() throws -> [APITokenRecord] {
        try session.query("SELECT \(unescaped: Self.apiTokenColumns) FROM api_tokens ORDER BY id").rows.map(Self.apiTokenRecord)
    }

    func apiToken(tokenHash: String) throws -> APITokenRecord? {
        try session.query("SELECT \(unescaped: Self.apiTokenColumns) FROM api_tokens WHERE token_hash = \(tokenHash)").rows.first.map(Self.apiTokenRecord)
    }

    func bookingNote(bookingID: String) throws -> BookingNote? {
        try session.query("SELECT booking_id, note, source, created_at FROM booking_notes WHERE booking_id = \(bookingID)").rows.first.map(Self.bookingNote)
    }

    func bookingNotes() throws -> [BookingNote] {
        try session.query("SELECT booking_id, note, source, created_at FROM booking_notes ORDER BY booking_id").rows.map(Self.bookingNote)
    }

    func insert(_ f: FeedRecord) throws {
        try session.query(
            """
            INSERT INTO feeds (id, kind, subject, token_hash, created_at, rotated_at, revoked_at)
            VALUES (\(f.id), \(f.kind.rawValue), \(f.subject), \(f.tokenHash), \(f.createdAt.timeIntervalSince1970),
                \(f.rotatedAt?.timeIntervalSince1970), \(f.revokedAt?.timeIntervalSince1970))
            """)
    }

    func update(_ f: FeedRecord) throws {
        let rows = try session.query(
            """
            UPDATE feeds SET kind = \(f.kind.rawValue), subject = \(f.subject), token_hash = \(f.tokenHash), created_at = \(f.createdAt.timeIntervalSince1970),
                rotated_at = \(f.rotatedAt?.timeIntervalSince1970), revoked_at = \(f.revokedAt?.timeIntervalSince1970)
            WHERE id = \(f.id) RETURNING id
            """
        ).rows
        guard !rows.isEmpty else { throw StoreError(.notFound, "no feed with id \(f.id)") }
    }

    func insert(_ t: APITokenRecord) throws {
        try session.query(
            """
            INSERT INTO api_tokens (id, role, label, token_hash, created_at, rotated_at, revoked_at)
            VALUES (\(t.id), \(t.role.rawValue), \(t.label), \(t.tokenHash), \(t.createdAt.timeIntervalSince1970),
                \(t.rotatedAt?.timeIntervalSince1970), \(t.revokedAt?.timeIntervalSince1970))
            """)
    }

    func update(_ t: APITokenRecord) throws {
        let rows = try session.query(
            """
            UPDATE api_tokens SET role = \(t.role.rawValue), label = \(t.label), token_hash = \(t.tokenHash), created_at = \(t.createdAt.timeIntervalSince1970),
                rotated_at = \(t.rotatedAt?.timeIntervalSince1970), revoked_at = \(t.revokedAt?.timeIntervalSince1970)
            WHERE id = \(t.id) RETURNING id
            """
        ).rows
        guard !rows.isEmpty else { throw StoreError(.notFound, "no API token with id \(t.id)") }
    }

    func save(_ note: BookingNote) throws {
        try session.query(
            """
            INSERT INTO booking_notes (booking_id, note, source, created_at)
            VALUES (\(note.bookingID), \(note.note), \(note.source), \(note.createdAt.timeIntervalSince1970))
            ON CONFLICT (booking_id) DO UPDATE SET note = excluded.note, source = excluded.source, created_at = excluded.created_at
            """)
    }
}
