import Foundation
import RetreatCalendars
import RetreatICal
import RetreatScheduling
import RetreatStore

/// What an import did.
public struct ImportSummary: Hashable, Codable, Sendable {
    /// The source the blackouts are filed under.
    public var source: String
    /// The resource they apply to (nil: every resource).
    public var resource: String?
    /// Occurrences stored now.
    public var added: Int
    /// Already present from an earlier import of the same resource and source (same UID and RECURRENCE-ID).
    public var unchanged: Int
    /// Removed first by `replace`.
    public var removed: Int
    /// Occurrences free (transparent), cancelled, taking no time, or outside session hours.
    public var skipped: Int
    /// Live bookings whose intensive days the imported busy time now touches (staff must decide).
    public var affectedBookings: [String]
    /// Active counseling series with upcoming sessions the imported busy time now falls on (staff must decide).
    public var affectedSeries: [String] = []
}

extension RetreatService {
    /// Adds a blackout of whole days (inclusive). Refuses one that touches a live booking's intensive days unless
    /// `force`, naming the booking ids (never the couples).
    public func addBlackout(from: CalendarDay, to: CalendarDay, resource: String? = nil, reason: String? = nil, force: Bool = false) throws(AppError)
        -> Blackout
    {
        guard to >= from else { throw AppError(.badInput, "--to \(to) is before --from \(from)") }
        return try addBlackout(.days(from, to), resource: resource, reason: reason, force: force)
    }

    /// Adds a blackout from one practice-local time to another (e.g. 13:00–15:00 for a supervision): it blocks
    /// the sessions it overlaps, and an intensive day only where it overlaps that day's session hours.
    public func addBlackout(from: LocalTime, to: LocalTime, resource: String? = nil, reason: String? = nil, force: Bool = false) throws(AppError)
        -> Blackout
    {
        guard to > from else { throw AppError(.badInput, "--to \(to) is not after --from \(from)") }
        return try addBlackout(.times(from, to), resource: resource, reason: reason, force: force)
    }

    enum BlackoutSpan {
        case days(CalendarDay, CalendarDay)
        case times(LocalTime, LocalTime)
    }

    func addBlackout(_ span: BlackoutSpan, resource: String?, reason: String?, force: Bool) throws(AppError) -> Blackout {
        let reason = try Input.note(reason, option: "--reason")
        return try write { ctx in
            let resource = try ctx.base.requireResource(resource)
            let blackout: Blackout
            switch span {
            case .days(let from, let to):
                blackout = Blackout(from: from, to: to, resource: resource, reason: reason)
            case .times(let from, let to):
                let zone = ctx.settings.timeZone
                for (option, time) in [("--from", from), ("--to", to)] {
                    if case .skipped = time.resolve(in: zone) {
                        throw AppError(
                            .badInput,
                            "\(option) \(time) does not exist in \(ctx.settings.timeZoneIdentifier): the clocks skip it for daylight-saving time; give a time that exists"
                        )
                    }
                }
                let start = from.instant(in: zone), end = to.instant(in: zone)
                guard end > start else {
                    throw AppError(
                        .badInput, "--to \(to) is not after --from \(from) in \(ctx.settings.timeZoneIdentifier) (a daylight-saving change falls between them)")
                }
                blackout = Blackout(start: start, end: end, in: zone, resource: resource, reason: reason)
            }
            let days = blackout.intensiveDays(SessionHours(settings: ctx.settings))
            if !force, let first = days.first, let last = days.last {
                let hits = Clashes.bookings(try ctx.base.liveBookings(), touchedByAnyOf: [first...last], resource: resource)
                if !hits.isEmpty {
                    throw AppError(
                        .conflict,
                        "the blackout \(Blackouts.describe(blackout, ctx.settings.timeZone)) touches live booking(s) \(hits.map(\.id).joined(separator: ", ")); reschedule them first or pass --force"
                    )
                }
            }
            if !force {
                let touched = Clashes.sessions(touchedBy: blackout, series: try ctx.tx.allSeries(), now: ctx.now)
                if !touched.isEmpty {
                    let list = touched.map { "\($0.seriesID) (\($0.count) session(s), the first \($0.first.localStart))" }
                    throw AppError(
                        .conflict,
                        "the blackout \(Blackouts.describe(blackout, ctx.settings.timeZone)) falls on counseling session(s) of series \(list.joined(separator: ", ")); move or cancel them first (`retreat sessions move` / `cancel`) or pass --force"
                    )
                }
            }
            let stored = try ctx.tx.insert(blackout)
            try ctx.audit("blackout-add", "blackout", String(stored.id ?? 0), ["span": Blackouts.describe(stored, ctx.settings.timeZone)])
            return stored
        }
    }

    /// Removes a blackout by id.
    public func removeBlackout(id: Int64) throws(AppError) {
        try write { ctx in
            let all = try ctx.tx.blackouts()
            guard let b = all.first(where: { $0.id == id }), try ctx.tx.deleteBlackout(id: id) else {
                throw AppError(.notFound, "no blackout with id \(id); `retreat blackout list` shows the ids")
            }
            try ctx.audit(
                "blackout-remove", "blackout", String(id), before: ["from": b.from.description, "to": b.to.description, "source": b.source], after: [:])
        }
    }

    /// Every blackout, by start date.
    public func blackouts() throws(AppError) -> [Blackout] {
        try read { ctx in try ctx.reader.blackouts() }
    }

    /// Every blackout as staff and scripts read it: dates for whole days, practice-local date-times for intervals.
    public func blackoutListing() throws(AppError) -> [BlackoutEntry] {
        try read { ctx in
            let zone = ctx.settings.timeZone
            return try ctx.reader.blackouts().map { Blackouts.entry($0, zone) }
        }
    }

    /// One blackout as `blackoutListing()` shows it (read in the practice's zone).
    public func blackoutEntry(_ blackout: Blackout) throws(AppError) -> BlackoutEntry {
        try read { ctx in Blackouts.entry(blackout, ctx.settings.timeZone) }
    }

    /// Imports the busy time of a calendar file as blackouts, in one transaction: all or nothing.
    /// - Parameters:
    ///   - from, to: the window (default: today to the booking horizon).
    ///   - source: what the blackouts are filed under (default: the file's path); with the resource, it keys
    ///     the import, so `replace` touches only that resource's blackouts from that source, and only those lying
    ///     wholly within the window (an earlier import's busy time before or after it is kept).
    public func importBlackouts(
        file: String, resource: String? = nil, from: CalendarDay? = nil, to: CalendarDay? = nil, replace: Bool = false, source: String? = nil
    ) throws(AppError) -> ImportSummary {
        let url = URL(fileURLWithPath: file)
        let name = url.lastPathComponent
        var sourceName = url.standardizedFileURL.path
        if let source {
            sourceName = try Input.name(source, option: "--source")
            // "manual" marks blackouts added by hand: an import under that name would replace them.
            if sourceName.lowercased() == "manual" {
                throw AppError(.badInput, "--source manual is the name of blackouts added by hand; give the import another name")
            }
        }
        try Input.path(file, option: "the file name")
        var info = stat()
        guard stat(url.path, &info) == 0 else { throw AppError(.notFound, "cannot read \(file): no such file") }
        guard info.st_mode & S_IFMT == S_IFREG else { throw AppError(.invalid, "\(file) is not a regular file; give an .ics file") }
        let calendar: ICalendar
        do {
            calendar = try ICalendar(contentsOf: url)
        } catch {
            throw AppError(.invalid, "\(name): \(error); nothing was imported")
        }
        // Expansion runs outside the transaction: other staff can keep writing while a large file is read.
        let window = try read { ctx in
            (ctx.settings, from ?? ctx.today, to ?? ctx.today.adding(months: ctx.settings.horizonMonths), try ctx.requireResource(resource))
        }
        let resource = window.3
        guard window.2 >= window.1 else { throw AppError(.badInput, "--to \(window.2) is before --from \(window.1)") }
        let result: BusyImportResult
        do {
            result = try BusyImport.busyDays(in: calendar, from: window.1, to: window.2, settings: window.0)
        } catch {
            throw AppError(.invalid, "\(name): \(error); nothing was imported")
        }
        // Busy time is kept at its real granularity: whole days as days, a timed event as its interval (it blocks
        // an intensive day only where it overlaps the session hours, and a session only where they overlap).
        let zone = window.0.timeZone
        let items = result.busy.compactMap { b -> ImportedBlackout? in
            switch b.interval {
            case .days:
                return b.days.map { ImportedBlackout(uid: b.uid, recurrenceID: b.recurrenceID, from: $0.lowerBound, to: $0.upperBound) }
            case .instants(let start, let end):
                return ImportedBlackout(uid: b.uid, recurrenceID: b.recurrenceID, span: Blackout(start: start, end: end, in: zone))
            }
        }
        return try write { ctx in
            try ctx.base.requireResource(resource)
            let display = source ?? name
            let counts = try ctx.tx.importBlackouts(
                items, key: ImportKey(resource: resource, source: sourceName), reason: "busy in \(display)",
                replacingWithin: replace ? window.1...window.2 : nil)
            let blocked = result.busy.compactMap(\.days)
            let affected = Clashes.bookings(try ctx.base.liveBookings(), touchedByAnyOf: blocked, resource: resource).map(\.id)
            let spans = items.map { item in
                if let s = item.startsAt, let e = item.endsAt { return Blackout(start: s, end: e, in: zone, resource: resource) }
                return Blackout(from: item.from, to: item.to, resource: resource)
            }
            let sessions = Clashes.sessions(touchedByAnyOf: spans, series: try ctx.tx.allSeries(), now: ctx.now).map(\.seriesID)
            try ctx.audit(
                "blackout-import", "blackout", sourceName,
                ["added": String(counts.added), "unchanged": String(counts.unchanged), "removed": String(counts.removed), "resource": resource ?? "all"])
            return ImportSummary(
                source: sourceName, resource: resource, added: counts.added, unchanged: counts.unchanged, removed: counts.removed,
                skipped: result.free,
                affectedBookings: affected, affectedSeries: sessions)
        }
    }
}

/// One blackout in a listing (`blackout list --json`: `{"from","to","source"}` plus id, resource and reason).
public struct BlackoutEntry: Hashable, Sendable, Encodable {
    /// Storage id.
    public var id: Int64?
    /// First day (`YYYY-MM-DD`), or the start as a date-time with the practice's offset.
    public var from: String
    /// Last day (inclusive), or the end (exclusive) as a date-time.
    public var to: String
    /// The resource (nil: all).
    public var resource: String?
    /// The reason given (staff only).
    public var reason: String?
    /// "manual" or the import source.
    public var source: String
    /// How people read it: `2027-03-02…2027-03-04` or `2027-03-02 13:00–15:00`.
    public var text: String

    enum CodingKeys: String, CodingKey { case id, from, to, resource, reason, source }
}

/// How blackouts read for people and scripts.
public enum Blackouts {
    /// `2027-03-02…2027-03-04` for whole days, `2027-03-02 13:00–15:00` (practice-local) for a timed one.
    public static func describe(_ b: Blackout, _ zone: TimeZone) -> String {
        guard let s = b.startsAt, let e = b.endsAt else { return b.from == b.to ? "\(b.from)" : "\(b.from)…\(b.to)" }
        let start = LocalTime(s, in: zone)
        let end = LocalTime(e, in: zone)
        return start.day == end.day ? "\(start.day) \(start.time)–\(end.time)" : "\(start)–\(end)"
    }

    /// A blackout as staff and scripts read it.
    public static func entry(_ b: Blackout, _ zone: TimeZone) -> BlackoutEntry {
        BlackoutEntry(
            id: b.id, from: b.startsAt.map { isoLocal($0, zone) } ?? b.from.description,
            to: b.endsAt.map { isoLocal($0, zone) } ?? b.to.description, resource: b.resource, reason: b.reason, source: b.source,
            text: describe(b, zone))
    }

    /// An ISO 8601 date-time with the practice's offset, e.g. `2027-03-02T13:00:00-05:00` (`Z` at offset zero,
    /// as `ISO8601DateFormatter` writes it), without building a formatter for every value.
    public static func isoLocal(_ instant: Date, _ zone: TimeZone) -> String {
        let offset = zone.secondsFromGMT(for: instant)
        let local = Int(instant.timeIntervalSince1970.rounded(.down)) + offset
        let days = local >= 0 ? local / 86_400 : (local - 86_399) / 86_400
        let rest = local - days * 86_400
        let day = CalendarDay(daysSinceEpoch: days)
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        let zoneText: String
        if offset == 0 {
            zoneText = "Z"
        } else {
            let minutes = abs(offset) / 60
            zoneText = "\(offset < 0 ? "-" : "+")\(two(minutes / 60)):\(two(minutes % 60))"
        }
        return "\(day)T\(two(rest / 3600)):\(two(rest % 3600 / 60)):\(two(rest % 60))\(zoneText)"
    }
}
