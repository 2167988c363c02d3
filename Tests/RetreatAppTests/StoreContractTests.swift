import Dispatch
import Foundation
import RetreatApp
import RetreatScheduling
import RetreatStore
import Testing

/// The store protocol's promises, held by both stores: one suite, run once per store kind.
@Suite struct StoreContractTests {
    func booking(_ id: String, start: String, resource: String = "practice", status: BookingStatus = .confirmed) -> Booking {
        Booking(
            id: id, couple: "Couple \(id)", resource: resource, start: d(start), intensiveDays: 3, turnoverDays: 1, status: status, priceCents: 1000,
            deposit: Deposit(amountCents: 250, due: d("2026-12-05")), createdAt: testNow)
    }

    @Test(arguments: StoreKind.allCases) func theSchemaRefusesASecondOccupantNamingTheFirstTakenDay(_ kind: StoreKind) throws {
        let p = try Practice(kind)
        var first = booking("B0001", start: "2027-01-11")
        try p.store.write { tx in try tx.insert(first, requestFingerprint: nil) }
        do {
            try p.store.write { tx in try tx.insert(booking("B0002", start: "2027-01-09"), requestFingerprint: nil) }
            Issue.record("an overlapping booking was stored")
        } catch let error as StoreError {
            #expect(error.code == .conflict)
            // 01-09 and 01-10 are free; 01-11 is the first day the other booking holds.
            #expect(error.message == "2027-01-11 is already taken on practice; nothing was booked")
        }
        // A refused insert leaves the transaction usable, as after SQLite's refused INSERT.
        let stored = try p.store.write { tx -> Int in
            #expect(throws: StoreError.self) { try tx.insert(self.booking("B0002", start: "2027-01-14"), requestFingerprint: nil) }
            try tx.insert(self.booking("B0003", start: "2027-01-15"), requestFingerprint: nil)
            return try tx.bookings(BookingQuery()).count
        }
        #expect(stored == 2)
        // Another resource, or a booking that is no longer live, does not occupy anything.
        try p.store.write { tx in try tx.insert(self.booking("B0004", start: "2027-01-11", resource: "other"), requestFingerprint: nil) }
        first.status = .cancelled
        try p.store.write { tx in try tx.update(first) }
        try p.store.write { tx in try tx.insert(self.booking("B0005", start: "2027-01-11"), requestFingerprint: nil) }
        // A reschedule onto a taken day is refused the same way, and changes nothing.
        var moved = try #require(try p.store.read { try $0.booking(id: "b0003") })
        moved.start = d("2027-01-13")
        do {
            try p.store.write { tx in try tx.update(moved) }
            Issue.record("a reschedule onto a taken day was stored")
        } catch let error as StoreError {
            #expect(error.message == "2027-01-13 is already taken on practice; nothing was booked")
            #expect(error.code == .conflict)
        }
        #expect(try p.store.read { try $0.booking(id: "B0003")?.start } == d("2027-01-15"))
        #expect(try p.store.invariantViolations().isEmpty)
    }

    @Test(arguments: StoreKind.allCases) func aFailedTransactionChangesNothing(_ kind: StoreKind) throws {
        let p = try Practice(kind)
        struct Boom: Error {}
        let before = try p.store.read { try $0.records() }
        #expect(throws: Boom.self) {
            try p.store.write { tx in
                try tx.insert(self.booking("B0001", start: "2027-01-11"), requestFingerprint: nil)
                _ = try tx.insert(Blackout(from: d("2027-02-01"), to: d("2027-02-02"), reason: "x"))
                try tx.append(AuditEntry(at: testNow, actor: "t", action: "x", entity: "x", entityID: "x"))
                throw Boom()
            }
        }
        #expect(try p.store.read { try $0.records() } == before)
    }

    @Test(arguments: StoreKind.allCases) func manyWritersBookingOneSlotHaveOneWinner(_ kind: StoreKind) throws {
        let p = try Practice(kind)
        let stores = try (0..<6).map { _ in try p.reopen() }
        for round in 0..<4 {
            let start = d("2027-03-01").adding(days: 7 * round)
            let outcomes = Outcomes()
            DispatchQueue.concurrentPerform(iterations: stores.count) { i in
                let app = RetreatService(store: stores[i], actor: "w\(i)", clock: { testNow })
                do {
                    _ = try app.book(BookingRequest(couple: "Racer \(round)-\(i)", start: start))
                    outcomes.add("won")
                } catch let error as AppError {
                    outcomes.add(error.kind == .conflict && error.message.contains(start.description) && !error.message.contains("Racer") ? "lost" : "\(error)")
                } catch {
                    outcomes.add("\(error)")
                }
            }
            #expect(outcomes.sorted == ["lost", "lost", "lost", "lost", "lost", "won"], "round \(round)")
        }
        #expect(try p.service().bookings().count == 4)
        #expect(try p.store.invariantViolations().isEmpty)
    }

    @Test(arguments: StoreKind.allCases) func importsAreKeyedByResourceSourceAndOccurrence(_ kind: StoreKind) throws {
        let p = try Practice(kind)
        let items = (0..<300).map {
            ImportedBlackout(uid: "u\($0 % 150)", recurrenceID: "r\($0)", from: d("2027-01-01").adding(days: $0), to: d("2027-01-01").adding(days: $0))
        }
        let key = ImportKey(resource: nil, source: "leave.ics")
        let first = try p.store.write { tx in try tx.importBlackouts(items, key: key, reason: "leave", replacingWithin: nil) }
        #expect(first == ImportCounts(added: 300, unchanged: 0, removed: 0))
        let again = try p.store.write { tx in try tx.importBlackouts(Array(items.prefix(10)), key: key, reason: "leave", replacingWithin: nil) }
        #expect(again == ImportCounts(added: 0, unchanged: 10, removed: 0))
        // The same occurrence from another counselor's calendar is its own row.
        let other = try p.store.write { tx in
            try tx.importBlackouts(Array(items.prefix(10)), key: ImportKey(resource: "practice", source: "leave.ics"), reason: "leave", replacingWithin: nil)
        }
        #expect(other.added == 10)
        // Replacing within a window leaves what lies outside it, or reaches outside it, alone.
        let straddling = ImportedBlackout(uid: "long", recurrenceID: "r", from: d("2027-01-30"), to: d("2027-02-03"))
        _ = try p.store.write { tx in try tx.importBlackouts([straddling], key: key, reason: "leave", replacingWithin: nil) }
        let windowed = try p.store.write { tx in
            try tx.importBlackouts([], key: key, reason: "leave", replacingWithin: d("2027-02-01")...d("2027-02-28"))
        }
        #expect(windowed == ImportCounts(added: 0, unchanged: 0, removed: 28))
        #expect(try p.store.read { try $0.blackouts() }.count == 301 - 28 + 10)
        let replaced = try p.store.write { tx in
            try tx.importBlackouts(Array(items.prefix(5)), key: key, reason: "leave", replacingWithin: d("2026-01-01")...d("2028-12-31"))
        }
        #expect(replaced == ImportCounts(added: 5, unchanged: 0, removed: 301 - 28))
        // A timed occurrence keeps its interval to the second's fraction.
        var timed = ImportedBlackout(uid: "meeting", recurrenceID: "r1", from: d("2027-06-01"), to: d("2027-06-01"))
        timed.startsAt = Date(timeIntervalSince1970: 1_811_761_200.25)
        timed.endsAt = Date(timeIntervalSince1970: 1_811_764_800.5)
        #expect(try p.store.write { tx in try tx.importBlackouts([timed], key: key, reason: "meeting", replacingWithin: nil) }.added == 1)
        let blackouts = try p.store.read { try $0.blackouts() }
        #expect(blackouts.count == 16)
        #expect(blackouts.map(\.from) == blackouts.map(\.from).sorted())
        let stored = try #require(blackouts.first { $0.from == d("2027-06-01") })
        #expect(stored.startsAt == timed.startsAt && stored.endsAt == timed.endsAt)
        #expect(blackouts.filter { $0.startsAt != nil }.count == 1)
    }

    /// Replacing an import's window removes only imported rows: blackouts added by hand stay, whatever the key.
    @Test(arguments: StoreKind.allCases) func replacingAWindowNeverRemovesABlackoutAddedByHand(_ kind: StoreKind) throws {
        let p = try Practice(kind)
        let manual = try p.store.write { tx in try tx.insert(Blackout(from: d("2027-02-01"), to: d("2027-02-02"))) }
        #expect(manual.source == "manual")
        let counts = try p.store.write { tx in
            try tx.importBlackouts([], key: ImportKey(resource: nil, source: "manual"), reason: "busy", replacingWithin: d("2027-01-01")...d("2027-12-31"))
        }
        #expect(counts.removed == 0)
        #expect(try p.store.read { try $0.blackouts() }.count == 1)
    }

    /// The same occurrence twice in one import (into an empty key and into one with rows) is stored once, counted
    /// once as unchanged, and uses no id: the next blackout gets the next number.
    @Test(arguments: StoreKind.allCases) func anOccurrenceTwiceInOneImportIsStoredOnce(_ kind: StoreKind) throws {
        let p = try Practice(kind)
        let twice = [
            ImportedBlackout(uid: "u1", recurrenceID: "r1", from: d("2027-01-04"), to: d("2027-01-04")),
            ImportedBlackout(uid: "u2", recurrenceID: "r1", from: d("2027-01-05"), to: d("2027-01-05")),
            ImportedBlackout(uid: "u1", recurrenceID: "r1", from: d("2027-01-04"), to: d("2027-01-04")),
        ]
        let key = ImportKey(resource: nil, source: "twice.ics")
        #expect(
            try p.store.write { tx in try tx.importBlackouts(twice, key: key, reason: "busy", replacingWithin: nil) }
                == ImportCounts(added: 2, unchanged: 1, removed: 0))
        var more = twice
        more.append(ImportedBlackout(uid: "u3", recurrenceID: "r1", from: d("2027-01-06"), to: d("2027-01-06")))
        #expect(
            try p.store.write { tx in try tx.importBlackouts(more, key: key, reason: "busy", replacingWithin: nil) }
                == ImportCounts(added: 1, unchanged: 3, removed: 0))
        let manual = try p.store.write { tx in try tx.insert(Blackout(from: d("2027-03-01"), to: d("2027-03-01"))) }
        #expect(manual.id == 4)
        #expect(try p.store.read { try $0.blackouts() }.count == 4)
    }

    @Test(arguments: StoreKind.allCases) func recordsSurviveABackupIntoEitherStore(_ kind: StoreKind) throws {
        let p = try Practice(kind)
        let app = p.service()
        let a = try app.book(BookingRequest(couple: "A", contact: "a@example.org", start: d("2027-01-11"), priorities: ["communication"])).booking
        _ = try app.pay(id: a.id, amountCents: 900, on: d("2026-11-30"), note: "first")
        let paid = try app.pay(id: a.id, amountCents: 50, on: d("2026-12-01"))
        _ = try app.voidPayment(id: a.id, paymentID: try #require(paid.booking.payments.last?.id))
        let b = try app.book(BookingRequest(couple: "B", start: d("2027-02-01"), hold: true, requestID: "key-1")).booking
        _ = try app.cancel(id: b.id, reason: "changed plans")
        let removed = try app.addBlackout(from: d("2027-03-01"), to: d("2027-03-02"), reason: "gone")
        _ = try app.removeBlackout(id: try #require(removed.id))
        _ = try app.addBlackout(from: d("2027-03-10"), to: d("2027-03-12"), reason: "leave")
        _ = try app.addToWaitlist(couple: "W", from: d("2027-04-01"), to: d("2027-05-01"))
        guard let noon = ClockTime(hour: 12, minute: 0) else { throw AppError(.invalid, "time") }
        _ = try app.bookSeries(
            CounselingSeriesSpec(
                couple: "S", counselor: "", lengthMinutes: 50, frequency: .weekly, start: LocalTime(day: d("2027-01-18"), time: noon), end: .count(6),
                counselorZone: "America/New_York", partnerZones: ["Europe/London"]))
        let before = try p.store.read { try $0.records() }
        #expect(before.bookings.count == 2 && before.blackouts.count == 1 && before.series.count == 1 && before.waitlist.count == 1)
        let lastBlackout = try #require(before.blackouts.last?.blackout.id)

        for target in StoreKind.allCases {
            if target == .postgres && TestPostgres.url == nil { continue }
            let file = p.dir.appendingPathComponent("backup-\(target).sqlite").path
            try p.store.backup(to: file)
            #expect((try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int) == 0o600)
            #expect(throws: StoreError.self) { try p.store.backup(to: file) }  // never over an existing file
            let fresh = try Practice(target)
            try fresh.service(actor: "restorer").restore(from: file)
            var after = try fresh.store.read { try $0.records() }
            #expect(after.audit.last?.action == "restore")
            after.audit.removeLast()
            #expect(after.firstDifference(from: before) == nil, "backup of \(kind) restored into \(target)")
            #expect(after == before)
            #expect(try fresh.store.invariantViolations().isEmpty)
            // Ids continue after the restored ones.
            let next = try fresh.service().addBlackout(from: d("2027-06-01"), to: d("2027-06-01"))
            #expect(next.id == lastBlackout + 1)
        }
    }

    @Test(arguments: StoreKind.allCases) func aBadBackupChangesNothing(_ kind: StoreKind) throws {
        let p = try Practice(kind)
        _ = try p.service().book(BookingRequest(couple: "A", start: d("2027-01-11")))
        let before = try p.store.read { try $0.records() }
        let junk = p.dir.appendingPathComponent("junk.sqlite")
        try Data("not a store".utf8).write(to: junk)
        #expect(throws: AppError.self) { try p.service().restore(from: junk.path) }
        #expect(throws: AppError.self) { try p.service().restore(from: p.dir.appendingPathComponent("missing").path) }
        #expect(try p.store.read { try $0.records() } == before)
    }

    @Test(arguments: StoreKind.allCases) func aSecondStoreObjectSeesCommittedWritesOnly(_ kind: StoreKind) throws {
        let p = try Practice(kind)
        let other = try p.reopen()
        try p.store.write { tx in
            try tx.insert(self.booking("B0001", start: "2027-01-11"), requestFingerprint: "f")
            // Not yet committed: the other store object does not see it.
            #expect(try other.read { try $0.bookings(BookingQuery()) }.isEmpty)
        }
        let seen = try other.read { try $0.booking(requestID: "none") }
        #expect(seen == nil)
        #expect(try other.read { try $0.bookings(.live) }.map(\.id) == ["B0001"])
        #expect(try other.read { try $0.lastBookingNumber() } == 1)
    }
}

/// Outcomes collected from several threads.
final class Outcomes: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [String] = []
    func add(_ s: String) { lock.withLock { items.append(s) } }
    var sorted: [String] { lock.withLock { items.sorted() } }
}
