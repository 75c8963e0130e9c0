//! The account lifecycle: the office disables and enables users, resets
//! passwords, unlocks accounts locked by failed logins, lists and revokes
//! devices, and sets how long a login lasts; a user changes their own
//! password. Also the checks every request and every token refresh make
//! against these decisions ([`Standing`], [`session_lifetime_days`]).

use chrono::{Duration, NaiveDateTime};
use serde_json::json;

use jianban_domain::{Actor, UserRole};
use jianban_protocol::{
    ChangePasswordRequest, DeviceInfo, DeviceQuery, SessionSettings, UserAccount, UserInfo,
    DEFAULT_SESSION_DAYS, MAX_DEVICES_PAGE, MAX_SESSION_DAYS, MIN_SESSION_DAYS,
};

use crate::db::{DbError, Row, Tx, Val};
use crate::error::{ApiError, ApiResult};
use crate::params;
use crate::service::accounts::{
    hash_password, password_matches, password_turn, LOCKOUT_WINDOW_MINUTES, MAX_FAILURES,
};
use crate::service::cases::{audit, AuditRecord};
use crate::service::office::require_office;
use crate::service::{fmt_time, Caller, Service};

/// The `meta` key of the session lifetime in days.
const SESSION_DAYS_KEY: &str = "session_lifetime_days";

/// Longest password accepted: argon2 hashes it, so the work stays bounded.
const MAX_PASSWORD_BYTES: usize = 1024;

/// The one password rule, for new users, resets and changes alike.
pub fn check_new_password(password: &str) -> ApiResult<()> {
    if password.chars().count() < 8 {
        return Err(ApiError::bad_request(
            "auth.weak_password",
            "密码至少需要8个字符，请重新设置。",
        ));
    }
    if password.len() > MAX_PASSWORD_BYTES {
        return Err(ApiError::bad_request(
            "auth.weak_password",
            "密码过长（最多1024字节），请重新设置。",
        ));
    }
    Ok(())
}

/// What the office decided about a user and one of their devices, read
/// fresh from the database: an access token is only as good as this.
pub struct Standing {
    pub disabled: bool,
    pub must_change_password: bool,
    pub device_revoked: bool,
}

impl Standing {
    /// One point read by primary key on users and on devices (the change
    /// feed is polled often; this is all a request adds). `None`: no such
    /// user any more.
    pub fn read(tx: &mut dyn Tx, user_id: &str, device_id: &str) -> Result<Option<Self>, DbError> {
        let Some(r) = tx.query_opt(
            "SELECT u.disabled_at, u.must_change_password, d.revoked_at
               FROM users u LEFT JOIN devices d ON d.id = $2 WHERE u.id = $1",
            params![user_id, device_id],
        )?
        else {
            return Ok(None);
        };
        Ok(Some(Standing {
            disabled: r.opt_text(0)?.is_some(),
            must_change_password: r.int(1)? != 0,
            device_revoked: r.opt_text(2)?.is_some(),
        }))
    }

    /// The refusal for an account or device the office closed: no login,
    /// no refresh, no request.
    pub fn refusal(&self) -> Option<ApiError> {
        if self.disabled {
            Some(account_disabled())
        } else if self.device_revoked {
            Some(device_revoked())
        } else {
            None
        }
    }
}

pub fn account_disabled() -> ApiError {
    ApiError::AuthRefused {
        code: "auth.account_disabled",
        message:
            "您的账号已被市政府办公室停用，不能登录或同步。如需继续使用，请联系办公室启用账号。"
                .into(),
    }
}

pub fn device_revoked() -> ApiError {
    ApiError::AuthRefused {
        code: "auth.device_revoked",
        message: "这台电脑的登记已被市政府办公室注销，不能再用它登录或同步，本机尚未上传的修改也不会再被接收。注销不可撤回：请联系办公室，由办公室为这台电脑重新登记后再登录。"
            .into(),
    }
}

fn session_ended(days: u32) -> ApiError {
    ApiError::AuthRefused {
        code: "auth.session_ended",
        message: format!(
            "本次登录已超过办公室规定的{days}天有效期，为保证安全，请重新输入用户名和密码登录。"
        ),
    }
}

/// The session lifetime the office set, or the default. A stored value out
/// of bounds (written by hand) is brought back within them.
pub fn session_lifetime_days(tx: &mut dyn Tx) -> Result<u32, DbError> {
    let stored = tx
        .query_opt(
            "SELECT value FROM meta WHERE key = $1",
            params![SESSION_DAYS_KEY],
        )?
        .map(|r| r.text(0))
        .transpose()?
        .and_then(|v| v.trim().parse::<u32>().ok());
    Ok(stored
        .unwrap_or(DEFAULT_SESSION_DAYS)
        .clamp(MIN_SESSION_DAYS, MAX_SESSION_DAYS))
}

/// Refuses a refresh of a session that started more than the lifetime
/// ago; otherwise the moment the session ends (a refresh token must not
/// outlive it).
pub fn session_end(
    tx: &mut dyn Tx,
    started: NaiveDateTime,
    now: NaiveDateTime,
) -> ApiResult<NaiveDateTime> {
    let days = session_lifetime_days(tx)?;
    let end = started + Duration::days(days.into());
    if end <= now {
        return Err(session_ended(days));
    }
    Ok(end)
}

fn account(r: &Row) -> Result<UserAccount, DbError> {
    Ok(UserAccount {
        id: r.text(0)?,
        name: r.text(1)?,
        role: serde_json::from_value(json!(r.text(2)?))?,
        unit_id: r.opt_text(3)?,
        disabled_at: r.opt_text(4)?,
        must_change_password: r.int(5)? != 0,
    })
}

fn load_account(tx: &mut dyn Tx, id: &str) -> ApiResult<UserAccount> {
    let row = tx
        .query_opt(
            "SELECT id, name, role, unit_id, disabled_at, must_change_password FROM users WHERE id = $1",
            params![id],
        )?
        .ok_or_else(|| ApiError::NotFound(format!("用户“{id}”")))?;
    Ok(account(&row)?)
}

const DEVICE_COLUMNS: &str = "SELECT d.id, d.name, d.user_id, u.name, u.unit_id, d.registered_at, d.last_seen_at, d.revoked_at
   FROM devices d JOIN users u ON u.id = d.user_id";

fn device(r: &Row) -> Result<DeviceInfo, DbError> {
    Ok(DeviceInfo {
        id: r.text(0)?,
        name: r.text(1)?,
        user_id: r.text(2)?,
        user_name: r.text(3)?,
        unit_id: r.opt_text(4)?,
        registered_at: r.text(5)?,
        last_seen_at: r.text(6)?,
        revoked_at: r.opt_text(7)?,
    })
}

/// Ends every session of a user (or of one device): their refresh tokens
/// are marked used, so the next refresh is refused. The rows stay, so that
/// refusal can still say why (account disabled, device revoked).
fn end_sessions(tx: &mut dyn Tx, column: &str, id: &str) -> Result<(), DbError> {
    tx.exec(
        &format!("UPDATE refresh_tokens SET used = 1 WHERE {column} = $1"),
        params![id],
    )?;
    Ok(())
}

impl Service {
    fn account_action(
        &self,
        actor: &Actor,
        id: &str,
        action: &str,
        change: impl FnOnce(&mut dyn Tx, NaiveDateTime) -> ApiResult<()>,
    ) -> ApiResult<UserAccount> {
        require_office(actor)?;
        let now = self.now();
        self.db.write(|tx| -> ApiResult<UserAccount> {
            load_account(tx, id)?;
            change(tx, now)?;
            audit(
                tx,
                &AuditRecord::without_assignment(now, actor, action, json!({ "user_id": id })),
            )?;
            load_account(tx, id)
        })
    }

    /// Closes an account: no login, no refresh, and its access tokens stop
    /// at the next request. Its cases and history stay.
    pub fn disable_user(&self, actor: &Actor, id: &str) -> ApiResult<UserAccount> {
        if actor.user.as_str() == id {
            return Err(ApiError::bad_request(
                "auth.disable_self",
                "不能停用自己正在使用的账号；如确需停用，请由办公室的其他工作人员操作。",
            ));
        }
        self.account_action(actor, id, "disable_user", |tx, now| {
            tx.exec(
                "UPDATE users SET disabled_at = $2 WHERE id = $1 AND disabled_at IS NULL",
                params![id, fmt_time(now)],
            )?;
            end_sessions(tx, "user_id", id)?;
            Ok(())
        })
    }

    /// Reopens a disabled account; the user logs in again.
    pub fn enable_user(&self, actor: &Actor, id: &str) -> ApiResult<UserAccount> {
        self.account_action(actor, id, "enable_user", |tx, _| {
            tx.exec(
                "UPDATE users SET disabled_at = NULL WHERE id = $1",
                params![id],
            )?;
            Ok(())
        })
    }

    /// Sets a temporary password the user must change at the next login;
    /// every session of the user ends.
    pub fn reset_password(
        &self,
        actor: &Actor,
        id: &str,
        password: &str,
    ) -> ApiResult<UserAccount> {
        require_office(actor)?;
        check_new_password(password)?;
        let hash = hash_password(password);
        self.account_action(actor, id, "reset_password", |tx, _| {
            tx.exec(
                "UPDATE users SET password_hash = $2, must_change_password = 1 WHERE id = $1",
                params![id, &hash],
            )?;
            tx.exec("DELETE FROM refresh_tokens WHERE user_id = $1", params![id])?;
            Ok(())
        })
    }

    /// Lifts a lockout by failed logins: the user name's failures are
    /// forgotten.
    pub fn unlock_user(&self, actor: &Actor, id: &str) -> ApiResult<UserAccount> {
        self.account_action(actor, id, "unlock_user", |tx, _| {
            tx.exec(
                "DELETE FROM login_failures WHERE username = $1",
                params![id],
            )?;
            Ok(())
        })
    }

    /// Registered devices by id, a page at a time.
    pub fn list_devices(&self, actor: &Actor, q: &DeviceQuery) -> ApiResult<Vec<DeviceInfo>> {
        require_office(actor)?;
        let limit = q
            .limit
            .unwrap_or(MAX_DEVICES_PAGE)
            .clamp(1, MAX_DEVICES_PAGE);
        // Only the filters given go into the statement (PostgreSQL cannot
        // type a parameter that is only compared with NULL).
        let mut filters = vec!["d.id > $1".to_string()];
        let mut values = vec![Val::from(q.after.clone().unwrap_or_default())];
        for (column, value) in [("d.user_id", &q.user_id), ("u.unit_id", &q.unit_id)] {
            if let Some(v) = value {
                values.push(Val::from(v));
                filters.push(format!("{column} = ${}", values.len()));
            }
        }
        values.push(Val::from(limit));
        let sql = format!(
            "{DEVICE_COLUMNS} WHERE {} ORDER BY d.id LIMIT ${}",
            filters.join(" AND "),
            values.len()
        );
        self.db.read(|tx| -> ApiResult<Vec<DeviceInfo>> {
            let rows = tx.query(&sql, &values)?;
            Ok(rows.iter().map(device).collect::<Result<_, _>>()?)
        })
    }

    /// Revokes a device for good: its sessions end, its access tokens stop
    /// at the next request, and its id cannot log in again.
    pub fn revoke_device(&self, actor: &Actor, id: &str) -> ApiResult<DeviceInfo> {
        require_office(actor)?;
        let now = self.now();
        self.db.write(|tx| -> ApiResult<DeviceInfo> {
            let load = |tx: &mut dyn Tx| -> ApiResult<DeviceInfo> {
                let row = tx
                    .query_opt(&format!("{DEVICE_COLUMNS} WHERE d.id = $1"), params![id])?
                    .ok_or_else(|| ApiError::NotFound(format!("设备“{id}”")))?;
                Ok(device(&row)?)
            };
            let before = load(tx)?;
            tx.exec(
                "UPDATE devices SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL",
                params![id, fmt_time(now)],
            )?;
            end_sessions(tx, "device_id", id)?;
            audit(
                tx,
                &AuditRecord::without_assignment(
                    now,
                    actor,
                    "revoke_device",
                    json!({ "device_id": id, "user_id": before.user_id }),
                ),
            )?;
            load(tx)
        })
    }

    pub fn session_settings(&self, actor: &Actor) -> ApiResult<SessionSettings> {
        require_office(actor)?;
        let lifetime_days = self.db.read(|tx| session_lifetime_days(tx))?;
        Ok(SessionSettings { lifetime_days })
    }

    /// Sets the session lifetime; it applies to running sessions too, at
    /// their next refresh.
    pub fn set_session_settings(
        &self,
        actor: &Actor,
        s: &SessionSettings,
    ) -> ApiResult<SessionSettings> {
        require_office(actor)?;
        if !(MIN_SESSION_DAYS..=MAX_SESSION_DAYS).contains(&s.lifetime_days) {
            return Err(ApiError::bad_request(
                "settings.session_lifetime",
                format!("登录有效期须在{MIN_SESSION_DAYS}至{MAX_SESSION_DAYS}天之间，请重新填写。"),
            ));
        }
        let now = self.now();
        self.db.write(|tx| -> ApiResult<()> {
            tx.exec("DELETE FROM meta WHERE key = $1", params![SESSION_DAYS_KEY])?;
            tx.exec(
                "INSERT INTO meta (key, value) VALUES ($1, $2)",
                params![SESSION_DAYS_KEY, s.lifetime_days.to_string()],
            )?;
            audit(
                tx,
                &AuditRecord::without_assignment(
                    now,
                    actor,
                    "set_session_lifetime",
                    json!({ "lifetime_days": s.lifetime_days }),
                ),
            )?;
            Ok(())
        })?;
        Ok(*s)
    }

    /// The caller changes their own password, proving the old one. Guesses
    /// of the old password count as failed logins of the account (the same
    /// lockout); the caller's other devices are logged out.
    pub fn change_password(
        &self,
        caller: &Caller,
        req: &ChangePasswordRequest,
    ) -> ApiResult<UserInfo> {
        check_new_password(&req.new_password)?;
        if req.old_password.len() > MAX_PASSWORD_BYTES {
            return Err(ApiError::InvalidCredentials);
        }
        if req.new_password == req.old_password {
            return Err(ApiError::bad_request(
                "auth.same_password",
                "新密码不能与原密码相同，请换一个新密码。",
            ));
        }
        let user = caller.actor.user.as_str();
        let now = self.now();
        let hash = self.db.write(|tx| -> ApiResult<String> {
            let cutoff = fmt_time(now - Duration::minutes(LOCKOUT_WINDOW_MINUTES));
            let failures = tx
                .query(
                    "SELECT at FROM login_failures WHERE username = $1 AND at > $2 ORDER BY at DESC",
                    params![user, &cutoff],
                )?
                .iter()
                .map(|r| r.text(0))
                .collect::<Result<Vec<_>, _>>()?;
            if failures.len() >= MAX_FAILURES {
                let until = chrono::NaiveDateTime::parse_from_str(
                    &failures[MAX_FAILURES - 1],
                    crate::service::TIME_FORMAT,
                )
                .map_err(|e| DbError::Decode(e.to_string()))?
                    + Duration::minutes(LOCKOUT_WINDOW_MINUTES);
                return Err(ApiError::Locked {
                    until: until.format("%Y年%-m月%-d日 %H:%M:%S").to_string(),
                });
            }
            // Counted before the check, as at login: parallel guesses each
            // take a slot. A right password gives it back below.
            tx.exec(
                "INSERT INTO login_failures (username, at) VALUES ($1, $2)",
                params![user, fmt_time(now)],
            )?;
            let row = tx
                .query_opt(
                    "SELECT password_hash FROM users WHERE id = $1",
                    params![user],
                )?
                .ok_or(ApiError::Unauthenticated {
                    code: "auth.invalid_token",
                })?;
            Ok(row.text(0)?)
        })?;
        let ok = {
            let _turn = password_turn()?;
            password_matches(&req.old_password, Some(&hash))
        };
        if !ok {
            return Err(ApiError::bad_request(
                "auth.wrong_password",
                "原密码不正确，请重新输入；15分钟内连续输错10次将暂时锁定账号。",
            ));
        }
        let new_hash = hash_password(&req.new_password);
        self.db.write(|tx| -> ApiResult<UserInfo> {
            tx.exec(
                "DELETE FROM login_failures WHERE username = $1 AND at = $2",
                params![user, fmt_time(now)],
            )?;
            tx.exec(
                "UPDATE users SET password_hash = $2, must_change_password = 0 WHERE id = $1",
                params![user, &new_hash],
            )?;
            tx.exec(
                "DELETE FROM refresh_tokens WHERE user_id = $1 AND device_id <> $2",
                params![user, &caller.device_id],
            )?;
            audit(
                tx,
                &AuditRecord::without_assignment(
                    now,
                    &caller.actor,
                    "change_password",
                    json!({ "user_id": user, "device_id": caller.device_id }),
                ),
            )?;
            let a = load_account(tx, user)?;
            let unit_name = match &a.unit_id {
                Some(u) => tx
                    .query_opt("SELECT name FROM units WHERE id = $1", params![u])?
                    .map(|r| r.text(0))
                    .transpose()?,
                None => None,
            };
            Ok(UserInfo {
                id: a.id,
                name: a.name,
                role: a.role,
                unit_id: a.unit_id,
                unit_name,
                must_change_password: a.must_change_password,
            })
        })
    }
}

/// Office staff have no unit; everyone else has one (used by the CLI to
/// print an account).
pub fn describe(a: &UserAccount) -> String {
    let state = match (&a.disabled_at, a.must_change_password) {
        (Some(at), _) => format!("已停用（{at}）"),
        (None, true) => "正常，下次登录须修改密码".to_string(),
        (None, false) => "正常".to_string(),
    };
    let unit = match (&a.unit_id, a.role) {
        (_, UserRole::OfficeStaff) | (None, _) => String::new(),
        (Some(u), _) => format!(" 单位{u}"),
    };
    format!(
        "{} {} {}{}：{}",
        a.id,
        a.name,
        a.role.label_zh(),
        unit,
        state
    )
}
