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
}

/// HTTP status codes for the use cases' error kinds: the CLI's exit-code meanings (64 → 400, 3 → 409) and the
/// kinds behind exit 1 (not found → 404, a state that refuses the change → 422).
enum ErrorStatus {
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
