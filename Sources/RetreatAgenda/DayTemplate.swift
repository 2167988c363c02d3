import RetreatScheduling

/// The frame of every intensive day: its bounds, the lunch window, break lengths and the caps on
/// session work.
public struct DayTemplate: Hashable, Codable, Sendable {
    /// When the first block starts at the earliest.
    public var start: ClockTime
    /// When the last block ends at the latest.
    public var end: ClockTime
    /// Lunch starts no earlier than this.
    public var lunchWindowStart: ClockTime
    /// Lunch ends no later than this.
    public var lunchWindowEnd: ClockTime
    /// Length of lunch.
    public var lunchMinutes: Int
    /// Length of a break (also the recovery break between demanding blocks).
    public var breakMinutes: Int
    /// Longest stretch of session work without a break or lunch.
    public var maxRunMinutes: Int
    /// Most minutes of contact (sessions and reflection) in one day.
    public var maxContactMinutes: Int

    /// Creates a template from explicit values; call `validate()` before planning with it.
    public init(
        start: ClockTime, end: ClockTime, lunchWindowStart: ClockTime, lunchWindowEnd: ClockTime,
        lunchMinutes: Int = 60, breakMinutes: Int = 15, maxRunMinutes: Int = 90, maxContactMinutes: Int = 360
    ) {
        self.start = start
        self.end = end
        self.lunchWindowStart = lunchWindowStart
        self.lunchWindowEnd = lunchWindowEnd
        self.lunchMinutes = lunchMinutes
        self.breakMinutes = breakMinutes
        self.maxRunMinutes = maxRunMinutes
        self.maxContactMinutes = maxContactMinutes
    }

    /// The default day for the practice's `dayStart`...`dayEnd`: a 60-minute lunch in a 90-minute
    /// window opening three eighths into the day (12:00-13:30 for 09:00-17:00), 15-minute breaks,
    /// at most 90 minutes of session work in a row, and at most 6 hours of contact (less on a
    /// short day: the day minus lunch and three breaks, rounded down to 15 minutes).
    public init(settings: PracticeSettings) {
        let start = settings.dayStart.minutes
        let end = max(settings.dayEnd.minutes, start + 1)
        let length = end - start
        let lunchStart = start + (length * 3 / 8) / 15 * 15
        let lunchEnd = min(lunchStart + 90, end)
        let contact = max(15, min(360, (length - 60 - 45) / 15 * 15))
        self.init(
            start: .clamped(start), end: .clamped(end),
            lunchWindowStart: .clamped(lunchStart), lunchWindowEnd: .clamped(lunchEnd),
            lunchMinutes: 60, breakMinutes: 15, maxRunMinutes: 90, maxContactMinutes: contact
        )
    }

    /// The default template for the default practice settings (09:00-17:00, lunch 12:00-13:30).
    public static let standard = DayTemplate(settings: PracticeSettings())

    /// Checks that the day, the lunch window and the caps fit together.
    /// - Throws: `AgendaError.invalidRequest` naming the field and the fix.
    public func validate() throws(AgendaError) {
        func fail(_ message: String) -> AgendaError { .invalidRequest(message) }
        if end <= start {
            throw fail("The day template ends at \(end), not after its start \(start); set the end later than the start.")
        }
        if lunchMinutes <= 0 || breakMinutes <= 0 {
            throw fail("The day template's lunchMinutes (\(lunchMinutes)) and breakMinutes (\(breakMinutes)) must both be greater than 0.")
        }
        if lunchWindowStart < start || lunchWindowEnd > end {
            throw fail("The lunch window \(lunchWindowStart)-\(lunchWindowEnd) is not inside the day \(start)-\(end); move it inside the day.")
        }
        if lunchWindowEnd.minutes - lunchWindowStart.minutes < lunchMinutes {
            throw fail(
                "The lunch window \(lunchWindowStart)-\(lunchWindowEnd) is shorter than lunchMinutes (\(lunchMinutes)); widen the window or shorten lunch.")
        }
        if maxRunMinutes <= 0 {
            throw fail("maxRunMinutes is \(maxRunMinutes); set the longest stretch of session work to more than 0 minutes (90 is usual).")
        }
        if maxContactMinutes <= 0 {
            throw fail("maxContactMinutes is \(maxContactMinutes); set the daily contact cap to more than 0 minutes (360 is usual).")
        }
    }
}

extension ClockTime {
    /// The time `minutes` after midnight, clamped to 00:00...23:59.
    static func clamped(_ minutes: Int) -> ClockTime {
        let value = min(max(minutes, 0), 23 * 60 + 59)
        guard let time = ClockTime(hour: value / 60, minute: value % 60) else {
            preconditionFailure("a clamped minute count is always a valid time")
        }
        return time
    }
}
