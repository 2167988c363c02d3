import ArgumentParser
import Foundation
import RetreatScheduling
import RetreatStore

extension RetreatCommand {
    struct Calendar: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show a month grid per resource: booked, held, turnover, blackout and free days.",
            discussion:
                "Each day carries a letter, so the grid reads without colour: B booked, H held, T turnover, X blackout, . free (a start is possible), - free (no start possible)."
        )

        @OptionGroup var store: StoreOptions
        @Option(help: "Month to show (YYYY-MM).") var month: String
        @Option(help: "Only this resource.") var resource: String?
        @Flag(help: "Print JSON: [{\"resource\",\"days\":[{\"date\",\"state\"}]}].") var json = false
        @Flag(help: "Never colour the output.") var noColor = false

        struct ResourceMonth: Encodable {
            var resource: String
            var days: [DayJSON]
        }
        struct DayJSON: Encodable {
            var date: CalendarDay
            var state: String
            var canStart: Bool
        }

        func run() throws {
            try guarded {
                let parts = month.split(separator: "-")
                guard parts.count == 2, parts[0].count == 4, parts[1].count == 2, let y = Int(parts[0]), let m = Int(parts[1]),
                    let first = CalendarDay(year: y, month: m, day: 1)
                else { throw CLIError("--month \"\(month)\" is not a month such as 2027-03") }
                let ctx = try Context.open(store)
                _ = try ctx.store.sweep(now: ctx.now)
                let scheduler = try ctx.store.scheduler(now: ctx.now)
                let resources = resource.map { [$0] } ?? scheduler.settings.resources
                try scheduler.settings.requireResource(resource)
                let days = (0..<CalendarDay.daysInMonth(year: y, month: m)).map { first.adding(days: $0) }
                let months = resources.map { r in
                    ResourceMonth(
                        resource: r,
                        days: days.map { d in
                            let state = scheduler.dayState(d, resource: r)
                            return DayJSON(date: d, state: state.rawValue, canStart: state == .free)
                        })
                }
                if json { return try printJSON(months) }
                let color = !noColor && isatty(STDOUT_FILENO) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
                for rm in months { print(render(rm, first: first, color: color)) }
                print("B booked  H held  T turnover  X blackout  . free  - free, no start possible")
                let lastDay = first.adding(days: days.count - 1)
                for s in try ctx.store.allSeries() where s.active && (resource == nil || s.series.spec.counselor == resource) {
                    for o in s.series.occurrences() where o.localStart.day >= first && o.localStart.day <= lastDay {
                        print(
                            "S \(o.localStart) \(s.series.spec.counselorZone): counseling \(s.series.id) on \(s.series.spec.counselor), \(o.lengthMinutes) min")
                    }
                }
                for b in try ctx.store.blackouts() where b.from <= lastDay && b.to >= first && (resource == nil || b.applies(to: resource ?? "")) {
                    print("X \(b.from)…\(b.to)\(b.resource.map { " on \($0)" } ?? ""): \(b.reason ?? "blackout") [\(b.source)]")
                }
            }
        }

        func render(_ rm: ResourceMonth, first: CalendarDay, color: Bool) -> String {
            var out = "\(rm.resource): \(first.description.prefix(7))\n Mo  Tu  We  Th  Fr  Sa  Su\n"
            var cells = Array(repeating: "    ", count: first.weekday.rawValue - 1)
            for d in rm.days {
                let letter: String
                let code: String
                switch d.state {
                case "booked": (letter, code) = ("B", "41;97")
                case "held": (letter, code) = ("H", "43;30")
                case "turnover": (letter, code) = ("T", "100;97")
                case "blackout": (letter, code) = ("X", "45;97")
                case "free": (letter, code) = (".", "32")
                default: (letter, code) = ("-", "90")
                }
                let text = String(format: "%2d%@", d.date.day, letter)
                cells.append((color ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text) + " ")
            }
            for row in stride(from: 0, to: cells.count, by: 7) {
                out += cells[row..<min(row + 7, cells.count)].joined() + "\n"
            }
            return out
        }
    }
}
