import Foundation
internal import GRDB
import RetreatScheduling

// GRDB records: one Codable struct per table, columns named by CodingKeys, JSON columns where the value is a
// document. The mapping to domain values sits beside each record, so no SQL row is decoded by hand.

/// JSON columns are written and read by Retreat's own coder rather than GRDB's nested-value encoding, which
/// signals "needs JSON" by throwing inside the encoder: harmless in production, but a thrown error inside a
/// deep encoding stack crashed the unwinder that Swift Testing runs on every throw.
enum JSONColumn {
    static func encode(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    static func decode<T: Decodable>(_ type: T.Type, _ text: String, _ what: String) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: Data(text.utf8))
        } catch {
            throw StoreError(.incompatible, "the stored \(what) cannot be read: \(error)")
        }
    }
}

/// Reads a stored `YYYY-MM-DD`, refusing anything else (a hand-edited or foreign file).
func storedDay(_ text: String, _ what: String) throws -> CalendarDay {
    guard let day = CalendarDay(iso: text) else { throw StoreError(.incompatible, "stored \(what) \"\(text)\" is not a date") }
    return day
}

struct SettingsRow: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "settings"
    var id: Int = 1
    var json: String

    init(_ settings: PracticeSettings) throws {
        json = try JSONColumn.encode(settings)
    }

    var settings: PracticeSettings {
        get throws { try JSONColumn.decode(PracticeSettings.self, json, "settings") }
    }
}

struct ProfileRow: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "profile"
    var key: String
    var value: String
}

struct BookingRow: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "bookings"
    var id: String
    var seq: Int
    var couple: String
    var contact: String?
    var resource: String
    var start: String
    var end: String
    var intensiveDays: Int
    var turnoverDays: Int
    var status: String
    var sequence: Int
    var priorities: String
    var priceCents: Int
    var depositCents: Int
    var depositDue: String
    var createdAt: Double
    var holdExpiresAt: Double?
    var refundCents: Int?
    var refundPercent: Int?
    var cancelledOn: String?
    var cancellationReason: String?
    var requestID: String?
    var requestFingerprint: String?

    enum CodingKeys: String, CodingKey, ColumnExpression {
        case id, seq, couple, contact, resource, start, end, status, sequence, priorities
        case intensiveDays = "intensive_days", turnoverDays = "turnover_days", priceCents = "price_cents"
        case depositCents = "deposit_cents", depositDue = "deposit_due", createdAt = "created_at"
        case holdExpiresAt = "hold_expires_at", refundCents = "refund_cents", refundPercent = "refund_percent"
        case cancelledOn = "cancelled_on", cancellationReason = "cancellation_reason", requestID = "request_id"
        case requestFingerprint = "request_fingerprint"
    }

    init(_ b: Booking, seq: Int, fingerprint: String?) throws {
        id = b.id
        self.seq = seq
        couple = b.couple
        contact = b.contact
        resource = b.resource
        start = b.start.description
        end = b.end.description
        intensiveDays = b.intensiveDays
        turnoverDays = b.turnoverDays
        status = b.status.rawValue
        sequence = b.sequence
        priorities = try JSONColumn.encode(b.priorities)
        priceCents = b.priceCents
        depositCents = b.deposit.amountCents
        depositDue = b.deposit.due.description
        createdAt = b.createdAt.timeIntervalSince1970
        holdExpiresAt = b.holdExpiresAt?.timeIntervalSince1970
        refundCents = b.refundCents
        refundPercent = b.refundPercent
        cancelledOn = b.cancelledOn?.description
        cancellationReason = b.cancellationReason
        requestID = b.requestID
        requestFingerprint = fingerprint
    }

    func booking(payments: [Payment]) throws -> Booking {
        guard let status = BookingStatus(rawValue: status) else {
            throw StoreError(.incompatible, "booking \(id) has an unknown status \"\(self.status)\"")
        }
        return Booking(
            id: id, couple: couple, contact: contact, resource: resource, start: try storedDay(start, "start of \(id)"),
            intensiveDays: intensiveDays, turnoverDays: turnoverDays, status: status, sequence: sequence,
            priorities: try JSONColumn.decode([String].self, priorities, "priorities of \(id)"),
            priceCents: priceCents, deposit: Deposit(amountCents: depositCents, due: try storedDay(depositDue, "deposit due date of \(id)")),
            payments: payments, createdAt: Date(timeIntervalSince1970: createdAt), holdExpiresAt: holdExpiresAt.map(Date.init(timeIntervalSince1970:)),
            refundCents: refundCents, refundPercent: refundPercent, cancelledOn: try cancelledOn.map { try storedDay($0, "cancellation date of \(id)") },
            cancellationReason: cancellationReason, requestID: requestID)
    }
}

struct OccupiedDayRow: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "occupied_days"
    var resource: String
    var day: String
    var bookingID: String
    var kind: String

    enum CodingKeys: String, CodingKey, ColumnExpression {
        case resource, day, kind
        case bookingID = "booking_id"
    }
}

struct PaymentRow: Codable, FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "payments"
    var id: Int64?
    var bookingID: String
    var amountCents: Int
    var day: String
    var note: String?
    var voided: Bool

    enum CodingKeys: String, CodingKey, ColumnExpression {
        case id, day, note, voided
        case bookingID = "booking_id", amountCents = "amount_cents"
    }

    mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }

    var payment: Payment {
        get throws {
            Payment(id: id, amountCents: amountCents, date: try storedDay(day, "payment date"), note: note, voided: voided)
        }
    }
}

struct BlackoutRow: Codable, FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "blackouts"
    var id: Int64?
    var fromDay: String
    var toDay: String
    var resource: String?
    var reason: String?
    var source: String
    var uid: String?
    var recurrenceID: String?
    var startsAt: Double?
    var endsAt: Double?

    enum CodingKeys: String, CodingKey, ColumnExpression {
        case id, resource, reason, source, uid
        case fromDay = "from_day", toDay = "to_day", recurrenceID = "recurrence_id", startsAt = "starts_at", endsAt = "ends_at"
    }

    mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }

    init(_ b: Blackout, uid: String? = nil, recurrenceID: String? = nil) {
        id = b.id
        fromDay = b.from.description
        toDay = b.to.description
        resource = b.resource
        reason = b.reason
        source = b.source
        self.uid = uid
        self.recurrenceID = recurrenceID
        startsAt = b.startsAt?.timeIntervalSince1970
        endsAt = b.endsAt?.timeIntervalSince1970
    }

    var blackout: Blackout {
        get throws {
            var b = Blackout(
                id: id, from: try storedDay(fromDay, "blackout start"), to: try storedDay(toDay, "blackout end"), resource: resource, reason: reason,
                source: source)
            b.startsAt = startsAt.map(Date.init(timeIntervalSince1970:))
            b.endsAt = endsAt.map(Date.init(timeIntervalSince1970:))
            return b
        }
    }
}

struct WaitlistRow: Codable, FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "waitlist"
    var id: Int64?
    var couple: String
    var contact: String?
    var fromDay: String
    var toDay: String
    var resource: String?
    var createdAt: Double
    var status: String
    var bookingID: String?

    enum CodingKeys: String, CodingKey, ColumnExpression {
        case id, couple, contact, resource, status
        case fromDay = "from_day", toDay = "to_day", createdAt = "created_at", bookingID = "booking_id"
    }

    mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }

    init(_ e: WaitlistEntry) {
        id = e.id
        couple = e.couple
        contact = e.contact
        fromDay = e.from.description
        toDay = e.to.description
        resource = e.resource
        createdAt = e.createdAt.timeIntervalSince1970
        status = e.status.rawValue
        bookingID = e.bookingID
    }

    var entry: WaitlistEntry {
        get throws {
            WaitlistEntry(
                id: id, couple: couple, contact: contact, from: try storedDay(fromDay, "waitlist start"), to: try storedDay(toDay, "waitlist end"),
                resource: resource, createdAt: Date(timeIntervalSince1970: createdAt), status: WaitlistStatus(rawValue: status) ?? .removed,
                bookingID: bookingID)
        }
    }
}

struct SeriesRow: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "series"
    var id: String
    var seq: Int
    var couple: String
    var counselor: String
    var contact: String?
    var json: String
    var active: Bool
    var createdAt: Double

    enum CodingKeys: String, CodingKey, ColumnExpression {
        case id, seq, couple, counselor, contact, json, active
        case createdAt = "created_at"
    }

    init(_ s: StoredSeries, seq: Int) throws {
        id = s.series.id
        self.seq = seq
        couple = s.series.spec.couple
        counselor = s.series.spec.counselor
        contact = s.contact
        json = try JSONColumn.encode(s.series)
        active = s.active
        createdAt = s.createdAt.timeIntervalSince1970
    }

    var stored: StoredSeries {
        get throws {
            StoredSeries(
                series: try JSONColumn.decode(CounselingSeries.self, json, "counseling series \(id)"), contact: contact, active: active,
                createdAt: Date(timeIntervalSince1970: createdAt))
        }
    }
}

struct IntakeRow: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "intakes"
    var bookingID: String
    var json: String

    enum CodingKeys: String, CodingKey, ColumnExpression {
        case json
        case bookingID = "booking_id"
    }
}

struct AgendaRow: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "agendas"
    var bookingID: String
    var json: String
    var adjustments: String
    var plannedAt: Double
    var staleReason: String?

    enum CodingKeys: String, CodingKey, ColumnExpression {
        case json, adjustments
        case bookingID = "booking_id", plannedAt = "planned_at", staleReason = "stale_reason"
    }
}

struct AuditRow: Codable, FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "audit_log"
    var id: Int64?
    var at: Double
    var actor: String
    var action: String
    var entity: String
    var entityID: String
    var detail: String

    enum CodingKeys: String, CodingKey, ColumnExpression {
        case id, at, actor, action, entity, detail
        case entityID = "entity_id"
    }

    var entry: AuditEntry {
        AuditEntry(id: id ?? 0, at: Date(timeIntervalSince1970: at), actor: actor, action: action, entity: entity, entityID: entityID, detail: detail)
    }
}

struct SentEventRow: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "sent_events"
    var uid: String
    var ownerKind: String
    var ownerID: String
    var sequence: Int
    var contentHash: String
    var cancelled: Bool
    var recipients: String
    var updatedAt: Double

    enum CodingKeys: String, CodingKey, ColumnExpression {
        case uid, sequence, cancelled, recipients
        case ownerKind = "owner_kind", ownerID = "owner_id", contentHash = "content_hash", updatedAt = "updated_at"
    }

    init(_ e: SentEvent) {
        uid = e.uid
        ownerKind = e.owner.kind.rawValue
        ownerID = e.owner.id
        sequence = e.sequence
        contentHash = e.contentHash
        cancelled = e.cancelled
        recipients = e.recipients
        updatedAt = e.updatedAt.timeIntervalSince1970
    }

    var event: SentEvent {
        get throws {
            guard let kind = EventOwner.Kind(rawValue: ownerKind) else {
                throw StoreError(.incompatible, "sent event \(uid) has an unknown owner kind \"\(ownerKind)\"")
            }
            return SentEvent(
                uid: uid, owner: EventOwner(kind, ownerID), sequence: sequence, contentHash: contentHash, cancelled: cancelled, recipients: recipients,
                updatedAt: Date(timeIntervalSince1970: updatedAt))
        }
    }
}

struct OutboxRow: Codable, FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "outbox"
    var id: Int64?
    var createdAt: Double
    var kind: String
    var ownerKind: String
    var ownerID: String
    var uid: String?
    var method: String?
    var sequence: Int?
    var recipients: String
    var subject: String
    var body: String
    var calendar: String?
    var dedupeKey: String?
    var occursAt: Double?
    var seed: String
    var status: String
    var attempts: Int
    var nextAttemptAt: Double
    var claimedAt: Double?
    var claimToken: String?
    var messageID: String?
    var rendered: String?
    var sentAt: Double?
    var lastError: String?
    var endsAt: Double?
    var maybeDelivered: Bool

    enum CodingKeys: String, CodingKey, ColumnExpression {
        case id, kind, uid, method, sequence, recipients, subject, body, calendar, seed, status, attempts, rendered
        case createdAt = "created_at", ownerKind = "owner_kind", ownerID = "owner_id", dedupeKey = "dedupe_key", occursAt = "occurs_at"
        case nextAttemptAt = "next_attempt_at", claimedAt = "claimed_at", claimToken = "claim_token", messageID = "message_id"
        case sentAt = "sent_at", lastError = "last_error", endsAt = "ends_at", maybeDelivered = "maybe_delivered"
    }

    mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }

    init(_ m: OutboxMessage) {
        id = m.id
        createdAt = m.createdAt.timeIntervalSince1970
        kind = m.kind.rawValue
        ownerKind = m.owner.kind.rawValue
        ownerID = m.owner.id
        uid = m.uid
        method = m.method
        sequence = m.sequence
        recipients = m.recipients
        subject = m.subject
        body = m.body
        calendar = m.calendar
        dedupeKey = m.dedupeKey
        occursAt = m.occursAt?.timeIntervalSince1970
        seed = m.seed
        status = m.status.rawValue
        attempts = m.attempts
        nextAttemptAt = m.nextAttemptAt.timeIntervalSince1970
        claimedAt = m.claimedAt?.timeIntervalSince1970
        claimToken = m.claimToken
        messageID = m.messageID
        rendered = m.rendered
        sentAt = m.sentAt?.timeIntervalSince1970
        lastError = m.lastError
        endsAt = m.endsAt?.timeIntervalSince1970
        maybeDelivered = m.maybeDelivered
    }

    var message: OutboxMessage {
        get throws {
            guard let kind = OutboxKind(rawValue: kind), let ownerKind = EventOwner.Kind(rawValue: ownerKind),
                let status = OutboxStatus(rawValue: status)
            else {
                throw StoreError(.incompatible, "outbox message \(id ?? 0) has an unknown kind or status")
            }
            var m = OutboxMessage(
                createdAt: Date(timeIntervalSince1970: createdAt), kind: kind, owner: EventOwner(ownerKind, ownerID), uid: uid, method: method,
                sequence: sequence, recipients: recipients, subject: subject, body: body, calendar: calendar, dedupeKey: dedupeKey,
                occursAt: occursAt.map(Date.init(timeIntervalSince1970:)), seed: seed)
            m.id = id
            m.status = status
            m.attempts = attempts
            m.nextAttemptAt = Date(timeIntervalSince1970: nextAttemptAt)
            m.claimedAt = claimedAt.map(Date.init(timeIntervalSince1970:))
            m.claimToken = claimToken
            m.messageID = messageID
            m.rendered = rendered
            m.sentAt = sentAt.map(Date.init(timeIntervalSince1970:))
            m.lastError = lastError
            m.endsAt = endsAt.map(Date.init(timeIntervalSince1970:))
            m.maybeDelivered = maybeDelivered
            return m
        }
    }
}
