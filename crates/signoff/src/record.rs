//! Signed decision records: what an approver decided about one exact
//! revision, signed with the approver's key.

use chrono::NaiveDateTime;
use ed25519_dalek::{Signature, Verifier};
use serde::{Deserialize, Serialize};

use jianban_domain::{AssignmentId, RevisionHash, UserId, UserRole};

use crate::keys::{parse_public_key, UnlockedKey};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// 同意 (the last step's approval is the sign-off, 签发).
    Approve,
    /// 退回修改.
    Return,
}

/// {revision hash, signer, role, time, decision, comment} and where in the
/// chain it stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecisionRecord {
    pub assignment_id: AssignmentId,
    pub revision: RevisionHash,
    pub step: usize,
    pub step_title: String,
    pub signer: UserId,
    pub signer_name: String,
    pub role: UserRole,
    pub decision: Decision,
    #[serde(default)]
    pub comment: String,
    pub at: NaiveDateTime,
    /// The case's approval round (`Case::approval_round`) the decision was
    /// given in: signed, so a decision cannot be replayed after the reply
    /// was returned and submitted again. Last, and left out when absent,
    /// so records signed before rounds existed keep their signed bytes
    /// (they count as round 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub round: Option<u32>,
}

/// Domain separation: a signature over a decision can never be taken for a
/// signature over anything else.
const CONTEXT: &[u8] = b"jianban decision record v1\n";

impl DecisionRecord {
    /// The approval round the decision was given in (0 for records signed
    /// before rounds were counted).
    pub fn round(&self) -> u32 {
        self.round.unwrap_or(0)
    }

    /// The bytes that are signed: a fixed prefix and the record as compact
    /// JSON (serde writes fields in declaration order, so it is stable).
    pub fn signed_bytes(&self) -> Vec<u8> {
        let mut bytes = CONTEXT.to_vec();
        bytes.extend(serde_json::to_vec(self).expect("a decision record serializes"));
        bytes
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedDecision {
    pub record: DecisionRecord,
    /// The signer's Ed25519 public key, hex.
    pub public_key: String,
    /// Ed25519 signature over [`DecisionRecord::signed_bytes`], hex.
    pub signature: String,
}

pub fn sign(record: DecisionRecord, key: &UnlockedKey) -> SignedDecision {
    let signature = key.sign(&record.signed_bytes());
    SignedDecision {
        public_key: key.public_key_hex(),
        signature: hex::encode(signature),
        record,
    }
}

/// The public keys registered for each person (at the central server, and
/// cached on desktops).
pub trait KeyRegistry {
    fn is_registered(&self, user: &UserId, public_key_hex: &str) -> bool;
}

impl KeyRegistry for std::collections::HashMap<UserId, Vec<String>> {
    fn is_registered(&self, user: &UserId, public_key_hex: &str) -> bool {
        self.get(user)
            .is_some_and(|keys| keys.iter().any(|k| k == public_key_hex))
    }
}

/// The answer a verifier gives about one signed decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Valid,
    /// The signature does not match the record: something was changed.
    Tampered,
    /// The key is not registered for the named signer.
    UnknownSigner,
}

impl Verdict {
    pub fn label_zh(&self) -> &'static str {
        match self {
            Verdict::Valid => "签名有效",
            Verdict::Tampered => "签名无效（内容被改动）",
            Verdict::UnknownSigner => "签名人未登记",
        }
    }
}

pub fn verify(decision: &SignedDecision, registry: &dyn KeyRegistry) -> Verdict {
    let Ok(key) = parse_public_key(&decision.public_key) else {
        return Verdict::Tampered;
    };
    let Some(sig) = hex::decode(&decision.signature)
        .ok()
        .and_then(|b| <[u8; 64]>::try_from(b).ok())
    else {
        return Verdict::Tampered;
    };
    if key
        .verify(
            &decision.record.signed_bytes(),
            &Signature::from_bytes(&sig),
        )
        .is_err()
    {
        return Verdict::Tampered;
    }
    if !registry.is_registered(&decision.record.signer, &decision.public_key) {
        return Verdict::UnknownSigner;
    }
    Verdict::Valid
}
