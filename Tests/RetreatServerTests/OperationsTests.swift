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

    @Test func publicWithAnHTTPSBaseURLListensAndLinksUseIt() async throws {
        let box = try Sandbox()
        defer { box.cleanup() }
        let p = Process()
        p.executableURL = retreatBinary
        p.arguments = ["serve", "--host", "0.0.0.0", "--public", "--base-url", "https://book.example.org/", "--port", "0"]
        p.environment = box.environment()
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        defer {
            kill(p.processIdentifier, SIGTERM)
            p.waitUntilExit()
        }
        let line = String(decoding: out.fileHandleForReading.availableData, as: UTF8.self)
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
        #expect(second.err.contains("cannot serve on 127.0.0.1:\(server.port)"))
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
