//! The typed commands: one per kind of case change, as the desktop issues
//! it and as the server receives it in a push.

use serde_json::Value;

use jianban_domain::validate::{check_reply, check_required_line, check_text, InputError};
use jianban_domain::{Action, ContactRecord, DraftSummary, ReplyContent, RevisionHash};
use jianban_protocol::{RecordContactPayload, SaveDraftPayload, SignedDecisionPayload};
use jianban_signoff::{Decision, SignedDecision};

use crate::Refusal;

/// One change to one case.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// A workflow action (签收, 报送审核, 报送, the office's actions …).
    /// Draft saves, contact records, approvals and returns are not actions
    /// here: they carry content or a signature and have their own commands.
    Act(Action),
    /// A new revision of the reply (or opinion).
    SaveDraft(DraftSave),
    /// 沟通联系.
    RecordContact(ContactRecord),
    /// An approver's decision (审核 or 退回修改), signed with their key.
    Decide(SignedDecision),
}

/// A draft save: the text, and what the sender says about it.
#[derive(Debug, Clone, PartialEq)]
pub struct DraftSave {
    pub content: ReplyContent,
    /// The sender's hash of `content`; it must match (a device's save may
    /// have been damaged on the way).
    pub hash: RevisionHash,
    /// The number the sending device gave the revision (the receiver
    /// numbers its own copy).
    pub device_revision: Option<u32>,
    /// Set when this save restores an older revision: it then becomes a new
    /// revision even when its text equals the current one.
    pub restored_from: Option<u32>,
}

impl DraftSave {
    /// A save typed here, on this side.
    pub fn new(content: ReplyContent) -> Self {
        DraftSave {
            hash: content.content_hash(),
            content,
            device_revision: None,
            restored_from: None,
        }
    }
}

/// The payload kind of a signed decision in the outbox and a push.
pub const SIGNED_DECISION: &str = "signed_decision";
pub const SAVE_DRAFT: &str = "save_draft";
pub const RECORD_CONTACT: &str = "record_contact";

impl Command {
    /// Decodes a pushed command (`kind` and `payload` of an outbox row).
    pub fn decode(kind: &str, payload: &Value) -> Result<Command, Refusal> {
        Ok(match kind {
            SAVE_DRAFT => {
                let p: SaveDraftPayload = parse(payload)?;
                Command::SaveDraft(DraftSave {
                    content: p.content,
                    hash: p.hash,
                    device_revision: Some(p.revision),
                    restored_from: None,
                })
            }
            RECORD_CONTACT => {
                Command::RecordContact(parse::<RecordContactPayload>(payload)?.contact)
            }
            SIGNED_DECISION => {
                let mut decision = parse::<SignedDecisionPayload>(payload)?.signed_decision;
                // Hex decodes in either case; one spelling per signature,
                // so a resend in capitals is the same decision, not a new one.
                decision.signature.make_ascii_lowercase();
                decision.public_key.make_ascii_lowercase();
                Command::Decide(decision)
            }
            kind => {
                let action: Action = parse(payload)?;
                if action.code() != kind {
                    return Err(Refusal::Malformed(format!(
                        "命令类型“{kind}”与内容“{}”不一致",
                        action.code()
                    )));
                }
                Command::Act(action)
            }
        })
    }

    /// The kind written to the audit log and the outbox.
    pub fn kind(&self) -> &'static str {
        match self {
            Command::Act(action) => action.code(),
            Command::SaveDraft(_) => SAVE_DRAFT,
            Command::RecordContact(_) => RECORD_CONTACT,
            Command::Decide(_) => SIGNED_DECISION,
        }
    }

    /// What the command is called on screen (the action's label).
    pub fn label(&self) -> &'static str {
        match self {
            Command::Act(action) => action.label_zh(),
            Command::SaveDraft(save) => Action::EditDraft {
                draft: DraftSummary::of(&save.content),
            }
            .label_zh(),
            Command::RecordContact(_) => Action::RecordContact.label_zh(),
            Command::Decide(decision) => action_of(decision).label_zh(),
        }
    }

    /// The words a person wrote with the command, for the case's history:
    /// the action's reason or comment, the contact's summary, the
    /// approver's comment.
    pub fn remark(&self) -> Option<String> {
        let words = match self {
            Command::Act(action) => action.remark().unwrap_or_default().to_owned(),
            Command::SaveDraft(_) => String::new(),
            Command::RecordContact(contact) => contact.summary.clone(),
            Command::Decide(decision) => decision.record.comment.clone(),
        };
        (!words.trim().is_empty()).then_some(words)
    }

    /// The checks that need no stored data.
    pub(crate) fn validate<E: From<Refusal> + From<InputError>>(&self, id: &str) -> Result<(), E> {
        match self {
            // 不审核不答复: an approval or a return counts only as a decision
            // signed with the approver's key, never as a bare action.
            Command::Act(action @ (Action::Approve { .. } | Action::ReturnToDrafter { .. })) => {
                Err(Refusal::Unsigned(action.label_zh()).into())
            }
            Command::Act(action @ (Action::EditDraft { .. } | Action::RecordContact)) => {
                Err(Refusal::NotAnAction(action.code(), action.label_zh()).into())
            }
            Command::Act(_) => Ok(()),
            Command::SaveDraft(save) => {
                check_reply(&save.content)?;
                if save.content.content_hash() != save.hash {
                    return Err(Refusal::Malformed(
                        "稿件校验值与内容不符，稿件可能在传输中损坏".into(),
                    )
                    .into());
                }
                Ok(())
            }
            Command::RecordContact(contact) => {
                if contact.assignment_id.as_str() != id {
                    return Err(
                        Refusal::Malformed("沟通记录所属的交办记录与命令不一致".into()).into(),
                    );
                }
                check_contact(contact)?;
                Ok(())
            }
            Command::Decide(decision) => {
                if decision.record.assignment_id.as_str() != id {
                    return Err(
                        Refusal::Malformed("签名记录所属的交办记录与命令不一致".into()).into(),
                    );
                }
                Ok(())
            }
        }
    }
}

/// What a contact record must hold.
fn check_contact(contact: &ContactRecord) -> Result<(), InputError> {
    check_required_line("记录编号", &contact.id)?;
    check_required_line("参加人员", &contact.people)?;
    check_text("沟通内容", &contact.summary)?;
    if contact.summary.trim().is_empty() {
        return Err(InputError::Empty {
            field: "沟通内容"
        });
    }
    Ok(())
}

/// The workflow action a signed decision stands for.
pub(crate) fn action_of(decision: &SignedDecision) -> Action {
    let record = &decision.record;
    match record.decision {
        Decision::Approve => Action::Approve {
            revision: record.revision.clone(),
            comment: record.comment.clone(),
        },
        Decision::Return => Action::ReturnToDrafter {
            comment: record.comment.clone(),
        },
    }
}

fn parse<T: serde::de::DeserializeOwned>(payload: &Value) -> Result<T, Refusal> {
    serde_json::from_value(payload.clone()).map_err(|e| Refusal::Malformed(e.to_string()))
}
