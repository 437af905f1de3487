//! Classify: transactions + rules + period → accounts with ABC class, key reasons, KAM and signals.
//!
//! Pure functions: no I/O, no clock. The period and the language come in as values.
//! The output types below are the interface plan/render use; their field names are the keys of
//! `kamplan classify --format json` (see [`output`]).
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
//!   days from the last purchase to the end of P; trend = last 3 months (P−2..P) against the 3
//!   before, (last3 − prev3) / prev3 when prev3 > 0; `was_key` = key when the same data is
//!   classified for P−1 (not computed, and no new/lost lists, when P−1's window has no line).

pub mod kam;
pub mod output;
pub mod rules;

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use serde::Serialize;

use crate::config::Config;
use crate::ingest::{customer_key, Dataset, Sym};
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

/// Sums of one account over W and the prior window.
#[derive(Debug, Clone)]
struct Acc {
    sym: Option<Sym>,
    id: String,
    name: String,
    master: Option<usize>,
    sales: f64,
    prior: f64,
    margin: f64,
    lines_w: u32,
    margin_lines_w: u32,
    strategic_config: bool,
    /// From the master, with no line in W or the prior window.
    master_only: bool,
}

impl Acc {
    fn new(sym: Option<Sym>, id: String, name: String) -> Acc {
        Acc {
            sym,
            id,
            name,
            master: None,
            sales: 0.0,
            prior: 0.0,
            margin: 0.0,
            lines_w: 0,
            margin_lines_w: 0,
            strategic_config: false,
            master_only: false,
        }
    }

    fn margin(&self) -> Option<f64> {
        (self.lines_w > 0 && self.margin_lines_w == self.lines_w).then_some(self.margin)
    }

    fn strategic(&self, data: &Dataset) -> bool {
        self.strategic_config || self.master.is_some_and(|m| data.master[m].strategic)
    }
}

/// The accounts of a period with their sums, master records and strategic flags.
struct Collected {
    accs: Vec<Acc>,
    by_sym: HashMap<Sym, usize>,
    /// Lines in W / in the prior window, over all customers.
    lines_w: u32,
    lines_prior: u32,
    margin_lines_w: u32,
    margin_w: f64,
    net_sales: f64,
    /// `[classify] strategic` entries that matched no account.
    unmatched_strategic: Vec<String>,
}

fn collect(data: &Dataset, cfg: &Config, period: Month) -> Collected {
    let window = Window::ending(period, cfg.classify.window_months);
    let prior = window.prior();
    let mut accs: Vec<Acc> = Vec::new();
    let mut by_sym: HashMap<Sym, usize> = HashMap::new();
    let (mut lines_w, mut lines_prior, mut margin_lines_w) = (0, 0, 0);
    let (mut margin_w, mut net_sales) = (0.0, 0.0);
    for t in &data.transactions {
        let in_w = window.contains(t.date);
        if !in_w && !prior.contains(t.date) {
            continue;
        }
        let i = *by_sym.entry(t.customer).or_insert_with(|| {
            accs.push(Acc::new(
                Some(t.customer),
                data.strings.resolve(t.customer).to_string(),
                tidy(data.customer_name(t.customer)),
            ));
            accs.len() - 1
        });
        let a = &mut accs[i];
        if in_w {
            lines_w += 1;
            a.lines_w += 1;
            a.sales += t.amount;
            net_sales += t.amount;
            if let Some(m) = t.line_margin() {
                a.margin += m;
                a.margin_lines_w += 1;
                margin_w += m;
                margin_lines_w += 1;
            }
        } else {
            lines_prior += 1;
            a.prior += t.amount;
        }
    }
    // The data's order decides nothing: accounts are kept in id order.
    accs.sort_by(|a, b| a.id.cmp(&b.id));
    for (i, a) in accs.iter().enumerate() {
        if let Some(s) = a.sym {
            by_sym.insert(s, i);
        }
    }

    // Master records, matched by id, else by name (books without codes use the name as id).
    let mut master_by_id: HashMap<String, usize> = HashMap::new();
    let mut master_by_name: HashMap<String, usize> = HashMap::new();
    for (i, m) in data.master.iter().enumerate() {
        master_by_id.entry(norm(&m.id)).or_insert(i);
        if let Some(n) = m.name.as_deref().filter(|n| !n.trim().is_empty()) {
            master_by_name.entry(norm(n)).or_insert(i);
        }
    }
    let mut matched = vec![false; data.master.len()];
    for a in &mut accs {
        let (id, name) = (norm(&a.id), norm(&a.name));
        a.master = master_by_id
            .get(&id)
            .or_else(|| master_by_name.get(&name))
            .or_else(|| master_by_name.get(&id))
            .copied();
        if let Some(m) = a.master {
            matched[m] = true;
        }
    }

    let strategic: Vec<String> =
        cfg.classify.strategic.iter().map(|s| norm(s)).filter(|s| !s.is_empty()).collect();
    let mut strategic_hit = vec![false; strategic.len()];
    let mut hits = |keys: &[String]| {
        let mut any = false;
        for (j, s) in strategic.iter().enumerate() {
            if keys.iter().any(|k| k == s) {
                strategic_hit[j] = true;
                any = true;
            }
        }
        any
    };
    let master_keys = |m: usize| {
        let r = &data.master[m];
        let mut keys = vec![norm(&r.id)];
        if let Some(n) = &r.name {
            keys.push(norm(n));
        }
        keys
    };
    for a in &mut accs {
        let mut keys = vec![norm(&a.id), norm(&a.name)];
        if let Some(m) = a.master {
            keys.extend(master_keys(m));
        }
        a.strategic_config = hits(&keys);
    }
    // Master-only customers: candidates when strategic or with a potential; the rules decide.
    let mut seen: HashSet<String> = accs.iter().map(|a| norm(&a.id)).collect();
    for (m, r) in data.master.iter().enumerate() {
        if matched[m] || !seen.insert(norm(&r.id)) {
            continue;
        }
        let listed = hits(&master_keys(m));
        if !(listed || r.strategic || r.potential.is_some_and(|p| p > 0.0)) {
            continue;
        }
        let id = customer_key(Some(&r.id), r.name.as_deref()).unwrap_or_else(|| r.id.clone());
        let name = r.name.as_deref().map(tidy).filter(|n| !n.is_empty()).unwrap_or_else(|| id.clone());
        let mut a = Acc::new(None, id, name);
        a.master = Some(m);
        a.strategic_config = listed;
        a.master_only = true;
        accs.push(a);
    }
    let unmatched_strategic = cfg
        .classify
        .strategic
        .iter()
        .filter(|s| !s.trim().is_empty())
        .zip(strategic_hit)
        .filter(|(_, hit)| !hit)
        .map(|(s, _)| tidy(s))
        .collect();
    Collected { accs, by_sym, lines_w, lines_prior, margin_lines_w, margin_w, net_sales, unmatched_strategic }
}

fn rule_inputs(c: &Collected, data: &Dataset) -> Vec<rules::RuleInput> {
    c.accs
        .iter()
        .map(|a| rules::RuleInput {
            id: a.id.clone(),
            sales: a.sales,
            prior: a.prior,
            margin: a.margin(),
            strategic: a.strategic(data),
            potential: a.master.and_then(|m| data.master[m].potential),
        })
        .collect()
}

/// Ids of the key accounts at `period`, or `None` when its window has no line at all
/// (then "was key" means nothing). Used for P−1; it never classifies further back.
fn key_ids(data: &Dataset, cfg: &Config, period: Month) -> Option<HashSet<String>> {
    let c = collect(data, cfg, period);
    if c.lines_w == 0 {
        return None;
    }
    let o = rules::decide(&rule_inputs(&c, data), &cfg.classify, c.lines_prior > 0);
    Some(
        c.accs
            .iter()
            .zip(&o.decisions)
            .filter(|(_, d)| !d.reasons.is_empty())
            .map(|(a, _)| a.id.clone())
            .collect(),
    )
}

/// Months in [`Account::monthly`].
pub const MONTHLY_MONTHS: u32 = 24;

/// What the lines up to the end of P say about an account beyond its sums.
#[derive(Debug, Default, Clone)]
struct Signals {
    monthly: Vec<f64>,
    first: Option<NaiveDate>,
    last: Option<NaiveDate>,
    kam_w: HashMap<Sym, f64>,
    /// The salesperson on the latest line up to P (ties on a date: the alphabetically first).
    kam_latest: Option<(NaiveDate, String)>,
    region_w: HashMap<Sym, u32>,
    region_any: HashMap<Sym, u32>,
    products: HashMap<Sym, f64>,
}

fn signals(data: &Dataset, c: &Collected, window: Window, period: Month) -> Vec<Signals> {
    let mut out =
        vec![Signals { monthly: vec![0.0; MONTHLY_MONTHS as usize], ..Signals::default() }; c.accs.len()];
    let end = period.last_day();
    let first_month = period.add(1 - MONTHLY_MONTHS as i32);
    for t in data.transactions.iter().filter(|t| t.date <= end) {
        let Some(&i) = c.by_sym.get(&t.customer) else {
            continue;
        };
        let s = &mut out[i];
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
            // Names are compared only on a same-date tie, so most lines allocate nothing.
            let newer = match &s.kam_latest {
                None => true,
                Some((d, _)) if t.date > *d => true,
                Some((d, n)) => t.date == *d && tidy(data.strings.resolve(k)) < *n,
            };
            if newer {
                s.kam_latest = Some((t.date, tidy(data.strings.resolve(k))));
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

/// The most frequent value (ties: alphabetical).
fn most_frequent(data: &Dataset, counts: &HashMap<Sym, u32>) -> Option<String> {
    counts
        .iter()
        .map(|(s, n)| (*n, tidy(data.strings.resolve(*s))))
        .min_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)))
        .map(|(_, s)| s)
}

/// The salesperson with the largest sales in W (to the cent; ties alphabetical), else the one
/// on the latest line up to P.
fn top_salesperson(data: &Dataset, s: &Signals) -> Option<String> {
    let mut by_name: HashMap<String, f64> = HashMap::new();
    for (k, v) in &s.kam_w {
        *by_name.entry(tidy(data.strings.resolve(*k))).or_insert(0.0) += v;
    }
    by_name
        .into_iter()
        .map(|(n, v)| (rules::cents(v), collate(&n), n))
        .min_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)).then_with(|| a.2.cmp(&b.2)))
        .map(|(_, _, n)| n)
        .or_else(|| s.kam_latest.as_ref().map(|(_, n)| n.clone()))
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
    let outcome = rules::decide(&rule_inputs(&c, data), &cfg.classify, growth_available);
    let sig = signals(data, &c, window, period);
    let previous = key_ids(data, cfg, period.add(-1));
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
        let segment = master.and_then(|m| m.segment.as_deref()).map(tidy).filter(|x| !x.is_empty());
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
        let last3: f64 = s.monthly[MONTHLY_MONTHS as usize - 3..].iter().sum();
        let prev3: f64 = s.monthly[MONTHLY_MONTHS as usize - 6..MONTHLY_MONTHS as usize - 3].iter().sum();
        let trend = (rules::cents(prev3) > 0).then(|| {
            rules::add_cents(rules::cents(last3), -rules::cents(prev3)) as f64 / rules::cents(prev3) as f64
        });
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
            was_key: previous.as_ref().is_some_and(|p| p.contains(&a.id)),
            first_purchase: s.first,
            last_purchase: s.last,
            days_since: s.last.map(|l| (end - l).num_days()),
            trend,
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
            new_account: d.new_account,
        };
        account.explanation = account
            .reasons
            .iter()
            .map(|r| explain(*r, &account, a, lang, months, outcome.ranked, smallest_a))
            .collect();
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
    kam::canonical_names(&mut accounts, &kams);

    let kam_summaries = kam::summaries(&accounts, &kams, &default_kam);
    let (mut new_key, mut lost_key) = (Vec::new(), Vec::new());
    if let Some(prev) = &previous {
        new_key = accounts.iter().filter(|a| a.key && !prev.contains(&a.id)).map(|a| a.id.clone()).collect();
        lost_key = accounts.iter().filter(|a| !a.key && prev.contains(&a.id)).map(|a| a.id.clone()).collect();
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
        warnings.push(lang.fill(
            "warn.unassigned",
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
    }
}

/// At most ten items, then "and N more" in the output language.
fn list_some(lang: &Lang, items: &[String]) -> String {
    const MAX: usize = 10;
    let mut s = items.iter().take(MAX).cloned().collect::<Vec<_>>().join(", ");
    if items.len() > MAX {
        s.push_str(&lang.fill("warn.more", &[("count", (items.len() - MAX).to_string())]));
    }
    s
}

/// The explanation sentence of one reason (`explain.*` in the language file).
fn explain(
    reason: Reason,
    a: &Account,
    acc: &Acc,
    lang: &Lang,
    months: u32,
    ranked: u32,
    smallest_a: Option<f64>,
) -> String {
    let pct = |v: f64| lang.percent(v, 1);
    match reason {
        Reason::Volume => lang.fill(
            "explain.volume",
            &[
                ("rank", a.rank.unwrap_or(0).to_string()),
                ("cumulative", pct(a.cumulative_share)),
                ("share", pct(a.share)),
            ],
        ),
        Reason::Profitability => lang.fill(
            "explain.profitability",
            &[("margin_pct", pct(a.margin_pct.unwrap_or(0.0))), ("share", pct(a.share))],
        ),
        Reason::Growth => match a.growth {
            Some(g) if !a.new_account => {
                let sign = if g > 0.0 { "+" } else { "" };
                lang.fill(
                    "explain.growth",
                    &[("growth", format!("{sign}{}", lang.percent(g, 0))), ("months", months.to_string())],
                )
            }
            _ => lang.fill(
                "explain.growth_new",
                &[("months", months.to_string()), ("sales", lang.money(a.sales))],
            ),
        },
        Reason::Strategic => {
            if acc.strategic_config {
                lang.get("explain.strategic_config").to_string()
            } else {
                lang.get("explain.strategic_master").to_string()
            }
        }
        Reason::Potential => lang.fill(
            "explain.potential",
            &[
                ("potential", lang.money(a.potential.unwrap_or(0.0))),
                ("smallest", lang.money(smallest_a.unwrap_or(0.0))),
            ],
        ),
        Reason::SmallPortfolio => {
            if ranked == 1 {
                lang.get("explain.small_portfolio_one").to_string()
            } else {
                lang.fill("explain.small_portfolio", &[("count", ranked.to_string())])
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::{KamContact, MasterRecord, Txn};

    /// One sales line for a hand-built dataset.
    #[derive(Clone, Copy)]
    struct L<'a> {
        date: &'a str,
        customer: &'a str,
        amount: f64,
        kam: Option<&'a str>,
        cost: f64,
        product: Option<&'a str>,
        region: Option<&'a str>,
    }

    fn l<'a>(date: &'a str, customer: &'a str, amount: f64) -> L<'a> {
        L { date, customer, amount, kam: None, cost: f64::NAN, product: None, region: None }
    }

    fn dataset(lines: &[L]) -> Dataset {
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
            };
            d.transactions.push(t);
        }
        d
    }

    fn master(id: &str) -> MasterRecord {
        MasterRecord {
            id: id.into(),
            name: None,
            strategic: false,
            potential: None,
            kam: None,
            segment: None,
        }
    }

    fn m(s: &str) -> Month {
        s.parse().unwrap()
    }

    fn es() -> Lang {
        Lang::load("es", "€", None).unwrap()
    }

    fn run(d: &Dataset, cfg: &Config, p: &str) -> Classification {
        classify(d, cfg, m(p), &es())
    }

    fn acc<'a>(c: &'a Classification, id: &str) -> &'a Account {
        c.accounts.iter().find(|a| a.id == id).unwrap_or_else(|| panic!("no account {id}"))
    }

    /// Four customers over two years: a, b, c, d with sales 2025-11..2026-10 of 500/300/150/50
    /// and prior sales of 500/200/150/0.
    fn four() -> Dataset {
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
    fn explanations_in_both_languages() {
        let d = four();
        let c = run(&d, &Config::default(), "2026-10");
        assert_eq!(
            acc(&c, "b").explanation,
            vec![
                "Clave por volumen: puesto 2, acumula el 80,0\u{a0}% de las ventas".to_string(),
                "Clave por crecimiento: +50\u{a0}% frente a los 12 meses anteriores".to_string(),
            ]
        );
        let en = Lang::load("en", "€", None).unwrap();
        let c = classify(&d, &Config::default(), m("2026-10"), &en);
        assert_eq!(acc(&c, "b").explanation[1], "Key by growth: +50% against the prior 12 months");
        assert!(acc(&c, "d").explanation[0].starts_with("Key by growth: new account, with €50.00"));
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

    fn kam_lines() -> Vec<L<'static>> {
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
    fn kam_precedence_master_then_territory_then_salesperson() {
        let mut d = dataset(&kam_lines());
        d.master.push(MasterRecord { kam: Some("Marta".into()), ..master("a") });
        d.master.push(MasterRecord { kam: Some(" ".into()), ..master("c") });
        d.directory.push(KamContact {
            name: "Nora Sur".into(),
            email: Some(" nora@x.es ".into()),
            manager: None,
            region: Some("sur".into()),
        });
        let mut cfg = Config::default();
        cfg.classify.default_kam = "Dirección".into();
        let c = run(&d, &cfg, "2026-10");
        assert_eq!((acc(&c, "a").kam.as_str(), acc(&c, "a").kam_source.as_str()), ("Marta", "master"));
        assert_eq!(acc(&c, "b").kam, "Dirección");
        // territory needs [assign] by
        cfg.assign.by = Some("region".into());
        d.master[0].kam = None;
        let c = run(&d, &cfg, "2026-10");
        // a's region: Norte (2 lines) over Sur (1); Norte maps nowhere → salesperson
        assert_eq!(acc(&c, "a").region.as_deref(), Some("Norte"));
        assert_eq!(acc(&c, "a").kam_source, "salesperson");
        cfg.assign.map.insert("NORTE".into(), "nora  sur".into());
        let c = run(&d, &cfg, "2026-10");
        let a = acc(&c, "a");
        // the map's spelling is made the directory's, and the email follows
        assert_eq!((a.kam.as_str(), a.kam_source.as_str()), ("Nora Sur", "territory"));
        let k = c.kams.iter().find(|k| k.name == "Nora Sur").unwrap();
        assert_eq!(k.email.as_deref(), Some("nora@x.es"));
    }

    #[test]
    fn strategic_by_config_or_master_even_without_sales() {
        let mut d = four();
        d.master.push(MasterRecord { strategic: true, name: Some("Gran Cliente".into()), ..master("x9") });
        d.master.push(MasterRecord { name: Some("Dormido".into()), ..master("z1") });
        let mut cfg = Config::default();
        cfg.classify.strategic = vec![" C ".into(), "nadie".into()];
        let c = run(&d, &cfg, "2026-10");
        // by id, case- and space-insensitive
        assert_eq!(acc(&c, "c").reasons, vec![Reason::Strategic]);
        assert!(acc(&c, "c").explanation[0].contains("configuración"));
        // a master-only strategic customer is listed, key, unranked, with sales 0
        let x = acc(&c, "x9");
        assert_eq!((x.name.as_str(), x.sales, x.rank, x.key), ("Gran Cliente", 0.0, None, true));
        assert!(x.explanation[0].contains("maestro"));
        // a master-only customer that is not key is not listed
        assert!(c.accounts.iter().all(|a| a.id != "z1"));
        assert!(c.warnings.iter().any(|w| w.contains("nadie")), "{:?}", c.warnings);
    }

    #[test]
    fn potential_against_the_smallest_a_and_master_by_name() {
        let mut d = four();
        // smallest A is b with 300: c (150 sales) with potential 300 is key, 299.99 is not
        d.master.push(MasterRecord { potential: Some(300.0), ..master("C") });
        d.master.push(MasterRecord { potential: Some(299.99), ..master("d") });
        let c = run(&d, &Config::default(), "2026-10");
        assert_eq!(acc(&c, "c").reasons, vec![Reason::Potential]);
        assert!(!acc(&c, "d").reasons.contains(&Reason::Potential));
        assert!(acc(&c, "c").explanation[0].contains("300,00\u{a0}€"), "{:?}", acc(&c, "c").explanation);
    }

    #[test]
    fn profitability_needs_margin_on_every_line() {
        let lines = [
            L { cost: 50.0, ..l("2026-01-01", "a", 100.0) },
            L { cost: 10.0, ..l("2026-01-01", "b", 100.0) },
            l("2026-01-02", "b", 100.0),
            L { cost: 90.0, ..l("2026-01-01", "c", 100.0) },
        ];
        let c = run(&dataset(&lines), &Config::default(), "2026-10");
        assert_eq!(acc(&c, "a").margin_pct, Some(0.5));
        assert!(acc(&c, "a").reasons.contains(&Reason::Profitability));
        assert_eq!(acc(&c, "b").margin, None, "one line of b has no cost");
        assert_eq!(c.totals.margin, None);
        assert_eq!(acc(&c, "c").margin_pct, Some(0.1));
        assert!(!acc(&c, "c").reasons.contains(&Reason::Profitability));
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
        // last 3 months (Aug..Oct) 250 against May..Jul 100
        assert_eq!(a.trend, Some(1.5));
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

    #[test]
    fn json_has_the_stable_shape() {
        let d = four();
        let c = run(&d, &Config::default(), "2026-10");
        let v = output::json(&c, &d.report);
        for k in ["period", "window", "totals", "concentration", "accounts", "kams", "ingest"] {
            assert!(v.get(k).is_some(), "{k}");
        }
        assert_eq!(v["period"], "2026-10");
        assert_eq!(v["window"]["from"], "2025-11");
        let a = &v["accounts"][0];
        for k in [
            "id",
            "name",
            "kam",
            "sales",
            "prior_sales",
            "growth",
            "margin",
            "margin_pct",
            "share",
            "cumulative_share",
            "rank",
            "abc",
            "key",
            "reasons",
            "explanation",
            "was_key",
            "last_purchase",
        ] {
            assert!(a.get(k).is_some(), "{k}");
        }
        assert_eq!(a["abc"], "A");
        assert_eq!(a["margin"], serde_json::Value::Null);
        assert_eq!(a["last_purchase"], "2025-12-01");
        assert_eq!(v["accounts"][1]["reasons"], serde_json::json!(["volume", "growth"]));
        for k in ["rows", "transactions", "skipped", "rejected"] {
            assert!(v["ingest"].get(k).is_some(), "{k}");
        }
    }

    #[test]
    fn table_and_csv_list_every_account() {
        let d = four();
        let c = run(&d, &Config::default(), "2026-10");
        let t = output::table(&c, &es());
        assert!(t.contains("Cuentas clave (3)") && t.contains("Resto de cuentas (1)"), "{t}");
        assert!(t.contains("Puesto") && t.contains("HHI"), "{t}");
        // the ids here are the normalised names: shown once
        assert!(!t.contains("(a)"), "{t}");
        let en = Lang::load("en", "€", None).unwrap();
        let t = output::table(&classify(&d, &Config::default(), m("2026-10"), &en), &en);
        assert!(t.contains("Key accounts (3)") && t.contains("€1,000.00"), "{t}");
        let csv = output::csv(&c).unwrap();
        assert_eq!(csv.lines().count(), 1 + c.accounts.len());
        assert!(csv.starts_with("id,name,kam,"));
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
