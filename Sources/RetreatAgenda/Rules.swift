// The rules every agenda is held to, in one table. Each rule has an id, a sentence and a check; the
// hard rules' checks are the only place a clinical rule is written. The same table serves:
// - scoring (`Problem.assess` runs every check over a plan),
// - the candidate filters (`admits` / `admitsOnDay`: a module or day a rule always rejects),
// - what the catalog must offer (`requirement`), checked before planning,
// - the local search's day filter (the day checks on the days a move changed), and
// - the exhaustive search's bounds (`monotone` checks over a partial plan).

/// A plan, complete or partial, as the rules see it: the days built so far, each sorted by start.
struct PlanView {
    /// Days 0..<days.count. In a partial plan the days after these are not built yet.
    var days: [[Placed]]
    /// Whether the last of `days` is still being built (its blocks are a prefix of the final day).
    var lastOpen: Bool
}

/// One day as a day rule sees it.
struct DayView {
    /// 0-based day.
    var index: Int
    /// The blocks, sorted by start.
    var blocks: [Placed]
    /// Whether more blocks may still be appended (a partial day in the exhaustive search).
    var open: Bool

    var name: String { "day \(index + 1)" }
}

/// Accumulates penalty points; builds sentences only when explaining.
struct Tally {
    let explain: Bool
    var hard = 0
    var medium = 0
    var soft = 0
    var penalties: [Penalty] = []

    @inline(__always)
    mutating func add(_ rule: AgendaRule, _ points: Int, _ detail: @autoclosure () -> String) {
        guard points > 0 else { return }
        switch rule.level {
        case .hard: hard += points
        case .medium: medium += points
        case .soft: soft += points
        }
        if explain {
            penalties.append(Penalty(level: rule.level, points: points, rule: rule.id, sentence: detail()))
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

/// One rule of the agenda: a clinical rule (hard) or a preference (medium or soft).
///
/// A class only so the scoring loop does not copy the five closures of every rule on every pass.
public final class AgendaRule: Sendable, Identifiable, CustomStringConvertible {
    /// A short code, e.g. `"skill-order"`; penalties carry it in `Penalty.rule`.
    public let id: String
    /// Hard for a clinical rule; medium or soft for a preference.
    public let level: PenaltyLevel
    /// For a hard rule, the rule as a counselor states it; for a preference, what a missed one is
    /// called in the score summary (e.g. "demanding work after lunch").
    public let sentence: String
    /// Whether the check may run on a partial plan (`PlanView.lastOpen`, or fewer days than the
    /// intensive): it then reports only what no way of completing the plan can undo, so its points
    /// on a partial plan never exceed its points on any completion. Non-monotone checks run only on
    /// complete days and complete plans.
    let monotone: Bool
    /// A check of one day (run for every day; with `open`, only for monotone rules).
    let checkDay: (@Sendable (Problem, DayView, inout Tally) -> Void)?
    /// A check of the whole plan.
    let checkPlan: (@Sendable (Problem, PlanView, inout Tally) -> Void)?
    /// A module filter: `false` when any plan holding this session breaks the rule.
    let admits: (@Sendable (Problem, Int) -> Bool)?
    /// A day filter: `false` when any plan holding this session on this day breaks the rule.
    let admitsOnDay: (@Sendable (Problem, Int, Int) -> Bool)?
    /// What the catalog (after exclusions and lengths) lacks for the rule to be kept, or `nil`.
    let requirement: (@Sendable (Problem) -> String?)?

    init(
        _ id: String, _ level: PenaltyLevel, monotone: Bool, _ sentence: String,
        day: (@Sendable (Problem, DayView, inout Tally) -> Void)? = nil,
        plan: (@Sendable (Problem, PlanView, inout Tally) -> Void)? = nil,
        admits: (@Sendable (Problem, Int) -> Bool)? = nil,
        admitsOnDay: (@Sendable (Problem, Int, Int) -> Bool)? = nil,
        requirement: (@Sendable (Problem) -> String?)? = nil
    ) {
        self.id = id
        self.level = level
        self.monotone = monotone
        self.sentence = sentence
        self.checkDay = day
        self.checkPlan = plan
        self.admits = admits
        self.admitsOnDay = admitsOnDay
        self.requirement = requirement
    }

    /// `"id: sentence"`.
    public var description: String { "\(id): \(sentence)" }

    /// The rule with `id` (hard rules and preferences).
    public static func named(_ id: String) -> AgendaRule? {
        Rules.all.first { $0.id == id }
    }

    /// The clinical rules, in the order the README lists them.
    public static var hardRules: [AgendaRule] { Rules.hard }

    /// The preferences (medium and soft) the planner optimises once every hard rule holds.
    public static var preferences: [AgendaRule] { Rules.preferences }
}

/// The table.
enum Rules {
    static let all: [AgendaRule] = hard + preferences

    // MARK: Frame of the day

    static let duration: AgendaRule = AgendaRule(
        "duration", .hard, monotone: true,
        "Every block lasts as long as the catalog (or a staff length) says, so the times the couple is given are the times they get.",
        day: { p, day, tally in
            for block in day.blocks where block.end - block.start != p.duration[block.module] {
                let m = block.module
                tally.add(
                    duration, 1,
                    "\(day.name): \(p.name(m)) at \(clockText(block.start)) lasts \(block.end - block.start) minutes, but its length is \(p.duration[m]) minutes\(p.overridden[m] ? " (staff length)" : "")"
                )
            }
        })

    static let lengthLimits: AgendaRule = AgendaRule(
        "length-limits", .hard, monotone: true,
        "A staff length keeps a block within its clinical limits (the catalog's min_minutes and max_minutes; by default two thirds to one and a half times its length, 10 to 30 minutes for a break, 30 to 120 for lunch): cut short, an intake, a disclosure or a break does not do its work; stretched, it tires the couple past what helps.",
        day: { p, day, tally in
            for block in day.blocks where p.overridden[block.module] && !p.withinLimits(block.module) {
                let m = block.module
                tally.add(
                    lengthLimits, 1,
                    p.duration[m] < p.minMinutes[m]
                        ? "\(day.name): \(p.name(m)) lasts \(p.duration[m]) minutes, shorter than its clinical minimum of \(p.minMinutes[m]) minutes"
                        : "\(day.name): \(p.name(m)) lasts \(p.duration[m]) minutes, longer than its maximum of \(p.maxMinutes[m]) minutes")
            }
        },
        admits: { p, m in !p.overridden[m] || p.withinLimits(m) })

    static let overlap: AgendaRule = AgendaRule(
        "overlap", .hard, monotone: true, "Blocks never overlap: the couple is in one room, doing one thing at a time.",
        day: { p, day, tally in
            var previousEnd = Int.min
            var previous = -1
            for block in day.blocks {
                if block.start < previousEnd {
                    tally.add(
                        overlap, 1,
                        "\(day.name): \(p.name(block.module)) at \(clockText(block.start)) overlaps \(p.name(previous)), which runs until \(clockText(previousEnd))"
                    )
                }
                if block.end > previousEnd {
                    previousEnd = block.end
                    previous = block.module
                }
            }
        })

    static let dayBounds: AgendaRule = AgendaRule(
        "day-bounds", .hard, monotone: true, "The day keeps its hours: nothing starts before the day begins or runs past its end.",
        day: { p, day, tally in
            for block in day.blocks where block.start < p.dayStart || block.end > p.dayEnd {
                let over = max(p.dayStart - block.start, block.end - p.dayEnd)
                tally.add(
                    dayBounds, 1 + over / 15,
                    "\(day.name): \(p.name(block.module)) at \(clockText(block.start))-\(clockText(block.end)) runs outside the day \(clockText(p.dayStart))-\(clockText(p.dayEnd))"
                )
            }
        },
        admits: { p, m in p.kind[m] != .session || p.duration[m] <= p.dayEnd - p.dayStart })

    static let excluded: AgendaRule = AgendaRule(
        "excluded", .hard, monotone: true, "A module staff excluded for this couple is never scheduled.",
        day: { p, day, tally in
            for block in day.blocks where p.excluded[block.module] {
                tally.add(excluded, 1, "\(day.name): \(p.name(block.module)) is scheduled although staff excluded it")
            }
        },
        admits: { p, m in !p.excluded[m] })

    static let lunch: AgendaRule = AgendaRule(
        "lunch", .hard, monotone: true, "Each day has exactly one lunch, inside the lunch window: nobody does deep work hungry.",
        day: { p, day, tally in
            var count = 0
            for block in day.blocks where p.kind[block.module] == .lunch {
                count += 1
                if block.start < p.lunchWindowStart || block.end > p.lunchWindowEnd {
                    tally.add(
                        lunch, 1,
                        "\(day.name): lunch at \(clockText(block.start))-\(clockText(block.end)) is outside the lunch window \(clockText(p.lunchWindowStart))-\(clockText(p.lunchWindowEnd))"
                    )
                }
            }
            if count > 1 {
                tally.add(lunch, count - 1, "\(day.name) has \(count) lunches")
            } else if count == 0 && !day.open {
                tally.add(lunch, 1, "\(day.name) has no lunch")
            }
        },
        requirement: { p in
            guard let module = p.lunchModule else {
                return "The catalog has no usable lunch module; add a module with kind = \"lunch\"."
            }
            if p.lunchWindowEnd - p.lunchWindowStart < p.lunchMinutes {
                return
                    "Lunch lasts \(p.duration[module]) minutes, longer than the lunch window \(clockText(p.lunchWindowStart))-\(clockText(p.lunchWindowEnd)); shorten lunch or widen the window."
            }
            return nil
        })

    static let run: AgendaRule = AgendaRule(
        "run", .hard, monotone: true,
        "No stretch of session work runs longer than the day template allows (90 minutes by default) without a break: attention and regulation wear out.",
        day: { p, day, tally in
            var minutes = 0
            var reported = false
            for block in day.blocks {
                switch p.kind[block.module] {
                case .lunch, .break:
                    minutes = 0
                    reported = false
                case .reflection:
                    break
                case .session:
                    minutes += block.end - block.start
                    if minutes > p.maxRun && !reported {
                        reported = true
                        tally.add(run, 1, "\(day.name): \(minutes) minutes of session work run without a break by \(clockText(block.end))")
                    }
                }
            }
        },
        admits: { p, m in p.kind[m] != .session || p.duration[m] <= p.maxRun },
        requirement: { p in
            p.breakModule == nil ? "The catalog has no usable break module; add a module with kind = \"break\"." : nil
        })

    static let firstDayGentle: AgendaRule = AgendaRule(
        "first-day-gentle", .hard, monotone: true,
        "No demanding (intensity-3) work on day 1: the first day builds safety and skills before anything is opened up.",
        day: { p, day, tally in
            guard day.index == 0 else { return }
            for block in day.blocks where p.kind[block.module] == .session && p.intensity[block.module] == 3 {
                tally.add(firstDayGentle, 1, "day 1 has the demanding \(p.name(block.module)) at \(clockText(block.start))")
            }
        },
        admitsOnDay: { p, m, d in !(d == 0 && p.kind[m] == .session && p.intensity[m] == 3) })

    static let recoveryBreak: AgendaRule = AgendaRule(
        "recovery-break", .hard, monotone: true,
        "Two demanding blocks are always separated by a break, so nobody goes from one hard conversation straight into another.",
        day: { p, day, tally in
            var lastDemanding = false
            for block in day.blocks {
                switch p.kind[block.module] {
                case .lunch, .break: lastDemanding = false
                case .reflection: break
                case .session:
                    let demanding = p.intensity[block.module] == 3
                    if demanding && lastDemanding {
                        tally.add(
                            recoveryBreak, 1, "\(day.name): \(p.name(block.module)) follows another demanding block without a break")
                    }
                    lastDemanding = demanding
                }
            }
        })

    static let contact: AgendaRule = AgendaRule(
        "contact", .hard, monotone: true,
        "A day holds no more contact time than the day template allows (6 hours by default): more is not more helpful.",
        day: { p, day, tally in
            var minutes = 0
            for block in day.blocks where p.kind[block.module] == .session || p.kind[block.module] == .reflection {
                minutes += block.end - block.start
            }
            if minutes > p.maxContact {
                tally.add(
                    contact, 1 + (minutes - p.maxContact) / 15, "\(day.name) has \(minutes) minutes of contact, more than the cap of \(p.maxContact)")
            }
        })

    static let dayClose: AgendaRule = AgendaRule(
        "day-close", .hard, monotone: false,
        "Every day ends calmly: its last session is calming or integration work, never a demanding block, so nobody leaves the room flooded.",
        day: { p, day, tally in
            guard let last = day.blocks.last(where: { p.kind[$0.module] == .session }) else {
                tally.add(dayClose, 1, "\(day.name) has no sessions")
                return
            }
            if !p.canClose[last.module] {
                tally.add(
                    dayClose, 1,
                    "\(day.name) closes with \(p.name(last.module))\(p.intensity[last.module] == 3 ? ", a demanding block" : ", which is neither calming nor integration work")"
                )
            }
        },
        requirement: { p in
            if p.days > 1 && !p.candidates.contains(where: { p.canClose[$0] && !p.isPlanForward[$0] && !p.isCheckIn[$0] }) {
                return
                    "The catalog has no usable calming or integration session to close days 1...\(p.days - 1); add a session with flags = [\"calming\"] or phase = \"integration\"."
            }
            return nil
        })

    // MARK: Opening, closing and the shape of the intensive

    static let intakeFirst: AgendaRule = AgendaRule(
        "intake-first", .hard, monotone: true,
        "Day 1 opens with intake and history: nothing else happens before the counselor knows the couple's story and goals.",
        day: { p, day, tally in
            guard day.index == 0 else { return }
            if let first = day.blocks.first {
                if !p.isIntake[first.module] {
                    tally.add(intakeFirst, 1, "day 1 opens with \(p.name(first.module)) instead of intake and history")
                }
            } else if !day.open {
                tally.add(intakeFirst, 1, "day 1 is empty")
            }
        },
        requirement: { p in
            p.candidates.contains(where: { p.isIntake[$0] })
                ? nil
                : "The catalog has no usable intake and history session to open day 1; add a session with flags = [\"intake\"] (at most \(p.maxRun) minutes long)."
        })

    static let individualTime: AgendaRule = AgendaRule(
        "individual-time", .hard, monotone: false,
        "Day 1 gives each partner time alone with the counselor, so each can say what they cannot yet say in front of the other.",
        day: { p, day, tally in
            guard day.index == 0 else { return }
            for who in Partner.allCases where !day.blocks.contains(where: { p.partner[$0.module] == who }) {
                tally.add(individualTime, 1, "day 1 has no time alone with partner \(who.rawValue)")
            }
        },
        requirement: { p in
            for who in Partner.allCases where !p.candidates.contains(where: { p.partner[$0] == who }) {
                return
                    "The catalog has no usable individual session for partner \(who.rawValue); add a session with flags = [\"individual\"] and partner = \"\(who.rawValue)\"."
            }
            return nil
        })

    static let planForwardLast: AgendaRule = AgendaRule(
        "plan-forward-last", .hard, monotone: false,
        "The last day ends with the plan forward, so the couple leaves with practices, agreements and follow-up.",
        day: { p, day, tally in
            guard day.index == p.days - 1 else { return }
            let last = day.blocks.last { p.kind[$0.module] != .break && p.kind[$0.module] != .lunch }
            if let last, p.isPlanForward[last.module] { return }
            tally.add(planForwardLast, 1, "the last day ends with \(last.map { p.name($0.module) } ?? "nothing") instead of the plan forward")
        },
        requirement: { p in
            p.candidates.contains(where: { p.isPlanForward[$0] && p.canClose[$0] })
                ? nil
                : "The catalog has no usable plan-forward session to end the last day; add a calming or integration session with flags = [\"plan-forward\"]."
        })

    static let reflection: AgendaRule = AgendaRule(
        "reflection", .hard, monotone: false,
        "Every day but the last ends with the evening reflection and homework, so the couple takes the day's work home in a held way.",
        day: { p, day, tally in
            guard day.index < p.days - 1 else { return }
            if let last = day.blocks.last, p.kind[last.module] == .reflection { return }
            tally.add(reflection, 1, "\(day.name) does not end with the evening reflection and homework")
        },
        requirement: { p in
            p.days > 1 && p.reflectionModule == nil
                ? "The catalog has no usable evening reflection; add a module with kind = \"reflection\"." : nil
        })

    static let checkIn: AgendaRule = AgendaRule(
        "check-in", .hard, monotone: true,
        "A morning check-in opens every day after the first (overnight reactions, homework review), and check-ins appear nowhere else.",
        day: { p, day, tally in
            for (position, block) in day.blocks.enumerated() where p.isCheckIn[block.module] && (day.index == 0 || position > 0) {
                tally.add(checkIn, 1, "\(day.name): the check-in \(p.name(block.module)) is at \(clockText(block.start)), not opening a day after the first")
            }
            guard day.index > 0 else { return }
            if let first = day.blocks.first {
                if !p.isCheckIn[first.module] {
                    tally.add(checkIn, 1, "\(day.name) opens with \(p.name(first.module)) instead of the morning check-in")
                }
            } else if !day.open {
                tally.add(checkIn, 1, "\(day.name) has no morning check-in")
            }
        },
        admitsOnDay: { p, m, d in !(p.isCheckIn[m] && d == 0) },
        requirement: { p in
            p.days > 1 && !p.candidates.contains(where: { p.isCheckIn[$0] })
                ? "The catalog has no usable morning check-in to open days 2...\(p.days); add a repeatable session with flags = [\"check-in\"]." : nil
        })

    static let homework: AgendaRule = AgendaRule(
        "homework", .hard, monotone: false,
        "The night after a demanding day gets self-soothing homework, not an exercise or a dialogue to practise: the couple rests and regulates before more work.",
        day: { p, day, tally in
            guard day.index < p.days - 1, let last = day.blocks.last, p.kind[last.module] == .reflection else { return }
            let demanding = day.blocks.contains { p.kind[$0.module] == .session && p.intensity[$0.module] == 3 }
            if demanding && p.homework[last.module] != .selfSoothing {
                tally.add(homework, 1, "\(day.name) is demanding, but its evening sends the couple home with \(p.name(last.module))")
            }
        },
        requirement: { p in
            guard p.days > 1, p.soothingReflection == nil else { return nil }
            let demanding = p.candidates.contains { m in p.intensity[m] == 3 && (0..<(p.days - 1)).contains { p.admits(m, onDay: $0) } }
            return demanding
                ? "The catalog has no self-soothing homework for the night after a demanding day; add a reflection with homework = \"self-soothing\"."
                : nil
        })

    static let homeworkTaught: AgendaRule = AgendaRule(
        "homework-taught", .hard, monotone: true,
        "Homework practises only what the couple has been taught: no dialogue to practise at home before the dialogue has been taught, no mirroring exercise before listening and mirroring.",
        plan: { p, view, tally in
            var taught: UInt8 = 0
            for (d, blocks) in view.days.enumerated() {
                for block in blocks {
                    let needs = p.homeworkMask[block.module]
                    if needs & ~taught != 0 {
                        let missing = Skill.allCases.filter { needs & ~taught & $0.bit != 0 }.map(\.rawValue)
                        tally.add(
                            homeworkTaught, 1,
                            "day \(d + 1): the evening \(p.name(block.module)) sets homework practising \(missing.joined(separator: " and ")), which has not been taught yet"
                        )
                    }
                    taught |= p.skillMask[block.module]
                }
            }
        },
        requirement: { p in
            p.days > 1 && !p.evenings.contains(where: { p.homeworkMask[$0] & ~(Skill.selfSoothing.bit | Skill.listening.bit | Skill.mirroring.bit) == 0 })
                ? "The catalog has no usable evening reflection for the first night whose homework practises only what day 1 teaches; add a reflection with homework = \"self-soothing\" or \"mirroring\"."
                : nil
        })

    static let followedBy: AgendaRule = AgendaRule(
        "followed-by", .hard, monotone: false,
        "What opens something up is closed the same day: a breakthrough on an unresolved issue is followed by repair and agreements before the couple goes home (the catalog's followed_by).",
        day: { p, day, tally in
            for (position, block) in day.blocks.enumerated() where !p.followers[block.module].isEmpty {
                for f in p.followers[block.module] where !day.blocks[(position + 1)...].contains(where: { $0.module == f }) {
                    tally.add(
                        followedBy, 1, "\(day.name): \(p.name(block.module)) at \(clockText(block.start)) is not followed the same day by \(p.name(f))")
                }
            }
        })

    /// A lost pin outweighs any other combination of broken rules, so the search keeps pins and a
    /// refusal names the rule the pins force to break.
    static let brokenPinPoints = 1_000

    static let pins: AgendaRule = AgendaRule(
        "pins", .hard, monotone: true, "Staff pins are kept: a pinned session is at its pinned day and time.",
        plan: { p, view, tally in
            let complete = !view.lastOpen && view.days.count == p.days
            for pin in p.pins {
                if pin.day < view.days.count {
                    let blocks = view.days[pin.day]
                    if blocks.contains(where: { $0.module == pin.module && $0.start == pin.start }) { continue }
                    let open = view.lastOpen && pin.day == view.days.count - 1
                    // While a day is open, a pin is lost only once the day has run past its start.
                    if open && (blocks.last?.end ?? Int.min) <= pin.start { continue }
                } else if !complete {
                    continue
                }
                tally.add(pins, Rules.brokenPinPoints, "\(p.name(pin.module)) is pinned to day \(pin.day + 1) at \(clockText(pin.start)) but is not there")
            }
            if complete {
                for pin in p.unknownPins {
                    tally.add(pins, Rules.brokenPinPoints, "the pin of \"\(pin.moduleID)\" names a module that is not in the catalog")
                }
            }
        })

    // MARK: Order and repetition

    static let prerequisite: AgendaRule = AgendaRule(
        "prerequisite", .hard, monotone: true, "A module comes after the modules it builds on (its prerequisites in the catalog).",
        plan: { p, view, tally in
            let stride = 100_000
            var firstEnd = [Int](repeating: Int.max, count: p.n)
            for (d, blocks) in view.days.enumerated() {
                for block in blocks where d * stride + block.end < firstEnd[block.module] {
                    firstEnd[block.module] = d * stride + block.end
                }
            }
            for (d, blocks) in view.days.enumerated() {
                for block in blocks where p.kind[block.module] == .session {
                    for q in p.prerequisites[block.module] where firstEnd[q] > d * stride + block.start {
                        tally.add(
                            prerequisite, 1,
                            firstEnd[q] == Int.max
                                ? "day \(d + 1): \(p.name(block.module)) needs \(p.name(q)) first, but it is not scheduled"
                                : "day \(d + 1): \(p.name(block.module)) at \(clockText(block.start)) comes before its prerequisite \(p.name(q))")
                    }
                }
            }
        })

    static let repeats: AgendaRule = AgendaRule(
        "repeat", .hard, monotone: true, "A session is given once, unless the catalog marks it repeatable; then at most once a day.",
        plan: { p, view, tally in
            var total = [Int](repeating: 0, count: p.n)
            for (d, blocks) in view.days.enumerated() {
                for (position, block) in blocks.enumerated() where p.kind[block.module] == .session {
                    let m = block.module
                    total[m] += 1
                    // A repeatable module a second time on one day (reported at its second occurrence).
                    if p.repeatable[m] && blocks[..<position].contains(where: { $0.module == m }) {
                        tally.add(repeats, 1, "day \(d + 1) has \(p.name(m)) more than once")
                    }
                }
            }
            for m in 0..<p.n where total[m] > 1 && !p.repeatable[m] {
                tally.add(repeats, total[m] - 1, "\(p.name(m)) is scheduled \(total[m]) times but may be given only once")
            }
        })

    // MARK: The five skills

    static let skillsTaught: AgendaRule = AgendaRule(
        "skills-taught", .hard, monotone: false,
        "Every agenda teaches the five skills of the practice: self-soothing, listening, mirroring, opening the heart and dialogue.",
        plan: { p, view, tally in
            var taught: UInt8 = 0
            for blocks in view.days {
                for block in blocks { taught |= p.skillMask[block.module] }
            }
            for skill in Skill.allCases where taught & skill.bit == 0 {
                tally.add(skillsTaught, 1, "no session teaches \(skill.rawValue)")
            }
        },
        requirement: { p in
            for skill in Skill.allCases where !p.candidates.contains(where: { p.skillMask[$0] & skill.bit != 0 }) {
                return
                    "The catalog has no session teaching \(skill.rawValue) that this couple can be given; add one with skills = [\"\(skill.rawValue)\"] that serves [\"all\"] or is flagged general (and keep it in the agenda)."
            }
            return nil
        })

    static let skillOrder: AgendaRule = AgendaRule(
        "skill-order", .hard, monotone: true,
        "Skills are taught in an order that can be learned: self-soothing before listening and mirroring, mirroring before dialogue, and opening the heart once both partners can listen and mirror.",
        plan: { p, view, tally in
            var taught: UInt8 = 0
            for (d, blocks) in view.days.enumerated() {
                for block in blocks {
                    let mask = p.skillMask[block.module]
                    guard mask != 0 else { continue }
                    for skill in Skill.allCases where mask & skill.bit != 0 && taught & skill.bit == 0 {
                        for earlier in skill.buildsOn where taught & earlier.bit == 0 {
                            tally.add(
                                skillOrder, 1,
                                "day \(d + 1): \(p.name(block.module)) at \(clockText(block.start)) teaches \(skill.rawValue) before \(earlier.rawValue) has been taught"
                            )
                        }
                    }
                    taught |= mask
                }
            }
        })

    // MARK: Only what the couple ranked

    static let intimacyRanked: AgendaRule = AgendaRule(
        "intimacy-ranked", .hard, monotone: true, "Intimacy work (sex, desire, touch) is planned only when the couple ranked intimacy.",
        plan: { p, view, tally in
            guard !p.intimacyRanked else { return }
            for (d, blocks) in view.days.enumerated() {
                for block in blocks where p.intimate[block.module] {
                    tally.add(intimacyRanked, 1, "day \(d + 1) has the intimacy work \(p.name(block.module)), but intimacy is not ranked")
                }
            }
        },
        admits: { p, m in p.intimacyRanked || !p.intimate[m] })

    static let affairRanked: AgendaRule = AgendaRule(
        "affair-ranked", .hard, monotone: true, "Affair-recovery work is planned only when the couple ranked affair recovery.",
        plan: { p, view, tally in
            guard !p.affairRanked else { return }
            for (d, blocks) in view.days.enumerated() {
                for block in blocks where p.servesAffair[block.module] {
                    tally.add(affairRanked, 1, "day \(d + 1) has the affair-recovery work \(p.name(block.module)), but affair recovery is not ranked")
                }
            }
        },
        admits: { p, m in p.affairRanked || !p.servesAffair[m] })

    static let unrankedGeneral: AgendaRule = AgendaRule(
        "unranked-general", .hard, monotone: true,
        "Work for a priority the couple did not rank appears only if the catalog marks it general (useful to any couple, as the five skills are), and then only to fill time.",
        plan: { p, view, tally in
            for (d, blocks) in view.days.enumerated() {
                for block in blocks where p.kind[block.module] == .session && !p.servesRankedOrGeneral(block.module) {
                    tally.add(
                        unrankedGeneral, 1,
                        "day \(d + 1): \(p.name(block.module)) serves none of the ranked priorities and is not marked general in the catalog")
                }
            }
        },
        admits: { p, m in p.kind[m] != .session || p.servesRankedOrGeneral(m) })

    /// "Clearly more": at least a quarter more than the rank below, and at least this many minutes more.
    static let rankMargin = 15

    static let rankTime: AgendaRule = AgendaRule(
        "rank-time", .hard, monotone: false,
        "Time follows the ranking: beyond what the clinical rules require (the atonement steps, the first teaching of each skill, the work that concludes an unresolved issue), each ranked priority gets clearly more session time than the priority ranked below it (at least a quarter more, and at least 15 minutes more), unless neither gets any.",
        plan: { p, view, tally in
            let time = p.rankTime(view).minutes
            for r in 0..<max(0, time.count - 1) where !p.ranksInOrder(time[r], time[r + 1]) {
                let wanted = time[r + 1] + p.rankGap(below: time[r + 1])
                tally.add(
                    rankTime, 1 + (wanted - time[r]) / 15,
                    "beyond what the clinical rules require, \(p.ranked[r].rawValue) (rank \(r + 1)) gets \(time[r]) session minutes and \(p.ranked[r + 1].rawValue) (rank \(r + 2)) \(time[r + 1]); rank \(r + 1) should get at least \(wanted)"
                )
            }
        })

    static let concluded: AgendaRule = AgendaRule(
        "concluded", .hard, monotone: false,
        "When unresolved issues are ranked, that work ends in repair and agreements (the catalog's concluding session, after the issue's other work), so the couple does not leave with the issue opened and left open.",
        plan: { p, view, tally in
            for r in p.concludedRanks {
                let bit = UInt64(1) << UInt64(r)
                var done = false
                for (d, blocks) in view.days.enumerated() {
                    for block in blocks where p.kind[block.module] == .session {
                        let m = block.module
                        if p.concludes[m] && p.rankMask[m] & bit != 0 {
                            done = true
                        } else if done && p.ownWorkOf(rank: r, m) {
                            tally.add(
                                concluded, 1,
                                "day \(d + 1): \(p.name(m)) at \(clockText(block.start)) reopens \(p.ranked[r].rawValue) after its concluding session")
                        }
                    }
                }
                if !done {
                    tally.add(concluded, 1, "\(p.ranked[r].rawValue) (rank \(r + 1)) is ranked, but its work does not end with a concluding session")
                }
            }
        },
        requirement: { p in
            for r in p.concludedRanks {
                let bit = UInt64(1) << UInt64(r)
                guard !p.candidates.contains(where: { p.concludes[$0] && p.rankMask[$0] & bit != 0 }) else { continue }
                let names = (0..<p.n).filter { p.concludes[$0] && p.rankMask[$0] & bit != 0 }.map(p.name).joined(separator: ", ")
                return
                    "\(p.ranked[r].rawValue) is ranked, but its concluding session (\(names)) cannot be planned for this couple; keep it and what it builds on in the agenda."
            }
            return nil
        })

    // MARK: Affair recovery: atone, attune, attach

    static let affairSteps: AgendaRule = AgendaRule(
        "affair-steps", .hard, monotone: false,
        "When affair recovery is ranked, the intensive takes every atonement step: safety, disclosure, the hurt partner's questions, the impact heard, then remorse and a trust-and-repair plan in the same intensive, so the couple never leaves with the wound open.",
        plan: { p, view, tally in
            guard p.affairRanked else { return }
            var taken: UInt8 = 0
            for blocks in view.days {
                for block in blocks { taken |= p.stepMask[block.module] }
            }
            for step in AtonementStep.allCases where taken & step.bit == 0 {
                tally.add(affairSteps, 1, "affair recovery is ranked, but no session takes the step \(step.rawValue)")
            }
        },
        requirement: { p in
            guard p.affairRanked else { return nil }
            if p.days < 2 {
                return
                    "Affair recovery needs at least two days: disclosure is demanding work, which never happens on day 1; plan a longer intensive or remove affair recovery from the ranking."
            }
            for step in AtonementStep.allCases where !p.candidates.contains(where: { p.stepMask[$0] & step.bit != 0 }) {
                return "The catalog has no usable session for the atonement step \(step.rawValue); add one with atonement = [\"\(step.rawValue)\"]."
            }
            return nil
        })

    static let atoneOrder: AgendaRule = AgendaRule(
        "atone-order", .hard, monotone: true,
        "The atonement steps come in order: safety first, then disclosure, the hurt partner's questions and the impact heard, then remorse and the trust plan.",
        plan: { p, view, tally in
            var taken: UInt8 = 0
            for (d, blocks) in view.days.enumerated() {
                for block in blocks {
                    let mask = p.stepMask[block.module]
                    guard mask != 0 else { continue }
                    let lowest = mask.trailingZeroBitCount
                    let highest = 7 - mask.leadingZeroBitCount
                    let needed: UInt8 = (UInt8(1) << UInt8(lowest)) - 1
                    let later: UInt8 = highest >= 7 ? 0 : ~((UInt8(1) << UInt8(highest + 1)) - 1)
                    if taken & needed != needed || taken & later != 0 {
                        let missing = AtonementStep.allCases.filter { needed & $0.bit != 0 && taken & $0.bit == 0 }.map(\.rawValue)
                        tally.add(
                            atoneOrder, 1,
                            missing.isEmpty
                                ? "day \(d + 1): \(p.name(block.module)) comes after a later atonement step"
                                : "day \(d + 1): \(p.name(block.module)) comes before \(missing.joined(separator: ", "))")
                    }
                    taken |= mask
                }
            }
        })

    static let atoneEarly: AgendaRule = AgendaRule(
        "atone-early", .hard, monotone: true,
        "Disclosure, the hurt partner's questions and the impact come no later than day 2, leaving time in the intensive to hold what they open and to plan repair.",
        plan: { p, view, tally in
            guard p.affairRanked else { return }
            var opened: UInt8 = 0
            for (d, blocks) in view.days.enumerated() {
                for block in blocks {
                    let wound = p.stepMask[block.module] & AtonementStep.woundMask
                    guard wound != 0 else { continue }
                    if d >= 2 {
                        tally.add(atoneEarly, 1, "\(p.name(block.module)) opens the wound on day \(d + 1)")
                    } else {
                        opened |= wound
                    }
                }
            }
            // Once day 2 is complete, a step not taken by then is late for good.
            let closedDays = view.days.count - (view.lastOpen ? 1 : 0)
            if closedDays >= min(2, p.days) && opened != AtonementStep.woundMask {
                let missing = AtonementStep.allCases.filter { $0.opensTheWound && opened & $0.bit == 0 }.map(\.rawValue)
                tally.add(atoneEarly, missing.count, "\(missing.joined(separator: ", ")) did not happen by day 2")
            }
        },
        admitsOnDay: { p, m, d in d < 2 || p.stepMask[m] & AtonementStep.woundMask == 0 })

    static let atoneTogether: AgendaRule = AgendaRule(
        "atone-together", .hard, monotone: true,
        "The wound is opened and tended on one day: from the disclosure through the hurt partner's questions, the impact heard, remorse and the trust plan, nothing but breaks and lunch comes between the steps, so the hurt partner never spends a night with the impact heard and no remorse.",
        plan: { p, view, tally in
            let closing = AtonementStep.remorse.bit | AtonementStep.trustPlan.bit
            var taken: UInt8 = 0
            for (d, blocks) in view.days.enumerated() {
                for block in blocks where p.kind[block.module] == .session {
                    let open = taken & AtonementStep.woundMask != 0 && taken & closing != closing
                    if open && p.stepMask[block.module] == 0 {
                        tally.add(
                            atoneTogether, 1,
                            "day \(d + 1): \(p.name(block.module)) at \(clockText(block.start)) comes between the disclosure and the remorse and trust plan")
                    }
                    taken |= p.stepMask[block.module]
                }
                let dayClosed = !(view.lastOpen && d == view.days.count - 1)
                if dayClosed && taken & AtonementStep.woundMask != 0 && taken & closing != closing {
                    tally.add(atoneTogether, 1, "day \(d + 1) ends after the disclosure without the remorse and the trust plan")
                    taken |= closing  // reported once
                }
            }
        })

    static let attachAfterAtone: AgendaRule = AgendaRule(
        "attach-after-atone", .hard, monotone: true,
        "No touch, sensate-focus or sexual-reconnection work before the atonement steps are done: attach comes after atone.",
        plan: { p, view, tally in
            guard p.affairRanked else { return }
            let all = AtonementStep.allMask
            var taken: UInt8 = 0
            for (d, blocks) in view.days.enumerated() {
                for block in blocks {
                    if p.touch[block.module] && taken != all {
                        tally.add(attachAfterAtone, 1, "day \(d + 1): \(p.name(block.module)) comes before the atonement steps are done")
                    }
                    taken |= p.stepMask[block.module]
                }
            }
        })

    static let noBlameAfterDisclosure: AgendaRule = AgendaRule(
        "no-blame-after-disclosure", .hard, monotone: true,
        "Nothing framed around blame follows a disclosure: after it, the work is hearing the hurt, not weighing positions.",
        plan: { p, view, tally in
            var disclosed = false
            for (d, blocks) in view.days.enumerated() {
                for block in blocks {
                    if disclosed && p.blameFraming[block.module] {
                        tally.add(noBlameAfterDisclosure, 1, "day \(d + 1): \(p.name(block.module)) is framed around blame and follows the disclosure")
                    }
                    if p.stepMask[block.module] & AtonementStep.disclosure.bit != 0 { disclosed = true }
                }
            }
        })

    /// The rules whose day check also holds for the pinned blocks of a day alone, once a break is
    /// put into every gap between pins where one fits: any agenda keeping the pins breaks them too.
    static let pinChecked: [AgendaRule] = [overlap, dayBounds, recoveryBreak, run, contact]

    /// Every clinical rule, in the order the README lists them.
    static let hard: [AgendaRule] = [
        intakeFirst, individualTime, checkIn, dayClose, reflection, homework, homeworkTaught, planForwardLast,
        affairRanked, affairSteps, atoneOrder, atoneEarly, atoneTogether, attachAfterAtone, noBlameAfterDisclosure, followedBy, intimacyRanked,
        unrankedGeneral, rankTime, concluded, skillsTaught, skillOrder, prerequisite, repeats,
        firstDayGentle, recoveryBreak, run, contact, lunch, dayBounds, overlap, duration, lengthLimits, excluded, pins,
    ]
}

extension AtonementStep {
    /// Disclosure, questions and impact.
    static let woundMask: UInt8 = AtonementStep.allCases.filter(\.opensTheWound).reduce(0) { $0 | $1.bit }
    /// Every step.
    static let allMask: UInt8 = AtonementStep.allCases.reduce(0) { $0 | $1.bit }
}

extension Problem {
    /// Whether session `m` serves a ranked priority, serves all or is marked general.
    func servesRankedOrGeneral(_ m: Int) -> Bool {
        servesAll[m] || rankMask[m] != 0 || general[m]
    }

    /// Whether a staff length keeps module `m` within its clinical limits.
    func withinLimits(_ m: Int) -> Bool {
        (minMinutes[m]...max(minMinutes[m], maxMinutes[m])).contains(duration[m])
    }

    /// How many minutes more than `lower` the rank above it needs to get clearly more: a quarter of
    /// `lower`, and at least `Rules.rankMargin`.
    func rankGap(below lower: Int) -> Int {
        max(Rules.rankMargin, (lower + 3) / 4)
    }

    /// Whether `higher` minutes for a rank and `lower` for the rank below it follow the ranking:
    /// clearly more (`rankGap`), or nothing for either.
    func ranksInOrder(_ higher: Int, _ lower: Int) -> Bool {
        (higher == 0 && lower == 0) || higher >= lower + rankGap(below: lower)
    }

    /// Whether session `m` is the own work of ranked priority `r` that a concluding session closes
    /// (it serves nothing but priorities a concluding session of `r` serves).
    func ownWorkOf(rank r: Int, _ m: Int) -> Bool {
        ownRanks[m] & (UInt64(1) << UInt64(r)) != 0
    }

    /// Whether session `m`, after sessions that taught the skills in `taught`, only fills time:
    /// general work for priorities the couple did not rank (the first teaching of a skill aside).
    func isFill(_ m: Int, taught: UInt8) -> Bool {
        kind[m] == .session && !servesAll[m] && rankMask[m] == 0 && skillMask[m] & ~taught == 0
    }

    /// Scores a plan against every rule. On a partial plan (`lastOpen`, or fewer days than the
    /// intensive) only monotone checks run on the open day and the plan, so the result is a lower
    /// bound, level by level, of the score of every completion.
    func assess(_ view: PlanView, explain: Bool) -> Score {
        var tally = Tally(explain: explain)
        let complete = !view.lastOpen && view.days.count == days
        for rule in Rules.all {
            if let check = rule.checkDay {
                for (d, blocks) in view.days.enumerated() {
                    let open = view.lastOpen && d == view.days.count - 1
                    if open && !rule.monotone { continue }
                    check(self, DayView(index: d, blocks: blocks, open: open), &tally)
                }
            }
            if let check = rule.checkPlan, complete || rule.monotone {
                check(self, view, &tally)
            }
        }
        return tally.score
    }

    /// Scores complete laid-out days (`self.days` of them, each sorted by start).
    func evaluate(_ days: [[Placed]], explain: Bool) -> Score {
        assess(PlanView(days: days, lastOpen: false), explain: explain)
    }

    /// Hard points of the day rules on one complete day: more than 0 means every plan holding this
    /// day breaks a clinical rule (the local search's day filter).
    func dayHardPoints(_ d: Int, _ blocks: [Placed]) -> Int {
        var tally = Tally(explain: false)
        let view = DayView(index: d, blocks: blocks, open: false)
        for rule in Rules.hard {
            rule.checkDay?(self, view, &tally)
        }
        return tally.hard
    }
}
