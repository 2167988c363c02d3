import ArgumentParser
import Foundation
import RetreatScheduling
import RetreatStore

extension RetreatCommand {
    struct Reschedule: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Move a booking to a new start date (same id, sequence + 1).")

        @OptionGroup var store: StoreOptions
        @Argument(help: "Booking id.") var id: String
        @Option(help: "New first day (YYYY-MM-DD).") var start: String
        @Option(help: "Move to this resource (default: keep it, else the first free one).") var resource: String?
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            try guarded {
                let startDay = try day(start, "--start")
                let ctx = try Context.open(store)
                let outcome = try ctx.store.reschedule(id: id, to: startDay, resource: resource, now: ctx.now, actor: ctx.actor)
                let b = outcome.booking
                if json { return try printJSON(BookingJSON(b)) }
                print("rescheduled: \(b.id)  \(b.start) … \(b.end) on \(b.resource) (sequence \(b.sequence))")
                printOffers(outcome.offers)
            }
        }
    }
}
