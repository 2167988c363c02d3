// Local search: the planner's improvement phase.

enum Move {
    case remove(day: Int, at: Int)
    case insert(module: Int, day: Int, at: Int)
    case replace(day: Int, at: Int, with: Int)
    case relocate(day: Int, at: Int, toDay: Int, to: Int)
    case swap(day: Int, at: Int, otherDay: Int, other: Int)
    /// Remove an item and every item that (transitively) needs it.
    case removeChain(day: Int, at: Int)
    /// Insert a module preceded by its missing prerequisites (in dependency order).
    case insertChain(module: Int, day: Int, at: Int)
}

struct LocalSearch {
    let problem: Problem
    let budget: Int
    var rng: SplitMix64
    /// Work done, in units: 16 for a full evaluation, 4 for a rejection by the day checks, 1 for a
    /// move that is not allowed.
    var evaluations = 0
    var state: [[Int]]
    var laid: [[Placed]]
    var current: Score
    var count: [Int]
    /// Per module, the positions (`day * 1024 + index`) where it occurs.
    var positions: [[Int]]
    /// Per day, the skills taught on the days before it (the evening's homework depends on them).
    var taughtBefore: [UInt8]
    var cursor = 0

    static let fullCost = 16
    static let dayCost = 4
    static let filterCost = 1

    init(problem: Problem, start: [[Int]], options: SearchOptions) {
        self.problem = problem
        self.budget = LocalSearch.fullCost * max(0, options.maxEvaluations)
        self.rng = SplitMix64(seed: options.seed)
        self.state = start
        self.laid = problem.layout(start)
        self.current = problem.evaluate(laid, explain: false)
        self.count = []
        self.positions = []
        self.taughtBefore = []
        reindex()
    }

    mutating func reindex() {
        let p = problem
        count = [Int](repeating: 0, count: p.n)
        positions = [[Int]](repeating: [], count: p.n)
        taughtBefore = [UInt8](repeating: 0, count: state.count)
        var taught: UInt8 = 0
        for (d, items) in state.enumerated() {
            taughtBefore[d] = taught
            for (i, m) in items.enumerated() {
                count[m] += 1
                positions[m].append(d * 1024 + i)
                taught |= p.skillMask[m]
            }
        }
    }

    private func pinnedOn(_ day: Int, _ m: Int) -> Bool {
        problem.pin(day: day, module: m) >= 0
    }

    /// Whether `m` may be added to `day`: the rules' module and day filters admit it there, and it
    /// is not already on that day (repeatable) or anywhere (not repeatable).
    private func mayAdd(_ m: Int, to day: Int) -> Bool {
        if !problem.admits(m, onDay: day) { return false }
        if problem.repeatable[m] {
            return !state[day].contains(m)
        }
        return count[m] == 0
    }

    // MARK: Moves

    private func occurs(_ m: Int, before position: Int, excluding: Int = -1) -> Bool {
        for place in positions[m] where place != excluding && place < position { return true }
        return false
    }

    /// Positions (`day * 1024 + index`) of the item at `position` and of every item that
    /// transitively needs it (for items with several occurrences: those not preceded by another
    /// occurrence of what they need), or nil when one of them is pinned.
    func dependentChain(_ d: Int, _ i: Int) -> Set<Int>? {
        var removed: Set<Int> = [d * 1024 + i]
        var stack = [(state[d][i], d * 1024 + i)]
        while let (m, place) = stack.popLast() {
            for x in problem.dependents[m] {
                for other in positions[x] where !removed.contains(other) && other > place {
                    if positions[m].contains(where: { $0 < other && !removed.contains($0) }) { continue }
                    let day = other / 1024
                    if pinnedOn(day, x) { return nil }
                    removed.insert(other)
                    stack.append((x, other))
                }
            }
        }
        return removed
    }

    /// `m`'s prerequisites (transitively) that do not occur before (d, j), in dependency order,
    /// followed by `m` and the modules that must follow it (with what they need); nil when one of
    /// them may not be added to day `d`.
    func prerequisiteChain(_ m: Int, _ d: Int, _ j: Int) -> [Int]? {
        var result: [Int] = []
        var visiting: Set<Int> = []
        func visit(_ x: Int) -> Bool {
            if x != m && (occurs(x, before: d * 1024 + j) || result.contains(x)) { return true }
            if !visiting.insert(x).inserted || !problem.isCandidate[x] || !mayAdd(x, to: d) { return false }
            for q in problem.prerequisites[x] where !visit(q) { return false }
            result.append(x)
            return true
        }
        guard visit(m) else { return nil }
        for f in problem.followers[m] where !result.contains(f) {
            guard visit(f) else { return nil }
        }
        return result
    }

    /// The days changed by `move`, or nil when the move is not allowed.
    func apply(_ move: Move) -> [(Int, [Int])]? {
        let p = problem
        switch move {
        case .removeChain(let d, let i):
            guard let removed = dependentChain(d, i), removed.count > 1 else { return nil }
            var changes: [(Int, [Int])] = []
            for day in Set(removed.map { $0 / 1024 }).sorted() {
                let items = state[day].enumerated().filter { !removed.contains(day * 1024 + $0.offset) }.map(\.element)
                changes.append((day, items))
            }
            return changes
        case .insertChain(let m, let d, let j):
            guard let chain = prerequisiteChain(m, d, j), chain.count > 1 else { return nil }
            var items = state[d]
            items.insert(contentsOf: chain, at: j)
            return [(d, items)]
        case .remove(let d, let i):
            if pinnedOn(d, state[d][i]) { return nil }
            var items = state[d]
            items.remove(at: i)
            return [(d, items)]
        case .insert(let m, let d, let j):
            if !mayAdd(m, to: d) { return nil }
            var items = state[d]
            items.insert(m, at: j)
            return [(d, items)]
        case .replace(let d, let i, let m):
            let old = state[d][i]
            if old == m || pinnedOn(d, old) { return nil }
            if !p.admits(m, onDay: d) { return nil }
            if p.repeatable[m] {
                if state[d].contains(m) { return nil }
            } else if count[m] > 0 {
                return nil
            }
            var items = state[d]
            items[i] = m
            return [(d, items)]
        case .relocate(let d, let i, let d2, let j):
            let m = state[d][i]
            if d == d2 {
                if j == i || j == i + 1 { return nil }
                var items = state[d]
                items.remove(at: i)
                items.insert(m, at: j > i ? j - 1 : j)
                return [(d, items)]
            }
            if pinnedOn(d, m) || !p.admits(m, onDay: d2) { return nil }
            if p.repeatable[m] && state[d2].contains(m) { return nil }
            var from = state[d]
            from.remove(at: i)
            var to = state[d2]
            to.insert(m, at: j)
            return [(d, from), (d2, to)]
        case .swap(let d, let i, let d2, let j):
            let a = state[d][i]
            let b = state[d2][j]
            if a == b { return nil }
            if d == d2 {
                var items = state[d]
                items.swapAt(i, j)
                return [(d, items)]
            }
            if pinnedOn(d, a) || pinnedOn(d2, b) { return nil }
            if !p.admits(b, onDay: d) || !p.admits(a, onDay: d2) { return nil }
            if p.repeatable[a] && state[d2].contains(a) { return nil }
            if p.repeatable[b] && state[d].contains(b) { return nil }
            var first = state[d]
            first[i] = b
            var second = state[d2]
            second[j] = a
            return [(d, first), (d2, second)]
        }
    }

    func neighbourhood() -> [Move] {
        let p = problem
        var moves: [Move] = []
        moves.reserveCapacity(2_048)
        let days = state.count
        for d in 0..<days {
            for i in state[d].indices {
                moves.append(.remove(day: d, at: i))
            }
        }
        for d in 0..<days {
            for i in state[d].indices {
                for d2 in 0..<days {
                    for j in 0...state[d2].count {
                        moves.append(.relocate(day: d, at: i, toDay: d2, to: j))
                    }
                }
            }
        }
        for d in 0..<days {
            for i in state[d].indices {
                for d2 in d..<days {
                    for j in (d2 == d ? i + 1 : 0)..<state[d2].count {
                        moves.append(.swap(day: d, at: i, otherDay: d2, other: j))
                    }
                }
            }
        }
        for m in p.candidates {
            for d in 0..<days where mayAdd(m, to: d) {
                for j in 0...state[d].count {
                    moves.append(.insert(module: m, day: d, at: j))
                }
            }
        }
        for d in 0..<days {
            for i in state[d].indices {
                for m in p.candidates where m != state[d][i] {
                    moves.append(.replace(day: d, at: i, with: m))
                }
            }
        }
        for d in 0..<days {
            for i in state[d].indices where !p.dependents[state[d][i]].isEmpty {
                moves.append(.removeChain(day: d, at: i))
            }
        }
        for m in p.candidates where !p.prerequisites[m].isEmpty || !p.followers[m].isEmpty {
            for d in 0..<days where mayAdd(m, to: d) {
                for j in 0...state[d].count {
                    moves.append(.insertChain(module: m, day: d, at: j))
                }
            }
        }
        return moves
    }

    /// Scores the plan with `move` applied; nil when the move is not allowed or, while the current
    /// plan is feasible, a changed day breaks a hard rule on its own (the rule table's day checks:
    /// such a plan can never be better, so the filter rejects nothing `evaluate` would accept).
    mutating func trial(_ move: Move) -> (changes: [(Int, [Int])], score: Score, days: [[Placed]])? {
        guard let changes = apply(move) else {
            evaluations += LocalSearch.filterCost
            return nil
        }
        let p = problem
        var days = laid
        // Changed days are laid out again, and so is any later day whose evening homework may change
        // because the skills taught before it changed.
        var next = state
        var changed = [Bool](repeating: false, count: state.count)
        for (d, items) in changes {
            next[d] = items
            changed[d] = true
        }
        var taught: UInt8 = 0
        var relaid: [Int] = []
        for d in 0..<next.count {
            if changed[d] || taught != taughtBefore[d] {
                days[d] = p.layoutDay(d, next[d], taught: taught)
                relaid.append(d)
            }
            taught |= p.skills(next[d])
        }
        if current.hard == 0 {
            for d in relaid where p.dayHardPoints(d, days[d]) > 0 {
                evaluations += LocalSearch.dayCost
                return nil
            }
        }
        evaluations += LocalSearch.fullCost
        return (changes, problem.evaluate(days, explain: false), days)
    }

    mutating func commit(_ changes: [(Int, [Int])], _ days: [[Placed]], _ score: Score) {
        for (d, items) in changes { state[d] = items }
        laid = days
        current = score
        reindex()
    }

    /// First-improvement hill climbing from the current plan until no move improves it.
    mutating func climb() {
        var moves = neighbourhood()
        var checked = 0
        var index = moves.isEmpty ? 0 : cursor % moves.count
        while checked < moves.count && evaluations < budget {
            let move = moves[index]
            index = (index + 1) % moves.count
            checked += 1
            guard let result = trial(move) else { continue }
            if result.score < current {
                commit(result.changes, result.days, result.score)
                moves = neighbourhood()
                cursor = index
                index = moves.isEmpty ? 0 : index % moves.count
                checked = 0
            }
        }
    }

    /// One to three random moves, preferring ones that do not add hard violations.
    mutating func kick() {
        var left = 1 + rng.below(3)
        var attempts = 0
        var moves = neighbourhood()
        while left > 0 && attempts < 200 && evaluations < budget && !moves.isEmpty {
            attempts += 1
            let move = moves[rng.below(moves.count)]
            guard let result = trial(move) else { continue }
            if result.score.hard > current.hard && attempts < 150 { continue }
            commit(result.changes, result.days, result.score)
            moves = neighbourhood()
            left -= 1
        }
    }

    mutating func run() -> [[Int]] {
        climb()
        var best = (state, laid, current)
        while evaluations < budget {
            kick()
            climb()
            if current < best.2 {
                best = (state, laid, current)
            } else if current > best.2 {
                state = best.0
                laid = best.1
                current = best.2
                reindex()
            }
        }
        return best.0
    }
}
