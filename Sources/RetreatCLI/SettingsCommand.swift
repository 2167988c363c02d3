import ArgumentParser
import Foundation
import RetreatApp
import RetreatScheduling

/// `retreat settings --json` shape.
struct SettingsJSON: Encodable {
    var timeZone: String
    var dayStart: ClockTime
    var dayEnd: ClockTime
    var intensiveDays: Int
    var startWeekdays: [String]
    var turnoverDays: Int
    var minimumNoticeDays: Int
    var horizonMonths: Int
    var holdExpiryHours: Int
    var resources: [String]
    var currency: String
    var priceCents: Int
    var depositPercent: Int
    var depositDueDays: Int
    var refundTiers: [RefundTier]
    var partnerWindow: String
    var practice: PracticeProfile
    var counselors: [CounselorProfile]
    var mail: MailSettings

    init(_ o: PracticeOverview) {
        let s = o.settings
        counselors = o.counselors
        timeZone = s.timeZoneIdentifier
        dayStart = s.dayStart
        dayEnd = s.dayEnd
        intensiveDays = s.intensiveDays
        startWeekdays = s.startWeekdays.sorted().map(\.shortName)
        turnoverDays = s.turnoverDays
        minimumNoticeDays = s.minimumNoticeDays
        horizonMonths = s.horizonMonths
        holdExpiryHours = s.holdExpiryHours
        resources = s.resources
        currency = s.currency
        priceCents = s.priceCents
        depositPercent = s.depositPercent
        depositDueDays = s.depositDueDays
        refundTiers = s.refundTiers
        partnerWindow = s.partnerWindow.description
        practice = o.profile
        mail = o.mail
    }
}

extension RetreatCommand {
    struct Settings: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show the practice settings, or change them.", subcommands: [ShowSettings.self, SetSettings.self, ReplaceModules.self],
            defaultSubcommand: ShowSettings.self)
    }

    struct ShowSettings: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Show the practice settings (the default).")

        @OptionGroup var store: StoreOptions
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            let o = try store.service().overview()
            if json { return try printJSON(SettingsJSON(o)) }
            let s = o.settings
            let p = o.profile
            for line in """
            practice        \(Terminal.safe(p.name)) <\(Terminal.safe(p.organizerEmail))>
            time zone       \(s.timeZoneIdentifier)
            intensive       \(s.intensiveDays) days, \(s.dayStart)–\(s.dayEnd), starts on \(s.startWeekdays.sorted().map(\.shortName).joined(separator: " "))
            turnover        \(s.turnoverDays) day(s)
            notice/horizon  \(s.minimumNoticeDays) days / \(s.horizonMonths) months
            holds expire    after \(s.holdExpiryHours) hours without a deposit
            resources       \(Terminal.safe(s.resources.joined(separator: ", ")))
            price           \(money(s.priceCents, s.currency)), deposit \(s.depositPercent)% due \(s.depositDueDays) days after booking
            refunds         \(s.refundTiers.map { "\($0.percent)% ≥ \($0.minDaysBefore) days before" }.joined(separator: ", ")), else none
            """.split(separator: "\n") { Terminal.print(String(line)) }
            for c in o.counselors { Terminal.print("counselor       \(c.name) (\(c.timeZoneIdentifier)): \(c.hours)") }
            let m = o.mail
            let reminders = m.reminderHours == 0 ? "no reminders" : "reminders \(m.reminderHours) hours before each day and session"
            Terminal.print("mail            from \(m.from ?? "\(p.organizerName) <\(p.organizerEmail)>"), \(reminders)")
            Terminal.print("mail command    \(m.sendmail ?? "sendmail -t -i") (unless $RETREAT_SENDMAIL is set)")
        }
    }
}

/// One `KEY=VALUE` given to `settings set`.
struct SettingAssignment: Hashable, Sendable {
    var key: String
    var value: String

    @Sendable static func parse(_ text: String) throws -> SettingAssignment {
        guard let eq = text.firstIndex(of: "=") else { throw ValidationError("\"\(text)\" is not KEY=VALUE (e.g. turnoverDays=2)") }
        let key = String(text[..<eq])
        guard PracticeSettings.settableKeys.contains(key) || MailSettings.settableKeys.contains(key) else {
            throw ValidationError(
                "unknown setting \"\(key)\"; the settings are \((PracticeSettings.settableKeys + MailSettings.settableKeys).joined(separator: ", "))")
        }
        return SettingAssignment(key: key, value: String(text[text.index(after: eq)...]))
    }
}

extension RetreatCommand {
    struct SetSettings: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set",
            abstract: "Change settings (keys as `settings --json` names them); each value is checked against its range and the live bookings.",
            discussion: """
                Examples: turnoverDays=2  minimumNoticeDays=10  startWeekdays=mon,tue,wed  dayStart=09:30  priceCents=480000  \
                refundTiers=60:100,30:50  mail.from="Practice <care@example.org>"  mail.reminderHours=24  \
                mail.sendmail="msmtp -t --read-envelope-from" (an empty value clears a mail setting). A change that would move the days of a live booking (intensiveDays, turnoverDays) or drop a \
                resource with live bookings is refused naming them. Recorded in the audit log with the values before and after.
                """)

        @OptionGroup var store: StoreOptions
        @Argument(help: "KEY=VALUE pairs.", transform: SettingAssignment.parse) var assignments: [SettingAssignment]
        @Flag(help: "Show what would change without changing it.") var dryRun = false
        @Flag(help: "Print the changes as JSON: [{\"key\",\"before\",\"after\"}].") var json = false

        func validate() throws {
            if assignments.isEmpty { throw ValidationError("give at least one KEY=VALUE.") }
            if Set(assignments.map(\.key)).count != assignments.count { throw ValidationError("each setting may be given once.") }
        }

        func run() throws {
            let changes = try store.service().updateSettings(assignments.map { ($0.key, $0.value) }, dryRun: dryRun)
            if json { return try printJSON(changes) }
            if changes.isEmpty { Swift.print("nothing changes") }
            for c in changes { Terminal.print("\(c.key): \(c.before) → \(c.after)") }
            if dryRun && !changes.isEmpty { Swift.print("(dry run: nothing was changed)") }
        }
    }
}

extension RetreatCommand {
    struct ReplaceModules: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "modules",
            abstract: "Replace the agenda module catalog with a TOML file (checked as `init --modules` checks it).",
            discussion: """
                The agendas of bookings not yet over were planned from the old catalog: they become stale and are \
                re-planned with `retreat agenda ID --replan` before they are exported or sent. A live booking that \
                ranks a priority the new catalog does not define, or whose agenda adjustments name a module it lacks, \
                is refused (exit 3) naming it. Recorded in the audit log.
                """)

        @OptionGroup var store: StoreOptions
        @Argument(help: "The catalog (see Fixtures/agenda-modules.toml).") var file: String
        @Flag(help: "Show what would change without changing it.") var dryRun = false
        @Flag(help: "Print JSON: {\"modules\",\"previousModules\",\"changed\",\"staleAgendas\",\"dryRun\"}.") var json = false

        func run() throws {
            let r = try store.service().replaceModuleCatalog(file: file, dryRun: dryRun)
            if json { return try printJSON(r) }
            guard r.changed else { return Swift.print("the module catalog is unchanged (\(r.modules) modules)") }
            let verb = dryRun ? "would replace" : "replaced"
            Swift.print("\(verb) the module catalog: \(r.modules) modules (was \(r.previousModules))")
            if !r.staleAgendas.isEmpty {
                Swift.print("agendas to re-plan (`retreat agenda ID --replan`): \(r.staleAgendas.joined(separator: ", "))")
            }
            if dryRun { Swift.print("(dry run: nothing was changed)") }
        }
    }
}
