import Foundation
import RetreatApp
import RetreatConfig
import RetreatScheduling
import RetreatStore
import Testing

@testable import RetreatPostgres

/// The stores every store and use-case test runs against: `@Test(arguments: StoreKind.allCases)`.
enum StoreKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    /// A file in a temporary folder.
    case sqlite
    /// A schema of its own in the database named by `$RETREAT_TEST_POSTGRES` (`make test` starts a throwaway
    /// cluster and sets it); without it the PostgreSQL case is cancelled with the reason, never passed.
    case postgres

    var testDescription: String { rawValue }
}

/// The PostgreSQL server the tests may use.
enum TestPostgres {
    /// `$RETREAT_TEST_POSTGRES`, a `postgres://` URL of a database where the tests may create schemas.
    static var url: String? {
        ProcessInfo.processInfo.environment["RETREAT_TEST_POSTGRES"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The URL of a new, unused schema in the test database; cancels the running test (printed as skipped, with
    /// the reason) when no server was given.
    static func freshSchemaURL(_ prefix: String = "t") throws -> String {
        guard let url else {
            try Test.cancel("PostgreSQL not available: RETREAT_TEST_POSTGRES is not set (`make test` starts a throwaway cluster when it can)")
        }
        let schema = "\(prefix)_\(UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(20))"
        return url + (url.contains("?") ? "&" : "?") + "schema=\(schema)"
    }

    /// Drops the schema a test used (the test database stays).
    static func dropSchema(of url: String) {
        guard let location = try? PostgresLocation(url: url), location.schema != "public", let connector = try? PostgresConnector(location) else { return }
        _ = try? connector.withSession { session in try session.execute("DROP SCHEMA IF EXISTS \(location.schema) CASCADE") }
    }
}

/// Says, once per run, whether the PostgreSQL half of the suite runs: cancelled (shown as such, with the reason)
/// when no server was given, so a run without PostgreSQL never looks like one with it.
@Suite struct PostgresHalf {
    @Test func thePostgreSQLHalfOfTheSuiteRuns() throws {
        let url = try TestPostgres.freshSchemaURL()
        let store = try PostgresStore(url: url, create: true)
        defer { TestPostgres.dropSchema(of: url) }
        #expect(try store.read { try $0.isInitialized() } == false)
    }
}

/// A fresh store of the given kind, initialised with settings whose `today` is 2026-12-01 (New York).
final class Practice {
    let kind: StoreKind
    let dir: URL
    let store: any PracticeStore
    /// The file path or URL the store was opened with.
    let path: String

    init(_ kind: StoreKind = .sqlite, _ configure: (inout PracticeSettings) -> Void = { _ in }) throws {
        self.kind = kind
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("retreat-app-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        switch kind {
        case .sqlite:
            path = dir.appendingPathComponent("r.sqlite").path
            store = try SQLiteStore(path: path, create: true)
        case .postgres:
            path = try TestPostgres.freshSchemaURL()
            store = try PostgresStore(url: path, create: true)
        }
        var settings = PracticeSettings(timeZoneIdentifier: "America/New_York")
        settings.minimumNoticeDays = 7
        settings.startWeekdays = Set(Weekday.allCases)
        configure(&settings)
        _ = try service().initialize(PracticeConfiguration(settings: settings))
    }

    deinit {
        try? FileManager.default.removeItem(at: dir)
        if kind == .postgres { TestPostgres.dropSchema(of: path) }
    }

    /// The use cases as `actor` at `now`.
    func service(actor: String = "t", at now: Date = testNow) -> RetreatService {
        RetreatService(store: store, actor: actor, clock: { now })
    }

    /// Another store object over the same records, as a second process would open it.
    func reopen() throws -> any PracticeStore {
        switch kind {
        case .sqlite: return try SQLiteStore(path: path)
        case .postgres: return try PostgresStore(url: path)
        }
    }
}

let testNow = ISO8601DateFormatter().date(from: "2026-12-01T15:00:00Z") ?? Date()

func d(_ s: String) -> CalendarDay {
    guard let day = CalendarDay(iso: s) else { fatalError("bad test date \(s)") }
    return day
}
