//! The output language: labels and sentences from `templates/i18n/<lang>/*.toml`, and how
//! money, percentages and dates are written in its locale (`es-ES`, `en-US`, `en-GB`).
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
    ("es", "carry.toml", include_str!("../templates/i18n/es/carry.toml")),
    ("en", "common.toml", include_str!("../templates/i18n/en/common.toml")),
    ("en", "plan.toml", include_str!("../templates/i18n/en/plan.toml")),
    ("en", "run.toml", include_str!("../templates/i18n/en/run.toml")),
    ("en", "mail.toml", include_str!("../templates/i18n/en/mail.toml")),
    ("en", "carry.toml", include_str!("../templates/i18n/en/carry.toml")),
];

/// Embedded language files, for `kamplan init` to write out: (relative path, text).
pub fn embedded_files() -> impl Iterator<Item = (String, &'static str)> {
    EMBEDDED.iter().map(|(l, f, t)| (format!("i18n/{l}/{f}"), *t))
}

/// How numbers, money and dates are written: the output's locale, set by `locale` in the
/// config, else the language's (`es` → es-ES, `en` → en-GB).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum Locale {
    /// `1.234,56 €`, `41,2 %`, `25/10/2017`.
    #[default]
    #[serde(rename = "es-ES")]
    EsEs,
    /// `$1,234.56`, `41.2%`, `10/25/2017`.
    #[serde(rename = "en-US")]
    EnUs,
    /// `£1,234.56`, `41.2%`, `25/10/2017`.
    #[serde(rename = "en-GB")]
    EnGb,
}

impl Locale {
    /// Every locale, for messages.
    pub const ALL: [Locale; 3] = [Locale::EsEs, Locale::EnUs, Locale::EnGb];

    /// The locale of a language code or tag: `es`/`es-ES`, `en-US`, `en`/`en-GB`; `None` for others.
    pub fn from_tag(tag: &str) -> Option<Locale> {
        // Compared in place, case and `_` aside, without a lowercased copy: the XLSX renderer
        // asks for every figure it writes.
        let tag = tag.trim();
        let is = |want: &str| {
            tag.len() == want.len()
                && tag.bytes().zip(want.bytes()).all(|(a, b)| {
                    let a = if a == b'_' { b'-' } else { a.to_ascii_lowercase() };
                    a == b
                })
        };
        if is("es") || is("es-es") {
            Some(Locale::EsEs)
        } else if is("en-us") {
            Some(Locale::EnUs)
        } else if is("en") || is("en-gb") {
            Some(Locale::EnGb)
        } else {
            None
        }
    }

    /// The locale a language gets when none is set: `es` → es-ES, `en` → en-GB (day first, as
    /// the European companies kamplan is made for read dates).
    pub fn of_lang(code: &str) -> Locale {
        Locale::from_tag(code).unwrap_or_default()
    }

    /// The locale of a document's `lang` attribute: a tag (`en-US`), or a bare language
    /// (`en`, from templates older than locales) read as that language's default.
    pub fn of_document(lang: &str) -> Locale {
        Locale::from_tag(lang).unwrap_or_else(|| Locale::of_lang(lang.get(..2).unwrap_or("")))
    }

    /// The tag: `es-ES`, `en-US`, `en-GB`.
    pub fn tag(self) -> &'static str {
        match self {
            Locale::EsEs => "es-ES",
            Locale::EnUs => "en-US",
            Locale::EnGb => "en-GB",
        }
    }

    /// The locale's own currency symbol, used when `locale` is set and `currency` is not.
    pub fn currency(self) -> &'static str {
        match self {
            Locale::EsEs => "€",
            Locale::EnUs => "$",
            Locale::EnGb => "£",
        }
    }

    /// True for `1.234,56`, false for `1,234.56`.
    pub fn comma_decimal(self) -> bool {
        self == Locale::EsEs
    }

    /// A date as the locale writes it: `25/10/2017` or `10/25/2017` (en-US).
    pub fn date(self, d: NaiveDate) -> String {
        match self {
            Locale::EnUs => format!("{:02}/{:02}/{:04}", d.month(), d.day(), d.year()),
            _ => format!("{:02}/{:02}/{:04}", d.day(), d.month(), d.year()),
        }
    }

    /// Money: `1.234,56 €` (amount first, no-break space) or `$1,234.56` / `-$1,234.56`.
    pub fn money(self, v: f64, currency: &str) -> String {
        let mut out = String::new();
        self.push_money(&mut out, v, currency);
        out
    }

    /// [`Self::money`] appended to `out`.
    pub fn push_money(self, out: &mut String, v: f64, currency: &str) {
        let start = out.len();
        push_number(out, v, 2, self.comma_decimal());
        if self.comma_decimal() {
            out.push('\u{a0}');
            out.push_str(currency);
        } else if out[start..].starts_with('-') {
            out.insert_str(start + 1, currency);
        } else {
            out.insert_str(start, currency);
        }
    }

    /// Excel's number format for money: `#,##0.00 "€"` or `"$"#,##0.00`.
    pub fn excel_money(self, currency: &str) -> String {
        if self.comma_decimal() {
            format!("#,##0.00 \"{currency}\"")
        } else {
            format!("\"{currency}\"#,##0.00")
        }
    }

    /// Excel's number format for dates: `dd/mm/yyyy` or `mm/dd/yyyy` (en-US).
    pub fn excel_date(self) -> &'static str {
        match self {
            Locale::EnUs => "mm/dd/yyyy",
            _ => "dd/mm/yyyy",
        }
    }
}

/// A language: its code, messages, and number/date conventions.
#[derive(Debug, Clone, PartialEq)]
pub struct Lang {
    pub code: String,
    pub currency: String,
    /// How numbers, money and dates are written; [`Lang::with_locale`] sets it.
    pub locale: Locale,
    messages: BTreeMap<String, String>,
    /// The same messages nested, for templates (`labels.plan.title`).
    tree: toml::Table,
}

/// The CLDR plural category of the count `n` in language `code` (`one`, `other`, …), by
/// ICU4X's compiled rules; `other` for a language it does not know.
fn plural_category(code: &str, n: u64) -> &'static str {
    use icu_plurals::{PluralCategory, PluralRules};
    thread_local! {
        // Rules per language, built once per thread: a run asks for thousands of counts.
        static RULES: std::cell::RefCell<BTreeMap<String, Option<PluralRules>>> = Default::default();
    }
    RULES.with(|rules| {
        let mut rules = rules.borrow_mut();
        let r = rules.entry(code.to_string()).or_insert_with(|| {
            let locale: icu_locale_core::Locale = code.parse().ok()?;
            PluralRules::try_new_cardinal((&locale).into()).ok()
        });
        match r.as_ref().map(|r| r.category_for(n)) {
            Some(PluralCategory::Zero) => "zero",
            Some(PluralCategory::One) => "one",
            Some(PluralCategory::Two) => "two",
            Some(PluralCategory::Few) => "few",
            Some(PluralCategory::Many) => "many",
            Some(PluralCategory::Other) | None => "other",
        }
    })
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
        Ok(Lang {
            code: code.into(),
            currency: currency.into(),
            locale: Locale::of_lang(code),
            messages,
            tree,
        })
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

    /// The message under `key` for the count `n`, placeholders replaced. A key may be a table
    /// of forms — an exact count (`"0" = "hoy"`) or a CLDR plural category (`one`, `other`,
    /// and `few`, `many`… for languages that have them) — chosen by the language's plural
    /// rules (ICU4X), so "hace 1 día" and "hace 3 días", "1 day ago" and "3 days ago" come
    /// from files a user can override; a plain message is used for every count.
    pub fn fill_n(&self, key: &str, n: u64, args: &[(&str, String)]) -> String {
        let exact = format!("{key}.{n}");
        let category = format!("{key}.{}", plural_category(&self.code, n));
        let other = format!("{key}.other");
        let chosen = [exact, category, other]
            .into_iter()
            .find(|k| self.messages.contains_key(k))
            .unwrap_or_else(|| key.to_string());
        self.fill(&chosen, args)
    }

    /// All messages nested as a table, for the templates' `labels`.
    pub fn tree(&self) -> &toml::Table {
        &self.tree
    }

    /// The same language written in `locale`'s numbers and dates.
    pub fn with_locale(mut self, locale: Locale) -> Lang {
        self.locale = locale;
        self
    }

    /// Whether this locale writes `1.234,56` (true) or `1,234.56`.
    fn comma_decimal(&self) -> bool {
        self.locale.comma_decimal()
    }

    /// A plain number with `decimals` decimals and grouped thousands: `1.234,56` / `1,234.56`.
    pub fn number(&self, v: f64, decimals: usize) -> String {
        group_number(v, decimals, self.comma_decimal())
    }

    /// Money: `1.234,56 €` (es-ES) / `€1,234.56` (en-GB) / `$1,234.56` (en-US).
    pub fn money(&self, v: f64) -> String {
        self.locale.money(v, &self.currency)
    }

    /// A share as a percentage: `41,2 %` (es) / `41.2%` (en).
    pub fn percent(&self, share: f64, decimals: usize) -> String {
        let mut out = String::new();
        self.push_percent(&mut out, share, decimals);
        out
    }

    /// [`Self::number`] appended to `out`.
    pub fn push_number(&self, out: &mut String, v: f64, decimals: usize) {
        push_number(out, v, decimals, self.comma_decimal());
    }

    /// [`Self::money`] appended to `out`.
    pub fn push_money(&self, out: &mut String, v: f64) {
        self.locale.push_money(out, v, &self.currency);
    }

    /// [`Self::percent`] appended to `out`.
    pub fn push_percent(&self, out: &mut String, share: f64, decimals: usize) {
        push_number(out, share * 100.0, decimals, self.comma_decimal());
        out.push_str(if self.comma_decimal() { "\u{a0}%" } else { "%" });
    }

    /// A date: `31/10/2026` (es-ES, en-GB) / `10/31/2026` (en-US).
    pub fn date(&self, d: NaiveDate) -> String {
        self.locale.date(d)
    }

    /// Short month name (`month.short.1` … `month.short.12` in the language file) and year.
    pub fn month(&self, m: crate::period::Month) -> String {
        format!("{} {}", self.get(&format!("month.short.{}", m.month)), m.year)
    }
}

/// A number with `decimals` decimals and thousands grouped: `1.234,56` (`comma`) or `1,234.56`;
/// `—` when not finite; never `-0,00`.
pub fn group_number(v: f64, decimals: usize, comma: bool) -> String {
    let mut out = String::new();
    push_number(&mut out, v, decimals, comma);
    out
}

/// [`group_number`] appended to `out`. A plan writes thousands of numbers: the digits are
/// formatted on the stack (on the heap only past [`StackStr`]'s room) and copied once.
pub fn push_number(out: &mut String, v: f64, decimals: usize, comma: bool) {
    use std::fmt::Write;
    if !v.is_finite() {
        out.push('—');
        return;
    }
    let mut stack = StackStr::default();
    let heap;
    let s = if write!(stack, "{:.*}", decimals, v.abs()).is_ok() {
        stack.as_str()
    } else {
        heap = format!("{:.*}", decimals, v.abs());
        &heap
    };
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    let (group, dec) = if comma { ('.', ',') } else { (',', '.') };
    if v < 0.0 && s.bytes().any(|c| c.is_ascii_digit() && c != b'0') {
        out.push('-');
    }
    // The integer's digits, a separator before each group of three from the right.
    let first = match int.len() % 3 {
        0 => 3.min(int.len()),
        n => n,
    };
    out.push_str(&int[..first]);
    for group_digits in int.as_bytes()[first..].chunks(3) {
        out.push(group);
        // ASCII digits, cut at byte boundaries.
        out.push_str(std::str::from_utf8(group_digits).unwrap_or_default());
    }
    if !frac.is_empty() {
        out.push(dec);
        out.push_str(frac);
    }
}

/// A short string formatted on the stack: writing fails past its room (64 bytes).
struct StackStr {
    buf: [u8; 64],
    len: usize,
}

impl Default for StackStr {
    fn default() -> StackStr {
        StackStr { buf: [0; 64], len: 0 }
    }
}

impl StackStr {
    fn as_str(&self) -> &str {
        // Only whole `&str`s are written in.
        std::str::from_utf8(&self.buf[..self.len]).unwrap_or_default()
    }
}

impl std::fmt::Write for StackStr {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        let end = self.len + s.len();
        if end > self.buf.len() {
            return Err(std::fmt::Error);
        }
        self.buf[self.len..end].copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
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
    fn grouping_matches_the_plain_digits_at_every_length() {
        // The reference: the digits of `{:.*}` with a separator every three from the right.
        let reference = |v: f64, d: usize, comma: bool| -> String {
            let s = format!("{:.*}", d, v.abs());
            let (int, frac) = s.split_once('.').unwrap_or((&s, ""));
            let (g, dec) = if comma { ('.', ',') } else { (',', '.') };
            let mut out = String::new();
            if v < 0.0 && s.chars().any(|c| c.is_ascii_digit() && c != '0') {
                out.push('-');
            }
            for (i, ch) in int.chars().enumerate() {
                if i > 0 && (int.len() - i) % 3 == 0 {
                    out.push(g);
                }
                out.push(ch);
            }
            if !frac.is_empty() {
                out.push(dec);
                out.push_str(frac);
            }
            out
        };
        let mut values = vec![0.0, -0.0, 0.004, -0.004, 1e300, -1e300, 123_456_789.987_654_3, f64::MAX];
        let mut x = 1.0f64;
        for _ in 0..25 {
            values.extend([x, -x, x * 0.999, x + 0.5]);
            x *= 10.0;
        }
        for v in values {
            for d in [0, 1, 2, 3, 70] {
                for comma in [true, false] {
                    assert_eq!(group_number(v, d, comma), reference(v, d, comma), "{v} {d}");
                }
            }
        }
        assert_eq!(group_number(f64::NAN, 2, true), "—");
    }

    #[test]
    fn money_and_percent() {
        assert_eq!(es().money(1234.5), "1.234,50\u{a0}€");
        assert_eq!(en().money(-1234.5), "-€1,234.50");
        assert_eq!(es().percent(0.412, 1), "41,2\u{a0}%");
        assert_eq!(en().percent(0.412, 1), "41.2%");
    }

    #[test]
    fn locales_write_numbers_money_and_dates_their_way() {
        let d = NaiveDate::from_ymd_opt(2017, 10, 25).unwrap();
        let us = Lang::load("en", "$", None).unwrap().with_locale(Locale::EnUs);
        assert_eq!(
            (us.date(d), us.money(1234.56), us.money(-5.0)),
            ("10/25/2017".into(), "$1,234.56".into(), "-$5.00".into())
        );
        assert_eq!(us.percent(0.412, 1), "41.2%");
        let gb = Lang::load("en", "£", None).unwrap();
        assert_eq!(gb.locale, Locale::EnGb, "English defaults to en-GB");
        assert_eq!((gb.date(d), gb.money(1234.56)), ("25/10/2017".into(), "£1,234.56".into()));
        // Spanish words with US numbers: the locale, not the language, writes them.
        let es_us = es().with_locale(Locale::EnUs);
        assert_eq!((es_us.date(d), es_us.number(1234.5, 2)), ("10/25/2017".into(), "1,234.50".into()));
        assert_eq!(es().date(d), "25/10/2017");
        for (tag, want) in [
            ("es", Locale::EsEs),
            ("EN_us", Locale::EnUs),
            ("en", Locale::EnGb),
            ("en-GB", Locale::EnGb),
            (" es_ES ", Locale::EsEs),
        ] {
            assert_eq!(Locale::from_tag(tag), Some(want), "{tag}");
        }
        assert_eq!(Locale::from_tag("fr-FR"), None);
        assert_eq!(Locale::from_tag("es-esx"), None);
        assert_eq!(
            (Locale::EnUs.excel_date(), Locale::EsEs.excel_money("€")),
            ("mm/dd/yyyy", "#,##0.00 \"€\"".into())
        );
    }

    #[test]
    fn counts_take_their_plural_form_from_the_language_rules() {
        let es = es();
        let en = Lang::load("en", "€", None).unwrap();
        let days = |l: &Lang, n: u64| {
            let d = l.date(NaiveDate::from_ymd_opt(2026, 10, 30).unwrap());
            l.fill_n("plan.risk.recency", n, &[("date", d), ("days", n.to_string())])
        };
        assert!(days(&es, 1).ends_with("hace 1 día."), "{}", days(&es, 1));
        assert!(days(&es, 3).ends_with("hace 3 días."), "{}", days(&es, 3));
        assert!(days(&en, 1).ends_with("1 day ago."), "{}", days(&en, 1));
        assert!(days(&en, 21).ends_with("21 days ago."), "{}", days(&en, 21));
        // An exact count wins over the category: the day itself is "today".
        assert!(days(&es, 0).contains("hoy"), "{}", days(&es, 0));
        assert!(days(&en, 0).contains("today"), "{}", days(&en, 0));
        // ICU's rules, not "n == 1": Spanish writes a million as "many" (de millones).
        assert_eq!(plural_category("es", 1_000_000), "many");
        assert_eq!(plural_category("en", 1_000_000), "other");
        assert_eq!(plural_category("xx-nonsense-tag", 1), "other");
        // A plain message serves every count; a file that overrides a table with a string too.
        assert_eq!(es.fill_n("plan.cover.none", 2, &[]), es.get("plan.cover.none"));
    }

    #[test]
    fn fill_replaces_placeholders_and_missing_keys_show() {
        let l = es();
        assert_eq!(l.get("no.such.key"), "no.such.key");
        let s = l.fill("no.such.key", &[("x", "1".into())]);
        assert_eq!(s, "no.such.key");
    }
}
