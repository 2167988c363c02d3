import Foundation
import RetreatScheduling
import Testing

@Suite struct GenerationTests {
    @Test func weeklyCountGivesConsecutiveWeeks() throws {
        let s = try series(spec(start: "2027-03-03T12:00", end: .count(5)))
        #expect(s.recurrenceDates == ["2027-03-03", "2027-03-10", "2027-03-17", "2027-03-24", "2027-03-31"].map(day))
        #expect(s.occurrences().count == 5)
        #expect(s.rruleText == "FREQ=WEEKLY;COUNT=5")
    }

    @Test func everyOtherWeek() throws {
        let s = try series(spec(start: "2027-03-03T12:00", frequency: .everyOtherWeek, end: .count(4)))
        #expect(s.recurrenceDates == ["2027-03-03", "2027-03-17", "2027-03-31", "2027-04-14"].map(day))
        #expect(s.rruleText == "FREQ=WEEKLY;INTERVAL=2;COUNT=4")
    }

    @Test func untilIsInclusiveAndWrittenInUTC() throws {
        let through = try series(spec(start: "2027-03-03T12:00", end: .until(day("2027-03-31"))))
        #expect(through.recurrenceDates.count == 5)
        #expect(through.recurrenceDates.last == day("2027-03-31"))
        // 2027-03-31 23:59:59 EDT (-4) = 2027-04-01 03:59:59 UTC.
        #expect(through.rruleText == "FREQ=WEEKLY;UNTIL=20270401T035959Z")
        let before = try series(spec(start: "2027-03-03T12:00", end: .until(day("2027-03-30"))))
        #expect(before.recurrenceDates.count == 4)
        // 2027-02-10 23:59:59 EST (-5) = 2027-02-11 04:59:59 UTC.
        let winter = try series(spec(start: "2027-01-06T12:00", frequency: .everyOtherWeek, end: .until(day("2027-02-10"))))
        #expect(winter.rruleText == "FREQ=WEEKLY;INTERVAL=2;UNTIL=20270211T045959Z")
        #expect(winter.recurrenceDates == ["2027-01-06", "2027-01-20", "2027-02-03"].map(day))
        let sameDay = try series(spec(start: "2027-03-03T12:00", end: .until(day("2027-03-03"))))
        #expect(sameDay.occurrences().count == 1)
    }

    @Test func countAndUntilAgree() throws {
        let byCount = try series(spec(start: "2027-01-12T09:00", frequency: .monthlyByWeekday, end: .count(12)))
        let byUntil = try series(spec(start: "2027-01-12T09:00", frequency: .monthlyByWeekday, end: .until(day("2027-12-14"))))
        #expect(byCount.occurrences().map(\.start) == byUntil.occurrences().map(\.start))
        let short = try series(spec(start: "2027-01-12T09:00", frequency: .monthlyByWeekday, end: .until(day("2027-12-13"))))
        #expect(short.occurrences().count == 11)
    }

    @Test func monthlySecondTuesday() throws {
        let s = try series(spec(start: "2027-01-12T09:00", frequency: .monthlyByWeekday, end: .count(12)))
        #expect(s.spec.monthlyPattern?.description == "2nd Tuesday")
        #expect(s.recurrenceDates.map(\.day) == [12, 9, 9, 13, 11, 8, 13, 10, 14, 12, 9, 14])
        #expect(s.recurrenceDates.allSatisfy { $0.weekday == .tuesday })
        #expect(s.rruleText == "FREQ=MONTHLY;BYDAY=2TU;COUNT=12")
    }

    @Test func monthlyFifthFridayBecomesLastFriday() throws {
        // 2027-01-29 is the 5th Friday of January.
        let s = try series(spec(start: "2027-01-29T15:00", frequency: .monthlyByWeekday, end: .count(6)))
        #expect(s.spec.monthlyPattern == MonthlyWeekday(of: day("2027-01-29")))
        #expect(s.spec.monthlyPattern?.ordinal == -1)
        #expect(s.spec.monthlyPattern?.description == "last Friday")
        #expect(s.recurrenceDates == ["2027-01-29", "2027-02-26", "2027-03-26", "2027-04-30", "2027-05-28", "2027-06-25"].map(day))
        #expect(s.rruleText == "FREQ=MONTHLY;BYDAY=-1FR;COUNT=6")
    }

    @Test func monthlyAcrossYearEndAndLeapFebruary() throws {
        // 2027-12-31 is the 5th (last) Friday; 2028 is a leap year.
        let s = try series(spec(start: "2027-12-31T10:00", frequency: .monthlyByWeekday, end: .count(4)))
        #expect(s.recurrenceDates == ["2027-12-31", "2028-01-28", "2028-02-25", "2028-03-31"].map(day))
        // 2027-03-31 is the 5th Wednesday: last Wednesday in 30-day months too.
        let wednesday = try series(spec(start: "2027-03-31T10:00", frequency: .monthlyByWeekday, end: .count(7)))
        #expect(wednesday.recurrenceDates == ["2027-03-31", "2027-04-28", "2027-05-26", "2027-06-30", "2027-07-28", "2027-08-25", "2027-09-29"].map(day))
        #expect(wednesday.rruleText == "FREQ=MONTHLY;BYDAY=-1WE;COUNT=7")
    }

    @Test func fourthWeekdayStaysFourthEvenWhenLast() throws {
        // 2027-01-28 is both the 4th and the last Thursday of January: it is kept as the 4th.
        let s = try series(spec(start: "2027-01-28T10:00", frequency: .monthlyByWeekday, end: .until(day("2027-12-31"))))
        #expect(s.spec.monthlyPattern?.ordinal == 4)
        #expect(s.recurrenceDates.count == 12)
        #expect(s.recurrenceDates.last == day("2027-12-23"))  // not the 30th, the last Thursday
        #expect(s.recurrenceDates[4] == day("2027-05-27"))
        #expect(s.rruleText == "FREQ=MONTHLY;BYDAY=4TH;UNTIL=20280101T045959Z")
    }

    @Test func frequencyParsing() throws {
        #expect(try SeriesFrequency.parse("week") == .weekly)
        #expect(try SeriesFrequency.parse("2weeks") == .everyOtherWeek)
        #expect(try SeriesFrequency.parse(" Month ") == .monthlyByWeekday)
        #expect(SeriesFrequency(text: "weekly") == .weekly)
        #expect(SeriesFrequency.weekly.rawValue == "week")
        #expect(
            message { _ = try SeriesFrequency.parse("fortnight") }
                == "the frequency \"fortnight\" is not known; use week, 2weeks or month.")
    }

    @Test func occurrencesAreSortedAndFilteredByCounselorDay() throws {
        let s = try series(spec(start: "2027-03-03T12:00", end: .count(10)))
        let all = s.occurrences()
        #expect(all.map(\.start) == all.map(\.start).sorted())
        let march = try s.occurrences(from: day("2027-03-10"), to: day("2027-03-24"))
        #expect(march.map(\.originalDate) == ["2027-03-10", "2027-03-17", "2027-03-24"].map(day))
        #expect(
            message { _ = try s.occurrences(from: day("2027-03-24"), to: day("2027-03-10")) }
                == "the range ends on 2027-03-10, before it starts on 2027-03-24; give an end on or after the start.")
    }
}
