import Foundation
import RetreatAgenda
import RetreatConfig
import Testing

@Suite("Intake per partner")
struct IntakeTests {
    @Test("nothing is screened by default, and an empty intake blocks planning with a clear message")
    func defaults() {
        let intake = Intake()
        #expect(intake.partnerA == .notScreened && intake.partnerB == .notScreened)
        #expect(intake.affairEnded == .unknown && intake.hurtPartner == nil)
        #expect(intake.ineligibility(for: [.communication]) == .notScreened([.a, .b]))
        let request = PlanRequest(priorities: [.communication], intake: intake, catalog: standardCatalog)
        #expect(throws: AgendaError.ineligible(.notScreened([.a, .b]))) { try testPlanner.plan(request) }
        #expect(
            Ineligibility.notScreened([.a, .b]).description
                == "Neither partner has been safety-screened yet (violence, coercion, active addiction, acute crisis); screen each partner on their own and record the result before an intensive is planned."
        )
    }

    @Test("each partner's screen is recorded with who and when; not-screened clears them")
    func recording() {
        var intake = Intake()
        let when = Date(timeIntervalSince1970: 1_900_000_000)
        intake.record(.passed, for: .a, by: "dana", at: when)
        #expect(intake.screen(of: .a) == SafetyScreen(result: .passed, recordedBy: "dana", recordedAt: when))
        #expect(intake.screen(of: .b) == .notScreened)
        #expect(intake.ineligibility(for: [.communication]) == .notScreened([.b]))
        #expect(Ineligibility.notScreened([.b]).description.hasPrefix("Partner B has not been safety-screened yet"))
        intake.record(.failed, for: .b, by: "lee", at: when)
        #expect(intake.ineligibility(for: [.communication]) == .screenFailed([.b]))
        intake.record(.notScreened, for: .a, by: "dana", at: when)
        #expect(intake.partnerA == .notScreened)
        // A failed screen is named before a missing one.
        #expect(intake.ineligibility(for: [.communication]) == .screenFailed([.b]))
    }

    @Test("failed screens refuse any intensive, with a referral in the sentence")
    func failed() {
        var intake = screenedIntake([.communication])
        intake.record(.failed, for: .a, by: "dana", at: screenedAt)
        let request = PlanRequest(priorities: [.communication], intake: intake, catalog: standardCatalog)
        for greedy in [false, true] {
            do {
                _ = greedy ? try GreedyPlanner().plan(request) : try testPlanner.plan(request)
                Issue.record("planned with a failed screen")
            } catch {
                #expect(error == .ineligible(.screenFailed([.a])))
                #expect(error.category == .ineligible)
                #expect(error.description.contains("Partner A's safety screen did not pass"))
                #expect(error.description.contains("offer individual support and a referral"))
            }
        }
        intake.record(.failed, for: .b, by: "dana", at: screenedAt)
        #expect(Ineligibility.screenFailed([.a, .b]).description.hasPrefix("Both partners' safety screens did not pass"))
    }

    @Test("affair recovery needs the affair ended and the hurt partner recorded")
    func affairQuestions() {
        var intake = screenedIntake([.communication])
        #expect(intake.ineligibility(for: [.affairRecovery]) == .affairEndUnknown)
        intake.affairEnded = .no
        #expect(intake.ineligibility(for: [.communication, .affairRecovery]) == .affairNotEnded)
        intake.affairEnded = .yes
        #expect(intake.ineligibility(for: [.affairRecovery]) == .hurtPartnerUnknown)
        #expect(Ineligibility.hurtPartnerUnknown.description.contains("which partner is the hurt partner"))
        intake.hurtPartner = .a
        #expect(intake.ineligibility(for: [.affairRecovery]) == nil)
        // Without affair recovery ranked the affair questions do not matter.
        intake.affairEnded = .no
        intake.hurtPartner = nil
        #expect(intake.ineligibility(for: [.intimacy, .communication]) == nil)
    }

    @Test("the intake round-trips through JSON in the per-partner shape")
    func codable() throws {
        var intake = screenedIntake([.affairRecovery])
        intake.record(.failed, for: .b, by: "lee", at: screenedAt)
        let data = try JSONEncoder().encode(intake)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(Set(object.keys) == ["partnerA", "partnerB", "affairEnded", "hurtPartner"])
        #expect((object["partnerB"] as? [String: Any])?["result"] as? String == "failed")
        #expect(try JSONDecoder().decode(Intake.self, from: data) == intake)
        let unscreened = try JSONEncoder().encode(Intake())
        #expect(String(decoding: unscreened, as: UTF8.self).contains("\"not-screened\""))
        // Missing keys of the new shape take their defaults.
        #expect(try JSONDecoder().decode(Intake.self, from: Data("{}".utf8)) == Intake())
        #expect(try JSONDecoder().decode(Intake.self, from: Data("{\"affairEnded\":\"yes\"}".utf8)).affairEnded == .yes)
    }

    @Test(
        "the old shape is read, and an old passed screen counts as not screened for both partners",
        arguments: [
            ("{\"affairEnded\":true,\"safetyScreenPassed\":true}", AffairEnded.yes),
            ("{\"affairEnded\":false,\"safetyScreenPassed\":true}", .no),
            ("{\"safetyScreenPassed\":true}", .unknown),
            ("{\"affairEnded\":null,\"safetyScreenPassed\":false}", .unknown),
        ])
    func legacy(json: String, ended: AffairEnded) throws {
        let intake = try JSONDecoder().decode(Intake.self, from: Data(json.utf8))
        #expect(intake.partnerA == .notScreened && intake.partnerB == .notScreened)
        #expect(intake.affairEnded == ended && intake.hurtPartner == nil)
        #expect(intake.ineligibility(for: [.communication]) == .notScreened([.a, .b]))
    }

    /// An independent decision table for eligibility.
    func expected(_ a: ScreenResult, _ b: ScreenResult, _ ended: AffairEnded, _ hurt: Partner?, _ ranking: [Priority]) -> Ineligibility? {
        let failed = [(Partner.a, a), (.b, b)].filter { $0.1 == .failed }.map(\.0)
        if !failed.isEmpty { return .screenFailed(failed) }
        let missing = [(Partner.a, a), (.b, b)].filter { $0.1 == .notScreened }.map(\.0)
        if !missing.isEmpty { return .notScreened(missing) }
        guard ranking.contains(.affairRecovery) else { return nil }
        if ended == .no { return .affairNotEnded }
        if ended == .unknown { return .affairEndUnknown }
        return hurt == nil ? .hurtPartnerUnknown : nil
    }

    @Test("over many random intakes and rankings, planning goes ahead exactly when the intake allows it")
    func randomIntakes() throws {
        var rng = SplitMix64(seed: 11_2026)
        var planned = 0
        var refused = 0
        for _ in 0..<120 {
            let results = ScreenResult.allCases
            let a = results[Int(rng.next() % 3)]
            let b = results[Int(rng.next() % 3)]
            let ended = AffairEnded.allCases[Int(rng.next() % 3)]
            let hurt: Partner? = [Partner.a, .b, nil][Int(rng.next() % 3)]
            let ranking = randomRanking(&rng)
            var intake = Intake(affairEnded: ended, hurtPartner: hurt)
            intake.record(a, for: .a, by: "x", at: screenedAt)
            intake.record(b, for: .b, by: "y", at: screenedAt)
            let want = expected(a, b, ended, hurt, ranking)
            #expect(intake.ineligibility(for: ranking) == want)
            let request = PlanRequest(priorities: ranking, intake: intake, catalog: standardCatalog)
            if let want {
                #expect(throws: AgendaError.ineligible(want)) { try GreedyPlanner().plan(request) }
                refused += 1
            } else if planned < 12 {
                // Eligible couples get a plan that keeps every rule (a few, to keep the run short).
                let agenda = try testPlanner.plan(request)
                #expect(hardViolations(agenda, request).isEmpty)
                planned += 1
            }
        }
        #expect(refused > 60 && planned > 3)
    }
}
