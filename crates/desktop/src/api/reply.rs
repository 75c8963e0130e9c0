//! 答复编辑: the draft, templates, revisions, live preview and export.

use std::path::Path;

use chrono::Datelike;
use jianban_domain::{Actor, HandlingRole};
use jianban_letter::{Letter, SuggestionRef};
use jianban_store::{RevisionInfo, Store, StoreError, SuggestionDetail};

use crate::dto::{
    DraftView, ExportResult, LetterVerification, PreviewView, ReplyFields, RevisionView, SavedDraft,
};
use crate::error::{code, CommandError};
use crate::state::AppState;
use crate::templates::{reply_template, TemplateInput};

/// What the letter needs besides the revision.
pub(crate) struct LetterContext {
    pub suggestion: SuggestionDetail,
    pub unit_id: jianban_domain::UnitId,
    pub unit_name: String,
    pub doc_prefix: String,
    pub role: HandlingRole,
}

pub(crate) fn context(store: &Store, id: &str) -> Result<LetterContext, StoreError> {
    let suggestion = store.suggestion_detail(id)?;
    let unit = suggestion
        .units
        .iter()
        .find(|u| u.assignment_id == id)
        .cloned()
        .ok_or_else(|| StoreError::NotFound {
            what: format!("交办记录 {id}"),
        })?;
    Ok(LetterContext {
        unit_id: unit.unit_id,
        unit_name: unit.unit_name,
        doc_prefix: unit.doc_prefix,
        role: unit.role,
        suggestion,
    })
}

pub(crate) fn letter(ctx: &LetterContext, content: &jianban_domain::ReplyContent) -> Letter {
    let mut letter = Letter::from_reply_content(content, &ctx.unit_name, super::today());
    letter.suggestion = Some(SuggestionRef {
        session: ctx.suggestion.session_name.clone(),
        number: ctx.suggestion.number,
        title: ctx.suggestion.title.clone(),
    });
    letter
}

/// The current draft, or a fresh template when nothing was saved yet.
pub fn draft(state: &AppState, id: &str) -> Result<DraftView, CommandError> {
    let (current, case, blockers) = state.with_user(|s, actor| {
        let case = s.case(id)?;
        let blockers = super::cases::blockers(&super::cases::allowed(s, &case, actor));
        Ok((s.current_draft(id)?, case, blockers))
    })?;
    let is_opinion = case.role == HandlingRole::CoHandler;
    let (fields, revision) = match current {
        Some(rev) => (
            ReplyFields::from(&rev.content),
            Some(RevisionView {
                number: rev.number,
                hash: rev.hash.0,
                author: rev.author.0,
                saved_at: rev.saved_at.format("%Y-%m-%d %H:%M:%S").to_string(),
                restored_from: None,
            }),
        ),
        None => {
            let mut t = template_with_store(state, id, "B")?;
            // A fresh draft has no category until the liaison picks one.
            t.category = None;
            (t, None)
        }
    };
    Ok(DraftView {
        fields,
        revision,
        editable: case.state.draft_editable(),
        blockers,
        is_opinion,
    })
}

fn template_with_store(
    state: &AppState,
    id: &str,
    category: &str,
) -> Result<ReplyFields, CommandError> {
    let config = state.config()?;
    let ctx = state.with_store(|s| context(s, id))?;
    let prefix = if config.doc_prefix.trim().is_empty() {
        ctx.doc_prefix.clone()
    } else {
        config.doc_prefix.trim().to_owned()
    };
    let category = if ctx.role == HandlingRole::CoHandler {
        "opinion"
    } else {
        category
    };
    Ok(reply_template(
        category,
        &TemplateInput {
            suggestion: &ctx.suggestion,
            unit_name: &ctx.unit_name,
            doc_prefix: &prefix,
            year: super::today().year(),
            cc: &config.default_cc,
            contact_person: "",
        },
    ))
}

/// Template A, B or C for this case (co-handlers get the opinion template).
pub fn template(state: &AppState, id: &str, category: &str) -> Result<ReplyFields, CommandError> {
    if !matches!(category, "A" | "B" | "C") {
        return Err(CommandError::new(
            "input.category",
            "模板只有 A、B、C 三类，请重新选择。",
        ));
    }
    template_with_store(state, id, category)
}

/// Saves the fields as a new revision (durable before this returns).
pub fn save(state: &AppState, id: &str, fields: &ReplyFields) -> Result<SavedDraft, CommandError> {
    let content = fields.to_content()?;
    saved(state, id, |s, actor| {
        s.save_draft(id, &content, actor, super::now())
    })
}

/// Writes a revision with `write`, then answers what the editor shows
/// after it: the revision, what still blocks 报送审核, and the state.
fn saved(
    state: &AppState,
    id: &str,
    write: impl FnOnce(&mut Store, &Actor) -> Result<RevisionInfo, StoreError>,
) -> Result<SavedDraft, CommandError> {
    state.with_user(|s, actor| {
        let info = write(s, actor)?;
        let case = s.case(id)?;
        Ok(SavedDraft {
            revision: RevisionView::from(info),
            blockers: super::cases::blockers(&super::cases::allowed(s, &case, actor)),
            state: case.state.into(),
            state_label: case.state.label_zh().to_owned(),
        })
    })
}

pub fn revisions(state: &AppState, id: &str) -> Result<Vec<RevisionView>, CommandError> {
    state.with_store(|s| {
        Ok(s.revisions(id)?
            .into_iter()
            .rev()
            .map(RevisionView::from)
            .collect())
    })
}

pub fn revision_fields(
    state: &AppState,
    id: &str,
    number: u32,
) -> Result<ReplyFields, CommandError> {
    state.with_store(|s| Ok(ReplyFields::from(&s.revision(id, number)?.content)))
}

/// Makes an old revision current again (as a new revision).
pub fn restore(state: &AppState, id: &str, number: u32) -> Result<SavedDraft, CommandError> {
    saved(state, id, |s, actor| {
        s.restore_revision(id, number, actor, super::now())
    })
}

/// The paginated preview of `fields` (unsaved text as typed), or of the
/// current revision as it will print when `fields` is none.
pub fn preview(
    state: &AppState,
    id: &str,
    fields: Option<&ReplyFields>,
) -> Result<PreviewView, CommandError> {
    let (ctx, content, signer) = state.with_store(|s| {
        let ctx = context(s, id)?;
        let content = match fields {
            Some(_) => None,
            None => Some(
                s.current_draft(id)?
                    .ok_or_else(|| StoreError::NotFound {
                        what: "答复稿".into(),
                    })?
                    .content,
            ),
        };
        let signer = s.sign_off(id).ok().map(|so| so.signer_name);
        Ok((ctx, content, signer))
    })?;
    let content = match (fields, content) {
        (Some(f), _) => f.to_content()?,
        (None, Some(c)) => c,
        (None, None) => unreachable!("one of them is set"),
    };
    let mut letter = letter(&ctx, &content);
    letter.approval = signer.map(jianban_letter::ApprovalBlock::signer);
    state.with_renderer(|r| {
        let rendered = r.render_svg(&letter)?;
        Ok(PreviewView {
            pages: rendered.output,
            substitutions: super::font_substitutions(&rendered.report),
        })
    })
}

/// Writes the reply to `path` in one pass: one read of the case and its
/// current revision under one store lock, one letter, one layout. A `.pdf`
/// only when the sign-off verifies (checked once, inside `jianban-seal`,
/// 不审核不答复); a `.docx` always (marked as a draft in its default name
/// until signed off).
pub fn export_to(state: &AppState, id: &str, path: &Path) -> Result<ExportResult, CommandError> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    let sealed = match ext.as_str() {
        "pdf" => true,
        "docx" => false,
        _ => {
            return Err(CommandError::new(
                code::EXPORT,
                "只能导出 PDF（.pdf）或 Word（.docx）文件，请修改文件名后缀。",
            ))
        }
    };
    let now = chrono::Utc::now();
    // Read before taking the store: the settings live behind the same lock.
    let connected = state.config()?.server_url.is_some();
    let source =
        state.with_store_cmd(|s| ExportSource::read(s, state, id, sealed, connected, now))?;
    let (bytes, pages, report, verification_code) =
        state.with_renderer(|r| match &source.kind {
            Kind::Sealed {
                verified,
                certificate,
            } => {
                let sealed = verified
                    .seal(
                        r,
                        &jianban_seal::SealOptions {
                            certificate,
                            date: None,
                            suggestion: source.letter.suggestion.clone(),
                            seal_image: source.letter.seal.clone(),
                            sealed_at: now,
                        },
                    )
                    .map_err(crate::export::seal_error)?;
                let code = verified.sign_off().verification_code.clone();
                Ok((sealed.pdf, sealed.pages, sealed.report, Some(code)))
            }
            Kind::Docx { sign_off } => {
                let mut letter = source.letter.clone();
                letter.approval = sign_off.as_ref().map(|s| jianban_letter::ApprovalBlock {
                    signer: s.signer_name.clone(),
                    signed_at: Some(s.signed_at),
                    verification_code: Some(s.verification_code.clone()),
                    qr_payload: None,
                });
                let docx = r.render_docx(&letter)?;
                let code = sign_off.as_ref().map(|s| s.verification_code.clone());
                Ok((docx.output, docx.pages, docx.report, code))
            }
        })?;
    crate::export::write_file(path, &bytes)?;
    tracing::info!(assignment = id, path = %path.display(), "exported");
    Ok(ExportResult {
        path: path.display().to_string(),
        pages: pages as u32,
        is_final: verification_code.is_some(),
        verification_code,
        substitutions: super::font_substitutions(&report),
    })
}

/// What an export reads from the store, in one go.
struct ExportSource {
    /// The letter of the current revision (without approval block).
    letter: Letter,
    kind: Kind,
}

enum Kind {
    /// The final PDF: the sign-off verified, the unit certificate at hand.
    Sealed {
        verified: Box<jianban_seal::VerifiedSignOff>,
        certificate: Box<jianban_seal::UnitCertificate>,
    },
    /// The Word file, with the approval block when signed off.
    Docx {
        sign_off: Option<jianban_store::SignOff>,
    },
}

impl ExportSource {
    /// Reads the case, its current revision and (for a sealed letter) the
    /// signed decisions and known keys, and verifies the sign-off; the unit
    /// certificate is made on first use, only once the sign-off verified.
    fn read(
        s: &mut Store,
        state: &AppState,
        id: &str,
        sealed: bool,
        connected: bool,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<Self, CommandError> {
        let ctx = context(s, id)?;
        let content = s
            .current_draft(id)?
            .ok_or_else(|| StoreError::NotFound {
                what: "答复稿".into(),
            })?
            .content;
        let letter = letter(&ctx, &content);
        if !sealed {
            let sign_off = s.sign_off(id).ok();
            return Ok(Self {
                letter,
                kind: Kind::Docx { sign_off },
            });
        }
        let case = s.case(id)?;
        let decisions = crate::export::counted_decisions(&case, s.decision_history(id)?);
        let keys = s.known_keys()?;
        let verified = jianban_seal::verify_sign_off(&jianban_seal::SignOffInput {
            assignment: &case.assignment,
            unit: &letter.unit,
            content: &content,
            chain: &case.approval_chain,
            decisions: &decisions,
            registry: &keys,
        })
        .map_err(crate::export::seal_error)?;
        // Connected to a platform, the letter is final only once the
        // platform holds the sign-off: a PC offline (or a decision the
        // platform refused) can draft and preview, not seal.
        if connected {
            for d in &decisions {
                if !s.decision_accepted_by_platform(&d.signature)? {
                    return Err(CommandError::new(
                        "export.sign_off_not_synced",
                        "审核签发还没有被平台确认（本机离线，或尚未同步），暂不能导出正式签章版。请点击状态栏的“立即同步”，确认后再导出；可先导出 Word 版核对内容。",
                    ));
                }
            }
        }
        let keeping = crate::export::CertificateKeeping::new(
            state.secrets(),
            state.data_dir()?,
            &ctx.unit_id,
        );
        let certificate =
            crate::export::unit_certificate(s, &ctx.unit_id, &ctx.unit_name, now, &keeping)?;
        Ok(Self {
            letter,
            kind: Kind::Sealed {
                verified: Box::new(verified),
                certificate: Box::new(certificate),
            },
        })
    }
}

/// The default file name and whether the export would be final.
pub fn export_name(state: &AppState, id: &str, ext: &str) -> Result<(String, bool), CommandError> {
    state.with_store(|s| {
        let ctx = context(s, id)?;
        let signed = s.sign_off(id).is_ok();
        Ok((
            crate::export::default_file_name(ctx.suggestion.number, &ctx.unit_name, ext, signed),
            signed,
        ))
    })
}

/// 打开所在文件夹 for an exported file: only a file saved through a dialog
/// (or into the export folder) this run; the web view names it.
pub fn open_folder(state: &AppState, path: &Path) -> Result<(), CommandError> {
    let path = state.picked().check(path, "要打开的文件")?;
    crate::export::open_folder(&path)
}

/// Checks a sealed letter (valid / tampered / unknown signer) against the
/// approver keys this PC knows.
pub fn verify_letter(state: &AppState, path: &Path) -> Result<LetterVerification, CommandError> {
    // The path comes from the web view: only a file picked in a dialog.
    let path = &state.picked().check(path, "要验证的签章版答复函")?;
    let bytes = std::fs::read(path).map_err(|e| {
        CommandError::new(
            code::EXPORT,
            format!("无法读取 {}（{e}），请确认文件存在且可读。", path.display()),
        )
    })?;
    let verification = state.with_store_cmd(|s| crate::export::verify(s, &bytes))?;
    Ok(LetterVerification::of(path, &verification))
}
