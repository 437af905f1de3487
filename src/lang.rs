//! The output language: labels and sentences from `templates/i18n/<lang>/*.toml`, and how
//! money, percentages and dates are written in it.
//!
//! Texts live in the template folder, not in Rust: a user who overrides templates can reword
//! every label. Keys are dotted paths (`explain.volume`); `{name}` placeholders are filled by
//! [`Lang::fill`].

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{Datelike, NaiveDate};

/// The embedded defaults: (language, file name, text).
const EMBEDDED: &[(&str, &str, &str)] = &[
    ("es", "common.toml", include_str!("../templates/i18n/es/common.toml")),
    ("es", "plan.toml", include_str!("../templates/i18n/es/plan.toml")),
    ("es", "run.toml", include_str!("../templates/i18n/es/run.toml")),
    ("es", "mail.toml", include_str!("../templates/i18n/es/mail.toml")),
    ("en", "common.toml", include_str!("../templates/i18n/en/common.toml")),
    ("en", "plan.toml", include_str!("../templates/i18n/en/plan.toml")),
    ("en", "run.toml", include_str!("../templates/i18n/en/run.toml")),
    ("en", "mail.toml", include_str!("../templates/i18n/en/mail.toml")),
];

/// Embedded language files, for `kamplan init` to write out: (relative path, text).
pub fn embedded_files() -> impl Iterator<Item = (String, &'static str)> {
    EMBEDDED.iter().map(|(l, f, t)| (format!("i18n/{l}/{f}"), *t))
}

/// A language: its code, messages, and number/date conventions.
#[derive(Debug, Clone, PartialEq)]
pub struct Lang {
    pub code: String,
    pub currency: String,
    messages: BTreeMap<String, String>,
    /// The same messages nested, for templates (`labels.plan.title`).
    tree: toml::Table,
}

/// A language file that cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("language file {file}: {message}")]
pub struct LangError {
    pub file: String,
    pub message: String,
}

impl Lang {
    /// The embedded language `code` ("es" or "en"), with files of the same name in
    /// `override_dir/i18n/<code>/` replacing keys they define.
    pub fn load(code: &str, currency: &str, override_dir: Option<&Path>) -> Result<Lang, LangError> {
        let mut tree = toml::Table::new();
        for (l, file, text) in EMBEDDED.iter().filter(|(l, _, _)| *l == code) {
            let t: toml::Table = text.parse().map_err(|e: toml::de::Error| LangError {
                file: format!("i18n/{l}/{file}"),
                message: e.message().to_string(),
            })?;
            merge(&mut tree, t);
        }
        if let Some(dir) = override_dir {
            let folder = dir.join("i18n").join(code);
            if let Ok(entries) = std::fs::read_dir(&folder) {
                let mut paths: Vec<_> = entries.filter_map(|e| e.ok()).map(|e| e.path()).collect();
                paths.sort();
                for p in paths.into_iter().filter(|p| p.extension().is_some_and(|e| e == "toml")) {
                    let text = std::fs::read_to_string(&p)
                        .map_err(|e| LangError { file: p.display().to_string(), message: e.to_string() })?;
                    let t: toml::Table = text.parse().map_err(|e: toml::de::Error| LangError {
                        file: p.display().to_string(),
                        message: e.message().to_string(),
                    })?;
                    merge(&mut tree, t);
                }
            }
        }
        if tree.is_empty() {
            return Err(LangError { file: format!("i18n/{code}"), message: "no such language".into() });
        }
        let mut messages = BTreeMap::new();
        flatten("", &tree, &mut messages);
        Ok(Lang { code: code.into(), currency: currency.into(), messages, tree })
    }

    /// The message under `key`, or the key itself when missing (visible, never a panic).
    pub fn get<'a>(&'a self, key: &'a str) -> &'a str {
        self.messages.get(key).map(String::as_str).unwrap_or(key)
    }

    /// The message under `key` with `{name}` placeholders replaced.
    pub fn fill(&self, key: &str, args: &[(&str, String)]) -> String {
        let mut s = self.get(key).to_string();
        for (name, value) in args {
            s = s.replace(&format!("{{{name}}}"), value);
        }
        s
    }

    /// All messages nested as a table, for the templates' `labels`.
    pub fn tree(&self) -> &toml::Table {
        &self.tree
    }

    /// Whether this language writes `1.234,56` (true) or `1,234.56`.
    fn comma_decimal(&self) -> bool {
        self.code != "en"
    }

    /// A plain number with `decimals` decimals and grouped thousands: `1.234,56` / `1,234.56`.
    pub fn number(&self, v: f64, decimals: usize) -> String {
        group_number(v, decimals, self.comma_decimal())
    }

    /// Money: `1.234,56 €` (es) / `€1,234.56` (en).
    pub fn money(&self, v: f64) -> String {
        let n = self.number(v, 2);
        if self.comma_decimal() {
            format!("{n}\u{a0}{}", self.currency)
        } else if let Some(rest) = n.strip_prefix('-') {
            format!("-{}{rest}", self.currency)
        } else {
            format!("{}{n}", self.currency)
        }
    }

    /// A share as a percentage: `41,2 %` (es) / `41.2%` (en).
    pub fn percent(&self, share: f64, decimals: usize) -> String {
        let n = self.number(share * 100.0, decimals);
        if self.comma_decimal() {
            format!("{n}\u{a0}%")
        } else {
            format!("{n}%")
        }
    }

    /// A date: `31/10/2026` (es) / `2026-10-31` (en, unambiguous).
    pub fn date(&self, d: NaiveDate) -> String {
        if self.comma_decimal() {
            format!("{:02}/{:02}/{:04}", d.day(), d.month(), d.year())
        } else {
            d.format("%Y-%m-%d").to_string()
        }
    }

    /// Short month name (`month.short.1` … `month.short.12` in the language file) and year.
    pub fn month(&self, m: crate::period::Month) -> String {
        format!("{} {}", self.get(&format!("month.short.{}", m.month)), m.year)
    }
}

/// A number with `decimals` decimals and thousands grouped: `1.234,56` (`comma`) or `1,234.56`;
/// `—` when not finite; never `-0,00`.
pub fn group_number(v: f64, decimals: usize, comma: bool) -> String {
    if !v.is_finite() {
        return "—".into();
    }
    let s = format!("{:.*}", decimals, v.abs());
    let (int, frac) = s.split_once('.').unwrap_or((&s, ""));
    let (group, dec) = if comma { ('.', ',') } else { (',', '.') };
    let mut out = String::new();
    if v < 0.0 && s.chars().any(|c| c.is_ascii_digit() && c != '0') {
        out.push('-');
    }
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(group);
        }
        out.push(ch);
    }
    if !frac.is_empty() {
        out.push(dec);
        out.push_str(frac);
    }
    out
}

fn merge(into: &mut toml::Table, from: toml::Table) {
    for (k, v) in from {
        match (into.get_mut(&k), v) {
            (Some(toml::Value::Table(a)), toml::Value::Table(b)) => merge(a, b),
            (_, v) => {
                into.insert(k, v);
            }
        }
    }
}

fn flatten(prefix: &str, t: &toml::Table, out: &mut BTreeMap<String, String>) {
    for (k, v) in t {
        let key = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
        match v {
            toml::Value::Table(inner) => flatten(&key, inner, out),
            toml::Value::String(s) => {
                out.insert(key, s.clone());
            }
            other => {
                out.insert(key, other.to_string());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn es() -> Lang {
        Lang::load("es", "€", None).unwrap()
    }
    fn en() -> Lang {
        Lang::load("en", "€", None).unwrap()
    }

    #[test]
    fn numbers_in_both_locales() {
        let cases = [
            (1234.5, 2, "1.234,50", "1,234.50"),
            (-1234567.891, 2, "-1.234.567,89", "-1,234,567.89"),
            (0.0, 1, "0,0", "0.0"),
            (-0.001, 2, "0,00", "0.00"),
            (999.0, 0, "999", "999"),
            (1000.0, 0, "1.000", "1,000"),
        ];
        for (v, d, s_es, s_en) in cases {
            assert_eq!(es().number(v, d), s_es, "{v}");
            assert_eq!(en().number(v, d), s_en, "{v}");
        }
    }

    #[test]
    fn money_and_percent() {
        assert_eq!(es().money(1234.5), "1.234,50\u{a0}€");
        assert_eq!(en().money(-1234.5), "-€1,234.50");
        assert_eq!(es().percent(0.412, 1), "41,2\u{a0}%");
        assert_eq!(en().percent(0.412, 1), "41.2%");
    }

    #[test]
    fn fill_replaces_placeholders_and_missing_keys_show() {
        let l = es();
        assert_eq!(l.get("no.such.key"), "no.such.key");
        let s = l.fill("no.such.key", &[("x", "1".into())]);
        assert_eq!(s, "no.such.key");
    }
}
