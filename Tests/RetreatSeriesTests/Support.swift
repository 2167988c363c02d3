import Foundation
import RetreatScheduling

func day(_ text: String) -> CalendarDay { CalendarDay(iso: text)! }
func at(_ text: String) -> LocalTime { LocalTime(iso: text)! }

/// Parses "2027-03-03T17:00:00Z" by hand (no formatter), so expected instants are plain arithmetic.
func utc(_ text: String) -> Date {
    let d = CalendarDay(iso: String(text.prefix(10)))!
    let parts = text.dropFirst(11).prefix(8).split(separator: ":").map { Int($0)! }
    return Date(timeIntervalSince1970: TimeInterval(d.daysSinceEpoch * 86_400 + parts[0] * 3600 + parts[1] * 60 + parts[2]))
}

let newYork = "America/New_York"
let london = "Europe/London"
let sydney = "Australia/Sydney"

func spec(
    start: String, frequency: SeriesFrequency = .weekly, end: SeriesEnd = .count(10), length: Int = 50,
    counselor: String = "ann", zone: String = newYork, partners: [String] = [],
    couple: String = "Jo & Max Example", link: String? = nil
) -> CounselingSeriesSpec {
    CounselingSeriesSpec(
        couple: couple, counselor: counselor, lengthMinutes: length, frequency: frequency,
        start: at(start), end: end, counselorZone: zone, partnerZones: partners, link: link)
}

func series(_ id: String, _ s: CounselingSeriesSpec) throws -> CounselingSeries {
    try CounselingSeries(id: id, spec: s)
}

func series(_ s: CounselingSeriesSpec) throws -> CounselingSeries {
    try CounselingSeries(id: "s1", spec: s)
}

/// The `SeriesError` sentence `body` throws; nil when it does not throw.
func message(_ body: () throws -> Void) -> String? {
    do {
        try body()
        return nil
    } catch let error as SeriesError {
        return error.description
    } catch {
        return "unexpected error: \(error)"
    }
}
