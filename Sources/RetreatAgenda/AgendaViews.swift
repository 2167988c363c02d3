import RetreatScheduling

extension Score {
    /// The score in words for staff, e.g. "all clinical rules hold; 2 soft preferences missed:
    /// demanding work after lunch (2), contact time left unused". Counts are of distinct rules;
    /// broken clinical rules are named by their sentence, preferences by the short phrase of
    /// `AgendaRule.preferences`, with the number of times when more than once. Needs the penalties
    /// (scores from the planners and `score(_:for:)` have them).
    public var summary: String {
        func grouped(_ level: PenaltyLevel) -> (count: Int, text: String) {
            let penalties = self.penalties.filter { $0.level == level }
            var order: [String] = []
            var counts: [String: Int] = [:]
            for penalty in penalties {
                if counts[penalty.rule] == nil { order.append(penalty.rule) }
                counts[penalty.rule, default: 0] += 1
            }
            let parts = order.map { rule -> String in
                var phrase = AgendaRule.named(rule)?.sentence ?? rule
                if phrase.hasSuffix(".") { phrase.removeLast() }
                let count = counts[rule] ?? 1
                return count > 1 ? "\(phrase) (\(count))" : phrase
            }
            return (order.count, parts.joined(separator: level == .hard ? " / " : ", "))
        }
        var parts: [String] = []
        let hard = grouped(.hard)
        if hard.count == 0 && self.hard == 0 {
            parts.append("all clinical rules hold")
        } else {
            let count = max(hard.count, 1)
            parts.append("\(count) clinical rule\(count == 1 ? " is" : "s are") broken: \(hard.text.isEmpty ? "(details not kept)" : hard.text)")
        }
        let medium = grouped(.medium)
        if medium.count > 0 {
            parts.append("\(medium.count) shortcoming\(medium.count == 1 ? "" : "s"): \(medium.text)")
        }
        let soft = grouped(.soft)
        if soft.count > 0 {
            parts.append("\(soft.count) soft preference\(soft.count == 1 ? "" : "s") missed: \(soft.text)")
        } else if medium.count == 0 && self.medium == 0 && self.soft == 0 {
            parts.append("no preference missed")
        }
        return parts.joined(separator: "; ")
    }
}

/// Exactly what the couple's calendar will contain: for each day its date and, for each block, the
/// times and the neutral client title. No module ids, no staff titles, no priorities, no intake.
public struct CoupleAgenda: Hashable, Codable, Sendable {
    /// One day as the couple sees it.
    public struct Day: Hashable, Codable, Sendable {
        /// The calendar date, when the caller supplied the start date.
        public var date: CalendarDay?
        /// The blocks in time order.
        public var blocks: [Block]

        /// Creates a day.
        public init(date: CalendarDay?, blocks: [Block]) {
            self.date = date
            self.blocks = blocks
        }
    }

    /// One block as the couple sees it.
    public struct Block: Hashable, Codable, Sendable {
        /// `"HH:MM"`.
        public var start: ClockTime
        /// `"HH:MM"`.
        public var end: ClockTime
        /// The neutral client title ("Session", "Break", "Reflection", ...).
        public var title: String

        /// Creates a block.
        public init(start: ClockTime, end: ClockTime, title: String) {
            self.start = start
            self.end = end
            self.title = title
        }
    }

    /// The days, first to last.
    public var days: [Day]

    /// Creates a couple's view.
    public init(days: [Day]) {
        self.days = days
    }

    /// The view as lines: one per day ("Day 1, 2027-01-11"), then one per block ("  09:00-10:30  Welcome
    /// session"). A terminal prints them one by one, so a control character inside a title stays escaped.
    public var lines: [String] {
        var lines: [String] = []
        for (index, day) in days.enumerated() {
            lines.append("Day \(index + 1)" + (day.date.map { ", \($0)" } ?? ""))
            for block in day.blocks { lines.append("  \(block.start)-\(block.end)  \(block.title)") }
        }
        return lines
    }

    /// The view as text: `lines` joined by line breaks.
    public var text: String { lines.joined(separator: "\n") }
}

extension Agenda {
    /// The agenda as the couple's calendar will show it, day `i` dated `startDate + i`.
    public func coupleView(startDate: CalendarDay?) -> CoupleAgenda {
        CoupleAgenda(
            days: days.map { day in
                CoupleAgenda.Day(
                    date: startDate?.adding(days: day.index),
                    blocks: day.blocks.sorted { $0.start < $1.start }.map { CoupleAgenda.Block(start: $0.start, end: $0.end, title: $0.clientTitle) })
            })
    }
}
