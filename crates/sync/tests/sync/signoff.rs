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

    // Signing again is a new decision (a later time, a new signature); an
    // identical record would be the refused decision replayed.
    pc.store()
        .decide(
            id,
            &head,
            Decision::Approve,
            &revision,
            "同意",
            now + chrono::Duration::minutes(1),
        )
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

/// The head approves on their own PC; the liaison's PC learns the signed
/// decision by sync, verifies the sign-off itself and sends the reply.
#[test]
fn a_head_approves_on_their_own_pc_and_the_liaison_can_verify_and_submit() {
    let server = ServerProcess::demo();
    let mut liaison_pc = Desktop::new(&server.url(), "zjj-liaison");
    liaison_pc.sync_until_ok(1).unwrap();
    let mut head_pc = Desktop::new(&server.url(), "zjj-head");
    head_pc.sync_until_ok(1).unwrap();
    head_pc
        .store()
        .add_account(
            &Account {
                user_id: UserId::new("zjj-head"),
                name: "局长".into(),
                role: UserRole::Head,
                unit_id: Some(UnitId::new("zjj")),
            },
            DEMO_PASSWORD,
        )
        .unwrap();
    let now = chrono::Local::now().naive_local();
    let head = head_pc
        .store()
        .login("zjj-head", DEMO_PASSWORD, now)
        .unwrap();
    let key = head.key.as_ref().unwrap().public_key_hex();
    let _: KeyReceipt = head_pc
        .engine
        .client()
        .post("/v1/auth/keys", &RegisterKeyRequest { public_key: key })
        .unwrap();

    let id = "a171-zjj";
    let revision = head_pc.store().current_draft(id).unwrap().unwrap().hash;
    // Before the head decides, the liaison's PC cannot find a sign-off.
    assert!(liaison_pc.store().sign_off(id).is_err());
    head_pc
        .store()
        .decide(id, &head, Decision::Approve, &revision, "同意报出", now)
        .unwrap();
    head_pc.sync_until_ok(1).unwrap();

    liaison_pc.sync_until_ok(1).unwrap();
    assert_eq!(
        liaison_pc.store().case(id).unwrap().state,
        CaseState::SignedOff
    );
    let sign_off = liaison_pc
        .store()
        .sign_off(id)
        .expect("the signed decision and its key came with the pull");
    assert_eq!(sign_off.revision, revision);
    let history = liaison_pc.store().decision_history(id).unwrap();
    assert_eq!(history.len(), 1, "kept once: {history:?}");
    assert_eq!(history[0].record.comment, "同意报出");
    // Pulling again does not duplicate it; the head's own PC keeps one copy
    // of its own decision although the feed sends it back.
    liaison_pc.sync_until_ok(1).unwrap();
    assert_eq!(liaison_pc.store().decision_history(id).unwrap().len(), 1);
    assert_eq!(head_pc.store().decision_history(id).unwrap().len(), 1);

    let liaison = liaison_pc.actor();
    liaison_pc
        .store()
        .apply(id, &Action::Submit, &liaison, now)
        .unwrap();
    liaison_pc.sync_until_ok(1).unwrap();
    let mut office = Desktop::new(&server.url(), "office1");
    office.sync_until_ok(1).unwrap();
    assert_eq!(office.store().case(id).unwrap().state, CaseState::Submitted);
}

/// The demo data set's signed-off replies carry real signatures: a desktop
/// verifies them after its first sync, and the server accepts the reply.
#[test]
fn demo_sign_offs_verify_on_the_desktop() {
    let server = ServerProcess::demo();
    let mut pc = Desktop::new(&server.url(), "wjw-liaison");
    pc.sync_until_ok(1).unwrap();
    let id = "a029-wjw";
    assert_eq!(pc.store().case(id).unwrap().state, CaseState::SignedOff);
    let sign_off = pc.store().sign_off(id).unwrap();
    assert_eq!(
        sign_off.revision,
        pc.store().current_draft(id).unwrap().unwrap().hash
    );
    assert_eq!(sign_off.verification_code.len(), 19);
}
