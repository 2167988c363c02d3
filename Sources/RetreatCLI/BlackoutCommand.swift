import ArgumentParser
import Foundation
import RetreatScheduling
import RetreatStore

extension RetreatCommand {
    struct BlackoutGroup: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "blackout", abstract: "Days no intensive may touch (holidays, staff leave).",
            subcommands: [Add.self, ListBlackouts.self, Remove.self])

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
                    let b = try ctx.store.addBlackout(Blackout(from: range.lowerBound, to: range.upperBound, resource: resource, reason: reason),
                                                      force: force, now: ctx.now, actor: ctx.actor)
                    if json { return try printJSON(BlackoutJSON(b)) }
                    print("blackout \(b.id ?? 0): \(b.from) … \(b.to)\(b.resource.map { " on \($0)" } ?? "")")
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
