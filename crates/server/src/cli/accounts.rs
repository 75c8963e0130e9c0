//! `user`, `device` and `session-lifetime`: the office's account actions
//! as subcommands (flattened into the CLI's command list).

use clap::Subcommand;

use jianban_protocol::{DeviceQuery, SessionSettings};

use super::{office, print, OfficeArgs};
use crate::error::ApiError;
use crate::service::account_admin::describe;

#[derive(Subcommand)]
pub enum AccountCommand {
    /// Disable, enable, unlock a user or reset their password.
    User {
        #[command(subcommand)]
        action: UserAction,
    },
    /// List devices, or revoke one.
    Device {
        #[command(subcommand)]
        action: DeviceAction,
    },
    /// Show how many days a login lasts, or set it with --days (1–365).
    SessionLifetime {
        #[command(flatten)]
        o: OfficeArgs,
        #[arg(long)]
        days: Option<u32>,
    },
}

#[derive(Subcommand)]
pub enum UserAction {
    /// Close the account: no login, no sync, its tokens stop at once.
    Disable {
        #[command(flatten)]
        o: OfficeArgs,
        id: String,
    },
    /// Reopen a disabled account.
    Enable {
        #[command(flatten)]
        o: OfficeArgs,
        id: String,
    },
    /// Lift a lockout by failed logins.
    Unlock {
        #[command(flatten)]
        o: OfficeArgs,
        id: String,
    },
    /// Set a temporary password (read from standard input) that the user
    /// must change at the next login; their sessions end.
    ResetPassword {
        #[command(flatten)]
        o: OfficeArgs,
        id: String,
    },
}

#[derive(Subcommand)]
pub enum DeviceAction {
    /// List devices as JSON: all, one user's or one unit's.
    List {
        #[command(flatten)]
        o: OfficeArgs,
        #[arg(long)]
        user: Option<String>,
        #[arg(long)]
        unit: Option<String>,
    },
    /// Revoke a device for good: it cannot sync or log in again.
    Revoke {
        #[command(flatten)]
        o: OfficeArgs,
        id: String,
    },
}

pub fn run(command: AccountCommand) -> Result<(), ApiError> {
    match command {
        AccountCommand::User { action } => {
            let account = match action {
                UserAction::Disable { o, id } => {
                    let (svc, actor) = office(&o)?;
                    svc.disable_user(&actor, &id)?
                }
                UserAction::Enable { o, id } => {
                    let (svc, actor) = office(&o)?;
                    svc.enable_user(&actor, &id)?
                }
                UserAction::Unlock { o, id } => {
                    let (svc, actor) = office(&o)?;
                    svc.unlock_user(&actor, &id)?
                }
                UserAction::ResetPassword { o, id } => {
                    let (svc, actor) = office(&o)?;
                    let password = super::read_password()?;
                    svc.reset_password(&actor, &id, &password)?
                }
            };
            println!("{}", describe(&account));
            Ok(())
        }
        AccountCommand::Device { action } => match action {
            DeviceAction::List { o, user, unit } => {
                let (svc, actor) = office(&o)?;
                let mut all = Vec::new();
                let mut q = DeviceQuery {
                    user_id: user,
                    unit_id: unit,
                    ..Default::default()
                };
                loop {
                    let page = svc.list_devices(&actor, &q)?;
                    let Some(last) = page.last() else { break };
                    q.after = Some(last.id.clone());
                    all.extend(page);
                }
                print(&all);
                Ok(())
            }
            DeviceAction::Revoke { o, id } => {
                let (svc, actor) = office(&o)?;
                print(&svc.revoke_device(&actor, &id)?);
                Ok(())
            }
        },
        AccountCommand::SessionLifetime { o, days } => {
            let (svc, actor) = office(&o)?;
            let s = match days {
                Some(lifetime_days) => {
                    svc.set_session_settings(&actor, &SessionSettings { lifetime_days })?
                }
                None => svc.session_settings(&actor)?,
            };
            println!("登录有效期：{}天", s.lifetime_days);
            Ok(())
        }
    }
}
