import Foundation
import RetreatAgenda
import RetreatCalendars
import RetreatICal
import RetreatScheduling
import RetreatStore

/// A calendar ready to write or send: its text and what it holds.
public struct CalendarDocument: Hashable, Sendable {
    /// The .ics text (CRLF, folded).
    public var text: String
    /// Number of events (VEVENT) and free/busy components in it.
    public var componentCount: Int
    /// A file name to suggest, e.g. `b0001.ics`.
    public var suggestedName: String
}

/// Which calendar to export.
public enum ExportRequest: Hashable, Sendable {
    /// A couple's calendar of their intensive (with `invite`, an iTIP REQUEST/CANCEL; with `detailed`, staff
    /// titles for staff).
    case couple(bookingID: String, invite: Bool, detailed: Bool)
    /// A counseling series (with `invite`, REQUEST/CANCEL).
    case series(id: String, invite: Bool)
    /// The staff calendar of every booking and series (names only with `names`).
    case staff(names: Bool)
    /// Busy time as VFREEBUSY, on one resource or all.
    case freeBusy(from: CalendarDay, to: CalendarDay, resource: String?)
}

extension RetreatService {
    /// Builds a calendar from the store's records.
    public func export(_ request: ExportRequest) throws(AppError) -> CalendarDocument {
        try export(request, productID: nil)
    }

    func export(_ request: ExportRequest, productID: String?) throws(AppError) -> CalendarDocument {
        try read { ctx in
            let profile = try ctx.reader.profile()
            let calendar: ICalendar
            let name: String
            switch request {
            case .couple(let id, let invite, let detailed):
                let b = try ctx.booking(id)
                if invite && BookingCalendars.attendeeAddresses(b.contact).isEmpty {
                    throw AppError(.invalid, "booking \(b.id) has no contact e-mail; an invitation needs attendees (book with --contact)")
                }
                let stored = try ctx.reader.agenda(bookingID: b.id)
                // A stale agenda (the dates, the intake or the ranking changed since it was planned) is never sent.
                if let stored, let reason = stored.staleReason, b.status.isLive {
                    throw AppError(
                        .conflict, "the agenda of \(b.id) is stale (\(reason)); plan it again with `retreat agenda \(b.id) --replan` before exporting")
                }
                let agenda = stored.flatMap { try? JSONDecoder().decode(Agenda.self, from: Data($0.agendaJSON.utf8)) }
                calendar = BookingCalendars.couple(
                    booking: b, agenda: agenda, settings: ctx.settings, profile: profile, stamp: ctx.now, invite: invite, detailed: detailed)
                name = "\(b.id.lowercased())\(invite ? "-invite" : "").ics"
            case .series(let id, let invite):
                let s = try Sessions.series(ctx, id: id)
                if invite && BookingCalendars.attendeeAddresses(s.contact).isEmpty {
                    throw AppError(.invalid, "series \(s.series.id) has no contact e-mail; an invitation needs attendees (book with --contact)")
                }
                calendar = SeriesCalendar.calendar(for: s, profile: profile, stamp: ctx.now, invite: invite)
                name = "\(s.series.id.lowercased())\(invite ? "-invite" : "").ics"
            case .staff(let names):
                calendar = BookingCalendars.staff(
                    bookings: try ctx.bookings(BookingQuery()), series: try ctx.reader.allSeries(), blackouts: try ctx.reader.blackouts(), profile: profile,
                    stamp: ctx.now, includeNames: names)
                name = "staff.ics"
            case .freeBusy(let from, let to, let resource):
                guard to >= from else { throw AppError(.badInput, "--to \(to) is before --from \(from)") }
                try ctx.requireResource(resource)
                let zone = ctx.settings.timeZone
                let window = DateInterval(start: from.firstInstant(in: zone), end: to.adding(days: 1).firstInstant(in: zone))
                let bookings = try ctx.liveBookings()
                let blackouts = try ctx.reader.blackouts()
                let series = try ctx.reader.allSeries()
                // Busy for the practice when no resource is free; for one resource, its own busy time.
                let lists = (resource.map { [$0] } ?? ctx.settings.resources).map { r in
                    BusyTime.of(resource: r, in: window, settings: ctx.settings, bookings: bookings, blackouts: blackouts, series: series)
                }
                calendar = FreeBusyCalendar.make(
                    busy: BusyTime.intersection(lists), window: window, resource: resource, profile: profile, stamp: ctx.now)
                name = "freebusy.ics"
            }
            var document = calendar
            if let productID { document.productID = productID }
            return CalendarDocument(
                text: try document.serialized(), componentCount: calendar.events.count + calendar.freeBusy.count, suggestedName: name)
        }
    }
}

/// Writing files that hold personal data: created mode 0600 through a temporary file in the target folder and
/// renamed into place when complete; never through a symlink, never onto a device, folder or other non-file.
public enum PrivateFile {
    /// Writes `text` to `path`.
    /// - Parameter force: replace an existing regular file (otherwise an existing file is refused).
    /// - Throws: `AppError.invalid` naming what is in the way, `.io` when the folder cannot be written.
    public static func write(_ text: String, to path: String, force: Bool = true) throws(AppError) {
        var info = stat()
        if lstat(path, &info) == 0 {
            let kind = info.st_mode & S_IFMT
            if kind == S_IFDIR { throw AppError(.invalid, "\(path) is a folder; give a file name such as \(path)/calendar.ics") }
            if kind == S_IFLNK { throw AppError(.invalid, "\(path) is a symbolic link; write to the file itself or choose another name") }
            if kind != S_IFREG { throw AppError(.invalid, "\(path) exists and is not a regular file; choose another name") }
            if !force { throw AppError(.invalid, "\(path) already exists; pass --force to replace it") }
        }
        let url = URL(fileURLWithPath: path)
        let dir = url.deletingLastPathComponent().path
        do {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw AppError(.io, "cannot create folder \(dir): \(error.localizedDescription)")
        }
        let temporary = (dir as NSString).appendingPathComponent(".\(url.lastPathComponent).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp")
        let fd = open(temporary, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { throw AppError(.io, "cannot write in \(dir): \(String(cString: strerror(errno)))") }
        fchmod(fd, 0o600)
        let bytes = Array(text.utf8)
        var written = 0
        while written < bytes.count {
            let n = bytes[written...].withUnsafeBytes { Foundation.write(fd, $0.baseAddress, $0.count) }
            if n <= 0 {
                let reason = String(cString: strerror(errno))
                close(fd)
                unlink(temporary)
                throw AppError(.io, "cannot write \(path): \(reason)")
            }
            written += n
        }
        fsync(fd)
        close(fd)
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw AppError(.io, "cannot write \(path): \(reason)")
        }
    }
}
