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
    /// Occurrences free (transparent), cancelled or outside session hours.
    public var skipped: Int
    /// Live bookings whose intensive days the imported busy time now touches (staff must decide).
    public var affectedBookings: [String]
}

extension RetreatService {
    /// Adds a blackout (inclusive dates). Refuses one that touches a live booking's intensive days unless
    /// `force`, naming the booking ids (never the couples).
    public func addBlackout(from: CalendarDay, to: CalendarDay, resource: String? = nil, reason: String? = nil, force: Bool = false) throws(AppError)
        -> Blackout
    {
        guard to >= from else { throw AppError(.badInput, "--to \(to) is before --from \(from)") }
        let reason = try Input.note(reason, option: "--reason")
        return try write { ctx in
            try ctx.base.requireResource(resource)
            if !force {
                let hits = Clashes.bookings(try ctx.base.liveBookings(), touchedByAnyOf: [from...to], resource: resource)
                if !hits.isEmpty {
                    throw AppError(
                        .conflict,
                        "the blackout \(from)…\(to) touches live booking(s) \(hits.map(\.id).joined(separator: ", ")); reschedule them first or pass --force"
                    )
                }
            }
            let stored = try ctx.tx.insert(Blackout(from: from, to: to, resource: resource, reason: reason))
            try ctx.audit("blackout-add", "blackout", String(stored.id ?? 0), ["from": from.description, "to": to.description])
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

    /// Imports the busy time of a calendar file as blackouts, in one transaction: all or nothing.
    /// - Parameters:
    ///   - from, to: the window (default: today to the booking horizon).
    ///   - source: what the blackouts are filed under (default: the file's path); with the resource, it keys
    ///     the import, so `replace` touches only that resource's blackouts from that source.
    public func importBlackouts(
        file: String, resource: String? = nil, from: CalendarDay? = nil, to: CalendarDay? = nil, replace: Bool = false, source: String? = nil
    ) throws(AppError) -> ImportSummary {
        let url = URL(fileURLWithPath: file)
        let name = url.lastPathComponent
        var sourceName = url.standardizedFileURL.path
        if let source { sourceName = try Input.name(source, option: "--source") }
        guard FileManager.default.fileExists(atPath: url.path) else { throw AppError(.notFound, "cannot read \(file): no such file") }
        let calendar: ICalendar
        do {
            calendar = try ICalendar(contentsOf: url)
        } catch {
            throw AppError(.invalid, "\(name): \(error); nothing was imported")
        }
        // Expansion runs outside the transaction: other staff can keep writing while a large file is read.
        let window = try read { ctx in
            try ctx.requireResource(resource)
            return (ctx.settings, from ?? ctx.today, to ?? ctx.today.adding(months: ctx.settings.horizonMonths))
        }
        guard window.2 >= window.1 else { throw AppError(.badInput, "--to \(window.2) is before --from \(window.1)") }
        let result: BusyImportResult
        do {
            result = try BusyImport.busyDays(in: calendar, from: window.1, to: window.2, settings: window.0)
        } catch {
            throw AppError(.invalid, "\(name): \(error); nothing was imported")
        }
        let items = result.busy.compactMap { b in
            b.days.map { ImportedBlackout(uid: b.uid, recurrenceID: b.recurrenceID, from: $0.lowerBound, to: $0.upperBound) }
        }
        return try write { ctx in
            try ctx.base.requireResource(resource)
            let display = source ?? name
            let counts = try ctx.tx.importBlackouts(
                items, key: ImportKey(resource: resource, source: sourceName), reason: "busy in \(display)", replace: replace)
            let affected = Clashes.bookings(try ctx.base.liveBookings(), touchedByAnyOf: items.map { $0.from...$0.to }, resource: resource).map(\.id)
            try ctx.audit(
                "blackout-import", "blackout", sourceName,
                ["added": String(counts.added), "unchanged": String(counts.unchanged), "removed": String(counts.removed), "resource": resource ?? "all"])
            return ImportSummary(
                source: sourceName, resource: resource, added: counts.added, unchanged: counts.unchanged, removed: counts.removed,
                skipped: result.free + result.busy.count - items.count,
                affectedBookings: affected)
        }
    }
}
