import ArgumentParser
import Foundation
import RetreatApp
import RetreatScheduling

extension RetreatCommand {
    struct BlackoutGroup: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "blackout", abstract: "Days no intensive may touch (holidays, staff leave).",
            subcommands: [Add.self, Import.self, ListBlackouts.self, Remove.self])

        struct Add: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Add a blackout: whole days (dates inclusive), or a stretch of time on the practice's clock.",
                discussion:
                    "Whole days: --from 2027-03-02 --to 2027-03-04. A stretch of time: --from 2027-03-02T13:00 --to 2027-03-02T15:00; it blocks the sessions it overlaps, and an intensive day only where it overlaps that day's session hours."
            )
            @OptionGroup var store: StoreOptions
            @Option(help: "First day (YYYY-MM-DD), or a start time (YYYY-MM-DDTHH:MM).", transform: Parse.dayOrTime) var from: DayOrTime
            @Option(help: "Last day, inclusive (YYYY-MM-DD), or an end time (YYYY-MM-DDTHH:MM).", transform: Parse.dayOrTime) var to: DayOrTime
            @Option(help: "Why (shown to staff only).") var reason: String?
            @Option(help: "Only this resource (default: all).") var resource: String?
            @Flag(help: "Add it even if it touches live bookings or upcoming counseling sessions.") var force = false
            @Flag(help: "Print JSON.") var json = false

            func validate() throws {
                switch (from, to) {
                case (.day(let a), .day(let b)): try checkRange(a, b)
                case (.time(let a), .time(let b)):
                    if b <= a { throw ValidationError("--to \(b) is not after --from \(a).") }
                default: throw ValidationError("give --from and --to both as dates (whole days) or both as times.")
                }
            }

            func run() throws {
                let service = try store.service()
                let b: Blackout
                switch (from, to) {
                case (.time(let a), .time(let z)): b = try service.addBlackout(from: a, to: z, resource: resource, reason: reason, force: force)
                case (.day(let a), .day(let z)): b = try service.addBlackout(from: a, to: z, resource: resource, reason: reason, force: force)
                default: throw ValidationError("give --from and --to both as dates or both as times.")
                }
                let entry = try service.blackoutEntry(b)
                if json { return try printJSON(entry) }
                Terminal.print("blackout \(b.id ?? 0): \(entry.text)\(b.resource.map { " on \($0)" } ?? "")")
            }
        }

        struct Import: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Turn every busy occurrence of an .ics file (Google, Outlook, Apple, Thunderbird) into blackout time.",
                discussion: """
                    Recurring events are expanded; all-day events end on their exclusive DTEND; a timed event blocks a \
                    practice-local day when it overlaps that day's session hours; floating times are read in the file's \
                    X-WR-TIMEZONE, else the practice zone. Transparent and cancelled events, VTODO and VJOURNAL are ignored. \
                    Imports are keyed by resource and source (the file's path, or --source): importing the same file again \
                    changes nothing, and --replace first drops only what earlier imports of that resource and source added. \
                    The import is one transaction.
                    """)
            @OptionGroup var store: StoreOptions
            @Argument(help: "The .ics file.") var file: String
            @Option(help: "Only this resource (default: all).") var resource: String?
            @Option(help: "First day to import (default: today).", transform: Parse.day) var from: CalendarDay?
            @Option(help: "Last day to import (default: the booking horizon).", transform: Parse.day) var to: CalendarDay?
            @Flag(help: "First drop what earlier imports of this resource and source added within --from…--to (busy time outside the window is kept).")
            var replace = false
            @Option(help: "Name of the source (default: the file's path).") var source: String?
            @Flag(help: "Print JSON.") var json = false

            func validate() throws { try checkRange(from, to) }

            func run() throws {
                let summary = try store.service().importBlackouts(file: file, resource: resource, from: from, to: to, replace: replace, source: source)
                if json { return try printJSON(summary) }
                Terminal.print(
                    "\(summary.source): \(summary.added) blackout(s) added, \(summary.unchanged) already present, \(summary.removed) replaced; \(summary.skipped) occurrence(s) free, cancelled, taking no time or outside session hours"
                )
                if !summary.affectedBookings.isEmpty {
                    Terminal.print(
                        "warning: the imported busy time touches live booking(s) \(summary.affectedBookings.joined(separator: ", ")); reschedule or confirm with staff"
                    )
                }
                if !summary.affectedSeries.isEmpty {
                    Terminal.print(
                        "warning: the imported busy time falls on upcoming counseling session(s) of series \(summary.affectedSeries.joined(separator: ", ")); move or cancel them, or confirm with staff"
                    )
                }
            }
        }

        struct ListBlackouts: ParsableCommand {
            static let configuration = CommandConfiguration(commandName: "list", abstract: "List blackouts.")
            @OptionGroup var store: StoreOptions
            @Flag(
                help:
                    "Print JSON: [{\"id\",\"from\",\"to\",\"resource\",\"reason\",\"source\"}], dates for whole days, date-times with the practice's offset for stretches of time."
            ) var json = false

            func run() throws {
                let list = try store.service().blackoutListing()
                if json { return try printJSON(list) }
                if list.isEmpty { Swift.print("no blackouts") }
                for b in list {
                    Terminal.print("\(b.id ?? 0)  \(b.text)  \(b.resource ?? "all")  \(b.source)\(b.reason.map { "  \($0)" } ?? "")")
                }
            }
        }

        struct Remove: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Remove a blackout by id.")
            @OptionGroup var store: StoreOptions
            @Argument(help: "Blackout id (see `blackout list`).", transform: Parse.id) var id: Int64

            func run() throws {
                try store.service().removeBlackout(id: id)
                Swift.print("removed blackout \(id)")
            }
        }
    }
}
