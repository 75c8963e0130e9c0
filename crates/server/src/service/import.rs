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

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Cursor;

use calamine::{Data, Reader};
use serde_json::json;
use sha2::{Digest, Sha256};

use jianban_domain::validate::{check_required_line, check_text};
use jianban_domain::*;
use jianban_protocol::{Entity, ImportQuery, ImportReport, RowError};

use crate::db::Tx;
use crate::error::{ApiError, ApiResult};
use crate::params;
use crate::service::cases::{audit, AuditRecord};
use crate::service::changes::{emit, EVERYONE, OFFICE};
use crate::service::Service;

pub const COLUMNS: [&str; 8] = [
    "建议号",
    "标题",
    "领衔代表",
    "代表团",
    "附议代表",
    "内容",
    "重点建议",
    "急办",
];
const REQUIRED: [&str; 3] = ["建议号", "标题", "领衔代表"];
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

/// The file as a table of text cells, header first.
fn read_table(bytes: &[u8]) -> ApiResult<Vec<Vec<String>>> {
    if bytes.starts_with(b"PK\x03\x04") {
        let mut book = calamine::open_workbook_auto_from_rs(Cursor::new(bytes)).map_err(|e| {
            ApiError::Import {
                code: "import.unreadable",
                message: format!("无法读取Excel文件：{e}。请确认文件为.xlsx格式且未加密。"),
                errors: vec![],
            }
        })?;
        let range =
            book.worksheet_range_at(0)
                .ok_or_else(empty)?
                .map_err(|e| ApiError::Import {
                    code: "import.unreadable",
                    message: format!("无法读取第一个工作表：{e}。"),
                    errors: vec![],
                })?;
        return Ok(range
            .rows()
            .map(|r| r.iter().map(cell_text).collect())
            .collect());
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
        rows.push(rec.iter().map(str::to_string).collect());
    }
    Ok(rows)
}

fn cell_text(c: &Data) -> String {
    match c {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        other => other.to_string(),
    }
}

fn empty() -> ApiError {
    ApiError::Import {
        code: "import.empty",
        message: "文件中没有建议：第一行应为列名，从第二行起每行一件建议。".into(),
        errors: vec![],
    }
}

fn flag(v: &str) -> Option<bool> {
    match v.trim() {
        "" | "否" | "N" | "n" | "0" | "FALSE" | "false" => Some(false),
        "是" | "Y" | "y" | "1" | "TRUE" | "true" => Some(true),
        _ => None,
    }
}

/// Finds the columns; unknown, missing or repeated names are refused whole.
fn columns(header: &[String]) -> ApiResult<HashMap<&'static str, usize>> {
    let mut map = HashMap::new();
    let mut errors = Vec::new();
    for (i, name) in header.iter().enumerate() {
        let name = name.trim();
        if name.is_empty() {
            continue;
        }
        match COLUMNS.iter().find(|c| **c == name) {
            Some(c) if map.insert(*c, i).is_some() => errors.push(RowError {
                row: 1,
                column: Some(name.to_string()),
                message: format!("列“{name}”重复出现"),
            }),
            Some(_) => {}
            None => errors.push(RowError {
                row: 1,
                column: Some(name.to_string()),
                message: format!("未知的列“{name}”"),
            }),
        }
    }
    for r in REQUIRED {
        if !map.contains_key(r) {
            errors.push(RowError {
                row: 1,
                column: Some(r.to_string()),
                message: format!("缺少必填列“{r}”"),
            });
        }
    }
    if errors.is_empty() {
        return Ok(map);
    }
    Err(ApiError::Import {
        code: "import.columns",
        message: format!(
            "列名不符合导入格式：{}。第一行须为列名：{}（前三列必填）。",
            errors
                .iter()
                .map(|e| e.message.clone())
                .collect::<Vec<_>>()
                .join("；"),
            COLUMNS.join("、")
        ),
        errors,
    })
}

fn parse_row(
    line: u32,
    cells: &[String],
    cols: &HashMap<&'static str, usize>,
) -> Result<Row, Vec<RowError>> {
    let get = |c: &str| {
        cols.get(c)
            .and_then(|i| cells.get(*i))
            .map(|s| s.trim().to_string())
            .unwrap_or_default()
    };
    let mut errors = Vec::new();
    let mut err = |column: &str, message: String| {
        errors.push(RowError {
            row: line,
            column: Some(column.to_string()),
            message,
        })
    };
    let number_text = get("建议号");
    let number = match number_text
        .trim_start_matches('第')
        .trim_end_matches('号')
        .parse::<u32>()
    {
        Ok(n) if n > 0 => n,
        _ => {
            err("建议号", format!("“{number_text}”不是正整数"));
            0
        }
    };
    for (col, required) in [("标题", true), ("领衔代表", true), ("代表团", false)] {
        let v = get(col);
        let checked = if required {
            check_required_line(col, &v)
        } else {
            jianban_domain::validate::check_line(col, &v)
        };
        if let Err(e) = checked {
            err(col, e.to_string());
        }
    }
    let text = get("内容");
    if let Err(e) = check_text("内容", &text) {
        err("内容", e.to_string());
    }
    let co_signers: Vec<String> = get("附议代表")
        .split(['、', ',', '，', ';', '；'])
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect();
    for c in &co_signers {
        if let Err(e) = check_required_line("附议代表", c) {
            err("附议代表", e.to_string());
        }
    }
    let mut flags = [false; 2];
    for (i, col) in ["重点建议", "急办"].iter().enumerate() {
        match flag(&get(col)) {
            Some(v) => flags[i] = v,
            None => err(col, format!("“{}”应为“是”或“否”", get(col))),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(Row {
        line,
        number,
        title: get("标题"),
        lead: get("领衔代表"),
        delegation: get("代表团"),
        co_signers,
        text,
        is_key: flags[0],
        is_urgent: flags[1],
    })
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
        let table = read_table(bytes)?;
        let mut rows = table.iter().enumerate();
        let header = loop {
            match rows.next() {
                Some((_, r)) if r.iter().all(|c| c.trim().is_empty()) => continue,
                Some((_, r)) => break r,
                None => return Err(empty()),
            }
        };
        let cols = columns(header)?;
        let mut good = Vec::new();
        let mut bad = Vec::new();
        let mut seen = HashSet::new();
        for (i, cells) in rows {
            if cells.iter().all(|c| c.trim().is_empty()) {
                continue;
            }
            let line = i as u32 + 1;
            match parse_row(line, cells, &cols) {
                Ok(row) if !seen.insert(row.number) => bad.push(RowError {
                    row: line,
                    column: Some("建议号".into()),
                    message: format!("第{}号在文件中重复出现", row.number),
                }),
                Ok(row) => good.push(row),
                Err(errors) => bad.extend(errors),
            }
        }
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
                &AuditRecord {
                    at: now,
                    actor,
                    assignment_id: None,
                    action: "import_suggestions",
                    detail: json!({ "session_id": q.session_id, "imported": ids.len(), "skipped": bad.len() }),
                    before: None,
                    after: None,
                },
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
