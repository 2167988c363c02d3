import Foundation

/// One session of a series moved to another wall-clock time in the counselor's zone.
public struct MovedOccurrence: Hashable, Codable, Sendable {
    /// The date the rule gave it (its recurrence id).
    public var originalDate: CalendarDay
    /// Its new date and wall-clock time in the counselor's zone.
    public var newStart: LocalTime
    /// Its new length in minutes; `nil` keeps the series length.
    public var lengthMinutes: Int?

    /// Creates a move.
    public init(originalDate: CalendarDay, newStart: LocalTime, lengthMinutes: Int? = nil) {
        self.originalDate = originalDate
        self.newStart = newStart
        self.lengthMinutes = lengthMinutes
    }
}

/// Changes to single sessions of a series, and an optional early end.
///
/// Kept canonical by `CounselingSeries`: `moved` sorted by original date, `cancelled` sorted,
/// no date in both, every date a date of the rule and before `endedFrom`.
public struct SeriesExceptions: Hashable, Codable, Sendable {
    /// Sessions moved to another time (RECURRENCE-ID overrides in iCalendar).
    public var moved: [MovedOccurrence]
    /// Original dates of cancelled sessions (EXDATE in iCalendar).
    public var cancelled: [CalendarDay]
    /// Sessions whose original date is on or after this day are dropped (the series was ended early).
    public var endedFrom: CalendarDay?

    /// Creates a set of changes.
    public init(moved: [MovedOccurrence] = [], cancelled: [CalendarDay] = [], endedFrom: CalendarDay? = nil) {
        self.moved = moved
        self.cancelled = cancelled
        self.endedFrom = endedFrom
    }

    /// Whether there is no change at all.
    public var isEmpty: Bool {
        moved.isEmpty && cancelled.isEmpty && endedFrom == nil
    }
}

/// A partner's view of one session.
public struct PartnerTime: Hashable, Codable, Sendable {
    /// The partner's IANA zone.
    public var zone: String
    /// The session's start on the partner's clock.
    public var localStart: LocalTime
    /// The partner's UTC offset at the start, in minutes east of UTC.
    public var utcOffsetMinutes: Int
    /// Where the start would be on the partner's clock if the gap between the counselor's and the
    /// partner's clocks were the same as at the series' first session.
    public var usualLocalStart: LocalTime
    /// One sentence when `isShifted`, e.g.
    /// "Partner in Europe/London: 16:00 instead of 17:00 (the clocks change on different dates)".
    public var note: String?

    /// Creates a partner view.
    public init(zone: String, localStart: LocalTime, utcOffsetMinutes: Int, usualLocalStart: LocalTime, note: String?) {
        self.zone = zone
        self.localStart = localStart
        self.utcOffsetMinutes = utcOffsetMinutes
        self.usualLocalStart = usualLocalStart
        self.note = note
    }

    /// Whether the partner's time differs from the usual one because the two zones' clocks changed
    /// on different dates (or in opposite directions). A moved session is compared with its own new time.
    public var isShifted: Bool {
        localStart != usualLocalStart
    }

    /// `"+01:00"`.
    public var utcOffsetText: String {
        formatUTCOffset(seconds: utcOffsetMinutes * 60)
    }
}

/// One concrete session of a series.
public struct SessionOccurrence: Hashable, Codable, Sendable {
    /// The series' id.
    public var seriesID: String
    /// The date the rule gave this session (its recurrence id), in the counselor's zone.
    public var originalDate: CalendarDay
    /// The rule's wall-clock start for this session (the RECURRENCE-ID value with the counselor's TZID).
    public var originalStart: LocalTime
    /// The start instant.
    public var start: Date
    /// The end instant (`start` + length).
    public var end: Date
    /// Length in minutes.
    public var lengthMinutes: Int
    /// The start on the counselor's clock (differs from the planned time only when that time was
    /// skipped by a spring-forward change, which RFC 5545 moves one hour later).
    public var localStart: LocalTime
    /// The end on the counselor's clock.
    public var localEnd: LocalTime
    /// The counselor's UTC offset at the start, in minutes east of UTC.
    public var utcOffsetMinutes: Int
    /// Whether this session was moved away from its rule time.
    public var isMoved: Bool
    /// Each partner zone's view, in `partnerZones` order with repeats removed.
    public var partners: [PartnerTime]

    /// Creates an occurrence.
    public init(
        seriesID: String, originalDate: CalendarDay, originalStart: LocalTime, start: Date, end: Date,
        lengthMinutes: Int, localStart: LocalTime, localEnd: LocalTime, utcOffsetMinutes: Int,
        isMoved: Bool, partners: [PartnerTime]
    ) {
        self.seriesID = seriesID
        self.originalDate = originalDate
        self.originalStart = originalStart
        self.start = start
        self.end = end
        self.lengthMinutes = lengthMinutes
        self.localStart = localStart
        self.localEnd = localEnd
        self.utcOffsetMinutes = utcOffsetMinutes
        self.isMoved = isMoved
        self.partners = partners
    }

    /// Partner zone → whether that partner's time is shifted this time (see `PartnerTime.isShifted`).
    public var partnerTimeShifted: [String: Bool] {
        var result: [String: Bool] = [:]
        for partner in partners { result[partner.zone] = partner.isShifted }
        return result
    }

    /// The sentences of every shifted partner, in partner order.
    public var shiftNotes: [String] {
        partners.compactMap(\.note)
    }
}

/// A recurring remote counseling series with its single-session changes.
///
/// Immutable and always valid: the initializer (and decoding) validate the spec and the changes,
/// and every change returns a new series with `sequence` bumped, as iCalendar's SEQUENCE wants.
public struct CounselingSeries: Hashable, Codable, Sendable {
    /// Storage identifier and iCalendar UID stem.
    public let id: String
    /// The agreed schedule.
    public let spec: CounselingSeriesSpec
    /// Revision number (iCalendar SEQUENCE), 0 for a new series.
    public let sequence: Int
    /// Moves, cancellations and an early end.
    public let exceptions: SeriesExceptions

    /// Validates `spec` and `exceptions` (see `SeriesError`) and sorts the exceptions.
    ///
    /// Throws when a change names a date the rule does not give, a date is changed twice, a session
    /// is moved onto a skipped wall-clock time or with a bad length, a change lies on or after
    /// `endedFrom`, or `endedFrom` would remove every session.
    public init(
        id: String, spec: CounselingSeriesSpec, sequence: Int = 0,
        exceptions: SeriesExceptions = SeriesExceptions()
    ) throws(SeriesError) {
        if id.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { throw .blankField("the series id") }
        if sequence < 0 { throw .invalidSequence(sequence) }
        try spec.validate()
        let zone = ZoneNames.zoneOrUTC(spec.counselorZone)
        let ruleDates = spec.recurrenceDates
        let ruleSet = Set(ruleDates)
        if let endedFrom = exceptions.endedFrom, let first = ruleDates.first, endedFrom <= first {
            throw .endsBeforeFirstSession(endFrom: endedFrom, first: first)
        }
        var seen = Set<CalendarDay>()
        for day in exceptions.moved.map(\.originalDate) + exceptions.cancelled {
            guard ruleSet.contains(day) else { throw .notAnOccurrence(day) }
            guard seen.insert(day).inserted else { throw .conflictingExceptions(day) }
            if let endedFrom = exceptions.endedFrom, day >= endedFrom { throw .afterSeriesEnd(day, endedFrom: endedFrom) }
        }
        for move in exceptions.moved {
            if let length = move.lengthMinutes, !CounselingSeriesSpec.lengthRange.contains(length) {
                throw .lengthOutOfRange(length)
            }
            if !move.newStart.exists(in: zone) { throw .nonexistentLocalTime(move.newStart, zone: spec.counselorZone) }
            if let endedFrom = exceptions.endedFrom, move.newStart.day >= endedFrom {
                throw .afterSeriesEnd(move.newStart.day, endedFrom: endedFrom)
            }
        }
        self.id = id
        self.spec = spec
        self.sequence = sequence
        self.exceptions = SeriesExceptions(
            moved: exceptions.moved.sorted { $0.originalDate < $1.originalDate },
            cancelled: exceptions.cancelled.sorted(),
            endedFrom: exceptions.endedFrom)
    }

    private enum CodingKeys: String, CodingKey { case id, spec, sequence, exceptions }

    /// Decodes and validates; an invalid series is a `DecodingError.dataCorrupted` carrying the `SeriesError` sentence.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let id = try container.decode(String.self, forKey: .id)
        let spec = try container.decode(CounselingSeriesSpec.self, forKey: .spec)
        let sequence = try container.decodeIfPresent(Int.self, forKey: .sequence) ?? 0
        let exceptions = try container.decodeIfPresent(SeriesExceptions.self, forKey: .exceptions) ?? SeriesExceptions()
        do {
            try self.init(id: id, spec: spec, sequence: sequence, exceptions: exceptions)
        } catch {
            throw DecodingError.dataCorrupted(
                DecodingError.Context(
                    codingPath: decoder.codingPath, debugDescription: error.description, underlyingError: error))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(spec, forKey: .spec)
        try container.encode(sequence, forKey: .sequence)
        try container.encode(exceptions, forKey: .exceptions)
    }

    // MARK: - Changes

    /// Moves the session of `originalDate` to `newStart` (counselor's zone), optionally with a new
    /// length. Moving a cancelled session restores it at the new time; moving a session back to its
    /// rule time with no length change removes the move. Bumps `sequence`.
    public func moving(_ originalDate: CalendarDay, to newStart: LocalTime, lengthMinutes: Int? = nil) throws(SeriesError) -> CounselingSeries {
        try checkChangeable(originalDate)
        var changed = exceptions
        changed.cancelled.removeAll { $0 == originalDate }
        changed.moved.removeAll { $0.originalDate == originalDate }
        let unchanged =
            newStart == LocalTime(day: originalDate, time: spec.start.time)
            && (lengthMinutes == nil || lengthMinutes == spec.lengthMinutes)
        if !unchanged {
            changed.moved.append(MovedOccurrence(originalDate: originalDate, newStart: newStart, lengthMinutes: lengthMinutes))
        }
        return try CounselingSeries(id: id, spec: spec, sequence: sequence + 1, exceptions: changed)
    }

    /// Cancels the session of `originalDate` (dropping any move of it). Bumps `sequence`.
    public func cancelling(_ originalDate: CalendarDay) throws(SeriesError) -> CounselingSeries {
        try checkChangeable(originalDate)
        var changed = exceptions
        changed.moved.removeAll { $0.originalDate == originalDate }
        changed.cancelled.removeAll { $0 == originalDate }
        changed.cancelled.append(originalDate)
        return try CounselingSeries(id: id, spec: spec, sequence: sequence + 1, exceptions: changed)
    }

    /// Undoes a move or cancellation of the session of `originalDate`. Bumps `sequence`.
    public func restoring(_ originalDate: CalendarDay) throws(SeriesError) -> CounselingSeries {
        try checkChangeable(originalDate)
        var changed = exceptions
        changed.moved.removeAll { $0.originalDate == originalDate }
        changed.cancelled.removeAll { $0 == originalDate }
        return try CounselingSeries(id: id, spec: spec, sequence: sequence + 1, exceptions: changed)
    }

    /// Ends the series early: sessions whose original date is on or after `day` are dropped, and a
    /// kept session that was moved onto or after `day` becomes a cancellation (so no session remains
    /// on or after `day`). `nil` lifts an early end (changes dropped by it stay dropped). Bumps `sequence`.
    public func ending(from day: CalendarDay?) throws(SeriesError) -> CounselingSeries {
        var changed = exceptions
        changed.endedFrom = day
        if let day {
            changed.cancelled.removeAll { $0 >= day }
            let movedAway = changed.moved.filter { $0.originalDate < day && $0.newStart.day >= day }.map(\.originalDate)
            changed.moved.removeAll { $0.originalDate >= day || $0.newStart.day >= day }
            changed.cancelled.append(contentsOf: movedAway)
        }
        return try CounselingSeries(id: id, spec: spec, sequence: sequence + 1, exceptions: changed)
    }

    private func checkChangeable(_ originalDate: CalendarDay) throws(SeriesError) {
        if let endedFrom = exceptions.endedFrom, originalDate >= endedFrom {
            throw .afterSeriesEnd(originalDate, endedFrom: endedFrom)
        }
        guard spec.recurrenceDates.contains(originalDate) else { throw .notAnOccurrence(originalDate) }
    }

    // MARK: - Occurrences

    /// The rule's dates that survive the early end (cancelled and moved ones included), ascending.
    public var recurrenceDates: [CalendarDay] {
        let dates = spec.recurrenceDates
        guard let endedFrom = exceptions.endedFrom else { return dates }
        return dates.filter { $0 < endedFrom }
    }

    /// Every session, sorted by start instant (then original date).
    public func occurrences() -> [SessionOccurrence] {
        let zone = ZoneNames.zoneOrUTC(spec.counselorZone)
        var partnerZones: [(name: String, zone: TimeZone)] = []
        for name in spec.partnerZones where !partnerZones.contains(where: { $0.name == name }) {
            partnerZones.append((name, ZoneNames.zoneOrUTC(name)))
        }
        // The gap between the counselor's and each partner's clock at the first session is "usual".
        let reference = spec.start.instant(in: zone)
        let referenceOffset = zone.secondsFromGMT(for: reference)
        let usualDifference = partnerZones.map { $0.zone.secondsFromGMT(for: reference) - referenceOffset }

        let cancelled = Set(exceptions.cancelled)
        var moves: [CalendarDay: MovedOccurrence] = [:]
        for move in exceptions.moved { moves[move.originalDate] = move }

        var result: [SessionOccurrence] = []
        for date in recurrenceDates where !cancelled.contains(date) {
            let originalStart = LocalTime(day: date, time: spec.start.time)
            let move = moves[date]
            let planned = move?.newStart ?? originalStart
            let length = move?.lengthMinutes ?? spec.lengthMinutes
            let start = planned.instant(in: zone)
            let end = start.addingTimeInterval(TimeInterval(length * 60))
            let offset = zone.secondsFromGMT(for: start)
            let localStart = LocalTime(start, in: zone)
            var partners: [PartnerTime] = []
            for (index, partner) in partnerZones.enumerated() {
                let partnerOffset = partner.zone.secondsFromGMT(for: start)
                let actual = LocalTime(start, in: partner.zone)
                let usual = localStart.adding(minutes: CalendarDay.floorDiv(usualDifference[index], 60))
                var note: String?
                if actual != usual {
                    note = Self.shiftNote(
                        partnerZone: partner.name, partner: partner.zone, actual: actual, usual: usual,
                        counselorZone: spec.counselorZone, counselor: zone, year: localStart.day.year)
                }
                partners.append(
                    PartnerTime(
                        zone: partner.name, localStart: actual, utcOffsetMinutes: partnerOffset / 60,
                        usualLocalStart: usual, note: note))
            }
            result.append(
                SessionOccurrence(
                    seriesID: id, originalDate: date, originalStart: originalStart, start: start, end: end,
                    lengthMinutes: length, localStart: localStart, localEnd: LocalTime(end, in: zone),
                    utcOffsetMinutes: offset / 60, isMoved: move != nil, partners: partners))
        }
        return result.sorted { ($0.start, $0.originalDate) < ($1.start, $1.originalDate) }
    }

    /// The sessions starting (on the counselor's clock) on a day in `from...to`, sorted by start instant.
    public func occurrences(from: CalendarDay, to: CalendarDay) throws(SeriesError) -> [SessionOccurrence] {
        guard from <= to else { throw .invalidRange(from: from, to: to) }
        return occurrences().filter { from <= $0.localStart.day && $0.localStart.day <= to }
    }

    /// The sentence for a partner whose clock shows `actual` instead of `usual`.
    static func shiftNote(
        partnerZone: String, partner: TimeZone, actual: LocalTime, usual: LocalTime,
        counselorZone: String, counselor: TimeZone, year: Int
    ) -> String {
        let shown = actual.day == usual.day ? actual.time.description : actual.description
        let instead = actual.day == usual.day ? usual.time.description : usual.description
        let counselorChanges = observesClockChanges(counselor, year: year)
        let partnerChanges = observesClockChanges(partner, year: year)
        let why: String
        switch (counselorChanges, partnerChanges) {
        case (true, true): why = "the clocks change on different dates"
        case (true, false): why = "the clocks change in \(counselorZone) but not in \(partnerZone)"
        case (false, true): why = "the clocks change in \(partnerZone) but not in \(counselorZone)"
        case (false, false): why = "a UTC offset changed"
        }
        return "Partner in \(partnerZone): \(shown) instead of \(instead) (\(why))"
    }

    /// Whether `zone` has different UTC offsets in mid-January and mid-July of `year`.
    static func observesClockChanges(_ zone: TimeZone, year: Int) -> Bool {
        guard let january = CalendarDay(year: year, month: 1, day: 15),
            let july = CalendarDay(year: year, month: 7, day: 15)
        else { return false }
        let instant = { (day: CalendarDay) in Date(timeIntervalSince1970: TimeInterval(day.daysSinceEpoch * 86_400 + 43_200)) }
        return zone.secondsFromGMT(for: instant(january)) != zone.secondsFromGMT(for: instant(july))
    }

    // MARK: - iCalendar

    /// The RRULE for the master VEVENT (DTSTART = `spec.start` with TZID = `spec.counselorZone`),
    /// including the early end: "FREQ=WEEKLY;INTERVAL=2;COUNT=10", "FREQ=MONTHLY;BYDAY=2TU;UNTIL=20270701T035959Z".
    /// An early end (or an `.until` end) becomes UNTIL = the last second, in UTC, of the last kept day
    /// in the counselor's zone; COUNT and UNTIL never appear together.
    public var rruleText: String {
        guard let endedFrom = exceptions.endedFrom, let last = spec.recurrenceDates.last, endedFrom <= last else {
            return spec.rruleText
        }
        return spec.rruleBase + ";UNTIL="
            + CounselingSeriesSpec.untilText(
                lastDay: endedFrom.adding(days: -1), zone: ZoneNames.zoneOrUTC(spec.counselorZone))
    }

    /// EXDATE values (wall-clock, TZID = `spec.counselorZone`) of the cancelled sessions, ascending.
    public var exceptionDates: [LocalTime] {
        exceptions.cancelled.map { LocalTime(day: $0, time: spec.start.time) }
    }
}

/// A session a partner would attend outside the hours the practice accepts on their clock.
public struct PartnerWindowMiss: Hashable, Sendable {
    /// The session.
    public var session: SessionOccurrence
    /// The partner's zone.
    public var zone: String
    /// Start and end on the partner's clock.
    public var localStart: LocalTime
    public var localEnd: LocalTime

    /// One sentence, e.g. "2027-03-08 12:00: 05:00-05:50 in Asia/Tokyo, outside 07:00-22:00".
    public func message(window: WorkingPeriod) -> String {
        "\(session.originalDate) \(session.localStart.time): \(localStart.time)-\(localEnd.time)\(localEnd.day != localStart.day ? " (+1 day)" : "") in \(zone), outside \(window)"
    }
}

extension CounselingSeries {
    /// Sessions that start after `latest` (the end of the booking horizon), in order.
    public func sessions(startingAfter latest: Date) -> [SessionOccurrence] {
        occurrences().filter { $0.start > latest }
    }

    /// Sessions that some partner would attend outside `window` on their own clock (start before its start,
    /// end after its end, or across midnight), in order.
    public func sessionsOutside(partnerWindow window: WorkingPeriod) -> [PartnerWindowMiss] {
        var misses: [PartnerWindowMiss] = []
        for session in occurrences() {
            for partner in session.partners {
                guard let zone = ZoneNames.zone(partner.zone) else { continue }
                let start = LocalTime(session.start, in: zone)
                let end = LocalTime(session.end, in: zone)
                let inside = start.day == end.day && start.time >= window.start && end.time <= window.end
                if !inside { misses.append(PartnerWindowMiss(session: session, zone: partner.zone, localStart: start, localEnd: end)) }
            }
        }
        return misses
    }
}
