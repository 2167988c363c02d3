import RetreatScheduling
import Testing

@Test func parseDayMessages() throws {
    #expect(try parseDay("2026-02-28", field: "--from") == d("2026-02-28"))
    #expect(throws: SchedulingError.invalidDate("--from: \"2026-02-30\" is not a valid date (expected YYYY-MM-DD)")) {
        try parseDay("2026-02-30", field: "--from")
    }
    do {
        _ = try parseDay("2026-1-5", field: "--start")
        Issue.record("expected a throw")
    } catch {
        #expect(error.description == "--start: \"2026-1-5\" is not a valid date (expected YYYY-MM-DD)")
    }
}

@Test func parseRangeChecksOrder() throws {
    let range = try parseRange(from: "2026-01-01", to: "2026-02-01")
    #expect(range.lowerBound == d("2026-01-01") && range.upperBound == d("2026-02-01"))
    let single = try parseRange(from: "2026-01-01", to: "2026-01-01")
    #expect(single.lowerBound == single.upperBound)
    #expect(throws: SchedulingError.invalidRange("--to 2026-01-01 is before --from 2026-02-01")) {
        try parseRange(from: "2026-02-01", to: "2026-01-01")
    }
    #expect(throws: SchedulingError.invalidDate("--to: \"x\" is not a valid date (expected YYYY-MM-DD)")) {
        try parseRange(from: "2026-02-01", to: "x")
    }
}

@Test func errorDescriptionIsTheMessage() {
    #expect(SchedulingError.invalidSettings("a").description == "a")
    #expect(SchedulingError.invalidDate("b").description == "b")
    #expect(SchedulingError.invalidRange("c").description == "c")
}
