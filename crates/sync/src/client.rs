//! The HTTP client for the central server.
//!
//! Blocking (ureq) on purpose: sync runs on its own thread and does one
//! request at a time, in order, which is exactly what the protocol wants.
//! Every request carries the protocol header; an expired access token is
//! refreshed once and the request repeated.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use jianban_domain::{ApprovalStep, UnitId};
use jianban_protocol::{
    ApprovalChain, ChangePasswordRequest, ChangesResponse, ErrorBody, KeyReceipt, LoginRequest,
    PushRequest, PushResponse, RefreshRequest, RegisterKeyRequest, SetApprovalChainRequest,
    TokenResponse, UserInfo, PROTOCOL_HEADER, PROTOCOL_VERSION,
};
use serde::de::DeserializeOwned;
use serde::Serialize;

/// Where the server is and how to reach it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerConfig {
    /// e.g. `https://dbjy.example.gov.cn` or `http://127.0.0.1:8580`.
    pub base_url: String,
    /// PEM file of the intranet's own certificate authority, if any.
    pub ca_certificate: Option<std::path::PathBuf>,
    /// Per-request time-out (connect and read).
    pub timeout: Duration,
}

impl ServerConfig {
    pub fn new(base_url: impl Into<String>) -> Self {
        Self {
            base_url: base_url.into().trim_end_matches('/').to_string(),
            ca_certificate: None,
            timeout: Duration::from_secs(30),
        }
    }
}

/// How the client proves who it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credentials {
    /// A refresh token from an earlier login.
    RefreshToken(String),
    /// Username and password (kept in memory only, for the session).
    Password { username: String, password: String },
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SyncError {
    #[error("无法连接平台（{0}），已转为离线工作，恢复网络后将自动同步，本地内容不会丢失。")]
    Offline(String),
    #[error("登录已失效，请重新登录后再同步。本地内容已保留。")]
    NeedsLogin,
    #[error("{0}")]
    UpgradeRequired(String),
    #[error("平台暂时无法处理请求（{code}：{message}），稍后将自动重试。")]
    Server {
        status: u16,
        code: String,
        message: String,
    },
    #[error("平台与本机的同步序号不一致（平台期望第{expected}号），正在重新上传本机记录。")]
    SequenceGap { expected: i64 },
    /// The server refused the push: a sequence number this PC already used
    /// came with another command (the store was restored from a backup).
    /// Nothing of the batch was applied; the engine re-registers.
    #[error("{0}")]
    SeqReused(String),
    /// This PC's device id belongs to another user on the server (403
    /// `auth.device_taken`): not retried; the message says to ask the
    /// office to move the device.
    #[error("{0}")]
    DeviceTaken(String),
    /// The office disabled the account or revoked this PC, the login
    /// session ran out, or the office reset the password: not retried; the
    /// server's message says what happened and what to do.
    #[error("{message}")]
    AccessRefused { code: &'static str, message: String },
    #[error("证书设置有误：{0}。请在“设置 → 服务器”中检查证书文件。")]
    Certificate(String),
    #[error("{0}")]
    Store(String),
    /// A document refused before it was sent (its type or size).
    #[error("{0}")]
    Document(jianban_protocol::documents::DocumentRefusal),
    #[error("平台返回的数据无法识别（{0}），请联系管理员确认平台版本。")]
    Protocol(String),
}

impl SyncError {
    /// Worth trying again later by itself.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            SyncError::Offline(_)
                | SyncError::Server { .. }
                | SyncError::SequenceGap { .. }
                | SyncError::Store(_)
        )
    }

    pub fn code(&self) -> &'static str {
        match self {
            SyncError::Offline(_) => "sync.offline",
            SyncError::NeedsLogin => "sync.needs_login",
            SyncError::UpgradeRequired(_) => "protocol.upgrade_required",
            SyncError::Server { .. } => "sync.server_error",
            SyncError::SequenceGap { .. } => "sync.sequence_gap",
            SyncError::SeqReused(_) => "sync.seq_reused",
            SyncError::DeviceTaken(_) => "auth.device_taken",
            SyncError::AccessRefused { code, .. } => code,
            SyncError::Certificate(_) => "sync.certificate",
            SyncError::Store(_) => "sync.store",
            SyncError::Document(r) => r.code(),
            SyncError::Protocol(_) => "sync.protocol",
        }
    }
}

impl From<jianban_store::StoreError> for SyncError {
    fn from(e: jianban_store::StoreError) -> Self {
        SyncError::Store(e.to_string())
    }
}

/// The server's refusals whose words the user must see, instead of a
/// plain "log in again" or "retrying": a wrong password or a lockout is
/// not cured by trying again on its own (and retrying would lock it more).
const ACCESS_REFUSALS: [&str; 7] = [
    "auth.account_disabled",
    "auth.device_revoked",
    "auth.session_ended",
    "auth.must_change_password",
    "auth.invalid_credentials",
    "auth.locked",
    "auth.address_locked",
];

#[derive(Debug, Clone, Default)]
struct Tokens {
    access: Option<String>,
    refresh: Option<String>,
}

pub struct ServerClient {
    config: ServerConfig,
    agent: ureq::Agent,
    device_id: String,
    device_name: String,
    credentials: Mutex<Option<Credentials>>,
    tokens: Mutex<Tokens>,
}

fn tls_config(ca: Option<&std::path::Path>) -> Result<Arc<rustls::ClientConfig>, SyncError> {
    let mut roots = rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    if let Some(path) = ca {
        use rustls_pki_types::pem::PemObject;
        let certs = rustls_pki_types::CertificateDer::pem_file_iter(path)
            .map_err(|e| SyncError::Certificate(format!("无法读取{}：{e}", path.display())))?;
        let mut n = 0;
        for cert in certs {
            let cert = cert.map_err(|e| {
                SyncError::Certificate(format!("{}不是PEM证书：{e}", path.display()))
            })?;
            roots
                .add(cert)
                .map_err(|e| SyncError::Certificate(format!("{}无法使用：{e}", path.display())))?;
            n += 1;
        }
        if n == 0 {
            return Err(SyncError::Certificate(format!(
                "{}中没有证书",
                path.display()
            )));
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| SyncError::Certificate(e.to_string()))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

impl ServerClient {
    pub fn new(
        config: ServerConfig,
        device_id: impl Into<String>,
        device_name: impl Into<String>,
        credentials: Option<Credentials>,
    ) -> Result<Self, SyncError> {
        let agent = ureq::AgentBuilder::new()
            .timeout_connect(config.timeout)
            .timeout(config.timeout)
            // HTTP(S)_PROXY / NO_PROXY from the environment, as offices set them.
            .try_proxy_from_env(true)
            .tls_config(tls_config(config.ca_certificate.as_deref())?)
            .build();
        Ok(Self {
            config,
            agent,
            device_id: device_id.into(),
            device_name: device_name.into(),
            credentials: Mutex::new(credentials),
            tokens: Mutex::new(Tokens::default()),
        })
    }

    pub fn device_id(&self) -> &str {
        &self.device_id
    }

    /// Speaks for another device from now on (the store registered as a new
    /// one). The tokens and a saved refresh token belong to the old device
    /// and are dropped; a password kept for the session logs in again under
    /// the new id, otherwise the next request asks the user to log in.
    pub fn switch_device(&mut self, device_id: impl Into<String>) {
        self.device_id = device_id.into();
        if let Ok(mut t) = self.tokens.lock() {
            *t = Tokens::default();
        }
        if let Ok(mut c) = self.credentials.lock() {
            if matches!(*c, Some(Credentials::RefreshToken(_))) {
                *c = None;
            }
        }
    }

    /// The refresh token to keep for the next start, if logged in.
    pub fn refresh_token(&self) -> Option<String> {
        self.tokens.lock().ok().and_then(|t| t.refresh.clone())
    }

    fn url(&self, path: &str) -> String {
        format!("{}{}", self.config.base_url, path)
    }

    fn error_of(e: ureq::Error) -> SyncError {
        match e {
            ureq::Error::Status(status, response) => {
                let body: ErrorBody = response
                    .into_json()
                    .unwrap_or_else(|_| ErrorBody::new("http", format!("HTTP {status}")));
                if let Some(code) = ACCESS_REFUSALS.into_iter().find(|c| *c == body.code) {
                    return SyncError::AccessRefused {
                        code,
                        message: body.message,
                    };
                }
                match (status, body.code.as_str()) {
                    (426, _) | (_, "protocol.upgrade_required") => {
                        SyncError::UpgradeRequired(body.message)
                    }
                    (401, _) => SyncError::NeedsLogin,
                    (409, "sync.sequence_gap") => SyncError::SequenceGap {
                        expected: body.expected.unwrap_or(1),
                    },
                    (409, "sync.seq_reused") => SyncError::SeqReused(body.message),
                    (403, "auth.device_taken") => SyncError::DeviceTaken(body.message),
                    _ => SyncError::Server {
                        status,
                        code: body.code,
                        message: body.message,
                    },
                }
            }
            ureq::Error::Transport(t) => SyncError::Offline(t.to_string()),
        }
    }

    fn send<B: Serialize, T: DeserializeOwned>(
        &self,
        method: &str,
        path: &str,
        body: Option<&B>,
        token: Option<&str>,
    ) -> Result<T, SyncError> {
        let mut req = self
            .agent
            .request(method, &self.url(path))
            .set(PROTOCOL_HEADER, &PROTOCOL_VERSION.to_string());
        if let Some(t) = token {
            req = req.set("Authorization", &format!("Bearer {t}"));
        }
        let response = match body {
            Some(b) => req.send_json(b),
            None => req.call(),
        }
        .map_err(Self::error_of)?;
        response
            .into_json()
            .map_err(|e| SyncError::Protocol(e.to_string()))
    }

    /// Logs in with a password and keeps the tokens.
    pub fn login(&self, username: &str, password: &str) -> Result<TokenResponse, SyncError> {
        let answer: TokenResponse = self.send(
            "POST",
            "/v1/auth/login",
            Some(&LoginRequest {
                username: username.to_string(),
                password: password.to_string(),
                device_id: self.device_id.clone(),
                device_name: self.device_name.clone(),
            }),
            None,
        )?;
        self.keep(&answer);
        Ok(answer)
    }

    fn keep(&self, answer: &TokenResponse) {
        if let Ok(mut t) = self.tokens.lock() {
            t.access = Some(answer.access_token.clone());
            t.refresh = Some(answer.refresh_token.clone());
        }
    }

    /// Gets a fresh access token from the refresh token, or from the
    /// password when that is all there is.
    fn renew(&self) -> Result<String, SyncError> {
        let refresh = self.tokens.lock().ok().and_then(|t| t.refresh.clone());
        let credentials = self.credentials.lock().ok().and_then(|c| c.clone());
        let refresh = refresh.or(match &credentials {
            Some(Credentials::RefreshToken(r)) => Some(r.clone()),
            _ => None,
        });
        let mut refused = None;
        if let Some(r) = refresh {
            match self.send::<_, TokenResponse>(
                "POST",
                "/v1/auth/refresh",
                Some(&RefreshRequest { refresh_token: r }),
                None,
            ) {
                Ok(answer) => {
                    self.keep(&answer);
                    return Ok(answer.access_token);
                }
                Err(
                    e @ (SyncError::NeedsLogin
                    | SyncError::AccessRefused { .. }
                    | SyncError::Server {
                        status: 400..=403, ..
                    }),
                ) => {
                    if let Ok(mut t) = self.tokens.lock() {
                        *t = Tokens::default();
                    }
                    // Without a password to log in again, the user hears
                    // why the session ended.
                    if let SyncError::AccessRefused { .. } = e {
                        refused = Some(e);
                    }
                }
                Err(e) => return Err(e),
            }
        }
        match credentials {
            Some(Credentials::Password { username, password }) => {
                Ok(self.login(&username, &password)?.access_token)
            }
            _ => Err(refused.unwrap_or(SyncError::NeedsLogin)),
        }
    }

    /// Sends an authorized request; on 401 renews the token once and retries.
    fn authorized<B: Serialize, T: DeserializeOwned>(
        &self,
        method: &str,
        path: &str,
        body: Option<&B>,
    ) -> Result<T, SyncError> {
        let token = match self.tokens.lock().ok().and_then(|t| t.access.clone()) {
            Some(t) => t,
            None => self.renew()?,
        };
        match self.send(method, path, body, Some(&token)) {
            Err(SyncError::NeedsLogin) => {
                let token = self.renew()?;
                self.send(method, path, body, Some(&token))
            }
            other => other,
        }
    }

    /// Any authorized JSON POST (the office's operations, for example).
    pub fn post<B: Serialize, T: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<T, SyncError> {
        self.authorized("POST", path, Some(body))
    }

    /// Any authorized JSON PUT (a unit's approval chain, for example).
    pub fn put<B: Serialize, T: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<T, SyncError> {
        self.authorized("PUT", path, Some(body))
    }

    /// Any authorized JSON GET.
    pub fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T, SyncError> {
        self.authorized::<(), _>("GET", path, None)
    }

    /// Changes the logged-in user's own password: the one request the
    /// server still takes after the office reset it (the login answer's
    /// `user.must_change_password`). The answer is the user with the flag
    /// cleared; the user's other devices are logged out. A password kept
    /// for renewing the login is replaced by the new one.
    pub fn change_password(
        &self,
        old_password: &str,
        new_password: &str,
    ) -> Result<UserInfo, SyncError> {
        let user: UserInfo = self.post(
            "/v1/auth/password",
            &ChangePasswordRequest {
                old_password: old_password.to_string(),
                new_password: new_password.to_string(),
            },
        )?;
        if let Ok(mut c) = self.credentials.lock() {
            if let Some(Credentials::Password { password, .. }) = c.as_mut() {
                *password = new_password.to_string();
            }
        }
        Ok(user)
    }

    /// Registers the logged-in approver's public signing key, so letters
    /// they sign verify on the server and on other PCs.
    pub fn register_key(&self, public_key: &str) -> Result<KeyReceipt, SyncError> {
        self.post(
            "/v1/auth/keys",
            &RegisterKeyRequest {
                public_key: public_key.to_string(),
            },
        )
    }

    /// Replaces `unit`'s approval chain (the server accepts it only from the
    /// unit's head); the answer says how many open cases took it.
    pub fn set_approval_chain(
        &self,
        unit: &UnitId,
        steps: Vec<ApprovalStep>,
    ) -> Result<ApprovalChain, SyncError> {
        self.put(
            &format!("/v1/units/{unit}/approval-chain"),
            &SetApprovalChainRequest { steps },
        )
    }

    pub fn push(&self, request: &PushRequest) -> Result<PushResponse, SyncError> {
        self.authorized("POST", "/v1/sync/push", Some(request))
    }

    /// Uploads a document for an assignment (the sealed letter, an
    /// attachment). Its type and size are checked first with the rule the
    /// server applies (`jianban_protocol::documents`), so a refused file is
    /// never sent; the assignment's quota is the server's to check.
    pub fn put_document(
        &self,
        assignment_id: &str,
        bytes: &[u8],
    ) -> Result<jianban_protocol::DocumentReceipt, SyncError> {
        use sha2::Digest;
        jianban_protocol::documents::check_document(bytes).map_err(SyncError::Document)?;
        let sha = hex::encode(sha2::Sha256::digest(bytes));
        let path = format!("/v1/documents/{sha}");
        let send = |token: &str| -> Result<jianban_protocol::DocumentReceipt, SyncError> {
            self.agent
                .request("PUT", &self.url(&path))
                .set(PROTOCOL_HEADER, &PROTOCOL_VERSION.to_string())
                .set(jianban_protocol::ASSIGNMENT_HEADER, assignment_id)
                .set("Content-Type", "application/octet-stream")
                .set("Authorization", &format!("Bearer {token}"))
                .send_bytes(bytes)
                .map_err(Self::error_of)?
                .into_json()
                .map_err(|e| SyncError::Protocol(e.to_string()))
        };
        let token = match self.tokens.lock().ok().and_then(|t| t.access.clone()) {
            Some(t) => t,
            None => self.renew()?,
        };
        match send(&token) {
            Err(SyncError::NeedsLogin) => send(&self.renew()?),
            other => other,
        }
    }

    pub fn changes(&self, after: i64, limit: u32) -> Result<ChangesResponse, SyncError> {
        self.authorized::<(), _>(
            "GET",
            &format!("/v1/sync/changes?after={after}&limit={limit}"),
            None,
        )
    }
}
