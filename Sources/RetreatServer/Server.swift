import Crypto
import Dispatch
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOConcurrencyHelpers
import NIOCore
import RetreatApp

/// `retreat serve`: one Hummingbird process over the store, serving subscription feeds, the couples' page and
/// the staff API through the same use cases as the CLI.
public enum RetreatServer {
    /// Runs the server until SIGTERM or SIGINT, then lets requests in flight finish and stops. Prints the
    /// address it listens on (one line on standard output) once it does; logs requests to standard error.
    /// - Throws: `AppError` when the store cannot be used or the address cannot be bound.
    public static func serve(_ options: ServerOptions) throws {
        let outcome = NIOLockedValueBox<(any Error)?>(nil)
        let done = DispatchSemaphore(value: 0)
        Task.detached {
            do {
                try await run(options)
            } catch {
                outcome.withLockedValue { $0 = error }
            }
            done.signal()
        }
        done.wait()
        if let error = outcome.withLockedValue({ $0 }) {
            if let appError = error as? AppError { throw appError }
            throw AppError(.io, "the server stopped: \(error)")
        }
    }

    /// Builds the application and runs it until a shutdown signal.
    static func run(_ options: ServerOptions) async throws {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .info
            return handler
        }
        let logger = Logger(label: "retreat.serve")
        let runner = try UseCaseRunner(options: options)
        let app = try buildApplication(options: options, runner: runner, logger: logger) { address in
            let base = options.baseURL ?? "http://\(address)"
            let line = "retreat: serving on http://\(address) (base URL \(base)); / couples' page, /feeds/TOKEN.ics, /api/ (see /openapi.json), /health\n"
            FileHandle.standardOutput.write(Data(line.utf8))
        }
        do {
            try await app.runService()  // graceful shutdown on SIGTERM and SIGINT
        } catch {
            try? await runner.shutdown()
            throw AppError(.io, "cannot serve on \(options.host):\(options.port): \(error)")
        }
        try await runner.shutdown()
        logger.info("stopped")
    }

    /// The application: routes, middleware and the address to bind. `onRunning` receives `host:port` once the
    /// socket listens (useful with port 0).
    static func buildApplication(
        options: ServerOptions, runner: UseCaseRunner, logger: Logger, onRunning: @escaping @Sendable (String) -> Void
    ) throws -> some ApplicationProtocol {
        let router = Router(context: RetreatContext.self, options: .autoGenerateHeadEndpoints)
        router.add(middleware: RequestLogMiddleware())
        router.add(middleware: SecurityHeadersMiddleware())
        router.get("/health") { _, _ in
            let ok = (try? await runner.run(as: "health") { try $0.overview() }) != nil
            return Response(
                status: ok ? .ok : .serviceUnavailable, headers: [.contentType: "application/json", .cacheControl: "no-store"],
                body: .init(byteBuffer: ByteBuffer(string: ok ? "{\"status\":\"ok\"}\n" : "{\"status\":\"store unavailable\"}\n")))
        }
        router.get("/openapi.json") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: OpenAPIDocument.json)))
        }
        FeedRoutes(runner: runner).add(to: router)
        CoupleRoutes(
            runner: runner, options: options, csrf: CSRF(),
            perIP: RateLimiter(limit: options.requestsPerIPPerHour, window: 3600),
            perAddress: RateLimiter(limit: options.requestsPerAddressPerDay, window: 86_400)
        ).add(to: router)
        APIRoutes(runner: runner).add(to: router)
        return Application(
            router: router,
            configuration: ApplicationConfiguration(address: .hostname(options.host, port: options.port), serverName: "retreat"),
            onServerRunning: { channel in
                let address = channel.localAddress
                let host = address?.ipAddress.map { $0.contains(":") ? "[\($0)]" : $0 } ?? options.host
                onRunning("\(host):\(address?.port ?? options.port)")
            },
            logger: logger)
    }
}

/// One log line per request: method, route pattern (never the path itself, which may hold a feed token),
/// status and time. No query strings, bodies, addresses, names or contacts.
struct RequestLogMiddleware: RouterMiddleware {
    typealias Context = RetreatContext

    func handle(_ request: Request, context: RetreatContext, next: (Request, RetreatContext) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        do {
            let response = try await next(request, context)
            log(request, context, status: response.status.code, since: started)
            return response
        } catch let error as HTTPError {
            log(request, context, status: error.status.code, since: started)
            throw error
        } catch {
            log(request, context, status: 500, since: started)
            throw error
        }
    }

    func log(_ request: Request, _ context: RetreatContext, status: Int, since started: ContinuousClock.Instant) {
        let elapsed = ContinuousClock.now - started
        let ms = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        context.logger.info(
            "request",
            metadata: [
                "method": "\(request.method.rawValue)", "route": "\(context.endpointPath ?? "unmatched")", "status": "\(status)",
                "ms": "\(String(format: "%.1f", ms))",
            ])
    }
}

/// Headers every answer carries: no sniffing, no framing, no referrer to other sites (feed URLs are secrets;
/// `same-origin` rather than `no-referrer`, under which browsers send `Origin: null` with the form), and a
/// content security policy that allows only this server's stylesheet and forms.
struct SecurityHeadersMiddleware: RouterMiddleware {
    typealias Context = RetreatContext

    func handle(_ request: Request, context: RetreatContext, next: (Request, RetreatContext) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        response.headers[.xContentTypeOptions] = "nosniff"
        for (name, value) in [("Referrer-Policy", "same-origin"), ("X-Frame-Options", "DENY")] {
            if let field = HTTPField.Name(name) { response.headers[field] = value }
        }
        response.headers[.contentSecurityPolicy] =
            "default-src 'none'; style-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
        return response
    }
}
