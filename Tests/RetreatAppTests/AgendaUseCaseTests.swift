import Foundation
import RetreatAgenda
import RetreatApp
import RetreatScheduling
import RetreatStore
import Testing

/// The agenda use cases after the counselor's review: a couple who is not eligible never sees (nor
/// has sent) an agenda, the clinical rules hold for the stored agenda, and staff edits that break
/// one are refused before anything is saved. (SQLite; the rules are pure, the store is exercised by
/// the contract tests on both stores.)
@Suite(.serialized) struct AgendaUseCaseTests {
    static let both = "Jo <jo@example.org>, max@example.org"

    /// A booking of `priorities` with both partners screened (and the affair questions answered when
    /// affair recovery is ranked), its agenda planned.
    func planned(_ priorities: [String]) throws -> (Clinic, RetreatService) {
        let c = try Clinic()
        let app = c.app()
        _ = try app.book(BookingRequest(couple: "Jo & Max", contact: Self.both, start: d("2027-01-11"), priorities: priorities))
        _ = try app.recordIntake(bookingID: "B0001", IntakeUpdate(screen: (.a, .passed)))
        let affair = priorities.contains("affair-recovery")
        _ = try app.recordIntake(
            bookingID: "B0001", IntakeUpdate(screen: (.b, .passed), affairEnded: affair ? .yes : nil, hurtPartner: affair ? .b : nil))
        _ = try app.agenda(bookingID: "B0001")
        return (c, app)
    }

    func expectNotEligible(_ body: () throws -> Void, _ why: String, sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            try body()
            Issue.record("an ineligible couple's agenda was shown", sourceLocation: sourceLocation)
        } catch {
            let error = error as? AppError
            #expect(error?.exitCode == 1, sourceLocation: sourceLocation)
            #expect(error?.message.contains("NOT ELIGIBLE for an intensive plan") == true, "\(String(describing: error))", sourceLocation: sourceLocation)
            #expect(error?.message.contains(why) == true, "\(String(describing: error))", sourceLocation: sourceLocation)
        }
    }

    @Test func aFailedScreenShowsNotEligibleInsteadOfTheStoredAgenda() throws {
        let (_, app) = try planned(["communication"])
        #expect(try app.storedAgenda(bookingID: "B0001") != nil)
        _ = try app.recordIntake(bookingID: "B0001", IntakeUpdate(screen: (.a, .failed)))
        let why = "offer individual support and a referral"
        expectNotEligible({ _ = try app.agenda(bookingID: "B0001") }, why)
        expectNotEligible({ _ = try app.storedAgenda(bookingID: "B0001") }, why)
        expectNotEligible({ _ = try app.coupleAgenda(bookingID: "B0001") }, why)
        expectNotEligible({ _ = try app.agenda(bookingID: "B0001", edits: AgendaEdits(replan: true)) }, why)
        // A screen taken back is no better.
        _ = try app.recordIntake(bookingID: "B0001", IntakeUpdate(screen: (.a, .notScreened)))
        expectNotEligible({ _ = try app.agenda(bookingID: "B0001") }, "has not been safety-screened")
        // Screened and passed again: the stored agenda is shown, stale until re-planned.
        _ = try app.recordIntake(bookingID: "B0001", IntakeUpdate(screen: (.a, .passed)))
        #expect(try app.agenda(bookingID: "B0001").staleReason == "the intake changed")
        #expect(try app.agenda(bookingID: "B0001", edits: AgendaEdits(replan: true)).staleReason == nil)
    }

    /// An answer the plan does not depend on (the affair questions for a couple who did not rank affair
    /// recovery, or the same screen recorded again) leaves the agenda current and sends the couple nothing.
    @Test func anIntakeAnswerThePlanDoesNotUseLeavesTheAgendaCurrent() throws {
        let (c, app) = try planned(["communication"])
        _ = try c.send()
        let queued = try c.outbox().count
        _ = try app.recordIntake(bookingID: "B0001", IntakeUpdate(affairEnded: .no))
        _ = try app.recordIntake(bookingID: "B0001", IntakeUpdate(screen: (.a, .passed)))
        #expect(try app.agenda(bookingID: "B0001").staleReason == nil)
        #expect(try c.outbox().count == queued, "an intake answer the plan does not use queued mail")
        // One it does use makes the agenda stale.
        _ = try app.recordIntake(bookingID: "B0001", IntakeUpdate(screen: (.b, .failed)))
        expectNotEligible({ _ = try app.agenda(bookingID: "B0001") }, "offer individual support")
    }

    /// An agenda stored while the intake said nothing (an older store whose intake now reads as "not
    /// screened") is not stale, yet must never reach the couple.
    @Test func anIneligibleCouplesAgendaIsNeverExportedOrSentEvenWhenNotStale() throws {
        let (c, app) = try planned(["communication"])
        _ = try c.send()
        try c.store.write { tx in try tx.saveIntakeJSON("{\"affairEnded\":null,\"safetyScreenPassed\":true}", bookingID: "B0001") }
        #expect(try c.store.read { try $0.agenda(bookingID: "B0001")?.staleReason } == nil)
        expectNotEligible({ _ = try app.agenda(bookingID: "B0001") }, "Neither partner has been safety-screened")
        let attempts: [() throws -> Void] = [
            { _ = try app.export(.couple(bookingID: "B0001", invite: false, detailed: false)) },
            { _ = try app.invitationFiles(EventOwner(.booking, "B0001")) },
        ]
        for attempt in attempts {
            do {
                try attempt()
                Issue.record("an ineligible couple's agenda was exported")
            } catch {
                let error = error as? AppError
                #expect(error?.exitCode == 3)
                #expect(error?.message.contains("NOT ELIGIBLE for an intensive plan") == true, "\(String(describing: error))")
            }
        }
        // The next invitation (here after a change of contact) carries the day hours only, no agenda.
        _ = try app.edit(id: "B0001", BookingEdit(contact: "max@example.org"))
        let rows = try c.outbox().filter { $0.status == .queued && $0.kind == .invitation }
        #expect(!rows.isEmpty)
        for row in rows {
            let calendar = try #require(row.calendar).replacingOccurrences(of: "\r\n ", with: "")
            #expect(!calendar.contains("Welcome session") && !calendar.contains("Reflection"), "an invitation carried the agenda")
        }
    }

    @Test func theStoredAgendaKeepsTheReviewsRules() throws {
        let (_, app) = try planned(["affair-recovery", "communication"])
        let agenda = try app.agenda(bookingID: "B0001").agenda
        let sessions = agenda.days.map { $0.blocks.filter { $0.kind == .session }.map(\.moduleID) }
        // The compact atonement chain on day 2: nothing between disclosure, impact and the trust plan.
        let day2 = sessions[1]
        let chain = try ["affair-disclosure", "affair-impact", "affair-trust-plan"].map { try #require(day2.firstIndex(of: $0)) }
        #expect(chain == Array(chain[0]...(chain[0] + 2)), "\(day2)")
        // No unranked leak: nothing for intimacy or unresolved issues.
        for id in sessions.flatMap({ $0 }) {
            #expect(!id.hasPrefix("intimacy-") && !id.hasPrefix("issue-") && id != "affair-intimacy", "\(id)")
        }
        // Homework: self-soothing after the disclosure day; day 1's practises only what day 1 taught.
        #expect(agenda.days[1].blocks.last?.moduleID == "evening-soothing")
        #expect(agenda.days[0].blocks.last?.moduleID == "evening-mirroring")
    }

    @Test func unresolvedIssuesEndInAgreements() throws {
        let (_, app) = try planned(["unresolved-issues", "intimacy"])
        let order = try app.agenda(bookingID: "B0001").agenda.days.flatMap { $0.blocks.filter { $0.kind == .session }.map(\.moduleID) }
        let agreements = try #require(order.firstIndex(of: "issue-agreements"))
        #expect(!order[(agreements + 1)...].contains { $0 == "issue-mapping" || $0 == "issue-breakthrough" })
        // The five skills are taught although communication is not ranked (their sessions are general).
        #expect(order.contains("dialogue-practice") && order.contains("listening-mirroring") && order.contains("opening-the-heart"))
    }

    @Test(arguments: [
        (["affair-recovery"], ["affair-disclosure": 60], "length-limits", "shorter than its clinical minimum of 75 minutes"),
        (["communication"], ["complaints-to-requests": 80], "length-limits", "longer than its maximum of 65 minutes"),
        (["affair-recovery"], ["affair-disclosure": 120], "run", "no agenda can hold"),
    ])
    func lengthsOutsideTheClinicalLimitsAreRefusedAndNothingIsSaved(priorities: [String], lengths: [String: Int], rule: String, detail: String) throws {
        let (c, app) = try planned(priorities)
        let before = try c.store.read { try $0.agenda(bookingID: "B0001") }
        do {
            _ = try app.agenda(bookingID: "B0001", edits: AgendaEdits(lengths: lengths))
            Issue.record("accepted \(lengths)")
        } catch {
            #expect(error.exitCode == 3)
            #expect(error.message.contains("Rule (\(rule)):"), "\(error.message)")
            #expect(error.message.contains(detail), "\(error.message)")
        }
        #expect(try c.store.read { try $0.agenda(bookingID: "B0001") } == before)
    }
}

/// Replacing the module catalog of a store in use (`retreat settings modules FILE`): the agendas planned from the
/// old one become stale and are refused for export until re-planned, and a catalog that lacks what a live
/// booking uses is refused naming it, with nothing changed. On both stores.
@Suite(.serialized) struct CatalogReplacementTests {
    static let fixture = repoRoot.appendingPathComponent("Fixtures/agenda-modules.toml")

    /// The fixture catalog with `edit` applied, written beside the clinic's store.
    func catalog(_ c: Clinic, _ name: String, _ edit: (String) -> String) throws -> String {
        let text = edit(try String(contentsOf: Self.fixture, encoding: .utf8))
        let url = c.dir.appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    /// The fixture without the [[module]] table of `id`.
    static func without(_ id: String) -> (String) -> String {
        { text in
            text.components(separatedBy: "[[module]]").filter { !$0.contains("id = \"\(id)\"\n") }.joined(separator: "[[module]]")
        }
    }

    func plannedClinic(_ kind: StoreKind) throws -> Clinic {
        let c = try Clinic(kind)
        let app = c.app()
        _ = try app.book(BookingRequest(couple: "Jo & Max", contact: AgendaUseCaseTests.both, start: d("2027-01-11"), priorities: ["communication"]))
        _ = try app.recordIntake(bookingID: "B0001", IntakeUpdate(screen: (.a, .passed)))
        _ = try app.recordIntake(bookingID: "B0001", IntakeUpdate(screen: (.b, .passed)))
        _ = try app.agenda(bookingID: "B0001")
        return c
    }

    @Test(arguments: StoreKind.allCases) func aNewCatalogMakesCurrentAgendasStaleUntilReplanned(_ kind: StoreKind) throws {
        let c = try plannedClinic(kind)
        let app = c.app()
        // The same catalog again changes nothing.
        let same = try app.replaceModuleCatalog(file: Self.fixture.path)
        #expect(!same.changed && same.staleAgendas.isEmpty && same.modules == 35)
        let revised = try catalog(c, "revised.toml") {
            $0.replacingOccurrences(of: "title = \"Appreciation exchange", with: "title = \"Appreciation exchange (revised)")
        }
        // A dry run says what would happen and writes nothing.
        let dry = try app.replaceModuleCatalog(file: revised, dryRun: true)
        #expect(dry.changed && dry.dryRun && dry.staleAgendas == ["B0001"])
        #expect(try app.agenda(bookingID: "B0001").staleReason == nil)
        let audited = try app.auditLog().count
        let done = try app.replaceModuleCatalog(file: revised)
        #expect(done.changed && !done.dryRun && done.staleAgendas == ["B0001"] && done.previousModules == 35)
        #expect(try app.agenda(bookingID: "B0001").staleReason == "the module catalog changed")
        #expect(throws: AppError.self) { _ = try app.coupleAgenda(bookingID: "B0001") }
        #expect(try app.auditLog().map(\.action).dropFirst(audited).contains("catalog-replace"))
        // Re-planned, the agenda comes from the new catalog.
        let replanned = try app.agenda(bookingID: "B0001", edits: AgendaEdits(replan: true))
        #expect(replanned.staleReason == nil)
        #expect(try app.agendaModules().contains { $0.title.hasPrefix("Appreciation exchange (revised)") })
        #expect(try !app.coupleAgenda(bookingID: "B0001").days.isEmpty)
    }

    /// Found by the attack: a catalog every module of which exists, but from which a couple still to come could
    /// not be planned (no affair-recovery sessions for a couple who ranked it) was accepted, and the couple's
    /// agenda stayed stale for good. A new layout of the same modules changes nothing; an intensive under way
    /// keeps the agenda it is being held with.
    @Test func aCatalogACoupleStillToComeCouldNotBePlannedFromIsRefused() throws {
        let c = try Clinic()
        let app = c.app()
        _ = try app.book(BookingRequest(couple: "Jo & Max", contact: AgendaUseCaseTests.both, start: d("2027-01-11"), priorities: ["affair-recovery"]))
        _ = try app.recordIntake(bookingID: "B0001", IntakeUpdate(screen: (.a, .passed)))
        _ = try app.recordIntake(bookingID: "B0001", IntakeUpdate(screen: (.b, .passed), affairEnded: .yes, hurtPartner: .b))
        _ = try app.agenda(bookingID: "B0001")
        let noAffair = try catalog(c, "no-affair.toml") { text in
            ["affair-safety", "affair-disclosure", "affair-impact", "affair-trust-plan", "affair-understanding", "affair-intimacy"]
                .reduce(text) { Self.without($1)($0) }
        }
        do {
            _ = try app.replaceModuleCatalog(file: noAffair)
            Issue.record("a catalog the couple could not be planned from was accepted")
        } catch {
            #expect(error.exitCode == 3 && error.message.contains("B0001 could not be planned from it"), "\(error.message)")
        }
        #expect(try app.agenda(bookingID: "B0001").staleReason == nil)
        let commented = try catalog(c, "commented.toml") { "# revised by the counselor\n" + $0 }
        let same = try app.replaceModuleCatalog(file: commented)
        #expect(!same.changed && same.staleAgendas.isEmpty)
        // Under way (its first day is today): not marked stale, not re-planned.
        let revised = try catalog(c, "revised.toml") {
            $0.replacingOccurrences(of: "title = \"Appreciation exchange", with: "title = \"Appreciation exchange (revised)")
        }
        let during = c.app(at: try #require(ISO8601DateFormatter().date(from: "2027-01-11T16:00:00Z")))
        #expect(try during.replaceModuleCatalog(file: revised).staleAgendas.isEmpty)
        #expect(try during.agenda(bookingID: "B0001").staleReason == nil)
    }

    @Test(arguments: StoreKind.allCases) func aCatalogLackingWhatALiveBookingUsesIsRefused(_ kind: StoreKind) throws {
        let c = try plannedClinic(kind)
        let app = c.app()
        _ = try app.agenda(bookingID: "B0001", edits: AgendaEdits(exclusions: ["appreciations"]))
        let lacking = try catalog(c, "lacking.toml", Self.without("appreciations"))
        do {
            _ = try app.replaceModuleCatalog(file: lacking)
            Issue.record("a catalog without a module a booking's adjustments name was accepted")
        } catch {
            #expect(error.exitCode == 3)
            #expect(error.message.contains("B0001 adjusts \"appreciations\", which it lacks"), "\(error.message)")
        }
        #expect(try app.agenda(bookingID: "B0001").staleReason == nil, "a refused replacement changed an agenda")
        #expect(try app.agendaModules().count == 35)
        // Once the booking no longer uses it, the catalog can go in.
        _ = try app.agenda(bookingID: "B0001", edits: AgendaEdits(resetAdjustments: true))
        #expect(try app.replaceModuleCatalog(file: lacking).modules == 34)
        // A catalog that would not plan at all (a prerequisite it lacks) is refused naming the file.
        let broken = try catalog(c, "broken.toml", Self.without("intake-history"))
        do {
            _ = try app.replaceModuleCatalog(file: broken)
            Issue.record("an incomplete catalog was accepted")
        } catch {
            #expect(error.exitCode == 1 && error.message.hasPrefix("broken.toml: "), "\(error.message)")
        }
    }
}
