//! Signed approvals in the store: 不审核不答复.

use super::*;
use jianban_store::{Account, Decision, KeyVault, Session};

const HEAD_PASSWORD: &str = "局长的密码2024";
const LIAISON_PASSWORD: &str = "联络员密码2024";

fn reply(body: &str) -> ReplyContent {
    ReplyContent {
        category: Some(ResultCategory::A),
        title: "关于市六届人大三次会议第196号建议的答复".into(),
        salutation: "张建国代表：".into(),
        body: body.into(),
        contact_person: "王晓梅".into(),
        contact_phone: "0557-3012345".into(),
        ..Default::default()
    }
}

fn accounts(t: &mut TestStore) {
    for (role, pw) in [
        (UserRole::Head, HEAD_PASSWORD),
        (UserRole::Liaison, LIAISON_PASSWORD),
    ] {
        let actor = demo_actor("zjj", role);
        t.store
            .add_account(
                &Account {
                    user_id: actor.user,
                    name: actor.name,
                    role,
                    unit_id: actor.unit,
                },
                pw,
            )
            .unwrap();
    }
}

/// 196 drafted, contacted and sent for approval (after the co-handlers'
/// deadline, so the lead may go ahead without their opinions).
fn awaiting_approval() -> (TestStore, Session, Session, RevisionHash) {
    let mut t = demo_store();
    accounts(&mut t);
    let now = at("2024-07-01", (9, 0, 0));
    let liaison = t.store.login("zjj-liaison", LIAISON_PASSWORD, now).unwrap();
    let head = t.store.login("zjj-head", HEAD_PASSWORD, now).unwrap();
    let actor = liaison.account.actor();
    t.store
        .record_contact(
            "a196-zjj",
            &jianban_store::ContactInput {
                mode: ContactMode::Meeting,
                date: date("2024-07-01"),
                people: "张建国代表".into(),
                summary: "座谈".into(),
            },
            &actor,
            now,
        )
        .unwrap();
    let rev = t
        .store
        .save_draft("a196-zjj", &reply("答复正文"), &actor, now)
        .unwrap()
        .hash;
    t.store
        .apply("a196-zjj", &Action::SubmitForApproval, &actor, now)
        .unwrap();
    (t, liaison, head, rev)
}

#[test]
fn a_head_signs_off_and_the_reply_goes_out() {
    let (mut t, liaison, head, rev) = awaiting_approval();
    assert!(liaison.key.is_none());
    assert!(head.key.is_some());
    let now = at("2024-07-01", (10, 0, 0));
    // A liaison cannot approve.
    let err = t
        .store
        .decide("a196-zjj", &liaison, Decision::Approve, &rev, "同意", now)
        .unwrap_err();
    assert_eq!(err.code(), "workflow.wrong_approver");
    // Nor can anyone go around the signature.
    let unsigned = Action::Approve {
        revision: rev.clone(),
        comment: String::new(),
    };
    assert!(t
        .store
        .apply("a196-zjj", &unsigned, &head.account.actor(), now)
        .is_err());
    // A head cannot approve a revision other than the one shown.
    let other = reply("别的稿").content_hash();
    assert_eq!(
        t.store
            .decide("a196-zjj", &head, Decision::Approve, &other, "同意", now)
            .unwrap_err()
            .code(),
        "workflow.stale_revision"
    );
    let case = t
        .store
        .decide("a196-zjj", &head, Decision::Approve, &rev, "同意", now)
        .unwrap();
    assert_eq!(case.state, CaseState::SignedOff);
    let sign_off = t.store.sign_off("a196-zjj").unwrap();
    assert_eq!(sign_off.signer_name, head.account.name);
    assert_eq!(sign_off.revision, rev);
    // The signed decision travels to the server with its signature.
    let out = t.store.outbox_pending(100).unwrap();
    let last = out.last().unwrap();
    assert_eq!(last.kind, "signed_decision");
    assert!(
        last.payload["signed_decision"]["signature"]
            .as_str()
            .unwrap()
            .len()
            == 128
    );
    let case = t
        .store
        .apply("a196-zjj", &Action::Submit, &liaison.account.actor(), now)
        .unwrap();
    assert_eq!(case.state, CaseState::Submitted);
}

#[test]
fn an_edit_after_sign_off_voids_it_and_history_is_kept() {
    let (mut t, liaison, head, rev) = awaiting_approval();
    let now = at("2024-07-01", (10, 0, 0));
    t.store
        .decide("a196-zjj", &head, Decision::Approve, &rev, "同意", now)
        .unwrap();
    t.store
        .save_draft(
            "a196-zjj",
            &reply("答复正文（改）"),
            &liaison.account.actor(),
            now,
        )
        .unwrap();
    let err = t.store.sign_off("a196-zjj").unwrap_err();
    assert_eq!(err.code(), "signoff.incomplete");
    assert!(t
        .store
        .apply("a196-zjj", &Action::Submit, &liaison.account.actor(), now)
        .is_err());
    assert_eq!(t.store.decision_history("a196-zjj").unwrap().len(), 1);
}

#[test]
fn a_returned_reply_cannot_go_out_with_its_old_approvals() {
    let (mut t, liaison, head, rev) = awaiting_approval();
    let now = at("2024-07-01", (10, 0, 0));
    let actor = liaison.account.actor();
    t.store
        .decide("a196-zjj", &head, Decision::Approve, &rev, "同意", now)
        .unwrap();
    t.store
        .apply("a196-zjj", &Action::Submit, &actor, now)
        .unwrap();
    let office = demo_data()
        .user(None, UserRole::OfficeStaff)
        .unwrap()
        .actor();
    t.store
        .apply(
            "a196-zjj",
            &Action::Return {
                reasons: "答复针对性不强".into(),
            },
            &office,
            now,
        )
        .unwrap();
    // Same text sent for approval again: the old signature does not count.
    t.store
        .apply("a196-zjj", &Action::SubmitForApproval, &actor, now)
        .unwrap();
    assert_eq!(
        t.store.sign_off("a196-zjj").unwrap_err().code(),
        "signoff.incomplete"
    );
    assert!(t
        .store
        .apply("a196-zjj", &Action::Submit, &actor, now)
        .is_err());
    t.store
        .decide(
            "a196-zjj",
            &head,
            Decision::Approve,
            &rev,
            "同意再次报送",
            now,
        )
        .unwrap();
    t.store.sign_off("a196-zjj").unwrap();
}

#[test]
fn a_changed_signature_record_is_caught() {
    let (mut t, _liaison, head, rev) = awaiting_approval();
    let now = at("2024-07-01", (10, 0, 0));
    t.store
        .decide("a196-zjj", &head, Decision::Approve, &rev, "同意", now)
        .unwrap();
    let path = t.path();
    {
        // Someone edits the database behind the app's back.
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch("DROP TRIGGER decisions_kept_u").unwrap();
        conn.execute(
            "UPDATE signed_decisions SET signed_json = replace(signed_json, '\"同意\"', '\"同意，请速发\"')",
            [],
        )
        .unwrap();
    }
    let err = t.store.sign_off("a196-zjj").unwrap_err();
    assert_eq!(err.code(), "signoff.tampered");
}

#[test]
fn five_wrong_passwords_lock_the_account_across_restarts() {
    let mut t = demo_store();
    accounts(&mut t);
    let now = at("2024-07-01", (9, 0, 0));
    for _ in 0..4 {
        assert_eq!(
            t.store
                .login("zjj-head", "wrong-password", now)
                .unwrap_err()
                .code(),
            "signoff.wrong_password"
        );
    }
    let err = t
        .store
        .login("zjj-head", "wrong-password", now)
        .unwrap_err();
    assert_eq!(err.code(), "signoff.locked");
    assert!(err.to_string().contains("09:15"), "{err}");
    let path = t.path();
    drop(t.store);
    let mut store = Store::open(&path).unwrap();
    assert_eq!(
        store
            .login("zjj-head", HEAD_PASSWORD, at("2024-07-01", (9, 10, 0)))
            .unwrap_err()
            .code(),
        "signoff.locked"
    );
    assert!(store
        .login("zjj-head", HEAD_PASSWORD, at("2024-07-01", (9, 15, 0)))
        .is_ok());
    // An unknown account gets the same answer as a wrong password.
    assert_eq!(
        store
            .login("nobody", "x", at("2024-07-01", (9, 16, 0)))
            .unwrap_err()
            .code(),
        "signoff.wrong_password"
    );
}

/// A credential store in memory, shared with the test; `available: false`
/// behaves like a PC without one (or one whose keyring daemon is gone).
#[derive(Clone, Default)]
struct MemoryVault {
    available: std::sync::Arc<std::sync::atomic::AtomicBool>,
    keys: std::sync::Arc<std::sync::Mutex<std::collections::HashMap<String, String>>>,
}

impl MemoryVault {
    fn set_available(&self, yes: bool) {
        self.available
            .store(yes, std::sync::atomic::Ordering::SeqCst);
    }
    fn len(&self) -> usize {
        self.keys.lock().unwrap().len()
    }
    /// The credential store forgets `user`'s key (a new Windows profile).
    fn forget(&self, user: &str) {
        self.keys.lock().unwrap().remove(user);
    }
}

impl KeyVault for MemoryVault {
    fn put(&self, user: &UserId, sealed: &str) -> bool {
        let ok = self.available.load(std::sync::atomic::Ordering::SeqCst);
        if ok {
            self.keys
                .lock()
                .unwrap()
                .insert(user.to_string(), sealed.to_string());
        }
        ok
    }
    fn get(&self, user: &UserId) -> Option<String> {
        if !self.available.load(std::sync::atomic::Ordering::SeqCst) {
            return None;
        }
        self.keys.lock().unwrap().get(user.as_str()).cloned()
    }
}

/// The sealed key as the database file holds it, if it does.
fn key_in_database(path: &std::path::Path) -> Option<String> {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.query_row(
        "SELECT identity_json FROM accounts WHERE user_id = 'zjj-head'",
        [],
        |r| r.get(0),
    )
    .unwrap()
}

#[test]
fn signing_keys_live_in_the_credential_store_where_there_is_one() {
    let vault = MemoryVault::default();
    let mut t = demo_store();
    accounts(&mut t);
    let now = at("2024-07-01", (9, 0, 0));

    // No credential store yet: the sealed key is made in the database.
    t.store.set_key_vault(Box::new(vault.clone()));
    let first = t.store.login("zjj-head", HEAD_PASSWORD, now).unwrap();
    let public = first.key.as_ref().unwrap().public_key_hex();
    let sealed = key_in_database(&t.path()).expect("kept in the database without a vault");
    assert!(sealed.contains(&public), "{sealed}");
    assert_eq!(vault.len(), 0);

    // A credential store appears: the next login moves the key there and
    // the database no longer carries any part of it.
    vault.set_available(true);
    let again = t.store.login("zjj-head", HEAD_PASSWORD, now).unwrap();
    assert_eq!(again.key.as_ref().unwrap().public_key_hex(), public);
    assert!(!again.key_renewed);
    assert_eq!(key_in_database(&t.path()), None);
    assert_eq!(vault.len(), 1);
    let raw = std::fs::read(t.path()).unwrap();
    let secret = serde_json::from_str::<serde_json::Value>(&sealed).unwrap()["sealed_secret"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        !raw.windows(secret.len()).any(|w| w == secret.as_bytes()),
        "the sealed secret is still in the database file"
    );

    // After a restart the key comes from the credential store; a wrong
    // password still opens nothing.
    let path = t.path();
    drop(t.store);
    let mut store = Store::open(&path).unwrap();
    store.set_key_vault(Box::new(vault.clone()));
    let back = store.login("zjj-head", HEAD_PASSWORD, now).unwrap();
    assert_eq!(back.key.as_ref().unwrap().public_key_hex(), public);
    assert_eq!(
        store
            .login("zjj-head", "wrong-password", now)
            .unwrap_err()
            .code(),
        "signoff.wrong_password"
    );

    // The credential store lost it (a new Windows profile, say): a new key
    // is made and said so; the old public key stays known, so decisions
    // signed before still verify.
    vault.forget("zjj-head");
    let renewed = store.login("zjj-head", HEAD_PASSWORD, now).unwrap();
    assert!(renewed.key_renewed);
    let new_public = renewed.key.as_ref().unwrap().public_key_hex();
    assert_ne!(new_public, public);
    let known = store.known_keys().unwrap();
    let heads = &known[&UserId::new("zjj-head")];
    assert!(
        heads.contains(&public) && heads.contains(&new_public),
        "{heads:?}"
    );
    assert_eq!(
        key_in_database(&path),
        None,
        "the new key went to the vault"
    );
}

#[test]
fn a_decision_counts_for_the_platform_once_it_applied_it() {
    let (mut t, _liaison, head, rev) = awaiting_approval();
    let now = at("2024-07-01", (10, 0, 0));
    t.store
        .decide("a196-zjj", &head, Decision::Approve, &rev, "同意", now)
        .unwrap();
    let pending = t.store.outbox_pending(100).unwrap();
    let queued = pending.last().unwrap();
    let signature = queued.payload["signed_decision"]["signature"]
        .as_str()
        .unwrap()
        .to_string();
    // Waiting in the outbox: not yet the platform's.
    assert!(!t.store.decision_accepted_by_platform(&signature).unwrap());
    // Refused by the platform: still not.
    let answer = |status| jianban_store::PushResult {
        seq: queued.seq,
        status,
        current: None,
    };
    t.store
        .record_push_results(
            &[answer(jianban_store::PushStatus::Rejected {
                code: "signoff.key_unknown".into(),
                message: "未登记的签名密钥。".into(),
            })],
            now,
        )
        .unwrap();
    assert!(!t.store.decision_accepted_by_platform(&signature).unwrap());
    // Applied (a resend answered as applied): the platform's, whatever
    // the case of the hex.
    t.store.requeue_outbox_from(queued.seq).unwrap();
    t.store
        .record_push_results(&[answer(jianban_store::PushStatus::Applied)], now)
        .unwrap();
    assert!(t.store.decision_accepted_by_platform(&signature).unwrap());
    assert!(t
        .store
        .decision_accepted_by_platform(&signature.to_uppercase())
        .unwrap());
    // A decision this PC never queued came through the platform's feed.
    assert!(t
        .store
        .decision_accepted_by_platform(&"ab".repeat(64))
        .unwrap());
}
