//! PDF from a [`LetterLayout`]: every glyph placed where the layout put it.
//!
//! Text goes out as glyph ids with their Unicode text attached, so printpdf
//! can subset each face and write a ToUnicode map (`pdftotext` gives the
//! letter back). printpdf merges the glyphs of one baseline into a single
//! `TJ`, so the file stays small and text selection works.

use std::collections::BTreeMap;

use printpdf::{
    Codepoint, Color, FontId, Line, LinePoint, Mm, Op, PdfDocument, PdfFontHandle, PdfPage,
    PdfSaveOptions, Point, Pt, RawImage, Rgb, TextItem, TextMatrix, XObjectTransform,
};

use crate::error::{LetterError, Result};
use crate::fonts::FontSet;
use crate::layout::LetterLayout;

/// Document information written into the PDF.
#[derive(Debug, Clone, Default)]
pub struct PdfMeta {
    pub title: String,
    /// The unit.
    pub author: String,
    /// The suggestion, e.g. 市六届人大三次会议第39号建议.
    pub subject: String,
    pub keywords: Vec<String>,
    /// Seconds since the Unix epoch.
    pub created_unix: i64,
    /// Stable id of the letter's content (see `renderer::document_id`).
    pub document_id: String,
}

/// Writes the PDF. `seal` is the seal image (PNG/JPEG) when the layout has
/// a seal box.
pub fn write_pdf(
    layout: &LetterLayout,
    fonts: &FontSet,
    seal: Option<&[u8]>,
    meta: &PdfMeta,
) -> Result<Vec<u8>> {
    let s = &layout.settings;
    let page_h = s.page_height_pt();
    let mut doc = PdfDocument::new(&meta.title);

    // Register only the faces the letter uses; printpdf subsets each one.
    let mut font_ids: BTreeMap<u16, FontId> = BTreeMap::new();
    let face_of =
        |face: Option<u16>, style| -> u16 { face.unwrap_or_else(|| fonts.primary(style).id) };
    for g in layout.glyphs() {
        let id = face_of(g.face, g.style);
        font_ids
            .entry(id)
            .or_insert_with(|| doc.add_font(&fonts.face(id).font));
    }

    let seal_image = match (seal, layout.pages.iter().any(|p| p.seal.is_some())) {
        (Some(bytes), true) => {
            let mut w = Vec::new();
            let img = RawImage::decode_from_bytes(bytes, &mut w).map_err(LetterError::SealImage)?;
            if img.width == 0 || img.height == 0 {
                return Err(LetterError::SealImage("图片尺寸为 0".into()));
            }
            let (iw, ih) = (img.width as f32, img.height as f32);
            Some((doc.add_image(&img), iw, ih))
        }
        _ => None,
    };

    let black = Color::Rgb(Rgb::new(0.0, 0.0, 0.0, None));
    let mut pages = Vec::with_capacity(layout.pages.len());
    for page in &layout.pages {
        let mut ops = vec![
            Op::SetFillColor { col: black.clone() },
            Op::StartTextSection,
        ];
        let mut current: Option<(u16, f32)> = None;
        for line in &page.lines {
            let y = page_h - line.baseline;
            for g in &line.glyphs {
                let face_id = face_of(g.face, g.style);
                let size = g.style.size_pt(s);
                if current != Some((face_id, size)) {
                    ops.push(Op::SetFont {
                        font: PdfFontHandle::External(font_ids[&face_id].clone()),
                        size: Pt(size),
                    });
                    current = Some((face_id, size));
                }
                if g.ch == ' ' {
                    // Spaces are gaps, not glyphs: nothing to draw.
                    continue;
                }
                let gid = if g.face.is_some() {
                    fonts.face(face_id).glyph(g.ch).map(|x| x.0).unwrap_or(0)
                } else {
                    0
                };
                ops.push(Op::SetTextMatrix {
                    matrix: TextMatrix::Translate(Pt(g.x), Pt(y)),
                });
                ops.push(Op::ShowText {
                    items: vec![TextItem::GlyphIds(vec![Codepoint::with_cid(
                        gid,
                        0.0,
                        g.ch.to_string(),
                    )])],
                });
            }
        }
        ops.push(Op::EndTextSection);

        if !page.rules.is_empty() {
            ops.push(Op::SaveGraphicsState);
            ops.push(Op::SetOutlineColor { col: black.clone() });
            for r in &page.rules {
                ops.push(Op::SetOutlineThickness {
                    pt: Pt(r.thickness),
                });
                ops.push(Op::DrawLine {
                    line: Line {
                        points: vec![
                            LinePoint {
                                p: Point {
                                    x: Pt(r.x0),
                                    y: Pt(page_h - r.y),
                                },
                                bezier: false,
                            },
                            LinePoint {
                                p: Point {
                                    x: Pt(r.x1),
                                    y: Pt(page_h - r.y),
                                },
                                bezier: false,
                            },
                        ],
                        is_closed: false,
                    },
                });
            }
            ops.push(Op::RestoreGraphicsState);
        }

        // The seal goes over the unit name and date, as ink does on paper.
        if let (Some(b), Some((id, iw, ih))) = (page.seal, seal_image.as_ref()) {
            let scale = b.size / iw.max(*ih);
            let (w, h) = (iw * scale, ih * scale);
            ops.push(Op::UseXobject {
                id: id.clone(),
                transform: XObjectTransform {
                    translate_x: Some(Pt(b.cx - w / 2.0)),
                    translate_y: Some(Pt(page_h - b.cy - h / 2.0)),
                    // At this dpi one image pixel is `scale` points.
                    dpi: Some(72.0 / scale),
                    ..Default::default()
                },
            });
        }
        pages.push(PdfPage::new(Mm(s.page_width_mm), Mm(s.page_height_mm), ops));
    }
    doc.with_pages(pages);

    let info = &mut doc.metadata.info;
    info.document_title = meta.title.clone();
    info.author = meta.author.clone();
    info.subject = meta.subject.clone();
    info.keywords = meta.keywords.clone();
    info.creator = "建办 Jianban".to_string();
    info.producer = "jianban-letter".to_string();
    info.identifier = meta.document_id.clone();
    if let Ok(t) = printpdf::OffsetDateTime::from_unix_timestamp(meta.created_unix) {
        info.creation_date = t;
        info.modification_date = t;
        info.metadata_date = t;
    }

    let opts = PdfSaveOptions {
        subset_fonts: true,
        ..Default::default()
    };
    let mut warnings = Vec::new();
    Ok(doc.save(&opts, &mut warnings))
}
