import Foundation
import RetreatAgenda
import RetreatScheduling
import RetreatStore
import TOMLKit

/// Reads the practice's TOML configuration (see `Fixtures/practice.toml`).
enum PracticeConfig {
    static let known: [String: Set<String>] = [
        "practice": ["name", "timeZone", "organizerEmail", "organizerName", "location"],
        "intensives": ["days", "dayStart", "dayEnd", "startWeekdays", "turnoverDays", "minimumNoticeDays", "horizonMonths", "holdExpiryHours", "resources"],
        "money": ["currency", "price", "depositPercent", "depositDueDays", "refund"],
        "counselors": ["name", "timeZone", "hours"],
        "agenda": ["lunchWindow", "lunchMinutes", "breakMinutes", "maxRunMinutes", "maxContactMinutes"],
    ]

    /// Parses and validates; every error names the key and the file.
    static func load(_ text: String, file: String) throws -> (PracticeSettings, PracticeProfile) {
        let (settings, profile, _) = try loadAll(text, file: file)
        return (settings, profile)
    }

    /// Also reads `[[counselors]]`: name (a resource), timeZone (default: the practice's), hours such as
    /// "mon-thu 10:00-18:00; fri 10:00-14:00".
    static func loadAll(_ text: String, file: String) throws -> (PracticeSettings, PracticeProfile, [CounselorProfile]) {
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw CLIError("\(file):\(error.source.begin.line): \(error.description)")
        } catch {
            throw CLIError("\(file): not valid TOML: \(error)")
        }
        var counselors: [CounselorProfile] = []
        if let list = table["counselors"] {
            guard let array = list.array else { throw CLIError("\(file): counselors must be an array of tables ([[counselors]])") }
            for item in array {
                guard let t = item.table, let name = t["name"]?.string, let hours = t["hours"]?.string else {
                    throw CLIError("\(file): each [[counselors]] needs name and hours (e.g. hours = \"mon-thu 10:00-18:00; fri 10:00-14:00\")")
                }
                for key in t.keys where !(known["counselors"]?.contains(key) ?? false) {
                    throw CLIError("\(file): unknown key counselors.\(key)")
                }
                do {
                    let zone = t["timeZone"]?.string ?? table["practice"]?.table?["timeZone"]?.string ?? "America/New_York"
                    let profile = CounselorProfile(name: name, timeZoneIdentifier: zone, hours: try CounselorHours(parsing: hours))
                    try profile.validate()
                    counselors.append(profile)
                } catch {
                    throw CLIError("\(file): counselor \(name): \(error)")
                }
            }
        }
        for key in table.keys where known[key] == nil {
            throw CLIError("\(file): unknown section [\(key)]; expected \(known.keys.sorted().joined(separator: ", "))")
        }
        func section(_ name: String) throws -> TOMLTable? {
            guard let value = table[name] else { return nil }
            guard let t = value.table else { throw CLIError("\(file): \(name) must be a table ([\(name)])") }
            for key in t.keys where !(known[name]?.contains(key) ?? false) {
                throw CLIError("\(file): unknown key \(name).\(key)")
            }
            return t
        }
        func string(_ t: TOMLTable?, _ s: String, _ k: String) throws -> String? {
            guard let v = t?[k] else { return nil }
            guard let str = v.string else { throw CLIError("\(file): \(s).\(k) must be a string") }
            return str
        }
        func int(_ t: TOMLTable?, _ s: String, _ k: String) throws -> Int? {
            guard let v = t?[k] else { return nil }
            guard let i = v.int else { throw CLIError("\(file): \(s).\(k) must be a whole number") }
            return i
        }
        func strings(_ t: TOMLTable?, _ s: String, _ k: String) throws -> [String]? {
            guard let v = t?[k] else { return nil }
            guard let a = v.array else { throw CLIError("\(file): \(s).\(k) must be an array of strings") }
            return try a.map { item in
                guard let str = item.string else { throw CLIError("\(file): \(s).\(k) must be an array of strings") }
                return str
            }
        }
        let practice = try section("practice")
        let intensives = try section("intensives")
        let money = try section("money")
        var settings = PracticeSettings(timeZoneIdentifier: try string(practice, "practice", "timeZone") ?? "America/New_York")
        var profile = PracticeProfile()
        if let v = try string(practice, "practice", "name") { profile.name = v }
        if let v = try string(practice, "practice", "organizerEmail") { profile.organizerEmail = v }
        if let v = try string(practice, "practice", "organizerName") { profile.organizerName = v }
        profile.location = try string(practice, "practice", "location")
        if let v = try int(intensives, "intensives", "days") { settings.intensiveDays = v }
        for (key, path) in [("dayStart", \PracticeSettings.dayStart), ("dayEnd", \PracticeSettings.dayEnd)] {
            if let v = try string(intensives, "intensives", key) {
                guard let t = ClockTime(v) else { throw CLIError("\(file): intensives.\(key) \"\(v)\" is not a time such as 09:00") }
                settings[keyPath: path] = t
            }
        }
        if let names = try strings(intensives, "intensives", "startWeekdays") {
            settings.startWeekdays = Set(
                try names.map { n in
                    guard let w = Weekday(name: n) else { throw CLIError("\(file): intensives.startWeekdays: \"\(n)\" is not a weekday (mon…sun)") }
                    return w
                })
        }
        if let v = try int(intensives, "intensives", "turnoverDays") { settings.turnoverDays = v }
        if let v = try int(intensives, "intensives", "minimumNoticeDays") { settings.minimumNoticeDays = v }
        if let v = try int(intensives, "intensives", "horizonMonths") { settings.horizonMonths = v }
        if let v = try int(intensives, "intensives", "holdExpiryHours") { settings.holdExpiryHours = v }
        if let v = try strings(intensives, "intensives", "resources") { settings.resources = v }
        if let v = try string(money, "money", "currency") { settings.currency = v }
        if let v = money?["price"] {
            guard let d = v.double ?? v.int.map(Double.init), d >= 0 else { throw CLIError("\(file): money.price must be a non-negative number") }
            settings.priceCents = Int((d * 100).rounded())
        }
        if let v = try int(money, "money", "depositPercent") { settings.depositPercent = v }
        if let v = try int(money, "money", "depositDueDays") { settings.depositDueDays = v }
        if let v = money?["refund"] {
            guard let tiers = v.array else { throw CLIError("\(file): money.refund must be an array of tables ([[money.refund]])") }
            settings.refundTiers = try tiers.map { item in
                guard let t = item.table, let days = t["minDaysBefore"]?.int, let pct = t["percent"]?.int else {
                    throw CLIError("\(file): each [[money.refund]] needs minDaysBefore and percent (whole numbers)")
                }
                return RefundTier(minDaysBefore: days, percent: pct)
            }
        }
        try settings.validate()
        for c in counselors where !settings.resources.contains(c.name) {
            throw CLIError("\(file): counselor \"\(c.name)\" is not one of intensives.resources (\(settings.resources.joined(separator: ", ")))")
        }
        return (settings, profile, counselors)
    }
}

extension PracticeConfig {
    /// The agenda day template: the practice's day hours plus `[agenda]` (lunchWindow = "12:00-13:30",
    /// lunchMinutes, breakMinutes, maxRunMinutes, maxContactMinutes); nil when the file has no `[agenda]`.
    static func dayTemplate(_ text: String, settings: PracticeSettings, file: String) throws -> DayTemplate? {
        guard let table = try? TOMLTable(string: text), let agenda = table["agenda"]?.table else { return nil }
        var template = DayTemplate(settings: settings)
        for key in agenda.keys where !(known["agenda"]?.contains(key) ?? false) {
            throw CLIError("\(file): unknown key agenda.\(key)")
        }
        if let window = agenda["lunchWindow"] {
            let parts = (window.string ?? "").split(separator: "-").map(String.init)
            guard parts.count == 2, let from = ClockTime(parts[0]), let to = ClockTime(parts[1]) else {
                throw CLIError("\(file): agenda.lunchWindow must be like \"12:00-13:30\"")
            }
            template.lunchWindowStart = from
            template.lunchWindowEnd = to
        }
        for (key, path) in [
            ("lunchMinutes", \DayTemplate.lunchMinutes), ("breakMinutes", \DayTemplate.breakMinutes),
            ("maxRunMinutes", \DayTemplate.maxRunMinutes), ("maxContactMinutes", \DayTemplate.maxContactMinutes),
        ] {
            if let v = agenda[key] {
                guard let n = v.int else { throw CLIError("\(file): agenda.\(key) must be a whole number of minutes") }
                template[keyPath: path] = n
            }
        }
        do { try template.validate() } catch { throw CLIError("\(file): [agenda]: \(error)") }
        return template
    }

    /// The stored day template, else the default for the practice's day hours.
    static func storedTemplate(_ store: RetreatStore, settings: PracticeSettings) throws -> DayTemplate {
        if let json = try store.profileValue("dayTemplate"), let t = try? JSONDecoder().decode(DayTemplate.self, from: Data(json.utf8)) {
            return t
        }
        return DayTemplate(settings: settings)
    }
}
