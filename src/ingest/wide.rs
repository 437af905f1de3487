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

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use serde::Serialize;

use super::super::months::{self, Block, HeaderCell, Hint, MonthRef, Year};
use super::super::{Role, Sym, Txn};
use super::{Ctx, Pending, RowBuf, SheetReader, Skip};
use crate::config::Config;
use crate::ingest::cells::{a1, col_letters, num_text, Val};
use crate::ingest::header::{self, Col, Mapping, NCOLS};
use crate::period::Month;

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
    Month(Month, Block),
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
    /// Rows whose total differs from their months: (count, first few).
    bad_totals: (u64, Vec<String>),
    /// Scratch for one row: (index in `cols`, value or pending (comma, dot)).
    row: Vec<(usize, Cell)>,
}

/// How month names of one group take their year, left to right.
#[derive(Debug, Default)]
struct GroupYears {
    prev: u32,
    seen: HashSet<u32>,
    /// The span's source when the group's year is a span (2025/26).
    span: Option<String>,
    wrapped: bool,
}

/// What a header row is for a monthly book.
#[derive(Debug)]
pub enum Detect {
    /// Not a monthly header.
    Not,
    /// A monthly sheet with its role and the customer columns beside the months.
    Wide(Box<WideSheet>, Role, Mapping),
    /// A monthly header that cannot be read; `warn` when sales may be left out.
    Refused { message: String, warn: bool },
}

/// The first few cells of a list, as `D3 "Enero", E3 "Febrero", …`.
fn some_cells(r: u32, cells: &[(u32, String)]) -> String {
    let mut s: Vec<String> = cells.iter().take(3).map(|(c, t)| format!("{} {t:?}", a1(r, *c))).collect();
    if cells.len() > 3 {
        s.push("…".into());
    }
    s.join(", ")
}

/// Reads a header row as a monthly book's, when it is one. `texts` are the row's text cells,
/// `titles` the rows above it.
pub fn detect(
    r: u32,
    buf: &RowBuf,
    texts: &[(u32, String)],
    titles: &Titles,
    sheet: &str,
    cfg: &Config,
) -> Detect {
    // (column, header as shown, what it names, a date cell)
    let heads: Vec<(u32, String, HeaderCell, bool)> = buf
        .iter()
        .filter_map(|(c, v)| {
            let h = months::header_cell(&v)?;
            let (shown, date) = match v {
                Val::Date(d) => (Month::of(d.date()).to_string(), true),
                other => (other.raw().trim().to_string(), false),
            };
            Some((c, shown, h, date))
        })
        .collect();
    let is_month = |h: &HeaderCell| matches!(h, HeaderCell::Month { .. });
    let Some(first) = heads.iter().filter(|h| is_month(&h.2)).map(|h| h.0).min() else {
        return Detect::Not;
    };
    if heads.iter().filter(|h| is_month(&h.2)).count() < 3 {
        return Detect::Not;
    }
    let rest: Vec<(u32, String)> =
        texts.iter().filter(|(c, _)| !heads.iter().any(|h| h.0 == *c)).cloned().collect();
    let (mapping, _) = header::assign(&rest, Role::MonthlySales, &cfg.columns);
    if !mapping.has(Col::CustomerId) && !mapping.has(Col::CustomerName) {
        return Detect::Not;
    }

    // Headings over month groups (the row just above, from the first month column on), then
    // titles (everything else above), then the sheet name.
    let heading: Vec<(u32, String, Hint)> = titles
        .rows
        .iter()
        .find(|(row, _)| row + 1 == r)
        .map(|(_, cells)| {
            cells.iter().filter(|(c, _)| *c >= first).map(|(c, t)| (*c, t.clone(), months::hint(t))).collect()
        })
        .unwrap_or_default();
    let is_heading = |row: u32, c: u32| row + 1 == r && c >= first;
    let mut title_block = None;
    let mut title_year: Option<(Year, String)> = None;
    for (row, cells) in titles.rows.iter().rev() {
        for (c, t) in cells.iter().filter(|(c, _)| !is_heading(*row, *c)) {
            let h = months::hint(t);
            if title_block.is_none() && matches!(h.block, Some(Block::Margin | Block::Cost | Block::Sales)) {
                title_block = h.block;
            }
            if title_year.is_none() && matches!(h.year, Year::One(_) | Year::Span(_)) {
                title_year = Some((h.year, format!("the title {} {t:?}", a1(*row, *c))));
            }
        }
    }
    let sheet_hint = months::hint(sheet);
    let default_block = sheet_hint.block.or(title_block).unwrap_or(Block::Sales);
    let group = |c: u32| heading.iter().rposition(|h| h.0 <= c);
    let base_year = |g: Option<usize>| -> Option<(Year, String)> {
        if let Some(h) = g.map(|g| &heading[g]) {
            if matches!(h.2.year, Year::One(_) | Year::Span(_)) {
                return Some((h.2.year, format!("the heading {} {:?}", a1(r - 1, h.0), h.1)));
            }
        }
        if matches!(sheet_hint.year, Year::One(_) | Year::Span(_)) {
            return Some((sheet_hint.year, format!("the sheet name {sheet:?}")));
        }
        if let Some(t) = &title_year {
            return Some(t.clone());
        }
        cfg.ingest.year.map(|y| (Year::One(y), "[ingest] year in the config".to_string()))
    };

    // Months, their blocks and years, left to right.
    let mut cols: Vec<Column> = Vec::new();
    let mut missing: Vec<(u32, String)> = Vec::new();
    let mut year_from: BTreeSet<String> = BTreeSet::new();
    let mut groups: HashMap<(Option<usize>, Block), GroupYears> = HashMap::new();
    let mut seen: HashMap<(Month, Block), u32> = HashMap::new();
    let mut last_date: Option<(u32, Month, Block)> = None;
    let mut totals: Vec<(usize, Option<i32>, Block)> = Vec::new();
    let mut ignored: Vec<String> = Vec::new();
    let block_at = |c: u32, own: Option<Block>| {
        own.or_else(|| group(c).and_then(|g| heading[g].2.block)).unwrap_or(default_block)
    };
    for (c, shown, h, date) in &heads {
        let (c, shown) = (*c, shown.clone());
        match *h {
            HeaderCell::Month { month, block } => {
                let block = block_at(c, block);
                let month = match month {
                    MonthRef::Full(m) => m,
                    MonthRef::Name(n) => {
                        let Some((year, from)) = base_year(group(c)) else {
                            missing.push((c, shown));
                            continue;
                        };
                        let st = groups.entry((group(c), block)).or_default();
                        let wraps = st.prev > n && !st.seen.contains(&n);
                        st.prev = n;
                        st.seen.insert(n);
                        let y = match year {
                            Year::Span(y) => {
                                st.span = Some(from.clone());
                                st.wrapped |= wraps;
                                y + st.wrapped as i32
                            }
                            Year::One(y) if wraps => {
                                return Detect::Refused {
                                    message: format!(
                                        "the month names wrap from December to January at {} {shown:?} under one \
                                         year ({y}, from {from}): write the years in the headers (jul-25 … jun-26)",
                                        a1(r, c)
                                    ),
                                    warn: true,
                                };
                            }
                            Year::One(y) => y,
                            _ => unreachable!("base_year gives one year or a span"),
                        };
                        year_from.insert(from);
                        Month { year: y, month: n }
                    }
                };
                // Two date cells of one month side by side: weekly or daily columns, no monthly book.
                if *date {
                    if last_date.is_some_and(|(lc, lm, lb)| lc + 1 == c && lm == month && lb == block) {
                        return Detect::Not;
                    }
                    last_date = Some((c, month, block));
                }
                let header = shown;
                if block == Block::Other {
                    ignored.push(format!(
                        "{} ({header}): month column holding no sales, margin or cost (units, budget, last year or a \
                         rate)",
                        col_letters(c)
                    ));
                    cols.push(Column { col: c, header, what: Use::Ignored });
                } else if let Some(prev) = seen.get(&(month, block)) {
                    ignored.push(format!(
                        "{} ({header}): repeats the month of {} with no heading saying what it holds",
                        col_letters(c),
                        col_letters(*prev)
                    ));
                    cols.push(Column { col: c, header, what: Use::Ignored });
                } else {
                    seen.insert((month, block), c);
                    cols.push(Column { col: c, header, what: Use::Month(month, block) });
                }
            }
            HeaderCell::Quarter { .. } => {
                ignored.push(format!("{} ({shown}): quarter, not read (its months are)", col_letters(c)));
                cols.push(Column { col: c, header: shown, what: Use::Ignored });
            }
            HeaderCell::Total { year, block } => {
                totals.push((cols.len(), year, block_at(c, block)));
                cols.push(Column { col: c, header: shown, what: Use::Ignored });
            }
        }
    }
    // A span (2025/26) whose month names never wrap does not say which year they are in.
    if let Some(from) = groups.values().find(|g| !g.wrapped).and_then(|g| g.span.clone()) {
        return Detect::Refused {
            message: format!(
                "the month names under two years ({from}) never wrap from December to January, so their year is \
                 unclear: write the years in the headers (ene-26)"
            ),
            warn: true,
        };
    }
    if !missing.is_empty() {
        missing.sort();
        missing.dedup();
        return Detect::Refused {
            message: format!(
                "monthly sales with month names but no year ({}): write the year in the sheet name (2026) or in a \
                 title above the header (Ventas 2026), or set `year = 2026` under [ingest] in kamplan.toml",
                some_cells(r, &missing)
            ),
            warn: true,
        };
    }
    // Each total sums the months of its block since the previous total (or, for a total
    // before its months, up to the next one); a total naming a year sums that year's months.
    let mut described_totals = Vec::new();
    for (k, &(i, year, block)) in totals.iter().enumerate() {
        let prev = totals[..k].iter().rev().find(|t| t.2 == block).map(|t| t.0);
        let next = totals[k + 1..].iter().find(|t| t.2 == block).map(|t| t.0);
        let of_block = |j: &usize| matches!(cols[*j].what, Use::Month(m, b) if b == block && year.is_none_or(|y| m.year == y));
        let mut covered: Vec<usize> = if year.is_some() {
            (0..cols.len()).filter(of_block).collect()
        } else {
            (prev.map_or(0, |p| p + 1)..i).filter(of_block).collect()
        };
        if covered.is_empty() {
            covered = (i + 1..next.unwrap_or(cols.len())).filter(of_block).collect();
        }
        let c = &cols[i];
        if block == Block::Other || covered.is_empty() {
            ignored.push(format!(
                "{} ({}): total of nothing kamplan reads, not checked",
                col_letters(c.col),
                c.header
            ));
            continue;
        }
        let (a, b) = (cols[covered[0]].col, cols[covered[covered.len() - 1]].col);
        described_totals.push(format!(
            "{} ({}) = {}…{}: checked against its {} months, never read",
            col_letters(c.col),
            c.header,
            col_letters(a),
            col_letters(b),
            covered.len()
        ));
        cols[i].what = Use::Total(covered);
    }
    let list = |want: Block| -> Vec<String> {
        cols.iter()
            .filter_map(|c| match c.what {
                Use::Month(m, b) if b == want => Some(format!("{} ({}) = {m}", col_letters(c.col), c.header)),
                _ => None,
            })
            .collect()
    };
    let report = WideReport {
        months: list(Block::Sales),
        margin_months: list(Block::Margin),
        cost_months: list(Block::Cost),
        totals: described_totals,
        ignored,
        year: (!year_from.is_empty()).then(|| year_from.into_iter().collect::<Vec<_>>().join("; ")),
        ..WideReport::default()
    };
    let role = if !report.months.is_empty() {
        Role::MonthlySales
    } else if !report.margin_months.is_empty() || !report.cost_months.is_empty() {
        Role::MonthlyMargin
    } else {
        return Detect::Refused {
            message: format!(
                "month columns found ({}) but none holds sales, margin or cost: not read",
                some_cells(r, &heads.iter().map(|h| (h.0, h.1.clone())).collect::<Vec<_>>())
            ),
            warn: false,
        };
    };
    let mut index = Vec::new();
    for (i, c) in cols.iter().enumerate() {
        if index.len() <= c.col as usize {
            index.resize(c.col as usize + 1, None);
        }
        index[c.col as usize] = Some(i);
    }
    let sheet = WideSheet { cols, index, report, sheet: 0, bad_totals: (0, Vec::new()), row: Vec::new() };
    Detect::Wide(Box::new(sheet), role, mapping)
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
    pub fn finish(mut self, file: &str, sheet: &str) -> WideReport {
        let (n, first) = &self.bad_totals;
        if *n > 0 {
            self.report.warnings.push(format!(
                "{file} › {sheet}: {n} total(s) differ from the sum of their months (the months are read, the totals \
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
        let Ok((customer, spelling)) = self.customer(r, f, ctx) else {
            self.wide = Some(w);
            return;
        };
        let kam = Self::sym(ctx, Col::Kam, &f[Col::Kam as usize]);
        let region = Self::sym(ctx, Col::Region, &f[Col::Region as usize]);
        let product = Self::sym(ctx, Col::Product, &f[Col::Product as usize]);
        let segment = Self::sym(ctx, Col::Segment, &f[Col::Segment as usize]);
        for &(i, x) in &w.row {
            let Use::Month(month, block) = w.cols[i].what else { continue };
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

/// Why a customer-month was left out, for the warnings.
#[derive(Debug, Default)]
struct Overlap {
    months: BTreeSet<Month>,
    keys: u64,
    /// (customer spelling or key, month, early cell, early sum, late cell, late sum)
    first: Option<(String, Month, String, f64, String, f64)>,
}

/// Turns the monthly cells of every sheet into transactions, once every file is read: one
/// value per customer-month (the later sheet wins, invoice lines win over monthly cells), a
/// transaction per sales cell dated on the month's last day, margin and cost on the
/// customer-month's first transaction. Sheet reports get their kept amounts and warnings.
pub fn resolve(ctx: &mut Ctx) {
    let cells = std::mem::take(&mut ctx.wide);
    if cells.is_empty() {
        return;
    }
    let ds = &mut ctx.ds;
    type Key = (Block, Sym, Month);
    let key = |c: &WideCell| (c.block, c.customer, c.month);
    let mut latest: HashMap<Key, u32> = HashMap::new();
    let mut sums: HashMap<(Key, u32), (f64, usize)> = HashMap::new();
    for (i, c) in cells.iter().enumerate() {
        let e = latest.entry(key(c)).or_insert(c.sheet);
        *e = (*e).max(c.sheet);
        let s = sums.entry((key(c), c.sheet)).or_insert((0.0, i));
        s.0 += c.value;
    }
    let lines: HashSet<(Sym, Month)> =
        ds.transactions.iter().map(|t| (t.customer, Month::of(t.date))).collect();
    let where_ = |ds: &super::super::Dataset, c: &WideCell| {
        let s = &ds.report.sheets[c.sheet as usize];
        format!("{} › {} › {}", s.file, s.sheet, a1(c.row, c.col))
    };
    let who = |ds: &super::super::Dataset, c: &WideCell| {
        ds.strings.resolve(c.name.unwrap_or(c.customer)).to_string()
    };
    let mut overlaps: BTreeMap<(u32, u32, Block), Overlap> = BTreeMap::new();
    let mut in_lines: BTreeMap<u32, Overlap> = BTreeMap::new();
    let mut counted: HashSet<(Key, u32)> = HashSet::new();
    let mut kept: Vec<&WideCell> = Vec::with_capacity(cells.len());
    for c in &cells {
        let k = key(c);
        let late = latest[&k];
        if c.sheet < late {
            if counted.insert((k, c.sheet)) {
                let o = overlaps.entry((late, c.sheet, c.block)).or_default();
                o.months.insert(c.month);
                o.keys += 1;
                if o.first.is_none() {
                    let (ls, li) = sums[&(k, late)];
                    let (es, _) = sums[&(k, c.sheet)];
                    o.first = Some((who(ds, c), c.month, where_(ds, c), es, where_(ds, &cells[li]), ls));
                }
            }
            continue;
        }
        if c.block == Block::Sales && lines.contains(&(c.customer, c.month)) {
            if counted.insert((k, c.sheet)) {
                let o = in_lines.entry(c.sheet).or_default();
                o.months.insert(c.month);
                o.keys += 1;
                if o.first.is_none() {
                    o.first = Some((who(ds, c), c.month, where_(ds, c), c.value, String::new(), 0.0));
                }
            }
            continue;
        }
        kept.push(c);
    }
    // Margin and cost per customer-month, for its first sales transaction.
    let mut extra: HashMap<Key, f64> = HashMap::new();
    for c in kept.iter().filter(|c| c.block != Block::Sales) {
        *extra.entry(key(c)).or_insert(0.0) += c.value;
    }
    let start = ds.transactions.len();
    let mut first_txn: HashMap<(Sym, Month), usize> = HashMap::new();
    for c in kept.iter().filter(|c| c.block == Block::Sales) {
        first_txn.entry((c.customer, c.month)).or_insert(ds.transactions.len());
        ds.transactions.push(Txn {
            date: c.month.last_day(),
            customer: c.customer,
            customer_name: c.name,
            kam: c.kam,
            product: c.product,
            region: c.region,
            amount: c.value,
            cost: f64::NAN,
            margin: f64::NAN,
            qty: f64::NAN,
            order: None,
        });
        let rep = ds.report.sheets[c.sheet as usize].wide.get_or_insert_with(WideReport::default);
        rep.kept += 1;
        ds.report.sheets[c.sheet as usize].amount_total += c.value;
        if let Some(s) = c.segment {
            ds.segments.insert(c.customer, s);
        }
    }
    for (j, t) in ds.transactions[start..].iter_mut().enumerate() {
        let k = (t.customer, Month::of(t.date));
        let first = first_txn.get(&k) == Some(&(start + j));
        if let Some(m) = extra.get(&(Block::Margin, k.0, k.1)) {
            t.margin = if first { *m } else { 0.0 };
        }
        if let Some(m) = extra.get(&(Block::Cost, k.0, k.1)) {
            t.cost = if first { *m } else { 0.0 };
        }
    }
    // Margin or cost with no sales in its customer-month: said, not read.
    let mut orphans: BTreeMap<(u32, Block), (u64, String)> = BTreeMap::new();
    for c in kept.iter().filter(|c| c.block != Block::Sales && c.value != 0.0) {
        if !first_txn.contains_key(&(c.customer, c.month)) {
            let e = orphans.entry((c.sheet, c.block)).or_insert((0, a1(c.row, c.col)));
            e.0 += 1;
        }
    }
    for ((sheet, block), (n, cell)) in orphans {
        ds.report.sheets[sheet as usize].notices.push(format!(
            "{n} {} cell(s) have no sales in the same customer and month: not read (first: {cell})",
            block.name()
        ));
    }
    for ((late, early, block), o) in overlaps {
        let (e, l) = (&ds.report.sheets[early as usize], &ds.report.sheets[late as usize]);
        let which = if e.file == l.file { "sheet" } else { "file" };
        let Some((name, month, ec, ev, lc, lv)) = &o.first else { continue };
        let msg = format!(
            "{} customer-month(s) of {} are in both {} › {} and {} › {} ({}): the later {which} ({} › {}) is kept, \
             never summed twice; first: {name} {month} at {ec} = {ev:.2} and {lc} = {lv:.2}",
            o.keys,
            block.name(),
            e.file,
            e.sheet,
            l.file,
            l.sheet,
            month_span(&o.months),
            l.file,
            l.sheet
        );
        ds.report.sheets[late as usize].wide.get_or_insert_with(WideReport::default).warnings.push(msg);
    }
    for (sheet, o) in in_lines {
        let s = &ds.report.sheets[sheet as usize];
        let Some((name, month, cell, v, ..)) = &o.first else { continue };
        let msg = format!(
            "{} customer-month(s) of {} › {} are also in invoice lines ({}): the lines are kept, the monthly cells left \
             out; first: {name} {month} at {cell} = {v:.2}",
            o.keys,
            s.file,
            s.sheet,
            month_span(&o.months)
        );
        ds.report.sheets[sheet as usize].wide.get_or_insert_with(WideReport::default).warnings.push(msg);
    }
}

/// `2026-01`, or `2025-12 … 2026-01 (2 months)`.
fn month_span(ms: &BTreeSet<Month>) -> String {
    match (ms.first(), ms.last()) {
        (Some(a), Some(b)) if a == b => a.to_string(),
        (Some(a), Some(b)) => format!("{a} … {b}, {} months", ms.len()),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use chrono::NaiveDate;

    use crate::config::Config;
    use crate::ingest::{ingest, Dataset, Role, SheetReport};

    /// A cell the tests write: text, number, a date cell shown as `mmm-yy`, or nothing.
    #[derive(Clone)]
    enum C {
        S(&'static str),
        N(f64),
        D(u16, u8),
        E,
    }
    use C::*;

    fn book(path: &Path, sheets: &[(&str, Vec<Vec<C>>)]) -> PathBuf {
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

    fn read(files: &[PathBuf], cfg: &Config) -> Dataset {
        ingest(files, cfg).unwrap_or_else(|e| panic!("{e}"))
    }

    fn sheet<'a>(ds: &'a Dataset, name: &str) -> &'a SheetReport {
        ds.report.sheets.iter().find(|s| s.sheet == name).unwrap_or_else(|| panic!("no sheet {name}"))
    }

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    /// (customer key, date, amount) of every transaction, in order.
    fn txns(ds: &Dataset) -> Vec<(String, NaiveDate, f64)> {
        ds.transactions
            .iter()
            .map(|t| (ds.strings.resolve(t.customer).to_string(), t.date, t.amount))
            .collect()
    }

    fn identity(s: &SheetReport) {
        assert_eq!(s.rows, s.transactions + s.skipped + s.rejected, "{s:?}");
    }

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
        assert_eq!(w.months, ["D (2026-01) = 2026-01", "E (2026-02) = 2026-02", "F (2026-03) = 2026-03"]);
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
    fn text_months_in_spanish_and_english_with_the_header_below_row_one() {
        let dir = tempfile::tempdir().unwrap();
        let heads = [
            "ene-26",
            "Feb 2026",
            "marzo 2026",
            "2026-04",
            "05/2026",
            "Jun-26",
            "July 2026",
            "Aug-26",
            "Sept 2026",
            "Oct. 2026",
        ];
        let mut header = vec![S("Cliente")];
        header.extend(heads.iter().map(|h| S(h)));
        let mut row = vec![S("Acme")];
        row.extend((1..=10).map(|m| N(m as f64)));
        let p = book(&dir.path().join("m.xlsx"), &[("Hoja1", vec![vec![], vec![S("Resumen")], header, row])]);
        let ds = read(&[p], &Config::default());
        let months: Vec<(u32, f64)> =
            ds.transactions.iter().map(|t| (chrono::Datelike::month(&t.date), t.amount)).collect();
        assert_eq!(months, (1..=10).map(|m| (m, m as f64)).collect::<Vec<_>>());
        assert!(ds.transactions.iter().all(|t| chrono::Datelike::year(&t.date) == 2026));
        assert_eq!(sheet(&ds, "Hoja1").header_row, Some(3));
    }

    fn names_sheet(title: Option<&'static str>) -> Vec<Vec<C>> {
        let mut rows = Vec::new();
        if let Some(t) = title {
            rows.push(vec![S(t)]);
        }
        rows.push(vec![S("Cliente"), S("Enero"), S("Febrero"), S("Marzo"), S("Abril")]);
        rows.push(vec![S("Acme"), N(1.0), N(2.0), N(3.0), N(4.0)]);
        rows
    }

    #[test]
    fn month_names_take_the_year_from_the_sheet_name_a_title_or_the_config() {
        let dir = tempfile::tempdir().unwrap();
        let p = book(
            &dir.path().join("a.xlsx"),
            &[("2025", names_sheet(None)), ("Resumen", names_sheet(Some("Ventas 2024")))],
        );
        let ds = read(&[p], &Config::default());
        let years: Vec<i32> = ds.transactions.iter().map(|t| chrono::Datelike::year(&t.date)).collect();
        assert_eq!(years, [2025, 2025, 2025, 2025, 2024, 2024, 2024, 2024]);
        assert_eq!(
            sheet(&ds, "2025").wide.as_ref().unwrap().year.as_deref(),
            Some("the sheet name \"2025\"")
        );
        assert_eq!(
            sheet(&ds, "Resumen").wide.as_ref().unwrap().year.as_deref(),
            Some("the title A1 \"Ventas 2024\"")
        );

        // No year anywhere: the sheet is refused with a message asking for it.
        let q = book(
            &dir.path().join("b.xlsx"),
            &[("Hoja1", names_sheet(None)), ("Otra", names_sheet(Some("2026")))],
        );
        let ds = read(std::slice::from_ref(&q), &Config::default());
        let s = sheet(&ds, "Hoja1");
        assert_eq!(s.role, Role::Skipped);
        let problem = s.wide.as_ref().unwrap().problem.clone().unwrap();
        assert!(problem.contains("B1 \"Enero\"") && problem.contains("[ingest]"), "{problem}");
        assert!(
            ds.report.warnings.iter().any(|w| w.contains("b.xlsx › Hoja1") && w.contains("year")),
            "{:?}",
            ds.report.warnings
        );
        assert_eq!(ds.transactions.len(), 4, "the other sheet is read");
        // With `[ingest] year` it is read; a year in the sheet still wins.
        let mut cfg = Config::default();
        cfg.ingest.year = Some(2023);
        let ds = read(&[q], &cfg);
        let years: Vec<i32> = ds.transactions.iter().map(|t| chrono::Datelike::year(&t.date)).collect();
        assert_eq!(years, [2023, 2023, 2023, 2023, 2026, 2026, 2026, 2026]);
    }

    #[test]
    fn the_only_sheet_without_a_year_is_an_input_error_that_says_why() {
        let dir = tempfile::tempdir().unwrap();
        let p = book(&dir.path().join("a.xlsx"), &[("Hoja1", names_sheet(None))]);
        let err = ingest(&[p], &Config::default()).unwrap_err().to_string();
        assert!(err.contains("a.xlsx › Hoja1: monthly sales with month names but no year"), "{err}");
    }

    #[test]
    fn a_fiscal_year_span_moves_to_the_next_year_where_the_months_wrap() {
        let dir = tempfile::tempdir().unwrap();
        let p = book(
            &dir.path().join("a.xlsx"),
            &[(
                "Ejercicio 2025-26",
                vec![
                    vec![S("Cliente"), S("Nov"), S("Dic"), S("Ene"), S("Feb")],
                    vec![S("Acme"), N(1.0), N(2.0), N(3.0), N(4.0)],
                ],
            )],
        );
        let ds = read(&[p], &Config::default());
        let dates: Vec<NaiveDate> = ds.transactions.iter().map(|t| t.date).collect();
        assert_eq!(dates, [date(2025, 11, 30), date(2025, 12, 31), date(2026, 1, 31), date(2026, 2, 28)]);
    }

    #[test]
    fn quarters_are_ignored_and_a_wrong_total_is_a_warning_with_its_cell() {
        let dir = tempfile::tempdir().unwrap();
        let p = book(
            &dir.path().join("m.xlsx"),
            &[(
                "2026",
                vec![
                    vec![
                        S("Cliente"),
                        S("Ene"),
                        S("Feb"),
                        S("Mar"),
                        S("T1"),
                        S("Abr"),
                        S("May"),
                        S("Jun"),
                        S("2T"),
                        S("Total año"),
                    ],
                    vec![S("Acme"), N(1.0), N(2.0), N(3.0), N(6.0), N(4.0), N(5.0), N(6.0), N(15.0), N(21.0)],
                    vec![S("Beta"), N(1.0), N(1.0), N(1.0), N(99.0), N(1.0), N(1.0), N(1.0), N(3.0), N(7.0)],
                ],
            )],
        );
        let ds = read(&[p], &Config::default());
        let s = sheet(&ds, "2026");
        let w = s.wide.as_ref().unwrap();
        assert_eq!(w.months.len(), 6);
        assert!(w.ignored.iter().any(|i| i.starts_with("E (T1): quarter")), "{w:?}");
        assert!(w.ignored.iter().any(|i| i.starts_with("I (2T): quarter")), "{w:?}");
        assert!(w.totals[0].starts_with("J (Total año) = B…H"), "{w:?}");
        // Quarters are never added in: 21 + 6 months of 1.
        assert_eq!(s.amount_total, 27.0);
        let warn = ds.report.warnings.join("\n");
        assert!(warn.contains("m.xlsx › 2026: 1 total(s) differ"), "{warn}");
        assert!(warn.contains("J3 (Total año) = 7 but B3:H3 sum 6.00"), "{warn}");
    }

    #[test]
    fn two_years_in_two_sheets_keep_an_overlapping_month_once_from_the_later_sheet() {
        let dir = tempfile::tempdir().unwrap();
        let p = book(
            &dir.path().join("ventas.xlsx"),
            &[
                (
                    "2025",
                    vec![
                        vec![S("Cliente"), S("oct-25"), S("nov-25"), S("dic-25"), S("ene-26")],
                        vec![S("Acme"), N(10.0), N(20.0), N(30.0), N(40.0)],
                        vec![S("Beta"), N(1.0), E, E, E],
                    ],
                ),
                (
                    "2026",
                    vec![
                        vec![S("Cliente"), S("ene-26"), S("feb-26"), S("mar-26")],
                        vec![S("Acme"), N(45.0), N(50.0), N(60.0)],
                    ],
                ),
            ],
        );
        let ds = read(&[p], &Config::default());
        let acme_jan: Vec<f64> =
            ds.transactions.iter().filter(|t| t.date == date(2026, 1, 31)).map(|t| t.amount).collect();
        assert_eq!(acme_jan, [45.0], "the later sheet's value, once");
        assert_eq!(ds.report.amount_total, 10.0 + 20.0 + 30.0 + 1.0 + 45.0 + 50.0 + 60.0);
        assert_eq!(sheet(&ds, "2025").amount_total, 61.0);
        let warn = ds.report.warnings.join("\n");
        assert!(
            warn.contains("1 customer-month(s) of sales are in both ventas.xlsx › 2025 and ventas.xlsx › 2026 (2026-01)"),
            "{warn}"
        );
        assert!(warn.contains("the later sheet (ventas.xlsx › 2026) is kept"), "{warn}");
        assert!(
            warn.contains(
                "Acme 2026-01 at ventas.xlsx › 2025 › E2 = 40.00 and ventas.xlsx › 2026 › B2 = 45.00"
            ),
            "{warn}"
        );
    }

    #[test]
    fn the_later_file_wins_and_invoice_lines_win_over_monthly_cells() {
        let dir = tempfile::tempdir().unwrap();
        let months = |v: f64| {
            vec![vec![S("Cliente"), S("ene-26"), S("feb-26"), S("mar-26")], vec![S("Acme"), N(v), N(v), N(v)]]
        };
        let a = book(&dir.path().join("a.xlsx"), &[("M", months(1.0))]);
        let b = book(&dir.path().join("b.xlsx"), &[("M", months(2.0))]);
        let lines = book(
            &dir.path().join("c.xlsx"),
            &[(
                "Lineas",
                vec![vec![S("Fecha"), S("Cliente"), S("Importe")], vec![S("2026-03-05"), S("ACME"), N(7.0)]],
            )],
        );
        let ds = read(&[a, b, lines], &Config::default());
        let mut got: Vec<(NaiveDate, f64)> = ds.transactions.iter().map(|t| (t.date, t.amount)).collect();
        got.sort_by_key(|x| x.0);
        assert_eq!(got, [(date(2026, 1, 31), 2.0), (date(2026, 2, 28), 2.0), (date(2026, 3, 5), 7.0)]);
        let warn = ds.report.warnings.join("\n");
        assert!(warn.contains("the later file (b.xlsx › M) is kept"), "{warn}");
        assert!(warn.contains("of b.xlsx › M are also in invoice lines (2026-03)"), "{warn}");
    }

    #[test]
    fn margin_from_a_second_sheet_or_a_second_group_of_months() {
        let dir = tempfile::tempdir().unwrap();
        let sales = vec![
            vec![S("Cód. cliente"), S("Cliente"), S("ene-26"), S("feb-26"), S("mar-26")],
            vec![S("C1"), S("Acme"), N(100.0), N(200.0), E],
            vec![S("C2"), S("Beta"), N(50.0), E, N(10.0)],
        ];
        let margin = vec![
            vec![S("Margen bruto por cliente")],
            vec![S("Cód. cliente"), S("Cliente"), S("ene-26"), S("feb-26"), S("mar-26")],
            vec![S("C1"), S("Acme"), N(30.0), N(60.0), N(5.0)],
            vec![S("C2"), S("Beta"), N(20.0), E, S("n/d")],
        ];
        let p = book(&dir.path().join("a.xlsx"), &[("Ventas", sales), ("Margen", margin)]);
        let ds = read(&[p], &Config::default());
        let m = sheet(&ds, "Margen");
        assert_eq!(m.role, Role::MonthlyMargin);
        assert_eq!(m.wide.as_ref().unwrap().margin_months.len(), 3);
        let got: Vec<(String, f64, f64)> = ds
            .transactions
            .iter()
            .map(|t| (ds.strings.resolve(t.customer).to_string(), t.amount, t.margin))
            .collect();
        assert_eq!(
            got[..3],
            [("C1".into(), 100.0, 30.0), ("C1".into(), 200.0, 60.0), ("C2".into(), 50.0, 20.0)]
        );
        // An unreadable margin is left empty and pointed out, never zero.
        assert!(got[3].2.is_nan());
        let notes = m.notices.join("\n");
        assert!(
            notes.contains("1 value(s) in margin (mar-26) unreadable") && notes.contains("E4"),
            "{notes}"
        );
        // A margin with no sales in its month is said and left out.
        assert!(
            notes.contains(
                "1 margin cell(s) have no sales in the same customer and month: not read (first: E3)"
            ),
            "{notes}"
        );

        // The same in one sheet: a second group of months under a "Margen" heading.
        let one = vec![
            vec![E, E, S("Ventas"), E, E, S("Margen")],
            vec![
                S("Cliente"),
                S("Comercial"),
                S("ene-26"),
                S("feb-26"),
                S("mar-26"),
                S("ene-26"),
                S("feb-26"),
                S("mar-26"),
            ],
            vec![S("Acme"), S("Ana"), N(100.0), N(200.0), N(300.0), N(10.0), N(20.0), N(30.0)],
        ];
        let p = book(&dir.path().join("b.xlsx"), &[("2026", one)]);
        let ds = read(&[p], &Config::default());
        let got: Vec<(f64, f64)> = ds.transactions.iter().map(|t| (t.amount, t.margin)).collect();
        assert_eq!(got, [(100.0, 10.0), (200.0, 20.0), (300.0, 30.0)]);
        let w = sheet(&ds, "2026").wide.clone().unwrap();
        assert_eq!(w.margin_months, ["F (ene-26) = 2026-01", "G (feb-26) = 2026-02", "H (mar-26) = 2026-03"]);
    }

    #[test]
    fn repeated_months_without_a_heading_and_budget_blocks_are_not_read() {
        let dir = tempfile::tempdir().unwrap();
        let rows = vec![
            vec![E, E, E, E, S("Presupuesto 2026")],
            vec![
                S("Cliente"),
                S("ene-26"),
                S("feb-26"),
                S("mar-26"),
                S("ene-26"),
                S("feb-26"),
                S("mar-26"),
                S("ene-26"),
            ],
            vec![S("Acme"), N(1.0), N(2.0), N(3.0), N(100.0), N(100.0), N(100.0), N(100.0)],
        ];
        let p = book(&dir.path().join("a.xlsx"), &[("2026", rows)]);
        let ds = read(&[p], &Config::default());
        assert_eq!(ds.report.amount_total, 6.0);
        let w = sheet(&ds, "2026").wide.clone().unwrap();
        assert_eq!(w.ignored.len(), 4, "{w:?}");
        assert!(w.ignored[0].starts_with("E (ene-26): month column holding no sales"), "{w:?}");
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

    #[test]
    fn weekly_date_columns_are_no_monthly_book() {
        let dir = tempfile::tempdir().unwrap();
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet();
        let fmt = rust_xlsxwriter::Format::new().set_num_format("dd/mm/yyyy");
        ws.write_string(0, 0, "Cliente").unwrap();
        for (i, d) in [5u8, 12, 19, 26].iter().enumerate() {
            let dt = rust_xlsxwriter::ExcelDateTime::from_ymd(2026, 1, *d).unwrap();
            ws.write_datetime_with_format(0, i as u16 + 1, &dt, &fmt).unwrap();
        }
        ws.write_string(1, 0, "Acme").unwrap();
        ws.write_number(1, 1, 5.0).unwrap();
        let p = dir.path().join("w.xlsx");
        wb.save(&p).unwrap();
        assert!(ingest(&[p], &Config::default()).is_err(), "weekly columns are not read as months");
    }
}
