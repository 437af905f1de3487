//! Targets by month: an account's target split over the months after P (with the season of its
//! last 24 months when there is enough history), the targets a run publishes, and the months
//! already elapsed set against what earlier plans asked.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::*;
use crate::classify::MonthSales;

/// A monthly target as a published month keeps it (`manifest.json` › `targets`) and the next
/// run reads it back: the month, the amount, and the period whose plan set it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PublishedTarget {
    pub month: Month,
    pub target: f64,
    pub set_in: Month,
}

/// Published targets by account id, each account's months in order.
pub type TargetBook = BTreeMap<String, Vec<PublishedTarget>>;

/// The weight of each calendar month (index 0 = January) in an account's year, from its last
/// 24 months: each year's months as shares of that year, averaged — when both years sold
/// something and their patterns agree (the two years' shares correlate at 0.5 or more), so a
/// fall or a jump in the last months is not mistaken for a season. `None` (an even split)
/// otherwise.
pub fn season(monthly: &[MonthSales]) -> Option<[f64; 12]> {
    if monthly.len() < 24 {
        return None;
    }
    let last = &monthly[monthly.len() - 24..];
    let shares = |year: &[MonthSales]| -> Option<[f64; 12]> {
        let total: f64 = year.iter().map(|m| m.sales.max(0.0)).sum();
        (total > 0.0).then(|| {
            let mut w = [0.0; 12];
            for m in year {
                w[m.month.month as usize - 1] = m.sales.max(0.0) / total;
            }
            w
        })
    };
    let (y1, y2) = (shares(&last[..12])?, shares(&last[12..])?);
    (correlation(&y1, &y2)? >= 0.5).then(|| std::array::from_fn(|i| (y1[i] + y2[i]) / 2.0))
}

/// Pearson's correlation of two series; `None` when either does not vary.
fn correlation(a: &[f64; 12], b: &[f64; 12]) -> Option<f64> {
    let mean = |x: &[f64; 12]| x.iter().sum::<f64>() / 12.0;
    let (ma, mb) = (mean(a), mean(b));
    let (mut sab, mut saa, mut sbb) = (0.0, 0.0, 0.0);
    for i in 0..12 {
        let (da, db) = (a[i] - ma, b[i] - mb);
        sab += da * db;
        saa += da * da;
        sbb += db * db;
    }
    (saa > 1e-12 && sbb > 1e-12).then(|| sab / (saa * sbb).sqrt())
}

/// The target split over the `months` months after `period`: by the season's weights, else
/// evenly. The parts are rounded to the cent and add up to the target exactly.
pub fn split(target: f64, period: Month, months: u32, season: Option<&[f64; 12]>) -> Vec<(Month, f64)> {
    let list: Vec<Month> = (1..=months as i32).map(|i| period.add(i)).collect();
    let weights: Vec<f64> = match season {
        Some(w) => list.iter().map(|m| w[m.month as usize - 1]).collect(),
        None => vec![1.0; list.len()],
    };
    let total: f64 = weights.iter().sum();
    let weights = if total > 0.0 { weights } else { vec![1.0; list.len()] };
    let total: f64 = weights.iter().sum();
    let cents = (target * 100.0).round() as i64;
    let mut parts: Vec<i64> = weights.iter().map(|w| (cents as f64 * w / total).floor() as i64).collect();
    // The cents lost to rounding go to the months with the largest remainders (first on a tie).
    let left = cents - parts.iter().sum::<i64>();
    let mut order: Vec<usize> = (0..parts.len()).collect();
    order.sort_by(|&a, &b| {
        let ra = cents as f64 * weights[a] / total - parts[a] as f64;
        let rb = cents as f64 * weights[b] / total - parts[b] as f64;
        rb.total_cmp(&ra).then(a.cmp(&b))
    });
    for &i in order.iter().cycle().take(left.unsigned_abs() as usize) {
        parts[i] += left.signum();
    }
    list.into_iter().zip(parts).map(|(m, c)| (m, c as f64 / 100.0)).collect()
}

/// Months already elapsed (in the window, up to P) with the target an earlier plan set for
/// them, against the account's sales of that month.
pub(super) fn actual_vs_target(
    a: &Account,
    earlier: &[PublishedTarget],
    period: &PeriodInfo,
    lang: &Lang,
) -> Vec<ActualVsTarget> {
    let mut out: Vec<ActualVsTarget> = earlier
        .iter()
        .filter(|t| t.month >= period.window_from && t.month <= period.period)
        .filter_map(|t| {
            let actual = a.monthly.iter().find(|m| m.month == t.month).map(|m| m.sales).unwrap_or(0.0);
            t.target.is_finite().then(|| ActualVsTarget {
                month: t.month,
                label: lang.month(t.month),
                target: t.target,
                actual,
                difference: actual - t.target,
                ratio: ratio(actual, t.target),
                set_in: t.set_in,
            })
        })
        .collect();
    out.sort_by_key(|x| x.month);
    out.dedup_by_key(|x| x.month);
    out
}

/// What a run publishes for one account: the elapsed months it showed, then its new months.
pub(super) fn published(plan: &AccountPlan, period: Month) -> Vec<PublishedTarget> {
    plan.actual_vs_target
        .iter()
        .map(|x| PublishedTarget { month: x.month, target: x.target, set_in: x.set_in })
        .chain(plan.objective.monthly.iter().map(|m| PublishedTarget {
            month: m.month,
            target: m.target,
            set_in: period,
        }))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(s: &str) -> Month {
        s.parse().unwrap()
    }

    fn series(values: &[f64]) -> Vec<MonthSales> {
        let p = m("2026-10");
        values
            .iter()
            .enumerate()
            .map(|(i, v)| MonthSales { month: p.add(i as i32 + 1 - values.len() as i32), sales: *v })
            .collect()
    }

    #[test]
    fn the_split_follows_the_season_and_adds_up_to_the_cent() {
        // Flat history: no season, an even split; 1000 / 12 does not divide, the parts still
        // add up.
        assert_eq!(season(&series(&[100.0; 24])), None);
        let parts = split(1000.0, m("2026-10"), 12, None);
        assert_eq!(parts.len(), 12);
        assert_eq!(parts[0].0, m("2026-11"));
        assert_eq!(parts[11].0, m("2027-10"));
        let sum: i64 = parts.iter().map(|p| (p.1 * 100.0).round() as i64).sum();
        assert_eq!(sum, 100_000);
        assert!(parts.iter().all(|p| (p.1 - 83.33).abs() <= 0.011), "{parts:?}");
        // August sells three times a normal month, both years: its target is three times too.
        let mut v = vec![100.0; 24];
        for (i, s) in series(&[0.0; 24]).iter().enumerate() {
            if s.month.month == 8 {
                v[i] = 300.0;
            }
        }
        let w = season(&series(&v)).unwrap();
        let parts = split(1400.0, m("2026-10"), 12, Some(&w));
        let aug = parts.iter().find(|p| p.0 == m("2027-08")).unwrap().1;
        let nov = parts.iter().find(|p| p.0 == m("2026-11")).unwrap().1;
        assert_eq!((aug, nov), (300.0, 100.0));
        // A fall in the last three months is not a season: the years disagree.
        let mut falling = vec![100.0; 24];
        falling[12..].copy_from_slice(&[
            120.0, 90.0, 100.0, 110.0, 95.0, 105.0, 100.0, 100.0, 100.0, 40.0, 40.0, 40.0,
        ]);
        falling[..12].copy_from_slice(&[
            100.0, 105.0, 95.0, 100.0, 110.0, 90.0, 100.0, 100.0, 100.0, 100.0, 100.0, 100.0,
        ]);
        assert_eq!(season(&series(&falling)), None);
        // Less than two years of sales: no season, an even split.
        let mut young = vec![0.0; 24];
        young[14..].fill(50.0);
        assert_eq!(season(&series(&young)), None);
        assert!(split(120.0, m("2026-10"), 12, None).iter().all(|p| p.1 == 10.0));
        // A 6-month window takes six months.
        assert_eq!(split(60.0, m("2026-10"), 6, None).len(), 6);
        assert_eq!(split(0.0, m("2026-10"), 12, None).iter().map(|p| p.1).sum::<f64>(), 0.0);
    }
}
