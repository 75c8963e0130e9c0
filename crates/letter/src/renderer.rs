//! The API the desktop app, the CLI and the tests call.
//!
//! A `LetterRenderer` owns the font cache: keep one for the life of the app
//! so that fonts are discovered and parsed once, not on every export.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::error::{LetterError, Result};
use crate::fonts::{FaceChoice, FontCache, FontOptions, FontReport, FontSet};
use crate::layout::{layout_letter, LetterLayout};
use crate::model::Letter;
use crate::pdf::{write_pdf, PdfMeta};
use crate::settings::LayoutSettings;

/// Options for one PDF export.
#[derive(Debug, Clone, Default)]
pub struct PdfOptions {
    /// Creation date written into the PDF (seconds since the epoch); now
    /// when `None`.
    pub created_unix: Option<i64>,
}

/// An export and what the user should be told about it.
#[derive(Debug, Clone, Serialize)]
pub struct Rendered<T> {
    pub output: T,
    pub pages: usize,
    pub report: FontReport,
}

/// Lays out and renders letters; keeps fonts between calls.
pub struct LetterRenderer {
    fonts: FontCache,
    settings: LayoutSettings,
}

impl Default for LetterRenderer {
    fn default() -> Self {
        Self::new()
    }
}

impl LetterRenderer {
    /// System fonts, GB/T 9704 settings.
    pub fn new() -> Self {
        Self::with_options(FontOptions::default(), LayoutSettings::default())
    }

    pub fn with_options(fonts: FontOptions, settings: LayoutSettings) -> Self {
        Self {
            fonts: FontCache::new(fonts),
            settings,
        }
    }

    pub fn settings(&self) -> &LayoutSettings {
        &self.settings
    }

    pub fn set_settings(&mut self, settings: LayoutSettings) -> Result<()> {
        settings.validate().map_err(LetterError::Settings)?;
        self.settings = settings;
        Ok(())
    }

    /// The faces chosen on this machine (loads them on first use).
    pub fn font_set(&mut self) -> Result<Arc<FontSet>> {
        self.fonts.font_set()
    }

    /// Which face stands for 仿宋, 黑体, 楷体, 小标宋 and 宋体 on this machine,
    /// for a settings screen. Fails with [`LetterError::NoCjkFont`] and
    /// install instructions when there is no Chinese face at all.
    pub fn font_choices(&mut self) -> Result<Vec<FaceChoice>> {
        Ok(self.font_set()?.choices().to_vec())
    }

    /// Every font family installed, for a font picker.
    pub fn installed_families(&mut self) -> Vec<String> {
        self.fonts.families()
    }

    /// Re-scans the fonts (after the user installed one).
    pub fn reload_fonts(&mut self) {
        self.fonts.reload();
    }

    /// The layout pass alone: pages of line boxes, and the font report.
    /// Works on unfinished drafts (for the live preview).
    pub fn layout(&mut self, letter: &Letter) -> Result<(LetterLayout, FontReport)> {
        let fonts = self.font_set()?;
        let layout = layout_letter(letter, &self.settings, fonts.as_ref())?;
        let report = fonts.report(&layout);
        Ok((layout, report))
    }

    /// One SVG per page, for the preview; same line boxes as the PDF.
    pub fn render_svg(&mut self, letter: &Letter) -> Result<Rendered<Vec<String>>> {
        let fonts = self.font_set()?;
        let (layout, report) = self.layout(letter)?;
        let family = |face: Option<u16>, style| {
            let real = face
                .map(|f| fonts.face(f).family.clone())
                .unwrap_or_default();
            let generic = crate::svg::generic_family(style);
            if real.is_empty() {
                generic.to_string()
            } else {
                format!("'{real}', {generic}")
            }
        };
        let pages = crate::svg::pages_to_svg(&layout, letter.seal.as_deref(), &family);
        Ok(Rendered {
            pages: pages.len(),
            output: pages,
            report,
        })
    }

    /// The PDF. Refuses letters that are not ready to send (empty body,
    /// no title, unit or date).
    pub fn render_pdf(&mut self, letter: &Letter, opts: &PdfOptions) -> Result<Rendered<Vec<u8>>> {
        letter.validate_for_export()?;
        let fonts = self.font_set()?;
        let (layout, report) = self.layout(letter)?;
        let meta = pdf_meta(letter, opts);
        let bytes = write_pdf(&layout, &fonts, letter.seal.as_deref(), &meta)?;
        Ok(Rendered {
            output: bytes,
            pages: layout.page_count(),
            report,
        })
    }

    /// The Word file.
    pub fn render_docx(&mut self, letter: &Letter) -> Result<Rendered<Vec<u8>>> {
        letter.validate_for_export()?;
        let (layout, report) = self.layout(letter)?;
        let bytes = crate::docx::write_docx(letter, &layout)?;
        Ok(Rendered {
            output: bytes,
            pages: layout.page_count(),
            report,
        })
    }

    /// Writes `out` in the format its extension names: .pdf, .docx, or .svg
    /// (one file per page: `name.svg`, `name-2.svg`, …). Returns the files
    /// written.
    pub fn export(&mut self, letter: &Letter, out: &Path) -> Result<Rendered<Vec<PathBuf>>> {
        let ext = out
            .extension()
            .and_then(|e| e.to_str())
            .map(|e| e.to_ascii_lowercase())
            .unwrap_or_default();
        let write = |path: &Path, bytes: &[u8]| {
            std::fs::write(path, bytes).map_err(|e| LetterError::io(path, e))
        };
        match ext.as_str() {
            "pdf" => {
                let r = self.render_pdf(letter, &PdfOptions::default())?;
                write(out, &r.output)?;
                Ok(Rendered {
                    output: vec![out.to_path_buf()],
                    pages: r.pages,
                    report: r.report,
                })
            }
            "docx" => {
                let r = self.render_docx(letter)?;
                write(out, &r.output)?;
                Ok(Rendered {
                    output: vec![out.to_path_buf()],
                    pages: r.pages,
                    report: r.report,
                })
            }
            "svg" => {
                let r = self.render_svg(letter)?;
                let mut files = Vec::new();
                for (i, svg) in r.output.iter().enumerate() {
                    let path = if i == 0 {
                        out.to_path_buf()
                    } else {
                        let stem = out.file_stem().and_then(|s| s.to_str()).unwrap_or("page");
                        out.with_file_name(format!("{stem}-{}.svg", i + 1))
                    };
                    write(&path, svg.as_bytes())?;
                    files.push(path);
                }
                Ok(Rendered {
                    output: files,
                    pages: r.pages,
                    report: r.report,
                })
            }
            other => Err(LetterError::UnsupportedFormat(other.to_string())),
        }
    }
}

/// A stable id for the letter's content: the same letter always gets the
/// same id, any change gives a new one. Written into the PDF.
pub fn document_id(letter: &Letter) -> String {
    let mut h = Sha256::new();
    h.update(letter.plain_text().as_bytes());
    if let Some(seal) = &letter.seal {
        h.update(seal);
    }
    hex::encode(&h.finalize()[..16])
}

fn pdf_meta(letter: &Letter, opts: &PdfOptions) -> PdfMeta {
    let subject = match &letter.suggestion {
        Some(s) => s.label(),
        None => crate::model::clean_inline(&letter.doc_number),
    };
    let mut keywords = vec![
        "答复函".to_string(),
        letter.disclosure.label_zh().to_string(),
    ];
    if let Some(c) = letter.category {
        keywords.push(format!("{}类", c.letter()));
    }
    if let Some(s) = &letter.suggestion {
        keywords.push(format!("第{}号", s.number));
    }
    let id = document_id(letter);
    keywords.push(format!("文档编号 {id}"));
    PdfMeta {
        title: crate::model::clean_inline(&letter.title),
        author: crate::model::clean_inline(&letter.unit),
        subject,
        keywords,
        created_unix: opts
            .created_unix
            .unwrap_or_else(|| chrono::Utc::now().timestamp()),
        document_id: id,
    }
}
