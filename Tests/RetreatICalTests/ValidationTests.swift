import Foundation
import Testing

@testable import RetreatICal

@Suite struct ValidationTests {
    @Test func cleanPublishHasNoProblems() throws {
        let e = ICalEvent(uid: "v@r", stamp: stamp, start: nyTime(2027, 6, 1, 9), end: nyTime(2027, 6, 1, 10), summary: "Session", organizer: staff)
        #expect(ICalendar(method: .publish, events: [e]).validate().isEmpty)
    }

    @Test func restrictionProblemsAreSurfacedReadably() throws {
        // RFC 5546: a PUBLISH must not carry ATTENDEEs, and a REQUEST needs an ORGANIZER.
        var e = ICalEvent(
            uid: "v@r", stamp: stamp, start: nyTime(2027, 6, 1, 9), end: nyTime(2027, 6, 1, 10), organizer: staff,
            attendees: [ICalAddress(uri: "mailto:a@example.org")])
        let publish = ICalendar(method: .publish, events: [e]).validate()
        #expect(publish.contains { $0.component == "VEVENT" && $0.message.contains("ATTENDEE") })
        e.organizer = nil
        let request = ICalendar(method: .request, events: [e]).validate()
        #expect(request.contains { $0.message.contains("ORGANIZER") })
    }

    @Test func ownRulesCatchUndefinedTZIDAndLongLines() {
        let text =
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:a\r\nDTSTAMP:20270101T000000Z\r\nDTSTART;TZID=Europe/Paris:20270101T090000\r\nSUMMARY:\(String(repeating: "x", count: 80))\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
        let problems = ICalValidator.problems(in: text).map(\.message)
        #expect(problems.contains("TZID Europe/Paris is used but has no VTIMEZONE"))
        #expect(problems.contains("line 8 is longer than 75 octets"))
    }
}
