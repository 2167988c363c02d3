import Foundation
import Testing

@testable import RetreatICal

/// The recurrence cases of issue 16 (Fixtures/calendars/fidelity, explained in Fixtures/calendars/README.md).
@Suite struct FidelityTests {
    func calendar(_ name: String) throws(ICalError) -> ICalendar {
        try ICalendar(contentsOf: fixtures.appendingPathComponent("calendars/fidelity/\(name)"))
    }

    /// (start, end) instants of every occurrence in a wide window.
    func spans(_ name: String, uid: String? = nil) throws -> [[Date]] {
        try calendar(name).occurrences(in: wideWindow, floatingTimeZone: ny)
            .filter { uid == nil || $0.uid == uid }.map { [$0.startInstant, $0.endInstant] }
    }

    func allDayDates(_ name: String, floating: String = ny) throws -> [String] {
        let window = DateInterval(start: utc(2020, 1, 1, 0), end: utc(2035, 1, 1, 0))
        return try calendar(name).occurrences(in: window, floatingTimeZone: floating).map { "\($0.start.date)" }
    }

    @Test func rdatePeriodsKeepTheirOwnEndOrDuration() throws {
        #expect(
            try spans("rdate_period.ics") == [
                [utc(2027, 1, 4, 15), utc(2027, 1, 4, 16)],  // DTSTART 10:00–11:00 EST
                [utc(2027, 1, 6, 18), utc(2027, 1, 6, 22)],  // period 13:00–17:00 EST, not the master's hour
                [utc(2027, 1, 8, 15), utc(2027, 1, 8, 15, 30)],  // period 15:00Z/PT30M
            ])
    }

    @Test func thisAndFutureMovesEveryLaterInstanceAndTakesItsLength() throws {
        #expect(
            try spans("this_and_future.ics") == [
                [utc(2027, 1, 4, 15), utc(2027, 1, 4, 16)],
                [utc(2027, 1, 11, 15), utc(2027, 1, 11, 16)],
                // From the 18th on: a day later at 14:00, two hours long.
                [utc(2027, 1, 19, 19), utc(2027, 1, 19, 21)],
                [utc(2027, 1, 26, 19), utc(2027, 1, 26, 21)],
                [utc(2027, 2, 2, 19), utc(2027, 2, 2, 21)],
                [utc(2027, 2, 9, 19), utc(2027, 2, 9, 21)],
            ])
        let occ = try calendar("this_and_future.ics").occurrences(in: wideWindow)
        // Each keeps its own original start as its RECURRENCE-ID, so re-imports stay idempotent.
        #expect(occ.map(\.recurrenceInstant).suffix(2) == [utc(2027, 2, 1, 15), utc(2027, 2, 8, 15)])
    }

    @Test func severalRRulesAreUnited() throws {
        let starts = try spans("two_rrules.ics").map { $0[0] }
        #expect(starts == [utc(2027, 1, 4, 14), utc(2027, 1, 7, 14), utc(2027, 1, 11, 14), utc(2027, 1, 14, 14), utc(2027, 1, 18, 14)])
    }

    @Test func dtstartIsAlwaysTheFirstInstance() throws {
        // Monday DTSTART, rule on Thursdays and Fridays until the 16th: the Monday counts too.
        #expect(
            try spans("dtstart_not_in_rule.ics", uid: "until@fixture").map { $0[0] } == [
                utc(2027, 1, 4, 15), utc(2027, 1, 7, 15), utc(2027, 1, 8, 15), utc(2027, 1, 14, 15), utc(2027, 1, 15, 15),
            ])
        // With COUNT=3 the Monday is the first of the three (RFC 5545 §3.3.10).
        #expect(
            try spans("dtstart_not_in_rule.ics", uid: "count@fixture").map { $0[0] } == [
                utc(2027, 1, 4, 17), utc(2027, 1, 7, 17), utc(2027, 1, 14, 17),
            ])
    }

    @Test(arguments: [ny, "Europe/Berlin", "Pacific/Auckland", "America/Los_Angeles"])
    func allDayOverrideWithDateTimeRecurrenceIDMatchesInAnyZone(_ practiceZone: String) throws {
        // Outlook: RECURRENCE-ID;TZID=W. Europe Standard Time:20270112T000000 on a DATE series moves the 12th to the 13th.
        let cal = try calendar("allday_datetime_recurrence_id.ics")
        let window = DateInterval(start: utc(2026, 12, 1, 0), end: utc(2027, 3, 1, 0))
        let occ = try cal.occurrences(in: window, floatingTimeZone: practiceZone)
        #expect(occ.map { "\($0.start.date)" } == ["2027-01-05", "2027-01-13", "2027-01-19", "2027-01-26"])
        #expect(occ.map(\.isOverride) == [false, true, false, false])
    }

    @Test func theHighestSequenceRevisionWinsWithItsOwnOverrides() throws {
        #expect(
            try spans("revisions.ics") == [
                [utc(2027, 1, 6, 15), utc(2027, 1, 6, 16)],
                [utc(2027, 1, 14, 20), utc(2027, 1, 14, 21)],
            ])
    }

    @Test(arguments: ["outlook_allday_utc_until_london.ics", "outlook_allday_utc_until_no_vtimezone.ics"])
    func outlookUTCUntilOnAnAllDaySeriesIncludesItsLastDay(_ file: String) throws {
        // UNTIL=20240728T230000Z is midnight of Monday 29 July in London: the 29th is the last day.
        for zone in [ny, "Europe/London", "Asia/Tokyo"] {
            #expect(try allDayDates(file, floating: zone) == ["2024-07-25", "2024-07-26", "2024-07-27", "2024-07-28", "2024-07-29"], "\(zone)")
        }
    }

    @Test(arguments: [("unreadable_rrule.ics", "COUNTT"), ("negative_count.ics", "COUNT=-2")])
    func anUnreadableRRuleRefusesTheFileNamingTheLineAndEvent(_ c: (String, String)) throws {
        do {
            _ = try calendar(c.0)
            Issue.record("\(c.0) was accepted")
        } catch {
            #expect(error.code == .malformed)
            #expect(error.line == 26)  // the RRULE line
            #expect(error.message.contains("weekly@fixture") || error.message.contains("negative@fixture"))
            #expect(error.message.contains(c.1), "\(error)")
            #expect(error.description.hasPrefix("line 26: RRULE"))
        }
    }

    @Test(arguments: [
        "FREQ=WEEKLY;COUNT=3", "FREQ=MONTHLY;BYDAY=-1FR;UNTIL=20271231", "FREQ=YEARLY;BYMONTH=3;BYDAY=2SU",
        "freq=daily;interval=2;byhour=9,17;wkst=MO", "FREQ=MONTHLY;BYMONTHDAY=-1,15;BYSETPOS=1",
    ])
    func wellFormedRulesPassTheCheck(_ rule: String) {
        #expect(RecurrenceRuleCheck.problem(in: rule) == nil)
    }

    @Test(arguments: [
        "FREQ=WEEKLY;COUNT=0", "FREQ=FORTNIGHTLY", "COUNT=3", "FREQ=DAILY;COUNT=2;UNTIL=20270101", "FREQ=DAILY;BYDAY=XX",
        "FREQ=DAILY;INTERVAL=-1", "FREQ=DAILY;BYHOUR=24", "FREQ=DAILY;FREQ=WEEKLY", "FREQ=DAILY;;", "FREQ=DAILY;UNTIL=20270230",
    ])
    func malformedRulesAreNamed(_ rule: String) {
        #expect(RecurrenceRuleCheck.problem(in: rule) != nil, "\(rule)")
    }

    @Test(arguments: [
        "FREQ=MINUTELY;BYMONTH=2;BYMONTHDAY=30", "FREQ=HOURLY;BYMONTH=4,6;BYMONTHDAY=31", "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=-30",
        "FREQ=SECONDLY;BYYEARDAY=1;BYMONTH=2", "FREQ=YEARLY;BYYEARDAY=-366;BYMONTH=2",
    ])
    func rulesNoDateCanSatisfyAreRefused(_ rule: String) {
        let reason = RecurrenceRuleCheck.problem(in: rule)
        #expect(reason?.contains("never occurs") == true, "\(rule): \(reason ?? "nil")")
    }

    @Test func subDailyRulesWhoseDatesAreYearsApartAreRefusedAndOrdinaryOnesPass() {
        #expect(RecurrenceRuleCheck.problem(in: "FREQ=MINUTELY;BYMONTH=2;BYMONTHDAY=29")?.contains("days apart") == true)
        #expect(RecurrenceRuleCheck.problem(in: "FREQ=SECONDLY;BYMONTHDAY=1")?.contains("FREQ=SECONDLY") == true)
        for rule in [
            "FREQ=HOURLY;BYMONTH=2;BYMONTHDAY=29", "FREQ=MINUTELY;BYMONTH=2", "FREQ=SECONDLY;BYDAY=MO",
            "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29", "FREQ=DAILY;BYMONTHDAY=-1;BYMONTH=2", "FREQ=YEARLY;BYYEARDAY=366",
            "FREQ=MINUTELY;INTERVAL=15;BYMONTH=1;BYMONTHDAY=1",
        ] {
            #expect(RecurrenceRuleCheck.problem(in: rule) == nil, "\(rule)")
        }
    }

    @Test func aVTimezoneWithSecondlyRulesFailsFastWithAClearError() throws {
        let url = fixtures.appendingPathComponent("calendars/hostile/vtimezone_secondly.ics")
        let cal = try ICalendar(contentsOf: url)
        do {
            _ = try cal.occurrences(in: wideWindow)
            Issue.record("a FREQ=SECONDLY VTIMEZONE was expanded")
        } catch {
            #expect(error.code == .tooManyOccurrences)
            #expect(error.message.contains("VTIMEZONE \"Hostile/Seconds\""), "\(error)")
            #expect(error.message.contains("20000"))
        }
    }

    @Test func expansionIsBoundedInTime() throws {
        let text =
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:t@r\r\nDTSTAMP:20270101T000000Z\r\nDTSTART:20200101T000000Z\r\nRRULE:FREQ=HOURLY\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
        let cal = try ICalendar(parsing: text)
        // A zero time budget: the first look at the clock stops it, with the limit named.
        let limits = ICalExpansionLimits(maxOccurrencesPerEvent: 1_000_000, maxIterationsPerEvent: 10_000_000, maxDuration: .zero)
        #expect(throws: ICalError.self) { try cal.occurrences(in: wideWindow, limits: limits) }
        do {
            _ = try cal.occurrences(in: wideWindow, limits: limits)
        } catch {
            #expect(error.message.contains("took longer than"))
        }
    }
}
