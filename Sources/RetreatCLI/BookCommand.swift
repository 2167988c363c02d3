import ArgumentParser
import Foundation
import RetreatScheduling
import RetreatStore

extension RetreatCommand {
    struct Book: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Book (or hold) an intensive for a couple.")

        @OptionGroup var store: StoreOptions
        @Option(help: "The couple's display name (private; never written to shared calendars).") var couple: String
        @Option(help: "First day of the intensive (YYYY-MM-DD).") var start: String
        @Option(help: "Partners' e-mail addresses, comma separated (for invitations).") var contact: String?
        @Option(help: "A resource; default: the first free one.") var resource: String?
        @Option(
            name: .customLong("priority"),
            help: "A priority issue, most important first (repeatable): unresolved-issues, affair-recovery, communication, intimacy, or your own.")
        var priorities: [String] = []
        @Flag(help: "Place a hold that lapses unless its deposit is recorded in time.") var hold = false
        @Option(help: "Price for this booking (default: the practice's price), e.g. 4500.00.") var price: String?
        @Option(help: "Idempotency key: repeating a command with the same key returns the first result.") var requestID: String?
        @Flag(help: "Print JSON: {\"id\",\"start\",\"end\",\"status\",…}.") var json = false

        func validate() throws {
            if couple.trimmingCharacters(in: .whitespaces).isEmpty { throw ValidationError("--couple must not be empty.") }
            if Set(priorities).count != priorities.count { throw ValidationError("each --priority may be given once; list them most important first.") }
        }

        func run() throws {
            try guarded {
                let startDay = try day(start, "--start")
                let priceCents = try price.map { try cents($0, "--price") }
                let ctx = try Context.open(store)
                let outcome = try ctx.store.book(
                    BookingRequest(
                        couple: couple, contact: contact, start: startDay, resource: resource, priorities: priorities,
                        hold: hold, priceCents: priceCents, requestID: requestID),
                    now: ctx.now, actor: ctx.actor)
                let b = outcome.booking
                if json { return try printJSON(BookingJSON(b, replayed: outcome.replayed)) }
                let currency = try ctx.store.settings().currency
                print(
                    "\(outcome.replayed ? "already booked (same request id)" : b.status == .held ? "held" : "booked"): \(b.id)  \(b.start) … \(b.end) on \(b.resource)"
                )
                print(
                    "deposit \(Money.format(cents: b.deposit.amountCents, currency: currency)) due \(b.deposit.due)\(b.holdExpiresAt.map { "; hold lapses at \(ISO8601DateFormatter().string(from: $0)) unless it is recorded" } ?? "")"
                )
            }
        }
    }
}
