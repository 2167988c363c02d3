import ArgumentParser
import Foundation
import RetreatApp
import RetreatScheduling

extension RetreatCommand {
    /// Long-distance counseling: recurring remote sessions beside the intensives.
    struct Sessions: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Recurring long-distance counseling sessions across time zones.",
            subcommands: [
                SessionsBook.self, SessionsList.self, SessionsShow.self, SessionsEdit.self, SessionsMove.self, SessionsCancel.self, SessionsAvailability.self,
            ])
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

struct SessionsBook: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "book", abstract: "Book a recurring series; every occurrence is checked and each collision named (exit 3).")
    @OptionGroup var store: StoreOptions
    @Option(help: "The couple's display name.") var couple: String
    @Option(help: "The counselor (a resource); may be left out when the practice has one.") var counselor: String?
    @Option(help: "First session, wall-clock time in the counselor's zone (YYYY-MM-DDTHH:MM).", transform: Parse.localTime) var start: LocalTime
    @Option(help: "Length in minutes (10 to 240).", transform: Parse.number(CounselingSeriesSpec.lengthRange)) var length: Int
    @Option(help: "week, 2weeks or month (same weekday of the month).", transform: Parse.frequency) var every: SeriesFrequency
    @Option(help: "Number of sessions (1 to 520).", transform: Parse.number(CounselingSeriesSpec.countRange)) var count: Int?
    @Option(help: "Last possible day, inclusive (YYYY-MM-DD).", transform: Parse.day) var until: CalendarDay?
    @Option(name: .customLong("partner-zone"), help: "A partner's IANA time zone (repeatable).", transform: Parse.zone) var partnerZones: [String] = []
    @Option(help: "Video link.") var link: String?
    @Option(help: "Partners' e-mail addresses, for invitations.") var contact: String?
    @Flag(help: "Book even when a session falls outside the practice's partner window on a partner's clock.") var allowOutsideHours = false
    @Flag(help: "Print JSON: {\"id\",…}.") var json = false

    func validate() throws {
        if (count == nil) == (until == nil) { throw ValidationError("give either --count N or --until YYYY-MM-DD.") }
        if let until, until < start.day { throw ValidationError("--until \(until) is before the first session on \(start.day).") }
        if couple.trimmingCharacters(in: .whitespaces).isEmpty { throw ValidationError("--couple must not be empty.") }
    }

    func run() throws {
        let end: SeriesEnd = count.map { .count($0) } ?? .until(until ?? start.day)
        let spec = CounselingSeriesSpec(
            couple: couple, counselor: counselor ?? "", lengthMinutes: length, frequency: every, start: start, end: end, counselorZone: "UTC",
            partnerZones: partnerZones, link: link)
        let stored = try store.service().bookSeries(spec, contact: contact, allowOutsideHours: allowOutsideHours)
        if json { return try printJSON(SeriesJSON(stored)) }
        let s = stored.series
        Terminal.print(
            "booked series \(s.id): \(s.spec.lengthMinutes) min, \(s.spec.frequency.rawValue), \(s.occurrences().count) sessions from \(s.spec.start) \(s.spec.counselorZone)"
        )
    }
}

struct SessionsList: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List counseling series.")
    @OptionGroup var store: StoreOptions
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let all = try store.service().allSeries()
        if json { return try printJSON(all.map(SeriesJSON.init)) }
        if all.isEmpty { Swift.print("no counseling series") }
        for s in all {
            Terminal.print(
                "\(s.series.id)  \(s.series.spec.couple)  \(s.series.spec.counselor)  from \(s.series.spec.start)  \(s.series.spec.lengthMinutes) min every \(s.series.spec.frequency.rawValue)\(s.active ? "" : "  (cancelled)")"
            )
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
        let s = try store.service().series(id: id)
        let sessions = s.active ? s.series.occurrences() : []
        if json { return try printJSON(Out(series: SeriesJSON(s), sessions: sessions)) }
        Terminal.print(
            "\(s.series.id)  \(s.series.spec.couple)  \(s.series.spec.lengthMinutes) min every \(s.series.spec.frequency.rawValue) (\(s.series.rruleText)), counselor \(s.series.spec.counselor) in \(s.series.spec.counselorZone)\(s.active ? "" : "  CANCELLED")"
        )
        if let link = s.series.spec.link { Terminal.print("link: \(link)") }
        for o in sessions {
            var line = "\(o.localStart) \(s.series.spec.counselorZone)"
            for p in o.partners { line += "  |  \(p.zone) \(p.localStart.time)\(p.localStart.day != o.localStart.day ? " (\(p.localStart.day))" : "")" }
            if o.isMoved { line += "  [moved from \(o.originalDate)]" }
            if o.partners.contains(where: \.isShifted) { line += "  ⚠ shifted" }
            Terminal.print(line)
            for note in o.shiftNotes { Terminal.print("    \(note)") }
        }
    }
}

struct SessionsEdit: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "edit", abstract: "Correct a series' partner addresses or video link; the couple's invitation follows.",
        discussion: """
            Each value is checked as at `sessions book` and the change is audited. The partners receive the updated invitation \
            (`retreat notify` sends it); an address taken off the contact receives a message removing the sessions from its \
            calendar, and mail still waiting for it is dropped. An empty value removes the contact or the link.
            """)
    @OptionGroup var store: StoreOptions
    @Argument(help: "Series id, e.g. S0001.") var id: String
    @Option(help: "Partners' e-mail addresses, for invitations (\"\" removes them).") var contact: String?
    @Option(help: "Video link, an https URL (\"\" removes it).") var link: String?
    @Flag(help: "Print JSON.") var json = false

    func validate() throws {
        if contact == nil && link == nil { throw ValidationError("give --contact, --link or both.") }
    }

    func run() throws {
        let s = try store.service().editSeries(id: id, contact: contact, link: link)
        if json { return try printJSON(SeriesJSON(s)) }
        Terminal.print("edited series \(s.series.id) (sequence \(s.series.sequence))")
    }
}

struct SessionsMove: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "move", abstract: "Move one session (a RECURRENCE-ID override); the series keeps its UID and bumps SEQUENCE.")
    @OptionGroup var store: StoreOptions
    @Argument(help: "Series id.") var id: String
    @Option(help: "The session's original date (YYYY-MM-DD).", transform: Parse.day) var occurrence: CalendarDay
    @Option(help: "New wall-clock start in the counselor's zone (YYYY-MM-DDTHH:MM).", transform: Parse.localTime) var to: LocalTime
    @Flag(help: "Move even when the session falls outside the practice's partner window on a partner's clock.") var allowOutsideHours = false
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let s = try store.service().changeSeries(id: id, .move(occurrence, to: to), allowOutsideHours: allowOutsideHours)
        if json { return try printJSON(SeriesJSON(s)) }
        Terminal.print("moved \(s.series.id) session of \(occurrence) to \(to) (sequence \(s.series.sequence))")
    }
}

struct SessionsCancel: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cancel", abstract: "Cancel one session (EXDATE), end the series from a date, or cancel it whole.")
    @OptionGroup var store: StoreOptions
    @Argument(help: "Series id.") var id: String
    @Option(help: "Cancel only the session originally on this date.", transform: Parse.day) var occurrence: CalendarDay?
    @Option(help: "End the series: no sessions on or after this date.", transform: Parse.day) var from: CalendarDay?
    @Flag(help: "Print JSON.") var json = false

    func validate() throws {
        if occurrence != nil && from != nil { throw ValidationError("give --occurrence or --from, not both.") }
    }

    func run() throws {
        let change: SeriesChange = occurrence.map { .cancelOne($0) } ?? from.map { .end(from: $0) } ?? .cancelAll
        let s = try store.service().changeSeries(id: id, change)
        if json { return try printJSON(SeriesJSON(s)) }
        let kept = s.active ? 0 : s.series.occurrences().count
        let state =
            s.active
            ? "\(s.series.occurrences().count) session(s) remain"
            : kept > 0 ? "cancelled; the \(kept) session(s) already begun stay in the couple's calendar" : "cancelled"
        Terminal.print("\(s.series.id): \(state) (sequence \(s.series.sequence))")
    }
}

struct SessionsAvailability: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "availability", abstract: "Free session start times of a counselor.")
    @OptionGroup var store: StoreOptions
    @Option(help: "The counselor; may be left out when the practice has one.") var counselor: String?
    @Option(help: "Session length in minutes (10 to 240).", transform: Parse.number(CounselingSeriesSpec.lengthRange)) var length: Int
    @Option(help: "First day (YYYY-MM-DD).", transform: Parse.day) var from: CalendarDay
    @Option(help: "Last day, inclusive (YYYY-MM-DD).", transform: Parse.day) var to: CalendarDay
    @Flag(help: "Print JSON: [\"YYYY-MM-DDTHH:MM\", …] in the counselor's zone.") var json = false

    func validate() throws {
        try checkRange(from, to)
        if from.days(until: to) > 366 { throw ValidationError("--from … --to spans more than a year; ask for a shorter range.") }
    }

    func run() throws {
        let starts = try store.service().sessionStarts(counselor: counselor, lengthMinutes: length, from: from, to: to)
        if json { return try printJSON(starts.map(\.isoText)) }
        if starts.isEmpty { Swift.print("no free start") }
        var byDay: [CalendarDay: [String]] = [:]
        for s in starts { byDay[s.day, default: []].append(s.time.description) }
        for d in byDay.keys.sorted() { Swift.print("\(d)  \(byDay[d]?.joined(separator: " ") ?? "")") }
    }
}
