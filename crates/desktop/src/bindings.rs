//! TypeScript twins of the IPC types, committed in `ui/src/bindings/`.
//!
//! The test below fails when the committed files drift from the Rust types.
//! To regenerate after changing a DTO:
//!
//! ```sh
//! UPDATE_BINDINGS=1 cargo test -p jianban-desktop bindings
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use ts_rs::{Config, TS};

use crate::dto::*;
use crate::error::CommandError;

fn bindings_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../ui/src/bindings")
}

/// One generated file: name → text, plus the names its imports need.
fn file<T: TS + 'static>(
    cfg: &Config,
    out: &mut BTreeMap<String, String>,
    needs: &mut Vec<String>,
) {
    let name = format!("{}.ts", T::name(cfg));
    let text = T::export_to_string(cfg).expect("ts-rs can export this type");
    needs.extend(
        T::dependencies(cfg)
            .into_iter()
            .map(|d| d.output_path.to_string_lossy().into_owned()),
    );
    out.insert(name, text);
}

/// Every type the UI receives or is rejected with.
fn generated() -> (BTreeMap<String, String>, Vec<String>) {
    let cfg = Config::new();
    let mut out = BTreeMap::new();
    let mut needs = Vec::new();
    file::<AssignmentRow>(&cfg, &mut out, &mut needs);
    file::<Role>(&cfg, &mut out, &mut needs);
    file::<CaseState>(&cfg, &mut out, &mut needs);
    file::<DeadlineWarning>(&cfg, &mut out, &mut needs);
    file::<UserView>(&cfg, &mut out, &mut needs);
    file::<UserRoleCode>(&cfg, &mut out, &mut needs);
    file::<AppStatus>(&cfg, &mut out, &mut needs);
    file::<ConnectInput>(&cfg, &mut out, &mut needs);
    file::<ChangePasswordInput>(&cfg, &mut out, &mut needs);
    file::<SyncView>(&cfg, &mut out, &mut needs);
    file::<NoticeView>(&cfg, &mut out, &mut needs);
    file::<FontView>(&cfg, &mut out, &mut needs);
    file::<AccountView>(&cfg, &mut out, &mut needs);
    file::<NewAccount>(&cfg, &mut out, &mut needs);
    file::<SettingsView>(&cfg, &mut out, &mut needs);
    file::<SettingsInput>(&cfg, &mut out, &mut needs);
    file::<ApprovalStepView>(&cfg, &mut out, &mut needs);
    file::<ChainInput>(&cfg, &mut out, &mut needs);
    file::<ChainChange>(&cfg, &mut out, &mut needs);
    file::<WorkbenchRow>(&cfg, &mut out, &mut needs);
    file::<StateGroup>(&cfg, &mut out, &mut needs);
    file::<GroupCount>(&cfg, &mut out, &mut needs);
    file::<SessionView>(&cfg, &mut out, &mut needs);
    file::<Workbench>(&cfg, &mut out, &mut needs);
    file::<SearchHitView>(&cfg, &mut out, &mut needs);
    file::<DeputyView>(&cfg, &mut out, &mut needs);
    file::<UnitView>(&cfg, &mut out, &mut needs);
    file::<DeadlineView>(&cfg, &mut out, &mut needs);
    file::<ContactView>(&cfg, &mut out, &mut needs);
    file::<ContactModeCode>(&cfg, &mut out, &mut needs);
    file::<ContactInputView>(&cfg, &mut out, &mut needs);
    file::<TimelineEvent>(&cfg, &mut out, &mut needs);
    file::<OpinionView>(&cfg, &mut out, &mut needs);
    file::<AvailableActions>(&cfg, &mut out, &mut needs);
    file::<PendingExtensionView>(&cfg, &mut out, &mut needs);
    file::<CaseDetail>(&cfg, &mut out, &mut needs);
    file::<ReplyFields>(&cfg, &mut out, &mut needs);
    file::<RevisionView>(&cfg, &mut out, &mut needs);
    file::<DraftView>(&cfg, &mut out, &mut needs);
    file::<SavedDraft>(&cfg, &mut out, &mut needs);
    file::<PreviewView>(&cfg, &mut out, &mut needs);
    file::<ApprovalItem>(&cfg, &mut out, &mut needs);
    file::<DecideInput>(&cfg, &mut out, &mut needs);
    file::<DecisionView>(&cfg, &mut out, &mut needs);
    file::<ExportResult>(&cfg, &mut out, &mut needs);
    file::<LetterVerification>(&cfg, &mut out, &mut needs);
    file::<CountView>(&cfg, &mut out, &mut needs);
    file::<RateView>(&cfg, &mut out, &mut needs);
    file::<OverdueView>(&cfg, &mut out, &mut needs);
    file::<KeySuggestionView>(&cfg, &mut out, &mut needs);
    file::<StatsView>(&cfg, &mut out, &mut needs);
    file::<ReportDraftView>(&cfg, &mut out, &mut needs);
    file::<StatsExport>(&cfg, &mut out, &mut needs);
    file::<CommandError>(&cfg, &mut out, &mut needs);
    (out, needs)
}

#[test]
fn committed_typescript_bindings_match_the_rust_types() {
    let dir = bindings_dir();
    let (files, needs) = generated();
    for need in &needs {
        assert!(
            files.contains_key(need),
            "{need} is imported by a binding but not generated: add its type to generated()"
        );
    }

    if std::env::var_os("UPDATE_BINDINGS").is_some() {
        std::fs::create_dir_all(&dir).unwrap();
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "ts") {
                std::fs::remove_file(path).unwrap();
            }
        }
        for (name, text) in &files {
            std::fs::write(dir.join(name), text).unwrap();
        }
        return;
    }

    let mut problems = Vec::new();
    for (name, text) in &files {
        match std::fs::read_to_string(dir.join(name)) {
            Ok(committed) if committed == *text => {}
            Ok(_) => problems.push(format!("{name} differs from the Rust type")),
            Err(e) => problems.push(format!("{name} is missing ({e})")),
        }
    }
    for entry in std::fs::read_dir(&dir).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        if !files.contains_key(&name) {
            problems.push(format!("{name} is not generated from any Rust type"));
        }
    }
    assert!(
        problems.is_empty(),
        "ui/src/bindings drifted from crates/desktop/src/dto:\n  {}\nRegenerate with: UPDATE_BINDINGS=1 cargo test -p jianban-desktop bindings",
        problems.join("\n  ")
    );
}
