//! Monthly (wide) books: one row per customer, one column per month — their layout, their
//! row loop and how their cells become transactions.
//!
//! ```text
//!    │ A      │ B              │ C         │ D      │ E      │ … │ O      │ P         │ Q  │ R      │ …
//!  1 │ Distribuciones Norte S.L. — Ventas 2026
//!  2 │        │                │           │ Ventas                    │           │    │ Margen
//!  3 │ Código │ Cliente        │ Comercial │ ene-26 │ feb-26 │ … │ dic-26 │ Total año │ T1 │ ene-26 │ …
//!  4 │ C001   │ Acme S.A.      │ Ana Ruiz  │ 1200   │        │ … │ 900    │ 2100      │ …  │ 300    │ …
//!  … │ …
//! 60 │ Total  │                │           │ 48 000 │ …
//! ```
//!
//! - **Layout** ([`detect`]): a header row with a customer column and at least three month
//!   columns (`months.rs`: date cells, `ene-26`, `Enero 2026`, `2026-01`, …). Month names
//!   alone take their year from the heading above their group, else the sheet name, else the
//!   closest title above the header, else `[ingest] year`; without one the sheet is refused
//!   with a message asking for it. The heading above a group of month columns (or a word in
//!   the header, or the sheet name) says what the group holds: sales (the default), margin,
//!   cost, or something not read (units, budget, a rate). Quarter columns are not read; total
//!   columns are checked against their months and never used.
//! - **Rows** ([`SheetReader::wide_row`]): a row is a customer, a skipped row (blank, title,
//!   header, totals) or a reject. A month cell that is no number rejects the whole row (a
//!   customer is never counted with a hole); empty cells, `0` and `-` are no sale. Each
//!   customer-month cell is kept as a [`WideCell`].
//! - **Cells → transactions** ([`resolve`], once every file is read): the same customer-month in
//!   two sheets is kept once — from the later sheet (the later file, or the later sheet of a
//!   file) — with a warning naming both cells; a customer-month already in invoice lines is
//!   left to the lines. Each sales cell becomes one transaction dated on the month's last day;
//!   the customer-month's margin and cost go on its first transaction.

mod layout;
mod resolve;

use serde::Serialize;

use super::super::months::{self, Block};
use super::super::{Role, Sym};
use super::{Ctx, Pending, RowBuf, SheetReader, Skip};
use crate::ingest::cells::{a1, col_letters, num_text, Val};
use crate::ingest::header::{Col, Mapping, NCOLS};
use crate::period::Month;

pub use layout::detect;
pub use resolve::resolve;

/// What `check` says about a monthly sheet.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct WideReport {
    /// Sales month columns read, as `D (ene-26) = 2026-01`, left to right.
    pub months: Vec<String>,
    /// Margin month columns read.
    pub margin_months: Vec<String>,
    /// Cost month columns read.
    pub cost_months: Vec<String>,
    /// Total columns checked against their months, as `P (Total año) = D…O`.
    pub totals: Vec<String>,
    /// Columns recognised and not read, with why (quarters, a repeated month, units, budget).
    pub ignored: Vec<String>,
    /// Where month names without a year took it from.
    pub year: Option<String>,
    /// Customer-month cells read (before overlaps between sheets are resolved).
    pub cells: u64,
    /// Customer-month cells kept as transactions.
    pub kept: u64,
    /// Findings someone should read: a total that does not match its months, a
    /// customer-month also in another sheet.
    pub warnings: Vec<String>,
    /// Why the sheet could not be read as a monthly book (e.g. month names without a year).
    pub problem: Option<String>,
}

/// One customer-month cell of a monthly sheet, kept until every file is read.
#[derive(Debug, Clone, Copy)]
pub struct WideCell {
    pub customer: Sym,
    /// The customer's spelling on the row.
    pub name: Option<Sym>,
    pub kam: Option<Sym>,
    pub region: Option<Sym>,
    pub product: Option<Sym>,
    pub segment: Option<Sym>,
    pub month: Month,
    pub block: Block,
    /// The cell's value; NaN until an ambiguous text number (`1.234`) is resolved.
    pub value: f64,
    /// The sheet's index in the ingest report (counted per file until files are merged).
    pub sheet: u32,
    /// 0-based cell.
    pub row: u32,
    pub col: u32,
}

/// The rows above the header, kept while the header is searched for: titles and headings
/// give month names their year and month groups their meaning.
#[derive(Debug, Default)]
pub struct Titles {
    rows: Vec<(u32, Vec<(u32, String)>)>,
}

impl Titles {
    /// Keeps row `r`'s text and number cells.
    pub fn push(&mut self, r: u32, buf: &RowBuf) {
        let cells: Vec<(u32, String)> = buf
            .iter()
            .filter_map(|(c, v)| match v {
                Val::Text(s) if !s.trim().is_empty() => Some((c, s.trim().to_string())),
                Val::Num(n) => Some((c, num_text(n))),
                _ => None,
            })
            .collect();
        if !cells.is_empty() {
            self.rows.push((r, cells));
        }
    }
}

#[derive(Debug, Clone)]
enum Use {
    /// A month column; year 0 when the year is in each row's year column.
    Month(Month, Block),
    /// The year of each row (`Año`), for month names without one.
    Year,
    /// A total column and the indices (in `Layout::cols`) of the months it sums.
    Total(Vec<usize>),
    Ignored,
}

#[derive(Debug, Clone)]
struct Column {
    col: u32,
    header: String,
    what: Use,
}

/// A month cell's number, or an ambiguous text number's (comma, dot) readings.
type Cell = Result<f64, (f64, f64)>;

/// A monthly sheet being read: its columns and what its rows gave so far.
#[derive(Debug)]
pub struct WideSheet {
    cols: Vec<Column>,
    /// Column → index in `cols`.
    index: Vec<Option<usize>>,
    report: WideReport,
    /// This sheet's index in the file's reports.
    sheet: u32,
    /// The column giving each row's year (`Año`), when month names have none.
    year_col: Option<u32>,
    /// Rows whose total differs from their months: (count, first few).
    bad_totals: (u64, Vec<String>),
    /// Scratch for one row: (index in `cols`, value or pending (comma, dot)).
    row: Vec<(usize, Cell)>,
}

/// What a header row is for a monthly book.
#[derive(Debug)]
pub enum Detect {
    /// Not a monthly header.
    Not,
    /// A monthly sheet with its role, the customer columns beside the months and the header
    /// texts they are named by (the row's, or the row above's for a two-row header).
    Wide(Box<WideSheet>, Role, Mapping, Vec<(u32, String)>),
    /// A monthly header that cannot be read; `warn` when sales may be left out.
    Refused { message: String, warn: bool },
}

impl WideSheet {
    /// True when column `c` is a month, quarter or total column (not "unused").
    pub fn uses(&self, c: u32) -> bool {
        self.index.get(c as usize).is_some_and(Option::is_some)
    }

    /// Called when the sheet's data starts: the sheet's index among the file's reports.
    pub fn start(&mut self, sheet: u32) {
        self.sheet = sheet;
    }

    /// The report, with what the rows found.
    /// `place` names the sheet (`ventas.xlsx › 2026`, or `ventas.csv`).
    pub fn finish(mut self, place: &str) -> WideReport {
        let (n, first) = &self.bad_totals;
        if *n > 0 {
            self.report.warnings.push(format!(
                "{place}: {n} total(s) differ from the sum of their months (the months are read, the totals \
                 never): {}{}",
                first.join("; "),
                if *n as usize > first.len() { "; …" } else { "" }
            ));
        }
        self.report
    }
}

/// An empty month cell: blank, or a dash for zero.
fn no_sale(v: &Val<'_>) -> bool {
    match v {
        Val::Text(s) => matches!(s.trim(), "" | "-" | "–" | "—"),
        Val::Empty => true,
        _ => false,
    }
}

impl SheetReader<'_> {
    /// One row of a monthly sheet: a customer (its month cells kept), a skipped row or a reject.
    pub(super) fn wide_row(
        &mut self,
        r: u32,
        buf: &RowBuf,
        f: &[Val<'_>; NCOLS],
        nonblank: usize,
        ctx: &mut Ctx,
    ) {
        if self.header_repeat(f) {
            return self.skip(Skip::Header);
        }
        let (id, name) = (&f[Col::CustomerId as usize], &f[Col::CustomerName as usize]);
        let has_code = self.mapping.has(Col::CustomerId);
        let label = |v: &Val<'_>| v.text().is_some_and(|t| months::total_label(&t));
        let code_blank = !has_code || id.is_blank();
        let others_blank =
            [Col::Kam, Col::Region, Col::Segment, Col::Product].iter().all(|c| f[*c as usize].is_blank());
        let totals_row = ((label(name) || label(id)) && (code_blank || label(id)))
            || (code_blank && others_blank && name.text().is_some_and(|t| months::starts_total(&t)));
        if totals_row {
            return self.skip(Skip::Total);
        }
        let Some(mut w) = self.wide.take() else { return };
        // The month cells first: a row with an unusable one is rejected before anything is kept.
        w.row.clear();
        let mut bad: Vec<(u32, String, String, String)> = Vec::new();
        let mut totals: Vec<(usize, Val<'_>)> = Vec::new();
        for (c, v) in buf.iter() {
            let Some(Some(i)) = w.index.get(c as usize).copied() else { continue };
            match w.cols[i].what {
                Use::Month(_, block) => {
                    if no_sale(&v) {
                        continue;
                    }
                    let col = match block {
                        Block::Margin => Col::Margin,
                        Block::Cost => Col::Cost,
                        _ => Col::Amount,
                    };
                    match self.number(col, &v) {
                        Ok(None) => {}
                        Ok(Some(Ok(n))) if !n.is_finite() => bad.push((
                            c,
                            w.cols[i].header.clone(),
                            v.raw(),
                            "expected a number, found a value too large to be one".into(),
                        )),
                        Ok(Some(x)) => w.row.push((i, x)),
                        Err(reason) => bad.push((c, w.cols[i].header.clone(), v.raw(), reason)),
                    }
                }
                Use::Total(_) if !v.is_blank() => totals.push((i, v)),
                _ => {}
            }
        }
        let customer_blank = id.is_blank() && name.is_blank();
        if customer_blank {
            self.wide = Some(w);
            if let Some(why) = self.non_data(buf, f, nonblank) {
                return self.skip(why);
            }
            let col = if has_code { Col::CustomerId } else { Col::CustomerName };
            return self.reject(r, col, &f[col as usize], "customer is blank (no code and no name)".into());
        }
        // A bad margin or cost cell is left empty and pointed out; a bad sales cell rejects the row.
        let sales_bad: Vec<&(u32, String, String, String)> = bad
            .iter()
            .filter(|(c, ..)| {
                let i = w.index[*c as usize].unwrap_or(0);
                matches!(w.cols[i].what, Use::Month(_, Block::Sales))
            })
            .collect();
        if let Some((c, header, raw, reason)) = sales_bad.first() {
            let more = match sales_bad.len() {
                1 => String::new(),
                n => format!(" (and {} more month cell(s) in this row)", n - 1),
            };
            self.rejects.push(super::super::Reject {
                file: self.file.clone(),
                sheet: self.sheet.clone(),
                row: r + 1,
                column: format!("{} ({header})", col_letters(*c)),
                value: raw.clone(),
                reason: format!("{reason}{more}"),
            });
            self.wide = Some(w);
            return;
        }
        for (c, header, raw, _) in &bad {
            let col = match w.cols[w.index[*c as usize].unwrap_or(0)].what {
                Use::Month(_, Block::Cost) => Col::Cost,
                _ => Col::Margin,
            };
            self.headers.entry(col).or_insert_with(|| header.clone());
            let e = self.optional_bad.entry(col).or_insert((0, a1(r, *c), raw.clone()));
            e.0 += 1;
        }
        // Month names without a year take the row's year (`Año` column).
        let mut year = 0;
        if let Some(yc) = w.year_col {
            let v = buf.iter().find(|(c, _)| *c == yc).map(|(_, v)| v).unwrap_or(Val::Empty);
            let y = match &v {
                Val::Num(n) if n.fract() == 0.0 => Some(*n as i32),
                Val::Text(t) => t.trim().parse().ok(),
                Val::Date(d) => Some(chrono::Datelike::year(&d.date())),
                _ => None,
            };
            match y.filter(|y| (1990..=2100).contains(y)) {
                Some(y) => year = y,
                None => {
                    let header = w.cols[w.index[yc as usize].unwrap_or(0)].header.clone();
                    self.rejects.push(super::super::Reject {
                        file: self.file.clone(),
                        sheet: self.sheet.clone(),
                        row: r + 1,
                        column: format!("{} ({header})", col_letters(yc)),
                        value: v.raw(),
                        reason: "expected the year of the row's months (e.g. 2026)".into(),
                    });
                    self.wide = Some(w);
                    return;
                }
            }
        }
        let Ok((customer, spelling)) = self.customer(r, f, ctx) else {
            self.wide = Some(w);
            return;
        };
        let kam = Self::sym(ctx, Col::Kam, &f[Col::Kam as usize]);
        let region = Self::sym(ctx, Col::Region, &f[Col::Region as usize]);
        let product = Self::sym(ctx, Col::Product, &f[Col::Product as usize]);
        let segment = Self::sym(ctx, Col::Segment, &f[Col::Segment as usize]);
        for &(i, x) in &w.row {
            let Use::Month(mut month, block) = w.cols[i].what else { continue };
            if month.year == 0 {
                month.year = year;
            }
            let value = match x {
                Ok(v) => v,
                Err((comma, dot)) => {
                    let col = match block {
                        Block::Margin => Col::Margin,
                        Block::Cost => Col::Cost,
                        _ => Col::Amount,
                    };
                    self.pending.push(Pending { index: ctx.wide.len(), col, comma, dot });
                    f64::NAN
                }
            };
            // A zero sale is no sale; a zero margin on a sale is a fact.
            if block == Block::Sales && value == 0.0 {
                continue;
            }
            ctx.wide.push(WideCell {
                customer,
                name: spelling,
                kam,
                region,
                product,
                segment,
                month,
                block,
                value,
                sheet: w.sheet,
                row: r,
                col: w.cols[i].col,
            });
            w.report.cells += 1;
        }
        check_totals(&mut w, r, &totals);
        self.wide = Some(w);
        self.records += 1;
    }
}

/// Compares each total cell of row `r` with the sum of its months (to the cent).
fn check_totals(w: &mut WideSheet, r: u32, totals: &[(usize, Val<'_>)]) {
    'totals: for (i, v) in totals {
        let Use::Total(months) = &w.cols[*i].what else { continue };
        let mut sum = 0.0;
        for (j, x) in &w.row {
            if months.contains(j) {
                match x {
                    Ok(n) => sum += n,
                    // An ambiguous month (`1.234`) is settled at the end of the sheet: not checked.
                    Err(_) => continue 'totals,
                }
            }
        }
        let total = match v {
            Val::Num(n) => Some(*n),
            Val::Text(s) => super::super::value::parse_text_number(s).value(super::super::value::Dec::Comma),
            _ => None,
        };
        let c = &w.cols[*i];
        let (a, b) = (w.cols[months[0]].col, w.cols[months[months.len() - 1]].col);
        let cents = |x: f64| (x * 100.0).round();
        let differs = total.is_none_or(|t| (cents(t) - cents(sum)).abs() > 1.0);
        if differs {
            w.bad_totals.0 += 1;
            if w.bad_totals.1.len() < 3 {
                w.bad_totals.1.push(format!(
                    "{} ({}) = {} but {}:{} sum {:.2}",
                    a1(r, c.col),
                    c.header,
                    v.raw(),
                    a1(r, a),
                    a1(r, b),
                    sum
                ));
            }
        }
    }
}

/// Books the tests write, and what they read back.
#[cfg(test)]
pub(super) mod testbook {
    use std::path::{Path, PathBuf};

    use chrono::NaiveDate;

    use crate::config::Config;
    use crate::ingest::{ingest, Dataset, SheetReport};

    /// A cell the tests write: text, number, a date cell shown as `mmm-yy`, or nothing.
    #[derive(Clone)]
    pub enum C {
        S(&'static str),
        N(f64),
        D(u16, u8),
        E,
    }
    use C::*;

    pub fn book(path: &Path, sheets: &[(&str, Vec<Vec<C>>)]) -> PathBuf {
        let mut wb = rust_xlsxwriter::Workbook::new();
        let fmt = rust_xlsxwriter::Format::new().set_num_format("mmm-yy");
        for (name, rows) in sheets {
            let ws = wb.add_worksheet().set_name(*name).unwrap();
            for (r, row) in rows.iter().enumerate() {
                for (c, v) in row.iter().enumerate() {
                    let (r, c) = (r as u32, c as u16);
                    match v {
                        S(s) => {
                            ws.write_string(r, c, *s).unwrap();
                        }
                        N(n) => {
                            ws.write_number(r, c, *n).unwrap();
                        }
                        D(y, m) => {
                            let d = rust_xlsxwriter::ExcelDateTime::from_ymd(*y, *m, 1).unwrap();
                            ws.write_datetime_with_format(r, c, &d, &fmt).unwrap();
                        }
                        E => {}
                    }
                }
            }
        }
        wb.save(path).unwrap();
        path.to_path_buf()
    }

    pub fn read(files: &[PathBuf], cfg: &Config) -> Dataset {
        ingest(files, cfg).unwrap_or_else(|e| panic!("{e}"))
    }

    pub fn sheet<'a>(ds: &'a Dataset, name: &str) -> &'a SheetReport {
        ds.report.sheets.iter().find(|s| s.sheet == name).unwrap_or_else(|| panic!("no sheet {name}"))
    }

    pub fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    /// (customer key, date, amount) of every transaction, in order.
    pub fn txns(ds: &Dataset) -> Vec<(String, NaiveDate, f64)> {
        ds.transactions
            .iter()
            .map(|t| (ds.strings.resolve(t.customer).to_string(), t.date, t.amount))
            .collect()
    }

    pub fn identity(s: &SheetReport) {
        assert_eq!(s.rows, s.transactions + s.skipped + s.rejected, "{s:?}");
    }
}

#[cfg(test)]
mod tests {
    use super::testbook::{C::*, *};
    use crate::config::Config;
    use crate::ingest::Role;

    #[test]
    fn date_cell_headers_with_titles_a_total_column_and_a_totals_row() {
        let dir = tempfile::tempdir().unwrap();
        let p = book(
            &dir.path().join("mensual.xlsx"),
            &[(
                "Ventas",
                vec![
                    vec![S("Distribuciones Norte S.L.")],
                    vec![S("Ventas netas por cliente y mes")],
                    vec![],
                    vec![
                        S("Código"),
                        S("Cliente"),
                        S("Comercial"),
                        D(2026, 1),
                        D(2026, 2),
                        D(2026, 3),
                        S("Total"),
                    ],
                    vec![S("C1"), S("Acme S.A."), S("Ana"), N(100.0), E, N(50.5), N(150.5)],
                    vec![S("C2"), S("Beta SL"), S("Luis"), N(10.0), N(0.0), S("-"), N(10.0)],
                    vec![S("C3"), S("Gamma"), S("Luis"), N(-5.0), N(7.0), N(8.0), N(10.0)],
                    vec![],
                    vec![E, S("Total"), E, N(105.0), N(7.0), N(58.5), N(170.5)],
                ],
            )],
        );
        let ds = read(&[p], &Config::default());
        let s = sheet(&ds, "Ventas");
        assert_eq!(s.role, Role::MonthlySales);
        assert_eq!(s.header_row, Some(4));
        assert_eq!(s.transactions, 3, "three customers");
        assert_eq!((s.rows, s.rejected), (9, 0));
        identity(s);
        let w = s.wide.as_ref().unwrap();
        assert_eq!(
            w.months,
            ["D (2026-01-01) = 2026-01", "E (2026-02-01) = 2026-02", "F (2026-03-01) = 2026-03"]
        );
        assert_eq!(w.totals.len(), 1, "{w:?}");
        assert!(w.totals[0].starts_with("G (Total) = D…F"), "{w:?}");
        assert!(s.unused_columns.is_empty(), "{:?}", s.unused_columns);
        // Empty cells, a zero and a dash are no sale; the totals row is skipped, not summed.
        assert_eq!(
            txns(&ds),
            vec![
                ("C1".into(), date(2026, 1, 31), 100.0),
                ("C1".into(), date(2026, 3, 31), 50.5),
                ("C2".into(), date(2026, 1, 31), 10.0),
                ("C3".into(), date(2026, 1, 31), -5.0),
                ("C3".into(), date(2026, 2, 28), 7.0),
                ("C3".into(), date(2026, 3, 31), 8.0),
            ]
        );
        assert_eq!(s.amount_total, 170.5);
        assert_eq!(ds.report.amount_total, 170.5);
        assert_eq!(ds.customer_name(ds.transactions[0].customer), "Acme S.A.");
        assert_eq!(ds.strings.resolve(ds.transactions[0].kam.unwrap()), "Ana");
        // Every total matches its months: nothing to warn about.
        assert!(ds.report.warnings.is_empty(), "{:?}", ds.report.warnings);
    }

    #[test]
    fn a_text_value_in_a_month_rejects_the_row_with_its_cell() {
        let dir = tempfile::tempdir().unwrap();
        let p = book(
            &dir.path().join("a.xlsx"),
            &[(
                "2026",
                vec![
                    vec![S("Cliente"), S("Comercial"), S("Ene"), S("Feb"), S("Mar")],
                    vec![S("Acme"), S("Ana"), N(1.0), S("pendiente"), S("1.234,50")],
                    vec![S("Beta"), S("Ana"), N(1.0), S("pendiente"), S("#N/A")],
                    vec![E, S("Ana"), N(5.0), E, E],
                    vec![S("Gamma"), S("Luis"), S("2.000"), E, E],
                ],
            )],
        );
        let ds = read(&[p], &Config::default());
        let s = sheet(&ds, "2026");
        identity(s);
        assert_eq!((s.transactions, s.rejected), (1, 3));
        let r: Vec<(u32, &str, &str, &str)> = s
            .rejects
            .iter()
            .map(|r| (r.row, r.column.as_str(), r.value.as_str(), r.reason.as_str()))
            .collect();
        assert_eq!(r[0], (2, "D (Feb)", "pendiente", "expected a number, found text"));
        assert_eq!(r[1].3, "expected a number, found text (and 1 more month cell(s) in this row)");
        assert_eq!((r[2].0, r[2].1), (4, "A (Cliente)"));
        // 2.000 is read with the sheet's other values (1.234,50 shows a decimal comma).
        assert_eq!(txns(&ds), [("gamma".to_string(), date(2026, 1, 31), 2000.0)]);
    }
}
