import Foundation

/// Rules about what may not overlap what, beyond the scheduler's own day arithmetic.
public enum Clashes {
    /// Counseling sessions of `series` on `resource` that fall on any of `days` (an intensive's intensive and
    /// turnover days), one sentence each, in order. Cancelled series and cancelled sessions are ignored.
    public static func sessions(on days: [CalendarDay], resource: String, series: [StoredSeries]) -> [String] {
        let wanted = Set(days)
        return series.filter { $0.active && $0.series.spec.counselor == resource }.flatMap { s in
            s.series.occurrences().filter { wanted.contains($0.localStart.day) }.map {
                "\($0.localStart.day) has counseling session \(s.series.id) at \($0.localStart.time) on \(resource)"
            }
        }
    }

    /// Counseling sessions starting at or after `now` that `blackout` would fall on, as the session planner
    /// reads a blackout: a whole-day one covers a session starting or ending on one of its days (on the
    /// counselor's clock), a timed one overlaps the session's time. Grouped by series, in series order, each
    /// with its first such session. Cancelled series and sessions are ignored.
    public static func sessions(
        touchedBy blackout: Blackout, series: [StoredSeries], now: Date
    ) -> [(seriesID: String, count: Int, first: SessionOccurrence)] {
        sessions(touchedByAnyOf: [blackout], series: series, now: now)
    }

    /// `sessions(touchedBy:series:now:)` for several blackouts at once (a session is counted once).
    public static func sessions(
        touchedByAnyOf blackouts: [Blackout], series: [StoredSeries], now: Date
    ) -> [(seriesID: String, count: Int, first: SessionOccurrence)] {
        series.filter(\.active).compactMap { s in
            let relevant = blackouts.filter { $0.applies(to: s.series.spec.counselor) }
            guard !relevant.isEmpty else { return nil }
            let hits = s.series.occurrences().filter { o in
                o.end > now
                    && relevant.contains { b in
                        b.isTimed ? b.overlaps(start: o.start, end: o.end) : (b.covers(o.localStart.day) || b.covers(o.localEnd.day))
                    }
            }
            return hits.first.map { (s.series.id, hits.count, $0) }
        }
    }

    /// Live bookings whose intensive days (turnover excluded) any of the blackout `ranges` (on `resource`, nil: every resource) touches.
    /// Ranges need not be sorted; the search is O((n + m) log m).
    public static func bookings(
        _ bookings: [Booking], touchedByAnyOf ranges: [ClosedRange<CalendarDay>], resource: String?
    ) -> [Booking] {
        let sorted = ranges.sorted { $0.lowerBound < $1.lowerBound }
        let longest = sorted.map { $0.lowerBound.days(until: $0.upperBound) }.max() ?? 0
        return bookings.filter { b in
            guard b.status.isLive, resource == nil || resource == b.resource else { return false }
            let earliest = b.start.adding(days: -longest)
            var lo = 0, hi = sorted.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if sorted[mid].lowerBound < earliest { lo = mid + 1 } else { hi = mid }
            }
            return sorted[lo...].prefix { $0.lowerBound <= b.end }.contains { $0.upperBound >= b.start }
        }
    }
}
