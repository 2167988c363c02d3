// Fuzzing the iCalendar parser and the import path.
//
// `make fuzz` builds this with `-sanitize=fuzzer,address -D RETREAT_FUZZ` and runs libFuzzer for a bounded
// time, seeded from Fixtures/calendars and Fixtures/ical. Without RETREAT_FUZZ it is a plain program that
// replays files through the same function (the regression tests replay Fuzz/crashes/ this way).
import Foundation
import RetreatCalendars
import RetreatICal
import RetreatScheduling

let settings: PracticeSettings = {
    var s = PracticeSettings(timeZoneIdentifier: "America/New_York")
    s.resources = ["practice"]
    return s
}()

/// Everything a file goes through on import, with tight limits so one input stays fast.
func exercise(_ data: Data) {
    let limits = ICalReadLimits(maxBytes: 1 << 20, maxDepth: 16)
    guard let calendar = try? ICalendar(data: data, limits: limits) else { return }
    let from = CalendarDay(daysSinceEpoch: 20_454)  // 2026-01-01
    let to = from.adding(days: 730)
    _ = try? BusyImport.busyDays(
        in: calendar, from: from, to: to, settings: settings,
        limits: ICalExpansionLimits(maxOccurrencesPerEvent: 2_000, maxIterationsPerEvent: 20_000))
    // Writing back what was read must not crash either (values may be odd, zones unknown).
    _ = try? calendar.serialized()
}

#if RETREAT_FUZZ
    /// libFuzzer's driver (from the fuzzer runtime that `-sanitize=fuzzer` links). SwiftPM gives every
    /// executable its own `main`, so the harness starts the driver itself instead of using libFuzzer's `main`.
    @_silgen_name("LLVMFuzzerRunDriver")
    func runDriver(
        _ argc: UnsafeMutablePointer<CInt>,
        _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
        _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
    ) -> CInt

    @main
    struct Fuzz {
        static func main() {
            var argc = CommandLine.argc
            var argv = CommandLine.unsafeArgv
            let code = runDriver(&argc, &argv) { bytes, size in
                guard let bytes else { return 0 }
                exercise(Data(bytes: bytes, count: size))
                return 0
            }
            exit(code)
        }
    }
#else
    @main
    struct Replay {
        static func main() {
            var count = 0
            for path in CommandLine.arguments.dropFirst() {
                let url = URL(fileURLWithPath: path)
                let files = (try? FileManager.default.contentsOfDirectory(at: url, includingPropertiesForKeys: nil)) ?? [url]
                for file in files.sorted(by: { $0.path < $1.path }) {
                    guard let data = try? Data(contentsOf: file) else { continue }
                    exercise(data)
                    count += 1
                }
            }
            print("replayed \(count) input(s) without a crash")
        }
    }
#endif
