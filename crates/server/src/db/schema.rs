//! The server's tables, created and upgraded in order. The DDL is shared;
//! only the few types and the append-only triggers differ per dialect.

use super::{DbError, Dialect, Tx};
use crate::params;

/// Bump with every new migration; an older binary refuses a newer database.
pub const SCHEMA_VERSION: i64 = 6;

const V1: &str = r#"
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE counters (name TEXT PRIMARY KEY, value BIGINT NOT NULL);
INSERT INTO counters (name, value) VALUES ('change', 0), ('audit', 0);
CREATE TABLE sessions (id TEXT PRIMARY KEY, name TEXT NOT NULL, year BIGINT NOT NULL);
CREATE TABLE deputies (id TEXT PRIMARY KEY, name TEXT NOT NULL, delegation TEXT NOT NULL);
CREATE UNIQUE INDEX deputies_name ON deputies (name, delegation);
CREATE TABLE units (id TEXT PRIMARY KEY, name TEXT NOT NULL, doc_prefix TEXT NOT NULL);
CREATE TABLE users (
  id TEXT PRIMARY KEY, name TEXT NOT NULL, role TEXT NOT NULL,
  unit_id TEXT REFERENCES units (id), password_hash TEXT NOT NULL);
CREATE TABLE devices (
  id TEXT PRIMARY KEY, user_id TEXT NOT NULL REFERENCES users (id), name TEXT NOT NULL,
  last_seq BIGINT NOT NULL, registered_at TEXT NOT NULL, last_seen_at TEXT NOT NULL);
CREATE TABLE refresh_tokens (
  hash TEXT PRIMARY KEY, user_id TEXT NOT NULL, device_id TEXT NOT NULL,
  expires_at TEXT NOT NULL, used BIGINT NOT NULL);
CREATE TABLE login_failures (username TEXT NOT NULL, at TEXT NOT NULL);
CREATE INDEX login_failures_user ON login_failures (username, at);
CREATE TABLE suggestions (
  id TEXT PRIMARY KEY, session_id TEXT NOT NULL REFERENCES sessions (id),
  number BIGINT NOT NULL, title TEXT NOT NULL, data TEXT NOT NULL);
CREATE UNIQUE INDEX suggestions_number ON suggestions (session_id, number);
CREATE TABLE pre_assignments (
  suggestion_id TEXT NOT NULL, unit_id TEXT NOT NULL, role TEXT NOT NULL, at TEXT NOT NULL,
  PRIMARY KEY (suggestion_id, unit_id));
CREATE TABLE assignments (
  id TEXT PRIMARY KEY, suggestion_id TEXT NOT NULL REFERENCES suggestions (id),
  unit_id TEXT NOT NULL REFERENCES units (id), role TEXT NOT NULL, assigned_on TEXT NOT NULL,
  state TEXT NOT NULL, deadline TEXT, version BIGINT NOT NULL,
  assignment_json TEXT NOT NULL, case_json TEXT NOT NULL);
CREATE INDEX assignments_unit ON assignments (unit_id);
CREATE INDEX assignments_suggestion ON assignments (suggestion_id);
CREATE INDEX assignments_state ON assignments (state);
CREATE TABLE revisions (
  assignment_id TEXT NOT NULL, number BIGINT NOT NULL, hash TEXT NOT NULL, author TEXT NOT NULL,
  saved_at TEXT NOT NULL, content_json TEXT NOT NULL, PRIMARY KEY (assignment_id, number));
CREATE TABLE contacts (
  id TEXT PRIMARY KEY, assignment_id TEXT NOT NULL, data TEXT NOT NULL,
  recorded_by TEXT NOT NULL, recorded_at TEXT NOT NULL);
CREATE TABLE documents (
  sha256 TEXT NOT NULL, assignment_id TEXT NOT NULL, unit_id TEXT NOT NULL, size BIGINT NOT NULL,
  uploaded_by TEXT NOT NULL, uploaded_at TEXT NOT NULL, PRIMARY KEY (sha256, assignment_id));
CREATE TABLE calendar (
  id TEXT PRIMARY KEY, data TEXT NOT NULL, published_by TEXT NOT NULL, published_at TEXT NOT NULL);
CREATE TABLE changes (
  seq BIGINT PRIMARY KEY, entity TEXT NOT NULL, entity_id TEXT NOT NULL,
  audience TEXT NOT NULL, data TEXT NOT NULL);
CREATE UNIQUE INDEX changes_entity ON changes (entity, entity_id, audience);
CREATE INDEX changes_audience ON changes (audience, seq);
CREATE TABLE audit_log (
  seq BIGINT PRIMARY KEY, at TEXT NOT NULL, actor_id TEXT NOT NULL, actor_name TEXT NOT NULL,
  actor_role TEXT NOT NULL, assignment_id TEXT, action TEXT NOT NULL, detail TEXT NOT NULL,
  state_before TEXT, state_after TEXT);
CREATE INDEX audit_assignment ON audit_log (assignment_id, seq);
"#;

/// Issue 6: approvers' registered public keys and the signed decisions the
/// server verified.
const V2: &str = r#"
CREATE TABLE signing_keys (user_id TEXT NOT NULL, public_key TEXT NOT NULL, registered_at TEXT NOT NULL, PRIMARY KEY (user_id, public_key));
CREATE TABLE signed_decisions (assignment_id TEXT NOT NULL, revision TEXT NOT NULL, step BIGINT NOT NULL, signature TEXT NOT NULL, signed_json TEXT NOT NULL, received_at TEXT NOT NULL, PRIMARY KEY (assignment_id, signature));
"#;

/// Each unit's approval chain (审核流程); a unit without a row uses the
/// default (the head signs off alone).
const V3: &str = r#"
CREATE TABLE approval_chains (unit_id TEXT PRIMARY KEY REFERENCES units (id), chain_json TEXT NOT NULL, set_by TEXT NOT NULL, set_at TEXT NOT NULL);
"#;

/// Issue 15: accounts that can be closed, devices that can be revoked,
/// sessions that end, guesses limited per client address, and the command
/// id behind each pushed sequence number (a repeated number with another id
/// is a restored or taken-over device, refused instead of dropped).
const V4: &str = r#"
ALTER TABLE users ADD COLUMN disabled_at TEXT;
ALTER TABLE users ADD COLUMN must_change_password BIGINT NOT NULL DEFAULT 0;
ALTER TABLE devices ADD COLUMN revoked_at TEXT;
ALTER TABLE refresh_tokens ADD COLUMN session_started_at TEXT;
ALTER TABLE login_failures ADD COLUMN address TEXT NOT NULL DEFAULT '';
CREATE INDEX login_failures_address ON login_failures (address, at);
CREATE TABLE pushed_commands (device_id TEXT NOT NULL, seq BIGINT NOT NULL, command_id TEXT NOT NULL, PRIMARY KEY (device_id, seq));
CREATE INDEX pushed_commands_command ON pushed_commands (command_id);
"#;

/// Signing keys that can be revoked (a lost or handed-over PC): when, by
/// whom and why; and what each key was registered for (the user's role and
/// unit at registration), filled for the keys registered before from the
/// users as they are now.
const V5: &str = r#"
ALTER TABLE signing_keys ADD COLUMN role TEXT;
ALTER TABLE signing_keys ADD COLUMN unit_id TEXT;
ALTER TABLE signing_keys ADD COLUMN revoked_at TEXT;
ALTER TABLE signing_keys ADD COLUMN revoked_by TEXT;
ALTER TABLE signing_keys ADD COLUMN revocation_reason TEXT;
UPDATE signing_keys SET role = (SELECT u.role FROM users u WHERE u.id = signing_keys.user_id), unit_id = (SELECT u.unit_id FROM users u WHERE u.id = signing_keys.user_id);
"#;

/// Refresh tokens are found by user (disable, password reset, the change of
/// one's own password) and by device (revoke, move, a new login's cleanup):
/// without these indexes each of those scans every token of the city.
const V6: &str = r#"
CREATE INDEX refresh_tokens_user ON refresh_tokens (user_id, device_id);
CREATE INDEX refresh_tokens_device ON refresh_tokens (device_id);
"#;

const SQLITE_APPEND_ONLY: &str = r#"
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit_log
  BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit_log
  BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
"#;

const PG_APPEND_ONLY: &str = r#"
CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS
  $f$ BEGIN RAISE EXCEPTION 'audit log is append-only'; END $f$;
CREATE TRIGGER audit_no_change BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_append_only();
"#;

/// Splits a script into statements: one ends at a line ending in `;`
/// (trigger and function bodies above are kept on one line for this).
fn statements(script: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for line in script.lines() {
        cur.push_str(line);
        cur.push('\n');
        if line.trim_end().ends_with(';') {
            out.push(cur.trim().trim_end_matches(';').to_string());
            cur.clear();
        }
    }
    out
}

pub fn migrate(tx: &mut dyn Tx, dialect: Dialect) -> Result<(), DbError> {
    let exists = match dialect {
        Dialect::Sqlite => tx
            .query_opt(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'meta'",
                &[],
            )?
            .is_some(),
        Dialect::Postgres => tx
            .query_opt(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename = 'meta'",
                &[],
            )?
            .is_some(),
    };
    let version = if exists {
        tx.query_one("SELECT value FROM meta WHERE key = 'schema_version'", &[])?
            .text(0)?
            .parse::<i64>()
            .map_err(|e| DbError::Decode(e.to_string()))?
    } else {
        0
    };
    if version > SCHEMA_VERSION {
        return Err(DbError::Newer {
            found: version,
            supported: SCHEMA_VERSION,
        });
    }
    if version < 1 {
        let extra = match dialect {
            Dialect::Sqlite => SQLITE_APPEND_ONLY,
            Dialect::Postgres => PG_APPEND_ONLY,
        };
        for stmt in statements(V1).iter().chain(statements(extra).iter()) {
            tx.exec(stmt, &[])?;
        }
        tx.exec(
            "INSERT INTO meta (key, value) VALUES ('schema_version', '1')",
            &[],
        )?;
    }
    for (to, script) in [(2, V2), (3, V3), (4, V4), (5, V5), (6, V6)] {
        if version < to {
            for stmt in statements(script) {
                tx.exec(&stmt, &[])?;
            }
            tx.exec(
                "UPDATE meta SET value = $1 WHERE key = 'schema_version'",
                params![to.to_string()],
            )?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_scripts_keeping_trigger_bodies() {
        assert_eq!(statements(SQLITE_APPEND_ONLY).len(), 2);
        assert_eq!(statements(PG_APPEND_ONLY).len(), 2);
        assert!(statements(V1).len() > 20);
    }

    /// The account operations find a user's or a device's refresh tokens
    /// through an index, not by reading every token.
    #[test]
    fn refresh_tokens_are_found_by_user_and_by_device_through_an_index() {
        let dir = tempfile::tempdir().unwrap();
        let db = crate::db::Db::open_sqlite(dir.path()).unwrap();
        let plan = |sql: &str| -> String {
            db.read(|tx| -> Result<String, DbError> {
                let rows = tx.query(&format!("EXPLAIN QUERY PLAN {sql}"), &[])?;
                rows.iter()
                    .map(|r| r.text(3))
                    .collect::<Result<Vec<_>, _>>()
                    .map(|v| v.join(" | "))
            })
            .unwrap()
        };
        let by_user = plan("SELECT hash FROM refresh_tokens WHERE user_id = 'u'");
        assert!(by_user.contains("refresh_tokens_user"), "{by_user}");
        let by_both =
            plan("SELECT hash FROM refresh_tokens WHERE device_id = 'd' AND user_id = 'u'");
        assert!(by_both.contains("USING INDEX"), "{by_both}");
        let by_device = plan("SELECT hash FROM refresh_tokens WHERE device_id = 'd'");
        assert!(by_device.contains("refresh_tokens_device"), "{by_device}");
    }
}
