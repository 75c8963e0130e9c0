//! Producing the final PDF of a reply.
//!
//! The one place a signed-off reply becomes its final document: the sealed
//! letter of `jianban-seal` (approval block with verification code and QR
//! code, the signed decisions embedded, and the unit certificate's PDF
//! signature over the whole file).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use jianban_domain::{ApprovalStep, AssignmentId, ReplyContent, UnitId, UserId};
use jianban_letter::{Letter, LetterRenderer};
use jianban_seal::{seal_letter, SealInput, UnitCertificate};
use jianban_store::{SignedDecision, Store, StoreError};

use crate::error::CommandError;

/// What sealing a reply needs from the store, read in one go.
pub struct SealSource {
    pub assignment: AssignmentId,
    pub content: ReplyContent,
    pub chain: Vec<ApprovalStep>,
    pub decisions: Vec<SignedDecision>,
    pub keys: HashMap<UserId, Vec<String>>,
    pub certificate: UnitCertificate,
}

impl SealSource {
    /// Reads the signed-off revision and its decisions; makes the unit's
    /// certificate on first use (self-managed, kept in the store).
    pub fn read(
        store: &mut Store,
        id: &str,
        unit: &UnitId,
        unit_name: &str,
        now: DateTime<Utc>,
    ) -> Result<Self, CommandError> {
        // Refuses unless the chain is complete for the current revision.
        store.sign_off(id)?;
        let case = store.case(id)?;
        let content = store
            .current_draft(id)?
            .ok_or_else(|| StoreError::NotFound {
                what: "答复稿".into(),
            })?
            .content;
        let certificate = match store.unit_certificate_pem(unit)? {
            Some(pem) => UnitCertificate::from_pem(&pem).map_err(seal_error)?,
            None => {
                let cert = UnitCertificate::generate(unit_name, now).map_err(seal_error)?;
                store.set_unit_certificate_pem(unit, &cert.to_pem().map_err(seal_error)?)?;
                cert
            }
        };
        Ok(Self {
            assignment: AssignmentId::new(id),
            content,
            chain: case.approval_chain,
            decisions: store.decision_history(id)?,
            keys: store.known_keys()?,
            certificate,
        })
    }
}

fn seal_error(e: jianban_seal::SealError) -> CommandError {
    CommandError::new(e.code(), e.to_string())
}

/// The sealed PDF of `letter` (its text must be `src.content`'s).
pub fn final_pdf(
    renderer: &mut LetterRenderer,
    letter: &Letter,
    src: &SealSource,
    now: DateTime<Utc>,
) -> Result<Vec<u8>, CommandError> {
    seal_letter(
        renderer,
        &SealInput {
            assignment: &src.assignment,
            unit: &letter.unit,
            content: &src.content,
            chain: &src.chain,
            decisions: &src.decisions,
            registry: &src.keys,
            certificate: &src.certificate,
            date: None,
            suggestion: letter.suggestion.clone(),
            seal_image: letter.seal.clone(),
            sealed_at: now,
        },
    )
    .map_err(seal_error)
}

/// Checks a sealed letter against the approver keys this PC knows.
pub fn verify(store: &Store, bytes: &[u8]) -> Result<jianban_seal::PdfVerification, CommandError> {
    let keys = store.known_keys()?;
    Ok(jianban_seal::verify_pdf(bytes, &keys))
}

/// `第39号建议答复-市发展改革委.pdf`; characters a file name cannot hold are
/// replaced.
pub fn default_file_name(number: u32, unit: &str, ext: &str, is_final: bool) -> String {
    let unit: String = unit
        .chars()
        .map(|c| {
            if matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|') {
                '_'
            } else {
                c
            }
        })
        .collect();
    let draft = if is_final { "" } else { "（草稿）" };
    format!("第{number}号建议答复-{unit}{draft}.{ext}")
}

/// Opens the folder that holds `path` in the system's file manager.
pub fn open_folder(path: &std::path::Path) -> Result<(), CommandError> {
    let dir = if path.is_dir() {
        path.to_path_buf()
    } else {
        path.parent().map(|p| p.to_path_buf()).unwrap_or_default()
    };
    let result = if cfg!(target_os = "windows") {
        std::process::Command::new("explorer")
            .arg(format!("/select,{}", path.display()))
            .spawn()
    } else if cfg!(target_os = "macos") {
        std::process::Command::new("open")
            .arg("-R")
            .arg(path)
            .spawn()
    } else {
        std::process::Command::new("xdg-open").arg(&dir).spawn()
    };
    result.map(|_| ()).map_err(|e| {
        CommandError::new(
            crate::error::code::EXPORT,
            format!(
                "无法打开文件夹 {}（{e}），请在文件管理器中手动打开。",
                dir.display()
            ),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_names_follow_the_office_convention() {
        assert_eq!(
            default_file_name(39, "市发展改革委", "pdf", true),
            "第39号建议答复-市发展改革委.pdf"
        );
        assert_eq!(
            default_file_name(7, "市交通/运输局", "docx", false),
            "第7号建议答复-市交通_运输局（草稿）.docx"
        );
    }
}
