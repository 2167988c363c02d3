import Foundation
import RetreatCalendars
import RetreatScheduling

/// The words of the e-mail a couple receives: plain, addressed to them, dates written out, times with their
/// zone. Built only from what the couple may see: their display name, their dates and times, the neutral
/// client titles of their agenda, the practice's name, location and their own video link. Never a staff
/// title, a priority issue, an intake answer, a cancellation reason or another couple.
enum MailWording {
    /// A subject and a plain-text body.
    struct Composed: Hashable {
        var subject: String
        var body: String
    }

    static let months = [
        "January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December",
    ]

    /// `Monday 11 January 2027`.
    static func longDate(_ d: CalendarDay) -> String {
        "\(d.weekday.name) \(d.day) \(months[max(0, min(11, d.month - 1))]) \(d.year)"
    }

    /// `New York time (America/New_York)`; `UTC` as is.
    static func zoneLabel(_ identifier: String) -> String {
        guard let city = identifier.split(separator: "/").last, identifier.contains("/") else { return identifier }
        return "\(city.replacingOccurrences(of: "_", with: " ")) time (\(identifier))"
    }

    static func hours(_ start: ClockTime, _ end: ClockTime) -> String { "\(start)–\(end)" }

    /// The zone of a stored (checked) identifier; UTC if the system no longer knows it.
    static func zone(_ identifier: String) -> TimeZone {
        TimeZone(identifier: identifier) ?? TimeZone(secondsFromGMT: 0) ?? TimeZone.current
    }

    static func signature(_ profile: PracticeProfile) -> [String] {
        ["", profile.organizerName == profile.name ? profile.name : "\(profile.organizerName), \(profile.name)"]
    }

    // MARK: intensives

    static func intensiveSpan(_ b: Booking) -> String {
        let last = b.start.adding(days: max(1, b.intensiveDays) - 1)
        return last == b.start ? longDate(b.start) : "\(longDate(b.start)) to \(longDate(last))"
    }

    static func dayLines(_ b: Booking, days: [InvitationDay]?, settings: PracticeSettings) -> [String] {
        let byIndex = Dictionary((days ?? []).map { ($0.index, $0) }, uniquingKeysWith: { first, _ in first })
        var lines: [String] = []
        for i in 0..<max(1, b.intensiveDays) {
            let day = byIndex[i]
            lines.append("")
            lines.append("Day \(i + 1): \(longDate(b.start.adding(days: i))), \(hours(day?.start ?? settings.dayStart, day?.end ?? settings.dayEnd))")
            for block in day?.blocks ?? [] { lines.append("  \(hours(block.start, block.end))  \(block.title)") }
        }
        return lines
    }

    /// The invitation, update, cancellation or removal notice of an intensive.
    static func intensive(
        _ reason: PlannedInvitation.Reason, booking b: Booking, days: [InvitationDay]?, settings: PracticeSettings, profile: PracticeProfile
    ) -> Composed {
        let span = intensiveSpan(b)
        let short = "your intensive, \(span)"
        var lines: [String] = [reason == .removal ? "Hello," : "Dear \(b.couple),", ""]
        let subject: String
        switch reason {
        case .invitation:
            subject = "Invitation: \(short)"
            lines.append(
                "your private intensive with \(profile.name) is booked. The invitation in this e-mail puts its days in your calendar; please accept it there.")
        case .update:
            subject = "Updated: \(short)"
            lines.append("your intensive with \(profile.name) has changed. The updated invitation in this e-mail replaces the one in your calendar.")
        case .cancellation:
            subject = "Cancelled: \(short)"
            lines.append("your intensive with \(profile.name) on \(span) has been cancelled. The cancellation in this e-mail removes it from your calendar.")
            lines += ["", "If you have questions, reply to this e-mail."] + signature(profile)
            return Composed(subject: subject, body: lines.joined(separator: "\n"))
        case .removal:
            subject = "Removed from the invitation: \(short)"
            lines.append(
                "this address was taken off the invitation to the intensive on \(span); the intensive itself still takes place. This e-mail removes it from this calendar."
            )
            lines += ["", "If this is a mistake, reply to this e-mail."] + signature(profile)
            return Composed(subject: subject, body: lines.joined(separator: "\n"))
        }
        lines.append("")
        lines.append("When: \(span)")
        if let location = profile.location { lines.append("Where: \(location)") }
        lines.append("Times are \(zoneLabel(settings.timeZoneIdentifier)).")
        lines += dayLines(b, days: days, settings: settings)
        lines += ["", "If anything needs to change, reply to this e-mail."] + signature(profile)
        return Composed(subject: subject, body: lines.joined(separator: "\n"))
    }

    /// The reminder before one intensive day.
    static func intensiveReminder(booking b: Booking, index: Int, day: InvitationDay?, settings: PracticeSettings, profile: PracticeProfile) -> Composed {
        let count = max(1, b.intensiveDays)
        let date = b.start.adding(days: index)
        var lines = ["Dear \(b.couple),", ""]
        lines.append(
            "a reminder: day \(index + 1) of \(count) of your intensive is on \(longDate(date)), \(hours(day?.start ?? settings.dayStart, day?.end ?? settings.dayEnd)), \(zoneLabel(settings.timeZoneIdentifier))."
        )
        if let location = profile.location { lines.append("Where: \(location)") }
        if let day, !day.blocks.isEmpty {
            lines.append("")
            for block in day.blocks { lines.append("  \(hours(block.start, block.end))  \(block.title)") }
        }
        lines += ["", "We look forward to seeing you."] + signature(profile)
        return Composed(subject: "Reminder: your intensive, day \(index + 1) of \(count), \(longDate(date))", body: lines.joined(separator: "\n"))
    }

    // MARK: counseling series

    /// Every zone a session is shown in: the counselor's, then each partner's (once each).
    static func zones(_ spec: CounselingSeriesSpec) -> [String] {
        var result = [spec.counselorZone]
        for zone in spec.partnerZones where !result.contains(zone) { result.append(zone) }
        return result
    }

    /// `Monday 1 March 2027, 12:00–12:50 New York time (America/New_York); 17:00–17:50 London time (Europe/London)`.
    static func sessionLine(_ o: SessionOccurrence, zones: [String]) -> String {
        var parts: [String] = []
        for (i, identifier) in zones.enumerated() {
            guard let tz = TimeZone(identifier: identifier) else { continue }
            let start = LocalTime(o.start, in: tz)
            let end = LocalTime(o.end, in: tz)
            let text = "\(hours(start.time, end.time))\(end.day != start.day ? " (ends the next day)" : "") \(zoneLabel(identifier))"
            // A partner whose date differs from the counselor's sees their own date.
            let sameDay = start.day == LocalTime(o.start, in: zone(zones[0])).day
            parts.append(i == 0 ? "\(longDate(start.day)), \(text)" : (sameDay ? text : "\(longDate(start.day)) \(text)"))
        }
        return parts.joined(separator: "; ")
    }

    static let listedSessions = 12

    /// The invitation, update, cancellation or removal notice of a counseling series.
    static func series(_ reason: PlannedInvitation.Reason, stored: StoredSeries, profile: PracticeProfile, now: Date) -> Composed {
        let spec = stored.series.spec
        let zones = zones(spec)
        let upcoming = stored.series.occurrences().filter { $0.end > now }
        let first = upcoming.first.map { LocalTime($0.start, in: zone(spec.counselorZone)).day } ?? spec.start.day
        let short = "your counseling sessions from \(longDate(first))"
        var lines: [String] = [reason == .removal ? "Hello," : "Dear \(spec.couple),", ""]
        let subject: String
        switch reason {
        case .invitation:
            subject = "Invitation: \(short)"
            lines.append(
                "your counseling sessions with \(profile.name) are booked. The invitation in this e-mail puts them in your calendar; please accept it there.")
        case .update:
            subject = "Updated: \(short)"
            lines.append("your counseling sessions with \(profile.name) have changed. The updated invitation in this e-mail replaces the one in your calendar.")
        case .cancellation:
            subject = "Cancelled: \(short)"
            lines.append("your counseling sessions with \(profile.name) have been cancelled. The cancellation in this e-mail removes them from your calendar.")
            lines += ["", "If you have questions, reply to this e-mail."] + signature(profile)
            return Composed(subject: subject, body: lines.joined(separator: "\n"))
        case .removal:
            subject = "Removed from the invitation: \(short)"
            lines.append(
                "this address was taken off the invitation to these counseling sessions; the sessions themselves still take place. This e-mail removes them from this calendar."
            )
            lines += ["", "If this is a mistake, reply to this e-mail."] + signature(profile)
            return Composed(subject: subject, body: lines.joined(separator: "\n"))
        }
        lines.append("")
        lines.append("Each session is \(spec.lengthMinutes) minutes\(spec.link == nil ? "" : " by video").")
        if let link = spec.link { lines.append("Join: \(link)") }
        lines.append("")
        lines.append(upcoming.count == 1 ? "Your session:" : "Your next sessions:")
        for o in upcoming.prefix(listedSessions) { lines.append("  " + sessionLine(o, zones: zones)) }
        if upcoming.count > listedSessions {
            lines.append("  … and \(upcoming.count - listedSessions) more; every session is in the invitation.")
        }
        lines += ["", "If a time does not suit you, reply to this e-mail."] + signature(profile)
        return Composed(subject: subject, body: lines.joined(separator: "\n"))
    }

    /// The update of a series cancelled after it began: the sessions from `from` on are gone, the past ones stay.
    static func seriesEnded(stored: StoredSeries, from: CalendarDay, profile: PracticeProfile) -> Composed {
        let spec = stored.series.spec
        var lines = ["Dear \(spec.couple),", ""]
        lines.append(
            "your remaining counseling sessions with \(profile.name), from \(longDate(from)) on, have been cancelled. The updated invitation in this e-mail takes them out of your calendar; the sessions you have already had stay in it."
        )
        lines += ["", "If you have questions, reply to this e-mail."] + signature(profile)
        return Composed(subject: "Cancelled: your counseling sessions from \(longDate(from)) on", body: lines.joined(separator: "\n"))
    }

    /// The reminder before one counseling session.
    static func sessionReminder(stored: StoredSeries, occurrence o: SessionOccurrence, profile: PracticeProfile) -> Composed {
        let spec = stored.series.spec
        let day = LocalTime(o.start, in: zone(spec.counselorZone)).day
        var lines = ["Dear \(spec.couple),", ""]
        lines.append("a reminder of your counseling session:")
        lines.append("  " + sessionLine(o, zones: zones(spec)))
        if let link = spec.link { lines += ["", "Join: \(link)"] }
        lines += ["", "If you cannot make it, reply to this e-mail."] + signature(profile)
        return Composed(subject: "Reminder: your counseling session, \(longDate(day))", body: lines.joined(separator: "\n"))
    }
}
