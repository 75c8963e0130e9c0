//! Read-only views the desktop's screens need beyond the plain list: the
//! workbench rows with their filter fields, one suggestion's detail, the
//! co-handling opinions a lead unit received, and the sessions.
//!
//! Reads only: nothing here changes the store, so these queries cannot break
//! the store's write invariants.

use chrono::NaiveDate;
use rusqlite::{params, OptionalExtension};
use serde::{Deserialize, Serialize};

use jianban_domain::{
    CaseState, CoHandlingOpinion, HandlingRole, ResultCategory, SessionId, SuggestionId, UnitId,
    WarningLevel,
};

use crate::error::{Result, StoreError};
use crate::reference::role_from_code;
use crate::{parse_date, Store};

/// One workbench row with what its filters need.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkbenchItem {
    pub assignment_id: String,
    pub suggestion_id: String,
    pub suggestion_number: u32,
    pub session_id: String,
    pub session_name: String,
    pub title: String,
    pub unit_id: String,
    pub unit_name: String,
    pub role: HandlingRole,
    pub state: CaseState,
    pub deadline: Option<NaiveDate>,
    pub warning: WarningLevel,
    pub is_key: bool,
    pub is_urgent: bool,
    /// 办理结果类别 of the current draft, if one is chosen.
    pub category: Option<ResultCategory>,
    /// 承办人: who last worked on the case in this unit (receipt, draft,
    /// contact), if anyone did.
    pub handler: Option<String>,
}

/// A suggestion as the detail screen shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SuggestionDetail {
    pub suggestion_id: SuggestionId,
    pub session_id: SessionId,
    pub session_name: String,
    pub number: u32,
    pub title: String,
    pub text: String,
    pub is_key: bool,
    pub is_urgent: bool,
    /// 领衔代表 (name, delegation).
    pub lead_deputy: DeputyRef,
    /// 附议代表.
    pub co_signers: Vec<DeputyRef>,
    /// Every unit this store knows to handle the suggestion, lead first.
    pub units: Vec<UnitHandling>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeputyRef {
    pub name: String,
    pub delegation: String,
}

/// One handling unit of a suggestion and where its case stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitHandling {
    pub assignment_id: String,
    pub unit_id: UnitId,
    pub unit_name: String,
    pub doc_prefix: String,
    pub role: HandlingRole,
    pub state: CaseState,
}

/// A co-handling opinion as the lead unit reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceivedOpinion {
    pub unit_id: UnitId,
    pub unit_name: String,
    pub text: String,
    pub submitted_at: Option<chrono::NaiveDateTime>,
}

/// suggestion id, session id, session name, number, title, text, key,
/// urgent, lead deputy id, co-signer ids (JSON).
type SuggestionRow = (
    String,
    String,
    String,
    u32,
    String,
    String,
    bool,
    bool,
    String,
    String,
);

fn state_of(code: &str) -> Result<CaseState> {
    CaseState::from_code(code).ok_or_else(|| StoreError::Data(format!("未知状态“{code}”")))
}

impl Store {
    /// The workbench: every assignment, most urgent first (overdue and
    /// closest deadlines on top, finished cases at the bottom), with session,
    /// category and handler for the filters.
    pub fn workbench_items(&self, today: NaiveDate) -> Result<Vec<WorkbenchItem>> {
        self.workbench_rows(today, None)
    }

    /// The workbench row of one assignment.
    pub fn workbench_item(&self, today: NaiveDate, assignment_id: &str) -> Result<WorkbenchItem> {
        self.workbench_rows(today, Some(assignment_id))?
            .pop()
            .ok_or_else(|| StoreError::NotFound {
                what: format!("交办记录 {assignment_id}"),
            })
    }

    fn workbench_rows(&self, today: NaiveDate, only: Option<&str>) -> Result<Vec<WorkbenchItem>> {
        // Two statements rather than `?1 IS NULL OR a.id = ?1`, which SQLite
        // answers by scanning every assignment.
        let filter = if only.is_some() {
            "WHERE a.id = ?1"
        } else {
            "WHERE ?1 IS NULL"
        };
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT a.id, s.id, s.number, se.id, se.name, s.title, u.id, u.name, a.role, a.state,
                    a.deadline, s.is_key, s.is_urgent,
                    (SELECT json_extract(r.content_json, '$.category') FROM revisions r
                      WHERE r.assignment_id = a.id ORDER BY r.number DESC LIMIT 1),
                    (SELECT l.actor_name FROM audit_log l
                      WHERE l.assignment_id = a.id
                        AND l.actor_role IN ('liaison', 'case_handler')
                      ORDER BY l.seq DESC LIMIT 1)
               FROM assignments a
               JOIN suggestions s ON s.id = a.suggestion_id
               JOIN sessions se ON se.id = s.session_id
               JOIN units u ON u.id = a.unit_id
              {filter}
           ORDER BY a.deadline IS NULL, a.deadline, s.number, u.name"
        ))?;
        let rows = stmt.query_map([only], |r| {
            Ok((
                (
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, u32>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, String>(5)?,
                    r.get::<_, String>(6)?,
                    r.get::<_, String>(7)?,
                ),
                (
                    r.get::<_, String>(8)?,
                    r.get::<_, String>(9)?,
                    r.get::<_, Option<String>>(10)?,
                    r.get::<_, bool>(11)?,
                    r.get::<_, bool>(12)?,
                    r.get::<_, Option<String>>(13)?,
                    r.get::<_, Option<String>>(14)?,
                ),
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (
                (id, sid, number, session_id, session_name, title, unit_id, unit_name),
                (role, state, deadline, is_key, is_urgent, category, handler),
            ) = row?;
            let deadline = deadline.map(|d| parse_date(&d)).transpose()?;
            let category = match category {
                Some(c) => Some(serde_json::from_value(serde_json::Value::String(c))?),
                None => None,
            };
            out.push(WorkbenchItem {
                assignment_id: id,
                suggestion_id: sid,
                suggestion_number: number,
                session_id,
                session_name,
                title,
                unit_id,
                unit_name,
                role: role_from_code(&role)?,
                state: state_of(&state)?,
                warning: deadline.map_or(WarningLevel::Normal, |d| {
                    self.policy().warning(today, d, self.calendar())
                }),
                deadline,
                is_key,
                is_urgent,
                category,
                handler,
            });
        }
        Ok(out)
    }

    /// The suggestion an assignment answers, with its deputies and units.
    pub fn suggestion_detail(&self, assignment_id: &str) -> Result<SuggestionDetail> {
        let row: Option<SuggestionRow> = self
            .conn
            .query_row(
                "SELECT s.id, se.id, se.name, s.number, s.title, s.text, s.is_key, s.is_urgent,
                            s.lead_deputy, s.co_signers
                       FROM assignments a
                       JOIN suggestions s ON s.id = a.suggestion_id
                       JOIN sessions se ON se.id = s.session_id
                      WHERE a.id = ?1",
                [assignment_id],
                |r| {
                    Ok((
                        r.get(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        r.get(3)?,
                        r.get(4)?,
                        r.get(5)?,
                        r.get(6)?,
                        r.get(7)?,
                        r.get(8)?,
                        r.get(9)?,
                    ))
                },
            )
            .optional()?;
        let (sid, session_id, session_name, number, title, text, is_key, is_urgent, lead, co) = row
            .ok_or_else(|| StoreError::NotFound {
                what: format!("交办记录 {assignment_id}"),
            })?;
        let co_ids: Vec<String> = serde_json::from_str(&co)?;
        let lead_deputy = self.deputy(&lead)?;
        let co_signers = co_ids
            .iter()
            .map(|d| self.deputy(d))
            .collect::<Result<Vec<_>>>()?;
        let mut stmt = self.conn.prepare_cached(
            "SELECT a.id, u.id, u.name, u.doc_prefix, a.role, a.state
               FROM assignments a JOIN units u ON u.id = a.unit_id
              WHERE a.suggestion_id = ?1
           ORDER BY CASE a.role WHEN ?2 THEN 0 WHEN ?3 THEN 1 ELSE 2 END, u.name",
        )?;
        let order = (HandlingRole::Lead.code(), HandlingRole::Split.code());
        let rows = stmt.query_map(params![&sid, order.0, order.1], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, String>(5)?,
            ))
        })?;
        let mut units = Vec::new();
        for row in rows {
            let (aid, uid, name, prefix, role, state) = row?;
            units.push(UnitHandling {
                assignment_id: aid,
                unit_id: UnitId(uid),
                unit_name: name,
                doc_prefix: prefix,
                role: role_from_code(&role)?,
                state: state_of(&state)?,
            });
        }
        Ok(SuggestionDetail {
            suggestion_id: SuggestionId(sid),
            session_id: SessionId(session_id),
            session_name,
            number,
            title,
            text,
            is_key,
            is_urgent,
            lead_deputy,
            co_signers,
            units,
        })
    }

    fn deputy(&self, id: &str) -> Result<DeputyRef> {
        Ok(self
            .conn
            .query_row(
                "SELECT name, delegation FROM deputies WHERE id = ?1",
                [id],
                |r| {
                    Ok(DeputyRef {
                        name: r.get(0)?,
                        delegation: r.get(1)?,
                    })
                },
            )
            .optional()?
            .unwrap_or(DeputyRef {
                name: id.to_string(),
                delegation: String::new(),
            }))
    }

    /// Co-handling opinions the lead unit of `assignment_id`'s suggestion
    /// has: those the central server delivered, and, when the co-handler's
    /// own case is in this store (a local demo), its sent opinion.
    pub fn co_handling_opinions(&self, assignment_id: &str) -> Result<Vec<ReceivedOpinion>> {
        let sid: String = self
            .conn
            .query_row(
                "SELECT suggestion_id FROM assignments WHERE id = ?1",
                [assignment_id],
                |r| r.get(0),
            )
            .optional()?
            .ok_or_else(|| StoreError::NotFound {
                what: format!("交办记录 {assignment_id}"),
            })?;
        let mut out: Vec<ReceivedOpinion> = Vec::new();
        let mut stmt = self
            .conn
            .prepare_cached("SELECT value FROM settings WHERE key LIKE ?1 ORDER BY key")?;
        let pattern = format!("opinion:{sid}:%");
        let rows = stmt.query_map([pattern], |r| r.get::<_, String>(0))?;
        for json in rows {
            let o: CoHandlingOpinion = serde_json::from_str(&json?)?;
            out.push(ReceivedOpinion {
                unit_name: self.unit_name(&o.from_unit)?,
                unit_id: o.from_unit,
                text: o.text,
                submitted_at: Some(o.submitted_at),
            });
        }
        let mut stmt = self.conn.prepare_cached(
            "SELECT a.unit_id, u.name,
                    (SELECT json_extract(r.content_json, '$.body') FROM revisions r
                      WHERE r.assignment_id = a.id ORDER BY r.number DESC LIMIT 1)
               FROM assignments a JOIN units u ON u.id = a.unit_id
              WHERE a.suggestion_id = ?1 AND a.role = ?2 AND a.state = ?3",
        )?;
        let sent = (HandlingRole::CoHandler.code(), CaseState::Concluded.code());
        let rows = stmt.query_map(params![&sid, sent.0, sent.1], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<String>>(2)?,
            ))
        })?;
        for row in rows {
            let (unit, name, body) = row?;
            if out.iter().any(|o| o.unit_id.as_str() == unit) {
                continue;
            }
            if let Some(text) = body {
                out.push(ReceivedOpinion {
                    unit_id: UnitId(unit),
                    unit_name: name,
                    text,
                    submitted_at: None,
                });
            }
        }
        Ok(out)
    }

    /// The unit's name (its id when the store does not know the unit).
    pub fn unit_name(&self, id: &UnitId) -> Result<String> {
        Ok(self
            .conn
            .query_row("SELECT name FROM units WHERE id = ?1", [id.as_str()], |r| {
                r.get(0)
            })
            .optional()?
            .unwrap_or_else(|| id.to_string()))
    }

    /// Sessions that have suggestions, newest first (the session filter).
    pub fn sessions(&self) -> Result<Vec<jianban_domain::Session>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT id, name, year FROM sessions ORDER BY year DESC, name")?;
        let rows = stmt.query_map([], |r| {
            Ok(jianban_domain::Session {
                id: SessionId(r.get(0)?),
                name: r.get(1)?,
                year: r.get(2)?,
            })
        })?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    /// The highest notice id, so a watcher can announce only newer ones.
    pub fn latest_notice_id(&self) -> Result<i64> {
        Ok(self
            .conn
            .query_row("SELECT COALESCE(MAX(id), 0) FROM notices", [], |r| r.get(0))?)
    }

    /// Notices newer than `after_id`, oldest first.
    pub fn notices_after(&self, after_id: i64) -> Result<Vec<crate::Notice>> {
        let ids: Vec<i64> = {
            let mut stmt = self
                .conn
                .prepare_cached("SELECT id FROM notices WHERE id > ?1 ORDER BY id")?;
            let rows = stmt.query_map(params![after_id], |r| r.get(0))?;
            rows.collect::<Result<Vec<_>, _>>()?
        };
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        Ok(self
            .notices(false)?
            .into_iter()
            .filter(|n| n.id > after_id)
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::demo_store;

    #[test]
    fn workbench_items_carry_filter_fields_and_one_row_reads_alike() {
        let (_tmp, store) = demo_store();
        let today = chrono::Local::now().date_naive();
        let items = store.workbench_items(today).unwrap();
        for i in items.iter().step_by(7) {
            assert_eq!(&store.workbench_item(today, &i.assignment_id).unwrap(), i);
        }
        assert!(matches!(
            store.workbench_item(today, "no-such-case"),
            Err(StoreError::NotFound { .. })
        ));
        assert!(
            items.iter().any(|i| i.category.is_some()),
            "some demo drafts have a category"
        );
        assert!(
            items.iter().any(|i| i.handler.is_some()),
            "someone received a case"
        );
        assert!(items.iter().all(|i| !i.session_id.is_empty()));
    }

    #[test]
    fn suggestion_detail_lists_deputies_and_units_lead_first() {
        let (_tmp, store) = demo_store();
        let today = chrono::Local::now().date_naive();
        let items = store.workbench_items(today).unwrap();
        let co = items
            .iter()
            .find(|i| i.role == HandlingRole::CoHandler)
            .expect("the demo has a co-handled suggestion");
        let d = store.suggestion_detail(&co.assignment_id).unwrap();
        assert_eq!(d.number, co.suggestion_number);
        assert!(!d.text.is_empty());
        assert!(!d.lead_deputy.name.is_empty());
        assert!(d.units.len() >= 2);
        assert_eq!(d.units[0].role, HandlingRole::Lead);
        assert!(d.units.iter().any(|u| u.assignment_id == co.assignment_id));
        assert!(matches!(
            store.suggestion_detail("no-such"),
            Err(StoreError::NotFound { .. })
        ));
    }

    #[test]
    fn sessions_and_notices_read_back() {
        let (_tmp, store) = demo_store();
        let sessions = store.sessions().unwrap();
        assert!(sessions.iter().any(|s| s.name.contains("人大")));
        let latest = store.latest_notice_id().unwrap();
        assert!(store.notices_after(latest).unwrap().is_empty());
    }
}
