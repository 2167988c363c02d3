import Foundation
import RetreatAgenda
import RetreatApp
import RetreatICal
import RetreatMail
import RetreatScheduling
import RetreatStore
import Testing

/// Repository root, found from this file.
let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// A transport that keeps what it is handed, or fails as scripted.
final class Recorder: MailTransport, @unchecked Sendable {
    private let lock = NSLock()
    private var _messages: [RenderedMessage] = []
    private var script: [MailError?] = []

    var messages: [RenderedMessage] { lock.withLock { _messages } }

    /// The next sends fail with these errors in turn (nil: accept).
    func fail(_ errors: [MailError?]) { lock.withLock { script = errors } }

    func send(_ message: RenderedMessage) throws(MailError) {
        lock.lock()
        defer { lock.unlock() }
        if !script.isEmpty, let error = script.removeFirst() { throw error }
        _messages.append(message)
    }
}

/// The fixture practice (Fixtures/practice.toml and the module catalog) in a scratch store.
final class Clinic {
    let dir: URL
    let kind: StoreKind
    let path: String
    let store: any PracticeStore

    init(_ kind: StoreKind = .sqlite) throws {
        self.kind = kind
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("retreat-notify-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        path = kind == .sqlite ? dir.appendingPathComponent("r.sqlite").path : try TestPostgres.freshSchemaURL()
        let (service, _) = try RetreatService.create(
            path: path, configPath: repoRoot.appendingPathComponent("Fixtures/practice.toml").path,
            modulesPath: repoRoot.appendingPathComponent("Fixtures/agenda-modules.toml").path, actor: "t", clock: { testNow })
        store = service.store
    }

    deinit {
        try? FileManager.default.removeItem(at: dir)
        if kind == .postgres { TestPostgres.dropSchema(of: path) }
    }

    func app(at now: Date = testNow) -> RetreatService { RetreatService(store: store, actor: "t", clock: { now }) }

    func outbox() throws -> [OutboxMessage] { try store.read { try $0.outboxMessages(OutboxQuery()) } }

    /// Runs `notify` and returns the outbox rows it sent, in order.
    func send(at now: Date = testNow, _ recorder: Recorder = Recorder()) throws -> [OutboxMessage] {
        let report = try app(at: now).notify(transport: recorder)
        let rows = try outbox()
        return report.sent.compactMap { entry in rows.first { $0.id == entry.id } }
    }
}

/// What a calendar app receives: method, SEQUENCE, UID and who.
struct Sent: Equatable, CustomStringConvertible {
    var method: String
    var sequence: Int
    var uid: String
    var to: String

    init(_ m: OutboxMessage) {
        method = m.method ?? "reminder"
        sequence = m.sequence ?? -1
        uid = m.uid ?? ""
        to = m.recipients
    }

    init(_ method: String, _ sequence: Int, _ uid: String, _ to: String) {
        self.method = method
        self.sequence = sequence
        self.uid = uid
        self.to = to
    }

    var description: String { "\(method) \(sequence) \(uid) → \(to)" }
}

func at(_ text: String) -> Date {
    guard let date = ISO8601DateFormatter().date(from: text) else { fatalError("bad instant \(text)") }
    return date
}

@Suite(.serialized) struct NotifyUseCaseTests {
    static let both = "Jo <jo@example.org>, max@example.org"
    static let intensive = "intensive-b0001-invite@retreat"

    /// Each calendar part is one event (one UID), passes libical's restriction checks, and reads back.
    func checkCalendars(_ rows: [OutboxMessage]) throws {
        for row in rows where row.kind == .invitation {
            let text = try #require(row.calendar)
            #expect(ICalValidator.problems(in: text).isEmpty, "\(ICalValidator.problems(in: text))")
            let parsed = try ICalendar(parsing: text)
            #expect(Set(parsed.events.map(\.uid)) == [row.uid ?? ""])
            #expect(parsed.method?.rawValue == row.method)
            #expect(parsed.events.allSatisfy { $0.sequence == row.sequence })
        }
    }

    @Test(arguments: StoreKind.allCases) func anIntensiveYieldsExactlyTheMessagesACalendarNeeds(_ kind: StoreKind) throws {
        let c = try Clinic(kind)
        let app = c.app()
        _ = try app.book(BookingRequest(couple: "Jo & Max", contact: Self.both, start: d("2027-01-11"), priorities: ["affair-recovery", "communication"]))
        var sent = try c.send()
        #expect(sent.map(Sent.init) == [Sent("REQUEST", 0, Self.intensive, Self.both)])
        #expect(sent[0].subject.hasPrefix("Invitation: "))
        // Intake without an agenda changes nothing the couple sees.
        _ = try app.recordIntake(bookingID: "B0001", IntakeUpdate(screen: (.a, .passed), affairEnded: .yes, hurtPartner: .b))
        _ = try app.recordIntake(bookingID: "B0001", IntakeUpdate(screen: (.b, .passed)))
        #expect(try c.send().isEmpty)
        // Planning the agenda puts each day's agenda in the event: one update.
        _ = try app.agenda(bookingID: "B0001")
        sent = try c.send()
        #expect(sent.map(Sent.init) == [Sent("REQUEST", 1, Self.intensive, Self.both)])
        #expect(sent[0].subject.hasPrefix("Updated: "))
        // Reading it, or re-planning to the same agenda, sends nothing.
        _ = try app.agenda(bookingID: "B0001")
        _ = try app.agenda(bookingID: "B0001", edits: AgendaEdits(replan: true))
        #expect(try c.send().isEmpty)
        // A re-plan that changes the days: one update.
        _ = try app.agenda(bookingID: "B0001", edits: AgendaEdits(exclusions: ["appreciations"]))
        sent = try c.send()
        #expect(sent.map(Sent.init) == [Sent("REQUEST", 2, Self.intensive, Self.both)])
        // A reschedule: the new dates, without the (now stale) agenda; then the re-plan brings it back.
        _ = try app.reschedule(id: "B0001", to: d("2027-01-18"))
        sent = try c.send()
        #expect(sent.map(Sent.init) == [Sent("REQUEST", 3, Self.intensive, Self.both)])
        #expect(!(sent[0].calendar ?? "").contains("Guided conversation"))
        #expect(sent[0].calendar?.contains("DTSTART;TZID=America/New_York:20270118T090000") == true)
        _ = try app.agenda(bookingID: "B0001", edits: AgendaEdits(replan: true))
        sent = try c.send()
        #expect(sent.map(Sent.init) == [Sent("REQUEST", 4, Self.intensive, Self.both)])
        #expect(sent[0].calendar?.contains("Guided conversation") == true)
        // One partner taken off the contact: the update to the other, a CANCEL to them.
        _ = try app.edit(id: "B0001", BookingEdit(contact: "max@example.org"))
        sent = try c.send()
        #expect(sent.map(Sent.init) == [Sent("REQUEST", 5, Self.intensive, "max@example.org"), Sent("CANCEL", 5, Self.intensive, "Jo <jo@example.org>")])
        // A change that the couple cannot see (the name staff use) sends nothing.
        _ = try app.edit(id: "B0001", BookingEdit(couple: "J. & M."))
        #expect(try c.send().isEmpty)
        // Cancelled: one CANCEL; nothing after.
        _ = try app.cancel(id: "B0001", reason: "Affair disclosed to staff only")
        sent = try c.send()
        #expect(sent.map(Sent.init) == [Sent("CANCEL", 6, Self.intensive, "max@example.org")])
        #expect(try c.send().isEmpty)
        let all = try c.outbox()
        try checkCalendars(all)
        #expect(all.allSatisfy { $0.status == .sent })
    }

    @Test(arguments: StoreKind.allCases) func aSeriesYieldsExactlyTheMessagesACalendarNeeds(_ kind: StoreKind) throws {
        let c = try Clinic(kind)
        let app = c.app()
        let spec = CounselingSeriesSpec(
            couple: "Jo & Max", counselor: "", lengthMinutes: 50, frequency: .weekly, start: try #require(LocalTime(iso: "2027-03-01T12:00")),
            end: .count(8), counselorZone: "America/New_York", partnerZones: ["Europe/London"], link: "https://video.example.org/r/1")
        _ = try app.bookSeries(spec, contact: Self.both)
        let uid = "series-s0001@retreat"
        #expect(try c.send().map(Sent.init) == [Sent("REQUEST", 0, uid, Self.both)])
        _ = try app.changeSeries(id: "S0001", .move(d("2027-03-15"), to: try #require(LocalTime(iso: "2027-03-16T14:00"))))
        let moved = try c.send()
        #expect(moved.map(Sent.init) == [Sent("REQUEST", 1, uid, Self.both)])
        #expect(moved[0].calendar?.contains("RECURRENCE-ID;TZID=America/New_York:20270315T120000") == true)
        _ = try app.changeSeries(id: "S0001", .cancelOne(d("2027-03-29")))
        let skipped = try c.send()
        #expect(skipped.map(Sent.init) == [Sent("REQUEST", 2, uid, Self.both)])
        #expect(skipped[0].calendar?.contains("EXDATE;TZID=America/New_York:20270329T120000") == true)
        _ = try app.changeSeries(id: "S0001", .end(from: d("2027-04-12")))
        let ended = try c.send()
        #expect(ended.map(Sent.init) == [Sent("REQUEST", 3, uid, Self.both)])
        #expect(ended[0].calendar?.contains("UNTIL=") == true)
        _ = try app.changeSeries(id: "S0001", .cancelAll)
        #expect(try c.send().map(Sent.init) == [Sent("CANCEL", 4, uid, Self.both)])
        #expect(try c.send().isEmpty)
        try checkCalendars(try c.outbox())
        // Times in each partner's zone in the text: 12:00 in New York is 17:00 in London on 1 March.
        let first = try #require(try c.outbox().first)
        #expect(first.body.contains("Monday 1 March 2027, 12:00–12:50 New York time (America/New_York); 17:00–17:50 London time (Europe/London)"))
        #expect(first.body.contains("Join: https://video.example.org/r/1"))
    }

    @Test(arguments: StoreKind.allCases) func whatNeverLeftIsNeitherSentNorCancelled(_ kind: StoreKind) throws {
        let c = try Clinic(kind)
        let app = c.app()
        // Booked, moved twice and cancelled before any notify run: the couple receives nothing at all.
        _ = try app.book(BookingRequest(couple: "A", contact: "a@example.org", start: d("2027-01-11")))
        _ = try app.reschedule(id: "B0001", to: d("2027-01-18"))
        _ = try app.cancel(id: "B0001")
        #expect(try c.send().isEmpty)
        // Booked and moved twice: one invitation, with the last dates, worded as an invitation.
        _ = try app.book(BookingRequest(couple: "B", contact: "b@example.org", start: d("2027-02-01")))
        _ = try app.reschedule(id: "B0002", to: d("2027-02-08"))
        _ = try app.reschedule(id: "B0002", to: d("2027-02-15"))
        let sent = try c.send()
        #expect(sent.count == 1)
        #expect(sent[0].subject.hasPrefix("Invitation: "))
        #expect(sent[0].calendar?.contains("20270215T090000") == true)
        #expect(sent[0].sequence == 2)
        // A hold is not sent; confirming it sends the invitation.
        _ = try app.book(BookingRequest(couple: "C", contact: "c@example.org", start: d("2027-03-01"), hold: true))
        #expect(try c.send().isEmpty)
        _ = try app.confirm(id: "B0003")
        #expect(try c.send().map { $0.method ?? "" } == ["REQUEST"])
        // Without a contact nothing is queued.
        _ = try app.book(BookingRequest(couple: "D", start: d("2027-03-15")))
        #expect(try c.send().isEmpty)
    }

    @Test(arguments: StoreKind.allCases) func settingsChangesSendOnlyWhatACalendarShows(_ kind: StoreKind) throws {
        let c = try Clinic(kind)
        let app = c.app()
        _ = try app.book(BookingRequest(couple: "A", contact: "a@example.org", start: d("2027-01-11")))
        _ = try app.book(BookingRequest(couple: "B", contact: "b@example.org", start: d("2027-01-18"), hold: true))
        _ = try app.book(BookingRequest(couple: "C", start: d("2027-01-25")))
        #expect(try c.send().count == 1)
        // The price is not in anyone's calendar; the day's start is, for the confirmed booking with an address.
        #expect(try app.updateSettings([("priceCents", "480000")]).count == 1)
        #expect(try c.send().isEmpty)
        // The day hours of live bookings cannot change under them (refused), so nothing is queued either.
        #expect(throws: AppError.self) { try app.updateSettings([("dayStart", "09:30")]) }
        #expect(try c.send().isEmpty)
        // Once no intensive is live, the hours may change, and there is no one to tell.
        _ = try app.cancel(id: "B0001")
        _ = try app.cancel(id: "B0002")
        _ = try app.cancel(id: "B0003")
        #expect(try c.send().map(Sent.init) == [Sent("CANCEL", 1, Self.intensive, "a@example.org")])
        _ = try app.updateSettings([("dayStart", "09:30")])
        #expect(try c.send().isEmpty)
    }

    @Test(arguments: StoreKind.allCases) func temporaryFailuresBackOffPermanentOnesAreHeldAndRetried(_ kind: StoreKind) throws {
        let c = try Clinic(kind)
        _ = try c.app().book(BookingRequest(couple: "A", contact: "a@example.org", start: d("2027-01-11")))
        let recorder = Recorder()
        recorder.fail([MailError(.exitStatus, "server down", exitStatus: 75)])
        let first = try c.app().notify(transport: recorder)
        #expect(first.sent.isEmpty && first.retrying.count == 1)
        #expect(first.retrying[0].nextAttemptAt == testNow.addingTimeInterval(60))
        // Not due yet: nothing happens; a minute later it goes, with the Message-ID fixed at the first attempt.
        #expect(try c.app(at: testNow.addingTimeInterval(30)).notify(transport: recorder).sent.isEmpty)
        let messageID = try #require(try c.outbox()[0].messageID)
        recorder.fail([MailError(.exitStatus, "still down", exitStatus: 75)])
        let second = try c.app(at: testNow.addingTimeInterval(61)).notify(transport: recorder)
        #expect(second.retrying.first?.nextAttemptAt == testNow.addingTimeInterval(61 + 120))
        let third = try c.app(at: testNow.addingTimeInterval(200)).notify(transport: recorder)
        #expect(third.sent.count == 1)
        #expect(recorder.messages.map(\.messageID) == [messageID])
        // A permanent failure is held with its error until staff retry it.
        _ = try c.app().book(BookingRequest(couple: "B", contact: "b@example.org", start: d("2027-02-01")))
        recorder.fail([MailError(.exitStatus, "unknown user", exitStatus: 67)])
        let held = try c.app(at: testNow.addingTimeInterval(300)).notify(transport: recorder)
        #expect(held.held.count == 1 && held.held[0].lastError == "unknown user")
        #expect(try c.app(at: testNow.addingTimeInterval(400)).notify(transport: recorder).sent.isEmpty)
        _ = try c.app().retryOutbox(id: held.held[0].id)
        #expect(try c.app(at: testNow.addingTimeInterval(500)).notify(transport: recorder).sent.count == 1)
        // After three temporary failures in a row the run stops and leaves the rest queued.
        for start in ["2027-03-01", "2027-03-15", "2027-03-29", "2027-04-12"] {
            _ = try c.app().book(BookingRequest(couple: "E", contact: "e@example.org", start: d(start)))
        }
        let down = MailError(.exitStatus, "down", exitStatus: 75)
        recorder.fail([down, down, down, down])
        let stopped = try c.app(at: testNow.addingTimeInterval(600)).notify(transport: recorder)
        #expect(stopped.retrying.count == 3 && stopped.stoppedEarly != nil)
        #expect(try c.outbox().filter { $0.status == .queued && $0.attempts == 0 }.count == 1)
    }

    @Test(arguments: StoreKind.allCases) func remindersGoOnceBeforeEachDayAndSessionAndNeverAfterAChange(_ kind: StoreKind) throws {
        let c = try Clinic(kind)
        _ = try c.app().book(BookingRequest(couple: "Jo & Max", contact: Self.both, start: d("2027-01-11")))
        let spec = CounselingSeriesSpec(
            couple: "Ann & Bo", counselor: "", lengthMinutes: 50, frequency: .weekly, start: try #require(LocalTime(iso: "2027-01-19T12:00")),
            end: .count(2), counselorZone: "America/New_York", partnerZones: ["Asia/Tokyo"], link: nil)
        _ = try c.app().bookSeries(spec, contact: "ann@example.org", allowOutsideHours: true)
        #expect(try c.send().count == 2)  // the invitations
        // 24 hours before day 1 (09:00 New York = 14:00 UTC on the 11th): its reminder, once.
        #expect(try c.send(at: at("2027-01-10T13:59:00Z")).isEmpty)
        let day1 = try c.send(at: at("2027-01-10T14:00:00Z"))
        #expect(day1.map(\.kind) == [.reminder])
        #expect(day1[0].subject == "Reminder: your intensive, day 1 of 3, Monday 11 January 2027")
        #expect(day1[0].body.contains("09:00–17:00, New York time (America/New_York)"))
        #expect(try c.send(at: at("2027-01-10T20:00:00Z")).isEmpty)
        #expect(try c.send(at: at("2027-01-11T14:30:00Z")).map(\.kind) == [.reminder])  // day 2
        // The session on the 19th: in the partner's zone too (Tokyo is 14 hours ahead).
        let session = try c.send(at: at("2027-01-18T17:00:00Z"))
        #expect(session.count == 1)
        #expect(
            session[0].body.contains(
                "Tuesday 19 January 2027, 12:00–12:50 New York time (America/New_York); Wednesday 20 January 2027 02:00–02:50 Tokyo time (Asia/Tokyo)"))
        // A reminder queued but not sent (the mail command was down) is dropped when its session moves.
        let recorder = Recorder()
        recorder.fail([MailError(.exitStatus, "down", exitStatus: 75)])
        let queued = try c.app(at: at("2027-01-25T17:30:00Z")).notify(transport: recorder)
        #expect(queued.remindersQueued.count == 1 && queued.retrying.count == 1)
        _ = try c.app(at: at("2027-01-25T17:31:00Z")).changeSeries(
            id: "S0001", .move(d("2027-01-26"), to: try #require(LocalTime(iso: "2027-01-26T15:00"))), allowOutsideHours: true)
        let after = try c.app(at: at("2027-01-25T17:35:00Z")).notify(transport: recorder)
        #expect(after.dropped.count == 1)
        #expect(after.dropped.first?.lastError?.contains("moved or was cancelled") == true)
        #expect(after.sent.map(\.kind) == [.invitation])  // the update of the series
        // The moved session (15:00 New York on the 26th) gets its own reminder once its time comes, once.
        #expect(try c.send(at: at("2027-01-25T19:59:00Z")).isEmpty)
        #expect(try c.send(at: at("2027-01-25T20:00:00Z")).map(\.kind) == [.reminder])
        #expect(try c.send(at: at("2027-01-25T20:30:00Z")).isEmpty)
    }

    @Test(arguments: StoreKind.allCases) func noMessageShowsAnotherCoupleAPriorityAnIntakeAnswerOrAStaffNote(_ kind: StoreKind) throws {
        let c = try Clinic(kind)
        let app = c.app()
        _ = try app.book(BookingRequest(couple: "Jo & Max", contact: Self.both, start: d("2027-01-11"), priorities: ["affair-recovery", "intimacy"]))
        _ = try app.book(BookingRequest(couple: "Ann & Bo", contact: "ann@example.org", start: d("2027-01-18"), priorities: ["communication"]))
        _ = try app.recordIntake(bookingID: "B0001", IntakeUpdate(screen: (.a, .passed), affairEnded: .yes, hurtPartner: .b))
        _ = try app.recordIntake(bookingID: "B0001", IntakeUpdate(screen: (.b, .passed)))
        _ = try app.agenda(bookingID: "B0001")
        let recorder = Recorder()
        _ = try app.notify(transport: recorder)
        _ = try app.cancel(id: "B0002", reason: "Partner disclosed a second affair")
        _ = try c.app(at: at("2027-01-10T15:00:00Z")).notify(transport: recorder)
        let rows = try c.outbox().filter { $0.status == .sent }
        #expect(rows.count == 4)  // the two invitations, B0002's cancellation, and B0001's first reminder
        let catalog = try String(contentsOf: repoRoot.appendingPathComponent("Fixtures/agenda-modules.toml"), encoding: .utf8)
        func values(_ key: String) -> Set<String> {
            Set(
                catalog.split(separator: "\n").compactMap { line -> String? in
                    guard line.hasPrefix("\(key) = \"") else { return nil }
                    return String(line.dropFirst(key.count + 4).dropLast())
                })
        }
        // Staff titles that are not also a client title ("Break", "Lunch" are both).
        let staffTitles = values("title").subtracting(values("client_title")).sorted()
        #expect(staffTitles.count > 20)
        for row in rows {
            let text = row.subject + row.body + (row.calendar ?? "")
            for secret in staffTitles + ["affair", "Affair", "intimacy", "communication", "safety", "second affair", "disclosed"] {
                #expect(!text.contains(secret), "message \(row.id ?? 0) reveals \(secret)")
            }
            let other = row.owner.id == "B0001" ? "Ann" : "Jo"
            #expect(!text.contains(other))
        }
        // What was handed to the mail command is what the outbox holds, 7-bit, with the stored Message-ID.
        #expect(recorder.messages.map(\.messageID) == rows.compactMap(\.messageID))
        #expect(recorder.messages.allSatisfy { $0.text.utf8.allSatisfy { $0 < 0x80 } })
    }

    @Test(arguments: StoreKind.allCases) func aDryRunChangesNothingAndSendsNothing(_ kind: StoreKind) throws {
        let c = try Clinic(kind)
        _ = try c.app().book(BookingRequest(couple: "Jo & Max", contact: Self.both, start: d("2027-01-11")))
        func bytes() throws -> [Data] {
            guard c.kind == .sqlite else { return [] }
            return try ["", "-wal"].map { try Data(contentsOf: URL(fileURLWithPath: c.path + $0)) }
        }
        let before = try bytes()
        let records = try c.store.read { try $0.records() }
        let recorder = Recorder()
        let report = try c.app(at: at("2027-01-10T15:00:00Z")).notify(dryRun: true, previews: true, transport: recorder)
        #expect(report.wouldSend.count == 2)  // the invitation and the reminder that would be queued
        #expect(report.previews.count == 2)
        #expect(report.previews[0].headers.contains { $0.hasPrefix("Message-ID: <retreat.") })
        #expect(recorder.messages.isEmpty)
        #expect(try bytes() == before)
        #expect(try c.store.read { try $0.records() } == records)
        #expect(try c.outbox().map(\.status) == [.queued])
    }

    @Test(arguments: StoreKind.allCases) func aStaleAgendaRefusesTheInvitationFileThatWouldCarryIt(_ kind: StoreKind) throws {
        let c = try Clinic(kind)
        let app = c.app()
        _ = try app.book(BookingRequest(couple: "Jo & Max", contact: Self.both, start: d("2027-01-11"), priorities: ["communication"]))
        _ = try app.recordIntake(bookingID: "B0001", IntakeUpdate(screen: (.a, .passed)))
        _ = try app.recordIntake(bookingID: "B0001", IntakeUpdate(screen: (.b, .passed)))
        _ = try app.agenda(bookingID: "B0001")
        #expect(try app.invitationFiles(EventOwner(.booking, "B0001")).count == 1)
        _ = try app.recordIntake(bookingID: "B0001", IntakeUpdate(screen: (.a, .passed)))  // no change: still current
        #expect(try app.invitationFiles(EventOwner(.booking, "B0001")).count == 1)
        _ = try app.recordIntake(bookingID: "B0001", IntakeUpdate(affairEnded: .no))  // not used: affair recovery not ranked
        #expect(try app.invitationFiles(EventOwner(.booking, "B0001")).count == 1)
        _ = try app.recordIntake(bookingID: "B0001", IntakeUpdate(screen: (.a, .notScreened)))
        _ = try app.recordIntake(bookingID: "B0001", IntakeUpdate(screen: (.a, .passed)))
        do {
            _ = try app.invitationFiles(EventOwner(.booking, "B0001"))
            Issue.record("a stale agenda went into an invitation")
        } catch {
            #expect(error.kind == .conflict && error.exitCode == 3)
            #expect(error.message.contains("stale"))
        }
        do {
            _ = try app.export(.couple(bookingID: "B0001", invite: true, detailed: true))
            Issue.record("--detailed --invite was accepted")
        } catch {
            #expect(error.exitCode == 64)
        }
    }
}
