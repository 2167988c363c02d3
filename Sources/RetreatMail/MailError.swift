/// Why a message could not be built or handed to the mail transfer agent.
///
/// The message is one sentence a person can act on. It never holds a couple's name or address of its own
/// making; `standardError` holds what the mail command itself printed (made printable and capped), which
/// may name a recipient the server refused.
public struct MailError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kind of failure.
    public enum Code: String, Hashable, Sendable {
        /// A part of the message is unusable (a header value, the body, the calendar text).
        case invalidMessage
        /// The configured mail command cannot be split into words (unclosed quote, shell syntax, empty).
        case invalidCommand
        /// The mail command's program does not exist or is not executable.
        case commandNotFound
        /// The operating system refused to start the program (too many processes, out of memory, …).
        case spawnFailed
        /// The program exited 0 without reading the whole message: treated as not sent.
        case inputClosed
        /// The program exited with a non-zero status: not sent (`exitStatus` holds it).
        case exitStatus
        /// The program was ended by a signal (`signal` holds it).
        case signalled
        /// The program did not finish in time and was stopped.
        case timedOut
    }

    /// The kind of failure.
    public let code: Code
    /// The sentence, starting with what failed.
    public let message: String
    /// The program's exit status, for `.exitStatus`.
    public let exitStatus: Int32?
    /// The signal that ended the program, for `.signalled` (and `.timedOut`, the one sent).
    public let signal: Int32?
    /// What the program wrote to standard error: control characters escaped, at most 4 KiB.
    public let standardError: String

    /// True when the message may have been accepted although this call failed: the program had read the
    /// whole message and then did not finish in time (`.timedOut`) or was killed (`.signalled`). Sending
    /// again may deliver it twice; mail clients deduplicate by Message-ID, which is why an outbox keeps
    /// the Message-ID of a queued message stable across tries.
    public let outcomeUnknown: Bool

    /// Creates an error.
    public init(
        _ code: Code, _ message: String, exitStatus: Int32? = nil, signal: Int32? = nil, standardError: String = "",
        outcomeUnknown: Bool = false
    ) {
        self.code = code
        self.message = message
        self.exitStatus = exitStatus
        self.signal = signal
        self.standardError = standardError
        self.outcomeUnknown = outcomeUnknown
    }

    /// True when the same message may go through later without anyone changing anything: the program
    /// said so (sysexits 75 `EX_TEMPFAIL`, 69 `EX_UNAVAILABLE`, 71 `EX_OSERR`, 74 `EX_IOERR`), it timed out,
    /// was killed, or the system could not start it. An outbox retries these with backoff and holds
    /// the others until the configuration or the address is fixed.
    public var isTemporary: Bool {
        switch code {
        case .timedOut, .signalled, .spawnFailed: return true
        case .exitStatus: return [69, 71, 74, 75].contains(exitStatus ?? 0)
        case .invalidMessage, .invalidCommand, .commandNotFound, .inputClosed: return false
        }
    }

    /// The message.
    public var description: String { message }
}
