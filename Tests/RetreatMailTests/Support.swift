import Foundation
import RetreatICal
import RetreatMail
import RetreatScheduling
import Testing

/// Repository root, found from this file.
let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
/// The harness scripts (Python) next to these tests.
let harness = repoRoot.appendingPathComponent("Tests/RetreatMailTests/Harness")

func mailbox(_ text: String) -> Mailbox {
    do { return try Mailbox(text, field: "test") } catch { fatalError("bad test mailbox \(text): \(error)") }
}

func name(_ text: String) -> PlainName {
    do { return try PlainName(text, field: "test") } catch { fatalError("bad test name \(text): \(error)") }
}

let practice = mailbox("\"Retreat Practice\" <hello@retreat.example.org>")
let couple = [mailbox("Zoë Müller <zoe@example.com>"), mailbox("\"Smith, Jo\" <jo.smith@example.net>")]
let sentAt = Date(timeIntervalSince1970: 1_799_161_200)  // 2027-01-05 15:00:00 UTC

/// Small calendars built by RetreatICal's writer, as the notify use case will hand them over.
enum SampleCalendar {
    static let zone = "America/New_York"

    static func event(uid: String, day: Int, sequence: Int, status: ICalEventStatus, attendees: [Mailbox], rsvp: Bool) -> ICalEvent {
        ICalEvent(
            uid: uid, stamp: sentAt,
            start: .zoned(LocalDateTime(year: 2027, month: 1, day: 10 + day, hour: 9, minute: 0), tzid: zone),
            end: .zoned(LocalDateTime(year: 2027, month: 1, day: 10 + day, hour: 17, minute: 0), tzid: zone),
            summary: "Your intensive, day \(day)",
            description: "09:00 Welcome; safety and self-soothing\n12:30 Lunch\n15:00 Reflection — Zoë & Jo, à bientôt",
            location: "Retreat, 12 Main St., Springfield", status: status, sequence: sequence, classification: .privateClass,
            organizer: ICalAddress(uri: practice.address.mailtoURI, commonName: practice.displayName?.value),
            attendees: attendees.map {
                ICalAddress(
                    uri: $0.address.mailtoURI, commonName: $0.displayName?.value, role: "REQ-PARTICIPANT",
                    participationStatus: rsvp ? "NEEDS-ACTION" : nil, rsvp: rsvp)
            })
    }

    static func request(uid: String = "intensive-b1-day1@retreat", attendees: [Mailbox] = couple) -> String {
        text(ICalendar(method: .request, events: [event(uid: uid, day: 1, sequence: 0, status: .confirmed, attendees: attendees, rsvp: true)]))
    }

    static func cancel(uid: String = "intensive-b1-day1@retreat", attendees: [Mailbox] = couple) -> String {
        text(ICalendar(method: .cancel, events: [event(uid: uid, day: 1, sequence: 1, status: .cancelled, attendees: attendees, rsvp: false)]))
    }

    static func publish() -> String {
        text(
            ICalendar(
                method: .publish,
                events: [
                    event(uid: "intensive-b1-day1@retreat", day: 1, sequence: 0, status: .confirmed, attendees: [], rsvp: false),
                    event(uid: "intensive-b1-day2@retreat", day: 2, sequence: 0, status: .confirmed, attendees: [], rsvp: false),
                ]))
    }

    static func text(_ calendar: ICalendar) -> String {
        do { return try calendar.serialized() } catch { fatalError("cannot serialize the sample calendar: \(error)") }
    }
}

let sampleText = """
    Dear Zoë and Jo,

    your intensive starts on Monday 11 January 2027 at 9:00 (New York time).
    .
    From the first morning on, please bring a notebook.
    A line that is long enough to need a soft line break in quoted-printable encoding, with ünïcödé too, and then some more words.
    Trailing space here 
    — Retreat
    """

func sampleMessage(method: CalendarMethod = .request, attachment: String? = "invite.ics") -> CalendarMessage {
    let calendar: String
    switch method {
    case .request: calendar = SampleCalendar.request()
    case .cancel: calendar = SampleCalendar.cancel()
    case .publish: calendar = SampleCalendar.publish()
    }
    return CalendarMessage(
        from: practice, to: couple, subject: name("Your intensive, 11–13 January — Zoë & Jo"), date: sentAt, text: sampleText,
        calendar: calendar, method: method, attachmentName: attachment)
}

/// Finds `program` on PATH.
func which(_ program: String) -> String? {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
    for directory in path.split(separator: ":") + ["/usr/sbin", "/usr/bin"] {
        let candidate = "\(directory)/\(program)"
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
    }
    return nil
}

/// A scratch folder, removed by `cleanup`.
struct Scratch {
    let url: URL
    init(_ label: String) throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("retreat-mail \(label) \(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    func path(_ name: String) -> String { url.appendingPathComponent(name).path }
    func cleanup() { try? FileManager.default.removeItem(at: url) }
}

/// Runs a program (tests only; the transport under test has its own process code) and returns exit status and output.
@discardableResult
func runTool(_ path: String, _ arguments: [String], environment: [String: String]? = nil, input: Data? = nil) throws -> (
    status: Int32, out: String, err: String
) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: path)
    p.arguments = arguments
    if let environment { p.environment = environment }
    let out = Pipe()
    let err = Pipe()
    p.standardOutput = out
    p.standardError = err
    let inPipe = Pipe()
    p.standardInput = inPipe
    try p.run()
    if let input { inPipe.fileHandleForWriting.write(input) }
    try inPipe.fileHandleForWriting.close()
    let errBox = ErrBox()
    let reader = Thread {
        errBox.data = err.fileHandleForReading.readDataToEndOfFile(); errBox.done.signal()
    }
    reader.start()
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    errBox.done.wait()
    let errText = errBox.data
    p.waitUntilExit()
    return (p.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errText, as: UTF8.self))
}

private final class ErrBox: @unchecked Sendable {
    var data = Data()
    let done = DispatchSemaphore(value: 0)
}
