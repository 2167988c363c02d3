// Greedy construction: the planner's starting point (and the `GreedyPlanner`).

/// Builds a first agenda day by day: day 1 opens with intake and the two individual sessions, every
/// later day with the morning check-in; each day is then filled while the rules allow (a module's
/// missing prerequisites pulled in first), most needed work first: prerequisites of pins, skills
/// not yet taught and atonement steps not yet taken, then ranked work balanced toward the target
/// shares (rank 1 about half), then general work; finally a calming close (the plan forward on the
/// last day). Whether something fits is asked of the rule table: adding it must not add hard points
/// to the partial plan (`Problem.assess` on the days built so far).
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
        func bestRank(_ m: Int) -> Int {
            p.rankMask[m] != 0 ? p.rankMask[m].trailingZeroBitCount : (p.servesAll[m] ? rankedCount : rankedCount + 1)
        }
        let order = p.candidates.sorted { (p.phase[$0], bestRank($0), $0) < (p.phase[$1], bestRank($1), $1) }
        var closedDays: [[Placed]] = []

        func allowed(_ m: Int, _ d: Int, _ items: [Int]) -> Bool {
            if items.contains(m) { return false }
            if !p.repeatable[m] && used[m] > 0 { return false }
            if !p.repeatable[m] && !pinnedDays[m].isEmpty && !pinnedDays[m].contains(d) { return false }
            return p.admits(m, onDay: d)
        }
        /// Hard points of the plan so far with day `d` holding `items` (laid out, seen as still open).
        func hardPoints(_ items: [Int], _ d: Int) -> Int {
            let view = PlanView(days: closedDays + [p.layoutDay(d, items)], lastOpen: true)
            return p.assess(view, explain: false).hard
        }
        /// `m` preceded by its prerequisites that are not yet placed, in dependency order; nil if impossible.
        func chain(_ m: Int, _ d: Int, _ items: [Int]) -> [Int]? {
            var result: [Int] = []
            var visiting = Set<Int>()
            func visit(_ x: Int) -> Bool {
                if x != m && (placed[x] || items.contains(x) || result.contains(x)) { return true }
                if !visiting.insert(x).inserted || !p.isCandidate[x] || !allowed(x, d, items) { return false }
                for q in p.prerequisites[x] where !visit(q) { return false }
                result.append(x)
                return true
            }
            return visit(m) ? result : nil
        }

        // Target shares of the priority minutes: rank 1 about half, the rest decreasing by rank.
        var targets = [Int](repeating: 0, count: rankedCount)
        if rankedCount == 1 {
            targets[0] = 1000
        } else if rankedCount > 1 {
            targets[0] = 500
            let weights = (1..<rankedCount).map { rankedCount - $0 }
            let total = weights.reduce(0, +)
            for r in 1..<rankedCount { targets[r] = 500 * weights[r - 1] / total }
        }
        var minutes = [Int](repeating: 0, count: rankedCount)
        var totalMinutes = 0
        var taught: UInt8 = 0
        var taken: UInt8 = 0
        func note(_ m: Int) {
            // Time the clinical rules require (an atonement step, a skill's first teaching) does not
            // count toward the ranking's shares.
            let required = p.stepMask[m] != 0 || p.skillMask[m] & ~taught != 0
            taught |= p.skillMask[m]
            taken |= p.stepMask[m]
            guard p.rankMask[m] != 0, !required else { return }
            totalMinutes += p.duration[m]
            for r in 0..<rankedCount where p.rankMask[m] & (UInt64(1) << UInt64(r)) != 0 { minutes[r] += p.duration[m] }
        }
        /// How far the minutes by rank would be from the targets (per mille, summed) after adding `extra`.
        func imbalance(adding extra: [Int]) -> Int {
            var trial = minutes
            var total = totalMinutes
            for m in extra where p.rankMask[m] != 0 && p.stepMask[m] == 0 && p.skillMask[m] & ~taught == 0 {
                total += p.duration[m]
                for r in 0..<rankedCount where p.rankMask[m] & (UInt64(1) << UInt64(r)) != 0 { trial[r] += p.duration[m] }
            }
            guard total > 0 else { return 0 }
            var sum = 0
            for r in 0..<rankedCount {
                sum += abs(trial[r] * 1000 / total - targets[r])
                if r > 0 && trial[r] > trial[r - 1] { sum += 1000 }
            }
            return sum
        }
        /// 0: needed now (prerequisite of a pin, or an atonement step due by day 2); 1: a skill not yet
        /// taught or a step not yet taken; 2: ranked work; 3: general work; 4: fill.
        func tier(_ m: Int, urgent: Set<Int>, _ d: Int) -> Int {
            if urgent.contains(m) { return 0 }
            let newStep = p.stepMask[m] & ~taken != 0
            if p.affairRanked && newStep && p.stepMask[m] & AtonementStep.woundMask != 0 && d == 1 { return 0 }
            if p.skillMask[m] & ~taught != 0 || (p.affairRanked && newStep) { return 1 }
            if p.rankMask[m] != 0 { return 2 }
            return p.isFill(m) ? 4 : 3
        }

        for d in 0..<p.days {
            let isLast = d == p.days - 1
            var items: [Int] = []
            if d == 0 {
                let openers =
                    [p.candidates.first { p.isIntake[$0] }]
                    + Partner.allCases.map { who in p.candidates.first { p.partner[$0] == who } }
                for case let m? in openers where allowed(m, d, items) {
                    if let pulled = chain(m, d, items) {
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
                closing = p.candidates.filter {
                    p.canClose[$0] && !p.isPlanForward[$0] && !p.isCheckIn[$0] && allowed($0, d, items)
                        && p.prerequisites[$0].allSatisfy { q in placed[q] || items.contains(q) }
                }.min {
                    (p.closesDay[$0] ? 0 : 1, p.servesAll[$0] ? 0 : 1, p.repeatable[$0] ? 0 : 1, p.duration[$0], $0) < (
                        p.closesDay[$1] ? 0 : 1, p.servesAll[$1] ? 0 : 1, p.repeatable[$1] ? 0 : 1, p.duration[$1], $1
                    )
                }
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
                    guard let pulled = chain(m, d, items), !pulled.contains(where: { $0 == closing || pinnedToday.contains($0) }) else { continue }
                    let key = (tier(m, urgent: urgent, d), imbalance(adding: pulled), p.phase[m], m)
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
            if let closing, chain(closing, d, items) == [closing] {
                items.append(closing)
                note(closing)
            }
            state[d] = items
            for m in items {
                used[m] += 1
                placed[m] = true
            }
            closedDays.append(p.layoutDay(d, items))
        }

        // Pins: move each pinned module onto its day (if it is not already at its time there), before
        // the first block that starts after the pin.
        for pin in p.pins.sorted(by: { ($0.day, $0.start) < ($1.day, $1.start) }) where pin.day < p.days {
            if p.layoutDay(pin.day, state[pin.day]).contains(where: { $0.module == pin.module && $0.start == pin.start }) { continue }
            if p.repeatable[pin.module] {
                state[pin.day].removeAll { $0 == pin.module }
            } else {
                for d in 0..<p.days { state[d].removeAll { $0 == pin.module } }
            }
            let blocks = p.layoutDay(pin.day, state[pin.day])
            var position = state[pin.day].count
            var sessionIndex = 0
            for block in blocks where p.kind[block.module] == .session {
                if block.start >= pin.start || (pin.day == p.days - 1 && p.isPlanForward[block.module]) {
                    position = sessionIndex
                    break
                }
                sessionIndex += 1
            }
            state[pin.day].insert(pin.module, at: min(position, state[pin.day].count))
        }
        return state
    }
}
