//! First run, login to the central server, local login of approvers.

use jianban_domain::{UnitId, UserId, UserRole};
use jianban_store::Account;
use jianban_sync::Credentials;

use crate::config::{self, AppConfig, ServerAccount};
use crate::dto::{AppStatus, ChangePasswordInput, ConnectInput, UserView};
use crate::error::{code, CommandError};
use crate::state::{self, AppState};

pub fn status(state: &AppState) -> Result<AppStatus, CommandError> {
    let dir = state.data_dir()?.display().to_string();
    state.with_inner(|inner| {
        Ok(AppStatus {
            mode: if inner.config.server_url.is_some() {
                "server"
            } else {
                "local"
            }
            .into(),
            server_url: inner.config.server_url.clone(),
            ca_file: inner
                .config
                .ca_file
                .as_ref()
                .map(|p| p.display().to_string()),
            user: inner.user.as_ref().map(UserView::from),
            approver: inner
                .approver
                .as_ref()
                .map(|s| UserView::from(&s.account.actor())),
            data_dir: dir,
            must_change_password: inner
                .config
                .account
                .as_ref()
                .is_some_and(|a| a.must_change_password),
        })
    })
}

fn device_id(state: &AppState) -> Result<String, CommandError> {
    state.with_store(|s| s.device_id())
}

/// The device id an approver's own login names on this PC. The server gives
/// a device id to the first user who logs in with it (anyone else is
/// refused `auth.device_taken`), and the PC's own id is the sync account's:
/// an approver signing on the liaison's PC has an id of their own beside it.
pub(super) fn approver_device_id(state: &AppState, user_id: &str) -> Result<String, CommandError> {
    Ok(format!("{}~{user_id}", device_id(state)?))
}

/// Logs in to the central server; on success the server, the login (its
/// refresh token) and the mode are saved, and sync starts.
pub fn connect(state: &AppState, input: &ConnectInput) -> Result<AppStatus, CommandError> {
    let url = config::check_url(&input.server_url, input.allow_plain_http)?;
    let username = input.username.trim();
    if username.is_empty() || input.password.is_empty() {
        return Err(CommandError::new(
            code::NOT_LOGGED_IN,
            "请输入平台账号和密码。",
        ));
    }
    let ca = input
        .ca_file
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(std::path::PathBuf::from);
    // The path comes from the web view: the one saved in the settings, or
    // one picked in the dialog this run.
    let ca = match ca {
        Some(p) if state.config()?.ca_file.as_ref() != Some(&p) => {
            Some(state.picked().check(&p, "内网CA证书文件")?)
        }
        other => other,
    };
    if let Some(ca) = &ca {
        if !ca.is_file() {
            return Err(CommandError::new(
                code::CONFIG,
                format!("找不到证书文件 {}，请检查路径，或不填证书。", ca.display()),
            ));
        }
    }
    // The device id lives in the connected store; open its settings first
    // so the login names the device sync will use.
    let mut config = state.config()?;
    config.server_url = Some(url.clone());
    config.ca_file = ca.clone();
    config.account = None;
    state.stop_sync();
    state.set_config(config.clone())?;
    let device = device_id(state)?;
    let client = state::server_client(&url, ca.as_deref(), &device, None)?;
    let answer = client.login(username, &input.password)?;
    let account = ServerAccount::from_login(&answer);
    let actor = account.actor();
    let must_change = account.must_change_password;
    config.account = Some(account);
    state.set_config(config)?;
    state.with_inner(|inner| {
        inner.user = Some(actor);
        Ok(())
    })?;
    // After the office's reset the server takes only a new password: sync
    // starts once the window has asked for it (change_password).
    if !must_change {
        state.start_sync(Some(Credentials::Password {
            username: username.to_string(),
            password: input.password.clone(),
        }))?;
    }
    tracing::info!(server = %url, user = username, must_change, "logged in to the central server");
    status(state)
}

/// 修改平台密码: the logged-in user changes their own password (also what
/// the office's reset asks for before anything else). Sync runs again with
/// the new password; the server logs the user's other devices out.
pub fn change_password(
    state: &AppState,
    input: &ChangePasswordInput,
) -> Result<AppStatus, CommandError> {
    let config = state.config()?;
    let (Some(url), Some(account)) = (config.server_url.clone(), config.account.clone()) else {
        return Err(CommandError::new(
            code::NOT_LOGGED_IN,
            "尚未登录平台，请先登录后再修改密码。",
        ));
    };
    if input.old_password.is_empty() || input.new_password.is_empty() {
        return Err(CommandError::new(code::INPUT, "请填写原密码和新密码。"));
    }
    // A client of its own, logged in with the old password: the password
    // is the proof, whatever state the running sync's tokens are in.
    state.stop_sync();
    let device = device_id(state)?;
    let client = state::server_client(&url, config.ca_file.as_deref(), &device, None)?;
    let changed = client
        .login(&account.user_id, &input.old_password)
        .and_then(|_| client.change_password(&input.old_password, &input.new_password));
    if let Err(e) = changed {
        // Sync goes on as before (it waits if the reset is still pending).
        if !account.must_change_password {
            state.start_sync(None)?;
        }
        return Err(e.into());
    }
    let mut config = state.config()?;
    if let Some(a) = config.account.as_mut() {
        a.must_change_password = false;
        a.refresh_token = client.refresh_token();
    }
    state.set_config(config)?;
    state.start_sync(Some(Credentials::Password {
        username: account.user_id.clone(),
        password: input.new_password.clone(),
    }))?;
    tracing::info!(user = %account.user_id, "platform password changed");
    status(state)
}

/// Forgets the server login on this PC (the store and its data stay).
pub fn logout(state: &AppState) -> Result<AppStatus, CommandError> {
    state.stop_sync();
    let mut config = state.config()?;
    config.account = None;
    state.set_config(config)?;
    state.with_inner(|inner| {
        inner.approver = None;
        inner.user = if inner.config.server_url.is_some() {
            None
        } else {
            Some(state::local_demo_actor())
        };
        Ok(())
    })?;
    status(state)
}

/// Back to the local demo: no server, demo data.
pub fn use_local_demo(state: &AppState) -> Result<AppStatus, CommandError> {
    state.stop_sync();
    let mut config = state.config()?;
    config.server_url = None;
    config.account = None;
    state.set_config(config)?;
    state.with_inner(|inner| {
        inner.user = Some(state::local_demo_actor());
        Ok(())
    })?;
    status(state)
}

/// An approver logs in with a local account (their signing key is unlocked
/// and kept for this session). With a server configured, the approver's
/// public key is registered there (best effort; a failure is logged and
/// retried at the next login).
pub fn login_local(
    state: &AppState,
    user_id: &str,
    password: &str,
) -> Result<UserView, CommandError> {
    let session = state.with_store(|s| s.login(user_id.trim(), password, super::now()))?;
    if session.key_renewed {
        tracing::warn!(
            user = user_id.trim(),
            "the OS credential store no longer holds this approver's signing key: a new one was made"
        );
    }
    let view = UserView::from(&session.account.actor());
    let key = session.key.as_ref().map(|k| k.public_key_hex());
    let worker = matches!(session.account.role, UserRole::Liaison);
    let actor = session.account.actor();
    state.with_inner(|inner| {
        if worker {
            inner.user = Some(actor);
        } else {
            inner.approver = Some(session);
        }
        Ok(())
    })?;
    if let Some(key) = key {
        if let Err(e) = register_key(state, user_id.trim(), password, &key) {
            tracing::warn!(code = %e.code, error = %e.message, "signing key not registered with the server");
        }
    }
    Ok(view)
}

fn register_key(
    state: &AppState,
    user_id: &str,
    password: &str,
    key: &str,
) -> Result<(), CommandError> {
    let config = state.config()?;
    let Some(url) = config.server_url else {
        return Ok(());
    };
    let device = approver_device_id(state, user_id)?;
    let client = state::server_client(&url, config.ca_file.as_deref(), &device, None)?;
    client.login(user_id, password)?;
    let receipt = client.register_key(key)?;
    tracing::info!(
        user = user_id,
        created = receipt.created,
        "signing key registered"
    );
    Ok(())
}

pub fn logout_local(state: &AppState) -> Result<AppStatus, CommandError> {
    state.with_inner(|inner| {
        inner.approver = None;
        Ok(())
    })?;
    status(state)
}

/// Start-up: apply the environment (server, demo login, demo head) and
/// start sync when someone is logged in. Errors are logged; the window
/// then shows the login screen.
pub fn start_up(state: &AppState, env: impl Fn(&str) -> Option<String>) {
    let Ok(mut config) = state.config() else {
        return;
    };
    if config.apply_env(&env) {
        if let Err(e) = state.set_config(config.clone()) {
            tracing::error!(error = %e, "settings from the environment not applied");
            return;
        }
        let _ = state.with_inner(|inner| {
            inner.user = config.account.as_ref().map(ServerAccount::actor);
            Ok(())
        });
    }
    if config.server_url.is_none() {
        return;
    }
    let login = env(config::ENV_DEMO_LOGIN).filter(|v| !v.is_empty());
    let password = env(config::ENV_DEMO_PASSWORD).unwrap_or_else(|| state::DEMO_PASSWORD.into());
    if config.account.is_none() {
        if let Some(user) = &login {
            let input = ConnectInput {
                server_url: config.server_url.clone().unwrap_or_default(),
                ca_file: config.ca_file.as_ref().map(|p| p.display().to_string()),
                username: user.clone(),
                password: password.clone(),
                // The address came from the environment, set by whoever
                // started the app, not typed into the window.
                allow_plain_http: true,
            };
            match connect(state, &input) {
                Ok(_) => {}
                Err(e) => tracing::error!(error = %e, "demo login failed"),
            }
        }
    } else if config
        .account
        .as_ref()
        .is_some_and(|a| a.must_change_password)
    {
        tracing::info!("sync waits for the password the office's reset asks for");
    } else if let Err(e) = state.start_sync(None) {
        tracing::error!(error = %e, "sync not started");
    }
    if let Some(head) = env(config::ENV_DEMO_HEAD).filter(|v| !v.is_empty()) {
        if let Err(e) = ensure_demo_head(state, &head, &password) {
            tracing::error!(error = %e, "demo head account not created");
        }
    }
}

/// A local account for the unit's head, named as in the demo data.
fn ensure_demo_head(state: &AppState, head: &str, password: &str) -> Result<(), CommandError> {
    let demo = jianban_domain::demo::demo_data();
    let known = demo.users.iter().find(|u| u.id.as_str() == head);
    let unit = state.with_inner(|inner| {
        Ok(inner
            .config
            .account
            .as_ref()
            .and_then(|a| a.unit_id.clone()))
    })?;
    let account = Account {
        user_id: UserId::new(head),
        name: known.map_or_else(|| head.to_string(), |u| u.name.clone()),
        role: UserRole::Head,
        unit_id: known.and_then(|u| u.unit.clone()).or(unit.map(UnitId)),
    };
    state.with_store(|s| {
        if s.accounts()?.iter().any(|a| a.user_id == account.user_id) {
            return Ok(());
        }
        s.add_account(&account, password)
    })
}

/// Used by the settings screen and tests.
pub fn saved_config(state: &AppState) -> Result<AppConfig, CommandError> {
    state.config()
}
