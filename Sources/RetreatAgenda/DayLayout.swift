// Day layout: from an ordered list of sessions to timed blocks with breaks, lunch and the evening
// reflection. The planners share it; the exhaustive search also places breaks and lunch itself.

/// Lays out one day. `add` places a session and inserts lunch in its window and a break before any
/// session that would exceed the longest run or follow a demanding block back to back; the
/// `append…` calls place exactly what they are told (the exhaustive search chooses where breaks
/// and lunch go). Pinned sessions start at their pinned time. `finish` adds lunch if it is still
/// missing and, on every day but the last, the evening reflection: self-soothing homework after a
/// demanding day, otherwise the homework practising the most the couple has been taught by then
/// (a dialogue once dialogue is taught, a mirroring exercise once listening and mirroring are).
struct DayBuilder {
    let problem: Problem
    let day: Int
    var t: Int
    var run = 0
    var lunchDone = false
    var previousDemanding = false
    var demandingDay = false
    var contact = 0
    /// Skills taught so far in the intensive, this day's sessions included (`Skill.bit` mask).
    var taught: UInt8
    var blocks: [Placed] = []

    /// A builder for `day`, after days that taught the skills in `taught`.
    init(problem: Problem, day: Int, taught: UInt8 = 0) {
        self.problem = problem
        self.day = day
        self.t = problem.dayStart
        self.taught = taught
        blocks.reserveCapacity(16)
    }

    /// Places session `module`, with the lunch and break it needs before it.
    mutating func add(_ module: Int) {
        let p = problem
        let length = p.duration[module]
        let pinned = p.pin(day: day, module: module)
        let demanding = p.intensity[module] == 3
        var needBreak = run > 0 && (run + length > p.maxRun || (previousDemanding && demanding))
        if !lunchDone && p.lunchModule != nil {
            var start = t + (needBreak ? p.breakMinutes : 0)
            if pinned >= 0 { start = max(start, pinned) }
            if t >= p.lunchWindowStart || start + length > p.latestLunchStart {
                appendLunch()
                needBreak = false
            }
        }
        if needBreak { appendBreak() }
        appendSession(module)
    }

    /// Places session `module` now (or at its pinned start, if later).
    mutating func appendSession(_ module: Int) {
        let p = problem
        let length = p.duration[module]
        let pinned = p.pin(day: day, module: module)
        let start = pinned > t ? pinned : t
        blocks.append(Placed(module: module, start: start, end: start + length))
        t = start + length
        run += length
        contact += length
        previousDemanding = p.intensity[module] == 3
        demandingDay = demandingDay || previousDemanding
        taught |= p.skillMask[module]
    }

    /// Places a break now.
    mutating func appendBreak() {
        guard let pause = problem.breakModule else { return }
        blocks.append(Placed(module: pause, start: t, end: t + problem.breakMinutes))
        t += problem.breakMinutes
        run = 0
        previousDemanding = false
    }

    /// Places lunch now, or when the lunch window opens if that is later.
    mutating func appendLunch() {
        guard let lunch = problem.lunchModule else { return }
        let start = max(t, problem.lunchWindowStart)
        blocks.append(Placed(module: lunch, start: start, end: start + problem.lunchMinutes))
        t = start + problem.lunchMinutes
        lunchDone = true
        run = 0
        previousDemanding = false
    }

    /// Adds lunch if it is still missing and the evening reflection (not on the last day).
    mutating func finish() -> [Placed] {
        let p = problem
        if !lunchDone { appendLunch() }
        if day < p.days - 1, let reflection = p.evening(demanding: demandingDay, taught: taught) {
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
        var taught: UInt8 = 0
        return state.enumerated().map { day in
            defer { taught = taught | skills(day.element) }
            return layoutDay(day.offset, day.element, taught: taught)
        }
    }

    /// The skills the sessions `items` teach (`Skill.bit` mask).
    func skills(_ items: [Int]) -> UInt8 {
        items.reduce(0) { $0 | skillMask[$1] }
    }

    /// Lays out one day's ordered sessions with `DayBuilder.add` and `finish`, after days that taught
    /// the skills in `taught` (which decides the evening's homework).
    func layoutDay(_ day: Int, _ items: [Int], taught: UInt8) -> [Placed] {
        var builder = DayBuilder(problem: self, day: day, taught: taught)
        for item in items { builder.add(item) }
        return builder.finish()
    }

    /// The evening reflection for a day: self-soothing homework after a demanding day; otherwise the
    /// first of the catalog's reflections (a dialogue, then a mirroring exercise, then one without
    /// homework, then self-soothing) whose homework practises only skills in `taught`.
    func evening(demanding: Bool, taught: UInt8) -> Int? {
        if demanding, let soothing = soothingReflection { return soothing }
        return evenings.first { homeworkMask[$0] & ~taught == 0 } ?? evenings.first
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
