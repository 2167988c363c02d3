import Foundation
import Testing

/// The couples' page over a real socket: free dates without anyone's data, a form that places a hold through
/// the same use case as `book --hold`, and its protections (CSRF, rate limits, size caps, input checks).
@Suite struct CouplePageTests {
    /// What a browser keeps between the form and its submission.
    struct FormSession {
        var cookie: String
        var csrf: String
        var request: String
    }

    /// Opens the form (as a browser would) and returns its cookie and hidden fields.
    static func open(_ server: ServerProcess, start: String) async throws -> FormSession {
        try await open(server.base, start: start)
    }

    static func open(_ base: String, start: String) async throws -> FormSession {
        let page = try await HTTP.get(base + "/request?start=\(start)")
        #expect(page.status == 200)
        let cookieHeader = try #require(page.header("Set-Cookie"))
        #expect(cookieHeader.contains("HttpOnly") && cookieHeader.contains("SameSite=Strict"))
        let cookie = String(cookieHeader.prefix { $0 != ";" })
        return FormSession(cookie: cookie, csrf: try #require(hidden("csrf", page.text)), request: try #require(hidden("request", page.text)))
    }

    static func hidden(_ name: String, _ html: String) -> String? {
        guard let range = html.range(of: "name=\"\(name)\" value=\"") else { return nil }
        return String(html[range.upperBound...].prefix { $0 != "\"" })
    }

    static func submit(_ server: ServerProcess, _ session: FormSession?, _ fields: [(String, String)], headers: [String: String] = [:]) async throws
        -> HTTPResult
    {
        var all = fields
        var h = ["Content-Type": "application/x-www-form-urlencoded"].merging(headers) { $1 }
        if let session {
            all = [("csrf", session.csrf), ("request", session.request)] + fields
            h["Cookie"] = session.cookie
        }
        return try await HTTP.request("POST", server.base + "/request", headers: h, body: HTTP.form(all))
    }

    static func couple(_ start: String, name: String = "Ana Lopez", email: String = "ana@example.org") -> [(String, String)] {
        [
            ("start", start), ("name1", name), ("name2", "Ben Lopez"), ("email1", email), ("email2", ""), ("priority1", "affair-recovery"),
            ("priority2", "communication"), ("priority3", ""), ("note", "We would like mornings <b>quiet</b>."),
        ]
    }

    @Test func theMonthViewShowsFreeStartsAndNobodysData() async throws {
        let box = try Sandbox()
        defer { box.cleanup() }
        #expect(try box.run(["book", "--couple", "Secret Couple", "--contact", "secret@example.org", "--start", "2027-01-11"]).code == 0)
        let server = try ServerProcess(box)
        defer { server.stop() }
        let page = try await HTTP.get(server.base + "/?from=2027-01")
        #expect(page.status == 200)
        #expect(page.header("Content-Type") == "text/html; charset=utf-8")
        #expect(page.header("Content-Security-Policy")?.contains("default-src 'none'") == true)
        let html = page.text
        #expect(html.contains("<caption>January 2027</caption>"))
        #expect(!html.contains("<script"), "the page must work without JavaScript")
        #expect(html.contains("name=\"viewport\""))
        // The free starts the CLI reports are exactly the linked days.
        let free = try box.json(["availability", "--from", "2027-01-01", "--to", "2027-01-31"]) as? [[String: Any]] ?? []
        let starts = Set(free.compactMap { $0["start"] as? String })
        let linked = Set(html.components(separatedBy: "href=\"/request?start=").dropFirst().map { String($0.prefix(10)) }.filter { $0.hasPrefix("2027-01") })
        #expect(!starts.isEmpty && linked == starts)
        #expect(!linked.contains("2027-01-11") && !linked.contains("2027-01-12"))
        #expect(!html.contains("Secret") && !html.contains("secret@") && !html.contains("B0001"))
        let css = try await HTTP.get(server.base + "/style.css")
        #expect(css.status == 200 && css.header("Content-Type") == "text/css; charset=utf-8")
    }

    @Test func aRequestPlacesAHoldLikeBookHold() async throws {
        let box = try Sandbox()
        defer { box.cleanup() }
        let server = try ServerProcess(box)
        defer { server.stop() }
        let session = try await Self.open(server, start: "2027-01-18")
        let done = try await Self.submit(server, session, Self.couple("2027-01-18"))
        #expect(done.status == 200, "\(done.text)")
        #expect(done.text.contains("we are holding your dates"))
        #expect(done.text.contains("Monday 18 January 2027"))
        #expect(done.text.contains("1,125.00 USD"))
        let shown = try box.json(["show", "B0001"]) as? [String: Any]
        let booking = shown?["booking"] as? [String: Any]
        #expect(booking?["status"] as? String == "held")
        #expect(booking?["start"] as? String == "2027-01-18")
        #expect(booking?["couple"] as? String == "Ana Lopez & Ben Lopez")
        #expect(booking?["priorities"] as? [String] == ["affair-recovery", "communication"])
        #expect(shown?["contact"] as? String == "ana@example.org")
        #expect(shown?["note"] as? String == "We would like mornings <b>quiet</b>.")
        let history = shown?["history"] as? [[String: Any]]
        #expect(history?.first?["actor"] as? String == "web" && history?.first?["action"] as? String == "hold")
        // Sending the same form again (a double click) places no second hold.
        let again = try await Self.submit(server, session, Self.couple("2027-01-18"))
        #expect(again.status == 200)
        #expect((try box.json(["list"]) as? [Any])?.count == 1)
        // What the couple typed comes back escaped, never as markup.
        let bad = try await Self.submit(server, try await Self.open(server, start: "2027-01-25"), Self.couple("2027-01-25", email: "<script>x"))
        #expect(bad.status == 400)
        #expect(!bad.text.contains("<script>x") && bad.text.contains("&lt;script&gt;x"))
        let log = server.stop().log
        for secret in ["Ana", "Lopez", "ana@example.org", "affair", "quiet"] { #expect(!log.contains(secret), "the log shows \"\(secret)\"") }
        #expect(log.contains("route=/request") && log.contains("notice=request-received"))
    }

    @Test func aDateTakenMeanwhileGetsAClearPageAndNothingIsBooked() async throws {
        let box = try Sandbox()
        defer { box.cleanup() }
        let server = try ServerProcess(box)
        defer { server.stop() }
        let session = try await Self.open(server, start: "2027-01-18")
        #expect(try box.run(["book", "--couple", "Staff Booked Them", "--start", "2027-01-18"]).code == 0)
        let taken = try await Self.submit(server, session, Self.couple("2027-01-18"))
        #expect(taken.status == 409)
        #expect(taken.text.contains("was taken while you were filling in the form"))
        #expect(taken.text.contains("value=\"Ana Lopez\""), "what they typed is kept")
        #expect(!taken.text.contains("Staff Booked Them"))
        #expect((try box.json(["list"]) as? [Any])?.count == 1)
    }

    @Test func formsWithoutAValidCSRFTokenAreRefused() async throws {
        let box = try Sandbox()
        defer { box.cleanup() }
        let server = try ServerProcess(box)
        defer { server.stop() }
        let session = try await Self.open(server, start: "2027-01-18")
        let noCookie = try await Self.submit(server, nil, [("csrf", session.csrf), ("request", session.request)] + Self.couple("2027-01-18"))
        #expect(noCookie.status == 403)
        var forged = session
        forged.csrf = "AAAA" + session.csrf.dropFirst(4)
        #expect(try await Self.submit(server, forged, Self.couple("2027-01-18")).status == 403)
        var otherCookie = session
        otherCookie.cookie = "retreat_form=AAAAAAAAAAAAAAAAAAAAAA"
        #expect(try await Self.submit(server, otherCookie, Self.couple("2027-01-18")).status == 403)
        let crossSite = try await Self.submit(server, session, Self.couple("2027-01-18"), headers: ["Origin": "https://evil.example"])
        #expect(crossSite.status == 403)
        #expect((try box.json(["list"]) as? [Any])?.isEmpty == true, "a refused form booked something")
        let sameSite = try await Self.submit(server, session, Self.couple("2027-01-18"), headers: ["Origin": server.base])
        #expect(sameSite.status == 200)
    }

    @Test func requestsAreLimitedPerAddressAndPerIP() async throws {
        let box = try Sandbox()
        defer { box.cleanup() }
        let server = try ServerProcess(box, ["--requests-per-ip", "4", "--requests-per-address", "2"])
        defer { server.stop() }
        // Two requests for one address pass (different dates); the third for that address is refused.
        for start in ["2027-01-04", "2027-01-11"] {
            let r = try await Self.submit(server, try await Self.open(server, start: start), Self.couple(start))
            #expect(r.status == 200, "\(start): \(r.status)")
        }
        let third = try await Self.submit(server, try await Self.open(server, start: "2027-01-18"), Self.couple("2027-01-18", email: "ANA@example.org"))
        #expect(third.status == 429)
        #expect(Int(third.header("Retry-After") ?? "") ?? 0 > 0)
        // The fourth POST from this IP still passes for another address; the fifth is over the IP's limit.
        let fourth = try await Self.submit(
            server, try await Self.open(server, start: "2027-01-18"), Self.couple("2027-01-18", name: "Cy Other", email: "cy@example.org"))
        #expect(fourth.status == 200)
        let fifth = try await Self.submit(
            server, try await Self.open(server, start: "2027-01-25"), Self.couple("2027-01-25", name: "Di Other", email: "di@example.org"))
        #expect(fifth.status == 429)
        #expect((try box.json(["list"]) as? [Any])?.count == 3)
    }

    @Test func oversizedAndMalformedFormsAreRefused() async throws {
        let box = try Sandbox()
        defer { box.cleanup() }
        let server = try ServerProcess(box)
        defer { server.stop() }
        let session = try await Self.open(server, start: "2027-01-18")
        let huge = Self.couple("2027-01-18").map { $0.0 == "note" ? ($0.0, String(repeating: "x", count: 20_000)) : $0 }
        #expect(try await Self.submit(server, session, huge).status == 413)
        let longNote = Self.couple("2027-01-18").map { $0.0 == "note" ? ($0.0, String(repeating: "x", count: 4_500)) : $0 }
        let tooLong = try await Self.submit(server, session, longNote)
        #expect(tooLong.status == 400 && tooLong.text.contains("note"))
        let longName = Self.couple("2027-01-18").map { $0.0 == "name1" ? ($0.0, String(repeating: "y", count: 300)) : $0 }
        #expect(try await Self.submit(server, session, longName).status == 400)
        let control = Self.couple("2027-01-18").map { $0.0 == "name1" ? ($0.0, "Ana\u{202E}Lopez") : $0 }
        #expect(try await Self.submit(server, session, control).status == 400)
        let unknownTopic = Self.couple("2027-01-18").map { $0.0 == "priority1" ? ($0.0, "politics") : $0 }
        #expect(try await Self.submit(server, session, unknownTopic).status == 400)
        let noEmail = Self.couple("2027-01-18").map { $0.0 == "email1" ? ($0.0, "") : $0 }
        #expect(try await Self.submit(server, session, noEmail).status == 400)
        let past = try await Self.submit(server, session, Self.couple("2026-11-02"))
        #expect(past.status == 422, "\(past.status): \(past.text)")
        let json = try await HTTP.request(
            "POST", server.base + "/request", headers: ["Content-Type": "application/json", "Cookie": session.cookie], body: Data("{}".utf8))
        #expect(json.status == 415)
        #expect((try box.json(["list"]) as? [Any])?.isEmpty == true)
    }
}
