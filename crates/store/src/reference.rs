//! Reference data (sessions, deputies, units, suggestions) and new
//! assignments. The central server sends these; the demo loads them.

use rusqlite::{params, OptionalExtension, Transaction};

use jianban_domain::validate::{check_required_line, check_text};
use jianban_domain::workflow::{default_approval_chain, CoHandlerStatus};
use jianban_domain::*;

use crate::error::{Result, StoreError};
use crate::{search, Store};

/// The handling role stored as `code`; an unknown code is damaged data.
pub(crate) fn role_from_code(code: &str) -> Result<HandlingRole> {
    HandlingRole::from_code(code).ok_or_else(|| StoreError::Data(format!("未知承办方式“{code}”")))
}

/// Maps a unique-constraint failure to a clear "already exists" error.
fn unique(what: impl Fn() -> String) -> impl Fn(rusqlite::Error) -> StoreError {
    move |e| match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::ConstraintViolation) => StoreError::Duplicate { what: what() },
        _ => e.into(),
    }
}

impl Store {
    pub fn insert_session(&mut self, s: &Session) -> Result<()> {
        check_required_line("会议名称", &s.name)?;
        self.conn
            .execute(
                "INSERT INTO sessions (id, name, year) VALUES (?1, ?2, ?3)",
                params![s.id.as_str(), s.name, s.year],
            )
            .map_err(unique(|| format!("会议“{}”", s.name)))?;
        Ok(())
    }

    pub fn insert_deputy(&mut self, d: &Deputy) -> Result<()> {
        check_required_line("代表姓名", &d.name)?;
        self.conn
            .execute(
                "INSERT INTO deputies (id, name, delegation) VALUES (?1, ?2, ?3)",
                params![d.id.as_str(), d.name, d.delegation],
            )
            .map_err(unique(|| format!("代表“{}”", d.name)))?;
        Ok(())
    }

    pub fn insert_unit(&mut self, u: &Unit) -> Result<()> {
        check_required_line("单位名称", &u.name)?;
        self.conn
            .execute(
                "INSERT INTO units (id, name, doc_prefix) VALUES (?1, ?2, ?3)",
                params![u.id.as_str(), u.name, u.doc_prefix],
            )
            .map_err(unique(|| format!("单位“{}”", u.name)))?;
        Ok(())
    }

    /// Stores a suggestion and indexes it for search.
    pub fn insert_suggestion(&mut self, s: &Suggestion) -> Result<()> {
        let tx = self.conn.transaction()?;
        insert_suggestion(&tx, s)?;
        tx.commit()?;
        Ok(())
    }

    /// A new assignment, waiting for receipt. For a lead unit, its
    /// co-handlers already stored locally are linked so the rules can check
    /// their opinions.
    pub fn create_assignment(
        &mut self,
        a: &Assignment,
        chain: Option<Vec<ApprovalStep>>,
    ) -> Result<Case> {
        let tx = self.conn.transaction()?;
        let case = create_assignment(&tx, a, chain, &self.policy, &self.calendar)?;
        tx.commit()?;
        Ok(case)
    }
}

pub(crate) fn insert_suggestion(tx: &Transaction<'_>, s: &Suggestion) -> Result<()> {
    check_required_line("建议标题", &s.title)?;
    check_text("建议内容", &s.text)?;
    write_suggestion(tx, s, IfStored::Refuse)
}

/// What writing a suggestion that is already stored does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum IfStored {
    /// Refuses it: an import must not bring the same suggestion twice.
    Refuse,
    /// Replaces it: the central server's copy is the reference.
    Replace,
}

/// Stores the suggestion and indexes it for search.
pub(crate) fn write_suggestion(
    tx: &Transaction<'_>,
    s: &Suggestion,
    if_stored: IfStored,
) -> Result<()> {
    let on_conflict = match if_stored {
        IfStored::Refuse => "",
        IfStored::Replace => {
            "ON CONFLICT (id) DO UPDATE SET number = excluded.number, title = excluded.title,
               text = excluded.text, lead_deputy = excluded.lead_deputy, co_signers = excluded.co_signers,
               is_key = excluded.is_key, is_urgent = excluded.is_urgent"
        }
    };
    tx.execute(
        &format!(
            "INSERT INTO suggestions (id, session_id, number, title, text, lead_deputy, co_signers, is_key, is_urgent)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) {on_conflict}"
        ),
        params![
            s.id.as_str(),
            s.session_id.as_str(),
            s.number,
            s.title,
            s.text,
            s.lead_deputy.as_str(),
            serde_json::to_string(&s.co_signers)?,
            s.is_key,
            s.is_urgent
        ],
    )
    .map_err(unique(|| format!("建议“{}”（第{}号）", s.title, s.number)))?;
    search::index(
        tx,
        search::HitKind::Suggestion,
        s.id.as_str(),
        s.id.as_str(),
        &format!("{}\n{}", s.title, s.text),
    )
}

pub(crate) fn create_assignment(
    tx: &Transaction<'_>,
    a: &Assignment,
    chain: Option<Vec<ApprovalStep>>,
    policy: &DeadlinePolicy,
    calendar: &WorkingCalendar,
) -> Result<Case> {
    let urgent: bool = tx
        .query_row(
            "SELECT is_urgent FROM suggestions WHERE id = ?1",
            [a.suggestion_id.as_str()],
            |r| r.get(0),
        )
        .optional()?
        .ok_or_else(|| StoreError::NotFound {
            what: format!("建议 {}", a.suggestion_id),
        })?;
    let co_handlers = if a.role == HandlingRole::Lead {
        co_handlers_of(tx, &a.suggestion_id)?
    } else {
        Vec::new()
    };
    let case = Case::new(
        a,
        urgent,
        policy,
        calendar,
        chain.unwrap_or_else(default_approval_chain),
        co_handlers,
    )?;
    tx.execute(
        "INSERT INTO assignments (id, suggestion_id, unit_id, role, assigned_on, state, deadline, version, case_json)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            a.id.as_str(),
            a.suggestion_id.as_str(),
            a.unit_id.as_str(),
            a.role.code(),
            a.assigned_on.to_string(),
            case.state.code(),
            case.current_deadline().map(|d| d.to_string()),
            case.version as i64,
            serde_json::to_string(&case)?
        ],
    )
    .map_err(unique(|| format!("交办记录 {}", a.id)))?;
    if a.role == HandlingRole::CoHandler {
        link_co_handler(tx, a, &case)?;
    }
    Ok(case)
}

/// Co-handlers of a suggestion as a lead case tracks them.
fn co_handlers_of(tx: &Transaction<'_>, suggestion: &SuggestionId) -> Result<Vec<CoHandlerStatus>> {
    let mut stmt = tx.prepare(
        "SELECT a.unit_id, u.name, a.state, a.case_json FROM assignments a JOIN units u ON u.id = a.unit_id
          WHERE a.suggestion_id = ?1 AND a.role = ?2",
    )?;
    let rows = stmt.query_map(
        params![suggestion.as_str(), HandlingRole::CoHandler.code()],
        |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
            ))
        },
    )?;
    let mut out = Vec::new();
    for row in rows {
        let (unit, name, state, json) = row?;
        let case: Case = serde_json::from_str(&json)?;
        out.push(CoHandlerStatus {
            unit: UnitId::new(unit),
            unit_name: name,
            opinion_submitted: state == CaseState::Concluded.code(),
            due: case.deadlines.reply,
        });
    }
    Ok(out)
}

/// A co-handler assigned after its lead: add it to the lead's case.
fn link_co_handler(tx: &Transaction<'_>, a: &Assignment, case: &Case) -> Result<()> {
    let lead: Option<(String, String)> = tx
        .query_row(
            "SELECT id, case_json FROM assignments WHERE suggestion_id = ?1 AND role = ?2",
            params![a.suggestion_id.as_str(), HandlingRole::Lead.code()],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let Some((lead_id, json)) = lead else {
        return Ok(());
    };
    let mut lead_case: Case = serde_json::from_str(&json)?;
    if lead_case.co_handlers.iter().any(|c| c.unit == a.unit_id) {
        return Ok(());
    }
    let name: String = tx.query_row(
        "SELECT name FROM units WHERE id = ?1",
        [a.unit_id.as_str()],
        |r| r.get(0),
    )?;
    lead_case.co_handlers.push(CoHandlerStatus {
        unit: a.unit_id.clone(),
        unit_name: name,
        opinion_submitted: false,
        due: case.deadlines.reply,
    });
    tx.execute(
        "UPDATE assignments SET case_json = ?2 WHERE id = ?1",
        params![lead_id, serde_json::to_string(&lead_case)?],
    )?;
    Ok(())
}
