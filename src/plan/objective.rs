//! Objectives: the sales target of an account for the months after P, from its situation —
//! the rate of its reasons, its recent growth, its potential, its current pace — and the
//! sentence that says which rule produced it.

use super::*;

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

/// The account's current pace over `months` months: its last 3 months annualised. With a year
/// of history, the season is taken out: the last 3 months × (the 12 months a year earlier ÷
/// the same 3 months a year earlier), so a summer peak is not read as a new level. Returns the
/// pace and whether the season was used. `monthly` holds the 24 months ending with P.
pub fn run_rate(monthly: &[f64], months: u32) -> (f64, bool) {
    let n = monthly.len();
    if n < 3 {
        return (0.0, false);
    }
    let last3: f64 = monthly[n - 3..].iter().sum();
    if last3 <= 0.0 {
        return (0.0, false);
    }
    let scale = months as f64 / 12.0;
    if n >= 24 {
        let year_earlier: f64 = monthly[n - 24..n - 12].iter().sum();
        let same3: f64 = monthly[n - 15..n - 12].iter().sum();
        if year_earlier > 0.0 && same3 > 0.0 {
            return (last3 * year_earlier / same3 * scale, true);
        }
    }
    (last3 * 4.0 * scale, false)
}

/// Which rule set a target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rule {
    /// Window sales × (1 + the rate of the account's reasons).
    Rate,
    /// Window sales × (1 + its recent growth, at most `growth_cap`).
    Growth,
    /// Window sales + `potential_capture` × (potential − window sales).
    Potential,
    /// Keep the current pace: it is above every other rule.
    RunRate,
    /// No sales: a first order.
    FirstOrder,
}

impl Rule {
    fn key(self) -> &'static str {
        match self {
            Rule::Rate => "rate",
            Rule::Growth => "growth",
            Rule::Potential => "potential",
            Rule::RunRate => "run_rate",
            Rule::FirstOrder => "first_order",
        }
    }
}

/// The objective of an account for the `window_months` months after P.
///
/// The target is the highest of: the window's sales × (1 + the rate of its reasons,
/// [`target_rate`]); for an account key by growth, × (1 + its growth against the prior window,
/// at most `[plan] growth_cap`; a new account takes the cap); for an account key by potential,
/// its sales plus `[plan] potential_capture` of the gap to its potential (scaled to the
/// window); and — unless the account is falling — its current pace ([`run_rate`]), so a target
/// is never below what the account already sells. For a falling account the sentence says what
/// recovering to last year's level means against the current pace. Without sales and without a
/// potential, the objective is a first order (target 0).
pub(super) fn objective(a: &Account, cfg: &Config, lang: &Lang, period: &PeriodInfo) -> Objective {
    let p = &cfg.plan;
    let months = period.window_months.max(1);
    let m = months as f64;
    let base = a.sales.max(0.0);
    let series: Vec<f64> = a.monthly.iter().map(|x| x.sales).collect();
    let (pace, seasonal_pace) = run_rate(&series, months);
    let falling = a.trend.is_some_and(|t| t <= FALLING_TREND);

    let (rate, reason) = target_rate(&a.reasons, cfg);
    let mut candidates: Vec<(f64, Rule)> = Vec::new();
    if base > 0.0 {
        candidates.push((base * (1.0 + rate), Rule::Rate));
    }
    let growth_rate = a.reasons.contains(&Reason::Growth).then(|| match a.growth {
        Some(g) => g.min(p.growth_cap),
        None => p.growth_cap,
    });
    if let (Some(g), true) = (growth_rate, base > 0.0) {
        candidates.push((base * (1.0 + g), Rule::Growth));
    }
    let potential = a.potential.filter(|v| v.is_finite() && *v > 0.0).map(|v| v * m / 12.0);
    if let (true, Some(pot)) = (a.reasons.contains(&Reason::Potential), potential) {
        if pot > base {
            candidates.push((base + p.potential_capture * (pot - base), Rule::Potential));
        }
    }
    if !falling && pace > 0.0 {
        candidates.push((pace, Rule::RunRate));
    }
    // The highest wins; on a tie, the first listed (the reason's rate before the pace).
    let (target, rule) = candidates
        .iter()
        .copied()
        .fold(None::<(f64, Rule)>, |best, c| match best {
            Some(b) if b.0 >= c.0 => Some(b),
            _ => Some(c),
        })
        .unwrap_or((0.0, Rule::FirstOrder));
    let target = (target * 100.0).round() / 100.0;
    let per_month = target / m;
    let pace_month = pace / m;
    let effective = (base > 0.0).then(|| target / base - 1.0);

    let money = |v: f64| lang.money(v);
    let why = match reason {
        Some(r) => lang.fill(
            "plan.objective.rate_reason",
            &[("reason", lang.get(&format!("reason.{}", r.as_str())).to_string())],
        ),
        None => lang.get("plan.objective.rate_general").to_string(),
    };
    let pace_text =
        lang.get(if seasonal_pace { "plan.objective.pace_seasonal" } else { "plan.objective.pace_plain" });
    let args: Vec<(&str, String)> = vec![
        ("target", money(target)),
        ("next", period.next_label.clone()),
        ("months", months.to_string()),
        ("base", money(base)),
        ("rate", lang.percent(effective.unwrap_or(0.0), 1)),
        ("rate_set", lang.percent(rate, 1)),
        ("why", why),
        (
            "growth",
            a.growth.map(|g| lang.percent(g, 1)).unwrap_or_else(|| lang.get("plan.objective.new").into()),
        ),
        ("cap", lang.percent(p.growth_cap, 0)),
        ("capture", lang.percent(p.potential_capture, 0)),
        ("potential", potential.map(money).unwrap_or_default()),
        ("per_month", money(per_month)),
        ("pace_month", money(pace_month)),
        ("pace", pace_text.to_string()),
        ("change_month", money((per_month - pace_month).abs())),
    ];
    let text = lang.fill(&format!("plan.objective.rule.{}", rule.key()), &args);
    let pace_line = match (rule, pace > 0.0) {
        (Rule::FirstOrder, _) | (Rule::RunRate, _) => String::new(),
        (_, true) if per_month >= pace_month => lang.fill("plan.objective.against_pace_up", &args),
        (_, true) => lang.fill("plan.objective.against_pace_down", &args),
        (_, false) => lang.fill("plan.objective.no_pace", &args),
    };
    let text = [text, pace_line].into_iter().filter(|s| !s.is_empty()).collect::<Vec<_>>().join(" ");
    // Falling: what getting back to last year's level (the window's sales) means — or, when
    // the trend reads against the months before (no year of history), to the window's average.
    let recovery_text = (falling && base > 0.0).then(|| {
        let against_year = a.trend_basis != Some(crate::classify::TrendBasis::PreviousMonths);
        let falling = lang.fill(
            if against_year { "plan.objective.falling_year" } else { "plan.objective.falling_previous" },
            &[("trend", pct(lang, a.trend.map(f64::abs)))],
        );
        let key = match (base > pace, against_year) {
            (true, true) => "plan.objective.recovery",
            (true, false) => "plan.objective.recovery_window",
            (false, _) => "plan.objective.recovery_above",
        };
        lang.fill(
            key,
            &[
                ("falling", falling),
                ("base_month", money(base / m)),
                ("pace_month", money(pace_month)),
                ("gap_month", money((base - pace).max(0.0) / m)),
                ("months", months.to_string()),
            ],
        )
    });

    // The commercial-plan line follows the account's main reason, in this order of weight.
    let main = [Reason::Volume, Reason::Growth, Reason::Profitability, Reason::Strategic, Reason::Potential]
        .into_iter()
        .find(|r| a.reasons.contains(r));
    let plan_key = match main {
        Some(r) => format!("plan.objective.plan.{}", r.as_str()),
        None => "plan.objective.plan.other".to_string(),
    };
    let plan_text = lang.fill(&plan_key, &[("increase", money(target - base)), ("name", a.name.clone())]);
    Objective {
        rule: rule.key().to_string(),
        rate: effective,
        reason: (rule == Rule::Rate).then_some(reason).flatten().map(|r| r.as_str().to_string()),
        base,
        run_rate: pace,
        run_rate_seasonal: seasonal_pace,
        target,
        increase: target - base,
        months,
        per_month,
        current_per_month: base / m,
        run_rate_per_month: pace_month,
        change_per_month: per_month - pace_month,
        falling,
        text,
        recovery_text,
        plan_text,
        monthly: Vec::new(),
        seasonal: false,
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures;
    use super::super::tests::{es, plans};
    use super::*;
    use crate::classify::MonthSales;

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
    fn run_rate_annualises_the_last_three_months_without_the_season() {
        let flat = vec![100.0; 24];
        assert_eq!(run_rate(&flat, 12), (1200.0, true));
        // A summer peak: the same months a year earlier were the same share of their year.
        let mut season = vec![100.0; 24];
        for i in [9, 10, 11, 21, 22, 23] {
            season[i] = 200.0;
        }
        let (pace, seasonal) = run_rate(&season, 12);
        assert!(seasonal && (pace - 1500.0).abs() < 1e-9, "{pace}");
        // No year of history: plain × 4; a 6-month window takes half.
        let mut young = vec![0.0; 24];
        young[21..].fill(300.0);
        assert_eq!(run_rate(&young, 12), (3600.0, false));
        assert_eq!(run_rate(&young, 6), (1800.0, false));
        assert_eq!(run_rate(&[0.0; 24], 12), (0.0, false));
    }

    fn account(sales: f64, reasons: &[Reason], monthly: &[f64]) -> Account {
        let mut a = fixtures::classification().accounts[0].clone();
        a.sales = sales;
        a.reasons = reasons.to_vec();
        let p: Month = "2026-10".parse().unwrap();
        a.monthly = monthly
            .iter()
            .enumerate()
            .map(|(i, v)| MonthSales { month: p.add(i as i32 + 1 - monthly.len() as i32), sales: *v })
            .collect();
        (a.trend, a.trend_basis) = crate::classify::trend(monthly);
        a.growth = None;
        a.potential = None;
        a
    }

    fn period() -> PeriodInfo {
        super::super::period_info(&fixtures::classification(), &es(), None)
    }

    #[test]
    fn each_situation_gets_its_rule_at_the_boundary() {
        let cfg = Config::default(); // 5 %, growth cap 30 %, capture 25 %
        let lang = es();
        let p = period();
        // Steady: 1,000 a month for two years → 12,000 × 1.05; the pace (12,000) is below.
        let steady = account(12_000.0, &[Reason::Volume], &[1000.0; 24]);
        let o = objective(&steady, &cfg, &lang, &p);
        assert_eq!((o.rule.as_str(), o.target), ("rate", 12_600.0));
        assert!(o.text.contains("12.600,00") && o.text.contains("5,0"), "{}", o.text);
        // Selling faster now: the pace is above window × 1.05 → keep the pace.
        let mut v = vec![1000.0; 24];
        v[21..].fill(1500.0);
        let quick = account(13_500.0, &[Reason::Volume], &v);
        let o = objective(&quick, &cfg, &lang, &p);
        assert_eq!(o.rule, "run_rate");
        assert!(o.target >= o.run_rate - 0.01 && o.per_month >= 1500.0, "{o:?}");
        // Exactly at the boundary: the pace equals window × 1.05 → the reason's rate (listed first).
        let mut v = vec![1000.0; 24];
        v[21..].fill(1050.0);
        let edge = account(12_000.0, &[Reason::Volume], &v);
        assert_eq!(objective(&edge, &cfg, &lang, &p).rule, "rate");
        // Growth: +139 % capped at 30 %.
        let mut g = account(12_000.0, &[Reason::Growth], &[1000.0; 24]);
        g.growth = Some(1.39);
        let o = objective(&g, &cfg, &lang, &p);
        assert_eq!((o.rule.as_str(), o.target), ("growth", 15_600.0));
        assert!(o.text.contains("139,0") && o.text.contains("30"), "{}", o.text);
        // Growth below the cap: its own growth.
        g.growth = Some(0.25);
        assert_eq!(objective(&g, &cfg, &lang, &p).target, 15_000.0);
        // New (no prior sales): nine months at 1,000 → the pace (12,000 a year) is above
        // 9,000 × 1.30: keep the pace.
        let mut young = vec![0.0; 24];
        young[15..].fill(1000.0);
        let mut new = account(9_000.0, &[Reason::Growth], &young);
        new.growth = None;
        let o = objective(&new, &cfg, &lang, &p);
        assert_eq!((o.rule.as_str(), o.target), ("run_rate", 12_000.0));
        // Slower lately (800 a month): 8,400 × 1.30 (the cap) is above the pace of 9,600.
        young[21..].fill(800.0);
        let mut new = account(8_400.0, &[Reason::Growth], &young);
        new.growth = None;
        let o = objective(&new, &cfg, &lang, &p);
        assert_eq!((o.rule.as_str(), o.target), ("growth", 10_920.0));
        assert!(o.text.contains("cuenta nueva"), "{}", o.text);
        // Potential only: 6,000 sold, 240,000 potential → 6,000 + 25 % of 234,000.
        let mut pot = account(6_000.0, &[Reason::Potential], &[500.0; 24]);
        pot.potential = Some(240_000.0);
        let o = objective(&pot, &cfg, &lang, &p);
        assert_eq!((o.rule.as_str(), o.target), ("potential", 64_500.0));
        assert!(o.text.contains("240.000,00") && o.text.contains("25"), "{}", o.text);
        // A potential already reached gives no capture target.
        pot.potential = Some(5_000.0);
        assert_eq!(objective(&pot, &cfg, &lang, &p).rule, "rate");
        // No sales, a potential: capture from zero; no potential: a first order.
        let mut none = account(0.0, &[Reason::Potential], &[0.0; 24]);
        none.potential = Some(100_000.0);
        assert_eq!(objective(&none, &cfg, &lang, &p).target, 25_000.0);
        none.potential = None;
        let o = objective(&none, &cfg, &lang, &p);
        assert_eq!((o.rule.as_str(), o.target, o.rate), ("first_order", 0.0, None));
        assert!(o.text.contains("primer pedido"), "{}", o.text);
    }

    #[test]
    fn a_falling_account_is_told_what_recovering_means() {
        let cfg = Config::default();
        let lang = es();
        // 1,000 a month, the last three months 600: −40 % against a year earlier.
        let mut v = vec![1000.0; 24];
        v[21..].fill(600.0);
        let a = account(10_800.0, &[Reason::Volume], &v);
        assert!(a.trend.unwrap() <= FALLING_TREND);
        let o = objective(&a, &cfg, &lang, &period());
        assert!(o.falling);
        // The pace does not set the target; the reason's rate does.
        assert_eq!((o.rule.as_str(), o.target), ("rate", 11_340.0));
        let r = o.recovery_text.unwrap();
        // Last year's level: 900 a month against a pace of 600 → 300 more a month.
        assert!(r.contains("900,00") && r.contains("600,00") && r.contains("300,00"), "{r}");
        // Falling against the months before, its pace still above the window's average (a young
        // account after its first season): the sentence says the target does not rest on it.
        let mut young = vec![0.0; 24];
        young[15..21].fill(1200.0);
        young[21..].fill(1000.0);
        let y = account(10_200.0, &[Reason::Growth], &young);
        assert_eq!(y.trend_basis, Some(crate::classify::TrendBasis::PreviousMonths));
        let o = objective(&y, &cfg, &lang, &period());
        let r = o.recovery_text.unwrap();
        assert!(r.contains("tres meses anteriores") && r.contains("no se apoya"), "{r}");
        // A steady account has no recovery sentence.
        let s = account(12_000.0, &[Reason::Volume], &[1000.0; 24]);
        assert_eq!(objective(&s, &cfg, &lang, &period()).recovery_text, None);
    }

    #[test]
    fn the_target_is_never_below_the_pace_unless_falling() {
        let cfg = Config::default();
        let lang = es();
        let p = period();
        for last in [0.0, 500.0, 900.0, 1000.0, 1200.0, 2000.0, 5000.0] {
            let mut v = vec![1000.0; 24];
            v[21..].fill(last);
            let sales: f64 = v[12..].iter().sum();
            let a = account(sales, &[Reason::Volume], &v);
            let o = objective(&a, &cfg, &lang, &p);
            if !o.falling {
                assert!(o.target + 0.01 >= o.run_rate, "last {last}: {o:?}");
            }
            assert!(o.target.is_finite() && o.target >= 0.0);
        }
    }

    #[test]
    fn fixture_objectives() {
        let p = plans();
        let ana = &p.kams[0];
        let c002 = ana.accounts.iter().find(|a| a.id == "C002").unwrap();
        // Growth 11.1 % (under the 30 % cap) against a 15 % rate for the reason: the rate wins.
        assert_eq!(c002.objective.rule, "rate");
        assert_eq!(c002.objective.reason.as_deref(), Some("growth"));
        assert!((c002.objective.target - 230_000.0).abs() < 1e-6);
        let c001 = &ana.accounts[0];
        assert!(c001.objective.falling && c001.objective.recovery_text.is_some());
        assert!((c001.objective.target - 525_000.0).abs() < 1e-6);
        // No sales: the objective is a first order, never a negative or NaN target.
        let delta = &p.kams[2].accounts[0];
        assert_eq!(delta.objective.target, 0.0);
        assert!(delta.objective.text.contains("primer pedido"), "{}", delta.objective.text);
    }
}
