/// An RFC 5322 mailbox: an address with an optional display name, as in `Jo Smith <jo@x.org>`,
/// `"Smith, Jo" <jo@x.org>`, `<jo@x.org>` or `jo@x.org`.
///
/// The display name is a `PlainName` (no control characters, no bidi overrides; at most
/// `maxDisplayNameLength` scalars) and may hold any Unicode letter (RFC 6532); it is quoted or encoded
/// when written into a header, never pasted. Unquoted names may hold letters, digits, spaces, `.` and
/// `atext` punctuation; anything else (`,`, `:`, `;`, `@`, `[`, `]`, `\`) must be inside double quotes.
/// Comments in parentheses and group syntax (`team: a@x.org;`) are refused.
public struct Mailbox: Hashable, Sendable, CustomStringConvertible, Codable {
    /// Display names longer than this (in Unicode scalars) are refused.
    public static let maxDisplayNameLength = 128
    /// `list(_:field:)` refuses more entries than this by default.
    public static let defaultMaxListCount = 20

    /// The name shown by mail clients, if any.
    public let displayName: PlainName?
    /// The address.
    public let address: EmailAddress

    /// A mailbox from values that are already checked.
    public init(displayName: PlainName?, address: EmailAddress) {
        self.displayName = displayName
        self.address = address
    }

    /// Parses one mailbox given for `field`.
    /// - Throws: `InputError`: `.multipleAddresses` when the text holds a list, `.forbiddenCharacter`,
    ///   `.malformedAddress`, `.tooLong` or `.empty`, each naming `field`.
    public init(_ text: String, field: String) throws(InputError) {
        try TextRules.check(text, field: field, what: "the address")
        let trimmed = PlainName.trimSpaces(text)
        guard !trimmed.isEmpty else { throw InputError(.empty, field: field, "is empty; give an e-mail address") }
        let separators = MailboxSyntax.topLevelSeparators(in: trimmed)
        if separators > 0 {
            throw InputError(
                .multipleAddresses, field: field,
                "holds \(separators + 1) addresses separated by \",\" or \";\"; give one (a name holding \",\" goes in double quotes)")
        }
        self = try MailboxSyntax.parseMailbox(trimmed, field: field, subject: "the address")
    }

    /// Parses a list such as `a@x.org, Name <b@y.org>; "Smith, Jo" <c@z.org>` (entries separated by `,`
    /// or `;` outside quotes and angle brackets). An error names the bad entry by its position
    /// (`entry 2 of 3 has no domain after "@"`); empty entries and repeated addresses are refused.
    /// - Parameter maxCount: the most entries accepted.
    /// - Returns: the mailboxes in the order given, at least one.
    public static func list(_ text: String, field: String, maxCount: Int = Mailbox.defaultMaxListCount) throws(InputError) -> [Mailbox] {
        let entries = MailboxSyntax.splitList(text)
        guard entries.contains(where: { !PlainName.trimSpaces($0).isEmpty }) else {
            try TextRules.check(text, field: field)
            throw InputError(.empty, field: field, "is empty; give at least one e-mail address")
        }
        guard entries.count <= maxCount else {
            throw InputError(.tooLong, field: field, "holds \(entries.count) addresses; at most \(maxCount) are allowed")
        }
        var result: [Mailbox] = []
        var seen: [String: Int] = [:]
        for (index, entry) in entries.enumerated() {
            let subject = entries.count == 1 ? "the address" : "entry \(index + 1) of \(entries.count)"
            try TextRules.check(entry, field: field, what: subject)
            let trimmed = PlainName.trimSpaces(entry)
            guard !trimmed.isEmpty else { throw InputError(.empty, field: field, "\(subject) is empty (two separators in a row, or one at an end)") }
            let mailbox = try MailboxSyntax.parseMailbox(trimmed, field: field, subject: subject)
            let key = mailbox.address.addrSpec.lowercased()
            if let first = seen[key] {
                throw InputError(.multipleAddresses, field: field, "\(subject) repeats entry \(first + 1)")
            }
            seen[key] = index
            result.append(mailbox)
        }
        return result
    }

    /// The RFC 5322 form, re-parsable by `init(_:field:)`: `Jo Smith <jo@x.org>`, `"Smith, Jo" <jo@x.org>`,
    /// or the bare address. A non-ASCII name is kept as UTF-8 (RFC 6532): mail headers use RFC 2047
    /// encoded-words instead, written by the mail module.
    public var description: String {
        guard let name = displayName?.value else { return address.addrSpec }
        return "\(MailboxSyntax.phrase(name)) <\(address.addrSpec)>"
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do {
            self = try Mailbox(text, field: decoder.codingPath.last?.stringValue ?? "address")
        } catch {
            throw DecodingError.dataCorrupted(DecodingError.Context(codingPath: decoder.codingPath, debugDescription: error.message))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// The parsing shared by `EmailAddress` and `Mailbox`.
enum MailboxSyntax {
    /// Counts `,` and `;` outside double quotes and angle brackets.
    static func topLevelSeparators(in text: String) -> Int {
        splitList(text).count - 1
    }

    /// Splits at `,` and `;` outside double quotes (with `\` escapes) and angle brackets.
    static func splitList(_ text: String) -> [String] {
        var entries: [String] = []
        var current = ""
        var inQuotes = false
        var escaped = false
        var angle = 0
        for c in text {
            if escaped {
                escaped = false
            } else if inQuotes {
                if c == "\\" { escaped = true } else if c == "\"" { inQuotes = false }
            } else if c == "\"" {
                inQuotes = true
            } else if c == "<" {
                angle += 1
            } else if c == ">" {
                angle = max(0, angle - 1)
            } else if (c == "," || c == ";") && angle == 0 {
                entries.append(current)
                current = ""
                continue
            }
            current.append(c)
        }
        entries.append(current)
        return entries
    }

    /// Parses a trimmed single mailbox with no control characters.
    static func parseMailbox(_ text: String, field: String, subject: String) throws(InputError) -> Mailbox {
        func fail(_ problem: String) -> InputError { InputError(.malformedAddress, field: field, "\(subject) \(problem)") }

        // Find "<" outside quotes.
        var inQuotes = false
        var escaped = false
        var openIndex: String.Index?
        var index = text.startIndex
        while index < text.endIndex {
            let c = text[index]
            if escaped {
                escaped = false
            } else if inQuotes {
                if c == "\\" { escaped = true } else if c == "\"" { inQuotes = false }
            } else if c == "\"" {
                inQuotes = true
            } else if c == "(" || c == ")" {
                throw fail("has a comment in parentheses; put a name in double quotes or before <address>")
            } else if c == "<" {
                openIndex = index
                break
            } else if c == ">" {
                throw fail("has \">\" without \"<\"")
            }
            index = text.index(after: index)
        }
        if inQuotes { throw fail("has an unclosed double quote") }

        guard let open = openIndex else {
            // A bare addr-spec.
            if text.contains("\"") && !text.hasPrefix("\"") { throw fail("has a stray double quote") }
            return Mailbox(displayName: nil, address: try EmailAddress.parse(text, field: field, subject: subject))
        }
        guard text.hasSuffix(">") else { throw fail("has text after \">\", or no closing \">\"") }
        let inner = text[text.index(after: open)..<text.index(before: text.endIndex)]
        if inner.contains("<") || inner.contains(">") { throw fail("has more than one \"<...>\"") }
        let addressText = PlainName.trimSpaces(String(inner))
        guard !addressText.isEmpty else { throw fail("has nothing between \"<\" and \">\"") }
        let address = try EmailAddress.parse(addressText, field: field, subject: subject)

        let nameText = try displayName(String(text[text.startIndex..<open]), fail: fail)
        guard !PlainName.trimSpaces(nameText).isEmpty else { return Mailbox(displayName: nil, address: address) }
        let name: PlainName
        do {
            name = try PlainName(nameText, field: field, maxLength: Mailbox.maxDisplayNameLength)
        } catch {
            switch error.code {
            case .tooLong:
                throw InputError(.tooLong, field: field, "\(subject) has a name longer than \(Mailbox.maxDisplayNameLength) characters")
            default:
                throw InputError(error.code, field: field, "\(subject) has a name that \(error.message.dropFirst(field.count + 2))")
            }
        }
        return Mailbox(displayName: name, address: address)
    }

    /// The display name of `Name <addr>`: quoted words unquoted, unquoted words checked.
    static func displayName(_ text: String, fail: (String) -> InputError) throws(InputError) -> String {
        var out = ""
        var inQuotes = false
        var escaped = false
        for c in text {
            if escaped {
                out.append(c)
                escaped = false
            } else if inQuotes {
                if c == "\\" { escaped = true } else if c == "\"" { inQuotes = false } else { out.append(c) }
            } else if c == "\"" {
                inQuotes = true
            } else if c == " " || c == "." || c.unicodeScalars.contains(where: { !$0.isASCII }) || (c.isASCII && EmailAddress.isAtext(c)) {
                out.append(c)
            } else {
                throw fail("has \"\(c)\" in its name; put a name holding it in double quotes")
            }
        }
        return out
    }

    /// A display name as an RFC 5322 phrase: bare when it is words of `atext` (and non-ASCII letters)
    /// separated by single spaces, else a quoted string with `"` and `\` escaped.
    static func phrase(_ name: String) -> String {
        let words = name.split(separator: " ", omittingEmptySubsequences: false)
        let bare = words.allSatisfy { word in
            !word.isEmpty && word.allSatisfy { c in c.unicodeScalars.contains(where: { !$0.isASCII }) || EmailAddress.isAtext(c) }
        }
        if bare { return name }
        var quoted = "\""
        for c in name {
            if c == "\"" || c == "\\" { quoted.append("\\") }
            quoted.append(c)
        }
        return quoted + "\""
    }
}
