//! Every number of the page: GB/T 9704-2012 defaults, kept as named settings
//! so that a unit can match its own template without touching the layout code.

use serde::{Deserialize, Serialize};

/// Points per millimetre (1 pt = 1/72 in, 1 in = 25.4 mm).
pub const PT_PER_MM: f32 = 72.0 / 25.4;

/// Converts millimetres to points.
pub fn mm_to_pt(mm: f32) -> f32 {
    mm * PT_PER_MM
}

/// The page, the grid and the type sizes of a reply letter.
///
/// Defaults follow GB/T 9704-2012 as summarised in BRIEF §3. Sizes are in
/// points (pt), distances on paper in millimetres (mm), and counts of grid
/// cells ("characters") or grid lines where the standard speaks that way.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LayoutSettings {
    /// A4 width.
    pub page_width_mm: f32,
    /// A4 height.
    pub page_height_mm: f32,
    /// 天头: from the paper's top edge to the top of the text block.
    pub margin_top_mm: f32,
    /// 订口: from the paper's left edge to the text block.
    pub margin_left_mm: f32,
    /// 版心 width.
    pub text_width_mm: f32,
    /// 版心 height.
    pub text_height_mm: f32,
    /// Grid lines per page (每面排22行).
    pub lines_per_page: usize,
    /// Grid cells per line (每行排28个字).
    pub chars_per_line: usize,
    /// Body text, 三号 (仿宋).
    pub body_size_pt: f32,
    /// Title, 二号 (小标宋).
    pub title_size_pt: f32,
    /// The result-category mark at the top right of page one (黑体).
    pub mark_size_pt: f32,
    /// Page numbers, 四号 (宋体).
    pub page_number_size_pt: f32,
    /// Distance from the bottom of the text block to the top of the page
    /// number line (一字线上距版心下边缘7mm).
    pub page_number_gap_mm: f32,
    /// Page numbers sit this many page-number characters in from the block's
    /// edge: right on odd pages, left on even pages (单页码居右空一字，双页码居左空一字).
    pub page_number_inset_chars: f32,
    /// The end block (版记: 抄送), 四号 (仿宋).
    pub cc_size_pt: f32,
    /// The end block is indented this many cc characters on both sides (左右各空一字).
    pub cc_inset_chars: f32,
    /// Thickness of the end block's rules (首条和末条分隔线用粗线).
    pub end_rule_mm: f32,
    /// Blank grid lines required between the last content line and the end block.
    pub end_block_gap_lines: usize,
    /// First-line indent of body paragraphs, in grid cells (段首空二字).
    pub paragraph_indent_chars: usize,
    /// Indent of the note (附注) under the date, in grid cells.
    pub note_indent_chars: usize,
    /// The date ends this many grid cells from the right edge (成文日期右空四字).
    pub date_right_inset_chars: usize,
    /// Blank grid lines between the last body line and the unit name, room for the seal.
    pub signature_gap_lines: usize,
    /// Blank grid lines between the document number and the title.
    pub lines_before_title: usize,
    /// Blank grid lines between the title and the salutation (标题下空一行).
    pub lines_after_title: usize,
    /// Diameter of the seal image on paper (公章常见直径 42 mm).
    pub seal_diameter_mm: f32,
    /// Where the seal's centre sits, in grid lines below the unit-name line's
    /// centre: the unit name and date should fall a little below the seal's
    /// centre (居印章中心偏下), so this is about half a line.
    pub seal_center_lines_below_unit: f32,
    /// The em box's centre above the baseline, as a fraction of the type size.
    /// Text is centred vertically in its grid line; 0.38 is the CJK em box
    /// (ascent 0.88, descent 0.12) of the common Chinese faces.
    pub em_center_above_baseline: f32,
    /// An advance at least this wide (in em) counts as a full-width character
    /// and takes exactly one grid cell; narrower glyphs (digits, Latin) keep
    /// the advance measured from the font.
    pub full_width_threshold_em: f32,
    /// Blank grid lines between the date/note and the approval block.
    pub approval_gap_lines: usize,
    /// Side of the approval block's QR code as a share of the block's height
    /// (the rest is white space above and below it).
    pub approval_qr_fill: f32,
    /// Upper limit on pages: longer letters are refused with a clear message
    /// instead of tying up the preview.
    pub max_pages: usize,
}

impl Default for LayoutSettings {
    fn default() -> Self {
        Self {
            page_width_mm: 210.0,
            page_height_mm: 297.0,
            margin_top_mm: 37.0,
            margin_left_mm: 28.0,
            text_width_mm: 156.0,
            text_height_mm: 225.0,
            lines_per_page: 22,
            chars_per_line: 28,
            body_size_pt: 16.0,
            title_size_pt: 22.0,
            mark_size_pt: 16.0,
            page_number_size_pt: 14.0,
            page_number_gap_mm: 7.0,
            page_number_inset_chars: 1.0,
            cc_size_pt: 14.0,
            cc_inset_chars: 1.0,
            end_rule_mm: 0.35,
            end_block_gap_lines: 1,
            paragraph_indent_chars: 2,
            note_indent_chars: 2,
            date_right_inset_chars: 4,
            signature_gap_lines: 2,
            lines_before_title: 1,
            lines_after_title: 1,
            seal_diameter_mm: 42.0,
            seal_center_lines_below_unit: 0.35,
            em_center_above_baseline: 0.38,
            full_width_threshold_em: 0.9,
            approval_gap_lines: 1,
            approval_qr_fill: 0.94,
            max_pages: 100,
        }
    }
}

impl LayoutSettings {
    pub fn page_width_pt(&self) -> f32 {
        mm_to_pt(self.page_width_mm)
    }
    pub fn page_height_pt(&self) -> f32 {
        mm_to_pt(self.page_height_mm)
    }
    pub fn margin_left_pt(&self) -> f32 {
        mm_to_pt(self.margin_left_mm)
    }
    pub fn margin_top_pt(&self) -> f32 {
        mm_to_pt(self.margin_top_mm)
    }
    pub fn text_width_pt(&self) -> f32 {
        mm_to_pt(self.text_width_mm)
    }
    pub fn text_height_pt(&self) -> f32 {
        mm_to_pt(self.text_height_mm)
    }
    /// Width of one grid cell: 156 mm / 28 ≈ 15.79 pt, a little narrower than
    /// the 16 pt type, exactly as Word's document grid sets it.
    pub fn cell_pt(&self) -> f32 {
        self.text_width_pt() / self.chars_per_line as f32
    }
    /// Height of one grid line: 225 mm / 22 ≈ 28.99 pt.
    pub fn line_pitch_pt(&self) -> f32 {
        self.text_height_pt() / self.lines_per_page as f32
    }
    /// Bottom edge of the text block, from the paper's top edge.
    pub fn text_bottom_pt(&self) -> f32 {
        self.margin_top_pt() + self.text_height_pt()
    }
    /// Top of grid line `row` (0-based), from the paper's top edge.
    pub fn row_top_pt(&self, row: usize) -> f32 {
        self.margin_top_pt() + row as f32 * self.line_pitch_pt()
    }
    /// Baseline for type of `size_pt` centred in grid line `row`.
    pub fn row_baseline_pt(&self, row: usize, size_pt: f32) -> f32 {
        self.row_top_pt(row) + self.line_pitch_pt() / 2.0 + self.em_center_above_baseline * size_pt
    }

    /// Checks that the numbers describe a usable page; a unit's template
    /// could carry nonsense, and the layout must not loop or divide by zero.
    pub fn validate(&self) -> Result<(), String> {
        let positive = [
            ("page_width_mm", self.page_width_mm),
            ("page_height_mm", self.page_height_mm),
            ("text_width_mm", self.text_width_mm),
            ("text_height_mm", self.text_height_mm),
            ("body_size_pt", self.body_size_pt),
            ("title_size_pt", self.title_size_pt),
            ("mark_size_pt", self.mark_size_pt),
            ("page_number_size_pt", self.page_number_size_pt),
            ("cc_size_pt", self.cc_size_pt),
        ];
        for (name, v) in positive {
            if !(v.is_finite() && v > 0.0) {
                return Err(format!("{name} 必须是正数（现为 {v}）"));
            }
        }
        if self.lines_per_page < 8 || self.chars_per_line < 10 {
            return Err(format!(
                "每页行数至少 8、每行字数至少 10（现为 {} 行 × {} 字）",
                self.lines_per_page, self.chars_per_line
            ));
        }
        if self.margin_left_mm + self.text_width_mm > self.page_width_mm
            || self.margin_top_mm + self.text_height_mm > self.page_height_mm
        {
            return Err("版心超出了纸张".to_string());
        }
        if self.paragraph_indent_chars + 2 > self.chars_per_line
            || self.date_right_inset_chars + 10 > self.chars_per_line
        {
            return Err("缩进字数过大".to_string());
        }
        if !(self.approval_qr_fill > 0.1 && self.approval_qr_fill <= 1.0) {
            return Err(format!(
                "approval_qr_fill 必须在 0.1 与 1 之间（现为 {}）",
                self.approval_qr_fill
            ));
        }
        if self.approval_gap_lines > 4 {
            return Err("approval_gap_lines 不能超过 4".to_string());
        }
        if self.max_pages == 0 {
            return Err("max_pages 必须大于 0".to_string());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gbt_9704_grid() {
        let s = LayoutSettings::default();
        assert!((s.cell_pt() - 15.789).abs() < 0.01);
        assert!((s.line_pitch_pt() - 28.99).abs() < 0.01);
        assert!((s.text_bottom_pt() - mm_to_pt(262.0)).abs() < 0.01);
        s.validate().unwrap();
    }

    #[test]
    fn nonsense_is_refused() {
        let s = LayoutSettings {
            chars_per_line: 0,
            ..Default::default()
        };
        assert!(s.validate().is_err());
        let s = LayoutSettings {
            body_size_pt: f32::NAN,
            ..Default::default()
        };
        assert!(s.validate().is_err());
    }
}
