//! LibreOffice/OpenDocument spreadsheets (.ods), read by us and streamed: `content.xml` table by
//! table, row by row, through [`super::package`]'s limits.
//!
//! calamine builds each table in memory (a repeated row or column is expanded into cells) and
//! loops forever on a `content.xml` whose `</table:table>` is damaged or missing. Here every
//! loop ends at the end of the part (a damaged file is one error line), a repeated empty row
//! or cell costs nothing, a repeated row with values is handed on once per repetition up to
//! Excel's last row (1,048,576), and whatever lies beyond that row or column XFD is counted and
//! reported as cut, never dropped silently.

use std::collections::HashMap;
use std::path::Path;

use quick_xml::events::{BytesStart, Event};

use super::cells::Val;
use super::package::{self, Package, PartXml, MAX_CELL};
use super::sheet::RowBuf;

/// Excel's last row and column: what lies beyond is cut (and said).
const MAX_ROWS: u64 = 1_048_576;
const MAX_COLS: u64 = 16_384;

/// Most text one row may hold (see the xlsx reader).
const MAX_ROW_TEXT: usize = 16 << 20;

/// An open .ods.
pub struct Ods {
    pkg: Package,
}

impl Ods {
    /// Opens the package at `path`; `cap_mb` bounds what a part may inflate to.
    pub fn open(path: &Path, cap_mb: u64) -> Result<Ods, String> {
        Ok(Ods { pkg: Package::open(path, cap_mb)? })
    }

    /// The tables of `content.xml`, streamed.
    pub fn content(&mut self) -> Result<Content<'_>, String> {
        let xml = self
            .pkg
            .xml("content.xml")?
            .ok_or_else(|| "cannot read: the workbook is damaged: content.xml is missing".to_string())?;
        Ok(Content {
            xml,
            buf: Vec::new(),
            hidden_styles: HashMap::new(),
            style: None,
            in_table: None,
            row: 0,
            repeat: 0,
            last: RowBuf::default(),
            cut_rows: 0,
            cut_cols: 0,
        })
    }
}

/// The tables of `content.xml` as they stream: call [`Content::next_table`], then
/// [`Content::next_row`] until it gives `None`.
pub struct Content<'a> {
    xml: PartXml<'a>,
    buf: Vec<u8>,
    /// Table styles that hide their table (`table:display="false"`).
    hidden_styles: HashMap<String, bool>,
    /// The style being read in `<office:automatic-styles>`.
    style: Option<String>,
    /// The table being read.
    in_table: Option<String>,
    /// The next row's 0-based number.
    row: u64,
    /// Repetitions of `last` still to hand out.
    repeat: u64,
    last: RowBuf,
    cut_rows: u64,
    cut_cols: u64,
}

fn attr(e: &BytesStart<'_>, name: &str) -> Option<String> {
    e.attributes().with_checks(false).flatten().find(|a| a.key.as_ref() == name).map(|a| {
        match a.normalized_value(quick_xml::XmlVersion::Implicit1_0) {
            Ok(v) => v.into_owned(),
            Err(_) => a.value.into_owned(),
        }
    })
}

fn count(e: &BytesStart<'_>, name: &str) -> u64 {
    attr(e, name).and_then(|v| v.trim().parse::<u64>().ok()).unwrap_or(1).max(1)
}

impl Content<'_> {
    fn damaged(&self, what: impl std::fmt::Display) -> String {
        format!("cannot read: part content.xml is damaged: {what}")
    }

    fn event(&mut self) -> Result<Event<'_>, String> {
        self.buf.clear();
        package::mark(&mut self.xml);
        match self.xml.read_event_into(&mut self.buf) {
            Ok(ev) => Ok(ev),
            Err(e) => Err(package::xml_error(&self.xml, &e)),
        }
    }

    /// The next table: its name and whether it is hidden; `None` after the last.
    pub fn next_table(&mut self) -> Result<Option<(String, bool)>, String> {
        // Whatever is left of the previous table is skipped.
        while self.in_table.is_some() {
            let mut scratch = RowBuf::default();
            self.next_row(&mut scratch)?;
        }
        loop {
            let (name, hidden) = match self.event()? {
                Event::Start(e) => match e.name().as_ref() {
                    "style:style" => {
                        let s = attr(&e, "style:name");
                        self.style = s;
                        continue;
                    }
                    "style:table-properties" => {
                        let hidden = attr(&e, "table:display").is_some_and(|v| v == "false");
                        if let Some(s) = self.style.clone() {
                            self.hidden_styles.insert(s, hidden);
                        }
                        continue;
                    }
                    "table:table" => {
                        let name = attr(&e, "table:name").unwrap_or_default();
                        let style = attr(&e, "table:style-name").unwrap_or_default();
                        (name, style)
                    }
                    _ => continue,
                },
                Event::Eof => return Ok(None),
                _ => continue,
            };
            let hidden = self.hidden_styles.get(&hidden).copied().unwrap_or(false);
            self.in_table = Some(name.clone());
            self.row = 0;
            self.repeat = 0;
            self.cut_rows = 0;
            self.cut_cols = 0;
            return Ok(Some((name, hidden)));
        }
    }

    /// What was cut from the current table beyond Excel's last row and column, as a notice.
    pub fn cut_notice(&self) -> Option<String> {
        match (self.cut_rows, self.cut_cols) {
            (0, 0) => None,
            (r, c) => Some(format!(
                "cut: {r} row(s) beyond row 1,048,576 and {c} cell(s) beyond column XFD (Excel's last) \
                 were not read"
            )),
        }
    }

    /// Fills `out` with the next row that has a value and gives its 0-based number; `None` at
    /// the end of the table.
    pub fn next_row(&mut self, out: &mut RowBuf) -> Result<Option<u32>, String> {
        if self.in_table.is_none() {
            return Ok(None);
        }
        if self.repeat > 0 {
            self.repeat -= 1;
            out.clone_from(&self.last);
            let r = self.row;
            self.row += 1;
            return Ok(Some(r as u32));
        }
        loop {
            let repeats = match self.event()? {
                Event::Start(e) => match e.name().as_ref() {
                    "table:table-row" => count(&e, "table:number-rows-repeated"),
                    "table:table" => return Err(self.damaged("a table starts inside a table")),
                    _ => continue,
                },
                Event::End(e) if e.name().as_ref() == "table:table" => {
                    self.in_table = None;
                    return Ok(None);
                }
                Event::Eof => {
                    let name = self.in_table.take().unwrap_or_default();
                    return Err(self.damaged(format_args!("sheet {name:?} ends before </table:table>")));
                }
                _ => continue,
            };
            out.clear();
            self.read_row(out)?;
            let r = self.row;
            let room = MAX_ROWS.saturating_sub(r);
            if out.is_empty() {
                // Empty rows, however many, cost nothing: only the row number moves.
                self.row = r.saturating_add(repeats);
                continue;
            }
            if room == 0 {
                self.cut_rows = self.cut_rows.saturating_add(repeats);
                out.clear();
                continue;
            }
            let kept = repeats.min(room);
            self.cut_rows = self.cut_rows.saturating_add(repeats - kept);
            if kept > 1 {
                self.last.clone_from(out);
                self.repeat = kept - 1;
            }
            self.row = r + 1;
            return Ok(Some(r as u32));
        }
    }

    /// Reads one `<table:table-row>`'s cells up to its end.
    fn read_row(&mut self, out: &mut RowBuf) -> Result<(), String> {
        let mut col: u64 = 0;
        let mut text = String::new();
        loop {
            let (repeats, kind, value) = match self.event()? {
                Event::Start(e) => match e.name().as_ref() {
                    "table:table-cell" | "table:covered-table-cell" => {
                        let repeats = count(&e, "table:number-columns-repeated");
                        let kind = attr(&e, "office:value-type");
                        let error = attr(&e, "calcext:value-type").is_some_and(|v| v == "error");
                        let value = match kind.as_deref() {
                            Some("float" | "percentage" | "currency") => attr(&e, "office:value"),
                            Some("date") => attr(&e, "office:date-value"),
                            Some("time") => attr(&e, "office:time-value"),
                            Some("boolean") => attr(&e, "office:boolean-value"),
                            Some("string") => attr(&e, "office:string-value"),
                            _ => None,
                        };
                        let kind = if error { Some("error".to_string()) } else { kind };
                        (repeats, kind, value)
                    }
                    _ => continue,
                },
                Event::End(e) if e.name().as_ref() == "table:table-row" => return Ok(()),
                Event::End(e) if e.name().as_ref() == "table:table" => {
                    return Err(self.damaged("a row is not closed"));
                }
                Event::Eof => return Err(self.damaged("it ends inside a row")),
                _ => continue,
            };
            text.clear();
            self.read_cell_text(&mut text)?;
            let v = match (kind.as_deref(), value.as_deref()) {
                (Some("float" | "percentage" | "currency"), Some(n)) => match n.trim().parse::<f64>() {
                    Ok(x) => Val::Num(x),
                    Err(_) => Val::Text(n),
                },
                (Some("date"), Some(d)) => super::cells::iso_date(d).map(Val::Date).unwrap_or(Val::Text(d)),
                (Some("boolean"), Some(b)) => Val::Bool(b.trim() == "true" || b.trim() == "TRUE"),
                (Some("time"), Some(t)) => Val::Text(t),
                (Some("error"), _) | (Some("string"), None) => Val::Text(&text),
                (Some("string"), Some(s)) => Val::Text(s),
                _ => Val::Empty,
            };
            if matches!(v, Val::Empty) || matches!(v, Val::Text(t) if t.is_empty()) {
                col = col.saturating_add(repeats);
                continue;
            }
            let kept = repeats.min(MAX_COLS.saturating_sub(col));
            self.cut_cols = self.cut_cols.saturating_add(repeats - kept);
            let len = match &v {
                Val::Text(t) => t.len() as u64,
                _ => 0,
            };
            if (out.text_len() as u64).saturating_add(len.saturating_mul(kept)) > MAX_ROW_TEXT as u64 {
                return Err(self.damaged("a row holds more than 16 MB of text"));
            }
            for i in 0..kept {
                out.push((col + i) as u32, v.clone());
            }
            col = col.saturating_add(repeats);
        }
    }

    /// Reads a cell's content up to its end: paragraphs joined by line breaks, `<text:s>`
    /// spaces, tabs and line breaks; annotations (comments) left out.
    fn read_cell_text(&mut self, out: &mut String) -> Result<(), String> {
        let mut paragraphs = 0;
        let mut note_depth = 0u32;
        loop {
            let piece: Option<String> = match self.event()? {
                Event::Start(e) => match e.name().as_ref() {
                    "office:annotation" => {
                        note_depth += 1;
                        None
                    }
                    _ if note_depth > 0 => None,
                    "text:p" => {
                        paragraphs += 1;
                        (paragraphs > 1).then(|| "\n".to_string())
                    }
                    "text:s" => {
                        let n = count(&e, "text:c");
                        if n > MAX_CELL as u64 {
                            return Err(self.damaged("a cell holds more than 1 MB of spaces"));
                        }
                        Some(" ".repeat(n as usize))
                    }
                    "text:tab" => Some("\t".into()),
                    "text:line-break" => Some("\n".into()),
                    _ => None,
                },
                Event::End(e) => match e.name().as_ref() {
                    "office:annotation" => {
                        note_depth = note_depth.saturating_sub(1);
                        None
                    }
                    "table:table-cell" | "table:covered-table-cell" if note_depth > 0 => {
                        return Err(self.damaged("a comment is not closed"))
                    }
                    "table:table-cell" | "table:covered-table-cell" => return Ok(()),
                    "table:table-row" | "table:table" => return Err(self.damaged("a cell is not closed")),
                    _ => None,
                },
                Event::Text(t) if note_depth == 0 => Some(t.xml10_content().into_owned()),
                Event::GeneralRef(r) if note_depth == 0 => {
                    let mut s = String::new();
                    match r.resolve_char_ref() {
                        Ok(Some(c)) => s.push(c),
                        _ => s.push_str(match &*r {
                            "amp" => "&",
                            "lt" => "<",
                            "gt" => ">",
                            "quot" => "\"",
                            "apos" => "'",
                            _ => "",
                        }),
                    }
                    Some(s)
                }
                Event::Eof => return Err(self.damaged("it ends inside a cell")),
                _ => None,
            };
            if let Some(p) = piece {
                package::push_text(out, &p, "content.xml")?;
            }
        }
    }
}
