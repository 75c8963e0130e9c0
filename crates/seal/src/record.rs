//! The sign-off records a sealed letter carries as an embedded file
//! (`jianban-signoff.json`): everything a verifier needs to re-check the
//! approval chain without the unit's database.

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

use jianban_domain::{ApprovalStep, AssignmentId, ReplyContent, RevisionHash};
use jianban_signoff::SignedDecision;

/// The embedded file's name inside the PDF.
pub const ATTACHMENT_NAME: &str = "jianban-signoff.json";

/// Format tag of the embedded records; a verifier refuses other versions.
pub const RECORD_FORMAT: &str = "jianban-signoff/1";

/// Tag at the start of the QR code's text.
pub const QR_FORMAT: &str = "JBQF1";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SealRecord {
    pub format: String,
    pub assignment_id: AssignmentId,
    /// The handling unit whose certificate seals the letter.
    pub unit: String,
    /// The signed revision's content, canonical: its `content_hash()` is
    /// the revision every decision names.
    pub content: ReplyContent,
    /// The unit's approval chain the decisions follow.
    pub chain: Vec<ApprovalStep>,
    /// One approving decision per step, in chain order.
    pub decisions: Vec<SignedDecision>,
    /// 验证码 printed on the letter.
    pub verification_code: String,
    /// 签发人 and time: the last step's signer.
    pub signer: String,
    pub signed_at: NaiveDateTime,
}

impl SealRecord {
    /// The revision the decisions approved (the last step's).
    pub fn signed_revision(&self) -> Option<&RevisionHash> {
        self.decisions.last().map(|d| &d.record.revision)
    }

    pub fn to_json(&self) -> Vec<u8> {
        serde_json::to_vec_pretty(self).expect("a seal record serializes")
    }

    /// The QR code's text: format tag, assignment, revision hash,
    /// verification code, signer, time; `|` separated (none of the fields
    /// can hold one: ids and hashes are plain, names are cleaned of it).
    pub fn qr_payload(&self) -> String {
        qr_payload(
            &self.assignment_id,
            &self.content.content_hash(),
            &self.verification_code,
            &self.signer,
            self.signed_at,
        )
    }
}

pub fn qr_payload(
    assignment: &AssignmentId,
    revision: &RevisionHash,
    code: &str,
    signer: &str,
    at: NaiveDateTime,
) -> String {
    let clean = |s: &str| s.replace('|', "／");
    format!(
        "{QR_FORMAT}|{}|{}|{}|{}|{}",
        clean(assignment.as_str()),
        revision.0,
        code,
        clean(signer),
        at.format("%Y-%m-%dT%H:%M")
    )
}
