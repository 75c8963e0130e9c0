//! The signed reply letter anyone can verify (签章版答复函).
//!
//! [`verify_sign_off`] checks the sign-off (once); the [`VerifiedSignOff`]
//! it returns renders the letter with its approval block and QR code
//! (one layout), embeds the sign-off records (`jianban-signoff.json`) and
//! signs the whole PDF with the unit's certificate as a standard PDF
//! signature, so `pdfsig`, Adobe Reader and other readers show it.
//! [`seal_letter`] does both in one call.
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
use jianban_letter::{
    ApprovalBlock, FontReport, Letter, LetterRenderer, PdfOptions, SuggestionRef,
};
use jianban_signoff::{Decision, KeyRegistry, SignOff, SignedDecision};

pub use cert::UnitCertificate;
pub use error::SealError;
pub use record::{SealRecord, ATTACHMENT_NAME, RECORD_FORMAT};
pub use verify::{verify_pdf, PdfVerdict, PdfVerification};

/// What a sign-off is checked against: the approved content and who
/// approved it.
pub struct SignOffInput<'a> {
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
}

/// How the verified letter is laid out and sealed.
pub struct SealOptions<'a> {
    pub certificate: &'a UnitCertificate,
    /// 成文日期; the sign-off day when `None`.
    pub date: Option<NaiveDate>,
    pub suggestion: Option<SuggestionRef>,
    /// The seal image over the unit name (PNG/JPEG).
    pub seal_image: Option<Vec<u8>>,
    /// When the PDF is sealed (the PDF signature's time).
    pub sealed_at: DateTime<Utc>,
}

/// A sign-off verified for exactly one content: the records a sealed
/// letter embeds. Only [`verify_sign_off`] makes one, so a letter is never
/// sealed without the check (不审核不答复).
pub struct VerifiedSignOff {
    sign_off: SignOff,
    record: SealRecord,
}

/// The sealed letter and what its one layout found.
pub struct Sealed {
    /// PDF bytes.
    pub pdf: Vec<u8>,
    pub pages: usize,
    /// Which fonts stood in for the standard's.
    pub report: FontReport,
}

/// Checks the sign-off of `input.content`; refuses when it does not verify
/// for exactly this content (不审核不答复).
pub fn verify_sign_off(input: &SignOffInput<'_>) -> Result<VerifiedSignOff, SealError> {
    let revision = input.content.content_hash();
    let sign_off = jianban_signoff::verify_sign_off(
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
    Ok(VerifiedSignOff { sign_off, record })
}

impl VerifiedSignOff {
    /// Who signed off, when, and the verification code printed on the letter.
    pub fn sign_off(&self) -> &SignOff {
        &self.sign_off
    }

    /// Renders the letter with its approval block (one layout), embeds the
    /// records and signs the PDF with the unit certificate.
    pub fn seal(
        &self,
        renderer: &mut LetterRenderer,
        options: &SealOptions<'_>,
    ) -> Result<Sealed, SealError> {
        let record = &self.record;
        let date = options.date.unwrap_or(record.signed_at.date());
        let mut letter = Letter::from_reply_content(&record.content, &record.unit, date);
        letter.suggestion = options.suggestion.clone();
        letter.seal = options.seal_image.clone();
        letter.approval = Some(ApprovalBlock {
            signer: record.signer.clone(),
            signed_at: Some(record.signed_at),
            verification_code: Some(record.verification_code.clone()),
            qr_payload: Some(record.qr_payload()),
        });
        let rendered = renderer.render_pdf(
            &letter,
            &PdfOptions {
                created_unix: Some(options.sealed_at.timestamp()),
            },
        )?;

        let json = record.to_json();
        let reason = format!(
            "审核签发：{}，验证码 {}",
            record.signer, record.verification_code
        );
        let pdf = pdfsign::sign_pdf(
            &rendered.output,
            &pdfsign::Attachment {
                name: ATTACHMENT_NAME,
                mime: "application/json",
                description: "审核签发记录（签名决定、审核流程、答复内容）",
                bytes: &json,
            },
            options.certificate,
            &pdfsign::SignatureInfo {
                name: &record.unit,
                reason: &reason,
                at: options.sealed_at,
            },
        )?;
        Ok(Sealed {
            pdf,
            pages: rendered.pages,
            report: rendered.report,
        })
    }
}

/// The sealed letter, PDF bytes: [`verify_sign_off`] then
/// [`VerifiedSignOff::seal`]. Refuses when the sign-off does not verify for
/// exactly this content (不审核不答复).
pub fn seal_letter(
    renderer: &mut LetterRenderer,
    sign_off: &SignOffInput<'_>,
    options: &SealOptions<'_>,
) -> Result<Vec<u8>, SealError> {
    let sealed = verify_sign_off(sign_off)?.seal(renderer, options)?;
    Ok(sealed.pdf)
}
