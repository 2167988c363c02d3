import Foundation
import RetreatScheduling
import Testing

// MARK: - Fixture helpers

private func makeScheduler(
    today: String = "2027-02-01",
    occupancies: [Occupancy] = [],
    blackouts: [Blackout] = [],
    configure: (inout PracticeSettings) -> Void = { _ in }
) -> Scheduler {
    var settings = PracticeSettings()
    configure(&settings)
    // The existing bookings were made under these settings: they carry the same span.
    let made = occupancies.map { o -> Occupancy in
        var o = o
        o.intensiveDays = settings.intensiveDays
        o.turnoverDays = settings.turnoverDays
        return o
    }
    return Scheduler(settings: settings, today: d(today), occupancies: made, blackouts: blackouts)
}

private func booking(_ id: String, _ start: String, _ status: BookingStatus = .confirmed, on resource: String = "practice") -> Occupancy {
    Occupancy(bookingID: id, resource: resource, start: d(start), status: status, intensiveDays: 3, turnoverDays: 1)
}

@Test func eachBookingOccupiesTheSpanStoredWithItNotTodaysSettings() {
    // Booked when intensives lasted 5 days with 2 turnover days; the settings now say 3 and 1.
    let long = Occupancy(bookingID: "x", resource: "practice", start: d("2027-03-01"), status: .confirmed, intensiveDays: 5, turnoverDays: 2)
    let scheduler = Scheduler(settings: PracticeSettings(), today: d("2027-02-01"), occupancies: [long], blackouts: [])
    #expect(scheduler.dayState(d("2027-03-05"), resource: "practice") == .booked)
    #expect(scheduler.dayState(d("2027-03-07"), resource: "practice") == .turnover)
    #expect(reasons(scheduler.rejections(start: d("2027-03-07"), resource: "practice")) == [.turnover])
    #expect(scheduler.rejections(start: d("2027-03-08"), resource: "practice").isEmpty)
    #expect(!scheduler.availability(from: d("2027-03-01"), to: d("2027-03-10")).map(\.start).contains(d("2027-03-07")))
    // A new booking just before it: its turnover may not fall on the long booking's first day.
    #expect(reasons(scheduler.rejections(start: d("2027-02-26"), resource: "practice")) == [.turnover])
}

private func reasons(_ details: [RejectionDetail]) -> [Rejection] {
    details.map(\.reason)
}

private func days(_ isos: String...) -> [CalendarDay] {
    isos.map(d)
}

// MARK: - Day sets

@Test func intensiveAndOccupiedDaysSpanYearEndAndLeapDay() {
    let scheduler = makeScheduler()
    #expect(scheduler.intensiveDays(startingOn: d("2027-12-30")) == days("2027-12-30", "2027-12-31", "2028-01-01"))
    #expect(scheduler.occupiedDays(startingOn: d("2027-12-30")) == days("2027-12-30", "2027-12-31", "2028-01-01", "2028-01-02"))
    #expect(scheduler.turnoverDays(startingOn: d("2027-12-30")) == days("2028-01-02"))
    #expect(scheduler.intensiveDays(startingOn: d("2028-02-28")) == days("2028-02-28", "2028-02-29", "2028-03-01"))
    let longTurnover = makeScheduler {
        $0.turnoverDays = 2; $0.intensiveDays = 2
    }
    #expect(longTurnover.occupiedDays(startingOn: d("2027-03-01")) == days("2027-03-01", "2027-03-02", "2027-03-03", "2027-03-04"))
}

// MARK: - Date rules

@Test func noticeEdge() {
    let scheduler = makeScheduler()  // today 2027-02-01, 7 days notice
    #expect(scheduler.rejections(start: d("2027-02-08"), resource: "practice").isEmpty)
    let early = scheduler.rejections(start: d("2027-02-07"), resource: "practice")
    #expect(reasons(early) == [.notice])
    #expect(early.first?.message == "2027-02-07 is within the 7-day minimum notice (earliest start 2027-02-08)")
    #expect(early.first?.days == days("2027-02-07"))
    #expect(early.first?.resource == nil)
    #expect(reasons(scheduler.rejections(start: d("2027-02-01"), resource: "practice")) == [.notice])
    let noNotice = makeScheduler { $0.minimumNoticeDays = 0 }
    #expect(noNotice.rejections(start: d("2027-02-01"), resource: "practice").isEmpty)
}

@Test func pastIsNotAlsoNotice() {
    let past = makeScheduler().rejections(start: d("2027-01-31"), resource: "practice")
    #expect(reasons(past) == [.past])
    #expect(past.first?.message == "2027-01-31 is in the past (today is 2027-02-01)")
}

@Test func horizonEdge() {
    let scheduler = makeScheduler()  // today 2027-02-01, 12 months
    #expect(scheduler.rejections(start: d("2028-02-01"), resource: "practice").isEmpty)
    let late = scheduler.rejections(start: d("2028-02-02"), resource: "practice")
    #expect(reasons(late) == [.horizon])
    #expect(late.first?.message == "2028-02-02 is beyond the 12-month booking horizon (latest start 2028-02-01)")
    // Month-end clamping: 2027-01-31 + 12 months = 2028-01-31.
    let monthEnd = makeScheduler(today: "2027-01-31")
    #expect(monthEnd.rejections(start: d("2028-01-31"), resource: "practice").isEmpty)
    #expect(reasons(monthEnd.rejections(start: d("2028-02-01"), resource: "practice")) == [.horizon])
    // Availability stops exactly at the horizon.
    #expect(scheduler.availability(from: d("2028-01-20"), to: d("2028-03-01")).last?.start == d("2028-02-01"))
    #expect(scheduler.availability(from: d("2027-01-01"), to: d("2027-03-01")).first?.start == d("2027-02-08"))
}

@Test func weekdayFiltering() {
    let scheduler = makeScheduler { $0.startWeekdays = [.tuesday, .monday] }
    let sunday = scheduler.rejections(start: d("2027-03-07"), resource: "practice")
    #expect(reasons(sunday) == [.weekday])
    #expect(sunday.first?.message == "starts on a Sunday; intensives may start on mon, tue")
    #expect(scheduler.rejections(start: d("2027-03-08"), resource: "practice").isEmpty)
    #expect(scheduler.rejections(start: d("2027-03-09"), resource: "practice").isEmpty)
    let starts = scheduler.availability(from: d("2027-03-01"), to: d("2027-03-14")).map(\.start)
    #expect(starts == days("2027-03-01", "2027-03-02", "2027-03-08", "2027-03-09"))
}

// MARK: - Blackouts

@Test func blackoutOnLastIntensiveDayRejects() {
    let scheduler = makeScheduler(blackouts: [Blackout(from: d("2027-03-03"), to: d("2027-03-03"), reason: "Staff leave")])
    let result = scheduler.rejections(start: d("2027-03-01"), resource: "practice")
    #expect(reasons(result) == [.blackout])
    #expect(result.first?.days == days("2027-03-03"))
    #expect(result.first?.message == "touches blackout 2027-03-03 (Staff leave)")
    #expect(result.first?.resource == "practice")
    // Starting the day after the blackout is fine; so is the day the blackout becomes turnover.
    #expect(scheduler.rejections(start: d("2027-03-04"), resource: "practice").isEmpty)
    #expect(scheduler.rejections(start: d("2027-02-28"), resource: "practice").isEmpty)  // 03-03 is its turnover day
}

@Test func blackoutOnTurnoverDayIsAllowed() {
    let scheduler = makeScheduler(blackouts: [Blackout(from: d("2027-03-04"), to: d("2027-03-06"))])
    #expect(scheduler.rejections(start: d("2027-03-01"), resource: "practice").isEmpty)
    let touching = scheduler.rejections(start: d("2027-03-02"), resource: "practice")
    #expect(reasons(touching) == [.blackout])
    #expect(touching.first?.message == "touches blackout 2027-03-04")
}

@Test func blackoutScopeAndMergedDays() {
    let blackouts = [
        Blackout(from: d("2027-02-27"), to: d("2027-03-01"), resource: "annex", reason: "Painting"),
        Blackout(from: d("2027-03-03"), to: d("2027-03-03"), reason: "Conference"),
        Blackout(from: d("2027-03-02"), to: d("2027-03-02"), resource: "practice", reason: "Staff leave"),
        Blackout(from: d("2027-03-02"), to: d("2027-03-01"), reason: "inverted, ignored"),
    ]
    let scheduler = makeScheduler(blackouts: blackouts) { $0.resources = ["practice", "annex"] }
    let onPractice = scheduler.rejections(start: d("2027-03-01"), resource: "practice")
    #expect(onPractice.first?.days == days("2027-03-02", "2027-03-03"))
    #expect(onPractice.first?.message == "touches blackout 2027-03-02, 2027-03-03 (Staff leave; Conference)")
    let onAnnex = scheduler.rejections(start: d("2027-03-01"), resource: "annex")
    #expect(onAnnex.first?.days == days("2027-03-01", "2027-03-03"))
    #expect(onAnnex.first?.message == "touches blackout 2027-03-01, 2027-03-03 (Painting; Conference)")
    #expect(scheduler.rejections(start: d("2027-02-26"), resource: "practice").isEmpty)
    #expect(reasons(scheduler.rejections(start: d("2027-02-26"), resource: "annex")) == [.blackout])
}

// MARK: - Bookings

@Test func turnoverAfterAnotherBooking() {
    let existing = [booking("x", "2027-03-01")]  // intensive 03-01...03-03, turnover 03-04
    let scheduler = makeScheduler(occupancies: existing)
    let result = scheduler.rejections(start: d("2027-03-04"), resource: "practice")
    #expect(reasons(result) == [.turnover])
    #expect(result.first?.days == days("2027-03-04"))
    #expect(result.first?.message == "2027-03-04 falls within the 1-day turnover between bookings on practice")
    #expect(scheduler.rejections(start: d("2027-03-05"), resource: "practice").isEmpty)
    let noTurnover = makeScheduler(occupancies: existing) { $0.turnoverDays = 0 }
    #expect(noTurnover.rejections(start: d("2027-03-04"), resource: "practice").isEmpty)
}

@Test func turnoverBeforeAnotherBooking() {
    let existing = [booking("x", "2027-03-01")]
    // Ours: 02-26...02-28, turnover 03-01 = their first day.
    let scheduler = makeScheduler(occupancies: existing)
    let result = scheduler.rejections(start: d("2027-02-26"), resource: "practice")
    #expect(reasons(result) == [.turnover])
    #expect(result.first?.days == days("2027-03-01"))
    #expect(scheduler.rejections(start: d("2027-02-25"), resource: "practice").isEmpty)
    let noTurnover = makeScheduler(occupancies: existing) { $0.turnoverDays = 0 }
    #expect(noTurnover.rejections(start: d("2027-02-26"), resource: "practice").isEmpty)
    #expect(reasons(noTurnover.rejections(start: d("2027-02-27"), resource: "practice")) == [.booked])
}

@Test func turnoverOfTwoDaysBothWays() {
    let existing = [booking("x", "2027-03-10")]  // intensive 10...12, turnover 13, 14
    let scheduler = makeScheduler(occupancies: existing) { $0.turnoverDays = 2 }
    #expect(scheduler.rejections(start: d("2027-03-15"), resource: "practice").isEmpty)
    #expect(reasons(scheduler.rejections(start: d("2027-03-14"), resource: "practice")) == [.turnover])
    #expect(scheduler.rejections(start: d("2027-03-05"), resource: "practice").isEmpty)  // 05-07, turnover 08-09
    let before = scheduler.rejections(start: d("2027-03-06"), resource: "practice")  // turnover 09, 10
    #expect(reasons(before) == [.turnover])
    #expect(before.first?.days == days("2027-03-10"))
    #expect(before.first?.message == "2027-03-10 falls within the 2-day turnover between bookings on practice")
}

@Test func bookedVersusHeld() throws {
    let confirmed = makeScheduler(occupancies: [booking("x", "2027-03-01", .confirmed)])
    let overlap = confirmed.rejections(start: d("2027-03-02"), resource: "practice")
    try #require(overlap.count == 2)
    #expect(reasons(overlap) == [.booked, .turnover])
    #expect(overlap[0].days == days("2027-03-02", "2027-03-03"))
    #expect(overlap[0].message == "2027-03-02, 2027-03-03 are booked on practice")
    #expect(overlap[1].days == days("2027-03-04"))

    let single = confirmed.rejections(start: d("2027-02-27"), resource: "practice")
    try #require(single.count == 2)
    #expect(reasons(single) == [.booked, .turnover])
    #expect(single[0].message == "2027-03-01 is booked on practice")
    #expect(single[1].days == days("2027-03-02"))

    let held = makeScheduler(occupancies: [booking("x", "2027-03-01", .held)])
    let heldOverlap = held.rejections(start: d("2027-03-02"), resource: "practice")
    try #require(heldOverlap.count == 2)
    #expect(reasons(heldOverlap) == [.held, .turnover])
    #expect(heldOverlap[0].message == "2027-03-02, 2027-03-03 are held for another couple on practice")

    let both = makeScheduler(occupancies: [booking("x", "2027-03-01", .confirmed), booking("y", "2027-03-05", .held)])
    #expect(reasons(both.rejections(start: d("2027-03-03"), resource: "practice")) == [.booked, .held, .turnover])
}

@Test func nonLiveBookingsOccupyNothing() {
    let occupancies: [Occupancy] = [.cancelled, .completed, .expired].enumerated().map { index, status in
        booking("b\(index)", "2027-03-01", status)
    }
    let scheduler = makeScheduler(occupancies: occupancies)
    #expect(scheduler.rejections(start: d("2027-03-01"), resource: "practice").isEmpty)
    #expect(scheduler.dayState(d("2027-03-01"), resource: "practice") == .free)
}

@Test func ignoringAllowsRescheduleOntoOwnDates() {
    let existing = [booking("mine", "2027-03-01"), booking("other", "2027-03-10")]
    let scheduler = makeScheduler(occupancies: existing)
    #expect(!scheduler.rejections(start: d("2027-03-02"), resource: "practice").isEmpty)
    #expect(scheduler.rejections(start: d("2027-03-02"), resource: "practice", ignoring: "mine").isEmpty)
    #expect(scheduler.rejections(start: d("2027-03-01"), resource: "practice", ignoring: "mine").isEmpty)
    // Ignoring one booking does not ignore the others.
    #expect(reasons(scheduler.rejections(start: d("2027-03-09"), resource: "practice", ignoring: "mine")) == [.booked, .turnover])
    let starts = scheduler.availability(from: d("2027-02-25"), to: d("2027-03-12"), ignoring: "mine").map(\.start)
    #expect(
        starts
            == days(
                "2027-02-25", "2027-02-26", "2027-02-27", "2027-02-28", "2027-03-01",
                "2027-03-02", "2027-03-03", "2027-03-04", "2027-03-05", "2027-03-06"))
    #expect(scheduler.availability(from: d("2027-02-25"), to: d("2027-03-12")).map(\.start) == days("2027-02-25", "2027-03-05", "2027-03-06"))
    #expect((try? scheduler.allocate(start: d("2027-03-02"), ignoring: "mine").get())?.resource == "practice")
}

@Test func multipleReasonsReportedTogetherInOrder() {
    let scheduler = makeScheduler(
        occupancies: [booking("x", "2027-02-09")],
        blackouts: [Blackout(from: d("2027-02-08"), to: d("2027-02-08"), reason: "Staff leave")]
    ) { $0.startWeekdays = [.monday, .tuesday] }
    let result = scheduler.rejections(start: d("2027-02-07"), resource: "practice")  // a Sunday, within notice
    #expect(reasons(result) == [.notice, .weekday, .blackout, .booked, .turnover])
    #expect(
        result.map(\.message) == [
            "2027-02-07 is within the 7-day minimum notice (earliest start 2027-02-08)",
            "starts on a Sunday; intensives may start on mon, tue",
            "touches blackout 2027-02-08 (Staff leave)",
            "2027-02-09 is booked on practice",
            "2027-02-10 falls within the 1-day turnover between bookings on practice",
        ])
    #expect(Set(reasons(result)).count == result.count)
}

@Test func yearEndIntensive() throws {
    let blackout = [Blackout(from: d("2028-01-01"), to: d("2028-01-01"), reason: "New Year")]
    let scheduler = makeScheduler(today: "2027-12-01", blackouts: blackout)
    let result = scheduler.rejections(start: d("2027-12-30"), resource: "practice")
    #expect(reasons(result) == [.blackout])
    #expect(result.first?.days == days("2028-01-01"))
    #expect(scheduler.rejections(start: d("2027-12-29"), resource: "practice").isEmpty)  // turnover on 01-01 is fine

    let booked = makeScheduler(today: "2027-12-01", occupancies: [booking("x", "2028-01-01")])
    let clash = booked.rejections(start: d("2027-12-30"), resource: "practice")
    try #require(clash.count == 2)
    #expect(reasons(clash) == [.booked, .turnover])
    #expect(clash[0].days == days("2028-01-01"))
    #expect(clash[1].days == days("2028-01-02"))
    #expect(
        booked.availability(from: d("2027-12-26"), to: d("2028-01-06")).map(\.start)
            == days("2027-12-26", "2027-12-27", "2027-12-28", "2028-01-05", "2028-01-06"))
}

@Test func leapDayIntensive() {
    let blackout = [Blackout(from: d("2028-02-29"), to: d("2028-02-29"))]
    let scheduler = makeScheduler(today: "2028-01-10", blackouts: blackout)
    let result = scheduler.rejections(start: d("2028-02-28"), resource: "practice")
    #expect(reasons(result) == [.blackout])
    #expect(result.first?.days == days("2028-02-29"))
    #expect(scheduler.rejections(start: d("2028-02-26"), resource: "practice").isEmpty)
    #expect(
        scheduler.availability(from: d("2028-02-25"), to: d("2028-03-02")).map(\.start)
            == days("2028-02-25", "2028-02-26", "2028-03-01", "2028-03-02"))
    #expect(scheduler.availability(from: d("2028-02-28"), to: d("2028-02-28")).isEmpty)
}

// MARK: - Resources and allocation

@Test func allocationPicksFirstFreeResourceThenFallsBack() throws {
    let rooms: (inout PracticeSettings) -> Void = { $0.resources = ["blue", "green"] }
    let empty = makeScheduler(configure: rooms)
    let first = try empty.allocate(start: d("2027-03-01")).get()
    #expect(first == Slot(start: d("2027-03-01"), end: d("2027-03-03"), resource: "blue"))

    let blueTaken = makeScheduler(occupancies: [booking("x", "2027-03-01", on: "blue")], configure: rooms)
    #expect(try blueTaken.allocate(start: d("2027-03-01")).get().resource == "green")
    #expect(try blueTaken.allocate(start: d("2027-03-05")).get().resource == "blue")
    #expect(try blueTaken.allocate(start: d("2027-03-01"), resource: "green").get().resource == "green")

    let bothTaken = makeScheduler(
        occupancies: [booking("x", "2027-03-01", on: "blue"), booking("y", "2027-03-01", .held, on: "green")],
        configure: rooms)
    switch bothTaken.allocate(start: d("2027-03-01")) {
    case .success(let slot):
        Issue.record("unexpected slot \(slot)")
    case .failure(let failure):
        #expect(failure.rejections.map(\.reason) == [.booked, .turnover, .held, .turnover])
        #expect(failure.rejections.map(\.resource) == ["blue", "blue", "green", "green"])
    }

    // Date-level reasons are reported once, not per resource.
    switch empty.allocate(start: d("2027-02-02")) {
    case .success(let slot):
        Issue.record("unexpected slot \(slot)")
    case .failure(let failure):
        #expect(failure.rejections.map(\.reason) == [.notice])
    }
}

@Test func unknownResource() {
    let scheduler = makeScheduler()
    let result = scheduler.rejections(start: d("2027-03-01"), resource: "attic")
    #expect(reasons(result) == [.unknownResource])
    #expect(result.first?.message == "unknown resource \"attic\"; the practice's resources are practice")
    #expect(result.first?.resource == "attic")
    #expect(reasons(scheduler.rejections(start: d("2027-02-02"), resource: "attic")) == [.notice, .unknownResource])
    #expect(scheduler.availability(from: d("2027-03-01"), to: d("2027-03-10"), resource: "attic").isEmpty)
    #expect(scheduler.dayState(d("2027-03-01"), resource: "attic") == .unavailableStart)
    if case .failure(let failure) = scheduler.allocate(start: d("2027-03-01"), resource: "attic") {
        #expect(failure.rejections.map(\.reason) == [.unknownResource])
    } else {
        Issue.record("allocation on an unknown resource succeeded")
    }
    // Bookings and blackouts on unknown resources are ignored.
    let stray = makeScheduler(
        occupancies: [booking("x", "2027-03-01", on: "attic")],
        blackouts: [Blackout(from: d("2027-03-01"), to: d("2027-03-01"), resource: "attic")])
    #expect(stray.rejections(start: d("2027-03-01"), resource: "practice").isEmpty)
}

@Test func availabilitySortedByStartThenResourceOrder() {
    let scheduler = makeScheduler(occupancies: [booking("x", "2027-03-10", on: "b")]) { $0.resources = ["b", "a"] }
    let slots = scheduler.availability(from: d("2027-03-05"), to: d("2027-03-15"))
    var expected: [Slot] = []
    var day = d("2027-03-05")
    while day <= d("2027-03-15") {
        if day <= d("2027-03-06") || day >= d("2027-03-14") {
            expected.append(Slot(start: day, end: day.adding(days: 2), resource: "b"))
        }
        expected.append(Slot(start: day, end: day.adding(days: 2), resource: "a"))
        day = day.adding(days: 1)
    }
    #expect(slots == expected)
    #expect(scheduler.availability(from: d("2027-03-05"), to: d("2027-03-15"), resource: "a").count == 11)
    #expect(scheduler.availability(from: d("2027-03-05"), to: d("2027-03-15"), resource: "b").count == 4)
    #expect(scheduler.availability(from: d("2027-03-15"), to: d("2027-03-05")).isEmpty)
}

// MARK: - Month grid

@Test func dayStatesInPriorityOrder() {
    let scheduler = makeScheduler(
        occupancies: [booking("x", "2027-03-01", .confirmed), booking("y", "2027-03-10", .held)],
        blackouts: [
            Blackout(from: d("2027-03-02"), to: d("2027-03-02")),
            Blackout(from: d("2027-03-20"), to: d("2027-03-21")),
        ])
    func state(_ iso: String) -> DayState { scheduler.dayState(d(iso), resource: "practice") }
    #expect(state("2027-03-01") == .booked)
    #expect(state("2027-03-02") == .booked)  // booked beats blackout
    #expect(state("2027-03-04") == .turnover)
    #expect(state("2027-03-10") == .held)
    #expect(state("2027-03-13") == .turnover)
    #expect(state("2027-03-20") == .blackout)
    #expect(state("2027-03-25") == .free)
    #expect(state("2027-02-25") == .free)
    #expect(state("2027-02-26") == .unavailableStart)  // its turnover would hit 03-01
    #expect(state("2027-02-02") == .unavailableStart)  // within notice
    #expect(state("2027-03-05") == .free)
    #expect(state("2027-03-17") == .free)  // turnover on the blackout is fine
    #expect(state("2027-03-18") == .unavailableStart)  // intensive would touch the blackout
    #expect(DayState.unavailableStart.isFree && DayState.free.isFree && !DayState.turnover.isFree)
}

// MARK: - Big case

@Test func bigCaseAvailabilityAgreesWithRejections() throws {
    var settings = PracticeSettings()
    settings.horizonMonths = 120
    settings.resources = (0..<20).map { "room-\($0)" }
    settings.startWeekdays = [.monday, .tuesday, .wednesday, .thursday, .friday, .saturday]
    let today = d("2027-01-04")
    let horizonEnd = today.adding(months: 120)
    let span = today.days(until: horizonEnd)
    var rng = SeededGenerator(seed: 2_027)
    let statuses: [BookingStatus] = [.confirmed, .confirmed, .held, .cancelled, .expired, .completed]

    var occupancies: [Occupancy] = []
    for index in 0..<2000 {
        occupancies.append(
            Occupancy(
                bookingID: "b\(index)",
                resource: settings.resources.randomElement(using: &rng) ?? "room-0",
                start: today.adding(days: Int.random(in: -20...(span + 5), using: &rng)),
                status: statuses.randomElement(using: &rng) ?? .confirmed, intensiveDays: settings.intensiveDays, turnoverDays: settings.turnoverDays))
    }
    var blackouts: [Blackout] = []
    for index in 0..<500 {
        let from = today.adding(days: Int.random(in: -10...span, using: &rng))
        let roll = Int.random(in: 0..<100, using: &rng)
        let resource: String? = roll < 30 ? nil : (roll < 95 ? settings.resources.randomElement(using: &rng) : "ghost")
        blackouts.append(
            Blackout(
                id: Int64(index), from: from, to: from.adding(days: Int.random(in: 0...5, using: &rng)),
                resource: resource, reason: "reason \(index)"))
    }

    let clock = ContinuousClock()
    let began = clock.now
    let scheduler = Scheduler(settings: settings, today: today, occupancies: occupancies, blackouts: blackouts)
    let slots = scheduler.availability(from: today.adding(days: -30), to: horizonEnd.adding(days: 30))
    print("big availability: \(slots.count) slots in \(clock.now - began)")

    let order = Dictionary(uniqueKeysWithValues: settings.resources.enumerated().map { ($1, $0) })
    for (a, b) in zip(slots, slots.dropFirst()) {
        #expect((a.start, order[a.resource] ?? -1) < (b.start, order[b.resource] ?? -1))
    }
    let free = Set(slots.map { "\($0.start) \($0.resource)" })
    #expect(free.count > 10_000)
    #expect(slots.first.map { $0.start >= today.adding(days: 7) } == true)
    #expect(slots.last.map { $0.start <= horizonEnd } == true)

    var agreed = 0
    var sawRejection = Set<Rejection>()
    var samples = (0..<197).map { _ in today.adding(days: Int.random(in: -15...(span + 15), using: &rng)) }
    samples += [today.adding(days: -1), today.adding(days: 6), horizonEnd.adding(days: 1)]
    for start in samples {
        var firstFree: String?
        for resource in settings.resources {
            let rejections = scheduler.rejections(start: start, resource: resource)
            rejections.forEach { sawRejection.insert($0.reason) }
            let isFree = free.contains("\(start) \(resource)")
            #expect(rejections.isEmpty == isFree, "\(start) on \(resource): \(rejections.map(\.message))")
            #expect((scheduler.dayState(start, resource: resource) == .free) == isFree)
            #expect(rejections.map(\.reason) == rejections.map(\.reason).sorted())
            if isFree && firstFree == nil { firstFree = resource }
            if rejections.isEmpty == isFree { agreed += 1 }
        }
        switch scheduler.allocate(start: start) {
        case .success(let slot): #expect(slot.resource == firstFree)
        case .failure: #expect(firstFree == nil)
        }
    }
    #expect(agreed == 200 * 20)
    #expect(sawRejection.isSuperset(of: [.past, .notice, .horizon, .weekday, .blackout, .booked, .held, .turnover]))

    // `ignoring` agrees too, around a live booking.
    let live = try #require(occupancies.first { $0.status.isLive && $0.start > today.adding(days: 30) })
    let window = scheduler.availability(
        from: live.start.adding(days: -10), to: live.start.adding(days: 10),
        resource: live.resource, ignoring: live.bookingID)
    let windowFree = Set(window.map(\.start))
    var day = live.start.adding(days: -10)
    while day <= live.start.adding(days: 10) {
        let rejections = scheduler.rejections(start: day, resource: live.resource, ignoring: live.bookingID)
        #expect(rejections.isEmpty == windowFree.contains(day), "\(day) ignoring \(live.bookingID)")
        day = day.adding(days: 1)
    }
}

@Test func intensiveDaysMustFallInsideTheCounselorsHoursOnTheirOwnClock() throws {
    var settings = PracticeSettings(timeZoneIdentifier: "America/New_York")
    settings.resources = ["ny", "london"]
    let ny = CounselorProfile(name: "ny", timeZoneIdentifier: "America/New_York", hours: try CounselorHours(parsing: "mon-thu 09:00-18:00; fri 09:00-14:00"))
    // 09:00–17:00 in New York is 14:00–22:00 in London: outside 08:00–18:00 there.
    let london = CounselorProfile(name: "london", timeZoneIdentifier: "Europe/London", hours: try CounselorHours(parsing: "mon-fri 08:00-18:00"))
    let scheduler = Scheduler(settings: settings, today: d("2027-02-01"), occupancies: [], blackouts: [], counselors: [ny, london])
    #expect(scheduler.rejections(start: d("2027-03-01"), resource: "ny").isEmpty)  // Mon–Wed
    let thursday = scheduler.rejections(start: d("2027-03-04"), resource: "ny")  // Thu–Sat
    #expect(reasons(thursday) == [.hours])
    #expect(thursday.first?.days == days("2027-03-05", "2027-03-06"))
    #expect(reasons(scheduler.rejections(start: d("2027-03-01"), resource: "london")) == [.hours])
    let starts = scheduler.availability(from: d("2027-03-01"), to: d("2027-03-14"))
    #expect(starts.map(\.resource).allSatisfy { $0 == "ny" })
    #expect(starts.map(\.start) == days("2027-03-01", "2027-03-02", "2027-03-08", "2027-03-09"))
    // The fast path and the full check agree on every day.
    for offset in 0..<60 {
        let day = d("2027-03-01").adding(days: offset)
        for r in settings.resources {
            #expect(scheduler.rejections(start: day, resource: r).isEmpty == starts.contains { $0.start == day && $0.resource == r } || offset >= 14)
        }
    }
    // A practice whose counselor works late in London can host New York days.
    let lateLondon = CounselorProfile(name: "london", timeZoneIdentifier: "Europe/London", hours: try CounselorHours(parsing: "mon-sun 13:00-23:00"))
    let late = Scheduler(settings: settings, today: d("2027-02-01"), occupancies: [], blackouts: [], counselors: [lateLondon])
    #expect(late.rejections(start: d("2027-03-06"), resource: "london").isEmpty)
    #expect(late.rejections(start: d("2027-03-06"), resource: "ny").isEmpty)  // no profile: no limit
}
