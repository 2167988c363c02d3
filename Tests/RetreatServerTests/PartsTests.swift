import Foundation
import HTTPTypes
import Testing

@testable import RetreatServer

/// The server's small parts on their own: CSRF tokens, rate limits, form decoding, escaping, validators.
@Suite struct PartsTests {
    let now = Date(timeIntervalSince1970: 1_796_137_200)

    @Test func csrfTokensBindToTheCookieTheKeyAndTheTime() {
        let csrf = CSRF(key: Array(repeating: 7, count: 32))
        let nonce = CSRF.nonce()
        #expect(CSRF.isNonce(nonce))
        let token = csrf.token(for: nonce, at: now)
        #expect(csrf.verify(token: token, nonce: nonce, at: now.addingTimeInterval(600)))
        #expect(!csrf.verify(token: token, nonce: CSRF.nonce(), at: now), "another cookie")
        #expect(!CSRF(key: Array(repeating: 8, count: 32)).verify(token: token, nonce: nonce, at: now), "another server key")
        #expect(!csrf.verify(token: token, nonce: nonce, at: now.addingTimeInterval(2 * 3600 + 1)), "expired")
        #expect(!csrf.verify(token: "", nonce: nonce, at: now))
        let issued = token.split(separator: ".")[1]
        let later = String(Int(issued)! + 3600)
        #expect(!csrf.verify(token: token.replacingOccurrences(of: String(issued), with: later), nonce: nonce, at: now), "a moved issue time")
        #expect(!csrf.verify(token: token, nonce: "short", at: now))
    }

    @Test func rateLimitsSlideAndSayHowLongToWait() {
        let limiter = RateLimiter(limit: 2, window: 60)
        #expect(limiter.attempt("a", at: now) == nil)
        #expect(limiter.attempt("a", at: now.addingTimeInterval(10)) == nil)
        #expect(limiter.attempt("a", at: now.addingTimeInterval(20)) == 40)
        #expect(limiter.attempt("b", at: now.addingTimeInterval(20)) == nil, "keys are counted apart")
        #expect(limiter.attempt("a", at: now.addingTimeInterval(61)) == nil, "the oldest event left the window")
        let small = RateLimiter(limit: 1, window: 60, maxKeys: 4)
        for i in 0..<50 { _ = small.attempt("k\(i)", at: now.addingTimeInterval(Double(i))) }
        #expect(small.attempt("k49", at: now.addingTimeInterval(50)) != nil, "the newest keys are kept when the table is trimmed")
    }

    @Test func formFieldsDecodeLikeBrowsersSendThem() throws {
        let f = try #require(FormFields("name1=Ana+L%C3%B3pez&note=a%26b%3Dc&note=second&empty="))
        #expect(f["name1"] == "Ana López")
        #expect(f["note"] == "a&b=c", "the first value counts")
        #expect(f["empty"] == "" && f["absent"] == "")
        #expect(FormFields("bad=%E0%A4%A") == nil)
    }

    @Test func htmlEscapingCoversAttributesAndText() {
        #expect(HTML.escape(#"<a href="x" onclick='y'>&</a>"#) == "&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&lt;/a&gt;")
    }

    @Test func conditionalHeadersFollowRFC9110() throws {
        let etag = "\"abc\""
        func headers(_ pairs: [(String, String)]) -> HTTPFields {
            var fields = HTTPFields()
            for (k, v) in pairs { if let name = HTTPField.Name(k) { fields.append(HTTPField(name: name, value: v)) } }
            return fields
        }
        #expect(FeedRoutes.notModified(headers([("If-None-Match", "\"abc\"")]), etag: etag))
        #expect(FeedRoutes.notModified(headers([("If-None-Match", "W/\"abc\"")]), etag: etag))
        #expect(FeedRoutes.notModified(headers([("If-None-Match", "*")]), etag: etag))
        #expect(FeedRoutes.notModified(headers([("If-None-Match", "\"x\", \"abc\"")]), etag: etag))
        #expect(!FeedRoutes.notModified(headers([("If-None-Match", "\"abd\"")]), etag: etag))
        // If-Modified-Since never answers 304 on its own, whatever it holds.
        let date = FeedRoutes.httpDate(now)
        for value in [date, "Fri, 31 Dec 9999 23:59:59 GMT", "Tue, 01 Dec 99999999999 00:00:00 GMT", "Tue, 01 Dec -9223372036854775808 00:00:00 GMT"] {
            #expect(!FeedRoutes.notModified(headers([("If-Modified-Since", value)]), etag: etag), "\(value)")
        }
        #expect(FeedRoutes.httpDate(try #require(ISO8601DateFormatter().date(from: "2027-03-07T09:05:03Z"))) == "Sun, 07 Mar 2027 09:05:03 GMT")
        #expect(FeedRoutes.httpDate(try #require(ISO8601DateFormatter().date(from: "2026-12-01T15:00:00Z"))) == "Tue, 01 Dec 2026 15:00:00 GMT")
    }

    @Test func reservationsTakeEveryKeyAtOnceOrNone() async {
        let limiter = RateLimiter(limit: 3, window: 86_400)
        #expect(limiter.reserve(["a", "b"], at: now) == nil)
        #expect(limiter.reserve(["a"], at: now) == nil)
        #expect(limiter.reserve(["b", "a"], at: now) == nil)
        #expect(limiter.reserve(["c", "a"], at: now) != nil, "a is at its limit")
        #expect(limiter.reserve(["c"], at: now) == nil, "a refused reservation records nothing for c")
        limiter.release(["a"], at: now)
        #expect(limiter.reserve(["a"], at: now) == nil, "a released reservation is given back")
        // Many at once for one key: exactly the limit passes.
        let racer = RateLimiter(limit: 3, window: 86_400)
        let at = now
        let passed = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<50 { group.addTask { racer.reserve(["mail:x@y.org"], at: at) == nil } }
            return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(passed == 3)
    }

    @Test func apiMessagesNameJSONFieldsNotCLIOptions() {
        #expect(APIRoutes.fieldNames("--couple: is empty") == "couple: is empty")
        #expect(APIRoutes.fieldNames("--priority \"x\" is unknown") == "priorities \"x\" is unknown")
        #expect(APIRoutes.fieldNames("request id k1 was already used; use a new --request-id") == "request id k1 was already used; use a new requestId")
        #expect(APIRoutes.fieldNames("run `retreat init --modules F` first") == "run `retreat init --modules F` first", "commands stay as typed")
        #expect(APIRoutes.fieldNames("a -- b and x--y stay") == "a -- b and x--y stay")
        #expect(MediaType.isJSON("application/json; charset=utf-8") && MediaType.isJSON("Application/JSON"))
        #expect(!MediaType.isJSON("application/jsonx") && !MediaType.isJSON("text/json") && !MediaType.isJSON("application/json-seq"))
        #expect(MediaType.isForm("application/x-www-form-urlencoded;charset=UTF-8") && !MediaType.isForm("application/x-www-form-urlencodedx"))
    }

    @Test func theFormBodyCapFitsEveryFieldAtItsCapInAnyScript() {
        // 4,000 four-byte scalars in the note, every other field at its cap in three-byte scalars.
        var fields: [(String, String)] = [("note", String(repeating: "😀", count: 4000))]
        for (name, cap) in CoupleRoutes.fieldCaps where name != "note" { fields.append((name, String(repeating: "ж", count: cap))) }
        #expect(HTTP.form(fields).count <= CoupleRoutes.maxBody)
        #expect(CoupleRoutes.maxBody < 80 * 1024)
    }
}
