//! One orchestration of case changes for the desktop and the central server.
//!
//! [`Case::apply`](jianban_domain::Case::apply) decides what an action does
//! to a case; this crate runs everything around it once: who may act on
//! which unit's case, the rule that approvals and returns arrive only as
//! signed decisions, the verified sign-off before 报送, the draft revision
//! (the same text makes none), the contact record and its checks, the audit
//! line, the change payload, and the lead case learning of a co-handler's
//! opinion. The desktop's store and the server are two [`CaseStorage`]
//! adapters of it: they say how to read and write, not what to do.
//!
//! The demo data set is replayed through the same orchestration
//! ([`replay_demo`]), so the demo's history is what real use writes.

mod command;
mod demo;
mod run;
mod storage;

pub use command::{Command, DraftSave, RECORD_CONTACT, SAVE_DRAFT, SIGNED_DECISION};
pub use demo::{replay_demo, DemoError, DemoStorage};
pub use run::{run, Outcome, Request};
pub use storage::{AuditLine, CaseStorage, Change, NewRevision};

/// Why the orchestration refused a command, before or around the domain's
/// own [`WorkflowError`](jianban_domain::WorkflowError). Each adapter turns
/// it into its own error with its own code and message (the desktop speaks
/// to the user at the screen, the server to a device's push).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// No case with this id.
    #[error("交办记录{0}不存在")]
    NotFound(String),
    /// The actor is not of the case's unit (nor the office); the label of
    /// what they tried.
    #[error("您无权操作其他单位的交办记录。")]
    Forbidden(&'static str),
    /// An approval or a return sent as a bare action (its label).
    #[error("“{0}”须由审核人签名")]
    Unsigned(&'static str),
    /// A draft save or contact record sent as a bare action (its code and
    /// label): they carry content and have their own commands.
    #[error("“{1}”须通过保存稿件或登记沟通联系完成")]
    NotAnAction(&'static str, &'static str),
    /// The command does not hold together.
    #[error("{0}")]
    Malformed(String),
    /// A signed decision for another step than the one the case is at.
    #[error("签名记录针对第{}步审核，而该件目前在第{}步，平台未接受。请同步后重新审核。", .signed + 1, .current + 1)]
    WrongStep { signed: usize, current: usize },
    /// A signed decision from an earlier approval round: the reply was
    /// returned (or withdrawn) and submitted again since.
    #[error("这条审核意见是第{signed}轮报送审核时作出的，稿件退回后已重新报送（第{current}轮），原审核意见不再有效。请审核人重新审核签发。")]
    StaleRound { signed: u32, current: u32 },
    /// The very decision was already applied (a resend).
    #[error("这条审核意见平台已经收到并处理过，无需重复上传。")]
    AlreadyDecided,
}
