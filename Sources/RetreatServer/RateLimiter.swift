import Foundation
import NIOConcurrencyHelpers

/// A sliding-window limit: at most `limit` events per key within `window` seconds. In this process's memory
/// (each server on a store counts apart, and a restart forgets); bounded to `maxKeys` keys, the least recently
/// active dropped first.
final class RateLimiter: Sendable {
    let limit: Int
    let window: TimeInterval
    let maxKeys: Int
    private let events = NIOLockedValueBox<[String: [Date]]>([:])

    init(limit: Int, window: TimeInterval, maxKeys: Int = 10_000) {
        self.limit = limit
        self.window = window
        self.maxKeys = maxKeys
    }

    /// Records an event for `key` at `now` if the limit allows it; otherwise returns the seconds until it
    /// will (and records nothing).
    func attempt(_ key: String, at now: Date) -> TimeInterval? {
        events.withLockedValue { table in
            if let wait = wait(&table, key, now) { return wait }
            record(&table, key, now)
            return nil
        }
    }

    /// Records an event for each of `keys` at `now` if the limit allows one for every key, all under one lock
    /// (so that concurrent attempts cannot all pass one check); otherwise returns the longest wait and records
    /// nothing.
    func reserve(_ keys: [String], at now: Date) -> TimeInterval? {
        events.withLockedValue { table in
            let waits = keys.compactMap { wait(&table, $0, now) }
            if let longest = waits.max() { return longest }
            for key in keys { record(&table, key, now) }
            return nil
        }
    }

    /// Takes back one event recorded at `now` for each of `keys` (a reservation whose request was refused).
    func release(_ keys: [String], at now: Date) {
        events.withLockedValue { table in
            for key in keys {
                guard var list = table[key], let i = list.lastIndex(of: now) else { continue }
                list.remove(at: i)
                table[key] = list.isEmpty ? nil : list
            }
        }
    }

    private func wait(_ table: inout [String: [Date]], _ key: String, _ now: Date) -> TimeInterval? {
        let cutoff = now.addingTimeInterval(-window)
        let recent = (table[key] ?? []).filter { $0 > cutoff }
        table[key] = recent.isEmpty ? nil : recent
        guard recent.count >= limit else { return nil }
        let oldest = recent.min() ?? now
        return max(1, oldest.addingTimeInterval(window).timeIntervalSince(now).rounded(.up))
    }

    private func record(_ table: inout [String: [Date]], _ key: String, _ now: Date) {
        let cutoff = now.addingTimeInterval(-window)
        table[key, default: []].append(now)
        guard table.count > maxKeys else { return }
        table = table.filter { $0.value.contains { $0 > cutoff } }
        if table.count > maxKeys {
            let keep = table.sorted { ($0.value.max() ?? .distantPast) > ($1.value.max() ?? .distantPast) }.prefix(maxKeys / 2)
            table = Dictionary(uniqueKeysWithValues: keep.map { ($0.key, $0.value) })
        }
    }
}
