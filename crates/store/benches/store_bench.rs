//! Store benchmarks (a program, not a test). Run:
//!
//!     cargo bench -p jianban-store --bench store_bench
//!
//! Prints the median of each figure:
//! - durable save of a three-page draft revision;
//! - full-text search over 10,000 suggestions and 10,000 drafts;
//! - opening a store that holds 10,000 assignments;
//! - listing those 10,000 assignments for the workbench.

use std::time::{Duration, Instant};

use chrono::Local;
use jianban_domain::demo::{demo_data, scaled};
use jianban_domain::*;
use jianban_store::Store;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

/// Three pages of reply text on the 22 × 28 grid (about 1,850 characters).
fn three_page_body(n: usize) -> String {
    let para = "经认真研究，现答复如下：我单位高度重视代表建议办理工作，召开专题会议研究部署，明确分管领导和责任科室，逐条细化工作措施。";
    let mut s = format!("第{n}稿。");
    while s.chars().count() < 1850 {
        s.push_str(para);
        s.push('\n');
    }
    s
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let today = Local::now().date_naive();

    // 1. Durable save of a three-page draft revision.
    let path = dir.path().join("save.sqlite3");
    let mut store = Store::open(&path).unwrap();
    store.import_demo_as_of(&demo_data(), today).unwrap();
    let liaison = demo_data()
        .user(Some(&UnitId::new("zjj")), UserRole::Liaison)
        .unwrap()
        .actor();
    let mut saves = Vec::new();
    for n in 0..300 {
        let content = ReplyContent {
            body: three_page_body(n),
            ..Default::default()
        };
        let now = Local::now().naive_local();
        let t = Instant::now();
        store
            .save_draft("a196-zjj", &content, &liaison, now)
            .unwrap();
        saves.push(t.elapsed());
    }
    println!(
        "durable save of a three-page draft revision (300 saves): median {}",
        ms(median(saves))
    );

    // 2. Search and 3. open, on 10,000 suggestions with 10,000 drafts.
    let path = dir.path().join("big.sqlite3");
    let t = Instant::now();
    let mut big = Store::open(&path).unwrap();
    big.import_demo_as_of(&scaled(10_000), today).unwrap();
    println!(
        "(building 10,000 suggestions, assignments and drafts took {:.1} s)",
        t.elapsed().as_secs_f64()
    );
    let queries = [
        "医院",
        "民营经济",
        "检查",
        "乡村振兴资金",
        "孵化器",
        "养老",
        "交通 安全",
        "涝",
    ];
    let mut searches = Vec::new();
    let mut hits = 0;
    for round in 0..25 {
        for q in queries {
            let t = Instant::now();
            let found = big.search(q, 50).unwrap();
            searches.push(t.elapsed());
            if round == 0 {
                hits += found.len();
            }
        }
    }
    assert!(hits > 0);
    println!(
        "full-text search over 10,000 suggestions + 10,000 drafts ({} queries, top 50): median {}",
        searches.len(),
        ms(median(searches))
    );
    drop(big);

    let mut opens = Vec::new();
    for _ in 0..30 {
        let t = Instant::now();
        let s = Store::open(&path).unwrap();
        opens.push(t.elapsed());
        drop(s);
    }
    println!(
        "opening a store holding 10,000 assignments (30 opens): median {}",
        ms(median(opens))
    );

    let mut s = Store::open(&path).unwrap();
    let liaison = scaled(1)
        .user(Some(&UnitId::new("u007")), UserRole::Liaison)
        .unwrap()
        .actor();
    let mut saves = Vec::new();
    for n in 0..100 {
        let content = ReplyContent {
            body: three_page_body(n),
            ..Default::default()
        };
        let t = Instant::now();
        s.save_draft("a00007", &content, &liaison, Local::now().naive_local())
            .unwrap();
        saves.push(t.elapsed());
    }
    println!("durable save of a three-page draft revision in the 10,000-assignment store (100 saves): median {}", ms(median(saves)));
    let mut lists = Vec::new();
    for _ in 0..10 {
        let t = Instant::now();
        let rows = s.workbench_items(today).unwrap();
        lists.push(t.elapsed());
        assert_eq!(rows.len(), 10_000);
    }
    println!(
        "listing 10,000 assignments for the workbench: median {}",
        ms(median(lists))
    );
}
