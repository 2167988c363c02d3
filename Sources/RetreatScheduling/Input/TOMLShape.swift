/// A structural check of TOML text before it reaches the TOML parser.
///
/// toml++ (inside TOMLKit) asserts, and so aborts the process, on some malformed table headers and keys (a
/// four-byte file `[[[` is enough; fixed upstream after the version we can use). This check reads the text the
/// way TOML does — strings (basic, literal, multi-line), arrays and inline tables spanning lines, comments — and
/// refuses, with the line number, any table header or key that is not a well-formed dotted key. Values are left
/// to the parser.
public enum TOMLShape {
    /// True when `line` holds a NUL, literally or as the escape `\u0000` / `\U00000000` (an escaped backslash
    /// does not start an escape).
    static func hasNUL(_ line: [Unicode.Scalar]) -> Bool {
        var i = 0
        while i < line.count {
            if line[i] == "\u{0}" { return true }
            if line[i] == "\\", i + 1 < line.count {
                let next = line[i + 1]
                if next == "u" || next == "U" {
                    let digits = next == "u" ? 4 : 8
                    let hex = line[(i + 2)..<min(line.count, i + 2 + digits)]
                    if hex.count == digits, hex.allSatisfy({ $0 == "0" }) { return true }
                }
                i += 2
                continue
            }
            i += 1
        }
        return false
    }

    /// Throws `InputError` naming `file` and the line of the first malformed header or key.
    public static func check(_ text: String, file: String) throws(InputError) {
        var depth = 0  // open [ and { of values spanning lines
        var inMultiline: String?  // the closing delimiter of an open multi-line string
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = Array(rawLine.unicodeScalars.filter { $0 != "\r" })
            var i = 0
            func fail(_ problem: String) -> InputError { InputError(.malformedDocument, field: "\(file), line \(index + 1)", problem) }
            // The parser hands strings on as C strings: a NUL would silently cut a value short.
            if hasNUL(line) { throw fail("contains a NUL character (\\u0000), which no value may hold") }
            // Inside a multi-line string: look only for its end.
            if let closing = inMultiline {
                guard let end = find(closing, in: line, from: 0) else { continue }
                inMultiline = nil
                i = end + closing.unicodeScalars.count
            } else {
                while i < line.count, line[i] == " " || line[i] == "\t" { i += 1 }
                if i == line.count || line[i] == "#" { continue }
                if depth == 0 {
                    if line[i] == "[" {
                        let double = i + 1 < line.count && line[i + 1] == "["
                        var j = i + (double ? 2 : 1)
                        guard let after = parseKey(line, &j) else { throw fail("is not a table header such as [section] or [[section]]") }
                        j = after
                        guard j < line.count, line[j] == "]", !double || (j + 1 < line.count && line[j + 1] == "]") else {
                            throw fail("is not a table header such as [section] or [[section]]")
                        }
                        j += double ? 2 : 1
                        while j < line.count, line[j] == " " || line[j] == "\t" { j += 1 }
                        guard j == line.count || line[j] == "#" else { throw fail("has text after its table header") }
                        continue
                    }
                    var j = i
                    guard let after = parseKey(line, &j), after < line.count, line[after] == "=" else {
                        throw fail("is not KEY = VALUE (a key is letters, digits, - and _, or a quoted string)")
                    }
                    i = after + 1
                }
            }
            // The rest of the line is (part of) a value: follow strings and brackets.
            while i < line.count {
                let c = line[i]
                if c == "#" { break }
                if c == "\"" || c == "'" {
                    let q = String(c)
                    if i + 2 < line.count, line[i + 1] == c, line[i + 2] == c {
                        let closing = q + q + q
                        if let end = find(closing, in: line, from: i + 3) {
                            i = end + 3
                            continue
                        }
                        inMultiline = closing
                        break
                    }
                    var k = i + 1
                    while k < line.count, line[k] != c {
                        if c == "\"" && line[k] == "\\" { k += 1 }
                        k += 1
                    }
                    guard k < line.count else { throw fail("has a string that is not closed on its line") }
                    i = k + 1
                    continue
                }
                if c == "[" || c == "{" { depth += 1 }
                if c == "]" || c == "}" {
                    depth -= 1
                    if depth < 0 { throw fail("closes a bracket that was not opened") }
                }
                i += 1
            }
        }
        if inMultiline != nil { throw InputError(.malformedDocument, field: file, "has a multi-line string that is never closed") }
        if depth != 0 { throw InputError(.malformedDocument, field: file, "has an array or inline table that is never closed") }
    }

    /// Reads a dotted key at `i` (spaces around dots allowed); returns the index after it and its trailing spaces.
    static func parseKey(_ line: [Unicode.Scalar], _ i: inout Int) -> Int? {
        func skipSpace() { while i < line.count, line[i] == " " || line[i] == "\t" { i += 1 } }
        skipSpace()
        while true {
            guard i < line.count else { return nil }
            let c = line[i]
            if c == "\"" || c == "'" {
                var k = i + 1
                while k < line.count, line[k] != c {
                    if c == "\"" && line[k] == "\\" { k += 1 }
                    k += 1
                }
                guard k < line.count else { return nil }
                i = k + 1
            } else {
                let start = i
                while i < line.count, isBare(line[i]) { i += 1 }
                guard i > start else { return nil }
            }
            skipSpace()
            guard i < line.count, line[i] == "." else { return i }
            i += 1
            skipSpace()
        }
    }

    static func isBare(_ c: Unicode.Scalar) -> Bool {
        ("A"..."Z").contains(c) || ("a"..."z").contains(c) || ("0"..."9").contains(c) || c == "-" || c == "_"
    }

    static func find(_ needle: String, in line: [Unicode.Scalar], from start: Int) -> Int? {
        let n = Array(needle.unicodeScalars)
        guard line.count >= n.count, start <= line.count - n.count else { return nil }
        for i in start...(line.count - n.count) where Array(line[i..<(i + n.count)]) == n {
            return i
        }
        return nil
    }
}
