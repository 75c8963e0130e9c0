//! Wire types of the central server's HTTP API, protocol version 1.
//!
//! Serde types with OpenAPI schemas and nothing else: no I/O, no HTTP client.
//! The server and the desktop's sync client both depend on this crate, so
//! they cannot disagree about a field name. Domain values that travel whole
//! (a [`Case`], an [`Assignment`], a [`ReplyContent`]) are the domain crate's
//! own types; their OpenAPI schema is an open object here.
//!
//! See `README.md` beside this crate for the contract in prose.

mod accounts;
pub mod documents;
mod office;
mod stats;
mod sync;

pub use accounts::*;
pub use office::*;
pub use stats::*;
pub use sync::*;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Header every request carries with the client's protocol version.
pub const PROTOCOL_HEADER: &str = "X-Jianban-Protocol";
/// The protocol version this crate describes.
pub const PROTOCOL_VERSION: u32 = 1;
/// The oldest client protocol the server still accepts.
pub const MIN_PROTOCOL_VERSION: u32 = 1;
/// Header naming the assignment a document upload belongs to.
pub const ASSIGNMENT_HEADER: &str = "X-Jianban-Assignment";
/// Most commands one push may carry; more is refused whole (413).
pub const MAX_PUSH_COMMANDS: usize = 1000;
/// Largest JSON request body, in bytes; more is refused (413).
pub const MAX_JSON_BODY: usize = 8 * 1024 * 1024;
/// Largest uploaded file (import or signed PDF), in bytes.
pub const MAX_FILE_BODY: usize = 32 * 1024 * 1024;
/// Default and largest page of the change feed.
pub const DEFAULT_CHANGES_LIMIT: u32 = 500;
pub const MAX_CHANGES_LIMIT: u32 = 5000;

/// Every error the server answers with. `code` is stable and what a client
/// matches on; `message` is Chinese and says what to do next.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ErrorBody {
    pub code: String,
    pub message: String,
    /// `sync.sequence_gap`: the sequence number the server expects next.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected: Option<i64>,
    /// `import.*`: every bad row and column found.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<RowError>>,
}

impl ErrorBody {
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            code: code.into(),
            message: message.into(),
            expected: None,
            errors: None,
        }
    }
}

/// One problem in an imported file, named by row (1 = the header row) and
/// column.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct RowError {
    pub row: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    pub message: String,
}

/// `POST /v1/auth/login`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
    /// Stable id of the installation (the desktop generates it once).
    pub device_id: String,
    /// Shown to the office, e.g. the computer's name.
    pub device_name: String,
}

/// `POST /v1/auth/refresh`. The refresh token is single-use: the answer
/// carries a new one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    pub refresh_token: String,
}

/// Answer to login and refresh.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct TokenResponse {
    /// Bearer token for `Authorization: Bearer …`.
    pub access_token: String,
    pub refresh_token: String,
    /// Seconds until the access token expires.
    pub expires_in: u64,
    pub user: UserInfo,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct UserInfo {
    pub id: String,
    pub name: String,
    /// `office_staff`, `liaison`, `case_handler`, `deputy_head` or `head`.
    #[schema(value_type = String)]
    pub role: jianban_domain::UserRole,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit_name: Option<String>,
    /// The office reset the password: every route but
    /// `POST /v1/auth/password` answers 403 `auth.must_change_password`
    /// until the user chooses a new one. Absent from older servers.
    #[serde(default)]
    pub must_change_password: bool,
}

/// `POST /v1/auth/keys`: registers the caller's Ed25519 public key (hex), so
/// that decisions they sign are recognised. Only approvers (case handler,
/// deputy head, head) register keys.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterKeyRequest {
    pub public_key: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct KeyReceipt {
    pub user_id: String,
    pub public_key: String,
    /// False when the key was registered already.
    pub created: bool,
}

/// Longest reason accepted for revoking a signing key, in characters.
pub const MAX_REVOCATION_REASON_CHARS: usize = 500;

/// `POST /v1/office/keys/revoke`: the office withdraws an approver's signing
/// key (a lost PC, a person who left). Decisions the server received before
/// the revocation keep counting; later ones signed with the key are refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RevokeKeyRequest {
    pub user_id: String,
    /// The Ed25519 public key, hex, as registered.
    pub public_key: String,
    /// Why (required, at most [`MAX_REVOCATION_REASON_CHARS`] characters).
    pub reason: String,
}

/// `POST /v1/auth/keys/revoke`: an approver withdraws one of their own keys.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RevokeOwnKeyRequest {
    pub public_key: String,
    pub reason: String,
}

/// A registered signing key (`GET /v1/keys`, and the answer of a
/// revocation). The revocation fields are absent while the key is in force
/// and from older servers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct KeyInfo {
    pub user_id: String,
    pub user_name: String,
    /// The user's role and unit when the key was registered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit_id: Option<String>,
    pub public_key: String,
    pub registered_at: String,
    /// When the key was revoked (server time); decisions the server
    /// received before it still count.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked_at: Option<String>,
    /// Who revoked it (a user id; `cli` for the command line).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revocation_reason: Option<String>,
}

/// `GET`/`PUT /v1/units/{id}/approval-chain`: a unit's approval chain
/// (审核流程), in order; the last step is always the head's sign-off.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ApprovalChain {
    pub unit_id: String,
    #[schema(value_type = Vec<Object>)]
    pub steps: Vec<jianban_domain::ApprovalStep>,
    /// Open cases that now follow the chain (on `PUT`).
    #[serde(default)]
    pub cases_updated: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetApprovalChainRequest {
    #[schema(value_type = Vec<Object>)]
    pub steps: Vec<jianban_domain::ApprovalStep>,
}

/// `GET /healthz`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Health {
    pub status: String,
    pub protocol: u32,
    /// `sqlite` or `postgres`.
    pub database: String,
}

/// `PUT /v1/documents/{sha256}` answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct DocumentReceipt {
    pub sha256: String,
    pub size: u64,
    pub assignment_id: String,
    /// False when the same bytes were already stored (the upload is idempotent).
    pub created: bool,
}
