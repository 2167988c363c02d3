import ArgumentParser
import Foundation
import RetreatApp

extension RetreatCommand {
    struct Migrate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Copy the store into an empty PostgreSQL database in one transaction (records read back and compared, invariants checked).",
            discussion: """
                The source is --db (an SQLite file by default). The target must hold no tables; the password comes from \
                PGPASSWORD or ~/.pgpass, never the URL. Afterwards use the new store with --db URL or RETREAT_DB=URL.
                """)

        @OptionGroup var store: StoreOptions
        @Option(help: "The empty database: postgres://user@host:port/dbname[?sslmode=...&schema=...].") var to: String
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            let report = try store.service().migrate(to: to)
            if json {
                struct Out: Encodable {
                    var from: String
                    var to: String
                    var counts: [String: Int]
                }
                return try printJSON(Out(from: report.from, to: report.to, counts: Dictionary(uniqueKeysWithValues: report.counts.map { ($0.kind, $0.count) })))
            }
            Terminal.print("copied \(report.from) to \(report.to) in one transaction")
            Terminal.print("  " + report.counts.map { "\($0.count) \($0.kind)" }.joined(separator: ", "))
            Terminal.print("  verified before commit: every record read back equal, exclusion constraints and invariants hold")
            Terminal.print("use it with --db \(report.to) (or RETREAT_DB); the file is left as it was")
        }
    }
}
