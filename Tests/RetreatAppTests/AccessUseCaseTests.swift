import Foundation
import RetreatApp
import RetreatScheduling
import RetreatStore
import Testing

/// Feed and API token use cases, feed documents, and a couple's request for dates.
@Suite struct AccessUseCaseTests {
    @Test func tokensAreStoredOnlyAsDigests() throws {
        let practice = try Practice()
        let service = practice.service()
        let feed = try service.createFeed(.staff)
        #expect(feed.token.count == 43)
        #expect(feed.feed.tokenHash == AccessToken.digest(feed.token) && feed.feed.tokenHash != feed.token)
        let api = try service.createAPIToken(role: .readOnly, label: "reports")
        #expect(api.token.hasPrefix(AccessToken.apiPrefix))
        #expect(try service.authenticate(apiToken: api.token)?.id == api.record.id)
        #expect(try service.authenticate(apiToken: api.token + "x") == nil)
        // Nothing in the file holds a token in clear.
        let bytes = try Data(contentsOf: URL(fileURLWithPath: practice.path))
        let wal = (try? Data(contentsOf: URL(fileURLWithPath: practice.path + "-wal"))) ?? Data()
        for secret in [feed.token, String(api.token.dropFirst(4))] {
            #expect(bytes.range(of: Data(secret.utf8)) == nil && wal.range(of: Data(secret.utf8)) == nil)
        }
        _ = try service.revokeAPIToken(id: api.record.id)
        #expect(try service.authenticate(apiToken: api.token) == nil)
        let audit = try service.auditLog().map(\.action)
        #expect(audit.contains("feed-create") && audit.contains("token-create") && audit.contains("token-revoke"))
    }

    @Test func feedsCheckWhatTheyPublish() throws {
        let practice = try Practice()
        let service = practice.service()
        #expect(throws: AppError.self) { try service.createFeed(.counselor("nobody")) }
        #expect(throws: AppError.self) { try service.createFeed(.couple(bookingID: "B0042")) }
        let b = try service.book(BookingRequest(couple: "A B", start: d("2027-01-11"))).booking
        let feed = try service.createFeed(.couple(bookingID: b.id.lowercased()))
        #expect(feed.feed.subject == b.id)
        #expect(try service.feeds().map(\.id) == [feed.feed.id])
    }

    @Test func aFeedDocumentIsReusedUntilTheStoreChanges() throws {
        let practice = try Practice()
        let service = practice.service()
        _ = try service.book(BookingRequest(couple: "A B", start: d("2027-01-11")))
        let feed = try service.createFeed(.staff)
        let first = try service.feedDocument(token: feed.token)
        #expect(first.lastModified == testNow)
        #expect(first.text.contains("DTSTAMP:20261201T150000Z"))
        let again = try service.feedDocument(token: feed.token)
        #expect(again == first, "the same data gives the same bytes and entity tag")
        #expect(try service.feedDocument(token: feed.token, reusing: first) == first)
        _ = try service.reschedule(id: "B0001", to: d("2027-01-18"))
        let moved = try service.feedDocument(token: feed.token, reusing: first)
        #expect(moved.version != first.version && moved.etag != first.etag)
        #expect(moved.text.contains("DTSTART;VALUE=DATE:20270118"))
        _ = try service.revokeFeed(id: feed.feed.id)
        #expect(throws: AppError.self) { try service.feedDocument(token: feed.token, reusing: moved) }
    }

    @Test func aLapsingHoldChangesTheFeedWithoutAWrite() throws {
        let practice = try Practice()
        let service = practice.service()
        _ = try service.book(BookingRequest(couple: "A B", start: d("2027-01-11"), hold: true))
        let feed = try service.createFeed(.staff)
        let before = try service.feedDocument(token: feed.token)
        #expect(before.text.contains("STATUS:TENTATIVE"))
        let later = practice.service(at: testNow.addingTimeInterval(4 * 86_400))
        let after = try later.feedDocument(token: feed.token, reusing: before)
        #expect(after.version != before.version)
        #expect(after.text.contains("STATUS:CANCELLED") && after.lastModified > before.lastModified)
    }

    @Test func aCoupleRequestIsAHoldWithTheSameChecksAsTheCLI() throws {
        let practice = try Practice()
        let service = practice.service(actor: "web")
        let request = DateRequest(
            names: ["Ana", "Ben"], emails: ["ana@example.org", "ben@example.org"], start: d("2027-01-11"), priorities: ["communication"],
            note: "Evenings are hard for us.", requestID: "web-1")
        let outcome = try service.requestDates(request)
        #expect(outcome.booking.status == .held && outcome.booking.couple == "Ana & Ben")
        #expect(outcome.booking.contact == "ana@example.org, ben@example.org")
        #expect(outcome.notices.map(\.kind) == [.requestReceived, .newRequest])
        #expect(outcome.notices.first?.recipients == ["ana@example.org", "ben@example.org"])
        #expect(try service.bookingNote(id: outcome.booking.id)?.note == "Evenings are hard for us.")
        let replay = try service.requestDates(request)
        #expect(replay.replayed && replay.booking.id == outcome.booking.id && replay.notices.isEmpty)
        var changed = request
        changed.names = ["Ana", "Bea"]
        #expect {
            try service.requestDates(changed)
        } throws: { ($0 as? AppError)?.message.contains("already sent with other details") == true }
        var other = request
        other.requestID = "web-2"
        other.names = ["Cy"]
        other.emails = ["cy@example.org"]
        #expect {
            try service.requestDates(other)
        } throws: { ($0 as? AppError)?.kind == .conflict && !($0 as? AppError)!.message.contains("Ana") }
        for bad in [
            DateRequest(names: [""], emails: ["a@example.org"], start: d("2027-01-18")),
            DateRequest(names: ["Ana"], emails: [], start: d("2027-01-18")),
            DateRequest(names: ["Ana"], emails: ["a@example.org, b@example.org"], start: d("2027-01-18")),
            DateRequest(names: ["Ana"], emails: ["not an address"], start: d("2027-01-18")),
            DateRequest(names: ["Ana"], emails: ["a@example.org"], start: d("2027-01-18"), priorities: ["politics"]),
            DateRequest(names: ["Ana"], emails: ["a@example.org"], start: d("2027-01-18"), note: String(repeating: "x", count: 5000)),
        ] {
            #expect { try service.requestDates(bad) } throws: { ($0 as? AppError)?.kind == .badInput }
        }
        #expect(try service.bookings().count == 1)
    }

    @Test func thePublicCalendarHoldsDatesOnly() throws {
        let practice = try Practice()
        let service = practice.service()
        _ = try service.book(BookingRequest(couple: "Hidden Pair", contact: "h@example.org", start: d("2027-01-11")))
        let view = try service.publicCalendar(from: d("2027-01-20"), months: 2)
        #expect(view.months == [d("2027-01-01"), d("2027-02-01")])
        #expect(!view.freeStarts.contains(d("2027-01-11")) && !view.freeStarts.contains(d("2027-01-12")))
        #expect(view.freeStarts.contains(d("2027-01-18")))
        #expect(view.freeStarts == view.freeStarts.sorted())
        let early = try service.publicCalendar(from: d("2020-01-01"), months: 1)
        #expect(early.months == [d("2026-12-01")], "never before this month")
    }
}
