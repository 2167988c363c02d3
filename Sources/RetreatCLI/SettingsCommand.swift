import ArgumentParser
import Foundation
import RetreatScheduling
import RetreatStore

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

    init(_ s: PracticeSettings, _ p: PracticeProfile, counselors: [CounselorProfile] = []) {
        self.counselors = counselors
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
        practice = p
    }
}

extension RetreatCommand {
    struct Settings: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show the practice settings.")

        @OptionGroup var store: StoreOptions
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            try guarded {
                let ctx = try Context.open(store)
                let s = try ctx.store.settings()
                let p = try ctx.store.profile()
                let counselors = try ctx.store.counselors()
                if json { return try printJSON(SettingsJSON(s, p, counselors: counselors)) }
                print(
                    """
                    practice        \(p.name) <\(p.organizerEmail)>
                    time zone       \(s.timeZoneIdentifier)
                    intensive       \(s.intensiveDays) days, \(s.dayStart)–\(s.dayEnd), starts on \(s.startWeekdays.sorted().map(\.shortName).joined(separator: " "))
                    turnover        \(s.turnoverDays) day(s)
                    notice/horizon  \(s.minimumNoticeDays) days / \(s.horizonMonths) months
                    holds expire    after \(s.holdExpiryHours) hours without a deposit
                    resources       \(s.resources.joined(separator: ", "))
                    price           \(Money.format(cents: s.priceCents, currency: s.currency)), deposit \(s.depositPercent)% due \(s.depositDueDays) days after booking
                    refunds         \(s.refundTiers.map { "\($0.percent)% ≥ \($0.minDaysBefore) days before" }.joined(separator: ", ")), else none
                    """)
                for c in counselors { print("counselor       \(c.name) (\(c.timeZoneIdentifier)): \(c.hours)") }
            }
        }
    }
}
