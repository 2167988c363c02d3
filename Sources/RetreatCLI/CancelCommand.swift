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
                print("cancelled: \(b.id)  \(b.start) … \(b.end); refund \(b.refundPercent ?? 0)% = \(Money.format(cents: b.refundCents ?? 0, currency: currency))")
                printOffers(outcome.offers)
            }
        }
    }

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

    struct Pay: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Record a payment (a deposit recorded in time keeps a hold from lapsing).")

        @OptionGroup var store: StoreOptions
        @Argument(help: "Booking id.") var id: String
        @Option(help: "Amount received, e.g. 1125.00.") var amount: String
        @Option(help: "Day received (default: today).") var date: String?
        @Option(help: "A note, e.g. the payment reference.") var note: String?
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            try guarded {
                let amountCents = try cents(amount, "--amount")
                let ctx = try Context.open(store)
                let settings = try ctx.store.settings()
                let received = try date.map { try day($0, "--date") } ?? CalendarDay.today(at: ctx.now, in: settings.timeZone)
                let b = try ctx.store.recordPayment(id: id, amountCents: amountCents, on: received, note: note, now: ctx.now, actor: ctx.actor)
                if json { return try printJSON(BookingJSON(b)) }
                print("recorded \(Money.format(cents: amountCents, currency: settings.currency)) for \(b.id); paid \(Money.format(cents: b.paidCents, currency: settings.currency)), owes \(Money.format(cents: b.balanceCents, currency: settings.currency))")
            }
        }
    }
}
