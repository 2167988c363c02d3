import Foundation
import Testing

@testable import RetreatICal

/// The writer's last gate: no value reaches a file with a line break that could start a property of its own
/// (libical 3.0.16 writes a URL as given), nor any other control character.
@Suite struct WrittenValuesTests {
    static let injected = "x\r\nATTENDEE:mailto:spy@evil.org"

    func event() -> ICalEvent {
        ICalEvent(uid: "gate@r", stamp: stamp, start: nyTime(2027, 2, 1, 9), end: nyTime(2027, 2, 1, 10), summary: "Session", organizer: staff)
    }

    @Test func everyKindOfValueRefusesALineBreak() throws {
        var cases: [(String, ICalEvent)] = []
        var e = event()
        e.url = "https://video.example.org/" + Self.injected
        cases.append(("URL", e))
        e = event()
        e.uid = Self.injected
        cases.append(("UID", e))
        e = event()
        e.attendees = [ICalAddress(uri: "mailto:jo@example.org", commonName: Self.injected)]
        cases.append(("CN", e))
        e = event()
        e.attendees = [ICalAddress(uri: "mailto:" + Self.injected)]
        cases.append(("ATTENDEE", e))
        e = event()
        e.organizer = ICalAddress(uri: "mailto:staff@example.org", commonName: "Staff\u{1B}[2J")
        cases.append(("ORGANIZER CN", e))
        e = event()
        e.summary = Self.injected
        cases.append(("SUMMARY", e))
        e = event()
        e.description = "line one\u{7}"
        cases.append(("DESCRIPTION", e))
        e = event()
        e.relatedTo = [Self.injected]
        cases.append(("RELATED-TO", e))
        e = event()
        e.recurrenceRule = "FREQ=DAILY;COUNT=2\r\nATTENDEE:mailto:spy@evil.org"
        cases.append(("RRULE", e))
        e = event()
        e.alarms = [ICalAlarm(triggerSeconds: -60, description: "soon\r\nX")]
        cases.append(("VALARM", e))
        for (what, hostile) in cases {
            do {
                let text = try ICalendar(method: .request, events: [hostile]).serialized()
                Issue.record("\(what): written as\n\(text)")
            } catch {
                #expect(error.code == .malformed, "\(what)")
                #expect(!error.message.contains("spy"), "\(what): the error repeats the value")
            }
        }
        #expect(throws: ICalError.self) { try ICalendar(method: .publish, name: "Staff\r\nMETHOD:CANCEL", events: [event()]).serialized() }
    }

    @Test func plainLineBreaksInTextAndQuotesInNamesAreEncodedNotRefused() throws {
        var e = event()
        e.description = "09:00 Session\n10:30 Break"
        e.attendees = [ICalAddress(uri: "mailto:jo@example.org", commonName: "Jo \"JJ\" Smith; Esq.: x")]
        let text = try ICalendar(method: .request, events: [e]).serialized()
        #expect(text.contains("DESCRIPTION:09:00 Session\\n10:30 Break"))
        #expect(text.contains("CN=\"Jo ^'JJ^' Smith; Esq.: x\""))
        let back = try ICalendar(parsing: text)
        #expect(back.events[0].attendees.first?.commonName == "Jo \"JJ\" Smith; Esq.: x")
        #expect(back.events[0].description == e.description)
    }
}
