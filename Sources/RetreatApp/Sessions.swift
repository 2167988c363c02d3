import Foundation
import RetreatScheduling
import RetreatStore

/// A change to one counseling series.
public enum SeriesChange: Hashable, Sendable {
    /// Move the session originally on a date to a new wall-clock start (a RECURRENCE-ID override).
    case move(CalendarDay, to: LocalTime)
    /// Cancel the session originally on a date (an EXDATE).
    case cancelOne(CalendarDay)
    /// End the series: no sessions on or after a date (UNTIL).
    case end(from: CalendarDay)
    /// Cancel the whole series.
    case cancelAll

    var action: String {
        switch self {
        case .move: return "series-move"
        case .cancelOne: return "series-cancel-one"
        case .end: return "series-end"
        case .cancelAll: return "series-cancel"
        }
    }
}

extension RetreatService {
    /// Counselors and their working hours (default: one per resource, in the practice zone, on the intensive
    /// day hours, Monday to Friday).
    public func counselors() throws(AppError) -> [CounselorProfile] {
        try read { ctx in try Sessions.counselors(ctx) }
    }

    /// Books a counseling series after checking every occurrence; each collision is named (`.conflict`). Every
    /// session must start within the booking horizon and, unless `allowOutsideHours`, fall inside the practice's
    /// partner window on each partner's clock.
    public func bookSeries(_ spec: CounselingSeriesSpec, contact: String? = nil, allowOutsideHours: Bool = false) throws(AppError) -> StoredSeries {
        var spec = spec
        spec.couple = try Input.name(spec.couple, option: "--couple")
        spec.link = try Input.link(spec.link, option: "--link")
        let contact = try Input.contact(contact, option: "--contact")
        return try write { ctx in
            let counselor = try Sessions.counselor(ctx.base, named: spec.counselor.isEmpty ? nil : spec.counselor)
            spec.counselor = counselor.name
            spec.counselorZone = counselor.timeZoneIdentifier
            let series = try CounselingSeries(id: String(format: "S%04d", try ctx.tx.lastSeriesNumber() + 1), spec: spec)
            let collisions = try Sessions.planner(ctx.base, counselor: counselor).collisions(for: series)
            if !collisions.isEmpty { throw Sessions.collisionError(collisions) }
            try Sessions.checkHorizonAndWindow(ctx.base, series, changedOnly: nil, allowOutsideHours: allowOutsideHours)
            let stored = StoredSeries(series: series, contact: contact, active: true, createdAt: ctx.now)
            try ctx.tx.insert(stored)
            try ctx.audit("series-book", "series", series.id, ["start": spec.start.isoText, "rule": series.rruleText])
            try CoupleInvitations.sync(ctx, series: stored)
            return stored
        }
    }

    /// Applies a change to a series; sessions that moved are checked like new ones (collisions with anything,
    /// their own series' other sessions included, the horizon, the partner window unless `allowOutsideHours`)
    /// and the series is stored with a higher SEQUENCE.
    public func changeSeries(id: String, _ change: SeriesChange, allowOutsideHours: Bool = false) throws(AppError) -> StoredSeries {
        try write { ctx in
            var stored = try Sessions.series(ctx.base, id: id)
            guard stored.active else {
                throw AppError(.invalid, "series \(stored.series.id) is \(change == .cancelAll ? "already " : "")cancelled")
            }
            let before = stored.series
            let updated: CounselingSeries
            // A series cancelled after it began ends after its last past session: those stay in the couple's calendar.
            var endedFrom: CalendarDay?
            switch change {
            case .move(let day, let to): updated = try before.moving(day, to: to)
            case .cancelOne(let day): updated = try before.cancelling(day)
            case .end(let day):
                if let ended = before.exceptions.endedFrom, day >= ended {
                    throw AppError(.invalid, "series \(before.id) already ends before \(ended); nothing changes")
                }
                updated = try before.ending(from: day)
            case .cancelAll:
                if let ended = try Sessions.keepingPast(before, now: ctx.now) {
                    updated = ended.series
                    endedFrom = ended.firstRemoved
                } else {
                    updated = try CounselingSeries(id: before.id, spec: before.spec, sequence: before.sequence + 1, exceptions: before.exceptions)
                }
                stored.active = false
            }
            if stored.active && updated.occurrences() == before.occurrences() {
                throw AppError(.invalid, "nothing changes in series \(before.id); its sessions stay as they are")
            }
            if stored.active {
                let counselor = try Sessions.counselor(ctx.base, named: updated.spec.counselor)
                // Only sessions that moved must be free (the rest were checked when booked): a session is the
                // same when both its rule date and its start are unchanged.
                let earlier = Set(before.occurrences().map { Sessions.key($0.originalDate, $0.start) })
                let collisions = try Sessions.planner(ctx.base, counselor: counselor).collisions(for: updated).filter {
                    !earlier.contains(Sessions.key($0.originalDate, $0.start))
                }
                if !collisions.isEmpty { throw Sessions.collisionError(collisions) }
                try Sessions.checkHorizonAndWindow(ctx.base, updated, changedOnly: earlier, allowOutsideHours: allowOutsideHours)
            }
            stored.series = updated
            try ctx.tx.update(stored)

            var was = ["sequence": String(before.sequence)]
            var now = ["sequence": String(updated.sequence)]
            switch change {
            case .move(let day, let to):
                was["session"] = before.occurrences().first { $0.originalDate == day }.map { $0.localStart.isoText } ?? day.description
                now["session"] = to.isoText
            case .cancelOne(let day): was["session"] = day.description
            case .end(let day): now["endsBefore"] = day.description
            case .cancelAll:
                now["active"] = "false"
                if let endedFrom { now["cancelledFrom"] = endedFrom.description }
            }
            try ctx.audit(change.action, "series", updated.id, before: was, after: now)
            try CoupleInvitations.sync(ctx, series: stored, previousEnd: before.occurrences().map(\.end).max(), endedFrom: endedFrom)
            return stored
        }
    }

    /// Corrects a series' contact (the partners' addresses; an empty text removes them) or its video link (an
    /// empty text removes it), each checked as at booking and audited with the values before and after. The
    /// couple's invitation follows: a REQUEST to the current partners, a CANCEL to an address taken off.
    /// - Throws: `.badInput` for a bad address or link, or when neither is given; `.invalid` for a cancelled series.
    public func editSeries(id: String, contact: String? = nil, link: String? = nil) throws(AppError) -> StoredSeries {
        guard contact != nil || link != nil else { throw AppError(.badInput, "give --contact, --link or both") }
        let contact = try contact.map { (text: String) throws(AppError) -> String? in try Input.contact(text, option: "--contact") }
        let link = try link.map { (text: String) throws(AppError) -> String? in try Input.link(text, option: "--link") }
        return try write { ctx in
            var stored = try Sessions.series(ctx.base, id: id)
            guard stored.active else { throw AppError(.invalid, "series \(stored.series.id) is cancelled; its contact and link can no longer change") }
            var before: [String: String] = [:]
            var after: [String: String] = [:]
            if let contact, contact != stored.contact {
                before["contact"] = stored.contact ?? ""
                after["contact"] = contact ?? ""
                stored.contact = contact
            }
            if let link, link != stored.series.spec.link {
                before["link"] = stored.series.spec.link ?? ""
                after["link"] = link ?? ""
                var spec = stored.series.spec
                spec.link = link
                let s = stored.series
                stored.series = try CounselingSeries(id: s.id, spec: spec, sequence: s.sequence + 1, exceptions: s.exceptions)
                before["sequence"] = String(s.sequence)
                after["sequence"] = String(stored.series.sequence)
            }
            guard !after.isEmpty else { return stored }
            try ctx.tx.update(stored)
            try ctx.audit("series-edit", "series", stored.series.id, before: before, after: after)
            try CoupleInvitations.sync(ctx, series: stored)
            return stored
        }
    }

    /// Every series, oldest first.
    public func allSeries() throws(AppError) -> [StoredSeries] {
        try read { ctx in try ctx.reader.allSeries() }
    }

    /// One series.
    public func series(id: String) throws(AppError) -> StoredSeries {
        try read { ctx in try Sessions.series(ctx, id: id) }
    }

    /// Free session starts of a counselor between two days.
    public func sessionStarts(counselor name: String?, lengthMinutes: Int, from: CalendarDay, to: CalendarDay) throws(AppError) -> [LocalTime] {
        try read { ctx in
            let counselor = try Sessions.counselor(ctx, named: name)
            return try Sessions.planner(ctx, counselor: counselor).freeStarts(lengthMinutes: lengthMinutes, from: from, to: to)
        }
    }
}

/// Session rules over the store's records.
enum Sessions {
    static func counselors(_ ctx: ReadContext) throws -> [CounselorProfile] {
        let stored = try ctx.reader.counselorProfiles()
        if !stored.isEmpty { return stored }
        let settings = ctx.settings
        guard let period = WorkingPeriod(start: settings.dayStart, end: settings.dayEnd) else {
            throw AppError(.invalid, "the practice's day hours \(settings.dayStart)–\(settings.dayEnd) are not a working period")
        }
        return try settings.resources.map { name in
            CounselorProfile(
                name: name, timeZoneIdentifier: settings.timeZoneIdentifier,
                hours: try CounselorHours(weekdays: [.monday, .tuesday, .wednesday, .thursday, .friday], period: period))
        }
    }

    static func counselor(_ ctx: ReadContext, named name: String?) throws -> CounselorProfile {
        let all = try counselors(ctx)
        if let name {
            guard let c = all.first(where: { $0.name == name }) else {
                throw AppError(
                    .badInput, "--counselor: unknown counselor \"\(name)\"; the practice's counselors are \(all.map(\.name).joined(separator: ", "))")
            }
            return c
        }
        guard all.count == 1, let only = all.first else {
            throw AppError(.badInput, "the practice has \(all.count) counselors; name one with --counselor (\(all.map(\.name).joined(separator: ", ")))")
        }
        return only
    }

    static func series(_ ctx: ReadContext, id: String) throws -> StoredSeries {
        guard let s = try ctx.reader.allSeries().first(where: { $0.series.id.caseInsensitiveCompare(id) == .orderedSame }) else {
            throw AppError(.notFound, "no counseling series with id \(id); `retreat sessions list` shows the ids")
        }
        return s
    }

    static func planner(_ ctx: ReadContext, counselor: CounselorProfile) throws -> SessionPlanner {
        let existing = try ctx.reader.allSeries().filter(\.active).map(\.series)
        let occupancies = try ctx.liveBookings().map(\.occupancy)
        let blackouts = try ctx.reader.blackouts().filter { $0.applies(to: counselor.name) }
        return try SessionPlanner(
            settings: ctx.settings, counselor: counselor, existing: existing, occupancies: occupancies, blackouts: blackouts, now: ctx.now)
    }

    static func key(_ day: CalendarDay, _ start: Date) -> String { "\(day)|\(start.timeIntervalSince1970)" }

    /// A series that began before `now` and has sessions after it, cut after its last session begun (UNTIL
    /// before the first session to come, or, when a move makes that cut wrong, each session to come cancelled),
    /// SEQUENCE + 1; and the day of the first session removed. Nil when no session has begun or none is left.
    static func keepingPast(_ series: CounselingSeries, now: Date) throws -> (series: CounselingSeries, firstRemoved: CalendarDay)? {
        let all = series.occurrences()
        let past = all.filter { $0.start <= now }
        let future = all.filter { $0.start > now }
        guard !past.isEmpty, let firstRemoved = future.map(\.localStart.day).min(), let cut = future.map(\.originalDate).min() else { return nil }
        let kept = Set(past.map(\.start))
        var exceptions: SeriesExceptions
        if let ended = try? series.ending(from: cut), Set(ended.occurrences().map(\.start)) == kept {
            exceptions = ended.exceptions
        } else {
            var s = series
            for o in future { s = try s.cancelling(o.originalDate) }
            exceptions = s.exceptions
        }
        exceptions.cancelled.sort()
        return (try CounselingSeries(id: series.id, spec: series.spec, sequence: series.sequence + 1, exceptions: exceptions), firstRemoved)
    }

    /// Refuses sessions (all, or only those not in `changedOnly`) beyond the booking horizon, and, unless
    /// allowed, those outside the partner window on a partner's clock.
    static func checkHorizonAndWindow(_ ctx: ReadContext, _ series: CounselingSeries, changedOnly: Set<String>?, allowOutsideHours: Bool) throws {
        func changed(_ s: SessionOccurrence) -> Bool { changedOnly.map { !$0.contains(key(s.originalDate, s.start)) } ?? true }
        let latest = ctx.today.adding(months: ctx.settings.horizonMonths).adding(days: 1).firstInstant(in: ctx.settings.timeZone)
        let beyond = series.sessions(startingAfter: latest).filter(changed)
        if let first = beyond.first {
            throw AppError(
                .conflict,
                "\(beyond.count) session(s) fall beyond the \(ctx.settings.horizonMonths)-month booking horizon (the first on \(first.localStart.day)); end the series sooner"
            )
        }
        guard !allowOutsideHours else { return }
        let window = ctx.settings.partnerWindow
        let misses = series.sessionsOutside(partnerWindow: window).filter { changed($0.session) }
        if let first = misses.first {
            throw AppError(
                .conflict,
                "\(misses.count) session(s) fall outside \(window) on a partner's clock, e.g. \(first.message(window: window)); choose another time or pass --allow-outside-hours"
            )
        }
    }

    static func collisionError(_ collisions: [SessionCollision]) -> AppError {
        let lines = collisions.map { c in c.conflicts.map(\.message).joined(separator: "; ") }
        return AppError(.conflict, "\(collisions.count) session(s) collide: " + lines.joined(separator: " | "))
    }
}
