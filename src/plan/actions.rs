//! One action list: this month's actions of a KAM, first on the cover (calls overdue, meetings
//! to retake, accounts falling, silent, behind target or behind the target agreed with the
//! customer, the next meeting of each account, calls due), and the agenda that gathers every
//! account's four meetings and courtesy call in one table.

use super::*;

/// The kinds of action, in the order the cover lists them.
const ORDER: [&str; 8] =
    ["call_overdue", "retake", "falling", "stale", "behind", "behind_agreed", "meeting", "call_due"];

/// This month's actions of a KAM's accounts (the accounts in rank order within each kind; calls
/// overdue longest first). A call due after the month following P is not this month's.
pub(super) fn actions(accounts: &[AccountPlan], period: &PeriodInfo, lang: &Lang) -> Vec<Action> {
    let month_end = period.period.add(1).last_day();
    let mut out: Vec<Action> = Vec::new();
    let mut push = |a: &AccountPlan, kind: &str, step: Option<u32>, date: Option<NaiveDate>, text: String| {
        out.push(Action { kind: kind.to_string(), id: a.id.clone(), name: a.name.clone(), step, date, text })
    };
    for a in accounts {
        let c = &a.courtesy;
        if c.overdue {
            let text = match c.next_due {
                Some(d) => lang.fill("plan.actions.call_overdue", &[("date", lang.date(d))]),
                None => lang.get("plan.actions.call_now").to_string(),
            };
            push(a, "call_overdue", None, Some(c.next_call), text);
        } else if c.next_call <= month_end {
            push(
                a,
                "call_due",
                None,
                Some(c.next_call),
                lang.fill("plan.actions.call_due", &[("date", lang.date(c.next_call))]),
            );
        }
        if let Some(n) = a.next_meeting {
            let m = &a.meetings[n as usize - 1];
            let args = [
                ("number", n.to_string()),
                ("objective", m.objective.clone()),
                ("date", m.date.map(|d| lang.date(d)).unwrap_or_default()),
            ];
            match (a.setback.as_ref(), m.status_key.as_str()) {
                (Some(s), _) => push(
                    a,
                    "retake",
                    Some(n),
                    m.date,
                    lang.fill("plan.actions.retake", &[("what", s.clone())]),
                ),
                (None, "planned") if m.date.is_some() => {
                    push(a, "meeting", Some(n), m.date, lang.fill("plan.actions.meeting_planned", &args))
                }
                _ => push(a, "meeting", Some(n), None, lang.fill("plan.actions.meeting", &args)),
            }
        }
        if a.flags.falling {
            let key = if a.trend_basis.as_deref() == Some("previous_months") {
                "plan.attention.falling"
            } else {
                "plan.attention.falling_yoy"
            };
            push(
                a,
                "falling",
                None,
                None,
                capitalise(&lang.fill(key, &[("trend", pct(lang, a.trend.map(f64::abs)))])),
            );
        }
        if a.flags.stale {
            let text = match a.days_since {
                Some(d) => lang.fill("plan.attention.stale", &[("days", d.to_string())]),
                None => lang.get("plan.attention.never").to_string(),
            };
            push(a, "stale", None, a.last_purchase, capitalise(&text));
        }
        if let Some(t) = &a.behind_text {
            push(a, "behind", None, None, capitalise(t));
        }
        // The target the KAM agreed with the customer, against the account's current pace.
        let o = &a.objective;
        if let Some(agreed) = a.owned.strategy.agreed_target.filter(|v| *v > 0.0 && o.months > 0) {
            let per_month = agreed / o.months as f64;
            if o.run_rate_per_month < per_month {
                let text = lang.fill(
                    "plan.actions.behind_agreed",
                    &[
                        ("pace", lang.money(o.run_rate_per_month)),
                        ("agreed_month", lang.money(per_month)),
                        ("agreed", lang.money(agreed)),
                    ],
                );
                push(a, "behind_agreed", None, None, text);
            }
        }
    }
    let rank = |k: &str| ORDER.iter().position(|x| *x == k).unwrap_or(ORDER.len());
    // Stable sort: accounts keep their rank order within a kind; overdue calls oldest first,
    // calls due by date.
    let due = |a: &Action| accounts.iter().find(|p| p.id == a.id).and_then(|p| p.courtesy.next_due);
    out.sort_by(|x, y| {
        rank(&x.kind).cmp(&rank(&y.kind)).then_with(|| match x.kind.as_str() {
            "call_overdue" => (due(x).is_some(), due(x)).cmp(&(due(y).is_some(), due(y))),
            "call_due" => x.date.cmp(&y.date),
            _ => std::cmp::Ordering::Equal,
        })
    });
    out
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// Every account's four meetings and its courtesy call, one row each, accounts in rank order.
pub(super) fn agenda(accounts: &[AccountPlan], lang: &Lang) -> Vec<AgendaRow> {
    let mut out = Vec::new();
    for a in accounts {
        for m in &a.meetings {
            out.push(AgendaRow {
                id: a.id.clone(),
                name: a.name.clone(),
                what: lang.fill(
                    "plan.agenda.meeting",
                    &[("number", m.number.to_string()), ("objective", m.objective.clone())],
                ),
                step: Some(m.number),
                date: m.date,
                status: m.status.clone(),
                notes: m.notes.clone(),
                next: m.next,
            });
        }
        let c = &a.courtesy;
        out.push(AgendaRow {
            id: a.id.clone(),
            name: a.name.clone(),
            what: lang.get("plan.agenda.call").to_string(),
            step: None,
            date: Some(c.next_call),
            status: lang
                .get(if c.overdue { "plan.agenda.overdue" } else { "plan.status.planned" })
                .to_string(),
            notes: c
                .next_due
                .filter(|_| c.overdue)
                .map(|d| lang.fill("plan.actions.call_overdue", &[("date", lang.date(d))])),
            next: c.overdue,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::tests::plans;

    #[test]
    fn the_cover_lists_this_months_actions_overdue_calls_first() {
        let p = plans();
        let ana = &p.kams[0];
        let got: Vec<(&str, &str, Option<u32>)> =
            ana.actions.iter().map(|a| (a.kind.as_str(), a.id.as_str(), a.step)).collect();
        assert_eq!(
            got,
            [
                // C001's call fell due on 15/10: first.
                ("call_overdue", "C001", None),
                ("falling", "C001", None),
                ("stale", "C002", None),
                // Each account's next meeting, with its step.
                ("meeting", "C001", Some(3)),
                ("meeting", "C002", Some(1)),
                // C002's last contact was 07/10: its call is due 06/11, this month.
                ("call_due", "C002", None),
            ]
        );
        let first = &ana.actions[0];
        assert!(first.text.contains("15/10/2026"), "{}", first.text);
        assert_eq!(first.date.map(|d| d.to_string()).as_deref(), Some("2026-11-01"));
        let meeting = &ana.actions[3];
        assert!(
            meeting.text.contains("nº 3") && meeting.text.contains("Entender las necesidades"),
            "{}",
            meeting.text
        );
        // Every action names an account of the plan.
        assert!(ana.actions.iter().all(|a| ana.accounts.iter().any(|x| x.id == a.id)));
    }

    #[test]
    fn an_agreed_target_above_the_current_pace_is_an_action() {
        let p = plans();
        let ana = &p.kams[0];
        let mut accounts = ana.accounts.clone();
        let o = &accounts[0].objective;
        let months = o.months as f64;
        // Agreed at the current pace: nothing; a cent a month above: behind.
        accounts[0].owned.strategy.agreed_target = Some(o.run_rate_per_month * months);
        let kinds = |acc: &[super::AccountPlan]| -> usize {
            super::actions(acc, &ana.period, &super::super::tests::es())
                .iter()
                .filter(|a| a.kind == "behind_agreed")
                .count()
        };
        assert_eq!(kinds(&accounts), 0);
        accounts[0].owned.strategy.agreed_target =
            Some((accounts[0].objective.run_rate_per_month + 0.01) * months);
        assert_eq!(kinds(&accounts), 1);
        let all = super::actions(&accounts, &ana.period, &super::super::tests::es());
        let a = all.iter().find(|a| a.kind == "behind_agreed").unwrap();
        assert!(a.text.starts_with("Por debajo del objetivo acordado"), "{}", a.text);
    }

    #[test]
    fn the_agenda_has_every_meeting_and_call_of_every_account() {
        let p = plans();
        let ana = &p.kams[0];
        assert_eq!(ana.agenda.len(), ana.accounts.len() * 5);
        let c001: Vec<&super::AgendaRow> = ana.agenda.iter().filter(|r| r.id == "C001").collect();
        assert_eq!(c001.iter().filter_map(|r| r.step).collect::<Vec<_>>(), [1, 2, 3, 4]);
        assert_eq!(c001[3].status, "Aplazada");
        assert!(c001[2].next, "the next meeting is marked");
        assert!(c001[4].step.is_none() && c001[4].next, "the overdue call is marked");
        assert_eq!(c001[4].date.map(|d| d.to_string()).as_deref(), Some("2026-11-01"));
    }
}
