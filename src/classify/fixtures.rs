//! Hand-built datasets and helpers for the classify tests.

use super::{classify, Account, Classification};
use crate::config::Config;
use crate::ingest::{Dataset, MasterRecord, Txn};
use crate::lang::Lang;
use crate::period::Month;

/// One sales line for a hand-built dataset.
#[derive(Clone, Copy)]
pub(super) struct L<'a> {
    pub(super) date: &'a str,
    pub(super) customer: &'a str,
    pub(super) amount: f64,
    pub(super) kam: Option<&'a str>,
    pub(super) cost: f64,
    pub(super) product: Option<&'a str>,
    pub(super) region: Option<&'a str>,
}

pub(super) fn l<'a>(date: &'a str, customer: &'a str, amount: f64) -> L<'a> {
    L { date, customer, amount, kam: None, cost: f64::NAN, product: None, region: None }
}

pub(super) fn dataset(lines: &[L]) -> Dataset {
    let mut d = Dataset::default();
    for x in lines {
        let customer = d.strings.intern(x.customer);
        let name = d.strings.intern(&x.customer.to_uppercase());
        d.customer_names.insert(customer, name);
        let t = Txn {
            date: x.date.parse().unwrap(),
            customer,
            customer_name: Some(name),
            kam: x.kam.map(|k| d.strings.intern(k)),
            product: x.product.map(|p| d.strings.intern(p)),
            region: x.region.map(|r| d.strings.intern(r)),
            amount: x.amount,
            cost: x.cost,
            margin: f64::NAN,
            qty: f64::NAN,
            month_total: false,
            order: None,
        };
        d.transactions.push(t);
    }
    d
}

pub(super) fn master(id: &str) -> MasterRecord {
    MasterRecord { id: id.into(), name: None, strategic: false, potential: None, kam: None, segment: None }
}

pub(super) fn m(s: &str) -> Month {
    s.parse().unwrap()
}

pub(super) fn es() -> Lang {
    Lang::load("es", "€", None).unwrap()
}

pub(super) fn run(d: &Dataset, cfg: &Config, p: &str) -> Classification {
    classify(d, cfg, m(p), &es())
}

pub(super) fn acc<'a>(c: &'a Classification, id: &str) -> &'a Account {
    c.accounts.iter().find(|a| a.id == id).unwrap_or_else(|| panic!("no account {id}"))
}

/// Four customers over two years: a, b, c, d with sales 2025-11..2026-10 of 500/300/150/50
/// and prior sales of 500/200/150/0.
pub(super) fn four() -> Dataset {
    dataset(&[
        l("2024-12-10", "a", 500.0),
        l("2025-01-10", "b", 200.0),
        l("2025-02-10", "c", 150.0),
        l("2025-12-01", "a", 500.0),
        l("2026-02-01", "b", 300.0),
        l("2026-03-01", "c", 150.0),
        l("2026-10-31", "d", 50.0),
        // after the period: ignored
        l("2026-11-01", "a", 9_999.0),
    ])
}

pub(super) fn kam_lines() -> Vec<L<'static>> {
    vec![
        L { kam: Some("Zoe"), region: Some("Norte"), ..l("2026-05-01", "a", 100.0) },
        L { kam: Some("Ana"), region: Some("Norte"), ..l("2026-05-02", "a", 100.0) },
        L { kam: Some("Bea"), region: Some("Sur"), ..l("2026-05-03", "a", 50.0) },
        // blank salesperson: counts as none
        L { kam: Some("   "), ..l("2026-05-04", "b", 500.0) },
        L { kam: Some("Carl"), ..l("2026-05-05", "c", 300.0) },
        L { kam: Some("Carl"), ..l("2026-05-06", "c", -300.0) },
        L { kam: Some("Dan"), ..l("2026-05-06", "c", 10.0) },
    ]
}
