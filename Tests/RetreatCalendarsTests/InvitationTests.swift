import Foundation
import RetreatAgenda
import RetreatCalendars
import RetreatICal
import RetreatScheduling
import Testing

/// The couple's invitation as one event, and the change-tracking rule, from plain values.
@Suite struct InvitationTests {
    static let stamp = Date(timeIntervalSince1970: 1_796_137_200)  // 2026-12-01 15:00 UTC
    static let settings = PracticeSettings(timeZoneIdentifier: "America/New_York")
    static let profile = PracticeProfile(name: "Retreat", organizerEmail: "staff@example.org", organizerName: "Staff", location: "Suite 2")

    static func mailbox(_ text: String) -> Mailbox {
        do { return try Mailbox(text, field: "test") } catch { fatalError("\(error)") }
    }

    static let partners = [mailbox("Jo <jo@example.org>"), mailbox("max@example.org")]

    static func booking(start: String = "2027-01-11", sequence: Int = 0) -> Booking {
        guard let day = CalendarDay(iso: start) else { fatalError("bad date") }
        return Booking(
            id: "B0001", couple: "Jo & Max", contact: "Jo <jo@example.org>, max@example.org", resource: "practice", start: day, intensiveDays: 3,
            turnoverDays: 1, status: .confirmed, sequence: sequence, priorities: ["affair-recovery"], priceCents: 0,
            deposit: Deposit(amountCents: 0, due: day), createdAt: stamp)
    }

    static func clock(_ text: String) -> ClockTime {
        guard let t = ClockTime(text) else { fatalError("bad time") }
        return t
    }

    /// An agenda whose staff titles and priorities must never reach the couple.
    static var agenda: Agenda {
        func block(_ s: String, _ e: String, _ kind: BlockKind, staff: String, client: String) -> AgendaBlock {
            AgendaBlock(
                start: clock(s), end: clock(e), kind: kind, moduleID: "affair-disclosure", staffTitle: staff, clientTitle: client,
                priorities: kind == .session ? [Priority("affair-recovery")] : [], intensity: 2)
        }
        let days = (0..<3).map { i in
            AgendaDay(
                index: i,
                blocks: [
                    block("09:00", "10:30", .session, staff: "Affair recovery 2: disclosure", client: "Guided conversation"),
                    block("10:30", "10:45", .break, staff: "Break", client: "Break"),
                    block("10:45", i == 2 ? "15:00" : "16:30", .session, staff: "Sexual reconnection", client: "Session"),
                ])
        }
        return Agenda(days: days, score: .perfect)
    }

    @Test func anIntensiveIsOneEventWhoseDaysCarryTheirOwnNeutralAgenda() throws {
        let event = Invitations.intensive(
            booking: Self.booking(), days: InvitationDay.days(of: Self.agenda), settings: Self.settings, profile: Self.profile,
            attendees: Self.partners)
        let calendar = event.calendar(method: .request, sequence: 2, stamp: Self.stamp, recipients: event.attendees, calendarName: "Retreat")
        let text = try calendar.serialized()
        #expect(ICalValidator.problems(in: text).isEmpty, "\(ICalValidator.problems(in: text))")
        let parsed = try ICalendar(parsing: text)
        #expect(parsed.method == .request)
        #expect(Set(parsed.events.map(\.uid)) == ["intensive-b0001-invite@retreat"])
        #expect(parsed.events.count == 4)  // the master and one override per day
        #expect(parsed.events[0].recurrenceRule == "FREQ=DAILY;COUNT=3")
        #expect(parsed.events.allSatisfy { $0.sequence == 2 && $0.classification == .privateClass && $0.alarms.isEmpty })
        #expect(parsed.events.allSatisfy { $0.attendees.map(\.uri) == ["mailto:jo@example.org", "mailto:max@example.org"] && $0.attendees[0].rsvp })
        // Each day is one instance at its own hours; day 3 ends at 15:00 New York time.
        let window = DateInterval(start: Self.stamp, duration: 86_400 * 60)
        let days = try parsed.occurrences(in: window)
        let iso = ISO8601DateFormatter()
        #expect(days.map(\.startInstant) == ["2027-01-11T14:00:00Z", "2027-01-12T14:00:00Z", "2027-01-13T14:00:00Z"].compactMap(iso.date(from:)))
        #expect(days.map(\.endInstant) == ["2027-01-11T21:30:00Z", "2027-01-12T21:30:00Z", "2027-01-13T20:00:00Z"].compactMap(iso.date(from:)))
        // Each day's description holds its agenda in client words; nothing of the staff's.
        let day2 = try #require(parsed.events.first { $0.summary?.hasSuffix("day 2 of 3") == true })
        #expect(day2.description?.contains("09:00–10:30  Guided conversation") == true)
        for secret in ["Affair", "affair", "disclosure", "Sexual", "recovery", "Jo & Max"] {
            #expect(!text.contains(secret), "the invitation reveals \(secret)")
        }
    }

    @Test func aCancelCarriesTheMasterOnlyWithAHigherSequence() throws {
        let event = Invitations.intensive(booking: Self.booking(), days: nil, settings: Self.settings, profile: Self.profile, attendees: Self.partners)
        let text = try event.calendar(method: .cancel, sequence: 3, stamp: Self.stamp, recipients: Self.partners, calendarName: "Retreat").serialized()
        #expect(ICalValidator.problems(in: text).isEmpty, "\(ICalValidator.problems(in: text))")
        let parsed = try ICalendar(parsing: text)
        #expect(parsed.method == .cancel)
        #expect(parsed.events.count == 1)
        #expect(parsed.events[0].status == .cancelled && parsed.events[0].sequence == 3 && parsed.events[0].recurrenceID == nil)
        #expect(parsed.events[0].attendees.allSatisfy { !$0.rsvp })
    }

    @Test func theDigestIgnoresStampAndSequenceButNotWhatAClientShows() {
        let a = Invitations.intensive(booking: Self.booking(), days: nil, settings: Self.settings, profile: Self.profile, attendees: Self.partners)
        let b = Invitations.intensive(
            booking: Self.booking(sequence: 4), days: nil, settings: Self.settings, profile: Self.profile, attendees: Self.partners)
        #expect(a.contentHash == b.contentHash)
        let moved = Invitations.intensive(
            booking: Self.booking(start: "2027-01-12"), days: nil, settings: Self.settings, profile: Self.profile, attendees: Self.partners)
        #expect(moved.contentHash != a.contentHash)
        let planned = Invitations.intensive(
            booking: Self.booking(), days: InvitationDay.days(of: Self.agenda), settings: Self.settings, profile: Self.profile, attendees: Self.partners)
        #expect(planned.contentHash != a.contentHash)
        let fewer = Invitations.intensive(
            booking: Self.booking(), days: nil, settings: Self.settings, profile: Self.profile, attendees: [Self.partners[0]])
        #expect(fewer.contentHash != a.contentHash)
        var later = Self.settings
        later.dayStart = Self.clock("09:30")
        #expect(Invitations.intensive(booking: Self.booking(), days: nil, settings: later, profile: Self.profile, attendees: Self.partners).contentHash != a.contentHash)
    }

    @Test func changeTrackingSendsWhatIsNeededAndNothingElse() throws {
        let now = Self.stamp
        let event = Invitations.intensive(booking: Self.booking(), days: nil, settings: Self.settings, profile: Self.profile, attendees: Self.partners)
        // New: a REQUEST at the owner's own revision (never below what was exported before tracking).
        let first = try InvitationChanges.plan(event: event, sent: nil, floorSequence: 2, now: now)
        #expect(first.messages == [PlannedInvitation(method: .request, reason: .invitation, sequence: 2, recipients: Self.partners)])
        let record = try #require(first.record)
        // Unchanged: nothing.
        let same = try InvitationChanges.plan(event: event, sent: record, floorSequence: 5, now: now)
        #expect(same.messages.isEmpty && same.record == nil)
        // Changed: a REQUEST one higher.
        let moved = Invitations.intensive(
            booking: Self.booking(start: "2027-01-12"), days: nil, settings: Self.settings, profile: Self.profile, attendees: Self.partners)
        let update = try InvitationChanges.plan(event: moved, sent: record, floorSequence: 0, now: now)
        #expect(update.messages.map(\.method) == [.request] && update.messages[0].sequence == 3 && update.messages[0].reason == .update)
        // A partner taken off: the update to the other, a CANCEL to them.
        let one = Invitations.intensive(
            booking: Self.booking(), days: nil, settings: Self.settings, profile: Self.profile, attendees: [Self.partners[1]])
        let removal = try InvitationChanges.plan(event: one, sent: record, floorSequence: 0, now: now)
        #expect(
            removal.messages == [
                PlannedInvitation(method: .request, reason: .update, sequence: 3, recipients: [Self.partners[1]]),
                PlannedInvitation(method: .cancel, reason: .removal, sequence: 3, recipients: [Self.partners[0]]),
            ])
        // Gone: a CANCEL one higher to those it was sent to; then nothing more.
        let gone = try InvitationChanges.plan(event: nil, sent: record, floorSequence: 0, now: now)
        #expect(gone.messages == [PlannedInvitation(method: .cancel, reason: .cancellation, sequence: 3, recipients: Self.partners)])
        let cancelled = try #require(gone.record)
        #expect(cancelled.cancelled)
        #expect(try InvitationChanges.plan(event: nil, sent: cancelled, floorSequence: 0, now: now).messages.isEmpty)
        #expect(try InvitationChanges.plan(event: nil, sent: nil, floorSequence: 0, now: now).messages.isEmpty)
        // Back after a cancellation: a REQUEST above the CANCEL.
        let back = try InvitationChanges.plan(event: event, sent: cancelled, floorSequence: 0, now: now)
        #expect(back.messages.map(\.sequence) == [4])
        // No partner address left: a CANCEL to those who had it, worded as their removal (the intensive stands).
        let nobody = Invitations.intensive(booking: Self.booking(), days: nil, settings: Self.settings, profile: Self.profile, attendees: [])
        #expect(
            try InvitationChanges.plan(event: nobody, sent: record, floorSequence: 0, now: now).messages == [
                PlannedInvitation(method: .cancel, reason: .removal, sequence: 3, recipients: Self.partners)
            ])
    }

    @Test func aSeriesIsOneEventWithItsRuleExceptionsAndMovedSessions() throws {
        guard let start = LocalTime(iso: "2027-03-01T12:00") else { fatalError("bad time") }
        let spec = CounselingSeriesSpec(
            couple: "Jo & Max", counselor: "practice", lengthMinutes: 50, frequency: .weekly, start: start, end: .count(8),
            counselorZone: "America/New_York", partnerZones: ["Europe/London"], link: "https://video.example.org/r/1")
        let series = try CounselingSeries(id: "S0001", spec: spec)
            .moving(d("2027-03-15"), to: try #require(LocalTime(iso: "2027-03-16T14:00")))
            .cancelling(d("2027-03-29"))
        let stored = StoredSeries(series: series, contact: nil, active: true, createdAt: Self.stamp)
        let event = Invitations.series(stored, profile: Self.profile, attendees: Self.partners)
        let text = try event.calendar(method: .request, sequence: series.sequence, stamp: Self.stamp, recipients: Self.partners, calendarName: "x")
            .serialized()
        #expect(ICalValidator.problems(in: text).isEmpty, "\(ICalValidator.problems(in: text))")
        let parsed = try ICalendar(parsing: text)
        #expect(Set(parsed.events.map(\.uid)) == ["series-s0001@retreat"])
        #expect(parsed.events.count == 2)
        #expect(parsed.events[0].recurrenceRule == "FREQ=WEEKLY;COUNT=8")
        #expect(parsed.events[0].exceptionDates.count == 1)
        #expect(parsed.events[1].recurrenceID != nil)
        #expect(parsed.events[0].url == "https://video.example.org/r/1")
        #expect(!text.contains("Jo & Max"))
        #expect(try parsed.occurrences(in: DateInterval(start: Self.stamp, duration: 86_400 * 200)).count == 7)
    }

    func d(_ text: String) -> CalendarDay {
        guard let day = CalendarDay(iso: text) else { fatalError("bad date") }
        return day
    }
}
