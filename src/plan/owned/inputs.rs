//! The carried entries turned into the plan stage's inputs: meeting rows and contact-log rows
//! as contacts (one with the log's row when it is the same meeting), the KAM's decision makers,
//! a finished cycle moved to the history, and where the current cycle starts.

use super::*;

impl Inputs {
    /// Adds what the KAMs own: carry's result for the period. Meeting rows and contact-log rows
    /// become contacts (one with the log's row when it is the same meeting), decision makers
    /// are the KAM's; a finished cycle of an earlier period's plan moves to the history.
    ///
    /// A decision maker still as kamplan suggested it (its note the suggestion's, no stance
    /// chosen; the influence may be the one kamplan suggested) stays an unconfirmed suggestion,
    /// kept as the KAM left it (they may have typed another name over it): it does not count
    /// as mapped until the KAM confirms it.
    pub fn with_carried(mut self, mut carried: Carried, period: Month, lang: &Lang) -> Inputs {
        let suggestion = |d: &carry::DecisionMaker| {
            d.stance.is_none()
                && d.notes.as_deref().is_some_and(|n| {
                    ["plan.dm.suggested", "plan.dm.suggested_undated"].iter().any(|k| {
                        let label = lang.get(k);
                        let head = label.split(['{', ':', ';']).next().unwrap_or("").trim();
                        !head.is_empty() && collate(n).starts_with(&collate(head))
                    })
                })
        };
        for (code, acc) in carried.accounts.iter_mut() {
            roll_cycle(acc, period);
            let contacts = self.contacts.entry(code.clone()).or_default();
            // A finished cycle's meetings are still contacts (the courtesy call counts from the
            // last of them); dated, they fall before the new cycle and fill none of its steps.
            let finished = acc.history.iter().filter(|m| m.date.is_some());
            for m in acc.meetings.iter().filter(|m| m.has_content()).chain(finished) {
                if let Some(log) = same_meeting(contacts, m) {
                    log.step = m.step;
                    log.status = m.status.or(log.status);
                    if m.notes.is_some() {
                        log.notes.clone_from(&m.notes);
                    }
                    continue;
                }
                contacts.push(Contact {
                    date: m.date,
                    kind: if m.step.is_none() { m.objective.clone() } else { None },
                    notes: m.notes.clone(),
                    step: m.step,
                    status: m.status,
                    source: ContactSource::Kam,
                });
            }
            for e in &acc.contacts {
                let copied = contacts.iter().any(|c| {
                    c.source == ContactSource::Log
                        && c.date == e.date
                        && collate(c.kind.as_deref().unwrap_or(""))
                            == collate(e.kind.as_deref().unwrap_or(""))
                });
                if !copied {
                    contacts.push(Contact {
                        date: e.date,
                        kind: e.kind.clone(),
                        notes: e.notes.clone(),
                        step: None,
                        status: None,
                        source: ContactSource::Kam,
                    });
                }
            }
            if contacts.is_empty() {
                self.contacts.remove(code);
            }
            let dms: Vec<DecisionMaker> = acc
                .decision_makers
                .iter()
                .map(|d| DecisionMaker {
                    name: d.name.clone().unwrap_or_default(),
                    role: d.role.clone(),
                    influence: d.influence.clone(),
                    stance: d.stance.clone(),
                    notes: d.notes.clone(),
                    source: ContactSource::Kam,
                    confirmed: !suggestion(d),
                })
                .collect();
            if !dms.is_empty() {
                self.decision_makers.insert(code.clone(), dms);
            }
        }
        self.contacts_known |= carried.accounts.values().any(CarriedAccount::has_entries);
        self.carried = carried;
        self
    }

    /// The first day of the account's current cycle: after the last meeting of the last
    /// finished one. Meetings before it do not fill the new cycle's steps.
    pub fn cycle_start(&self, id: &str) -> Option<NaiveDate> {
        let acc = self.carried.accounts.get(id)?;
        let last = acc.history.iter().filter_map(|m| m.cycle).max()?;
        acc.history.iter().filter(|m| m.cycle == Some(last)).filter_map(|m| m.date).max()?.succ_opt()
    }
}

/// The log's contact that is the same meeting as a KAM's row: same date, and the row's step
/// or none (a visit the KAM filed under a step).
fn same_meeting<'a>(contacts: &'a mut [Contact], m: &MeetingEntry) -> Option<&'a mut Contact> {
    let date = m.date?;
    let step_of = |c: &Contact| {
        if is_call(c.kind.as_deref()) {
            return None;
        }
        meeting_step(c.kind.as_deref()).or_else(|| notes_step(c.notes.as_deref())).map(|s| s as u32 + 1)
    };
    let same = |c: &Contact| c.source == ContactSource::Log && c.date == Some(date);
    let exact = contacts.iter().position(|c| same(c) && step_of(c) == m.step && m.step.is_some());
    let loose =
        || contacts.iter().position(|c| same(c) && step_of(c).is_none() && !is_call(c.kind.as_deref()));
    let i = exact.or_else(loose)?;
    Some(&mut contacts[i])
}

/// Moves a finished cycle to the history: the four steps of a plan from before `period` are
/// all done.
fn roll_cycle(acc: &mut CarriedAccount, period: Month) {
    if acc.meetings_period.is_none_or(|p| p >= period) {
        return;
    }
    let done =
        |s: u32| acc.meetings.iter().any(|m| m.step == Some(s) && m.status == Some(MeetingStatus::Done));
    if !(1..=4).all(done) {
        return;
    }
    let cycle = acc.history.iter().filter_map(|m| m.cycle).max().unwrap_or(0) + 1;
    let finished = std::mem::take(&mut acc.meetings);
    acc.history.extend(finished.into_iter().map(|m| MeetingEntry { cycle: Some(cycle), ..m }));
}

/// Keeps a step record only when it belongs to the current cycle (undated ones always do).
pub(in crate::plan) fn in_cycle<'a>(
    read: &[(&'a Contact, meetings::Reading)],
    start: Option<NaiveDate>,
) -> Vec<(&'a Contact, meetings::Reading)> {
    read.iter()
        .filter(|(c, r)| r.step.is_none() || start.is_none_or(|s| c.date.is_none_or(|d| d >= s)))
        .copied()
        .collect()
}
