import Foundation
import Testing

@testable import RetreatICal

@Suite(.serialized) struct BookingFlowTests {
    func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test(arguments: StoreKind.allCases) func bookHoldConfirmRescheduleCancelWithJSON(_ kind: StoreKind) throws {
        let box = try Sandbox(kind)
        defer { box.cleanup() }
        let booked = try json(
            box.run([
                "book", "--couple", "Jo & Max", "--start", "2027-01-11", "--hold", "--contact", "jo@example.org, max@example.org", "--priority",
                "communication", "--json",
            ]).out)
        #expect(booked["id"] as? String == "B0001")
        #expect(booked["status"] as? String == "held")
        #expect(booked["start"] as? String == "2027-01-11")
        #expect(booked["end"] as? String == "2027-01-13")
        #expect(try box.run(["confirm", "B0001"]).code == 0)
        let moved = try json(box.run(["reschedule", "B0001", "--start", "2027-01-12", "--json"]).out)
        #expect(moved["sequence"] as? Int == 2)
        #expect(moved["start"] as? String == "2027-01-12")
        let slots = try #require(
            try JSONSerialization.jsonObject(with: Data(box.run(["availability", "--from", "2027-01-04", "--to", "2027-01-20", "--json"]).out.utf8))
                as? [[String: Any]])
        // The counselor works Monday to Thursday (and Friday until 14:00): a 3-day intensive starts on Monday or Tuesday.
        #expect(slots.compactMap { $0["start"] as? String } == ["2027-01-04", "2027-01-05", "2027-01-18", "2027-01-19"])
        let wednesday = try box.run(["check", "2027-01-06"])
        #expect(wednesday.code == 3)
        #expect(
            wednesday.out.contains(
                "hours: 2027-01-08 is outside practice's working hours (mon 09:00-18:00; tue 09:00-18:00; wed 09:00-18:00; thu 09:00-18:00; fri 09:00-14:00) for a 09:00–17:00 intensive day"
            ))
        let settings = try json(box.run(["settings", "--json"]).out)
        #expect(settings["timeZone"] as? String == "America/New_York")
        #expect(settings["dayStart"] as? String == "09:00")
        #expect(settings["intensiveDays"] as? Int == 3)
        // The invitation: one file per iTIP message in the folder, one event (one UID) naming both partners.
        let inviteDir = box.dir.appendingPathComponent("invites").path
        #expect(try box.run(["export", "B0001", "--invite", "--out", inviteDir]).code == 0)
        #expect(try FileManager.default.contentsOfDirectory(atPath: inviteDir) == ["b0001-request.ics"])
        let invitePath = inviteDir + "/b0001-request.ics"
        let invite = try ICalendar(contentsOf: URL(fileURLWithPath: invitePath))
        #expect(invite.method == .request)
        #expect(Set(invite.events.map(\.uid)) == ["intensive-b0001-invite@retreat"])
        #expect(invite.events.count == 4)  // the daily rule and one override per day
        #expect(invite.events.allSatisfy { $0.attendees.map(\.uri) == ["mailto:jo@example.org", "mailto:max@example.org"] && $0.sequence == 2 })
        #expect(invite.events.allSatisfy { $0.classification == .privateClass && !($0.summary ?? "").contains("Jo") })
        #expect(ICalValidator.problems(in: try String(contentsOfFile: invitePath, encoding: .utf8)).isEmpty)
        // Exporting again needs --force; a file in the way is never replaced silently.
        let again = try box.run(["export", "B0001", "--invite", "--out", inviteDir])
        #expect(again.code == 1 && again.err.contains("already exists; pass --force"))
        // Cancelling then exporting the invitation gives METHOD:CANCEL with a higher SEQUENCE.
        #expect(try box.run(["cancel", "B0001"]).code == 0)
        #expect(try box.run(["export", "B0001", "--invite", "--out", inviteDir]).code == 0)
        let cancelPath = inviteDir + "/b0001-cancel.ics"
        let cancel = try ICalendar(contentsOf: URL(fileURLWithPath: cancelPath))
        #expect(cancel.method == .cancel)
        #expect(cancel.events.count == 1)
        #expect(cancel.events.allSatisfy { $0.status == .cancelled && $0.sequence == 3 })
        #expect(ICalValidator.problems(in: try String(contentsOfFile: cancelPath, encoding: .utf8)).isEmpty)
    }

    @Test func staffCalendarHidesNamesAndPriorities() throws {
        let box = try Sandbox()
        defer { box.cleanup() }
        try box.run(["book", "--couple", "Jo & Max", "--start", "2027-01-11", "--priority", "affair-recovery"])
        try box.run(["book", "--couple", "Ann & Bo", "--start", "2027-01-18", "--hold", "--priority", "intimacy"])
        let path = box.dir.appendingPathComponent("staff.ics").path
        #expect(try box.run(["export", "--all", "--out", path]).code == 0)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        for secret in ["Jo", "Max", "Ann", "affair", "intimacy"] { #expect(!text.contains(secret), "staff calendar reveals \(secret)") }
        let cal = try ICalendar(parsing: text)
        #expect(cal.events.map(\.status) == [.confirmed, .tentative])
        #expect(ICalValidator.problems(in: text).isEmpty)
        #expect(try box.run(["export", "--all", "--names", "--out", path]).code == 1)  // the file exists
        #expect(try box.run(["export", "--all", "--names", "--force", "--out", path]).code == 0)
        #expect(try String(contentsOfFile: path, encoding: .utf8).contains("Jo & Max"))
    }

    @Test func calendarGridReadsWithoutColour() throws {
        let box = try Sandbox()
        defer { box.cleanup() }
        try box.run(["book", "--couple", "A", "--start", "2027-01-11"])
        try box.run(["book", "--couple", "B", "--start", "2027-01-18", "--hold"])
        try box.run(["blackout", "add", "--from", "2027-01-25", "--to", "2027-01-26", "--reason", "Conference"])
        let out = try box.run(["calendar", "--month", "2027-01"]).out
        #expect(!out.contains("\u{1B}["))
        for cell in ["11B", "13B", "14T", "18H", "21T", "25X", "26X", "15-", "22-", "16-", " 4.", " 5.", " 6-"] {
            #expect(out.contains(cell), "missing \(cell) in\n\(out)")
        }
    }

    @Test func storeFileIsPrivate() throws {
        let box = try Sandbox()
        defer { box.cleanup() }
        let mode = try FileManager.default.attributesOfItem(atPath: box.db)[.posixPermissions] as? Int
        #expect(mode == 0o600)
    }
}
