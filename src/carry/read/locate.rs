//! Where an area of a returned plan is now: the workbook name's target, else the sheet and
//! range the identification sheet recorded, else the sheet at the recorded position; its
//! header row found by its labels, its columns by their header labels, and how far its rows go.

use std::collections::HashMap;

use calamine::{Data, Range};

use super::cells::text_of;
use crate::carry::ident::{AreaRef, CellRange, SHEET};
use crate::classify::collate;

/// Rows read below an area's recorded end at most (the KAM's own rows), so a sheet full of
/// other content is never read as the area.
pub(super) const MAX_EXTRA_ROWS: u32 = 500;

/// `'Hotel O''Sol'!$A$3:$C$7` → (sheet, range).
pub(super) fn parse_reference(formula: &str) -> Option<(String, CellRange)> {
    let f = formula.trim().trim_start_matches('=');
    let (sheet, cells) = f.rsplit_once('!')?;
    let sheet = match sheet.strip_prefix('\'').and_then(|s| s.strip_suffix('\'')) {
        Some(q) => q.replace("''", "'"),
        None => sheet.to_string(),
    };
    Some((sheet, CellRange::parse(cells)?))
}

/// The sheet and range an area is at now: the workbook name's target, else the recorded
/// sheet, else the sheet at the recorded position.
pub(super) fn locate(
    a: &AreaRef,
    names: &HashMap<String, String>,
    sheets: &[String],
) -> Option<(String, CellRange)> {
    let exists = |s: &str| sheets.iter().any(|n| n == s);
    if let Some((sheet, range)) = names.get(&a.name).and_then(|f| parse_reference(f)) {
        if exists(&sheet) {
            return Some((sheet, range));
        }
    }
    if exists(&a.sheet) {
        return Some((a.sheet.clone(), a.range));
    }
    sheets.get(a.sheet_index).filter(|s| s.as_str() != SHEET).map(|s| (s.clone(), a.range))
}

/// How many of the recorded labels a row shows, starting at `col`.
fn header_matches(grid: &Range<Data>, labels: &[String], row: u32, col: u32) -> usize {
    labels
        .iter()
        .enumerate()
        .filter(|(j, l)| {
            grid.get_value((row, col + *j as u32))
                .and_then(text_of)
                // The label as written needs no collating (most headers are untouched).
                .is_some_and(|t| t == **l || collate(&t) == collate(l))
        })
        .count()
}

/// Whether the area's header is still where it was recorded (half its labels or more).
pub(super) fn header_at(grid: &Range<Data>, a: &AreaRef, at: CellRange) -> bool {
    let need = a.labels.len().div_ceil(2).max(1);
    header_matches(grid, &a.labels, at.first_row, at.first_col) >= need
}

/// The area's header row: where it was recorded when it still shows the labels, else the one
/// row of the sheet that does (none or several: not found, so nothing lands on another account).
pub(super) fn find_header(grid: &Range<Data>, a: &AreaRef, at: CellRange) -> Option<u32> {
    if header_at(grid, a, at) {
        return Some(at.first_row);
    }
    let (end_row, _) = grid.end()?;
    let found: Vec<u32> = (0..=end_row)
        .filter(|r| header_matches(grid, &a.labels, *r, at.first_col) == a.labels.len())
        .collect();
    match found.as_slice() {
        [one] => Some(*one),
        _ => None,
    }
}

/// Where an area's columns are and how far down it goes.
pub(super) struct AreaSpan {
    pub(super) header: u32,
    first_col: u32,
    /// The recorded last row, moved with the header.
    last_row: u32,
    /// The sheet's last row.
    end_row: u32,
    /// Column of each key.
    cols: HashMap<String, u32>,
    width: u32,
}

impl AreaSpan {
    pub(super) fn new(grid: &Range<Data>, a: &AreaRef, header: u32, at: CellRange) -> AreaSpan {
        let width = (at.last_col - at.first_col + 1).max(a.labels.len() as u32);
        let mut cols = HashMap::new();
        let labels: Vec<String> = a.labels.iter().map(|l| collate(l)).collect();
        // The header row's texts near the area, collated (a label as written is its own
        // collated label: no unicode work for an untouched header).
        let near: Vec<(u32, String)> = (at.first_col..at.first_col + width + 10)
            .filter_map(|c| {
                let t = grid.get_value((header, c)).and_then(text_of)?;
                let same = a.labels.iter().position(|l| *l == t);
                Some((c, same.map_or_else(|| collate(&t), |i| labels[i].clone())))
            })
            .collect();
        for (j, key) in a.columns.iter().enumerate() {
            let label = labels.get(j).cloned().unwrap_or_default();
            // By its header label anywhere near (a column may have been inserted or moved),
            // else where it was written.
            let found = near.iter().find(|(_, t)| *t == label).map(|(c, _)| *c);
            cols.insert(key.clone(), found.unwrap_or(at.first_col + j as u32));
        }
        AreaSpan {
            header,
            first_col: at.first_col,
            last_row: header + (at.last_row - at.first_row),
            end_row: grid.end().map(|e| e.0).unwrap_or(0),
            cols,
            width,
        }
    }

    pub(super) fn range(&self) -> CellRange {
        CellRange {
            first_row: self.header,
            first_col: self.first_col,
            last_row: self.last_row,
            last_col: self.first_col + self.width - 1,
        }
    }

    /// The body rows to read: the recorded ones, then any the KAM typed right below, up to the
    /// first blank row.
    pub(super) fn rows<'g>(&self, grid: &'g Range<Data>) -> impl Iterator<Item = u32> + 'g {
        let (header, last, first_col, width, end) =
            (self.header, self.last_row, self.first_col, self.width, self.end_row);
        let blank = move |r: u32| {
            (first_col..first_col + width).all(|c| grid.get_value((r, c)).and_then(text_of).is_none())
        };
        (header + 1..=end.min(last + MAX_EXTRA_ROWS)).take_while(move |r| *r <= last || !blank(*r))
    }

    pub(super) fn col(&self, key: &str) -> Option<u32> {
        self.cols.get(key).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_read_as_programs_write_them() {
        let r = CellRange { first_row: 2, first_col: 0, last_row: 6, last_col: 2 };
        assert_eq!(parse_reference("'Hotel O''Sol'!$A$3:$C$7"), Some(("Hotel O'Sol".into(), r)));
        assert_eq!(parse_reference("=Cuentas!A3:C7"), Some(("Cuentas".into(), r)));
        assert_eq!(parse_reference("#REF!"), None);
        assert_eq!(parse_reference("'x'!#REF!"), None);
    }
}
