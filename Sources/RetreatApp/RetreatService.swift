import Foundation
import RetreatPostgres
import RetreatScheduling
import RetreatStore

/// The practice's use cases over one store: what the CLI and the server both call.
///
/// Each use case is one method that opens one transaction, lets lapsed holds lapse first (writes) or shows
/// them as lapsed (reads), applies the rules of RetreatScheduling and RetreatAgenda, writes through the store,
/// and returns values. It throws only `AppError`.
public final class RetreatService: Sendable {
    /// The store.
    public let store: any PracticeStore
    /// Who is acting, for the audit log.
    public let actor: String
    let clock: @Sendable () -> Date

    /// A service over `store`, acting as `actor`, reading the time from `clock`.
    public init(store: any PracticeStore, actor: String, clock: @escaping @Sendable () -> Date = { Date() }) {
        self.store = store
        self.actor = actor
        self.clock = clock
    }

    /// Opens the store named by `path`: a `postgres://` (or `postgresql://`) URL opens the PostgreSQL store there
    /// (the password from `PGPASSWORD` or `~/.pgpass`, never the URL), anything else the SQLite file (created,
    /// mode 0600, when `create`). With `create`, a database without a store gets one.
    /// - Throws: `.badInput` for a URL that cannot be used (a password in it, an unknown parameter, ...).
    public static func open(path: String, create: Bool = false, actor: String, clock: @escaping @Sendable () -> Date = { Date() }) throws(AppError)
        -> RetreatService
    {
        do {
            return RetreatService(store: try openStore(path, create: create), actor: actor, clock: clock)
        } catch {
            throw AppError.wrap(error)
        }
    }

    /// The store at `path`: PostgreSQL for a `postgres://` URL, else an SQLite file.
    static func openStore(_ path: String, create: Bool) throws -> any PracticeStore {
        guard PostgresLocation.isMeantAsURL(path) else { return try SQLiteStore(path: path, create: create) }
        do { _ = try PostgresLocation(url: path) } catch { throw AppError(.badInput, "\(PostgresLocation.origin(of: path)): \(error.message)") }
        return try PostgresStore(url: path, create: create)
    }

    /// The store when `--db` is not given: `$RETREAT_DB` (a file or a `postgres://` URL), else `$XDG_DATA_HOME/retreat/retreat.sqlite`, else
    /// `~/.local/share/retreat/retreat.sqlite`.
    public static func defaultStorePath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        SQLiteStore.defaultPath(environment: environment)
    }

    /// Where the store lives, for messages.
    public var location: String { store.location }

    // MARK: transactions

    /// A read use case: one consistent snapshot; holds that have lapsed show as lapsed without writing.
    func read<T>(_ body: (ReadContext) throws -> T) throws(AppError) -> T {
        let now = clock()
        do {
            return try store.read { reader in try body(try ReadContext(reader: reader, now: now)) }
        } catch {
            throw AppError.wrap(error)
        }
    }

    /// A write use case: one transaction; lapsed holds lapse first (audited as "system"), then `body` runs.
    func write<T>(_ body: (WriteContext) throws -> T) throws(AppError) -> T {
        let now = clock()
        let actor = self.actor
        do {
            return try store.write { tx in
                let context = try WriteContext(tx: tx, now: now, actor: actor)
                try context.expireLapsedHolds()
                return try body(context)
            }
        } catch {
            throw AppError.wrap(error)
        }
    }

    /// A write use case on a store that may not be initialised yet (`init`, `restore`).
    func writeUninitialized<T>(_ body: (any StoreWriting, Date) throws -> T) throws(AppError) -> T {
        let now = clock()
        do {
            return try store.write { tx in try body(tx, now) }
        } catch {
            throw AppError.wrap(error)
        }
    }
}

/// What every use case reads: the snapshot, the clock, the settings, and bookings as they stand now
/// (a hold whose time is up counts as lapsed, whether or not a write has recorded it yet).
struct ReadContext {
    let reader: any StoreReading
    let now: Date
    let settings: PracticeSettings

    init(reader: any StoreReading, now: Date) throws {
        self.reader = reader
        self.now = now
        self.settings = try reader.settings()
    }

    /// Today in the practice's time zone.
    var today: CalendarDay { CalendarDay.today(at: now, in: settings.timeZone) }

    /// `booking` as it stands at `now`: a lapsed hold reads as expired, a confirmed intensive whose last day
    /// has passed as completed.
    func current(_ booking: Booking) -> Booking {
        Lifecycle.current(booking, now: now, today: today)
    }

    /// Bookings matching `query`, as they stand now (a status filter applies to the current status).
    func bookings(_ query: BookingQuery) throws -> [Booking] {
        var stored = query
        if !query.statuses.isEmpty, query.statuses.contains(.expired) { stored.statuses.insert(.held) }
        if !query.statuses.isEmpty, query.statuses.contains(.completed) { stored.statuses.insert(.confirmed) }
        return try reader.bookings(stored).map(current).filter { query.statuses.isEmpty || query.statuses.contains($0.status) }
    }

    /// Live bookings (held or confirmed) as they stand now.
    func liveBookings() throws -> [Booking] { try bookings(.live) }

    /// One booking, as it stands now.
    /// - Throws: `AppError.notFound` naming the id.
    func booking(_ id: String) throws -> Booking {
        guard let b = try reader.booking(id: id) else {
            throw AppError(.notFound, "no booking with id \(id); `retreat list` shows the ids")
        }
        return current(b)
    }

    /// The availability engine over the live bookings' stored spans, the blackouts and the working hours of the
    /// counselors the practice file configures.
    func scheduler() throws -> Scheduler {
        Scheduler(
            settings: settings, today: today, occupancies: try liveBookings().map(\.occupancy), blackouts: try reader.blackouts(),
            counselors: try reader.counselorProfiles())
    }

    /// Refuses a resource the practice does not have, naming the ones it has.
    /// The practice's own spelling of `resource` (nil stays nil). Resources compare as Swift strings do (a name
    /// pasted in decomposed Unicode matches), and what is stored must then be the practice's bytes, or a second
    /// spelling would key its own rows.
    @discardableResult
    func requireResource(_ resource: String?, option: String = "--resource") throws -> String? {
        guard let resource else { return nil }
        guard let known = settings.resources.first(where: { $0 == resource }) else {
            throw AppError(
                .badInput, "\(option): unknown resource \"\(resource)\"; the practice's resources are \(settings.resources.joined(separator: ", "))")
        }
        return known
    }

    /// Waitlist entries still waiting that now have a free start, with those starts.
    func offers() throws -> [WaitlistOffer] {
        try scheduler().offers(for: try reader.waitlist())
    }
}

/// A read context inside a write transaction, plus the writer, the actor and the audit log.
struct WriteContext {
    let tx: any StoreWriting
    let base: ReadContext
    let actor: String

    init(tx: any StoreWriting, now: Date, actor: String) throws {
        self.tx = tx
        self.base = try ReadContext(reader: tx, now: now)
        self.actor = actor
    }

    var now: Date { base.now }
    var settings: PracticeSettings { base.settings }
    var today: CalendarDay { base.today }

    /// Records what time has changed: lapsed holds as expired (their days free again) and intensives whose last
    /// day has passed as completed, each audited as done by "system".
    @discardableResult
    func expireLapsedHolds() throws -> [Booking] {
        var lapsed: [Booking] = []
        // Holds (any date) and confirmed intensives that have begun: the only bookings time can change.
        let candidates = try tx.bookings(BookingQuery(statuses: [.held])) + tx.bookings(BookingQuery(to: base.today, statuses: [.confirmed]))
        for b in candidates {
            var now = base.current(b)
            guard now.status != b.status else { continue }
            if now.status == .expired {
                now.sequence += 1
                lapsed.append(now)
            }
            try tx.update(now)
            let detail =
                now.status == .expired
                ? ["start": b.start.description, "lapsedAt": b.holdExpiresAt.map(AuditDetail.instant) ?? ""] : ["end": b.end.description]
            try tx.append(
                AuditEntry(
                    at: self.now, actor: "system", action: now.status == .expired ? "expire" : "complete", entity: "booking", entityID: b.id,
                    detail: AuditDetail.json(detail)))
        }
        return lapsed
    }

    /// Appends an audit entry for this change.
    func audit(_ action: String, _ entity: String, _ id: String, _ detail: [String: String] = [:]) throws {
        try tx.append(AuditEntry(at: now, actor: actor, action: action, entity: entity, entityID: id, detail: AuditDetail.json(detail)))
    }

    /// Appends an audit entry recording the values before and after an edit.
    func audit(_ action: String, _ entity: String, _ id: String, before: [String: String], after: [String: String]) throws {
        try tx.append(AuditEntry(at: now, actor: actor, action: action, entity: entity, entityID: id, detail: AuditDetail.json(before: before, after: after)))
    }
}

/// Audit details as JSON objects with sorted keys.
enum AuditDetail {
    static func json(_ detail: [String: String]) -> String {
        encode(detail)
    }

    static func json(before: [String: String], after: [String: String]) -> String {
        encode(["before": before, "after": after])
    }

    static func instant(_ date: Date) -> String {
        ISO8601DateFormatter().string(from: date)
    }

    private static func encode(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? String(decoding: encoder.encode(value), as: UTF8.self)) ?? "{}"
    }
}
