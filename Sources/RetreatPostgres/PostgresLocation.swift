import Foundation

/// Where a PostgreSQL store lives, read from a `postgres://` URL: everything but the password, which comes only
/// from `PGPASSWORD` or the password file (`~/.pgpass`, or `$PGPASSFILE`), never from a command line.
///
/// `postgres://[user@]host[:port]/dbname[?param=value&...]` (also `postgresql://`). Omitted parts come from
/// libpq's variables: `PGUSER` (else the account name), `PGHOST` (else `localhost`), `PGPORT` (else 5432) and
/// `PGDATABASE` (else the user name). A host that starts with `/` (given as `?host=/run/postgresql`) is the
/// folder of the server's Unix socket. Parameters:
/// - `sslmode`: `disable`, `prefer` (the default: TLS when the server offers it), `require` (TLS or fail),
///   `verify-full` (TLS with the server's certificate checked against `sslrootcert` or the system's roots,
///   and its name against the host); as in libpq, `prefer` and `require` encrypt without checking the
///   certificate;
/// - `sslrootcert`: a PEM file of the certificate authorities to trust for `verify-full`;
/// - `schema`: the schema holding the practice's tables (default `public`), so several practices can share
///   one database;
/// - `connect_timeout`: seconds to wait for a connection (default 10);
/// - `application_name`: how the connections appear in `pg_stat_activity` (default `retreat`).
public struct PostgresLocation: Hashable, Sendable, CustomStringConvertible {
    /// How to use TLS.
    public enum TLSMode: String, Sendable, CaseIterable {
        /// Never.
        case disable
        /// When the server offers it (certificate not checked, as libpq's `prefer`).
        case prefer
        /// Always; the certificate is not checked (libpq's `require`).
        case require
        /// Always, with the certificate and host name checked.
        case verifyFull = "verify-full"
    }

    /// The server's host name or address; nil with a Unix socket.
    public var host: String?
    /// The folder of the server's Unix socket, when connecting through one.
    public var socketFolder: String?
    /// The server's port (also names the Unix socket file).
    public var port: Int
    /// The role to connect as.
    public var user: String
    /// The database.
    public var database: String
    /// The schema holding the practice's tables.
    public var schema: String
    /// TLS.
    public var tlsMode: TLSMode
    /// Certificate authorities to trust for `verify-full`.
    public var rootCertificate: String?
    /// Seconds to wait for a connection.
    public var connectTimeout: Int
    /// `application_name` of the connections.
    public var applicationName: String

    /// Whether `text` names a PostgreSQL store rather than a file.
    public static func isURL(_ text: String) -> Bool {
        let lower = text.lowercased()
        return lower.hasPrefix("postgres://") || lower.hasPrefix("postgresql://")
    }

    /// Whether `text` was meant as a PostgreSQL URL: it starts with `postgres:` or `postgresql:` (any case), even
    /// when mistyped (`postgres:/host/db`, `postgres:user@host`). Such text is never taken as a file name (that
    /// would create a local store whose name holds whatever was typed, a password included).
    public static func isMeantAsURL(_ text: String) -> Bool {
        let lower = text.lowercased()
        return lower.hasPrefix("postgres:") || lower.hasPrefix("postgresql:")
    }

    /// Where a store location came from, for messages: `RETREAT_DB` when `text` is that variable's value (no --db
    /// was given), else `--db`.
    public static func origin(of text: String, environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        environment["RETREAT_DB"] == text ? "RETREAT_DB" : "--db"
    }

    /// Reads a `postgres://` URL, filling omitted parts from `environment` (libpq's variables).
    /// - Throws: `PostgresLocationError` naming what is wrong; a password in the URL is refused.
    public init(url text: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws(PostgresLocationError) {
        guard Self.isURL(text), let schemeEnd = text.range(of: "://") else {
            throw PostgresLocationError("\"\(Self.redacted(text))\" is not a postgres:// URL (postgres://user@host:port/dbname)")
        }
        var rest = String(text[schemeEnd.upperBound...])
        var queryText = ""
        if let q = rest.firstIndex(of: "?") {
            queryText = String(rest[rest.index(after: q)...])
            rest = String(rest[..<q])
        }
        if rest.contains("#") { throw PostgresLocationError("a postgres:// URL has no #fragment") }
        var authority = rest
        var path = ""
        if let slash = rest.firstIndex(of: "/") {
            authority = String(rest[..<slash])
            path = String(rest[rest.index(after: slash)...])
        }
        var userPart: String?
        if let at = authority.lastIndex(of: "@") {
            userPart = String(authority[..<at])
            authority = String(authority[authority.index(after: at)...])
        }
        if let userPart, userPart.contains(":") {
            throw PostgresLocationError(
                "a password in the URL is refused (command lines are visible to every user of the machine); set PGPASSWORD or add the password to ~/.pgpass (mode 0600)"
            )
        }
        let account = environment["PGUSER"].flatMap { $0.isEmpty ? nil : $0 } ?? environment["USER"].flatMap { $0.isEmpty ? nil : $0 } ?? "postgres"
        var named = ""
        if let userPart { named = try Self.decode(userPart, "user name") }
        user = named.isEmpty ? account : named

        // host[:port], host an IPv6 literal in brackets, or empty.
        var hostText = authority
        var portText: String?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { throw PostgresLocationError("the IPv6 address in the URL has no closing ]") }
            hostText = String(authority[authority.index(after: authority.startIndex)..<close])
            let after = authority[authority.index(after: close)...]
            if after.hasPrefix(":") {
                portText = String(after.dropFirst())
            } else if !after.isEmpty {
                throw PostgresLocationError("unexpected text after the IPv6 address")
            }
        } else if let colon = authority.lastIndex(of: ":") {
            hostText = String(authority[..<colon])
            portText = String(authority[authority.index(after: colon)...])
        }
        hostText = try Self.decode(hostText, "host")
        if hostText.contains(",") { throw PostgresLocationError("several hosts in one URL are not supported; name one server") }

        var parameters: [String: String] = [:]
        for pair in queryText.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = try Self.decode(String(parts[0]), "parameter name")
            let value = try Self.decode(parts.count > 1 ? String(parts[1]) : "", "value of \(key)")
            guard Self.knownParameters.contains(key) else {
                if key == "password" {
                    throw PostgresLocationError("a password in the URL is refused; set PGPASSWORD or add the password to ~/.pgpass (mode 0600)")
                }
                throw PostgresLocationError("unknown URL parameter \"\(key)\"; known: \(Self.knownParameters.sorted().joined(separator: ", "))")
            }
            parameters[key] = value
        }
        if let h = parameters["host"] { hostText = h }
        if hostText.isEmpty { hostText = environment["PGHOST"].flatMap { $0.isEmpty ? nil : $0 } ?? "localhost" }
        if hostText.hasPrefix("/") {
            socketFolder = hostText
            host = nil
        } else {
            host = hostText
            socketFolder = nil
        }
        let portValue = parameters["port"] ?? portText.flatMap { $0.isEmpty ? nil : $0 } ?? environment["PGPORT"].flatMap { $0.isEmpty ? nil : $0 } ?? "5432"
        guard let p = Int(portValue), (1...65535).contains(p) else {
            // Not echoed: in a mistyped URL the "port" may be a password (postgres://user:secret).
            throw PostgresLocationError("the port in the URL is not a number from 1 to 65535")
        }
        port = p
        let db = try Self.decode(path, "database name")
        if db.contains("/") { throw PostgresLocationError("the database name \"\(db)\" contains a /") }
        database = parameters["dbname"] ?? (db.isEmpty ? (environment["PGDATABASE"].flatMap { $0.isEmpty ? nil : $0 } ?? user) : db)
        schema = parameters["schema"] ?? "public"
        guard Self.isPlainIdentifier(schema) else {
            throw PostgresLocationError("schema \"\(schema)\" must be a plain name: lower-case letters, digits and _, starting with a letter or _ (at most 63)")
        }
        if schema.hasPrefix("pg_") || schema == "information_schema" {
            throw PostgresLocationError("schema \"\(schema)\" is reserved by PostgreSQL (pg_* and information_schema); choose another name")
        }
        let mode = parameters["sslmode"] ?? environment["PGSSLMODE"].flatMap { $0.isEmpty ? nil : $0 } ?? "prefer"
        switch mode {
        case "allow", "prefer": tlsMode = .prefer
        case "disable", "require", "verify-full": tlsMode = TLSMode(rawValue: mode) ?? .prefer
        case "verify-ca": throw PostgresLocationError("sslmode verify-ca is not supported; use verify-full (it also checks the host name)")
        default: throw PostgresLocationError("sslmode \"\(mode)\" is not one of disable, prefer, require, verify-full")
        }
        rootCertificate = parameters["sslrootcert"] ?? environment["PGSSLROOTCERT"].flatMap { $0.isEmpty ? nil : $0 }
        let timeout = parameters["connect_timeout"] ?? environment["PGCONNECT_TIMEOUT"].flatMap { $0.isEmpty ? nil : $0 } ?? "10"
        guard let t = Int(timeout), (1...3600).contains(t) else {
            throw PostgresLocationError("connect_timeout \"\(timeout)\" is not a number of seconds from 1 to 3600")
        }
        connectTimeout = t
        applicationName = parameters["application_name"] ?? "retreat"
    }

    static let knownParameters: Set<String> = ["sslmode", "sslrootcert", "schema", "connect_timeout", "application_name", "host", "port", "dbname"]

    /// The URL without a password (there never is one), for messages.
    public var description: String {
        var text = "postgres://\(Self.encode(user))@"
        if let host { text += host.contains(":") ? "[\(host)]" : Self.encode(host) }
        text += ":\(port)/\(Self.encode(database))"
        var params: [String] = []
        if let socketFolder { params.append("host=\(Self.encode(socketFolder))") }
        if schema != "public" { params.append("schema=\(schema)") }
        if !params.isEmpty { text += "?" + params.joined(separator: "&") }
        return text
    }

    /// The host name as a password file entry matches it (`localhost` for a Unix socket, as libpq does).
    var passwordFileHost: String { host ?? "localhost" }

    /// A lower-case SQL identifier that needs no quoting.
    static func isPlainIdentifier(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, text.utf8.count <= 63 else { return false }
        let letters = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyz_")
        let rest = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyz_0123456789")
        return letters.contains(first) && text.unicodeScalars.allSatisfy { rest.contains($0) }
    }

    static func decode(_ text: String, _ what: String) throws(PostgresLocationError) -> String {
        guard let decoded = text.removingPercentEncoding else { throw PostgresLocationError("the \(what) in the URL has a bad %-escape") }
        if decoded.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
            throw PostgresLocationError("the \(what) in the URL contains a control character")
        }
        return decoded
    }

    static func encode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }

    /// `text` with anything between the scheme's `:` (and its slashes) and the last `@` removed, so a mistyped URL
    /// with a password is never echoed; a text with a `:` after the scheme but no `@` keeps only the scheme and the
    /// host part after the last `:`-separated field is dropped (it may be a password).
    public static func redacted(_ text: String) -> String {
        guard let colon = text.firstIndex(of: ":") else { return text }
        var start = text.index(after: colon)
        while start < text.endIndex && text[start] == "/" { start = text.index(after: start) }
        let rest = text[start...]
        if let at = rest.lastIndex(of: "@") { return String(text[..<start]) + "…" + String(text[at...]) }
        // No @: "postgres:user:password" has nothing to keep safely beyond the scheme.
        if rest.contains(":") { return String(text[..<start]) + "…" }
        return text
    }
}

/// A `postgres://` URL that cannot be used, and why.
public struct PostgresLocationError: Error, Hashable, Sendable, CustomStringConvertible {
    /// One sentence.
    public var message: String
    /// Creates an error.
    public init(_ message: String) { self.message = message }
    /// The message.
    public var description: String { message }
}

/// The password for a location: `PGPASSWORD`, else the first matching line of the password file
/// (`$PGPASSFILE`, else `~/.pgpass`): `hostname:port:database:username:password`, `*` matching anything, `\:`
/// and `\\` escaping. As libpq does, a password file that others can read is ignored.
public enum PostgresPassword {
    /// What was found.
    public struct Lookup: Hashable, Sendable {
        /// The password, if any.
        public var password: String?
        /// A sentence to add when the server asks for a password and none was found (an ignored file, ...).
        public var note: String?
    }

    /// Looks up the password for `location`.
    public static func lookup(for location: PostgresLocation, environment: [String: String] = ProcessInfo.processInfo.environment) -> Lookup {
        if let password = environment["PGPASSWORD"], !password.isEmpty { return Lookup(password: password, note: nil) }
        let file =
            environment["PGPASSFILE"].flatMap { $0.isEmpty ? nil : $0 }
            ?? ((environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()) + "/.pgpass")
        var info = stat()
        guard stat(file, &info) == 0 else { return Lookup(password: nil, note: nil) }
        guard info.st_mode & S_IFMT == S_IFREG else { return Lookup(password: nil, note: "\(file) is not a regular file") }
        if info.st_mode & 0o077 != 0 {
            return Lookup(password: nil, note: "\(file) is ignored because others can read it; chmod 0600 \(file)")
        }
        guard let data = FileManager.default.contents(atPath: file), let text = String(data: data, encoding: .utf8) else {
            return Lookup(password: nil, note: "\(file) cannot be read")
        }
        return Lookup(password: match(text, location: location), note: nil)
    }

    /// The password of the first line of a password file that matches `location`.
    static func match(_ text: String, location: PostgresLocation) -> String? {
        let wanted = [location.passwordFileHost, String(location.port), location.database, location.user]
        for line in text.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            if line.hasPrefix("#") { continue }
            let fields = split(String(line))
            guard fields.count == 5 else { continue }
            if zip(fields.prefix(4), wanted).allSatisfy({ $0.0 == "*" || $0.0 == $0.1 }) { return fields[4] }
        }
        return nil
    }

    /// Splits a password file line on unescaped colons, undoing `\:` and `\\`; anything after a fifth unescaped
    /// colon is ignored, as libpq does.
    static func split(_ line: String) -> [String] {
        var fields: [String] = [""]
        var escaped = false
        for ch in line {
            if escaped {
                fields[fields.count - 1].append(ch)
                escaped = false
            } else if ch == "\\" {
                escaped = true
            } else if ch == ":" {
                // As libpq: the password field ends at the first unescaped colon.
                if fields.count == 5 { break }
                fields.append("")
            } else {
                fields[fields.count - 1].append(ch)
            }
        }
        return fields
    }
}
