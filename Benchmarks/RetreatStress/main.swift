// Concurrency stress (`make stress`, `make bench-store`): 8 processes × 200 operations mixing book, hold, cancel,
// reschedule, pay, import and export against one store (an SQLite file, or `--db postgres://...` for an empty
// PostgreSQL database or schema). Afterwards it checks, through the store, that no two live bookings share a
// resource-day (turnover included), that the occupancy rows (SQLite) or session rows and exclusion constraints
// (PostgreSQL) match the live records (every command took effect whole or not at all), that the audit log
// accounts for every change, and the database's own integrity. Prints operations/s and the conflicts (exit-3
// outcomes) seen.
//
// `RetreatStress race --binary PATH --db DB [--rounds N] [--contenders N]`: N `retreat book` processes for one
// slot at once, round after round; exactly one must win each round (the rest exit 3 naming the day).
import Foundation
import RetreatApp
import RetreatConfig
import RetreatScheduling

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

let now = ISO8601DateFormatter().date(from: "2026-12-01T15:00:00Z") ?? Date()
let args = CommandLine.arguments

/// One worker process: `RetreatStress worker DB INDEX OPS LOG`.
func worker(db: String, index: Int, ops: Int, log: String) throws {
    let store = try RetreatService.open(path: db, actor: "worker\(index)", clock: { now })
    let settings = try store.overview().settings
    let today = CalendarDay.today(at: now, in: settings.timeZone)
    var rng = SplitMix(state: UInt64(1000 + index))
    var lines: [String] = []
    for op in 0..<ops {
        let roll = Int.random(in: 0..<100, using: &rng)
        var action = ""
        var outcome = "ok"
        do {
            switch roll {
            case 0..<35:
                let hold = Int.random(in: 0..<3, using: &rng) == 0
                action = hold ? "hold" : "book"
                let start = today.adding(days: Int.random(in: 1..<240, using: &rng))
                _ = try store.book(BookingRequest(couple: "W\(index)-\(op)", start: start, hold: hold, requestID: "w\(index)-\(op)"))
            case 35..<50:
                action = "cancel"
                let live = try store.bookings(BookingFilter(statuses: [.held, .confirmed]))
                guard let b = live.randomElement(using: &rng) else { outcome = "skip"; break }
                _ = try store.cancel(id: b.id)
            case 50..<70:
                action = "reschedule"
                let live = try store.bookings(BookingFilter(statuses: [.held, .confirmed]))
                guard let b = live.randomElement(using: &rng) else { outcome = "skip"; break }
                let start = b.start.adding(days: Int.random(in: -10...10, using: &rng))
                _ = try store.reschedule(id: b.id, to: start)
            case 70..<78:
                action = "payment"
                let live = try store.bookings(BookingFilter(statuses: [.held, .confirmed]))
                guard let b = live.randomElement(using: &rng) else { outcome = "skip"; break }
                _ = try store.pay(id: b.id, amountCents: 10_000, on: today)
            case 78..<88:
                action = "blackout-import"
                let day = today.adding(days: Int.random(in: 1..<240, using: &rng))
                let text = """
                    BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//stress//EN\r\nBEGIN:VEVENT\r\nUID:leave-\(index)-\(op)\r
                    DTSTAMP:20261201T000000Z\r\nDTSTART;VALUE=DATE:\(day.description.replacingOccurrences(of: "-", with: ""))\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n
                    """
                let file = (log as NSString).deletingLastPathComponent + "/leave-\(index).ics"
                try text.write(toFile: file, atomically: true, encoding: .utf8)
                _ = try store.importBlackouts(
                    file: file, to: today.adding(days: 365), replace: Int.random(in: 0..<2, using: &rng) == 0, source: "worker\(index).ics")
            default:
                action = "export"
                _ = try store.export(.staff(names: false))
            }
        } catch let e as AppError {
            outcome = e.kind == .conflict ? "conflict" : "rejected:\(e.kind.rawValue)"
        }
        lines.append("\(action)\t\(outcome)")
    }
    try lines.joined(separator: "\n").write(toFile: log, atomically: true, encoding: .utf8)
}

if args.count >= 6 && args[1] == "worker" {
    try worker(db: args[2], index: Int(args[3]) ?? 0, ops: Int(args[4]) ?? 200, log: args[5])
    exit(0)
}

/// `--name VALUE` from the arguments.
func option(_ name: String) -> String? {
    guard let i = args.firstIndex(of: name), i + 1 < args.count else { return nil }
    return args[i + 1]
}

func median(_ xs: [Double]) -> Double {
    let s = xs.sorted()
    return s.isEmpty ? 0 : s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
}

/// A new practice at `db` (a file path or a URL of an empty database): two rooms, no notice, year-long holds.
func newPractice(_ db: String) throws -> RetreatService {
    var settings = PracticeSettings(timeZoneIdentifier: "America/New_York")
    settings.resources = ["room-a", "room-b"]
    settings.minimumNoticeDays = 0
    settings.holdExpiryHours = 24 * 365
    let store = try RetreatService.open(path: db, create: true, actor: "stress", clock: { now })
    _ = try store.initialize(PracticeConfiguration(settings: settings))
    return store
}

let dir = FileManager.default.temporaryDirectory.appendingPathComponent("retreat-stress-\(getpid())")
try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(at: dir) }

if args.count > 1 && args[1] == "race" {
    guard let binary = option("--binary"), let db = option("--db") else {
        FileHandle.standardError.write(Data("usage: RetreatStress race --binary PATH --db DB [--rounds N] [--contenders N]\n".utf8))
        exit(64)
    }
    let rounds = option("--rounds").flatMap(Int.init) ?? 20
    let contenders = option("--contenders").flatMap(Int.init) ?? 8
    _ = try newPractice(db)
    var oneWinner = 0
    var times: [Double] = []
    var problems: [String] = []
    for round in 0..<rounds {
        let day = CalendarDay.today(at: now, in: TimeZone(identifier: "America/New_York") ?? .current).adding(days: 7 + 7 * round).description
        let procs = (0..<contenders).map { i -> (Process, Pipe) in
            let p = Process()
            p.executableURL = URL(fileURLWithPath: binary)
            p.arguments = ["book", "--couple", "Racer \(round)-\(i)", "--start", day, "--resource", "room-a"]
            var env = ProcessInfo.processInfo.environment
            env["RETREAT_DB"] = db
            env["RETREAT_NOW"] = "2026-12-01T15:00:00Z"
            env["RETREAT_ACTOR"] = "racer\(i)"
            p.environment = env
            let err = Pipe()
            p.standardOutput = FileHandle.nullDevice
            p.standardError = err
            return (p, err)
        }
        let t0 = DispatchTime.now().uptimeNanoseconds
        for (p, _) in procs { try p.run() }
        var codes: [Int32] = []
        for (p, err) in procs {
            let text = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            p.waitUntilExit()
            codes.append(p.terminationStatus)
            if p.terminationStatus == 3 && (!text.contains(day) || text.contains("Racer")) { problems.append("round \(round): loser's message: \(text)") }
            if p.terminationStatus != 0 && p.terminationStatus != 3 { problems.append("round \(round): exit \(p.terminationStatus): \(text)") }
        }
        times.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6)
        if codes.filter({ $0 == 0 }).count == 1 && codes.filter({ $0 == 3 }).count == contenders - 1 { oneWinner += 1 }
    }
    let store = try RetreatService.open(path: db, actor: "check", clock: { now })
    let booked = try store.bookings(BookingFilter(statuses: [.held, .confirmed])).count
    if booked != rounds { problems.append("\(booked) live bookings after \(rounds) rounds") }
    problems += try store.invariantViolations()
    print(
        "race: \(contenders) processes × \(rounds) rounds for one slot each: exactly one winner in \(oneWinner)/\(rounds) rounds; median round \(String(format: "%.0f", median(times))) ms"
    )
    for p in problems.prefix(10) { print("FAIL: \(p)") }
    exit(problems.isEmpty && oneWinner == rounds ? 0 : 1)
}

let processes = 8
let opsPer = args.count > 1 ? Int(args[1]) ?? 200 : 200
let db = option("--db") ?? dir.appendingPathComponent("stress.sqlite").path
let store = try newPractice(db)

let t0 = DispatchTime.now().uptimeNanoseconds
let workers = try (0..<processes).map { i -> Process in
    let p = Process()
    p.executableURL = URL(fileURLWithPath: args[0])
    p.arguments = ["worker", db, String(i), String(opsPer), dir.appendingPathComponent("w\(i).log").path]
    try p.run()
    return p
}
for p in workers { p.waitUntilExit() }
let seconds = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
var failures: [String] = []
for (i, p) in workers.enumerated() where p.terminationStatus != 0 { failures.append("worker \(i) exited \(p.terminationStatus)") }

var counts: [String: Int] = [:]
var conflicts = 0
var total = 0
for i in 0..<processes {
    let text = (try? String(contentsOfFile: dir.appendingPathComponent("w\(i).log").path, encoding: .utf8)) ?? ""
    for line in text.split(separator: "\n") {
        let parts = line.split(separator: "\t").map(String.init)
        guard parts.count == 2 else { continue }
        total += 1
        if parts[1] == "conflict" { conflicts += 1 }
        if parts[1] == "ok" && parts[0] != "export" { counts[parts[0], default: 0] += 1 }
    }
}

// Invariants: the store's own check, then the audit log read back through the store.
failures += try store.invariantViolations()
let log = try store.auditLog().filter { $0.actor.hasPrefix("worker") }
for (action, n) in counts.sorted(by: { $0.key < $1.key }) {
    let logged = log.filter { $0.action == action }.count
    if logged != n { failures.append("audit log has \(logged) \(action) entries for \(n) successful \(action) operations") }
}
let extra = log.filter { !["book", "hold", "cancel", "reschedule", "payment", "blackout-import"].contains($0.action) }.count
if extra > 0 { failures.append("\(extra) unexpected audit entries") }

print(
    "stress: \(processes) processes × \(opsPer) operations = \(total) in \(String(format: "%.1f", seconds)) s → \(String(format: "%.0f", Double(total) / seconds)) operations/s"
)
print(
    "        conflicts (exit 3): \(conflicts); changes by kind: \(counts.sorted(by: { $0.key < $1.key }).map { "\($0.key) \($0.value)" }.joined(separator: ", "))"
)
if failures.isEmpty {
    print(
        "        invariants (\(store.location.hasPrefix("postgres") ? "PostgreSQL" : "SQLite")): no shared resource-day, occupancy matches live bookings, audit log complete, integrity ok"
    )
} else {
    for f in failures { print("FAIL: \(f)") }
    exit(1)
}
