import Foundation
import RetreatMail
import Testing

@Suite struct SendmailCommandTests {
    @Test func splitsLikeAShellWithoutBeingOne() throws {
        let cases: [(String, [String])] = [
            ("sendmail -t -i", ["sendmail", "-t", "-i"]),
            ("  msmtp\t-t  ", ["msmtp", "-t"]),
            ("msmtp -C '/etc/retreat/msmtp rc' -t", ["msmtp", "-C", "/etc/retreat/msmtp rc", "-t"]),
            ("msmtp -C \"/a b/\\\"rc\\\"\" -t", ["msmtp", "-C", "/a b/\"rc\"", "-t"]),
            ("a\\ b c", ["a b", "c"]),
            ("'it'\\''s'", ["it's"]),
            ("x '' y", ["x", "", "y"]),
            ("x \"a\\nb\"", ["x", "a\\nb"]),
            ("x '$HOME|*'", ["x", "$HOME|*"]),
            ("x a#b", ["x", "a#b"]),
            ("/usr/sbin/sendmail -f practice@example.org -t", ["/usr/sbin/sendmail", "-f", "practice@example.org", "-t"]),
        ]
        for (text, words) in cases {
            let command = try SendmailCommand(text)
            #expect(command.arguments == words, "\(text)")
            #expect(try SendmailCommand(command.description).arguments == words, "description re-parses: \(command.description)")
        }
    }

    @Test func refusesShellSyntaxAndBrokenQuoting() {
        let cases: [(String, String)] = [
            ("", "is empty"), ("   ", "is empty"), ("''", "is empty"),
            ("sendmail -t | tee log", "unquoted \"|\""), ("sendmail; rm -rf /", "unquoted \";\""), ("sendmail > /tmp/x", "unquoted \">\""),
            ("$HOME/bin/sendmail", "unquoted \"$\""), ("`which sendmail`", "unquoted \"`\""), ("sendmail -t &", "unquoted \"&\""),
            ("/usr/*/sendmail", "unquoted \"*\""), ("~/bin/sendmail", "starting with \"~\""), ("sendmail #comment", "starting with \"#\""),
            ("msmtp -C 'unclosed", "unclosed single quote"), ("msmtp \"unclosed", "unclosed double quote"), ("msmtp \\", "lone \"\\\""),
            ("sendmail\n-t", "a line break (U+000A)"), ("sendmail \u{1B}", "an escape character"),
        ]
        for (text, words) in cases {
            do {
                let command = try SendmailCommand(text)
                Issue.record("accepted \(text.debugDescription) as \(command.arguments)")
            } catch {
                #expect(error.code == .invalidCommand)
                #expect(error.message.contains(words), "\(text.debugDescription): \(error.message)")
            }
        }
    }

    @Test func resolvesEnvironmentThenConfigurationThenDefault() throws {
        let configured = "msmtp -C /etc/retreat/msmtprc -t"
        #expect(try SendmailCommand.resolve(environment: ["RETREAT_SENDMAIL": "/opt/mta -t"], configured: configured).arguments == ["/opt/mta", "-t"])
        #expect(try SendmailCommand.resolve(environment: ["RETREAT_SENDMAIL": "  "], configured: configured).arguments.first == "msmtp")
        #expect(try SendmailCommand.resolve(environment: [:], configured: configured).arguments.first == "msmtp")
        #expect(try SendmailCommand.resolve(environment: [:], configured: nil).arguments == ["sendmail", "-t", "-i"])
        #expect(try SendmailCommand.resolve(environment: [:], configured: "").arguments == ["sendmail", "-t", "-i"])
        do {
            _ = try SendmailCommand.resolve(environment: ["RETREAT_SENDMAIL": "sendmail | tee"], configured: configured)
            Issue.record("accepted a pipeline")
        } catch {
            #expect(error.message.hasPrefix("$RETREAT_SENDMAIL: the mail command has an unquoted \"|\""))
        }
        #expect(throws: MailError.self) { try SendmailCommand.resolve(environment: [:], configured: "msmtp 'x") }
        let transport = try SendmailTransport.resolved(configured: configured, environment: ["RETREAT_SENDMAIL": "/opt/mta -t"], timeout: 5)
        #expect(transport.command.arguments == ["/opt/mta", "-t"])
        #expect(transport.timeout == 5)
    }
}

@Suite struct SendmailTransportTests {
    /// A message big enough (about 300 KiB) that a pipe (64 KiB) cannot hold it: the program must really read it.
    static let bigMessage: RenderedMessage = {
        var message = sampleMessage()
        message.text = (0..<3_500).map { "Line \($0): the agenda of the day, with ünïcödé — and = signs." }.joined(separator: "\n")
        do { return try message.render(seed: "big") } catch { fatalError("\(error)") }
    }()

    func transport(_ command: String, timeout: Double = 30) throws(MailError) -> SendmailTransport {
        SendmailTransport(command: try SendmailCommand(command), timeout: timeout)
    }

    @Test func theProgramReceivesTheWholeMessageOnStandardInput() throws {
        let scratch = try Scratch("stdin")
        defer { scratch.cleanup() }
        let out = scratch.path("received.eml")
        let message = Self.bigMessage
        #expect(message.bytes.count > 250_000)
        try transport("sh -c 'cat > \"$1\"' sh '\(out)'").send(message)
        let received = try Data(contentsOf: URL(fileURLWithPath: out))
        #expect(Array(received) == message.bytes)
    }

    @Test func argumentsArriveAsSeparateWordsWithoutAShell() throws {
        let scratch = try Scratch("argv")
        defer { scratch.cleanup() }
        let out = scratch.path("argv.txt")
        // printf prints each argument on its own line: quoting and spaces survive, nothing is expanded.
        try transport("sh -c 'cat >/dev/null; printf \"%s\\n\" \"$@\" > \"$0\"' '\(out)' 'a b' '$HOME' '*' \"x'y\"").send(sampleMessageRendered())
        #expect(try String(contentsOfFile: out, encoding: .utf8) == "a b\n$HOME\n*\nx'y\n")
    }

    @Test func exit75IsATemporaryFailureWithTheProgramsWords() throws {
        do {
            try transport("sh -c 'cat >/dev/null; echo \"msmtp: cannot connect to mail.example.org: try again later\" >&2; exit 75'").send(
                sampleMessageRendered())
            Issue.record("exit 75 counted as sent")
        } catch {
            #expect(error.code == .exitStatus)
            #expect(error.exitStatus == 75)
            #expect(error.isTemporary)
            #expect(!error.outcomeUnknown)
            #expect(
                error.message
                    == "the mail command (sh) exited with status 75 (EX_TEMPFAIL: temporary failure, try again later); the message was not sent: msmtp: cannot connect to mail.example.org: try again later"
            )
            #expect(error.standardError == "msmtp: cannot connect to mail.example.org: try again later")
        }
    }

    @Test func otherStatusesArePermanentAndSaySo() throws {
        do {
            try transport("sh -c 'cat >/dev/null; exit 67'").send(sampleMessageRendered())
            Issue.record("exit 67 counted as sent")
        } catch {
            #expect(error.exitStatus == 67)
            #expect(!error.isTemporary)
            #expect(error.message == "the mail command (sh) exited with status 67 (EX_NOUSER: a recipient is unknown); the message was not sent")
        }
        #expect(throws: MailError.self) { try transport("false").send(sampleMessageRendered()) }
    }

    @Test func aMissingProgramIsNamed() throws {
        let cases: [(String, String)] = [
            ("no-such-sendmail-xyz -t", "the mail command \"no-such-sendmail-xyz\" was not found on PATH; set $RETREAT_SENDMAIL or [mail] sendmail"),
            ("/nonexistent/sendmail -t", "the mail command /nonexistent/sendmail does not exist; set $RETREAT_SENDMAIL or [mail] sendmail"),
            ("/tmp -t", "the mail command /tmp does not exist"),
        ]
        for (command, message) in cases {
            do {
                try transport(command).send(sampleMessageRendered())
                Issue.record("\(command) counted as sent")
            } catch {
                #expect(error.code == .commandNotFound)
                #expect(error.message.hasPrefix(message), "\(error.message)")
                #expect(!error.isTemporary)
            }
        }
        let scratch = try Scratch("noexec")
        defer { scratch.cleanup() }
        let plain = scratch.path("sendmail")
        try Data("#!/bin/sh\nexit 0\n".utf8).write(to: URL(fileURLWithPath: plain))
        #expect(throws: MailError.self) { try transport("'\(plain)'").send(sampleMessageRendered()) }
        let noShebang = scratch.path("noshebang")
        try Data("exit 0\n".utf8).write(to: URL(fileURLWithPath: noShebang))
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: noShebang)
        do {
            try transport("'\(noShebang)'").send(sampleMessageRendered())
            Issue.record("a script without #! counted as sent")
        } catch {
            #expect(error.code == .commandNotFound)
            #expect(error.message.contains("a script needs a #! line"))
        }
    }

    /// A program that exits 0 without reading its input has not taken the message; and writing to it
    /// must not kill this process with SIGPIPE.
    @Test func aProgramThatIgnoresItsInputHasNotSentIt() throws {
        do {
            try transport("true").send(Self.bigMessage)
            Issue.record("a program that read nothing counted as sent")
        } catch {
            #expect(error.code == .inputClosed)
            #expect(error.message == "the mail command (true) exited without reading the whole message; it was not sent")
        }
        // This process is alive and SIGPIPE is not left blocked or pending.
        var mask = sigset_t()
        pthread_sigmask(SIG_BLOCK, nil, &mask)
        #expect(sigismember(&mask, SIGPIPE) == 0)
    }

    /// Whatever the message's size: a small message fits the pipe's buffer, so it is written in full even when
    /// the program never reads it; the bytes left in the pipe tell.
    @Test func aProgramThatExitsWithoutReadingEverythingHasNotSentItWhateverTheSize() throws {
        let small = sampleMessageRendered()
        #expect(small.bytes.count < 65_536)
        for command in ["true", "sh -c 'exit 0'", "head -c 100", "sh -c 'head -c 100 >/dev/null; exit 0'"] {
            for message in [small, Self.bigMessage] {
                do {
                    try transport(command).send(message)
                    Issue.record("\(command) read part of \(message.bytes.count) octets and counted as sent")
                } catch {
                    #expect(error.code == .inputClosed, "\(command): \(error.message)")
                    #expect(error.message.contains("exited without reading the whole message; it was not sent"))
                    #expect(!error.isTemporary)
                }
            }
        }
        // A program that reads it all, however it reads, has taken it.
        for command in ["sh -c 'cat >/dev/null'", "sh -c 'head -c 10 >/dev/null; cat >/dev/null'", "dd of=/dev/null bs=1 status=none"] {
            try transport(command).send(small)
        }
        // Killed before it read the message: the outcome is known (not sent), unlike a kill after reading it.
        do {
            try transport("sh -c 'kill -9 $$'").send(small)
            Issue.record("counted as sent")
        } catch {
            #expect(error.code == .signalled)
            #expect(!error.outcomeUnknown)
        }
    }

    @Test func aSlowProgramIsStoppedAtTheTimeout() throws {
        do {
            try transport("sleep 30", timeout: 0.3).send(sampleMessageRendered())
            Issue.record("a program that never finished counted as sent")
        } catch {
            #expect(error.code == .timedOut)
            #expect(error.isTemporary)
            #expect(error.signal == SIGTERM)
            #expect(error.message.hasPrefix("the mail command (sleep) did not finish within 0.3 s and was stopped"))
        }
        // A program that ignores SIGTERM gets SIGKILL.
        do {
            try transport("sh -c 'trap \"\" TERM; cat >/dev/null; sleep 30'", timeout: 0.3).send(sampleMessageRendered())
            Issue.record("counted as sent")
        } catch {
            #expect(error.code == .timedOut)
            #expect(error.signal == SIGKILL)
            #expect(error.outcomeUnknown, "it had read the whole message")
        }
    }

    @Test func aKilledProgramIsReported() throws {
        do {
            try transport("sh -c 'cat >/dev/null; kill -9 $$'").send(sampleMessageRendered())
            Issue.record("counted as sent")
        } catch {
            #expect(error.code == .signalled)
            #expect(error.signal == 9)
            #expect(error.outcomeUnknown)
        }
    }

    @Test func standardErrorComesBackPrintable() throws {
        do {
            try transport("sh -c 'cat >/dev/null; printf \"\\033[31mbad\\033[0m\\nsecond line\\n\" >&2; exit 1'").send(sampleMessageRendered())
            Issue.record("counted as sent")
        } catch {
            #expect(error.standardError == "\\e[31mbad\\e[0m\nsecond line")
            #expect(error.message.hasSuffix(": \\e[31mbad\\e[0m / second line"))
            #expect(!error.message.contains("\u{1B}"))
        }
    }

    @Test func environmentIsPassedAndOtherDescriptorsAreNot() throws {
        let scratch = try Scratch("env")
        defer { scratch.cleanup() }
        let fdList = scratch.path("fds.txt")
        // A descriptor this process holds without close-on-exec (as a database file might be).
        let held = open(scratch.path("held"), O_CREAT | O_WRONLY, 0o600)
        #expect(held > 2)
        defer { close(held) }
        var env = ProcessInfo.processInfo.environment
        env["RETREAT_TEST_MARK"] = "yes"
        let command = try SendmailCommand("sh -c 'cat >/dev/null; test \"$RETREAT_TEST_MARK\" = yes && ls /proc/$$/fd > \"$0\"' '\(fdList)'")
        try SendmailTransport(command: command, environment: env).send(sampleMessageRendered())
        let listed = try String(contentsOfFile: fdList, encoding: .utf8).split(separator: "\n").compactMap { Int32($0) }
        #expect(!listed.contains(held), "descriptor \(held) leaked into the mail command: \(listed)")
        env["RETREAT_TEST_MARK"] = "no"
        #expect(throws: MailError.self) { try SendmailTransport(command: command, environment: env).send(sampleMessageRendered()) }
    }
}

func sampleMessageRendered() -> RenderedMessage {
    do { return try sampleMessage().render(seed: "transport") } catch { fatalError("\(error)") }
}
