import Foundation
import Testing

@testable import RetreatICal

@Suite(.serialized) struct AgendaTests {
    func plannedBox() throws -> Sandbox {
        let box = try Sandbox()
        try box.run([
            "book", "--couple", "Jo & Max", "--start", "2027-01-11", "--priority", "communication", "--priority", "intimacy",
            "--contact", "jo@example.org,max@example.org",
        ])
        try box.run(["intake", "B0001", "--partner", "A", "--safety", "passed"])
        try box.run(["intake", "B0001", "--partner", "B", "--safety", "passed"])
        return box
    }

    @Test func plansStoresAndShowsTheContractJSON() throws {
        let box = try plannedBox()
        defer { box.cleanup() }
        let r = try box.run(["agenda", "B0001", "--json"])
        #expect(r.code == 0, "\(r.err)")
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any])
        let days = try #require(doc["days"] as? [[String: Any]])
        #expect(days.compactMap { $0["date"] as? String } == ["2027-01-11", "2027-01-12", "2027-01-13"])
        for day in days {
            let blocks = try #require(day["blocks"] as? [[String: Any]])
            #expect(Set(blocks.compactMap { $0["kind"] as? String }).isSubset(of: ["session", "break", "lunch", "reflection"]))
            #expect(blocks.filter { $0["kind"] as? String == "lunch" }.count == 1)
            #expect(blocks.allSatisfy { ($0["start"] as? String)?.count == 5 && $0["module"] is String && $0["priorities"] is [Any] })
        }
        // Stored: a second call shows the same agenda without planning again.
        #expect(try box.run(["agenda", "B0001", "--json"]).out == r.out)
        #expect(try box.run(["audit", "--id", "B0001", "--json"]).out.components(separatedBy: "agenda-plan").count == 2)
    }

    /// `retreat settings modules FILE`, as staff run it: the exit codes of the contract and the lines it prints.
    @Test func settingsModulesReplacesTheCatalogAndSaysWhatToReplan() throws {
        let box = try plannedBox()
        defer { box.cleanup() }
        #expect(try box.run(["agenda", "B0001"]).code == 0)
        let fixture = try String(contentsOf: repoRoot.appendingPathComponent("Fixtures/agenda-modules.toml"), encoding: .utf8)
        let revised = box.dir.appendingPathComponent("revised.toml")
        try fixture.replacingOccurrences(of: "title = \"Appreciation exchange", with: "title = \"Appreciation exchange (revised)")
            .write(to: revised, atomically: true, encoding: .utf8)
        let same = try box.run(["settings", "modules", repoRoot.appendingPathComponent("Fixtures/agenda-modules.toml").path])
        #expect(same.code == 0 && same.out == "the module catalog is unchanged (35 modules)\n", "\(same.out)\(same.err)")
        let dry = try box.run(["settings", "modules", revised.path, "--dry-run"])
        #expect(dry.code == 0 && dry.out.contains("would replace the module catalog") && dry.out.contains("B0001"), "\(dry.out)\(dry.err)")
        let done = try box.run(["settings", "modules", revised.path, "--json"])
        #expect(done.code == 0, "\(done.err)")
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(done.out.utf8)) as? [String: Any])
        #expect(doc["changed"] as? Bool == true && doc["staleAgendas"] as? [String] == ["B0001"] && doc["modules"] as? Int == 35)
        #expect(try box.run(["export", "B0001", "--out", box.dir.appendingPathComponent("b.ics").path]).code == 3)
        #expect(try box.run(["agenda", "B0001", "--replan"]).code == 0)
        #expect(try box.run(["export", "B0001", "--out", box.dir.appendingPathComponent("b.ics").path]).code == 0)
        // Refusals: a missing file, a directory, broken TOML (exit 1, one line naming the file).
        for (file, words) in [("nothing-here.toml", "no such file"), (".", "not a regular file")] {
            let r = try box.run(["settings", "modules", box.dir.appendingPathComponent(file).path])
            #expect(r.code == 1 && r.err.contains(words) && r.err.split(separator: "\n").count == 1, "\(r.err)")
        }
        let broken = box.dir.appendingPathComponent("broken.toml")
        try "[[module]]\nid = \"x\nbroken".write(to: broken, atomically: true, encoding: .utf8)
        let r = try box.run(["settings", "modules", broken.path])
        #expect(r.code == 1 && r.err.hasPrefix("retreat: error: broken.toml: "), "\(r.err)")
    }

    @Test func aChangeMakesTheAgendaStaleAndAStaleAgendaIsNeverExported() throws {
        let box = try plannedBox()
        defer { box.cleanup() }
        #expect(try box.run(["agenda", "B0001"]).code == 0)
        let out = box.dir.appendingPathComponent("c.ics").path
        #expect(try box.run(["export", "B0001", "--out", out]).code == 0)
        #expect(try box.run(["reschedule", "B0001", "--start", "2027-01-18"]).code == 0)
        let shown = try box.run(["agenda", "B0001"])
        #expect(shown.out.contains("STALE: the booking moved from 2027-01-11 to 2027-01-18"))
        let refused = try box.run(["export", "B0001", "--out", out])
        #expect(refused.code == 3)
        #expect(refused.err.contains("the agenda of B0001 is stale"))
        #expect(try box.run(["export", "B0001", "--invite", "--out", out]).code == 3)
        #expect(try box.run(["agenda", "B0001", "--replan"]).code == 0)
        #expect(!(try box.run(["agenda", "B0001"]).out.contains("STALE")))
        #expect(try box.run(["export", "B0001", "--force", "--out", out]).code == 0)
        // An intake answer the plan does not use (no affair recovery ranked) leaves it current...
        #expect(try box.run(["intake", "B0001", "--affair-ended", "yes"]).code == 0)
        #expect(try box.run(["export", "B0001", "--force", "--out", out]).code == 0)
        // ...a change of eligibility does the same as a move: a screen taken back and passed again.
        #expect(try box.run(["intake", "B0001", "--partner", "A", "--safety", "not-screened"]).code == 0)
        #expect(try box.run(["intake", "B0001", "--partner", "A", "--safety", "passed"]).code == 0)
        let stale = try box.run(["export", "B0001", "--force", "--out", out])
        #expect(stale.code == 3)
        #expect(stale.err.contains("stale"))
    }

    @Test func pinsAreHonouredAndKeptAcrossReplans() throws {
        let box = try plannedBox()
        defer { box.cleanup() }
        #expect(try box.run(["agenda", "B0001", "--pin", "dialogue-practice@2/09:30", "--exclude", "appreciations"]).code == 0)
        let replanned = try box.run(["agenda", "B0001", "--replan", "--json"]).out
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(replanned.utf8)) as? [String: Any])
        let days = try #require(doc["days"] as? [[String: Any]])
        let day2 = try #require(days[1]["blocks"] as? [[String: Any]])
        #expect(day2.contains { $0["module"] as? String == "dialogue-practice" && $0["start"] as? String == "09:30" })
        #expect(!replanned.contains("\"appreciations\""))
        let bad = try box.run(["agenda", "B0001", "--pin", "no-such-module@1/09:00"])
        #expect(bad.code == 64)
        #expect(bad.err.contains("unknown module \"no-such-module\""))
        let badDay = try box.run(["agenda", "B0001", "--pin", "dialogue-practice@4/09:00"])
        #expect(badDay.err.contains("day 4 is past the 3-day intensive"))
    }

    @Test func aScreenNobodyRanNeverPassesAndAffairWorkNeedsTheIntake() throws {
        let box = try Sandbox()
        defer { box.cleanup() }
        try box.run(["book", "--couple", "A", "--start", "2027-01-11", "--priority", "affair-recovery"])
        // Nothing recorded: nobody was screened, so nothing is planned.
        let unscreened = try box.run(["agenda", "B0001"])
        #expect(unscreened.code == 1)
        #expect(unscreened.err.contains("safety-screened"), "\(unscreened.err)")
        #expect(try box.run(["intake", "B0001"]).out.contains("partner A      safety screen not screened"))
        try box.run(["intake", "B0001", "--partner", "A", "--safety", "passed"])
        #expect(try box.run(["agenda", "B0001"]).code == 1)  // partner B still not screened
        try box.run(["intake", "B0001", "--partner", "B", "--safety", "failed"])
        let failed = try box.run(["agenda", "B0001"])
        #expect(failed.code == 1)
        #expect(!failed.err.contains("A "), "an error named a partner's result to a third party: \(failed.err)")
        try box.run(["intake", "B0001", "--partner", "B", "--safety", "passed"])
        // Affair recovery needs the affair's end and the hurt partner.
        let affair = try box.run(["agenda", "B0001"])
        #expect(affair.code == 1)
        #expect(affair.err.contains("affair"), "\(affair.err)")
        try box.run(["intake", "B0001", "--affair-ended", "yes", "--hurt-partner", "B"])
        #expect(try box.run(["agenda", "B0001"]).code == 0)
        let shown = try box.run(["intake", "B0001"]).out
        #expect(shown.contains("partner B      safety screen passed (recorded by tester at 2026-12-01T15:00:00Z)"))
        #expect(shown.contains("hurt partner   B"))
        // After a failed screen the planned agenda is never shown nor exported: the couple is not eligible.
        try box.run(["intake", "B0001", "--partner", "A", "--safety", "failed"])
        let notEligible = try box.run(["agenda", "B0001"])
        #expect(notEligible.code == 1 && notEligible.out.isEmpty)
        #expect(notEligible.err.contains("the couple is NOT ELIGIBLE for an intensive plan"), "\(notEligible.err)")
        #expect(notEligible.err.contains("offer individual support and a referral"))
        #expect(try box.run(["agenda", "B0001", "--json"]).code == 1)
        #expect(try box.run(["agenda", "B0001", "--as-couple"]).code == 1)
        #expect(try box.run(["export", "B0001", "--out", box.dir.appendingPathComponent("x.ics").path]).code == 3)
        #expect(try box.run(["agenda", "B0001", "--replan"]).code == 1)
        #expect(try box.run(["intake", "B0001", "--safety", "passed"]).code == 64)  // --partner is needed
    }

    @Test func modulesAndTheCouplesViewAreListed() throws {
        let box = try plannedBox()
        defer { box.cleanup() }
        let modules = try box.run(["agenda", "modules", "--json"])
        #expect(modules.code == 0, "\(modules.err)")
        #expect(modules.out.contains("\"id\" : \"intake-history\""))
        #expect(try box.run(["agenda", "B0001", "--priority", "sex"]).code == 64)
        #expect(try box.run(["agenda", "B0001", "--exclude", "no-such-module"]).code == 64)
        try box.run(["agenda", "B0001"])
        let couple = try box.run(["agenda", "B0001", "--as-couple"])
        #expect(couple.code == 0, "\(couple.err)")
        for word in ["intimacy", "communication", "affair", "mirroring", "dialogue-practice", "priorit"] {
            #expect(!couple.out.lowercased().contains(word), "the couple's view shows \(word)")
        }
        let text = try box.run(["agenda", "B0001"]).out
        #expect(text.contains("score: all clinical rules hold"))
    }

    @Test func exportedAgendaIsNeutralPrivateAndStable() throws {
        let box = try plannedBox()
        defer { box.cleanup() }
        try box.run(["agenda", "B0001"])
        let path = box.dir.appendingPathComponent("agenda.ics").path
        #expect(try box.run(["export", "B0001", "--out", path]).code == 0)
        let first = try String(contentsOfFile: path, encoding: .utf8)
        #expect(ICalValidator.problems(in: first).isEmpty)
        for word in ["intimacy", "communication", "sex", "affair", "Jo", "Max", "mirroring"] {
            #expect(!first.lowercased().contains(word.lowercased()), "the couple's calendar reveals \(word)")
        }
        let cal = try ICalendar(parsing: first)
        #expect(cal.events.count > 9)
        #expect(cal.events.allSatisfy { $0.classification == .privateClass && $0.relatedTo == ["intensive-b0001@retreat"] })
        // One reminder a day, the evening before (18:00 for a 09:00 start).
        #expect(cal.events.filter { !$0.alarms.isEmpty }.count == 3)
        #expect(cal.events.first?.alarms.first?.triggerSeconds == -15 * 3600)
        // Same UIDs on the next export; staff detail only with --detailed.
        #expect(try box.run(["export", "B0001", "--force", "--out", path]).code == 0)
        #expect(try ICalendar(contentsOf: URL(fileURLWithPath: path)).events.map(\.uid) == cal.events.map(\.uid))
        #expect(try box.run(["export", "B0001", "--detailed", "--force", "--out", path]).code == 0)
        #expect(try String(contentsOfFile: path, encoding: .utf8).contains("Serves: "))
    }

    @Test func dayTemplateComesFromThePracticeConfig() throws {
        let box = try Sandbox(initialise: false)
        defer { box.cleanup() }
        let r = try box.run([
            "init", "--config", repoRoot.appendingPathComponent("Fixtures/config/late-lunch.toml").path,
            "--modules", repoRoot.appendingPathComponent("Fixtures/agenda-modules.toml").path,
        ])
        #expect(r.code == 0, "\(r.err)")
        try box.run(["book", "--couple", "A", "--start", "2027-01-11", "--priority", "communication"])
        for partner in ["A", "B"] { try box.run(["intake", "B0001", "--partner", partner, "--safety", "passed"]) }
        let out = try box.run(["agenda", "B0001", "--json"]).out
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any])
        for day in try #require(doc["days"] as? [[String: Any]]) {
            let blocks = try #require(day["blocks"] as? [[String: Any]])
            #expect(blocks.first?["start"] as? String == "09:30")
            let lunch = try #require(blocks.first { $0["kind"] as? String == "lunch" })
            let start = try #require(lunch["start"] as? String), end = try #require(lunch["end"] as? String)
            #expect(start >= "12:45" && end <= "14:15")
            func minutes(_ t: String) -> Int { (Int(t.prefix(2)) ?? 0) * 60 + (Int(t.suffix(2)) ?? 0) }
            #expect(minutes(end) - minutes(start) == 45)
        }
    }

    @Test func theCouplesViewAndTheModuleListPrintRealLineBreaks() throws {
        let box = try plannedBox()
        defer { box.cleanup() }
        try box.run(["agenda", "B0001"])
        let couple = try box.run(["agenda", "B0001", "--as-couple"])
        #expect(couple.code == 0, "\(couple.err)")
        #expect(!couple.out.contains("\\n"), "literal \\n in \(couple.out)")
        let lines = couple.out.split(separator: "\n")
        #expect(lines.first == "Day 1, 2027-01-11")
        #expect(lines.contains("  09:00-10:30  Welcome session"))
        #expect(lines.filter { $0.hasPrefix("Day ") }.count == 3)
        let modules = try box.run(["agenda", "modules"])
        #expect(modules.code == 0)
        #expect(!modules.out.contains("\\n"))
        let moduleLines = modules.out.split(separator: "\n")
        #expect(moduleLines.count == 3 * 35)
        #expect(moduleLines.contains("    couple sees: Guided conversation"))
        #expect(moduleLines.contains { $0.hasPrefix("affair-disclosure") && $0.contains("75-135") })
    }

    @Test func repeatedOptionsAreRefusedNamingTheOption() throws {
        let box = try plannedBox()
        defer { box.cleanup() }
        for (args, option) in [
            (["intake", "B0001", "--partner", "A", "--safety", "passed", "--partner", "B"], "--partner"),
            (["intake", "B0001", "--partner", "A", "--safety", "passed", "--safety=failed"], "--safety"),
            (["intake", "B0001", "--affair-ended", "yes", "--affair-ended", "no"], "--affair-ended"),
            (["intake", "B0001", "--hurt-partner=A", "--hurt-partner", "B"], "--hurt-partner"),
            (["agenda", "B0001", "--pin", "dialogue-practice@2/09:30", "--pin", "dialogue-practice@3/09:30"], "--pin"),
            (["agenda", "B0001", "--length", "appreciations=30", "--length", "appreciations=40"], "--length"),
        ] {
            let r = try box.run(args)
            #expect(r.code == 64, "\(args): \(r.err)")
            #expect(r.err.contains(option), "\(args): \(r.err)")
        }
        // Nothing was recorded or planned by the refused calls.
        #expect(try box.run(["intake", "B0001"]).out.contains("partner B      safety screen passed"))
        #expect(try box.run(["audit", "--id", "B0001", "--json"]).out.components(separatedBy: "agenda-").count == 1)
    }

    @Test func theJSONCarriesTheRankingTheScoreAndWhetherItIsStale() throws {
        let box = try plannedBox()
        defer { box.cleanup() }
        func document() throws -> [String: Any] {
            let r = try box.run(["agenda", "B0001", "--json"])
            #expect(r.code == 0, "\(r.err)")
            return try #require(try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any])
        }
        var doc = try document()
        #expect(doc["priorities"] as? [String] == ["communication", "intimacy"])
        #expect((doc["score"] as? String)?.hasPrefix("all clinical rules hold") == true)
        #expect(doc["stale"] as? Bool == false)
        #expect(doc.keys.contains("staleReason") && doc["staleReason"] is NSNull)
        try box.run(["reschedule", "B0001", "--start", "2027-01-18"])
        doc = try document()
        #expect(doc["stale"] as? Bool == true)
        #expect(doc["staleReason"] as? String == "the booking moved from 2027-01-11 to 2027-01-18")
    }

    @Test func staffEditsBreakingARuleAreRefusedWithTheRuleActuallyBroken() throws {
        let box = try plannedBox()
        defer { box.cleanup() }
        try box.run(["agenda", "B0001"])
        for (args, rule, detail) in [
            (["--length", "appreciations=15"], "length-limits", "shorter than its clinical minimum of 20 minutes"),
            (["--length", "complaints-to-requests=80"], "length-limits", "longer than its maximum of 65 minutes"),
            (["--length", "dialogue-practice=120"], "run", "no agenda can hold"),
            (["--pin", "listening-mirroring@1/10:30"], "skill-order", "teaches listening before self-soothing has been taught"),
            (["--pin", "issue-mapping@2/10:00"], "unranked-general", "keeps it out of this couple's agenda"),
        ] {
            let r = try box.run(["agenda", "B0001"] + args)
            #expect(r.code == 3, "\(args): \(r.err)")
            #expect(r.err.contains("Rule (\(rule)):"), "\(args): \(r.err)")
            #expect(r.err.contains(detail), "\(args): \(r.err)")
        }
    }
}
