//! TLS to PostgreSQL, configured by the connection URL's `sslmode` and
//! `sslrootcert` as libpq reads them, over rustls (no OpenSSL to install on
//! a Windows server).
//!
//! | `sslmode`   | encrypted            | certificate checked                |
//! |-------------|----------------------|------------------------------------|
//! | disable     | no                   | —                                  |
//! | prefer      | if the server offers | no (the default, as in libpq)      |
//! | require     | yes                  | no; against `sslrootcert` if given |
//! | verify-ca   | yes                  | signed by `sslrootcert`            |
//! | verify-full | yes                  | signed by `sslrootcert`, and names the host |

use std::path::PathBuf;
use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::crypto::{verify_tls12_signature, verify_tls13_signature, CryptoProvider};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{
    CertificateError, ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme,
};
use tokio_postgres_rustls::MakeRustlsConnect;

use super::DbError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SslMode {
    Disable,
    Prefer,
    Require,
    VerifyCa,
    VerifyFull,
}

impl SslMode {
    fn parse(value: &str) -> Result<SslMode, DbError> {
        Ok(match value {
            "disable" => SslMode::Disable,
            "prefer" => SslMode::Prefer,
            "require" => SslMode::Require,
            "verify-ca" => SslMode::VerifyCa,
            "verify-full" => SslMode::VerifyFull,
            other => {
                return Err(DbError::Open(format!(
                    "数据库地址中的 sslmode=“{other}”无效：请写 disable、prefer、require、verify-ca 或 verify-full"
                )))
            }
        })
    }
}

pub struct TlsSettings {
    pub mode: SslMode,
    /// Set when the certificate is checked against `sslrootcert`.
    checks_certificate: bool,
    connector: Option<MakeRustlsConnect>,
}

impl TlsSettings {
    /// Takes `sslmode` and `sslrootcert` out of a connection string (URL or
    /// `key=value` form) and builds the TLS client they ask for. The rest of
    /// the string is returned unchanged for `postgres::Config`.
    pub fn split_from(conn: &str) -> Result<(String, TlsSettings), DbError> {
        let (rest, mode, root) = split_options(conn)?;
        let mode = match mode {
            Some(m) => SslMode::parse(&m)?,
            None => SslMode::Prefer,
        };
        let root = root.map(PathBuf::from);
        if matches!(mode, SslMode::VerifyCa | SslMode::VerifyFull) && root.is_none() {
            return Err(DbError::Open(format!(
                "数据库地址要求校验证书（sslmode={}），但没有给出CA证书：请在地址中加上 sslrootcert=签发数据库服务器证书的CA证书文件（PEM）",
                if mode == SslMode::VerifyCa { "verify-ca" } else { "verify-full" }
            )));
        }
        // As in libpq: `require` with a root certificate checks the chain.
        let verify = match (mode, &root) {
            (SslMode::Disable, _) => None,
            (SslMode::VerifyFull, Some(r)) => Some((r, true)),
            (SslMode::VerifyCa | SslMode::Require, Some(r)) => Some((r, false)),
            _ => None,
        };
        let connector = match (mode, verify) {
            (SslMode::Disable, _) => None,
            (_, Some((root, names_host))) => {
                Some(client_config(Some((load_roots(root)?, names_host)))?)
            }
            (_, None) => Some(client_config(None)?),
        }
        .map(MakeRustlsConnect::new);
        Ok((
            rest,
            TlsSettings {
                mode,
                checks_certificate: verify.is_some(),
                connector,
            },
        ))
    }

    /// The mode the `postgres` crate understands: it only decides whether
    /// TLS is tried and whether it is required; the checks are ours.
    pub fn pg_mode(&self) -> postgres::config::SslMode {
        match self.mode {
            SslMode::Disable => postgres::config::SslMode::Disable,
            SslMode::Prefer => postgres::config::SslMode::Prefer,
            _ => postgres::config::SslMode::Require,
        }
    }

    pub fn connector(&self) -> Option<MakeRustlsConnect> {
        self.connector.clone()
    }

    /// A failed connection in Chinese, saying what to change when TLS is
    /// the cause.
    pub fn explain(&self, e: &postgres::Error) -> DbError {
        // The cause (e.g. rustls' "invalid peer certificate") is in the
        // source chain, not in the top error's text.
        let mut text = e.to_string();
        let mut source = std::error::Error::source(e);
        while let Some(s) = source {
            let part = s.to_string();
            if !text.contains(&part) {
                text = format!("{text}: {part}");
            }
            source = s.source();
        }
        let hint = if text.contains("server does not support TLS") {
            "。数据库服务器没有开启TLS：请在其 postgresql.conf 中设置 ssl = on 并配置证书，或把地址中的 sslmode 改为 prefer 或 disable"
        } else if self.checks_certificate
            && (text.contains("certificate") || text.contains("Certificate"))
        {
            "。数据库服务器的证书未通过校验：请确认 sslrootcert 是签发该证书的CA证书；sslmode=verify-full 还要求证书上的主机名或IP与地址中的主机一致（只校验签发者可用 verify-ca）"
        } else {
            ""
        };
        DbError::Open(format!("无法连接PostgreSQL：{text}{hint}"))
    }
}

/// Splits `sslmode`/`sslrootcert` (the last of each wins) from the rest.
fn split_options(conn: &str) -> Result<(String, Option<String>, Option<String>), DbError> {
    let mut mode = None;
    let mut root = None;
    let is_url = conn.starts_with("postgres://") || conn.starts_with("postgresql://");
    if is_url {
        let Some((base, query)) = conn.split_once('?') else {
            return Ok((conn.to_string(), None, None));
        };
        let mut kept = Vec::new();
        for pair in query.split('&') {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            match percent_decode(k)?.as_str() {
                "sslmode" => mode = Some(percent_decode(v)?),
                "sslrootcert" => root = Some(percent_decode(v)?),
                _ => kept.push(pair),
            }
        }
        let rest = if kept.is_empty() {
            base.to_string()
        } else {
            format!("{base}?{}", kept.join("&"))
        };
        return Ok((rest, mode, root));
    }
    let mut kept = Vec::new();
    for token in kv_tokens(conn) {
        match token.split_once('=') {
            Some(("sslmode", v)) => mode = Some(unquote(v)),
            Some(("sslrootcert", v)) => root = Some(unquote(v)),
            _ => kept.push(token),
        }
    }
    Ok((kept.join(" "), mode, root))
}

/// `key=value` tokens separated by unquoted whitespace, each kept verbatim
/// (quotes and backslashes included) for the `postgres` crate's own parser.
fn kv_tokens(conn: &str) -> Vec<&str> {
    let mut tokens = Vec::new();
    let (mut start, mut quoted, mut escaped) = (None, false, false);
    for (i, c) in conn.char_indices() {
        if escaped {
            escaped = false;
            continue;
        }
        match c {
            '\\' => escaped = true,
            '\'' => quoted = !quoted,
            c if c.is_whitespace() && !quoted => {
                if let Some(s) = start.take() {
                    tokens.push(&conn[s..i]);
                }
                continue;
            }
            _ => {}
        }
        if start.is_none() {
            start = Some(i);
        }
    }
    if let Some(s) = start {
        tokens.push(&conn[s..]);
    }
    tokens
}

fn unquote(v: &str) -> String {
    let inner = v
        .strip_prefix('\'')
        .and_then(|v| v.strip_suffix('\''))
        .unwrap_or(v);
    let mut out = String::new();
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(n) = chars.next() {
                out.push(n);
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn percent_decode(s: &str) -> Result<String, DbError> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or_else(|| DbError::Open(format!("数据库地址有误：“{s}”中的 % 转义不完整")))?;
            out.push(hex);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out)
        .map_err(|_| DbError::Open(format!("数据库地址有误：“{s}”解码后不是UTF-8文本")))
}

fn load_roots(path: &PathBuf) -> Result<RootCertStore, DbError> {
    let unreadable = |e: &dyn std::fmt::Display| {
        DbError::Open(format!(
            "无法读取数据库的CA证书 sslrootcert={}：{e}。请给出PEM格式的CA证书文件",
            path.display()
        ))
    };
    let mut roots = RootCertStore::empty();
    for cert in CertificateDer::pem_file_iter(path).map_err(|e| unreadable(&e))? {
        let cert = cert.map_err(|e| unreadable(&e))?;
        roots.add(cert).map_err(|e| unreadable(&e))?;
    }
    if roots.is_empty() {
        return Err(unreadable(&"文件中没有证书"));
    }
    Ok(roots)
}

fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

fn client_config(check: Option<(RootCertStore, bool)>) -> Result<ClientConfig, DbError> {
    let provider = provider();
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| DbError::Open(format!("TLS设置有误：{e}")))?;
    let verifier: Arc<dyn ServerCertVerifier> = match check {
        None => Arc::new(EncryptOnly(provider)),
        Some((roots, names_host)) => {
            let webpki = WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider)
                .build()
                .map_err(|e| DbError::Open(format!("数据库的CA证书不可用：{e}")))?;
            if names_host {
                webpki
            } else {
                Arc::new(SignedByCa(webpki))
            }
        }
    };
    Ok(builder
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth())
}

/// `prefer` and `require` without a root certificate: encrypted, any
/// certificate (libpq's behaviour; protects against listening, not against
/// an impostor). The handshake's signatures are still checked.
#[derive(Debug)]
struct EncryptOnly(Arc<CryptoProvider>);

impl ServerCertVerifier for EncryptOnly {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// `verify-ca`: the chain must lead to the root certificate; the host name
/// is not compared (a certificate issued to another name of the host).
#[derive(Debug)]
struct SignedByCa(Arc<WebPkiServerVerifier>);

impl ServerCertVerifier for SignedByCa {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        match self
            .0
            .verify_server_cert(end_entity, intermediates, server_name, ocsp, now)
        {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_verify_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_options_are_taken_out_and_the_rest_kept() {
        let (rest, mode, root) = split_options(
            "postgres://u:p%40w@db.example:5432/jb?sslmode=verify-full&application_name=x&sslrootcert=%2Fetc%2Fca%20file.pem",
        )
        .unwrap();
        assert_eq!(
            rest,
            "postgres://u:p%40w@db.example:5432/jb?application_name=x"
        );
        assert_eq!(mode.as_deref(), Some("verify-full"));
        assert_eq!(root.as_deref(), Some("/etc/ca file.pem"));
        let (rest, mode, _) = split_options("postgresql://h/db?sslmode=require").unwrap();
        assert_eq!(
            (rest.as_str(), mode.as_deref()),
            ("postgresql://h/db", Some("require"))
        );
    }

    #[test]
    fn key_value_options_are_taken_out_and_quoted_values_kept() {
        let (rest, mode, root) = split_options(
            "host=db password='a  b\\'c' sslmode=verify-ca sslrootcert='/etc/my ca.pem' dbname=jb",
        )
        .unwrap();
        assert_eq!(rest, "host=db password='a  b\\'c' dbname=jb");
        assert_eq!(mode.as_deref(), Some("verify-ca"));
        assert_eq!(root.as_deref(), Some("/etc/my ca.pem"));
    }

    #[test]
    fn verification_without_a_root_certificate_is_refused_in_chinese() {
        let err = TlsSettings::split_from("postgres://h/db?sslmode=verify-full")
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("sslrootcert"), "{err}");
        let err = TlsSettings::split_from("postgres://h/db?sslmode=always")
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("verify-full"), "{err}");
    }

    #[test]
    fn the_default_is_prefer_and_disable_has_no_connector() {
        let (_, t) = TlsSettings::split_from("postgres://h/db").unwrap();
        assert_eq!(t.mode, SslMode::Prefer);
        assert!(t.connector().is_some());
        let (_, t) = TlsSettings::split_from("postgres://h/db?sslmode=disable").unwrap();
        assert!(t.connector().is_none());
    }
}
