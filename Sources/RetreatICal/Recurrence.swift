internal import CLibical
import Foundation

/// One concrete occurrence of an event.
public struct ICalOccurrence: Hashable, Sendable {
    /// UID of the event (shared by the master and its overrides).
    public var uid: String
    /// The original start this occurrence stands for (the RECURRENCE-ID), as an instant.
    public var recurrenceInstant: Date
    /// Start as written, in the event's own zone (or a DATE for all-day events).
    public var start: ICalDateTime
    /// Exclusive end, same kind as `start`.
    public var end: ICalDateTime
    /// UTC instants of start and end (all-day and floating values read in the floating zone).
    public var startInstant: Date
    public var endInstant: Date
    /// True for an all-day (VALUE=DATE) occurrence.
    public var isAllDay: Bool
    /// True when an override (RECURRENCE-ID) replaced the generated instance.
    public var isOverride: Bool
    /// The event this occurrence comes from (the override's values when overridden).
    public var event: ICalEvent
}

/// Limits that bound recurrence expansion of hostile rules.
public struct ICalExpansionLimits: Sendable, Hashable {
    /// Most occurrences one event may produce inside the window before expansion fails.
    public var maxOccurrencesPerEvent: Int
    /// Most iterations of libical's recurrence iterator for one event (bounds rules that start long before the window).
    public var maxIterationsPerEvent: Int

    public init(maxOccurrencesPerEvent: Int = 20_000, maxIterationsPerEvent: Int = 500_000) {
        self.maxOccurrencesPerEvent = maxOccurrencesPerEvent
        self.maxIterationsPerEvent = maxIterationsPerEvent
    }
}

extension ICalendar {
    /// Expands every event (RRULE, RDATE, EXDATE, RECURRENCE-ID overrides) into occurrences that overlap
    /// `window`, computed in each event's own time zone (DST included), sorted by start instant then UID.
    /// - Parameters:
    ///   - floatingTimeZone: the IANA zone for floating times and all-day dates; defaults to `X-WR-TIMEZONE`
    ///     and then UTC.
    /// - Throws: `ICalError.unknownTimeZone` for a TZID that cannot be resolved, `.tooManyOccurrences` when a
    ///   rule exceeds the limits.
    public func occurrences(
        in window: DateInterval, floatingTimeZone: String? = nil, limits: ICalExpansionLimits = ICalExpansionLimits()
    ) throws(ICalError) -> [ICalOccurrence] {
        try Libical.locked { () throws(ICalError) -> [ICalOccurrence] in
            try expand(in: window, floatingTimeZone: floatingTimeZone, limits: limits)
        }
    }

    private func expand(in window: DateInterval, floatingTimeZone: String?, limits: ICalExpansionLimits) throws(ICalError) -> [ICalOccurrence] {
        let zones = ZoneResolver(definitions: timeZoneDefinitions)
        let floating = floatingTimeZone ?? defaultTimeZone
        if let floating, zones.zone(for: floating) == nil {
            throw ICalError(.unknownTimeZone, "unknown time zone \"\(floating)\" for floating times")
        }
        var overrides: [String: [Date: ICalEvent]] = [:]
        var masters: [ICalEvent] = []
        for event in events {
            if let rid = event.recurrenceID {
                let instant = try zones.instant(of: rid, floatingZone: floating)
                overrides[event.uid, default: [:]][instant] = event
            } else {
                masters.append(event)
            }
        }
        var result: [ICalOccurrence] = []
        var usedOverrides = Set<String>()
        for master in masters {
            let instances = try Expander(event: master, zones: zones, floating: floating, limits: limits).instances(in: window)
            for (local, instant) in instances {
                if let override = overrides[master.uid]?[instant] {
                    usedOverrides.insert("\(master.uid)|\(instant.timeIntervalSince1970)")
                    if let occ = try Self.occurrence(override, start: override.start, recurrence: instant, zones: zones, floating: floating, isOverride: true),
                        occ.overlaps(window)
                    {
                        result.append(occ)
                    }
                    continue
                }
                if let occ = try Self.occurrence(master, start: local, recurrence: instant, zones: zones, floating: floating, isOverride: false),
                    occ.overlaps(window)
                {
                    result.append(occ)
                }
            }
        }
        // Overrides whose master is missing or whose original instance lies outside the window still count
        // when they themselves fall inside it.
        for (uid, byInstant) in overrides {
            for (instant, override) in byInstant where !usedOverrides.contains("\(uid)|\(instant.timeIntervalSince1970)") {
                if let occ = try Self.occurrence(override, start: override.start, recurrence: instant, zones: zones, floating: floating, isOverride: true),
                    occ.overlaps(window),
                    !result.contains(where: { $0.uid == uid && $0.recurrenceInstant == instant })
                {
                    result.append(occ)
                }
            }
        }
        return result.sorted { ($0.startInstant, $0.uid) < ($1.startInstant, $1.uid) }
    }

    static func occurrence(
        _ event: ICalEvent, start: ICalDateTime, recurrence: Date, zones: ZoneResolver, floating: String?, isOverride: Bool
    ) throws(ICalError) -> ICalOccurrence? {
        let startInstant = try zones.instant(of: start, floatingZone: floating)
        let end: ICalDateTime
        let length = try Self.length(of: event, zones: zones, floating: floating)
        switch start {
        case .date(let d):
            end = .date(d.adding(days: max(1, length / 86_400)))
        case .utc(let l):
            end = .utc(l.adding(seconds: length))
        case .floating(let l):
            end = .floating(l.adding(seconds: length))
        case .zoned(let l, let tz):
            end = .zoned(l.adding(seconds: length), tzid: tz)
        }
        var endInstant = try zones.instant(of: end, floatingZone: floating)
        if endInstant < startInstant { endInstant = startInstant }
        return ICalOccurrence(
            uid: event.uid, recurrenceInstant: recurrence, start: start, end: end, startInstant: startInstant,
            endInstant: endInstant, isAllDay: start.isDate, isOverride: isOverride, event: event)
    }

    /// Nominal length in seconds: wall-clock difference of DTEND and DTSTART (days for DATE values),
    /// else DURATION, else one day for a DATE and zero for a DATE-TIME (RFC 5545 §3.6.1).
    static func length(of event: ICalEvent, zones: ZoneResolver, floating: String?) throws(ICalError) -> Int {
        if let end = event.end {
            if event.start.isDate || end.isDate {
                return max(0, end.date.daysSinceEpoch - event.start.date.daysSinceEpoch) * 86_400
            }
            if end.tzid == event.start.tzid {
                return max(0, end.local.naiveSeconds - event.start.local.naiveSeconds)
            }
            let s = try zones.instant(of: event.start, floatingZone: floating)
            let e = try zones.instant(of: end, floatingZone: floating)
            return max(0, Int(e.timeIntervalSince(s)))
        }
        if let d = event.durationSeconds { return max(0, d) }
        return event.start.isDate ? 86_400 : 0
    }
}

extension ICalOccurrence {
    func overlaps(_ window: DateInterval) -> Bool {
        if endInstant == startInstant { return startInstant >= window.start && startInstant < window.end }
        return startInstant < window.end && endInstant > window.start
    }
}

/// Generates the instances of one master event with libical's recurrence iterator, in the event's own
/// wall-clock time.
struct Expander {
    let event: ICalEvent
    let zones: ZoneResolver
    let floating: String?
    let limits: ICalExpansionLimits

    /// (start as written, original instant) for every instance that starts before the window ends and
    /// could overlap it, EXDATEs removed, RDATEs added.
    func instances(in window: DateInterval) throws(ICalError) -> [(ICalDateTime, Date)] {
        let start = event.start
        let lengthSeconds = try ICalendar.length(of: event, zones: zones, floating: floating)
        let earliest = window.start.addingTimeInterval(-TimeInterval(lengthSeconds) - 86_400)
        var out: [(ICalDateTime, Date)] = []
        var excluded = Set<Date>()
        for ex in event.exceptionDates {
            // A DATE EXDATE on a DATE-TIME event excludes that day's instance.
            var value = ex
            if ex.isDate && !start.isDate { value = Self.rebase(start, onto: ex.date) }
            excluded.insert(try zones.instant(of: value, floatingZone: floating))
        }
        func add(_ value: ICalDateTime) throws(ICalError) {
            let instant = try zones.instant(of: value, floatingZone: floating)
            guard !excluded.contains(instant), instant < window.end, instant >= earliest else { return }
            out.append((value, instant))
            if out.count > limits.maxOccurrencesPerEvent {
                throw ICalError(
                    .tooManyOccurrences, "an event (UID \"\(event.uid.prefix(60))\") repeats more than \(limits.maxOccurrencesPerEvent) times in the window")
            }
        }
        guard let ruleText = event.recurrenceRule else {
            try add(start)
            for rdate in event.recurrenceDates { try add(Self.align(rdate, with: start)) }
            return dedupe(out)
        }
        // UNTIL is applied here rather than by libical, so that an UNTIL given as a DATE (as Google and
        // Outlook write it) includes the whole day, and a UTC UNTIL is compared as an instant.
        var parts = ruleText.split(separator: ";").map(String.init)
        var untilDate: ICalDate?
        var untilInstant: Date?
        if let i = parts.firstIndex(where: { $0.uppercased().hasPrefix("UNTIL=") }) {
            let value = String(parts[i].dropFirst(6))
            parts.remove(at: i)
            guard ContentLines.isValidDateOrDateTime(Substring(value)) else {
                throw ICalError(.invalidDate, "RRULE UNTIL \"\(value.prefix(30))\" is not a valid date")
            }
            let b = Array(value.utf8)
            let y = Int(String(decoding: b[0..<4], as: UTF8.self)) ?? 0
            let m = Int(String(decoding: b[4..<6], as: UTF8.self)) ?? 0
            let d = Int(String(decoding: b[6..<8], as: UTF8.self)) ?? 0
            if b.count == 8 {
                untilDate = ICalDate(year: y, month: m, day: d)
            } else {
                let hh = Int(String(decoding: b[9..<11], as: UTF8.self)) ?? 0
                let mm = Int(String(decoding: b[11..<13], as: UTF8.self)) ?? 0
                let ss = Int(String(decoding: b[13..<15], as: UTF8.self)) ?? 0
                let l = LocalDateTime(year: y, month: m, day: d, hour: hh, minute: mm, second: ss)
                let value: ICalDateTime = value.hasSuffix("Z") ? .utc(l) : Self.rebase(start, local: l)
                untilInstant = try zones.instant(of: value, floatingZone: floating)
            }
        }
        let rule = icalrecurrencetype_from_string(parts.joined(separator: ";"))
        if rule.freq == ICAL_NO_RECURRENCE {
            throw ICalError(.malformed, "RRULE \"\(ruleText.prefix(80))\" is not a valid recurrence rule")
        }
        // DATE starts iterate as floating midnight: libical 3.0.16 steps WEEKLY rules on a DATE start by 6 days.
        let dtstart = TimeConversion.icalTime(start.local)
        guard let iterator = icalrecur_iterator_new(rule, dtstart) else {
            throw ICalError(.malformed, "libical cannot iterate RRULE \"\(ruleText.prefix(80))\"")
        }
        defer { icalrecur_iterator_free(iterator) }
        var iterations = 0
        while true {
            let next = icalrecur_iterator_next(iterator)
            if icaltime_is_null_time(next) != 0 { break }
            iterations += 1
            if iterations > limits.maxIterationsPerEvent {
                throw ICalError(
                    .tooManyOccurrences,
                    "an event's RRULE (UID \"\(event.uid.prefix(60))\") needs more than \(limits.maxIterationsPerEvent) steps to reach the window")
            }
            let value: ICalDateTime =
                start.isDate
                ? .date(ICalDate(year: Int(next.year), month: Int(next.month), day: Int(next.day)))
                : Self.rebase(start, local: TimeConversion.local(next))
            if let untilDate, value.date > untilDate { break }
            let instant = try zones.instant(of: value, floatingZone: floating)
            if let untilInstant, instant > untilInstant { break }
            if instant >= window.end { break }
            try add(value)
        }
        for rdate in event.recurrenceDates { try add(Self.align(rdate, with: start)) }
        return dedupe(out)
    }

    private func dedupe(_ items: [(ICalDateTime, Date)]) -> [(ICalDateTime, Date)] {
        var seen = Set<Date>()
        return items.filter { seen.insert($0.1).inserted }
    }

    /// A value with `start`'s kind and zone at another wall-clock time.
    static func rebase(_ start: ICalDateTime, local: LocalDateTime) -> ICalDateTime {
        switch start {
        case .date: return .date(local.date)
        case .utc: return .utc(local)
        case .floating: return .floating(local)
        case .zoned(_, let tz): return .zoned(local, tzid: tz)
        }
    }

    static func rebase(_ start: ICalDateTime, onto date: ICalDate) -> ICalDateTime {
        var l = start.local
        l.date = date
        return rebase(start, local: l)
    }

    /// An RDATE given as a DATE for a timed event takes the event's time of day.
    static func align(_ rdate: ICalDateTime, with start: ICalDateTime) -> ICalDateTime {
        if rdate.isDate && !start.isDate { return rebase(start, onto: rdate.date) }
        return rdate
    }
}
