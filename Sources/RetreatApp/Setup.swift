import Foundation
import RetreatAgenda
import RetreatConfig
import RetreatMail
import RetreatScheduling
import RetreatStore

/// The practice's configuration as stored: settings, calendar profile and counselors.
public struct PracticeOverview: Hashable, Sendable {
    /// Scheduling and money settings.
    public var settings: PracticeSettings
    /// How the practice appears in calendars.
    public var profile: PracticeProfile
    /// Counselors and their working hours (stored or derived from the settings).
    public var counselors: [CounselorProfile]
    /// E-mail to couples.
    public var mail: MailSettings = MailSettings()
}

/// One setting that a change would alter.
public struct SettingChange: Hashable, Sendable, Codable {
    /// The key as `settings --json` names it.
    public var key: String
    /// Its value before, as text.
    public var before: String
    /// Its value after, as text.
    public var after: String
}

extension RetreatService {
    /// Creates (or opens an empty) store at `path` for a new practice: the practice file `configPath` (defaults
    /// without it) and the module catalog `modulesPath` (default: `agenda-modules.toml` beside the practice file,
    /// when there) are read and checked first, so a bad file leaves no store behind.
    public static func create(
        path: String, configPath: String?, modulesPath: String?, actor: String, clock: @escaping @Sendable () -> Date = { Date() }
    ) throws(AppError) -> (RetreatService, PracticeOverview) {
        var configuration = PracticeConfiguration()
        if let configPath {
            do { configuration = try PracticeConfiguration.load(path: configPath) } catch { throw AppError(.invalid, error.message) }
        }
        let catalogPath =
            modulesPath ?? configPath.map { FilePaths.join(FilePaths.folder(of: $0), "agenda-modules.toml") }
        var catalog: String?
        if let catalogPath, modulesPath != nil || FileManager.default.fileExists(atPath: catalogPath) {
            guard let data = FileManager.default.contents(atPath: catalogPath), let text = String(data: data, encoding: .utf8) else {
                throw AppError(.notFound, "cannot read --modules \(catalogPath): no such file or not UTF-8 text")
            }
            do { _ = try ModuleCatalog(toml: text) } catch { throw AppError(.invalid, "\(catalogPath): \(error)") }
            catalog = text
        }
        if let command = configuration.mail.sendmail {
            do { _ = try SendmailCommand(command) } catch {
                throw AppError(.invalid, "\(configPath ?? "the practice file"): [mail] sendmail: \(error.message)")
            }
        }
        let service = try RetreatService.open(path: path, create: true, actor: actor, clock: clock)
        return (service, try service.initialize(configuration, catalogTOML: catalog))
    }

    /// Stores a new practice's configuration in one transaction: settings, profile, counselors, module catalog
    /// and day template together, or nothing.
    /// - Throws: `.invalid` when the store is already initialised (change settings with `updateSettings`).
    public func initialize(_ configuration: PracticeConfiguration, catalogTOML: String? = nil) throws(AppError) -> PracticeOverview {
        if let catalogTOML {
            do { _ = try ModuleCatalog(toml: catalogTOML) } catch { throw AppError(.invalid, "the module catalog: \(error)") }
        }
        if let command = configuration.mail.sendmail {
            do { _ = try SendmailCommand(command) } catch { throw AppError(.invalid, "[mail] sendmail: \(error.message)") }
        }
        return try writeUninitialized { tx, now in
            if try tx.isInitialized() {
                throw AppError(
                    .invalid,
                    "\(self.location) is already initialised; change settings with `retreat settings set KEY=VALUE`, or start a new store with --db")
            }
            try tx.saveSettings(configuration.settings)
            try tx.saveProfile(configuration.profile)
            if !configuration.counselors.isEmpty { try tx.saveCounselorProfiles(configuration.counselors) }
            if let catalogTOML { try tx.saveDocument(.agendaCatalog, catalogTOML) }
            if let template = configuration.dayTemplate { try tx.saveDocument(.dayTemplate, try Agendas.encode(template)) }
            if configuration.mail != MailSettings() { try tx.saveDocument(.mailSettings, try Agendas.encode(configuration.mail)) }
            try tx.append(
                AuditEntry(
                    at: now, actor: self.actor, action: "init", entity: "settings", entityID: "1",
                    detail: AuditDetail.json([
                        "timeZone": configuration.settings.timeZoneIdentifier, "resources": configuration.settings.resources.joined(separator: ","),
                    ])))
            let ctx = try ReadContext(reader: tx, now: now)
            return PracticeOverview(
                settings: configuration.settings, profile: configuration.profile, counselors: try Sessions.counselors(ctx), mail: configuration.mail)
        }
    }

    /// Marks this store as one `retreat demo` made.
    func markAsDemo() throws(AppError) {
        try write { ctx in try ctx.tx.saveDocument(.demoMarker, "made by retreat demo") }
    }

    /// The stored settings, profile and counselors.
    public func overview() throws(AppError) -> PracticeOverview {
        try read { ctx in
            PracticeOverview(
                settings: ctx.settings, profile: try ctx.reader.profile(), counselors: try Sessions.counselors(ctx), mail: try Outbox.settings(ctx))
        }
    }

    /// Sets each `(key, value)` (keys as `settings --json` names them) on the stored settings, checks the result
    /// against the documented ranges and the live bookings (a resource with live bookings cannot go, and a live
    /// booking's span cannot change under it), and stores it, audited with the values before and after. With
    /// `dryRun`, nothing is written. Returns what changes.
    public func updateSettings(_ assignments: [(key: String, value: String)], dryRun: Bool = false) throws(AppError) -> [SettingChange] {
        try write { ctx in
            let old = ctx.settings
            var new = old
            let oldMail = try Outbox.settings(ctx.base)
            var mail = oldMail
            for (key, value) in assignments {
                if key.hasPrefix("mail.") {
                    mail = try MailSettingsEdit.set(mail, key, value)
                    continue
                }
                do { new = try new.setting(key, to: value) } catch { throw AppError(.badInput, "\(error)") }
            }
            do { try new.validate() } catch { throw AppError(.badInput, "\(error)") }
            let changes = SettingsDiff.changes(from: old, to: new) + MailSettingsEdit.changes(from: oldMail, to: mail)
            let live = try ctx.base.liveBookings().filter { $0.lastOccupiedDay >= ctx.today }
            for b in live where !new.resources.contains(b.resource) {
                throw AppError(.conflict, "resource \"\(b.resource)\" has live booking(s) (\(b.id)); keep it in resources until they are moved or cancelled")
            }
            let spanChanged = live.filter { $0.intensiveDays != new.intensiveDays || $0.turnoverDays != new.turnoverDays }
            if new.intensiveDays != old.intensiveDays || new.turnoverDays != old.turnoverDays, !spanChanged.isEmpty {
                throw AppError(
                    .conflict,
                    "changing intensiveDays/turnoverDays would change the days of live booking(s) \(spanChanged.map(\.id).joined(separator: ", ")); reschedule or cancel them first"
                )
            }
            // What a live booking already means (its times of day, its zone, its money) cannot change under it.
            let meaning = changes.map(\.key).filter { ["timeZone", "dayStart", "dayEnd", "currency"].contains($0) }
            if !meaning.isEmpty, !live.isEmpty {
                throw AppError(
                    .conflict,
                    "changing \(meaning.joined(separator: ", ")) would change what live booking(s) \(live.map(\.id).joined(separator: ", ")) mean (their hours, zone or money); change it when none is live"
                )
            }
            // Every live booking must still fit its counselor's hours.
            let counselors = try ctx.tx.counselorProfiles()
            let hours = Scheduler(settings: new, today: ctx.today, occupancies: [], blackouts: [], counselors: counselors)
            let misfits = live.filter { b in b.days.contains { !hours.isWorkable($0, resource: b.resource) } }
            if !misfits.isEmpty {
                throw AppError(
                    .conflict, "the new settings put live booking(s) \(misfits.map(\.id).joined(separator: ", ")) outside their counselor's working hours")
            }
            if dryRun || changes.isEmpty { return changes }
            if mail != oldMail { try ctx.tx.saveDocument(.mailSettings, try Agendas.encode(mail)) }
            try ctx.tx.saveSettings(new)
            // The day hours or the zone may move what couples' calendars show.
            try CoupleInvitations.syncAllBookings(
                WriteContext(tx: ctx.tx, now: ctx.now, actor: ctx.actor))
            try ctx.audit(
                "settings", "settings", "1", before: Dictionary(uniqueKeysWithValues: changes.map { ($0.key, $0.before) }),
                after: Dictionary(uniqueKeysWithValues: changes.map { ($0.key, $0.after) }))
            return changes
        }
    }
}

/// What differs between two settings, key by key (keys as `settings --json` names them).
enum SettingsDiff {
    static func changes(from a: PracticeSettings, to b: PracticeSettings) -> [SettingChange] {
        let pairs: [(String, String, String)] = [
            ("timeZone", a.timeZoneIdentifier, b.timeZoneIdentifier),
            ("intensiveDays", "\(a.intensiveDays)", "\(b.intensiveDays)"),
            ("dayStart", "\(a.dayStart)", "\(b.dayStart)"),
            ("dayEnd", "\(a.dayEnd)", "\(b.dayEnd)"),
            (
                "startWeekdays", a.startWeekdays.sorted().map(\.shortName).joined(separator: ","),
                b.startWeekdays.sorted().map(\.shortName).joined(separator: ",")
            ),
            ("turnoverDays", "\(a.turnoverDays)", "\(b.turnoverDays)"),
            ("minimumNoticeDays", "\(a.minimumNoticeDays)", "\(b.minimumNoticeDays)"),
            ("horizonMonths", "\(a.horizonMonths)", "\(b.horizonMonths)"),
            ("holdExpiryHours", "\(a.holdExpiryHours)", "\(b.holdExpiryHours)"),
            ("resources", a.resources.joined(separator: ","), b.resources.joined(separator: ",")),
            ("currency", a.currency, b.currency),
            ("priceCents", "\(a.priceCents)", "\(b.priceCents)"),
            ("depositPercent", "\(a.depositPercent)", "\(b.depositPercent)"),
            ("depositDueDays", "\(a.depositDueDays)", "\(b.depositDueDays)"),
            ("partnerWindow", a.partnerWindow.description, b.partnerWindow.description),
            (
                "refundTiers", a.refundTiers.map { "\($0.minDaysBefore):\($0.percent)" }.joined(separator: ","),
                b.refundTiers.map { "\($0.minDaysBefore):\($0.percent)" }.joined(separator: ",")
            ),
        ]
        return pairs.filter { $0.1 != $0.2 }.map { SettingChange(key: $0.0, before: $0.1, after: $0.2) }
    }
}

/// `settings set mail.KEY=VALUE`: each value checked as in the practice file; an empty value clears it.
enum MailSettingsEdit {
    static func set(_ mail: MailSettings, _ key: String, _ value: String) throws(AppError) -> MailSettings {
        var mail = mail
        let empty = value.trimmingCharacters(in: .whitespaces).isEmpty
        do {
            switch key {
            case "mail.from": mail.from = empty ? nil : try Mailbox(value, field: key).description
            case "mail.replyTo": mail.replyTo = empty ? nil : try Mailbox(value, field: key).description
            case "mail.sendmail":
                if empty {
                    mail.sendmail = nil
                } else {
                    let text = try PlainName(value, field: key, maxLength: 1000).value
                    do { _ = try SendmailCommand(text) } catch { throw AppError(.badInput, "\(key): \(error.message)") }
                    mail.sendmail = text
                }
            case "mail.reminderHours":
                guard let hours = PracticeSettings.wholeNumber(value), MailSettings.reminderHoursRange.contains(hours) else {
                    throw AppError(
                        .badInput,
                        "mail.reminderHours is \(value); give the hours before each day or session from \(MailSettings.reminderHoursRange.lowerBound) (no reminders) to \(MailSettings.reminderHoursRange.upperBound)"
                    )
                }
                mail.reminderHours = hours
            default:
                throw AppError(.badInput, "unknown setting \"\(key)\"; the mail settings are \(MailSettings.settableKeys.joined(separator: ", "))")
            }
        } catch let error as InputError {
            throw AppError(.badInput, error.message)
        } catch let error as AppError {
            throw error
        } catch {
            throw AppError(.badInput, "\(key): \(error)")
        }
        return mail
    }

    static func changes(from a: MailSettings, to b: MailSettings) -> [SettingChange] {
        let pairs: [(String, String, String)] = [
            ("mail.from", a.from ?? "", b.from ?? ""), ("mail.replyTo", a.replyTo ?? "", b.replyTo ?? ""),
            ("mail.sendmail", a.sendmail ?? "", b.sendmail ?? ""), ("mail.reminderHours", "\(a.reminderHours)", "\(b.reminderHours)"),
        ]
        return pairs.filter { $0.1 != $0.2 }.map { SettingChange(key: $0.0, before: $0.1, after: $0.2) }
    }
}
