//! Who manages each account: the KAM assignment rule, KAM names as one spelling, and the
//! per-KAM summary.

use std::collections::HashMap;

use super::{collate, norm, tidy, Account, KamSummary};
use crate::config::AssignConfig;
use crate::ingest::KamContact;

/// Where an account's KAM came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The customer master's KAM column.
    Master,
    /// The territory map: `[assign.map]` or the KAM directory's region column.
    Territory,
    /// The salesperson with the largest sales on the account.
    Salesperson,
    /// Nobody: `default_kam`.
    Default,
    /// Nothing in the books assigns any account: the owner (`[classify] owner`) runs them all.
    Owner,
}

impl Source {
    /// The word in [`Account::kam_source`].
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Master => "master",
            Source::Territory => "territory",
            Source::Salesperson => "salesperson",
            Source::Default => "default",
            Source::Owner => "owner",
        }
    }
}

/// What is known about an account that can name its KAM.
#[derive(Debug, Clone, Copy, Default)]
pub struct Candidates<'a> {
    /// The master's KAM cell.
    pub master: Option<&'a str>,
    /// The account's region (most frequent on its lines in W).
    pub region: Option<&'a str>,
    /// The master's segment.
    pub segment: Option<&'a str>,
    /// The salesperson with the largest sales on the account in W.
    pub salesperson: Option<&'a str>,
}

/// The KAM directory, looked up case- and space-insensitively.
#[derive(Debug)]
pub struct Directory<'a> {
    contacts: &'a [KamContact],
    by_name: HashMap<String, usize>,
    by_region: HashMap<String, usize>,
}

impl<'a> Directory<'a> {
    /// Indexes the directory; on duplicates the first row wins.
    pub fn new(contacts: &'a [KamContact]) -> Directory<'a> {
        let mut by_name = HashMap::new();
        let mut by_region = HashMap::new();
        for (i, c) in contacts.iter().enumerate() {
            if !c.name.trim().is_empty() {
                by_name.entry(norm(&c.name)).or_insert(i);
                if let Some(r) = c.region.as_deref().filter(|r| !r.trim().is_empty()) {
                    by_region.entry(norm(r)).or_insert(i);
                }
            }
        }
        Directory { contacts, by_name, by_region }
    }

    /// The contact of a KAM name.
    pub fn contact(&self, name: &str) -> Option<&'a KamContact> {
        self.by_name.get(&norm(name)).map(|&i| &self.contacts[i])
    }

    fn for_region(&self, region: &str) -> Option<&'a KamContact> {
        self.by_region.get(&norm(region)).map(|&i| &self.contacts[i])
    }
}

fn present(s: Option<&str>) -> Option<String> {
    s.map(tidy).filter(|s| !s.is_empty())
}

/// The KAM of an account; first match wins:
///
/// 1. the master's KAM (blank = none);
/// 2. the territory map, when `[assign] by` is set: the account's segment when `by` names the
///    segment ("segment", "segmento"), else its region, looked up in `[assign.map]` (keys compared
///    case- and space-insensitively), else in the KAM directory's region column;
/// 3. the salesperson with the largest sales on the account in W;
/// 4. `default_kam`.
pub fn assign(c: &Candidates, cfg: &AssignConfig, dir: &Directory, default_kam: &str) -> (String, Source) {
    if let Some(k) = present(c.master) {
        return (k, Source::Master);
    }
    if let Some(by) = cfg.by.as_deref().filter(|b| !b.trim().is_empty()) {
        let value = if matches!(norm(by).as_str(), "segment" | "segmento") { c.segment } else { c.region };
        if let Some(v) = value.map(norm).filter(|v| !v.is_empty()) {
            let mapped = cfg.map.iter().find(|(k, _)| norm(k) == v).and_then(|(_, kam)| present(Some(kam)));
            if let Some(k) = mapped.or_else(|| dir.for_region(&v).map(|c| tidy(&c.name))) {
                return (k, Source::Territory);
            }
        }
    }
    if let Some(k) = present(c.salesperson) {
        return (k, Source::Salesperson);
    }
    (default_kam.to_string(), Source::Default)
}

/// The small-firm rule: when not one account got a KAM from the master, a territory or a
/// salesperson — every account fell to the default — the owner is the KAM of them all (one
/// plan, no "unassigned" warning). Returns whether the rule applied. Mixed books, where some
/// accounts have a KAM and others not, keep the default KAM and its warning.
pub fn owner_takes_all(accounts: &mut [Account], owner: &str) -> bool {
    if accounts.is_empty() || accounts.iter().any(|a| a.kam_source != Source::Default.as_str()) {
        return false;
    }
    for a in accounts.iter_mut() {
        a.kam = owner.to_string();
        a.kam_source = Source::Owner.as_str().into();
    }
    true
}

/// Writes each KAM one way: the directory's spelling, else the first spelling met in account
/// order — so "LUCÍA  Pérez" and "Lucía Pérez" are one KAM with one plan.
pub fn canonical_names(accounts: &mut [Account], dir: &Directory) {
    let mut names: HashMap<String, String> = HashMap::new();
    for a in accounts.iter_mut() {
        let key = norm(&a.kam);
        let shown = names
            .entry(key)
            .or_insert_with(|| dir.contact(&a.kam).map(|c| tidy(&c.name)).unwrap_or_else(|| tidy(&a.kam)));
        a.kam = shown.clone();
    }
}

/// One summary per KAM with at least one key account, by name (accents ignored); the default
/// KAM last.
pub fn summaries(accounts: &[Account], dir: &Directory, default_kam: &str) -> Vec<KamSummary> {
    let mut by_kam: Vec<KamSummary> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    for a in accounts.iter().filter(|a| a.key) {
        let i = *index.entry(norm(&a.kam)).or_insert_with(|| {
            by_kam.push(KamSummary {
                name: a.kam.clone(),
                email: dir
                    .contact(&a.kam)
                    .and_then(|c| c.email.as_deref())
                    .map(str::trim)
                    .filter(|e| !e.is_empty())
                    .map(String::from),
                key_accounts: 0,
                sales: 0.0,
                unassigned: norm(&a.kam) == norm(default_kam),
            });
            by_kam.len() - 1
        });
        by_kam[i].key_accounts += 1;
        by_kam[i].sales += a.sales;
    }
    for k in &mut by_kam {
        k.sales = super::round2(k.sales);
    }
    by_kam.sort_by(|a, b| {
        a.unassigned
            .cmp(&b.unassigned)
            .then_with(|| collate(&a.name).cmp(&collate(&b.name)))
            .then_with(|| a.name.cmp(&b.name))
    });
    by_kam
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::*;
    use super::*;
    use crate::config::Config;
    use crate::ingest::MasterRecord;

    fn contact(name: &str, email: Option<&str>, region: Option<&str>) -> KamContact {
        KamContact {
            name: name.into(),
            email: email.map(String::from),
            manager: None,
            region: region.map(String::from),
        }
    }

    #[test]
    fn first_match_wins_in_the_documented_order() {
        let contacts = vec![contact("Ana Gil", None, Some("Norte"))];
        let dir = Directory::new(&contacts);
        let mut cfg = AssignConfig { by: Some("Region".into()), ..AssignConfig::default() };
        cfg.map.insert("  SUR ".into(), "Luis Mora".into());
        let full = Candidates {
            master: Some(" Eva  Ruiz "),
            region: Some("sur"),
            segment: None,
            salesperson: Some("Pepe"),
        };
        let cases: Vec<(Candidates, &str, Source)> = vec![
            (full, "Eva Ruiz", Source::Master),
            (Candidates { master: Some("   "), ..full }, "Luis Mora", Source::Territory),
            (Candidates { master: None, region: Some("NORTE"), ..full }, "Ana Gil", Source::Territory),
            (Candidates { master: None, region: Some("Este"), ..full }, "Pepe", Source::Salesperson),
            (Candidates { master: None, region: None, ..full }, "Pepe", Source::Salesperson),
            (
                Candidates { master: None, region: None, salesperson: Some(" "), ..full },
                "Sin asignar",
                Source::Default,
            ),
            (Candidates::default(), "Sin asignar", Source::Default),
        ];
        for (c, name, source) in cases {
            assert_eq!(assign(&c, &cfg, &dir, "Sin asignar"), (name.to_string(), source), "{c:?}");
        }
    }

    #[test]
    fn the_owner_is_the_kam_when_nothing_assigns_any_account() {
        // No salesperson column, no master, no territory: every key account to the owner, no warning.
        let lines = [l("2026-01-01", "a", 100.0), l("2026-02-01", "b", 50.0), l("2026-03-01", "c", 30.0)];
        let c = run(&dataset(&lines), &Config::default(), "2026-10");
        assert!(c.accounts.iter().all(|a| a.kam == "Dirección" && a.kam_source == "owner"));
        assert_eq!(c.kams.len(), 1);
        assert!(!c.kams[0].unassigned);
        assert!(!c.warnings.iter().any(|w| w.contains("sin KAM")), "{:?}", c.warnings);
        // Configured, and in English.
        let mut cfg = Config::default();
        cfg.classify.owner = "Marta Gil (gerente)".into();
        let c = run(&dataset(&lines), &cfg, "2026-10");
        assert_eq!(c.kams[0].name, "Marta Gil (gerente)");
        cfg.classify.owner = String::new();
        cfg.lang = "en".into();
        assert_eq!(run(&dataset(&lines), &cfg, "2026-10").kams[0].name, "Management");
        // Mixed: one account has a salesperson, so the others keep the default and its warning.
        let mixed = [L { kam: Some("Ana"), ..l("2026-01-01", "a", 100.0) }, l("2026-02-01", "b", 50.0)];
        let c = run(&dataset(&mixed), &Config::default(), "2026-10");
        assert_eq!(acc(&c, "b").kam_source, "default");
        assert!(c.warnings.iter().any(|w| w.contains("sin KAM")), "{:?}", c.warnings);
    }

    #[test]
    fn territory_is_used_only_when_assign_by_is_set() {
        let contacts = vec![contact("Ana Gil", None, Some("Norte"))];
        let dir = Directory::new(&contacts);
        let c = Candidates { region: Some("Norte"), salesperson: Some("Pepe"), ..Candidates::default() };
        assert_eq!(assign(&c, &AssignConfig::default(), &dir, "x").1, Source::Salesperson);
    }

    #[test]
    fn territory_by_segment() {
        let dir = Directory::new(&[]);
        let mut cfg = AssignConfig { by: Some("Segmento".into()), ..AssignConfig::default() };
        cfg.map.insert("Retail".into(), "Marta".into());
        let c = Candidates { region: Some("Retail"), segment: Some("retail"), ..Candidates::default() };
        assert_eq!(assign(&c, &cfg, &dir, "x"), ("Marta".into(), Source::Territory));
        let c = Candidates { region: Some("Retail"), segment: None, ..Candidates::default() };
        assert_eq!(assign(&c, &cfg, &dir, "x").1, Source::Default);
    }

    #[test]
    fn kam_precedence_master_then_territory_then_salesperson() {
        let mut d = dataset(&kam_lines());
        d.master.push(MasterRecord { kam: Some("Marta".into()), ..master("a") });
        d.master.push(MasterRecord { kam: Some(" ".into()), ..master("c") });
        d.directory.push(KamContact {
            name: "Nora Sur".into(),
            email: Some(" nora@x.es ".into()),
            manager: None,
            region: Some("sur".into()),
        });
        let mut cfg = Config::default();
        cfg.classify.default_kam = "Dirección".into();
        let c = run(&d, &cfg, "2026-10");
        assert_eq!((acc(&c, "a").kam.as_str(), acc(&c, "a").kam_source.as_str()), ("Marta", "master"));
        assert_eq!(acc(&c, "b").kam, "Dirección");
        // territory needs [assign] by
        cfg.assign.by = Some("region".into());
        d.master[0].kam = None;
        let c = run(&d, &cfg, "2026-10");
        // a's region: Norte (2 lines) over Sur (1); Norte maps nowhere → salesperson
        assert_eq!(acc(&c, "a").region.as_deref(), Some("Norte"));
        assert_eq!(acc(&c, "a").kam_source, "salesperson");
        cfg.assign.map.insert("NORTE".into(), "nora  sur".into());
        let c = run(&d, &cfg, "2026-10");
        let a = acc(&c, "a");
        // the map's spelling is made the directory's, and the email follows
        assert_eq!((a.kam.as_str(), a.kam_source.as_str()), ("Nora Sur", "territory"));
        let k = c.kams.iter().find(|k| k.name == "Nora Sur").unwrap();
        assert_eq!(k.email.as_deref(), Some("nora@x.es"));
    }
}
