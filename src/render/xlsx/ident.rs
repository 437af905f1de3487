//! The identification sheet: where each KAM-owned area was written, recorded as the tables are
//! written, then the hidden `_kamplan` sheet and one workbook name per area.
//!
//! The workbook names (`_kamplan_1` = `'Hotel Sol'!$A$40:$E$47`) are what Excel, LibreOffice
//! and other programs update when a KAM renames a sheet or inserts rows; the sheet keeps the
//! published name and range as well, so a reader can fall back on them.

use rust_xlsxwriter::{Workbook, XlsxError};

use super::SectionWriter;
use crate::carry::ident::{Area, AreaRef, CellRange, PlanIdent, NAME_PREFIX, SHEET};
use crate::document::AreaMark;

impl SectionWriter<'_> {
    /// Records where a KAM-owned table was written: header row to its last data row.
    pub(super) fn record_area(
        &mut self,
        mark: &AreaMark,
        headers: &[String],
        header_row: u32,
        last_row: u32,
        ncols: usize,
    ) {
        // The parser accepts only known areas; an unknown one is simply not recorded.
        let Some(area) = Area::from_key(&mark.area) else { return };
        self.areas.push(AreaRef {
            account: mark.account.clone(),
            area,
            sheet: self.sheet.1.to_string(),
            sheet_index: self.sheet.0,
            range: CellRange { first_row: header_row, first_col: 0, last_row, last_col: ncols as u32 - 1 },
            name: String::new(),
            columns: mark.columns.clone(),
            labels: headers.to_vec(),
        });
    }
}

/// A sheet name as a formula writes it: quoted, quotes doubled.
fn quoted(sheet: &str) -> String {
    format!("'{}'", sheet.replace('\'', "''"))
}

/// Writes the hidden identification sheet (last) and a workbook name per area.
pub(super) fn write(
    wb: &mut Workbook,
    header: &PlanIdent,
    areas: Vec<AreaRef>,
    document_id: &str,
) -> Result<(), XlsxError> {
    let mut ident = header.clone();
    if ident.document_id.is_empty() {
        ident.document_id = document_id.to_string();
    }
    ident.areas = areas
        .into_iter()
        .enumerate()
        .map(|(i, a)| AreaRef { name: format!("{NAME_PREFIX}{}", i + 1), ..a })
        .collect();
    for a in &ident.areas {
        wb.define_name(&a.name, &format!("={}!{}", quoted(&a.sheet), a.range.absolute()))?;
    }
    let ws = wb.add_worksheet();
    ws.set_name(SHEET)?;
    ws.set_hidden(true);
    for (r, row) in ident.to_rows().iter().enumerate() {
        for (c, text) in row.iter().enumerate() {
            if !text.is_empty() {
                // Strings always: a KAM or sheet name is data, never a formula.
                ws.write_string(r as u32, c as u16, text)?;
            }
        }
    }
    ws.set_column_width(0, 14)?;
    ws.set_column_width(1, 18)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use calamine::Reader;

    use super::super::tests::*;
    use super::super::XlsxRenderer;
    use super::*;
    use crate::carry::ident::MARKER;
    use crate::document::{Block, Column, Table, Value, ValueFormat};
    use crate::render::Renderer;

    /// A document with one KAM-owned table on a sheet whose name needs quoting.
    fn doc_with_area() -> crate::document::Document {
        let mut doc = plan();
        let meetings = Table {
            name: "reuniones_9".into(),
            columns: vec![
                col("Nº", ValueFormat::Int),
                Column { fill: true, ..col("Fecha", ValueFormat::Date) },
                Column { fill: true, ..col("Notas", ValueFormat::Text) },
            ],
            rows: vec![vec![
                cell(int(1)),
                cell(Value { format: ValueFormat::Date, ..text("") }),
                cell(text("")),
            ]],
            totals: None,
            pdf_last: None,
            area: Some(AreaMark {
                area: "meetings".into(),
                account: "C0028".into(),
                columns: vec!["number".into(), "date".into(), "notes".into()],
            }),
        };
        doc.sections.push(section(
            "Hotel O'Sol",
            vec![Block::Heading { level: 1, text: "x".into() }, Block::Table(meetings)],
        ));
        doc
    }

    #[test]
    fn the_identification_sheet_is_hidden_last_and_names_point_at_the_areas() {
        let doc = doc_with_area();
        let mut c = ctx("es");
        c.ident = Some(PlanIdent::plan("2026-10".parse().unwrap(), "=Ana", "es"));
        let bytes = XlsxRenderer.render(&doc, &c).unwrap();
        let mut x = open(bytes);
        let meta = x.sheets_metadata().to_vec();
        let last = meta.last().unwrap();
        assert_eq!(last.name, SHEET);
        assert_ne!(last.visible, calamine::SheetVisible::Visible);
        let range = x.worksheet_range(SHEET).unwrap();
        let rows: Vec<Vec<String>> =
            range.rows().map(|r| r.iter().map(|d| d.to_string()).collect()).collect();
        assert_eq!(rows[0][0], MARKER);
        let (ident, problems) = PlanIdent::from_rows(&rows).unwrap();
        assert!(problems.is_empty());
        assert_eq!(ident.kam, "=Ana", "a KAM name is text");
        assert_eq!(ident.document_id, "test");
        assert_eq!(ident.areas.len(), 1);
        let a = &ident.areas[0];
        assert_eq!((a.account.as_str(), a.area, a.sheet.as_str()), ("C0028", Area::Meetings, "Hotel O'Sol"));
        assert_eq!(a.labels, ["Nº", "Fecha", "Notas"]);
        // Heading, blank row, then the table: header in row 3, one row + blank fill rows.
        let fill = crate::render::xlsx_layout::EXTRA_FILL_ROWS as u32;
        assert_eq!(a.range, CellRange { first_row: 2, first_col: 0, last_row: 3 + fill, last_col: 2 });
        assert_eq!(x.sheet_names().iter().position(|n| n == "Hotel O'Sol"), Some(a.sheet_index));
        let names = x.defined_names().to_vec();
        assert!(
            names.contains(&("_kamplan_1".to_string(), format!("'Hotel O''Sol'!$A$3:$C${}", 4 + fill))),
            "{names:?}"
        );
    }

    #[test]
    fn no_identification_without_one_in_the_context() {
        let x = open(render(&doc_with_area()));
        assert!(!x.sheet_names().iter().any(|n| n == SHEET));
    }
}
