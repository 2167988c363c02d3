import Foundation
import Testing

@testable import RetreatICal

@Suite struct RecurrenceTests {
    @Test func weeklySeriesWithExdateAndMovedInstanceAcrossDST() throws {
        let url = fixtures.appendingPathComponent("ical/weekly-exdate-moved.ics")
        let cal = try ICalendar(contentsOf: url)
        let occ = try cal.occurrences(in: wideWindow)
        #expect(
            occ.map(\.startInstant) == [
                utc(2027, 3, 1, 14),  // EST
                utc(2027, 3, 8, 14),
                utc(2027, 3, 16, 15),  // moved from Mar 15 09:00 to Mar 16 11:00 EDT
                utc(2027, 3, 29, 13),  // Mar 22 excluded; EDT from here on
                utc(2027, 4, 5, 13),
            ])
        #expect(occ.map(\.isOverride) == [false, false, true, false, false])
        #expect(occ[2].recurrenceInstant == utc(2027, 3, 15, 13))
        #expect(occ[2].event.summary == "Moved session")
        #expect(occ.allSatisfy { $0.endInstant.timeIntervalSince($0.startInstant) == 3000 })
    }

    @Test func seriesRoundTripsThroughSerialization() throws {
        let master = ICalEvent(
            uid: "s@r", stamp: stamp, start: nyTime(2027, 10, 25, 18), end: nyTime(2027, 10, 25, 18, 50),
            summary: "Session", organizer: staff, recurrenceRule: "FREQ=WEEKLY;COUNT=4", exceptionDates: [nyTime(2027, 11, 1, 18)])
        let moved = ICalEvent(
            uid: "s@r", stamp: stamp, start: nyTime(2027, 11, 9, 19), end: nyTime(2027, 11, 9, 19, 50),
            summary: "Session", sequence: 1, organizer: staff, recurrenceID: nyTime(2027, 11, 8, 18))
        let text = try ICalendar(method: .publish, events: [master, moved]).serialized()
        let back = try ICalendar(parsing: text)
        #expect(back.events == [master, moved])
        let starts = try back.occurrences(in: wideWindow).map(\.startInstant)
        #expect(starts == [utc(2027, 10, 25, 22), utc(2027, 11, 10, 0), utc(2027, 11, 15, 23)])
        #expect(ICalValidator.problems(in: text).isEmpty)
    }

    @Test func untilAsDateIncludesThatDayAndWindowBoundsOpenRules() throws {
        let text = """
            BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:u@r\r\nDTSTAMP:20270101T000000Z\r
            DTSTART;TZID=America/New_York:20270104T090000\r\nDTEND;TZID=America/New_York:20270104T100000\r
            RRULE:FREQ=DAILY;UNTIL=20270106\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:open@r\r\nDTSTAMP:20270101T000000Z\r
            DTSTART:20270101T120000Z\r\nDURATION:PT1H\r\nRRULE:FREQ=DAILY\r\nRDATE:20261231T120000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n
            """
        let cal = try ICalendar(parsing: text)
        let window = DateInterval(start: utc(2026, 12, 31, 0), end: utc(2027, 1, 11, 0))
        let occ = try cal.occurrences(in: window)
        #expect(occ.filter { $0.uid == "u@r" }.map(\.startInstant) == [utc(2027, 1, 4, 14), utc(2027, 1, 5, 14), utc(2027, 1, 6, 14)])
        let open = occ.filter { $0.uid == "open@r" }
        #expect(open.count == 11)  // Dec 31 (RDATE) + Jan 1…10
        #expect(open.first?.startInstant == utc(2026, 12, 31, 12))
    }

    @Test func hugeRulesAreBoundedWithAnError() throws {
        let text =
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:h@r\r\nDTSTAMP:20270101T000000Z\r\nDTSTART:20270101T000000Z\r\nRRULE:FREQ=SECONDLY;COUNT=999999999\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
        let cal = try ICalendar(parsing: text)
        #expect(throws: ICalError.self) { try cal.occurrences(in: wideWindow) }
        // A narrow window is fine.
        let small = try cal.occurrences(in: DateInterval(start: utc(2027, 1, 1, 0), duration: 10))
        #expect(small.count == 10)
    }

    /// Regression: libical 3.0.16 steps a WEEKLY rule on a DATE start by 6 days; Retreat iterates it as midnight.
    @Test func weeklyAllDaySeriesStepsWholeWeeks() throws {
        let text =
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:w@r\r\nDTSTAMP:20270101T000000Z\r\nDTSTART;VALUE=DATE:20270111\r\nDTEND;VALUE=DATE:20270112\r\nRRULE:FREQ=WEEKLY;COUNT=4\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
        let occ = try ICalendar(parsing: text).occurrences(in: wideWindow, floatingTimeZone: "UTC")
        #expect(occ.map(\.start) == [11, 18, 25, 32].map { .date(ICalDate(year: 2027, month: 1, day: 1).adding(days: $0 - 1)) })
        #expect(occ.allSatisfy { $0.isAllDay && $0.end.date == $0.start.date.adding(days: 1) })
    }
}
