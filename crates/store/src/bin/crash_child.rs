//! Used by the store's crash test: saves draft revisions in a loop and prints
//! `committed N HASH` after each commit returns. The test kills this process
//! with SIGKILL at random moments and then checks that every revision it
//! reported is in the database.
//!
//! usage: jianban-store-crash-child DB ASSIGNMENT_ID

use std::io::Write;

use jianban_domain::{Actor, ReplyContent, UnitId, UserId, UserRole};
use jianban_store::Store;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, db, id] = args.as_slice() else {
        eprintln!("usage: jianban-store-crash-child DB ASSIGNMENT_ID");
        std::process::exit(2);
    };
    let mut store = Store::open(std::path::Path::new(db)).expect("open store");
    let unit = store.case(id).expect("case exists").unit;
    let actor = Actor {
        user: UserId::new("crash-liaison"),
        name: "联络员".into(),
        role: UserRole::Liaison,
        unit: Some(UnitId::new(unit.as_str())),
    };
    // Three pages of text, so each commit writes several database pages.
    let filler =
        "经认真研究，现答复如下：我单位高度重视代表建议办理工作，及时召开专题会议研究部署。"
            .repeat(40);
    let mut out = std::io::stdout().lock();
    let mut n: u64 = 0;
    loop {
        n += 1;
        let content = ReplyContent {
            body: format!("第{n}次保存，进程{}。\n{filler}", std::process::id()),
            ..Default::default()
        };
        let now = chrono::Local::now().naive_local();
        let info = store
            .save_draft(id, &content, &actor, now)
            .expect("save draft");
        writeln!(out, "committed {} {}", info.number, info.hash).unwrap();
        out.flush().unwrap();
    }
}
