import Foundation
import Testing

@testable import RetreatICal

/// `retreat notify` end to end: the binary hands each queued message to msmtp, which delivers it over SMTP to a
/// real server on loopback (aiosmtpd, `Tests/RetreatMailTests/Harness/smtp_sink.py`); Python's email package
/// parses what arrived, and the shared validator checks every calendar part.
enum MailTools {
    static let python = repoRoot.appendingPathComponent(".build/mail-venv/bin/python").path
    static let sinkScript = repoRoot.appendingPathComponent("Tests/RetreatMailTests/Harness/smtp_sink.py").path
    static let parseScript = repoRoot.appendingPathComponent("Tests/RetreatMailTests/Harness/parse_mail.py").path
    static let msmtp: String? = ["/usr/bin/msmtp", "/usr/local/bin/msmtp"].first { FileManager.default.isExecutableFile(atPath: $0) }

    /// Why the round trip cannot run here, or nil.
    static let missing: String? = {
        if msmtp == nil { return "msmtp is not installed (run `make mail-deps`)" }
        if !FileManager.default.isExecutableFile(atPath: python) { return "aiosmtpd's venv .build/mail-venv is missing (run `make mail-deps`)" }
        return nil
    }()

    static func skipNote(_ test: String, _ reason: String?) -> Bool {
        guard let reason else { return true }
        print("SKIPPED \(test): \(reason)")
        return false
    }
}

/// The loopback SMTP server, writing each message to `folder/msg-NNN.eml`.
final class Sink {
    let process = Process()
    let input = Pipe()
    let output = Pipe()
    let port: Int
    let folder: String

    init(folder: String) throws {
        self.folder = folder
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        process.executableURL = URL(fileURLWithPath: MailTools.python)
        process.arguments = [MailTools.sinkScript, folder, "300"]
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
            throw NSError(domain: "the SMTP sink did not start: \(text)", code: 1)
        }
        self.port = port
    }

    /// Stops the server (closing its input) and waits for it.
    func stop() {
        try? input.fileHandleForWriting.close()
        _ = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
    }

    /// The messages received so far, by file name.
    func files() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".eml") }.sorted().map { "\(folder)/\($0)" }
    }

    /// The `$RETREAT_SENDMAIL` that reaches this server through msmtp (an rc file written mode 0600 beside it).
    func sendmail(in dir: URL) throws -> String {
        let rc = dir.appendingPathComponent("msmtprc").path
        try Data("account default\nhost 127.0.0.1\nport \(port)\nauth off\ntls off\ntimeout 20\nsyslog off\n".utf8).write(to: URL(fileURLWithPath: rc))
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: rc)
        return "'\(MailTools.msmtp ?? "msmtp")' -C '\(rc)' -t --read-envelope-from"
    }
}

/// One message as parse_mail.py read it.
struct Received: Decodable {
    struct Box: Decodable, Equatable {
        var name: String
        var address: String
    }
    struct Part: Decodable {
        var contentType: String
        var params: [String: String]
        var transferEncoding: String
        var defects: [String]
        var text: String?
        var file: String?
    }
    struct Envelope: Decodable {
        var mailFrom: String?
        var rcptTos: [String]?
    }
    var file: String
    var envelope: Envelope
    var headerNames: [String]
    var from: [Box]
    var to: [Box]
    var subject: String
    var messageId: String
    var defects: [String]
    var parts: [Part]
    var rawHasBareLf: Bool
    var maxLineOctets: Int

    static func parse(_ files: [String]) throws -> [Received] {
        guard !files.isEmpty else { return [] }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: MailTools.python)
        p.arguments = [MailTools.parseScript] + files
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode([Received].self, from: data)
    }
}

/// The outbox as `retreat outbox list --json` shows it.
struct OutboxRow: Decodable {
    var id: Int
    var kind: String
    var owner: String
    var method: String?
    var sequence: Int?
    var status: String
    var attempts: Int
    var messageID: String?
}

extension Sandbox {
    func outbox() throws -> [OutboxRow] {
        let r = try run(["outbox", "list", "--json"])
        return try JSONDecoder().decode([OutboxRow].self, from: Data(r.out.utf8))
    }

    /// A store whose practice file also says who sends ([mail] from) and when reminders go.
    static func withMail() throws -> Sandbox {
        let box = try Sandbox(initialise: false)
        let practice = try String(contentsOf: repoRoot.appendingPathComponent("Fixtures/practice.toml"), encoding: .utf8)
        let config = box.dir.appendingPathComponent("practice.toml")
        let mail = "\n[mail]\nfrom = \"Retreat Intensives <hello@retreat.example.org>\"\nreplyTo = \"care@retreat.example.org\"\nreminderHours = 24\n"
        try Data((practiceWithoutMail(practice) + mail).utf8).write(to: config)
        let r = try box.run(["init", "--config", config.path, "--modules", repoRoot.appendingPathComponent("Fixtures/agenda-modules.toml").path])
        guard r.code == 0 else { throw NSError(domain: "init failed: \(r.err)", code: Int(r.code)) }
        return box
    }
}

/// The practice file without its `[mail]` table (the tests write their own).
func practiceWithoutMail(_ text: String) -> String {
    guard let start = text.range(of: "\n[mail]\n") else { return text }
    let rest = text[start.upperBound...]
    let end = rest.range(of: "\n[")?.lowerBound ?? text.endIndex
    return String(text[..<start.lowerBound]) + "\n" + String(text[end...])
}

@Suite(.serialized) struct NotifyTests {
    static let contact = "\"Müller, Zoë\" <zoe@example.com>, Jo Smith <jo.smith@example.net>"

    @Test(.enabled(if: MailTools.skipNote("NotifyTests.invitationsArriveAsMailACalendarActsOn", MailTools.missing), "needs make mail-deps"))
    func invitationsArriveAsMailACalendarActsOn() throws {
        let box = try Sandbox.withMail()
        defer { box.cleanup() }
        #expect(try box.run(["book", "--couple", "Zoë & Jo", "--start", "2027-01-11", "--contact", Self.contact, "--priority", "affair-recovery"]).code == 0)
        #expect(try box.run(["intake", "B0001", "--partner", "A", "--safety", "passed"]).code == 0)
        #expect(try box.run(["intake", "B0001", "--partner", "B", "--safety", "passed"]).code == 0)
        #expect(try box.run(["intake", "B0001", "--affair-ended", "yes", "--hurt-partner", "B"]).code == 0)
        #expect(try box.run(["agenda", "B0001"]).code == 0)
        let series = try box.run([
            "sessions", "book", "--couple", "Ann & Bo", "--start", "2027-03-01T12:00", "--length", "50", "--every", "week", "--count", "6",
            "--partner-zone", "Europe/London", "--link", "https://video.example.org/r/ann", "--contact", "ann@example.org, bo@example.org",
        ])
        #expect(series.code == 0, "\(series.err)")
        #expect(try box.run(["cancel", "B0001"]).code == 0)  // queued after the invitation: REQUEST then CANCEL
        let sink = try Sink(folder: box.dir.appendingPathComponent("inbox").path)
        let env = ["RETREAT_SENDMAIL": try sink.sendmail(in: box.dir)]
        // Before: the REQUEST was superseded by nothing (it was never sent, so the cancellation drops it).
        let queued = try box.outbox()
        #expect(queued.filter { $0.status == "queued" }.map(\.owner) == ["S0001"])
        #expect(try box.run(["book", "--couple", "Zoë & Jo", "--start", "2027-01-18", "--contact", Self.contact]).code == 0)
        let run = try box.run(["notify"], env: env)
        #expect(run.code == 0, "\(run.err)")
        #expect(run.out.contains("2 sent, 0 to retry, 0 held, 0 dropped"), "\(run.out)")
        // A day before the first session: its reminder, plain text, times in both partners' zones.
        var later = env
        later["RETREAT_NOW"] = "2027-02-28T18:00:00Z"
        let reminderRun = try box.run(["notify"], env: later)
        #expect(reminderRun.out.contains("1 sent, 0 to retry"), "\(reminderRun.out)")
        sink.stop()
        var received = try Received.parse(try sink.files())
        try #require(received.count == 3)
        let reminder = received.removeLast()
        #expect(reminder.defects.isEmpty && !reminder.rawHasBareLf)
        #expect(reminder.parts.map(\.contentType) == ["text/plain"])
        #expect(reminder.subject == "Reminder: your counseling session, Monday 1 March 2027")
        #expect(reminder.to.map(\.address) == ["ann@example.org", "bo@example.org"])
        let reminderText = reminder.parts.first?.text ?? ""
        #expect(reminderText.contains("Monday 1 March 2027, 12:00–12:50 New York time (America/New_York); 17:00–17:50 London time (Europe/London)"))
        #expect(reminderText.contains("Join: https://video.example.org/r/ann"))
        let rows = try box.outbox().filter { $0.status == "sent" }
        #expect(Set(received.map(\.messageId) + [reminder.messageId]) == Set(rows.compactMap { $0.messageID.map { "<\($0)>" } }))
        var calendars: [String] = []
        for got in received {
            #expect(got.defects.isEmpty && !got.rawHasBareLf && got.maxLineOctets <= 78)
            #expect(Set(got.headerNames) == ["From", "To", "Reply-To", "Subject", "Date", "Message-ID", "MIME-Version", "Content-Type"])
            #expect(got.from == [Received.Box(name: "Retreat Intensives", address: "hello@retreat.example.org")])
            #expect(got.envelope.mailFrom == "hello@retreat.example.org")
            #expect(got.parts.map(\.contentType) == ["multipart/mixed", "multipart/alternative", "text/plain", "text/calendar", "application/ics"])
            let plain = try #require(got.parts.first { $0.contentType == "text/plain" }?.text)
            let calendarPart = try #require(got.parts.first { $0.contentType == "text/calendar" })
            #expect(calendarPart.params["method"] == "REQUEST")
            let ics = try #require(calendarPart.text)
            let parsed = try ICalendar(parsing: ics)
            #expect(Set(parsed.events.map(\.uid)).count == 1, "one UID per message")
            #expect(parsed.method == .request)
            calendars += [calendarPart.file].compactMap { $0 }
            for secret in ["affair", "Affair", "safety", "disclosure", "Ann & Bo"] where got.to.contains(where: { $0.address == "zoe@example.com" }) {
                #expect(!plain.contains(secret) && !ics.contains(secret), "the couple's mail reveals \(secret)")
            }
            if got.to.contains(where: { $0.address == "zoe@example.com" }) {
                #expect(got.to == [Received.Box(name: "Müller, Zoë", address: "zoe@example.com"), Received.Box(name: "Jo Smith", address: "jo.smith@example.net")])
                #expect(got.envelope.rcptTos == ["zoe@example.com", "jo.smith@example.net"])
                #expect(got.subject == "Invitation: your intensive, Monday 18 January 2027 to Wednesday 20 January 2027")
                #expect(plain.contains("Dear Zoë & Jo,"))
                #expect(plain.contains("Times are New York time (America/New_York)."))
                #expect(parsed.events.first?.uid == "intensive-b0002-invite@retreat")
            } else {
                #expect(got.subject == "Invitation: your counseling sessions from Monday 1 March 2027")
                #expect(plain.contains("Monday 1 March 2027, 12:00–12:50 New York time (America/New_York); 17:00–17:50 London time (Europe/London)"))
                #expect(plain.contains("Monday 15 March 2027, 12:00–12:50 New York time (America/New_York); 16:00–16:50 London time (Europe/London)"))
                #expect(parsed.events.first?.url == "https://video.example.org/r/ann")
            }
        }
        // Every calendar part as received passes the independent validator.
        if let reason = IndependentValidator.missing {
            print("NotifyTests: the independent validator was skipped: \(reason)")
        } else {
            let result = try IndependentValidator.check(calendars)
            #expect(result.code == 0, "ics-validate.py refused a mailed calendar:\n\(result.output)")
        }
        // Nothing is left; a second run sends nothing.
        #expect(try box.run(["notify"], env: env).out.contains("0 sent"))
    }

    @Test(.enabled(if: MailTools.skipNote("NotifyTests.aKilledNotifyLosesNothing", MailTools.missing), "needs make mail-deps"))
    func aKilledNotifyLosesNothing() throws {
        let box = try Sandbox.withMail()
        defer { box.cleanup() }
        // 18 invitations: nine intensives and nine counseling series.
        var starts: [String] = []
        var day = CalendarDayText(2027, 1, 4)
        while starts.count < 9 {
            starts.append(day.text)
            day = day.adding(7)
        }
        for (i, start) in starts.enumerated() {
            #expect(try box.run(["book", "--couple", "C\(i)", "--start", start, "--contact", "c\(i)@example.org"]).code == 0)
        }
        for i in 0..<9 {
            let r = try box.run([
                "sessions", "book", "--couple", "S\(i)", "--start", "2027-04-\(["05", "06", "07", "08", "12", "13", "14", "15", "19"][i])T1\(i % 5):00",
                "--length", "50", "--every", "month", "--count", "3", "--contact", "s\(i)@example.org",
            ])
            #expect(r.code == 0, "\(r.err)")
        }
        let queued = try box.outbox().filter { $0.status == "queued" }
        #expect(queued.count == 18)
        let sink = try Sink(folder: box.dir.appendingPathComponent("inbox").path)
        defer { sink.stop() }
        let env = ["RETREAT_SENDMAIL": try sink.sendmail(in: box.dir)]
        // Kill runs at random points until one finishes on its own or 12 kills were made.
        var kills = 0
        var delays: [Int] = []
        for _ in 0..<12 {
            let p = box.start(["notify"], env: env)
            try p.run()
            let delay = Int.random(in: 5...400)
            delays.append(delay)
            usleep(UInt32(delay * 1000))
            if p.isRunning {
                kill(p.processIdentifier, SIGKILL)
                kills += 1
            }
            p.waitUntilExit()
        }
        usleep(300_000)  // msmtp processes orphaned by a kill finish on their own
        let final = try box.run(["notify"], env: env)
        #expect(final.code == 0, "\(final.err)")
        let rows = try box.outbox()
        #expect(rows.filter { $0.kind == "invitation" }.allSatisfy { $0.status == "sent" || $0.status == "dropped" }, "\(rows.map(\.status))")
        let expected = Set(rows.filter { $0.status == "sent" }.compactMap(\.messageID).map { "<\($0)>" })
        #expect(expected.count == 18)
        usleep(300_000)
        let received = try Received.parse(try sink.files())
        let ids = received.map(\.messageId)
        let distinct = Set(ids)
        #expect(distinct == expected, "every queued message arrives: missing \(expected.subtracting(distinct).count)")
        let duplicates = ids.count - distinct.count
        // A duplicate can only come from a kill after the mail server accepted a message and before the store
        // recorded it; it carries the same Message-ID and the same bytes.
        #expect(duplicates <= kills)
        var bodies: [String: Data] = [:]
        for got in received {
            let data = try Data(contentsOf: URL(fileURLWithPath: got.file))
            if let earlier = bodies[got.messageId] { #expect(earlier == data, "a resent message differs from the first copy") }
            bodies[got.messageId] = data
        }
        let attempts = rows.map(\.attempts).reduce(0, +)
        print(
            "NotifyTests.aKilledNotifyLosesNothing: \(kills) kills (delays ms: \(delays)), 18 queued, \(distinct.count) distinct Message-IDs received, \(ids.count) deliveries, \(duplicates) raw duplicate(s), \(attempts) attempts"
        )
    }

    @Test func aDryRunPrintsWhatWouldGoAndLeavesTheStoreAlone() throws {
        let box = try Sandbox.withMail()
        defer { box.cleanup() }
        #expect(try box.run(["book", "--couple", "Zoë & Jo", "--start", "2027-01-11", "--contact", Self.contact]).code == 0)
        let bytes = try box.fileBytes()
        let r = try box.run(["notify", "--dry-run", "--show"], env: ["RETREAT_NOW": "2027-01-10T15:00:00Z", "RETREAT_SENDMAIL": "/nonexistent/sendmail"])
        #expect(r.code == 0, "\(r.err)")
        #expect(r.out.contains("would send: #1 invitation REQUEST SEQUENCE 0 for B0001 to 2 recipient(s)"))
        #expect(r.out.contains("would queue: "))  // the reminder for the first day
        #expect(r.out.contains("From: Retreat Intensives <hello@retreat.example.org>"))
        #expect(r.out.contains("METHOD:REQUEST"))
        #expect(r.out.contains("dry run: 2 message(s) would go out now"))
        #expect(try box.fileBytes() == bytes)
        #expect(try box.outbox().map(\.status) == ["queued"])
        // A real run without a usable mail command sends nothing and says why.
        let broken = try box.run(["notify"], env: ["RETREAT_SENDMAIL": "/nonexistent/sendmail"])
        #expect(broken.code == 1)
        #expect(broken.err.contains("does not exist"))
    }

    @Test func mailSettingsCanBeChangedLater() throws {
        let box = try Sandbox()
        defer { box.cleanup() }
        #expect(try box.run(["book", "--couple", "A", "--start", "2027-01-11", "--contact", "a@example.org"]).code == 0)
        let capture = box.dir.appendingPathComponent("capture").path
        let script = box.dir.appendingPathComponent("capture-sendmail").path
        try Data("#!/bin/sh\ncat > \"$1\"\n".utf8).write(to: URL(fileURLWithPath: script))
        try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: script)
        let dry = try box.run(["settings", "set", "mail.from=Care Team <care@example.net>", "mail.reminderHours=48", "--dry-run"])
        #expect(dry.out.contains("mail.reminderHours: 24 → 48"), "\(dry.out)")
        #expect(try box.run(["settings", "--json"]).out.contains("\"reminderHours\" : 24"))
        for bad in ["mail.reminderHours=999", "mail.sendmail=msmtp | tee log", "mail.from=nobody"] {
            let r = try box.run(["settings", "set", bad])
            #expect(r.code == 64, "\(bad): \(r.err)")
        }
        let set = try box.run(["settings", "set", "mail.from=Care Team <care@example.net>", "mail.sendmail='\(script)' '\(capture)'"])
        #expect(set.code == 0, "\(set.err)")
        #expect(try box.run(["settings"]).out.contains("from Care Team <care@example.net>"))
        let sent = try box.run(["notify"], env: ["RETREAT_SENDMAIL": ""])
        #expect(sent.code == 0, "\(sent.err)")
        let message = try String(contentsOfFile: capture, encoding: .utf8)
        #expect(message.contains("From: Care Team <care@example.net>\r\n"))
        #expect(message.contains("Content-Type: text/calendar; charset=UTF-8; method=REQUEST"))
        #expect(try box.run(["audit", "--json"]).out.contains("mail.from"))
    }

    @Test func twoRunsAtOnceDoNotBothSend() throws {
        let box = try Sandbox.withMail()
        defer { box.cleanup() }
        #expect(try box.run(["book", "--couple", "A", "--start", "2027-01-11", "--contact", "a@example.org"]).code == 0)
        // A mail command that takes a while keeps the first run busy while the second starts.
        let slow = box.dir.appendingPathComponent("slow-sendmail").path
        try Data("#!/bin/sh\ncat > /dev/null\nsleep 2\n".utf8).write(to: URL(fileURLWithPath: slow))
        try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: slow)
        let first = box.start(["notify"], env: ["RETREAT_SENDMAIL": slow])
        try first.run()
        usleep(700_000)
        let second = try box.run(["notify"], env: ["RETREAT_SENDMAIL": slow])
        first.waitUntilExit()
        #expect(second.code == 3)
        #expect(second.err.contains("another `retreat notify` is sending from this store"))
        #expect(first.terminationStatus == 0)
        #expect(try box.outbox().map(\.status) == ["sent"])
    }

    @Test func invitationFilesGoIntoAFolderOnePerMessage() throws {
        let box = try Sandbox()
        defer { box.cleanup() }
        #expect(try box.run(["book", "--couple", "Jo", "--start", "2027-01-11", "--contact", "jo@example.org", "--priority", "communication"]).code == 0)
        #expect(try box.run(["intake", "B0001", "--partner", "A", "--safety", "passed"]).code == 0)
        #expect(try box.run(["intake", "B0001", "--partner", "B", "--safety", "passed"]).code == 0)
        #expect(try box.run(["agenda", "B0001"]).code == 0)
        let dir = box.dir.appendingPathComponent("out").path
        let detailed = try box.run(["export", "B0001", "--invite", "--detailed", "--out", dir])
        #expect(detailed.code == 64)
        #expect(detailed.err.contains("--detailed cannot go with --invite"))
        #expect(try box.run(["export", "B0001", "--invite", "--out", dir]).code == 0)
        let files = try FileManager.default.contentsOfDirectory(atPath: dir)
        #expect(files == ["b0001-request.ics"])
        let text = try String(contentsOfFile: dir + "/b0001-request.ics", encoding: .utf8)
        #expect(Set(try ICalendar(parsing: text).events.map(\.uid)) == ["intensive-b0001-invite@retreat"])
        #expect(!text.contains("Serves:") && !text.lowercased().contains("communication"))
        var info = stat()
        #expect(stat(dir + "/b0001-request.ics", &info) == 0 && info.st_mode & 0o777 == 0o600)
        // A file where the folder should be, a symlink, an existing file without --force: refused in words.
        let file = box.dir.appendingPathComponent("plain.ics").path
        try Data("x".utf8).write(to: URL(fileURLWithPath: file))
        #expect(try box.run(["export", "B0001", "--invite", "--out", file]).err.contains("is not a folder"))
        let link = box.dir.appendingPathComponent("link").path
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: dir)
        #expect(try box.run(["export", "B0001", "--invite", "--out", link]).err.contains("is a symbolic link"))
        #expect(try box.run(["export", "B0001", "--invite", "--out", dir]).err.contains("already exists; pass --force"))
        #expect(try box.run(["export", "B0001", "--invite", "--force", "--out", dir]).code == 0)
        #expect(try box.run(["export", "B0001", "--out", file]).err.contains("already exists; pass --force"))
        #expect(try String(contentsOfFile: file, encoding: .utf8) == "x")
        if let reason = IndependentValidator.missing {
            print("NotifyTests: the independent validator was skipped: \(reason)")
        } else {
            let result = try IndependentValidator.check([dir + "/b0001-request.ics"])
            #expect(result.code == 0, "\(result.output)")
        }
    }
}

/// Dates as text for building test bookings a week apart.
struct CalendarDayText {
    var days: Int

    init(_ y: Int, _ m: Int, _ d: Int) {
        var c = DateComponents()
        (c.year, c.month, c.day) = (y, m, d)
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = TimeZone(identifier: "UTC") ?? cal.timeZone
        days = Int((cal.date(from: c)?.timeIntervalSince1970 ?? 0) / 86_400)
    }

    init(days: Int) { self.days = days }

    func adding(_ n: Int) -> CalendarDayText { CalendarDayText(days: days + n) }

    var text: String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyy-MM-dd"
        return f.string(from: Date(timeIntervalSince1970: TimeInterval(days * 86_400)))
    }
}
