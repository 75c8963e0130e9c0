//! Chinese full-text search of every query length.

use super::*;
use jianban_store::HitKind;

fn numbers(t: &TestStore, q: &str) -> Vec<u32> {
    t.store
        .search(q, 50)
        .unwrap()
        .iter()
        .map(|h| h.suggestion_number)
        .collect()
}

#[test]
fn finds_suggestions_by_long_and_short_chinese_queries() {
    let t = demo_store();
    assert!(numbers(&t, "民营经济").contains(&39));
    // Two characters: the commonest Chinese search.
    assert!(numbers(&t, "医院").contains(&172));
    assert!(numbers(&t, "检查").contains(&172));
    assert!(numbers(&t, "孵化器").contains(&199));
    assert!(numbers(&t, "乡村振兴").contains(&37));
    // One character.
    assert!(numbers(&t, "涝").contains(&196));
    // Two words, both required.
    let both = numbers(&t, "医院 检查");
    assert!(both.contains(&172));
    assert!(!both.contains(&39));
    // Characters apart do not match as a phrase.
    assert!(!numbers(&t, "民院").contains(&39));
    // Nothing searchable, and a query with FTS syntax in it, are harmless.
    assert!(t.store.search("，。", 10).unwrap().is_empty());
    assert!(t.store.search("\"医院\" OR *", 10).is_ok());
}

#[test]
fn finds_drafts_and_contact_records() {
    let mut t = demo_store();
    let liaison = demo_actor("zjj", UserRole::Liaison);
    t.store
        .save_draft(
            "a196-zjj",
            &ReplyContent {
                body: "完成雨水井改造121座".into(),
                ..Default::default()
            },
            &liaison,
            at(TODAY, (9, 0, 0)),
        )
        .unwrap();
    let hits = t.store.search("雨水井", 10).unwrap();
    assert!(
        hits.iter()
            .any(|h| h.kind == HitKind::Draft && h.ref_id == "a196-zjj"),
        "{hits:?}"
    );
    assert!(t
        .store
        .search("121", 10)
        .unwrap()
        .iter()
        .any(|h| h.kind == HitKind::Draft));
    t.store
        .record_contact(
            "a196-zjj",
            &jianban_store::ContactInput {
                mode: ContactMode::SiteInspection,
                date: date(TODAY),
                people: "张建国代表".into(),
                summary: "邀请代表实地视察积水点改造".into(),
            },
            &liaison,
            at(TODAY, (9, 5, 0)),
        )
        .unwrap();
    let hits = t.store.search("视察", 10).unwrap();
    assert!(hits
        .iter()
        .any(|h| h.kind == HitKind::Contact && h.suggestion_number == 196));
    // A draft's old text is no longer found once replaced.
    t.store
        .save_draft(
            "a196-zjj",
            &ReplyContent {
                body: "新稿".into(),
                ..Default::default()
            },
            &liaison,
            at(TODAY, (9, 6, 0)),
        )
        .unwrap();
    assert!(!t
        .store
        .search("雨水井", 10)
        .unwrap()
        .iter()
        .any(|h| h.kind == HitKind::Draft));
}
