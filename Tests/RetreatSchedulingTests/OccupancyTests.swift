import Foundation
import RetreatScheduling
import Testing

@Test func onlyHeldAndConfirmedAreLive() {
    #expect(BookingStatus.allCases.filter(\.isLive) == [.held, .confirmed])
    #expect(BookingStatus(rawValue: "cancelled") == .cancelled)
}

@Test func blackoutScopeAndCoverage() {
    let everywhere = Blackout(from: d("2027-03-02"), to: d("2027-03-04"), reason: "Staff leave")
    #expect(everywhere.applies(to: "practice") && everywhere.applies(to: "annex"))
    #expect(everywhere.source == "manual" && everywhere.id == nil)
    #expect(everywhere.covers(d("2027-03-02")) && everywhere.covers(d("2027-03-04")))
    #expect(!everywhere.covers(d("2027-03-01")) && !everywhere.covers(d("2027-03-05")))
    let annexOnly = Blackout(id: 7, from: d("2027-03-02"), to: d("2027-03-02"), resource: "annex", source: "ics:holidays")
    #expect(annexOnly.applies(to: "annex") && !annexOnly.applies(to: "practice"))
    let inverted = Blackout(from: d("2027-03-04"), to: d("2027-03-02"))
    #expect(!inverted.covers(d("2027-03-03")))
}

@Test func occupancyAndBlackoutCodable() throws {
    let occupancy = Occupancy(bookingID: "b1", resource: "practice", start: d("2027-03-01"), status: .held, intensiveDays: 3, turnoverDays: 1)
    let data = try JSONEncoder().encode(occupancy)
    #expect(String(decoding: data, as: UTF8.self).contains("\"start\":\"2027-03-01\""))
    #expect(try JSONDecoder().decode(Occupancy.self, from: data) == occupancy)
    let blackout = Blackout(id: 3, from: d("2027-03-01"), to: d("2027-03-02"), resource: nil, reason: "x", source: "manual")
    #expect(try JSONDecoder().decode(Blackout.self, from: JSONEncoder().encode(blackout)) == blackout)
}
