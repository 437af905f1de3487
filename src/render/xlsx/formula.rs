//! Formulas: the template's `data-formula`s written as Excel formulas over the cells they name,
//! each with its computed value cached so readers that do not recalculate (calamine,
//! previews) see the number.
//!
//! Sections are written first with every value in place; the cells that formulas use are
//! registered as they are written (a KPI's `data-name`, a named table column's cells). Then
//! [`Formulas::write`] turns each formula cell into a formula: a name becomes the cell it
//! names (the same row's cell for a table column, else a KPI of the same sheet, else of the
//! first sheet that has one), `sum(col)` becomes `SUBTOTAL(109,…)` over the column's rows,
//! and the cached value is the formula evaluated over the values written — what Excel shows
//! after recalculating.

use std::cell::RefCell;
use std::collections::HashMap;

use rust_xlsxwriter::{Formula as XlFormula, Workbook, XlsxError};

use super::cells::Styles;
use super::pending::StyleId;
use crate::document::Formula;
use crate::render::xlsx_layout::round_to;

/// A cell formulas can see: its place and either its value or its own formula.
struct Slot {
    sheet: usize,
    row: u32,
    col: u16,
    value: Option<f64>,
    formula: Option<(Formula, usize)>,
    /// The cell's format and the decimals its cached value keeps.
    format: CellStyle,
}

/// How a formula cell looks: its format and the decimals of its cached value.
#[derive(Clone)]
pub(super) struct CellStyle {
    /// The format's index in [`super::cells::Styles`] (not a copy of it: most named cells
    /// never become formulas).
    pub(super) style: StyleId,
    pub(super) decimals: Option<i32>,
}

/// Where a formula cell stands: its section and, in a table, the row's named cells and the
/// table's named columns.
#[derive(Default)]
struct Context {
    section: usize,
    row: HashMap<String, usize>,
    columns: HashMap<String, Column>,
}

/// A named table column: its cells (data rows) and their place.
#[derive(Clone)]
pub(super) struct Column {
    col: u16,
    first: u32,
    last: u32,
    slots: Vec<usize>,
}

/// The workbook's named cells and formula cells, filled while sections are written.
#[derive(Default)]
pub(super) struct Formulas {
    slots: Vec<Slot>,
    contexts: Vec<Context>,
    /// (section, KPI name) → slot.
    kpis: HashMap<(usize, String), usize>,
    /// KPI name → slot in the first section that has it.
    first_kpi: HashMap<String, usize>,
}

/// One table row's cells for [`Formulas::row`]: (column name, column index, value written,
/// formula, the cell's format).
pub(super) type RowCell<'a> = (Option<&'a str>, u16, Option<f64>, Option<&'a Formula>, CellStyle);

impl Formulas {
    /// Registers a KPI: by its name, and as a formula cell when it has one.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn kpi(
        &mut self,
        section: usize,
        row: u32,
        col: u16,
        name: Option<&str>,
        value: Option<f64>,
        formula: Option<&Formula>,
        format: CellStyle,
    ) {
        if name.is_none() && formula.is_none() {
            return;
        }
        let ctx = self.context(Context { section, ..Context::default() });
        let id = self.slot(section, row, col, value, formula.map(|f| (f.clone(), ctx)), format);
        if let Some(n) = name {
            self.kpis.insert((section, n.to_string()), id);
            self.first_kpi.entry(n.to_string()).or_insert(id);
        }
    }

    /// Registers a table's data row; returns the slots of its named cells by column name, for
    /// [`Formulas::columns`].
    pub(super) fn row(&mut self, section: usize, row: u32, cells: Vec<RowCell>) -> Vec<(String, u16, usize)> {
        let ctx = self.context(Context { section, ..Context::default() });
        let mut named = Vec::new();
        for (name, col, value, formula, format) in cells {
            if name.is_none() && formula.is_none() {
                continue;
            }
            let id = self.slot(section, row, col, value, formula.map(|f| (f.clone(), ctx)), format);
            if let Some(n) = name {
                named.push((n.to_string(), col, id));
                self.contexts[ctx].row.insert(n.to_string(), id);
            }
        }
        named
    }

    /// The named columns of a table from its rows' named cells, between `first` and `last`
    /// (the rows `sum` covers, blank fill-in rows included).
    pub(super) fn columns(
        rows: &[Vec<(String, u16, usize)>],
        first: u32,
        last: u32,
    ) -> HashMap<String, Column> {
        let mut out: HashMap<String, Column> = HashMap::new();
        for (name, col, id) in rows.iter().flatten() {
            out.entry(name.clone())
                .or_insert_with(|| Column { col: *col, first, last, slots: Vec::new() })
                .slots
                .push(*id);
        }
        out
    }

    /// Registers a table's totals row: its formula cells see the table's named columns.
    pub(super) fn totals(
        &mut self,
        section: usize,
        row: u32,
        columns: HashMap<String, Column>,
        cells: Vec<(u16, Option<f64>, &Formula, CellStyle)>,
    ) {
        let ctx = self.context(Context { section, columns, ..Context::default() });
        for (col, value, formula, format) in cells {
            self.slot(section, row, col, value, Some((formula.clone(), ctx)), format);
        }
    }

    fn context(&mut self, c: Context) -> usize {
        self.contexts.push(c);
        self.contexts.len() - 1
    }

    fn slot(
        &mut self,
        sheet: usize,
        row: u32,
        col: u16,
        value: Option<f64>,
        formula: Option<(Formula, usize)>,
        format: CellStyle,
    ) -> usize {
        self.slots.push(Slot { sheet, row, col, value, formula, format });
        self.slots.len() - 1
    }

    /// The slot a name stands for in a context.
    fn lookup(&self, ctx: usize, name: &str) -> Option<usize> {
        let c = &self.contexts[ctx];
        c.row
            .get(name)
            .or_else(|| self.kpis.get(&(c.section, name.to_string())))
            .or_else(|| self.first_kpi.get(name))
            .copied()
    }

    /// A slot's value: its number, or its formula evaluated (None for Excel's errors and
    /// for a formula that depends on itself).
    fn value(&self, id: usize, memo: &RefCell<HashMap<usize, Option<f64>>>) -> Option<f64> {
        if let Some(v) = memo.borrow().get(&id) {
            return *v;
        }
        let slot = &self.slots[id];
        let Some((formula, ctx)) = &slot.formula else { return slot.value };
        memo.borrow_mut().insert(id, None); // a cycle evaluates to an error
        let mut value = |n: &str| self.lookup(*ctx, n).and_then(|s| self.value(s, memo));
        // SUBTOTAL adds the numbers and skips blanks and errors.
        let mut sum = |n: &str| {
            let col = self.contexts[*ctx].columns.get(n)?;
            Some(col.slots.iter().filter_map(|s| self.value(*s, memo)).sum())
        };
        let v = formula.eval(&mut value, &mut sum);
        memo.borrow_mut().insert(id, v);
        v
    }

    /// Writes every formula cell over the value written there, with its computed value
    /// cached. A formula that does not evaluate (a division by zero) keeps the value.
    /// The cells are written unformatted, their formats given to `styles` to set with the
    /// sheet's others ([`Styles::set_formula_style`]).
    pub(super) fn write(
        &self,
        wb: &mut Workbook,
        sheets: &[String],
        styles: &mut Styles,
    ) -> Result<(), XlsxError> {
        let memo = RefCell::new(HashMap::new());
        for (id, slot) in self.slots.iter().enumerate() {
            let Some((formula, ctx)) = &slot.formula else { continue };
            let Some(result) = self.value(id, &memo) else { continue };
            // The same row's cell is relative (the formula reads as a column's rule); any
            // other is absolute.
            let in_row = |n: &str| self.contexts[*ctx].row.contains_key(n);
            let cell = |n: &str| match self.lookup(*ctx, n).map(|s| &self.slots[s]) {
                Some(s) if in_row(n) => a1(s.row, s.col, false),
                Some(s) if s.sheet == slot.sheet => a1(s.row, s.col, true),
                Some(s) => format!("'{}'!{}", sheets[s.sheet].replace('\'', "''"), a1(s.row, s.col, true)),
                None => "#REF!".into(),
            };
            let range = |n: &str| match self.contexts[*ctx].columns.get(n) {
                Some(c) => format!("{}:{}", a1(c.first, c.col, false), a1(c.last, c.col, false)),
                None => "#REF!".into(),
            };
            let excel = formula.to_excel(&cell, &range);
            // The cached value keeps the decimals a stored number would (no 0.30000000000000004).
            let cached = slot.format.decimals.map_or(result, |d| round_to(result, d));
            let f = XlFormula::new(format!("={excel}")).set_result(cached.to_string());
            wb.worksheet_from_index(slot.sheet)?.write_formula(slot.row, slot.col, f)?;
            styles.set_formula_style(slot.sheet, slot.row, slot.col, slot.format.style);
        }
        Ok(())
    }
}

/// A cell's A1 reference (`C7`, or `$C$7` when `absolute`).
pub(super) fn a1(row: u32, col: u16, absolute: bool) -> String {
    let mut letters = String::new();
    let mut c = u32::from(col) + 1;
    while c > 0 {
        let r = (c - 1) % 26;
        letters.insert(0, (b'A' + r as u8) as char);
        c = (c - 1) / 26;
    }
    if absolute {
        format!("${letters}${}", row + 1)
    } else {
        format!("{letters}{}", row + 1)
    }
}

#[cfg(test)]
mod tests {
    use calamine::{Data, Reader};

    use super::super::tests::{at, open, render};
    use super::*;

    /// The formula text of a cell, as calamine reads it (without `=`).
    fn formula_at(
        x: &mut calamine::Xlsx<std::io::Cursor<Vec<u8>>>,
        sheet: &str,
        row: u32,
        col: u32,
    ) -> String {
        let r = x.worksheet_formula(sheet).unwrap();
        r.get_value((row, col)).cloned().unwrap_or_default()
    }

    #[test]
    fn formulas_reference_the_cells_they_name_and_cache_their_value() {
        let doc = crate::document::parse(
            r#"<document title="T" lang="es">
              <section title="Resumen"><kpis>
                <kpi label="Ventas empresa" data-name="company" data-value="2000" data-format="money">2.000,00 €</kpi>
              </kpis></section>
              <section title="Cuenta"><kpis>
                <kpi label="Ventas" data-name="sales" data-value="1000.004" data-format="money">1.000,00 €</kpi>
                <kpi label="Tasa" data-name="rate" data-value="0.05" data-format="percent">5,0 %</kpi>
                <kpi label="Objetivo" data-name="target" data-formula="sales * (1 + rate)" data-value="1050" data-format="money">1.050,00 €</kpi>
                <kpi label="Al mes" data-formula="target / 12" data-value="87.5" data-format="money">87,50 €</kpi>
                <kpi label="Peso" data-formula="sales / company" data-value="0.5" data-format="percent">50,0 %</kpi>
              </kpis>
              <table name="t"><thead><tr><th>Producto</th><th data-format="money" data-name="v">Ventas</th>
                <th data-format="percent" data-formula="v / sales">Peso</th></tr></thead>
                <tbody><tr><td>a</td><td data-value="600.123">600,12 €</td><td data-value="0.6">60,0 %</td></tr>
                       <tr><td>b</td><td data-value="400">400,00 €</td><td data-value="0.4">40,0 %</td></tr></tbody>
                <tfoot><tr><td>Total</td><td data-value="1000.12" data-formula="sum(v)">1.000,12 €</td><td></td></tr></tfoot>
              </table></section>
            </document>"#,
        )
        .unwrap();
        let mut x = open(render(&doc));
        let s = "Cuenta";
        // KPI cards, three to a row: labels on rows 1 and 3, figures on rows 2 and 4.
        // Values are stored rounded: money to the cent.
        assert_eq!(at(&mut x, s, 1, 0), Data::Float(1000.0));
        assert_eq!(formula_at(&mut x, s, 1, 2), "$A$2*(1+$B$2)");
        assert_eq!(at(&mut x, s, 1, 2), Data::Float(1050.0), "cached value");
        assert_eq!(formula_at(&mut x, s, 3, 0), "$C$2/12");
        assert_eq!(at(&mut x, s, 3, 0), Data::Float(87.5));
        assert_eq!(formula_at(&mut x, s, 3, 1), "$A$2/'Resumen'!$A$2", "a name from another sheet");
        assert_eq!(at(&mut x, s, 3, 1), Data::Float(0.5));
        // Table: header on row 6, rows 7 and 8, totals on row 9.
        assert_eq!(formula_at(&mut x, s, 6, 2), "B7/$A$2");
        assert_eq!(at(&mut x, s, 6, 2), Data::Float(0.60012));
        assert_eq!(formula_at(&mut x, s, 8, 1), "SUBTOTAL(109,B7:B8)");
        assert_eq!(at(&mut x, s, 8, 1), Data::Float(1000.12));
        assert_eq!(formula_at(&mut x, s, 8, 2), "", "a totals cell without a formula stays as it was");
        // Formula cells keep the number format of what they show (set with the sheet's other
        // formats, not by the formula write).
        let styles = x.worksheet_style(s).unwrap();
        let code = |row: u32, col: u32| {
            let style = styles.get((row, col)).cloned().unwrap_or_default();
            (
                style.number_format.map(|f| f.format_code).unwrap_or_default(),
                style.font.is_some_and(|f| f.is_bold()),
            )
        };
        assert_eq!(code(1, 2), ("#,##0.00 \"€\"".to_string(), true), "a KPI figure");
        assert_eq!(code(6, 2), ("0.0%".to_string(), false), "a table cell");
        assert_eq!(code(8, 1), ("#,##0.00 \"€\"".to_string(), true), "a totals cell");
    }

    #[test]
    fn names_formulas_use_must_exist() {
        let e = crate::document::parse(
            r#"<document><section title="a"><kpis>
            <kpi label="x" data-formula="nope * 2" data-value="1" data-format="money">1</kpi></kpis></section></document>"#,
        )
        .unwrap_err();
        assert!(e.message.contains("no KPI or column has data-name \"nope\""), "{e}");
        let e = crate::document::parse(
            r#"<document><section title="a"><table><thead><tr><th data-format="money" data-name="v">V</th></tr></thead>
            <tbody><tr><td data-value="1">1</td></tr></tbody><tfoot><tr><td data-formula="v" data-value="1">1</td></tr></tfoot></table></section></document>"#,
        )
        .unwrap_err();
        assert!(e.message.contains("a totals row uses sum(v)"), "{e}");
        let e = crate::document::parse(
            r#"<document><section title="a"><table><thead><tr><th data-formula="1+1">V</th></tr></thead>
            <tbody/></table></section></document>"#,
        )
        .unwrap_err();
        assert!(e.message.contains("needs a number format"), "{e}");
    }

    #[test]
    fn a1_references() {
        assert_eq!(a1(0, 0, false), "A1");
        assert_eq!(a1(6, 2, true), "$C$7");
        assert_eq!(a1(0, 25, false), "Z1");
        assert_eq!(a1(0, 26, false), "AA1");
        assert_eq!(a1(9, 701, false), "ZZ10");
        assert_eq!(a1(0, 702, false), "AAA1");
    }
}
