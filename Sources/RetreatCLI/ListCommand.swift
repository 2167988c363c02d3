import ArgumentParser
import Foundation
import RetreatApp
import RetreatScheduling
import RetreatStore

extension RetreatCommand {
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List bookings by start date, filtered by dates, status and money owed.")

        @OptionGroup var store: StoreOptions
        @Option(help: "Bookings that end on or after this day.", transform: Parse.day) var from: CalendarDay?
        @Option(help: "Bookings that start on or before this day.", transform: Parse.day) var to: CalendarDay?
        @Option(help: "Only this status (repeatable).") var status: [BookingStatus] = []
        @Flag(help: "Only bookings with a balance still owed or a credit to return.") var owing = false
        @Flag(help: "Only live bookings whose deposit is past due.") var depositOverdue = false
        @Flag(help: "Include each booking's priority issues in --json (clinical, so left out unless asked for).") var withPriorities = false
        @Flag(help: "Print JSON.") var json = false

        func validate() throws { try checkRange(from, to) }

        func run() throws {
            let list = try store.service().bookingList(
                BookingFilter(from: from, to: to, statuses: Set(status), owing: owing, depositOverdue: depositOverdue))
            let bookings = list.bookings
            if json {
                return try printJSON(
                    bookings.map { b in
                        var out = BookingJSON(b)
                        if !withPriorities { out.priorities = nil }
                        return out
                    })
            }
            let currency = list.display.currency
            if bookings.isEmpty { Swift.print("no bookings match") }
            for b in bookings { Terminal.print(describe(b, currency: currency)) }
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
            var note: String?
            var payments: [Payment]
            var history: [AuditEntry]
        }

        func run() throws {
            let detail = try store.service().bookingDetail(id: id)
            let b = detail.booking
            let history = detail.history
            if json { return try printJSON(Out(booking: BookingJSON(b), contact: b.contact, note: detail.note, payments: b.payments, history: history)) }
            let settings = detail.display
            func m(_ c: Int) -> String { money(c, settings.currency) }
            let lapse = b.holdExpiresAt.map { ", hold lapses \(local($0, settings.timeZone)) unless the deposit is recorded" } ?? ""
            for line in """
            \(b.id)  \(Terminal.safe(b.couple))
              dates      \(b.start) … \(b.end) on \(Terminal.safe(b.resource))
              status     \(b.status.rawValue) (sequence \(b.sequence))\(b.status == .held ? lapse : "")
              priorities \(b.priorities.isEmpty ? "—" : b.priorities.enumerated().map { "\($0.offset + 1). \(Terminal.safe($0.element))" }.joined(separator: "  "))
              contact    \(Terminal.safe(b.contact ?? "—"))
              price      \(m(b.priceCents)); deposit \(m(b.deposit.amountCents)) due \(b.deposit.due); paid \(m(b.paidCents)); owes \(m(b.balanceCents))
            """.split(separator: "\n") { Terminal.print(String(line)) }
            if let note = detail.note { Terminal.print("  note       \(note.replacingOccurrences(of: "\n", with: " / "))") }
            if b.creditCents > 0 { Terminal.print("  credit     \(m(b.creditCents)) paid beyond the price, to return") }
            if let r = b.refundCents {
                Terminal.print("  refund     \(b.refundPercent ?? 0)% = \(m(r))\(b.cancellationReason.map { "; reason: \($0)" } ?? "")")
            }
            for p in b.payments {
                Terminal.print("  payment    #\(p.id ?? 0)  \(p.date)  \(m(p.amountCents))\(p.voided ? "  (void)" : "")\(p.note.map { "  \($0)" } ?? "")")
            }
            for h in history { Terminal.print("  history    \(ISO8601DateFormatter().string(from: h.at))  \(h.action) by \(h.actor)") }
        }
    }
}
