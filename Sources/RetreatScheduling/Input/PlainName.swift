import Foundation

/// A one-line name typed by a person: a couple's name, a counselor, a resource, a reason, a subject.
///
/// Checked where it enters: no control character of any kind (tab, CR and LF included), no Unicode line
/// separator, no bidirectional override or isolate (see `TextRules`); spaces at both ends are trimmed;
/// not empty; at most `maxLength` Unicode scalars. The text is stored in Unicode NFC, so two spellings of
/// "Zoë" compare equal. Text such as `BEGIN:VEVENT` is an ordinary name here: on one line it can start
/// nothing in a calendar or a mail header, which escape or encode it.
public struct PlainName: Hashable, Sendable, Comparable, CustomStringConvertible, Codable {
    /// The default cap, in Unicode scalars.
    public static let defaultMaxLength = 200

    /// The validated text.
    public let value: String

    /// Validates `text` given for `field`.
    /// - Parameters:
    ///   - field: how the person knows the field (`--couple`, `resource name`); it starts every error.
    ///   - maxLength: the cap in Unicode scalars.
    /// - Throws: `InputError` `.forbiddenCharacter`, `.empty` or `.tooLong`, naming `field`.
    public init(_ text: String, field: String, maxLength: Int = PlainName.defaultMaxLength) throws(InputError) {
        try TextRules.check(text, field: field)
        let trimmed = Self.trimSpaces(text).precomposedNFC
        guard !trimmed.isEmpty else { throw InputError(.empty, field: field, "is empty") }
        let length = trimmed.unicodeScalars.count
        guard length <= maxLength else {
            throw InputError(.tooLong, field: field, "is \(length) characters long; at most \(maxLength) are allowed")
        }
        value = trimmed
    }

    /// The text.
    public var description: String { value }

    public static func < (a: PlainName, b: PlainName) -> Bool { a.value < b.value }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do {
            self = try PlainName(text, field: decoder.codingPath.last?.stringValue ?? "name")
        } catch {
            throw DecodingError.dataCorrupted(DecodingError.Context(codingPath: decoder.codingPath, debugDescription: error.message))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(value)
    }

    /// Trims Unicode white space (never a control character: those were refused before) at both ends.
    static func trimSpaces(_ text: String) -> String {
        let scalars = text.unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
            let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        return String(scalars[first...last])
    }
}

/// Free text typed by a person (a note, a reason with detail): like `PlainName`, but plain line breaks
/// (`"\n"`) are allowed. A carriage return is refused, so a CRLF pasted from elsewhere is reported rather
/// than half-kept. Blank lines and spaces at both ends are trimmed; at most `maxLength` scalars.
public struct Note: Hashable, Sendable, CustomStringConvertible, Codable {
    /// The default cap, in Unicode scalars.
    public static let defaultMaxLength = 4000

    /// The validated text, lines separated by `"\n"`.
    public let value: String

    /// Validates `text` given for `field`.
    /// - Throws: `InputError` `.forbiddenCharacter`, `.empty` or `.tooLong`, naming `field`.
    public init(_ text: String, field: String, maxLength: Int = Note.defaultMaxLength) throws(InputError) {
        try TextRules.check(text, field: field, allowingNewline: true)
        let trimmed = PlainName.trimSpaces(text).precomposedNFC
        guard !trimmed.isEmpty else { throw InputError(.empty, field: field, "is empty") }
        let length = trimmed.unicodeScalars.count
        guard length <= maxLength else {
            throw InputError(.tooLong, field: field, "is \(length) characters long; at most \(maxLength) are allowed")
        }
        value = trimmed
    }

    /// The text's lines.
    public var lines: [Substring] { value.split(separator: "\n", omittingEmptySubsequences: false) }

    /// The text.
    public var description: String { value }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do {
            self = try Note(text, field: decoder.codingPath.last?.stringValue ?? "note")
        } catch {
            throw DecodingError.dataCorrupted(DecodingError.Context(codingPath: decoder.codingPath, debugDescription: error.message))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(value)
    }
}

extension String {
    /// The text in Unicode NFC (canonical composition), through Foundation.
    var precomposedNFC: String { precomposedStringWithCanonicalMapping }
}
