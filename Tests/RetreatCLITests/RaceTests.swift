import Foundation
import Testing

/// Several staff booking the same slot at the same instant: exactly one wins each round.
@Suite(.serialized) struct RaceTests {
    @Test(arguments: StoreKind.allCases) func concurrentProcessesBookingOneSlotHaveOneWinner(_ kind: StoreKind) throws {
        let box = try Sandbox(kind)
        defer { box.cleanup() }
        let rounds = 12
        let contenders = 4
        for round in 0..<rounds {
            // Mondays from 2027-01-04 on, one week apart (a 3-day intensive plus turnover fits in a week).
            let start =
                Calendar(identifier: .gregorian).date(byAdding: .day, value: 7 * round, to: ISO8601DateFormatter().date(from: "2027-01-04T12:00:00Z") ?? Date())
                ?? Date()
            let fmt = DateFormatter()
            fmt.dateFormat = "yyyy-MM-dd"
            fmt.timeZone = TimeZone(identifier: "UTC")
            let day = fmt.string(from: start)
            let procs = (0..<contenders).map { i in box.start(["book", "--couple", "Couple \(round)-\(i)", "--start", day]) }
            for p in procs { try p.run() }
            var codes: [Int32] = []
            var errors: [String] = []
            for p in procs {
                let err = (p.standardError as? Pipe)?.fileHandleForReading.readDataToEndOfFile() ?? Data()
                _ = (p.standardOutput as? Pipe)?.fileHandleForReading.readDataToEndOfFile()
                p.waitUntilExit()
                codes.append(p.terminationStatus)
                errors.append(String(decoding: err, as: UTF8.self))
            }
            #expect(codes.filter { $0 == 0 }.count == 1, "round \(round): codes \(codes), errors \(errors)")
            #expect(codes.filter { $0 == 3 }.count == contenders - 1, "round \(round): codes \(codes), errors \(errors)")
            for e in errors where !e.isEmpty {
                #expect(e.contains(day))
                #expect(!e.contains("Couple"), "the loser saw another couple's name: \(e)")
            }
        }
        let list = try JSONSerialization.jsonObject(with: Data(box.run(["list", "--json"]).out.utf8)) as? [[String: Any]]
        #expect(list?.count == rounds)
    }
}
