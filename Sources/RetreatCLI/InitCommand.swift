import ArgumentParser
import Foundation
import RetreatAgenda
import RetreatScheduling
import RetreatStore

extension RetreatCommand {
    struct Init: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create the store (mode 0600) and load the practice settings from a TOML file.")

        @OptionGroup var store: StoreOptions

        @Option(help: "Practice settings in TOML (see Fixtures/practice.toml). Without it, defaults are used.")
        var config: String?

        @Option(help: "Agenda module catalog in TOML (default: agenda-modules.toml beside --config, when there).")
        var modules: String?

        @Flag(help: "Print the stored settings as JSON.")
        var json = false

        func run() throws {
            try guarded {
                var settings = PracticeSettings()
                var profile = PracticeProfile()
                var counselors: [CounselorProfile] = []
                var template: DayTemplate?
                if let config {
                    guard let text = try? String(contentsOfFile: config, encoding: .utf8) else {
                        throw CLIError("cannot read --config \(config): no such file or not UTF-8 text")
                    }
                    (settings, profile, counselors) = try PracticeConfig.loadAll(text, file: config)
                    template = try PracticeConfig.dayTemplate(text, settings: settings, file: config)
                }
                var catalogText: String?
                let catalogPath =
                    modules ?? config.map { (($0 as NSString).deletingLastPathComponent as NSString).appendingPathComponent("agenda-modules.toml") }
                if let catalogPath, modules != nil || FileManager.default.fileExists(atPath: catalogPath) {
                    guard let text = try? String(contentsOfFile: catalogPath, encoding: .utf8) else {
                        throw CLIError("cannot read --modules \(catalogPath): no such file or not UTF-8 text")
                    }
                    do { _ = try ModuleCatalog(toml: text) } catch { throw CLIError("\(catalogPath): \(error)") }
                    catalogText = text
                }
                let ctx = try Context.open(store, create: true)
                try ctx.store.saveSettings(settings, profile: profile, now: ctx.now, actor: ctx.actor)
                if !counselors.isEmpty { try ctx.store.saveCounselors(counselors, now: ctx.now, actor: ctx.actor) }
                if let catalogText { try ctx.store.saveAgendaCatalog(catalogText, now: ctx.now, actor: ctx.actor) }
                if let template {
                    try ctx.store.saveProfileValue(
                        "dayTemplate", String(decoding: try JSONEncoder.sorted.encode(template), as: UTF8.self), action: "day-template", now: ctx.now,
                        actor: ctx.actor)
                }
                if json {
                    try printJSON(SettingsJSON(settings, profile))
                } else {
                    print("initialised \(ctx.store.path) (\(settings.timeZoneIdentifier), resources: \(settings.resources.joined(separator: ", ")))")
                }
            }
        }
    }
}
