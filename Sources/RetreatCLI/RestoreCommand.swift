import ArgumentParser
import Foundation
import RetreatStore

extension RetreatCommand {
    struct Restore: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Replace the store's contents with a backup (refuses files that are not Retreat stores or are of a newer schema).")
        @OptionGroup var store: StoreOptions
        @Argument(help: "The backup file.") var file: String

        func run() throws {
            try guarded {
                let ctx = try Context.open(store, create: true)
                try ctx.store.restore(from: file, now: ctx.now, actor: ctx.actor)
                print("restored \(ctx.store.path) from \(file)")
            }
        }
    }
}
