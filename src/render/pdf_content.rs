//! PDF page content streams: a laid-out page's shapes and kerned text runs as PDF operators.
//!
//! printpdf builds the document around them (pages, the embedded fonts with their widths and
//! ToUnicode maps, the outline, metadata) — see `pdf.rs`. The page content is written here,
//! directly as bytes: going through printpdf's operations it was more than half of a PDF's
//! render time (an object per number and per glyph string, each formatted on its own).
//!
//! Coordinates come in layout points (y downwards) and go out in PDF points (y upwards),
//! rounded to hundredths; colours to thousandths. Text is shown with the subsets' glyph ids
//! (Identity-H, two bytes a glyph) in literal strings.

use std::collections::HashMap;

use super::layout::ttf::{self, Face};
use super::layout::{Item, Page, Rgb, PAGE_H};

/// What a text run's characters become in the content stream: the glyph ids of the embedded
/// subsets, per face (regular, bold) — in a table by dense index for Latin-1 and the common
/// symbols (no hashing per glyph), in a map for the rest.
#[derive(Debug, Clone)]
pub struct GlyphIds {
    dense: [[u16; ttf::FAST]; 2],
    other: [HashMap<char, u16>; 2],
}

impl GlyphIds {
    /// The character → subset glyph id maps of the regular and the bold face.
    pub fn new(maps: [&[(char, u16)]; 2]) -> GlyphIds {
        let mut ids = GlyphIds { dense: [[0; ttf::FAST]; 2], other: Default::default() };
        for (face, map) in maps.iter().enumerate() {
            for &(ch, gid) in *map {
                match ttf::fast_index(ch) {
                    Some(i) => ids.dense[face][i] = gid,
                    None => {
                        ids.other[face].insert(ch, gid);
                    }
                }
            }
        }
        ids
    }

    /// The glyph id of a character, given its dense index if it has one (0, .notdef, for one
    /// the subset lacks).
    fn get(&self, bold: bool, ch: char, index: Option<usize>) -> u16 {
        let face = usize::from(bold);
        match index {
            Some(i) => self.dense[face][i],
            None => self.other[face].get(&ch).copied().unwrap_or(0),
        }
    }
}

/// The PDF resource names of the two faces (the page resources printpdf writes).
pub const FONT_NAMES: [&str; 2] = ["F1", "F2"];

/// The content stream of one page: its shapes in order, then all its text in one text object
/// on top (layout never puts a shape over text), each run moved to from the last with a
/// relative `Td`, font and colour set only when they change, kerned pairs as `TJ` numbers.
pub fn page(page: &Page, glyphs: &GlyphIds, faces: (&Face, &Face)) -> Vec<u8> {
    let mut w =
        Writer { out: Vec::with_capacity(page.items.len() * 64), fill: None, stroke: None, dash: false };
    for item in &page.items {
        match item {
            Item::Rect { x, y, w: width, h, fill, stroke } => {
                let rect = |w: &mut Writer| {
                    w.num(hundredths(*x));
                    w.num(hundredths(PAGE_H - y - h));
                    w.num(hundredths(*width));
                    w.num(hundredths(*h));
                    w.op(b"re");
                };
                if let Some(c) = fill {
                    w.set_fill(*c);
                    rect(&mut w);
                    w.op(b"f");
                }
                if let Some((c, lw)) = stroke {
                    w.set_stroke(*c, *lw, false);
                    rect(&mut w);
                    w.op(b"S");
                }
            }
            Item::Line { points, color, width, dash } => {
                w.set_stroke(*color, *width, *dash);
                for (i, &(x, y)) in points.iter().enumerate() {
                    w.num(hundredths(x));
                    w.num(hundredths(PAGE_H - y));
                    w.op(if i == 0 { b"m" } else { b"l" });
                }
                w.op(b"S");
            }
            _ => {}
        }
    }
    let mut in_text = false;
    let mut font: Option<(bool, f32)> = None;
    // Where the current line starts, in hundredths, while no rotation is in effect.
    let mut line: Option<(i64, i64)> = Some((0, 0));
    for item in &page.items {
        let Item::Text { x, y, size, bold, color, text, angle } = item else { continue };
        if !in_text {
            w.op(b"BT");
            in_text = true;
        }
        if font != Some((*bold, *size)) {
            w.out.push(b'/');
            w.out.extend_from_slice(FONT_NAMES[usize::from(*bold)].as_bytes());
            w.out.push(b' ');
            w.num(hundredths(*size));
            w.op(b"Tf");
            font = Some((*bold, *size));
        }
        w.set_fill(*color);
        let (px, py) = (hundredths(*x), hundredths(PAGE_H - y));
        if *angle != 0.0 {
            let (sin, cos) = angle.to_radians().sin_cos();
            for v in [cos, sin, -sin, cos] {
                w.scaled((f64::from(v) * 10_000.0).round() as i64, 4);
            }
            w.num(px);
            w.num(py);
            w.op(b"Tm");
            line = None;
        } else if let Some((lx, ly)) = line {
            w.num(px - lx);
            w.num(py - ly);
            w.op(b"Td");
            line = Some((px, py));
        } else {
            for v in [1, 0, 0, 1] {
                w.scaled(v, 0);
            }
            w.num(px);
            w.num(py);
            w.op(b"Tm");
            line = Some((px, py));
        }
        w.show(text, *bold, glyphs, if *bold { faces.1 } else { faces.0 });
    }
    if in_text {
        w.op(b"ET");
    }
    w.out
}

/// Room for a number [`Writer::scaled`] writes: 20 digits of a `u64` when no point is needed,
/// fewer otherwise, a sign, a point and a space fit in it.
const NUMBER_ROOM: usize = 32;

/// A layout coordinate in hundredths of a point.
fn hundredths(v: f32) -> i64 {
    (f64::from(v) * 100.0).round() as i64
}

struct Writer {
    out: Vec<u8>,
    fill: Option<Rgb>,
    stroke: Option<(Rgb, f32)>,
    dash: bool,
}

impl Writer {
    /// A number given in hundredths, and a space.
    fn num(&mut self, hundredths: i64) {
        self.scaled(hundredths, 2);
    }

    /// `value / 10^decimals` written shortest (no trailing zeros, no point for integers), and a
    /// space. A page has thousands of numbers: each is written into a small buffer from the
    /// left, its length known first, and the whole buffer is appended and cut to the number
    /// (a copy of a fixed size, where one of the number's size called `memcpy` every time;
    /// pushing digit by digit was most of the content stream's time).
    fn scaled(&mut self, value: i64, decimals: u32) {
        let scale = 10u64.pow(decimals);
        let v = value.unsigned_abs();
        let (int, mut frac) = (v / scale, v % scale);
        let mut frac_digits = 0;
        if frac != 0 {
            frac_digits = decimals as usize;
            while frac % 10 == 0 {
                frac /= 10;
                frac_digits -= 1;
            }
        }
        let int_digits = int.checked_ilog10().map_or(1, |d| d as usize + 1);
        let sign = usize::from(value < 0);
        let point = usize::from(frac_digits > 0);
        // At most 20 digits, a sign, a point and the space.
        let len = sign + int_digits + point + frac_digits + 1;
        let mut buf = [0u8; NUMBER_ROOM];
        let mut at = len - 1;
        buf[at] = b' ';
        // All `frac_digits` places, leading zeros of the fraction included (0.05 → "05").
        for _ in 0..frac_digits {
            at -= 1;
            buf[at] = b'0' + (frac % 10) as u8;
            frac /= 10;
        }
        if point == 1 {
            at -= 1;
            buf[at] = b'.';
        }
        let mut int = int;
        for _ in 0..int_digits {
            at -= 1;
            buf[at] = b'0' + (int % 10) as u8;
            int /= 10;
        }
        if sign == 1 {
            buf[0] = b'-';
        }
        let start = self.out.len();
        self.out.extend_from_slice(&buf);
        self.out.truncate(start + len);
    }

    fn op(&mut self, op: &[u8]) {
        self.out.extend_from_slice(op);
        self.out.push(b'\n');
    }

    fn color(&mut self, c: Rgb) {
        for v in [c.0, c.1, c.2] {
            self.scaled((f64::from(v) / 255.0 * 1000.0).round() as i64, 3);
        }
    }

    fn set_fill(&mut self, c: Rgb) {
        if self.fill != Some(c) {
            self.color(c);
            self.op(b"rg");
            self.fill = Some(c);
        }
    }

    fn set_stroke(&mut self, c: Rgb, width: f32, dash: bool) {
        if self.stroke != Some((c, width)) {
            self.color(c);
            self.op(b"RG");
            self.num(hundredths(width));
            self.op(b"w");
            self.stroke = Some((c, width));
        }
        if self.dash != dash {
            self.op(if dash { b"[1.5 1.5] 0 d" } else { b"[] 0 d" });
            self.dash = dash;
        }
    }

    /// Shows a run: `(…) Tj`, or `[(…) n (…)] TJ` when pairs in it are kerned (n in thousandths
    /// of an em, positive moves left).
    fn show(&mut self, text: &str, bold: bool, glyphs: &GlyphIds, face: &Face) {
        let start = self.out.len();
        let mut kerned = false;
        self.out.push(b'(');
        for (ch, index, k) in face.kerned(text) {
            if k != 0 {
                kerned = true;
                self.out.extend_from_slice(b") ");
                let thousandths = -f64::from(k) * 1000.0 / f64::from(face.units_per_em);
                self.scaled((thousandths * 10.0).round() as i64, 1);
                self.out.push(b'(');
            }
            for b in glyphs.get(bold, ch, index).to_be_bytes() {
                match b {
                    b'(' | b')' | b'\\' => self.out.extend_from_slice(&[b'\\', b]),
                    // A bare CR in a literal string reads as a line end: escape it.
                    b'\r' => self.out.extend_from_slice(b"\\r"),
                    _ => self.out.push(b),
                }
            }
        }
        self.out.push(b')');
        if kerned {
            self.out.insert(start, b'[');
            self.out.extend_from_slice(b"] TJ\n");
        } else {
            self.out.extend_from_slice(b" Tj\n");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::layout::ttf;
    use lopdf::content::Content;
    use lopdf::Object;

    fn text(x: f32, y: f32, bold: bool, s: &str, angle: f32) -> Item {
        Item::Text { x, y, size: 9.5, bold, color: Rgb(33, 37, 41), text: s.into(), angle }
    }

    /// Glyph ids that need escaping in a literal string: '(' = 0x28, ')' = 0x29, '\' = 0x5C,
    /// CR = 0x0D, and a zero byte.
    fn glyphs() -> GlyphIds {
        let map: Vec<(char, u16)> = vec![
            ('A', 0x0028),
            ('V', 0x2900),
            ('T', 0x005C),
            ('e', 0x0D0D),
            ('o', 0x0041),
            (' ', 3),
            ('€', 0x0104),
        ];
        GlyphIds::new([&map, &map])
    }

    fn decode(bytes: &[u8]) -> Vec<(String, Vec<Object>)> {
        Content::decode(bytes).unwrap().operations.into_iter().map(|o| (o.operator, o.operands)).collect()
    }

    fn n(o: &Object) -> f32 {
        o.as_float().unwrap_or_else(|_| o.as_i64().unwrap() as f32)
    }

    #[test]
    fn numbers_are_short_and_exact() {
        let mut w = Writer { out: Vec::new(), fill: None, stroke: None, dash: false };
        for (v, d) in
            [(0, 2), (1250, 2), (-5, 2), (84189, 2), (100, 2), (-120000, 2), (227, 3), (7071, 4), (10, 1)]
        {
            w.scaled(v, d);
        }
        assert_eq!(String::from_utf8(w.out).unwrap(), "0 12.5 -0.05 841.89 1 -1200 0.227 0.7071 1 ");
        // Against the plain formatting, over small and extreme values.
        let plain = |v: i64, d: u32| {
            let scale = 10u64.pow(d);
            let (int, frac) = (v.unsigned_abs() / scale, v.unsigned_abs() % scale);
            let sign = if v < 0 { "-" } else { "" };
            let frac = format!("{frac:0w$}", w = d as usize);
            let frac = frac.trim_end_matches('0');
            if frac.is_empty() {
                format!("{sign}{int} ")
            } else {
                format!("{sign}{int}.{frac} ")
            }
        };
        let values = (-2100..2100).chain([i64::MIN, i64::MAX, 1_000_000_007, -99_999]);
        for v in values {
            for d in 0..5 {
                let mut w = Writer { out: Vec::new(), fill: None, stroke: None, dash: false };
                w.scaled(v, d);
                assert_eq!(String::from_utf8(w.out).unwrap(), plain(v, d), "{v} {d}");
            }
        }
    }

    #[test]
    fn shapes_come_first_then_one_text_object_with_relative_moves() {
        let (r, b) = ttf::faces();
        let page = Page {
            items: vec![
                Item::Rect {
                    x: 48.0,
                    y: 100.0,
                    w: 200.0,
                    h: 15.0,
                    fill: Some(Rgb(245, 247, 250)),
                    stroke: None,
                },
                text(52.0, 111.0, false, "Tono", 0.0),
                Item::Line {
                    points: vec![(48.0, 115.0), (248.0, 115.0)],
                    color: Rgb(222, 226, 232),
                    width: 0.6,
                    dash: true,
                },
                text(152.0, 111.0, true, "AVATAR", 0.0),
                text(60.0, 300.0, false, "oo", 45.0),
                text(60.0, 320.0, false, "To", 0.0),
            ],
            ..Default::default()
        };
        let ops = decode(&super::page(&page, &glyphs(), (r, b)));
        let names: Vec<&str> = ops.iter().map(|o| o.0.as_str()).collect();
        assert_eq!(
            names,
            [
                "rg", "re", "f", "RG", "w", "d", "m", "l", "S", "BT", "Tf", "rg", "Td", "TJ", "Tf", "Td",
                "TJ", "Tf", "Tm", "Tj", "Tm", "TJ", "ET"
            ]
        );
        let y = |top: f32| PAGE_H - top;
        assert_eq!(ops[1].1.iter().map(n).collect::<Vec<_>>(), [48.0, y(115.0), 200.0, 15.0]);
        // The first move is from the origin, the next from the previous line start.
        assert!((n(&ops[12].1[0]) - 52.0).abs() < 1e-3 && (n(&ops[12].1[1]) - y(111.0)).abs() < 1e-3);
        assert_eq!(ops[15].1.iter().map(n).collect::<Vec<_>>(), [100.0, 0.0]);
        // Rotated: a full matrix; after it, an absolute one again.
        let m: Vec<f32> = ops[18].1.iter().map(n).collect();
        let half = std::f32::consts::FRAC_1_SQRT_2;
        assert!((m[0] - half).abs() < 1e-4 && (m[1] - half).abs() < 1e-4 && (m[2] + half).abs() < 1e-4);
        assert_eq!(ops[20].1.iter().map(n).collect::<Vec<_>>(), [1.0, 0.0, 0.0, 1.0, 60.0, y(320.0)]);
    }

    #[test]
    fn runs_show_glyph_ids_escaped_and_kerned() {
        let (r, b) = ttf::faces();
        let page = Page { items: vec![text(10.0, 10.0, false, "AVATeo €", 0.0)], ..Default::default() };
        let ops = decode(&super::page(&page, &glyphs(), (r, b)));
        let tj = ops.iter().find(|o| o.0 == "TJ").expect("a kerned run");
        let parts = tj.1[0].as_array().unwrap();
        let mut bytes = Vec::new();
        let mut numbers = Vec::new();
        for p in parts {
            match p {
                Object::String(s, _) => bytes.extend_from_slice(s),
                other => numbers.push(n(other)),
            }
        }
        // Every glyph id comes back whole, whatever its bytes.
        let expect: Vec<u8> = [0x0028u16, 0x2900, 0x0028, 0x005C, 0x0D0D, 0x0041, 3, 0x0104]
            .iter()
            .flat_map(|g| g.to_be_bytes())
            .collect();
        assert_eq!(bytes, expect);
        // The numbers are the kerning, in thousandths of an em, sign flipped.
        let kerned: Vec<f32> = "AVATeo €"
            .chars()
            .zip("AVATeo €".chars().skip(1))
            .map(|(a, c)| r.kern(a, c))
            .filter(|&k| k != 0)
            .map(|k| -f32::from(k) * 1000.0 / f32::from(r.units_per_em))
            .collect();
        assert_eq!(numbers.len(), kerned.len());
        for (a, b) in numbers.iter().zip(&kerned) {
            assert!((a - b).abs() < 0.06, "{numbers:?} vs {kerned:?}");
        }
    }
}
