import Foundation
import RetreatICal
import RetreatScheduling

/// Free/busy publishing: busy periods in UTC, at the granularity they have (whole days for intensives, the
/// interval for a timed blackout or a counseling session). No names, no ids, no reasons.
public enum FreeBusyCalendar {
    /// A VFREEBUSY of `busy` (merged, sorted) over `window`.
    public static func make(busy: [DateInterval], window: DateInterval, resource: String?, profile: PracticeProfile, stamp: Date) -> ICalendar {
        let fb = ICalFreeBusy(
            uid: "freebusy-\(resource ?? "practice")@retreat", stamp: stamp, start: window.start, end: window.end,
            organizer: ICalAddress(uri: "mailto:\(profile.organizerEmail)", commonName: profile.organizerName), busy: busy)
        return ICalendar(method: .publish, name: "\(profile.name): free/busy", refreshIntervalSeconds: 3600, freeBusy: [fb])
    }
}
