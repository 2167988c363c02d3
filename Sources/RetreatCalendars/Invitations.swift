import Foundation
import RetreatAgenda
import RetreatICal
import RetreatScheduling

/// One day of an intensive as the couple sees it: its hours and its blocks with their neutral client titles.
public struct InvitationDay: Hashable, Sendable {
    /// 0-based day of the intensive.
    public var index: Int
    /// When the day starts and ends (practice zone).
    public var start: ClockTime
    /// When the day ends.
    public var end: ClockTime
    /// The blocks: start, end and client title (never a staff title, a module or a priority).
    public var blocks: [Block]

    /// One block of the day.
    public struct Block: Hashable, Sendable {
        /// Start (practice zone).
        public var start: ClockTime
        /// End.
        public var end: ClockTime
        /// The neutral title the couple sees ("Session", "Break").
        public var title: String

        /// Creates a block.
        public init(start: ClockTime, end: ClockTime, title: String) {
            self.start = start
            self.end = end
            self.title = title
        }
    }

    /// Creates a day.
    public init(index: Int, start: ClockTime, end: ClockTime, blocks: [Block]) {
        self.index = index
        self.start = start
        self.end = end
        self.blocks = blocks
    }

    /// The days of a planned agenda in client wording: the only place an invitation reads the agenda, and it
    /// takes nothing but times and client titles from it.
    public static func days(of agenda: Agenda) -> [InvitationDay] {
        agenda.days.compactMap { day in
            guard let first = day.blocks.first, let last = day.blocks.last else { return nil }
            return InvitationDay(
                index: day.index, start: first.start, end: last.end,
                blocks: day.blocks.map { Block(start: $0.start, end: $0.end, title: $0.clientTitle) })
        }
    }
}

/// The one calendar event a couple is invited to: an intensive (its days as the instances of one daily
/// rule, each day an override carrying that day's agenda) or a counseling series (RRULE, EXDATE and moved
/// sessions as overrides). One UID, so one iTIP message carries all of it (RFC 5546).
public struct CoupleEvent: Hashable, Sendable {
    /// The UID.
    public var uid: String
    /// Whose event it is.
    public var owner: EventOwner
    /// The master VEVENT first, then its overrides; DTSTAMP and SEQUENCE are set when a message is built.
    public var components: [ICalEvent]
    /// The partners invited (each an ATTENDEE).
    public var attendees: [Mailbox]
    /// When its last instance ends: nothing is sent about an event that is over.
    public var endsAt: Date

    /// A digest of the content that a calendar app shows or acts on (everything but DTSTAMP and SEQUENCE):
    /// equal digests mean there is nothing to send. Computed from Retreat's own values, not from libical's
    /// text, so a new time-zone database does not make every event look changed.
    public var contentHash: String {
        var text = "v1|\(uid)|"
        for attendee in attendees.map(\.description).sorted() { text += "attendee=\(attendee)|" }
        for e in components { text += Self.canonical(e) + "\u{1E}" }
        return ICalDigest.hex128(text)
    }

    /// Every field of an event that reaches a client, in a fixed order.
    static func canonical(_ e: ICalEvent) -> String {
        func address(_ a: ICalAddress?) -> String {
            guard let a else { return "-" }
            return [a.uri, a.commonName ?? "", a.role ?? "", a.participationStatus ?? "", a.rsvp ? "rsvp" : ""].joined(separator: ",")
        }
        let fields: [String] = [
            e.uid, e.start.description, e.end?.description ?? "", e.durationSeconds.map(String.init) ?? "", e.summary ?? "",
            e.description ?? "", e.location ?? "", e.url ?? "", e.status?.rawValue ?? "", e.classification?.rawValue ?? "",
            e.transparency?.rawValue ?? "", e.categories.joined(separator: ","), address(e.organizer), e.attendees.map { address($0) }.joined(separator: ";"),
            e.recurrenceRules.joined(separator: ";"), e.recurrenceDates.map(\.description).joined(separator: ","),
            e.exceptionDates.map(\.description).joined(separator: ","), e.recurrenceID?.description ?? "", e.relatedTo.joined(separator: ","),
            e.alarms.map { "\($0.triggerSeconds):\($0.description)" }.joined(separator: ","),
        ]
        return fields.map { $0.replacingOccurrences(of: "\u{1F}", with: " ") }.joined(separator: "\u{1F}")
    }

    /// The iTIP message of this event: REQUEST (every component, each partner asked to answer) or CANCEL (the
    /// master only, STATUS:CANCELLED, addressed to `recipients`).
    /// - Parameter attendees: the ATTENDEEs it lists (default: `recipients`); a REQUEST sent to one partner still
    ///   lists both, so their calendar shows who else is invited.
    public func calendar(method: ICalMethod, sequence: Int, stamp: Date, recipients: [Mailbox], attendees: [Mailbox]? = nil, calendarName: String)
        -> ICalendar
    {
        let attendees = (attendees ?? recipients).map {
            ICalAddress(
                uri: $0.address.mailtoURI, commonName: $0.displayName?.value, role: "REQ-PARTICIPANT",
                participationStatus: method == .request ? "NEEDS-ACTION" : nil, rsvp: method == .request)
        }
        var events = method == .cancel ? Array(components.prefix(1)) : components
        for i in events.indices {
            events[i].stamp = stamp
            events[i].sequence = sequence
            events[i].attendees = attendees
            events[i].alarms = []
            if method == .cancel { events[i].status = .cancelled }
        }
        return ICalendar(method: method, name: calendarName, events: events)
    }
}

/// Builds the couple's event of an intensive or a series from plain values.
public enum Invitations {
    /// The UID of a booking's invitation: never the staff calendar's UID, never a hint of the topic.
    public static func uid(of booking: Booking) -> String { "intensive-\(booking.id.lowercased())-invite@retreat" }

    static func organizer(_ profile: PracticeProfile) -> ICalAddress {
        ICalAddress(uri: "mailto:\(profile.organizerEmail)", commonName: profile.organizerName)
    }

    /// The intensive as one event: DTSTART on day 1 at the day's start, `FREQ=DAILY;COUNT=n`, and for each day
    /// an override (RECURRENCE-ID = that day at the rule's time) with its own hours, its title ("day 2 of 3")
    /// and its agenda in client wording. Without `days` (no agenda, or a stale one) each day shows the
    /// practice's day hours and no agenda.
    public static func intensive(
        booking b: Booking, days: [InvitationDay]?, settings: PracticeSettings, profile: PracticeProfile, attendees: [Mailbox]
    ) -> CoupleEvent {
        let zone = settings.timeZoneIdentifier
        let count = max(1, b.intensiveDays)
        let byIndex = Dictionary((days ?? []).map { ($0.index, $0) }, uniquingKeysWith: { first, _ in first })
        func at(_ day: CalendarDay, _ time: ClockTime) -> ICalDateTime {
            .zoned(LocalDateTime(date: ICalDate(day), hour: time.hour, minute: time.minute), tzid: zone)
        }
        let organizer = organizer(profile)
        let uid = uid(of: b)
        let master = ICalEvent(
            uid: uid, stamp: b.createdAt, start: at(b.start, settings.dayStart), end: at(b.start, settings.dayEnd),
            summary: "\(profile.name): your intensive", description: Wording.intensiveOverview(b, settings: settings, days: byIndex),
            location: profile.location, status: .confirmed, classification: .privateClass, transparency: .opaque, organizer: organizer,
            recurrenceRule: count > 1 ? "FREQ=DAILY;COUNT=\(count)" : nil)
        var components = [master]
        for i in 0..<count {
            let date = b.start.adding(days: i)
            let day = byIndex[i]
            var instance = master
            instance.recurrenceRule = nil
            instance.recurrenceID = count > 1 ? at(date, settings.dayStart) : nil
            instance.start = at(date, day?.start ?? settings.dayStart)
            instance.end = at(date, day?.end ?? settings.dayEnd)
            instance.summary = "\(profile.name): intensive, day \(i + 1) of \(count)"
            instance.description = Wording.intensiveDay(index: i, count: count, day: day, settings: settings)
            if count == 1 {
                components = [instance]
            } else {
                components.append(instance)
            }
        }
        let lastDay = b.start.adding(days: count - 1)
        let lastEnd = byIndex[count - 1]?.end ?? settings.dayEnd
        let endsAt = LocalTime(day: lastDay, time: lastEnd).instant(in: settings.timeZone)
        return CoupleEvent(uid: uid, owner: EventOwner(.booking, b.id), components: components, attendees: attendees, endsAt: endsAt)
    }

    /// A counseling series as one event: the master with RRULE and EXDATE, each moved session an override, the
    /// counselor's zone, the couple's own video link as URL and LOCATION.
    public static func series(_ stored: StoredSeries, profile: PracticeProfile, attendees: [Mailbox]) -> CoupleEvent {
        var components = SeriesCalendar.events(for: stored, profile: profile, stamp: stored.createdAt, summary: "\(profile.name): counseling session")
        for i in components.indices {
            components[i].status = .confirmed
            components[i].sequence = 0
        }
        let endsAt = stored.series.occurrences().map(\.end).max() ?? stored.createdAt
        return CoupleEvent(
            uid: SeriesCalendar.uid(of: stored.series), owner: EventOwner(.series, stored.series.id), components: components, attendees: attendees,
            endsAt: endsAt)
    }
}

/// Neutral, plain words for event descriptions (the couple's calendar shows them).
enum Wording {
    static func hours(_ start: ClockTime, _ end: ClockTime) -> String { "\(start)–\(end)" }

    static func intensiveOverview(_ b: Booking, settings: PracticeSettings, days: [Int: InvitationDay]) -> String {
        let count = max(1, b.intensiveDays)
        var lines = ["Your private \(count)-day intensive, \(b.start) to \(b.start.adding(days: count - 1)) (times in \(settings.timeZoneIdentifier))."]
        for i in 0..<count {
            let day = days[i]
            lines.append("Day \(i + 1), \(b.start.adding(days: i)): \(hours(day?.start ?? settings.dayStart, day?.end ?? settings.dayEnd))")
        }
        return lines.joined(separator: "\n")
    }

    static func intensiveDay(index: Int, count: Int, day: InvitationDay?, settings: PracticeSettings) -> String {
        let start = day?.start ?? settings.dayStart
        let end = day?.end ?? settings.dayEnd
        var lines = ["Day \(index + 1) of \(count) of your intensive, \(hours(start, end)) (\(settings.timeZoneIdentifier))."]
        if let day, !day.blocks.isEmpty {
            lines.append("")
            for block in day.blocks { lines.append("\(hours(block.start, block.end))  \(block.title)") }
        }
        return lines.joined(separator: "\n")
    }
}

/// What to send when a couple's event changes.
public struct PlannedInvitation: Hashable, Sendable {
    /// Why it is sent.
    public enum Reason: String, Hashable, Sendable {
        /// The first invitation to this event.
        case invitation
        /// The event changed (dates, times, agenda, partners).
        case update
        /// The event no longer exists (cancelled, expired).
        case cancellation
        /// A partner was taken off the event (their address was removed from the contact, or every address was).
        case removal
    }

    /// REQUEST or CANCEL.
    public var method: ICalMethod
    /// Why.
    public var reason: Reason
    /// The SEQUENCE it carries.
    public var sequence: Int
    /// Who receives it.
    public var recipients: [Mailbox]

    /// Creates a planned message.
    public init(method: ICalMethod, reason: Reason, sequence: Int, recipients: [Mailbox]) {
        self.method = method
        self.reason = reason
        self.sequence = sequence
        self.recipients = recipients
    }
}

/// The rule of change tracking: compare the couple's event as it now stands with what was last sent.
public enum InvitationChanges {
    /// The messages that bring the couple's calendar to `event` (nil: the event should not exist) from what
    /// `sent` says they hold, and the record to keep afterwards (nil when nothing changes).
    ///
    /// - A live event never sent (or cancelled before) → REQUEST, SEQUENCE one above what was sent, else
    ///   `floorSequence` (the owner's own revision, so invitations exported by hand before change tracking are
    ///   never undercut).
    /// - A live event whose digest or partners differ → REQUEST with SEQUENCE + 1 to the current partners, and
    ///   a CANCEL with that SEQUENCE to each partner taken off.
    /// - An event that should no longer exist and was sent → CANCEL with SEQUENCE + 1 to those it was sent to.
    /// - Anything else → nothing.
    public static func plan(event: CoupleEvent?, sent: SentEvent?, floorSequence: Int, now: Date) throws(InputError) -> (
        messages: [PlannedInvitation], record: SentEvent?
    ) {
        let previous = try sent.map { (s: SentEvent) throws(InputError) -> [Mailbox] in
            try Mailbox.list(s.recipients, field: "the recipients of \(s.uid)")
        }
        guard let event, !event.attendees.isEmpty else {
            guard let sent, let previous, !sent.cancelled else { return ([], nil) }
            let sequence = sent.sequence + 1
            var record = sent
            record.sequence = sequence
            record.cancelled = true
            record.updatedAt = now
            // The event itself still stands when only its partners' addresses are gone: a removal, not a cancellation.
            let reason: PlannedInvitation.Reason = event == nil ? .cancellation : .removal
            return ([PlannedInvitation(method: .cancel, reason: reason, sequence: sequence, recipients: previous)], record)
        }
        let hash = event.contentHash
        let recipients = event.attendees.map(\.description).joined(separator: ", ")
        let sequence: Int
        var messages: [PlannedInvitation] = []
        if let sent, !sent.cancelled {
            guard sent.contentHash != hash || sent.recipients != recipients else { return ([], nil) }
            sequence = sent.sequence + 1
            let current = Set(event.attendees.map { $0.address.addrSpec.lowercased() })
            let removed = (previous ?? []).filter { !current.contains($0.address.addrSpec.lowercased()) }
            messages.append(PlannedInvitation(method: .request, reason: .update, sequence: sequence, recipients: event.attendees))
            if !removed.isEmpty { messages.append(PlannedInvitation(method: .cancel, reason: .removal, sequence: sequence, recipients: removed)) }
        } else {
            sequence = max(sent.map { $0.sequence + 1 } ?? 0, floorSequence)
            messages.append(PlannedInvitation(method: .request, reason: .invitation, sequence: sequence, recipients: event.attendees))
        }
        let record = SentEvent(
            uid: event.uid, owner: event.owner, sequence: sequence, contentHash: hash, cancelled: false, recipients: recipients, updatedAt: now)
        return (messages, record)
    }
}
