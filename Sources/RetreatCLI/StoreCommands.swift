import ArgumentParser
import Foundation
import RetreatApp
import RetreatScheduling

extension RetreatCommand {
    struct Audit: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the audit log of every change (who, what, when, before and after).")

        @OptionGroup var store: StoreOptions
        @Option(help: "Only entries about this id.") var id: String?
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            let log = try store.service().auditLog(entityID: id)
            if json { return try printJSON(log) }
            let format = ISO8601DateFormatter()
            for e in log { Terminal.print("\(format.string(from: e.at))  \(e.actor)  \(e.action)  \(e.entity) \(e.entityID)  \(e.detail)") }
        }
    }

    struct Backup: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Copy the store to a new SQLite file (one consistent snapshot, safe while others write; complete or not at all).",
            discussion: "A PostgreSQL store is backed up in the same format, so `restore` reads it into either kind of store.")
        @OptionGroup var store: StoreOptions
        @Option(help: "The backup file to create (must not exist).") var out: String

        func validate() throws {
            if out.isEmpty { throw ValidationError("--out must not be empty; give the backup file to create.") }
        }

        func run() throws {
            let service = try store.service()
            try service.backup(to: out)
            Terminal.print("backed up \(service.location) to \(out)")
        }
    }

    struct Restore: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Replace the store's contents with a backup, after checking a private copy of it (schema, integrity, invariants, settings).",
            discussion: "Works on a file or a PostgreSQL store (--db postgres://...): all of it in one transaction, or nothing.")
        @OptionGroup var store: StoreOptions
        @Argument(help: "The backup file.") var file: String

        func run() throws {
            guard FileManager.default.fileExists(atPath: file) else { throw AppError(.notFound, "cannot read \(file): no such file") }
            let service = try store.service(create: true)
            try service.restore(from: file)
            Terminal.print("restored \(service.location) from \(file)")
        }
    }

    struct ExportData: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "export-data",
            abstract: "Write every record (settings, bookings, payments, blackouts, waitlist, series, intakes, agendas, audit log) as JSON.")
        @OptionGroup var store: StoreOptions
        @Flag(help: "JSON (the only format; accepted for symmetry with other commands).") var json = false

        func run() throws {
            try printJSON(try store.service().exportAll())
        }
    }

    /// The main job on the embedded default: a demo store, a sample intensive booked, calendars exported.
    struct Demo: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Book a sample intensive in a demo store and export its calendars into a folder.")

        @Option(help: "Folder to write the calendars into.") var out: String = "Calendars"
        @Option(help: "Practice settings (TOML); the module catalog is read from agenda-modules.toml beside it.") var config: String =
            "Fixtures/practice.toml"
        @Option(help: "Demo store to create (replaced only when an earlier demo made it).") var db: String = ".build/demo/retreat.sqlite"

        func run() throws {
            // A fixed clock keeps the committed sample calendars stable (RETREAT_NOW overrides it).
            let now =
                ProcessInfo.processInfo.environment["RETREAT_NOW"].flatMap { ISO8601DateFormatter().date(from: $0) }
                ?? ISO8601DateFormatter().date(from: "2026-12-01T15:00:00Z") ?? Date()
            let report = try RetreatApp.Demo.run(config: config, db: db, out: out, now: now)
            for line in report.lines { Terminal.print(line) }
        }
    }
}
