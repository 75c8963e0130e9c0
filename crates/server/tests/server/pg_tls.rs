//! PostgreSQL over TLS, chosen by the connection URL (`sslmode`,
//! `sslrootcert`), against the test cluster `scripts/pg-test.sh` sets up
//! with `ssl = on`, a test CA and a second CA that signed nothing.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Stdio};

use crate::harness::Backend;

fn tls_dir() -> PathBuf {
    let dir = PathBuf::from(
        std::env::var("JIANBAN_TEST_PG_TLS_DIR")
            .unwrap_or_else(|_| "/var/lib/postgresql/jianban-test-tls".into()),
    );
    assert!(
        dir.join("ca.pem").exists(),
        "{} has no ca.pem: run scripts/pg-test.sh (it turns TLS on with test certificates)",
        dir.display()
    );
    dir
}

fn with_params(url: &str, params: &str) -> String {
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}{params}")
}

/// `serve` on the given URL in a schema of its own; returns the child once
/// it listens, or its standard error when it ended instead.
struct Serve {
    child: std::process::Child,
    schema: String,
    admin_url: String,
    _dir: tempfile::TempDir,
}

fn serve(admin_url: &str, url: &str, tag: &str) -> Result<Serve, String> {
    let schema = format!("tls_{tag}_{}", std::process::id());
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_jianban-server"))
        .args(["serve", "--listen", "127.0.0.1:0", "--database-url", url])
        .args(["--database-schema", &schema])
        .arg("--data-dir")
        .arg(dir.path())
        .env("JIANBAN_LOG", "warn")
        .env_remove("JIANBAN_DATABASE_URL")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let listening = BufReader::new(stdout)
        .lines()
        .map_while(Result::ok)
        .any(|l| l.starts_with("jianban-server listening on "));
    let s = Serve {
        child,
        schema,
        admin_url: admin_url.to_string(),
        _dir: dir,
    };
    if listening {
        return Ok(s);
    }
    let mut s = s;
    let mut err = String::new();
    use std::io::Read;
    s.child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    Err(err)
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if let Ok(mut c) = postgres::Client::connect(&self.admin_url, postgres::NoTls) {
            let _ = c.batch_execute(&format!("DROP SCHEMA IF EXISTS {} CASCADE", self.schema));
        }
    }
}

/// Whether each of the server's open connections (named by
/// `application_name`) is encrypted, as PostgreSQL itself reports it.
fn connections_encrypted(admin_url: &str, app: &str) -> Vec<bool> {
    let mut c = postgres::Client::connect(admin_url, postgres::NoTls).unwrap();
    c.query(
        "SELECT s.ssl FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid) \
         WHERE a.application_name = $1",
        &[&app],
    )
    .unwrap()
    .iter()
    .map(|r| r.get(0))
    .collect()
}

#[test]
fn require_and_verify_full_connect_encrypted() {
    let Some(Backend::Postgres { url }) = Backend::postgres() else {
        return;
    };
    let dir = tls_dir();
    let ca = dir.join("ca.pem");
    let app = format!("jianban_tls_req_{}", std::process::id());
    let s = serve(
        &url,
        &with_params(&url, &format!("sslmode=require&application_name={app}")),
        "req",
    )
    .expect("sslmode=require connects");
    let seen = connections_encrypted(&url, &app);
    assert!(!seen.is_empty(), "the server keeps a pooled connection");
    assert!(
        seen.iter().all(|&ssl| ssl),
        "every connection is TLS: {seen:?}"
    );
    drop(s);

    // The right CA, and a host name the certificate names.
    let app = format!("jianban_tls_full_{}", std::process::id());
    let full = with_params(
        &url.replace("@127.0.0.1:", "@localhost:"),
        &format!(
            "sslmode=verify-full&sslrootcert={}&application_name={app}",
            ca.display()
        ),
    );
    let s = serve(&url, &full, "full").expect("verify-full with the test CA connects");
    let seen = connections_encrypted(&url, &app);
    assert!(!seen.is_empty() && seen.iter().all(|&ssl| ssl), "{seen:?}");
    drop(s);
}

#[test]
fn verify_full_with_the_wrong_ca_is_refused_with_a_clear_error() {
    let Some(Backend::Postgres { url }) = Backend::postgres() else {
        return;
    };
    let wrong = tls_dir().join("other-ca.pem");
    let err = serve(
        &url,
        &with_params(
            &url,
            &format!("sslmode=verify-full&sslrootcert={}", wrong.display()),
        ),
        "wrong",
    )
    .err()
    .expect("a certificate from another CA is refused");
    assert!(err.contains("无法连接PostgreSQL"), "{err}");
    assert!(
        err.contains("证书未通过校验") && err.contains("sslrootcert"),
        "{err}"
    );

    // A CA file that does not exist is named before any connection.
    let err = serve(
        &url,
        &with_params(&url, "sslmode=verify-ca&sslrootcert=/nonexistent/ca.pem"),
        "missing",
    )
    .err()
    .expect("a missing CA file is refused");
    assert!(err.contains("/nonexistent/ca.pem"), "{err}");
}
