//! A returned xlsx plan read for carry alone: only the parts carry needs, and of each sheet only
//! the rows its areas can reach, typed by calamine's rules so each cell is what calamine reads.
//!
//! calamine reads every cell of every sheet asked for, and the shared strings and styles whole;
//! a plan's owned areas are a few dozen rows of each account sheet, so here the rows before and
//! between them are passed over by their tags alone (a row is `<row …>…</row>`, whose text
//! cannot hold `<`). The grid keeps the sheet's last row with a value, so how far an area's
//! rows go is judged as on the whole sheet. [`super::read_inner`] falls back to calamine for
//! anything this reader declines (other formats, a damaged part, an area that moved).

use std::borrow::Cow;
use std::collections::HashMap;
use std::io::{Cursor, Read};

use calamine::{CellErrorType, Data, ExcelDateTime, ExcelDateTimeType, Range};
use quick_xml::events::Event;
use quick_xml::Reader;
use zip::ZipArchive;

mod scan;

use super::locate::MAX_EXTRA_ROWS;
use crate::ingest::xlsx::ref_col;
use crate::ingest::xlsx::{attr, join, push_ref, unescape_x, Fmt, RichText, StyleFormats};
use scan::{first_value_col, next_tag, plain_text, text_content, utf8, Ends, Values};

/// Where an area may be on a sheet: its recorded rows and the columns its header spans
/// (0-based, inclusive). Rows below `last_row` are read while they hold text in those columns.
#[derive(Debug, Clone, Copy)]
pub(super) struct Window {
    pub first_row: u32,
    pub last_row: u32,
    pub first_col: u32,
    pub last_col: u32,
}

/// An xlsx workbook in memory, opened for carry.
pub(super) struct Book<'a> {
    zip: ZipArchive<Cursor<&'a [u8]>>,
    /// The file's bytes: a deflated part is inflated from its slice of them.
    bytes: &'a [u8],
    /// One decompressor for every part (a new one per part was a tenth of a plan's read).
    inflater: flate2::Decompress,
    /// Lowercased part name → name as stored.
    parts: HashMap<String, String>,
    /// Tab names, in workbook order, with each one's part ("" when it has none).
    pub sheets: Vec<(String, String)>,
    /// Workbook names: (name, formula).
    pub names: Vec<(String, String)>,
    /// The shared strings part and where each string's content is in it.
    strings: Vec<u8>,
    spans: Vec<(usize, usize)>,
    styles: Vec<Fmt>,
    is_1904: bool,
}

fn damaged(part: &str, e: impl std::fmt::Display) -> String {
    format!("part {part} is damaged ({e})")
}

/// `raw` (a deflate stream) inflated by `inflater`, which must give exactly `size` bytes.
fn inflate(inflater: &mut flate2::Decompress, raw: &[u8], size: usize) -> Result<Vec<u8>, String> {
    inflater.reset(false);
    // One byte more than declared, so a part longer than it says is seen, not cut.
    let mut out = Vec::with_capacity(size + 1);
    loop {
        let read = inflater.total_in() as usize;
        let before = out.len();
        let status = inflater
            .decompress_vec(&raw[read.min(raw.len())..], &mut out, flate2::FlushDecompress::Finish)
            .map_err(|e| e.to_string())?;
        match status {
            flate2::Status::StreamEnd => return Ok(out),
            _ if out.len() > size => return Err("it holds more than the package declares".into()),
            _ if out.len() == before && inflater.total_in() as usize == read => {
                return Err("its data ends early".into());
            }
            _ => {}
        }
    }
}

fn reader(xml: &[u8]) -> Reader<&[u8]> {
    let mut r = Reader::from_reader(xml);
    let c = r.config_mut();
    c.check_end_names = false;
    c.expand_empty_elements = true;
    // A row's slice ends where its parent's end tag begins.
    c.allow_unmatched_ends = true;
    r
}

impl<'a> Book<'a> {
    /// Opens a zip holding an xlsx workbook; `Err` when it is not one or a part is damaged.
    pub fn open(bytes: &'a [u8]) -> Result<Book<'a>, String> {
        let zip = ZipArchive::new(Cursor::new(bytes)).map_err(|e| e.to_string())?;
        let parts = zip
            .file_names()
            .flatten()
            .map(|n| (n.replace('\\', "/").to_lowercase(), n.to_string()))
            .collect();
        let mut book = Book {
            zip,
            bytes,
            inflater: flate2::Decompress::new(false),
            parts,
            sheets: Vec::new(),
            names: Vec::new(),
            strings: Vec::new(),
            spans: Vec::new(),
            styles: Vec::new(),
            is_1904: false,
        };
        let doc = book
            .relationships("_rels/.rels")?
            .into_iter()
            .find(|(_, t, _)| t.ends_with("/officeDocument"))
            .map(|(_, _, target)| join("", &target))
            .unwrap_or_else(|| "xl/workbook.xml".to_string());
        let (dir, name) = match doc.rfind('/') {
            Some(i) => (doc[..=i].to_string(), doc[i + 1..].to_string()),
            None => (String::new(), doc.clone()),
        };
        // An xlsb's workbook is binary: calamine reads those.
        if !doc.to_lowercase().ends_with(".xml") {
            return Err(format!("the workbook part {doc} is not XML"));
        }
        let rels = book.relationships(&format!("{dir}_rels/{name}.rels"))?;
        let xml = book.part(&doc)?.ok_or("no workbook part")?;
        book.read_workbook(&xml, &dir, &rels).map_err(|e| damaged(&doc, e))?;
        if book.sheets.is_empty() {
            return Err("the workbook lists no sheets".into());
        }
        let rel_part = |kind: &str, default: &str| {
            rels.iter()
                .find(|(_, t, _)| t.ends_with(kind))
                .map(|(_, _, target)| join(&dir, target))
                .unwrap_or_else(|| format!("{dir}{default}"))
        };
        let (styles, shared) =
            (rel_part("/styles", "styles.xml"), rel_part("/sharedStrings", "sharedStrings.xml"));
        if let Some(xml) = book.part(&styles)? {
            book.read_styles(&xml).map_err(|e| damaged(&styles, e))?;
        }
        if let Some(xml) = book.part(&shared)? {
            book.read_strings(xml).map_err(|e| damaged(&shared, e))?;
        }
        Ok(book)
    }

    /// A part's bytes, inflated; `None` when the package lacks it. The caller has bounded what
    /// the package declares, and a part is held to its declared size and checksum.
    fn part(&mut self, name: &str) -> Result<Option<Vec<u8>>, String> {
        let Some(stored) = self.parts.get(&name.to_lowercase()) else { return Ok(None) };
        let index = self.zip.index_for_name(stored).ok_or_else(|| damaged(name, "not found"))?;
        let f = self.zip.by_index_raw(index).map_err(|e| damaged(name, e))?;
        let (size, crc) = (f.size().min(64 << 20) as usize, f.crc32());
        let raw = f.data_start().and_then(|start| {
            let start = usize::try_from(start).ok()?;
            self.bytes.get(start..start.checked_add(usize::try_from(f.compressed_size()).ok()?)?)
        });
        let out = match (f.compression(), raw) {
            (zip::CompressionMethod::Deflated, Some(raw)) => {
                drop(f);
                inflate(&mut self.inflater, raw, size).map_err(|e| damaged(name, e))?
            }
            (zip::CompressionMethod::Stored, Some(raw)) => raw.to_vec(),
            _ => {
                drop(f);
                let mut f = self.zip.by_name(stored).map_err(|e| damaged(name, e))?;
                let mut out = Vec::with_capacity(size);
                f.read_to_end(&mut out).map_err(|e| damaged(name, e))?;
                return Ok(Some(out));
            }
        };
        if out.len() != size || crc32fast::hash(&out) != crc {
            return Err(damaged(name, "its size or checksum is not the one the package declares"));
        }
        Ok(Some(out))
    }

    fn relationships(&mut self, part: &str) -> Result<Vec<(String, String, String)>, String> {
        let Some(xml) = self.part(part)? else { return Ok(Vec::new()) };
        let mut r = reader(&xml);
        let mut out = Vec::new();
        loop {
            match r.read_event().map_err(|e| damaged(part, e))? {
                Event::Start(e) if e.local_name().as_ref() == "Relationship" => {
                    let get = |n| attr(&e, n).map(Cow::into_owned).unwrap_or_default();
                    out.push((get("Id"), get("Type"), get("Target")));
                }
                Event::Eof => return Ok(out),
                _ => {}
            }
        }
    }

    fn read_workbook(
        &mut self,
        xml: &[u8],
        dir: &str,
        rels: &[(String, String, String)],
    ) -> Result<(), String> {
        let mut r = reader(xml);
        loop {
            match r.read_event().map_err(|e| e.to_string())? {
                Event::Start(e) => match e.local_name().as_ref() {
                    "sheet" => {
                        let name = attr(&e, "name").map(Cow::into_owned).unwrap_or_default();
                        let id = attr(&e, "id").map(Cow::into_owned).unwrap_or_default();
                        let path = rels
                            .iter()
                            .find(|(i, t, _)| *i == id && t.ends_with("/worksheet"))
                            .map(|(_, _, target)| join(dir, target))
                            .unwrap_or_default();
                        self.sheets.push((name, path));
                    }
                    "workbookPr" => {
                        if let Some(v) = attr(&e, "date1904") {
                            self.is_1904 = v == "1" || v == "true";
                        }
                    }
                    "definedName" => {
                        let name = attr(&e, "name").map(Cow::into_owned).unwrap_or_default();
                        let end = e.name().as_ref().to_string();
                        let mut formula = String::new();
                        loop {
                            match r.read_event().map_err(|e| e.to_string())? {
                                Event::Text(t) => formula.push_str(&t.xml10_content()),
                                Event::GeneralRef(g) => push_ref(&mut formula, &g),
                                Event::End(e) if e.name().as_ref() == end => break,
                                Event::Eof => return Err("it ends inside a name".into()),
                                _ => {}
                            }
                        }
                        self.names.push((name, formula));
                    }
                    _ => {}
                },
                Event::Eof => return Ok(()),
                _ => {}
            }
        }
    }

    fn read_styles(&mut self, xml: &[u8]) -> Result<(), String> {
        let mut r = reader(xml);
        let mut formats = StyleFormats::default();
        while formats.event(&r.read_event().map_err(|e| e.to_string())?) {}
        self.styles = formats.styles;
        Ok(())
    }

    /// Indexes the shared strings: each `<si>`'s content, decoded only when a cell read asks
    /// for it (a plan's table holds hundreds; its areas use a few dozen).
    fn read_strings(&mut self, xml: Vec<u8>) -> Result<(), String> {
        let mut ends = Ends::default();
        let mut pos = 0;
        while let Some((at, tag)) = next_tag(&xml, pos) {
            let tag = tag.ok_or("a tag is not closed")?;
            pos = at + tag.len;
            if tag.closing || tag.local() != b"si" {
                continue;
            }
            if tag.empty {
                self.spans.push((pos, pos));
                continue;
            }
            let len = ends.find(tag.name, &xml[pos..]).ok_or("a string is not closed")?;
            self.spans.push((pos, pos + len));
            pos += len + tag.name.len() + 3;
        }
        self.strings = xml;
        Ok(())
    }

    /// Shared string `i`, decoded.
    fn shared(&self, i: usize) -> Result<Option<String>, String> {
        let Some(&(a, b)) = self.spans.get(i) else { return Ok(None) };
        if let Some(plain) = plain_text(&self.strings[a..b]) {
            return Ok(Some(plain));
        }
        let mut s = String::new();
        rich_text(&mut reader(&self.strings[a..b]), &mut s)?;
        Ok(Some(s))
    }

    /// The cells of sheet `index`: every row when `windows` is `None`, else the rows the
    /// windows reach. `Ok(None)` when the sheet has no part of its own.
    pub fn range(&mut self, index: usize, windows: Option<&[Window]>) -> Result<Option<Range<Data>>, String> {
        let path = self.sheets[index].1.clone();
        if path.is_empty() {
            return Ok(None);
        }
        let Some(xml) = self.part(&path)? else { return Ok(None) };
        self.cells(&xml, windows).map(|c| Some(Range::from_sparse(c))).map_err(|e| damaged(&path, e))
    }

    fn cells(&self, xml: &[u8], windows: Option<&[Window]>) -> Result<Vec<calamine::Cell<Data>>, String> {
        let mut out = Vec::new();
        // Find <sheetData> and the name its rows are written with (`row`, `x:row`).
        let mut r = reader(xml);
        let start = loop {
            match r.read_event().map_err(|e| e.to_string())? {
                Event::Start(e) if e.local_name().as_ref() == "sheetData" => {
                    break r.buffer_position() as usize
                }
                Event::Eof => return Ok(out),
                _ => {}
            }
        };
        let body = &xml[start..];
        let mut open: Vec<Extension> =
            windows.unwrap_or_default().iter().map(|w| Extension::new(*w)).collect();
        let mut pos = 0;
        let mut next_row = 0u32;
        let mut last_value_row: Option<(u32, &[u8])> = None;
        let mut prev: Option<u32> = None;
        let mut ends = Ends::default();
        let mut values = Values::default();
        while let Some((at, tag)) = next_tag(body, pos) {
            let Some(tag) = tag else { break };
            if tag.closing {
                break; // </sheetData>
            }
            pos = at + tag.len;
            if tag.local() != b"row" {
                continue;
            }
            let row = match tag.attr(b"r") {
                Some(v) => match std::str::from_utf8(v).ok().and_then(|v| v.trim().parse::<u32>().ok()) {
                    Some(n) if n >= 1 => n - 1,
                    _ => return Err(format!("row number {:?}", String::from_utf8_lossy(v))),
                },
                None => next_row,
            };
            next_row = row.saturating_add(1);
            // Rows out of order (no program writes them so) are left to calamine.
            if prev.is_some_and(|p| row <= p) {
                return Err(format!("row {} after row {}", row + 1, prev.unwrap_or(0) + 1));
            }
            prev = Some(row);
            let inner = if tag.empty {
                &body[pos..pos]
            } else {
                let len = ends.find(tag.name, &body[pos..]).ok_or("a row is not closed")?;
                let inner = &body[pos..pos + len];
                pos += len + tag.name.len() + 3;
                inner
            };
            open.iter_mut().for_each(|x| x.passing(row));
            let wanted = windows.is_none() || open.iter().any(|x| x.wants(row));
            if wanted {
                let before = out.len();
                self.row_cells(inner, row, &mut ends, &mut out)?;
                for x in &mut open {
                    x.saw(row, &out[before..]);
                }
            } else if values.has_value(inner, tag.name) {
                last_value_row = Some((row, inner));
            }
        }
        // The sheet's last row with a value bounds how far an area's rows go: keep it in the
        // grid's extent when it was passed over.
        if let Some((row, inner)) = last_value_row {
            if out.iter().all(|c| c.get_position().0 < row) {
                if let Some(col) = first_value_col(inner) {
                    out.push(calamine::Cell::new((row, col), Data::Empty));
                }
            }
        }
        Ok(out)
    }

    /// The cells of one row's inner XML, typed as calamine types them.
    fn row_cells(
        &self,
        inner: &[u8],
        row: u32,
        ends: &mut Ends,
        out: &mut Vec<calamine::Cell<Data>>,
    ) -> Result<(), String> {
        let mut col: Option<u32> = None;
        let mut pos = 0;
        while let Some((at, tag)) = next_tag(inner, pos) {
            let tag = tag.ok_or("a tag is not closed")?;
            pos = at + tag.len;
            if tag.closing || tag.local() != b"c" {
                continue;
            }
            let [r, style, kind] = tag.attrs([b"r", b"s", b"t"]);
            let c = match r {
                Some(v) => ref_col(std::str::from_utf8(v).unwrap_or(""))
                    .ok_or_else(|| format!("cell reference {:?}", String::from_utf8_lossy(v)))?,
                None => col.map_or(0, |c| c + 1),
            };
            col = Some(c);
            if tag.empty {
                continue;
            }
            let len = ends.find(tag.name, &inner[pos..]).ok_or("a cell is not closed")?;
            let content = &inner[pos..pos + len];
            pos += len + tag.name.len() + 3;
            let v = self.cell_value(content, ends, utf8(style), utf8(kind))?;
            if v != Data::Empty {
                out.push(calamine::Cell::new((row, c), v));
            }
        }
        Ok(())
    }

    /// A cell's value from its content (calamine's `read_value`): the `<v>` typed by the cell's
    /// type and style, or an inline string's text; formulas are passed over.
    fn cell_value(
        &self,
        content: &[u8],
        ends: &mut Ends,
        style: Option<&str>,
        kind: Option<&str>,
    ) -> Result<Data, String> {
        let mut value = Data::Empty;
        let mut pos = 0;
        while let Some((at, tag)) = next_tag(content, pos) {
            let tag = tag.ok_or("a tag is not closed")?;
            pos = at + tag.len;
            if tag.closing || tag.empty {
                continue;
            }
            let len = ends.find(tag.name, &content[pos..]).ok_or("an element is not closed")?;
            let inner = &content[pos..pos + len];
            pos += len + tag.name.len() + 3;
            match tag.local() {
                b"is" => {
                    let mut s = String::new();
                    let mut r = reader(inner);
                    rich_text(&mut r, &mut s)?;
                    value = Data::String(s);
                }
                b"v" if matches!(kind, Some("inlineStr") | Some("is")) => {}
                b"v" => {
                    let raw = std::str::from_utf8(inner).map_err(|e| e.to_string())?;
                    let v = match kind {
                        // These hold no entities or line ends (calamine reads them raw).
                        Some("n") | Some("s") | Some("b") | Some("e") | None => Cow::Borrowed(raw),
                        _ => text_content(raw)?,
                    };
                    value = self.typed(&v, style, kind)?;
                }
                _ => {}
            }
        }
        Ok(value)
    }

    /// A `<v>`'s text as the cell's value (calamine's `read_v`).
    fn typed(&self, v: &str, style: Option<&str>, kind: Option<&str>) -> Result<Data, String> {
        Ok(match kind {
            Some("s") => {
                if v.is_empty() {
                    return Ok(Data::Empty);
                }
                let i = v.parse::<usize>().unwrap_or(0);
                Data::String(self.shared(i)?.ok_or("a shared string index not in the table")?)
            }
            Some("b") => match v {
                "1" | "true" | "TRUE" => Data::Bool(true),
                "0" | "false" | "FALSE" => Data::Bool(false),
                other => return Err(format!("boolean {other:?}")),
            },
            Some("d") => Data::DateTimeIso(v.to_string()),
            Some("e") => Data::Error(v.parse::<CellErrorType>().map_err(|e| e.to_string())?),
            Some("str") => Data::String(unescape_x(v).into_owned()),
            Some("n") | None => {
                if v.is_empty() {
                    return Ok(Data::Empty);
                }
                match v.parse::<f64>() {
                    Ok(n) => {
                        let fmt = match style {
                            Some(s) => self.styles.get(s.parse::<usize>().unwrap_or(0)).copied(),
                            None => None,
                        };
                        match fmt {
                            Some(Fmt::Date) => Data::DateTime(ExcelDateTime::new(
                                n,
                                ExcelDateTimeType::DateTime,
                                self.is_1904,
                            )),
                            Some(Fmt::Duration) => Data::DateTime(ExcelDateTime::new(
                                n,
                                ExcelDateTimeType::TimeDelta,
                                self.is_1904,
                            )),
                            _ => Data::Float(n),
                        }
                    }
                    Err(_) if kind.is_none() => Data::String(v.to_string()),
                    Err(e) => return Err(e.to_string()),
                }
            }
            Some(other) => return Err(format!("cell type {other:?}")),
        })
    }
}

/// An area's reach while its sheet is read: its recorded rows, then the rows right below that
/// hold text in its columns, up to the first blank (or missing) one.
struct Extension {
    w: Window,
    /// The next row below the recorded ones to read.
    next: u32,
    ended: bool,
}

impl Extension {
    fn new(w: Window) -> Extension {
        Extension { w, next: w.last_row.saturating_add(1), ended: false }
    }

    fn wants(&self, row: u32) -> bool {
        let w = &self.w;
        (w.first_row..=w.last_row).contains(&row)
            || (!self.ended && row == self.next && row <= w.last_row.saturating_add(MAX_EXTRA_ROWS))
    }

    /// A row number came by: a row after the next one means the next one is missing (blank).
    fn passing(&mut self, row: u32) {
        if row > self.next {
            self.ended = true;
        }
    }

    /// The cells of a row that was read.
    fn saw(&mut self, row: u32, cells: &[calamine::Cell<Data>]) {
        if self.ended || row != self.next {
            return;
        }
        let text = cells.iter().any(|c| {
            let col = c.get_position().1;
            (self.w.first_col..=self.w.last_col).contains(&col) && super::text_of(c.get_value()).is_some()
        });
        if text {
            self.next = row.saturating_add(1);
        } else {
            self.ended = true;
        }
    }
}

/// The text of a string element's content read on its own (a `<si>`'s, an `<is>`'s), by the
/// ingest reader's rules ([`RichText`]).
fn rich_text(r: &mut Reader<&[u8]>, out: &mut String) -> Result<(), String> {
    let (mut rich, mut run) = (RichText::default(), String::new());
    loop {
        let ev = r.read_event().map_err(|e| e.to_string())?;
        if let Event::Eof = ev {
            return Ok(());
        }
        rich.event(&ev, "", &mut run, out, |s, piece| {
            s.push_str(piece);
            Ok(())
        })?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A plan kamplan wrote, and where its first sheet's deflated bytes are in it.
    fn plan_and_sheet() -> (Vec<u8>, String, std::ops::Range<usize>) {
        let t = tempfile::tempdir().unwrap();
        let bytes = std::fs::read(super::super::tests::published(t.path())).unwrap();
        let name = "xl/worksheets/sheet1.xml".to_string();
        let span = {
            let mut zip = ZipArchive::new(Cursor::new(&bytes[..])).unwrap();
            let f = zip.by_name(&name).unwrap();
            assert_eq!(f.compression(), zip::CompressionMethod::Deflated);
            let start = f.data_start().unwrap() as usize;
            start..start + f.compressed_size() as usize
        };
        (bytes, name, span)
    }

    #[test]
    fn a_part_reads_as_zip_reads_it() {
        let (bytes, name, _) = plan_and_sheet();
        let mut expected = Vec::new();
        ZipArchive::new(Cursor::new(&bytes[..]))
            .unwrap()
            .by_name(&name)
            .unwrap()
            .read_to_end(&mut expected)
            .unwrap();
        let mut book = Book::open(&bytes).unwrap();
        assert_eq!(book.part(&name).unwrap().unwrap(), expected);
        // The decompressor is reused: a second part, then the first again, read the same.
        assert!(book.part("xl/styles.xml").unwrap().is_some());
        assert_eq!(book.part(&name).unwrap().unwrap(), expected);
    }

    #[test]
    fn a_damaged_or_cut_part_is_refused() {
        let (bytes, name, span) = plan_and_sheet();
        let mut flipped = bytes.clone();
        flipped[span.start + span.len() / 2] ^= 0x55;
        let err = Book::open(&flipped).unwrap().part(&name).unwrap_err();
        assert!(err.contains("sheet1.xml is damaged"), "{err}");
        // The deflated data cut short: zeros where its second half was.
        let mut cut = bytes.clone();
        cut[span.start + span.len() / 2..span.end].fill(0);
        let err = Book::open(&cut).unwrap().part(&name).unwrap_err();
        assert!(err.contains("sheet1.xml is damaged"), "{err}");
    }
}
