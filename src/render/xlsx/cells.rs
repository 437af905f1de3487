//! Cells: typed values and text written safely (never a formula, cut to Excel's limit), dates
//! in Excel's range, and the workbook's cell formats per look and value format.

use rust_xlsxwriter::{
    Color, ExcelDateTime, Format as XlFormat, FormatAlign, FormatBorder, FormatUnderline, Note, Url,
    Workbook, Worksheet, XlsxError,
};

use super::formula::CellStyle;
use super::pending::{Pending, StyleId};
use crate::document::{NoteKind, Value, ValueFormat};
use crate::render::xlsx_layout::{
    num_format_decimals, shown_decimals, stored_decimals, stored_number, Words,
};
use rustc_hash::FxHashMap as FxMap;

/// Excel's limit on a cell's text, in UTF-16 units.
pub(super) const MAX_CELL_TEXT: usize = 32_767;

/// An Excel date, or None outside Excel's range (1900–9999): such a date is written as text.
pub(super) fn excel_date(d: chrono::NaiveDate) -> Option<ExcelDateTime> {
    use chrono::Datelike;
    let year = u16::try_from(d.year()).ok().filter(|y| (1900..=9999).contains(y))?;
    ExcelDateTime::from_ymd(year, d.month() as u8, d.day() as u8).ok()
}

/// A prefilled date field's text as a date: ISO `2026-10-31` or `31/10/2026`.
pub(super) fn parse_date(s: &str) -> Option<chrono::NaiveDate> {
    let s = s.trim();
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .or_else(|_| chrono::NaiveDate::parse_from_str(s, "%d/%m/%Y"))
        .ok()
}

/// Text cut to what a cell holds.
pub(super) fn cell_text(s: &str) -> &str {
    // A text has no more UTF-16 units than UTF-8 bytes: most need no counting.
    if s.len() <= MAX_CELL_TEXT {
        return s;
    }
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
pub(super) enum Look {
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
    ListItem,
    /// A fill-in field's label: bold, wrapped.
    FieldLabel,
    /// A KPI card's label: small, muted, wrapped.
    KpiLabel,
    /// A KPI card's figure: bold and larger.
    KpiValue,
    /// A hyperlink to another sheet.
    Link,
    /// A table's header: white on the table style's blue, wrapped.
    Header,
    /// A wrapped paragraph that is a hyperlink.
    WrappedLink,
    /// A boxed note: 0 info, 1 warning, 2 highlight, 3 the line above a KAM-owned area (see
    /// [`note_look`]).
    Note(u8),
}

pub(super) fn note_look(kind: NoteKind) -> Look {
    Look::Note(match kind {
        NoteKind::Info => 0,
        NoteKind::Warning => 1,
        NoteKind::Highlight => 2,
        NoteKind::Kam => 3,
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

/// The workbook's cell formats, built once per look, value format and decimals, and the cells
/// of the sheet being written that wait for theirs ([`Pending`]).
pub(super) struct Styles {
    pub(super) lang: String,
    pub(super) currency: String,
    /// Note on a numeric cell left empty because the value is not available.
    pub(super) not_available: &'static str,
    /// FxHash: looked up for every cell written.
    cache: FxMap<(u8, Option<u8>, Look), StyleId>,
    formats: Vec<XlFormat>,
    pending: Pending,
    /// The cells of each section's sheet (by its index) still waiting for their formats, set
    /// once the formulas are written (see [`Styles::finish_sheet`]).
    done: Vec<Pending>,
    /// A rich string's bold and plain runs, built once (see [`Styles::run_formats`]).
    runs: (XlFormat, XlFormat),
}

impl Styles {
    pub(super) fn new(lang: &str, currency: &str) -> Styles {
        Styles {
            lang: lang.into(),
            currency: currency.into(),
            not_available: Words::of(lang).not_available,
            cache: FxMap::default(),
            formats: Vec::new(),
            pending: Pending::default(),
            done: Vec::new(),
            runs: (XlFormat::new().set_bold(), XlFormat::new()),
        }
    }

    /// The formats of a rich string's bold and plain runs.
    pub(super) fn run_formats(&self) -> (&XlFormat, &XlFormat) {
        (&self.runs.0, &self.runs.1)
    }

    /// The format of a value: its number format with the decimals its text shows.
    pub(super) fn id_of(&mut self, v: &Value, look: Look) -> StyleId {
        let decimals = shown_decimals(v, &self.lang);
        self.id(v.format, decimals, look)
    }

    /// Gives the cell (row, col), written without a format, the format of `vf` and `look` when
    /// the sheet is done ([`Styles::apply_pending`]).
    pub(super) fn set_later(&mut self, row: u32, col: u16, vf: ValueFormat, look: Look) {
        let style = self.id(vf, None, look);
        self.pending.value(row, col, style);
    }

    /// Every format built, by [`StyleId`].
    pub(super) fn formats(&self) -> &[XlFormat] {
        &self.formats
    }

    /// Sets the formats of the cells written with [`write_value`], [`write_text`] and
    /// [`write_blank`] on `ws` now: for a sheet without formulas (the data sheet), when its
    /// cells are all written. A section's sheet uses [`Styles::finish_sheet`].
    pub(super) fn apply_pending(&mut self, ws: &mut Worksheet) -> Result<(), XlsxError> {
        self.pending.apply(ws, &self.formats)
    }

    /// Keeps the waiting formats of the sheet just written (`sheet`, its index in the workbook)
    /// for [`Styles::apply_finished`]. Why: the formulas are written over their cells after
    /// every sheet; written unformatted, each takes its format from this list
    /// ([`Styles::set_formula_style`]) instead of a formatted write's format lookup.
    pub(super) fn finish_sheet(&mut self, sheet: usize) {
        if self.done.len() <= sheet {
            self.done.resize_with(sheet + 1, Pending::default);
        }
        let cells = std::mem::take(&mut self.pending);
        self.done[sheet].extend(cells);
    }

    /// Gives the formula cell (row, col) of `sheet` the format `style`, over the format its value
    /// had.
    pub(super) fn set_formula_style(&mut self, sheet: usize, row: u32, col: u16, style: StyleId) {
        if self.done.len() <= sheet {
            self.done.resize_with(sheet + 1, Pending::default);
        }
        self.done[sheet].value(row, col, style);
    }

    /// Sets the formats kept by [`Styles::finish_sheet`] on the workbook's sheets; on failure,
    /// the index of the sheet with the error.
    pub(super) fn apply_finished(&mut self, wb: &mut Workbook) -> Result<(), (usize, XlsxError)> {
        for (sheet, cells) in std::mem::take(&mut self.done).into_iter().enumerate() {
            let ws = wb.worksheet_from_index(sheet).map_err(|e| (sheet, e))?;
            cells.into_apply(ws, &self.formats).map_err(|e| (sheet, e))?;
        }
        Ok(())
    }

    /// A value's format and the decimals its cell keeps, for a formula cell.
    pub(super) fn cell_style(&mut self, v: &Value, look: Look) -> CellStyle {
        CellStyle { style: self.id_of(v, look), decimals: stored_decimals(v, &self.lang) }
    }

    /// The format of `vf` and `look`, for a write that takes one (a merged range, a link).
    pub(super) fn get(&mut self, vf: ValueFormat, look: Look) -> &XlFormat {
        let id = self.id(vf, None, look);
        &self.formats[id as usize]
    }

    /// The format of `vf` with `decimals` and `look`, built on first use.
    pub(super) fn id(&mut self, vf: ValueFormat, decimals: Option<u8>, look: Look) -> StyleId {
        let key = (format_key(vf), decimals, look);
        if let Some(id) = self.cache.get(&key) {
            return *id;
        }
        let id = self.formats.len() as StyleId;
        self.formats.push(self.build(vf, decimals, look));
        self.cache.insert(key, id);
        id
    }

    fn build(&self, vf: ValueFormat, decimals: Option<u8>, look: Look) -> XlFormat {
        let (lang, currency) = (&self.lang, &self.currency);
        {
            let mut f = XlFormat::new();
            let nf = num_format_decimals(vf, lang, currency, decimals);
            if !nf.is_empty() {
                f = f.set_num_format(nf);
            }
            match look {
                // Table cells wrap text wider than their column and sit at the top of a row
                // that another cell made taller.
                Look::Plain => f.set_text_wrap().set_align(FormatAlign::Top),
                Look::Bold => f.set_bold(),
                Look::Highlight => f
                    .set_bold()
                    .set_background_color(Color::RGB(0xFFEB9C))
                    .set_font_color(Color::RGB(0x9C5700))
                    .set_text_wrap()
                    .set_align(FormatAlign::Top),
                Look::Input => {
                    f.set_background_color(Color::RGB(0xFFF9E6)).set_text_wrap().set_align(FormatAlign::Top)
                }
                Look::Field => f
                    .set_background_color(Color::RGB(0xFFF9E6))
                    .set_border(FormatBorder::Thin)
                    .set_border_color(Color::RGB(0x8EA9DB)),
                Look::H1 => f.set_bold().set_font_size(16).set_font_color(Color::RGB(0x1F3864)),
                Look::H2 => f.set_bold().set_font_size(13).set_font_color(Color::RGB(0x2F5496)),
                Look::H3 => f.set_bold().set_font_size(11).set_font_color(Color::RGB(0x2F5496)),
                Look::Wrapped => f.set_text_wrap().set_align(FormatAlign::Top),
                Look::ListItem => f.set_text_wrap().set_align(FormatAlign::Top).set_indent(1),
                Look::FieldLabel => f.set_bold().set_text_wrap().set_align(FormatAlign::Top),
                Look::KpiLabel => f
                    .set_font_size(9)
                    .set_font_color(Color::RGB(0x595959))
                    .set_text_wrap()
                    .set_align(FormatAlign::Bottom)
                    .set_align(FormatAlign::Center),
                Look::KpiValue => f
                    .set_bold()
                    .set_font_size(12)
                    .set_font_color(Color::RGB(0x1F3864))
                    .set_align(FormatAlign::Center),
                Look::Header => f
                    .set_bold()
                    .set_font_color(Color::White)
                    .set_background_color(Color::RGB(0x4472C4))
                    .set_text_wrap()
                    .set_align(FormatAlign::Top),
                Look::Link => f
                    .set_font_color(Color::RGB(0x0563C1))
                    .set_underline(FormatUnderline::Single)
                    .set_text_wrap()
                    .set_align(FormatAlign::Top),
                Look::WrappedLink => f
                    .set_text_wrap()
                    .set_align(FormatAlign::Top)
                    .set_font_color(Color::RGB(0x0563C1))
                    .set_underline(FormatUnderline::Single),
                Look::Note(kind) => {
                    let (fill, border) = match kind {
                        0 => (0xDDEBF7, 0x9BC2E6),
                        1 => (0xFCE4D6, 0xF4B084),
                        // The KAM's areas: the fill of the cells they write in.
                        3 => (0xFFF9E6, 0xC9A93D),
                        _ => (0xFFF2CC, 0xFFD966),
                    };
                    f.set_text_wrap()
                        .set_align(FormatAlign::Top)
                        .set_background_color(Color::RGB(fill))
                        .set_border(FormatBorder::Thin)
                        .set_border_color(Color::RGB(border))
                }
            }
        }
    }
}

/// Writes a typed value: a number (rounded as [`stored_number`] says) or a date with its
/// format; a value of a numeric or date `column` with no number is an empty cell of that
/// format with a note saying why (its text, or "n/d" for a dash; none when the text is empty),
/// never a text marker among numbers;
/// anything else is its text as a string. Returns the number written.
///
/// The cell's format is set by [`Styles::apply_pending`], as for every cell written here.
pub(super) fn write_value(
    ws: &mut Worksheet,
    styles: &mut Styles,
    row: u32,
    col: u16,
    v: &Value,
    column: ValueFormat,
    look: Look,
) -> Result<Option<f64>, XlsxError> {
    if v.text.is_empty() && v.number.is_none() && v.date.is_none() && look != Look::Plain {
        // An empty cell to fill in keeps its format: a money cell typed later is money.
        let format = if v.format == ValueFormat::Text { column } else { v.format };
        write_blank(styles, row, col, format, look)?;
        return Ok(None);
    }
    match v.format {
        ValueFormat::Date => {
            if let Some(d) = v.date.and_then(excel_date) {
                write_date(ws, styles, row, col, d, look)?;
                return Ok(None);
            }
        }
        ValueFormat::Money | ValueFormat::Percent | ValueFormat::Int | ValueFormat::Number => {
            if let Some(n) = stored_number(v, &styles.lang) {
                let style = styles.id_of(v, look);
                write_number(ws, styles, row, col, n, style)?;
                return Ok(Some(n));
            }
        }
        ValueFormat::Text => {}
    }
    let typed_column = column != ValueFormat::Text;
    let missing = !v.number.is_some_and(f64::is_finite) && v.date.is_none();
    if typed_column && missing {
        write_blank(styles, row, col, column, look)?;
        let reason = v.text.trim();
        if reason.is_empty() {
            // Nothing to say: a blank to fill in.
            return Ok(None);
        }
        let reason = if is_dash(reason) { styles.not_available } else { reason };
        let note = Note::new(cell_text(reason)).set_author("kamplan").add_author_prefix(false);
        ws.insert_note(row, col, &note)?;
        return Ok(None);
    }
    write_text(ws, styles, row, col, &v.text, look)?;
    Ok(None)
}

/// Writes a number with the format `style` (set by [`Styles::apply_pending`]).
pub(super) fn write_number(
    ws: &mut Worksheet,
    styles: &mut Styles,
    row: u32,
    col: u16,
    n: f64,
    style: StyleId,
) -> Result<(), XlsxError> {
    ws.write_number(row, col, n)?;
    styles.pending.value(row, col, style);
    Ok(())
}

/// Writes a date in the date format of `look`.
pub(super) fn write_date(
    ws: &mut Worksheet,
    styles: &mut Styles,
    row: u32,
    col: u16,
    d: ExcelDateTime,
    look: Look,
) -> Result<(), XlsxError> {
    ws.write_datetime(row, col, d)?;
    let style = styles.id(ValueFormat::Date, None, look);
    styles.pending.value(row, col, style);
    Ok(())
}

/// An empty cell with the format of `vf` and `look` (set by [`Styles::apply_pending`]).
///
/// The sheet is not touched until then: the format is what makes the cell.
pub(super) fn write_blank(
    styles: &mut Styles,
    row: u32,
    col: u16,
    vf: ValueFormat,
    look: Look,
) -> Result<(), XlsxError> {
    // Excel's limits, checked here as rust_xlsxwriter's `write_blank` would.
    if row >= 1_048_576 || col >= 16_384 {
        return Err(XlsxError::RowColumnLimitError);
    }
    let style = styles.id(vf, None, look);
    styles.pending.blank(row, col, style);
    Ok(())
}

/// Text that only marks a missing value: empty, dashes, "n/d", "n/a".
fn is_dash(s: &str) -> bool {
    s.chars().all(|c| matches!(c, '—' | '–' | '-' | ' '))
        || matches!(s.to_lowercase().as_str(), "n/d" | "n/a")
}

/// Writes text as a string cell, never a formula; an empty text leaves a formatted blank.
pub(super) fn write_text(
    ws: &mut Worksheet,
    styles: &mut Styles,
    row: u32,
    col: u16,
    text: &str,
    look: Look,
) -> Result<(), XlsxError> {
    if text.is_empty() {
        if look != Look::Plain {
            write_blank(styles, row, col, ValueFormat::Text, look)?;
        }
    } else {
        let style = styles.id(ValueFormat::Text, None, look);
        write_string(ws, styles, row, col, text, style)?;
    }
    Ok(())
}

/// Writes a non-empty text as a string cell (cut to what a cell holds) with the format `style`.
pub(super) fn write_string(
    ws: &mut Worksheet,
    styles: &mut Styles,
    row: u32,
    col: u16,
    text: &str,
    style: StyleId,
) -> Result<(), XlsxError> {
    ws.write_string(row, col, cell_text(text))?;
    styles.pending.value(row, col, style);
    Ok(())
}

/// Writes text as a hyperlink (a string cell that links, never a formula).
pub(super) fn write_link(
    ws: &mut Worksheet,
    styles: &mut Styles,
    row: u32,
    col: u16,
    text: &str,
    url: Url,
    look: Look,
) -> Result<(), XlsxError> {
    let f = styles.get(ValueFormat::Text, look);
    ws.write_url_with_options(row, col, url, cell_text(text), "", Some(f))?;
    Ok(())
}

/// Whether a value is written as a number or date (else as its text).
pub(super) fn is_typed(v: &Value) -> bool {
    match v.format {
        ValueFormat::Text => false,
        ValueFormat::Date => v.date.and_then(excel_date).is_some(),
        _ => v.number.is_some_and(f64::is_finite),
    }
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use calamine::{Data, Reader, Xlsx};
    use chrono::NaiveDate;

    use super::super::tests::*;

    #[test]
    fn typed_cells_keep_numbers_and_dates() {
        let mut x = open(render(&plan()));
        // Kpis: a row of labels over a row of figures, after the heading and paragraph.
        let k = row_of(&mut x, "Resumen", "Ventas");
        assert_eq!(at(&mut x, "Resumen", k, 1), Data::String("Cuota".into()));
        assert_eq!(at(&mut x, "Resumen", k + 1, 0), Data::Float(18517.5));
        assert_eq!(at(&mut x, "Resumen", k + 1, 1), Data::Float(0.412));
        // A money value without a number is an empty cell with its text as a note.
        assert_eq!(at(&mut x, "Resumen", k + 1, 2), Data::Empty);
        let notes = part(&render(&plan()), "xl/comments1.xml");
        assert!(notes.contains(&lang().money(0.0)), "{notes}");
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
    fn cell_text_keeps_what_a_cell_holds_in_utf16_units() {
        use super::{cell_text, MAX_CELL_TEXT};
        let units = |s: &str| s.encode_utf16().count();
        let ascii = "a".repeat(MAX_CELL_TEXT);
        assert_eq!(cell_text(&ascii), ascii);
        assert_eq!(cell_text(&"a".repeat(40_000)).len(), MAX_CELL_TEXT);
        // 40,000 bytes but 20,000 units: kept whole.
        let accents = "é".repeat(20_000);
        assert_eq!(cell_text(&accents), accents);
        // Two units each: cut on a character, within the limit.
        let cut = cell_text(&"😀".repeat(20_000)).to_string();
        assert_eq!(units(&cut), MAX_CELL_TEXT - 1);
        assert!(cut.chars().all(|c| c == '😀'));
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
        assert_eq!(num_fmt(&mut x, s, 1, 4), "dd/mm/yyyy");
        let mut doc = plan();
        doc.lang = "en-US".into();
        let mut x = open(render(&doc));
        assert_eq!(num_fmt(&mut x, s, 1, 4), "mm/dd/yyyy", "a US reader's dates");
    }
}
