//! The wire shapes the desktop's sync client relies on.

use jianban_protocol::*;
use serde_json::json;

#[test]
fn entity_codes_are_their_serde_names() {
    for e in [
        Entity::Session,
        Entity::Unit,
        Entity::Deputy,
        Entity::Suggestion,
        Entity::Assignment,
        Entity::Contact,
        Entity::Draft,
        Entity::Opinion,
        Entity::Calendar,
        Entity::Notice,
    ] {
        assert_eq!(serde_json::to_value(e).unwrap(), json!(e.code()));
        assert_eq!(Entity::from_code(e.code()), Some(e));
    }
}

#[test]
fn an_outbox_row_is_a_push_command_and_unknown_fields_are_refused() {
    let row = json!({
        "seq": 7, "command_id": "c7", "assignment_id": "a039-fgw", "base_version": 3,
        "kind": "receive", "payload": {"type": "receive"}, "created_at": "2024-05-06T09:30:00"
    });
    let cmd: PushCommand = serde_json::from_value(row.clone()).unwrap();
    assert_eq!(cmd.seq, 7);
    assert_eq!(serde_json::to_value(&cmd).unwrap(), row);
    let mut extra = row;
    extra["unexpected"] = json!(1);
    assert!(serde_json::from_value::<PushCommand>(extra).is_err());
}

#[test]
fn errors_carry_code_and_message_and_only_the_extras_they_need() {
    let e = ErrorBody::new("sync.sequence_gap", "同步序号不连续");
    assert_eq!(
        serde_json::to_value(&e).unwrap(),
        json!({"code": "sync.sequence_gap", "message": "同步序号不连续"})
    );
    assert_eq!(
        serde_json::to_value(CommandStatus::Duplicate).unwrap(),
        json!("duplicate")
    );
}
