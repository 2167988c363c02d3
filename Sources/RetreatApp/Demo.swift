import Foundation
import RetreatAgenda
import RetreatConfig
import RetreatICal
import RetreatScheduling
import RetreatStore

/// The main job on the embedded default: a demo store, a sample practice's bookings, and their calendars.
public enum Demo {
    /// What the demo wrote.
    public struct Report: Sendable {
        /// Lines to print, one per file and one for the bookings.
        public var lines: [String]
    }

    /// The actor the demo acts as; a store whose first audit entry is by this actor was made by the demo.
    static let actor = "demo"

    /// Builds a demo store at `db` from the practice file `config` (and `agenda-modules.toml` beside it), books
    /// a confirmed intensive with its intake and agenda, a hold and a counseling series, and writes five
    /// calendars into `out`, each checked by libical's restriction table.
    ///
    /// `db` is replaced only when it is a store an earlier demo made; anything else there is refused. The
    /// configuration is read before any file is touched.
    public static func run(config: String, db: String, out: String, now: Date) throws(AppError) -> Report {
        let configuration: PracticeConfiguration
        do { configuration = try PracticeConfiguration.load(path: config) } catch { throw AppError(.invalid, error.message) }
        let catalogPath = FilePaths.join(FilePaths.folder(of: config), "agenda-modules.toml")
        guard let catalog = FileManager.default.contents(atPath: catalogPath).flatMap({ String(data: $0, encoding: .utf8) }) else {
            throw AppError(.notFound, "cannot read \(catalogPath): the demo needs the module catalog beside --config")
        }
        // Everything that could refuse is checked before anything is touched.
        let names = ["couple-intensive.ics", "couple-invite.ics", "staff.ics", "counseling-series.ics", "freebusy.ics"]
        for name in names { try checkReplaceable((out as NSString).appendingPathComponent(name)) }
        try clearEarlierDemo(at: db)
        let service = try RetreatService.open(path: db, create: true, actor: actor, clock: { now })
        _ = try service.initialize(configuration, catalogTOML: catalog)
        try service.markAsDemo()
        let today = CalendarDay.today(at: now, in: configuration.settings.timeZone)
        let slots = try service.availability(from: today, to: today.adding(days: 120))
        guard let first = slots.first else { throw AppError(.conflict, "no free start in the next 120 days") }
        let a = try service.book(
            BookingRequest(
                couple: "Sample Couple A", contact: "alex@example.org, sam@example.org", start: first.start,
                priorities: ["affair-recovery", "communication"], requestID: "demo-a")
        ).booking
        guard let next = try service.availability(from: a.end.adding(days: 1), to: today.adding(days: 120)).first else {
            throw AppError(.conflict, "no second free start in the next 120 days")
        }
        let b = try service.book(BookingRequest(couple: "Sample Couple B", start: next.start, hold: true, requestID: "demo-b")).booking
        // Their intake, and the three days planned around their ranked priorities.
        _ = try service.recordIntake(bookingID: a.id, IntakeUpdate(screen: (.a, .passed), affairEnded: .yes, hurtPartner: .b))
        _ = try service.recordIntake(bookingID: a.id, IntakeUpdate(screen: (.b, .passed)))
        _ = try service.agenda(bookingID: a.id)
        // A long-distance couple: weekly 50-minute sessions, one partner in London.
        guard let noon = ClockTime(hour: 12, minute: 0) else { throw AppError(.invalid, "bad demo time") }
        let series = try service.bookSeries(
            CounselingSeriesSpec(
                couple: "Sample Couple C", counselor: "", lengthMinutes: 50, frequency: .weekly,
                start: LocalTime(day: today.adding(days: 30), time: noon), end: .count(10),
                counselorZone: configuration.settings.timeZoneIdentifier, partnerZones: ["Europe/London"], link: "https://video.example.org/room/sample"),
            contact: "casey@example.org, robin@example.org")
        let files: [(String, ExportRequest)] = [
            ("couple-intensive.ics", .couple(bookingID: a.id, invite: false, detailed: false)),
            ("couple-invite.ics", .couple(bookingID: a.id, invite: true, detailed: false)),
            ("staff.ics", .staff(names: false)),
            ("counseling-series.ics", .series(id: series.series.id, invite: false)),
            ("freebusy.ics", .freeBusy(from: today, to: today.adding(days: 90), resource: nil)),
        ]
        var lines: [String] = []
        for (name, request) in files {
            let document = try service.export(request, productID: productID)
            let problems = ICalValidator.problems(in: document.text)
            guard problems.isEmpty else {
                throw AppError(.invalid, "\(name) has problems: \(problems.map(\.description).joined(separator: "; "))")
            }
            let path = (out as NSString).appendingPathComponent(name)
            try PrivateFile.write(document.text, to: path, force: true)
            lines.append("wrote \(path): \(document.componentCount) components, parses back with no restriction problem")
        }
        lines.append("booked \(a.id) \(a.start)…\(a.end) (confirmed) and \(b.id) \(b.start)…\(b.end) (held) in \(db)")
        return Report(lines: lines)
    }

    /// The PRODID of every calendar the demo writes: how a later demo knows a file is its own to replace.
    static let productID = "-//Retreat//Demo sample//EN"

    /// Refuses a calendar file the demo did not write (a real export in the same folder is never replaced).
    static func checkReplaceable(_ path: String) throws(AppError) {
        guard FileManager.default.fileExists(atPath: path) else { return }
        let head = FileManager.default.contents(atPath: path).map { String(decoding: $0.prefix(4096), as: UTF8.self) } ?? ""
        guard head.contains("\r\nPRODID:\(productID)\r\n") else {
            throw AppError(.invalid, "\(path) was not written by the demo; choose another --out (the demo never replaces other calendars)")
        }
    }

    /// Removes the store at `db` only when an earlier demo made it (it carries the demo's marker); refuses
    /// anything else there.
    static func clearEarlierDemo(at db: String) throws(AppError) {
        var info = stat()
        guard lstat(db, &info) == 0 else { return }
        guard info.st_mode & S_IFMT == S_IFREG else { throw AppError(.invalid, "\(db) exists and is not a demo store; choose another --db") }
        let made: Bool
        do {
            let store = try SQLiteStore(path: db)
            made = try store.read { r in try r.document(.demoMarker) != nil }
        } catch {
            throw AppError(.invalid, "\(db) exists and is not a demo store (\(error)); choose another --db")
        }
        guard made else { throw AppError(.invalid, "\(db) holds a store the demo did not make; choose another --db") }
        for suffix in ["", "-wal", "-shm"] { unlink(db + suffix) }
    }
}
