import Foundation
import Testing

/// Wrong invocations: each prints one line naming what was wrong, exits with the right code, and changes nothing.
@Suite(.serialized) struct BadInputTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var args: [String]
        var code: Int32
        var message: String
        var testDescription: String { args.joined(separator: " ") }
    }

    static let cases: [Case] = [
        Case(
            args: ["book", "--couple", "X", "--start", "2027-02-30"], code: 64,
            message: "'--start <start>': \"2027-02-30\" is not a valid date (expected YYYY-MM-DD)"),
        Case(args: ["book", "--couple", "X", "--start", "next tuesday"], code: 64, message: "is not a valid date"),
        Case(args: ["book", "--couple", "X", "--start", "2026-11-30"], code: 1, message: "2026-11-30 is in the past"),
        Case(args: ["book", "--couple", "X", "--start", "2027-01-13"], code: 3, message: "cannot start an intensive on 2027-01-13"),
        Case(args: ["book", "--couple", "X", "--start", "2026-12-08"], code: 3, message: "minimum notice"),
        Case(args: ["book", "--couple", "X", "--start", "2028-06-05"], code: 3, message: "horizon"),
        Case(args: ["book", "--couple", "X", "--start", "2027-01-16"], code: 3, message: "starts on a Saturday"),
        Case(args: ["book", "--couple", "X", "--start", "2027-01-18", "--resource", "attic"], code: 64, message: "--resource: unknown resource \"attic\""),
        Case(args: ["book", "--couple", "  ", "--start", "2027-01-18"], code: 64, message: "--couple must not be empty"),
        Case(
            args: ["book", "--couple", "X", "--start", "2027-01-18", "--price", "12,34.5.6"], code: 64,
            message: "'--price <price>': \"12,34.5.6\" is not an amount"),
        Case(args: ["book", "--start", "2027-01-18"], code: 64, message: "Missing expected argument '--couple <couple>'"),
        Case(args: ["availability", "--from", "2027-02-01", "--to", "2027-01-01"], code: 64, message: "--to 2027-01-01 is before --from 2027-02-01"),
        Case(args: ["availability", "--from", "2027-01-01", "--to", "2027-01-31", "--resource", "attic"], code: 64, message: "unknown resource"),
        Case(args: ["cancel", "B9999"], code: 1, message: "no booking with id B9999"),
        Case(args: ["confirm", "B9999"], code: 1, message: "no booking with id B9999"),
        Case(args: ["reschedule", "B9999", "--start", "2027-02-01"], code: 1, message: "no booking with id B9999"),
        Case(args: ["reschedule", "B0001", "--start", "2027-13-01"], code: 64, message: "is not a valid date"),
        Case(args: ["show", "nope"], code: 1, message: "no booking with id nope"),
        Case(args: ["list", "--status", "pending"], code: 64, message: "'--status <status>'. Please provide one of 'held'"),
        Case(args: ["calendar", "--month", "2027-13"], code: 64, message: "'--month <month>': \"2027-13\" is not a month"),
        Case(args: ["blackout", "add", "--from", "2027-01-12", "--to", "2027-01-12"], code: 3, message: "touches live booking(s) B0001"),
        Case(args: ["blackout", "remove", "42"], code: 1, message: "no blackout with id 42"),
        Case(
            args: ["waitlist", "add", "--couple", "W", "--from", "2027-03-01", "--to", "2027-02-01"], code: 64,
            message: "--to 2027-02-01 is before --from 2027-03-01"),
        Case(args: ["pay", "B0001", "--amount", "five"], code: 64, message: "'--amount <amount>': \"five\" is not an amount"),
        Case(args: ["pay", "B0001", "--amount", "0"], code: 64, message: "--amount must not be zero"),
        Case(args: ["pay", "B0001", "--amount", "10", "--date", "2027-02-29"], code: 64, message: "'--date <date>': \"2027-02-29\" is not a valid date"),
        Case(args: ["export", "B0001", "--all"], code: 64, message: "give either a booking ID, --series ID or --all"),
        Case(args: ["export", "B0001", "--invite"], code: 1, message: "has no contact e-mail"),
        Case(args: ["check", "2027-01-12"], code: 3, message: "not available"),
        Case(args: ["frobnicate"], code: 64, message: "Unexpected argument 'frobnicate'"),
        Case(
            args: ["book", "--couple", "X", "--start", "2027-01-18", "--priority", "intimacy", "--priority", "intimacy"], code: 64,
            message: "each --priority may be given once"),
        Case(args: ["book", "--couple", "X", "--start", "2027-01-13", "--hold"], code: 3, message: "2027-01-13 is booked on practice"),
        Case(args: ["check", "2027-01-18", "--resource", "attic"], code: 64, message: "unknown resource"),
        Case(args: ["check", "20270118"], code: 64, message: "is not a valid date"),
        Case(args: ["calendar", "--month", "2027-1"], code: 64, message: "is not a month"),
        Case(args: ["calendar", "--month", "2027-01", "--resource", "attic"], code: 64, message: "unknown resource"),
        Case(args: ["list", "--from", "2027-02-01", "--to", "2027-01-01"], code: 64, message: "--to 2027-01-01 is before --from 2027-02-01"),
        Case(args: ["list", "--from", "yesterday"], code: 64, message: "'--from <from>': \"yesterday\" is not a valid date"),
        Case(args: ["blackout", "add", "--from", "2027-03-02", "--to", "2027-03-01"], code: 64, message: "is before"),
        Case(args: ["blackout", "add", "--from", "2027-03-01", "--to", "2027-03-01", "--resource", "attic"], code: 64, message: "unknown resource"),
        Case(args: ["blackout", "import", "/nonexistent/leave.ics"], code: 1, message: "no such file"),
        Case(args: ["blackout", "import", "/etc/hostname"], code: 1, message: "nothing was imported"),
        Case(args: ["blackout", "remove", "abc"], code: 64, message: "abc"),
        Case(args: ["waitlist", "remove", "7"], code: 1, message: "no waiting waitlist entry with id 7"),
        Case(args: ["waitlist", "add", "--couple", "", "--from", "2027-03-01", "--to", "2027-03-05"], code: 64, message: "--couple must not be empty"),
        Case(args: ["export", "B9999", "--out", "x.ics"], code: 1, message: "no booking with id B9999"),
        Case(args: ["export", "--all", "--invite"], code: 64, message: "--invite applies to one booking"),
        Case(args: ["export", "B0001", "--names"], code: 64, message: "--names applies to the staff calendar"),
        Case(args: ["freebusy", "--from", "2027-02-01", "--to", "2027-01-01"], code: 64, message: "is before"),
        Case(args: ["freebusy", "--from", "2027-01-01", "--to", "2027-01-31", "--resource", "attic"], code: 64, message: "unknown resource"),
        Case(args: ["restore", "/nonexistent.sqlite"], code: 1, message: "no such file"),
        Case(args: ["backup", "--out", "/nonexistent-dir/x.sqlite"], code: 1, message: "cannot create"),
        Case(args: ["reschedule", "B0001", "--start", "2027-01-16"], code: 3, message: "starts on a Saturday"),
        Case(args: ["init", "--config", "/nonexistent.toml"], code: 1, message: "cannot read --config /nonexistent.toml"),
        Case(args: ["settings", "--db", "/nonexistent/dir/none.sqlite"], code: 1, message: "run `retreat init` first"),
    ]

    @Test(arguments: cases)
    func rejectedWithMessageAndCodeAndNothingChanged(_ c: Case) throws {
        let box = try Sandbox()
        defer { box.cleanup() }
        let setup = try box.run(["book", "--couple", "Private Names", "--start", "2027-01-11"])
        #expect(setup.code == 0, "\(setup.err)")
        let before = try box.snapshot()
        let bytes = try box.fileBytes()
        let r = try box.run(c.args)
        #expect(r.code == c.code, "stderr: \(r.err)")
        let text = r.err + r.out
        #expect(text.contains(c.message), "got: \(text)")
        #expect(!r.err.contains("Private Names"), "an error revealed another couple's name")
        if !r.err.isEmpty {
            let errorLines = r.err.split(separator: "\n")
            #expect(errorLines.count == 1, "error is not one line: \(r.err)")
        }
        #expect(try box.fileBytes() == bytes, "a rejected command changed the store file")
        #expect(try box.snapshot() == before, "a rejected command changed the store")
    }

    @Test func unknownTimeZoneAndUnknownKeyInConfig() throws {
        let box = try Sandbox(initialise: false)
        defer { box.cleanup() }
        let zone = try box.run(["init", "--config", repoRoot.appendingPathComponent("Fixtures/config/bad-zone.toml").path])
        #expect(zone.code == 1)
        #expect(zone.err.contains("\"Mars/Olympus_Mons\" is not a known IANA time zone"))
        let key = try box.run(["init", "--config", repoRoot.appendingPathComponent("Fixtures/config/unknown-key.toml").path])
        #expect(key.code == 1)
        #expect(key.err.contains("unknown key intensives.dayz"))
        #expect(!FileManager.default.fileExists(atPath: box.db), "a failed init left a store behind")
        let missing = try box.run(["list"])
        #expect(missing.code == 1)
        #expect(missing.err.contains("run `retreat init` first"))
    }
}
