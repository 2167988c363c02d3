import ArgumentParser
import Foundation
import RetreatStore

extension RetreatCommand {
    struct Confirm: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Confirm a held booking.")

        @OptionGroup var store: StoreOptions
        @Argument(help: "Booking id, e.g. B0001.") var id: String
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            try guarded {
                let ctx = try Context.open(store)
                let b = try ctx.store.confirm(id: id, now: ctx.now, actor: ctx.actor)
                if json { return try printJSON(BookingJSON(b)) }
                print("confirmed: \(b.id)  \(b.start) … \(b.end) on \(b.resource)")
            }
        }
    }
}
