//! Local accounts, login with lockout, and signed approval decisions.
//!
//! An approval is only ever recorded as a signed decision: [`Store::decide`]
//! applies the workflow action, signs the decision record with the
//! approver's key and stores both in one transaction. Submitting a reply
//! checks that the signed decisions form a complete sign-off of the exact
//! revision (不审核不答复).

use chrono::NaiveDateTime;
use rusqlite::{params, OptionalExtension, Transaction};
use serde::{Deserialize, Serialize};

use jianban_domain::validate::check_required_line;
use jianban_domain::*;
use jianban_signoff::{
    hash_password, sign, verify_sign_off, Decision, DecisionRecord, KeyRegistry, LockoutPolicy,
    LoginAttempts, SignOff, SignedDecision, SigningIdentity, SignoffError, UnlockedKey,
};

use jianban_casework::Command;

use crate::cases::load_case;
use crate::error::{Result, StoreError};
use crate::Store;

/// A person who may log in on this PC.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    pub user_id: UserId,
    pub name: String,
    pub role: UserRole,
    pub unit_id: Option<UnitId>,
}

impl Account {
    pub fn actor(&self) -> Actor {
        Actor {
            user: self.user_id.clone(),
            name: self.name.clone(),
            role: self.role,
            unit: self.unit_id.clone(),
        }
    }
}

/// A logged-in person; approvers hold their unlocked signing key.
#[derive(Debug)]
pub struct Session {
    pub account: Account,
    pub key: Option<UnlockedKey>,
    /// The approver's key was kept in the credential store, which no longer
    /// has it: a new key was made (and must be registered again). Decisions
    /// signed with the old key still verify: its public half stays known.
    pub key_renewed: bool,
}

struct AccountRow {
    name: String,
    role: String,
    unit: Option<String>,
    phc: String,
    attempts_json: String,
    identity_json: Option<String>,
    key_in_vault: bool,
}

/// Where an approver's sealed key was found.
enum StoredKey {
    /// In the database (no credential store, or not moved yet).
    Database(String),
    /// In the credential store (which may have lost it, or not answer).
    Vault,
    /// Never made: first login.
    None,
}

/// Roles that sign approval steps.
fn signs_approvals(role: UserRole) -> bool {
    matches!(
        role,
        UserRole::CaseHandler | UserRole::DeputyHead | UserRole::Head
    )
}

impl From<SignoffError> for StoreError {
    fn from(e: SignoffError) -> Self {
        StoreError::SignOff(e)
    }
}

struct LocalKeys<'a>(&'a rusqlite::Connection);

impl KeyRegistry for LocalKeys<'_> {
    fn is_registered(&self, user: &UserId, public_key_hex: &str) -> bool {
        self.0
            .query_row(
                "SELECT 1 FROM known_keys WHERE user_id = ?1 AND public_key = ?2",
                params![user.as_str(), public_key_hex],
                |_| Ok(()),
            )
            .optional()
            .ok()
            .flatten()
            .is_some()
    }
}

fn role_str(role: UserRole) -> Result<String> {
    Ok(serde_json::to_value(role)?
        .as_str()
        .unwrap_or_default()
        .to_string())
}

/// The signed approvals of the case's current revision, in step order.
fn current_decisions(
    tx: &rusqlite::Connection,
    id: &str,
    revision: &RevisionHash,
) -> Result<Vec<SignedDecision>> {
    let mut stmt = tx.prepare_cached(
        "SELECT signed_json FROM signed_decisions
          WHERE assignment_id = ?1 AND revision = ?2 AND decision = 'approve' ORDER BY id",
    )?;
    let rows = stmt.query_map(params![id, revision.0], |r| r.get::<_, String>(0))?;
    let mut out: Vec<SignedDecision> = Vec::new();
    for json in rows {
        let d: SignedDecision = serde_json::from_str(&json?)?;
        // A later approval of the same step (after a return and a new round)
        // replaces the earlier one.
        out.retain(|x| x.record.step != d.record.step);
        out.push(d);
    }
    out.sort_by_key(|d| d.record.step);
    Ok(out)
}

pub(crate) fn verify_case_sign_off(tx: &rusqlite::Connection, case: &Case) -> Result<SignOff> {
    let draft = case
        .draft
        .as_ref()
        .ok_or(StoreError::SignOff(SignoffError::Incomplete {
            step: case
                .approval_chain
                .first()
                .map_or_else(|| "审核签发".to_string(), |s| s.title.clone()),
        }))?;
    // Only approvals the rules still count (an edit or a return voids them).
    let decisions: Vec<SignedDecision> =
        current_decisions(tx, case.assignment.as_str(), &draft.hash)?
            .into_iter()
            .filter(|d| {
                d.record.step < case.approvals.len() && d.record.round() == case.approval_round
            })
            .collect();
    Ok(verify_sign_off(
        &case.approval_chain,
        &case.assignment,
        &draft.hash,
        &decisions,
        &LocalKeys(tx),
    )?)
}

impl Store {
    /// Adds a local account (设置 → 本单位账号).
    pub fn add_account(&mut self, account: &Account, password: &str) -> Result<()> {
        check_required_line("姓名", &account.name)?;
        let hash = hash_password(password)?;
        self.conn
            .execute(
                "INSERT INTO accounts (user_id, name, role, unit_id, password_hash) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    account.user_id.as_str(),
                    account.name,
                    role_str(account.role)?,
                    account.unit_id.as_ref().map(|u| u.as_str()),
                    hash
                ],
            )
            .map_err(|e| match e.sqlite_error_code() {
                Some(rusqlite::ErrorCode::ConstraintViolation) => StoreError::Duplicate {
                    what: format!("账号“{}”", account.user_id),
                },
                _ => e.into(),
            })?;
        Ok(())
    }

    pub fn accounts(&self) -> Result<Vec<Account>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT user_id, name, role, unit_id FROM accounts ORDER BY name")?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, Option<String>>(3)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, name, role, unit) = row?;
            out.push(Account {
                user_id: UserId(id),
                name,
                role: serde_json::from_value(serde_json::Value::String(role))?,
                unit_id: unit.map(UnitId),
            });
        }
        Ok(out)
    }

    /// Logs in with the account's password. Five failures lock the account
    /// for fifteen minutes (the count is kept even though the login fails).
    /// An approver's signing key is made on first login and unlocked on
    /// every login.
    pub fn login(&mut self, user_id: &str, password: &str, now: NaiveDateTime) -> Result<Session> {
        let row = self
            .conn
            .query_row(
                "SELECT name, role, unit_id, password_hash, attempts_json, identity_json, key_in_vault FROM accounts WHERE user_id = ?1",
                [user_id],
                |r| {
                    Ok(AccountRow {
                        name: r.get(0)?,
                        role: r.get(1)?,
                        unit: r.get(2)?,
                        phc: r.get(3)?,
                        attempts_json: r.get(4)?,
                        identity_json: r.get(5)?,
                        key_in_vault: r.get(6)?,
                    })
                },
            )
            .optional()?;
        let Some(AccountRow {
            name,
            role,
            unit,
            phc,
            attempts_json,
            identity_json,
            key_in_vault,
        }) = row
        else {
            // Same message as a wrong password: do not reveal which accounts exist.
            return Err(SignoffError::WrongPassword.into());
        };
        let mut attempts: LoginAttempts = serde_json::from_str(&attempts_json).unwrap_or_default();
        let outcome = attempts.attempt(&phc, password, now, LockoutPolicy::default());
        self.conn.execute(
            "UPDATE accounts SET attempts_json = ?2 WHERE user_id = ?1",
            params![user_id, serde_json::to_string(&attempts)?],
        )?;
        outcome?;
        let stored_key = match (key_in_vault, identity_json) {
            (true, _) => StoredKey::Vault,
            (false, Some(json)) => StoredKey::Database(json),
            (false, None) => StoredKey::None,
        };
        let account = Account {
            user_id: UserId::new(user_id),
            name,
            role: serde_json::from_value(serde_json::Value::String(role))?,
            unit_id: unit.map(UnitId),
        };
        let (key, key_renewed) = if signs_approvals(account.role) {
            let (key, renewed) = self.unlock_or_make_key(user_id, password, stored_key)?;
            (Some(key), renewed)
        } else {
            (None, false)
        };
        Ok(Session {
            account,
            key,
            key_renewed,
        })
    }

    /// Unlocks the approver's signing key with the password, making one on
    /// first use. A key in the database moves to the credential store when
    /// one takes it; a key the credential store lost is replaced by a new
    /// one (the flag says so).
    fn unlock_or_make_key(
        &mut self,
        user_id: &str,
        password: &str,
        stored: StoredKey,
    ) -> Result<(UnlockedKey, bool)> {
        let user = UserId::new(user_id);
        let lost = match stored {
            StoredKey::Database(json) => {
                let key = serde_json::from_str::<SigningIdentity>(&json)?.unlock(password)?;
                self.move_to_vault(&user, &json)?;
                return Ok((key, false));
            }
            StoredKey::Vault => match self.vault.get(&user) {
                Some(json) => {
                    let key = serde_json::from_str::<SigningIdentity>(&json)?.unlock(password)?;
                    return Ok((key, false));
                }
                None => true,
            },
            StoredKey::None => false,
        };
        let (identity, key) = SigningIdentity::create(password);
        let json = serde_json::to_string(&identity)?;
        let tx = self.conn.transaction()?;
        tx.execute(
            "INSERT OR IGNORE INTO known_keys (user_id, public_key) VALUES (?1, ?2)",
            params![user_id, identity.public_key],
        )?;
        tx.execute(
            "UPDATE accounts SET identity_json = ?2, key_in_vault = 0 WHERE user_id = ?1",
            params![user_id, json],
        )?;
        tx.commit()?;
        self.move_to_vault(&user, &json)?;
        Ok((key, lost))
    }

    /// Moves a sealed key kept in the database to the credential store, if
    /// one takes it and gives it back unchanged; otherwise it stays put.
    fn move_to_vault(&mut self, user: &UserId, json: &str) -> Result<()> {
        if self.vault.put(user, json) && self.vault.get(user).as_deref() == Some(json) {
            self.conn.execute(
                "UPDATE accounts SET identity_json = NULL, key_in_vault = 1 WHERE user_id = ?1",
                [user.as_str()],
            )?;
        }
        Ok(())
    }

    /// Records a public key the central server registered for a person.
    pub fn add_known_key(&mut self, user: &UserId, public_key_hex: &str) -> Result<()> {
        self.conn.execute(
            "INSERT OR IGNORE INTO known_keys (user_id, public_key) VALUES (?1, ?2)",
            params![user.as_str(), public_key_hex],
        )?;
        Ok(())
    }

    /// An approver approves (or returns) the exact revision shown to them.
    /// The action, the signed decision and the outbox command are written
    /// together.
    pub fn decide(
        &mut self,
        id: &str,
        session: &Session,
        decision: Decision,
        revision: &RevisionHash,
        comment: &str,
        now: NaiveDateTime,
    ) -> Result<Case> {
        let key = session.key.as_ref().ok_or(WorkflowError::WrongApprover {
            needed: UserRole::Head,
            actual: session.account.role,
        })?;
        let actor = session.account.actor();
        let (before, _) = load_case(&self.conn, id)?;
        let step = before.approvals.len();
        let step_title = before
            .approval_chain
            .get(step)
            .map_or_else(String::new, |s| s.title.clone());
        // The record is signed before the change so its signature travels
        // in the same outbox command; the orchestration checks the step
        // again inside the transaction.
        let signed = sign(
            DecisionRecord {
                assignment_id: AssignmentId::new(id),
                revision: revision.clone(),
                step,
                step_title,
                signer: actor.user.clone(),
                signer_name: actor.name.clone(),
                role: actor.role,
                decision,
                comment: comment.to_string(),
                at: now,
                round: Some(before.approval_round),
            },
            key,
        );
        Ok(self.run(id, Command::Decide(signed), &actor, now)?.after)
    }

    /// The verified sign-off of the case's current revision, or why there is
    /// none. Export as final and submission both require it.
    pub fn sign_off(&self, id: &str) -> Result<SignOff> {
        let case = self.case(id)?;
        verify_case_sign_off(&self.conn, &case)
    }

    /// Every approver key this PC knows: made here, or vouched for by the
    /// central server through the feed. Verifying a sealed letter on this
    /// PC uses it.
    pub fn known_keys(&self) -> Result<std::collections::HashMap<UserId, Vec<String>>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT user_id, public_key FROM known_keys ORDER BY user_id")?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
        let mut out: std::collections::HashMap<UserId, Vec<String>> = Default::default();
        for row in rows {
            let (user, key) = row?;
            out.entry(UserId(user)).or_default().push(key);
        }
        Ok(out)
    }

    /// The unit's self-managed signing certificate for sealed letters (PEM:
    /// certificate and key), once made on this PC.
    pub fn unit_certificate_pem(&self, unit: &UnitId) -> Result<Option<String>> {
        crate::sync_state::get_setting(&self.conn, &format!("unit_certificate.{unit}"))
    }

    pub fn set_unit_certificate_pem(&mut self, unit: &UnitId, pem: &str) -> Result<()> {
        crate::sync_state::set_setting(&self.conn, &format!("unit_certificate.{unit}"), pem)
    }

    /// Forgets the unit's certificate here (it moved to the OS credential
    /// store); the next seal reads it from there or makes a new one.
    pub fn remove_unit_certificate_pem(&mut self, unit: &UnitId) -> Result<()> {
        self.conn.execute(
            "DELETE FROM settings WHERE key = ?1",
            [format!("unit_certificate.{unit}")],
        )?;
        Ok(())
    }

    /// Every signed decision on the case, voided ones included, oldest first.
    pub fn decision_history(&self, id: &str) -> Result<Vec<SignedDecision>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT signed_json FROM signed_decisions WHERE assignment_id = ?1 ORDER BY id",
        )?;
        let rows = stmt.query_map([id], |r| r.get::<_, String>(0))?;
        let mut out = Vec::new();
        for json in rows {
            out.push(serde_json::from_str(&json?)?);
        }
        Ok(out)
    }
}

/// A decision pulled from the server: kept (once) with its signer's key.
pub(crate) fn record_remote_decision(tx: &Transaction<'_>, d: &SignedDecision) -> Result<()> {
    insert_decision(tx, d)?;
    tx.execute(
        "INSERT OR IGNORE INTO known_keys (user_id, public_key) VALUES (?1, ?2)",
        params![d.record.signer.as_str(), d.public_key],
    )?;
    Ok(())
}

/// Whether the decision with this signature is already kept.
pub(crate) fn decision_exists(tx: &rusqlite::Connection, signature: &str) -> Result<bool> {
    Ok(tx
        .prepare_cached(
            "SELECT 1 FROM signed_decisions WHERE json_extract(signed_json, '$.signature') = ?1",
        )?
        .exists([signature])?)
}

pub(crate) fn insert_decision(tx: &Transaction<'_>, d: &SignedDecision) -> Result<()> {
    tx.execute(
        "INSERT OR IGNORE INTO signed_decisions (assignment_id, revision, step, decision, signed_json) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            d.record.assignment_id.as_str(),
            d.record.revision.0,
            d.record.step as i64,
            match d.record.decision {
                Decision::Approve => "approve",
                Decision::Return => "return",
            },
            serde_json::to_string(d)?
        ],
    )?;
    Ok(())
}
