//! The signed reply letter anyone can verify (签章版答复函).
//!
//! [`seal_letter`] checks the sign-off, renders the letter with its approval
//! block and QR code, embeds the sign-off records (`jianban-signoff.json`)
//! and signs the whole PDF with the unit's certificate as a standard PDF
//! signature, so `pdfsig`, Adobe Reader and other readers show it.
//! [`verify_pdf`] answers valid, tampered or unknown signer for such a file.
//!
//! No I/O and no clock: the caller passes the time, keys and certificate.

pub mod cert;
pub mod pdfsign;
pub mod record;
pub mod verify;

mod error;

use chrono::{DateTime, NaiveDate, Utc};

use jianban_domain::{ApprovalStep, AssignmentId, ReplyContent};
use jianban_letter::{ApprovalBlock, Letter, LetterRenderer, PdfOptions, SuggestionRef};
use jianban_signoff::{verify_sign_off, Decision, KeyRegistry, SignedDecision};

pub use cert::UnitCertificate;
pub use error::SealError;
pub use record::{SealRecord, ATTACHMENT_NAME, RECORD_FORMAT};
pub use verify::{verify_pdf, PdfVerdict, PdfVerification};

/// What a sealed letter is made of.
pub struct SealInput<'a> {
    pub assignment: &'a AssignmentId,
    /// 发文机关署名: the handling unit, as its certificate names it.
    pub unit: &'a str,
    /// The revision that was signed off.
    pub content: &'a ReplyContent,
    /// The unit's approval chain.
    pub chain: &'a [ApprovalStep],
    /// The signed decisions (more than the chain needs is fine: the ones
    /// the sign-off rests on are embedded).
    pub decisions: &'a [SignedDecision],
    /// The registered approvers' keys.
    pub registry: &'a dyn KeyRegistry,
    pub certificate: &'a UnitCertificate,
    /// 成文日期; the sign-off day when `None`.
    pub date: Option<NaiveDate>,
    pub suggestion: Option<SuggestionRef>,
    /// The seal image over the unit name (PNG/JPEG).
    pub seal_image: Option<Vec<u8>>,
    /// When the PDF is sealed (the PDF signature's time).
    pub sealed_at: DateTime<Utc>,
}

/// The sealed letter, PDF bytes. Refuses when the sign-off does not verify
/// for exactly this content (不审核不答复).
pub fn seal_letter(
    renderer: &mut LetterRenderer,
    input: &SealInput<'_>,
) -> Result<Vec<u8>, SealError> {
    let revision = input.content.content_hash();
    let sign_off = verify_sign_off(
        input.chain,
        input.assignment,
        &revision,
        input.decisions,
        input.registry,
    )
    .map_err(SealError::SignOff)?;
    // The decisions the sign-off rests on, in chain order (the same choice
    // `verify_sign_off` makes), so the verification code is reproducible.
    let decisions: Vec<SignedDecision> = (0..input.chain.len())
        .filter_map(|i| {
            input
                .decisions
                .iter()
                .find(|d| d.record.step == i && d.record.decision == Decision::Approve)
                .cloned()
        })
        .collect();
    let record = SealRecord {
        format: RECORD_FORMAT.to_string(),
        assignment_id: input.assignment.clone(),
        unit: input.unit.to_string(),
        content: input.content.clone(),
        chain: input.chain.to_vec(),
        decisions,
        verification_code: sign_off.verification_code.clone(),
        signer: sign_off.signer_name.clone(),
        signed_at: sign_off.signed_at,
    };

    let date = input.date.unwrap_or(sign_off.signed_at.date());
    let mut letter = Letter::from_reply_content(input.content, input.unit, date);
    letter.suggestion = input.suggestion.clone();
    letter.seal = input.seal_image.clone();
    letter.approval = Some(ApprovalBlock {
        signer: sign_off.signer_name.clone(),
        signed_at: Some(sign_off.signed_at),
        verification_code: Some(sign_off.verification_code.clone()),
        qr_payload: Some(record.qr_payload()),
    });
    let pdf = renderer.render_pdf(
        &letter,
        &PdfOptions {
            created_unix: Some(input.sealed_at.timestamp()),
        },
    )?;

    let json = record.to_json();
    let reason = format!(
        "审核签发：{}，验证码 {}",
        record.signer, record.verification_code
    );
    pdfsign::sign_pdf(
        &pdf.output,
        &pdfsign::Attachment {
            name: ATTACHMENT_NAME,
            mime: "application/json",
            description: "审核签发记录（签名决定、审核流程、答复内容）",
            bytes: &json,
        },
        input.certificate,
        &pdfsign::SignatureInfo {
            name: input.unit,
            reason: &reason,
            at: input.sealed_at,
        },
    )
}
