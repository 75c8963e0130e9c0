//! Word (.docx) export with the same page, grid, faces and sizes as the PDF.
//!
//! Word paginates for itself, so this module reproduces the rules rather
//! than the line boxes: A4 with the GB/T 9704 margins, a 22 × 28 document
//! grid, exact line pitch, 2-character first-line indents, the heading
//! faces, keep-with-next on standalone headings, odd/even page numbers and
//! the end block framed at the foot of the last page. Horizontal positions
//! that the standard derives from other lines (the unit name centred over
//! the date) are taken from the layout, so both exports agree.
//!
//! docx-rs is used because it is maintained, writes valid OOXML with
//! headers/footers, frames, borders and floating images, and saves us from
//! hand-writing the package.

use docx_rs::{
    AlignmentType, BorderType, Docx, FieldCharType, Footer, InstrPAGE, InstrText, LineSpacing,
    LineSpacingType, PageMargin, Paragraph, ParagraphBorder, ParagraphBorderPosition,
    ParagraphBorders, Pic, RelativeFromHType, RelativeFromVType, Run, RunFonts, SpecialIndentType,
    Tab, TabValueType,
};

use crate::error::{LetterError, Result};
use crate::layout::{LetterLayout, LineRole, TextStyle};
use crate::model::{clean_inline, HeadingLevel, Letter};
use crate::settings::LayoutSettings;

/// Face names written into the file: the standard's names, so the document
/// opens with the right faces on any office PC that has them.
pub fn docx_family(style: TextStyle) -> &'static str {
    match style {
        TextStyle::Body | TextStyle::EndBlock => "仿宋",
        TextStyle::Title => "方正小标宋简体",
        TextStyle::Heading1 | TextStyle::Mark => "黑体",
        TextStyle::Heading2 => "楷体",
        TextStyle::PageNumber => "宋体",
    }
}

const TWIPS_PER_PT: f32 = 20.0;
const EMU_PER_PT: f32 = 12700.0;

fn twips_mm(mm: f32) -> i32 {
    (crate::settings::mm_to_pt(mm) * TWIPS_PER_PT).round() as i32
}
fn twips_pt(pt: f32) -> i32 {
    (pt * TWIPS_PER_PT).round() as i32
}
/// Word sizes are in half-points.
fn half_points(pt: f32) -> usize {
    (pt * 2.0).round() as usize
}

fn fonts(style: TextStyle) -> RunFonts {
    let f = docx_family(style);
    RunFonts::new().east_asia(f).ascii(f).hi_ansi(f).cs(f)
}

fn run(text: &str, style: TextStyle, s: &LayoutSettings) -> Run {
    let r = Run::new()
        .add_text(text)
        .fonts(fonts(style))
        .size(half_points(style.size_pt(s)));
    // Text on the character grid: each character takes one cell, which is a
    // little narrower than the type (15.79 pt for 16 pt). Tightening the
    // run by the difference (rounded down to whole twips so 28 still fit)
    // gives 28 characters a line in Word, WPS and LibreOffice alike; the
    // document grid's own character pitch is read differently by each.
    let diff = style.cell_pt(s) - style.size_pt(s);
    if diff < 0.0 {
        r.character_spacing((diff * TWIPS_PER_PT).floor() as i32)
    } else {
        r
    }
}

fn exact_lines(s: &LayoutSettings) -> LineSpacing {
    LineSpacing::new()
        .line_rule(LineSpacingType::Exact)
        .line(twips_pt(s.line_pitch_pt()))
        .before(0)
        .after(0)
}

fn para(s: &LayoutSettings) -> Paragraph {
    Paragraph::new()
        .line_spacing(exact_lines(s))
        .snap_to_grid(true)
}

fn blank(s: &LayoutSettings) -> Paragraph {
    para(s).add_run(run("", TextStyle::Body, s))
}

/// Builds the .docx bytes.
pub fn write_docx(letter: &Letter, layout: &LetterLayout) -> Result<Vec<u8>> {
    let s = &layout.settings;
    let text_w = twips_mm(s.text_width_mm);
    let cell = twips_pt(s.cell_pt());
    let mut docx = Docx::new()
        .page_size(
            twips_mm(s.page_width_mm) as u32,
            twips_mm(s.page_height_mm) as u32,
        )
        .page_margin(
            PageMargin::new()
                .top(twips_mm(s.margin_top_mm))
                .left(twips_mm(s.margin_left_mm))
                .right(twips_mm(
                    s.page_width_mm - s.margin_left_mm - s.text_width_mm,
                ))
                .bottom(twips_mm(
                    s.page_height_mm - s.margin_top_mm - s.text_height_mm,
                ))
                .header(twips_mm(15.0))
                .footer(twips_mm(
                    s.page_height_mm
                        - s.margin_top_mm
                        - s.text_height_mm
                        - s.page_number_gap_mm
                        - 5.0,
                )),
        )
        .default_fonts(fonts(TextStyle::Body))
        .default_size(half_points(s.body_size_pt));
    // The 22-line grid: line pitch in twips (characters: see `run`).
    docx.document = docx.document.doc_grid(
        docx_rs::DocGrid::new()
            .grid_type(docx_rs::DocGridType::Lines)
            .line_pitch(twips_pt(s.line_pitch_pt()) as usize),
    );

    // Page numbers: odd right, even left, one character in.
    let pn_inset = twips_pt(s.page_number_inset_chars * s.page_number_size_pt);
    let page_field = |p: Paragraph| {
        p.add_run(run("— ", TextStyle::PageNumber, s))
            .add_run(Run::new().add_field_char(FieldCharType::Begin, false))
            .add_run(
                Run::new()
                    .add_instr_text(InstrText::PAGE(InstrPAGE::new()))
                    .fonts(fonts(TextStyle::PageNumber))
                    .size(half_points(s.page_number_size_pt)),
            )
            .add_run(Run::new().add_field_char(FieldCharType::Separate, false))
            .add_run(run("1", TextStyle::PageNumber, s))
            .add_run(Run::new().add_field_char(FieldCharType::End, false))
            .add_run(run(" —", TextStyle::PageNumber, s))
    };
    docx = docx
        .footer(Footer::new().add_paragraph(
            page_field(Paragraph::new().align(AlignmentType::Right).indent(
                None,
                None,
                Some(pn_inset),
                None,
            )),
        ))
        .even_footer(Footer::new().add_paragraph(
            page_field(Paragraph::new().align(AlignmentType::Left).indent(
                Some(pn_inset),
                None,
                None,
                None,
            )),
        ));

    // Row 1: disclosure, and the category at the right margin.
    let mut first = para(s).add_run(run(&letter.disclosure_line(), TextStyle::Body, s));
    if let Some(c) = letter.category {
        first = first
            .add_tab(Tab::new().val(TabValueType::Right).pos(text_w as usize))
            .add_run(Run::new().add_tab())
            .add_run(run(c.letter(), TextStyle::Mark, s));
    }
    docx = docx.add_paragraph(first);

    // Row 2: document number (and signer).
    let doc_number = clean_inline(&letter.doc_number);
    let signer = letter.approval.as_ref().map(|a| clean_inline(&a.signer));
    match signer.filter(|x| !x.is_empty()) {
        Some(name) => {
            docx = docx.add_paragraph(
                para(s)
                    .indent(Some(cell), None, Some(cell), None)
                    .add_tab(
                        Tab::new()
                            .val(TabValueType::Right)
                            .pos((text_w - 2 * cell) as usize),
                    )
                    .add_run(run(&doc_number, TextStyle::Body, s))
                    .add_run(Run::new().add_tab())
                    .add_run(run(&format!("签发人：{name}"), TextStyle::Body, s)),
            );
        }
        None if !doc_number.is_empty() => {
            docx = docx.add_paragraph(para(s).align(AlignmentType::Right).add_run(run(
                &doc_number,
                TextStyle::Body,
                s,
            )));
        }
        None => {}
    }
    for _ in 0..s.lines_before_title {
        docx = docx.add_paragraph(blank(s));
    }
    let title = clean_inline(&letter.title);
    if !title.is_empty() {
        docx = docx.add_paragraph(
            para(s)
                .align(AlignmentType::Center)
                .keep_next(true)
                .add_run(run(&title, TextStyle::Title, s)),
        );
        for _ in 0..s.lines_after_title {
            docx = docx.add_paragraph(blank(s));
        }
    }
    let salutation = clean_inline(&letter.salutation);
    if !salutation.is_empty() {
        docx = docx.add_paragraph(para(s).add_run(run(&salutation, TextStyle::Body, s)));
    }

    let indent_chars = (s.paragraph_indent_chars * 100) as i32;
    for p in letter.paragraphs() {
        let mut w = para(s)
            .align(AlignmentType::Both)
            .indent(
                None,
                Some(SpecialIndentType::FirstLine(
                    cell * s.paragraph_indent_chars as i32,
                )),
                None,
                None,
            )
            .first_line_chars(indent_chars);
        match p.heading {
            Some(h) => {
                let style = match h.level {
                    HeadingLevel::L1 => TextStyle::Heading1,
                    HeadingLevel::L2 => TextStyle::Heading2,
                    _ => TextStyle::Body,
                };
                let head: String = p.text.chars().take(h.chars).collect();
                let rest: String = p.text.chars().skip(h.chars).collect();
                w = w.add_run(run(&head, style, s));
                if !rest.is_empty() {
                    w = w.add_run(run(&rest, TextStyle::Body, s));
                }
                if h.standalone {
                    w = w.keep_next(true).outline_lvl(h.level as usize);
                }
            }
            None => w = w.add_run(run(&p.text, TextStyle::Body, s)),
        }
        docx = docx.add_paragraph(w);
    }

    // Signature: positions from the layout, so Word and PDF agree.
    let text_left = s.margin_left_pt();
    let text_right = text_left + s.text_width_pt();
    let find = |role: LineRole| {
        layout
            .text_lines()
            .into_iter()
            .find(|l| l.role == role)
            .cloned()
    };
    let unit_line = find(LineRole::Unit);
    let date_line = find(LineRole::Date);
    if unit_line.is_some() || date_line.is_some() {
        for _ in 0..s.signature_gap_lines {
            docx = docx.add_paragraph(blank(s).keep_next(true));
        }
    }
    let mut seal_pending = letter
        .seal
        .clone()
        .filter(|_| layout.pages.iter().any(|p| p.seal.is_some()));
    for (line, role) in [(unit_line, LineRole::Unit), (date_line, LineRole::Date)] {
        let Some(line) = line else { continue };
        let (_, r) = line.extent();
        let mut w = para(s).align(AlignmentType::Right).keep_next(true).indent(
            None,
            None,
            Some(twips_pt((text_right - r).max(0.0))),
            None,
        );
        if let Some(bytes) = seal_pending.take() {
            // The seal floats over the unit name, placed as in the PDF.
            if let Some(b) = layout.pages.iter().find_map(|p| p.seal) {
                let size = (b.size * EMU_PER_PT) as u32;
                let x = ((b.cx - b.size / 2.0 - text_left) * EMU_PER_PT) as i32;
                let row_top = s.row_top_pt(line.row.unwrap_or(0));
                let y = ((b.cy - b.size / 2.0 - row_top) * EMU_PER_PT) as i32;
                let pic = Pic::new(&bytes)
                    .size(size, size)
                    .floating()
                    .overlapping()
                    .relative_from_h(RelativeFromHType::Column)
                    .relative_from_v(RelativeFromVType::Paragraph)
                    .offset_x(x)
                    .offset_y(y);
                w = w.add_run(Run::new().add_image(pic));
            }
        }
        let text = line.text();
        w = w.add_run(run(&text, TextStyle::Body, s));
        if role == LineRole::Date && letter.note_text().is_empty() {
            w = w.keep_next(false);
        }
        docx = docx.add_paragraph(w);
    }
    let note = letter.note_text();
    if !note.is_empty() {
        docx = docx.add_paragraph(
            para(s)
                .indent(Some(cell * s.note_indent_chars as i32), None, None, None)
                .add_run(run(&note, TextStyle::Body, s)),
        );
    }

    // End block: framed at the foot of the text block on the last page.
    let cc = letter.cc_text();
    if !cc.is_empty() {
        let inset = twips_pt(s.cc_inset_chars * s.cc_size_pt);
        let hang = twips_pt(3.0 * s.cc_size_pt);
        // Border widths are in eighths of a point.
        let eighths = (crate::settings::mm_to_pt(s.end_rule_mm) * 8.0).round() as usize;
        let rule = |pos| {
            ParagraphBorder::new(pos)
                .val(BorderType::Single)
                .size(eighths)
                .space(1)
                .color("000000")
        };
        let borders = ParagraphBorders::with_empty()
            .set(rule(ParagraphBorderPosition::Top))
            .set(rule(ParagraphBorderPosition::Bottom));
        let mut p = Paragraph::new()
            .line_spacing(exact_lines(s))
            .indent(
                Some(inset + hang),
                Some(SpecialIndentType::Hanging(hang)),
                Some(inset),
                None,
            )
            .align(AlignmentType::Both)
            .v_anchor("margin")
            .h_anchor("margin")
            .y_align("bottom")
            .frame_width(text_w as u32)
            .wrap("around");
        p.property.borders = Some(borders);
        docx = docx.add_paragraph(p.add_run(run(&cc, TextStyle::EndBlock, s)));
    }

    let mut buf = std::io::Cursor::new(Vec::new());
    docx.build()
        .pack(&mut buf)
        .map_err(|e| LetterError::Docx(e.to_string()))?;
    Ok(buf.into_inner())
}
