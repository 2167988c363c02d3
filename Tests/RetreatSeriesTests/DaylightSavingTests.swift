import Foundation
import RetreatScheduling
import Testing

/// Counselor in New York at 12:00 every Wednesday; partners in London and Sydney.
/// 2027: US clocks go forward Sun 03-14 and back Sun 11-07; UK forward 03-28, back 10-31;
/// Sydney back (end of DST) Sun 04-04 and forward 10-03.
@Suite struct DaylightSavingTests {
    let spring: CounselingSeries
    let autumn: CounselingSeries

    init() throws {
        spring = try series("spring", spec(start: "2027-03-03T12:00", end: .count(6), partners: [london, sydney]))
        autumn = try series("autumn", spec(start: "2027-10-20T12:00", end: .count(4), partners: [london, sydney]))
    }

    @Test func counselorKeepsWallClockAcrossUSSwitch() {
        let sessions = spring.occurrences()
        #expect(
            sessions.map(\.start) == [
                utc("2027-03-03T17:00:00Z"), utc("2027-03-10T17:00:00Z"),  // EST, UTC-5
                utc("2027-03-17T16:00:00Z"), utc("2027-03-24T16:00:00Z"),  // EDT, UTC-4
                utc("2027-03-31T16:00:00Z"), utc("2027-04-07T16:00:00Z"),
            ])
        #expect(sessions.allSatisfy { $0.localStart.time == ClockTime("12:00") })
        #expect(sessions.map(\.utcOffsetMinutes) == [-300, -300, -240, -240, -240, -240])
        #expect(sessions[0].end == utc("2027-03-03T17:50:00Z"))
        #expect(sessions[0].localEnd == at("2027-03-03T12:50"))
        #expect(sessions.allSatisfy { !$0.isMoved })
    }

    @Test func londonPartnerShiftsBetweenTheTwoSwitchesInSpring() {
        let sessions = spring.occurrences()
        let londonTimes = sessions.map { $0.partners[0].localStart.time.description }
        #expect(londonTimes == ["17:00", "17:00", "16:00", "16:00", "17:00", "17:00"])
        #expect(sessions.map { $0.partnerTimeShifted[london] } == [false, false, true, true, false, false])
        #expect(sessions.map { $0.partners[0].utcOffsetMinutes } == [0, 0, 0, 0, 60, 60])
        #expect(sessions[2].partners[0].note == "Partner in Europe/London: 16:00 instead of 17:00 (the clocks change on different dates)")
        #expect(sessions[2].partners[0].usualLocalStart == at("2027-03-17T17:00"))
        #expect(sessions[0].partners[0].note == nil)
        #expect(sessions[4].partners[0].utcOffsetText == "+01:00")
    }

    @Test func sydneyPartnerShiftsOppositeWay() {
        let sessions = spring.occurrences()
        let partner = sessions.map { $0.partners[1] }
        #expect(
            partner.map(\.localStart) == [
                at("2027-03-04T04:00"), at("2027-03-11T04:00"),  // AEDT +11, next day
                at("2027-03-18T03:00"), at("2027-03-25T03:00"), at("2027-04-01T03:00"),
                at("2027-04-08T02:00"),  // AEST +10 after 04-04
            ])
        #expect(partner.map(\.isShifted) == [false, false, true, true, true, true])
        #expect(partner.map(\.utcOffsetMinutes) == [660, 660, 660, 660, 660, 600])
        #expect(partner[5].note == "Partner in Australia/Sydney: 02:00 instead of 04:00 (the clocks change on different dates)")
        #expect(sessions[5].shiftNotes == ["Partner in Australia/Sydney: 02:00 instead of 04:00 (the clocks change on different dates)"])
        #expect(sessions[3].shiftNotes.count == 2)
    }

    @Test func autumnSwitches() {
        // Reference 10-20: EDT (-4), London BST (+1) → 17:00, Sydney AEDT (+11) → 03:00 next day.
        let sessions = autumn.occurrences()
        #expect(
            sessions.map(\.start) == [
                utc("2027-10-20T16:00:00Z"), utc("2027-10-27T16:00:00Z"),
                utc("2027-11-03T16:00:00Z"),  // still EDT: the US switches back on 11-07
                utc("2027-11-10T17:00:00Z"),  // EST
            ])
        #expect(sessions.map { $0.partners[0].localStart.time.description } == ["17:00", "17:00", "16:00", "17:00"])
        #expect(sessions.map { $0.partnerTimeShifted[london] == true } == [false, false, true, false])
        #expect(
            sessions.map { $0.partners[1].localStart } == [
                at("2027-10-21T03:00"), at("2027-10-28T03:00"), at("2027-11-04T03:00"), at("2027-11-11T04:00"),
            ])
        #expect(sessions[3].partners[1].note == "Partner in Australia/Sydney: 04:00 instead of 03:00 (the clocks change on different dates)")
    }

    @Test func partnerWithoutDaylightSavingGetsAnAccurateReason() throws {
        let s = try series(spec(start: "2027-03-10T20:00", end: .count(2), partners: ["Asia/Tokyo"]))
        let sessions = s.occurrences()
        // 03-10 20:00 EST = 03-11 01:00Z = 03-11 10:00 JST; 03-17 20:00 EDT = 03-18 00:00Z = 03-18 09:00 JST.
        #expect(sessions[1].partners[0].localStart == at("2027-03-18T09:00"))
        #expect(sessions[1].partners[0].note == "Partner in Asia/Tokyo: 09:00 instead of 10:00 (the clocks change in America/New_York but not in Asia/Tokyo)")
    }

    @Test func partnerDateShownWhenTheShiftCrossesMidnight() throws {
        // 19:00 New York = 00:00 London in winter; after the US switch it is 23:00 the same day.
        let s = try series(spec(start: "2027-03-10T19:00", end: .count(2), partners: [london]))
        let shifted = s.occurrences()[1].partners[0]
        #expect(shifted.localStart == at("2027-03-17T23:00"))
        #expect(shifted.note == "Partner in Europe/London: 2027-03-17 23:00 instead of 2027-03-18 00:00 (the clocks change on different dates)")
    }

    @Test func partnerInCounselorZoneNeverShiftsAndRepeatsAreMerged() throws {
        let s = try series(spec(start: "2027-03-03T12:00", end: .count(4), partners: [newYork, london, london]))
        let sessions = s.occurrences()
        #expect(sessions.allSatisfy { $0.partners.count == 2 })
        #expect(sessions.allSatisfy { $0.partnerTimeShifted[newYork] == false })
    }

    @Test func skippedAndRepeatedWallClockTimes() throws {
        let zone = TimeZone(identifier: newYork)!
        #expect(at("2027-03-14T02:30").resolve(in: zone) == .skipped(shiftedForward: utc("2027-03-14T07:30:00Z")))
        #expect(
            at("2027-11-07T01:30").resolve(in: zone)
                == .repeated(earlier: utc("2027-11-07T05:30:00Z"), later: utc("2027-11-07T06:30:00Z")))
        #expect(at("2027-07-01T09:00").resolve(in: zone) == .unique(utc("2027-07-01T13:00:00Z")))
        #expect(LocalTime(utc("2027-11-07T06:30:00Z"), in: zone) == at("2027-11-07T01:30"))

        // A weekly 02:30 session falls in the gap once: RFC 5545 moves it to 03:30 EDT.
        let night = try series(spec(start: "2027-03-07T02:30", end: .count(2)))
        let sessions = night.occurrences()
        #expect(sessions[1].start == utc("2027-03-14T07:30:00Z"))
        #expect(sessions[1].localStart == at("2027-03-14T03:30"))
        #expect(sessions[1].originalStart == at("2027-03-14T02:30"))
        // A repeated 01:30 takes the first (EDT) instant.
        let fold = try series(spec(start: "2027-10-31T01:30", end: .count(2)))
        #expect(fold.occurrences()[1].start == utc("2027-11-07T05:30:00Z"))
    }

    @Test func localTimeText() {
        #expect(at("2027-03-03T12:00").description == "2027-03-03 12:00")
        #expect(LocalTime(iso: "2027-03-03 12:00") == at("2027-03-03T12:00"))
        #expect(LocalTime(iso: "2027-02-30T12:00") == nil)
        #expect(LocalTime(iso: "2027-03-03T24:00") == nil)
        #expect(LocalTime(iso: "\u{1F600}\u{1F600}\u{1F600}\u{1F600}") == nil)  // 16 bytes, 4 characters
        #expect(LocalTime(iso: "2027-03-03X12:00") == nil)
        #expect(at("2027-03-03T12:00").icsText == "20270303T120000")
        #expect(icsUTCText(utc("2027-04-01T03:59:59Z")) == "20270401T035959Z")
        #expect(at("2027-12-31T23:30").adding(minutes: 45) == at("2028-01-01T00:15"))
        #expect(formatUTCOffset(seconds: -4 * 3600) == "-04:00")
        #expect(formatUTCOffset(seconds: 19_800) == "+05:30")
    }
}
