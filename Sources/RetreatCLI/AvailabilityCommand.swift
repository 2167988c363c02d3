import ArgumentParser
import Foundation
import RetreatApp
import RetreatScheduling

extension RetreatCommand {
    struct Availability: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the start dates where an intensive fits.")

        @OptionGroup var store: StoreOptions
        @Option(help: "First start date to consider (YYYY-MM-DD).", transform: Parse.day) var from: CalendarDay
        @Option(help: "Last start date to consider (YYYY-MM-DD).", transform: Parse.day) var to: CalendarDay
        @Option(help: "Only this resource.") var resource: String?
        @Flag(help: "Print JSON: [{\"start\",\"end\",\"resource\"}].") var json = false

        func validate() throws { try checkRange(from, to) }

        func run() throws {
            let slots = try store.service().availability(from: from, to: to, resource: resource)
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
                out = Array("no start date between \(from) and \(to) is free\n".utf8)
            } else {
                for s in slots {
                    date(s.start)
                    out += Array(" … ".utf8)
                    date(s.end)
                    out += Array("  \(Terminal.safe(s.resource))\n".utf8)
                }
            }
            FileHandle.standardOutput.write(Data(out))
        }
    }
}

/// A JSON string literal for `text` (quotes, backslashes and control characters escaped).
func jsonString(_ text: String) -> String {
    var out = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        default:
            if scalar.value < 0x20 {
                out += String(format: "\\u%04x", scalar.value)
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
    }
    return out + "\""
}
