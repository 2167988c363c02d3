import Foundation
import GRDB
import RetreatScheduling
import Testing

@testable import RetreatStore

/// Feeds, API tokens and request notes as plain records: stored, found by digest, rewritten, unique.
@Suite struct AccessRecordTests {
    let digestA = String(repeating: "a", count: 64)
    let digestB = String(repeating: "b", count: 64)

    @Test func feedsAreFoundByDigestAndRewritten() throws {
        let (store, dir) = try freshStore()
        defer { try? FileManager.default.removeItem(at: dir) }
        try store.write { tx in
            try tx.insert(FeedRecord(id: "F0001", kind: .staff, subject: nil, tokenHash: digestA, createdAt: now))
            try tx.insert(FeedRecord(id: "F0002", kind: .counselor, subject: "practice", tokenHash: digestB, createdAt: now))
        }
        let found = try store.read { try $0.feed(tokenHash: digestB) }
        #expect(found?.id == "F0002" && found?.subject == "practice" && found?.kind == .counselor)
        #expect(try store.read { try $0.feed(tokenHash: String(repeating: "c", count: 64)) } == nil)
        var revoked = try #require(found)
        revoked.revokedAt = now
        try store.write { tx in try tx.update(revoked) }
        #expect(try store.read { try $0.feeds() }.map(\.revokedAt) == [nil, now])
        #expect(throws: StoreError.self) {
            try store.write { tx in try tx.update(FeedRecord(id: "F0009", kind: .staff, subject: nil, tokenHash: digestA, createdAt: now)) }
        }
    }

    @Test func digestsAndIdsAreUniqueAndTheSchemaRefusesNonsense() throws {
        let (store, dir) = try freshStore()
        defer { try? FileManager.default.removeItem(at: dir) }
        try store.write { tx in try tx.insert(APITokenRecord(id: "T0001", role: .staff, label: "script", tokenHash: digestA, createdAt: now)) }
        #expect(throws: StoreError.self) {
            try store.write { tx in try tx.insert(APITokenRecord(id: "T0002", role: .readOnly, label: nil, tokenHash: digestA, createdAt: now)) }
        }
        #expect(throws: StoreError.self) {
            try store.write { tx in try tx.insert(FeedRecord(id: "F0001", kind: .couple, subject: nil, tokenHash: digestB, createdAt: now)) }
        }
        #expect(throws: StoreError.self) {
            try store.write { tx in try tx.insert(FeedRecord(id: "F0001", kind: .staff, subject: nil, tokenHash: "short", createdAt: now)) }
        }
        let token = try store.read { try $0.apiToken(tokenHash: digestA) }
        #expect(token?.role == .staff && token?.label == "script")
    }

    @Test func notesAndTheLatestAuditEntry() throws {
        let (store, dir) = try freshStore()
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(try store.read { try $0.latestAuditEntry() } == nil)
        try store.write { tx in
            try tx.insert(booking("B0001", start: "2027-01-11"), requestFingerprint: nil)
            try tx.save(BookingNote(bookingID: "B0001", note: "mornings, please", source: "web", createdAt: now))
            try tx.append(AuditEntry(at: now, actor: "t", action: "book", entity: "booking", entityID: "B0001"))
            try tx.append(AuditEntry(at: now.addingTimeInterval(-60), actor: "t", action: "pay", entity: "booking", entityID: "B0001"))
        }
        #expect(try store.read { try $0.bookingNote(bookingID: "B0001") }?.note == "mornings, please")
        let latest = try store.read { try $0.latestAuditEntry() }
        #expect(latest?.action == "pay", "the latest entry is the last appended, whatever its clock says")
    }

    @Test func exportsNeverCarryDigests() throws {
        let record = FeedRecord(id: "F0001", kind: .staff, subject: nil, tokenHash: digestA, createdAt: now)
        let json = String(decoding: try JSONEncoder().encode(record), as: UTF8.self)
        #expect(!json.contains(digestA) && json.contains("F0001"))
    }
}
