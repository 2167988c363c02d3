import ArgumentParser
import Foundation
import RetreatApp
import RetreatScheduling

extension RetreatCommand {
    struct Pay: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record a payment, a refund paid back, or void a payment entered by mistake.",
            discussion: "A deposit recorded in time keeps a hold from lapsing. `retreat show ID` lists payment ids.")

        @OptionGroup var store: StoreOptions
        @Argument(help: "Booking id.") var id: String
        @Option(help: "Amount, e.g. 1125.00 (digits, at most two decimals, no sign).", transform: Parse.amount) var amount: Int?
        @Option(help: "Day received or paid back (default: today).", transform: Parse.day) var date: CalendarDay?
        @Option(help: "A note, e.g. the payment reference.") var note: String?
        @Flag(help: "Record money paid back to the couple (the amount is taken off what was paid).") var refund = false
        @Option(name: .customLong("void"), help: "Void this payment id (it stays on record and no longer counts).", transform: Parse.id) var voidID: Int64?
        @Flag(help: "Print JSON.") var json = false

        func validate() throws {
            if (amount == nil) == (voidID == nil) { throw ValidationError("give --amount AMOUNT, or --void PAYMENT.") }
            if voidID != nil && (refund || date != nil || note != nil) { throw ValidationError("--void takes no --refund, --date or --note.") }
        }

        func run() throws {
            let service = try store.service()
            let outcome: BookingOutcome
            if let voidID {
                outcome = try service.voidPayment(id: id, paymentID: voidID)
            } else {
                outcome = try service.pay(id: id, amountCents: amount ?? 0, on: date, note: note, refund: refund)
            }
            let b = outcome.booking
            if json { return try printJSON(BookingJSON(b)) }
            let currency = outcome.display.currency
            let what: String
            if let voidID {
                what = "voided payment \(voidID)"
            } else {
                what = "recorded \(refund ? "refund of " : "")\(money(amount ?? 0, currency))"
            }
            var line = "\(what) for \(b.id); paid \(money(b.paidCents, currency)), owes \(money(b.balanceCents, currency))"
            if b.creditCents > 0 { line += ", credit \(money(b.creditCents, currency)) to return" }
            Terminal.print(line)
        }
    }
}
