//! Text blocks on a sheet: headings, wrapped paragraphs and notes, lists, KPI rows and fill-in
//! fields with their drop-down lists.

use rust_xlsxwriter::{DataValidation, Format as XlFormat, Formula, XlsxError};

use super::cells::{
    cell_text, excel_date, note_look, parse_date, write_blank, write_date, write_link, write_number,
    write_string, write_text, write_value, Look, MAX_CELL_TEXT,
};
use super::SectionWriter;
use crate::document::{Field, FieldKind, Kpi, NoteKind, Run, ValueFormat};
use crate::render::xlsx_layout::{self as layout, wrapped_lines};

impl SectionWriter<'_> {
    pub(super) fn heading(&mut self, row: u32, level: u8, text: &str) -> Result<u32, XlsxError> {
        let look = match level {
            0 | 1 => Look::H1,
            2 => Look::H2,
            _ => Look::H3,
        };
        let one_line: String = text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
        write_text(self.ws, self.styles, row, 0, &one_line, look)?;
        if look == Look::H1 {
            self.row_height(row, 21.0)?;
        }
        Ok(row + 1)
    }

    /// A text block merged across the text span and wrapped, its row tall enough.
    fn wrapped(&mut self, row: u32, text: &str, look: Look, span: (usize, f64)) -> Result<u32, XlsxError> {
        let text = cell_text(text);
        let (cols, width) = span;
        // Borrowed, not cloned: a format is some sixty fields and three strings.
        let f = self.styles.get(ValueFormat::Text, look);
        if cols > 1 {
            self.ws.merge_range(row, 0, row, (cols - 1) as u16, text, f)?;
        } else {
            self.ws.write_string_with_format(row, 0, text, f)?;
        }
        let lines = wrapped_lines(text, width).min(27);
        let pad = if matches!(look, Look::Note(_)) { 4.0 } else { 1.0 };
        if lines > 1 || pad > 1.0 {
            self.row_height(row, 15.0 * f64::from(lines) + pad)?;
        }
        Ok(row + 1)
    }

    pub(super) fn paragraph(&mut self, row: u32, runs: &[Run], span: (usize, f64)) -> Result<u32, XlsxError> {
        let runs: Vec<&Run> = runs.iter().filter(|r| !r.text.is_empty()).collect();
        if runs.is_empty() {
            return Ok(row);
        }
        let text: String = runs.iter().map(|r| r.text.as_str()).collect();
        let next = self.wrapped(row, &text, Look::Wrapped, span)?;
        // A cell holds one hyperlink: the paragraph's first link makes the whole cell one.
        if let Some(url) = runs.iter().find_map(|r| self.anchor(r.link.as_deref())) {
            write_link(self.ws, self.styles, row, 0, &text, url, Look::WrappedLink)?;
            return Ok(next);
        }
        let mixed = runs.iter().any(|r| r.bold) && runs.iter().any(|r| !r.bold);
        if mixed && text.encode_utf16().count() <= MAX_CELL_TEXT {
            // Bold runs as a rich string over the merged cell's first cell.
            let cell = self.styles.id(ValueFormat::Text, None, Look::Wrapped);
            let (bold, plain) = self.styles.run_formats();
            let segments: Vec<(&XlFormat, &str)> =
                runs.iter().map(|r| (if r.bold { bold } else { plain }, r.text.as_str())).collect();
            let cell = &self.styles.formats()[cell as usize];
            self.ws.write_rich_string_with_format(row, 0, &segments, cell)?;
        }
        Ok(next)
    }

    pub(super) fn note(
        &mut self,
        row: u32,
        kind: NoteKind,
        text: &str,
        span: (usize, f64),
    ) -> Result<u32, XlsxError> {
        if text.is_empty() {
            return Ok(row);
        }
        self.wrapped(row, text, note_look(kind), span)
    }

    pub(super) fn list(
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

    /// KPIs as cards side by side, as in the PDF: a row of labels (wrapped) over a row of
    /// figures, at most four to a row.
    pub(super) fn kpis(&mut self, mut row: u32, kpis: &[Kpi]) -> Result<u32, XlsxError> {
        for chunk in kpis.chunks(layout::kpi_columns(kpis.len())) {
            let mut lines = 1;
            for (i, k) in chunk.iter().enumerate() {
                let col = i as u16;
                write_text(self.ws, self.styles, row, col, &k.label, Look::KpiLabel)?;
                let width = self.widths.get(i).copied().unwrap_or(layout::DEFAULT_WIDTH);
                lines = lines.max(wrapped_lines(&k.label, width).min(4));
                let look = Look::KpiValue;
                // A rate a formula uses keeps ten decimals, so the formula gives the plan's figure
                // to the cent (a target of 742.638,68 € from a rate shown as 5,0 %).
                let precise = k.name.is_some() && k.value.format == ValueFormat::Percent;
                let stored = match k.value.number.filter(|n| n.is_finite() && precise) {
                    Some(n) => {
                        let n = layout::round_to(n, 10);
                        let style = self.styles.id_of(&k.value, look);
                        write_number(self.ws, self.styles, row + 1, col, n, style)?;
                        Some(n)
                    }
                    None => write_value(self.ws, self.styles, row + 1, col, &k.value, k.value.format, look)?,
                };
                let format = self.styles.cell_style(&k.value, look);
                self.formulas.kpi(
                    self.section,
                    row + 1,
                    col,
                    k.name.as_deref(),
                    stored,
                    k.formula.as_ref(),
                    format,
                );
            }
            if lines > 1 {
                self.row_height(row, 13.0 * f64::from(lines) + 2.0)?;
            }
            self.row_height(row + 1, 18.0)?;
            row += 2;
        }
        Ok(row)
    }

    pub(super) fn fields(&mut self, mut row: u32, fields: &[Field]) -> Result<u32, XlsxError> {
        let label_width = self.widths.first().copied().unwrap_or(layout::DEFAULT_WIDTH);
        for f in fields {
            write_text(self.ws, self.styles, row, 0, &f.label, Look::FieldLabel)?;
            let lines = wrapped_lines(&f.label, label_width / 1.1).min(4);
            if lines > 1 {
                self.row_height(row, 15.0 * f64::from(lines))?;
            }
            let vf = if f.kind == FieldKind::Date { ValueFormat::Date } else { ValueFormat::Text };
            let prefilled_date = match f.kind {
                FieldKind::Date => parse_date(&f.value).and_then(excel_date),
                _ => None,
            };
            if let Some(d) = prefilled_date {
                write_date(self.ws, self.styles, row, 1, d, Look::Field)?;
            } else if f.value.is_empty() {
                write_blank(self.styles, row, 1, vf, Look::Field)?;
            } else {
                let style = self.styles.id(vf, None, Look::Field);
                write_string(self.ws, self.styles, row, 1, &f.value, style)?;
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
    pub(super) fn list_validation(&mut self, choices: &[String]) -> Result<DataValidation, XlsxError> {
        if layout::inline_list(choices) {
            return DataValidation::new().allow_list_strings(choices);
        }
        match self.data.add_list(choices) {
            Some(range) => Ok(DataValidation::new().allow_list_formula(Formula::new(range))),
            None => Ok(DataValidation::new().allow_any_value()),
        }
    }
}
