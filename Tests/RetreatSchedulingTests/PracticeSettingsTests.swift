import Foundation
import RetreatScheduling
import Testing

/// The invalidSettings message, or nil when valid.
private func problem(_ settings: PracticeSettings) -> String? {
    do {
        try settings.validate()
        return nil
    } catch {
        guard case .invalidSettings(let message) = error else { return "wrong case: \(error)" }
        return message
    }
}

@Test func defaultsAreValid() throws {
    let settings = PracticeSettings()
    try settings.validate()
    #expect(settings.timeZoneIdentifier == "America/New_York")
    #expect(settings.intensiveDays == 3)
    #expect(settings.dayStart.description == "09:00")
    #expect(settings.dayEnd.description == "17:00")
    #expect(settings.startWeekdays == Set(Weekday.allCases))
    #expect(settings.turnoverDays == 1)
    #expect(settings.minimumNoticeDays == 7)
    #expect(settings.horizonMonths == 12)
    #expect(settings.holdExpiryHours == 48)
    #expect(settings.resources == ["practice"])
    #expect(settings.currency == "USD")
    #expect(settings.priceCents == 450_000)
    #expect(settings.depositPercent == 25)
    #expect(settings.depositDueDays == 2)
    #expect(settings.refundTiers == [RefundTier(minDaysBefore: 60, percent: 100), RefundTier(minDaysBefore: 30, percent: 50)])
    #expect(settings.timeZone.identifier == "America/New_York")
}

@Test func validationMessagesNameTheFieldAndFix() {
    var s = PracticeSettings(timeZoneIdentifier: "Mars/Olympus")
    #expect(problem(s) == "timeZoneIdentifier \"Mars/Olympus\" is not a known IANA time zone; use one such as \"America/New_York\".")

    s = PracticeSettings(); s.intensiveDays = 0
    #expect(problem(s) == "intensiveDays is 0; set it to a whole number of days from 1 to 14.")
    s.intensiveDays = 15
    #expect(problem(s)?.hasPrefix("intensiveDays is 15") == true)
    s.intensiveDays = 14
    #expect(problem(s) == nil)
    s.intensiveDays = 1
    #expect(problem(s) == nil)

    s = PracticeSettings(); s.dayEnd = s.dayStart
    #expect(problem(s) == "dayEnd 09:00 is not after dayStart 09:00; set dayEnd later than dayStart.")

    s = PracticeSettings(); s.startWeekdays = []
    #expect(problem(s)?.hasPrefix("startWeekdays is empty") == true)

    s = PracticeSettings(); s.turnoverDays = -1
    #expect(problem(s) == "turnoverDays is -1; set it from 0 to 30 days.")
    s.turnoverDays = 0
    #expect(problem(s) == nil)

    s = PracticeSettings(); s.minimumNoticeDays = -2
    #expect(problem(s) == "minimumNoticeDays is -2; set it from 0 to 365 days.")

    s = PracticeSettings(); s.horizonMonths = 0
    #expect(problem(s) == "horizonMonths is 0; set it from 1 to 120 months.")

    s = PracticeSettings(); s.resources = []
    #expect(problem(s)?.hasPrefix("resources is empty") == true)

    s = PracticeSettings(); s.resources = ["a", "  "]
    #expect(problem(s) == "resources contains an empty name; give every resource a non-blank name.")

    s = PracticeSettings(); s.resources = ["a", "b", "a"]
    #expect(problem(s) == "resources lists \"a\" more than once; remove the duplicate.")

    s = PracticeSettings(); s.refundTiers = [RefundTier(minDaysBefore: 10, percent: 101)]
    #expect(problem(s)?.hasPrefix("refundTiers has percent 101") == true)
    s.refundTiers = [RefundTier(minDaysBefore: 10, percent: -1)]
    #expect(problem(s)?.hasPrefix("refundTiers has percent -1") == true)
    s.refundTiers = []
    #expect(problem(s) == nil)

    s = PracticeSettings(); s.priceCents = -1
    #expect(problem(s) == "priceCents is -1 (-0.01 USD); set it from 0 to 1000000000 (10,000,000.00 USD).")
    s.priceCents = 0
    #expect(problem(s) == nil)

    s = PracticeSettings(); s.depositPercent = 120
    #expect(problem(s)?.hasPrefix("depositPercent is 120") == true)

    s = PracticeSettings(); s.currency = "usd"
    #expect(problem(s)?.hasPrefix("currency \"usd\"") == true)

    s = PracticeSettings(); s.holdExpiryHours = 0
    #expect(problem(s)?.hasPrefix("holdExpiryHours is 0") == true)
}

@Test func settingsCodableRoundTripAndDefaultsForMissingKeys() throws {
    var settings = PracticeSettings(timeZoneIdentifier: "Europe/London")
    settings.startWeekdays = [.tuesday, .monday]
    settings.resources = ["blue room", "green room"]
    settings.dayStart = ClockTime("10:00")!
    let data = try JSONEncoder().encode(settings)
    let text = String(decoding: data, as: UTF8.self)
    #expect(text.contains("\"dayStart\":\"10:00\""))
    #expect(text.contains("\"startWeekdays\":[1,2]"))
    #expect(try JSONDecoder().decode(PracticeSettings.self, from: data) == settings)

    let partial = try JSONDecoder().decode(
        PracticeSettings.self, from: Data(#"{"timeZoneIdentifier":"Europe/Paris","turnoverDays":0}"#.utf8))
    var expected = PracticeSettings(timeZoneIdentifier: "Europe/Paris")
    expected.turnoverDays = 0
    #expect(partial == expected)
}
