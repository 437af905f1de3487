//! TrueType reading for layout and embedding: advance widths, the Unicode cmap, and a
//! glyph-id-keeping subset of the outlines (so a PDF embeds kilobytes, not the whole font).
//!
//! Only what kamplan's two embedded DejaVu faces need; every read is bounds-checked so a
//! damaged font gives an error, never a panic.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::OnceLock;

/// DejaVu Sans, regular (licence in `templates/fonts/LICENSE-DejaVu.txt`).
pub const REGULAR_TTF: &[u8] = include_bytes!("../../../templates/fonts/DejaVuSans.ttf");
/// DejaVu Sans, bold.
pub const BOLD_TTF: &[u8] = include_bytes!("../../../templates/fonts/DejaVuSans-Bold.ttf");

/// A parsed TrueType face over borrowed bytes.
#[derive(Debug)]
pub struct Face {
    data: &'static [u8],
    tables: Vec<([u8; 4], usize, usize)>,
    /// Font units per em.
    pub units_per_em: u16,
    /// hhea ascender and descender, font units (descender negative).
    pub ascent: i16,
    pub descent: i16,
    /// head bounding box, font units.
    pub bbox: [i16; 4],
    /// OS/2 weight class (400 regular, 700 bold), 0 when absent.
    pub weight: u16,
    /// hhea caret slope (rise, run), for the italic angle.
    pub caret: (i16, i16),
    num_glyphs: u16,
    advances: Vec<u16>,
    cmap: HashMap<u32, u16>,
    /// Advance in em for U+0000..U+00FF, the hot path of measuring Spanish text.
    latin: [f32; 256],
    long_loca: bool,
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

fn u16_at(d: &[u8], o: usize) -> Result<u16, String> {
    d.get(o..o + 2).map(|b| u16::from_be_bytes([b[0], b[1]])).ok_or_else(|| format!("font truncated at {o}"))
}
fn i16_at(d: &[u8], o: usize) -> Result<i16, String> {
    u16_at(d, o).map(|v| v as i16)
}
fn u32_at(d: &[u8], o: usize) -> Result<u32, String> {
    d.get(o..o + 4)
        .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
        .ok_or_else(|| format!("font truncated at {o}"))
}

impl Face {
    /// Parses the tables layout and printing need.
    pub fn parse(data: &'static [u8]) -> Result<Face, String> {
        let n = u16_at(data, 4)? as usize;
        let mut tables = Vec::with_capacity(n);
        for i in 0..n {
            let r = 12 + 16 * i;
            let tag: [u8; 4] = data.get(r..r + 4).ok_or("font truncated")?.try_into().map_err(|_| "tag")?;
            let off = u32_at(data, r + 8)? as usize;
            let len = u32_at(data, r + 12)? as usize;
            if off.checked_add(len).is_none_or(|e| e > data.len()) {
                return Err(format!("font table {} out of bounds", String::from_utf8_lossy(&tag)));
            }
            tables.push((tag, off, len));
        }
        let mut face = Face {
            data,
            tables,
            units_per_em: 0,
            ascent: 0,
            descent: 0,
            bbox: [0; 4],
            weight: 0,
            caret: (1, 0),
            num_glyphs: 0,
            advances: Vec::new(),
            cmap: HashMap::new(),
            latin: [0.0; 256],
            long_loca: false,
        };
        let head = face.table(b"head")?;
        face.units_per_em = u16_at(head, 18)?.max(1);
        face.bbox = [i16_at(head, 36)?, i16_at(head, 38)?, i16_at(head, 40)?, i16_at(head, 42)?];
        face.long_loca = i16_at(head, 50)? == 1;
        let hhea = face.table(b"hhea")?;
        face.ascent = i16_at(hhea, 4)?;
        face.descent = i16_at(hhea, 6)?;
        face.caret = (i16_at(hhea, 18)?, i16_at(hhea, 20)?);
        let n_hmetrics = u16_at(hhea, 34)? as usize;
        face.num_glyphs = u16_at(face.table(b"maxp")?, 4)?;
        if let Ok(os2) = face.table(b"OS/2") {
            face.weight = u16_at(os2, 4).unwrap_or(0);
        }
        let hmtx = face.table(b"hmtx")?;
        let mut last = 0;
        for g in 0..face.num_glyphs as usize {
            if g < n_hmetrics {
                last = u16_at(hmtx, 4 * g)?;
            }
            face.advances.push(last);
        }
        // A subset program has no cmap; the embedded faces do.
        if let Ok(cmap) = face.table(b"cmap") {
            face.cmap = read_cmap(cmap)?;
        }
        let upm = f32::from(face.units_per_em);
        for c in 0..256u32 {
            let g = face.cmap.get(&c).copied().unwrap_or(0);
            face.latin[c as usize] = f32::from(face.advance(g)) / upm;
        }
        Ok(face)
    }

    fn table(&self, tag: &[u8; 4]) -> Result<&'static [u8], String> {
        self.tables
            .iter()
            .find(|t| &t.0 == tag)
            .map(|&(_, o, l)| &self.data[o..o + l])
            .ok_or_else(|| format!("font has no {} table", String::from_utf8_lossy(tag)))
    }

    /// The glyph for a character, if the face has one.
    pub fn glyph(&self, ch: char) -> Option<u16> {
        self.cmap.get(&(ch as u32)).copied()
    }

    /// Whether the face can draw the character.
    pub fn has(&self, ch: char) -> bool {
        (ch as u32) < 256 && self.latin[ch as usize] > 0.0 || self.cmap.contains_key(&(ch as u32))
    }

    /// Advance width of a glyph in font units.
    pub fn advance(&self, gid: u16) -> u16 {
        self.advances.get(gid as usize).copied().unwrap_or(0)
    }

    /// Advance of a character in em (missing characters measure as the .notdef glyph).
    pub fn char_em(&self, ch: char) -> f32 {
        let c = ch as u32;
        if c < 256 {
            self.latin[c as usize]
        } else {
            f32::from(self.advance(self.glyph(ch).unwrap_or(0))) / f32::from(self.units_per_em)
        }
    }

    /// Width of `text` at `size` points, without kerning (the PDF is drawn without it too).
    pub fn width(&self, text: &str, size: f32) -> f32 {
        text.chars().map(|c| self.char_em(c)).sum::<f32>() * size
    }

    fn glyph_range(&self, loca: &[u8], gid: u16) -> Result<(usize, usize), String> {
        let g = gid as usize;
        if self.long_loca {
            Ok((u32_at(loca, 4 * g)? as usize, u32_at(loca, 4 * g + 4)? as usize))
        } else {
            Ok((u16_at(loca, 2 * g)? as usize * 2, u16_at(loca, 2 * g + 2)? as usize * 2))
        }
    }

    /// Component glyph ids of a composite glyph, with the byte offset of each id.
    fn components(data: &[u8]) -> Result<Vec<(usize, u16)>, String> {
        let mut out = Vec::new();
        if data.len() < 10 || i16_at(data, 0)? >= 0 {
            return Ok(out);
        }
        let mut o = 10;
        loop {
            let flags = u16_at(data, o)?;
            out.push((o + 2, u16_at(data, o + 2)?));
            o += 4 + if flags & 1 != 0 { 4 } else { 2 };
            o += if flags & 0x8 != 0 {
                2
            } else if flags & 0x40 != 0 {
                4
            } else if flags & 0x80 != 0 {
                8
            } else {
                0
            };
            if flags & 0x20 == 0 {
                return Ok(out);
            }
        }
    }

    /// A font program holding only `glyphs` (plus .notdef and the parts of composite glyphs),
    /// renumbered densely in the order of their old ids; returns the bytes and the
    /// old → new id map. Keeps the tables a PDF TrueType program needs (outlines, metrics,
    /// hinting); drops layout tables, names and cmap — a CIDFontType2 with an Identity
    /// CIDToGIDMap addresses glyphs by id, and `pdf.rs` encodes text with the new ids.
    pub fn subset(&self, glyphs: &BTreeSet<u16>) -> Result<(Vec<u8>, BTreeMap<u16, u16>), String> {
        let loca = self.table(b"loca")?;
        let glyf = self.table(b"glyf")?;
        let outline = |g: u16| -> Result<&[u8], String> {
            let (s, e) = self.glyph_range(loca, g)?;
            glyf.get(s..e).ok_or_else(|| format!("glyph {g} out of bounds"))
        };
        let mut keep: BTreeSet<u16> = glyphs.iter().copied().filter(|&g| g < self.num_glyphs).collect();
        keep.insert(0);
        let mut todo: Vec<u16> = keep.iter().copied().collect();
        while let Some(g) = todo.pop() {
            for (_, part) in Self::components(outline(g)?)? {
                if part < self.num_glyphs && keep.insert(part) {
                    todo.push(part);
                }
            }
        }
        let map: BTreeMap<u16, u16> = keep.iter().enumerate().map(|(new, &old)| (old, new as u16)).collect();
        let n = keep.len() as u16;

        let hhea_src = self.table(b"hhea")?;
        let n_hmetrics = u16_at(hhea_src, 34)? as usize;
        let hmtx_src = self.table(b"hmtx")?;
        let mut new_glyf = Vec::new();
        let mut new_loca = Vec::with_capacity(4 * (keep.len() + 1));
        let mut new_hmtx = Vec::with_capacity(4 * keep.len());
        for &old in &keep {
            new_loca.extend_from_slice(&(new_glyf.len() as u32).to_be_bytes());
            let start = new_glyf.len();
            new_glyf.extend_from_slice(outline(old)?);
            for (at, part) in Self::components(outline(old)?)? {
                let new = map.get(&part).copied().unwrap_or(0);
                new_glyf[start + at..start + at + 2].copy_from_slice(&new.to_be_bytes());
            }
            while new_glyf.len() % 4 != 0 {
                new_glyf.push(0);
            }
            let g = old as usize;
            let lsb_at = if g < n_hmetrics { 4 * g + 2 } else { 4 * n_hmetrics + 2 * (g - n_hmetrics) };
            new_hmtx.extend_from_slice(&self.advance(old).to_be_bytes());
            new_hmtx.extend_from_slice(&i16_at(hmtx_src, lsb_at)?.to_be_bytes());
        }
        new_loca.extend_from_slice(&(new_glyf.len() as u32).to_be_bytes());

        let patch = |tag: &[u8; 4], at: usize, value: [u8; 2]| -> Result<Vec<u8>, String> {
            let mut t = self.table(tag)?.to_vec();
            t.get_mut(at..at + 2).ok_or("font table truncated")?.copy_from_slice(&value);
            Ok(t)
        };
        let mut head = patch(b"head", 50, 1i16.to_be_bytes())?;
        head.get_mut(8..12).ok_or("head truncated")?.copy_from_slice(&[0; 4]);
        // post version 3: no glyph names.
        let mut post = self.table(b"post")?.get(..32).ok_or("post truncated")?.to_vec();
        post[..4].copy_from_slice(&0x0003_0000u32.to_be_bytes());
        let mut out_tables: Vec<([u8; 4], Vec<u8>)> = vec![
            (*b"glyf", new_glyf),
            (*b"head", head),
            (*b"hhea", patch(b"hhea", 34, n.to_be_bytes())?),
            (*b"hmtx", new_hmtx),
            (*b"loca", new_loca),
            (*b"maxp", patch(b"maxp", 4, n.to_be_bytes())?),
            (*b"post", post),
        ];
        for tag in [b"OS/2", b"cvt ", b"fpgm", b"prep"] {
            if let Ok(t) = self.table(tag) {
                out_tables.push((*tag, t.to_vec()));
            }
        }
        out_tables.sort_by_key(|t| t.0);
        Ok((write_sfnt(&out_tables), map))
    }
}

fn checksum(data: &[u8]) -> u32 {
    data.chunks(4).fold(0u32, |acc, c| {
        let mut b = [0u8; 4];
        b[..c.len()].copy_from_slice(c);
        acc.wrapping_add(u32::from_be_bytes(b))
    })
}

fn write_sfnt(tables: &[([u8; 4], Vec<u8>)]) -> Vec<u8> {
    let n = tables.len() as u16;
    let pow = 1u16 << (15 - n.leading_zeros());
    let mut out = Vec::new();
    out.extend_from_slice(&0x0001_0000u32.to_be_bytes());
    out.extend_from_slice(&n.to_be_bytes());
    out.extend_from_slice(&(pow * 16).to_be_bytes());
    out.extend_from_slice(&(pow.trailing_zeros() as u16).to_be_bytes());
    out.extend_from_slice(&(n * 16 - pow * 16).to_be_bytes());
    let mut offset = 12 + 16 * tables.len();
    for (tag, data) in tables {
        out.extend_from_slice(tag);
        out.extend_from_slice(&checksum(data).to_be_bytes());
        out.extend_from_slice(&(offset as u32).to_be_bytes());
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        offset += data.len().div_ceil(4) * 4;
    }
    for (_, data) in tables {
        out.extend_from_slice(data);
        while out.len() % 4 != 0 {
            out.push(0);
        }
    }
    // head.checkSumAdjustment, as the spec asks.
    if let Some(i) = tables.iter().position(|t| &t.0 == b"head") {
        let head_off =
            u32::from_be_bytes(out[12 + 16 * i + 8..12 + 16 * i + 12].try_into().unwrap_or([0; 4])) as usize;
        let adj = 0xB1B0_AFBAu32.wrapping_sub(checksum(&out));
        if let Some(s) = out.get_mut(head_off + 8..head_off + 12) {
            s.copy_from_slice(&adj.to_be_bytes());
        }
    }
    out
}

/// The Unicode mappings of the best cmap subtable (format 12 for full Unicode, else format 4).
fn read_cmap(cmap: &[u8]) -> Result<HashMap<u32, u16>, String> {
    let n = u16_at(cmap, 2)? as usize;
    let mut best: Option<(u8, usize)> = None;
    for i in 0..n {
        let r = 4 + 8 * i;
        let (pid, eid) = (u16_at(cmap, r)?, u16_at(cmap, r + 2)?);
        let off = u32_at(cmap, r + 4)? as usize;
        let format = u16_at(cmap, off)?;
        let rank = match (pid, eid, format) {
            (3, 10, 12) | (0, _, 12) => 3,
            (3, 1, 4) => 2,
            (0, _, 4) => 1,
            _ => 0,
        };
        if rank > 0 && best.is_none_or(|b| rank > b.0) {
            best = Some((rank, off));
        }
    }
    let (_, off) = best.ok_or("font has no Unicode cmap")?;
    let t = &cmap[off..];
    let mut map = HashMap::new();
    if u16_at(t, 0)? == 12 {
        let groups = u32_at(t, 12)? as usize;
        for g in 0..groups {
            let (s, e, gid) = (u32_at(t, 16 + 12 * g)?, u32_at(t, 20 + 12 * g)?, u32_at(t, 24 + 12 * g)?);
            for (k, c) in (s..=e.min(s.saturating_add(0xFFFF))).enumerate() {
                map.insert(c, (gid + k as u32) as u16);
            }
        }
    } else {
        let segs = u16_at(t, 6)? as usize / 2;
        let (ends, starts, deltas, ranges) = (14, 16 + 2 * segs, 16 + 4 * segs, 16 + 6 * segs);
        for s in 0..segs {
            let end = u16_at(t, ends + 2 * s)?;
            let start = u16_at(t, starts + 2 * s)?;
            let delta = u16_at(t, deltas + 2 * s)?;
            let ro = u16_at(t, ranges + 2 * s)? as usize;
            if start == 0xFFFF {
                continue;
            }
            for c in start..=end {
                let gid = if ro == 0 {
                    c.wrapping_add(delta)
                } else {
                    let at = ranges + 2 * s + ro + 2 * (c - start) as usize;
                    match u16_at(t, at)? {
                        0 => 0,
                        g => g.wrapping_add(delta),
                    }
                };
                if gid != 0 {
                    map.insert(u32::from(c), gid);
                }
            }
        }
    }
    Ok(map)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spanish_and_symbols_are_in_both_faces() {
        let (r, b) = faces();
        for ch in "áéíóúüñÁÉÍÓÚÜÑ¿¡€«»—–…•☐".chars() {
            assert!(r.glyph(ch).is_some() && b.glyph(ch).is_some(), "{ch}");
        }
        assert_eq!(r.units_per_em, 2048);
    }

    #[test]
    fn bold_is_wider_and_widths_add_up() {
        let (r, b) = faces();
        assert!(b.width("Ventas", 10.0) > r.width("Ventas", 10.0));
        let w = r.width("ab", 10.0);
        assert!((w - r.width("a", 10.0) - r.width("b", 10.0)).abs() < 1e-4);
        assert!(r.width("€", 10.0) > 0.0);
    }

    #[test]
    fn subset_renumbers_glyphs_and_keeps_outlines_and_widths() {
        let (r, b) = faces();
        for face in [r, b] {
            let text = "Página 1 de 3 — 1.234,50 € «Núñez» ☐";
            let glyphs: BTreeSet<u16> = text.chars().filter_map(|c| face.glyph(c)).collect();
            let (bytes, map) = face.subset(&glyphs).unwrap();
            assert!(bytes.len() < 40_000, "{} bytes", bytes.len());
            assert_eq!(map.get(&0), Some(&0), ".notdef stays first");
            let sub = Face::parse(Box::leak(bytes.into_boxed_slice())).unwrap();
            assert_eq!(sub.num_glyphs as usize, map.len());
            let (sl, sg) = (sub.table(b"loca").unwrap(), sub.table(b"glyf").unwrap());
            let (ol, og) = (face.table(b"loca").unwrap(), face.table(b"glyf").unwrap());
            for ch in text.chars() {
                let old = face.glyph(ch).unwrap();
                let new = map[&old];
                assert_eq!(sub.advance(new), face.advance(old), "{ch}");
                let (s0, e0) = face.glyph_range(ol, old).unwrap();
                let (s1, _) = sub.glyph_range(sl, new).unwrap();
                if Face::components(&og[s0..e0]).unwrap().is_empty() {
                    assert_eq!(&sg[s1..s1 + (e0 - s0)], &og[s0..e0], "{ch}: same outline");
                }
            }
        }
    }
}
