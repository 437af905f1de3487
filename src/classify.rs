//! Classify: transactions + rules + period → accounts with ABC class, key reasons, KAM and signals.
//!
//! Pure functions: no I/O, no clock. The period and the language come in as values.
//!
//! SKELETON: the output types below are the interface plan/render and the JSON use.
//! Fields may be added; keep names stable (they are the `classify --format json` keys).

use chrono::NaiveDate;
use serde::Serialize;

use crate::config::Config;
use crate::ingest::Dataset;
use crate::lang::Lang;
use crate::period::{Month, Window};

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
    pub first_purchase: Option<NaiveDate>,
    pub last_purchase: Option<NaiveDate>,
    /// Days from the last purchase to the end of P.
    pub days_since: Option<i64>,
    /// Last 3 months against the 3 before: (last3 − prev3) / prev3; `None` when prev3 ≤ 0.
    pub trend: Option<f64>,
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
}

/// Company totals in the window.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Totals {
    pub sales: f64,
    pub margin: Option<f64>,
    pub accounts: u32,
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
}

/// Classifies the accounts of `data` for `period`.
pub fn classify(data: &Dataset, cfg: &Config, period: Month, lang: &Lang) -> Classification {
    let _ = (data, cfg, period, lang);
    todo!("issue 3")
}

/// The latest month with a transaction.
pub fn latest_month(data: &Dataset) -> Option<Month> {
    data.transactions.iter().map(|t| Month::of(t.date)).max()
}
