//! Wire types (jianban-protocol) to the store's domain terms and back.

use jianban_domain::*;
use jianban_protocol::{
    AssignmentSnapshot, Change, CommandResult, CommandStatus, DraftData, Entity, NoticeData,
    OpinionData, PushCommand,
};
use jianban_store::{OutboxEntry, PushResult, PushStatus, RemoteChange};

use crate::client::SyncError;

fn data<T: serde::de::DeserializeOwned>(change: &Change) -> Result<T, SyncError> {
    serde_json::from_value(change.data.clone()).map_err(|e| {
        SyncError::Protocol(format!(
            "第{}条变更（{}）：{e}",
            change.seq,
            change.entity.code()
        ))
    })
}

pub(crate) fn remote_change(change: &Change) -> Result<RemoteChange, SyncError> {
    Ok(match change.entity {
        Entity::Session => RemoteChange::Session(data(change)?),
        Entity::Unit => RemoteChange::Unit(data(change)?),
        Entity::Deputy => RemoteChange::Deputy(data(change)?),
        Entity::Suggestion => RemoteChange::Suggestion(data(change)?),
        Entity::Assignment => {
            let s: AssignmentSnapshot = data(change)?;
            RemoteChange::Assignment {
                assignment: s.assignment,
                case: s.case,
            }
        }
        Entity::Contact => RemoteChange::Contact(data(change)?),
        Entity::Draft => {
            let d: DraftData = data(change)?;
            RemoteChange::Draft {
                assignment_id: AssignmentId::new(d.assignment_id),
                content: d.content,
                author: UserId::new(d.author),
                saved_at: d.saved_at,
            }
        }
        Entity::Opinion => {
            let o: OpinionData = data(change)?;
            RemoteChange::Opinion(CoHandlingOpinion {
                suggestion_id: SuggestionId::new(o.suggestion_id),
                from_unit: o.from_unit,
                text: o.content.body,
                submitted_at: o.submitted_at,
            })
        }
        Entity::Calendar => RemoteChange::Calendar(data(change)?),
        Entity::SignedDecision => RemoteChange::SignedDecision(data(change)?),
        Entity::Notice => {
            let n: NoticeData = data(change)?;
            RemoteChange::Notice {
                assignment_id: Some(AssignmentId::new(n.assignment_id)),
                kind: serde_json::to_value(n.kind)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_else(|| "notice".into()),
                message: n.message,
                at: n.at,
            }
        }
    })
}

pub(crate) fn push_command(e: &OutboxEntry) -> PushCommand {
    PushCommand {
        seq: e.seq,
        command_id: e.command_id.clone(),
        assignment_id: e.assignment_id.clone(),
        base_version: e.base_version,
        kind: e.kind.clone(),
        payload: e.payload.clone(),
        created_at: e.created_at,
    }
}

pub(crate) fn push_result(r: &CommandResult) -> PushResult {
    PushResult {
        seq: r.seq,
        status: match r.status {
            CommandStatus::Applied => PushStatus::Applied,
            CommandStatus::Duplicate => PushStatus::Duplicate,
            CommandStatus::Rejected => {
                let e = r.error.clone().unwrap_or_else(|| {
                    jianban_protocol::ErrorBody::new("sync.rejected", "平台未接受该操作。")
                });
                PushStatus::Rejected {
                    code: e.code,
                    message: e.message,
                }
            }
        },
        current: r.current.clone().map(|s| Box::new((s.assignment, s.case))),
    }
}
