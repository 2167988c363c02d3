import Foundation
import RetreatICal
import RetreatMail
import RetreatScheduling
import Testing

/// The real components the round-trip tests use, installed by `make mail-deps` and `make ics-validator`.
enum MailHarness {
    static let python = repoRoot.appendingPathComponent(".build/mail-venv/bin/python").path
    static let msmtp = which("msmtp")
    /// The shared validator, referenced where it lives (never copied into the repository).
    static let validator = repoRoot.appendingPathComponent("../shared/tools/ics-validate.py").standardizedFileURL.path
    static let validatorPython = repoRoot.appendingPathComponent(".build/icsval/bin/python").path
    static let licheck = repoRoot.appendingPathComponent(".build/licheck").path

    /// Why the SMTP round trip cannot run here, or nil.
    static let smtpMissing: String? = {
        if msmtp == nil { return "msmtp is not installed (run `make mail-deps`)" }
        if !FileManager.default.isExecutableFile(atPath: python) { return "aiosmtpd's venv .build/mail-venv is missing (run `make mail-deps`)" }
        return nil
    }()

    /// Why the validator cannot run here, or nil.
    static let validatorMissing: String? = {
        if let smtpMissing { return smtpMissing }
        if !FileManager.default.fileExists(atPath: validator) { return "../shared/tools/ics-validate.py is missing" }
        if !FileManager.default.isExecutableFile(atPath: validatorPython) || !FileManager.default.isExecutableFile(atPath: licheck) {
            return "the validator's venv .build/icsval or .build/licheck is missing (run `make ics-validator`)"
        }
        return nil
    }()

    /// Prints why a test is skipped (Swift Testing also reports it as skipped).
    static func skipNote(_ test: String, _ reason: String?) -> Bool {
        guard let reason else { return true }
        print("SKIPPED \(test): \(reason)")
        return false
    }
}

/// The loopback SMTP server (Harness/smtp_sink.py on aiosmtpd), started in a folder of its own.
final class SMTPSink {
    let process = Process()
    let input = Pipe()
    let output = Pipe()
    let port: Int

    init(folder: String) throws {
        process.executableURL = URL(fileURLWithPath: MailHarness.python)
        process.arguments = [harness.appendingPathComponent("smtp_sink.py").path, folder, "120"]
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        var text = ""
        while !text.contains("\n") {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            text += String(decoding: chunk, as: UTF8.self)
        }
        guard let line = text.split(separator: "\n").first, line.hasPrefix("PORT "), let port = Int(line.dropFirst(5)) else {
            process.terminate()
            throw SinkError(message: "the SMTP sink did not start: \(text)")
        }
        self.port = port
    }

    /// Closes the sink's input, which stops it; returns how many messages it stored.
    func stop() -> Int {
        try? input.fileHandleForWriting.close()
        let rest = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return rest.split(separator: "\n").compactMap { $0.hasPrefix("STOPPED ") ? Int($0.dropFirst(8)) : nil }.first ?? -1
    }

    struct SinkError: Error { var message: String }
}

/// One message as Python's email package read it (Harness/parse_mail.py).
struct ReceivedMessage: Decodable {
    struct Envelope: Decodable {
        var mailFrom: String?
        var rcptTos: [String]?
    }
    struct Box: Decodable, Equatable {
        var name: String
        var address: String
    }
    struct Part: Decodable {
        var contentType: String
        var params: [String: String]
        var disposition: String?
        var filename: String?
        var transferEncoding: String
        var defects: [String]
        var children: [String]?
        var text: String?
        var file: String?
    }
    var file: String
    var envelope: Envelope
    var headerNames: [String]
    var from: [Box]
    var to: [Box]
    var subject: String
    var dateEpoch: Double?
    var messageId: String
    var mimeVersion: String
    var contentType: String
    var defects: [String]
    var parts: [Part]
    var rawHasBareLf: Bool
    var maxLineOctets: Int
}

/// Sends `messages` through msmtp to a fresh sink, stops it, and parses what arrived.
func roundTrip(_ messages: [CalendarMessage], label: String) throws -> (rendered: [RenderedMessage], received: [ReceivedMessage], scratch: Scratch) {
    let scratch = try Scratch(label)  // the folder's name has spaces: the msmtp -C argument must survive quoting
    let inbox = scratch.path("inbox")
    try FileManager.default.createDirectory(atPath: inbox, withIntermediateDirectories: true)
    let sink = try SMTPSink(folder: inbox)
    var stopped = false
    defer { if !stopped { _ = sink.stop() } }

    let rc = scratch.path("msmtp rc")
    let config = "account default\nhost 127.0.0.1\nport \(sink.port)\nauth off\ntls off\ntimeout 20\nsyslog off\n"
    try Data(config.utf8).write(to: URL(fileURLWithPath: rc))
    try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: rc)
    let msmtp = MailHarness.msmtp ?? "msmtp"
    // The command as a person would write it in $RETREAT_SENDMAIL, quotes and all.
    let command = try SendmailCommand.resolve(
        environment: ["RETREAT_SENDMAIL": "'\(msmtp)' -C '\(rc)' -t --read-envelope-from"], configured: "sendmail -t -i")
    #expect(command.arguments == [msmtp, "-C", rc, "-t", "--read-envelope-from"])
    let transport = SendmailTransport(command: command, timeout: 60)

    var rendered: [RenderedMessage] = []
    for (i, message) in messages.enumerated() {
        let r = try message.render(seed: "\(label)-\(i)")
        try transport.send(r)
        rendered.append(r)
    }
    let stored = sink.stop()
    stopped = true
    #expect(stored == messages.count, "the sink stored \(stored) of \(messages.count) messages")

    let files = try FileManager.default.contentsOfDirectory(atPath: inbox).filter { $0.hasSuffix(".eml") }.sorted().map { "\(inbox)/\($0)" }
    let parsed = try runTool(MailHarness.python, [harness.appendingPathComponent("parse_mail.py").path] + files)
    guard parsed.status == 0 else { throw SMTPSink.SinkError(message: "parse_mail.py failed: \(parsed.err)") }
    let decoder = JSONDecoder()
    decoder.keyDecodingStrategy = .convertFromSnakeCase
    let received = try decoder.decode([ReceivedMessage].self, from: Data(parsed.out.utf8))
    return (rendered, received, scratch)
}

@Suite(.serialized) struct SMTPRoundTripTests {
    static var messages: [CalendarMessage] {
        var hostile = sampleMessage(method: .request, attachment: nil)
        let trap = "Bcc: spy@evil.org"
        hostile.to = [
            Mailbox(displayName: name("Jo\" <spy@evil.org>, \"x"), address: couple[1].address),
            Mailbox(displayName: name("Müller, Zoë <spy@evil.org>"), address: couple[0].address),
        ]
        hostile.subject = name(trap)
        hostile.calendar = SampleCalendar.request(uid: "intensive-b2-day1@retreat", attendees: hostile.to)
        return [sampleMessage(method: .request), sampleMessage(method: .cancel, attachment: nil), sampleMessage(method: .publish), hostile]
    }

    @Test(.enabled(if: MailHarness.skipNote("SMTPRoundTripTests.messagesArriveIntact", MailHarness.smtpMissing), "needs msmtp and aiosmtpd: make mail-deps"))
    func messagesArriveIntact() throws {
        let messages = Self.messages
        let (rendered, received, scratch) = try roundTrip(messages, label: "smtp round trip")
        defer { scratch.cleanup() }
        try #require(received.count == messages.count)
        for (i, got) in received.enumerated() {
            let sent = messages[i]
            let r = rendered[i]
            #expect(got.defects.isEmpty, "\(got.defects)")
            #expect(!got.rawHasBareLf)
            #expect(got.maxLineOctets <= 78)
            // Headers: exactly ours, decoded by an independent parser.
            #expect(Set(got.headerNames) == ["From", "To", "Subject", "Date", "Message-ID", "MIME-Version", "Content-Type"], "\(got.headerNames)")
            #expect(got.headerNames.count == 7)
            #expect(got.from == [ReceivedMessage.Box(name: "Retreat Practice", address: "hello@retreat.example.org")])
            #expect(got.to == sent.to.map { ReceivedMessage.Box(name: $0.displayName?.value ?? "", address: $0.address.addrSpec) })
            #expect(got.subject == sent.subject.value)
            #expect(got.dateEpoch == sent.date.timeIntervalSince1970)
            #expect(got.messageId == "<\(r.messageID)>")
            #expect(got.mimeVersion == "1.0")
            // The envelope: from the From header, to the To addresses and nobody else.
            #expect(got.envelope.mailFrom == "hello@retreat.example.org")
            #expect(got.envelope.rcptTos == sent.to.map(\.address.addrSpec))

            // Structure and both parts.
            let types = got.parts.map(\.contentType)
            if sent.attachmentName != nil {
                #expect(types == ["multipart/mixed", "multipart/alternative", "text/plain", "text/calendar", "application/ics"])
            } else {
                #expect(types == ["multipart/alternative", "text/plain", "text/calendar"])
            }
            for part in got.parts { #expect(part.defects.isEmpty) }
            let plain = try #require(got.parts.first { $0.contentType == "text/plain" })
            #expect(plain.params["charset"]?.lowercased() == "utf-8")
            #expect(plain.transferEncoding == "quoted-printable")
            // (The CRLF before a boundary belongs to the boundary, RFC 2046 §5.1.1: the text comes back as given.)
            #expect(plain.text?.replacingOccurrences(of: "\r\n", with: "\n") == sent.text)
            let calendar = try #require(got.parts.first { $0.contentType == "text/calendar" })
            #expect(calendar.params["method"] == sent.method.rawValue)
            #expect(calendar.params["charset"]?.lowercased() == "utf-8")
            #expect(calendar.text == sent.calendar, "the calendar arrives octet for octet, CRLF included")
            if let attachment = got.parts.first(where: { $0.contentType == "application/ics" }) {
                #expect(attachment.disposition == "attachment")
                #expect(attachment.filename == "invite.ics")
                #expect(attachment.text == sent.calendar)
            }
            // One UID per REQUEST or CANCEL, read back by libical.
            let parsed = try ICalendar(parsing: calendar.text ?? "")
            let uids = Set(parsed.events.map(\.uid))
            #expect(uids == Set(r.calendarUIDs))
            if sent.method != .publish { #expect(uids.count == 1) }
        }
        // The header-injection attempt reached only its own header.
        let hostile = try #require(received.last)
        #expect(hostile.subject == "Bcc: spy@evil.org")
        #expect(hostile.to.map(\.address) == ["jo.smith@example.net", "zoe@example.com"])
        #expect(hostile.to.map(\.name) == ["Jo\" <spy@evil.org>, \"x", "Müller, Zoë <spy@evil.org>"])
        #expect(!(hostile.envelope.rcptTos ?? []).contains("spy@evil.org"))
    }

    @Test(
        .enabled(
            if: MailHarness.skipNote("SMTPRoundTripTests.receivedCalendarsPassTheValidator", MailHarness.validatorMissing),
            "needs make mail-deps and make ics-validator"))
    func receivedCalendarsPassTheValidator() throws {
        let (_, received, scratch) = try roundTrip(Array(Self.messages.prefix(3)), label: "smtp validator")
        defer { scratch.cleanup() }
        let files = received.flatMap { $0.parts.compactMap(\.file) }
        #expect(files.count == 5)  // REQUEST and PUBLISH inline and attached, CANCEL inline
        var env = ProcessInfo.processInfo.environment
        env["LICHECK"] = MailHarness.licheck
        for file in files {
            let result = try runTool(MailHarness.validatorPython, [MailHarness.validator, file], environment: env)
            #expect(result.status == 0, "\(file):\n\(result.out)\(result.err)")
            #expect(!result.out.isEmpty || !result.err.isEmpty, "the validator said nothing")
            print("ics-validate \((file as NSString).lastPathComponent): \(result.out.split(separator: "\n").suffix(2).joined(separator: " | "))")
        }
    }

    /// With the server gone, msmtp cannot connect: the transport reports a temporary failure in msmtp's words.
    @Test(
        .enabled(if: MailHarness.skipNote("SMTPRoundTripTests.anUnreachableServerIsATemporaryFailure", MailHarness.smtpMissing), "needs msmtp: make mail-deps"))
    func anUnreachableServerIsATemporaryFailure() throws {
        let scratch = try Scratch("smtp down")
        defer { scratch.cleanup() }
        let inbox = scratch.path("inbox")
        try FileManager.default.createDirectory(atPath: inbox, withIntermediateDirectories: true)
        let sink = try SMTPSink(folder: inbox)
        let port = sink.port
        _ = sink.stop()  // the port is now closed
        let rc = scratch.path("msmtp rc")
        try Data("account default\nhost 127.0.0.1\nport \(port)\nauth off\ntls off\ntimeout 5\nsyslog off\n".utf8).write(to: URL(fileURLWithPath: rc))
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: rc)
        let transport = SendmailTransport(command: try SendmailCommand(arguments: [MailHarness.msmtp ?? "msmtp", "-C", rc, "-t", "--read-envelope-from"]))
        do {
            try transport.send(sampleMessageRendered())
            Issue.record("sent to a closed port")
        } catch {
            #expect(error.code == .exitStatus)
            #expect(error.exitStatus == 75)
            #expect(error.isTemporary)
            #expect(error.message.contains("cannot connect to 127.0.0.1"), "\(error.message)")
        }
    }
}
