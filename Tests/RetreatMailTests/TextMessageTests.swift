import Foundation
import Testing

@testable import RetreatMail
@testable import RetreatScheduling

/// Reminders: one plain-text part under the same header rules as invitations.
@Suite struct TextMessageTests {
    func reminder(subject: String = "Reminder: your counseling session, Monday 1 March 2027") -> TextMessage {
        TextMessage(
            from: practice, to: couple, replyTo: mailbox("care@retreat.example.org"), subject: name(subject), date: sentAt,
            text: "Dear Zoë & Jo,\n\na reminder of your session:\n  Monday 1 March 2027, 12:00–12:50\n.\nJoin: https://video.example.org/r/1")
    }

    @Test func rendersOneQuotedPrintableTextPart() throws {
        let message = reminder()
        let rendered = try message.render(seed: "reminder-1")
        let fields = headerFields(rendered.text)
        #expect(fields.map(\.name) == ["From", "To", "Reply-To", "Subject", "Date", "Message-ID", "MIME-Version", "Content-Type", "Content-Transfer-Encoding"])
        #expect(fields.first { $0.name == "Content-Type" }?.value == "text/plain; charset=UTF-8")
        #expect(fields.first { $0.name == "Message-ID" }?.value == "<\(rendered.messageID)>")
        #expect(decodeWords(fields.first { $0.name == "Subject" }?.value ?? "") == message.subject.value)
        let body = rendered.text.components(separatedBy: "\r\n\r\n").dropFirst().joined(separator: "\r\n\r\n")
        #expect(String(decoding: decodeQuotedPrintable(body), as: UTF8.self).replacingOccurrences(of: "\r\n", with: "\n") == message.text + "\n")
        #expect(rendered.text.utf8.allSatisfy { $0 < 0x80 })
        #expect(rendered.calendarUIDs.isEmpty)
        #expect(rendered.recipients == couple.map(\.address))
        // The seed fixes the Message-ID: a retried reminder is the same message.
        #expect(try message.render(seed: "reminder-1") == rendered)
        #expect(try message.render(seed: "reminder-2").messageID != rendered.messageID)
    }

    @Test func refusesControlCharactersAndNoRecipient() {
        var hostile = reminder()
        hostile.text = "Dear Jo,\r\nBcc: spy@evil.org"
        #expect(throws: MailError.self) { try hostile.render() }
        var nobody = reminder()
        nobody.to = []
        #expect(throws: MailError.self) { try nobody.render() }
        // A subject that looks like a header stays inside the Subject field.
        let trap = reminder(subject: "x Bcc: spy@evil.org")
        #expect((try? trap.render())?.text.components(separatedBy: "\r\n").filter { $0.hasPrefix("Bcc") }.isEmpty == true)
    }
}

@Suite struct StopsWithCallerTests {
    /// Started through `setpriv --pdeathsig KILL`, the command still gets the whole message, its own
    /// arguments and exit status.
    @Test func theWrappedCommandBehavesAsItself() throws {
        let scratch = try Scratch("pdeathsig")
        defer { scratch.cleanup() }
        let out = scratch.path("received.eml")
        var transport = SendmailTransport(command: try SendmailCommand("sh -c 'cat > \"$1\"' sh '\(out)'"), timeout: 30)
        transport.stopsWithCaller = true
        let message = SendmailTransportTests.bigMessage
        try transport.send(message)
        #expect(Array(try Data(contentsOf: URL(fileURLWithPath: out))) == message.bytes)
        if SendmailTransport.deathSignalWrapper == nil { print("StopsWithCallerTests: setpriv --pdeathsig is not available; the command ran unwrapped") }
        transport.command = try SendmailCommand("sh -c 'cat >/dev/null; exit 75'")
        do {
            try transport.send(sampleMessageRendered())
            Issue.record("exit 75 counted as sent")
        } catch {
            #expect(error.exitStatus == 75 && error.isTemporary)
            #expect(error.message.hasPrefix("the mail command (sh) exited with status 75"))
        }
        transport.command = try SendmailCommand("/nonexistent/sendmail -t")
        #expect(throws: MailError.self) { try transport.preflight() }
    }
}
