import ArgumentParser
import Foundation
import RetreatScheduling
import RetreatStore

extension RetreatCommand {
    struct Availability: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the start dates where an intensive fits.")

        @OptionGroup var store: StoreOptions
        @Option(help: "First start date to consider (YYYY-MM-DD).") var from: String
        @Option(help: "Last start date to consider (YYYY-MM-DD).") var to: String
        @Option(help: "Only this resource.") var resource: String?
        @Flag(help: "Print JSON: [{\"start\",\"end\",\"resource\"}].") var json = false

        func run() throws {
            try guarded {
                let range = try parseRange(from: from, to: to)
                let ctx = try Context.open(store)
                _ = try ctx.store.sweep(now: ctx.now)
                let slots = try ctx.store.availability(from: range.lowerBound, to: range.upperBound, resource: resource, now: ctx.now)
                if json { return try printJSON(slots) }
                if slots.isEmpty { print("no start date between \(range.lowerBound) and \(range.upperBound) is free") }
                for s in slots { print("\(s.start) … \(s.end)  \(s.resource)") }
            }
        }
    }
}
