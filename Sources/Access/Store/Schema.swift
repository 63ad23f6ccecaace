import GRDB

/// The database schema as a versioned list of migrations (never edit a shipped one; add the next).
enum Schema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: allowlist, change feed, activity log") { db in
            try db.execute(sql: allowlist + changeFeed + activityLog)
        }
        migrator.registerMigration("v2: the secrets the database was created with") { db in
            try db.execute(sql: """
                CREATE TABLE site_secrets (id INTEGER PRIMARY KEY CHECK (id = 1), fingerprint BLOB NOT NULL);
                """)
        }
        migrator.registerMigration("v3: the keyed log chain, wrong codes found fast, the latest time seen") { db in
            // One row, written once when the log key is first used: rows from `keyed_from` on are chained with it.
            try db.execute(sql: """
                CREATE TABLE log_chain (
                    id INTEGER PRIMARY KEY CHECK (id = 1), keyed_from INTEGER NOT NULL, key_fingerprint BLOB NOT NULL);
                CREATE TRIGGER log_chain_no_update BEFORE UPDATE ON log_chain
                    BEGIN SELECT RAISE(ABORT, 'where the keyed log chain starts is written once'); END;
                CREATE TRIGGER log_chain_no_delete BEFORE DELETE ON log_chain
                    BEGIN SELECT RAISE(ABORT, 'where the keyed log chain starts is written once'); END;
                -- Keypad lockouts are rebuilt at start from the last wrong codes.
                CREATE INDEX activity_wrong_code ON activity(at_ms) WHERE event = 'wrong_code';
                -- The latest time the clock was seen at: a clock set back beyond it is distrusted.
                CREATE TABLE clock_watermark (id INTEGER PRIMARY KEY CHECK (id = 1), latest_ms INTEGER NOT NULL);
                """)
        }
        migrator.registerMigration("api1: accounts, sessions and tokens of the HTTP API") { db in
            try db.execute(sql: AccountSchema.accounts)
        }
        migrator.registerMigration("units: residents, who issued each guest pass") { db in try db.execute(sql: unitsSchema) }
        migrator.registerMigration("sharing policy: site, group and door rules") { db in try db.execute(sql: sharingPolicySchema) }
        migrator.registerMigration("webhooks: subscriptions and the outbox") { db in try db.execute(sql: webhooksSchema) }
        migrator.registerMigration("api2: the activity log's pages by result, reason and actor") { db in
            try db.execute(sql: AccountSchema.activityPages)
        }
        migrator.registerMigration("device binding: a share link's device key, the per-door switch") { db in
            try db.execute(sql: deviceBindingSchema)
        }
        migrator.registerMigration("messages: share links and passcodes sent by e-mail or SMS") { db in try db.execute(sql: messagesSchema) }
        migrator.registerMigration("alerts: the index of alert rows, who acknowledged each") { db in
            try db.execute(sql: AlertSource.schema)
        }
        migrator.registerMigration("webhook state: when an outbox row first failed (its receiver failing since)") { db in
            try db.execute(sql: webhookStateSchema)
        }
        migrator.registerMigration("webhooks to all: a subscription to every event gets the kinds added later") { db in
            try db.execute(sql: webhookEveryEventSchema)
        }
        migrator.registerMigration("alerts: unconfirmed openings") { db in try db.execute(sql: AlertSource.remakeIndex) }
        return migrator
    }

    /// Times are Unix seconds (REAL); days are `YYYY-MM-DD` in the site's zone.
    private static let allowlist = """
        CREATE TABLE person (
            id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, kind TEXT NOT NULL,
            suspended INTEGER NOT NULL DEFAULT 0, vacation_start TEXT, vacation_end TEXT,
            created_at REAL NOT NULL);
        CREATE TABLE schedule (
            id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, open_on_holidays INTEGER NOT NULL DEFAULT 0);
        CREATE TABLE schedule_interval (
            schedule_id TEXT NOT NULL REFERENCES schedule(id), days INTEGER NOT NULL,
            start_minute INTEGER NOT NULL, end_minute INTEGER NOT NULL);
        CREATE TABLE holiday (day TEXT PRIMARY KEY, name TEXT);
        CREATE TABLE door (
            id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, mode TEXT NOT NULL,
            -- During mode_schedule the door is in scheduled_mode instead (e.g. unlocked on weekdays 8–18).
            scheduled_mode TEXT, mode_schedule_id TEXT REFERENCES schedule(id),
            duress_grants INTEGER NOT NULL DEFAULT 1);
        CREATE TABLE access_group (id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE);
        CREATE TABLE group_door (
            group_id TEXT NOT NULL REFERENCES access_group(id), door_id TEXT NOT NULL REFERENCES door(id),
            schedule_id TEXT REFERENCES schedule(id), PRIMARY KEY (group_id, door_id)) WITHOUT ROWID;
        CREATE TABLE person_group (
            person_id TEXT NOT NULL REFERENCES person(id), group_id TEXT NOT NULL REFERENCES access_group(id),
            PRIMARY KEY (person_id, group_id)) WITHOUT ROWID;
        CREATE TABLE credential (
            id TEXT PRIMARY KEY, kind TEXT NOT NULL, person_id TEXT REFERENCES person(id), label TEXT,
            card_format TEXT, facility INTEGER, card_number INTEGER, card_bits TEXT,
            code_digest BLOB, code_mask TEXT, duress INTEGER NOT NULL DEFAULT 0,
            valid_from REAL, valid_until REAL, schedule_id TEXT REFERENCES schedule(id),
            uses_left INTEGER, -- NULL: unlimited
            parent_id TEXT REFERENCES credential(id), may_share INTEGER NOT NULL DEFAULT 0, recipient TEXT,
            rotated_from TEXT REFERENCES credential(id),
            created_at REAL NOT NULL, created_by TEXT,
            revoked_at REAL, revoked_by TEXT, revoked_reason TEXT);
        CREATE INDEX credential_card ON credential(card_format, facility, card_number) WHERE card_number IS NOT NULL;
        CREATE INDEX credential_bits ON credential(card_bits) WHERE card_bits IS NOT NULL;
        CREATE INDEX credential_code ON credential(code_digest) WHERE code_digest IS NOT NULL;
        CREATE INDEX credential_person ON credential(person_id);
        CREATE INDEX credential_parent ON credential(parent_id);
        CREATE TABLE credential_door (
            credential_id TEXT NOT NULL REFERENCES credential(id), door_id TEXT NOT NULL REFERENCES door(id),
            PRIMARY KEY (credential_id, door_id)) WITHOUT ROWID;

        """

    /// Every change the verification cache depends on lands in `change`, whoever made it (this process or another
    /// one such as the CLI): the cache replays the feed, and a decision checks the feed's head inside its transaction.
    /// Using up a passcode (`uses_left`) is not a change: use-counted credentials are always decided in SQLite.
    private static let changeFeed = """
        CREATE TABLE change (seq INTEGER PRIMARY KEY AUTOINCREMENT, entity TEXT NOT NULL, entity_id TEXT NOT NULL);
        CREATE TRIGGER credential_added AFTER INSERT ON credential
            BEGIN INSERT INTO change (entity, entity_id) VALUES ('credential', NEW.id); END;
        CREATE TRIGGER credential_changed AFTER UPDATE OF revoked_at, valid_from, valid_until, person_id, schedule_id, duress ON credential
            BEGIN INSERT INTO change (entity, entity_id) VALUES ('credential', NEW.id); END;
        CREATE TRIGGER credential_doors_added AFTER INSERT ON credential_door
            BEGIN INSERT INTO change (entity, entity_id) VALUES ('credential', NEW.credential_id); END;
        CREATE TRIGGER person_added AFTER INSERT ON person
            BEGIN INSERT INTO change (entity, entity_id) VALUES ('person', NEW.id); END;
        CREATE TRIGGER person_changed AFTER UPDATE ON person
            BEGIN INSERT INTO change (entity, entity_id) VALUES ('person', NEW.id); END;
        CREATE TRIGGER person_grouped AFTER INSERT ON person_group
            BEGIN INSERT INTO change (entity, entity_id) VALUES ('person', NEW.person_id); END;
        CREATE TRIGGER person_ungrouped AFTER DELETE ON person_group
            BEGIN INSERT INTO change (entity, entity_id) VALUES ('person', OLD.person_id); END;

        """ + ["door", "schedule", "schedule_interval", "holiday", "access_group", "group_door"].map { table in
            ["INSERT", "UPDATE", "DELETE"].map { event in
                """
                CREATE TRIGGER \(table)_\(event.lowercased())_policy AFTER \(event) ON \(table)
                    BEGIN INSERT INTO change (entity, entity_id) VALUES ('policy', ''); END;

                """
            }.joined()
        }.joined()

    /// Append-only and chained (see `ActivityLog`: keyed from `log_chain.keyed_from` on); triggers refuse edits.
    private static let activityLog = """
        CREATE TABLE activity (
            seq INTEGER PRIMARY KEY, at_ms INTEGER NOT NULL, kind TEXT NOT NULL, event TEXT,
            door TEXT, reader TEXT, credential_id TEXT, person_id TEXT,
            outcome TEXT, reason TEXT, detail TEXT, actor TEXT,
            prev_hash BLOB NOT NULL, hash BLOB NOT NULL);
        CREATE INDEX activity_at ON activity(at_ms);
        CREATE TRIGGER activity_no_update BEFORE UPDATE ON activity
            BEGIN SELECT RAISE(ABORT, 'the activity log is append-only'); END;
        CREATE TRIGGER activity_no_delete BEFORE DELETE ON activity
            BEGIN SELECT RAISE(ABORT, 'the activity log is append-only'); END;
        """
}
