//! Cells: one value type for every reader (streaming xlsx and calamine ranges), and Excel's A1 names.

use calamine::{Data, DataRef};
use chrono::{NaiveDate, NaiveDateTime};

/// A cell value as the row loop sees it, borrowed from the reader.
#[derive(Debug, Clone, PartialEq)]
pub enum Val<'a> {
    Empty,
    Num(f64),
    Text(&'a str),
    /// A date or datetime cell, already converted with the book's 1900/1904 epoch.
    Date(NaiveDateTime),
    /// A date cell whose value is no calendar date (a duration, or out of range): raw serial.
    BadDate(f64),
    Bool(bool),
    /// An Excel error such as `#N/A`.
    Error(&'static str),
    /// A cell the file itself gets wrong (a shared-string index outside the string table): the
    /// raw text found and why it cannot be read.
    Bad {
        raw: &'a str,
        why: &'static str,
    },
}

impl<'a> Val<'a> {
    /// True for empty cells and cells holding only whitespace.
    pub fn is_blank(&self) -> bool {
        match self {
            Val::Empty => true,
            Val::Text(s) => s.trim().is_empty(),
            _ => false,
        }
    }

    /// The value as the user would read it in the cell, for reject messages.
    pub fn raw(&self) -> String {
        match self {
            Val::Empty => String::new(),
            Val::Num(n) => num_text(*n),
            Val::Text(s) => (*s).to_string(),
            Val::Date(d) => {
                if d.time() == chrono::NaiveTime::MIN {
                    d.date().format("%Y-%m-%d").to_string()
                } else {
                    d.format("%Y-%m-%d %H:%M:%S").to_string()
                }
            }
            Val::BadDate(n) => num_text(*n),
            Val::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
            Val::Error(e) => (*e).to_string(),
            Val::Bad { raw, .. } => (*raw).to_string(),
        }
    }

    /// The text of the cell as an identifier: trimmed text, or a whole number without `.0`.
    pub fn text(&self) -> Option<std::borrow::Cow<'a, str>> {
        match self {
            Val::Text(s) => {
                let t = s.trim();
                (!t.is_empty()).then_some(std::borrow::Cow::Borrowed(t))
            }
            Val::Num(n) => Some(std::borrow::Cow::Owned(num_text(*n))),
            Val::Date(_) | Val::Bool(_) => Some(std::borrow::Cow::Owned(self.raw())),
            _ => None,
        }
    }
}

/// A number as Excel's General format would show it: `1001`, not `1001.0`.
pub fn num_text(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

fn error_text(e: &calamine::CellErrorType) -> &'static str {
    use calamine::CellErrorType as E;
    match e {
        E::Div0 => "#DIV/0!",
        E::NA => "#N/A",
        E::Name => "#NAME?",
        E::Null => "#NULL!",
        E::Num => "#NUM!",
        E::Ref => "#REF!",
        E::Value => "#VALUE!",
        E::GettingData => "#DATA!",
    }
}

/// A date cell with the book's epoch applied; durations and impossible dates stay raw.
pub fn excel_date(d: &calamine::ExcelDateTime) -> Val<'static> {
    if d.is_datetime() {
        if let Some(dt) = d.as_datetime() {
            return Val::Date(dt);
        }
    }
    Val::BadDate(d.as_f64())
}

/// An ISO date or datetime typed into a cell (`t="d"` in xlsx, `office:date-value` in ods).
pub fn iso_date(s: &str) -> Option<NaiveDateTime> {
    let s = s.trim();
    NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f").ok().or_else(|| {
        NaiveDate::parse_from_str(s.get(..10)?, "%Y-%m-%d").ok().map(|d| d.and_time(chrono::NaiveTime::MIN))
    })
}

/// Converts a streaming-reader cell.
pub fn from_ref<'b>(d: &'b DataRef<'_>) -> Val<'b> {
    match d {
        DataRef::Int(i) => Val::Num(*i as f64),
        DataRef::Float(f) => Val::Num(*f),
        DataRef::String(s) => Val::Text(s),
        DataRef::SharedString(s) => Val::Text(s),
        DataRef::Bool(b) => Val::Bool(*b),
        DataRef::DateTime(d) => excel_date(d),
        DataRef::DateTimeIso(s) => iso_date(s).map(Val::Date).unwrap_or(Val::Text(s)),
        DataRef::DurationIso(s) => Val::Text(s),
        DataRef::Error(e) => Val::Error(error_text(e)),
        DataRef::Empty => Val::Empty,
    }
}

/// Converts a range cell (xls, xlsb, ods).
pub fn from_data(d: &Data) -> Val<'_> {
    match d {
        Data::Int(i) => Val::Num(*i as f64),
        Data::Float(f) => Val::Num(*f),
        Data::String(s) => Val::Text(s),
        Data::Bool(b) => Val::Bool(*b),
        Data::DateTime(d) => excel_date(d),
        Data::DateTimeIso(s) => iso_date(s).map(Val::Date).unwrap_or(Val::Text(s)),
        Data::DurationIso(s) => Val::Text(s),
        Data::Error(e) => Val::Error(error_text(e)),
        Data::Empty => Val::Empty,
    }
}

/// Excel's column letters for a 0-based column: 0 → `A`, 25 → `Z`, 26 → `AA`.
pub fn col_letters(col: u32) -> String {
    let mut n = col as u64 + 1;
    let mut out = Vec::new();
    while n > 0 {
        let r = ((n - 1) % 26) as u8;
        out.push(b'A' + r);
        n = (n - 1) / 26;
    }
    out.reverse();
    String::from_utf8(out).expect("ascii")
}

/// Excel's name of an absolute 0-based `(row, col)` position: `(0, 0)` → `A1`.
///
/// Positions must be absolute: calamine's `Range::rows()` counts from `range.start()`,
/// so callers add the range start before calling (see `abs_pos`).
pub fn a1(row: u32, col: u32) -> String {
    format!("{}{}", col_letters(col), row as u64 + 1)
}

/// The absolute position of a cell at `(i, j)` inside a range that starts at `start`.
pub fn abs_pos(start: (u32, u32), i: usize, j: usize) -> (u32, u32) {
    (start.0 + i as u32, start.1 + j as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a1_names_at_the_boundaries() {
        for (row, col, want) in [
            (0, 0, "A1"),
            (0, 25, "Z1"),
            (9, 26, "AA10"),
            (213, 5, "F214"),
            (0, 51, "AZ1"),
            (0, 52, "BA1"),
            (0, 701, "ZZ1"),
            (0, 702, "AAA1"),
            (1_048_575, 16_383, "XFD1048576"),
        ] {
            assert_eq!(a1(row, col), want, "({row}, {col})");
        }
    }

    #[test]
    fn range_positions_are_made_absolute() {
        // A range starting at C3: its first cell is C3, not A1.
        let (r, c) = abs_pos((2, 2), 0, 0);
        assert_eq!(a1(r, c), "C3");
        let (r, c) = abs_pos((2, 2), 211, 3);
        assert_eq!(a1(r, c), "F214");
    }

    #[test]
    fn whole_numbers_print_without_decimals() {
        assert_eq!(num_text(1001.0), "1001");
        assert_eq!(num_text(-3.5), "-3.5");
        assert_eq!(Val::Num(42.0).text().as_deref(), Some("42"));
        assert_eq!(Val::Text("  ").text(), None);
        assert!(Val::Text(" \t").is_blank());
    }
}
