import Foundation
import RetreatICal
import RetreatScheduling
import Testing

@testable import RetreatCalendars

/// Imports every real client file in `../shared/corpus/ics` and compares the busy rows (UID, RECURRENCE-ID and the
/// days blocked) with an independent expansion: Python's icalendar + recurring-ical-events, run by
/// `Benchmarks/import/busy_days.py` from the venv `make ics-validator` installs. Prints that it skipped when the corpus
/// or the venv is missing.
@Suite struct CorpusTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let corpus = root.deletingLastPathComponent().appendingPathComponent("shared/corpus/ics")
    static let python = root.appendingPathComponent(".build/icsval/bin/python")
    static let script = root.appendingPathComponent("Benchmarks/import/busy_days.py")
    static let from = "2000-01-01", to = "2030-12-31"

    /// Files where Retreat and the reference are meant to differ, with the reason (also in the README).
    static let intendedDifferences: [String: String] = [
        "jens-maus__node-ical__Office-2012-owa.ics":
            "the reference does not map Outlook display-name TZIDs such as \"(UTC-05:00) Eastern Time (US & Canada)\" and reads those times as floating; Retreat maps them through CLDR",
        "jens-maus__node-ical__ms_timezones.ics":
            "one DTSTART is malformed (TZID=\"W. Europe Standard Time:20200609T090000\"); the reference crashes, Retreat repairs the quote",
    ]

    static var files: [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: corpus.path).filter { $0.hasSuffix(".ics") }.sorted()) ?? []
    }

    struct Row: Hashable, Comparable, CustomStringConvertible {
        var from: String, to: String, uid: String, rid: String
        static func < (a: Row, b: Row) -> Bool { (a.uid, a.rid, a.from) < (b.uid, b.rid, b.from) }
        var description: String { "\(uid) \(rid) \(from)…\(to)" }
    }

    func reference(_ file: URL) throws -> [Row]? {
        let process = Process()
        process.executableURL = Self.python
        process.arguments = [Self.script.path, file.path, Self.from, Self.to, "America/New_York", "09:00", "17:00"]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = Pipe()
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        if process.terminationStatus == 3 { return nil }
        #expect(process.terminationStatus == 0, "busy_days.py failed on \(file.lastPathComponent)")
        return String(decoding: data, as: UTF8.self).split(separator: "\n").map { line in
            let f = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            return Row(from: f[0], to: f[1], uid: f.count > 2 ? f[2] : "", rid: f.count > 3 ? f[3] : "")
        }
    }

    func retreat(_ file: URL) throws -> [Row] {
        let result = try BusyImport.busyDays(in: try ICalendar(contentsOf: file), from: day(Self.from), to: day(Self.to), settings: practice)
        return result.busy.compactMap { b in
            b.days.map { Row(from: $0.lowerBound.description, to: $0.upperBound.description, uid: b.uid, rid: b.recurrenceID) }
        }
    }

    static func days(_ rows: [Row]) -> Set<String> {
        Set(
            rows.flatMap { r -> [String] in
                guard let a = CalendarDay(iso: r.from), let b = CalendarDay(iso: r.to) else { return [] }
                return (0...a.days(until: b)).map { a.adding(days: $0).description }
            })
    }

    @Test func everyCorpusFileMatchesTheIndependentExpansion() throws {
        guard FileManager.default.fileExists(atPath: Self.corpus.path), !Self.files.isEmpty else {
            print("CorpusTests skipped: no corpus at \(Self.corpus.path)")
            return
        }
        guard FileManager.default.isExecutableFile(atPath: Self.python.path) else {
            print("CorpusTests skipped: no Python venv with recurring-ical-events (run `make ics-validator`)")
            return
        }
        var compared = 0
        for name in Self.files {
            let file = Self.corpus.appendingPathComponent(name)
            let ours = try retreat(file).sorted()
            guard let theirs = try reference(file)?.sorted() else {
                #expect(Self.intendedDifferences[name] != nil, "the reference cannot read \(name)")
                print("CorpusTests: \(name): the reference cannot read it; Retreat imports \(ours.count) row(s)")
                continue
            }
            if let reason = Self.intendedDifferences[name] {
                print("CorpusTests: \(name): intended difference (\(reason)); Retreat \(ours.count) row(s), reference \(theirs.count)")
                continue
            }
            #expect(Self.days(ours) == Self.days(theirs), "blocked days differ for \(name)")
            #expect(
                ours == theirs,
                "rows differ for \(name): only Retreat \(Set(ours).subtracting(theirs).sorted().prefix(5)), only reference \(Set(theirs).subtracting(ours).sorted().prefix(5))"
            )
            compared += 1
        }
        print("CorpusTests: \(compared) of \(Self.files.count) corpus files give the reference's rows exactly")
        #expect(compared >= Self.files.count - Self.intendedDifferences.count)
    }
}
