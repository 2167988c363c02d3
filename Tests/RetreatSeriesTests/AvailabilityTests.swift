import Foundation
import RetreatScheduling
import Testing

/// Counselor "ann" in New York, mon-thu 10:00-18:00. Now: Monday 2027-03-01 09:00 EST.
/// Another couple's series: Wednesdays 12:00-12:50 from 2027-03-03, 4 sessions.
/// An intensive 2027-03-08...10 (Mon-Wed) with its turnover day 2027-03-11; a blackout on 2027-03-04.
@Suite struct AvailabilityTests {
    let ann: CounselorProfile
    let existing: CounselingSeries
    let planner: SessionPlanner
    let now = utc("2027-03-01T14:00:00Z")

    init() throws {
        ann = CounselorProfile(name: "ann", timeZoneIdentifier: newYork, hours: try CounselorHours(parsing: "mon-thu 10:00-18:00"))
        existing = try series("other", spec(start: "2027-03-03T12:00", end: .count(4), couple: "Other Couple"))
        let bea = try series("bea-series", spec(start: "2027-03-01T10:00", end: .count(4), counselor: "bea"))
        var settings = PracticeSettings(timeZoneIdentifier: newYork)
        settings.resources = ["ann", "bea"]
        settings.intensiveDays = 3
        settings.turnoverDays = 1
        let occupancies = [
            Occupancy(bookingID: "b1", resource: "ann", start: day("2027-03-08"), status: .confirmed, intensiveDays: 3, turnoverDays: 1),
            Occupancy(bookingID: "b2", resource: "bea", start: day("2027-03-01"), status: .confirmed, intensiveDays: 3, turnoverDays: 1),
            Occupancy(bookingID: "b3", resource: "ann", start: day("2027-03-01"), status: .cancelled, intensiveDays: 3, turnoverDays: 1),
        ]
        let blackouts = [
            Blackout(from: day("2027-03-04"), to: day("2027-03-04"), resource: "ann", reason: "Conference"),
            Blackout(from: day("2027-03-02"), to: day("2027-03-02"), resource: "bea", reason: "Leave"),
        ]
        planner = try SessionPlanner(
            settings: settings, counselor: ann, existing: [existing, bea], occupancies: occupancies,
            blackouts: blackouts, now: now)
    }

    @Test func hoursParsing() throws {
        let hours = try CounselorHours(parsing: "mon-thu 10:00-13:00 14:00-18:00; fri 10:00-14:00; thu 12:30-15:00")
        #expect(hours.periods(on: .monday).map(\.description) == ["10:00-13:00", "14:00-18:00"])
        #expect(hours.periods(on: .thursday).map(\.description) == ["10:00-18:00"])  // merged
        #expect(hours.periods(on: .saturday).isEmpty)
        #expect(try CounselorHours(parsing: "fri-mon 09:00-12:00").periods.keys.sorted() == [.monday, .friday, .saturday, .sunday])
        #expect(try CounselorHours(parsing: "Mon,wed 09:00-12:00").periods.keys.sorted() == [.monday, .wednesday])
        #expect(hours.description == "mon 10:00-13:00 14:00-18:00; tue 10:00-13:00 14:00-18:00; wed 10:00-13:00 14:00-18:00; thu 10:00-18:00; fri 10:00-14:00")
        #expect(
            message { _ = try CounselorHours(parsing: "mon-thu 18:00-10:00") }
                == "working hours entry \"mon-thu 18:00-10:00\": \"18:00-10:00\" is not a period such as \"10:00-18:00\" (HH:MM-HH:MM, end after start).")
        #expect(
            message { _ = try CounselorHours(parsing: "someday 10:00-12:00") }
                == "working hours entry \"someday 10:00-12:00\": \"someday\" is not a weekday, list or range such as \"mon-thu\" or \"mon,wed\".")
        #expect(
            message { _ = try CounselorHours(parsing: "") }
                == "the working hours are empty; give at least one weekday with hours, such as \"mon-thu 10:00-18:00\".")
    }

    @Test func freeStartsAroundSessionsHoursAndBlockedDays() throws {
        let starts = try planner.freeStarts(lengthMinutes: 50, from: day("2027-03-01"), to: day("2027-03-12"))
        let byDay = Dictionary(grouping: starts, by: \.day)
        // Mon/Tue: 10:00 ... 17:00 every 15 minutes (17:00 + 50 min = 17:50 ≤ 18:00).
        #expect(byDay[day("2027-03-01")]?.count == 29)
        #expect(byDay[day("2027-03-01")]?.first == at("2027-03-01T10:00"))
        #expect(byDay[day("2027-03-01")]?.last == at("2027-03-01T17:00"))
        #expect(byDay[day("2027-03-02")]?.count == 29)  // bea's blackout does not apply
        // Wednesday: the 12:00-12:50 session plus a 10-minute buffer blocks 11:15 ... 12:45.
        let wednesday = try #require(byDay[day("2027-03-03")])
        #expect(wednesday.count == 22)
        #expect(wednesday.contains(at("2027-03-03T11:00")))
        #expect(!wednesday.contains(at("2027-03-03T11:15")))
        #expect(!wednesday.contains(at("2027-03-03T12:45")))
        #expect(wednesday.contains(at("2027-03-03T13:00")))
        #expect(byDay[day("2027-03-04")] == nil)  // blackout
        #expect(byDay[day("2027-03-05")] == nil)  // no hours on Friday
        for d in ["2027-03-08", "2027-03-09", "2027-03-10", "2027-03-11"] {
            #expect(byDay[day(d)] == nil)  // intensive days and the turnover day
        }
        #expect(starts == starts.sorted())
        #expect(starts.count == 29 + 29 + 22)
    }

    @Test func freeStartsSkipThePastAndHonourBuffer() throws {
        let midday = try SessionPlanner(counselor: ann, existing: [existing], intensiveDays: [], now: utc("2027-03-01T17:20:00Z"))
        let monday = try midday.freeStarts(lengthMinutes: 50, from: day("2027-03-01"), to: day("2027-03-01"))
        #expect(monday.first == at("2027-03-01T12:30"))
        let noBuffer = try SessionPlanner(counselor: ann, existing: [existing], intensiveDays: [], now: now, bufferMinutes: 0)
        let wednesday = try noBuffer.freeStarts(lengthMinutes: 50, from: day("2027-03-03"), to: day("2027-03-03"), stepMinutes: 10)
        #expect(wednesday.contains(at("2027-03-03T11:10")))
        #expect(!wednesday.contains(at("2027-03-03T11:20")))
        #expect(wednesday.contains(at("2027-03-03T12:50")))
    }

    @Test func freeStartsOnTheSpringForwardNight() throws {
        let night = CounselorProfile(name: "ann", timeZoneIdentifier: newYork, hours: try CounselorHours(parsing: "sun 01:00-04:00"))
        let planner = try SessionPlanner(counselor: night, existing: [], intensiveDays: [], now: now, bufferMinutes: 0)
        let starts = try planner.freeStarts(lengthMinutes: 60, from: day("2027-03-14"), to: day("2027-03-14"))
        #expect(starts.map(\.time.description) == ["01:00", "01:15", "01:30", "01:45", "03:00"])
    }

    @Test func freeStartsRejectBadInput() {
        #expect(
            message { _ = try planner.freeStarts(lengthMinutes: 0, from: day("2027-03-01"), to: day("2027-03-02")) }
                == "the session length is 0 minutes; choose a length from 10 to 240 minutes.")
        #expect(
            message { _ = try planner.freeStarts(lengthMinutes: 50, from: day("2027-03-02"), to: day("2027-03-01")) }
                == "the range ends on 2027-03-01, before it starts on 2027-03-02; give an end on or after the start.")
        #expect(
            message { _ = try planner.freeStarts(lengthMinutes: 50, from: day("2027-03-01"), to: day("2028-03-01")) }
                == "the range covers 367 days; ask for at most 366 days at a time.")
        #expect(
            message { _ = try planner.freeStarts(lengthMinutes: 50, from: day("2027-03-01"), to: day("2027-03-01"), stepMinutes: 0) }
                == "the step is 0 minutes; use a step from 5 to 240 minutes.")
        #expect(
            message { _ = try SessionPlanner(counselor: ann, existing: [], intensiveDays: [], now: now, bufferMinutes: -5) }
                == "the buffer is -5 minutes; use a buffer from 0 to 240 minutes.")
        let lost = CounselorProfile(name: "ann", timeZoneIdentifier: "Nowhere/City", hours: ann.hours)
        #expect(
            message { _ = try SessionPlanner(counselor: lost, existing: [], intensiveDays: [], now: now) }
                == "counselor zone \"Nowhere/City\" is not a known IANA time zone; use a region name such as \"America/New_York\" or \"Europe/London\".")
    }

    @Test func collisionsNameEveryReason() throws {
        // Wednesdays 12:30 from 2027-02-24: past, overlap, intensive + overlap, overlap.
        let wednesdays = try planner.collisions(for: spec(start: "2027-02-24T12:30", end: .count(4)))
        #expect(wednesdays.map(\.originalDate) == ["2027-02-24", "2027-03-03", "2027-03-10", "2027-03-17"].map(day))
        #expect(wednesdays.map(\.reasons) == [[.past], [.overlap], [.intensiveDay, .overlap], [.overlap]])
        #expect(wednesdays[0].conflicts[0].message == "2027-02-24 12:30-13:20 is in the past (it is now 2027-03-01 09:00 in America/New_York)")
        #expect(wednesdays[1].conflicts[0].message == "2027-03-03 12:30-13:20 overlaps another session on 2027-03-03 12:00-12:50")
        #expect(wednesdays[2].conflicts[0].message == "2027-03-10 12:30-13:20 is on 2027-03-10, when the counselor runs an intensive")
        #expect(wednesdays[3].start == utc("2027-03-17T16:30:00Z"))
        #expect(wednesdays[3].localStart == at("2027-03-17T12:30"))

        // Thursdays 17:30 from 2027-03-04: past the end of hours every time, plus the blackout and the turnover day.
        let thursdays = try planner.collisions(for: spec(start: "2027-03-04T17:30", end: .count(3)))
        #expect(thursdays.map(\.reasons) == [[.outsideWorkingHours, .blackout], [.outsideWorkingHours, .turnoverDay], [.outsideWorkingHours]])
        #expect(
            thursdays[0].conflicts.map(\.message) == [
                "2027-03-04 17:30-18:20 is outside the counselor's working hours (Thursday hours 10:00-18:00)",
                "2027-03-04 17:30-18:20 falls in a blackout (2027-03-04: Conference)",
            ])
        #expect(thursdays[1].conflicts[1].message == "2027-03-11 17:30-18:20 is on 2027-03-11, a turnover day after one of the counselor's intensives")

        let friday = try planner.collisions(for: spec(start: "2027-03-05T10:00", end: .count(1)))
        #expect(friday.first?.conflicts.map(\.message) == ["2027-03-05 10:00-10:50 is outside the counselor's working hours (no working hours on Friday)"])

        let close = try planner.collisions(for: spec(start: "2027-03-03T12:55", end: .count(1)))
        #expect(close.first?.conflicts.map(\.message) == ["2027-03-03 12:55-13:45 is less than 10 minutes from another session on 2027-03-03 12:00-12:50"])

        #expect(try planner.collisions(for: spec(start: "2027-03-03T13:00", end: .count(1))).isEmpty)
        #expect(try planner.collisions(for: spec(start: "2027-03-02T10:00", end: .count(1))).isEmpty)
    }

    @Test func collisionMessagesNeverNameACouple() throws {
        let all =
            try planner.collisions(for: spec(start: "2027-02-24T12:30", end: .count(4), couple: "Jo & Max Example"))
            + planner.collisions(for: spec(start: "2027-03-04T17:30", end: .count(3)))
        let messages = all.flatMap(\.conflicts).map(\.message)
        #expect(messages.count == 10)
        #expect(messages.allSatisfy { !$0.contains("Jo") && !$0.contains("Max") && !$0.contains("Other Couple") })
    }

    @Test func storedSeriesIsCheckedWithoutItselfButAgainstItsOwnSessions() throws {
        #expect(try planner.collisions(for: existing).map(\.reasons) == [[.intensiveDay]])
        let clash = try existing.moving(day("2027-03-17"), to: at("2027-03-24T12:20"))
        let found = try planner.collisions(for: clash)
        let march24 = try #require(found.first { $0.localStart == at("2027-03-24T12:00") })
        #expect(march24.conflicts.map(\.message) == ["2027-03-24 12:00-12:50 overlaps another session of this series on 2027-03-24 12:20-13:10"])
    }

    @Test func practiceWideBlackoutsApplyToo() throws {
        let closed = Blackout(from: day("2027-03-01"), to: day("2027-03-02"), resource: nil, reason: "Practice closed")
        let p = try SessionPlanner(counselor: ann, existing: [], intensiveDays: [], blackouts: [closed], now: now)
        #expect(try p.freeStarts(lengthMinutes: 50, from: day("2027-03-01"), to: day("2027-03-02")).isEmpty)
        #expect(
            p.conflicts(at: at("2027-03-02T10:00"), lengthMinutes: 50).map(\.message)
                == ["2027-03-02 10:00-10:50 falls in a blackout (2027-03-01 to 2027-03-02: Practice closed)"])
        #expect(p.today == day("2027-03-01"))
    }

    @Test func singleTimeCheckAndCounselorMismatch() throws {
        #expect(planner.conflicts(at: at("2027-03-02T11:00"), lengthMinutes: 50).isEmpty)
        #expect(planner.conflicts(at: at("2027-03-03T12:00"), lengthMinutes: 50).map(\.reason) == [.overlap])
        #expect(planner.conflicts(at: at("2027-03-03T12:00"), lengthMinutes: 50, ignoringSeries: "other").isEmpty)
        #expect(
            message { _ = try planner.collisions(for: spec(start: "2027-03-02T10:00", counselor: "bea")) }
                == "the series is for counselor \"bea\" but the availability is for \"ann\"; check it against its own counselor's availability.")
    }
}
