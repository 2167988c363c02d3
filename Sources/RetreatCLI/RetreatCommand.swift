import ArgumentParser
import Foundation

/// The `retreat` command.
public struct RetreatCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "retreat",
        abstract: "Book a counseling practice's private 3-day intensives and export their calendars.",
        discussion: """
            Dates are YYYY-MM-DD in the practice time zone. Exit codes: 0 ok, 1 error, 3 conflict \
            (slot taken or not available), 64 usage.
            """,
        version: "0.2.0",
        subcommands: [
            Init.self, Settings.self, Availability.self, Check.self, Calendar.self, Book.self, Confirm.self,
            Cancel.self, Reschedule.self, Pay.self, List.self, Show.self, BlackoutGroup.self, WaitlistGroup.self,
            AgendaCmd.self, IntakeCmd.self, Sessions.self, Export.self, FreeBusy.self, Audit.self, Backup.self, Restore.self, ExportData.self, Demo.self,
        ]
    )

    public init() {}
}

/// Entry point for the `retreat` executable.
public enum RetreatMain {
    /// Parses the process arguments, runs the command and exits with its code.
    public static func run() {
        RetreatCommand.main()
    }
}

/// Options every store command takes.
struct StoreOptions: ParsableArguments {
    @Option(name: .customLong("db"), help: "Store file (default: $RETREAT_DB, else ~/.local/share/retreat/retreat.sqlite).")
    var db: String?
}
