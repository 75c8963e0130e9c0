//! Signed approvals through sync: the server accepts a decision only when
//! it is signed with the approver's registered key.

use super::*;
use jianban_protocol::{KeyReceipt, RegisterKeyRequest};
use jianban_store::{Account, Decision};

#[test]
fn a_signed_approval_is_verified_by_the_server_and_the_reply_goes_out() {
    let server = ServerProcess::demo();
    let mut pc = Desktop::new(&server.url(), "zjj-liaison");
    pc.sync_until_ok(1).unwrap();
    for (id, role) in [
        ("zjj-liaison", UserRole::Liaison),
        ("zjj-head", UserRole::Head),
    ] {
        let account = Account {
            user_id: UserId::new(id),
            name: id.into(),
            role,
            unit_id: Some(UnitId::new("zjj")),
        };
        pc.store().add_account(&account, DEMO_PASSWORD).unwrap();
    }
    let now = chrono::Local::now().naive_local();
    // The head logs in on the liaison's PC: the signing key is made now.
    let head = pc.store().login("zjj-head", DEMO_PASSWORD, now).unwrap();
    let id = "a171-zjj";
    assert_eq!(
        pc.store().case(id).unwrap().state,
        CaseState::AwaitingApproval
    );
    let revision = pc
        .store()
        .current_draft(id)
        .unwrap()
        .expect("the draft came with the pull")
        .hash;

    // Before the key is registered the server cannot trust the signature.
    pc.store()
        .decide(id, &head, Decision::Approve, &revision, "同意", now)
        .unwrap();
    pc.sync_until_ok(1).unwrap();
    assert_eq!(
        pc.store().case(id).unwrap().state,
        CaseState::AwaitingApproval
    );
    let notices = pc.store().notices(true).unwrap();
    assert!(
        notices
            .iter()
            .any(|n| n.kind == "rejected" && n.message.contains("登记")),
        "{notices:?}"
    );

    // The head registers the key with the server, then signs again.
    let head_client =
        ServerClient::new(ServerConfig::new(server.url()), "head-pc", "局长电脑", None).unwrap();
    head_client.login("zjj-head", DEMO_PASSWORD).unwrap();
    let key = head.key.as_ref().unwrap().public_key_hex();
    let receipt: KeyReceipt = head_client
        .post("/v1/auth/keys", &RegisterKeyRequest { public_key: key })
        .unwrap();
    assert!(receipt.created);
    // A liaison cannot register keys.
    let liaison_client =
        ServerClient::new(ServerConfig::new(server.url()), "l-pc", "联络员电脑", None).unwrap();
    liaison_client.login("zjj-liaison", DEMO_PASSWORD).unwrap();
    let err = liaison_client
        .post::<_, KeyReceipt>(
            "/v1/auth/keys",
            &RegisterKeyRequest {
                public_key: receipt.public_key.clone(),
            },
        )
        .unwrap_err();
    assert!(
        matches!(err, SyncError::Server { status: 403, .. }),
        "{err:?}"
    );

    pc.store()
        .decide(id, &head, Decision::Approve, &revision, "同意", now)
        .unwrap();
    pc.sync_until_ok(1).unwrap();
    assert_eq!(pc.store().case(id).unwrap().state, CaseState::SignedOff);
    let sign_off = pc.store().sign_off(id).unwrap();
    assert_eq!(sign_off.revision, revision);

    let liaison = pc.actor();
    pc.store()
        .apply(id, &Action::Submit, &liaison, now)
        .unwrap();
    pc.sync_until_ok(1).unwrap();
    let mut office = Desktop::new(&server.url(), "office1");
    office.sync_until_ok(1).unwrap();
    assert_eq!(office.store().case(id).unwrap().state, CaseState::Submitted);
    assert_converged(&mut pc, &mut office);
}
