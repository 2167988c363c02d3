import ArgumentParser
import Foundation
import RetreatScheduling
import RetreatStore

extension RetreatCommand {
    /// Long-distance counseling: recurring remote sessions beside the intensives.
    struct Sessions: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Recurring long-distance counseling sessions across time zones.",
            subcommands: [SessionsBook.self, SessionsList.self, SessionsShow.self, SessionsMove.self, SessionsCancel.self, SessionsAvailability.self])
    }
}

/// JSON shape of one series.
struct SeriesJSON: Encodable {
    var id: String
    var couple: String
    var counselor: String
    var start: String
    var lengthMinutes: Int
    var every: String
    var rrule: String
    var counselorZone: String
    var partnerZones: [String]
    var link: String?
    var sequence: Int
    var active: Bool
    var sessions: Int

    init(_ s: StoredSeries) {
        id = s.series.id
        couple = s.series.spec.couple
        counselor = s.series.spec.counselor
        start = s.series.spec.start.isoText
        lengthMinutes = s.series.spec.lengthMinutes
        every = s.series.spec.frequency.rawValue
        rrule = s.series.rruleText
        counselorZone = s.series.spec.counselorZone
        partnerZones = s.series.spec.partnerZones
        link = s.series.spec.link
        sequence = s.series.sequence
        active = s.active
        sessions = s.active ? s.series.occurrences().count : 0
    }
}

func localTime(_ text: String, _ option: String) throws -> LocalTime {
    guard let t = LocalTime(iso: text) else { throw CLIError("\(option) \"\(text)\" is not a local time such as 2027-03-01T18:00") }
    return t
}

struct SessionsBook: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "book", abstract: "Book a recurring series; every occurrence is checked and each collision named (exit 3).")
    @OptionGroup var store: StoreOptions
    @Option(help: "The couple's display name.") var couple: String
    @Option(help: "The counselor (a resource); may be left out when the practice has one.") var counselor: String?
    @Option(help: "First session, wall-clock time in the counselor's zone (YYYY-MM-DDTHH:MM).") var start: String
    @Option(help: "Length in minutes (e.g. 50 or 80).") var length: Int
    @Option(help: "week, 2weeks or month (same weekday of the month).") var every: String
    @Option(help: "Number of sessions.") var count: Int?
    @Option(help: "Last possible day (inclusive).") var until: String?
    @Option(name: .customLong("partner-zone"), help: "A partner's IANA time zone (repeatable).") var partnerZones: [String] = []
    @Option(help: "Video link.") var link: String?
    @Option(help: "Partners' e-mail addresses, for invitations.") var contact: String?
    @Flag(help: "Print JSON: {\"id\",…}.") var json = false

    func validate() throws {
        if (count == nil) == (until == nil) { throw ValidationError("give either --count N or --until YYYY-MM-DD.") }
    }

    func run() throws {
        try guarded {
            let first = try localTime(start, "--start")
            let end: SeriesEnd = try count.map { .count($0) } ?? .until(try day(until ?? "", "--until"))
            let frequency: SeriesFrequency
            do { frequency = try SeriesFrequency.parse(every) } catch { throw CLIError("\(error)") }
            let ctx = try Context.open(store)
            let spec = CounselingSeriesSpec(
                couple: couple, counselor: counselor ?? "", lengthMinutes: length, frequency: frequency, start: first,
                end: end, counselorZone: "UTC", partnerZones: partnerZones, link: link)
            let stored = try ctx.store.bookSeries(spec, contact: contact, now: ctx.now, actor: ctx.actor)
            if json { return try printJSON(SeriesJSON(stored)) }
            let s = stored.series
            print(
                "booked series \(s.id): \(s.spec.lengthMinutes) min, \(s.spec.frequency.rawValue), \(s.occurrences().count) sessions from \(s.spec.start) \(s.spec.counselorZone)"
            )
        }
    }
}

struct SessionsList: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List counseling series.")
    @OptionGroup var store: StoreOptions
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        try guarded {
            let ctx = try Context.open(store)
            let all = try ctx.store.allSeries()
            if json { return try printJSON(all.map(SeriesJSON.init)) }
            if all.isEmpty { print("no counseling series") }
            for s in all {
                print(
                    "\(s.series.id)  \(s.series.spec.couple)  \(s.series.spec.counselor)  from \(s.series.spec.start)  \(s.series.spec.lengthMinutes) min every \(s.series.spec.frequency.rawValue)\(s.active ? "" : "  (cancelled)")"
                )
            }
        }
    }
}

struct SessionsShow: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Each session with every partner's local time; weeks where a partner's time shifts are flagged.")
    @OptionGroup var store: StoreOptions
    @Argument(help: "Series id, e.g. S0001.") var id: String
    @Flag(help: "Print JSON.") var json = false

    struct Out: Encodable {
        var series: SeriesJSON
        var sessions: [SessionOccurrence]
    }

    func run() throws {
        try guarded {
            let ctx = try Context.open(store)
            let s = try ctx.store.series(id: id)
            let sessions = s.active ? s.series.occurrences() : []
            if json { return try printJSON(Out(series: SeriesJSON(s), sessions: sessions)) }
            print(
                "\(s.series.id)  \(s.series.spec.couple)  \(s.series.spec.lengthMinutes) min every \(s.series.spec.frequency.rawValue) (\(s.series.rruleText)), counselor \(s.series.spec.counselor) in \(s.series.spec.counselorZone)\(s.active ? "" : "  CANCELLED")"
            )
            if let link = s.series.spec.link { print("link: \(link)") }
            for o in sessions {
                var line = "\(o.localStart) \(s.series.spec.counselorZone)"
                for p in o.partners { line += "  |  \(p.zone) \(p.localStart.time)\(p.localStart.day != o.localStart.day ? " (\(p.localStart.day))" : "")" }
                if o.isMoved { line += "  [moved from \(o.originalDate)]" }
                if o.partners.contains(where: \.isShifted) { line += "  ⚠ shifted" }
                print(line)
                for note in o.shiftNotes { print("    \(note)") }
            }
        }
    }
}

struct SessionsMove: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "move", abstract: "Move one session (a RECURRENCE-ID override); the series keeps its UID and bumps SEQUENCE.")
    @OptionGroup var store: StoreOptions
    @Argument(help: "Series id.") var id: String
    @Option(help: "The session's original date (YYYY-MM-DD).") var occurrence: String
    @Option(help: "New wall-clock start in the counselor's zone (YYYY-MM-DDTHH:MM).") var to: String
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        try guarded {
            let original = try day(occurrence, "--occurrence")
            let newStart = try localTime(to, "--to")
            let ctx = try Context.open(store)
            let s = try ctx.store.changeSeries(id: id, action: "series-move", now: ctx.now, actor: ctx.actor) { series throws(SeriesError) in
                try series.moving(original, to: newStart)
            }
            if json { return try printJSON(SeriesJSON(s)) }
            print("moved \(s.series.id) session of \(original) to \(newStart) (sequence \(s.series.sequence))")
        }
    }
}

struct SessionsCancel: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cancel", abstract: "Cancel one session (EXDATE), end the series from a date, or cancel it whole.")
    @OptionGroup var store: StoreOptions
    @Argument(help: "Series id.") var id: String
    @Option(help: "Cancel only the session originally on this date.") var occurrence: String?
    @Option(help: "End the series: no sessions on or after this date.") var from: String?
    @Flag(help: "Print JSON.") var json = false

    func validate() throws {
        if occurrence != nil && from != nil { throw ValidationError("give --occurrence or --from, not both.") }
    }

    func run() throws {
        try guarded {
            let ctx = try Context.open(store)
            let s: StoredSeries
            if let occurrence {
                let d = try day(occurrence, "--occurrence")
                s = try ctx.store.changeSeries(id: id, action: "series-cancel-one", now: ctx.now, actor: ctx.actor) { series throws(SeriesError) in
                    try series.cancelling(d)
                }
            } else if let from {
                let d = try day(from, "--from")
                s = try ctx.store.changeSeries(id: id, action: "series-end", now: ctx.now, actor: ctx.actor) { series throws(SeriesError) in
                    try series.ending(from: d)
                }
            } else {
                s = try ctx.store.cancelSeries(id: id, now: ctx.now, actor: ctx.actor)
            }
            if json { return try printJSON(SeriesJSON(s)) }
            print("\(s.series.id): \(s.active ? "\(s.series.occurrences().count) session(s) remain" : "cancelled") (sequence \(s.series.sequence))")
        }
    }
}

struct SessionsAvailability: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "availability", abstract: "Free session start times of a counselor.")
    @OptionGroup var store: StoreOptions
    @Option(help: "The counselor; may be left out when the practice has one.") var counselor: String?
    @Option(help: "Session length in minutes.") var length: Int
    @Option(help: "First day.") var from: String
    @Option(help: "Last day (inclusive).") var to: String
    @Flag(help: "Print JSON: [\"YYYY-MM-DDTHH:MM\", …] in the counselor's zone.") var json = false

    func run() throws {
        try guarded {
            let range = try parseRange(from: from, to: to)
            let ctx = try Context.open(store)
            let starts = try ctx.store.sessionStarts(counselor: counselor, lengthMinutes: length, from: range.lowerBound, to: range.upperBound, now: ctx.now)
            if json { return try printJSON(starts.map(\.isoText)) }
            if starts.isEmpty { print("no free start") }
            var byDay: [CalendarDay: [String]] = [:]
            for s in starts { byDay[s.day, default: []].append(s.time.description) }
            for d in byDay.keys.sorted() { print("\(d)  \(byDay[d]?.joined(separator: " ") ?? "")") }
        }
    }
}
