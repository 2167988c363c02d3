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
    var practice: PracticeProfile
    var counselors: [CounselorProfile]

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
        practice = o.profile
    }
}

extension RetreatCommand {
    struct Settings: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show the practice settings.")

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
        }
    }
}
