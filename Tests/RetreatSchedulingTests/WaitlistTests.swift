import Foundation
import RetreatScheduling
import Testing

@Test func waitlistOffersOldestFirstAndOmitsEntriesWithoutStarts() {
    var settings = PracticeSettings()
    settings.resources = ["blue", "green"]
    let scheduler = Scheduler(
        settings: settings, today: d("2027-02-01"),
        occupancies: [
            Occupancy(bookingID: "x", resource: "blue", start: d("2027-03-01"), status: .confirmed, intensiveDays: 3, turnoverDays: 1),
            Occupancy(bookingID: "y", resource: "green", start: d("2027-03-01"), status: .held, intensiveDays: 3, turnoverDays: 1),
        ],
        blackouts: [])
    let base = utc("2027-01-01", 12)
    let entries = [
        // Newest: wants 03-02 on either room; both are taken.
        WaitlistEntry(id: 3, couple: "C", from: d("2027-03-02"), to: d("2027-03-02"), createdAt: base.addingTimeInterval(300)),
        // Wants 03-04...03-05 on green: only 03-05 is free (03-04 is green's turnover).
        WaitlistEntry(id: 2, couple: "B", from: d("2027-03-04"), to: d("2027-03-05"), resource: "green", createdAt: base.addingTimeInterval(200)),
        // Oldest: wants 02-25 on any room.
        WaitlistEntry(id: 1, couple: "A", from: d("2027-02-25"), to: d("2027-02-25"), createdAt: base),
        // Range entirely within the notice period.
        WaitlistEntry(id: 4, couple: "D", from: d("2027-02-01"), to: d("2027-02-07"), createdAt: base.addingTimeInterval(-100)),
        // Inverted range.
        WaitlistEntry(id: 5, couple: "E", from: d("2027-05-02"), to: d("2027-05-01"), createdAt: base.addingTimeInterval(-50)),
    ]
    let offers = scheduler.offers(for: entries)
    #expect(offers.map(\.entryID) == [1, 2])
    #expect(offers.map(\.couple) == ["A", "B"])
    #expect(
        offers.first?.slots == [
            Slot(start: d("2027-02-25"), end: d("2027-02-27"), resource: "blue"),
            Slot(start: d("2027-02-25"), end: d("2027-02-27"), resource: "green"),
        ])
    #expect(offers.last?.slots == [Slot(start: d("2027-03-05"), end: d("2027-03-07"), resource: "green")])
}

@Test func waitlistTiesBreakById() {
    let scheduler = Scheduler(settings: PracticeSettings(), today: d("2027-02-01"), occupancies: [], blackouts: [])
    let at = utc("2027-01-01", 0)
    let entries = [
        WaitlistEntry(id: 9, couple: "late id", from: d("2027-03-01"), to: d("2027-03-01"), createdAt: at),
        WaitlistEntry(id: 4, couple: "early id", from: d("2027-03-01"), to: d("2027-03-01"), createdAt: at),
        WaitlistEntry(id: 1, couple: "unknown room", from: d("2027-03-01"), to: d("2027-03-01"), resource: "attic", createdAt: at),
    ]
    #expect(scheduler.offers(for: entries).map(\.entryID) == [4, 9])
    #expect(scheduler.offers(for: []).isEmpty)
}
