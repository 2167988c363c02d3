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

    static let rankOrder: AgendaRule = AgendaRule(
        "rank-order", .medium, monotone: false, "a lower-ranked priority gets more time than a higher one",
        plan: { p, view, tally in
            let minutes = p.rankMinutes(view, discretionary: true)
            let count = p.ranked.count
            guard count > 1 else { return }
            for higher in 0..<(count - 1) {
                // Falling behind a higher rank weighs more the higher that rank is (rank 1 most).
                let weight = count - higher
                for lower in (higher + 1)..<count where minutes[lower] > minutes[higher] {
                    tally.add(
                        rankOrder, weight * (1 + (minutes[lower] - minutes[higher]) / 15),
                        "beyond what the clinical rules require, \(p.ranked[lower].rawValue) (rank \(lower + 1)) gets \(minutes[lower]) session minutes, more than \(p.ranked[higher].rawValue) (rank \(higher + 1)) with \(minutes[higher])"
                    )
                }
            }
        })

    static let rankShare: AgendaRule = AgendaRule(
        "rank-share", .soft, monotone: false, "rank 1 far from about half of the priority time",
        plan: { p, view, tally in
            guard p.ranked.count > 1 else { return }
            let minutes = p.rankMinutes(view, discretionary: true)
            let total = p.rankMinutes(view, discretionary: true, total: true)[0]
            guard total > 0 else { return }
            let excess = abs(2 * minutes[0] - total) - total / 5
            if excess > 0 {
                tally.add(
                    rankShare, excess / 30,
                    "beyond what the clinical rules require, \(p.ranked[0].rawValue) (rank 1) gets \(minutes[0]) of \(total) priority minutes (\(minutes[0] * 100 / total)%); about half is the aim"
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
            for (d, blocks) in view.days.enumerated() {
                for block in blocks where p.isFill(block.module) {
                    tally.add(fill, 1, "day \(d + 1): \(p.name(block.module)) fills time; it serves none of the ranked priorities")
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
        rankMissing, rankOrder, rankShare, skillTime, unusedContact, fill, together, afternoonIntensity, timeOfDay, phaseOrder, closesDay,
    ]
}

extension Problem {
    /// Session minutes per ranked priority (blocks serving several count for each). With
    /// `discretionary`, only the time beyond what the clinical rules require counts: not the
    /// atonement steps, not the first teaching of each skill. With `total`, one number: the minutes
    /// of sessions serving any ranked priority.
    func rankMinutes(_ view: PlanView, discretionary: Bool = false, total: Bool = false) -> [Int] {
        var minutes = [Int](repeating: 0, count: total ? 1 : ranked.count)
        var taught: UInt8 = 0
        for blocks in view.days {
            for block in blocks where kind[block.module] == .session {
                let m = block.module
                if discretionary {
                    let required = stepMask[m] != 0 || skillMask[m] & ~taught != 0
                    taught |= skillMask[m]
                    if required { continue }
                }
                if total {
                    if rankMask[m] != 0 { minutes[0] += block.end - block.start }
                    continue
                }
                var bits = rankMask[m]
                while bits != 0 {
                    minutes[bits.trailingZeroBitCount] += block.end - block.start
                    bits &= bits - 1
                }
            }
        }
        return minutes
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
