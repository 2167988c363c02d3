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
        try await submit(base: server.base, session, fields, headers: headers)
    }

    static func submit(base: String, _ session: FormSession?, _ fields: [(String, String)], headers: [String: String] = [:]) async throws
        -> HTTPResult
    {
        var all = fields
        var h = ["Content-Type": "application/x-www-form-urlencoded"].merging(headers) { $1 }
        if let session {
            all = [("csrf", session.csrf), ("request", session.request)] + fields
            h["Cookie"] = session.cookie
        }
        return try await HTTP.request("POST", base + "/request", headers: h, body: HTTP.form(all))
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
        #expect(!done.text.contains("B0001"), "the thank-you page shows the booking number, which tells how many there are")
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

    /// Any script fits the body cap up to the note's own cap of 4,000 characters.
    @Test func notesInAnyScriptFitUpToTheirCap() async throws {
        let box = try Sandbox()
        defer { box.cleanup() }
        let server = try ServerProcess(box, ["--requests-per-ip", "100", "--requests-per-address", "100"])
        defer { server.stop() }
        let cases: [(String, String, Int)] = [
            ("2027-01-04", String(repeating: "ж", count: 4000), 200), ("2027-01-11", String(repeating: "愛", count: 4000), 200),
            ("2027-01-18", String(repeating: "😀", count: 4000), 200), ("2027-01-25", String(repeating: "😀", count: 4001), 400),
        ]
        for (start, note, status) in cases {
            var fields = Self.couple(start).map { $0.0 == "note" ? ($0.0, note) : $0 }
            fields = fields.map { $0.0 == "name1" ? ($0.0, String(repeating: "Ж", count: 100)) : $0 }
            let r = try await Self.submit(server, try await Self.open(server, start: start), fields)
            #expect(r.status == status, "\(note.count) × \(note.prefix(1)): \(r.status)")
        }
        #expect(((try box.json(["show", "B0003"]) as? [String: Any])?["note"] as? String)?.count == 4000)
    }

    @Test func eachAddressFieldHoldsOneMailbox() async throws {
        let box = try Sandbox()
        defer { box.cleanup() }
        let server = try ServerProcess(box)
        defer { server.stop() }
        let many = (0..<40).map { "w\($0)@x.org" }.joined(separator: "; ")
        for (email1, email2) in [("a@x.org; b@x.org", ""), ("a@x.org, b@x.org", ""), (many, ""), ("a@x.org", "b@x.org; c@x.org")] {
            var fields = Self.couple("2027-01-18", email: email1)
            fields = fields.map { $0.0 == "email2" ? ($0.0, email2) : $0 }
            let r = try await Self.submit(server, try await Self.open(server, start: "2027-01-18"), fields)
            #expect(r.status == 400, "\(email1.prefix(30)) / \(email2): \(r.status)")
            #expect(r.text.contains("give one"), "\(r.text)")
        }
        // A partner's address that repeats the first (in other letters) is a plain notice, not a staff error.
        var fields = Self.couple("2027-01-18", email: "dup@x.org")
        fields = fields.map { $0.0 == "email2" ? ($0.0, "DUP@x.org") : $0 }
        let dup = try await Self.submit(server, try await Self.open(server, start: "2027-01-18"), fields)
        #expect(dup.status == 400, "\(dup.status)")
        #expect(dup.text.contains("repeats your e-mail address") && !dup.text.contains("B0001"), "\(dup.text)")
        #expect((try box.json(["list"]) as? [Any])?.isEmpty == true)
        // One mailbox with a name is fine, and both partners' addresses are kept.
        fields = Self.couple("2027-01-18", email: "Ana Lopez <ana@example.org>")
        fields = fields.map { $0.0 == "email2" ? ($0.0, "ben@example.org") : $0 }
        #expect(try await Self.submit(server, try await Self.open(server, start: "2027-01-18"), fields).status == 200)
        #expect((try box.json(["show", "B0001"]) as? [String: Any])?["contact"] as? String == "Ana Lopez <ana@example.org>, ben@example.org")
    }

    /// The page takes the names `book --couple` would: each partner's name without "&", both together within
    /// 200 characters.
    @Test func theCoupleNameFollowsTheCLIsRules() async throws {
        let box = try Sandbox()
        defer { box.cleanup() }
        let server = try ServerProcess(box)
        defer { server.stop() }
        let cases: [(String, String, String)] = [
            (String(repeating: "N", count: 200), String(repeating: "M", count: 200), "together"), ("A & B", "C", "&"), ("A", "B & C", "&"),
            (String(repeating: "N", count: 100), String(repeating: "M", count: 98), "together"),
        ]
        for (name1, name2, word) in cases {
            var fields = Self.couple("2027-01-18")
            fields = fields.map { $0.0 == "name1" ? ($0.0, name1) : $0.0 == "name2" ? ($0.0, name2) : $0 }
            let r = try await Self.submit(server, try await Self.open(server, start: "2027-01-18"), fields)
            #expect(r.status == 400 && r.text.contains(word), "\(name1.prefix(10)) + \(name2.prefix(10)): \(r.status)")
        }
        #expect((try box.json(["list"]) as? [Any])?.isEmpty == true)
        var fields = Self.couple("2027-01-18")
        fields = fields.map { $0.0 == "name1" ? ($0.0, String(repeating: "N", count: 100)) : $0.0 == "name2" ? ($0.0, String(repeating: "M", count: 97)) : $0 }
        #expect(try await Self.submit(server, try await Self.open(server, start: "2027-01-18"), fields).status == 200)
        let couple = (try box.json(["list"]) as? [[String: Any]])?.first?["couple"] as? String
        #expect(couple?.unicodeScalars.count == 200)
    }

    @Test func aDateNeverOfferedSaysSoRatherThanTakenMeanwhile() async throws {
        let box = try Sandbox()
        defer { box.cleanup() }
        let server = try ServerProcess(box)
        defer { server.stop() }
        // A Saturday, a Friday (the counselor's Friday is too short) and a day past the booking horizon.
        for start in ["2027-01-09", "2027-01-08", "2099-01-05"] {
            let r = try await Self.submit(server, try await Self.open(server, start: "2027-01-18"), Self.couple(start))
            #expect(r.status == 409, "\(start): \(r.status)")
            #expect(r.text.contains("is not offered as a start date") && !r.text.contains("taken while"), "\(start)")
            #expect(r.text.contains("value=\"Ana Lopez\""))
        }
        #expect((try box.json(["list"]) as? [Any])?.isEmpty == true)
    }

    /// Two servers on one store share the form key (kept in the store): a form from one is accepted by the
    /// other, and by the first again after a restart.
    @Test func aFormFromOneServerIsAcceptedByAnotherOnTheSameStore() async throws {
        let box = try Sandbox()
        defer { box.cleanup() }
        let a = try ServerProcess(box)
        let b = try ServerProcess(box)
        defer { b.stop() }
        let fromA = try await Self.open(a, start: "2027-01-18")
        let posted = try await Self.submit(b, fromA, Self.couple("2027-01-18"))
        #expect(posted.status == 200, "\(posted.status): \(posted.text.prefix(300))")
        let another = try await Self.open(a, start: "2027-01-25")
        a.stop()
        let restarted = try ServerProcess(box)
        defer { restarted.stop() }
        let afterRestart = try await Self.submit(restarted, another, Self.couple("2027-01-25", name: "Cy Other", email: "cy@example.org"))
        #expect(afterRestart.status == 200, "a restart voided an open form")
        // The key is a server secret: the audit export leaves it out.
        let export = try box.run(["export-data"])
        #expect(export.code == 0 && !export.out.contains("formKey"))
    }

    @Test func theOriginComparesSchemeAndHostWithoutCase() async throws {
        let box = try Sandbox()
        defer { box.cleanup() }
        let server = try ServerProcess(box)
        defer { server.stop() }
        let origins: [(String, Int)] = [
            ("HTTP://127.0.0.1:\(server.port)", 200), ("https://127.0.0.1:\(server.port)", 200), ("http://127.0.0.1:\(server.port + 1)", 403),
            ("http://127.0.0.1", 403), ("null", 403), ("http://127.0.0.1:\(server.port)@evil.example", 403),
        ]
        for (i, (origin, status)) in origins.enumerated() {
            let start = ["2027-01-04", "2027-01-11", "2027-01-18", "2027-01-25", "2027-02-01", "2027-02-08"][i]
            let r = try await Self.submit(
                server, try await Self.open(server, start: start), Self.couple(start, email: "o\(i)@example.org"), headers: ["Origin": origin])
            #expect(r.status == status, "Origin \(origin): \(r.status)")
        }
    }

    /// A base URL on an IPv6 address keeps its brackets in the origin the form must come from.
    @Test func anIPv6BaseURLKeepsItsBrackets() async throws {
        let box = try Sandbox()
        defer { box.cleanup() }
        let server: ServerProcess
        do {
            let port = try freePort(ipv6: true)
            server = try ServerProcess(box, ["--port", String(port), "--base-url", "http://[::1]:\(port)"], host: "::1")
        } catch {
            print("SKIPPED anIPv6BaseURLKeepsItsBrackets: cannot listen on ::1 here (\(error))")
            return
        }
        defer { server.stop() }
        // URLSession on Linux does not take `http://[::1]:PORT`: the exchange is written by hand.
        let page = try RawHTTP.exchange(port: server.port, ipv6: true, "GET", "/request?start=2027-01-18")
        #expect(page.status == 200)
        let cookie = String(try #require(page.header("Set-Cookie")).prefix { $0 != ";" })
        let csrf = try #require(Self.hidden("csrf", page.text))
        let request = try #require(Self.hidden("request", page.text))
        let fields = [("csrf", csrf), ("request", request)] + Self.couple("2027-01-18")
        for (origin, status) in [("http://[::2]:\(server.port)", 403), ("http://::1:\(server.port)", 403), ("http://[::1]:\(server.port)", 200)] {
            let r = try RawHTTP.exchange(
                port: server.port, ipv6: true, "POST", "/request",
                headers: ["Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie, "Origin": origin], body: HTTP.form(fields))
            #expect(r.status == status, "Origin \(origin): \(r.status)")
        }
    }

    @Test func theAddressLimitCountsTheAddressNotHowItIsWritten() async throws {
        let box = try Sandbox()
        defer { box.cleanup() }
        let server = try ServerProcess(box, ["--requests-per-ip", "100", "--requests-per-address", "2"])
        defer { server.stop() }
        let first = try await Self.submit(server, try await Self.open(server, start: "2027-01-04"), Self.couple("2027-01-04", email: "hal@t.org"))
        #expect(first.status == 200)
        let second = try await Self.submit(
            server, try await Self.open(server, start: "2027-01-11"), Self.couple("2027-01-11", email: "Hal Test <HAL@t.org>"))
        #expect(second.status == 200)
        for (i, spelling) in ["<hal@t.org>", " hal@T.ORG ", "\"Hal\" <Hal@t.org>"].enumerated() {
            let start = ["2027-01-18", "2027-01-25", "2027-02-01"][i]
            let r = try await Self.submit(server, try await Self.open(server, start: start), Self.couple(start, email: spelling))
            #expect(r.status == 429, "\(spelling): \(r.status)")
        }
        // As the partner's address too.
        var fields = Self.couple("2027-02-08", email: "other@t.org")
        fields = fields.map { $0.0 == "email2" ? ($0.0, "hal@t.org") : $0 }
        #expect(try await Self.submit(server, try await Self.open(server, start: "2027-02-08"), fields).status == 429)
        #expect((try box.json(["list"]) as? [Any])?.count == 2)
    }

    @Test func concurrentRequestsForOneAddressStayWithinItsLimit() async throws {
        let box = try Sandbox()
        defer { box.cleanup() }
        let server = try ServerProcess(box, ["--requests-per-ip", "100", "--requests-per-address", "3", "--threads", "4"])
        defer { server.stop() }
        let mondays = (0..<10).map { CouplePageTests.monday(weeksAfter: $0) }
        var sessions: [FormSession] = []
        for start in mondays { sessions.append(try await Self.open(server, start: start)) }
        let fixed = sessions
        let base = server.base
        let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
            for (i, start) in mondays.enumerated() {
                group.addTask { try await Self.submit(base: base, fixed[i], Self.couple(start, email: "ivy@race.org")).status }
            }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(statuses.filter { $0 == 200 }.count == 3 && statuses.filter { $0 == 429 }.count == 7, "\(statuses.sorted())")
        #expect((try box.json(["list"]) as? [Any])?.count == 3)
    }

    /// `2027-01-04` and the Mondays after it.
    static func monday(weeksAfter weeks: Int) -> String {
        let base = Date(timeIntervalSince1970: 1_799_020_800 + Double(weeks) * 7 * 86_400)  // 2027-01-04T00:00:00Z
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withFullDate]
        return f.string(from: base)
    }

    @Test func theIPLimitCountsOnlyFormsThatCameFromOurPage() async throws {
        let box = try Sandbox()
        defer { box.cleanup() }
        let server = try ServerProcess(box, ["--requests-per-ip", "2"])
        defer { server.stop() }
        let session = try await Self.open(server, start: "2027-01-18")
        var forged = session
        forged.csrf = "AAAA" + session.csrf.dropFirst(4)
        for _ in 0..<5 { #expect(try await Self.submit(server, forged, Self.couple("2027-01-18")).status == 403) }
        let json = try await HTTP.request(
            "POST", server.base + "/request", headers: ["Content-Type": "application/jsonx", "Cookie": session.cookie], body: Data("{}".utf8))
        #expect(json.status == 415)
        #expect(try await Self.submit(server, session, Self.couple("2027-01-18")).status == 200, "refused forms used up the IP's allowance")
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
        let huge = Self.couple("2027-01-18").map { $0.0 == "note" ? ($0.0, String(repeating: "x", count: 300_000)) : $0 }
        #expect(try await Self.submit(server, session, huge).status == 413)
        let large = Self.couple("2027-01-18").map { $0.0 == "note" ? ($0.0, String(repeating: "x", count: 70_000)) : $0 }
        let kept = try await Self.submit(server, session, large)
        #expect(kept.status == 413 && kept.text.contains("value=\"Ana Lopez\""), "a form over the cap comes back with what was typed")
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
