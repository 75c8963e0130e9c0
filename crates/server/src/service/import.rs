//! Importing a session's suggestions from `.xlsx` or CSV.
//!
//! Layout: the first row holds the column names below (any order); every
//! other non-empty row is one suggestion.
//!
//! | column | required | content |
//! |---|---|---|
//! | 建议号 | yes | positive whole number, unique in the session |
//! | 标题 | yes | one line |
//! | 领衔代表 | yes | the lead deputy's name |
//! | 代表团 | no | the lead deputy's delegation |
//! | 附议代表 | no | names separated by 、 , ， ; or ； |
//! | 内容 | no | the suggestion's text |
//! | 重点建议 | no | 是/否 (also Y/N, 1/0, empty = 否) |
//! | 急办 | no | 是/否 |
//!
//! Nothing is imported when any row is bad, unless `skip_bad_rows`, which
//! imports the good rows and reports the others.

use std::collections::{BTreeMap, HashSet};

use serde_json::json;
use sha2::{Digest, Sha256};

use jianban_domain::validate::check_required_line;
use jianban_domain::*;
use jianban_protocol::{Entity, ImportQuery, ImportReport, RowError};

use crate::db::Tx;
use crate::error::{ApiError, ApiResult};
use crate::params;
use crate::service::cases::{audit, AuditRecord};
use crate::service::changes::{emit, EVERYONE, OFFICE};
use crate::service::Service;

/// The column names, shared with the desktop's preview.
pub use jianban_stats::xlsx_in::SUGGESTION_COLUMNS as COLUMNS;
/// Row errors reported in full; beyond this only the count is told.
const MAX_REPORTED: usize = 200;

/// One parsed, checked row.
struct Row {
    line: u32,
    number: u32,
    title: String,
    lead: String,
    delegation: String,
    co_signers: Vec<String>,
    text: String,
    is_key: bool,
    is_urgent: bool,
}

/// The file as a table of text cells, each row with its row number as
/// Excel or a text editor shows it (header first).
fn read_table(bytes: &[u8]) -> ApiResult<Vec<(u32, Vec<String>)>> {
    if bytes.starts_with(b"PK\x03\x04") {
        return jianban_stats::read_first_sheet(bytes).map_err(shared_error);
    }
    let text = std::str::from_utf8(bytes).map_err(|_| ApiError::Import {
        code: "import.encoding",
        message: "CSV文件不是UTF-8编码。请在Excel中“另存为”选择“CSV UTF-8（逗号分隔）”后重新导入。"
            .into(),
        errors: vec![],
    })?;
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for (i, rec) in reader.records().enumerate() {
        let rec = rec.map_err(|e| ApiError::Import {
            code: "import.unreadable",
            message: format!("CSV第{}行无法解析：{e}。请检查引号是否成对。", i + 1),
            errors: vec![RowError {
                row: i as u32 + 1,
                column: None,
                message: e.to_string(),
            }],
        })?;
        rows.push((i as u32 + 1, rec.iter().map(str::to_string).collect()));
    }
    Ok(rows)
}

fn row_error(i: &jianban_stats::RowIssue) -> RowError {
    RowError {
        row: i.row,
        column: i.column.clone(),
        message: i.message.clone(),
    }
}

/// A whole-file refusal from the shared rules.
fn shared_error(e: jianban_stats::ImportError) -> ApiError {
    match e {
        jianban_stats::ImportError::Empty(_) => empty(),
        e => ApiError::Import {
            code: e.code(),
            message: e.to_string(),
            errors: e.issues().iter().map(row_error).collect(),
        },
    }
}

fn empty() -> ApiError {
    ApiError::Import {
        code: "import.empty",
        message: "文件中没有建议：第一行应为列名，从第二行起每行一件建议。".into(),
        errors: vec![],
    }
}

fn deputy_id(name: &str, delegation: &str) -> DeputyId {
    let digest = Sha256::digest(format!("{name}\u{1f}{delegation}").as_bytes());
    DeputyId::new(format!("dep-{}", &hex::encode(digest)[..16]))
}

/// The deputy with this name (and delegation, when given), created if new.
fn deputy(
    tx: &mut dyn Tx,
    name: &str,
    delegation: &str,
    created: &mut BTreeMap<String, Deputy>,
) -> ApiResult<DeputyId> {
    let found = if delegation.is_empty() {
        tx.query_opt(
            "SELECT id FROM deputies WHERE name = $1 ORDER BY id LIMIT 1",
            params![name],
        )?
    } else {
        tx.query_opt(
            "SELECT id FROM deputies WHERE name = $1 AND delegation = $2",
            params![name, delegation],
        )?
    };
    if let Some(r) = found {
        return Ok(DeputyId::new(r.text(0)?));
    }
    let id = deputy_id(name, delegation);
    tx.exec(
        "INSERT INTO deputies (id, name, delegation) VALUES ($1, $2, $3)",
        params![id.as_str(), name, delegation],
    )?;
    created.insert(
        id.to_string(),
        Deputy {
            id: id.clone(),
            name: name.to_string(),
            delegation: delegation.to_string(),
        },
    );
    Ok(id)
}

impl Service {
    pub fn import_suggestions(
        &self,
        actor: &Actor,
        q: &ImportQuery,
        bytes: &[u8],
    ) -> ApiResult<ImportReport> {
        if actor.role != UserRole::OfficeStaff {
            return Err(ApiError::Forbidden(
                "只有市政府办公室工作人员可以导入建议。".into(),
            ));
        }
        check_required_line("会议编号", &q.session_id)?;
        // The rules of a row are the ones the desktop's preview and
        // `POST /v1/import/xlsx` use (jianban-stats), for CSV and .xlsx alike.
        let parsed =
            jianban_stats::parse_suggestion_table(read_table(bytes)?).map_err(shared_error)?;
        let bad: Vec<RowError> = parsed.issues.iter().map(row_error).collect();
        let mut good: Vec<Row> = parsed
            .rows
            .into_iter()
            .map(|r| Row {
                line: r.row,
                number: r.number,
                title: r.title,
                lead: r.lead_deputy,
                delegation: r.delegation,
                co_signers: r.co_signers,
                text: r.text,
                is_key: r.is_key,
                is_urgent: r.is_urgent,
            })
            .collect();
        if good.is_empty() && bad.is_empty() {
            return Err(empty());
        }
        let now = self.now();
        self.db.write(|tx| -> ApiResult<ImportReport> {
            let session = tx.query_opt(
                "SELECT id FROM sessions WHERE id = $1",
                params![&q.session_id],
            )?;
            if session.is_none() {
                let (Some(name), Some(year)) = (&q.session_name, q.year) else {
                    return Err(ApiError::bad_request(
                        "import.unknown_session",
                        format!(
                            "会议“{}”尚不存在：首次导入时请同时填写会议名称（session_name）和年份（year）。",
                            q.session_id
                        ),
                    ));
                };
                check_required_line("会议名称", name)?;
                tx.exec(
                    "INSERT INTO sessions (id, name, year) VALUES ($1, $2, $3)",
                    params![&q.session_id, name, year as i64],
                )?;
                let s = Session {
                    id: SessionId::new(&q.session_id),
                    name: name.clone(),
                    year,
                };
                emit(tx, Entity::Session, &q.session_id, EVERYONE, &s)?;
            }
            let existing: HashSet<i64> = tx
                .query(
                    "SELECT number FROM suggestions WHERE session_id = $1",
                    params![&q.session_id],
                )?
                .iter()
                .map(|r| r.int(0))
                .collect::<Result<_, _>>()?;
            let mut bad = bad;
            good.retain(|r| {
                if existing.contains(&(r.number as i64)) {
                    bad.push(RowError {
                        row: r.line,
                        column: Some("建议号".into()),
                        message: format!("第{}号建议已导入过", r.number),
                    });
                    false
                } else {
                    true
                }
            });
            bad.sort_by_key(|e| e.row);
            if !bad.is_empty() && !q.skip_bad_rows {
                let total = bad.len();
                bad.truncate(MAX_REPORTED);
                let first = &bad[0];
                return Err(ApiError::Import {
                    code: "import.bad_rows",
                    message: format!(
                        "有{total}处错误，未导入任何建议。第一处：第{}行“{}”列：{}。请修改后重新导入，或选择跳过错误行。",
                        first.row,
                        first.column.clone().unwrap_or_default(),
                        first.message
                    ),
                    errors: bad,
                });
            }
            let mut created = BTreeMap::new();
            let mut ids = Vec::new();
            for r in &good {
                let lead = deputy(tx, &r.lead, &r.delegation, &mut created)?;
                let mut co = Vec::new();
                for name in &r.co_signers {
                    co.push(deputy(tx, name, "", &mut created)?);
                }
                let s = Suggestion {
                    id: SuggestionId::new(format!("{}-{}", q.session_id, r.number)),
                    session_id: SessionId::new(&q.session_id),
                    number: r.number,
                    title: r.title.clone(),
                    text: r.text.clone(),
                    lead_deputy: lead,
                    co_signers: co,
                    is_key: r.is_key,
                    is_urgent: r.is_urgent,
                };
                insert_suggestion(tx, &s)?;
                ids.push(s.id.to_string());
            }
            for d in created.values() {
                emit(tx, Entity::Deputy, d.id.as_str(), OFFICE, d)?;
            }
            audit(
                tx,
                &AuditRecord::without_assignment(
                    now,
                    actor,
                    "import_suggestions",
                    json!({ "session_id": q.session_id, "imported": ids.len(), "skipped": bad.len() }),
                ),
            )?;
            bad.truncate(MAX_REPORTED);
            Ok(ImportReport {
                session_id: q.session_id.clone(),
                imported: ids.len() as u32,
                skipped: bad,
                suggestion_ids: ids,
            })
        })
    }
}

/// Stores a suggestion and tells the office's feed.
pub fn insert_suggestion(tx: &mut dyn Tx, s: &Suggestion) -> ApiResult<()> {
    tx.exec(
        "INSERT INTO suggestions (id, session_id, number, title, data) VALUES ($1, $2, $3, $4, $5)",
        params![
            s.id.as_str(),
            s.session_id.as_str(),
            s.number,
            &s.title,
            serde_json::to_string(s).map_err(crate::db::DbError::from)?
        ],
    )?;
    emit(tx, Entity::Suggestion, s.id.as_str(), OFFICE, s)?;
    Ok(())
}
