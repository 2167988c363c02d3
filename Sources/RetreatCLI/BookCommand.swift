import ArgumentParser
import Foundation
import RetreatApp
import RetreatScheduling

extension RetreatCommand {
    struct Book: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Book (or hold) an intensive for a couple.")

        @OptionGroup var store: StoreOptions
        @Option(help: "The couple's display name (private; never written to shared calendars).") var couple: String
        @Option(help: "First day of the intensive (YYYY-MM-DD).", transform: Parse.day) var start: CalendarDay
        @Option(help: "Partners' e-mail addresses, comma separated (for invitations).") var contact: String?
        @Option(help: "A resource; default: the first free one.") var resource: String?
        @Option(
            name: .customLong("priority"),
            help:
                "A priority issue, most important first (repeatable): unresolved-issues, affair-recovery, communication, intimacy, or one the catalog defines.")
        var priorities: [String] = []
        @Flag(help: "Place a hold that lapses unless its deposit is recorded in time.") var hold = false
        @Option(help: "Price for this booking (default: the practice's price), e.g. 4500.00.", transform: Parse.amount) var price: Int?
        @Option(help: "Idempotency key: repeating the same request with the same key returns the first result.") var requestID: String?
        @Flag(help: "Print JSON: {\"id\",\"start\",\"end\",\"status\",…}.") var json = false

        func validate() throws {
            if couple.trimmingCharacters(in: .whitespaces).isEmpty { throw ValidationError("--couple must not be empty.") }
            if Set(priorities).count != priorities.count { throw ValidationError("each --priority may be given once; list them most important first.") }
        }

        func run() throws {
            let outcome = try store.service().book(
                BookingRequest(
                    couple: couple, contact: contact, start: start, resource: resource, priorities: priorities, hold: hold, priceCents: price,
                    requestID: requestID))
            let b = outcome.booking
            if json { return try printJSON(BookingJSON(b, replayed: outcome.replayed)) }
            let settings = outcome.display
            Terminal.print(
                "\(outcome.replayed ? "already booked (same request id)" : b.status == .held ? "held" : "booked"): \(b.id)  \(b.start) … \(b.end) on \(b.resource)"
            )
            var terms = "deposit \(money(b.deposit.amountCents, settings.currency)) due \(b.deposit.due)"
            if let lapse = b.holdExpiresAt {
                terms =
                    "deposit \(money(b.deposit.amountCents, settings.currency)) due by \(local(lapse, settings.timeZone)), when the hold lapses unless it is recorded"
            }
            Swift.print(terms)
            printQueued(outcome.queued)
        }
    }

    struct Confirm: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Confirm a hold.")
        @OptionGroup var store: StoreOptions
        @Argument(help: "Booking id.") var id: String
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            let b = try store.service().confirm(id: id)
            if json { return try printJSON(BookingJSON(b)) }
            Terminal.print("confirmed: \(b.id)  \(b.start) … \(b.end) on \(b.resource)")
        }
    }

    struct Cancel: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Cancel a booking; the refund its policy tier gives is recorded.")
        @OptionGroup var store: StoreOptions
        @Argument(help: "Booking id.") var id: String
        @Option(help: "Why it was cancelled (staff only).") var reason: String?
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            let outcome = try store.service().cancel(id: id, reason: reason)
            let b = outcome.booking
            if json { return try printJSON(BookingJSON(b)) }
            let currency = outcome.display.currency
            Terminal.print("cancelled: \(b.id); refund \(b.refundPercent ?? 0)% = \(money(b.refundCents ?? 0, currency))")
            printOffers(outcome.offers)
            printQueued(outcome.queued)
        }
    }

    struct Reschedule: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Move a booking to a new start (same id; its calendar SEQUENCE goes up).")
        @OptionGroup var store: StoreOptions
        @Argument(help: "Booking id.") var id: String
        @Option(help: "New first day (YYYY-MM-DD).", transform: Parse.day) var start: CalendarDay
        @Option(help: "Move to this resource (default: keep it, else the first free one).") var resource: String?
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            let outcome = try store.service().reschedule(id: id, to: start, resource: resource)
            let b = outcome.booking
            if json { return try printJSON(BookingJSON(b)) }
            Terminal.print("rescheduled: \(b.id)  \(b.start) … \(b.end) on \(b.resource) (sequence \(b.sequence))")
            printOffers(outcome.offers)
            printQueued(outcome.queued)
        }
    }
}

extension RetreatCommand {
    struct Edit: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Correct a booking's couple name, contact, price or resource (checked as at booking; audited with before and after).")
        @OptionGroup var store: StoreOptions
        @Argument(help: "Booking id.") var id: String
        @Option(help: "The couple's display name.") var couple: String?
        @Option(help: "Partners' e-mail addresses, comma separated (\"\" removes them).") var contact: String?
        @Option(help: "Price, e.g. 4500.00 (the deposit follows the practice's percentage).", transform: Parse.amount) var price: Int?
        @Option(help: "Another resource for the same dates.") var resource: String?
        @Flag(help: "Print JSON.") var json = false

        func validate() throws {
            if couple == nil && contact == nil && price == nil && resource == nil {
                throw ValidationError("give at least one of --couple, --contact, --price, --resource.")
            }
        }

        func run() throws {
            let b = try store.service().edit(id: id, BookingEdit(couple: couple, contact: contact, priceCents: price, resource: resource))
            if json { return try printJSON(BookingJSON(b)) }
            Terminal.print("edited: \(b.id)  \(b.start) … \(b.end) on \(b.resource)")
        }
    }
}
