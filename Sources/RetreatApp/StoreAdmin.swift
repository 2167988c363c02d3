import Foundation
import RetreatScheduling
import RetreatStore

/// Everything in the store, for audits and moves (`retreat export-data --json`).
public struct StoreExport: Codable, Sendable {
    /// A booking's intake and agenda records, as stored.
    public struct AgendaRecord: Codable, Sendable {
        /// The booking.
        public var bookingID: String
        /// The intake answers (JSON the agenda module owns), if recorded.
        public var intake: String?
        /// The agenda (JSON), if planned.
        public var agenda: String?
        /// The staff adjustments it was planned with (JSON).
        public var adjustments: String?
        /// When it was planned.
        public var plannedAt: Date?
        /// Why it is stale, if it is.
        public var staleReason: String?
    }

    /// The schema the store was at.
    public var schemaVersion: Int
    /// When exported.
    public var exportedAt: Date
    /// Settings.
    public var settings: PracticeSettings
    /// Calendar profile.
    public var profile: PracticeProfile
    /// Counselors' stored profiles.
    public var counselors: [CounselorProfile]
    /// Every booking with its payments.
    public var bookings: [Booking]
    /// Every blackout.
    public var blackouts: [Blackout]
    /// Every waitlist entry.
    public var waitlist: [WaitlistEntry]
    /// Every counseling series.
    public var series: [StoredSeries]
    /// Intakes and agendas by booking.
    public var agendas: [AgendaRecord]
    /// The module catalog and day template documents.
    public var documents: [String: String]
    /// The audit log.
    public var audit: [AuditEntry]
    /// Subscription feeds (no token digests).
    public var feeds: [FeedRecord]?
    /// Staff API tokens (no token digests).
    public var apiTokens: [APITokenRecord]?
    /// Notes couples wrote with their requests.
    public var notes: [BookingNote]?
}

extension RetreatService {
    /// Copies the store to `path` (which must not exist), complete or not at all.
    public func backup(to path: String) throws(AppError) {
        do { try store.backup(to: path) } catch { throw AppError.wrap(error) }
    }

    /// Replaces the store's contents with a checked backup; on any failed check nothing changes.
    public func restore(from path: String) throws(AppError) {
        let entry = AuditEntry(at: clock(), actor: actor, action: "restore", entity: "store", entityID: (path as NSString).lastPathComponent)
        do { try store.restore(from: path, audit: entry) } catch { throw AppError.wrap(error) }
    }

    /// Every record, for audits.
    public func exportAll() throws(AppError) -> StoreExport {
        try read { ctx in
            let bookings = try ctx.reader.bookings(BookingQuery())
            var documents: [String: String] = [:]
            for key in DocumentKey.allCases { documents[key.rawValue] = try ctx.reader.document(key) }
            let agendas = try bookings.compactMap { b -> StoreExport.AgendaRecord? in
                let intake = try ctx.reader.intakeJSON(bookingID: b.id)
                let agenda = try ctx.reader.agenda(bookingID: b.id)
                guard intake != nil || agenda != nil else { return nil }
                return StoreExport.AgendaRecord(
                    bookingID: b.id, intake: intake, agenda: agenda?.agendaJSON, adjustments: agenda?.adjustmentsJSON, plannedAt: agenda?.plannedAt,
                    staleReason: agenda?.staleReason)
            }
            return StoreExport(
                schemaVersion: SQLiteStore.schemaVersion, exportedAt: ctx.now, settings: ctx.settings, profile: try ctx.reader.profile(),
                counselors: try ctx.reader.counselorProfiles(), bookings: bookings, blackouts: try ctx.reader.blackouts(),
                waitlist: try ctx.reader.waitlist(), series: try ctx.reader.allSeries(), agendas: agendas, documents: documents,
                audit: try ctx.reader.auditLog(entityID: nil), feeds: try ctx.reader.feeds(), apiTokens: try ctx.reader.apiTokens(),
                notes: try bookings.compactMap { try ctx.reader.bookingNote(bookingID: $0.id) })
        }
    }

    /// The audit log, oldest first (only entries about `entityID` when given).
    public func auditLog(entityID: String? = nil) throws(AppError) -> [AuditEntry] {
        do {
            return try store.read { reader in try reader.auditLog(entityID: entityID) }
        } catch {
            throw AppError.wrap(error)
        }
    }

    /// Every broken invariant of the store (empty when sound).
    public func invariantViolations() throws(AppError) -> [String] {
        do { return try store.invariantViolations() } catch { throw AppError.wrap(error) }
    }
}
