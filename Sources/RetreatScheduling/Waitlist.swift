import Foundation

/// Where a waitlist entry stands.
public enum WaitlistStatus: String, Hashable, Codable, Sendable, CaseIterable {
    /// Still waiting for a start.
    case waiting
    /// Booked (the booking made from it is `WaitlistEntry.bookingID`).
    case booked
    /// Taken off the list by staff.
    case removed
}

/// A couple waiting for any start in `from...to` (on `resource`, or any resource when nil).
public struct WaitlistEntry: Hashable, Codable, Sendable {
    /// Storage identifier, if stored.
    public var id: Int64?
    /// The couple's display name (only ever returned to the practice, never put in messages).
    public var couple: String
    /// Private contact (e-mail addresses), optional.
    public var contact: String?
    /// Where the entry stands.
    public var status: WaitlistStatus = .waiting
    /// The booking made from this entry, once booked.
    public var bookingID: String?
    /// Earliest acceptable start.
    public var from: CalendarDay
    /// Latest acceptable start (inclusive).
    public var to: CalendarDay
    /// The wanted resource; `nil` means any.
    public var resource: String?
    /// When the couple joined the waitlist (orders entries, oldest first).
    public var createdAt: Date

    /// Creates an entry.
    public init(
        id: Int64? = nil, couple: String, contact: String? = nil, from: CalendarDay, to: CalendarDay, resource: String? = nil, createdAt: Date,
        status: WaitlistStatus = .waiting, bookingID: String? = nil
    ) {
        self.id = id
        self.couple = couple
        self.contact = contact
        self.status = status
        self.bookingID = bookingID
        self.from = from
        self.to = to
        self.resource = resource
        self.createdAt = createdAt
    }
}

/// Available starts for one waitlist entry.
public struct WaitlistOffer: Hashable, Codable, Sendable {
    /// The entry's identifier.
    public var entryID: Int64?
    /// The couple's display name.
    public var couple: String
    /// The available slots, sorted by (start, resource order).
    public var slots: [Slot]

    /// Creates an offer.
    public init(entryID: Int64?, couple: String, slots: [Slot]) {
        self.entryID = entryID
        self.couple = couple
        self.slots = slots
    }
}

extension Scheduler {
    /// Entries (oldest first: by `createdAt`, then `id`, then couple) that now have at least one
    /// available start in their range, with those starts. Entries with none are omitted.
    public func offers(for entries: [WaitlistEntry]) -> [WaitlistOffer] {
        let ordered = entries.sorted { a, b in
            if a.createdAt != b.createdAt { return a.createdAt < b.createdAt }
            if a.id != b.id { return (a.id ?? Int64.max) < (b.id ?? Int64.max) }
            if a.couple != b.couple { return a.couple < b.couple }
            return (a.from, a.to) < (b.from, b.to)
        }
        return ordered.filter { $0.status == .waiting }.compactMap { entry in
            let slots = availability(from: entry.from, to: entry.to, resource: entry.resource)
            return slots.isEmpty ? nil : WaitlistOffer(entryID: entry.id, couple: entry.couple, slots: slots)
        }
    }
}
