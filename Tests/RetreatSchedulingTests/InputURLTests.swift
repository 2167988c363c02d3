import Foundation
import Testing

@testable import RetreatScheduling

@Suite struct HTTPSURLTests {
    @Test func acceptsAbsoluteHTTPSLinks() throws {
        let cases: [(String, String, String, Int?)] = [
            ("https://zoom.us/j/123456789?pwd=abc", "https://zoom.us/j/123456789?pwd=abc", "zoom.us", nil),
            ("HTTPS://Meet.Example.ORG/Room", "https://meet.example.org/Room", "meet.example.org", nil),
            ("https://example.org:8443/x#frag", "https://example.org:8443/x#frag", "example.org", 8443),
            ("https://[2001:db8::1]/room", "https://[2001:db8::1]/room", "[2001:db8::1]", nil),
            ("https://[2001:db8::1]:444", "https://[2001:db8::1]:444", "[2001:db8::1]", 444),
            ("https://meet.example.org/r%C3%A9union?a=1&b=2;c", "https://meet.example.org/r%C3%A9union?a=1&b=2;c", "meet.example.org", nil),
            ("  https://x.org  ", "https://x.org", "x.org", nil),
        ]
        for (text, value, host, port) in cases {
            let url = try HTTPSURL(text, field: "--link")
            #expect(url.value == value)
            #expect(url.host == host)
            #expect(url.port == port)
            #expect(url.url.absoluteString == value)
        }
    }

    @Test func refusesWithTheReason() {
        let cases: [(String, InputError.Code, String)] = [
            ("http://x.org/a", .malformedURL, "must use https://, not http://"),
            ("javascript:alert(1)", .malformedURL, "must start with https:// (not \"javascript:\")"),
            ("//x.org/a", .malformedURL, "is not an absolute URL"),
            ("x.org/a", .malformedURL, "is not an absolute URL"),
            ("https:x.org", .malformedURL, "followed by a host"),
            ("https://user:pw@x.org/", .malformedURL, "user name or password"),
            ("https://x.org/a b", .malformedURL, "contains a space"),
            ("https://x.org/\r\nATTENDEE:mailto:spy@evil.org", .forbiddenCharacter, "the link contains a carriage return (U+000D) at character 15"),
            ("https://x.org/\u{1B}[2J", .forbiddenCharacter, "escape character"),
            ("https://x.org/é", .malformedURL, "non-ASCII"),
            ("https://x.org/<script>", .malformedURL, "contains \"<\""),
            ("https://x.org/\"a\"", .malformedURL, "contains \"\"\""),
            ("https://x.org/%zz", .malformedURL, "\"%\" not followed by two hexadecimal digits"),
            ("https://x.org/%4", .malformedURL, "\"%\" not followed"),
            ("https://", .malformedURL, "has no host"),
            ("https:///path", .malformedURL, "has no host"),
            ("https://x..org", .malformedURL, "empty label"),
            ("https://x_y.org", .malformedURL, "not a valid name"),
            ("https://x.org:0", .malformedURL, "port"),
            ("https://x.org:99999", .malformedURL, "port"),
            ("https://x.org:", .malformedURL, "port"),
            ("https://x.org:8a", .malformedURL, "port"),
            ("https://[zz::1]/", .malformedURL, "IPv6"),
            ("https://[::1/", .malformedURL, "unclosed"),
            ("", .empty, "is empty"),
            ("https://x.org/" + String(repeating: "a", count: 2035), .tooLong, "2049 octets long; at most 2048"),
        ]
        for (text, code, words) in cases {
            do {
                let url = try HTTPSURL(text, field: "--link")
                Issue.record("accepted \(text.debugDescription) as \(url)")
            } catch {
                #expect(error.code == code, "\(text.debugDescription): \(error.message)")
                #expect(error.message.hasPrefix("--link: "))
                #expect(error.message.contains(words), "\(text.debugDescription): \(error.message)")
                #expect(!error.message.contains("spy"))
            }
        }
        #expect(throws: InputError.self) { try HTTPSURL("https://x.org/" + String(repeating: "a", count: 1_000_000), field: "--link") }
    }

    @Test(arguments: forbiddenCodePoints)
    func everyControlCharacterIsRefused(code: UInt32) {
        let scalar = Unicode.Scalar(code) ?? "?"
        #expect(throws: InputError.self) { try HTTPSURL("https://x.org/a\(scalar)b", field: "--link") }
        #expect(throws: InputError.self) { try HTTPSURL("https://x\(scalar).org/", field: "--link") }
    }

    @Test func decodingValidates() throws {
        struct Row: Codable { var link: HTTPSURL }
        #expect(try JSONDecoder().decode(Row.self, from: Data(#"{"link":"https://x.org/a"}"#.utf8)).link.value == "https://x.org/a")
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(Row.self, from: Data(#"{"link":"http://x.org/a"}"#.utf8)) }
    }
}
