import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

@testable import RetreatPostgres

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Repository root, found from this file.
let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// The built `retreat` executable next to the test bundle, or `$RETREAT_TEST_BINARY` (to run these tests
/// against another build, e.g. to see a new test fail on the build before a fix).
let retreatBinary: URL = {
    if let given = ProcessInfo.processInfo.environment["RETREAT_TEST_BINARY"], !given.isEmpty { return URL(fileURLWithPath: given) }
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
    /// The host as it goes in a URL (`127.0.0.1`, `[::1]`).
    let urlHost: String
    var base: String { "http://\(urlHost):\(port)" }

    init(_ box: Sandbox, _ args: [String] = [], env: [String: String] = [:], host: String = "127.0.0.1") throws {
        logFile = box.dir.appendingPathComponent("serve-\(UUID().uuidString).log")
        FileManager.default.createFile(atPath: logFile.path, contents: nil)
        urlHost = host.contains(":") ? "[\(host)]" : host
        process.executableURL = retreatBinary
        process.arguments = ["serve", "--host", host, "--port", "0", "--threads", "2"] + args
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
        guard let range = text.range(of: "serving on http://\(urlHost):"), let port = Int(text[range.upperBound...].prefix { $0.isNumber }) else {
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

    /// Waits up to `seconds` for the process to exit; true when it did (a bound against hanging, not a timing).
    func waitForExit(seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning && Date() < deadline { usleep(50_000) }
        return !process.isRunning
    }

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

/// A raw TCP connection to the server, for what an HTTP client library will not do (stall, half-send).
final class RawConnection {
    let fd: Int32

    /// Connects to 127.0.0.1:`port` (`ipv6`: [::1]:`port`); reads give up after `timeout` seconds (a bound
    /// against hanging).
    init(port: Int, ipv6: Bool = false, timeout: Int = 20) throws {
        fd = socket(ipv6 ? AF_INET6 : AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestFailure(description: "socket() failed") }
        var limit = timeval(tv_sec: timeout, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        let connected: Int32
        if ipv6 {
            var address = sockaddr_in6()
            address.sin6_family = sa_family_t(AF_INET6)
            address.sin6_port = in_port_t(UInt16(port).bigEndian)
            address.sin6_addr = in6addr_loopback
            connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
            }
        } else {
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
        }
        guard connected == 0 else {
            close(fd)
            throw TestFailure(description: "connect() failed")
        }
    }

    /// Sends `text` (all of it, or fails).
    @discardableResult
    func send(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        return write(fd, bytes, bytes.count) == bytes.count
    }

    /// What the server sends until it closes the connection, or nil when the read timed out first.
    func readToEnd() -> String? {
        var response = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = read(fd, &buffer, buffer.count)
            if n == 0 { return String(decoding: response, as: UTF8.self) }
            if n < 0 { return errno == ECONNRESET ? String(decoding: response, as: UTF8.self) : nil }
            response += buffer.prefix(n)
        }
    }

    deinit { close(fd) }
}

/// One HTTP/1.1 exchange over a raw connection (for what URLSession cannot reach, such as `http://[::1]:PORT`).
enum RawHTTP {
    static func exchange(port: Int, ipv6: Bool, _ method: String, _ path: String, headers: [String: String] = [:], body: Data = Data()) throws
        -> HTTPResult
    {
        let c = try RawConnection(port: port, ipv6: ipv6)
        var head = "\(method) \(path) HTTP/1.1\r\nHost: \(ipv6 ? "[::1]" : "127.0.0.1"):\(port)\r\nConnection: close\r\n"
        for (k, v) in headers { head += "\(k): \(v)\r\n" }
        head += "Content-Length: \(body.count)\r\n\r\n"
        guard c.send(head + String(decoding: body, as: UTF8.self)), let text = c.readToEnd(), let split = text.range(of: "\r\n\r\n") else {
            throw TestFailure(description: "no answer from the server")
        }
        let lines = text[..<split.lowerBound].components(separatedBy: "\r\n")
        let status = Int(lines.first?.split(separator: " ").dropFirst().first ?? "") ?? 0
        var fields: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            fields[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return HTTPResult(status: status, headers: fields, body: Data(text[split.upperBound...].utf8))
    }
}

/// A port nobody listens on now (bound and released; another process could take it meanwhile, rarely).
func freePort(ipv6: Bool = false) throws -> Int {
    let fd = socket(ipv6 ? AF_INET6 : AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw TestFailure(description: "socket() failed") }
    defer { close(fd) }
    var storage = sockaddr_storage()
    var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
    if ipv6 {
        var address = sockaddr_in6()
        address.sin6_family = sa_family_t(AF_INET6)
        address.sin6_addr = in6addr_loopback
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
        }
        guard bound == 0 else { throw TestFailure(description: "bind() on ::1 failed") }
    } else {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw TestFailure(description: "bind() failed") }
    }
    let named = withUnsafeMutablePointer(to: &storage) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
    }
    guard named == 0 else { throw TestFailure(description: "getsockname() failed") }
    let port = withUnsafePointer(to: &storage) { pointer -> UInt16 in
        ipv6
            ? pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee.sin6_port }
            : pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_port }
    }
    return Int(UInt16(bigEndian: port))
}
