import Foundation
import RetreatApp
import RetreatConfig
import RetreatScheduling
import RetreatStore

/// A fresh SQLite store in a temporary folder, initialised with settings whose `today` is 2026-12-01 (New York).
final class Practice {
    let dir: URL
    let store: SQLiteStore
    var path: String { store.path }

    init(_ configure: (inout PracticeSettings) -> Void = { _ in }) throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("retreat-app-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        store = try SQLiteStore(path: dir.appendingPathComponent("r.sqlite").path, create: true)
        var settings = PracticeSettings(timeZoneIdentifier: "America/New_York")
        settings.minimumNoticeDays = 7
        settings.startWeekdays = Set(Weekday.allCases)
        configure(&settings)
        _ = try service().initialize(PracticeConfiguration(settings: settings))
    }

    deinit { try? FileManager.default.removeItem(at: dir) }

    /// The use cases as `actor` at `now`.
    func service(actor: String = "t", at now: Date = testNow) -> RetreatService {
        RetreatService(store: store, actor: actor, clock: { now })
    }
}

let testNow = ISO8601DateFormatter().date(from: "2026-12-01T15:00:00Z") ?? Date()

func d(_ s: String) -> CalendarDay {
    guard let day = CalendarDay(iso: s) else { fatalError("bad test date \(s)") }
    return day
}
