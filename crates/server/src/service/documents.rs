//! Signed reply documents, stored content-addressed on disk
//! (`DATA_DIR/documents/ab/abcdef…`) and linked to their assignment in the
//! database. Uploading the same bytes again changes nothing.
//!
//! Only a reply's kinds of document are kept, each within a size cap and
//! the assignment within a quota (`jianban_protocol::documents`, the rule
//! the desktop checks too).

use std::io::Write;
use std::path::PathBuf;

use sha2::{Digest, Sha256};

use jianban_domain::UserRole;
use jianban_protocol::documents::{check_case_quota, check_document, DocumentRefusal};
use jianban_protocol::DocumentReceipt;

use crate::error::{ApiError, ApiResult};
use crate::params;
use crate::service::cases::load;
use crate::service::{fmt_time, Caller, Service};

fn valid_sha(s: &str) -> bool {
    s.len() == 64
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// A refused document as the API answers it: too large → 413, the rest 400.
fn refusal(r: DocumentRefusal) -> ApiError {
    match r {
        DocumentRefusal::TooLarge { .. } | DocumentRefusal::CaseQuota { .. } => {
            ApiError::TooLarge {
                code: r.code(),
                message: r.to_string(),
            }
        }
        _ => ApiError::bad_request(r.code(), r.to_string()),
    }
}

/// Whether `size` more bytes fit the assignment's quota. The same document
/// uploaded again takes nothing more.
fn within_quota(
    tx: &mut dyn crate::db::Tx,
    assignment_id: &str,
    sha: &str,
    size: u64,
) -> ApiResult<()> {
    let again = tx
        .query_opt(
            "SELECT 1 FROM documents WHERE sha256 = $1 AND assignment_id = $2",
            params![sha, assignment_id],
        )?
        .is_some();
    if again {
        return Ok(());
    }
    let used = tx
        .query_opt(
            "SELECT CAST(COALESCE(SUM(size), 0) AS BIGINT) FROM documents WHERE assignment_id = $1",
            params![assignment_id],
        )?
        .map(|r| r.int(0))
        .transpose()?
        .unwrap_or(0);
    check_case_quota(used.max(0) as u64, size).map_err(refusal)
}

impl Service {
    fn document_path(&self, sha: &str) -> PathBuf {
        self.data_dir.join("documents").join(&sha[..2]).join(sha)
    }

    pub fn put_document(
        &self,
        caller: &Caller,
        sha: &str,
        assignment_id: &str,
        bytes: &[u8],
    ) -> ApiResult<DocumentReceipt> {
        if !valid_sha(sha) {
            return Err(ApiError::bad_request(
                "document.bad_hash",
                "文件校验值须为64位小写十六进制SHA-256，请检查上传地址。",
            ));
        }
        let actual = hex::encode(Sha256::digest(bytes));
        if actual != sha {
            return Err(ApiError::bad_request(
                "document.hash_mismatch",
                "上传的文件与校验值不符，文件可能在传输中损坏，请重新上传。",
            ));
        }
        let kind = check_document(bytes).map_err(refusal)?;
        let st = self
            .db
            .read(|tx| load(tx, assignment_id))?
            .ok_or_else(|| ApiError::NotFound(format!("交办记录{assignment_id}")))?;
        if caller.actor.role == UserRole::OfficeStaff
            || caller.actor.unit.as_ref() != Some(&st.assignment.unit_id)
        {
            return Err(ApiError::Forbidden(
                "只有本案件承办单位的人员可以上传答复文件。".into(),
            ));
        }
        // Checked before the file is written (a refused one never takes
        // disk space) and again in the transaction that links it (two
        // uploads at once cannot both squeeze under the quota).
        let size = bytes.len() as u64;
        self.db
            .read(|tx| within_quota(tx, assignment_id, sha, size))?;
        let path = self.document_path(sha);
        if !path.exists() {
            let dir = path.parent().expect("document path has a parent");
            std::fs::create_dir_all(dir).map_err(|e| ApiError::Internal(e.to_string()))?;
            // Write aside and rename: a crash never leaves a partial file
            // under the final name.
            let tmp = dir.join(format!("{sha}.{}.tmp", uuid::Uuid::new_v4()));
            let mut f =
                std::fs::File::create(&tmp).map_err(|e| ApiError::Internal(e.to_string()))?;
            f.write_all(bytes)
                .and_then(|_| f.sync_all())
                .map_err(|e| ApiError::Internal(e.to_string()))?;
            std::fs::rename(&tmp, &path).map_err(|e| ApiError::Internal(e.to_string()))?;
        }
        let now = self.now();
        let created = self.db.write(|tx| -> ApiResult<bool> {
            within_quota(tx, assignment_id, sha, size)?;
            let exists = tx
                .query_opt(
                    "SELECT sha256 FROM documents WHERE sha256 = $1 AND assignment_id = $2",
                    params![sha, assignment_id],
                )?
                .is_some();
            if !exists {
                tx.exec(
                    "INSERT INTO documents (sha256, assignment_id, unit_id, size, uploaded_by, uploaded_at)
                     VALUES ($1, $2, $3, $4, $5, $6)",
                    params![
                        sha,
                        assignment_id,
                        st.assignment.unit_id.as_str(),
                        bytes.len() as i64,
                        caller.actor.user.as_str(),
                        fmt_time(now)
                    ],
                )?;
                crate::service::cases::audit(
                    tx,
                    &crate::service::cases::AuditRecord {
                        at: now,
                        actor: &caller.actor,
                        assignment_id: Some(assignment_id),
                        action: "upload_document",
                        detail: serde_json::json!({ "sha256": sha, "size": bytes.len(), "kind": kind.code() }),
                        before: None,
                        after: None,
                    },
                )?;
            }
            Ok(!exists)
        })?;
        Ok(DocumentReceipt {
            sha256: sha.to_string(),
            size: bytes.len() as u64,
            assignment_id: assignment_id.to_string(),
            created,
        })
    }

    /// The document's bytes, for the unit that uploaded it and the office.
    pub fn get_document(&self, caller: &Caller, sha: &str) -> ApiResult<Vec<u8>> {
        if !valid_sha(sha) {
            return Err(ApiError::bad_request(
                "document.bad_hash",
                "文件校验值须为64位小写十六进制SHA-256，请检查下载地址。",
            ));
        }
        let units = self.db.read(|tx| {
            tx.query(
                "SELECT unit_id FROM documents WHERE sha256 = $1",
                params![sha],
            )
        })?;
        if units.is_empty() {
            return Err(ApiError::NotFound("文件".into()));
        }
        let mut allowed = caller.is_office();
        for r in &units {
            allowed |= caller.sees_unit(&r.text(0)?);
        }
        if !allowed {
            return Err(ApiError::Forbidden("您无权查看其他单位的答复文件。".into()));
        }
        std::fs::read(self.document_path(sha)).map_err(|e| ApiError::Internal(e.to_string()))
    }
}
