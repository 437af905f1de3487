//! Classify: transactions + rules + period → accounts with ABC class, key reasons, KAM and signals.
//!
//! Pure functions: no I/O, no clock. The period and the language come in as values.
//! The output types below are the interface plan/render use; their field names are the keys of
//! `kamplan classify --format json` (see [`output`]).
//!
//! This file owns those types and the entry point [`classify`], which joins the parts: the
//! account sums (`accounts`), the signals beyond the sums (`signals`), the exact rules
//! ([`rules`]), the KAM assignment ([`kam`]) and one sentence per reason (`explain`).
//!
//! # The method
//!
//! * **Period and windows.** P is a month; the window W is the `window_months` months ending with
//!   P; the prior window is the same number of months just before W. Lines after P are ignored.
//! * **Accounts.** Every customer with at least one line in W or in the prior window. A customer
//!   of the master with no line in either window is listed only when it is key anyway (strategic,
//!   or a potential at least the smallest class-A account's sales): a prospect management must see.
//! * **Sales** = sum of the account's line amounts in W (returns subtract). **Margin** = sum of
//!   line margins (the margin column, else amount − cost), known only when every line of the
//!   account in W has one. `margin_pct` = margin / sales when sales > 0.
//! * The ranking, shares, ABC classes and the six reasons are exact rules, documented on
//!   [`rules::decide`]. An account is key when it has at least one reason.
//! * **KAM**, first match wins (see [`kam::assign`]): the master's KAM; the territory map
//!   (`[assign] by`, `[assign.map]`, else the KAM directory's region column); the salesperson
//!   with the largest sales on the account in W (ties alphabetical; blank cells are no KAM; with
//!   no salesperson in W, the one on the latest line up to P); else `default_kam`.
//! * **Signals.** Last and first purchase (lines with a positive amount up to the end of P) and
//!   days from the last purchase to the end of P; trend = last 3 months (P−2..P) against the
//!   same 3 months a year earlier, (last3 − earlier3) / earlier3 when earlier3 > 0, else against
//!   the 3 months before (P−5..P−3), `trend_basis` saying which ([`signals::trend`]); `was_key` = key when the same data is
//!   classified for P−1 (not computed, and no new/lost lists, when P−1's window has no line).

mod accounts;
mod explain;
#[cfg(test)]
mod fixtures;
mod focus;
pub mod kam;
pub mod output;
pub mod rules;
mod signals;

use chrono::NaiveDate;
use serde::Serialize;

use crate::config::Config;
use crate::ingest::Dataset;
use crate::lang::Lang;
use crate::period::{Month, Window};
use accounts::{collect, key_reasons, rule_inputs};
use explain::{explain, list_some, no_longer};
pub use focus::FocusOption;
use signals::{most_frequent, signals, top_salesperson};
pub use signals::{trend, MONTHLY_MONTHS};

/// Why an account is key. Always listed in this order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    Volume,
    Profitability,
    Growth,
    Strategic,
    Potential,
    SmallPortfolio,
}

impl Reason {
    /// The reason's key word, as in the JSON and the config.
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Volume => "volume",
            Reason::Profitability => "profitability",
            Reason::Growth => "growth",
            Reason::Strategic => "strategic",
            Reason::Potential => "potential",
            Reason::SmallPortfolio => "small_portfolio",
        }
    }
}

/// What an account's trend compares its last 3 months with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TrendBasis {
    /// The same 3 months a year earlier: the trend free of the season.
    YearEarlier,
    /// The 3 months before, when a year earlier sold nothing (or is not in the data).
    PreviousMonths,
}

impl TrendBasis {
    /// The word in the JSON and CSV: `year_earlier`, `previous_months`.
    pub fn as_str(self) -> &'static str {
        match self {
            TrendBasis::YearEarlier => "year_earlier",
            TrendBasis::PreviousMonths => "previous_months",
        }
    }
}

/// ABC class by cumulative share of sales.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum Abc {
    A,
    B,
    C,
}

/// One month's sales of an account (for charts and trends).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct MonthSales {
    pub month: Month,
    pub sales: f64,
}

/// One account in the window, with everything the plans show about it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Account {
    pub id: String,
    pub name: String,
    pub kam: String,
    /// Where the KAM came from: "master", "territory", "salesperson", "default".
    pub kam_source: String,
    pub sales: f64,
    pub prior_sales: f64,
    /// (sales − prior) / prior; `None` when not available (no prior data, or prior ≤ 0).
    pub growth: Option<f64>,
    pub margin: Option<f64>,
    pub margin_pct: Option<f64>,
    pub share: f64,
    pub cumulative_share: f64,
    /// 1-based rank among accounts with sales > 0.
    pub rank: Option<u32>,
    pub abc: Abc,
    pub key: bool,
    pub reasons: Vec<Reason>,
    /// One sentence per reason, in the output language.
    pub explanation: Vec<String>,
    /// Key at P−1 (classified from the same data).
    pub was_key: bool,
    /// For an account key at P−1 and not now: for each reason it had then, the rule it no
    /// longer meets, in a sentence with its figures now.
    pub no_longer_key: Vec<String>,
    pub first_purchase: Option<NaiveDate>,
    pub last_purchase: Option<NaiveDate>,
    /// Days from the last purchase to the end of P.
    pub days_since: Option<i64>,
    /// Last 3 months against the same 3 months a year earlier, else against the 3 before
    /// (see `trend_basis`); `None` when neither sold anything.
    pub trend: Option<f64>,
    /// What `trend` compares with.
    pub trend_basis: Option<TrendBasis>,
    /// Share of company sales lost if the account leaves (= share).
    pub exposure_sales: f64,
    /// Share of company margin lost if the account leaves.
    pub exposure_margin: Option<f64>,
    pub strategic: bool,
    pub potential: Option<f64>,
    pub segment: Option<String>,
    pub region: Option<String>,
    /// Sales per month for the 24 months ending with P (oldest first).
    pub monthly: Vec<MonthSales>,
    /// Top products in the window: (product, sales), largest first, at most 5.
    pub top_products: Vec<(String, f64)>,
    /// Every line of the account up to P is a month total from a monthly (wide) book: what
    /// needs invoice lines (products, quantities, the day of a purchase) is not available.
    pub monthly_book: bool,
    /// Growth is available and the account had no sales in the prior window.
    pub new_account: bool,
}

/// Company totals in the window.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Totals {
    /// Sum of the sales of accounts with sales > 0: the base of every share.
    pub sales: f64,
    /// Net sales in W, accounts with negative sales included.
    pub net_sales: f64,
    /// Margin in W, when every line in W has a cost or a margin.
    pub margin: Option<f64>,
    /// Accounts listed (see [`Classification::accounts`]).
    pub accounts: u32,
    /// Accounts with sales > 0 in W (the ranked ones).
    pub active_accounts: u32,
    pub key_accounts: u32,
}

/// How concentrated sales are.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Concentration {
    /// Share of accounts (with sales > 0) that make `volume_share` of sales.
    pub pareto_accounts_share: f64,
    pub top1_share: f64,
    pub top5_share: f64,
    /// Herfindahl–Hirschman index over shares (0..1).
    pub hhi: f64,
    /// "diversified" (< 0.10), "moderate" (0.10–0.25), "concentrated" (> 0.25).
    pub reading: String,
    /// The reading in the output language.
    pub reading_text: String,
}

/// A KAM with the key accounts they own.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KamSummary {
    pub name: String,
    pub email: Option<String>,
    pub key_accounts: u32,
    /// Sales of their key accounts in the window.
    pub sales: f64,
    /// True for the default KAM that holds unassigned key accounts.
    pub unassigned: bool,
}

/// The result of classifying one period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Classification {
    pub period: Month,
    pub window: Window,
    pub prior_window: Window,
    /// Whether the data covers the prior window (growth is computed only then).
    pub growth_available: bool,
    pub totals: Totals,
    pub concentration: Concentration,
    /// Key accounts first (by rank), then the rest by rank, then accounts with sales ≤ 0.
    pub accounts: Vec<Account>,
    pub kams: Vec<KamSummary>,
    /// Ids of accounts key now and not at P−1, and key at P−1 and not now.
    pub new_key: Vec<String>,
    pub lost_key: Vec<String>,
    /// Messages a person should read (growth not available, unassigned key accounts).
    pub warnings: Vec<String>,
    /// When a KAM holds more key accounts than `[plan] kam_capacity`: stricter settings and
    /// what each would give.
    pub focus: Vec<FocusOption>,
}

/// The latest month with a transaction, for the default period.
pub fn latest_month(data: &Dataset) -> Option<Month> {
    data.transactions.iter().map(|t| t.date).max().map(Month::of)
}

/// Text compared case- and space-insensitively: trimmed, inner whitespace collapsed, lowercase.
pub fn norm(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

/// The key names are sorted by: [`norm`] without accents, so "Íñigo" sorts with the I's.
pub fn collate(s: &str) -> String {
    use unicode_normalization::{char::is_combining_mark, UnicodeNormalization};
    norm(s).nfd().filter(|c| !is_combining_mark(*c)).collect()
}

/// Whitespace trimmed and collapsed, case kept: how names are shown.
fn tidy(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn round2(v: f64) -> f64 {
    rules::cents(v) as f64 / 100.0
}

/// Classifies the accounts of `data` for `period`: the whole method, with KAMs, signals and
/// one explanation sentence per reason in `lang`. See the module documentation for the rules.
pub fn classify(data: &Dataset, cfg: &Config, period: Month, lang: &Lang) -> Classification {
    let window = Window::ending(period, cfg.classify.window_months);
    let prior_window = window.prior();
    let c = collect(data, cfg, period);
    let growth_available = c.lines_prior > 0;
    let inputs = rule_inputs(&c, data);
    let outcome = rules::decide(&inputs, &cfg.classify, growth_available);
    // Two independent passes over every line (P's signals, P-1's key accounts): one per core.
    let (sig, previous) =
        rayon::join(|| signals(data, &c, window, period), || key_reasons(data, cfg, period.add(-1)));
    let total_margin = (c.lines_w > 0 && c.margin_lines_w == c.lines_w).then_some(c.margin_w);
    let default_kam = cfg.default_kam();
    let kams = kam::Directory::new(&data.directory);
    let months = cfg.classify.window_months;
    let end = period.last_day();
    let smallest_a = outcome.smallest_a_cents.map(|c| c as f64 / 100.0);

    let mut accounts = Vec::with_capacity(c.accs.len());
    for ((a, d), s) in c.accs.iter().zip(&outcome.decisions).zip(sig) {
        let key = !d.reasons.is_empty();
        if a.master_only && !key {
            continue;
        }
        let master = a.master.map(|m| &data.master[m]);
        let region = most_frequent(data, &s.region_w).or_else(|| most_frequent(data, &s.region_any));
        // The master's segment, else the one a sales sheet gives (a monthly book's column).
        let segment = master
            .and_then(|m| m.segment.as_deref())
            .or_else(|| {
                let k = data.strings.get(&a.id)?;
                data.segments.get(&k).map(|s| data.strings.resolve(*s))
            })
            .map(tidy)
            .filter(|x| !x.is_empty());
        let salesperson = top_salesperson(data, &s);
        let (kam_name, source) = kam::assign(
            &kam::Candidates {
                master: master.and_then(|m| m.kam.as_deref()),
                region: region.as_deref(),
                segment: segment.as_deref(),
                salesperson: salesperson.as_deref(),
            },
            &cfg.assign,
            &kams,
            &default_kam,
        );
        let margin = a.margin().map(round2);
        let (trend, trend_basis) = signals::trend(&s.monthly);
        let mut top_products: Vec<(String, f64)> = s
            .products
            .iter()
            .filter(|(_, v)| rules::cents(**v) > 0)
            .map(|(p, v)| (tidy(data.strings.resolve(*p)), round2(*v)))
            .collect();
        top_products.sort_by(|x, y| y.1.total_cmp(&x.1).then_with(|| x.0.cmp(&y.0)));
        top_products.truncate(5);
        let strategic = a.strategic(data);
        let potential = master.and_then(|m| m.potential);
        let mut account = Account {
            id: a.id.clone(),
            name: a.name.clone(),
            kam: kam_name,
            kam_source: source.as_str().into(),
            sales: d.cents as f64 / 100.0,
            prior_sales: round2(a.prior),
            growth: d.growth,
            margin,
            margin_pct: d.margin_pct,
            share: d.share,
            cumulative_share: d.cumulative_share,
            rank: d.rank,
            abc: d.abc,
            key,
            reasons: d.reasons.clone(),
            explanation: Vec::new(),
            was_key: previous.as_ref().is_some_and(|p| p.contains_key(&a.id)),
            no_longer_key: Vec::new(),
            first_purchase: s.first,
            last_purchase: s.last,
            days_since: s.last.map(|l| (end - l).num_days()),
            trend,
            trend_basis,
            exposure_sales: d.share,
            exposure_margin: match (margin, total_margin) {
                (Some(m), Some(t)) if t > 0.0 => Some(m / t),
                _ => None,
            },
            strategic,
            potential,
            segment,
            region,
            monthly: s
                .monthly
                .iter()
                .enumerate()
                .map(|(i, v)| MonthSales {
                    month: period.add(i as i32 + 1 - MONTHLY_MONTHS as i32),
                    sales: round2(*v),
                })
                .collect(),
            top_products,
            monthly_book: s.month_totals > 0 && s.invoice_lines == 0,
            new_account: d.new_account,
        };
        account.explanation = account
            .reasons
            .iter()
            .map(|r| explain(*r, &account, a, lang, months, outcome.ranked, smallest_a))
            .collect();
        if let (false, Some(was)) = (key, previous.as_ref().and_then(|p| p.get(&a.id))) {
            let facts =
                explain::Facts { cfg: &cfg.classify, ranked: outcome.ranked, smallest_a, growth_available };
            account.no_longer_key = was.iter().map(|r| no_longer(*r, &account, lang, &facts)).collect();
        }
        accounts.push(account);
    }

    // Key accounts first (by rank, unranked ones after), then the rest likewise.
    accounts.sort_by(|x, y| {
        y.key
            .cmp(&x.key)
            .then_with(|| x.rank.unwrap_or(u32::MAX).cmp(&y.rank.unwrap_or(u32::MAX)))
            .then_with(|| y.sales.total_cmp(&x.sales))
            .then_with(|| x.id.cmp(&y.id))
    });
    // Small firms: when nothing in the books assigns any account, the owner is the KAM.
    kam::owner_takes_all(&mut accounts, &cfg.owner());
    kam::canonical_names(&mut accounts, &kams);

    let kam_summaries = kam::summaries(&accounts, &kams, &default_kam);
    let focus = {
        let kam_of: std::collections::HashMap<&str, &str> =
            accounts.iter().map(|a| (a.id.as_str(), a.kam.as_str())).collect();
        let keys: Vec<bool> = outcome.decisions.iter().map(|d| !d.reasons.is_empty()).collect();
        focus::focus_options(&inputs, &keys, cfg, growth_available, &kam_of)
    };
    let (mut new_key, mut lost_key) = (Vec::new(), Vec::new());
    if let Some(prev) = &previous {
        new_key =
            accounts.iter().filter(|a| a.key && !prev.contains_key(&a.id)).map(|a| a.id.clone()).collect();
        lost_key =
            accounts.iter().filter(|a| !a.key && prev.contains_key(&a.id)).map(|a| a.id.clone()).collect();
    }

    let mut warnings = Vec::new();
    if c.lines_w == 0 {
        warnings.push(
            lang.fill("warn.no_sales", &[("from", window.from.to_string()), ("to", window.to.to_string())]),
        );
    }
    if !growth_available {
        warnings.push(lang.fill(
            "warn.growth_unavailable",
            &[("from", prior_window.from.to_string()), ("to", prior_window.to.to_string())],
        ));
    }
    let unassigned: Vec<String> = accounts
        .iter()
        .filter(|a| a.key && a.kam_source == kam::Source::Default.as_str())
        .map(|a| a.name.clone())
        .collect();
    if !unassigned.is_empty() {
        warnings.push(lang.fill_n(
            "warn.unassigned",
            unassigned.len() as u64,
            &[
                ("count", unassigned.len().to_string()),
                ("default", default_kam.clone()),
                ("list", list_some(lang, &unassigned)),
            ],
        ));
    }
    if !c.unmatched_strategic.is_empty() {
        warnings
            .push(lang.fill("warn.strategic_unknown", &[("list", list_some(lang, &c.unmatched_strategic))]));
    }

    let figures = rules::concentration(&outcome);
    let key_accounts = accounts.iter().filter(|a| a.key).count() as u32;
    Classification {
        period,
        window,
        prior_window,
        growth_available,
        totals: Totals {
            sales: outcome.total_cents as f64 / 100.0,
            net_sales: round2(c.net_sales),
            margin: total_margin.map(round2),
            accounts: accounts.len() as u32,
            active_accounts: outcome.ranked,
            key_accounts,
        },
        concentration: Concentration {
            pareto_accounts_share: figures.pareto_accounts_share,
            top1_share: figures.top1_share,
            top5_share: figures.top5_share,
            hhi: figures.hhi,
            reading: figures.reading.into(),
            reading_text: lang.get(&format!("concentration.{}", figures.reading)).to_string(),
        },
        accounts,
        kams: kam_summaries,
        new_key,
        lost_key,
        warnings,
        focus,
    }
}

#[cfg(test)]
mod tests {
    use super::fixtures::*;
    use super::*;
    use crate::ingest::Txn;

    #[test]
    fn latest_month_is_the_last_line() {
        assert_eq!(latest_month(&four()), Some(m("2026-11")));
        assert_eq!(latest_month(&Dataset::default()), None);
    }

    #[test]
    fn windows_sales_shares_and_order() {
        let c = run(&four(), &Config::default(), "2026-10");
        assert_eq!((c.window.from, c.window.to), (m("2025-11"), m("2026-10")));
        assert_eq!((c.prior_window.from, c.prior_window.to), (m("2024-11"), m("2025-10")));
        assert!(c.growth_available);
        assert_eq!(c.totals.sales, 1000.0);
        let a = acc(&c, "a");
        assert_eq!(
            (a.sales, a.prior_sales, a.rank, a.share, a.growth),
            (500.0, 500.0, Some(1), 0.5, Some(0.0))
        );
        // a 50 %, b 80 % (crosses, in), c 95 % → B, d → C
        let abc: Vec<_> = ["a", "b", "c", "d"].iter().map(|id| acc(&c, id).abc).collect();
        assert_eq!(abc, vec![Abc::A, Abc::A, Abc::B, Abc::C]);
        assert_eq!(acc(&c, "b").reasons, vec![Reason::Volume, Reason::Growth]);
        assert_eq!(acc(&c, "b").growth, Some(0.5));
        // d is new (no prior sales) with share 5 % ≥ 0.3 %: growth
        assert!(acc(&c, "d").new_account);
        assert_eq!(acc(&c, "d").reasons, vec![Reason::Growth]);
        assert!(acc(&c, "c").reasons.is_empty());
        // key accounts first by rank, then the rest
        let ids: Vec<_> = c.accounts.iter().map(|a| a.id.as_str()).collect();
        assert_eq!(ids, vec!["a", "b", "d", "c"]);
        assert_eq!((c.totals.key_accounts, c.totals.accounts), (3, 4));
        for a in &c.accounts {
            assert_eq!(a.key, !a.reasons.is_empty());
            assert_eq!(a.explanation.len(), a.reasons.len());
        }
    }

    #[test]
    fn no_prior_data_means_no_growth_for_anybody_and_one_warning() {
        let d =
            dataset(&[l("2026-01-01", "a", 100.0), l("2026-02-01", "b", 50.0), l("2026-03-01", "c", 1.0)]);
        let c = run(&d, &Config::default(), "2026-10");
        assert!(!c.growth_available);
        assert!(c.accounts.iter().all(|a| a.growth.is_none() && !a.reasons.contains(&Reason::Growth)));
        let growth_warnings = c.warnings.iter().filter(|w| w.contains("crecimiento no disponible")).count();
        assert_eq!(growth_warnings, 1, "{:?}", c.warnings);
    }

    #[test]
    fn returns_make_an_account_negative_and_class_c() {
        let d = dataset(&[
            l("2026-01-01", "a", 100.0),
            l("2026-01-01", "b", 80.0),
            l("2026-01-01", "c", 30.0),
            l("2026-02-01", "c", -50.0),
        ]);
        let c = run(&d, &Config::default(), "2026-10");
        let x = acc(&c, "c");
        assert_eq!((x.sales, x.rank, x.abc, x.share, x.key), (-20.0, None, Abc::C, 0.0, false));
        assert_eq!(c.totals.sales, 180.0);
        assert_eq!(c.totals.net_sales, 160.0);
        // two customers with positive sales: both key by small portfolio
        assert!(acc(&c, "b").reasons.contains(&Reason::SmallPortfolio));
        assert_eq!(c.accounts.last().unwrap().id, "c");
    }

    #[test]
    fn a_period_without_lines_says_so() {
        let c = run(&four(), &Config::default(), "2030-01");
        assert!(c.accounts.is_empty());
        assert_eq!(c.totals.sales, 0.0);
        assert!(c.warnings[0].starts_with("no hay líneas de venta"), "{:?}", c.warnings);
    }

    #[test]
    fn one_customer_is_key() {
        let c = run(&dataset(&[l("2026-10-01", "solo", 10.0)]), &Config::default(), "2026-10");
        assert_eq!(c.accounts[0].reasons, vec![Reason::Volume, Reason::SmallPortfolio]);
        assert_eq!(c.accounts[0].explanation[1], "Clave por cartera pequeña: es el único cliente con ventas");
        assert_eq!((c.concentration.top1_share, c.concentration.hhi), (1.0, 1.0));
        assert_eq!(c.concentration.reading, "concentrated");
    }

    #[test]
    fn was_key_new_and_lost_from_the_previous_month() {
        // At 2026-09: a 100, b 90 → both key (two customers). In 2026-10 c and d arrive big.
        let lines = [
            l("2025-01-01", "a", 1.0),
            l("2025-01-01", "b", 1000.0),
            l("2026-09-01", "a", 100.0),
            l("2026-09-01", "b", 90.0),
            l("2026-10-01", "c", 5000.0),
            l("2026-10-01", "d", 4000.0),
        ];
        let c = run(&dataset(&lines), &Config::default(), "2026-10");
        assert!(acc(&c, "b").was_key);
        assert!(!acc(&c, "c").was_key);
        assert!(c.new_key.contains(&"c".to_string()));
        assert!(c.lost_key.contains(&"b".to_string()));
        // b was key as one of two customers; now it is fourth of four and not class A.
        let b = acc(&c, "b");
        assert_eq!(
            b.no_longer_key,
            [
                "ya no es clase A: puesto 4, las cuentas anteriores ya suman el 99,0\u{a0}% de las ventas (umbral 80\u{a0}%)",
                "ya hay 4 clientes con ventas (la cartera pequeña llega hasta 2)",
            ]
        );
        assert!(acc(&c, "c").no_longer_key.is_empty(), "only accounts that stopped being key");
        // nothing at P−1's window: no was_key, no new/lost lists
        let c = run(&dataset(&[l("2026-10-01", "a", 1.0)]), &Config::default(), "2026-10");
        assert!(c.new_key.is_empty() && c.lost_key.is_empty() && !c.accounts[0].was_key);
    }

    #[test]
    fn same_input_same_output_whatever_the_line_order() {
        let mut lines = kam_lines();
        let a = run(&dataset(&lines), &Config::default(), "2026-10");
        lines.reverse();
        let b = run(&dataset(&lines), &Config::default(), "2026-10");
        assert_eq!(a, b);
    }

    /// Scale check (run with `--ignored --nocapture`): a million lines, 5,000 customers.
    #[test]
    #[ignore]
    fn a_million_lines() {
        let mut d = Dataset::default();
        let kams: Vec<_> = (0..8).map(|i| d.strings.intern(&format!("KAM {i}"))).collect();
        let customers: Vec<_> = (0..5000).map(|i| d.strings.intern(&format!("C{i:05}"))).collect();
        let products: Vec<_> = (0..300).map(|i| d.strings.intern(&format!("P{i}"))).collect();
        let start = m("2024-11").first_day();
        for i in 0..1_000_000u64 {
            let x = i.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407) >> 33;
            d.transactions.push(Txn {
                date: start + chrono::Days::new(x % 730),
                customer: customers[((x % 5000) * (x % 5000) / 5000) as usize],
                customer_name: None,
                kam: Some(kams[(x % 8) as usize]),
                product: Some(products[(x % 300) as usize]),
                region: None,
                amount: (x % 100_000) as f64 / 100.0 - 50.0,
                cost: (x % 50_000) as f64 / 100.0,
                margin: f64::NAN,
                qty: f64::NAN,
                month_total: false,
                order: None,
            });
        }
        let t = std::time::Instant::now();
        let c = classify(&d, &Config::default(), m("2026-10"), &es());
        eprintln!(
            "classified {} lines, {} accounts in {:?}",
            d.transactions.len(),
            c.accounts.len(),
            t.elapsed()
        );
        assert!(c.totals.key_accounts > 0);
    }

    proptest::proptest! {
        /// On random books: shares sum to one, class A is the shortest prefix of the ranking
        /// reaching `volume_share`, key ⇔ at least one reason, one sentence per reason.
        #[test]
        fn classification_properties(
            raw in proptest::collection::vec((0u8..20, 0i32..30, -200.0f64..5_000.0, proptest::option::of(0u8..4)), 1..120),
            volume_share in 0.05f64..=1.0,
        ) {
            let names = ["c00","c01","c02","c03","c04","c05","c06","c07","c08","c09","c10","c11","c12","c13","c14","c15","c16","c17","c18","c19"];
            let kams = ["Ana", "Bea", " ", "Íñigo"];
            let start = m("2024-05");
            let lines: Vec<(String, &str, f64, Option<&str>)> = raw
                .iter()
                .map(|(c, mo, amount, k)| (start.add(*mo).first_day().to_string(), names[*c as usize], *amount, k.map(|k| kams[k as usize])))
                .collect();
            let ls: Vec<L> = lines.iter().map(|(d, c, a, k)| L { kam: *k, ..l(d, c, *a) }).collect();
            let d = dataset(&ls);
            let mut cfg = Config::default();
            cfg.classify.volume_share = volume_share;
            cfg.classify.abc_b_share = volume_share.max(0.95);
            let c = classify(&d, &cfg, m("2026-10"), &es());
            let ranked: Vec<&Account> = {
                let mut r: Vec<&Account> = c.accounts.iter().filter(|a| a.rank.is_some()).collect();
                r.sort_by_key(|a| a.rank);
                r
            };
            if !ranked.is_empty() {
                let sum: f64 = ranked.iter().map(|a| a.share).sum();
                proptest::prop_assert!((sum - 1.0).abs() < 1e-9);
                let shortest = ranked.iter().position(|a| a.cumulative_share >= volume_share).map_or(ranked.len(), |p| p + 1);
                let a_count = ranked.iter().filter(|a| a.abc == Abc::A).count();
                proptest::prop_assert_eq!(a_count, shortest);
                proptest::prop_assert!(ranked[..a_count].iter().all(|a| a.abc == Abc::A));
            }
            for a in &c.accounts {
                proptest::prop_assert_eq!(a.key, !a.reasons.is_empty());
                proptest::prop_assert_eq!(a.explanation.len(), a.reasons.len());
                proptest::prop_assert!(!a.kam.trim().is_empty());
                if a.rank.is_none() {
                    proptest::prop_assert_eq!(a.abc, Abc::C);
                    proptest::prop_assert_eq!(a.share, 0.0);
                }
            }
            proptest::prop_assert_eq!(c.totals.key_accounts as usize, c.accounts.iter().filter(|a| a.key).count());
        }
    }
}
