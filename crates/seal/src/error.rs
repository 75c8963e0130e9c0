//! Errors of sealing. Each has a stable `code()`; messages are Chinese and
//! say what to do next.

use jianban_letter::LetterError;
use jianban_signoff::SignoffError;

#[derive(Debug, thiserror::Error)]
pub enum SealError {
    /// The sign-off does not verify: no signed letter without 不审核不答复.
    #[error("无法生成签章版答复函：{0}")]
    SignOff(#[source] SignoffError),

    #[error("{0}")]
    Letter(#[from] LetterError),

    #[error("单位证书不可用：{0}。")]
    Certificate(String),

    #[error("PDF 签章失败：{0}。请重新导出；如仍失败，请联系管理员。")]
    Pdf(String),
}

impl SealError {
    pub fn code(&self) -> &'static str {
        match self {
            SealError::SignOff(e) => e.code(),
            SealError::Letter(e) => e.code(),
            SealError::Certificate(_) => "seal.certificate",
            SealError::Pdf(_) => "seal.pdf",
        }
    }
}
