//! Charts: native Excel charts (bars, lines, Pareto with a cumulative line on a secondary axis)
//! and the hidden data sheet that holds their data and long drop-down lists.

use rust_xlsxwriter::{
    Chart as XlChart, ChartAxisLabelPosition, ChartLegendPosition, ChartType, Worksheet, XlsxError,
};

use super::cells::{cell_text, Look, Styles};
use super::SectionWriter;
use crate::document::{Chart, ChartKind, Series, SeriesKind, ValueFormat};
use crate::render::xlsx_layout::{self as layout, chart_rows, Words};

/// Chart size in pixels.
pub(super) const CHART_WIDTH: u32 = 720;
const CHART_HEIGHT: u32 = 320;
/// Charts with more categories than this hide the category labels (they would overlap).
const MAX_CATEGORY_LABELS: usize = 40;

impl SectionWriter<'_> {
    pub(super) fn chart(&mut self, row: u32, c: &Chart) -> Result<u32, XlsxError> {
        let Some(refs) = self.data.add_chart(c, self.words) else {
            return Ok(row);
        };
        let sheet = refs.sheet.as_str();
        let primary_kind = match c.kind {
            ChartKind::Line => SeriesKind::Line,
            ChartKind::Bar | ChartKind::Pareto => SeriesKind::Bar,
        };
        let chart_type = |k: SeriesKind| match k {
            SeriesKind::Bar => ChartType::Column,
            SeriesKind::Line => ChartType::Line,
        };
        let mut primary = XlChart::new(chart_type(primary_kind));
        let other_kind = match primary_kind {
            SeriesKind::Bar => SeriesKind::Line,
            SeriesKind::Line => SeriesKind::Bar,
        };
        let mut other = XlChart::new(chart_type(other_kind));
        let mut has_other = false;
        let (mut y_format, mut y2_format) = (c.format, None);
        for s in &refs.series {
            let target = if s.kind == primary_kind {
                &mut primary
            } else {
                has_other = true;
                &mut other
            };
            let series = target
                .add_series()
                .set_name((sheet, refs.header_row, s.col))
                .set_categories((sheet, refs.first_row, 0, refs.last_row, 0))
                .set_values((sheet, refs.first_row, s.col, s.last_row, s.col))
                .set_secondary_axis(s.secondary);
            if s.kind == SeriesKind::Bar {
                // Many bars need thin gaps to stay visible.
                series.set_gap(if refs.points > MAX_CATEGORY_LABELS { 10 } else { 60 });
            }
            if s.secondary {
                y2_format = Some(s.format);
            } else if c.format == ValueFormat::Text {
                y_format = s.format;
            }
        }
        if has_other {
            primary.combine(&other);
        }
        primary.title().set_name((sheet, refs.title_row, 0));
        let (lang, cur) = (self.styles.lang.clone(), self.styles.currency.clone());
        primary.y_axis().set_num_format(layout::axis_format(y_format, &lang, &cur));
        if let Some(f) = y2_format {
            let axis = primary.y2_axis();
            axis.set_num_format(layout::axis_format(f, &lang, &cur));
            if c.kind == ChartKind::Pareto || f == ValueFormat::Percent {
                axis.set_min(0.0).set_max(1.0);
            }
        }
        if refs.points > MAX_CATEGORY_LABELS {
            primary.x_axis().set_label_position(ChartAxisLabelPosition::None);
        }
        if refs.series.len() > 1 {
            primary.legend().set_position(ChartLegendPosition::Bottom);
        } else {
            primary.legend().set_hidden();
        }
        primary.set_width(CHART_WIDTH).set_height(CHART_HEIGHT);
        self.ws.insert_chart_with_offset(row, 0, &primary, 0, 4)?;
        Ok(row + chart_rows(CHART_HEIGHT))
    }
}

/// Where one chart series lives on the data sheet.
struct SeriesRef {
    col: u16,
    last_row: u32,
    kind: SeriesKind,
    secondary: bool,
    format: ValueFormat,
}

/// Where one chart's data lives on the data sheet.
struct ChartRefs {
    sheet: String,
    title_row: u32,
    header_row: u32,
    first_row: u32,
    last_row: u32,
    points: usize,
    series: Vec<SeriesRef>,
}

enum DataCell {
    Text(String),
    Number(f64, ValueFormat),
}

/// The hidden sheet holding chart data and long drop-down lists, filled while sections are
/// written and written last.
pub(super) struct DataSheet {
    pub(super) name: Option<String>,
    cells: Vec<(u32, u16, DataCell)>,
    next_row: u32,
}

impl DataSheet {
    pub(super) fn new(name: Option<String>) -> DataSheet {
        DataSheet { name, cells: Vec::new(), next_row: 0 }
    }

    fn text(&mut self, row: u32, col: u16, s: &str) {
        self.cells.push((row, col, DataCell::Text(cell_text(s).to_string())));
    }

    /// Writes a chart's data block: title, a header of series names, one row per category.
    /// None when the chart has no points (nothing to draw).
    fn add_chart(&mut self, c: &Chart, words: Words) -> Option<ChartRefs> {
        let sheet = self.name.clone()?;
        let mut series: Vec<Series> = c
            .series
            .iter()
            .filter(|s| !s.points.is_empty())
            .map(|s| Series {
                secondary_axis: s.secondary_axis
                    || (c.kind == ChartKind::Pareto && s.kind == SeriesKind::Line),
                ..s.clone()
            })
            .collect();
        // A Pareto given only its bars gets its cumulative line computed here.
        if c.kind == ChartKind::Pareto && series.iter().all(|s| s.kind == SeriesKind::Bar) {
            let bars = &series.first()?.points;
            let values: Vec<f64> = bars.iter().map(|p| p.1).collect();
            let points =
                bars.iter().zip(layout::cumulative_shares(&values)).map(|(p, v)| (p.0.clone(), v)).collect();
            series.push(Series {
                name: words.cumulative.into(),
                kind: SeriesKind::Line,
                secondary_axis: true,
                format: ValueFormat::Percent,
                points,
            });
        }
        // Categories from the first of the longest series.
        let longest = series.iter().fold(None::<&Series>, |best, s| match best {
            Some(b) if b.points.len() >= s.points.len() => Some(b),
            _ => Some(s),
        })?;
        let categories: Vec<String> = longest.points.iter().map(|p| p.0.clone()).collect();
        let title_row = self.next_row;
        let header_row = title_row + 1;
        let first_row = header_row + 1;
        self.text(title_row, 0, &c.title);
        for (i, label) in categories.iter().enumerate() {
            self.text(first_row + i as u32, 0, label);
        }
        let mut refs = Vec::new();
        for (k, s) in series.iter().enumerate() {
            let col = (k + 1) as u16;
            self.text(header_row, col, &s.name);
            for (i, (_, v)) in s.points.iter().enumerate() {
                if v.is_finite() {
                    self.cells.push((first_row + i as u32, col, DataCell::Number(*v, s.format)));
                }
            }
            refs.push(SeriesRef {
                col,
                last_row: first_row + s.points.len() as u32 - 1,
                kind: s.kind,
                secondary: s.secondary_axis,
                format: s.format,
            });
        }
        let last_row = first_row + categories.len() as u32 - 1;
        self.next_row = last_row + 2;
        Some(ChartRefs {
            sheet,
            title_row,
            header_row,
            first_row,
            last_row,
            points: categories.len(),
            series: refs,
        })
    }

    /// Writes a drop-down list's choices in a column; the range formula, or None without a
    /// data sheet.
    pub(super) fn add_list(&mut self, choices: &[String]) -> Option<String> {
        let sheet = self.name.clone()?;
        let first = self.next_row;
        for (i, c) in choices.iter().enumerate() {
            self.text(first + i as u32, 0, c);
        }
        let last = first + choices.len().max(1) as u32 - 1;
        self.next_row = last + 2;
        Some(format!("='{}'!$A${}:$A${}", sheet.replace('\'', "''"), first + 1, last + 1))
    }

    pub(super) fn write(&self, ws: &mut Worksheet, name: &str, styles: &mut Styles) -> Result<(), XlsxError> {
        ws.set_name(name)?;
        ws.set_hidden(true);
        ws.set_column_width(0, 28)?;
        for (row, col, cell) in &self.cells {
            match cell {
                DataCell::Text(s) => {
                    ws.write_string(*row, *col, s)?;
                }
                DataCell::Number(v, f) => {
                    ws.write_number_with_format(*row, *col, *v, styles.get(*f, Look::Plain))?;
                }
            }
        }
        Ok(())
    }
}
