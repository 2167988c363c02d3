import Foundation
import Testing

@testable import RetreatICal

@Suite struct TimeZoneTests {
    /// 09:00 New York on the days around the 2027 switches (Mar 14, Nov 7).
    static let cases: [(Int, Int, Int)] = [(3, 13, 14), (3, 14, 13), (3, 15, 13), (11, 6, 13), (11, 7, 14), (11, 8, 14)]

    @Test(arguments: cases)
    func nineAMAroundDSTHasTheRightInstant(_ c: (Int, Int, Int)) throws {
        let (month, day, utcHour) = c
        // Through libical's built-in zone…
        #expect(try ICalTimeZones.instant(of: nyTime(2027, month, day, 9).local, in: ny) == utc(2027, month, day, utcHour))
        // …and through the VTIMEZONE written into a file and parsed back.
        let e = ICalEvent(uid: "u\(month)\(day)", stamp: stamp, start: nyTime(2027, month, day, 9), end: nyTime(2027, month, day, 17), organizer: staff)
        let back = try ICalendar(parsing: try ICalendar(method: .publish, events: [e]).serialized())
        let occ = try back.occurrences(in: wideWindow)
        #expect(occ.map(\.startInstant) == [utc(2027, month, day, utcHour)])
        #expect(occ.map(\.endInstant) == [utc(2027, month, day, utcHour + 8)])
    }

    @Test func everyTZIDDefinedOnceWithPlainIANAName() throws {
        let events = [
            ICalEvent(uid: "a", stamp: stamp, start: nyTime(2027, 1, 4, 9), end: nyTime(2027, 1, 4, 10), summary: "S", organizer: staff),
            ICalEvent(uid: "b", stamp: stamp, start: nyTime(2027, 7, 4, 9), end: nyTime(2027, 7, 4, 10), summary: "S", organizer: staff),
            ICalEvent(
                uid: "c", stamp: stamp, start: .zoned(LocalDateTime(year: 2028, month: 2, day: 1, hour: 18, minute: 30), tzid: "Europe/London"),
                end: .zoned(LocalDateTime(year: 2028, month: 2, day: 1, hour: 19, minute: 20), tzid: "Europe/London"), summary: "S", organizer: staff),
        ]
        let text = try ICalendar(method: .publish, events: events).serialized()
        let tzidLines = lines(text).filter { $0.hasPrefix("TZID:") }
        #expect(tzidLines.sorted() == ["TZID:America/New_York", "TZID:Europe/London"])
        #expect(!text.contains("freeassociation"))
        #expect(!text.contains("sourceforge"))
        #expect(lines(text).filter { $0 == "BEGIN:VTIMEZONE" }.count == 2)
        // Truncated to rules (Debian's full history has 20+ observances per zone).
        let observances = lines(text).filter { $0 == "BEGIN:STANDARD" || $0 == "BEGIN:DAYLIGHT" }
        #expect(observances.count <= 8)
        #expect(ICalValidator.problems(in: text).isEmpty)
    }

    @Test func unknownZoneIsAnError() {
        let e = ICalEvent(uid: "x", stamp: stamp, start: .zoned(LocalDateTime(year: 2027, month: 1, day: 1, hour: 9, minute: 0), tzid: "Mars/Olympus_Mons"))
        #expect(throws: ICalError.self) { try ICalendar(events: [e]).serialized() }
        #expect(!ICalTimeZones.isKnown("Mars/Olympus_Mons"))
        #expect(ICalTimeZones.isKnown(ny))
    }
}
