//! Chinese line breaking (禁则) on measured characters. Pure: no fonts here.
//!
//! Rules, after GB/T 15834 practice and what Word/WPS do on the document grid:
//! - no line starts with closing punctuation (，。、；：？！）》」』”’…—% …);
//! - no line ends with opening punctuation (（《「『“‘ …);
//! - numbers, dates (2024年6月28日), phone numbers and Latin words are never
//!   split, and neither are the doubled marks —— and ……;
//! - to honour the first rule a single closing mark may hang into the right
//!   margin (Word's 允许标点溢出边界, on by default in Chinese Word); when
//!   that is not enough, the last characters move down to the next line
//!   (推出) and the line is justified to the full measure.
//!
//! Why hanging and not squeezing (标点挤压): a squeezed mark still has its
//! full advance in the font, so the next glyph overlaps it by half an em;
//! poppler (and so `pdftotext`, search and copy-paste) splits text at any
//! overlap over 0.2 em and tore such lines apart in trials. Hanging keeps
//! every glyph's box clear of its neighbours.

use std::ops::Range;

/// Characters that may not start a line. The same set as the office's
/// checker (`check-pdf`) plus their ASCII and bracket cousins.
pub const CLOSING: &str = "，。、；：？！）》」』”’…—%·〕】〉〗｝］,.;:?!)]}";
/// Characters that may not end a line.
pub const OPENING: &str = "（《「『“‘〔【〈〖｛［([{";

/// Tolerance for comparing widths in points.
const EPS: f32 = 0.01;

pub fn is_closing(c: char) -> bool {
    CLOSING.contains(c)
}
pub fn is_opening(c: char) -> bool {
    OPENING.contains(c)
}

/// One measured character, as the line breaker sees it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Measured {
    pub ch: char,
    /// Width it takes on the line, in points (one grid cell for full-width
    /// characters, the font's advance otherwise).
    pub width: f32,
    /// Whether this is a full-width character occupying one whole cell.
    pub full_width: bool,
}

/// A character placed on a line.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Placed {
    /// Index into the paragraph's characters.
    pub index: usize,
    /// Left edge of the glyph's drawing origin, from the line's start (pt).
    pub x: f32,
    /// Width the character occupies on the line (pt).
    pub width: f32,
    /// A closing mark hanging past the measure into the margin.
    pub hanging: bool,
}

/// A broken line: which characters, and where each one goes.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub range: Range<usize>,
    pub placed: Vec<Placed>,
}

/// Groups characters into clusters that must stay on one line.
pub fn clusters(chars: &[char]) -> Vec<Range<usize>> {
    let n = chars.len();
    let mut out = Vec::new();
    let mut i = 0;
    while i < n {
        let start = i;
        let c = chars[i];
        if c.is_ascii_alphanumeric() {
            i = word_end(chars, i);
            i = date_tail(chars, start, i);
        } else if matches!(c, '—' | '…') {
            while i < n && chars[i] == c {
                i += 1;
            }
        } else {
            i += 1;
        }
        out.push(start..i);
    }
    out
}

/// End of an ASCII word, number, phone number or URL starting at `i`:
/// letters and digits joined by . - / : _ + @ & ' # = ~ and a trailing %.
fn word_end(chars: &[char], mut i: usize) -> usize {
    let n = chars.len();
    while i < n {
        let c = chars[i];
        let prev_alnum = i > 0 && chars[i - 1].is_ascii_alphanumeric();
        let next_alnum = i + 1 < n && chars[i + 1].is_ascii_alphanumeric();
        // A percent sign closes a number: 66.67%.
        let percent = "％%".contains(c) && i > 0 && chars[i - 1].is_ascii_digit();
        // A joiner between two letters or digits: 0557-1234567, 7798.22, a/b.
        // "1,234" is a number but "a,b" is two words.
        let joiner = ".-/:_+@&'#=~,".contains(c)
            && prev_alnum
            && next_alnum
            && (c != ',' || (chars[i - 1].is_ascii_digit() && chars[i + 1].is_ascii_digit()));
        if c.is_ascii_alphanumeric() || percent || joiner {
            i += 1;
        } else {
            break;
        }
    }
    i
}

/// Extends a number into a date such as 2024年6月28日 (or 6月28日, 2024年6月)
/// so that it never breaks inside.
fn date_tail(chars: &[char], start: usize, mut end: usize) -> usize {
    let all_digits = |r: Range<usize>| chars[r].iter().all(|c| c.is_ascii_digit());
    if !all_digits(start..end) {
        return end;
    }
    let n = chars.len();
    loop {
        let unit = match chars.get(end) {
            Some(u) if matches!(u, '年' | '月') => *u,
            _ => break,
        };
        let digits = chars[(end + 1).min(n)..]
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .count();
        if digits == 0 {
            break;
        }
        end += 1 + digits;
        if unit == '月' {
            break;
        }
    }
    // The unit closing the number stays with it: 2024年10月, 28日, 第39号.
    if matches!(chars.get(end), Some('年' | '月' | '日' | '号')) {
        end += 1;
    }
    end
}

/// Breaks one paragraph into lines.
///
/// `first_width` is the measure of the first line (the full measure less
/// the indent), `width` of the others. Lines other than the last are
/// justified to the full measure when `justify` is set.
pub fn break_lines(items: &[Measured], first_width: f32, width: f32, justify: bool) -> Vec<Line> {
    let chars: Vec<char> = items.iter().map(|m| m.ch).collect();
    let cl = clusters(&chars);
    let cw: Vec<f32> = cl
        .iter()
        .map(|r| items[r.clone()].iter().map(|m| m.width).sum())
        .collect();
    // May the line break between cluster k-1 and cluster k?
    let can_break_before = |k: usize| -> bool {
        if k == 0 || k >= cl.len() {
            return true;
        }
        let first = chars[cl[k].start];
        let last_prev = chars[cl[k - 1].end - 1];
        !is_closing(first) && !is_opening(last_prev)
    };

    let mut lines = Vec::new();
    let mut k = 0;
    while k < cl.len() {
        // Spaces at the start of a continuation line are dropped.
        if !lines.is_empty() {
            while k < cl.len() && chars[cl[k].start] == ' ' {
                k += 1;
            }
            if k >= cl.len() {
                break;
            }
        }
        let avail = if lines.is_empty() { first_width } else { width };
        let mut used = 0.0;
        let mut j = k;
        while j < cl.len() && used + cw[j] <= avail + EPS {
            used += cw[j];
            j += 1;
        }
        if j == cl.len() {
            lines.push(place(items, &cl[k..j], false, avail, false));
            break;
        }
        if j == k {
            // One cluster wider than the whole line (a very long number or
            // address): it has to be cut, character by character.
            let r = cl[k].clone();
            let mut end = r.start;
            let mut w = 0.0;
            while end < r.end && (end == r.start || w + items[end].width <= avail + EPS) {
                w += items[end].width;
                end += 1;
            }
            let head = r.start..end;
            lines.push(place(
                items,
                std::slice::from_ref(&head),
                false,
                avail,
                justify,
            ));
            if end < r.end {
                // Break the rest of the paragraph afresh from the cut.
                for mut line in break_lines(&items[end..], width, width, justify) {
                    line.range = line.range.start + end..line.range.end + end;
                    for p in &mut line.placed {
                        p.index += end;
                    }
                    lines.push(line);
                }
                return lines;
            }
            k += 1;
            continue;
        }
        // The natural break falls before cluster j. Make it legal.
        let mut hang = false;
        if !can_break_before(j) {
            let single_closer = cl[j].len() == 1 && is_closing(chars[cl[j].start]);
            if single_closer && can_break_before(j + 1) && cw[j] <= max_hang(items) + EPS {
                // 1. Hang the one closing mark into the margin.
                j += 1;
                hang = true;
            } else {
                // 2. Push: move characters down until the break is legal.
                while j > k + 1 && !can_break_before(j) {
                    j -= 1;
                }
            }
        } else if is_opening(chars[cl[j - 1].end - 1]) {
            while j > k + 1 && !can_break_before(j) {
                j -= 1;
            }
        }
        lines.push(place(items, &cl[k..j], hang, avail, justify));
        k = j;
    }
    lines
}

/// Widest mark that may hang: one full-width cell (the widest character
/// of the paragraph stands for it).
fn max_hang(items: &[Measured]) -> f32 {
    items
        .iter()
        .filter(|m| m.full_width)
        .map(|m| m.width)
        .fold(0.0, f32::max)
}

/// Places the clusters of one line; spreads the slack over the gaps
/// between clusters when justifying. With `hang`, the last cluster is a
/// closing mark set just past the measure.
fn place(items: &[Measured], line: &[Range<usize>], hang: bool, avail: f32, justify: bool) -> Line {
    let mut line: Vec<Range<usize>> = line.to_vec();
    let hanging = if hang { line.pop() } else { None };
    // Trailing spaces take no room and are not drawn.
    while line.len() > 1
        && line
            .last()
            .is_some_and(|r| r.len() == 1 && items[r.start].ch == ' ')
    {
        line.pop();
    }
    let natural: f32 = line
        .iter()
        .flat_map(|r| r.clone())
        .map(|i| items[i].width)
        .sum();
    let gaps = line.len().saturating_sub(1);
    let extra = if justify && gaps > 0 && natural < avail {
        (avail - natural) / gaps as f32
    } else {
        0.0
    };
    let mut x = 0.0;
    let mut placed = Vec::new();
    for (g, r) in line.iter().enumerate() {
        if g > 0 {
            x += extra;
        }
        for i in r.clone() {
            placed.push(Placed {
                index: i,
                x,
                width: items[i].width,
                hanging: false,
            });
            x += items[i].width;
        }
    }
    if let Some(r) = &hanging {
        for i in r.clone() {
            placed.push(Placed {
                index: i,
                x,
                width: items[i].width,
                hanging: true,
            });
            x += items[i].width;
        }
        line.push(r.clone());
    }
    let range = match (line.first(), line.last()) {
        (Some(a), Some(b)) => a.start..b.end,
        _ => 0..0,
    };
    Line { range, placed }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(chars: &[char], r: &Range<usize>) -> String {
        chars[r.clone()].iter().collect()
    }

    #[test]
    fn clusters_keep_numbers_dates_and_words() {
        let s: Vec<char> = "截至2024年10月底，电话0557-1234567，占66.67%。共8.9万户Apple ——好……"
            .chars()
            .collect();
        let got: Vec<String> = clusters(&s).iter().map(|r| text(&s, r)).collect();
        assert!(got.contains(&"2024年10月".to_string()), "{got:?}");
        assert!(got.contains(&"0557-1234567".to_string()));
        assert!(got.contains(&"66.67%".to_string()));
        assert!(got.contains(&"8.9".to_string()));
        assert!(got.contains(&"Apple".to_string()));
        assert!(got.contains(&"——".to_string()));
        assert!(got.contains(&"……".to_string()));
        let s: Vec<char> = "2024年6月28日".chars().collect();
        assert_eq!(clusters(&s).len(), 1);
        let s: Vec<char> = "2016年以来，第39号".chars().collect();
        let got: Vec<String> = clusters(&s).iter().map(|r| text(&s, r)).collect();
        assert_eq!(got[0], "2016年");
        assert!(got.contains(&"39号".to_string()));
    }
}
