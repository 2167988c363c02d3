import Foundation
import NIOConcurrencyHelpers
import NIOPosix
import RetreatApp

/// Runs the use cases, which are synchronous and block on the store, on threads of their own: never on the
/// event loop.
///
/// Reading use cases run on a pool of `options.threads` threads, each with its own store connection (SQLite in
/// WAL mode and PostgreSQL let them read side by side, also while another process writes). Writing use cases
/// run one at a time on a thread and connection of their own: the store takes one writer at a time anyway
/// (`BEGIN IMMEDIATE`, PostgreSQL's advisory lock), so nothing is lost, and a writer that waits for another
/// process's lock holds one thread, never the readers'. A write that waited `writeWait` for its turn is
/// refused as "store is busy" without touching the store.
final class UseCaseRunner: Sendable {
    private let readers: NIOThreadPool
    private let writer: NIOThreadPool
    private let idle: NIOLockedValueBox<[RetreatService]>
    private let writeService: RetreatService
    /// The key the couples' page signs form tokens with, shared by every server on the store.
    let formKey: [UInt8]
    /// How long a write may wait for the writer thread.
    let writeWait: Duration

    /// The message of a write refused because the store (or this server's writer) is busy.
    static let busyMessage = "the store is busy (another change is being written); try again"

    /// Opens `options.threads` reading connections and one writing connection, and starts their threads.
    /// - Throws: `AppError` when the store cannot be opened or is not initialised.
    init(options: ServerOptions, writeWait: Duration = .seconds(10)) throws(AppError) {
        var services: [RetreatService] = []
        for _ in 0..<options.threads {
            services.append(try RetreatService.open(path: options.storePath, actor: "server", clock: options.clock))
        }
        // Fails now, not at the first request, when the store has no settings yet.
        _ = try services.first?.overview()
        writeService = try RetreatService.open(path: options.storePath, actor: "server", clock: options.clock)
        formKey = try writeService.formSigningKey()
        idle = NIOLockedValueBox(services)
        readers = NIOThreadPool(numberOfThreads: options.threads)
        writer = NIOThreadPool(numberOfThreads: 1)
        self.writeWait = writeWait
        readers.start()
        writer.start()
    }

    /// Runs a use case that only reads, on a pool thread, with a service acting as `actor`.
    /// - Throws: what `body` throws (`AppError`), or an error when the pool is shutting down.
    func run<T: Sendable>(as actor: String, _ body: @escaping @Sendable (RetreatService) throws -> T) async throws -> T {
        try await readers.runIfActive { [idle] in
            guard let service = idle.withLockedValue({ $0.popLast() }) else {
                throw AppError(.io, "no store connection is free")
            }
            defer { idle.withLockedValue { $0.append(service) } }
            return try body(service.acting(as: actor))
        }
    }

    /// Runs a use case that writes, after the writes queued before it, on the writer thread.
    /// - Throws: what `body` throws (`AppError`); `AppError(.io, busyMessage)` when it waited `writeWait` for
    ///   its turn (it then never ran).
    func write<T: Sendable>(as actor: String, _ body: @escaping @Sendable (RetreatService) throws -> T) async throws -> T {
        let queued = ContinuousClock.now
        let wait = writeWait
        return try await writer.runIfActive { [writeService] in
            if ContinuousClock.now - queued > wait { throw AppError(.io, Self.busyMessage) }
            return try body(writeService.acting(as: actor))
        }
    }

    /// Whether `error` says that the store was busy: another writer held it past the store's own wait (SQLite's
    /// busy timeout, PostgreSQL's lock timeout) or this server's writes queued too long.
    static func isBusy(_ error: AppError) -> Bool {
        error.kind == .io
            && (error.message == busyMessage || error.message.hasPrefix("the store is busy") || error.message.hasPrefix("the store stayed busy"))
    }

    /// Lets running use cases finish, then stops the threads (queued ones that have not started never run).
    func shutdown() async throws {
        try await readers.shutdownGracefully()
        try await writer.shutdownGracefully()
    }
}
