//! Signals: what the lines up to the end of P say about an account beyond its sums — monthly
//! sales, first and last purchase, salespeople, regions and products.

use std::collections::HashMap;

use chrono::NaiveDate;

use super::accounts::Collected;
use super::{collate, rules, tidy};
use crate::ingest::{Dataset, FxMap, Sym};
use crate::period::{Month, Window};

/// Months in [`Account::monthly`](super::Account::monthly).
pub const MONTHLY_MONTHS: u32 = 24;

/// What the lines up to the end of P say about an account beyond its sums (its tallies are
/// FxHash maps: a million lines make SipHash show up, and their order decides nothing).
#[derive(Debug, Default, Clone)]
pub(super) struct Signals {
    pub(super) monthly: Vec<f64>,
    pub(super) first: Option<NaiveDate>,
    pub(super) last: Option<NaiveDate>,
    pub(super) kam_w: FxMap<Sym, f64>,
    /// The salesperson on the latest line up to P (ties on a date: the alphabetically first).
    pub(super) kam_latest: Option<(NaiveDate, Sym)>,
    pub(super) region_w: FxMap<Sym, u32>,
    pub(super) region_any: FxMap<Sym, u32>,
    pub(super) products: FxMap<Sym, f64>,
    /// Lines up to P that are invoice lines, and that are month totals of a monthly book.
    pub(super) invoice_lines: u32,
    pub(super) month_totals: u32,
}

pub(super) fn signals(data: &Dataset, c: &Collected, window: Window, period: Month) -> Vec<Signals> {
    let mut out =
        vec![Signals { monthly: vec![0.0; MONTHLY_MONTHS as usize], ..Signals::default() }; c.accs.len()];
    let end = period.last_day();
    let first_month = period.add(1 - MONTHLY_MONTHS as i32);
    for t in data.transactions.iter().filter(|t| t.date <= end) {
        let Some(&i) = c.by_sym.get(&t.customer) else {
            continue;
        };
        let s = &mut out[i];
        if t.month_total {
            s.month_totals += 1;
        } else {
            s.invoice_lines += 1;
        }
        let offset = first_month.months_until(Month::of(t.date));
        if offset >= 0 {
            s.monthly[offset as usize] += t.amount;
        }
        if t.amount > 0.0 {
            s.first = Some(s.first.map_or(t.date, |d| d.min(t.date)));
            s.last = Some(s.last.map_or(t.date, |d| d.max(t.date)));
        }
        let in_w = window.contains(t.date);
        if let Some(k) = t.kam.filter(|k| !data.strings.resolve(*k).trim().is_empty()) {
            if in_w {
                *s.kam_w.entry(k).or_insert(0.0) += t.amount;
            }
            // Names are compared (tidied) only on a same-date tie between two spellings, so a
            // line allocates nothing.
            let newer = match s.kam_latest {
                None => true,
                Some((d, _)) if t.date > d => true,
                Some((d, n)) => {
                    t.date == d && n != k && tidy(data.strings.resolve(k)) < tidy(data.strings.resolve(n))
                }
            };
            if newer {
                s.kam_latest = Some((t.date, k));
            }
        }
        if let Some(r) = t.region.filter(|r| !data.strings.resolve(*r).trim().is_empty()) {
            *s.region_any.entry(r).or_insert(0) += 1;
            if in_w {
                *s.region_w.entry(r).or_insert(0) += 1;
            }
        }
        if let (Some(p), true) = (t.product, in_w) {
            *s.products.entry(p).or_insert(0.0) += t.amount;
        }
    }
    out
}

/// The trend of a monthly series ending with P (at least 6 months, oldest first): the last 3
/// months against the same 3 months a year earlier when those sold something (needs 15
/// months), else against the 3 months before; to the cent. `None` when neither sold anything.
pub fn trend(monthly: &[f64]) -> (Option<f64>, Option<super::TrendBasis>) {
    let n = monthly.len();
    let sum = |from: usize, to: usize| -> rules::Cents { rules::cents(monthly[from..to].iter().sum()) };
    if n < 6 {
        return (None, None);
    }
    let last3 = sum(n - 3, n);
    let change = |base: rules::Cents| rules::add_cents(last3, -base) as f64 / base as f64;
    if n >= 15 {
        let earlier = sum(n - 15, n - 12);
        if earlier > 0 {
            return (Some(change(earlier)), Some(super::TrendBasis::YearEarlier));
        }
    }
    let prev3 = sum(n - 6, n - 3);
    if prev3 > 0 {
        return (Some(change(prev3)), Some(super::TrendBasis::PreviousMonths));
    }
    (None, None)
}

/// The most frequent value (ties: alphabetical).
pub(super) fn most_frequent(data: &Dataset, counts: &FxMap<Sym, u32>) -> Option<String> {
    counts
        .iter()
        .map(|(s, n)| (*n, tidy(data.strings.resolve(*s))))
        .min_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)))
        .map(|(_, s)| s)
}

/// The salesperson with the largest sales in W (to the cent; ties alphabetical), else the one
/// on the latest line up to P.
pub(super) fn top_salesperson(data: &Dataset, s: &Signals) -> Option<String> {
    let mut by_name: HashMap<String, f64> = HashMap::new();
    for (k, v) in &s.kam_w {
        *by_name.entry(tidy(data.strings.resolve(*k))).or_insert(0.0) += v;
    }
    by_name
        .into_iter()
        .map(|(n, v)| (rules::cents(v), collate(&n), n))
        .min_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)).then_with(|| a.2.cmp(&b.2)))
        .map(|(_, _, n)| n)
        .or_else(|| s.kam_latest.map(|(_, n)| tidy(data.strings.resolve(n))))
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::*;
    use super::super::*;

    #[test]
    fn trend_against_a_year_earlier_else_the_months_before() {
        use TrendBasis::*;
        // 24 months, oldest first; the last three are the last entries.
        let series = |earlier: f64, before: f64, last: f64| -> Vec<f64> {
            let mut v = vec![10.0; 24];
            v[9..12].fill(earlier);
            v[18..21].fill(before);
            v[21..24].fill(last);
            v
        };
        let cases: &[(Vec<f64>, Option<f64>, Option<TrendBasis>)] = &[
            (series(100.0, 50.0, 80.0), Some(-0.2), Some(YearEarlier)),
            (series(100.0, 200.0, 100.0), Some(0.0), Some(YearEarlier)),
            (series(0.0, 50.0, 100.0), Some(1.0), Some(PreviousMonths)),
            (series(0.0, 0.0, 100.0), None, None),
            // Less than 15 months: only the months before can be read.
            (vec![10.0, 10.0, 10.0, 20.0, 20.0, 20.0], Some(1.0), Some(PreviousMonths)),
            (vec![10.0; 5], None, None),
        ];
        for (v, want, basis) in cases {
            let (t, b) = super::trend(v);
            assert_eq!(b, *basis, "{v:?}");
            match (t, want) {
                (Some(t), Some(w)) => assert!((t - w).abs() < 1e-12, "{v:?}: {t}"),
                (t, w) => assert_eq!(t, *w, "{v:?}"),
            }
        }
    }

    #[test]
    fn kam_from_the_largest_salesperson_ties_alphabetical_blank_is_none() {
        let c = run(&dataset(&kam_lines()), &Config::default(), "2026-10");
        let a = acc(&c, "a");
        assert_eq!((a.kam.as_str(), a.kam_source.as_str()), ("Ana", "salesperson"));
        let b = acc(&c, "b");
        assert_eq!((b.kam.as_str(), b.kam_source.as_str()), ("Sin asignar", "default"));
        // Carl sold 0 net on c, Dan 10: Dan
        assert_eq!(acc(&c, "c").kam, "Dan");
        assert!(c.warnings.iter().any(|w| w.contains("sin KAM") && w.contains("B")), "{:?}", c.warnings);
        let unassigned: Vec<_> = c.kams.iter().filter(|k| k.unassigned).collect();
        assert_eq!(unassigned.len(), 1);
        assert_eq!(c.kams.last().unwrap().name, "Sin asignar");
    }

    #[test]
    fn signals_last_purchase_trend_monthly_products_exposure() {
        let lines = [
            L { product: Some("P1"), cost: 60.0, ..l("2026-05-10", "a", 100.0) },
            L { product: Some("P2"), cost: 100.0, ..l("2026-08-15", "a", 300.0) },
            L { product: Some("P2"), cost: 0.0, ..l("2026-09-20", "a", -50.0) },
            L { cost: 0.0, ..l("2026-10-01", "b", 150.0) },
        ];
        let c = run(&dataset(&lines), &Config::default(), "2026-10");
        let a = acc(&c, "a");
        // a return is not a purchase
        assert_eq!(a.last_purchase, Some("2026-08-15".parse().unwrap()));
        assert_eq!(a.first_purchase, Some("2026-05-10".parse().unwrap()));
        assert_eq!(a.days_since, Some(77));
        // last 3 months (Aug..Oct) 250 against May..Jul 100: nothing a year earlier
        assert_eq!(a.trend, Some(1.5));
        assert_eq!(a.trend_basis, Some(TrendBasis::PreviousMonths));
        assert_eq!(a.monthly.len(), 24);
        assert_eq!(a.monthly.first().unwrap().month, m("2024-11"));
        assert_eq!(a.monthly.last().unwrap(), &MonthSales { month: m("2026-10"), sales: 0.0 });
        assert_eq!(a.monthly[21].sales, 300.0);
        assert_eq!(a.top_products, vec![("P2".to_string(), 250.0), ("P1".to_string(), 100.0)]);
        assert_eq!(a.exposure_sales, a.share);
        // margin a = 40 + 200 − 50 = 190, b = 150, total 340
        assert_eq!(c.totals.margin, Some(340.0));
        assert!((a.exposure_margin.unwrap() - 190.0 / 340.0).abs() < 1e-12);
        assert_eq!(acc(&c, "b").days_since, Some(30));
    }

    #[test]
    fn accounts_from_a_monthly_book_have_no_products_to_show_and_its_segment() {
        let mut d = dataset(&[
            l("2026-09-30", "a", 100.0),
            l("2026-10-31", "a", 200.0),
            l("2026-10-31", "b", 50.0),
            L { product: Some("P1"), ..l("2026-10-12", "b", 70.0) },
            l("2026-10-12", "c", 10.0),
        ]);
        // a and the first line of b are month totals of a monthly book.
        for t in &mut d.transactions[..3] {
            t.month_total = true;
        }
        let a = d.strings.get("a").unwrap();
        let seg = d.strings.intern("Industria");
        d.segments.insert(a, seg);
        let c = run(&d, &Config::default(), "2026-10");
        assert!(acc(&c, "a").monthly_book, "only month totals");
        assert!(!acc(&c, "b").monthly_book, "invoice lines too: its products are shown");
        assert_eq!(acc(&c, "b").top_products, vec![("P1".to_string(), 70.0)]);
        assert!(!acc(&c, "c").monthly_book);
        assert_eq!(acc(&c, "a").segment.as_deref(), Some("Industria"));
        // The master's segment wins over the book's.
        d.master.push(crate::ingest::MasterRecord { segment: Some("Hoteles".into()), ..master("a") });
        let c = run(&d, &Config::default(), "2026-10");
        assert_eq!(acc(&c, "a").segment.as_deref(), Some("Hoteles"));
    }
}
