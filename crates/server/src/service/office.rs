//! The office's side of the workflow: assignment, decisions on the units'
//! requests, supervision, review, evaluation, the calendar, and queries.

use std::collections::HashSet;

use chrono::NaiveDate;
use serde_json::json;

use jianban_domain::calendar::CalendarFile;
use jianban_domain::*;
use jianban_protocol::{
    AssignRequest, AssignResponse, AssignmentList, AssignmentQuery, AssignmentSnapshot,
    AssignmentSummary, AuditLine, AuditQuery, Entity, NoticeData, NoticeKind,
};

use crate::db::{DbError, Tx, Val};
use crate::error::{ApiError, ApiResult};
use crate::params;
use crate::service::cases::{audit, load, AuditRecord, CommandError};
use crate::service::changes::{emit, unit_audience, EVERYONE};
use crate::service::{fmt_time, Service};

impl From<CommandError> for ApiError {
    fn from(e: CommandError) -> Self {
        match e {
            CommandError::Workflow(e) => ApiError::Workflow(e),
            CommandError::Input(e) => ApiError::Input(e),
            CommandError::Malformed(m) => ApiError::bad_request("request.malformed", m),
            CommandError::NotFound(what) => ApiError::NotFound(what),
            CommandError::Forbidden => ApiError::Forbidden("您无权操作其他单位的交办记录。".into()),
            CommandError::SignOff(message) => ApiError::Conflict {
                code: "signoff.incomplete",
                message,
            },
            CommandError::Signature(message) => ApiError::Conflict {
                code: "signoff.invalid_signature",
                message,
            },
            CommandError::Unsigned(message) => ApiError::Conflict {
                code: "signoff.unsigned",
                message,
            },
            CommandError::KeyRevoked(message) => ApiError::Conflict {
                code: "signoff.key_revoked",
                message,
            },
            e @ CommandError::AlreadyApplied => ApiError::Conflict {
                code: e.code(),
                message: e.to_string(),
            },
            CommandError::Db(e) => e.into(),
        }
    }
}

pub(crate) fn require_office(actor: &Actor) -> ApiResult<()> {
    if actor.role != UserRole::OfficeStaff {
        return Err(ApiError::Forbidden(
            "只有市政府办公室工作人员可以进行此操作。".into(),
        ));
    }
    Ok(())
}

/// Checks one suggestion's set of units: one lead at most, co-handlers only
/// beside a lead, split units not mixed with a lead, no unit twice.
fn check_parts(
    tx: &mut dyn Tx,
    suggestion_id: &str,
    parts: &[jianban_protocol::UnitPart],
) -> ApiResult<()> {
    if parts.is_empty() {
        return Err(ApiError::bad_request(
            "assign.no_units",
            format!("建议{suggestion_id}未指定承办单位。"),
        ));
    }
    let existing = tx.query(
        "SELECT unit_id, role FROM assignments WHERE suggestion_id = $1 AND state <> 'transferred'",
        params![suggestion_id],
    )?;
    let mut units = HashSet::new();
    let mut roles = Vec::new();
    for r in &existing {
        units.insert(r.text(0)?);
        roles.push(stored_role(&r.text(1)?)?);
    }
    for p in parts {
        if !units.insert(p.unit_id.clone()) {
            return Err(ApiError::bad_request(
                "assign.duplicate_unit",
                format!(
                    "建议{suggestion_id}已交办给单位{}，请勿重复交办。",
                    p.unit_id
                ),
            ));
        }
        roles.push(p.role);
    }
    let leads = roles.iter().filter(|r| **r == HandlingRole::Lead).count();
    let co = roles.contains(&HandlingRole::CoHandler);
    let split = roles.contains(&HandlingRole::Split);
    let bad = if leads > 1 {
        Some("一件建议只能有一个主办单位")
    } else if co && leads == 0 {
        Some("有协办单位时须同时指定主办单位")
    } else if split && leads > 0 {
        Some("分办与主办不能同时用于一件建议")
    } else {
        None
    };
    if let Some(msg) = bad {
        return Err(ApiError::bad_request(
            "assign.bad_roles",
            format!("建议{suggestion_id}：{msg}，请调整后重试。"),
        ));
    }
    Ok(())
}

/// A handling role as the database stores it.
pub(crate) fn stored_role(code: &str) -> Result<HandlingRole, DbError> {
    HandlingRole::from_code(code).ok_or_else(|| DbError::Decode(format!("unknown role {code}")))
}

fn check_unit(tx: &mut dyn Tx, unit: &str) -> ApiResult<String> {
    Ok(tx
        .query_opt("SELECT name FROM units WHERE id = $1", params![unit])?
        .ok_or_else(|| ApiError::NotFound(format!("单位{unit}")))?
        .text(0)?)
}

fn check_suggestion(tx: &mut dyn Tx, id: &str) -> ApiResult<()> {
    tx.query_opt("SELECT id FROM suggestions WHERE id = $1", params![id])?
        .ok_or_else(|| ApiError::NotFound(format!("建议{id}")))?;
    Ok(())
}

impl Service {
    /// 正式交办, all items or none. Leads are created before co-handlers so
    /// each lead case tracks its co-handlers from the start.
    pub fn assign(&self, actor: &Actor, req: &AssignRequest) -> ApiResult<AssignResponse> {
        require_office(actor)?;
        let now = self.now();
        let on = req.assigned_on.unwrap_or(now.date());
        self.db.write(|tx| -> ApiResult<AssignResponse> {
            let mut ids = Vec::new();
            for item in &req.items {
                check_suggestion(tx, &item.suggestion_id)?;
                check_parts(tx, &item.suggestion_id, &item.units)?;
                let mut parts: Vec<_> = item.units.iter().collect();
                parts.sort_by_key(|p| p.role != HandlingRole::Lead);
                for p in parts {
                    check_unit(tx, &p.unit_id)?;
                    let a = Assignment {
                        id: AssignmentId::new(format!("{}-{}", item.suggestion_id, p.unit_id)),
                        suggestion_id: SuggestionId::new(&item.suggestion_id),
                        unit_id: UnitId::new(&p.unit_id),
                        role: p.role,
                        assigned_on: on,
                    };
                    if load(tx, a.id.as_str())?.is_some() {
                        return Err(ApiError::Duplicate(format!("交办记录{}", a.id)));
                    }
                    self.create_assignment(tx, actor, now, &a)?;
                    ids.push(a.id.to_string());
                }
                tx.exec(
                    "DELETE FROM pre_assignments WHERE suggestion_id = $1",
                    params![&item.suggestion_id],
                )?;
            }
            Ok(AssignResponse {
                assignment_ids: ids,
            })
        })
    }

    /// 预交办: proposes the units for consultation; no case yet. Each unit
    /// is told in its feed.
    pub fn pre_assign(&self, actor: &Actor, req: &AssignRequest) -> ApiResult<AssignResponse> {
        require_office(actor)?;
        let now = self.now();
        self.db.write(|tx| -> ApiResult<AssignResponse> {
            let mut ids = Vec::new();
            for item in &req.items {
                check_suggestion(tx, &item.suggestion_id)?;
                check_parts(tx, &item.suggestion_id, &item.units)?;
                tx.exec(
                    "DELETE FROM pre_assignments WHERE suggestion_id = $1",
                    params![&item.suggestion_id],
                )?;
                for p in &item.units {
                    check_unit(tx, &p.unit_id)?;
                    tx.exec(
                        "INSERT INTO pre_assignments (suggestion_id, unit_id, role, at) VALUES ($1, $2, $3, $4)",
                        params![&item.suggestion_id, &p.unit_id, p.role.code(), fmt_time(now)],
                    )?;
                    let id = format!("{}-{}", item.suggestion_id, p.unit_id);
                    let notice = NoticeData {
                        id: format!("pre-{id}"),
                        assignment_id: id.clone(),
                        kind: NoticeKind::PreAssignment,
                        message: format!(
                            "拟将建议{}交由贵单位{}，如有意见请及时与市政府办公室协商。",
                            item.suggestion_id,
                            p.role.label_zh()
                        ),
                        by: actor.user.to_string(),
                        by_name: actor.name.clone(),
                        at: now,
                        role: Some(p.role),
                        date: req.assigned_on,
                    };
                    emit(tx, Entity::Notice, &notice.id, &unit_audience(&p.unit_id), &notice)?;
                    audit(
                        tx,
                        &AuditRecord {
                            at: now,
                            actor,
                            assignment_id: Some(&id),
                            action: "pre_assign",
                            detail: json!({ "unit_id": p.unit_id, "role": p.role }),
                            before: None,
                            after: None,
                        },
                    )?;
                    ids.push(id);
                }
            }
            Ok(AssignResponse {
                assignment_ids: ids,
            })
        })
    }

    /// An office action on one case (decide adjustment, extension, urge,
    /// return, evaluation, conclude, reopen), decided by the domain.
    pub fn office_action(
        &self,
        actor: &Actor,
        id: &str,
        action: &Action,
    ) -> ApiResult<AssignmentSnapshot> {
        require_office(actor)?;
        let now = self.now();
        let detail = serde_json::to_value(action).map_err(DbError::from)?;
        self.db.write(|tx| -> ApiResult<AssignmentSnapshot> {
            Ok(self
                .transition(tx, actor, now, id, action, action.code(), detail)?
                .snapshot())
        })
    }

    /// Publishes the holiday calendar; units get it in their feed. Deadlines
    /// already fixed stay as they are; new ones count with it.
    pub fn publish_calendar(&self, actor: &Actor, file: &CalendarFile) -> ApiResult<()> {
        require_office(actor)?;
        let cal = WorkingCalendar::from_file(file.clone())
            .map_err(|e| ApiError::bad_request("calendar.invalid", e.to_string()))?;
        let now = self.now();
        let json = serde_json::to_string(file).map_err(DbError::from)?;
        self.db.write(|tx| -> ApiResult<()> {
            tx.exec("DELETE FROM calendar WHERE id = 'current'", &[])?;
            tx.exec(
                "INSERT INTO calendar (id, data, published_by, published_at) VALUES ('current', $1, $2, $3)",
                params![&json, actor.user.as_str(), fmt_time(now)],
            )?;
            emit(tx, Entity::Calendar, "current", EVERYONE, file)?;
            let years: Vec<i32> = file.years.iter().map(|y| y.year).collect();
            audit(
                tx,
                &AuditRecord::without_assignment(
                    now,
                    actor,
                    "publish_calendar",
                    json!({ "years": years }),
                ),
            )?;
            Ok(())
        })?;
        self.set_calendar(cal);
        Ok(())
    }

    pub fn list_assignments(
        &self,
        actor: &Actor,
        q: &AssignmentQuery,
    ) -> ApiResult<AssignmentList> {
        require_office(actor)?;
        let mut filter = String::from(" WHERE 1 = 1");
        let mut args: Vec<Val> = Vec::new();
        let arg = |v: Val, args: &mut Vec<Val>| {
            args.push(v);
            format!("${}", args.len())
        };
        if let Some(u) = &q.unit_id {
            filter += &format!(" AND a.unit_id = {}", arg(u.into(), &mut args));
        }
        if let Some(s) = &q.suggestion_id {
            filter += &format!(" AND a.suggestion_id = {}", arg(s.into(), &mut args));
        }
        if let Some(s) = &q.state {
            if CaseState::from_code(s).is_none() {
                return Err(ApiError::bad_request(
                    "request.bad_query",
                    format!("未知的状态“{s}”，请使用如submitted、returned等状态代码。"),
                ));
            }
            filter += &format!(" AND a.state = {}", arg(s.into(), &mut args));
        }
        if q.overdue == Some(true) {
            let today = self.now().date().to_string();
            filter += &format!(
                " AND a.deadline IS NOT NULL AND a.deadline < {}",
                arg(today.into(), &mut args)
            );
        }
        let limit = q.limit.unwrap_or(200).clamp(1, 5000) as i64;
        let offset = q.offset.unwrap_or(0) as i64;
        self.db.read(|tx| -> ApiResult<AssignmentList> {
            let total = tx
                .query_one(&format!("SELECT COUNT(*) FROM assignments a{filter}"), &args)?
                .int(0)? as u64;
            let mut page_args = args.clone();
            page_args.push(limit.into());
            page_args.push(offset.into());
            let sql = format!(
                "SELECT a.id, a.suggestion_id, s.number, s.title, a.unit_id, u.name, a.role, a.state, a.deadline, a.version, a.case_json
                   FROM assignments a JOIN suggestions s ON s.id = a.suggestion_id JOIN units u ON u.id = a.unit_id
                 {filter} ORDER BY a.deadline, a.id LIMIT ${} OFFSET ${}",
                page_args.len() - 1,
                page_args.len()
            );
            let mut items = Vec::new();
            for r in tx.query(&sql, &page_args)? {
                let case: Case = r.json(10)?;
                items.push(AssignmentSummary {
                    assignment_id: r.text(0)?,
                    suggestion_id: r.text(1)?,
                    suggestion_number: r.int(2)? as u32,
                    title: r.text(3)?,
                    unit_id: r.text(4)?,
                    unit_name: r.text(5)?,
                    role: stored_role(&r.text(6)?)?,
                    state: CaseState::from_code(&r.text(7)?)
                        .ok_or_else(|| DbError::Decode("unknown state".into()))?,
                    deadline: r
                        .opt_text(8)?
                        .map(|d| d.parse::<NaiveDate>())
                        .transpose()
                        .map_err(|e| DbError::Decode(e.to_string()))?,
                    version: r.int(9)? as u64,
                    pending_extension: case.pending_extension,
                });
            }
            Ok(AssignmentList { items, total })
        })
    }

    /// The audit log, oldest first.
    pub fn audit_log(&self, actor: &Actor, q: &AuditQuery) -> ApiResult<Vec<AuditLine>> {
        require_office(actor)?;
        let limit = q.limit.unwrap_or(500).clamp(1, 5000) as i64;
        self.db.read(|tx| -> ApiResult<Vec<AuditLine>> {
            let rows = match &q.assignment_id {
                Some(id) => tx.query(
                    "SELECT seq, at, actor_id, actor_name, actor_role, assignment_id, action, detail, state_before, state_after
                       FROM audit_log WHERE assignment_id = $1 AND seq > $2 ORDER BY seq LIMIT $3",
                    params![id, q.after, limit],
                )?,
                None => tx.query(
                    "SELECT seq, at, actor_id, actor_name, actor_role, assignment_id, action, detail, state_before, state_after
                       FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2",
                    params![q.after, limit],
                )?,
            };
            rows.iter()
                .map(|r| {
                    Ok(AuditLine {
                        seq: r.int(0)?,
                        at: r.text(1)?,
                        actor_id: r.text(2)?,
                        actor_name: r.text(3)?,
                        actor_role: r.text(4)?,
                        assignment_id: r.opt_text(5)?,
                        action: r.text(6)?,
                        detail: serde_json::from_str(&r.text(7)?).map_err(DbError::from)?,
                        state_before: r.opt_text(8)?,
                        state_after: r.opt_text(9)?,
                    })
                })
                .collect()
        })
    }
}
