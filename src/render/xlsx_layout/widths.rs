//! Column widths and print setup: widths from content that keep a sheet printable on one page
//! wide with readable text, and whether it prints portrait or landscape.
//!
//! Excel measures a column in characters of its default font (Calibri 11, 7 pixels a digit):
//! a column `w` characters wide is `7w + 5` pixels. A4 leaves 659 pixels of printable width in
//! portrait and 988 in landscape (0.7-inch margins, 96 dpi). A sheet printed "one page wide"
//! is scaled by printable ÷ sheet width; text stays at least 8 pt when that scale is at least
//! 8/11, so a sheet is never wider than [`LANDSCAPE_PX`] ÷ (8/11) pixels.

use super::{text_width, FIELD_INPUT_WIDTH, MAX_WIDTH, MIN_WIDTH, TEXT_CAP, TEXT_MIN, TEXT_WIDTH};
use crate::document::{Block, Media, Section, ValueFormat};

/// Printable width of an A4 page in portrait, in pixels.
pub const PORTRAIT_PX: f64 = 659.0;
/// Printable width of an A4 page in landscape, in pixels.
pub const LANDSCAPE_PX: f64 = 988.0;
/// The smallest print scale: 11-point text printed at 8 points.
pub const MIN_SCALE: f64 = 8.0 / 11.0;
/// Portrait while the sheet prints at this scale or more; else landscape.
const PORTRAIT_SCALE: f64 = 0.85;

/// A column's width in pixels.
pub fn column_px(width: f64) -> f64 {
    (width * 7.0 + 5.0).round()
}

/// The width a sheet prints: its columns, or a wider object on it (a chart), in pixels.
pub fn print_width_px(widths: &[f64], objects_px: f64) -> f64 {
    widths.iter().map(|w| column_px(*w)).sum::<f64>().max(objects_px)
}

/// How a sheet prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Orientation {
    Portrait,
    Landscape,
}

/// Portrait when the sheet fits a portrait page at 85 % or more, else landscape.
pub fn orientation(width_px: f64) -> Orientation {
    if width_px * PORTRAIT_SCALE <= PORTRAIT_PX {
        Orientation::Portrait
    } else {
        Orientation::Landscape
    }
}

/// KPIs per row: a sheet shows them as the PDF does, as cards side by side (label above,
/// figure below), at most four to a row.
pub fn kpi_columns(n: usize) -> usize {
    match n {
        0 => 1,
        n @ 1..=4 => n,
        5 | 6 | 9 => 3,
        _ => 4,
    }
}

/// What a column needs: a width it cannot go below (numbers, dates, a header word), the width
/// its content would like (text wraps beyond it), and whether it holds text that may wrap.
#[derive(Debug, Clone, Copy, Default)]
struct Need {
    hard: f64,
    soft: f64,
    text: bool,
}

/// Column widths (characters) from the section's tables, KPI cards and fields. Numbers, dates
/// and a header's longest word are shown whole; text grows its column up to [`TEXT_CAP`] and
/// wraps beyond; a label wraps within its card. When the columns together are wider than a
/// landscape page at the smallest readable scale, text columns give way (down to
/// [`TEXT_MIN`]), the widest first. Headings, paragraphs, notes and lists span columns and do
/// not count. Tables start in column A. Blocks marked `only="pdf"` are not on the sheet.
pub fn column_widths(section: &Section) -> Vec<f64> {
    let mut needs: Vec<Need> = Vec::new();
    fn need(needs: &mut Vec<Need>, col: usize) -> &mut Need {
        if needs.len() <= col {
            needs.resize(col + 1, Need::default());
        }
        &mut needs[col]
    }
    // One character of padding so values do not touch the cell border.
    let pad = |w: f64| w + 1.0;
    for block in section.blocks_in(Media::Xlsx) {
        match block {
            Block::Kpis(kpis) => {
                let per_row = kpi_columns(kpis.len());
                for (i, k) in kpis.iter().enumerate() {
                    let n = need(&mut needs, i % per_row);
                    // Figures are bold and a little larger.
                    n.hard = n.hard.max(pad(text_width(&k.value.text) * 1.25)).max(12.0);
                    // Labels wrap to the card's width; the longest word stays whole.
                    let word = k.label.split(' ').map(text_width).fold(0.0, f64::max);
                    n.hard = n.hard.max(pad(word * 1.1));
                    n.soft = n.soft.max(pad(text_width(&k.label) * 1.1).min(20.0));
                }
            }
            Block::Table(t) => {
                for (j, c) in t.columns.iter().enumerate() {
                    let n = need(&mut needs, j);
                    // Bold header plus the autofilter button; a long header wraps.
                    let word = c.label.split(' ').map(text_width).fold(0.0, f64::max);
                    let head_word = word * 1.1 + 3.0;
                    n.hard = n.hard.max(pad(head_word));
                    n.soft = n.soft.max(pad(text_width(&c.label) * 1.1 + 3.0).min(pad(head_word).max(22.0)));
                    if !c.choices.is_empty() {
                        let widest = c.choices.iter().map(|s| text_width(s)).fold(0.0, f64::max);
                        n.hard = n.hard.max(widest + 2.0);
                    }
                    if c.fill && c.format == ValueFormat::Text {
                        n.hard = n.hard.max(16.0);
                        n.soft = n.soft.max(24.0);
                    }
                    if c.format == ValueFormat::Text {
                        n.text = true;
                    }
                }
                for row in t.rows.iter().chain(t.totals.iter()) {
                    for (j, cell) in row.iter().enumerate().take(t.columns.len()) {
                        let w = pad(text_width(&cell.value.text));
                        let n = need(&mut needs, j);
                        let numeric = cell.value.number.is_some() || cell.value.date.is_some();
                        if numeric || t.columns[j].format != ValueFormat::Text {
                            n.hard = n.hard.max(w);
                        } else {
                            n.soft = n.soft.max(w.min(TEXT_CAP));
                        }
                    }
                }
            }
            Block::Fields(fields) => {
                for f in fields {
                    let n = need(&mut needs, 0);
                    n.soft = n.soft.max(pad(text_width(&f.label) * 1.1).min(24.0));
                    n.text = true;
                    let n = need(&mut needs, 1);
                    n.hard = n.hard.max(pad(text_width(&f.value)).max(FIELD_INPUT_WIDTH));
                }
            }
            _ => {}
        }
    }
    let mut widths: Vec<f64> = needs.iter().map(|n| n.hard.max(n.soft).clamp(MIN_WIDTH, MAX_WIDTH)).collect();
    // Too wide to print readable: text columns give way, the widest first.
    let budget = LANDSCAPE_PX / MIN_SCALE;
    while print_width_px(&widths, 0.0) > budget {
        let floor = |i: usize| needs[i].hard.clamp(TEXT_MIN, MAX_WIDTH);
        let Some(i) = (0..widths.len())
            .filter(|&i| needs[i].text && widths[i] > floor(i) + 0.01)
            .max_by(|&a, &b| widths[a].total_cmp(&widths[b]))
        else {
            break;
        };
        widths[i] = (widths[i] - 1.0).max(floor(i));
    }
    widths
}

/// Columns a wrapped text block spans, and their total width: from column A until the width
/// reaches the used columns' total (at least [`TEXT_WIDTH`], at most a readable landscape
/// page), columns beyond the set ones counting Excel's default width.
pub fn text_span(widths: &[f64]) -> (usize, f64) {
    let page = ((LANDSCAPE_PX / MIN_SCALE) - 5.0) / 7.0 - 2.0;
    let target = widths.iter().sum::<f64>().clamp(TEXT_WIDTH, page);
    let mut total = 0.0;
    let mut n = 0;
    while total < target - 0.5 && n < 60 {
        total += widths.get(n).copied().unwrap_or(super::DEFAULT_WIDTH);
        n += 1;
    }
    (n.max(1), total)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::{Cell, Column, Kpi, Media, PageBreak, Table, Value};

    fn val(text: &str, format: ValueFormat, number: Option<f64>) -> Value {
        Value { text: text.into(), format, number, date: None }
    }

    fn section(blocks: Vec<Block>) -> Section {
        Section {
            id: None,
            media: Media::All,
            block_media: Default::default(),
            title: "s".into(),
            sheet: "s".into(),
            page_break: PageBreak::Auto,
            blocks,
        }
    }

    fn table(columns: Vec<Column>, rows: Vec<Vec<Value>>) -> Block {
        Block::Table(Table {
            name: "t".into(),
            columns,
            rows: rows.into_iter().map(|r| r.into_iter().map(Cell::new).collect()).collect(),
            totals: None,
            pdf_last: None,
            area: None,
        })
    }

    #[test]
    fn numbers_show_whole_text_wraps_past_its_cap() {
        let w = column_widths(&section(vec![
            Block::Kpis(vec![Kpi::new(
                "Ventas",
                val("1.234.567,89 €", ValueFormat::Money, Some(1234567.89)),
            )]),
            table(
                vec![Column::new("Nº", ValueFormat::Int), Column::new("Cliente", ValueFormat::Text)],
                vec![vec![
                    val("1", ValueFormat::Int, Some(1.0)),
                    val(&"x".repeat(200), ValueFormat::Text, None),
                ]],
            ),
        ]));
        assert_eq!(w.len(), 2);
        // Column A holds a KPI figure and the "Nº" of a table: the figure, not a label.
        assert!(w[0] >= 17.0 && w[0] < 22.0, "{w:?}");
        assert_eq!(w[1], TEXT_CAP, "long text wraps at the cap");
    }

    #[test]
    fn kpi_labels_wrap_within_their_card() {
        let kpis: Vec<Kpi> = ["Aumento mensual sobre la media actual", "Ventas", "Tasa", "Peso", "Margen"]
            .iter()
            .map(|l| Kpi::new(*l, val("12.345,67 €", ValueFormat::Money, Some(12345.67))))
            .collect();
        let w = column_widths(&section(vec![Block::Kpis(kpis)]));
        assert_eq!(w.len(), 3, "five cards: three to a row");
        assert!(w[0] <= 21.0, "a long label wraps instead of widening column A: {w:?}");
    }

    #[test]
    fn a_sheet_too_wide_gives_way_in_its_text_columns() {
        let mut columns = vec![Column::new("Importe", ValueFormat::Money)];
        columns.extend((0..8).map(|i| Column::new(format!("Notas {i}"), ValueFormat::Text)));
        let mut row = vec![val("1.234,56 €", ValueFormat::Money, Some(1234.56))];
        row.extend((0..8).map(|_| val(&"palabra ".repeat(10), ValueFormat::Text, None)));
        let w = column_widths(&section(vec![table(columns, vec![row])]));
        let px = print_width_px(&w, 0.0);
        assert!(LANDSCAPE_PX / px >= MIN_SCALE - 1e-9, "prints at {:.2}", LANDSCAPE_PX / px);
        assert!(w[0] >= 11.0, "the money column is not cut: {w:?}");
        assert_eq!(orientation(px), Orientation::Landscape);
    }

    #[test]
    fn orientation_follows_the_width() {
        assert_eq!(orientation(600.0), Orientation::Portrait);
        assert_eq!(orientation(775.0), Orientation::Portrait);
        assert_eq!(orientation(800.0), Orientation::Landscape);
        assert_eq!(column_px(8.43), 64.0);
        assert_eq!(kpi_columns(7), 4);
    }

    #[test]
    fn text_spans_cover_the_used_columns() {
        let (n, total) = text_span(&[10.0, 20.0]);
        assert!(total >= TEXT_WIDTH - 0.5 && n > 2);
        let (n, total) = text_span(&[50.0, 50.0, 50.0]);
        assert_eq!((n, total), (3, 150.0));
    }
}
