import Foundation
import RetreatScheduling
import Testing

// MARK: - Shared test helpers

/// A day from a literal known to be valid.
func d(_ iso: String) -> CalendarDay {
    CalendarDay(iso: iso)!
}

/// An instant given as a UTC day and time.
func utc(_ iso: String, _ hour: Int, _ minute: Int = 0, _ second: Int = 0) -> Date {
    Date(timeIntervalSince1970: TimeInterval(d(iso).daysSinceEpoch * 86_400 + hour * 3600 + minute * 60 + second))
}

/// Deterministic generator (SplitMix64) so randomised tests are reproducible.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

// MARK: - Tests

@Test func componentInitialiserRejectsImpossibleDates() {
    #expect(CalendarDay(year: 2027, month: 2, day: 29) == nil)
    #expect(CalendarDay(year: 2028, month: 2, day: 29) != nil)
    #expect(CalendarDay(year: 1900, month: 2, day: 29) == nil)
    #expect(CalendarDay(year: 2000, month: 2, day: 29) != nil)
    #expect(CalendarDay(year: 2027, month: 4, day: 31) == nil)
    #expect(CalendarDay(year: 2027, month: 13, day: 1) == nil)
    #expect(CalendarDay(year: 2027, month: 0, day: 1) == nil)
    #expect(CalendarDay(year: 2027, month: 1, day: 0) == nil)
    #expect(CalendarDay(year: 0, month: 1, day: 1) == nil)
    #expect(CalendarDay(year: 2027, month: 12, day: 31)?.description == "2027-12-31")
}

@Test func isoParsingIsStrict() {
    #expect(CalendarDay(iso: "2026-02-30") == nil)
    #expect(CalendarDay(iso: "2027-02-29") == nil)
    #expect(CalendarDay(iso: "2026-1-5") == nil)
    #expect(CalendarDay(iso: "2026-01-5") == nil)
    #expect(CalendarDay(iso: "x") == nil)
    #expect(CalendarDay(iso: "") == nil)
    #expect(CalendarDay(iso: " 2026-01-05") == nil)
    #expect(CalendarDay(iso: "2026-01-05 ") == nil)
    #expect(CalendarDay(iso: "2026/01/05") == nil)
    #expect(CalendarDay(iso: "+026-01-05") == nil)
    #expect(CalendarDay(iso: "2026-01-05T00:00") == nil)
    #expect(CalendarDay(iso: "２０２６-01-05") == nil)
    #expect(CalendarDay(iso: "0000-01-01") == nil)
    #expect(CalendarDay(iso: "2028-02-29") == CalendarDay(year: 2028, month: 2, day: 29))
    let parsed = CalendarDay(iso: "2026-01-05")
    #expect(parsed?.year == 2026 && parsed?.month == 1 && parsed?.day == 5)
}

@Test func descriptionIsZeroPadded() {
    #expect(CalendarDay(year: 5, month: 1, day: 2)?.description == "0005-01-02")
    #expect(d("2027-03-09").description == "2027-03-09")
}

@Test func epochAnchors() {
    #expect(d("1970-01-01").daysSinceEpoch == 0)
    #expect(d("1969-12-31").daysSinceEpoch == -1)
    #expect(d("2000-03-01").daysSinceEpoch == 11_017)
    #expect(CalendarDay(daysSinceEpoch: 0) == d("1970-01-01"))
    #expect(CalendarDay(daysSinceEpoch: -1) == d("1969-12-31"))
    #expect(d("1970-01-01").weekday == .thursday)
    #expect(d("2027-03-01").weekday == .monday)
    #expect(d("2027-03-07").weekday == .sunday)
    #expect(d("1969-12-29").weekday == .monday)
}

@Test func dayArithmeticAcrossYearEndAndLeapDay() {
    #expect(d("2027-12-31").adding(days: 1) == d("2028-01-01"))
    #expect(d("2028-01-01").adding(days: -1) == d("2027-12-31"))
    #expect(d("2028-02-28").adding(days: 1) == d("2028-02-29"))
    #expect(d("2027-02-28").adding(days: 1) == d("2027-03-01"))
    #expect(d("2027-12-30").days(until: d("2028-01-01")) == 2)
    #expect(d("2028-01-01").days(until: d("2027-12-30")) == -2)
    #expect(d("2028-02-28").days(until: d("2028-03-01")) == 2)
    #expect(d("2027-01-01").days(until: d("2028-01-01")) == 365)
    #expect(d("2028-01-01").days(until: d("2029-01-01")) == 366)
}

@Test func monthArithmeticClampsToMonthEnd() {
    #expect(d("2027-01-31").adding(months: 1) == d("2027-02-28"))
    #expect(d("2028-01-31").adding(months: 1) == d("2028-02-29"))
    #expect(d("2027-03-31").adding(months: -1) == d("2027-02-28"))
    #expect(d("2027-05-31").adding(months: 1) == d("2027-06-30"))
    #expect(d("2027-12-15").adding(months: 1) == d("2028-01-15"))
    #expect(d("2027-01-15").adding(months: -13) == d("2025-12-15"))
    #expect(d("2028-02-29").adding(months: 12) == d("2029-02-28"))
    #expect(d("2027-02-01").adding(months: 120) == d("2037-02-01"))
    #expect(d("2027-02-01").adding(months: 0) == d("2027-02-01"))
}

@Test func comparisonAndCodable() throws {
    #expect(d("2027-12-31") < d("2028-01-01"))
    #expect([d("2027-03-02"), d("2027-03-01")].sorted() == [d("2027-03-01"), d("2027-03-02")])
    let data = try JSONEncoder().encode([d("2027-03-01")])
    #expect(String(decoding: data, as: UTF8.self) == "[\"2027-03-01\"]")
    #expect(try JSONDecoder().decode([CalendarDay].self, from: data) == [d("2027-03-01")])
    #expect(throws: DecodingError.self) {
        _ = try JSONDecoder().decode([CalendarDay].self, from: Data("[\"2027-02-29\"]".utf8))
    }
}

@Test func weekdayNames() {
    #expect(Weekday(name: "mon") == .monday)
    #expect(Weekday(name: "Mon") == .monday)
    #expect(Weekday(name: "monday") == .monday)
    #expect(Weekday(name: "MONDAY") == .monday)
    #expect(Weekday(name: " Sun ") == .sunday)
    #expect(Weekday(name: "thursday") == .thursday)
    #expect(Weekday(name: "mo") == nil)
    #expect(Weekday(name: "funday") == nil)
    #expect(Weekday(name: "") == nil)
    #expect(Weekday.allCases.map(\.shortName) == ["mon", "tue", "wed", "thu", "fri", "sat", "sun"])
    #expect(Weekday.sunday.name == "Sunday")
    #expect(Weekday.monday < Weekday.sunday)
}

@Test func arithmeticMatchesFoundationForRandomDates() throws {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = try #require(TimeZone(identifier: "UTC"))
    var rng = SeededGenerator(seed: 20_270_301)
    for _ in 0..<2000 {
        // Roughly 1640...2380: Gregorian in Foundation too.
        let n = Int.random(in: -120_000...150_000, using: &rng)
        let day = CalendarDay(daysSinceEpoch: n)
        let date = Date(timeIntervalSince1970: TimeInterval(n) * 86_400)
        let parts = calendar.dateComponents([.year, .month, .day, .weekday], from: date)
        #expect(parts.year == day.year && parts.month == day.month && parts.day == day.day, "day \(n)")
        // Foundation weekday: 1 = Sunday ... 7 = Saturday.
        #expect(((parts.weekday ?? 0) + 5) % 7 + 1 == day.weekday.rawValue, "weekday of \(day)")
        #expect(CalendarDay(year: day.year, month: day.month, day: day.day)?.daysSinceEpoch == n)
        #expect(CalendarDay(iso: day.description) == day)

        let deltaDays = Int.random(in: -1000...1000, using: &rng)
        let byDays = try #require(calendar.date(byAdding: .day, value: deltaDays, to: date))
        #expect(day.adding(days: deltaDays).daysSinceEpoch == Int(byDays.timeIntervalSince1970 / 86_400))
        #expect(day.days(until: day.adding(days: deltaDays)) == deltaDays)

        let deltaMonths = Int.random(in: -40...40, using: &rng)
        let byMonths = try #require(calendar.date(byAdding: .month, value: deltaMonths, to: date))
        #expect(
            day.adding(months: deltaMonths).daysSinceEpoch == Int(byMonths.timeIntervalSince1970 / 86_400),
            "\(day) + \(deltaMonths) months")
    }
}

@Test func todayAndFirstInstantAroundSpringForward() throws {
    let newYork = try #require(TimeZone(identifier: "America/New_York"))
    // 2027-03-14: clocks jump from 02:00 EST to 03:00 EDT (07:00 UTC).
    #expect(d("2027-03-14").firstInstant(in: newYork) == utc("2027-03-14", 5))
    #expect(d("2027-03-15").firstInstant(in: newYork) == utc("2027-03-15", 4))
    #expect(d("2027-03-14").firstInstant(in: newYork).distance(to: d("2027-03-15").firstInstant(in: newYork)) == 23 * 3600)
    #expect(CalendarDay.today(at: utc("2027-03-14", 4, 59, 59), in: newYork) == d("2027-03-13"))
    #expect(CalendarDay.today(at: utc("2027-03-14", 5), in: newYork) == d("2027-03-14"))
    #expect(CalendarDay.today(at: utc("2027-03-14", 6, 59, 59), in: newYork) == d("2027-03-14"))
    #expect(CalendarDay.today(at: utc("2027-03-14", 7), in: newYork) == d("2027-03-14"))
    #expect(CalendarDay.today(at: utc("2027-03-15", 3, 59, 59), in: newYork) == d("2027-03-14"))
    #expect(CalendarDay.today(at: utc("2027-03-15", 4), in: newYork) == d("2027-03-15"))
}

@Test func todayAndFirstInstantAroundFallBack() throws {
    let newYork = try #require(TimeZone(identifier: "America/New_York"))
    // 2027-11-07: clocks fall back from 02:00 EDT to 01:00 EST (06:00 UTC).
    #expect(d("2027-11-07").firstInstant(in: newYork) == utc("2027-11-07", 4))
    #expect(d("2027-11-08").firstInstant(in: newYork) == utc("2027-11-08", 5))
    #expect(d("2027-11-07").firstInstant(in: newYork).distance(to: d("2027-11-08").firstInstant(in: newYork)) == 25 * 3600)
    #expect(CalendarDay.today(at: utc("2027-11-07", 3, 59, 59), in: newYork) == d("2027-11-06"))
    #expect(CalendarDay.today(at: utc("2027-11-07", 4), in: newYork) == d("2027-11-07"))
    #expect(CalendarDay.today(at: utc("2027-11-08", 4), in: newYork) == d("2027-11-07"))
    #expect(CalendarDay.today(at: utc("2027-11-08", 4, 59, 59), in: newYork) == d("2027-11-07"))
    #expect(CalendarDay.today(at: utc("2027-11-08", 5), in: newYork) == d("2027-11-08"))
}

@Test func firstInstantWhenMidnightIsSkipped() throws {
    // Brazil began DST at local midnight on 2018-11-04: 00:00 -03 became 01:00 -02 (03:00 UTC).
    let saoPaulo = try #require(TimeZone(identifier: "America/Sao_Paulo"))
    #expect(d("2018-11-04").firstInstant(in: saoPaulo) == utc("2018-11-04", 3))
    #expect(d("2018-11-03").firstInstant(in: saoPaulo) == utc("2018-11-03", 3))
    #expect(CalendarDay.today(at: utc("2018-11-04", 2, 59, 59), in: saoPaulo) == d("2018-11-03"))
    #expect(CalendarDay.today(at: utc("2018-11-04", 3), in: saoPaulo) == d("2018-11-04"))
}

@Test func firstInstantRoundTripsEveryDayOfAYear() throws {
    for identifier in ["America/New_York", "Europe/London", "Australia/Lord_Howe", "Pacific/Apia", "UTC"] {
        let zone = try #require(TimeZone(identifier: identifier))
        var day = d("2027-01-01")
        while day <= d("2027-12-31") {
            let first = day.firstInstant(in: zone)
            #expect(CalendarDay.today(at: first, in: zone) == day, "\(identifier) \(day)")
            #expect(CalendarDay.today(at: first.addingTimeInterval(-1), in: zone) == day.adding(days: -1), "\(identifier) \(day)")
            day = day.adding(days: 1)
        }
    }
}
