import ArgumentParser
import Foundation
import RetreatApp
import RetreatScheduling

extension RetreatCommand {
    struct Calendar: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show a month grid per resource: booked, held, turnover, blackout and free days.",
            discussion:
                "Each day carries a letter, so the grid reads without colour: B booked, H held, T turnover, X blackout, . free (a start is possible), - free (no start possible)."
        )

        @OptionGroup var store: StoreOptions
        @Option(help: "Month to show (YYYY-MM).", transform: Parse.month) var month: CalendarDay
        @Option(help: "Only this resource.") var resource: String?
        @Flag(help: "Print JSON: [{\"resource\",\"days\":[{\"date\",\"state\",\"canStart\"}]}].") var json = false
        @Flag(help: "Never colour the output.") var noColor = false

        struct ResourceJSON: Encodable {
            var resource: String
            var days: [DayJSON]
        }
        struct DayJSON: Encodable {
            var date: CalendarDay
            var state: String
            var canStart: Bool
        }

        func run() throws {
            let view = try store.service().month(month, resource: resource)
            let months = view.resources.map { r in
                ResourceJSON(resource: r.resource, days: r.days.map { DayJSON(date: $0.day, state: $0.state.rawValue, canStart: $0.state == .free) })
            }
            if json { return try printJSON(months) }
            let color = !noColor && isatty(STDOUT_FILENO) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
            for rm in months { Swift.print(render(rm, color: color)) }
            Swift.print("B booked  H held  T turnover  X blackout  . free  - free, no start possible")
            for (s, o) in view.sessions {
                Terminal.print(
                    "S \(o.localStart) \(s.series.spec.counselorZone): counseling \(s.series.id) on \(s.series.spec.counselor), \(o.lengthMinutes) min")
            }
            for b in view.blackouts {
                Terminal.print("X \(Blackouts.describe(b, view.timeZone))\(b.resource.map { " on \($0)" } ?? ""): \(b.reason ?? "blackout") [\(b.source)]")
            }
        }

        func render(_ rm: ResourceJSON, color: Bool) -> String {
            var out = "\(Terminal.safe(rm.resource)): \(month.description.prefix(7))\n Mo  Tu  We  Th  Fr  Sa  Su\n"
            var cells = Array(repeating: "    ", count: month.weekday.rawValue - 1)
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
