import Foundation
import Testing

@testable import RetreatICal

@Suite struct TextTests {
    @Test func longMultibyteTextFoldsAt75OctetsOnCharacterBoundaries() throws {
        // Values keep inner spaces across folds; a trailing space is insignificant (libical trims it).
        let summary = String(repeating: "Öffnen des Herzens — 心を開く — 😀  ", count: 12) + "end"
        let e = ICalEvent(uid: "fold@r", stamp: stamp, start: nyTime(2027, 2, 1, 9), end: nyTime(2027, 2, 1, 10), summary: summary, organizer: staff)
        let text = try ICalendar(method: .publish, events: [e]).serialized()
        let bytes = Array(text.utf8)
        var physical: [[UInt8]] = []
        var current: [UInt8] = []
        var i = 0
        while i < bytes.count {
            if bytes[i] == 13 {
                #expect(i + 1 < bytes.count && bytes[i + 1] == 10, "CR not followed by LF")
                physical.append(current)
                current = []
                i += 2
                continue
            }
            #expect(bytes[i] != 10, "bare LF at byte \(i)")
            current.append(bytes[i])
            i += 1
        }
        #expect(current.isEmpty, "file does not end with CRLF")
        var folded = 0
        for line in physical {
            #expect(line.count <= 75)
            #expect(String(bytes: line, encoding: .utf8) != nil, "a folded line splits a UTF-8 character")
            if line.first == 32 { folded += 1 }
        }
        #expect(folded > 5)
        #expect(try ICalendar(parsing: text).events[0].summary == summary)
    }

    @Test func textIsEscapedAndUnescaped() throws {
        let tricky = "Mirroring, then dialogue; bring notes\\journal\nSecond line"
        let e = ICalEvent(
            uid: "esc@r", stamp: stamp, start: nyTime(2027, 2, 1, 9), end: nyTime(2027, 2, 1, 10),
            summary: tricky, description: tricky, location: "Room 1, upstairs; door B", organizer: staff)
        let text = try ICalendar(method: .publish, events: [e]).serialized()
        #expect(text.contains(#"SUMMARY:Mirroring\, then dialogue\; bring notes\\journal\nSecond line"#))
        #expect(text.contains(#"LOCATION:Room 1\, upstairs\; door B"#))
        let back = try ICalendar(parsing: text).events[0]
        #expect(back.summary == tricky)
        #expect(back.description == tricky)
        #expect(back.location == "Room 1, upstairs; door B")
    }

    @Test func unfoldsFoldedInputWithTabsAndBareLF() throws {
        let text =
            "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:x\nBEGIN:VEVENT\nUID:f@r\nDTSTAMP:20270101T000000Z\nDTSTART:20270101T100000Z\nSUMMARY:Lis\n\ttening and mir\n roring\nEND:VEVENT\nEND:VCALENDAR\n"
        #expect(try ICalendar(parsing: text).events[0].summary == "Listening and mirroring")
    }
}
