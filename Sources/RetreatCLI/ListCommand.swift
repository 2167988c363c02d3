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
                let statuses = try Set(
                    status.map { s in
                        guard let st = BookingStatus(rawValue: s.lowercased()) else {
                            throw CLIError("--status \"\(s)\" is not one of \(BookingStatus.allCases.map(\.rawValue).joined(separator: ", "))")
                        }
                        return st
                    })
                let filter = BookingFilter(
                    from: try from.map { try day($0, "--from") }, to: try to.map { try day($0, "--to") },
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
}
