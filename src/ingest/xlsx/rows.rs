//! One sheet's rows as they stream from its part: `<row>` by `<row>`, each cell typed by its
//! `t` and style (see the module above for the rules).

use calamine::{ExcelDateTime, ExcelDateTimeType};
use quick_xml::events::Event;

use super::super::cells::Val;
use super::super::package::{self, PartXml};
use super::super::sheet::RowBuf;
use super::{attr, push_ref, read_rich_text, unescape_x, Fmt, MAX_ROW_CELLS, MAX_ROW_TEXT};

/// A sheet's rows as they stream from its part.
pub struct SheetRows<'b> {
    pub(super) xml: PartXml<'b>,
    pub(super) part: String,
    pub(super) strings: &'b str,
    pub(super) ends: &'b [usize],
    pub(super) styles: &'b [Fmt],
    pub(super) is_1904: bool,
    pub(super) buf: Vec<u8>,
    /// `<sheetData>` was reached.
    pub(super) started: bool,
    /// The row a `<row>` without `r` is (the one after the previous).
    pub(super) next_row: u32,
    /// A cell's text as it is read (reused: no allocation per cell).
    pub(super) value: String,
    /// A text run being read (reused).
    pub(super) run: String,
}

/// A cell's type (`t`): number (absent, `n` or unknown), shared string, formula string,
/// inline string, error, boolean, ISO date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Number,
    Shared,
    Str,
    Inline,
    Error,
    Bool,
    Date,
}

impl Kind {
    fn of(t: Option<&str>) -> Kind {
        match t.map(str::trim) {
            Some("s") => Kind::Shared,
            Some("str") => Kind::Str,
            Some("inlineStr") => Kind::Inline,
            Some("e") => Kind::Error,
            Some("b") => Kind::Bool,
            Some("d") => Kind::Date,
            _ => Kind::Number,
        }
    }
}

/// A cell reference's 0-based column (`AB12` → 27), or `None` when it is no reference.
pub(crate) fn ref_col(r: &str) -> Option<u32> {
    let letters = r.bytes().take_while(u8::is_ascii_alphabetic).count();
    if letters == 0 || letters > 3 || !r[letters..].bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let col = r[..letters].bytes().fold(0u32, |n, b| n * 26 + u32::from(b.to_ascii_uppercase() - b'A') + 1);
    Some(col - 1)
}

/// The message for a damaged part.
fn damaged(part: &str, what: impl std::fmt::Display) -> String {
    format!("cannot read: part {part} is damaged: {what}")
}

impl SheetRows<'_> {
    fn shared(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.strings[start..self.ends[i]]
    }

    /// Fills `out` with the next `<row>`'s cells and gives its 0-based row number; `None`
    /// after the last row. Each row element is one row, even when it repeats a row number.
    pub fn next_row(&mut self, out: &mut RowBuf) -> Result<Option<u32>, String> {
        out.clear();
        loop {
            self.buf.clear();
            let ev =
                self.xml.read_event_into(&mut self.buf).map_err(|e| package::xml_error(&self.xml, &e))?;
            package::mark(&mut self.xml);
            match ev {
                Event::Start(e) if e.local_name().as_ref() == "sheetData" => self.started = true,
                Event::End(e) if e.local_name().as_ref() == "sheetData" => return Ok(None),
                Event::Start(e) if self.started && e.local_name().as_ref() == "row" => {
                    let r = match attr(&e, "r") {
                        Some(v) => match v.trim().parse::<u32>() {
                            Ok(n) if n >= 1 => n - 1,
                            _ => return Err(damaged(&self.part, format_args!("row number {v:?}"))),
                        },
                        None => self.next_row,
                    };
                    drop(e);
                    self.next_row = r.saturating_add(1);
                    self.read_row(out)?;
                    return Ok(Some(r));
                }
                // A sheet without <sheetData> holds no rows.
                Event::Eof if !self.started => return Ok(None),
                Event::Eof => return Err(damaged(&self.part, "it ends before </sheetData>")),
                _ => {}
            }
        }
    }

    /// Reads the cells of one `<row>` up to its end.
    fn read_row(&mut self, out: &mut RowBuf) -> Result<(), String> {
        let mut col: u32 = 0;
        loop {
            self.buf.clear();
            let ev =
                self.xml.read_event_into(&mut self.buf).map_err(|e| package::xml_error(&self.xml, &e))?;
            package::mark(&mut self.xml);
            match ev {
                Event::Start(e) if e.local_name().as_ref() == "c" => {
                    // One pass over the attributes, raw: a reference, a style id and a type
                    // hold no entities (this runs for every cell of the book).
                    let (mut style, mut kind) = (None, Kind::Number);
                    for a in e.attributes().with_checks(false).flatten() {
                        match a.key.local_name().as_ref() {
                            "r" => {
                                col = ref_col(&a.value).ok_or_else(|| {
                                    damaged(&self.part, format_args!("cell reference {:?}", a.value))
                                })?
                            }
                            "s" => style = a.value.trim().parse::<usize>().ok(),
                            "t" => kind = Kind::of(Some(&a.value)),
                            _ => {}
                        }
                    }
                    drop(e);
                    let mut value = std::mem::take(&mut self.value);
                    value.clear();
                    let inline = self.read_cell(&mut value);
                    let pushed =
                        inline.and_then(|inline| self.push_cell(out, col, kind, style, &value, inline));
                    self.value = value;
                    pushed?;
                    col = col.saturating_add(1);
                }
                Event::End(e) if e.local_name().as_ref() == "row" => return Ok(()),
                Event::End(e) if e.local_name().as_ref() == "sheetData" => {
                    return Err(damaged(&self.part, "a row is not closed"))
                }
                Event::Eof => return Err(damaged(&self.part, "it ends inside a row")),
                _ => {}
            }
        }
    }

    /// Reads a `<c>` up to its end: the `<v>` text (formulas `<f>` skipped) into `value`, or
    /// an inline string's text; true when it was an inline string.
    fn read_cell(&mut self, value: &mut String) -> Result<bool, String> {
        let mut in_v = false;
        let mut inline = false;
        loop {
            self.buf.clear();
            let ev =
                self.xml.read_event_into(&mut self.buf).map_err(|e| package::xml_error(&self.xml, &e))?;
            package::mark(&mut self.xml);
            match ev {
                Event::Start(e) => match e.local_name().as_ref() {
                    "v" => in_v = !inline,
                    "is" => {
                        drop(e);
                        inline = true;
                        value.clear();
                        read_rich_text(&mut self.xml, &mut self.buf, "is", value, &mut self.run, &self.part)?;
                    }
                    _ => {}
                },
                Event::Text(t) if in_v => package::push_text(value, &t.xml10_content(), &self.part)?,
                Event::GeneralRef(r) if in_v => {
                    let mut one = String::new();
                    push_ref(&mut one, &r);
                    package::push_text(value, &one, &self.part)?;
                }
                Event::End(e) => match e.local_name().as_ref() {
                    "v" => in_v = false,
                    "c" => return Ok(inline),
                    "row" | "sheetData" => return Err(damaged(&self.part, "a cell is not closed")),
                    _ => {}
                },
                Event::Eof => return Err(damaged(&self.part, "it ends inside a cell")),
                _ => {}
            }
        }
    }

    /// Adds one cell's value to the row, typed as its `t` and style say.
    fn push_cell(
        &self,
        out: &mut RowBuf,
        col: u32,
        kind: Kind,
        style: Option<usize>,
        v: &str,
        inline: bool,
    ) -> Result<(), String> {
        if out.len() >= MAX_ROW_CELLS {
            return Err(damaged(&self.part, format_args!("a row holds more than {MAX_ROW_CELLS} cells")));
        }
        if out.text_len() + v.len() > MAX_ROW_TEXT {
            return Err(damaged(&self.part, "a row holds more than 16 MB of text"));
        }
        if inline {
            out.push(col, Val::Text(v));
            return Ok(());
        }
        match kind {
            Kind::Shared => {
                let t = v.trim();
                match t.parse::<usize>() {
                    Ok(i) if i < self.ends.len() && t.bytes().all(|b| b.is_ascii_digit()) => {
                        out.push(col, Val::Text(self.shared(i)))
                    }
                    _ if t.is_empty() => {}
                    _ => out.push_bad(col, t, "shared string index not in the book's string table"),
                }
            }
            Kind::Str => out.push(col, Val::Text(&unescape_x(v))),
            Kind::Inline => out.push(col, Val::Text(v)),
            Kind::Error => out.push(col, Val::Text(v.trim())),
            Kind::Bool => match v.trim() {
                "1" | "true" | "TRUE" => out.push(col, Val::Bool(true)),
                "0" | "false" | "FALSE" => out.push(col, Val::Bool(false)),
                "" => {}
                other => out.push(col, Val::Text(other)),
            },
            Kind::Date => match super::super::cells::iso_date(v) {
                Some(d) => out.push(col, Val::Date(d)),
                None => out.push(col, Val::Text(v)),
            },
            Kind::Number => {
                let t = v.trim();
                if t.is_empty() {
                    return Ok(());
                }
                match t.parse::<f64>() {
                    Ok(n) => match style.and_then(|s| self.styles.get(s)) {
                        Some(Fmt::Date) if n.is_finite() => out.push_excel_date(
                            col,
                            ExcelDateTime::new(n, ExcelDateTimeType::DateTime, self.is_1904),
                        ),
                        Some(Fmt::Duration) if n.is_finite() => out.push_excel_date(
                            col,
                            ExcelDateTime::new(n, ExcelDateTimeType::TimeDelta, self.is_1904),
                        ),
                        _ => out.push(col, Val::Num(n)),
                    },
                    // Not a number: kept as the text it is, so the row loop can say so.
                    Err(_) => out.push(col, Val::Text(t)),
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references() {
        assert_eq!(ref_col("A1"), Some(0));
        assert_eq!(ref_col("AB12"), Some(27));
        assert_eq!(ref_col("XFD1048576"), Some(16_383));
        assert_eq!(ref_col("AAAA1"), None);
        assert_eq!(ref_col("1A"), None);
    }
}
