import Foundation
import RetreatICal
import RetreatScheduling
import Testing

/// The one local-time engine (`LocalTime.resolve`, over the system's tzdata through Foundation) must agree with
/// what calendar clients compute from the VTIMEZONEs Retreat writes (libical's zone data, truncated): an
/// intensive day at 09:00 in New York must be the same instant for Retreat's availability and for the couple's
/// phone. Each local time below is written as a zoned DTSTART, serialized with its VTIMEZONE, parsed back and
/// resolved by libical through that VTIMEZONE alone. They agree on every reading; in the repeated hour of a
/// fall-back night libical 3.0.16 may take the second reading where RFC 5545 means the first (documented in the
/// README; no intensive day or working hour falls there).
@Suite struct LocalTimeEngineTests {
    static let zones = [
        "America/New_York", "Europe/London", "Europe/Dublin", "Australia/Lord_Howe", "America/Sao_Paulo", "Asia/Kolkata", "Pacific/Chatham",
        "America/St_Johns", "Africa/Casablanca", "Pacific/Auckland",
    ]

    /// Times of day around transitions (which mostly happen at 00:00–03:00) and in working hours.
    static let times = [(0, 0), (0, 30), (1, 0), (1, 30), (2, 0), (2, 30), (3, 0), (9, 0), (12, 0), (17, 0), (23, 30)]

    @Test(arguments: zones)
    func engineAgreesWithTheVTimezonesWeWrite(_ zone: String) throws {
        let tz = try #require(TimeZone(identifier: zone))
        var events: [ICalEvent] = []
        var expected: [String: Date] = [:]
        var skipped = 0
        var repeated = 0
        var ambiguous: [String: [Date]] = [:]
        // Every day of 2027 at each time: both transitions of the year, whatever the hemisphere.
        let first = try #require(CalendarDay(iso: "2027-01-01"))
        for offset in 0..<366 {
            let day = first.adding(days: offset)
            for (hour, minute) in Self.times {
                let local = LocalTime(day: day, time: try #require(ClockTime(hour: hour, minute: minute)))
                // A reading skipped by a spring-forward gap has no instant of its own; RFC 5545's reading is
                // tested separately below.
                guard local.exists(in: tz) else {
                    skipped += 1
                    continue
                }
                let uid = "t-\(local.isoText)@test"
                switch local.resolve(in: tz) {
                case .repeated(let earlier, let later):
                    // A reading that happens twice (the fall-back hour): RFC 5545 §3.3.5 means the first one, and
                    // so does the engine; libical 3.0.16 takes the one in its STANDARD observance, which is the
                    // second in New York but the first in Dublin (whose tzdata winter time is the "daylight" one).
                    #expect(local.instant(in: tz) == earlier)
                    ambiguous[uid] = [earlier, later]
                    repeated += 1
                default:
                    expected[uid] = local.instant(in: tz)
                }
                events.append(
                    ICalEvent(
                        uid: uid, stamp: Date(timeIntervalSince1970: 0),
                        start: .zoned(LocalDateTime(year: day.year, month: day.month, day: day.day, hour: hour, minute: minute), tzid: zone),
                        durationSeconds: 60, summary: "t"))
            }
        }
        let text = try ICalendar(method: .publish, name: "engine", events: events).serialized()
        let parsed = try ICalendar(parsing: text)
        let window = DateInterval(start: Date(timeIntervalSince1970: 1_790_000_000), end: Date(timeIntervalSince1970: 1_870_000_000))
        var compared = 0
        for occurrence in try parsed.occurrences(in: window, limits: ICalExpansionLimits(maxOccurrencesPerEvent: 10, maxIterationsPerEvent: 10)) {
            if let pair = ambiguous[occurrence.uid] {
                #expect(pair.contains(occurrence.startInstant), "\(zone) \(occurrence.uid): libical \(occurrence.startInstant) is neither reading")
                continue
            }
            let want = try #require(expected[occurrence.uid])
            #expect(occurrence.startInstant == want, "\(zone) \(occurrence.uid): libical \(occurrence.startInstant), engine \(want)")
            compared += 1
        }
        #expect(compared == expected.count)
        #expect(compared > 3_500)
        if zone == "America/New_York" {
            #expect(skipped == 2)  // 02:00 and 02:30 on the spring-forward night
            #expect(repeated == 2)  // 01:00 and 01:30 on the fall-back night
        }
    }

    @Test func skippedAndRepeatedReadingsFollowRFC5545() throws {
        let ny = try #require(TimeZone(identifier: "America/New_York"))
        // 2027-03-14 02:30 does not exist in New York: RFC 5545 reads it with the offset before the gap (03:30 EDT).
        let gap = try #require(LocalTime(iso: "2027-03-14T02:30"))
        #expect(gap.instant(in: ny) == ISO8601DateFormatter().date(from: "2027-03-14T07:30:00Z"))
        // 2027-11-07 01:30 happens twice: the earlier one (EDT) is meant.
        let twice = try #require(LocalTime(iso: "2027-11-07T01:30"))
        #expect(twice.instant(in: ny) == ISO8601DateFormatter().date(from: "2027-11-07T05:30:00Z"))
        // A day whose midnight is skipped starts at its first instant (Havana springs forward at midnight).
        let havana = try #require(TimeZone(identifier: "America/Havana"))
        let day = try #require(CalendarDay(iso: "2027-03-14"))
        #expect(CalendarDay.today(at: day.firstInstant(in: havana), in: havana) == day)
        #expect(CalendarDay.today(at: day.firstInstant(in: havana).addingTimeInterval(-1), in: havana) == day.adding(days: -1))
    }
}
