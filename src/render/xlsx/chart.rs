//! Charts: native Excel charts (bars, lines, Pareto with a cumulative line on a secondary axis)
//! and the hidden data sheet that holds their data and long drop-down lists.

use rust_xlsxwriter::{
    Chart as XlChart, ChartAxisLabelPosition, ChartFont, ChartFormat, ChartLegendPosition, ChartLine,
    ChartLineDashType, ChartMarker, ChartSolidFill, ChartType, Worksheet, XlsxError,
};

use super::cells::{cell_text, write_number, Look, Styles};
use super::SectionWriter;
use crate::document::{Chart, ChartKind, Series, SeriesKind, ValueFormat};
use crate::render::xlsx_layout::{self as layout, chart_rows, Words};

/// Chart size in pixels.
pub(super) const CHART_WIDTH: u32 = 720;
const CHART_HEIGHT: u32 = 320;
/// The height a chart prints, in points: its offset from the top of its first row and its own
/// height, at 96 pixels to 72 points.
pub(super) fn drawn_height() -> f64 {
    f64::from(CHART_OFFSET + CHART_HEIGHT) * 0.75
}
/// Pixels between the top of a chart's first row and the chart.
const CHART_OFFSET: u32 = 4;
/// Charts with more categories than this hide the category labels (they would overlap).
const MAX_CATEGORY_LABELS: usize = 40;

impl SectionWriter<'_> {
    pub(super) fn chart(&mut self, row: u32, c: &Chart) -> Result<u32, XlsxError> {
        let Some(refs) = self.data.add_chart(c, self.words) else {
            return Ok(row);
        };
        let sheet = refs.sheet.as_str();
        // Bands are columns drawn first, so a chart with bands is a column chart with its
        // lines combined over it.
        let primary_kind = match c.kind {
            ChartKind::Line if c.bands.is_empty() => SeriesKind::Line,
            ChartKind::Line | ChartKind::Bar | ChartKind::Pareto => SeriesKind::Bar,
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
        let mut bands = false;
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
            match s.role {
                // A band is a run of full-height columns on a hidden 0–1 axis behind the data.
                Role::Band(i) => {
                    bands = true;
                    series.set_gap(0).set_overlap(100).set_format(
                        ChartFormat::new()
                            .set_solid_fill(
                                ChartSolidFill::new().set_color(BAND_COLORS[i % BAND_COLORS.len()]),
                            )
                            .set_no_border(),
                    );
                    continue;
                }
                Role::Rule => {
                    series.set_marker(ChartMarker::new().set_none()).set_format(ChartFormat::new().set_line(
                        ChartLine::new().set_color("#C0392B").set_dash_type(ChartLineDashType::Dash),
                    ));
                }
                Role::Data if s.kind == SeriesKind::Bar => {
                    // Many bars need thin gaps to stay visible.
                    series.set_gap(if refs.points > MAX_CATEGORY_LABELS { 10 } else { 60 });
                }
                Role::Data => {
                    if refs.points > MAX_CATEGORY_LABELS {
                        series.set_marker(ChartMarker::new().set_none());
                    }
                }
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
        // A title the size of a heading, not Excel's 14 pt that wraps a long one to two lines.
        primary
            .title()
            .set_name((sheet, refs.title_row, 0))
            .set_font(ChartFont::new().set_bold().set_size(11));
        let (lang, cur) = (self.styles.lang.clone(), self.styles.currency.clone());
        primary.y_axis().set_num_format(layout::axis_format(y_format, &lang, &cur));
        if bands && refs.bands_on_primary {
            primary.y_axis().set_min(0.0).set_max(1.0);
        } else if bands {
            primary.y2_axis().set_min(0.0).set_max(1.0).set_hidden(true);
        }
        if let Some(f) = y2_format.filter(|_| !bands) {
            let axis = primary.y2_axis();
            axis.set_num_format(layout::axis_format(f, &lang, &cur));
            if c.kind == ChartKind::Pareto || f == ValueFormat::Percent {
                axis.set_min(0.0).set_max(1.0);
            }
        }
        if refs.sparse_labels {
            // A curve over every customer labelled at each tenth: every label shown, the
            // empty ones take no room.
            primary.x_axis().set_label_interval(1).set_tick_interval(refs.points.max(1) as u16);
        } else if refs.points > MAX_CATEGORY_LABELS {
            primary.x_axis().set_label_position(ChartAxisLabelPosition::None);
        }
        if refs.series.len() > 1 {
            primary.legend().set_position(ChartLegendPosition::Bottom);
        } else {
            primary.legend().set_hidden();
        }
        primary.set_width(CHART_WIDTH).set_height(CHART_HEIGHT);
        self.ws.insert_chart_with_offset(row, 0, &primary, 0, CHART_OFFSET)?;
        Ok(row + chart_rows(CHART_HEIGHT))
    }
}

/// The band fills, as the PDF draws them.
const BAND_COLORS: [&str; 3] = ["#E2ECF8", "#F0F4FA", "#F2F2F2"];

/// What a series on the data sheet is for.
#[derive(Clone, Copy)]
enum Role {
    Data,
    /// The n-th band of categories (1 inside it, empty elsewhere).
    Band(usize),
    /// A reference line: one value repeated.
    Rule,
}

/// Where one chart series lives on the data sheet.
struct SeriesRef {
    col: u16,
    last_row: u32,
    kind: SeriesKind,
    secondary: bool,
    format: ValueFormat,
    role: Role,
}

/// Where one chart's data lives on the data sheet.
struct ChartRefs {
    sheet: String,
    title_row: u32,
    header_row: u32,
    first_row: u32,
    last_row: u32,
    points: usize,
    /// Most categories have no label (a curve labelled at each tenth).
    sparse_labels: bool,
    /// The bands stand on the primary axis (a 0–1 share: a band is full height at 1).
    bands_on_primary: bool,
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
        let n = categories.len();
        let labelled = categories.iter().filter(|l| !l.trim().is_empty()).count();
        let sparse_labels = labelled > 0 && labelled * 2 < n;
        let mut roles = vec![Role::Data; series.len()];
        let bands_on_primary = series.iter().all(|s| s.secondary_axis || s.format == ValueFormat::Percent);
        // Bands behind, then reference lines, as series of their own on the data sheet.
        for (i, b) in c.bands.iter().enumerate() {
            let points = categories
                .iter()
                .enumerate()
                .map(|(k, l)| (l.clone(), if (b.from..=b.to).contains(&(k + 1)) { 1.0 } else { f64::NAN }))
                .collect();
            series.push(Series {
                name: b.label.clone(),
                kind: SeriesKind::Bar,
                secondary_axis: true,
                format: ValueFormat::Number,
                points,
            });
            roles.push(Role::Band(i));
        }
        let primary_format = series.first().map_or(c.format, |s| s.format);
        for (s, role) in series.iter_mut().zip(&roles) {
            if matches!(role, Role::Band(_)) && bands_on_primary {
                s.secondary_axis = false;
            }
        }
        for r in &c.rules {
            series.push(Series {
                name: r.label.clone(),
                kind: SeriesKind::Line,
                secondary_axis: false,
                format: primary_format,
                points: categories.iter().map(|l| (l.clone(), r.value)).collect(),
            });
            roles.push(Role::Rule);
        }
        let title_row = self.next_row;
        let header_row = title_row + 1;
        let first_row = header_row + 1;
        self.text(title_row, 0, &c.title);
        for (i, label) in categories.iter().enumerate() {
            self.text(first_row + i as u32, 0, label);
        }
        let mut refs = Vec::new();
        for (k, (s, role)) in series.iter().zip(roles).enumerate() {
            let col = (k + 1) as u16;
            self.text(header_row, col, &s.name);
            // Stored as the cells are: money to the cent, a share to a tenth of a percent plus
            // two digits (the axis shows less), an int whole.
            let decimals = match s.format {
                ValueFormat::Money => Some(2),
                ValueFormat::Percent => Some(5),
                ValueFormat::Number => Some(4),
                ValueFormat::Int => Some(0),
                ValueFormat::Text | ValueFormat::Date => None,
            };
            for (i, (_, v)) in s.points.iter().enumerate() {
                if v.is_finite() {
                    let v = decimals.map_or(*v, |d| layout::round_to(*v, d));
                    self.cells.push((first_row + i as u32, col, DataCell::Number(v, s.format)));
                }
            }
            refs.push(SeriesRef {
                col,
                last_row: first_row + s.points.len() as u32 - 1,
                kind: s.kind,
                secondary: s.secondary_axis,
                format: s.format,
                role,
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
            points: n,
            sparse_labels,
            bands_on_primary,
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
                    let style = styles.id(*f, None, Look::Plain);
                    write_number(ws, styles, *row, *col, *v, style)?;
                }
            }
        }
        styles.apply_pending(ws)
    }
}

#[cfg(test)]
mod tests {
    use calamine::{Data, Reader};

    use super::super::tests::{open, render, section};
    use crate::document::{Band, Block, Chart, ChartKind, Document, Rule, Series, SeriesKind, ValueFormat};

    /// A Pareto curve over 30 customers, labelled at each tenth, with its ABC bands and 80 % line.
    fn curve() -> Document {
        let n = 30;
        let points: Vec<(String, f64)> = (1..=n)
            .map(|i| {
                let label = if i % 3 == 0 { format!("{} %", i * 100 / n) } else { String::new() };
                (label, 1.0 - 0.9f64.powi(i))
            })
            .collect();
        let chart = Chart {
            kind: ChartKind::Line,
            title: "Curva de Pareto".into(),
            format: ValueFormat::Percent,
            series: vec![Series {
                name: "Peso acumulado".into(),
                kind: SeriesKind::Line,
                secondary_axis: false,
                format: ValueFormat::Percent,
                points,
            }],
            bands: vec![
                Band { label: "A (6)".into(), from: 1, to: 6 },
                Band { label: "B (9)".into(), from: 7, to: 15 },
                Band { label: "C (15)".into(), from: 16, to: 30 },
            ],
            rules: vec![Rule { label: "80 %".into(), value: 0.8 }],
        };
        Document {
            title: "Resumen".into(),
            lang: "es-ES".into(),
            author: "kamplan".into(),
            subject: "2026-10".into(),
            sections: vec![section("Resumen", vec![Block::Chart(chart)])],
        }
    }

    #[test]
    fn a_curve_keeps_every_point_with_its_bands_and_reference_line_as_data() {
        let mut x = open(render(&curve()));
        let data = x.worksheet_range("Datos").unwrap();
        let at = |r: u32, c: u32| data.get_value((r, c)).cloned().unwrap_or(Data::Empty);
        // Title, header (curve, three bands, the rule), then one row per customer.
        assert_eq!(at(0, 0), Data::String("Curva de Pareto".into()));
        let header: Vec<Data> = (1..=5).map(|c| at(1, c)).collect();
        let names = ["Peso acumulado", "A (6)", "B (9)", "C (15)", "80 %"];
        assert_eq!(header, names.map(|s| Data::String(s.into())));
        assert_eq!(data.end().unwrap().0, 31, "30 customers after title and header");
        // Sparse labels: every third customer is labelled, the others are blank.
        assert_eq!(at(4, 0), Data::String("10 %".into()));
        assert_eq!(at(2, 0), Data::Empty);
        for i in 1..=30u32 {
            let row = i + 1;
            let band = |c: u32| at(row, c) == Data::Float(1.0);
            assert_eq!([band(2), band(3), band(4)], [i <= 6, (7..=15).contains(&i), i >= 16], "customer {i}");
            assert_eq!(at(row, 5), Data::Float(0.8));
            // The share as shown (a tenth of a percent) plus two digits: five decimals.
            let Data::Float(v) = at(row, 1) else { panic!("customer {i}: {:?}", at(row, 1)) };
            let exact = 1.0 - 0.9f64.powi(i as i32);
            assert!((v - exact).abs() <= 0.5e-5 && v == (v * 1e5).round() / 1e5, "{v} for {exact}");
        }
    }
}
