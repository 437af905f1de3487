//! Books built byte by byte, for the cases no writer makes: zips with parts of our choosing
//! (stored or as a hand-made deflate stream that inflates to gigabytes from a few megabytes),
//! minimal .ods and .xls files.

#![allow(dead_code)]

use std::io::{Read, Write};
use std::path::Path;

/// CRC-32 (IEEE) of `data`, as zip stores it.
pub fn crc32(data: &[u8]) -> u32 {
    let mut table = [0u32; 256];
    for (i, t) in table.iter_mut().enumerate() {
        let mut c = i as u32;
        for _ in 0..8 {
            c = if c & 1 != 0 { 0xEDB8_8320 ^ (c >> 1) } else { c >> 1 };
        }
        *t = c;
    }
    let mut c = !0u32;
    for &b in data {
        c = table[((c ^ b as u32) & 0xff) as usize] ^ (c >> 8);
    }
    !c
}

/// A piece of a part's inflated bytes.
pub enum Piece<'a> {
    /// These bytes.
    Lit(&'a [u8]),
    /// This byte, this many times.
    Repeat(u8, u64),
}

struct Bits {
    out: Vec<u8>,
    acc: u64,
    n: u32,
}

impl Bits {
    /// Appends `len` bits of `v`, least significant first (deflate's bit order).
    fn put(&mut self, v: u64, len: u32) {
        self.acc |= v << self.n;
        self.n += len;
        while self.n >= 8 {
            self.out.push(self.acc as u8);
            self.acc >>= 8;
            self.n -= 8;
        }
    }
    /// Appends a Huffman code, most significant bit first.
    fn code(&mut self, code: u32, len: u32) {
        let rev = code.reverse_bits() >> (32 - len);
        self.put(rev as u64, len);
    }
    fn literal(&mut self, b: u8) {
        if b < 144 {
            self.code(0x30 + b as u32, 8);
        } else {
            self.code(0x190 + (b as u32 - 144), 9);
        }
    }
}

/// A raw deflate stream (one block, fixed codes) of `pieces`; a repeat costs 13 bits per 258
/// bytes, so a gigabyte of spaces takes about 6 MB.
pub fn deflate(pieces: &[Piece]) -> (Vec<u8>, u64) {
    let mut w = Bits { out: Vec::new(), acc: 0, n: 0 };
    w.put(1, 1); // last block
    w.put(1, 2); // fixed Huffman codes
    let mut total = 0u64;
    for p in pieces {
        match p {
            Piece::Lit(bytes) => {
                for &b in *bytes {
                    w.literal(b);
                }
                total += bytes.len() as u64;
            }
            Piece::Repeat(b, n) => {
                if *n == 0 {
                    continue;
                }
                w.literal(*b);
                let mut left = n - 1;
                while left >= 258 {
                    w.code(0xC5, 8); // length 258 (code 285)
                    w.code(0, 5); // distance 1
                    left -= 258;
                }
                for _ in 0..left {
                    w.literal(*b);
                }
                total += n;
            }
        }
    }
    w.code(0, 7); // end of block
    if w.n > 0 {
        w.out.push(w.acc as u8);
    }
    (w.out, total)
}

/// A part of a zip: its name, method (0 stored, 8 deflated), the bytes as stored, the CRC and
/// the inflated size to declare.
pub struct Part {
    pub name: String,
    pub method: u16,
    pub data: Vec<u8>,
    pub crc: u32,
    pub size: u64,
}

impl Part {
    /// A stored part holding `bytes`.
    pub fn stored(name: &str, bytes: &[u8]) -> Part {
        Part {
            name: name.into(),
            method: 0,
            data: bytes.to_vec(),
            crc: crc32(bytes),
            size: bytes.len() as u64,
        }
    }

    /// A deflated part made of `pieces`, declaring its true size (its CRC is left 0: readers
    /// that reach the end call it damaged, the point is what happens before).
    pub fn bomb(name: &str, pieces: &[Piece]) -> Part {
        let (data, size) = deflate(pieces);
        Part { name: name.into(), method: 8, data, crc: 0, size }
    }
}

/// Writes a zip of `parts` (sizes below 4 GiB) at `path`.
pub fn write_zip(path: &Path, parts: &[Part]) {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for p in parts {
        let offset = out.len() as u32;
        let name = p.name.as_bytes();
        let head = |sig: u32, central: bool| {
            let mut h = sig.to_le_bytes().to_vec();
            if central {
                h.extend(20u16.to_le_bytes()); // made by
            }
            h.extend(20u16.to_le_bytes()); // needed
            h.extend(0u16.to_le_bytes()); // flags
            h.extend(p.method.to_le_bytes());
            h.extend([0, 0, 0x21, 0]); // time, date (1980-01-01)
            h.extend(p.crc.to_le_bytes());
            h.extend((p.data.len() as u32).to_le_bytes());
            h.extend((p.size as u32).to_le_bytes());
            h.extend((name.len() as u16).to_le_bytes());
            h.extend(0u16.to_le_bytes()); // extra
            if central {
                h.extend([0; 6]); // comment length, disk, internal attributes
                h.extend(0u32.to_le_bytes()); // external attributes
                h.extend(offset.to_le_bytes());
            }
            h.extend(name);
            h
        };
        out.extend(head(0x0403_4b50, false));
        out.extend(&p.data);
        central.extend(head(0x0201_4b50, true));
    }
    let cd_offset = out.len() as u32;
    out.extend(&central);
    out.extend(0x0605_4b50u32.to_le_bytes());
    out.extend([0; 4]);
    out.extend((parts.len() as u16).to_le_bytes());
    out.extend((parts.len() as u16).to_le_bytes());
    out.extend((central.len() as u32).to_le_bytes());
    out.extend(cd_offset.to_le_bytes());
    out.extend([0, 0]);
    std::fs::write(path, out).unwrap();
}

/// The parts of an existing zip, inflated, by name.
pub fn read_parts(path: &Path) -> Vec<(String, Vec<u8>)> {
    let mut z = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    (0..z.len())
        .map(|i| {
            let mut f = z.by_index(i).unwrap();
            let mut b = Vec::new();
            f.read_to_end(&mut b).unwrap();
            (f.name().map(|n| n.into_owned()).unwrap_or_default(), b)
        })
        .collect()
}

/// Rewrites the xlsx at `src` into `dst` with its parts stored, `replace` giving a new part
/// for a name (or `None` to keep it, `Some(None)` to drop it).
pub fn rebuild(src: &Path, dst: &Path, mut replace: impl FnMut(&str, &[u8]) -> Option<Option<Part>>) {
    let parts: Vec<Part> = read_parts(src)
        .into_iter()
        .filter_map(|(n, b)| match replace(&n, &b) {
            None => Some(Part::stored(&n, &b)),
            Some(p) => p,
        })
        .collect();
    write_zip(dst, &parts);
}

/// Writes an .ods at `path` whose `content.xml` is `content` (already complete XML).
pub fn write_ods(path: &Path, content: &str) {
    write_ods_part(path, Part::stored("content.xml", content.as_bytes()));
}

/// Writes an .ods at `path` whose `content.xml` is the part `content` (a bomb, say).
pub fn write_ods_part(path: &Path, content: Part) {
    write_zip(
        path,
        &[
            Part::stored("mimetype", b"application/vnd.oasis.opendocument.spreadsheet"),
            content,
            Part::stored(
                "META-INF/manifest.xml",
                br#"<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>"#,
            ),
        ],
    );
}

/// The `content.xml` of an .ods with one table `name` whose rows are given as XML.
pub fn ods_content(name: &str, rows_xml: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body><office:spreadsheet><table:table table:name="{name}">{rows_xml}</table:table></office:spreadsheet></office:body></office:document-content>"#
    )
}

/// An .ods row of text cells (`""` = empty) and numbers (cells that parse as one).
pub fn ods_row(cells: &[&str]) -> String {
    let mut r = String::from("<table:table-row>");
    for c in cells {
        if c.is_empty() {
            r.push_str("<table:table-cell/>");
        } else if let Ok(n) = c.parse::<f64>() {
            r.push_str(&format!(
                r#"<table:table-cell office:value-type="float" office:value="{n}"><text:p>{c}</text:p></table:table-cell>"#
            ));
        } else {
            r.push_str(&format!(
                r#"<table:table-cell office:value-type="string"><text:p>{c}</text:p></table:table-cell>"#
            ));
        }
    }
    r.push_str("</table:table-row>");
    r
}

/// A BIFF8 record.
pub fn biff(t: u16, data: &[u8]) -> Vec<u8> {
    let mut v = t.to_le_bytes().to_vec();
    v.extend((data.len() as u16).to_le_bytes());
    v.extend(data);
    v
}

/// A cell of [`write_xls`]: a number or a text at (row, column).
pub enum XlsCell<'a> {
    N(u16, u16, f64),
    S(u16, u16, &'a str),
}

/// Writes a minimal Excel 97 workbook with one sheet `name`: its DIMENSIONS record declares
/// `dims` (first row, last row + 1, first column, last column + 1) and it holds `cells`.
pub fn write_xls(path: &Path, name: &str, dims: (u32, u32, u16, u16), cells: &[XlsCell]) {
    write_xls_with(path, name, dims, cells, &[]);
}

/// [`write_xls`] with `globals` records (already framed with [`biff`]) after the workbook's BOF.
pub fn write_xls_with(
    path: &Path,
    name: &str,
    dims: (u32, u32, u16, u16),
    cells: &[XlsCell],
    globals_extra: &[Vec<u8>],
) {
    let bof = |dt: u16| {
        let mut d = 0x0600u16.to_le_bytes().to_vec();
        d.extend(dt.to_le_bytes());
        d.extend([0; 12]);
        biff(0x0809, &d)
    };
    let mut sheet = bof(0x0010);
    let mut d = dims.0.to_le_bytes().to_vec();
    d.extend(dims.1.to_le_bytes());
    d.extend(dims.2.to_le_bytes());
    d.extend(dims.3.to_le_bytes());
    d.extend([0, 0]);
    sheet.extend(biff(0x0200, &d));
    for c in cells {
        match c {
            XlsCell::N(r, col, v) => {
                let mut d = r.to_le_bytes().to_vec();
                d.extend(col.to_le_bytes());
                d.extend(0u16.to_le_bytes());
                d.extend(v.to_le_bytes());
                sheet.extend(biff(0x0203, &d));
            }
            XlsCell::S(r, col, s) => {
                let mut d = r.to_le_bytes().to_vec();
                d.extend(col.to_le_bytes());
                d.extend(0u16.to_le_bytes());
                let units: Vec<u16> = s.encode_utf16().collect();
                d.extend((units.len() as u16).to_le_bytes());
                d.push(1);
                for u in units {
                    d.extend(u.to_le_bytes());
                }
                sheet.extend(biff(0x0204, &d));
            }
        }
    }
    sheet.extend(biff(0x000A, &[]));
    let mut globals = bof(0x0005);
    for r in globals_extra {
        globals.extend(r);
    }
    let bs_len = {
        let units = name.encode_utf16().count();
        4 + 8 + 2 * units
    };
    let sheet_pos = globals.len() + bs_len + 4;
    let mut bs = (sheet_pos as u32).to_le_bytes().to_vec();
    bs.extend([0, 0]);
    let units: Vec<u16> = name.encode_utf16().collect();
    bs.push(units.len() as u8);
    bs.push(1);
    for u in units {
        bs.extend(u.to_le_bytes());
    }
    globals.extend(biff(0x0085, &bs));
    globals.extend(biff(0x000A, &[]));
    assert_eq!(globals.len(), sheet_pos);
    globals.extend(sheet);
    // Big enough to live in the regular stream, not the mini stream.
    globals.resize(globals.len().max(4096), 0);
    let mut cf = cfb::create(path).unwrap();
    cf.create_stream("/Workbook").unwrap().write_all(&globals).unwrap();
    // Excel always writes small streams too; calamine wants the mini stream they live in.
    cf.create_stream("/\u{5}SummaryInformation").unwrap().write_all(&[0; 64]).unwrap();
    cf.flush().unwrap();
}

/// A BIFF12 record (xlsb): its type and length as variable-length integers, then `data`.
pub fn biff12(t: u16, data: &[u8]) -> Vec<u8> {
    biff12_head(t, data.len() as u32).into_iter().chain(data.iter().copied()).collect()
}

/// A BIFF12 record's head alone, for a record of `len` bytes whose data follows elsewhere.
pub fn biff12_head(t: u16, len: u32) -> Vec<u8> {
    let mut v = if t < 0x80 { vec![t as u8] } else { vec![(t & 0x7f) as u8 | 0x80, (t >> 7) as u8] };
    let mut n = len;
    loop {
        let b = (n & 0x7f) as u8;
        n >>= 7;
        if n == 0 {
            v.push(b);
            break;
        }
        v.push(b | 0x80);
    }
    v
}

/// A cell of [`xlsb_parts`] at (row, column): a text, a number, or a shared string's index.
pub enum XlsbCell<'a> {
    S(u32, u32, &'a str),
    N(u32, u32, f64),
    Shared(u32, u32, u32),
}

/// An XLWideString: its length in UTF-16 units, then the units.
fn wide(s: &str) -> Vec<u8> {
    let units: Vec<u16> = s.encode_utf16().collect();
    let mut v = (units.len() as u32).to_le_bytes().to_vec();
    v.extend(units.iter().flat_map(|u| u.to_le_bytes()));
    v
}

/// The parts of a minimal .xlsb (Excel's binary workbook) with one sheet `name` holding `cells`
/// (in row order) and `strings` as its shared strings, all stored.
pub fn xlsb_parts(name: &str, strings: &[&str], cells: &[XlsbCell]) -> Vec<Part> {
    let mut book = [0u32.to_le_bytes(), 1u32.to_le_bytes()].concat();
    book.extend(wide("rId1"));
    book.extend(wide(name));
    // BrtBundleSh, BrtEndBundleShs, BrtCalcProp (what follows the defined names).
    let workbook = [biff12(0x009c, &book), biff12(0x0090, &[]), biff12(0x009d, &[])].concat();
    let mut sst = biff12(
        0x009f,
        &[(strings.len() as u32).to_le_bytes(), (strings.len() as u32).to_le_bytes()].concat(),
    );
    for s in strings {
        sst.extend(biff12(0x0013, &[vec![0], wide(s)].concat()));
    }
    sst.extend(biff12(0x00a0, &[]));
    let last_row = cells.iter().map(|c| match c {
        XlsbCell::S(r, ..) | XlsbCell::N(r, ..) | XlsbCell::Shared(r, ..) => *r,
    });
    let dims = [0, last_row.max().unwrap_or(0), 0, 15].map(u32::to_le_bytes).concat();
    let mut sheet = [biff12(0x0094, &dims), biff12(0x0091, &[])].concat();
    let mut row = None;
    for c in cells {
        let (r, col) = match c {
            XlsbCell::S(r, c, _) | XlsbCell::N(r, c, _) | XlsbCell::Shared(r, c, _) => (*r, *c),
        };
        if row != Some(r) {
            sheet.extend(biff12(0x0000, &[r.to_le_bytes(), [0; 4]].concat()));
            row = Some(r);
        }
        let head = [col.to_le_bytes(), 0u32.to_le_bytes()].concat();
        sheet.extend(match c {
            XlsbCell::S(.., s) => biff12(0x0006, &[head, wide(s)].concat()),
            XlsbCell::N(.., n) => biff12(0x0005, &[head, n.to_le_bytes().to_vec()].concat()),
            XlsbCell::Shared(.., i) => biff12(0x0007, &[head, i.to_le_bytes().to_vec()].concat()),
        });
    }
    sheet.extend(biff12(0x0092, &[]));
    vec![
        Part::stored(
            "[Content_Types].xml",
            br#"<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>"#,
        ),
        Part::stored(
            "xl/_rels/workbook.bin.rels",
            br#"<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.bin"/></Relationships>"#,
        ),
        Part::stored("xl/workbook.bin", &workbook),
        Part::stored("xl/sharedStrings.bin", &sst),
        Part::stored("xl/worksheets/sheet1.bin", &sheet),
    ]
}
