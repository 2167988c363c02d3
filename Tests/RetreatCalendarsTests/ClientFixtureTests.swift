import Foundation
import RetreatICal
import RetreatScheduling
import Testing

@testable import RetreatCalendars

/// The client-style calendars under Fixtures/calendars (see its README for the reasoning behind each list).
@Suite struct ClientFixtureTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures/calendars")

    static let expected: [(String, [String])] = [
        (
            "01_google_chicago_floating.ics",
            ["01-01", "01-02", "01-03", "01-05", "01-12", "01-14", "01-19", "01-26", "01-27", "02-08", "02-09", "02-10", "03-03", "03-10", "03-17"]
        ),
        ("02_outlook_desktop_eastern_vtimezone.ics", ["01-06", "01-18", "01-19", "02-24", "03-03", "03-10", "03-17", "03-24"]),
        ("03_exchange_owa_display_name_tzid.ics", ["02-02", "02-04", "02-05", "02-11", "02-12", "03-18"]),
        ("04_exchange_w_europe_series_override_exdate.ics", ["01-12", "01-19", "02-02", "02-11", "02-23", "03-02", "03-09", "03-18", "03-25"]),
        ("05_apple_los_angeles.ics", ["01-28", "02-10", "03-22", "03-23", "03-24", "03-25", "03-26"]),
        ("06_thunderbird_rdate_transparent.ics", ["01-13", "02-03", "02-15", "02-22", "02-26", "03-01", "03-08", "03-09", "03-17"]),
        ("07_nextcloud_cancelled_todo_journal.ics", ["02-05", "02-19", "02-26", "03-03"]),
        ("08_utc_crossing_midnight.ics", ["01-08", "01-09", "02-18", "03-16"]),
        ("09_dst_switch_day.ics", ["03-14"]),
    ]

    @Test(arguments: expected.map { $0.0 })
    func importsTheDocumentedDays(_ name: String) throws {
        let want = Self.expected.first { $0.0 == name }?.1.map { "2027-" + $0 } ?? []
        let cal = try ICalendar(contentsOf: Self.fixtures.appendingPathComponent(name))
        let result = try BusyImport.busyDays(in: cal, from: day("2027-01-01"), to: day("2027-03-31"), settings: practice)
        let got = Set(result.busy.compactMap(\.days).flatMap { d in (0...d.lowerBound.days(until: d.upperBound)).map { d.lowerBound.adding(days: $0).description } }).sorted()
        #expect(got == want)
    }

    @Test func hostileFilesFailClearlyOrStayBounded() throws {
        let hostile = Self.fixtures.appendingPathComponent("hostile")
        // No end: expanded only within the window.
        let endless = try ICalendar(contentsOf: hostile.appendingPathComponent("endless_daily_rrule.ics"))
        let days = try BusyImport.busyDays(in: endless, from: day("2027-01-01"), to: day("2027-03-31"), settings: practice)
        #expect(days.busy.count == 90)
        // A huge COUNT stops at the occurrence cap with an error naming the event, quickly.
        let huge = try ICalendar(contentsOf: hostile.appendingPathComponent("huge_count_minutely.ics"))
        let clock = ContinuousClock()
        let elapsed = clock.measure {
            #expect(throws: ICalError.self) { try BusyImport.busyDays(in: huge, from: day("2027-01-01"), to: day("2027-03-31"), settings: practice) }
        }
        #expect(elapsed < .seconds(20))
        // Truncated and bad UTF-8: an error with the line, nothing imported.
        for (file, code) in [("truncated_mid_vevent.ics", ICalError.Code.malformed), ("invalid_utf8_summary.ics", .invalidUTF8)] {
            do {
                _ = try ICalendar(contentsOf: hostile.appendingPathComponent(file))
                Issue.record("\(file) was accepted")
            } catch {
                #expect(error.code == code)
                #expect(error.line != nil)
            }
        }
    }
}
