import Foundation

/// What a subscription feed publishes.
public enum FeedKind: String, Hashable, Sendable, Codable, CaseIterable {
    /// Every booking and series, with ids and statuses only (the staff calendar's privacy).
    case staff
    /// Busy days as VFREEBUSY, no names, ids or reasons.
    case freebusy
    /// One counselor's intensives, sessions and blackouts (`subject` is the counselor's resource name).
    case counselor
    /// One couple's intensive and agenda in client wording (`subject` is the booking id).
    case couple
}

/// Who an API token acts as.
public enum APIRole: String, Hashable, Sendable, Codable, CaseIterable {
    /// Reads and changes, as the CLI does.
    case staff
    /// Reads only.
    case readOnly = "read-only"
}

/// A subscription feed: its URL is a capability whose token is stored only as a SHA-256 digest.
public struct FeedRecord: Hashable, Sendable, Codable {
    /// Short id staff type, e.g. `F0003`.
    public var id: String
    /// What the feed publishes.
    public var kind: FeedKind
    /// The counselor (resource) or booking id the feed is about; nil for staff and free/busy feeds.
    public var subject: String?
    /// Lowercase hex SHA-256 of the token (the token itself is never stored).
    public var tokenHash: String
    /// When it was created.
    public var createdAt: Date
    /// When its token was last replaced (the old URL stopped working then).
    public var rotatedAt: Date?
    /// When it was revoked (its URL answers 404 from then on).
    public var revokedAt: Date?

    /// Creates a record.
    public init(id: String, kind: FeedKind, subject: String?, tokenHash: String, createdAt: Date, rotatedAt: Date? = nil, revokedAt: Date? = nil) {
        self.id = id
        self.kind = kind
        self.subject = subject
        self.tokenHash = tokenHash
        self.createdAt = createdAt
        self.rotatedAt = rotatedAt
        self.revokedAt = revokedAt
    }

    /// Encodes every field but the token digest (exports and listings never carry it).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: AccessCoding.Keys.self)
        try c.encode(id, forKey: .id)
        try c.encode(kind, forKey: .kind)
        try c.encodeIfPresent(subject, forKey: .subject)
        try AccessCoding.encodeTimes(createdAt, rotatedAt, revokedAt, into: &c)
    }

    /// Decodes a record (the digest, absent from exports, reads as empty).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: AccessCoding.Keys.self)
        let shared = try AccessCoding.Shared(c)
        self.init(
            id: shared.id, kind: try c.decode(FeedKind.self, forKey: .kind), subject: try c.decodeIfPresent(String.self, forKey: .subject),
            tokenHash: shared.tokenHash, createdAt: shared.createdAt, rotatedAt: shared.rotatedAt, revokedAt: shared.revokedAt)
    }
}

/// A staff API token: stored only as a SHA-256 digest, with its role.
public struct APITokenRecord: Hashable, Sendable, Codable {
    /// Short id staff type, e.g. `T0002`.
    public var id: String
    /// What the token may do.
    public var role: APIRole
    /// A label staff chose (e.g. the script or person it is for), if any.
    public var label: String?
    /// Lowercase hex SHA-256 of the token.
    public var tokenHash: String
    /// When it was created.
    public var createdAt: Date
    /// When it was last replaced.
    public var rotatedAt: Date?
    /// When it was revoked.
    public var revokedAt: Date?

    /// Creates a record.
    public init(
        id: String, role: APIRole, label: String?, tokenHash: String, createdAt: Date, rotatedAt: Date? = nil, revokedAt: Date? = nil
    ) {
        self.id = id
        self.role = role
        self.label = label
        self.tokenHash = tokenHash
        self.createdAt = createdAt
        self.rotatedAt = rotatedAt
        self.revokedAt = revokedAt
    }

    /// Encodes every field but the token digest.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: AccessCoding.Keys.self)
        try c.encode(id, forKey: .id)
        try c.encode(role, forKey: .role)
        try c.encodeIfPresent(label, forKey: .label)
        try AccessCoding.encodeTimes(createdAt, rotatedAt, revokedAt, into: &c)
    }

    /// Decodes a record (the digest, absent from exports, reads as empty).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: AccessCoding.Keys.self)
        let shared = try AccessCoding.Shared(c)
        self.init(
            id: shared.id, role: try c.decode(APIRole.self, forKey: .role), label: try c.decodeIfPresent(String.self, forKey: .label),
            tokenHash: shared.tokenHash, createdAt: shared.createdAt, rotatedAt: shared.rotatedAt, revokedAt: shared.revokedAt)
    }
}

/// The JSON of feeds and API tokens (exports, listings): the fields both kinds share are written and read here,
/// once; the token digest is never written.
enum AccessCoding {
    enum Keys: String, CodingKey { case id, kind, subject, role, label, createdAt, rotatedAt, revokedAt, tokenHash }

    /// Id, digest (empty when absent, as in exports) and lifecycle times.
    struct Shared {
        var id: String
        var tokenHash: String
        var createdAt: Date
        var rotatedAt: Date?
        var revokedAt: Date?

        init(_ c: KeyedDecodingContainer<Keys>) throws {
            id = try c.decode(String.self, forKey: .id)
            tokenHash = try c.decodeIfPresent(String.self, forKey: .tokenHash) ?? ""
            createdAt = try c.decode(Date.self, forKey: .createdAt)
            rotatedAt = try c.decodeIfPresent(Date.self, forKey: .rotatedAt)
            revokedAt = try c.decodeIfPresent(Date.self, forKey: .revokedAt)
        }
    }

    static func encodeTimes(_ created: Date, _ rotated: Date?, _ revoked: Date?, into c: inout KeyedEncodingContainer<Keys>) throws {
        try c.encode(created, forKey: .createdAt)
        try c.encodeIfPresent(rotated, forKey: .rotatedAt)
        try c.encodeIfPresent(revoked, forKey: .revokedAt)
    }
}

/// What a couple wrote with a request for dates (staff only; never in a calendar, a log or an error).
public struct BookingNote: Hashable, Sendable, Codable {
    /// The booking (hold) the request created.
    public var bookingID: String
    /// The couple's free-text note.
    public var note: String
    /// Where it came from, e.g. "web".
    public var source: String
    /// When it was received.
    public var createdAt: Date

    /// Creates a note.
    public init(bookingID: String, note: String, source: String, createdAt: Date) {
        self.bookingID = bookingID
        self.note = note
        self.source = source
        self.createdAt = createdAt
    }
}
