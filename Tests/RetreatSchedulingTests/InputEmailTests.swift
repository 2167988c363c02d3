import Foundation
import Testing

@testable import RetreatScheduling

private func refusal(_ text: String, list: Bool = false) -> InputError? {
    do {
        if list { _ = try Mailbox.list(text, field: "--contact") } else { _ = try Mailbox(text, field: "--contact") }
        return nil
    } catch {
        return error
    }
}

@Suite struct EmailAddressTests {
    @Test func acceptsAddrSpecs() throws {
        let a = try EmailAddress("Jo.Smith+retreat@Example.ORG", field: "x")
        #expect(a.localPart == "Jo.Smith+retreat")
        #expect(a.domain == "example.org")
        #expect(a.addrSpec == "Jo.Smith+retreat@example.org")
        #expect(try EmailAddress("  a_b-c!#$%&'*/=?^`{|}~@sub.example.co.uk ", field: "x").localPart == "a_b-c!#$%&'*/=?^`{|}~")
        #expect(try EmailAddress("jo@xn--mnchen-3ya.de", field: "x").domain == "xn--mnchen-3ya.de")
    }

    @Test func internationalisedDomainsBecomeALabels() throws {
        #expect(try EmailAddress("jo@münchen.de", field: "x").domain == "xn--mnchen-3ya.de")
        #expect(try EmailAddress("jo@BÜCHER.example", field: "x").domain == "xn--bcher-kva.example")
        #expect(try EmailAddress("jo@mu\u{308}nchen.de", field: "x").domain == "xn--mnchen-3ya.de", "NFC first")
        #expect(throws: InputError.self) { try EmailAddress("jo@mün★chen.de", field: "x") }
        #expect(throws: InputError.self) { try EmailAddress("jo@mün_chen.de", field: "x") }
    }

    /// RFC 3492 §7.1 sample strings.
    @Test func punycodeMatchesRFC3492() {
        let samples: [([UInt32], String)] = [
            (
                [0x644, 0x64A, 0x647, 0x645, 0x627, 0x628, 0x62A, 0x643, 0x644, 0x645, 0x648, 0x634, 0x639, 0x631, 0x628, 0x64A, 0x61F],
                "egbpdaj6bu4bxfgehfvwxn"
            ),
            ([0x4ED6, 0x4EEC, 0x4E3A, 0x4EC0, 0x4E48, 0x4E0D, 0x8BF4, 0x4E2D, 0x6587], "ihqwcrb4cv8a8dqg056pqjye"),
            ([0x4ED6, 0x5011, 0x7232, 0x4EC0, 0x9EBD, 0x4E0D, 0x8AAA, 0x4E2D, 0x6587], "ihqwctvzc91f659drss3x8bo0yb"),
            ([0x33, 0x5E74, 0x42, 0x7D44, 0x91D1, 0x516B, 0x5148, 0x751F], "3B-ww4c5e180e575a65lsy2b"),
            ([0x305D, 0x306E, 0x30B9, 0x30D4, 0x30FC, 0x30C9, 0x3067], "d9juau41awczczp"),
        ]
        for (scalars, expected) in samples {
            var text = String.UnicodeScalarView()
            text.append(contentsOf: scalars.compactMap(Unicode.Scalar.init))
            #expect(Punycode.encode(String(text)) == expected)
        }
        #expect(Punycode.encode("bücher") == "bcher-kva")
    }

    @Test func rfc5321Limits() throws {
        let local64 = String(repeating: "a", count: 64)
        #expect(try EmailAddress("\(local64)@x.org", field: "x").localPart == local64)
        #expect(throws: InputError.self) { try EmailAddress("\(local64)a@x.org", field: "x") }
        let label63 = String(repeating: "b", count: 63)
        #expect(try EmailAddress("a@\(label63).org", field: "x").domain.hasPrefix(label63))
        #expect(throws: InputError.self) { try EmailAddress("a@\(label63)b.org", field: "x") }
        // 4 labels of 61 + ".org" = 251 octets of domain; with a 2-octet local part the address is 254: accepted.
        let label61 = String(repeating: "c", count: 61)
        let domain = [label61, label61, label61, label61, "org"].joined(separator: ".")
        #expect(domain.utf8.count == 251)
        #expect(try EmailAddress("ab@\(domain)", field: "x").addrSpec.utf8.count == 254)
        do {
            _ = try EmailAddress("abc@\(domain)", field: "--contact")
            Issue.record("255-octet address accepted")
        } catch {
            #expect(error == InputError(.tooLong, field: "--contact", "the address is 255 octets long; at most 254 are allowed"))
        }
        #expect(throws: InputError.self) { try EmailAddress(String(repeating: "a", count: 100_000) + "@x.org", field: "x") }
    }

    @Test func mailtoURIPercentEncodesWhatRFC6068Requires() throws {
        #expect(try EmailAddress("jo+x@x.org", field: "x").mailtoURI == "mailto:jo+x@x.org")
        #expect(try EmailAddress("a%b?c#d/e@x.org", field: "x").mailtoURI == "mailto:a%25b%3Fc%23d%2Fe@x.org")
    }

    @Test func oneAddressOnly() {
        #expect(refusal("a@x.org, b@y.org")?.code == .multipleAddresses)
        #expect((try? EmailAddress("a@x.org; b@y.org", field: "x")) == nil)
    }
}

@Suite struct MailboxTests {
    @Test func parsesTheFormsPeopleType() throws {
        let cases: [(String, String?, String)] = [
            ("jo@x.org", nil, "jo@x.org"),
            ("<jo@x.org>", nil, "jo@x.org"),
            ("Jo Smith <jo@x.org>", "Jo Smith", "jo@x.org"),
            ("Jo Smith<jo@x.org>", "Jo Smith", "jo@x.org"),
            ("\"Smith, Jo\" <jo@x.org>", "Smith, Jo", "jo@x.org"),
            ("\"Jo \\\"JJ\\\" Smith\" <jo@x.org>", "Jo \"JJ\" Smith", "jo@x.org"),
            ("Dr. Jo Smith <jo@x.org>", "Dr. Jo Smith", "jo@x.org"),
            ("Zoë Müller <zoe@münchen.de>", "Zoë Müller", "zoe@xn--mnchen-3ya.de"),
            ("\"\" <jo@x.org>", nil, "jo@x.org"),
            ("  Jo   <  jo@x.org  >  ", "Jo", "jo@x.org"),
            ("\"BEGIN:VEVENT\" <jo@x.org>", "BEGIN:VEVENT", "jo@x.org"),
        ]
        for (text, name, address) in cases {
            let m = try Mailbox(text, field: "--contact")
            #expect(m.displayName?.value == name, "\(text)")
            #expect(m.address.addrSpec == address, "\(text)")
        }
    }

    @Test func refusesWithASentenceNamingFieldAndProblem() {
        let cases: [(String, InputError.Code, String)] = [
            (
                "x@y.org\r\nATTENDEE:mailto:spy@evil.org", .forbiddenCharacter,
                "the address contains a carriage return (U+000D) at character 8; it must be one line"
            ),
            ("x@y.org\nBcc: spy@evil.org", .forbiddenCharacter, "the address contains a line break (U+000A) at character 8"),
            ("\"Jo\r\nBcc: spy@evil.org\" <jo@x.org>", .forbiddenCharacter, "carriage return"),
            ("Jo\u{0} <jo@x.org>", .forbiddenCharacter, "a NUL character (U+0000) at character 3"),
            ("Jo \u{202E}gro.x <jo@x.org>", .forbiddenCharacter, "bidirectional override"),
            ("a@x.org, b@y.org", .multipleAddresses, "holds 2 addresses"),
            ("Smith, Jo <jo@x.org>", .multipleAddresses, "a name holding \",\" goes in double quotes"),
            ("Team: a@x.org;", .multipleAddresses, "give one"),
            ("jo", .malformedAddress, "the address has no \"@\" and domain (a bare name is not an address)"),
            ("jo@", .malformedAddress, "has no domain after \"@\""),
            ("@x.org", .malformedAddress, "has nothing before \"@\""),
            ("jo@localhost", .malformedAddress, "has a domain with no dot"),
            ("jo@x..org", .malformedAddress, "empty label"),
            ("jo@.x.org", .malformedAddress, "empty label"),
            ("jo@x.org.", .malformedAddress, "empty label"),
            ("jo@-x.org", .malformedAddress, "starting or ending with \"-\""),
            ("jo@x_y.org", .malformedAddress, "has \"_\" in its domain"),
            ("jo@x.123", .malformedAddress, "ending in a number"),
            ("jo@[192.0.2.1]", .malformedAddress, "address literal"),
            ("a@b@x.org", .malformedAddress, "more than one \"@\""),
            ("jo smith@x.org", .malformedAddress, "contains a space"),
            ("\"jo smith\"@x.org", .malformedAddress, "quoted local part"),
            ("jörg@x.org", .malformedAddress, "non-ASCII characters before \"@\""),
            (".jo@x.org", .malformedAddress, "a dot at the start or end"),
            ("j..o@x.org", .malformedAddress, "two dots in a row"),
            ("jo\"@x.org", .malformedAddress, "unclosed double quote"),
            ("Jo <jo@x.org", .malformedAddress, "no closing \">\""),
            ("Jo <jo@x.org> extra", .malformedAddress, "text after \">\""),
            ("Jo <a@x.org> <b@y.org>", .malformedAddress, "more than one \"<...>\""),
            ("jo@x.org (Jo)", .malformedAddress, "comment in parentheses"),
            ("Jo@Home <jo@x.org>", .malformedAddress, "has \"@\" in its name"),
            ("Jo: Max <jo@x.org>", .malformedAddress, "has \":\" in its name"),
            ("<>", .malformedAddress, "nothing between \"<\" and \">\""),
            ("\"Jo <jo@x.org>", .malformedAddress, "unclosed double quote"),
            ("jo@x.org>", .malformedAddress, "\">\" without \"<\""),
            (String(repeating: "N", count: 129) + " <jo@x.org>", .tooLong, "a name longer than 128 characters"),
            ("", .empty, "is empty"),
            ("   ", .empty, "is empty"),
        ]
        for (text, code, words) in cases {
            guard let error = refusal(text) else {
                Issue.record("accepted \(text.debugDescription)")
                continue
            }
            #expect(error.code == code, "\(text.debugDescription): \(error.message)")
            #expect(error.message.hasPrefix("--contact: "))
            #expect(error.message.contains(words), "\(text.debugDescription): \(error.message)")
            #expect(TextRules.firstForbidden(in: error.message) == nil)
            #expect(!error.message.contains("spy") && !error.message.contains("evil"), "no value echoed: \(error.message)")
        }
    }

    @Test(arguments: forbiddenCodePoints)
    func everyControlCharacterIsRefusedInEveryPart(code: UInt32) {
        let scalar = Unicode.Scalar(code) ?? "?"
        for text in ["J\(scalar)o <jo@x.org>", "\"J\(scalar)o\" <jo@x.org>", "Jo <j\(scalar)o@x.org>", "jo@x\(scalar).org", "jo@x.org\(scalar)"] {
            #expect(refusal(text)?.code == .forbiddenCharacter, "\(text.debugDescription)")
            #expect(refusal("a@x.org, " + text, list: true)?.code == .forbiddenCharacter)
        }
    }

    @Test func descriptionRoundTrips() throws {
        let names = ["Jo", "Jo Smith", "Smith, Jo", "Jo \"JJ\" Smith", "back\\slash", "Zoë & Max", "a  b", "(x)", "Jo.", "李", "BEGIN:VEVENT"]
        let address = try EmailAddress("jo@x.org", field: "x")
        for name in names {
            let m = Mailbox(displayName: try PlainName(name, field: "x"), address: address)
            let again = try Mailbox(m.description, field: "x")
            #expect(again == m, "\(m.description)")
        }
        #expect(Mailbox(displayName: try PlainName("Smith, Jo", field: "x"), address: address).description == "\"Smith, Jo\" <jo@x.org>")
        #expect(Mailbox(displayName: try PlainName("Jo Smith", field: "x"), address: address).description == "Jo Smith <jo@x.org>")
        let json = try JSONEncoder().encode([Mailbox(displayName: try PlainName("Smith, Jo", field: "x"), address: address)])
        #expect(try JSONDecoder().decode([Mailbox].self, from: json).first?.displayName?.value == "Smith, Jo")
    }
}

@Suite struct MailboxListTests {
    @Test func parsesMixedLists() throws {
        let list = try Mailbox.list("a@x.org, Name <b@y.org>; \"Smith, Jo\" <c@z.org>", field: "--contact")
        #expect(list.map(\.address.addrSpec) == ["a@x.org", "b@y.org", "c@z.org"])
        #expect(list.map { $0.displayName?.value } == [nil, "Name", "Smith, Jo"])
        #expect(try Mailbox.list("  solo@x.org ", field: "--contact").count == 1)
    }

    @Test func namesTheBadEntryByPosition() {
        let cases: [(String, InputError.Code, String)] = [
            ("a@x.org, b@y", .malformedAddress, "--contact: entry 2 of 2 has a domain with no dot"),
            ("a@x.org,, b@y.org", .empty, "--contact: entry 2 of 3 is empty"),
            ("a@x.org, b@y.org,", .empty, "--contact: entry 3 of 3 is empty"),
            ("a@x.org, Jo <A@X.ORG>", .multipleAddresses, "--contact: entry 2 of 2 repeats entry 1"),
            ("a@x.org, x@y.org\r\nATTENDEE:mailto:spy@evil.org", .forbiddenCharacter, "--contact: entry 2 of 2 contains a carriage return"),
            ("nobody", .malformedAddress, "--contact: the address has no \"@\""),
            ("", .empty, "--contact: is empty"),
            (" , ", .empty, "--contact: is empty"),
        ]
        for (text, code, prefix) in cases {
            guard let error = refusal(text, list: true) else {
                Issue.record("accepted \(text.debugDescription)")
                continue
            }
            #expect(error.code == code, "\(error.message)")
            #expect(error.message.hasPrefix(prefix), "\(error.message)")
            #expect(!error.message.contains("y.org") && !error.message.contains("spy"))
        }
    }

    @Test func capsTheCount() throws {
        let twenty = (1...20).map { "p\($0)@x.org" }.joined(separator: ", ")
        #expect(try Mailbox.list(twenty, field: "--contact").count == 20)
        #expect(refusal(twenty + ", p21@x.org", list: true)?.message == "--contact: holds 21 addresses; at most 20 are allowed")
    }

    /// Random mixtures of good entries and hostile fragments: a list is either refused or holds only
    /// addresses whose every part is free of control characters.
    @Test func randomListsNeverLetAControlCharacterThrough() {
        var g = SeededGenerator(seed: 5)
        let fragments = [
            "a@x.org", "Jo <b@y.org>", "\"S, J\" <c@z.org>", "\r\n", "\n", "ATTENDEE:mailto:spy@evil.org", ",", ";", "<", ">", "\"", "@", " ", "\u{1B}",
            "\u{202E}", "é", "BEGIN:VEVENT",
        ]
        for _ in 0..<3000 {
            let text = (0..<Int(g.next() % 8)).map { _ in fragments[Int(g.next() % UInt64(fragments.count))] }.joined()
            guard let list = try? Mailbox.list(text, field: "x") else { continue }
            for m in list {
                #expect(TextRules.firstForbidden(in: m.description) == nil)
                #expect(!m.address.addrSpec.contains(" "))
            }
        }
    }
}
