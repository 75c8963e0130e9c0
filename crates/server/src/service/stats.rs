//! Statistics, the year's report, the ledger and the figures workbook, and
//! the `.xlsx` imports, over the server's database. The numbers and the
//! files come from `jianban-stats` (the desktop runs the same code); this
//! module only loads the rows, decides whose figures a caller may see, and
//! writes imports through the existing services.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use serde_json::json;

use jianban_domain::*;
use jianban_protocol::{
    ImportQuery, ReportDraft, RowError, StatsQuery, XlsxImportKind, XlsxImportQuery,
    XlsxImportReport,
};
use jianban_stats::{
    first_reply_days, CaseRow, Figures, ReportContext, RowIssue, Scope, StateFact,
};

use crate::db::{DbError, Tx, Val};
use crate::error::{ApiError, ApiResult};
use crate::params;
use crate::service::cases::CommandError;
use crate::service::Service;

/// The session the figures are about.
struct SessionInfo {
    id: String,
    name: String,
    year: i32,
    /// Every suggestion filed at the session (the report's 代表建议总数).
    suggestions: u64,
}

fn no_session() -> ApiError {
    ApiError::NotFound("会议（请先导入代表建议）".into())
}

fn session(tx: &mut dyn Tx, id: Option<&str>) -> ApiResult<SessionInfo> {
    let row = match id {
        Some(id) => tx.query_opt(
            "SELECT id, name, year FROM sessions WHERE id = $1",
            params![id],
        )?,
        None => tx.query_opt(
            "SELECT id, name, year FROM sessions ORDER BY year DESC, id DESC LIMIT 1",
            &[],
        )?,
    };
    let row = row.ok_or_else(no_session)?;
    let id = row.text(0)?;
    let suggestions = tx
        .query_one(
            "SELECT COUNT(*) FROM suggestions WHERE session_id = $1",
            params![&id],
        )?
        .int(0)? as u64;
    Ok(SessionInfo {
        name: row.text(1)?,
        year: row.int(2)? as i32,
        id,
        suggestions,
    })
}

/// One row per assignment of the session (of one unit, when given), with
/// the day each unit first sent its reply: `jianban_stats::first_reply_day`
/// over the audit log's state facts (the desktop feeds the same function).
fn case_rows(tx: &mut dyn Tx, session_id: &str, unit: Option<&str>) -> ApiResult<Vec<CaseRow>> {
    let mut args: Vec<Val> = vec![session_id.into()];
    let mut filter = String::from("s.session_id = $1");
    if let Some(u) = unit {
        args.push(u.into());
        filter += " AND a.unit_id = $2";
    }
    let deputies: HashMap<String, String> = tx
        .query("SELECT id, name FROM deputies", &[])?
        .iter()
        .map(|r| Ok((r.text(0)?, r.text(1)?)))
        .collect::<Result<_, DbError>>()?;
    let state = |code: Option<String>| -> Result<Option<CaseState>, DbError> {
        code.map(|c| {
            CaseState::from_code(&c).ok_or_else(|| DbError::Decode(format!("unknown state {c}")))
        })
        .transpose()
    };
    let facts = tx
        .query(
            &format!(
                "SELECT l.assignment_id, l.at, l.state_before, l.state_after FROM audit_log l
                   JOIN assignments a ON a.id = l.assignment_id JOIN suggestions s ON s.id = a.suggestion_id
                  WHERE l.state_after IS NOT NULL AND {filter} ORDER BY l.seq"
            ),
            &args,
        )?
        .iter()
        .map(|r| {
            let at = r.text(1)?;
            let day = at
                .get(..10)
                .and_then(|d| d.parse::<NaiveDate>().ok())
                .ok_or_else(|| DbError::Decode(format!("audit time {at}")))?;
            let fact = StateFact {
                day,
                before: state(r.opt_text(2)?)?,
                after: state(r.opt_text(3)?)?,
            };
            Ok((r.text(0)?, fact))
        })
        .collect::<Result<Vec<_>, DbError>>()?;
    let replied: HashMap<String, NaiveDate> = first_reply_days(facts);
    let rows = tx.query(
        &format!(
            "SELECT a.assignment_json, a.case_json, u.name, s.data
               FROM assignments a JOIN suggestions s ON s.id = a.suggestion_id JOIN units u ON u.id = a.unit_id
              WHERE {filter} ORDER BY a.id"
        ),
        &args,
    )?;
    rows.iter()
        .map(|r| {
            let assignment: Assignment = r.json(0)?;
            let suggestion: Suggestion = r.json(3)?;
            Ok(CaseRow {
                replied_on: replied.get(assignment.id.as_str()).copied(),
                case: r.json(1)?,
                unit_name: r.text(2)?,
                suggestion_number: suggestion.number,
                lead_deputy: deputies
                    .get(suggestion.lead_deputy.as_str())
                    .cloned()
                    .unwrap_or_default(),
                suggestion_title: suggestion.title,
                is_key: suggestion.is_key,
                assignment,
            })
        })
        .collect()
}

/// Whose figures the caller asked for, and may see.
fn scope(tx: &mut dyn Tx, actor: &Actor, unit: Option<&str>) -> ApiResult<Scope> {
    let unit = match (actor.role, unit, actor.unit.as_ref()) {
        (UserRole::OfficeStaff, None, _) => return Ok(Scope::City),
        (UserRole::OfficeStaff, Some(u), _) => u.to_string(),
        (_, Some(u), Some(own)) if u != own.as_str() => {
            return Err(ApiError::Forbidden(
                "您只能查看本单位的统计和台账；全市统计请联系市政府办公室。".into(),
            ))
        }
        (_, _, Some(own)) => own.to_string(),
        (_, _, None) => {
            return Err(ApiError::Forbidden(
                "您的账号未关联承办单位，无法查看统计，请联系管理员。".into(),
            ))
        }
    };
    let name = tx
        .query_opt("SELECT name FROM units WHERE id = $1", params![&unit])?
        .ok_or_else(|| ApiError::NotFound(format!("承办单位“{unit}”")))?
        .text(0)?;
    Ok(Scope::Unit {
        unit_id: unit,
        unit_name: name,
    })
}

/// How many years after its own a session's figures can be asked for: its
/// last re-handled and evaluated cases close within that.
const AS_OF_YEARS_AFTER: i32 = 5;

/// The figures' date must fall in the session's year or the few after it:
/// any other date is a mistake, and one centuries away only costs work.
fn check_as_of(as_of: NaiveDate, session_year: i32) -> ApiResult<()> {
    let last = session_year + AS_OF_YEARS_AFTER;
    if (session_year..=last).contains(&as_of.year()) {
        return Ok(());
    }
    Err(ApiError::BadRequest {
        code: "stats.as_of",
        message: format!(
            "统计截止日期{as_of}不在本届次的统计范围内，请选择{session_year}年至{last}年之间的日期。"
        ),
    })
}

/// Everything one stats request needs, read in one snapshot.
struct Loaded {
    session: SessionInfo,
    scope: Scope,
    rows: Vec<CaseRow>,
    as_of: NaiveDate,
}

fn xlsx_error(e: jianban_stats::StatsError) -> ApiError {
    ApiError::Internal(e.to_string())
}

fn row_error(i: &RowIssue) -> RowError {
    RowError {
        row: i.row,
        column: i.column.clone(),
        message: i.message.clone(),
    }
}

fn bad_rows(issues: &[RowIssue], what: &str) -> ApiError {
    let first = &issues[0];
    ApiError::Import {
        code: "import.bad_rows",
        message: format!(
            "有{}处错误，未导入任何{what}。第一处：{first}。请在Excel中改正后重新导入整个文件。",
            issues.len()
        ),
        errors: issues.iter().map(row_error).collect(),
    }
}

impl Service {
    fn load_stats(&self, actor: &Actor, q: &StatsQuery) -> ApiResult<Loaded> {
        let as_of = q.as_of.unwrap_or_else(|| self.now().date());
        self.db.read(|tx| -> ApiResult<Loaded> {
            let scope = scope(tx, actor, q.unit.as_deref())?;
            let session = session(tx, q.session_id.as_deref())?;
            let unit = match &scope {
                Scope::City => None,
                Scope::Unit { unit_id, .. } => Some(unit_id.as_str()),
            };
            check_as_of(as_of, session.year)?;
            let rows = case_rows(tx, &session.id, unit)?;
            Ok(Loaded {
                session,
                scope,
                rows,
                as_of,
            })
        })
    }

    fn figures_of(&self, l: &Loaded) -> Figures {
        Figures::compute(&l.rows, l.scope.clone(), l.as_of, &self.calendar())
    }

    /// `GET /v1/stats`.
    pub fn stats(&self, actor: &Actor, q: &StatsQuery) -> ApiResult<Figures> {
        let l = self.load_stats(actor, q)?;
        Ok(self.figures_of(&l))
    }

    /// `GET /v1/stats/report`.
    pub fn stats_report(&self, actor: &Actor, q: &StatsQuery) -> ApiResult<ReportDraft> {
        let l = self.load_stats(actor, q)?;
        let f = self.figures_of(&l);
        let system = match &l.scope {
            Scope::City => "市政府系统".to_string(),
            Scope::Unit { unit_name, .. } => unit_name.clone(),
        };
        let mut ctx =
            ReportContext::new(q.year.unwrap_or(l.session.year), &system, &l.session.name);
        if l.scope == Scope::City {
            ctx.session_total = Some(l.session.suggestions);
        }
        Ok(ReportDraft {
            session_id: l.session.id.clone(),
            as_of: l.as_of,
            text: jianban_stats::report_text(&f, &ctx),
        })
    }

    fn heading(l: &Loaded, what: &str) -> String {
        let who = match &l.scope {
            Scope::City => "市政府系统",
            Scope::Unit { unit_name, .. } => unit_name,
        };
        format!("{who}{}代表建议{what}", l.session.name)
    }

    /// `GET /v1/stats/ledger.xlsx`: the scope's cases as a ledger (台账).
    pub fn stats_ledger(&self, actor: &Actor, q: &StatsQuery) -> ApiResult<Vec<u8>> {
        let l = self.load_stats(actor, q)?;
        jianban_stats::ledger_xlsx(
            &l.rows,
            &Self::heading(&l, "办理台账"),
            l.as_of,
            &self.calendar(),
        )
        .map_err(xlsx_error)
    }

    /// `GET /v1/stats/figures.xlsx`.
    pub fn stats_figures_xlsx(&self, actor: &Actor, q: &StatsQuery) -> ApiResult<Vec<u8>> {
        let l = self.load_stats(actor, q)?;
        let f = self.figures_of(&l);
        jianban_stats::figures_xlsx(&f, &Self::heading(&l, "办理情况统计")).map_err(xlsx_error)
    }

    /// `POST /v1/import/xlsx`: the office's suggestion list or the deputies'
    /// evaluations. Any bad row refuses the whole file.
    pub fn import_xlsx(
        &self,
        actor: &Actor,
        q: &XlsxImportQuery,
        bytes: &[u8],
    ) -> ApiResult<XlsxImportReport> {
        if actor.role != UserRole::OfficeStaff {
            return Err(ApiError::Forbidden(
                "只有市政府办公室工作人员可以导入Excel。".into(),
            ));
        }
        let parse_err = |e: jianban_stats::ImportError| ApiError::Import {
            code: e.code(),
            message: e.to_string(),
            errors: e.issues().iter().map(row_error).collect(),
        };
        match q.kind {
            XlsxImportKind::Suggestions => {
                // The one suggestion import writes them, with the row rules
                // it shares with the desktop's preview (jianban-stats).
                if !bytes.starts_with(b"PK\x03\x04") {
                    return Err(parse_err(jianban_stats::ImportError::Unreadable(
                        "不是.xlsx文件".into(),
                    )));
                }
                let Some(session_id) = q.session_id.clone() else {
                    return Err(ApiError::bad_request(
                        "import.session_required",
                        "导入建议时请指定会议编号（session_id），如2024-s6-3。",
                    ));
                };
                let report = self.import_suggestions(
                    actor,
                    &ImportQuery {
                        session_id,
                        session_name: q.session_name.clone(),
                        year: q.year,
                        skip_bad_rows: false,
                    },
                    bytes,
                )?;
                Ok(XlsxImportReport {
                    kind: q.kind,
                    session_id: report.session_id,
                    imported: report.imported,
                    ids: report.suggestion_ids,
                })
            }
            XlsxImportKind::Evaluations => {
                let parsed = jianban_stats::parse_evaluations(bytes).map_err(parse_err)?;
                self.import_evaluations(actor, q.session_id.as_deref(), parsed)
            }
        }
    }

    /// Records every evaluation in one transaction, each through the same
    /// office action as `POST /v1/office/assignments/{id}/evaluation`;
    /// a row the rules refuse refuses the file.
    fn import_evaluations(
        &self,
        actor: &Actor,
        session_id: Option<&str>,
        parsed: jianban_stats::Parsed<jianban_stats::EvaluationRow>,
    ) -> ApiResult<XlsxImportReport> {
        let now = self.now();
        self.db.write(|tx| -> ApiResult<XlsxImportReport> {
            let session = session(tx, session_id)?;
            let mut issues = parsed.issues.clone();
            let mut ids = Vec::new();
            for r in &parsed.rows {
                let issue = |message: String| RowIssue {
                    row: r.row,
                    column: None,
                    message,
                };
                let found = tx.query_opt(
                    "SELECT a.id, a.role FROM assignments a
                       JOIN suggestions s ON s.id = a.suggestion_id JOIN units u ON u.id = a.unit_id
                      WHERE s.session_id = $1 AND s.number = $2 AND u.name = $3",
                    params![&session.id, r.suggestion_number, &r.unit_name],
                )?;
                let Some(found) = found else {
                    issues.push(issue(format!(
                        "{}第{}号建议没有交由“{}”办理，请核对建议号和承办单位全称",
                        session.name, r.suggestion_number, r.unit_name
                    )));
                    continue;
                };
                let id = found.text(0)?;
                if crate::service::office::stored_role(&found.text(1)?)? == HandlingRole::CoHandler
                {
                    issues.push(issue(format!(
                        "“{}”是第{}号建议的协办单位，不直接答复代表，请填写主办或分办单位",
                        r.unit_name, r.suggestion_number
                    )));
                    continue;
                }
                let action = Action::RecordEvaluation {
                    evaluation: r.evaluation,
                };
                let detail = json!({
                    "evaluation": r.evaluation,
                    "deputy": r.deputy,
                    "note": r.note,
                    "source": "xlsx",
                });
                match self.transition(tx, actor, now, &id, &action, action.code(), detail) {
                    Ok(_) => ids.push(id),
                    Err(CommandError::Db(e)) => return Err(e.into()),
                    Err(e) => issues.push(issue(format!(
                        "第{}号建议（{}）：{}请先确认该单位已答复，再导入评价",
                        r.suggestion_number, r.unit_name, e
                    ))),
                }
            }
            if !issues.is_empty() {
                issues.sort_by_key(|i| i.row);
                // Returning an error rolls the whole transaction back.
                return Err(bad_rows(&issues, "评价"));
            }
            Ok(XlsxImportReport {
                kind: XlsxImportKind::Evaluations,
                session_id: session.id,
                imported: ids.len() as u32,
                ids,
            })
        })
    }
}
