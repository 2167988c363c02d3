import Foundation
import RetreatScheduling

/// Persistence of one practice: what the use cases read and write, and nothing else.
///
/// A store keeps records; it decides no business rule. The only invariant it enforces itself is the one
/// that must hold even when two processes race: no two live bookings of one resource share a day (intensive
/// or turnover), held by the schema (one row per occupied resource-day under a key, or an exclusion
/// constraint), derived from the span stored with each booking.
///
/// Every `write` is one transaction: its body's changes commit together or not at all. A body may run more
/// than once when the database asks for a retry (serialization failures), so it must do nothing but read and
/// write through the transaction it is given.
/// A store that can hold a named lock for the length of a run that spans many transactions (one `notify` at a
/// time), released by `RunLock.release()` or by the end of the process holding it, however it ends.
public protocol RunLocking {
    /// Takes the lock `name` of this store, or returns nil when another run holds it.
    func tryRunLock(_ name: String) throws -> (any RunLock)?
}

/// A held run lock.
public protocol RunLock: AnyObject {
    /// Gives the lock back (also done when the process ends).
    func release()
}

public protocol PracticeStore: AnyObject, Sendable {
    /// Where the store lives (a file path or a URL without its password), for messages.
    var location: String { get }

    /// Runs `body` on a consistent snapshot.
    func read<T>(_ body: (any StoreReading) throws -> T) throws -> T

    /// Runs `body` in one write transaction that holds the write lock from its start, so what it reads
    /// cannot change before it writes.
    func write<T>(_ body: (any StoreWriting) throws -> T) throws -> T

    /// Writes a consistent copy of the whole store to `path` (which must not exist), complete or not at all.
    func backup(to path: String) throws

    /// Replaces the store's contents with the backup at `path` after checking a private copy of it (the store's
    /// own checks, then `check` reading the copy's records); on any failed check nothing changes. `audit` is
    /// appended once the backup is in place.
    func restore(from path: String, audit: AuditEntry, check: (any StoreReading) throws -> Void) throws

    /// Every broken invariant (empty when sound): integrity, occupancy rows matching live bookings, no two
    /// live bookings sharing a resource-day, no orphan rows.
    func invariantViolations() throws -> [String]
}

/// The records a use case can read inside a transaction.
public protocol StoreReading {
    /// The practice settings. Throws `StoreError.notInitialized` before `retreat init`.
    func settings() throws -> PracticeSettings
    /// Whether settings were stored (the store was initialised).
    func isInitialized() throws -> Bool
    /// How the practice appears in calendars (defaults where unset).
    func profile() throws -> PracticeProfile
    /// The counselors' stored profiles (empty when none were configured).
    func counselorProfiles() throws -> [CounselorProfile]
    /// A configuration document (module catalog, day template, ...), if stored.
    func document(_ key: DocumentKey) throws -> String?

    /// One booking, by id (case-insensitive), with its payments.
    func booking(id: String) throws -> Booking?
    /// The booking created by the request with this idempotency key, and that request's fingerprint.
    func booking(requestID: String) throws -> (booking: Booking, fingerprint: String?)?
    /// Bookings matching `query`, by start then creation order, with their payments.
    func bookings(_ query: BookingQuery) throws -> [Booking]
    /// The highest booking number used so far (B0007 → 7), 0 when none.
    func lastBookingNumber() throws -> Int

    /// Every blackout, by start.
    func blackouts() throws -> [Blackout]

    /// Every waitlist entry, oldest first.
    func waitlist() throws -> [WaitlistEntry]

    /// Every counseling series, oldest first.
    func allSeries() throws -> [StoredSeries]
    /// The highest series number used so far (S0003 → 3), 0 when none.
    func lastSeriesNumber() throws -> Int

    /// A booking's intake answers as JSON the agenda module owns, if recorded.
    func intakeJSON(bookingID: String) throws -> String?
    /// A booking's stored agenda, if planned.
    func agenda(bookingID: String) throws -> StoredAgenda?

    /// The audit log, oldest first (only entries about `entityID` when given).
    func auditLog(entityID: String?) throws -> [AuditEntry]

    /// Every record with its ids and numbering, for copies between stores (`retreat migrate`, backups).
    func records() throws -> StoreRecords

    /// The events sent to couples (only `owner`'s when given), by UID.
    func sentEvents(owner: EventOwner?) throws -> [SentEvent]
    /// Outbox messages matching `query`, oldest first.
    func outboxMessages(_ query: OutboxQuery) throws -> [OutboxMessage]
    /// One outbox message, by id.
    func outboxMessage(id: Int64) throws -> OutboxMessage?
    /// The outbox message queued under `dedupeKey`, if any.
    func outboxMessage(dedupeKey: String) throws -> OutboxMessage?

    /// The newest audit entry (the highest id), nil when the log is empty: what changed last, and when.
    func latestAuditEntry() throws -> AuditEntry?

    /// Every subscription feed, by id (revoked ones too).
    func feeds() throws -> [FeedRecord]
    /// The feed whose token digest is `tokenHash` (revoked or not), nil when none.
    func feed(tokenHash: String) throws -> FeedRecord?
    /// Every API token, by id (revoked ones too).
    func apiTokens() throws -> [APITokenRecord]
    /// The API token whose digest is `tokenHash` (revoked or not), nil when none.
    func apiToken(tokenHash: String) throws -> APITokenRecord?
    /// The note a couple wrote with the request that created a booking, if any.
    func bookingNote(bookingID: String) throws -> BookingNote?
}

/// The records a use case can write inside a transaction.
public protocol StoreWriting: StoreReading {
    /// Stores the practice settings (the caller validated them).
    func saveSettings(_ settings: PracticeSettings) throws
    /// Stores the calendar profile.
    func saveProfile(_ profile: PracticeProfile) throws
    /// Stores the counselors' profiles (replacing earlier ones).
    func saveCounselorProfiles(_ counselors: [CounselorProfile]) throws
    /// Stores a configuration document.
    func saveDocument(_ key: DocumentKey, _ text: String) throws

    /// Inserts a booking (payments ignored) and, when it is live, one occupancy row per day of its stored
    /// span. Throws `StoreError.conflict` naming the first taken day when the schema refuses one.
    func insert(_ booking: Booking, requestFingerprint: String?) throws
    /// Rewrites a booking's row (payments ignored) and re-derives its occupancy rows from its status and span.
    /// Throws `StoreError.conflict` naming the first taken day when the schema refuses one.
    func update(_ booking: Booking) throws
    /// Records a payment (or a refund, negative) against a booking; returns it with its id.
    func insert(_ payment: Payment, bookingID: String) throws -> Payment
    /// Marks a payment voided; false when there is no such payment of that booking.
    func voidPayment(id: Int64, bookingID: String) throws -> Bool

    /// Inserts a blackout; returns it with its id.
    func insert(_ blackout: Blackout) throws -> Blackout
    /// Deletes a blackout; false when there is no such id.
    func deleteBlackout(id: Int64) throws -> Bool
    /// Stores imported busy time under `key`: occurrences already stored under that key (same UID and
    /// RECURRENCE-ID) are left alone. With `replacingWithin`, what is stored under the key lying wholly within
    /// that window (practice-local days, inclusive) is removed first; rows reaching outside it are kept.
    func importBlackouts(_ items: [ImportedBlackout], key: ImportKey, reason: String, replacingWithin window: ClosedRange<CalendarDay>?) throws
        -> ImportCounts

    /// Inserts a waitlist entry; returns it with its id.
    func insert(_ entry: WaitlistEntry) throws -> WaitlistEntry
    /// Rewrites a waitlist entry (status, booking).
    func update(_ entry: WaitlistEntry) throws

    /// Inserts a counseling series.
    func insert(_ series: StoredSeries) throws
    /// Rewrites a counseling series.
    func update(_ series: StoredSeries) throws

    /// Stores a booking's intake answers (JSON the agenda module owns).
    func saveIntakeJSON(_ json: String, bookingID: String) throws
    /// Stores (replaces) a booking's agenda.
    func save(_ agenda: StoredAgenda) throws

    /// Appends to the audit log.
    func append(_ entry: AuditEntry) throws

    /// Stores (inserts or replaces, by UID) what was last sent of an event.
    func save(_ event: SentEvent) throws
    /// Queues a message; returns it with its id. Throws `StoreError.conflict` when its dedupe key or seed is taken.
    func insert(_ message: OutboxMessage) throws -> OutboxMessage
    /// Rewrites an outbox message (status, attempts, claim, rendered text, error).
    func update(_ message: OutboxMessage) throws

    /// Inserts a feed. Throws `StoreError.conflict` when its id or token digest is taken.
    func insert(_ feed: FeedRecord) throws
    /// Rewrites a feed (token digest, rotation, revocation). Throws `StoreError.notFound` for an unknown id.
    func update(_ feed: FeedRecord) throws
    /// Inserts an API token. Throws `StoreError.conflict` when its id or token digest is taken.
    func insert(_ token: APITokenRecord) throws
    /// Rewrites an API token. Throws `StoreError.notFound` for an unknown id.
    func update(_ token: APITokenRecord) throws
    /// Stores (replaces) the note of a booking's request.
    func save(_ note: BookingNote) throws
}

/// Configuration documents kept in the store.
public enum DocumentKey: String, Sendable, CaseIterable {
    /// The agenda module catalog (TOML text).
    case agendaCatalog
    /// The agenda day template (JSON).
    case dayTemplate
    /// Present only in a store `retreat demo` made (so a later demo may replace it, and nothing else).
    case demoMarker
    /// The e-mail settings (`MailSettings` as JSON).
    case mailSettings
    /// The key `retreat serve` signs its request forms with (base64), shared by every server on the store.
    case formKey
}

/// Which outbox messages to read.
public struct OutboxQuery: Hashable, Sendable {
    /// Only these statuses (empty: all).
    public var statuses: Set<OutboxStatus>
    /// Only messages about the event with this UID.
    public var uid: String?

    /// Creates a query.
    public init(statuses: Set<OutboxStatus> = [], uid: String? = nil) {
        self.statuses = statuses
        self.uid = uid
    }
}

/// Which bookings to read.
public struct BookingQuery: Hashable, Sendable {
    /// Only bookings whose intensive days end on or after this day.
    public var from: CalendarDay?
    /// Only bookings starting on or before this day.
    public var to: CalendarDay?
    /// Only these statuses (empty: all).
    public var statuses: Set<BookingStatus>

    /// Creates a query.
    public init(from: CalendarDay? = nil, to: CalendarDay? = nil, statuses: Set<BookingStatus> = []) {
        self.from = from
        self.to = to
        self.statuses = statuses
    }

    /// Held and confirmed bookings.
    public static let live = BookingQuery(statuses: [.held, .confirmed])
}

/// One imported busy occurrence to keep as a blackout: whole days, or an interval of time.
public struct ImportedBlackout: Hashable, Sendable {
    /// UID of the event it comes from.
    public var uid: String
    /// Its RECURRENCE-ID (the original start) as text: with the UID, its identity within a source.
    public var recurrenceID: String
    /// First day (whole days), or the practice-local date a timed occurrence starts on.
    public var from: CalendarDay
    /// Last day, inclusive (whole days), or the practice-local date a timed occurrence ends on.
    public var to: CalendarDay
    /// Start instant of a timed occurrence (nil for whole days).
    public var startsAt: Date?
    /// End instant (exclusive) of a timed occurrence.
    public var endsAt: Date?

    /// Creates an item of whole days.
    public init(uid: String, recurrenceID: String, from: CalendarDay, to: CalendarDay) {
        self.uid = uid
        self.recurrenceID = recurrenceID
        self.from = from
        self.to = to
    }

    /// Creates an item from a blackout's span (whole days or times).
    public init(uid: String, recurrenceID: String, span: Blackout) {
        self.init(uid: uid, recurrenceID: recurrenceID, from: span.from, to: span.to)
        startsAt = span.startsAt
        endsAt = span.endsAt
    }

    /// `items` with each occurrence (UID and RECURRENCE-ID) only the first time it comes, in the order given.
    /// Stores drop the repeats before inserting: a repeat that reached the insert would conflict, and a conflict
    /// uses up an id (SQLite's AUTOINCREMENT, PostgreSQL's sequence).
    public static func firstOfEachOccurrence(_ items: [ImportedBlackout]) -> [ImportedBlackout] {
        struct Occurrence: Hashable {
            var uid: String
            var recurrenceID: String
        }
        var seen = Set<Occurrence>(minimumCapacity: items.count)
        return items.filter { seen.insert(Occurrence(uid: $0.uid, recurrenceID: $0.recurrenceID)).inserted }
    }
}

/// What identifies one import's blackouts: the resource it was imported for (nil: every resource) and the
/// source (a file path or a name staff chose).
public struct ImportKey: Hashable, Sendable {
    /// The resource, or nil for all.
    public var resource: String?
    /// The source name.
    public var source: String

    /// Creates a key.
    public init(resource: String?, source: String) {
        self.resource = resource
        self.source = source
    }
}

/// What an import changed in the store.
public struct ImportCounts: Hashable, Sendable {
    /// Occurrences stored now.
    public var added: Int
    /// Occurrences already stored by an earlier import under the same key.
    public var unchanged: Int
    /// Rows removed first by `replace`.
    public var removed: Int

    /// Creates counts.
    public init(added: Int, unchanged: Int, removed: Int) {
        self.added = added
        self.unchanged = unchanged
        self.removed = removed
    }
}

/// A stored agenda: the planner's output and the staff adjustments it was planned with, as JSON the agenda
/// module owns, and why it is stale when something it was planned from has changed since.
public struct StoredAgenda: Hashable, Sendable {
    /// The booking.
    public var bookingID: String
    /// The agenda (JSON).
    public var agendaJSON: String
    /// The adjustments (JSON).
    public var adjustmentsJSON: String
    /// When it was planned.
    public var plannedAt: Date
    /// Why it no longer matches the booking or the intake (nil while current).
    public var staleReason: String?

    /// Creates a stored agenda.
    public init(bookingID: String, agendaJSON: String, adjustmentsJSON: String, plannedAt: Date, staleReason: String? = nil) {
        self.bookingID = bookingID
        self.agendaJSON = agendaJSON
        self.adjustmentsJSON = adjustmentsJSON
        self.plannedAt = plannedAt
        self.staleReason = staleReason
    }
}
