// Concurrency stress (`make stress`): 8 processes × 200 operations mixing book, hold, cancel, reschedule,
// pay, import and export against one store. Afterwards it checks that no two live bookings share a
// resource-day (turnover included), that the occupancy rows match the live bookings exactly (every command
// took effect whole or not at all), that the audit log accounts for every change, and that SQLite's
// integrity check is ok. Prints operations/s and the conflicts (exit-3 outcomes) seen.
import Foundation
import GRDB
import RetreatCalendars
import RetreatICal
import RetreatScheduling
import RetreatStore

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
    let store = try RetreatStore(path: db)
    let settings = try store.settings()
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
                _ = try store.book(
                    BookingRequest(couple: "W\(index)-\(op)", start: start, hold: hold, requestID: "w\(index)-\(op)"), now: now, actor: "worker\(index)")
            case 35..<50:
                action = "cancel"
                let live = try store.bookings(matching: BookingFilter(statuses: [.held, .confirmed]), now: now)
                guard let b = live.randomElement(using: &rng) else { outcome = "skip"; break }
                _ = try store.cancel(id: b.id, now: now, actor: "worker\(index)")
            case 50..<70:
                action = "reschedule"
                let live = try store.bookings(matching: BookingFilter(statuses: [.held, .confirmed]), now: now)
                guard let b = live.randomElement(using: &rng) else { outcome = "skip"; break }
                let start = b.start.adding(days: Int.random(in: -10...10, using: &rng))
                _ = try store.reschedule(id: b.id, to: start, resource: nil, now: now, actor: "worker\(index)")
            case 70..<78:
                action = "payment"
                let live = try store.bookings(matching: BookingFilter(statuses: [.held, .confirmed]), now: now)
                guard let b = live.randomElement(using: &rng) else { outcome = "skip"; break }
                _ = try store.recordPayment(id: b.id, amountCents: 10_000, on: today, note: nil, now: now, actor: "worker\(index)")
            case 78..<88:
                action = "blackout-import"
                let day = today.adding(days: Int.random(in: 1..<240, using: &rng))
                let text = """
                    BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//stress//EN\r\nBEGIN:VEVENT\r\nUID:leave-\(index)-\(op)\r
                    DTSTAMP:20261201T000000Z\r\nDTSTART;VALUE=DATE:\(day.description.replacingOccurrences(of: "-", with: ""))\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n
                    """
                let busy = try BusyImport.busyDays(in: try ICalendar(parsing: text), from: today, to: today.adding(days: 365), settings: settings)
                let items = busy.busy.compactMap { b in
                    b.days.map { ImportedBlackout(uid: b.uid, recurrenceID: b.recurrenceID, from: $0.lowerBound, to: $0.upperBound) }
                }
                _ = try store.importBlackouts(
                    items,
                    source: "import:worker\(index).ics", resource: nil, replace: Int.random(in: 0..<2, using: &rng) == 0, now: now, actor: "worker\(index)")
            default:
                action = "export"
                let all = try store.bookings(matching: BookingFilter(), now: now)
                _ = try BookingCalendars.staff(bookings: all, profile: try store.profile(), stamp: now).serialized()
            }
        } catch let e as StoreError {
            outcome = e.code == .conflict ? "conflict" : "rejected:\(e.code.rawValue)"
        }
        lines.append("\(action)\t\(outcome)")
    }
    try lines.joined(separator: "\n").write(toFile: log, atomically: true, encoding: .utf8)
}

if args.count >= 6 && args[1] == "worker" {
    try worker(db: args[2], index: Int(args[3]) ?? 0, ops: Int(args[4]) ?? 200, log: args[5])
    exit(0)
}

let processes = 8
let opsPer = args.count > 1 ? Int(args[1]) ?? 200 : 200
let dir = FileManager.default.temporaryDirectory.appendingPathComponent("retreat-stress-\(getpid())")
try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(at: dir) }
let db = dir.appendingPathComponent("stress.sqlite").path
var settings = PracticeSettings(timeZoneIdentifier: "America/New_York")
settings.resources = ["room-a", "room-b"]
settings.minimumNoticeDays = 0
settings.holdExpiryHours = 24 * 365
let store = try RetreatStore(path: db, create: true)
try store.saveSettings(settings, now: now, actor: "stress")

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

// Invariants, read straight from the database.
let queue = try DatabaseQueue(path: db)
try queue.read { dbc in
    let live = try Row.fetchAll(dbc, sql: "SELECT id, resource, start FROM bookings WHERE status IN ('held','confirmed')")
    var expected = Set<String>()
    for row in live {
        guard let start = CalendarDay(iso: row["start"]) else { continue }
        for offset in 0..<(settings.intensiveDays + settings.turnoverDays) {
            let key = "\(row["resource"] as String)|\(start.adding(days: offset))"
            if !expected.insert(key).inserted { failures.append("two live bookings share \(key)") }
        }
    }
    let rows = Set(try Row.fetchAll(dbc, sql: "SELECT resource, day FROM occupied_days").map { "\($0["resource"] as String)|\($0["day"] as String)" })
    if rows != expected { failures.append("occupancy rows differ from live bookings: \(rows.symmetricDifference(expected).count) resource-days") }
    let nonLive =
        try Int.fetchOne(dbc, sql: "SELECT count(*) FROM occupied_days o JOIN bookings b ON b.id = o.booking_id WHERE b.status NOT IN ('held','confirmed')")
        ?? 0
    if nonLive > 0 { failures.append("\(nonLive) occupancy rows belong to bookings that are not live") }
    for (action, n) in counts.sorted(by: { $0.key < $1.key }) {
        let logged = try Int.fetchOne(dbc, sql: "SELECT count(*) FROM audit_log WHERE action = ? AND actor LIKE 'worker%'", arguments: [action]) ?? 0
        if logged != n { failures.append("audit log has \(logged) \(action) entries for \(n) successful \(action) operations") }
    }
    let extra =
        try Int.fetchOne(
            dbc,
            sql: "SELECT count(*) FROM audit_log WHERE actor LIKE 'worker%' AND action NOT IN ('book','hold','cancel','reschedule','payment','blackout-import')"
        ) ?? 0
    if extra > 0 { failures.append("\(extra) unexpected audit entries") }
    let integrity = try String.fetchOne(dbc, sql: "PRAGMA integrity_check") ?? ""
    if integrity != "ok" { failures.append("integrity_check: \(integrity)") }
}

print(
    "stress: \(processes) processes × \(opsPer) operations = \(total) in \(String(format: "%.1f", seconds)) s → \(String(format: "%.0f", Double(total) / seconds)) operations/s"
)
print(
    "        conflicts (exit 3): \(conflicts); changes by kind: \(counts.sorted(by: { $0.key < $1.key }).map { "\($0.key) \($0.value)" }.joined(separator: ", "))"
)
if failures.isEmpty {
    print("        invariants: no shared resource-day, occupancy matches live bookings, audit log complete, integrity ok")
} else {
    for f in failures { print("FAIL: \(f)") }
    exit(1)
}
