//! The account aggregation: every customer with a line in the window or the prior window (and
//! master-only prospects that may be key), with its sums, master record and strategic flag.

use std::collections::{HashMap, HashSet};

use super::{norm, rules, tidy, Reason};
use crate::config::Config;
use crate::ingest::{Dataset, FxMap, Sym};
use crate::period::{Month, Window};

/// Sums of one account over W and the prior window.
#[derive(Debug, Clone)]
pub(super) struct Acc {
    pub(super) sym: Option<Sym>,
    pub(super) id: String,
    pub(super) name: String,
    pub(super) master: Option<usize>,
    pub(super) sales: f64,
    pub(super) prior: f64,
    pub(super) margin: f64,
    pub(super) lines_w: u32,
    pub(super) margin_lines_w: u32,
    pub(super) strategic_config: bool,
    /// From the master, with no line in W or the prior window.
    pub(super) master_only: bool,
}

impl Acc {
    fn new(sym: Option<Sym>, id: String, name: String) -> Acc {
        Acc {
            sym,
            id,
            name,
            master: None,
            sales: 0.0,
            prior: 0.0,
            margin: 0.0,
            lines_w: 0,
            margin_lines_w: 0,
            strategic_config: false,
            master_only: false,
        }
    }

    pub(super) fn margin(&self) -> Option<f64> {
        (self.lines_w > 0 && self.margin_lines_w == self.lines_w).then_some(self.margin)
    }

    pub(super) fn strategic(&self, data: &Dataset) -> bool {
        self.strategic_config || self.master.is_some_and(|m| data.master[m].strategic)
    }
}

/// The accounts of a period with their sums, master records and strategic flags.
pub(super) struct Collected {
    pub(super) accs: Vec<Acc>,
    pub(super) by_sym: FxMap<Sym, usize>,
    /// Lines in W / in the prior window, over all customers.
    pub(super) lines_w: u32,
    pub(super) lines_prior: u32,
    pub(super) margin_lines_w: u32,
    pub(super) margin_w: f64,
    pub(super) net_sales: f64,
    /// `[classify] strategic` entries that matched no account.
    pub(super) unmatched_strategic: Vec<String>,
}

pub(super) fn collect(data: &Dataset, cfg: &Config, period: Month) -> Collected {
    let window = Window::ending(period, cfg.classify.window_months);
    let prior = window.prior();
    let mut accs: Vec<Acc> = Vec::new();
    let mut by_sym: FxMap<Sym, usize> = FxMap::default();
    let (mut lines_w, mut lines_prior, mut margin_lines_w) = (0, 0, 0);
    let (mut margin_w, mut net_sales) = (0.0, 0.0);
    for t in &data.transactions {
        let in_w = window.contains(t.date);
        if !in_w && !prior.contains(t.date) {
            continue;
        }
        let i = *by_sym.entry(t.customer).or_insert_with(|| {
            accs.push(Acc::new(
                Some(t.customer),
                data.strings.resolve(t.customer).to_string(),
                tidy(data.customer_name(t.customer)),
            ));
            accs.len() - 1
        });
        let a = &mut accs[i];
        if in_w {
            lines_w += 1;
            a.lines_w += 1;
            a.sales += t.amount;
            net_sales += t.amount;
            if let Some(m) = t.line_margin() {
                a.margin += m;
                a.margin_lines_w += 1;
                margin_w += m;
                margin_lines_w += 1;
            }
        } else {
            lines_prior += 1;
            a.prior += t.amount;
        }
    }
    // The data's order decides nothing: accounts are kept in id order.
    accs.sort_by(|a, b| a.id.cmp(&b.id));
    for (i, a) in accs.iter().enumerate() {
        if let Some(s) = a.sym {
            by_sym.insert(s, i);
        }
    }

    // Master records, matched by id, else by name (books without codes use the name as id).
    let mut master_by_id: HashMap<String, usize> = HashMap::new();
    let mut master_by_name: HashMap<String, usize> = HashMap::new();
    for (i, m) in data.master.iter().enumerate() {
        master_by_id.entry(norm(&m.id)).or_insert(i);
        if let Some(n) = m.name.as_deref().filter(|n| !n.trim().is_empty()) {
            master_by_name.entry(norm(n)).or_insert(i);
        }
    }
    let mut matched = vec![false; data.master.len()];
    for a in &mut accs {
        let (id, name) = (norm(&a.id), norm(&a.name));
        a.master = master_by_id
            .get(&id)
            .or_else(|| master_by_name.get(&name))
            .or_else(|| master_by_name.get(&id))
            .copied();
        if let Some(m) = a.master {
            matched[m] = true;
        }
    }

    // An entry is a code or a name, so it is compared both ways, by the rule of
    // `ingest::customer_key`: "01002" is customer 1002, " c-17" is C-17, "ACME  sa" is Acme SA.
    let strategic: Vec<[String; 2]> = cfg
        .classify
        .strategic
        .iter()
        .filter(|s| !s.trim().is_empty())
        .map(|s| [norm(s), norm(&crate::ingest::keys::code_key(s).unwrap_or_default())])
        .collect();
    let mut strategic_hit = vec![false; strategic.len()];
    let mut hits = |keys: &[String]| {
        let mut any = false;
        for (j, s) in strategic.iter().enumerate() {
            if keys.iter().any(|k| s.contains(k)) {
                strategic_hit[j] = true;
                any = true;
            }
        }
        any
    };
    let master_keys = |m: usize| {
        let r = &data.master[m];
        let mut keys = vec![norm(&r.id)];
        if let Some(n) = &r.name {
            keys.push(norm(n));
        }
        keys
    };
    for a in &mut accs {
        let mut keys = vec![norm(&a.id), norm(&a.name)];
        if let Some(m) = a.master {
            keys.extend(master_keys(m));
        }
        a.strategic_config = hits(&keys);
    }
    // Master-only customers: candidates when strategic or with a potential; the rules decide.
    let mut seen: HashSet<String> = accs.iter().map(|a| norm(&a.id)).collect();
    for (m, r) in data.master.iter().enumerate() {
        if matched[m] || !seen.insert(norm(&r.id)) {
            continue;
        }
        let listed = hits(&master_keys(m));
        if !(listed || r.strategic || r.potential.is_some_and(|p| p > 0.0)) {
            continue;
        }
        // Master ids are keys already (the rule of `ingest::customer_key`).
        let id = r.id.clone();
        let name = r.name.as_deref().map(tidy).filter(|n| !n.is_empty()).unwrap_or_else(|| id.clone());
        let mut a = Acc::new(None, id, name);
        a.master = Some(m);
        a.strategic_config = listed;
        a.master_only = true;
        accs.push(a);
    }
    let unmatched_strategic = cfg
        .classify
        .strategic
        .iter()
        .filter(|s| !s.trim().is_empty())
        .zip(strategic_hit)
        .filter(|(_, hit)| !hit)
        .map(|(s, _)| tidy(s))
        .collect();
    Collected { accs, by_sym, lines_w, lines_prior, margin_lines_w, margin_w, net_sales, unmatched_strategic }
}

pub(super) fn rule_inputs(c: &Collected, data: &Dataset) -> Vec<rules::RuleInput> {
    c.accs
        .iter()
        .map(|a| rules::RuleInput {
            id: a.id.clone(),
            sales: a.sales,
            prior: a.prior,
            margin: a.margin(),
            strategic: a.strategic(data),
            potential: a.master.and_then(|m| data.master[m].potential),
        })
        .collect()
}

/// The key accounts at `period` with their reasons, or `None` when its window has no line at
/// all (then "was key" means nothing). Used for P−1; it never classifies further back.
pub(super) fn key_reasons(
    data: &Dataset,
    cfg: &Config,
    period: Month,
) -> Option<HashMap<String, Vec<Reason>>> {
    let c = collect(data, cfg, period);
    if c.lines_w == 0 {
        return None;
    }
    let o = rules::decide(&rule_inputs(&c, data), &cfg.classify, c.lines_prior > 0);
    Some(
        c.accs
            .iter()
            .zip(&o.decisions)
            .filter(|(_, d)| !d.reasons.is_empty())
            .map(|(a, d)| (a.id.clone(), d.reasons.clone()))
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::*;
    use super::super::*;
    use crate::ingest::MasterRecord;

    #[test]
    fn strategic_by_config_or_master_even_without_sales() {
        let mut d = four();
        d.master.push(MasterRecord { strategic: true, name: Some("Gran Cliente".into()), ..master("x9") });
        d.master.push(MasterRecord { name: Some("Dormido".into()), ..master("z1") });
        let mut cfg = Config::default();
        cfg.classify.strategic = vec![" C ".into(), "nadie".into()];
        let c = run(&d, &cfg, "2026-10");
        // by id, case- and space-insensitive
        assert_eq!(acc(&c, "c").reasons, vec![Reason::Strategic]);
        assert!(acc(&c, "c").explanation[0].contains("configuración"));
        // a master-only strategic customer is listed, key, unranked, with sales 0
        let x = acc(&c, "x9");
        assert_eq!((x.name.as_str(), x.sales, x.rank, x.key), ("Gran Cliente", 0.0, None, true));
        assert!(x.explanation[0].contains("maestro"));
        // a master-only customer that is not key is not listed
        assert!(c.accounts.iter().all(|a| a.id != "z1"));
        assert!(c.warnings.iter().any(|w| w.contains("nadie")), "{:?}", c.warnings);
    }

    #[test]
    fn strategic_codes_follow_the_customer_code_rule() {
        let d = dataset(&[l("2026-01-10", "1002", 500.0), l("2026-01-10", "C-17", 100.0)]);
        let mut cfg = Config::default();
        cfg.classify.strategic = vec!["01002".into(), " c-17 ".into(), "1003.0".into()];
        let c = run(&d, &cfg, "2026-10");
        assert!(acc(&c, "1002").strategic, "zero-padded in the config");
        assert!(acc(&c, "C-17").strategic, "case and spaces ignored");
        assert!(c.warnings.iter().any(|w| w.contains("1003.0")), "{:?}", c.warnings);
    }

    #[test]
    fn potential_against_the_smallest_a_and_master_by_name() {
        let mut d = four();
        // smallest A is b with 300: c (150 sales) with potential 300 is key, 299.99 is not
        d.master.push(MasterRecord { potential: Some(300.0), ..master("C") });
        d.master.push(MasterRecord { potential: Some(299.99), ..master("d") });
        let c = run(&d, &Config::default(), "2026-10");
        assert_eq!(acc(&c, "c").reasons, vec![Reason::Potential]);
        assert!(!acc(&c, "d").reasons.contains(&Reason::Potential));
        assert!(acc(&c, "c").explanation[0].contains("300,00\u{a0}€"), "{:?}", acc(&c, "c").explanation);
    }

    #[test]
    fn profitability_needs_margin_on_every_line() {
        let lines = [
            L { cost: 50.0, ..l("2026-01-01", "a", 100.0) },
            L { cost: 10.0, ..l("2026-01-01", "b", 100.0) },
            l("2026-01-02", "b", 100.0),
            L { cost: 90.0, ..l("2026-01-01", "c", 100.0) },
        ];
        let c = run(&dataset(&lines), &Config::default(), "2026-10");
        assert_eq!(acc(&c, "a").margin_pct, Some(0.5));
        assert!(acc(&c, "a").reasons.contains(&Reason::Profitability));
        assert_eq!(acc(&c, "b").margin, None, "one line of b has no cost");
        assert_eq!(c.totals.margin, None);
        assert_eq!(acc(&c, "c").margin_pct, Some(0.1));
        assert!(!acc(&c, "c").reasons.contains(&Reason::Profitability));
    }
}
