// The preferences: medium shortcomings and soft wishes the planner optimises once every clinical
// rule holds. They live in the same kind of table as the hard rules (`Rules.swift`); their
// `sentence` is the short phrase the score summary uses.

extension Rules {
    static let rankMissing: AgendaRule = AgendaRule(
        "rank-missing", .medium, monotone: false, "a ranked priority without session time",
        plan: { p, view, tally in
            let minutes = p.rankMinutes(view)
            for r in p.ranked.indices where minutes[r] == 0 {
                tally.add(rankMissing, 4, "\(p.ranked[r].rawValue) (rank \(r + 1)) gets no session time")
            }
        })

    static let fillShare: AgendaRule = AgendaRule(
        "fill-share", .medium, monotone: false, "work for priorities the couple did not rank gets more time than a ranked one",
        plan: { p, view, tally in
            // General work for priorities the couple did not rank only fills time: never more of it
            // than the lowest rank gets beyond the clinical minimum.
            let time = p.rankTime(view)
            guard let last = time.minutes.indices.last, time.fill > time.minutes[last] else { return }
            tally.add(
                fillShare, 1 + (time.fill - time.minutes[last]) / 15,
                "beyond what the clinical rules require, work for priorities the couple did not rank gets \(time.fill) session minutes, more than \(p.ranked[last].rawValue) (rank \(last + 1)) with \(time.minutes[last])"
            )
        })

    static let centralMissing: AgendaRule = AgendaRule(
        "central-missing", .medium, monotone: false, "central work of a ranked priority left out",
        plan: { p, view, tally in
            var present = [Bool](repeating: false, count: p.n)
            for blocks in view.days {
                for block in blocks { present[block.module] = true }
            }
            let count = p.ranked.count
            for m in p.candidates where p.central[m] && p.topRank[m] >= 0 && !present[m] {
                let r = p.topRank[m]
                tally.add(
                    centralMissing, 2 * (count - r),
                    "\(p.ranked[r].rawValue) (rank \(r + 1)): its central work \(p.name(m)) is not planned"
                )
            }
        })

    static let rankShare: AgendaRule = AgendaRule(
        "rank-share", .soft, monotone: false, "rank 1 far from its share of the priority time",
        plan: { p, view, tally in
            // Time scaled to the ranking: rank r's share is proportional to (count - r), so rank 1
            // aims at two thirds with two priorities ranked, half with three, two fifths with four.
            let count = p.ranked.count
            guard count > 1 else { return }
            let time = p.rankTime(view)
            let total = time.minutes.reduce(0, +) + time.fill
            guard total > 0 else { return }
            let first = time.minutes[0]
            let aim = total * 2 / (count + 1)
            let excess = abs(first - aim) - total / 10
            if excess > 0 {
                let reason =
                    first < aim && p.saturated(0, view)
                    ? "; every session the catalog has for it beyond that is planned already" : "; about \(aim * 100 / total)% is the aim"
                tally.add(
                    rankShare, max(1, excess / 15),
                    "beyond what the clinical rules require, \(p.ranked[0].rawValue) (rank 1) gets \(first) of \(total) minutes of ranked and fill work (\(first * 100 / total)%)\(reason)"
                )
            }
        })

    static let unusedContact: AgendaRule = AgendaRule(
        "unused-contact", .soft, monotone: false, "contact time left unused",
        day: { p, day, tally in
            var minutes = 0
            for block in day.blocks where p.kind[block.module] == .session || p.kind[block.module] == .reflection {
                minutes += block.end - block.start
            }
            if minutes < p.maxContact {
                tally.add(unusedContact, (p.maxContact - minutes) / 15, "\(day.name) uses \(minutes) of \(p.maxContact) contact minutes")
            }
        })

    static let closesDay: AgendaRule = AgendaRule(
        "closes-day", .soft, monotone: true, "a closing block not at the end of its day",
        day: { p, day, tally in
            // A closing block with a session after it (on an open day, that stays so).
            let last = day.blocks.last { p.kind[$0.module] == .session }
            for block in day.blocks where p.closesDay[block.module] && block != last {
                tally.add(closesDay, 2, "\(day.name): \(p.name(block.module)) belongs at the end of the day")
            }
        })

    static let together: AgendaRule = AgendaRule(
        "together", .soft, monotone: true, "a priority's sessions split up within a day",
        day: { p, day, tally in
            var groups = [Int](repeating: 0, count: p.ranked.count)
            var inRun: UInt64 = 0
            for block in day.blocks where p.kind[block.module] == .session {
                let mask = p.rankMask[block.module]
                if mask != 0 {
                    var started = mask & ~inRun
                    while started != 0 {
                        groups[started.trailingZeroBitCount] += 1
                        started &= started - 1
                    }
                    inRun = mask
                } else if !p.servesAll[block.module] {
                    inRun = 0
                }
            }
            for (r, count) in groups.enumerated() where count > 1 {
                tally.add(together, count - 1, "\(day.name): the \(p.ranked[r].rawValue) sessions are split into \(count) groups")
            }
        })

    static let afternoonIntensity: AgendaRule = AgendaRule(
        "afternoon-intensity", .soft, monotone: true, "demanding work after lunch",
        day: { p, day, tally in
            guard let lunchStart = day.blocks.first(where: { p.kind[$0.module] == .lunch })?.start else { return }
            for block in day.blocks where p.kind[block.module] == .session && block.start >= lunchStart && p.intensity[block.module] >= 2 {
                tally.add(
                    afternoonIntensity, p.intensity[block.module] - 1,
                    "\(day.name): \(p.name(block.module)) (intensity \(p.intensity[block.module])) is after lunch; such work goes better in the morning")
            }
        })

    static let timeOfDay: AgendaRule = AgendaRule(
        "time-of-day", .soft, monotone: true, "a session outside its preferred time of day",
        day: { p, day, tally in
            // Before lunch is morning; with lunch not yet placed (an open day) every block so far is.
            let lunchStart = day.blocks.first(where: { p.kind[$0.module] == .lunch })?.start ?? Int.max
            for block in day.blocks where p.kind[block.module] == .session {
                let afternoon = block.start >= lunchStart
                let wanted = p.timeOfDay[block.module]
                if (wanted == .morning && afternoon) || (wanted == .afternoon && !afternoon) {
                    tally.add(timeOfDay, 1, "\(day.name): \(p.name(block.module)) prefers the \(wanted.rawValue) but is at \(clockText(block.start))")
                }
            }
        })

    static let phaseOrder: AgendaRule = AgendaRule(
        "phase-order", .soft, monotone: true, "sessions against the opening-core-integration order",
        plan: { p, view, tally in
            var counts = [0, 0, 0]
            var inversions = 0
            for blocks in view.days {
                for block in blocks where p.kind[block.module] == .session && !p.calming[block.module] {
                    let phase = p.phase[block.module]
                    for later in (phase + 1)..<3 { inversions += counts[later] }
                    counts[phase] += 1
                }
            }
            if inversions > 0 {
                tally.add(phaseOrder, inversions, "\(inversions) pair(s) of sessions run against the opening-core-integration order")
            }
        })

    static let fill: AgendaRule = AgendaRule(
        "fill", .soft, monotone: true, "general work filling time for a priority the couple did not rank",
        plan: { p, view, tally in
            var taught: UInt8 = 0
            for (d, blocks) in view.days.enumerated() {
                for block in blocks {
                    if p.isFill(block.module, taught: taught) {
                        tally.add(fill, 1, "day \(d + 1): \(p.name(block.module)) fills time; it serves none of the ranked priorities")
                    }
                    taught |= p.skillMask[block.module]
                }
            }
        })

    static let skillTime: AgendaRule = AgendaRule(
        "skill-time", .soft, monotone: false, "less skill practice than the ranking asks for",
        plan: { p, view, tally in
            var minutes = 0
            for blocks in view.days {
                for block in blocks where p.kind[block.module] == .session && p.skillMask[block.module] != 0 { minutes += block.end - block.start }
            }
            let target = p.skillTarget
            if minutes < target {
                tally.add(skillTime, (target - minutes + 14) / 15, "the skills get \(minutes) minutes of practice; the ranking asks for \(target)")
            }
        })

    static let preferences: [AgendaRule] = [
        rankMissing, fillShare, centralMissing, rankShare, skillTime, unusedContact, fill, together, afternoonIntensity, timeOfDay, phaseOrder,
        closesDay,
    ]
}

extension Problem {
    /// Session minutes per ranked priority (blocks serving several count for each): every block,
    /// what the clinical rules require included (for `rank-missing`).
    func rankMinutes(_ view: PlanView) -> [Int] {
        var minutes = [Int](repeating: 0, count: ranked.count)
        for blocks in view.days {
            for block in blocks where kind[block.module] == .session {
                var bits = rankMask[block.module]
                while bits != 0 {
                    minutes[bits.trailingZeroBitCount] += block.end - block.start
                    bits &= bits - 1
                }
            }
        }
        return minutes
    }

    /// The session time beyond what the clinical rules require (not the atonement steps, not the
    /// first teaching of each skill, not the concluding work of a ranked priority and what it builds
    /// on), by rank: each session counts once, for the highest-ranked
    /// priority it serves; `fill` is the time of work serving none of the ranked priorities, and
    /// general work for every couple (intake, closings, ...) counts for neither.
    func rankTime(_ view: PlanView) -> (minutes: [Int], fill: Int) {
        var minutes = [Int](repeating: 0, count: ranked.count)
        var fill = 0
        var taught: UInt8 = 0
        for blocks in view.days {
            for block in blocks where kind[block.module] == .session {
                let m = block.module
                let required = stepMask[m] != 0 || skillMask[m] & ~taught != 0 || inRequiredChain[m]
                taught |= skillMask[m]
                if required || servesAll[m] { continue }
                if topRank[m] >= 0 {
                    minutes[topRank[m]] += block.end - block.start
                } else {
                    fill += block.end - block.start
                }
            }
        }
        return (minutes, fill)
    }

    /// Whether every candidate session whose time counts for rank `r` is in the plan already
    /// (repeatable ones on every day they may be on): the catalog has nothing more for that rank.
    func saturated(_ r: Int, _ view: PlanView) -> Bool {
        var daysOf = [Set<Int>](repeating: [], count: n)
        for (d, blocks) in view.days.enumerated() {
            for block in blocks { daysOf[block.module].insert(d) }
        }
        for m in candidates where topRank[m] == r && stepMask[m] == 0 {
            if daysOf[m].isEmpty { return false }
            if repeatable[m] && (0..<days).contains(where: { admits(m, onDay: $0) && !daysOf[m].contains($0) }) { return false }
        }
        return true
    }

    /// Minutes of skill practice the ranking asks for: each skill taught once (the shortest module
    /// teaching it), plus two more hours when communication is ranked first and one more when second.
    /// (Computed once, in `init`; read as `skillTarget`.)
    func computeSkillTarget() -> Int {
        var chosen = Set<Int>()
        for skill in Skill.allCases {
            let teachers = candidates.filter { skillMask[$0] & skill.bit != 0 }
            if teachers.contains(where: chosen.contains) { continue }
            if let shortest = teachers.min(by: { (duration[$0], $0) < (duration[$1], $1) }) { chosen.insert(shortest) }
        }
        let base = chosen.reduce(0) { $0 + duration[$1] }
        let extra = communicationRank.map { max(0, 2 - $0) * 60 } ?? 0
        return base + extra
    }
}
