import Foundation
import GRDB
import RetreatScheduling

/// One imported busy range to store as a blackout.
public struct ImportedBlackout: Hashable, Sendable {
    public var uid: String
    public var recurrenceID: String
    public var from: CalendarDay
    public var to: CalendarDay

    public init(uid: String, recurrenceID: String, from: CalendarDay, to: CalendarDay) {
        self.uid = uid
        self.recurrenceID = recurrenceID
        self.from = from
        self.to = to
    }
}

/// What an import changed.
public struct ImportSummary: Hashable, Codable, Sendable {
    public var source: String
    public var added: Int
    /// Already present from an earlier import of the same source (same UID and RECURRENCE-ID).
    public var unchanged: Int
    /// Removed first by `--replace`.
    public var removed: Int
    /// Live bookings whose intensive days the imported busy time now touches (staff must decide).
    public var affectedBookings: [String]
}

extension RetreatStore {
    /// Stores imported busy time as blackouts in one transaction: all or nothing.
    /// - Parameters:
    ///   - source: names the import (e.g. `import:leave.ics`); shown wherever the blackout appears.
    ///   - replace: first drop what earlier imports of the same source added.
    public func importBlackouts(_ items: [ImportedBlackout], source: String, resource: String?, replace: Bool, now: Date, actor: String) throws(StoreError)
        -> ImportSummary
    {
        try write { db in
            let settings = try self.settings(db)
            try settings.requireResource(resource)
            var removed = 0
            if replace {
                try db.execute(sql: "DELETE FROM blackouts WHERE source = ?", arguments: [source])
                removed = db.changesCount
            }
            var added = 0
            var unchanged = 0
            let reason = "busy in \(source.hasPrefix("import:") ? String(source.dropFirst(7)) : source)"
            let insert = try db.cachedStatement(
                sql: """
                    INSERT INTO blackouts (from_day, to_day, resource, reason, source, uid, recurrence_id)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (source, uid, recurrence_id) WHERE uid IS NOT NULL DO NOTHING
                    """)
            for item in items {
                try insert.execute(arguments: [item.from.description, item.to.description, resource, reason, source, item.uid, item.recurrenceID])
                if db.changesCount > 0 { added += 1 } else { unchanged += 1 }
            }
            // Live bookings whose intensive days an imported range touches (sorted ranges: binary search).
            let ranges = items.map { ($0.from, $0.to) }.sorted { $0.0 < $1.0 }
            let longest = ranges.map { $0.0.days(until: $0.1) }.max() ?? 0
            let affected = try self.liveBookings(db).filter { b in
                guard resource == nil || resource == b.resource else { return false }
                var lo = 0, hi = ranges.count
                let earliest = b.start.adding(days: -longest)
                while lo < hi {
                    let mid = (lo + hi) / 2
                    if ranges[mid].0 < earliest { lo = mid + 1 } else { hi = mid }
                }
                return ranges[lo...].prefix { $0.0 <= b.end }.contains { $0.1 >= b.start }
            }.map(\.id)
            try self.audit(
                db, now: now, actor: actor, action: "blackout-import", entity: "blackout", id: source,
                detail: ["added": String(added), "unchanged": String(unchanged), "removed": String(removed)])
            return ImportSummary(source: source, added: added, unchanged: unchanged, removed: removed, affectedBookings: affected)
        }
    }
}
