import ArgumentParser
import Foundation
import RetreatScheduling
import RetreatStore

extension RetreatCommand {
    struct WaitlistGroup: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "waitlist", abstract: "Couples waiting for a start in a date range; offered when a slot frees.",
            subcommands: [Add.self, ListEntries.self, Remove.self])

        struct Add: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Add a couple with the range of start dates they can take.")
            @OptionGroup var store: StoreOptions
            @Option(help: "The couple's display name.") var couple: String
            @Option(help: "Earliest acceptable start.") var from: String
            @Option(help: "Latest acceptable start.") var to: String
            @Option(help: "Contact e-mail(s).") var contact: String?
            @Option(help: "Only this resource.") var resource: String?
            @Flag(help: "Print JSON.") var json = false

            func run() throws {
                try guarded {
                    let range = try parseRange(from: from, to: to)
                    let ctx = try Context.open(store)
                    let e = try ctx.store.addToWaitlist(
                        couple: couple, contact: contact, from: range.lowerBound, to: range.upperBound,
                        resource: resource, now: ctx.now, actor: ctx.actor)
                    if json { return try printJSON(e) }
                    print("waitlist \(e.id ?? 0): \(e.couple) for a start \(e.from) … \(e.to)")
                }
            }
        }

        struct ListEntries: ParsableCommand {
            static let configuration = CommandConfiguration(commandName: "list", abstract: "List waiting couples and the starts free for them now.")
            @OptionGroup var store: StoreOptions
            @Flag(help: "Print JSON.") var json = false

            struct Out: Encodable {
                var entries: [WaitlistEntry]
                var offers: [WaitlistOffer]
            }

            func run() throws {
                try guarded {
                    let ctx = try Context.open(store)
                    _ = try ctx.store.sweep(now: ctx.now)
                    let (entries, offers) = try ctx.store.waitlist(now: ctx.now)
                    if json { return try printJSON(Out(entries: entries, offers: offers)) }
                    if entries.isEmpty { print("nobody is waiting") }
                    for e in entries { print("\(e.id ?? 0)  \(e.couple)  \(e.from) … \(e.to)\(e.resource.map { "  \($0)" } ?? "")") }
                    printOffers(offers)
                }
            }
        }

        struct Remove: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Remove a waitlist entry.")
            @OptionGroup var store: StoreOptions
            @Argument(help: "Entry id.") var id: Int64

            func run() throws {
                try guarded {
                    let ctx = try Context.open(store)
                    try ctx.store.removeFromWaitlist(id: id, now: ctx.now, actor: ctx.actor)
                    print("removed waitlist entry \(id)")
                }
            }
        }
    }
}
