import Foundation

/// Why an intensive cannot start on a given day, in reporting order.
public enum Rejection: String, Hashable, Codable, Sendable, Comparable, CaseIterable {
    /// The start is before today.
    case past
    /// The start is within the minimum notice period.
    case notice
    /// The start is beyond the booking horizon.
    case horizon
    /// Intensives may not start on this weekday.
    case weekday
    /// An intensive day falls in a blackout.
    case blackout
    /// An intensive day is an intensive day of a confirmed booking.
    case booked
    /// An intensive day is an intensive day of a held booking.
    case held
    /// The intensive or its turnover collides with another booking's turnover, or its turnover with another booking.
    case turnover
    /// An intensive day falls outside the working hours of the resource's counselor.
    case hours
    /// The resource is not in the practice settings.
    case unknownResource

    private var order: Int {
        Rejection.allCases.firstIndex(of: self) ?? 0
    }

    public static func < (lhs: Rejection, rhs: Rejection) -> Bool {
        lhs.order < rhs.order
    }
}

/// One reason a start is rejected, with the offending days and a one-sentence message
/// (never containing a couple's name or booking identifier).
public struct RejectionDetail: Hashable, Codable, Sendable {
    /// The reason.
    public var reason: Rejection
    /// The resource concerned; `nil` for reasons about the date itself (past, notice, horizon, weekday).
    public var resource: String?
    /// The offending days, sorted.
    public var days: [CalendarDay]
    /// One sentence, e.g. "2027-03-02 is booked on practice".
    public var message: String

    /// Creates a detail.
    public init(reason: Rejection, resource: String?, days: [CalendarDay], message: String) {
        self.reason = reason
        self.resource = resource
        self.days = days
        self.message = message
    }
}

/// A bookable intensive: `start...end` (intensive days only, turnover excluded) on `resource`.
public struct Slot: Hashable, Codable, Sendable {
    /// First intensive day.
    public var start: CalendarDay
    /// Last intensive day, inclusive.
    public var end: CalendarDay
    /// The resource.
    public var resource: String

    /// Creates a slot.
    public init(start: CalendarDay, end: CalendarDay, resource: String) {
        self.start = start
        self.end = end
        self.resource = resource
    }
}

/// Why `Scheduler.allocate` found no resource: every rejection, date-level ones first, then per resource in settings order.
public struct AllocationFailure: Error, Hashable, Sendable {
    /// The rejections.
    public var rejections: [RejectionDetail]

    /// Creates a failure.
    public init(rejections: [RejectionDetail]) {
        self.rejections = rejections
    }
}

/// State of one day on one resource, for a month grid.
public enum DayState: String, Codable, Sendable {
    /// An intensive day of a confirmed booking.
    case booked
    /// An intensive day of a held booking.
    case held
    /// A turnover day of a live booking.
    case turnover
    /// Blacked out for this resource.
    case blackout
    /// Free, and an intensive may start on it.
    case free
    /// Free, but no intensive may start on it (notice, horizon, weekday, or the intensive would collide).
    case unavailableStart

    /// Whether nothing occupies the day (`.free` or `.unavailableStart`).
    public var isFree: Bool {
        self == .free || self == .unavailableStart
    }
}

/// Pure availability engine over one snapshot of settings, today, occupancies and blackouts.
///
/// Build once per query. Live occupancies are indexed per resource sorted by start, and blackouts
/// as merged day intervals per resource, so single-day checks are O(log n) and `availability` is
/// linear in the range length plus the number of bookings and blackouts.
///
/// The scheduler assumes validated settings; it clamps `intensiveDays` to at least 1 and
/// `turnoverDays`/`minimumNoticeDays` to at least 0 rather than trapping. Occupancies and
/// blackouts naming unknown resources are ignored.
public struct Scheduler: Sendable {
    struct IndexedBooking: Sendable {
        let start: Int
        /// Last intensive day (day number), from the booking's stored span.
        let intensiveEnd: Int
        /// Last occupied day (turnover included), from the booking's stored span.
        let occupiedEnd: Int
        let confirmed: Bool
        let id: String
    }

    /// The settings in force.
    public let settings: PracticeSettings
    /// Today in the practice time zone.
    public let today: CalendarDay

    let intensiveLength: Int
    let turnoverLength: Int
    let occupiedLength: Int
    let noticeDays: Int
    let earliestStart: Int
    let latestStart: Int
    let resourceNames: [String]
    let resourceIndex: [String: Int]
    /// Live bookings per resource, sorted by (start, id).
    let bookings: [[IndexedBooking]]
    /// The longest occupied span (days) of any live booking or of a new one: bounds the binary searches.
    let longestSpan: Int
    /// Merged blackout intervals (daysSinceEpoch) per resource, sorted.
    let blackoutIntervals: [[ClosedRange<Int>]]
    /// Non-empty blackouts, sorted by (from, to, reason), for messages.
    let blackouts: [Blackout]
    /// Counselors' working hours by resource index (nil: no hours configured, every day workable).
    let counselors: [CounselorProfile?]
    /// For a counselor on the practice's own clock: whether each weekday (index `rawValue - 1`) covers the
    /// intensive day's hours; nil when the clocks differ and each day must be converted.
    let workableWeekdays: [[Bool]?]

    /// Indexes `occupancies` and `blackouts` for queries relative to `today`. An intensive day on a resource
    /// whose counselor is in `counselors` must fall inside that counselor's working hours (day start to day end,
    /// read on the counselor's clock); resources without a profile have no such limit.
    public init(
        settings: PracticeSettings, today: CalendarDay, occupancies: [Occupancy], blackouts: [Blackout], counselors: [CounselorProfile] = []
    ) {
        self.settings = settings
        self.today = today
        intensiveLength = max(1, settings.intensiveDays)
        turnoverLength = max(0, settings.turnoverDays)
        occupiedLength = intensiveLength + turnoverLength
        noticeDays = max(0, settings.minimumNoticeDays)
        earliestStart = today.daysSinceEpoch + noticeDays
        latestStart = today.adding(months: settings.horizonMonths).daysSinceEpoch

        var names: [String] = []
        var index: [String: Int] = [:]
        for name in settings.resources where index[name] == nil {
            index[name] = names.count
            names.append(name)
        }
        resourceNames = names
        resourceIndex = index
        self.counselors = names.map { name in counselors.first { $0.name == name } }
        workableWeekdays = self.counselors.map { counselor in
            guard let counselor, counselor.timeZoneIdentifier == settings.timeZoneIdentifier else { return nil }
            return Weekday.allCases.sorted().map {
                counselor.hours.contains(weekday: $0, startMinutes: settings.dayStart.minutes, endMinutes: settings.dayEnd.minutes)
            }
        }

        var perResource = Array(repeating: [IndexedBooking](), count: names.count)
        var longest = intensiveLength + turnoverLength
        for occupancy in occupancies where occupancy.status.isLive {
            guard let r = index[occupancy.resource] else { continue }
            // Each booking occupies the span stored with it, not the one the settings give today.
            let start = occupancy.start.daysSinceEpoch
            let intensive = max(1, occupancy.intensiveDays)
            let span = intensive + max(0, occupancy.turnoverDays)
            longest = max(longest, span)
            perResource[r].append(
                IndexedBooking(
                    start: start, intensiveEnd: start + intensive - 1, occupiedEnd: start + span - 1,
                    confirmed: occupancy.status == .confirmed, id: occupancy.bookingID))
        }
        longestSpan = longest
        bookings = perResource.map { list in
            list.sorted { ($0.start, $0.id) < ($1.start, $1.id) }
        }

        let usable = blackouts.filter { $0.from <= $0.to }
        self.blackouts = usable.sorted {
            ($0.from, $0.to, $0.reason ?? "", $0.resource ?? "") < ($1.from, $1.to, $1.reason ?? "", $1.resource ?? "")
        }
        var rawIntervals = Array(repeating: [ClosedRange<Int>](), count: names.count)
        let hours = SessionHours(settings: settings)
        for blackout in usable {
            // Whole days block their range; a timed blackout blocks the days whose session hours it overlaps.
            let intervals =
                blackout.isTimed
                ? blackout.intensiveDays(hours).map { $0.daysSinceEpoch...$0.daysSinceEpoch }
                : [blackout.from.daysSinceEpoch...blackout.to.daysSinceEpoch]
            if let name = blackout.resource {
                if let r = index[name] { rawIntervals[r].append(contentsOf: intervals) }
            } else {
                for r in names.indices { rawIntervals[r].append(contentsOf: intervals) }
            }
        }
        blackoutIntervals = rawIntervals.map(Scheduler.merge)
    }

    // MARK: - Day sets

    /// The `intensiveDays` days an intensive starting at `start` uses (turnover excluded).
    public func intensiveDays(startingOn start: CalendarDay) -> [CalendarDay] {
        (0..<intensiveLength).map { start.adding(days: $0) }
    }

    /// The turnover days that follow an intensive starting at `start`.
    public func turnoverDays(startingOn start: CalendarDay) -> [CalendarDay] {
        (intensiveLength..<occupiedLength).map { start.adding(days: $0) }
    }

    /// Every day an intensive starting at `start` blocks: its intensive days, then its turnover days.
    public func occupiedDays(startingOn start: CalendarDay) -> [CalendarDay] {
        (0..<occupiedLength).map { start.adding(days: $0) }
    }

    // MARK: - Rejections

    /// Every reason an intensive cannot start on `start` on `resource`; empty means it can.
    ///
    /// Each reason appears once, sorted by `Rejection` order. `ignoring` excludes one booking
    /// (for a reschedule, so a booking may overlap its own old dates).
    public func rejections(start: CalendarDay, resource: String, ignoring bookingID: String? = nil) -> [RejectionDetail] {
        var result = dateRejections(start: start)
        guard let r = resourceIndex[resource] else {
            result.append(
                RejectionDetail(
                    reason: .unknownResource, resource: resource, days: [],
                    message: "unknown resource \"\(resource)\"; the practice's resources are \(resourceNames.joined(separator: ", "))"))
            return result
        }
        let t = start.daysSinceEpoch
        let intensiveEnd = t + intensiveLength - 1
        let occupiedEnd = t + occupiedLength - 1

        // Blackouts: intensive days only.
        var blackoutDays: [Int] = []
        for interval in blackoutIntervals[r] where interval.upperBound >= t && interval.lowerBound <= intensiveEnd {
            blackoutDays.append(contentsOf: max(t, interval.lowerBound)...min(intensiveEnd, interval.upperBound))
        }
        if !blackoutDays.isEmpty {
            let reasons =
                blackouts
                .filter {
                    $0.applies(to: resource) && $0.to.daysSinceEpoch >= t && $0.from.daysSinceEpoch <= intensiveEnd
                        && (!$0.isTimed || $0.intensiveDays(SessionHours(settings: settings)).contains { (t...intensiveEnd).contains($0.daysSinceEpoch) })
                }
                .compactMap { $0.reason?.trimmingCharacters(in: .whitespacesAndNewlines) }
                .filter { !$0.isEmpty }
            var uniqueReasons: [String] = []
            for reason in reasons where !uniqueReasons.contains(reason) { uniqueReasons.append(reason) }
            let days = blackoutDays.sorted().map(CalendarDay.init(daysSinceEpoch:))
            let suffix = uniqueReasons.isEmpty ? "" : " (\(uniqueReasons.joined(separator: "; ")))"
            result.append(
                RejectionDetail(
                    reason: .blackout, resource: resource, days: days,
                    message: "touches blackout \(Scheduler.list(days))\(suffix)"))
        }

        // The counselor's working hours.
        let offDays = (t...intensiveEnd).filter { !isWorkable($0, resource: r) }.map(CalendarDay.init(daysSinceEpoch:))
        if let counselor = counselors[r], !offDays.isEmpty {
            result.append(
                RejectionDetail(
                    reason: .hours, resource: resource, days: offDays,
                    message:
                        "\(Scheduler.list(offDays)) \(offDays.count == 1 ? "is" : "are") outside \(counselor.name)'s working hours (\(counselor.hours)) for a \(settings.dayStart)–\(settings.dayEnd) intensive day"
                ))
        }

        // Other live bookings.
        var booked = Set<Int>(), held = Set<Int>(), turnover = Set<Int>()
        forEachBooking(on: r, overlapping: t...occupiedEnd, ignoring: bookingID) { other in
            let theirIntensive = other.start...other.intensiveEnd
            let theirOccupied = other.start...other.occupiedEnd
            for day in t...occupiedEnd where theirOccupied.contains(day) {
                if day <= intensiveEnd && theirIntensive.contains(day) {
                    if other.confirmed { booked.insert(day) } else { held.insert(day) }
                } else {
                    turnover.insert(day)
                }
            }
        }
        func report(_ reason: Rejection, _ set: Set<Int>, _ one: String, _ many: String, _ rest: String) {
            guard !set.isEmpty else { return }
            let days = set.sorted().map(CalendarDay.init(daysSinceEpoch:))
            result.append(
                RejectionDetail(
                    reason: reason, resource: resource, days: days,
                    message: "\(Scheduler.list(days)) \(days.count == 1 ? one : many) \(rest)"))
        }
        report(.booked, booked, "is", "are", "booked on \(resource)")
        report(.held, held, "is", "are", "held for another couple on \(resource)")
        report(.turnover, turnover, "falls", "fall", "within the \(turnoverLength)-day turnover between bookings on \(resource)")
        return result.sorted { $0.reason < $1.reason }
    }

    /// Rejections that depend only on the date (past, notice, horizon, weekday); `resource` is nil.
    func dateRejections(start: CalendarDay) -> [RejectionDetail] {
        var result: [RejectionDetail] = []
        let t = start.daysSinceEpoch
        if t < today.daysSinceEpoch {
            result.append(
                RejectionDetail(
                    reason: .past, resource: nil, days: [start],
                    message: "\(start) is in the past (today is \(today))"))
        } else if t < earliestStart {
            result.append(
                RejectionDetail(
                    reason: .notice, resource: nil, days: [start],
                    message: "\(start) is within the \(noticeDays)-day minimum notice (earliest start \(CalendarDay(daysSinceEpoch: earliestStart)))"))
        }
        if t > latestStart {
            result.append(
                RejectionDetail(
                    reason: .horizon, resource: nil, days: [start],
                    message: "\(start) is beyond the \(settings.horizonMonths)-month booking horizon (latest start \(CalendarDay(daysSinceEpoch: latestStart)))"
                ))
        }
        if !settings.startWeekdays.contains(start.weekday) {
            let allowed = settings.startWeekdays.sorted().map(\.shortName)
            let tail = allowed.isEmpty ? "no weekday is allowed" : "intensives may start on \(allowed.joined(separator: ", "))"
            result.append(
                RejectionDetail(
                    reason: .weekday, resource: nil, days: [start],
                    message: "starts on a \(start.weekday.name); \(tail)"))
        }
        return result
    }

    // MARK: - Availability

    /// Every free start in `from...to` (clamped to the notice and horizon window), for every resource
    /// or just `resource`, sorted by (start, resource order). An unknown `resource` yields no slots.
    public func availability(from: CalendarDay, to: CalendarDay, resource: String? = nil, ignoring bookingID: String? = nil) -> [Slot] {
        let lo = max(from.daysSinceEpoch, earliestStart)
        let hi = min(to.daysSinceEpoch, latestStart)
        guard lo <= hi else { return [] }
        let targets: [Int]
        if let resource {
            guard let r = resourceIndex[resource] else { return [] }
            targets = [r]
        } else {
            targets = Array(resourceNames.indices)
        }
        let count = hi - lo + 1
        let allowedStart: [Bool] = (0..<count).map { i in
            settings.startWeekdays.contains(CalendarDay(daysSinceEpoch: lo + i).weekday)
        }
        var freeByResource: [[Bool]] = []
        freeByResource.reserveCapacity(targets.count)
        for r in targets {
            freeByResource.append(freeStarts(resource: r, lo: lo, hi: hi, allowedStart: allowedStart, ignoring: bookingID))
        }
        var slots: [Slot] = []
        for i in 0..<count where allowedStart[i] {
            for (k, r) in targets.enumerated() where freeByResource[k][i] {
                let start = CalendarDay(daysSinceEpoch: lo + i)
                slots.append(Slot(start: start, end: start.adding(days: intensiveLength - 1), resource: resourceNames[r]))
            }
        }
        return slots
    }

    /// For each start lo...hi on resource `r`: whether the intensive avoids all bookings and blackouts.
    private func freeStarts(resource r: Int, lo: Int, hi: Int, allowedStart: [Bool], ignoring bookingID: String?) -> [Bool] {
        let count = hi - lo + 1
        let window = count + occupiedLength  // days lo ..< lo + window
        // Coverage by other bookings' occupied days, via a difference array, then prefix sums.
        var difference = [Int32](repeating: 0, count: window + 1)
        forEachBooking(on: r, overlapping: lo...(lo + window - 1), ignoring: bookingID) { other in
            let a = max(other.start, lo) - lo
            let b = min(other.occupiedEnd, lo + window - 1) - lo
            difference[a] += 1
            difference[b + 1] -= 1
        }
        var occupiedPrefix = [Int32](repeating: 0, count: window + 1)
        var running: Int32 = 0
        for i in 0..<window {
            running += difference[i]
            occupiedPrefix[i + 1] = occupiedPrefix[i] + (running > 0 ? 1 : 0)
        }
        var blackoutPrefix = [Int32](repeating: 0, count: window + 1)
        var blackedOut = [Bool](repeating: false, count: window)
        let intervals = blackoutIntervals[r]
        var k = Scheduler.firstInterval(in: intervals, endingOnOrAfter: lo)
        while k < intervals.count, intervals[k].lowerBound <= lo + window - 1 {
            let a = max(intervals[k].lowerBound, lo) - lo
            let b = min(intervals[k].upperBound, lo + window - 1) - lo
            for i in a...b { blackedOut[i] = true }
            k += 1
        }
        for i in 0..<window {
            blackoutPrefix[i + 1] = blackoutPrefix[i] + (blackedOut[i] ? 1 : 0)
        }
        // Days outside the counselor's working hours count like blacked-out days for intensive days.
        var offPrefix = [Int32](repeating: 0, count: window + 1)
        for i in 0..<window {
            offPrefix[i + 1] = offPrefix[i] + (isWorkable(lo + i, resource: r) ? 0 : 1)
        }
        var free = [Bool](repeating: false, count: count)
        for i in 0..<count where allowedStart[i] {
            free[i] =
                occupiedPrefix[i + occupiedLength] == occupiedPrefix[i]
                && blackoutPrefix[i + intensiveLength] == blackoutPrefix[i]
                && offPrefix[i + intensiveLength] == offPrefix[i]
        }
        return free
    }

    /// Whether an intensive may start on day number `t` on resource `r` (fast path of `rejections(...).isEmpty`).
    func canStart(_ t: Int, resource r: Int, ignoring bookingID: String?) -> Bool {
        guard t >= earliestStart, t <= latestStart,
            settings.startWeekdays.contains(CalendarDay(daysSinceEpoch: t).weekday)
        else { return false }
        let intervals = blackoutIntervals[r]
        let k = Scheduler.firstInterval(in: intervals, endingOnOrAfter: t)
        if k < intervals.count, intervals[k].lowerBound <= t + intensiveLength - 1 { return false }
        if !(t...(t + intensiveLength - 1)).allSatisfy({ isWorkable($0, resource: r) }) { return false }
        var clash = false
        forEachBooking(on: r, overlapping: t...(t + occupiedLength - 1), ignoring: bookingID) { _ in clash = true }
        return !clash
    }

    // MARK: - Allocation

    /// The first resource (settings order, or only `resource`) on which an intensive may start on `start`,
    /// or every rejection: date-level ones once, then each resource's in settings order.
    public func allocate(start: CalendarDay, resource: String? = nil, ignoring bookingID: String? = nil) -> Result<Slot, AllocationFailure> {
        let candidates = resource.map { [$0] } ?? resourceNames
        var general: [RejectionDetail] = []
        var specific: [RejectionDetail] = []
        for name in candidates {
            let found = rejections(start: start, resource: name, ignoring: bookingID)
            if found.isEmpty {
                return .success(Slot(start: start, end: start.adding(days: intensiveLength - 1), resource: name))
            }
            for detail in found {
                if detail.resource == nil {
                    if !general.contains(detail) { general.append(detail) }
                } else {
                    specific.append(detail)
                }
            }
        }
        return .failure(AllocationFailure(rejections: general + specific))
    }

    // MARK: - Month grid

    /// State of `day` on `resource`, by priority: `.booked`, `.held`, `.turnover`, `.blackout`, then
    /// `.free` — or `.unavailableStart` when the day is free but no intensive may start on it
    /// (including every day of an unknown resource).
    public func dayState(_ day: CalendarDay, resource: String) -> DayState {
        guard let r = resourceIndex[resource] else { return .unavailableStart }
        let t = day.daysSinceEpoch
        var isBooked = false, isHeld = false, isTurnover = false
        forEachBooking(on: r, overlapping: t...t, ignoring: nil) { other in
            if t <= other.intensiveEnd {
                if other.confirmed { isBooked = true } else { isHeld = true }
            } else {
                isTurnover = true
            }
        }
        if isBooked { return .booked }
        if isHeld { return .held }
        if isTurnover { return .turnover }
        let intervals = blackoutIntervals[r]
        let k = Scheduler.firstInterval(in: intervals, endingOnOrAfter: t)
        if k < intervals.count, intervals[k].lowerBound <= t { return .blackout }
        return canStart(t, resource: r, ignoring: nil) ? .free : .unavailableStart
    }

    // MARK: - Helpers

    /// Whether `day` can be an intensive day on `resource` as far as its counselor's working hours go (always
    /// true for a resource without a configured counselor, false for an unknown one).
    public func isWorkable(_ day: CalendarDay, resource: String) -> Bool {
        guard let r = resourceIndex[resource] else { return false }
        return isWorkable(day.daysSinceEpoch, resource: r)
    }

    /// Whether day number `t` can be an intensive day on resource `r` as far as the counselor's hours go.
    func isWorkable(_ t: Int, resource r: Int) -> Bool {
        guard let counselor = counselors[r] else { return true }
        if let table = workableWeekdays[r] { return table[CalendarDay(daysSinceEpoch: t).weekday.rawValue - 1] }
        return counselor.works(on: CalendarDay(daysSinceEpoch: t), from: settings.dayStart, to: settings.dayEnd, practiceZone: settings.timeZone)
    }

    /// Calls `body` for each live booking on `r` (except `ignoring`) whose occupied days intersect `days`.
    private func forEachBooking(
        on r: Int, overlapping days: ClosedRange<Int>, ignoring bookingID: String?,
        _ body: (IndexedBooking) -> Void
    ) {
        let list = bookings[r]
        let earliest = days.lowerBound - longestSpan + 1
        var lowIndex = 0, highIndex = list.count
        while lowIndex < highIndex {
            let mid = (lowIndex + highIndex) / 2
            if list[mid].start < earliest { lowIndex = mid + 1 } else { highIndex = mid }
        }
        var i = lowIndex
        while i < list.count, list[i].start <= days.upperBound {
            if list[i].id != bookingID && list[i].occupiedEnd >= days.lowerBound { body(list[i]) }
            i += 1
        }
    }

    /// Index of the first interval whose upper bound is >= `day` (intervals sorted and disjoint).
    static func firstInterval(in intervals: [ClosedRange<Int>], endingOnOrAfter day: Int) -> Int {
        var low = 0, high = intervals.count
        while low < high {
            let mid = (low + high) / 2
            if intervals[mid].upperBound < day { low = mid + 1 } else { high = mid }
        }
        return low
    }

    /// Sorts and merges overlapping or adjacent intervals.
    static func merge(_ intervals: [ClosedRange<Int>]) -> [ClosedRange<Int>] {
        let sorted = intervals.sorted { $0.lowerBound < $1.lowerBound }
        var merged: [ClosedRange<Int>] = []
        for interval in sorted {
            if let last = merged.last, interval.lowerBound <= last.upperBound + 1 {
                merged[merged.count - 1] = last.lowerBound...max(last.upperBound, interval.upperBound)
            } else {
                merged.append(interval)
            }
        }
        return merged
    }

    static func list(_ days: [CalendarDay]) -> String {
        days.map(\.description).joined(separator: ", ")
    }
}
