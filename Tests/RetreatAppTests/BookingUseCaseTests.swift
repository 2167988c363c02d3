import Foundation
import RetreatAgenda
import RetreatApp
import RetreatScheduling
import RetreatStore
import Testing

@Suite struct BookingUseCaseTests {
    @Test(arguments: StoreKind.allCases) func bookingOccupiesIntensiveAndTurnoverDays(_ kind: StoreKind) throws {
        let p = try Practice(kind)
        let app = p.service()
        let b = try app.book(BookingRequest(couple: "A", start: d("2027-01-11"))).booking
        #expect(b.end == d("2027-01-13"))
        do {
            _ = try app.book(BookingRequest(couple: "B", start: d("2027-01-14")))
            Issue.record("a turnover day was double booked")
        } catch {
            #expect(error.kind == .conflict)
            #expect(error.message.contains("2027-01-14"))
            #expect(!error.message.contains("A"))  // never the other couple's name
        }
        #expect(try app.book(BookingRequest(couple: "B", start: d("2027-01-15"))).booking.start == d("2027-01-15"))
    }

    @Test(arguments: StoreKind.allCases) func requestIDMakesBookIdempotentForTheSameRequestOnly(_ kind: StoreKind) throws {
        let p = try Practice(kind)
        let app = p.service()
        let first = try app.book(BookingRequest(couple: "A", start: d("2027-02-01"), requestID: "k1"))
        let second = try app.book(BookingRequest(couple: "A", start: d("2027-02-01"), requestID: "k1"))
        #expect(!first.replayed)
        #expect(second.replayed)
        #expect(second.booking.id == first.booking.id)
        #expect(try app.bookings().count == 1)
        // Another couple's request with the same key replays nothing and shows nothing of the first couple.
        do {
            _ = try app.book(BookingRequest(couple: "Someone Else", start: d("2027-03-01"), requestID: "k1"))
            Issue.record("a different request with a used key was replayed")
        } catch {
            #expect(error.kind == .invalid)
            #expect(error.message.contains("k1"))
            #expect(!error.message.contains("A"))
        }
        #expect(try app.bookings().count == 1)
    }

    @Test(arguments: StoreKind.allCases) func holdsLapseWithoutDepositAndStayWithIt(_ kind: StoreKind) throws {
        let p = try Practice(kind) { $0.holdExpiryHours = 48 }
        let app = p.service()
        let a = try app.book(BookingRequest(couple: "A", start: d("2027-01-11"), hold: true)).booking
        let b = try app.book(BookingRequest(couple: "B", start: d("2027-02-11"), hold: true)).booking
        #expect(a.status == .held)
        // One rule: the hold lapses when its deposit falls due (same day, practice-local).
        #expect(a.holdExpiresAt == testNow.addingTimeInterval(48 * 3600))
        #expect(a.deposit.due == d("2026-12-03"))
        _ = try app.pay(id: b.id, amountCents: b.deposit.amountCents, on: d("2026-12-01"))
        let justBefore = p.service(at: testNow.addingTimeInterval(48 * 3600 - 1))
        #expect(try justBefore.booking(id: a.id).status == .held)
        let after = p.service(at: testNow.addingTimeInterval(48 * 3600))
        // A read shows the lapse at once; the next write records it.
        #expect(try after.booking(id: a.id).status == .expired)
        #expect(try after.booking(id: b.id).status == .held)
        #expect(try after.availability(from: d("2027-01-11"), to: d("2027-01-11")).count == 1)
        // The lapsed hold's dates are free again.
        #expect(try after.book(BookingRequest(couple: "C", start: d("2027-01-11"))).booking.start == d("2027-01-11"))
        #expect(try after.auditLog(entityID: a.id).map(\.action) == ["hold", "expire"])
        #expect(throws: AppError.self) { try after.confirm(id: a.id) }
        #expect(try after.confirm(id: b.id).status == .confirmed)
    }

    @Test(arguments: StoreKind.allCases) func rescheduleKeepsIdBumpsSequenceAndMayOverlapItself(_ kind: StoreKind) throws {
        let p = try Practice(kind)
        let app = p.service()
        let a = try app.book(BookingRequest(couple: "A", start: d("2027-01-11"))).booking
        let moved = try app.reschedule(id: a.id, to: d("2027-01-12")).booking
        #expect(moved.id == a.id)
        #expect(moved.sequence == a.sequence + 1)
        #expect(moved.start == d("2027-01-12"))
        #expect(try app.availability(from: d("2027-01-11"), to: d("2027-01-11")).isEmpty)
        // Its old first day is free for someone else only if turnover allows: 01-08..01-10 + turnover 01-11 is fine.
        #expect(try app.book(BookingRequest(couple: "B", start: d("2027-01-08"))).booking.id == "B0002")
    }

    @Test(arguments: StoreKind.allCases) func cancellationRefundsByTierAndOffersWaitlist(_ kind: StoreKind) throws {
        let p = try Practice(kind)
        let app = p.service()
        let far = try app.book(BookingRequest(couple: "A", start: d("2027-01-30"))).booking  // 60 days ahead
        _ = try app.pay(id: far.id, amountCents: 100_000, on: d("2026-12-01"))
        _ = try app.addToWaitlist(couple: "W", from: d("2027-01-29"), to: d("2027-02-02"))
        let out = try app.cancel(id: far.id, reason: "couple's request")
        #expect(out.booking.status == .cancelled)
        #expect(out.booking.refundPercent == 100)
        #expect(out.booking.refundCents == 100_000)
        #expect(out.booking.cancellationReason == "couple's request")
        #expect(out.offers.count == 1)
        #expect(out.offers.first?.slots.contains { $0.start == d("2027-01-30") } == true)
        let near = try app.book(BookingRequest(couple: "B", start: d("2026-12-31"))).booking  // 30 days
        _ = try app.pay(id: near.id, amountCents: 100_000, on: d("2026-12-01"))
        #expect(try app.cancel(id: near.id).booking.refundCents == 50_000)
        #expect(throws: AppError.self) { try app.cancel(id: near.id) }
    }

    @Test(arguments: StoreKind.allCases) func overpaymentIsACreditAndAlwaysRefunded(_ kind: StoreKind) throws {
        let p = try Practice(kind)
        let app = p.service()
        let b = try app.book(BookingRequest(couple: "A", start: d("2026-12-31"), priceCents: 100_000)).booking  // 30 days: 50% tier
        let paid = try app.pay(id: b.id, amountCents: 130_000, on: d("2026-12-01")).booking
        #expect(paid.creditCents == 30_000)
        #expect(try app.bookings(BookingFilter(owing: true)).map(\.id) == [b.id])
        // 50% of the price paid, plus the whole overpayment.
        #expect(try app.cancel(id: b.id).booking.refundCents == 50_000 + 30_000)
    }

    @Test(arguments: StoreKind.allCases) func aMistakenPaymentCanBeVoided(_ kind: StoreKind) throws {
        let p = try Practice(kind)
        let app = p.service()
        let b = try app.book(BookingRequest(couple: "A", start: d("2027-01-11"), priceCents: 1000)).booking
        let paid = try app.pay(id: b.id, amountCents: 900).booking
        let id = try #require(paid.payments.first?.id)
        let voided = try app.voidPayment(id: b.id, paymentID: id).booking
        #expect(voided.paidCents == 0)
        #expect(voided.payments.first?.voided == true)
        #expect(throws: AppError.self) { try app.voidPayment(id: b.id, paymentID: id) }
        #expect(throws: AppError.self) { try app.voidPayment(id: b.id, paymentID: 999) }
        let log = try app.auditLog(entityID: b.id)
        #expect(log.last?.action == "payment-void")
        #expect(log.last?.detail.contains("\"before\"") == true)
    }

    @Test(arguments: StoreKind.allCases) func listFiltersByStatusAndMoneyOwed(_ kind: StoreKind) throws {
        let p = try Practice(kind)
        let app = p.service()
        let a = try app.book(BookingRequest(couple: "A", start: d("2027-01-11"), priceCents: 1000)).booking
        _ = try app.book(BookingRequest(couple: "B", start: d("2027-02-11"), hold: true))
        _ = try app.pay(id: a.id, amountCents: 1000, on: d("2026-12-01"), note: "paid in full")
        #expect(try app.bookings(BookingFilter(statuses: [.held])).map(\.couple) == ["B"])
        #expect(try app.bookings(BookingFilter(owing: true)).map(\.couple) == ["B"])
        #expect(try p.service(at: testNow.addingTimeInterval(5 * 86400)).bookings(BookingFilter(depositOverdue: true)).map(\.couple) == [])
        #expect(try app.bookings(BookingFilter(from: d("2027-02-01"))).map(\.couple) == ["B"])
    }

    @Test(arguments: StoreKind.allCases) func blackoutsBlockStartsAndRefuseToCoverBookings(_ kind: StoreKind) throws {
        let p = try Practice(kind)
        let app = p.service()
        _ = try app.addBlackout(from: d("2027-01-13"), to: d("2027-01-13"), reason: "Staff leave")
        let slots = try app.availability(from: d("2027-01-10"), to: d("2027-01-14")).map(\.start)
        #expect(slots == [d("2027-01-10"), d("2027-01-14")])
        _ = try app.book(BookingRequest(couple: "A", start: d("2027-01-20")))
        do {
            _ = try app.addBlackout(from: d("2027-01-21"), to: d("2027-01-21"))
            Issue.record("blackout over a booking accepted")
        } catch {
            #expect(error.kind == .conflict)
            #expect(error.message.contains("B0001"))
        }
    }

    @Test(arguments: StoreKind.allCases) func blackoutsOverUpcomingSessionsAreRefusedUnlessForcedAndImportsWarn(_ kind: StoreKind) throws {
        let p = try Practice(kind)
        let app = p.service()
        let spec = CounselingSeriesSpec(
            couple: "Jo & Max", counselor: "", lengthMinutes: 50, frequency: .weekly, start: try #require(LocalTime(iso: "2027-01-05T13:00")),
            end: .count(6), counselorZone: "America/New_York", partnerZones: [], link: nil)
        let series = try app.bookSeries(spec).series.id
        func time(_ s: String) throws -> LocalTime { try #require(LocalTime(iso: s)) }
        for attempt in [
            { _ = try app.addBlackout(from: try time("2027-01-12T13:30"), to: try time("2027-01-12T14:00")) },
            { _ = try app.addBlackout(from: d("2027-01-12"), to: d("2027-01-20")) },
        ] as [() throws -> Void] {
            do {
                try attempt()
                Issue.record("a blackout over a booked session was accepted")
            } catch let error as AppError {
                #expect(error.kind == .conflict)
                #expect(error.message.contains(series), "\(error.message)")
                #expect(!error.message.contains("Jo"), "the refusal names the series, never the couple")
            }
        }
        #expect(try app.blackouts().isEmpty)
        // Ending when the session starts, or on another day, touches nothing; --force adds it anyway.
        _ = try app.addBlackout(from: try time("2027-01-12T12:00"), to: try time("2027-01-12T13:00"))
        _ = try app.addBlackout(from: d("2027-01-13"), to: d("2027-01-14"))
        _ = try app.addBlackout(from: d("2027-01-19"), to: d("2027-01-19"), force: true)
        #expect(try app.blackouts().count == 3)

        let file = p.dir.appendingPathComponent("busy.ics")
        try """
        BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:dentist@x\r\nDTSTAMP:20260101T000000Z\r\n\
        DTSTART:20270126T183000Z\r\nDTEND:20270126T193000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n
        """.write(to: file, atomically: true, encoding: .utf8)
        let summary = try app.importBlackouts(file: file.path, from: d("2027-01-01"), to: d("2027-02-28"))
        #expect(summary.added == 1)
        #expect(summary.affectedSeries == [series])
    }

    /// An import under the name of hand-made blackouts is refused; a resource spelt in another Unicode form is
    /// stored in the practice's own spelling, so both spellings find the same rows.
    @Test func importsKeepTheirKeysApartFromHandMadeBlackoutsAndOtherSpellings() throws {
        let p = try Practice { $0.resources = ["café", "practice"] }
        let app = p.service()
        _ = try app.addBlackout(from: d("2027-01-13"), to: d("2027-01-14"))
        let file = p.dir.appendingPathComponent("busy.ics")
        try """
        BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:dentist@x\r\nDTSTAMP:20260101T000000Z\r\n\
        DTSTART:20270126T183000Z\r\nDTEND:20270126T193000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n
        """.write(to: file, atomically: true, encoding: .utf8)
        for name in ["manual", "Manual"] {
            do {
                _ = try app.importBlackouts(file: file.path, from: d("2027-01-01"), to: d("2027-12-31"), replace: true, source: name)
                Issue.record("an import named \(name) was accepted")
            } catch {
                #expect(error.exitCode == 64 && error.message.contains("blackouts added by hand"), "\(error.message)")
            }
        }
        #expect(try app.blackouts().count == 1)
        let composed = "caf\u{E9}", decomposed = "cafe\u{301}"
        #expect(try app.importBlackouts(file: file.path, resource: decomposed, from: d("2027-01-01"), to: d("2027-02-28")).added == 1)
        #expect(try app.importBlackouts(file: file.path, resource: composed, from: d("2027-01-01"), to: d("2027-02-28")).added == 0)
        let stored = try app.blackouts().compactMap(\.resource)
        #expect(stored.map { Array($0.utf8) } == [Array(composed.utf8)])
    }

    @Test func aBlackoutInADaylightSavingGapIsRefusedNotStoredInverted() throws {
        let p = try Practice()
        let app = p.service()
        do {
            _ = try app.addBlackout(from: try #require(LocalTime(iso: "2027-03-14T02:30")), to: try #require(LocalTime(iso: "2027-03-14T03:30")))
            Issue.record("a time the clocks skip was accepted")
        } catch let error as AppError {
            #expect(error.kind == .badInput)
            #expect(error.message.contains("--from 2027-03-14 02:30 does not exist"), "\(error.message)")
        }
        let b = try app.addBlackout(from: try #require(LocalTime(iso: "2027-03-14T01:30")), to: try #require(LocalTime(iso: "2027-03-14T03:30")))
        #expect(try app.blackoutEntry(b).text == "2027-03-14 01:30–03:30")
        #expect(try app.blackoutEntry(b).from == "2027-03-14T01:30:00-05:00")
        #expect(try app.blackoutEntry(b).to == "2027-03-14T03:30:00-04:00")
    }

    @Test(arguments: StoreKind.allCases) func everyChangeIsAudited(_ kind: StoreKind) throws {
        let p = try Practice(kind)
        let a = try p.service(actor: "alice").book(BookingRequest(couple: "A", start: d("2027-01-11"), hold: true)).booking
        _ = try p.service(actor: "bob").confirm(id: a.id)
        _ = try p.service(actor: "bob").reschedule(id: a.id, to: d("2027-01-18"))
        _ = try p.service(actor: "carol").cancel(id: a.id)
        let log = try p.service().auditLog(entityID: a.id)
        #expect(log.map(\.action) == ["hold", "confirm", "reschedule", "cancel"])
        #expect(log.map(\.actor) == ["alice", "bob", "bob", "carol"])
        #expect(log[2].detail.contains("\"before\":{\"resource\":\"practice\",\"start\":\"2027-01-11\"}"))
    }

    @Test func thePracticeWideAuditLogWithholdsClinicalDetailsThatTheBookingsOwnLogShows() throws {
        let clinic = try Clinic()
        let app = clinic.app()
        _ = try app.book(BookingRequest(couple: "Jo & Max", start: d("2027-01-11"), priorities: ["communication"]))
        _ = try app.recordIntake(bookingID: "B0001", IntakeUpdate(screen: (.a, .passed), affairEnded: .yes, hurtPartner: .b))
        _ = try app.recordIntake(bookingID: "B0001", IntakeUpdate(screen: (.b, .passed)))
        _ = try app.agenda(bookingID: "B0001", edits: AgendaEdits(priorities: ["affair-recovery", "communication"]))
        let all = try app.auditLog()
        #expect(Set(all.map(\.action)).isSuperset(of: ["intake", "priorities"]))
        for entry in all where RetreatService.clinicalAuditActions.contains(entry.action) {
            #expect(entry.detail.contains("retreat audit --id B0001"), "\(entry.detail)")
        }
        let everything = all.map(\.detail).joined()
        for secret in ["affair", "passed", "hurtPartner", "partnerA"] { #expect(!everything.contains(secret), "\(secret) in \(everything)") }
        let own = try app.auditLog(entityID: "B0001").map(\.detail).joined()
        #expect(own.contains("affair-recovery") && own.contains("passed"))
    }

    @Test(arguments: StoreKind.allCases) func waitlistBookingMarksOnlyThatEntry(_ kind: StoreKind) throws {
        let p = try Practice(kind)
        let app = p.service()
        let first = try app.addToWaitlist(couple: "Same Name", from: d("2027-01-01"), to: d("2027-02-01"))
        let second = try app.addToWaitlist(couple: "Same Name", from: d("2027-01-01"), to: d("2027-02-01"))
        let booked = try app.bookFromWaitlist(entryID: try #require(second.id), start: d("2027-01-11"))
        #expect(booked.booking.couple == "Same Name")
        let waiting = try app.waitlist().entries
        #expect(waiting.map(\.id) == [first.id])
        // A booking under the same display name does not touch the list either.
        _ = try app.book(BookingRequest(couple: "Same Name", start: d("2027-01-20")))
        #expect(try app.waitlist().entries.map(\.id) == [first.id])
    }
}
