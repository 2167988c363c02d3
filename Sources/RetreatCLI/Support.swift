import ArgumentParser
import Foundation
import RetreatAgenda
import RetreatICal
import RetreatScheduling
import RetreatStore

/// What every command needs: the store, the clock and who is acting.
struct Context {
    let store: RetreatStore
    let now: Date
    let actor: String

    /// Opens the store named by `--db` / `$RETREAT_DB` / the default path.
    static func open(_ options: StoreOptions, create: Bool = false) throws -> Context {
        let env = ProcessInfo.processInfo.environment
        let path = options.db ?? RetreatStore.defaultPath(environment: env)
        let store = try RetreatStore(path: path, create: create)
        return Context(store: store, now: try clock(), actor: env["RETREAT_ACTOR"] ?? env["USER"] ?? loginName())
    }

    /// The account name of the effective user, when `$USER` is not set (cron, CI).
    static func loginName() -> String {
        guard let pw = getpwuid(geteuid()), let name = pw.pointee.pw_name else { return "uid \(geteuid())" }
        return String(cString: name)
    }

    /// The current instant, or `$RETREAT_NOW` (ISO 8601) for reproducible demos and tests.
    static func clock() throws -> Date {
        guard let text = ProcessInfo.processInfo.environment["RETREAT_NOW"], !text.isEmpty else { return Date() }
        guard let date = ISO8601DateFormatter().date(from: text) else {
            throw CLIError("RETREAT_NOW \"\(text)\" is not an ISO 8601 instant such as 2026-12-01T15:00:00Z")
        }
        return date
    }
}

/// A one-line error the CLI prints before exiting with `code`.
struct CLIError: Error, CustomStringConvertible {
    var message: String
    var code: Int32
    init(_ message: String, code: Int32 = 1) {
        self.message = message
        self.code = code
    }
    var description: String { message }
}

/// Runs a command body; any known error becomes one line on stderr and the right exit code.
func guarded(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let e as StoreError {
        throw fail(e.message, code: e.code == .conflict ? 3 : 1)
    } catch let e as SchedulingError {
        throw fail(e.description, code: 1)
    } catch let e as ICalError {
        throw fail(e.description, code: 1)
    } catch let e as AgendaError {
        throw fail(e.description, code: 1)
    } catch let e as SeriesError {
        throw fail(e.description, code: 1)
    } catch let e as CLIError {
        throw fail(e.message, code: e.code)
    }
}

func fail(_ message: String, code: Int32) -> ExitCode {
    FileHandle.standardError.write(Data("retreat: error: \(message)\n".utf8))
    return ExitCode(code)
}

/// Parses a `YYYY-MM-DD` option value.
func day(_ text: String, _ option: String) throws -> CalendarDay {
    try parseDay(text, field: option)
}

/// Prints a value as JSON (sorted keys, ISO 8601 instants).
func printJSON(_ value: some Encodable) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
    encoder.dateEncodingStrategy = .iso8601
    print(String(decoding: try encoder.encode(value), as: UTF8.self))
}

/// Parses money such as `4500`, `4500.00` or `1,125.50` into cents.
func cents(_ text: String, _ option: String) throws -> Int {
    let cleaned = text.replacingOccurrences(of: ",", with: "")
    let parts = cleaned.split(separator: ".", omittingEmptySubsequences: false)
    guard (1...2).contains(parts.count), let whole = Int(parts[0]), whole >= 0,
        parts.count == 1 || (1...2).contains(parts[1].count) && parts[1].allSatisfy(\.isNumber)
    else {
        throw CLIError("\(option) \"\(text)\" is not an amount such as 1125.00")
    }
    var fraction = parts.count == 2 ? Int(parts[1]) ?? 0 : 0
    if parts.count == 2 && parts[1].count == 1 { fraction *= 10 }
    return whole * 100 + fraction
}

/// JSON shape of a booking for scripts.
struct BookingJSON: Encodable {
    var id: String
    var couple: String
    var start: CalendarDay
    var end: CalendarDay
    var status: String
    var resource: String
    var sequence: Int
    var priorities: [String]
    var priceCents: Int
    var depositCents: Int
    var depositDue: CalendarDay
    var paidCents: Int
    var balanceCents: Int
    var holdExpiresAt: Date?
    var refundCents: Int?
    var refundPercent: Int?
    var replayed: Bool?

    init(_ b: Booking, replayed: Bool? = nil) {
        id = b.id
        couple = b.couple
        start = b.start
        end = b.end
        status = b.status.rawValue
        resource = b.resource
        sequence = b.sequence
        priorities = b.priorities
        priceCents = b.priceCents
        depositCents = b.deposit.amountCents
        depositDue = b.deposit.due
        paidCents = b.paidCents
        balanceCents = b.balanceCents
        holdExpiresAt = b.holdExpiresAt
        refundCents = b.refundCents
        refundPercent = b.refundPercent
        self.replayed = replayed
    }
}

/// One line per booking for people.
func describe(_ b: Booking, currency: String) -> String {
    var line = "\(b.id)  \(b.start)…\(b.end)  \(b.status.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0))  \(b.resource)  \(b.couple)"
    if b.balanceCents > 0 { line += "  owes \(Money.format(cents: b.balanceCents, currency: currency))" }
    return line
}

func printOffers(_ offers: [WaitlistOffer]) {
    for offer in offers {
        let starts = offer.slots.prefix(5).map { "\($0.start) (\($0.resource))" }.joined(separator: ", ")
        print("waitlist offer: entry \(offer.entryID.map(String.init) ?? "?") can now start \(starts)\(offer.slots.count > 5 ? ", …" : "")")
    }
}

/// A JSON string literal for `text` (quotes, backslashes and control characters escaped).
func jsonString(_ text: String) -> String {
    var out = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        default:
            if scalar.value < 0x20 {
                out += String(format: "\\u%04x", scalar.value)
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
    }
    return out + "\""
}
