//! Is a set of signed decisions a complete sign-off of this exact revision?
//!
//! The desktop asks before it submits or exports a final letter; the central
//! server asks before it accepts a reply. Both use this function.

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use jianban_domain::{ApprovalStep, AssignmentId, RevisionHash};

use crate::error::SignoffError;
use crate::record::{verify, Decision, KeyRegistry, SignedDecision, Verdict};

/// A verified sign-off.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignOff {
    pub revision: RevisionHash,
    /// 签发人: the signer of the last step.
    pub signer_name: String,
    pub signed_at: NaiveDateTime,
    /// A short code printed on the letter (e.g. `7KQ2-M9XD-4TRA-PC1E`) that
    /// identifies this exact sign-off.
    pub verification_code: String,
}

/// Checks that `decisions` approve `revision` of `assignment` at every step
/// of `chain`, in order, each by the step's role and each signature valid and
/// registered. Returns the sign-off with its verification code.
pub fn verify_sign_off(
    chain: &[ApprovalStep],
    assignment: &AssignmentId,
    revision: &RevisionHash,
    decisions: &[SignedDecision],
    registry: &dyn KeyRegistry,
) -> Result<SignOff, SignoffError> {
    let mut last = None;
    for (i, step) in chain.iter().enumerate() {
        let d = decisions
            .iter()
            .find(|d| d.record.step == i && d.record.decision == Decision::Approve)
            .ok_or_else(|| SignoffError::Incomplete {
                step: step.title.clone(),
            })?;
        if &d.record.revision != revision || &d.record.assignment_id != assignment {
            return Err(SignoffError::WrongRevision);
        }
        match verify(d, registry) {
            Verdict::Valid => {}
            Verdict::Tampered => {
                return Err(SignoffError::Tampered {
                    step: step.title.clone(),
                })
            }
            Verdict::UnknownSigner => {
                return Err(SignoffError::UnknownSigner {
                    step: step.title.clone(),
                    signer: d.record.signer_name.clone(),
                })
            }
        }
        if d.record.role != step.role {
            return Err(SignoffError::WrongRole {
                step: step.title.clone(),
                needed: step.role.label_zh(),
                actual: d.record.role.label_zh(),
            });
        }
        last = Some(d);
    }
    let last = last.ok_or_else(|| SignoffError::Incomplete {
        step: "主要负责人审核签发".into(),
    })?;
    Ok(SignOff {
        revision: revision.clone(),
        signer_name: last.record.signer_name.clone(),
        signed_at: last.record.at,
        verification_code: verification_code(revision, decisions, chain.len()),
    })
}

/// SHA-256 over the revision and the chain's signatures, first 80 bits in
/// Crockford base32 (no I, L, O, U: easy to read aloud and to type).
pub fn verification_code(
    revision: &RevisionHash,
    decisions: &[SignedDecision],
    steps: usize,
) -> String {
    let mut h = Sha256::new();
    h.update(revision.0.as_bytes());
    for i in 0..steps {
        if let Some(d) = decisions
            .iter()
            .find(|d| d.record.step == i && d.record.decision == Decision::Approve)
        {
            h.update(d.signature.as_bytes());
        }
    }
    let digest = h.finalize();
    const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let mut bits: u128 = 0;
    for b in &digest[..10] {
        bits = (bits << 8) | u128::from(*b);
    }
    let chars: Vec<char> = (0..16)
        .map(|i| ALPHABET[((bits >> (75 - 5 * i)) & 31) as usize] as char)
        .collect();
    chars
        .chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-")
}
