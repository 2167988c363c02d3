import Foundation
import RetreatCalendars
import RetreatMail
import RetreatScheduling
import RetreatStore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One outbox message as staff see it: what, about whom (an id), where it stands. No address, name or text.
public struct OutboxEntry: Hashable, Sendable, Codable {
    /// The outbox id.
    public var id: Int64
    /// invitation or reminder.
    public var kind: OutboxKind
    /// The booking or series id.
    public var owner: String
    /// REQUEST or CANCEL (invitations).
    public var method: String?
    /// The event's SEQUENCE (invitations).
    public var sequence: Int?
    /// Where it stands.
    public var status: OutboxStatus
    /// Attempts so far.
    public var attempts: Int
    /// When it was queued.
    public var createdAt: Date
    /// Not before this instant.
    public var nextAttemptAt: Date
    /// When the mail command accepted it.
    public var sentAt: Date?
    /// How many recipients.
    public var recipientCount: Int
    /// The subject line (neutral: dates, never names).
    public var subject: String
    /// The Message-ID once rendered.
    public var messageID: String?
    /// The last failure.
    public var lastError: String?

    init(_ m: OutboxMessage) {
        id = m.id ?? 0
        kind = m.kind
        owner = m.owner.id
        method = m.method
        sequence = m.sequence
        status = m.status
        attempts = m.attempts
        createdAt = m.createdAt
        nextAttemptAt = m.nextAttemptAt
        sentAt = m.sentAt
        recipientCount = m.recipients.isEmpty ? 0 : ((try? Mailbox.list(m.recipients, field: "recipients").count) ?? 1)
        subject = m.subject
        messageID = m.messageID
        lastError = m.lastError
    }
}

/// A message as it would be handed to the mail command (for `notify --dry-run --show`).
public struct OutboxPreview: Hashable, Sendable {
    /// The outbox id (nil for a reminder that would be queued).
    public var id: Int64?
    /// The header lines a person reads (From, To, Subject, Message-ID).
    public var headers: [String]
    /// The plain-text part.
    public var text: String
    /// The calendar part, if any.
    public var calendar: String?
}

/// What a `notify` run did (or, with `dryRun`, would do).
public struct NotifyReport: Hashable, Sendable {
    /// Reminders queued by this run (or that would be).
    public var remindersQueued: [OutboxEntry] = []
    /// Accepted by the mail command.
    public var sent: [OutboxEntry] = []
    /// Failed for now; retried at their `nextAttemptAt`.
    public var retrying: [OutboxEntry] = []
    /// Held for staff (permanent failure, too many attempts, a message that cannot be built). With `dryRun`,
    /// what would be held.
    public var held: [OutboxEntry] = []
    /// Dropped before sending (a reminder whose day or session moved, or is past; an invitation whose event is
    /// over; a message for an address taken off the contact). With `dryRun`, what would be dropped.
    public var dropped: [OutboxEntry] = []
    /// Accepted by the mail command, but meanwhile another run had taken the message over, so this run could not
    /// record it (the other run's record stands; the message may have gone out twice, same Message-ID).
    public var sentUnrecorded: [OutboxEntry] = []
    /// Dry run: the messages that would go out now, in order.
    public var wouldSend: [OutboxEntry] = []
    /// Dry run: queued messages waiting for a later attempt.
    public var waiting: [OutboxEntry] = []
    /// Dry run with previews: each message that would go out.
    public var previews: [OutboxPreview] = []
    /// Why the run stopped before the queue was empty, if it did.
    public var stoppedEarly: String?
}

extension RetreatService {
    /// The e-mail settings stored at `init` (defaults when none).
    public func mailSettings() throws(AppError) -> MailSettings {
        try read { ctx in try Outbox.settings(ctx) }
    }

    /// Outbox messages in these statuses (all when empty), oldest first.
    public func outbox(statuses: Set<OutboxStatus> = []) throws(AppError) -> [OutboxEntry] {
        try read { ctx in try ctx.reader.outboxMessages(OutboxQuery(statuses: statuses)).map(OutboxEntry.init) }
    }

    /// Puts a held message back in the queue, due now (after staff fixed an address or the mail command).
    public func retryOutbox(id: Int64) throws(AppError) -> OutboxEntry {
        try write { ctx in
            guard var m = try ctx.tx.outboxMessage(id: id) else {
                throw AppError(.notFound, "no outbox message with id \(id); `retreat outbox list` shows them")
            }
            guard m.status == .held else { throw AppError(.invalid, "outbox message \(id) is \(m.status.rawValue); only held messages can be retried") }
            m.status = .queued
            m.nextAttemptAt = ctx.now
            try ctx.tx.update(m)
            try ctx.audit("outbox-retry", "outbox", String(id))
            return OutboxEntry(m)
        }
    }

    /// Sends what is queued: first queues the reminders that are due, then claims each due message in its own
    /// transaction (status `sending`, attempt counted, the whole message rendered and stored on its first
    /// claim), hands it to the mail command outside any transaction, and records the outcome: `sent`, a retry
    /// with backoff for a temporary failure, or `held` with the error for a permanent one.
    ///
    /// A run killed between claiming and recording leaves the message `sending`; the next run (which holds the
    /// store's notify lock, so no other run can be sending it) claims it again and hands over the same bytes,
    /// same Message-ID. Nothing is lost; a message the mail command had already accepted when the run was
    /// killed goes out a second time under the same Message-ID, which mail clients show once.
    ///
    /// - Parameters:
    ///   - dryRun: change nothing, send nothing: report what would go out (and, with `previews`, each message).
    ///   - transport: the mail command; nil resolves it (`$RETREAT_SENDMAIL`, `[mail] sendmail`, `sendmail -t -i`).
    /// - Throws: `.conflict` when another `notify` runs on this store, `.invalid` for an unusable mail command.
    public func notify(
        dryRun: Bool = false, previews: Bool = false, transport: (any MailTransport)? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(AppError) -> NotifyReport {
        if dryRun { return try notifyDryRun(previews: previews) }
        let lock = try NotifyLock(store: store)
        defer { lock?.release() }
        let token = UUID().uuidString
        var report = NotifyReport()
        // The mail command is checked before anything is queued or claimed: a misconfiguration changes nothing.
        let mail = try read { ctx in try Outbox.settings(ctx) }
        let sender: any MailTransport
        do throws(MailError) {
            if let transport {
                sender = transport
            } else {
                sender = try SendmailTransport.resolved(configured: mail.sendmail, environment: environment, stopsWithCaller: true)
            }
            try sender.preflight()
        } catch {
            throw AppError(.invalid, "\(error.message); nothing was sent")
        }
        try write { ctx in
            let profile = try ctx.tx.profile()
            for due in try Reminders.due(ctx.base, mail: mail, profile: profile) where try ctx.tx.outboxMessage(dedupeKey: due.dedupeKey ?? "") == nil {
                report.remindersQueued.append(OutboxEntry(try ctx.tx.insert(due)))
            }
        }
        // Unless the lock is the store file's own (it cannot be lost while this process lives), a claim older than
        // this is taken to be abandoned.
        let abandonedBefore: Date? = lock?.reclaimsAtOnce == true ? nil : clock().addingTimeInterval(-Outbox.leaseSeconds)
        var done = Set<Int64>()
        var temporaryInARow = 0
        while true {
            let claim = try write { ctx in try Outbox.claimNext(ctx, mail: mail, token: token, skipping: done, abandonedBefore: abandonedBefore) }
            report.dropped += claim.dropped
            report.held += claim.held
            done.formUnion(claim.dropped.map(\.id) + claim.held.map(\.id))
            guard let message = claim.message, let id = message.id, let text = message.rendered, let messageID = message.messageID else { break }
            done.insert(id)
            var failure: MailError?
            do {
                let recipients = (try? Mailbox.list(message.recipients, field: "recipients").map(\.address)) ?? []
                try sender.send(
                    RenderedMessage(messageID: messageID, recipients: recipients, calendarUIDs: message.uid.map { [$0] } ?? [], text: text))
            } catch {
                failure = error
            }
            if let failure, Outbox.isConfigurationProblem(failure) {
                // Not the message's fault: put it back as it was and stop; staff fix the command.
                try write { ctx in try Outbox.release(ctx, id: id, token: token) }
                throw AppError(.invalid, "\(failure.message); \(report.sent.count) message(s) were sent before it failed")
            }
            let outcome = try write { ctx in try Outbox.record(ctx, id: id, token: token, failure: failure) }
            guard let outcome else {
                // Another run took the claim over meanwhile (only possible without the lock, after the lease): its
                // record stands, but what this run handed over is still reported.
                if failure == nil { report.sentUnrecorded.append(OutboxEntry(message)) }
                continue
            }
            switch outcome.status {
            case .sent:
                report.sent.append(outcome)
                temporaryInARow = 0
            case .held: report.held.append(outcome)
            default:
                report.retrying.append(outcome)
                temporaryInARow += 1
            }
            if temporaryInARow >= Outbox.stopAfterTemporaryFailures {
                report.stoppedEarly =
                    "the mail command failed \(temporaryInARow) times in a row for now; the rest stay queued for the next run"
                break
            }
        }
        return report
    }

    func notifyDryRun(previews: Bool) throws(AppError) -> NotifyReport {
        try read { ctx in
            var report = NotifyReport()
            let mail = try Outbox.settings(ctx)
            let profile = try ctx.reader.profile()
            let due = try Reminders.due(ctx, mail: mail, profile: profile).filter { try ctx.reader.outboxMessage(dedupeKey: $0.dedupeKey ?? "") == nil }
            var number: Int64 = 0
            for m in due {
                number -= 1
                var entry = OutboxEntry(m)
                entry.id = number
                report.remindersQueued.append(entry)
            }
            // Each message is judged as a real run would judge it (dropped, held as unbuildable, or sent), and
            // built, so the dry run reports the outcome the real run will have.
            func judge(_ m: OutboxMessage, as entry: OutboxEntry) throws {
                switch try Outbox.verdict(ctx, m, mail: mail, profile: profile) {
                case .drop(let reason):
                    var e = entry
                    e.lastError = reason
                    report.dropped.append(e)
                case .hold(let reason):
                    var e = entry
                    e.lastError = reason
                    report.held.append(e)
                case .send:
                    report.wouldSend.append(entry)
                    if previews { report.previews.append(Outbox.preview(m, mail: mail, profile: profile)) }
                }
            }
            let waiting = try ctx.reader.outboxMessages(OutboxQuery(statuses: [.queued, .sending]))
            for m in waiting {
                if m.status == .sending || m.nextAttemptAt <= ctx.now {
                    try judge(m, as: OutboxEntry(m))
                } else {
                    report.waiting.append(OutboxEntry(m))
                }
            }
            for (m, entry) in zip(due, report.remindersQueued) { try judge(m, as: entry) }
            return report
        }
    }
}

/// Outbox rules over the store's records.
enum Outbox {
    /// Attempts before a message that keeps failing for now is held for staff.
    static let maxAttempts = 12
    /// A run stops after this many temporary failures in a row (the mail service is down).
    static let stopAfterTemporaryFailures = 3
    /// Without the notify lock, a claim older than this is taken to be abandoned (the transport's own limit
    /// is 60 s per message).
    static let leaseSeconds: TimeInterval = 600

    /// Seconds until the next attempt after `attempts` failures: 1 minute, doubling, at most 6 hours.
    static func backoff(attempts: Int) -> TimeInterval {
        min(60 * pow(2, Double(max(0, attempts - 1))), 6 * 3600)
    }

    static func settings(_ ctx: ReadContext) throws -> MailSettings {
        guard let json = try ctx.reader.document(.mailSettings) else { return MailSettings() }
        do {
            return try JSONDecoder().decode(MailSettings.self, from: Data(json.utf8))
        } catch {
            throw AppError(.incompatible, "the stored e-mail settings cannot be read: \(error)")
        }
    }

    /// The `From:` mailbox: `[mail] from`, else the organizer.
    static func sender(_ mail: MailSettings, profile: PracticeProfile) throws(InputError) -> Mailbox {
        if let from = mail.from { return try Mailbox(from, field: "[mail] from") }
        return Mailbox(
            displayName: try PlainName(profile.organizerName, field: "[practice] organizerName"),
            address: try EmailAddress(profile.organizerEmail, field: "[practice] organizerEmail"))
    }

    /// The whole message of an outbox row, fixed by its seed.
    static func render(_ m: OutboxMessage, mail: MailSettings, profile: PracticeProfile) throws -> RenderedMessage {
        let from = try sender(mail, profile: profile)
        let replyTo = try mail.replyTo.map { (text: String) throws(InputError) -> Mailbox in try Mailbox(text, field: "[mail] replyTo") }
        let to = try Mailbox.list(m.recipients, field: "recipients")
        let subject = try PlainName(m.subject, field: "subject", maxLength: 400)
        if m.kind == .invitation, let calendar = m.calendar, let method = m.method.flatMap(CalendarMethod.init(rawValue:)) {
            return try CalendarMessage(
                from: from, to: to, replyTo: replyTo, subject: subject, date: m.createdAt, text: m.body, calendar: calendar, method: method,
                attachmentName: "invite.ics"
            ).render(seed: m.seed)
        }
        return try TextMessage(from: from, to: to, replyTo: replyTo, subject: subject, date: m.createdAt, text: m.body).render(seed: m.seed)
    }

    static func preview(_ m: OutboxMessage, mail: MailSettings, profile: PracticeProfile) -> OutboxPreview {
        let messageID = m.messageID ?? (try? render(m, mail: mail, profile: profile))?.messageID
        let from = (try? sender(mail, profile: profile))?.description ?? "(unusable sender)"
        return OutboxPreview(
            id: (m.id ?? 0) > 0 ? m.id : nil,
            headers: ["From: \(from)", "To: \(m.recipients)", "Subject: \(m.subject)", "Message-ID: <\(messageID ?? "not yet fixed")>"],
            text: m.body, calendar: m.calendar)
    }

    /// What becomes of a due message: sent (as these bytes), dropped or held, with the reason.
    enum Verdict {
        case send(RenderedMessage)
        case drop(String)
        case hold(String)
    }

    /// Judges a due message, for a real run and a dry run alike: a reminder that no longer applies, an invitation
    /// whose event is over, and a REQUEST or reminder for an address no longer in the couple's contact are
    /// dropped; a message that cannot be built is held; anything else is sent as stored (or as first rendered).
    static func verdict(_ ctx: ReadContext, _ m: OutboxMessage, mail: MailSettings, profile: PracticeProfile) throws -> Verdict {
        if m.kind == .reminder, let reason = try Reminders.obsolete(ctx, m) { return .drop(reason) }
        if m.kind == .invitation, let reason = try over(ctx, m, profile: profile) { return .drop(reason) }
        if m.kind == .reminder || m.method == CalendarMethod.request.rawValue, let reason = try addressRemoved(ctx, m) { return .drop(reason) }
        if let text = m.rendered, let messageID = m.messageID {
            return .send(RenderedMessage(messageID: messageID, recipients: [], calendarUIDs: [], text: text))
        }
        do {
            return .send(try render(m, mail: mail, profile: profile))
        } catch {
            return .hold("cannot be built: \(error)")
        }
    }

    /// Why an invitation is no longer worth sending: everything it is about (as it stands now, or as any earlier
    /// message may have put it in the couple's calendar) has ended.
    static func over(_ ctx: ReadContext, _ m: OutboxMessage, profile: PracticeProfile) throws -> String? {
        var end = m.endsAt
        if end == nil {
            // Queued before `endsAt` was recorded: the event as it now stands.
            switch m.owner.kind {
            case .booking:
                if let b = try ctx.reader.booking(id: m.owner.id) {
                    end = try CoupleInvitations.event(ctx, booking: ctx.current(b), profile: profile).0.endsAt
                }
            case .series:
                if let s = try ctx.reader.allSeries().first(where: { $0.series.id == m.owner.id }) {
                    end = Invitations.series(s, profile: profile, attendees: []).endsAt
                }
            }
        }
        guard let end, end <= ctx.now else { return nil }
        return m.owner.kind == .booking
            ? "not sent: the intensive it is about has already ended" : "not sent: the counseling sessions it is about have already ended"
    }

    /// Why a message may no longer go to its recipients: one of them was taken off the couple's contact since it
    /// was queued (the current partners get their own message about the change).
    static func addressRemoved(_ ctx: ReadContext, _ m: OutboxMessage) throws -> String? {
        let contact: String?
        switch m.owner.kind {
        case .booking: contact = try ctx.reader.booking(id: m.owner.id)?.contact
        case .series: contact = try ctx.reader.allSeries().first(where: { $0.series.id == m.owner.id })?.contact
        }
        let current = Set(((try? Mailbox.list(contact ?? "", field: "contact")) ?? []).map { $0.address.addrSpec.lowercased() })
        let recipients = ((try? Mailbox.list(m.recipients, field: "recipients")) ?? []).map { $0.address.addrSpec.lowercased() }
        guard recipients.contains(where: { !current.contains($0) }) else { return nil }
        return "not sent: an address it is for was taken off the couple's contact"
    }

    /// What one claim transaction did.
    struct Claim {
        var message: OutboxMessage?
        var dropped: [OutboxEntry] = []
        var held: [OutboxEntry] = []
    }

    /// Claims the oldest due message not in `skipping`: marks it `sending` under `token`, counts the attempt,
    /// renders it on its first claim. Reminders that no longer apply are dropped, messages that cannot be
    /// rendered are held, on the way.
    static func claimNext(_ ctx: WriteContext, mail: MailSettings, token: String, skipping: Set<Int64>, abandonedBefore: Date?) throws -> Claim {
        var claim = Claim()
        let profile = try ctx.tx.profile()
        let candidates = try ctx.tx.outboxMessages(OutboxQuery(statuses: [.queued, .sending])).filter { m in
            guard let id = m.id, !skipping.contains(id) else { return false }
            if m.status == .queued { return m.nextAttemptAt <= ctx.now }
            // `sending`: left by a run that was killed (with the lock held no other run is sending it).
            guard let abandonedBefore else { return true }
            return (m.claimedAt ?? .distantPast) <= abandonedBefore
        }
        for var m in candidates {
            switch try verdict(ctx.base, m, mail: mail, profile: profile) {
            case .drop(let reason):
                m.status = .dropped
                m.lastError = reason
                try ctx.tx.update(m)
                claim.dropped.append(OutboxEntry(m))
                continue
            case .hold(let reason):
                m.status = .held
                m.lastError = reason
                try ctx.tx.update(m)
                claim.held.append(OutboxEntry(m))
                continue
            case .send(let rendered):
                m.rendered = rendered.text
                m.messageID = rendered.messageID
            }
            m.status = .sending
            m.claimedAt = ctx.now
            m.claimToken = token
            m.attempts += 1
            try ctx.tx.update(m)
            claim.message = m
            return claim
        }
        return claim
    }

    /// A failure of the mail command itself (missing, unusable): nothing to retry or hold a message for.
    static func isConfigurationProblem(_ error: MailError) -> Bool {
        error.code == .commandNotFound || error.code == .invalidCommand
    }

    /// Gives a claimed message back untouched (the attempt is not counted), if this run still holds its claim.
    static func release(_ ctx: WriteContext, id: Int64, token: String) throws {
        guard var m = try ctx.tx.outboxMessage(id: id), m.status == .sending, m.claimToken == token else { return }
        m.status = .queued
        m.claimToken = nil
        m.attempts = max(0, m.attempts - 1)
        try ctx.tx.update(m)
    }

    /// Records the outcome of handing message `id` to the mail command, if this run still holds its claim.
    static func record(_ ctx: WriteContext, id: Int64, token: String, failure: MailError?) throws -> OutboxEntry? {
        guard var m = try ctx.tx.outboxMessage(id: id), m.status == .sending, m.claimToken == token else { return nil }
        m.claimToken = nil
        if let failure {
            let said = failure.message
            // The command had the whole message when it was killed or stopped: it may have delivered it.
            if failure.outcomeUnknown { m.maybeDelivered = true }
            if failure.isTemporary && m.attempts < maxAttempts {
                m.status = .queued
                m.nextAttemptAt = ctx.now.addingTimeInterval(backoff(attempts: m.attempts))
                m.lastError = said
            } else {
                m.status = .held
                m.lastError = failure.isTemporary ? "gave up after \(m.attempts) attempts: \(said)" : said
            }
        } else {
            m.status = .sent
            m.sentAt = ctx.now
            m.lastError = nil
        }
        try ctx.tx.update(m)
        return OutboxEntry(m)
    }
}

/// Reminder e-mail: one per intensive day and per counseling session, queued by `notify` once the reminder
/// time (`[mail] reminderHours` before the start) has come and the start has not; the dedupe key (owner and
/// start instant) makes it once each.
enum Reminders {
    struct Occurrence {
        var key: String
        var start: Date
        var message: () -> MailWording.Composed
    }

    static func key(_ owner: String, _ start: Date) -> String {
        "reminder|\(owner)|\(icsUTCText(start))"
    }

    /// A booking's days as the couple's invitation shows them.
    static func occurrences(_ ctx: ReadContext, booking b: Booking, profile: PracticeProfile) throws -> [Occurrence] {
        guard CoupleInvitations.isInCalendar(b) else { return [] }
        let days = try CoupleInvitations.currentDays(ctx, bookingID: b.id)
        let byIndex = Dictionary((days ?? []).map { ($0.index, $0) }, uniquingKeysWith: { first, _ in first })
        return (0..<max(1, b.intensiveDays)).map { i in
            let day = byIndex[i]
            let start = LocalTime(day: b.start.adding(days: i), time: day?.start ?? ctx.settings.dayStart).instant(in: ctx.settings.timeZone)
            return Occurrence(key: key(b.id, start), start: start) {
                MailWording.intensiveReminder(booking: b, index: i, day: day, settings: ctx.settings, profile: profile)
            }
        }
    }

    static func occurrences(_ stored: StoredSeries, profile: PracticeProfile, from: Date, to: Date) -> [Occurrence] {
        guard stored.active else { return [] }
        return stored.series.occurrences().filter { $0.start > from && $0.start <= to }.map { o in
            Occurrence(key: key(stored.series.id, o.start), start: o.start) { MailWording.sessionReminder(stored: stored, occurrence: o, profile: profile) }
        }
    }

    /// The reminders due now, as messages to queue (not yet checked against the outbox).
    static func due(_ ctx: ReadContext, mail: MailSettings, profile: PracticeProfile) throws -> [OutboxMessage] {
        guard mail.reminderHours > 0 else { return [] }
        let lead = TimeInterval(mail.reminderHours * 3600)
        let horizon = ctx.now.addingTimeInterval(lead)
        var result: [OutboxMessage] = []
        func add(_ owner: EventOwner, _ contact: String?, _ o: Occurrence) throws {
            guard o.start > ctx.now, o.start.addingTimeInterval(-lead) <= ctx.now else { return }
            let to = try CoupleInvitations.mailboxes(contact, of: owner.id)
            guard !to.isEmpty else { return }
            let composed = o.message()
            result.append(
                OutboxMessage(
                    createdAt: ctx.now, kind: .reminder, owner: owner, recipients: to.map(\.description).joined(separator: ", "),
                    subject: composed.subject, body: composed.body, dedupeKey: o.key, occursAt: o.start, seed: UUID().uuidString))
        }
        let window = BookingQuery(
            from: ctx.today.adding(days: -1), to: LocalTime(horizon, in: ctx.settings.timeZone).day.adding(days: 1), statuses: [.confirmed])
        for b in try ctx.bookings(window) {
            for o in try occurrences(ctx, booking: b, profile: profile) { try add(EventOwner(.booking, b.id), b.contact, o) }
        }
        for s in try ctx.reader.allSeries() {
            for o in occurrences(s, profile: profile, from: ctx.now, to: horizon) { try add(EventOwner(.series, s.series.id), s.contact, o) }
        }
        return result
    }

    /// Why a queued reminder no longer applies (its day or session moved, was cancelled, or has begun), or nil.
    static func obsolete(_ ctx: ReadContext, _ m: OutboxMessage) throws -> String? {
        guard let start = m.occursAt, start > ctx.now else { return "not sent: what it reminds of has already begun" }
        let profile = try ctx.reader.profile()
        let current: [Occurrence]
        switch m.owner.kind {
        case .booking:
            guard let b = try ctx.reader.booking(id: m.owner.id) else { return "not sent: the booking no longer exists" }
            current = try occurrences(ctx, booking: ctx.current(b), profile: profile)
        case .series:
            guard let s = try ctx.reader.allSeries().first(where: { $0.series.id == m.owner.id }) else { return "not sent: the series no longer exists" }
            current = occurrences(s, profile: profile, from: start.addingTimeInterval(-1), to: start)
        }
        return current.contains { $0.key == m.dedupeKey } ? nil : "not sent: the day or session it reminds of moved or was cancelled"
    }
}

/// The store's notify lock: one `notify` run at a time per store, so a message left `sending` by a killed run can
/// be claimed again at once. For a SQLite store, an open-file-description write lock (Linux `F_OFD_SETLK`) on
/// one byte of the database file itself, far beyond any byte SQLite locks: however the store is named (a symbolic
/// link, a hard link, a relative path), every run locks the same file; the lock belongs to this open file, so
/// SQLite's own locks are untouched when it is released, and the kernel releases it however the process ends.
/// For PostgreSQL, a session-level advisory lock on a connection of its own (`RunLocking`): a second run is
/// refused the same way, but since a lost connection loses the lock, claims are still taken over only after
/// `Outbox.leaseSeconds`.
final class NotifyLock {
    private var fd: Int32
    private var runLock: (any RunLock)?

    /// Whether a message left `sending` may be claimed again at once (the lock cannot be lost while held).
    var reclaimsAtOnce: Bool { fd >= 0 }

    /// The locked byte: 2^62, far above SQLite's lock bytes (from 2^30) and any real database's size.
    static let offset: Int64 = 1 << 62

    static let busy = AppError(.conflict, "another `retreat notify` is sending from this store; try again when it has finished")

    init?(store: any PracticeStore) throws(AppError) {
        guard let sqlite = store as? SQLiteStore else {
            guard let locking = store as? any RunLocking else { return nil }
            fd = -1
            do {
                guard let held = try locking.tryRunLock("notify") else { throw Self.busy }
                runLock = held
            } catch let error as AppError {
                throw error
            } catch {
                throw AppError.wrap(error)
            }
            return
        }
        let path = sqlite.path
        // Follows symbolic links on purpose: the lock is on the database file, not on the name given. Opened for
        // writing because a write lock needs it; nothing is written, and nothing is created.
        fd = open(path, O_RDWR | O_CLOEXEC)
        guard fd >= 0 else { throw AppError(.io, "cannot open the store \(path) to lock it for sending: \(String(cString: strerror(errno)))") }
        var lock = flock()
        lock.l_type = Int16(F_WRLCK)
        lock.l_whence = Int16(SEEK_SET)
        lock.l_start = off_t(Self.offset)
        lock.l_len = 1
        lock.l_pid = 0
        #if os(Linux)
            let command: Int32 = 37  // F_OFD_SETLK (Linux 3.15 and later; glibc declares it only under _GNU_SOURCE)
        #else
            let command = F_SETLK  // a per-process record lock: the best this platform has
        #endif
        guard fcntl(fd, command, &lock) == 0 else {
            let code = errno
            close(fd)
            fd = -1
            if code == EAGAIN || code == EACCES { throw Self.busy }
            throw AppError(.io, "cannot lock the store \(path) for sending: \(String(cString: strerror(code)))")
        }
    }

    func release() {
        runLock?.release()
        runLock = nil
        guard fd >= 0 else { return }
        close(fd)
        fd = -1
    }

    deinit { release() }
}
