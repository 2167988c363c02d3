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
            --db PATH (the store; default $RETREAT_DB, else ~/.local/share/retreat/retreat.sqlite) and --json. \
            Exit codes: 0 ok, 1 error, 3 conflict (slot taken or not available), 64 bad option or value.
            """,
        version: "0.3.0",
        subcommands: [
            Init.self, Settings.self, Availability.self, Check.self, Calendar.self, Book.self, Confirm.self,
            Cancel.self, Reschedule.self, Edit.self, Pay.self, List.self, Show.self, BlackoutGroup.self, WaitlistGroup.self,
            AgendaCmd.self, IntakeCmd.self, Sessions.self, Export.self, FreeBusy.self, Notify.self, OutboxGroup.self, Audit.self, Backup.self, Restore.self,
            ExportData.self, Demo.self,
        ]
    )

    public init() {}
}

/// Entry point for the `retreat` executable.
public enum RetreatMain {
    /// Parses the process arguments (global options may come before the subcommand), runs the command, prints
    /// any error as one line on standard error, and exits with its code.
    public static func run() {
        let arguments = hoistGlobalOptions(Array(CommandLine.arguments.dropFirst()))
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

    /// Moves global options given before the subcommand (`--db PATH`, `--db=PATH`, `--json`) to the end, where
    /// every subcommand accepts them, as `git -C` works before the subcommand.
    static func hoistGlobalOptions(_ args: [String]) -> [String] {
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
        if let terminator = rest.firstIndex(of: "--") {
            return Array(rest[..<terminator]) + leading + Array(rest[terminator...])
        }
        return rest + leading
    }
}

/// Prints `retreat: error: MESSAGE` (control characters made visible) and returns `code`.
func fail(_ message: String, code: Int32) -> Int32 {
    FileHandle.standardError.write(Data("retreat: error: \(Terminal.safe(message))\n".utf8))
    return code
}
