import Foundation
import Testing

/// Every text that can reach an invitation, an e-mail or a terminal, tried with line breaks and control
/// characters where it enters: on the command line (exit 64, one line naming the option, store unchanged) and in
/// the practice file and the module catalog (`init` refuses, naming the key, and leaves no store).
@Suite(.serialized) struct InjectionTests {
    /// Payloads: a calendar line (CRLF), a header line (LF), a terminal escape, a bell, NEL, a Unicode line
    /// separator and a bidi override.
    static let payloads = [
        "x@y.org\r\nATTENDEE:mailto:spy@evil.org", "Jo\nBcc: spy@evil.org", "Jo\u{1B}[2J", "Jo\u{7}", "Jo\u{85}BEGIN:VEVENT", "Jo\u{2028}x",
        "Jo\u{202E}gro.live",
    ]

    /// Each option that carries text, with the rest of a valid command around it (`{}` marks the value).
    static let commands: [(args: [String], option: String)] = [
        (["book", "--couple", "{}", "--start", "2027-01-18"], "--couple"),
        (["book", "--couple", "A", "--start", "2027-01-18", "--contact", "{}"], "--contact"),
        (["edit", "B0001", "--couple", "{}"], "--couple"),
        (["edit", "B0001", "--contact", "{}"], "--contact"),
        (["cancel", "B0001", "--reason", "{}"], "--reason"),
        (["waitlist", "add", "--couple", "{}", "--from", "2027-02-01", "--to", "2027-02-28"], "--couple"),
        (["waitlist", "add", "--couple", "W", "--from", "2027-02-01", "--to", "2027-02-28", "--contact", "{}"], "--contact"),
        (["blackout", "add", "--from", "2027-03-01", "--to", "2027-03-01", "--reason", "{}"], "--reason"),
        (["pay", "B0001", "--amount", "10.00", "--note", "{}"], "--note"),
        (
            [
                "sessions", "book", "--couple", "{}", "--start", "2027-03-01T12:00", "--length", "50", "--every", "week", "--count", "2",
            ], "--couple"
        ),
        (
            [
                "sessions", "book", "--couple", "S", "--start", "2027-03-01T12:00", "--length", "50", "--every", "week", "--count", "2",
                "--contact", "{}",
            ], "--contact"
        ),
        (
            [
                "sessions", "book", "--couple", "S", "--start", "2027-03-01T12:00", "--length", "50", "--every", "week", "--count", "2",
                "--link", "https://video.example.org/{}",
            ], "--link"
        ),
        (
            [
                "sessions", "book", "--couple", "S", "--start", "2027-03-01T12:00", "--length", "50", "--every", "week", "--count", "2",
                "--partner-zone", "Europe/London{}",
            ], "--partner-zone"
        ),
        (["settings", "set", "resources=practice,{}"], "resource"),
        (["settings", "set", "mail.from=Practice <{}>"], "mail.from"),
        (["settings", "set", "mail.replyTo={}"], "mail.replyTo"),
        (["settings", "set", "mail.sendmail=msmtp -t {}"], "mail.sendmail"),
    ]

    @Test func everyTextOptionRefusesControlCharacters() throws {
        let box = try Sandbox()
        defer { box.cleanup() }
        #expect(try box.run(["book", "--couple", "Private Names", "--start", "2027-01-11", "--contact", "a@example.org"]).code == 0)
        let bytes = try box.fileBytes()
        var tried = 0
        for (args, option) in Self.commands {
            // Notes (staff-only reasons) may hold plain line breaks; every other control character is refused.
            let isNote = option == "--reason" || option == "--note"
            for payload in Self.payloads where !(isNote && payload == "Jo\nBcc: spy@evil.org") {
                let r = try box.run(args.map { $0.replacingOccurrences(of: "{}", with: payload) })
                tried += 1
                let shown = "`\(args.prefix(2).joined(separator: " ")) \(option)` with \(payload.debugDescription)"
                #expect(r.code == 64, "\(shown): exit \(r.code), \(r.err)")
                #expect(r.err.contains(option), "\(shown): \(r.err)")
                #expect(r.err.split(separator: "\n").count == 1, "\(shown): not one line: \(r.err)")
                #expect(!r.err.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x07 || $0.value == 0x0D }, "\(shown) reached the terminal raw")
                #expect(!r.err.contains("Private Names"))
            }
        }
        #expect(tried == Self.commands.count * Self.payloads.count - 3)
        #expect(try box.fileBytes() == bytes, "a refused value changed the store")
        // Nothing of it reached the outbox either: only the first booking's invitation is there.
        #expect(try box.outbox().count == 1)
    }

    /// Keys of the practice file that reach a calendar, an e-mail header or a mail command, each with a line
    /// break in it (TOML escapes, so the file itself is valid).
    static let configCases: [(section: String, key: String, value: String)] = [
        ("practice", "name", "Retreat\\r\\nMETHOD:CANCEL"),
        ("practice", "location", "Suite 2\\nATTENDEE:mailto:spy@evil.org"),
        ("practice", "organizerName", "Staff\\u001b[2J"),
        ("practice", "organizerEmail", "staff@example.org\\r\\nBcc: spy@evil.org"),
        ("mail", "from", "Retreat <hello@example.org>\\r\\nBcc: spy@evil.org"),
        ("mail", "replyTo", "care@example.org\\nBcc: spy@evil.org"),
        ("mail", "sendmail", "msmtp -t\\nrm -rf /"),
    ]

    @Test func thePracticeFileRefusesControlCharactersInWhatReachesMessages() throws {
        let practice = practiceWithoutMail(try String(contentsOf: repoRoot.appendingPathComponent("Fixtures/practice.toml"), encoding: .utf8))
        let modules = repoRoot.appendingPathComponent("Fixtures/agenda-modules.toml").path
        for c in Self.configCases {
            let box = try Sandbox(initialise: false)
            defer { box.cleanup() }
            var text = practice
            if c.section == "mail" {
                text += "\n[mail]\n\(c.key) = \"\(c.value)\"\n"
            } else {
                let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
                    line.hasPrefix("\(c.key) = ") ? "\(c.key) = \"\(c.value)\"" : String(line)
                }
                text = lines.joined(separator: "\n")
            }
            let file = box.dir.appendingPathComponent("practice.toml")
            try Data(text.utf8).write(to: file)
            let r = try box.run(["init", "--config", file.path, "--modules", modules])
            #expect(r.code != 0 && r.code < 128, "[\(c.section)] \(c.key): exit \(r.code)")
            #expect(r.err.contains("\(c.section).\(c.key)"), "[\(c.section)] \(c.key): \(r.err)")
            #expect(r.err.split(separator: "\n").count == 1)
            #expect(!FileManager.default.fileExists(atPath: box.db), "a refused practice file left a store behind")
        }
    }

    @Test func theModuleCatalogRefusesControlCharactersInTitles() throws {
        let catalog = try String(contentsOf: repoRoot.appendingPathComponent("Fixtures/agenda-modules.toml"), encoding: .utf8)
        for (key, hostile) in [("client_title", "Session\\r\\nATTENDEE:mailto:spy@evil.org"), ("title", "Listening\\u001b]0;owned\\u0007")] {
            let box = try Sandbox(initialise: false)
            defer { box.cleanup() }
            guard let range = catalog.range(of: "\n\(key) = \"") else {
                Issue.record("the catalog has no \(key)")
                continue
            }
            let end = catalog[range.upperBound...].firstIndex(of: "\n") ?? catalog.endIndex
            let text = catalog.replacingCharacters(in: range.lowerBound..<end, with: "\n\(key) = \"\(hostile)\"")
            let file = box.dir.appendingPathComponent("modules.toml")
            try Data(text.utf8).write(to: file)
            let r = try box.run(["init", "--config", repoRoot.appendingPathComponent("Fixtures/practice.toml").path, "--modules", file.path])
            #expect(r.code == 1, "\(key): \(r.err)")
            #expect(r.err.contains("`\(key)` contains"), "\(key): \(r.err)")
            #expect(!FileManager.default.fileExists(atPath: box.db))
        }
    }
}
