//! Which returned value wins: for each account and area, the returned plan of the latest
//! period; among several of one period the latest modified file (a warning names both when
//! they disagree); last month's `carried.json` is the base every returned plan improves on.

use std::collections::BTreeMap;

use super::ident::Area;
use super::read::{AreaContent, ReturnedPlan};
use super::{Carried, CarriedAccount, CarryWarning, Source};
use crate::period::Month;

/// One candidate value for an account's area.
struct Candidate<'a> {
    content: &'a AreaContent,
    source: &'a Source,
    kam: &'a str,
}

impl Candidate<'_> {
    /// Latest period first, then latest modification, then the path (so the choice never
    /// depends on the order files were found).
    fn rank(&self) -> (Month, i64, &str) {
        (self.source.period, self.source.modified.unwrap_or(i64::MIN), self.source.file.as_str())
    }
}

/// Merges the returned plans into the base for period `period`.
///
/// Plans of a period after `period` are refused with a warning (a plan from the future cannot
/// be what the KAM did with an earlier month). The base's entries count as of the base's
/// period and lose to any returned plan of that period or later.
pub fn merge(
    base: Option<&Carried>,
    plans: &[ReturnedPlan],
    period: Month,
    warnings: &mut Vec<CarryWarning>,
) -> Carried {
    let mut out = Carried::empty(period);
    if let Some(b) = base {
        out.accounts = b.accounts.clone();
        out.files_read = b.files_read.clone();
        // The base's meeting tables are what its period's plans showed.
        for acc in out.accounts.values_mut().filter(|a| !a.meetings.is_empty()) {
            acc.meetings_period = acc.meetings_period.or(b.period);
        }
    }
    let base_period = base.and_then(|b| b.period);

    let mut groups: BTreeMap<(String, Area), Vec<Candidate>> = BTreeMap::new();
    for p in plans {
        if p.ident.period > period {
            warnings.push(CarryWarning::file(
                &p.file,
                format!(
                    "is the plan of {}, after the period {period} being run: not carried",
                    p.ident.period
                ),
            ));
            continue;
        }
        out.returned.entry(p.ident.kam.clone()).or_default().push(p.file.clone());
        out.files_read.insert(p.sha256.clone());
        for a in &p.areas {
            groups.entry((a.account.clone(), a.area)).or_default().push(Candidate {
                content: &a.content,
                source: &a.source,
                kam: &p.ident.kam,
            });
        }
    }
    for files in out.returned.values_mut() {
        files.sort();
        files.dedup();
    }

    for ((account, area), mut cands) in groups {
        cands.sort_by(|a, b| b.rank().cmp(&a.rank()));
        let win = &cands[0];
        // The base already holds what the plan of its period showed: a returned plan of an
        // earlier period is older news, used only where the base has nothing for the area.
        let older = base_period.is_some_and(|bp| win.source.period < bp);
        if older && out.accounts.get(&account).is_some_and(|a| has_area(a, area)) {
            continue;
        }
        for other in cands[1..].iter().filter(|c| c.source.period == win.source.period) {
            if other.source.file != win.source.file && other.content != win.content {
                warnings.push(CarryWarning::file(
                    &other.source.file,
                    format!(
                        "disagrees with {} on the {} of account {account} (both plans of {}); the one modified last, {}, is used",
                        win.source.file,
                        area.key(),
                        win.source.period,
                        win.source.file
                    ),
                ));
            }
        }
        let acc = out.accounts.entry(account).or_insert_with(|| CarriedAccount {
            kam: win.kam.to_string(),
            key: true,
            ..CarriedAccount::default()
        });
        if base_period.is_none_or(|bp| win.source.period >= bp) {
            acc.kam = win.kam.to_string();
        }
        apply(acc, win.content);
        if area == Area::Meetings {
            acc.meetings_period = Some(win.source.period);
        }
        // Provenance for what is there: an area left (or made) empty came from nowhere.
        if has_area(acc, area) {
            acc.sources.insert(area, win.source.clone());
        } else {
            acc.sources.remove(&area);
        }
    }
    out
}

/// Whether an account holds anything in an area.
fn has_area(acc: &CarriedAccount, area: Area) -> bool {
    match area {
        Area::Meetings => acc.meetings.iter().any(super::MeetingEntry::has_content),
        Area::History => !acc.history.is_empty(),
        Area::Contacts => !acc.contacts.is_empty(),
        Area::DecisionMakers => !acc.decision_makers.is_empty(),
        Area::Strategy => !acc.strategy.is_empty(),
    }
}

/// Puts an area's content into an account.
fn apply(acc: &mut CarriedAccount, content: &AreaContent) {
    match content {
        AreaContent::Meetings(v) => acc.meetings = v.clone(),
        AreaContent::History(v) => acc.history = v.clone(),
        AreaContent::Contacts(v) => acc.contacts = v.clone(),
        AreaContent::DecisionMakers(v) => acc.decision_makers = v.clone(),
        AreaContent::Strategy(s) => acc.strategy = s.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::super::ident::PlanIdent;
    use super::super::read::AreaRead;
    use super::super::{DecisionMaker, Strategy};
    use super::*;

    fn m(s: &str) -> Month {
        s.parse().unwrap()
    }

    fn dm(name: &str) -> AreaContent {
        AreaContent::DecisionMakers(vec![DecisionMaker { name: Some(name.into()), ..Default::default() }])
    }

    fn plan(
        file: &str,
        period: &str,
        modified: i64,
        kam: &str,
        areas: Vec<(&str, Area, AreaContent)>,
    ) -> ReturnedPlan {
        let p = m(period);
        ReturnedPlan {
            file: file.into(),
            sha256: file.into(),
            modified: Some(modified),
            ident: PlanIdent::plan(p, kam, "es"),
            areas: areas
                .into_iter()
                .map(|(account, area, content)| AreaRead {
                    account: account.into(),
                    area,
                    content,
                    source: Source {
                        file: file.into(),
                        sheet: "S".into(),
                        cells: "A1:E5".into(),
                        period: p,
                        modified: Some(modified),
                    },
                })
                .collect(),
        }
    }

    fn names(c: &Carried, account: &str) -> Vec<String> {
        c.accounts[account].decision_makers.iter().filter_map(|d| d.name.clone()).collect()
    }

    #[test]
    fn the_latest_period_wins_then_the_latest_file_with_a_warning() {
        let plans = vec![
            plan("a.xlsx", "2026-09", 100, "Ana", vec![("C1", Area::DecisionMakers, dm("old"))]),
            plan("b.xlsx", "2026-10", 50, "Ana", vec![("C1", Area::DecisionMakers, dm("new"))]),
            plan("c.xlsx", "2026-10", 60, "Ana", vec![("C2", Area::DecisionMakers, dm("c"))]),
            plan("d.xlsx", "2026-10", 70, "Ana", vec![("C2", Area::DecisionMakers, dm("d"))]),
            plan("e.xlsx", "2026-10", 80, "Ana", vec![("C3", Area::DecisionMakers, dm("same"))]),
            plan("f.xlsx", "2026-10", 90, "Ana", vec![("C3", Area::DecisionMakers, dm("same"))]),
        ];
        let mut w = Vec::new();
        let c = merge(None, &plans, m("2026-10"), &mut w);
        assert_eq!(names(&c, "C1"), ["new"], "a later period beats a later file");
        assert_eq!(names(&c, "C2"), ["d"], "same period: the file modified last");
        assert_eq!(names(&c, "C3"), ["same"]);
        // One warning: c and d disagree; e and f agree.
        assert_eq!(w.len(), 1, "{w:?}");
        assert!(w[0].to_string().contains("c.xlsx") && w[0].to_string().contains("d.xlsx"), "{}", w[0]);
        assert_eq!(c.accounts["C2"].sources[&Area::DecisionMakers].file, "d.xlsx");
        // An empty area names no source.
        let empty =
            plan("g.xlsx", "2026-10", 1, "Ana", vec![("C4", Area::Contacts, AreaContent::Contacts(vec![]))]);
        let e = merge(None, &[empty], m("2026-10"), &mut Vec::new());
        assert!(e.accounts["C4"].sources.is_empty());
        // The order the files were found in does not matter.
        let mut rev = plans.clone();
        rev.reverse();
        assert_eq!(merge(None, &rev, m("2026-10"), &mut Vec::new()), c);
    }

    #[test]
    fn the_base_holds_until_a_returned_plan_of_its_period_or_later() {
        let mut base = Carried::empty(m("2026-09"));
        let acc = CarriedAccount {
            kam: "Ana".into(),
            key: true,
            decision_makers: vec![DecisionMaker { name: Some("base".into()), ..Default::default() }],
            strategy: Strategy { agreed_target: Some(5.0), ..Default::default() },
            ..Default::default()
        };
        base.accounts.insert("C1".into(), acc);
        let late = plan("old.xlsx", "2026-08", 999, "Ana", vec![("C1", Area::DecisionMakers, dm("stale"))]);
        let c = merge(Some(&base), std::slice::from_ref(&late), m("2026-10"), &mut Vec::new());
        assert_eq!(names(&c, "C1"), ["base"], "an older plan does not undo last month's");
        // … but fills what last month's plan did not have.
        let mut late_contacts = late;
        late_contacts.areas[0].area = Area::Contacts;
        late_contacts.areas[0].content = AreaContent::Contacts(vec![super::super::ContactEntry {
            kind: Some("Visita".into()),
            ..Default::default()
        }]);
        let c = merge(Some(&base), &[late_contacts], m("2026-10"), &mut Vec::new());
        assert_eq!(c.accounts["C1"].contacts.len(), 1);
        assert_eq!(names(&c, "C1"), ["base"]);
        let edited =
            plan("sep.xlsx", "2026-09", 1, "Bruno", vec![("C1", Area::DecisionMakers, dm("edited"))]);
        let c = merge(Some(&base), &[edited], m("2026-10"), &mut Vec::new());
        assert_eq!(names(&c, "C1"), ["edited"]);
        assert_eq!(c.accounts["C1"].strategy.agreed_target, Some(5.0), "other areas stay");
        assert_eq!(c.accounts["C1"].kam, "Bruno");
        assert_eq!(c.returned["Bruno"], ["sep.xlsx"]);
    }

    #[test]
    fn a_plan_from_after_the_period_is_refused() {
        let future = plan("nov.xlsx", "2026-11", 1, "Ana", vec![("C1", Area::DecisionMakers, dm("x"))]);
        let mut w = Vec::new();
        let c = merge(None, &[future], m("2026-10"), &mut w);
        assert!(c.accounts.is_empty());
        assert!(w[0].to_string().contains("plan of 2026-11, after the period 2026-10"), "{}", w[0]);
    }
}
