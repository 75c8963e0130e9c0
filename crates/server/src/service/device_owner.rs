//! Who a device belongs to. A device id is registered by the first login
//! that names it and stays that user's (a login by anyone else is refused
//! with `auth.device_taken`) until the office moves it here.

use serde_json::json;

use jianban_domain::Actor;

use crate::error::{ApiError, ApiResult};
use crate::params;
use crate::service::cases::{audit, AuditRecord};
use crate::service::office::require_office;
use crate::service::Service;

impl Service {
    /// Gives device `id` to user `to_user`. The previous user's refresh
    /// tokens for it are deleted, so their sessions on that PC end (their
    /// next refresh answers "log in again", and the login is then refused
    /// as the device is no longer theirs). The outbox sequence stays: it is
    /// the same PC's store.
    pub fn move_device(&self, actor: &Actor, id: &str, to_user: &str) -> ApiResult<()> {
        require_office(actor)?;
        let now = self.now();
        self.db.write(|tx| -> ApiResult<()> {
            let from_user = tx
                .query_opt("SELECT user_id FROM devices WHERE id = $1", params![id])?
                .ok_or_else(|| ApiError::NotFound(format!("设备“{id}”")))?
                .text(0)?;
            if tx
                .query_opt("SELECT id FROM users WHERE id = $1", params![to_user])?
                .is_none()
            {
                return Err(ApiError::NotFound(format!("用户“{to_user}”")));
            }
            if from_user == to_user {
                return Ok(());
            }
            tx.exec(
                "UPDATE devices SET user_id = $2 WHERE id = $1",
                params![id, to_user],
            )?;
            tx.exec(
                "DELETE FROM refresh_tokens WHERE device_id = $1 AND user_id = $2",
                params![id, &from_user],
            )?;
            audit(
                tx,
                &AuditRecord::without_assignment(
                    now,
                    actor,
                    "move_device",
                    json!({ "device_id": id, "from_user": from_user, "to_user": to_user }),
                ),
            )?;
            Ok(())
        })
    }
}
