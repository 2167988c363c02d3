import Foundation
import RetreatStore
import Testing

@testable import RetreatPostgres

/// Reading `postgres://` URLs and finding the password: pure, no server needed.
@Suite struct LocationTests {
    let env = ["USER": "sam", "HOME": "/nonexistent"]

    @Test func aFullURLIsReadWithLibpqDefaultsForWhatIsMissing() throws {
        let l = try PostgresLocation(url: "postgres://staff@db.example.org:6543/practice?sslmode=require&schema=north_site", environment: env)
        #expect(l.host == "db.example.org")
        #expect(l.port == 6543)
        #expect(l.user == "staff")
        #expect(l.database == "practice")
        #expect(l.schema == "north_site")
        #expect(l.tlsMode == .require)
        #expect(l.description == "postgres://staff@db.example.org:6543/practice?schema=north_site")
        let d = try PostgresLocation(url: "postgresql://", environment: env)
        #expect(d.host == "localhost" && d.port == 5432 && d.user == "sam" && d.database == "sam" && d.schema == "public" && d.tlsMode == .prefer)
        let fromEnv = try PostgresLocation(
            url: "postgres:///", environment: ["PGUSER": "u", "PGHOST": "h", "PGPORT": "7000", "PGDATABASE": "x", "PGSSLMODE": "disable"])
        #expect(fromEnv.description == "postgres://u@h:7000/x" && fromEnv.tlsMode == .disable)
        let v6 = try PostgresLocation(url: "postgres://a@[::1]:5433/d", environment: env)
        #expect(v6.host == "::1" && v6.port == 5433 && v6.description == "postgres://a@[::1]:5433/d")
        let socket = try PostgresLocation(url: "postgres://a@/d?host=/run/postgresql", environment: env)
        #expect(socket.host == nil && socket.socketFolder == "/run/postgresql")
        let escaped = try PostgresLocation(url: "postgres://jo%40site@h/my%20db", environment: env)
        #expect(escaped.user == "jo@site" && escaped.database == "my db")
    }

    @Test func aPasswordInTheURLIsRefusedAndNeverEchoed() {
        for url in ["postgres://staff:s3cret@db/practice", "postgres://staff:@db/practice", "postgres://db/practice?password=s3cret"] {
            do {
                _ = try PostgresLocation(url: url, environment: env)
                Issue.record("\(url) was accepted")
            } catch {
                #expect(error.message.contains("PGPASSWORD"))
                #expect(!error.message.contains("s3cret"))
            }
        }
        #expect(PostgresLocation.redacted("postgre://u:s3cret@h/db") == "postgre://…@h/db")
    }

    /// A mistyped URL is never taken for a file name (which would create a local store named after the
    /// password), and its password is never echoed.
    @Test func aMistypedURLIsStillAURLAndItsPasswordIsNotEchoed() {
        for url in ["postgres:/staff:s3cret@db/practice", "postgres:staff:s3cret@db", "POSTGRESQL:staff:s3cret", "postgres://staff:s3cret", "Postgres:x"] {
            #expect(PostgresLocation.isMeantAsURL(url), "\(url)")
            do {
                _ = try PostgresLocation(url: url, environment: env)
                Issue.record("\(url) was accepted")
            } catch {
                #expect(!error.message.contains("s3cret"), "\(url): \(error.message)")
            }
        }
        for path in ["store.sqlite", "./postgres:x", "/tmp/postgres://y", "pg.sqlite"] { #expect(!PostgresLocation.isMeantAsURL(path), "\(path)") }
    }

    @Test func badParametersAreNamed() {
        let cases: [(String, String)] = [
            ("postgres://h:99999/d", "port"), ("postgres://h:x/d", "port"), ("postgres://h/d?sslmode=sometimes", "sslmode"),
            ("postgres://h/d?sslmode=verify-ca", "verify-full"), ("postgres://h/d?schema=Bad-Name", "schema"), ("postgres://h/d?frobnicate=1", "frobnicate"),
            ("postgres://h/d?connect_timeout=0", "connect_timeout"), ("postgres://h1,h2/d", "several hosts"), ("postgres://h/d%0Ax", "control"),
            ("mysql://h/d", "postgres://"), ("postgres://h/d?schema=pg_temp", "reserved"), ("postgres://h/d?schema=pg_catalog", "reserved"),
            ("postgres://h/d?schema=information_schema", "reserved"),
        ]
        for (url, word) in cases {
            do {
                _ = try PostgresLocation(url: url, environment: env)
                Issue.record("\(url) was accepted")
            } catch {
                #expect(error.message.contains(word), "\(url): \(error.message)")
            }
        }
    }

    @Test func thePasswordComesFromPGPASSWORDThenThePasswordFile() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("retreat-pgpass-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("pgpass").path
        try """
        # comment
        other:5432:*:staff:wrong
        db.example.org:6543:practice:staff:p\\:a\\\\ss
        *:*:*:staff:fallback
        """.write(toFile: file, atomically: true, encoding: .utf8)
        chmod(file, 0o600)
        let location = try PostgresLocation(url: "postgres://staff@db.example.org:6543/practice", environment: env)
        #expect(PostgresPassword.lookup(for: location, environment: ["PGPASSFILE": file]).password == "p:a\\ss")
        #expect(PostgresPassword.lookup(for: location, environment: ["PGPASSFILE": file, "PGPASSWORD": "env"]).password == "env")
        let elsewhere = try PostgresLocation(url: "postgres://staff@elsewhere/x", environment: env)
        #expect(PostgresPassword.lookup(for: elsewhere, environment: ["PGPASSFILE": file]).password == "fallback")
        let nobody = try PostgresLocation(url: "postgres://nobody@elsewhere/x", environment: env)
        #expect(PostgresPassword.lookup(for: nobody, environment: ["PGPASSFILE": file]).password == nil)
        // A file others can read is ignored, and the reason is kept for the error message.
        chmod(file, 0o644)
        let ignored = PostgresPassword.lookup(for: location, environment: ["PGPASSFILE": file])
        #expect(ignored.password == nil)
        #expect(ignored.note?.contains("chmod 0600") == true)
        // ~/.pgpass is the default.
        chmod(file, 0o600)
        try FileManager.default.moveItem(atPath: file, toPath: dir.appendingPathComponent(".pgpass").path)
        #expect(PostgresPassword.lookup(for: location, environment: ["HOME": dir.path]).password == "p:a\\ss")
    }

    /// As libpq: the password field ends at the first unescaped colon (what follows is ignored).
    @Test func aPasswordFieldEndsAtTheFirstUnescapedColon() {
        #expect(PostgresPassword.split("h:5432:d:u:pass:extra") == ["h", "5432", "d", "u", "pass"])
        #expect(PostgresPassword.split("h:5432:d:u:pa\\:ss") == ["h", "5432", "d", "u", "pa:ss"])
    }

    @Test func aBadRETREATDBIsNamedAsSuch() {
        #expect(PostgresLocation.origin(of: "postgres:x", environment: ["RETREAT_DB": "postgres:x"]) == "RETREAT_DB")
        #expect(PostgresLocation.origin(of: "postgres:x", environment: [:]) == "--db")
    }

    @Test func bothStoresApplyTheSameNamedMigrations() {
        #expect(PostgresSchema.migrationNames == SQLiteStore.migrationNames)
    }
}
