import Foundation
import RetreatScheduling

/// Every record of a store with its ids and numbering: what `retreat migrate` copies from one store into another
/// and what a backup of a PostgreSQL store carries. Two stores holding equal records answer every read alike.
///
/// A new table is a new field here, read by every store's `records()` and written by its loader; the stores'
/// tests compare the tables each schema has with `StoreRecords.tables`, so none is forgotten.
public struct StoreRecords: Hashable, Sendable {
    /// A booking (its payments with their ids) and what the booking read leaves out.
    public struct BookingRecord: Hashable, Sendable {
        /// The booking with its payments.
        public var booking: Booking
        /// Its number (B0007 → 7), which orders bookings of one start day.
        public var seq: Int
        /// The fingerprint of the request that created it (idempotency keys).
        public var requestFingerprint: String?

        /// Creates a record.
        public init(booking: Booking, seq: Int, requestFingerprint: String?) {
            self.booking = booking
            self.seq = seq
            self.requestFingerprint = requestFingerprint
        }
    }

    /// A blackout and, when it was imported, the identity of its occurrence within its source.
    public struct BlackoutRecord: Hashable, Sendable {
        /// The blackout with its id.
        public var blackout: Blackout
        /// UID of the imported event.
        public var uid: String?
        /// RECURRENCE-ID of the imported occurrence.
        public var recurrenceID: String?

        /// Creates a record.
        public init(blackout: Blackout, uid: String?, recurrenceID: String?) {
            self.blackout = blackout
            self.uid = uid
            self.recurrenceID = recurrenceID
        }
    }

    /// A counseling series and its number.
    public struct SeriesRecord: Hashable, Sendable {
        /// The series.
        public var stored: StoredSeries
        /// Its number (S0003 → 3).
        public var seq: Int

        /// Creates a record.
        public init(stored: StoredSeries, seq: Int) {
            self.stored = stored
            self.seq = seq
        }
    }

    /// The practice settings (nil before `retreat init`).
    public var settings: PracticeSettings?
    /// The profile table as stored: calendar profile, counselors and configuration documents by key.
    public var profile: [String: String]
    /// Every booking, by number.
    public var bookings: [BookingRecord]
    /// Every blackout, by id.
    public var blackouts: [BlackoutRecord]
    /// Every waitlist entry, by id.
    public var waitlist: [WaitlistEntry]
    /// Every counseling series, by number.
    public var series: [SeriesRecord]
    /// Intake answers (JSON) by booking id.
    public var intakes: [String: String]
    /// Every stored agenda, by booking id.
    public var agendas: [StoredAgenda]
    /// The audit log, by id.
    public var audit: [AuditEntry]
    /// What was last sent of each event to a couple, by UID.
    public var sentEvents: [SentEvent] = []
    /// The e-mail outbox, by id.
    public var outbox: [OutboxMessage] = []
    /// Subscription feeds (token digests included: a copy keeps every URL working), by id.
    public var feeds: [FeedRecord] = []
    /// Staff API tokens (digests included), by id.
    public var apiTokens: [APITokenRecord] = []
    /// Notes couples wrote with their requests for dates, by booking id.
    public var notes: [BookingNote] = []

    /// Creates records.
    public init(
        settings: PracticeSettings? = nil, profile: [String: String] = [:], bookings: [BookingRecord] = [], blackouts: [BlackoutRecord] = [],
        waitlist: [WaitlistEntry] = [], series: [SeriesRecord] = [], intakes: [String: String] = [:], agendas: [StoredAgenda] = [],
        audit: [AuditEntry] = []
    ) {
        self.settings = settings
        self.profile = profile
        self.bookings = bookings
        self.blackouts = blackouts
        self.waitlist = waitlist
        self.series = series
        self.intakes = intakes
        self.agendas = agendas
        self.audit = audit
    }

    /// The tables these records fill, by the names both stores give them (derived tables, such as the
    /// occupancy rows, excluded).
    public static let tables: Set<String> = [
        "settings", "profile", "bookings", "payments", "blackouts", "waitlist", "series", "intakes", "agendas", "audit_log", "sent_events", "outbox",
        "feeds", "api_tokens", "booking_notes",
    ]

    /// How many records of each kind, in a fixed order, for reports and checks.
    public var counts: KeyValuePairs<String, Int> {
        [
            "settings": settings == nil ? 0 : 1, "profile entries": profile.count, "bookings": bookings.count,
            "payments": bookings.reduce(0) { $0 + $1.booking.payments.count }, "blackouts": blackouts.count, "waitlist entries": waitlist.count,
            "counseling series": series.count, "intakes": intakes.count, "agendas": agendas.count, "audit entries": audit.count,
            "sent events": sentEvents.count, "outbox messages": outbox.count, "feeds": feeds.count, "API tokens": apiTokens.count,
            "request notes": notes.count,
        ]
    }

    /// Whether the store holds nothing at all.
    public var isEmpty: Bool { counts.allSatisfy { $0.value == 0 } }

    /// The first kind of record whose count or contents differ from `other`'s, as a sentence; nil when equal.
    public func firstDifference(from other: StoreRecords) -> String? {
        for (mine, theirs) in zip(counts, other.counts) where mine.value != theirs.value {
            return "\(mine.key): \(mine.value) here, \(theirs.value) there"
        }
        let checks: [(String, Bool)] = [
            ("settings", settings == other.settings), ("profile entries", profile == other.profile), ("bookings", bookings == other.bookings),
            ("blackouts", blackouts == other.blackouts), ("waitlist entries", waitlist == other.waitlist), ("counseling series", series == other.series),
            ("intakes", intakes == other.intakes), ("agendas", agendas == other.agendas), ("audit entries", audit == other.audit),
            ("sent events", sentEvents == other.sentEvents), ("outbox messages", outbox == other.outbox), ("feeds", feeds == other.feeds),
            ("API tokens", apiTokens == other.apiTokens), ("request notes", notes == other.notes),
        ]
        return checks.first { !$0.1 }.map { "\($0.0) differ in content" }
    }
}
