//! What the KAM owns in each plan: the carried entries ([`crate::carry`]) turned into the plan
//! stage's inputs (contacts, meetings, decision makers), the closer's cycles, the account
//! strategy with its agreed target, accounts that left the key list, the summary's plan
//! follow-up, and what every plan shows written back as the month's `carried.json`.
//!
//! The rules, in one place:
//! - **Contacts and meetings**: every row of the KAM's contact log and meeting table is a
//!   [`Contact`] of the account, as an activity-log row is. A meeting row the log also holds
//!   (same date, same step or none) is that one contact, with the KAM's step, status and notes.
//! - **Cycles**: when the four meetings of the plan a KAM worked in (a period before this one)
//!   are all done, this period opens a new cycle: those rows go to the history table and only
//!   meetings after the last of them fill the new cycle's steps.
//! - **Rows kept**: the meeting table shows the four steps, then every other row the KAM wrote
//!   (a meeting they added, an earlier attempt at a step), so nothing typed disappears; a date
//!   or status that could not be read is shown as typed.
//! - **Accounts no longer key** keep their entries in the KAM's "accounts no longer key"
//!   section for the period they left, and in `carried.json` after; an account that changed KAM
//!   takes them to the new KAM's plan.
//!
//! Here the plan's view of them (`fill`, `dropped`) and the rules' tests; in `inputs` the
//! entries as the plan stage's inputs, in `record` what is written back, in `follow_up` the
//! summary's table.

use serde::Serialize;

use super::meetings::MEETINGS;
use super::*;
use crate::carry::{self, Carried, CarriedAccount, MeetingEntry, Source};

mod follow_up;
mod inputs;
mod record;

pub(super) use follow_up::follow_up;
pub use follow_up::{FollowUpRow, FollowUpView};
pub(super) use inputs::in_cycle;
pub(super) use record::carried_out;
pub use record::plan_sources;

/// The KAM-owned parts of an account's section, as the plan shows them.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct KamOwned {
    /// The closer's cycle under way: 1, then 2 after the first four meetings are done, …
    pub cycle: u32,
    /// Which cycle this is and when the last one ended, when there was one.
    pub cycle_text: Option<String>,
    /// Per step (four entries): a date or status the KAM typed that could not be read, shown
    /// as typed in its cell.
    pub step_text: Vec<StepText>,
    /// Rows of the meeting table after the four steps: meetings the KAM added, earlier
    /// attempts at a step.
    pub extra_meetings: Vec<MeetingRow>,
    /// Finished cycles, oldest first.
    pub history: Vec<MeetingRow>,
    /// The KAM's contact log.
    pub contacts: Vec<carry::ContactEntry>,
    pub strategy: StrategyView,
    /// Said when the account came from another KAM's plan with its entries.
    pub moved_text: Option<String>,
    /// The returned files and cells the entries came from.
    pub sources: Vec<Source>,
}

/// A date or status cell whose text is shown as the KAM typed it.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct StepText {
    pub date: Option<String>,
    pub status: Option<String>,
}

/// A row of the meeting table beyond the four steps, or of the history.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct MeetingRow {
    pub cycle: Option<u32>,
    /// The step (1..=4), or what the number cell held.
    pub number: Option<u32>,
    pub number_text: Option<String>,
    pub objective: Option<String>,
    pub date: Option<NaiveDate>,
    /// A date that could not be read, as typed.
    pub date_text: Option<String>,
    /// The status label, or what the KAM typed when it is no status of the list.
    pub status: Option<String>,
    pub notes: Option<String>,
}

/// The account strategy block, with the agreed target next to the computed one.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct StrategyView {
    pub objective: Option<String>,
    pub next_steps: Option<String>,
    /// The sales target agreed with the customer for the objectives' months.
    pub agreed_target: Option<f64>,
    /// What the target cell held when it is not an amount.
    pub agreed_target_text: Option<String>,
    /// The computed target, for comparison.
    pub computed_target: f64,
    /// `agreed − computed`.
    pub difference: Option<f64>,
    /// The comparison in words (or why the agreed target cannot be used).
    pub text: Option<String>,
}

/// An account that is no longer key, with what its KAM wrote, for one period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DroppedAccount {
    pub id: String,
    pub name: String,
    /// Why it is here, in words.
    pub text: String,
    /// The meeting rows as carried.
    pub meetings: Vec<MeetingRow>,
    pub decision_makers: Vec<carry::DecisionMaker>,
    pub owned: KamOwned,
}

fn status_text(m: &MeetingEntry, lang: &Lang) -> Option<String> {
    m.status_text.clone().or_else(|| m.status.map(|s| s.label(lang)))
}

fn row(m: &MeetingEntry, lang: &Lang) -> MeetingRow {
    MeetingRow {
        cycle: m.cycle,
        number: m.step,
        number_text: m.number_text.clone(),
        objective: m.objective.clone().or_else(|| {
            m.step
                .and_then(|s| MEETINGS.get(s as usize - 1))
                .map(|k| lang.get(&format!("plan.meeting.{k}.title")).to_string())
        }),
        date: m.date,
        date_text: m.date_text.clone(),
        status: status_text(m, lang),
        notes: m.notes.clone(),
    }
}

/// Whether a KAM's step row is the one a step shows.
fn is_shown(m: &MeetingEntry, shown: &[Meeting]) -> bool {
    match m.step.and_then(|s| shown.get(s as usize - 1)) {
        Some(s) => s.source.is_some() && s.date == m.date,
        None => false,
    }
}

/// Fills an account's KAM-owned parts from what was carried for it.
pub(super) fn fill(ctx: &Ctx, kam: &str, a: &mut AccountPlan) {
    let lang = ctx.lang;
    let mut owned = KamOwned { cycle: 1, step_text: vec![StepText::default(); 4], ..KamOwned::default() };
    let acc = ctx.inputs.carried.accounts.get(&a.id);
    if let Some(acc) = acc {
        owned.cycle = acc.history.iter().filter_map(|m| m.cycle).max().unwrap_or(0) + 1;
        if owned.cycle > 1 {
            let ended = ctx.inputs.cycle_start(&a.id).and_then(|d| d.pred_opt());
            owned.cycle_text = Some(lang.fill(
                "plan.owned.cycle_text",
                &[
                    ("cycle", owned.cycle.to_string()),
                    ("previous", (owned.cycle - 1).to_string()),
                    ("date", ended.map(|d| lang.date(d)).unwrap_or_else(|| "—".into())),
                ],
            ));
        }
        for m in acc.meetings.iter().filter(|m| m.has_content()) {
            let shown = is_shown(m, &a.meetings);
            if shown
                || (m.step.is_some()
                    && m.date.is_none()
                    && (m.date_text.is_some() || m.status_text.is_some()))
            {
                let i = m.step.unwrap_or(1) as usize - 1;
                let t = &mut owned.step_text[i];
                if a.meetings[i].date.is_none() {
                    t.date = t.date.take().or_else(|| m.date_text.clone());
                }
                t.status = t.status.take().or_else(|| m.status_text.clone());
                if shown || a.meetings[i].source.is_none() {
                    continue;
                }
            }
            owned.extra_meetings.push(row(m, lang));
        }
        owned.history = acc.history.iter().map(|m| row(m, lang)).collect();
        owned.contacts = acc.contacts.clone();
        let s = &acc.strategy;
        owned.strategy = StrategyView {
            objective: s.objective.clone(),
            next_steps: s.next_steps.clone(),
            agreed_target: s.agreed_target,
            agreed_target_text: s.agreed_target_text.clone(),
            ..StrategyView::default()
        };
        if !acc.kam.is_empty() && acc.key && norm(&acc.kam) != norm(kam) {
            owned.moved_text = Some(lang.fill("plan.owned.moved", &[("kam", acc.kam.clone())]));
        }
        let mut sources: Vec<Source> = acc.sources.values().cloned().collect();
        sources.sort();
        sources.dedup();
        owned.sources = sources;
    }
    let st = &mut owned.strategy;
    st.computed_target = a.objective.target;
    st.difference = st.agreed_target.map(|t| t - st.computed_target);
    st.text = match (st.agreed_target, &st.agreed_target_text) {
        (Some(t), _) => Some(lang.fill(
            "plan.owned.agreed_text",
            &[
                ("agreed", lang.money(t)),
                ("computed", lang.money(st.computed_target)),
                ("difference", lang.money(t - st.computed_target)),
                ("pct", pct(lang, ratio(t - st.computed_target, st.computed_target))),
            ],
        )),
        (None, Some(text)) => Some(lang.fill("plan.owned.agreed_bad", &[("text", text.clone())])),
        _ => None,
    };
    a.owned = owned;
}

/// The accounts of a KAM's last plan that are no longer key: shown with their entries for
/// the period they left.
pub(super) fn dropped(ctx: &Ctx, kam: &str, by_id: &HashMap<&str, &Account>) -> Vec<DroppedAccount> {
    let period = ctx.period.period;
    ctx.inputs
        .carried
        .accounts
        .iter()
        .filter(|(code, acc)| {
            norm(&acc.kam) == norm(kam)
                && !by_id.get(code.as_str()).is_some_and(|a| a.key)
                && acc.has_entries()
                && acc.left_key.is_none_or(|m| m == period)
        })
        .map(|(code, acc)| {
            let name = by_id.get(code.as_str()).map(|a| a.name.clone()).unwrap_or_else(|| acc.name.clone());
            let sales = by_id.get(code.as_str()).map(|a| a.sales).unwrap_or(0.0);
            let text = ctx.lang.fill(
                "plan.owned.dropped.text",
                &[("name", name.clone()), ("code", code.clone()), ("sales", ctx.lang.money(sales))],
            );
            let mut owned = KamOwned {
                cycle: acc.history.iter().filter_map(|m| m.cycle).max().unwrap_or(0) + 1,
                history: acc.history.iter().map(|m| row(m, ctx.lang)).collect(),
                contacts: acc.contacts.clone(),
                ..KamOwned::default()
            };
            owned.strategy = StrategyView {
                objective: acc.strategy.objective.clone(),
                next_steps: acc.strategy.next_steps.clone(),
                agreed_target: acc.strategy.agreed_target,
                agreed_target_text: acc.strategy.agreed_target_text.clone(),
                ..StrategyView::default()
            };
            owned.sources = acc.sources.values().cloned().collect();
            DroppedAccount {
                id: code.clone(),
                name,
                text,
                meetings: acc.meetings.iter().map(|m| row(m, ctx.lang)).collect(),
                decision_makers: acc.decision_makers.clone(),
                owned,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{self, d};
    use super::super::tests::es;
    use super::*;
    use crate::carry::{ContactEntry, Strategy};

    fn m(s: &str) -> Month {
        s.parse().unwrap()
    }

    fn entry(step: u32, date: &str, status: MeetingStatus) -> MeetingEntry {
        MeetingEntry {
            step: Some(step),
            date: Some(d(date)),
            status: Some(status),
            ..MeetingEntry::default()
        }
    }

    /// Builds the fixture's plans with `accounts` carried in (as of `shown_in`).
    fn build_with(accounts: Vec<(&str, CarriedAccount)>, shown_in: &str) -> Plans {
        let data = fixtures::dataset();
        let mut carried = Carried::empty(m("2026-10"));
        for (code, mut acc) in accounts {
            acc.meetings_period = acc.meetings_period.or(Some(m(shown_in)));
            carried.accounts.insert(code.into(), acc);
        }
        let inputs = Inputs::from_dataset(&data).with_carried(carried, m("2026-10"), &es());
        build(&fixtures::classification(), &data, &inputs, &fixtures::config(), &es())
    }

    fn ana(kam: &str) -> CarriedAccount {
        CarriedAccount { name: "x".into(), kam: kam.into(), key: true, ..CarriedAccount::default() }
    }

    fn account<'a>(p: &'a Plans, id: &str) -> &'a AccountPlan {
        p.kams.iter().flat_map(|k| &k.accounts).find(|a| a.id == id).unwrap()
    }

    #[test]
    fn the_kams_status_wins_and_one_meeting_is_one_contact() {
        let none = build_with(vec![], "2026-09");
        let c001 = account(&none, "C001");
        // The log: closing meeting of 20/07 postponed ("Cierre aplazado").
        assert_eq!(c001.meetings[3].status_key, "postponed");
        // The KAM says that same meeting was in fact done, and adds a note.
        let mut acc = ana("Ana Pérez");
        acc.meetings = vec![MeetingEntry {
            notes: Some("firmado al final".into()),
            ..entry(4, "2026-07-20", MeetingStatus::Done)
        }];
        let p = build_with(vec![("C001", acc)], "2026-09");
        let a = account(&p, "C001");
        assert_eq!((a.meetings[3].status_key.as_str(), a.meetings[3].date), ("done", Some(d("2026-07-20"))));
        assert_eq!(a.meetings[3].notes.as_deref(), Some("firmado al final"));
        assert_eq!(a.contacts, c001.contacts, "the same meeting is not counted twice");
        assert!(a.owned.extra_meetings.is_empty());
        // A later contact in the KAM's log moves the courtesy call like a log row.
        let mut acc = ana("Ana Pérez");
        acc.contacts = vec![ContactEntry {
            date: Some(d("2026-10-25")),
            kind: Some("Llamada".into()),
            notes: None,
            date_text: None,
        }];
        let p = build_with(vec![("C001", acc)], "2026-09");
        let a = account(&p, "C001");
        assert_eq!(a.contacts, c001.contacts + 1);
        assert_eq!(a.courtesy.last_contact, Some(d("2026-10-25")));
        assert_eq!(a.owned.contacts.len(), 1);
    }

    #[test]
    fn a_finished_cycle_moves_to_the_history_and_a_new_one_starts() {
        let mut acc = ana("Ana Pérez");
        acc.meetings = vec![
            entry(1, "2026-03-10", MeetingStatus::Done),
            entry(2, "2026-05-12", MeetingStatus::Done),
            entry(3, "2026-06-15", MeetingStatus::Done),
            entry(4, "2026-07-20", MeetingStatus::Done),
            MeetingEntry {
                number_text: Some("extra".into()),
                notes: Some("comida".into()),
                ..MeetingEntry::default()
            },
        ];
        let p = build_with(vec![("C001", acc.clone())], "2026-09");
        let a = account(&p, "C001");
        assert_eq!(a.owned.cycle, 2);
        assert_eq!(a.owned.history.len(), 5);
        assert!(a.owned.history.iter().all(|h| h.cycle == Some(1)));
        // The log's meetings up to 20/07 belong to cycle 1: the new cycle starts at step 1.
        assert!(a.meetings.iter().all(|m| !m.done), "{:?}", a.meetings);
        assert_eq!(a.next_meeting, Some(1));
        assert!(
            a.owned.cycle_text.as_deref().is_some_and(|t| t.contains("20/07/2026")),
            "{:?}",
            a.owned.cycle_text
        );
        // carried.json keeps the history, and the same plan run again does not roll again.
        let out = &p.carried.accounts["C001"];
        assert_eq!(out.history.len(), 5);
        assert!(out.meetings.is_empty());
        // A finished cycle's meeting only the KAM recorded is still the last contact.
        let mut late = acc.clone();
        late.meetings[3].date = Some(d("2026-09-28"));
        let p = build_with(vec![("C001", late)], "2026-09");
        let a = account(&p, "C001");
        assert_eq!((a.owned.cycle, a.courtesy.last_contact), (2, Some(d("2026-09-28"))));
        // The four done in this period's own plan: shown as a complete cycle, rolled next month.
        let p = build_with(vec![("C001", acc)], "2026-10");
        let a = account(&p, "C001");
        assert_eq!((a.owned.cycle, a.next_meeting), (1, None));
        assert!(a.owned.history.is_empty());
    }

    #[test]
    fn entries_follow_an_account_to_its_new_kam_and_stay_when_it_stops_being_key() {
        // C003 is Bruno's now; last month it was in Ana's plan.
        let mut moved = ana("Ana Pérez");
        moved.decision_makers = vec![carry::DecisionMaker { name: Some("Eva".into()), ..Default::default() }];
        // C004 is no longer key; Ana had a strategy for it.
        let mut lost = ana("Ana Pérez");
        lost.strategy = Strategy {
            objective: Some("recuperarla".into()),
            agreed_target: Some(80_000.0),
            ..Strategy::default()
        };
        let p = build_with(vec![("C003", moved), ("C004", lost)], "2026-09");
        let c003 = account(&p, "C003");
        assert!(c003.owned.moved_text.as_deref().is_some_and(|t| t.contains("Ana Pérez")));
        assert_eq!(c003.decision_makers[0].name, "Eva");
        let ana_plan = p.kams.iter().find(|k| k.kam == "Ana Pérez").unwrap();
        assert_eq!(ana_plan.dropped.len(), 1);
        assert_eq!(ana_plan.dropped[0].id, "C004");
        assert_eq!(ana_plan.dropped[0].owned.strategy.agreed_target, Some(80_000.0));
        let bruno = p.kams.iter().find(|k| k.kam == "Bruno Díaz").unwrap();
        assert!(bruno.dropped.is_empty());
        // carried.json: C003 now Bruno's, C004 kept, no longer key since this period.
        assert_eq!(p.carried.accounts["C003"].kam, "Bruno Díaz");
        let c004 = &p.carried.accounts["C004"];
        assert_eq!((c004.key, c004.left_key), (false, Some(m("2026-10"))));
        assert_eq!(c004.strategy.objective.as_deref(), Some("recuperarla"));
        // A period later it is no longer shown, and still kept.
        let mut later = c004.clone();
        later.left_key = Some(m("2026-09"));
        let p = build_with(vec![("C004", later)], "2026-09");
        assert!(p.kams.iter().all(|k| k.dropped.is_empty()));
        assert_eq!(p.carried.accounts["C004"].left_key, Some(m("2026-09")));
    }

    #[test]
    fn the_agreed_target_is_shown_beside_the_computed_one_and_counted_by_the_summary() {
        let mut acc = ana("Ana Pérez");
        acc.strategy.agreed_target = Some(600_000.0);
        let mut bad = ana("Ana Pérez");
        bad.strategy.agreed_target_text = Some("mucho".into());
        let p = build_with(vec![("C001", acc), ("C002", bad)], "2026-09");
        let a = account(&p, "C001");
        let s = &a.owned.strategy;
        assert_eq!(s.difference, Some(600_000.0 - a.objective.target));
        assert!(s.text.as_deref().is_some_and(|t| t.contains("600.000,00")), "{:?}", s.text);
        let b = account(&p, "C002");
        assert!(b.owned.strategy.text.as_deref().is_some_and(|t| t.contains("«mucho»")));
        let row = p.summary.follow_up.rows.iter().find(|r| r.kam == "Ana Pérez").unwrap();
        assert_eq!((row.agreed_accounts, row.agreed_target), (1, 600_000.0));
        assert_eq!(row.plan_target, 600_000.0 + b.objective.target);
        assert_eq!(row.computed_target, a.objective.target + b.objective.target);
    }

    #[test]
    fn what_could_not_be_read_is_shown_as_typed_and_kept() {
        let mut acc = ana("Ana Pérez");
        acc.meetings = vec![MeetingEntry {
            step: Some(3),
            date_text: Some("mañana".into()),
            status_text: Some("quizás".into()),
            ..MeetingEntry::default()
        }];
        let p = build_with(vec![("C001", acc)], "2026-09");
        let a = account(&p, "C001");
        assert_eq!(
            a.owned.step_text[2],
            StepText { date: Some("mañana".into()), status: Some("quizás".into()) }
        );
        let kept = &p.carried.accounts["C001"].meetings;
        let third = kept.iter().find(|m| m.step == Some(3)).unwrap();
        assert_eq!(
            (third.date_text.as_deref(), third.status_text.as_deref()),
            (Some("mañana"), Some("quizás"))
        );
    }

    #[test]
    fn a_suggestion_left_as_it_was_stays_a_suggestion() {
        let mut acc = ana("Ana Pérez");
        acc.decision_makers = vec![
            carry::DecisionMaker {
                name: Some("Luis Marín".into()),
                notes: Some("Sugerido: nombrado en la reunión del 10/03/2026; confirmar".into()),
                ..Default::default()
            },
            // As kamplan wrote it, influence included: still a suggestion.
            carry::DecisionMaker {
                name: Some("Nuria Pons".into()),
                role: Some("gerencia".into()),
                influence: Some("Alta".into()),
                notes: Some("Sugerido: nombrado en la reunión del 10/03/2026; confirmar".into()),
                ..Default::default()
            },
            carry::DecisionMaker {
                name: Some("Eva Sanz".into()),
                notes: Some("Sugerido: nombrado en la reunión del 10/03/2026; confirmar".into()),
                stance: Some("Favorable".into()),
                ..Default::default()
            },
        ];
        let p = build_with(vec![("C001", acc)], "2026-09");
        let dms = &account(&p, "C001").decision_makers;
        let confirmed: Vec<&str> = dms.iter().filter(|d| d.confirmed).map(|d| d.name.as_str()).collect();
        assert_eq!(confirmed, ["Eva Sanz"]);
        let all: Vec<&str> = dms.iter().map(|d| d.name.as_str()).collect();
        assert_eq!(all.iter().filter(|n| **n == "Luis Marín").count(), 1, "shown once: {all:?}");
        assert!(all.contains(&"Nuria Pons"), "kept as the KAM left it: {all:?}");
        let kept = &p.carried.accounts["C001"].decision_makers;
        assert_eq!(kept.len(), 3, "carried.json keeps every row of the KAM's map: {kept:?}");
        let row = p.summary.follow_up.rows.iter().find(|r| r.kam == "Ana Pérez").unwrap();
        let mapped = p.kams.iter().find(|k| k.kam == "Ana Pérez").unwrap().accounts.iter();
        let mapped = mapped.filter(|a| a.decision_makers.iter().any(|d| d.confirmed)).count();
        assert_eq!(row.with_decision_makers as usize, mapped);
    }
}
