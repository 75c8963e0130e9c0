//! The statistics crate's input read from the local store: one
//! [`CaseRow`] per assignment of a session, with the day the unit first sent
//! its reply computed by `jianban_stats::first_reply_day` from the audit
//! log's state facts (the server feeds the same function from its own log).

use std::collections::HashMap;

use chrono::NaiveDate;
use rusqlite::{params, OptionalExtension};

use jianban_domain::{
    Assignment, AssignmentId, Case, CaseState, Session, SessionId, SuggestionId, UnitId,
};
use jianban_stats::{first_reply_days, CaseRow, StateFact};

use crate::error::{Result, StoreError};
use crate::reference::role_from_code;
use crate::{parse_date, Store};

/// What the figures of one session are computed from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatsInput {
    pub session: Session,
    /// Every suggestion of the session this store knows (the report's
    /// 代表建议总数 as far as this desktop can tell).
    pub suggestions_total: u64,
    pub rows: Vec<CaseRow>,
}

impl Store {
    /// The rows of `session_id` (default: the newest session), only those
    /// of `unit_id` when given. `None` when the store holds no session yet.
    ///
    /// The reply day is `jianban_stats::first_reply_day` of the case's
    /// audit lines: the local 报送 itself, or a pulled snapshot that carried
    /// it. A case that arrived already replied (first pull) has no known
    /// day: it still counts as replied (its state says so) but not in the
    /// on-time and working-day figures.
    pub fn stats_input(
        &self,
        session_id: Option<&str>,
        unit_id: Option<&str>,
    ) -> Result<Option<StatsInput>> {
        let session = match session_id {
            Some(id) => self
                .conn
                .query_row(
                    "SELECT id, name, year FROM sessions WHERE id = ?1",
                    [id],
                    session_row,
                )
                .optional()?
                .ok_or_else(|| StoreError::NotFound {
                    what: format!("会议 {id}"),
                })?,
            None => match self
                .conn
                .query_row(
                    "SELECT id, name, year FROM sessions ORDER BY year DESC, id DESC LIMIT 1",
                    [],
                    session_row,
                )
                .optional()?
            {
                Some(s) => s,
                None => return Ok(None),
            },
        };
        let suggestions_total: i64 = self.conn.query_row(
            "SELECT COUNT(*) FROM suggestions WHERE session_id = ?1",
            [session.id.as_str()],
            |r| r.get(0),
        )?;
        let replied = self.first_reply_days(session.id.as_str())?;
        let mut stmt = self.conn.prepare_cached(
            "SELECT a.id, a.suggestion_id, a.unit_id, a.role, a.assigned_on, a.case_json,
                    u.name, s.number, s.title, COALESCE(d.name, ''), s.is_key
               FROM assignments a
               JOIN suggestions s ON s.id = a.suggestion_id
               JOIN units u ON u.id = a.unit_id
               LEFT JOIN deputies d ON d.id = s.lead_deputy
              WHERE s.session_id = ?1 AND (?2 IS NULL OR a.unit_id = ?2)
           ORDER BY s.number, u.name, a.id",
        )?;
        let raw = stmt.query_map(params![session.id.as_str(), unit_id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, String>(6)?,
                r.get::<_, u32>(7)?,
                r.get::<_, String>(8)?,
                r.get::<_, String>(9)?,
                r.get::<_, bool>(10)?,
            ))
        })?;
        let mut rows = Vec::new();
        for row in raw {
            let (id, sid, uid, role, assigned_on, json, unit_name, number, title, lead, is_key) =
                row?;
            let case: Case = serde_json::from_str(&json)?;
            rows.push(CaseRow {
                replied_on: replied.get(&id).copied(),
                assignment: Assignment {
                    id: AssignmentId(id),
                    suggestion_id: SuggestionId(sid),
                    unit_id: UnitId(uid),
                    role: role_from_code(&role)?,
                    assigned_on: parse_date(&assigned_on)?,
                },
                case,
                unit_name,
                suggestion_number: number,
                suggestion_title: title,
                lead_deputy: lead,
                is_key,
            });
        }
        Ok(Some(StatsInput {
            session,
            suggestions_total: suggestions_total as u64,
            rows,
        }))
    }

    /// The audit log's state facts of the session's assignments.
    fn first_reply_days(&self, session_id: &str) -> Result<HashMap<String, NaiveDate>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT l.assignment_id, l.at, l.state_before, l.state_after
               FROM audit_log l
               JOIN assignments a ON a.id = l.assignment_id
               JOIN suggestions s ON s.id = a.suggestion_id
              WHERE s.session_id = ?1 AND l.state_after IS NOT NULL
           ORDER BY l.seq",
        )?;
        let rows = stmt.query_map([session_id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, Option<String>>(3)?,
            ))
        })?;
        let state = |code: Option<String>| -> Result<Option<CaseState>> {
            code.map(|c| {
                CaseState::from_code(&c).ok_or_else(|| StoreError::Data(format!("未知状态“{c}”")))
            })
            .transpose()
        };
        let mut facts = Vec::new();
        for row in rows {
            let (id, at, before, after) = row?;
            let fact = StateFact {
                // Audit times are ISO text; the day is their first ten characters.
                day: parse_date(at.get(..10).unwrap_or(&at))?,
                before: state(before)?,
                after: state(after)?,
            };
            facts.push((id, fact));
        }
        Ok(first_reply_days(facts))
    }
}

fn session_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Session> {
    Ok(Session {
        id: SessionId(r.get(0)?),
        name: r.get(1)?,
        year: r.get(2)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::demo_store;
    use jianban_domain::{CaseState, HandlingRole, WorkingCalendar};
    use jianban_stats::{Figures, Scope};

    #[test]
    fn an_empty_store_has_no_input() {
        let tmp = tempfile::tempdir().unwrap();
        let store = Store::open(&tmp.path().join("s.sqlite3")).unwrap();
        assert_eq!(store.stats_input(None, None).unwrap(), None);
        assert!(matches!(
            store.stats_input(Some("no-such"), None),
            Err(StoreError::NotFound { .. })
        ));
    }

    #[test]
    fn rows_match_the_store_and_carry_reply_days() {
        let (_tmp, store) = demo_store();
        let input = store.stats_input(None, None).unwrap().unwrap();
        let newest = &store.sessions().unwrap()[0];
        assert_eq!(input.session.id, newest.id);
        let today = chrono::Local::now().date_naive();
        let listed: Vec<_> = store
            .workbench_items(today)
            .unwrap()
            .into_iter()
            .filter(|i| i.session_name == newest.name)
            .collect();
        assert_eq!(input.rows.len(), listed.len());
        assert!(input.suggestions_total > 0);
        for row in &input.rows {
            let case = store.case(row.assignment.id.as_str()).unwrap();
            assert_eq!(row.case, case);
            assert_eq!(row.assignment.unit_id, case.unit);
            assert_eq!(row.assignment.role, case.role);
            assert!(!row.unit_name.is_empty());
            assert!(
                !row.lead_deputy.is_empty(),
                "every demo suggestion has a lead deputy"
            );
            if let Some(day) = row.replied_on {
                assert!(day >= row.assignment.assigned_on);
                let log = store.audit_log(row.assignment.id.as_str()).unwrap();
                assert!(log
                    .iter()
                    .any(|e| e.state_after == Some(CaseState::Submitted)
                        || e.state_after == Some(CaseState::Concluded)));
            }
        }
        assert!(
            input.rows.iter().any(|r| r.replied_on.is_some()),
            "the demo history sends some replies"
        );
        // The rows feed the figures: counted assignments are these rows.
        let f = Figures::compute(
            &input.rows,
            Scope::City,
            today,
            &WorkingCalendar::national(),
        );
        assert_eq!(f.assignments, input.rows.len() as u64);
    }

    #[test]
    fn one_unit_gets_only_its_rows() {
        let (_tmp, store) = demo_store();
        let all = store.stats_input(None, None).unwrap().unwrap();
        let unit = all
            .rows
            .iter()
            .find(|r| r.assignment.role == HandlingRole::Lead)
            .unwrap()
            .assignment
            .unit_id
            .clone();
        let own = store
            .stats_input(Some(all.session.id.as_str()), Some(unit.as_str()))
            .unwrap()
            .unwrap();
        assert!(!own.rows.is_empty());
        assert!(
            own.rows.len() < all.rows.len(),
            "the demo has several units"
        );
        assert!(own.rows.iter().all(|r| r.assignment.unit_id == unit));
        assert_eq!(
            own.rows.len(),
            all.rows
                .iter()
                .filter(|r| r.assignment.unit_id == unit)
                .count()
        );
        assert_eq!(own.suggestions_total, all.suggestions_total);
    }

    #[test]
    fn a_submit_sets_the_reply_day_to_the_day_it_happened() {
        let (_tmp, store) = demo_store();
        let input = store.stats_input(None, None).unwrap().unwrap();
        for row in input.rows.iter().filter(|r| r.replied_on.is_some()) {
            let log = store.audit_log(row.assignment.id.as_str()).unwrap();
            let first = log
                .iter()
                .find(|e| {
                    matches!(
                        e.state_after,
                        Some(CaseState::Submitted | CaseState::Evaluated | CaseState::Concluded)
                    ) && !matches!(
                        e.state_before,
                        None | Some(
                            CaseState::Submitted | CaseState::Evaluated | CaseState::Concluded
                        )
                    )
                })
                .unwrap();
            assert_eq!(row.replied_on, Some(first.at.date()));
        }
    }
}
