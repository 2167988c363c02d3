import ArgumentParser
import Foundation
import RetreatApp
import RetreatScheduling

extension RetreatCommand {
    struct Init: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create the store (mode 0600) and load the practice settings from a TOML file.",
            discussion: "Refuses a store that is already initialised; change settings with `retreat settings set`.")

        @OptionGroup var store: StoreOptions
        @Option(help: "Practice settings in TOML (see Fixtures/practice.toml). Without it, defaults are used.") var config: String?
        @Option(help: "Agenda module catalog in TOML (default: agenda-modules.toml beside --config, when there).") var modules: String?
        @Flag(help: "Print the stored settings as JSON.") var json = false

        func run() throws {
            let (service, overview) = try RetreatService.create(
                path: store.path, configPath: config, modulesPath: modules, actor: Clock.actor(ProcessInfo.processInfo.environment), clock: store.clock())
            if json { return try printJSON(SettingsJSON(overview)) }
            let s = overview.settings
            Terminal.print("initialised \(service.location) (\(s.timeZoneIdentifier), resources: \(s.resources.joined(separator: ", ")))")
        }
    }
}
