import ArgumentParser
import Foundation
import RetreatApp
import RetreatScheduling

extension RetreatCommand {
    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a couple's calendar (ID), a counseling series (--series ID) or the staff calendar (--all) as .ics.",
            discussion: """
                Couple calendars carry neutral titles and only that couple's intensive; the staff calendar shows booking ids, never names or \
                priority issues, unless --names. With --invite, --out is a folder that receives one .ics per iTIP message (one UID each): \
                the couple's invitation as last sent (REQUEST, or CANCEL once taken out), never staff titles. Files are written mode 0600; \
                an existing file is replaced only with --force.
                """
        )

        @OptionGroup var store: StoreOptions
        @Argument(help: "Booking id (omit with --all or --series).") var id: String?
        @Flag(help: "Every booking, for staff.") var all = false
        @Option(help: "A counseling series id (its sessions as one recurring event plus moved sessions).") var series: String?
        @Option(help: "Output file (default: Calendars/<id>.ics or Calendars/staff.ics); with --invite, a folder (default: Calendars).")
        var out: String?
        @Flag(help: "The couple's invitation: one iTIP file per message (METHOD:REQUEST, or METHOD:CANCEL once cancelled).") var invite = false
        @Flag(help: "Staff calendar only: show couples' names (explicit opt-in).") var names = false
        @Flag(help: "A couple's agenda with staff titles and the priorities each block serves (for staff, not for the couple).") var detailed = false
        @Flag(help: "Replace a file that already exists.") var force = false

        func validate() throws {
            if [all, id != nil, series != nil].filter({ $0 }).count != 1 { throw ValidationError("give either a booking ID, --series ID or --all.") }
            if names && !all { throw ValidationError("--names applies to the staff calendar (--all) only.") }
            if invite && all { throw ValidationError("--invite applies to one booking, not --all.") }
            if detailed && id == nil { throw ValidationError("--detailed applies to a couple's calendar (a booking ID) only.") }
            if out?.isEmpty == true { throw ValidationError("--out is empty; give \(invite ? "a folder" : "a file name").") }
            if invite && detailed {
                throw ValidationError("--detailed cannot go with --invite: an invitation carries only the couple's neutral agenda.")
            }
        }

        func run() throws {
            if invite {
                let owner = series.map { EventOwner(.series, $0) } ?? EventOwner(.booking, id ?? "")
                let documents = try store.service().invitationFiles(owner)
                for path in try PrivateFile.write(documents, into: out ?? "Calendars", force: force) {
                    Terminal.print("wrote \(path) (one event, \(documents.first?.componentCount ?? 0) component(s))")
                }
                return
            }
            let request: ExportRequest
            if let series {
                request = .series(id: series, invite: false)
            } else if let id {
                request = .couple(bookingID: id, invite: false, detailed: detailed)
            } else {
                request = .staff(names: names)
            }
            let document = try store.service().export(request)
            let path = out ?? "Calendars/\(document.suggestedName)"
            try PrivateFile.write(document.text, to: path, force: force)
            Terminal.print("wrote \(path) (\(document.componentCount) events)")
        }
    }

    struct FreeBusy: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "freebusy",
            abstract: "Publish busy time as a VFREEBUSY that says nothing about who is booked or why.",
            discussion: "Without --resource a day is busy when no resource could host an intensive day on it.")

        @OptionGroup var store: StoreOptions
        @Option(help: "First day (YYYY-MM-DD).", transform: Parse.day) var from: CalendarDay
        @Option(help: "Last day, inclusive (YYYY-MM-DD).", transform: Parse.day) var to: CalendarDay
        @Option(help: "Only this resource.") var resource: String?
        @Option(help: "Output file (default: Calendars/freebusy.ics).") var out: String?
        @Flag(help: "Replace a file that already exists.") var force = false

        func validate() throws { try checkRange(from, to) }

        func run() throws {
            let document = try store.service().export(.freeBusy(from: from, to: to, resource: resource))
            let path = out ?? "Calendars/freebusy.ics"
            try PrivateFile.write(document.text, to: path, force: force)
            Terminal.print("wrote \(path)")
        }
    }
}
