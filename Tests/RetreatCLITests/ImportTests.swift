import Foundation
import Testing

@testable import RetreatICal

@Suite(.serialized) struct ImportTests {
    func write(_ name: String, _ body: String, in box: Sandbox) throws -> String {
        let url = box.dir.appendingPathComponent(name)
        let text = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n" + body.replacingOccurrences(of: "\n", with: "\r\n") + "END:VCALENDAR\r\n"
        try Data(text.utf8).write(to: url)
        return url.path
    }

    let leave = """
        BEGIN:VEVENT\nUID:leave-1\nDTSTAMP:20261101T000000Z\nDTSTART;VALUE=DATE:20270201\nDTEND;VALUE=DATE:20270204\nSUMMARY:Private: family trip\nEND:VEVENT
        BEGIN:VEVENT\nUID:weekly\nDTSTAMP:20261101T000000Z\nDTSTART;TZID=Eastern Standard Time:20270301T100000\nDTEND;TZID=Eastern Standard Time:20270301T120000\nRRULE:FREQ=WEEKLY;COUNT=3\nEND:VEVENT

        """

    @Test func importIsIdempotentReplaceableAndVisible() throws {
        let box = try Sandbox()
        defer { box.cleanup() }
        let file = try write("leave.ics", leave, in: box)
        let first = try box.run(["blackout", "import", file, "--json"])
        #expect(first.code == 0, "\(first.err)")
        #expect(first.out.contains("\"added\" : 4"))
        let before = try box.run(["blackout", "list", "--json"]).out
        let again = try box.run(["blackout", "import", file, "--json"])
        #expect(again.out.contains("\"added\" : 0"))
        #expect(again.out.contains("\"unchanged\" : 4"))
        #expect(try box.run(["blackout", "list", "--json"]).out == before)
        // Where they came from shows in the list, in check, and in the month grid.
        #expect(before.contains("\"source\" : \"\(URL(fileURLWithPath: file).standardizedFileURL.path)\""))
        #expect(!before.contains("family trip"), "an imported event's title was stored")
        let check = try box.run(["check", "2027-02-01"])
        #expect(check.code == 3)
        #expect(check.out.contains("busy in leave.ics"))
        #expect(try box.run(["calendar", "--month", "2027-03"]).out.contains(" 1X"))
        // --replace drops what the earlier import of this source added.
        let shorter = try write(
            "leave.ics", "BEGIN:VEVENT\nUID:leave-1\nDTSTAMP:20261101T000000Z\nDTSTART;VALUE=DATE:20270201\nDTEND;VALUE=DATE:20270202\nEND:VEVENT\n", in: box)
        let replaced = try box.run(["blackout", "import", shorter, "--replace", "--json"])
        #expect(replaced.out.contains("\"removed\" : 4"))
        #expect(replaced.out.contains("\"added\" : 1"))
        #expect(try box.run(["check", "2027-02-02"]).code == 0)
    }

    @Test func aBadFileImportsNothing() throws {
        let box = try Sandbox()
        defer { box.cleanup() }
        let good = try write("good.ics", leave, in: box)
        #expect(try box.run(["blackout", "import", good]).code == 0)
        let before = try box.snapshot()
        let truncated = box.dir.appendingPathComponent("truncated.ics").path
        try Data("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:x\r\nDTSTART:20270105T100000Z\r\n".utf8).write(to: URL(fileURLWithPath: truncated))
        let endless = try write(
            "endless.ics", "BEGIN:VEVENT\nUID:e\nDTSTAMP:20261101T000000Z\nDTSTART:20270101T000000Z\nRRULE:FREQ=MINUTELY;COUNT=100000000\nEND:VEVENT\n", in: box
        )
        let unknownZone = try write("zone.ics", "BEGIN:VEVENT\nUID:z\nDTSTAMP:20261101T000000Z\nDTSTART;TZID=Atlantis:20270105T100000\nEND:VEVENT\n", in: box)
        for (file, message) in [
            (truncated, "line 2: BEGIN:VEVENT is never closed"), (endless, "repeats more than"), (unknownZone, "unknown time zone \"Atlantis\""),
            (box.dir.appendingPathComponent("missing.ics").path, "no such file"),
        ] {
            let r = try box.run(["blackout", "import", file])
            #expect(r.code == 1)
            #expect(r.err.contains(message), "\(r.err)")
            #expect(r.err.split(separator: "\n").count == 1)
        }
        #expect(try box.snapshot() == before)
    }

    @Test func freeBusyRevealsNothingButBusyTime() throws {
        let box = try Sandbox()
        defer { box.cleanup() }
        try box.run(["book", "--couple", "Jo & Max", "--start", "2027-01-11", "--priority", "affair-recovery"])
        try box.run(["blackout", "add", "--from", "2027-01-20", "--to", "2027-01-20", "--reason", "Dentist"])
        let path = box.dir.appendingPathComponent("fb.ics").path
        let r = try box.run(["freebusy", "--from", "2027-01-01", "--to", "2027-01-31", "--out", path])
        #expect(r.code == 0, "\(r.err)")
        let text = try String(contentsOfFile: path, encoding: .utf8)
        for secret in ["Jo", "Max", "affair", "Dentist", "B0001"] { #expect(!text.contains(secret)) }
        let fb = try #require(try ICalendar(parsing: text).freeBusy.first)
        // 2027-01-11…14 (intensive + turnover) and 2027-01-20, whole New York days in UTC.
        #expect(
            fb.busy.map { [$0.start, $0.end] } == [
                [utcDate("2027-01-11T05:00:00Z"), utcDate("2027-01-15T05:00:00Z")],
                [utcDate("2027-01-20T05:00:00Z"), utcDate("2027-01-21T05:00:00Z")],
            ])
        #expect(ICalValidator.problems(in: text).isEmpty)
    }
}

func utcDate(_ s: String) -> Date { ISO8601DateFormatter().date(from: s) ?? Date.distantPast }

/// Busy time at its real granularity: a 2-hour supervision blocks the sessions it overlaps, not the whole day.
@Suite(.serialized) struct GranularityTests {
    @Test func aTwoHourMeetingBlocksOnlyItsHours() throws {
        let box = try Sandbox()
        defer { box.cleanup() }
        // Tuesday 2027-03-02, 13:00-15:00 New York, weekly for 4 weeks.
        let supervision = """
            BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:supervision@corp\r\nDTSTAMP:20261201T000000Z\r
            DTSTART;TZID=America/New_York:20270302T130000\r\nDTEND;TZID=America/New_York:20270302T150000\r\nRRULE:FREQ=WEEKLY;COUNT=4\r
            SUMMARY:Supervision\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:early-call@corp\r\nDTSTAMP:20261201T000000Z\r
            DTSTART;TZID=America/New_York:20270308T070000\r\nDTEND;TZID=America/New_York:20270308T083000\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n
            """
        let file = box.dir.appendingPathComponent("supervision.ics")
        try Data(supervision.utf8).write(to: file)
        let imported = try box.run(["blackout", "import", file.path, "--json"])
        #expect(imported.code == 0, "\(imported.err)")
        #expect(imported.out.contains("\"added\" : 5"))
        // Sessions: free before and after the meeting that Tuesday, not during it.
        let free = try box.run(["sessions", "availability", "--length", "50", "--from", "2027-03-02", "--to", "2027-03-02", "--json"]).out
        #expect(free.contains("2027-03-02T09:00"))
        #expect(free.contains("2027-03-02T12:00"))
        #expect(!free.contains("2027-03-02T12:15"))  // would end at 13:05
        #expect(!free.contains("2027-03-02T14:00"))
        #expect(free.contains("2027-03-02T15:00"))
        // Intensives: the meeting falls in session hours, so Tuesdays are blocked; the 07:00 call is not.
        #expect(try box.run(["check", "2027-03-01"]).code == 3)
        #expect(try box.run(["check", "2027-03-08"]).code == 3)  // 03-09 is a supervision Tuesday
        let list = try box.run(["blackout", "list", "--json"]).out
        #expect(list.contains("\"from\" : \"2027-03-02T13:00:00-05:00\""))
        #expect(list.contains("\"to\" : \"2027-03-02T15:00:00-05:00\""))
        #expect(list.contains("\"from\" : \"2027-03-08T07:00:00-05:00\""))
        let text = try box.run(["blackout", "list"]).out
        #expect(text.contains("2027-03-02 13:00–15:00"))
        // Free/busy shows the interval, not the day.
        let fb = box.dir.appendingPathComponent("fb.ics").path
        #expect(try box.run(["freebusy", "--from", "2027-03-02", "--to", "2027-03-02", "--out", fb]).code == 0)
        let fbText = try String(contentsOfFile: fb, encoding: .utf8)
        #expect(fbText.contains("FREEBUSY;FBTYPE=BUSY:20270302T180000Z/20270302T200000Z"))
    }

    @Test func manualBlackoutsTakeTimes() throws {
        let box = try Sandbox()
        defer { box.cleanup() }
        let early = try box.run(["blackout", "add", "--from", "2027-03-01T07:00", "--to", "2027-03-01T08:30", "--reason", "dentist"])
        #expect(early.code == 0, "\(early.err)")
        // Before the 09:00 session hours: the intensive is not blocked.
        #expect(try box.run(["check", "2027-03-01"]).code == 0)
        #expect(try box.run(["blackout", "add", "--from", "2027-03-02T13:00", "--to", "2027-03-02T15:00"]).code == 0)
        let check = try box.run(["check", "2027-03-01"])
        #expect(check.code == 3)
        #expect(check.out.contains("touches blackout 2027-03-02"))
        let mixed = try box.run(["blackout", "add", "--from", "2027-03-02", "--to", "2027-03-02T15:00"])
        #expect(mixed.code == 64)
        #expect(mixed.err.contains("both as dates"))
        let backwards = try box.run(["blackout", "add", "--from", "2027-03-02T15:00", "--to", "2027-03-02T13:00"])
        #expect(backwards.code == 64)
        let staff = box.dir.appendingPathComponent("staff.ics").path
        #expect(try box.run(["export", "--all", "--out", staff]).code == 0)
        let text = try String(contentsOfFile: staff, encoding: .utf8)
        #expect(text.contains("DTSTART:20270302T180000Z"))
        #expect(text.contains("SUMMARY:Unavailable"))
        #expect(!text.contains("dentist"), "a blackout's reason reached the shared staff calendar")
    }
}
