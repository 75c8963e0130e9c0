fn main() {
    // The app's own commands get `allow-<command>` permissions generated from
    // this list; a command missing here cannot be granted to any window
    // (capabilities/main.json grants them). `commands::ALL` must list the same
    // names: a test compares the three.
    let manifest = tauri_build::AppManifest::new().commands(&[
        "list_assignments",
        "app_status",
        "connect_server",
        "logout",
        "use_local_demo",
        "login_local",
        "logout_local",
        "workbench",
        "search",
        "case_detail",
        "receive",
        "request_adjustment",
        "request_extension",
        "add_contact",
        "submit_for_approval",
        "submit_reply",
        "reply_draft",
        "reply_template",
        "save_draft",
        "revisions",
        "revision_fields",
        "restore_revision",
        "preview",
        "approval_queue",
        "decide",
        "decision_history",
        "export_reply",
        "verify_letter",
        "open_folder",
        "stats_figures",
        "stats_report",
        "export_stats",
        "export_ledger",
        "sync_status",
        "sync_now",
        "notices",
        "mark_notice_read",
        "settings",
        "save_settings",
        "add_account",
        "set_approval_chain",
        "export_certificate",
        "pick_ca_file",
    ]);
    tauri_build::try_build(tauri_build::Attributes::new().app_manifest(manifest))
        .expect("failed to run the Tauri build script");
}
