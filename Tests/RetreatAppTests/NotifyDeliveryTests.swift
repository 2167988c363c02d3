import Foundation
import PostgresNIO
import RetreatApp
import RetreatICal
import RetreatMail
import RetreatScheduling
import RetreatStore
import Testing

@testable import RetreatPostgres

/// A transport that blocks in `send` until released, so a test can act while a `notify` run is mid-send.
final class Gate: MailTransport, @unchecked Sendable {
    let entered = DispatchSemaphore(value: 0)
    let proceed = DispatchSemaphore(value: 0)
    private let lock = NSLock()
    private var _count = 0
    var count: Int { lock.withLock { _count } }

    func send(_ message: RenderedMessage) throws(MailError) {
        entered.signal()
        proceed.wait()
        lock.withLock { _count += 1 }
    }
}

/// Runs `body` on a thread of its own; `join` waits for it and returns its result.
final class Background<T>: @unchecked Sendable {
    private var result: Result<T, any Error>?
    private let done = DispatchSemaphore(value: 0)

    init(_ body: @escaping @Sendable () throws -> T) {
        Thread.detachNewThread { [self] in
            result = Result { try body() }
            done.signal()
        }
    }

    func join() throws -> T {
        done.wait()
        guard let result else { throw AppError(.io, "no result") }
        return try result.get()
    }
}

/// Defects a hostile tester found in `notify` and change tracking (issue 12's follow-up), each pinned here.
@Suite(.serialized) struct NotifyDeliveryTests {
    static let both = "Jo <jo@example.org>, max@example.org"
    static let intensive = "intensive-b0001-invite@retreat"

    func series(_ count: Int = 8, start: String = "2027-03-01T12:00") throws -> CounselingSeriesSpec {
        CounselingSeriesSpec(
            couple: "Jo & Max", counselor: "", lengthMinutes: 50, frequency: .weekly, start: try #require(LocalTime(iso: start)), end: .count(count),
            counselorZone: "America/New_York", partnerZones: ["Europe/London"], link: "https://video.example.org/r/1")
    }

    // MARK: A. one run per store file, whatever it is called

    @Test func oneNotifyAtATimeWhateverNameTheStoreFileIsOpenedBy() throws {
        let c = try Clinic(.sqlite)
        _ = try c.app().book(BookingRequest(couple: "A", contact: "a@example.org", start: d("2027-01-11")))
        let link = c.dir.appendingPathComponent("link.sqlite").path
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: c.path)
        // The same file spelt another way.
        let dotted = c.dir.appendingPathComponent(".").appendingPathComponent("r.sqlite").path
        let gate = Gate()
        let app = c.app()
        let first = Background { try app.notify(transport: gate) }
        try #require(gate.entered.wait(timeout: .now() + 60) == .success, "the first run never reached the mail command")
        // While the first run is handing a message over, a run through another name of the same file is refused.
        for path in [c.path, link, dotted] {
            let other = RetreatService(store: try SQLiteStore(path: path), actor: "t", clock: { testNow })
            do {
                _ = try other.notify(transport: Recorder())
                Issue.record("a second notify ran through \(path)")
            } catch {
                #expect(error.kind == .conflict && error.exitCode == 3, "\(error.message)")
                #expect(error.message.contains("another `retreat notify` is sending from this store"))
            }
        }
        gate.proceed.signal()
        let report = try first.join()
        #expect(report.sent.count == 1 && gate.count == 1)
        // The lock goes with the run, and leaves no file behind.
        let again = RetreatService(store: try SQLiteStore(path: link), actor: "t", clock: { testNow })
        #expect(try again.notify(transport: Recorder()).sent.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: c.path + ".notify-lock"))
    }

    @Test func oneNotifyAtATimeOnPostgreSQLAndALostLockFallsBackToTheLease() throws {
        let c = try Clinic(.postgres)
        _ = try c.app().book(BookingRequest(couple: "A", contact: "a@example.org", start: d("2027-01-11")))
        let gate = Gate()
        let app = c.app()
        let first = Background { try app.notify(transport: gate) }
        try #require(gate.entered.wait(timeout: .now() + 60) == .success, "the first run never reached the mail command")
        // While the first run holds the practice's notify lock, a second run (another process, another
        // connection) is refused, even long after the first claimed its message.
        let other = RetreatService(store: try PostgresStore(url: c.path), actor: "t", clock: { testNow.addingTimeInterval(700) })
        do {
            _ = try other.notify(transport: Recorder())
            Issue.record("a second notify ran while the first held the lock")
        } catch {
            #expect(error.kind == .conflict && error.exitCode == 3, "\(error.message)")
            #expect(error.message.contains("another `retreat notify` is sending from this store"))
        }
        // The first run's lock connection is lost (a network failure ends it): the lock goes with it. A second
        // run may then start, but it takes the first run's claim over only once the claim is older than the
        // lease, and the first run's delivery is then recorded by the second; the first says so.
        let location = try PostgresLocation(url: c.path)
        let connector = try PostgresConnector(location)
        let ended = try connector.withSession { session in
            try session.column(
                """
                SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND granted
                    AND ((classid::bigint << 32) | objid::bigint) = hashtextextended(\("retreat-run:notify:" + location.schema), 0)
                """, as: Bool.self)
        }
        #expect(ended == [true])
        let early = try c.app(at: testNow.addingTimeInterval(60)).notify(transport: Recorder())
        #expect(early.sent.isEmpty, "a claim younger than the lease was taken over")
        let recorder = Recorder()
        let second = try c.app(at: testNow.addingTimeInterval(700)).notify(transport: recorder)
        #expect(second.sent.count == 1)
        gate.proceed.signal()
        let report = try first.join()
        #expect(report.sent.isEmpty)
        #expect(report.sentUnrecorded.map(\.owner) == ["B0001"])
    }

    // MARK: B. nothing about an event that is over; nothing to an address taken off

    @Test(arguments: StoreKind.allCases) func invitationsForEventsAlreadyOverAreDroppedNotSent(_ kind: StoreKind) throws {
        let c = try Clinic(kind)
        _ = try c.app().book(BookingRequest(couple: "A", contact: "a@example.org", start: d("2027-01-11")))
        _ = try c.app().bookSeries(try series(2), contact: Self.both)
        // Nothing ran until after both ended (the intensive at 17:00 New York on the 13th, the series on 8 March).
        let late = at("2027-03-09T00:00:00Z")
        let dry = try c.app(at: late).notify(dryRun: true)
        #expect(dry.wouldSend.isEmpty)
        #expect(dry.dropped.count == 2)
        let recorder = Recorder()
        let report = try c.app(at: late).notify(transport: recorder)
        #expect(recorder.messages.isEmpty && report.sent.isEmpty)
        #expect(report.dropped.map(\.owner) == ["B0001", "S0001"])
        #expect(report.dropped[0].lastError == "not sent: the intensive it is about has already ended")
        #expect(report.dropped[1].lastError == "not sent: the counseling sessions it is about have already ended")
        #expect(try c.outbox().map(\.status) == [.dropped, .dropped])
        // Between the two ends: the intensive's invitation is dropped, the series' still goes.
        let d2 = try Clinic(kind)
        _ = try d2.app().book(BookingRequest(couple: "A", contact: "a@example.org", start: d("2027-01-11")))
        _ = try d2.app().bookSeries(try series(2), contact: Self.both)
        let middle = try d2.app(at: at("2027-01-14T00:00:00Z")).notify(transport: Recorder())
        #expect(middle.sent.map(\.owner) == ["S0001"] && middle.dropped.map(\.owner) == ["B0001"])
    }

    @Test(arguments: StoreKind.allCases) func mailWaitingForAnAddressTakenOffTheContactIsDropped(_ kind: StoreKind) throws {
        let c = try Clinic(kind)
        _ = try c.app().book(BookingRequest(couple: "Jo & Max", contact: Self.both, start: d("2027-01-11")))
        #expect(try c.send().count == 1)
        // The day-1 reminder is queued, but the mail command is down; then max is taken off the contact.
        let recorder = Recorder()
        recorder.fail([MailError(.exitStatus, "down", exitStatus: 75)])
        let queued = try c.app(at: at("2027-01-10T14:00:00Z")).notify(transport: recorder)
        #expect(queued.remindersQueued.count == 1 && queued.retrying.count == 1)
        _ = try c.app(at: at("2027-01-10T14:01:00Z")).edit(id: "B0001", BookingEdit(contact: "Jo <jo@example.org>, new@example.org"))
        let rows = try c.outbox()
        let reminder = try #require(rows.first { $0.kind == .reminder })
        #expect(reminder.status == .dropped)
        #expect(reminder.lastError == "not sent: an address it is for was taken off the couple's contact")
        let after = try c.send(at: at("2027-01-10T14:05:00Z"), recorder)
        #expect(after.allSatisfy { !$0.recipients.contains("max@example.org") || $0.method == "CANCEL" })
        #expect(!recorder.messages.contains { $0.text.contains("Reminder:") })
        // A REQUEST still waiting for a removed address is never sent either.
        let c2 = try Clinic(kind)
        _ = try c2.app().book(BookingRequest(couple: "Jo & Max", contact: Self.both, start: d("2027-01-11")))
        _ = try c2.app().edit(id: "B0001", BookingEdit(contact: "new@example.org"))
        let sent = try c2.send()
        #expect(sent.map(Sent.init) == [Sent("REQUEST", 1, Self.intensive, "new@example.org")])
        #expect(try c2.outbox().filter { $0.recipients.contains("max@example.org") }.allSatisfy { $0.status == .dropped })
    }

    // MARK: C (the outbox side). A command that did not read the message has not sent it.

    @Test(arguments: StoreKind.allCases) func aCommandThatExitsWithoutReadingHoldsTheMessage(_ kind: StoreKind) throws {
        let c = try Clinic(kind)
        _ = try c.app().book(BookingRequest(couple: "A", contact: "a@example.org", start: d("2027-01-11")))
        for command in ["true", "head -c 100"] {
            let transport = SendmailTransport(command: try SendmailCommand(command), timeout: 10)
            let report = try c.app().notify(transport: transport)
            #expect(report.sent.isEmpty, "\(command)")
            #expect(report.held.first?.lastError?.contains("exited without reading the whole message; it was not sent") == true, "\(command)")
            _ = try c.app().retryOutbox(id: try #require(report.held.first?.id))
        }
    }

    // MARK: D. only what may have arrived counts as arrived

    @Test(arguments: StoreKind.allCases) func aFailedAttemptReachedNoOne(_ kind: StoreKind) throws {
        let c = try Clinic(kind)
        let app = c.app()
        _ = try app.book(BookingRequest(couple: "Jo & Max", contact: Self.both, start: d("2027-01-11")))
        let recorder = Recorder()
        recorder.fail([MailError(.exitStatus, "down", exitStatus: 75)])
        #expect(try app.notify(transport: recorder).retrying.count == 1)
        // Moved before the invitation ever went: the couple's first message is the invitation, not an update.
        _ = try app.reschedule(id: "B0001", to: d("2027-01-18"))
        let sent = try c.send(at: testNow.addingTimeInterval(120), recorder)
        #expect(sent.map(Sent.init) == [Sent("REQUEST", 1, Self.intensive, Self.both)])
        #expect(sent[0].subject.hasPrefix("Invitation: "), "\(sent[0].subject)")
        #expect(!sent[0].body.contains("replaces the one in your calendar"))
        // A refused invitation (held) reached no one: cancelling sends no CANCEL.
        _ = try app.book(BookingRequest(couple: "B", contact: "b@example.org", start: d("2027-02-01")))
        recorder.fail([MailError(.exitStatus, "unknown user", exitStatus: 67)])
        #expect(try c.app(at: testNow.addingTimeInterval(200)).notify(transport: recorder).held.count == 1)
        _ = try app.cancel(id: "B0002")
        #expect(try c.send(at: testNow.addingTimeInterval(300), recorder).isEmpty)
        // An attempt whose outcome is unknown (killed after reading the message) may have arrived: it counts.
        _ = try app.book(BookingRequest(couple: "C", contact: "c@example.org", start: d("2027-03-01")))
        recorder.fail([MailError(.timedOut, "stopped", signal: SIGTERM, outcomeUnknown: true)])
        #expect(try c.app(at: testNow.addingTimeInterval(400)).notify(transport: recorder).retrying.count == 1)
        _ = try app.cancel(id: "B0003")
        let cancel = try c.send(at: testNow.addingTimeInterval(500), recorder)
        #expect(cancel.map { $0.method ?? "" } == ["CANCEL"])
        #expect(cancel[0].subject.hasPrefix("Cancelled: "))
    }

    @Test(arguments: StoreKind.allCases) func aPartnerAddedLaterIsInvitedWhileTheOtherIsUpdated(_ kind: StoreKind) throws {
        let c = try Clinic(kind)
        let app = c.app()
        _ = try app.book(BookingRequest(couple: "Jo & Max", contact: "Jo <jo@example.org>", start: d("2027-01-11")))
        #expect(try c.send().count == 1)
        _ = try app.edit(id: "B0001", BookingEdit(contact: Self.both))
        let sent = try c.send()
        #expect(sent.map(Sent.init) == [Sent("REQUEST", 1, Self.intensive, "Jo <jo@example.org>"), Sent("REQUEST", 1, Self.intensive, "max@example.org")])
        #expect(sent[0].subject.hasPrefix("Updated: ") && sent[1].subject.hasPrefix("Invitation: "))
        // Each lists both partners as ATTENDEEs.
        for row in sent {
            let events = try ICalendar(parsing: try #require(row.calendar)).events
            #expect(events.allSatisfy { Set($0.attendees.map(\.uri)) == ["mailto:jo@example.org", "mailto:max@example.org"] })
        }
        // Taking one off: the CANCEL says the address was removed, not that the intensive is cancelled.
        _ = try app.edit(id: "B0001", BookingEdit(contact: "max@example.org"))
        let removal = try #require(try c.send().first { $0.method == "CANCEL" })
        #expect(removal.subject.hasPrefix("Removed from the invitation: your intensive"), "\(removal.subject)")
        #expect(!removal.subject.contains("Cancelled"))
        #expect(removal.body.contains("the intensive itself still takes place"))
    }

    // MARK: E. cancelling a series that began keeps its past sessions

    @Test(arguments: StoreKind.allCases) func cancellingASeriesThatBeganEndsItInsteadOfErasingIt(_ kind: StoreKind) throws {
        let c = try Clinic(kind)
        _ = try c.app().bookSeries(try series(8), contact: Self.both)
        #expect(try c.send().count == 1)
        // After the sessions of 1, 8 and 15 March (12:00 New York), the series is cancelled.
        let now = at("2027-03-16T12:00:00Z")
        let stored = try c.app(at: now).changeSeries(id: "S0001", .cancelAll)
        #expect(!stored.active)
        #expect(stored.series.occurrences().map { $0.localStart.day } == [d("2027-03-01"), d("2027-03-08"), d("2027-03-15")])
        let sent = try c.send(at: now)
        #expect(sent.map(Sent.init) == [Sent("REQUEST", 1, "series-s0001@retreat", Self.both)])
        let message = try #require(sent.first)
        #expect(message.subject == "Cancelled: your counseling sessions from Monday 22 March 2027 on")
        #expect(message.body.contains("the sessions you have already had stay in it"))
        let calendar = try #require(message.calendar)
        #expect(calendar.contains("RRULE:FREQ=WEEKLY;UNTIL=20270322T035959Z"), "\(calendar)")
        #expect(!calendar.contains("STATUS:CANCELLED"))
        #expect(ICalValidator.problems(in: calendar).isEmpty)
        let expanded = try ICalendar(parsing: calendar)
        #expect(expanded.method == .request && Set(expanded.events.map(\.uid)) == ["series-s0001@retreat"])
        // The invitation file agrees: a REQUEST, not a CANCEL.
        let files = try c.app(at: now).invitationFiles(EventOwner(.series, "S0001"))
        #expect(files.map(\.suggestedName) == ["s0001-request.ics"])
        // Cancelled before it began, a series is cancelled whole.
        _ = try c.app(at: now).bookSeries(try series(4, start: "2027-04-05T12:00"), contact: "ann@example.org")
        #expect(try c.send(at: now).count == 1)
        _ = try c.app(at: now).changeSeries(id: "S0002", .cancelAll)
        #expect(try c.send(at: now).map { $0.method ?? "" } == ["CANCEL"])
    }

    // MARK: F. a series' contact and link can be corrected

    @Test(arguments: StoreKind.allCases) func aSeriesContactAndLinkCanBeCorrected(_ kind: StoreKind) throws {
        let c = try Clinic(kind)
        _ = try c.app().bookSeries(try series(4), contact: Self.both)
        #expect(try c.send().count == 1)
        for (contact, link) in [("nobody", nil), (nil, "http://video.example.org/x"), ("a@x.org\r\nATTENDEE:mailto:spy@evil.org", nil)] as [(String?, String?)]
        {
            #expect(throws: AppError.self) { try c.app().editSeries(id: "S0001", contact: contact, link: link) }
        }
        let edited = try c.app().editSeries(id: "S0001", contact: "max@example.org", link: "https://video.example.org/r/2")
        #expect(edited.contact == "max@example.org" && edited.series.spec.link == "https://video.example.org/r/2")
        let sent = try c.send()
        #expect(
            sent.map(Sent.init) == [
                Sent("REQUEST", 1, "series-s0001@retreat", "max@example.org"), Sent("CANCEL", 1, "series-s0001@retreat", "Jo <jo@example.org>"),
            ])
        #expect(sent[0].calendar?.contains("https://video.example.org/r/2") == true)
        #expect(sent[0].body.contains("Join: https://video.example.org/r/2"))
        let audit = try c.store.read { try $0.auditLog(entityID: "S0001") }
        #expect(audit.contains { $0.action == "series-edit" })
        // Nothing changes, nothing is sent; a cancelled series cannot be edited.
        _ = try c.app().editSeries(id: "S0001", contact: "max@example.org")
        #expect(try c.send().isEmpty)
        _ = try c.app().changeSeries(id: "S0001", .cancelAll)
        #expect(throws: AppError.self) { try c.app().editSeries(id: "S0001", link: "") }
    }

    @Test(arguments: StoreKind.allCases) func aBadStoredSeriesContactPointsAtSessionsEdit(_ kind: StoreKind) throws {
        let c = try Clinic(kind)
        _ = try c.app().bookSeries(try series(4), contact: Self.both)
        try c.store.write { tx in
            guard var s = try tx.allSeries().first else { return }
            s.contact = "not an address"
            try tx.update(s)
        }
        do {
            _ = try c.app().changeSeries(id: "S0001", .cancelOne(d("2027-03-08")))
            Issue.record("a broken stored contact went unnoticed")
        } catch {
            #expect(error.message.contains("`retreat sessions edit S0001 --contact ...`"), "\(error.message)")
        }
    }

    // MARK: G. a dry run reports what the real run will do

    @Test(arguments: StoreKind.allCases) func aDryRunBuildsEachMessageAndReportsTheSameOutcome(_ kind: StoreKind) throws {
        let c = try Clinic(kind)
        _ = try c.app().book(BookingRequest(couple: "A", contact: "a@example.org", start: d("2027-01-11")))
        // A message whose plain text is larger than a mail part may be (262,144 octets) cannot be built.
        _ = try c.store.write { tx in
            try tx.insert(
                OutboxMessage(
                    createdAt: testNow, kind: .reminder, owner: EventOwner(.booking, "B0001"), recipients: "a@example.org", subject: "Reminder",
                    body: String(repeating: "x", count: 300_000), dedupeKey: "reminder|B0001|20270111T140000Z", occursAt: at("2027-01-11T14:00:00Z"),
                    seed: "huge"))
        }
        let dry = try c.app().notify(dryRun: true)
        #expect(dry.wouldSend.count == 1)
        #expect(dry.held.count == 1)
        let reason = try #require(dry.held.first?.lastError)
        #expect(reason.hasPrefix("cannot be built: "))
        let real = try c.app().notify(transport: Recorder())
        #expect(real.sent.count == 1)
        #expect(real.held.map(\.lastError) == [reason])
    }
}
