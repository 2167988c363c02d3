import Foundation
import RetreatAgenda
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

/// An eligible request (affair ended when affair recovery is ranked).
func makeRequest(
    _ priorities: [Priority], days: Int = 3, catalog: ModuleCatalog = standardCatalog,
    adjustments: Adjustments = .none, template: DayTemplate = .standard
) -> PlanRequest {
    PlanRequest(
        priorities: priorities,
        intake: Intake(affairEnded: priorities.contains(.affairRecovery) ? true : nil, safetyScreenPassed: true),
        days: days, template: template, catalog: catalog, adjustments: adjustments
    )
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
    for pin in adjustments.pins {
        let kept =
            pin.dayIndex < agenda.days.count
            && agenda.days[pin.dayIndex].blocks.contains { $0.moduleID == pin.moduleID && $0.start == pin.start }
        if !kept { problems.append("pin \(pin.moduleID) day \(pin.dayIndex + 1) \(pin.start) not kept") }
    }
    return problems
}
