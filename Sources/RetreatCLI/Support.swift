import ArgumentParser
import Foundation
import RetreatApp
import RetreatScheduling

/// The global options every store command takes; given before or after the subcommand.
struct StoreOptions: ParsableArguments {
    @Option(
        name: .customLong("db"),
        help: "Store file or postgres://user@host:port/dbname (default: $RETREAT_DB, else ~/.local/share/retreat/retreat.sqlite).")
    var db: String?

    /// Opens the use cases over the store named by `--db` / `$RETREAT_DB` / the default path, with the clock
    /// (`$RETREAT_NOW` fixes it for demos and tests) and the actor (`$RETREAT_ACTOR`, else `$USER`, else the
    /// account name) for the audit log.
    func service(create: Bool = false) throws -> RetreatService {
        try RetreatService.open(path: path, create: create, actor: Clock.actor(ProcessInfo.processInfo.environment), clock: try clock())
    }

    /// The store path: `--db`, else the default.
    var path: String { db ?? RetreatService.defaultStorePath(environment: ProcessInfo.processInfo.environment) }

    /// This process's clock: one instant for the whole command.
    func clock() throws -> @Sendable () -> Date {
        let now = try Clock.now()
        return { now }
    }
}

/// The clock and the acting user of one process.
enum Clock {
    /// The current instant, or `$RETREAT_NOW` (ISO 8601) for reproducible demos and tests.
    static func now() throws -> Date {
        guard let text = ProcessInfo.processInfo.environment["RETREAT_NOW"], !text.isEmpty else { return Date() }
        guard let date = ISO8601DateFormatter().date(from: text) else {
            throw AppError(.badInput, "RETREAT_NOW \"\(text)\" is not an ISO 8601 instant such as 2026-12-01T15:00:00Z")
        }
        return date
    }

    /// `$RETREAT_ACTOR`, else `$USER`, else the effective user's account name.
    static func actor(_ env: [String: String]) -> String {
        if let a = env["RETREAT_ACTOR"], !a.isEmpty { return a }
        if let u = env["USER"], !u.isEmpty { return u }
        guard let pw = getpwuid(geteuid()), let name = pw.pointee.pw_name else { return "uid \(geteuid())" }
        return String(cString: name)
    }
}

/// Printing stored text to a terminal: control characters are shown, never obeyed.
enum Terminal {
    /// `text` with control characters (C0, DEL, C1, line separators, bidi overrides) shown as escapes.
    static func safe(_ text: String) -> String {
        TextRules.terminalSafe(text)
    }

    /// Prints `line` with control characters made visible.
    static func print(_ line: String) {
        Swift.print(safe(line))
    }

    /// Prints each of `lines` on its own line, so the breaks between them are real ones, with control
    /// characters inside a line (a line break inside a value included) made visible.
    static func print(lines: [String]) {
        for line in lines { Swift.print(safe(line)) }
    }
}

/// Prints a value as JSON (sorted keys, ISO 8601 instants). JSON escapes every control character.
func printJSON(_ value: some Encodable) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
    encoder.dateEncodingStrategy = .iso8601
    Swift.print(String(decoding: try encoder.encode(value), as: UTF8.self))
}

/// Money in the practice's currency.
func money(_ cents: Int, _ currency: String) -> String { Money.format(cents: cents, currency: currency) }

/// An instant in the practice's zone, e.g. `2026-12-03 10:00 America/New_York`.
func local(_ instant: Date, _ zone: TimeZone) -> String {
    "\(LocalTime(instant, in: zone)) \(zone.identifier)"
}

/// One line per booking for people.
func describe(_ b: Booking, currency: String) -> String {
    var line = "\(b.id)  \(b.start)…\(b.end)  \(b.status.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0))  \(b.resource)  \(b.couple)"
    if b.balanceCents > 0 { line += "  owes \(money(b.balanceCents, currency))" }
    if b.creditCents > 0 { line += "  credit \(money(b.creditCents, currency))" }
    return line
}

/// Prints the waitlist offers that follow a change.
func printOffers(_ offers: [WaitlistOffer]) {
    for offer in offers {
        let starts = offer.slots.prefix(5).map { "\($0.start) (\($0.resource))" }.joined(separator: ", ")
        Terminal.print("waitlist offer: entry \(offer.entryID.map(String.init) ?? "?") can now start \(starts)\(offer.slots.count > 5 ? ", …" : "")")
    }
}
