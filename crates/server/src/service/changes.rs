//! The change feed: one total order (a counter allocated under the write
//! lock), latest state per entity and audience, read after a cursor.
//!
//! Audience of a row: `*` everyone; `o` the office; `u:{unit}` the unit and
//! the office; `c:{unit}` a copy of reference data for the unit only (the
//! office already has the original).

use serde::Serialize;

use jianban_protocol::{Change, ChangesResponse, Entity, DEFAULT_CHANGES_LIMIT, MAX_CHANGES_LIMIT};

use crate::db::{next_counter, DbError, Tx};
use crate::error::{ApiError, ApiResult};
use crate::params;
use crate::service::{Caller, Service};

pub const EVERYONE: &str = "*";
pub const OFFICE: &str = "o";

pub fn unit_audience(unit: &str) -> String {
    format!("u:{unit}")
}

pub fn unit_copy(unit: &str) -> String {
    format!("c:{unit}")
}

/// Records the latest state of an entity for an audience. The entity's
/// earlier row for the same audience is dropped: a pull gets each entity
/// once, at its newest position, and a client behind the old position still
/// gets the new one.
pub fn emit(
    tx: &mut dyn Tx,
    entity: Entity,
    id: &str,
    audience: &str,
    data: &impl Serialize,
) -> Result<i64, DbError> {
    let json = serde_json::to_string(data)?;
    tx.exec(
        "DELETE FROM changes WHERE entity = $1 AND entity_id = $2 AND audience = $3",
        params![entity.code(), id, audience],
    )?;
    let seq = next_counter(tx, "change")?;
    tx.exec(
        "INSERT INTO changes (seq, entity, entity_id, audience, data) VALUES ($1, $2, $3, $4, $5)",
        params![seq, entity.code(), id, audience, json],
    )?;
    Ok(seq)
}

impl Service {
    /// The caller's changes after `after`, oldest first.
    pub fn changes(
        &self,
        caller: &Caller,
        after: i64,
        limit: Option<u32>,
    ) -> ApiResult<ChangesResponse> {
        if after < 0 {
            return Err(ApiError::bad_request(
                "sync.bad_cursor",
                "同步位置（after）不能为负数，请从0开始。",
            ));
        }
        let limit = limit
            .unwrap_or(DEFAULT_CHANGES_LIMIT)
            .clamp(1, MAX_CHANGES_LIMIT) as i64;
        let office = caller.is_office();
        let unit = caller
            .actor
            .unit
            .as_ref()
            .map(|u| u.as_str().to_string())
            .unwrap_or_default();
        let (u, c) = (unit_audience(&unit), unit_copy(&unit));
        self.db.read(|tx| -> ApiResult<ChangesResponse> {
            let rows = if office {
                tx.query(
                    "SELECT seq, entity, entity_id, data FROM changes
                      WHERE seq > $1 AND audience NOT LIKE 'c:%' ORDER BY seq LIMIT $2",
                    params![after, limit],
                )?
            } else {
                tx.query(
                    "SELECT seq, entity, entity_id, data FROM changes
                      WHERE seq > $1 AND audience IN ('*', $2, $3) ORDER BY seq LIMIT $4",
                    params![after, &u, &c, limit],
                )?
            };
            let mut changes = Vec::with_capacity(rows.len());
            for r in rows {
                let entity = r.text(1)?;
                changes.push(Change {
                    seq: r.int(0)?,
                    entity: Entity::from_code(&entity)
                        .ok_or_else(|| DbError::Decode(format!("unknown entity {entity}")))?,
                    id: r.text(2)?,
                    data: serde_json::from_str(&r.text(3)?).map_err(DbError::from)?,
                });
            }
            let next_after = changes.last().map_or(after, |c| c.seq);
            let remaining = if office {
                tx.query_one(
                    "SELECT COUNT(*) FROM changes WHERE seq > $1 AND audience NOT LIKE 'c:%'",
                    params![next_after],
                )?
            } else {
                tx.query_one(
                    "SELECT COUNT(*) FROM changes WHERE seq > $1 AND audience IN ('*', $2, $3)",
                    params![next_after, &u, &c],
                )?
            }
            .int(0)? as u64;
            Ok(ChangesResponse {
                changes,
                next_after,
                has_more: remaining > 0,
                remaining,
            })
        })
    }
}
