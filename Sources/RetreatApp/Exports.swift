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
                if invite {
                    guard !detailed else { throw Self.detailedInvite }
                    return try Self.invitationDocuments(ctx, owner: EventOwner(.booking, id), profile: profile, productID: productID)[0]
                }
                let b = try ctx.booking(id)
                let stored = try ctx.reader.agenda(bookingID: b.id)
                // A stale agenda (the dates, the intake or the ranking changed since it was planned), or one of a
                // couple who is not eligible for an intensive plan, is never sent.
                if b.status.isLive { try CoupleInvitations.requireCurrentAgenda(ctx, booking: b, sending: "exporting") }
                let agenda = stored.flatMap { try? JSONDecoder().decode(Agenda.self, from: Data($0.agendaJSON.utf8)) }
                calendar = BookingCalendars.couple(
                    booking: b, agenda: agenda, settings: ctx.settings, profile: profile, stamp: ctx.now, invite: false, detailed: detailed)
                name = "\(b.id.lowercased()).ics"
            case .series(let id, let invite):
                if invite { return try Self.invitationDocuments(ctx, owner: EventOwner(.series, id), profile: profile, productID: productID)[0] }
                let s = try Sessions.series(ctx, id: id)
                calendar = SeriesCalendar.calendar(for: s, profile: profile, stamp: ctx.now, invite: false)
                name = "\(s.series.id.lowercased()).ics"
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

extension RetreatService {
    /// The invitation of a booking or a series as iTIP files, one per message (one UID each): what the couple's
    /// calendar holds now, at the SEQUENCE last sent (a REQUEST, or a CANCEL once it was taken out). Staff use
    /// it to hand an invitation over by other means; `retreat notify` sends the same by e-mail.
    /// - Throws: `.invalid` without a partner address, `.conflict` for a hold (not sent until confirmed) or when the
    ///   agenda it would carry is stale.
    public func invitationFiles(_ owner: EventOwner) throws(AppError) -> [CalendarDocument] {
        try read { ctx in try Self.invitationDocuments(ctx, owner: owner, profile: try ctx.reader.profile()) }
    }

    static let detailedInvite = AppError(
        .badInput, "--detailed cannot go with --invite: an invitation carries only the couple's neutral agenda (staff titles stay in files and feeds)")

    static func invitationDocuments(_ ctx: ReadContext, owner: EventOwner, profile: PracticeProfile, productID: String? = nil) throws -> [CalendarDocument] {
        let event: CoupleEvent
        let live: Bool
        let floor: Int
        let calendarName: String
        let sent: SentEvent?
        switch owner.kind {
        case .booking:
            let b = try ctx.booking(owner.id)
            if b.status == .held {
                throw AppError(
                    .conflict,
                    "booking \(b.id) is a hold: a hold is not sent to the couple, as it may lapse; confirm it first (`retreat confirm \(b.id)`), then export its invitation"
                )
            }
            event = try CoupleInvitations.event(ctx, booking: b, profile: profile).0
            sent = try ctx.reader.sentEvents(owner: event.owner).first { $0.uid == event.uid }
            live = CoupleInvitations.isInCalendar(b)
            floor = b.sequence
            calendarName = "\(profile.name): your intensive"
            if event.attendees.isEmpty {
                throw AppError(
                    .invalid, "booking \(b.id) has no contact e-mail; an invitation needs attendees (book with --contact or `retreat edit \(b.id) --contact`)")
            }
            if live { try CoupleInvitations.requireCurrentAgenda(ctx, booking: b) }
        case .series:
            let s = try Sessions.series(ctx, id: owner.id)
            event = Invitations.series(s, profile: profile, attendees: try CoupleInvitations.mailboxes(s.contact, of: s.series.id))
            sent = try ctx.reader.sentEvents(owner: event.owner).first { $0.uid == event.uid }
            // A series cancelled after it began stays in the couple's calendar with its past sessions (it was cut,
            // not cancelled, when it was sent).
            live = s.active || (sent.map { !$0.cancelled } ?? false)
            floor = s.series.sequence
            calendarName = "\(profile.name): counseling sessions"
            if event.attendees.isEmpty {
                throw AppError(
                    .invalid,
                    "series \(s.series.id) has no contact e-mail; an invitation needs attendees (`retreat sessions edit \(s.series.id) --contact ...`)")
            }
        }
        let method: ICalMethod = live ? .request : .cancel
        let sequence = sent.map { live && $0.cancelled ? $0.sequence + 1 : $0.sequence } ?? floor
        var recipients = event.attendees
        if !live, let sent, let previous = try? Mailbox.list(sent.recipients, field: "recipients") { recipients = previous }
        var calendar = event.calendar(method: method, sequence: sequence, stamp: ctx.now, recipients: recipients, calendarName: calendarName)
        if let productID { calendar.productID = productID }
        let name = "\(owner.id.lowercased())-\(method.rawValue.lowercased()).ics"
        return [CalendarDocument(text: try calendar.serialized(), componentCount: calendar.events.count, suggestedName: name)]
    }
}

/// Writing files that hold personal data: created mode 0600 through a temporary file in the target folder and
/// renamed into place when complete; never through a symlink, never onto a device, folder or other non-file.
public enum PrivateFile {
    /// Writes each document under its suggested name into the folder `directory` (created mode 0700 when
    /// missing; a symbolic link or anything but a folder there is refused). Every file is checked before the
    /// first is written, so an existing one (without `force`) leaves the folder as it was.
    /// - Returns: the paths written.
    public static func write(_ documents: [CalendarDocument], into directory: String, force: Bool = false) throws(AppError) -> [String] {
        guard !directory.isEmpty else { throw AppError(.badInput, "--out is empty; give a folder for the invitation files") }
        var info = stat()
        let bare = directory.count > 1 && directory.hasSuffix("/") ? String(directory.dropLast()) : directory
        if lstat(bare, &info) == 0 {
            let kind = info.st_mode & S_IFMT
            if kind == S_IFLNK { throw AppError(.invalid, "\(directory) is a symbolic link; give the folder itself") }
            if kind != S_IFDIR { throw AppError(.invalid, "\(directory) exists and is not a folder; --out takes a folder with --invite") }
        } else {
            try makeFolders(directory)
        }
        let paths = documents.map { (directory as NSString).appendingPathComponent($0.suggestedName) }
        for path in paths where lstat(path, &info) == 0 {
            let kind = info.st_mode & S_IFMT
            if kind != S_IFREG { throw AppError(.invalid, "\(path) exists and is not a regular file; remove it or choose another folder") }
            if !force { throw AppError(.invalid, "\(path) already exists; pass --force to replace it") }
        }
        for (document, path) in zip(documents, paths) { try write(document.text, to: path, force: force) }
        return paths
    }

    /// Writes `text` to `path`.
    /// - Parameter force: replace an existing regular file (otherwise an existing file is refused).
    /// - Throws: `AppError.invalid` naming what is in the way, `.io` when the folder cannot be written.
    public static func write(_ text: String, to path: String, force: Bool = false) throws(AppError) {
        guard !path.isEmpty else { throw AppError(.badInput, "--out is empty; give a file name such as calendar.ics") }
        if path.hasSuffix("/") {
            throw AppError(.badInput, "--out \(path) names a folder; give a file name such as \(path)calendar.ics")
        }
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
        try makeFolders(dir)
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

    /// Creates `path` and any missing folders above it, each mode 0700; errors name the folder and say why in words.
    static func makeFolders(_ path: String) throws(AppError) {
        let folder = path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
        if folder.isEmpty || folder == "/" || folder == "." { return }
        var info = stat()
        if stat(folder, &info) == 0 {
            if info.st_mode & S_IFMT == S_IFDIR { return }
            throw AppError(.invalid, "\(folder) exists and is not a folder")
        }
        switch errno {
        case ENOENT: break
        case ENOTDIR: throw AppError(.invalid, "cannot use folder \(folder): a part of that path is a file, not a folder")
        default: throw AppError(.io, "cannot use folder \(folder): \(String(cString: strerror(errno)))")
        }
        try makeFolders((folder as NSString).deletingLastPathComponent)
        if mkdir(folder, 0o700) != 0 && errno != EEXIST {
            throw AppError(.io, "cannot create folder \(folder): \(String(cString: strerror(errno)))")
        }
    }
}
