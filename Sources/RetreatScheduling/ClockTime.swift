/// A wall-clock time of day, `"HH:MM"` (00:00...23:59). Encoded (`Codable`) as `"HH:MM"`.
public struct ClockTime: Hashable, Comparable, Codable, Sendable, CustomStringConvertible {
    /// Minutes since midnight, 0...1439.
    public let minutes: Int

    /// `nil` unless `hour` is 0...23 and `minute` is 0...59.
    public init?(hour: Int, minute: Int) {
        guard (0...23).contains(hour), (0...59).contains(minute) else { return nil }
        self.minutes = hour * 60 + minute
    }

    /// Parses strictly `"HH:MM"` with two digits each: accepts "09:00", rejects "25:00", "9:5", "9:05".
    public init?(_ text: String) {
        let bytes = Array(text.utf8)
        guard bytes.count == 5, bytes[2] == UInt8(ascii: ":") else { return nil }
        var digits: [Int] = []
        for index in [0, 1, 3, 4] {
            let byte = bytes[index]
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            digits.append(Int(byte - UInt8(ascii: "0")))
        }
        self.init(hour: digits[0] * 10 + digits[1], minute: digits[2] * 10 + digits[3])
    }

    /// 00:00.
    public static let midnight = ClockTime(uncheckedMinutes: 0)

    /// For compile-time-known valid values only.
    init(uncheckedMinutes: Int) {
        self.minutes = uncheckedMinutes
    }

    /// The hour, 0...23.
    public var hour: Int { minutes / 60 }

    /// The minute, 0...59.
    public var minute: Int { minutes % 60 }

    /// `"HH:MM"`, zero padded.
    public var description: String {
        CalendarDay.pad(hour, 2) + ":" + CalendarDay.pad(minute, 2)
    }

    public static func < (lhs: ClockTime, rhs: ClockTime) -> Bool {
        lhs.minutes < rhs.minutes
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let parsed = ClockTime(text) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "\"\(text)\" is not a valid time (expected HH:MM)")
        }
        self = parsed
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
