import Foundation
import Testing

/// Every input the fuzzer ever crashed on (Fuzz/crashes/) and the hostile fixtures replay through the same
/// parse → expand → import → serialize path without crashing.
@Suite struct FuzzReplayTests {
    @Test func savedCrashesAndHostileFilesReplayCleanly() throws {
        let binary = retreatBinary.deletingLastPathComponent().appendingPathComponent("RetreatFuzz")
        try #require(FileManager.default.isExecutableFile(atPath: binary.path), "RetreatFuzz is not built")
        let p = Process()
        p.executableURL = binary
        p.arguments = [
            repoRoot.appendingPathComponent("Fuzz/crashes").path, repoRoot.appendingPathComponent("Fixtures/calendars/hostile").path,
            repoRoot.appendingPathComponent("Fixtures/calendars").path,
        ]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
        #expect(text.contains("without a crash"))
    }
}
