import ArgumentParser
import Foundation
import RetreatApp

/// The `retreat` command.
public struct RetreatCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "retreat",
        abstract: "Book a counseling practice's private 3-day intensives and export their calendars.",
        discussion: """
            Dates are YYYY-MM-DD in the practice time zone. Global options (before or after the subcommand): \
            --db PATH or postgres://user@host:port/dbname (the store; default $RETREAT_DB, else \
            ~/.local/share/retreat/retreat.sqlite; a PostgreSQL password comes from PGPASSWORD or ~/.pgpass) and --json. \
            Exit codes: 0 ok, 1 error, 3 conflict (slot taken or not available), 64 bad option or value.
            """,
        version: "0.3.0",
        subcommands: [
            Init.self, Settings.self, Availability.self, Check.self, Calendar.self, Book.self, Confirm.self,
            Cancel.self, Reschedule.self, Edit.self, Pay.self, List.self, Show.self, BlackoutGroup.self, WaitlistGroup.self,
            AgendaCmd.self, IntakeCmd.self, Sessions.self, Export.self, FreeBusy.self, Notify.self, OutboxGroup.self, Audit.self, Backup.self, Restore.self,
            ExportData.self, Migrate.self, Demo.self, FeedsGroup.self, TokensGroup.self, Serve.self,
        ]
    )

    public init() {}
}

/// Entry point for the `retreat` executable.
public enum RetreatMain {
    /// Runs `retreat serve` with checked options until the server stops (SIGTERM, SIGINT); throws `AppError`.
    public typealias ServerLauncher = @Sendable (ServerOptions) throws -> Void

    /// The server, set by the executable (which links RetreatServer) before any command is parsed.
    nonisolated(unsafe) static var serverLauncher: ServerLauncher?

    /// Parses the process arguments (global options may come before the subcommand), runs the command, prints
    /// any error as one line on standard error, and exits with its code. `server` runs `retreat serve`.
    public static func run(server: ServerLauncher? = nil) {
        serverLauncher = server
        let given = Array(CommandLine.arguments.dropFirst())
        // Argument parsing grows with the square of repeated options: no command needs more than this.
        if given.count > 400 { exit(fail("\(given.count) arguments are more than any command takes (at most 400)", code: 64)) }
        let arguments: [String]
        do {
            arguments = try hoistGlobalOptions(given)
            try refuseRepeatedOptions(arguments)
        } catch {
            exit(fail(error.message, code: 64))
        }
        do {
            var command = try RetreatCommand.parseAsRoot(arguments)
            try command.run()
        } catch let error as AppError {
            exit(fail(error.message, code: error.exitCode))
        } catch let error as ExitCode {
            exit(error.rawValue)
        } catch {
            let code = RetreatCommand.exitCode(for: error)
            if code == .success || error is CleanExit {
                RetreatCommand.exit(withError: error)
            }
            exit(fail(RetreatCommand.message(for: error), code: code.rawValue))
        }
    }

    /// A mistake in the global options, found before parsing.
    struct GlobalOptionError: Error {
        var message: String
    }

    /// The commands that only group subcommands (a global option cannot go to them).
    static let groups: Set<String> = ["blackout", "waitlist", "sessions", "help"]

    /// Moves global options given before the subcommand (`--db PATH`, `--db=PATH`, `--json`) to the end, where
    /// every subcommand accepts them, as `git -C` works before the subcommand. `--db` may be given once, with
    /// a value that is not empty.
    static func hoistGlobalOptions(_ args: [String]) throws(GlobalOptionError) -> [String] {
        var dbCount = 0
        for (i, arg) in args.enumerated() {
            if arg == "--" { break }
            if arg == "--db" {
                dbCount += 1
                guard i + 1 < args.count, !args[i + 1].hasPrefix("--") else { throw GlobalOptionError(message: "--db needs a value: the store file") }
                if args[i + 1].isEmpty { throw GlobalOptionError(message: "--db must not be empty; give the store file") }
            } else if arg.hasPrefix("--db=") {
                dbCount += 1
                if arg == "--db=" { throw GlobalOptionError(message: "--db must not be empty; give the store file") }
            }
        }
        if dbCount > 1 { throw GlobalOptionError(message: "--db is given \(dbCount) times; give the store once") }
        var leading: [String] = []
        var index = 0
        while index < args.count {
            let arg = args[index]
            if arg == "--db", index + 1 < args.count {
                leading += [arg, args[index + 1]]
                index += 2
            } else if arg.hasPrefix("--db=") || arg == "--json" {
                leading.append(arg)
                index += 1
            } else {
                break
            }
        }
        guard !leading.isEmpty, index < args.count else { return args }
        let rest = Array(args[index...])
        // A group with no subcommand after it: its own message says what is missing.
        if groups.contains(rest[0]) && (rest.count == 1 || rest[1].hasPrefix("-")) { return rest }
        if let terminator = rest.firstIndex(of: "--") {
            return Array(rest[..<terminator]) + leading + Array(rest[terminator...])
        }
        return rest + leading
    }
}

extension RetreatMain {
    /// Options that take one value and mean one thing per call: argument-parser keeps the last of repeated
    /// ones silently, so a second one is refused here instead (`intake --partner A --partner B` would record
    /// one partner's screen for the other).
    static let singleValueOptions: [String: [String]] = [
        "intake": ["--partner", "--safety", "--affair-ended", "--hurt-partner"]
    ]

    /// Refuses an option of `singleValueOptions` given more than once (as `--opt value` or `--opt=value`),
    /// naming it. `args` start with the subcommand (global options are hoisted behind it).
    static func refuseRepeatedOptions(_ args: [String]) throws(GlobalOptionError) {
        guard let command = args.first, let options = singleValueOptions[command] else { return }
        let given = args.prefix { $0 != "--" }
        for option in options {
            let count = given.filter { $0 == option || $0.hasPrefix(option + "=") }.count
            if count > 1 {
                throw GlobalOptionError(message: "\(option) is given \(count) times; give it once (`retreat \(command)` records one value per call)")
            }
        }
    }
}

/// Prints `retreat: error: MESSAGE` (control characters made visible) and returns `code`.
func fail(_ message: String, code: Int32) -> Int32 {
    FileHandle.standardError.write(Data("retreat: error: \(Terminal.safe(clipped(message)))\n".utf8))
    return code
}

/// Longest error line printed: an error echoes what it was given, and a pasted megabyte should not flood the
/// terminal (the start names what was wrong; the end keeps the advice).
let longestErrorLine = 600

/// `message` shortened in the middle to `longestErrorLine` characters.
func clipped(_ message: String) -> String {
    guard message.count > longestErrorLine else { return message }
    let keep = (longestErrorLine - 5) / 2
    return "\(message.prefix(keep)) […] \(message.suffix(keep))"
}
