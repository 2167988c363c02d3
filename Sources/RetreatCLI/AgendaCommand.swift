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
            discussion: """
                Every clinical rule (see the README's agenda section) holds in every plan; a staff edit that would break one is \
                refused (exit 3) with the rule in a counselor's words, and unknown modules or priorities are refused (exit 64). \
                Adjustments are kept: a re-plan honours every pin, exclusion and length given before. `retreat agenda modules \
                [--json]` lists the module catalog; `retreat agenda ID --as-couple` shows exactly what the couple's calendar will \
                contain. Planning needs both partners' safety screens recorded (`retreat intake`); after a failed screen the \
                command says the couple is NOT ELIGIBLE for an intensive plan instead of showing an agenda. A repeated --pin or \
                --length of one module is refused (exit 64).
                """)

        @OptionGroup var store: StoreOptions
        @Argument(help: "Booking id, or `modules` to list the module catalog.") var id: String
        @Flag(
            help:
                "Print JSON: {\"days\":[{\"date\",\"blocks\":[{\"start\",\"end\",\"kind\",\"module\",\"priorities\"}]}],\"priorities\",\"score\",\"stale\",\"staleReason\"}."
        ) var json = false
        @Flag(help: "Plan again (keeping the pins).") var replan = false
        @Flag(help: "Show what the couple's calendar will contain: times and neutral titles only.") var asCouple = false
        @Option(name: .customLong("priority"), help: "Set the ranked priority issues (repeatable, most important first) and re-plan.") var priorities:
            [String] = []
        @Option(name: .customLong("pin"), help: "Pin a module to a day and time: MODULE@DAY/HH:MM (DAY from 1).", transform: Parse.pin) var pins: [Pin] = []
        @Option(name: .customLong("exclude"), help: "Leave a module out.") var excluded: [String] = []
        @Option(
            name: .customLong("length"), help: "Change a module's length: MODULE=MINUTES, within its clinical limits (`agenda modules` lists them).",
            transform: Parse.length) var lengths: [ModuleLength] = []
        @Flag(help: "Forget earlier pins, exclusions and lengths before applying these.") var resetAdjustments = false

        var edits: AgendaEdits {
            AgendaEdits(
                priorities: priorities, pins: pins, exclusions: excluded,
                lengths: Dictionary(lengths.map { ($0.module, $0.minutes) }, uniquingKeysWith: { $1 }), resetAdjustments: resetAdjustments, replan: replan)
        }

        func validate() throws {
            if Set(priorities).count != priorities.count { throw ValidationError("each --priority may be given once; list them most important first.") }
            // A second --pin or --length of one module would silently replace the first.
            for (option, modules) in [("--pin", pins.map(\.moduleID)), ("--length", lengths.map(\.module))] {
                if let twice = modules.first(where: { id in modules.filter { $0 == id }.count > 1 }) {
                    throw ValidationError("\(option) is given twice for \"\(Terminal.safe(twice))\"; give each module one \(option).")
                }
            }
            if asCouple && (edits.changesPlan) { throw ValidationError("--as-couple shows the stored agenda; plan or change it first, without --as-couple.") }
            if id == "modules" && (asCouple || edits.changesPlan) { throw ValidationError("`agenda modules` takes only --json.") }
        }

        func run() throws {
            if id == "modules" { return try printModules(try store.service().agendaModules()) }
            if asCouple {
                let couple = try store.service().coupleAgenda(bookingID: id)
                if json { return try printJSON(couple) }
                return Terminal.print(lines: couple.lines)
            }
            let view = try store.service().agenda(bookingID: id, edits: edits)
            let booking = view.booking
            if json { return try printJSON(AgendaJSON(view)) }
            Terminal.print("\(booking.id)  priorities: \(booking.priorities.enumerated().map { "\($0.offset + 1). \($0.element)" }.joined(separator: "  "))")
            Terminal.print("score: \(view.agenda.score.summary)")
            if let stale = view.staleReason { Terminal.print("STALE: \(stale); plan again with --replan") }
            for day in view.agenda.days {
                Terminal.print("day \(day.index + 1)  \(booking.start.adding(days: day.index))")
                for b in day.blocks {
                    let serves = b.priorities.isEmpty ? "" : "  [\(b.priorities.map(\.rawValue).joined(separator: ", "))]"
                    Terminal.print("  \(b.start)–\(b.end)  \(b.kind.rawValue.padding(toLength: 10, withPad: " ", startingAt: 0)) \(b.staffTitle)\(serves)")
                }
            }
        }

        func printModules(_ modules: [ModuleListing]) throws {
            if json { return try printJSON(modules) }
            for m in modules { Terminal.print(lines: m.lines) }
        }
    }

    struct IntakeCmd: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "intake",
            abstract: "Record the intake: each partner's safety screen, whether the affair has ended, who the hurt partner is.",
            discussion: """
                retreat intake ID --partner A|B --safety passed|failed|not-screened records one partner's screen (violence, coercion, \
                active addiction, acute crisis) with who recorded it and when; retreat intake ID [--affair-ended yes|no] \
                [--hurt-partner A|B]; both can be given in one call, each option once. With no option it shows the intake. \
                Nothing here ever reaches a calendar or the staff list. A change makes a planned agenda stale.
                """)
        @OptionGroup var store: StoreOptions
        @Argument(help: "Booking id.") var id: String
        @Option(help: "The partner whose safety screen is recorded.") var partner: PartnerArgument?
        @Option(help: "That partner's safety screen.") var safety: ScreenArgument?
        @Option(help: "Has the affair ended?") var affairEnded: YesNo?
        @Option(help: "Which partner is the hurt partner (affair recovery).") var hurtPartner: PartnerArgument?
        @Flag(help: "Print JSON.") var json = false

        func validate() throws {
            if (partner == nil) != (safety == nil) { throw ValidationError("give --partner A|B and --safety passed|failed|not-screened together.") }
        }

        func run() throws {
            let screen = partner.flatMap { p in safety.map { (p.partner, $0.result) } }
            let intake = try store.service().recordIntake(
                bookingID: id,
                IntakeUpdate(screen: screen, affairEnded: affairEnded.map { $0 == .yes ? .yes : .no }, hurtPartner: hurtPartner?.partner))
            if json { return try printJSON(intake) }
            func shown(_ s: SafetyScreen) -> String {
                guard s.result != .notScreened else { return "not screened" }
                return
                    "\(s.result.rawValue)\(s.recordedBy.map { " (recorded by \($0)" } ?? "")\(s.recordedAt.map { " at \(ISO8601DateFormatter().string(from: $0)))" } ?? (s.recordedBy == nil ? "" : ")"))"
            }
            Terminal.print("intake for \(id.uppercased()):")
            Terminal.print("  partner A      safety screen \(shown(intake.partnerA))")
            Terminal.print("  partner B      safety screen \(shown(intake.partnerB))")
            Terminal.print("  affair ended   \(intake.affairEnded.rawValue)")
            Terminal.print("  hurt partner   \(intake.hurtPartner?.rawValue ?? "—")")
        }
    }
}
