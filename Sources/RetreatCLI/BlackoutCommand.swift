import ArgumentParser
import Foundation
import RetreatCalendars
import RetreatICal
import RetreatScheduling
import RetreatStore

extension RetreatCommand {
    struct BlackoutGroup: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "blackout", abstract: "Days no intensive may touch (holidays, staff leave).",
            subcommands: [Add.self, Import.self, ListBlackouts.self, Remove.self])

        struct Add: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Add a blackout (dates inclusive).")
            @OptionGroup var store: StoreOptions
            @Option(help: "First day.") var from: String
            @Option(help: "Last day (inclusive).") var to: String
            @Option(help: "Why (shown to staff only).") var reason: String?
            @Option(help: "Only this resource (default: all).") var resource: String?
            @Flag(help: "Add it even if it touches live bookings.") var force = false
            @Flag(help: "Print JSON.") var json = false

            func run() throws {
                try guarded {
                    let range = try parseRange(from: from, to: to)
                    let ctx = try Context.open(store)
                    let b = try ctx.store.addBlackout(
                        Blackout(from: range.lowerBound, to: range.upperBound, resource: resource, reason: reason),
                        force: force, now: ctx.now, actor: ctx.actor)
                    if json { return try printJSON(BlackoutJSON(b)) }
                    print("blackout \(b.id ?? 0): \(b.from) … \(b.to)\(b.resource.map { " on \($0)" } ?? "")")
                }
            }
        }

        struct Import: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Turn every busy occurrence of an .ics file (Google, Outlook, Apple, Thunderbird) into blackout time.",
                discussion: """
                    Recurring events are expanded; all-day events end on their exclusive DTEND; a timed event blocks a \
                    practice-local day when it overlaps that day's session hours; floating times are read in the file's \
                    X-WR-TIMEZONE, else the practice zone. Transparent and cancelled events, VTODO and VJOURNAL are ignored. \
                    Importing the same file again changes nothing; --replace first drops what an earlier import of the same \
                    source added. The import is one transaction.
                    """)
            @OptionGroup var store: StoreOptions
            @Argument(help: "The .ics file.") var file: String
            @Option(help: "Only this resource (default: all).") var resource: String?
            @Option(help: "First day to import (default: today).") var from: String?
            @Option(help: "Last day to import (default: the booking horizon).") var to: String?
            @Flag(help: "Drop what earlier imports of this source added first.") var replace = false
            @Option(help: "Name of the source (default: the file's name).") var source: String?
            @Flag(help: "Print JSON.") var json = false

            func run() throws {
                try guarded {
                    let ctx = try Context.open(store)
                    let settings = try ctx.store.settings()
                    let today = CalendarDay.today(at: ctx.now, in: settings.timeZone)
                    let first = try from.map { try day($0, "--from") } ?? today
                    let last = try to.map { try day($0, "--to") } ?? today.adding(months: settings.horizonMonths)
                    guard last >= first else { throw CLIError("--to \(last) is before --from \(first)") }
                    let url = URL(fileURLWithPath: file)
                    guard FileManager.default.fileExists(atPath: url.path) else { throw CLIError("cannot read \(file): no such file") }
                    let calendar: ICalendar
                    do {
                        calendar = try ICalendar(contentsOf: url)
                    } catch {
                        throw CLIError("\(url.lastPathComponent): \(error); nothing was imported")
                    }
                    let result: BusyImportResult
                    do {
                        result = try BusyImport.busyDays(in: calendar, from: first, to: last, settings: settings)
                    } catch {
                        throw CLIError("\(url.lastPathComponent): \(error); nothing was imported")
                    }
                    let items = result.busy.compactMap { b in
                        b.days.map { ImportedBlackout(uid: b.uid, recurrenceID: b.recurrenceID, from: $0.lowerBound, to: $0.upperBound) }
                    }
                    let summary = try ctx.store.importBlackouts(
                        items, source: source ?? "import:\(url.lastPathComponent)", resource: resource,
                        replace: replace, now: ctx.now, actor: ctx.actor)
                    if json { return try printJSON(summary) }
                    print(
                        "\(summary.source): \(summary.added) blackout(s) added, \(summary.unchanged) already present, \(summary.removed) replaced; \(result.skipped) occurrence(s) free, cancelled or outside session hours"
                    )
                    if !summary.affectedBookings.isEmpty {
                        print(
                            "warning: the imported busy time touches live booking(s) \(summary.affectedBookings.joined(separator: ", ")); reschedule or confirm with staff"
                        )
                    }
                }
            }
        }

        struct ListBlackouts: ParsableCommand {
            static let configuration = CommandConfiguration(commandName: "list", abstract: "List blackouts.")
            @OptionGroup var store: StoreOptions
            @Flag(help: "Print JSON: [{\"from\",\"to\",\"source\"}].") var json = false

            func run() throws {
                try guarded {
                    let ctx = try Context.open(store)
                    let list = try ctx.store.blackouts()
                    if json { return try printJSON(list.map(BlackoutJSON.init)) }
                    if list.isEmpty { print("no blackouts") }
                    for b in list {
                        print("\(b.id ?? 0)  \(b.from) … \(b.to)  \(b.resource ?? "all")  \(b.source)\(b.reason.map { "  \($0)" } ?? "")")
                    }
                }
            }
        }

        struct Remove: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Remove a blackout by id.")
            @OptionGroup var store: StoreOptions
            @Argument(help: "Blackout id (see `blackout list`).") var id: Int64

            func run() throws {
                try guarded {
                    let ctx = try Context.open(store)
                    try ctx.store.removeBlackout(id: id, now: ctx.now, actor: ctx.actor)
                    print("removed blackout \(id)")
                }
            }
        }
    }
}

struct BlackoutJSON: Encodable {
    var id: Int64?
    var from: CalendarDay
    var to: CalendarDay
    var resource: String?
    var reason: String?
    var source: String
    init(_ b: Blackout) {
        id = b.id
        from = b.from
        to = b.to
        resource = b.resource
        reason = b.reason
        source = b.source
    }
}
