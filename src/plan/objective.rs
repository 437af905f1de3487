//! Objectives: the target growth rate by reason, the sales objective of an account for the
//! months after P, and the year-on-year trend read.

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

/// The objective of an account with window sales `sales` over `months` months.
pub(super) fn objective(a: &Account, cfg: &Config, lang: &Lang, period: &PeriodInfo) -> Objective {
    let (rate, reason) = target_rate(&a.reasons, cfg);
    let months = period.window_months.max(1);
    let base = a.sales.max(0.0);
    let target = base * (1.0 + rate);
    let per_month = target / months as f64;
    let current_per_month = base / months as f64;
    let why = match reason {
        Some(r) => lang.fill(
            "plan.objective.rate_reason",
            &[("reason", lang.get(&format!("reason.{}", r.as_str())).to_string())],
        ),
        None => lang.get("plan.objective.rate_general").to_string(),
    };
    let text = if base > 0.0 {
        lang.fill(
            "plan.objective.text",
            &[
                ("target", lang.money(target)),
                ("next", period.next_label.clone()),
                ("rate", lang.percent(rate, 1)),
                ("why", why),
                ("per_month", lang.money(per_month)),
                ("increase_month", lang.money(per_month - current_per_month)),
                ("current_month", lang.money(current_per_month)),
                ("months", months.to_string()),
            ],
        )
    } else {
        lang.fill("plan.objective.no_sales", &[("next", period.next_label.clone())])
    };
    // The commercial-plan line follows the account's main reason, in this order of weight.
    let main = [Reason::Volume, Reason::Growth, Reason::Profitability, Reason::Strategic, Reason::Potential]
        .into_iter()
        .find(|r| a.reasons.contains(r));
    let plan_key = match main {
        Some(r) => format!("plan.objective.plan.{}", r.as_str()),
        None => "plan.objective.plan.other".to_string(),
    };
    let plan_text =
        lang.fill(&plan_key, &[("increase", lang.money(target - base)), ("name", a.name.clone())]);
    Objective {
        rate,
        reason: reason.map(|r| r.as_str().to_string()),
        base,
        target,
        increase: target - base,
        months,
        per_month,
        current_per_month,
        increase_per_month: per_month - current_per_month,
        text,
        plan_text,
    }
}

/// Sales of the last 3 months against the same 3 months a year earlier, from the account's
/// monthly series; `None` when the earlier months sold nothing (or are not in the series).
pub fn yoy_trend(a: &Account, period: Month) -> Option<f64> {
    let sum = |last: Month| -> Option<f64> {
        (0..3)
            .map(|i| a.monthly.iter().find(|m| m.month == last.add(-i)).map(|m| m.sales))
            .sum::<Option<f64>>()
    };
    let now = sum(period)?;
    let before = sum(period.add(-12))?;
    (before > 0.0).then(|| (now - before) / before)
}

#[cfg(test)]
mod tests {
    use super::super::fixtures;
    use super::super::tests::plans;
    use super::*;

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
    fn objective_is_sales_times_growth_and_per_month() {
        let p = plans();
        let ana = &p.kams[0];
        let c002 = ana.accounts.iter().find(|a| a.id == "C002").unwrap();
        assert_eq!(c002.objective.reason.as_deref(), Some("growth"));
        assert!((c002.objective.target - 230_000.0).abs() < 1e-6);
        assert!((c002.objective.per_month - 230_000.0 / 12.0).abs() < 1e-6);
        assert!((c002.objective.increase_per_month - 30_000.0 / 12.0).abs() < 1e-6);
        let c001 = &ana.accounts[0];
        assert_eq!(c001.objective.reason, None);
        assert!((c001.objective.target - 525_000.0).abs() < 1e-6);
        assert!(c001.objective.text.contains("525.000,00"), "{}", c001.objective.text);
        assert!((ana.target - 755_000.0).abs() < 1e-6);
        // No sales: the objective is a first order, never a negative or NaN target.
        let delta = &p.kams[2].accounts[0];
        assert_eq!(delta.objective.target, 0.0);
        assert!(delta.objective.text.contains("primer pedido"), "{}", delta.objective.text);
    }

    #[test]
    fn falling_is_read_against_the_same_months_a_year_earlier() {
        let c = fixtures::classification();
        let p = Month { year: 2026, month: 10 };
        let acme = &c.accounts[0];
        assert!((yoy_trend(acme, p).unwrap() + 0.3).abs() < 1e-9);
        // Beta's series grows slowly month on month: stable, not falling.
        let beta = &c.accounts[2];
        assert!(yoy_trend(beta, p).unwrap().abs() < RISING_TREND);
        // No series, or nothing sold a year earlier: no reading.
        assert_eq!(yoy_trend(&c.accounts[5], p), None);
        let mut zero = beta.clone();
        for m in zero.monthly.iter_mut().take(12) {
            m.sales = 0.0;
        }
        assert_eq!(yoy_trend(&zero, p), None);
        // The plan reads the seasonal-free trend first, the 3-against-3 one only without history.
        let plans = plans();
        let a = &plans.kams[0].accounts[0];
        assert!(a.flags.falling && a.trend_read == a.trend_yoy);
        assert!(a.risks[1].contains("mismos meses del año anterior"), "{}", a.risks[1]);
    }
}
