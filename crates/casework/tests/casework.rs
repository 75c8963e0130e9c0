//! The orchestration over an in-memory storage: what it writes, what a
//! refusal leaves behind, and the demo replay's outbox decoding as the
//! server decodes a push.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};
use serde_json::Value;

use jianban_casework::{
    replay_demo, run, AuditLine, CaseStorage, Command, DemoStorage, DraftSave, NewRevision,
    Outcome, Refusal, Request,
};
use jianban_domain::demo::{demo_data, draft_for, DemoData};
use jianban_domain::validate::InputError;
use jianban_domain::*;
use jianban_signoff::{
    sign, verify_sign_off, Decision, DecisionRecord, SignedDecision, UnlockedKey,
};

#[derive(Debug, thiserror::Error)]
enum MemError {
    #[error(transparent)]
    Workflow(#[from] WorkflowError),
    #[error(transparent)]
    Input(#[from] InputError),
    #[error(transparent)]
    Refusal(#[from] Refusal),
    #[error("{0}")]
    SignOff(String),
}

/// Everything a storage keeps, in memory.
#[derive(Default, Clone)]
struct Mem {
    cases: HashMap<String, Case>,
    suggestion_of: HashMap<String, String>,
    revisions: HashMap<String, Vec<(u32, RevisionHash)>>,
    contacts: Vec<ContactRecord>,
    decisions: Vec<SignedDecision>,
    keys: HashMap<UserId, Vec<String>>,
    audit: Vec<(String, String)>,
    /// (kind, payload): what the desktop would queue for the server.
    outbox: Vec<(String, Value)>,
    opinions: Vec<String>,
}

impl CaseStorage for Mem {
    type Error = MemError;

    fn load(&mut self, id: &str) -> Result<Option<Case>, MemError> {
        Ok(self.cases.get(id).cloned())
    }
    fn write_case(&mut self, case: &Case) -> Result<(), MemError> {
        self.cases.insert(case.assignment.to_string(), case.clone());
        Ok(())
    }
    fn lead_of(&mut self, co: &Case) -> Result<Option<Case>, MemError> {
        let suggestion = &self.suggestion_of[co.assignment.as_str()];
        Ok(self
            .cases
            .values()
            .find(|c| {
                c.role == HandlingRole::Lead
                    && &self.suggestion_of[c.assignment.as_str()] == suggestion
            })
            .cloned())
    }
    fn latest_revision(&mut self, id: &str) -> Result<Option<(u32, RevisionHash)>, MemError> {
        Ok(self.revisions.get(id).and_then(|r| r.last().cloned()))
    }
    fn insert_revision(&mut self, case: &Case, rev: &NewRevision<'_>) -> Result<(), MemError> {
        self.revisions
            .entry(case.assignment.to_string())
            .or_default()
            .push((rev.number, rev.hash.clone()));
        Ok(())
    }
    fn contact_exists(&mut self, contact_id: &str) -> Result<bool, MemError> {
        Ok(self.contacts.iter().any(|c| c.id == contact_id))
    }
    fn insert_contact(
        &mut self,
        _case: &Case,
        contact: &ContactRecord,
        _by: &Actor,
        _at: NaiveDateTime,
    ) -> Result<(), MemError> {
        self.contacts.push(contact.clone());
        Ok(())
    }
    fn verify_sign_off(&mut self, case: &Case) -> Result<(), MemError> {
        let hash = &case.draft.as_ref().expect("signed off has a draft").hash;
        let decisions: Vec<_> = self
            .decisions
            .iter()
            .filter(|d| {
                d.record.assignment_id == case.assignment
                    && &d.record.revision == hash
                    && d.record.decision == Decision::Approve
            })
            .cloned()
            .collect();
        verify_sign_off(
            &case.approval_chain,
            &case.assignment,
            hash,
            &decisions,
            &self.keys,
        )
        .map(|_| ())
        .map_err(|e| MemError::SignOff(e.to_string()))
    }
    fn signer_of(
        &mut self,
        decision: &SignedDecision,
        _case: &Case,
        issuer: &Actor,
    ) -> Result<Actor, MemError> {
        assert_eq!(decision.record.signer, issuer.user);
        Ok(issuer.clone())
    }
    fn insert_decision(
        &mut self,
        _case: &Case,
        decision: &SignedDecision,
        _at: NaiveDateTime,
    ) -> Result<(), MemError> {
        self.decisions.push(decision.clone());
        Ok(())
    }

    fn decision_exists(&mut self, _case: &Case, signature: &str) -> Result<bool, MemError> {
        Ok(self.decisions.iter().any(|d| d.signature == signature))
    }
    fn audit(&mut self, line: &AuditLine<'_>) -> Result<(), MemError> {
        self.audit.push((
            line.assignment_id.to_string(),
            line.change.kind().to_string(),
        ));
        Ok(())
    }
    fn changed(&mut self, line: &AuditLine<'_>, _case: &Case) -> Result<(), MemError> {
        self.outbox
            .push((line.change.kind().to_string(), line.change.payload()));
        Ok(())
    }
    fn opinion_sent(
        &mut self,
        co: &Case,
        _lead: Option<&Case>,
        _at: NaiveDateTime,
    ) -> Result<(), MemError> {
        self.opinions.push(co.assignment.to_string());
        Ok(())
    }
}

impl DemoStorage for Mem {
    fn register_demo_key(
        &mut self,
        user: &UserId,
        public_key: &str,
        _at: NaiveDateTime,
    ) -> Result<(), MemError> {
        let keys = self.keys.entry(user.clone()).or_default();
        if !keys.iter().any(|k| k == public_key) {
            keys.push(public_key.to_string());
        }
        Ok(())
    }
}

const TODAY: (i32, u32, u32) = (2024, 6, 3);

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(TODAY.0, TODAY.1, TODAY.2).unwrap()
}

fn now() -> NaiveDateTime {
    today().and_hms_opt(10, 0, 0).unwrap()
}

/// The demo's assignments, created, with no history yet.
fn created(demo: &DemoData) -> Mem {
    let mut mem = Mem::default();
    let calendar = WorkingCalendar::national();
    for a in &demo.assignments {
        let case = Case::new(
            &a.assignment(today()),
            false,
            &DeadlinePolicy::default(),
            &calendar,
            jianban_domain::workflow::default_approval_chain(),
            Vec::new(),
        )
        .unwrap();
        mem.suggestion_of
            .insert(a.id.to_string(), a.suggestion_id.to_string());
        mem.cases.insert(a.id.to_string(), case);
    }
    mem
}

fn replayed(demo: &DemoData) -> Mem {
    let mut mem = created(demo);
    replay_demo(
        &mut mem,
        demo,
        today(),
        &WorkingCalendar::national(),
        &DeadlinePolicy::default(),
    )
    .unwrap_or_else(|e| panic!("{}", describe(e)));
    mem
}

fn describe(e: jianban_casework::DemoError<MemError>) -> String {
    match e {
        jianban_casework::DemoError::Command(e) => e.to_string(),
        jianban_casework::DemoError::Data(m) => m,
    }
}

fn exec(mem: &mut Mem, id: &str, actor: &Actor, command: Command) -> Result<Outcome, MemError> {
    let calendar = WorkingCalendar::national();
    let policy = DeadlinePolicy::default();
    run(
        mem,
        &Request {
            id,
            actor,
            now: now(),
            calendar: &calendar,
            policy: &policy,
            note: None,
        },
        command,
    )
}

fn actor_of(demo: &DemoData, unit: &UnitId, role: UserRole) -> Actor {
    demo.user(Some(unit), role).unwrap().actor()
}

/// A demo case awaiting approval, and who approves its next step.
fn awaiting_approval(demo: &DemoData, mem: &Mem) -> (String, Case, Actor) {
    let (id, case) = mem
        .cases
        .iter()
        .find(|(_, c)| c.state == CaseState::AwaitingApproval)
        .map(|(id, c)| (id.clone(), c.clone()))
        .expect("the demo has a case awaiting approval");
    let step = &case.approval_chain[case.approvals.len()];
    let approver = actor_of(demo, &case.unit, step.role);
    (id, case, approver)
}

#[test]
fn the_demo_replays_to_its_states_with_signed_approvals() {
    let demo = demo_data();
    let mem = replayed(&demo);
    for a in &demo.assignments {
        assert_eq!(mem.cases[a.id.as_str()].state, a.state, "{}", a.id);
    }
    // Every approval is a signed decision, and every 报送 passed the
    // sign-off check with the replay's registered keys.
    let approvals: usize = mem.cases.values().map(|c| c.approvals.len()).sum();
    assert!(approvals > 0);
    assert!(mem.decisions.len() >= approvals);
    assert!(mem.outbox.iter().all(|(kind, _)| kind != "approve"));
}

#[test]
fn every_queued_payload_decodes_as_the_server_decodes_a_push() {
    let demo = demo_data();
    let mem = replayed(&demo);
    let kinds: std::collections::BTreeSet<_> = mem.outbox.iter().map(|(k, _)| k.as_str()).collect();
    for kind in ["save_draft", "record_contact", "signed_decision", "receive"] {
        assert!(kinds.contains(kind), "{kind} missing from {kinds:?}");
    }
    for (kind, payload) in &mem.outbox {
        let command = Command::decode(kind, payload)
            .unwrap_or_else(|e| panic!("{kind} does not decode: {e}"));
        assert_eq!(command.kind(), kind);
    }
}

#[test]
fn the_old_desktop_payloads_still_decode() {
    // What an older desktop's outbox holds, written as ad-hoc JSON.
    let content = ReplyContent {
        body: "正文".into(),
        ..Default::default()
    };
    let hash = content.content_hash();
    let old = serde_json::json!({ "revision": 3, "hash": hash, "content": content });
    match Command::decode("save_draft", &old).unwrap() {
        Command::SaveDraft(save) => {
            assert_eq!(save.device_revision, Some(3));
            assert_eq!(save.hash, hash);
        }
        other => panic!("{other:?}"),
    }
    let receive = serde_json::json!({ "type": "receive" });
    assert_eq!(
        Command::decode("receive", &receive).unwrap(),
        Command::Act(Action::Receive)
    );
    assert!(matches!(
        Command::decode("submit", &receive),
        Err(Refusal::Malformed(_))
    ));
}

#[test]
fn a_bare_approval_is_refused_and_writes_nothing() {
    let demo = demo_data();
    let mut mem = replayed(&demo);
    let (id, case, approver) = awaiting_approval(&demo, &mem);
    let before = mem.clone();
    let err = exec(
        &mut mem,
        &id,
        &approver,
        Command::Act(Action::Approve {
            revision: case.draft.as_ref().unwrap().hash.clone(),
            comment: "同意".into(),
        }),
    )
    .unwrap_err();
    assert!(
        matches!(err, MemError::Refusal(Refusal::Unsigned(_))),
        "{err}"
    );
    assert_eq!(mem.cases, before.cases);
    assert_eq!(mem.audit, before.audit);
    assert_eq!(mem.outbox, before.outbox);
}

#[test]
fn a_decision_for_another_step_is_refused() {
    let demo = demo_data();
    let mut mem = replayed(&demo);
    let (id, case, approver) = awaiting_approval(&demo, &mem);
    let step = case.approvals.len();
    let signed = sign(
        DecisionRecord {
            assignment_id: case.assignment.clone(),
            revision: case.draft.as_ref().unwrap().hash.clone(),
            step: step + 1,
            step_title: String::new(),
            signer: approver.user.clone(),
            signer_name: approver.name.clone(),
            role: approver.role,
            decision: Decision::Approve,
            comment: "同意".into(),
            at: now(),
            round: Some(case.approval_round),
        },
        &UnlockedKey::ephemeral(),
    );
    let err = exec(&mut mem, &id, &approver, Command::Decide(signed)).unwrap_err();
    assert!(
        matches!(err, MemError::Refusal(Refusal::WrongStep { .. })),
        "{err}"
    );
}

/// The approver's decision on the case's current step, signed in `round`.
fn decision_in_round(case: &Case, approver: &Actor, round: u32) -> SignedDecision {
    sign(
        DecisionRecord {
            assignment_id: case.assignment.clone(),
            revision: case.draft.as_ref().unwrap().hash.clone(),
            step: case.approvals.len(),
            step_title: String::new(),
            signer: approver.user.clone(),
            signer_name: approver.name.clone(),
            role: approver.role,
            decision: Decision::Approve,
            comment: "同意".into(),
            at: now(),
            round: Some(round),
        },
        &UnlockedKey::ephemeral(),
    )
}

#[test]
fn a_decision_counts_only_in_its_round_and_only_once() {
    let demo = demo_data();
    let mut mem = replayed(&demo);
    let (id, case, approver) = awaiting_approval(&demo, &mem);
    assert!(case.approval_round >= 1, "submitting starts a round");

    // Signed for an earlier round (before a return): refused, nothing written.
    let before = mem.clone();
    let stale = decision_in_round(&case, &approver, case.approval_round - 1);
    let err = exec(&mut mem, &id, &approver, Command::Decide(stale)).unwrap_err();
    assert!(
        matches!(
            err,
            MemError::Refusal(Refusal::StaleRound { signed, current })
                if signed + 1 == current && current == case.approval_round
        ),
        "{err}"
    );
    assert!(err.to_string().contains("重新审核"), "{err}");
    assert_eq!(mem.cases, before.cases);
    assert_eq!(mem.outbox, before.outbox);

    // In its round: applied. The same decision again, even spelt in
    // capital hex (decoded as a push is), is known and not applied twice.
    let current = decision_in_round(&case, &approver, case.approval_round);
    exec(&mut mem, &id, &approver, Command::Decide(current.clone())).unwrap();
    let applied = mem.clone();
    let mut capitals = current.clone();
    capitals.signature.make_ascii_uppercase();
    let payload = serde_json::json!({ "signed_decision": capitals });
    let again = Command::decode(jianban_casework::SIGNED_DECISION, &payload).unwrap();
    let err = exec(&mut mem, &id, &approver, again).unwrap_err();
    assert!(
        matches!(err, MemError::Refusal(Refusal::AlreadyDecided)),
        "{err}"
    );
    assert_eq!(mem.cases, applied.cases);
    assert_eq!(mem.decisions.len(), applied.decisions.len());
}

#[test]
fn another_units_case_is_refused_before_the_rules_look_at_it() {
    let demo = demo_data();
    let mut mem = created(&demo);
    let a = &demo.assignments[0];
    let other = demo
        .users
        .iter()
        .find(|u| u.unit.is_some() && u.unit.as_ref() != Some(&a.unit_id))
        .unwrap()
        .actor();
    let err = exec(
        &mut mem,
        a.id.as_str(),
        &other,
        Command::Act(Action::Receive),
    )
    .unwrap_err();
    assert!(
        matches!(err, MemError::Refusal(Refusal::Forbidden(_))),
        "{err}"
    );
    assert!(mem.audit.is_empty() && mem.outbox.is_empty());
}

#[test]
fn the_same_text_makes_no_new_revision_but_a_restore_does() {
    let demo = demo_data();
    let mut mem = created(&demo);
    let a = demo
        .assignments
        .iter()
        .find(|a| a.role == HandlingRole::Lead)
        .unwrap();
    let id = a.id.as_str();
    let liaison = actor_of(&demo, &a.unit_id, UserRole::Liaison);
    exec(&mut mem, id, &liaison, Command::Act(Action::Receive)).unwrap();
    let content = draft_for(&demo, a);
    let first = exec(
        &mut mem,
        id,
        &liaison,
        Command::SaveDraft(DraftSave::new(content.clone())),
    )
    .unwrap();
    assert_eq!(first.revision, Some(1));
    let again = exec(
        &mut mem,
        id,
        &liaison,
        Command::SaveDraft(DraftSave::new(content.clone())),
    )
    .unwrap();
    assert_eq!(again.revision, Some(1));
    assert_eq!(again.before, again.after);
    assert_eq!(mem.revisions[id].len(), 1);
    let restore = DraftSave {
        restored_from: Some(1),
        ..DraftSave::new(content.clone())
    };
    let restored = exec(&mut mem, id, &liaison, Command::SaveDraft(restore)).unwrap();
    assert_eq!(restored.revision, Some(2));
    // A save whose hash does not match its text was damaged on the way.
    let damaged = DraftSave {
        hash: RevisionHash("0".repeat(64)),
        ..DraftSave::new(content)
    };
    let err = exec(&mut mem, id, &liaison, Command::SaveDraft(damaged)).unwrap_err();
    assert!(
        matches!(err, MemError::Refusal(Refusal::Malformed(_))),
        "{err}"
    );
    let drafts = mem.outbox.iter().filter(|(k, _)| k == "save_draft").count();
    assert_eq!(drafts, 1, "an unchanged case queues nothing");
}

#[test]
fn a_concluded_co_handler_tells_its_lead() {
    let demo = demo_data();
    let mut mem = created(&demo);
    // A lead that knows its co-handler, as the server creates it.
    let co = demo
        .assignments
        .iter()
        .find(|a| a.role == HandlingRole::CoHandler && a.state == CaseState::Concluded)
        .expect("the demo has a concluded co-handler");
    let lead = demo
        .assignments
        .iter()
        .find(|a| a.role == HandlingRole::Lead && a.suggestion_id == co.suggestion_id)
        .expect("with a lead");
    let co_case = mem.cases[co.id.as_str()].clone();
    let lead_case = mem.cases.get_mut(lead.id.as_str()).unwrap();
    lead_case
        .co_handlers
        .push(jianban_domain::workflow::CoHandlerStatus {
            unit: co.unit_id.clone(),
            unit_name: "协办单位".into(),
            opinion_submitted: false,
            due: co_case.deadlines.reply,
        });
    let only_co = DemoData {
        assignments: vec![co.clone()],
        ..demo.clone()
    };
    replay_demo(
        &mut mem,
        &only_co,
        today(),
        &WorkingCalendar::national(),
        &DeadlinePolicy::default(),
    )
    .unwrap_or_else(|e| panic!("{}", describe(e)));
    assert_eq!(mem.opinions, vec![co.id.to_string()]);
    let lead_case = &mem.cases[lead.id.as_str()];
    assert!(lead_case.co_handlers[0].opinion_submitted);
}
