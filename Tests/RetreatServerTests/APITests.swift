import Foundation
import Testing

@testable import RetreatServer

/// The staff API over a real socket: tokens and roles, the CLI's error meanings as status codes, the same
/// JSON as the CLI, an OpenAPI document that matches the routes, and one winner when many hold one date.
@Suite struct APITests {
    @Test func tokensAndRolesGuardTheAPI() async throws {
        let box = try Sandbox()
        defer { box.cleanup() }
        let staff = try box.token("staff")
        let reader = try box.token("read-only")
        let server = try ServerProcess(box)
        defer { server.stop() }
        let url = server.base + "/api/bookings"
        let none = try await HTTP.json("GET", url, token: nil)
        #expect(none.status == 401)
        #expect(none.header("WWW-Authenticate")?.hasPrefix("Bearer") == true)
        #expect(try await HTTP.json("GET", url, token: "rtk_" + String(repeating: "A", count: 43)).status == 401)
        #expect(try await HTTP.json("GET", url, token: "not-a-token").status == 401)
        #expect(try await HTTP.json("GET", url, token: reader).status == 200)
        let refused = try await HTTP.json("POST", url, token: reader, ["couple": "A B", "start": "2027-01-11"])
        #expect(refused.status == 403)
        #expect((try box.json(["list"]) as? [Any])?.isEmpty == true)
        #expect(try await HTTP.json("POST", url, token: staff, ["couple": "A B", "start": "2027-01-11"]).status == 201)
        let listed = try box.json(["tokens", "list"]) as? [[String: Any]]
        let readerID = try #require(listed?.first { $0["role"] as? String == "read-only" }?["id"] as? String)
        #expect(try box.run(["tokens", "revoke", readerID]).code == 0)
        #expect(try await HTTP.json("GET", url, token: reader).status == 401, "a revoked token must be refused at once")
        let staffID = try #require(listed?.first { $0["role"] as? String == "staff" }?["id"] as? String)
        guard let rotated = try box.json(["tokens", "rotate", staffID]) as? [String: Any], let fresh = rotated["token"] as? String else {
            throw TestFailure(description: "rotate printed no token")
        }
        #expect(try await HTTP.json("GET", url, token: staff).status == 401)
        #expect(try await HTTP.json("GET", url, token: fresh).status == 200)
        // The audit log names the token that made the change.
        let history = (try box.json(["show", "B0001"]) as? [String: Any])?["history"] as? [[String: Any]]
        #expect(history?.first?["actor"] as? String == "api:\(staffID)")
        #expect(!server.stop().log.contains(fresh.prefix(12)), "a token reached the log")
    }

    @Test func theCLIsErrorMeaningsBecomeStatusCodes() async throws {
        let box = try Sandbox()
        defer { box.cleanup() }
        let token = try box.token("staff")
        let server = try ServerProcess(box)
        defer { server.stop() }
        let api = server.base + "/api"
        let booked = try await HTTP.json("POST", api + "/bookings", token: token, ["couple": "Lee Park", "start": "2027-01-11", "contact": "lee@example.org"])
        #expect(booked.status == 201)
        #expect(booked.header("Location") == "/api/bookings/B0001")
        let bad = try await HTTP.json("GET", api + "/availability?from=2027-13-01&to=2027-01-31", token: token)
        #expect(bad.status == 400)
        #expect((bad.json as? [String: [String: Any]])?["error"]?["kind"] as? String == "badInput")
        #expect(try await HTTP.json("POST", api + "/bookings", token: token, ["start": "2027-01-18"]).status == 400)
        #expect(try await HTTP.json("POST", api + "/bookings", token: token, ["couple": "X", "start": "2027-01-18", "priorities": ["politics"]]).status == 400)
        #expect(try await HTTP.json("GET", api + "/bookings/B0099", token: token).status == 404)
        let taken = try await HTTP.json("POST", api + "/bookings", token: token, ["couple": "Other Pair", "start": "2027-01-12"])
        #expect(taken.status == 409)
        let error = (taken.json as? [String: [String: Any]])?["error"]
        #expect(error?["kind"] as? String == "conflict")
        #expect((error?["rejections"] as? [Any])?.isEmpty == false)
        let message = error?["message"] as? String ?? ""
        #expect(!message.isEmpty && !message.contains("Lee"), "a conflict must not name the other couple")
        #expect(try await HTTP.json("POST", api + "/bookings/B0001/cancel", token: token, ["reason": "asked to"]).status == 200)
        #expect(try await HTTP.json("POST", api + "/bookings/B0001/confirm", token: token).status == 422)
        #expect(try await HTTP.json("POST", api + "/bookings/B0001/reschedule", token: token, ["start": "2027-01-18"]).status == 422)
        #expect(try await HTTP.json("GET", api + "/bookings/B0001/agenda", token: token).status == 404)
        let unknownRoute = try await HTTP.json("GET", api + "/nothing-here", token: token)
        #expect(unknownRoute.status == 404)
    }

    /// 413 for a body over the cap, 405 with Allow for a method a route does not take, media types compared as
    /// types, path segments percent-decoded, and JSON field names (not CLI options) in messages.
    @Test func theSmallerHTTPRulesHold() async throws {
        let box = try Sandbox()
        defer { box.cleanup() }
        let token = try box.token("staff")
        let server = try ServerProcess(box)
        defer { server.stop() }
        let api = server.base + "/api"
        let big = Data(("{\"couple\":\"" + String(repeating: "x", count: 70_000) + "\",\"start\":\"2027-01-11\"}").utf8)
        let tooLarge = try await HTTP.request(
            "POST", api + "/bookings", headers: ["Authorization": "Bearer \(token)", "Content-Type": "application/json"], body: big)
        #expect(tooLarge.status == 413, "\(tooLarge.status)")
        for (method, path, allow) in [
            ("DELETE", "/api/bookings", "GET, HEAD, POST"), ("PUT", "/api/bookings/B0001", "GET, HEAD"), ("GET", "/api/bookings/B0001/confirm", "POST"),
            ("POST", "/health", "GET, HEAD"), ("DELETE", "/request", "GET, HEAD, POST"), ("POST", "/feeds/AAAA.ics", "GET, HEAD"),
        ] {
            let r = try await HTTP.request(method, server.base + path, headers: ["Authorization": "Bearer \(token)"])
            #expect(r.status == 405, "\(method) \(path): \(r.status)")
            #expect(r.header("Allow") == allow, "\(method) \(path): \(r.header("Allow") ?? "no Allow")")
        }
        let jsonx = try await HTTP.request(
            "POST", api + "/bookings", headers: ["Authorization": "Bearer \(token)", "Content-Type": "application/jsonx"],
            body: Data(#"{"couple":"A B","start":"2027-01-11"}"#.utf8))
        #expect(jsonx.status == 400 && jsonx.text.contains("application/json"))
        #expect((try box.json(["list"]) as? [Any])?.isEmpty == true)
        let booked = try await HTTP.request(
            "POST", api + "/bookings", headers: ["Authorization": "Bearer \(token)", "Content-Type": "application/json; charset=utf-8"],
            body: Data(#"{"couple":"A B","start":"2027-01-11"}"#.utf8))
        #expect(booked.status == 201)
        let encoded = try await HTTP.json("GET", api + "/bookings/B%30001", token: token)
        #expect(encoded.status == 200 && (encoded.json as? [String: Any]).flatMap { $0["booking"] as? [String: Any] }?["id"] as? String == "B0001")
        #expect(try await HTTP.json("GET", api + "/check/2027-01-1%38", token: token).status == 200)
        let blank = try await HTTP.json("POST", api + "/bookings", token: token, ["couple": " ", "start": "2027-01-18"])
        let message = (blank.json as? [String: [String: Any]])?["error"]?["message"] as? String ?? ""
        #expect(blank.status == 400 && message.hasPrefix("couple") && !message.contains("--"), "\(message)")
        let key = try await HTTP.json("POST", api + "/bookings", token: token, ["couple": "C D", "start": "2027-01-25", "priorities": ["politics"]])
        let keyMessage = (key.json as? [String: [String: Any]])?["error"]?["message"] as? String ?? ""
        #expect(key.status == 400 && !keyMessage.contains("--") && keyMessage.contains("priorities"), "\(keyMessage)")
    }

    @Test func answersAreTheCLIsJSON() async throws {
        let box = try Sandbox()
        defer { box.cleanup() }
        let token = try box.token("staff")
        let server = try ServerProcess(box)
        defer { server.stop() }
        let api = server.base + "/api"
        let booked = try await HTTP.json(
            "POST", api + "/bookings", token: token,
            ["couple": "Lee Park", "start": "2027-01-11", "hold": true, "priorities": ["communication"], "requestId": "k1"])
        #expect(booked.status == 201)
        let replay = try await HTTP.json(
            "POST", api + "/bookings", token: token,
            ["couple": "Lee Park", "start": "2027-01-11", "hold": true, "priorities": ["communication"], "requestId": "k1"])
        #expect(replay.status == 200 && (replay.json as? [String: Any])?["replayed"] as? Bool == true)
        #expect(try await HTTP.json("POST", api + "/bookings/B0001/payments", token: token, ["amount": "1125.00", "note": "deposit"]).status == 200)
        #expect(try await HTTP.json("POST", api + "/bookings/B0001/confirm", token: token).status == 200)
        for partner in ["A", "B"] { #expect(try box.run(["intake", "B0001", "--partner", partner, "--safety", "passed"]).code == 0) }
        let planned = try await HTTP.json("POST", api + "/bookings/B0001/agenda", token: token)
        #expect(planned.status == 200)
        // Each answer equals what the CLI prints for the same question.
        let pairs: [(String, [String])] = [
            ("/bookings/B0001", ["show", "B0001"]), ("/bookings?status=confirmed", ["list", "--status", "confirmed"]),
            ("/bookings?with-priorities=true", ["list", "--with-priorities"]),
            ("/availability?from=2027-01-01&to=2027-02-28", ["availability", "--from", "2027-01-01", "--to", "2027-02-28"]),
            ("/check/2027-01-12", ["check", "2027-01-12"]), ("/bookings/B0001/agenda", ["agenda", "B0001"]),
        ]
        for (path, command) in pairs {
            let answer = try await HTTP.json("GET", api + path, token: token)
            #expect(answer.status == 200, "\(path)")
            let cli = try box.run(command + ["--json"])
            let fromAPI = try JSONSerialization.jsonObject(with: answer.body) as? NSObject
            let fromCLI = try JSONSerialization.jsonObject(with: Data(cli.out.utf8)) as? NSObject
            #expect(fromAPI != nil && fromAPI == fromCLI, "GET /api\(path) differs from `retreat \(command.joined(separator: " ")) --json`")
        }
        // Priority issues are clinical: a listing carries them only when asked for.
        let plain = try await HTTP.json("GET", api + "/bookings", token: token)
        #expect(!String(decoding: plain.body, as: UTF8.self).contains("communication"))
        let asked = try await HTTP.json("GET", api + "/bookings?with-priorities=true", token: token)
        #expect(String(decoding: asked.body, as: UTF8.self).contains("communication"))
    }

    @Test func theOpenAPIDocumentDescribesExactlyTheRoutes() async throws {
        let box = try Sandbox()
        defer { box.cleanup() }
        let server = try ServerProcess(box)
        defer { server.stop() }
        let response = try await HTTP.get(server.base + "/openapi.json")
        #expect(response.status == 200 && response.header("Content-Type") == "application/json")
        let document = try #require(try JSONSerialization.jsonObject(with: response.body) as? [String: Any])
        #expect(document["openapi"] as? String == "3.1.0")
        let paths = try #require(document["paths"] as? [String: [String: Any]])
        var documented = Set<String>()
        for (path, operations) in paths {
            for method in operations.keys { documented.insert("\(method.uppercased()) \(path)") }
        }
        let served = Set(APIRoutes.endpointList.map { "\($0.method) \($0.path)" })
        #expect(documented == served)
        // Every documented operation exists behind the token check (401, not 404), with sample parameters.
        for operation in documented.sorted() {
            let parts = operation.split(separator: " ")
            let path = String(parts[1]).replacingOccurrences(of: "{id}", with: "B0001").replacingOccurrences(of: "{date}", with: "2027-01-11")
            let r = try await HTTP.request(String(parts[0]), server.base + path)
            #expect(r.status == 401, "\(operation) answered \(r.status)")
        }
        // The independent validator of the OpenAPI specification, when Python has it.
        let file = box.dir.appendingPathComponent("openapi.json")
        try response.body.write(to: file)
        // `make server-deps` puts it in .build/openapi-venv; a system-wide install serves too.
        let venv = repoRoot.appendingPathComponent(".build/openapi-venv/bin/python").path
        let p = Process()
        p.executableURL = URL(fileURLWithPath: FileManager.default.isExecutableFile(atPath: venv) ? venv : "/usr/bin/python3")
        p.arguments = ["-c", "import sys, json\nfrom openapi_spec_validator import validate\nvalidate(json.load(open(sys.argv[1])))", file.path]
        let err = Pipe()
        p.standardError = err
        try p.run()
        let message = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        if message.contains("No module named 'openapi_spec_validator'") {
            print("SKIPPED openapi-spec-validator: not installed (run `make server-deps`)")
        } else {
            #expect(p.terminationStatus == 0, "openapi-spec-validator: \(message)")
        }
    }

    @Test func manyConcurrentHoldsForOneDateHaveOneWinner() async throws {
        let box = try Sandbox()
        defer { box.cleanup() }
        let token = try box.token("staff")
        let server = try ServerProcess(box, ["--threads", "4"])
        defer { server.stop() }
        let base = server.base
        let starts = ["2027-01-04", "2027-01-11", "2027-01-18", "2027-01-25", "2027-02-01", "2027-02-08"]
        for start in starts {
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for i in 0..<12 {
                    group.addTask {
                        try await HTTP.json("POST", base + "/api/bookings", token: token, ["couple": "Couple \(i)", "start": start, "hold": true]).status
                    }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == 201 }.count == 1, "\(start): \(statuses.sorted())")
            #expect(statuses.filter { $0 == 409 }.count == 11, "\(start): \(statuses.sorted())")
        }
        let held = try box.json(["list", "--status", "held"]) as? [[String: Any]]
        #expect(held?.count == starts.count)
        let check = try box.run(["audit", "--json"])
        #expect(check.code == 0)
    }
}
