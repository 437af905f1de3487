//! The embedded fonts: advance widths, the Unicode cmap and kerning read with `ttf-parser`,
//! and the subset a PDF embeds made with `subsetter` (kilobytes, not the whole font).
//!
//! Kerning is the font's GPOS `kern` feature (pair adjustments, as HarfBuzz applies it); DejaVu
//! also carries a legacy `kern` table, which shapers ignore when GPOS kerns, and so do we.
//! Measuring and drawing both use [`Face::kern`], so a line measures what it draws.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use ttf_parser::gpos::{PairAdjustment, PositioningSubtable};
use ttf_parser::{GlyphId, Tag};

/// DejaVu Sans, regular (licence in `templates/fonts/LICENSE-DejaVu.txt`).
pub const REGULAR_TTF: &[u8] = include_bytes!("../../../templates/fonts/DejaVuSans.ttf");
/// DejaVu Sans, bold.
pub const BOLD_TTF: &[u8] = include_bytes!("../../../templates/fonts/DejaVuSans-Bold.ttf");

/// Characters beyond Latin-1 that plans use often (money, dashes, quotes, check boxes): with
/// Latin-1 they have their glyphs, advances and kerning pairs in dense tables, the hot path of
/// measuring Spanish and English text. Sorted, for a binary search.
const EXTRAS: [char; 22] = [
    '–', '—', '‘', '’', '“', '”', '„', '•', '…', '‰', '‹', '›', '€', '™', '→', '−', '≈', '≤', '≥', '▾', '☐',
    '✓',
];

/// Size of the dense tables: Latin-1, then [`EXTRAS`].
pub const FAST: usize = 256 + EXTRAS.len();

/// The dense-table index of a character, if it has one (below [`FAST`]): tables indexed by it
/// serve almost every character of a plan without hashing.
pub fn fast_index(ch: char) -> Option<usize> {
    match ch as usize {
        c if c < 256 => Some(c),
        _ => EXTRAS.binary_search(&ch).ok().map(|i| 256 + i),
    }
}

/// The index of `item` in `classes`, added when new (at most [`FAST`] of them).
fn class_of<T: PartialEq>(classes: &mut Vec<T>, item: T) -> u16 {
    let at = classes.iter().position(|c| *c == item).unwrap_or_else(|| {
        classes.push(item);
        classes.len() - 1
    });
    u16::try_from(at).expect("fewer classes than characters")
}

/// A parsed font face over borrowed bytes, with the metrics layout and the PDF need.
pub struct Face {
    data: &'static [u8],
    face: ttf_parser::Face<'static>,
    /// Font units per em.
    pub units_per_em: u16,
    /// hhea ascender and descender, font units (descender negative).
    pub ascent: i16,
    pub descent: i16,
    /// head bounding box, font units.
    pub bbox: [i16; 4],
    /// OS/2 weight class (400 regular, 700 bold).
    pub weight: u16,
    /// Caret slope (rise, run) from the italic angle.
    pub caret: (i16, i16),
    /// The pair-adjustment subtables of each lookup of the GPOS `kern` feature, in lookup order.
    kern_lookups: Vec<Vec<PairAdjustment<'static>>>,
    /// Glyph, advance and kerning classes of each dense-table character.
    fast: Box<[FastChar; FAST]>,
    /// Kerning in font units between dense-table characters, by class: row = the left
    /// character's class, column = the right one's. Characters with the same kerning against
    /// every other share a class, so the table is a few kilobytes where the pairs' square
    /// was 150 (measuring looks it up for every pair of characters: it stays in cache).
    kern_classes: Box<[i16]>,
    /// Columns of [`Self::kern_classes`] (the number of right classes).
    right_classes: usize,
}

/// What measuring needs of a dense-table character, together (one lookup per character).
#[derive(Debug, Clone, Copy, Default)]
struct FastChar {
    /// Advance in em.
    advance: f32,
    /// Glyph id (0 when the face lacks the character).
    glyph: u16,
    /// Kerning class as the left and as the right character of a pair.
    left: u16,
    right: u16,
}

impl std::fmt::Debug for Face {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Face")
            .field("units_per_em", &self.units_per_em)
            .field("weight", &self.weight)
            .finish()
    }
}

/// The embedded faces, parsed once per process.
pub fn faces() -> &'static (Face, Face) {
    static FACES: OnceLock<(Face, Face)> = OnceLock::new();
    FACES.get_or_init(|| {
        // The fonts are compiled in and tested; failing here is a build defect, not input.
        let r = Face::parse(REGULAR_TTF).expect("embedded DejaVuSans.ttf parses");
        let b = Face::parse(BOLD_TTF).expect("embedded DejaVuSans-Bold.ttf parses");
        (r, b)
    })
}

impl Face {
    /// Parses the face and precomputes the Latin-1 advances and kerning pairs.
    pub fn parse(data: &'static [u8]) -> Result<Face, String> {
        let face = ttf_parser::Face::parse(data, 0).map_err(|e| format!("font: {e}"))?;
        let head = face.global_bounding_box();
        let hhea = face.tables().hhea;
        let slant = -face.italic_angle().to_radians().tan();
        let mut out = Face {
            data,
            units_per_em: face.units_per_em(),
            ascent: hhea.ascender,
            descent: hhea.descender,
            bbox: [head.x_min, head.y_min, head.x_max, head.y_max],
            weight: face.weight().to_number(),
            caret: (1000, (1000.0 * slant).round() as i16),
            kern_lookups: kern_lookups(&face),
            fast: Box::new([FastChar::default(); FAST]),
            kern_classes: Box::new([]),
            right_classes: 0,
            face,
        };
        let upm = f32::from(out.units_per_em);
        let chars = (0..256u32).filter_map(char::from_u32).chain(EXTRAS);
        for (i, ch) in chars.enumerate() {
            let g = out.cmap_glyph(ch).unwrap_or(0);
            out.fast[i].glyph = g;
            out.fast[i].advance = f32::from(out.advance(g)) / upm;
        }
        let pairs = out.dense_kerning();
        out.classify_kerning(&pairs);
        Ok(out)
    }

    /// Kerning in font units for every pair of dense-table characters, row = left character.
    fn dense_kerning(&self) -> Vec<i16> {
        let mut pairs = vec![0; FAST * FAST];
        for a in 0..FAST {
            let ga = self.fast[a].glyph;
            if ga == 0 || !self.kern_lookups.iter().flatten().any(|t| t.coverage().contains(GlyphId(ga))) {
                continue;
            }
            for b in 0..FAST {
                let gb = self.fast[b].glyph;
                if gb != 0 {
                    pairs[a * FAST + b] = self.pair_kern(ga, gb);
                }
            }
        }
        pairs
    }

    /// Folds the pairs' square into classes: characters whose rows are equal share a left
    /// class, then characters whose columns (over the left classes) are equal a right class.
    fn classify_kerning(&mut self, pairs: &[i16]) {
        let mut rows: Vec<&[i16]> = Vec::new();
        for a in 0..FAST {
            let row = &pairs[a * FAST..(a + 1) * FAST];
            self.fast[a].left = class_of(&mut rows, row);
        }
        let mut cols: Vec<Vec<i16>> = Vec::new();
        for b in 0..FAST {
            let col: Vec<i16> = rows.iter().map(|row| row[b]).collect();
            self.fast[b].right = class_of(&mut cols, col);
        }
        self.right_classes = cols.len();
        self.kern_classes = (0..rows.len()).flat_map(|l| cols.iter().map(move |c| c[l])).collect();
    }

    /// The glyph for a character, if the face has one.
    pub fn glyph(&self, ch: char) -> Option<u16> {
        match fast_index(ch) {
            Some(i) => Some(self.fast[i].glyph).filter(|&g| g != 0),
            None => self.cmap_glyph(ch),
        }
    }

    fn cmap_glyph(&self, ch: char) -> Option<u16> {
        self.face.glyph_index(ch).map(|g| g.0).filter(|&g| g != 0)
    }

    /// Whether the face can draw the character.
    pub fn has(&self, ch: char) -> bool {
        self.glyph(ch).is_some()
    }

    /// Advance width of a glyph in font units.
    pub fn advance(&self, gid: u16) -> u16 {
        self.face.glyph_hor_advance(GlyphId(gid)).unwrap_or(0)
    }

    /// Advance of a character in em (missing characters measure as the .notdef glyph).
    pub fn char_em(&self, ch: char) -> f32 {
        match fast_index(ch) {
            Some(i) => self.fast[i].advance,
            None => f32::from(self.advance(self.glyph(ch).unwrap_or(0))) / f32::from(self.units_per_em),
        }
    }

    /// Kerning between two adjacent characters in font units (negative: closer together).
    pub fn kern(&self, left: char, right: char) -> i16 {
        if let (Some(l), Some(r)) = (fast_index(left), fast_index(right)) {
            return self.fast_kern(l, r);
        }
        match (self.glyph(left), self.glyph(right)) {
            (Some(a), Some(b)) => self.pair_kern(a, b),
            _ => 0,
        }
    }

    /// Kerning between two adjacent characters in em.
    pub fn kern_em(&self, left: char, right: char) -> f32 {
        f32::from(self.kern(left, right)) / f32::from(self.units_per_em)
    }

    /// Kerning between two dense-table characters (by index), font units.
    fn fast_kern(&self, left: usize, right: usize) -> i16 {
        let (l, r) = (self.fast[left].left, self.fast[right].right);
        self.kern_classes[usize::from(l) * self.right_classes + usize::from(r)]
    }

    /// Width of `text` at `size` points: advances plus the kerning between its characters.
    /// Always `size * width_em(text)`: layout measures a text once in em and scales it.
    pub fn width(&self, text: &str, size: f32) -> f32 {
        size * self.width_em(text)
    }

    /// Width of `text` in em: the sums of [`Self::char_em`] and [`Self::kern`], in that order.
    pub fn width_em(&self, text: &str) -> f32 {
        let mut em = 0.0;
        let mut kern = 0i32;
        for (c, index, k) in self.kerned(text) {
            em += match index {
                Some(i) => self.fast[i].advance,
                None => self.char_em(c),
            };
            kern += i32::from(k);
        }
        em + kern as f32 / f32::from(self.units_per_em)
    }

    /// Each character of `text` with its dense-table index and the kerning between it and the
    /// character before (0 for the first), font units. Measuring and drawing both read text
    /// through this, so a line measures what it draws; each character's index is found once
    /// (this runs for every character laid out and drawn).
    pub fn kerned<'a>(&'a self, text: &'a str) -> impl Iterator<Item = (char, Option<usize>, i16)> + 'a {
        let mut prev: Option<(char, Option<usize>)> = None;
        text.chars().map(move |c| {
            let index = fast_index(c);
            let k = match (prev, index) {
                (None, _) => 0,
                (Some((_, Some(l))), Some(r)) => self.fast_kern(l, r),
                (Some((p, _)), _) => self.kern(p, c),
            };
            prev = Some((c, index));
            (c, index, k)
        })
    }

    /// The GPOS pair adjustment for two glyphs: each lookup of the `kern` feature adds the
    /// first of its subtables that applies, as OpenType shapers do.
    fn pair_kern(&self, left: u16, right: u16) -> i16 {
        let (l, r) = (GlyphId(left), GlyphId(right));
        let mut total = 0i16;
        for lookup in &self.kern_lookups {
            for table in lookup {
                let value = match table {
                    PairAdjustment::Format1 { coverage, sets } => {
                        coverage.get(l).and_then(|i| sets.get(i)).and_then(|set| set.get(r)).map(|v| v.0)
                    }
                    PairAdjustment::Format2 { coverage, classes, matrix } => coverage
                        .get(l)
                        .and_then(|_| matrix.get((classes.0.get(l), classes.1.get(r))))
                        .map(|v| v.0),
                };
                if let Some(v) = value {
                    total = total.saturating_add(v.x_advance);
                    break;
                }
            }
        }
        total
    }

    /// A font program holding only `glyphs` (plus .notdef and the parts of composite glyphs),
    /// renumbered densely in the order of their old ids; returns the bytes and the
    /// old → new id map. `subsetter` keeps what a PDF TrueType program needs and drops the
    /// cmap: a CIDFontType2 with an Identity CIDToGIDMap addresses glyphs by id, and `pdf.rs`
    /// encodes text with the new ids.
    pub fn subset(&self, glyphs: &BTreeSet<u16>) -> Result<(Vec<u8>, BTreeMap<u16, u16>), String> {
        let used: Vec<u16> = glyphs.iter().copied().filter(|&g| g < self.face.number_of_glyphs()).collect();
        let remapper = subsetter::GlyphRemapper::new_from_glyphs_sorted(&used);
        let bytes = subsetter::subset(self.data, 0, &remapper).map_err(|e| e.to_string())?;
        let mut map: BTreeMap<u16, u16> = used.iter().filter_map(|&g| Some((g, remapper.get(g)?))).collect();
        map.insert(0, 0);
        Ok((bytes, map))
    }
}

/// The pair-adjustment subtables of the GPOS `kern` feature for Latin text (else the default
/// script), grouped by lookup in lookup order.
fn kern_lookups(face: &ttf_parser::Face<'static>) -> Vec<Vec<PairAdjustment<'static>>> {
    let Some(gpos) = face.tables().gpos else { return Vec::new() };
    let script = gpos
        .scripts
        .find(Tag::from_bytes(b"latn"))
        .or_else(|| gpos.scripts.find(Tag::from_bytes(b"DFLT")))
        .or_else(|| gpos.scripts.get(0));
    let Some(lang) = script.and_then(|s| s.default_language) else { return Vec::new() };
    let mut indices: Vec<u16> = lang
        .feature_indices
        .into_iter()
        .filter_map(|i| gpos.features.get(i))
        .filter(|f| f.tag == Tag::from_bytes(b"kern"))
        .flat_map(|f| f.lookup_indices.into_iter())
        .collect();
    indices.sort_unstable();
    indices.dedup();
    indices
        .into_iter()
        .filter_map(|i| gpos.lookups.get(i))
        .map(|lookup| {
            lookup
                .subtables
                .into_iter::<PositioningSubtable>()
                .filter_map(|t| match t {
                    PositioningSubtable::Pair(p) => Some(p),
                    _ => None,
                })
                .collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extras_are_sorted_and_beyond_latin1() {
        assert!(EXTRAS.windows(2).all(|w| w[0] < w[1]));
        assert!(EXTRAS.iter().all(|&c| c as u32 >= 256));
    }

    #[test]
    fn spanish_and_symbols_are_in_both_faces() {
        let (r, b) = faces();
        for ch in "áéíóúüñÁÉÍÓÚÜÑ¿¡€«»—–…•☐".chars() {
            assert!(r.glyph(ch).is_some() && b.glyph(ch).is_some(), "{ch}");
            assert!(r.has(ch) && b.has(ch), "{ch}");
        }
        assert!(!r.has('漢'));
        assert_eq!(r.units_per_em, 2048);
        assert_eq!((r.weight, b.weight), (400, 700));
    }

    #[test]
    fn kerning_classes_give_every_pair_of_the_dense_square() {
        let (r, b) = faces();
        for face in [r, b] {
            let pairs = face.dense_kerning();
            assert!(pairs.iter().any(|&k| k != 0));
            for a in 0..FAST {
                for c in 0..FAST {
                    assert_eq!(face.fast_kern(a, c), pairs[a * FAST + c], "{a} {c}");
                }
            }
            assert!(face.kern_classes.len() < FAST * FAST / 10, "{} entries", face.kern_classes.len());
        }
    }

    #[test]
    fn width_is_the_sum_of_advances_and_pair_kerning() {
        let (r, b) = faces();
        for face in [r, b] {
            for text in ["", "A", "AVATAR «Núñez» — 1.234,50\u{a0}€", "Ω AV漢To ✓ Yo", "Wa\u{2192}Te"]
            {
                let chars: Vec<char> = text.chars().collect();
                let em: f32 = chars.iter().fold(0.0, |em, &c| em + face.char_em(c));
                let kern: i32 = chars.windows(2).map(|p| i32::from(face.kern(p[0], p[1]))).sum();
                let slow = (em + kern as f32 / f32::from(face.units_per_em)) * 9.5;
                assert_eq!(face.width(text, 9.5).to_bits(), slow.to_bits(), "{text}");
                // Layout measures once in em and scales (table columns): the same bits.
                for size in [6.5, 7.8, 8.0, 9.5, 17.0] {
                    assert_eq!(face.width(text, size).to_bits(), (size * face.width_em(text)).to_bits());
                }
            }
        }
    }

    #[test]
    fn bold_is_wider_and_widths_add_up_with_kerning() {
        let (r, b) = faces();
        assert!(b.width("Ventas", 10.0) > r.width("Ventas", 10.0));
        let w = r.width("ab", 10.0);
        assert!((w - r.width("a", 10.0) - r.width("b", 10.0) - 10.0 * r.kern_em('a', 'b')).abs() < 1e-4);
        assert!(r.width("€", 10.0) > 0.0);
    }

    #[test]
    fn kerning_pulls_classic_pairs_together_in_both_faces() {
        let (r, b) = faces();
        for face in [r, b] {
            for pair in ["AV", "To", "Ta", "Ve", "LT", "Yo"] {
                let mut c = pair.chars();
                let (x, y) = (c.next().unwrap(), c.next().unwrap());
                assert!(face.kern(x, y) < 0, "{pair} not kerned");
                assert!(face.width(pair, 10.0) < face.width(&pair[..1], 10.0) + face.width(&pair[1..], 10.0));
            }
            assert_eq!(face.kern('o', 'o'), 0);
            // The dense tables agree with the font's cmap, advances and GPOS, beyond Latin-1 too.
            for a in (0..256u32).filter_map(char::from_u32).chain(EXTRAS).chain(['Ω', 'Ж', '漢']) {
                assert_eq!(face.glyph(a), face.cmap_glyph(a), "{a}");
                let upm = f32::from(face.units_per_em);
                assert_eq!(face.char_em(a), f32::from(face.advance(face.glyph(a).unwrap_or(0))) / upm, "{a}");
                for b in ['A', 'V', 'T', 'o', '.', ',', '—', '€', '“', 'Ω'] {
                    let pair = face.glyph(a).zip(face.glyph(b)).map_or(0, |(x, y)| face.pair_kern(x, y));
                    assert_eq!(face.kern(a, b), pair, "{a}{b}");
                    assert_eq!(
                        face.kern(b, a),
                        face.glyph(b).zip(face.glyph(a)).map_or(0, |(x, y)| face.pair_kern(x, y)),
                        "{b}{a}"
                    );
                }
            }
        }
    }

    /// The text a plan draws, kerned as HarfBuzz shapes it (rustybuzz, with ligatures off
    /// since the PDF draws one glyph per character): the widths must agree.
    #[test]
    fn widths_match_harfbuzz_shaping() {
        let (r, b) = faces();
        let texts = [
            "Plan de cuentas clave — Lucía Pérez",
            "AVENIDA TÁVORA, «Ferretería Núñez» y Cía. S.L.",
            "Total: 1.234.567,89 € (LTV 7,4 %) · Yo, Tú, Vd. — P. W. Fawley",
            "Wave, Tea, Year, \"quoted\" 'single' Ω ≈ ☐ A favor",
            "Página 12 de 37",
        ];
        let off: Vec<rustybuzz::Feature> =
            ["-liga", "-clig", "-calt", "-dlig"].iter().map(|f| f.parse().unwrap()).collect();
        for (face, data) in [(r, REGULAR_TTF), (b, BOLD_TTF)] {
            let hb = rustybuzz::Face::from_slice(data, 0).unwrap();
            for text in texts {
                let mut buf = rustybuzz::UnicodeBuffer::new();
                buf.push_str(text);
                buf.set_script(rustybuzz::script::LATIN);
                buf.set_direction(rustybuzz::Direction::LeftToRight);
                let shaped = rustybuzz::shape(&hb, &off, buf);
                assert_eq!(shaped.len(), text.chars().count(), "{text}: one glyph per character");
                let hb_units: i32 = shaped.glyph_positions().iter().map(|p| p.x_advance).sum();
                let ours = face.width(text, f32::from(face.units_per_em));
                assert!((ours - hb_units as f32).abs() < 0.5, "{text}: {ours} vs HarfBuzz {hb_units}");
            }
        }
    }

    #[test]
    fn subset_renumbers_glyphs_and_keeps_outlines_and_widths() {
        struct Path(Vec<(char, f32, f32)>);
        impl ttf_parser::OutlineBuilder for Path {
            fn move_to(&mut self, x: f32, y: f32) {
                self.0.push(('M', x, y));
            }
            fn line_to(&mut self, x: f32, y: f32) {
                self.0.push(('L', x, y));
            }
            fn quad_to(&mut self, x1: f32, y1: f32, x: f32, y: f32) {
                self.0.extend([('Q', x1, y1), ('q', x, y)]);
            }
            fn curve_to(&mut self, x1: f32, y1: f32, x2: f32, y2: f32, x: f32, y: f32) {
                self.0.extend([('C', x1, y1), ('c', x2, y2), ('c', x, y)]);
            }
            fn close(&mut self) {
                self.0.push(('Z', 0.0, 0.0));
            }
        }
        fn outline(f: &ttf_parser::Face, g: u16) -> Vec<(char, f32, f32)> {
            let mut p = Path(Vec::new());
            f.outline_glyph(GlyphId(g), &mut p);
            p.0
        }
        let (r, b) = faces();
        for face in [r, b] {
            // "Ñ" and "á" are composite glyphs in DejaVu: their parts come along.
            let text = "Página 1 de 3 — 1.234,50 € «Núñez» ☐";
            let glyphs: BTreeSet<u16> = text.chars().filter_map(|c| face.glyph(c)).collect();
            let (bytes, map) = face.subset(&glyphs).unwrap();
            assert!(bytes.len() < 40_000, "{} bytes", bytes.len());
            assert_eq!(map.get(&0), Some(&0), ".notdef stays first");
            let sub = ttf_parser::Face::parse(&bytes, 0).unwrap();
            assert!(usize::from(sub.number_of_glyphs()) >= map.len());
            for ch in text.chars() {
                let old = face.glyph(ch).unwrap();
                let new = map[&old];
                assert_eq!(sub.glyph_hor_advance(GlyphId(new)), Some(face.advance(old)), "{ch}");
                assert_eq!(outline(&sub, new), outline(&face.face, old), "{ch}: same outline");
            }
        }
    }
}
