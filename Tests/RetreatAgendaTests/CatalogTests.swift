import Foundation
import RetreatConfig
import Testing

@testable import RetreatAgenda

/// A minimal valid module in TOML.
func moduleTOML(_ id: String, prerequisites: [String] = [], extra: String = "") -> String {
    """
    [[module]]
    id = "\(id)"
    title = "Staff title of \(id)"
    client_title = "Session"
    minutes = 60
    kind = "session"
    priorities = ["communication"]
    prerequisites = [\(prerequisites.map { "\"\($0)\"" }.joined(separator: ", "))]
    \(extra)

    """
}

@Suite("Module catalog")
struct CatalogTests {
    @Test("the fixture catalog loads and covers the practice's work")
    func fixture() throws {
        let catalog = standardCatalog
        #expect(catalog.modules.count >= 25)
        let ids = Set(catalog.ids)
        for id in [
            "intake-history", "individual-partner-a", "individual-partner-b", "origins-autonomy-togetherness",
            "closeness-distance-dance", "listening-mirroring", "self-soothing", "opening-the-heart",
            "dialogue-practice", "affair-safety", "affair-disclosure", "affair-understanding", "affair-trust-plan",
            "affair-intimacy", "issue-breakthrough", "plan-forward", "break", "lunch", "evening-reflection",
        ] {
            #expect(ids.contains(id), "missing \(id)")
        }
        // One individual session for each partner.
        for partner in Partner.allCases {
            #expect(catalog.modules.filter { $0.individual == partner }.count == 1)
        }
        // Every priority is served by several modules.
        for priority in Priority.known {
            #expect(catalog.modules.filter { $0.serves(priority) }.count >= 4, "\(priority)")
        }
        // Neutral client titles: none names a topic.
        for module in catalog.modules {
            let title = module.clientTitle.lowercased()
            for word in ["affair", "sex", "intimacy", "disclosure", "trust", "issue"] {
                #expect(!title.contains(word), "\(module.id): \(module.clientTitle)")
            }
        }
        // Affair recovery: atone (safety, disclosure and questions, impact, remorse and trust plan), then
        // attune (understanding), then attach (closeness).
        let chain = ["affair-safety", "affair-disclosure", "affair-impact", "affair-trust-plan", "affair-understanding", "affair-intimacy"]
        for (earlier, later) in zip(chain, chain.dropFirst()) {
            #expect(catalog.module(later)?.prerequisites.contains(earlier) == true, "\(later) needs \(earlier)")
        }
        let steps = catalog.modules.flatMap(\.atonement)
        #expect(Set(steps) == Set(AtonementStep.allCases) && steps.count == AtonementStep.allCases.count)
        #expect(catalog.module("affair-disclosure")?.atonement == [.disclosure, .questions])
        #expect(catalog.module("affair-intimacy")?.touch == true && catalog.module("intimacy-touch")?.touch == true)
        #expect(catalog.module("beyond-the-blame-game")?.blameFraming == true)
        // The five skills of the page, each taught by a session.
        for skill in Skill.allCases {
            #expect(catalog.modules.contains { $0.kind == .session && $0.skills.contains(skill) }, "\(skill)")
        }
        // A repeatable morning check-in, and both kinds of evening homework.
        #expect(catalog.modules.filter(\.checkIn).map(\.id) == ["morning-check-in"])
        #expect(catalog.module("morning-check-in")?.repeatable == true)
        #expect(Set(catalog.modules.compactMap(\.homework)) == Set(Homework.allCases))
        // Intimacy work is flagged so that it appears only when intimacy is ranked.
        for id in ["intimacy-desire-differences", "intimacy-talking-about-sex", "intimacy-touch", "affair-intimacy"] {
            #expect(catalog.module(id)?.intimate == true, "\(id)")
        }
        #expect(catalog.module("affair-safety")?.prerequisites.contains("self-soothing") == true)
        #expect(catalog.module("intake-history")?.intake == true)
        #expect(catalog.module("plan-forward")?.planForward == true)
        #expect(catalog.module("dialogue-practice")?.repeatable == true)
    }

    @Test("a prerequisite cycle is rejected with the cycle named")
    func cycle() {
        let toml = moduleTOML("a", prerequisites: ["c"]) + moduleTOML("b", prerequisites: ["a"]) + moduleTOML("c", prerequisites: ["b"])
        #expect(throws: AgendaError.prerequisiteCycle(["a", "c", "b", "a"])) { try ModuleCatalog(toml: toml) }
        do {
            _ = try ModuleCatalog(toml: toml)
        } catch {
            #expect(error.description.contains("a -> c -> b -> a"))
            #expect(error.description.contains("remove one of these prerequisites"))
        }
    }

    @Test("an unknown prerequisite is rejected")
    func unknownPrerequisite() {
        let toml = moduleTOML("a") + moduleTOML("b", prerequisites: ["missing-one"])
        #expect(throws: AgendaError.unknownPrerequisite(module: "b", prerequisite: "missing-one")) { try ModuleCatalog(toml: toml) }
    }

    @Test("a duplicate id is rejected")
    func duplicate() {
        let toml = moduleTOML("a") + moduleTOML("a")
        #expect(throws: AgendaError.duplicateModuleID("a")) { try ModuleCatalog(toml: toml) }
        #expect(AgendaError.duplicateModuleID("a").description.contains("give each module its own id"))
    }

    @Test(
        "field checks: intensity, minutes, priorities, client titles, keys, flags",
        arguments: [
            ("intensity = 4", "intensity is 4"),
            ("intensity = 0", "intensity is 0"),
            ("flags = [\"loud\"]", "flag \"loud\" is unknown"),
            ("phase = \"middle\"", "phase \"middle\" is unknown"),
            ("time_of_day = \"noon\"", "time_of_day \"noon\" is unknown"),
            ("minuts = 4", "unknown key \"minuts\""),
            ("flags = [\"individual\"]", "partner` is missing"),
            ("partner = \"A\"", "not flagged individual"),
            ("skills = [\"juggling\"]", "skill \"juggling\" is unknown"),
            ("atonement = [\"apology\"]", "atonement step \"apology\" is unknown"),
            ("atonement = [\"disclosure\"]", "does not serve affair-recovery"),
            ("homework = \"dialogue\"", "only an evening reflection can set `homework`"),
            ("flags = [\"touch\"]", "add \"intimate\" to its flags"),
            ("flags = [\"intimate\"]", "does not serve intimacy"),
            ("flags = [\"check-in\"]", "must be repeatable"),
            ("skills = [\"dialogue\", \"dialogue\"]", "list each once"),
        ])
    func fieldChecks(extra: String, expected: String) {
        do {
            _ = try ModuleCatalog(toml: moduleTOML("a", extra: extra))
            Issue.record("accepted \(extra)")
        } catch {
            #expect(error.description.contains(expected), "\(error.description)")
        }
    }

    @Test("durations must be positive")
    func durations() {
        let toml = moduleTOML("a").replacingOccurrences(of: "minutes = 60", with: "minutes = 0")
        #expect(throws: AgendaError.invalidModule(id: "a", reason: "minutes is 0; set a length greater than 0.")) { try ModuleCatalog(toml: toml) }
    }

    @Test("unknown priorities are rejected; declared custom priorities are accepted")
    func priorities() throws {
        let unknown = moduleTOML("a").replacingOccurrences(of: "[\"communication\"]", with: "[\"grief\"]")
        do {
            _ = try ModuleCatalog(toml: unknown)
            Issue.record("accepted an unknown priority")
        } catch {
            #expect(error.description.contains("unknown priority \"grief\""))
        }
        let declared = try ModuleCatalog(toml: "custom_priorities = [\"grief\"]\n" + unknown, requireComplete: false)
        #expect(declared.modules[0].priorities == [.custom("grief")])
        #expect(declared.knownPriorities.contains(.custom("grief")))
        #expect(Priority("Affair-Recovery") == .affairRecovery)
    }

    @Test("a client title that reveals the topic is rejected")
    func revealingTitle() {
        let toml = moduleTOML("a").replacingOccurrences(of: "client_title = \"Session\"", with: "client_title = \"Affair disclosure\"")
        do {
            _ = try ModuleCatalog(toml: toml)
            Issue.record("accepted a revealing client title")
        } catch {
            #expect(error.description.contains("reveals the topic"))
        }
    }

    /// What the catalog attack slipped past the word check: invisible joiners, soft hyphens, Cyrillic look-alikes,
    /// fullwidth letters, other words for the same thing.
    @Test(
        "a client title that reveals the topic is rejected however it is written",
        arguments: [
            "Af\u{200D}fair recovery", "Af\u{00AD}fair", "Aff\u{0430}ir", "\u{FF21}\u{FF46}\u{FF46}\u{FF41}\u{FF49}\u{FF52}", "When one of you cheated",
            "Adultery and porn", "ÀFFAIR",
        ])
    func revealingTitleInDisguise(_ title: String) {
        #expect(ModuleCatalog.revealingWord(in: title) != nil, "\(title.unicodeScalars.map { String($0.value, radix: 16) })")
    }

    @Test("neutral client titles pass the word check", arguments: ["Session", "Guided conversation", "Séance", "Pause", "Lunch", "Evening reflection"])
    func neutralTitle(_ title: String) {
        #expect(ModuleCatalog.revealingWord(in: title) == nil)
    }

    @Test("a followed_by cycle and an oversized catalog are refused")
    func cyclesAndSize() throws {
        let fixture = try String(contentsOf: fixtureCatalogURL, encoding: .utf8)
        let cycle =
            fixture + """

                [[module]]
                id = "fa"
                title = "Follow A"
                client_title = "Session"
                minutes = 30
                kind = "session"
                priorities = ["communication"]
                followed_by = ["fb"]

                [[module]]
                id = "fb"
                title = "Follow B"
                client_title = "Session"
                minutes = 30
                kind = "session"
                priorities = ["communication"]
                followed_by = ["fa"]

                """
        #expect(throws: AgendaError.self) { _ = try ModuleCatalog(toml: cycle) }
        do { _ = try ModuleCatalog(toml: cycle) } catch { #expect(error.description.contains("comes back to it"), "\(error)") }
        var many = fixture
        for i in 0..<ModuleCatalog.maxModules {
            many +=
                "\n[[module]]\nid = \"extra-\(i)\"\ntitle = \"Extra \(i)\"\nclient_title = \"Session\"\nminutes = 30\nkind = \"session\"\npriorities = [\"communication\"]\n"
        }
        do {
            _ = try ModuleCatalog(toml: many)
            Issue.record("a catalog of \(ModuleCatalog.maxModules + 35) modules was accepted")
        } catch { #expect(error.description.contains("at most \(ModuleCatalog.maxModules)"), "\(error)") }
    }

    @Test("a catalog saved with CRLF line ends reads as the same catalog")
    func crlf() throws {
        let fixture = try String(contentsOf: fixtureCatalogURL, encoding: .utf8)
        let windows = fixture.replacingOccurrences(of: "\n", with: "\r\n")
        #expect(windows.utf8.contains(13))
        #expect(try ModuleCatalog(toml: windows) == ModuleCatalog(toml: fixture))
        #expect(throws: AgendaError.self) {
            _ = try ModuleCatalog(toml: fixture.replacingOccurrences(of: "title = \"Appreciation", with: "title = \"Appre\rciation"))
        }
    }

    @Test("malformed TOML names the position")
    func syntax() {
        do {
            _ = try ModuleCatalog(toml: "[[module]]\nid = \"a\nminutes = 3")
            Issue.record("accepted malformed TOML")
        } catch {
            guard case .catalogSyntax(let message) = error else {
                Issue.record("wrong error \(error)")
                return
            }
            #expect(message.contains("line 2"))
        }
    }

    @Test("a missing file is reported with its path")
    func missingFile() {
        do {
            _ = try ModuleCatalog(contentsOf: URL(fileURLWithPath: "/nonexistent/agenda.toml"))
            Issue.record("read a missing file")
        } catch {
            #expect(error.description.contains("/nonexistent/agenda.toml"))
        }
    }

    @Test("the new attributes are read from TOML; opens-day is read as check-in")
    func attributes() throws {
        let toml =
            moduleTOML("a", extra: "skills = [\"listening\", \"mirroring\"]\nflags = [\"general\", \"blame-framing\"]")
            + moduleTOML("b", extra: "repeatable = true\nflags = [\"opens-day\", \"calming\"]")
                + """
                [[module]]
                id = "c"
                title = "Evening"
                client_title = "Reflection"
                minutes = 15
                kind = "reflection"
                homework = "self-soothing"

                """
        let catalog = try ModuleCatalog(toml: toml, requireComplete: false)
        #expect(catalog.module("a")?.skills == [.listening, .mirroring])
        #expect(catalog.module("a")?.general == true && catalog.module("a")?.blameFraming == true)
        #expect(catalog.module("b")?.checkIn == true)
        #expect(catalog.module("c")?.homework == .selfSoothing)
    }

    @Test("the listing names every module with its titles, minutes, kind, priorities and flags")
    func listing() throws {
        let listing = standardCatalog.listing
        #expect(listing.map(\.id) == standardCatalog.ids)
        let disclosure = try #require(listing.first { $0.id == "affair-disclosure" })
        #expect(disclosure.clientTitle == "Guided conversation" && disclosure.minutes == 90 && disclosure.kind == .session)
        #expect(disclosure.priorities == ["affair-recovery"] && disclosure.intensity == 3)
        #expect(disclosure.flags == ["step:disclosure", "step:questions"])
        #expect(listing.first { $0.id == "intake-history" }?.priorities == ["all"])
        #expect(listing.first { $0.id == "morning-check-in" }?.flags == ["check-in", "calming", "repeatable"])
        #expect(listing.first { $0.id == "evening-soothing" }?.flags == ["homework:self-soothing"])
        #expect(listing.first { $0.id == "listening-mirroring" }?.flags == ["general", "skill:listening", "skill:mirroring"])
        #expect(disclosure.minMinutes == 75 && disclosure.maxMinutes == 135)
        #expect(listing.first { $0.id == "issue-breakthrough" }?.followedBy == ["issue-agreements"])
        let json = String(decoding: try JSONEncoder().encode(listing), as: UTF8.self)
        #expect(json.contains("\"clientTitle\":\"Welcome session\""))
        #expect(disclosure.lines.count == 3 && disclosure.lines[0].hasPrefix("affair-disclosure") && disclosure.lines[0].contains("75-135"))
        #expect(disclosure.lines[2] == "    couple sees: Guided conversation")
        #expect(disclosure.lines.allSatisfy { !$0.contains("\n") })
    }

    @Test("keeping a subset keeps catalog order and checks prerequisites")
    func keeping() throws {
        let small = try standardCatalog.keeping(["intake-history", "plan-forward", "lunch"])
        #expect(small.ids == ["intake-history", "plan-forward", "lunch"])
        #expect(throws: AgendaError.unknownPrerequisite(module: "dialogue-practice", prerequisite: "listening-mirroring")) {
            try standardCatalog.keeping(["dialogue-practice"])
        }
    }

    // MARK: What a catalog file may hold (issue 11, the counselor's review)

    /// The fixture's text with one module's table changed.
    static func fixture(changing id: String, _ change: (String) -> String) throws -> String {
        let text = try String(contentsOf: fixtureCatalogURL, encoding: .utf8)
        let start = try #require(text.range(of: "id = \"\(id)\""))
        let end = text.range(of: "[[module]]", range: start.upperBound..<text.endIndex)?.lowerBound ?? text.endIndex
        return text.replacingCharacters(in: start.lowerBound..<end, with: change(String(text[start.lowerBound..<end])))
    }

    @Test(
        "a control character or line break in a title, a couple's title or the homework is refused, naming the module and the key",
        arguments: [
            ("title = \"Line one\\nline two\"", "title", "U+000A"),
            ("title = \"\"\"Line one\nline two\"\"\"", "title", "U+000A"),
            ("client_title = \"Session\\u0007\"", "client_title", "U+0007"),
            ("client_title = \"Ses\\u202Esion\"", "client_title", "U+202E"),
            ("homework = \"self-soothing\\r\"", "homework", "U+000D"),
        ])
    func controlCharacters(line: String, key: String, named: String) throws {
        let toml = try Self.fixture(changing: "evening-soothing") { table in
            let key = line.split(separator: " ")[0]
            let kept = table.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.hasPrefix(key + " =") }
            return kept.joined(separator: "\n").replacingOccurrences(of: "kind = \"reflection\"", with: "kind = \"reflection\"\n" + line)
        }
        do {
            _ = try ModuleCatalog(toml: toml)
            Issue.record("accepted \(line)")
        } catch {
            guard case .invalidModule(let id, let reason) = error else {
                Issue.record("\(line): \(error)")
                return
            }
            #expect(id == "evening-soothing", "\(error)")
            #expect(reason.contains("`\(key)`"), "\(error)")
            #expect(reason.contains(named), "\(error)")
        }
    }

    @Test("an empty catalog, or one without a skill every couple can be taught, is refused with what to add")
    func incomplete() throws {
        for text in ["", "custom_priorities = []\n"] {
            #expect(throws: AgendaError.self) { try ModuleCatalog(toml: text) }
            do { _ = try ModuleCatalog(toml: text) } catch {
                guard case .incompleteCatalog(let sentence) = error else {
                    Issue.record("\(error)")
                    continue
                }
                #expect(sentence.contains("no modules"))
                #expect(error.category == .catalog)
            }
        }
        #expect(throws: AgendaError.self) { try ModuleCatalog(modules: []) }
        let noDialogue = try Self.fixture(changing: "dialogue-practice") { $0.replacingOccurrences(of: "skills = [\"dialogue\"]", with: "skills = []") }
        do {
            _ = try ModuleCatalog(toml: noDialogue)
            Issue.record("accepted a catalog where no session teaches dialogue")
        } catch {
            #expect(
                error.description
                    == "The module catalog is incomplete: no session teaches the skill dialogue, which every intensive teaches; add a session with skills = [\"dialogue\"] and flags = [\"general\"]."
            )
        }
        let notGeneral = try Self.fixture(changing: "dialogue-practice") { $0.replacingOccurrences(of: "flags = [\"general\"]\n", with: "") }
        do {
            _ = try ModuleCatalog(toml: notGeneral)
            Issue.record("accepted a catalog where only a communication session teaches dialogue")
        } catch {
            #expect(error.description.contains("the skill dialogue is taught only by \"dialogue-practice\", which serves only communication"), "\(error)")
            #expect(error.description.contains("flag one of them general"))
        }
        // A store's older catalog is still read (planning then says what it lacks).
        #expect(throws: Never.self) { try ModuleCatalog(toml: notGeneral, requireComplete: false) }
    }

    @Test("custom priorities: only declared ones, each a plain new name, once")
    func customPriorities() throws {
        let module = moduleTOML("a").replacingOccurrences(of: "[\"communication\"]", with: "[\"blended-family\"]")
        #expect(throws: AgendaError.self) { try ModuleCatalog(toml: module, requireComplete: false) }
        #expect(throws: Never.self) { try ModuleCatalog(toml: "custom_priorities = [\"blended-family\"]\n" + module, requireComplete: false) }
        for (declared, expected) in [
            ("[\"affair-recovery\"]", "one of the four built-in priorities"), ("[\"Blended Family\"]", "not a plain name"),
            ("[\"all\"]", "not a usable name"), ("[\"grief\", \"grief\"]", "listed twice"), ("[\"gri\\u0000ef\"]", "U+0000"),
        ] {
            do {
                _ = try ModuleCatalog(toml: "custom_priorities = \(declared)\n" + moduleTOML("a"), requireComplete: false)
                Issue.record("accepted custom_priorities = \(declared)")
            } catch {
                #expect(error.description.contains(expected), "\(declared): \(error)")
            }
        }
        // Ranking a priority nobody declared is refused naming the valid ones.
        do {
            try AgendaPlanner.validate(priorities: [.custom("sex")], catalog: standardCatalog)
            Issue.record("accepted an undeclared priority")
        } catch {
            #expect(error.category == .usage)
            #expect(error.description.contains("unresolved-issues, affair-recovery, communication, intimacy"))
        }
    }

    @Test("min_minutes and max_minutes bound the module's own length; concludes needs a specific priority")
    func lengthLimitsAndConcludes() {
        for (extra, expected) in [
            ("min_minutes = 70", "min_minutes is 70"), ("min_minutes = 0", "min_minutes is 0"), ("max_minutes = 50", "max_minutes is 50"),
            ("flags = [\"concludes\"]\nintensity = 3", "give it intensity 1 or 2"),
        ] {
            do {
                _ = try ModuleCatalog(toml: moduleTOML("a", extra: extra), requireComplete: false)
                Issue.record("accepted \(extra)")
            } catch {
                #expect(error.description.contains(expected), "\(extra): \(error)")
            }
        }
        let all = moduleTOML("a", extra: "flags = [\"concludes\"]").replacingOccurrences(of: "[\"communication\"]", with: "[\"all\"]")
        #expect(throws: AgendaError.self) { try ModuleCatalog(toml: all, requireComplete: false) }
        #expect(standardCatalog.module("issue-agreements")?.concludes == true)
        #expect(standardCatalog.module("affair-disclosure")?.minimumMinutes == 75)
        #expect(standardCatalog.module("complaints-to-requests")?.maximumMinutes == 65)
    }
}
