//! The desktop's own settings, kept as `config.json` in the data directory:
//! the central server (address, optional intranet CA), who logged in to it
//! (with the refresh token that lets sync resume after a restart), the
//! document-number prefix and the default cc list. The refresh token goes
//! to the OS credential store where one exists (`secrets.rs`), and the file
//! only says so; elsewhere it stays in the file.
//!
//! Environment variables (used by `scripts/run-demo.sh` and tests) override
//! the file at start-up: `JIANBAN_SERVER_URL`, `JIANBAN_CA_FILE`,
//! `JIANBAN_DEMO_LOGIN` + `JIANBAN_DEMO_PASSWORD` (log in on start when not
//! logged in yet) and `JIANBAN_DEMO_HEAD` (a local account for the unit's
//! head, same password, so the head can approve on this PC).

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::CommandError;
use crate::secrets::Secrets;

pub const CONFIG_FILE: &str = "config.json";
/// Store used when a central server is configured.
pub const SERVER_STORE_FILE: &str = crate::data_dir::STORE_FILE;
/// Store of the local demo (no server configured): kept apart so that
/// connecting to a server later starts from an empty store that pulls.
pub const LOCAL_DEMO_STORE_FILE: &str = "local-demo.sqlite3";

pub const ENV_SERVER_URL: &str = "JIANBAN_SERVER_URL";
pub const ENV_CA_FILE: &str = "JIANBAN_CA_FILE";
pub const ENV_DEMO_LOGIN: &str = "JIANBAN_DEMO_LOGIN";
pub const ENV_DEMO_PASSWORD: &str = "JIANBAN_DEMO_PASSWORD";
pub const ENV_DEMO_HEAD: &str = "JIANBAN_DEMO_HEAD";

/// The person logged in to the central server on this PC.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServerAccount {
    pub user_id: String,
    pub name: String,
    pub role: jianban_domain::UserRole,
    pub unit_id: Option<String>,
    pub unit_name: Option<String>,
    /// Lets sync resume after a restart without the password. Short, so it
    /// fits any credential store a later version moves it to.
    pub refresh_token: Option<String>,
    /// The office reset the password: the server takes nothing but a new
    /// password from this account, so sync waits until it is changed.
    #[serde(default)]
    pub must_change_password: bool,
}

impl ServerAccount {
    pub fn actor(&self) -> jianban_domain::Actor {
        jianban_domain::Actor {
            user: jianban_domain::UserId::new(&self.user_id),
            name: self.name.clone(),
            role: self.role,
            unit: self.unit_id.clone().map(jianban_domain::UnitId),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct AppConfig {
    pub server_url: Option<String>,
    pub ca_file: Option<PathBuf>,
    pub account: Option<ServerAccount>,
    /// 代字 for reply numbers, e.g. 宿发改建复; empty: the unit's own.
    pub doc_prefix: String,
    /// 抄送 filled into new replies.
    pub default_cc: Vec<String>,
    /// In the file only: the account's refresh token is in the OS credential
    /// store. In memory it is always false and the token is in `account`.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub token_in_keyring: bool,
}

/// The credential-store entry for the refresh token of the data directory
/// `dir` (several data directories on one PC keep theirs apart).
pub fn token_entry(dir: &Path) -> String {
    format!("refresh-token {}", dir.display())
}

pub fn default_cc() -> Vec<String> {
    vec!["市人大常委会代表工委".into(), "市政府办公室".into()]
}

impl AppConfig {
    /// Reads the file, then the refresh token from `secrets` when the file
    /// says it is there. A token the store no longer gives back means one
    /// login with the password, not an error.
    pub fn load(dir: &Path, secrets: &dyn Secrets) -> Result<AppConfig, CommandError> {
        let mut config = Self::read_file(dir)?;
        if config.token_in_keyring {
            config.token_in_keyring = false;
            if let Some(account) = config.account.as_mut() {
                account.refresh_token = secrets.get(&token_entry(dir));
            }
        }
        Ok(config)
    }

    fn read_file(dir: &Path) -> Result<AppConfig, CommandError> {
        let path = dir.join(CONFIG_FILE);
        match std::fs::read_to_string(&path) {
            Ok(text) => serde_json::from_str(&text).map_err(|e| {
                CommandError::new(
                    crate::error::code::CONFIG,
                    format!(
                        "设置文件 {} 内容有误（{e}）。请在“设置”中重新填写平台地址；原文件可删除。",
                        path.display()
                    ),
                )
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(AppConfig {
                default_cc: default_cc(),
                ..Default::default()
            }),
            Err(e) => Err(CommandError::new(
                crate::error::code::CONFIG,
                format!("无法读取设置文件 {}：{e}。请检查文件权限。", path.display()),
            )),
        }
    }

    /// Saves, with the refresh token in `secrets` when it takes it (and in
    /// the file otherwise); without a token, any stored one is forgotten.
    /// Written to a temporary file and renamed, so a crash never leaves half
    /// a settings file.
    pub fn save(&self, dir: &Path, secrets: &dyn Secrets) -> Result<(), CommandError> {
        let mut file = self.clone();
        file.token_in_keyring = false;
        let entry = token_entry(dir);
        match file.account.as_mut() {
            Some(account) => {
                if let Some(token) = account.refresh_token.as_deref() {
                    if secrets.put(&entry, token) {
                        account.refresh_token = None;
                        file.token_in_keyring = true;
                    }
                }
            }
            None => secrets.delete(&entry),
        }
        file.write(dir)
    }

    fn write(&self, dir: &Path) -> Result<(), CommandError> {
        let path = dir.join(CONFIG_FILE);
        let tmp = dir.join(format!("{CONFIG_FILE}.tmp"));
        let text = serde_json::to_string_pretty(self).expect("config serializes");
        std::fs::write(&tmp, text)
            .and_then(|()| std::fs::rename(&tmp, &path))
            .map_err(|e| {
                CommandError::new(
                    crate::error::code::CONFIG,
                    format!(
                        "无法保存设置到 {}：{e}。请检查磁盘空间和文件夹权限。",
                        path.display()
                    ),
                )
            })
    }

    /// Applies `JIANBAN_SERVER_URL` / `JIANBAN_CA_FILE`; a different server
    /// than the saved one forgets the saved login.
    pub fn apply_env(&mut self, get: impl Fn(&str) -> Option<String>) -> bool {
        let mut changed = false;
        if let Some(url) = get(ENV_SERVER_URL).filter(|v| !v.trim().is_empty()) {
            let url = normalize_url(&url);
            if self.server_url.as_deref() != Some(url.as_str()) {
                self.server_url = Some(url);
                self.account = None;
                changed = true;
            }
        }
        if let Some(ca) = get(ENV_CA_FILE).filter(|v| !v.trim().is_empty()) {
            let ca = PathBuf::from(ca);
            if self.ca_file.as_ref() != Some(&ca) {
                self.ca_file = Some(ca);
                changed = true;
            }
        }
        changed
    }

    pub fn store_file(&self) -> &'static str {
        if self.server_url.is_some() {
            SERVER_STORE_FILE
        } else {
            LOCAL_DEMO_STORE_FILE
        }
    }
}

pub fn normalize_url(url: &str) -> String {
    url.trim().trim_end_matches('/').to_string()
}

/// The code of a plain `http://` address to another machine, refused until
/// the person confirms it (the login screen then asks and sends again with
/// `allowPlainHttp`).
pub const PLAIN_HTTP: &str = "config.plain_http";

/// Checks a server address typed by the user. Plain `http://` is accepted
/// without asking only to this PC itself (127.0.0.0/8, ::1, localhost):
/// across the network the password and every case would travel readable
/// by anyone on the way, so it takes `allow_plain_http`, the person's
/// confirmation.
pub fn check_url(url: &str, allow_plain_http: bool) -> Result<String, CommandError> {
    let url = normalize_url(url);
    if !(url.starts_with("http://") || url.starts_with("https://")) || url.len() < 10 {
        return Err(CommandError::new(
            crate::error::code::CONFIG,
            "平台地址应以 http:// 或 https:// 开头，例如 https://dbjy.example.gov.cn，请检查后重新输入。",
        ));
    }
    if let Some(rest) = url.strip_prefix("http://") {
        if !allow_plain_http && !is_loopback_host(rest) {
            return Err(CommandError::new(
                PLAIN_HTTP,
                "该平台地址使用未加密的 http://，账号密码和案件内容在网络上以明文传输，可能被他人截取。\
                 请向管理员索取 https:// 地址；确认本单位内网允许明文连接时，才继续使用该地址。",
            ));
        }
    }
    Ok(url)
}

/// Whether the authority after `http://` names this PC: `localhost`, an
/// address in 127.0.0.0/8, or ::1 (any port, no user info tricks: the host
/// is what follows the last `@`).
fn is_loopback_host(after_scheme: &str) -> bool {
    let authority = after_scheme
        .split(['/', '?', '#'])
        .next()
        .unwrap_or_default();
    let host_port = authority.rsplit('@').next().unwrap_or_default();
    let host = if let Some(v6) = host_port.strip_prefix('[') {
        match v6.split_once(']') {
            Some((h, _)) => h,
            None => return false,
        }
    } else {
        host_port.split(':').next().unwrap_or_default()
    };
    let host = host.strip_suffix('.').unwrap_or(host);
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secrets::NoCredentialStore;

    #[test]
    fn a_missing_file_gives_defaults_and_save_round_trips() {
        let tmp = tempfile::tempdir().unwrap();
        let mut c = AppConfig::load(tmp.path(), &NoCredentialStore).unwrap();
        assert_eq!(c.server_url, None);
        assert_eq!(c.default_cc, default_cc());
        assert_eq!(c.store_file(), LOCAL_DEMO_STORE_FILE);
        c.server_url = Some("http://127.0.0.1:8787".into());
        c.doc_prefix = "宿发改建复".into();
        c.save(tmp.path(), &NoCredentialStore).unwrap();
        let back = AppConfig::load(tmp.path(), &NoCredentialStore).unwrap();
        assert_eq!(back, c);
        assert_eq!(back.store_file(), SERVER_STORE_FILE);
    }

    fn logged_in() -> AppConfig {
        AppConfig {
            server_url: Some("http://127.0.0.1:8787".into()),
            account: Some(ServerAccount {
                user_id: "fgw-liaison".into(),
                name: "王晓梅".into(),
                role: jianban_domain::UserRole::Liaison,
                unit_id: Some("fgw".into()),
                unit_name: None,
                refresh_token: Some("rt-secret-1".into()),
                must_change_password: false,
            }),
            ..Default::default()
        }
    }

    #[test]
    fn the_refresh_token_goes_to_the_os_store_and_not_into_the_file() {
        use crate::secrets::fake::MapSecrets;
        let tmp = tempfile::tempdir().unwrap();
        let keyring = MapSecrets {
            available: true,
            ..Default::default()
        };
        let c = logged_in();
        c.save(tmp.path(), &keyring).unwrap();
        let text = std::fs::read_to_string(tmp.path().join(CONFIG_FILE)).unwrap();
        assert!(!text.contains("rt-secret-1"), "{text}");
        assert!(text.contains("token_in_keyring"), "{text}");
        assert_eq!(AppConfig::load(tmp.path(), &keyring).unwrap(), c);

        // The store lost it (profile reset): the login is kept, the token is
        // gone, and sync asks for the password once.
        keyring.map.borrow_mut().clear();
        let back = AppConfig::load(tmp.path(), &keyring).unwrap();
        assert_eq!(back.account.unwrap().refresh_token, None);

        // Logging out forgets the stored token.
        c.save(tmp.path(), &keyring).unwrap();
        AppConfig {
            account: None,
            ..c.clone()
        }
        .save(tmp.path(), &keyring)
        .unwrap();
        assert!(keyring.map.borrow().is_empty());
    }

    #[test]
    fn without_an_os_store_the_token_stays_in_the_file() {
        use crate::secrets::fake::MapSecrets;
        let tmp = tempfile::tempdir().unwrap();
        let none = MapSecrets::default();
        let c = logged_in();
        c.save(tmp.path(), &none).unwrap();
        let text = std::fs::read_to_string(tmp.path().join(CONFIG_FILE)).unwrap();
        assert!(text.contains("rt-secret-1"), "{text}");
        assert!(!text.contains("token_in_keyring"), "{text}");
        assert_eq!(AppConfig::load(tmp.path(), &none).unwrap(), c);
    }

    #[test]
    fn a_damaged_file_is_a_chinese_error() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::write(tmp.path().join(CONFIG_FILE), "{not json").unwrap();
        let e = AppConfig::load(tmp.path(), &NoCredentialStore).unwrap_err();
        assert_eq!(e.code, crate::error::code::CONFIG);
        assert!(e.message.contains("设置文件"), "{}", e.message);
    }

    #[test]
    fn the_environment_sets_the_server_and_a_new_server_forgets_the_login() {
        let mut c = AppConfig {
            server_url: Some("http://old:1".into()),
            ..logged_in()
        };
        let env = |k: &str| (k == ENV_SERVER_URL).then(|| "http://127.0.0.1:8787/".to_string());
        assert!(c.apply_env(env));
        assert_eq!(c.server_url.as_deref(), Some("http://127.0.0.1:8787"));
        assert!(c.account.is_none());
        // Same server again: nothing changes.
        assert!(!c.apply_env(env));
    }

    #[test]
    fn urls_must_name_http_or_https() {
        assert_eq!(
            check_url(" https://dbjy.example.gov.cn/ ", false).unwrap(),
            "https://dbjy.example.gov.cn"
        );
        let e = check_url("dbjy.example.gov.cn", false).unwrap_err();
        assert!(e.message.contains("http://"));
    }

    #[test]
    fn plain_http_goes_only_to_this_pc_unless_confirmed() {
        for ok in [
            "http://127.0.0.1:8580",
            "http://127.8.9.10/",
            "http://localhost:8580",
            "http://LOCALHOST",
            "http://[::1]:8580",
            "http://localhost./v1",
        ] {
            assert!(check_url(ok, false).is_ok(), "{ok}");
        }
        for refused in [
            "http://dbjy.example.gov.cn",
            "http://10.1.2.3:8580",
            "http://127.0.0.1.evil.example",
            "http://localhost.evil.example",
            "http://127.0.0.1@dbjy.example.gov.cn",
            "http://[::2]:8580",
            "http://[::1",
            "http://0.0.0.0:8580",
        ] {
            let e = check_url(refused, false).unwrap_err();
            assert_eq!(e.code, PLAIN_HTTP, "{refused}");
            assert!(e.message.contains("明文"), "{}", e.message);
            // Confirmed by the person: accepted as typed.
            assert!(check_url(refused, true).is_ok(), "{refused}");
        }
        assert!(check_url("https://dbjy.example.gov.cn", false).is_ok());
    }
}
