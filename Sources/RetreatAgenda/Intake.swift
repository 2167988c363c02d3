import Foundation

/// The result of one partner's safety screen (violence, coercion, active addiction, acute crisis).
public enum ScreenResult: String, CaseIterable, Codable, Sendable {
    /// Screened, and none of the four concerns is present.
    case passed
    /// Screened, and at least one concern is present: no couples intensive now.
    case failed
    /// Nobody has screened this partner yet (the default): no planning until someone does.
    case notScreened = "not-screened"
}

/// One partner's safety screen: the result, who recorded it and when (plain values passed in).
public struct SafetyScreen: Hashable, Codable, Sendable {
    /// Passed, failed or not screened.
    public var result: ScreenResult
    /// The staff member who recorded the result; `nil` when not screened.
    public var recordedBy: String?
    /// When the result was recorded; `nil` when not screened.
    public var recordedAt: Date?

    /// Creates a screen record.
    public init(result: ScreenResult, recordedBy: String? = nil, recordedAt: Date? = nil) {
        self.result = result
        self.recordedBy = recordedBy
        self.recordedAt = recordedAt
    }

    /// No screen recorded.
    public static let notScreened = SafetyScreen(result: .notScreened)
}

/// What the intake says about the end of the affair.
public enum AffairEnded: String, CaseIterable, Codable, Sendable {
    /// The affair has ended.
    case yes
    /// The affair has not ended.
    case no
    /// The intake does not say (the default).
    case unknown
}

/// What the intake established about the couple, as far as planning is concerned: each partner's
/// safety screen, whether the affair has ended and who the hurt partner is.
///
/// Nothing here ever reaches a calendar or the staff list. Encoded as
/// `{"partnerA":{"result","recordedBy","recordedAt"},"partnerB":{…},"affairEnded":"yes|no|unknown","hurtPartner":"A"|"B"}`;
/// the decoder also reads the older shape `{"affairEnded": Bool?, "safetyScreenPassed": Bool}`.
/// An old `safetyScreenPassed: true` becomes *not screened* for both partners: the old tool recorded
/// "passed" whenever nobody gave an answer, so an old `true` cannot tell a real screen from none.
public struct Intake: Hashable, Codable, Sendable {
    /// Partner A's safety screen.
    public var partnerA: SafetyScreen
    /// Partner B's safety screen.
    public var partnerB: SafetyScreen
    /// Whether the affair has ended. Affair recovery is planned only when `.yes`.
    public var affairEnded: AffairEnded
    /// The hurt partner, recorded when affair recovery is ranked; planning affair work needs it.
    public var hurtPartner: Partner?

    /// Creates an intake record; by default nobody is screened and nothing is known about an affair.
    public init(
        partnerA: SafetyScreen = .notScreened, partnerB: SafetyScreen = .notScreened, affairEnded: AffairEnded = .unknown,
        hurtPartner: Partner? = nil
    ) {
        self.partnerA = partnerA
        self.partnerB = partnerB
        self.affairEnded = affairEnded
        self.hurtPartner = hurtPartner
    }

    /// Nothing recorded yet: both partners not screened, the affair's end unknown.
    public static let empty = Intake()

    /// The screen of `partner`.
    public func screen(of partner: Partner) -> SafetyScreen {
        partner == .a ? partnerA : partnerB
    }

    /// Records `result` for `partner`, by `staff` at `date`; `.notScreened` clears who and when.
    public mutating func record(_ result: ScreenResult, for partner: Partner, by staff: String, at date: Date) {
        let screen =
            result == .notScreened ? SafetyScreen.notScreened : SafetyScreen(result: result, recordedBy: staff, recordedAt: date)
        if partner == .a { partnerA = screen } else { partnerB = screen }
    }

    private enum CodingKeys: String, CodingKey {
        case partnerA, partnerB, affairEnded, hurtPartner, safetyScreenPassed
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        if container.contains(.safetyScreenPassed) {
            // The old shape: one shared Bool that defaulted to "passed"; it is not a per-partner screen.
            let ended = try container.decodeIfPresent(Bool.self, forKey: .affairEnded)
            self.init(affairEnded: ended.map { $0 ? .yes : .no } ?? .unknown)
            return
        }
        self.init(
            partnerA: try container.decodeIfPresent(SafetyScreen.self, forKey: .partnerA) ?? .notScreened,
            partnerB: try container.decodeIfPresent(SafetyScreen.self, forKey: .partnerB) ?? .notScreened,
            affairEnded: try container.decodeIfPresent(AffairEnded.self, forKey: .affairEnded) ?? .unknown,
            hurtPartner: try container.decodeIfPresent(Partner.self, forKey: .hurtPartner))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(partnerA, forKey: .partnerA)
        try container.encode(partnerB, forKey: .partnerB)
        try container.encode(affairEnded, forKey: .affairEnded)
        try container.encodeIfPresent(hurtPartner, forKey: .hurtPartner)
    }
}

/// Why the practice cannot plan an intensive for a couple, in a counselor's words.
public enum Ineligibility: Hashable, Sendable, CustomStringConvertible {
    /// These partners have no safety screen recorded.
    case notScreened([Partner])
    /// These partners' safety screens failed.
    case screenFailed([Partner])
    /// Affair recovery is ranked but the affair has not ended.
    case affairNotEnded
    /// Affair recovery is ranked but the intake does not say whether the affair has ended.
    case affairEndUnknown
    /// Affair recovery is ranked but the hurt partner is not recorded.
    case hurtPartnerUnknown

    /// One sentence: what stops the planning and what to do.
    public var description: String {
        switch self {
        case .notScreened(let partners):
            let who = partners.count == 2 ? "Neither partner has" : "Partner \(partners.first?.rawValue ?? "?") has not"
            return
                "\(who) been safety-screened yet (violence, coercion, active addiction, acute crisis); screen each partner on their own and record the result before an intensive is planned."
        case .screenFailed(let partners):
            let who = partners.count == 2 ? "Both partners' safety screens" : "Partner \(partners.first?.rawValue ?? "?")'s safety screen"
            return
                "\(who) did not pass (violence, coercion, active addiction or acute crisis), so a couples intensive is not safe now; offer individual support and a referral, and screen again once it is addressed."
        case .affairNotEnded:
            return
                "Affair recovery is ranked, but the intake says the affair has not ended; affair-recovery work begins only after it has ended, so remove affair recovery from the ranking or postpone the intensive."
        case .affairEndUnknown:
            return
                "Affair recovery is ranked, but the intake does not say whether the affair has ended; confirm at intake that it has ended before planning affair-recovery work, or remove affair recovery from the ranking."
        case .hurtPartnerUnknown:
            return
                "Affair recovery is ranked, but the intake does not say which partner is the hurt partner; record it (A or B) so the disclosure, the questions and the impact work are planned around the right person."
        }
    }
}

extension Intake {
    /// Why no intensive may be planned for `priorities`, or `nil` when planning may go ahead.
    /// A failed screen comes first, then a missing one, then the affair questions.
    public func ineligibility(for priorities: [Priority]) -> Ineligibility? {
        let failed = Partner.allCases.filter { screen(of: $0).result == .failed }
        if !failed.isEmpty { return .screenFailed(failed) }
        let missing = Partner.allCases.filter { screen(of: $0).result == .notScreened }
        if !missing.isEmpty { return .notScreened(missing) }
        if priorities.contains(.affairRecovery) {
            switch affairEnded {
            case .yes: break
            case .no: return .affairNotEnded
            case .unknown: return .affairEndUnknown
            }
            if hurtPartner == nil { return .hurtPartnerUnknown }
        }
        return nil
    }
}
