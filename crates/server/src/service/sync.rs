//! Push: a device's commands, applied exactly once and in order.
//!
//! The device's last sequence number is updated in the transaction that
//! applies its commands, so a crash either keeps both or neither; a resent
//! batch then comes back as duplicates. Each command runs in a savepoint:
//! a refused one leaves nothing behind, consumes its sequence number and
//! never blocks the commands after it.

use jianban_casework::Command;
use jianban_protocol::{
    CommandResult, CommandStatus, ErrorBody, PushCommand, PushRequest, PushResponse,
    MAX_PUSH_COMMANDS,
};

use crate::db::{savepoint, DbError, Tx};
use crate::error::{ApiError, ApiResult};
use crate::params;
use crate::service::cases::{load, CommandError, Stored};
use crate::service::{fmt_time, Caller, Service};

/// What a push did: the answer, and the gap that stopped it, if any.
pub struct PushOutcome {
    pub response: PushResponse,
    pub gap: Option<i64>,
}

impl Service {
    pub fn push(&self, caller: &Caller, req: &PushRequest) -> ApiResult<PushOutcome> {
        if req.device_id != caller.device_id {
            return Err(ApiError::Forbidden(
                "上传命令的设备与登录的设备不一致，请在本设备上重新登录后再同步。".into(),
            ));
        }
        if req.commands.len() > MAX_PUSH_COMMANDS {
            return Err(ApiError::TooLarge {
                code: "sync.batch_too_large",
                message: format!(
                    "一次最多上传{MAX_PUSH_COMMANDS}条命令（本次{}条），请分批上传。未做任何处理。",
                    req.commands.len()
                ),
            });
        }
        let now = self.now();
        let outcome = self.db.write(|tx| -> ApiResult<PushOutcome> {
            let mut last = tx
                .query_opt(
                    "SELECT last_seq FROM devices WHERE id = $1",
                    params![&req.device_id],
                )?
                .ok_or(ApiError::Unauthenticated {
                    code: "auth.unknown_device",
                })?
                .int(0)?;
            let mut results = Vec::with_capacity(req.commands.len());
            let mut gap = None;
            for cmd in &req.commands {
                if cmd.seq <= last {
                    results.push(result(cmd, CommandStatus::Duplicate, None, None));
                    continue;
                }
                if cmd.seq != last + 1 {
                    gap = Some(last + 1);
                    break;
                }
                let applied = savepoint(tx, |tx| self.apply_command(tx, caller, now, cmd));
                results.push(match applied {
                    Ok(_) => result(cmd, CommandStatus::Applied, None, None),
                    Err(CommandError::Db(e)) => return Err(e.into()),
                    Err(e) => {
                        let current = visible_snapshot(tx, caller, &cmd.assignment_id)?;
                        let error = ErrorBody::new(e.code(), e.to_string());
                        result(cmd, CommandStatus::Rejected, Some(error), current)
                    }
                });
                last = cmd.seq;
            }
            tx.exec(
                "UPDATE devices SET last_seq = $2, last_seen_at = $3 WHERE id = $1",
                params![&req.device_id, last, fmt_time(now)],
            )?;
            Ok(PushOutcome {
                response: PushResponse {
                    results,
                    last_seq: last,
                },
                gap,
            })
        })?;
        if self.options.kill_after_push_commit {
            tracing::warn!("fault injection: killing the server after a push commit");
            // SAFETY: kill(2) on our own pid has no memory effects.
            unsafe {
                libc::kill(libc::getpid(), libc::SIGKILL);
            }
        }
        Ok(outcome)
    }

    /// One command, decoded into its typed form and re-run against the
    /// server's current case with the authenticated user as the issuer.
    fn apply_command(
        &self,
        tx: &mut dyn Tx,
        caller: &Caller,
        now: chrono::NaiveDateTime,
        cmd: &PushCommand,
    ) -> Result<Stored, CommandError> {
        let command = Command::decode(&cmd.kind, &cmd.payload)?;
        self.run_command(tx, &caller.actor, now, &cmd.assignment_id, command)
    }
}

fn result(
    cmd: &PushCommand,
    status: CommandStatus,
    error: Option<ErrorBody>,
    current: Option<jianban_protocol::AssignmentSnapshot>,
) -> CommandResult {
    CommandResult {
        seq: cmd.seq,
        command_id: cmd.command_id.clone(),
        status,
        error,
        current,
    }
}

/// The case as it stands, if the caller may see it (never another unit's).
fn visible_snapshot(
    tx: &mut dyn Tx,
    caller: &Caller,
    id: &str,
) -> Result<Option<jianban_protocol::AssignmentSnapshot>, DbError> {
    Ok(load(tx, id)?
        .filter(|st| caller.sees_unit(st.assignment.unit_id.as_str()))
        .map(|st| st.snapshot()))
}
