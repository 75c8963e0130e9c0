//! Push: a device's commands, applied exactly once and in order.
//!
//! The device's last sequence number is updated in the transaction that
//! applies its commands, so a crash either keeps both or neither; a resent
//! batch then comes back as duplicates. Each command runs in a savepoint:
//! a refused one leaves nothing behind, consumes its sequence number and
//! never blocks the commands after it.
//!
//! Each number taken is recorded with its command id (`pushed_commands`), so
//! a used number arriving with another command is refused, never dropped.

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

/// The code of a push refused for a reused sequence number (the desktop
/// re-registers as a new device and resends).
pub const SEQ_REUSED: &str = "sync.seq_reused";

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
                    // A resent batch carries the same command under the
                    // same number. Another command under a used number is a
                    // desktop restored from a backup (its outbox numbers
                    // start again) or a device id used by a second PC:
                    // acknowledging it as a duplicate would drop it, so
                    // the whole push is refused and rolled back.
                    if pushed_command_id(tx, &req.device_id, cmd.seq)?.as_deref()
                        != Some(cmd.command_id.as_str())
                    {
                        return Err(seq_reused(cmd.seq));
                    }
                    results.push(result(cmd, CommandStatus::Duplicate, None, None));
                    continue;
                }
                if cmd.seq != last + 1 {
                    gap = Some(last + 1);
                    break;
                }
                tx.exec(
                    "INSERT INTO pushed_commands (device_id, seq, command_id) VALUES ($1, $2, $3)",
                    params![&req.device_id, cmd.seq, &cmd.command_id],
                )?;
                last = cmd.seq;
                // A desktop that re-registered as a new device resends its
                // pending commands under new numbers; those the server took
                // under the old device before the backup was restored are
                // known by their id and not applied twice.
                if command_known_elsewhere(tx, caller, cmd.seq, &cmd.command_id)? {
                    results.push(result(cmd, CommandStatus::Duplicate, None, None));
                    continue;
                }
                let applied = savepoint(tx, |tx| self.apply_command(tx, caller, now, cmd));
                results.push(match applied {
                    Ok(_) => result(cmd, CommandStatus::Applied, None, None),
                    Err(CommandError::Db(e)) => return Err(e.into()),
                    // A decision sent again: acknowledged, nothing applied,
                    // the device's outbox moves on.
                    Err(CommandError::AlreadyApplied) => {
                        result(cmd, CommandStatus::Duplicate, None, None)
                    }
                    Err(e) => {
                        let current = visible_snapshot(tx, caller, &cmd.assignment_id)?;
                        let error = ErrorBody::new(e.code(), e.to_string());
                        result(cmd, CommandStatus::Rejected, Some(error), current)
                    }
                });
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

/// The command id recorded under a device's sequence number, if any.
fn pushed_command_id(
    tx: &mut dyn Tx,
    device_id: &str,
    seq: i64,
) -> Result<Option<String>, DbError> {
    tx.query_opt(
        "SELECT command_id FROM pushed_commands WHERE device_id = $1 AND seq = $2",
        params![device_id, seq],
    )?
    .map(|r| r.text(0))
    .transpose()
}

/// Whether one of the caller's devices already delivered a command with
/// this id under another number (only the caller's own: another user's
/// ids never decide what this user's commands do).
fn command_known_elsewhere(
    tx: &mut dyn Tx,
    caller: &Caller,
    seq: i64,
    command_id: &str,
) -> Result<bool, DbError> {
    Ok(tx
        .query_opt(
            "SELECT 1 FROM pushed_commands p JOIN devices d ON d.id = p.device_id
              WHERE p.command_id = $1 AND d.user_id = $2 AND NOT (p.device_id = $3 AND p.seq = $4)",
            params![
                command_id,
                caller.actor.user.as_str(),
                &caller.device_id,
                seq
            ],
        )?
        .is_some())
}

/// The refusal of a push that reuses a sequence number.
fn seq_reused(seq: i64) -> ApiError {
    ApiError::Conflict {
        code: SEQ_REUSED,
        message: format!(
            "本机的同步序号{seq}已被另一条命令使用（本机数据可能从备份恢复，或设备编号与另一台电脑相同），本次上传未做任何处理。\
             建办会以新设备身份重新登记后再上传；如仍提示此信息，请重新登录。"
        ),
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
