import ArgumentParser
import Foundation
import RetreatScheduling
import RetreatStore

extension RetreatCommand {
    struct Cancel: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Cancel a booking; records the refund the policy gives and shows waitlist offers.")

        @OptionGroup var store: StoreOptions
        @Argument(help: "Booking id.") var id: String
        @Flag(help: "Print JSON.") var json = false

        struct Out: Encodable {
            var booking: BookingJSON
            var offers: [WaitlistOffer]
        }

        func run() throws {
            try guarded {
                let ctx = try Context.open(store)
                let outcome = try ctx.store.cancel(id: id, now: ctx.now, actor: ctx.actor)
                let b = outcome.booking
                if json { return try printJSON(Out(booking: BookingJSON(b), offers: outcome.offers)) }
                let currency = try ctx.store.settings().currency
                print(
                    "cancelled: \(b.id)  \(b.start) … \(b.end); refund \(b.refundPercent ?? 0)% = \(Money.format(cents: b.refundCents ?? 0, currency: currency))"
                )
                printOffers(outcome.offers)
            }
        }
    }
}
