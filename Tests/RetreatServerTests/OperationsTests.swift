import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Running the server: health, refusing to listen beyond loopback without --public and an https base URL,
/// clear start-up errors, and a graceful SIGTERM that lets a request in flight finish.
@Suite struct OperationsTests {
    @Test func healthAnswers() async throws {
        let box = try Sandbox()
        defer { box.cleanup() }
        let server = try ServerProcess(box)
        let health = try await HTTP.get(server.base + "/health")
        #expect(health.status == 200)
        #expect((health.json as? [String: String])?["status"] == "ok")
        #expect(health.header("Server") == "retreat")
        let stopped = server.stop()
        #expect(stopped.code == 0, "SIGTERM must stop the server cleanly: \(stopped.log)")
        #expect(stopped.log.contains("route=/health") && stopped.log.contains("status=200"))
    }

    @Test func startUpRefusesNonLoopbackWithoutPublicAndAnHTTPSBaseURL() throws {
        let box = try Sandbox()
        defer { box.cleanup() }
        let open = try box.run(["serve", "--host", "0.0.0.0"])
        #expect(open.code == 64)
        #expect(open.err.contains("not a loopback address") && open.err.contains("--public"))
        let noBase = try box.run(["serve", "--host", "0.0.0.0", "--public"])
        #expect(noBase.code == 64 && noBase.err.contains("--base-url"))
        let plain = try box.run(["serve", "--host", "0.0.0.0", "--public", "--base-url", "http://book.example.org"])
        #expect(plain.code == 64 && plain.err.contains("https://"))
        let junk = try box.run(["serve", "--base-url", "https://book.example.org/?x=1"])
        #expect(junk.code == 64)
        #expect(try box.run(["serve", "--port", "70000"]).code == 64)
        #expect(try box.run(["serve", "--threads", "0"]).code == 64)
        let missing = try box.run(["serve", "--db", box.dir.appendingPathComponent("none.sqlite").path, "--port", "0"])
        #expect(missing.code == 1 && missing.err.contains("retreat init"))
    }

    /// `retreat serve --public` on every address with `baseURL`, started; its first line of output (the address
    /// it listens on). The caller stops it.
    static func servePublicly(_ box: Sandbox, baseURL: String) throws -> (Process, String) {
        let p = Process()
        p.executableURL = retreatBinary
        p.arguments = ["serve", "--host", "0.0.0.0", "--public", "--base-url", baseURL, "--port", "0"]
        p.environment = box.environment()
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        return (p, String(decoding: out.fileHandleForReading.availableData, as: UTF8.self))
    }

    @Test func publicWithAnHTTPSBaseURLListensAndLinksUseIt() async throws {
        let box = try Sandbox()
        defer { box.cleanup() }
        let (p, line) = try Self.servePublicly(box, baseURL: "https://book.example.org/")
        defer {
            kill(p.processIdentifier, SIGTERM)
            p.waitUntilExit()
        }
        #expect(line.contains("base URL https://book.example.org)"))
        let range = try #require(line.range(of: "0.0.0.0:"))
        let port = try #require(Int(line[range.upperBound...].prefix { $0.isNumber }))
        let page = try await HTTP.get("http://127.0.0.1:\(port)/request?start=2027-01-11")
        #expect(page.status == 200)
        #expect(page.header("Set-Cookie")?.contains("Secure") == true, "behind https the form cookie must be Secure")
        let session = try await CouplePageTests.open("http://127.0.0.1:\(port)", start: "2027-01-11")
        let fields = [("csrf", session.csrf), ("request", session.request)] + CouplePageTests.couple("2027-01-11")
        for (origin, status) in [("http://127.0.0.1:\(port)", 403), ("https://book.example.org", 200)] {
            let r = try await HTTP.request(
                "POST", "http://127.0.0.1:\(port)/request",
                headers: ["Content-Type": "application/x-www-form-urlencoded", "Origin": origin, "Cookie": session.cookie], body: HTTP.form(fields))
            #expect(r.status == status, "Origin \(origin): only the base URL's origin may post the form")
        }
    }

    @Test func aSecondServerOnABusyPortFailsClearly() throws {
        let box = try Sandbox()
        defer { box.cleanup() }
        let server = try ServerProcess(box)
        defer { server.stop() }
        let second = try box.run(["serve", "--port", String(server.port)])
        #expect(second.code == 1)
        #expect(second.err.contains("cannot serve on 127.0.0.1:\(server.port): Address already in use\n"), "\(second.err)")
        #expect(!second.err.contains(")"), "\(second.err)")
    }

    @Test func badPortsAndBaseURLsAreRefusedWithASentence() throws {
        let box = try Sandbox()
        defer { box.cleanup() }
        for args in [["--port", "-1"], ["--port=-1"], ["--port", "65536"]] {
            let r = try box.run(["serve"] + args)
            #expect(r.code == 64 && r.err.contains("--port must be from 0 to 65535"), "\(args): \(r.err)")
        }
        let long = "https://book.example.org/" + String(repeating: "a", count: 100_000)
        let bads = [
            "https://a.org:99999", "https://a.org:0", "https://a.org/\"><script>", "https://a.org/a b", "https://a.org/<x>", "https://a.org/it's", long,
        ]
        for bad in bads {
            let serve = try box.run(["serve", "--base-url", bad])
            #expect(serve.code == 64, "serve --base-url \(bad.prefix(40)): \(serve.code)")
            #expect(serve.err.utf8.count < 400, "the error repeats a 100 KB URL")
            let feed = try box.run(["feeds", "create", "staff", "--base-url", bad])
            #expect(feed.code == 64, "feeds create --base-url \(bad.prefix(40)): \(feed.code)")
        }
        #expect((try box.json(["feeds", "list"]) as? [Any])?.isEmpty == true, "a refused base URL created a feed")
        // Scheme and host are kept in lower case, a default port dropped.
        let made = try box.json(["feeds", "create", "staff", "--base-url", "HTTPS://Book.Example.ORG:443/Path/"]) as? [String: Any]
        #expect((made?["url"] as? String)?.hasPrefix("https://book.example.org/Path/feeds/") == true, "\(made ?? [:])")
        for empty in [["couple", ""], ["counselor", " "]] {
            let r = try box.run(["feeds", "create"] + empty)
            #expect(r.code == 64, "feeds create \(empty): \(r.code) \(r.err)")
        }
    }

    @Test func anUppercaseHTTPSBaseURLCountsAsHTTPS() async throws {
        let box = try Sandbox()
        defer { box.cleanup() }
        let (p, line) = try Self.servePublicly(box, baseURL: "HTTPS://Book.Example.org")
        defer {
            kill(p.processIdentifier, SIGTERM)
            p.waitUntilExit()
        }
        #expect(line.contains("base URL https://book.example.org)"), "\(line)")
        let range = try #require(line.range(of: "0.0.0.0:"))
        let port = try #require(Int(line[range.upperBound...].prefix { $0.isNumber }))
        let session = try await CouplePageTests.open("http://127.0.0.1:\(port)", start: "2027-01-11")
        let fields = [("csrf", session.csrf), ("request", session.request)] + CouplePageTests.couple("2027-01-11")
        let r = try await HTTP.request(
            "POST", "http://127.0.0.1:\(port)/request",
            headers: ["Content-Type": "application/x-www-form-urlencoded", "Origin": "https://BOOK.example.org:443", "Cookie": session.cookie],
            body: HTTP.form(fields))
        #expect(r.status == 200, "the base URL's origin in other letters is the same origin")
    }

    /// Connections that never finish their headers (or stop mid-body) are closed after the idle timeout, and
    /// more of them than --max-connections only wait: the server keeps answering.
    @Test func halfOpenConnectionsAreClosedAfterTheIdleTimeout() async throws {
        let box = try Sandbox()
        defer { box.cleanup() }
        let server = try ServerProcess(box, ["--idle-timeout", "1", "--max-connections", "8"])
        defer { server.stop() }
        var slow: [RawConnection] = []
        for i in 0..<24 {
            let c = try RawConnection(port: server.port)
            #expect(c.send(i % 2 == 0 ? "GET /health HTTP/1.1\r\nHost: x\r\n" : "POST /request HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc"))
            slow.append(c)
        }
        for (i, c) in slow.enumerated() {
            let answer = c.readToEnd()
            #expect(answer != nil, "connection \(i) was still open after the read bound")
            #expect(answer?.contains("200 OK") != true, "connection \(i) was answered")
        }
        #expect(try await HTTP.get(server.base + "/health").status == 200)
    }

    /// A client that stalls mid-body when SIGTERM comes is cut off after --shutdown-grace: the server exits 0
    /// and nothing of that request reached the store.
    @Test func sigtermClosesAStalledRequestAfterTheGracePeriod() throws {
        let box = try Sandbox()
        defer { box.cleanup() }
        let token = try box.token("staff")
        let server = try ServerProcess(box, ["--shutdown-grace", "1"])
        let body = #"{"couple":"Stalled Couple","start":"2027-01-11"}"#
        let c = try RawConnection(port: server.port)
        #expect(
            c.send(
                "POST /api/bookings HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(token)\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n"
                    + body.prefix(10)))
        usleep(300_000)
        kill(server.process.processIdentifier, SIGTERM)
        let exited = server.waitForExit(seconds: 30)
        #expect(exited, "the server still waits for the stalled client")
        if !exited { kill(server.process.processIdentifier, SIGKILL) }
        let stopped = server.stop()
        #expect(stopped.code == 0, "\(stopped.log)")
        #expect(stopped.log.contains("grace period"))
        #expect(c.readToEnd()?.contains("201") != true)
        #expect((try box.json(["list"]) as? [Any])?.isEmpty == true)
        #expect(try box.run(["audit"]).code == 0)
    }

    /// Another process holding the store's write lock: writes wait on one thread of their own and answer 503
    /// with Retry-After; reads (the feed, the API's lists, /health) go on answering meanwhile.
    @Test func aBusyStoreAnswers503AndReadsGoOn() async throws {
        let box = try Sandbox()
        defer { box.cleanup() }
        let token = try box.token("staff")
        let feed = try box.feed(["staff"])
        let server = try ServerProcess(box)
        defer { server.stop() }
        // Python's sqlite3 takes the write lock and keeps it until its standard input closes.
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        let script = """
            import sqlite3, sys
            c = sqlite3.connect(sys.argv[1], isolation_level=None)
            c.execute('BEGIN IMMEDIATE')
            print('locked', flush=True)
            sys.stdin.read()
            """
        holder.arguments = ["-c", script, box.db]
        let out = Pipe()
        let release = Pipe()
        holder.standardOutput = out
        holder.standardInput = release
        try holder.run()
        defer {
            holder.terminate()
            holder.waitUntilExit()
        }
        #expect(String(decoding: out.fileHandleForReading.availableData, as: UTF8.self).contains("locked"))
        let base = server.base
        let answered = Counter()
        let writes = Task {
            try await withThrowingTaskGroup(of: HTTPResult.self) { group in
                for i in 0..<3 {
                    group.addTask {
                        let r = try await HTTP.json("POST", base + "/api/bookings", token: token, ["couple": "Busy \(i)", "start": "2027-01-1\(i + 1)"])
                        answered.add()
                        return r
                    }
                }
                return try await group.reduce(into: [HTTPResult]()) { $0.append($1) }
            }
        }
        usleep(500_000)
        for path in [feed.path, "/health", "/"] {
            #expect(try await HTTP.get(base + path).status == 200, "\(path) while the store is locked")
        }
        #expect(try await HTTP.json("GET", base + "/api/bookings", token: token).status == 200)
        #expect(answered.value == 0, "the reads waited for the blocked writes to give up")
        #expect(holder.isRunning, "the lock must still be held while the reads answered")
        let answers = try await writes.value
        for answer in answers {
            #expect(answer.status == 503, "\(answer.status): \(answer.text)")
            #expect(answer.header("Retry-After") == "5")
            #expect((answer.json as? [String: [String: Any]])?["error"]?["kind"] as? String == "busy")
        }
        #expect(holder.isRunning, "the lock must be held until every write answered")
        try release.fileHandleForWriting.close()
        holder.waitUntilExit()
        #expect(try await HTTP.json("POST", base + "/api/bookings", token: token, ["couple": "After", "start": "2027-01-11"]).status == 201)
    }

    /// A booking whose body is still arriving when SIGTERM comes is finished and answered; then the server
    /// exits 0 and the store holds exactly that booking.
    @Test func sigtermLetsARequestInFlightFinish() throws {
        let box = try Sandbox()
        defer { box.cleanup() }
        let token = try box.token("staff")
        let server = try ServerProcess(box)
        let body = Array(#"{"couple":"Late Couple","start":"2027-01-11"}"#.utf8)
        let head = Array(
            "POST /api/bookings HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(token)\r\nContent-Type: application/json\r\nContent-Length: \(body.count)\r\n\r\n"
                .utf8)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #expect(fd >= 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(server.port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        #expect(connected == 0)
        let firstPart = head + body.prefix(10)
        #expect(write(fd, firstPart, firstPart.count) == firstPart.count)
        usleep(300_000)
        kill(server.process.processIdentifier, SIGTERM)
        usleep(300_000)
        #expect(server.process.isRunning, "the server must wait for the request in flight")
        let rest = Array(body.dropFirst(10))
        #expect(write(fd, rest, rest.count) == rest.count)
        var response = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = read(fd, &buffer, buffer.count)
            if n <= 0 { break }
            response += buffer.prefix(n)
            if String(decoding: response, as: UTF8.self).contains("\"id\":\"B0001\"") { break }
        }
        let text = String(decoding: response, as: UTF8.self)
        #expect(text.hasPrefix("HTTP/1.1 201"), "\(text)")
        let stopped = server.stop()
        #expect(stopped.code == 0)
        let list = try box.json(["list"]) as? [[String: Any]]
        #expect(list?.count == 1 && list?.first?["id"] as? String == "B0001")
    }
}

/// A count shared between tasks.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func add() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}
