import Foundation
import RetreatICal
import RetreatScheduling

/// Calendars published as subscription feeds. Each carries `NAME`/`X-WR-CALNAME`, `REFRESH-INTERVAL` and
/// `X-PUBLISHED-TTL`; the staff and counselor feeds follow the staff calendar's privacy (booking ids and
/// statuses, never names, contacts or priority issues).
public enum FeedCalendars {
    /// How often subscribers are asked to refresh (`REFRESH-INTERVAL`, `X-PUBLISHED-TTL`): one hour.
    public static let refreshSeconds = 3600

    /// One counselor's calendar: the intensives on their resource (id and status only), their counseling
    /// series, and the blackouts that apply to them as "Unavailable" (never with a reason), as the staff
    /// calendar shows them.
    public static func counselor(
        _ name: String, bookings: [Booking], series: [StoredSeries], blackouts: [Blackout], profile: PracticeProfile, stamp: Date
    ) -> ICalendar {
        var calendar = BookingCalendars.staff(
            bookings: bookings.filter { $0.resource == name }, series: series.filter { $0.series.spec.counselor == name },
            blackouts: blackouts.filter { $0.applies(to: name) }, profile: profile, stamp: stamp)
        calendar.name = "\(profile.name): \(name)"
        calendar.refreshIntervalSeconds = refreshSeconds
        return calendar
    }

    /// `calendar` as a feed: a refresh interval, and `name` when given.
    public static func published(_ calendar: ICalendar, name: String? = nil) -> ICalendar {
        var feed = calendar
        feed.method = .publish
        if let name { feed.name = name }
        feed.refreshIntervalSeconds = refreshSeconds
        return feed
    }
}
