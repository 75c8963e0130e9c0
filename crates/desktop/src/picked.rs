//! Which file paths the web view may name.
//!
//! The web view is the least trusted part of the app: a script injected
//! into it (a crafted reply text that escapes the sanitizer, a compromised
//! dependency of the front end) could otherwise make the app read, open or
//! show any file of the user. So a command takes a path from the web view
//! only if the person picked it in a native dialog since the app started
//! (the shell's dialogs call [`PickedPaths::remember`]), or it lies inside
//! the app's own export folder. Everything else is refused in Chinese.

use std::collections::HashSet;
use std::path::{Component, Path, PathBuf};
use std::sync::Mutex;

use crate::error::CommandError;

/// The code of a refused path.
pub const PATH_NOT_PICKED: &str = "path_not_picked";

/// The paths picked in native dialogs during this run, and the app's own
/// export folder.
#[derive(Debug, Default)]
pub struct PickedPaths {
    picked: Mutex<HashSet<PathBuf>>,
    export_dir: Option<PathBuf>,
}

impl PickedPaths {
    /// `export_dir`: where the app saves without asking (the shell's
    /// `JIANBAN_EXPORT_DIR`), if anywhere.
    pub fn new(export_dir: Option<PathBuf>) -> Self {
        Self {
            picked: Mutex::new(HashSet::new()),
            export_dir,
        }
    }

    /// Records a path the person chose in a native dialog (a file to open,
    /// or where to save one that may not exist yet).
    pub fn remember(&self, path: &Path) {
        if let Some(p) = resolve(path) {
            if let Ok(mut set) = self.picked.lock() {
                set.insert(p);
            }
        }
    }

    /// The path, resolved, if the web view may name it; `what` says what it
    /// is for in the refusal (e.g. 要验证的答复函).
    pub fn check(&self, path: &Path, what: &str) -> Result<PathBuf, CommandError> {
        let refused = || {
            CommandError::new(
                PATH_NOT_PICKED,
                format!(
                    "{what}的路径不是您在本次运行中通过“选择文件”或“保存”对话框选定的，为安全起见已拒绝。请点击相应按钮重新选择文件。"
                ),
            )
        };
        let resolved = resolve(path).ok_or_else(refused)?;
        let picked = self
            .picked
            .lock()
            .map(|set| set.contains(&resolved))
            .unwrap_or(false);
        // Resolved now: the folder may be made after the app started.
        let in_export_dir = self
            .export_dir
            .as_deref()
            .and_then(resolve)
            .is_some_and(|dir| resolved.starts_with(&dir) && resolved != dir);
        if picked || in_export_dir {
            Ok(resolved)
        } else {
            Err(refused())
        }
    }
}

/// An absolute path with `.`/`..` and symbolic links resolved: the file
/// itself when it exists, else its folder with the file name (a file about
/// to be saved). `None` for a relative path or one whose folder does not
/// exist: nothing from the web view is resolved against the working folder.
fn resolve(path: &Path) -> Option<PathBuf> {
    if !path.is_absolute() {
        return None;
    }
    if let Ok(p) = path.canonicalize() {
        return Some(p);
    }
    let name = path.file_name()?;
    if matches!(
        path.components().next_back(),
        Some(Component::ParentDir | Component::CurDir)
    ) {
        return None;
    }
    let parent = path.parent()?.canonicalize().ok()?;
    Some(parent.join(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_picked_paths_pass() {
        let dir = tempfile::tempdir().unwrap();
        let letter = dir.path().join("答复函.pdf");
        std::fs::write(&letter, b"%PDF-1.7").unwrap();
        let other = dir.path().join("id_rsa");
        std::fs::write(&other, b"secret").unwrap();
        let paths = PickedPaths::new(None);
        let e = paths.check(&letter, "要验证的答复函").unwrap_err();
        assert_eq!(e.code, PATH_NOT_PICKED);
        assert!(e.message.contains("重新选择"), "{}", e.message);
        paths.remember(&letter);
        assert_eq!(
            paths.check(&letter, "要验证的答复函").unwrap(),
            letter.canonicalize().unwrap()
        );
        assert!(paths.check(&other, "要验证的答复函").is_err());
        // The folder of a picked file is not a picked path.
        assert!(paths.check(dir.path(), "文件夹").is_err());
    }

    #[test]
    fn dot_dot_and_links_do_not_lead_out_of_a_picked_path() {
        let dir = tempfile::tempdir().unwrap();
        let sub = dir.path().join("导出");
        std::fs::create_dir(&sub).unwrap();
        let secret = dir.path().join("secret.txt");
        std::fs::write(&secret, b"x").unwrap();
        let paths = PickedPaths::new(Some(sub.clone()));
        // Inside the export folder: allowed, even before it exists.
        assert!(paths.check(&sub.join("答复函.pdf"), "文件").is_ok());
        // Out of it through `..`: refused.
        assert!(paths
            .check(&sub.join("..").join("secret.txt"), "文件")
            .is_err());
        assert!(paths.check(&sub.join(".."), "文件").is_err());
        // The export folder itself is not a file in it.
        assert!(paths.check(&sub, "文件").is_err());
        // A link inside the export folder pointing out of it: refused.
        #[cfg(unix)]
        {
            let link = sub.join("link.txt");
            std::os::unix::fs::symlink(&secret, &link).unwrap();
            assert!(paths.check(&link, "文件").is_err());
        }
    }

    #[test]
    fn relative_paths_are_refused() {
        let paths = PickedPaths::new(None);
        paths.remember(Path::new("答复函.pdf"));
        assert!(paths.check(Path::new("答复函.pdf"), "文件").is_err());
    }

    #[test]
    fn a_file_saved_after_it_was_picked_still_passes() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("统计表.xlsx");
        let paths = PickedPaths::new(None);
        // Picked in the save dialog: the file does not exist yet.
        paths.remember(&target);
        std::fs::write(&target, b"PK").unwrap();
        assert!(paths.check(&target, "导出的文件").is_ok());
    }
}
