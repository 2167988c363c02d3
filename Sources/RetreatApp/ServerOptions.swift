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
    /// Seconds a connection may stay without a complete request part (headers, a body chunk) before it is
    /// closed: slow or half-open clients cannot hold sockets for ever.
    public var idleTimeout: Int
    /// Connections served at once; further ones wait in the kernel's queue until one closes.
    public var maxConnections: Int
    /// Seconds SIGTERM waits for requests in flight before the remaining connections are closed.
    public var shutdownGrace: Int
    /// The clock (fixed by `$RETREAT_NOW` for demos and tests).
    public var clock: @Sendable () -> Date

    /// Creates options with the defaults `retreat serve` documents.
    public init(
        host: String = "127.0.0.1", port: Int = 8080, isPublic: Bool = false, baseURL: String? = nil, storePath: String, threads: Int = 4,
        requestsPerIPPerHour: Int = 10, requestsPerAddressPerDay: Int = 3, trustForwardedFor: Bool = false, months: Int = 3,
        idleTimeout: Int = 30, maxConnections: Int = 1000, shutdownGrace: Int = 10, clock: @escaping @Sendable () -> Date = { Date() }
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
        self.idleTimeout = idleTimeout
        self.maxConnections = maxConnections
        self.shutdownGrace = shutdownGrace
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
        guard (1...3600).contains(idleTimeout) else { throw AppError(.badInput, "--idle-timeout must be from 1 to 3600 seconds") }
        guard (1...100_000).contains(maxConnections) else { throw AppError(.badInput, "--max-connections must be from 1 to 100000") }
        guard (0...3600).contains(shutdownGrace) else { throw AppError(.badInput, "--shutdown-grace must be from 0 to 3600 seconds") }
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
            guard base.hasPrefix("https://") else {  // normalised: `HTTPS://` reads as https://
                throw AppError(.badInput, "--base-url must start with https:// when --public: feed tokens travel in URLs and must not cross a network in clear")
            }
        }
        return checked
    }

    /// The longest base URL accepted (feed URLs add about 60 characters).
    public static let maxBaseURLLength = 2000

    /// A base URL: `http(s)://host[:port][/path]` without query, fragment, credentials or a trailing slash,
    /// returned normalised: scheme and host in lower case, the default port (80, 443) dropped.
    ///
    /// Only the characters RFC 3986 allows in such a URL are accepted (no spaces, quotes, angle brackets,
    /// backslashes or `'`), the port must be 1–65535, and the whole at most `maxBaseURLLength` characters: the
    /// URL is printed in feed links and compared with a browser's `Origin`.
    /// - Throws: `.badInput` naming `option`.
    public static func baseURL(_ text: String, option: String) throws(AppError) -> String {
        func refuse(_ why: String) -> AppError {
            let shown = text.count > 80 ? String(reflecting: String(text.prefix(60)) + "…") : String(reflecting: text)
            return AppError(.badInput, "\(option) \(shown) is not a base URL such as https://book.example.org: \(why)")
        }
        guard text.utf8.count <= maxBaseURLLength else {
            throw AppError(.badInput, "\(option) is \(text.utf8.count) characters long; at most \(maxBaseURLLength) are allowed")
        }
        var trimmed = text.trimmingCharacters(in: .whitespaces)
        while trimmed.hasSuffix("/") { trimmed.removeLast() }
        guard trimmed.unicodeScalars.allSatisfy({ Self.urlCharacters.contains($0) }) else {
            throw refuse("it holds a character a URL cannot hold (a space, a quote, an angle bracket, a backslash or a non-ASCII letter)")
        }
        guard let schemeEnd = trimmed.range(of: "://") else { throw refuse("it does not start with https:// or http://") }
        let scheme = trimmed[..<schemeEnd.lowerBound].lowercased()
        guard scheme == "http" || scheme == "https" else { throw refuse("it does not start with https:// or http://") }
        let rest = trimmed[schemeEnd.upperBound...]
        guard !rest.contains("?"), !rest.contains("#") else { throw refuse("it has a query or a fragment") }
        let authority = rest.prefix { $0 != "/" }
        let path = rest.dropFirst(authority.count)
        guard !authority.contains("@") else { throw refuse("it holds credentials") }
        guard let origin = Self.origin(scheme: scheme, authority: authority) else { throw refuse("its host or port is not valid (ports are 1-65535)") }
        return origin + path
    }

    /// Characters of an http(s) URL without query or fragment (RFC 3986 unreserved, `/`, `:`, `@`, `[`, `]`,
    /// `%` and the sub-delimiters but `'`).
    static let urlCharacters: Set<Unicode.Scalar> = Set(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~:/@[]%!$&()*+,;=".unicodeScalars)

    /// The origin `scheme://host[:port]` of an `Origin` header or a URL (its path ignored), normalised as `baseURL` does
    /// (lower case, default port dropped, IPv6 addresses in brackets); nil when it is not one.
    public static func origin(_ text: String) -> String? {
        guard let schemeEnd = text.range(of: "://") else { return nil }
        let scheme = text[..<schemeEnd.lowerBound].lowercased()
        guard scheme == "http" || scheme == "https" else { return nil }
        return origin(scheme: scheme, authority: text[schemeEnd.upperBound...].prefix { $0 != "/" })
    }

    /// `scheme://host[:port]` for `authority` (`host`, `host:port`, `[v6]`, `[v6]:port`), normalised.
    public static func origin(scheme: String, authority: Substring) -> String? {
        var host: Substring
        var portText: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { return nil }
            host = authority[...close]
            let after = authority[authority.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { return nil }
                portText = after.dropFirst()
            }
            let inner = host.dropFirst().dropLast()
            guard !inner.isEmpty, inner.allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." }) else { return nil }
        } else {
            let parts = authority.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            host = parts[0]
            if parts.count == 2 { portText = parts[1] }
            guard !host.isEmpty, host.utf8.count <= 253,
                host.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == ".") })
            else { return nil }
        }
        var port: Int?
        if let portText {
            guard !portText.isEmpty, portText.count <= 5, portText.allSatisfy({ $0.isASCII && $0.isNumber }), let number = Int(portText),
                (1...65_535).contains(number)
            else { return nil }
            port = number
        }
        if port == (scheme == "https" ? 443 : 80) { port = nil }
        return "\(scheme)://\(host.lowercased())\(port.map { ":\($0)" } ?? "")"
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
