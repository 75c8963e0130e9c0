//! `jianban-server verify LETTER.pdf`: checks a sealed reply letter against
//! the approvers' keys registered with this server (the `signing_keys`
//! table). Prints the verdict and the details in Chinese; the exit status
//! is 0 valid, 1 tampered (or signed with a key revoked before the server
//! received the decision), 2 unknown signer (3 when the check could not
//! run at all, e.g. the file is missing).
//!
//! A revoked key still verifies the decisions the server received before
//! the revocation: the letter is valid and the report says when the key
//! was revoked. A decision with a revoked key that the server did not hold
//! before the revocation makes the letter invalid.

use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap};
use std::path::Path;
use std::process::ExitCode;

use chrono::NaiveDateTime;
use jianban_domain::UserId;
use jianban_seal::{verify_pdf, PdfVerdict, PdfVerification};
use jianban_signoff::{KeyRegistry, SignedDecision};

use crate::db::Tx;
use crate::error::ApiError;
use crate::params;
use crate::service::keys::parse_time;
use crate::service::Service;

/// Every registered key, by user, with its revocation time; and the keys
/// the check used (a revoked one among them is looked at afterwards).
struct Registry {
    keys: HashMap<UserId, Vec<(String, Option<NaiveDateTime>)>>,
    used: RefCell<BTreeSet<(String, String)>>,
}

impl KeyRegistry for Registry {
    fn is_registered(&self, user: &UserId, public_key_hex: &str) -> bool {
        let found = self
            .keys
            .get(user)
            .is_some_and(|keys| keys.iter().any(|(k, _)| k == public_key_hex));
        if found {
            self.used
                .borrow_mut()
                .insert((user.as_str().to_string(), public_key_hex.to_string()));
        }
        found
    }
}

impl Registry {
    fn revoked_at(&self, user: &str, key: &str) -> Option<NaiveDateTime> {
        self.keys
            .get(&UserId::new(user))?
            .iter()
            .find(|(k, _)| k == key)?
            .1
    }
}

/// The table holds one row per approver key, so reading it whole is cheap
/// and keeps the check in one place.
fn registry(tx: &mut dyn Tx) -> Result<Registry, ApiError> {
    let rows = tx.query(
        "SELECT user_id, public_key, revoked_at FROM signing_keys",
        &[],
    )?;
    let mut keys: HashMap<UserId, Vec<(String, Option<NaiveDateTime>)>> = HashMap::new();
    for r in rows {
        let revoked = r
            .opt_text(2)?
            .map(|t| parse_time(&t))
            .transpose()
            .map_err(ApiError::Internal)?;
        keys.entry(UserId::new(r.text(0)?))
            .or_default()
            .push((r.text(1)?, revoked));
    }
    Ok(Registry {
        keys,
        used: RefCell::new(BTreeSet::new()),
    })
}

/// When the server received a decision of `assignment` signed by `user`
/// with `key` before `revoked`, the earliest such time.
fn received_before(
    tx: &mut dyn Tx,
    assignment: &str,
    user: &str,
    key: &str,
    revoked: NaiveDateTime,
) -> Result<Option<NaiveDateTime>, ApiError> {
    let rows = tx.query(
        "SELECT received_at, signed_json FROM signed_decisions WHERE assignment_id = $1 ORDER BY received_at",
        params![assignment],
    )?;
    for r in rows {
        let d: SignedDecision =
            serde_json::from_str(&r.text(1)?).map_err(|e| ApiError::Internal(e.to_string()))?;
        let at = parse_time(&r.text(0)?).map_err(ApiError::Internal)?;
        if d.record.signer.as_str() == user && d.public_key == key && at < revoked {
            return Ok(Some(at));
        }
    }
    Ok(None)
}

fn minute(t: NaiveDateTime) -> String {
    t.format("%Y-%m-%d %H:%M").to_string()
}

/// The revocation lines for a letter that verified: a note for each
/// revoked key whose decision the server had before the revocation, and
/// `false` when a decision with a revoked key was not received before it.
fn revocations(
    svc: &Service,
    reg: &Registry,
    result: &PdfVerification,
) -> Result<(Vec<String>, bool), ApiError> {
    let mut notes = Vec::new();
    let mut valid = true;
    let Some(assignment) = &result.assignment_id else {
        return Ok((notes, valid));
    };
    let used: Vec<(String, String)> = reg.used.borrow().iter().cloned().collect();
    for (user, key) in used {
        let Some(revoked) = reg.revoked_at(&user, &key) else {
            continue;
        };
        let received = svc
            .db
            .read(|tx| received_before(tx, assignment.as_str(), &user, &key, revoked))?;
        match received {
            Some(at) => notes.push(format!(
                "签名密钥已于{}撤销，撤销前的签发仍有效（签名人{user}，平台于{}收到该签发）",
                minute(revoked),
                minute(at)
            )),
            None => {
                valid = false;
                notes.push(format!(
                    "签名人{user}的签名密钥已于{}撤销，平台在撤销前没有收到该签发，签发无效",
                    minute(revoked)
                ));
            }
        }
    }
    Ok((notes, valid))
}

pub fn run(svc: &Service, letter: &Path) -> Result<ExitCode, ApiError> {
    let bytes = std::fs::read(letter).map_err(|e| {
        ApiError::bad_request(
            "cli.read_file",
            format!(
                "无法读取文件{}：{e}。请检查路径是否正确。",
                letter.display()
            ),
        )
    })?;
    let reg = svc.db.read(registry)?;
    let mut result = verify_pdf(&bytes, &reg);
    let mut notes = Vec::new();
    if result.verdict == PdfVerdict::Valid {
        let (lines, valid) = revocations(svc, &reg, &result)?;
        notes = lines;
        if !valid {
            result.verdict = PdfVerdict::Tampered;
        }
    }
    println!("文件：{}", letter.display());
    let report = result.report_zh();
    if result.verdict == PdfVerdict::Tampered && result.failed_check.is_none() {
        // Intact, but signed with a revoked key: say so instead of
        // "changed".
        let rest = report.split_once('\n').map(|(_, r)| r).unwrap_or("");
        println!("核验结果：无效：签名密钥已被撤销");
        println!("未通过的检查：{}", notes.join("；"));
        println!("{rest}");
    } else {
        println!("{report}");
        for note in &notes {
            println!("注意：{note}");
        }
    }
    Ok(ExitCode::from(result.verdict.exit_code() as u8))
}
