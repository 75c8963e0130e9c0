//! Bad input gets a typed error with a clear Chinese message, and nothing is
//! partly written.

use super::*;
use jianban_store::StoreError;

#[test]
fn oversized_and_control_character_drafts_are_refused_whole() {
    let mut t = demo_store();
    let liaison = demo_actor("zjj", UserRole::Liaison);
    let big = ReplyContent {
        body: "字".repeat(400_000),
        ..Default::default()
    };
    let err = t
        .store
        .save_draft("a196-zjj", &big, &liaison, at(TODAY, (9, 0, 0)))
        .unwrap_err();
    assert_eq!(err.code(), "input.too_long");
    assert!(err.to_string().contains("1MB"));
    let ctl = ReplyContent {
        body: "正文\u{0000}".into(),
        ..Default::default()
    };
    let err = t
        .store
        .save_draft("a196-zjj", &ctl, &liaison, at(TODAY, (9, 0, 0)))
        .unwrap_err();
    assert_eq!(err.code(), "input.control_character");
    assert!(t.store.revisions("a196-zjj").unwrap().is_empty());
    assert_eq!(t.store.outbox_pending_count().unwrap(), 0);
    assert_eq!(t.store.case("a196-zjj").unwrap().state, CaseState::Received);
    let err = t.store.case("no-such").unwrap_err();
    assert_eq!(err.code(), "store.not_found");
}

#[test]
fn duplicate_ids_are_refused() {
    let mut t = demo_store();
    let demo = demo_data();
    let err = t.store.insert_unit(&demo.units[0]).unwrap_err();
    assert_eq!(err.code(), "store.duplicate");
    assert!(err.to_string().contains(&demo.units[0].name));
    let err = t.store.insert_suggestion(&demo.suggestions[0]).unwrap_err();
    assert_eq!(err.code(), "store.duplicate");
    let a = &demo.assignments[0];
    let err = t
        .store
        .create_assignment(
            &Assignment {
                id: a.id.clone(),
                suggestion_id: a.suggestion_id.clone(),
                unit_id: a.unit_id.clone(),
                role: a.role,
                assigned_on: date(TODAY),
            },
            None,
        )
        .unwrap_err();
    assert_eq!(err.code(), "store.duplicate");
    // Importing the demo twice fails whole and leaves the first import intact.
    let n = t.store.workbench_items(date(TODAY)).unwrap().len();
    assert!(t.store.import_demo_as_of(&demo, date(TODAY)).is_err());
    assert_eq!(t.store.workbench_items(date(TODAY)).unwrap().len(), n);
}

#[test]
fn a_damaged_file_is_refused_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("jianban.sqlite3");
    let junk = b"this is not a database, it is a letter that was saved here by mistake".repeat(100);
    std::fs::write(&path, &junk).unwrap();
    let err = Store::open(&path).err().unwrap();
    assert!(matches!(err, StoreError::Damaged { .. }), "{err:?}");
    assert_eq!(err.code(), "store.damaged");
    assert!(err.to_string().contains("请勿删除"));
    assert!(
        std::fs::read(&path).unwrap() == junk,
        "the damaged file was changed"
    );
}

#[test]
fn a_newer_database_is_refused_untouched() {
    let t = demo_store();
    let path = t.path();
    drop(t.store);
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.pragma_update(None, "user_version", 99).unwrap();
        conn.pragma_update(None, "journal_mode", "DELETE").unwrap();
    }
    let bytes = std::fs::read(&path).unwrap();
    let err = Store::open(&path).err().unwrap();
    assert!(
        matches!(err, StoreError::NewerDatabase { found: 99, .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("请升级建办"));
    assert!(
        std::fs::read(&path).unwrap() == bytes,
        "the newer file was changed"
    );
}

#[test]
fn bad_reference_data_is_refused() {
    let mut t = empty_store();
    let err = t
        .store
        .insert_unit(&Unit {
            id: UnitId::new("x"),
            name: " ".into(),
            doc_prefix: String::new(),
        })
        .unwrap_err();
    assert_eq!(err.code(), "input.empty");
    let err = t
        .store
        .insert_deputy(&Deputy {
            id: DeputyId::new("d"),
            name: "张\n三".into(),
            delegation: String::new(),
        })
        .unwrap_err();
    assert_eq!(err.code(), "input.newline");
    assert!(t.store.is_empty().unwrap());
}
