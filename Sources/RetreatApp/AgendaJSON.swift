import Foundation
import RetreatAgenda
import RetreatScheduling

/// `agenda ID --json`: the agenda document of the CLI contract, with the ranking it was planned for, the
/// score in words and whether it is stale (and why); what the staff API answers for an agenda too.
public struct AgendaJSON: Encodable, Sendable {
    public var days: [AgendaDocument.Day]
    /// The booking's ranked priorities, most important first.
    public var priorities: [String]
    /// The score in words ("all clinical rules hold; ...").
    public var score: String
    /// Whether the stored agenda no longer matches the booking or the intake.
    public var stale: Bool
    /// Why it is stale; null while current.
    public var staleReason: String?

    /// The JSON of `view`.
    public init(_ view: AgendaView) {
        days = view.agenda.json(startDate: view.booking.start).days
        priorities = view.booking.priorities
        score = view.agenda.score.summary
        stale = view.staleReason != nil
        staleReason = view.staleReason
    }

    public func encode(to encoder: any Encoder) throws {
        enum Key: String, CodingKey { case days, priorities, score, stale, staleReason }
        var container = encoder.container(keyedBy: Key.self)
        try container.encode(days, forKey: .days)
        try container.encode(priorities, forKey: .priorities)
        try container.encode(score, forKey: .score)
        try container.encode(stale, forKey: .stale)
        // null while current, so scripts always find the key.
        try container.encode(staleReason, forKey: .staleReason)
    }
}
