// Availability benchmark (issue: slot allocation): a 10-year horizon, 20 resources, 2,000 bookings and
// 500 blackouts. Measures, side by side in one run, medians of:
//   1. the pure query (Scheduler built from the rows + availability over 10 years, all resources),
//   2. the same through the store (SQLite or PostgreSQL read + query),
//   3. `retreat availability --json` on that store, as a whole process,
//   4. `retreat --version`, the process's own start-up,
// and prints the ratios. Run with `make bench` (release build); `RetreatBench BINARY --db postgres://...` seeds and
// measures an empty PostgreSQL database (or schema) instead of a temporary SQLite file (`make bench-store`).
import Foundation
import RetreatApp
import RetreatConfig
import RetreatScheduling

func median(_ xs: [Double]) -> Double {
    let s = xs.sorted()
    return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
}

func time(_ runs: Int, _ body: () throws -> Void) rethrows -> [Double] {
    var out: [Double] = []
    for _ in 0..<runs {
        let t0 = DispatchTime.now().uptimeNanoseconds
        try body()
        out.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6)
    }
    return out
}

/// Deterministic generator so every run seeds the same store.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

let args = CommandLine.arguments
let binary = args.count > 1 && !args[1].hasPrefix("--") ? args[1] : ".build/release/retreat"
let runs = 21
let dir = FileManager.default.temporaryDirectory.appendingPathComponent("retreat-bench-\(getpid())")
try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
defer { if ProcessInfo.processInfo.environment["RETREAT_BENCH_KEEP"] == nil { try? FileManager.default.removeItem(at: dir) } else { print("kept \(dbPath)") } }
let dbPath = args.firstIndex(of: "--db").flatMap { $0 + 1 < args.count ? args[$0 + 1] : nil } ?? dir.appendingPathComponent("bench.sqlite").path
let storeName = dbPath.hasPrefix("postgres") ? "PostgreSQL" : "SQLite"
let now = ISO8601DateFormatter().date(from: "2026-12-01T15:00:00Z") ?? Date()

var settings = PracticeSettings(timeZoneIdentifier: "America/New_York")
settings.resources = (1...20).map { String(format: "room-%02d", $0) }
settings.horizonMonths = 120
settings.minimumNoticeDays = 0
let store = try RetreatService.open(path: dbPath, create: true, actor: "bench", clock: { now })
_ = try store.initialize(PracticeConfiguration(settings: settings))
let today = CalendarDay.today(at: now, in: settings.timeZone)
let last = today.adding(months: 120)
var rng = SplitMix(state: 42)
let seedStart = DispatchTime.now().uptimeNanoseconds
var booked = 0
while booked < 2000 {
    let start = today.adding(days: Int.random(in: 0..<(today.days(until: last) - 3), using: &rng))
    let resource = settings.resources[Int.random(in: 0..<20, using: &rng)]
    do {
        _ = try store.book(BookingRequest(couple: "Bench \(booked)", start: start, resource: resource, hold: booked % 5 == 0))
        booked += 1
    } catch { continue }
}
for i in 0..<500 {
    let from = today.adding(days: Int.random(in: 0..<today.days(until: last), using: &rng))
    let resource: String? = i % 4 == 0 ? nil : settings.resources[Int.random(in: 0..<20, using: &rng)]
    _ = try store.addBlackout(from: from, to: from.adding(days: Int.random(in: 0..<5, using: &rng)), resource: resource, reason: "bench", force: true)
}
let seedMs = Double(DispatchTime.now().uptimeNanoseconds - seedStart) / 1e6

// 1. Pure query: scheduler built from in-memory rows, availability over 10 years for all 20 resources.
let occupancies = try store.bookings(BookingFilter(statuses: [.held, .confirmed])).map(\.occupancy)
let blackouts = try store.blackouts()
var slotCount = 0
let pure = time(runs) {
    let s = Scheduler(settings: settings, today: today, occupancies: occupancies, blackouts: blackouts)
    slotCount = s.availability(from: today, to: last).count
}
// 2. Through the store (its reads + query).
let viaStore = try time(runs) { _ = try store.availability(from: today, to: last) }

// 3 and 4. Whole processes.
func spawn(_ arguments: [String]) throws -> Double {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: binary)
    p.arguments = arguments
    var env = ProcessInfo.processInfo.environment
    env["RETREAT_DB"] = dbPath
    env["RETREAT_NOW"] = "2026-12-01T15:00:00Z"
    p.environment = env
    p.standardOutput = FileHandle.nullDevice
    p.standardError = FileHandle.nullDevice
    let t0 = DispatchTime.now().uptimeNanoseconds
    try p.run()
    p.waitUntilExit()
    guard p.terminationStatus == 0 else { throw NSError(domain: "retreat \(arguments) exited \(p.terminationStatus)", code: 1) }
    return Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6
}
var startup: [Double] = []
var command: [Double] = []
var oneDay: [Double] = []
for _ in 0..<runs {  // interleaved, so all see the same machine load
    startup.append(try spawn(["--version"]))
    command.append(try spawn(["availability", "--from", today.description, "--to", last.description, "--json"]))
    oneDay.append(try spawn(["availability", "--from", today.description, "--to", today.description, "--json"]))
}

let mPure = median(pure), mStore = median(viaStore), mStart = median(startup), mCmd = median(command), mOne = median(oneDay)
print("Availability over \(today)…\(last) on \(storeName): 20 resources, 2,000 bookings, 500 blackouts, \(slotCount) free starts")
print("(seeding the store took \(String(format: "%.0f", seedMs)) ms; medians of \(runs) runs)")
print(String(format: "  pure query (Scheduler + availability)   %8.2f ms", mPure))
print("  store query (\(storeName) read + query)".padding(toLength: 42, withPad: " ", startingAt: 0) + String(format: "%8.2f ms", mStore))
print(String(format: "  retreat --version (process start-up)    %8.2f ms", mStart))
print(String(format: "  retreat availability --json (process)   %8.2f ms", mCmd))
print(String(format: "  retreat availability, one day (process)  %8.2f ms", mOne))
print(String(format: "  ratio pure query / start-up             %8.3f", mPure / mStart))
print(String(format: "  ratio store query / start-up            %8.3f", mStore / mStart))
print(String(format: "  ratio availability command / start-up   %8.3f", mCmd / mStart))
