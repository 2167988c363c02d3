import Foundation
import RetreatAgenda
import RetreatConfig
import RetreatICal
import RetreatScheduling
import RetreatStore

/// What replacing the agenda module catalog did, or would do (`retreat settings modules FILE`).
public struct CatalogReplacement: Hashable, Sendable, Encodable {
    /// Modules in the new catalog.
    public var modules: Int
    /// Modules in the catalog it replaces (0 when the store had none).
    public var previousModules: Int
    /// False when the file is the stored catalog already (nothing was written).
    public var changed: Bool
    /// Bookings still to come whose agenda must be re-planned before export: planned from the old catalog (now
    /// stale), or already stale for another reason, which it keeps.
    public var staleAgendas: [String]
    /// True when nothing was written (`--dry-run`).
    public var dryRun: Bool
}

extension RetreatService {
    /// Replaces the stored agenda module catalog with the TOML file at `file`, checked as `init --modules` checks
    /// it. Every live intensive still to come must be plannable from the new catalog with its ranking and the
    /// counselor's edits (a couple not yet screened is checked when planned): otherwise it is a conflict naming
    /// the booking, and nothing changes. The current agendas of intensives still to come become stale ("the module
    /// catalog changed") and are re-planned before they are exported or sent; the couples' invitations follow. An
    /// intensive under way keeps its agenda. The same modules in another layout change nothing. Audited. With
    /// `dryRun`, nothing is written.
    public func replaceModuleCatalog(file: String, dryRun: Bool = false) throws(AppError) -> CatalogReplacement {
        try Input.path(file, option: "the catalog file")
        let name = URL(fileURLWithPath: file).lastPathComponent
        var info = stat()
        guard stat(file, &info) == 0 else { throw AppError(.notFound, "cannot read \(file): no such file") }
        guard info.st_mode & S_IFMT == S_IFREG else { throw AppError(.invalid, "\(file) is not a regular file; give the catalog's .toml file") }
        guard info.st_size <= 1_048_576 else { throw AppError(.invalid, "\(name) is larger than 1 MiB; a module catalog is a few KiB of TOML") }
        guard let data = FileManager.default.contents(atPath: file), let text = String(data: data, encoding: .utf8) else {
            throw AppError(.notFound, "cannot read \(file): not readable UTF-8 text")
        }
        let catalog: ModuleCatalog
        do { catalog = try ModuleCatalog(toml: text) } catch { throw AppError(.invalid, "\(name): \(error)") }
        return try write { ctx in
            let previous = try Agendas.catalog(ctx.base)
            var result = CatalogReplacement(
                modules: catalog.ids.count, previousModules: previous?.ids.count ?? 0, changed: false, staleAgendas: [], dryRun: dryRun)
            // The same modules with other comments or layout change no plan: nothing to re-plan, nothing to send.
            if let previous, previous == catalog { return result }
            result.changed = true
            // Intensives under way keep the agenda they are being held with; those still to come are planned again.
            let upcoming = try ctx.base.liveBookings().filter { $0.start > ctx.today }
            let template = try Agendas.template(ctx.base)
            var problems: [String] = []
            var stale: [String] = []
            for booking in upcoming {
                let stored = try ctx.tx.agenda(bookingID: booking.id)
                if stored != nil { stale.append(booking.id) }
                let unknown = booking.priorities.filter { !catalog.knownPriorities.contains(Priority($0)) }
                if !unknown.isEmpty {
                    problems.append("\(booking.id) ranks \(unknown.map { "\"\($0)\"" }.joined(separator: ", ")), which it does not define")
                    continue
                }
                // A couple who cannot be planned for now is planned when screened; nothing to check yet.
                let intake = try Agendas.intake(ctx.base, bookingID: booking.id)
                guard !booking.priorities.isEmpty, intake.ineligibility(for: booking.priorities.map(Priority.init)) == nil else { continue }
                let adjustments = stored.flatMap { try? JSONDecoder().decode(Adjustments.self, from: Data($0.adjustmentsJSON.utf8)) } ?? Adjustments()
                let named = Set(adjustments.pins.map(\.moduleID)).union(adjustments.excluded).union(adjustments.durationOverrides.keys)
                let gone = named.filter { catalog.module($0) == nil }.sorted()
                if !gone.isEmpty {
                    problems.append("\(booking.id) adjusts \(gone.map { "\"\($0)\"" }.joined(separator: ", ")), which it lacks")
                    continue
                }
                // Every couple still to come must be plannable from the new catalog, with the counselor's edits.
                let request = PlanRequest(
                    priorities: booking.priorities.map(Priority.init), intake: intake, days: booking.intensiveDays, template: template,
                    catalog: catalog, adjustments: adjustments)
                do { _ = try AgendaPlanner().plan(request) } catch {
                    problems.append("\(booking.id) could not be planned from it (\(Agendas.mapped(error).message))")
                }
            }
            if !problems.isEmpty {
                throw AppError(
                    .conflict,
                    "\(name) does not fit the intensives still to come: \(problems.joined(separator: "; ")); keep what they use in the catalog, or change those bookings' priorities or adjustments first"
                )
            }
            result.staleAgendas = stale
            if dryRun { return result }
            try ctx.tx.saveDocument(.agendaCatalog, text)
            for id in stale {
                try Agendas.markStale(ctx, bookingID: id, reason: "the module catalog changed")
                if let booking = upcoming.first(where: { $0.id == id }) { try CoupleInvitations.sync(ctx, booking: booking) }
            }
            try ctx.audit(
                "catalog-replace", "catalog", "agenda-modules",
                before: ["modules": String(result.previousModules)],
                after: ["modules": String(result.modules), "file": name, "digest": ICalDigest.hex128(text), "staleAgendas": stale.joined(separator: ",")])
            return result
        }
    }
}
