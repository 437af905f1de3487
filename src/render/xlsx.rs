//! XLSX renderer: maps the document model to sheets, typed cells, tables and charts (the only file that imports rust_xlsxwriter).
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
//!   columns gets [`EXTRA_FILL_ROWS`] blank rows for the KAM's own entries;
//! - charts are native Excel charts whose data lives on a hidden "Datos"/"Data" sheet;
//! - the same document and context give the same bytes: the creation time comes from the
//!   context and rust_xlsxwriter writes fixed zip timestamps.

use std::collections::{BTreeSet, HashMap};

use rust_xlsxwriter::{
    Chart as XlChart, ChartAxisLabelPosition, ChartLegendPosition, ChartType, Color, DataValidation,
    DocProperties, ExcelDateTime, Format as XlFormat, FormatAlign, FormatBorder, Formula, Table as XlTable,
    TableColumn, TableStyle, Workbook, Worksheet, XlsxError,
};

use super::xlsx_layout::{
    self as layout, chart_rows, column_widths, header_text, num_format, page_label_codes, text_span,
    wrapped_lines, Words, EXTRA_FILL_ROWS,
};
use super::{Format, RenderContext, RenderError, Renderer};
use crate::document::{
    Block, Chart, ChartKind, Document, Field, FieldKind, Kpi, NoteKind, Run, Section, Series, SeriesKind,
    Table, Value, ValueFormat,
};

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

/// Chart size in pixels.
const CHART_WIDTH: u32 = 720;
const CHART_HEIGHT: u32 = 320;
/// Charts with more categories than this hide the category labels (they would overlap).
const MAX_CATEGORY_LABELS: usize = 40;
/// Excel's limit on a cell's text, in UTF-16 units.
const MAX_CELL_TEXT: usize = 32_767;

/// A failure while writing one sheet, naming it.
#[derive(Debug, thiserror::Error)]
enum BuildError {
    #[error("sheet «{sheet}»: {source}")]
    Sheet { sheet: String, source: XlsxError },
    #[error("{0}")]
    Workbook(#[from] XlsxError),
}

fn build(doc: &Document, ctx: &RenderContext) -> Result<Vec<u8>, BuildError> {
    let words = Words::of(&ctx.lang);
    let mut styles = Styles::new(&ctx.lang, &layout::currency_symbol(doc));
    let mut wb = Workbook::new();
    wb.set_properties(&properties(doc, ctx)?);

    // A document without sections still opens: one sheet named after its title.
    let empty =
        Section { title: doc.title.clone(), sheet: doc.title.clone(), page_break: false, blocks: vec![] };
    let sections: Vec<&Section> =
        if doc.sections.is_empty() { vec![&empty] } else { doc.sections.iter().collect() };

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

    for (section, name) in sections.iter().zip(&names) {
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
        };
        writer.write(section, name).map_err(|source| BuildError::Sheet { sheet: name.clone(), source })?;
    }
    if let Some(name) = data.name.clone() {
        let ws = wb.add_worksheet();
        data.write(ws, &name, &mut styles)
            .map_err(|source| BuildError::Sheet { sheet: name.clone(), source })?;
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

/// An Excel date, or None outside Excel's range (1900–9999): such a date is written as text.
fn excel_date(d: chrono::NaiveDate) -> Option<ExcelDateTime> {
    use chrono::Datelike;
    let year = u16::try_from(d.year()).ok().filter(|y| (1900..=9999).contains(y))?;
    ExcelDateTime::from_ymd(year, d.month() as u8, d.day() as u8).ok()
}

/// A prefilled date field's text as a date: ISO `2026-10-31` or `31/10/2026`.
fn parse_date(s: &str) -> Option<chrono::NaiveDate> {
    let s = s.trim();
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .or_else(|_| chrono::NaiveDate::parse_from_str(s, "%d/%m/%Y"))
        .ok()
}

/// Text cut to what a cell holds.
fn cell_text(s: &str) -> &str {
    let mut used = 0;
    for (i, ch) in s.char_indices() {
        used += ch.len_utf16();
        if used > MAX_CELL_TEXT {
            return &s[..i];
        }
    }
    s
}

/// How a cell looks besides its number format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Look {
    Plain,
    Bold,
    /// A highlighted table cell (the next objective, a risk).
    Highlight,
    /// A cell the KAM fills in, inside a table (the table draws the borders).
    Input,
    /// A fill-in field's cell, outside tables: fill and border.
    Field,
    H1,
    H2,
    H3,
    /// Wrapped text spanning columns.
    Wrapped,
    /// A table cell whose text is wider than its column.
    CellWrap,
    ListItem,
    /// A boxed note: 0 info, 1 warning, 2 highlight (see [`note_look`]).
    Note(u8),
}

fn note_look(kind: NoteKind) -> Look {
    Look::Note(match kind {
        NoteKind::Info => 0,
        NoteKind::Warning => 1,
        NoteKind::Highlight => 2,
    })
}

fn format_key(f: ValueFormat) -> u8 {
    match f {
        ValueFormat::Text => 0,
        ValueFormat::Money => 1,
        ValueFormat::Percent => 2,
        ValueFormat::Int => 3,
        ValueFormat::Number => 4,
        ValueFormat::Date => 5,
    }
}

/// The workbook's cell formats, built once per look and value format.
struct Styles {
    lang: String,
    currency: String,
    cache: HashMap<(u8, Look), XlFormat>,
}

impl Styles {
    fn new(lang: &str, currency: &str) -> Styles {
        Styles { lang: lang.into(), currency: currency.into(), cache: HashMap::new() }
    }

    fn get(&mut self, vf: ValueFormat, look: Look) -> &XlFormat {
        let (lang, currency) = (&self.lang, &self.currency);
        self.cache.entry((format_key(vf), look)).or_insert_with(|| {
            let mut f = XlFormat::new();
            let nf = num_format(vf, lang, currency);
            if !nf.is_empty() {
                f = f.set_num_format(nf);
            }
            match look {
                Look::Plain => f,
                Look::Bold => f.set_bold(),
                Look::Highlight => f
                    .set_bold()
                    .set_background_color(Color::RGB(0xFFEB9C))
                    .set_font_color(Color::RGB(0x9C5700)),
                Look::Input => f.set_background_color(Color::RGB(0xFFF9E6)),
                Look::Field => f
                    .set_background_color(Color::RGB(0xFFF9E6))
                    .set_border(FormatBorder::Thin)
                    .set_border_color(Color::RGB(0x8EA9DB)),
                Look::H1 => f.set_bold().set_font_size(16).set_font_color(Color::RGB(0x1F3864)),
                Look::H2 => f.set_bold().set_font_size(13).set_font_color(Color::RGB(0x2F5496)),
                Look::H3 => f.set_bold().set_font_size(11).set_font_color(Color::RGB(0x2F5496)),
                Look::Wrapped => f.set_text_wrap().set_align(FormatAlign::Top),
                Look::CellWrap => f.set_text_wrap(),
                Look::ListItem => f.set_text_wrap().set_align(FormatAlign::Top).set_indent(1),
                Look::Note(kind) => {
                    let (fill, border) = match kind {
                        0 => (0xDDEBF7, 0x9BC2E6),
                        1 => (0xFCE4D6, 0xF4B084),
                        _ => (0xFFF2CC, 0xFFD966),
                    };
                    f.set_text_wrap()
                        .set_align(FormatAlign::Top)
                        .set_background_color(Color::RGB(fill))
                        .set_border(FormatBorder::Thin)
                        .set_border_color(Color::RGB(border))
                }
            }
        })
    }
}

/// Writes a typed value: a number or date with its format, else the text as a string.
fn write_value(
    ws: &mut Worksheet,
    styles: &mut Styles,
    row: u32,
    col: u16,
    v: &Value,
    look: Look,
) -> Result<(), XlsxError> {
    let number = v.number.filter(|n| n.is_finite());
    match v.format {
        ValueFormat::Date => {
            if let Some(d) = v.date.and_then(excel_date) {
                ws.write_datetime_with_format(row, col, d, styles.get(ValueFormat::Date, look))?;
                return Ok(());
            }
        }
        ValueFormat::Money | ValueFormat::Percent | ValueFormat::Int | ValueFormat::Number => {
            if let Some(n) = number {
                ws.write_number_with_format(row, col, n, styles.get(v.format, look))?;
                return Ok(());
            }
        }
        ValueFormat::Text => {}
    }
    write_text(ws, styles, row, col, &v.text, look)
}

/// Writes text as a string cell, never a formula; an empty text leaves a formatted blank.
fn write_text(
    ws: &mut Worksheet,
    styles: &mut Styles,
    row: u32,
    col: u16,
    text: &str,
    look: Look,
) -> Result<(), XlsxError> {
    let f = styles.get(ValueFormat::Text, look);
    if text.is_empty() {
        if look != Look::Plain {
            ws.write_blank(row, col, f)?;
        }
    } else {
        ws.write_string_with_format(row, col, cell_text(text), f)?;
    }
    Ok(())
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
}

impl SectionWriter<'_> {
    fn write(&mut self, section: &Section, name: &str) -> Result<(), XlsxError> {
        self.ws.set_name(name)?;
        let widths = column_widths(section);
        for (j, w) in widths.iter().enumerate() {
            self.ws.set_column_width(j as u16, *w)?;
        }
        self.widths.clone_from(&widths);
        let span = text_span(&widths);

        let tables = section.blocks.iter().filter(|b| matches!(b, Block::Table(_))).count();
        let mut row: u32 = 0;
        let mut main_header: Option<u32> = None;
        for block in &section.blocks {
            let start = row;
            row = match block {
                Block::Heading { level, text } => self.heading(row, *level, text)?,
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
                Block::Chart(c) => self.chart(row, c)?,
                Block::Fields(fields) => self.fields(row, fields)?,
            };
            // A blank row between blocks; empty blocks take no room.
            if row > start {
                row += 1;
            }
        }

        // The only table near the top is the sheet's main content: keep its header in view
        // and on every printed page.
        if let Some(h) = main_header.filter(|h| *h < 20) {
            self.ws.set_freeze_panes(h + 1, 0)?;
            self.ws.set_repeat_rows(h, h)?;
        }
        self.print_setup(section, &widths);
        Ok(())
    }

    fn print_setup(&mut self, section: &Section, widths: &[f64]) {
        let ws = &mut *self.ws;
        ws.set_paper_size(9); // A4
        if widths.iter().sum::<f64>() > layout::LANDSCAPE_OVER {
            ws.set_landscape();
        }
        ws.set_print_fit_to_pages(1, 0);
        let title = header_text(&self.doc.title, 90);
        let part = header_text(&section.title, 60);
        ws.set_header(format!("&L{title}&R{part}"));
        ws.set_footer(format!("&C{}", page_label_codes(&self.ctx.page_label)));
    }

    fn heading(&mut self, row: u32, level: u8, text: &str) -> Result<u32, XlsxError> {
        let look = match level {
            0 | 1 => Look::H1,
            2 => Look::H2,
            _ => Look::H3,
        };
        let one_line: String = text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
        write_text(self.ws, self.styles, row, 0, &one_line, look)?;
        if look == Look::H1 {
            self.ws.set_row_height(row, 21)?;
        }
        Ok(row + 1)
    }

    /// A text block merged across the text span and wrapped, its row tall enough.
    fn wrapped(&mut self, row: u32, text: &str, look: Look, span: (usize, f64)) -> Result<u32, XlsxError> {
        let text = cell_text(text);
        let (cols, width) = span;
        let f = self.styles.get(ValueFormat::Text, look).clone();
        if cols > 1 {
            self.ws.merge_range(row, 0, row, (cols - 1) as u16, text, &f)?;
        } else {
            self.ws.write_string_with_format(row, 0, text, &f)?;
        }
        let lines = wrapped_lines(text, width).min(27);
        let pad = if matches!(look, Look::Note(_)) { 4.0 } else { 1.0 };
        if lines > 1 || pad > 1.0 {
            self.ws.set_row_height(row, 15.0 * f64::from(lines) + pad)?;
        }
        Ok(row + 1)
    }

    fn paragraph(&mut self, row: u32, runs: &[Run], span: (usize, f64)) -> Result<u32, XlsxError> {
        let runs: Vec<&Run> = runs.iter().filter(|r| !r.text.is_empty()).collect();
        if runs.is_empty() {
            return Ok(row);
        }
        let text: String = runs.iter().map(|r| r.text.as_str()).collect();
        let next = self.wrapped(row, &text, Look::Wrapped, span)?;
        let mixed = runs.iter().any(|r| r.bold) && runs.iter().any(|r| !r.bold);
        if mixed && text.encode_utf16().count() <= MAX_CELL_TEXT {
            // Bold runs as a rich string over the merged cell's first cell.
            let bold = XlFormat::new().set_bold();
            let plain = XlFormat::new();
            let segments: Vec<(&XlFormat, &str)> =
                runs.iter().map(|r| (if r.bold { &bold } else { &plain }, r.text.as_str())).collect();
            let cell = self.styles.get(ValueFormat::Text, Look::Wrapped).clone();
            self.ws.write_rich_string_with_format(row, 0, &segments, &cell)?;
        }
        Ok(next)
    }

    fn note(&mut self, row: u32, kind: NoteKind, text: &str, span: (usize, f64)) -> Result<u32, XlsxError> {
        if text.is_empty() {
            return Ok(row);
        }
        self.wrapped(row, text, note_look(kind), span)
    }

    fn list(
        &mut self,
        mut row: u32,
        ordered: bool,
        items: &[String],
        span: (usize, f64),
    ) -> Result<u32, XlsxError> {
        for (i, item) in items.iter().enumerate() {
            let text = if ordered { format!("{}. {item}", i + 1) } else { format!("• {item}") };
            row = self.wrapped(row, &text, Look::ListItem, span)?;
        }
        Ok(row)
    }

    fn kpis(&mut self, mut row: u32, kpis: &[Kpi]) -> Result<u32, XlsxError> {
        for k in kpis {
            write_text(self.ws, self.styles, row, 0, &k.label, Look::Bold)?;
            write_value(self.ws, self.styles, row, 1, &k.value, Look::Bold)?;
            row += 1;
        }
        Ok(row)
    }

    fn fields(&mut self, mut row: u32, fields: &[Field]) -> Result<u32, XlsxError> {
        for f in fields {
            write_text(self.ws, self.styles, row, 0, &f.label, Look::Bold)?;
            let vf = if f.kind == FieldKind::Date { ValueFormat::Date } else { ValueFormat::Text };
            let fmt = self.styles.get(vf, Look::Field).clone();
            let prefilled_date = match f.kind {
                FieldKind::Date => parse_date(&f.value).and_then(excel_date),
                _ => None,
            };
            if let Some(d) = prefilled_date {
                self.ws.write_datetime_with_format(row, 1, d, &fmt)?;
            } else if f.value.is_empty() {
                self.ws.write_blank(row, 1, &fmt)?;
            } else {
                self.ws.write_string_with_format(row, 1, cell_text(&f.value), &fmt)?;
            }
            if !f.choices.is_empty() {
                let dv = self.list_validation(&f.choices)?;
                self.ws.add_data_validation(row, 1, row, 1, &dv)?;
            }
            row += 1;
        }
        Ok(row)
    }

    /// A drop-down list of `choices`: inline when Excel allows, else a range on the data sheet.
    fn list_validation(&mut self, choices: &[String]) -> Result<DataValidation, XlsxError> {
        if layout::inline_list(choices) {
            return DataValidation::new().allow_list_strings(choices);
        }
        match self.data.add_list(choices) {
            Some(range) => Ok(DataValidation::new().allow_list_formula(Formula::new(range))),
            None => Ok(DataValidation::new().allow_any_value()),
        }
    }

    fn table(&mut self, row: u32, t: &Table) -> Result<u32, XlsxError> {
        let ncols = t.columns.len();
        if ncols == 0 {
            return Ok(row);
        }
        if ncols > 16_384 {
            return Err(XlsxError::RowColumnLimitError);
        }
        let labels: Vec<&str> = t.columns.iter().map(|c| c.label.as_str()).collect();
        let headers = layout::unique_headers(&labels, self.words.column);
        let any_fill = t.columns.iter().any(|c| c.fill);
        // Excel tables need a data row; fill-in tables get room for the KAM's entries.
        let data_rows = (t.rows.len() + if any_fill { EXTRA_FILL_ROWS } else { 0 }).max(1) as u32;
        let header_row = row;
        let first = row + 1;
        let last_data = row + data_rows;
        let totals_row = t.totals.as_ref().map(|_| last_data + 1);
        let last = totals_row.unwrap_or(last_data);

        let header = XlFormat::new()
            .set_bold()
            .set_font_color(Color::White)
            .set_background_color(Color::RGB(0x4472C4));
        let columns: Vec<TableColumn> = headers
            .iter()
            .enumerate()
            .map(|(j, h)| {
                // The table style colours the header in Excel; the same colours as a cell
                // format show it in viewers without table styles (LibreOffice).
                let mut c = TableColumn::new().set_header(h).set_header_format(header.clone());
                let label = t
                    .totals
                    .as_ref()
                    .and_then(|tot| tot.get(j))
                    .filter(|cell| !cell.value.text.is_empty() && !is_typed(&cell.value));
                if let Some(cell) = label {
                    c = c.set_total_label(cell_text(&cell.value.text));
                }
                c
            })
            .collect();
        let name = layout::table_name(&t.name, self.words.table, self.table_names);
        let table = XlTable::new()
            .set_name(name)
            .set_style(TableStyle::Medium2)
            .set_total_row(totals_row.is_some())
            .set_columns(&columns);
        self.ws.add_table(header_row, 0, last, (ncols - 1) as u16, &table)?;

        for (i, cells) in t.rows.iter().enumerate() {
            let r = first + i as u32;
            let mut lines = 1;
            for (j, col) in t.columns.iter().enumerate() {
                let look = match cells.get(j) {
                    Some(c) if c.highlight => Look::Highlight,
                    _ if col.fill => Look::Input,
                    // Text wider than the widest column wraps (Excel sizes the row).
                    Some(c) if layout::text_width(&c.value.text) >= layout::MAX_WIDTH => {
                        let width = self.widths.get(j).copied().unwrap_or(layout::MAX_WIDTH);
                        lines = lines.max(wrapped_lines(&c.value.text, width).min(15));
                        Look::CellWrap
                    }
                    _ => Look::Plain,
                };
                match cells.get(j) {
                    Some(cell) => write_value(self.ws, self.styles, r, j as u16, &cell.value, look)?,
                    None if look != Look::Plain => {
                        let f = self.styles.get(col.format, look).clone();
                        self.ws.write_blank(r, j as u16, &f)?;
                    }
                    None => {}
                }
            }
            // Viewers do not all size rows to wrapped text on open: set the height.
            if lines > 1 {
                self.ws.set_row_height(r, 15.0 * f64::from(lines))?;
            }
        }
        // Blank fill-in rows keep the column's number format, so a typed date is a date.
        for r in (first + t.rows.len() as u32)..=last_data {
            for (j, col) in t.columns.iter().enumerate().filter(|(_, c)| c.fill) {
                let f = self.styles.get(col.format, Look::Input).clone();
                self.ws.write_blank(r, j as u16, &f)?;
            }
        }
        if let (Some(tr), Some(totals)) = (totals_row, &t.totals) {
            for (j, cell) in totals.iter().enumerate().take(ncols) {
                if is_typed(&cell.value) {
                    write_value(self.ws, self.styles, tr, j as u16, &cell.value, Look::Bold)?;
                }
            }
        }
        for (j, col) in t.columns.iter().enumerate().filter(|(_, c)| !c.choices.is_empty()) {
            let dv = self.list_validation(&col.choices)?;
            self.ws.add_data_validation(first, j as u16, last_data, j as u16, &dv)?;
        }
        Ok(last + 1)
    }

    fn chart(&mut self, row: u32, c: &Chart) -> Result<u32, XlsxError> {
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

/// Whether a value is written as a number or date (else as its text).
fn is_typed(v: &Value) -> bool {
    match v.format {
        ValueFormat::Text => false,
        ValueFormat::Date => v.date.and_then(excel_date).is_some(),
        _ => v.number.is_some_and(f64::is_finite),
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
struct DataSheet {
    name: Option<String>,
    cells: Vec<(u32, u16, DataCell)>,
    next_row: u32,
}

impl DataSheet {
    fn new(name: Option<String>) -> DataSheet {
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
    fn add_list(&mut self, choices: &[String]) -> Option<String> {
        let sheet = self.name.clone()?;
        let first = self.next_row;
        for (i, c) in choices.iter().enumerate() {
            self.text(first + i as u32, 0, c);
        }
        let last = first + choices.len().max(1) as u32 - 1;
        self.next_row = last + 2;
        Some(format!("='{}'!$A${}:$A${}", sheet.replace('\'', "''"), first + 1, last + 1))
    }

    fn write(&self, ws: &mut Worksheet, name: &str, styles: &mut Styles) -> Result<(), XlsxError> {
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

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use calamine::{Data, Reader, SheetVisible, Xlsx};
    use chrono::NaiveDate;

    use super::*;
    use crate::document::{Cell, Column};
    use crate::lang::Lang;

    const NASTY: [&str; 5] = ["=HYPERLINK(\"http://x\",\"y\")", "+SUM(A1)", "-2+3", "@cmd", "=1+1"];

    fn ctx(lang: &str) -> RenderContext {
        RenderContext {
            created: NaiveDate::from_ymd_opt(2026, 10, 31).unwrap().and_hms_opt(0, 0, 0).unwrap(),
            document_id: "test".into(),
            page_label: "Página {page} de {pages}".into(),
            lang: lang.into(),
        }
    }

    fn lang() -> Lang {
        Lang::load("es", "€", None).unwrap()
    }

    fn money(v: f64) -> Value {
        Value { text: lang().money(v), format: ValueFormat::Money, number: Some(v), date: None }
    }
    fn percent(v: f64) -> Value {
        Value { text: lang().percent(v, 1), format: ValueFormat::Percent, number: Some(v), date: None }
    }
    fn int(v: i64) -> Value {
        Value { text: v.to_string(), format: ValueFormat::Int, number: Some(v as f64), date: None }
    }
    fn date(y: i32, m: u32, d: u32) -> Value {
        let d = NaiveDate::from_ymd_opt(y, m, d).unwrap();
        Value { text: lang().date(d), format: ValueFormat::Date, number: None, date: Some(d) }
    }
    fn text(s: &str) -> Value {
        Value { text: s.into(), format: ValueFormat::Text, number: None, date: None }
    }
    fn cell(value: Value) -> Cell {
        Cell { value, highlight: false }
    }
    fn col(label: &str, format: ValueFormat) -> Column {
        Column { label: label.into(), format, choices: vec![], fill: false }
    }
    fn section(title: &str, blocks: Vec<Block>) -> Section {
        Section { title: title.into(), sheet: title.into(), page_break: true, blocks }
    }

    /// A small plan: summary, key accounts table (with formula-looking names), an account
    /// section with a chart, a meeting plan and fields, and a Pareto.
    fn plan() -> Document {
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
                    Cell { value: text("2 Ofertas de la competencia"), highlight: true },
                    cell(text("")),
                    cell(text("Pendiente")),
                ],
            ],
            totals: None,
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
                            Run { text: "Ana tiene ".into(), bold: false },
                            Run { text: "5 cuentas clave".into(), bold: true },
                            Run { text: " este mes. ".repeat(20), bold: false },
                        ]),
                        Block::Kpis(vec![
                            Kpi { label: "Ventas".into(), value: money(18517.5) },
                            Kpi { label: "Cuota".into(), value: percent(0.412) },
                            Kpi { label: "Sin número".into(), value: Value { number: None, ..money(0.0) } },
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
                    })],
                ),
            ],
        }
    }

    fn render(doc: &Document) -> Vec<u8> {
        XlsxRenderer.render(doc, &ctx(&doc.lang)).unwrap()
    }

    fn open(bytes: Vec<u8>) -> Xlsx<Cursor<Vec<u8>>> {
        Xlsx::new(Cursor::new(bytes)).unwrap()
    }

    fn at(x: &mut Xlsx<Cursor<Vec<u8>>>, sheet: &str, row: u32, col: u32) -> Data {
        let r = x.worksheet_range(sheet).unwrap();
        r.get_value((row, col)).cloned().unwrap_or(Data::Empty)
    }

    /// The first row (0-based) of `sheet` whose column A is the string `s`.
    fn row_of(x: &mut Xlsx<Cursor<Vec<u8>>>, sheet: &str, s: &str) -> u32 {
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
                "Distribuciones Hermanos Gar (2)",
                "Datos"
            ]
        );
        let hidden: Vec<bool> =
            x.sheets_metadata().iter().map(|s| s.visible != SheetVisible::Visible).collect();
        assert_eq!(hidden, [false, false, false, false, true]);
    }

    #[test]
    fn typed_cells_keep_numbers_and_dates() {
        let mut x = open(render(&plan()));
        // Kpis: label/value rows after the heading, paragraph and blank rows.
        let k = row_of(&mut x, "Resumen", "Ventas");
        assert_eq!(at(&mut x, "Resumen", k, 1), Data::Float(18517.5));
        assert_eq!(at(&mut x, "Resumen", k + 1, 1), Data::Float(0.412));
        // A value without a number is its text.
        assert_eq!(at(&mut x, "Resumen", k + 2, 1), Data::String(lang().money(0.0)));
        // The accounts table: header at row 0, data from row 1.
        assert_eq!(at(&mut x, "Cuentas clave", 0, 2), Data::String("Ventas".into()));
        assert_eq!(at(&mut x, "Cuentas clave", 1, 0), Data::Float(1.0));
        assert_eq!(at(&mut x, "Cuentas clave", 1, 2), Data::Float(6172.5));
        assert_eq!(at(&mut x, "Cuentas clave", 1, 3), Data::Float(0.5));
        match at(&mut x, "Cuentas clave", 1, 4) {
            Data::DateTime(d) => {
                let want = NaiveDate::from_ymd_opt(2026, 10, 1).unwrap();
                assert_eq!(d.as_datetime().map(|t| t.date()), Some(want));
            }
            other => panic!("not a date: {other:?}"),
        }
        // A prefilled date field is a date.
        let sheet = "Distribuciones Hermanos García";
        let r = row_of(&mut x, sheet, "Próxima llamada");
        assert!(matches!(at(&mut x, sheet, r, 1), Data::DateTime(_)), "date field");
        // Totals row written as values.
        assert_eq!(at(&mut x, "Cuentas clave", 6, 0), Data::String("Total".into()));
        assert_eq!(at(&mut x, "Cuentas clave", 6, 2), Data::Float(18517.5));
        assert_eq!(at(&mut x, "Cuentas clave", 6, 3), Data::Float(1.0));
    }

    #[test]
    fn formula_looking_text_stays_a_string_never_a_formula() {
        let mut x = open(render(&plan()));
        for (i, name) in NASTY.iter().enumerate() {
            assert_eq!(at(&mut x, "Cuentas clave", 1 + i as u32, 1), Data::String((*name).into()));
        }
        let sheet = "Distribuciones Hermanos García";
        assert_eq!(at(&mut x, sheet, 0, 0), Data::String(NASTY[0].into()));
        row_of(&mut x, sheet, "Decisor");
        let r = row_of(&mut x, sheet, "Decisor");
        assert_eq!(at(&mut x, sheet, r, 1), Data::String("-2+3".into()));
        row_of(&mut x, "Resumen", "=cmd|' /C calc'!A0");
        row_of(&mut x, "Resumen", "• @SUM(1)");
        assert_eq!(at(&mut x, "Datos", 0, 0), Data::String("+Ventas 24 meses".into()));
        assert_eq!(at(&mut x, "Datos", 1, 1), Data::String("-Ventas".into()));
        for name in x.sheet_names() {
            let formulas = x.worksheet_formula(&name).unwrap();
            assert!(
                formulas.used_cells().all(|(_, _, f)| f.is_empty()),
                "formula on {name}: {:?}",
                formulas.used_cells().find(|c| !c.2.is_empty())
            );
        }
    }

    #[test]
    fn tables_are_excel_tables_with_headers_and_fill_rows() {
        let mut x = open(render(&plan()));
        x.load_tables().unwrap();
        let mut names: Vec<String> = x.table_names().into_iter().cloned().collect();
        names.sort();
        assert_eq!(names, ["cuentas_clave", "reuniones"]);
        let t = x.table_by_name("cuentas_clave").unwrap();
        assert_eq!(t.sheet_name(), "Cuentas clave");
        assert_eq!(t.columns(), ["Rango", "Cliente", "Ventas", "Cuota", "Última compra"]);
        let t = x.table_by_name("reuniones").unwrap();
        assert_eq!(t.columns(), ["Objetivo", "Fecha", "Estado", "Notas"]);
        // Two meetings plus blank rows for the KAM's own.
        assert_eq!(t.data().height(), 2 + EXTRA_FILL_ROWS);
    }

    fn style(x: &mut Xlsx<Cursor<Vec<u8>>>, sheet: &str, row: u32, col: u32) -> calamine::Style {
        x.worksheet_style(sheet).unwrap().get((row, col)).cloned().unwrap_or_default()
    }

    fn num_fmt(x: &mut Xlsx<Cursor<Vec<u8>>>, sheet: &str, row: u32, col: u32) -> String {
        style(x, sheet, row, col).number_format.map(|f| f.format_code).unwrap_or_default()
    }

    #[test]
    fn cells_carry_number_formats_fills_and_borders() {
        let mut x = open(render(&plan()));
        let s = "Cuentas clave";
        assert_eq!(num_fmt(&mut x, s, 1, 0), "#,##0");
        assert_eq!(num_fmt(&mut x, s, 1, 2), "#,##0.00 \"€\"");
        assert_eq!(num_fmt(&mut x, s, 1, 3), "0.0%");
        assert_eq!(num_fmt(&mut x, s, 1, 4), "dd/mm/yyyy");
        let sheet = "Distribuciones Hermanos García";
        let r = row_of(&mut x, sheet, "2 Ofertas de la competencia");
        let fill = style(&mut x, sheet, r, 0).fill.expect("highlight fill");
        assert!(fill.is_visible());
        let c = fill.get_color().unwrap();
        assert_eq!((c.red, c.green, c.blue), (0xFF, 0xEB, 0x9C));
        let r = row_of(&mut x, sheet, "Decisor");
        let borders = style(&mut x, sheet, r, 1).borders.expect("field border");
        assert_ne!(borders.bottom.style, calamine::BorderStyle::None);

        let mut doc = plan();
        doc.lang = "en".into();
        let mut x = open(render(&doc));
        assert_eq!(num_fmt(&mut x, s, 1, 2), "\"€\"#,##0.00");
        assert_eq!(num_fmt(&mut x, s, 1, 4), "yyyy-mm-dd");
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

    #[test]
    fn odd_tables_render() {
        // No rows, repeated and empty headers, rows longer and shorter than the header,
        // a date outside Excel's range, a non-finite number, a long choice list.
        let t = Table {
            name: "A1".into(),
            columns: vec![
                col("x", ValueFormat::Number),
                col("X", ValueFormat::Date),
                Column {
                    choices: (0..40).map(|i| format!("opción {i}")).collect(),
                    ..col("", ValueFormat::Text)
                },
            ],
            rows: vec![
                vec![cell(Value { number: Some(f64::NAN), ..int(1) }), cell(date(1850, 1, 1))],
                vec![cell(int(1)), cell(int(2)), cell(int(3)), cell(int(4))],
            ],
            totals: None,
        };
        let empty = Table { name: "A1".into(), rows: vec![], ..t.clone() };
        let doc =
            Document { sections: vec![section("s", vec![Block::Table(t), Block::Table(empty)])], ..plan() };
        let mut x = open(render(&doc));
        assert_eq!(at(&mut x, "s", 0, 1), Data::String("X 2".into()));
        assert_eq!(at(&mut x, "s", 0, 2), Data::String("Columna 3".into()));
        assert_eq!(at(&mut x, "s", 1, 0), Data::String("1".into()));
        assert_eq!(at(&mut x, "s", 1, 1), Data::String("01/01/1850".into()));
        x.load_tables().unwrap();
        let mut names: Vec<String> = x.table_names().into_iter().cloned().collect();
        names.sort();
        assert_eq!(names, ["T_A1", "T_A1_2"]);
        assert_eq!(at(&mut x, "Datos", 0, 0), Data::String("opción 0".into()));
    }
}
