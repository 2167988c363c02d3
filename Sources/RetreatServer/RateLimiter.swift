import Foundation
import NIOConcurrencyHelpers

/// A sliding-window limit: at most `limit` events per key within `window` seconds. In memory (one process
/// serves the store); bounded to `maxKeys` keys, the stalest dropped first.
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
            let cutoff = now.addingTimeInterval(-window)
            var recent = (table[key] ?? []).filter { $0 > cutoff }
            if recent.count >= limit {
                table[key] = recent
                let oldest = recent.min() ?? now
                return max(1, oldest.addingTimeInterval(window).timeIntervalSince(now).rounded(.up))
            }
            recent.append(now)
            table[key] = recent
            if table.count > maxKeys {
                table = table.filter { $0.value.contains { $0 > cutoff } }
                if table.count > maxKeys {
                    let keep = table.sorted { ($0.value.max() ?? .distantPast) > ($1.value.max() ?? .distantPast) }.prefix(maxKeys / 2)
                    table = Dictionary(uniqueKeysWithValues: keep.map { ($0.key, $0.value) })
                }
            }
            return nil
        }
    }
}
