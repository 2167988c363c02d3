import Foundation

/// An absolute `https` URL (a video link, a booking page), checked where it enters so that it can go into
/// a calendar's URL/DESCRIPTION, an e-mail or a terminal as it is.
///
/// Accepted: `https://host[:port][/path][?query][#fragment]` in printable ASCII, with only the characters
/// RFC 3986 allows (non-ASCII and spaces must be percent-encoded), a host name of letters, digits, hyphens
/// and dots or a bracketed IPv6 literal, an optional port 1–65535, at most `maxLength` octets. Refused:
/// other schemes (`http`, `javascript`, …), relative URLs, user names or passwords (`https://u:p@host`),
/// control characters, spaces, malformed `%` escapes. The scheme and host are stored in lower case.
public struct HTTPSURL: Hashable, Sendable, CustomStringConvertible, Codable {
    /// The longest URL accepted, in octets.
    public static let maxLength = 2048

    /// The URL text.
    public let value: String
    /// The host, lower case (brackets kept for IPv6).
    public let host: String
    /// The port, when one is given.
    public let port: Int?

    /// Parses `text` given for `field`.
    /// - Throws: `InputError` `.empty`, `.forbiddenCharacter`, `.tooLong` or `.malformedURL`, naming `field`.
    public init(_ text: String, field: String) throws(InputError) {
        func fail(_ problem: String) -> InputError { InputError(.malformedURL, field: field, "the link \(problem)") }
        try TextRules.check(text, field: field, what: "the link")
        let trimmed = PlainName.trimSpaces(text)
        guard !trimmed.isEmpty else { throw InputError(.empty, field: field, "is empty; give an https:// link") }
        guard trimmed.utf8.count <= Self.maxLength else {
            throw InputError(.tooLong, field: field, "the link is \(trimmed.utf8.count) octets long; at most \(Self.maxLength) are allowed")
        }
        if trimmed.unicodeScalars.contains(where: { $0.properties.isWhitespace }) {
            throw fail("contains a space; write it as %20")
        }
        if trimmed.unicodeScalars.contains(where: { !$0.isASCII }) {
            throw fail("contains non-ASCII characters; percent-encode them (as a browser's address bar copies them)")
        }
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~:/?#[]@!$&'()*+,;=%")
        if let bad = trimmed.first(where: { !allowed.contains($0) }) {
            throw fail("contains \"\(bad)\", which a URL may not hold unencoded")
        }
        let bytes = Array(trimmed.utf8)
        for (i, b) in bytes.enumerated() where b == UInt8(ascii: "%") {
            guard i + 2 < bytes.count, Self.isHex(bytes[i + 1]), Self.isHex(bytes[i + 2]) else {
                throw fail("has a \"%\" not followed by two hexadecimal digits")
            }
        }
        guard let colon = trimmed.firstIndex(of: ":"),
            trimmed[..<colon].allSatisfy({ $0.isLetter || $0.isNumber || "+-.".contains($0) }),
            !trimmed[..<colon].isEmpty
        else { throw fail("is not an absolute URL; it must start with https://") }
        let scheme = trimmed[..<colon].lowercased()
        guard scheme == "https" else {
            throw fail(scheme == "http" ? "must use https://, not http://" : "must start with https:// (not \"\(scheme):\")")
        }
        let afterScheme = trimmed[trimmed.index(after: colon)...]
        guard afterScheme.hasPrefix("//") else { throw fail("must start with https:// followed by a host") }
        let rest = afterScheme.dropFirst(2)
        let authorityEnd = rest.firstIndex(where: { "/?#".contains($0) }) ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        let tail = rest[authorityEnd...]
        if authority.contains("@") { throw fail("must not carry a user name or password before the host") }

        var hostPart = Substring(authority)
        var port: Int?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { throw fail("has an unclosed \"[\" in its host") }
            hostPart = authority[...close]
            let ipv6 = authority[authority.index(after: authority.startIndex)..<close]
            guard !ipv6.isEmpty, ipv6.contains(":"), ipv6.allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." }) else {
                throw fail("has a malformed IPv6 host")
            }
            let afterHost = authority[authority.index(after: close)...]
            if !afterHost.isEmpty {
                guard afterHost.hasPrefix(":") else { throw fail("has text after its IPv6 host") }
                port = try Self.port(afterHost.dropFirst(), fail: fail)
            }
        } else if let portColon = authority.lastIndex(of: ":") {
            hostPart = authority[..<portColon]
            port = try Self.port(authority[authority.index(after: portColon)...], fail: fail)
        }
        guard !hostPart.isEmpty else { throw fail("has no host after https://") }
        let host = hostPart.lowercased()
        if !host.hasPrefix("[") {
            let labels = host.split(separator: ".", omittingEmptySubsequences: false)
            for label in labels {
                guard !label.isEmpty else { throw fail("has an empty label in its host (two dots in a row, or one at an end)") }
                guard label.utf8.count <= 63, label.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" }),
                    !label.hasPrefix("-"), !label.hasSuffix("-")
                else { throw fail("has a host that is not a valid name (letters, digits, hyphens and dots)") }
            }
            guard host.utf8.count <= 253 else { throw fail("has a host longer than 253 octets") }
        }
        let normalized = "https://" + host + (port.map { ":\($0)" } ?? "") + tail
        guard URL(string: normalized) != nil else { throw fail("is not a URL Foundation can read") }
        self.value = normalized
        self.host = host
        self.port = port
    }

    /// The URL as Foundation's type.
    public var url: URL {
        // `init` checked that Foundation reads `value`; the fallback is never taken.
        URL(string: value) ?? URL(fileURLWithPath: "/")
    }

    /// The URL text.
    public var description: String { value }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do {
            self = try HTTPSURL(text, field: decoder.codingPath.last?.stringValue ?? "link")
        } catch {
            throw DecodingError.dataCorrupted(DecodingError.Context(codingPath: decoder.codingPath, debugDescription: error.message))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(value)
    }

    private static func isHex(_ b: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(b) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(b)
            || (UInt8(ascii: "A")...UInt8(ascii: "F")).contains(b)
    }

    private static func port(_ text: Substring, fail: (String) -> InputError) throws(InputError) -> Int {
        guard !text.isEmpty, text.count <= 5, text.allSatisfy(\.isASCII), text.allSatisfy(\.isNumber), let n = Int(text), (1...65535).contains(n) else {
            throw fail("has a port that is not a number from 1 to 65535")
        }
        return n
    }
}
