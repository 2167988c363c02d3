import Foundation
import RetreatICal
import RetreatScheduling

/// One busy occurrence of an imported calendar, mapped to practice-local days.
public struct ImportedBusy: Hashable, Sendable {
    /// UID of the event the occurrence comes from.
    public var uid: String
    /// The occurrence's original start (its RECURRENCE-ID) as an ISO 8601 UTC instant: with `uid`, the key
    /// that makes a second import of the same file change nothing.
    public var recurrenceID: String
    /// First and last blocked practice-local day (inclusive).
    public var from: CalendarDay
    public var to: CalendarDay
}

/// What an import found, before it is stored.
public struct BusyImportResult: Sendable {
    public var busy: [ImportedBusy]
    /// Occurrences skipped as free (TRANSP:TRANSPARENT), cancelled, or outside session hours.
    public var skipped: Int
    /// VTODO and VJOURNAL components, never interpreted.
    public var ignoredComponents: Int
}

/// Maps the busy time of a staff calendar to practice-local days.
///
/// Every occurrence in the window (RRULE, RDATE, EXDATE and RECURRENCE-ID overrides expanded) becomes a
/// blocked day range. All-day events block their dates up to the exclusive DTEND. A timed event in any zone
/// blocks a practice-local day when it overlaps that day's session hours (`dayStart`–`dayEnd`); floating
/// times are read in the file's `X-WR-TIMEZONE`, else in the practice zone. Transparent and cancelled
/// events and instances are skipped.
public enum BusyImport {
    public static func busyDays(
        in calendar: ICalendar, from: CalendarDay, to: CalendarDay, settings: PracticeSettings,
        limits: ICalExpansionLimits = ICalExpansionLimits()
    ) throws(ICalError) -> BusyImportResult {
        let zone = settings.timeZone
        let windowStart = from.firstInstant(in: zone)
        let windowEnd = to.adding(days: 1).firstInstant(in: zone)
        let floating = calendar.defaultTimeZone.flatMap { ICalTimeZones.isKnown($0) ? $0 : nil } ?? settings.timeZoneIdentifier
        let occurrences = try calendar.occurrences(
            in: DateInterval(start: windowStart, end: max(windowStart, windowEnd)),
            floatingTimeZone: floating, limits: limits)
        let iso = ISO8601DateFormatter()
        let sessions = SessionHours(settings: settings)
        var busy: [ImportedBusy] = []
        var skipped = 0
        for occ in occurrences {
            if occ.event.transparency == .transparent || occ.event.status == .cancelled {
                skipped += 1
                continue
            }
            let days: ClosedRange<CalendarDay>?
            if occ.isAllDay {
                let first = CalendarDay(ical: occ.start.date)
                let endExclusive = CalendarDay(ical: occ.end.date)
                let last = endExclusive > first ? endExclusive.adding(days: -1) : first
                days = clip(first...last, from, to)
            } else {
                days = sessions.days(start: occ.startInstant, end: occ.endInstant, from: from, to: to)
            }
            guard let days else {
                skipped += 1
                continue
            }
            busy.append(ImportedBusy(uid: occ.uid, recurrenceID: iso.string(from: occ.recurrenceInstant), from: days.lowerBound, to: days.upperBound))
        }
        return BusyImportResult(busy: busy, skipped: skipped, ignoredComponents: calendar.ignoredComponentCount)
    }

    static func clip(_ r: ClosedRange<CalendarDay>, _ from: CalendarDay, _ to: CalendarDay) -> ClosedRange<CalendarDay>? {
        let lo = max(r.lowerBound, from), hi = min(r.upperBound, to)
        return lo <= hi ? lo...hi : nil
    }

}

/// Session hours of each practice-local day as instants, computed once per day (DST days included).
final class SessionHours {
    private let settings: PracticeSettings
    private var calendar: Calendar
    private var cache: [Int: (start: Date, end: Date)] = [:]

    init(settings: PracticeSettings) {
        self.settings = settings
        calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = settings.timeZone
    }

    func bounds(_ day: CalendarDay) -> (start: Date, end: Date) {
        if let b = cache[day.daysSinceEpoch] { return b }
        func at(_ t: ClockTime) -> Date {
            calendar.date(from: DateComponents(year: day.year, month: day.month, day: day.day, hour: t.hour, minute: t.minute))
                ?? day.firstInstant(in: settings.timeZone)
        }
        let b = (at(settings.dayStart), at(settings.dayEnd))
        cache[day.daysSinceEpoch] = b
        return b
    }

    /// Practice-local days in `[from, to]` whose session hours the interval overlaps (half-open; a
    /// zero-length event counts when it starts inside the session).
    func days(start: Date, end: Date, from: CalendarDay, to: CalendarDay) -> ClosedRange<CalendarDay>? {
        let zone = settings.timeZone
        var day = max(from, CalendarDay.today(at: start, in: zone).adding(days: -1))
        let last = min(to, CalendarDay.today(at: end, in: zone).adding(days: 1))
        var first: CalendarDay?
        var lastHit: CalendarDay?
        while day <= last {
            let (s, e) = bounds(day)
            let overlaps = end > start ? (start < e && end > s) : (start >= s && start < e)
            if overlaps {
                if first == nil { first = day }
                lastHit = day
            }
            day = day.adding(days: 1)
        }
        guard let first, let lastHit else { return nil }
        return first...lastHit
    }
}

extension CalendarDay {
    /// The scheduling day for an iCalendar DATE (always a real date).
    init(ical: ICalDate) {
        self.init(daysSinceEpoch: ical.daysSinceEpoch)
    }
}
