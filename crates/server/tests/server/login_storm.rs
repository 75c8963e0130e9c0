//! The login storm: 200 wrong passwords sent at once (100 at one account,
//! 100 spread over fifty other names, ten of them unknown) while units keep reading the change feed.
//! Counts the answers, not their timing (the timing is the benchmark's,
//! `benches/login_storm.rs`): no guess gets past the limits, and the feed
//! keeps answering.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Barrier, Mutex};
use std::time::{Duration, Instant};

use jianban_server::service::accounts::{MAX_ADDRESS_FAILURES, MAX_FAILURES};
use serde_json::{json, Value};

use crate::both;
use crate::harness::*;

const TARGET: &str = "fgw-liaison";
const AT_TARGET: usize = 100;
const SPREAD: usize = 100;

fn guesses_stay_within_the_limits_while_the_feed_answers(backend: &Backend) {
    let server = Server::start(backend);
    let feed = server.login("zjj-liaison");
    // Forty real accounts and ten names nobody has: an unknown name counts
    // against the address like any other.
    let mut users: Vec<String> = jianban_domain::demo::demo_data()
        .users
        .iter()
        .map(|u| u.id.as_str().to_string())
        .filter(|u| u != TARGET)
        .take(40)
        .collect();
    assert_eq!(users.len(), 40, "the demo has forty other users");
    users.extend((0..10).map(|i| format!("ghost-{i}")));
    let mut names: Vec<String> = vec![TARGET.to_string(); AT_TARGET];
    names.extend((0..SPREAD).map(|i| users[i % users.len()].clone()));

    // The change feed, polled from four threads for the storm's duration.
    let stop = Arc::new(AtomicBool::new(false));
    let feed_ok = Arc::new(AtomicUsize::new(0));
    let feed_other = Arc::new(Mutex::new(Vec::new()));
    let readers: Vec<_> = (0..4)
        .map(|_| {
            let (stop, ok, other) = (stop.clone(), feed_ok.clone(), feed_other.clone());
            let base = server.base.clone();
            let token = feed.token.clone().unwrap();
            std::thread::spawn(move || {
                let agent = ureq::AgentBuilder::new()
                    .timeout(Duration::from_secs(30))
                    .build();
                while !stop.load(Ordering::Relaxed) {
                    let r = agent
                        .get(&format!("{base}/v1/sync/changes?after=0&limit=100"))
                        .set("X-Jianban-Protocol", "1")
                        .set("Authorization", &format!("Bearer {token}"))
                        .call();
                    match r {
                        Ok(_) => {
                            ok.fetch_add(1, Ordering::Relaxed);
                        }
                        Err(e) => other.lock().unwrap().push(e.to_string()),
                    }
                }
            })
        })
        .collect();

    let start = Arc::new(Barrier::new(names.len()));
    let guesses: Vec<_> = names
        .into_iter()
        .enumerate()
        .map(|(i, user)| {
            let (base, start) = (server.base.clone(), start.clone());
            std::thread::spawn(move || {
                let agent = ureq::AgentBuilder::new()
                    .timeout(Duration::from_secs(120))
                    .build();
                start.wait();
                let r = agent
                    .post(&format!("{base}/v1/auth/login"))
                    .set("X-Jianban-Protocol", "1")
                    .send_json(json!({"username": user, "password": format!("guess-{i}"),
                        "device_id": format!("storm-{i}"), "device_name": "storm"}));
                let (status, body): (u16, Value) = match r {
                    Ok(r) => (r.status(), r.into_json().unwrap_or(Value::Null)),
                    Err(ureq::Error::Status(s, r)) => (s, r.into_json().unwrap_or(Value::Null)),
                    Err(e) => panic!("login {user}: {e}"),
                };
                (
                    user,
                    status,
                    body["code"].as_str().unwrap_or("").to_string(),
                )
            })
        })
        .collect();
    let t = Instant::now();
    let answers: Vec<(String, u16, String)> =
        guesses.into_iter().map(|g| g.join().unwrap()).collect();
    let storm = t.elapsed();
    stop.store(true, Ordering::Relaxed);
    for r in readers {
        r.join().unwrap();
    }

    let mut wrong: HashMap<&str, usize> = HashMap::new();
    let mut by_code: HashMap<(u16, &str), usize> = HashMap::new();
    for (user, status, code) in &answers {
        *by_code.entry((*status, code.as_str())).or_default() += 1;
        match (*status, code.as_str()) {
            (401, "auth.invalid_credentials") => *wrong.entry(user.as_str()).or_default() += 1,
            (429, "auth.locked") | (429, "auth.address_locked") | (503, "server.busy") => {}
            other => panic!("{user}: unexpected answer {other:?} (all: {by_code:?})"),
        }
    }
    eprintln!(
        "storm of {} guesses in {storm:?}: {by_code:?}",
        answers.len()
    );
    for (user, n) in &wrong {
        assert!(
            *n <= MAX_FAILURES,
            "{user}: {n} guesses were checked, the limit is {MAX_FAILURES}"
        );
    }
    let checked: usize = wrong.values().sum();
    assert!(
        checked <= MAX_ADDRESS_FAILURES,
        "{checked} guesses from one address were checked, the limit is {MAX_ADDRESS_FAILURES}"
    );
    assert!(
        wrong.get(TARGET).copied().unwrap_or(0) >= 1,
        "the first guesses are answered as wrong passwords: {by_code:?}"
    );
    // The right password does not get in either while the lock holds.
    let late = server.anon();
    let r = late.post(
        "/v1/auth/login",
        &json!({"username": TARGET, "password": DEMO_PASSWORD, "device_id": "storm-late", "device_name": "storm"}),
    );
    assert_eq!(r.status, 429, "{}", r.body);
    // The feed answered throughout.
    let other = feed_other.lock().unwrap();
    assert!(other.is_empty(), "feed requests failed: {other:?}");
    assert!(feed_ok.load(Ordering::Relaxed) > 0);
}
both!(guesses_stay_within_the_limits_while_the_feed_answers);
