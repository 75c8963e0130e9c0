//! Desktop notifications: new notices (assignments, returns, urgings,
//! rejections that sync brought) and, once a day, what is overdue or due
//! within three working days. What they say is decided in
//! `jianban_desktop::reminders`; this shows them.

use std::time::Duration;

use jianban_desktop::api;
use jianban_desktop::reminders::{deadline_summary, title_of};
use jianban_desktop::state::AppState;
use tauri::{AppHandle, Manager};
use tauri_plugin_notification::NotificationExt;

const POLL: Duration = Duration::from_secs(15);

fn show(app: &AppHandle, title: &str, body: &str) {
    if let Err(e) = app.notification().builder().title(title).body(body).show() {
        tracing::warn!(error = %e, "desktop notification not shown");
    }
}

/// Starts the watcher thread.
pub fn start(app: AppHandle) {
    let spawned = std::thread::Builder::new()
        .name("jianban-notify".into())
        .spawn(move || {
            let state = app.state::<AppState>();
            let mut seen = state.with_store(|s| s.latest_notice_id()).unwrap_or(0);
            let mut last_day = None;
            loop {
                let today = api::today();
                let logged_in = state.with_inner(|i| Ok(i.user.is_some())).unwrap_or(false);
                if logged_in && last_day != Some(today) {
                    last_day = Some(today);
                    let summary = state
                        .with_store(|s| s.workbench_items(today))
                        .ok()
                        .and_then(|rows| deadline_summary(rows.into_iter().map(|r| r.warning)));
                    if let Some(text) = summary {
                        show(&app, "办理期限提醒", &text);
                    }
                }
                if let Ok(new) = state.with_store(|s| s.notices_after(seen)) {
                    for n in new {
                        seen = seen.max(n.id);
                        show(&app, title_of(&n.kind), &n.message);
                    }
                }
                std::thread::sleep(POLL);
            }
        });
    if let Err(e) = spawned {
        tracing::error!(error = %e, "notification watcher not started");
    }
}
