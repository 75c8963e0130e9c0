//! Units, users, devices, login with lockout, and token refresh.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use std::sync::{Condvar, Mutex, OnceLock};

use chrono::{Duration, NaiveDateTime};
use serde_json::json;

use jianban_domain::validate::{check_line, check_required_line};
use jianban_domain::{Actor, Unit, UnitId, UserId, UserRole};
use jianban_protocol::{LoginRequest, NewUnit, NewUser, TokenResponse, UserInfo};

use crate::db::{DbError, Tx};
use crate::error::{ApiError, ApiResult};
use crate::params;
use crate::service::account_admin::{check_new_password, session_end, Standing};
use crate::service::cases::{audit, AuditRecord};
use crate::service::changes::{emit, EVERYONE};
use crate::service::token::{self, Claims};
use crate::service::{fmt_time, Caller, Service, TIME_FORMAT};

/// Failed logins allowed in [`LOCKOUT_WINDOW_MINUTES`] before the account locks.
pub const MAX_FAILURES: usize = 10;
pub const LOCKOUT_WINDOW_MINUTES: i64 = 15;
/// Failed logins allowed from one client address in the same window,
/// whatever the user names: guessing across many accounts from one PC stops
/// here, while a whole unit behind one address still has room for typos.
pub const MAX_ADDRESS_FAILURES: usize = 50;

/// "Until when" as the refusal messages say it.
fn until_text(t: NaiveDateTime) -> String {
    t.format("%Y年%-m月%-d日 %H:%M:%S").to_string()
}

pub fn hash_password(password: &str) -> String {
    let salt =
        SaltString::encode_b64(&token::random_bytes::<16>()).expect("16 bytes make a valid salt");
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2id hashing with default parameters succeeds")
        .to_string()
}

/// Checks a password against a user's hash, or, for a user name that does
/// not exist, against a stand-in hash: the same argon2id work either way, so
/// the answer's timing does not tell which accounts exist.
pub(crate) fn password_matches(password: &str, hash: Option<&str>) -> bool {
    static STAND_IN: OnceLock<String> = OnceLock::new();
    let stand_in = STAND_IN.get_or_init(|| hash_password("jianban: no such user"));
    let matches = PasswordHash::new(hash.unwrap_or(stand_in))
        .map(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false);
    matches && hash.is_some()
}

/// How many password checks (argon2id, about 19 MiB and tens of
/// milliseconds each) run at once, and how many more may wait for a turn.
/// Beyond that a login is answered "busy" at once: a storm of guesses must
/// not take every worker thread from the units' sync. At once: one fewer
/// than the cores, at least this many; with as many checks as cores, a
/// storm's guesses took both cores of a 2-core server for a second and the
/// change feed's p99 went from 4 ms to 1 s (BENCHMARKS.md, "Login storm").
const PASSWORD_CHECKS_AT_ONCE: usize = 1;
const PASSWORD_CHECKS_WAITING: usize = 32;

/// A counting gate for the password checks (the service runs on blocking
/// threads, so a plain mutex and condition variable fit).
struct PasswordGate {
    state: Mutex<(usize, usize)>,
    turn: Condvar,
}

pub(crate) struct PasswordTurn(&'static PasswordGate);

impl Drop for PasswordTurn {
    fn drop(&mut self) {
        let mut s = self.0.state.lock().unwrap_or_else(|e| e.into_inner());
        s.0 -= 1;
        self.0.turn.notify_one();
    }
}

pub(crate) fn password_turn() -> ApiResult<PasswordTurn> {
    static GATE: PasswordGate = PasswordGate {
        state: Mutex::new((0, 0)),
        turn: Condvar::new(),
    };
    let at_once = std::thread::available_parallelism().map_or(PASSWORD_CHECKS_AT_ONCE, |n| {
        (n.get() - 1).max(PASSWORD_CHECKS_AT_ONCE)
    });
    let mut s = GATE.state.lock().unwrap_or_else(|e| e.into_inner());
    if s.0 >= at_once && s.1 >= PASSWORD_CHECKS_WAITING {
        return Err(ApiError::Busy);
    }
    s.1 += 1;
    while s.0 >= at_once {
        s = GATE.turn.wait(s).unwrap_or_else(|e| e.into_inner());
    }
    s.1 -= 1;
    s.0 += 1;
    Ok(PasswordTurn(&GATE))
}

struct UserRow {
    id: String,
    name: String,
    role: UserRole,
    unit_id: Option<String>,
    unit_name: Option<String>,
    password_hash: String,
}

fn load_user(tx: &mut dyn Tx, id: &str) -> Result<Option<UserRow>, DbError> {
    let Some(r) = tx.query_opt(
        "SELECT u.id, u.name, u.role, u.unit_id, n.name, u.password_hash
           FROM users u LEFT JOIN units n ON n.id = u.unit_id WHERE u.id = $1",
        params![id],
    )?
    else {
        return Ok(None);
    };
    Ok(Some(UserRow {
        id: r.text(0)?,
        name: r.text(1)?,
        role: serde_json::from_value(json!(r.text(2)?))?,
        unit_id: r.opt_text(3)?,
        unit_name: r.opt_text(4)?,
        password_hash: r.text(5)?,
    }))
}

fn parse_time(s: &str) -> Result<NaiveDateTime, DbError> {
    NaiveDateTime::parse_from_str(s, TIME_FORMAT).map_err(|e| DbError::Decode(e.to_string()))
}

/// The actor a user id stands for (CLI subcommands acting as an office user).
pub fn actor_of(svc: &Service, id: &str) -> ApiResult<Actor> {
    let user = svc
        .db
        .read(|tx| load_user(tx, id))?
        .ok_or_else(|| ApiError::NotFound(format!("用户{id}")))?;
    Ok(Actor {
        user: UserId::new(user.id),
        name: user.name,
        role: user.role,
        unit: user.unit_id.map(UnitId::new),
    })
}

impl Service {
    /// Logs in from the client at `address` (the peer's IP address).
    pub fn login(&self, req: &LoginRequest, address: &str) -> ApiResult<TokenResponse> {
        check_required_line("设备编号", &req.device_id)?;
        check_line("设备名称", &req.device_name)?;
        if req.device_id.len() > 128 || req.username.len() > 128 || req.password.len() > 1024 {
            return Err(ApiError::bad_request(
                "auth.bad_request",
                "用户名、密码或设备编号过长，请检查后重试。",
            ));
        }
        let now = self.now();
        // The attempt is counted as a failure before the password is checked,
        // in one write: parallel guesses each take a slot (of the account and
        // of the address), and once the slots of the window are gone the
        // rest are refused unchecked. A right password clears the account's
        // slots again.
        let user = self.db.write(|tx| -> ApiResult<Option<UserRow>> {
            let window = Duration::minutes(LOCKOUT_WINDOW_MINUTES);
            let cutoff = fmt_time(now - window);
            // Old rows say nothing any more.
            tx.exec(
                "DELETE FROM login_failures WHERE at <= $1",
                params![&cutoff],
            )?;
            // When the `limit`-th latest failure of the window leaves it,
            // or None while fewer than `limit` are in it.
            let mut locked_until = |column: &str, value: &str, limit: usize| {
                let rows = tx.query(
                    &format!(
                        "SELECT at FROM login_failures WHERE {column} = $1 AND at > $2
                         ORDER BY at DESC LIMIT {limit}"
                    ),
                    params![value, &cutoff],
                )?;
                match rows.get(limit - 1) {
                    Some(r) => Ok::<_, DbError>(Some(parse_time(&r.text(0)?)? + window)),
                    None => Ok(None),
                }
            };
            if let Some(until) = locked_until("address", address, MAX_ADDRESS_FAILURES)? {
                return Err(ApiError::AddressLocked {
                    until: until_text(until),
                });
            }
            if let Some(until) = locked_until("username", &req.username, MAX_FAILURES)? {
                return Err(ApiError::Locked {
                    until: until_text(until),
                });
            }
            tx.exec(
                "INSERT INTO login_failures (username, at, address) VALUES ($1, $2, $3)",
                params![&req.username, fmt_time(now), address],
            )?;
            Ok(load_user(tx, &req.username)?)
        })?;
        // Checked outside the write lock (argon2id is slow on purpose), a
        // bounded number at a time.
        let ok = {
            let _turn = password_turn()?;
            password_matches(
                &req.password,
                user.as_ref().map(|u| u.password_hash.as_str()),
            )
        };
        let Some(user) = user.filter(|_| ok) else {
            return Err(ApiError::InvalidCredentials);
        };
        // The inner error is an answer, not a failure: the right password
        // clears the account's failure slots even when the device is refused.
        self.db.write(|tx| -> ApiResult<ApiResult<TokenResponse>> {
            tx.exec(
                "DELETE FROM login_failures WHERE username = $1",
                params![&req.username],
            )?;
            let owner = tx
                .query_opt(
                    "SELECT user_id FROM devices WHERE id = $1",
                    params![&req.device_id],
                )?
                .map(|r| r.text(0))
                .transpose()?;
            match owner {
                // A device id belongs to the user who first registered it:
                // handing it to whoever logs in would give them its
                // sequence numbers and end its owner's sessions. Only the
                // office moves a device (`move_device`).
                Some(owner) if owner != user.id => return Ok(Err(ApiError::DeviceTaken)),
                Some(_) => tx.exec(
                    "UPDATE devices SET name = $2, last_seen_at = $3 WHERE id = $1",
                    params![&req.device_id, &req.device_name, fmt_time(now)],
                )?,
                None => tx.exec(
                    "INSERT INTO devices (id, user_id, name, last_seq, registered_at, last_seen_at)
                     VALUES ($1, $2, $3, 0, $4, $4)",
                    params![&req.device_id, &user.id, &req.device_name, fmt_time(now)],
                )?,
            };
            self.issue(tx, &user, &req.device_id, now).map(Ok)
        })?
    }

    /// Trades a refresh token for a new pair. A token used twice means it
    /// was copied: every token of that device is revoked. An account or
    /// device the office closed, or a session older than the office's
    /// lifetime, is refused with its own code; the new pair keeps the
    /// session's start.
    pub fn refresh(&self, refresh_token: &str) -> ApiResult<TokenResponse> {
        let now = self.now();
        let hash = token::hash_token(refresh_token);
        let invalid = || ApiError::Unauthenticated {
            code: "auth.invalid_refresh",
        };
        // The inner error is an answer, not a failure: what the refusal
        // wrote (a copied token's revocation) is committed.
        self.db.write(|tx| -> ApiResult<ApiResult<TokenResponse>> {
            let Some(r) = tx.query_opt(
                "SELECT user_id, device_id, expires_at, used, session_started_at
                       FROM refresh_tokens WHERE hash = $1",
                params![&hash],
            )?
            else {
                return Ok(Err(invalid()));
            };
            let (user_id, device_id) = (r.text(0)?, r.text(1)?);
            // The office's decisions first: they tell the user why.
            match Standing::read(tx, &user_id, &device_id)? {
                None => return Ok(Err(invalid())),
                Some(s) => {
                    if let Some(refusal) = s.refusal() {
                        return Ok(Err(refusal));
                    }
                }
            }
            if r.int(3)? != 0 {
                tx.exec(
                    "UPDATE refresh_tokens SET used = 1 WHERE device_id = $1",
                    params![&device_id],
                )?;
                return Ok(Err(ApiError::Unauthenticated {
                    code: "auth.refresh_reused",
                }));
            }
            let expires = parse_time(&r.text(2)?)?;
            if expires <= now {
                return Ok(Err(ApiError::Unauthenticated {
                    code: "auth.refresh_expired",
                }));
            }
            // A token from before sessions were recorded: its session
            // counts from the token's own issue.
            let started = match r.opt_text(4)? {
                Some(t) => parse_time(&t)?,
                None => expires - Duration::days(token::REFRESH_TTL_DAYS),
            };
            if let Err(ended) = session_end(tx, started, now) {
                return Ok(Err(ended));
            }
            tx.exec(
                "UPDATE refresh_tokens SET used = 1 WHERE hash = $1",
                params![&hash],
            )?;
            let Some(user) = load_user(tx, &user_id)? else {
                return Ok(Err(invalid()));
            };
            Ok(Ok(
                self.issue_in_session(tx, &user, &device_id, now, started)?
            ))
        })?
    }

    /// A token pair for a login: a new session starts now.
    fn issue(
        &self,
        tx: &mut dyn Tx,
        user: &UserRow,
        device_id: &str,
        now: NaiveDateTime,
    ) -> ApiResult<TokenResponse> {
        self.issue_in_session(tx, user, device_id, now, now)
    }

    /// A token pair within the session that started at `started`; the
    /// refresh token ends with the session at the latest. Refused for an
    /// account or device the office closed, whether at login or refresh.
    fn issue_in_session(
        &self,
        tx: &mut dyn Tx,
        user: &UserRow,
        device_id: &str,
        now: NaiveDateTime,
        started: NaiveDateTime,
    ) -> ApiResult<TokenResponse> {
        let standing =
            Standing::read(tx, &user.id, device_id)?.ok_or(ApiError::InvalidCredentials)?;
        if let Some(refusal) = standing.refusal() {
            return Err(refusal);
        }
        let session_end = session_end(tx, started, now)?;
        let expires = (now + Duration::days(token::REFRESH_TTL_DAYS)).min(session_end);
        let refresh = token::random_token();
        tx.exec(
            "INSERT INTO refresh_tokens (hash, user_id, device_id, expires_at, used, session_started_at)
             VALUES ($1, $2, $3, $4, 0, $5)",
            params![
                token::hash_token(&refresh),
                &user.id,
                device_id,
                fmt_time(expires),
                fmt_time(started)
            ],
        )?;
        let claims = Claims {
            sub: user.id.clone(),
            name: user.name.clone(),
            role: user.role,
            unit: user.unit_id.clone(),
            dev: device_id.to_string(),
            exp: chrono::Utc::now().timestamp() + token::ACCESS_TTL_SECS as i64,
        };
        Ok(TokenResponse {
            access_token: token::sign(&self.token_key, &claims),
            refresh_token: refresh,
            expires_in: token::ACCESS_TTL_SECS,
            user: UserInfo {
                id: user.id.clone(),
                name: user.name.clone(),
                role: user.role,
                unit_id: user.unit_id.clone(),
                unit_name: user.unit_name.clone(),
                must_change_password: standing.must_change_password,
            },
        })
    }

    /// The caller an access token stands for. Besides the signature, one
    /// point read checks what the office decided since the token was
    /// issued: a disabled account or revoked device stops at once, and a
    /// reset password must be changed before anything else.
    pub fn authenticate(&self, access_token: &str) -> ApiResult<Caller> {
        let (caller, standing) = self.check_access(access_token)?;
        if standing.must_change_password {
            return Err(ApiError::MustChangePassword);
        }
        Ok(caller)
    }

    /// As [`Service::authenticate`], for the one route open while the
    /// password must be changed: changing it.
    pub fn authenticate_to_change_password(&self, access_token: &str) -> ApiResult<Caller> {
        Ok(self.check_access(access_token)?.0)
    }

    fn check_access(&self, access_token: &str) -> ApiResult<(Caller, Standing)> {
        let claims = match token::verify(
            &self.token_key,
            access_token,
            chrono::Utc::now().timestamp(),
        ) {
            Ok(c) => c,
            Err(token::TokenError::Expired) => {
                return Err(ApiError::Unauthenticated {
                    code: "auth.token_expired",
                })
            }
            Err(token::TokenError::Invalid) => {
                return Err(ApiError::Unauthenticated {
                    code: "auth.invalid_token",
                })
            }
        };
        let standing = self
            .db
            .read(|tx| Standing::read(tx, &claims.sub, &claims.dev))?
            .ok_or(ApiError::Unauthenticated {
                code: "auth.invalid_token",
            })?;
        if let Some(refusal) = standing.refusal() {
            return Err(refusal);
        }
        let caller = Caller {
            actor: claims.actor(),
            device_id: claims.dev,
        };
        Ok((caller, standing))
    }

    pub fn add_unit(&self, actor: &Actor, u: &NewUnit) -> ApiResult<()> {
        check_required_line("单位编号", &u.id)?;
        check_required_line("单位名称", &u.name)?;
        check_line("文号代字", &u.doc_prefix)?;
        let now = self.now();
        self.db.write(|tx| -> ApiResult<()> {
            tx.exec(
                "INSERT INTO units (id, name, doc_prefix) VALUES ($1, $2, $3)",
                params![&u.id, &u.name, &u.doc_prefix],
            )
            .map_err(|e| dup(e, format!("单位“{}”", u.id)))?;
            let unit = Unit {
                id: UnitId::new(&u.id),
                name: u.name.clone(),
                doc_prefix: u.doc_prefix.clone(),
            };
            emit(tx, jianban_protocol::Entity::Unit, &u.id, EVERYONE, &unit)?;
            audit(
                tx,
                &AuditRecord::without_assignment(
                    now,
                    actor,
                    "add_unit",
                    json!({ "unit_id": u.id, "name": u.name }),
                ),
            )?;
            Ok(())
        })
    }

    pub fn add_user(&self, actor: &Actor, u: &NewUser) -> ApiResult<()> {
        check_required_line("用户名", &u.id)?;
        check_required_line("姓名", &u.name)?;
        check_new_password(&u.password)?;
        match (u.role, &u.unit_id) {
            (UserRole::OfficeStaff, Some(_)) => {
                return Err(ApiError::bad_request(
                    "auth.bad_unit",
                    "办公室工作人员不属于承办单位，请去掉单位编号。",
                ))
            }
            (r, None) if r != UserRole::OfficeStaff => {
                return Err(ApiError::bad_request(
                    "auth.bad_unit",
                    "承办单位人员须填写所属单位编号。",
                ))
            }
            _ => {}
        }
        let hash = hash_password(&u.password);
        let now = self.now();
        self.db.write(|tx| -> ApiResult<()> {
            if let Some(unit) = &u.unit_id {
                if tx
                    .query_opt("SELECT id FROM units WHERE id = $1", params![unit])?
                    .is_none()
                {
                    return Err(ApiError::NotFound(format!("单位{unit}")));
                }
            }
            let role = serde_json::to_value(u.role).map_err(DbError::from)?;
            tx.exec(
                "INSERT INTO users (id, name, role, unit_id, password_hash) VALUES ($1, $2, $3, $4, $5)",
                params![&u.id, &u.name, role.as_str().unwrap_or_default(), u.unit_id.clone(), &hash],
            )
            .map_err(|e| dup(e, format!("用户“{}”", u.id)))?;
            audit(
                tx,
                &AuditRecord::without_assignment(
                    now,
                    actor,
                    "add_user",
                    json!({ "user_id": u.id, "role": u.role, "unit_id": u.unit_id }),
                ),
            )?;
            Ok(())
        })
    }
}

/// A unique-constraint failure is a duplicate, anything else a fault.
pub fn dup(e: DbError, what: String) -> ApiError {
    if e.is_unique_violation() {
        ApiError::Duplicate(what)
    } else {
        e.into()
    }
}
