import Foundation

/// Busy time as sorted, disjoint instant intervals: what free/busy publishes.
public enum BusyTime {
    /// Sorts and merges overlapping or touching intervals.
    public static func merge(_ intervals: [DateInterval]) -> [DateInterval] {
        var merged: [DateInterval] = []
        for i in intervals.sorted(by: { $0.start < $1.start }) {
            if let last = merged.last, i.start <= last.end {
                merged[merged.count - 1] = DateInterval(start: last.start, end: max(last.end, i.end))
            } else {
                merged.append(i)
            }
        }
        return merged
    }

    /// The time busy in every one of `lists` (each merged first): what is busy when no resource is free.
    public static func intersection(_ lists: [[DateInterval]]) -> [DateInterval] {
        guard var result = lists.first.map(merge) else { return [] }
        for list in lists.dropFirst() {
            let other = merge(list)
            var out: [DateInterval] = []
            var i = 0, j = 0
            while i < result.count && j < other.count {
                let start = max(result[i].start, other[j].start)
                let end = min(result[i].end, other[j].end)
                if start < end { out.append(DateInterval(start: start, end: end)) }
                if result[i].end < other[j].end { i += 1 } else { j += 1 }
            }
            result = out
        }
        return result
    }

    /// Clips merged intervals to `window`.
    public static func clip(_ intervals: [DateInterval], to window: DateInterval) -> [DateInterval] {
        intervals.compactMap { i in
            let start = max(i.start, window.start), end = min(i.end, window.end)
            return start < end ? DateInterval(start: start, end: end) : nil
        }
    }

    /// The busy time of `resource` in `window`: the live bookings' intensive and turnover days and whole-day
    /// blackouts as whole practice-local days, timed blackouts and counseling sessions as they are.
    public static func of(
        resource: String, in window: DateInterval, settings: PracticeSettings, bookings: [Booking], blackouts: [Blackout], series: [StoredSeries]
    ) -> [DateInterval] {
        let zone = settings.timeZone
        func wholeDays(_ days: [CalendarDay]) -> [DateInterval] {
            days.map { DateInterval(start: $0.firstInstant(in: zone), end: $0.adding(days: 1).firstInstant(in: zone)) }
        }
        var busy: [DateInterval] = []
        for b in bookings where b.status.isLive && b.resource == resource { busy += wholeDays(b.occupancy.occupiedDays) }
        for b in blackouts where b.applies(to: resource) {
            if let s = b.startsAt, let e = b.endsAt {
                if e > s { busy.append(DateInterval(start: s, end: e)) }
            } else if b.from <= b.to {
                busy += wholeDays((0...b.from.days(until: b.to)).map { b.from.adding(days: $0) })
            }
        }
        for s in series where s.active && s.series.spec.counselor == resource {
            for o in s.series.occurrences() where o.end > window.start && o.start < window.end {
                busy.append(DateInterval(start: o.start, end: o.end))
            }
        }
        return clip(merge(busy), to: window)
    }
}
