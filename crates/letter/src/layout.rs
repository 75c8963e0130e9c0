//! The layout pass: a `Letter` on the GB/T 9704 grid → pages of line boxes.
//!
//! Pure: fonts enter only through the [`Measure`] trait, so the rules can be
//! tested with [`GridMeasure`] and no font installed. PDF, SVG preview and
//! the report all read the same [`LetterLayout`]; that is why preview and
//! PDF never disagree on where a line or a page breaks.

use serde::Serialize;

use crate::error::{LetterError, Result};
use crate::linebreak::{self, Measured};
use crate::model::{HeadingLevel, Letter, Paragraph};
use crate::settings::{mm_to_pt, LayoutSettings};

/// The typographic role of a run of text; each maps to one kind of face.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TextStyle {
    /// 仿宋 三号: body, salutation, unit, date, note, 1. and （1） headings.
    Body,
    /// 小标宋 二号.
    Title,
    /// 黑体 三号: 一、 headings.
    Heading1,
    /// 楷体 三号: （一） headings.
    Heading2,
    /// 黑体: the result-category mark.
    Mark,
    /// 宋体 四号: page numbers.
    PageNumber,
    /// 仿宋 四号: the end block (抄送).
    EndBlock,
}

/// The faces a letter asks for (BRIEF §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FaceKind {
    /// 仿宋.
    FangSong,
    /// 方正小标宋 (else a bold Song).
    XiaoBiaoSong,
    /// 黑体.
    Hei,
    /// 楷体.
    Kai,
    /// 宋体.
    Song,
}

impl FaceKind {
    pub const ALL: [FaceKind; 5] = [
        FaceKind::FangSong,
        FaceKind::XiaoBiaoSong,
        FaceKind::Hei,
        FaceKind::Kai,
        FaceKind::Song,
    ];

    pub fn label_zh(self) -> &'static str {
        match self {
            FaceKind::FangSong => "仿宋",
            FaceKind::XiaoBiaoSong => "方正小标宋",
            FaceKind::Hei => "黑体",
            FaceKind::Kai => "楷体",
            FaceKind::Song => "宋体",
        }
    }
}

impl TextStyle {
    pub fn face_kind(self) -> FaceKind {
        match self {
            TextStyle::Body | TextStyle::EndBlock => FaceKind::FangSong,
            TextStyle::Title => FaceKind::XiaoBiaoSong,
            TextStyle::Heading1 | TextStyle::Mark => FaceKind::Hei,
            TextStyle::Heading2 => FaceKind::Kai,
            TextStyle::PageNumber => FaceKind::Song,
        }
    }

    /// Type size in points.
    pub fn size_pt(self, s: &LayoutSettings) -> f32 {
        match self {
            TextStyle::Body | TextStyle::Heading1 | TextStyle::Heading2 => s.body_size_pt,
            TextStyle::Title => s.title_size_pt,
            TextStyle::Mark => s.mark_size_pt,
            TextStyle::PageNumber => s.page_number_size_pt,
            TextStyle::EndBlock => s.cc_size_pt,
        }
    }

    /// Width a full-width character takes: the grid cell for body text,
    /// the type size for the rest (they are not on the character grid).
    pub fn cell_pt(self, s: &LayoutSettings) -> f32 {
        match self {
            TextStyle::Body | TextStyle::Heading1 | TextStyle::Heading2 => s.cell_pt(),
            other => other.size_pt(s),
        }
    }
}

/// What a font says about one character.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GlyphMetric {
    /// Horizontal advance in em.
    pub advance_em: f32,
    /// Which loaded face draws it (an index the measurer defines), `None`
    /// when no face has the character (it will show as a missing-glyph box).
    pub face: Option<u16>,
}

/// Measures characters. The font-backed implementation lives in `fonts.rs`;
/// tests use [`GridMeasure`].
pub trait Measure {
    fn measure(&self, style: TextStyle, ch: char) -> GlyphMetric;
}

/// A font-free measure: CJK and full-width characters one em, everything
/// else half an em, all from face 0. Enough to test every layout rule.
#[derive(Debug, Clone, Copy, Default)]
pub struct GridMeasure;

impl Measure for GridMeasure {
    fn measure(&self, _style: TextStyle, ch: char) -> GlyphMetric {
        let full = !(ch.is_ascii() || ('\u{2000}'..='\u{2013}').contains(&ch));
        GlyphMetric {
            advance_em: if full { 1.0 } else { 0.5 },
            face: Some(0),
        }
    }
}

/// What a line is, so that renderers and tests can tell lines apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LineRole {
    Disclosure,
    Mark,
    DocNumber,
    Signer,
    Title,
    Salutation,
    Body,
    Heading,
    Unit,
    Date,
    Note,
    /// The approval block: signer, time and verification code beside the QR code.
    Approval,
    EndBlock,
    PageNumber,
}

/// One character on the page.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct GlyphBox {
    pub ch: char,
    pub style: TextStyle,
    /// Drawing origin from the paper's left edge, pt.
    pub x: f32,
    /// Width it occupies, pt.
    pub width: f32,
    /// The face that draws it (see [`GlyphMetric::face`]).
    pub face: Option<u16>,
}

/// One line of text on the page.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LineBox {
    pub role: LineRole,
    /// Grid line (0-based) inside the text block; `None` for page numbers.
    pub row: Option<usize>,
    /// Baseline from the paper's top edge, pt.
    pub baseline: f32,
    pub glyphs: Vec<GlyphBox>,
}

impl LineBox {
    pub fn text(&self) -> String {
        self.glyphs.iter().map(|g| g.ch).collect()
    }
    /// Left edge of the first glyph and right edge of the last, pt.
    pub fn extent(&self) -> (f32, f32) {
        let l = self.glyphs.first().map(|g| g.x).unwrap_or(0.0);
        let r = self.glyphs.last().map(|g| g.x + g.width).unwrap_or(0.0);
        (l, r)
    }
}

/// A horizontal rule (the end block's lines).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct RuleBox {
    pub x0: f32,
    pub x1: f32,
    /// From the paper's top edge, pt.
    pub y: f32,
    pub thickness: f32,
}

/// Where the seal image goes: a square centred on (cx, cy), pt.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SealBox {
    pub cx: f32,
    pub cy: f32,
    pub size: f32,
}

/// The approval block's QR code: a square of `modules × modules` cells
/// whose top-left corner is (x, y) from the paper's top-left, pt. A quiet
/// zone of [`QrBox::QUIET`] modules lies inside the square on every side.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QrBox {
    pub x: f32,
    pub y: f32,
    pub size: f32,
    /// Modules per side of the symbol (without the quiet zone).
    pub modules: usize,
    /// Row-major, `modules²` entries; true is a dark module.
    pub dark: Vec<bool>,
}

impl QrBox {
    /// Quiet-zone modules inside the box on each side; the page around it
    /// is white too.
    pub const QUIET: usize = 2;

    /// Side of one module, pt.
    pub fn module_pt(&self) -> f32 {
        self.size / (self.modules + 2 * Self::QUIET) as f32
    }

    /// Dark modules merged into horizontal runs: (x, y, width, height) in pt
    /// from the paper's top-left. Fewer, larger squares draw faster and
    /// leave no hairline seams between neighbours.
    pub fn dark_runs(&self) -> Vec<(f32, f32, f32, f32)> {
        let m = self.module_pt();
        let origin = self.x + Self::QUIET as f32 * m;
        let top = self.y + Self::QUIET as f32 * m;
        let mut out = Vec::new();
        for row in 0..self.modules {
            let cells = &self.dark[row * self.modules..(row + 1) * self.modules];
            let mut col = 0;
            while col < self.modules {
                if cells[col] {
                    let start = col;
                    while col < self.modules && cells[col] {
                        col += 1;
                    }
                    out.push((
                        origin + start as f32 * m,
                        top + row as f32 * m,
                        (col - start) as f32 * m,
                        m,
                    ));
                } else {
                    col += 1;
                }
            }
        }
        out
    }
}

/// The QR matrix for `payload` (error correction M: survives a stain or a
/// fold on a printed letter).
fn qr_matrix(payload: &str) -> Result<(usize, Vec<bool>)> {
    let code = qrcode::QrCode::with_error_correction_level(payload.as_bytes(), qrcode::EcLevel::M)
        .map_err(|e| LetterError::QrCode(e.to_string()))?;
    let dark = code
        .to_colors()
        .into_iter()
        .map(|c| c == qrcode::Color::Dark)
        .collect();
    Ok((code.width(), dark))
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PageLayout {
    /// 1-based.
    pub number: usize,
    pub lines: Vec<LineBox>,
    pub rules: Vec<RuleBox>,
    pub seal: Option<SealBox>,
    /// The approval block's QR code, on the page that carries the block.
    pub qr: Option<QrBox>,
}

/// The whole letter laid out: the single source for PDF, preview and Word.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LetterLayout {
    pub settings: LayoutSettings,
    pub pages: Vec<PageLayout>,
}

impl LetterLayout {
    pub fn page_count(&self) -> usize {
        self.pages.len()
    }

    /// All text lines in reading order (page numbers left out).
    pub fn text_lines(&self) -> Vec<&LineBox> {
        self.pages
            .iter()
            .flat_map(|p| p.lines.iter())
            .filter(|l| l.role != LineRole::PageNumber)
            .collect()
    }

    /// Every glyph of the layout, page numbers included.
    pub fn glyphs(&self) -> impl Iterator<Item = &GlyphBox> {
        self.pages
            .iter()
            .flat_map(|p| p.lines.iter())
            .flat_map(|l| l.glyphs.iter())
    }
}

/// A line in the flow before it has a page: one or more boxes that share a
/// grid line, and whether a page may break right after it.
struct FlowLine {
    boxes: Vec<LineBox>,
    keep_with_next: bool,
}

impl FlowLine {
    fn blank(keep_with_next: bool) -> Self {
        Self {
            boxes: Vec::new(),
            keep_with_next,
        }
    }
    fn one(b: LineBox, keep_with_next: bool) -> Self {
        Self {
            boxes: vec![b],
            keep_with_next,
        }
    }
}

struct Ctx<'a, M: Measure> {
    s: &'a LayoutSettings,
    m: &'a M,
}

impl<M: Measure> Ctx<'_, M> {
    fn measured(&self, ch: char, style: TextStyle) -> (Measured, Option<u16>) {
        let gm = self.m.measure(style, ch);
        let cell = style.cell_pt(self.s);
        let adv = if gm.advance_em.is_finite() && gm.advance_em > 0.0 {
            gm.advance_em
        } else {
            // A zero-width or broken advance would stack glyphs; give it a cell.
            1.0
        };
        let full_width = adv >= self.s.full_width_threshold_em;
        let width = if full_width {
            cell
        } else {
            adv * style.size_pt(self.s)
        };
        (
            Measured {
                ch,
                width,
                full_width,
            },
            gm.face,
        )
    }

    /// Glyphs of a single-line run starting at `x`.
    fn run(&self, text: &str, style: TextStyle, x: f32) -> Vec<GlyphBox> {
        let mut x = x;
        text.chars()
            .map(|ch| {
                let (m, face) = self.measured(ch, style);
                let g = GlyphBox {
                    ch,
                    style,
                    x,
                    width: m.width,
                    face,
                };
                x += m.width;
                g
            })
            .collect()
    }

    fn run_width(&self, text: &str, style: TextStyle) -> f32 {
        text.chars().map(|c| self.measured(c, style).0.width).sum()
    }

    /// Breaks styled text into lines of boxes.
    ///
    /// `styles` gives each character's style; `left` is the block's left
    /// edge, `first_indent`/`indent` the indents of the first and the
    /// following lines, `width` the measure.
    #[allow(clippy::too_many_arguments)]
    fn paragraph(
        &self,
        chars: &[char],
        styles: &[TextStyle],
        role: LineRole,
        left: f32,
        first_indent: f32,
        indent: f32,
        width: f32,
        justify: bool,
    ) -> Vec<LineBox> {
        let mut faces = Vec::with_capacity(chars.len());
        let items: Vec<Measured> = chars
            .iter()
            .zip(styles)
            .map(|(c, st)| {
                let (m, f) = self.measured(*c, *st);
                faces.push(f);
                m
            })
            .collect();
        linebreak::break_lines(&items, width - first_indent, width - indent, justify)
            .into_iter()
            .enumerate()
            .map(|(n, line)| {
                let start = left + if n == 0 { first_indent } else { indent };
                LineBox {
                    role,
                    row: None,
                    baseline: 0.0,
                    glyphs: line
                        .placed
                        .iter()
                        .map(|p| GlyphBox {
                            ch: chars[p.index],
                            style: styles[p.index],
                            x: start + p.x,
                            width: p.width,
                            face: faces[p.index],
                        })
                        .collect(),
                }
            })
            .collect()
    }

    fn aligned_right(&self, text: &str, style: TextStyle, role: LineRole, right: f32) -> LineBox {
        let w = self.run_width(text, style);
        LineBox {
            role,
            row: None,
            baseline: 0.0,
            glyphs: self.run(text, style, right - w),
        }
    }
}

/// Lays out a letter. Fails only when the settings are unusable or the
/// letter is longer than `settings.max_pages`.
pub fn layout_letter(
    letter: &Letter,
    settings: &LayoutSettings,
    measure: &impl Measure,
) -> Result<LetterLayout> {
    settings.validate().map_err(LetterError::Settings)?;
    let s = settings;
    let cx = Ctx { s, m: measure };
    let left = s.margin_left_pt();
    let width = s.text_width_pt();
    let right = left + width;
    let cell = s.cell_pt();
    let mut flow: Vec<FlowLine> = Vec::new();

    // Row 1: disclosure on the left, the result category at the top right.
    let mut first = vec![LineBox {
        role: LineRole::Disclosure,
        row: None,
        baseline: 0.0,
        glyphs: cx.run(&letter.disclosure_line(), TextStyle::Body, left),
    }];
    if let Some(cat) = letter.category {
        first.push(cx.aligned_right(cat.letter(), TextStyle::Mark, LineRole::Mark, right));
    }
    flow.push(FlowLine {
        boxes: first,
        keep_with_next: true,
    });

    // Row 2: the document number; with a signer, number left and signer
    // right, each one character in (GB/T 9704 7.2.4 for letters that carry
    // 签发人).
    let doc_number = crate::model::clean_inline(&letter.doc_number);
    let signer = letter
        .approval
        .as_ref()
        .map(|a| crate::model::clean_inline(&a.signer))
        .filter(|s| !s.is_empty());
    let mut second = Vec::new();
    if let Some(name) = &signer {
        if !doc_number.is_empty() {
            second.push(LineBox {
                role: LineRole::DocNumber,
                row: None,
                baseline: 0.0,
                glyphs: cx.run(&doc_number, TextStyle::Body, left + cell),
            });
        }
        second.push(cx.aligned_right(
            &format!("签发人：{name}"),
            TextStyle::Body,
            LineRole::Signer,
            right - cell,
        ));
    } else if !doc_number.is_empty() {
        second.push(cx.aligned_right(&doc_number, TextStyle::Body, LineRole::DocNumber, right));
    }
    if !second.is_empty() {
        flow.push(FlowLine {
            boxes: second,
            keep_with_next: true,
        });
    }
    // Title: centred lines in the title face, never justified.
    let title: Vec<char> = crate::model::clean_inline(&letter.title).chars().collect();
    if !title.is_empty() {
        for _ in 0..s.lines_before_title {
            flow.push(FlowLine::blank(true));
        }
        let styles = vec![TextStyle::Title; title.len()];
        for mut lb in cx.paragraph(
            &title,
            &styles,
            LineRole::Title,
            left,
            0.0,
            0.0,
            width,
            false,
        ) {
            let (l, r) = lb.extent();
            let shift = left + (width - (r - l)) / 2.0 - l;
            for g in &mut lb.glyphs {
                g.x += shift;
            }
            flow.push(FlowLine::one(lb, true));
        }
        for _ in 0..s.lines_after_title {
            flow.push(FlowLine::blank(true));
        }
    }

    // Salutation, flush left.
    let salutation: Vec<char> = crate::model::clean_inline(&letter.salutation)
        .chars()
        .collect();
    if !salutation.is_empty() {
        let styles = vec![TextStyle::Body; salutation.len()];
        for lb in cx.paragraph(
            &salutation,
            &styles,
            LineRole::Salutation,
            left,
            0.0,
            0.0,
            width,
            true,
        ) {
            flow.push(FlowLine::one(lb, false));
        }
    }

    // Body and closing paragraphs.
    let indent = s.paragraph_indent_chars as f32 * cell;
    for p in letter.paragraphs() {
        let (chars, styles, role, standalone) = paragraph_styles(&p);
        let lines = cx.paragraph(&chars, &styles, role, left, indent, 0.0, width, true);
        for lb in lines {
            // A standalone heading stays with the first line after it.
            flow.push(FlowLine::one(lb, standalone));
        }
        // Pages may not be filled past the limit; stop early on huge input.
        if flow.len() > (s.max_pages + 1) * s.lines_per_page {
            return Err(LetterError::TooLong {
                pages: flow.len() / s.lines_per_page,
                max: s.max_pages,
            });
        }
    }

    // Signature: the last body line, the gap, the unit and the date stay
    // together so the seal never lands on a page of its own.
    let unit = crate::model::clean_inline(&letter.unit);
    let date = letter.date_text();
    let note = letter.note_text();
    let has_unit = !unit.is_empty();
    if !unit.is_empty() || !date.is_empty() {
        if let Some(last) = flow.last_mut() {
            last.keep_with_next = true;
        }
        for _ in 0..s.signature_gap_lines {
            flow.push(FlowLine::blank(true));
        }
        let date_right = right - s.date_right_inset_chars as f32 * cell;
        let date_w = cx.run_width(&date, TextStyle::Body);
        let date_center = date_right - date_w / 2.0;
        if !unit.is_empty() {
            // The unit name is centred over the date, pulled left if long.
            let unit_w = cx.run_width(&unit, TextStyle::Body);
            let x = (date_center - unit_w / 2.0).min(right - unit_w).max(left);
            flow.push(FlowLine::one(
                LineBox {
                    role: LineRole::Unit,
                    row: None,
                    baseline: 0.0,
                    glyphs: cx.run(&unit, TextStyle::Body, x),
                },
                !date.is_empty() || !note.is_empty(),
            ));
        }
        if !date.is_empty() {
            flow.push(FlowLine::one(
                cx.aligned_right(&date, TextStyle::Body, LineRole::Date, date_right),
                !note.is_empty(),
            ));
        }
    }
    if !note.is_empty() {
        let chars: Vec<char> = note.chars().collect();
        let styles = vec![TextStyle::Body; chars.len()];
        let ni = s.note_indent_chars as f32 * cell;
        for lb in cx.paragraph(&chars, &styles, LineRole::Note, left, ni, ni, width, true) {
            flow.push(FlowLine::one(lb, true));
        }
        if let Some(last) = flow.last_mut() {
            last.keep_with_next = false;
        }
    }

    // The approval block (审核签发 with verification code) below the date
    // and note: a blank line, then its lines kept together; the QR code
    // takes the block's height at the left edge and the text stands right
    // of it. A page may break before the block, never inside it.
    let approval_lines = letter
        .approval
        .as_ref()
        .map(|a| a.block_lines())
        .unwrap_or_default();
    let qr = match letter
        .approval
        .as_ref()
        .and_then(|a| a.qr_payload.as_deref())
    {
        Some(p) if !approval_lines.is_empty() && !p.is_empty() => Some(qr_matrix(p)?),
        _ => None,
    };
    let qr_size = s.line_pitch_pt() * approval_lines.len() as f32 * s.approval_qr_fill;
    if !approval_lines.is_empty() {
        if let Some(last) = flow.last_mut() {
            last.keep_with_next = false;
        }
        for _ in 0..s.approval_gap_lines {
            flow.push(FlowLine::blank(false));
        }
        let x = if qr.is_some() {
            left + qr_size + cell
        } else {
            left + indent
        };
        let n = approval_lines.len();
        for (i, text) in approval_lines.iter().enumerate() {
            flow.push(FlowLine::one(
                LineBox {
                    role: LineRole::Approval,
                    row: None,
                    baseline: 0.0,
                    glyphs: cx.run(text, TextStyle::Body, x),
                },
                i + 1 < n,
            ));
        }
    }

    // Paginate.
    let cap = s.lines_per_page;
    let mut pages: Vec<Vec<FlowLine>> = Vec::new();
    let mut cur: Vec<FlowLine> = Vec::new();
    for line in flow {
        if cur.len() == cap {
            // Break after the last line that allows it; a keep-together
            // chain longer than a page is cut at the page end.
            let b = (1..=cap)
                .rev()
                .find(|b| !cur[b - 1].keep_with_next)
                .unwrap_or(cap);
            let carry = cur.split_off(b);
            pages.push(cur);
            cur = carry;
            if pages.len() > s.max_pages {
                return Err(LetterError::TooLong {
                    pages: pages.len(),
                    max: s.max_pages,
                });
            }
        }
        cur.push(line);
    }
    pages.push(cur);

    // The end block (抄送) sits on the last grid lines of the last page.
    let cc = letter.cc_text();
    let cc_lines = if cc.is_empty() {
        Vec::new()
    } else {
        let chars: Vec<char> = cc.chars().collect();
        let styles = vec![TextStyle::EndBlock; chars.len()];
        let inset = s.cc_inset_chars * s.cc_size_pt;
        // Continuation lines align with the first name after "抄送：".
        let hang = cx.run_width("抄送：", TextStyle::EndBlock);
        cx.paragraph(
            &chars,
            &styles,
            LineRole::EndBlock,
            left + inset,
            0.0,
            hang,
            width - 2.0 * inset,
            true,
        )
    };
    let k = cc_lines.len().min(cap);
    if k > 0 {
        let used = pages.last().map(|p| p.len()).unwrap_or(0);
        if used + s.end_block_gap_lines + k > cap {
            pages.push(Vec::new());
        }
        if pages.len() > s.max_pages {
            return Err(LetterError::TooLong {
                pages: pages.len(),
                max: s.max_pages,
            });
        }
    }

    // Assign rows and baselines; add page numbers, end block, seal.
    let n_pages = pages.len();
    let mut out = Vec::with_capacity(n_pages);
    for (pi, page) in pages.into_iter().enumerate() {
        let number = pi + 1;
        let mut lines = Vec::new();
        let mut seal = None;
        let mut qr_box = None;
        for (row, fl) in page.into_iter().enumerate() {
            for mut b in fl.boxes {
                if b.role == LineRole::Approval && qr_box.is_none() {
                    if let Some((modules, dark)) = &qr {
                        let block_h = s.line_pitch_pt() * approval_lines.len() as f32;
                        qr_box = Some(QrBox {
                            x: left,
                            y: s.row_top_pt(row) + (block_h - qr_size) / 2.0,
                            size: qr_size,
                            modules: *modules,
                            dark: dark.clone(),
                        });
                    }
                }
                b.row = Some(row);
                let size = b
                    .glyphs
                    .first()
                    .map(|g| g.style.size_pt(s))
                    .unwrap_or(s.body_size_pt);
                b.baseline = s.row_baseline_pt(row, size);
                // The seal is centred on the unit name (or on the date when
                // there is no name), a little above it.
                let anchor = b.role == LineRole::Unit || (b.role == LineRole::Date && !has_unit);
                if anchor && letter.seal.is_some() {
                    let (l, r) = b.extent();
                    seal = Some(SealBox {
                        cx: (l + r) / 2.0,
                        cy: s.row_top_pt(row)
                            + s.line_pitch_pt() * (0.5 + s.seal_center_lines_below_unit),
                        size: mm_to_pt(s.seal_diameter_mm),
                    });
                }
                lines.push(b);
            }
        }
        let mut rules = Vec::new();
        if number == n_pages && k > 0 {
            let first_row = cap - k;
            for (i, mut b) in cc_lines.iter().take(k).cloned().enumerate() {
                b.row = Some(first_row + i);
                b.baseline = s.row_baseline_pt(first_row + i, s.cc_size_pt);
                lines.push(b);
            }
            let t = mm_to_pt(s.end_rule_mm);
            rules.push(RuleBox {
                x0: left,
                x1: right,
                y: s.row_top_pt(first_row),
                thickness: t,
            });
            rules.push(RuleBox {
                x0: left,
                x1: right,
                y: s.text_bottom_pt(),
                thickness: t,
            });
        }
        lines.push(page_number_line(&cx, number));
        out.push(PageLayout {
            number,
            lines,
            rules,
            seal,
            qr: qr_box,
        });
    }
    Ok(LetterLayout {
        settings: s.clone(),
        pages: out,
    })
}

/// "— 3 —": odd pages right, even pages left, one character in.
fn page_number_line<M: Measure>(cx: &Ctx<'_, M>, number: usize) -> LineBox {
    let s = cx.s;
    let st = TextStyle::PageNumber;
    let size = st.size_pt(s);
    let text = format!("— {number} —");
    let inset = s.page_number_inset_chars * size;
    let left = s.margin_left_pt();
    let baseline =
        s.text_bottom_pt() + mm_to_pt(s.page_number_gap_mm) + s.em_center_above_baseline * size;
    let glyphs = if number % 2 == 1 {
        let w = cx.run_width(&text, st);
        cx.run(&text, st, left + s.text_width_pt() - inset - w)
    } else {
        cx.run(&text, st, left + inset)
    };
    LineBox {
        role: LineRole::PageNumber,
        row: None,
        baseline,
        glyphs,
    }
}

/// Characters, their styles, the line role and whether the paragraph is a
/// standalone heading.
fn paragraph_styles(p: &Paragraph) -> (Vec<char>, Vec<TextStyle>, LineRole, bool) {
    let chars: Vec<char> = p.text.chars().collect();
    let mut styles = vec![TextStyle::Body; chars.len()];
    let mut role = LineRole::Body;
    let mut standalone = false;
    if let Some(h) = p.heading {
        let st = match h.level {
            HeadingLevel::L1 => TextStyle::Heading1,
            HeadingLevel::L2 => TextStyle::Heading2,
            HeadingLevel::L3 | HeadingLevel::L4 => TextStyle::Body,
        };
        for s in styles.iter_mut().take(h.chars) {
            *s = st;
        }
        if h.standalone {
            role = LineRole::Heading;
            standalone = true;
        }
    }
    (chars, styles, role, standalone)
}
