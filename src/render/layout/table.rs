//! Tables: column widths from content, a smaller font for wide tables, wrapped and cut cells,
//! and rows that break across pages with the header repeated.

use super::text::fits_one_line;
use super::*;

impl Layout {
    /// Column widths from content. Every column has a natural width (widest cell, or its widest
    /// header word) and a minimum: numbers and dates must show whole, so their minimum is their
    /// widest value (a long header wraps instead); a text column may shrink to its header word
    /// or 40 pt, its cells then wrap and end with an ellipsis. Spare width goes to text columns;
    /// when the natural widths do not fit, numbers get their natural width first, then text
    /// columns share what is left, narrow ones whole (water-filling). Only when even the
    /// minimums overflow is every column scaled down.
    fn column_widths(&self, t: &Table, ems: &CellEms) -> Vec<f32> {
        let pad = 2.0 * CELL_PAD + 0.5;
        let n = t.columns.len();
        let mut natural = Vec::with_capacity(n);
        let mut minimum = Vec::with_capacity(n);
        let mut texty = Vec::with_capacity(n);
        for (i, c) in t.columns.iter().enumerate() {
            let head_word =
                c.label.split(' ').map(|w| self.width(w, true, self.table_fs * 0.975)).fold(0.0f32, f32::max);
            // The totals row is drawn bold.
            let cells = ems
                .rows
                .iter()
                .chain(ems.totals_bold.iter())
                .filter_map(|r| r.get(i))
                .map(|em| self.table_fs * em)
                .fold(0.0f32, f32::max);
            let min_fill = if c.fill { 60.0 } else { 0.0 };
            let is_text = !is_numeric(c.format) && c.format != ValueFormat::Date;
            let nat = head_word.max(cells).max(min_fill).min(WIDTH * 0.6) + pad;
            // A text column keeps room for its longest word (up to 90 pt), so names wrap
            // between words rather than inside them.
            let longest_word = if is_text {
                t.rows
                    .iter()
                    .filter_map(|r| r.get(i))
                    .flat_map(|cell| cell.value.text.split_whitespace())
                    .map(|w| self.width(w, false, self.table_fs))
                    .fold(0.0f32, f32::max)
                    .min(90.0)
            } else {
                0.0
            };
            let min = if is_text {
                head_word.max(40.0f32.min(cells)).max(longest_word).max(min_fill).min(nat - pad) + pad
            } else {
                cells.max(min_fill).clamp(12.0, WIDTH * 0.6) + pad
            };
            natural.push(nat);
            minimum.push(min.min(nat));
            texty.push(is_text);
        }
        let total: f32 = natural.iter().sum();
        let text_total: f32 = natural.iter().zip(&texty).filter(|(_, t)| **t).map(|(w, _)| w).sum();
        if total <= WIDTH {
            let spare = WIDTH - total;
            return natural
                .iter()
                .zip(&texty)
                .map(|(w, t)| {
                    if text_total > 0.0 {
                        w + if *t { spare * w / text_total } else { 0.0 }
                    } else {
                        w + spare * w / total
                    }
                })
                .collect();
        }
        let min_total: f32 = minimum.iter().sum();
        if min_total > WIDTH {
            return minimum.iter().map(|w| w * WIDTH / min_total).collect();
        }
        // Numbers first: from their minimum up to their natural width, as room allows.
        let mut widths = minimum.clone();
        let mut room = WIDTH - min_total;
        let num_gap: f32 = (0..n).filter(|&i| !texty[i]).map(|i| natural[i] - minimum[i]).sum();
        if num_gap > 0.0 {
            let k = (room / num_gap).min(1.0);
            for i in (0..n).filter(|&i| !texty[i]) {
                let add = (natural[i] - minimum[i]) * k;
                widths[i] += add;
                room -= add;
            }
        }
        // Then text columns, water-filling: narrow ones reach their natural width whole.
        let mut order: Vec<usize> = (0..n).filter(|&i| texty[i]).collect();
        order.sort_by(|&a, &b| (natural[a] - minimum[a]).total_cmp(&(natural[b] - minimum[b])));
        let mut left = order.len();
        for &i in &order {
            let want = natural[i] - minimum[i];
            let share = room / left as f32;
            let add = want.min(share);
            widths[i] += add;
            room -= add;
            left -= 1;
        }
        if room > 0.01 {
            // Everything is natural and room is left (cannot happen when total > WIDTH, kept
            // for safety): give it to the text columns.
            let tw: f32 = (0..n).filter(|&i| texty[i]).map(|i| widths[i]).sum();
            for i in (0..n).filter(|&i| texty[i]) {
                widths[i] += room * widths[i] / tw.max(1.0);
            }
        }
        widths
    }

    /// Sum of the columns' natural widths at the current table font size.
    fn natural_total(&self, t: &Table, ems: &CellEms) -> f32 {
        let pad = 2.0 * CELL_PAD + 0.5;
        (0..t.columns.len())
            .map(|i| {
                let c = &t.columns[i];
                let head = c
                    .label
                    .split(' ')
                    .map(|w| self.width(w, true, self.table_fs * 0.975))
                    .fold(0.0f32, f32::max);
                let cells = ems
                    .rows
                    .iter()
                    .chain(ems.totals.iter())
                    .filter_map(|r| r.get(i))
                    .map(|em| self.table_fs * em)
                    .fold(0.0f32, f32::max);
                head.max(cells).max(if c.fill { 60.0 } else { 0.0 }).min(WIDTH * 0.6) + pad
            })
            .sum()
    }

    #[cfg(test)]
    fn column_widths_for_test(&self, t: &Table) -> Vec<f32> {
        self.column_widths(t, &CellEms::of(self, t))
    }

    pub(super) fn table(&mut self, t: &Table) {
        if t.columns.is_empty() {
            return;
        }
        // A form's blank rows are for writing in: on paper two show the way, the workbook
        // has room for the rest.
        let mut left_out = None;
        let mut rows = shown_rows(t);
        if let Some(last) = &t.pdf_last {
            let all = rows.as_ref().unwrap_or(&t.rows);
            if all.len() > last.rows {
                left_out = Some(last.more.replace("{count}", &(all.len() - last.rows).to_string()));
                rows = Some(all[all.len() - last.rows..].to_vec());
            }
        }
        let trimmed;
        let t = match rows {
            Some(rows) => {
                trimmed = Table { rows, pdf_last: None, ..t.clone_without_rows() };
                &trimmed
            }
            None => t,
        };
        // A table wider than the page at the normal size is set smaller (down to 6.5 pt)
        // before any column has to be cut.
        self.table_fs = TABLE_FS;
        let ems = CellEms::of(self, t);
        let natural = self.natural_total(t, &ems);
        if natural > WIDTH {
            self.table_fs = (TABLE_FS * WIDTH / natural).max(6.5);
        }
        let widths = self.column_widths(t, &ems);
        let (hfs, hlh) = (self.table_fs * 0.975, self.table_fs * 1.19);
        let headers: Vec<Vec<String>> = t
            .columns
            .iter()
            .zip(&widths)
            .map(|(c, w)| {
                let inner = w - 2.0 * CELL_PAD;
                let mut lines: Vec<String> = self
                    .wrap(&[(&c.label, true)], hfs, inner)
                    .into_iter()
                    .map(|l| l.segs.into_iter().map(|s| s.0).collect())
                    .collect();
                if lines.len() > 3 {
                    let rest = lines[2..].join(" ");
                    lines.truncate(2);
                    lines.push(self.ellipsize(&rest, true, hfs, inner));
                }
                lines
            })
            .collect();
        let header_h = headers.iter().map(Vec::len).max().unwrap_or(1).max(1) as f32 * hlh + 8.0;
        let head = TableHead { widths: &widths, headers: &headers, table: t, h: header_h, fs: hfs, lh: hlh };
        // The header never sits alone at the foot of a page. A blank form needs one row to
        // show what to write: it keeps to the page it starts on with one row when two do not fit.
        let blank_form = !t.rows.is_empty() && t.rows.iter().all(|r| is_blank(r));
        let first_rows = if blank_form { 1 } else { t.rows.len().min(2) };
        self.ensure(header_h + ROW_H * first_rows as f32);
        let rows = if blank_form {
            let room = ((BOTTOM - self.y - header_h) / ROW_H).floor().max(1.0) as usize;
            &t.rows[..t.rows.len().min(room)]
        } else {
            &t.rows[..]
        };
        self.table_header(&head);
        for (r, row) in rows.iter().enumerate() {
            let (lines, h) = self.row_lines(&head, row, &ems.rows[r], false);
            if self.y + h > BOTTOM {
                // Blank rows to write in never start a page of their own.
                if t.totals.is_none() && rows[r..].iter().all(|row| is_blank(row)) {
                    break;
                }
                self.new_page();
                self.table_header(&head);
            }
            self.table_row(&head, row, lines, h, r % 2 == 1, false);
        }
        if let Some(totals) = &t.totals {
            let (lines, h) = self.row_lines(&head, totals, ems.totals_bold.as_deref().unwrap_or(&[]), true);
            if self.y + h + 2.0 > BOTTOM {
                self.new_page();
                self.table_header(&head);
            }
            self.table_row(&head, totals, lines, h, false, true);
        }
        if let Some(more) = left_out {
            // What the paper leaves out, said under the table.
            self.ensure(BODY_LH);
            let text = self.ellipsize(&more, false, self.table_fs, WIDTH);
            self.text(MARGIN_X + CELL_PAD, self.y + BODY_LH * 0.72, self.table_fs, false, MUTED, &text, 0.0);
            self.y += BODY_LH;
        }
        self.y += BLOCK_GAP + 2.0;
    }

    fn table_header(&mut self, head: &TableHead) {
        let top = self.y;
        self.rect(MARGIN_X, top, WIDTH, head.h, Some(NAVY), None);
        let mut x = MARGIN_X;
        for ((c, w), lines) in head.table.columns.iter().zip(head.widths).zip(head.headers) {
            let right = is_numeric(c.format) || c.format == ValueFormat::Date;
            let mut base = top + 4.0 + head.fs;
            for line in lines {
                // Only a right-aligned line needs its width.
                let lx =
                    if right { x + w - CELL_PAD - self.width(line, true, head.fs) } else { x + CELL_PAD };
                self.text(lx, base, head.fs, true, WHITE, line, 0.0);
                base += head.lh;
            }
            x += w;
        }
        self.y = top + head.h;
    }

    /// A row's cell lines: text cells wrap to [`CELL_LINES`] lines (the last cut with an
    /// ellipsis), numbers and dates stay on one line; and the row's height. `ems` are the
    /// cells' widths in em as drawn ([`CellEms`]): a cell that fits is taken whole without
    /// measuring it again (most cells of a plan do).
    fn row_lines(&self, head: &TableHead, row: &[Cell], ems: &[f32], totals: bool) -> (Vec<CellLines>, f32) {
        let lines: Vec<CellLines> = row
            .iter()
            .zip(&head.table.columns)
            .zip(head.widths)
            .enumerate()
            .map(|(i, ((cell, c), w))| {
                let bold = totals || cell.highlight;
                let inner = w - 2.0 * CELL_PAD;
                let text = &cell.value.text;
                // `size * em` is to the bit what measuring the text at `size` gives.
                let width = ems.get(i).map(|em| self.table_fs * em);
                if right_aligned(c, cell) {
                    match width {
                        // What `ellipsize` gives for a text that fits, with its width known.
                        Some(width) if width <= inner => {
                            CellLines { lines: vec![text.clone()], width: Some(width) }
                        }
                        _ => CellLines {
                            lines: vec![self.ellipsize(text, bold, self.table_fs, inner)],
                            width: None,
                        },
                    }
                } else if width.is_some_and(|width| fits_one_line(text, width, inner)) {
                    CellLines { lines: vec![text.clone()], width }
                } else {
                    let mut lines: Vec<String> = self
                        .wrap(&[(&cell.value.text, bold)], self.table_fs, inner)
                        .into_iter()
                        .map(|l| l.segs.into_iter().map(|s| s.0).collect())
                        .collect();
                    if lines.len() > CELL_LINES {
                        let rest = lines[CELL_LINES - 1..].join(" ");
                        lines.truncate(CELL_LINES - 1);
                        lines.push(self.ellipsize(&rest, bold, self.table_fs, inner));
                    }
                    CellLines { lines, width: None }
                }
            })
            .collect();
        let n = lines.iter().map(|l| l.lines.len()).max().unwrap_or(1).max(1);
        (lines, ROW_H + (n - 1) as f32 * self.table_fs * (CELL_LH / TABLE_FS))
    }

    fn table_row(
        &mut self,
        head: &TableHead,
        row: &[Cell],
        lines: Vec<CellLines>,
        h: f32,
        zebra: bool,
        totals: bool,
    ) {
        let top = self.y;
        if totals {
            self.rect(MARGIN_X, top, WIDTH, h, Some(TOTALS), None);
            self.hline(MARGIN_X, MARGIN_X + WIDTH, top, NAVY, 0.8);
        } else if zebra {
            self.rect(MARGIN_X, top, WIDTH, h, Some(ZEBRA), None);
        }
        let base = top + ROW_H / 2.0 + self.table_fs * 0.36;
        let mut x = MARGIN_X;
        for (((cell, c), w), cell_lines) in row.iter().zip(&head.table.columns).zip(head.widths).zip(lines) {
            let bold = totals || cell.highlight;
            if cell.highlight {
                self.rect(x, top, *w, h, Some(HIGHLIGHT), None);
            }
            let right = right_aligned(c, cell);
            let ink = if cell.link.is_some() { BLUE } else { INK };
            for (k, text) in cell_lines.lines.into_iter().enumerate() {
                // Only a right-aligned line needs its width (measuring is most of a table's cost).
                let tx = if right {
                    let width = cell_lines.width.unwrap_or_else(|| self.width(&text, bold, self.table_fs));
                    x + w - CELL_PAD - width
                } else {
                    x + CELL_PAD
                };
                self.text_owned(
                    tx,
                    base + k as f32 * self.table_fs * (CELL_LH / TABLE_FS),
                    self.table_fs,
                    bold,
                    ink,
                    text,
                    0.0,
                );
            }
            if let Some(target) = cell.link.as_deref().filter(|_| !cell.value.text.is_empty()) {
                self.link(x, top, *w, h, target);
            }
            if c.fill && cell.value.text.is_empty() {
                // A fill-in column shows a line to write on.
                self.push(Item::Line {
                    points: vec![(x + CELL_PAD, top + h - 3.5), (x + w - CELL_PAD, top + h - 3.5)],
                    color: Rgb(170, 178, 189),
                    width: 0.5,
                    dash: true,
                });
            }
            x += w;
        }
        if !totals {
            self.hline(MARGIN_X, MARGIN_X + WIDTH, top + h, RULE, 0.4);
        }
        self.y = top + h;
    }
}

/// The rows a table shows on paper when some are left out: every row with content, and at
/// most [`BLANK_ROWS_SHOWN`] of the blank ones. None when it shows them all.
fn shown_rows(t: &Table) -> Option<Vec<Vec<Cell>>> {
    let blank = |r: &Vec<Cell>| is_blank(r);
    if t.rows.iter().filter(|r| blank(r)).count() <= BLANK_ROWS_SHOWN {
        return None;
    }
    let mut blanks = 0;
    let rows = t
        .rows
        .iter()
        .filter(|r| {
            let b = blank(r);
            blanks += usize::from(b);
            !b || blanks <= BLANK_ROWS_SHOWN
        })
        .cloned()
        .collect();
    Some(rows)
}

/// Whether a row has nothing written in it.
fn is_blank(row: &[Cell]) -> bool {
    row.iter().all(|c| c.value.text.trim().is_empty())
}

/// Blank fill-in rows a table shows in the PDF.
const BLANK_ROWS_SHOWN: usize = 2;

/// Each cell's width in em, measured once per table: the columns are sized from them twice
/// (the natural total, then the widths, at a smaller size when the table is too wide), and
/// `size * em` is to the bit what measuring at `size` gives ([`Face::width`]).
struct CellEms {
    /// Body rows, each cell in its face (bold when highlighted).
    rows: Vec<Vec<f32>>,
    /// The totals row with each cell in its own face, as the natural total counts it…
    totals: Option<Vec<f32>>,
    /// …and all bold, as it is drawn.
    totals_bold: Option<Vec<f32>>,
}

impl CellEms {
    fn of(l: &Layout, t: &Table) -> CellEms {
        let row = |r: &[Cell], bold: Option<bool>| -> Vec<f32> {
            r.iter().map(|c| l.em(&c.value.text, bold.unwrap_or(c.highlight))).collect()
        };
        CellEms {
            rows: t.rows.iter().map(|r| row(r, None)).collect(),
            totals: t.totals.as_deref().map(|r| row(r, None)),
            totals_bold: t.totals.as_deref().map(|r| row(r, Some(true))),
        }
    }
}

/// A cell's lines as drawn, and the width of its line when it is one line already measured.
struct CellLines {
    lines: Vec<String>,
    width: Option<f32>,
}

struct TableHead<'a> {
    widths: &'a [f32],
    headers: &'a [Vec<String>],
    table: &'a Table,
    h: f32,
    fs: f32,
    lh: f32,
}

/// Numbers and dates align right (by their column's format, or the cell's own).
fn right_aligned(c: &Column, cell: &Cell) -> bool {
    is_numeric(c.format) || c.format == ValueFormat::Date || is_numeric(cell.value.format)
}

fn is_numeric(f: ValueFormat) -> bool {
    matches!(f, ValueFormat::Money | ValueFormat::Percent | ValueFormat::Int | ValueFormat::Number)
}

#[cfg(test)]
mod tests {
    use super::super::tests::*;
    use super::*;
    use crate::document::Value;

    #[test]
    fn long_table_breaks_pages_and_repeats_its_header() {
        let pages = layout(
            &doc(vec![section(false, vec![Block::Table(long_table(120))])]),
            "Página {page} de {pages}",
            "es",
        );
        assert!(pages.len() >= 3, "{} pages", pages.len());
        let mut seen = Vec::new();
        for (i, p) in pages.iter().enumerate() {
            let texts: Vec<&str> = p.texts().collect();
            assert_eq!(texts.iter().filter(|t| **t == "Cliente").count(), 1, "header once on page {}", i + 1);
            assert_eq!(texts.iter().filter(|t| **t == "Ventas").count(), 1);
            assert!(texts.contains(&format!("Página {} de {}", i + 1, pages.len()).as_str()));
            seen.extend(texts.iter().filter(|t| t.starts_with("Cliente ")).map(|t| t.to_string()));
            for item in &p.items {
                if let Item::Rect { y, h, .. } = item {
                    assert!(y + h <= BOTTOM + 0.01, "rows stay above the footer");
                }
            }
        }
        let want: Vec<String> = (0..120).map(|i| format!("Cliente {i:03}")).collect();
        assert_eq!(seen, want, "every row once, in order");
        assert!(pages.last().unwrap().texts().any(|t| t == "Total"));
    }

    #[test]
    fn long_text_cells_wrap_to_three_lines_then_cut() {
        let mut t = long_table(2);
        t.columns.push(Column {
            label: "Motivos".into(),
            format: ValueFormat::Text,
            choices: vec![],
            fill: false,
            name: None,
            formula: None,
        });
        t.rows[0].push(text_cell("Clase A"));
        t.rows[1].push(text_cell(&"cuenta clave por crecimiento sostenido y margen alto ".repeat(12)));
        t.totals.as_mut().unwrap().push(text_cell(""));
        let pages = layout(&doc(vec![section(false, vec![Block::Table(t)])]), "", "es");
        let cells: Vec<(f32, String)> = pages[0]
            .items
            .iter()
            .filter_map(|i| match i {
                Item::Text { y, text, .. } if text.starts_with("cuenta") || text.contains("margen") => {
                    Some((*y, text.clone()))
                }
                _ => None,
            })
            .collect();
        assert_eq!(cells.len(), 3, "{cells:?}");
        assert!(cells[2].1.ends_with('…'));
        assert!((cells[1].0 - cells[0].0 - CELL_LH).abs() < 0.01, "lines stacked in one row");
        assert!(pages[0].texts().any(|t| t == "Clase A"));
    }

    #[test]
    fn column_widths_fill_the_width_and_keep_short_columns_whole() {
        let l = lay();
        let mut t = long_table(3);
        let w = l.column_widths_for_test(&t);
        assert!((w.iter().sum::<f32>() - WIDTH).abs() < 0.5);
        t.columns.push(Column {
            label: "ABC".into(),
            format: ValueFormat::Text,
            choices: vec![],
            fill: false,
            name: None,
            formula: None,
        });
        for r in t.rows.iter_mut().chain(t.totals.iter_mut()) {
            r.push(text_cell("A"));
        }
        t.rows[0][0] = text_cell(&"muy largo ".repeat(50));
        let w = l.column_widths_for_test(&t);
        assert!((w.iter().sum::<f32>() - WIDTH).abs() < 0.5, "{w:?}");
        assert!(w[2] >= l.width("ABC", true, 7.8) + 2.0 * CELL_PAD, "short text column not squeezed: {w:?}");
    }

    #[test]
    fn numbers_are_never_cut_when_a_wide_table_must_shrink() {
        let l = lay();
        let money = |v: f64| Cell {
            value: Value {
                text: format!("{v:.2} €"),
                format: ValueFormat::Money,
                number: Some(v),
                date: None,
            },
            highlight: false,
            link: None,
            formula: None,
        };
        let mut columns = vec![Column {
            label: "Cuenta".into(),
            format: ValueFormat::Text,
            choices: vec![],
            fill: false,
            name: None,
            formula: None,
        }];
        for k in 0..6 {
            columns.push(Column::new(format!("Importe acumulado {k}"), ValueFormat::Money));
        }
        let mut row = vec![text_cell(&"Distribuidora Hostelera Hermanos Ferrer ".repeat(3))];
        row.extend((0..6).map(|_| money(1_178_117.73)));
        let t =
            Table { name: "t".into(), columns, rows: vec![row], totals: None, pdf_last: None, area: None };
        let w = l.column_widths_for_test(&t);
        assert!((w.iter().sum::<f32>() - WIDTH).abs() < 0.5, "{w:?}");
        let need = l.width("1178117.73 €", false, TABLE_FS) + 2.0 * CELL_PAD;
        for (i, wi) in w.iter().enumerate().skip(1) {
            assert!(*wi >= need, "money column {i} cut: {wi} < {need} ({w:?})");
        }
        assert!(w[0] >= 40.0, "the name column keeps a readable width: {w:?}");
    }
}
