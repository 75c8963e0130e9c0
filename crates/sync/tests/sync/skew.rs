//! Version skew: an older client against a newer server, and a newer
//! client's unknown command against this server.

use super::*;
use jianban_protocol::{CommandStatus, PushCommand, PushRequest, PROTOCOL_HEADER};

#[test]
fn an_old_client_is_told_to_upgrade() {
    let server = ServerProcess::demo();
    let err = ureq::get(&format!("{}/v1/sync/changes?after=0", server.url()))
        .set(PROTOCOL_HEADER, "0")
        .call()
        .unwrap_err();
    let ureq::Error::Status(status, response) = err else {
        panic!("{err:?}")
    };
    assert_eq!(status, 426);
    let body: jianban_protocol::ErrorBody = response.into_json().unwrap();
    assert_eq!(body.code, "protocol.upgrade_required");
    assert!(body.message.contains("升级"), "{}", body.message);
    // No header at all is the oldest client of all.
    let err = ureq::get(&format!("{}/v1/sync/changes?after=0", server.url()))
        .call()
        .unwrap_err();
    assert!(matches!(err, ureq::Error::Status(426, _)));
}

#[test]
fn a_newer_clients_unknown_command_is_refused_alone() {
    let server = ServerProcess::demo();
    let mut unit = Desktop::new(&server.url(), "zjj-liaison");
    unit.sync_until_ok(1).unwrap();
    let before = unit.cases()["a006-zjj"].clone();
    let client = ServerClient::new(
        ServerConfig::new(server.url()),
        "future-device",
        "新版本",
        None,
    )
    .unwrap();
    client.login("zjj-liaison", DEMO_PASSWORD).unwrap();
    let now = chrono::Local::now().naive_local();
    let command = |seq: i64, kind: &str, payload: serde_json::Value| PushCommand {
        seq,
        command_id: format!("future-{seq}"),
        assignment_id: "a006-zjj".into(),
        base_version: before.version,
        kind: kind.into(),
        payload,
        created_at: now,
    };
    let response = client
        .push(&PushRequest {
            device_id: "future-device".into(),
            commands: vec![
                command(
                    1,
                    "teleport",
                    serde_json::json!({ "type": "teleport", "to": "moon" }),
                ),
                command(2, "receive", serde_json::json!({ "type": "receive" })),
            ],
        })
        .unwrap();
    assert_eq!(response.results[0].status, CommandStatus::Rejected);
    assert!(response.results[0]
        .error
        .as_ref()
        .unwrap()
        .message
        .chars()
        .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)));
    assert_eq!(response.results[1].status, CommandStatus::Applied);
    unit.sync_until_ok(1).unwrap();
    let mut office = Desktop::new(&server.url(), "office1");
    office.sync_until_ok(1).unwrap();
    assert_eq!(unit.cases()["a006-zjj"].state, CaseState::Received);
    assert_converged(&mut unit, &mut office);
}

#[test]
fn responses_with_fields_from_a_newer_server_still_parse() {
    let json = r#"{"changes":[],"next_after":5,"has_more":false,"remaining":0,"checkpoint":"x"}"#;
    let page: jianban_protocol::ChangesResponse = serde_json::from_str(json).unwrap();
    assert_eq!(page.next_after, 5);
}
