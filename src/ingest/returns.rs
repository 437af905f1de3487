//! Returns sheets applied: returned orders taken out of the sales lines, or netted by the
//! amount returned, and what was done listed for `check` and the run's manifest.
//!
//! A returns sheet (Superstore's `Returns`: Returned, Order ID; a `Devoluciones` sheet with
//! order, date and amount) names orders. An order is found by the sales lines' order column
//! with the code rule of [`super::customer_key`] (`"01002"` = `1002`, case ignored):
//! - without an amount, every line of the order is taken out;
//! - with an amount, a negative line of that amount is added, dated the return (else the
//!   order's last line), with the order's customer, salesperson, product and region, and its
//!   margin and cost in the order's proportions — so the margin stays known.
//!
//! Rows whose Returned flag says no are read and not applied. Orders that match no sales
//! line are listed and warned about: a wrong join must never pass silently.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{keys, Dataset, FxMap, Sym, Txn};

/// One returned order and what it did to the sales.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ReturnedOrder {
    /// The order number as typed in the returns sheet.
    pub order: String,
    /// "removed" (the whole order) or "netted" (by the amount returned).
    pub how: &'static str,
    /// Sales lines of the order.
    pub lines: u64,
    /// Sales taken away: the order's total when removed, the amount when netted.
    pub amount: f64,
    /// Where the return is written.
    pub source: String,
}

/// What the returns sheets did; in `check` and in the run's manifest.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct ReturnsReport {
    /// Returned orders found in the sales, in returns-sheet order.
    pub orders: Vec<ReturnedOrder>,
    /// Sales lines taken out (whole orders).
    pub lines_removed: u64,
    /// Sales taken away, whole orders and netted amounts together.
    pub amount_removed: f64,
    /// Returned orders that match no sales line: `order (source)`.
    pub unmatched: Vec<String>,
    /// Rows whose Returned flag says no: read, not applied.
    pub not_returned: u64,
}

/// Applies `ds.returns` to `ds.transactions`; `None` when no returns sheet was read.
pub fn apply(ds: &mut Dataset) -> Option<ReturnsReport> {
    if ds.returns.is_empty() {
        return None;
    }
    let mut rep = ReturnsReport::default();
    // The sales lines of each order key.
    let mut key_of: FxMap<Sym, String> = FxMap::default();
    let mut lines: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, t) in ds.transactions.iter().enumerate() {
        if let Some(o) = t.order {
            let k =
                key_of.entry(o).or_insert_with(|| keys::code_key(ds.strings.resolve(o)).unwrap_or_default());
            if !k.is_empty() {
                lines.entry(k.clone()).or_default().push(i);
            }
        }
    }
    // Several rows may name one order: an amount-less row takes it out whole, else the
    // amounts add up. Order of first mention is kept.
    struct Wanted {
        text: String,
        source: String,
        whole: bool,
        amount: f64,
        date: Option<chrono::NaiveDate>,
    }
    let mut wanted: Vec<(String, Wanted)> = Vec::new();
    for r in &ds.returns {
        if !r.returned {
            rep.not_returned += 1;
            continue;
        }
        let pos = match wanted.iter().position(|(k, _)| *k == r.order) {
            Some(p) => p,
            None => {
                let w = Wanted {
                    text: r.order_text.clone(),
                    source: r.source.clone(),
                    whole: false,
                    amount: 0.0,
                    date: None,
                };
                wanted.push((r.order.clone(), w));
                wanted.len() - 1
            }
        };
        let w = &mut wanted[pos].1;
        match r.amount {
            Some(a) if a.is_finite() => w.amount += a.abs(),
            _ => w.whole = true,
        }
        w.date = w.date.max(r.date);
    }
    let mut remove = vec![false; ds.transactions.len()];
    let mut added: Vec<Txn> = Vec::new();
    for (key, w) in wanted {
        let Some(idx) = lines.get(&key) else {
            rep.unmatched.push(format!("{} ({})", w.text, w.source));
            continue;
        };
        let ts: Vec<&Txn> = idx.iter().map(|&i| &ds.transactions[i]).collect();
        let total: f64 = ts.iter().map(|t| t.amount).sum();
        if w.whole {
            for &i in idx {
                remove[i] = true;
            }
            rep.lines_removed += idx.len() as u64;
            rep.amount_removed += total;
            rep.orders.push(ReturnedOrder {
                order: w.text,
                how: "removed",
                lines: idx.len() as u64,
                amount: total,
                source: w.source,
            });
            continue;
        }
        // Netted: one negative line in the order's proportions.
        let base = ts.iter().max_by(|a, b| a.amount.total_cmp(&b.amount)).expect("an order has lines");
        let ratio = |f: fn(&Txn) -> f64| {
            let all: Option<f64> = ts.iter().map(|t| Some(f(t)).filter(|v| !v.is_nan())).sum();
            match all {
                Some(v) if total != 0.0 => -w.amount * v / total,
                _ => f64::NAN,
            }
        };
        let last = ts.iter().map(|t| t.date).max().expect("an order has lines");
        added.push(Txn {
            date: w.date.unwrap_or(last),
            amount: -w.amount,
            margin: ratio(|t| t.line_margin().unwrap_or(f64::NAN)),
            cost: ratio(|t| t.cost),
            qty: f64::NAN,
            ..**base
        });
        rep.amount_removed += w.amount;
        rep.orders.push(ReturnedOrder {
            order: w.text,
            how: "netted",
            lines: idx.len() as u64,
            amount: w.amount,
            source: w.source,
        });
    }
    let mut i = 0;
    ds.transactions.retain(|_| {
        i += 1;
        !remove[i - 1]
    });
    ds.transactions.extend(added);
    // To the cent, as the books write money.
    let cents = |v: f64| (v * 100.0).round() / 100.0;
    rep.amount_removed = cents(rep.amount_removed);
    rep.orders.iter_mut().for_each(|o| o.amount = cents(o.amount));
    Some(rep)
}

#[cfg(test)]
mod tests {
    use super::super::ReturnRecord;
    use super::*;

    fn ds() -> Dataset {
        let mut d = Dataset::default();
        let c = d.strings.intern("C1");
        for (order, amount, margin) in
            [("CA-1", 100.0, 30.0), ("CA-1", 50.0, 10.0), ("01002", 80.0, 20.0), ("X", 5.0, 1.0)]
        {
            let o = d.strings.intern(order);
            d.transactions.push(Txn {
                date: "2026-01-05".parse().unwrap(),
                customer: c,
                customer_name: None,
                kam: None,
                product: None,
                region: None,
                amount,
                cost: f64::NAN,
                margin,
                qty: 1.0,
                order: Some(o),
                month_total: false,
            });
        }
        d
    }

    fn ret(order: &str, amount: Option<f64>, returned: bool) -> ReturnRecord {
        ReturnRecord {
            order: keys::code_key(order).unwrap(),
            order_text: order.into(),
            date: Some("2026-02-10".parse().unwrap()),
            amount,
            returned,
            source: "r.xlsx › Returns › row 2".into(),
        }
    }

    #[test]
    fn whole_orders_out_amounts_netted_unknown_orders_listed() {
        let mut d = ds();
        d.returns = vec![
            ret("ca-1", None, true),
            ret("1002", Some(40.0), true),
            ret("X", None, false),
            ret("NOPE", None, true),
        ];
        let rep = apply(&mut d).unwrap();
        // CA-1 (case ignored) out whole: two lines, 150.
        assert_eq!(rep.lines_removed, 2);
        assert_eq!(rep.orders[0].how, "removed");
        assert_eq!(rep.orders[0].amount, 150.0);
        // 01002 netted by 40: a line of -40 on the return date, margin in proportion (20/80).
        let net = d.transactions.last().unwrap();
        assert_eq!((net.amount, net.margin), (-40.0, -10.0));
        assert_eq!(net.date.to_string(), "2026-02-10");
        assert_eq!(rep.orders[1].how, "netted");
        assert_eq!(rep.amount_removed, 190.0);
        // "Returned = No" is read, not applied; an order nobody sold is named.
        assert_eq!(rep.not_returned, 1);
        assert_eq!(rep.unmatched, ["NOPE (r.xlsx › Returns › row 2)"]);
        let total: f64 = d.transactions.iter().map(|t| t.amount).sum();
        assert_eq!(total, 80.0 + 5.0 - 40.0);
    }

    #[test]
    fn no_returns_sheet_no_report() {
        let mut d = ds();
        assert!(apply(&mut d).is_none());
        assert_eq!(d.transactions.len(), 4);
    }
}
