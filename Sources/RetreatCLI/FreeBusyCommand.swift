import ArgumentParser
import Foundation
import RetreatCalendars
import RetreatICal
import RetreatScheduling
import RetreatStore

extension RetreatCommand {
    struct FreeBusy: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "freebusy",
            abstract: "Publish busy time as a VFREEBUSY that says nothing about who is booked or why.",
            discussion: "Without --resource a day is busy when no resource could host an intensive day on it.")

        @OptionGroup var store: StoreOptions
        @Option(help: "First day.") var from: String
        @Option(help: "Last day (inclusive).") var to: String
        @Option(help: "Only this resource.") var resource: String?
        @Option(help: "Output file (default: Calendars/freebusy.ics).") var out: String?

        func run() throws {
            try guarded {
                let range = try parseRange(from: from, to: to)
                let ctx = try Context.open(store)
                _ = try ctx.store.sweep(now: ctx.now)
                let scheduler = try ctx.store.scheduler(now: ctx.now)
                try scheduler.settings.requireResource(resource)
                let calendar = FreeBusyCalendar.make(
                    scheduler: scheduler, from: range.lowerBound, to: range.upperBound, resource: resource,
                    profile: try ctx.store.profile(), stamp: ctx.now)
                let url = URL(fileURLWithPath: out ?? "Calendars/freebusy.ics")
                try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try calendar.write(to: url)
                print("wrote \(url.path) (\(calendar.freeBusy.first?.busy.count ?? 0) busy periods)")
            }
        }
    }
}
