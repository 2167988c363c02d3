import ArgumentParser
import Foundation
import RetreatScheduling
import RetreatStore

extension RetreatCommand {
    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one booking: dates, status, money and its history.")

        @OptionGroup var store: StoreOptions
        @Argument(help: "Booking id.") var id: String
        @Flag(help: "Print JSON.") var json = false

        struct Out: Encodable {
            var booking: BookingJSON
            var contact: String?
            var payments: [Payment]
            var history: [AuditEntry]
        }

        func run() throws {
            try guarded {
                let ctx = try Context.open(store)
                _ = try ctx.store.sweep(now: ctx.now)
                let b = try ctx.store.booking(id: id)
                let history = try ctx.store.auditLog(entityID: b.id)
                if json { return try printJSON(Out(booking: BookingJSON(b), contact: b.contact, payments: b.payments, history: history)) }
                let currency = try ctx.store.settings().currency
                func money(_ c: Int) -> String { Money.format(cents: c, currency: currency) }
                print(
                    """
                    \(b.id)  \(b.couple)
                      dates      \(b.start) … \(b.end) on \(b.resource)
                      status     \(b.status.rawValue) (sequence \(b.sequence))\(b.holdExpiresAt.map { ", hold lapses \(ISO8601DateFormatter().string(from: $0))" } ?? "")
                      priorities \(b.priorities.isEmpty ? "—" : b.priorities.enumerated().map { "\($0.offset + 1). \($0.element)" }.joined(separator: "  "))
                      contact    \(b.contact ?? "—")
                      price      \(money(b.priceCents)); deposit \(money(b.deposit.amountCents)) due \(b.deposit.due); paid \(money(b.paidCents)); owes \(money(b.balanceCents))
                    """)
                if let r = b.refundCents { print("  refund     \(b.refundPercent ?? 0)% = \(money(r))") }
                for p in b.payments { print("  payment    \(p.date)  \(money(p.amountCents))\(p.note.map { "  \($0)" } ?? "")") }
                for h in history { print("  history    \(ISO8601DateFormatter().string(from: h.at))  \(h.action) by \(h.actor)") }
            }
        }
    }
}
