//! Fonts: find the official faces on this machine, stand in for missing ones,
//! measure glyphs for the layout, and say what was substituted.
//!
//! Discovery reads only the fonts' name tables (fontdb); a face is parsed the
//! first time a letter needs it and then kept in a [`FontCache`], so the
//! second export costs no font I/O. Faces from one `.ttc` share one copy of
//! the file.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use printpdf::font::AzulParsedFont;
use printpdf::ParsedFont;
use rust_fontconfig::FontBytes;
use serde::Serialize;

use crate::error::{LetterError, Result};
use crate::layout::{FaceKind, GlyphMetric, LetterLayout, Measure, TextStyle};

/// Family names to look for, best first, per face kind. Names as Windows,
/// WPS, macOS (华文) and the 方正 packages install them, in both scripts.
fn preferred_families(kind: FaceKind) -> &'static [&'static str] {
    match kind {
        FaceKind::FangSong => &[
            "FangSong",
            "仿宋",
            "FangSong_GB2312",
            "仿宋_GB2312",
            "方正仿宋_GBK",
            "方正仿宋简体",
            "FZFangSong-Z02S",
            "STFangsong",
            "华文仿宋",
        ],
        FaceKind::XiaoBiaoSong => &[
            "方正小标宋简体",
            "方正小标宋_GBK",
            "方正小标宋",
            "FZXiaoBiaoSong-B05S",
            "FZXiaoBiaoSong-B05",
            "小标宋",
        ],
        FaceKind::Hei => &[
            "SimHei",
            "黑体",
            "方正黑体_GBK",
            "方正黑体简体",
            "FZHei-B01S",
            "STHeiti",
            "华文黑体",
        ],
        FaceKind::Kai => &[
            "KaiTi",
            "楷体",
            "KaiTi_GB2312",
            "楷体_GB2312",
            "方正楷体_GBK",
            "方正楷体简体",
            "FZKai-Z03S",
            "STKaiti",
            "华文楷体",
        ],
        FaceKind::Song => &[
            "SimSun",
            "宋体",
            "NSimSun",
            "新宋体",
            "方正书宋_GBK",
            "STSong",
            "华文宋体",
        ],
    }
}

/// The free stand-ins, best first: (family, wants bold).
fn stand_ins(kind: FaceKind) -> &'static [(&'static str, bool)] {
    const SERIF: &[(&str, bool)] = &[
        ("Noto Serif CJK SC", false),
        ("Source Han Serif SC", false),
        ("思源宋体", false),
        ("AR PL UMing CN", false),
        ("Noto Sans CJK SC", false),
        ("Source Han Sans SC", false),
        ("WenQuanYi Zen Hei", false),
        ("Droid Sans Fallback", false),
    ];
    match kind {
        FaceKind::FangSong | FaceKind::Song => SERIF,
        FaceKind::Kai => &[
            ("AR PL UKai CN", false),
            ("Noto Serif CJK SC", false),
            ("Source Han Serif SC", false),
            ("思源宋体", false),
            ("Noto Sans CJK SC", false),
            ("WenQuanYi Zen Hei", false),
            ("Droid Sans Fallback", false),
        ],
        // 方正小标宋 is a heavy Song: a bold Song face is the closest.
        FaceKind::XiaoBiaoSong => &[
            ("Noto Serif CJK SC", true),
            ("Source Han Serif SC", true),
            ("思源宋体", true),
            ("SimSun", false),
            ("宋体", false),
            ("Noto Sans CJK SC", true),
            ("SimHei", false),
            ("黑体", false),
            ("WenQuanYi Zen Hei", false),
            ("Droid Sans Fallback", false),
        ],
        FaceKind::Hei => &[
            ("Noto Sans CJK SC", false),
            ("Source Han Sans SC", false),
            ("思源黑体", false),
            ("Microsoft YaHei", false),
            ("微软雅黑", false),
            ("WenQuanYi Zen Hei", false),
            ("Droid Sans Fallback", false),
            ("Noto Serif CJK SC", false),
        ],
    }
}

/// One parsed face, ready to measure and to embed.
pub struct LoadedFace {
    /// Index in the [`FontSet`] (what [`GlyphMetric::face`] refers to).
    pub id: u16,
    pub family: String,
    pub path: PathBuf,
    /// Face index inside a collection (.ttc).
    pub index: u32,
    pub font: ParsedFont,
    units_per_em: f32,
    /// Lookups already made. The parsed cmap is searched linearly, which
    /// showed up as a sixth of an export; a letter uses a few hundred
    /// distinct characters, so each is looked up once per face.
    lookups: RwLock<HashMap<char, Option<(u16, f32)>>>,
}

impl std::fmt::Debug for LoadedFace {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoadedFace")
            .field("id", &self.id)
            .field("family", &self.family)
            .field("path", &self.path)
            .field("index", &self.index)
            .finish()
    }
}

impl LoadedFace {
    /// Glyph id and advance (em) of `ch`, if the face has it.
    pub fn glyph(&self, ch: char) -> Option<(u16, f32)> {
        if let Some(hit) = self.lookups.read().ok().and_then(|m| m.get(&ch).copied()) {
            return hit;
        }
        let found = self
            .font
            .lookup_glyph_index(ch as u32)
            .filter(|gid| *gid != 0)
            .map(|gid| {
                let adv = self.font.get_horizontal_advance(gid) as f32 / self.units_per_em;
                (gid, adv)
            });
        if let Ok(mut m) = self.lookups.write() {
            m.insert(ch, found);
        }
        found
    }

    pub fn has(&self, ch: char) -> bool {
        self.glyph(ch).is_some()
    }
}

/// Which face stands for which kind, and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FaceChoice {
    pub kind: FaceKind,
    /// What the standard asks for, e.g. 仿宋.
    pub wanted: String,
    /// The family actually used.
    pub family: String,
    pub path: PathBuf,
    pub index: u32,
    /// True when `family` is a stand-in, not the face the standard names.
    pub substituted: bool,
}

/// One character drawn from another face than its style's own.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct GlyphFallback {
    pub ch: char,
    pub style: TextStyle,
    pub from_family: String,
    pub to_family: String,
}

/// One character no face on this machine has.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct MissingGlyph {
    pub ch: char,
    pub style: TextStyle,
}

/// Everything the user should know about fonts for one letter.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct FontReport {
    pub choices: Vec<FaceChoice>,
    pub glyph_fallbacks: Vec<GlyphFallback>,
    pub missing: Vec<MissingGlyph>,
}

fn codepoint(ch: char) -> String {
    format!("U+{:04X}", ch as u32)
}

impl FontReport {
    /// True when every face is the one the standard names and every
    /// character came from its own face.
    pub fn is_exact(&self) -> bool {
        self.choices.iter().all(|c| !c.substituted)
            && self.glyph_fallbacks.is_empty()
            && self.missing.is_empty()
    }

    /// Messages for the user, in Chinese, one per problem.
    pub fn messages_zh(&self) -> Vec<String> {
        let mut out = Vec::new();
        for c in self.choices.iter().filter(|c| c.substituted) {
            out.push(format!(
                "本机未安装{}，已用“{}”代替。如需与正式公文完全一致，请安装{}字体。",
                c.wanted, c.family, c.wanted
            ));
        }
        for f in &self.glyph_fallbacks {
            out.push(format!(
                "字符“{}”（{}）在“{}”中没有，已改用“{}”显示。",
                f.ch,
                codepoint(f.ch),
                f.from_family,
                f.to_family
            ));
        }
        let missing: BTreeSet<char> = self.missing.iter().map(|m| m.ch).collect();
        for ch in missing {
            out.push(format!(
                "字符“{}”（{}）在本机所有字体中都没有，打印出来会是方框。请删除或改写该字符（公文中不宜使用表情符号等特殊字符）。",
                ch,
                codepoint(ch)
            ));
        }
        out
    }
}

/// The faces chosen for letters, with per-glyph fallback chains.
pub struct FontSet {
    faces: Vec<Arc<LoadedFace>>,
    /// Per kind: the face ids to try, own face first.
    chains: BTreeMap<FaceKind, Vec<u16>>,
    choices: Vec<FaceChoice>,
}

impl std::fmt::Debug for FontSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FontSet")
            .field("choices", &self.choices)
            .finish()
    }
}

impl FontSet {
    pub fn faces(&self) -> &[Arc<LoadedFace>] {
        &self.faces
    }

    pub fn face(&self, id: u16) -> &LoadedFace {
        &self.faces[id as usize]
    }

    pub fn choices(&self) -> &[FaceChoice] {
        &self.choices
    }

    /// The face a style is meant to use.
    pub fn primary(&self, style: TextStyle) -> &LoadedFace {
        let id = self.chains[&style.face_kind()][0];
        self.face(id)
    }

    /// The report for one laid-out letter: substitutions plus the glyphs
    /// that fell back or are missing.
    pub fn report(&self, layout: &LetterLayout) -> FontReport {
        let mut fallbacks = BTreeSet::new();
        let mut missing = BTreeSet::new();
        for g in layout.glyphs() {
            let primary = self.chains[&g.style.face_kind()][0];
            match g.face {
                Some(f) if f == primary => {}
                Some(f) => {
                    fallbacks.insert(GlyphFallback {
                        ch: g.ch,
                        style: g.style,
                        from_family: self.face(primary).family.clone(),
                        to_family: self.face(f).family.clone(),
                    });
                }
                None => {
                    missing.insert(MissingGlyph {
                        ch: g.ch,
                        style: g.style,
                    });
                }
            }
        }
        FontReport {
            choices: self.choices.clone(),
            glyph_fallbacks: fallbacks.into_iter().collect(),
            missing: missing.into_iter().collect(),
        }
    }
}

/// First face in `chain` that has `ch`, with its advance.
pub(crate) fn pick_face(
    chain: &[u16],
    ch: char,
    glyph: impl Fn(u16, char) -> Option<f32>,
) -> Option<(u16, f32)> {
    chain
        .iter()
        .find_map(|&id| glyph(id, ch).map(|adv| (id, adv)))
}

impl Measure for FontSet {
    fn measure(&self, style: TextStyle, ch: char) -> GlyphMetric {
        let chain = &self.chains[&style.face_kind()];
        match pick_face(chain, ch, |id, c| self.face(id).glyph(c).map(|g| g.1)) {
            Some((id, adv)) => GlyphMetric {
                advance_em: adv,
                face: Some(id),
            },
            None => {
                // Drawn as the own face's missing-glyph box (.notdef).
                let own = self.face(chain[0]);
                let adv = own.font.get_horizontal_advance(0) as f32 / own.units_per_em;
                GlyphMetric {
                    advance_em: if adv > 0.0 { adv } else { 1.0 },
                    face: None,
                }
            }
        }
    }
}

/// Where to look for fonts.
#[derive(Debug, Clone)]
pub struct FontOptions {
    /// Scan the system's font folders (C:\Windows\Fonts, /usr/share/fonts,
    /// ~/.local/share/fonts, …).
    pub system_fonts: bool,
    /// More folders, e.g. fonts shipped with the app or a unit's own.
    pub extra_dirs: Vec<PathBuf>,
    /// Family names to try first for a kind, ahead of the built-in list
    /// (a unit that uses, say, 方正仿宋_GBK everywhere).
    pub preferred: BTreeMap<FaceKind, Vec<String>>,
}

impl Default for FontOptions {
    fn default() -> Self {
        Self {
            system_fonts: true,
            extra_dirs: Vec::new(),
            preferred: BTreeMap::new(),
        }
    }
}

/// Discovered and parsed fonts, kept between exports.
pub struct FontCache {
    options: FontOptions,
    db: Option<fontdb::Database>,
    files: HashMap<PathBuf, Arc<FontBytes>>,
    set: Option<Arc<FontSet>>,
}

impl Default for FontCache {
    fn default() -> Self {
        Self::new(FontOptions::default())
    }
}

impl FontCache {
    pub fn new(options: FontOptions) -> Self {
        Self {
            options,
            db: None,
            files: HashMap::new(),
            set: None,
        }
    }

    /// Forgets everything, e.g. after the user installed a font.
    pub fn reload(&mut self) {
        self.db = None;
        self.files.clear();
        self.set = None;
    }

    fn db(&mut self) -> &fontdb::Database {
        if self.db.is_none() {
            let mut db = fontdb::Database::new();
            if self.options.system_fonts {
                db.load_system_fonts();
            }
            for d in &self.options.extra_dirs {
                db.load_fonts_dir(d);
            }
            self.db = Some(db);
        }
        self.db.as_ref().expect("just set")
    }

    /// Family names of every face found, sorted (for a font picker).
    pub fn families(&mut self) -> Vec<String> {
        let set: BTreeSet<String> = self
            .db()
            .faces()
            .flat_map(|f| f.families.iter().map(|(n, _)| n.clone()))
            .collect();
        set.into_iter().collect()
    }

    /// The chosen faces; resolved and parsed once, then shared.
    pub fn font_set(&mut self) -> Result<Arc<FontSet>> {
        if let Some(set) = &self.set {
            return Ok(set.clone());
        }
        let set = Arc::new(self.resolve()?);
        self.set = Some(set.clone());
        Ok(set)
    }

    fn resolve(&mut self) -> Result<FontSet> {
        // Pick a face (path, index, family) per kind.
        let mut picks: Vec<(FaceKind, PathBuf, u32, String, bool)> = Vec::new();
        let preferred = self.options.preferred.clone();
        let db = self.db();
        for kind in FaceKind::ALL {
            let mut names: Vec<(String, bool, bool)> = preferred
                .get(&kind)
                .into_iter()
                .flatten()
                .map(|n| (n.clone(), false, false))
                .collect();
            names.extend(
                preferred_families(kind)
                    .iter()
                    .map(|n| (n.to_string(), false, false)),
            );
            names.extend(
                stand_ins(kind)
                    .iter()
                    .map(|(n, bold)| (n.to_string(), *bold, true)),
            );
            let found = names.iter().find_map(|(name, bold, stand_in)| {
                find_family(db, name, *bold)
                    .map(|(path, index, family)| (kind, path, index, family, *stand_in))
            });
            if let Some(p) = found {
                picks.push(p);
            }
        }
        if picks.len() < FaceKind::ALL.len() {
            // Some kinds found nothing by name: any face that sets Chinese.
            let any = picks
                .first()
                .map(|p| (p.1.clone(), p.2, p.3.clone()))
                .or_else(|| self.scan_for_cjk());
            let Some((path, index, family)) = any else {
                return Err(LetterError::NoCjkFont);
            };
            for kind in FaceKind::ALL {
                if !picks.iter().any(|p| p.0 == kind) {
                    picks.push((kind, path.clone(), index, family.clone(), true));
                }
            }
            picks.sort_by_key(|p| p.0);
        }

        // Parse each distinct face once.
        let mut faces: Vec<Arc<LoadedFace>> = Vec::new();
        let mut own: BTreeMap<FaceKind, u16> = BTreeMap::new();
        let mut choices = Vec::new();
        for (kind, path, index, family, substituted) in picks {
            let id = match faces.iter().find(|f| f.path == path && f.index == index) {
                Some(f) => f.id,
                None => {
                    let id = faces.len() as u16;
                    let face = self.load_face(id, &path, index, &family)?;
                    faces.push(Arc::new(face));
                    id
                }
            };
            own.insert(kind, id);
            choices.push(FaceChoice {
                kind,
                wanted: kind.label_zh().to_string(),
                family,
                path,
                index,
                substituted,
            });
        }
        if !faces.iter().any(|f| f.has('中')) {
            // Only faces named like Chinese ones that cannot set Chinese.
            return Err(LetterError::NoCjkFont);
        }
        // Fallback order after a kind's own face: the body face first (it
        // is the most complete in practice), then the others.
        let order = [
            FaceKind::FangSong,
            FaceKind::Song,
            FaceKind::Hei,
            FaceKind::Kai,
            FaceKind::XiaoBiaoSong,
        ];
        let chains = FaceKind::ALL
            .iter()
            .map(|k| {
                let mut chain = vec![own[k]];
                for o in order {
                    if !chain.contains(&own[&o]) {
                        chain.push(own[&o]);
                    }
                }
                (*k, chain)
            })
            .collect();
        Ok(FontSet {
            faces,
            chains,
            choices,
        })
    }

    /// Looks at every face for one that has common Chinese characters.
    fn scan_for_cjk(&mut self) -> Option<(PathBuf, u32, String)> {
        let candidates: Vec<(PathBuf, u32, String)> = self
            .db()
            .faces()
            .filter_map(|f| match &f.source {
                fontdb::Source::File(p) | fontdb::Source::SharedFile(p, _) => Some((
                    p.clone(),
                    f.index,
                    f.families.first().map(|x| x.0.clone()).unwrap_or_default(),
                )),
                _ => None,
            })
            .collect();
        for (path, index, family) in candidates {
            let Ok(bytes) = self.file(&path) else {
                continue;
            };
            let mut w = Vec::new();
            if let Some(f) = AzulParsedFont::from_bytes_shared(bytes, index as usize, &mut w) {
                let has = |c: char| f.lookup_glyph_index(c as u32).is_some_and(|g| g != 0);
                if has('中') && has('国') && has('。') {
                    return Some((path, index, family));
                }
            }
        }
        None
    }

    fn file(&mut self, path: &Path) -> Result<Arc<FontBytes>> {
        if let Some(b) = self.files.get(path) {
            return Ok(b.clone());
        }
        let load_err = |e: std::io::Error| LetterError::FontLoad {
            path: path.to_path_buf(),
            reason: e.to_string(),
        };
        let file = std::fs::File::open(path).map_err(load_err)?;
        // SAFETY: the mapping is read-only and installed fonts are not
        // rewritten in place while the app runs (fontdb maps them the same
        // way). Mapping instead of reading keeps a 27 MB collection from
        // being copied when a letter uses a few hundred KB of it.
        let map = unsafe { mmapio::Mmap::map(&file) }.map_err(load_err)?;
        let bytes = Arc::new(FontBytes::Mmapped(map));
        self.files.insert(path.to_path_buf(), bytes.clone());
        Ok(bytes)
    }

    fn load_face(&mut self, id: u16, path: &Path, index: u32, family: &str) -> Result<LoadedFace> {
        let bytes = self.file(path)?;
        let mut warnings = Vec::new();
        let inner = AzulParsedFont::from_bytes_shared(bytes, index as usize, &mut warnings)
            .ok_or_else(|| LetterError::FontLoad {
                path: path.to_path_buf(),
                reason: format!("第 {index} 个字形无法解析"),
            })?;
        let font = ParsedFont::from_azul(inner);
        let upem = font.font_metrics.units_per_em.max(1) as f32;
        Ok(LoadedFace {
            id,
            family: family.to_string(),
            path: path.to_path_buf(),
            index,
            font,
            units_per_em: upem,
            lookups: RwLock::new(HashMap::new()),
        })
    }
}

/// Finds a face of `family` (any localized name, case-insensitive); for a
/// bold request the heaviest face at least semi-bold, else the face
/// closest to regular weight.
fn find_family(db: &fontdb::Database, family: &str, bold: bool) -> Option<(PathBuf, u32, String)> {
    let want = family.to_lowercase();
    let mut best: Option<(&fontdb::FaceInfo, u16)> = None;
    for f in db.faces() {
        if f.style != fontdb::Style::Normal {
            continue;
        }
        if !f.families.iter().any(|(n, _)| n.to_lowercase() == want) {
            continue;
        }
        let w = f.weight.0;
        let score = if bold {
            if w < 600 {
                continue;
            }
            u16::MAX - w.abs_diff(700)
        } else {
            u16::MAX - w.abs_diff(400)
        };
        if best.is_none_or(|(_, s)| score > s) {
            best = Some((f, score));
        }
    }
    let (f, _) = best?;
    let path = match &f.source {
        fontdb::Source::File(p) | fontdb::Source::SharedFile(p, _) => p.clone(),
        _ => return None,
    };
    // Report the family by the name asked for when it matched a localized
    // name (仿宋 rather than FangSong is what the user knows).
    let name = f
        .families
        .iter()
        .find(|(n, _)| n.to_lowercase() == want)
        .map(|(n, _)| n.clone())
        .unwrap_or_else(|| family.to_string());
    Some((path, f.index, name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn per_glyph_fallback_takes_the_first_face_that_has_it() {
        // Face 0 has only ASCII, face 1 only CJK, face 2 everything.
        let glyph = |id: u16, c: char| -> Option<f32> {
            match (id, c.is_ascii()) {
                (0, true) => Some(0.5),
                (1, false) => Some(1.0),
                (2, _) => Some(0.9),
                _ => None,
            }
        };
        assert_eq!(pick_face(&[0, 1, 2], 'a', glyph), Some((0, 0.5)));
        assert_eq!(pick_face(&[0, 1, 2], '中', glyph), Some((1, 1.0)));
        assert_eq!(pick_face(&[0], '中', glyph), None);
    }

    #[test]
    fn report_messages_are_chinese_and_name_the_fix() {
        let r = FontReport {
            choices: vec![FaceChoice {
                kind: FaceKind::FangSong,
                wanted: "仿宋".into(),
                family: "Noto Serif CJK SC".into(),
                path: PathBuf::from("/x.ttc"),
                index: 2,
                substituted: true,
            }],
            glyph_fallbacks: vec![],
            missing: vec![MissingGlyph {
                ch: '😀',
                style: TextStyle::Body,
            }],
        };
        let m = r.messages_zh();
        assert!(m[0].contains("本机未安装仿宋") && m[0].contains("Noto Serif CJK SC"));
        assert!(m[1].contains("U+1F600"));
        assert!(!r.is_exact());
    }
}
