import Foundation
import RetreatICal
import RetreatScheduling

/// Free/busy publishing: whole practice-local days, merged into periods, in UTC. No names, no reasons.
public enum FreeBusyCalendar {
    public static func make(scheduler: Scheduler, from: CalendarDay, to: CalendarDay, resource: String?, profile: PracticeProfile, stamp: Date) -> ICalendar {
        let zone = scheduler.settings.timeZone
        let resources = resource.map { [$0] } ?? scheduler.settings.resources
        var periods: [DateInterval] = []
        var runStart: CalendarDay?
        var day = from
        func close(_ end: CalendarDay) {
            if let s = runStart {
                periods.append(DateInterval(start: s.firstInstant(in: zone), end: end.firstInstant(in: zone)))
                runStart = nil
            }
        }
        while day <= to {
            let busy = resources.allSatisfy { scheduler.dayState(day, resource: $0) != .free && scheduler.dayState(day, resource: $0) != .unavailableStart }
            if busy, runStart == nil { runStart = day }
            if !busy { close(day) }
            day = day.adding(days: 1)
        }
        close(to.adding(days: 1))
        let fb = ICalFreeBusy(
            uid: "freebusy-\(resource ?? "practice")@retreat", stamp: stamp, start: from.firstInstant(in: zone),
            end: to.adding(days: 1).firstInstant(in: zone),
            organizer: ICalAddress(uri: "mailto:\(profile.organizerEmail)", commonName: profile.organizerName), busy: periods)
        return ICalendar(method: .publish, name: "\(profile.name): free/busy", refreshIntervalSeconds: 3600, freeBusy: [fb])
    }
}
