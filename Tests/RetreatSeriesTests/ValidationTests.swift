import Foundation
import RetreatScheduling
import Testing

@Suite struct ValidationTests {
    func problem(_ s: CounselingSeriesSpec) -> String? {
        message { try s.validate() }
    }

    @Test func goodSpecPasses() {
        #expect(problem(spec(start: "2027-03-03T12:00", partners: [london, sydney], link: "https://meet.example.org/r/42")) == nil)
        #expect(problem(spec(start: "2027-03-03T12:00", zone: "UTC")) == nil)
    }

    @Test func unknownZonesAreNamed() {
        #expect(
            problem(spec(start: "2027-03-03T12:00", zone: "Mars/Olympus_Mons"))
                == "counselor zone \"Mars/Olympus_Mons\" is not a known IANA time zone; use a region name such as \"America/New_York\" or \"Europe/London\".")
        #expect(
            problem(spec(start: "2027-03-03T12:00", partners: [london, "Europe/Londn"]))
                == "partner zone \"Europe/Londn\" is not a known IANA time zone; use a region name such as \"America/New_York\" or \"Europe/London\".")
        #expect(
            problem(spec(start: "2027-03-03T12:00", partners: ["europe/london"]))
                == "partner zone \"europe/london\" is not a known IANA time zone; did you mean \"Europe/London\"?")
        #expect(problem(spec(start: "2027-03-03T12:00", zone: "EST"))?.hasPrefix("counselor zone \"EST\" is not a known IANA time zone") == true)
        #expect(problem(spec(start: "2027-03-03T12:00", zone: "")) != nil)
    }

    @Test func countAndUntil() {
        #expect(problem(spec(start: "2027-03-03T12:00", end: .count(0))) == "the series count is 0; choose from 1 to 520 sessions.")
        #expect(problem(spec(start: "2027-03-03T12:00", end: .count(521))) == "the series count is 521; choose from 1 to 520 sessions.")
        #expect(problem(spec(start: "2027-03-03T12:00", end: .count(520))) == nil)
        #expect(
            problem(spec(start: "2027-03-03T12:00", end: .until(day("2027-03-02"))))
                == "the end date 2027-03-02 is before the first session on 2027-03-03; choose an end date on or after 2027-03-03.")
        #expect(
            problem(spec(start: "2027-03-03T12:00", end: .until(day("2040-01-01"))))
                == "the end date 2040-01-01 gives more than 520 sessions; choose an earlier end date or a count.")
        #expect(problem(spec(start: "2027-03-03T12:00", frequency: .monthlyByWeekday, end: .until(day("2040-01-01")))) == nil)
    }

    @Test func length() {
        #expect(problem(spec(start: "2027-03-03T12:00", length: 0)) == "the session length is 0 minutes; choose a length from 10 to 240 minutes.")
        #expect(problem(spec(start: "2027-03-03T12:00", length: 241)) == "the session length is 241 minutes; choose a length from 10 to 240 minutes.")
        #expect(problem(spec(start: "2027-03-03T12:00", length: 10)) == nil)
        #expect(problem(spec(start: "2027-03-03T12:00", length: 240)) == nil)
    }

    @Test func startSkippedByDaylightSaving() {
        #expect(
            problem(spec(start: "2027-03-14T02:30"))
                == "2027-03-14 02:30 does not exist in America/New_York (the clocks jump forward over it); choose another time.")
        #expect(
            problem(spec(start: "2027-03-28T01:30", zone: london))
                == "2027-03-28 01:30 does not exist in Europe/London (the clocks jump forward over it); choose another time.")
        #expect(problem(spec(start: "2027-11-07T01:30")) == nil)  // repeated, not skipped
    }

    @Test func blankFieldsAndLinks() {
        #expect(problem(spec(start: "2027-03-03T12:00", couple: "  ")) == "the couple's name is blank; give it a non-blank value.")
        #expect(problem(spec(start: "2027-03-03T12:00", counselor: "")) == "the counselor is blank; give it a non-blank value.")
        let badLink = "the link is not a web address; give a full https:// address or leave the link out."
        #expect(problem(spec(start: "2027-03-03T12:00", link: "zoom room 5")) == badLink)
        #expect(problem(spec(start: "2027-03-03T12:00", link: "ftp://files.example.org")) == badLink)
        #expect(problem(spec(start: "2027-03-03T12:00", link: "https://")) == badLink)
    }

    @Test func seriesInitValidatesTheSpec() {
        #expect(
            message { _ = try CounselingSeries(id: "x", spec: spec(start: "2027-03-03T12:00", end: .count(0))) }
                == "the series count is 0; choose from 1 to 520 sessions.")
    }

    @Test func messagesNeverNameTheCouple() throws {
        let couple = "Jo & Max Example"
        var messages: [String] = []
        for bad in [
            spec(start: "2027-03-03T12:00", end: .count(0), couple: couple),
            spec(start: "2027-03-14T02:30", couple: couple),
            spec(start: "2027-03-03T12:00", zone: "Nowhere/City", couple: couple),
            spec(start: "2027-03-03T12:00", length: 0, couple: couple),
            spec(start: "2027-03-03T12:00", couple: couple, link: "nope"),
        ] {
            if let text = problem(bad) { messages.append(text) }
        }
        #expect(messages.count == 5)
        #expect(messages.allSatisfy { !$0.contains("Jo") && !$0.contains("Max") })
    }
}

@Suite struct CodingTests {
    @Test func seriesRoundTripsThroughJSON() throws {
        let original = try series("s1", spec(start: "2027-03-03T12:00", end: .until(day("2027-06-30")), partners: [london], link: "https://meet.example.org/a"))
            .moving(day("2027-03-10"), to: at("2027-03-11T14:00"), lengthMinutes: 60)
            .cancelling(day("2027-03-17"))
            .ending(from: day("2027-06-01"))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = try encoder.encode(original)
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains("\"start\":\"2027-03-03T12:00\""))
        #expect(text.contains("\"end\":{\"until\":\"2027-06-30\"}"))
        #expect(text.contains("\"frequency\":\"week\""))
        let decoded = try JSONDecoder().decode(CounselingSeries.self, from: data)
        #expect(decoded == original)
        #expect(decoded.sequence == 3)
        #expect(try encoder.encode(decoded) == data)
    }

    @Test func decodingRefusesAnInvalidSeries() throws {
        let json =
            #"{"id":"s1","sequence":0,"spec":{"couple":"A","counselor":"ann","lengthMinutes":50,"frequency":"week","start":"2027-03-03T12:00","end":{"count":0},"counselorZone":"America/New_York","partnerZones":[]}}"#
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(CounselingSeries.self, from: Data(json.utf8)) }
        let good = json.replacingOccurrences(of: #""count":0"#, with: #""count":3"#)
        #expect(try JSONDecoder().decode(CounselingSeries.self, from: Data(good.utf8)).occurrences().count == 3)
    }

    @Test func hoursEncodeAsPeriodText() throws {
        let hours = try CounselorHours(parsing: "mon-thu 10:00-18:00; fri 10:00-14:00")
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let text = String(decoding: try encoder.encode(hours), as: UTF8.self)
        #expect(text == #"{"fri":["10:00-14:00"],"mon":["10:00-18:00"],"thu":["10:00-18:00"],"tue":["10:00-18:00"],"wed":["10:00-18:00"]}"#)
        #expect(try JSONDecoder().decode(CounselorHours.self, from: Data(text.utf8)) == hours)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(CounselorHours.self, from: Data(#"{"funday":["10:00-12:00"]}"#.utf8)) }
    }
}
