import ArgumentParser
import Foundation
import RetreatStore

extension RetreatCommand {
    struct Backup: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Copy the store to a new file (SQLite online backup: safe while others write).")
        @OptionGroup var store: StoreOptions
        @Option(help: "The backup file to create (must not exist).") var out: String

        func run() throws {
            try guarded {
                let ctx = try Context.open(store)
                try ctx.store.backup(to: out)
                print("backed up \(ctx.store.path) to \(out)")
            }
        }
    }
}
