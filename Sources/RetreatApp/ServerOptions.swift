import Foundation

/// What `retreat serve` runs with: parsed by the CLI, checked here (one rule for every caller), run by
/// RetreatServer.
public struct ServerOptions: Sendable {
    /// Address to listen on.
    public var host: String
    /// Port to listen on (0: any free port, printed at start-up).
    public var port: Int
    /// Allow a non-loopback address (the server is then reachable from the network).
    public var isPublic: Bool
    /// The address couples and calendar apps use, e.g. `https://book.example.org` (no trailing slash); nil on
    /// loopback means `http://HOST:PORT`.
    public var baseURL: String?
    /// The store file.
    public var storePath: String
    /// Threads that run the (blocking) use cases off the event loop, each with its own store connection.
    public var threads: Int
    /// Requests for dates accepted from one IP address per hour.
    public var requestsPerIPPerHour: Int
    /// Requests for dates accepted for one e-mail address per day.
    public var requestsPerAddressPerDay: Int
    /// Trust the last `X-Forwarded-For` address (only behind a reverse proxy that sets it).
    public var trustForwardedFor: Bool
    /// Months shown on the couples' page.
    public var months: Int
    /// The clock (fixed by `$RETREAT_NOW` for demos and tests).
    public var clock: @Sendable () -> Date

    /// Creates options with the defaults `retreat serve` documents.
    public init(
        host: String = "127.0.0.1", port: Int = 8080, isPublic: Bool = false, baseURL: String? = nil, storePath: String, threads: Int = 4,
        requestsPerIPPerHour: Int = 10, requestsPerAddressPerDay: Int = 3, trustForwardedFor: Bool = false, months: Int = 3,
        clock: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.host = host
        self.port = port
        self.isPublic = isPublic
        self.baseURL = baseURL
        self.storePath = storePath
        self.threads = threads
        self.requestsPerIPPerHour = requestsPerIPPerHour
        self.requestsPerAddressPerDay = requestsPerAddressPerDay
        self.trustForwardedFor = trustForwardedFor
        self.months = months
        self.clock = clock
    }

    /// Whether `host` is a loopback address (127.0.0.0/8, ::1, localhost).
    public static func isLoopback(_ host: String) -> Bool {
        let h = host.lowercased()
        if h == "localhost" || h == "::1" || h == "[::1]" { return true }
        let parts = h.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts[0] == "127" && parts.allSatisfy { UInt8($0) != nil }
    }

    /// These options after the start-up rules: a port in range, sensible limits, and no listening beyond
    /// loopback without `--public` and an https base URL.
    /// - Throws: `.badInput` naming the option.
    public func validated() throws(AppError) -> ServerOptions {
        var checked = self
        guard (0...65_535).contains(port) else { throw AppError(.badInput, "--port must be from 0 to 65535 (0 picks a free port)") }
        guard (1...64).contains(threads) else { throw AppError(.badInput, "--threads must be from 1 to 64") }
        guard requestsPerIPPerHour >= 1, requestsPerAddressPerDay >= 1 else { throw AppError(.badInput, "request limits must be at least 1") }
        guard (1...12).contains(months) else { throw AppError(.badInput, "--months must be from 1 to 12") }
        if let baseURL { checked.baseURL = try Self.baseURL(baseURL, option: "--base-url") }
        if !Self.isLoopback(host) {
            guard isPublic else {
                throw AppError(
                    .badInput,
                    "--host \(host) is not a loopback address: the server would be reachable from the network; add --public and --base-url https://… (the address couples and calendar apps use)"
                )
            }
            guard let base = checked.baseURL else {
                throw AppError(.badInput, "--public needs --base-url https://… (or $RETREAT_BASE_URL): feed links and forms must name the public address")
            }
            guard base.hasPrefix("https://") else {
                throw AppError(.badInput, "--base-url must start with https:// when --public: feed tokens travel in URLs and must not cross a network in clear")
            }
        }
        return checked
    }

    /// A base URL: `http(s)://host[:port][/path]` without query, fragment, credentials or a trailing slash.
    /// - Throws: `.badInput` naming `option`.
    public static func baseURL(_ text: String, option: String) throws(AppError) -> String {
        var trimmed = text.trimmingCharacters(in: .whitespaces)
        while trimmed.hasSuffix("/") { trimmed.removeLast() }
        guard let url = URLComponents(string: trimmed), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
            let host = url.host, !host.isEmpty, url.query == nil, url.fragment == nil, url.user == nil, url.password == nil,
            !trimmed.unicodeScalars.contains(where: { $0.value < 0x21 || $0.value == 0x7F })
        else {
            throw AppError(.badInput, "\(option) \(String(reflecting: text)) is not a base URL such as https://book.example.org")
        }
        return trimmed
    }

    /// The base URL given, else `$RETREAT_BASE_URL`, else `http://127.0.0.1:8080` (what `retreat serve` answers on
    /// by default).
    public static func resolvedBaseURL(_ given: String?, environment: [String: String]) throws(AppError) -> String {
        if let given { return try baseURL(given, option: "--base-url") }
        if let env = environment["RETREAT_BASE_URL"], !env.isEmpty { return try baseURL(env, option: "RETREAT_BASE_URL") }
        return "http://127.0.0.1:8080"
    }

    /// The URL of a feed: `BASE/feeds/TOKEN.ics`.
    public static func feedURL(base: String, token: String) -> String { "\(base)/feeds/\(token).ics" }

    /// The same URL with the `webcal` scheme calendar apps open as a subscription.
    public static func webcalURL(_ url: String) -> String {
        if url.hasPrefix("https://") { return "webcal://" + url.dropFirst("https://".count) }
        if url.hasPrefix("http://") { return "webcal://" + url.dropFirst("http://".count) }
        return url
    }
}

extension RetreatService {
    /// The same use cases over the same store and clock, acting as `actor` in the audit log (the server acts
    /// as `web` for couples and `api:T0001` for a staff token).
    public func acting(as actor: String) -> RetreatService {
        RetreatService(store: store, actor: actor, clock: clock)
    }
}
