import Foundation
import Testing

@testable import RetreatPostgres

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

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

struct TestFailure: Error, CustomStringConvertible {
    var description: String
}

/// A scratch store initialised from Fixtures/practice.toml with the clock at 2026-12-01 15:00 UTC: a file in a
/// folder of its own, or (`postgres`) a schema of its own in the database `$RETREAT_TEST_POSTGRES` names.
struct Sandbox {
    let dir: URL
    /// The store: a file path or a `postgres://` URL.
    let db: String
    let postgres: Bool
    static let now = "2026-12-01T15:00:00Z"

    init(initialise: Bool = true, postgres: Bool = false) throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("retreat-serve-\(UUID().uuidString)")
        self.postgres = postgres
        if postgres {
            guard let base = ProcessInfo.processInfo.environment["RETREAT_TEST_POSTGRES"], !base.isEmpty else {
                try Test.cancel("PostgreSQL not available: RETREAT_TEST_POSTGRES is not set (`make test` starts a throwaway cluster when it can)")
            }
            let schema = "s_\(UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(20))"
            db = base + (base.contains("?") ? "&" : "?") + "schema=\(schema)"
        } else {
            db = dir.appendingPathComponent("retreat.sqlite").path
        }
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        if initialise {
            let r = try run(["init", "--config", repoRoot.appendingPathComponent("Fixtures/practice.toml").path])
            guard r.code == 0 else { throw TestFailure(description: "init failed: \(r.err)") }
        }
    }

    /// Removes the folder (and the PostgreSQL schema).
    func cleanup() {
        try? FileManager.default.removeItem(at: dir)
        if postgres, let location = try? PostgresLocation(url: db), location.schema != "public", let connector = try? PostgresConnector(location) {
            _ = try? connector.withSession { session in try session.execute("DROP SCHEMA IF EXISTS \(location.schema) CASCADE") }
        }
    }

    func environment(_ extra: [String: String] = [:]) -> [String: String] {
        var env = ProcessInfo.processInfo.environment
        env["RETREAT_DB"] = db
        env["RETREAT_NOW"] = Self.now
        env["RETREAT_ACTOR"] = "tester"
        env.removeValue(forKey: "RETREAT_BASE_URL")
        for (k, v) in extra { env[k] = v }
        return env
    }

    /// Runs `retreat ARGS` against this sandbox's store.
    @discardableResult
    func run(_ args: [String], env extra: [String: String] = [:]) throws -> RunResult {
        let p = Process()
        p.executableURL = retreatBinary
        p.arguments = args
        p.environment = environment(extra)
        p.currentDirectoryURL = dir
        let out = Pipe()
        let err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return RunResult(code: p.terminationStatus, out: String(decoding: o, as: UTF8.self), err: String(decoding: e, as: UTF8.self))
    }

    /// Runs a command that must succeed and prints JSON; returns the parsed object.
    func json(_ args: [String]) throws -> Any {
        let r = try run(args + ["--json"])
        guard r.code == 0 else { throw TestFailure(description: "retreat \(args.joined(separator: " ")) failed (\(r.code)): \(r.err)") }
        return try JSONSerialization.jsonObject(with: Data(r.out.utf8))
    }

    /// Creates a feed and returns (id, token, url path).
    func feed(_ args: [String]) throws -> (id: String, path: String) {
        guard let object = try json(["feeds", "create"] + args) as? [String: Any], let id = object["id"] as? String, let url = object["url"] as? String,
            let range = url.range(of: "/feeds/")
        else { throw TestFailure(description: "feeds create printed no id/url") }
        return (id, String(url[range.lowerBound...]))
    }

    /// Creates an API token with `role` and returns the secret.
    func token(_ role: String) throws -> String {
        guard let object = try json(["tokens", "create", "--role", role]) as? [String: Any], let token = object["token"] as? String else {
            throw TestFailure(description: "tokens create printed no token")
        }
        return token
    }
}

/// `retreat serve --port 0` on loopback, started from the built binary; stopped with SIGTERM.
final class ServerProcess {
    let process = Process()
    let port: Int
    let logFile: URL
    var base: String { "http://127.0.0.1:\(port)" }

    init(_ box: Sandbox, _ args: [String] = [], env: [String: String] = [:]) throws {
        logFile = box.dir.appendingPathComponent("serve-\(UUID().uuidString).log")
        FileManager.default.createFile(atPath: logFile.path, contents: nil)
        process.executableURL = retreatBinary
        process.arguments = ["serve", "--port", "0", "--threads", "2"] + args
        process.environment = box.environment(env)
        process.currentDirectoryURL = box.dir
        let out = Pipe()
        process.standardOutput = out
        process.standardError = try FileHandle(forWritingTo: logFile)
        try process.run()
        var text = ""
        let deadline = Date().addingTimeInterval(60)
        while !text.contains("\n") && Date() < deadline {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            text += String(decoding: chunk, as: UTF8.self)
        }
        guard let range = text.range(of: "http://127.0.0.1:"), let port = Int(text[range.upperBound...].prefix { $0.isNumber }) else {
            process.terminate()
            process.waitUntilExit()
            throw TestFailure(description: "the server did not start: \(text) \(String(decoding: (try? Data(contentsOf: logFile)) ?? Data(), as: UTF8.self))")
        }
        self.port = port
    }

    /// Sends SIGTERM and waits; returns the exit status and everything the server logged.
    @discardableResult
    func stop() -> (code: Int32, log: String) {
        if process.isRunning { kill(process.processIdentifier, SIGTERM) }
        process.waitUntilExit()
        return (process.terminationStatus, log)
    }

    var log: String { String(decoding: (try? Data(contentsOf: logFile)) ?? Data(), as: UTF8.self) }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }
}

/// One HTTP exchange as the client saw it.
struct HTTPResult {
    var status: Int
    var headers: [String: String]
    var body: Data
    var text: String { String(decoding: body, as: UTF8.self) }
    func header(_ name: String) -> String? { headers[name.lowercased()] }
    var json: Any? { try? JSONSerialization.jsonObject(with: body) }
}

/// A real HTTP client (Foundation's URLSession, libcurl underneath): no cookie store, no cache, no redirects.
enum HTTP {
    final class NoRedirects: NSObject, URLSessionTaskDelegate {
        func urlSession(
            _ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse, newRequest request: URLRequest,
            completionHandler: @escaping (URLRequest?) -> Void
        ) {
            completionHandler(nil)
        }
    }

    nonisolated(unsafe) static let session: URLSession = {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpCookieStorage = nil
        configuration.httpShouldSetCookies = false
        configuration.urlCache = nil
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        configuration.httpMaximumConnectionsPerHost = 32
        configuration.timeoutIntervalForRequest = 60
        return URLSession(configuration: configuration, delegate: NoRedirects(), delegateQueue: nil)
    }()

    static func request(_ method: String, _ url: String, headers: [String: String] = [:], body: Data? = nil) async throws -> HTTPResult {
        guard let u = URL(string: url) else { throw TestFailure(description: "bad URL \(url)") }
        var request = URLRequest(url: u)
        request.httpMethod = method
        request.httpBody = body
        for (k, v) in headers { request.setValue(v, forHTTPHeaderField: k) }
        return try await withCheckedThrowingContinuation { continuation in
            session.dataTask(with: request) { data, response, error in
                if let error {
                    continuation.resume(throwing: error)
                    return
                }
                guard let http = response as? HTTPURLResponse else {
                    continuation.resume(throwing: TestFailure(description: "no HTTP response"))
                    return
                }
                var fields: [String: String] = [:]
                for (k, v) in http.allHeaderFields {
                    if let k = k as? String, let v = v as? String { fields[k.lowercased()] = v }
                }
                continuation.resume(returning: HTTPResult(status: http.statusCode, headers: fields, body: data ?? Data()))
            }.resume()
        }
    }

    static func get(_ url: String, headers: [String: String] = [:]) async throws -> HTTPResult {
        try await request("GET", url, headers: headers)
    }

    static func json(_ method: String, _ url: String, token: String?, _ object: Any? = nil) async throws -> HTTPResult {
        var headers = ["Content-Type": "application/json"]
        if let token { headers["Authorization"] = "Bearer \(token)" }
        let body = try object.map { try JSONSerialization.data(withJSONObject: $0) }
        return try await request(method, url, headers: headers, body: body)
    }

    /// An `application/x-www-form-urlencoded` body.
    static func form(_ fields: [(String, String)]) -> Data {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return Data(
            fields.map { "\($0.0.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")" }
                .joined(separator: "&").utf8)
    }
}

/// The independent iCalendar validator (../shared/tools/ics-validate.py with its venv and licheck from
/// `make ics-validator`).
enum Validator {
    static let script = repoRoot.appendingPathComponent("../shared/tools/ics-validate.py").standardizedFileURL.path
    static let python = repoRoot.appendingPathComponent(".build/icsval/bin/python").path
    static let licheck = repoRoot.appendingPathComponent(".build/licheck").path

    /// Why it cannot run here, or nil.
    static let missing: String? = {
        if !FileManager.default.fileExists(atPath: script) { return "../shared/tools/ics-validate.py is missing" }
        if !FileManager.default.isExecutableFile(atPath: python) || !FileManager.default.isExecutableFile(atPath: licheck) {
            return "the validator's venv .build/icsval or .build/licheck is missing (run `make ics-validator`)"
        }
        return nil
    }()

    /// Validates `text` (saved as `name` in `dir`): nil when it passes, else the validator's output. Prints a
    /// skip line and returns nil when the validator is unavailable.
    static func problems(_ text: String, name: String, in dir: URL) throws -> String? {
        if let missing {
            print("SKIPPED ics-validate.py on \(name): \(missing)")
            return nil
        }
        let file = dir.appendingPathComponent(name)
        try Data(text.utf8).write(to: file)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: python)
        p.arguments = [script, file.path]
        var env = ProcessInfo.processInfo.environment
        env["LICHECK"] = licheck
        p.environment = env
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return p.terminationStatus == 0 ? nil : String(decoding: data, as: UTF8.self)
    }
}
