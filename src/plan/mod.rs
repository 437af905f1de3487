//! Plan: the per-KAM Key Account Plan and the management summary as plain serialisable structs — the templates' context.
//!
//! No I/O, no clock: built from the classification, the dataset (its activity log) and the
//! config, with the period's last day standing for "today". Every sentence comes from the
//! language files (`templates/i18n/<lang>/plan.toml`) through [`Lang::fill`]; the templates get
//! these structs as `plan` / `summary`, with the labels as `labels`.
//!
//! This file owns the entry point [`build`] and the helpers its parts share. The structs are in
//! `context` (re-exported here), one KAM's plan in `kam_plan`, objectives and the trend read in
//! `objective`, the closer's meeting method in `meetings`, the summary in `summary`.
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

use std::collections::HashMap;

use chrono::NaiveDate;

use crate::classify::{collate, norm, Abc, Account, Classification, Reason};
use crate::config::Config;
use crate::ingest::{Activity, Dataset};
use crate::lang::Lang;
use crate::period::Month;

mod context;
#[cfg(test)]
pub(crate) mod fixtures;
pub mod handover;
mod kam_plan;
mod meetings;
mod objective;
mod summary;

/// The templates' context, re-exported: every type a plan or the summary is made of.
pub use context::*;
use kam_plan::kam_plan;
use meetings::{cap_excess, courtesy, meetings};
pub use meetings::{is_call, meeting_step, MeetingStatus};
use objective::objective;
pub use objective::{target_rate, yoy_trend};
use summary::summary;

/// A trend at or below this is "falling". The trend read is the last 3 months against the same
/// months a year earlier (free of the season); without a year of history, against the 3 before.
pub const FALLING_TREND: f64 = -0.10;
/// A trend at or above this is "rising"; between the two it is stable.
pub const RISING_TREND: f64 = 0.10;
/// Accounts drawn one by one in the summary's Pareto chart; the rest make one bar.
pub const PARETO_BARS: usize = 30;

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

fn ratio(a: f64, b: f64) -> Option<f64> {
    (b != 0.0 && a.is_finite() && b.is_finite()).then(|| a / b)
}

fn pct(lang: &Lang, v: Option<f64>) -> String {
    v.map(|v| lang.percent(v, 1)).unwrap_or_else(|| "—".into())
}

#[cfg(test)]
mod tests {
    use super::fixtures;
    use super::*;
    use crate::classify::KamSummary;

    pub(super) fn es() -> Lang {
        Lang::load("es", "€", None).unwrap()
    }

    pub(super) fn plans() -> Plans {
        build(&fixtures::classification(), &fixtures::dataset(), &fixtures::config(), &es())
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
    fn plan_context_snapshot() {
        let p = plans();
        insta::assert_json_snapshot!("plan_context_es", p);
    }
}
