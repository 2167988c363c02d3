import Foundation
import RetreatAgenda
import RetreatConfig
import RetreatScheduling
import RetreatStore

/// Staff changes to an agenda: given together, applied together, kept for every later re-plan.
public struct AgendaEdits: Hashable, Sendable {
    /// New ranked priorities (most important first); empty keeps the booking's.
    public var priorities: [String]
    /// Modules pinned to a day and time.
    public var pins: [Pin]
    /// Modules left out.
    public var exclusions: [String]
    /// Module lengths changed, in minutes.
    public var lengths: [String: Int]
    /// Forget earlier pins, exclusions and lengths first.
    public var resetAdjustments: Bool
    /// Plan again even when nothing changed.
    public var replan: Bool

    /// Creates edits.
    public init(
        priorities: [String] = [], pins: [Pin] = [], exclusions: [String] = [], lengths: [String: Int] = [:], resetAdjustments: Bool = false,
        replan: Bool = false
    ) {
        self.priorities = priorities
        self.pins = pins
        self.exclusions = exclusions
        self.lengths = lengths
        self.resetAdjustments = resetAdjustments
        self.replan = replan
    }

    /// Whether these edits ask for a new plan.
    public var changesPlan: Bool { !priorities.isEmpty || !pins.isEmpty || !exclusions.isEmpty || !lengths.isEmpty || resetAdjustments || replan }
}

/// A booking's agenda as staff see it.
public struct AgendaView: Hashable, Sendable {
    /// The booking.
    public var booking: Booking
    /// The planned agenda.
    public var agenda: Agenda
    /// Why the stored agenda no longer matches the booking or the intake (nil while current).
    public var staleReason: String?
}

/// Intake answers to record; nil leaves an answer as it is.
public struct IntakeUpdate: Hashable, Sendable {
    /// A partner's safety screen (violence, coercion, active addiction, acute crisis): the partner and the result.
    public var screen: (partner: Partner, result: ScreenResult)?
    /// Whether the affair has ended.
    public var affairEnded: AffairEnded?
    /// Which partner is the hurt partner (when affair recovery is ranked).
    public var hurtPartner: Partner?

    /// Creates an update.
    public init(screen: (partner: Partner, result: ScreenResult)? = nil, affairEnded: AffairEnded? = nil, hurtPartner: Partner? = nil) {
        self.screen = screen
        self.affairEnded = affairEnded
        self.hurtPartner = hurtPartner
    }

    /// Whether it records anything.
    public var isEmpty: Bool { screen == nil && affairEnded == nil && hurtPartner == nil }

    public static func == (a: IntakeUpdate, b: IntakeUpdate) -> Bool {
        a.screen?.partner == b.screen?.partner && a.screen?.result == b.screen?.result && a.affairEnded == b.affairEnded
            && a.hurtPartner == b.hurtPartner
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(screen?.partner)
        hasher.combine(screen?.result)
        hasher.combine(affairEnded)
        hasher.combine(hurtPartner)
    }
}

extension RetreatService {
    /// The module catalog stored at `init`, if any.
    public func agendaCatalog() throws(AppError) -> ModuleCatalog? {
        try read { ctx in try Agendas.catalog(ctx) }
    }

    /// Records intake answers (a partner's safety screen with who recorded it and when, the end of the
    /// affair, the hurt partner); a stored agenda becomes stale. With no answer, returns the intake as it is.
    public func recordIntake(bookingID: String, _ update: IntakeUpdate = IntakeUpdate()) throws(AppError) -> Intake {
        if update.isEmpty { return try read { ctx in try Agendas.intake(ctx, bookingID: try ctx.booking(bookingID).id) } }
        return try write { ctx in
            let b = try ctx.base.booking(bookingID)
            let before = try Agendas.intake(ctx.base, bookingID: b.id)
            var intake = before
            if let (partner, result) = update.screen { intake.record(result, for: partner, by: ctx.actor, at: ctx.now) }
            if let ended = update.affairEnded { intake.affairEnded = ended }
            if let hurt = update.hurtPartner { intake.hurtPartner = hurt }
            try ctx.tx.saveIntakeJSON(try Agendas.encode(intake), bookingID: b.id)
            try ctx.audit("intake", "booking", b.id, before: Agendas.auditFields(before), after: Agendas.auditFields(intake))
            // Only an answer the plan depends on makes the agenda stale (and so changes what the couple's
            // calendar carries): eligibility, or the hurt partner when affair recovery is ranked. Recording the
            // same screen again, or the affair questions for a couple who did not rank affair recovery, does not.
            let ranked = b.priorities.map { Priority($0) }
            let affairRanked = ranked.contains(.affairRecovery)
            let matters =
                intake.ineligibility(for: ranked) != before.ineligibility(for: ranked)
                || (affairRanked && intake.hurtPartner != before.hurtPartner)
            if matters {
                try Agendas.markStale(ctx, bookingID: b.id, reason: "the intake changed")
                try CoupleInvitations.sync(ctx, booking: b)
            }
            return intake
        }
    }

    /// The booking's agenda: planned on first call (and stored), re-planned when edits or `replan` ask for it,
    /// otherwise the stored one with its stale reason.
    /// - Throws: `.invalid` saying plainly that the couple is NOT ELIGIBLE for an intensive plan, and why, when a
    ///   partner's safety screen failed or was not recorded or the affair questions are open (no stored agenda is
    ///   shown then); `.conflict` for a staff edit that breaks a clinical rule; `.badInput` for an unknown module
    ///   or priority.
    public func agenda(bookingID: String, edits: AgendaEdits = AgendaEdits()) throws(AppError) -> AgendaView {
        // Showing a planned agenda is a read: the store is not written.
        if !edits.changesPlan, let stored = try storedAgenda(bookingID: bookingID) { return stored }
        return try write { ctx in
            var booking = try ctx.base.booking(bookingID)
            guard let catalog = try Agendas.catalog(ctx.base) else {
                throw AppError(.invalid, "the store has no agenda module catalog; load one with `retreat settings modules Fixtures/agenda-modules.toml`")
            }
            let stored = try ctx.tx.agenda(bookingID: booking.id)
            let earlier = stored.flatMap { try? JSONDecoder().decode(Adjustments.self, from: Data($0.adjustmentsJSON.utf8)) } ?? Adjustments()
            var adjustments = Adjustments()
            if let stored, !edits.resetAdjustments {
                adjustments = (try? JSONDecoder().decode(Adjustments.self, from: Data(stored.adjustmentsJSON.utf8))) ?? Adjustments()
            }
            for pin in edits.pins {
                guard catalog.module(pin.moduleID) != nil else { throw Agendas.unknownModule(pin.moduleID, catalog, option: "--pin") }
                guard pin.dayIndex < booking.intensiveDays else {
                    throw AppError(.badInput, "--pin: day \(pin.dayIndex + 1) is past the \(booking.intensiveDays)-day intensive")
                }
                adjustments.pins.removeAll { $0.moduleID == pin.moduleID }
                adjustments.pins.append(pin)
            }
            for module in edits.exclusions {
                guard catalog.module(module) != nil else { throw Agendas.unknownModule(module, catalog, option: "--exclude") }
                adjustments.excluded.insert(module)
            }
            for (module, minutes) in edits.lengths.sorted(by: { $0.key < $1.key }) {
                guard catalog.module(module) != nil else { throw Agendas.unknownModule(module, catalog, option: "--length") }
                adjustments.durationOverrides[module] = minutes
            }
            if !edits.priorities.isEmpty {
                let priorities = try AgendaRules.checkedPriorities(edits.priorities, ctx.base, option: "--priority")
                do { try AgendaPlanner.validate(priorities: priorities.map(Priority.init), catalog: catalog) } catch {
                    throw Agendas.mapped(error)
                }
                if priorities != booking.priorities {
                    try ctx.audit(
                        "priorities", "booking", booking.id, before: ["priorities": booking.priorities.joined(separator: ",")],
                        after: ["priorities": priorities.joined(separator: ",")])
                    booking.priorities = priorities
                    try ctx.tx.update(booking)
                }
            }
            if let stored, !edits.changesPlan, let saved = try? JSONDecoder().decode(Agenda.self, from: Data(stored.agendaJSON.utf8)) {
                if let reason = Agendas.eligibilityProblem(ctx.base, booking: booking) { throw Agendas.notEligible(booking, reason) }
                return AgendaView(booking: booking, agenda: saved, staleReason: stored.staleReason)
            }
            guard booking.status.isLive || booking.status == .completed else {
                throw AppError(.invalid, "booking \(booking.id) is \(booking.status.rawValue); plan agendas for live bookings only")
            }
            guard !booking.priorities.isEmpty else {
                throw AppError(.invalid, "booking \(booking.id) has no ranked priority issues; give them with --priority (most important first)")
            }
            let intake = try Agendas.intake(ctx.base, bookingID: booking.id)
            // Nothing is planned for a couple the practice cannot plan for, whatever the edits.
            if let reason = intake.ineligibility(for: booking.priorities.map(Priority.init)) { throw Agendas.notEligible(booking, reason) }
            let request = PlanRequest(
                priorities: booking.priorities.map(Priority.init), intake: intake, days: booking.intensiveDays,
                template: try Agendas.template(ctx.base), catalog: catalog, adjustments: adjustments)
            // Staff edits that would break a clinical rule are refused before anything is saved (the whole
            // transaction is undone), with the rule's sentence.
            let agenda: Agenda
            do { agenda = try AgendaPlanner().plan(request) } catch { throw Agendas.mapped(error) }
            try ctx.tx.save(
                StoredAgenda(
                    bookingID: booking.id, agendaJSON: try Agendas.encode(agenda), adjustmentsJSON: try Agendas.encode(adjustments), plannedAt: ctx.now))
            if adjustments != earlier {
                try ctx.audit("agenda-adjust", "booking", booking.id, before: Agendas.auditFields(earlier), after: Agendas.auditFields(adjustments))
            }
            try ctx.audit("agenda-plan", "booking", booking.id, ["blocks": String(agenda.days.flatMap(\.blocks).count)])
            try CoupleInvitations.sync(ctx, booking: booking)
            return AgendaView(booking: booking, agenda: agenda, staleReason: nil)
        }
    }

    /// The module catalog as staff read it (`agenda modules`).
    public func agendaModules() throws(AppError) -> [ModuleListing] {
        try read { ctx in
            guard let catalog = try Agendas.catalog(ctx) else {
                throw AppError(.invalid, "the store has no agenda module catalog; load one with `retreat settings modules Fixtures/agenda-modules.toml`")
            }
            return catalog.listing
        }
    }

    /// Exactly what the couple's calendar will contain for this booking's stored agenda (refused when stale, and
    /// when the couple is not eligible for an intensive plan).
    public func coupleAgenda(bookingID: String) throws(AppError) -> CoupleAgenda {
        guard let view = try storedAgenda(bookingID: bookingID) else {
            throw AppError(.invalid, "booking \(bookingID.uppercased()) has no agenda yet; plan it with `retreat agenda \(bookingID.uppercased())`")
        }
        if let reason = view.staleReason {
            throw AppError(.conflict, "the agenda of \(view.booking.id) is stale (\(reason)); plan it again with --replan before the couple sees it")
        }
        return view.agenda.coupleView(startDate: view.booking.start)
    }

    /// The stored agenda of a booking without planning (nil when none was planned).
    /// - Throws: `.invalid` saying plainly that the couple is NOT ELIGIBLE for an intensive plan, and why, instead
    ///   of returning an agenda planned before a safety screen failed (or was taken back).
    public func storedAgenda(bookingID: String) throws(AppError) -> AgendaView? {
        try read { ctx in
            let booking = try ctx.booking(bookingID)
            guard let stored = try ctx.reader.agenda(bookingID: booking.id),
                let agenda = try? JSONDecoder().decode(Agenda.self, from: Data(stored.agendaJSON.utf8))
            else { return nil }
            if let reason = Agendas.eligibilityProblem(ctx, booking: booking) { throw Agendas.notEligible(booking, reason) }
            return AgendaView(booking: booking, agenda: agenda, staleReason: stored.staleReason)
        }
    }
}

/// Agenda records over the store.
enum Agendas {
    static func catalog(_ ctx: ReadContext) throws -> ModuleCatalog? {
        guard let text = try ctx.reader.document(.agendaCatalog) else { return nil }
        // Stored at `init` (and checked complete then); read leniently so an older catalog stays usable.
        return try ModuleCatalog(toml: text, requireComplete: false)
    }

    static func template(_ ctx: ReadContext) throws -> DayTemplate {
        if let json = try ctx.reader.document(.dayTemplate), let t = try? JSONDecoder().decode(DayTemplate.self, from: Data(json.utf8)) {
            return t
        }
        return DayTemplate(settings: ctx.settings)
    }

    /// The recorded intake, or the default: nobody screened, nothing known about an affair.
    static func intake(_ ctx: ReadContext, bookingID: String) throws -> Intake {
        guard let json = try ctx.reader.intakeJSON(bookingID: bookingID) else { return .empty }
        do {
            return try JSONDecoder().decode(Intake.self, from: Data(json.utf8))
        } catch {
            throw AppError(.incompatible, "the stored intake of \(bookingID) cannot be read: \(error)")
        }
    }

    /// Why the couple of `booking` cannot be planned for now (a failed or missing safety screen, the affair
    /// questions), from the stored intake and the booking's ranking; nil when planning may go ahead. An intake
    /// that cannot be read counts as nobody screened.
    static func eligibilityProblem(_ ctx: ReadContext, booking: Booking) -> Ineligibility? {
        let intake = (try? intake(ctx, bookingID: booking.id)) ?? .empty
        return intake.ineligibility(for: booking.priorities.map(Priority.init))
    }

    /// The refusal that says plainly that a couple is not eligible for an intensive plan, and why.
    static func notEligible(_ booking: Booking, _ reason: Ineligibility) -> AppError {
        AppError(.invalid, "booking \(booking.id): the couple is NOT ELIGIBLE for an intensive plan. \(reason)")
    }

    static func auditFields(_ a: Adjustments) -> [String: String] {
        [
            "pins": a.pins.map { "\($0.moduleID)@\($0.dayIndex + 1)/\($0.start)" }.sorted().joined(separator: ","),
            "excluded": a.excluded.sorted().joined(separator: ","),
            "lengths": a.durationOverrides.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ","),
        ]
    }

    static func auditFields(_ intake: Intake) -> [String: String] {
        [
            "partnerA": intake.partnerA.result.rawValue, "partnerB": intake.partnerB.result.rawValue, "affairEnded": intake.affairEnded.rawValue,
            "hurtPartner": intake.hurtPartner?.rawValue ?? "",
        ]
    }

    /// The planner's refusals as the use cases report them: a bad value is exit 64, a broken clinical rule a
    /// conflict (exit 3), a couple the practice cannot plan for or a broken catalog exit 1.
    static func mapped(_ error: any Error) -> AppError {
        guard let e = error as? AgendaError else { return AppError.wrap(error) }
        switch e.category {
        case .usage: return AppError(.badInput, e.description)
        case .ruleConflict: return AppError(.conflict, e.description)
        case .ineligible, .catalog: return AppError(.invalid, e.description)
        }
    }

    static func encode(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// Marks a booking's stored agenda stale (no-op when there is none or it is already stale).
    static func markStale(_ ctx: WriteContext, bookingID: String, reason: String) throws {
        guard var stored = try ctx.tx.agenda(bookingID: bookingID), stored.staleReason == nil else { return }
        stored.staleReason = reason
        try ctx.tx.save(stored)
    }

    static func unknownModule(_ id: String, _ catalog: ModuleCatalog, option: String) -> AppError {
        AppError(.badInput, "\(option): unknown module \"\(id)\"; `retreat agenda modules` lists the \(catalog.ids.count) modules")
    }
}

/// Priority checks shared by booking and agenda use cases.
enum AgendaRules {
    /// The ranked priorities, each one known (or defined in the stored catalog) and given once.
    static func checkedPriorities(_ raw: [String], _ ctx: ReadContext, option: String) throws -> [String] {
        let catalog = try Agendas.catalog(ctx)
        let valid = Priority.known + (catalog?.customPriorities ?? [])
        var result: [String] = []
        for text in raw {
            let p = Priority(text)
            guard valid.contains(p) else {
                throw AppError(.badInput, "\(option): unknown priority \"\(text)\"; use one of \(valid.map(\.rawValue).joined(separator: ", "))")
            }
            guard !result.contains(p.rawValue) else { throw AppError(.badInput, "each \(option) may be given once; list them most important first") }
            result.append(p.rawValue)
        }
        return result
    }
}
