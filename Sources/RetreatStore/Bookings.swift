import Foundation
import GRDB
import RetreatScheduling

/// A request to book or hold an intensive.
public struct BookingRequest: Hashable, Sendable {
    public var couple: String
    public var contact: String?
    public var start: CalendarDay
    /// A named resource, or nil for the first free one.
    public var resource: String?
    public var priorities: [String]
    /// A hold (expires unless its deposit is recorded) rather than a confirmed booking.
    public var hold: Bool
    /// Price in cents; nil for the practice's price.
    public var priceCents: Int?
    /// Idempotency key: the same key returns the first result instead of booking twice.
    public var requestID: String?

    public init(
        couple: String, contact: String? = nil, start: CalendarDay, resource: String? = nil, priorities: [String] = [],
        hold: Bool = false, priceCents: Int? = nil, requestID: String? = nil
    ) {
        self.couple = couple
        self.contact = contact
        self.start = start
        self.resource = resource
        self.priorities = priorities
        self.hold = hold
        self.priceCents = priceCents
        self.requestID = requestID
    }
}

/// Filters for `RetreatStore.bookings(matching:)`.
public struct BookingFilter: Hashable, Sendable {
    public var from: CalendarDay?
    public var to: CalendarDay?
    public var statuses: Set<BookingStatus>
    /// Only bookings with a balance still owed.
    public var owing: Bool
    /// Only live bookings whose deposit is past due and not covered.
    public var depositOverdue: Bool

    public init(from: CalendarDay? = nil, to: CalendarDay? = nil, statuses: Set<BookingStatus> = [], owing: Bool = false, depositOverdue: Bool = false) {
        self.from = from
        self.to = to
        self.statuses = statuses
        self.owing = owing
        self.depositOverdue = depositOverdue
    }
}

extension RetreatStore {
    // MARK: reading rows

    static func booking(from row: Row, payments: [Payment]) throws -> Booking {
        func day(_ column: String) throws -> CalendarDay {
            let text: String = row[column]
            guard let d = CalendarDay(iso: text) else { throw StoreError(.incompatible, "stored date \(text) is not valid") }
            return d
        }
        let prioritiesJSON: String = row["priorities"]
        let priorities = (try? JSONDecoder().decode([String].self, from: Data(prioritiesJSON.utf8))) ?? []
        let statusText: String = row["status"]
        let cancelled: String? = row["cancelled_on"]
        let expires: Double? = row["hold_expires_at"]
        return Booking(
            id: row["id"], couple: row["couple"], contact: row["contact"], resource: row["resource"],
            start: try day("start"), end: try day("end"), status: BookingStatus(rawValue: statusText) ?? .cancelled,
            sequence: row["sequence"], priorities: priorities, priceCents: row["price_cents"],
            deposit: Deposit(amountCents: row["deposit_cents"], due: try day("deposit_due")), payments: payments,
            createdAt: Date(timeIntervalSince1970: row["created_at"]),
            holdExpiresAt: expires.map { Date(timeIntervalSince1970: $0) }, refundCents: row["refund_cents"],
            refundPercent: row["refund_percent"], cancelledOn: cancelled.flatMap(CalendarDay.init(iso:)),
            requestID: row["request_id"])
    }

    func payments(_ db: Database, bookingIDs: [String]?) throws -> [String: [Payment]] {
        var result: [String: [Payment]] = [:]
        // A few bookings (every command's `booking(db, id:)`) read only their own payments, by index.
        let rows: [Row]
        if let ids = bookingIDs {
            if ids.isEmpty { return [:] }
            rows = try Row.fetchAll(
                db,
                sql:
                    "SELECT booking_id, amount_cents, day, note FROM payments WHERE booking_id IN (\(ids.map { _ in "?" }.joined(separator: ","))) ORDER BY id",
                arguments: StatementArguments(ids))
        } else {
            rows = try Row.fetchAll(db, sql: "SELECT booking_id, amount_cents, day, note FROM payments ORDER BY id")
        }
        for row in rows {
            let id: String = row["booking_id"]
            let dayText: String = row["day"]
            guard let day = CalendarDay(iso: dayText) else { continue }
            result[id, default: []].append(Payment(amountCents: row["amount_cents"], date: day, note: row["note"]))
        }
        return result
    }

    func fetchBookings(_ db: Database, sql: String = "", arguments: StatementArguments = []) throws -> [Booking] {
        let rows = try Row.fetchAll(db, sql: "SELECT * FROM bookings \(sql) ORDER BY start, seq", arguments: arguments)
        let pays = try payments(db, bookingIDs: rows.count < 50 ? rows.map { $0["id"] } : nil)
        return try rows.map { row in try Self.booking(from: row, payments: pays[row["id"] as String] ?? []) }
    }

    func liveBookings(_ db: Database) throws -> [Booking] {
        try fetchBookings(db, sql: "WHERE status IN ('held','confirmed')")
    }

    func booking(_ db: Database, id: String) throws -> Booking {
        guard let b = try fetchBookings(db, sql: "WHERE id = ? COLLATE NOCASE", arguments: [id]).first else {
            throw StoreError(.notFound, "no booking with id \(id); `retreat list` shows the ids")
        }
        return b
    }

    func blackouts(_ db: Database) throws -> [Blackout] {
        try Row.fetchAll(db, sql: "SELECT * FROM blackouts ORDER BY from_day, id").compactMap { row in
            guard let from = CalendarDay(iso: row["from_day"]), let to = CalendarDay(iso: row["to_day"]) else { return nil }
            return Blackout(id: row["id"], from: from, to: to, resource: row["resource"], reason: row["reason"], source: row["source"])
        }
    }

    func scheduler(_ db: Database, settings: PracticeSettings, now: Date) throws -> Scheduler {
        let occupancies = try Row.fetchAll(db, sql: "SELECT id, resource, start, status FROM bookings WHERE status IN ('held','confirmed')").compactMap {
            row -> Occupancy? in
            guard let start = CalendarDay(iso: row["start"]), let status = BookingStatus(rawValue: row["status"]) else { return nil }
            return Occupancy(bookingID: row["id"], resource: row["resource"], start: start, status: status)
        }
        return Scheduler(settings: settings, today: CalendarDay.today(at: now, in: settings.timeZone), occupancies: occupancies, blackouts: try blackouts(db))
    }

    // MARK: hold expiry

    /// Releases every hold whose time is up and whose deposit is not recorded; returns their ids.
    @discardableResult
    func expireHolds(_ db: Database, settings: PracticeSettings, now: Date) throws -> [String] {
        var expired: [String] = []
        for b in try fetchBookings(db, sql: "WHERE status = 'held' AND hold_expires_at <= ?", arguments: [now.timeIntervalSince1970]) {
            // A hold whose deposit is recorded by its expiry stays; one with no deposit policy simply lapses.
            guard b.deposit.amountCents == 0 || b.paidCents < b.deposit.amountCents else { continue }
            try db.execute(sql: "UPDATE bookings SET status = 'expired', sequence = sequence + 1 WHERE id = ?", arguments: [b.id])
            try db.execute(sql: "DELETE FROM occupied_days WHERE booking_id = ?", arguments: [b.id])
            try audit(db, now: now, actor: "system", action: "expire", entity: "booking", id: b.id, detail: ["start": b.start.description])
            expired.append(b.id)
        }
        return expired
    }

    /// Releases lapsed holds now (every command does this first); returns the waitlist offers that follow.
    public func sweep(now: Date) throws(StoreError) -> (expired: [String], offers: [WaitlistOffer]) {
        try write { db in
            let settings = try self.settings(db)
            let expired = try self.expireHolds(db, settings: settings, now: now)
            let offers = expired.isEmpty ? [] : try self.offers(db, settings: settings, now: now)
            return (expired, offers)
        }
    }

    // MARK: occupancy rows

    func occupy(_ db: Database, booking id: String, resource: String, start: CalendarDay, scheduler: Scheduler) throws {
        let intensive = Set(scheduler.intensiveDays(startingOn: start))
        for day in scheduler.occupiedDays(startingOn: start) {
            do {
                try db.execute(
                    sql: "INSERT INTO occupied_days (resource, day, booking_id, kind) VALUES (?, ?, ?, ?)",
                    arguments: [resource, day.description, id, intensive.contains(day) ? "intensive" : "turnover"])
            } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT {
                // The database refuses a second booking of this resource-day; name the day, never the couple.
                throw StoreError(.conflict, "\(day) is already taken on \(resource); nothing was booked")
            }
        }
    }

    /// The first of `resources` (default: all, in order) where an intensive can start and whose counselor has
    /// no counseling session on its intensive or turnover days.
    func allocate(_ db: Database, scheduler: Scheduler, start: CalendarDay, resources: [String]?, ignoring: String?) throws -> Slot {
        var sessionClashes: [String] = []
        var lastFailure: AllocationFailure?
        let candidates = resources ?? scheduler.settings.resources
        let series = try allSeries(db).filter(\.active)
        for resource in candidates {
            switch scheduler.allocate(start: start, resource: resource, ignoring: ignoring) {
            case .failure(let failure):
                if let previous = lastFailure {
                    lastFailure = AllocationFailure(rejections: previous.rejections + failure.rejections.filter { !previous.rejections.contains($0) })
                } else {
                    lastFailure = failure
                }
            case .success(let slot):
                let days = Set(scheduler.occupiedDays(startingOn: slot.start))
                let clashes = series.filter { $0.series.spec.counselor == resource }.flatMap { s in
                    s.series.occurrences().filter { days.contains($0.localStart.day) }.map {
                        "\($0.localStart.day) has counseling session \(s.series.id) at \($0.localStart.time) on \(resource)"
                    }
                }
                if clashes.isEmpty { return slot }
                sessionClashes += clashes
            }
        }
        if !sessionClashes.isEmpty {
            throw StoreError(.conflict, "cannot start an intensive on \(start): \(sessionClashes.joined(separator: "; ")); move or cancel those sessions first")
        }
        throw Self.conflict(start, lastFailure ?? AllocationFailure(rejections: []))
    }

    static func conflict(_ start: CalendarDay, _ failure: AllocationFailure) -> StoreError {
        let reasons = failure.rejections
        let invalid = reasons.contains { $0.reason == .past || $0.reason == .unknownResource }
        var seen = Set<String>()
        let text = reasons.map(\.message).filter { seen.insert($0).inserted }.joined(separator: "; ")
        return StoreError(invalid ? .invalid : .conflict, "cannot start an intensive on \(start): \(text)", rejections: reasons)
    }

    // MARK: commands

    /// Books (or holds) an intensive in one transaction.
    /// - Throws: `StoreError.conflict` naming the taken dates (never another couple), `.invalid` for a start
    ///   in the past or an unknown resource.
    public func book(_ request: BookingRequest, now: Date, actor: String) throws(StoreError) -> BookingOutcome {
        let couple = request.couple.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !couple.isEmpty else { throw StoreError(.invalid, "--couple must not be empty") }
        if let p = request.priceCents, p < 0 { throw StoreError(.invalid, "--price must not be negative") }
        return try write { db in
            if let key = request.requestID,
                let existing = try self.fetchBookings(db, sql: "WHERE request_id = ?", arguments: [key]).first
            {
                return BookingOutcome(booking: existing, replayed: true, offers: [])
            }
            let settings = try self.settings(db)
            try self.expireHolds(db, settings: settings, now: now)
            let scheduler = try self.scheduler(db, settings: settings, now: now)
            let slot = try self.allocate(db, scheduler: scheduler, start: request.start, resources: request.resource.map { [$0] }, ignoring: nil)
            let seq = (try Int.fetchOne(db, sql: "SELECT max(seq) FROM bookings") ?? 0) + 1
            let id = String(format: "B%04d", seq)
            let price = request.priceCents ?? settings.priceCents
            let today = scheduler.today
            let deposit = settings.deposit(priceCents: price, bookedOn: today, start: slot.start)
            let expires = request.hold ? settings.holdExpiry(createdAt: now) : nil
            let prioritiesJSON = String(decoding: (try? JSONEncoder().encode(request.priorities)) ?? Data("[]".utf8), as: UTF8.self)
            try db.execute(
                sql: """
                    INSERT INTO bookings (id, seq, couple, contact, resource, start, end, status, sequence, priorities,
                        price_cents, deposit_cents, deposit_due, created_at, hold_expires_at, request_id)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    id, seq, couple, request.contact, slot.resource, slot.start.description, slot.end.description,
                    request.hold ? "held" : "confirmed", prioritiesJSON, price, deposit.amountCents, deposit.due.description,
                    now.timeIntervalSince1970, expires?.timeIntervalSince1970, request.requestID,
                ])
            try self.occupy(db, booking: id, resource: slot.resource, start: slot.start, scheduler: scheduler)
            try db.execute(sql: "UPDATE waitlist SET status = 'booked' WHERE status = 'waiting' AND couple = ?", arguments: [couple])
            try self.audit(
                db, now: now, actor: actor, action: request.hold ? "hold" : "book", entity: "booking", id: id,
                detail: ["start": slot.start.description, "resource": slot.resource])
            return BookingOutcome(booking: try self.booking(db, id: id), replayed: false, offers: [])
        }
    }

    /// Confirms a hold.
    public func confirm(id: String, now: Date, actor: String) throws(StoreError) -> Booking {
        try write { db in
            let settings = try self.settings(db)
            try self.expireHolds(db, settings: settings, now: now)
            let b = try self.booking(db, id: id)
            switch b.status {
            case .held: break
            case .confirmed: return b
            case .expired: throw StoreError(.conflict, "booking \(b.id)'s hold expired before it was confirmed; book again")
            default: throw StoreError(.invalid, "booking \(b.id) is \(b.status.rawValue) and cannot be confirmed")
            }
            try db.execute(sql: "UPDATE bookings SET status = 'confirmed', hold_expires_at = NULL, sequence = sequence + 1 WHERE id = ?", arguments: [b.id])
            try self.audit(db, now: now, actor: actor, action: "confirm", entity: "booking", id: b.id)
            return try self.booking(db, id: b.id)
        }
    }

    /// Cancels a live booking, records the refund its policy tier gives, and returns waitlist offers.
    public func cancel(id: String, now: Date, actor: String) throws(StoreError) -> BookingOutcome {
        try write { db in
            let settings = try self.settings(db)
            try self.expireHolds(db, settings: settings, now: now)
            let b = try self.booking(db, id: id)
            guard b.status.isLive else {
                throw StoreError(.invalid, "booking \(b.id) is already \(b.status.rawValue)")
            }
            let today = CalendarDay.today(at: now, in: settings.timeZone)
            let refund = settings.refund(paidCents: b.paidCents, cancelledOn: today, start: b.start)
            try db.execute(
                sql:
                    "UPDATE bookings SET status = 'cancelled', sequence = sequence + 1, refund_cents = ?, refund_percent = ?, cancelled_on = ?, hold_expires_at = NULL WHERE id = ?",
                arguments: [refund.amountCents, refund.percent, today.description, b.id])
            try db.execute(sql: "DELETE FROM occupied_days WHERE booking_id = ?", arguments: [b.id])
            try self.audit(
                db, now: now, actor: actor, action: "cancel", entity: "booking", id: b.id,
                detail: ["refundCents": String(refund.amountCents), "refundPercent": String(refund.percent)])
            return BookingOutcome(booking: try self.booking(db, id: b.id), replayed: false, offers: try self.offers(db, settings: settings, now: now))
        }
    }

    /// Moves a live booking to a new start (same id, sequence + 1); it may overlap its own old dates.
    public func reschedule(id: String, to start: CalendarDay, resource: String?, now: Date, actor: String) throws(StoreError) -> BookingOutcome {
        try write { db in
            let settings = try self.settings(db)
            try self.expireHolds(db, settings: settings, now: now)
            let b = try self.booking(db, id: id)
            guard b.status.isLive else {
                throw StoreError(.invalid, "booking \(b.id) is \(b.status.rawValue) and cannot be rescheduled")
            }
            let scheduler = try self.scheduler(db, settings: settings, now: now)
            // Keep the booking's resource when it is free, else take the first free one.
            let preferred = resource.map { [$0] } ?? [b.resource] + settings.resources.filter { $0 != b.resource }
            let slot = try self.allocate(db, scheduler: scheduler, start: start, resources: preferred, ignoring: b.id)
            try db.execute(sql: "DELETE FROM occupied_days WHERE booking_id = ?", arguments: [b.id])
            try db.execute(
                sql: "UPDATE bookings SET start = ?, end = ?, resource = ?, sequence = sequence + 1 WHERE id = ?",
                arguments: [slot.start.description, slot.end.description, slot.resource, b.id])
            try self.occupy(db, booking: b.id, resource: slot.resource, start: slot.start, scheduler: scheduler)
            try self.audit(
                db, now: now, actor: actor, action: "reschedule", entity: "booking", id: b.id,
                detail: ["from": b.start.description, "to": slot.start.description, "resource": slot.resource])
            return BookingOutcome(booking: try self.booking(db, id: b.id), replayed: false, offers: try self.offers(db, settings: settings, now: now))
        }
    }

    /// Records a payment received against a booking.
    public func recordPayment(id: String, amountCents: Int, on day: CalendarDay, note: String?, now: Date, actor: String) throws(StoreError) -> Booking {
        guard amountCents != 0 else { throw StoreError(.invalid, "--amount must not be zero") }
        return try write { db in
            let settings = try self.settings(db)
            try self.expireHolds(db, settings: settings, now: now)
            let b = try self.booking(db, id: id)
            if b.status == .expired {
                throw StoreError(.conflict, "booking \(b.id)'s hold expired; book again before recording a payment")
            }
            try db.execute(
                sql: "INSERT INTO payments (booking_id, amount_cents, day, note) VALUES (?, ?, ?, ?)",
                arguments: [b.id, amountCents, day.description, note])
            try self.audit(db, now: now, actor: actor, action: "payment", entity: "booking", id: b.id, detail: ["amountCents": String(amountCents)])
            return try self.booking(db, id: b.id)
        }
    }

    /// One booking.
    public func booking(id: String) throws(StoreError) -> Booking {
        try read { db in try self.booking(db, id: id) }
    }

    /// Bookings matching a filter, by start date.
    public func bookings(matching filter: BookingFilter, now: Date) throws(StoreError) -> [Booking] {
        try read { db in
            let settings = try self.settings(db)
            let today = CalendarDay.today(at: now, in: settings.timeZone)
            var clauses: [String] = []
            var args: [any DatabaseValueConvertible] = []
            if let from = filter.from { clauses.append("end >= ?"); args.append(from.description) }
            if let to = filter.to { clauses.append("start <= ?"); args.append(to.description) }
            if !filter.statuses.isEmpty {
                clauses.append("status IN (\(filter.statuses.map { _ in "?" }.joined(separator: ",")))")
                args += filter.statuses.map(\.rawValue).sorted()
            }
            let sql = clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND ")
            return try self.fetchBookings(db, sql: sql, arguments: StatementArguments(args)).filter { b in
                (!filter.owing || b.balanceCents > 0) && (!filter.depositOverdue || b.depositOverdue(on: today))
            }
        }
    }

    /// The audit log, oldest first.
    public func auditLog(entityID: String? = nil) throws(StoreError) -> [AuditEntry] {
        try read { db in
            let rows =
                entityID == nil
                ? try Row.fetchAll(db, sql: "SELECT * FROM audit_log ORDER BY id")
                : try Row.fetchAll(db, sql: "SELECT * FROM audit_log WHERE entity_id = ? ORDER BY id", arguments: [entityID])
            return rows.map { row in
                AuditEntry(
                    id: row["id"], at: Date(timeIntervalSince1970: row["at"]), actor: row["actor"], action: row["action"],
                    entity: row["entity"], entityID: row["entity_id"], detail: row["detail"])
            }
        }
    }

    // MARK: availability

    /// Every start in `[from, to]` where an intensive fits.
    public func availability(from: CalendarDay, to: CalendarDay, resource: String?, now: Date) throws(StoreError) -> [Slot] {
        try read { db in
            let settings = try self.settings(db)
            try settings.requireResource(resource)
            return try self.scheduler(db, settings: settings, now: now).availability(from: from, to: to, resource: resource)
        }
    }

    /// Why an intensive can or cannot start on `start`: per resource, every reason (empty = free).
    public func check(start: CalendarDay, resource: String?, now: Date) throws(StoreError) -> [(resource: String, rejections: [RejectionDetail])] {
        try read { db in
            let settings = try self.settings(db)
            try settings.requireResource(resource)
            let scheduler = try self.scheduler(db, settings: settings, now: now)
            return (resource.map { [$0] } ?? settings.resources).map { r in (r, scheduler.rejections(start: start, resource: r)) }
        }
    }

    /// A snapshot for rendering a month: the scheduler plus the blackouts.
    public func scheduler(now: Date) throws(StoreError) -> Scheduler {
        try read { db in try self.scheduler(db, settings: try self.settings(db), now: now) }
    }
}
