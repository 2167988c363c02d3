import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import RetreatApp
import RetreatStore

/// The request context: the client's address (for rate limits only, never logged) and, under `/api/`, the
/// token the request was authenticated with.
struct RetreatContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    /// The peer's IP address, as the socket reports it.
    let peerAddress: String?
    /// The API token, once the bearer middleware accepted it.
    var token: APITokenRecord?

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        peerAddress = source.channel.remoteAddress?.ipAddress
    }

    /// The path parameter `name` with its percent-encoding decoded (`B%30001` is `B0001`); "" when absent.
    func decodedParameter(_ name: String) -> String {
        let raw = parameters.get(name) ?? ""
        return raw.removingPercentEncoding ?? raw
    }
}

/// Media types as `Content-Type` names them: the type and subtype before any parameter, compared without case.
enum MediaType {
    /// `application/json` (with parameters such as `; charset=utf-8`), not `application/jsonx`.
    static func isJSON(_ header: String) -> Bool { essence(header) == "application/json" }

    /// `application/x-www-form-urlencoded` (with parameters).
    static func isForm(_ header: String) -> Bool { essence(header) == "application/x-www-form-urlencoded" }

    /// `type/subtype` in lower case, without parameters or spaces.
    static func essence(_ header: String) -> String {
        String(header.prefix { $0 != ";" }).trimmingCharacters(in: .whitespaces).lowercased()
    }
}

/// HTTP status codes for the use cases' error kinds: the CLI's exit-code meanings (64 → 400, 3 → 409) and the
/// kinds behind exit 1 (not found → 404, a state that refuses the change → 422).
enum ErrorStatus {
    /// The Retry-After (seconds) of a 503 for a busy store.
    static let retryAfterSeconds = 5

    static func of(_ kind: AppError.Kind) -> HTTPResponse.Status {
        switch kind {
        case .badInput: return .badRequest
        case .notFound: return .notFound
        case .conflict: return .conflict
        case .invalid: return .unprocessableContent
        case .notInitialized: return .serviceUnavailable
        case .incompatible, .io: return .internalServerError
        }
    }
}
