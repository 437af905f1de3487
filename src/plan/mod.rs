//! Plan: the per-KAM Key Account Plan and the management summary as plain serialisable structs — the templates' context.
//!
//! No I/O, no clock: built from the classification, the books, the [`Inputs`] (contacts with
//! each account, targets earlier runs published) and the config, with the period's last day
//! standing for "today". Every sentence comes from the language files
//! (`templates/i18n/<lang>/plan.toml`) through [`Lang::fill`]; the templates get these structs as
//! `plan` / `summary`, with the labels as `labels`.
//!
//! This file owns the entry point [`build`], its [`Inputs`] and the helpers its parts share. The
//! structs are in `context` (re-exported here), one KAM's plan in `kam_plan`, objectives and the
//! trend read in `objective`, the closer's meeting method in `meetings`, follow-up (courtesy
//! call, contact cap) in `followup`, decision makers read from notes in `people`, the summary in
//! `summary`.
//!
//! The rules, in one place:
//! - **Target** for the `window_months` months after P, the highest of (see [`objective`]): the
//!   window's sales × (1 + the highest rate of the account's reasons in
//!   `[plan] target_growth_by_reason`, else `[plan] target_growth`); by growth, × (1 + its growth,
//!   at most `[plan] growth_cap`); by potential, its sales + `[plan] potential_capture` of the gap
//!   to its potential; and, unless the account is falling, its current pace (the last 3 months
//!   annualised, without the season). Split by month with the season of its last 24 months
//!   ([`targets::season`]); the months elapsed are set against the targets earlier plans set
//!   ([`Inputs::earlier_targets`]).
//! - **Contacts**: every [`Contact`] of the account in the window up to the end of P — a row of
//!   the activity log or of a KAM's contact log, a meeting — counts the same.
//! - **Meetings**: the closer's four meetings (decision makers, competition, needs, close). A
//!   contact fills a step only when it is a meeting of that step: its type names it ("Reunión
//!   cierre", "Closing meeting"; see [`meeting_step`]) or its notes open by naming it ("Reunión de
//!   cierre: …"; see [`notes_step`]), or the KAM filed it there; calls, visits and deliveries
//!   never do. Its outcome is the KAM's status, else the `[plan.outcome_words]` found in its type
//!   and notes (postponed, no decision, cancelled), else done. A step is done when one of its
//!   meetings is; the first step not done is next, and when its last meeting was a setback the
//!   next objective is to retake it, with the reason from the note.
//! - **Courtesy call**: due `[plan] call_every_days` after the last contact (or the last
//!   purchase without one); due on or before the end of P it is overdue, and the next call is
//!   the first day after P — never a date in the past.
//! - **Contact cap**: a recent month (P−2..P) with more than `[plan] max_contacts_per_month`
//!   contacts with one account gives a warning naming the month; the customer's own request to
//!   be contacted less (`[plan.outcome_words] fewer_contacts`) is shown beside it.
//! - **Attention**: trend at or below [`FALLING_TREND`], no purchase for more than
//!   `[classify] recency_alert_days` days (or none at all), a courtesy call overdue, a recent
//!   month over the cap, or a setback on the next closer meeting.

use std::collections::HashMap;

use chrono::NaiveDate;

use crate::classify::{collate, norm, Abc, Account, Classification, Reason};
use crate::config::Config;
use crate::ingest::{Activity, Dataset};
use crate::lang::Lang;
use crate::period::Month;

mod actions;
mod context;
#[cfg(test)]
pub(crate) mod fixtures;
mod followup;
pub mod handover;
mod kam_plan;
mod meetings;
mod objective;
mod owned;
mod people;
mod status;
mod summary;
mod targets;

/// The templates' context, re-exported: every type a plan or the summary is made of.
pub use context::*;
pub use followup::RECENT_MONTHS;
use kam_plan::kam_plan;
pub use meetings::{is_call, meeting_step, notes_step, Contact, ContactSource};
use objective::objective;
pub use objective::{run_rate, target_rate};
pub use owned::{
    plan_sources, DroppedAccount, FollowUpRow, FollowUpView, KamOwned, MeetingRow, StepText, StrategyView,
};
pub use status::{MeetingStatus, StatusNames};
use summary::summary;
pub use targets::{season, split, PublishedTarget, TargetBook};

/// A trend at or below this is "falling". The trend ([`Account::trend`]) is the last 3 months
/// against the same months a year earlier (free of the season); without a year of history,
/// against the 3 before.
pub const FALLING_TREND: f64 = -0.10;
/// A trend at or above this is "rising"; between the two it is stable.
pub const RISING_TREND: f64 = 0.10;
/// The largest accounts the summary draws as bars (the curve beside them has every customer).
pub const PARETO_BARS: usize = 20;

/// What the plan stage takes besides the classification and the books: what is known of each
/// account beyond its sales. [`Inputs::from_dataset`] starts it from the activity log; returned
/// plans (carry) add the KAMs' contacts, meetings and decision makers the same way.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Inputs {
    /// Contacts by account id ([`Account::id`]), in any order.
    pub contacts: HashMap<String, Vec<Contact>>,
    /// Whether any record of contacts was read (an activity log, returned plans). Without one,
    /// "no contact" says nothing about an account and is not said.
    pub contacts_known: bool,
    /// The decision makers the KAM entered, by account id; shown before the suggestions.
    pub decision_makers: HashMap<String, Vec<DecisionMaker>>,
    /// The monthly targets the latest earlier published month holds, by account id: the plan
    /// sets the months elapsed against them.
    pub earlier_targets: TargetBook,
    /// Everything the KAMs own, by account code, as carried into this period
    /// ([`Inputs::with_carried`]): meeting tables, history, strategy, where each came from.
    pub carried: crate::carry::Carried,
}

impl Inputs {
    /// The activity log's rows as contacts, by customer.
    pub fn from_dataset(data: &Dataset) -> Inputs {
        let mut contacts: HashMap<String, Vec<Contact>> = HashMap::new();
        for a in &data.activities {
            contacts.entry(a.customer.clone()).or_default().push(Contact::from_activity(a));
        }
        Inputs { contacts_known: !data.activities.is_empty(), contacts, ..Inputs::default() }
    }
}

/// Builds every KAM's plan and the summary. Pure: the same inputs give the same plans.
///
/// KAMs are those of `c.kams` with at least one key account, ordered by name (case-insensitive,
/// then exact). Key accounts are `c.accounts` with `key`, by rank.
pub fn build(c: &Classification, data: &Dataset, inputs: &Inputs, cfg: &Config, lang: &Lang) -> Plans {
    let data_from = data.transactions.iter().map(|t| t.date).min().map(Month::of);
    let period = period_info(c, lang, data_from);
    let log = contacts_by_account(inputs, c, period.period_end);
    let choices = choices(lang);
    let by_id: HashMap<&str, &Account> = c.accounts.iter().map(|a| (a.id.as_str(), a)).collect();
    let words = meetings::Words::new(&cfg.plan.outcome_words);
    let ctx = Ctx { c, cfg, lang, period: &period, words: &words, inputs };

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
        let mut plan = kam_plan(&ctx, &choices, &log, &by_id, &k.name, email, k.unassigned, &keys);
        (plan.manager, plan.manager_email) = handover::manager_of(&k.name, &data.directory);
        kams.push(plan);
    }

    let mut summary = summary(c, cfg, lang, &period, &by_id, &kams, inputs.contacts_known);
    summary.follow_up = owned::follow_up(&ctx, &kams, &by_id);
    let carried = owned::carried_out(&ctx, &kams);
    let targets = kams
        .iter()
        .flat_map(|k| k.accounts.iter().map(|a| (a.id.clone(), targets::published(a, c.period))))
        .collect();
    Plans { kams, summary, targets, carried }
}

/// What every part of one build shares.
struct Ctx<'a> {
    c: &'a Classification,
    cfg: &'a Config,
    lang: &'a Lang,
    period: &'a PeriodInfo,
    words: &'a meetings::Words,
    inputs: &'a Inputs,
}

fn rank_order(a: &Account, b: &Account) -> std::cmp::Ordering {
    let r = |x: &Account| x.rank.unwrap_or(u32::MAX);
    r(a).cmp(&r(b)).then(b.sales.total_cmp(&a.sales)).then(a.id.cmp(&b.id))
}

fn period_info(c: &Classification, lang: &Lang, data_from: Option<Month>) -> PeriodInfo {
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
        data_from,
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

/// The contacts by account id: from the start of the window, the log's up to the end of P (a
/// log row after P is not yet true), the KAM's also later or undated (meetings planned). Oldest
/// first, undated last, ties by source, type and notes so the order never depends on the
/// input order.
fn contacts_by_account<'a>(
    inputs: &'a Inputs,
    c: &Classification,
    end: NaiveDate,
) -> HashMap<&'a str, Vec<&'a Contact>> {
    let from = c.window.from.first_day();
    let mut map: HashMap<&str, Vec<&Contact>> = HashMap::new();
    for (id, list) in &inputs.contacts {
        let kept: Vec<&Contact> = list
            .iter()
            .filter(|x| match x.date {
                Some(d) => d >= from && (d <= end || x.source == ContactSource::Kam),
                None => x.source == ContactSource::Kam,
            })
            .collect();
        if !kept.is_empty() {
            map.entry(id.as_str()).or_default().extend(kept);
        }
    }
    for v in map.values_mut() {
        v.sort_by(|a, b| {
            (a.date.is_none(), a.date, a.source, &a.kind, &a.notes, a.step, a.status).cmp(&(
                b.date.is_none(),
                b.date,
                b.source,
                &b.kind,
                &b.notes,
                b.step,
                b.status,
            ))
        });
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
        let data = fixtures::dataset();
        build(&fixtures::classification(), &data, &Inputs::from_dataset(&data), &fixtures::config(), &es())
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
        let data = fixtures::dataset();
        let inputs = Inputs::from_dataset(&data);
        let q = build(&c, &data, &inputs, &fixtures::config(), &es());
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
        let q = build(&c, &data, &inputs, &fixtures::config(), &es());
        let names: Vec<&str> = q.kams.iter().map(|k| k.kam.as_str()).collect();
        assert_eq!(names, ["Ana Pérez", "Bruno Díaz", "Íñigo Sanz", "Isabel Mora", "Sin asignar"]);
    }

    #[test]
    fn contacts_count_the_same_in_any_order_and_from_any_source() {
        let data = fixtures::dataset();
        let c = fixtures::classification();
        let cfg = fixtures::config();
        let mut inputs = Inputs::from_dataset(&data);
        let p = build(&c, &data, &inputs, &cfg, &es());
        for v in inputs.contacts.values_mut() {
            v.reverse();
        }
        assert_eq!(build(&c, &data, &inputs, &cfg, &es()), p);
        // A contact from the KAM's own log counts like a log row: the courtesy call moves.
        let kam_call = Contact {
            date: Some(fixtures::d("2026-10-20")),
            kind: Some("Llamada".into()),
            notes: None,
            step: None,
            status: None,
            source: ContactSource::Kam,
        };
        inputs.contacts.get_mut("C001").unwrap().push(kam_call);
        let q = build(&c, &data, &inputs, &cfg, &es());
        let (before, after) = (&p.kams[0].accounts[0], &q.kams[0].accounts[0]);
        assert_eq!(after.contacts, before.contacts + 1);
        assert!(before.courtesy.overdue && !after.courtesy.overdue);
        assert_eq!(after.courtesy.next_call, fixtures::d("2026-11-19"));
        // The KAM's decision makers come first; a suggestion of the same person is not repeated.
        let mine = DecisionMaker {
            name: "luis marín".into(),
            role: Some("Jefe de compras".into()),
            influence: None,
            stance: None,
            notes: None,
            source: ContactSource::Kam,
            confirmed: true,
        };
        inputs.decision_makers.insert("C001".into(), vec![mine.clone()]);
        let q = build(&c, &data, &inputs, &cfg, &es());
        assert_eq!(q.kams[0].accounts[0].decision_makers, vec![mine]);
    }

    #[test]
    fn months_elapsed_are_set_against_earlier_targets_and_published_again() {
        let data = fixtures::dataset();
        let c = fixtures::classification();
        let mut inputs = Inputs::from_dataset(&data);
        let t = |month: &str, target: f64, set_in: &str| PublishedTarget {
            month: month.parse().unwrap(),
            target,
            set_in: set_in.parse().unwrap(),
        };
        inputs.earlier_targets.insert(
            "C001".into(),
            vec![
                t("2025-01", 1.0, "2024-12"), // before the window: not shown
                t("2026-09", 40_000.0, "2026-08"),
                t("2026-10", 50_000.0, "2026-09"),
                t("2026-11", 45_000.0, "2026-09"), // not elapsed yet
            ],
        );
        let p = build(&c, &data, &inputs, &fixtures::config(), &es());
        let a = &p.kams[0].accounts[0];
        let months: Vec<String> = a.actual_vs_target.iter().map(|x| x.month.to_string()).collect();
        assert_eq!(months, ["2026-09", "2026-10"]);
        let oct = &a.actual_vs_target[1];
        assert_eq!(oct.target, 50_000.0);
        assert!((oct.actual - 0.7 * 500_000.0 / 12.0).abs() < 1e-6);
        assert!((oct.difference - (oct.actual - 50_000.0)).abs() < 1e-9);
        assert!(a.flags.behind);
        let text = a.actual_text.as_deref().unwrap();
        assert!(text.contains("sep 2026, oct 2026") && text.contains("90.000,00"), "{text}");
        let why = &p.kams[0].attention[0].why;
        assert!(why.iter().any(|w| w.starts_with("por debajo del objetivo")), "{why:?}");
        // The chart draws the earlier targets on their months and this plan's after P.
        let chart_target = |m: &str| a.chart.iter().find(|x| x.month.to_string() == m).and_then(|x| x.target);
        assert_eq!(chart_target("2026-10"), Some(50_000.0));
        assert_eq!(chart_target("2026-08"), None);
        assert_eq!(chart_target("2026-11"), Some(a.objective.monthly[0].target));
        assert_eq!(a.chart.len(), 24 + 12);
        // Published: the months elapsed as they were set, then the twelve new months.
        let published = &p.targets["C001"];
        assert_eq!(published.len(), 2 + 12);
        assert_eq!(published[0], t("2026-09", 40_000.0, "2026-08"));
        assert_eq!(published[2].month.to_string(), "2026-11");
        assert_eq!(published[2].set_in.to_string(), "2026-10");
        let sum: f64 = published[2..].iter().map(|x| x.target).sum();
        assert!((sum - a.objective.target).abs() < 0.005, "the months add up to the target");
        // Every key account is published; none that is not key.
        assert_eq!(p.targets.len(), 4);
        assert!(!p.targets.contains_key("C004"));
        // Ahead of target: no attention.
        inputs.earlier_targets.insert("C001".into(), vec![t("2026-10", 1_000.0, "2026-09")]);
        let q = build(&c, &data, &inputs, &fixtures::config(), &es());
        assert!(!q.kams[0].accounts[0].flags.behind);
    }

    #[test]
    fn plan_context_snapshot() {
        let p = plans();
        insta::assert_json_snapshot!("plan_context_es", p);
    }
}
