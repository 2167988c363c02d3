import ArgumentParser
import Foundation
import RetreatICal

extension RetreatCommand {
    /// Writes a sample intensive calendar and checks it parses back clean.
    struct Demo: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write sample calendars into a folder and check them with libical.")

        @Option(help: "Folder to write the sample calendars into.")
        var out: String = "Calendars"

        func run() throws {
            let folder = URL(fileURLWithPath: out)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let zone = "America/New_York"
            let stamp = Date(timeIntervalSince1970: 1_795_000_000)
            let staff = ICalAddress(uri: "mailto:intensives@example.org", commonName: "Retreat staff")
            var events: [ICalEvent] = []
            for day in 0..<3 {
                let date = ICalDate(year: 2027, month: 3, day: 12).adding(days: day)
                events.append(ICalEvent(
                    uid: "sample-intensive-day\(day + 1)@retreat.invalid", stamp: stamp,
                    start: .zoned(LocalDateTime(date: date, hour: 9, minute: 0), tzid: zone),
                    end: .zoned(LocalDateTime(date: date, hour: 17, minute: 0), tzid: zone),
                    summary: "Intensive, day \(day + 1)", status: .confirmed, classification: .privateClass,
                    organizer: staff,
                    alarms: [ICalAlarm(triggerSeconds: -15 * 3600, description: "Your intensive day starts tomorrow at 09:00")]))
            }
            let calendar = ICalendar(method: .publish, name: "Sample intensive", refreshIntervalSeconds: 3600, events: events)
            let url = folder.appendingPathComponent("sample-intensive.ics")
            try calendar.write(to: url)
            let problems = ICalValidator.problems(in: try String(contentsOf: url, encoding: .utf8))
            guard problems.isEmpty else {
                throw ValidationError("the sample calendar has problems: \(problems.map(\.description).joined(separator: "; "))")
            }
            print("wrote \(url.path): \(events.count) events, no restriction problems")
        }
    }
}
