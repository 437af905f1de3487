//! XLSX renderer: maps the document model to sheets, typed cells, tables and charts (rust_xlsxwriter
//! is imported only here and in `xlsx/`).
//!
//! One sheet per [`Section`], its blocks written downward from A1 with a blank row between:
//!
//! ```text
//!    A                      B              C ...
//! 1  Heading (bold, larger)
//! 2
//! 3  Paragraph text, merged across the text width and wrapped ...........
//! 4
//! 5  KPI label              1.234,50 €      <- typed number, money format
//! 6
//! 7  Rank │ Cliente │ Ventas ▾             <- Excel table: header, style, autofilter
//! 8  1    │ ACME    │ 1.234,50 €           <- typed cells; highlighted cells filled
//! 9  Total│         │ 1.234,50 €           <- totals row written as values
//! ```
//!
//! Rules a user relies on:
//! - every text from the document is written as a string cell (never a formula), so a
//!   customer named `=HYPERLINK(...)`, `+SUM(A1)`, `-2+3` or `@cmd` stays that text;
//! - money, percent (a share), int and number values stay numbers with a number format in the
//!   plan's language; dates are real Excel dates; a value without a number is written as text;
//! - tables are real Excel tables with unique valid names; their totals row holds the
//!   template's totals as values (the template knows what a total means for each column — a
//!   share's total is not a sum), so totals do not follow the autofilter;
//! - columns with `choices` get a drop-down list over the table's rows; a table with fill-in
//!   columns gets [`EXTRA_FILL_ROWS`](super::xlsx_layout::EXTRA_FILL_ROWS) blank rows for the
//!   KAM's own entries;
//! - charts are native Excel charts whose data lives on a hidden "Datos"/"Data" sheet;
//! - a document with an identification ([`RenderContext::ident`]) gets the hidden `_kamplan`
//!   sheet saying which plan it is and where each KAM-owned area was written, and a workbook
//!   name per area (see [`crate::carry::ident`]);
//! - the same document and context give the same bytes: the creation time comes from the
//!   context and rust_xlsxwriter writes fixed zip timestamps.
//! - each sheet prints on A4, one page wide, over the columns that hold something; a manual page
//!   break stands wherever a printed page starts, so no chart, KPI cards or table that fits a
//!   page is cut across two, nor a heading parted from what it introduces; the header of the
//!   table that runs over the last pages repeats on them (see `print` and
//!   [`super::xlsx_layout::print_layout`]).
//!
//! This file owns the workbook and its sheets: sheet names, properties, each section's column
//! widths and frozen header. Its children write typed cells and formats (`cells`), text blocks
//! (`blocks`), Excel tables (`table`), charts with their hidden data sheet (`chart`), the print
//! setup — paper, scale, page breaks, repeated header, print area (`print`) — and the
//! identification sheet (`ident`).

mod blocks;
mod cells;
mod chart;
mod formula;
mod ident;
mod pending;
mod print;
mod table;

use std::collections::{BTreeSet, HashMap};

use rust_xlsxwriter::{DocProperties, ExcelDateTime, Workbook, Worksheet, XlsxError};
use rustc_hash::FxHashMap;

use super::xlsx_layout::{self as layout, column_widths, print_width_px, text_span, Span, SpanKind, Words};
use super::{Format, RenderContext, RenderError, Renderer};
use crate::document::{Block, Document, Media, PageBreak, Section};
use cells::Styles;
use chart::DataSheet;
use formula::Formulas;

/// Writes documents as Excel workbooks.
pub struct XlsxRenderer;

impl Renderer for XlsxRenderer {
    fn format(&self) -> Format {
        Format::Xlsx
    }

    /// Renders the document as the bytes of an `.xlsx` file.
    ///
    /// # Errors
    /// [`RenderError::Xlsx`] when rust_xlsxwriter refuses the workbook (a document beyond
    /// Excel's limits, such as more than 1,048,576 rows on a sheet), naming the sheet.
    fn render(&self, doc: &Document, ctx: &RenderContext) -> Result<Vec<u8>, RenderError> {
        build(doc, ctx).map_err(|e| RenderError::Xlsx(e.to_string()))
    }
}

/// A failure while writing one sheet, naming it.
#[derive(Debug, thiserror::Error)]
enum BuildError {
    // Not chained as sources: `{:#}` would print rust_xlsxwriter's words twice.
    #[error("sheet «{sheet}»: {error}")]
    Sheet { sheet: String, error: XlsxError },
    #[error(transparent)]
    Workbook(#[from] XlsxError),
}

fn build(doc: &Document, ctx: &RenderContext) -> Result<Vec<u8>, BuildError> {
    // The sections and blocks the workbook shows are borrowed (`sections_in`, `blocks_in`),
    // not copied with `Document::for_media`: the copy cost as much as writing a few sheets.
    // The document's locale (its `lang`), as the PDF renderer reads it; else the run's.
    let lang = if doc.lang.is_empty() { ctx.lang.as_str() } else { doc.lang.as_str() };
    let words = Words::of(lang);
    let mut styles = Styles::new(lang, &layout::currency_symbol(doc));
    let mut wb = Workbook::new();
    // Fastest deflate: a plan's parts are many small XML files, where a higher level costs
    // more time than it saves bytes.
    wb.set_zip_compression_level(1);
    wb.set_properties(&properties(doc, ctx)?);

    // A document without sections still opens: one sheet named after its title.
    let empty = Section {
        id: None,
        media: Media::All,
        block_media: Default::default(),
        title: doc.title.clone(),
        sheet: doc.title.clone(),
        page_break: PageBreak::Auto,
        blocks: vec![],
    };
    let sections: Vec<&Section> = doc.sections_in(Media::Xlsx).collect();
    let sections = if sections.is_empty() { vec![&empty] } else { sections };

    let mut wanted: Vec<&str> = sections
        .iter()
        .map(|s| if s.sheet.trim().is_empty() { s.title.as_str() } else { s.sheet.as_str() })
        .collect();
    let data_needed = layout::needs_data_sheet(doc);
    if data_needed {
        wanted.push(words.data_sheet);
    }
    let names = layout::sheet_names(&wanted, words.sheet);
    let mut data = DataSheet::new(if data_needed { names.last().cloned() } else { None });
    let mut tables = BTreeSet::new();
    let mut areas = Vec::new();
    // Links name a section's id; in the workbook they go to that section's sheet.
    let anchors: HashMap<&str, String> = sections
        .iter()
        .zip(&names)
        .filter_map(|(s, name)| s.id.as_deref().map(|id| (id, layout::sheet_anchor(name))))
        .collect();

    let mut formulas = Formulas::default();
    for (index, (section, name)) in sections.iter().zip(&names).enumerate() {
        let ws = wb.add_worksheet();
        let mut writer = SectionWriter {
            ws,
            styles: &mut styles,
            data: &mut data,
            table_names: &mut tables,
            widths: Vec::new(),
            words,
            ctx,
            doc,
            sheet: (index, name.as_str()),
            areas: &mut areas,
            anchors: &anchors,
            section: index,
            formulas: &mut formulas,
            heights: FxHashMap::default(),
            spans: Vec::new(),
        };
        writer.write(section, name).map_err(|error| BuildError::Sheet { sheet: name.clone(), error })?;
    }
    formulas.write(&mut wb, &names, &mut styles)?;
    styles
        .apply_finished(&mut wb)
        .map_err(|(i, error)| BuildError::Sheet { sheet: names[i].clone(), error })?;
    if let Some(name) = data.name.clone() {
        let ws = wb.add_worksheet();
        data.write(ws, &name, &mut styles)
            .map_err(|error| BuildError::Sheet { sheet: name.clone(), error })?;
    }
    if let Some(header) = &ctx.ident {
        ident::write(&mut wb, header, areas, &ctx.document_id)
            .map_err(|error| BuildError::Sheet { sheet: crate::carry::ident::SHEET.into(), error })?;
    }
    Ok(wb.save_to_buffer()?)
}

/// Title, author, subject and a creation time from the context, never the clock.
fn properties(doc: &Document, ctx: &RenderContext) -> Result<DocProperties, XlsxError> {
    use chrono::{Datelike, Timelike};
    let c = ctx.created;
    let created = ExcelDateTime::from_ymd(c.year().clamp(1900, 9999) as u16, c.month() as u8, c.day() as u8)?
        .and_hms(c.hour() as u16, c.minute() as u8, c.second())?;
    Ok(DocProperties::new()
        .set_title(&doc.title)
        .set_author(&doc.author)
        .set_subject(&doc.subject)
        .set_creation_datetime(&created))
}

/// Writes one section onto its sheet.
struct SectionWriter<'a> {
    ws: &'a mut Worksheet,
    styles: &'a mut Styles,
    data: &'a mut DataSheet,
    table_names: &'a mut BTreeSet<String>,
    /// The sheet's column widths, in characters.
    widths: Vec<f64>,
    words: Words,
    ctx: &'a RenderContext,
    doc: &'a Document,
    /// The sheet's position and final name, for the identification sheet.
    sheet: (usize, &'a str),
    /// Where each KAM-owned area was written, in the order written.
    areas: &'a mut Vec<crate::carry::ident::AreaRef>,
    /// Section id → the `internal:` link to its sheet.
    anchors: &'a HashMap<&'a str, String>,
    /// This section's index (its sheet's).
    section: usize,
    formulas: &'a mut Formulas,
    /// Heights set on rows of this sheet, in points (others are Excel's default).
    heights: FxHashMap<u32, f64>,
    /// The rows each block was written on, in order: where printed pages may start.
    spans: Vec<Span>,
}

impl SectionWriter<'_> {
    /// The hyperlink to the section `id`, when the document has it.
    fn anchor(&self, id: Option<&str>) -> Option<rust_xlsxwriter::Url> {
        id.and_then(|id| self.anchors.get(id)).map(|a| rust_xlsxwriter::Url::new(a.as_str()))
    }

    fn write(&mut self, section: &Section, name: &str) -> Result<(), XlsxError> {
        self.ws.set_name(name)?;
        let widths = column_widths(section);
        for (j, w) in widths.iter().enumerate() {
            self.ws.set_column_width(j as u16, *w)?;
        }
        self.widths.clone_from(&widths);
        let span = text_span(&widths);

        let blocks = section.blocks_in(Media::Xlsx);
        let tables = blocks.clone().filter(|b| matches!(b, Block::Table(_))).count();
        let mut row: u32 = 0;
        let mut main_header: Option<u32> = None;
        // How far right the sheet's content reaches, in pixels: its columns, a heading's text
        // running over empty cells, a merged paragraph, a chart.
        let mut reach = print_width_px(&widths, 0.0);
        for block in blocks {
            let start = row;
            let kind = match block {
                Block::Heading { .. } => SpanKind::Heading,
                Block::Paragraph(_) | Block::Note { .. } | Block::List { .. } => SpanKind::Text,
                Block::Table(_) => SpanKind::Table,
                Block::Kpis(_) | Block::Chart(_) => SpanKind::Whole,
                Block::Fields(_) => SpanKind::Other,
            };
            row = match block {
                Block::Heading { level, text } => {
                    // A heading longer than the text span is cut there, as a line of text wraps there.
                    reach =
                        reach.max(print::heading_px(*level, text).min(print::columns_px(&widths, span.0)));
                    self.heading(row, *level, text)?
                }
                Block::Paragraph(runs) => self.paragraph(row, runs, span)?,
                Block::Note { kind, text } => self.note(row, *kind, text, span)?,
                Block::Kpis(kpis) => self.kpis(row, kpis)?,
                Block::Table(t) => {
                    if tables == 1 && main_header.is_none() && !t.columns.is_empty() {
                        main_header = Some(row);
                    }
                    self.table(row, t)?
                }
                Block::List { ordered, items } => self.list(row, *ordered, items, span)?,
                Block::Chart(c) => {
                    let end = self.chart(row, c)?;
                    if end > row {
                        reach = reach.max(f64::from(chart::CHART_WIDTH) + 10.0);
                    }
                    end
                }
                Block::Fields(fields) => self.fields(row, fields)?,
            };
            // A blank row between blocks; empty blocks take no room.
            if row > start {
                if kind == SpanKind::Text {
                    reach = reach.max(print::text_px(block, &widths, span));
                }
                let drawn = matches!(block, Block::Chart(_)).then(chart::drawn_height);
                self.spans.push(Span { first: start, last: row - 1, kind, drawn });
                row += 1;
            }
        }

        // The only table near the top is the sheet's main content: keep its header in view.
        if let Some(h) = main_header.filter(|h| *h < 20) {
            self.ws.set_freeze_panes(h + 1, 0)?;
        }
        self.styles.finish_sheet(self.sheet.0);
        self.print_setup(section, reach, main_header)
    }
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use calamine::{Data, Reader, SheetVisible, Xlsx};
    use chrono::NaiveDate;

    use super::*;
    use crate::document::{
        Cell, Chart, ChartKind, Column, Field, FieldKind, Kpi, NoteKind, Run, Series, SeriesKind, Table,
        Value, ValueFormat,
    };
    use crate::lang::Lang;

    pub(super) const NASTY: [&str; 5] =
        ["=HYPERLINK(\"http://x\",\"y\")", "+SUM(A1)", "-2+3", "@cmd", "=1+1"];

    pub(super) fn ctx(lang: &str) -> RenderContext {
        RenderContext {
            created: NaiveDate::from_ymd_opt(2026, 10, 31).unwrap().and_hms_opt(0, 0, 0).unwrap(),
            document_id: "test".into(),
            page_label: "Página {page} de {pages}".into(),
            ident: None,
            lang: lang.into(),
        }
    }

    pub(super) fn lang() -> Lang {
        Lang::load("es", "€", None).unwrap()
    }

    pub(super) fn money(v: f64) -> Value {
        Value { text: lang().money(v), format: ValueFormat::Money, number: Some(v), date: None }
    }
    pub(super) fn percent(v: f64) -> Value {
        Value { text: lang().percent(v, 1), format: ValueFormat::Percent, number: Some(v), date: None }
    }
    pub(super) fn int(v: i64) -> Value {
        Value { text: v.to_string(), format: ValueFormat::Int, number: Some(v as f64), date: None }
    }
    pub(super) fn date(y: i32, m: u32, d: u32) -> Value {
        let d = NaiveDate::from_ymd_opt(y, m, d).unwrap();
        Value { text: lang().date(d), format: ValueFormat::Date, number: None, date: Some(d) }
    }
    pub(super) fn text(s: &str) -> Value {
        Value { text: s.into(), format: ValueFormat::Text, number: None, date: None }
    }
    pub(super) fn cell(value: Value) -> Cell {
        Cell { value, highlight: false, link: None, formula: None }
    }
    pub(super) fn col(label: &str, format: ValueFormat) -> Column {
        Column { label: label.into(), format, choices: vec![], fill: false, name: None, formula: None }
    }
    /// A table of `rows` customers and their sales.
    pub(super) fn sales_table(rows: usize) -> Block {
        Block::Table(Table {
            name: "t".into(),
            columns: vec![col("Cliente", ValueFormat::Text), col("Ventas", ValueFormat::Money)],
            rows: (0..rows).map(|i| vec![cell(text(&format!("c{i}"))), cell(money(i as f64))]).collect(),
            totals: None,
            pdf_last: None,
            area: None,
        })
    }

    pub(super) fn section(title: &str, blocks: Vec<Block>) -> Section {
        Section {
            id: None,
            media: Media::All,
            block_media: Default::default(),
            title: title.into(),
            sheet: title.into(),
            page_break: PageBreak::Page,
            blocks,
        }
    }

    /// A small plan: summary, key accounts table (with formula-looking names), an account
    /// section with a chart, a meeting plan and fields, and a Pareto.
    pub(super) fn plan() -> Document {
        let accounts = Table {
            name: "cuentas clave".into(),
            columns: vec![
                col("Rango", ValueFormat::Int),
                col("Cliente", ValueFormat::Text),
                col("Ventas", ValueFormat::Money),
                col("Cuota", ValueFormat::Percent),
                col("Última compra", ValueFormat::Date),
            ],
            rows: NASTY
                .iter()
                .enumerate()
                .map(|(i, name)| {
                    vec![
                        cell(int(i as i64 + 1)),
                        cell(text(name)),
                        cell(money(1234.5 * (5 - i) as f64)),
                        cell(percent(0.1 * (5 - i) as f64)),
                        cell(date(2026, 10, 1 + i as u32)),
                    ]
                })
                .collect(),
            totals: Some(vec![
                cell(text("Total")),
                cell(text("")),
                cell(money(18517.5)),
                cell(percent(1.0)),
                cell(text("")),
            ]),
            pdf_last: None,
            area: None,
        };
        let meetings = Table {
            name: "reuniones".into(),
            columns: vec![
                col("Objetivo", ValueFormat::Text),
                Column { fill: true, ..col("Fecha", ValueFormat::Date) },
                Column {
                    fill: true,
                    choices: vec!["Pendiente".into(), "Hecha".into(), "Aplazada, sin fecha".into()],
                    ..col("Estado", ValueFormat::Text)
                },
                Column { fill: true, ..col("Notas", ValueFormat::Text) },
            ],
            rows: vec![
                vec![cell(text("1 Identificar decisores")), cell(date(2026, 9, 3)), cell(text("Hecha"))],
                vec![
                    Cell {
                        value: text("2 Ofertas de la competencia"),
                        highlight: true,
                        link: None,
                        formula: None,
                    },
                    cell(text("")),
                    cell(text("Pendiente")),
                ],
            ],
            totals: None,
            pdf_last: None,
            area: None,
        };
        let months: Vec<(String, f64)> =
            (1..=24).map(|m| (format!("m{m}"), 1000.0 + 10.0 * m as f64)).collect();
        Document {
            title: "Plan de cuentas clave — Ana & Co".into(),
            lang: "es".into(),
            author: "kamplan".into(),
            subject: "2026-10".into(),
            sections: vec![
                section(
                    "Resumen",
                    vec![
                        Block::Heading { level: 1, text: "Plan de cuentas clave".into() },
                        Block::Paragraph(vec![
                            Run::text("Ana tiene ", false),
                            Run::text("5 cuentas clave", true),
                            Run::text(" este mes. ".repeat(20), false),
                        ]),
                        Block::Kpis(vec![
                            Kpi { label: "Ventas".into(), value: money(18517.5), name: None, formula: None },
                            Kpi { label: "Cuota".into(), value: percent(0.412), name: None, formula: None },
                            Kpi {
                                label: "Sin número".into(),
                                value: Value { number: None, ..money(0.0) },
                                name: None,
                                formula: None,
                            },
                        ]),
                        Block::Note { kind: NoteKind::Warning, text: "=cmd|' /C calc'!A0".into() },
                        Block::List { ordered: false, items: vec!["@SUM(1)".into()] },
                    ],
                ),
                section("Cuentas clave", vec![Block::Table(accounts)]),
                section(
                    "Distribuciones Hermanos García Martínez S.L.",
                    vec![
                        Block::Heading { level: 2, text: NASTY[0].into() },
                        Block::Chart(Chart {
                            kind: ChartKind::Bar,
                            title: "+Ventas 24 meses".into(),
                            format: ValueFormat::Money,
                            series: vec![Series {
                                name: "-Ventas".into(),
                                kind: SeriesKind::Bar,
                                secondary_axis: false,
                                format: ValueFormat::Money,
                                points: months,
                            }],
                            bands: vec![],
                            rules: vec![],
                        }),
                        Block::Table(meetings),
                        Block::Fields(vec![
                            Field {
                                label: "Decisor".into(),
                                kind: FieldKind::Text,
                                choices: vec![],
                                value: "-2+3".into(),
                            },
                            Field {
                                label: "Próxima llamada".into(),
                                kind: FieldKind::Date,
                                choices: vec![],
                                value: "27/11/2026".into(),
                            },
                            Field {
                                label: "Postura".into(),
                                kind: FieldKind::Choice,
                                choices: vec!["A favor".into(), "Neutral".into(), "En contra".into()],
                                value: String::new(),
                            },
                        ]),
                    ],
                ),
                section(
                    "Distribuciones Hermanos García Martínez S.A.",
                    vec![Block::Chart(Chart {
                        kind: ChartKind::Pareto,
                        title: "Pareto".into(),
                        format: ValueFormat::Money,
                        series: vec![Series {
                            name: "Ventas".into(),
                            kind: SeriesKind::Bar,
                            secondary_axis: false,
                            format: ValueFormat::Money,
                            points: vec![("a".into(), 50.0), ("b".into(), 30.0), ("c".into(), 20.0)],
                        }],
                        bands: vec![],
                        rules: vec![],
                    })],
                ),
            ],
        }
    }

    pub(super) fn render(doc: &Document) -> Vec<u8> {
        XlsxRenderer.render(doc, &ctx(&doc.lang)).unwrap()
    }

    pub(super) fn open(bytes: Vec<u8>) -> Xlsx<Cursor<Vec<u8>>> {
        Xlsx::new(Cursor::new(bytes)).unwrap()
    }

    pub(super) fn at(x: &mut Xlsx<Cursor<Vec<u8>>>, sheet: &str, row: u32, col: u32) -> Data {
        let r = x.worksheet_range(sheet).unwrap();
        r.get_value((row, col)).cloned().unwrap_or(Data::Empty)
    }

    /// The first row (0-based) of `sheet` whose column A is the string `s`.
    pub(super) fn row_of(x: &mut Xlsx<Cursor<Vec<u8>>>, sheet: &str, s: &str) -> u32 {
        let r = x.worksheet_range(sheet).unwrap();
        (0..=r.end().unwrap().0)
            .find(|row| r.get_value((*row, 0)) == Some(&Data::String(s.into())))
            .unwrap_or_else(|| panic!("{s:?} not in column A of {sheet}"))
    }

    #[test]
    fn sheets_are_named_per_section_valid_unique_and_data_hidden() {
        let x = open(render(&plan()));
        let names = x.sheet_names();
        assert_eq!(
            names,
            [
                "Resumen",
                "Cuentas clave",
                "Distribuciones Hermanos García",
                "Distribuciones Hermanos (2)",
                "Datos"
            ]
        );
        let hidden: Vec<bool> =
            x.sheets_metadata().iter().map(|s| s.visible != SheetVisible::Visible).collect();
        assert_eq!(hidden, [false, false, false, false, true]);
    }

    #[test]
    fn paragraphs_are_merged_and_properties_come_from_document_and_context() {
        let mut x = open(render(&plan()));
        let p = x.workbook_properties().unwrap();
        assert_eq!(p.title.as_deref(), Some("Plan de cuentas clave — Ana & Co"));
        assert_eq!(p.creator.as_deref(), Some("kamplan"));
        assert_eq!(p.created.as_deref(), Some("2026-10-31T00:00:00Z"));
        let merged = x.merge_cells_by_sheet_name("Resumen").unwrap();
        // The paragraph (row 2) and the note and list item below the KPIs.
        assert!(merged.iter().any(|m| m.start == (2, 0) && m.end.1 > 0), "{merged:?}");
        assert_eq!(
            at(&mut x, "Resumen", 2, 0),
            Data::String(format!("Ana tiene 5 cuentas clave{}", " este mes. ".repeat(20)))
        );
    }

    #[test]
    fn same_document_same_bytes() {
        let doc = plan();
        let a = render(&doc);
        let b = render(&doc);
        assert!(a == b, "two renders differ");
        let mut later = ctx("es");
        later.created += chrono::Duration::days(1);
        assert!(XlsxRenderer.render(&doc, &later).unwrap() != a, "creation time not written");
    }

    /// The text of a part of the workbook's zip (`xl/worksheets/sheet1.xml`).
    pub(super) fn part(bytes: &[u8], name: &str) -> String {
        let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
        let mut f = zip.by_name(name).unwrap_or_else(|_| panic!("{name} not in the workbook"));
        let mut s = String::new();
        std::io::Read::read_to_string(&mut f, &mut s).unwrap();
        s
    }

    #[test]
    fn links_go_to_the_sheet_of_their_section() {
        let mut doc = plan();
        doc.sections[2].id = Some("acme".into());
        doc.sections[1].id = Some("cuentas".into());
        let Block::Table(t) = &mut doc.sections[1].blocks[0] else { panic!() };
        t.rows[0][1].link = Some("acme".into());
        t.rows[1][2].link = Some("acme".into()); // a number: stays a number, no link
        doc.sections[2].blocks.insert(
            0,
            Block::Paragraph(vec![Run {
                text: "← Cuentas clave".into(),
                bold: false,
                link: Some("cuentas".into()),
            }]),
        );
        let bytes = render(&doc);
        let sheet2 = part(&bytes, "xl/worksheets/sheet2.xml");
        assert!(
            sheet2.contains(r#"<hyperlink ref="B2" location="'Distribuciones Hermanos García'!A1""#),
            "{sheet2}"
        );
        assert_eq!(sheet2.matches("<hyperlink ").count(), 1, "only text cells link");
        let sheet3 = part(&bytes, "xl/worksheets/sheet3.xml");
        assert!(sheet3.contains(r#"<hyperlink ref="A1" location="'Cuentas clave'!A1""#), "{sheet3}");
        let mut x = open(bytes);
        // The linked text is still the plain string, never a formula.
        assert_eq!(at(&mut x, "Cuentas clave", 1, 1), Data::String(NASTY[0].into()));
        assert_eq!(at(&mut x, "Cuentas clave", 2, 2), Data::Float(4938.0));
        assert_eq!(
            at(&mut x, "Distribuciones Hermanos García", 0, 0),
            Data::String("← Cuentas clave".into())
        );
    }

    #[test]
    fn english_and_empty_documents_render() {
        let mut doc = plan();
        doc.lang = "en".into();
        let x = open(render(&doc));
        assert_eq!(x.sheet_names().last().map(String::as_str), Some("Data"));
        let empty = Document {
            title: "[Resumen]: 2026/10".into(),
            lang: "es".into(),
            author: String::new(),
            subject: String::new(),
            sections: vec![],
        };
        let x = open(render(&empty));
        assert_eq!(x.sheet_names(), ["-Resumen-- 2026-10"]);
    }
}
