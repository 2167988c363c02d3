import Foundation

/// One unfolded content line and the physical line it starts on.
struct ContentLine {
    var text: String
    var line: Int

    /// The property or keyword name (before the first `;` or `:`), upper-cased.
    var name: String {
        let end = text.firstIndex(where: { $0 == ";" || $0 == ":" }) ?? text.endIndex
        return text[..<end].uppercased()
    }

    /// The value after the first `:` that is not inside a quoted parameter value.
    var value: String? {
        var quoted = false
        for i in text.indices {
            let ch = text[i]
            if ch == "\"" { quoted.toggle() }
            if ch == ":" && !quoted { return String(text[text.index(after: i)...]) }
        }
        return nil
    }

    /// The parameter section between the name and the value, upper-cased.
    var parameters: String {
        guard let nameEnd = text.firstIndex(where: { $0 == ";" || $0 == ":" }), text[nameEnd] == ";" else { return "" }
        var quoted = false
        var i = nameEnd
        while i < text.endIndex {
            if text[i] == "\"" { quoted.toggle() }
            if text[i] == ":" && !quoted { break }
            i = text.index(after: i)
        }
        return text[nameEnd..<i].uppercased()
    }
}

/// Byte-level rules of RFC 5545 §3.1 that Retreat enforces itself: folding and the structural checks that
/// let a malformed file be reported with a line number before libical sees it.
enum ContentLines {
    /// Unfolds libical's output and folds it again at 75 octets, never inside a UTF-8 sequence, with CRLF.
    static func refold(_ text: String) -> String {
        var out = [UInt8]()
        out.reserveCapacity(text.utf8.count + text.utf8.count / 40)
        for line in unfold(text) where !line.text.isEmpty {
            fold(Array(line.text.utf8), into: &out)
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends `bytes` as one content line folded at 75 octets (the leading space of a continuation counts).
    static func fold(_ bytes: [UInt8], into out: inout [UInt8]) {
        var start = 0
        var limit = 75
        while bytes.count - start > limit {
            var cut = start + limit
            // Never split a UTF-8 sequence: back up to the first byte of the character.
            while cut > start && (bytes[cut] & 0xC0) == 0x80 { cut -= 1 }
            // Never leave a space at the end of a physical line: some parsers (libical among them) trim it.
            while cut > start + 1 && (bytes[cut - 1] == 32 || bytes[cut - 1] == 9) { cut -= 1 }
            out.append(contentsOf: bytes[start..<cut])
            out.append(contentsOf: [13, 10, 32])
            start = cut
            limit = 74
        }
        out.append(contentsOf: bytes[start...])
        out.append(contentsOf: [13, 10])
    }

    /// Splits text into logical lines: CRLF or bare LF ends a line; a line starting with space or tab continues
    /// the previous one.
    static func unfold(_ text: String) -> [ContentLine] {
        // Work on bytes: in Swift "\r\n" is one Character, so splitting a String on "\n" would miss it.
        var result: [ContentLine] = []
        var physical = 0
        for raw in text.utf8.split(separator: 10, omittingEmptySubsequences: false) {
            physical += 1
            var piece = raw[...]
            if piece.last == 13 { piece = piece.dropLast() }
            if let first = piece.first, first == 32 || first == 9, !result.isEmpty {
                result[result.count - 1].text += String(decoding: piece.dropFirst(), as: UTF8.self)
            } else {
                result.append(ContentLine(text: String(decoding: piece, as: UTF8.self), line: physical))
            }
        }
        return result
    }

    static let dateProperties: Set<String> = [
        "DTSTART", "DTEND", "DTSTAMP", "DUE", "RECURRENCE-ID", "EXDATE", "RDATE", "CREATED", "LAST-MODIFIED",
        "COMPLETED",
    ]

    /// Checks structure and date values; returns the unfolded lines.
    /// - Throws: `ICalError` naming the line: bad UTF-8, a line that is not `NAME:VALUE`, BEGIN/END that do not
    ///   match, nesting deeper than `maxDepth`, a DATE or DATE-TIME that does not exist.
    static func check(_ data: Data, maxDepth: Int = 16) throws(ICalError) -> (text: String, lines: [ContentLine]) {
        guard let text = String(validatingUTF8Data: data) else {
            let line = firstInvalidUTF8Line(data)
            throw ICalError(.invalidUTF8, line: line, "the file is not valid UTF-8")
        }
        if text.contains("\0") {
            let line = text.prefix(while: { $0 != "\0" }).filter { $0 == "\n" }.count + 1
            throw ICalError(.malformed, line: line, "the file contains a NUL byte")
        }
        var lines = unfold(text)
        var repaired = false
        for i in lines.indices where lines[i].value == nil {
            if let fixed = repairQuotedValue(lines[i].text) {
                lines[i].text = fixed
                repaired = true
            }
        }
        var stack: [(name: String, line: Int)] = []
        var sawCalendar = false
        for l in lines {
            if l.text.trimmingCharacters(in: .whitespaces).isEmpty { continue }
            let name = l.name
            guard !name.isEmpty, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }),
                let value = l.value
            else {
                throw ICalError(.malformed, line: l.line, "not an iCalendar content line (expected NAME:VALUE)")
            }
            if name == "BEGIN" {
                let comp = value.trimmingCharacters(in: .whitespaces).uppercased()
                if stack.isEmpty && comp != "VCALENDAR" {
                    throw ICalError(.malformed, line: l.line, "BEGIN:\(comp) outside a VCALENDAR")
                }
                if comp == "VCALENDAR" { sawCalendar = true }
                stack.append((comp, l.line))
                if stack.count > maxDepth {
                    throw ICalError(.malformed, line: l.line, "components nested deeper than \(maxDepth) levels")
                }
            } else if name == "END" {
                let comp = value.trimmingCharacters(in: .whitespaces).uppercased()
                guard let open = stack.last else {
                    throw ICalError(.malformed, line: l.line, "END:\(comp) without a matching BEGIN")
                }
                if open.name != comp {
                    throw ICalError(
                        .malformed, line: l.line,
                        "END:\(comp) does not match BEGIN:\(open.name) on line \(open.line)")
                }
                stack.removeLast()
            } else {
                if stack.isEmpty {
                    throw ICalError(.malformed, line: l.line, "\(name) outside a VCALENDAR")
                }
                if dateProperties.contains(name), !l.parameters.contains("VALUE=PERIOD") {
                    try checkDates(value, property: name, line: l.line)
                }
            }
        }
        if let open = stack.last {
            throw ICalError(.malformed, line: open.line, "BEGIN:\(open.name) is never closed (missing END:\(open.name))")
        }
        if !sawCalendar {
            throw ICalError(.malformed, line: 1, "no BEGIN:VCALENDAR found: this is not an iCalendar file")
        }
        // Repaired lines are handed to libical unfolded (it accepts long lines).
        return (repaired ? lines.map(\.text).joined(separator: "\r\n") + "\r\n" : text, lines)
    }

    /// Outlook sometimes writes the closing quote of a parameter after the value:
    /// `DTSTART;TZID="W. Europe Standard Time:20200609T090000"`. Moves the quote back:
    /// `DTSTART;TZID="W. Europe Standard Time":20200609T090000`. Nil when the line is not of that shape.
    static func repairQuotedValue(_ line: String) -> String? {
        guard line.hasSuffix("\""), let open = line.range(of: "=\""),
            let colon = line[open.upperBound...].lastIndex(of: ":")
        else { return nil }
        let head = line[..<colon]
        let value = line[line.index(after: colon)..<line.index(before: line.endIndex)]
        guard !value.contains("\"") else { return nil }
        return head + "\":" + value
    }

    static func checkDates(_ value: String, property: String, line: Int) throws(ICalError) {
        for part in value.split(separator: ",", omittingEmptySubsequences: false) {
            if !isValidDateOrDateTime(part) {
                throw ICalError(
                    .invalidDate, line: line,
                    "\(property) value \"\(part.prefix(40))\" is not a valid DATE (YYYYMMDD) or DATE-TIME (YYYYMMDDTHHMMSS[Z])")
            }
        }
    }

    static func isValidDateOrDateTime(_ text: Substring) -> Bool {
        let b = Array(text.utf8)
        func digits(_ r: Range<Int>) -> Int? {
            var n = 0
            for i in r {
                guard i < b.count, b[i] >= 48, b[i] <= 57 else { return nil }
                n = n * 10 + Int(b[i] - 48)
            }
            return n
        }
        guard b.count == 8 || b.count == 15 || b.count == 16 else { return false }
        guard let y = digits(0..<4), let m = digits(4..<6), let d = digits(6..<8) else { return false }
        guard (1...12).contains(m), d >= 1, d <= daysIn(month: m, year: y) else { return false }
        if b.count == 8 { return true }
        guard b[8] == UInt8(ascii: "T"), let hh = digits(9..<11), let mm = digits(11..<13), let ss = digits(13..<15)
        else { return false }
        guard hh < 24, mm < 60, ss <= 60 else { return false }
        return b.count == 15 || b[15] == UInt8(ascii: "Z")
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    static func firstInvalidUTF8Line(_ data: Data) -> Int {
        let bytes = [UInt8](data)
        var line = 1
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            let len: Int
            if b < 0x80 { len = 1 } else if b & 0xE0 == 0xC0 { len = 2 } else if b & 0xF0 == 0xE0 { len = 3 } else if b & 0xF8 == 0xF0 { len = 4 } else { return line }
            if i + len > bytes.count { return line }
            for k in 1..<len where bytes[i + k] & 0xC0 != 0x80 { return line }
            if b == 10 { line += 1 }
            i += len
        }
        return line
    }
}

extension String {
    /// Decodes strictly: nil when `data` is not valid UTF-8.
    init?(validatingUTF8Data data: Data) {
        guard let s = String(bytes: data, encoding: .utf8) else { return nil }
        self = s
    }
}
