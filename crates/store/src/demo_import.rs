//! Loads the demo data set by replaying its history through the real rules,
//! so every demo case, revision, contact and audit entry is what the app
//! itself would have written.

use chrono::{Local, NaiveDate};

use jianban_domain::demo::{script, DemoData, DemoStep};
use jianban_domain::*;

use crate::cases::{self, ContactInput, Ctx, Outbox};
use crate::error::{Result, StoreError};
use crate::reference;
use crate::Store;

impl Store {
    /// Loads the demo data as of today.
    pub fn import_demo(&mut self, demo: &DemoData) -> Result<()> {
        self.import_demo_as_of(demo, Local::now().date_naive())
    }

    /// Loads the demo data with deadlines counted from `today`. All or
    /// nothing: one transaction.
    pub fn import_demo_as_of(&mut self, demo: &DemoData, today: NaiveDate) -> Result<()> {
        let Store {
            conn,
            calendar,
            policy,
            ..
        } = self;
        let tx = conn.transaction()?;
        for s in &demo.sessions {
            tx.execute(
                "INSERT INTO sessions (id, name, year) VALUES (?1, ?2, ?3)",
                rusqlite::params![s.id.as_str(), s.name, s.year],
            )?;
        }
        for d in &demo.deputies {
            tx.execute(
                "INSERT INTO deputies (id, name, delegation) VALUES (?1, ?2, ?3)",
                rusqlite::params![d.id.as_str(), d.name, d.delegation],
            )?;
        }
        for u in &demo.units {
            tx.execute(
                "INSERT INTO units (id, name, doc_prefix) VALUES (?1, ?2, ?3)",
                rusqlite::params![u.id.as_str(), u.name, u.doc_prefix],
            )?;
        }
        for s in &demo.suggestions {
            reference::insert_suggestion(&tx, s)?;
        }
        for a in &demo.assignments {
            let assignment = Assignment {
                id: a.id.clone(),
                suggestion_id: a.suggestion_id.clone(),
                unit_id: a.unit_id.clone(),
                role: a.role,
                assigned_on: DemoData::assigned_on(a, today),
            };
            reference::create_assignment(&tx, &assignment, None, policy, calendar)?;
        }
        // Co-handlers act first: their opinions reach the lead before it submits.
        let mut ordered: Vec<_> = demo.assignments.iter().collect();
        ordered.sort_by_key(|a| a.role != HandlingRole::CoHandler);
        for a in ordered {
            for timed in script(demo, a, today) {
                let role = match &timed.step {
                    DemoStep::Act(role, _) => *role,
                    _ => UserRole::Liaison,
                };
                let unit = (role != UserRole::OfficeStaff).then_some(&a.unit_id);
                let user = demo.user(unit, role).ok_or_else(|| {
                    StoreError::Data(format!("演示数据缺少{}账号", role.label_zh()))
                })?;
                let actor = user.actor();
                let ctx = Ctx {
                    actor: &actor,
                    now: timed.at,
                    calendar,
                    policy,
                    outbox: Outbox::Skip,
                };
                let id = a.id.as_str();
                match &timed.step {
                    DemoStep::Contact(mode, summary) => {
                        let deputy = demo
                            .suggestion(&a.suggestion_id)
                            .and_then(|s| demo.deputy(&s.lead_deputy))
                            .map_or(String::new(), |d| format!("{}代表", d.name));
                        let input = ContactInput {
                            mode: *mode,
                            date: timed.at.date(),
                            people: format!("{deputy}；{}", actor.name),
                            summary: summary.clone(),
                        };
                        cases::record_contact(&tx, id, &input, &ctx)?;
                    }
                    DemoStep::SaveDraft(content) => {
                        cases::save_draft(&tx, id, content, &ctx, None)?;
                    }
                    DemoStep::Act(_, action) => {
                        let payload = serde_json::to_value(action)?;
                        cases::transition(&tx, id, action, &ctx, action.code(), payload)?;
                    }
                }
            }
            let (case, _) = cases::load_case(&tx, a.id.as_str())?;
            if case.state != a.state {
                return Err(StoreError::Data(format!(
                    "演示数据 {} 应为“{}”，实为“{}”",
                    a.id,
                    a.state.label_zh(),
                    case.state.label_zh()
                )));
            }
        }
        tx.commit()?;
        Ok(())
    }
}
