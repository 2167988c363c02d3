import Crypto
import Foundation
import RetreatAgenda
import RetreatCalendars
import RetreatICal
import RetreatScheduling
import RetreatStore

/// Capability tokens: 32 random bytes from the system's cryptographic generator, base64url without padding.
/// The store keeps only their SHA-256, so a copy of the database opens no feed and no API access.
public enum AccessToken {
    /// Prefix of API tokens, so that people and secret scanners recognise one (feed tokens sit in URLs and
    /// have none).
    public static let apiPrefix = "rtk_"

    /// A new random token of 43 characters (256 bits).
    static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        var bytes = [UInt8]()
        bytes.reserveCapacity(32)
        for _ in 0..<4 {
            let word: UInt64 = generator.next()
            for shift in stride(from: 0, to: 64, by: 8) { bytes.append(UInt8(truncatingIfNeeded: word >> UInt64(shift))) }
        }
        return Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// Lowercase hex SHA-256 of `token`'s UTF-8 bytes: what the store keeps.
    public static func digest(_ token: some StringProtocol) -> String {
        hex(SHA256.hash(data: Data(token.utf8)))
    }

    /// Whether `text` has the shape of a feed token (43 base64url characters); anything else is refused
    /// without reading the store.
    public static func isWellFormed(_ text: some StringProtocol) -> Bool {
        text.utf8.count == 43 && text.utf8.allSatisfy { c in (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c == 45 || c == 95 }
    }

    /// Lowercase hex of `bytes`.
    static func hex(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// What a new feed publishes.
public enum FeedTarget: Hashable, Sendable {
    /// Every booking and series (ids and statuses, no names).
    case staff
    /// Busy days from today to the booking horizon, no names or reasons.
    case freebusy
    /// One counselor (a resource name): their intensives, sessions and blackouts.
    case counselor(String)
    /// One couple (a booking id): their days and agenda in client wording.
    case couple(bookingID: String)
}

/// A feed or API token as just created or rotated: the only moment its secret exists outside the holder.
public struct IssuedFeed: Hashable, Sendable {
    /// The stored record (digest only).
    public var feed: FeedRecord
    /// The token for the URL `…/feeds/TOKEN.ics`.
    public var token: String
}

/// An API token as just created or rotated.
public struct IssuedAPIToken: Hashable, Sendable {
    /// The stored record (digest only).
    public var record: APITokenRecord
    /// The bearer token, shown once.
    public var token: String
}

/// A feed's calendar as served: the text, its validators, and what the server may reuse.
public struct FeedDocument: Hashable, Sendable {
    /// The feed's id.
    public var feedID: String
    /// What it publishes.
    public var kind: FeedKind
    /// The .ics text (CRLF, folded). DTSTAMP is `lastModified`, so the same data gives the same bytes.
    public var text: String
    /// A strong entity tag: the quoted SHA-256 (first 128 bits) of `text`.
    public var etag: String
    /// When what the feed shows last changed (whole seconds).
    public var lastModified: Date
    /// How often subscribers should refresh, in seconds.
    public var refreshSeconds: Int
    /// What the document was built from; equal versions give equal documents.
    public var version: String
}

extension RetreatService {
    // MARK: feeds

    /// Creates a subscription feed and returns its token (only its digest is stored).
    /// - Throws: `.badInput` for an unknown counselor, `.notFound` for an unknown booking.
    public func createFeed(_ target: FeedTarget) throws(AppError) -> IssuedFeed {
        try write { ctx in
            let kind: FeedKind
            var subject: String?
            switch target {
            case .staff: kind = .staff
            case .freebusy: kind = .freebusy
            case .counselor(let name):
                kind = .counselor
                subject = try ctx.base.requireResource(name, option: "counselor")
            case .couple(let id):
                kind = .couple
                subject = try ctx.base.booking(id).id
            }
            let existing = try ctx.tx.feeds()
            let number = (existing.compactMap { Int($0.id.dropFirst()) }.max() ?? 0) + 1
            let token = AccessToken.generate()
            let feed = FeedRecord(
                id: String(format: "F%04d", number), kind: kind, subject: subject, tokenHash: AccessToken.digest(token), createdAt: ctx.now)
            try ctx.tx.insert(feed)
            var detail = ["kind": kind.rawValue]
            if let subject { detail["subject"] = subject }
            try ctx.audit("feed-create", "feed", feed.id, detail)
            return IssuedFeed(feed: feed, token: token)
        }
    }

    /// Every feed (revoked ones too), by id; no tokens.
    public func feeds() throws(AppError) -> [FeedRecord] {
        try read { ctx in try ctx.reader.feeds() }
    }

    /// Revokes a feed: its URL answers 404 from the next request on. Revoking twice changes nothing.
    public func revokeFeed(id: String) throws(AppError) -> FeedRecord {
        try write { ctx in
            try AccessLifecycle.revoke(try Self.feed(ctx.base, id: id), ctx, action: "feed-revoke", entity: "feed", save: { try ctx.tx.update($0) })
        }
    }

    /// Gives a feed a new token: the old URL answers 404 at once, the new one serves the same calendar.
    /// - Throws: `.invalid` for a revoked feed.
    public func rotateFeed(id: String) throws(AppError) -> IssuedFeed {
        try write { ctx in
            let token = AccessToken.generate()
            let feed = try AccessLifecycle.rotate(
                try Self.feed(ctx.base, id: id), to: token, ctx, action: "feed-rotate", entity: "feed",
                revoked: "feed \(id.uppercased()) is revoked; create a new one with `retreat feeds create`", save: { try ctx.tx.update($0) })
            return IssuedFeed(feed: feed, token: token)
        }
    }

    static func feed(_ ctx: ReadContext, id: String) throws -> FeedRecord {
        guard let feed = try ctx.reader.feeds().first(where: { $0.id.caseInsensitiveCompare(id) == .orderedSame }) else {
            throw AppError(.notFound, "no feed with id \(id); `retreat feeds list` shows them")
        }
        return feed
    }

    /// The calendar of the feed whose token is `token`, built from the store as `export` builds it.
    ///
    /// When `previous` (an earlier answer for the same token) was built from the same data, it is returned
    /// as it is: the store is read (token, last change, lapsed holds) but no calendar is built.
    /// - Throws: `.notFound` for a malformed, unknown or revoked token (all three alike).
    public func feedDocument(token: String, reusing previous: FeedDocument? = nil) throws(AppError) -> FeedDocument {
        guard AccessToken.isWellFormed(token) else { throw Self.noFeed }
        let digest = AccessToken.digest(token)
        return try read { ctx in
            guard let feed = try ctx.reader.feed(tokenHash: digest), feed.revokedAt == nil else { throw Self.noFeed }
            let latest = try ctx.reader.latestAuditEntry()
            // A hold whose time is up reads as lapsed before any write records it: it changes the feeds too.
            let lapses = try ctx.reader.bookings(BookingQuery(statuses: [.held])).compactMap(\.holdExpiresAt).filter { $0 <= ctx.now }
            let today = ctx.today
            let version = "\(feed.id)|\(feed.tokenHash)|\(latest?.id ?? 0)|\(latest?.at.timeIntervalSince1970 ?? 0)|\(lapses.count)|\(today)"
            if let previous, previous.version == version { return previous }
            var changed = max(latest?.at ?? feed.createdAt, lapses.max() ?? .distantPast)
            if feed.kind == .freebusy { changed = max(changed, today.firstInstant(in: ctx.settings.timeZone)) }
            let stamp = Date(timeIntervalSince1970: changed.timeIntervalSince1970.rounded(.down))
            let calendar = try Self.feedCalendar(feed, ctx, stamp: stamp)
            let text = try calendar.serialized()
            let etag = "\"\(AccessToken.hex(SHA256.hash(data: Data(text.utf8)).prefix(16)))\""
            return FeedDocument(
                feedID: feed.id, kind: feed.kind, text: text, etag: etag, lastModified: stamp, refreshSeconds: FeedCalendars.refreshSeconds,
                version: version)
        }
    }

    static let noFeed = AppError(.notFound, "no such feed")

    static func feedCalendar(_ feed: FeedRecord, _ ctx: ReadContext, stamp: Date) throws -> ICalendar {
        let profile = try ctx.reader.profile()
        let today = ctx.today
        let horizon = today.adding(months: ctx.settings.horizonMonths)
        // Blackouts from 90 days back to the horizon: an imported calendar may hold tens of thousands.
        func blackouts() throws -> [Blackout] {
            try ctx.reader.blackouts().filter { $0.to >= today.adding(days: -90) && $0.from <= horizon }
        }
        // Clients refuse a calendar with no component at all: an empty staff or counselor feed carries one
        // VFREEBUSY of its window with nothing busy (what it says: nothing is booked), dropped again once an
        // event is there.
        func nonEmpty(_ calendar: ICalendar, resource: String?) -> ICalendar {
            guard calendar.events.isEmpty, calendar.freeBusy.isEmpty else { return calendar }
            let zone = ctx.settings.timeZone
            let window = DateInterval(start: today.firstInstant(in: zone), end: horizon.adding(days: 1).firstInstant(in: zone))
            var feed = calendar
            feed.freeBusy = FreeBusyCalendar.make(busy: [], window: window, resource: resource, profile: profile, stamp: stamp).freeBusy
            return feed
        }
        switch feed.kind {
        case .staff:
            let calendar = BookingCalendars.staff(
                bookings: try ctx.bookings(BookingQuery()), series: try ctx.reader.allSeries(), blackouts: try blackouts(), profile: profile,
                stamp: stamp, includeNames: false)
            return nonEmpty(FeedCalendars.published(calendar), resource: nil)
        case .freebusy:
            let zone = ctx.settings.timeZone
            let window = DateInterval(start: today.firstInstant(in: zone), end: horizon.adding(days: 1).firstInstant(in: zone))
            let bookings = try ctx.liveBookings()
            let all = try ctx.reader.blackouts()
            let series = try ctx.reader.allSeries()
            // Busy for the practice when no resource is free, as `retreat freebusy` publishes it.
            let lists = ctx.settings.resources.map { r in
                BusyTime.of(resource: r, in: window, settings: ctx.settings, bookings: bookings, blackouts: all, series: series)
            }
            let calendar = FreeBusyCalendar.make(busy: BusyTime.intersection(lists), window: window, resource: nil, profile: profile, stamp: stamp)
            return FeedCalendars.published(calendar)
        case .counselor:
            let calendar = FeedCalendars.counselor(
                feed.subject ?? "", bookings: try ctx.bookings(BookingQuery()), series: try ctx.reader.allSeries(), blackouts: try blackouts(),
                profile: profile, stamp: stamp)
            return nonEmpty(calendar, resource: feed.subject)
        case .couple:
            let booking = try ctx.booking(feed.subject ?? "")
            let stored = try ctx.reader.agenda(bookingID: booking.id)
            // A stale agenda (the dates, the intake or the ranking changed since it was planned) is never published:
            // the feed then shows the plain days until staff plan again.
            let agenda = stored.flatMap { $0.staleReason == nil ? try? JSONDecoder().decode(Agenda.self, from: Data($0.agendaJSON.utf8)) : nil }
            let calendar = BookingCalendars.couple(booking: booking, agenda: agenda, settings: ctx.settings, profile: profile, stamp: stamp)
            return FeedCalendars.published(calendar)
        }
    }

    // MARK: the couples' form

    /// The key `retreat serve` signs the couples' request forms with: 32 random bytes made the first time a
    /// server asks and kept in the store, so that every server on one store accepts the forms the others hand
    /// out (and a restart does not void open forms). It opens nothing by itself: a form token also needs the
    /// browser's cookie.
    public func formSigningKey() throws(AppError) -> [UInt8] {
        if let key = try read({ ctx in try ctx.reader.document(.formKey) }).flatMap(Self.decodeKey) { return key }
        return try write { ctx in
            // Inside the write lock: a server that started at the same moment finds the key already made.
            if let key = try ctx.tx.document(.formKey).flatMap(Self.decodeKey) { return key }
            var generator = SystemRandomNumberGenerator()
            var bytes = [UInt8]()
            for _ in 0..<4 {
                let word: UInt64 = generator.next()
                for shift in stride(from: 0, to: 64, by: 8) { bytes.append(UInt8(truncatingIfNeeded: word >> UInt64(shift))) }
            }
            try ctx.tx.saveDocument(.formKey, Data(bytes).base64EncodedString())
            return bytes
        }
    }

    static func decodeKey(_ text: String) -> [UInt8]? {
        guard let data = Data(base64Encoded: text), data.count == 32 else { return nil }
        return Array(data)
    }

    // MARK: API tokens

    /// Creates a staff API token with `role`; the token is returned once and only its digest is stored.
    public func createAPIToken(role: APIRole, label: String? = nil) throws(AppError) -> IssuedAPIToken {
        let label = try Input.note(label, option: "--label")
        return try write { ctx in
            let number = (try ctx.tx.apiTokens().compactMap { Int($0.id.dropFirst()) }.max() ?? 0) + 1
            let token = AccessToken.apiPrefix + AccessToken.generate()
            let record = APITokenRecord(
                id: String(format: "T%04d", number), role: role, label: label, tokenHash: AccessToken.digest(token), createdAt: ctx.now)
            try ctx.tx.insert(record)
            try ctx.audit("token-create", "api-token", record.id, ["role": role.rawValue])
            return IssuedAPIToken(record: record, token: token)
        }
    }

    /// Every API token (revoked ones too), by id; no tokens.
    public func apiTokens() throws(AppError) -> [APITokenRecord] {
        try read { ctx in try ctx.reader.apiTokens() }
    }

    /// Revokes an API token: requests bearing it are refused from the next one on.
    public func revokeAPIToken(id: String) throws(AppError) -> APITokenRecord {
        try write { ctx in
            try AccessLifecycle.revoke(try Self.apiToken(ctx.base, id: id), ctx, action: "token-revoke", entity: "api-token", save: { try ctx.tx.update($0) })
        }
    }

    /// Replaces an API token's secret (same id and role); the old one is refused at once.
    public func rotateAPIToken(id: String) throws(AppError) -> IssuedAPIToken {
        try write { ctx in
            let token = AccessToken.apiPrefix + AccessToken.generate()
            let record = try AccessLifecycle.rotate(
                try Self.apiToken(ctx.base, id: id), to: token, ctx, action: "token-rotate", entity: "api-token",
                revoked: "API token \(id.uppercased()) is revoked; create a new one with `retreat tokens create`", save: { try ctx.tx.update($0) })
            return IssuedAPIToken(record: record, token: token)
        }
    }

    static func apiToken(_ ctx: ReadContext, id: String) throws -> APITokenRecord {
        guard let record = try ctx.reader.apiTokens().first(where: { $0.id.caseInsensitiveCompare(id) == .orderedSame }) else {
            throw AppError(.notFound, "no API token with id \(id); `retreat tokens list` shows them")
        }
        return record
    }

    /// The live API token whose secret is `token`, or nil (unknown, revoked or malformed: all alike).
    public func authenticate(apiToken token: String) throws(AppError) -> APITokenRecord? {
        guard token.hasPrefix(AccessToken.apiPrefix), AccessToken.isWellFormed(token.dropFirst(AccessToken.apiPrefix.count)) else { return nil }
        let digest = AccessToken.digest(token)
        return try read { ctx in
            guard let record = try ctx.reader.apiToken(tokenHash: digest), record.revokedAt == nil else { return nil }
            return record
        }
    }
}

/// What a feed and an API token share: a secret kept only as its digest, which staff rotate and revoke.
protocol RevocableAccess {
    var id: String { get }
    var tokenHash: String { get set }
    var rotatedAt: Date? { get set }
    var revokedAt: Date? { get set }
}

extension FeedRecord: RevocableAccess {}
extension APITokenRecord: RevocableAccess {}

/// Revoking and rotating, once for both kinds of access.
enum AccessLifecycle {
    /// Revokes `record` (answers refused from the next request on), saved with `save` and audited as `action`.
    /// Revoking twice changes nothing.
    static func revoke<R: RevocableAccess>(_ record: R, _ ctx: WriteContext, action: String, entity: String, save: (R) throws -> Void) throws -> R {
        guard record.revokedAt == nil else { return record }
        var record = record
        record.revokedAt = ctx.now
        try save(record)
        try ctx.audit(action, entity, record.id)
        return record
    }

    /// Gives `record` the secret `token` (the old one is refused at once), saved and audited.
    /// - Throws: `.invalid` with `revoked` for a revoked record.
    static func rotate<R: RevocableAccess>(
        _ record: R, to token: String, _ ctx: WriteContext, action: String, entity: String, revoked: String, save: (R) throws -> Void
    ) throws -> R {
        guard record.revokedAt == nil else { throw AppError(.invalid, revoked) }
        var record = record
        record.tokenHash = AccessToken.digest(token)
        record.rotatedAt = ctx.now
        try save(record)
        try ctx.audit(action, entity, record.id)
        return record
    }
}
