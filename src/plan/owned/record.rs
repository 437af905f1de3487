//! What every plan shows, written back by account code as the month's `carried.json`, and
//! where each plan's carried content came from, for the manifest.

use super::*;

/// What every plan shows, by account code: the month's `carried.json`. Accounts carried in
/// and shown nowhere are kept, marked as no longer key since this period.
pub(in crate::plan) fn carried_out(ctx: &Ctx, kams: &[KamPlan]) -> Carried {
    let period = ctx.period.period;
    let input = &ctx.inputs.carried;
    let mut out = Carried::empty(period);
    out.returned = input.returned.clone();
    out.files_read = input.files_read.clone();
    for k in kams {
        for a in &k.accounts {
            let before = input.accounts.get(&a.id);
            let mut meetings: Vec<MeetingEntry> = a
                .meetings
                .iter()
                .enumerate()
                .filter_map(|(i, m)| {
                    let t = &a.owned.step_text[i];
                    let status = MeetingStatus::ALL.into_iter().find(|s| s.key() == m.status_key);
                    (m.source.is_some() || t.date.is_some() || t.status.is_some()).then(|| MeetingEntry {
                        step: Some(m.number),
                        date: m.date,
                        date_text: t.date.clone(),
                        status: if t.status.is_some() { None } else { status },
                        status_text: t.status.clone(),
                        notes: m.notes.clone(),
                        ..MeetingEntry::default()
                    })
                })
                .collect();
            if let Some(b) = before {
                meetings.extend(
                    b.meetings
                        .iter()
                        .filter(|m| m.has_content() && !is_shown(m, &a.meetings))
                        .filter(|m| {
                            !meetings.iter().any(|s| s.step == m.step && s.step.is_some() && s.date == m.date)
                        })
                        .cloned()
                        .collect::<Vec<_>>(),
                );
            }
            let decision_makers = a
                .decision_makers
                .iter()
                .filter(|d| d.confirmed || d.source == ContactSource::Kam)
                .map(|d| carry::DecisionMaker {
                    name: (!d.name.is_empty()).then(|| d.name.clone()),
                    role: d.role.clone(),
                    influence: d.influence.clone(),
                    stance: d.stance.clone(),
                    notes: d.notes.clone(),
                })
                .collect();
            out.accounts.insert(
                a.id.clone(),
                CarriedAccount {
                    name: a.name.clone(),
                    kam: k.kam.clone(),
                    key: true,
                    left_key: None,
                    meetings,
                    meetings_period: Some(period),
                    history: before.map(|b| b.history.clone()).unwrap_or_default(),
                    contacts: before.map(|b| b.contacts.clone()).unwrap_or_default(),
                    decision_makers,
                    strategy: before.map(|b| b.strategy.clone()).unwrap_or_default(),
                    sources: before.map(|b| b.sources.clone()).unwrap_or_default(),
                },
            );
        }
    }
    for (code, acc) in &input.accounts {
        if out.accounts.contains_key(code) || !acc.has_entries() {
            continue;
        }
        let mut kept = acc.clone();
        kept.key = false;
        kept.left_key = Some(acc.left_key.unwrap_or(period));
        out.accounts.insert(code.clone(), kept);
    }
    out
}

/// Sources of the entries shown in a KAM's plan, for the manifest.
pub fn plan_sources(plan: &KamPlan) -> Vec<Source> {
    let mut v: Vec<Source> = plan
        .accounts
        .iter()
        .flat_map(|a| a.owned.sources.iter())
        .chain(plan.dropped.iter().flat_map(|d| d.owned.sources.iter()))
        .cloned()
        .collect();
    v.sort();
    v.dedup();
    v
}
