//! Monthly cells into transactions, once every file is read: one value per customer-month,
//! margin and cost joined, and what was left out said.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use super::super::super::months::Block;
use super::super::super::{Dataset, Sym, Txn};
use super::super::Ctx;
use super::{WideCell, WideReport};
use crate::ingest::cells::{a1, col_letters};
use crate::period::Month;

/// Why a customer-month was left out, for the warnings.
#[derive(Debug, Default)]
struct Overlap {
    months: BTreeSet<Month>,
    keys: u64,
    /// Customer-months whose two values differ (to the cent).
    differ: u64,
    /// (customer spelling or key, month, early cell, early sum, late cell, late sum): the
    /// first that differs, else the first.
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
    let where_ = |ds: &Dataset, c: &WideCell| {
        let s = &ds.report.sheets[c.sheet as usize];
        if s.sheet.is_empty() {
            // A text file has no sheets: `ventas.csv › row 7 › E`, as its rejects are named.
            format!("{} › row {} › {}", s.file, c.row + 1, col_letters(c.col))
        } else {
            format!("{} › {}", s.place(), a1(c.row, c.col))
        }
    };
    let who = |ds: &Dataset, c: &WideCell| ds.strings.resolve(c.name.unwrap_or(c.customer)).to_string();
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
                let (ls, li) = sums[&(k, late)];
                let (es, _) = sums[&(k, c.sheet)];
                let differs = (es * 100.0).round() != (ls * 100.0).round();
                o.differ += differs as u64;
                if o.first.is_none() || (differs && o.differ == 1) {
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
            month_total: true,
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
            "{} customer-month(s) of {} are in both {} and {} ({}), {} with different values: the later {which} ({}) \
             is kept, never summed twice; e.g. {name} {month} at {ec} = {ev:.2} and {lc} = {lv:.2}",
            o.keys,
            block.name(),
            e.place(),
            l.place(),
            month_span(&o.months),
            o.differ,
            l.place()
        );
        ds.report.sheets[late as usize].wide.get_or_insert_with(WideReport::default).warnings.push(msg);
    }
    for (sheet, o) in in_lines {
        let s = &ds.report.sheets[sheet as usize];
        let Some((name, month, cell, v, ..)) = &o.first else { continue };
        let msg = format!(
            "{} customer-month(s) of {} are also in invoice lines ({}): the lines are kept, the monthly cells left out; \
             first: {name} {month} at {cell} = {v:.2}",
            o.keys,
            s.place(),
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
    use chrono::NaiveDate;

    use super::super::testbook::{C::*, *};
    use crate::config::Config;
    use crate::ingest::Role;

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
            warn.contains(
                "1 customer-month(s) of sales are in both ventas.xlsx › 2025 and ventas.xlsx › 2026 (2026-01), 1 with \
                 different values"
            ),
            "{warn}"
        );
        assert!(warn.contains("the later sheet (ventas.xlsx › 2026) is kept"), "{warn}");
        assert!(
            warn.contains(
                "e.g. Acme 2026-01 at ventas.xlsx › 2025 › E2 = 40.00 and ventas.xlsx › 2026 › B2 = 45.00"
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
}
