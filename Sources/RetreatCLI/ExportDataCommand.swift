import ArgumentParser
import Foundation
import RetreatStore

extension RetreatCommand {
    struct ExportData: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "export-data", abstract: "Write every record (settings, bookings, payments, blackouts, waitlist, audit log) as JSON.")
        @OptionGroup var store: StoreOptions
        @Flag(help: "JSON (the only format; accepted for symmetry with other commands).") var json = false

        func run() throws {
            try guarded {
                let ctx = try Context.open(store)
                try printJSON(try ctx.store.exportAll(now: ctx.now))
            }
        }
    }
}
