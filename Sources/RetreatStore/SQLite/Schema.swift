internal import GRDB

/// The SQLite schema: named, append-only migrations. A migration is never edited once released; a change is a
/// new migration.
enum SQLiteSchema {
    /// Schema version this build writes (`PRAGMA user_version`); a store of a newer version is refused.
    static let version = 10
    /// `PRAGMA application_id` of a Retreat store ("RTRT").
    static let applicationID: Int32 = 0x5254_5254

    /// Names of every migration, in order: a restored backup must have applied a prefix of them.
    static var migrationNames: [String] { migrator.migrations }

    /// The tables a store of this build has (found by migrating an in-memory database once).
    static func tableNames() throws -> Set<String> {
        let reference = try DatabaseQueue()
        try migrator.migrate(reference)
        return Set(
            try reference.read { db in try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'") })
    }

    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE settings (
                        id INTEGER PRIMARY KEY CHECK (id = 1),
                        json TEXT NOT NULL
                    );
                    -- Practice profile for calendars: name, organizer e-mail and name, location.
                    CREATE TABLE profile (
                        key TEXT PRIMARY KEY,
                        value TEXT NOT NULL
                    );
                    CREATE TABLE bookings (
                        id TEXT PRIMARY KEY,
                        seq INTEGER NOT NULL UNIQUE,
                        couple TEXT NOT NULL CHECK (couple <> ''),
                        contact TEXT,
                        resource TEXT NOT NULL,
                        start TEXT NOT NULL,
                        end TEXT NOT NULL CHECK (end >= start),
                        status TEXT NOT NULL CHECK (status IN ('held','confirmed','completed','cancelled','expired')),
                        sequence INTEGER NOT NULL DEFAULT 0,
                        priorities TEXT NOT NULL DEFAULT '[]',
                        price_cents INTEGER NOT NULL CHECK (price_cents >= 0),
                        deposit_cents INTEGER NOT NULL CHECK (deposit_cents >= 0),
                        deposit_due TEXT NOT NULL,
                        created_at REAL NOT NULL,
                        hold_expires_at REAL,
                        refund_cents INTEGER,
                        refund_percent INTEGER,
                        cancelled_on TEXT,
                        request_id TEXT UNIQUE
                    );
                    CREATE INDEX bookings_start ON bookings(start);
                    CREATE INDEX bookings_status ON bookings(status);
                    -- One row per occupied resource-day of every live booking, turnover included.
                    -- The primary key is what makes a double booking impossible.
                    CREATE TABLE occupied_days (
                        resource TEXT NOT NULL,
                        day TEXT NOT NULL,
                        booking_id TEXT NOT NULL REFERENCES bookings(id) ON DELETE CASCADE,
                        kind TEXT NOT NULL CHECK (kind IN ('intensive','turnover')),
                        PRIMARY KEY (resource, day)
                    ) WITHOUT ROWID;
                    CREATE INDEX occupied_days_booking ON occupied_days(booking_id);
                    CREATE TABLE payments (
                        id INTEGER PRIMARY KEY,
                        booking_id TEXT NOT NULL REFERENCES bookings(id) ON DELETE CASCADE,
                        amount_cents INTEGER NOT NULL,
                        day TEXT NOT NULL,
                        note TEXT
                    );
                    CREATE INDEX payments_booking ON payments(booking_id);
                    CREATE TABLE blackouts (
                        id INTEGER PRIMARY KEY,
                        from_day TEXT NOT NULL,
                        to_day TEXT NOT NULL CHECK (to_day >= from_day),
                        resource TEXT,
                        reason TEXT,
                        source TEXT NOT NULL DEFAULT 'manual',
                        uid TEXT,
                        recurrence_id TEXT
                    );
                    CREATE INDEX blackouts_range ON blackouts(from_day, to_day);
                    CREATE TABLE waitlist (
                        id INTEGER PRIMARY KEY,
                        couple TEXT NOT NULL CHECK (couple <> ''),
                        contact TEXT,
                        from_day TEXT NOT NULL,
                        to_day TEXT NOT NULL CHECK (to_day >= from_day),
                        resource TEXT,
                        created_at REAL NOT NULL,
                        status TEXT NOT NULL DEFAULT 'waiting' CHECK (status IN ('waiting','booked','removed'))
                    );
                    CREATE TABLE audit_log (
                        id INTEGER PRIMARY KEY,
                        at REAL NOT NULL,
                        actor TEXT NOT NULL,
                        action TEXT NOT NULL,
                        entity TEXT NOT NULL,
                        entity_id TEXT NOT NULL,
                        detail TEXT NOT NULL DEFAULT '{}'
                    );
                    """)
        }
        m.registerMigration("v2-import-keys") { db in
            // An imported occurrence is stored once per source: re-importing the same file changes nothing.
            try db.execute(sql: "CREATE UNIQUE INDEX blackouts_import_key ON blackouts(source, uid, recurrence_id) WHERE uid IS NOT NULL")
        }
        m.registerMigration("v3-series") { db in
            try db.execute(
                sql: """
                    CREATE TABLE series (
                        id TEXT PRIMARY KEY,
                        seq INTEGER NOT NULL UNIQUE,
                        couple TEXT NOT NULL CHECK (couple <> ''),
                        counselor TEXT NOT NULL,
                        contact TEXT,
                        json TEXT NOT NULL,
                        active INTEGER NOT NULL DEFAULT 1,
                        created_at REAL NOT NULL
                    );
                    CREATE INDEX series_counselor ON series(counselor);
                    """)
        }
        m.registerMigration("v4-agendas") { db in
            try db.execute(
                sql: """
                    CREATE TABLE intakes (
                        booking_id TEXT PRIMARY KEY REFERENCES bookings(id) ON DELETE CASCADE,
                        affair_ended INTEGER,
                        safety_passed INTEGER NOT NULL
                    );
                    CREATE TABLE agendas (
                        booking_id TEXT PRIMARY KEY REFERENCES bookings(id) ON DELETE CASCADE,
                        json TEXT NOT NULL,
                        adjustments TEXT NOT NULL DEFAULT '{}',
                        planned_at REAL NOT NULL
                    );
                    """)
        }
        m.registerMigration("v5-stored-spans") { db in
            // Each booking keeps the span it was booked with: the occupancy rows are derived from it, never from
            // today's settings. Spans of existing bookings are read back from what they occupy.
            try db.execute(
                sql: """
                    ALTER TABLE bookings ADD COLUMN intensive_days INTEGER NOT NULL DEFAULT 1 CHECK (intensive_days BETWEEN 1 AND 14);
                    ALTER TABLE bookings ADD COLUMN turnover_days INTEGER NOT NULL DEFAULT 0 CHECK (turnover_days BETWEEN 0 AND 30);
                    ALTER TABLE bookings ADD COLUMN cancellation_reason TEXT;
                    ALTER TABLE bookings ADD COLUMN request_fingerprint TEXT;
                    UPDATE bookings SET intensive_days = CAST(julianday(end) - julianday(start) AS INTEGER) + 1;
                    UPDATE bookings SET turnover_days = coalesce(
                        (SELECT count(*) FROM occupied_days o WHERE o.booking_id = bookings.id AND o.kind = 'turnover'), 0)
                        WHERE status IN ('held','confirmed');
                    UPDATE bookings SET turnover_days = coalesce((SELECT json_extract(json, '$.turnoverDays') FROM settings WHERE id = 1), 0)
                        WHERE status NOT IN ('held','confirmed');
                    ALTER TABLE payments ADD COLUMN voided INTEGER NOT NULL DEFAULT 0;
                    CREATE TABLE intakes_v5 (
                        booking_id TEXT PRIMARY KEY REFERENCES bookings(id) ON DELETE CASCADE,
                        json TEXT NOT NULL
                    );
                    INSERT INTO intakes_v5 (booking_id, json)
                        SELECT booking_id, json_object(
                            'affairEnded', CASE affair_ended WHEN 1 THEN json('true') WHEN 0 THEN json('false') ELSE NULL END,
                            'safetyScreenPassed', CASE safety_passed WHEN 0 THEN json('false') ELSE json('true') END)
                        FROM intakes;
                    DROP TABLE intakes;
                    ALTER TABLE intakes_v5 RENAME TO intakes;
                    ALTER TABLE agendas ADD COLUMN stale_reason TEXT;
                    ALTER TABLE waitlist ADD COLUMN booking_id TEXT REFERENCES bookings(id);
                    -- Imports are keyed by resource + source + UID + RECURRENCE-ID: two counselors' calendars
                    -- sharing a meeting UID do not collide.
                    DROP INDEX blackouts_import_key;
                    CREATE UNIQUE INDEX blackouts_import_key ON blackouts(coalesce(resource, ''), source, uid, recurrence_id)
                        WHERE uid IS NOT NULL;
                    """)
        }
        m.registerMigration("v6-timed-blackouts") { db in
            // Imported busy time keeps the interval it is; whole-day blackouts leave both NULL.
            try db.execute(
                sql: """
                    ALTER TABLE blackouts ADD COLUMN starts_at REAL;
                    ALTER TABLE blackouts ADD COLUMN ends_at REAL CHECK ((starts_at IS NULL) = (ends_at IS NULL) AND (ends_at IS NULL OR ends_at >= starts_at));
                    """)
        }
        m.registerMigration("v7-notify") { db in
            // Every event sent to a couple (as last sent) and the outbox of e-mail to send, both written in the
            // transaction of the change that causes them.
            try db.execute(
                sql: """
                    CREATE TABLE sent_events (
                        uid TEXT PRIMARY KEY,
                        owner_kind TEXT NOT NULL CHECK (owner_kind IN ('booking','series')),
                        owner_id TEXT NOT NULL,
                        sequence INTEGER NOT NULL CHECK (sequence >= 0),
                        content_hash TEXT NOT NULL,
                        cancelled INTEGER NOT NULL DEFAULT 0,
                        recipients TEXT NOT NULL,
                        updated_at REAL NOT NULL
                    );
                    CREATE INDEX sent_events_owner ON sent_events(owner_kind, owner_id);
                    CREATE TABLE outbox (
                        id INTEGER PRIMARY KEY,
                        created_at REAL NOT NULL,
                        kind TEXT NOT NULL CHECK (kind IN ('invitation','reminder')),
                        owner_kind TEXT NOT NULL CHECK (owner_kind IN ('booking','series')),
                        owner_id TEXT NOT NULL,
                        uid TEXT,
                        method TEXT CHECK (method IS NULL OR method IN ('REQUEST','CANCEL')),
                        sequence INTEGER,
                        recipients TEXT NOT NULL CHECK (recipients <> ''),
                        subject TEXT NOT NULL,
                        body TEXT NOT NULL,
                        calendar TEXT,
                        dedupe_key TEXT UNIQUE,
                        occurs_at REAL,
                        seed TEXT NOT NULL UNIQUE,
                        status TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued','sending','sent','held','dropped')),
                        attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
                        next_attempt_at REAL NOT NULL,
                        claimed_at REAL,
                        claim_token TEXT,
                        message_id TEXT,
                        rendered TEXT,
                        sent_at REAL,
                        last_error TEXT,
                        CHECK ((kind = 'invitation') = (method IS NOT NULL AND calendar IS NOT NULL AND uid IS NOT NULL)),
                        CHECK (status <> 'sent' OR (sent_at IS NOT NULL AND message_id IS NOT NULL)),
                        CHECK (status <> 'sending' OR claimed_at IS NOT NULL)
                    );
                    CREATE INDEX outbox_status ON outbox(status, next_attempt_at);
                    CREATE INDEX outbox_uid ON outbox(uid);
                    """)
        }
        m.registerMigration("v8-feeds-tokens-notes") { db in
            // Feed and API tokens are capabilities: only their SHA-256 digests are stored, each unique.
            try db.execute(
                sql: """
                    CREATE TABLE feeds (
                        id TEXT PRIMARY KEY,
                        kind TEXT NOT NULL CHECK (kind IN ('staff','freebusy','counselor','couple')),
                        subject TEXT,
                        token_hash TEXT NOT NULL UNIQUE CHECK (length(token_hash) = 64),
                        created_at REAL NOT NULL,
                        rotated_at REAL,
                        revoked_at REAL,
                        CHECK ((kind IN ('counselor','couple')) = (subject IS NOT NULL))
                    );
                    CREATE TABLE api_tokens (
                        id TEXT PRIMARY KEY,
                        role TEXT NOT NULL CHECK (role IN ('staff','read-only')),
                        label TEXT,
                        token_hash TEXT NOT NULL UNIQUE CHECK (length(token_hash) = 64),
                        created_at REAL NOT NULL,
                        rotated_at REAL,
                        revoked_at REAL
                    );
                    -- What a couple wrote with a request for dates: staff only.
                    CREATE TABLE booking_notes (
                        booking_id TEXT PRIMARY KEY REFERENCES bookings(id) ON DELETE CASCADE,
                        note TEXT NOT NULL,
                        source TEXT NOT NULL,
                        created_at REAL NOT NULL
                    );
                    """)
        }
        m.registerMigration("v9-outbox-outcome") { db in
            // ends_at: for an invitation, when the last instance the couple's calendar may hold of its event ends
            // (nothing is sent after it). maybe_delivered: an attempt ended with its outcome unknown (the mail
            // command was killed or timed out after reading the message), so the message may have reached them.
            try db.execute(
                sql: """
                    ALTER TABLE outbox ADD COLUMN ends_at REAL;
                    ALTER TABLE outbox ADD COLUMN maybe_delivered INTEGER NOT NULL DEFAULT 0 CHECK (maybe_delivered IN (0, 1));
                    UPDATE outbox SET maybe_delivered = 1
                        WHERE attempts > 0 AND status IN ('queued', 'held')
                        AND (last_error LIKE '%may have been sent%' OR last_error LIKE '%may or may not have been sent%');
                    """)
        }
        m.registerMigration("v10-blackout-ids") { db in
            // A blackout's id names it in calendars (UID blackout-N@retreat): AUTOINCREMENT never gives a removed
            // blackout's id to a new one (a plain rowid reuses the highest).
            try db.execute(
                sql: """
                    CREATE TABLE blackouts_v10 (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        from_day TEXT NOT NULL,
                        to_day TEXT NOT NULL CHECK (to_day >= from_day),
                        resource TEXT,
                        reason TEXT,
                        source TEXT NOT NULL DEFAULT 'manual',
                        uid TEXT,
                        recurrence_id TEXT,
                        starts_at REAL,
                        ends_at REAL CHECK ((starts_at IS NULL) = (ends_at IS NULL) AND (ends_at IS NULL OR ends_at >= starts_at))
                    );
                    INSERT INTO blackouts_v10 (id, from_day, to_day, resource, reason, source, uid, recurrence_id, starts_at, ends_at)
                        SELECT id, from_day, to_day, resource, reason, source, uid, recurrence_id, starts_at, ends_at FROM blackouts ORDER BY id;
                    DROP TABLE blackouts;
                    ALTER TABLE blackouts_v10 RENAME TO blackouts;
                    CREATE INDEX blackouts_range ON blackouts(from_day, to_day);
                    CREATE UNIQUE INDEX blackouts_import_key ON blackouts(coalesce(resource, ''), source, uid, recurrence_id)
                        WHERE uid IS NOT NULL;
                    """)
        }
        return m
    }
}
