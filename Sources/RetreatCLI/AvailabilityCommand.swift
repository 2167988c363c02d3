import ArgumentParser
import Foundation
import RetreatScheduling
import RetreatStore

extension RetreatCommand {
    struct Availability: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the start dates where an intensive fits.")

        @OptionGroup var store: StoreOptions
        @Option(help: "First start date to consider (YYYY-MM-DD).") var from: String
        @Option(help: "Last start date to consider (YYYY-MM-DD).") var to: String
        @Option(help: "Only this resource.") var resource: String?
        @Flag(help: "Print JSON: [{\"start\",\"end\",\"resource\"}].") var json = false

        func run() throws {
            try guarded {
                let range = try parseRange(from: from, to: to)
                let ctx = try Context.open(store)
                _ = try ctx.store.sweep(now: ctx.now)
                let slots = try ctx.store.availability(from: range.lowerBound, to: range.upperBound, resource: resource, now: ctx.now)
                // Written by hand into one byte buffer: a 10-year horizon over 20 resources is ~50,000 slots,
                // and JSONEncoder plus one print() per line cost 20 times the query itself.
                var out: [UInt8] = []
                out.reserveCapacity(slots.count * 72 + 64)
                var quoted: [String: [UInt8]] = [:]
                func date(_ d: CalendarDay) {
                    let y = d.year, m = d.month, dd = d.day
                    for digit in [y / 1000 % 10, y / 100 % 10, y / 10 % 10, y % 10, -3, m / 10, m % 10, -3, dd / 10, dd % 10] {
                        out.append(UInt8(truncatingIfNeeded: 48 + digit))  // -3 is "-"
                    }
                }
                if json {
                    let open = Array(",\n  {\"start\":\"".utf8), mid = Array("\",\"end\":\"".utf8), tail = Array("\",\"resource\":".utf8)
                    out.append(91)
                    for (i, s) in slots.enumerated() {
                        out += i == 0 ? open.dropFirst() : open[...]
                        date(s.start)
                        out += mid
                        date(s.end)
                        out += tail
                        if quoted[s.resource] == nil { quoted[s.resource] = Array(jsonString(s.resource).utf8) + [125] }
                        out += quoted[s.resource] ?? []
                    }
                    out += Array((slots.isEmpty ? "]\n" : "\n]\n").utf8)
                } else if slots.isEmpty {
                    out = Array("no start date between \(range.lowerBound) and \(range.upperBound) is free\n".utf8)
                } else {
                    for s in slots {
                        date(s.start)
                        out += Array(" … ".utf8)
                        date(s.end)
                        out += Array("  \(s.resource)\n".utf8)
                    }
                }
                FileHandle.standardOutput.write(Data(out))
            }
        }
    }
}
