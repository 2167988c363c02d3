import Foundation
internal import GRDB
import RetreatScheduling

// Feeds, API tokens and request notes: GRDB records and the SQLite side of their store operations.

struct FeedRow: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "feeds"
    var id: String
    var kind: String
    var subject: String?
    var tokenHash: String
    var createdAt: Double
    var rotatedAt: Double?
    var revokedAt: Double?

    enum CodingKeys: String, CodingKey, ColumnExpression {
        case id, kind, subject
        case tokenHash = "token_hash", createdAt = "created_at", rotatedAt = "rotated_at", revokedAt = "revoked_at"
    }

    init(_ f: FeedRecord) {
        id = f.id
        kind = f.kind.rawValue
        subject = f.subject
        tokenHash = f.tokenHash
        createdAt = f.createdAt.timeIntervalSince1970
        rotatedAt = f.rotatedAt?.timeIntervalSince1970
        revokedAt = f.revokedAt?.timeIntervalSince1970
    }

    var record: FeedRecord {
        get throws {
            guard let kind = FeedKind(rawValue: kind) else { throw StoreError(.incompatible, "feed \(id) has an unknown kind \"\(self.kind)\"") }
            return FeedRecord(
                id: id, kind: kind, subject: subject, tokenHash: tokenHash, createdAt: Date(timeIntervalSince1970: createdAt),
                rotatedAt: rotatedAt.map(Date.init(timeIntervalSince1970:)), revokedAt: revokedAt.map(Date.init(timeIntervalSince1970:)))
        }
    }
}

struct APITokenRow: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "api_tokens"
    var id: String
    var role: String
    var label: String?
    var tokenHash: String
    var createdAt: Double
    var rotatedAt: Double?
    var revokedAt: Double?

    enum CodingKeys: String, CodingKey, ColumnExpression {
        case id, role, label
        case tokenHash = "token_hash", createdAt = "created_at", rotatedAt = "rotated_at", revokedAt = "revoked_at"
    }

    init(_ t: APITokenRecord) {
        id = t.id
        role = t.role.rawValue
        label = t.label
        tokenHash = t.tokenHash
        createdAt = t.createdAt.timeIntervalSince1970
        rotatedAt = t.rotatedAt?.timeIntervalSince1970
        revokedAt = t.revokedAt?.timeIntervalSince1970
    }

    var record: APITokenRecord {
        get throws {
            guard let role = APIRole(rawValue: role) else { throw StoreError(.incompatible, "API token \(id) has an unknown role \"\(self.role)\"") }
            return APITokenRecord(
                id: id, role: role, label: label, tokenHash: tokenHash, createdAt: Date(timeIntervalSince1970: createdAt),
                rotatedAt: rotatedAt.map(Date.init(timeIntervalSince1970:)), revokedAt: revokedAt.map(Date.init(timeIntervalSince1970:)))
        }
    }
}

struct BookingNoteRow: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "booking_notes"
    var bookingID: String
    var note: String
    var source: String
    var createdAt: Double

    enum CodingKeys: String, CodingKey, ColumnExpression {
        case note, source
        case bookingID = "booking_id", createdAt = "created_at"
    }
}

extension SQLiteTransaction {
    func latestAuditEntry() throws -> AuditEntry? {
        try AuditRow.order(AuditRow.CodingKeys.id.desc).limit(1).fetchOne(db)?.entry
    }

    func feeds() throws -> [FeedRecord] {
        try FeedRow.order(FeedRow.CodingKeys.id).fetchAll(db).map { try $0.record }
    }

    func feed(tokenHash: String) throws -> FeedRecord? {
        try FeedRow.filter(FeedRow.CodingKeys.tokenHash == tokenHash).fetchOne(db)?.record
    }

    func apiTokens() throws -> [APITokenRecord] {
        try APITokenRow.order(APITokenRow.CodingKeys.id).fetchAll(db).map { try $0.record }
    }

    func apiToken(tokenHash: String) throws -> APITokenRecord? {
        try APITokenRow.filter(APITokenRow.CodingKeys.tokenHash == tokenHash).fetchOne(db)?.record
    }

    func bookingNote(bookingID: String) throws -> BookingNote? {
        try BookingNoteRow.fetchOne(db, key: bookingID).map {
            BookingNote(bookingID: $0.bookingID, note: $0.note, source: $0.source, createdAt: Date(timeIntervalSince1970: $0.createdAt))
        }
    }

    func insert(_ feed: FeedRecord) throws {
        try FeedRow(feed).insert(db)
    }

    func update(_ feed: FeedRecord) throws {
        guard try FeedRow.exists(db, key: feed.id) else { throw StoreError(.notFound, "no feed with id \(feed.id)") }
        try FeedRow(feed).update(db)
    }

    func insert(_ token: APITokenRecord) throws {
        try APITokenRow(token).insert(db)
    }

    func update(_ token: APITokenRecord) throws {
        guard try APITokenRow.exists(db, key: token.id) else { throw StoreError(.notFound, "no API token with id \(token.id)") }
        try APITokenRow(token).update(db)
    }

    func save(_ note: BookingNote) throws {
        try BookingNoteRow(bookingID: note.bookingID, note: note.note, source: note.source, createdAt: note.createdAt.timeIntervalSince1970).save(db)
    }
}
