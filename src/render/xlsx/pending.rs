//! Cell formats applied per block of cells: values are written unformatted and their formats
//! set when the sheet is done, one call per rectangle of cells that share a format (a run down
//! a column, runs side by side merged: a table's header row, its columns of equal rows).
//!
//! Why: rust_xlsxwriter looks a format up by hashing the whole `Format` (SipHash over some sixty
//! fields) on every formatted write — most of the cost of writing a plan's cells. A range
//! format hashes once for the whole range and gives each cell the same format index, so the
//! workbook is the same cell for cell.

use rust_xlsxwriter::{Format as XlFormat, Worksheet, XlsxError};

/// A format of [`super::cells::Styles`], by its index there.
pub(super) type StyleId = u32;

/// One cell waiting for its format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Cell {
    row: u32,
    col: u16,
    style: StyleId,
    /// Written as nothing yet: the format makes it a formatted blank.
    blank: bool,
}

/// Rows `first..=last` of columns `col..=last_col`, which take one format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Run {
    pub(super) col: u16,
    pub(super) last_col: u16,
    pub(super) first: u32,
    pub(super) last: u32,
    pub(super) style: StyleId,
}

/// The cells of the sheet being written that wait for their format.
#[derive(Default)]
pub(super) struct Pending {
    cells: Vec<Cell>,
}

impl Pending {
    /// A cell just written without a format, to get `style`.
    pub(super) fn value(&mut self, row: u32, col: u16, style: StyleId) {
        self.cells.push(Cell { row, col, style, blank: false });
    }

    /// A formatted blank cell (the format creates it).
    pub(super) fn blank(&mut self, row: u32, col: u16, style: StyleId) {
        self.cells.push(Cell { row, col, style, blank: true });
    }

    /// Adds the cells of `other` after these (a cell in both takes `other`'s format).
    pub(super) fn extend(&mut self, other: Pending) {
        self.cells.extend(other.cells);
    }

    /// [`Pending::apply`] for a list that is done with.
    pub(super) fn into_apply(mut self, ws: &mut Worksheet, formats: &[XlFormat]) -> Result<(), XlsxError> {
        self.apply(ws, formats)
    }

    /// Sets the waiting formats on `ws`, the style ids resolved by `formats`.
    ///
    /// A range format does not grow the sheet's used range (rows outside it are not written),
    /// while a written blank does: the blanks at the outer edges are set one by one with
    /// `set_cell_format`, which grows it as `write_blank` would.
    pub(super) fn apply(&mut self, ws: &mut Worksheet, formats: &[XlFormat]) -> Result<(), XlsxError> {
        let cells = std::mem::take(&mut self.cells);
        for c in edge_blanks(&cells) {
            ws.set_cell_format(c.row, c.col, &formats[c.style as usize])?;
        }
        for run in rectangles(runs(cells)) {
            ws.set_range_format(run.first, run.col, run.last, run.last_col, &formats[run.style as usize])?;
        }
        Ok(())
    }
}

/// The blanks with the least and greatest row and column (at most four).
fn edge_blanks(cells: &[Cell]) -> Vec<Cell> {
    let blanks = || cells.iter().filter(|c| c.blank);
    let mut edges: Vec<Cell> = [
        blanks().min_by_key(|c| c.row),
        blanks().max_by_key(|c| c.row),
        blanks().min_by_key(|c| c.col),
        blanks().max_by_key(|c| c.col),
    ]
    .into_iter()
    .flatten()
    .copied()
    .collect();
    edges.dedup();
    edges
}

/// The cells as runs down each column; a cell written twice takes its last format, as a
/// second formatted write would give it.
fn runs(mut cells: Vec<Cell>) -> Vec<Run> {
    // Stable: a cell's writes stay in the order written.
    cells.sort_by_key(|c| (c.col, c.row));
    let mut out: Vec<Run> = Vec::new();
    for (i, c) in cells.iter().enumerate() {
        let overwritten = cells.get(i + 1).is_some_and(|n| (n.col, n.row) == (c.col, c.row));
        if overwritten {
            continue;
        }
        match out.last_mut() {
            Some(r) if r.col == c.col && r.style == c.style && r.last + 1 == c.row => r.last = c.row,
            _ => out.push(Run { col: c.col, last_col: c.col, first: c.row, last: c.row, style: c.style }),
        }
    }
    out
}

/// Runs of neighbouring columns over the same rows with the same format, as one rectangle.
fn rectangles(mut runs: Vec<Run>) -> Vec<Run> {
    runs.sort_by_key(|r| (r.first, r.last, r.style, r.col));
    let mut out: Vec<Run> = Vec::new();
    for r in runs {
        match out.last_mut() {
            Some(o)
                if (o.first, o.last, o.style) == (r.first, r.last, r.style) && o.last_col + 1 == r.col =>
            {
                o.last_col = r.col;
            }
            _ => out.push(r),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(row: u32, col: u16, style: StyleId) -> Cell {
        Cell { row, col, style, blank: false }
    }

    #[test]
    fn runs_go_down_a_column_while_the_format_and_rows_continue() {
        let cells = vec![
            cell(1, 0, 7),
            cell(1, 1, 8),
            cell(2, 0, 7),
            cell(2, 1, 8),
            cell(3, 0, 9),
            cell(5, 0, 9),
            cell(4, 1, 8),
        ];
        let run = |col, first, last, style| Run { col, last_col: col, first, last, style };
        assert_eq!(
            runs(cells),
            [run(0, 1, 2, 7), run(0, 3, 3, 9), run(0, 5, 5, 9), run(1, 1, 2, 8), run(1, 4, 4, 8)]
        );
    }

    #[test]
    fn a_cell_written_twice_keeps_its_last_format() {
        let cells = vec![cell(1, 0, 7), cell(2, 0, 7), cell(1, 0, 9)];
        let got = runs(cells);
        assert_eq!(
            got,
            [
                Run { col: 0, last_col: 0, first: 1, last: 1, style: 9 },
                Run { col: 0, last_col: 0, first: 2, last: 2, style: 7 }
            ]
        );
    }

    #[test]
    fn runs_side_by_side_over_the_same_rows_make_a_rectangle() {
        // A header row of one format, two text columns of equal rows, then a money column.
        let mut cells: Vec<Cell> = (0..4).map(|c| cell(0, c, 1)).collect();
        for row in 1..=3 {
            cells.extend([cell(row, 0, 2), cell(row, 1, 2), cell(row, 2, 3), cell(row, 3, 2)]);
        }
        let rect = |col, last_col, first, last, style| Run { col, last_col, first, last, style };
        assert_eq!(
            rectangles(runs(cells)),
            [rect(0, 3, 0, 0, 1), rect(0, 1, 1, 3, 2), rect(3, 3, 1, 3, 2), rect(2, 2, 1, 3, 3)]
        );
    }

    #[test]
    fn edge_blanks_are_those_that_bound_the_blanks() {
        let blank = |row, col| Cell { row, col, style: 1, blank: true };
        let cells = vec![blank(3, 2), blank(9, 1), cell(20, 9, 1), blank(5, 4), blank(4, 3)];
        assert_eq!(edge_blanks(&cells), [blank(3, 2), blank(9, 1), blank(5, 4)]);
        assert!(edge_blanks(&[cell(1, 1, 1)]).is_empty());
    }

    /// The workbook a range format gives is the one per-cell formatted writes give.
    #[test]
    fn applied_formats_write_the_same_sheet_as_formatted_writes() {
        let bold = XlFormat::new().set_bold();
        let money = XlFormat::new().set_num_format("#,##0.00");
        let sheet = |deferred: bool| {
            let mut wb = rust_xlsxwriter::Workbook::new();
            let ws = wb.add_worksheet();
            if deferred {
                let mut p = Pending::default();
                ws.write_string(0, 0, "a").unwrap();
                p.value(0, 0, 0);
                ws.write_number(1, 1, 2.5).unwrap();
                p.value(1, 1, 1);
                p.blank(4, 3, 1);
                p.blank(2, 0, 0);
                p.apply(ws, &[bold.clone(), money.clone()]).unwrap();
            } else {
                ws.write_string_with_format(0, 0, "a", &bold).unwrap();
                ws.write_number_with_format(1, 1, 2.5, &money).unwrap();
                ws.write_blank(4, 3, &money).unwrap();
                ws.write_blank(2, 0, &bold).unwrap();
            }
            let bytes = wb.save_to_buffer().unwrap();
            super::super::tests::part(&bytes, "xl/worksheets/sheet1.xml")
        };
        assert_eq!(sheet(true), sheet(false));
    }
}
