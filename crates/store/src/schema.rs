//! Embedded migrations and the version guard.
//!
//! `PRAGMA user_version` holds the schema version. Migrations newer than the
//! file's version run in one transaction; a file from a newer release is
//! refused untouched, so an old binary never damages new data.

use rusqlite::Connection;

use crate::error::{Result, StoreError};

/// Migration `i` brings the schema from version `i` to `i + 1`.
const MIGRATIONS: &[&str] = &[
    r#"
CREATE TABLE sessions (
    id   TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    year INTEGER NOT NULL
);
CREATE TABLE deputies (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    delegation TEXT NOT NULL DEFAULT ''
);
CREATE TABLE units (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    doc_prefix TEXT NOT NULL DEFAULT ''
);
CREATE TABLE suggestions (
    id          TEXT PRIMARY KEY,
    session_id  TEXT NOT NULL REFERENCES sessions(id),
    number      INTEGER NOT NULL,
    title       TEXT NOT NULL,
    text        TEXT NOT NULL,
    lead_deputy TEXT NOT NULL REFERENCES deputies(id),
    co_signers  TEXT NOT NULL DEFAULT '[]',
    is_key      INTEGER NOT NULL DEFAULT 0,
    is_urgent   INTEGER NOT NULL DEFAULT 0,
    UNIQUE (session_id, number)
);
-- One suggestion handed to one unit. `case_json` is the workflow aggregate
-- (jianban_domain::Case); state, deadline and version are copied out of it
-- so lists can be filtered and sorted in SQL.
CREATE TABLE assignments (
    id            TEXT PRIMARY KEY,
    suggestion_id TEXT NOT NULL REFERENCES suggestions(id),
    unit_id       TEXT NOT NULL REFERENCES units(id),
    role          TEXT NOT NULL,
    assigned_on   TEXT NOT NULL,
    state         TEXT NOT NULL,
    deadline      TEXT,
    version       INTEGER NOT NULL,
    case_json     TEXT NOT NULL,
    UNIQUE (suggestion_id, unit_id)
);
CREATE INDEX assignments_by_state ON assignments(state, deadline);
CREATE INDEX assignments_by_suggestion ON assignments(suggestion_id);

CREATE TABLE contact_records (
    id            TEXT PRIMARY KEY,
    assignment_id TEXT NOT NULL REFERENCES assignments(id),
    mode          TEXT NOT NULL,
    date          TEXT NOT NULL,
    people        TEXT NOT NULL,
    summary       TEXT NOT NULL,
    recorded_by   TEXT NOT NULL,
    recorded_at   TEXT NOT NULL
);
CREATE INDEX contacts_by_assignment ON contact_records(assignment_id);

-- Immutable draft revisions: rows are only ever inserted.
CREATE TABLE revisions (
    assignment_id TEXT NOT NULL REFERENCES assignments(id),
    number        INTEGER NOT NULL,
    hash          TEXT NOT NULL,
    author        TEXT NOT NULL,
    saved_at      TEXT NOT NULL,
    content_json  TEXT NOT NULL,
    restored_from INTEGER,
    PRIMARY KEY (assignment_id, number)
) WITHOUT ROWID;
CREATE TRIGGER revisions_immutable BEFORE UPDATE ON revisions
BEGIN SELECT RAISE(ABORT, 'revisions are immutable'); END;
CREATE TRIGGER revisions_kept BEFORE DELETE ON revisions
BEGIN SELECT RAISE(ABORT, 'revisions are never deleted'); END;

-- Append-only audit log of every action.
CREATE TABLE audit_log (
    seq           INTEGER PRIMARY KEY AUTOINCREMENT,
    at            TEXT NOT NULL,
    actor_id      TEXT NOT NULL,
    actor_name    TEXT NOT NULL,
    actor_role    TEXT NOT NULL,
    assignment_id TEXT,
    action        TEXT NOT NULL,
    detail_json   TEXT NOT NULL DEFAULT '{}',
    state_before  TEXT,
    state_after   TEXT
);
CREATE INDEX audit_by_assignment ON audit_log(assignment_id, seq);
CREATE TRIGGER audit_append_only_u BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_append_only_d BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;

-- Commands for the central server, written in the same transaction as the
-- local change they describe. `seq` is the device's sequence number.
CREATE TABLE outbox (
    seq           INTEGER PRIMARY KEY AUTOINCREMENT,
    command_id    TEXT NOT NULL UNIQUE,
    assignment_id TEXT NOT NULL,
    base_version  INTEGER NOT NULL,
    kind          TEXT NOT NULL,
    payload_json  TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    acked_at      TEXT
);
CREATE INDEX outbox_pending ON outbox(acked_at, seq);

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- Full-text search. Text is stored pre-segmented (every CJK character its
-- own token, see search.rs) so one- and two-character queries match.
-- `search_docs` maps what was indexed to the FTS rowid, so replacing a
-- draft's text deletes one row by key instead of scanning the index.
CREATE TABLE search_docs (
    id            INTEGER PRIMARY KEY,
    kind          TEXT NOT NULL,
    ref_id        TEXT NOT NULL,
    suggestion_id TEXT NOT NULL,
    UNIQUE (kind, ref_id)
);
CREATE VIRTUAL TABLE search_index USING fts5(
    body,
    tokenize = 'unicode61 remove_diacritics 0'
);
"#,
    r#"
-- Sync with the central server.
-- The latest snapshot the server sent for each assignment. It replaces the
-- local case only once no local command for that assignment is waiting to be
-- acknowledged, so server data never overwrites work not yet pushed.
CREATE TABLE server_cases (
    assignment_id TEXT PRIMARY KEY,
    version       INTEGER NOT NULL,
    snapshot_json TEXT NOT NULL,
    received_at   TEXT NOT NULL,
    -- 0 once a later local command was acknowledged without the state after
    -- it: this snapshot is older than the server's truth; wait for the feed.
    fresh         INTEGER NOT NULL DEFAULT 1
);
-- What the server answered for each pushed command.
ALTER TABLE outbox ADD COLUMN result_json TEXT;
-- Notices for the liaison: returns, urgings, extensions, rejections.
CREATE TABLE notices (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    at            TEXT NOT NULL,
    assignment_id TEXT,
    kind          TEXT NOT NULL,
    message       TEXT NOT NULL,
    read          INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX outbox_by_assignment ON outbox(assignment_id, acked_at);
"#,
    r#"
-- The unit's local accounts: liaisons and approvers who log in on this PC.
-- Approvers' signing keys are sealed under their passwords (signoff::keys).
CREATE TABLE accounts (
    user_id       TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    role          TEXT NOT NULL,
    unit_id       TEXT,
    password_hash TEXT NOT NULL,
    attempts_json TEXT NOT NULL DEFAULT '{}',
    identity_json TEXT
);
-- Public keys known to belong to people: local accounts' own, and those the
-- central server registered. Signatures are checked against these.
CREATE TABLE known_keys (
    user_id    TEXT NOT NULL,
    public_key TEXT NOT NULL,
    PRIMARY KEY (user_id, public_key)
) WITHOUT ROWID;
-- Every signed approval decision, kept for good (the history of voided
-- approvals stays visible).
CREATE TABLE signed_decisions (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    assignment_id TEXT NOT NULL REFERENCES assignments(id),
    revision      TEXT NOT NULL,
    step          INTEGER NOT NULL,
    decision      TEXT NOT NULL,
    signed_json   TEXT NOT NULL
);
CREATE INDEX decisions_by_assignment ON signed_decisions(assignment_id, revision);
CREATE TRIGGER decisions_kept_u BEFORE UPDATE ON signed_decisions
BEGIN SELECT RAISE(ABORT, 'signed decisions are immutable'); END;
CREATE TRIGGER decisions_kept_d BEFORE DELETE ON signed_decisions
BEGIN SELECT RAISE(ABORT, 'signed decisions are never deleted'); END;
"#,
    r#"
-- Pulled changes that arrived before what they refer to (the feed lists an
-- entity at its latest change, so a contact can come a page before its
-- assignment). Applied as soon as the referenced rows are here.
CREATE TABLE pending_remote (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    change_json TEXT NOT NULL
);
"#,
    r#"
-- A decision made on this PC comes back through the change feed; one
-- signature is one decision, kept once.
CREATE UNIQUE INDEX decisions_by_signature
    ON signed_decisions(json_extract(signed_json, '$.signature'));
"#,
    r#"
-- 1 once the approver's sealed signing key lives in the OS credential store
-- (store::vault); identity_json is then NULL, so the database file carries
-- no part of the secret key.
ALTER TABLE accounts ADD COLUMN key_in_vault INTEGER NOT NULL DEFAULT 0;
"#,
];

/// The schema version this binary writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// A file written by a newer release is left alone.
pub fn refuse_newer(found: i64) -> Result<()> {
    if found > SCHEMA_VERSION {
        return Err(StoreError::NewerDatabase {
            found,
            supported: SCHEMA_VERSION,
        });
    }
    Ok(())
}

pub fn migrate(conn: &mut Connection) -> Result<()> {
    let found: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    refuse_newer(found)?;
    if found == SCHEMA_VERSION {
        return Ok(());
    }
    let tx = conn.transaction()?;
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(found as usize) {
        tx.execute_batch(sql)?;
        // PRAGMA takes no parameters; the value is our own integer.
        tx.execute_batch(&format!("PRAGMA user_version = {}", i + 1))?;
    }
    tx.commit()?;
    Ok(())
}
