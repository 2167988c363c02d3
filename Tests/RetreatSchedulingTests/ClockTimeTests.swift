import Foundation
import RetreatScheduling
import Testing

@Test func clockTimeParsesStrictHHMM() {
    #expect(ClockTime("09:00")?.minutes == 540)
    #expect(ClockTime("00:00")?.minutes == 0)
    #expect(ClockTime("23:59")?.minutes == 1439)
    #expect(ClockTime("17:30")?.hour == 17)
    #expect(ClockTime("17:30")?.minute == 30)
    #expect(ClockTime("25:00") == nil)
    #expect(ClockTime("24:00") == nil)
    #expect(ClockTime("09:60") == nil)
    #expect(ClockTime("9:5") == nil)
    #expect(ClockTime("9:05") == nil)
    #expect(ClockTime("09:5") == nil)
    #expect(ClockTime("0900") == nil)
    #expect(ClockTime("09-00") == nil)
    #expect(ClockTime("ab:cd") == nil)
    #expect(ClockTime("") == nil)
    #expect(ClockTime(" 09:00") == nil)
    #expect(ClockTime("-1:00") == nil)
}

@Test func clockTimeComponentsAndDescription() {
    #expect(ClockTime(hour: 9, minute: 5)?.description == "09:05")
    #expect(ClockTime(hour: 24, minute: 0) == nil)
    #expect(ClockTime(hour: -1, minute: 0) == nil)
    #expect(ClockTime(hour: 12, minute: 60) == nil)
    #expect(ClockTime(hour: 0, minute: 0)?.description == "00:00")
    #expect(ClockTime("08:59")! < ClockTime("09:00")!)
    #expect(ClockTime("09:00") == ClockTime(hour: 9, minute: 0))
}

@Test func clockTimeCodableAsString() throws {
    let data = try JSONEncoder().encode([ClockTime("09:00")!])
    #expect(String(decoding: data, as: UTF8.self) == "[\"09:00\"]")
    #expect(try JSONDecoder().decode([ClockTime].self, from: data) == [ClockTime("09:00")!])
    #expect(throws: DecodingError.self) {
        _ = try JSONDecoder().decode([ClockTime].self, from: Data("[\"25:00\"]".utf8))
    }
}
