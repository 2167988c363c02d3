import Foundation
import HTTPTypes
import Hummingbird
import NIOConcurrencyHelpers
import RetreatApp
import RetreatStore

/// `GET /feeds/TOKEN.ics`: a subscription feed. Unknown, malformed and revoked tokens all answer the same 404.
/// Responses carry ETag and Last-Modified and answer a matching `If-None-Match` with 304.
struct FeedRoutes: Sendable {
    let runner: UseCaseRunner
    /// The last document served per token: rebuilt only when the store changed since (the use case decides).
    let cache = NIOLockedValueBox<[String: FeedDocument]>([:])
    static let cacheLimit = 256

    func add(to router: Router<RetreatContext>) {
        router.get("/feeds/{token}.ics") { request, context in
            try await serve(request, context)
        }
    }

    func serve(_ request: Request, _ context: RetreatContext) async throws -> Response {
        let token = context.decodedParameter("token")
        let previous = cache.withLockedValue { $0[token] }
        let document: FeedDocument
        do {
            document = try await runner.run(as: "feed") { service in try service.feedDocument(token: token, reusing: previous) }
        } catch let error as AppError where error.kind == .notFound {
            cache.withLockedValue { _ = $0.removeValue(forKey: token) }
            return Response(
                status: .notFound, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: "no such feed\n")))
        }
        if previous?.version != document.version {
            cache.withLockedValue { table in
                if table.count >= Self.cacheLimit { table.removeAll() }
                table[token] = document
            }
        }
        var headers: HTTPFields = [
            .eTag: document.etag,
            .lastModified: Self.httpDate(document.lastModified),
            .cacheControl: "private, no-cache",
        ]
        if Self.notModified(request.headers, etag: document.etag) {
            return Response(status: .notModified, headers: headers)
        }
        headers[.contentType] = "text/calendar; charset=utf-8"
        headers[.contentDisposition] = "inline; filename=\"\(document.kind.rawValue).ics\""
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: document.text)))
    }

    /// RFC 9110: `If-None-Match` (weak comparison, `*`, lists) decides; nothing else does.
    ///
    /// `If-Modified-Since` is ignored (RFC 9110 §13.1.3 lets a server do so): Last-Modified has one-second
    /// granularity, and two changes within one second (or any number under a fixed clock) leave it where it
    /// was, so a date cannot prove that a feed is unchanged; its entity tag (a hash of the body) can. Ignoring
    /// the header also means no date a client sends is ever parsed.
    static func notModified(_ headers: HTTPFields, etag: String) -> Bool {
        let tags = headers[values: .ifNoneMatch].flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }
        let bare = etag.hasPrefix("W/") ? String(etag.dropFirst(2)) : etag
        return tags.contains { $0 == "*" || $0 == bare || $0 == "W/" + bare }
    }

    static let weekdays = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// An IMF-fixdate, e.g. `Tue, 01 Dec 2026 15:00:00 GMT` (written by hand: a DateFormatter per request cost
    /// a tenth of a cached feed's time).
    static func httpDate(_ date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var t = tm()
        gmtime_r(&seconds, &t)
        func two(_ n: Int32) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return
            "\(weekdays[Int(t.tm_wday)]), \(two(t.tm_mday)) \(months[Int(t.tm_mon)]) \(t.tm_year + 1900) \(two(t.tm_hour)):\(two(t.tm_min)):\(two(t.tm_sec)) GMT"
    }
}
