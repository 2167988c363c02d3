import Foundation
import GRDB
import RetreatScheduling
import Testing

@testable import RetreatStore

/// A fresh store in a temporary folder, initialised with settings whose `today` is 2026-12-01 (New York).
func freshStore(_ configure: (inout PracticeSettings) -> Void = { _ in }) throws -> (RetreatStore, URL) {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("retreat-store-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let store = try RetreatStore(path: dir.appendingPathComponent("r.sqlite").path, create: true)
    var settings = PracticeSettings(timeZoneIdentifier: "America/New_York")
    settings.minimumNoticeDays = 7
    settings.startWeekdays = Set(Weekday.allCases)
    configure(&settings)
    try store.saveSettings(settings, now: now, actor: "test")
    return (store, dir)
}

let now = ISO8601DateFormatter().date(from: "2026-12-01T15:00:00Z") ?? Date()

func d(_ s: String) -> CalendarDay {
    guard let day = CalendarDay(iso: s) else { fatalError("bad test date \(s)") }
    return day
}

@Suite struct StoreTests {
    @Test func fileIsCreatedMode0600AndReopens() throws {
        let (store, dir) = try freshStore()
        defer { try? FileManager.default.removeItem(at: dir) }
        let attrs = try FileManager.default.attributesOfItem(atPath: store.path)
        #expect((attrs[.posixPermissions] as? Int) == 0o600)
        _ = try store.book(BookingRequest(couple: "A", start: d("2027-01-11")), now: now, actor: "t")
        let again = try RetreatStore(path: store.path)
        #expect(try again.bookings(matching: BookingFilter(), now: now).count == 1)
    }

    @Test func missingStoreAndForeignFileAreRefused() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("retreat-x-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(throws: StoreError.self) { try RetreatStore(path: dir.appendingPathComponent("none.sqlite").path) }
        let junk = dir.appendingPathComponent("junk.sqlite")
        try Data("not a database at all, just some words".utf8).write(to: junk)
        do {
            _ = try RetreatStore(path: junk.path)
            Issue.record("a text file was accepted as a store")
        } catch {
            #expect(error.code == .incompatible)
        }
    }

    @Test func bookingOccupiesIntensiveAndTurnoverDaysInTheDatabase() throws {
        let (store, dir) = try freshStore()
        defer { try? FileManager.default.removeItem(at: dir) }
        let b = try store.book(BookingRequest(couple: "A", start: d("2027-01-11")), now: now, actor: "t").booking
        #expect(b.end == d("2027-01-13"))
        do {
            _ = try store.book(BookingRequest(couple: "B", start: d("2027-01-14")), now: now, actor: "t")
            Issue.record("a turnover day was double booked")
        } catch {
            #expect(error.code == .conflict)
            #expect(error.message.contains("2027-01-14"))
            #expect(!error.message.contains("A"))  // never the other couple's name
        }
        #expect(try store.book(BookingRequest(couple: "B", start: d("2027-01-15")), now: now, actor: "t").booking.start == d("2027-01-15"))
        // The UNIQUE key itself refuses a second occupant, whatever the code above it does.
        #expect(throws: StoreError.self) {
            try store.write { db in
                try db.execute(
                    sql: "INSERT INTO occupied_days (resource, day, booking_id, kind) VALUES ('practice', '2027-01-12', ?, 'intensive')", arguments: [b.id])
            }
        }
    }

    @Test func requestIDMakesBookIdempotent() throws {
        let (store, dir) = try freshStore()
        defer { try? FileManager.default.removeItem(at: dir) }
        let first = try store.book(BookingRequest(couple: "A", start: d("2027-02-01"), requestID: "k1"), now: now, actor: "t")
        let second = try store.book(BookingRequest(couple: "A", start: d("2027-02-01"), requestID: "k1"), now: now, actor: "t")
        #expect(!first.replayed)
        #expect(second.replayed)
        #expect(second.booking.id == first.booking.id)
        #expect(try store.bookings(matching: BookingFilter(), now: now).count == 1)
    }

    @Test func holdsLapseWithoutDepositAndStayWithIt() throws {
        let (store, dir) = try freshStore { $0.holdExpiryHours = 48 }
        defer { try? FileManager.default.removeItem(at: dir) }
        let a = try store.book(BookingRequest(couple: "A", start: d("2027-01-11"), hold: true), now: now, actor: "t").booking
        let b = try store.book(BookingRequest(couple: "B", start: d("2027-02-11"), hold: true), now: now, actor: "t").booking
        #expect(a.status == .held)
        _ = try store.recordPayment(id: b.id, amountCents: b.deposit.amountCents, on: d("2026-12-02"), note: nil, now: now, actor: "t")
        let justBefore = now.addingTimeInterval(48 * 3600 - 1)
        #expect(try store.sweep(now: justBefore).expired.isEmpty)
        let after = now.addingTimeInterval(48 * 3600)
        #expect(try store.sweep(now: after).expired == [a.id])
        #expect(try store.booking(id: a.id).status == .expired)
        #expect(try store.booking(id: b.id).status == .held)
        // The lapsed hold's dates are free again.
        #expect(try store.book(BookingRequest(couple: "C", start: d("2027-01-11")), now: after, actor: "t").booking.start == d("2027-01-11"))
        #expect(throws: StoreError.self) { try store.confirm(id: a.id, now: after, actor: "t") }
        #expect(try store.confirm(id: b.id, now: after, actor: "t").status == .confirmed)
    }

    @Test func rescheduleKeepsIdBumpsSequenceAndMayOverlapItself() throws {
        let (store, dir) = try freshStore()
        defer { try? FileManager.default.removeItem(at: dir) }
        let a = try store.book(BookingRequest(couple: "A", start: d("2027-01-11")), now: now, actor: "t").booking
        let moved = try store.reschedule(id: a.id, to: d("2027-01-12"), resource: nil, now: now, actor: "t").booking
        #expect(moved.id == a.id)
        #expect(moved.sequence == a.sequence + 1)
        #expect(moved.start == d("2027-01-12"))
        #expect(try store.availability(from: d("2027-01-11"), to: d("2027-01-11"), resource: nil, now: now).isEmpty)
        // Its old first day is free for someone else only if turnover allows: 01-08..01-10 + turnover 01-11 is fine.
        #expect(try store.book(BookingRequest(couple: "B", start: d("2027-01-08")), now: now, actor: "t").booking.id == "B0002")
    }

    @Test func cancellationRefundsByTierAndOffersWaitlist() throws {
        let (store, dir) = try freshStore()
        defer { try? FileManager.default.removeItem(at: dir) }
        let far = try store.book(BookingRequest(couple: "A", start: d("2027-01-30")), now: now, actor: "t").booking  // 60 days ahead
        _ = try store.recordPayment(id: far.id, amountCents: 100_000, on: d("2026-12-01"), note: nil, now: now, actor: "t")
        _ = try store.addToWaitlist(couple: "W", contact: nil, from: d("2027-01-29"), to: d("2027-02-02"), resource: nil, now: now, actor: "t")
        let out = try store.cancel(id: far.id, now: now, actor: "t")
        #expect(out.booking.status == .cancelled)
        #expect(out.booking.refundPercent == 100)
        #expect(out.booking.refundCents == 100_000)
        #expect(out.offers.count == 1)
        #expect(out.offers.first?.slots.contains { $0.start == d("2027-01-30") } == true)
        let near = try store.book(BookingRequest(couple: "B", start: d("2026-12-31")), now: now, actor: "t").booking  // 30 days
        _ = try store.recordPayment(id: near.id, amountCents: 100_000, on: d("2026-12-01"), note: nil, now: now, actor: "t")
        #expect(try store.cancel(id: near.id, now: now, actor: "t").booking.refundCents == 50_000)
        #expect(throws: StoreError.self) { try store.cancel(id: near.id, now: now, actor: "t") }
    }

    @Test func listFiltersByStatusAndMoneyOwed() throws {
        let (store, dir) = try freshStore()
        defer { try? FileManager.default.removeItem(at: dir) }
        let a = try store.book(BookingRequest(couple: "A", start: d("2027-01-11"), priceCents: 1000), now: now, actor: "t").booking
        _ = try store.book(BookingRequest(couple: "B", start: d("2027-02-11"), hold: true), now: now, actor: "t")
        _ = try store.recordPayment(id: a.id, amountCents: 1000, on: d("2026-12-01"), note: "paid in full", now: now, actor: "t")
        #expect(try store.bookings(matching: BookingFilter(statuses: [.held]), now: now).map(\.couple) == ["B"])
        #expect(try store.bookings(matching: BookingFilter(owing: true), now: now).map(\.couple) == ["B"])
        #expect(try store.bookings(matching: BookingFilter(depositOverdue: true), now: now.addingTimeInterval(5 * 86400)).map(\.couple) == ["B"])
        #expect(try store.bookings(matching: BookingFilter(from: d("2027-02-01")), now: now).map(\.couple) == ["B"])
    }

    @Test func blackoutsBlockStartsAndRefuseToCoverBookings() throws {
        let (store, dir) = try freshStore()
        defer { try? FileManager.default.removeItem(at: dir) }
        _ = try store.addBlackout(Blackout(from: d("2027-01-13"), to: d("2027-01-13"), reason: "Staff leave"), force: false, now: now, actor: "t")
        let slots = try store.availability(from: d("2027-01-10"), to: d("2027-01-14"), resource: nil, now: now).map(\.start)
        #expect(slots == [d("2027-01-10"), d("2027-01-14")])
        _ = try store.book(BookingRequest(couple: "A", start: d("2027-01-20")), now: now, actor: "t")
        do {
            _ = try store.addBlackout(Blackout(from: d("2027-01-21"), to: d("2027-01-21")), force: false, now: now, actor: "t")
            Issue.record("blackout over a booking accepted")
        } catch {
            #expect(error.code == .conflict)
            #expect(error.message.contains("B0001"))
        }
    }

    @Test func everyChangeIsAudited() throws {
        let (store, dir) = try freshStore()
        defer { try? FileManager.default.removeItem(at: dir) }
        let a = try store.book(BookingRequest(couple: "A", start: d("2027-01-11"), hold: true), now: now, actor: "alice").booking
        _ = try store.confirm(id: a.id, now: now, actor: "bob")
        _ = try store.reschedule(id: a.id, to: d("2027-01-18"), resource: nil, now: now, actor: "bob")
        _ = try store.cancel(id: a.id, now: now, actor: "carol")
        let log = try store.auditLog(entityID: a.id)
        #expect(log.map(\.action) == ["hold", "confirm", "reschedule", "cancel"])
        #expect(log.map(\.actor) == ["alice", "bob", "bob", "carol"])
    }
}
