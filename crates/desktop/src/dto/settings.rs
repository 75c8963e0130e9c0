//! 设置: server, fonts, accounts, the approval chain.

use super::shared::UserRoleCode;
use jianban_domain as domain;
use serde::{Deserialize, Serialize};

/// One face of the letter: what the standard asks for and what is used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct FontView {
    pub wanted: String,
    pub family: String,
    pub substituted: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct AccountView {
    pub user_id: String,
    pub name: String,
    pub role: UserRoleCode,
    pub role_label: String,
    pub unit_id: Option<String>,
}

impl From<&jianban_store::Account> for AccountView {
    fn from(a: &jianban_store::Account) -> Self {
        AccountView {
            user_id: a.user_id.to_string(),
            name: a.name.clone(),
            role: a.role.into(),
            role_label: a.role.label_zh().to_owned(),
            unit_id: a.unit_id.as_ref().map(|u| u.to_string()),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct NewAccount {
    pub user_id: String,
    pub name: String,
    pub role: UserRoleCode,
    pub password: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct SettingsView {
    pub server_url: Option<String>,
    pub ca_file: Option<String>,
    pub doc_prefix: String,
    pub default_cc: Vec<String>,
    pub fonts: Vec<FontView>,
    /// Why fonts could not be listed (no Chinese font installed, …).
    pub font_error: Option<String>,
    pub accounts: Vec<AccountView>,
    /// The unit's approval chain (审核流程), in order.
    pub approval_chain: Vec<ApprovalStepView>,
    /// Whether the person logged in here may change the chain now (the
    /// unit's head, logged in on this PC, with a central server).
    pub can_edit_chain: bool,
    /// Who changes the chain, and how (shown under it).
    pub chain_note: String,
    /// The unit whose certificate signs sealed letters on this PC, if known.
    pub certificate_unit: Option<String>,
}

/// One step of the approval chain: what the unit calls it, and who signs it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct ApprovalStepView {
    pub title: String,
    pub role: UserRoleCode,
}

impl From<&domain::ApprovalStep> for ApprovalStepView {
    fn from(s: &domain::ApprovalStep) -> Self {
        ApprovalStepView {
            title: s.title.clone(),
            role: s.role.into(),
        }
    }
}

/// 修改审核流程: the new chain and the head's password (the central server
/// accepts the change only from the unit's head).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct ChainInput {
    pub steps: Vec<ApprovalStepView>,
    pub password: String,
}

/// What changing the chain did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct ChainChange {
    pub settings: SettingsView,
    /// Open cases of the unit that now follow the new chain.
    pub cases_updated: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct SettingsInput {
    pub doc_prefix: String,
    pub default_cc: Vec<String>,
}
