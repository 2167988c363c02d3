import Foundation

/// The practice's e-mail settings (`[mail]` in the practice file).
public struct MailSettings: Hashable, Codable, Sendable {
    /// The `From:` mailbox in canonical form (`Name <a@x.org>`); nil uses the organizer (`[practice]
    /// organizerName <organizerEmail>`).
    public var from: String?
    /// Where replies go, when not `from` (canonical mailbox), or nil.
    public var replyTo: String?
    /// The sendmail-compatible command (`msmtp -t --read-envelope-from`), or nil for `sendmail -t -i`;
    /// `$RETREAT_SENDMAIL` overrides it.
    public var sendmail: String?
    /// How many hours before each intensive day and each counseling session a reminder e-mail goes out;
    /// 0 sends none.
    public var reminderHours: Int

    /// The accepted reminder lead times, in hours (up to two weeks).
    public static let reminderHoursRange = 0...336

    /// The keys `retreat settings set` accepts for these settings.
    public static let settableKeys = ["mail.from", "mail.replyTo", "mail.sendmail", "mail.reminderHours"]

    /// Creates settings; the defaults send from the organizer through `sendmail -t -i`, reminding 24 hours ahead.
    public init(from: String? = nil, replyTo: String? = nil, sendmail: String? = nil, reminderHours: Int = 24) {
        self.from = from
        self.replyTo = replyTo
        self.sendmail = sendmail
        self.reminderHours = reminderHours
    }
}

/// What a calendar event sent to a couple belongs to.
public struct EventOwner: Hashable, Sendable, Codable, CustomStringConvertible {
    /// An intensive booking or a counseling series.
    public enum Kind: String, Hashable, Sendable, Codable, CaseIterable {
        /// A booking (`B0001`).
        case booking
        /// A counseling series (`S0001`).
        case series
    }

    /// The kind.
    public var kind: Kind
    /// The booking or series id.
    public var id: String

    /// Creates an owner.
    public init(_ kind: Kind, _ id: String) {
        self.kind = kind
        self.id = id
    }

    /// The id, e.g. `B0001`.
    public var description: String { id }
}

/// One event the practice has sent to a couple, as last sent: the calendar app on the other side holds this
/// UID at this SEQUENCE, with this content.
public struct SentEvent: Hashable, Sendable, Codable {
    /// The event's UID.
    public var uid: String
    /// Whose event it is.
    public var owner: EventOwner
    /// The SEQUENCE last sent.
    public var sequence: Int
    /// A digest of the event as last sent, without DTSTAMP and SEQUENCE: equal digests, nothing to send.
    public var contentHash: String
    /// True once a CANCEL went out (the event is gone from the couple's calendar).
    public var cancelled: Bool
    /// The mailboxes it was last sent to (canonical list), so a removed partner receives the CANCEL.
    public var recipients: String
    /// When it was last sent (queued).
    public var updatedAt: Date

    /// Creates a record.
    public init(uid: String, owner: EventOwner, sequence: Int, contentHash: String, cancelled: Bool, recipients: String, updatedAt: Date) {
        self.uid = uid
        self.owner = owner
        self.sequence = sequence
        self.contentHash = contentHash
        self.cancelled = cancelled
        self.recipients = recipients
        self.updatedAt = updatedAt
    }
}

/// What an outbox message is.
public enum OutboxKind: String, Hashable, Sendable, Codable, CaseIterable {
    /// An iMIP invitation, update or cancellation (text plus `text/calendar; method=…`).
    case invitation
    /// A plain-text reminder before an intensive day or a session.
    case reminder
}

/// Where an outbox message stands.
public enum OutboxStatus: String, Hashable, Sendable, Codable, CaseIterable {
    /// Waiting to be sent (at `nextAttemptAt` at the earliest).
    case queued
    /// Claimed by a `notify` run that is handing it to the mail command.
    case sending
    /// Accepted by the mail command.
    case sent
    /// Not sent, and not retried until staff act (a permanent failure, or too many temporary ones).
    case held
    /// No longer to be sent (superseded, a reminder whose session moved or was cancelled first, an event that is
    /// over, an address taken off the contact).
    case dropped
}

/// One e-mail to a couple, queued in the same transaction as the change that causes it.
///
/// The content is fixed at queue time; the whole RFC 5322 message (and so its Message-ID) is fixed the
/// first time a `notify` run claims it, so any later attempt hands over the very same bytes.
public struct OutboxMessage: Hashable, Sendable, Codable {
    /// Assigned by the store.
    public var id: Int64?
    /// When it was queued.
    public var createdAt: Date
    /// Invitation or reminder.
    public var kind: OutboxKind
    /// Whose event it is about.
    public var owner: EventOwner
    /// The calendar event's UID (invitations).
    public var uid: String?
    /// `REQUEST` or `CANCEL` (invitations).
    public var method: String?
    /// The event's SEQUENCE in this message (invitations).
    public var sequence: Int?
    /// The recipients (canonical mailbox list).
    public var recipients: String
    /// The subject line.
    public var subject: String
    /// The plain-text part.
    public var body: String
    /// The iCalendar object (invitations).
    public var calendar: String?
    /// At most one message per key (a reminder's occurrence), nil for none.
    public var dedupeKey: String?
    /// The start of the day or session a reminder is about.
    public var occursAt: Date?
    /// Random text fixed at queue time: the Message-ID and MIME boundaries are derived from it.
    public var seed: String
    /// Where it stands.
    public var status: OutboxStatus
    /// Attempts to hand it to the mail command so far.
    public var attempts: Int
    /// Not sent before this instant.
    public var nextAttemptAt: Date
    /// When a run claimed it (status `sending`).
    public var claimedAt: Date?
    /// Which run claimed it.
    public var claimToken: String?
    /// The Message-ID (without angle brackets), once rendered.
    public var messageID: String?
    /// The whole message as handed to the mail command, once rendered.
    public var rendered: String?
    /// When the mail command accepted it.
    public var sentAt: Date?
    /// The last failure, in words (no couple's name or address of Retreat's own making).
    public var lastError: String?
    /// Invitations: when the last instance ends that this message, or an earlier one about the same event, may
    /// have put in the couple's calendar; once it is past, the message is not sent (nil: worked out at send time).
    public var endsAt: Date?
    /// True once an attempt ended with its outcome unknown (the mail command had read the whole message, then
    /// was killed or timed out): the message may have reached its recipients although it is not `sent`.
    public var maybeDelivered: Bool = false

    /// Whether the message may be in its recipients' mailboxes: sent, in flight (or left in flight by a run
    /// that died), or tried with an unknown outcome. A failed attempt (refused, temporary failure, not read)
    /// reached no one.
    public var mayHaveReached: Bool { status == .sent || status == .sending || maybeDelivered }

    /// Creates a queued message.
    public init(
        createdAt: Date, kind: OutboxKind, owner: EventOwner, uid: String? = nil, method: String? = nil, sequence: Int? = nil, recipients: String,
        subject: String, body: String, calendar: String? = nil, dedupeKey: String? = nil, occursAt: Date? = nil, seed: String
    ) {
        self.createdAt = createdAt
        self.kind = kind
        self.owner = owner
        self.uid = uid
        self.method = method
        self.sequence = sequence
        self.recipients = recipients
        self.subject = subject
        self.body = body
        self.calendar = calendar
        self.dedupeKey = dedupeKey
        self.occursAt = occursAt
        self.seed = seed
        self.status = .queued
        self.attempts = 0
        self.nextAttemptAt = createdAt
    }
}
