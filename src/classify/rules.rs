//! The method's decisions: ranking, shares, ABC class, the six reasons and concentration.
//!
//! Works on plain per-account sums so the rules can be tested without a dataset, and so the
//! previous period (P−1) can be classified with the same code and nothing else.
//!
//! Money is compared in whole cents (`(sales × 100).round()`): two accounts whose sales agree
//! to the cent tie, and shares computed as cents / total cents land exactly on boundaries such
//! as 80 % when the figures do.

use super::{Abc, Reason};
use crate::config::ClassifyConfig;

/// What the rules need to know about one account.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleInput {
    /// Account id (customer code, or the normalised name): breaks ties in the ranking.
    pub id: String,
    /// Sales in the window W (returns subtract).
    pub sales: f64,
    /// Sales in the prior window.
    pub prior: f64,
    /// Margin in W, when every line of the account in W has a cost or a margin.
    pub margin: Option<f64>,
    /// Listed in `[classify] strategic` or flagged in the customer master.
    pub strategic: bool,
    /// Annual potential from the customer master.
    pub potential: Option<f64>,
}

/// What the rules decided about one account (same order as the inputs).
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    /// Sales rounded to the cent, in cents.
    pub cents: Cents,
    /// 1-based rank among accounts with sales > 0 (to the cent).
    pub rank: Option<u32>,
    pub share: f64,
    /// Share of the accounts ranked up to and including this one.
    pub cumulative_share: f64,
    pub abc: Abc,
    /// (sales − prior) / prior, when growth is available and prior > 0.
    pub growth: Option<f64>,
    /// Growth is available and the account had no sales in the prior window.
    pub new_account: bool,
    /// margin / sales, when sales > 0 and margin is known.
    pub margin_pct: Option<f64>,
    /// Reasons in the fixed order volume, profitability, growth, strategic, potential,
    /// small_portfolio.
    pub reasons: Vec<Reason>,
}

/// Company-level results of the rules.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub decisions: Vec<Decision>,
    /// Sum of the sales of accounts with sales > 0, in cents.
    pub total_cents: Cents,
    /// How many accounts have sales > 0.
    pub ranked: u32,
    /// How many accounts are class A.
    pub class_a: u32,
    /// Sales of the smallest class-A account (the potential rule's bar), in cents.
    pub smallest_a_cents: Option<Cents>,
    /// Shares of the ranked accounts, largest first.
    pub ranked_shares: Vec<f64>,
}

/// Whole cents. 128 bits: ingest bounds every line by `[ingest] max_amount` (≤ 1e15), so even
/// a billion lines sum to under 1e26 cents, far below the 1.7e38 an i128 holds; sums still
/// saturate instead of wrapping, so no input can flip a total's sign.
pub type Cents = i128;

/// Money to whole cents. Non-finite values (never produced by ingest) count as zero cents
/// so that a ranking can never panic.
pub fn cents(v: f64) -> Cents {
    if v.is_finite() {
        (v * 100.0).round() as Cents
    } else {
        0
    }
}

/// `a + b`, checked: saturates at the i128 bounds instead of wrapping.
pub fn add_cents(a: Cents, b: Cents) -> Cents {
    a.checked_add(b).unwrap_or(if b > 0 { Cents::MAX } else { Cents::MIN })
}

/// Applies the method to every account.
///
/// * Ranking: accounts with sales > 0 (to the cent), by sales descending, ties by id ascending.
/// * `share` = sales / total of positive sales; `cumulative_share` includes the account.
/// * ABC: with `before` = cumulative share of the accounts ranked before it, A when
///   `before < volume_share` (so the account that crosses the threshold is in), else B when
///   `before < abc_b_share`, else C. Accounts with sales ≤ 0 are C.
/// * volume: class A.
/// * profitability: sales > 0, `margin_pct ≥ profitable_margin` and `share ≥ min_share`.
/// * growth (only when `growth_available`): sales > 0, `share ≥ min_share`, and prior ≤ 0
///   (a new account) or `(sales − prior) / prior ≥ growth_min`.
/// * strategic: the input flag.
/// * potential: potential ≥ sales of the smallest class-A account, and not class A.
/// * small_portfolio: when 1 ≤ ranked accounts ≤ `all_key_if_accounts_at_most`, every ranked one.
pub fn decide(inputs: &[RuleInput], rules: &ClassifyConfig, growth_available: bool) -> Outcome {
    let account_cents: Vec<Cents> = inputs.iter().map(|a| cents(a.sales)).collect();
    let mut order: Vec<usize> = (0..inputs.len()).filter(|&i| account_cents[i] > 0).collect();
    order.sort_by(|&a, &b| {
        account_cents[b].cmp(&account_cents[a]).then_with(|| inputs[a].id.cmp(&inputs[b].id))
    });
    let total_cents: Cents = order.iter().fold(0, |sum, &i| add_cents(sum, account_cents[i]));
    let ranked = order.len() as u32;

    let mut rank = vec![None; inputs.len()];
    let mut share = vec![0.0; inputs.len()];
    let mut cumulative = vec![0.0; inputs.len()];
    let mut abc = vec![Abc::C; inputs.len()];
    let mut ranked_shares = Vec::with_capacity(order.len());
    let mut before_cents: Cents = 0;
    let mut class_a = 0;
    let mut smallest_a_cents = None;
    for (pos, &i) in order.iter().enumerate() {
        let before = before_cents as f64 / total_cents as f64;
        before_cents = add_cents(before_cents, account_cents[i]);
        rank[i] = Some(pos as u32 + 1);
        share[i] = account_cents[i] as f64 / total_cents as f64;
        cumulative[i] = before_cents as f64 / total_cents as f64;
        ranked_shares.push(share[i]);
        abc[i] = if before < rules.volume_share {
            class_a += 1;
            smallest_a_cents = Some(account_cents[i]);
            Abc::A
        } else if before < rules.abc_b_share {
            Abc::B
        } else {
            Abc::C
        };
    }

    let small_portfolio = ranked >= 1 && ranked <= rules.all_key_if_accounts_at_most;
    let decisions = inputs
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let c = account_cents[i];
            let positive = c > 0;
            let prior_c = cents(a.prior);
            let margin_pct = match a.margin {
                Some(m) if positive => Some(cents(m) as f64 / c as f64),
                _ => None,
            };
            let growth = (growth_available && prior_c > 0).then(|| (c - prior_c) as f64 / prior_c as f64);
            let new_account = growth_available && prior_c <= 0 && positive;
            let big_enough = positive && share[i] >= rules.min_share;
            let mut reasons = Vec::new();
            if abc[i] == Abc::A {
                reasons.push(Reason::Volume);
            }
            if big_enough && margin_pct.is_some_and(|p| p >= rules.profitable_margin) {
                reasons.push(Reason::Profitability);
            }
            if big_enough && (new_account || growth.is_some_and(|g| g >= rules.growth_min)) {
                reasons.push(Reason::Growth);
            }
            if a.strategic {
                reasons.push(Reason::Strategic);
            }
            if abc[i] != Abc::A {
                if let (Some(p), Some(bar)) = (a.potential, smallest_a_cents) {
                    if cents(p) >= bar {
                        reasons.push(Reason::Potential);
                    }
                }
            }
            if small_portfolio && positive {
                reasons.push(Reason::SmallPortfolio);
            }
            Decision {
                cents: c,
                rank: rank[i],
                share: share[i],
                cumulative_share: cumulative[i],
                abc: abc[i],
                growth,
                new_account,
                margin_pct,
                reasons,
            }
        })
        .collect();
    Outcome { decisions, total_cents, ranked, class_a, smallest_a_cents, ranked_shares }
}

/// Concentration of sales over the ranked accounts' shares (largest first).
#[derive(Debug, Clone, PartialEq)]
pub struct ConcentrationFigures {
    pub pareto_accounts_share: f64,
    pub top1_share: f64,
    pub top5_share: f64,
    pub hhi: f64,
    /// "diversified" (HHI < 0.10), "moderate" (0.10–0.25), "concentrated" (> 0.25).
    pub reading: &'static str,
}

/// Pareto ratio (class-A accounts / ranked accounts), top-1 and top-5 share, HHI = Σ share².
pub fn concentration(outcome: &Outcome) -> ConcentrationFigures {
    let s = &outcome.ranked_shares;
    let pareto = if outcome.ranked == 0 { 0.0 } else { outcome.class_a as f64 / outcome.ranked as f64 };
    let hhi: f64 = s.iter().map(|x| x * x).sum();
    ConcentrationFigures {
        pareto_accounts_share: pareto,
        top1_share: s.first().copied().unwrap_or(0.0),
        top5_share: s.iter().take(5).sum(),
        hhi,
        reading: hhi_reading(hhi),
    }
}

/// The reading of an HHI: < 0.10 diversified, 0.10 to 0.25 moderate, > 0.25 concentrated.
pub fn hhi_reading(hhi: f64) -> &'static str {
    if hhi < 0.10 {
        "diversified"
    } else if hhi <= 0.25 {
        "moderate"
    } else {
        "concentrated"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn acc(id: &str, sales: f64) -> RuleInput {
        RuleInput { id: id.into(), sales, prior: 0.0, margin: None, strategic: false, potential: None }
    }

    fn rules() -> ClassifyConfig {
        ClassifyConfig::default()
    }

    /// Without prior data, so that accounts without prior sales are not "new".
    fn run(inputs: &[RuleInput]) -> Outcome {
        decide(inputs, &rules(), false)
    }

    fn abc_of(o: &Outcome) -> String {
        o.decisions.iter().map(|d| format!("{:?}", d.abc)).collect()
    }

    #[test]
    fn account_reaching_exactly_80_percent_is_in_and_next_is_out() {
        // 40 + 40 = exactly 80 %: the second crosses (before 40 % < 80 %) and is A;
        // the third starts at exactly 80 %, which is not below 80 %, so it is B.
        let o = run(&[acc("a", 40.0), acc("b", 40.0), acc("c", 15.0), acc("d", 5.0)]);
        assert_eq!(abc_of(&o), "AABC");
        assert_eq!(o.decisions[1].cumulative_share, 0.8);
        assert_eq!(o.decisions[2].cumulative_share, 0.95);
        assert_eq!(o.class_a, 2);
    }

    #[test]
    fn account_crossing_80_percent_is_volume() {
        // before the second: 50 % < 80 %, it takes the total to 85 %: in.
        let o = run(&[acc("a", 50.0), acc("b", 35.0), acc("c", 15.0)]);
        assert_eq!(abc_of(&o), "AAB");
        assert_eq!(o.decisions[1].reasons, vec![Reason::Volume]);
    }

    #[test]
    fn class_b_boundary_at_95_percent() {
        // before d: 95 % exactly → C; before c: 80 % → B.
        let o = run(&[acc("a", 60.0), acc("b", 20.0), acc("c", 15.0), acc("d", 5.0)]);
        assert_eq!(abc_of(&o), "AABC");
    }

    #[test]
    fn ties_to_the_cent_rank_by_id() {
        let o = run(&[acc("zeta", 100.004), acc("alfa", 100.0), acc("beta", 100.001), acc("x", 50.0)]);
        let ranks: Vec<_> = o.decisions.iter().map(|d| d.rank.unwrap()).collect();
        assert_eq!(ranks, vec![3, 1, 2, 4]);
        // a cent more wins over the id
        let o = run(&[acc("zeta", 100.01), acc("alfa", 100.0)]);
        assert_eq!(o.decisions[0].rank, Some(1));
    }

    #[test]
    fn returns_making_an_account_negative_put_it_in_c_unranked() {
        let o = run(&[acc("a", 100.0), acc("b", -20.0), acc("c", 0.004), acc("d", 0.0)]);
        for d in &o.decisions[1..] {
            assert_eq!((d.rank, d.abc, d.share), (None, Abc::C, 0.0));
        }
        assert_eq!(o.total_cents, 10000, "negative accounts do not lower the total");
        assert_eq!(o.decisions[0].share, 1.0);
        // one account with sales: small portfolio, the others get no reason
        assert_eq!(o.decisions[0].reasons, vec![Reason::Volume, Reason::SmallPortfolio]);
        assert!(o.decisions[1..].iter().all(|d| d.reasons.is_empty()));
    }

    #[test]
    fn one_and_two_customers_are_all_key_three_are_not() {
        let one = run(&[acc("a", 10.0)]);
        assert!(one.decisions[0].reasons.contains(&Reason::SmallPortfolio));
        let two = run(&[acc("a", 99.0), acc("b", 1.0)]);
        assert_eq!(abc_of(&two), "AC");
        assert_eq!(two.decisions[1].reasons, vec![Reason::SmallPortfolio]);
        let three = run(&[acc("a", 98.0), acc("b", 1.0), acc("c", 1.0)]);
        assert!(three.decisions.iter().all(|d| !d.reasons.contains(&Reason::SmallPortfolio)));
        assert!(three.decisions[1].reasons.is_empty());
    }

    #[test]
    fn profitability_at_its_boundaries() {
        // margin 40 % exactly qualifies; 39.99 % does not; share below min_share does not.
        let mut big = vec![acc("big", 100_000.0)];
        let cases = [
            (1_000.0, Some(400.0), true),
            (1_000.0, Some(399.9), false),
            (1_000.0, None, false),
            // share 299 / 100299 ≈ 0.00298 < 0.003
            (299.0, Some(299.0), false),
            // share 301 / 100301 ≈ 0.003001 ≥ 0.003
            (301.0, Some(200.0), true),
        ];
        for (sales, margin, expected) in cases {
            big.truncate(1);
            big.push(RuleInput { margin, ..acc("small", sales) });
            big.push(acc("c", 1.0));
            let o = run(&big);
            let got = o.decisions[1].reasons.contains(&Reason::Profitability);
            assert_eq!(got, expected, "sales {sales} margin {margin:?}");
        }
    }

    #[test]
    fn growth_at_30_percent_new_accounts_and_no_prior_data() {
        let base = || vec![acc("big", 10_000.0), acc("z", 1.0), acc("y", 1.0)];
        let cases = [
            (130.0, 100.0, true, Some(0.3)),
            (129.99, 100.0, false, Some(0.2999)),
            (50.0, 0.0, true, None),
            (50.0, -10.0, true, None),
            (-5.0, 0.0, false, None),
        ];
        for (sales, prior, expected, growth) in cases {
            let mut v = base();
            v.push(RuleInput { prior, ..acc("g", sales) });
            let o = decide(&v, &rules(), true);
            let d = &o.decisions[3];
            assert_eq!(d.reasons.contains(&Reason::Growth), expected, "{sales} vs {prior}");
            assert_eq!(d.growth, growth, "{sales} vs {prior}");
            // without prior data growth is not available for anybody
            let o = decide(&v, &rules(), false);
            assert!(!o.decisions[3].reasons.contains(&Reason::Growth));
            assert_eq!(o.decisions[3].growth, None);
            assert!(!o.decisions[3].new_account);
        }
    }

    #[test]
    fn potential_against_the_smallest_a_account() {
        // A accounts: a (600) and b (300); smallest A = 300.
        let mk = |p: f64| {
            vec![
                acc("a", 600.0),
                acc("b", 300.0),
                RuleInput { potential: Some(p), ..acc("c", 100.0) },
                RuleInput { potential: Some(p), ..acc("d", 0.0) },
                RuleInput { potential: Some(1e9), ..acc("a2", 0.0) },
            ]
        };
        let o = run(&mk(300.0));
        assert_eq!(o.smallest_a_cents, Some(30000));
        assert_eq!(o.decisions[2].reasons, vec![Reason::Potential]);
        assert_eq!(o.decisions[3].reasons, vec![Reason::Potential], "a prospect without sales");
        let o = run(&mk(299.99));
        assert!(o.decisions[2].reasons.is_empty());
        // an A account with huge potential is volume, not potential
        let mut v = mk(0.0);
        v[0].potential = Some(1e9);
        assert_eq!(run(&v).decisions[0].reasons, vec![Reason::Volume]);
    }

    #[test]
    fn potential_needs_an_a_account() {
        let o = run(&[RuleInput { potential: Some(1e6), ..acc("p", 0.0) }]);
        assert!(o.decisions[0].reasons.is_empty());
    }

    #[test]
    fn strategic_is_key_even_without_sales_and_reasons_keep_their_order() {
        let o = decide(
            &[
                RuleInput { strategic: true, margin: Some(90.0), ..acc("a", 100.0) },
                RuleInput { strategic: true, ..acc("b", 0.0) },
            ],
            &rules(),
            true,
        );
        assert_eq!(
            o.decisions[0].reasons,
            vec![
                Reason::Volume,
                Reason::Profitability,
                Reason::Growth,
                Reason::Strategic,
                Reason::SmallPortfolio
            ]
        );
        assert_eq!(o.decisions[1].reasons, vec![Reason::Strategic]);
    }

    /// Issue 14 (4): sales far beyond any book (a pasted EAN that got past ingest) never wrap a
    /// total negative; the ranking and the shares stay those of the amounts.
    #[test]
    fn huge_sales_never_wrap_the_totals() {
        let o = run(&[acc("ean", 1.2e19), acc("b", 3e18), acc("c", 100.0)]);
        assert!(o.total_cents > 0, "{}", o.total_cents);
        assert_eq!(o.total_cents, cents(1.2e19) + cents(3e18) + 10_000);
        assert!(o.decisions.iter().all(|d| d.share >= 0.0 && d.share <= 1.0));
        assert_eq!(add_cents(Cents::MAX, 1), Cents::MAX);
        assert_eq!(add_cents(Cents::MIN, -1), Cents::MIN);
        assert_eq!(cents(f64::NAN), 0);
    }

    #[test]
    fn no_sales_at_all_gives_no_classes() {
        let o = run(&[acc("a", 0.0), acc("b", -1.0)]);
        assert_eq!((o.ranked, o.total_cents, o.class_a), (0, 0, 0));
        let c = concentration(&o);
        assert_eq!((c.pareto_accounts_share, c.top1_share, c.hhi), (0.0, 0.0, 0.0));
    }

    #[test]
    fn concentration_figures_and_readings() {
        let o = run(&[acc("a", 50.0), acc("b", 30.0), acc("c", 20.0)]);
        let c = concentration(&o);
        assert_eq!(c.top1_share, 0.5);
        assert!((c.top5_share - 1.0).abs() < 1e-12);
        assert!((c.hhi - 0.38).abs() < 1e-12);
        assert_eq!(c.reading, "concentrated");
        assert!((c.pareto_accounts_share - 2.0 / 3.0).abs() < 1e-12);
        for (h, r) in
            [(0.0999, "diversified"), (0.10, "moderate"), (0.25, "moderate"), (0.2501, "concentrated")]
        {
            assert_eq!(hhi_reading(h), r, "{h}");
        }
    }

    proptest! {
        #[test]
        fn shares_sum_to_one_and_a_is_the_shortest_prefix(
            sales in proptest::collection::vec(-1_000.0f64..100_000.0, 1..60),
            volume_share in 0.0f64..=1.0,
            margins in proptest::collection::vec(proptest::option::of(-500.0f64..50_000.0), 60),
            strategic in proptest::collection::vec(any::<bool>(), 60),
        ) {
            let mut r = rules();
            r.volume_share = volume_share;
            r.abc_b_share = volume_share.max(0.95);
            let inputs: Vec<_> = sales.iter().enumerate().map(|(i, &s)| RuleInput {
                margin: margins[i],
                strategic: strategic[i],
                prior: s / 2.0,
                ..acc(&format!("c{i:03}"), s)
            }).collect();
            let o = decide(&inputs, &r, true);
            if o.ranked > 0 {
                let sum: f64 = o.decisions.iter().map(|d| d.share).sum();
                prop_assert!((sum - 1.0).abs() < 1e-9, "shares sum to {}", sum);
            }
            // ranked order
            let mut ranked: Vec<&Decision> = o.decisions.iter().filter(|d| d.rank.is_some()).collect();
            ranked.sort_by_key(|d| d.rank);
            // class A is exactly the shortest prefix whose cumulative share reaches volume_share
            let shortest = ranked.iter().position(|d| d.cumulative_share >= volume_share)
                .map(|p| if volume_share <= 0.0 { 0 } else { p + 1 })
                .unwrap_or(ranked.len());
            let a_count = ranked.iter().take_while(|d| d.abc == Abc::A).count();
            prop_assert_eq!(a_count, o.class_a as usize);
            prop_assert_eq!(a_count, shortest);
            prop_assert!(ranked[a_count..].iter().all(|d| d.abc != Abc::A));
            // cumulative shares rise and end at 1
            for w in ranked.windows(2) {
                prop_assert!(w[0].cumulative_share <= w[1].cumulative_share);
                prop_assert!(w[0].cents >= w[1].cents);
            }
            // every account with a reason has one, reasons are ordered and unique
            for d in &o.decisions {
                let mut sorted = d.reasons.clone();
                sorted.sort();
                sorted.dedup();
                prop_assert_eq!(&sorted, &d.reasons);
                prop_assert_eq!(d.abc == Abc::A, d.reasons.contains(&Reason::Volume));
                if d.rank.is_none() {
                    prop_assert_eq!(d.abc, Abc::C);
                }
            }
        }
    }
}
