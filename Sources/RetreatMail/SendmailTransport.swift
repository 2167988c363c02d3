import Foundation
import RetreatScheduling

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Something that delivers a rendered message or says why not. The outbox depends on this, so its tests
/// can count deliveries without a mail server.
public protocol MailTransport: Sendable {
    /// Hands over one message; returns only when it was accepted.
    /// - Throws: `MailError` when it was not (see `isTemporary` and `outcomeUnknown`).
    func send(_ message: RenderedMessage) throws(MailError)

    /// Checks what can be checked before anything is handed over (that the mail command exists), so a
    /// misconfiguration stops a run before any message is claimed.
    func preflight() throws(MailError)
}

extension MailTransport {
    /// Nothing to check.
    public func preflight() throws(MailError) {}
}

/// The standard `sendmail` interface: the command receives one whole RFC 5322 message on standard input
/// per call and exits 0 when it accepted it (queued or delivered). Any other exit means not sent; what the
/// command wrote to standard error comes back in the error.
///
/// The program is started directly with `posix_spawn` (no shell), in a process group of its own, with the
/// default signal dispositions, standard input, output and error on pipes, and no other descriptor of this
/// process open. If it has not finished after `timeout`, its group gets SIGTERM, then SIGKILL two seconds later.
public struct SendmailTransport: MailTransport {
    /// The command (see `SendmailCommand`).
    public var command: SendmailCommand
    /// How long one message may take, in seconds.
    public var timeout: Double
    /// The program's environment; nil passes this process's environment on (msmtp needs `HOME` to find
    /// its configuration). `PATH` from it is also where a program name is looked up.
    public var environment: [String: String]?
    /// Ends the mail command when this process dies (Linux: started through util-linux's
    /// `setpriv --pdeathsig KILL`, where available). A command killed before its server confirmed the
    /// message has not delivered it, so a caller that records each delivery (an outbox) resends only what
    /// may really be unrecorded; without this, a command orphaned by a killed caller delivers on its own.
    public var stopsWithCaller: Bool

    /// A transport running `command`.
    public init(command: SendmailCommand, timeout: Double = 60, environment: [String: String]? = nil, stopsWithCaller: Bool = false) {
        self.command = command
        self.timeout = timeout
        self.environment = environment
        self.stopsWithCaller = stopsWithCaller
    }

    /// `setpriv` when it knows `--pdeathsig` (util-linux 2.33 and later), else nil.
    static let deathSignalWrapper: String? = {
        #if os(Linux)
            for path in ["/usr/bin/setpriv", "/bin/setpriv"] where FileManager.default.isExecutableFile(atPath: path) {
                guard
                    let run = try? ChildProcess.run(
                        path: path, arguments: ["setpriv", "--help"], environment: ["PATH": "/usr/bin:/bin"], input: [], timeout: 5)
                else { continue }
                if run.ending == .exited(0), String(decoding: run.standardOutput, as: UTF8.self).contains("--pdeathsig") { return path }
            }
        #endif
        return nil
    }()

    /// The transport `retreat notify` uses: the command from `$RETREAT_SENDMAIL`, else `configured` (the
    /// practice's `[mail] sendmail`), else `sendmail -t -i`; this process's environment is passed on.
    /// - Throws: `MailError.invalidCommand` naming where the unusable command came from.
    public static func resolved(
        configured: String?, environment: [String: String] = ProcessInfo.processInfo.environment, timeout: Double = 60, stopsWithCaller: Bool = false
    ) throws(MailError) -> SendmailTransport {
        SendmailTransport(
            command: try SendmailCommand.resolve(environment: environment, configured: configured), timeout: timeout, stopsWithCaller: stopsWithCaller)
    }

    /// Finds the command's program (see `locate`), as `send` would.
    /// - Throws: `MailError.commandNotFound` naming the program.
    public func preflight() throws(MailError) {
        _ = try Self.locate(command.program, environment: environment ?? ProcessInfo.processInfo.environment)
    }

    /// Hands `message.bytes` to the command.
    public func send(_ message: RenderedMessage) throws(MailError) {
        _ = try deliver(message.bytes)
    }

    /// Runs the command with `input` on standard input.
    /// - Returns: what the command wrote to standard error (made printable), for a log.
    /// - Throws: `MailError` `.commandNotFound`, `.spawnFailed`, `.exitStatus`, `.signalled`, `.timedOut`, `.inputClosed`.
    @discardableResult
    public func deliver(_ input: [UInt8]) throws(MailError) -> String {
        let env = environment ?? ProcessInfo.processInfo.environment
        var path = try Self.locate(command.program, environment: env)
        var arguments = command.arguments
        if stopsWithCaller, let wrapper = Self.deathSignalWrapper {
            // setpriv sets the death signal and then execs the command itself (same pid, same exit status).
            arguments = ["setpriv", "--pdeathsig", "KILL", "--", path] + command.arguments.dropFirst()
            path = wrapper
        }
        let run = try ChildProcess.run(path: path, arguments: arguments, environment: env, input: input, timeout: timeout)
        let name = (command.program as NSString).lastPathComponent.terminalSafe
        let stderrText = Self.printable(run.standardError)
        let said = Self.lastWords(stderrText)
        switch run.ending {
        case .exited(0):
            if run.inputLeftUnread {
                throw MailError(
                    .inputClosed, "the mail command (\(name)) exited without reading the whole message; it was not sent\(said)",
                    exitStatus: 0, standardError: stderrText)
            }
            return stderrText
        case .exited(let status):
            throw MailError(
                .exitStatus, "the mail command (\(name)) exited with status \(status)\(Self.sysexit(status)); the message was not sent\(said)",
                exitStatus: status, standardError: stderrText)
        case .signalled(let signal):
            throw MailError(
                .signalled, "the mail command (\(name)) was ended by signal \(signal); the message may not have been sent\(said)",
                signal: signal, standardError: stderrText, outcomeUnknown: run.inputFullyRead)
        case .timedOut(let signal):
            throw MailError(
                .timedOut,
                "the mail command (\(name)) did not finish within \(Self.seconds(timeout)) and was stopped; the message may or may not have been sent\(said)",
                signal: signal, standardError: stderrText, outcomeUnknown: run.inputFullyRead)
        }
    }

    /// The program's path: `program` itself when it holds a `/`, else the first executable of that name
    /// on `PATH`, then in `/usr/sbin`, `/usr/lib` and `/sbin` (where sendmail lives on systems whose
    /// users do not have those on `PATH`).
    static func locate(_ program: String, environment: [String: String]) throws(MailError) -> String {
        let fm = FileManager.default
        let shown = program.terminalSafe
        if program.contains("/") {
            var isDirectory: ObjCBool = false
            guard fm.fileExists(atPath: program, isDirectory: &isDirectory), !isDirectory.boolValue else {
                throw MailError(.commandNotFound, "the mail command \(shown) does not exist; set $RETREAT_SENDMAIL or [mail] sendmail")
            }
            guard fm.isExecutableFile(atPath: program) else {
                throw MailError(.commandNotFound, "the mail command \(shown) is not executable")
            }
            return program
        }
        let searchPath = (environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":").map(String.init)
        for directory in searchPath + ["/usr/sbin", "/usr/lib", "/sbin"] where !directory.isEmpty {
            let candidate = directory + "/" + program
            var isDirectory: ObjCBool = false
            if fm.fileExists(atPath: candidate, isDirectory: &isDirectory), !isDirectory.boolValue, fm.isExecutableFile(atPath: candidate) {
                return candidate
            }
        }
        let hint = program == "sendmail" ? " (install an MTA such as msmtp-mta, or set $RETREAT_SENDMAIL)" : "; set $RETREAT_SENDMAIL or [mail] sendmail"
        throw MailError(.commandNotFound, "the mail command \"\(shown)\" was not found on PATH\(hint)")
    }

    private static func printable(_ bytes: [UInt8]) -> String {
        let text = String(decoding: bytes.prefix(4096), as: UTF8.self)
        return TextRules.terminalSafe(text, keepingNewlines: true).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// `": <last lines of stderr>"` on one line, at most 300 characters, or nothing.
    private static func lastWords(_ stderr: String) -> String {
        let lines = stderr.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !lines.isEmpty else { return "" }
        var joined = lines.suffix(3).joined(separator: " / ")
        if joined.count > 300 { joined = "…" + joined.suffix(299) }
        return ": " + joined
    }

    private static func sysexit(_ status: Int32) -> String {
        switch status {
        case 64: return " (EX_USAGE: the command line is wrong)"
        case 65: return " (EX_DATAERR: the message was refused)"
        case 67: return " (EX_NOUSER: a recipient is unknown)"
        case 68: return " (EX_NOHOST: a recipient's domain is unknown)"
        case 69: return " (EX_UNAVAILABLE: the mail service is unavailable)"
        case 70: return " (EX_SOFTWARE: internal error of the mail command)"
        case 71: return " (EX_OSERR: system error)"
        case 74: return " (EX_IOERR: input/output error)"
        case 75: return " (EX_TEMPFAIL: temporary failure, try again later)"
        case 76: return " (EX_PROTOCOL: the server broke the protocol)"
        case 77: return " (EX_NOPERM: permission denied)"
        case 78: return " (EX_CONFIG: the mail command's configuration is wrong)"
        default: return ""
        }
    }

    private static func seconds(_ value: Double) -> String {
        value == value.rounded() ? "\(Int(value)) s" : String(format: "%.1f s", value)
    }
}
