//! A row's cells as the readers hand them to the row loop: reused between rows, Excel error
//! codes (`#N/A`) told apart from text.

use super::*;

/// One row's non-empty cells, reused between rows so reading allocates nothing per row.
#[derive(Debug, Default, Clone)]
pub struct RowBuf {
    cells: Vec<(u32, Slot)>,
    text: String,
}

#[derive(Debug, Clone, Copy)]
enum Slot {
    Num(f64),
    Text(u32, u32),
    Date(NaiveDateTime),
    /// A date cell converted only when the row loop reads it (off the XML reader's thread).
    Excel(calamine::ExcelDateTime),
    BadDate(f64),
    Bool(bool),
    Error(&'static str),
    Bad(u32, u32, &'static str),
}

impl RowBuf {
    /// Empties the buffer for the next row.
    pub fn clear(&mut self) {
        self.cells.clear();
        self.text.clear();
    }

    /// Adds a cell; empty cells are not stored.
    pub fn push(&mut self, col: u32, v: Val<'_>) {
        let slot = match v {
            Val::Empty => return,
            Val::Num(n) => Slot::Num(n),
            // A pasted `#N/A` is the same error as the cell it came from.
            Val::Text(s) if excel_error(s).is_some() => Slot::Error(excel_error(s).unwrap_or("#N/A")),
            Val::Text(s) => {
                let start = self.text.len() as u32;
                self.text.push_str(s);
                Slot::Text(start, self.text.len() as u32)
            }
            Val::Date(d) => Slot::Date(d),
            Val::BadDate(n) => Slot::BadDate(n),
            Val::Bool(b) => Slot::Bool(b),
            Val::Error(e) => Slot::Error(e),
            Val::Bad { raw, why } => return self.push_bad(col, raw, why),
        };
        self.cells.push((col, slot));
    }

    /// Adds a cell the file gets wrong: its raw text and why it cannot be read.
    pub fn push_bad(&mut self, col: u32, raw: &str, why: &'static str) {
        let start = self.text.len() as u32;
        self.text.push_str(raw);
        self.cells.push((col, Slot::Bad(start, self.text.len() as u32, why)));
    }

    /// Adds a date cell, converted only when the row loop reads it.
    pub fn push_excel_date(&mut self, col: u32, d: calamine::ExcelDateTime) {
        self.cells.push((col, Slot::Excel(d)));
    }

    /// How many cells are stored.
    pub fn len(&self) -> usize {
        self.cells.len()
    }

    /// Bytes of text stored.
    pub fn text_len(&self) -> usize {
        self.text.len()
    }

    /// Adds a streaming-reader cell; date cells are converted later, by [`RowBuf::iter`].
    pub fn push_ref(&mut self, col: u32, v: &calamine::DataRef<'_>) {
        match v {
            calamine::DataRef::DateTime(d) => self.cells.push((col, Slot::Excel(*d))),
            other => self.push(col, crate::ingest::cells::from_ref(other)),
        }
    }

    /// True when no cell was stored.
    pub fn is_empty(&self) -> bool {
        self.cells.is_empty()
    }

    /// The cells, in column order as read.
    pub fn iter(&self) -> impl Iterator<Item = (u32, Val<'_>)> {
        self.cells.iter().map(move |&(c, s)| {
            let v = match s {
                Slot::Num(n) => Val::Num(n),
                Slot::Text(a, b) => Val::Text(&self.text[a as usize..b as usize]),
                Slot::Date(d) => Val::Date(d),
                Slot::Excel(d) => crate::ingest::cells::excel_date(&d),
                Slot::BadDate(n) => Val::BadDate(n),
                Slot::Bool(b) => Val::Bool(b),
                Slot::Error(e) => Val::Error(e),
                Slot::Bad(a, b, why) => Val::Bad { raw: &self.text[a as usize..b as usize], why },
            };
            (c, v)
        })
    }
}

/// The Excel error code a text holds, when it is exactly one (`#N/A`, `#¡VALOR!` too).
fn excel_error(s: &str) -> Option<&'static str> {
    const CODES: &[(&str, &str)] = &[
        ("#N/A", "#N/A"),
        ("#N/D", "#N/A"),
        ("#DIV/0!", "#DIV/0!"),
        ("#VALUE!", "#VALUE!"),
        ("#¡VALOR!", "#VALUE!"),
        ("#REF!", "#REF!"),
        ("#¡REF!", "#REF!"),
        ("#NAME?", "#NAME?"),
        ("#¿NOMBRE?", "#NAME?"),
        ("#NUM!", "#NUM!"),
        ("#¡NUM!", "#NUM!"),
        ("#NULL!", "#NULL!"),
        ("#¡NULO!", "#NULL!"),
        ("#¡DIV/0!", "#DIV/0!"),
    ];
    // Cheap test first: this runs on every text cell of a million-row book.
    if s.as_bytes().iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'#') {
        return None;
    }
    let t = s.trim();
    CODES.iter().find(|(k, _)| k.eq_ignore_ascii_case(t)).map(|(_, v)| *v)
}
