//! `jianban-server verify LETTER.pdf`: checks a sealed reply letter against
//! the approvers' keys registered with this server (the `signing_keys`
//! table). Prints the verdict and the details in Chinese; the exit status
//! is 0 valid, 1 tampered, 2 unknown signer (3 when the check could not
//! run at all, e.g. the file is missing).

use std::collections::HashMap;
use std::path::Path;
use std::process::ExitCode;

use jianban_domain::UserId;
use jianban_seal::verify_pdf;

use crate::error::ApiError;
use crate::service::Service;

/// Every registered key, by user: the table holds one row per approver
/// key, so reading it whole is cheap and keeps the check in one place.
fn registry(svc: &Service) -> Result<HashMap<UserId, Vec<String>>, ApiError> {
    svc.db.read(|tx| -> Result<_, ApiError> {
        let rows = tx.query("SELECT user_id, public_key FROM signing_keys", &[])?;
        let mut keys: HashMap<UserId, Vec<String>> = HashMap::new();
        for r in rows {
            keys.entry(UserId::new(r.text(0)?))
                .or_default()
                .push(r.text(1)?);
        }
        Ok(keys)
    })
}

pub fn run(svc: &Service, letter: &Path) -> Result<ExitCode, ApiError> {
    let bytes = std::fs::read(letter).map_err(|e| {
        ApiError::bad_request(
            "cli.read_file",
            format!(
                "无法读取文件{}：{e}。请检查路径是否正确。",
                letter.display()
            ),
        )
    })?;
    let result = verify_pdf(&bytes, &registry(svc)?);
    println!("文件：{}", letter.display());
    println!("{}", result.report_zh());
    Ok(ExitCode::from(result.verdict.exit_code() as u8))
}
