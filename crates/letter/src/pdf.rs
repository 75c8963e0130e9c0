//! PDF from a [`LetterLayout`]: every glyph placed where the layout put it.
//!
//! Text goes out as glyph ids of the embedded subsets, each with its Unicode
//! text attached, so printpdf writes a ToUnicode map and `pdftotext` gives
//! the letter back. printpdf merges the glyphs of one baseline into a single
//! `TJ`, so the file stays small and text selection works. Faces are subset
//! here, in parallel (see `embed_subsets`); printpdf builds and writes the
//! document, and we compress and save it (level, /ID, no PDF/X claim).

use std::collections::BTreeMap;
use std::io::Write as _;

use flate2::write::ZlibEncoder;
use flate2::Compression;

use printpdf::font::{FontEmbeddingMode, PdfFont, PrintpdfFontMeta, SubsetFont};
use printpdf::{
    Codepoint, Color, FontId, Line, LinePoint, Mm, Op, PaintMode, ParsedFont, PdfDocument,
    PdfFontHandle, PdfPage, PdfSaveOptions, Point, Polygon, PolygonRing, Pt, RawImage, Rgb,
    TextItem, TextMatrix, WindingOrder, XObjectTransform,
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

    // Which glyphs of which face the letter uses (glyph id → its text).
    let face_of =
        |face: Option<u16>, style| -> u16 { face.unwrap_or_else(|| fonts.primary(style).id) };
    let mut usage: BTreeMap<u16, BTreeMap<u16, String>> = BTreeMap::new();
    for g in layout.glyphs() {
        let face = face_of(g.face, g.style);
        let gid = if g.face.is_some() {
            fonts.face(face).glyph(g.ch).map(|x| x.0).unwrap_or(0)
        } else {
            0
        };
        usage
            .entry(face)
            .or_default()
            .entry(gid)
            .or_insert_with(|| g.ch.to_string());
    }
    let embedded = embed_subsets(&mut doc, fonts, &usage, &meta.document_id);

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
                if g.ch == ' ' {
                    // Spaces are gaps, not glyphs: nothing to draw.
                    continue;
                }
                let font = &embedded[&face_id];
                if current != Some((face_id, size)) {
                    ops.push(Op::SetFont {
                        font: PdfFontHandle::External(font.id.clone()),
                        size: Pt(size),
                    });
                    current = Some((face_id, size));
                }
                let gid = if g.face.is_some() {
                    fonts.face(face_id).glyph(g.ch).map(|x| x.0).unwrap_or(0)
                } else {
                    0
                };
                let gid = font.remap.get(&gid).copied().unwrap_or(gid);
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

        // The approval block's QR code: vector squares (sharp at any print
        // size, a few hundred bytes), one filled path for the whole symbol.
        if let Some(qr) = &page.qr {
            let rings = qr
                .dark_runs()
                .into_iter()
                .map(|(x, y, w, h)| {
                    let corner = |x: f32, y: f32| LinePoint {
                        p: Point {
                            x: Pt(x),
                            y: Pt(page_h - y),
                        },
                        bezier: false,
                    };
                    PolygonRing {
                        points: vec![
                            corner(x, y),
                            corner(x + w, y),
                            corner(x + w, y + h),
                            corner(x, y + h),
                        ],
                    }
                })
                .collect();
            ops.push(Op::SaveGraphicsState);
            ops.push(Op::SetFillColor { col: black.clone() });
            ops.push(Op::DrawPolygon {
                polygon: Polygon {
                    rings,
                    mode: PaintMode::Fill,
                    winding_order: WindingOrder::NonZero,
                },
            });
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

    // Build the object tree with printpdf (subsetting happens here), then
    // compress and save it ourselves.
    let opts = PdfSaveOptions {
        optimize: false,
        subset_fonts: true,
        ..Default::default()
    };
    let mut warnings = Vec::new();
    let mut pdf = doc.to_lopdf_document(&opts, &mut warnings);
    for obj in pdf.objects.values_mut() {
        if let lopdf::Object::Stream(stream) = obj {
            if stream.allows_compression && stream.dict.get(b"Filter").is_err() {
                let mut enc = ZlibEncoder::new(Vec::new(), Compression::new(COMPRESSION_LEVEL));
                if enc.write_all(&stream.content).is_ok() {
                    if let Ok(packed) = enc.finish() {
                        if packed.len() + 19 < stream.content.len() {
                            stream.dict.set("Filter", "FlateDecode");
                            stream.set_content(packed);
                        }
                    }
                }
            }
        }
    }
    // printpdf writes a GTS_PDFXVersion into the document information even
    // for plain PDFs, which makes readers report a PDF/X claim the file
    // does not meet. Drop it.
    if let Ok(info_ref) = pdf.trailer.get(b"Info").and_then(|o| o.as_reference()) {
        if let Ok(lopdf::Object::Dictionary(info)) = pdf.get_object_mut(info_ref) {
            info.remove(b"GTS_PDFXVersion");
        }
    }
    // The file identifier is the letter's id: the same letter exported twice
    // is recognisably the same document.
    if !meta.document_id.is_empty() {
        let id = lopdf::Object::String(
            meta.document_id.as_bytes().to_vec(),
            lopdf::StringFormat::Literal,
        );
        pdf.trailer
            .set("ID", lopdf::Object::Array(vec![id.clone(), id]));
    }
    let mut out = Vec::with_capacity(256 * 1024);
    pdf.save_to(&mut out)
        .map_err(|e| LetterError::io("PDF", e))?;
    Ok(out)
}

/// A face as registered in the document.
struct Embedded {
    id: FontId,
    /// Original glyph id → glyph id in the embedded subset (empty when
    /// printpdf subsets the face itself).
    remap: BTreeMap<u16, u16>,
}

/// Subsets every face the letter uses, in parallel (a CJK face takes a few
/// milliseconds, and a letter uses up to five), and registers each subset.
///
/// printpdf's serializer would subset the faces one after another, with the
/// same subsetter (see `subset_face`). The subsets are registered as ready-made font programs, named with
/// the subset tag (`ABCDEF+Name`, ISO 32000-1 9.6.4) that marks them as
/// subsets. A face whose subsetting fails is handed to printpdf whole, to
/// subset (or embed) in its own way.
fn embed_subsets(
    doc: &mut PdfDocument,
    fonts: &FontSet,
    usage: &BTreeMap<u16, BTreeMap<u16, String>>,
    document_id: &str,
) -> BTreeMap<u16, Embedded> {
    let results: Vec<(u16, Option<SubsetFont>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = usage
            .iter()
            .map(|(face, glyphs)| {
                let font = &fonts.face(*face).font;
                (*face, scope.spawn(move || subset_face(font, glyphs)))
            })
            .collect();
        handles
            .into_iter()
            .map(|(face, h)| (face, h.join().ok().flatten()))
            .collect()
    });
    let mut out = BTreeMap::new();
    for (face, subset) in results {
        let original = &fonts.face(face).font;
        let parsed = subset.and_then(|s| {
            // The shared-bytes constructor defers outline decoding, which
            // the eager one does for every glyph only to compute bounds.
            let mut w = Vec::new();
            let bytes = std::sync::Arc::new(rust_fontconfig::FontBytes::Owned(s.bytes.into()));
            let inner = printpdf::font::AzulParsedFont::from_bytes_shared(bytes, 0, &mut w)?;
            Some((ParsedFont::from_azul(inner), s.glyph_mapping))
        });
        let embedded = match parsed {
            Some((mut parsed, mapping)) => {
                let name = original
                    .font_name
                    .clone()
                    .unwrap_or_else(|| format!("JianbanFace{face}"));
                parsed.font_name = Some(format!("{}+{}", subset_tag(document_id, face), name));
                let id = FontId::new();
                doc.resources.fonts.map.insert(
                    id.clone(),
                    PdfFont::with_meta(
                        parsed,
                        PrintpdfFontMeta {
                            embedding_mode: FontEmbeddingMode::Full,
                            requires_subsetting: false,
                            ..Default::default()
                        },
                    ),
                );
                Embedded {
                    id,
                    remap: mapping
                        .into_iter()
                        .map(|(old, (new, _))| (old, new))
                        .collect(),
                }
            }
            None => Embedded {
                id: doc.add_font(original),
                remap: BTreeMap::new(),
            },
        };
        out.insert(face, embedded);
    }
    out
}

/// Subsets one face to the glyphs in `glyphs` (glyph id → its text).
///
/// This is printpdf's `subset_font` (allsorts, PDF profile, glyph 0 first,
/// new id = position in the list) with one change: allsorts is shown a cmap
/// holding only the letter's characters. It builds the subset's cmap by
/// walking every mapping of the source cmap and testing each against the
/// glyph list; on a CJK face (44,000 mappings × 700 glyphs) that walk was a
/// quarter of the whole export.
fn subset_face(font: &ParsedFont, glyphs: &BTreeMap<u16, String>) -> Option<SubsetFont> {
    use allsorts::binary::read::ReadScope;
    use allsorts::font_data::FontData;
    use allsorts::subset::{subset, CmapTarget, SubsetProfile};

    let bytes = font.source_bytes()?;
    let data = ReadScope::new(bytes.as_slice())
        .read::<FontData<'_>>()
        .ok()?;
    let inner = data.table_provider(font.original_index).ok()?;
    let provider = UsedCmap {
        cmap: used_cmap(glyphs),
        inner,
    };
    let ids: Vec<u16> = std::iter::once(0)
        .chain(glyphs.keys().copied().filter(|g| *g != 0))
        .collect();
    let program = subset(&provider, &ids, &SubsetProfile::Pdf, CmapTarget::Unicode).ok()?;
    let glyph_mapping = ids
        .iter()
        .enumerate()
        .filter_map(|(new, old)| glyphs.get(old).map(|t| (*old, (new as u16, t.clone()))))
        .collect();
    Some(SubsetFont {
        bytes: program,
        glyph_mapping,
    })
}

/// A font whose cmap is replaced by one with only the letter's characters.
struct UsedCmap<P> {
    cmap: Vec<u8>,
    inner: P,
}

impl<P: allsorts::tables::FontTableProvider> allsorts::tables::FontTableProvider for UsedCmap<P> {
    fn table_data(
        &self,
        tag: u32,
    ) -> Result<Option<std::borrow::Cow<'_, [u8]>>, allsorts::error::ParseError> {
        if tag == allsorts::tag::CMAP {
            Ok(Some(std::borrow::Cow::Borrowed(&self.cmap)))
        } else {
            self.inner.table_data(tag)
        }
    }

    fn has_table(&self, tag: u32) -> bool {
        tag == allsorts::tag::CMAP || self.inner.has_table(tag)
    }

    fn table_tags(&self) -> Option<Vec<u32>> {
        self.inner.table_tags()
    }
}

/// A `cmap` table with one Unicode (3,10) format 12 subtable mapping each
/// used character to its glyph.
fn used_cmap(glyphs: &BTreeMap<u16, String>) -> Vec<u8> {
    let mut pairs: Vec<(u32, u16)> = glyphs
        .iter()
        .filter(|(gid, _)| **gid != 0)
        .filter_map(|(gid, text)| text.chars().next().map(|c| (c as u32, *gid)))
        .collect();
    pairs.sort_unstable();
    pairs.dedup_by_key(|p| p.0);
    let n = pairs.len() as u32;
    let mut t = Vec::with_capacity(28 + 12 * pairs.len());
    t.extend_from_slice(&0u16.to_be_bytes()); // version
    t.extend_from_slice(&1u16.to_be_bytes()); // one encoding record
    t.extend_from_slice(&3u16.to_be_bytes()); // platform: Windows
    t.extend_from_slice(&10u16.to_be_bytes()); // encoding: Unicode full repertoire
    t.extend_from_slice(&12u32.to_be_bytes()); // subtable offset
    t.extend_from_slice(&12u16.to_be_bytes()); // format 12
    t.extend_from_slice(&0u16.to_be_bytes());
    t.extend_from_slice(&(16 + 12 * n).to_be_bytes()); // subtable length
    t.extend_from_slice(&0u32.to_be_bytes()); // language
    t.extend_from_slice(&n.to_be_bytes());
    for (c, g) in pairs {
        t.extend_from_slice(&c.to_be_bytes());
        t.extend_from_slice(&c.to_be_bytes());
        t.extend_from_slice(&(g as u32).to_be_bytes());
    }
    t
}

/// Six capital letters derived from the document and the face: stable for
/// the same letter, different between faces.
fn subset_tag(document_id: &str, face: u16) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in document_id.bytes().chain(face.to_le_bytes()) {
        h = (h ^ b as u64).wrapping_mul(0x0100_0000_01b3);
    }
    (0..6)
        .map(|i| (b'A' + ((h >> (i * 5)) % 26) as u8) as char)
        .collect()
}

/// zlib level for content and font streams: 6 is within 1–2% of 9 in size
/// and several times faster on CJK font programs.
const COMPRESSION_LEVEL: u32 = 6;
