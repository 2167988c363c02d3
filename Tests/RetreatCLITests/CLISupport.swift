import Foundation
import Testing

@testable import RetreatPostgres

/// Repository root, found from this file.
let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// The built `retreat` executable next to the test bundle.
let retreatBinary: URL = {
    let bundle = Bundle.main.bundleURL
    let candidates = [
        bundle.deletingLastPathComponent().appendingPathComponent("retreat"),
        bundle.appendingPathComponent("retreat"),
        repoRoot.appendingPathComponent(".build/debug/retreat"),
    ]
    return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? candidates[2]
}()

struct RunResult {
    var code: Int32
    var out: String
    var err: String
}

/// The store a CLI test runs against: `@Test(arguments: StoreKind.allCases)`.
enum StoreKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    /// A file in the sandbox folder.
    case sqlite
    /// A schema of its own in the database `$RETREAT_TEST_POSTGRES` names; the test is cancelled (shown, with the
    /// reason) when it is not set.
    case postgres

    var testDescription: String { rawValue }
}

/// A scratch store initialised from Fixtures/practice.toml with the clock at 2026-12-01.
struct Sandbox {
    let dir: URL
    /// The store: a file path, or a `postgres://` URL with a schema of its own.
    let db: String
    let kind: StoreKind
    let now = "2026-12-01T15:00:00Z"

    init(_ kind: StoreKind = .sqlite, initialise: Bool = true) throws {
        self.kind = kind
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("retreat-cli-\(UUID().uuidString)")
        switch kind {
        case .sqlite:
            db = dir.appendingPathComponent("retreat.sqlite").path
        case .postgres:
            guard let base = ProcessInfo.processInfo.environment["RETREAT_TEST_POSTGRES"], !base.isEmpty else {
                try Test.cancel("PostgreSQL not available: RETREAT_TEST_POSTGRES is not set (`make test` starts a throwaway cluster when it can)")
            }
            let schema = "c_\(UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(20))"
            db = base + (base.contains("?") ? "&" : "?") + "schema=\(schema)"
        }
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        if initialise {
            let r = try run(["init", "--config", repoRoot.appendingPathComponent("Fixtures/practice.toml").path])
            guard r.code == 0 else { throw NSError(domain: "init failed: \(r.err)", code: Int(r.code)) }
        }
    }

    /// Removes the folder (and the PostgreSQL schema: the throwaway cluster goes anyway, a developer's stays tidy).
    func cleanup() {
        try? FileManager.default.removeItem(at: dir)
        if kind == .postgres { TestSchemas.drop(db) }
    }

    /// Runs `retreat ARGS` against this sandbox's store.
    @discardableResult
    func run(_ args: [String], env extra: [String: String] = [:]) throws -> RunResult {
        let p = start(args, env: extra)
        let outPipe = p.standardOutput as? Pipe
        let errPipe = p.standardError as? Pipe
        try p.run()
        let out = outPipe?.fileHandleForReading.readDataToEndOfFile() ?? Data()
        let err = errPipe?.fileHandleForReading.readDataToEndOfFile() ?? Data()
        p.waitUntilExit()
        return RunResult(code: p.terminationStatus, out: String(decoding: out, as: UTF8.self), err: String(decoding: err, as: UTF8.self))
    }

    /// A configured, not yet started process.
    func start(_ args: [String], env extra: [String: String] = [:]) -> Process {
        let p = Process()
        p.executableURL = retreatBinary
        p.arguments = args
        var env = ProcessInfo.processInfo.environment
        env["RETREAT_DB"] = db
        env["RETREAT_NOW"] = now
        env["RETREAT_ACTOR"] = "tester"
        for (k, v) in extra { env[k] = v }
        p.environment = env
        p.currentDirectoryURL = dir
        p.standardOutput = Pipe()
        p.standardError = Pipe()
        return p
    }

    /// The store file's bytes (its -wal too, when one is left), to prove a command changed nothing.
    func fileBytes() throws -> [Data] {
        try ["", "-wal"].compactMap { suffix in
            let path = db + suffix
            return FileManager.default.fileExists(atPath: path) ? try Data(contentsOf: URL(fileURLWithPath: path)) : nil
        }
    }

    /// What the store says it holds, to prove a rejected command changed nothing.
    func snapshot() throws -> String {
        let r = try run(["list", "--json"])
        let a = try run(["audit", "--json"])
        let b = try run(["blackout", "list", "--json"])
        let w = try run(["waitlist", "list", "--json"])
        return r.out + a.out + b.out + w.out
    }
}

/// Dropping a test's PostgreSQL schema.
enum TestSchemas {
    static func drop(_ url: String) {
        guard let location = try? PostgresLocation(url: url), location.schema != "public", let connector = try? PostgresConnector(location) else { return }
        _ = try? connector.withSession { session in try session.execute("DROP SCHEMA IF EXISTS \(location.schema) CASCADE") }
    }
}

/// The independent iCalendar validator ../shared/tools/ics-validate.py (five parsers plus libical's own checks),
/// run from the venv and licheck that `make ics-validator` prepares. Never copied into the repository.
enum IndependentValidator {
    static let script = repoRoot.appendingPathComponent("../shared/tools/ics-validate.py").standardizedFileURL.path
    static let python = repoRoot.appendingPathComponent(".build/icsval/bin/python").path
    static let licheck = repoRoot.appendingPathComponent(".build/licheck").path

    /// Why it cannot run here, or nil.
    static var missing: String? {
        if !FileManager.default.fileExists(atPath: script) { return "../shared/tools/ics-validate.py is missing" }
        if !FileManager.default.isExecutableFile(atPath: python) || !FileManager.default.isExecutableFile(atPath: licheck) {
            return "the validator's venv or licheck is missing (run `make ics-validator`)"
        }
        return nil
    }

    /// Validates `files`; returns the exit code and everything it printed.
    static func check(_ files: [String]) throws -> (code: Int32, output: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: python)
        p.arguments = [script] + files
        var env = ProcessInfo.processInfo.environment
        env["LICHECK"] = licheck
        p.environment = env
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        try p.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
