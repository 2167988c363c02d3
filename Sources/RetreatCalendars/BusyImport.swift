import Foundation
import RetreatICal
import RetreatScheduling

/// A stretch of busy time at the granularity the calendar gives it.
public enum BusyInterval: Hashable, Sendable {
    /// An all-day occurrence: its first and last date (inclusive), as the calendar writes them. All-day dates
    /// carry no zone, so they are read as the practice's own dates.
    case days(first: CalendarDay, last: CalendarDay)
    /// A timed occurrence: its start and exclusive end as instants (equal for a zero-length event).
    case instants(start: Date, end: Date)

    /// True when the interval shares time with `[start, end)`. A zero-length event takes no time and overlaps
    /// nothing (RFC 5545 §3.6.1: a DATE-TIME DTSTART with no end is an instant).
    /// Whole days are taken from midnight to midnight in `timeZone`.
    public func overlaps(start: Date, end: Date, in timeZone: TimeZone) -> Bool {
        switch self {
        case .days(let first, let last):
            return first.firstInstant(in: timeZone) < end && last.adding(days: 1).firstInstant(in: timeZone) > start
        case .instants(let s, let e):
            return s < end && e > start && e > s
        }
    }
}

/// One busy occurrence of an imported calendar.
public struct ImportedBusy: Hashable, Sendable {
    /// UID of the event the occurrence comes from.
    public var uid: String
    /// The occurrence's original start (its RECURRENCE-ID) as an ISO 8601 UTC instant (`2027-01-04T15:00:00Z`):
    /// with `uid`, the key that makes a second import of the same file change nothing.
    public var recurrenceID: String
    /// The occurrence itself: whole dates for an all-day event, instants for a timed one. A counseling session is
    /// blocked only by the intervals it overlaps.
    public var interval: BusyInterval
    /// The practice-local days (inclusive, clipped to the import window) this occurrence blocks for intensives:
    /// an all-day event's dates, or the days whose session hours a timed event overlaps. Nil when it blocks no
    /// intensive day (a 07:00 call before 09:00 sessions still blocks an early video session).
    public var days: ClosedRange<CalendarDay>?

    public init(uid: String, recurrenceID: String, interval: BusyInterval, days: ClosedRange<CalendarDay>?) {
        self.uid = uid
        self.recurrenceID = recurrenceID
        self.interval = interval
        self.days = days
    }
}

/// What an import found, before it is stored.
public struct BusyImportResult: Sendable {
    /// Every busy occurrence that overlaps the window, in start order (then UID).
    public var busy: [ImportedBusy]
    /// Occurrences skipped as free (TRANSP:TRANSPARENT), cancelled (STATUS:CANCELLED, event or instance), or
    /// taking no time (a timed event whose end is its start).
    public var free: Int
    /// VTODO and VJOURNAL components, never interpreted.
    public var ignoredComponents: Int

    /// Occurrences that block no intensive day: free, cancelled, or busy only outside session hours.
    public var skipped: Int { free + busy.reduce(0) { $0 + ($1.days == nil ? 1 : 0) } }
}

/// Maps the busy time of a staff calendar to intervals and to the practice-local days it blocks.
///
/// Every occurrence in the window (RRULEs, RDATEs and periods, EXDATEs and RECURRENCE-ID overrides expanded)
/// becomes one `ImportedBusy`: its interval as it is, and the days it blocks for intensives. All-day events block
/// their dates up to the exclusive DTEND. A timed event in any zone blocks a practice-local day when it overlaps
/// that day's session hours (`dayStart`–`dayEnd`); floating times are read in the file's `X-WR-TIMEZONE`, else in
/// the practice zone. Transparent and cancelled events and instances are skipped.
public enum BusyImport {
    /// Expands `calendar` over the practice-local days `from`…`to` (inclusive).
    /// - Throws: `ICalError` for an unknown zone or a rule past `limits` (in steps or time).
    /// Most occurrences one import may bring in: a file of a few kilobytes with an hourly rule can otherwise
    /// expand to millions of rows (a gigabyte of memory, and the store's write lock held for seconds).
    public static let maxOccurrences = 500_000

    public static func busyDays(
        in calendar: ICalendar, from: CalendarDay, to: CalendarDay, settings: PracticeSettings,
        limits: ICalExpansionLimits = ICalExpansionLimits(), maxOccurrences: Int = BusyImport.maxOccurrences
    ) throws(ICalError) -> BusyImportResult {
        let zone = settings.timeZone
        let windowStart = from.firstInstant(in: zone)
        let windowEnd = to.adding(days: 1).firstInstant(in: zone)
        let floating = calendar.defaultTimeZone.flatMap { ICalTimeZones.isKnown($0) ? $0 : nil } ?? settings.timeZoneIdentifier
        let sessions = SessionHours(settings: settings)
        var busy: [ImportedBusy] = []
        var order: [(start: Date, index: Int)] = []
        var free = 0
        var seen = 0
        try calendar.forEachInstance(
            in: DateInterval(start: windowStart, end: max(windowStart, windowEnd)), floatingTimeZone: floating, limits: limits
        ) { (occ: ICalInstance) throws(ICalError) in
            seen += 1
            if seen > maxOccurrences {
                throw ICalError(
                    .tooManyOccurrences,
                    "the calendar has more than \(maxOccurrences) occurrences between \(from) and \(to); import a shorter window (--from, --to)")
            }
            if calendar.events[occ.eventIndex].transparency == .transparent || calendar.events[occ.eventIndex].status == .cancelled
                || (!occ.isAllDay && occ.endInstant <= occ.startInstant)
            {
                free += 1
                return
            }
            let interval: BusyInterval
            let days: ClosedRange<CalendarDay>?
            if occ.isAllDay {
                let first = CalendarDay(ical: occ.start.date)
                let endExclusive = CalendarDay(ical: occ.end.date)
                let last = endExclusive > first ? endExclusive.adding(days: -1) : first
                interval = .days(first: first, last: last)
                days = clip(first...last, from, to)
            } else {
                // Kept within the window: what lies outside it is not this import's (and an event that began in
                // year 1 must neither store a date no calendar can read nor walk two thousand years of days).
                let start = max(occ.startInstant, windowStart)
                let end = min(occ.endInstant, windowEnd)
                interval = .instants(start: start, end: end)
                let touched = sessions.days(overlapping: start, end)
                days = touched.first.flatMap { first in touched.last.flatMap { clip(first...$0, from, to) } }
            }
            order.append((occ.startInstant, busy.count))
            busy.append(ImportedBusy(uid: storedUID(occ.uid), recurrenceID: isoUTC(occ.recurrenceInstant), interval: interval, days: days))
        }
        // Start order, then UID (stable for equal keys): sort small keys, then move each value once.
        order.sort { $0.start != $1.start ? $0.start < $1.start : busy[$0.index].uid < busy[$1.index].uid }
        busy = order.map { busy[$0.index] }
        return BusyImportResult(busy: busy, free: free, ignoredComponents: calendar.ignoredComponentCount)
    }

    /// The UID as stored: a UID longer than 255 bytes or holding a control or invisible character (legal in
    /// iCalendar, but not a key to keep or show) is stored as a stand-in digest of itself, so it still tells
    /// occurrences apart and a second import of the file still finds them.
    static func storedUID(_ uid: String) -> String {
        if uid.utf8.count <= 255, TextRules.firstForbidden(in: uid) == nil { return uid }
        return "uid-" + ICalDigest.hex128(uid)
    }

    static func clip(_ r: ClosedRange<CalendarDay>, _ from: CalendarDay, _ to: CalendarDay) -> ClosedRange<CalendarDay>? {
        let lo = max(r.lowerBound, from), hi = min(r.upperBound, to)
        return lo <= hi ? lo...hi : nil
    }

    /// `YYYY-MM-DDTHH:MM:SSZ`, as `ISO8601DateFormatter` writes it, without ICU.
    static func isoUTC(_ instant: Date) -> String {
        let seconds = Int(instant.timeIntervalSince1970.rounded(.down))
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let rest = seconds - days * 86_400
        let day = CalendarDay(daysSinceEpoch: days)
        return String(unsafeUninitializedCapacity: 20) { bytes in
            func put(_ value: Int, _ at: Int, _ width: Int) {
                var v = value
                for i in stride(from: at + width - 1, through: at, by: -1) {
                    bytes[i] = UInt8(48 + v % 10)
                    v /= 10
                }
            }
            put(day.year, 0, 4)
            put(day.month, 5, 2)
            put(day.day, 8, 2)
            put(rest / 3600, 11, 2)
            put(rest % 3600 / 60, 14, 2)
            put(rest % 60, 17, 2)
            bytes[4] = 45
            bytes[7] = 45
            bytes[10] = 84
            bytes[13] = 58
            bytes[16] = 58
            bytes[19] = 90
            return 20
        }
    }
}

extension CalendarDay {
    /// The scheduling day for an iCalendar DATE (always a real date).
    init(ical: ICalDate) {
        self.init(daysSinceEpoch: ical.daysSinceEpoch)
    }
}
