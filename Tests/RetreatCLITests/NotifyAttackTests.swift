import Foundation
import Testing

/// What a hostile tester found in `retreat notify`, invitation files and option checks, run through the binary.
@Suite(.serialized) struct NotifyAttackTests {
    /// A mail command that reads the message and then takes a while, so a run stays busy.
    func slowSendmail(_ box: Sandbox) throws -> String {
        let slow = box.dir.appendingPathComponent("slow-sendmail").path
        try Data("#!/bin/sh\ncat > /dev/null\nsleep 2\n".utf8).write(to: URL(fileURLWithPath: slow))
        try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: slow)
        return slow
    }

    @Test func twoRunsThroughDifferentNamesOfOneStoreDoNotBothSend() throws {
        let box = try Sandbox.withMail()
        defer { box.cleanup() }
        #expect(try box.run(["book", "--couple", "A", "--start", "2027-01-11", "--contact", "a@example.org"]).code == 0)
        let link = box.dir.appendingPathComponent("link.sqlite").path
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: box.db)
        let slow = try slowSendmail(box)
        let first = box.start(["--db", link, "notify"], env: ["RETREAT_SENDMAIL": slow])
        let out = first.standardOutput as? Pipe
        try first.run()
        usleep(700_000)
        for name in [box.db, "./retreat.sqlite", "link.sqlite"] {
            let second = try box.run(["--db", name, "notify"], env: ["RETREAT_SENDMAIL": slow])
            #expect(second.code == 3, "\(name): \(second.out) \(second.err)")
            #expect(second.err.contains("another `retreat notify` is sending from this store"))
        }
        let printed = String(decoding: out?.fileHandleForReading.readDataToEndOfFile() ?? Data(), as: UTF8.self)
        first.waitUntilExit()
        #expect(first.terminationStatus == 0)
        #expect(printed.contains("1 sent, 0 to retry, 0 held, 0 dropped"), "\(printed)")
        #expect(try box.outbox().map(\.status) == ["sent"])
        #expect(!FileManager.default.fileExists(atPath: box.db + ".notify-lock"))
    }

    @Test func aDryRunAndTheRealRunAgreeOnAnEventAlreadyOver() throws {
        let box = try Sandbox.withMail()
        defer { box.cleanup() }
        #expect(try box.run(["book", "--couple", "A", "--start", "2027-01-11", "--contact", "a@example.org"]).code == 0)
        let late = ["RETREAT_NOW": "2027-02-01T12:00:00Z", "RETREAT_SENDMAIL": "/nonexistent/sendmail"]
        let dry = try box.run(["notify", "--dry-run"], env: late)
        #expect(dry.code == 0, "\(dry.err)")
        #expect(dry.out.contains("would drop: #1 invitation REQUEST SEQUENCE 0 for B0001"), "\(dry.out)")
        #expect(dry.out.contains("not sent: the intensive it is about has already ended"))
        #expect(dry.out.contains("dry run: 0 message(s) would go out now"))
        let capture = box.dir.appendingPathComponent("capture").path
        let real = try box.run(["notify"], env: ["RETREAT_NOW": "2027-02-01T12:00:00Z", "RETREAT_SENDMAIL": "sh -c 'cat > \(capture)'"])
        #expect(real.code == 0, "\(real.err)")
        #expect(real.out.contains("0 sent, 0 to retry, 0 held, 1 dropped"), "\(real.out)")
        #expect(!FileManager.default.fileExists(atPath: capture))
    }

    @Test func aSeriesContactAndLinkAreCorrectedWithSessionsEdit() throws {
        let box = try Sandbox()
        defer { box.cleanup() }
        let book = try box.run([
            "sessions", "book", "--couple", "Jo & Max", "--start", "2027-03-01T12:00", "--length", "50", "--every", "week", "--count", "4",
            "--contact", "jo@example.org", "--link", "https://video.example.org/r/1",
        ])
        #expect(book.code == 0, "\(book.err)")
        // The booking command refuses a series id and points at the right one.
        let wrong = try box.run(["edit", "S0001", "--contact", "max@example.org"])
        #expect(wrong.code != 0)
        let bad = try box.run(["sessions", "edit", "S0001", "--contact", "x@y.org\r\nATTENDEE:mailto:spy@evil.org"])
        #expect(bad.code == 64, "\(bad.err)")
        #expect(try box.run(["sessions", "edit", "S0001", "--link", "javascript:alert(1)"]).code == 64)
        #expect(try box.run(["sessions", "edit", "S0001"]).code == 64)
        let edited = try box.run(["sessions", "edit", "S0001", "--contact", "max@example.org", "--link", "https://video.example.org/r/2"])
        #expect(edited.code == 0, "\(edited.err)")
        #expect(edited.out.contains("edited series S0001"))
        #expect(try box.run(["sessions", "show", "S0001"]).out.contains("link: https://video.example.org/r/2"))
        let outbox = try box.outbox()
        #expect(outbox.map(\.status) == ["dropped", "queued"], "\(outbox)")  // the first invitation superseded, never sent
        #expect(try box.run(["audit", "--json"]).out.contains("series-edit"))
    }

    @Test func invitationFilesAndOptionValuesAreRefusedInWords() throws {
        let box = try Sandbox()
        defer { box.cleanup() }
        #expect(try box.run(["book", "--couple", "A", "--start", "2027-01-11", "--contact", "a@example.org"]).code == 0)
        #expect(try box.run(["book", "--couple", "B", "--start", "2027-01-18", "--contact", "b@example.org", "--hold"]).code == 0)
        let hold = try box.run(["export", "B0002", "--invite", "--out", box.dir.appendingPathComponent("inv").path])
        #expect(hold.code == 3, "\(hold.err)")
        #expect(hold.err.contains("a hold is not sent to the couple"))
        #expect(!FileManager.default.fileExists(atPath: box.dir.appendingPathComponent("inv").path))
        for args in [
            ["export", "B0001", "--out", ""], ["export", "B0001", "--invite", "--out", ""],
            ["freebusy", "--from", "2027-01-01", "--to", "2027-01-31", "--out", ""],
        ] {
            let r = try box.run(args)
            #expect(r.code == 64, "\(args): \(r.err)")
            #expect(r.err.contains("--out is empty"), "\(args): \(r.err)")
        }
        let folder = try box.run(["export", "B0001", "--out", "newdir/"])
        #expect(folder.code == 64, "\(folder.err)")
        #expect(folder.err.contains("names a folder; give a file name such as newdir/calendar.ics"), "\(folder.err)")
        let nested = try box.run(["export", "B0001", "--out", "deep/er/b1.ics"])
        #expect(nested.code == 0, "\(nested.err)")
        try Data("x".utf8).write(to: box.dir.appendingPathComponent("plain"))
        let underFile = try box.run(["export", "B0001", "--out", "plain/b1.ics"])
        #expect(underFile.code == 1)
        #expect(
            underFile.err.contains("a part of that path is a file, not a folder") || underFile.err.contains("exists and is not a folder"), "\(underFile.err)")
        for r in [hold, folder, underFile] {
            #expect(!r.err.contains("Domain") && !r.err.contains("NSCocoa") && r.err.split(separator: "\n").count == 1, "\(r.err)")
        }
        let until = try box.run([
            "sessions", "book", "--couple", "C", "--start", "2027-03-01T12:00", "--length", "50", "--every", "week", "--until", "2099-01-01",
        ])
        #expect(until.code == 64, "\(until.err)")
        for args in [
            ["outbox", "retry", "+1"], ["outbox", "retry", "0"], ["settings", "set", "mail.reminderHours=+5"], ["settings", "set", "intensiveDays=+3"],
        ] {
            let r = try box.run(args)
            #expect(r.code == 64, "\(args): \(r.err)")
        }
        #expect(try box.run(["settings", "set", "mail.reminderHours=5"]).code == 0)
    }
}
