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

    static let dateProperties: Set<[UInt8]> = Set(
        [
            "DTSTART", "DTEND", "DTSTAMP", "DUE", "RECURRENCE-ID", "EXDATE", "RDATE", "CREATED", "LAST-MODIFIED",
            "COMPLETED",
        ].map { Array($0.utf8) })

    /// One unfolded line as bytes, with the physical line it starts on.
    struct ByteLine {
        var bytes: [UInt8]
        var line: Int
    }

    /// Byte-level unfolding (the reading path: no String per line).
    static func unfoldBytes(_ b: [UInt8]) -> [ByteLine] {
        var result: [ByteLine] = []
        result.reserveCapacity(b.count / 30)
        var physical = 0
        var i = 0
        let n = b.count
        while i < n {
            physical += 1
            var j = i
            while j < n && b[j] != 10 { j += 1 }
            var end = j
            if end > i && b[end - 1] == 13 { end -= 1 }
            if i < end && (b[i] == 32 || b[i] == 9) && !result.isEmpty {
                result[result.count - 1].bytes.append(contentsOf: b[(i + 1)..<end])
            } else {
                result.append(ByteLine(bytes: Array(b[i..<end]), line: physical))
            }
            i = j + 1
        }
        return result
    }

    private static func upper(_ c: UInt8) -> UInt8 { c >= 97 && c <= 122 ? c - 32 : c }

    /// Checks structure and date values and returns the text to hand to libical.
    /// - Throws: `ICalError` naming the line: bad UTF-8, a line that is not `NAME:VALUE`, BEGIN/END that do not
    ///   match, nesting deeper than `maxDepth`, a DATE or DATE-TIME that does not exist.
    static func check(_ data: Data, maxDepth: Int = 16) throws(ICalError) -> String {
        let bytes = [UInt8](data)
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw ICalError(.invalidUTF8, line: firstInvalidUTF8Line(data), "the file is not valid UTF-8")
        }
        if let nul = bytes.firstIndex(of: 0) {
            throw ICalError(.malformed, line: bytes[..<nul].filter { $0 == 10 }.count + 1, "the file contains a NUL byte")
        }
        var lines = unfoldBytes(bytes)
        var repaired = false
        var stack: [(name: String, line: Int)] = []
        var sawCalendar = false
        let begin = Array("BEGIN".utf8), endKeyword = Array("END".utf8), period = Array("VALUE=PERIOD".utf8)
        for index in lines.indices {
            var b = lines[index].bytes
            let lineNumber = lines[index].line
            if b.allSatisfy({ $0 == 32 || $0 == 9 }) { continue }
            guard let nameEnd = b.firstIndex(where: { $0 == 59 || $0 == 58 }), nameEnd > 0,
                b[..<nameEnd].allSatisfy({ ($0 >= 65 && $0 <= 90) || ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 45 })
            else {
                throw ICalError(.malformed, line: lineNumber, "not an iCalendar content line (expected NAME:VALUE)")
            }
            var colon = valueColon(b, from: nameEnd)
            if colon == nil, let fixed = repairQuotedValue(String(decoding: b, as: UTF8.self)) {
                b = Array(fixed.utf8)
                lines[index].bytes = b
                repaired = true
                colon = valueColon(b, from: nameEnd)
            }
            guard let valueColon = colon else {
                throw ICalError(.malformed, line: lineNumber, "not an iCalendar content line (expected NAME:VALUE)")
            }
            let name = b[..<nameEnd].map(upper)
            let value = b[(valueColon + 1)...]
            if name == begin || name == endKeyword {
                let comp = String(decoding: value.map(upper), as: UTF8.self).trimmingCharacters(in: .whitespaces)
                if name == begin {
                    if stack.isEmpty && comp != "VCALENDAR" {
                        throw ICalError(.malformed, line: lineNumber, "BEGIN:\(comp) outside a VCALENDAR")
                    }
                    if comp == "VCALENDAR" { sawCalendar = true }
                    stack.append((comp, lineNumber))
                    if stack.count > maxDepth {
                        throw ICalError(.malformed, line: lineNumber, "components nested deeper than \(maxDepth) levels")
                    }
                } else {
                    guard let open = stack.last else {
                        throw ICalError(.malformed, line: lineNumber, "END:\(comp) without a matching BEGIN")
                    }
                    if open.name != comp {
                        throw ICalError(.malformed, line: lineNumber, "END:\(comp) does not match BEGIN:\(open.name) on line \(open.line)")
                    }
                    stack.removeLast()
                }
            } else {
                if stack.isEmpty {
                    throw ICalError(.malformed, line: lineNumber, "\(String(decoding: name, as: UTF8.self)) outside a VCALENDAR")
                }
                if dateProperties.contains(name) {
                    let params = b[nameEnd..<valueColon].map(upper)
                    if !contains(params, period) {
                        try checkDates(String(decoding: value, as: UTF8.self), property: String(decoding: name, as: UTF8.self), line: lineNumber)
                    }
                }
            }
        }
        if let open = stack.last {
            throw ICalError(.malformed, line: open.line, "BEGIN:\(open.name) is never closed (missing END:\(open.name))")
        }
        if !sawCalendar {
            throw ICalError(.malformed, line: 1, "no BEGIN:VCALENDAR found: this is not an iCalendar file")
        }
        guard repaired else { return text }
        // Repaired lines are handed to libical unfolded (it accepts long lines).
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        for l in lines {
            out += l.bytes
            out += [13, 10]
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Index of the `:` that ends the parameters (not one inside a quoted parameter value).
    static func valueColon(_ b: [UInt8], from start: Int) -> Int? {
        var quoted = false
        var i = start
        while i < b.count {
            if b[i] == 34 { quoted.toggle() } else if b[i] == 58 && !quoted { return i }
            i += 1
        }
        return nil
    }

    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard haystack.count >= needle.count else { return false }
        for i in 0...(haystack.count - needle.count) where haystack[i..<(i + needle.count)].elementsEqual(needle) { return true }
        return false
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
            if b < 0x80 {
                len = 1
            } else if b & 0xE0 == 0xC0 {
                len = 2
            } else if b & 0xF0 == 0xE0 {
                len = 3
            } else if b & 0xF8 == 0xF0 {
                len = 4
            } else {
                return line
            }
            if i + len > bytes.count { return line }
            for k in 1..<len where bytes[i + k] & 0xC0 != 0x80 { return line }
            if b == 10 { line += 1 }
            i += len
        }
        return line
    }
}
