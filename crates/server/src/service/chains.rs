//! Each unit's approval chain (审核流程), e.g. 承办科室负责人 → 分管领导 →
//! 主要负责人. The office or the unit's head sets it; new cases take it, and
//! so do the unit's open cases that are not in a round of approval (a round
//! under way keeps the chain its approvers sign under).

use chrono::NaiveDateTime;
use serde_json::json;

use jianban_domain::workflow::{default_approval_chain, validate_chain};
use jianban_domain::{Actor, ApprovalStep, UserRole};
use jianban_protocol::ApprovalChain;

use super::cases::{audit, emit_snapshot, load, write_case, AuditRecord};
use super::Service;
use crate::db::{DbError, Tx};
use crate::error::{ApiError, ApiResult};
use crate::params;

/// The chain new cases of `unit` get.
pub(crate) fn chain_of(tx: &mut dyn Tx, unit: &str) -> Result<Vec<ApprovalStep>, DbError> {
    match tx.query_opt(
        "SELECT chain_json FROM approval_chains WHERE unit_id = $1",
        params![unit],
    )? {
        Some(row) => row.json(0),
        None => Ok(default_approval_chain()),
    }
}

fn unit_exists(tx: &mut dyn Tx, unit: &str) -> Result<bool, DbError> {
    Ok(tx
        .query_opt("SELECT 1 FROM units WHERE id = $1", params![unit])?
        .is_some())
}

fn may_read(actor: &Actor, unit: &str) -> bool {
    actor.role == UserRole::OfficeStaff || actor.unit.as_ref().is_some_and(|u| u.as_str() == unit)
}

fn may_set(actor: &Actor, unit: &str) -> bool {
    actor.role == UserRole::OfficeStaff
        || (actor.role == UserRole::Head && actor.unit.as_ref().is_some_and(|u| u.as_str() == unit))
}

impl Service {
    /// `GET /v1/units/{id}/approval-chain`.
    pub fn approval_chain(&self, actor: &Actor, unit: &str) -> ApiResult<ApprovalChain> {
        if !may_read(actor, unit) {
            return Err(ApiError::Forbidden("只能查看本单位的审核流程。".into()));
        }
        self.db.read(|tx| -> ApiResult<ApprovalChain> {
            if !unit_exists(tx, unit)? {
                return Err(ApiError::NotFound(format!("单位“{unit}”")));
            }
            Ok(ApprovalChain {
                unit_id: unit.to_string(),
                steps: chain_of(tx, unit)?,
                cases_updated: 0,
            })
        })
    }

    /// `PUT /v1/units/{id}/approval-chain`: by the office or the unit's head.
    pub fn set_approval_chain(
        &self,
        actor: &Actor,
        unit: &str,
        steps: &[ApprovalStep],
    ) -> ApiResult<ApprovalChain> {
        if !may_set(actor, unit) {
            return Err(ApiError::Forbidden(
                "审核流程只能由本单位主要负责人或市政府办公室设置。".into(),
            ));
        }
        for s in steps {
            jianban_domain::validate::check_required_line("审核步骤名称", &s.title)?;
        }
        validate_chain(steps)?;
        let now = self.now();
        self.db.write(|tx| -> ApiResult<ApprovalChain> {
            if !unit_exists(tx, unit)? {
                return Err(ApiError::NotFound(format!("单位“{unit}”")));
            }
            let chain_json = serde_json::to_string(steps).map_err(DbError::from)?;
            let at = now.format("%Y-%m-%dT%H:%M:%S").to_string();
            tx.exec(
                "DELETE FROM approval_chains WHERE unit_id = $1",
                params![unit],
            )?;
            tx.exec(
                "INSERT INTO approval_chains (unit_id, chain_json, set_by, set_at) VALUES ($1, $2, $3, $4)",
                params![unit, &chain_json, actor.user.as_str(), &at],
            )?;
            audit(
                tx,
                &AuditRecord::without_assignment(
                    now,
                    actor,
                    "set_approval_chain",
                    json!({ "unit_id": unit, "steps": steps }),
                ),
            )?;
            let cases_updated = apply_to_open_cases(tx, actor, now, unit, steps)?;
            Ok(ApprovalChain {
                unit_id: unit.to_string(),
                steps: steps.to_vec(),
                cases_updated,
            })
        })
    }
}

/// Puts the unit's open cases that are not in approval under the new chain.
fn apply_to_open_cases(
    tx: &mut dyn Tx,
    actor: &Actor,
    now: NaiveDateTime,
    unit: &str,
    steps: &[ApprovalStep],
) -> ApiResult<u32> {
    let ids: Vec<String> = tx
        .query(
            "SELECT id FROM assignments WHERE unit_id = $1 ORDER BY id",
            params![unit],
        )?
        .iter()
        .map(|r| r.text(0))
        .collect::<Result<_, _>>()?;
    let mut updated = 0;
    for id in ids {
        let Some(mut st) = load(tx, &id)? else {
            continue;
        };
        let Some(next) = st.case.with_approval_chain(steps)? else {
            continue;
        };
        write_case(tx, &next)?;
        let state = next.state;
        st.case = next;
        emit_snapshot(tx, &st)?;
        audit(
            tx,
            &AuditRecord {
                at: now,
                actor,
                assignment_id: Some(&id),
                action: "set_approval_chain",
                detail: json!({ "steps": steps }),
                before: Some(state),
                after: Some(state),
            },
        )?;
        updated += 1;
    }
    Ok(updated)
}
