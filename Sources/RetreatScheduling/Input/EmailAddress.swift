import Foundation

/// An e-mail address (RFC 5322 `addr-spec`), checked where it enters so that it can go into a mail header,
/// a `mailto:` calendar address or a terminal as it is.
///
/// Accepted: a dot-atom local part of ASCII `atext` (RFC 5322 §3.2.3) and a domain of at least two labels
/// (letters, digits, hyphens; no label starting or ending with a hyphen; a top-level label not all digits).
/// Refused, each with its own sentence: control characters and line breaks anywhere, spaces, a missing or
/// repeated `@`, an empty local part or domain, quoted local parts (`"a b"@x.org`), domain literals
/// (`a@[192.0.2.1]`), non-ASCII local parts (SMTPUTF8), and the RFC 5321 §4.5.3.1 limits: local part
/// 64 octets, each domain label 63, domain 253, whole address 254.
///
/// Internationalised domains: a domain typed in Unicode (`jo@münchen.de`) is converted to its ASCII
/// form (`jo@xn--mnchen-3ya.de`) with Unicode NFC, lower case and Punycode (RFC 3492); labels may hold
/// letters, combining marks, digits and hyphens. This is the common part of IDNA2008 and UTS #46, not all of
/// it (no CONTEXTJ/bidi label rules): anything outside it is refused. `domain` is always ASCII, so
/// headers, `mailto:` URIs and the SMTP envelope need no further encoding.
public struct EmailAddress: Hashable, Sendable, Comparable, CustomStringConvertible, Codable {
    /// RFC 5321 §4.5.3.1.1.
    public static let maxLocalPartOctets = 64
    /// RFC 1035 label limit.
    public static let maxLabelOctets = 63
    /// RFC 5321 §4.5.3.1.2 gives 255; DNS names in text are at most 253.
    public static let maxDomainOctets = 253
    /// RFC 5321 §4.5.3.1.3: a path is at most 256 octets including the angle brackets.
    public static let maxAddressOctets = 254

    /// The part before `@`, as given (its case matters to the receiving server).
    public let localPart: String
    /// The domain, ASCII and lower case (`xn--` labels for internationalised names).
    public let domain: String

    /// Parses one address given for `field`.
    /// - Throws: `InputError` (`.empty`, `.forbiddenCharacter`, `.malformedAddress`, `.multipleAddresses`, `.tooLong`).
    public init(_ text: String, field: String) throws(InputError) {
        try TextRules.check(text, field: field, what: "the address")
        let trimmed = PlainName.trimSpaces(text)
        guard !trimmed.isEmpty else { throw InputError(.empty, field: field, "is empty; give an e-mail address") }
        if MailboxSyntax.topLevelSeparators(in: trimmed) > 0 {
            throw InputError(.multipleAddresses, field: field, "holds more than one address; give one")
        }
        self = try Self.parse(trimmed, field: field, subject: "the address")
    }

    /// `local@domain`.
    public var addrSpec: String { "\(localPart)@\(domain)" }

    /// `mailto:` URI (RFC 6068) for calendar ORGANIZER and ATTENDEE values: the local part's characters
    /// outside RFC 6068's unreserved and `some-delims` sets are percent-encoded.
    public var mailtoURI: String {
        var out = "mailto:"
        for byte in localPart.utf8 {
            let c = Character(Unicode.Scalar(byte))
            if c.isLetter || c.isNumber || "-._~!$'()*+,;:@".contains(c) {
                out.append(c)
            } else {
                out += "%" + TextRules.hex(UInt32(byte), width: 2)
            }
        }
        return out + "@" + domain
    }

    /// `addrSpec`.
    public var description: String { addrSpec }

    public static func < (a: EmailAddress, b: EmailAddress) -> Bool { (a.domain, a.localPart) < (b.domain, b.localPart) }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do {
            self = try EmailAddress(text, field: decoder.codingPath.last?.stringValue ?? "address")
        } catch {
            throw DecodingError.dataCorrupted(DecodingError.Context(codingPath: decoder.codingPath, debugDescription: error.message))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(addrSpec)
    }

    private init(checkedLocal: String, domain: String) {
        localPart = checkedLocal
        self.domain = domain
    }

    /// Parses a trimmed addr-spec with no control characters; `subject` is "the address" or "entry 2 of 3".
    static func parse(_ text: String, field: String, subject: String) throws(InputError) -> EmailAddress {
        func fail(_ problem: String, _ code: InputError.Code = .malformedAddress) -> InputError {
            InputError(code, field: field, "\(subject) \(problem)")
        }
        if text.hasPrefix("\"") { throw fail("has a quoted local part (\"...\"@); such addresses are not accepted") }
        if text.unicodeScalars.contains(where: { $0.properties.isWhitespace }) {
            throw fail("contains a space; write a name as Name <address>")
        }
        let ats = text.filter { $0 == "@" }.count
        guard ats > 0 else { throw fail("has no \"@\" and domain (a bare name is not an address)") }
        guard ats == 1 else { throw fail("has more than one \"@\"") }
        let parts = text.split(separator: "@", maxSplits: 1, omittingEmptySubsequences: false)
        let local = String(parts[0])
        let domainText = String(parts[1])
        guard !local.isEmpty else { throw fail("has nothing before \"@\"") }
        guard !domainText.isEmpty else { throw fail("has no domain after \"@\"") }

        guard local.unicodeScalars.allSatisfy(\.isASCII) else {
            throw fail("has non-ASCII characters before \"@\"; internationalised local parts are not supported")
        }
        if let bad = local.first(where: { !($0 == "." || isAtext($0)) }) {
            throw fail("has \"\(bad)\" before \"@\", which an address may not hold unquoted")
        }
        if local.hasPrefix(".") || local.hasSuffix(".") || local.contains("..") {
            throw fail("has a dot at the start or end of the part before \"@\", or two dots in a row")
        }
        guard local.utf8.count <= maxLocalPartOctets else {
            throw fail("has \(local.utf8.count) octets before \"@\"; at most \(maxLocalPartOctets) are allowed", .tooLong)
        }

        let domain = try asciiDomain(domainText, fail: fail)
        let total = local.utf8.count + 1 + domain.utf8.count
        guard total <= maxAddressOctets else {
            throw fail("is \(total) octets long; at most \(maxAddressOctets) are allowed", .tooLong)
        }
        return EmailAddress(checkedLocal: local, domain: domain)
    }

    /// RFC 5322 `atext`.
    static func isAtext(_ c: Character) -> Bool {
        guard c.isASCII, let v = c.asciiValue else { return false }
        switch v {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default: return "!#$%&'*+-/=?^_`{|}~".contains(c)
        }
    }

    /// The domain's ASCII form: labels checked as host names, Unicode labels converted to `xn--` labels.
    static func asciiDomain(_ text: String, fail: (String, InputError.Code) -> InputError) throws(InputError) -> String {
        if text.hasPrefix("[") { throw fail("has an address literal ([...]) as its domain; give a domain name", .malformedAddress) }
        let lowered = text.precomposedNFC.lowercased()
        let labels = lowered.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2 else {
            throw fail("has a domain with no dot (it needs a name like example.org)", .malformedAddress)
        }
        var ascii: [String] = []
        for label in labels {
            guard !label.isEmpty else { throw fail("has an empty label in its domain (a dot at the start or end, or two in a row)", .malformedAddress) }
            if label.hasPrefix("-") || label.hasSuffix("-") {
                throw fail("has a domain label starting or ending with \"-\"", .malformedAddress)
            }
            if label.unicodeScalars.allSatisfy(\.isASCII) {
                if let bad = label.first(where: { !($0.isLetter || $0.isNumber || $0 == "-") }) {
                    throw fail("has \"\(bad)\" in its domain, which a domain name may not hold", .malformedAddress)
                }
                ascii.append(String(label))
            } else {
                for scalar in label.unicodeScalars where !scalar.isASCII {
                    switch scalar.properties.generalCategory {
                    case .lowercaseLetter, .uppercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
                        .nonspacingMark, .spacingMark, .enclosingMark, .decimalNumber:
                        continue
                    default:
                        throw fail(
                            "has a character (U+\(TextRules.hex(scalar.value, width: 4))) in its domain that a domain name may not hold", .malformedAddress)
                    }
                }
                if let bad = label.unicodeScalars.first(where: { $0.isASCII && !(Character($0).isLetter || Character($0).isNumber || $0 == "-") }) {
                    throw fail("has \"\(bad)\" in its domain, which a domain name may not hold", .malformedAddress)
                }
                guard let encoded = Punycode.encode(String(label)) else {
                    throw fail("has a domain label that cannot be converted to its ASCII form", .malformedAddress)
                }
                ascii.append("xn--" + encoded)
            }
            guard let last = ascii.last, last.utf8.count <= maxLabelOctets else {
                throw fail("has a domain label longer than \(maxLabelOctets) octets", .tooLong)
            }
        }
        if let top = ascii.last, top.allSatisfy(\.isNumber) {
            throw fail("has a domain ending in a number; give a domain name", .malformedAddress)
        }
        let domain = ascii.joined(separator: ".")
        guard domain.utf8.count <= maxDomainOctets else {
            throw fail("has a domain of \(domain.utf8.count) octets; at most \(maxDomainOctets) are allowed", .tooLong)
        }
        return domain
    }
}
