//! Where the desktop app keeps its data: the store, and the log files.
//!
//! Resolution order:
//! 1. `JIANBAN_DATA_DIR`, when set and not empty (tests and the end-to-end run
//!    use it so they never touch a user's real data);
//! 2. otherwise the platform's app data directory, and debug builds use its
//!    `dev/` subfolder so a developer's builds never open a user's database.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

/// Environment variable that overrides the data directory.
pub const ENV_VAR: &str = "JIANBAN_DATA_DIR";
/// The store's file name inside the data directory.
pub const STORE_FILE: &str = "jianban.sqlite3";
/// Folder for the daily rolling log files inside the data directory.
pub const LOG_DIR: &str = "logs";
/// Folder for the web view's own data (localStorage, caches).
pub const WEBVIEW_DIR: &str = "webview";
/// Subfolder of the app data dir used by debug builds.
pub const DEV_SUBDIR: &str = "dev";

#[derive(Debug, thiserror::Error)]
pub enum DataDirError {
    #[error("无法确定数据目录：{0}。请设置环境变量 JIANBAN_DATA_DIR 指向一个可写的文件夹后重新打开建办。")]
    Unknown(String),
    #[error("无法创建数据目录 {path}：{source}。请检查该文件夹的权限和磁盘空间，或设置环境变量 JIANBAN_DATA_DIR 指向另一个可写的文件夹。")]
    Create {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// Which kind of build is running: debug builds keep their data apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BuildKind {
    Debug,
    Release,
}

impl BuildKind {
    pub const CURRENT: BuildKind = if cfg!(debug_assertions) {
        BuildKind::Debug
    } else {
        BuildKind::Release
    };
}

/// Picks the data directory. `app_data_dir` is only asked when the
/// environment does not decide; its error text goes into the message.
pub fn resolve<E: std::fmt::Display>(
    env_value: Option<OsString>,
    app_data_dir: impl FnOnce() -> Result<PathBuf, E>,
    build: BuildKind,
) -> Result<PathBuf, DataDirError> {
    if let Some(value) = env_value.filter(|v| !v.is_empty()) {
        return std::path::absolute(PathBuf::from(&value))
            .map_err(|e| DataDirError::Unknown(format!("{ENV_VAR}={}: {e}", value.display())));
    }
    let base = app_data_dir().map_err(|e| DataDirError::Unknown(e.to_string()))?;
    Ok(match build {
        BuildKind::Debug => base.join(DEV_SUBDIR),
        BuildKind::Release => base,
    })
}

/// Creates the directory (and its log folder) if missing.
pub fn ensure(dir: &Path) -> Result<(), DataDirError> {
    let logs = dir.join(LOG_DIR);
    std::fs::create_dir_all(&logs).map_err(|source| DataDirError::Create { path: logs, source })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn app_dir() -> Result<PathBuf, String> {
        Ok(PathBuf::from(
            "/home/liaison/.local/share/org.jianban.desktop",
        ))
    }

    #[test]
    fn environment_variable_wins_over_the_app_data_dir() {
        let dir = resolve(
            Some(OsString::from("/tmp/jianban-e2e")),
            || -> Result<PathBuf, String> { panic!("app data dir must not be asked") },
            BuildKind::Debug,
        )
        .unwrap();
        assert_eq!(dir, PathBuf::from("/tmp/jianban-e2e"));
    }

    #[test]
    fn a_relative_override_becomes_absolute() {
        let dir = resolve(Some(OsString::from("data")), app_dir, BuildKind::Release).unwrap();
        assert!(dir.is_absolute());
        assert!(dir.ends_with("data"));
    }

    #[test]
    fn an_empty_override_is_ignored() {
        let dir = resolve(Some(OsString::new()), app_dir, BuildKind::Release).unwrap();
        assert_eq!(dir, app_dir().unwrap());
    }

    #[test]
    fn debug_builds_use_a_separate_folder() {
        let release = resolve(None, app_dir, BuildKind::Release).unwrap();
        let debug = resolve(None, app_dir, BuildKind::Debug).unwrap();
        assert_eq!(release, app_dir().unwrap());
        assert_eq!(debug, app_dir().unwrap().join("dev"));
        assert_ne!(release, debug);
    }

    #[test]
    fn no_app_data_dir_gives_a_chinese_message_that_says_what_to_do() {
        let err = resolve(None, || Err("no home directory"), BuildKind::Release).unwrap_err();
        let text = err.to_string();
        assert!(text.contains("no home directory"), "{text}");
        assert!(text.contains("JIANBAN_DATA_DIR"), "{text}");
    }

    #[test]
    fn ensure_creates_the_log_folder() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("a").join("b");
        ensure(&dir).unwrap();
        assert!(dir.join(LOG_DIR).is_dir());
        // Idempotent.
        ensure(&dir).unwrap();
    }

    #[test]
    fn ensure_reports_a_path_it_cannot_create() {
        let tmp = tempfile::tempdir().unwrap();
        let file = tmp.path().join("not-a-dir");
        std::fs::write(&file, b"x").unwrap();
        let err = ensure(&file).unwrap_err();
        assert!(matches!(err, DataDirError::Create { .. }));
        assert!(err.to_string().contains("无法创建数据目录"));
    }
}
