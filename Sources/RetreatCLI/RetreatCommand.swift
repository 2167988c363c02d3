import ArgumentParser
import Foundation

/// The `retreat` command.
public struct RetreatCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "retreat",
        abstract: "Book a counseling practice's private 3-day intensives and export their calendars.",
        version: "0.1.0",
        subcommands: [Demo.self]
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
