import ArgumentParser
import Foundation
import RetreatAgenda
import RetreatScheduling
import RetreatStore

extension RetreatCommand {
    struct AgendaCmd: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "agenda",
            abstract: "Plan (on first call) and show the three daily agendas of an intensive, shaped by the couple's ranked priorities.",
            discussion: "Adjustments are kept: a re-plan honours every pin, exclusion and length given before.")

        @OptionGroup var store: StoreOptions
        @Argument(help: "Booking id.") var id: String
        @Flag(help: "Print JSON: {\"days\":[{\"date\",\"blocks\":[{\"start\",\"end\",\"kind\",\"module\",\"priorities\"}]}]}.") var json = false
        @Flag(help: "Plan again (keeping the pins).") var replan = false
        @Option(name: .customLong("priority"), help: "Set the ranked priority issues (repeatable, most important first) and re-plan.") var priorities:
            [String] = []
        @Option(name: .customLong("pin"), help: "Pin a module to a day and time: MODULE@DAY/HH:MM (DAY from 1).") var pins: [String] = []
        @Option(name: .customLong("exclude"), help: "Leave a module out.") var excluded: [String] = []
        @Option(name: .customLong("length"), help: "Change a module's length: MODULE=MINUTES.") var lengths: [String] = []
        @Flag(help: "Forget earlier pins, exclusions and lengths before applying these.") var resetAdjustments = false

        func parsePin(_ text: String) throws -> Pin {
            let parts = text.split(separator: "@", maxSplits: 1)
            let when = parts.count == 2 ? parts[1].split(separator: "/", maxSplits: 1) : []
            guard parts.count == 2, when.count == 2, let dayNumber = Int(when[0]), dayNumber >= 1, let time = ClockTime(String(when[1])) else {
                throw CLIError("--pin \"\(text)\" is not MODULE@DAY/HH:MM (e.g. dialogue-practice@2/10:30)")
            }
            return Pin(moduleID: String(parts[0]), dayIndex: dayNumber - 1, start: time)
        }

        func run() throws {
            try guarded {
                let ctx = try Context.open(store)
                var booking = try ctx.store.booking(id: id)
                let settings = try ctx.store.settings()
                guard let catalogText = try ctx.store.agendaCatalog() else {
                    throw CLIError("the store has no agenda module catalog; run `retreat init --modules Fixtures/agenda-modules.toml`")
                }
                let catalog = try ModuleCatalog(toml: catalogText)
                let stored = try ctx.store.agenda(bookingID: booking.id)
                var adjustments = Adjustments()
                if let stored, !resetAdjustments {
                    adjustments = (try? JSONDecoder().decode(Adjustments.self, from: Data(stored.adjustmentsJSON.utf8))) ?? Adjustments()
                }
                for text in pins {
                    let pin = try parsePin(text)
                    guard catalog.module(pin.moduleID) != nil else { throw CLIError("--pin: unknown module \"\(pin.moduleID)\"") }
                    guard pin.dayIndex < settings.intensiveDays else {
                        throw CLIError("--pin: day \(pin.dayIndex + 1) is past the \(settings.intensiveDays)-day intensive")
                    }
                    adjustments.pins.removeAll { $0.moduleID == pin.moduleID }
                    adjustments.pins.append(pin)
                }
                for module in excluded {
                    guard catalog.module(module) != nil else { throw CLIError("--exclude: unknown module \"\(module)\"") }
                    adjustments.excluded.insert(module)
                }
                for text in lengths {
                    let kv = text.split(separator: "=", maxSplits: 1)
                    guard kv.count == 2, let minutes = Int(kv[1]), minutes > 0 else { throw CLIError("--length \"\(text)\" is not MODULE=MINUTES") }
                    guard catalog.module(String(kv[0])) != nil else { throw CLIError("--length: unknown module \"\(kv[0])\"") }
                    adjustments.durationOverrides[String(kv[0])] = minutes
                }
                if !priorities.isEmpty {
                    guard Set(priorities).count == priorities.count else { throw CLIError("each --priority may be given once") }
                    booking = try ctx.store.setPriorities(bookingID: booking.id, priorities, now: ctx.now, actor: ctx.actor)
                }
                let changed = !pins.isEmpty || !excluded.isEmpty || !lengths.isEmpty || !priorities.isEmpty || resetAdjustments
                let agenda: Agenda
                if let stored, !replan, !changed, let saved = try? JSONDecoder().decode(Agenda.self, from: Data(stored.agendaJSON.utf8)) {
                    agenda = saved
                } else {
                    guard !booking.priorities.isEmpty else {
                        throw CLIError("booking \(booking.id) has no ranked priority issues; give them with --priority (most important first)")
                    }
                    let intake = try ctx.store.intake(bookingID: booking.id)
                    let request = PlanRequest(
                        priorities: booking.priorities.map(Priority.init),
                        // The stored record has one shared screen flag that defaulted to "passed", so it is not a
                        // per-partner screen: both partners count as not screened until intake is per partner.
                        intake: Intake(affairEnded: intake.affairEnded.map { $0 ? .yes : .no } ?? .unknown),
                        days: settings.intensiveDays, template: try PracticeConfig.storedTemplate(ctx.store, settings: settings), catalog: catalog,
                        adjustments: adjustments)
                    agenda = try AgendaPlanner().plan(request)
                    let encoder = JSONEncoder.sorted
                    try ctx.store.saveAgenda(
                        bookingID: booking.id, agendaJSON: String(decoding: try encoder.encode(agenda), as: UTF8.self),
                        adjustmentsJSON: String(decoding: try encoder.encode(adjustments), as: UTF8.self), now: ctx.now, actor: ctx.actor)
                }
                if json { return try printJSON(agenda.json(startDate: booking.start)) }
                print(
                    "\(booking.id)  priorities: \(booking.priorities.enumerated().map { "\($0.offset + 1). \($0.element)" }.joined(separator: "  "))  score \(agenda.score)"
                )
                for day in agenda.days {
                    print("day \(day.index + 1)  \(booking.start.adding(days: day.index))")
                    for b in day.blocks {
                        let serves = b.priorities.isEmpty ? "" : "  [\(b.priorities.map(\.rawValue).joined(separator: ", "))]"
                        print("  \(b.start)–\(b.end)  \(b.kind.rawValue.padding(toLength: 10, withPad: " ", startingAt: 0)) \(b.staffTitle)\(serves)")
                    }
                }
                for p in agenda.score.penalties { print("note: \(p.sentence)") }
            }
        }
    }

    struct IntakeCmd: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "intake", abstract: "Record the intake answers that decide whether an agenda may be planned.")
        @OptionGroup var store: StoreOptions
        @Argument(help: "Booking id.") var id: String
        @Option(help: "Has the affair ended? yes or no.") var affairEnded: String?
        @Option(help: "Safety screen (no violence, no active addiction): passed or failed.") var safety: String?

        func run() throws {
            try guarded {
                let ctx = try Context.open(store)
                var intake = try ctx.store.intake(bookingID: id)
                if let affairEnded {
                    switch affairEnded.lowercased() {
                    case "yes", "true": intake.affairEnded = true
                    case "no", "false": intake.affairEnded = false
                    default: throw CLIError("--affair-ended \"\(affairEnded)\" must be yes or no")
                    }
                }
                if let safety {
                    switch safety.lowercased() {
                    case "passed", "pass": intake.safetyScreenPassed = true
                    case "failed", "fail": intake.safetyScreenPassed = false
                    default: throw CLIError("--safety \"\(safety)\" must be passed or failed")
                    }
                }
                try ctx.store.saveIntake(bookingID: id, intake, now: ctx.now, actor: ctx.actor)
                print(
                    "intake for \(id.uppercased()): affair ended \(intake.affairEnded.map { $0 ? "yes" : "no" } ?? "not asked"), safety screen \(intake.safetyScreenPassed ? "passed" : "failed")"
                )
            }
        }
    }
}
