//! Three devices (two units and the office) take random valid actions and
//! sync under random faults, then converge. The seed is printed and
//! JIANBAN_SYNC_SEED replays a run.

use super::*;
use crate::proxy::ALL_FAULTS;

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

fn seed() -> u64 {
    std::env::var("JIANBAN_SYNC_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
                | 1
        })
}

/// One random action a liaison might take; only what the rules allow is
/// committed locally.
fn unit_step(d: &mut Desktop, rng: &mut Rng, step: usize, seen: &mut Vec<(String, u32, String)>) {
    let cases: Vec<(String, Case)> = d.cases().into_iter().collect();
    let (id, _) = &cases[rng.below(cases.len())];
    let actor = d.actor();
    let now = chrono::Local::now().naive_local();
    let store = d.store();
    match rng.below(6) {
        0 => {
            let _ = store.apply(id, &Action::Receive, &actor, now);
        }
        1 => {
            let _ = store.record_contact(
                id,
                &jianban_store::ContactInput {
                    mode: ContactMode::Visit,
                    date: now.date(),
                    people: "代表".into(),
                    summary: format!("第{step}步走访"),
                },
                &actor,
                now,
            );
        }
        2 | 3 => {
            let content = ReplyContent {
                category: Some(ResultCategory::A),
                body: format!("第{step}步写下的正文。"),
                contact_person: "联络员".into(),
                contact_phone: "0557-3000000".into(),
                ..Default::default()
            };
            if let Ok(r) = store.save_draft(id, &content, &actor, now) {
                seen.push((id.clone(), r.number, r.hash.0));
            }
        }
        4 => {
            let _ = store.apply(id, &Action::SubmitForApproval, &actor, now);
        }
        _ => {
            let _ = store.apply(
                id,
                &Action::RequestAdjustment {
                    request: AdjustmentRequest {
                        reason: "非本单位职责".into(),
                        suggested_unit: None,
                    },
                },
                &actor,
                now,
            );
        }
    }
}

/// One random office action, through the office API (it may fail under
/// faults or be stale: the server's rules decide).
fn office_step(office: &mut Desktop, rng: &mut Rng) {
    let _ = office.engine.sync_once();
    let cases: Vec<(String, Case)> = office
        .cases()
        .into_iter()
        .filter(|(_, c)| !c.state.is_terminal())
        .collect();
    if cases.is_empty() {
        return;
    }
    let (id, case) = &cases[rng.below(cases.len())];
    let client = office.engine.client();
    let path = |op: &str| format!("/v1/office/assignments/{id}/{op}");
    let _: Result<serde_json::Value, _> = match case.state {
        CaseState::Submitted if rng.chance(50) => client.post(
            &path("return"),
            &jianban_protocol::ReturnRequest {
                reasons: "请补充具体措施".into(),
            },
        ),
        CaseState::Submitted => {
            let evaluation = ["satisfied", "basically_satisfied", "dissatisfied"][rng.below(3)];
            client.post(
                &path("evaluation"),
                &serde_json::json!({ "evaluation": evaluation }),
            )
        }
        CaseState::AdjustmentRequested => client.post(
            &path("decide-adjustment"),
            &jianban_protocol::DecideAdjustmentRequest {
                approved: rng.chance(30),
                comment: "研究决定".into(),
            },
        ),
        CaseState::Evaluated => client.post(&path("conclude"), &serde_json::json!({})),
        _ => client.post(
            &path("urge"),
            &jianban_protocol::UrgeRequest {
                message: "请加快办理进度".into(),
            },
        ),
    };
}

#[test]
fn three_devices_under_random_faults_converge() {
    let seed = seed();
    eprintln!("random sync test seed: {seed} (replay with JIANBAN_SYNC_SEED={seed})");
    let server = ServerProcess::demo();
    let proxies = [
        FaultProxy::start(server.port),
        FaultProxy::start(server.port),
        FaultProxy::start(server.port),
    ];
    let mut rng = Rng(seed);
    let mut a = Desktop::new(&proxies[0].url(), "zjj-liaison");
    let mut b = Desktop::new(&proxies[1].url(), "yjj-liaison");
    let mut office = Desktop::new(&proxies[2].url(), "office1");
    for d in [&mut a, &mut b, &mut office] {
        d.sync_until_ok(3).unwrap();
    }
    for (i, p) in proxies.iter().enumerate() {
        let mut r = Rng(seed.wrapping_mul(31).wrapping_add(i as u64 + 7) | 1);
        p.set_plan(Box::new(move || {
            if r.chance(25) {
                ALL_FAULTS[r.below(ALL_FAULTS.len())]
            } else {
                Fault::None
            }
        }));
    }
    let mut seen = Vec::new();
    for step in 0..80 {
        match rng.below(5) {
            0 | 1 => unit_step(&mut a, &mut rng, step, &mut seen),
            2 | 3 => unit_step(&mut b, &mut rng, step, &mut seen),
            _ => office_step(&mut office, &mut rng),
        }
        if rng.chance(40) {
            let _ = a.engine.sync_once();
        }
        if rng.chance(40) {
            let _ = b.engine.sync_once();
        }
    }
    for p in &proxies {
        p.set(Fault::None);
    }
    // Two rounds each: the second brings what the other devices pushed.
    for _ in 0..2 {
        a.sync_until_ok(3).unwrap();
        b.sync_until_ok(3).unwrap();
        office.sync_until_ok(3).unwrap();
    }
    assert_converged(&mut a, &mut office);
    assert_converged(&mut b, &mut office);
    // Every revision ever saved is still there.
    for (id, number, hash) in &seen {
        let d = if id.ends_with("-zjj") { &mut a } else { &mut b };
        let r = d
            .store()
            .revision(id, *number)
            .unwrap_or_else(|e| panic!("seed {seed}: {id} #{number} lost: {e}"));
        assert_eq!(&r.hash.0, hash, "seed {seed}");
    }
}
