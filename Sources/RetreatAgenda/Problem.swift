import RetreatScheduling

/// A placed block: module index and start/end in minutes since midnight.
struct Placed: Hashable, Sendable {
    var module: Int
    var start: Int
    var end: Int
}

/// A plan request compiled to flat arrays for fast layout and scoring.
final class Problem: Sendable {
    let request: PlanRequest
    let modules: [AgendaModule]
    let n: Int
    let days: Int
    let ranked: [Priority]

    let dayStart: Int
    let dayEnd: Int
    let lunchWindowStart: Int
    let lunchWindowEnd: Int
    let latestLunchStart: Int
    let lunchMinutes: Int
    let breakMinutes: Int
    let maxRun: Int
    let maxContact: Int

    let duration: [Int]
    let intensity: [Int]
    let kind: [BlockKind]
    let phase: [Int]
    let timeOfDay: [TimeOfDay]
    let calming: [Bool]
    let canClose: [Bool]
    let isIntake: [Bool]
    let isPlanForward: [Bool]
    let opensDay: [Bool]
    let closesDay: [Bool]
    let repeatable: [Bool]
    let servesAll: [Bool]
    let excluded: [Bool]
    let overridden: [Bool]
    let partner: [Partner?]
    let prerequisites: [[Int]]
    /// Per module, the modules that list it as a prerequisite.
    let dependents: [[Int]]
    /// Bit `r` set when the module serves ranked priority `r` specifically.
    let rankMask: [UInt64]

    let isCandidate: [Bool]
    /// Whether the module is a (transitive) prerequisite of work on a ranked priority.
    let supporting: [Bool]
    /// Session modules the planners may schedule, in catalog order.
    let candidates: [Int]
    let breakModule: Int?
    let lunchModule: Int?
    let reflectionModule: Int?

    /// Resolved pins (module index, day, start).
    let pins: [(module: Int, day: Int, start: Int)]
    /// Pins whose module is unknown (only in lenient mode).
    let unknownPins: [Pin]
    /// `pinStart[day * n + module]`: the pinned start, or -1.
    let pinStart: [Int]

    let index: [String: Int]

    /// Compiles `request`. In strict mode every adjustment and the catalog's structure are checked
    /// and problems are thrown; in lenient mode (scoring any agenda) they are tolerated and show up
    /// as penalties instead.
    init(_ request: PlanRequest, strict: Bool) throws(AgendaError) {
        self.request = request
        let modules = request.catalog.modules
        self.modules = modules
        let n = modules.count
        self.n = n
        let template = request.template
        let adjustments = request.adjustments

        if strict {
            if !(1...14).contains(request.days) {
                throw .invalidRequest("The intensive has \(request.days) days; plan for 1 to 14 days (3 is usual).")
            }
            if request.priorities.isEmpty {
                throw .invalidRequest("No priority is ranked; rank at least one priority (unresolved-issues, affair-recovery, communication or intimacy).")
            }
            var seen = Set<Priority>()
            for priority in request.priorities where !seen.insert(priority).inserted {
                throw .invalidRequest("Priority \"\(priority.rawValue)\" is ranked twice; rank each priority once.")
            }
            if request.priorities.count > 64 {
                throw .invalidRequest("\(request.priorities.count) priorities are ranked; rank at most 64.")
            }
            try template.validate()
        }
        self.days = max(1, request.days)
        self.ranked = Array(request.priorities.prefix(64))

        dayStart = template.start.minutes
        dayEnd = template.end.minutes
        lunchWindowStart = template.lunchWindowStart.minutes
        lunchWindowEnd = template.lunchWindowEnd.minutes

        var index: [String: Int] = [:]
        for (position, module) in modules.enumerated() { index[module.id] = position }
        self.index = index

        // Exclusions and overrides.
        var excluded = [Bool](repeating: false, count: n)
        for id in adjustments.excluded.sorted() {
            if let position = index[id] {
                excluded[position] = true
            } else if strict {
                throw .invalidAdjustment("Excluded module \"\(id)\" is not in the catalog; check the id against the catalog.")
            }
        }
        var overridden = [Bool](repeating: false, count: n)
        var overrideMinutes = [Int?](repeating: nil, count: n)
        for (id, minutes) in adjustments.durationOverrides.sorted(by: { $0.key < $1.key }) {
            guard let position = index[id] else {
                if strict {
                    throw .invalidAdjustment("The length override names module \"\(id)\", which is not in the catalog; check the id against the catalog.")
                }
                continue
            }
            if strict && (minutes <= 0 || minutes > dayEnd - dayStart) {
                throw .invalidAdjustment(
                    "The length override for \"\(id)\" is \(minutes) minutes; set a length between 1 and \(dayEnd - dayStart) minutes (the length of the day).")
            }
            overridden[position] = true
            overrideMinutes[position] = minutes
        }
        self.excluded = excluded
        self.overridden = overridden

        func firstModule(of kind: BlockKind) -> Int? {
            modules.indices.first { modules[$0].kind == kind && !excluded[$0] }
        }
        let breakModule = firstModule(of: .break)
        let lunchModule = firstModule(of: .lunch)
        let reflectionModule = firstModule(of: .reflection)
        self.breakModule = breakModule
        self.lunchModule = lunchModule
        self.reflectionModule = reflectionModule
        let lunchMinutes = lunchModule.flatMap { overrideMinutes[$0] } ?? template.lunchMinutes
        let breakMinutes = breakModule.flatMap { overrideMinutes[$0] } ?? template.breakMinutes
        self.lunchMinutes = lunchMinutes
        self.breakMinutes = breakMinutes
        latestLunchStart = template.lunchWindowEnd.minutes - lunchMinutes
        maxRun = template.maxRunMinutes
        maxContact = template.maxContactMinutes
        if strict && lunchModule != nil && template.lunchWindowEnd.minutes - template.lunchWindowStart.minutes < lunchMinutes {
            throw .invalidAdjustment(
                "Lunch now lasts \(lunchMinutes) minutes, longer than the lunch window \(template.lunchWindowStart)-\(template.lunchWindowEnd); shorten lunch or widen the window."
            )
        }

        var duration: [Int] = []
        var rankMask: [UInt64] = []
        for (position, module) in modules.enumerated() {
            switch module.kind {
            case .break: duration.append(breakMinutes)
            case .lunch: duration.append(lunchMinutes)
            case .session, .reflection: duration.append(overrideMinutes[position] ?? module.minutes)
            }
            var mask: UInt64 = 0
            for (rank, priority) in ranked.enumerated() where module.priorities.contains(priority) {
                mask |= UInt64(1) << UInt64(rank)
            }
            rankMask.append(mask)
        }
        self.duration = duration
        self.rankMask = rankMask
        intensity = modules.map(\.intensity)
        kind = modules.map(\.kind)
        phase = modules.map(\.phase.order)
        timeOfDay = modules.map(\.timeOfDay)
        calming = modules.map(\.calming)
        canClose = modules.map(\.canCloseDay)
        isIntake = modules.map { $0.kind == .session && $0.intake }
        isPlanForward = modules.map { $0.kind == .session && $0.planForward }
        opensDay = modules.map { $0.kind == .session && $0.opensDay }
        closesDay = modules.map { $0.kind == .session && $0.closesDay }
        repeatable = modules.map(\.repeatable)
        servesAll = modules.map(\.servesAll)
        partner = modules.map { $0.kind == .session ? $0.individual : nil }
        let prerequisites = modules.map { $0.prerequisites.compactMap { index[$0] } }
        self.prerequisites = prerequisites
        var dependents = [[Int]](repeating: [], count: n)
        for (position, list) in prerequisites.enumerated() {
            for q in list { dependents[q].append(position) }
        }
        self.dependents = dependents

        // Pins.
        var pins: [(module: Int, day: Int, start: Int)] = []
        var unknownPins: [Pin] = []
        var pinStart = [Int](repeating: -1, count: n * max(1, request.days))
        for pin in adjustments.pins {
            guard let module = index[pin.moduleID] else {
                if strict {
                    throw .invalidAdjustment("Pinned module \"\(pin.moduleID)\" is not in the catalog; check the id against the catalog.")
                }
                unknownPins.append(pin)
                continue
            }
            let start = pin.start.minutes
            if strict {
                let name = pin.moduleID
                if modules[module].kind != .session {
                    throw .invalidAdjustment(
                        "\"\(name)\" is a \(modules[module].kind.rawValue), and only sessions can be pinned; the planner places breaks, lunch and the reflection itself (change the day template to move them)."
                    )
                }
                if excluded[module] {
                    throw .invalidAdjustment("\"\(name)\" is both pinned and excluded; remove the pin or the exclusion.")
                }
                if !(0..<request.days).contains(pin.dayIndex) {
                    throw .invalidAdjustment(
                        "\"\(name)\" is pinned to day \(pin.dayIndex + 1), but the intensive has \(request.days) days; pin it to day 1...\(request.days).")
                }
                if start < dayStart || start + duration[module] > dayEnd {
                    throw .invalidAdjustment(
                        "\"\(name)\" pinned at \(pin.start) would run outside the day \(template.start)-\(template.end); pin it to start between \(template.start) and \(ClockTime.clamped(dayEnd - duration[module]))."
                    )
                }
                if pin.dayIndex == 0 && modules[module].intensity == 3 {
                    throw .invalidAdjustment("\"\(name)\" has intensity 3 and cannot be on day 1; pin it to a later day.")
                }
                if pins.contains(where: { $0.module == module && ($0.day == pin.dayIndex || !modules[module].repeatable) }) {
                    throw .invalidAdjustment(
                        "\"\(name)\" is pinned more than once but may appear only \(modules[module].repeatable ? "once a day" : "once"); keep one pin.")
                }
                if let other = pins.first(where: { $0.day == pin.dayIndex && $0.start < start + duration[module] && start < $0.start + duration[$0.module] }) {
                    throw .invalidAdjustment(
                        "The pins of \"\(name)\" and \"\(modules[other.module].id)\" overlap on day \(pin.dayIndex + 1); move one of them.")
                }
            }
            pins.append((module, pin.dayIndex, start))
            if (0..<request.days).contains(pin.dayIndex) {
                pinStart[pin.dayIndex * n + module] = start
            }
        }
        self.pins = pins
        self.unknownPins = unknownPins
        self.pinStart = pinStart

        // Candidates: sessions not excluded and no longer than a run; affair work only when affair
        // recovery is ranked; serving a ranked priority or all, or a (transitive) prerequisite of
        // such a module ("supporting", e.g. listening before dialogue); prerequisites themselves
        // candidates. Pinned modules (and their prerequisites) are always candidates.
        let affairRanked = ranked.contains(.affairRecovery)
        var usable = [Bool](repeating: false, count: n)
        for position in 0..<n {
            let module = modules[position]
            guard module.kind == .session, !excluded[position], duration[position] <= maxRun else { continue }
            usable[position] = affairRanked || !module.priorities.contains(.affairRecovery)
        }
        var supporting = [Bool](repeating: false, count: n)
        var pending = (0..<n).filter { usable[$0] && (modules[$0].servesAll || rankMask[$0] != 0) }
        while let next = pending.popLast() {
            for q in prerequisites[next] where usable[q] && !supporting[q] {
                supporting[q] = true
                pending.append(q)
            }
        }
        self.supporting = supporting
        var isCandidate = [Bool](repeating: false, count: n)
        for position in 0..<n where usable[position] {
            isCandidate[position] = modules[position].servesAll || rankMask[position] != 0 || supporting[position]
        }
        var forced = [Bool](repeating: false, count: n)
        var stack = pins.map(\.module)
        while let next = stack.popLast() {
            if forced[next] { continue }
            forced[next] = true
            stack.append(contentsOf: prerequisites[next])
        }
        for position in 0..<n where forced[position] && modules[position].kind == .session && !excluded[position] {
            isCandidate[position] = true
        }
        var changed = true
        while changed {
            changed = false
            for position in 0..<n where isCandidate[position] && !forced[position] {
                if prerequisites[position].contains(where: { !isCandidate[$0] }) {
                    isCandidate[position] = false
                    changed = true
                }
            }
        }
        self.isCandidate = isCandidate
        self.candidates = (0..<n).filter { isCandidate[$0] }

        if strict {
            try checkStructure()
        }
    }

    /// Throws `.unplannable` when, after exclusions, a module every agenda needs is missing.
    private func checkStructure() throws(AgendaError) {
        func missing(_ what: String, _ fix: String) -> AgendaError {
            .unplannable("The catalog has no usable \(what) (after exclusions); \(fix)")
        }
        if lunchModule == nil {
            throw missing("lunch module", "add a module with kind = \"lunch\" or remove its exclusion.")
        }
        if breakModule == nil {
            throw missing("break module", "add a module with kind = \"break\" or remove its exclusion.")
        }
        if days > 1 && reflectionModule == nil {
            throw missing("evening reflection", "add a module with kind = \"reflection\" or remove its exclusion.")
        }
        if !candidates.contains(where: { isIntake[$0] }) {
            throw missing(
                "intake and history session to open day 1", "add a session with flags = [\"intake\"] (at most \(maxRun) minutes long) or remove its exclusion.")
        }
        if !candidates.contains(where: { isPlanForward[$0] && canClose[$0] }) {
            throw missing(
                "plan-forward session to end the last day", "add a calming or integration session with flags = [\"plan-forward\"] or remove its exclusion.")
        }
        for who in Partner.allCases where !candidates.contains(where: { partner[$0] == who }) {
            throw missing(
                "individual session for partner \(who.rawValue)",
                "add a session with flags = [\"individual\"] and partner = \"\(who.rawValue)\" or remove its exclusion.")
        }
        if days > 1 && !candidates.contains(where: { canClose[$0] && !isPlanForward[$0] }) {
            throw missing(
                "calming or integration session to close days 1...\(days - 1)", "add a session with flags = [\"calming\"] or phase = \"integration\".")
        }
    }

    @inline(__always)
    func pin(day: Int, module: Int) -> Int {
        day < days ? pinStart[day * n + module] : -1
    }
}

/// Lays out one day from an ordered list of session modules: inserts lunch in its window, a break
/// before any session that would exceed the longest run or follow a demanding block back to back,
/// honours pinned start times, and appends the evening reflection on every day but the last.
struct DayBuilder {
    let problem: Problem
    let day: Int
    var t: Int
    var run = 0
    var lunchDone = false
    var previousDemanding = false
    var contact = 0
    var blocks: [Placed] = []

    init(problem: Problem, day: Int) {
        self.problem = problem
        self.day = day
        self.t = problem.dayStart
        blocks.reserveCapacity(16)
    }

    mutating func add(_ module: Int) {
        let p = problem
        let length = p.duration[module]
        let pinned = p.pin(day: day, module: module)
        let demanding = p.intensity[module] == 3
        var needBreak = run > 0 && (run + length > p.maxRun || (previousDemanding && demanding))
        if !lunchDone, let lunch = p.lunchModule {
            var start = t + (needBreak ? p.breakMinutes : 0)
            if pinned >= 0 { start = max(start, pinned) }
            if t >= p.lunchWindowStart || start + length > p.latestLunchStart {
                let lunchStart = max(t, p.lunchWindowStart)
                blocks.append(Placed(module: lunch, start: lunchStart, end: lunchStart + p.lunchMinutes))
                t = lunchStart + p.lunchMinutes
                lunchDone = true
                run = 0
                previousDemanding = false
                needBreak = false
            }
        }
        if needBreak, let pause = p.breakModule {
            blocks.append(Placed(module: pause, start: t, end: t + p.breakMinutes))
            t += p.breakMinutes
            run = 0
            previousDemanding = false
        }
        let start = pinned > t ? pinned : t
        blocks.append(Placed(module: module, start: start, end: start + length))
        t = start + length
        run += length
        contact += length
        previousDemanding = demanding
    }

    /// Adds lunch if it is still missing and the evening reflection (not on the last day).
    mutating func finish() -> [Placed] {
        let p = problem
        if !lunchDone, let lunch = p.lunchModule {
            let lunchStart = max(t, p.lunchWindowStart)
            blocks.append(Placed(module: lunch, start: lunchStart, end: lunchStart + p.lunchMinutes))
            t = lunchStart + p.lunchMinutes
            lunchDone = true
        }
        if day < p.days - 1, let reflection = p.reflectionModule {
            let length = p.duration[reflection]
            blocks.append(Placed(module: reflection, start: t, end: t + length))
            t += length
            contact += length
        }
        return blocks
    }
}

extension Problem {
    /// Lays out every day of `state` (one ordered list of session modules per day).
    func layout(_ state: [[Int]]) -> [[Placed]] {
        state.enumerated().map { layoutDay($0.offset, $0.element) }
    }

    func layoutDay(_ day: Int, _ items: [Int]) -> [Placed] {
        var builder = DayBuilder(problem: self, day: day)
        for item in items { builder.add(item) }
        return builder.finish()
    }

    /// Converts laid-out days into a public agenda.
    func agenda(from days: [[Placed]], score: Score) -> Agenda {
        Agenda(
            days: days.enumerated().map { day in
                AgendaDay(
                    index: day.offset,
                    blocks: day.element.map { block in
                        let module = modules[block.module]
                        return AgendaBlock(
                            start: .clamped(block.start), end: .clamped(block.end), kind: module.kind,
                            moduleID: module.id, staffTitle: module.staffTitle, clientTitle: module.clientTitle,
                            priorities: module.priorities, intensity: module.kind == .session ? module.intensity : 1
                        )
                    })
            }, score: score)
    }
}
