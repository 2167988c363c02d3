import Foundation
import RetreatAgenda
import RetreatConfig
import RetreatScheduling

/// The package root, found from this file's path.
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

/// The committed catalog in `Fixtures/agenda-modules.toml`.
let fixtureCatalogURL = packageRoot.appendingPathComponent("Fixtures/agenda-modules.toml")

/// The fixture catalog, loaded once.
let standardCatalog: ModuleCatalog = {
    do {
        return try ModuleCatalog(contentsOf: fixtureCatalogURL)
    } catch {
        fatalError("the fixture catalog does not load: \(error)")
    }
}()

/// A search budget that keeps the debug-build test run short.
let testPlanner = AgendaPlanner(options: SearchOptions(maxEvaluations: 1_500))

func time(_ text: String) -> ClockTime {
    guard let value = ClockTime(text) else { fatalError("bad time \(text)") }
    return value
}

/// A fixed moment for intake records.
let screenedAt = Date(timeIntervalSince1970: 1_800_000_000)

/// An intake where both partners passed the safety screen; with affair recovery ranked, the affair
/// has ended and partner B is the hurt partner.
func screenedIntake(_ priorities: [Priority]) -> Intake {
    var intake = Intake()
    intake.record(.passed, for: .a, by: "counselor", at: screenedAt)
    intake.record(.passed, for: .b, by: "counselor", at: screenedAt)
    if priorities.contains(.affairRecovery) {
        intake.affairEnded = .yes
        intake.hurtPartner = .b
    }
    return intake
}

/// An eligible request (both partners screened; affair ended and hurt partner known when affair
/// recovery is ranked).
func makeRequest(
    _ priorities: [Priority], days: Int = 3, catalog: ModuleCatalog = standardCatalog,
    adjustments: Adjustments = .none, template: DayTemplate = .standard
) -> PlanRequest {
    PlanRequest(
        priorities: priorities, intake: screenedIntake(priorities), days: days, template: template, catalog: catalog,
        adjustments: adjustments)
}

/// A random ranking of 1...4 of the built-in priorities.
func randomRanking(_ rng: inout SplitMix64) -> [Priority] {
    var pool = Priority.known
    pool.shuffle(using: &rng)
    return Array(pool.prefix(Int(rng.next() % 4) + 1))
}

/// Session minutes of `priority` in `agenda`, from the catalog (not from the blocks' own fields).
func sessionMinutes(of priority: Priority, in agenda: Agenda, catalog: ModuleCatalog) -> Int {
    var total = 0
    for day in agenda.days {
        for block in day.blocks {
            guard let module = catalog.module(block.moduleID), module.kind == .session, module.serves(priority) else { continue }
            total += block.end.minutes - block.start.minutes
        }
    }
    return total
}

/// Session minutes by rank beyond what the clinical rules require, from the README's definition:
/// each session counts once, for the highest-ranked priority it serves; not counted are sessions
/// serving every priority, the atonement steps, the first session teaching each skill, and a
/// concluding session of a ranked priority with what it builds on.
func rankMinutes(_ ranking: [Priority], in agenda: Agenda, catalog: ModuleCatalog) -> [Int] {
    var required: Set<String> = []
    var stack = catalog.modules.filter { $0.kind == .session && $0.concludes && $0.priorities.contains(where: ranking.contains) }.map(\.id)
    while let id = stack.popLast() {
        if required.insert(id).inserted { stack += catalog.module(id)?.prerequisites ?? [] }
    }
    var minutes = [Int](repeating: 0, count: ranking.count)
    var taught: Set<Skill> = []
    for day in agenda.days {
        for block in day.blocks.sorted(by: { $0.start < $1.start }) {
            guard let module = catalog.module(block.moduleID), module.kind == .session else { continue }
            let firstTeaching = !Set(module.skills).isSubset(of: taught)
            taught.formUnion(module.skills)
            if firstTeaching || !module.atonement.isEmpty || module.servesAll || required.contains(module.id) { continue }
            if let rank = ranking.firstIndex(where: module.serves) { minutes[rank] += block.minutes }
        }
    }
    return minutes
}

/// An independent check of every hard rule of the brief, written from the rules themselves and
/// not from the planner's scorer. Returns one line per violation (empty when all hold).
func hardViolations(_ agenda: Agenda, _ request: PlanRequest) -> [String] {
    var problems: [String] = []
    let catalog = request.catalog
    let template = request.template
    let adjustments = request.adjustments
    func module(_ id: String) -> AgendaModule? { catalog.module(id) }
    func length(of id: String, kind: BlockKind) -> Int? {
        if let override = adjustments.durationOverrides[id] { return override }
        switch kind {
        case .lunch: return template.lunchMinutes
        case .break: return template.breakMinutes
        default: return module(id)?.minutes
        }
    }
    if agenda.days.count != request.days {
        problems.append("has \(agenda.days.count) days, wanted \(request.days)")
    }
    // Global time order for prerequisites: (day, minute).
    var firstEnd: [String: (Int, Int)] = [:]
    for (d, day) in agenda.days.enumerated() {
        for block in day.blocks {
            let key = (d, block.end.minutes)
            if let seen = firstEnd[block.moduleID], seen <= key { continue }
            firstEnd[block.moduleID] = key
        }
    }
    for (d, day) in agenda.days.enumerated() {
        let tag = "day \(d + 1)"
        let blocks = day.blocks
        if blocks != blocks.sorted(by: { $0.start < $1.start }) { problems.append("\(tag): blocks not in time order") }
        for (a, b) in zip(blocks, blocks.dropFirst()) where b.start < a.end {
            problems.append("\(tag): \(a.moduleID) overlaps \(b.moduleID)")
        }
        var lunches = 0
        var run = 0
        var contact = 0
        var previousSessionDemanding = false
        var pauseSincePreviousSession = true
        var sessions: [AgendaBlock] = []
        for block in blocks {
            guard let info = module(block.moduleID) else {
                problems.append("\(tag): unknown module \(block.moduleID)")
                continue
            }
            if info.kind != block.kind { problems.append("\(tag): \(block.moduleID) has kind \(block.kind)") }
            if block.start < template.start || block.end > template.end {
                problems.append("\(tag): \(block.moduleID) \(block.start)-\(block.end) outside the day")
            }
            if block.end.minutes - block.start.minutes != length(of: block.moduleID, kind: info.kind) {
                problems.append("\(tag): \(block.moduleID) lasts \(block.end.minutes - block.start.minutes) minutes")
            }
            if let override = adjustments.durationOverrides[block.moduleID], !(info.minimumMinutes...info.maximumMinutes).contains(override) {
                problems.append("\(tag): \(block.moduleID) lasts \(override) minutes, outside its limits")
            }
            if adjustments.excluded.contains(block.moduleID) { problems.append("\(tag): excluded \(block.moduleID) scheduled") }
            switch info.kind {
            case .lunch:
                lunches += 1
                if block.start < template.lunchWindowStart || block.end > template.lunchWindowEnd {
                    problems.append("\(tag): lunch \(block.start)-\(block.end) outside its window")
                }
                run = 0
                pauseSincePreviousSession = true
            case .break:
                run = 0
                pauseSincePreviousSession = true
            case .reflection:
                contact += block.end.minutes - block.start.minutes
            case .session:
                let minutes = block.end.minutes - block.start.minutes
                contact += minutes
                run += minutes
                if run > template.maxRunMinutes { problems.append("\(tag): \(run) minutes without a break at \(block.moduleID)") }
                if info.intensity == 3 {
                    if d == 0 { problems.append("day 1: intensity-3 \(block.moduleID)") }
                    if previousSessionDemanding && !pauseSincePreviousSession {
                        problems.append("\(tag): \(block.moduleID) follows an intensity-3 block without a break")
                    }
                }
                previousSessionDemanding = info.intensity == 3
                pauseSincePreviousSession = false
                sessions.append(block)
                for prerequisite in info.prerequisites {
                    guard let done = firstEnd[prerequisite], done <= (d, block.start.minutes) else {
                        problems.append("\(tag): \(block.moduleID) before its prerequisite \(prerequisite)")
                        continue
                    }
                }
            }
        }
        if lunches != 1 { problems.append("\(tag): \(lunches) lunches") }
        if contact > template.maxContactMinutes { problems.append("\(tag): \(contact) contact minutes") }
        if let closing = sessions.last, let info = module(closing.moduleID) {
            if info.intensity == 3 { problems.append("\(tag): ends with intensity 3 \(closing.moduleID)") }
            if !(info.calming || info.phase == .integration) { problems.append("\(tag): closes with \(closing.moduleID)") }
        } else {
            problems.append("\(tag): no sessions")
        }
        if d == 0 {
            if blocks.first.flatMap({ module($0.moduleID) })?.intake != true { problems.append("day 1 does not open with intake") }
            for partner in Partner.allCases where !sessions.contains(where: { module($0.moduleID)?.individual == partner }) {
                problems.append("day 1 has no individual time for partner \(partner.rawValue)")
            }
        }
        let lastBlock = blocks.last { $0.kind != .break && $0.kind != .lunch }
        if d == agenda.days.count - 1 {
            if lastBlock.flatMap({ module($0.moduleID) })?.planForward != true || lastBlock?.kind != .session {
                problems.append("the last day does not end with the plan forward")
            }
        } else if blocks.last?.kind != .reflection {
            problems.append("\(tag) does not end with the evening reflection")
        }
    }
    problems += clinicalViolations(agenda, request)
    for pin in adjustments.pins {
        let kept =
            pin.dayIndex < agenda.days.count
            && agenda.days[pin.dayIndex].blocks.contains { $0.moduleID == pin.moduleID && $0.start == pin.start }
        if !kept { problems.append("pin \(pin.moduleID) day \(pin.dayIndex + 1) \(pin.start) not kept") }
    }
    return problems
}

/// The clinical sequencing rules, checked independently of the planner's rule table: check-ins,
/// homework, the five skills and their order, only what the couple ranked, and affair recovery's
/// atone → attune → attach order. One line per violation.
func clinicalViolations(_ agenda: Agenda, _ request: PlanRequest) -> [String] {
    var problems: [String] = []
    let catalog = request.catalog
    let ranked = Set(request.priorities)
    // Sessions in time order with their day.
    var sessions: [(day: Int, block: AgendaBlock, module: AgendaModule)] = []
    for (d, day) in agenda.days.enumerated() {
        for block in day.blocks.sorted(by: { $0.start < $1.start }) where block.kind == .session {
            if let module = catalog.module(block.moduleID) { sessions.append((d, block, module)) }
        }
    }
    let lastDay = agenda.days.count - 1
    for (d, day) in agenda.days.enumerated() {
        let blocks = day.blocks.sorted { $0.start < $1.start }
        // Check-in opens days 2 onward and nowhere else.
        for (position, block) in blocks.enumerated() where catalog.module(block.moduleID)?.checkIn == true && (d == 0 || position > 0) {
            problems.append("day \(d + 1): check-in \(block.moduleID) at \(block.start)")
        }
        if d > 0 && catalog.module(blocks.first?.moduleID ?? "")?.checkIn != true {
            problems.append("day \(d + 1) does not open with a check-in")
        }
        // The night after a demanding day: self-soothing homework; any homework practises only what
        // has been taught by the end of that day.
        if d < lastDay {
            let demanding = blocks.contains { $0.kind == .session && catalog.module($0.moduleID)?.intensity == 3 }
            let evening = blocks.last.flatMap { catalog.module($0.moduleID) }
            if demanding && evening?.homework != .selfSoothing {
                problems.append("day \(d + 1) is demanding but its evening is \(evening?.id ?? "missing")")
            }
            let taughtByNow = Set(sessions.filter { $0.day <= d }.flatMap(\.module.skills))
            let practised: [Skill] =
                switch evening?.homework {
                case .dialogue: [.dialogue]
                case .mirroring: [.listening, .mirroring]
                case .selfSoothing: [.selfSoothing]
                case nil: []
                }
            if !Set(practised).isSubset(of: taughtByNow) {
                problems.append("day \(d + 1): homework \(evening?.id ?? "") practises a skill not taught yet")
            }
        }
        // What must follow a session the same day.
        for (position, block) in blocks.enumerated() {
            for follower in catalog.module(block.moduleID)?.followedBy ?? []
            where !blocks[(position + 1)...].contains(where: { $0.moduleID == follower }) {
                problems.append("day \(d + 1): \(block.moduleID) not followed by \(follower)")
            }
        }
    }
    // Time follows the ranking: each rank clearly more than the next (a quarter more, at least 15
    // minutes), unless neither gets any.
    let byRank = rankMinutes(request.priorities, in: agenda, catalog: catalog)
    for (higher, lower) in zip(byRank, byRank.dropFirst()) where !(higher == 0 && lower == 0) && higher < lower + max(15, (lower + 3) / 4) {
        problems.append("time not in rank order: \(byRank)")
    }
    // A ranked priority whose work the catalog concludes ends with that concluding session, after
    // its own other work (sessions serving nothing else).
    for priority in request.priorities {
        let concluding = catalog.modules.filter { $0.kind == .session && $0.concludes && $0.priorities.contains(priority) }
        guard !concluding.isEmpty else { continue }
        guard let done = sessions.firstIndex(where: { s in concluding.contains { $0.id == s.module.id } }) else {
            problems.append("\(priority.rawValue) does not end with its concluding session")
            continue
        }
        let served = Set(concluding.flatMap(\.priorities))
        for later in sessions[(done + 1)...]
        where !later.module.servesAll && !later.module.concludes && !later.module.priorities.isEmpty
            && Set(later.module.priorities).isSubset(of: served)
        {
            problems.append("\(later.module.id) reopens \(priority.rawValue) after its concluding session")
        }
    }
    // The five skills, each taught, in a teachable order.
    var firstTaught: [Skill: Int] = [:]
    for (position, session) in sessions.enumerated() {
        for skill in session.module.skills where firstTaught[skill] == nil { firstTaught[skill] = position }
    }
    for skill in Skill.allCases where firstTaught[skill] == nil { problems.append("skill \(skill.rawValue) not taught") }
    let teachable: [(Skill, Skill)] = [
        (.selfSoothing, .listening), (.selfSoothing, .mirroring), (.mirroring, .dialogue), (.listening, .openingTheHeart),
        (.mirroring, .openingTheHeart),
    ]
    for (before, after) in teachable {
        if let a = firstTaught[before], let b = firstTaught[after], !(a < b) {
            problems.append("\(after.rawValue) taught before \(before.rawValue)")
        }
    }
    // Only what the couple ranked.
    for session in sessions {
        let module = session.module
        if (module.intimate || module.touch) && !ranked.contains(.intimacy) {
            problems.append("intimacy work \(module.id) without intimacy ranked")
        }
        if (module.priorities.contains(.affairRecovery) || !module.atonement.isEmpty) && !ranked.contains(.affairRecovery) {
            problems.append("affair work \(module.id) without affair recovery ranked")
        }
        let servesRanked = module.servesAll || module.priorities.contains(where: ranked.contains)
        if !servesRanked && !module.general {
            problems.append("\(module.id) serves no ranked priority and is not general")
        }
    }
    // Repeats: once, or once a day when repeatable.
    var seen: [String: [Int]] = [:]
    for session in sessions { seen[session.module.id, default: []].append(session.day) }
    for (id, days) in seen where days.count > 1 {
        let repeatable = catalog.module(id)?.repeatable == true
        if !repeatable || Set(days).count != days.count { problems.append("\(id) repeated on days \(days)") }
    }
    // Affair recovery: every atonement step, in order, the wound opened by day 2, touch only after
    // every step, nothing framed around blame after the disclosure.
    if ranked.contains(.affairRecovery) {
        var taken: Set<AtonementStep> = []
        var disclosed = false
        for session in sessions {
            let steps = session.module.atonement
            if let lowest = steps.min() {
                let missing = AtonementStep.allCases.filter { $0 < lowest && !taken.contains($0) }
                if !missing.isEmpty { problems.append("\(session.module.id) before \(missing.map(\.rawValue))") }
                if let highest = steps.max(), taken.contains(where: { $0 > highest }) {
                    problems.append("\(session.module.id) after a later step")
                }
                if steps.contains(where: { [.disclosure, .questions, .impact].contains($0) }) && session.day > 1 {
                    problems.append("\(session.module.id) on day \(session.day + 1)")
                }
            }
            if session.module.touch && taken.count < AtonementStep.allCases.count {
                problems.append("touch \(session.module.id) before the atonement steps are done")
            }
            if disclosed && session.module.blameFraming { problems.append("blame-framed \(session.module.id) after the disclosure") }
            taken.formUnion(steps)
            if steps.contains(.disclosure) { disclosed = true }
        }
        // A compact chain: from the disclosure to the remorse and the trust plan, one day and no
        // other session in between.
        if let open = sessions.firstIndex(where: { $0.module.atonement.contains(.disclosure) }),
            let close = sessions.firstIndex(where: { $0.module.atonement.contains(.trustPlan) }), open < close
        {
            if sessions[open].day != sessions[close].day {
                problems.append("the disclosure (day \(sessions[open].day + 1)) and the trust plan (day \(sessions[close].day + 1)) are on different days")
            }
            for between in sessions[open...close] where between.module.atonement.isEmpty {
                problems.append("\(between.module.id) comes between the disclosure and the trust plan")
            }
        }
        for step in AtonementStep.allCases where !taken.contains(step) { problems.append("atonement step \(step.rawValue) missing") }
    }
    return problems
}

/// Every ranking of the four built-in priorities: the 64 orders of the non-empty subsets.
let allRankings: [[Priority]] = {
    func orders(_ pool: [Priority]) -> [[Priority]] {
        var result: [[Priority]] = []
        for (index, first) in pool.enumerated() {
            result.append([first])
            var rest = pool
            rest.remove(at: index)
            for tail in orders(rest) { result.append([first] + tail) }
        }
        return result
    }
    return orders(Priority.known)
}()
