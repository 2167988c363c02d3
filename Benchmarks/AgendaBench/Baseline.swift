// An independent baseline for the planner: randomized restarts of a constraint-ordered
// construction, written separately from the planner. It uses only the public API: the catalog's
// module fields, the day template, and `score(_:for:)` to pick the best of its restarts (the same
// objective the planner optimises). It shares none of the planner's code: not its construction,
// not its day layout, not its search, not its filters.
import RetreatAgenda
import RetreatScheduling

struct RestartBaseline {
    /// Restarts per couple.
    var restarts: Int

    func plan(_ request: PlanRequest, seed: UInt64) -> Agenda {
        var rng = SplitMix64(seed: seed)
        var best: Agenda?
        for _ in 0..<restarts {
            let days = construct(request, &rng)
            let agenda = Agenda(days: days, score: .perfect)
            let scored = Agenda(days: days, score: score(agenda, for: request))
            if best.map({ scored.score < $0.score }) ?? true { best = scored }
        }
        return best ?? Agenda(days: [], score: Score(hard: 1, medium: 0, soft: 0))
    }

    /// One restart: pick the modules, order them by their constraints with random ties, deal them
    /// onto days while they fit, and lay each day out.
    func construct(_ request: PlanRequest, _ rng: inout SplitMix64) -> [AgendaDay] {
        let catalog = request.catalog
        let ranked = request.priorities
        let excluded = request.adjustments.excluded
        let template = request.template
        let dayCount = request.days
        func length(_ module: AgendaModule) -> Int { request.adjustments.durationOverrides[module.id] ?? module.minutes }
        let sessions = catalog.modules.filter { $0.kind == .session && !excluded.contains($0.id) && length($0) <= template.maxRunMinutes }
        func allowed(_ m: AgendaModule) -> Bool {
            if (m.intimate || m.touch) && !ranked.contains(.intimacy) { return false }
            if (m.priorities.contains(.affairRecovery) || !m.atonement.isEmpty) && !ranked.contains(.affairRecovery) { return false }
            if m.blameFraming && ranked.contains(.affairRecovery) { return false }
            return m.servesAll || m.general || m.priorities.contains(where: ranked.contains)
        }
        var usable = sessions.filter(allowed)
        // Drop modules whose prerequisites are not usable (until nothing changes).
        while true {
            let ids = Set(usable.map(\.id))
            let kept = usable.filter { $0.prerequisites.allSatisfy(ids.contains) }
            if kept.count == usable.count { break }
            usable = kept
        }
        let intake = usable.first { $0.intake }
        let planForward = usable.first { $0.planForward }
        let checkIn = usable.first { $0.checkIn }
        let closer = usable.filter {
            !$0.planForward && !$0.checkIn && ($0.calming || $0.phase == .integration) && $0.intensity < 3 && $0.prerequisites.isEmpty
        }
        .min { ($0.closesDay ? 0 : 1, length($0)) < ($1.closesDay ? 0 : 1, length($1)) }

        // What every agenda needs: both partners' time alone, a teacher of each skill, every
        // atonement step when affair recovery is ranked; then ranked work in a random order,
        // rank 1 more likely first; then general work.
        var wanted: [AgendaModule] = Partner.allCases.compactMap { who in usable.first { $0.individual == who } }
        for skill in Skill.allCases where !wanted.contains(where: { $0.skills.contains(skill) }) {
            if let teacher = usable.filter({ $0.skills.contains(skill) }).min(by: { length($0) < length($1) }) { wanted.append(teacher) }
        }
        if ranked.contains(.affairRecovery) {
            for step in AtonementStep.allCases where !wanted.contains(where: { $0.atonement.contains(step) }) {
                if let module = usable.first(where: { $0.atonement.contains(step) }) { wanted.append(module) }
            }
        }
        // A ranked priority whose work the catalog concludes: its concluding session and what it builds on.
        var required = Set<String>()
        var stack = usable.filter { $0.concludes && $0.priorities.contains(where: ranked.contains) }.map(\.id)
        while let id = stack.popLast() {
            guard required.insert(id).inserted, let module = usable.first(where: { $0.id == id }) else { continue }
            let opensOrCloses = module.intake || module.checkIn || module.planForward || module.individual != nil
            if !opensOrCloses && !wanted.contains(where: { $0.id == id }) { wanted.append(module) }
            stack += module.prerequisites
        }
        var optional = usable.filter { m in
            !m.intake && !m.planForward && !m.checkIn && m.individual == nil && !wanted.contains(where: { $0.id == m.id }) && m.id != closer?.id
        }
        optional.shuffle(using: &rng)
        func rankOf(_ m: AgendaModule) -> Int { ranked.firstIndex(where: m.priorities.contains) ?? ranked.count }
        optional.sort { rankOf($0) + Int(rng.next() % 2) < rankOf($1) + Int(rng.next() % 2) }
        var pool = wanted + optional

        // Order: a module comes after its prerequisites, skills in teachable order, atonement steps
        // in order, touch after every step, blame-framed work before any disclosure.
        func mustFollow(_ a: AgendaModule, _ b: AgendaModule) -> Bool {  // a after b
            if a.prerequisites.contains(b.id) { return true }
            for skill in a.skills where skill.buildsOn.contains(where: b.skills.contains) { return true }
            if let low = a.atonement.min(), let high = b.atonement.max(), high < low { return true }
            if a.touch && !b.atonement.isEmpty { return true }
            if b.blameFraming && a.atonement.contains(.disclosure) { return true }
            // A concluding session after the other work of the priorities it concludes.
            if a.concludes && !b.concludes && !b.servesAll && !b.priorities.isEmpty && Set(b.priorities).isSubset(of: Set(a.priorities)) {
                return true
            }
            return false
        }
        var ordered: [AgendaModule] = []
        while !pool.isEmpty {
            // The first module in the pool (random order above) that nothing left must precede;
            // atonement steps first, as they are due by day 2.
            let free = pool.indices.filter { i in !pool.contains { other in other.id != pool[i].id && mustFollow(pool[i], other) } }
            guard let index = free.first(where: { !pool[$0].atonement.isEmpty }) ?? free.first else { break }
            ordered.append(pool.remove(at: index))
        }

        // Units dealt together onto one day: the disclosure with the atonement steps after it (the
        // wound opened and tended on one day), and a module with the modules that must follow it.
        var units: [[AgendaModule]] = []
        var grouped = Set<String>()
        // (The individual sessions open day 1 below.)
        for m in ordered where !grouped.contains(m.id) && m.individual == nil {
            var unit = [m]
            if m.atonement.contains(.disclosure) {
                unit += ordered.filter { o in o.id != m.id && !o.atonement.isEmpty && o.atonement.allSatisfy { $0 > .disclosure } }
            }
            for id in m.followedBy { if let f = ordered.first(where: { $0.id == id }), !unit.contains(where: { $0.id == id }) { unit.append(f) } }
            for u in unit { grouped.insert(u.id) }
            units.append(unit)
        }
        // Time beyond the clinical minimum by rank (each session once, for its highest-ranked priority):
        // a lower rank never gets as much as a quarter less than the rank above it.
        var rankMinutes = [Int](repeating: 0, count: ranked.count)
        var taughtSoFar = Set<Skill>()
        func bucket(_ m: AgendaModule) -> Int? {
            if !m.atonement.isEmpty || m.servesAll || required.contains(m.id) || !Set(m.skills).isSubset(of: taughtSoFar) { return nil }
            return ranked.firstIndex(where: m.serves)
        }
        func keepsRankOrder(_ unit: [AgendaModule]) -> Bool {
            var trial = rankMinutes
            for m in unit { if let r = bucket(m) { trial[r] += length(m) } }
            return zip(trial, trial.dropFirst()).allSatisfy { ($0 == 0 && $1 == 0) || $0 >= $1 + max(15, ($1 + 3) / 4) }
        }

        // Deal onto days: day 1 opens with intake and the individual sessions, later days with the
        // check-in; demanding work not on day 1; the wound opened by day 2; each day keeps room for
        // its close (a calming closer, or the plan forward on the last day) and the reflection.
        var days: [[AgendaModule]] = Array(repeating: [], count: dayCount)
        if let intake { days[0].append(intake) }
        for m in ordered where m.individual != nil { days[0].append(m) }
        ordered.removeAll { $0.individual != nil }
        if let checkIn { for d in 1..<max(1, dayCount) { days[d].append(checkIn) } }
        let reflectionMinutes = catalog.modules.first { $0.kind == .reflection }.map(length) ?? 15
        func contact(_ items: [AgendaModule], _ d: Int) -> Int {
            items.reduce(0) { $0 + length($1) } + (d < dayCount - 1 ? reflectionMinutes : 0)
        }
        func closing(_ d: Int) -> AgendaModule? { d == dayCount - 1 ? planForward : closer }
        var placed = Set<String>()
        var d = 0
        var queue = units
        var next = 0
        while next < queue.count {
            let unit = queue[next]
            next += 1
            // What the unit had to bring along that is required on its own (a concluding session after a
            // breakthrough) is tried alone when the unit cannot be placed.
            func retryRequiredRest() {
                let rest = unit.dropFirst().filter { required.contains($0.id) }
                if !rest.isEmpty { queue.insert(Array(rest), at: next) }
            }
            if unit.contains(where: { bucket($0) != nil }) && !keepsRankOrder(unit) {
                retryRequiredRest()
                continue
            }
            let minutes = unit.reduce(0) { $0 + length($1) }
            var e = d
            if unit.contains(where: { $0.intensity == 3 }) && e == 0 { e = min(1, dayCount - 1) }
            if unit.contains(where: { $0.atonement.contains(where: { [.disclosure, .questions, .impact].contains($0) }) }) && e > 1 { continue }
            while e < dayCount {
                let room = template.maxContactMinutes - contact(days[e] + (closing(e).map { [$0] } ?? []), e)
                // A rough fit: the day's minutes, breaks and lunch within its hours.
                let span = template.end.minutes - template.start.minutes - template.lunchMinutes - 3 * template.breakMinutes
                if minutes <= room && contact(days[e], e) + minutes + (closing(e).map(length) ?? 0) <= span { break }
                e += 1
            }
            guard e < dayCount else {
                retryRequiredRest()
                continue
            }
            d = e
            var here = Set(days[d].map(\.id))
            var fits = true
            for m in unit {
                if !m.prerequisites.allSatisfy({ placed.contains($0) || here.contains($0) }) { fits = false }
                here.insert(m.id)
            }
            if !fits { continue }
            for m in unit {
                if let r = bucket(m) { rankMinutes[r] += length(m) }
                taughtSoFar.formUnion(m.skills)
                days[d].append(m)
                placed.insert(m.id)
            }
        }
        for d in 0..<dayCount {
            if let end = closing(d), !days[d].contains(where: { $0.id == end.id }) { days[d].append(end) }
        }
        var taught = Set<Skill>()
        return days.enumerated().map { day in
            taught.formUnion(day.element.flatMap(\.skills))
            return AgendaDay(index: day.offset, blocks: layout(day.element, day: day.offset, request, catalog: catalog, taught: taught))
        }
    }

    /// Times a day: sessions back to back from the day's start, a break when the run would pass the
    /// longest run or two demanding blocks would meet, lunch once the next session would end after
    /// the latest lunch start, the evening reflection at the end of every day but the last (its
    /// homework self-soothing after a demanding day, otherwise the most practice the skills `taught`
    /// by the end of the day allow).
    func layout(_ items: [AgendaModule], day: Int, _ request: PlanRequest, catalog: ModuleCatalog, taught: Set<Skill>) -> [AgendaBlock] {
        let template = request.template
        let overrides = request.adjustments.durationOverrides
        let pause = catalog.modules.first { $0.kind == .break && !request.adjustments.excluded.contains($0.id) }
        let lunch = catalog.modules.first { $0.kind == .lunch && !request.adjustments.excluded.contains($0.id) }
        let lunchMinutes = lunch.flatMap { overrides[$0.id] } ?? template.lunchMinutes
        let breakMinutes = pause.flatMap { overrides[$0.id] } ?? template.breakMinutes
        var blocks: [AgendaBlock] = []
        var t = template.start.minutes
        var run = 0
        var lastDemanding = false
        var hadLunch = false
        func clock(_ minutes: Int) -> ClockTime { ClockTime(hour: min(23, minutes / 60), minute: minutes % 60) ?? template.end }
        func append(_ m: AgendaModule, _ minutes: Int) {
            blocks.append(
                AgendaBlock(
                    start: clock(t), end: clock(t + minutes), kind: m.kind, moduleID: m.id, staffTitle: m.staffTitle, clientTitle: m.clientTitle,
                    priorities: m.priorities, intensity: m.intensity))
            t += minutes
        }
        func takeLunch() {
            guard let lunch, !hadLunch else { return }
            t = max(t, template.lunchWindowStart.minutes)
            append(lunch, lunchMinutes)
            hadLunch = true
            run = 0
            lastDemanding = false
        }
        for m in items {
            let minutes = overrides[m.id] ?? m.minutes
            if !hadLunch && (t >= template.lunchWindowStart.minutes || t + minutes > template.lunchWindowEnd.minutes - lunchMinutes) { takeLunch() }
            if run > 0 && (run + minutes > template.maxRunMinutes || (lastDemanding && m.intensity == 3)), let pause {
                append(pause, breakMinutes)
                run = 0
            }
            append(m, minutes)
            run += minutes
            lastDemanding = m.intensity == 3
        }
        takeLunch()
        if day < request.days - 1 {
            let demanding = items.contains { $0.intensity == 3 }
            let wanted: [Homework?] = demanding ? [.selfSoothing] : [.dialogue, .mirroring, nil, .selfSoothing]
            let evenings = catalog.modules.filter { $0.kind == .reflection && !request.adjustments.excluded.contains($0.id) }
            let evening =
                wanted.lazy.compactMap { homework in
                    evenings.first { $0.homework == homework && Set($0.homework?.skills ?? []).isSubset(of: taught) }
                }.first ?? evenings.first
            if let evening { append(evening, overrides[evening.id] ?? evening.minutes) }
        }
        return blocks
    }
}
