import ArgumentParser
import Foundation
import RetreatAgenda
import RetreatApp
import RetreatScheduling

extension RetreatCommand {
    struct AgendaCmd: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "agenda",
            abstract: "Plan (on first call) and show the daily agendas of an intensive, shaped by the couple's ranked priorities.",
            discussion: "Adjustments are kept: a re-plan honours every pin, exclusion and length given before.")

        @OptionGroup var store: StoreOptions
        @Argument(help: "Booking id.") var id: String
        @Flag(help: "Print JSON: {\"days\":[{\"date\",\"blocks\":[{\"start\",\"end\",\"kind\",\"module\",\"priorities\"}]}]}.") var json = false
        @Flag(help: "Plan again (keeping the pins).") var replan = false
        @Option(name: .customLong("priority"), help: "Set the ranked priority issues (repeatable, most important first) and re-plan.") var priorities:
            [String] = []
        @Option(name: .customLong("pin"), help: "Pin a module to a day and time: MODULE@DAY/HH:MM (DAY from 1).", transform: Parse.pin) var pins: [Pin] = []
        @Option(name: .customLong("exclude"), help: "Leave a module out.") var excluded: [String] = []
        @Option(name: .customLong("length"), help: "Change a module's length: MODULE=MINUTES (5 to 480).", transform: Parse.length) var lengths:
            [ModuleLength] = []
        @Flag(help: "Forget earlier pins, exclusions and lengths before applying these.") var resetAdjustments = false

        func validate() throws {
            if Set(priorities).count != priorities.count { throw ValidationError("each --priority may be given once; list them most important first.") }
        }

        func run() throws {
            let edits = AgendaEdits(
                priorities: priorities, pins: pins, exclusions: excluded,
                lengths: Dictionary(lengths.map { ($0.module, $0.minutes) }, uniquingKeysWith: { $1 }),
                resetAdjustments: resetAdjustments, replan: replan)
            let view = try store.service().agenda(bookingID: id, edits: edits)
            let booking = view.booking
            if json { return try printJSON(view.agenda.json(startDate: booking.start)) }
            Terminal.print(
                "\(booking.id)  priorities: \(booking.priorities.enumerated().map { "\($0.offset + 1). \($0.element)" }.joined(separator: "  "))  score \(view.agenda.score)"
            )
            if let stale = view.staleReason { Terminal.print("STALE: \(stale); plan again with --replan") }
            for day in view.agenda.days {
                Swift.print("day \(day.index + 1)  \(booking.start.adding(days: day.index))")
                for b in day.blocks {
                    let serves = b.priorities.isEmpty ? "" : "  [\(b.priorities.map(\.rawValue).joined(separator: ", "))]"
                    Terminal.print("  \(b.start)–\(b.end)  \(b.kind.rawValue.padding(toLength: 10, withPad: " ", startingAt: 0)) \(b.staffTitle)\(serves)")
                }
            }
            for p in view.agenda.score.penalties { Terminal.print("note: \(p.sentence)") }
        }
    }

    struct IntakeCmd: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "intake", abstract: "Record the intake answers that decide whether an agenda may be planned.")
        @OptionGroup var store: StoreOptions
        @Argument(help: "Booking id.") var id: String
        @Option(help: "Has the affair ended?") var affairEnded: YesNo?
        @Option(help: "Safety screen (no violence, no active addiction).") var safety: ScreenResult?

        func run() throws {
            let intake = try store.service().recordIntake(
                bookingID: id, IntakeUpdate(affairEnded: affairEnded?.bool, safetyPassed: safety.map { $0 == .passed }))
            Terminal.print(
                "intake for \(id.uppercased()): affair ended \(intake.affairEnded.map { $0 ? "yes" : "no" } ?? "not asked"), safety screen \(intake.safetyScreenPassed ? "passed" : "failed")"
            )
        }
    }
}
