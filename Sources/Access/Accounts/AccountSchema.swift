/// The tables of the HTTP API's accounts (a migration of `Schema`). Secrets are stored as SHA-256 digests (they are
/// random, 256 bits), passwords as bcrypt hashes; every row carries the site it belongs to.
enum AccountSchema {
    static let accounts = """
        CREATE TABLE api_site (id INTEGER PRIMARY KEY CHECK (id = 1), site_id TEXT NOT NULL);
        INSERT INTO api_site (id, site_id) VALUES (1, lower(hex(randomblob(16))));
        CREATE TABLE api_user (
            id TEXT PRIMARY KEY, site_id TEXT NOT NULL, email TEXT NOT NULL COLLATE NOCASE, name TEXT NOT NULL,
            role TEXT NOT NULL CHECK (role IN ('admin', 'staff', 'resident')), person_id TEXT REFERENCES person(id),
            password_hash TEXT, disabled INTEGER NOT NULL DEFAULT 0, created_at REAL NOT NULL, created_by TEXT,
            UNIQUE (site_id, email));
        CREATE TABLE api_password_link (
            digest BLOB PRIMARY KEY, user_id TEXT NOT NULL REFERENCES api_user(id), expires_at REAL NOT NULL, used_at REAL);
        CREATE TABLE api_session (
            digest BLOB PRIMARY KEY, id TEXT NOT NULL UNIQUE, user_id TEXT NOT NULL REFERENCES api_user(id),
            csrf_digest BLOB NOT NULL, created_at REAL NOT NULL, expires_at REAL NOT NULL, ended_at REAL);
        CREATE TABLE api_token (
            id TEXT PRIMARY KEY, site_id TEXT NOT NULL, digest BLOB NOT NULL UNIQUE, user_id TEXT NOT NULL REFERENCES api_user(id),
            name TEXT NOT NULL, role TEXT NOT NULL CHECK (role IN ('admin', 'staff', 'resident')),
            created_at REAL NOT NULL, expires_at REAL, last_used_at REAL, revoked_at REAL);
        CREATE TABLE api_token_door (
            token_id TEXT NOT NULL REFERENCES api_token(id), door_id TEXT NOT NULL REFERENCES door(id),
            PRIMARY KEY (token_id, door_id)) WITHOUT ROWID;
        -- The activity log's filtered pages (newest first, by door or person).
        CREATE INDEX activity_door_seq ON activity(door, seq);
        CREATE INDEX activity_person_seq ON activity(person_id, seq);
        CREATE INDEX activity_credential_seq ON activity(credential_id, seq);
        CREATE INDEX credential_created_by ON credential(created_by);
        """

    /// Every filter of an activity page walks an index newest first: a deny reason, a result, and an actor (a
    /// resident's page reads their own actions and their tokens'), so no page reads the whole log.
    static let activityPages = """
        CREATE INDEX activity_reason_seq ON activity(reason, seq) WHERE reason IS NOT NULL;
        CREATE INDEX activity_outcome_seq ON activity(outcome, seq) WHERE outcome IS NOT NULL;
        CREATE INDEX activity_actor_seq ON activity(actor, seq) WHERE actor IS NOT NULL;
        """
}
