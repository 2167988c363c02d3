import ArgumentParser
import Foundation
import RetreatAgenda
import RetreatCalendars
import RetreatICal
import RetreatScheduling
import RetreatStore

extension RetreatCommand {
    /// The main job on the embedded default: a fresh store, a sample intensive booked, calendars exported.
    struct Demo: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Book a sample intensive in a fresh store and export its calendars into a folder.")

        @Option(help: "Folder to write the calendars into.") var out: String = "Calendars"
        @Option(help: "Practice settings (TOML).") var config: String = "Fixtures/practice.toml"
        @Option(help: "Store file to create (replaced if it exists).") var db: String = ".build/demo/retreat.sqlite"

        func run() throws {
            try guarded {
                for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: db + suffix) }
                guard let text = try? String(contentsOfFile: config, encoding: .utf8) else { throw CLIError("cannot read --config \(config)") }
                let (settings, profile, counselors) = try PracticeConfig.loadAll(text, file: config)
                let store = try RetreatStore(path: db, create: true)
                // A fixed clock keeps the committed sample calendars stable (RETREAT_NOW overrides it).
                let now =
                    ProcessInfo.processInfo.environment["RETREAT_NOW"].flatMap { ISO8601DateFormatter().date(from: $0) }
                    ?? ISO8601DateFormatter().date(from: "2026-12-01T15:00:00Z") ?? Date()
                try store.saveSettings(settings, profile: profile, now: now, actor: "demo")
                if !counselors.isEmpty { try store.saveCounselors(counselors, now: now, actor: "demo") }
                let today = CalendarDay.today(at: now, in: settings.timeZone)
                let slots = try store.availability(from: today, to: today.adding(days: 120), resource: nil, now: now)
                guard slots.count >= 2 else { throw CLIError("no free start in the next 120 days") }
                let a = try store.book(
                    BookingRequest(
                        couple: "Sample Couple A", contact: "alex@example.org, sam@example.org", start: slots[0].start,
                        priorities: ["affair-recovery", "communication"], requestID: "demo-a"), now: now, actor: "demo"
                ).booking
                let later = try store.availability(from: a.end.adding(days: 1), to: today.adding(days: 120), resource: nil, now: now)
                guard let next = later.first else { throw CLIError("no second free start") }
                let b = try store.book(BookingRequest(couple: "Sample Couple B", start: next.start, hold: true, requestID: "demo-b"), now: now, actor: "demo")
                    .booking
                // Their intake, and the three days planned around their ranked priorities.
                try store.saveIntake(bookingID: a.id, IntakeRecord(affairEnded: true, safetyScreenPassed: true), now: now, actor: "demo")
                let catalogPath = ((config as NSString).deletingLastPathComponent as NSString).appendingPathComponent("agenda-modules.toml")
                guard let catalogText = try? String(contentsOfFile: catalogPath, encoding: .utf8) else { throw CLIError("cannot read \(catalogPath)") }
                try store.saveAgendaCatalog(catalogText, now: now, actor: "demo")
                let agenda = try AgendaPlanner().plan(
                    PlanRequest(
                        priorities: a.priorities.map(Priority.init),
                        intake: Intake(
                            partnerA: SafetyScreen(result: .passed, recordedBy: "demo", recordedAt: now),
                            partnerB: SafetyScreen(result: .passed, recordedBy: "demo", recordedAt: now), affairEnded: .yes, hurtPartner: .b),
                        days: settings.intensiveDays,
                        template: try PracticeConfig.dayTemplate(text, settings: settings, file: config) ?? DayTemplate(settings: settings),
                        catalog: try ModuleCatalog(toml: catalogText)))
                // A long-distance couple: weekly 50-minute sessions, one partner in London.
                guard let firstSession = LocalTime(iso: "\(today.adding(days: 30))T12:00") else { throw CLIError("bad demo date") }
                let series = try store.bookSeries(
                    CounselingSeriesSpec(
                        couple: "Sample Couple C", counselor: "", lengthMinutes: 50, frequency: .weekly, start: firstSession,
                        end: .count(10), counselorZone: settings.timeZoneIdentifier, partnerZones: ["Europe/London"],
                        link: "https://video.example.org/room/sample"),
                    contact: "casey@example.org, robin@example.org", now: now, actor: "demo")
                let folder = URL(fileURLWithPath: out)
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                let scheduler = try store.scheduler(now: now)
                let files: [(String, ICalendar)] = [
                    ("couple-intensive.ics", BookingCalendars.couple(booking: a, agenda: agenda, settings: settings, profile: profile, stamp: now)),
                    ("couple-invite.ics", BookingCalendars.couple(booking: a, agenda: agenda, settings: settings, profile: profile, stamp: now, invite: true)),
                    ("staff.ics", BookingCalendars.staff(bookings: [a, b], series: [series], profile: profile, stamp: now)),
                    ("counseling-series.ics", SeriesCalendar.calendar(for: series, profile: profile, stamp: now, invite: false)),
                    (
                        "freebusy.ics",
                        FreeBusyCalendar.make(scheduler: scheduler, from: today, to: today.adding(days: 90), resource: nil, profile: profile, stamp: now)
                    ),
                ]
                for (name, calendar) in files {
                    let url = folder.appendingPathComponent(name)
                    try calendar.write(to: url)
                    let problems = ICalValidator.problems(in: try String(contentsOf: url, encoding: .utf8))
                    guard problems.isEmpty else {
                        throw CLIError("\(name) has problems: \(problems.map(\.description).joined(separator: "; "))")
                    }
                    print("wrote \(url.path): \(calendar.events.count + calendar.freeBusy.count) components, parses back with no restriction problem")
                }
                print("booked \(a.id) \(a.start)…\(a.end) (confirmed) and \(b.id) \(b.start)…\(b.end) (held) in \(db)")
            }
        }
    }
}
