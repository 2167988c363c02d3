import ArgumentParser
import Foundation
import RetreatApp
import RetreatScheduling

extension RetreatCommand {
    struct WaitlistGroup: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "waitlist", abstract: "Couples waiting for a start in a date range; offered when a slot frees.",
            subcommands: [Add.self, ListEntries.self, Remove.self, BookEntry.self])

        struct Add: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Add a couple with the range of start dates they can take.")
            @OptionGroup var store: StoreOptions
            @Option(help: "The couple's display name.") var couple: String
            @Option(help: "Earliest acceptable start (YYYY-MM-DD).", transform: Parse.day) var from: CalendarDay
            @Option(help: "Latest acceptable start (YYYY-MM-DD).", transform: Parse.day) var to: CalendarDay
            @Option(help: "Contact e-mail(s), comma separated.") var contact: String?
            @Option(help: "Only this resource.") var resource: String?
            @Flag(help: "Print JSON.") var json = false

            func validate() throws {
                try checkRange(from, to)
                if couple.trimmingCharacters(in: .whitespaces).isEmpty { throw ValidationError("--couple must not be empty.") }
            }

            func run() throws {
                let e = try store.service().addToWaitlist(couple: couple, contact: contact, from: from, to: to, resource: resource)
                if json { return try printJSON(e) }
                Terminal.print("waitlist \(e.id ?? 0): \(e.couple) for a start \(e.from) … \(e.to)")
            }
        }

        struct ListEntries: ParsableCommand {
            static let configuration = CommandConfiguration(commandName: "list", abstract: "List waiting couples and the starts free for them now.")
            @OptionGroup var store: StoreOptions
            @Flag(help: "Print JSON: {\"entries\",\"offers\"}.") var json = false

            struct Out: Encodable {
                var entries: [WaitlistEntry]
                var offers: [WaitlistOffer]
            }

            func run() throws {
                let view = try store.service().waitlist()
                if json { return try printJSON(Out(entries: view.entries, offers: view.offers)) }
                if view.entries.isEmpty { Swift.print("nobody is waiting") }
                for e in view.entries { Terminal.print("\(e.id ?? 0)  \(e.couple)  \(e.from) … \(e.to)\(e.resource.map { "  \($0)" } ?? "")") }
                printOffers(view.offers)
            }
        }

        struct Remove: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Remove a waitlist entry.")
            @OptionGroup var store: StoreOptions
            @Argument(help: "Entry id.", transform: Parse.id) var id: Int64

            func run() throws {
                try store.service().removeFromWaitlist(id: id)
                Swift.print("removed waitlist entry \(id)")
            }
        }

        struct BookEntry: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "book", abstract: "Book an intensive for a waiting couple; only that entry is marked booked.")
            @OptionGroup var store: StoreOptions
            @Argument(help: "Entry id.", transform: Parse.id) var entry: Int64
            @Option(help: "First day of the intensive (YYYY-MM-DD).", transform: Parse.day) var start: CalendarDay
            @Option(help: "A resource; default: the entry's, else the first free one.") var resource: String?
            @Option(name: .customLong("priority"), help: "A priority issue, most important first (repeatable).") var priorities: [String] = []
            @Flag(help: "Place a hold instead of a confirmed booking.") var hold = false
            @Flag(help: "Print JSON.") var json = false

            func run() throws {
                let outcome = try store.service().bookFromWaitlist(entryID: entry, start: start, resource: resource, priorities: priorities, hold: hold)
                let b = outcome.booking
                if json { return try printJSON(BookingJSON(b)) }
                Terminal.print("\(b.status == .held ? "held" : "booked"): \(b.id)  \(b.start) … \(b.end) on \(b.resource) (from waitlist entry \(entry))")
            }
        }
    }
}
