//! What `allowed_actions` shows is what the server does: on the demo server,
//! for a case in each of the 11 states, every action it offers a unit user
//! (or the approver, or the office) is accepted through the routes the
//! desktop (push) and the office console use, and every action it hides or
//! blocks is refused.
//!
//! An accepted action changes the case, so each offered action is tried on
//! a fresh case of its own: the office assigns new suggestions to one unit,
//! and each is brought to the state under test through the same routes.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use serde_json::{json, Value};

use jianban_domain::*;
use jianban_signoff::{sign, Decision, DecisionRecord, SigningIdentity, UnlockedKey};

use crate::both;
use crate::harness::*;

const UNIT: &str = "fgw";
const SESSION: &str = "2024-s6-3";

/// A logged-in person, with the next push sequence number and, for an
/// approver, a registered signing key.
struct Person {
    client: Client,
    actor: Actor,
    seq: i64,
    key: Option<UnlockedKey>,
}

impl Person {
    fn login(server: &Server, user: &str) -> Person {
        let client = server.login(user);
        let info: jianban_protocol::UserInfo = serde_json::from_value(client.user.clone()).unwrap();
        let actor = Actor {
            user: UserId::new(info.id),
            name: info.name,
            role: info.role,
            unit: info.unit_id.map(UnitId::new),
        };
        let key = matches!(
            actor.role,
            UserRole::CaseHandler | UserRole::DeputyHead | UserRole::Head
        )
        .then(|| {
            let (identity, key) = SigningIdentity::create("审核人的密码");
            let r = client.post(
                "/v1/auth/keys",
                &json!({ "public_key": identity.public_key }),
            );
            assert_eq!(r.status, 200, "{}", r.body);
            key
        });
        Person {
            client,
            actor,
            seq: 0,
            key,
        }
    }

    fn next_seq(&mut self) -> i64 {
        self.seq += 1;
        self.seq
    }

    /// Tries `kind` on case `id` the way the desktop or the office console
    /// would; `Ok` when the server accepted it, else the refusal's code.
    fn attempt(&mut self, id: &str, kind: ActionKind, case: &Case) -> Result<(), String> {
        let probe = kind.probe(case);
        if let Some(action) = probe.as_ref().filter(|a| a.is_office_action()) {
            let (route, body) = office_route(action);
            let r = self
                .client
                .post(&format!("/v1/office/assignments/{id}/{route}"), &body);
            return match r.status {
                200 => Ok(()),
                _ => Err(r.body["code"].as_str().unwrap_or_default().to_string()),
            };
        }
        let seq = self.next_seq();
        let command = match (kind, probe) {
            (ActionKind::RecordContact, _) => contact(seq, id),
            (ActionKind::EditDraft, _) => draft(
                seq,
                id,
                &reply_content(&format!("经认真研究，现答复如下：第{seq}稿。")),
            ),
            (ActionKind::Approve | ActionKind::ReturnToDrafter, Some(a)) if self.key.is_some() => {
                self.signed(seq, id, case, kind)
                    .unwrap_or_else(|| action(seq, id, &a))
            }
            // Everything else, an approval by someone without a signing key
            // included, goes as the action itself.
            (_, Some(a)) => action(seq, id, &a),
            // No request of this kind can be written (approving without a
            // draft): the desktop has nothing to send.
            (_, None) => {
                self.seq -= 1;
                return Err("no_request".into());
            }
        };
        let r = self.client.push(&[command]);
        if r.status != 200 {
            return Err(r.body["code"].as_str().unwrap_or_default().to_string());
        }
        let result = &r.body["results"][0];
        match result["status"].as_str() {
            Some("applied") => Ok(()),
            _ => Err(result["error"]["code"]
                .as_str()
                .unwrap_or_default()
                .to_string()),
        }
    }

    /// The approver's decision on the current step, signed with the key the
    /// server knows; `None` when the case has no step or no draft to sign.
    fn signed(&self, seq: i64, id: &str, case: &Case, kind: ActionKind) -> Option<Value> {
        let step = case.approvals.len();
        let title = case.approval_chain.get(step)?.title.clone();
        let revision = case.draft.as_ref()?.hash.clone();
        let (decision, comment) = match kind {
            ActionKind::Approve => (Decision::Approve, "同意"),
            _ => (Decision::Return, "请补充办理进展"),
        };
        let signed = sign(
            DecisionRecord {
                assignment_id: AssignmentId::new(id),
                revision,
                step,
                step_title: title,
                signer: self.actor.user.clone(),
                signer_name: self.actor.name.clone(),
                role: self.actor.role,
                decision,
                comment: comment.into(),
                at: now(),
                round: Some(case.approval_round),
            },
            self.key.as_ref()?,
        );
        Some(command(
            seq,
            id,
            "signed_decision",
            json!({ "signed_decision": signed }),
        ))
    }
}

/// The office console's route and body for an office action.
fn office_route(action: &Action) -> (&'static str, Value) {
    match action {
        Action::DecideAdjustment { approved, comment } => (
            "decide-adjustment",
            json!({"approved": approved, "comment": comment}),
        ),
        Action::GrantExtension { until, reason } => {
            ("extension", json!({"until": until, "reason": reason}))
        }
        Action::DeclineExtension { comment } => ("extension/decline", json!({"comment": comment})),
        Action::Urge { message } => ("urge", json!({"message": message})),
        Action::Return { reasons } => ("return", json!({"reasons": reasons})),
        Action::RecordEvaluation { evaluation } => {
            ("evaluation", json!({"evaluation": evaluation}))
        }
        Action::Conclude => ("conclude", json!({})),
        Action::Reopen { reason } => ("reopen", json!({"reason": reason})),
        other => panic!("{} is not an office action", other.code()),
    }
}

fn now() -> NaiveDateTime {
    chrono::Local::now().naive_local()
}

/// The cases as the unit's feed has them, read on from a cursor.
struct Feed {
    after: i64,
    cases: HashMap<String, Case>,
}

impl Feed {
    fn case(&mut self, c: &Client, id: &str) -> Case {
        loop {
            let r = c.get(&format!("/v1/sync/changes?after={}&limit=1000", self.after));
            assert_eq!(r.status, 200, "{}", r.body);
            for ch in r.body["changes"].as_array().unwrap() {
                if ch["entity"] == "assignment" {
                    let case: Case = serde_json::from_value(ch["data"]["case"].clone()).unwrap();
                    self.cases
                        .insert(ch["id"].as_str().unwrap().to_string(), case);
                }
            }
            self.after = r.body["next_after"].as_i64().unwrap();
            if !r.body["has_more"].as_bool().unwrap() {
                break;
            }
        }
        self.cases[id].clone()
    }
}

/// Who takes each step of the way to a state: the unit's liaison, its head
/// (the approver of the default chain) or the office.
#[derive(Debug, Clone, Copy)]
enum Who {
    Liaison,
    Head,
    Office,
}

/// The steps that bring a newly assigned lead case to `state`.
fn path_to(state: CaseState) -> Vec<(Who, ActionKind)> {
    use ActionKind as K;
    use CaseState as S;
    use Who::*;
    let drafted = vec![
        (Liaison, K::Receive),
        (Liaison, K::RecordContact),
        (Liaison, K::EditDraft),
    ];
    let with = |base: Vec<(Who, ActionKind)>, more: &[(Who, ActionKind)]| {
        base.into_iter().chain(more.iter().copied()).collect()
    };
    let submitted = with(
        drafted.clone(),
        &[
            (Liaison, K::SubmitForApproval),
            (Head, K::Approve),
            (Liaison, K::Submit),
        ],
    );
    match state {
        S::AwaitingReceipt => vec![],
        S::Received => vec![(Liaison, K::Receive)],
        S::AdjustmentRequested => vec![(Liaison, K::Receive), (Liaison, K::RequestAdjustment)],
        S::Transferred => vec![
            (Liaison, K::Receive),
            (Liaison, K::RequestAdjustment),
            (Office, K::DecideAdjustment),
        ],
        S::Drafting => drafted,
        S::AwaitingApproval => with(drafted, &[(Liaison, K::SubmitForApproval)]),
        S::SignedOff => with(
            drafted,
            &[(Liaison, K::SubmitForApproval), (Head, K::Approve)],
        ),
        S::Submitted => submitted,
        S::Returned => with(submitted, &[(Office, K::Return)]),
        S::Evaluated => with(submitted, &[(Office, K::RecordEvaluation)]),
        S::Concluded => with(
            submitted,
            &[(Office, K::RecordEvaluation), (Office, K::Conclude)],
        ),
    }
}

struct World {
    people: [Person; 3],
    feed: Feed,
    fresh: std::vec::IntoIter<String>,
    calendar: WorkingCalendar,
    policy: DeadlinePolicy,
}

impl World {
    fn person(&mut self, who: Who) -> &mut Person {
        &mut self.people[who as usize]
    }

    fn case(&mut self, id: &str) -> Case {
        let [liaison, ..] = &self.people;
        self.feed.case(&liaison.client, id)
    }

    fn allowed(&self, who: Who, case: &Case) -> AllowedActions {
        let ctx = Context {
            actor: &self.people[who as usize].actor,
            now: now(),
            calendar: &self.calendar,
            policy: &self.policy,
        };
        allowed_actions(case, &ctx)
    }

    /// A newly assigned case brought along `path`.
    fn fresh_case(&mut self, path: &[(Who, ActionKind)]) -> String {
        let id = self.fresh.next().expect("enough fresh suggestions");
        for (who, kind) in path {
            let case = self.case(&id);
            let r = self.person(*who).attempt(&id, *kind, &case);
            assert_eq!(r, Ok(()), "{kind:?} after {path:?}");
        }
        id
    }
}

fn offered_actions_are_accepted_and_hidden_ones_refused(backend: &Backend) {
    let server = Server::start(backend);
    let people = [
        Person::login(&server, &format!("{UNIT}-liaison")),
        Person::login(&server, &format!("{UNIT}-head")),
        Person::login(&server, "office1"),
    ];
    // Fresh suggestions, all assigned today to the unit as lead.
    let numbers: Vec<u32> = (901..1021).collect();
    let csv: String = std::iter::once("建议号,标题,领衔代表\n".to_string())
        .chain(
            numbers
                .iter()
                .map(|n| format!("{n},关于第{n}号事项的建议,张建国\n")),
        )
        .collect();
    let office = &people[Who::Office as usize].client;
    let r = office.raw(
        "POST",
        &format!("/v1/office/import?session_id={SESSION}"),
        Some(csv.as_bytes()),
        &[],
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let items: Vec<Value> = numbers
        .iter()
        .map(|n| json!({"suggestion_id": format!("{SESSION}-{n}"), "units": [{"unit_id": UNIT, "role": "lead"}]}))
        .collect();
    let r = office.post("/v1/office/assign", &json!({ "items": items }));
    assert_eq!(r.status, 200, "{}", r.body);
    let fresh: Vec<String> = serde_json::from_value(r.body["assignment_ids"].clone()).unwrap();
    let mut world = World {
        people,
        feed: Feed {
            after: 0,
            cases: HashMap::new(),
        },
        fresh: fresh.into_iter(),
        calendar: WorkingCalendar::national(),
        policy: DeadlinePolicy::default(),
    };
    let everyone = [Who::Liaison, Who::Head, Who::Office];
    // Every state, and a case whose 延期申请 waits for the office.
    let mut scenarios: Vec<(CaseState, Vec<(Who, ActionKind)>)> =
        CaseState::ALL.iter().map(|s| (*s, path_to(*s))).collect();
    let mut asked = path_to(CaseState::Received);
    asked.push((Who::Liaison, ActionKind::RequestExtension));
    scenarios.push((CaseState::Received, asked));
    let mut tried = 0;
    for (state, path) in &scenarios {
        let state = *state;
        // Hidden and blocked actions: refused, and the case is unchanged.
        let id = world.fresh_case(path);
        let case = world.case(&id);
        assert_eq!(case.state, state, "{id}");
        let mut to_offer: Vec<(Who, ActionKind)> = Vec::new();
        for who in everyone {
            let allowed = world.allowed(who, &case);
            for (kind, availability) in allowed.0 {
                if availability == Availability::Offered {
                    // Unit actions are the same for every member of the
                    // unit: the liaison tries them, the head only what is
                    // the approver's.
                    let by_liaison = matches!(who, Who::Head)
                        && world.allowed(Who::Liaison, &case).is_offered(kind);
                    if !by_liaison {
                        to_offer.push((who, kind));
                    }
                    continue;
                }
                let r = world.person(who).attempt(&id, kind, &case);
                assert!(
                    r.is_err(),
                    "{kind:?} is {availability:?} for {:?} in {state:?}, but the server accepted it",
                    world.people[who as usize].actor.role
                );
            }
        }
        assert_eq!(world.case(&id), case, "a refusal changed {id}");
        // Offered actions: accepted, each on a fresh case in this state.
        for (who, kind) in to_offer {
            let id = world.fresh_case(path);
            let case = world.case(&id);
            assert!(world.allowed(who, &case).is_offered(kind));
            let r = world.person(who).attempt(&id, kind, &case);
            assert_eq!(
                r,
                Ok(()),
                "{kind:?} is offered to {:?} in {state:?}, but the server refused it",
                world.people[who as usize].actor.role
            );
            tried += 1;
        }
    }
    assert!(tried >= 45, "only {tried} offered actions tried");
}
both!(offered_actions_are_accepted_and_hidden_ones_refused);

/// The demo's own cases, one in each state (co-handlers and a split unit
/// among them, with their co-handlers' opinions in and out): what is hidden
/// or blocked for the unit's liaison, its head and the office is refused
/// and changes nothing; then the first action offered is accepted.
fn demo_cases_in_every_state(backend: &Backend) {
    let server = Server::start(backend);
    let cases = [
        "a006-zjj",  // 待签收
        "a007-jtj",  // 已签收
        "a070-nyj",  // 调整申请中
        "a039-fgw",  // 起草中, a co-handler's opinion still out
        "a023-wjw",  // 待审核
        "a039-scjg", // 待审核, a co-handler
        "a029-wjw",  // 已签发
        "a030-gaj",  // 已答复
        "a198-fgw",  // 退回重办, a split unit
        "a107-sjj",  // 已评价
        "a061-sthj", // 已办结
        "a077-swj",  // 已调整
    ];
    let mut office = Person::login(&server, "office1");
    let calendar = WorkingCalendar::national();
    let policy = DeadlinePolicy::default();
    let mut states = std::collections::HashSet::new();
    for id in cases {
        let unit = id.split_once('-').unwrap().1;
        let mut people = [
            Person::login(&server, &format!("{unit}-liaison")),
            Person::login(&server, &format!("{unit}-head")),
        ];
        let mut feed = Feed {
            after: 0,
            cases: HashMap::new(),
        };
        let case = feed.case(&people[0].client, id);
        states.insert(case.state);
        let mut first_offered = None;
        for person in people.iter_mut().chain(std::iter::once(&mut office)) {
            let ctx = Context {
                actor: &person.actor,
                now: now(),
                calendar: &calendar,
                policy: &policy,
            };
            let allowed = allowed_actions(&case, &ctx);
            for (kind, availability) in allowed.0 {
                if availability == Availability::Offered {
                    first_offered = first_offered.or(Some((person.actor.role, kind)));
                    continue;
                }
                let r = person.attempt(id, kind, &case);
                assert!(
                    r.is_err(),
                    "{kind:?} is {availability:?} for {:?} on {id}, but the server accepted it",
                    person.actor.role
                );
            }
        }
        assert_eq!(
            feed.case(&people[0].client, id),
            case,
            "a refusal changed {id}"
        );
        if let Some((role, kind)) = first_offered {
            let person = match role {
                UserRole::OfficeStaff => &mut office,
                UserRole::Head => &mut people[1],
                _ => &mut people[0],
            };
            let r = person.attempt(id, kind, &case);
            assert_eq!(r, Ok(()), "{kind:?} is offered to {role:?} on {id}");
        }
    }
    assert_eq!(states.len(), CaseState::ALL.len(), "{states:?}");
}
both!(demo_cases_in_every_state);
