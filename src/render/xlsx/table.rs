//! Excel tables: unique headers and names, typed rows, highlighted and wrapped cells, totals as
//! values, blank fill-in rows and drop-down lists over a column.

use rust_xlsxwriter::{Table as XlTable, TableColumn, TableStyle, XlsxError};

use super::cells::{cell_text, is_typed, write_blank, write_link, write_value, Look};
use super::formula::{Formulas, RowCell};
use super::SectionWriter;
use crate::document::{Table, ValueFormat};
use crate::render::xlsx_layout::{self as layout, wrapped_lines, EXTRA_FILL_ROWS};

impl SectionWriter<'_> {
    pub(super) fn table(&mut self, row: u32, t: &Table) -> Result<u32, XlsxError> {
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
        // The strategy block is one row of its own; other fill-in tables get room for more.
        let one_row = t.area.as_ref().is_some_and(|a| a.area == "strategy");
        let extra = if any_fill && !one_row { EXTRA_FILL_ROWS } else { 0 };
        let data_rows = (t.rows.len() + extra).max(1) as u32;
        let header_row = row;
        let first = row + 1;
        let last_data = row + data_rows;
        let totals_row = t.totals.as_ref().map(|_| last_data + 1);
        let last = totals_row.unwrap_or(last_data);

        // A header wider than its column wraps; the row grows to show it.
        let header_lines = headers
            .iter()
            .enumerate()
            .map(|(j, h)| {
                let width = self.widths.get(j).copied().unwrap_or(layout::DEFAULT_WIDTH);
                // The autofilter button takes about three characters.
                wrapped_lines(h, (width - 3.0) / 1.1).min(3)
            })
            .max()
            .unwrap_or(1);
        let columns: Vec<TableColumn> = headers
            .iter()
            .enumerate()
            .map(|(j, h)| {
                let mut c = TableColumn::new().set_header(h);
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
        // The table style colours the header in Excel; the same colours as a cell format show
        // it in viewers without table styles (LibreOffice). Set on the row at once, as the
        // cells' formats are (see `pending`), not on each header `add_table` writes.
        for j in 0..ncols {
            self.styles.set_later(header_row, j as u16, ValueFormat::Text, Look::Header);
        }
        if header_lines > 1 {
            self.row_height(header_row, 15.0 * f64::from(header_lines))?;
        }

        let mut named_rows = Vec::new();
        for (i, cells) in t.rows.iter().enumerate() {
            let r = first + i as u32;
            let mut lines = 1;
            let mut formula_cells: Vec<RowCell> = Vec::new();
            for (j, col) in t.columns.iter().enumerate() {
                let look = match cells.get(j) {
                    Some(c) if c.highlight => Look::Highlight,
                    _ if col.fill => Look::Input,
                    _ => Look::Plain,
                };
                // Text wider than its column wraps (every table cell's format wraps): the
                // row is made tall enough, as not every viewer sizes rows on opening.
                if let Some(c) = cells.get(j).filter(|c| !is_typed(&c.value)) {
                    let width = self.widths.get(j).copied().unwrap_or(layout::DEFAULT_WIDTH);
                    if layout::text_width(&c.value.text) + 1.0 > width {
                        lines = lines.max(wrapped_lines(&c.value.text, width - 1.0).min(15));
                    }
                }
                let link = cells.get(j).filter(|c| !is_typed(&c.value) && !c.value.text.is_empty());
                let url = link.and_then(|c| self.anchor(c.link.as_deref()));
                match cells.get(j) {
                    Some(cell) if url.is_some() => {
                        let look = if look == Look::Plain { Look::Link } else { look };
                        let url = url.expect("checked");
                        write_link(self.ws, self.styles, r, j as u16, &cell.value.text, url, look)?
                    }
                    Some(cell) => {
                        // What a KAM wrote (a fill-in column, a KAM-owned area) stays as written
                        // ("mañana" in a date column is read back and reported, never hidden in
                        // a note); only kamplan's own markers ("—", "nueva") become notes.
                        let kams = col.fill || t.area.is_some();
                        let column = if kams { ValueFormat::Text } else { col.format };
                        let stored =
                            write_value(self.ws, self.styles, r, j as u16, &cell.value, column, look)?;
                        let formula = cell.formula.as_ref().or(col.formula.as_ref());
                        if col.name.is_some() || formula.is_some() {
                            let format = self.styles.cell_style(&cell.value, look);
                            formula_cells.push((col.name.as_deref(), j as u16, stored, formula, format));
                        }
                    }
                    None if look != Look::Plain => write_blank(self.styles, r, j as u16, col.format, look)?,
                    None => {}
                }
            }
            // Viewers do not all size rows to wrapped text on open: set the height.
            if lines > 1 {
                self.row_height(r, 15.0 * f64::from(lines))?;
            }
            named_rows.push(self.formulas.row(self.section, r, formula_cells));
        }
        // Blank fill-in rows keep the column's number format, so a typed date is a date.
        for r in (first + t.rows.len() as u32)..=last_data {
            for (j, col) in t.columns.iter().enumerate().filter(|(_, c)| c.fill) {
                write_blank(self.styles, r, j as u16, col.format, Look::Input)?;
            }
        }
        if let (Some(tr), Some(totals)) = (totals_row, &t.totals) {
            let mut formula_cells = Vec::new();
            for (j, cell) in totals.iter().enumerate().take(ncols) {
                if is_typed(&cell.value) {
                    let stored = write_value(
                        self.ws,
                        self.styles,
                        tr,
                        j as u16,
                        &cell.value,
                        cell.value.format,
                        Look::Bold,
                    )?;
                    if let Some(f) = &cell.formula {
                        let format = self.styles.cell_style(&cell.value, Look::Bold);
                        formula_cells.push((j as u16, stored, f, format));
                    }
                }
            }
            if !formula_cells.is_empty() {
                let columns = Formulas::columns(&named_rows, first, last_data);
                self.formulas.totals(self.section, tr, columns, formula_cells);
            }
        }
        for (j, col) in t.columns.iter().enumerate().filter(|(_, c)| !c.choices.is_empty()) {
            let dv = self.list_validation(&col.choices)?;
            self.ws.add_data_validation(first, j as u16, last_data, j as u16, &dv)?;
        }
        if let Some(mark) = &t.area {
            self.record_area(mark, &headers, header_row, last_data, ncols);
        }
        Ok(last + 1)
    }
}

#[cfg(test)]
mod tests {
    use calamine::Data;

    use super::super::tests::*;
    use super::*;
    use crate::document::{Block, Column, Document, Value, ValueFormat};

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
            pdf_last: None,
            area: None,
        };
        let empty = Table { name: "A1".into(), rows: vec![], ..t.clone() };
        let doc =
            Document { sections: vec![section("s", vec![Block::Table(t), Block::Table(empty)])], ..plan() };
        let mut x = open(render(&doc));
        assert_eq!(at(&mut x, "s", 0, 1), Data::String("X 2".into()));
        assert_eq!(at(&mut x, "s", 0, 2), Data::String("Columna 3".into()));
        // A number that is not finite is no number: an empty cell, its text in a note.
        assert_eq!(at(&mut x, "s", 1, 0), Data::Empty);
        assert_eq!(at(&mut x, "s", 1, 1), Data::String("01/01/1850".into()));
        x.load_tables().unwrap();
        let mut names: Vec<String> = x.table_names().into_iter().cloned().collect();
        names.sort();
        assert_eq!(names, ["T_A1", "T_A1_2"]);
        assert_eq!(at(&mut x, "Datos", 0, 0), Data::String("opción 0".into()));
    }

    #[test]
    fn a_printed_header_repeats_for_the_table_that_runs_over_pages_when_nothing_follows_it() {
        let table = sales_table;
        let prose =
            || Block::Paragraph(vec![crate::document::Run::text("Texto después de la tabla.", false)]);
        let doc = Document {
            sections: vec![
                // A short main table with prose after it: a repeated header would sit above the prose.
                section("corta", vec![table(5), prose(), prose(), prose(), prose(), prose(), prose()]),
                // The same table ending its sheet: the rows a KAM adds below keep its header.
                section("final", vec![prose(), table(5)]),
                // A table of three pages with a line after it: its header on every page.
                section("larga", vec![table(120), prose()]),
                // The same table followed by pages of prose: the header would label the prose.
                section("seguida", [vec![table(120)], (0..80).map(|_| prose()).collect()].concat()),
                // Two long tables: only the last one's header repeats, on its own pages.
                section("dos", vec![table(70), table(70)]),
            ],
            ..plan()
        };
        let workbook = part(&render(&doc), "xl/workbook.xml");
        let titles: Vec<&str> = workbook
            .split("<definedName name=\"_xlnm.Print_Titles\"")
            .skip(1)
            .map(|d| d.split('>').nth(1).unwrap().split('<').next().unwrap())
            .collect();
        assert_eq!(titles, ["dos!$73:$73", "final!$3:$3", "larga!$1:$1"], "{workbook}");
    }
}
