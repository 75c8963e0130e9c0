//! The native save dialog (rfd). GTK dialogs must run on the main thread, so
//! the command thread asks the main thread and waits for the answer.
//!
//! Every path the person picks is recorded in the app state
//! (`AppState::picked`): the web view may later name only those (to open
//! its folder, to verify it, to connect with it).

use std::path::PathBuf;

use tauri::{AppHandle, Manager};

use jianban_desktop::error::{code, CommandError};
use jianban_desktop::state::AppState;

/// Records a picked path for the commands that take paths from the web view.
fn remember(app: &AppHandle, path: &std::path::Path) {
    if let Some(state) = app.try_state::<AppState>() {
        state.picked().remember(path);
    }
}

/// The app's own export folder (`JIANBAN_EXPORT_DIR`), if set.
pub fn export_dir() -> Option<PathBuf> {
    std::env::var_os(ENV_EXPORT_DIR)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
}

/// `JIANBAN_EXPORT_DIR` skips the dialog and saves there under the default
/// name (the end-to-end test has no one to click).
pub const ENV_EXPORT_DIR: &str = "JIANBAN_EXPORT_DIR";

/// The filter's name for a file extension.
fn filter_label(ext: &str) -> &'static str {
    match ext {
        "pdf" => "PDF 文件",
        "docx" => "Word 文件",
        "xlsx" => "Excel 工作簿",
        "cer" => "证书文件",
        _ => "文件",
    }
}

/// Asks where to save `default_name` (`title` names the dialog, e.g.
/// 导出答复函); `ext` picks the file-type filter.
pub fn save_path(
    app: &AppHandle,
    title: &str,
    default_name: &str,
    ext: &str,
) -> Result<PathBuf, CommandError> {
    if let Some(dir) = export_dir() {
        return Ok(dir.join(default_name));
    }
    let (tx, rx) = std::sync::mpsc::channel();
    let name = default_name.to_owned();
    let ext = ext.to_owned();
    let title = title.to_owned();
    app.run_on_main_thread(move || {
        let label = filter_label(&ext);
        let picked = rfd::FileDialog::new()
            .set_title(&title)
            .set_file_name(&name)
            .add_filter(label, &[ext.as_str()])
            .save_file();
        let _ = tx.send(picked);
    })
    .map_err(|e| CommandError::new(code::EXPORT, format!("无法打开保存对话框（{e}），请重试。")))?;
    let picked = rx
        .recv()
        .map_err(|_| CommandError::new(code::EXPORT, "保存对话框意外关闭，请重试。"))?;
    let picked =
        picked.ok_or_else(|| CommandError::new(code::CANCELLED, "已取消导出，未写入任何文件。"))?;
    remember(app, &picked);
    Ok(picked)
}

/// Asks which file to open (native open dialog, main thread): `title`
/// names the dialog, `filter` and `exts` the file types; `cancelled` is
/// the message when the person closes it without choosing.
fn open_file(
    app: &AppHandle,
    title: &'static str,
    filter: &'static str,
    exts: &'static [&'static str],
    cancelled: &'static str,
) -> Result<PathBuf, CommandError> {
    let (tx, rx) = std::sync::mpsc::channel();
    app.run_on_main_thread(move || {
        let picked = rfd::FileDialog::new()
            .set_title(title)
            .add_filter(filter, exts)
            .pick_file();
        let _ = tx.send(picked);
    })
    .map_err(|e| CommandError::new(code::EXPORT, format!("无法打开文件对话框（{e}），请重试。")))?;
    let picked = rx
        .recv()
        .map_err(|_| CommandError::new(code::EXPORT, "文件对话框意外关闭，请重试。"))?;
    let picked = picked.ok_or_else(|| CommandError::new(code::CANCELLED, cancelled))?;
    remember(app, &picked);
    Ok(picked)
}

/// Asks which sealed letter to check.
pub fn open_pdf(app: &AppHandle) -> Result<PathBuf, CommandError> {
    open_file(
        app,
        "选择要验证的签章版答复函",
        "PDF 文件",
        &["pdf"],
        "已取消验证。",
    )
}

/// Asks for the intranet's CA certificate (PEM) on the login screen.
pub fn open_ca_certificate(app: &AppHandle) -> Result<PathBuf, CommandError> {
    open_file(
        app,
        "选择内网 CA 证书",
        "证书文件",
        &["pem", "crt", "cer"],
        "未选择证书。",
    )
}
