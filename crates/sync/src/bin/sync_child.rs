//! Used by the sync crash test: edits drafts and syncs in a loop, printing
//! `committed ID NUMBER HASH` after each local save. The test kills it with
//! SIGKILL at random moments, mid-push or mid-pull.
//!
//! usage: jianban-sync-child DB SERVER_URL USER PASSWORD

use std::io::Write;

use jianban_domain::{ReplyContent, ResultCategory, UnitId, UserId, UserRole};
use jianban_store::Store;
use jianban_sync::{Credentials, ServerClient, ServerConfig, SyncEngine};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, db, url, user, password] = args.as_slice() else {
        eprintln!("usage: jianban-sync-child DB SERVER_URL USER PASSWORD");
        std::process::exit(2);
    };
    let mut store = Store::open(std::path::Path::new(db)).expect("open store");
    let device = store.device_id().expect("device id");
    let client = ServerClient::new(
        ServerConfig::new(url.as_str()),
        device,
        "崩溃测试",
        Some(Credentials::Password {
            username: user.clone(),
            password: password.clone(),
        }),
    )
    .expect("client");
    let mut engine = SyncEngine::new(store, client);
    let actor = jianban_domain::Actor {
        user: UserId::new(user.as_str()),
        name: user.clone(),
        role: UserRole::Liaison,
        unit: Some(UnitId::new(user.split('-').next().unwrap_or_default())),
    };
    let mut out = std::io::stdout().lock();
    for round in 0u64.. {
        let today = chrono::Local::now().date_naive();
        let rows = engine.store().workbench_items(today).expect("list");
        for row in rows.iter().filter(|r| r.state.draft_editable()) {
            let content = ReplyContent {
                category: Some(ResultCategory::A),
                body: format!("进程{}第{round}轮：{}", std::process::id(), row.title),
                contact_person: "联络员".into(),
                contact_phone: "0557-3000000".into(),
                ..Default::default()
            };
            let now = chrono::Local::now().naive_local();
            if let Ok(r) = engine
                .store()
                .save_draft(&row.assignment_id, &content, &actor, now)
            {
                writeln!(
                    out,
                    "committed {} {} {}",
                    row.assignment_id, r.number, r.hash
                )
                .unwrap();
                out.flush().unwrap();
            }
        }
        let _ = engine.sync_once();
    }
}
