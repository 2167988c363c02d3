import Foundation
import GRDB
import RetreatScheduling
import Testing

@testable import RetreatStore

/// A fresh store in a temporary folder with default settings.
func freshStore() throws -> (SQLiteStore, URL) {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("retreat-store-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let store = try SQLiteStore(path: dir.appendingPathComponent("r.sqlite").path, create: true)
    try store.write { tx in try tx.saveSettings(PracticeSettings(timeZoneIdentifier: "America/New_York")) }
    return (store, dir)
}

let now = ISO8601DateFormatter().date(from: "2026-12-01T15:00:00Z") ?? Date()

func d(_ s: String) -> CalendarDay {
    guard let day = CalendarDay(iso: s) else { fatalError("bad test date \(s)") }
    return day
}

func booking(_ id: String, start: String, resource: String = "practice", status: BookingStatus = .confirmed) -> Booking {
    Booking(
        id: id, couple: "Couple \(id)", resource: resource, start: d(start), intensiveDays: 3, turnoverDays: 1, status: status, priceCents: 1000,
        deposit: Deposit(amountCents: 250, due: d("2026-12-05")), createdAt: now)
}

@Suite struct StoreTests {
    @Test func fileIsCreatedMode0600AndReopens() throws {
        let (store, dir) = try freshStore()
        defer { try? FileManager.default.removeItem(at: dir) }
        let attrs = try FileManager.default.attributesOfItem(atPath: store.path)
        #expect((attrs[.posixPermissions] as? Int) == 0o600)
        try store.write { tx in try tx.insert(booking("B0001", start: "2027-01-11"), requestFingerprint: nil) }
        let again = try SQLiteStore(path: store.path)
        #expect(try again.read { try $0.bookings(BookingQuery()) }.count == 1)
    }

    @Test func missingStoreAndForeignFileAreRefused() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("retreat-x-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(throws: StoreError.self) { try SQLiteStore(path: dir.appendingPathComponent("none.sqlite").path) }
        let junk = dir.appendingPathComponent("junk.sqlite")
        try Data("not a database at all, just some words".utf8).write(to: junk)
        do {
            _ = try SQLiteStore(path: junk.path)
            Issue.record("a text file was accepted as a store")
        } catch {
            #expect(error.code == .incompatible)
        }
    }

    @Test func occupancyRowsFollowTheStoredSpanAndTheKeyRefusesASecondOccupant() throws {
        let (store, dir) = try freshStore()
        defer { try? FileManager.default.removeItem(at: dir) }
        var b = booking("B0001", start: "2027-01-11")
        try store.write { tx in try tx.insert(b, requestFingerprint: nil) }
        let rows = try store.queue.read { db in try String.fetchAll(db, sql: "SELECT day || ':' || kind FROM occupied_days ORDER BY day") }
        #expect(rows == ["2027-01-11:intensive", "2027-01-12:intensive", "2027-01-13:intensive", "2027-01-14:turnover"])
        // A second booking over a taken day is refused by the schema, naming the day.
        do {
            try store.write { tx in try tx.insert(booking("B0002", start: "2027-01-14"), requestFingerprint: nil) }
            Issue.record("a turnover day was double booked")
        } catch let error as StoreError {
            #expect(error.code == .conflict)
            #expect(error.message.contains("2027-01-14"))
        }
        // The UNIQUE key itself refuses a second occupant, whatever the code above it does.
        #expect(throws: (any Error).self) {
            try store.queue.write { db in
                try db.execute(sql: "INSERT INTO occupied_days (resource, day, booking_id, kind) VALUES ('practice', '2027-01-12', 'B0001', 'intensive')")
            }
        }
        // Cancelling releases the rows; the store's invariants hold throughout.
        b.status = .cancelled
        try store.write { tx in try tx.update(b) }
        #expect(try store.queue.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM occupied_days") } == 0)
        #expect(try store.invariantViolations().isEmpty)
    }

    @Test func aFailedTransactionChangesNothing() throws {
        let (store, dir) = try freshStore()
        defer { try? FileManager.default.removeItem(at: dir) }
        struct Boom: Error {}
        #expect(throws: Boom.self) {
            try store.write { tx in
                try tx.insert(booking("B0001", start: "2027-01-11"), requestFingerprint: nil)
                throw Boom()
            }
        }
        #expect(try store.read { try $0.bookings(BookingQuery()) }.isEmpty)
    }

    @Test func everyTableIsCopiedByStoreRecords() throws {
        // A new table must be a new field of StoreRecords (read by records(), written by the loaders), or
        // `retreat migrate` and PostgreSQL backups would silently leave it behind. Derived tables are exempt.
        let tables = try SQLiteSchema.tableNames().subtracting(["grdb_migrations", "occupied_days"])
        #expect(tables == StoreRecords.tables, "tables not copied: \(tables.subtracting(StoreRecords.tables).sorted())")
    }
}

@Suite struct BlackoutIDTests {
    /// A blackout's id names it in calendars (UID blackout-N@retreat): a removed blackout's id is never given to a
    /// new one, and a re-import that adds nothing uses no id.
    @Test func blackoutIdsAreNeverReused() throws {
        let (store, dir) = try freshStore()
        defer { try? FileManager.default.removeItem(at: dir) }
        let first = try store.write { tx in try tx.insert(Blackout(from: d("2027-03-01"), to: d("2027-03-02"))) }
        let second = try store.write { tx in try tx.insert(Blackout(from: d("2027-03-05"), to: d("2027-03-05"))) }
        #expect(try store.write { tx in try tx.deleteBlackout(id: second.id ?? 0) })
        let key = ImportKey(resource: nil, source: "ics:test")
        let item = ImportedBlackout(uid: "u1", recurrenceID: "", from: d("2027-04-01"), to: d("2027-04-01"))
        for _ in 0..<3 { _ = try store.write { tx in try tx.importBlackouts([item], key: key, reason: "busy", replacingWithin: nil) } }
        let third = try store.write { tx in try tx.insert(Blackout(from: d("2027-03-09"), to: d("2027-03-09"))) }
        #expect(first.id == 1 && second.id == 2)
        // 3 went to the import; 2 was removed and stays unused.
        #expect(third.id == 4)
    }
}

@Suite struct BulkImportTests {
    /// A large import raises the connection's page cache for its transaction only, and stores every row with its
    /// text, dates and times as given (bound straight through SQLite's C API).
    @Test func aLargeImportStoresEveryRowAndPutsTheCacheBack() throws {
        let (store, dir) = try freshStore()
        defer { try? FileManager.default.removeItem(at: dir) }
        var items: [ImportedBlackout] = []
        for i in 0..<20_000 {
            var item = ImportedBlackout(
                uid: "événement-\(i % 7_000)@example.org", recurrenceID: "r\(i / 7_000)", from: d("2027-01-01").adding(days: i % 900),
                to: d("2027-01-01").adding(days: i % 900 + i % 3))
            if i.isMultiple(of: 2) {
                item.startsAt = Date(timeIntervalSince1970: 1_800_000_000 + Double(i) * 60.5)
                item.endsAt = item.startsAt?.addingTimeInterval(3_600)
            }
            items.append(item)
        }
        let key = ImportKey(resource: "practice", source: "/srv/calendars/ünïcode.ics")
        let counts = try store.write { tx in try tx.importBlackouts(items, key: key, reason: "busy in ünïcode.ics", replacingWithin: nil) }
        #expect(counts == ImportCounts(added: 20_000, unchanged: 0, removed: 0))
        let stored = try store.read { try $0.blackouts() }
        #expect(stored.count == 20_000)
        #expect(Set(stored.map(\.source)) == [key.source] && Set(stored.map(\.reason)) == ["busy in ünïcode.ics"])
        #expect(Set(stored.map(\.resource)) == ["practice"])
        let expected = Set(items.map { "\($0.from) \($0.to) \($0.startsAt?.timeIntervalSince1970 ?? -1) \($0.endsAt?.timeIntervalSince1970 ?? -1)" })
        #expect(Set(stored.map { "\($0.from) \($0.to) \($0.startsAt?.timeIntervalSince1970 ?? -1) \($0.endsAt?.timeIntervalSince1970 ?? -1)" }) == expected)
        // Importing the same again looks each occurrence up (the key has rows now) and adds nothing.
        let again = try store.write { tx in try tx.importBlackouts(items + [items[0]], key: key, reason: "busy in ünïcode.ics", replacingWithin: nil) }
        #expect(again == ImportCounts(added: 0, unchanged: 20_001, removed: 0))
        #expect(try store.read { try $0.blackouts() }.count == 20_000)
        // The page cache is the connection's default again once the import is over.
        #expect(try store.queue.read { db in try Int.fetchOne(db, sql: "PRAGMA cache_size") } == -2000)
    }
}

@Suite struct CopyableTextTests {
    /// Records copied to another store (migrate, a PostgreSQL restore) are refused when a text holds a NUL byte
    /// or bytes that are not UTF-8: PostgreSQL would cut or alter it while the copy still compared equal.
    @Test(arguments: [("'Jo' || char(0) || 'Max'", "NUL byte"), ("CAST(x'4a6fff4d6178' AS TEXT)", "not UTF-8")])
    func textThatCannotBeCopiedExactlyIsNamed(_ value: String, _ problem: String) throws {
        let (store, dir) = try freshStore()
        defer { try? FileManager.default.removeItem(at: dir) }
        try store.write { tx in try tx.insert(booking("B0001", start: "2027-01-11"), requestFingerprint: nil) }
        try store.queue.write { db in try db.execute(sql: "UPDATE bookings SET couple = \(value) WHERE id = 'B0001'") }
        do {
            _ = try store.read { try $0.records() }
            Issue.record("a couple with \(problem) was read for copying")
        } catch let error as StoreError {
            #expect(error.code == .incompatible)
            #expect(
                error.message.contains("bookings record 'B0001'") && error.message.contains(problem) && error.message.contains("couple"), "\(error.message)")
            #expect(!error.message.contains("Jo"))
        }
    }
}

@Suite struct TemporaryCopyTests {
    /// The id of a process that has ended.
    func deadPID() throws -> Int32 {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/true")
        try p.run()
        p.waitUntilExit()
        return p.processIdentifier
    }

    @Test func aBackupWrittenFromRecordsRemovesWhatAKilledOneLeft() throws {
        let (store, dir) = try freshStore()
        defer { try? FileManager.default.removeItem(at: dir) }
        let pid = try deadPID()
        let left = ["", "-wal", "-shm"].map { dir.appendingPathComponent(".b.sqlite.\(pid).42.tmp\($0)").path }
        for path in left { FileManager.default.createFile(atPath: path, contents: Data("x".utf8)) }
        let records = try store.read { try $0.records() }
        try SQLiteStore.writeBackup(records, to: dir.appendingPathComponent("b.sqlite").path)
        for path in left { #expect(!FileManager.default.fileExists(atPath: path), "\(path)") }
    }

    @Test func aRestoreCopyLivesInAPrivateFolderAndAbandonedOnesAreRemoved() throws {
        let (store, dir) = try freshStore()
        defer { try? FileManager.default.removeItem(at: dir) }
        let backup = dir.appendingPathComponent("b.sqlite").path
        try store.backup(to: backup)
        let folder = try SQLiteStore.privateTemporaryFolder()
        var info = stat()
        #expect(lstat(folder, &info) == 0 && info.st_mode & 0o777 == 0o700)
        let abandoned = (folder as NSString).appendingPathComponent(".retreat-restore.\(try deadPID()).7.tmp")
        FileManager.default.createFile(atPath: abandoned, contents: Data("practice".utf8))
        _ = try SQLiteStore.records(ofBackup: backup, check: { _ in })
        #expect(!FileManager.default.fileExists(atPath: abandoned))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasPrefix(".retreat-restore.\(getpid()).") }.isEmpty)
    }

    /// A FIFO (or a device) as the backup is refused at once instead of blocking.
    @Test func aBackupThatIsNotARegularFileIsRefused() throws {
        let (store, dir) = try freshStore()
        defer { try? FileManager.default.removeItem(at: dir) }
        let fifo = dir.appendingPathComponent("pipe").path
        #expect(mkfifo(fifo, 0o600) == 0)
        for attempt in [
            { _ = try SQLiteStore.records(ofBackup: fifo, check: { _ in }) },
            {
                try store.restore(from: fifo, audit: AuditEntry(at: now, actor: "t", action: "restore", entity: "store", entityID: "x"), check: { _ in })
            },
        ] {
            do {
                try attempt()
                Issue.record("a FIFO was read as a backup")
            } catch let error as StoreError {
                #expect(error.code == .invalid)
                #expect(error.message.contains("not a regular file"), "\(error.message)")
            }
        }
    }
}
