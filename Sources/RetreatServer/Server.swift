import Crypto
import Dispatch
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
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

    /// Builds the application and runs it until a shutdown signal, then gives requests in flight
    /// `options.shutdownGrace` seconds before it closes the connections that are left.
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
        let serving = Task { try await app.runService() }  // graceful shutdown on SIGTERM and SIGINT
        let grace = ShutdownGrace(seconds: options.shutdownGrace, logger: logger) { serving.cancel() }
        defer { grace.stop() }
        do {
            try await serving.value
        } catch {
            // After the grace period the server was cancelled: the connections still open were closed.
            if !grace.fired {
                try? await runner.shutdown()
                throw AppError(.io, "cannot serve on \(options.host):\(options.port): \(describe(error))")
            }
        }
        try await runner.shutdown()
        logger.info("stopped")
    }

    /// A sentence for a start-up failure: for a socket error, the system's words (`Address already in use`).
    static func describe(_ error: any Error) -> String {
        if let io = error as? IOError { return String(cString: strerror(io.errnoCode)) }
        return "\(error)"
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
            runner: runner, options: options, csrf: CSRF(key: runner.formKey),
            perIP: RateLimiter(limit: options.requestsPerIPPerHour, window: 3600),
            perAddress: RateLimiter(limit: options.requestsPerAddressPerDay, window: 86_400)
        ).add(to: router)
        APIRoutes(runner: runner).add(to: router)
        MethodNotAllowed.add(to: router, routes: MethodNotAllowed.routes)
        // A connection that sends no complete request part (the headers, a piece of body) for the idle timeout
        // is closed, and at most `maxConnections` are served at once (never more than the descriptors allow).
        let connections = min(options.maxConnections, max(16, openFileLimit() - 64))
        return Application(
            router: router,
            server: .http1(configuration: .init(idleTimeout: .seconds(Int64(options.idleTimeout)))),
            configuration: ApplicationConfiguration(
                address: .hostname(options.host, port: options.port), serverName: "retreat",
                availableConnectionsDelegate: MaximumAvailableConnections(connections, logger: logger)),
            onServerRunning: { channel in
                let address = channel.localAddress
                let host = address?.ipAddress.map { $0.contains(":") ? "[\($0)]" : $0 } ?? options.host
                onRunning("\(host):\(address?.port ?? options.port)")
            },
            logger: logger)
    }

    /// The process's soft limit on open files.
    static func openFileLimit() -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 1024 }
        return Int(clamping: limit.rlim_cur)  // RLIM_INFINITY is the largest value: clamped to Int.max
    }
}

/// After SIGTERM or SIGINT (which Hummingbird's service group turns into a graceful shutdown: no new
/// connections, requests in flight finish), waits `seconds`, then calls `expire`, which cancels the server: the
/// connections still open are closed. A use case already running on the store finishes (the thread pool lets it)
/// or never started; each is one transaction, so none is half-written. Should the process still run 5 seconds
/// later, it exits.
final class ShutdownGrace {
    private let sources: [any DispatchSourceSignal]
    private let state = NIOLockedValueBox<(fired: Bool, armed: Bool)>((false, false))

    init(seconds: Int, logger: Logger, expire: @escaping @Sendable () -> Void) {
        let queue = DispatchQueue(label: "retreat.shutdown-grace")
        let state = self.state
        sources = [SIGTERM, SIGINT].map { signal in
            let source = DispatchSource.makeSignalSource(signal: signal, queue: queue)
            source.setEventHandler {
                let first = state.withLockedValue { s -> Bool in
                    defer { s.armed = true }
                    return !s.armed
                }
                guard first else { return }
                queue.asyncAfter(deadline: .now() + .seconds(seconds)) {
                    state.withLockedValue { $0.fired = true }
                    logger.warning("shutdown grace period of \(seconds) s is over: closing the connections still open")
                    expire()
                    queue.asyncAfter(deadline: .now() + .seconds(5)) {
                        logger.error("connections did not close within 5 s of the grace period; exiting")
                        exit(1)
                    }
                }
            }
            source.resume()
            return source
        }
    }

    /// Whether the grace period ran out.
    var fired: Bool { state.withLockedValue { $0.fired } }

    /// Stops watching (the server stopped by itself).
    func stop() {
        for source in sources { source.cancel() }
    }
}

/// `405 Method Not Allowed` with `Allow` for a method a route does not take (Hummingbird answers 404).
enum MethodNotAllowed {
    /// Every route and the methods it takes (HEAD comes with GET).
    static var routes: [(path: String, methods: [HTTPRequest.Method])] {
        var table: [(path: String, methods: [HTTPRequest.Method])] = [
            ("/health", [.get]), ("/openapi.json", [.get]), ("/feeds/{token}.ics", [.get]), ("/", [.get]), ("/request", [.get, .post]),
            ("/style.css", [.get]),
        ]
        for endpoint in APIRoutes.endpoints {
            if let i = table.firstIndex(where: { $0.path == endpoint.path }) {
                table[i].methods.append(endpoint.method)
            } else {
                table.append((endpoint.path, [endpoint.method]))
            }
        }
        return table
    }

    static func add(to router: Router<RetreatContext>, routes: [(path: String, methods: [HTTPRequest.Method])]) {
        let candidates: [HTTPRequest.Method] = [.get, .head, .post, .put, .patch, .delete, .options]
        for (path, methods) in routes {
            var allowed = methods
            if methods.contains(.get) { allowed.insert(.head, at: allowed.firstIndex(of: .get).map { $0 + 1 } ?? 0) }
            let allow = allowed.map(\.rawValue).joined(separator: ", ")
            let api = path.hasPrefix("/api/")
            for method in candidates where !allowed.contains(method) {
                router.on(RouterPath(path), method: method) { request, _ in
                    var response: Response
                    if api {
                        let body = APIRoutes.ErrorJSON(
                            error: .init(kind: "methodNotAllowed", message: "\(request.method.rawValue) is not allowed here; use \(allow)", rejections: nil))
                        response = (try? APIRoutes.json(.methodNotAllowed, body)) ?? Response(status: .methodNotAllowed)
                    } else {
                        response = Response(
                            status: .methodNotAllowed, headers: [.contentType: "text/plain; charset=utf-8"],
                            body: .init(byteBuffer: ByteBuffer(string: "method not allowed; use \(allow)\n")))
                    }
                    response.headers[.allow] = allow
                    return response
                }
            }
        }
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
