//! The access tokens' signing keys, in a file of their own outside the
//! database: a copy of the database (a backup, a dump handed to a vendor)
//! is then not enough to mint an office token.
//!
//! The file is text, one key a line, the current key first:
//!
//! ```text
//! current 20261205T194000-3fa2 <64 hex digits>
//! previous 20261101T090000-9c1e <64 hex digits> 1796480000
//! ```
//!
//! A previous key only verifies tokens, until the Unix time at its end:
//! `rotate-token-key` makes a new current key and keeps the old one without
//! an end; the server's next start gives it one access-token lifetime from
//! then (the tokens the old process signed with it live that long), so a
//! rotation logs nobody out.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::db::Db;
use crate::error::ApiError;
use crate::params;
use crate::service::token::{self, SigningKey, TokenKeys};

/// The default place: the data directory, beside the SQLite database.
pub fn default_path(data_dir: &Path) -> PathBuf {
    data_dir.join("token-keys")
}

fn io_error(path: &Path, what: &str, e: std::io::Error) -> ApiError {
    ApiError::Internal(format!("无法{what}令牌签名密钥文件{}：{e}", path.display()))
}

fn bad_file(path: &Path, line: usize, why: &str) -> ApiError {
    ApiError::Internal(format!(
        "令牌签名密钥文件{}第{line}行有误（{why}）。请从备份恢复该文件；如无备份，可删除它后重启服务器（所有用户需重新登录）。",
        path.display()
    ))
}

/// Refuses a key file that other users of the machine can read.
#[cfg(unix)]
fn check_private(path: &Path) -> Result<(), ApiError> {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path)
        .map_err(|e| io_error(path, "读取", e))?
        .permissions()
        .mode();
    if mode & 0o077 != 0 {
        return Err(ApiError::Internal(format!(
            "令牌签名密钥文件{path}可被其他用户读取（权限{mode:o}），服务器拒绝使用。请以服务器的运行账号执行 chmod 600 {path} 后再启动。",
            path = path.display(),
            mode = mode & 0o777,
        )));
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_private(_path: &Path) -> Result<(), ApiError> {
    Ok(())
}

fn parse(path: &Path, text: &str) -> Result<TokenKeys, ApiError> {
    let mut keys = Vec::new();
    for (n, line) in text.lines().enumerate().map(|(i, l)| (i + 1, l.trim())) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let parts: Vec<&str> = line.split_whitespace().collect();
        let (kind, id, secret, until) = match parts[..] {
            [kind, id, secret] => (kind, id, secret, None),
            [kind, id, secret, until] => (kind, id, secret, Some(until)),
            _ => {
                return Err(bad_file(
                    path,
                    n,
                    "每行应为“current|previous 编号 密钥 [截止时间]”",
                ))
            }
        };
        let current = match kind {
            "current" => true,
            "previous" => false,
            _ => return Err(bad_file(path, n, "行首应为current或previous")),
        };
        if current != keys.is_empty() {
            return Err(bad_file(path, n, "current须是第一个且只有一个"));
        }
        if !token::valid_key_id(id) {
            return Err(bad_file(path, n, "编号只能含字母、数字和连字符"));
        }
        let secret = hex::decode(secret)
            .ok()
            .filter(|s| s.len() == 32)
            .ok_or_else(|| bad_file(path, n, "密钥应为64位十六进制数字"))?;
        let retires_at = until
            .map(|u| u.parse::<i64>())
            .transpose()
            .map_err(|_| bad_file(path, n, "截止时间应为Unix秒数"))?;
        keys.push(SigningKey {
            id: id.to_string(),
            secret,
            retires_at: if current { None } else { retires_at },
        });
    }
    if keys.is_empty() {
        return Err(bad_file(path, 1, "文件中没有密钥"));
    }
    Ok(TokenKeys::new(keys))
}

fn render(keys: &TokenKeys) -> String {
    let mut out = String::from(
        "# 建办 access-token signing keys. Owner-only (chmod 600); back it up apart from the database.\n\
         # Rotate with `jianban-server rotate-token-key`, then restart the server.\n",
    );
    for (i, k) in keys.all().iter().enumerate() {
        let kind = if i == 0 { "current" } else { "previous" };
        out.push_str(&format!("{kind} {} {}", k.id, hex::encode(&k.secret)));
        if let Some(t) = k.retires_at {
            out.push_str(&format!(" {t}"));
        }
        out.push('\n');
    }
    out
}

/// Writes the whole file at once: a new owner-only file beside it, synced,
/// then renamed over it.
fn write(path: &Path, keys: &TokenKeys) -> Result<(), ApiError> {
    let tmp = path.with_extension("new");
    let _ = std::fs::remove_file(&tmp);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut f = options.open(&tmp).map_err(|e| io_error(&tmp, "创建", e))?;
    f.write_all(render(keys).as_bytes())
        .and_then(|_| f.sync_all())
        .map_err(|e| io_error(&tmp, "写入", e))?;
    std::fs::rename(&tmp, path).map_err(|e| io_error(path, "替换", e))
}

/// The key the database's `meta` table held before the key file existed.
fn key_in_database(db: &Db) -> Result<Option<Vec<u8>>, ApiError> {
    let hex_key = db.read(|tx| {
        tx.query_opt("SELECT value FROM meta WHERE key = 'token_key'", &[])?
            .map(|r| r.text(0))
            .transpose()
    })?;
    Ok(hex_key.and_then(|h| hex::decode(h).ok()))
}

/// Reads the key file, creating it at the first start (with the key the
/// database held, if any, so nobody is logged out by the upgrade); the key
/// then leaves the database. Previous keys whose end has passed are
/// dropped, and a previous key without an end gets one (see the module).
pub fn load_or_create(path: &Path, db: &Db, now_unix: i64) -> Result<TokenKeys, ApiError> {
    let keys = if path.exists() {
        check_private(path)?;
        let text = std::fs::read_to_string(path).map_err(|e| io_error(path, "读取", e))?;
        parse(path, &text)?
    } else {
        let secret = key_in_database(db)?.unwrap_or_else(|| token::random_bytes::<32>().to_vec());
        let keys = TokenKeys::new(vec![SigningKey {
            id: token::new_key_id(now_unix),
            secret,
            retires_at: None,
        }]);
        write(path, &keys)?;
        keys
    };
    // The file is written (and synced) before the database forgets the key.
    db.write(|tx| tx.exec("DELETE FROM meta WHERE key = 'token_key'", params![]))?;
    let settled = keys.settled(now_unix);
    if settled != keys {
        write(path, &settled)?;
    }
    Ok(settled)
}

/// `rotate-token-key`: a new current key; the old one stays to verify the
/// tokens it signed (its end is set when the server next starts).
pub fn rotate(path: &Path, db: &Db, now_unix: i64) -> Result<TokenKeys, ApiError> {
    let keys = if path.exists() {
        check_private(path)?;
        let text = std::fs::read_to_string(path).map_err(|e| io_error(path, "读取", e))?;
        parse(path, &text)?
    } else {
        load_or_create(path, db, now_unix)?
    };
    let rotated = keys.rotated(now_unix);
    write(path, &rotated)?;
    Ok(rotated)
}
