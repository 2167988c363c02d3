import ArgumentParser
import Foundation
import RetreatApp
import RetreatScheduling

extension RetreatCommand {
    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Explain whether an intensive can start on one date, and every reason if not (exit 3 when it cannot).")

        @OptionGroup var store: StoreOptions
        @Argument(help: "Start date (YYYY-MM-DD).", transform: Parse.day) var date: CalendarDay
        @Option(help: "Only this resource.") var resource: String?
        @Flag(help: "Print JSON: {\"start\",\"available\",\"resources\":[{\"resource\",\"available\",\"reasons\"}]}.") var json = false

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
            let check = try store.service().check(start: date, resource: resource)
            if json {
                try printJSON(
                    Result(
                        start: check.start, available: check.available,
                        resources: check.resources.map { .init(resource: $0.resource, available: $0.rejections.isEmpty, reasons: $0.rejections) }))
            } else {
                for r in check.resources {
                    if r.rejections.isEmpty {
                        Terminal.print("\(date) on \(r.resource): available")
                    } else {
                        Terminal.print("\(date) on \(r.resource): not available")
                        for reason in r.rejections { Terminal.print("  - \(reason.reason.rawValue): \(reason.message)") }
                    }
                }
            }
            if !check.available { throw ExitCode(3) }
        }
    }
}
