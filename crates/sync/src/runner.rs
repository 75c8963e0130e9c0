//! Sync in the background: on start, every interval, on "sync now", and
//! after failures with exponential backoff and jitter.

use std::sync::mpsc::{channel, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use crate::backoff::{jitter_unit, Backoff};
use crate::engine::SyncEngine;
use crate::status::SyncStatus;

enum Signal {
    Now,
    Stop,
}

/// Controls the background sync thread. Dropping it stops the thread.
pub struct SyncHandle {
    tx: Sender<Signal>,
    status: Arc<Mutex<SyncStatus>>,
    /// The client's latest refresh token, so the app can keep it for the
    /// next start (the server rotates it on every refresh).
    refresh_token: Arc<Mutex<Option<String>>>,
    thread: Option<JoinHandle<()>>,
}

impl SyncHandle {
    /// Starts syncing now and then every `interval`.
    pub fn start(mut engine: SyncEngine, interval: Duration) -> Self {
        let (tx, rx) = channel();
        let status = engine.status_handle();
        let refresh_token = Arc::new(Mutex::new(None));
        let token_out = Arc::clone(&refresh_token);
        let thread = std::thread::Builder::new()
            .name("jianban-sync".into())
            .spawn(move || {
                let mut backoff = Backoff::new(Duration::from_secs(2), Duration::from_secs(300));
                let mut wait = Duration::ZERO;
                loop {
                    match rx.recv_timeout(wait) {
                        Ok(Signal::Stop) | Err(RecvTimeoutError::Disconnected) => return,
                        Ok(Signal::Now) | Err(RecvTimeoutError::Timeout) => {}
                    }
                    let result = engine.sync_once();
                    if let Ok(mut t) = token_out.lock() {
                        *t = engine.client().refresh_token();
                    }
                    wait = match result {
                        Ok(_) => {
                            backoff.reset();
                            interval
                        }
                        Err(e) if e.is_retryable() => backoff.next_delay(jitter_unit()),
                        // Needs the user (log in, upgrade): wait for "sync now".
                        Err(_) => Duration::from_secs(3600),
                    };
                }
            })
            .expect("the sync thread starts");
        Self {
            tx,
            status,
            refresh_token,
            thread: Some(thread),
        }
    }

    /// "立即同步".
    pub fn sync_now(&self) {
        let _ = self.tx.send(Signal::Now);
    }

    /// The refresh token the client holds now (none before the first round
    /// or when logged out).
    pub fn refresh_token(&self) -> Option<String> {
        self.refresh_token.lock().ok().and_then(|t| t.clone())
    }

    pub fn status(&self) -> SyncStatus {
        self.status.lock().map(|s| s.clone()).unwrap_or_default()
    }
}

impl Drop for SyncHandle {
    fn drop(&mut self) {
        let _ = self.tx.send(Signal::Stop);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
