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

/// One occurrence as the expansion produces it, without a copy of its event: `eventIndex` points into
/// `ICalendar.events` (the override's index when an override applies).
public struct ICalInstance: Sendable {
    /// UID of the series.
    public var uid: String
    /// The original start this occurrence stands for (its RECURRENCE-ID), as an instant.
    public var recurrenceInstant: Date
    /// Start as written (a DATE for all-day occurrences) and exclusive end of the same kind.
    public var start: ICalDateTime
    public var end: ICalDateTime
    /// UTC instants of start and end (all-day and floating values read in the floating zone).
    public var startInstant: Date
    public var endInstant: Date
    /// True when an override (RECURRENCE-ID) replaced or moved the generated instance.
    public var isOverride: Bool
    /// The VEVENT whose properties (STATUS, TRANSP, …) apply, as an index into `events`.
    public var eventIndex: Int
    /// True for an all-day (VALUE=DATE) occurrence.
    public var isAllDay: Bool { start.isDate }

    func overlaps(_ window: DateInterval) -> Bool {
        if endInstant == startInstant { return startInstant >= window.start && startInstant < window.end }
        return startInstant < window.end && endInstant > window.start
    }
}

/// Limits that bound recurrence expansion of hostile rules, in steps and in time.
public struct ICalExpansionLimits: Sendable, Hashable {
    /// Most occurrences one event may produce inside the window before expansion fails.
    public var maxOccurrencesPerEvent: Int
    /// Most iterations of libical's recurrence iterator for one event (bounds rules that start long before the window).
    public var maxIterationsPerEvent: Int
    /// Most clock changes one VTIMEZONE observance rule (STANDARD or DAYLIGHT) may need up to the window's end:
    /// libical expands every change of a zone up front, so `FREQ=SECONDLY` there would run for minutes.
    public var maxTimeZoneTransitions: Int
    /// Longest the whole expansion of one calendar may run.
    public var maxDuration: Duration

    public init(
        maxOccurrencesPerEvent: Int = 20_000, maxIterationsPerEvent: Int = 500_000, maxTimeZoneTransitions: Int = 20_000,
        maxDuration: Duration = .seconds(60)
    ) {
        self.maxOccurrencesPerEvent = maxOccurrencesPerEvent
        self.maxIterationsPerEvent = maxIterationsPerEvent
        self.maxTimeZoneTransitions = maxTimeZoneTransitions
        self.maxDuration = maxDuration
    }
}

/// Counts iterator steps against the deadline of one expansion.
final class ExpansionBudget {
    private let clock = ContinuousClock()
    private let deadline: ContinuousClock.Instant
    private let limit: Duration
    private var ticks = 0

    init(_ limits: ICalExpansionLimits) {
        deadline = clock.now.advanced(by: limits.maxDuration)
        limit = limits.maxDuration
    }

    /// Call once per step; looks at the clock every 1,024 steps.
    func tick() throws(ICalError) {
        ticks &+= 1
        if ticks & 1023 == 0 { try check() }
    }

    func check() throws(ICalError) {
        if clock.now > deadline {
            throw ICalError(
                .tooManyOccurrences, "expanding the calendar's recurrences took longer than \(limit) and was stopped; narrow --from/--to or split the file")
        }
    }
}

extension ICalendar {
    /// Expands every event (RRULEs, RDATEs with their periods, EXDATEs, RECURRENCE-ID overrides including
    /// `RANGE=THISANDFUTURE`) into occurrences that overlap `window`, computed in each event's own time zone
    /// (DST included), sorted by start instant then UID. When a UID has several masters (revisions of one event),
    /// the one with the highest SEQUENCE wins, with its own overrides.
    /// - Parameters:
    ///   - floatingTimeZone: the IANA zone for floating times and all-day dates; defaults to `X-WR-TIMEZONE`
    ///     and then UTC.
    /// - Throws: `ICalError.unknownTimeZone` for a TZID that cannot be resolved, `.tooManyOccurrences` when a
    ///   rule (an event's or a VTIMEZONE's) exceeds the limits in steps or time.
    public func occurrences(
        in window: DateInterval, floatingTimeZone: String? = nil, limits: ICalExpansionLimits = ICalExpansionLimits()
    ) throws(ICalError) -> [ICalOccurrence] {
        var result: [ICalOccurrence] = []
        try forEachInstance(in: window, floatingTimeZone: floatingTimeZone, limits: limits) { i in
            result.append(
                ICalOccurrence(
                    uid: i.uid, recurrenceInstant: i.recurrenceInstant, start: i.start, end: i.end, startInstant: i.startInstant,
                    endInstant: i.endInstant, isAllDay: i.isAllDay, isOverride: i.isOverride, event: events[i.eventIndex]))
        }
        return result.sorted { ($0.startInstant, $0.uid) < ($1.startInstant, $1.uid) }
    }

    /// Calls `body` with every occurrence overlapping `window`, series by series in file order (not sorted), as
    /// `occurrences(in:floatingTimeZone:limits:)` finds them but without copying events: the fast path for imports.
    /// - Throws: as `occurrences(in:floatingTimeZone:limits:)`.
    public func forEachInstance(
        in window: DateInterval, floatingTimeZone: String? = nil, limits: ICalExpansionLimits = ICalExpansionLimits(),
        _ body: (ICalInstance) throws(ICalError) -> Void
    ) throws(ICalError) {
        try Libical.locked { () throws(ICalError) in
            try expandInstances(in: window, floatingTimeZone: floatingTimeZone, limits: limits, body)
        }
    }

    private func expandInstances(
        in window: DateInterval, floatingTimeZone: String?, limits: ICalExpansionLimits, _ body: (ICalInstance) throws(ICalError) -> Void
    ) throws(ICalError) {
        let budget = ExpansionBudget(limits)
        let endYear = Int(window.end.timeIntervalSince1970 / 31_556_952) + 1970
        let nowYear = Int(Date().timeIntervalSince1970 / 31_556_952) + 1970
        let zones = ZoneResolver(
            definitions: timeZoneDefinitions, horizonYear: max(endYear, nowYear) + 6, maxSteps: limits.maxTimeZoneTransitions)
        let floating = floatingTimeZone ?? defaultTimeZone
        if let floating, try zones.zone(for: floating) == nil {
            throw ICalError(.unknownTimeZone, "unknown time zone \"\(floating)\" for floating times")
        }
        // The organizer's zone, for all-day series whose UNTIL or EXDATE Outlook writes as a UTC instant.
        var organizerZone: String?
        for candidate in [defaultTimeZone].compactMap({ $0 }) + timeZoneOrder.prefix(1) where organizerZone == nil {
            if (try? zones.zone(for: candidate)) != nil { organizerZone = candidate }
        }
        let context = SeriesContext(
            events: events, zones: zones, floating: floating, organizerZone: organizerZone, limits: limits, budget: budget, window: window)
        // Group by UID in file order; events without a UID stand alone.
        var first: [String: Int] = [:]
        first.reserveCapacity(events.count)
        var more: [Int: [Int]] = [:]
        var order: [Int] = []
        for (index, event) in events.enumerated() where !event.uid.isEmpty {
            if let head = first[event.uid] {
                more[head, default: []].append(index)
            } else {
                first[event.uid] = index
                order.append(index)
            }
        }
        for (index, event) in events.enumerated() where event.uid.isEmpty {
            try context.expand(master: event.recurrenceID == nil ? index : nil, overrides: event.recurrenceID == nil ? [] : [index], body)
        }
        for head in order {
            try budget.tick()
            guard let others = more[head] else {
                // One VEVENT with this UID: the common case.
                let isMaster = events[head].recurrenceID == nil
                try context.expand(master: isMaster ? head : nil, overrides: isMaster ? [] : [head], body)
                continue
            }
            let (master, overrides) = Self.currentRevision([head] + others, events: events)
            try context.expand(master: master, overrides: overrides, body)
        }
    }

    /// The master with the highest SEQUENCE (then the latest DTSTAMP, then the last in the file) and the overrides
    /// that belong to it: with several masters, an override belongs to the nearest master before it in the file
    /// (the revision it was exported with). For each RECURRENCE-ID the override with the highest SEQUENCE wins.
    static func currentRevision(_ members: [Int], events: [ICalEvent]) -> (Int?, [Int]) {
        let masters = members.filter { events[$0].recurrenceID == nil }
        var overrides = members.filter { events[$0].recurrenceID != nil }
        func newer(_ a: Int, _ b: Int) -> Bool {
            (events[a].sequence, events[a].stamp, a) > (events[b].sequence, events[b].stamp, b)
        }
        let chosen = masters.max { newer($1, $0) }
        if masters.count > 1, let chosen {
            overrides = overrides.filter { o in
                let owner = masters.last(where: { $0 < o }) ?? masters.first
                return owner == chosen || events[o].sequence > events[chosen].sequence
            }
        }
        var byRID: [ICalDateTime: Int] = [:]
        var ridOrder: [ICalDateTime] = []
        for o in overrides {
            guard let rid = events[o].recurrenceID else { continue }
            if let existing = byRID[rid] {
                if newer(o, existing) { byRID[rid] = o }
            } else {
                byRID[rid] = o
                ridOrder.append(rid)
            }
        }
        return (chosen, ridOrder.compactMap { byRID[$0] })
    }

    static func occurrence(
        _ event: ICalEvent, index: Int, start: ICalDateTime, recurrence: Date, zones: ZoneResolver, floating: String?, isOverride: Bool,
        periodEnd: ICalDateTime? = nil, lengthSeconds: Int? = nil
    ) throws(ICalError) -> ICalInstance {
        let startInstant = try zones.instant(of: start, floatingZone: floating)
        let end: ICalDateTime
        if let periodEnd {
            end = periodEnd
        } else {
            var length = lengthSeconds ?? 0
            if lengthSeconds == nil { length = try Self.length(of: event, zones: zones, floating: floating) }
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
        }
        var endInstant = try zones.instant(of: end, floatingZone: floating)
        if endInstant < startInstant { endInstant = startInstant }
        return ICalInstance(
            uid: event.uid, recurrenceInstant: recurrence, start: start, end: end, startInstant: startInstant,
            endInstant: endInstant, isOverride: isOverride, eventIndex: index)
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

/// One generated instance of a master: its start as written, its original instant, the key overrides and
/// EXDATEs are matched on, and (for an `RDATE;VALUE=PERIOD`) its own end.
struct Instance {
    var value: ICalDateTime
    var instant: Date
    var key: Int
    var periodEnd: ICalDateTime?
    var periodSeconds: Int?
}

/// Expands one series (a master and its overrides) for one calendar.
struct SeriesContext {
    let events: [ICalEvent]
    let zones: ZoneResolver
    let floating: String?
    let organizerZone: String?
    let limits: ICalExpansionLimits
    let budget: ExpansionBudget
    let window: DateInterval

    /// The date an all-day series means by a value: a DATE as is; a DATE-TIME with a zone or floating by the
    /// date written (Outlook writes `RECURRENCE-ID;TZID=…:20240729T000000` for an all-day instance); a UTC
    /// DATE-TIME by its date in the organizer's zone (the file's X-WR-TIMEZONE or first VTIMEZONE), else by the
    /// nearest midnight (Outlook writes local midnight of the day as UTC: `20240728T230000Z` is 29 July in London).
    func allDayDate(_ value: ICalDateTime) throws(ICalError) -> ICalDate {
        guard case .utc(let l) = value else { return value.date }
        let instant = Date(timeIntervalSince1970: TimeInterval(l.naiveSeconds))
        if let organizerZone, let local = try zones.local(of: instant, in: organizerZone) { return local.date }
        return l.adding(seconds: 12 * 3600).date
    }

    /// The matching key of a value in a series whose master starts with `start`: the day for all-day series,
    /// else the instant in seconds (a DATE value on a timed series takes the series' time of day).
    func key(_ value: ICalDateTime, start: ICalDateTime) throws(ICalError) -> Int {
        if start.isDate { return try allDayDate(value).daysSinceEpoch }
        let aligned = value.isDate ? Expander.rebase(start, onto: value.date) : value
        return Int(try zones.instant(of: aligned, floatingZone: floating).timeIntervalSince1970)
    }

    func expand(master masterIndex: Int?, overrides: [Int], _ body: (ICalInstance) throws(ICalError) -> Void) throws(ICalError) {
        guard let masterIndex else {
            // Overrides without their master: each counts on its own.
            for index in overrides {
                let o = events[index]
                let rid = try zones.instant(of: o.recurrenceID ?? o.start, floatingZone: floating)
                let occ = try ICalendar.occurrence(
                    o, index: index, start: o.start, recurrence: rid, zones: zones, floating: floating, isOverride: true)
                if occ.overlaps(window) { try body(occ) }
            }
            return
        }
        let master = events[masterIndex]
        if overrides.isEmpty, master.recurrenceRules.isEmpty, master.recurrenceDates.isEmpty, master.recurrencePeriods.isEmpty {
            // A single event: its one instance, unless an EXDATE removes it.
            let instant = try zones.instant(of: master.start, floatingZone: floating)
            if !master.exceptionDates.isEmpty {
                let k = master.start.isDate ? master.start.date.daysSinceEpoch : Int(instant.timeIntervalSince1970)
                for ex in master.exceptionDates where try key(ex, start: master.start) == k { return }
            }
            let occ = try ICalendar.occurrence(
                master, index: masterIndex, start: master.start, recurrence: instant, zones: zones, floating: floating, isOverride: false)
            if occ.overlaps(window) { try body(occ) }
            return
        }
        var exact: [Int: Int] = [:]
        var exactOrder: [Int] = []
        var ranges: [(key: Int, index: Int)] = []
        var earlier: TimeInterval = 0
        var later: TimeInterval = 0
        for index in overrides {
            let o = events[index]
            guard let rid = o.recurrenceID else { continue }
            let k = try key(rid, start: master.start)
            if exact[k] == nil { exactOrder.append(k) }
            exact[k] = index
            if o.appliesToFutureInstances {
                ranges.append((k, index))
                let shift = try zones.instant(of: o.start, floatingZone: floating).timeIntervalSince(
                    try zones.instant(of: rid.isDate && !master.start.isDate ? Expander.rebase(master.start, onto: rid.date) : rid, floatingZone: floating))
                let length = TimeInterval(try ICalendar.length(of: o, zones: zones, floating: floating))
                earlier = max(earlier, shift + length)
                later = max(later, -shift)
            }
        }
        ranges.sort { $0.key < $1.key }
        let expander = Expander(event: master, context: self)
        let instances = try expander.instances(extraBefore: earlier, extraAfter: later)
        var used = Set<Int>()
        for inst in instances {
            try budget.tick()
            if !exact.isEmpty, let index = exact[inst.key] {
                used.insert(inst.key)
                let o = events[index]
                let occ = try ICalendar.occurrence(
                    o, index: index, start: o.start, recurrence: inst.instant, zones: zones, floating: floating, isOverride: true)
                if occ.overlaps(window) { try body(occ) }
                continue
            }
            if !ranges.isEmpty, let range = ranges.last(where: { $0.key < inst.key }) {
                let occ = try shifted(inst, by: range.index, master: master)
                if occ.overlaps(window) { try body(occ) }
                continue
            }
            let occ = try ICalendar.occurrence(
                master, index: masterIndex, start: inst.value, recurrence: inst.instant, zones: zones, floating: floating,
                isOverride: false, periodEnd: inst.periodEnd, lengthSeconds: inst.periodSeconds)
            if occ.overlaps(window) { try body(occ) }
        }
        // Overrides whose original instance was not generated in the window (or not at all) still count when
        // they themselves fall inside it.
        for k in exactOrder where !used.contains(k) {
            guard let index = exact[k], let rid = events[index].recurrenceID else { continue }
            let o = events[index]
            let ridValue = rid.isDate && !master.start.isDate ? Expander.rebase(master.start, onto: rid.date) : rid
            let instant = try zones.instant(of: ridValue, floatingZone: floating)
            let occ = try ICalendar.occurrence(
                o, index: index, start: o.start, recurrence: instant, zones: zones, floating: floating, isOverride: true)
            if occ.overlaps(window) { try body(occ) }
        }
    }

    /// An instance after a `RANGE=THISANDFUTURE` override: moved by the override's offset from its
    /// RECURRENCE-ID, with the override's length and properties.
    func shifted(_ inst: Instance, by index: Int, master: ICalEvent) throws(ICalError) -> ICalInstance {
        let o = events[index]
        guard let rid = o.recurrenceID else {
            return try ICalendar.occurrence(
                o, index: index, start: inst.value, recurrence: inst.instant, zones: zones, floating: floating, isOverride: true)
        }
        let length = try ICalendar.length(of: o, zones: zones, floating: floating)
        let start: ICalDateTime
        if master.start.isDate {
            // Whole days: the number of days the edited instance moved.
            let days = try allDayDate(o.start).daysSinceEpoch - allDayDate(rid).daysSinceEpoch
            start = o.start.isDate ? .date(inst.value.date.adding(days: days)) : Expander.rebase(o.start, onto: inst.value.date.adding(days: days))
        } else if o.start.tzid == rid.tzid, o.start.isDate == rid.isDate, case .zoned = o.start, inst.value.tzid == o.start.tzid {
            // Same zone: move by wall-clock time, so the series keeps its local time across DST.
            start = Expander.rebase(o.start, local: inst.value.local.adding(seconds: o.start.local.naiveSeconds - rid.local.naiveSeconds))
        } else {
            let offset = try zones.instant(of: o.start, floatingZone: floating).timeIntervalSince(
                try zones.instant(of: rid, floatingZone: floating))
            start = .utc(inst.instant.addingTimeInterval(offset))
        }
        return try ICalendar.occurrence(
            o, index: index, start: start, recurrence: inst.instant, zones: zones, floating: floating, isOverride: true, lengthSeconds: length)
    }
}

/// Generates the instances of one master event with libical's recurrence iterator, in the event's own
/// wall-clock time.
struct Expander {
    let event: ICalEvent
    let context: SeriesContext

    /// Every instance that starts before the window ends (plus `extraAfter` seconds) and could overlap it
    /// (allowing `extraBefore` seconds for moved instances): DTSTART first (RFC 5545 §3.8.5.3, even when the
    /// rules would not generate it), then every RRULE (their union), RDATEs and RDATE periods; EXDATEs removed.
    func instances(extraBefore: TimeInterval = 0, extraAfter: TimeInterval = 0) throws(ICalError) -> [Instance] {
        let zones = context.zones
        let floating = context.floating
        let limits = context.limits
        let window = context.window
        let start = event.start
        var longest = try ICalendar.length(of: event, zones: zones, floating: floating)
        for period in event.recurrencePeriods { longest = max(longest, try periodSeconds(period) ?? 0) }
        let earliest = window.start.addingTimeInterval(-TimeInterval(longest) - 86_400 - extraBefore)
        let latest = window.end.addingTimeInterval(extraAfter)
        var out: [Instance] = []
        var seen = Set<Int>()
        var excluded = Set<Int>()
        for ex in event.exceptionDates { excluded.insert(try context.key(ex, start: start)) }
        func add(_ value: ICalDateTime, instant known: Date? = nil, period: ICalPeriod? = nil) throws(ICalError) {
            var instant = known ?? Date.distantPast
            if known == nil { instant = try zones.instant(of: value, floatingZone: floating) }
            guard instant < latest, instant >= earliest else { return }
            let key = start.isDate ? try context.allDayDate(value).daysSinceEpoch : Int(instant.timeIntervalSince1970)
            guard !excluded.contains(key), seen.insert(key).inserted else { return }
            var inst = Instance(value: value, instant: instant, key: key)
            if let period {
                inst.periodEnd = period.end
                inst.periodSeconds = period.end == nil ? period.durationSeconds : nil
            }
            out.append(inst)
            if out.count > limits.maxOccurrencesPerEvent {
                throw ICalError(
                    .tooManyOccurrences, "an event (UID \"\(event.uid.prefix(60))\") repeats more than \(limits.maxOccurrencesPerEvent) times in the window")
            }
        }
        try add(start)
        var iterations = 0
        for ruleText in event.recurrenceRules {
            try expand(rule: ruleText, iterations: &iterations, latest: latest) { (value, instant) throws(ICalError) in
                try add(value, instant: instant)
            }
        }
        for rdate in event.recurrenceDates { try add(Self.align(rdate, with: start)) }
        for period in event.recurrencePeriods { try add(Self.align(period.start, with: start), period: period) }
        return out
    }

    private func periodSeconds(_ period: ICalPeriod) throws(ICalError) -> Int? {
        guard let end = period.end else { return period.durationSeconds }
        let s = try context.zones.instant(of: period.start, floatingZone: context.floating)
        let e = try context.zones.instant(of: end, floatingZone: context.floating)
        return max(0, Int(e.timeIntervalSince(s)))
    }

    /// Runs one RRULE through libical's iterator. UNTIL is applied here rather than by libical, so that an UNTIL
    /// given as a DATE includes its whole day, a UTC UNTIL is compared as an instant, and Outlook's UTC UNTIL on an
    /// all-day series means the day it names in the organizer's zone. When DTSTART is not one of the rule's own
    /// instances it still counts as the first occurrence towards COUNT (RFC 5545 §3.3.10).
    private func expand(
        rule ruleText: String, iterations: inout Int, latest: Date, _ add: (ICalDateTime, Date) throws(ICalError) -> Void
    ) throws(ICalError) {
        let zones = context.zones
        let floating = context.floating
        let start = event.start
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
            func number(_ r: Range<Int>) -> Int { b[r].reduce(0) { $0 * 10 + Int($1 - 48) } }
            let date = ICalDate(year: number(0..<4), month: number(4..<6), day: number(6..<8))
            if b.count == 8 {
                untilDate = date
            } else {
                let l = LocalDateTime(date: date, hour: number(9..<11), minute: number(11..<13), second: number(13..<15))
                let until: ICalDateTime = value.hasSuffix("Z") ? .utc(l) : Self.rebase(start, local: l)
                if start.isDate {
                    untilDate = try context.allDayDate(until)
                } else {
                    untilInstant = try zones.instant(of: until, floatingZone: floating)
                }
            }
        }
        var count: Int?
        if let i = parts.firstIndex(where: { $0.uppercased().hasPrefix("COUNT=") }) { count = Int(parts[i].dropFirst(6)) }
        let rule = icalrecurrencetype_from_string(parts.joined(separator: ";"))
        if rule.freq == ICAL_NO_RECURRENCE {
            throw ICalError(
                .malformed, "the RRULE \"\(ruleText.prefix(80))\" of the event with UID \"\(event.uid.prefix(60))\" is not a valid recurrence rule")
        }
        // DATE starts iterate as floating midnight: libical 3.0.16 steps WEEKLY rules on a DATE start by 6 days.
        let dtstart = TimeConversion.icalTime(start.local)
        guard let iterator = icalrecur_iterator_new(rule, dtstart) else {
            throw ICalError(.malformed, "libical cannot iterate RRULE \"\(ruleText.prefix(80))\"")
        }
        defer { icalrecur_iterator_free(iterator) }
        var generated = 0
        var startIsInstance = false
        while true {
            let next = icalrecur_iterator_next(iterator)
            if icaltime_is_null_time(next) != 0 { break }
            iterations += 1
            try context.budget.tick()
            if iterations > context.limits.maxIterationsPerEvent {
                throw ICalError(
                    .tooManyOccurrences,
                    "an event's RRULE (UID \"\(event.uid.prefix(60))\") needs more than \(context.limits.maxIterationsPerEvent) steps to reach the window")
            }
            generated += 1
            let local = TimeConversion.local(next)
            if generated == 1 { startIsInstance = local == start.local }
            // DTSTART took the first of COUNT places when the rule itself does not produce it.
            if let count, !startIsInstance, generated >= count { break }
            let value: ICalDateTime = start.isDate ? .date(local.date) : Self.rebase(start, local: local)
            if let untilDate, value.date > untilDate { break }
            let instant = try zones.instant(of: value, floatingZone: floating)
            if let untilInstant, instant > untilInstant { break }
            if instant >= latest { break }
            try add(value, instant)
        }
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
