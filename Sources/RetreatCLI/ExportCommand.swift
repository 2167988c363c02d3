import ArgumentParser
import Foundation
import RetreatAgenda
import RetreatCalendars
import RetreatICal
import RetreatScheduling
import RetreatStore

extension RetreatCommand {
    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a couple's calendar (ID) or the staff calendar of every booking (--all) as .ics.",
            discussion:
                "Couple calendars carry neutral titles and only that couple's intensive; the staff calendar shows booking ids, never names or priority issues, unless --names."
        )

        @OptionGroup var store: StoreOptions
        @Argument(help: "Booking id (omit with --all).") var id: String?
        @Flag(help: "Every booking, for staff.") var all = false
        @Option(help: "A counseling series id (its sessions as one recurring event plus moved sessions).") var series: String?
        @Option(help: "Output file (default: Calendars/<id>.ics or Calendars/staff.ics).") var out: String?
        @Flag(help: "An invitation (METHOD:REQUEST with ORGANIZER and ATTENDEEs; METHOD:CANCEL for a cancelled booking).") var invite = false
        @Flag(help: "Staff calendar only: show couples' names (explicit opt-in).") var names = false
        @Flag(help: "A couple's agenda with staff titles and the priorities each block serves (for staff, not for the couple).") var detailed = false

        func validate() throws {
            if [all, id != nil, series != nil].filter({ $0 }).count != 1 { throw ValidationError("give either a booking ID, --series ID or --all.") }
            if names && !all { throw ValidationError("--names applies to the staff calendar (--all) only.") }
            if invite && all { throw ValidationError("--invite applies to one booking, not --all.") }
        }

        func run() throws {
            try guarded {
                let ctx = try Context.open(store)
                _ = try ctx.store.sweep(now: ctx.now)
                let profile = try ctx.store.profile()
                let calendar: ICalendar
                let defaultName: String
                if let series {
                    let s = try ctx.store.series(id: series)
                    if invite && BookingCalendars.attendeeAddresses(s.contact).isEmpty {
                        throw CLIError("series \(s.series.id) has no contact e-mail; an invitation needs attendees (book with --contact)")
                    }
                    calendar = SeriesCalendar.calendar(for: s, profile: profile, stamp: ctx.now, invite: invite)
                    defaultName = "\(s.series.id.lowercased())\(invite ? "-invite" : "").ics"
                } else if let id {
                    let b = try ctx.store.booking(id: id)
                    if invite && BookingCalendars.attendeeAddresses(b.contact).isEmpty {
                        throw CLIError("booking \(b.id) has no contact e-mail; an invitation needs attendees (book with --contact)")
                    }
                    let agenda = try ctx.store.agenda(bookingID: b.id).flatMap { try? JSONDecoder().decode(Agenda.self, from: Data($0.agendaJSON.utf8)) }
                    calendar = BookingCalendars.couple(
                        booking: b, agenda: agenda, settings: try ctx.store.settings(), profile: profile, stamp: ctx.now,
                        invite: invite, detailed: detailed)
                    defaultName = "\(b.id.lowercased())\(invite ? "-invite" : "").ics"
                } else {
                    let bookings = try ctx.store.bookings(matching: BookingFilter(), now: ctx.now)
                    calendar = BookingCalendars.staff(
                        bookings: bookings, series: try ctx.store.allSeries(), profile: profile, stamp: ctx.now, includeNames: names)
                    defaultName = "staff.ics"
                }
                let url = URL(fileURLWithPath: out ?? "Calendars/\(defaultName)")
                try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try calendar.write(to: url)
                print("wrote \(url.path) (\(calendar.events.count) events)")
            }
        }
    }
}
