/// Accumulates penalty points; builds sentences only when explaining.
struct Tally {
    let explain: Bool
    var hard = 0
    var medium = 0
    var soft = 0
    var penalties: [Penalty] = []

    @inline(__always)
    mutating func add(_ level: PenaltyLevel, _ points: Int, _ rule: String, _ sentence: @autoclosure () -> String) {
        guard points > 0 else { return }
        switch level {
        case .hard: hard += points
        case .medium: medium += points
        case .soft: soft += points
        }
        if explain {
            penalties.append(Penalty(level: level, points: points, rule: rule, sentence: sentence()))
        }
    }

    var score: Score {
        if explain { return Score(penalties: penalties) }
        return Score(hard: hard, medium: medium, soft: soft)
    }
}

/// `"HH:MM"` for any minute count (also past midnight, for sentences about overruns).
func clockText(_ minutes: Int) -> String {
    let hours = minutes / 60
    let rest = minutes % 60
    return (hours < 10 ? "0" : "") + String(hours) + ":" + (rest < 10 ? "0" : "") + String(rest)
}

extension Problem {
    func name(_ module: Int) -> String { "\"" + modules[module].id + "\"" }

    /// Scores laid-out days against every rule. `days` must hold `self.days` days, each sorted by start.
    func evaluate(_ days: [[Placed]], explain: Bool) -> Score {
        var tally = Tally(explain: explain)
        let rankedCount = ranked.count
        // One scratch buffer: earliest end per module, occurrences per module, minutes per rank,
        // groups per rank (per day).
        let occurrencesAt = n
        let rankMinutesAt = 2 * n
        let runsAt = 2 * n + rankedCount
        var scratch = [Int](repeating: 0, count: 2 * n + 2 * rankedCount)
        for m in 0..<n { scratch[m] = Int.max }
        var rankedTotal = 0
        var phaseCounts = (0, 0, 0)
        var inversions = 0
        var inversionExample = (-1, -1)
        var lastOfPhase = (-1, -1, -1)
        let dayStride = 100_000

        for (d, blocks) in days.enumerated() {
            for block in blocks where d * dayStride + block.end < scratch[block.module] {
                scratch[block.module] = d * dayStride + block.end
            }
        }

        for (d, blocks) in days.enumerated() {
            var dayName: String { "day \(d + 1)" }
            let isLast = d == days.count - 1
            var previousEnd = Int.min
            var previousModule = -1
            var lunches = 0
            var lunchStart = -1
            var run = 0
            var runReported = false
            var lastDemanding = false
            var contact = 0
            var lastSession = -1
            var lastNonPause = -1
            var seenA = false
            var seenB = false
            var inRun: UInt64 = 0
            for r in 0..<rankedCount { scratch[runsAt + r] = 0 }
            for block in blocks where kind[block.module] == .lunch {
                lunchStart = block.start
                break
            }
            let afternoonFrom = lunchStart >= 0 ? lunchStart : lunchWindowStart

            for (position, block) in blocks.enumerated() {
                let m = block.module
                let length = block.end - block.start
                if length <= 0 {
                    tally.add(
                        .hard, 1, "length", "\(dayName): \(name(m)) at \(clockText(block.start)) has no length; give it its length of \(duration[m]) minutes.")
                }
                if block.start < previousEnd {
                    tally.add(
                        .hard, 1, "overlap",
                        "\(dayName): \(name(m)) at \(clockText(block.start)) overlaps \(name(previousModule)), which runs until \(clockText(previousEnd)); move one of them."
                    )
                }
                if block.start < dayStart || block.end > dayEnd {
                    let over = max(dayStart - block.start, block.end - dayEnd)
                    tally.add(
                        .hard, 1 + over / 15, "day-bounds",
                        "\(dayName): \(name(m)) at \(clockText(block.start))-\(clockText(block.end)) runs outside the day \(clockText(dayStart))-\(clockText(dayEnd)); shorten the day's program."
                    )
                }
                if length > 0 && length != duration[m] {
                    tally.add(
                        .hard, 1, "duration",
                        "\(dayName): \(name(m)) lasts \(length) minutes, but its length is \(duration[m]) minutes\(overridden[m] ? " (staff override)" : ""); give it that length."
                    )
                }
                if excluded[m] {
                    tally.add(.hard, 1, "excluded", "\(dayName): \(name(m)) is scheduled although staff excluded it; remove it.")
                }
                switch kind[m] {
                case .lunch:
                    lunches += 1
                    if block.start < lunchWindowStart || block.end > lunchWindowEnd {
                        tally.add(
                            .hard, 1, "lunch",
                            "\(dayName): lunch at \(clockText(block.start))-\(clockText(block.end)) is outside the lunch window \(clockText(lunchWindowStart))-\(clockText(lunchWindowEnd)); move it into the window."
                        )
                    }
                    run = 0
                    runReported = false
                    lastDemanding = false
                case .break:
                    run = 0
                    runReported = false
                    lastDemanding = false
                case .reflection:
                    contact += max(0, length)
                    lastNonPause = position
                case .session:
                    contact += max(0, length)
                    run += max(0, length)
                    lastSession = position
                    lastNonPause = position
                    scratch[occurrencesAt + m] += 1
                    if run > maxRun && !runReported {
                        runReported = true
                        tally.add(
                            .hard, 1, "run",
                            "\(dayName): \(run) minutes of session work run without a break by \(clockText(block.end)); put a break in after at most \(maxRun) minutes."
                        )
                    }
                    if intensity[m] == 3 {
                        if d == 0 {
                            tally.add(.hard, 1, "intensity-day1", "Day 1 has the demanding \(name(m)) (intensity 3); keep intensity-3 work off the first day.")
                        }
                        if lastDemanding {
                            tally.add(
                                .hard, 1, "recovery-break",
                                "\(dayName): \(name(m)) follows another intensity-3 block without a recovery break; put a break between them.")
                        }
                    }
                    lastDemanding = intensity[m] == 3
                    if let who = partner[m] {
                        if who == .a { seenA = true } else { seenB = true }
                    }
                    for prerequisite in prerequisites[m] where scratch[prerequisite] > d * dayStride + block.start {
                        if scratch[prerequisite] == Int.max {
                            tally.add(
                                .hard, 1, "prerequisite",
                                "\(dayName): \(name(m)) needs \(name(prerequisite)) first, but it is not scheduled; schedule it earlier.")
                        } else {
                            tally.add(
                                .hard, 1, "prerequisite",
                                "\(dayName): \(name(m)) at \(clockText(block.start)) comes before its prerequisite \(name(prerequisite)); schedule the prerequisite earlier."
                            )
                        }
                    }
                    if !servesAll[m] && rankMask[m] == 0 && !supporting[m] {
                        tally.add(
                            .medium, 2, "unranked",
                            "\(dayName): \(name(m)) serves none of the couple's ranked priorities and prepares none; replace it with work on a ranked priority."
                        )
                    }
                    let mask = rankMask[m]
                    if mask != 0 {
                        rankedTotal += length
                        var bits = mask
                        while bits != 0 {
                            let r = bits.trailingZeroBitCount
                            bits &= bits - 1
                            scratch[rankMinutesAt + r] += length
                        }
                        let started = mask & ~inRun
                        var startedBits = started
                        while startedBits != 0 {
                            let r = startedBits.trailingZeroBitCount
                            startedBits &= startedBits - 1
                            scratch[runsAt + r] += 1
                        }
                        inRun = mask
                    } else if !servesAll[m] {
                        inRun = 0
                    }
                    // Morning/afternoon preferences.
                    let afternoon = block.start >= afternoonFrom
                    if afternoon && intensity[m] >= 2 {
                        tally.add(
                            .soft, intensity[m] - 1, "afternoon-intensity",
                            "\(dayName): demanding \(name(m)) (intensity \(intensity[m])) is after lunch; such work goes better in the morning.")
                    }
                    if (timeOfDay[m] == .morning && afternoon) || (timeOfDay[m] == .afternoon && !afternoon) {
                        tally.add(.soft, 1, "time-of-day", "\(dayName): \(name(m)) prefers the \(timeOfDay[m].rawValue) but is at \(clockText(block.start)).")
                    }
                    // Phase order over the whole intensive (calming blocks may go anywhere).
                    if !calming[m] {
                        switch phase[m] {
                        case 0:
                            let later = phaseCounts.1 + phaseCounts.2
                            if later > 0 {
                                inversions += later
                                if inversionExample.0 < 0 { inversionExample = (phaseCounts.2 > 0 ? lastOfPhase.2 : lastOfPhase.1, m) }
                            }
                            phaseCounts.0 += 1
                            lastOfPhase.0 = m
                        case 1:
                            if phaseCounts.2 > 0 {
                                inversions += phaseCounts.2
                                if inversionExample.0 < 0 { inversionExample = (lastOfPhase.2, m) }
                            }
                            phaseCounts.1 += 1
                            lastOfPhase.1 = m
                        default:
                            phaseCounts.2 += 1
                            lastOfPhase.2 = m
                        }
                    }
                }
                previousEnd = max(previousEnd, block.end)
                previousModule = m
            }

            if lunches != 1 {
                tally.add(
                    .hard, 1, "lunch",
                    lunches == 0
                        ? "\(dayName) has no lunch; put one in the window \(clockText(lunchWindowStart))-\(clockText(lunchWindowEnd))."
                        : "\(dayName) has \(lunches) lunches; keep exactly one.")
            }
            if contact > maxContact {
                tally.add(
                    .hard, 1 + (contact - maxContact) / 15, "contact",
                    "\(dayName) has \(contact) minutes of contact, more than the cap of \(maxContact); drop or shorten a session.")
            } else if contact < maxContact {
                tally.add(.soft, (maxContact - contact) / 15, "unused-contact", "\(dayName) uses \(contact) of \(maxContact) contact minutes.")
            }
            if lastSession < 0 {
                tally.add(.hard, 1, "closing", "\(dayName) has no sessions; plan at least a calming closing block.")
            } else {
                let closing = blocks[lastSession].module
                if intensity[closing] == 3 {
                    tally.add(.hard, 1, "demanding-end", "\(dayName) ends with the demanding \(name(closing)) (intensity 3); end the day with calmer work.")
                }
                if !(calming[closing] || phase[closing] == Phase.integration.order) {
                    tally.add(
                        .hard, 1, "closing",
                        "\(dayName) closes with \(name(closing)), which is neither calming nor integration work; close with a calming or integration block.")
                }
            }
            if d == 0 {
                if let first = blocks.first {
                    if !isIntake[first.module] {
                        tally.add(
                            .hard, 1, "intake-first", "Day 1 opens with \(name(first.module)) instead of intake and history; start with the intake session.")
                    }
                } else {
                    tally.add(.hard, 1, "intake-first", "Day 1 is empty; it must open with intake and history.")
                }
                for (who, seen) in [(Partner.a, seenA), (Partner.b, seenB)] where !seen {
                    tally.add(
                        .hard, 1, "individual", "Day 1 has no time alone with partner \(who.rawValue); schedule that partner's individual session on day 1.")
                }
            }
            if isLast {
                if lastNonPause < 0 || !isPlanForward[blocks[lastNonPause].module] || kind[blocks[lastNonPause].module] != .session {
                    let what = lastNonPause < 0 ? "nothing" : name(blocks[lastNonPause].module)
                    tally.add(
                        .hard, 1, "plan-forward", "The last day ends with \(what) instead of the plan forward; end the intensive with the plan-forward session."
                    )
                }
            } else if blocks.last.map({ kind[$0.module] != .reflection }) ?? true {
                tally.add(.hard, 1, "reflection", "\(dayName) does not end with the evening reflection and homework; end it with the reflection block.")
            }
            var sessionNumber = 0
            for block in blocks where kind[block.module] == .session {
                let m = block.module
                if opensDay[m] && (d == 0 || sessionNumber > 0) {
                    tally.add(.soft, 2, "opens-day", "\(dayName): \(name(m)) belongs at the start of days 2 onward.")
                }
                if closesDay[m] && (lastSession < 0 || blocks[lastSession].module != m || blocks[lastSession].start != block.start) {
                    tally.add(.soft, 2, "closes-day", "\(dayName): \(name(m)) belongs at the end of the day.")
                }
                sessionNumber += 1
            }
            for r in 0..<rankedCount where scratch[runsAt + r] > 1 {
                let groups = scratch[runsAt + r]
                tally.add(.soft, groups - 1, "together", "\(dayName): the \(ranked[r].rawValue) sessions are split into \(groups) groups; keep them together.")
            }
        }

        // Pins.
        for pin in pins {
            let kept = pin.day < days.count && days[pin.day].contains { $0.module == pin.module && $0.start == pin.start }
            if !kept {
                tally.add(
                    .hard, 1, "pin", "\(name(pin.module)) is pinned to day \(pin.day + 1) at \(clockText(pin.start)) but is not there; keep it at that time.")
            }
        }
        for pin in unknownPins {
            tally.add(.hard, 1, "pin", "The pin of \"\(pin.moduleID)\" names a module that is not in the catalog; remove the pin or add the module.")
        }

        // Repeats.
        for m in 0..<n where scratch[occurrencesAt + m] > 1 && !repeatable[m] {
            let times = scratch[occurrencesAt + m]
            tally.add(.medium, 2 * (times - 1), "repeat", "\(name(m)) is scheduled \(times) times but may appear only once; drop the repeats.")
        }
        let rankMinutes = Array(scratch[rankMinutesAt..<(rankMinutesAt + rankedCount)])

        // Minutes by rank.
        for r in 0..<rankedCount where rankMinutes[r] == 0 {
            tally.add(.medium, 4, "rank-missing", "\(ranked[r].rawValue) (rank \(r + 1)) gets no session time; schedule at least one of its modules.")
        }
        if rankedCount > 1 {
            for higher in 0..<(rankedCount - 1) {
                // Falling behind a higher rank weighs more the higher that rank is (rank 1 most).
                let weight = rankedCount - higher
                for lower in (higher + 1)..<rankedCount where rankMinutes[lower] > rankMinutes[higher] {
                    tally.add(
                        .medium, weight * (1 + (rankMinutes[lower] - rankMinutes[higher]) / 15), "rank-order",
                        "\(ranked[lower].rawValue) (rank \(lower + 1)) gets \(rankMinutes[lower]) session minutes, more than \(ranked[higher].rawValue) (rank \(higher + 1)) with \(rankMinutes[higher]); give the higher rank at least as much."
                    )
                }
            }
            if rankedTotal > 0 {
                let deviation = abs(2 * rankMinutes[0] - rankedTotal)
                let excess = deviation - rankedTotal / 5
                if excess > 0 {
                    tally.add(
                        .soft, excess / 30, "rank-share",
                        "\(ranked[0].rawValue) (rank 1) gets \(rankMinutes[0]) of \(rankedTotal) priority minutes (\(rankMinutes[0] * 100 / rankedTotal)%); aim for about half."
                    )
                }
            }
        }
        if inversions > 0 {
            tally.add(
                .soft, inversions, "phase-order",
                "\(inversions) pair(s) of sessions run against the opening-core-integration order\(inversionExample.0 >= 0 ? " (e.g. \(name(inversionExample.0)) before \(name(inversionExample.1)))" : "")."
            )
        }
        return tally.score
    }
}

extension Problem {
    /// A quick, day-local test for hard violations (bounds, contact cap, lunch window, how the day
    /// opens and closes, pins): `true` means the day certainly breaks a hard rule. Prerequisites
    /// and other cross-day rules are left to `evaluate`.
    func dayBreaksHardRule(_ d: Int, _ blocks: [Placed]) -> Bool {
        var contact = 0
        var lunches = 0
        var lastSession = -1
        var lastNonPause = -1
        var seenA = false
        var seenB = false
        for (position, block) in blocks.enumerated() {
            if block.end > dayEnd { return true }
            let m = block.module
            switch kind[m] {
            case .lunch:
                lunches += 1
                if block.start < lunchWindowStart || block.end > lunchWindowEnd { return true }
            case .break:
                break
            case .reflection:
                contact += block.end - block.start
                lastNonPause = position
            case .session:
                contact += block.end - block.start
                lastSession = position
                lastNonPause = position
                let pinned = pin(day: d, module: m)
                if pinned >= 0 && pinned != block.start { return true }
                if partner[m] == .a { seenA = true } else if partner[m] == .b { seenB = true }
            }
        }
        if contact > maxContact || lunches != 1 || lastSession < 0 { return true }
        let closing = blocks[lastSession].module
        if intensity[closing] == 3 || !(calming[closing] || phase[closing] == Phase.integration.order) { return true }
        if d == days - 1 {
            if !isPlanForward[blocks[lastNonPause].module] || kind[blocks[lastNonPause].module] != .session { return true }
        } else if kind[blocks[blocks.count - 1].module] != .reflection {
            return true
        }
        if d == 0 {
            if !isIntake[blocks[0].module] || !seenA || !seenB { return true }
        }
        return false
    }
}
