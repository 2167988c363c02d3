import ArgumentParser
import Foundation
import RetreatApp

extension RetreatCommand {
    struct Serve: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Serve calendar feeds, the couples' request page and the staff API over the same store (Hummingbird).",
            discussion: """
                Routes: /health, /feeds/TOKEN.ics (see `retreat feeds`), / and /request (the couples' page: free start \
                dates and a request form that places a hold), /api/… (staff JSON API with `Authorization: Bearer TOKEN`, \
                see `retreat tokens`), /openapi.json. Listens on loopback unless --public is given with an https \
                --base-url. SIGTERM or SIGINT stops it gracefully: requests in flight finish within --shutdown-grace seconds, \
                then what is left is closed; nothing is half-written. A connection that sends nothing for --idle-timeout \
                seconds is closed. \
                Reading use cases run on a pool of --threads threads, each with its own store connection; writing ones one \
                at a time on a thread of their own (a store busy past its timeout answers 503); never on the event loop.
                """)

        @OptionGroup var store: StoreOptions
        @Option(help: "Address to listen on (a loopback address unless --public).") var host = "127.0.0.1"
        // Unconditional: `--port -1` reaches the range check instead of reading as a missing value.
        @Option(parsing: .unconditional, help: "Port to listen on, 0-65535 (0 picks a free one; the address is printed).") var port = 8080
        @Flag(name: .customLong("public"), help: "Allow listening beyond loopback (needs --base-url https://…).") var isPublic = false
        @Option(help: "The public address couples and calendar apps use, e.g. https://book.example.org (default: $RETREAT_BASE_URL).")
        var baseURL: String?
        @Option(help: "Threads running reading use cases, each with its own store connection (1-64).") var threads = 4
        @Option(help: "Requests for dates accepted per IP address per hour.") var requestsPerIP = 10
        @Option(help: "Requests for dates accepted per e-mail address per day.") var requestsPerAddress = 3
        @Flag(help: "Take the client address from the last X-Forwarded-For entry (only behind a proxy that sets it).") var trustForwardedFor = false
        @Option(help: "Months of free start dates on the couples' page (1-12).") var months = 3
        @Option(help: "Seconds a connection may wait without sending a complete request part before it is closed (1-3600).")
        var idleTimeout = 30
        @Option(help: "Connections served at once; more wait until one closes (1-100000).") var maxConnections = 1000
        @Option(help: "Seconds SIGTERM waits for requests in flight before closing what is left (0-3600).") var shutdownGrace = 10

        func options() throws -> ServerOptions {
            let environment = ProcessInfo.processInfo.environment
            let base = baseURL ?? environment["RETREAT_BASE_URL"].flatMap { $0.isEmpty ? nil : $0 }
            // The live clock, unless $RETREAT_NOW fixes it (demos and tests).
            var clock: @Sendable () -> Date = { Date() }
            if let text = environment["RETREAT_NOW"], !text.isEmpty {
                let now = try Clock.now()
                clock = { now }
            }
            return try ServerOptions(
                host: host, port: port, isPublic: isPublic, baseURL: base, storePath: store.path, threads: threads,
                requestsPerIPPerHour: requestsPerIP, requestsPerAddressPerDay: requestsPerAddress, trustForwardedFor: trustForwardedFor, months: months,
                idleTimeout: idleTimeout, maxConnections: maxConnections, shutdownGrace: shutdownGrace, clock: clock
            ).validated()
        }

        func validate() throws {
            do { _ = try options() } catch let error as AppError { throw ValidationError(error.message) }
        }

        func run() throws {
            guard let launch = RetreatMain.serverLauncher else {
                throw AppError(.invalid, "this build of retreat has no server; build the `retreat` product")
            }
            try launch(try options())
        }
    }
}
