/// Character rules shared by every validated text type, and the terminal sanitizer.
///
/// Forbidden everywhere: C0 controls (U+0000–U+001F, so TAB, CR and LF too, except LF where a type allows
/// it), DEL (U+007F), C1 controls (U+0080–U+009F, NEL among them), the Unicode line and paragraph
/// separators (U+2028, U+2029), and the bidirectional embedding, override and isolate characters
/// (U+202A–U+202E, U+2066–U+2069), which can make a terminal or a mail client show text in an order
/// other than the stored one; and the invisible marks that make two texts look the same or a text look empty:
/// the bidirectional marks (U+200E, U+200F, U+061C), the zero-width space (U+200B), the word joiner and invisible
/// operators (U+2060–U+2064) and the byte-order mark (U+FEFF). The zero-width joiner and non-joiner (U+200C, U+200D)
/// stay allowed: scripts and emoji need them.
public enum TextRules {
    /// True for a scalar that no stored text may hold (`"\n"` included; callers that allow it check first).
    public static func isForbidden(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F, 0x80...0x9F: return true
        case 0x2028, 0x2029: return true
        case 0x202A...0x202E, 0x2066...0x2069: return true
        case 0x200B, 0x200E, 0x200F, 0x061C, 0x2060...0x2064, 0xFEFF: return true
        default: return false
        }
    }

    /// A person's words for a forbidden scalar, with its code point: `a carriage return (U+000D)`.
    public static func describe(_ scalar: Unicode.Scalar) -> String {
        let code = "U+" + hex(scalar.value, width: 4)
        switch scalar.value {
        case 0x0A: return "a line break (\(code))"
        case 0x0D: return "a carriage return (\(code))"
        case 0x09: return "a tab (\(code))"
        case 0x00: return "a NUL character (\(code))"
        case 0x1B: return "an escape character (\(code))"
        case 0x85, 0x2028, 0x2029: return "a Unicode line separator (\(code))"
        case 0x202A...0x202E: return "a bidirectional override (\(code))"
        case 0x2066...0x2069: return "a bidirectional isolate (\(code))"
        case 0x200E, 0x200F, 0x061C: return "a bidirectional mark (\(code))"
        case 0x200B, 0x2060...0x2064, 0xFEFF: return "an invisible character (\(code))"
        default: return "a control character (\(code))"
        }
    }

    /// The first forbidden scalar of `text` and its 1-based position in scalars, or nil.
    public static func firstForbidden(in text: String, allowingNewline: Bool = false) -> (scalar: Unicode.Scalar, position: Int)? {
        var position = 0
        for scalar in text.unicodeScalars {
            position += 1
            if allowingNewline && scalar == "\n" { continue }
            if isForbidden(scalar) { return (scalar, position) }
        }
        return nil
    }

    /// Throws `.forbiddenCharacter` naming the first forbidden scalar of `text` and where it is.
    static func check(_ text: String, field: String, allowingNewline: Bool = false, what: String = "") throws(InputError) {
        if let (scalar, position) = firstForbidden(in: text, allowingNewline: allowingNewline) {
            let subject = what.isEmpty ? "contains" : "\(what) contains"
            let hint = scalar == "\n" || scalar == "\r" ? (allowingNewline ? "; use plain line breaks (\\n)" : "; it must be one line") : ""
            throw InputError(.forbiddenCharacter, field: field, "\(subject) \(describe(scalar)) at character \(position)\(hint)")
        }
    }

    /// Renders any stored text safe to print on a terminal or in a one-line log: every forbidden scalar
    /// becomes a visible escape (`\e` for ESC, `\r`, `\n`, `\t`, `\0`, else `\u{XXXX}`), so an escape
    /// sequence or a bidi override written before validation existed can neither drive the terminal nor
    /// reorder what is shown. Everything else, backslashes included, is kept as is: this is for showing,
    /// not a reversible encoding.
    /// - Parameter keepingNewlines: keep `"\n"` as a line break (multi-line notes); tabs and CR are still escaped.
    public static func terminalSafe(_ text: String, keepingNewlines: Bool = false) -> String {
        guard firstForbidden(in: text, allowingNewline: keepingNewlines) != nil else { return text }
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if !isForbidden(scalar) || (keepingNewlines && scalar == "\n") {
                out.append(scalar)
                continue
            }
            let escape: String
            switch scalar.value {
            case 0x1B: escape = "\\e"
            case 0x0D: escape = "\\r"
            case 0x0A: escape = "\\n"
            case 0x09: escape = "\\t"
            case 0x00: escape = "\\0"
            default: escape = "\\u{" + hex(scalar.value, width: scalar.value > 0xFF ? 4 : 2) + "}"
            }
            out.append(contentsOf: escape.unicodeScalars)
        }
        return String(out)
    }

    static func hex(_ value: UInt32, width: Int) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}

extension String {
    /// This text with control characters and bidi overrides shown as visible escapes; see `TextRules.terminalSafe`.
    public var terminalSafe: String { TextRules.terminalSafe(self) }
}
