import Foundation
import HTTPTypes
import Hummingbird
import NIOConcurrencyHelpers
import RetreatApp
import RetreatStore

/// `GET /feeds/TOKEN.ics`: a subscription feed. Unknown, malformed and revoked tokens all answer the same 404.
/// Responses carry ETag and Last-Modified and answer `If-None-Match` / `If-Modified-Since` with 304.
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
        let token = context.parameters.get("token") ?? ""
        let previous = cache.withLockedValue { $0[token] }
        let document: FeedDocument
        do {
            document = try await runner.run(as: "feed") { service in try service.feedDocument(token: token, reusing: previous) }
        } catch let error as AppError where error.kind == .notFound {
            cache.withLockedValue { _ = $0.removeValue(forKey: token) }
            return Response(
                status: .notFound, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: "no such feed\n")))
        }
        if previous != document {
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
        if Self.notModified(request.headers, etag: document.etag, lastModified: document.lastModified) {
            return Response(status: .notModified, headers: headers)
        }
        headers[.contentType] = "text/calendar; charset=utf-8"
        headers[.contentDisposition] = "inline; filename=\"\(document.kind.rawValue).ics\""
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: document.text)))
    }

    /// RFC 9110: `If-None-Match` (weak comparison, `*`, lists) decides when present; else `If-Modified-Since`.
    static func notModified(_ headers: HTTPFields, etag: String, lastModified: Date) -> Bool {
        let tags = headers[values: .ifNoneMatch].flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }
        if !tags.isEmpty {
            let bare = etag.hasPrefix("W/") ? String(etag.dropFirst(2)) : etag
            return tags.contains { $0 == "*" || $0 == bare || $0 == "W/" + bare }
        }
        if let since = headers[.ifModifiedSince].flatMap(parseHTTPDate) {
            return lastModified.timeIntervalSince1970.rounded(.down) <= since.timeIntervalSince1970
        }
        return false
    }

    static func formatter() -> DateFormatter {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "GMT")
        f.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return f
    }

    /// An IMF-fixdate, e.g. `Tue, 01 Dec 2026 15:00:00 GMT`.
    static func httpDate(_ date: Date) -> String { formatter().string(from: date) }

    static func parseHTTPDate(_ text: String) -> Date? { formatter().date(from: text) }
}
