//! The summary's plan follow-up: per KAM, decision makers mapped, the step reached, calls
//! overdue, agreed against computed targets, and whose plans came back edited.

use super::*;

/// One KAM's row of the summary's plan follow-up.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FollowUpRow {
    pub kam: String,
    pub key_accounts: u32,
    /// Key accounts with at least one decision maker the KAM entered or confirmed.
    pub with_decision_makers: u32,
    /// Closer steps done, over all key accounts' current cycles.
    pub steps_done: u32,
    /// Key accounts by the step they are at: 1, 2, 3, 4, then cycle complete.
    pub at_step: [u32; 5],
    pub calls_overdue: u32,
    /// Sum of the computed targets.
    pub computed_target: f64,
    /// Sum of the agreed targets, over the accounts that have one.
    pub agreed_target: f64,
    /// Accounts with an agreed target.
    pub agreed_accounts: u32,
    /// The targets the summary counts: the agreed one where there is one, else the computed.
    pub plan_target: f64,
    /// Returned plans of this KAM read this run.
    pub returned: u32,
}

/// The summary's plan follow-up.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct FollowUpView {
    pub rows: Vec<FollowUpRow>,
    /// Every returned plan read this run, with its KAM.
    pub returned_files: Vec<String>,
    /// Accounts whose entries have no plan to be shown in this month (their KAM has none):
    /// kept in `carried.json`.
    pub kept_only: Vec<AccountRef>,
}

/// The summary's plan follow-up: per KAM, decision makers mapped, the step reached, calls
/// overdue, agreed against computed targets, and the returned plans read.
pub(in crate::plan) fn follow_up(
    ctx: &Ctx,
    kams: &[KamPlan],
    by_id: &HashMap<&str, &Account>,
) -> FollowUpView {
    let returned = &ctx.inputs.carried.returned;
    let rows = kams
        .iter()
        .map(|k| {
            let mut r = FollowUpRow {
                kam: k.kam.clone(),
                key_accounts: k.accounts.len() as u32,
                with_decision_makers: 0,
                steps_done: 0,
                at_step: [0; 5],
                calls_overdue: 0,
                computed_target: 0.0,
                agreed_target: 0.0,
                agreed_accounts: 0,
                plan_target: 0.0,
                returned: returned
                    .iter()
                    .filter(|(kam, _)| norm(kam) == norm(&k.kam))
                    .map(|(_, f)| f.len() as u32)
                    .sum(),
            };
            for a in &k.accounts {
                r.with_decision_makers += u32::from(a.decision_makers.iter().any(|d| d.confirmed));
                r.steps_done += a.meetings.iter().filter(|m| m.done).count() as u32;
                r.at_step[a.next_meeting.map_or(4, |n| n as usize - 1).min(4)] += 1;
                r.calls_overdue += u32::from(a.flags.call_overdue);
                r.computed_target += a.objective.target;
                match a.owned.strategy.agreed_target {
                    Some(t) => {
                        r.agreed_target += t;
                        r.agreed_accounts += 1;
                        r.plan_target += t;
                    }
                    None => r.plan_target += a.objective.target,
                }
            }
            r
        })
        .collect();
    let mut returned_files: Vec<String> = returned.values().flatten().cloned().collect();
    returned_files.sort();
    returned_files.dedup();
    let shown: std::collections::HashSet<&str> = kams
        .iter()
        .flat_map(|k| k.accounts.iter().map(|a| a.id.as_str()).chain(k.dropped.iter().map(|d| d.id.as_str())))
        .collect();
    let kept_only = ctx
        .inputs
        .carried
        .accounts
        .iter()
        .filter(|(code, acc)| {
            !shown.contains(code.as_str())
                && acc.has_entries()
                && acc.left_key.is_none_or(|m| m == ctx.period.period)
        })
        .map(|(code, acc)| AccountRef {
            id: code.clone(),
            name: by_id.get(code.as_str()).map(|a| a.name.clone()).unwrap_or_else(|| acc.name.clone()),
            kam: acc.kam.clone(),
            sales: by_id.get(code.as_str()).map(|a| a.sales).unwrap_or(0.0),
        })
        .collect();
    FollowUpView { rows, returned_files, kept_only }
}
