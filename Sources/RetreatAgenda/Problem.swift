import RetreatScheduling

/// A placed block: module index and start/end in minutes since midnight.
struct Placed: Hashable, Sendable {
    var module: Int
    var start: Int
    var end: Int
}

/// A plan request compiled to flat arrays for fast layout and scoring. The rules in `Rules.swift`
/// read it; the planners search over it.
/// Not `Sendable`: each planning call compiles its own and uses it on one thread.
final class Problem {
    let request: PlanRequest
    let modules: [AgendaModule]
    let n: Int
    let days: Int
    let ranked: [Priority]
    let index: [String: Int]

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
    let isCheckIn: [Bool]
    let closesDay: [Bool]
    let repeatable: [Bool]
    let servesAll: [Bool]
    let general: [Bool]
    let intimate: [Bool]
    let touch: [Bool]
    let blameFraming: [Bool]
    let servesAffair: [Bool]
    let servesIntimacy: [Bool]
    /// Skills taught, as a mask of `Skill.bit` (sessions only).
    let skillMask: [UInt8]
    /// Atonement steps taken, as a mask of `AtonementStep.bit` (sessions only).
    let stepMask: [UInt8]
    let homework: [Homework?]
    /// For a reflection, the skills its homework practises (`Skill.bit` mask); 0 otherwise.
    let homeworkMask: [UInt8]
    /// The shortest length a staff edit may give each module (`AgendaModule.minimumMinutes`).
    let minMinutes: [Int]
    /// Per module, the modules that must follow it on the same day (`followed_by`).
    let followers: [[Int]]
    /// The longest length a staff edit may give each module (`AgendaModule.maximumMinutes`).
    let maxMinutes: [Int]
    /// Central work of the priorities a module serves (`central`).
    let central: [Bool]
    /// Sessions concluding the work of the priorities they serve (`concludes`).
    let concludes: [Bool]
    /// Per concluding session, the sessions that are its priority's own work (serving nothing but
    /// priorities it serves): they come before it.
    let ownWork: [[Int]]
    /// The ranks (0-based) whose work the catalog concludes with a `concludes` session (before
    /// exclusions): the plan must end that work with one.
    let concludedRanks: [Int]
    /// Per session, bit `r` set when it is own work of ranked priority `r` that a concluding session
    /// of `r` closes (it comes before that session).
    let ownRanks: [UInt64]
    /// The highest rank (0-based) among the ranked priorities a module serves, or -1: the rank its
    /// time counts for.
    let topRank: [Int]
    let excluded: [Bool]
    let overridden: [Bool]
    let partner: [Partner?]
    let prerequisites: [[Int]]
    /// Per module, the modules that list it as a prerequisite.
    let dependents: [[Int]]
    /// Bit `r` set when the module serves ranked priority `r` specifically.
    let rankMask: [UInt64]

    let affairRanked: Bool
    let intimacyRanked: Bool
    /// 0-based rank of communication, if ranked.
    let communicationRank: Int?

    /// Whether the module passes every rule's module filter (`admits`) and is not excluded, and its
    /// prerequisites are candidates too.
    /// Set once, at the end of `init` (the rules' filters read the other arrays to compute it).
    private(set) var isCandidate: [Bool] = []
    /// Session modules the planners may schedule, in catalog order (set once, at the end of `init`).
    private(set) var candidates: [Int] = []
    /// `admittedOnDay[day * n + module]`: every rule's module and day filter admits the module on
    /// that day (set once, at the end of `init`).
    private(set) var admittedOnDay: [Bool] = []
    /// Minutes of skill practice the ranking asks for (set once, at the end of `init`).
    private(set) var skillTarget = 0
    /// Sessions the clinical rules require because of the ranking: a candidate concluding session of
    /// a ranked priority and the sessions it builds on (set once, at the end of `init`). With the
    /// atonement steps and the first teaching of each skill, their time is the clinical minimum,
    /// given whatever the ranking, so it does not count toward the ranking's shares.
    private(set) var inRequiredChain: [Bool] = []
    let breakModule: Int?
    let lunchModule: Int?
    /// The evening reflection for an ordinary night (dialogue homework when there is one).
    let reflectionModule: Int?
    /// The evening reflection after a demanding day (self-soothing homework), if the catalog has one.
    let soothingReflection: Int?
    /// The usable reflections for an ordinary evening, most wanted first: dialogue homework, a
    /// mirroring exercise, no homework, self-soothing.
    let evenings: [Int]

    /// Resolved pins (module index, day, start).
    let pins: [(module: Int, day: Int, start: Int)]
    /// Pins whose module is unknown (only in lenient mode).
    let unknownPins: [Pin]
    /// `pinStart[day * n + module]`: the pinned start, or -1.
    let pinStart: [Int]

    /// Compiles `request`. In strict mode the request, the adjustments and the catalog's structure
    /// are checked against the rules and problems are thrown (see `AgendaPlanner.validate`); in
    /// lenient mode (scoring any agenda) they are tolerated and show up as penalties instead.
    init(_ request: PlanRequest, strict: Bool) throws(AgendaError) {
        self.request = request
        let modules = request.catalog.modules
        self.modules = modules
        let n = modules.count
        self.n = n
        let template = request.template
        let adjustments = request.adjustments
        var index: [String: Int] = [:]
        for (position, module) in modules.enumerated() { index[module.id] = position }
        self.index = index

        if strict {
            try Problem.checkForm(request, index: index)
        }
        self.days = max(1, request.days)
        self.ranked = Array(request.priorities.prefix(64))
        affairRanked = ranked.contains(.affairRecovery)
        intimacyRanked = ranked.contains(.intimacy)
        communicationRank = ranked.firstIndex(of: .communication)

        dayStart = template.start.minutes
        dayEnd = template.end.minutes
        lunchWindowStart = template.lunchWindowStart.minutes
        lunchWindowEnd = template.lunchWindowEnd.minutes

        var excluded = [Bool](repeating: false, count: n)
        for id in adjustments.excluded {
            if let position = index[id] { excluded[position] = true }
        }
        var overridden = [Bool](repeating: false, count: n)
        var overrideMinutes = [Int?](repeating: nil, count: n)
        for (id, minutes) in adjustments.durationOverrides {
            guard let position = index[id] else { continue }
            overridden[position] = true
            overrideMinutes[position] = minutes
        }
        self.excluded = excluded
        self.overridden = overridden

        func firstModule(_ where: (AgendaModule) -> Bool) -> Int? {
            modules.indices.first { `where`(modules[$0]) && !excluded[$0] }
        }
        let breakModule = firstModule { $0.kind == .break }
        let lunchModule = firstModule { $0.kind == .lunch }
        self.breakModule = breakModule
        self.lunchModule = lunchModule
        reflectionModule =
            firstModule { $0.kind == .reflection && $0.homework == .dialogue }
            ?? firstModule { $0.kind == .reflection && $0.homework != .selfSoothing } ?? firstModule { $0.kind == .reflection }
        soothingReflection = firstModule { $0.kind == .reflection && $0.homework == .selfSoothing }
        func eveningOrder(_ homework: Homework?) -> Int {
            switch homework {
            case .dialogue: return 0
            case .mirroring: return 1
            case nil: return 2
            case .selfSoothing: return 3
            }
        }
        evenings = modules.indices.filter { modules[$0].kind == .reflection && !excluded[$0] }
            .sorted { (eveningOrder(modules[$0].homework), $0) < (eveningOrder(modules[$1].homework), $1) }
        let lunchMinutes = lunchModule.flatMap { overrideMinutes[$0] } ?? template.lunchMinutes
        let breakMinutes = breakModule.flatMap { overrideMinutes[$0] } ?? template.breakMinutes
        self.lunchMinutes = lunchMinutes
        self.breakMinutes = breakMinutes
        latestLunchStart = template.lunchWindowEnd.minutes - lunchMinutes
        maxRun = template.maxRunMinutes
        maxContact = template.maxContactMinutes

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
        let isSession = modules.map { $0.kind == .session }
        intensity = modules.map { $0.kind == .session ? $0.intensity : 1 }
        kind = modules.map(\.kind)
        phase = modules.map(\.phase.order)
        timeOfDay = modules.map(\.timeOfDay)
        calming = modules.map(\.calming)
        canClose = modules.map(\.canCloseDay)
        isIntake = modules.map { $0.kind == .session && $0.intake }
        isPlanForward = modules.map { $0.kind == .session && $0.planForward }
        isCheckIn = modules.map { $0.kind == .session && $0.checkIn }
        closesDay = modules.map { $0.kind == .session && $0.closesDay }
        repeatable = modules.map(\.repeatable)
        servesAll = modules.map(\.servesAll)
        general = modules.map(\.general)
        intimate = modules.map { $0.kind == .session && ($0.intimate || $0.touch) }
        touch = modules.map { $0.kind == .session && $0.touch }
        blameFraming = modules.map { $0.kind == .session && $0.blameFraming }
        servesAffair = modules.map { $0.kind == .session && ($0.priorities.contains(.affairRecovery) || !$0.atonement.isEmpty) }
        servesIntimacy = modules.map { $0.priorities.contains(.intimacy) }
        skillMask = modules.enumerated().map { isSession[$0.offset] ? $0.element.skills.reduce(0) { $0 | $1.bit } : 0 }
        stepMask = modules.enumerated().map { isSession[$0.offset] ? $0.element.atonement.reduce(0) { $0 | $1.bit } : 0 }
        homework = modules.map { $0.kind == .reflection ? $0.homework : nil }
        homeworkMask = modules.map { module in
            module.kind == .reflection ? (module.homework?.skills ?? []).reduce(0) { $0 | $1.bit } : 0
        }
        minMinutes = modules.map(\.minimumMinutes)
        maxMinutes = modules.map(\.maximumMinutes)
        let concludes = modules.map { $0.kind == .session && $0.concludes }
        self.concludes = concludes
        let ownWork: [[Int]] = modules.indices.map { c in
            guard concludes[c] else { return [] }
            let served = Set(modules[c].priorities)
            return modules.indices.filter { m in
                m != c && modules[m].kind == .session && !modules[m].servesAll && !modules[m].priorities.isEmpty
                    && Set(modules[m].priorities).isSubset(of: served)
            }
        }
        self.ownWork = ownWork
        let ranking = ranked
        concludedRanks = ranking.indices.filter { r in modules.indices.contains { concludes[$0] && modules[$0].priorities.contains(ranking[r]) } }
        var ownRanks = [UInt64](repeating: 0, count: n)
        for c in modules.indices where concludes[c] {
            for m in ownWork[c] { ownRanks[m] |= rankMask[c] }
        }
        self.ownRanks = ownRanks
        followers = modules.map { $0.kind == .session ? $0.followedBy.compactMap { index[$0] } : [] }
        central = modules.map { $0.kind == .session && $0.central }
        topRank = rankMask.map { $0 == 0 ? -1 : $0.trailingZeroBitCount }
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
                unknownPins.append(pin)
                continue
            }
            pins.append((module, pin.dayIndex, pin.start.minutes))
            if (0..<request.days).contains(pin.dayIndex) {
                pinStart[pin.dayIndex * n + module] = pin.start.minutes
            }
        }
        self.pins = pins
        self.unknownPins = unknownPins
        self.pinStart = pinStart

        // The candidates: sessions every rule's module filter admits, not excluded.
        let admitted = (0..<n).map { m in isSession[m] && !excluded[m] && self.admitsModule(m) }
        // A module is a candidate when every prerequisite and every module that must follow it is one too.
        var isCandidate = admitted
        var changed = true
        while changed {
            changed = false
            for position in 0..<n
            where isCandidate[position]
                && (prerequisites[position].contains(where: { !isCandidate[$0] }) || followers[position].contains(where: { !isCandidate[$0] }))
            {
                isCandidate[position] = false
                changed = true
            }
        }
        self.isCandidate = isCandidate
        self.candidates = (0..<n).filter { isCandidate[$0] }
        var admittedOnDay = [Bool](repeating: false, count: n * days)
        for d in 0..<days {
            for m in 0..<n { admittedOnDay[d * n + m] = admitted[m] && Rules.all.allSatisfy { $0.admitsOnDay?(self, m, d) ?? true } }
        }
        self.admittedOnDay = admittedOnDay
        self.skillTarget = computeSkillTarget()
        var chain = [Bool](repeating: false, count: n)
        var stack = candidates.filter { m in concludes[m] && concludedRanks.contains { rankMask[m] & (UInt64(1) << UInt64($0)) != 0 } }
        while let m = stack.popLast() {
            guard !chain[m] else { continue }
            chain[m] = true
            stack.append(contentsOf: prerequisites[m])
        }
        self.inRequiredChain = chain

        if strict {
            try checkEdits()
        }
    }

    @inline(__always)
    func pin(day: Int, module: Int) -> Int {
        day < days ? pinStart[day * n + module] : -1
    }

    /// `"\"id\""`, for sentences.
    func name(_ module: Int) -> String { "\"" + modules[module].id + "\"" }

    /// Whether no rule's module filter rejects `m` (whatever day it is on).
    func admitsModule(_ m: Int) -> Bool {
        for rule in Rules.all where rule.admits?(self, m) == false { return false }
        return true
    }

    /// Whether no rule's module or day filter rejects session `m` on day `d` and it is not excluded
    /// (from the table computed in `init`).
    @inline(__always)
    func admits(_ m: Int, onDay d: Int) -> Bool {
        d < days && admittedOnDay[d * n + m]
    }
}

// MARK: - Checking a request and its staff edits

extension Problem {
    /// The request's form: days, the ranking, the template and the module ids in the adjustments.
    fileprivate static func checkForm(_ request: PlanRequest, index: [String: Int]) throws(AgendaError) {
        let catalog = request.catalog
        try checkRanking(request.priorities, catalog: catalog)
        if !(1...14).contains(request.days) {
            throw .invalidRequest("The intensive has \(request.days) days; plan for 1 to 14 days (3 is usual).")
        }
        try request.template.validate()
        let adjustments = request.adjustments
        let valid = catalog.ids
        for id in adjustments.excluded.sorted() where index[id] == nil {
            throw .unknownModule(id, in: .exclusion, valid: valid)
        }
        let dayLength = request.template.end.minutes - request.template.start.minutes
        for (id, minutes) in adjustments.durationOverrides.sorted(by: { $0.key < $1.key }) {
            guard index[id] != nil else { throw .unknownModule(id, in: .length, valid: valid) }
            if minutes <= 0 || minutes > dayLength {
                throw .invalidAdjustment(
                    "The length override for \"\(id)\" is \(minutes) minutes; set a length between 1 and \(dayLength) minutes (the length of the day).")
            }
        }
        var seen: [(Int, Int)] = []
        for pin in adjustments.pins {
            guard let module = index[pin.moduleID] else { throw .unknownModule(pin.moduleID, in: .pin, valid: valid) }
            let name = pin.moduleID
            let info = catalog.modules[module]
            if info.kind != .session {
                throw .invalidAdjustment(
                    "\"\(name)\" is a \(info.kind.rawValue), and only sessions can be pinned; the planner places breaks, lunch and the reflection itself (change the day template to move them)."
                )
            }
            if adjustments.excluded.contains(name) {
                throw .invalidAdjustment("\"\(name)\" is both pinned and excluded; remove the pin or the exclusion.")
            }
            if !(0..<request.days).contains(pin.dayIndex) {
                throw .invalidAdjustment(
                    "\"\(name)\" is pinned to day \(pin.dayIndex + 1), but the intensive has \(request.days) days; pin it to day 1...\(request.days).")
            }
            if seen.contains(where: { $0.0 == module && ($0.1 == pin.dayIndex || !info.repeatable) }) {
                let rule = Rules.repeats
                throw .breaksRule(
                    BrokenRule(
                        rule: rule.id, sentence: rule.sentence,
                        detail: "\"\(name)\" is pinned more than once but may be given only \(info.repeatable ? "once a day" : "once")"))
            }
            seen.append((module, pin.dayIndex))
        }
    }

    /// The ranking: at least one priority, each once, each built in or declared in the catalog.
    static func checkRanking(_ priorities: [Priority], catalog: ModuleCatalog) throws(AgendaError) {
        let valid = catalog.knownPriorities.map(\.rawValue)
        for priority in priorities where !catalog.knownPriorities.contains(priority) {
            throw .unknownPriority(priority.rawValue, valid: valid)
        }
        if priorities.isEmpty {
            throw .invalidRequest("No priority is ranked; rank at least one of \(valid.joined(separator: ", ")).")
        }
        var seen = Set<Priority>()
        for priority in priorities where !seen.insert(priority).inserted {
            throw .invalidRequest("Priority \"\(priority.rawValue)\" is ranked twice; rank each priority once.")
        }
        if priorities.count > 64 {
            throw .invalidRequest("\(priorities.count) priorities are ranked; rank at most 64.")
        }
    }

    /// Refuses staff edits that break a rule on their own (a pinned module a rule keeps out, a pin on
    /// a day a rule forbids, pins that overlap or leave the day, a length no agenda can hold, an
    /// exclusion of something a rule needs), and catalogs that lack what a rule needs.
    fileprivate func checkEdits() throws(AgendaError) {
        func broken(_ rule: AgendaRule, _ detail: String) -> AgendaError {
            .breaksRule(BrokenRule(rule: rule.id, sentence: rule.sentence, detail: detail))
        }
        // Lengths: never below a module's minimum, and a break, lunch or evening must fit a day.
        let dayLength = dayEnd - dayStart
        for (id, minutes) in request.adjustments.durationOverrides.sorted(by: { $0.key < $1.key }) {
            guard let m = index[id] else { continue }
            if minutes < minMinutes[m] {
                throw broken(
                    Rules.lengthLimits,
                    "the length override makes \(name(m)) last \(minutes) minutes, shorter than its clinical minimum of \(minMinutes[m]) minutes")
            }
            // A session longer than a run without a break breaks that rule first (checked below).
            if minutes > maxMinutes[m] && (kind[m] != .session || minutes <= maxRun) {
                throw broken(
                    Rules.lengthLimits,
                    "the length override makes \(name(m)) last \(minutes) minutes, longer than its maximum of \(maxMinutes[m]) minutes")
            }
            guard kind[m] != .session, !excluded[m] else { continue }
            let others = kind[m] == .lunch ? 0 : lunchMinutes
            if duration[m] + others > dayLength {
                throw broken(
                    Rules.dayBounds,
                    "the length override makes \(name(m)) last \(duration[m]) minutes, which no day of \(clockText(dayStart))-\(clockText(dayEnd)) can hold\(others > 0 ? " with its lunch" : "")"
                )
            }
            if kind[m] == .reflection && days > 1 {
                // The least contact a day before the last holds: day 1's intake and time alone with
                // each partner, or a later day's check-in.
                func shortest(_ test: (Int) -> Bool) -> Int { candidates.filter(test).map { duration[$0] }.min() ?? 0 }
                let firstDay = shortest { isIntake[$0] } + Partner.allCases.reduce(0) { total, who in total + shortest { partner[$0] == who } }
                let least = min(firstDay, shortest { isCheckIn[$0] })
                if duration[m] + least > maxContact {
                    throw broken(
                        Rules.contact,
                        "the length override makes the evening \(name(m)) last \(duration[m]) minutes; with the least a day holds (\(least) minutes) that is more than the \(maxContact) minutes of contact a day allows"
                    )
                }
            }
        }
        // Pins: the pinned module and day must pass every rule's filters.
        for pin in pins {
            let m = pin.module
            for rule in Rules.all {
                if rule.admits?(self, m) == false {
                    let cause = overridden[m] ? " at its new length of \(duration[m]) minutes" : ""
                    throw broken(rule, "\(name(m)) is pinned to day \(pin.day + 1)\(cause), but this rule keeps it out of this couple's agenda")
                }
                if rule.admitsOnDay?(self, m, pin.day) == false {
                    throw broken(rule, "\(name(m)) is pinned to day \(pin.day + 1), a day this rule keeps it off")
                }
            }
            // What it builds on and what must follow it must be plannable too.
            if let q = prerequisites[m].first(where: { !isCandidate[$0] }) {
                throw broken(
                    Rules.prerequisite, "\(name(m)) is pinned to day \(pin.day + 1), but it builds on \(name(q)), which cannot be planned for this couple")
            }
            if let f = followers[m].first(where: { !isCandidate[$0] }) {
                throw broken(
                    Rules.followedBy,
                    "\(name(m)) is pinned to day \(pin.day + 1), but \(name(f)), which must follow it that day, cannot be planned for this couple")
            }
        }
        // The pins of one day alone, with a break in every gap where one fits: what breaks a rule of
        // `Rules.pinChecked` there breaks it in every agenda keeping these pins.
        for d in 0..<days {
            let pinned = pins.filter { $0.day == d }.map { Placed(module: $0.module, start: $0.start, end: $0.start + duration[$0.module]) }
                .sorted { ($0.start, $0.module) < ($1.start, $1.module) }
            guard !pinned.isEmpty else { continue }
            var blocks: [Placed] = []
            for block in pinned {
                if let pause = breakModule, let last = blocks.last, block.start - last.end >= breakMinutes {
                    blocks.append(Placed(module: pause, start: last.end, end: last.end + breakMinutes))
                }
                blocks.append(block)
            }
            for rule in Rules.pinChecked {
                var tally = Tally(explain: true)
                rule.checkDay?(self, DayView(index: d, blocks: blocks, open: true), &tally)
                if let first = tally.penalties.first { throw broken(rule, "with the pins alone, " + first.sentence) }
            }
        }
        // Length overrides that make a module unusable.
        if request.adjustments.durationOverrides.count > 0 {
            let plain = try Problem.withoutAdjustments(request)
            for m in 0..<n where overridden[m] && kind[m] == .session && plain.admitsModule(m) {
                for rule in Rules.all where rule.admits?(self, m) == false {
                    throw broken(rule, "the length override makes \(name(m)) last \(duration[m]) minutes, which no agenda can hold")
                }
            }
        }
        // What the rules need from the catalog, after the staff's exclusions and lengths.
        for rule in Rules.all {
            guard let missing = rule.requirement?(self) else { continue }
            if request.adjustments == .none {
                throw .unplannable(missing)
            }
            let plain = try Problem.withoutAdjustments(request)
            if let alsoMissing = rule.requirement?(plain) {
                throw .unplannable(alsoMissing)
            }
            throw broken(rule, "with the staff's exclusions and lengths, " + missing.prefix(1).lowercased() + missing.dropFirst())
        }
    }

    /// The same request without staff edits, compiled leniently (to tell what the edits broke).
    static func withoutAdjustments(_ request: PlanRequest) throws(AgendaError) -> Problem {
        var plain = request
        plain.adjustments = .none
        return try Problem(plain, strict: false)
    }
}
