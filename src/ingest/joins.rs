//! Joins checked: master rows, activity rows, territory entries and master KAMs that match
//! nothing in the sales or the directory, each with a "did you mean".
//!
//! A wrong join changes who is key and who owns them, and nobody notices; so every record that
//! joins nothing is listed (all of them in `check --format json`, a few per kind in the
//! warnings, which `check` prints and the run's manifest keeps). Customers match as
//! classify matches them (the rule of [`super::customer_key`]): by code, else by name.
//! Activity rows keyed by a name whose customer the sales key by code are re-keyed to the
//! code here, so the plans find them.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use super::{keys, Dataset, Role};
use crate::config::Config;

/// A record that joins nothing.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Unmatched {
    /// "master" (a customer without sales), "activity" (contacts with a customer without
    /// sales), "territory" (a region no sales line has), "master_kam" (a KAM the directory
    /// does not list).
    pub kind: &'static str,
    /// The value as typed (`code «name»` for customers).
    pub value: String,
    /// Rows with it (activity rows are grouped by customer).
    pub rows: u64,
    /// The closest value that does join, when one is close: by code, then by name.
    pub did_you_mean: Option<String>,
}

/// Suggestions are looked for this many records per kind (each compares with every customer).
const SUGGEST_MAX: usize = 20;
/// Items per kind named in a warning line.
const SHOWN: usize = 5;

/// Text compared: trimmed, spaces collapsed, lower-case.
fn norm(s: &str) -> String {
    keys::name_key(s).unwrap_or_default()
}

/// The closest of `known` to `want` (Jaro-Winkler ≥ 0.85), shown as `show` gives it.
fn closest<'a>(want: &str, known: impl Iterator<Item = &'a String>) -> Option<&'a String> {
    if want.is_empty() {
        return None;
    }
    known
        .map(|k| (strsim::jaro_winkler(want, k), k))
        .filter(|(s, k)| *s >= 0.85 && k.as_str() != want)
        .max_by(|a, b| a.0.total_cmp(&b.0).then_with(|| b.1.cmp(a.1)))
        .map(|(_, k)| k)
}

/// Checks the joins, re-keys name-keyed activity rows, and gives the records that join nothing.
pub fn check(ds: &mut Dataset, cfg: &Config) -> Vec<Unmatched> {
    let mut out = Vec::new();
    // Sales customers by normalised key → (key, shown name); and normalised name → key.
    let mut by_key: BTreeMap<String, (String, String)> = BTreeMap::new();
    // Each customer once, in the order the lines first name it (a million lines name some
    // thousands of customers: normalising every line's was a serial half second).
    let mut seen = super::FxSet::default();
    for t in ds.transactions.iter().filter(|t| seen.insert(t.customer)) {
        by_key.entry(norm(ds.strings.resolve(t.customer))).or_insert_with(|| {
            (ds.strings.resolve(t.customer).to_string(), ds.customer_name(t.customer).to_string())
        });
    }
    let mut by_name: HashMap<String, String> = HashMap::new();
    for (k, (_, n)) in &by_key {
        by_name.entry(norm(n)).or_insert_with(|| k.clone());
    }
    if by_key.is_empty() {
        return out;
    }
    let show = |k: &str| match by_key.get(k) {
        Some((key, n)) if norm(n) != k => format!("{key} «{n}»"),
        Some((_, n)) => n.clone(),
        None => k.to_string(),
    };
    // By name first; a near code only when the names agree too (1005 «Óptica» is no typo of
    // 1002 «Peña»), or when there is no name to compare.
    let suggest = |code: Option<&str>, name: Option<&str>| -> Option<String> {
        let by_nm = name.and_then(|n| closest(&norm(n), by_name.keys())).and_then(|n| by_name.get(n));
        let names_agree = |k: &&String| match (name, by_key.get(*k)) {
            (Some(n), Some((_, shown))) => strsim::jaro_winkler(&norm(n), &norm(shown)) >= 0.7,
            _ => true,
        };
        let by_code = code.and_then(|c| closest(&norm(c), by_key.keys())).filter(names_agree);
        by_nm.or(by_code).map(|k| show(k))
    };

    // Master rows: by code, else by name (as classify matches them).
    let mut n = 0;
    for m in &ds.master {
        let id = norm(&m.id);
        let name = m.name.as_deref().map(norm).unwrap_or_default();
        let hit = by_key.contains_key(&id) || by_name.contains_key(&name) || by_name.contains_key(&id);
        if hit {
            continue;
        }
        let coded = m.name.as_deref().is_some_and(|nm| norm(nm) != id);
        let value = match (&m.name, coded) {
            (Some(nm), true) => format!("{} «{nm}»", m.id),
            _ => m.name.clone().unwrap_or_else(|| m.id.clone()),
        };
        n += 1;
        let did_you_mean =
            (n <= SUGGEST_MAX).then(|| suggest(coded.then_some(&m.id), m.name.as_deref())).flatten();
        out.push(Unmatched { kind: "master", value, rows: 1, did_you_mean });
    }

    // Activity rows: a name-keyed row whose name is a sales customer's takes that key.
    let mut missing: BTreeMap<String, u64> = BTreeMap::new();
    for a in &mut ds.activities {
        let k = norm(&a.customer);
        if by_key.contains_key(&k) {
            continue;
        }
        if let Some((key, _)) = by_name.get(&k).and_then(|k| by_key.get(k)) {
            a.customer = key.clone();
            continue;
        }
        *missing.entry(a.customer.clone()).or_default() += 1;
    }
    for (i, (customer, rows)) in missing.into_iter().enumerate() {
        // The log keys a customer by code or by name; suggest by what it looks like.
        let code = keys::looks_like_code(&super::cells::Val::Text(&customer));
        let (c, n) = if code { (Some(customer.as_str()), None) } else { (None, Some(customer.as_str())) };
        let did_you_mean = (i < SUGGEST_MAX).then(|| suggest(c, n)).flatten();
        out.push(Unmatched { kind: "activity", value: customer, rows, did_you_mean });
    }

    // Territory entries: directory regions and [assign.map] keys that no sales line has.
    let mut regions: BTreeMap<String, String> = BTreeMap::new();
    for r in ds.transactions.iter().filter_map(|t| t.region) {
        let text = ds.strings.resolve(r);
        regions.entry(norm(text)).or_insert_with(|| text.to_string());
    }
    let territory = ds.report.sheets.iter().any(|s| matches!(s.role, Role::Territory | Role::Directory));
    if territory || !cfg.assign.map.is_empty() {
        let mut entries: BTreeMap<String, (String, u64)> = BTreeMap::new();
        let listed = ds.directory.iter().filter_map(|d| d.region.clone());
        for r in listed.chain(cfg.assign.map.keys().cloned()) {
            let e = entries.entry(norm(&r)).or_insert((r, 0));
            e.1 += 1;
        }
        for (k, (value, rows)) in entries {
            if k.is_empty() || regions.contains_key(&k) {
                continue;
            }
            let did_you_mean = closest(&k, regions.keys()).and_then(|n| regions.get(n)).cloned();
            out.push(Unmatched { kind: "territory", value, rows, did_you_mean });
        }
    }

    // Master KAMs the directory does not list (when there is a directory).
    if !ds.directory.is_empty() {
        let names: Vec<String> = ds.directory.iter().map(|d| norm(&d.name)).collect();
        let mut kams: BTreeMap<String, (String, u64)> = BTreeMap::new();
        for m in &ds.master {
            if let Some(k) = m.kam.as_deref().filter(|k| !k.trim().is_empty()) {
                let e = kams.entry(norm(k)).or_insert((k.to_string(), 0));
                e.1 += 1;
            }
        }
        for (k, (value, rows)) in kams {
            if names.contains(&k) {
                continue;
            }
            let did_you_mean = closest(&k, names.iter())
                .and_then(|n| ds.directory.iter().find(|d| norm(&d.name) == *n))
                .map(|d| d.name.clone());
            out.push(Unmatched { kind: "master_kam", value, rows, did_you_mean });
        }
    }
    out
}

/// One warning line per kind, naming the first few with their suggestion.
pub fn warnings(unmatched: &[Unmatched]) -> Vec<String> {
    let what = [
        ("master", "customer master row(s) match no customer in the sales (by code or name)"),
        (
            "activity",
            "customer(s) of the activity log match no customer in the sales; their contacts are left out",
        ),
        ("territory", "territory entr(ies) name a region no sales line has"),
        ("master_kam", "KAM name(s) of the customer master are not in the KAM directory"),
    ];
    let mut out = Vec::new();
    for (kind, text) in what {
        let items: Vec<&Unmatched> = unmatched.iter().filter(|u| u.kind == kind).collect();
        if items.is_empty() {
            continue;
        }
        let mut named: Vec<String> = items
            .iter()
            .take(SHOWN)
            .map(|u| match &u.did_you_mean {
                Some(m) => format!("{} (did you mean {m}?)", u.value),
                None => u.value.clone(),
            })
            .collect();
        if items.len() > SHOWN {
            named.push(format!(
                "and {} more (kamplan check --format json lists them all)",
                items.len() - SHOWN
            ));
        }
        out.push(format!("{} {text}: {}", items.len(), named.join(", ")));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::{Activity, KamContact, MasterRecord, Txn};
    use super::*;

    fn ds() -> Dataset {
        let mut d = Dataset::default();
        for (code, name, region) in [("1002", "Acme S.A.", "Norte"), ("C-17", "Beta Distribución", "Sur")] {
            let c = d.strings.intern(code);
            let n = d.strings.intern(name);
            let r = d.strings.intern(region);
            d.customer_names.insert(c, n);
            d.transactions.push(Txn {
                date: "2026-01-05".parse().unwrap(),
                customer: c,
                customer_name: Some(n),
                kam: None,
                product: None,
                region: Some(r),
                amount: 1.0,
                cost: f64::NAN,
                margin: f64::NAN,
                qty: f64::NAN,
                order: None,
                month_total: false,
            });
        }
        d
    }

    fn master(id: &str, name: &str, kam: Option<&str>) -> MasterRecord {
        MasterRecord {
            id: id.into(),
            name: Some(name.into()),
            strategic: false,
            potential: None,
            kam: kam.map(String::from),
            segment: None,
        }
    }

    #[test]
    fn what_joins_nothing_is_listed_with_a_suggestion() {
        let mut d = ds();
        d.master = vec![
            master("1002", "Acme", None),                           // by code
            master("beta distribución", "Beta Distribución", None), // by name
            master("1020", "Acme SA", Some("Ana  gil")),            // nothing: suggests by code
            master("X9", "Gamma Foods", Some("Luis")),              // nothing, nothing close
        ];
        d.directory = vec![KamContact {
            name: "Ana Gil".into(),
            email: None,
            manager: None,
            region: Some("Nortee".into()),
        }];
        let act = |c: &str| Activity {
            date: "2026-01-05".parse().unwrap(),
            customer: c.into(),
            kind: None,
            notes: None,
            kam: None,
        };
        d.activities = vec![act("1002"), act("acme s.a."), act("C-71"), act("C-71")];
        let mut cfg = Config::default();
        cfg.assign.map.insert("sur".into(), "Luis".into());
        let u = check(&mut d, &cfg);
        let got: Vec<(&str, &str, u64, Option<&str>)> =
            u.iter().map(|x| (x.kind, x.value.as_str(), x.rows, x.did_you_mean.as_deref())).collect();
        assert_eq!(
            got,
            [
                ("master", "1020 «Acme SA»", 1, Some("1002 «Acme S.A.»")),
                ("master", "X9 «Gamma Foods»", 1, None),
                ("activity", "C-71", 2, Some("C-17 «Beta Distribución»")),
                ("territory", "Nortee", 1, Some("Norte")),
                ("master_kam", "Luis", 1, None),
            ]
        );
        // The activity row typed by name now carries the sales' code.
        assert_eq!(d.activities[1].customer, "1002");
        let w = warnings(&u);
        assert_eq!(w.len(), 4);
        assert!(
            w[0].starts_with("2 customer master row(s)") && w[0].contains("did you mean 1002 «Acme S.A.»?"),
            "{}",
            w[0]
        );
    }

    #[test]
    fn everything_joining_gives_nothing() {
        let mut d = ds();
        d.master = vec![master("1002", "Acme", Some("Ana Gil"))];
        d.directory = vec![KamContact {
            name: "Ana Gil".into(),
            email: None,
            manager: None,
            region: Some("NORTE".into()),
        }];
        assert!(check(&mut d, &Config::default()).is_empty());
    }
}
