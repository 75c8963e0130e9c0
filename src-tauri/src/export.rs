//! Producing the final PDF of a reply.
//!
//! The one place a signed-off reply becomes its final document. Today it is
//! the letter crate's PDF with the signer printed in the approval block; the
//! unit's digital signature over the PDF (the `jianban-seal` crate) plugs in
//! here, so every caller gets it without changing.

use jianban_letter::{ApprovalBlock, Letter, LetterRenderer, PdfOptions, Rendered};
use jianban_store::SignOff;

use crate::error::CommandError;

/// The final PDF of `letter`, signed off by `sign_off` (already verified by
/// the store: callers obtain it from `Store::sign_off`).
pub fn final_pdf(
    renderer: &mut LetterRenderer,
    letter: &Letter,
    sign_off: &SignOff,
) -> Result<Rendered<Vec<u8>>, CommandError> {
    let mut letter = letter.clone();
    letter.approval = Some(ApprovalBlock {
        signer: sign_off.signer_name.clone(),
    });
    Ok(renderer.render_pdf(&letter, &PdfOptions::default())?)
}

/// `第39号建议答复-市发展改革委.pdf`; characters a file name cannot hold are
/// replaced.
pub fn default_file_name(number: u32, unit: &str, ext: &str, is_final: bool) -> String {
    let unit: String = unit
        .chars()
        .map(|c| {
            if matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|') {
                '_'
            } else {
                c
            }
        })
        .collect();
    let draft = if is_final { "" } else { "（草稿）" };
    format!("第{number}号建议答复-{unit}{draft}.{ext}")
}

/// Opens the folder that holds `path` in the system's file manager.
pub fn open_folder(path: &std::path::Path) -> Result<(), CommandError> {
    let dir = if path.is_dir() {
        path.to_path_buf()
    } else {
        path.parent().map(|p| p.to_path_buf()).unwrap_or_default()
    };
    let result = if cfg!(target_os = "windows") {
        std::process::Command::new("explorer")
            .arg(format!("/select,{}", path.display()))
            .spawn()
    } else if cfg!(target_os = "macos") {
        std::process::Command::new("open")
            .arg("-R")
            .arg(path)
            .spawn()
    } else {
        std::process::Command::new("xdg-open").arg(&dir).spawn()
    };
    result.map(|_| ()).map_err(|e| {
        CommandError::new(
            crate::error::code::EXPORT,
            format!(
                "无法打开文件夹 {}（{e}），请在文件管理器中手动打开。",
                dir.display()
            ),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_names_follow_the_office_convention() {
        assert_eq!(
            default_file_name(39, "市发展改革委", "pdf", true),
            "第39号建议答复-市发展改革委.pdf"
        );
        assert_eq!(
            default_file_name(7, "市交通/运输局", "docx", false),
            "第7号建议答复-市交通_运输局（草稿）.docx"
        );
    }
}
