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
    /// Unfolds libical's output and folds it again at 75 octets, never inside a UTF-8 sequence, with CRLF;
    /// `replacing` may give another text for a whole unfolded line.
    static func refold(_ text: String, replacing: (String) -> String? = { _ in nil }) -> String {
        var out = [UInt8]()
        out.reserveCapacity(text.utf8.count + text.utf8.count / 40)
        for line in unfold(text) where !line.text.isEmpty {
            fold(Array((replacing(line.text) ?? line.text).utf8), into: &out)
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

    /// Checks structure and values in one pass (`ComponentStream` without libical) and returns the text.
    /// - Throws: `ICalError` naming the line: bad UTF-8, a line that is not `NAME:VALUE`, BEGIN/END that do not
    ///   match, nesting deeper than `maxDepth`, a DATE or DATE-TIME that does not exist, an unreadable RRULE.
    static func check(_ data: Data, maxDepth: Int = 16) throws(ICalError) -> String {
        var stream = ComponentStream()
        try withBytes(data) { (b: UnsafeBufferPointer<UInt8>) throws(ICalError) in
            try stream.run(b, maxDepth: maxDepth, feed: false) { (_, _, _) throws(ICalError) in }
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// The bytes of `data`, with typed errors.
    static func withBytes<T>(_ data: Data, _ body: (UnsafeBufferPointer<UInt8>) throws(ICalError) -> T) throws(ICalError) -> T {
        let result: Result<T, ICalError> = data.withUnsafeBytes { raw in
            do throws(ICalError) {
                return .success(try body(raw.bindMemory(to: UInt8.self)))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
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

    static func isValidDateOrDateTime(_ text: Substring) -> Bool {
        var copy = String(text)
        return copy.withUTF8 { LineChecker.isValidDateOrDateTime($0) }
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }
}
