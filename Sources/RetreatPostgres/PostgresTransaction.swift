import Foundation
import PostgresNIO
import RetreatScheduling
import RetreatStore

/// Reads and writes of one PostgreSQL transaction: every value a bound parameter, every row decoded by type.
///
/// Days travel as ISO text (`::date` / `::text`), instants as seconds since 1970, documents as the same JSON
/// the SQLite store keeps.
struct PostgresTransaction: StoreWriting {
    let session: PostgresSession

    // MARK: coding

    /// The SQLite store's JSON column coding (sorted keys, slashes unescaped, Foundation's default dates), so a
    /// document reads back byte for byte alike from either store.
    static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    static func json(_ value: some Encodable) throws -> String {
        String(decoding: try encoder().encode(value), as: UTF8.self)
    }

    static func decode<T: Decodable>(_ type: T.Type, _ text: String, _ what: String) throws -> T {
        do {
            return try JSONDecoder().decode(T.self, from: Data(text.utf8))
        } catch {
            throw StoreError(.incompatible, "the stored \(what) cannot be read: \(error)")
        }
    }

    static func day(_ text: String, _ what: String) throws -> CalendarDay {
        guard let day = CalendarDay(iso: text) else { throw StoreError(.incompatible, "stored \(what) \"\(text)\" is not a date") }
        return day
    }

    static func instant(_ seconds: Double) -> Date { Date(timeIntervalSince1970: seconds) }

    // MARK: configuration

    func settings() throws -> PracticeSettings {
        guard let text = try session.value("SELECT json FROM settings WHERE id = 1", as: String.self) else {
            throw StoreError(.notInitialized, "the store has no settings yet; run `retreat init --config FILE`")
        }
        return try Self.decode(PracticeSettings.self, text, "settings")
    }

    func isInitialized() throws -> Bool {
        try session.value("SELECT count(*)::int8 FROM settings", as: Int.self) ?? 0 > 0
    }

    func profile() throws -> PracticeProfile {
        var profile = PracticeProfile()
        let rows = try session.query("SELECT key, value FROM profile WHERE key IN ('name', 'organizerEmail', 'organizerName', 'location')")
        for row in rows.rows {
            let (key, value) = try row.decode((String, String).self)
            switch key {
            case "name": profile.name = value
            case "organizerEmail": profile.organizerEmail = value
            case "organizerName": profile.organizerName = value
            case "location": profile.location = value
            default: break
            }
        }
        return profile
    }

    func profileValue(_ key: String) throws -> String? {
        try session.value("SELECT value FROM profile WHERE key = \(key)", as: String.self)
    }

    func counselorProfiles() throws -> [CounselorProfile] {
        guard let text = try profileValue("counselors") else { return [] }
        return try Self.decode([CounselorProfile].self, text, "counselors")
    }

    func document(_ key: DocumentKey) throws -> String? {
        try profileValue(key.rawValue)
    }

    func saveSettings(_ settings: PracticeSettings) throws {
        let text = try Self.json(settings)
        try session.query("INSERT INTO settings (id, json) VALUES (1, \(text)) ON CONFLICT (id) DO UPDATE SET json = excluded.json")
    }

    func saveProfileValue(_ key: String, _ value: String) throws {
        try session.query("INSERT INTO profile (key, value) VALUES (\(key), \(value)) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
    }

    func saveProfile(_ profile: PracticeProfile) throws {
        for (key, value) in [("name", profile.name), ("organizerEmail", profile.organizerEmail), ("organizerName", profile.organizerName)] {
            try saveProfileValue(key, value)
        }
        if let location = profile.location {
            try saveProfileValue("location", location)
        } else {
            try session.query("DELETE FROM profile WHERE key = 'location'")
        }
    }

    func saveCounselorProfiles(_ counselors: [CounselorProfile]) throws {
        try saveProfileValue("counselors", try Self.json(counselors))
    }

    func saveDocument(_ key: DocumentKey, _ text: String) throws {
        try saveProfileValue(key.rawValue, text)
    }

    // MARK: bookings

    static let bookingColumns = """
        id, seq, couple, contact, resource, start::text, intensive_days, turnover_days, status, sequence, priorities, price_cents,
        deposit_cents, deposit_due::text, created_at, hold_expires_at, refund_cents, refund_percent, cancelled_on::text,
        cancellation_reason, request_id, request_fingerprint
        """

    /// A booking row and the two columns the booking value leaves out.
    struct BookingRow {
        var booking: Booking
        var seq: Int
        var fingerprint: String?
    }

    static func bookingRow(_ row: PostgresRow) throws -> BookingRow {
        let (
            id, seq, couple, contact, resource, start, intensiveDays, turnoverDays, statusText, sequence, priorities, price, depositCents, depositDue,
            createdAt, holdExpiresAt, refundCents, refundPercent, cancelledOn, reason, requestID, fingerprint
        ) = try row.decode(
            (
                String, Int, String, String?, String, String, Int, Int, String, Int, String, Int, Int, String, Double, Double?, Int?, Int?, String?, String?,
                String?, String?
            ).self)
        guard let status = BookingStatus(rawValue: statusText) else {
            throw StoreError(.incompatible, "booking \(id) has an unknown status \"\(statusText)\"")
        }
        let booking = Booking(
            id: id, couple: couple, contact: contact, resource: resource, start: try day(start, "start of \(id)"), intensiveDays: intensiveDays,
            turnoverDays: turnoverDays, status: status, sequence: sequence, priorities: try decode([String].self, priorities, "priorities of \(id)"),
            priceCents: price, deposit: Deposit(amountCents: depositCents, due: try day(depositDue, "deposit due date of \(id)")),
            createdAt: instant(createdAt), holdExpiresAt: holdExpiresAt.map(instant), refundCents: refundCents, refundPercent: refundPercent,
            cancelledOn: try cancelledOn.map { try day($0, "cancellation date of \(id)") }, cancellationReason: reason, requestID: requestID)
        return BookingRow(booking: booking, seq: seq, fingerprint: fingerprint)
    }

    /// Payments of the given bookings (all when nil), by booking, oldest first.
    func payments(of ids: [String]?) throws -> [String: [Payment]] {
        if let ids, ids.isEmpty { return [:] }
        let result: PostgresQueryResult
        if let ids {
            result = try session.query("SELECT id, booking_id, amount_cents, day::text, note, voided FROM payments WHERE booking_id = ANY(\(ids)) ORDER BY id")
        } else {
            result = try session.query("SELECT id, booking_id, amount_cents, day::text, note, voided FROM payments ORDER BY id")
        }
        var payments: [String: [Payment]] = [:]
        for row in result.rows {
            let (id, bookingID, amount, day, note, voided) = try row.decode((Int64, String, Int, String, String?, Bool).self)
            payments[bookingID, default: []].append(Payment(id: id, amountCents: amount, date: try Self.day(day, "payment date"), note: note, voided: voided))
        }
        return payments
    }

    func bookingRows(_ query: PostgresQuery) throws -> [BookingRow] {
        var rows = try session.query(query).rows.map(Self.bookingRow)
        let payments = try payments(of: rows.count < 200 ? rows.map(\.booking.id) : nil)
        for i in rows.indices { rows[i].booking.payments = payments[rows[i].booking.id] ?? [] }
        return rows
    }

    func booking(id: String) throws -> Booking? {
        try bookingRows("SELECT \(unescaped: Self.bookingColumns) FROM bookings WHERE lower(id) = lower(\(id)) ORDER BY seq LIMIT 1").first?.booking
    }

    func booking(requestID: String) throws -> (booking: Booking, fingerprint: String?)? {
        guard let row = try bookingRows("SELECT \(unescaped: Self.bookingColumns) FROM bookings WHERE request_id = \(requestID)").first else { return nil }
        return (row.booking, row.fingerprint)
    }

    func bookings(_ query: BookingQuery) throws -> [Booking] {
        let statuses = query.statuses.map(\.rawValue).sorted()
        return try bookingRows(
            """
            SELECT \(unescaped: Self.bookingColumns) FROM bookings
            WHERE (\(query.from?.description)::date IS NULL OR end_day >= \(query.from?.description)::date)
              AND (\(query.to?.description)::date IS NULL OR start <= \(query.to?.description)::date)
              AND (cardinality(\(statuses)::text[]) = 0 OR status = ANY(\(statuses)::text[]))
            ORDER BY start, seq
            """
        ).map(\.booking)
    }

    func lastBookingNumber() throws -> Int {
        try session.value("SELECT coalesce(max(seq), 0)::int8 FROM bookings", as: Int.self) ?? 0
    }

    func insert(_ booking: Booking, requestFingerprint: String?) throws {
        try insert(booking, seq: try lastBookingNumber() + 1, fingerprint: requestFingerprint)
    }

    func insert(_ b: Booking, seq: Int, fingerprint: String?) throws {
        let priorities = try Self.json(b.priorities)
        _ = try guardingOccupancy(of: b) {
            try session.query(
                """
                INSERT INTO bookings (id, seq, couple, contact, resource, start, intensive_days, turnover_days, status, sequence, priorities,
                    price_cents, deposit_cents, deposit_due, created_at, hold_expires_at, refund_cents, refund_percent, cancelled_on,
                    cancellation_reason, request_id, request_fingerprint)
                VALUES (\(b.id), \(seq), \(b.couple), \(b.contact), \(b.resource), \(b.start.description)::date, \(b.intensiveDays),
                    \(b.turnoverDays), \(b.status.rawValue), \(b.sequence), \(priorities), \(b.priceCents), \(b.deposit.amountCents),
                    \(b.deposit.due.description)::date, \(b.createdAt.timeIntervalSince1970), \(b.holdExpiresAt?.timeIntervalSince1970),
                    \(b.refundCents), \(b.refundPercent), \(b.cancelledOn?.description)::date, \(b.cancellationReason), \(b.requestID),
                    \(fingerprint))
                """)
        }
    }

    func update(_ b: Booking) throws {
        let priorities = try Self.json(b.priorities)
        let changed = try guardingOccupancy(of: b) {
            try session.query(
                """
                UPDATE bookings SET couple = \(b.couple), contact = \(b.contact), resource = \(b.resource), start = \(b.start.description)::date,
                    intensive_days = \(b.intensiveDays), turnover_days = \(b.turnoverDays), status = \(b.status.rawValue), sequence = \(b.sequence),
                    priorities = \(priorities), price_cents = \(b.priceCents), deposit_cents = \(b.deposit.amountCents),
                    deposit_due = \(b.deposit.due.description)::date, created_at = \(b.createdAt.timeIntervalSince1970),
                    hold_expires_at = \(b.holdExpiresAt?.timeIntervalSince1970), refund_cents = \(b.refundCents),
                    refund_percent = \(b.refundPercent), cancelled_on = \(b.cancelledOn?.description)::date,
                    cancellation_reason = \(b.cancellationReason), request_id = \(b.requestID)
                WHERE id = \(b.id)
                """
            ).metadata.rows ?? 0
        }
        if changed == 0 { throw StoreError(.notFound, "no booking with id \(b.id)") }
    }

    /// Runs `write` behind a savepoint; when the exclusion constraint refuses it, the transaction is restored to
    /// the savepoint (still usable, as after SQLite's refused INSERT) and the conflict names the first day of
    /// the booking's span that another live booking holds, never the other couple.
    func guardingOccupancy<T>(of b: Booking, _ write: () throws -> T) throws -> T {
        try session.execute("SAVEPOINT booking_write")
        do {
            let result = try write()
            try session.execute("RELEASE SAVEPOINT booking_write")
            return result
        } catch let failure as PostgresFailure where failure.sqlState == "23P01" {
            try session.execute("ROLLBACK TO SAVEPOINT booking_write")
            try session.execute("RELEASE SAVEPOINT booking_write")
            let last = b.start.adding(days: b.intensiveDays + b.turnoverDays)
            let taken = try session.value(
                """
                SELECT lower(occupied * daterange(\(b.start.description)::date, \(last.description)::date, '[)'))::text FROM bookings
                WHERE resource = \(b.resource) AND status IN ('held', 'confirmed') AND id <> \(b.id)
                  AND occupied && daterange(\(b.start.description)::date, \(last.description)::date, '[)')
                ORDER BY 1 LIMIT 1
                """, as: String.self)
            throw StoreError(.conflict, "\(taken ?? b.start.description) is already taken on \(b.resource); nothing was booked")
        } catch {
            if error is PostgresFailure { try? session.execute("ROLLBACK TO SAVEPOINT booking_write") }
            throw error
        }
    }

    func insert(_ payment: Payment, bookingID: String) throws -> Payment {
        let id = try session.value(
            """
            INSERT INTO payments (booking_id, amount_cents, day, note, voided)
            VALUES (\(bookingID), \(payment.amountCents), \(payment.date.description)::date, \(payment.note), false) RETURNING id
            """, as: Int64.self)
        return Payment(id: id, amountCents: payment.amountCents, date: payment.date, note: payment.note, voided: false)
    }

    func voidPayment(id: Int64, bookingID: String) throws -> Bool {
        try session.query("UPDATE payments SET voided = true WHERE id = \(id) AND booking_id = \(bookingID)").metadata.rows ?? 0 > 0
    }

    // MARK: blackouts

    static let blackoutColumns = "id, from_day::text, to_day::text, resource, reason, source, uid, recurrence_id, starts_at, ends_at"

    static func blackoutRecord(_ row: PostgresRow) throws -> StoreRecords.BlackoutRecord {
        let (id, from, to, resource, reason, source, uid, recurrenceID, startsAt, endsAt) = try row.decode(
            (Int64, String, String, String?, String?, String, String?, String?, Double?, Double?).self)
        var blackout = Blackout(
            id: id, from: try day(from, "blackout start"), to: try day(to, "blackout end"), resource: resource, reason: reason, source: source)
        blackout.startsAt = startsAt.map(instant)
        blackout.endsAt = endsAt.map(instant)
        return StoreRecords.BlackoutRecord(blackout: blackout, uid: uid, recurrenceID: recurrenceID)
    }

    func blackouts() throws -> [Blackout] {
        try session.query("SELECT \(unescaped: Self.blackoutColumns) FROM blackouts ORDER BY from_day, id").rows.map { try Self.blackoutRecord($0).blackout }
    }

    func insert(_ blackout: Blackout) throws -> Blackout {
        var stored = blackout
        stored.id = try session.value(
            """
            INSERT INTO blackouts (from_day, to_day, resource, reason, source, starts_at, ends_at)
            VALUES (\(blackout.from.description)::date, \(blackout.to.description)::date, \(blackout.resource), \(blackout.reason), \(blackout.source),
                \(blackout.startsAt?.timeIntervalSince1970), \(blackout.endsAt?.timeIntervalSince1970))
            RETURNING id
            """, as: Int64.self)
        return stored
    }

    func deleteBlackout(id: Int64) throws -> Bool {
        try session.query("DELETE FROM blackouts WHERE id = \(id)").metadata.rows ?? 0 > 0
    }

    func importBlackouts(_ items: [ImportedBlackout], key: ImportKey, reason: String, replacingWithin window: ClosedRange<CalendarDay>?) throws
        -> ImportCounts
    {
        let given = items.count
        var removed = 0
        if let window {
            removed =
                try session.query(
                    """
                    DELETE FROM blackouts WHERE source = \(key.source) AND resource IS NOT DISTINCT FROM \(key.resource) AND uid IS NOT NULL
                        AND from_day >= \(window.lowerBound.description)::date AND to_day <= \(window.upperBound.description)::date
                    """
                ).metadata.rows ?? 0
        }
        var added = 0
        let items = ImportedBlackout.firstOfEachOccurrence(items)
        // When nothing is stored under this key (a first import) there is nothing to look up. Otherwise the
        // planner must know how many rows the key holds: without statistics (a table autovacuum has not analysed
        // yet) it takes the key for one row and compares every new row with all of them (a 72,000-row re-import
        // took 85 s). ANALYZE samples the table in a fraction of a second.
        let anyStored =
            try session.value(
                """
                SELECT EXISTS (SELECT 1 FROM blackouts WHERE coalesce(resource, '') = coalesce(\(key.resource)::text, '') AND source = \(key.source)
                    AND uid IS NOT NULL)
                """, as: Bool.self) ?? true
        if anyStored { try session.execute("ANALYZE blackouts") }
        let lookUp =
            anyStored
            ? "WHERE NOT EXISTS (SELECT 1 FROM blackouts o WHERE coalesce(o.resource, '') = coalesce(x.k, '') AND o.source = x.s AND o.uid = x.u AND o.recurrence_id = x.r)"
            : ""
        // Thousands of rows per statement, in the order given (ids follow it, as in the SQLite store).
        var start = 0
        while start < items.count {
            let chunk = items[start..<min(items.count, start + 5_000)]
            let froms = chunk.map(\.from.description), tos = chunk.map(\.to.description), uids = chunk.map(\.uid), rids = chunk.map(\.recurrenceID)
            // Instants as text ("" for none): Swift prints the shortest form that reads back as the same Double.
            let starts = chunk.map { $0.startsAt.map { "\($0.timeIntervalSince1970)" } ?? "" }
            let ends = chunk.map { $0.endsAt.map { "\($0.timeIntervalSince1970)" } ?? "" }
            added +=
                try session.query(
                    """
                    INSERT INTO blackouts (from_day, to_day, resource, reason, source, uid, recurrence_id, starts_at, ends_at)
                    SELECT f::date, t::date, x.k, \(reason), x.s, u, r, nullif(b, '')::float8, nullif(e, '')::float8
                    FROM (SELECT \(key.resource)::text AS k, \(key.source)::text AS s, y.*
                        FROM unnest(\(froms)::text[], \(tos)::text[], \(uids)::text[], \(rids)::text[], \(starts)::text[], \(ends)::text[])
                            WITH ORDINALITY AS y(f, t, u, r, b, e, n)) AS x
                    \(unescaped: lookUp)
                    ORDER BY n
                    ON CONFLICT (coalesce(resource, ''), source, uid, recurrence_id) WHERE uid IS NOT NULL DO NOTHING
                    """
                ).metadata.rows ?? 0
            start += chunk.count
        }
        return ImportCounts(added: added, unchanged: given - added, removed: removed)
    }

    // MARK: waitlist

    static func waitlistEntry(_ row: PostgresRow) throws -> WaitlistEntry {
        let (id, couple, contact, from, to, resource, createdAt, status, bookingID) = try row.decode(
            (Int64, String, String?, String, String, String?, Double, String, String?).self)
        return WaitlistEntry(
            id: id, couple: couple, contact: contact, from: try day(from, "waitlist start"), to: try day(to, "waitlist end"), resource: resource,
            createdAt: instant(createdAt), status: WaitlistStatus(rawValue: status) ?? .removed, bookingID: bookingID)
    }

    static let waitlistColumns = "id, couple, contact, from_day::text, to_day::text, resource, created_at, status, booking_id"

    func waitlist() throws -> [WaitlistEntry] {
        try session.query("SELECT \(unescaped: Self.waitlistColumns) FROM waitlist ORDER BY created_at, id").rows.map(Self.waitlistEntry)
    }

    func insert(_ entry: WaitlistEntry) throws -> WaitlistEntry {
        var stored = entry
        stored.id = try session.value(
            """
            INSERT INTO waitlist (couple, contact, from_day, to_day, resource, created_at, status, booking_id)
            VALUES (\(entry.couple), \(entry.contact), \(entry.from.description)::date, \(entry.to.description)::date, \(entry.resource),
                \(entry.createdAt.timeIntervalSince1970), \(entry.status.rawValue), \(entry.bookingID))
            RETURNING id
            """, as: Int64.self)
        return stored
    }

    func update(_ entry: WaitlistEntry) throws {
        guard let id = entry.id else { throw StoreError(.notFound, "a waitlist entry without an id cannot be updated") }
        let changed =
            try session.query(
                """
                UPDATE waitlist SET couple = \(entry.couple), contact = \(entry.contact), from_day = \(entry.from.description)::date,
                    to_day = \(entry.to.description)::date, resource = \(entry.resource), created_at = \(entry.createdAt.timeIntervalSince1970),
                    status = \(entry.status.rawValue), booking_id = \(entry.bookingID)
                WHERE id = \(id)
                """
            ).metadata.rows ?? 0
        if changed == 0 { throw StoreError(.notFound, "no waitlist entry with id \(id)") }
    }

    // MARK: series

    func seriesRecords() throws -> [StoreRecords.SeriesRecord] {
        try session.query("SELECT seq, json, contact, active, created_at FROM series ORDER BY seq").rows.map { row in
            let (seq, json, contact, active, createdAt) = try row.decode((Int, String, String?, Bool, Double).self)
            let series = try Self.decode(CounselingSeries.self, json, "counseling series")
            return StoreRecords.SeriesRecord(
                stored: StoredSeries(series: series, contact: contact, active: active, createdAt: Self.instant(createdAt)), seq: seq)
        }
    }

    func allSeries() throws -> [StoredSeries] {
        try seriesRecords().map(\.stored)
    }

    func lastSeriesNumber() throws -> Int {
        try session.value("SELECT coalesce(max(seq), 0)::int8 FROM series", as: Int.self) ?? 0
    }

    func insert(_ series: StoredSeries) throws {
        try insert(series, seq: try lastSeriesNumber() + 1)
    }

    func insert(_ s: StoredSeries, seq: Int) throws {
        let json = try Self.json(s.series)
        try guardingSessions(of: s) {
            try session.query(
                """
                INSERT INTO series (id, seq, couple, counselor, contact, json, active, created_at)
                VALUES (\(s.series.id), \(seq), \(s.series.spec.couple), \(s.series.spec.counselor), \(s.contact), \(json), \(s.active),
                    \(s.createdAt.timeIntervalSince1970))
                """)
            try writeOccurrences(of: s)
        }
    }

    func update(_ s: StoredSeries) throws {
        let json = try Self.json(s.series)
        try guardingSessions(of: s) {
            let changed =
                try session.query(
                    """
                    UPDATE series SET couple = \(s.series.spec.couple), counselor = \(s.series.spec.counselor), contact = \(s.contact),
                        json = \(json), active = \(s.active), created_at = \(s.createdAt.timeIntervalSince1970)
                    WHERE id = \(s.series.id)
                    """
                ).metadata.rows ?? 0
            if changed == 0 { throw StoreError(.notFound, "no counseling series with id \(s.series.id)") }
            try writeOccurrences(of: s)
        }
    }

    /// Replaces the session rows of a series with its sessions as they stand (none once it is cancelled).
    func writeOccurrences(of s: StoredSeries) throws {
        try session.query("DELETE FROM session_occurrences WHERE series_id = \(s.series.id)")
        guard s.active else { return }
        let sessions = s.series.occurrences()
        if sessions.isEmpty { return }
        let dates = sessions.map(\.originalDate.description)
        let starts = sessions.map(\.start.timeIntervalSince1970), ends = sessions.map(\.end.timeIntervalSince1970)
        try session.query(
            """
            INSERT INTO session_occurrences (series_id, original_date, counselor, during)
            SELECT \(s.series.id), d::date, \(s.series.spec.counselor), tstzrange(to_timestamp(b), to_timestamp(e), '[)')
            FROM unnest(\(dates)::text[], \(starts)::float8[], \(ends)::float8[]) AS x(d, b, e)
            """)
    }

    /// Runs `write` behind a savepoint; when the exclusion constraint refuses a session, the transaction is
    /// restored to the savepoint and the conflict names the first session that overlaps another of the counselor.
    func guardingSessions(of s: StoredSeries, _ write: () throws -> Void) throws {
        try session.execute("SAVEPOINT series_write")
        do {
            try write()
            try session.execute("RELEASE SAVEPOINT series_write")
        } catch let failure as PostgresFailure where failure.sqlState == "23P01" {
            try session.execute("ROLLBACK TO SAVEPOINT series_write")
            try session.execute("RELEASE SAVEPOINT series_write")
            let counselor = s.series.spec.counselor
            let taken = try session.query(
                "SELECT extract(epoch FROM lower(during))::float8, extract(epoch FROM upper(during))::float8 FROM session_occurrences WHERE counselor = \(counselor) AND series_id <> \(s.series.id)"
            ).rows.map { try $0.decode((Double, Double).self) }
            let sessions = s.series.occurrences()
            let first = sessions.first { o in
                let (b, e) = (o.start.timeIntervalSince1970, o.end.timeIntervalSince1970)
                return taken.contains { $0.0 < e && b < $0.1 }
                    || sessions.contains { $0.originalDate != o.originalDate && $0.start < o.end && o.start < $0.end }
            }
            let when = first.map { "\($0.localStart.day) \($0.localStart.time)" } ?? "a session"
            throw StoreError(.conflict, "\(when) is already taken on \(counselor) by another counseling session; nothing was booked")
        } catch {
            if error is PostgresFailure { try? session.execute("ROLLBACK TO SAVEPOINT series_write") }
            throw error
        }
    }

    // MARK: agendas

    func intakeJSON(bookingID: String) throws -> String? {
        try session.value("SELECT json FROM intakes WHERE booking_id = \(bookingID)", as: String.self)
    }

    func saveIntakeJSON(_ json: String, bookingID: String) throws {
        try session.query("INSERT INTO intakes (booking_id, json) VALUES (\(bookingID), \(json)) ON CONFLICT (booking_id) DO UPDATE SET json = excluded.json")
    }

    static func storedAgenda(_ row: PostgresRow) throws -> StoredAgenda {
        let (bookingID, json, adjustments, plannedAt, stale) = try row.decode((String, String, String, Double, String?).self)
        return StoredAgenda(bookingID: bookingID, agendaJSON: json, adjustmentsJSON: adjustments, plannedAt: instant(plannedAt), staleReason: stale)
    }

    func agenda(bookingID: String) throws -> StoredAgenda? {
        try session.query("SELECT booking_id, json, adjustments, planned_at, stale_reason FROM agendas WHERE booking_id = \(bookingID)").rows.first.map(
            Self.storedAgenda)
    }

    func save(_ agenda: StoredAgenda) throws {
        try session.query(
            """
            INSERT INTO agendas (booking_id, json, adjustments, planned_at, stale_reason)
            VALUES (\(agenda.bookingID), \(agenda.agendaJSON), \(agenda.adjustmentsJSON), \(agenda.plannedAt.timeIntervalSince1970), \(agenda.staleReason))
            ON CONFLICT (booking_id) DO UPDATE SET json = excluded.json, adjustments = excluded.adjustments, planned_at = excluded.planned_at,
                stale_reason = excluded.stale_reason
            """)
    }

    // MARK: audit

    static func auditEntry(_ row: PostgresRow) throws -> AuditEntry {
        let (id, at, actor, action, entity, entityID, detail) = try row.decode((Int64, Double, String, String, String, String, String).self)
        return AuditEntry(id: id, at: instant(at), actor: actor, action: action, entity: entity, entityID: entityID, detail: detail)
    }

    func auditLog(entityID: String?) throws -> [AuditEntry] {
        try session.query(
            "SELECT id, at, actor, action, entity, entity_id, detail FROM audit_log WHERE \(entityID)::text IS NULL OR entity_id = \(entityID) ORDER BY id"
        ).rows.map(Self.auditEntry)
    }

    func append(_ entry: AuditEntry) throws {
        try session.query(
            """
            INSERT INTO audit_log (at, actor, action, entity, entity_id, detail)
            VALUES (\(entry.at.timeIntervalSince1970), \(entry.actor), \(entry.action), \(entry.entity), \(entry.entityID), \(entry.detail))
            """)
    }

    // MARK: e-mail

    static func sentEvent(_ row: PostgresRow) throws -> SentEvent {
        let (uid, kind, ownerID, sequence, hash, cancelled, recipients, updatedAt) = try row.decode(
            (String, String, String, Int, String, Bool, String, Double).self)
        guard let ownerKind = EventOwner.Kind(rawValue: kind) else { throw StoreError(.incompatible, "sent event \(uid) has an unknown owner \"\(kind)\"") }
        return SentEvent(
            uid: uid, owner: EventOwner(ownerKind, ownerID), sequence: sequence, contentHash: hash, cancelled: cancelled, recipients: recipients,
            updatedAt: instant(updatedAt))
    }

    func sentEvents(owner: EventOwner?) throws -> [SentEvent] {
        try session.query(
            """
            SELECT uid, owner_kind, owner_id, sequence, content_hash, cancelled, recipients, updated_at FROM sent_events
            WHERE \(owner?.kind.rawValue)::text IS NULL OR (owner_kind = \(owner?.kind.rawValue) AND owner_id = \(owner?.id))
            ORDER BY uid
            """
        ).rows.map(Self.sentEvent)
    }

    func save(_ e: SentEvent) throws {
        try session.query(
            """
            INSERT INTO sent_events (uid, owner_kind, owner_id, sequence, content_hash, cancelled, recipients, updated_at)
            VALUES (\(e.uid), \(e.owner.kind.rawValue), \(e.owner.id), \(e.sequence), \(e.contentHash), \(e.cancelled), \(e.recipients),
                \(e.updatedAt.timeIntervalSince1970))
            ON CONFLICT (uid) DO UPDATE SET owner_kind = excluded.owner_kind, owner_id = excluded.owner_id, sequence = excluded.sequence,
                content_hash = excluded.content_hash, cancelled = excluded.cancelled, recipients = excluded.recipients, updated_at = excluded.updated_at
            """)
    }

    static let outboxColumns = """
        id, created_at, kind, owner_kind, owner_id, uid, method, sequence, recipients, subject, body, calendar, dedupe_key, occurs_at, seed,
        status, attempts, next_attempt_at, claimed_at, claim_token, message_id, rendered, sent_at, last_error, ends_at, maybe_delivered
        """

    static func outboxMessage(_ row: PostgresRow) throws -> OutboxMessage {
        let (
            id, createdAt, kindText, ownerKind, ownerID, uid, method, sequence, recipients, subject, body, calendar, dedupeKey, occursAt, seed,
            statusText, attempts, nextAttemptAt, claimedAt, claimToken, messageID, rendered, sentAt, lastError, endsAt, maybeDelivered
        ) = try row.decode(
            (
                Int64, Double, String, String, String, String?, String?, Int?, String, String, String, String?, String?, Double?, String, String,
                Int, Double, Double?, String?, String?, String?, Double?, String?, Double?, Bool
            ).self)
        guard let kind = OutboxKind(rawValue: kindText), let owner = EventOwner.Kind(rawValue: ownerKind),
            let status = OutboxStatus(rawValue: statusText)
        else { throw StoreError(.incompatible, "outbox message \(id) has an unknown kind, owner or status") }
        var m = OutboxMessage(
            createdAt: instant(createdAt), kind: kind, owner: EventOwner(owner, ownerID), uid: uid, method: method, sequence: sequence,
            recipients: recipients, subject: subject, body: body, calendar: calendar, dedupeKey: dedupeKey, occursAt: occursAt.map(instant), seed: seed)
        m.id = id
        m.status = status
        m.attempts = attempts
        m.nextAttemptAt = instant(nextAttemptAt)
        m.claimedAt = claimedAt.map(instant)
        m.claimToken = claimToken
        m.messageID = messageID
        m.rendered = rendered
        m.sentAt = sentAt.map(instant)
        m.lastError = lastError
        m.endsAt = endsAt.map(instant)
        m.maybeDelivered = maybeDelivered
        return m
    }

    func outboxMessages(_ query: OutboxQuery) throws -> [OutboxMessage] {
        let statuses = query.statuses.map(\.rawValue).sorted()
        return try session.query(
            """
            SELECT \(unescaped: Self.outboxColumns) FROM outbox
            WHERE (cardinality(\(statuses)::text[]) = 0 OR status = ANY(\(statuses)::text[])) AND (\(query.uid)::text IS NULL OR uid = \(query.uid))
            ORDER BY id
            """
        ).rows.map(Self.outboxMessage)
    }

    func outboxMessage(id: Int64) throws -> OutboxMessage? {
        try session.query("SELECT \(unescaped: Self.outboxColumns) FROM outbox WHERE id = \(id)").rows.first.map(Self.outboxMessage)
    }

    func outboxMessage(dedupeKey: String) throws -> OutboxMessage? {
        try session.query("SELECT \(unescaped: Self.outboxColumns) FROM outbox WHERE dedupe_key = \(dedupeKey)").rows.first.map(Self.outboxMessage)
    }

    func insert(_ message: OutboxMessage) throws -> OutboxMessage {
        try insert(message, keepingID: false)
    }

    /// Inserts a message (with its own id when copying a store); a taken dedupe key or seed is a conflict that
    /// leaves the transaction usable, as in the SQLite store.
    func insert(_ m: OutboxMessage, keepingID: Bool) throws -> OutboxMessage {
        let id = keepingID ? m.id : nil
        let inserted = try session.value(
            """
            INSERT INTO outbox (id, created_at, kind, owner_kind, owner_id, uid, method, sequence, recipients, subject, body, calendar, dedupe_key,
                occurs_at, seed, status, attempts, next_attempt_at, claimed_at, claim_token, message_id, rendered, sent_at, last_error, ends_at,
                maybe_delivered)
            OVERRIDING SYSTEM VALUE
            VALUES (coalesce(\(id), nextval(pg_get_serial_sequence('outbox', 'id'))), \(m.createdAt.timeIntervalSince1970), \(m.kind.rawValue),
                \(m.owner.kind.rawValue), \(m.owner.id), \(m.uid), \(m.method), \(m.sequence), \(m.recipients), \(m.subject), \(m.body), \(m.calendar),
                \(m.dedupeKey), \(m.occursAt?.timeIntervalSince1970), \(m.seed), \(m.status.rawValue), \(m.attempts),
                \(m.nextAttemptAt.timeIntervalSince1970), \(m.claimedAt?.timeIntervalSince1970), \(m.claimToken), \(m.messageID), \(m.rendered),
                \(m.sentAt?.timeIntervalSince1970), \(m.lastError), \(m.endsAt?.timeIntervalSince1970), \(m.maybeDelivered))
            ON CONFLICT DO NOTHING
            RETURNING id
            """, as: Int64.self)
        guard let inserted else { throw StoreError(.conflict, "an outbox message with the same key is already queued") }
        var stored = m
        stored.id = inserted
        return stored
    }

    func update(_ m: OutboxMessage) throws {
        guard let id = m.id else { throw StoreError(.notFound, "an outbox message without an id cannot be updated") }
        try session.query(
            """
            UPDATE outbox SET created_at = \(m.createdAt.timeIntervalSince1970), kind = \(m.kind.rawValue), owner_kind = \(m.owner.kind.rawValue),
                owner_id = \(m.owner.id), uid = \(m.uid), method = \(m.method), sequence = \(m.sequence), recipients = \(m.recipients),
                subject = \(m.subject), body = \(m.body), calendar = \(m.calendar), dedupe_key = \(m.dedupeKey),
                occurs_at = \(m.occursAt?.timeIntervalSince1970), seed = \(m.seed), status = \(m.status.rawValue), attempts = \(m.attempts),
                next_attempt_at = \(m.nextAttemptAt.timeIntervalSince1970), claimed_at = \(m.claimedAt?.timeIntervalSince1970),
                claim_token = \(m.claimToken), message_id = \(m.messageID), rendered = \(m.rendered), sent_at = \(m.sentAt?.timeIntervalSince1970),
                last_error = \(m.lastError), ends_at = \(m.endsAt?.timeIntervalSince1970), maybe_delivered = \(m.maybeDelivered)
            WHERE id = \(id)
            """)
    }
}
