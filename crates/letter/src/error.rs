//! Typed errors. Each has a stable `code()` for the UI and the CLI to match on,
//! and a Chinese message that says what to do next.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum LetterError {
    /// No CJK face at all: nothing could set the letter.
    #[error(
        "本机没有可用的中文字体，无法排版答复函。请安装中文字体后重试：Windows 请确认系统自带的仿宋、黑体、楷体、宋体未被删除；\
         统信 UOS / 麒麟 / Debian / Ubuntu 请执行 `sudo apt install fonts-noto-cjk`；\
         也可以把 仿宋（simfang.ttf）、黑体（simhei.ttf）、楷体（simkai.ttf）复制到 ~/.local/share/fonts/ 后重新打开本程序。"
    )]
    NoCjkFont,

    #[error(
        "字体文件 {path} 无法读取或解析：{reason}。请检查该字体是否完整，或删除后改用其他字体。"
    )]
    FontLoad { path: PathBuf, reason: String },

    #[error("答复函正文为空。请先填写答复正文，再导出。")]
    EmptyBody,

    #[error("答复函缺少{field}。请补充后再导出。")]
    MissingField { field: &'static str },

    #[error("答复函排版后共 {pages} 页以上，超过上限 {max} 页。请精简正文，或把详细材料作为附件另行报送。")]
    TooLong { pages: usize, max: usize },

    #[error("排版设置有误：{0}。请恢复默认设置或修改单位模板。")]
    Settings(String),

    #[error("印章图片无法使用：{0}。请提供 PNG 或 JPEG 格式的印章图片（建议透明背景）。")]
    SealImage(String),

    #[error("验证二维码无法生成：{0}。请缩短签发人姓名后重试，或联系管理员。")]
    QrCode(String),

    #[error("答复函文件格式有误：{0}。请对照 crates/letter/README.md 中的格式说明修改。")]
    Json(String),

    #[error("无法读写文件 {path}：{reason}。请检查路径是否存在、是否有写入权限。")]
    Io { path: PathBuf, reason: String },

    #[error("生成 Word 文件失败：{0}。请重试；如仍失败，请导出 PDF。")]
    Docx(String),

    #[error("不支持的输出格式“{0}”。请使用 .pdf、.docx 或 .svg 作为输出文件的扩展名。")]
    UnsupportedFormat(String),
}

impl LetterError {
    /// Stable machine-readable code; never changes when the wording does.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NoCjkFont => "letter.no_cjk_font",
            Self::FontLoad { .. } => "letter.font_load",
            Self::EmptyBody => "letter.empty_body",
            Self::MissingField { .. } => "letter.missing_field",
            Self::TooLong { .. } => "letter.too_long",
            Self::Settings(_) => "letter.settings",
            Self::SealImage(_) => "letter.seal_image",
            Self::QrCode(_) => "letter.qr_code",
            Self::Json(_) => "letter.json",
            Self::Io { .. } => "letter.io",
            Self::Docx(_) => "letter.docx",
            Self::UnsupportedFormat(_) => "letter.unsupported_format",
        }
    }

    pub(crate) fn io(path: impl Into<PathBuf>, e: impl std::fmt::Display) -> Self {
        Self::Io {
            path: path.into(),
            reason: e.to_string(),
        }
    }
}

pub type Result<T, E = LetterError> = std::result::Result<T, E>;
