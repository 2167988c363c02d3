import Foundation
internal import GRDB
import RetreatScheduling

/// Reads and writes of one SQLite transaction, through GRDB records and its query interface.
struct SQLiteTransaction: StoreWriting {
    let db: Database

    // MARK: configuration

    func settings() throws -> PracticeSettings {
        guard let row = try SettingsRow.fetchOne(db, key: 1) else {
            throw StoreError(.notInitialized, "the store has no settings yet; run `retreat init --config FILE`")
        }
        return try row.settings
    }

    func isInitialized() throws -> Bool {
        try SettingsRow.fetchCount(db) > 0
    }

    func profile() throws -> PracticeProfile {
        var profile = PracticeProfile()
        for row in try ProfileRow.filter(["name", "organizerEmail", "organizerName", "location"].contains(Column("key"))).fetchAll(db) {
            switch row.key {
            case "name": profile.name = row.value
            case "organizerEmail": profile.organizerEmail = row.value
            case "organizerName": profile.organizerName = row.value
            case "location": profile.location = row.value
            default: break
            }
        }
        return profile
    }

    func counselorProfiles() throws -> [CounselorProfile] {
        guard let text = try ProfileRow.fetchOne(db, key: "counselors")?.value else { return [] }
        return try JSONColumn.decode([CounselorProfile].self, text, "counselors")
    }

    func document(_ key: DocumentKey) throws -> String? {
        try ProfileRow.fetchOne(db, key: key.rawValue)?.value
    }

    func saveSettings(_ settings: PracticeSettings) throws {
        try SettingsRow(settings).save(db)
    }

    func saveProfile(_ profile: PracticeProfile) throws {
        let pairs = [("name", profile.name), ("organizerEmail", profile.organizerEmail), ("organizerName", profile.organizerName)]
        for (key, value) in pairs { try ProfileRow(key: key, value: value).save(db) }
        if let location = profile.location {
            try ProfileRow(key: "location", value: location).save(db)
        } else {
            _ = try ProfileRow.deleteOne(db, key: "location")
        }
    }

    func saveCounselorProfiles(_ counselors: [CounselorProfile]) throws {
        try ProfileRow(key: "counselors", value: try JSONColumn.encode(counselors)).save(db)
    }

    func saveDocument(_ key: DocumentKey, _ text: String) throws {
        try ProfileRow(key: key.rawValue, value: text).save(db)
    }

    // MARK: bookings

    /// Payments of the given bookings (all when nil), by booking, oldest first.
    func payments(of ids: [String]?) throws -> [String: [Payment]] {
        var request = PaymentRow.order(Column("id"))
        if let ids {
            if ids.isEmpty { return [:] }
            request = request.filter(ids.contains(PaymentRow.CodingKeys.bookingID))
        }
        var result: [String: [Payment]] = [:]
        for row in try request.fetchAll(db) { result[row.bookingID, default: []].append(try row.payment) }
        return result
    }

    func withPayments(_ rows: [BookingRow]) throws -> [Booking] {
        // A few bookings read only their own payments, by index; many read them all in one pass.
        let pays = try payments(of: rows.count < 50 ? rows.map(\.id) : nil)
        return try rows.map { try $0.booking(payments: pays[$0.id] ?? []) }
    }

    func booking(id: String) throws -> Booking? {
        let rows = try BookingRow.filter(sql: "id = ? COLLATE NOCASE", arguments: [id]).fetchAll(db)
        return try withPayments(rows).first
    }

    func booking(requestID: String) throws -> (booking: Booking, fingerprint: String?)? {
        guard let row = try BookingRow.filter(BookingRow.CodingKeys.requestID == requestID).fetchOne(db) else { return nil }
        guard let booking = try withPayments([row]).first else { return nil }
        return (booking, row.requestFingerprint)
    }

    func bookings(_ query: BookingQuery) throws -> [Booking] {
        var request = BookingRow.order(BookingRow.CodingKeys.start, BookingRow.CodingKeys.seq)
        if let from = query.from { request = request.filter(BookingRow.CodingKeys.end >= from.description) }
        if let to = query.to { request = request.filter(BookingRow.CodingKeys.start <= to.description) }
        if !query.statuses.isEmpty { request = request.filter(query.statuses.map(\.rawValue).contains(BookingRow.CodingKeys.status)) }
        return try withPayments(try request.fetchAll(db))
    }

    func lastBookingNumber() throws -> Int {
        try Int.fetchOne(db, sql: "SELECT max(seq) FROM bookings") ?? 0
    }

    func insert(_ booking: Booking, requestFingerprint: String?) throws {
        let seq = try lastBookingNumber() + 1
        // In a savepoint: a refused booking leaves no row behind, even when the caller goes on.
        try db.inSavepoint {
            try BookingRow(booking, seq: seq, fingerprint: requestFingerprint).insert(db)
            try occupy(booking)
            return .commit
        }
    }

    func update(_ booking: Booking) throws {
        guard var row = try BookingRow.fetchOne(db, key: booking.id) else {
            throw StoreError(.notFound, "no booking with id \(booking.id)")
        }
        row = try BookingRow(booking, seq: row.seq, fingerprint: row.requestFingerprint)
        try db.inSavepoint {
            try row.update(db)
            try OccupiedDayRow.filter(OccupiedDayRow.CodingKeys.bookingID == booking.id).deleteAll(db)
            try occupy(booking)
            return .commit
        }
    }

    /// One row per day of a live booking's stored span; the primary key refuses a day already taken.
    func occupy(_ booking: Booking) throws {
        guard booking.status.isLive else { return }
        for (offset, day) in booking.occupancy.occupiedDays.enumerated() {
            do {
                try OccupiedDayRow(
                    resource: booking.resource, day: day.description, bookingID: booking.id, kind: offset < booking.intensiveDays ? "intensive" : "turnover"
                ).insert(db)
            } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT {
                // The database refuses a second booking of this resource-day; name the day, never the couple.
                throw StoreError(.conflict, "\(day) is already taken on \(booking.resource); nothing was booked")
            }
        }
    }

    func insert(_ payment: Payment, bookingID: String) throws -> Payment {
        var row = PaymentRow(id: nil, bookingID: bookingID, amountCents: payment.amountCents, day: payment.date.description, note: payment.note, voided: false)
        try row.insert(db)
        return try row.payment
    }

    func voidPayment(id: Int64, bookingID: String) throws -> Bool {
        try PaymentRow.filter(key: id).filter(PaymentRow.CodingKeys.bookingID == bookingID).updateAll(db, PaymentRow.CodingKeys.voided.set(to: true)) > 0
    }

    // MARK: blackouts

    func blackouts() throws -> [Blackout] {
        try BlackoutRow.order(BlackoutRow.CodingKeys.fromDay, BlackoutRow.CodingKeys.id).fetchAll(db).map { try $0.blackout }
    }

    func insert(_ blackout: Blackout) throws -> Blackout {
        var row = BlackoutRow(blackout)
        row.id = nil
        try row.insert(db)
        return try row.blackout
    }

    func deleteBlackout(id: Int64) throws -> Bool {
        try BlackoutRow.deleteOne(db, key: id)
    }

    func importBlackouts(_ items: [ImportedBlackout], key: ImportKey, reason: String, replacingWithin window: ClosedRange<CalendarDay>?) throws
        -> ImportCounts
    {
        // A bulk import touches index pages all over the file. With SQLite's default 2 MB page cache the
        // transaction spills dirty pages to the WAL again and again (800,000 page writes for a 24 MB result);
        // a cache sized to the import keeps each page in memory until the commit writes it once.
        let previousCache = try Int.fetchOne(db, sql: "PRAGMA cache_size") ?? -2000
        let neededKiB = min(items.count / 2, 512 * 1024)  // about what the rows and their index entries take
        if previousCache < 0, neededKiB > -previousCache { try db.execute(sql: "PRAGMA cache_size = -\(neededKiB)") }
        defer { try? db.execute(sql: "PRAGMA cache_size = \(previousCache)") }
        var removed = 0
        if let window {
            let sameKey = BlackoutRow.filter(BlackoutRow.CodingKeys.source == key.source).filter(BlackoutRow.CodingKeys.resource == key.resource)
                .filter(BlackoutRow.CodingKeys.uid != nil)  // only imported rows: never one added by hand
            removed = try sameKey.filter(
                BlackoutRow.CodingKeys.fromDay >= window.lowerBound.description && BlackoutRow.CodingKeys.toDay <= window.upperBound.description
            ).deleteAll(db)
        }
        // Only an occurrence not stored yet is inserted: an ignored conflict would still use up an AUTOINCREMENT
        // id. When nothing is stored under this key (a first import, or a replaced window that was everything)
        // there is nothing to look up first, and repeats within the import are dropped before the insert.
        let anyStored =
            try Bool.fetchOne(
                db,
                sql: """
                    SELECT EXISTS (SELECT 1 FROM blackouts WHERE coalesce(resource, '') = coalesce(?, '') AND source = ? AND uid IS NOT NULL)
                    """, arguments: [key.resource, key.source]) ?? true
        // One row per INSERT … VALUES: an INSERT … SELECT counts as writing many rows, so SQLite keeps a statement
        // journal for it, and once one insert's journal outgrows 64 KiB the journal is a temporary file that every
        // later insert of the transaction writes its pages to (430,000 writes for 72,000 rows).
        let insert = try db.makeStatement(
            sql: """
                INSERT INTO blackouts (from_day, to_day, resource, reason, source, uid, recurrence_id, starts_at, ends_at)
                VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
                ON CONFLICT (coalesce(resource, ''), source, uid, recurrence_id) WHERE uid IS NOT NULL DO NOTHING
                """)
        let stored =
            anyStored
            ? try db.makeStatement(
                sql: """
                    SELECT 1 FROM blackouts WHERE coalesce(resource, '') = coalesce(?3, '') AND source = ?5 AND uid = ?6 AND recurrence_id IS ?7
                    """) : nil
        let rows = ImportedBlackout.firstOfEachOccurrence(items)
        let added = try BulkInsert.blackouts(
            rows, resource: key.resource, reason: reason, source: key.source, insert: insert, skippingWhere: stored, in: db)
        return ImportCounts(added: added, unchanged: items.count - added, removed: removed)
    }

    // MARK: waitlist

    func waitlist() throws -> [WaitlistEntry] {
        try WaitlistRow.order(WaitlistRow.CodingKeys.createdAt, WaitlistRow.CodingKeys.id).fetchAll(db).map { try $0.entry }
    }

    func insert(_ entry: WaitlistEntry) throws -> WaitlistEntry {
        var row = WaitlistRow(entry)
        row.id = nil
        try row.insert(db)
        return try row.entry
    }

    func update(_ entry: WaitlistEntry) throws {
        guard entry.id != nil else { throw StoreError(.notFound, "a waitlist entry without an id cannot be updated") }
        try WaitlistRow(entry).update(db)
    }

    // MARK: series

    func allSeries() throws -> [StoredSeries] {
        try SeriesRow.order(SeriesRow.CodingKeys.seq).fetchAll(db).map { try $0.stored }
    }

    func lastSeriesNumber() throws -> Int {
        try Int.fetchOne(db, sql: "SELECT max(seq) FROM series") ?? 0
    }

    func insert(_ series: StoredSeries) throws {
        try SeriesRow(series, seq: try lastSeriesNumber() + 1).insert(db)
    }

    func update(_ series: StoredSeries) throws {
        guard let row = try SeriesRow.fetchOne(db, key: series.series.id) else {
            throw StoreError(.notFound, "no counseling series with id \(series.series.id)")
        }
        try SeriesRow(series, seq: row.seq).update(db)
    }

    // MARK: agendas

    func intakeJSON(bookingID: String) throws -> String? {
        try IntakeRow.fetchOne(db, key: bookingID)?.json
    }

    func saveIntakeJSON(_ json: String, bookingID: String) throws {
        try IntakeRow(bookingID: bookingID, json: json).save(db)
    }

    func agenda(bookingID: String) throws -> StoredAgenda? {
        try AgendaRow.fetchOne(db, key: bookingID).map {
            StoredAgenda(
                bookingID: $0.bookingID, agendaJSON: $0.json, adjustmentsJSON: $0.adjustments, plannedAt: Date(timeIntervalSince1970: $0.plannedAt),
                staleReason: $0.staleReason)
        }
    }

    func save(_ agenda: StoredAgenda) throws {
        try AgendaRow(
            bookingID: agenda.bookingID, json: agenda.agendaJSON, adjustments: agenda.adjustmentsJSON, plannedAt: agenda.plannedAt.timeIntervalSince1970,
            staleReason: agenda.staleReason
        ).save(db)
    }

    // MARK: audit

    func auditLog(entityID: String?) throws -> [AuditEntry] {
        var request = AuditRow.order(AuditRow.CodingKeys.id)
        if let entityID { request = request.filter(AuditRow.CodingKeys.entityID == entityID) }
        return try request.fetchAll(db).map(\.entry)
    }

    func append(_ entry: AuditEntry) throws {
        var row = AuditRow(
            id: nil, at: entry.at.timeIntervalSince1970, actor: entry.actor, action: entry.action, entity: entry.entity, entityID: entry.entityID,
            detail: entry.detail)
        try row.insert(db)
    }

    // MARK: sent events and the outbox

    func sentEvents(owner: EventOwner?) throws -> [SentEvent] {
        var request = SentEventRow.order(SentEventRow.CodingKeys.uid)
        if let owner {
            request = request.filter(SentEventRow.CodingKeys.ownerKind == owner.kind.rawValue).filter(SentEventRow.CodingKeys.ownerID == owner.id)
        }
        return try request.fetchAll(db).map { try $0.event }
    }

    func save(_ event: SentEvent) throws {
        try SentEventRow(event).save(db)
    }

    func outboxMessages(_ query: OutboxQuery) throws -> [OutboxMessage] {
        var request = OutboxRow.order(OutboxRow.CodingKeys.id)
        if !query.statuses.isEmpty { request = request.filter(query.statuses.map(\.rawValue).contains(OutboxRow.CodingKeys.status)) }
        if let uid = query.uid { request = request.filter(OutboxRow.CodingKeys.uid == uid) }
        return try request.fetchAll(db).map { try $0.message }
    }

    func outboxMessage(id: Int64) throws -> OutboxMessage? {
        try OutboxRow.fetchOne(db, key: id)?.message
    }

    func outboxMessage(dedupeKey: String) throws -> OutboxMessage? {
        try OutboxRow.filter(OutboxRow.CodingKeys.dedupeKey == dedupeKey).fetchOne(db)?.message
    }

    func insert(_ message: OutboxMessage) throws -> OutboxMessage {
        var row = OutboxRow(message)
        row.id = nil
        do {
            try row.insert(db)
        } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT {
            throw StoreError(.conflict, "an outbox message with the same key is already queued")
        }
        return try row.message
    }

    func update(_ message: OutboxMessage) throws {
        guard message.id != nil else { throw StoreError(.notFound, "an outbox message without an id cannot be updated") }
        try OutboxRow(message).update(db)
    }
}
