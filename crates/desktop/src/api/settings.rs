//! 设置: server, fonts, document-number prefix, default cc, the approval
//! chain, the unit certificate, local accounts.

use jianban_domain::{ApprovalStep, UnitId, UserId, UserRole};
use jianban_store::{Account, StoreError};

use crate::dto::{
    AccountView, ApprovalStepView, ChainChange, ChainInput, FontView, NewAccount, SettingsInput,
    SettingsView,
};
use crate::error::{code, CommandError};
use crate::state::{self, AppState};

/// Who may change the chain now, and the note shown under it.
fn chain_editing(state: &AppState) -> Result<(bool, String), CommandError> {
    let connected = state.config()?.server_url.is_some();
    let head = state.with_inner(|inner| {
        Ok(inner
            .approver
            .as_ref()
            .is_some_and(|s| s.account.role == UserRole::Head))
    })?;
    Ok(match (connected, head) {
        (false, _) => (
            false,
            "本地演示模式：审核流程在代表履职服务平台上设置，连接平台后由本单位主要负责人修改。".into(),
        ),
        (true, false) => (
            false,
            "本单位主要负责人在“审核”中登录本机后，可在此修改审核流程；市政府办公室也可在平台上设置。新交办的建议按最新流程审核，已在审核中的答复仍按原流程完成。".into(),
        ),
        (true, true) => (
            true,
            "修改后立即在平台生效：新交办和尚未送审的建议按新流程审核，已在审核中的答复仍按原流程完成。".into(),
        ),
    })
}

pub fn get(state: &AppState) -> Result<SettingsView, CommandError> {
    let config = state.config()?;
    let accounts = state.with_store(|s| s.accounts())?;
    // The chain the server confirmed after a change made here, else the one
    // the newest case carries (the server gives each case the unit's chain).
    let chain = state
        .with_store(|s| match s.confirmed_approval_chain()? {
            Some(c) => Ok(Some(c)),
            None => s.latest_approval_chain(),
        })?
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
    let (can_edit_chain, chain_note) = chain_editing(state)?;
    let certificate_unit = match working_unit(state) {
        Ok(unit) => state.with_store(|s| s.unit_name(&unit)).ok(),
        Err(_) => None,
    };
    Ok(SettingsView {
        server_url: config.server_url,
        ca_file: config.ca_file.map(|p| p.display().to_string()),
        doc_prefix: config.doc_prefix,
        default_cc: config.default_cc,
        fonts,
        font_error,
        accounts: accounts.iter().map(AccountView::from).collect(),
        approval_chain: chain.iter().map(ApprovalStepView::from).collect(),
        can_edit_chain,
        chain_note,
        certificate_unit,
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

/// 修改审核流程: the unit's head, logged in on this PC, changes the chain on
/// the central server (the server refuses anyone else). The password is
/// asked again: it logs the head in to the server for this one request.
pub fn set_chain(state: &AppState, input: &ChainInput) -> Result<ChainChange, CommandError> {
    let steps: Vec<ApprovalStep> = input
        .steps
        .iter()
        .map(|s| ApprovalStep {
            title: s.title.trim().to_owned(),
            role: s.role.into(),
        })
        .collect();
    for s in &steps {
        jianban_domain::validate::check_required_line("审核步骤名称", &s.title)
            .map_err(StoreError::from)?;
    }
    jianban_domain::workflow::validate_chain(&steps).map_err(StoreError::from)?;
    let (head, unit) = state
        .with_inner(|inner| {
            Ok(inner
                .approver
                .as_ref()
                .filter(|s| s.account.role == UserRole::Head)
                .map(|s| (s.account.user_id.clone(), s.account.unit_id.clone())))
        })?
        .ok_or_else(|| {
            CommandError::new(
                code::NOT_LOGGED_IN,
                "只有本单位主要负责人可以修改审核流程：请主要负责人先在“审核”中登录本机账号。",
            )
        })?;
    let unit = unit.ok_or_else(|| {
        CommandError::new(
            code::NOT_LOGGED_IN,
            "这个账号没有所属单位，不能修改审核流程。请在“本单位账号”中为主要负责人重新添加账号。",
        )
    })?;
    let config = state.config()?;
    let url = config.server_url.ok_or_else(|| {
        CommandError::new(
            "settings.no_server",
            "本地演示模式下不能修改审核流程：审核流程保存在代表履职服务平台上，请先连接平台。",
        )
    })?;
    if input.password.is_empty() {
        return Err(CommandError::new(
            "input.password",
            "请输入主要负责人的登录密码以确认修改。",
        ));
    }
    let device = super::auth::approver_device_id(state, head.as_str())?;
    let client = state::server_client(&url, config.ca_file.as_deref(), &device, None)?;
    client.login(head.as_str(), &input.password)?;
    let answer = client.set_approval_chain(&unit, steps)?;
    state.with_store(|s| s.set_confirmed_approval_chain(&answer.steps))?;
    tracing::info!(
        unit = %unit,
        steps = answer.steps.len(),
        cases_updated = answer.cases_updated,
        "approval chain changed"
    );
    // The open cases changed on the server: fetch them now.
    let _ = super::sync::sync_now(state);
    Ok(ChainChange {
        settings: get(state)?,
        cases_updated: answer.cases_updated,
    })
}

/// The unit of the person working on this PC.
fn working_unit(state: &AppState) -> Result<UnitId, CommandError> {
    state
        .with_inner(|inner| Ok(inner.user.as_ref().and_then(|u| u.unit.clone())))?
        .ok_or_else(state::not_logged_in)
}

/// The default file name of the unit certificate.
pub fn certificate_name(state: &AppState) -> Result<String, CommandError> {
    let unit = working_unit(state)?;
    let name = state.with_store(|s| s.unit_name(&unit))?;
    Ok(crate::export::certificate_file_name(&name))
}

/// 导出签章证书: writes the unit certificate (the public part only, PEM) for
/// recipients to trust in their PDF reader or an NSS database; made on
/// first use, as when the first letter is sealed.
pub fn export_certificate(
    state: &AppState,
    path: &std::path::Path,
) -> Result<String, CommandError> {
    let unit = working_unit(state)?;
    let keeping = crate::export::CertificateKeeping::new(state.secrets(), state.data_dir()?, &unit);
    let pem = state.with_store_cmd(|s| {
        let name = s.unit_name(&unit)?;
        let cert = crate::export::unit_certificate(s, &unit, &name, chrono::Utc::now(), &keeping)?;
        cert.cert_pem()
            .map_err(|e| CommandError::new(e.code(), e.to_string()))
    })?;
    crate::export::write_file(path, pem.as_bytes())?;
    tracing::info!(path = %path.display(), "unit certificate exported");
    Ok(path.display().to_string())
}

/// Adds a local account in the unit of the person working on this PC.
/// 添加本机账号. Connected to a platform, an account is added only as the
/// platform confirms it: the person's platform login (checked there, with
/// the password typed here) gives the name, the role and the unit, which
/// must be this PC's unit. Nobody at a PC can make a head of their own.
pub fn add_account(state: &AppState, input: &NewAccount) -> Result<Vec<AccountView>, CommandError> {
    let unit = state.with_inner(|inner| Ok(inner.user.as_ref().and_then(|u| u.unit.clone())))?;
    let user_id = input.user_id.trim();
    if user_id.is_empty() {
        return Err(CommandError::new(
            "input.user_id",
            "请填写账号（例如 fgw-head）。",
        ));
    }
    let config = state.config()?;
    let account = match config.server_url.as_deref() {
        Some(url) => confirmed_by_platform(state, url, &config, user_id, &input.password, unit)?,
        // The local demo has no platform: its accounts are this PC's own.
        None => Account {
            user_id: UserId::new(user_id),
            name: input.name.trim().to_owned(),
            role: input.role.into(),
            unit_id: unit.map(|u| UnitId::new(u.as_str())),
        },
    };
    state.with_store(|s| {
        s.add_account(&account, &input.password)?;
        Ok(s.accounts()?.iter().map(AccountView::from).collect())
    })
}

/// The account as the platform knows it, confirmed by logging in there.
fn confirmed_by_platform(
    state: &AppState,
    url: &str,
    config: &crate::config::AppConfig,
    user_id: &str,
    password: &str,
    unit: Option<UnitId>,
) -> Result<Account, CommandError> {
    let device = super::auth::approver_device_id(state, user_id)?;
    let client = state::server_client(url, config.ca_file.as_deref(), &device, None)?;
    let answer = client.login(user_id, password).map_err(|e| match e {
        jianban_sync::SyncError::Offline(_) => CommandError::new(
            "account.needs_platform",
            "添加账号须由平台确认，但现在连不上平台。请在网络恢复后再添加；本机已有的账号照常可用。",
        ),
        other => other.into(),
    })?;
    let user = answer.user;
    if user.must_change_password {
        return Err(CommandError::new(
            "account.must_change_password",
            "该账号的平台密码已被办公室重置，请本人先在平台修改密码，再用新密码添加。",
        ));
    }
    if user.role == UserRole::OfficeStaff {
        return Err(CommandError::new(
            "account.not_unit_staff",
            "市政府办公室的账号不能添加为单位的本机账号。",
        ));
    }
    if user.unit_id.as_deref() != unit.as_ref().map(|u| u.as_str()) {
        return Err(CommandError::new(
            "account.other_unit",
            format!(
                "平台上的账号“{}”属于{}，不是本单位的账号，不能添加到这台电脑。",
                user.name,
                user.unit_name.as_deref().unwrap_or("其他单位")
            ),
        ));
    }
    Ok(Account {
        user_id: UserId::new(&user.id),
        name: user.name,
        role: user.role,
        unit_id: user.unit_id.map(|u| UnitId::new(&u)),
    })
}
