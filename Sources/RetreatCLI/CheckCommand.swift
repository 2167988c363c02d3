import ArgumentParser
import Foundation
import RetreatScheduling
import RetreatStore

extension RetreatCommand {
    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Explain whether an intensive can start on one date, and every reason if not.")

        @OptionGroup var store: StoreOptions
        @Argument(help: "Start date (YYYY-MM-DD).") var date: String
        @Option(help: "Only this resource.") var resource: String?
        @Flag(help: "Print JSON.") var json = false

        struct Result: Encodable {
            var start: CalendarDay
            var available: Bool
            var resources: [Entry]
            struct Entry: Encodable {
                var resource: String
                var available: Bool
                var reasons: [RejectionDetail]
            }
        }

        func run() throws {
            try guarded {
                let start = try day(date, "date")
                let ctx = try Context.open(store)
                _ = try ctx.store.sweep(now: ctx.now)
                let results = try ctx.store.check(start: start, resource: resource, now: ctx.now)
                let out = Result(
                    start: start, available: results.contains { $0.rejections.isEmpty },
                    resources: results.map { .init(resource: $0.resource, available: $0.rejections.isEmpty, reasons: $0.rejections) })
                if json {
                    try printJSON(out)
                } else {
                    for r in out.resources {
                        if r.available {
                            print("\(start) on \(r.resource): available")
                        } else {
                            print("\(start) on \(r.resource): not available")
                            for reason in r.reasons { print("  - \(reason.reason.rawValue): \(reason.message)") }
                        }
                    }
                }
                if !out.available { throw ExitCode(3) }
            }
        }
    }
}
