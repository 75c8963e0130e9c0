//! What the commands share: the data directory, the settings, the store, who
//! is logged in, the letter renderer and the background sync.
//!
//! Start-up never aborts the window: if the data directory or the store cannot
//! be opened, the state keeps the error and every command returns it, so the
//! user sees a Chinese message that says what to do instead of a crash.
//!
//! Two modes: with a central server configured, the store is
//! `jianban.sqlite3` and starts empty (sync pulls the unit's cases); without
//! one, a local demo store (`local-demo.sqlite3`) holds the demo data set and
//! the demo liaison is logged in.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use jianban_domain::{Actor, UnitId, UserId, UserRole};
use jianban_letter::LetterRenderer;
use jianban_store::{Account, Session, Store, StoreError};
use jianban_sync::{Credentials, ServerClient, ServerConfig, SyncEngine, SyncHandle};

use crate::config::{AppConfig, ServerAccount};
use crate::error::{code, CommandError};
use crate::picked::PickedPaths;
use crate::secrets::{NoCredentialStore, Secrets};

/// Password of the demo accounts (the server's demo uses the same).
pub const DEMO_PASSWORD: &str = "jianban-demo";
/// Who is logged in in the local demo.
pub const LOCAL_DEMO_USER: &str = "fgw-liaison";
/// How often sync runs by itself.
pub const SYNC_INTERVAL: Duration = Duration::from_secs(60);

pub struct AppState {
    data_dir: Result<PathBuf, CommandError>,
    /// Where the refresh token, the unit certificate and approvers' keys
    /// are kept: the OS credential store the shell passes in, or none.
    secrets: &'static (dyn Secrets + Sync),
    inner: Mutex<Inner>,
    /// Kept for the life of the app: fonts are found and parsed once.
    renderer: Mutex<Option<LetterRenderer>>,
    sync: Mutex<Option<SyncHandle>>,
    /// Paths picked in native dialogs during this run: the only ones (with
    /// the export folder) a command takes from the web view.
    picked: PickedPaths,
}

pub struct Inner {
    pub store: Result<Store, CommandError>,
    pub config: AppConfig,
    /// Who works on this PC now (liaison or case handler).
    pub user: Option<Actor>,
    /// An approver logged in locally, holding the unlocked signing key.
    pub approver: Option<Session>,
}

/// The result of opening the store at start-up.
pub struct Opened {
    pub store: Store,
    /// The store was empty and the demo data set was loaded into it.
    pub demo_loaded: bool,
}

/// Opens the local demo store; an empty one gets the demo data set and the
/// demo heads' local accounts (so approval works on this PC).
pub fn open_store(data_dir: &Path) -> Result<Opened, StoreError> {
    let mut store = Store::open(&data_dir.join(crate::config::LOCAL_DEMO_STORE_FILE))?;
    let demo_loaded = store.is_empty()?;
    if demo_loaded {
        let demo = jianban_domain::demo::demo_data();
        store.import_demo(&demo)?;
        // Heads only: each password hash takes a moment, and the demo liaison
        // is logged in without one.
        for user in demo.users.iter().filter(|u| u.role == UserRole::Head) {
            let account = Account {
                user_id: user.id.clone(),
                name: user.name.clone(),
                role: user.role,
                unit_id: user.unit.clone(),
            };
            store.add_account(&account, DEMO_PASSWORD)?;
        }
    }
    Ok(Opened { store, demo_loaded })
}

/// The demo liaison of the local demo.
pub fn local_demo_actor() -> Actor {
    let demo = jianban_domain::demo::demo_data();
    demo.users
        .iter()
        .find(|u| u.id.as_str() == LOCAL_DEMO_USER)
        .map(|u| u.actor())
        .unwrap_or(Actor {
            user: UserId::new(LOCAL_DEMO_USER),
            name: "联络员".into(),
            role: UserRole::Liaison,
            unit: Some(UnitId::new("fgw")),
        })
}

fn poisoned() -> CommandError {
    CommandError::new(
        code::INTERNAL,
        "建办内部出错，数据未被修改。请关闭后重新打开建办；如仍出现，请把日志文件发给技术支持。",
    )
}

pub fn not_logged_in() -> CommandError {
    CommandError::new(code::NOT_LOGGED_IN, "请先登录后再进行此操作。")
}

impl AppState {
    /// Opens everything for `data_dir`: settings, the store of the mode the
    /// settings select, and who is logged in. Never fails: errors are kept.
    pub fn open(data_dir: PathBuf, secrets: &'static (dyn Secrets + Sync)) -> Self {
        let config = AppConfig::load(&data_dir, secrets);
        let (config, config_error) = match config {
            Ok(c) => (c, None),
            Err(e) => (AppConfig::default(), Some(e)),
        };
        let mut inner = Inner {
            store: Err(not_logged_in()),
            config,
            user: None,
            approver: None,
        };
        inner.store = match config_error {
            Some(e) => Err(e),
            None => open_for(&data_dir, &inner.config, secrets),
        };
        if inner.store.is_ok() {
            inner.user = match (&inner.config.server_url, &inner.config.account) {
                (None, _) => Some(local_demo_actor()),
                (Some(_), Some(account)) => Some(account.actor()),
                (Some(_), None) => None,
            };
        }
        Self {
            data_dir: Ok(data_dir),
            secrets,
            inner: Mutex::new(inner),
            renderer: Mutex::new(None),
            sync: Mutex::new(None),
            picked: PickedPaths::default(),
        }
    }

    /// Where the app saves without asking (the shell's export folder): paths
    /// inside it may come from the web view.
    pub fn with_export_dir(mut self, dir: Option<PathBuf>) -> Self {
        self.picked = PickedPaths::new(dir);
        self
    }

    /// The paths picked in native dialogs (the shell's dialogs record them;
    /// commands check paths from the web view against them).
    pub fn picked(&self) -> &PickedPaths {
        &self.picked
    }

    /// No data directory: every command answers with `error`.
    pub fn unavailable(error: CommandError) -> Self {
        Self {
            data_dir: Err(error.clone()),
            secrets: &NoCredentialStore,
            inner: Mutex::new(Inner {
                store: Err(error),
                config: AppConfig::default(),
                user: None,
                approver: None,
            }),
            renderer: Mutex::new(None),
            sync: Mutex::new(None),
            picked: PickedPaths::default(),
        }
    }

    pub fn secrets(&self) -> &'static (dyn Secrets + Sync) {
        self.secrets
    }

    pub fn data_dir(&self) -> Result<&Path, CommandError> {
        self.data_dir.as_deref().map_err(Clone::clone)
    }

    pub fn with_inner<T>(
        &self,
        f: impl FnOnce(&mut Inner) -> Result<T, CommandError>,
    ) -> Result<T, CommandError> {
        let mut inner = self.inner.lock().map_err(|_| poisoned())?;
        f(&mut inner)
    }

    /// Runs `f` with the store, mapping every failure to a `CommandError`.
    pub fn with_store<T>(
        &self,
        f: impl FnOnce(&mut Store) -> Result<T, StoreError>,
    ) -> Result<T, CommandError> {
        self.with_inner(|inner| {
            let store = inner.store.as_mut().map_err(|e| e.clone())?;
            f(store).map_err(CommandError::from)
        })
    }

    /// As [`AppState::with_store`], for work that mixes store calls with
    /// other fallible steps.
    pub fn with_store_cmd<T>(
        &self,
        f: impl FnOnce(&mut Store) -> Result<T, CommandError>,
    ) -> Result<T, CommandError> {
        self.with_inner(|inner| {
            let store = inner.store.as_mut().map_err(|e| e.clone())?;
            f(store)
        })
    }

    /// The store and the person working, for actions.
    pub fn with_user<T>(
        &self,
        f: impl FnOnce(&mut Store, &Actor) -> Result<T, StoreError>,
    ) -> Result<T, CommandError> {
        self.with_inner(|inner| {
            let actor = inner.user.clone().ok_or_else(not_logged_in)?;
            let store = inner.store.as_mut().map_err(|e| e.clone())?;
            f(store, &actor).map_err(CommandError::from)
        })
    }

    pub fn with_renderer<T>(
        &self,
        f: impl FnOnce(&mut LetterRenderer) -> Result<T, CommandError>,
    ) -> Result<T, CommandError> {
        let mut guard = self.renderer.lock().map_err(|_| poisoned())?;
        f(guard.get_or_insert_with(LetterRenderer::new))
    }

    pub fn config(&self) -> Result<AppConfig, CommandError> {
        self.with_inner(|inner| Ok(inner.config.clone()))
    }

    /// Replaces the settings (saved first), reopening the store when the
    /// mode changes.
    pub fn set_config(&self, config: AppConfig) -> Result<(), CommandError> {
        let dir = self.data_dir()?.to_path_buf();
        config.save(&dir, self.secrets)?;
        self.with_inner(|inner| {
            let reopen = inner.config.store_file() != config.store_file() || inner.store.is_err();
            inner.config = config;
            if reopen {
                inner.approver = None;
                inner.store = Err(not_logged_in());
                inner.store = open_for(&dir, &inner.config, self.secrets);
            }
            Ok(())
        })
    }

    pub fn store_path(&self) -> Result<PathBuf, CommandError> {
        let dir = self.data_dir()?;
        self.with_inner(|inner| Ok(dir.join(inner.config.store_file())))
    }

    /// Starts (or restarts) background sync with its own connection to the
    /// store file. Without a server nothing runs.
    pub fn start_sync(&self, credentials: Option<Credentials>) -> Result<(), CommandError> {
        let config = self.config()?;
        let Some(url) = config.server_url.clone() else {
            self.stop_sync();
            return Ok(());
        };
        let credentials = credentials.or_else(|| {
            config
                .account
                .as_ref()
                .and_then(|a| a.refresh_token.clone())
                .map(Credentials::RefreshToken)
        });
        let Some(credentials) = credentials else {
            return Ok(());
        };
        let path = self.store_path()?;
        let mut store = Store::open(&path)?;
        let device = store.device_id()?;
        let client = server_client(&url, config.ca_file.as_deref(), &device, Some(credentials))?;
        let engine = SyncEngine::new(store, client);
        let handle = SyncHandle::start(engine, SYNC_INTERVAL);
        *self.sync.lock().map_err(|_| poisoned())? = Some(handle);
        Ok(())
    }

    pub fn stop_sync(&self) {
        // Keep the token the running client holds before it goes away.
        if let Err(e) = crate::api::sync::keep_refresh_token(self) {
            tracing::warn!(error = %e, "refresh token not kept");
        }
        if let Ok(mut s) = self.sync.lock() {
            // Dropping the handle stops and joins the thread.
            s.take();
        }
    }

    pub fn with_sync<T>(&self, f: impl FnOnce(Option<&SyncHandle>) -> T) -> T {
        match self.sync.lock() {
            Ok(guard) => f(guard.as_ref()),
            Err(_) => f(None),
        }
    }
}

/// Opens the store of the mode `config` selects.
fn open_for(
    dir: &Path,
    config: &AppConfig,
    secrets: &'static (dyn Secrets + Sync),
) -> Result<Store, CommandError> {
    let mut store = if config.server_url.is_some() {
        // Connected: an empty store that the first sync fills.
        Store::open(&dir.join(config.store_file()))?
    } else {
        let opened = open_store(dir)?;
        if opened.demo_loaded {
            tracing::info!("empty store: demo data set loaded (local demo)");
        }
        opened.store
    };
    // Approvers' sealed keys go to the OS credential store where one exists.
    store.set_key_vault(Box::new(crate::secrets::ApproverKeys::new(secrets, dir)));
    Ok(store)
}

pub fn device_name() -> String {
    std::env::var("HOSTNAME")
        .or_else(|_| std::env::var("COMPUTERNAME"))
        .unwrap_or_else(|_| "建办桌面端".into())
}

pub fn server_client(
    url: &str,
    ca: Option<&Path>,
    device_id: &str,
    credentials: Option<Credentials>,
) -> Result<ServerClient, CommandError> {
    let mut cfg = ServerConfig::new(url);
    cfg.ca_certificate = ca.map(Path::to_path_buf);
    Ok(ServerClient::new(
        cfg,
        device_id,
        device_name(),
        credentials,
    )?)
}

impl ServerAccount {
    pub fn from_login(answer: &jianban_protocol::TokenResponse) -> Self {
        ServerAccount {
            user_id: answer.user.id.clone(),
            name: answer.user.name.clone(),
            role: answer.user.role,
            unit_id: answer.user.unit_id.clone(),
            unit_name: answer.user.unit_name.clone(),
            refresh_token: Some(answer.refresh_token.clone()),
            must_change_password: answer.user.must_change_password,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn today() -> NaiveDate {
        chrono::Local::now().date_naive()
    }

    #[test]
    fn an_empty_data_dir_gets_the_demo_data_once() {
        let tmp = tempfile::tempdir().unwrap();
        let first = open_store(tmp.path()).unwrap();
        assert!(first.demo_loaded);
        let rows = first.store.workbench_items(today()).unwrap();
        assert!(rows.len() >= 40, "demo has {} assignments", rows.len());
        assert!(rows
            .iter()
            .any(|r| r.suggestion_number == 39 && r.title.contains("推动我市民营经济高质量发展")));
        assert!(first
            .store
            .accounts()
            .unwrap()
            .iter()
            .any(|a| a.role == UserRole::Head));
        drop(first);

        assert!(tmp
            .path()
            .join(crate::config::LOCAL_DEMO_STORE_FILE)
            .is_file());
        let second = open_store(tmp.path()).unwrap();
        assert!(!second.demo_loaded, "demo must not be loaded twice");
        assert_eq!(
            second.store.workbench_items(today()).unwrap().len(),
            rows.len()
        );
    }

    #[test]
    fn without_a_server_the_demo_liaison_works_on_the_local_demo() {
        let tmp = tempfile::tempdir().unwrap();
        let state = AppState::open(tmp.path().to_path_buf(), &NoCredentialStore);
        let user = state.with_inner(|i| Ok(i.user.clone())).unwrap().unwrap();
        assert_eq!(user.user.as_str(), LOCAL_DEMO_USER);
        assert!(!state.with_store(|s| s.is_empty()).unwrap());
    }

    #[test]
    fn with_a_server_the_store_starts_empty_and_nobody_is_logged_in() {
        let tmp = tempfile::tempdir().unwrap();
        AppConfig {
            server_url: Some("http://127.0.0.1:9".into()),
            ..Default::default()
        }
        .save(tmp.path(), &NoCredentialStore)
        .unwrap();
        let state = AppState::open(tmp.path().to_path_buf(), &NoCredentialStore);
        assert!(state.with_store(|s| s.is_empty()).unwrap());
        assert!(state.with_inner(|i| Ok(i.user.is_none())).unwrap());
        assert!(tmp.path().join(crate::config::SERVER_STORE_FILE).is_file());
        assert!(!tmp
            .path()
            .join(crate::config::LOCAL_DEMO_STORE_FILE)
            .exists());
    }

    #[test]
    fn an_unavailable_store_answers_every_call_with_its_error() {
        let err = CommandError::new(code::DATA_DIR, "无法确定数据目录");
        let state = AppState::unavailable(err.clone());
        let got = state.with_store(|s| s.is_empty()).unwrap_err();
        assert_eq!(got, err);
    }

    #[test]
    fn store_errors_keep_their_code() {
        let tmp = tempfile::tempdir().unwrap();
        // A directory where the database file should be: the store cannot open it.
        std::fs::create_dir(tmp.path().join(crate::config::LOCAL_DEMO_STORE_FILE)).unwrap();
        let err = match open_store(tmp.path()) {
            Ok(_) => panic!("opening a directory as the store must fail"),
            Err(e) => CommandError::from(e),
        };
        assert!(!err.code.is_empty());
        assert!(
            err.message
                .chars()
                .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
            "message should be Chinese: {}",
            err.message
        );
    }
}
