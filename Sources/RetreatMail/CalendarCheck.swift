import Foundation
import RetreatScheduling

/// The checks the message builder makes on the calendar text it is handed (it does not parse
/// iCalendar semantics: that is RetreatICal's and the validator's job).
enum CalendarCheck {
    /// Checks `calendar` and returns the distinct UIDs of its VEVENTs in order of appearance.
    ///
    /// - CRLF line endings only, no other control character but a tab;
    /// - one `VCALENDAR` whose single `METHOD` equals `method` (RFC 6047 §2.4);
    /// - REQUEST and CANCEL carry exactly one UID (RFC 5546 §1.4: one iTIP message, one event and its overrides).
    static func check(_ calendar: String, method: CalendarMethod) throws(MailError) -> [String] {
        func fail(_ problem: String) -> MailError { MailError(.invalidMessage, "the calendar part \(problem)") }
        guard calendar.utf8.count <= CalendarMessage.maxCalendarOctets else {
            throw fail("is longer than \(CalendarMessage.maxCalendarOctets) octets")
        }
        let bytes = Array(calendar.utf8)
        guard bytes.count >= 2, bytes[bytes.count - 2] == 13, bytes[bytes.count - 1] == 10 else {
            throw fail("does not end in CRLF")
        }
        for (i, byte) in bytes.enumerated() {
            if byte == 13 && (i + 1 == bytes.count || bytes[i + 1] != 10) { throw fail("has a carriage return that is not part of CRLF") }
            if byte == 10 && (i == 0 || bytes[i - 1] != 13) { throw fail("has a line ending that is not CRLF") }
        }
        // Unfold (RFC 5545 §3.1): CRLF followed by a space or a tab continues the line.
        var lines: [String] = []
        // "\r\n" is one Character, so dropLast(1) drops the final CRLF.
        for raw in calendar.dropLast(1).components(separatedBy: "\r\n") {
            if let first = raw.first, first == " " || first == "\t", !lines.isEmpty {
                lines[lines.count - 1] += raw.dropFirst()
            } else {
                lines.append(raw)
            }
        }
        for line in lines {
            if let (scalar, _) = TextRules.firstForbidden(in: line.replacingTabs()) {
                throw fail("contains \(TextRules.describe(scalar)) inside a line")
            }
        }
        guard lines.first?.uppercased() == "BEGIN:VCALENDAR", lines.last?.uppercased() == "END:VCALENDAR" else {
            throw fail("is not one VCALENDAR (BEGIN:VCALENDAR ... END:VCALENDAR)")
        }
        var calendars = 0
        var stack: [String] = []
        var methods: [String] = []
        var uids: [String] = []
        var eventCount = 0
        for line in lines {
            let (name, value) = split(line)
            switch name {
            case "BEGIN":
                if stack.isEmpty {
                    calendars += 1
                    guard calendars == 1 else { throw fail("holds more than one VCALENDAR") }
                }
                stack.append(value.uppercased())
                if stack == ["VCALENDAR", "VEVENT"] { eventCount += 1 }
            case "END":
                guard stack.last == value.uppercased() else { throw fail("has an END without its BEGIN") }
                stack.removeLast()
            case "METHOD" where stack == ["VCALENDAR"]:
                methods.append(value.uppercased())
            case "UID" where stack == ["VCALENDAR", "VEVENT"]:
                if !uids.contains(value) { uids.append(value) }
            default:
                break
            }
        }
        guard stack.isEmpty else { throw fail("has a BEGIN without its END") }
        guard methods.count == 1, let found = methods.first else {
            throw fail(methods.isEmpty ? "has no METHOD; iMIP needs METHOD:\(method.rawValue)" : "has more than one METHOD")
        }
        guard found == method.rawValue else {
            throw fail("says METHOD:\(found.terminalSafe) but the message is sent as \(method.rawValue)")
        }
        if method != .publish {
            guard eventCount > 0, !uids.isEmpty else { throw fail("has no VEVENT with a UID") }
            guard uids.count == 1 else {
                throw fail("carries \(uids.count) UIDs; a \(method.rawValue) carries one event (one UID, with its overrides)")
            }
        }
        return uids
    }

    /// Property name (upper case, parameters dropped) and value of a content line.
    private static func split(_ line: String) -> (String, String) {
        guard let colon = line.firstIndex(of: ":") else { return (line.uppercased(), "") }
        let head = line[..<colon]
        let name = head.split(separator: ";", maxSplits: 1).first.map(String.init) ?? String(head)
        return (name.uppercased(), String(line[line.index(after: colon)...]))
    }
}

extension String {
    fileprivate func replacingTabs() -> String { String(unicodeScalars.map { $0 == "\t" ? " " : Character($0) }) }
}
