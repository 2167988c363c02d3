import Foundation
import RetreatAgenda
import RetreatScheduling
internal import TOMLKit

/// An error in a configuration file: one line naming the file, the key and what to write instead.
public struct ConfigError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The message, starting with the file name.
    public var message: String

    /// Creates an error.
    public init(_ message: String) { self.message = message }

    /// The message.
    public var description: String { message }
}

/// Everything the practice's TOML file configures (see `Fixtures/practice.toml`).
public struct PracticeConfiguration: Hashable, Sendable {
    /// Scheduling and money settings.
    public var settings: PracticeSettings
    /// How the practice appears in calendars.
    public var profile: PracticeProfile
    /// Counselors' working hours (`[[counselors]]`), empty when the file has none.
    public var counselors: [CounselorProfile]
    /// The agenda day frame (`[agenda]` plus the day hours), nil when the file has no `[agenda]`.
    public var dayTemplate: DayTemplate?
    /// E-mail to couples (`[mail]`): sender, mail command, reminder lead time; defaults when absent.
    public var mail: MailSettings

    /// Defaults for every value.
    public init(
        settings: PracticeSettings = PracticeSettings(), profile: PracticeProfile = PracticeProfile(), counselors: [CounselorProfile] = [],
        dayTemplate: DayTemplate? = nil, mail: MailSettings = MailSettings()
    ) {
        self.settings = settings
        self.profile = profile
        self.counselors = counselors
        self.dayTemplate = dayTemplate
        self.mail = mail
    }

    /// Reads a practice file from disk.
    /// - Throws: `ConfigError` naming the file when it cannot be read or is wrong.
    public static func load(path: String) throws(ConfigError) -> PracticeConfiguration {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw ConfigError("cannot read --config \(path): no such file or not UTF-8 text")
        }
        return try parse(text, file: path)
    }

    /// Parses and validates a practice file; every error names `file` and the key.
    public static func parse(_ text: String, file: String) throws(ConfigError) -> PracticeConfiguration {
        let table: TOMLTable
        do {
            try TOMLShape.check(text, file: file)
            table = try TOMLTable(string: text)
        } catch let error as InputError {
            throw ConfigError(error.message)
        } catch let error as TOMLParseError {
            throw ConfigError("\(file):\(error.source.begin.line): \(error.description)")
        } catch {
            throw ConfigError("\(file): not valid TOML: \(error)")
        }
        for key in table.keys where PracticeFile.CodingKeys(stringValue: key) == nil {
            throw ConfigError(
                "\(file): unknown section [\(key)]; expected \(PracticeFile.CodingKeys.allCases.map(\.rawValue).sorted().joined(separator: ", "))")
        }
        let raw: PracticeFile
        do {
            raw = try TOMLDecoder(strictDecoding: true).decode(PracticeFile.self, from: table)
        } catch let error as UnexpectedKeysError {
            let names = error.keys.map { key, path in
                var parts = path.map(\.stringValue).filter { Int($0) == nil }
                if parts.last != key { parts.append(key) }
                return parts.joined(separator: ".")
            }.sorted()
            throw ConfigError("\(file): unknown key \(names.first ?? "?")")
        } catch let error as DecodingError {
            throw ConfigError("\(file): \(describe(error))")
        } catch let error as ConfigError {
            throw ConfigError("\(file): \(error.message)")
        } catch {
            throw ConfigError("\(file): \(error)")
        }
        do {
            return try raw.configuration()
        } catch let error as ConfigError {
            throw ConfigError("\(file): \(error.message)")
        } catch {
            throw ConfigError("\(file): \(error)")
        }
    }

    static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            context.codingPath.map(\.stringValue).filter { Int($0) == nil }.joined(separator: ".")
        }
        switch error {
        case .typeMismatch(let type, let context):
            return "\(path(context)) must be \(expectation(type))"
        case .valueNotFound(let type, let context):
            return "\(path(context)) must be \(expectation(type))"
        case .keyNotFound(let key, let context):
            let prefix = path(context)
            if prefix == key.stringValue || prefix.hasSuffix("." + key.stringValue) { return "\(prefix) is missing or not of the right type" }
            return "\(prefix.isEmpty ? "" : prefix + ".")\(key.stringValue) is missing"
        case .dataCorrupted(let context):
            return "\(path(context)): \(context.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }

    static func expectation(_ type: Any.Type) -> String {
        switch type {
        case is Int.Type: return "a whole number"
        case is String.Type: return "a string"
        case is [String].Type: return "an array of strings"
        case is Double.Type: return "a number"
        default: return "of the right type (\(type))"
        }
    }
}

/// The file's shape, decoded strictly: a key not listed here is an error naming it.
struct PracticeFile: Decodable {
    var practice: Practice?
    var intensives: Intensives?
    var money: MoneySection?
    var counselors: [Counselor]?
    var agenda: Agenda?
    var sessions: Sessions?
    var mail: Mail?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case practice, intensives, money, counselors, agenda, sessions, mail
    }

    struct Mail: Decodable {
        var from: String?
        var replyTo: String?
        var sendmail: String?
        var reminderHours: Int?
    }

    struct Sessions: Decodable {
        var partnerWindow: String?
    }

    struct Practice: Decodable {
        var name: String?
        var timeZone: String?
        var organizerEmail: String?
        var organizerName: String?
        var location: String?
    }

    struct Intensives: Decodable {
        var days: Int?
        var dayStart: String?
        var dayEnd: String?
        var startWeekdays: [String]?
        var turnoverDays: Int?
        var minimumNoticeDays: Int?
        var horizonMonths: Int?
        var holdExpiryHours: Int?
        var resources: [String]?
    }

    struct MoneySection: Decodable {
        var currency: String?
        var price: ConfigAmount?
        var depositPercent: Int?
        var depositDueDays: Int?
        var refund: [Refund]?

        struct Refund: Decodable {
            var minDaysBefore: Int
            var percent: Int
        }
    }

    struct Counselor: Decodable {
        var name: String
        var timeZone: String?
        var hours: String
    }

    struct Agenda: Decodable {
        var lunchWindow: String?
        var lunchMinutes: Int?
        var breakMinutes: Int?
        var maxRunMinutes: Int?
        var maxContactMinutes: Int?
    }

    func configuration() throws -> PracticeConfiguration {
        let zone = practice?.timeZone ?? "America/New_York"
        var settings = PracticeSettings(timeZoneIdentifier: zone)
        var profile = PracticeProfile()
        // Every text that reaches a calendar or an e-mail header is checked where it enters.
        do throws(InputError) {
            if let v = practice?.name { profile.name = try PlainName(v, field: "practice.name").value }
            if let v = practice?.organizerEmail { profile.organizerEmail = try EmailAddress(v, field: "practice.organizerEmail").addrSpec }
            if let v = practice?.organizerName { profile.organizerName = try PlainName(v, field: "practice.organizerName").value }
            if let v = practice?.location { profile.location = try PlainName(v, field: "practice.location").value }
        } catch {
            throw ConfigError(error.message)
        }
        if let i = intensives {
            if let v = i.days { settings.intensiveDays = v }
            if let v = i.dayStart { settings.dayStart = try clock(v, "intensives.dayStart") }
            if let v = i.dayEnd { settings.dayEnd = try clock(v, "intensives.dayEnd") }
            if let names = i.startWeekdays {
                settings.startWeekdays = Set(
                    try names.map { n in
                        guard let w = Weekday(name: n) else { throw ConfigError("intensives.startWeekdays: \"\(n)\" is not a weekday (mon…sun)") }
                        return w
                    })
            }
            if let v = i.turnoverDays { settings.turnoverDays = v }
            if let v = i.minimumNoticeDays { settings.minimumNoticeDays = v }
            if let v = i.horizonMonths { settings.horizonMonths = v }
            if let v = i.holdExpiryHours { settings.holdExpiryHours = v }
            if let v = i.resources { settings.resources = v }
        }
        if let m = money {
            if let v = m.currency { settings.currency = v }
            if let v = m.price { settings.priceCents = try v.cents("money.price") }
            if let v = m.depositPercent { settings.depositPercent = v }
            if let v = m.depositDueDays { settings.depositDueDays = v }
            if let tiers = m.refund { settings.refundTiers = tiers.map { RefundTier(minDaysBefore: $0.minDaysBefore, percent: $0.percent) } }
        }
        if let window = sessions?.partnerWindow {
            guard let period = WorkingPeriod(text: window) else { throw ConfigError("sessions.partnerWindow must be like \"07:00-22:00\"") }
            settings.partnerWindow = period
        }
        do { try settings.validate() } catch { throw ConfigError(error.description) }
        var counselorProfiles: [CounselorProfile] = []
        for c in counselors ?? [] {
            do {
                _ = try PlainName(c.name, field: "counselors.name", maxLength: 64)
                let profile = CounselorProfile(name: c.name, timeZoneIdentifier: c.timeZone ?? zone, hours: try CounselorHours(parsing: c.hours))
                try profile.validate()
                counselorProfiles.append(profile)
            } catch {
                throw ConfigError("counselor \(c.name): \(error)")
            }
            guard settings.resources.contains(c.name) else {
                throw ConfigError("counselor \"\(c.name)\" is not one of intensives.resources (\(settings.resources.joined(separator: ", ")))")
            }
        }
        var template: DayTemplate?
        if let a = agenda {
            var t = DayTemplate(settings: settings)
            if let window = a.lunchWindow {
                let parts = window.split(separator: "-").map(String.init)
                guard parts.count == 2, let from = ClockTime(parts[0]), let to = ClockTime(parts[1]) else {
                    throw ConfigError("agenda.lunchWindow must be like \"12:00-13:30\"")
                }
                t.lunchWindowStart = from
                t.lunchWindowEnd = to
            }
            if let v = a.lunchMinutes { t.lunchMinutes = v }
            if let v = a.breakMinutes { t.breakMinutes = v }
            if let v = a.maxRunMinutes { t.maxRunMinutes = v }
            if let v = a.maxContactMinutes { t.maxContactMinutes = v }
            do { try t.validate() } catch { throw ConfigError("[agenda]: \(error)") }
            template = t
        }
        return PracticeConfiguration(
            settings: settings, profile: profile, counselors: counselorProfiles, dayTemplate: template, mail: try mailSettings())
    }

    /// `[mail]`: the sender and reply address are RFC 5322 mailboxes, the command one line of text (the use case
    /// splits it into words and refuses shell syntax), the reminder lead time within its range.
    func mailSettings() throws -> MailSettings {
        var result = MailSettings()
        guard let m = mail else { return result }
        do throws(InputError) {
            if let v = m.from { result.from = try Mailbox(v, field: "mail.from").description }
            if let v = m.replyTo { result.replyTo = try Mailbox(v, field: "mail.replyTo").description }
            if let v = m.sendmail { result.sendmail = try PlainName(v, field: "mail.sendmail", maxLength: 1000).value }
        } catch {
            throw ConfigError(error.message)
        }
        if let hours = m.reminderHours {
            guard MailSettings.reminderHoursRange.contains(hours) else {
                throw ConfigError(
                    "mail.reminderHours is \(hours); give the hours before each day or session from \(MailSettings.reminderHoursRange.lowerBound) (no reminders) to \(MailSettings.reminderHoursRange.upperBound)"
                )
            }
            result.reminderHours = hours
        }
        return result
    }

    func clock(_ text: String, _ key: String) throws -> ClockTime {
        guard let t = ClockTime(text) else { throw ConfigError("\(key) \"\(text)\" is not a time such as 09:00") }
        return t
    }
}

/// A price in the file: a whole number, a decimal number, or a string such as "4500.00".
struct ConfigAmount: Decodable {
    var text: String

    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let i = try? c.decode(Int.self) {
            text = String(i)
        } else if let d = try? c.decode(Double.self) {
            // A TOML float: only finite values with at most two decimals, checked before any conversion.
            guard d.isFinite, abs(d) < 1e15 else {
                text = "too large"
                return
            }
            text = String(format: "%.2f", d)
            if abs((Double(text) ?? .nan) - d) > 1e-9 * max(1, abs(d)) { text = "\(d)" }
        } else {
            text = try c.decode(String.self)
        }
    }

    func cents(_ key: String) throws -> Int {
        guard let cents = Amount.cents(text), (0...Money.maximumCents).contains(cents) else {
            throw ConfigError(
                "\(key) \(text) is not an amount from 0 to \(Money.format(cents: Money.maximumCents, currency: "").trimmingCharacters(in: .whitespaces)) with at most two decimals"
            )
        }
        return cents
    }
}
