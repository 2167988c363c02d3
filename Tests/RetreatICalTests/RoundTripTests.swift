import Foundation
import Testing

@testable import RetreatICal

@Suite struct RoundTripTests {
    let event = ICalEvent(
        uid: "booking-42@retreat", stamp: stamp, start: nyTime(2027, 5, 3, 9), end: nyTime(2027, 5, 3, 17),
        summary: "Intensive day 1", description: "Arrive by 8:45.\nBring water.", location: "Practice, Room 2",
        url: "https://example.org/intensive", status: .confirmed, sequence: 2, classification: .privateClass,
        transparency: .opaque, categories: ["Intensive", "Day 1"], organizer: staff,
        attendees: [
            ICalAddress(uri: "mailto:a@example.org", commonName: "Partner A", role: "REQ-PARTICIPANT", participationStatus: "NEEDS-ACTION", rsvp: true),
            ICalAddress(uri: "mailto:b@example.org", commonName: "Partner B", role: "REQ-PARTICIPANT", participationStatus: "NEEDS-ACTION", rsvp: true),
        ],
        alarms: [ICalAlarm(triggerSeconds: -15 * 3600, description: "Your intensive starts tomorrow")],
        relatedTo: ["intensive-42@retreat"])

    @Test func eventSurvivesSerializeAndParse() throws {
        let cal = ICalendar(method: .request, name: "Intensive", events: [event])
        let back = try ICalendar(parsing: try cal.serialized())
        #expect(back.events == [event])
        #expect(back.method == .request)
        #expect(back.name == "Intensive")
        #expect(back.productID == cal.productID)
    }

    /// Punctuation in a calendar name is escaped once (libical escapes X-properties itself), and a `^` in a
    /// name is written `^^` (RFC 6868) so `^n` cannot read back as a line break.
    @Test func namesWithPunctuationAndCaretsAreEncodedOnce() throws {
        let name = #"Smith, Jones; A\B & ^n Partners"#
        var e = event
        e.organizer = ICalAddress(uri: "mailto:staff@example.org", commonName: #"Dr. "Jo" ^n Smith"#)
        let text = try ICalendar(method: .publish, name: name, events: [e]).serialized()
        #expect(text.contains(#"X-WR-CALNAME:Smith\, Jones\; A\\B & ^n Partners"# + "\r\n"))
        #expect(text.contains(#"NAME:Smith\, Jones\; A\\B & ^n Partners"# + "\r\n"))
        #expect(text.contains(#"CN=Dr. ^'Jo^' ^^n Smith"#))
        let back = try ICalendar(parsing: text)
        #expect(back.name == name)
        #expect(back.events.first?.organizer?.commonName == #"Dr. "Jo" ^n Smith"#)
    }

    @Test func allDayEventKeepsExclusiveEnd() throws {
        let e = ICalEvent(
            uid: "d@r", stamp: stamp, start: .date(ICalDate(year: 2027, month: 5, day: 3)),
            end: .date(ICalDate(year: 2027, month: 5, day: 6)), summary: "Intensive", organizer: staff)
        let text = try ICalendar(method: .publish, events: [e]).serialized()
        #expect(text.contains("DTSTART;VALUE=DATE:20270503\r\n"))
        #expect(text.contains("DTEND;VALUE=DATE:20270506\r\n"))
        let back = try ICalendar(parsing: text)
        #expect(back.events == [e])
        let occ = try back.occurrences(in: wideWindow, floatingTimeZone: ny)
        #expect(occ.count == 1)
        #expect(occ[0].isAllDay)
        #expect(occ[0].startInstant == utc(2027, 5, 3, 4))
        #expect(occ[0].endInstant == utc(2027, 5, 6, 4))
    }

    @Test func feedHeadersAndFreeBusy() throws {
        let fb = ICalFreeBusy(
            uid: "fb@r", stamp: stamp, start: utc(2027, 1, 1, 0), end: utc(2027, 2, 1, 0), organizer: staff,
            busy: [DateInterval(start: utc(2027, 1, 4, 14), end: utc(2027, 1, 7, 22))])
        let cal = ICalendar(method: .publish, name: "Busy", refreshIntervalSeconds: 3600, freeBusy: [fb])
        let text = try cal.serialized()
        #expect(text.contains("NAME:Busy\r\n"))
        #expect(text.contains("X-WR-CALNAME:Busy\r\n"))
        #expect(text.contains("REFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n"))
        #expect(text.contains("X-PUBLISHED-TTL:PT1H\r\n"))
        #expect(text.contains("FREEBUSY;FBTYPE=BUSY:20270104T140000Z/20270107T220000Z\r\n"))
        let back = try ICalendar(parsing: text)
        #expect(back.freeBusy == [fb])
        #expect(back.refreshIntervalSeconds == 3600)
        #expect(ICalValidator.problems(in: text).isEmpty)
    }

    @Test func writesAtomicallyAndReadsFiles() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("retreat-ical-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("x.ics")
        let cal = ICalendar(method: .request, events: [event])
        try cal.write(to: url)
        #expect(try ICalendar(contentsOf: url).events == [event])
        #expect(throws: ICalError.self) { try ICalendar(contentsOf: dir.appendingPathComponent("missing.ics")) }
    }
}
