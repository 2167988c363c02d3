import Foundation
import RetreatICal
import RetreatScheduling
import Testing

@testable import RetreatCalendars

let practice: PracticeSettings = {
    var s = PracticeSettings(timeZoneIdentifier: "America/New_York")
    s.dayStart = ClockTime(hour: 9, minute: 0) ?? s.dayStart
    s.dayEnd = ClockTime(hour: 17, minute: 0) ?? s.dayEnd
    return s
}()

func day(_ s: String) -> CalendarDay {
    guard let d = CalendarDay(iso: s) else { fatalError("bad test date \(s)") }
    return d
}

func ics(_ body: String, header: String = "") -> String {
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n\(header)" + body.replacingOccurrences(of: "\n", with: "\r\n") + "END:VCALENDAR\r\n"
}

func busy(_ text: String, from: String = "2027-01-01", to: String = "2027-03-31") throws -> [String] {
    let result = try BusyImport.busyDays(in: try ICalendar(parsing: text), from: day(from), to: day(to), settings: practice)
    return result.busy.compactMap(\.days).flatMap { d in (0...d.lowerBound.days(until: d.upperBound)).map { d.lowerBound.adding(days: $0).description } }
        .sorted()
}

@Suite struct BusyImportTests {
    @Test func allDayEventsEndOnTheirExclusiveEnd() throws {
        let text = ics(
            "BEGIN:VEVENT\nUID:a\nDTSTAMP:20270101T000000Z\nDTSTART;VALUE=DATE:20270104\nDTEND;VALUE=DATE:20270106\nEND:VEVENT\n"
                + "BEGIN:VEVENT\nUID:b\nDTSTAMP:20270101T000000Z\nDTSTART;VALUE=DATE:20270111\nEND:VEVENT\n")
        #expect(try busy(text) == ["2027-01-04", "2027-01-05", "2027-01-11"])
    }

    @Test func timedEventsBlockADayOnlyWhenTheyOverlapSessionHours() throws {
        let text = ics(
            """
            BEGIN:VEVENT\nUID:in\nDTSTAMP:20270101T000000Z\nDTSTART;TZID=America/Los_Angeles:20270105T060000\nDTEND;TZID=America/Los_Angeles:20270105T063000\nEND:VEVENT
            BEGIN:VEVENT\nUID:late\nDTSTAMP:20270101T000000Z\nDTSTART;TZID=America/Los_Angeles:20270106T140000\nDTEND;TZID=America/Los_Angeles:20270106T153000\nEND:VEVENT
            BEGIN:VEVENT\nUID:evening\nDTSTAMP:20270101T000000Z\nDTSTART:20270108T230000Z\nDTEND:20270109T060000Z\nEND:VEVENT
            BEGIN:VEVENT\nUID:edge\nDTSTAMP:20270101T000000Z\nDTSTART:20270112T220000Z\nDTEND:20270112T230000Z\nEND:VEVENT

            """,
            header:
                "BEGIN:VTIMEZONE\nTZID:America/Los_Angeles\nBEGIN:STANDARD\nDTSTART:19701101T020000\nRRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU\nTZOFFSETFROM:-0700\nTZOFFSETTO:-0800\nEND:STANDARD\nBEGIN:DAYLIGHT\nDTSTART:19700308T020000\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU\nTZOFFSETFROM:-0800\nTZOFFSETTO:-0700\nEND:DAYLIGHT\nEND:VTIMEZONE\n"
                .replacingOccurrences(of: "\n", with: "\r\n"))
        // 06:00 LA = 09:00 NY (inside); 14:00–15:30 LA = 17:00–18:30 NY (starts as the session ends: outside);
        // 18:00–01:00 NY (outside); 17:00–18:00 NY (outside: sessions end at 17:00).
        #expect(try busy(text) == ["2027-01-05"])
    }

    @Test func anEventTakingNoTimeBlocksNothingAndIsCountedAsSkipped() throws {
        let text = ics(
            "BEGIN:VEVENT\nUID:mark\nDTSTAMP:20270101T000000Z\nDTSTART:20270105T150000Z\nDTEND:20270105T150000Z\nEND:VEVENT\n"
                + "BEGIN:VEVENT\nUID:point\nDTSTAMP:20270101T000000Z\nDTSTART:20270106T150000Z\nEND:VEVENT\n"
                + "BEGIN:VEVENT\nUID:none\nDTSTAMP:20270101T000000Z\nDTSTART:20270107T150000Z\nDURATION:PT0S\nEND:VEVENT\n"
                + "BEGIN:VEVENT\nUID:real\nDTSTAMP:20270101T000000Z\nDTSTART:20270108T150000Z\nDURATION:PT1M\nEND:VEVENT\n")
        let result = try BusyImport.busyDays(in: try ICalendar(parsing: text), from: day("2027-01-01"), to: day("2027-01-31"), settings: practice)
        #expect(result.busy.map(\.uid) == ["real"])
        #expect(result.free == 3)
        #expect(try busy(text) == ["2027-01-08"])
        let instant = Date(timeIntervalSince1970: 1_800_000_000)
        #expect(
            !BusyInterval.instants(start: instant, end: instant).overlaps(start: instant.addingTimeInterval(-60), end: instant.addingTimeInterval(60), in: .gmt)
        )
        #expect(SessionHours(settings: practice).days(overlapping: instant, instant).isEmpty)
        #expect(!Blackout(start: instant, end: instant, in: .gmt).overlaps(start: instant.addingTimeInterval(-60), end: instant.addingTimeInterval(60)))
    }

    @Test(arguments: [
        ("DTSTART:20270105T150000Z\nDTEND:20270105T140000Z", "ends (DTEND) before it starts"),
        ("DTSTART;VALUE=DATE:20270105\nDTEND;VALUE=DATE:20270104", "ends (DTEND) before it starts"),
        ("DTSTART:20270105T150000Z\nDURATION:-PT1H", "negative DURATION"),
    ])
    func anEventEndingBeforeItStartsIsRefusedByUID(_ times: String, _ reason: String) throws {
        let text = ics("BEGIN:VEVENT\nUID:backwards@client\nDTSTAMP:20270101T000000Z\n\(times)\nEND:VEVENT\n")
        do {
            _ = try ICalendar(parsing: text)
            Issue.record("an inverted event was read")
        } catch {
            #expect(error.description.contains("backwards@client"), "\(error)")
            #expect(error.description.contains(reason), "\(error)")
            #expect(error.line == 4)
        }
    }

    @Test func floatingTimesUseXWRTimezoneElseThePracticeZone() throws {
        let body = "BEGIN:VEVENT\nUID:f\nDTSTAMP:20270101T000000Z\nDTSTART:20270105T080000\nDTEND:20270105T090000\nEND:VEVENT\n"
        // In New York 08:00–09:00 is before the session; in London it is 03:00–04:00 NY… also before.
        #expect(try busy(ics(body)) == [])
        // In Los Angeles it is 11:00–12:00 New York: inside.
        #expect(try busy(ics(body, header: "X-WR-TIMEZONE:America/Los_Angeles\r\n")) == ["2027-01-05"])
    }

    @Test func transparentCancelledTodosAndJournalsAreIgnored() throws {
        let text = ics(
            """
            BEGIN:VEVENT\nUID:t\nDTSTAMP:20270101T000000Z\nDTSTART;VALUE=DATE:20270104\nTRANSP:TRANSPARENT\nEND:VEVENT
            BEGIN:VEVENT\nUID:c\nDTSTAMP:20270101T000000Z\nDTSTART;VALUE=DATE:20270105\nSTATUS:CANCELLED\nEND:VEVENT
            BEGIN:VEVENT\nUID:r\nDTSTAMP:20270101T000000Z\nDTSTART;VALUE=DATE:20270111\nRRULE:FREQ=WEEKLY;COUNT=3\nEND:VEVENT
            BEGIN:VEVENT\nUID:r\nDTSTAMP:20270101T000000Z\nRECURRENCE-ID;VALUE=DATE:20270118\nDTSTART;VALUE=DATE:20270118\nSTATUS:CANCELLED\nEND:VEVENT
            BEGIN:VTODO\nUID:todo\nDTSTAMP:20270101T000000Z\nDTSTART;VALUE=DATE:20270106\nEND:VTODO
            BEGIN:VJOURNAL\nUID:j\nDTSTAMP:20270101T000000Z\nDTSTART;VALUE=DATE:20270107\nEND:VJOURNAL

            """)
        #expect(try busy(text) == ["2027-01-11", "2027-01-25"])
        let result = try BusyImport.busyDays(in: try ICalendar(parsing: text), from: day("2027-01-01"), to: day("2027-03-31"), settings: practice)
        #expect(result.ignoredComponents == 2)
    }

    @Test func outlookWindowsZoneNamesWithoutVTimezone() throws {
        for tzid in ["Eastern Standard Time", "\"(UTC-05:00) Eastern Time (US & Canada)\"", "W. Europe Standard Time"] {
            let text = ics(
                "BEGIN:VEVENT\nUID:w\nDTSTAMP:20270101T000000Z\nDTSTART;TZID=\(tzid):20270105T160000\nDTEND;TZID=\(tzid):20270105T180000\nEND:VEVENT\n")
            // 16:00–18:00 New York overlaps the session; 16:00–18:00 Berlin is 10:00–12:00 New York.
            #expect(try busy(text) == ["2027-01-05"], "\(tzid)")
        }
        let unknown = ics("BEGIN:VEVENT\nUID:w\nDTSTAMP:20270101T000000Z\nDTSTART;TZID=Atlantis Time:20270105T160000\nEND:VEVENT\n")
        #expect(throws: ICalError.self) { try busy(unknown) }
    }

    @Test func recurrenceWithDateUntilExdateAndMovedInstance() throws {
        let text = ics(
            """
            BEGIN:VEVENT\nUID:s\nDTSTAMP:20270101T000000Z\nDTSTART;TZID=America/New_York:20270104T100000\nDTEND;TZID=America/New_York:20270104T110000
            RRULE:FREQ=WEEKLY;UNTIL=20270125\nEXDATE;TZID=America/New_York:20270111T100000\nEND:VEVENT
            BEGIN:VEVENT\nUID:s\nDTSTAMP:20270101T000000Z\nRECURRENCE-ID;TZID=America/New_York:20270118T100000
            DTSTART;TZID=America/New_York:20270120T100000\nDTEND;TZID=America/New_York:20270120T110000\nEND:VEVENT

            """, header: "")
        #expect(try busy(text) == ["2027-01-04", "2027-01-20", "2027-01-25"])
    }

    @Test func dstSwitchDayIsMappedInWallClockTime() throws {
        let text = ics(
            "BEGIN:VEVENT\nUID:d\nDTSTAMP:20270101T000000Z\nDTSTART:20270314T133000Z\nDTEND:20270314T143000Z\nEND:VEVENT\n"
                + "BEGIN:VEVENT\nUID:e\nDTSTAMP:20270101T000000Z\nDTSTART:20271107T133000Z\nDTEND:20271107T135500Z\nEND:VEVENT\n")
        // 13:30Z on 2027-03-14 is 09:30 EDT (inside); 13:30Z on 2027-11-07 is 08:30 EST (outside).
        #expect(try busy(text, to: "2027-12-31") == ["2027-03-14"])
    }

    @Test func windowClipsLongEvents() throws {
        let text = ics("BEGIN:VEVENT\nUID:long\nDTSTAMP:20270101T000000Z\nDTSTART;VALUE=DATE:20261220\nDTEND;VALUE=DATE:20270104\nEND:VEVENT\n")
        #expect(try busy(text) == ["2027-01-01", "2027-01-02", "2027-01-03"])
    }
}

/// What the import attack found (a year-1 event locking the store, a kilobyte file expanding to millions of rows,
/// events without a UID overwriting each other, UIDs no store should key on), each kept as a test.
@Suite struct BusyImportAttackTests {
    @Test func aTimedEventIsKeptWithinTheWindowWhereverItBegins() throws {
        // Began in year 1 (before New York's clock had a zone): stored from the window's first instant, never as a
        // date the store cannot read back.
        let text = ics("BEGIN:VEVENT\nUID:ancient\nDTSTAMP:20270101T000000Z\nDTSTART:00010101T000000Z\nDTEND:20270120T010000Z\nEND:VEVENT\n")
        let result = try BusyImport.busyDays(in: try ICalendar(parsing: text), from: day("2027-01-01"), to: day("2027-11-30"), settings: practice)
        let interval = try #require(result.busy.first?.interval)
        let windowStart = day("2027-01-01").firstInstant(in: practice.timeZone)
        #expect(interval == .instants(start: windowStart, end: try #require(ISO8601DateFormatter().date(from: "2027-01-20T01:00:00Z"))))
        #expect(result.busy.first?.days == day("2027-01-01")...day("2027-01-19"))
        // And an end past the window is cut at the window's end.
        let late = ics("BEGIN:VEVENT\nUID:long\nDTSTAMP:20270101T000000Z\nDTSTART:20271130T150000Z\nDTEND:99991231T230000Z\nEND:VEVENT\n")
        let cut = try BusyImport.busyDays(in: try ICalendar(parsing: late), from: day("2027-01-01"), to: day("2027-11-30"), settings: practice)
        let start = try #require(ISO8601DateFormatter().date(from: "2027-11-30T15:00:00Z"))
        #expect(cut.busy.first?.interval == .instants(start: start, end: day("2027-12-01").firstInstant(in: practice.timeZone)))
    }

    @Test func anImportOfMoreOccurrencesThanTheLimitIsRefusedInWords() throws {
        let text = ics("BEGIN:VEVENT\nUID:hourly\nDTSTAMP:20270101T000000Z\nDTSTART:20270101T150000Z\nDURATION:PT30M\nRRULE:FREQ=HOURLY\nEND:VEVENT\n")
        #expect(
            throws: ICalError(
                .tooManyOccurrences, "the calendar has more than 100 occurrences between 2027-01-01 and 2027-01-31; import a shorter window (--from, --to)")
        ) {
            _ = try BusyImport.busyDays(
                in: try ICalendar(parsing: text), from: day("2027-01-01"), to: day("2027-01-31"), settings: practice, maxOccurrences: 100)
        }
        #expect(
            try BusyImport.busyDays(in: try ICalendar(parsing: text), from: day("2027-01-01"), to: day("2027-01-02"), settings: practice, maxOccurrences: 100)
                .busy.count == 38)
    }

    @Test func eventsWithoutAUIDAreKeptApartAndStableFromOneReadToTheNext() throws {
        // A one-day holiday and an eleven-day leave starting the same day, neither with a UID.
        let text = ics(
            "BEGIN:VEVENT\nDTSTAMP:20270101T000000Z\nDTSTART;VALUE=DATE:20270215\nDTEND;VALUE=DATE:20270216\nSUMMARY:Holiday\nEND:VEVENT\n"
                + "BEGIN:VEVENT\nDTSTAMP:20270101T000000Z\nDTSTART;VALUE=DATE:20270215\nDTEND;VALUE=DATE:20270226\nSUMMARY:Leave\nEND:VEVENT\n")
        let first = try BusyImport.busyDays(in: try ICalendar(parsing: text), from: day("2027-01-01"), to: day("2027-03-31"), settings: practice)
        #expect(first.busy.count == 2)
        #expect(Set(first.busy.map(\.uid)).count == 2 && first.busy.allSatisfy { $0.uid.hasPrefix("no-uid-") })
        #expect(try busy(text).last == "2027-02-25")
        let again = try BusyImport.busyDays(in: try ICalendar(parsing: text), from: day("2027-01-01"), to: day("2027-03-31"), settings: practice)
        #expect(again.busy.map(\.uid) == first.busy.map(\.uid))
    }

    @Test func aUIDNoStoreShouldKeyOnIsStoredAsADigestOfItself() throws {
        let long = String(repeating: "x", count: 300)
        for raw in [long, "a\u{1B}[31mred", "a\u{202E}b"] {
            let stored = BusyImport.storedUID(raw)
            #expect(stored.hasPrefix("uid-") && stored.count == 36 && stored == BusyImport.storedUID(raw))
        }
        #expect(BusyImport.storedUID("plain-uid@example.org") == "plain-uid@example.org")
        #expect(BusyImport.storedUID(long) != BusyImport.storedUID(long + "y"))
    }
}
