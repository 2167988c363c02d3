import ArgumentParser
import Foundation
import RetreatScheduling
import RetreatStore

extension RetreatCommand {
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
                print(
                    "recorded \(Money.format(cents: amountCents, currency: settings.currency)) for \(b.id); paid \(Money.format(cents: b.paidCents, currency: settings.currency)), owes \(Money.format(cents: b.balanceCents, currency: settings.currency))"
                )
            }
        }
    }
}
