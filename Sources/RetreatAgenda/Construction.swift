// Greedy construction: the planner's starting point (and the `GreedyPlanner`).

/// Builds a first agenda day by day: day 1 opens with intake and the two individual sessions, every
/// later day with the morning check-in; each day is then filled while the rules allow, a unit at a
/// time (a module with its missing prerequisites, the modules that must follow it the same day and,
/// for an atonement step that opens the wound, the rest of the atonement steps), most needed work
/// first: prerequisites of pins and the atonement steps due on day 2, then skills not yet taught,
/// atonement steps not yet taken and a ranked priority's concluding work (which waits while its
/// central work could still bring it along), then the central work of rank 1, then ranked work
/// balanced toward the ranking's shares (a rank's work waits while it would take clearly more than
/// a higher rank has), then general work, then fill; finally a calming close (the plan forward on
/// the last day). Whether something fits is asked of the rule table: adding it must not add hard
/// points to the partial plan (`Problem.assess` on the days built so far).
struct Construction {
    let problem: Problem

    func build() -> [[Int]] {
        let p = problem
        var state = [[Int]](repeating: [], count: p.days)
        var used = [Int](repeating: 0, count: p.n)
        var placed = [Bool](repeating: false, count: p.n)
        var pinnedDays = [[Int]](repeating: [], count: p.n)
        for pin in p.pins { pinnedDays[pin.module].append(pin.day) }
        let rankedCount = p.ranked.count
        let order = p.candidates.sorted {
            (p.phase[$0], p.topRank[$0] < 0 ? rankedCount : p.topRank[$0], $0) < (p.phase[$1], p.topRank[$1] < 0 ? rankedCount : p.topRank[$1], $1)
        }
        var closedDays: [[Placed]] = []
        var taughtBefore: UInt8 = 0

        func allowed(_ m: Int, _ d: Int, _ items: [Int]) -> Bool {
            if items.contains(m) { return false }
            if !p.repeatable[m] && used[m] > 0 { return false }
            if !p.repeatable[m] && !pinnedDays[m].isEmpty && !pinnedDays[m].contains(d) { return false }
            return p.admits(m, onDay: d)
        }
        /// Hard points of the plan so far with day `d` holding `items` (laid out, seen as still open).
        func hardPoints(_ items: [Int], _ d: Int) -> Int {
            let view = PlanView(days: closedDays + [p.layoutDay(d, items, taught: taughtBefore)], lastOpen: true)
            return p.assess(view, explain: false).hard
        }
        var taught: UInt8 = 0
        var taken: UInt8 = 0
        /// `m` as a unit: preceded by its prerequisites not yet placed (in dependency order), followed
        /// by the modules that must follow it and, when it opens the wound, by the modules taking the
        /// remaining atonement steps; nil if impossible on day `d`.
        func unit(_ m: Int, _ d: Int, _ items: [Int]) -> [Int]? {
            var result: [Int] = []
            var visiting = Set<Int>()
            func visit(_ x: Int, root: Bool) -> Bool {
                if !root && (placed[x] || items.contains(x) || result.contains(x)) { return true }
                if !visiting.insert(x).inserted || !p.isCandidate[x] || !allowed(x, d, items) { return false }
                for q in p.prerequisites[x] where !visit(q, root: false) { return false }
                result.append(x)
                return true
            }
            guard visit(m, root: true) else { return nil }
            // What must follow it the same day cannot be planned already.
            for f in p.followers[m] where placed[f] || items.contains(f) || !visit(f, root: false) { return nil }
            var steps = taken | result.reduce(0) { $0 | p.stepMask[$1] }
            let closing = AtonementStep.remorse.bit | AtonementStep.trustPlan.bit
            while steps & AtonementStep.woundMask != 0 && steps & closing != closing {
                let missing = AtonementStep.allMask & ~steps
                let lowest = UInt8(1) << UInt8(missing.trailingZeroBitCount)
                guard
                    let next = p.candidates.first(where: {
                        p.stepMask[$0] & lowest != 0 && p.stepMask[$0] & steps == 0 && !placed[$0] && !items.contains($0) && !result.contains($0)
                    }), visit(next, root: false)
                else { return nil }
                steps |= p.stepMask[next]
            }
            return result
        }

        // Target shares of the time beyond the clinical minimum, scaled to the ranking: rank r
        // in proportion to (count - r); fill (work for unranked priorities) none.
        var targets = [Int](repeating: 0, count: rankedCount + 1)
        let weightSum = rankedCount * (rankedCount + 1) / 2
        for r in 0..<rankedCount { targets[r] = 1000 * (rankedCount - r) / weightSum }
        // Minutes by rank (the last entry: fill), as `Problem.rankTime` counts them.
        var minutes = [Int](repeating: 0, count: rankedCount + 1)
        func bucket(_ m: Int, _ known: UInt8) -> Int? {
            if p.stepMask[m] != 0 || p.skillMask[m] & ~known != 0 || p.servesAll[m] || p.inRequiredChain[m] { return nil }
            return p.topRank[m] >= 0 ? p.topRank[m] : rankedCount
        }
        func note(_ m: Int) {
            if let b = bucket(m, taught) { minutes[b] += p.duration[m] }
            taught |= p.skillMask[m]
            taken |= p.stepMask[m]
        }
        /// The minutes by rank (and fill) after adding `extra`.
        func trial(adding extra: [Int]) -> [Int] {
            var trial = minutes
            var known = taught
            for m in extra {
                if let b = bucket(m, known) { trial[b] += p.duration[m] }
                known |= p.skillMask[m]
            }
            return trial
        }
        /// Pairs of neighbouring ranks whose minutes break `rank-time` (fill aside).
        func outOfOrder(_ trial: [Int]) -> Int {
            (0..<max(0, rankedCount - 1)).filter { !p.ranksInOrder(trial[$0], trial[$0 + 1]) }.count
        }
        /// How far the minutes by rank would be from the targets (per mille, summed) after adding
        /// `extra`, with 1000 for fill that would outgrow the last rank.
        func imbalance(_ trial: [Int]) -> Int {
            let total = trial.reduce(0, +)
            guard total > 0 else { return 0 }
            var sum = 0
            for r in 0...rankedCount {
                sum += abs(trial[r] * 1000 / total - targets[r])
            }
            if rankedCount > 0 && trial[rankedCount] > trial[rankedCount - 1] { sum += 1000 }
            return sum
        }
        /// 0: needed now (prerequisite of a pin, the wound's atonement steps on day 2, the rest of an
        /// open atonement); 1: a skill not yet taught, a step not yet taken or the concluding work of
        /// a ranked priority; 2: central work of
        /// rank 1; 3: other ranked work; 4: general work; 5: fill.
        func tier(_ m: Int, urgent: Set<Int>, _ d: Int) -> Int {
            if urgent.contains(m) { return 0 }
            let newStep = p.stepMask[m] & ~taken != 0
            if p.affairRanked && newStep && p.stepMask[m] & AtonementStep.woundMask != 0 && d >= 1 { return 0 }
            if p.affairRanked && newStep && taken & AtonementStep.woundMask != 0 { return 0 }
            if p.skillMask[m] & ~taught != 0 || (p.affairRanked && newStep) || p.inRequiredChain[m] { return 1 }
            if p.central[m] && p.topRank[m] == 0 { return 2 }
            if p.rankMask[m] != 0 { return 3 }
            return p.isFill(m, taught: taught) ? 5 : 4
        }

        /// The central own work of concluding session `m` still to plan (which brings `m` along when it
        /// must be followed by it): placed first, `m` would shut that work out.
        func openCentralWork(_ m: Int, _ d: Int, _ items: [Int]) -> [Int] {
            guard p.concludes[m] else { return [] }
            return p.ownWork[m].filter { q in
                p.isCandidate[q] && p.central[q] && !placed[q] && !items.contains(q) && (d..<p.days).contains { p.admits(q, onDay: $0) }
            }
        }

        for d in 0..<p.days {
            let isLast = d == p.days - 1
            var items: [Int] = []
            if d == 0 {
                let openers =
                    [p.candidates.first { p.isIntake[$0] }]
                    + Partner.allCases.map { who in p.candidates.first { p.partner[$0] == who } }
                for case let m? in openers where allowed(m, d, items) {
                    if let pulled = unit(m, d, items) {
                        items += pulled
                        for x in pulled { note(x) }
                    }
                }
            } else if let opener = p.candidates.first(where: {
                p.isCheckIn[$0] && allowed($0, d, items) && p.prerequisites[$0].allSatisfy { q in placed[q] } && p.pin(day: d, module: $0) < 0
            }) {
                items.append(opener)
            }
            let closing: Int?
            if isLast {
                closing = p.candidates.first { p.isPlanForward[$0] && p.canClose[$0] && allowed($0, d, items) }
            } else {
                // A closing whose prerequisites are in place; failing that (or when closing with it would
                // keep needed work it leads to off the day, as self-soothing before listening), one whose
                // prerequisites the day can still take first.
                let eligible = p.candidates.filter {
                    p.canClose[$0] && !p.isPlanForward[$0] && !p.isCheckIn[$0] && allowed($0, d, items) && p.followers[$0].isEmpty
                }
                func ready(_ m: Int) -> Bool { p.prerequisites[m].allSatisfy { q in placed[q] || items.contains(q) } }
                func blocksNeeded(_ m: Int) -> Bool {
                    p.dependents[m].contains { q in
                        !placed[q] && p.isCandidate[q] && p.admits(q, onDay: d)
                            && (p.skillMask[q] & ~taught != 0 || (p.affairRanked && p.stepMask[q] & ~taken != 0) || p.inRequiredChain[q])
                    }
                }
                func key(_ m: Int) -> (Int, Int, Int, Int, Int, Int) {
                    ((blocksNeeded(m) ? 2 : 0) + (ready(m) ? 0 : 1), p.closesDay[m] ? 0 : 1, p.servesAll[m] ? 0 : 1, p.repeatable[m] ? 0 : 1, p.duration[m], m)
                }
                closing = eligible.filter { ready($0) || (p.stepMask[$0] == 0 && unit($0, d, items) != nil) }.min { key($0) < key($1) }
            }
            // Pins of this day wait at the end of the trial sequence until nothing fits before them;
            // prerequisites of pins on this or later days are urgent.
            var pending = p.pins.filter { $0.day == d && $0.module != closing && !items.contains($0.module) }
                .sorted { $0.start < $1.start }.map(\.module)
            var urgent = Set<Int>()
            var stack = p.pins.filter { $0.day >= d }.flatMap { p.prerequisites[$0.module] }
            while let q = stack.popLast() {
                if placed[q] || urgent.contains(q) { continue }
                urgent.insert(q)
                stack.append(contentsOf: p.prerequisites[q])
            }
            let pinnedToday = Set(p.pins.filter { $0.day == d }.map(\.module))
            let tail = closing.map { [$0] } ?? []
            while true {
                let base = hardPoints(items + pending + tail, d)
                var choice: (key: (Int, Int, Int, Int), pulled: [Int])?
                for m in order
                where m != closing && !p.isIntake[m] && !p.isPlanForward[m] && !p.isCheckIn[m] && !pinnedToday.contains(m)
                    && allowed(m, d, items)
                {
                    guard let pulled = unit(m, d, items), !pulled.contains(where: { $0 == closing || pinnedToday.contains($0) }) else { continue }
                    // A concluding session waits while its priority's central work could still come: before
                    // the last day always, on the last day while that work (with what follows it) fits.
                    let open = openCentralWork(m, d, items)
                    if !open.isEmpty {
                        if !isLast { continue }
                        let fits = open.contains { q in
                            unit(q, d, items).map { hardPoints(items + $0 + pending + tail, d) <= base } ?? false
                        }
                        if fits { continue }
                    }
                    let level = tier(m, urgent: urgent, d)
                    let after = trial(adding: pulled)
                    // Ranked work waits while it would take more time than a higher rank has.
                    if level >= 2 && outOfOrder(after) > outOfOrder(minutes) { continue }
                    let key = (level, imbalance(after), p.phase[m], m)
                    if let choice, !(key < choice.key) { continue }
                    if hardPoints(items + pulled + pending + tail, d) <= base {
                        choice = (key, pulled)
                    }
                }
                if let choice {
                    items += choice.pulled
                    for m in choice.pulled { note(m) }
                } else if !pending.isEmpty {
                    let pinned = pending.removeFirst()
                    items.append(pinned)
                    note(pinned)
                } else {
                    break
                }
            }
            if let closing, unit(closing, d, items) == [closing] {
                items.append(closing)
                note(closing)
            }
            state[d] = items
            for m in items {
                used[m] += 1
                placed[m] = true
            }
            closedDays.append(p.layoutDay(d, items, taught: taughtBefore))
            taughtBefore |= p.skills(items)
        }

        return p.placingPins(state)
    }
}

extension Problem {
    /// `state` with each pinned module moved onto its day (if it is not already at its time there),
    /// before the first session that starts after the pin (the plan forward stays last).
    func placingPins(_ state: [[Int]]) -> [[Int]] {
        var state = state
        for pin in pins.sorted(by: { ($0.day, $0.start) < ($1.day, $1.start) }) where pin.day < days && pin.day < state.count {
            if layout(state)[pin.day].contains(where: { $0.module == pin.module && $0.start == pin.start }) { continue }
            if repeatable[pin.module] {
                state[pin.day].removeAll { $0 == pin.module }
            } else {
                for d in state.indices { state[d].removeAll { $0 == pin.module } }
            }
            let blocks = layout(state)[pin.day]
            var position = state[pin.day].count
            var sessionIndex = 0
            for block in blocks where kind[block.module] == .session {
                if block.start >= pin.start || (pin.day == days - 1 && isPlanForward[block.module]) {
                    position = sessionIndex
                    break
                }
                sessionIndex += 1
            }
            state[pin.day].insert(pin.module, at: min(position, state[pin.day].count))
        }
        return state
    }

    /// The staff edits applied to `agenda`, a plan made without them: excluded modules taken out, pinned
    /// ones moved to their pins, the lengths of this request; scored against every rule. What it breaks
    /// is what the edits break in the plan the couple would otherwise get.
    func applyingEdits(to agenda: Agenda) -> Score {
        var state = agenda.days.prefix(days).map { day in
            day.blocks.filter { $0.kind == .session }.compactMap { index[$0.moduleID] }.filter { !excluded[$0] }
        }
        while state.count < days { state.append([]) }
        let laid = layout(placingPins(state))
        return evaluate(laid, explain: true)
    }
}
