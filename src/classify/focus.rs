//! Focus: when a KAM holds more key accounts than `[plan] kam_capacity`, the stricter settings
//! that would focus the list — the same rules re-run on the same accounts with one threshold
//! changed, and what each would give.

use std::collections::HashMap;

use serde::Serialize;

use super::rules::{self, RuleInput};
use crate::config::Config;

/// A stricter setting and what the classification would be with it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FocusOption {
    /// The key in `kamplan.toml`: `classify.volume_share`, `classify.min_share`.
    pub setting: String,
    pub value: f64,
    /// Key accounts there would be.
    pub key_accounts: u32,
    /// Key accounts of the busiest KAM (KAMs as now).
    pub max_per_kam: u32,
}

/// The most key accounts any KAM holds, given each account's KAM.
fn busiest(inputs: &[RuleInput], keys: &[bool], kam_of: &HashMap<&str, &str>) -> u32 {
    let mut per: HashMap<&str, u32> = HashMap::new();
    for (i, k) in inputs.iter().zip(keys) {
        if *k {
            *per.entry(kam_of.get(i.id.as_str()).copied().unwrap_or("")).or_default() += 1;
        }
    }
    per.values().copied().max().unwrap_or(0)
}

/// When the busiest KAM holds more than `[plan] kam_capacity` key accounts: each of a few
/// stricter settings — `volume_share` 0.70, 0.60, 0.50 (those below the current one) and
/// `min_share` ×3 and ×10 — with the key accounts it would give. Empty when no KAM is over.
pub(super) fn focus_options(
    inputs: &[RuleInput],
    current_keys: &[bool],
    cfg: &Config,
    growth_available: bool,
    kam_of: &HashMap<&str, &str>,
) -> Vec<FocusOption> {
    if busiest(inputs, current_keys, kam_of) <= cfg.plan.kam_capacity {
        return Vec::new();
    }
    let c = &cfg.classify;
    let mut tries: Vec<(&str, f64)> = [0.70, 0.60, 0.50]
        .into_iter()
        .filter(|v| *v < c.volume_share - 1e-9)
        .map(|v| ("classify.volume_share", v))
        .collect();
    tries.extend(
        [c.min_share * 3.0, c.min_share * 10.0]
            .into_iter()
            .filter(|v| *v > 0.0 && *v <= 1.0)
            .map(|v| ("classify.min_share", (v * 10_000.0).round() / 10_000.0)),
    );
    tries
        .into_iter()
        .map(|(setting, value)| {
            let mut rules_cfg = c.clone();
            match setting {
                "classify.volume_share" => rules_cfg.volume_share = value,
                _ => rules_cfg.min_share = value,
            }
            let o = rules::decide(inputs, &rules_cfg, growth_available);
            let keys: Vec<bool> = o.decisions.iter().map(|d| !d.reasons.is_empty()).collect();
            FocusOption {
                setting: setting.into(),
                value,
                key_accounts: keys.iter().filter(|k| **k).count() as u32,
                max_per_kam: busiest(inputs, &keys, kam_of),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(id: &str, sales: f64) -> RuleInput {
        RuleInput { id: id.into(), sales, prior: sales, margin: None, strategic: false, potential: None }
    }

    #[test]
    fn stricter_settings_are_offered_only_when_a_kam_is_over_capacity() {
        // 100 equal accounts: 80 are class A; all with one KAM.
        let inputs: Vec<RuleInput> = (0..100).map(|i| input(&format!("c{i:03}"), 1000.0)).collect();
        let ids: Vec<String> = inputs.iter().map(|i| i.id.clone()).collect();
        let kam_of: HashMap<&str, &str> = ids.iter().map(|i| (i.as_str(), "Ana")).collect();
        let cfg = Config::default();
        let o = rules::decide(&inputs, &cfg.classify, true);
        let keys: Vec<bool> = o.decisions.iter().map(|d| !d.reasons.is_empty()).collect();
        assert_eq!(keys.iter().filter(|k| **k).count(), 80);
        let opts = focus_options(&inputs, &keys, &cfg, true, &kam_of);
        let got: Vec<(&str, f64, u32, u32)> =
            opts.iter().map(|o| (o.setting.as_str(), o.value, o.key_accounts, o.max_per_kam)).collect();
        assert_eq!(
            got,
            [
                ("classify.volume_share", 0.7, 70, 70),
                ("classify.volume_share", 0.6, 60, 60),
                ("classify.volume_share", 0.5, 50, 50),
                // min_share only gates profitability and growth: nothing changes here.
                ("classify.min_share", 0.009, 80, 80),
                ("classify.min_share", 0.03, 80, 80),
            ]
        );
        // Within capacity: nothing to suggest.
        let mut roomy = cfg.clone();
        roomy.plan.kam_capacity = 80;
        assert!(focus_options(&inputs, &keys, &roomy, true, &kam_of).is_empty());
    }
}
