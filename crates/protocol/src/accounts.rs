//! Account lifecycle: the office closes and reopens accounts, resets
//! passwords, lists and revokes devices, unlocks accounts and sets how long
//! a login lasts; a user changes their own password.

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use jianban_domain::UserRole;

/// `POST /v1/auth/password`: the logged-in user changes their own password
/// (the only route open while the office's reset asks for a new one).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangePasswordRequest {
    pub old_password: String,
    /// At least 8 characters, not the old one.
    pub new_password: String,
}

/// `POST /v1/office/users/{id}/reset-password`: the office sets a
/// temporary password, which the user must change at the next login.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResetPasswordRequest {
    /// At least 8 characters.
    pub password: String,
}

/// A user account as the office sees it (answer of the account actions).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct UserAccount {
    pub id: String,
    pub name: String,
    #[schema(value_type = String)]
    pub role: UserRole,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit_id: Option<String>,
    /// When the office disabled the account; absent while it is usable.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disabled_at: Option<String>,
    /// The office reset the password; the user must choose a new one.
    #[serde(default)]
    pub must_change_password: bool,
}

/// `GET /v1/office/devices`: every registered device, or one user's or one
/// unit's, by device id, a page at a time.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DeviceQuery {
    #[serde(default)]
    pub user_id: Option<String>,
    #[serde(default)]
    pub unit_id: Option<String>,
    /// Devices with an id after this one (the last id of the previous page).
    #[serde(default)]
    pub after: Option<String>,
    /// Page size, default and at most [`MAX_DEVICES_PAGE`].
    #[serde(default)]
    pub limit: Option<u32>,
}

/// Largest page of `GET /v1/office/devices`.
pub const MAX_DEVICES_PAGE: u32 = 1000;

/// One registered device (a desktop installation).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct DeviceInfo {
    pub id: String,
    /// The name the desktop gave, e.g. the computer's name.
    pub name: String,
    pub user_id: String,
    pub user_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit_id: Option<String>,
    pub registered_at: String,
    /// Last login or sync push.
    pub last_seen_at: String,
    /// When the office revoked it; absent while it may sync.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked_at: Option<String>,
}

/// `GET` and `PUT /v1/office/settings/session`: how long a login lasts
/// before the user must enter the password again, however often the
/// desktop refreshes its tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SessionSettings {
    /// Days, from [`MIN_SESSION_DAYS`] to [`MAX_SESSION_DAYS`].
    pub lifetime_days: u32,
}

pub const DEFAULT_SESSION_DAYS: u32 = 30;
pub const MIN_SESSION_DAYS: u32 = 1;
pub const MAX_SESSION_DAYS: u32 = 365;
