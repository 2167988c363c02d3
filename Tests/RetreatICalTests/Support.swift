import Foundation

@testable import RetreatICal

/// Top-level `Fixtures/` folder, found from this file's path.
let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("Fixtures")

let ny = "America/New_York"
let stamp = Date(timeIntervalSince1970: 1_795_000_000)
let staff = ICalAddress(uri: "mailto:staff@example.org", commonName: "Retreat staff")

func nyTime(_ y: Int, _ m: Int, _ d: Int, _ h: Int, _ min: Int = 0) -> ICalDateTime {
    .zoned(LocalDateTime(year: y, month: m, day: d, hour: h, minute: min), tzid: ny)
}

func utc(_ y: Int, _ m: Int, _ d: Int, _ h: Int, _ min: Int = 0) -> Date {
    Date(timeIntervalSince1970: TimeInterval(LocalDateTime(year: y, month: m, day: d, hour: h, minute: min).naiveSeconds))
}

func lines(_ text: String) -> [Substring] {
    text.split(separator: "\r\n", omittingEmptySubsequences: true)
        .flatMap { $0.split(separator: "\n") }
}

let wideWindow = DateInterval(start: utc(2020, 1, 1, 0), end: utc(2035, 1, 1, 0))
