//! Plan: the per-KAM Key Account Plan and the management summary as plain serialisable structs — the templates' context.
//!
//! No I/O, no clock: built from the classification, the dataset (its activity log) and the
//! config, with the period's last day standing for "today". Every sentence comes from the
//! language files (`templates/i18n/<lang>/plan.toml`) through [`Lang::fill`]; the templates get
//! these structs as `plan` / `summary`, with the labels as `labels`.
//!
//! The rules, in one place:
//! - **Target**: sales in the window × (1 + rate), over the same number of months that follow P.
//!   The rate is the highest of the account's reasons in `[plan] target_growth_by_reason`, a
//!   reason without an entry counting as `[plan] target_growth`.
//! - **Meetings**: the closer's four meetings (decision makers, competition, needs, close). The
//!   activity-log entries of the account in the window up to the end of P that are not calls or
//!   mails (see [`is_call`]) are its meetings. An entry whose type names a meeting
//!   ("Reunión decisores", "Reunión cierre", "Closing meeting"; see [`meeting_step`]) fills
//!   that meeting; when no entry names one, the meetings fill the steps in date order. The
//!   first meeting not held is the next one, highlighted.
//! - **Courtesy call**: due `[plan] call_every_days` after the last contact in the log (or the
//!   last purchase when the log has none for the account); overdue when that date is before the
//!   end of P; with no contact and no purchase, it is due now.
//! - **Contact cap**: a month in the window where the log holds more than
//!   `[plan] max_contacts_per_month` contacts with one account gives a warning.
//! - **Attention**: trend at or below [`FALLING_TREND`], no purchase for more than
//!   `[classify] recency_alert_days` days (or none at all), or a courtesy call overdue.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use serde::Serialize;

use crate::classify::{collate, norm, Abc, Account, Classification, Reason};
use crate::config::Config;
use crate::ingest::{Activity, Dataset};
use crate::lang::Lang;
use crate::period::Month;

#[cfg(test)]
pub(crate) mod fixtures;
pub mod handover;
mod meetings;
mod summary;

use meetings::{cap_excess, courtesy, meetings};
pub use meetings::{is_call, meeting_step, MeetingStatus};
use summary::summary;

/// A trend at or below this is "falling". The trend read is the last 3 months against the same
/// months a year earlier (free of the season); without a year of history, against the 3 before.
pub const FALLING_TREND: f64 = -0.10;
/// A trend at or above this is "rising"; between the two it is stable.
pub const RISING_TREND: f64 = 0.10;
/// Accounts drawn one by one in the summary's Pareto chart; the rest make one bar.
pub const PARETO_BARS: usize = 30;

/// Everything one run renders: a plan per KAM and the management summary.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Plans {
    /// One plan per KAM with key accounts, ordered by KAM name.
    pub kams: Vec<KamPlan>,
    pub summary: Summary,
}

/// The period a document is about, with its labels already in the plan's language.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PeriodInfo {
    /// `2026-10`.
    pub period: Month,
    /// `oct 2026`.
    pub period_label: String,
    /// Last day of P: "today" for every due date.
    pub period_end: NaiveDate,
    pub window_from: Month,
    pub window_to: Month,
    /// `nov 2025 – oct 2026`.
    pub window_label: String,
    pub window_months: u32,
    /// P−1, against which new and lost key accounts are counted.
    pub prior_period: Month,
    pub prior_period_label: String,
    /// The months the objectives are for: P+1 … P+window_months.
    pub next_label: String,
    /// Whether growth against the prior window could be computed.
    pub growth_available: bool,
    pub currency: String,
    /// The documents' language code.
    pub lang: String,
}

/// An account named in a list (new, lost, unassigned, attention).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AccountRef {
    pub id: String,
    pub name: String,
    pub kam: String,
    pub sales: f64,
}

/// Allowed values of the drop-down columns, in the plan's language.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Choices {
    /// Meeting status: pending, planned, done, postponed, cancelled.
    pub status: Vec<String>,
    /// Decision-maker influence: high, medium, low.
    pub influence: Vec<String>,
    /// Decision-maker stance: champion, favourable, neutral, critical, blocker.
    pub stance: Vec<String>,
}

/// An account that needs attention, and why (sentences).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Attention {
    pub id: String,
    pub name: String,
    pub why: Vec<String>,
}

/// Which alarms an account raises.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Flags {
    /// Trend at or below [`FALLING_TREND`].
    pub falling: bool,
    /// No purchase for more than `recency_alert_days`, or no purchase at all.
    pub stale: bool,
    /// The courtesy call fell due before the end of P.
    pub call_overdue: bool,
    /// The contact log exceeds the monthly cap in some month.
    pub over_contacted: bool,
}

/// One KAM's Key Account Plan.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KamPlan {
    pub kam: String,
    pub email: Option<String>,
    /// The KAM directory's manager of this KAM, as a name.
    pub manager: Option<String>,
    /// The manager's address (see [`handover::manager_of`]); `None` when the directory gives none.
    pub manager_email: Option<String>,
    /// The default KAM that holds key accounts nobody owns.
    pub unassigned: bool,
    pub period: PeriodInfo,
    pub key_accounts: u32,
    /// Sales of the KAM's key accounts in the window.
    pub sales: f64,
    pub company_sales: f64,
    /// `sales / company_sales`.
    pub share: f64,
    pub margin: Option<f64>,
    pub margin_pct: Option<f64>,
    /// Share of company margin, when both margins are known and the company's is positive.
    pub margin_share: Option<f64>,
    /// Sum of the accounts' sales targets.
    pub target: f64,
    /// One-sentence reading of the cover figures.
    pub intro: String,
    /// The combined target in words, tied to the commercial plan.
    pub target_text: String,
    /// Key now, not key at P−1.
    pub new_key: Vec<AccountRef>,
    /// Key at P−1, not now (still owned by this KAM).
    pub lost_key: Vec<AccountRef>,
    pub attention: Vec<Attention>,
    /// The key accounts, by rank.
    pub accounts: Vec<AccountPlan>,
    /// Contact-cap warnings of all accounts.
    pub warnings: Vec<String>,
    pub choices: Choices,
}

/// A product line of an account.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProductLine {
    pub name: String,
    pub sales: f64,
    /// Share of the account's sales.
    pub share: f64,
}

/// One month of an account's sales, for the 24-month chart.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MonthPoint {
    pub month: Month,
    pub label: String,
    pub sales: f64,
}

/// The sales objective of an account for the months after P.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Objective {
    /// Growth rate applied.
    pub rate: f64,
    /// The reason whose per-reason rate applies; `None` when the general rate does.
    pub reason: Option<String>,
    /// Sales in the window (the base).
    pub base: f64,
    pub target: f64,
    /// `target − base`.
    pub increase: f64,
    pub months: u32,
    /// `target / months`.
    pub per_month: f64,
    /// `base / months`.
    pub current_per_month: f64,
    /// `per_month − current_per_month`.
    pub increase_per_month: f64,
    /// The objective in words.
    pub text: String,
    /// How it serves the commercial plan, in words.
    pub plan_text: String,
}

/// One of the closer's four meetings.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Meeting {
    /// 1..=4.
    pub number: u32,
    /// `decision_makers`, `competition`, `needs`, `close`.
    pub key: String,
    /// The objective, as a label.
    pub objective: String,
    /// What to achieve in it.
    pub guide: String,
    /// Date held (from the log).
    pub date: Option<NaiveDate>,
    /// Status label (done / pending).
    pub status: String,
    /// Meeting type from the log.
    pub kind: Option<String>,
    pub notes: Option<String>,
    pub done: bool,
    /// The next meeting to hold.
    pub next: bool,
}

/// One activity-log entry of an account.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LogEntry {
    pub date: NaiveDate,
    pub kind: Option<String>,
    pub notes: Option<String>,
    /// A meeting (true) or a call/mail (false).
    pub meeting: bool,
}

/// When the next courtesy call is due.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Courtesy {
    pub every_days: u32,
    /// `log` (last logged contact), `purchase` (last purchase) or `none`.
    pub basis: String,
    pub last_contact: Option<NaiveDate>,
    pub next_due: Option<NaiveDate>,
    pub overdue: bool,
    /// Days past due at the end of P.
    pub days_overdue: Option<i64>,
    pub text: String,
    /// The rule: call every n days, at most m contacts a month.
    pub rule: String,
}

/// A month where the log exceeds the contact cap.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CapExcess {
    pub month: Month,
    pub label: String,
    pub contacts: u32,
}

/// Everything a plan shows about one key account.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AccountPlan {
    pub rank: Option<u32>,
    pub id: String,
    pub name: String,
    pub sales: f64,
    pub prior_sales: f64,
    pub share: f64,
    pub cumulative_share: f64,
    /// Share of the KAM's key-account sales.
    pub share_of_kam: f64,
    pub abc: String,
    pub margin: Option<f64>,
    pub margin_pct: Option<f64>,
    pub growth: Option<f64>,
    pub trend: Option<f64>,
    /// Last 3 months against the same 3 months a year earlier: the trend without the season.
    /// `None` when those months a year earlier sold nothing.
    pub trend_yoy: Option<f64>,
    /// The trend the plan reads: `trend_yoy`, else `trend`.
    pub trend_read: Option<f64>,
    pub first_purchase: Option<NaiveDate>,
    pub last_purchase: Option<NaiveDate>,
    pub days_since: Option<i64>,
    /// Reason keys (`volume`, …).
    pub reasons: Vec<String>,
    /// Reasons in words, comma-separated.
    pub reasons_text: String,
    /// Why it is key, one sentence per reason.
    pub explanation: Vec<String>,
    pub exposure_sales: f64,
    pub exposure_margin: Option<f64>,
    pub strategic: bool,
    pub potential: Option<f64>,
    pub segment: Option<String>,
    pub region: Option<String>,
    /// Key now and not at P−1.
    pub new: bool,
    pub top_products: Vec<ProductLine>,
    pub monthly: Vec<MonthPoint>,
    /// Risk sentences: exposure, trend, recency.
    pub risks: Vec<String>,
    pub objective: Objective,
    pub meetings: Vec<Meeting>,
    /// Number of the next meeting (1..=4); `None` when all four are held.
    pub next_meeting: Option<u32>,
    /// The next step in words (or that the cycle is complete).
    pub next_text: String,
    /// The account's log in the window up to the end of P, oldest first.
    pub log: Vec<LogEntry>,
    pub courtesy: Courtesy,
    pub cap_excess: Vec<CapExcess>,
    pub cap_warnings: Vec<String>,
    pub flags: Flags,
}

/// One ABC class in the summary.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AbcRow {
    pub class: String,
    pub accounts: u32,
    pub sales: f64,
    pub share: f64,
}

/// A bar of the Pareto chart.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ParetoPoint {
    pub label: String,
    pub sales: f64,
    pub cumulative_share: f64,
}

/// Concentration with its reading in words.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConcentrationView {
    pub pareto_accounts_share: f64,
    pub top1_share: f64,
    pub top5_share: f64,
    pub hhi: f64,
    /// `diversified`, `moderate`, `concentrated`.
    pub reading: String,
    pub reading_label: String,
    /// Label of `pareto_accounts_share` (it names `[classify] volume_share`).
    pub pareto_label: String,
    pub text: String,
}

/// A KAM's workload in the summary.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KamRow {
    pub kam: String,
    pub email: Option<String>,
    pub unassigned: bool,
    pub key_accounts: u32,
    pub sales: f64,
    /// Share of company sales.
    pub share: f64,
    /// Meetings in the log with their key accounts in the window.
    pub meetings: u32,
    /// All logged contacts with their key accounts in the window.
    pub contacts: u32,
}

/// A key account in the summary's by-KAM table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SummaryAccount {
    pub rank: Option<u32>,
    pub id: String,
    pub name: String,
    pub kam: String,
    pub sales: f64,
    pub share: f64,
    pub abc: String,
    pub reasons_text: String,
    pub new: bool,
}

/// A row of the hand-over table: who gets which files. `pdf`/`xlsx` are set by the caller
/// once the file names are known.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HandoverRow {
    pub kam: String,
    pub email: Option<String>,
    pub key_accounts: u32,
    pub sales: f64,
    pub pdf: String,
    pub xlsx: String,
}

/// The management summary: the company view of the run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    pub period: PeriodInfo,
    pub company_sales: f64,
    pub company_margin: Option<f64>,
    pub margin_pct: Option<f64>,
    /// Accounts in the window (any sales).
    pub accounts: u32,
    /// Accounts with sales > 0 in the window.
    pub active_accounts: u32,
    pub key_accounts: u32,
    pub key_sales: f64,
    pub key_share: f64,
    pub intro: String,
    pub pareto: Vec<ParetoPoint>,
    pub abc: Vec<AbcRow>,
    pub concentration: ConcentrationView,
    /// KAM workload, by KAM name.
    pub kams: Vec<KamRow>,
    /// Key accounts by KAM (KAM name, then rank).
    pub key_accounts_by_kam: Vec<SummaryAccount>,
    pub unassigned: Vec<AccountRef>,
    pub new_key: Vec<AccountRef>,
    pub lost_key: Vec<AccountRef>,
    /// The classification's warnings.
    pub warnings: Vec<String>,
    /// One row per KAM plan, in the same order as [`Plans::kams`].
    pub handover: Vec<HandoverRow>,
}

/// Builds every KAM's plan and the summary. Pure: the same inputs give the same plans.
///
/// KAMs are those of `c.kams` with at least one key account, ordered by name (case-insensitive,
/// then exact). Key accounts are `c.accounts` with `key`, by rank.
pub fn build(c: &Classification, data: &Dataset, cfg: &Config, lang: &Lang) -> Plans {
    let period = period_info(c, lang);
    let log = log_by_customer(&data.activities, c, period.period_end);
    let choices = choices(lang);
    let by_id: HashMap<&str, &Account> = c.accounts.iter().map(|a| (a.id.as_str(), a)).collect();

    // The classification's order: by name with accents and case ignored, the default KAM last.
    let mut kam_names: Vec<&crate::classify::KamSummary> = c.kams.iter().collect();
    kam_names.sort_by(|a, b| {
        a.unassigned
            .cmp(&b.unassigned)
            .then_with(|| collate(&a.name).cmp(&collate(&b.name)))
            .then_with(|| a.name.cmp(&b.name))
    });
    kam_names.dedup_by(|a, b| a.name == b.name);

    let mut kams = Vec::new();
    for k in &kam_names {
        let mut keys: Vec<&Account> = c.accounts.iter().filter(|a| a.key && a.kam == k.name).collect();
        if keys.is_empty() {
            continue;
        }
        keys.sort_by(|a, b| rank_order(a, b));
        let email = k.email.clone().or_else(|| {
            data.directory.iter().find(|d| norm(&d.name) == norm(&k.name)).and_then(|d| d.email.clone())
        });
        let mut plan =
            kam_plan(c, cfg, lang, &period, &choices, &log, &by_id, &k.name, email, k.unassigned, &keys);
        (plan.manager, plan.manager_email) = handover::manager_of(&k.name, &data.directory);
        kams.push(plan);
    }

    let summary = summary(c, cfg, lang, &period, &log, &by_id, &kams);
    Plans { kams, summary }
}

fn rank_order(a: &Account, b: &Account) -> std::cmp::Ordering {
    let r = |x: &Account| x.rank.unwrap_or(u32::MAX);
    r(a).cmp(&r(b)).then(b.sales.total_cmp(&a.sales)).then(a.id.cmp(&b.id))
}

fn period_info(c: &Classification, lang: &Lang) -> PeriodInfo {
    let months = c.window.months();
    let next_from = c.period.add(1);
    let next_to = c.period.add(months as i32);
    PeriodInfo {
        period: c.period,
        period_label: lang.month(c.period),
        period_end: c.period.last_day(),
        window_from: c.window.from,
        window_to: c.window.to,
        window_label: format!("{} – {}", lang.month(c.window.from), lang.month(c.window.to)),
        window_months: months,
        prior_period: c.period.add(-1),
        prior_period_label: lang.month(c.period.add(-1)),
        next_label: format!("{} – {}", lang.month(next_from), lang.month(next_to)),
        growth_available: c.growth_available,
        currency: lang.currency.clone(),
        lang: lang.code.clone(),
    }
}

fn choices(lang: &Lang) -> Choices {
    let list = |prefix: &str, keys: &[&str]| -> Vec<String> {
        keys.iter().map(|k| lang.get(&format!("{prefix}.{k}")).to_string()).collect()
    };
    Choices {
        status: MeetingStatus::ALL.iter().map(|s| s.label(lang)).collect(),
        influence: list("plan.dm.influence", &["high", "medium", "low"]),
        stance: list("plan.dm.stance", &["champion", "favourable", "neutral", "critical", "blocker"]),
    }
}

/// The activity log by customer id, restricted to the window up to the end of P, oldest first
/// (ties by type and notes so the order never depends on the input order).
fn log_by_customer<'a>(
    activities: &'a [Activity],
    c: &Classification,
    end: NaiveDate,
) -> HashMap<&'a str, Vec<&'a Activity>> {
    let from = c.window.from.first_day();
    let mut map: HashMap<&str, Vec<&Activity>> = HashMap::new();
    for a in activities.iter().filter(|a| a.date >= from && a.date <= end) {
        map.entry(a.customer.as_str()).or_default().push(a);
    }
    for v in map.values_mut() {
        v.sort_by(|a, b| a.date.cmp(&b.date).then(a.kind.cmp(&b.kind)).then(a.notes.cmp(&b.notes)));
    }
    map
}

fn abc_str(a: Abc) -> &'static str {
    match a {
        Abc::A => "A",
        Abc::B => "B",
        Abc::C => "C",
    }
}

fn reasons_text(reasons: &[Reason], lang: &Lang) -> String {
    reasons
        .iter()
        .map(|r| lang.get(&format!("reason.{}", r.as_str())).to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

fn account_ref(a: &Account) -> AccountRef {
    AccountRef { id: a.id.clone(), name: a.name.clone(), kam: a.kam.clone(), sales: a.sales }
}

#[allow(clippy::too_many_arguments)]
fn kam_plan(
    c: &Classification,
    cfg: &Config,
    lang: &Lang,
    period: &PeriodInfo,
    choices: &Choices,
    log: &HashMap<&str, Vec<&Activity>>,
    by_id: &HashMap<&str, &Account>,
    kam: &str,
    email: Option<String>,
    unassigned: bool,
    keys: &[&Account],
) -> KamPlan {
    let sales: f64 = keys.iter().map(|a| a.sales).sum();
    let margin = keys.iter().map(|a| a.margin).sum::<Option<f64>>();
    let company = c.totals.sales;
    let share = ratio(sales, company).unwrap_or(0.0);
    let margin_pct = margin.and_then(|m| ratio(m, sales));
    let margin_share = match (margin, c.totals.margin) {
        (Some(m), Some(t)) if t > 0.0 => Some(m / t),
        _ => None,
    };
    let accounts: Vec<AccountPlan> = keys
        .iter()
        .map(|a| {
            account_plan(
                a,
                c,
                cfg,
                lang,
                period,
                log.get(a.id.as_str()).map(Vec::as_slice).unwrap_or(&[]),
                sales,
            )
        })
        .collect();
    let target: f64 = accounts.iter().map(|a| a.objective.target).sum();
    let increase: f64 = accounts.iter().map(|a| a.objective.increase).sum();

    let listed = |ids: &[String]| -> Vec<AccountRef> {
        ids.iter()
            .filter_map(|id| by_id.get(id.as_str()))
            .filter(|a| a.kam == kam)
            .map(|a| account_ref(a))
            .collect()
    };
    let new_key = listed(&c.new_key);
    let lost_key = listed(&c.lost_key);

    let attention = accounts
        .iter()
        .filter_map(|a| {
            let mut why = Vec::new();
            if a.flags.falling {
                let key = if a.trend_yoy.is_some() {
                    "plan.attention.falling_yoy"
                } else {
                    "plan.attention.falling"
                };
                why.push(lang.fill(key, &[("trend", pct(lang, a.trend_read.map(f64::abs)))]));
            }
            if a.flags.stale {
                why.push(match a.days_since {
                    Some(d) => lang.fill("plan.attention.stale", &[("days", d.to_string())]),
                    None => lang.get("plan.attention.never").to_string(),
                });
            }
            if a.flags.call_overdue {
                why.push(match a.courtesy.next_due {
                    Some(d) => lang.fill("plan.attention.call_overdue", &[("date", lang.date(d))]),
                    None => lang.get("plan.attention.call_now").to_string(),
                });
            }
            if a.flags.over_contacted {
                why.push(lang.get("plan.attention.over_contacted").to_string());
            }
            (!why.is_empty()).then(|| Attention { id: a.id.clone(), name: a.name.clone(), why })
        })
        .collect();
    let warnings = accounts.iter().flat_map(|a| a.cap_warnings.iter().cloned()).collect();

    let intro = lang.fill(
        if unassigned {
            "plan.cover.intro_unassigned"
        } else if keys.len() == 1 {
            "plan.cover.intro_one"
        } else {
            "plan.cover.intro"
        },
        &[
            ("kam", kam.to_string()),
            ("count", keys.len().to_string()),
            ("sales", lang.money(sales)),
            ("share", lang.percent(share, 1)),
            ("window", period.window_label.clone()),
        ],
    );

    let target_text = lang.fill(
        "plan.cover.target_text",
        &[
            ("next", period.next_label.clone()),
            ("target", lang.money(target)),
            ("increase", lang.money(increase)),
        ],
    );

    KamPlan {
        kam: kam.to_string(),
        email,
        manager: None,
        manager_email: None,
        unassigned,
        period: period.clone(),
        key_accounts: keys.len() as u32,
        sales,
        company_sales: company,
        share,
        margin,
        margin_pct,
        margin_share,
        target,
        intro,
        target_text,
        new_key,
        lost_key,
        attention,
        accounts,
        warnings,
        choices: choices.clone(),
    }
}

fn ratio(a: f64, b: f64) -> Option<f64> {
    (b != 0.0 && a.is_finite() && b.is_finite()).then(|| a / b)
}

fn pct(lang: &Lang, v: Option<f64>) -> String {
    v.map(|v| lang.percent(v, 1)).unwrap_or_else(|| "—".into())
}

/// The growth rate of an account's target and the reason that gives it (`None`: the general rate).
pub fn target_rate(reasons: &[Reason], cfg: &Config) -> (f64, Option<Reason>) {
    let p = &cfg.plan;
    let mut best: Option<(f64, Option<Reason>)> = None;
    for &r in reasons {
        let cand = match p.target_growth_by_reason.get(r.as_str()) {
            Some(&v) => (v, Some(r)),
            None => (p.target_growth, None),
        };
        // Ties keep the first in reason order; a per-reason rate wins a tie with the general one.
        let better = match best {
            None => true,
            Some((v, who)) => cand.0 > v || (cand.0 == v && who.is_none() && cand.1.is_some()),
        };
        if better {
            best = Some(cand);
        }
    }
    best.unwrap_or((p.target_growth, None))
}

/// The objective of an account with window sales `sales` over `months` months.
fn objective(a: &Account, cfg: &Config, lang: &Lang, period: &PeriodInfo) -> Objective {
    let (rate, reason) = target_rate(&a.reasons, cfg);
    let months = period.window_months.max(1);
    let base = a.sales.max(0.0);
    let target = base * (1.0 + rate);
    let per_month = target / months as f64;
    let current_per_month = base / months as f64;
    let why = match reason {
        Some(r) => lang.fill(
            "plan.objective.rate_reason",
            &[("reason", lang.get(&format!("reason.{}", r.as_str())).to_string())],
        ),
        None => lang.get("plan.objective.rate_general").to_string(),
    };
    let text = if base > 0.0 {
        lang.fill(
            "plan.objective.text",
            &[
                ("target", lang.money(target)),
                ("next", period.next_label.clone()),
                ("rate", lang.percent(rate, 1)),
                ("why", why),
                ("per_month", lang.money(per_month)),
                ("increase_month", lang.money(per_month - current_per_month)),
                ("current_month", lang.money(current_per_month)),
                ("months", months.to_string()),
            ],
        )
    } else {
        lang.fill("plan.objective.no_sales", &[("next", period.next_label.clone())])
    };
    // The commercial-plan line follows the account's main reason, in this order of weight.
    let main = [Reason::Volume, Reason::Growth, Reason::Profitability, Reason::Strategic, Reason::Potential]
        .into_iter()
        .find(|r| a.reasons.contains(r));
    let plan_key = match main {
        Some(r) => format!("plan.objective.plan.{}", r.as_str()),
        None => "plan.objective.plan.other".to_string(),
    };
    let plan_text =
        lang.fill(&plan_key, &[("increase", lang.money(target - base)), ("name", a.name.clone())]);
    Objective {
        rate,
        reason: reason.map(|r| r.as_str().to_string()),
        base,
        target,
        increase: target - base,
        months,
        per_month,
        current_per_month,
        increase_per_month: per_month - current_per_month,
        text,
        plan_text,
    }
}

/// Sales of the last 3 months against the same 3 months a year earlier, from the account's
/// monthly series; `None` when the earlier months sold nothing (or are not in the series).
pub fn yoy_trend(a: &Account, period: Month) -> Option<f64> {
    let sum = |last: Month| -> Option<f64> {
        (0..3)
            .map(|i| a.monthly.iter().find(|m| m.month == last.add(-i)).map(|m| m.sales))
            .sum::<Option<f64>>()
    };
    let now = sum(period)?;
    let before = sum(period.add(-12))?;
    (before > 0.0).then(|| (now - before) / before)
}

#[allow(clippy::too_many_arguments)]
fn account_plan(
    a: &Account,
    c: &Classification,
    cfg: &Config,
    lang: &Lang,
    period: &PeriodInfo,
    entries: &[&Activity],
    kam_sales: f64,
) -> AccountPlan {
    let end = period.period_end;
    let held: Vec<&Activity> = entries.iter().copied().filter(|e| !is_call(e.kind.as_deref())).collect();
    let (meetings, next_meeting, next_text) = meetings(&held, lang);
    let last_log = entries.iter().map(|e| e.date).max();
    let courtesy = courtesy(last_log, a.last_purchase, cfg, end, lang);
    let max = cfg.plan.max_contacts_per_month;
    let cap_excess = cap_excess(entries, max, lang);
    let cap_warnings = cap_excess
        .iter()
        .map(|x| {
            lang.fill(
                "plan.feedback.cap_warning",
                &[
                    ("name", a.name.clone()),
                    ("month", x.label.clone()),
                    ("count", x.contacts.to_string()),
                    ("max", max.to_string()),
                ],
            )
        })
        .collect();

    let trend_yoy = yoy_trend(a, period.period);
    let trend_read = trend_yoy.or(a.trend);
    let falling = trend_read.is_some_and(|t| t <= FALLING_TREND);
    let stale = match a.days_since {
        Some(d) => d > cfg.classify.recency_alert_days as i64,
        None => true,
    };
    let flags =
        Flags { falling, stale, call_overdue: courtesy.overdue, over_contacted: !cap_excess.is_empty() };

    let mut risks = vec![match a.exposure_margin {
        _ if a.sales <= 0.0 => lang.get("plan.risk.no_exposure").to_string(),
        Some(m) => lang.fill(
            "plan.risk.exposure_margin",
            &[
                ("share", lang.percent(a.exposure_sales, 1)),
                ("sales", lang.money(a.sales)),
                ("margin", lang.percent(m, 1)),
            ],
        ),
        None => lang.fill(
            "plan.risk.exposure",
            &[("share", lang.percent(a.exposure_sales, 1)), ("sales", lang.money(a.sales))],
        ),
    }];
    let yoy = if trend_yoy.is_some() { "_yoy" } else { "" };
    risks.push(match trend_read {
        Some(t) if t <= FALLING_TREND => {
            lang.fill(&format!("plan.risk.trend_falling{yoy}"), &[("trend", lang.percent(t.abs(), 1))])
        }
        Some(t) if t >= RISING_TREND => {
            lang.fill(&format!("plan.risk.trend_rising{yoy}"), &[("trend", lang.percent(t, 1))])
        }
        Some(_) => lang.get(&format!("plan.risk.trend_stable{yoy}")).to_string(),
        None => lang.get("plan.risk.trend_unknown").to_string(),
    });
    risks.push(match (a.last_purchase, a.days_since) {
        (Some(d), Some(days)) if stale => lang.fill(
            "plan.risk.recency_alert",
            &[
                ("date", lang.date(d)),
                ("days", days.to_string()),
                ("alert", cfg.classify.recency_alert_days.to_string()),
            ],
        ),
        (Some(d), Some(days)) => {
            lang.fill("plan.risk.recency", &[("date", lang.date(d)), ("days", days.to_string())])
        }
        _ => lang.get("plan.risk.never").to_string(),
    });

    let top_products = a
        .top_products
        .iter()
        .map(|(name, s)| ProductLine {
            name: name.clone(),
            sales: *s,
            share: ratio(*s, a.sales).unwrap_or(0.0),
        })
        .collect();
    let monthly = a
        .monthly
        .iter()
        .map(|m| MonthPoint { month: m.month, label: lang.month(m.month), sales: m.sales })
        .collect();

    AccountPlan {
        rank: a.rank,
        id: a.id.clone(),
        name: a.name.clone(),
        sales: a.sales,
        prior_sales: a.prior_sales,
        share: a.share,
        cumulative_share: a.cumulative_share,
        share_of_kam: ratio(a.sales, kam_sales).unwrap_or(0.0),
        abc: abc_str(a.abc).into(),
        margin: a.margin,
        margin_pct: a.margin_pct,
        growth: a.growth,
        trend: a.trend,
        trend_yoy,
        trend_read,
        first_purchase: a.first_purchase,
        last_purchase: a.last_purchase,
        days_since: a.days_since,
        reasons: a.reasons.iter().map(|r| r.as_str().to_string()).collect(),
        reasons_text: reasons_text(&a.reasons, lang),
        explanation: a.explanation.clone(),
        exposure_sales: a.exposure_sales,
        exposure_margin: a.exposure_margin,
        strategic: a.strategic,
        potential: a.potential,
        segment: a.segment.clone(),
        region: a.region.clone(),
        new: c.new_key.contains(&a.id),
        top_products,
        monthly,
        risks,
        objective: objective(a, cfg, lang, period),
        meetings,
        next_meeting,
        next_text,
        log: entries
            .iter()
            .map(|e| LogEntry {
                date: e.date,
                kind: e.kind.clone(),
                notes: e.notes.clone(),
                meeting: !is_call(e.kind.as_deref()),
            })
            .collect(),
        courtesy,
        cap_excess,
        cap_warnings,
        flags,
    }
}

#[cfg(test)]
mod tests {
    use super::fixtures::{self, d};
    use super::*;
    use crate::classify::KamSummary;

    fn es() -> Lang {
        Lang::load("es", "€", None).unwrap()
    }

    fn plans() -> Plans {
        build(&fixtures::classification(), &fixtures::dataset(), &fixtures::config(), &es())
    }

    fn cfg_with(general: f64, by: &[(&str, f64)]) -> Config {
        let mut cfg = Config::default();
        cfg.plan.target_growth = general;
        cfg.plan.target_growth_by_reason = by.iter().map(|(k, v)| (k.to_string(), *v)).collect();
        cfg
    }

    #[test]
    fn target_rate_takes_the_highest_reason() {
        use Reason::*;
        type Case<'a> = (&'a [Reason], &'a [(&'a str, f64)], (f64, Option<Reason>));
        let cases: &[Case] = &[
            (&[], &[], (0.05, None)),
            (&[Volume], &[], (0.05, None)),
            (&[Growth], &[("growth", 0.15)], (0.15, Some(Growth))),
            // A per-reason rate below the general one: the general one, for volume, is higher.
            (&[Volume, Strategic], &[("strategic", 0.02)], (0.05, None)),
            (&[Strategic], &[("strategic", 0.02)], (0.02, Some(Strategic))),
            (&[Growth, Strategic], &[("growth", 0.15), ("strategic", 0.10)], (0.15, Some(Growth))),
            (&[Volume], &[("volume", 0.05)], (0.05, Some(Volume))),
            (&[Potential], &[("potential", -0.10)], (-0.10, Some(Potential))),
        ];
        for (reasons, by, want) in cases {
            assert_eq!(target_rate(reasons, &cfg_with(0.05, by)), *want, "{reasons:?} {by:?}");
        }
    }

    #[test]
    fn objective_is_sales_times_growth_and_per_month() {
        let p = plans();
        let ana = &p.kams[0];
        let c002 = ana.accounts.iter().find(|a| a.id == "C002").unwrap();
        assert_eq!(c002.objective.reason.as_deref(), Some("growth"));
        assert!((c002.objective.target - 230_000.0).abs() < 1e-6);
        assert!((c002.objective.per_month - 230_000.0 / 12.0).abs() < 1e-6);
        assert!((c002.objective.increase_per_month - 30_000.0 / 12.0).abs() < 1e-6);
        let c001 = &ana.accounts[0];
        assert_eq!(c001.objective.reason, None);
        assert!((c001.objective.target - 525_000.0).abs() < 1e-6);
        assert!(c001.objective.text.contains("525.000,00"), "{}", c001.objective.text);
        assert!((ana.target - 755_000.0).abs() < 1e-6);
        // No sales: the objective is a first order, never a negative or NaN target.
        let delta = &p.kams[2].accounts[0];
        assert_eq!(delta.objective.target, 0.0);
        assert!(delta.objective.text.contains("primer pedido"), "{}", delta.objective.text);
    }

    #[test]
    fn next_meeting_follows_the_log() {
        let e = |date: &str, kind: &str| Activity {
            date: d(date),
            customer: "X".into(),
            kind: Some(kind.into()),
            notes: Some(format!("{kind} {date}")),
            kam: None,
        };
        let lang = es();
        // A log whose types do not name the meetings: meetings fill the steps in date order.
        let generic = [
            e("2026-01-01", "Visita"),
            e("2026-02-01", "Reunión"),
            e("2026-03-01", "Comida de trabajo"),
            e("2026-04-01", "Meeting"),
            e("2026-05-01", "Visita"),
        ];
        for (held, next) in [(0, Some(1)), (1, Some(2)), (2, Some(3)), (3, Some(4)), (4, None), (5, None)] {
            let refs: Vec<&Activity> = generic[..held].iter().collect();
            let (list, n, text) = meetings(&refs, &lang);
            assert_eq!(n, next, "{held} held");
            assert_eq!(list.iter().filter(|m| m.done).count(), held.min(4));
            assert_eq!(list.iter().filter(|m| m.next).count(), usize::from(next.is_some()));
            assert!(!text.is_empty() && !text.contains('{'));
        }
        // Types that name the meetings fill the one they name; other visits are contacts.
        type Case<'a> = (&'a [(&'a str, &'a str)], [bool; 4], Option<u32>);
        let named: &[Case] = &[
            (
                &[("2026-01-10", "Reunión decisores"), ("2026-02-10", "Visita")],
                [true, false, false, false],
                Some(2),
            ),
            (
                &[("2026-01-10", "Reunión decisores"), ("2026-03-10", "Reunión cierre")],
                [true, false, false, true],
                Some(2),
            ),
            (
                &[("2026-01-10", "Competitor review"), ("2026-02-10", "Needs analysis")],
                [false, true, true, false],
                Some(1),
            ),
            (
                &[
                    ("2026-01-10", "Decision makers meeting"),
                    ("2026-02-10", "Reunión competencia"),
                    ("2026-03-10", "Reunión necesidades"),
                    ("2026-04-10", "Closing meeting"),
                ],
                [true, true, true, true],
                None,
            ),
        ];
        for (log, done, next) in named {
            let v: Vec<Activity> = log.iter().map(|(dt, k)| e(dt, k)).collect();
            let refs: Vec<&Activity> = v.iter().collect();
            let (list, n, _) = meetings(&refs, &lang);
            assert_eq!(list.iter().map(|m| m.done).collect::<Vec<_>>(), done, "{log:?}");
            assert_eq!(n, *next, "{log:?}");
        }
        // Two meetings of one step: the latest is shown.
        let v = [e("2026-01-10", "Reunión necesidades"), e("2026-05-10", "Reunión necesidades")];
        let refs: Vec<&Activity> = v.iter().collect();
        let (list, _, _) = meetings(&refs, &lang);
        assert_eq!(list[2].date, Some(d("2026-05-10")));
        // From the fixture: two meetings and two calls → the third meeting is next.
        let p = plans();
        let c001 = &p.kams[0].accounts[0];
        assert_eq!(c001.next_meeting, Some(3));
        assert_eq!(c001.meetings[0].date, Some(d("2026-03-10")));
        assert_eq!(c001.meetings[1].date, Some(d("2026-05-12")));
        assert_eq!(c001.meetings[2].key, "needs");
        assert!(c001.meetings[2].next && !c001.meetings[2].done);
        assert_eq!(c001.meetings[0].status, "Hecha");
        // Calls are contacts, not meetings; entries outside the window or after P are ignored.
        assert_eq!(c001.log.len(), 4);
    }

    #[test]
    fn falling_is_read_against_the_same_months_a_year_earlier() {
        let c = fixtures::classification();
        let p = Month { year: 2026, month: 10 };
        let acme = &c.accounts[0];
        assert!((yoy_trend(acme, p).unwrap() + 0.3).abs() < 1e-9);
        // Beta's series grows slowly month on month: stable, not falling.
        let beta = &c.accounts[2];
        assert!(yoy_trend(beta, p).unwrap().abs() < RISING_TREND);
        // No series, or nothing sold a year earlier: no reading.
        assert_eq!(yoy_trend(&c.accounts[5], p), None);
        let mut zero = beta.clone();
        for m in zero.monthly.iter_mut().take(12) {
            m.sales = 0.0;
        }
        assert_eq!(yoy_trend(&zero, p), None);
        // The plan reads the seasonal-free trend first, the 3-against-3 one only without history.
        let plans = plans();
        let a = &plans.kams[0].accounts[0];
        assert!(a.flags.falling && a.trend_read == a.trend_yoy);
        assert!(a.risks[1].contains("mismos meses del año anterior"), "{}", a.risks[1]);
    }

    #[test]
    fn calls_and_mails_are_not_meetings() {
        for k in ["Llamada", "llamada de seguimiento", "Call", "E-mail", "Correo", "Teléfono"] {
            assert!(is_call(Some(k)), "{k}");
        }
        for k in ["Visita", "Reunión cierre", "Meeting", "Comida"] {
            assert!(!is_call(Some(k)), "{k}");
        }
        assert!(!is_call(None));
    }

    #[test]
    fn courtesy_call_due_and_overdue_at_the_boundary() {
        let lang = es();
        let cfg = Config::default(); // every 30 days
        let end = d("2026-10-31");
        let cases = [
            // (last log, last purchase, next due, overdue, basis)
            (Some("2026-10-01"), None, Some("2026-10-31"), false, "log"),
            (Some("2026-09-30"), None, Some("2026-10-30"), true, "log"),
            (Some("2026-10-20"), Some("2026-01-01"), Some("2026-11-19"), false, "log"),
            (None, Some("2026-10-05"), Some("2026-11-04"), false, "purchase"),
            (None, Some("2026-06-01"), Some("2026-07-01"), true, "purchase"),
            (None, None, None, true, "none"),
        ];
        for (log, buy, due, overdue, basis) in cases {
            let c = courtesy(log.map(d), buy.map(d), &cfg, end, &lang);
            assert_eq!(c.next_due, due.map(d), "{log:?} {buy:?}");
            assert_eq!(c.overdue, overdue, "{log:?} {buy:?}");
            assert_eq!(c.basis, basis);
            assert!(!c.text.is_empty() && !c.text.contains('{'), "{}", c.text);
        }
        let late = courtesy(None, Some(d("2026-06-01")), &cfg, end, &lang);
        assert_eq!(late.days_overdue, Some(122));
    }

    #[test]
    fn contact_cap_warns_only_above_the_limit() {
        let lang = es();
        let mk = |n: u32| -> Vec<Activity> {
            (1..=n)
                .map(|i| Activity {
                    date: d(&format!("2026-10-{i:02}")),
                    customer: "X".into(),
                    kind: None,
                    notes: None,
                    kam: None,
                })
                .collect()
        };
        for (n, warn) in [(3, false), (4, false), (5, true)] {
            let v = mk(n);
            let refs: Vec<&Activity> = v.iter().collect();
            assert_eq!(!cap_excess(&refs, 4, &lang).is_empty(), warn, "{n} contacts");
        }
        let p = plans();
        let ana = &p.kams[0];
        let c002 = ana.accounts.iter().find(|a| a.id == "C002").unwrap();
        assert_eq!(c002.cap_excess.len(), 1);
        assert_eq!(c002.cap_excess[0].contacts, 5);
        assert_eq!(ana.warnings.len(), 1);
        assert!(ana.warnings[0].contains("5 contactos en oct 2026"), "{}", ana.warnings[0]);
    }

    #[test]
    fn kams_are_sorted_by_name_and_builds_repeat() {
        let p = plans();
        let names: Vec<&str> = p.kams.iter().map(|k| k.kam.as_str()).collect();
        // carlos Ruiz owns no key account: no plan.
        assert_eq!(names, ["Ana Pérez", "Bruno Díaz", "Sin asignar"]);
        assert_eq!(p, plans());
        let mut c = fixtures::classification();
        c.kams.reverse();
        c.accounts.reverse();
        let q = build(&c, &fixtures::dataset(), &fixtures::config(), &es());
        assert_eq!(q.kams.iter().map(|k| k.kam.as_str()).collect::<Vec<_>>(), names);
        assert_eq!(q.kams[0].accounts.iter().map(|a| a.id.as_str()).collect::<Vec<_>>(), ["C001", "C002"]);
        assert_eq!(p.summary.handover.iter().map(|h| h.kam.as_str()).collect::<Vec<_>>(), names);
        // Accents and case are ignored, as in the classification; the default KAM comes last.
        let mut c = fixtures::classification();
        c.accounts[4].key = true;
        c.accounts[4].kam = "Íñigo Sanz".into();
        c.kams.push(KamSummary {
            name: "Íñigo Sanz".into(),
            email: None,
            key_accounts: 1,
            sales: 50_000.0,
            unassigned: false,
        });
        c.accounts[3].key = true;
        c.accounts[3].kam = "Isabel Mora".into();
        c.kams.insert(
            0,
            KamSummary {
                name: "Isabel Mora".into(),
                email: None,
                key_accounts: 1,
                sales: 0.0,
                unassigned: false,
            },
        );
        let q = build(&c, &fixtures::dataset(), &fixtures::config(), &es());
        let names: Vec<&str> = q.kams.iter().map(|k| k.kam.as_str()).collect();
        assert_eq!(names, ["Ana Pérez", "Bruno Díaz", "Íñigo Sanz", "Isabel Mora", "Sin asignar"]);
    }

    #[test]
    fn cover_lists_changes_attention_and_emails() {
        let p = plans();
        let ana = &p.kams[0];
        assert_eq!(ana.email.as_deref(), Some("ana@example.com"));
        // Email from the directory when the classification has none; so is the manager.
        assert_eq!(p.kams[1].email.as_deref(), Some("bruno@example.com"));
        assert_eq!(p.kams[1].manager.as_deref(), Some("Carla Ruiz"));
        assert_eq!(p.kams[1].manager_email.as_deref(), Some("carla@example.com"));
        assert_eq!((ana.manager.as_deref(), ana.manager_email.as_deref()), (None, None));
        assert_eq!(ana.lost_key.iter().map(|a| a.id.as_str()).collect::<Vec<_>>(), ["C004"]);
        assert!(ana.new_key.is_empty());
        assert_eq!(p.kams[1].new_key[0].id, "C003");
        assert!(p.kams[1].accounts[0].new);
        let att: Vec<(&str, usize)> = ana.attention.iter().map(|a| (a.id.as_str(), a.why.len())).collect();
        // C001: falling and call overdue; C002: 90 days without buying, over-contacted.
        assert_eq!(att, [("C001", 2), ("C002", 2)]);
        assert!((ana.share - 0.7).abs() < 1e-9);
        assert!(p.kams[2].unassigned);
        assert_eq!(p.summary.unassigned.len(), 1);
    }

    #[test]
    fn summary_abc_and_pareto_add_up() {
        let p = plans();
        let s = &p.summary;
        let abc_sales: f64 = s.abc.iter().map(|r| r.sales).sum();
        assert!((abc_sales - 1_000_000.0).abs() < 1e-6);
        assert_eq!(s.abc.iter().map(|r| r.accounts).sum::<u32>(), 5);
        assert!((s.pareto.last().unwrap().cumulative_share - 1.0).abs() < 1e-9);
        assert_eq!(s.kams[0].meetings, 3); // C001: 2 in window, C002: 1 (calls and mails excluded)
        assert_eq!(s.kams[0].contacts, 9);
        assert_eq!(s.key_accounts, 4);
        assert!(s.concentration.text.contains("50,0"), "{}", s.concentration.text);
    }

    #[test]
    fn plan_context_snapshot() {
        let p = plans();
        insta::assert_json_snapshot!("plan_context_es", p);
    }
}
