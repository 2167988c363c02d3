import Foundation
import RetreatAgenda
import RetreatConfig
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
    /// Bookings whose current agenda was planned from the old catalog and is now stale (re-plan before export).
    public var staleAgendas: [String]
    /// True when nothing was written (`--dry-run`).
    public var dryRun: Bool
}

extension RetreatService {
    /// Replaces the stored agenda module catalog with the TOML file at `file`, checked as `init --modules` checks
    /// it. A live booking that ranks a priority the new catalog does not define, or whose agenda adjustments name
    /// a module it lacks, is a conflict (nothing changes): the counselor changes that booking first. Every current
    /// agenda of a booking not yet over becomes stale ("the module catalog changed") and must be re-planned before
    /// it is exported or sent; the couples' invitations follow. Audited. With `dryRun`, nothing is written.
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
            if try ctx.tx.document(.agendaCatalog) == text { return result }
            result.changed = true
            let upcoming = try ctx.base.liveBookings().filter { $0.end >= ctx.today }
            var missing: [String] = []
            var stale: [String] = []
            for booking in upcoming {
                let unknown = booking.priorities.filter { !catalog.knownPriorities.contains(Priority($0)) }
                if !unknown.isEmpty { missing.append("\(booking.id) ranks \(unknown.map { "\"\($0)\"" }.joined(separator: ", "))") }
                guard let stored = try ctx.tx.agenda(bookingID: booking.id) else { continue }
                if let adjustments = try? JSONDecoder().decode(Adjustments.self, from: Data(stored.adjustmentsJSON.utf8)) {
                    let named = Set(adjustments.pins.map(\.moduleID)).union(adjustments.excluded).union(adjustments.durationOverrides.keys)
                    let gone = named.filter { catalog.module($0) == nil }.sorted()
                    if !gone.isEmpty { missing.append("\(booking.id) adjusts \(gone.map { "\"\($0)\"" }.joined(separator: ", "))") }
                }
                if stored.staleReason == nil { stale.append(booking.id) }
            }
            if !missing.isEmpty {
                throw AppError(
                    .conflict,
                    "\(name) lacks what live bookings use: \(missing.joined(separator: "; ")); change their priorities (`retreat agenda ID --priority …`) or adjustments (`--reset-adjustments`) first, or keep those in the catalog"
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
                after: ["modules": String(result.modules), "staleAgendas": stale.joined(separator: ",")])
            return result
        }
    }
}
