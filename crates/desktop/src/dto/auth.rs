//! Login and first run (登录).

use super::shared::UserView;
use serde::{Deserialize, Serialize};

/// What the window needs to decide its first screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct AppStatus {
    /// `local` (demo data, no server) or `server`.
    pub mode: String,
    pub server_url: Option<String>,
    pub ca_file: Option<String>,
    /// The liaison or case handler working on this PC.
    pub user: Option<UserView>,
    /// An approver logged in locally.
    pub approver: Option<UserView>,
    pub data_dir: String,
    /// The office reset the platform password: the window asks for a new
    /// one before anything syncs.
    pub must_change_password: bool,
}

/// First run: the server, its CA and a login.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct ConnectInput {
    pub server_url: String,
    pub ca_file: Option<String>,
    pub username: String,
    pub password: String,
    /// The person confirmed a plain `http://` address to another machine
    /// (refused with `config.plain_http` until then).
    #[serde(default)]
    pub allow_plain_http: bool,
}

/// 修改平台密码: the logged-in user's own password.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct ChangePasswordInput {
    pub old_password: String,
    pub new_password: String,
}
