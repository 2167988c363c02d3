import ArgumentParser
import Foundation
import RetreatScheduling
import RetreatStore

extension RetreatCommand {
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List bookings by start date, filtered by dates, status and money owed.")

        @OptionGroup var store: StoreOptions
        @Option(help: "Bookings that end on or after this day.") var from: String?
        @Option(help: "Bookings that start on or before this day.") var to: String?
        @Option(help: "Only this status (repeatable): held, confirmed, completed, cancelled, expired.") var status: [String] = []
        @Flag(help: "Only bookings with a balance still owed.") var owing = false
        @Flag(help: "Only live bookings whose deposit is past due.") var depositOverdue = false
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            try guarded {
                let statuses = try Set(status.map { s in
                    guard let st = BookingStatus(rawValue: s.lowercased()) else {
                        throw CLIError("--status \"\(s)\" is not one of \(BookingStatus.allCases.map(\.rawValue).joined(separator: ", "))")
                    }
                    return st
                })
                let filter = BookingFilter(from: try from.map { try day($0, "--from") }, to: try to.map { try day($0, "--to") },
                                           statuses: statuses, owing: owing, depositOverdue: depositOverdue)
                if let f = filter.from, let t = filter.to, t < f { throw CLIError("--to \(t) is before --from \(f)") }
                let ctx = try Context.open(store)
                _ = try ctx.store.sweep(now: ctx.now)
                let bookings = try ctx.store.bookings(matching: filter, now: ctx.now)
                if json { return try printJSON(bookings.map { BookingJSON($0) }) }
                let currency = try ctx.store.settings().currency
                if bookings.isEmpty { print("no bookings match") }
                for b in bookings { print(describe(b, currency: currency)) }
            }
        }
    }

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
                print("""
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

    struct Audit: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the audit log of every change (who, what, when).")

        @OptionGroup var store: StoreOptions
        @Option(help: "Only entries about this id.") var id: String?
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            try guarded {
                let ctx = try Context.open(store)
                let log = try ctx.store.auditLog(entityID: id)
                if json { return try printJSON(log) }
                for e in log { print("\(ISO8601DateFormatter().string(from: e.at))  \(e.actor)  \(e.action)  \(e.entity) \(e.entityID)  \(e.detail)") }
            }
        }
    }
}
