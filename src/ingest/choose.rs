//! Which column is the customer's code and which its name, from what the cells hold.
//!
//! Headers alone cannot tell: in one ERP "Cliente" holds `01002` beside "Nombre", in another
//! "Cliente" holds the name. When a sheet has no column named as a code, the column taken for
//! the customer and any other customer-like column are looked at (the first rows of data):
//! the one holding codes keys customers by code (so `01002` joins `1002` in other sheets),
//! the one holding names names them. `check` shows the choice and why.

use std::collections::BTreeMap;

use super::cells::Val;
use super::header::{self, Col, Mapping};
use super::keys::{looks_like_code, looks_like_name};
use super::Role;

/// Data rows looked at before choosing.
pub const SAMPLE_ROWS: usize = 64;

/// The columns that may hold the customer's code or name: the one mapped to the name, and the
/// best other header that also reads as a customer name (`Nombre`, `Razón social`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Candidates {
    pub name: u32,
    pub other: Option<u32>,
}

/// The candidates of a header row, or `None` when nothing is to choose: a code column was
/// found by its header, `[columns]` names the customer columns, or the sheet has no customer.
pub fn candidates(
    texts: &[(u32, String)],
    m: &Mapping,
    role: Role,
    explicit: &BTreeMap<String, String>,
) -> Option<Candidates> {
    if !matches!(role, Role::Sales | Role::Master | Role::Activity)
        || m.has(Col::CustomerId)
        || explicit.contains_key(Col::CustomerId.key())
        || explicit.contains_key(Col::CustomerName.key())
    {
        return None;
    }
    let name = m.get(Col::CustomerName)?;
    let used = |c: u32| m.cols.values().any(|x| *x == c);
    let other = texts
        .iter()
        .filter(|(c, _)| !used(*c))
        .map(|(c, t)| (header::fit(Col::CustomerName, t, role), *c))
        .filter(|(s, _)| *s > 0)
        .max_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)))
        .map(|(_, c)| c);
    Some(Candidates { name, other })
}

/// Share of the non-blank `values` that pass `test`, and how many there were.
fn share(values: &[Val<'_>], test: fn(&Val<'_>) -> bool) -> (f64, usize) {
    let present: Vec<&Val<'_>> = values.iter().filter(|v| !v.is_blank()).collect();
    if present.is_empty() {
        return (0.0, 0);
    }
    (present.iter().filter(|v| test(v)).count() as f64 / present.len() as f64, present.len())
}

/// Codes must be nearly all the column (a stray `3M` among names changes nothing).
const CODES: f64 = 0.8;
/// Names must be most of the other column.
const NAMES: f64 = 0.5;

/// The mapping after looking at the values, and a sentence for `check`, or `None` to keep the
/// mapping the headers gave. `values(col)` gives the sampled cells of a column.
pub fn choose<'a>(
    c: Candidates,
    m: &Mapping,
    texts: &[(u32, String)],
    values: impl Fn(u32) -> Vec<Val<'a>>,
) -> Option<(Mapping, String)> {
    let header = |col: u32| {
        let t = texts.iter().find(|(x, _)| *x == col).map(|(_, t)| t.as_str()).unwrap_or("");
        format!("{} ({t})", super::cells::col_letters(col))
    };
    let example = |vals: &[Val<'_>]| {
        vals.iter().find(|v| looks_like_code(v)).map(|v| format!(", like {:?}", v.raw())).unwrap_or_default()
    };
    let xs = values(c.name);
    let (x_codes, nx) = share(&xs, looks_like_code);
    let mut out = m.clone();
    if let Some(o) = c.other {
        let ys = values(o);
        let (y_names, _) = share(&ys, looks_like_name);
        let (y_codes, ny) = share(&ys, looks_like_code);
        let (x_names, _) = share(&xs, looks_like_name);
        if x_codes >= CODES && y_names >= NAMES {
            out.cols.insert(Col::CustomerId, c.name);
            out.cols.insert(Col::CustomerName, o);
            let why = format!(
                "customer_id is {}: it holds codes ({} of {nx} values{}), and {} holds the names",
                header(c.name),
                (x_codes * nx as f64).round(),
                example(&xs),
                header(o)
            );
            return Some((out, why));
        }
        if y_codes >= CODES && x_names >= NAMES {
            out.cols.insert(Col::CustomerId, o);
            let why = format!(
                "customer_id is {}: it holds codes ({} of {ny} values{}), and {} holds the names",
                header(o),
                (y_codes * ny as f64).round(),
                example(&ys),
                header(c.name)
            );
            return Some((out, why));
        }
    }
    if x_codes >= CODES {
        out.cols.remove(&Col::CustomerName);
        out.cols.insert(Col::CustomerId, c.name);
        let why = format!(
            "customer_id is {}: it holds codes ({} of {nx} values{}) and no column holds names",
            header(c.name),
            (x_codes * nx as f64).round(),
            example(&xs)
        );
        return Some((out, why));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(h: &[&str]) -> Vec<(u32, String)> {
        h.iter().enumerate().map(|(i, s)| (i as u32, s.to_string())).collect()
    }

    /// The mapping chosen for a header and columns of values (one Vec per column).
    fn pick(h: &[&str], cols: Vec<Vec<Val<'static>>>) -> (Option<u32>, Option<u32>, Option<String>) {
        let t = texts(h);
        let none = BTreeMap::new();
        let (role, m) = header::detect(&t, &none).unwrap();
        let Some(c) = candidates(&t, &m, role, &none) else {
            return (m.get(Col::CustomerId), m.get(Col::CustomerName), None);
        };
        match choose(c, &m, &t, |col| cols[col as usize].clone()) {
            Some((m, why)) => (m.get(Col::CustomerId), m.get(Col::CustomerName), Some(why)),
            None => (m.get(Col::CustomerId), m.get(Col::CustomerName), None),
        }
    }

    #[test]
    fn a_customer_column_of_codes_beside_names_is_the_code() {
        let dates = vec![Val::Text("2026-01-05"); 3];
        let amounts = vec![Val::Num(1.0); 3];
        let codes = vec![Val::Num(1002.0), Val::Text("01003"), Val::Num(1004.0)];
        let names = vec![Val::Text("Acme S.A."), Val::Text("Beta SL"), Val::Text("Gamma")];
        let (id, name, why) = pick(
            &["Fecha", "Cliente", "Nombre", "Importe"],
            vec![dates.clone(), codes.clone(), names.clone(), amounts.clone()],
        );
        assert_eq!((id, name), (Some(1), Some(2)));
        let why = why.unwrap();
        assert!(why.contains("B (Cliente)") && why.contains("3 of 3") && why.contains("C (Nombre)"), "{why}");
        // "Razón social" outranks "Cliente" by its header; the codes still decide.
        let (id, name, _) = pick(
            &["Fecha", "Cliente", "Razón social", "Importe"],
            vec![dates.clone(), codes.clone(), names.clone(), amounts.clone()],
        );
        assert_eq!((id, name), (Some(1), Some(2)));
        // Names in "Cliente" and a "Nombre" column of names: nothing to change.
        let (id, name, why) = pick(
            &["Fecha", "Cliente", "Nombre", "Importe"],
            vec![dates.clone(), names.clone(), names.clone(), amounts.clone()],
        );
        assert_eq!((id, name, why), (None, Some(1), None));
        // Codes alone: keyed by code, no name.
        let (id, name, why) = pick(&["Fecha", "Cliente", "Importe"], vec![dates, codes, amounts]);
        assert_eq!((id, name), (Some(1), None));
        assert!(why.unwrap().contains("no column holds names"));
    }

    #[test]
    fn a_code_column_named_as_such_needs_no_look() {
        let t = texts(&["Fecha", "Cód. cliente", "Cliente", "Importe"]);
        let none = BTreeMap::new();
        let (role, m) = header::detect(&t, &none).unwrap();
        assert_eq!(candidates(&t, &m, role, &none), None);
        let mut cfg = BTreeMap::new();
        cfg.insert("customer_name".to_string(), "Cliente".to_string());
        let t = texts(&["Fecha", "Cliente", "Nombre", "Importe"]);
        let (role, m) = header::detect(&t, &cfg).unwrap();
        assert_eq!(candidates(&t, &m, role, &cfg), None, "[columns] decides");
    }

    #[test]
    fn a_few_code_like_names_change_nothing() {
        let names = vec![Val::Text("3M"), Val::Text("Acme S.A."), Val::Text("Beta SL"), Val::Text("Gamma")];
        let (id, name, why) = pick(
            &["Fecha", "Cliente", "Importe"],
            vec![vec![Val::Text("2026-01-05"); 4], names, vec![Val::Num(1.0); 4]],
        );
        assert_eq!((id, name, why), (None, Some(1), None));
    }
}
