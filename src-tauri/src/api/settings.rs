//! 设置: server, fonts, document-number prefix, default cc, local accounts.

use jianban_domain::{UnitId, UserId};
use jianban_store::Account;

use crate::dto::{AccountView, FontView, NewAccount, SettingsInput, SettingsView};
use crate::error::CommandError;
use crate::state::AppState;

pub fn get(state: &AppState) -> Result<SettingsView, CommandError> {
    let config = state.config()?;
    let accounts = state.with_store(|s| s.accounts())?;
    let chain = state
        .with_store(|s| s.latest_approval_chain())?
        .unwrap_or_else(jianban_domain::workflow::default_approval_chain);
    let (fonts, font_error) = match state.with_renderer(|r| Ok(r.font_choices()?)) {
        Ok(choices) => (
            choices
                .into_iter()
                .map(|c| FontView {
                    wanted: c.wanted,
                    family: c.family,
                    substituted: c.substituted,
                })
                .collect(),
            None,
        ),
        Err(e) => (Vec::new(), Some(e.message)),
    };
    Ok(SettingsView {
        server_url: config.server_url,
        ca_file: config.ca_file.map(|p| p.display().to_string()),
        doc_prefix: config.doc_prefix,
        default_cc: config.default_cc,
        fonts,
        font_error,
        accounts: accounts.iter().map(AccountView::from).collect(),
        approval_chain: chain.into_iter().map(|s| s.title).collect(),
    })
}

pub fn save(state: &AppState, input: &SettingsInput) -> Result<SettingsView, CommandError> {
    let mut config = state.config()?;
    config.doc_prefix = input.doc_prefix.trim().to_owned();
    config.default_cc = input
        .default_cc
        .iter()
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect();
    state.set_config(config)?;
    get(state)
}

/// Adds a local account in the unit of the person working on this PC.
pub fn add_account(state: &AppState, input: &NewAccount) -> Result<Vec<AccountView>, CommandError> {
    let unit = state.with_inner(|inner| Ok(inner.user.as_ref().and_then(|u| u.unit.clone())))?;
    let user_id = input.user_id.trim();
    if user_id.is_empty() {
        return Err(CommandError::new(
            "input.user_id",
            "请填写账号（例如 fgw-head）。",
        ));
    }
    let account = Account {
        user_id: UserId::new(user_id),
        name: input.name.trim().to_owned(),
        role: input.role.into(),
        unit_id: unit.map(|u| UnitId::new(u.as_str())),
    };
    state.with_store(|s| {
        s.add_account(&account, &input.password)?;
        Ok(s.accounts()?.iter().map(AccountView::from).collect())
    })
}
