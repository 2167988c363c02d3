import ArgumentParser
import Foundation
import RetreatScheduling
import RetreatStore

extension RetreatCommand {
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
