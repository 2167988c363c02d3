import Foundation
import NIOConcurrencyHelpers
import NIOPosix
import RetreatApp

/// Runs the use cases, which are synchronous and block on SQLite, on a dedicated thread pool: never on the
/// event loop. Each thread checks out its own store connection (SQLite in WAL mode lets them read side by side;
/// writers queue on `BEGIN IMMEDIATE`) for the length of one use case.
final class UseCaseRunner: Sendable {
    private let pool: NIOThreadPool
    private let idle: NIOLockedValueBox<[RetreatService]>

    /// Opens `options.threads` connections to the store and starts as many threads.
    /// - Throws: `AppError` when the store cannot be opened or is not initialised.
    init(options: ServerOptions) throws(AppError) {
        var services: [RetreatService] = []
        for _ in 0..<options.threads {
            services.append(try RetreatService.open(path: options.storePath, actor: "server", clock: options.clock))
        }
        // Fails now, not at the first request, when the store has no settings yet.
        _ = try services.first?.overview()
        idle = NIOLockedValueBox(services)
        pool = NIOThreadPool(numberOfThreads: options.threads)
        pool.start()
    }

    /// Runs `body` on a pool thread with a service acting as `actor` (for the audit log).
    /// - Throws: what `body` throws (`AppError`), or an error when the pool is shutting down.
    func run<T: Sendable>(as actor: String, _ body: @escaping @Sendable (RetreatService) throws -> T) async throws -> T {
        try await pool.runIfActive { [idle] in
            guard let service = idle.withLockedValue({ $0.popLast() }) else {
                throw AppError(.io, "no store connection is free")
            }
            defer { idle.withLockedValue { $0.append(service) } }
            return try body(service.acting(as: actor))
        }
    }

    /// Lets running use cases finish, then stops the threads.
    func shutdown() async throws {
        try await pool.shutdownGracefully()
    }
}
