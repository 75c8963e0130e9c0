//! `serve --demo`: the shared demo data set, replayed through the same rules
//! and in the same order as the desktop's demo import (`jianban-store`), as
//! of today, so desktop and server show the same cases.

use chrono::{Local, NaiveDate};
use serde_json::json;

use jianban_domain::demo::{script, DemoData, DemoStep};
use jianban_domain::*;
use jianban_protocol::{Entity, SaveDraftPayload};

use crate::error::{ApiError, ApiResult};
use crate::params;
use crate::service::accounts::hash_password;
use crate::service::changes::{emit, EVERYONE};
use crate::service::import::insert_suggestion;
use crate::service::{Caller, Service};
use jianban_signoff::{sign, Decision, DecisionRecord, UnlockedKey};
use std::collections::HashMap;

impl Service {
    /// Loads the demo once; `false` when it was already there.
    pub fn load_demo(&self, demo: &DemoData) -> ApiResult<bool> {
        self.load_demo_as_of(demo, Local::now().date_naive())
    }

    pub fn load_demo_as_of(&self, demo: &DemoData, today: NaiveDate) -> ApiResult<bool> {
        let loaded = self
            .db
            .read(|tx| tx.query_opt("SELECT value FROM meta WHERE key = 'demo_loaded'", &[]))?;
        if loaded.is_some() {
            return Ok(false);
        }
        // Hashing is slow on purpose; do it before taking the write lock.
        let hashes: Vec<String> = demo
            .users
            .iter()
            .map(|_| hash_password(jianban_domain::demo::DEMO_PASSWORD))
            .collect();
        let system = Actor {
            user: UserId::new("demo"),
            name: "演示数据".into(),
            role: UserRole::OfficeStaff,
            unit: None,
        };
        self.db.write(|tx| -> ApiResult<bool> {
            if tx
                .query_opt("SELECT value FROM meta WHERE key = 'demo_loaded'", &[])?
                .is_some()
            {
                return Ok(false);
            }
            for s in &demo.sessions {
                tx.exec(
                    "INSERT INTO sessions (id, name, year) VALUES ($1, $2, $3)",
                    params![s.id.as_str(), &s.name, s.year as i64],
                )?;
                emit(tx, Entity::Session, s.id.as_str(), EVERYONE, s)?;
            }
            for d in &demo.deputies {
                tx.exec(
                    "INSERT INTO deputies (id, name, delegation) VALUES ($1, $2, $3)",
                    params![d.id.as_str(), &d.name, &d.delegation],
                )?;
                emit(tx, Entity::Deputy, d.id.as_str(), crate::service::changes::OFFICE, d)?;
            }
            for u in &demo.units {
                tx.exec(
                    "INSERT INTO units (id, name, doc_prefix) VALUES ($1, $2, $3)",
                    params![u.id.as_str(), &u.name, &u.doc_prefix],
                )?;
                emit(tx, Entity::Unit, u.id.as_str(), EVERYONE, u)?;
            }
            for (u, hash) in demo.users.iter().zip(&hashes) {
                let role = serde_json::to_value(u.role).map_err(crate::db::DbError::from)?;
                tx.exec(
                    "INSERT INTO users (id, name, role, unit_id, password_hash) VALUES ($1, $2, $3, $4, $5)",
                    params![
                        u.id.as_str(),
                        &u.name,
                        role.as_str().unwrap_or_default(),
                        u.unit.as_ref().map(|x| x.to_string()),
                        hash
                    ],
                )?;
            }
            for s in &demo.suggestions {
                insert_suggestion(tx, s)?;
            }
            for a in &demo.assignments {
                let assignment = Assignment {
                    id: a.id.clone(),
                    suggestion_id: a.suggestion_id.clone(),
                    unit_id: a.unit_id.clone(),
                    role: a.role,
                    assigned_on: DemoData::assigned_on(a, today),
                };
                let at = assignment.assigned_on.and_hms_opt(9, 0, 0).expect("valid time");
                self.create_assignment(tx, &system, at, &assignment)?;
            }
            let mut demo_keys: HashMap<UserId, UnlockedKey> = HashMap::new();
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
                        ApiError::Internal(format!("demo data lacks a {role:?} account"))
                    })?;
                    let actor = user.actor();
                    let id = a.id.as_str();
                    match &timed.step {
                        DemoStep::Contact(mode, summary) => {
                            let deputy = demo
                                .suggestion(&a.suggestion_id)
                                .and_then(|s| demo.deputy(&s.lead_deputy))
                                .map_or(String::new(), |d| format!("{}代表", d.name));
                            let record = ContactRecord {
                                id: uuid::Uuid::new_v4().to_string(),
                                assignment_id: a.id.clone(),
                                mode: *mode,
                                date: timed.at.date(),
                                people: format!("{deputy}；{}", actor.name),
                                summary: summary.clone(),
                            };
                            self.record_contact(tx, &actor, timed.at, id, &record)?;
                        }
                        DemoStep::SaveDraft(content) => {
                            let payload = SaveDraftPayload {
                                revision: 1,
                                hash: content.content_hash(),
                                content: content.clone(),
                            };
                            self.save_draft(tx, &actor, timed.at, id, &payload)?;
                        }
                        DemoStep::Act(_, action @ (Action::Approve { .. } | Action::ReturnToDrafter { .. })) => {
                            // Approvals are only ever signed decisions, in
                            // the demo as in real use.
                            let key = demo_keys.entry(actor.user.clone()).or_insert_with(UnlockedKey::ephemeral);
                            let registered = tx.query_opt(
                                "SELECT 1 FROM signing_keys WHERE user_id = $1 AND public_key = $2",
                                params![actor.user.as_str(), key.public_key_hex()],
                            )?;
                            if registered.is_none() {
                                tx.exec(
                                    "INSERT INTO signing_keys (user_id, public_key, registered_at) VALUES ($1, $2, $3)",
                                    params![actor.user.as_str(), key.public_key_hex(), timed.at.format("%Y-%m-%dT%H:%M:%S").to_string()],
                                )?;
                            }
                            let case = crate::service::cases::load(tx, id)?
                                .ok_or_else(|| ApiError::Internal(format!("demo case {id} missing")))?
                                .case;
                            let step = case.approvals.len();
                            let (decision, revision, comment) = match action {
                                Action::Approve { revision, comment } => (Decision::Approve, revision.clone(), comment.clone()),
                                Action::ReturnToDrafter { comment } => (
                                    Decision::Return,
                                    case.draft.as_ref().map_or_else(|| RevisionHash(String::new()), |d| d.hash.clone()),
                                    comment.clone(),
                                ),
                                _ => unreachable!("matched above"),
                            };
                            let signed = sign(
                                DecisionRecord {
                                    assignment_id: a.id.clone(),
                                    revision,
                                    step,
                                    step_title: case.approval_chain.get(step).map_or_else(String::new, |s| s.title.clone()),
                                    signer: actor.user.clone(),
                                    signer_name: actor.name.clone(),
                                    role: actor.role,
                                    decision,
                                    comment,
                                    at: timed.at,
                                },
                                key,
                            );
                            let caller = Caller { actor: actor.clone(), device_id: "demo".into() };
                            let detail = json!({ "signed_decision": signed });
                            self.apply_signed_decision(tx, &caller, timed.at, id, &signed, detail)
                                .map_err(|e| ApiError::Internal(format!("demo approval of {id}: {e}")))?;
                        }
                        DemoStep::Act(_, action) => {
                            let detail = serde_json::to_value(action)
                                .map_err(crate::db::DbError::from)?;
                            self.transition(tx, &actor, timed.at, id, action, action.code(), detail)?;
                        }
                    }
                }
                let st = crate::service::cases::load(tx, a.id.as_str())?
                    .ok_or_else(|| ApiError::Internal(format!("demo case {} missing", a.id)))?;
                if st.case.state != a.state {
                    return Err(ApiError::Internal(format!(
                        "demo case {} should be {:?}, is {:?}",
                        a.id, a.state, st.case.state
                    )));
                }
            }
            tx.exec(
                "INSERT INTO meta (key, value) VALUES ('demo_loaded', $1)",
                params![json!({ "as_of": today }).to_string()],
            )?;
            Ok(true)
        })
    }
}
