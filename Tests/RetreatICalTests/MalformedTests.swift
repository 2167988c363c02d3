import Foundation
import Testing

@testable import RetreatICal

@Suite struct MalformedTests {
    func error(_ text: String) -> ICalError? {
        do {
            _ = try ICalendar(parsing: text)
            return nil
        } catch {
            return error
        }
    }

    let head = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\n"

    @Test func missingEndNamesTheOpenComponentAndLine() throws {
        let e = try #require(error(head + "BEGIN:VEVENT\r\nUID:a\r\nDTSTART:20270101T000000Z\r\nEND:VCALENDAR\r\n"))
        #expect(e.code == .malformed)
        #expect(e.line == 7)
        #expect(e.message.contains("END:VCALENDAR does not match BEGIN:VEVENT on line 4"))
        let truncated = try #require(error(head + "BEGIN:VEVENT\r\nUID:a\r\n"))
        #expect(truncated.line == 4)
        #expect(truncated.message.contains("never closed"))
    }

    @Test(arguments: ["20271301T090000", "20270230", "20270101T250000", "2027-01-01", "tomorrow", "20270101T0900"])
    func badDatesAreRejectedWithTheirLine(_ value: String) throws {
        let e = try #require(error(head + "BEGIN:VEVENT\r\nUID:a\r\nDTSTAMP:20270101T000000Z\r\nDTSTART:\(value)\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"))
        #expect(e.code == .invalidDate)
        #expect(e.line == 7)
        #expect(e.description.hasPrefix("line 7: DTSTART value"))
    }

    @Test func badUTF8IsRejectedWithItsLine() throws {
        var data = Data((head + "BEGIN:VEVENT\r\nUID:a\r\nSUMMARY:caf").utf8)
        data.append(contentsOf: [0xC3, 0x28])  // invalid continuation byte
        data.append(contentsOf: Array("\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n".utf8))
        do {
            _ = try ICalendar(data: data)
            Issue.record("bad UTF-8 was accepted")
        } catch {
            #expect(error.code == .invalidUTF8)
            #expect(error.line == 6)
        }
    }

    @Test(arguments: [
        ("", "no BEGIN:VCALENDAR"),
        ("hello world\r\n", "not an iCalendar content line"),
        ("BEGIN:VEVENT\r\nEND:VEVENT\r\n", "outside a VCALENDAR"),
        ("BEGIN:VCALENDAR\r\nEND:VEVENT\r\n", "does not match"),
        ("BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\nEND:VCALENDAR\r\n", "without a matching BEGIN"),
        ("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:x\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n", "no DTSTART"),
    ])
    func structuralGarbage(_ c: (String, String)) throws {
        let e = try #require(error(c.0))
        #expect(e.message.contains(c.1), "\(e)")
    }

    @Test func deepNestingIsRefused() throws {
        let open = String(repeating: "BEGIN:X-A\r\n", count: 40)
        let close = String(repeating: "END:X-A\r\n", count: 40)
        let e = try #require(error("BEGIN:VCALENDAR\r\n" + open + close + "END:VCALENDAR\r\n"))
        #expect(e.message.contains("nested deeper"))
    }

    @Test func oversizeInputIsRefusedBeforeParsing() throws {
        let text = head + "END:VCALENDAR\r\n"
        #expect(throws: ICalError(.tooLarge, "the calendar is \(text.utf8.count) bytes, over the limit of 10 bytes")) {
            try ICalendar(parsing: text, limits: ICalReadLimits(maxBytes: 10))
        }
    }

    @Test func unknownTZIDWithoutDefinitionFailsOnExpansion() throws {
        let cal = try ICalendar(
            parsing: head
                + "BEGIN:VEVENT\r\nUID:a\r\nDTSTAMP:20270101T000000Z\r\nDTSTART;TZID=Nowhere/Special:20270101T090000\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
        do {
            _ = try cal.occurrences(in: wideWindow)
            Issue.record("unknown zone accepted")
        } catch {
            #expect(error.code == .unknownTimeZone)
            #expect(error.message.contains("Nowhere/Special"))
        }
    }
}
