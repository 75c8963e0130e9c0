//! The status bar, 立即同步 and notices.

use jianban_sync::SyncPhase;

use crate::dto::{NoticeView, SyncView};
use crate::error::CommandError;
use crate::state::AppState;

/// The status bar's code for a configured server without a running sync.
const NOT_RUNNING: &str = "sync.not_running";
/// The server's code for an account whose password the office reset.
pub(crate) const MUST_CHANGE_PASSWORD: &str = "auth.must_change_password";

/// Keeps the sync client's latest refresh token in the settings: the server
/// rotates it on every refresh and refuses a used one, so the saved token
/// must follow, or the next start would need the password again.
pub fn keep_refresh_token(state: &AppState) -> Result<(), CommandError> {
    let Some(token) = state.with_sync(|h| h.and_then(|h| h.refresh_token())) else {
        return Ok(());
    };
    let mut config = state.config()?;
    match config.account.as_mut() {
        Some(a) if a.refresh_token.as_deref() != Some(token.as_str()) => {
            a.refresh_token = Some(token);
            state.set_config(config)
        }
        _ => Ok(()),
    }
}

pub fn status(state: &AppState) -> Result<SyncView, CommandError> {
    if let Err(e) = keep_refresh_token(state) {
        tracing::warn!(error = %e, "refresh token not kept");
    }
    let config = state.config()?;
    let configured = config.server_url.is_some();
    let must_change = config
        .account
        .as_ref()
        .is_some_and(|a| a.must_change_password);
    let pending = state.with_store(|s| s.outbox_pending_count()).unwrap_or(0);
    let last_local = state.with_store(|s| s.last_sync()).ok().flatten();
    let status = state.with_sync(|h| h.map(|h| h.status()));
    let running = status.is_some();
    let st = status.unwrap_or_default();
    let phase = if configured && !running {
        SyncPhase::NeedsAttention
    } else {
        st.phase
    };
    let phase_code = match phase {
        SyncPhase::Idle => "idle",
        SyncPhase::Pushing => "pushing",
        SyncPhase::Pulling => "pulling",
        SyncPhase::Offline => "offline",
        SyncPhase::NeedsAttention => "needsAttention",
    };
    Ok(SyncView {
        configured,
        phase: phase_code.into(),
        phase_label: if configured {
            phase.label_zh().to_owned()
        } else {
            "本地演示（未连接平台）".to_owned()
        },
        last_success: st
            .last_success
            .or(last_local)
            .map(|t| t.format("%Y-%m-%d %H:%M").to_string()),
        pending: pending.min(u32::MAX as u64) as u32,
        pull_done: st.pull_done.min(u32::MAX as u64) as u32,
        pull_total: st.pull_total.min(u32::MAX as u64) as u32,
        changes_received: st.changes_received.min(u32::MAX as u64) as u32,
        offline: phase == SyncPhase::Offline,
        error: if must_change {
            Some("办公室重置了您的平台密码，请先修改密码，修改后自动同步。本地内容已保留。".into())
        } else if configured && !running {
            Some("尚未登录平台，同步未运行。请登录后再同步，本地内容已保留。".into())
        } else {
            st.error
        },
        error_code: if must_change {
            Some(MUST_CHANGE_PASSWORD.into())
        } else if configured && !running {
            Some(NOT_RUNNING.into())
        } else {
            st.error_code
        },
    })
}

/// 立即同步: asks the background thread to run now.
pub fn sync_now(state: &AppState) -> Result<SyncView, CommandError> {
    let started = state.with_sync(|h| match h {
        Some(h) => {
            h.sync_now();
            true
        }
        None => false,
    });
    if !started && state.config()?.server_url.is_some() {
        state.start_sync(None)?;
    }
    status(state)
}

pub fn notices(state: &AppState) -> Result<Vec<NoticeView>, CommandError> {
    state.with_store(|s| {
        Ok(s.notices(false)?
            .into_iter()
            .map(NoticeView::from)
            .collect())
    })
}

pub fn mark_read(state: &AppState, id: i64) -> Result<(), CommandError> {
    state.with_store(|s| s.mark_notice_read(id))
}
