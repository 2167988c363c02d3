import Foundation
import RetreatAgenda
import RetreatICal
import RetreatScheduling

/// Turns bookings into iCalendar documents. Private by construction: a couple's calendar holds only that
/// couple's intensive with neutral titles; the staff calendar shows booking ids, never names or priority
/// issues, unless `includeNames` is asked for.
public enum BookingCalendars {
    /// Stable UID of a booking's intensive (same on every export).
    public static func uid(of booking: Booking) -> String { "intensive-\(booking.id.lowercased())@retreat" }

    /// Stable UID of one day of a booking.
    public static func dayUID(of booking: Booking, day: Int) -> String { "intensive-\(booking.id.lowercased())-day\(day)@retreat" }

    static func organizer(_ profile: PracticeProfile) -> ICalAddress {
        ICalAddress(uri: "mailto:\(profile.organizerEmail)", commonName: profile.organizerName)
    }

    static func status(_ s: BookingStatus) -> ICalEventStatus {
        switch s {
        case .held: return .tentative
        case .confirmed, .completed: return .confirmed
        case .cancelled, .expired: return .cancelled
        }
    }

    /// The staff calendar: one all-day event per booking (held = TENTATIVE, cancelled = CANCELLED, with SEQUENCE),
    /// every counseling series as a recurring event, and every blackout as a busy block (whole days or its
    /// interval), all without names unless `includeNames`. Never a video link, a contact, a reason or a priority.
    public static func staff(
        bookings: [Booking], series: [StoredSeries] = [], blackouts: [Blackout] = [], profile: PracticeProfile, stamp: Date, includeNames: Bool = false
    ) -> ICalendar {
        let events = bookings.map { b in
            ICalEvent(
                uid: uid(of: b), stamp: stamp, start: .date(ICalDate(b.start)), end: .date(ICalDate(b.end.adding(days: 1))),
                summary: includeNames ? "Intensive: \(b.couple) (\(b.id))" : "Intensive \(b.id)",
                description: "Resource: \(b.resource). Status: \(b.status.rawValue).",
                status: status(b.status), sequence: b.sequence, classification: .privateClass, transparency: .opaque,
                categories: ["Intensive"], organizer: organizer(profile))
        }
        let sessions = series.flatMap { s in
            SeriesCalendar.events(
                for: s, profile: profile, stamp: stamp,
                summary: includeNames ? "Counseling: \(s.series.spec.couple) (\(s.series.id))" : "Counseling \(s.series.id)", includeLink: false)
        }
        let busy = blackouts.map { b in
            let start: ICalDateTime
            let end: ICalDateTime
            if let s = b.startsAt, let e = b.endsAt {
                start = .utc(s)
                end = .utc(e)
            } else {
                start = .date(ICalDate(b.from))
                end = .date(ICalDate(b.to.adding(days: 1)))
            }
            return ICalEvent(
                uid: "blackout-\(b.id ?? 0)@retreat", stamp: stamp, start: start, end: end,
                summary: "Unavailable\(b.resource.map { " (\($0))" } ?? "")", status: .confirmed, classification: .privateClass,
                transparency: .opaque, categories: ["Blackout"], organizer: organizer(profile))
        }
        return ICalendar(method: .publish, name: "\(profile.name): intensives (staff)", refreshIntervalSeconds: 3600, events: events + sessions + busy)
    }

    /// A couple's calendar: each day of their intensive as a timed event in the practice zone, neutral titles,
    /// CLASS:PRIVATE, a reminder the evening before (18:00), each day RELATED-TO the intensive.
    /// With `invite`, METHOD:REQUEST with ORGANIZER and each partner as ATTENDEE; a cancelled booking gives
    /// METHOD:CANCEL so the events leave the couple's calendar.
    ///
    /// With an agenda, each block is its own event: the neutral client title by default, the staff title and
    /// the priorities it serves only with `detailed` (for staff). UIDs are stable across exports (booking, day
    /// and start time) and never name a module, so not even a UID hints at what a session is about.
    public static func couple(
        booking b: Booking, agenda: Agenda? = nil, settings: PracticeSettings, profile: PracticeProfile, stamp: Date,
        invite: Bool = false, detailed: Bool = false
    ) -> ICalendar {
        let zone = settings.timeZoneIdentifier
        let cancelled = !b.status.isLive && b.status != .completed
        let attendees = invite ? attendeeAddresses(b.contact) : []
        let reminderSeconds = -((settings.dayStart.minutes + 6 * 60) * 60)  // 18:00 the evening before
        var events: [ICalEvent] = []
        if let agenda {
            for day in agenda.days {
                let date = ICalDate(b.start.adding(days: day.index))
                for (i, block) in day.blocks.enumerated() {
                    let first = i == 0
                    // The reminder sits on each day's first block: 18:00 the evening before.
                    let trigger = -((block.start.minutes + 6 * 60) * 60)
                    events.append(
                        ICalEvent(
                            uid: String(format: "intensive-%@-day%d-%02d%02d@retreat", b.id.lowercased(), day.index + 1, block.start.hour, block.start.minute),
                            stamp: stamp,
                            start: .zoned(LocalDateTime(date: date, hour: block.start.hour, minute: block.start.minute), tzid: zone),
                            end: .zoned(LocalDateTime(date: date, hour: block.end.hour, minute: block.end.minute), tzid: zone),
                            summary: detailed ? block.staffTitle : block.clientTitle,
                            description: detailed && !block.priorities.isEmpty ? "Serves: \(block.priorities.map(\.rawValue).joined(separator: ", "))" : nil,
                            location: profile.location, status: cancelled ? .cancelled : status(b.status), sequence: b.sequence,
                            classification: .privateClass, transparency: .opaque, organizer: organizer(profile), attendees: attendees,
                            alarms: cancelled || !first
                                ? [] : [ICalAlarm(triggerSeconds: trigger, description: "Your intensive day starts tomorrow at \(block.start)")],
                            relatedTo: [uid(of: b)]))
                }
            }
            let method: ICalMethod = invite ? (cancelled ? .cancel : .request) : .publish
            return ICalendar(method: method, name: "\(profile.name): your intensive", events: events)
        }
        let count = b.start.days(until: b.end) + 1
        for i in 0..<count {
            let day = ICalDate(b.start.adding(days: i))
            events.append(
                ICalEvent(
                    uid: dayUID(of: b, day: i + 1), stamp: stamp,
                    start: .zoned(LocalDateTime(date: day, hour: settings.dayStart.hour, minute: settings.dayStart.minute), tzid: zone),
                    end: .zoned(LocalDateTime(date: day, hour: settings.dayEnd.hour, minute: settings.dayEnd.minute), tzid: zone),
                    summary: "\(profile.name): intensive, day \(i + 1) of \(count)", location: profile.location,
                    status: cancelled ? .cancelled : status(b.status), sequence: b.sequence, classification: .privateClass,
                    transparency: .opaque, organizer: organizer(profile), attendees: attendees,
                    alarms: cancelled
                        ? [] : [ICalAlarm(triggerSeconds: reminderSeconds, description: "Your intensive day starts tomorrow at \(settings.dayStart)")],
                    relatedTo: [uid(of: b)]))
        }
        let method: ICalMethod = invite ? (cancelled ? .cancel : .request) : .publish
        return ICalendar(method: method, name: "\(profile.name): your intensive", events: events)
    }

    /// Partner addresses from a booking's contact (`Name <a@x.org>, b@y.org`), parsed as RFC 5322 mailboxes;
    /// empty when there is none or it cannot be read (the use cases check it before exporting).
    public static func attendeeAddresses(_ contact: String?) -> [ICalAddress] {
        guard let contact, let list = try? Mailbox.list(contact, field: "contact") else { return [] }
        return list.map {
            ICalAddress(
                uri: $0.address.mailtoURI, commonName: $0.displayName?.value, role: "REQ-PARTICIPANT", participationStatus: "NEEDS-ACTION", rsvp: true)
        }
    }
}

extension ICalDate {
    /// The same civil date as a scheduling day.
    public init(_ day: CalendarDay) {
        self.init(year: day.year, month: day.month, day: day.day)
    }
}
