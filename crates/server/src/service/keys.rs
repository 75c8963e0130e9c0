//! Approvers' signing keys and the signed decisions pushed by desktops.
//!
//! An approval reaches the server only as a decision signed with the
//! approver's key (`jianban_signoff`). The server checks the signature
//! against the keys registered for the signer and checks that the signer is
//! a person of the case's unit in the role the record names ([`signer_of`]);
//! the shared orchestration then applies the approval (or the return) with
//! the signer as the actor.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use jianban_domain::{Actor, RevisionHash, UnitId, UserId, UserRole};
use jianban_protocol::{
    Entity, KeyInfo, KeyReceipt, RegisterKeyRequest, RevokeKeyRequest, RevokeOwnKeyRequest,
    MAX_REVOCATION_REASON_CHARS,
};
use jianban_signoff::{is_valid_public_key, verify, Decision, SignedDecision, Verdict};
use serde_json::json;

use super::cases::{audit, AuditRecord, CommandError};
use super::changes::{emit, unit_audience};
use super::office::require_office;
use super::{fmt_time, Caller, Service};
use crate::db::{DbError, Tx};
use crate::error::{ApiError, ApiResult};
use crate::params;

pub(crate) const TIME_FORMAT: &str = "%Y-%m-%dT%H:%M:%S";

/// The signed approvals the server accepted for one revision of a case in
/// its current approval round, oldest first; a later approval of a step
/// replaces an earlier one.
pub(crate) fn decisions_for(
    tx: &mut dyn Tx,
    id: &str,
    revision: &RevisionHash,
    round: u32,
) -> Result<Vec<SignedDecision>, DbError> {
    let rows = tx.query(
        "SELECT signed_json FROM signed_decisions WHERE assignment_id = $1 AND revision = $2 ORDER BY received_at, step",
        params![id, &revision.0],
    )?;
    let mut out: Vec<SignedDecision> = Vec::new();
    for r in rows {
        let d: SignedDecision = serde_json::from_str(&r.text(0)?)?;
        if d.record.decision == Decision::Approve && d.record.round() == round {
            out.retain(|x| x.record.step != d.record.step);
            out.push(d);
        }
    }
    Ok(out)
}

/// The registered keys of everyone who signed `decisions`.
pub(crate) fn registry_for(
    tx: &mut dyn Tx,
    decisions: &[SignedDecision],
) -> Result<HashMap<UserId, Vec<String>>, DbError> {
    let mut all = HashMap::new();
    for d in decisions {
        if !all.contains_key(&d.record.signer) {
            all.extend(keys_of(tx, d.record.signer.as_str())?);
        }
    }
    Ok(all)
}

fn keys_of(tx: &mut dyn Tx, user: &str) -> Result<HashMap<UserId, Vec<String>>, DbError> {
    let rows = tx.query(
        "SELECT public_key FROM signing_keys WHERE user_id = $1",
        params![user],
    )?;
    let keys = rows
        .iter()
        .map(|r| r.text(0))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(HashMap::from([(UserId::new(user), keys)]))
}

fn signer(tx: &mut dyn Tx, id: &str) -> Result<Option<Actor>, DbError> {
    let Some(r) = tx.query_opt(
        "SELECT name, role, unit_id FROM users WHERE id = $1",
        params![id],
    )?
    else {
        return Ok(None);
    };
    let role: UserRole = serde_json::from_value(json!(r.text(1)?))?;
    Ok(Some(Actor {
        user: UserId::new(id),
        name: r.text(0)?,
        role,
        unit: r.opt_text(2)?.map(UnitId::new),
    }))
}

impl Service {
    /// `POST /v1/auth/keys`.
    pub fn register_key(&self, caller: &Caller, req: &RegisterKeyRequest) -> ApiResult<KeyReceipt> {
        if !matches!(
            caller.actor.role,
            UserRole::CaseHandler | UserRole::DeputyHead | UserRole::Head
        ) {
            return Err(ApiError::Forbidden(
                "只有审核签发人员（承办科室负责人、分管领导、主要负责人）需要登记签名密钥。".into(),
            ));
        }
        if !is_valid_public_key(&req.public_key) {
            return Err(ApiError::BadRequest {
                code: "signoff.bad_key",
                message: "签名公钥格式有误，请在建办中重新生成签名密钥后再登记。".into(),
            });
        }
        let now = self.now().format(TIME_FORMAT).to_string();
        let user = caller.actor.user.as_str().to_string();
        let key = req.public_key.clone();
        let created = self
            .db
            .write(|tx| -> ApiResult<bool> { Ok(register(tx, &user, &key, &now)?) })?;
        Ok(KeyReceipt {
            user_id: user,
            public_key: req.public_key.clone(),
            created,
        })
    }
}

/// Who signed `decision`, checked: the signature verifies against a key
/// registered for the signer and not revoked by `now` (the time the server
/// receives it), and the signer is a person of `unit` in the role the
/// record names. The approval is applied as that person.
pub(crate) fn signer_of(
    tx: &mut dyn Tx,
    decision: &SignedDecision,
    unit: &UnitId,
    now: NaiveDateTime,
) -> Result<Actor, CommandError> {
    let record = &decision.record;
    match verify(decision, &keys_of(tx, record.signer.as_str())?) {
        Verdict::Valid => {
            if let Some(at) = revoked_at(tx, record.signer.as_str(), &decision.public_key)? {
                if at <= now {
                    return Err(CommandError::KeyRevoked(format!(
                        "该签名密钥已于{}被撤销，请审核人重新登录并登记新密钥后再签。（签名人：{}）",
                        at.format("%Y年%-m月%-d日 %H:%M"),
                        record.signer_name
                    )));
                }
            }
        }
        Verdict::Tampered => {
            return Err(CommandError::Signature(
                "审核签名无效，记录可能被篡改，平台未接受。请重新审核签发。".into(),
            ))
        }
        Verdict::UnknownSigner => {
            return Err(CommandError::Signature(format!(
                "{}的签名密钥尚未在平台登记，平台无法确认签名。请其登录建办联网登记后重新审核。",
                record.signer_name
            )))
        }
    }
    signer(tx, record.signer.as_str())?
        .filter(|a| a.role == record.role && a.unit.as_ref() == Some(unit))
        .ok_or_else(|| {
            CommandError::Signature(format!(
                "签名人{}不是本单位的{}，平台未接受。",
                record.signer_name,
                record.role.label_zh()
            ))
        })
}

/// Whether the decision with this signature (lower-case hex, as decoded)
/// was already accepted for the case.
pub(crate) fn decision_exists(tx: &mut dyn Tx, id: &str, signature: &str) -> Result<bool, DbError> {
    Ok(tx
        .query_opt(
            "SELECT 1 FROM signed_decisions WHERE assignment_id = $1 AND signature = $2",
            params![id, signature],
        )?
        .is_some())
}

/// Keeps an accepted decision and sends it to the unit's other PCs, which
/// need it to verify the sign-off themselves. The signature identifies the
/// decision.
pub(crate) fn insert_decision(
    tx: &mut dyn Tx,
    decision: &SignedDecision,
    unit: &UnitId,
    now: NaiveDateTime,
) -> Result<(), DbError> {
    let record = &decision.record;
    tx.exec(
        "INSERT INTO signed_decisions (assignment_id, revision, step, signature, signed_json, received_at)
         VALUES ($1, $2, $3, $4, $5, $6)",
        params![
            record.assignment_id.as_str(),
            &record.revision.0,
            record.step as i64,
            &decision.signature,
            serde_json::to_string(decision)?,
            now.format(TIME_FORMAT).to_string()
        ],
    )?;
    emit(
        tx,
        Entity::SignedDecision,
        &decision.signature,
        &unit_audience(unit.as_str()),
        decision,
    )?;
    flag_clock_skew(tx, decision, unit, now)?;
    Ok(())
}

/// How far ahead of the server's clock a decision's time may be. A few
/// minutes cover PCs whose clocks drift without time synchronization; a
/// decision from further in the future cannot have happened yet.
pub const DECISION_AHEAD_TOLERANCE_MINUTES: i64 = 10;

/// How far behind the server's clock a decision's time may be when it
/// arrives. A head may approve offline and the PC sync days later (a trip,
/// a holiday), so the past gets a week; older times are more likely a PC
/// whose clock is wrong than a week-long offline approval.
pub const DECISION_BEHIND_TOLERANCE_DAYS: i64 = 7;

/// The audit action of a decision whose time is out of tolerance.
pub const DECISION_CLOCK_SKEW: &str = "decision_clock_skew";

/// A decision's time is the approver's PC clock and is signed, so the
/// server cannot correct it. A wrong clock must not block a reply, so the
/// decision is accepted; the office sees an audit line with both times.
fn flag_clock_skew(
    tx: &mut dyn Tx,
    decision: &SignedDecision,
    unit: &UnitId,
    now: NaiveDateTime,
) -> Result<(), DbError> {
    let at = decision.record.at;
    let ahead = at - now > chrono::Duration::minutes(DECISION_AHEAD_TOLERANCE_MINUTES);
    let behind = now - at > chrono::Duration::days(DECISION_BEHIND_TOLERANCE_DAYS);
    if !(ahead || behind) {
        return Ok(());
    }
    let record = &decision.record;
    let signer = Actor {
        user: record.signer.clone(),
        name: record.signer_name.clone(),
        role: record.role,
        unit: Some(unit.clone()),
    };
    super::cases::audit(
        tx,
        &super::cases::AuditRecord {
            at: now,
            actor: &signer,
            assignment_id: Some(record.assignment_id.as_str()),
            action: DECISION_CLOCK_SKEW,
            detail: json!({
                "decision_at": at.format(TIME_FORMAT).to_string(),
                "server_at": now.format(TIME_FORMAT).to_string(),
                "step": record.step,
                "signature": decision.signature,
                "note": if ahead {
                    format!("审核时间比平台时间快{}分钟以上，审核人电脑的时钟可能不准，已照常接受，请核实。", DECISION_AHEAD_TOLERANCE_MINUTES)
                } else {
                    format!("审核时间比平台收到时早{}天以上，审核人电脑的时钟可能不准（或长期离线），已照常接受，请核实。", DECISION_BEHIND_TOLERANCE_DAYS)
                },
            }),
            before: None,
            after: None,
        },
    )
}

/// Registers `public_key` for `user` unless it already is.
pub(crate) fn register(
    tx: &mut dyn Tx,
    user: &str,
    public_key: &str,
    at: &str,
) -> Result<bool, DbError> {
    let exists = tx
        .query_opt(
            "SELECT 1 FROM signing_keys WHERE user_id = $1 AND public_key = $2",
            params![user, public_key],
        )?
        .is_some();
    if !exists {
        // What the key is registered for: the user's role and unit now.
        tx.exec(
            "INSERT INTO signing_keys (user_id, public_key, registered_at, role, unit_id)
             SELECT $1, $2, $3, role, unit_id FROM users WHERE id = $1",
            params![user, public_key, at],
        )?;
    }
    Ok(!exists)
}

/// When the key `public_key` of `user` was revoked, if it was.
pub(crate) fn revoked_at(
    tx: &mut dyn Tx,
    user: &str,
    public_key: &str,
) -> Result<Option<NaiveDateTime>, DbError> {
    let Some(r) = tx.query_opt(
        "SELECT revoked_at FROM signing_keys WHERE user_id = $1 AND public_key = $2",
        params![user, public_key],
    )?
    else {
        return Ok(None);
    };
    r.opt_text(0)?
        .map(|t| parse_time(&t))
        .transpose()
        .map_err(DbError::Decode)
}

/// A time as the server writes it (with or without milliseconds).
pub(crate) fn parse_time(t: &str) -> Result<NaiveDateTime, String> {
    NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M:%S%.f")
        .map_err(|e| format!("时间“{t}”格式有误：{e}"))
}

const KEY_COLUMNS: &str = "SELECT k.user_id, u.name, k.role, k.unit_id, k.public_key, k.registered_at, k.revoked_at, k.revoked_by, k.revocation_reason
   FROM signing_keys k JOIN users u ON u.id = k.user_id";

fn key_info(r: &crate::db::Row) -> Result<KeyInfo, DbError> {
    Ok(KeyInfo {
        user_id: r.text(0)?,
        user_name: r.text(1)?,
        role: r.opt_text(2)?,
        unit_id: r.opt_text(3)?,
        public_key: r.text(4)?,
        registered_at: r.text(5)?,
        revoked_at: r.opt_text(6)?,
        revoked_by: r.opt_text(7)?,
        revocation_reason: r.opt_text(8)?,
    })
}

fn load_key(tx: &mut dyn Tx, user: &str, public_key: &str) -> Result<Option<KeyInfo>, DbError> {
    tx.query_opt(
        &format!("{KEY_COLUMNS} WHERE k.user_id = $1 AND k.public_key = $2"),
        params![user, public_key],
    )?
    .as_ref()
    .map(key_info)
    .transpose()
}

/// The reason of a revocation, trimmed: required and bounded.
fn check_reason(reason: &str) -> ApiResult<String> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(ApiError::bad_request(
            "keys.reason_required",
            "请填写撤销签名密钥的原因（如：电脑遗失、人员调离）。",
        ));
    }
    if reason.chars().count() > MAX_REVOCATION_REASON_CHARS {
        return Err(ApiError::bad_request(
            "keys.reason_too_long",
            format!("撤销原因过长，最多{MAX_REVOCATION_REASON_CHARS}个字，请精简后重试。"),
        ));
    }
    Ok(reason.to_string())
}

/// The audit action of a key revocation.
pub const REVOKE_SIGNING_KEY: &str = "revoke_signing_key";

impl Service {
    /// `GET /v1/keys`: the registered signing keys with their revocations;
    /// the office sees every key, anyone else the keys of their unit's
    /// people.
    pub fn list_keys(&self, caller: &Caller) -> ApiResult<Vec<KeyInfo>> {
        let actor = &caller.actor;
        self.db.read(|tx| -> ApiResult<Vec<KeyInfo>> {
            let rows = if actor.role == UserRole::OfficeStaff {
                tx.query(
                    &format!("{KEY_COLUMNS} ORDER BY k.user_id, k.registered_at, k.public_key"),
                    &[],
                )?
            } else {
                let Some(unit) = &actor.unit else {
                    return Ok(Vec::new());
                };
                tx.query(
                    &format!(
                        "{KEY_COLUMNS} WHERE u.unit_id = $1 ORDER BY k.user_id, k.registered_at, k.public_key"
                    ),
                    params![unit.as_str()],
                )?
            };
            Ok(rows.iter().map(key_info).collect::<Result<_, _>>()?)
        })
    }

    /// `POST /v1/office/keys/revoke` (and `revoke-key` on the command line).
    pub fn revoke_key(&self, actor: &Actor, req: &RevokeKeyRequest) -> ApiResult<KeyInfo> {
        require_office(actor)?;
        let reason = check_reason(&req.reason)?;
        self.revoke(actor, &req.user_id, &req.public_key, &reason, false)
    }

    /// `POST /v1/auth/keys/revoke`: an approver withdraws their own key
    /// (the PC that holds it was lost); another person's key is refused.
    pub fn revoke_own_key(&self, caller: &Caller, req: &RevokeOwnKeyRequest) -> ApiResult<KeyInfo> {
        let reason = check_reason(&req.reason)?;
        let user = caller.actor.user.as_str();
        let (own, anyone) = self.db.read(|tx| -> ApiResult<(bool, bool)> {
            let own = load_key(tx, user, &req.public_key)?.is_some();
            let anyone = tx
                .query_opt(
                    "SELECT 1 FROM signing_keys WHERE public_key = $1",
                    params![&req.public_key],
                )?
                .is_some();
            Ok((own, anyone))
        })?;
        if !own && anyone {
            return Err(ApiError::Forbidden(
                "只能撤销本人的签名密钥；其他人的密钥请联系市政府办公室撤销。".into(),
            ));
        }
        self.revoke(&caller.actor, user, &req.public_key, &reason, true)
    }

    /// Marks the key revoked now, with the audit line, unless it already
    /// is: then the first revocation stands and is answered again.
    fn revoke(
        &self,
        actor: &Actor,
        user: &str,
        public_key: &str,
        reason: &str,
        own: bool,
    ) -> ApiResult<KeyInfo> {
        let now = self.now();
        self.db.write(|tx| -> ApiResult<KeyInfo> {
            let before = load_key(tx, user, public_key)?.ok_or_else(|| {
                ApiError::NotFound(format!("用户“{user}”登记的签名密钥“{public_key}”"))
            })?;
            if before.revoked_at.is_some() {
                return Ok(before);
            }
            tx.exec(
                "UPDATE signing_keys SET revoked_at = $3, revoked_by = $4, revocation_reason = $5
                  WHERE user_id = $1 AND public_key = $2 AND revoked_at IS NULL",
                params![user, public_key, fmt_time(now), actor.user.as_str(), reason],
            )?;
            audit(
                tx,
                &AuditRecord::without_assignment(
                    now,
                    actor,
                    REVOKE_SIGNING_KEY,
                    json!({
                        "user_id": user,
                        "public_key": public_key,
                        "reason": reason,
                        "own_key": own,
                    }),
                ),
            )?;
            load_key(tx, user, public_key)?
                .ok_or_else(|| ApiError::Internal("revoked key vanished".into()))
        })
    }
}
