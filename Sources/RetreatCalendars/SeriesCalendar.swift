import Foundation
import RetreatICal
import RetreatScheduling

/// Counseling series as iCalendar: one VEVENT with RRULE/EXDATE plus an override VEVENT per moved session,
/// in the counselor's zone (its VTIMEZONE is written), neutral titles, the video link as URL and LOCATION.
public enum SeriesCalendar {
    /// Stable UID of a series (same on every export).
    public static func uid(of series: CounselingSeries) -> String { "series-\(series.id.lowercased())@retreat" }

    static func zoned(_ t: LocalTime, _ zone: String) -> ICalDateTime {
        .zoned(LocalDateTime(year: t.day.year, month: t.day.month, day: t.day.day, hour: t.time.hour, minute: t.time.minute), tzid: zone)
    }

    /// The VEVENTs of one series (master + overrides). Cancelled series come out STATUS:CANCELLED.
    public static func events(
        for stored: StoredSeries, profile: PracticeProfile, stamp: Date, attendees: [ICalAddress] = [],
        summary: String = "Counseling session", includeLink: Bool = true
    ) -> [ICalEvent] {
        let s = stored.series
        let zone = s.spec.counselorZone
        let organizer = ICalAddress(uri: "mailto:\(profile.organizerEmail)", commonName: profile.organizerName)
        let status: ICalEventStatus = stored.active ? .confirmed : .cancelled
        // The video link is the couple's private room: only in their own calendar, never in a shared one.
        let link = includeLink ? s.spec.link : nil
        let description = link.map { "Join: \($0)" }
        let master = ICalEvent(
            uid: uid(of: s), stamp: stamp, start: zoned(s.spec.start, zone), end: zoned(s.spec.start.adding(minutes: s.spec.lengthMinutes), zone),
            summary: summary, description: description, location: link, url: link, status: status, sequence: s.sequence,
            classification: .privateClass, transparency: .opaque, organizer: organizer, attendees: attendees,
            recurrenceRule: s.rruleText, exceptionDates: s.exceptionDates.map { zoned($0, zone) })
        var out = [master]
        for o in s.occurrences() where o.isMoved {
            out.append(
                ICalEvent(
                    uid: uid(of: s), stamp: stamp, start: zoned(o.localStart, zone), end: zoned(o.localEnd, zone),
                    summary: summary, description: description, location: link, url: link, status: status, sequence: s.sequence,
                    classification: .privateClass, transparency: .opaque, organizer: organizer, attendees: attendees,
                    recurrenceID: zoned(o.originalStart, zone)))
        }
        return out
    }

    /// The couple's calendar of a series; with `invite`, METHOD:REQUEST (METHOD:CANCEL once cancelled) with
    /// ORGANIZER and each partner as ATTENDEE.
    public static func calendar(for stored: StoredSeries, profile: PracticeProfile, stamp: Date, invite: Bool) -> ICalendar {
        let attendees = invite ? BookingCalendars.attendeeAddresses(stored.contact) : []
        let method: ICalMethod = invite ? (stored.active ? .request : .cancel) : .publish
        return ICalendar(
            method: method, name: "\(profile.name): counseling sessions", events: events(for: stored, profile: profile, stamp: stamp, attendees: attendees))
    }
}
