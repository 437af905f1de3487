//! Explanations: one sentence per reason in the output language, and lists cut to ten.

use super::accounts::Acc;
use super::{Account, Reason};
use crate::config::ClassifyConfig;
use crate::lang::Lang;

/// At most ten items, then "and N more" in the output language.
pub(super) fn list_some(lang: &Lang, items: &[String]) -> String {
    const MAX: usize = 10;
    let mut s = items.iter().take(MAX).cloned().collect::<Vec<_>>().join(", ");
    if items.len() > MAX {
        s.push_str(&lang.fill("warn.more", &[("count", (items.len() - MAX).to_string())]));
    }
    s
}

/// The explanation sentence of one reason (`explain.*` in the language file).
pub(super) fn explain(
    reason: Reason,
    a: &Account,
    acc: &Acc,
    lang: &Lang,
    months: u32,
    ranked: u32,
    smallest_a: Option<f64>,
) -> String {
    let pct = |v: f64| lang.percent(v, 1);
    match reason {
        Reason::Volume => lang.fill(
            "explain.volume",
            &[
                ("rank", a.rank.unwrap_or(0).to_string()),
                ("cumulative", pct(a.cumulative_share)),
                ("share", pct(a.share)),
            ],
        ),
        Reason::Profitability => lang.fill(
            "explain.profitability",
            &[("margin_pct", pct(a.margin_pct.unwrap_or(0.0))), ("share", pct(a.share))],
        ),
        Reason::Growth => match a.growth {
            Some(g) if !a.new_account => {
                let sign = if g > 0.0 { "+" } else { "" };
                lang.fill(
                    "explain.growth",
                    &[("growth", format!("{sign}{}", lang.percent(g, 0))), ("months", months.to_string())],
                )
            }
            _ => lang.fill(
                "explain.growth_new",
                &[("months", months.to_string()), ("sales", lang.money(a.sales))],
            ),
        },
        Reason::Strategic => {
            if acc.strategic_config {
                lang.get("explain.strategic_config").to_string()
            } else {
                lang.get("explain.strategic_master").to_string()
            }
        }
        Reason::Potential => lang.fill(
            "explain.potential",
            &[
                ("potential", lang.money(a.potential.unwrap_or(0.0))),
                ("smallest", lang.money(smallest_a.unwrap_or(0.0))),
            ],
        ),
        Reason::SmallPortfolio => {
            if ranked == 1 {
                lang.get("explain.small_portfolio_one").to_string()
            } else {
                lang.fill("explain.small_portfolio", &[("count", ranked.to_string())])
            }
        }
    }
}

/// What the rules were checked against, for the sentences of [`no_longer`].
pub(super) struct Facts<'a> {
    pub(super) cfg: &'a ClassifyConfig,
    pub(super) ranked: u32,
    pub(super) smallest_a: Option<f64>,
    pub(super) growth_available: bool,
}

/// Why an account that was key by `reason` at P−1 is not key by it now: the rule it no longer
/// meets, with its figures now (`no_longer.*` in the language file).
pub(super) fn no_longer(reason: Reason, a: &Account, lang: &Lang, f: &Facts) -> String {
    let pct = |v: f64| lang.percent(v, 1);
    let below_share = a.share < f.cfg.min_share;
    let share_args = |key: &str| {
        lang.fill(key, &[("share", pct(a.share)), ("min_share", lang.percent(f.cfg.min_share, 1))])
    };
    match reason {
        Reason::Volume => match a.rank {
            Some(rank) => lang.fill(
                "no_longer.volume",
                &[
                    ("rank", rank.to_string()),
                    ("before", pct(a.cumulative_share - a.share)),
                    ("volume", lang.percent(f.cfg.volume_share, 0)),
                ],
            ),
            None => lang.get("no_longer.no_sales").to_string(),
        },
        Reason::Profitability if a.sales <= 0.0 => lang.get("no_longer.no_sales").to_string(),
        Reason::Profitability => match a.margin_pct {
            Some(m) if m < f.cfg.profitable_margin => lang.fill(
                "no_longer.profitability",
                &[("margin_pct", pct(m)), ("min_margin", lang.percent(f.cfg.profitable_margin, 0))],
            ),
            Some(_) if below_share => share_args("no_longer.share"),
            _ => lang.get("no_longer.margin_unknown").to_string(),
        },
        Reason::Growth if !f.growth_available => lang.get("no_longer.growth_unavailable").to_string(),
        Reason::Growth if a.sales <= 0.0 => lang.get("no_longer.no_sales").to_string(),
        Reason::Growth if below_share => share_args("no_longer.share"),
        Reason::Growth => lang.fill(
            "no_longer.growth",
            &[
                ("growth", a.growth.map(pct).unwrap_or_else(|| "—".into())),
                ("growth_min", lang.percent(f.cfg.growth_min, 0)),
            ],
        ),
        Reason::Strategic => lang.get("no_longer.strategic").to_string(),
        Reason::Potential => match a.potential {
            Some(p) => lang.fill(
                "no_longer.potential",
                &[("potential", lang.money(p)), ("smallest", lang.money(f.smallest_a.unwrap_or(0.0)))],
            ),
            None => lang.get("no_longer.potential_none").to_string(),
        },
        Reason::SmallPortfolio => lang.fill(
            "no_longer.small_portfolio",
            &[("count", f.ranked.to_string()), ("max", f.cfg.all_key_if_accounts_at_most.to_string())],
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::*;
    use super::super::*;

    #[test]
    fn explanations_in_both_languages() {
        let d = four();
        let c = run(&d, &Config::default(), "2026-10");
        assert_eq!(
            acc(&c, "b").explanation,
            vec![
                "Clave por volumen: puesto 2, acumula el 80,0\u{a0}% de las ventas".to_string(),
                "Clave por crecimiento: +50\u{a0}% frente a los 12 meses anteriores".to_string(),
            ]
        );
        let en = Lang::load("en", "€", None).unwrap();
        let c = classify(&d, &Config::default(), m("2026-10"), &en);
        assert_eq!(acc(&c, "b").explanation[1], "Key by growth: +50% against the prior 12 months");
        assert!(acc(&c, "d").explanation[0].starts_with("Key by growth: new account, with €50.00"));
    }
}
