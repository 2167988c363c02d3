import Foundation
import RetreatScheduling
import Testing

@testable import RetreatICal

@Suite(.serialized) struct SessionsTests {
    func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test(arguments: StoreKind.allCases) func seriesAcrossDSTRoundTripsThroughICS(_ kind: StoreKind) throws {
        let box = try Sandbox(kind)
        defer { box.cleanup() }
        let booked = try box.run([
            "sessions", "book", "--couple", "Jo & Max", "--start", "2027-03-01T12:00", "--length", "50", "--every", "week",
            "--count", "8", "--partner-zone", "Europe/London", "--link", "https://video.example.org/r/1",
            "--contact", "jo@example.org,max@example.org", "--json",
        ])
        #expect(booked.code == 0, "\(booked.err)")
        #expect(try json(booked.out)["id"] as? String == "S0001")
        #expect(try box.run(["sessions", "move", "S0001", "--occurrence", "2027-03-15", "--to", "2027-03-16T14:00"]).code == 0)
        #expect(try box.run(["sessions", "cancel", "S0001", "--occurrence", "2027-03-29"]).code == 0)
        // Each partner's local time, and the weeks London is an hour off its usual time, are shown.
        let shown = try box.run(["sessions", "show", "S0001"]).out
        #expect(shown.contains("2027-03-08 12:00 America/New_York  |  Europe/London 17:00"))
        #expect(shown.contains("2027-03-22 12:00 America/New_York  |  Europe/London 16:00"))
        #expect(shown.contains("Partner in Europe/London: 16:00 instead of 17:00"))
        let path = box.dir.appendingPathComponent("series.ics").path
        #expect(try box.run(["export", "--series", "S0001", "--out", path]).code == 0)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(ICalValidator.problems(in: text).isEmpty)
        #expect(!text.contains("Jo &") && !text.contains("Max"))
        let cal = try ICalendar(parsing: text)
        #expect(cal.events.count == 2)  // master + one moved session
        #expect(cal.events[0].recurrenceRule == "FREQ=WEEKLY;COUNT=8")
        #expect(cal.events[0].url == "https://video.example.org/r/1")
        // The occurrences read back from the file equal the store's (instants of all 7 remaining sessions).
        let fromFile = try cal.occurrences(in: DateInterval(start: Date(timeIntervalSince1970: 1_780_000_000), duration: 86_400 * 400)).map(\.startInstant)
        let stored = try json(box.run(["sessions", "show", "S0001", "--json"]).out)
        let sessions = try #require(stored["sessions"] as? [[String: Any]])
        let iso = ISO8601DateFormatter()
        #expect(fromFile == sessions.compactMap { ($0["start"] as? String).flatMap(iso.date(from:)) })
        #expect(fromFile.count == 7)
        #expect(fromFile[0] == iso.date(from: "2027-03-01T17:00:00Z"))  // EST
        #expect(fromFile[1] == iso.date(from: "2027-03-08T17:00:00Z"))
        #expect(fromFile[2] == iso.date(from: "2027-03-16T18:00:00Z"))  // moved, EDT
        #expect(fromFile[3] == iso.date(from: "2027-03-22T16:00:00Z"))  // 12:00 EDT
        // The invitation names both partners; cancelling the series turns it into METHOD:CANCEL, higher SEQUENCE.
        let dir = box.dir.appendingPathComponent("invites").path
        #expect(try box.run(["export", "--series", "S0001", "--invite", "--out", dir]).code == 0)
        let invite = try ICalendar(contentsOf: URL(fileURLWithPath: dir + "/s0001-request.ics"))
        #expect(invite.method == .request)
        #expect(Set(invite.events.map(\.uid)) == ["series-s0001@retreat"])
        #expect(invite.events[0].attendees.count == 2)
        let sequence = invite.events[0].sequence
        #expect(try box.run(["sessions", "cancel", "S0001"]).code == 0)
        #expect(try box.run(["export", "--series", "S0001", "--invite", "--out", dir]).code == 0)
        let cancelPath = dir + "/s0001-cancel.ics"
        let cancel = try ICalendar(contentsOf: URL(fileURLWithPath: cancelPath))
        #expect(cancel.method == .cancel)
        #expect(cancel.events.allSatisfy { $0.status == .cancelled && $0.sequence > sequence })
        #expect(ICalValidator.problems(in: try String(contentsOfFile: cancelPath, encoding: .utf8)).isEmpty)
    }

    @Test(arguments: StoreKind.allCases) func collisionsWithIntensivesBlackoutsAndSessionsAreNamed(_ kind: StoreKind) throws {
        let box = try Sandbox(kind)
        defer { box.cleanup() }
        try box.run(["book", "--couple", "I", "--start", "2027-03-15"])
        try box.run(["blackout", "add", "--from", "2027-03-29", "--to", "2027-03-29", "--reason", "Leave"])
        #expect(
            try box.run(["sessions", "book", "--couple", "A", "--start", "2027-03-02T10:00", "--length", "50", "--every", "week", "--count", "2"]).code == 0)
        let r = try box.run(["sessions", "book", "--couple", "B", "--start", "2027-03-01T10:00", "--length", "80", "--every", "week", "--count", "5"])
        #expect(r.code == 3)
        #expect(r.err.contains("2027-03-15"))  // intensive day
        #expect(r.err.contains("2027-03-29"))  // blackout
        #expect(!r.err.contains("2027-03-08"))
        #expect(r.err.split(separator: "\n").count == 1)
        // An overlap with another couple's session is named without that couple.
        let overlap = try box.run(["sessions", "book", "--couple", "C", "--start", "2027-03-02T10:30", "--length", "50", "--every", "week", "--count", "1"])
        #expect(overlap.code == 3)
        #expect(!overlap.err.contains(" A "))
        // And an intensive cannot start on a day with a session.
        let intensive = try box.run(["book", "--couple", "D", "--start", "2027-03-09"])
        #expect(intensive.code == 3)
        #expect(intensive.err.contains("2027-03-09 has counseling session S0001"))
        // Free starts avoid the session and its buffer.
        let free = try box.run(["sessions", "availability", "--length", "50", "--from", "2027-03-02", "--to", "2027-03-02", "--json"]).out
        #expect(!free.contains("2027-03-02T10:00"))
        #expect(!free.contains("2027-03-02T10:30"))
        #expect(free.contains("2027-03-02T11:00"))
    }

    @Test(arguments: [
        (["--partner-zone", "Mars/Base", "--count", "2"], "'--partner-zone <partner-zone>': \"Mars/Base\" is not an IANA time zone"),
        (["--count", "0"], "'--count <count>': 0 is outside 1...520"),
        (["--until", "2027-02-01"], "before"),
        (["--count", "2", "--counselor", "nobody"], "unknown counselor \"nobody\""),
    ])
    func badSeriesInput(_ c: ([String], String)) throws {
        let box = try Sandbox()
        defer { box.cleanup() }
        let r = try box.run(["sessions", "book", "--couple", "X", "--start", "2027-03-01T12:00", "--length", "50", "--every", "week"] + c.0)
        #expect(r.code == 64)
        #expect(r.err.contains(c.1), "\(r.err)")
    }

    @Test func movesAreCheckedAgainstTheirOwnSeriesTheHorizonAndThePartnersHours() throws {
        let box = try Sandbox()
        defer { box.cleanup() }
        let booked = try box.run([
            "sessions", "book", "--couple", "Jo & Max", "--start", "2027-03-01T12:00", "--length", "50", "--every", "week", "--count", "4",
            "--partner-zone", "Europe/London",
        ])
        #expect(booked.code == 0, "\(booked.err)")
        let bytes = try box.fileBytes()
        // Onto the exact time of the series' own next session: two sessions at once.
        let onto = try box.run(["sessions", "move", "S0001", "--occurrence", "2027-03-01", "--to", "2027-03-08T12:00"])
        #expect(onto.code == 3)
        #expect(onto.err.contains("collide"), "\(onto.err)")
        // Beyond the booking horizon (a start in year 9999 once wrote DTSTART:00000000T000000; such years are
        // now refused as option values, exit 64).
        #expect(try box.run(["sessions", "move", "S0001", "--occurrence", "2027-03-01", "--to", "9999-03-01T12:00"]).code == 64)
        let far = try box.run(["sessions", "move", "S0001", "--occurrence", "2027-03-01", "--to", "2030-03-01T12:00"])
        #expect(far.code == 3)
        #expect(far.err.contains("beyond the 12-month booking horizon"), "\(far.err)")
        let farSeries = try box.run([
            "sessions", "book", "--couple", "Far", "--start", "2030-03-04T12:00", "--length", "50", "--every", "week", "--count", "1",
        ])
        #expect(farSeries.code == 3, "\(farSeries.err)")
        // 09:00 in New York is 14:00 in London; 17:30 in New York is 22:30 in London, outside 07:00-22:00.
        let late = try box.run(["sessions", "move", "S0001", "--occurrence", "2027-03-01", "--to", "2027-03-02T17:10"])
        #expect(late.code == 3)
        #expect(late.err.contains("outside 07:00-22:00 on a partner's clock"), "\(late.err)")
        #expect(late.err.contains("in Europe/London"))
        #expect(try box.fileBytes() == bytes)
        let allowed = try box.run(["sessions", "move", "S0001", "--occurrence", "2027-03-01", "--to", "2027-03-02T17:10", "--allow-outside-hours"])
        #expect(allowed.code == 0, "\(allowed.err)")
    }
}
