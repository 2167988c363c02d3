import Foundation
import RetreatAgenda
import RetreatConfig
import RetreatScheduling
import RetreatStore

/// Everything in the store, for audits and moves (`retreat export-data --json`).
public struct StoreExport: Codable, Sendable {
    /// A booking's intake and agenda records, as stored.
    public struct AgendaRecord: Codable, Sendable {
        /// The booking.
        public var bookingID: String
        /// The intake answers (JSON the agenda module owns), if recorded.
        public var intake: String?
        /// The agenda (JSON), if planned.
        public var agenda: String?
        /// The staff adjustments it was planned with (JSON).
        public var adjustments: String?
        /// When it was planned.
        public var plannedAt: Date?
        /// Why it is stale, if it is.
        public var staleReason: String?
    }

    /// The schema the store was at.
    public var schemaVersion: Int
    /// When exported.
    public var exportedAt: Date
    /// Settings.
    public var settings: PracticeSettings
    /// Calendar profile.
    public var profile: PracticeProfile
    /// Counselors' stored profiles.
    public var counselors: [CounselorProfile]
    /// Every booking with its payments.
    public var bookings: [Booking]
    /// Every blackout.
    public var blackouts: [Blackout]
    /// Every waitlist entry.
    public var waitlist: [WaitlistEntry]
    /// Every counseling series.
    public var series: [StoredSeries]
    /// Intakes and agendas by booking.
    public var agendas: [AgendaRecord]
    /// The module catalog and day template documents.
    public var documents: [String: String]
    /// The audit log.
    public var audit: [AuditEntry]
    /// Every event sent to a couple, as last sent.
    public var sentEvents: [SentEvent] = []
    /// Every e-mail queued for couples, with its status.
    public var outbox: [OutboxMessage] = []
    /// Subscription feeds (no token digests).
    public var feeds: [FeedRecord] = []
    /// Staff API tokens (no token digests).
    public var apiTokens: [APITokenRecord] = []
    /// Notes couples wrote with their requests for dates.
    public var notes: [BookingNote] = []
}

extension RetreatService {
    /// Copies the store to `path` (which must not exist), complete or not at all.
    public func backup(to path: String) throws(AppError) {
        do { try store.backup(to: path) } catch { throw AppError.wrap(error) }
    }

    /// Replaces the store's contents with a checked backup; on any failed check nothing changes. Beyond the
    /// store's own checks (schema, integrity, invariants), every record must pass what entry checks: settings in
    /// range, amounts within the ceiling, texts without control characters, readable documents.
    public func restore(from path: String) throws(AppError) {
        let entry = AuditEntry(at: clock(), actor: actor, action: "restore", entity: "store", entityID: (path as NSString).lastPathComponent)
        do { try store.restore(from: path, audit: entry, check: RestoreCheck.check) } catch { throw AppError.wrap(error) }
    }

    /// Every record, for audits.
    public func exportAll() throws(AppError) -> StoreExport {
        try read { ctx in
            let bookings = try ctx.reader.bookings(BookingQuery())
            var documents: [String: String] = [:]
            // The form-signing key is a server secret, not practice data.
            for key in DocumentKey.allCases where key != .formKey { documents[key.rawValue] = try ctx.reader.document(key) }
            let agendas = try bookings.compactMap { b -> StoreExport.AgendaRecord? in
                let intake = try ctx.reader.intakeJSON(bookingID: b.id)
                let agenda = try ctx.reader.agenda(bookingID: b.id)
                guard intake != nil || agenda != nil else { return nil }
                return StoreExport.AgendaRecord(
                    bookingID: b.id, intake: intake, agenda: agenda?.agendaJSON, adjustments: agenda?.adjustmentsJSON, plannedAt: agenda?.plannedAt,
                    staleReason: agenda?.staleReason)
            }
            return StoreExport(
                schemaVersion: SQLiteStore.schemaVersion, exportedAt: ctx.now, settings: ctx.settings, profile: try ctx.reader.profile(),
                counselors: try ctx.reader.counselorProfiles(), bookings: bookings, blackouts: try ctx.reader.blackouts(),
                waitlist: try ctx.reader.waitlist(), series: try ctx.reader.allSeries(), agendas: agendas, documents: documents,
                audit: try ctx.reader.auditLog(entityID: nil), sentEvents: try ctx.reader.sentEvents(owner: nil),
                outbox: try ctx.reader.outboxMessages(OutboxQuery()), feeds: try ctx.reader.feeds(), apiTokens: try ctx.reader.apiTokens(),
                notes: try bookings.compactMap { try ctx.reader.bookingNote(bookingID: $0.id) })
        }
    }

    /// Audit actions whose details are clinical: screen results, the affair's status, priority issues, agenda
    /// edits (module names say what a couple works on).
    public static let clinicalAuditActions: Set<String> = ["intake", "priorities", "agenda-adjust"]

    /// The audit log, oldest first. Only entries about `entityID` when given; the practice-wide log (no id)
    /// withholds the details of clinical entries, saying where to read them, so a log shared among staff shows
    /// who changed what and when, never a couple's screen, priorities or agenda.
    public func auditLog(entityID: String? = nil) throws(AppError) -> [AuditEntry] {
        let log: [AuditEntry]
        do {
            log = try store.read { reader in try reader.auditLog(entityID: entityID) }
        } catch {
            throw AppError.wrap(error)
        }
        guard entityID == nil else { return log }
        return log.map { entry in
            guard Self.clinicalAuditActions.contains(entry.action) else { return entry }
            var redacted = entry
            let note = "clinical details withheld; `retreat audit --id \(entry.entityID)` shows them"
            redacted.detail = String(decoding: (try? JSONEncoder().encode(["withheld": note])) ?? Data("{}".utf8), as: UTF8.self)
            return redacted
        }
    }

    /// Every broken invariant of the store (empty when sound).
    public func invariantViolations() throws(AppError) -> [String] {
        do { return try store.invariantViolations() } catch { throw AppError.wrap(error) }
    }
}

/// What a backup's records must satisfy before it replaces the store: the same checks as entry.
enum RestoreCheck {
    static func check(_ r: any StoreReading) throws {
        func fail(_ what: String) -> AppError { AppError(.incompatible, what) }
        func text(_ value: String?, _ what: String, note: Bool = false) throws {
            guard let value else { return }
            if TextRules.firstForbidden(in: value, allowingNewline: note) != nil { throw fail("\(what) holds a control character") }
        }
        let settings = try r.settings()
        do { try settings.validate() } catch { throw fail("impossible settings: \(error)") }
        let profile = try r.profile()
        do {
            _ = try PlainName(profile.name, field: "the practice name")
            _ = try EmailAddress(profile.organizerEmail, field: "the organizer e-mail")
            _ = try PlainName(profile.organizerName, field: "the organizer name")
            if let location = profile.location { _ = try PlainName(location, field: "the location") }
        } catch { throw fail(error.message) }
        for c in try r.counselorProfiles() {
            do { try c.validate() } catch { throw fail("counselor \(c.name): \(error)") }
            guard settings.resources.contains(c.name) else { throw fail("counselor \(c.name) is not one of the resources") }
        }
        if let catalog = try r.document(.agendaCatalog) {
            do { _ = try ModuleCatalog(toml: catalog, requireComplete: false) } catch { throw fail("the module catalog cannot be read: \(error)") }
        }
        if let template = try r.document(.dayTemplate) {
            do {
                try JSONDecoder().decode(DayTemplate.self, from: Data(template.utf8)).validate()
            } catch { throw fail("the day template cannot be read: \(error)") }
        }
        guard try r.lastBookingNumber() <= 9_999_999, try r.lastSeriesNumber() <= 9_999_999 else { throw fail("a record number is out of range") }
        let max = Money.maximumCents
        for b in try r.bookings(BookingQuery()) {
            let id = "booking \(b.id)"
            guard (0...max).contains(b.priceCents), (0...max).contains(b.deposit.amountCents) else { throw fail("\(id) has a price out of range") }
            guard b.payments.allSatisfy({ (-max...max).contains($0.amountCents) }) else { throw fail("\(id) has a payment out of range") }
            let sum = b.payments.reduce(0) { $0 + ($1.voided ? 0 : $1.amountCents) }
            guard (-max...max).contains(sum) else { throw fail("\(id)'s payments add up out of range") }
            guard (0...1_000_000).contains(b.sequence) else { throw fail("\(id) has a sequence number out of range") }
            guard (0...max).contains(b.refundCents ?? 0), (0...100).contains(b.refundPercent ?? 0) else { throw fail("\(id) has a refund out of range") }
            if b.status.isLive && !settings.resources.contains(b.resource) { throw fail("\(id) is on a resource the practice does not have") }
            try text(b.couple, "\(id)'s couple")
            try text(b.cancellationReason, "\(id)'s cancellation reason", note: true)
            try text(b.requestID, "\(id)'s request id")
            for p in b.priorities { try text(p, "\(id)'s priorities") }
            if let contact = b.contact {
                do { _ = try Mailbox.list(contact, field: "\(id)'s contact") } catch { throw fail(error.message) }
            }
            for p in b.payments { try text(p.note, "a payment note of \(id)", note: true) }
            if let intake = try r.intakeJSON(bookingID: b.id) {
                do { _ = try JSONDecoder().decode(Intake.self, from: Data(intake.utf8)) } catch { throw fail("\(id)'s intake cannot be read") }
            }
            if let agenda = try r.agenda(bookingID: b.id) {
                do { _ = try JSONDecoder().decode(Agenda.self, from: Data(agenda.agendaJSON.utf8)) } catch { throw fail("\(id)'s agenda cannot be read") }
            }
        }
        for b in try r.blackouts() {
            try text(b.reason, "blackout \(b.id ?? 0)'s reason", note: true)
            try text(b.source, "blackout \(b.id ?? 0)'s source")
            if let res = b.resource, !settings.resources.contains(res) { throw fail("blackout \(b.id ?? 0) is on a resource the practice does not have") }
        }
        for e in try r.waitlist() {
            try text(e.couple, "waitlist entry \(e.id ?? 0)")
            if let contact = e.contact {
                do { _ = try Mailbox.list(contact, field: "waitlist entry \(e.id ?? 0)'s contact") } catch { throw fail(error.message) }
            }
        }
        for s in try r.allSeries() {
            try text(s.series.spec.couple, "series \(s.series.id)'s couple")
            guard (0...1_000_000).contains(s.series.sequence) else { throw fail("series \(s.series.id) has a sequence number out of range") }
            if let link = s.series.spec.link {
                do { _ = try HTTPSURL(link, field: "series \(s.series.id)'s link") } catch { throw fail(error.message) }
            }
            if let contact = s.contact {
                do { _ = try Mailbox.list(contact, field: "series \(s.series.id)'s contact") } catch { throw fail(error.message) }
            }
        }
    }
}
