import Foundation

/// Why a session cannot take place at a time, in reporting order.
public enum SessionConflictReason: String, Hashable, Codable, Sendable, Comparable, CaseIterable {
    /// The session starts before now.
    case past
    /// The session does not lie inside one of the counselor's working periods of that weekday.
    case outsideWorkingHours
    /// The counselor runs an intensive that day.
    case intensiveDay
    /// The day is a turnover day after one of the counselor's intensives.
    case turnoverDay
    /// The day is blacked out for the counselor (or for everyone).
    case blackout
    /// The session overlaps another session of the counselor.
    case overlap
    /// The session is closer to another session than the buffer allows.
    case buffer

    private var order: Int {
        SessionConflictReason.allCases.firstIndex(of: self) ?? 0
    }

    public static func < (lhs: SessionConflictReason, rhs: SessionConflictReason) -> Bool {
        lhs.order < rhs.order
    }
}

/// One reason a session cannot take place, with a one-line message naming the date and time
/// (never a couple's name), e.g. "2027-03-10 12:00-12:50 overlaps another session on 2027-03-10 12:30-13:20".
public struct SessionConflict: Hashable, Codable, Sendable {
    /// The reason.
    public var reason: SessionConflictReason
    /// The message.
    public var message: String

    /// Creates a conflict.
    public init(reason: SessionConflictReason, message: String) {
        self.reason = reason
        self.message = message
    }
}

/// A session of a proposed series that cannot take place, with every reason.
public struct SessionCollision: Hashable, Codable, Sendable {
    /// The session's original (rule) date.
    public var originalDate: CalendarDay
    /// Its start on the counselor's clock.
    public var localStart: LocalTime
    /// Its start instant.
    public var start: Date
    /// Its end instant.
    public var end: Date
    /// Every reason, sorted by reason order (then message).
    public var conflicts: [SessionConflict]

    /// Creates a collision.
    public init(originalDate: CalendarDay, localStart: LocalTime, start: Date, end: Date, conflicts: [SessionConflict]) {
        self.originalDate = originalDate
        self.localStart = localStart
        self.start = start
        self.end = end
        self.conflicts = conflicts
    }

    /// The reasons alone.
    public var reasons: [SessionConflictReason] {
        conflicts.map(\.reason)
    }
}

/// Pure availability of one counselor for remote sessions, over one snapshot of their working hours,
/// existing series, intensive and turnover days, blackouts and the current instant.
///
/// Days (intensive, turnover, blackout) are compared with the session's date on the counselor's clock.
/// A session must lie inside one working period of its weekday, start at or after `now`, avoid those
/// days, and keep `bufferMinutes` clear of every other session of the counselor.
public struct SessionPlanner: Sendable {
    /// Most days `freeStarts` covers in one call.
    public static let maximumRangeDays = 366

    struct Busy: Sendable {
        let start: Date
        let end: Date
        let localStart: LocalTime
        let localEnd: LocalTime
        let seriesID: String
        let originalDate: CalendarDay
    }

    /// The counselor.
    public let counselor: CounselorProfile
    /// The current instant.
    public let now: Date
    /// Today on the counselor's clock.
    public let today: CalendarDay
    /// Minutes that must stay free between two sessions.
    public let bufferMinutes: Int

    let zone: TimeZone
    let intensiveDays: Set<CalendarDay>
    let turnoverDays: Set<CalendarDay>
    /// Non-empty blackouts applying to the counselor, sorted by (from, to, reason).
    let blackouts: [Blackout]
    /// Sessions of the counselor's existing series, sorted by (start, series id, original date).
    let busy: [Busy]
    let buffer: TimeInterval
    /// Longest session (seconds), to bound overlap searches.
    static let longestSession = TimeInterval(CounselingSeriesSpec.lengthRange.upperBound * 60)

    /// Indexes a snapshot. `existing` may hold every series of the practice: only those whose
    /// `spec.counselor` is `counselor.name` count. `intensiveDays` and `turnoverDays` are the
    /// counselor's days (on which no session may take place); blackouts not applying to the
    /// counselor are ignored.
    public init(
        counselor: CounselorProfile, existing: [CounselingSeries], intensiveDays: Set<CalendarDay>,
        turnoverDays: Set<CalendarDay> = [], blackouts: [Blackout] = [], now: Date,
        bufferMinutes: Int = 10
    ) throws(SeriesError) {
        try counselor.validate()
        guard (0...240).contains(bufferMinutes) else { throw .invalidBuffer(bufferMinutes) }
        self.counselor = counselor
        self.now = now
        self.bufferMinutes = bufferMinutes
        self.buffer = TimeInterval(bufferMinutes * 60)
        let zone = ZoneNames.zoneOrUTC(counselor.timeZoneIdentifier)
        self.zone = zone
        self.today = CalendarDay.today(at: now, in: zone)
        self.intensiveDays = intensiveDays
        self.turnoverDays = turnoverDays
        self.blackouts =
            blackouts
            .filter { $0.from <= $0.to && $0.applies(to: counselor.name) }
            .sorted { ($0.from, $0.to, $0.reason ?? "") < ($1.from, $1.to, $1.reason ?? "") }
        var busy: [Busy] = []
        for series in existing where series.spec.counselor == counselor.name {
            for occurrence in series.occurrences() {
                busy.append(
                    Busy(
                        start: occurrence.start, end: occurrence.end,
                        localStart: LocalTime(occurrence.start, in: zone), localEnd: LocalTime(occurrence.end, in: zone),
                        seriesID: series.id, originalDate: occurrence.originalDate))
            }
        }
        self.busy = busy.sorted { ($0.start, $0.seriesID, $0.originalDate) < ($1.start, $1.seriesID, $1.originalDate) }
    }

    /// Like the main initializer, taking the counselor's intensive and turnover days from `occupancies`
    /// (live ones whose resource is `counselor.name`), each expanded with the span stored with it.
    public init(
        settings: PracticeSettings, counselor: CounselorProfile, existing: [CounselingSeries],
        occupancies: [Occupancy], blackouts: [Blackout] = [], now: Date, bufferMinutes: Int = 10
    ) throws(SeriesError) {
        var intensive = Set<CalendarDay>(), turnover = Set<CalendarDay>()
        for occupancy in occupancies where occupancy.status.isLive && occupancy.resource == counselor.name {
            let days = occupancy.occupiedDays
            let count = max(1, occupancy.intensiveDays)
            intensive.formUnion(days.prefix(count))
            turnover.formUnion(days.dropFirst(count))
        }
        try self.init(
            counselor: counselor, existing: existing, intensiveDays: intensive, turnoverDays: turnover,
            blackouts: blackouts, now: now, bufferMinutes: bufferMinutes)
    }

    // MARK: - Free starts

    /// Every wall-clock start (counselor's clock) on a day in `from...to` at which a session of
    /// `lengthMinutes` is free: inside one working period, not before `now`, not on an intensive,
    /// turnover or whole-day blackout day, not overlapping a timed blackout, and at least `bufferMinutes`
    /// from every existing session.
    /// Candidates are multiples of `stepMinutes` after midnight (":00, :15, :30, :45" by default);
    /// times skipped by a spring-forward change are left out. Sorted ascending.
    public func freeStarts(lengthMinutes: Int, from: CalendarDay, to: CalendarDay, stepMinutes: Int = 15) throws(SeriesError) -> [LocalTime] {
        guard CounselingSeriesSpec.lengthRange.contains(lengthMinutes) else { throw .lengthOutOfRange(lengthMinutes) }
        guard (5...240).contains(stepMinutes) else { throw .invalidStep(stepMinutes) }
        guard from <= to else { throw .invalidRange(from: from, to: to) }
        let days = from.days(until: to) + 1
        guard days <= Self.maximumRangeDays else { throw .rangeTooLong(days: days, limit: Self.maximumRangeDays) }

        var result: [LocalTime] = []
        for offset in 0..<days {
            let day = from.adding(days: offset)
            if intensiveDays.contains(day) || turnoverDays.contains(day) || !blackoutsCovering([day]).isEmpty { continue }
            let timed = blackouts.filter(\.isTimed)
            for period in counselor.hours.periods(on: day.weekday) {
                var minute = (period.start.minutes + stepMinutes - 1) / stepMinutes * stepMinutes
                while minute + lengthMinutes <= period.end.minutes {
                    defer { minute += stepMinutes }
                    let local = LocalTime(day: day, time: ClockTime(uncheckedMinutes: minute))
                    let start: Date
                    switch local.resolve(in: zone) {
                    case .skipped: continue
                    case .unique(let instant), .repeated(let instant, _): start = instant
                    }
                    if start < now { continue }
                    let end = start.addingTimeInterval(TimeInterval(lengthMinutes * 60))
                    let localEnd = LocalTime(end, in: zone)
                    guard localEnd.day == day, localEnd.time <= period.end else { continue }
                    if firstBusyConflict(start: start, end: end) { continue }
                    if timed.contains(where: { $0.overlaps(start: start, end: end) }) { continue }
                    result.append(local)
                }
            }
        }
        return result
    }

    // MARK: - Conflicts

    /// Every reason a session from `start` (counselor's clock) lasting `lengthMinutes` cannot take
    /// place; empty when it can. Sessions of series `ignoringSeries` are not counted (for a reschedule).
    public func conflicts(at start: LocalTime, lengthMinutes: Int, ignoringSeries: String? = nil) -> [SessionConflict] {
        let startInstant = start.instant(in: zone)
        let endInstant = startInstant.addingTimeInterval(TimeInterval(lengthMinutes * 60))
        return conflicts(start: startInstant, end: endInstant, ignoringSeries: ignoringSeries, siblings: [], originalDate: nil)
    }

    /// Every session of the proposed `spec` that cannot take place, with all its reasons, sorted by start.
    /// Throws if the spec is invalid or is for another counselor.
    public func collisions(for spec: CounselingSeriesSpec) throws(SeriesError) -> [SessionCollision] {
        let series = try CounselingSeries(id: "proposed", spec: spec)
        return try collisions(for: series, ignoringOwnSessions: false)
    }

    /// Every session of `series` that cannot take place, with all its reasons, sorted by start. The
    /// existing sessions of the same series id are ignored (the series may be an edited version of
    /// one already stored); its own sessions are checked against each other. Throws if the series
    /// is for another counselor.
    public func collisions(for series: CounselingSeries) throws(SeriesError) -> [SessionCollision] {
        try collisions(for: series, ignoringOwnSessions: true)
    }

    private func collisions(for series: CounselingSeries, ignoringOwnSessions: Bool) throws(SeriesError) -> [SessionCollision] {
        guard series.spec.counselor == counselor.name else {
            throw .counselorMismatch(series: series.spec.counselor, planner: counselor.name)
        }
        let sessions = series.occurrences()
        let siblings = sessions.map {
            Busy(
                start: $0.start, end: $0.end, localStart: LocalTime($0.start, in: zone), localEnd: LocalTime($0.end, in: zone),
                seriesID: series.id, originalDate: $0.originalDate)
        }
        var result: [SessionCollision] = []
        for session in sessions {
            let found = conflicts(
                start: session.start, end: session.end,
                ignoringSeries: ignoringOwnSessions ? series.id : nil,
                siblings: siblings, originalDate: session.originalDate)
            if !found.isEmpty {
                result.append(
                    SessionCollision(
                        originalDate: session.originalDate, localStart: LocalTime(session.start, in: zone),
                        start: session.start, end: session.end, conflicts: found))
            }
        }
        return result
    }

    /// The checks behind `conflicts(at:)` and `collisions(for:)`. `siblings` are the other sessions
    /// of the proposed series (the one of `originalDate` is skipped).
    private func conflicts(
        start: Date, end: Date, ignoringSeries: String?, siblings: [Busy],
        originalDate: CalendarDay?
    ) -> [SessionConflict] {
        let localStart = LocalTime(start, in: zone)
        let localEnd = LocalTime(end, in: zone)
        let when = "\(localStart.day) \(localStart.time)-\(localEnd.day == localStart.day ? localEnd.time.description : localEnd.description)"
        var result: [SessionConflict] = []

        if start < now {
            result.append(
                SessionConflict(reason: .past, message: "\(when) is in the past (it is now \(LocalTime(now, in: zone)) in \(counselor.timeZoneIdentifier))"))
        }

        let weekday = localStart.day.weekday
        let endMinutes = localEnd.day == localStart.day ? localEnd.time.minutes : 1440 * localStart.day.days(until: localEnd.day) + localEnd.time.minutes
        if !counselor.hours.contains(weekday: weekday, startMinutes: localStart.time.minutes, endMinutes: endMinutes) {
            let periods = counselor.hours.periods(on: weekday)
            let hours = periods.isEmpty ? "no working hours on \(weekday.name)" : "\(weekday.name) hours \(periods.map(\.description).joined(separator: ", "))"
            result.append(SessionConflict(reason: .outsideWorkingHours, message: "\(when) is outside the counselor's working hours (\(hours))"))
        }

        let days = localStart.day == localEnd.day ? [localStart.day] : [localStart.day, localEnd.day]
        for day in days where intensiveDays.contains(day) {
            result.append(SessionConflict(reason: .intensiveDay, message: "\(when) is on \(day), when the counselor runs an intensive"))
        }
        for day in days where turnoverDays.contains(day) {
            result.append(SessionConflict(reason: .turnoverDay, message: "\(when) is on \(day), a turnover day after one of the counselor's intensives"))
        }
        let covering = blackoutsCovering(days) + blackouts.filter { $0.overlaps(start: start, end: end) }
        if !covering.isEmpty {
            let spans = covering.map { blackout -> String in
                var span = blackout.from == blackout.to ? "\(blackout.from)" : "\(blackout.from) to \(blackout.to)"
                if let s = blackout.startsAt, let e = blackout.endsAt {
                    span = "\(LocalTime(s, in: zone)) to \(LocalTime(e, in: zone).time)"
                }
                let reason = blackout.reason?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
                return reason.isEmpty ? span : "\(span): \(reason)"
            }
            result.append(SessionConflict(reason: .blackout, message: "\(when) falls in a blackout (\(spans.joined(separator: "; ")))"))
        }

        var others: [(Busy, String)] = []
        forEachBusy(near: start, end: end) { other in
            if other.seriesID != ignoringSeries { others.append((other, "another session")) }
        }
        for other in siblings
        where other.originalDate != originalDate
            && other.start < end.addingTimeInterval(buffer) && start < other.end.addingTimeInterval(buffer)
        {
            others.append((other, "another session of this series"))
        }
        for (other, label) in others {
            let otherWhen =
                "\(other.localStart.day) \(other.localStart.time)-\(other.localEnd.day == other.localStart.day ? other.localEnd.time.description : other.localEnd.description)"
            if other.start < end && start < other.end {
                result.append(SessionConflict(reason: .overlap, message: "\(when) overlaps \(label) on \(otherWhen)"))
            } else {
                result.append(SessionConflict(reason: .buffer, message: "\(when) is less than \(bufferMinutes) minutes from \(label) on \(otherWhen)"))
            }
        }
        return result.sorted { ($0.reason, $0.message) < ($1.reason, $1.message) }
    }

    /// Blackouts (for the counselor) covering any of `days`, in sorted order.
    private func blackoutsCovering(_ days: [CalendarDay]) -> [Blackout] {
        blackouts.filter { blackout in days.contains { blackout.covers($0) } }
    }

    /// Whether any existing session lies within the buffer of `start..<end`.
    private func firstBusyConflict(start: Date, end: Date) -> Bool {
        var found = false
        forEachBusy(near: start, end: end) { _ in found = true }
        return found
    }

    /// Calls `body` for each existing session closer than the buffer to `start..<end` (or overlapping it), in order.
    private func forEachBusy(near start: Date, end: Date, _ body: (Busy) -> Void) {
        let earliest = start.addingTimeInterval(-buffer - Self.longestSession)
        var low = 0, high = busy.count
        while low < high {
            let mid = (low + high) / 2
            if busy[mid].start < earliest { low = mid + 1 } else { high = mid }
        }
        let limit = end.addingTimeInterval(buffer)
        var index = low
        while index < busy.count, busy[index].start < limit {
            let other = busy[index]
            if start < other.end.addingTimeInterval(buffer) { body(other) }
            index += 1
        }
    }
}
