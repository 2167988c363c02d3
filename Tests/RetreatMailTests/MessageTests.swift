import Foundation
import Testing

@testable import RetreatMail
@testable import RetreatScheduling

/// Splits a rendered message into its header block (unfolded fields) and body.
func headerFields(_ message: String) -> [(name: String, value: String)] {
    let head = message.components(separatedBy: "\r\n\r\n").first ?? ""
    var fields: [(String, String)] = []
    for line in head.components(separatedBy: "\r\n") {
        if line.hasPrefix(" "), !fields.isEmpty {
            fields[fields.count - 1].1 += line
        } else if let colon = line.firstIndex(of: ":") {
            fields.append((String(line[..<colon]), String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces)))
        }
    }
    return fields
}

/// Decodes RFC 2047 `B` encoded-words separated by folding white space (what a mail client shows).
func decodeWords(_ value: String) -> String {
    var out = ""
    var pendingSpace = ""
    var previousWasEncoded = false
    for word in value.replacingOccurrences(of: "\r\n", with: "").split(separator: " ", omittingEmptySubsequences: false) {
        if word.hasPrefix("=?UTF-8?B?") && word.hasSuffix("?=") {
            let b64 = word.dropFirst(10).dropLast(2)
            let text = Data(base64Encoded: String(b64)).map { String(decoding: $0, as: UTF8.self) } ?? "<bad>"
            out += (previousWasEncoded ? "" : pendingSpace) + text
            previousWasEncoded = true
        } else {
            out += pendingSpace + word
            previousWasEncoded = false
        }
        pendingSpace = " "
    }
    return out
}

/// Decodes quoted-printable (RFC 2045) to bytes.
func decodeQuotedPrintable(_ text: String) -> [UInt8] {
    var out: [UInt8] = []
    let bytes = Array(text.utf8)
    var i = 0
    while i < bytes.count {
        if bytes[i] == UInt8(ascii: "=") {
            if i + 2 < bytes.count, bytes[i + 1] == 13, bytes[i + 2] == 10 {
                i += 3
                continue
            }
            if i + 2 < bytes.count, let v = UInt8(String(decoding: bytes[(i + 1)...(i + 2)], as: UTF8.self), radix: 16) {
                out.append(v)
                i += 3
                continue
            }
        }
        out.append(bytes[i])
        i += 1
    }
    return out
}

/// The MIME parts of a rendered message, split on its boundaries (a Swift-side reading; the round-trip
/// tests parse with Python's email package).
func parts(_ message: String, boundary: String) -> [String] {
    message.components(separatedBy: "--\(boundary)").dropFirst().filter { !$0.hasPrefix("--") }.map { String($0.dropFirst(1)) }  // "\r\n" is one Character
}

@Suite struct MessageTests {
    @Test func headersAreCompleteAndEncoded() throws {
        let rendered = try sampleMessage().render(seed: "outbox-1")
        let fields = headerFields(rendered.text)
        #expect(fields.map(\.name) == ["From", "To", "Subject", "Date", "Message-ID", "MIME-Version", "Content-Type"])
        let value = Dictionary(fields.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a })
        #expect(value["From"] == "Retreat Practice <hello@retreat.example.org>")
        #expect(decodeWords(value["To"] ?? "") == "Zoë Müller <zoe@example.com>, \"Smith, Jo\" <jo.smith@example.net>")
        #expect(value["To"]?.contains("=?UTF-8?B?") == true)
        #expect(decodeWords(value["Subject"] ?? "") == "Your intensive, 11–13 January — Zoë & Jo")
        #expect(value["Date"] == "Tue, 05 Jan 2027 15:00:00 +0000")
        #expect(value["Message-ID"] == "<\(rendered.messageID)>")
        #expect(rendered.messageID.hasSuffix("@retreat.example.org"))
        #expect(value["MIME-Version"] == "1.0")
        #expect(value["Content-Type"]?.hasPrefix("multipart/mixed; boundary=\"=_mix_") == true)
        #expect(rendered.recipients.map(\.addrSpec) == ["zoe@example.com", "jo.smith@example.net"])
        #expect(rendered.calendarUIDs == ["intensive-b1-day1@retreat"])
    }

    @Test func wireFormIsSevenBitCRLFWithShortLines() throws {
        for method in CalendarMethod.allCases {
            let text = try sampleMessage(method: method).render(seed: "x").text
            let bytes = Array(text.utf8)
            #expect(bytes.allSatisfy { $0 < 0x80 })
            for (i, b) in bytes.enumerated() where b == 10 { #expect(i > 0 && bytes[i - 1] == 13) }
            for (i, b) in bytes.enumerated() where b == 13 { #expect(i + 1 < bytes.count && bytes[i + 1] == 10) }
            for line in text.components(separatedBy: "\r\n") {
                #expect(line.utf8.count <= 78, "\(line)")
                #expect(line != ".", "a lone dot would end the message for a sendmail without -i")
                #expect(!line.hasPrefix("From "))
            }
        }
    }

    @Test func bodyPartsDecodeToExactlyWhatWasGiven() throws {
        let message = sampleMessage(method: .request)
        let text = try message.render(seed: "parts").text
        let outer = try #require(text.firstMatch(of: /boundary="(=_mix_[0-9a-f]+)"/)?.1)
        let inner = try #require(text.firstMatch(of: /boundary="(=_alt_[0-9a-f]+)"/)?.1)
        let mixed = parts(text, boundary: String(outer))
        #expect(mixed.count == 2)
        let alternative = parts(text, boundary: String(inner))
        #expect(alternative.count == 2)

        let plain = try #require(alternative.first)
        #expect(plain.hasPrefix("Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"))
        let qp = String(plain.split(separator: "\r\n\r\n", maxSplits: 1)[1])
        let decoded = String(decoding: decodeQuotedPrintable(qp), as: UTF8.self)
        #expect(decoded == message.text.replacingOccurrences(of: "\n", with: "\r\n") + "\r\n")

        let calendarPart = alternative[1]
        #expect(calendarPart.hasPrefix("Content-Type: text/calendar; charset=UTF-8; method=REQUEST\r\nContent-Transfer-Encoding: base64\r\n\r\n"))
        let b64 = calendarPart.split(separator: "\r\n\r\n", maxSplits: 1)[1].replacingOccurrences(of: "\r\n", with: "")
        #expect(Data(base64Encoded: b64).map { Array($0) } == Array(message.calendar.utf8), "CRLF and every octet preserved")

        let attachment = mixed[1]
        #expect(attachment.hasPrefix("Content-Type: application/ics; name=\"invite.ics\"\r\nContent-Disposition: attachment; filename=\"invite.ics\"\r\n"))
        // The boundaries never occur inside a part.
        for part in mixed { #expect(!part.contains(String(outer))) }
        for part in alternative { #expect(!part.contains(String(inner))) }
    }

    @Test func withoutAttachmentTheTopLevelIsAlternative() throws {
        let text = try sampleMessage(method: .cancel, attachment: nil).render(seed: "c").text
        #expect(text.contains("\r\nContent-Type: multipart/alternative; boundary=\"=_alt_"))
        #expect(!text.contains("multipart/mixed"))
        #expect(text.contains("Content-Type: text/calendar; charset=UTF-8; method=CANCEL\r\n"))
        #expect(!text.contains("application/ics"))
    }

    @Test func seedMakesIdentifiersStable() throws {
        let a = try sampleMessage().render(seed: "outbox-7")
        let b = try sampleMessage().render(seed: "outbox-7")
        let c = try sampleMessage().render(seed: "outbox-8")
        let r1 = try sampleMessage().render()
        let r2 = try sampleMessage().render()
        #expect(a.text == b.text)
        #expect(a.messageID != c.messageID)
        #expect(r1.messageID != r2.messageID)
        #expect(a.messageID.wholeMatch(of: /retreat\.[0-9a-f]{16}\.[0-9a-f]{16}@retreat\.example\.org/) != nil)
    }

    @Test func longAndNonASCIIHeadersFoldIntoValidEncodedWords() throws {
        let subjects = [
            String(repeating: "é", count: 200), String(repeating: "a", count: 200), String(repeating: "word ", count: 39) + "end",
            "👨‍👩‍👧‍👦 family 🇫🇷 \(String(repeating: "👍🏽", count: 30))", "Plain ASCII with =?UTF-8?B?SGk=?= inside",
            "BEGIN:VEVENT", "Bcc: spy@evil.org",
        ]
        for subject in subjects {
            var message = sampleMessage()
            message.subject = name(subject)
            let text = try message.render(seed: "s").text
            let fields = headerFields(text)
            let value = try #require(fields.first { $0.name == "Subject" }?.value)
            #expect(decodeWords(value) == subject, "\(value)")
            #expect(fields.filter { $0.name == "Subject" }.count == 1)
            #expect(!fields.contains { $0.name == "Bcc" })
            for word in value.split(separator: " ") where word.hasPrefix("=?") {
                #expect(word.count <= 75)
                let payload = Data(base64Encoded: String(word.dropFirst(10).dropLast(2)))
                #expect(payload.flatMap { String(data: $0, encoding: .utf8) } != nil, "each encoded-word holds whole UTF-8 characters")
            }
        }
    }

    /// Names and subjects that try to inject headers are valid one-line text: they can only ever land
    /// inside their own header, quoted or encoded, never start a new one.
    @Test func hostileButValidNamesStayInsideTheirHeader() throws {
        let hostile = ["Bcc: spy@evil.org", "Jo\" <spy@evil.org>, \"x", "=?UTF-8?B?QmNjOiBzcHk=?=", "a, b; c: d", "<spy@evil.org>", "\\\"", "BEGIN:VEVENT"]
        for text in hostile {
            let to = Mailbox(displayName: name(text), address: try EmailAddress("jo@example.net", field: "x"))
            var message = sampleMessage()
            message.to = [to]
            message.subject = name(text)
            let rendered = try message.render(seed: "h")
            let fields = headerFields(rendered.text)
            #expect(fields.map(\.name) == ["From", "To", "Subject", "Date", "Message-ID", "MIME-Version", "Content-Type"])
            #expect(rendered.recipients.map(\.addrSpec) == ["jo@example.net"])
            // The To value is the re-parsable mailbox: our own parser reads back one address.
            let toValue = try #require(fields.first { $0.name == "To" }?.value)
            if MIMEEncoding.isPlainHeaderText(text) {
                #expect(try Mailbox.list(toValue, field: "To").map(\.address.addrSpec) == ["jo@example.net"])
            }
        }
    }

    @Test func headerGateRefusesAnythingThatIsNotAFoldedField() {
        let bad = [
            "From: a@x.org\r\nBcc: spy@evil.org\r\n", "From: a@x.org\r\n\r\n", "From: a\u{1B}@x.org\r\n", "From: a@x.org\nTo: b@y.org\r\n",
            "From: a@x.org\r\n   \r\n", "From: a@x.org\r\nFrom: b@y.org\r\n", "From: a@x.org",
        ]
        for head in bad {
            #expect(throws: MailError.self) { try CalendarMessage.checkHeaderBlock(head) }
        }
        #expect(throws: Never.self) { try CalendarMessage.checkHeaderBlock("From: a@x.org\r\nTo: =?UTF-8?B?Wm/Dqw==?=\r\n <z@x.org>\r\n") }
    }

    @Test func refusesUnusableParts() {
        func error(_ change: (inout CalendarMessage) -> Void) -> MailError? {
            var message = sampleMessage()
            change(&message)
            do {
                _ = try message.render(seed: "e")
                return nil
            } catch {
                return error
            }
        }
        let cases: [(String, (inout CalendarMessage) -> Void)] = [
            ("has no recipient", { $0.to = [] }),
            ("says METHOD:REQUEST but the message is sent as CANCEL", { $0.method = .cancel }),
            (
                "carries 2 UIDs",
                {
                    $0.calendar = $0.calendar.replacingOccurrences(
                        of: "END:VEVENT\r\n", with: "END:VEVENT\r\n" + SampleCalendar.eventBlock(uid: "other@retreat"))
                }
            ),
            ("does not end in CRLF", { $0.calendar = $0.calendar.replacingOccurrences(of: "\r\n", with: "\n") }),
            ("has a line ending that is not CRLF", { $0.calendar = $0.calendar.replacingOccurrences(of: "VERSION:2.0\r\n", with: "VERSION:2.0\n") }),
            ("a carriage return that is not part of CRLF", { $0.calendar = $0.calendar.replacingOccurrences(of: "SUMMARY:", with: "SUMMARY:\r") }),
            ("an escape character", { $0.calendar = $0.calendar.replacingOccurrences(of: "SUMMARY:", with: "SUMMARY:\u{1B}[2J") }),
            ("has no METHOD", { $0.calendar = $0.calendar.replacingOccurrences(of: "METHOD:REQUEST\r\n", with: "") }),
            ("more than one VCALENDAR", { $0.calendar += $0.calendar }),
            ("not one VCALENDAR", { $0.calendar = "BEGIN:VEVENT\r\nEND:VEVENT\r\n" }),
            ("does not end in CRLF", { $0.calendar = String($0.calendar.dropLast(1)) }),
            ("plain-text part contains an escape character (U+001B) at character 3", { $0.text = "Hi\u{1B}[2J" }),
            ("plain-text part contains a carriage return", { $0.text = "Hi\r\nBcc: x" }),
            ("attachment name", { $0.attachmentName = "../invite.ics" }),
            ("attachment name", { $0.attachmentName = "invite\".ics" }),
            ("attachment name", { $0.attachmentName = "invite.exe" }),
        ]
        for (words, change) in cases {
            let e = error(change)
            #expect(e?.code == .invalidMessage, "\(words)")
            #expect(e?.message.contains(words) == true, "\(words) -> \(e?.message ?? "accepted")")
        }
        // PUBLISH may carry several events.
        #expect(
            error {
                $0.method = .publish; $0.calendar = SampleCalendar.publish()
            } == nil)
    }

    @Test func quotedPrintableKeepsEveryLineSafe() {
        var g = SystemRandomNumberGenerator()
        let pieces = ["a", " ", "\t", "=", ".", "From ", "é", "💙", "\n", "x", "=?", "\u{200B}"]
        for _ in 0..<500 {
            let text = (0..<Int.random(in: 0..<200, using: &g)).map { _ in pieces.randomElement(using: &g) ?? "" }.joined()
            let qp = MIMEEncoding.quotedPrintable(text)
            for line in qp.dropLast(1).components(separatedBy: "\r\n") {
                #expect(line.utf8.count <= 76)
                #expect(!line.hasSuffix(" ") && !line.hasSuffix("\t"))
                #expect(!line.hasPrefix(".") && !line.hasPrefix("From "))
            }
            #expect(decodeQuotedPrintable(qp) == Array((text.replacingOccurrences(of: "\n", with: "\r\n") + "\r\n").utf8))
        }
    }

    @Test func encodedWordsNeverSplitACharacter() {
        for text in ["é", String(repeating: "é", count: 100), String(repeating: "李", count: 50), "e\u{301}" + String(repeating: "\u{301}", count: 40)] {
            let words = MIMEEncoding.encodedWords(text)
            #expect(words.allSatisfy { $0.count <= 75 })
            let joined = words.map { String(decoding: Data(base64Encoded: String($0.dropFirst(10).dropLast(2))) ?? Data(), as: UTF8.self) }.joined()
            #expect(joined == text)
        }
    }

    @Test func dateIsRFC5322InUTC() {
        #expect(MIMEEncoding.rfc5322Date(Date(timeIntervalSince1970: 0)) == "Thu, 01 Jan 1970 00:00:00 +0000")
        #expect(MIMEEncoding.rfc5322Date(Date(timeIntervalSince1970: 1_835_000_000)) == "Thu, 24 Feb 2028 10:13:20 +0000")
    }

    /// The whole rendered message for a fixed calendar text, compared with `Golden/request.eml`
    /// (re-recorded with `RETREAT_RECORD_GOLDEN=1`).
    @Test func goldenRequest() throws {
        let calendar = [
            "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Retreat//Retreat Intensives//EN", "METHOD:REQUEST", "BEGIN:VEVENT",
            "UID:intensive-golden-day1@retreat", "DTSTAMP:20270105T150000Z", "DTSTART:20270111T140000Z", "DTEND:20270111T220000Z",
            "SEQUENCE:0", "SUMMARY:Your intensive\\, day 1", "ORGANIZER;CN=Retreat Practice:mailto:hello@retreat.example.org",
            "ATTENDEE;CN=Zoë Müller;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:zoe@example.com", "END:VEVENT", "END:VCALENDAR", "",
        ].joined(separator: "\r\n")
        let message = CalendarMessage(
            from: practice, to: [couple[0]], subject: name("Your intensive, 11 January — Zoë"), date: sentAt,
            text: "Dear Zoë,\n\nsee you on Monday.\n", calendar: calendar, method: .request, attachmentName: nil)
        let text = try message.render(seed: "golden").text
        let file = repoRoot.appendingPathComponent("Tests/RetreatMailTests/Golden/request.eml")
        if ProcessInfo.processInfo.environment["RETREAT_RECORD_GOLDEN"] == "1" {
            try Data(text.utf8).write(to: file)
        }
        let golden = try String(contentsOf: file, encoding: .utf8)
        #expect(text == golden)
    }
}

extension SampleCalendar {
    /// One more VEVENT block with another UID (to build a bad two-UID REQUEST).
    static func eventBlock(uid: String) -> String {
        "BEGIN:VEVENT\r\nUID:\(uid)\r\nDTSTAMP:20270105T150000Z\r\nDTSTART:20270112T140000Z\r\nSUMMARY:x\r\nEND:VEVENT\r\n"
    }
}
