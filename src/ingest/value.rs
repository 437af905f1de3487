//! Values as clerks type them: numbers in either locale, dates as cells or text, yes/no flags.

use chrono::NaiveDate;

use crate::config::DateOrder;

/// A decimal separator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dec {
    /// `1.234,56` (Spanish and most of Europe).
    Comma,
    /// `1,234.56` (English).
    Dot,
}

impl Dec {
    /// The separator character.
    pub fn char(self) -> char {
        match self {
            Dec::Comma => ',',
            Dec::Dot => '.',
        }
    }
}

/// A number read from text.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum TextNum {
    /// Unambiguous; `Some(dec)` when the text shows which decimal separator the book uses.
    Value(f64, Option<Dec>),
    /// One separator followed by exactly three digits (`1.234`): the value under each locale.
    Ambiguous { comma: f64, dot: f64 },
    /// A minus inside parentheses (`(-5)`, `(5-)`): two signs for one number. Whether the clerk
    /// meant a return or cancelled one out is unknown, so the value is never guessed.
    SignConflict,
    /// Not a number ("pendiente", "12%", "1.2.3").
    Invalid,
}

impl TextNum {
    /// The value, resolving an ambiguous one with `dec`.
    pub fn value(self, dec: Dec) -> Option<f64> {
        match self {
            TextNum::Value(v, _) => Some(v),
            TextNum::Ambiguous { comma, dot } => Some(if dec == Dec::Comma { comma } else { dot }),
            TextNum::SignConflict | TextNum::Invalid => None,
        }
    }
}

fn strip_currency(s: &str) -> &str {
    let mut s = s.trim();
    loop {
        let before = s.len();
        for sym in ["€", "$", "£", "EUR", "USD", "eur", "Eur", "usd", "GBP"] {
            s = s.strip_prefix(sym).unwrap_or(s).trim();
            s = s.strip_suffix(sym).unwrap_or(s).trim();
        }
        if s.len() == before {
            return s;
        }
    }
}

/// Reads a number typed as text in either locale: `1.234,56`, `1234,56`, `1,234.56`,
/// `1234.56 €`, `€1.234,56`, `-1.234,56`, `(1.234,56)`, `1.234,56-`, `1 234,56`.
pub fn parse_text_number(s: &str) -> TextNum {
    let mut neg = false;
    let mut t = strip_currency(s);
    let mut parens = false;
    if let Some(inner) = t.strip_prefix('(').and_then(|x| x.strip_suffix(')')) {
        neg = true;
        parens = true;
        t = strip_currency(inner);
    }
    for minus in ['-', '\u{2212}'] {
        if parens && (t.starts_with(minus) || t.ends_with(minus)) {
            return TextNum::SignConflict;
        }
        if let Some(r) = t.strip_prefix(minus) {
            neg = !neg;
            t = strip_currency(r);
        } else if let Some(r) = t.strip_suffix(minus) {
            neg = !neg;
            t = strip_currency(r);
        }
    }
    if let Some(r) = t.strip_prefix('+') {
        t = strip_currency(r);
    }
    // Spaces and apostrophes group thousands in some locales (`1 234,56`, `1'234.56`).
    let body: String = t.chars().filter(|c| !c.is_whitespace() && *c != '\'' && *c != '’').collect();
    if body.is_empty() || !body.chars().all(|c| c.is_ascii_digit() || c == '.' || c == ',') {
        return TextNum::Invalid;
    }
    if !body.chars().any(|c| c.is_ascii_digit()) {
        return TextNum::Invalid;
    }
    let sign = if neg { -1.0 } else { 1.0 };
    let digits = |x: &str| -> Option<f64> { x.parse::<f64>().ok() };
    let dots = body.matches('.').count();
    let commas = body.matches(',').count();
    let result = match (dots, commas) {
        (0, 0) => digits(&body).map(|v| TextNum::Value(v, None)),
        (n, 0) | (0, n) => {
            let sep = if dots > 0 { '.' } else { ',' };
            let sep_is_dec = if sep == ',' { Dec::Comma } else { Dec::Dot };
            let sep_is_group = if sep == ',' { Dec::Dot } else { Dec::Comma };
            if n > 1 {
                // Several: they can only group thousands (`1.234.567`).
                if grouped_ok(&body, sep) {
                    digits(&body.replace(sep, "")).map(|v| TextNum::Value(v, Some(sep_is_group)))
                } else {
                    None
                }
            } else {
                let at = body.find(sep).expect("one separator");
                let (int, frac) = (&body[..at], &body[at + 1..]);
                let plain = format!("{int}.{frac}");
                let as_dec = digits(if int.is_empty() { &plain[..] } else { &plain });
                if frac.len() != 3 || int.is_empty() || int.starts_with('0') || int.len() > 3 {
                    as_dec.map(|v| TextNum::Value(v, Some(sep_is_dec)))
                } else {
                    let whole = digits(&format!("{int}{frac}"));
                    match (as_dec, whole) {
                        (Some(d), Some(w)) => Some(if sep == ',' {
                            TextNum::Ambiguous { comma: d, dot: w }
                        } else {
                            TextNum::Ambiguous { comma: w, dot: d }
                        }),
                        _ => None,
                    }
                }
            }
        }
        _ => {
            // Both: the last one is the decimal separator, the other groups thousands.
            let last = body.rfind(['.', ',']).expect("has separators");
            let dec_ch = body.as_bytes()[last] as char;
            let group_ch = if dec_ch == '.' { ',' } else { '.' };
            let (int, frac) = (&body[..last], &body[last + 1..]);
            if int.contains(dec_ch) || frac.contains(group_ch) || !grouped_ok(int, group_ch) {
                None
            } else {
                let dec = if dec_ch == ',' { Dec::Comma } else { Dec::Dot };
                digits(&format!("{}.{}", int.replace(group_ch, ""), frac))
                    .map(|v| TextNum::Value(v, Some(dec)))
            }
        }
    };
    match result {
        Some(TextNum::Value(v, d)) => TextNum::Value(sign * v, d),
        Some(TextNum::Ambiguous { comma, dot }) => {
            TextNum::Ambiguous { comma: sign * comma, dot: sign * dot }
        }
        _ => TextNum::Invalid,
    }
}

/// A magnitude written out in full for messages: `12345678901234567000`, `1000000000000`,
/// `1e300` only when it would not fit on a line.
pub fn plain_number(v: f64) -> String {
    if v.is_finite() && v.abs() < 1e30 {
        format!("{v:.0}")
    } else {
        format!("{v:e}")
    }
}

/// True when `s` is digits grouped by `sep` in threes after a first group of 1–3 digits.
fn grouped_ok(s: &str, sep: char) -> bool {
    let mut parts = s.split(sep);
    let first = parts.next().unwrap_or("");
    if first.is_empty() || first.len() > 3 {
        return !s.contains(sep) && !first.is_empty();
    }
    parts.all(|p| p.len() == 3)
}

const MONTHS: &[(&str, u32)] = &[
    ("ene", 1),
    ("enero", 1),
    ("jan", 1),
    ("january", 1),
    ("feb", 2),
    ("febrero", 2),
    ("february", 2),
    ("mar", 3),
    ("marzo", 3),
    ("march", 3),
    ("abr", 4),
    ("abril", 4),
    ("apr", 4),
    ("april", 4),
    ("may", 5),
    ("mayo", 5),
    ("jun", 6),
    ("junio", 6),
    ("june", 6),
    ("jul", 7),
    ("julio", 7),
    ("july", 7),
    ("ago", 8),
    ("agosto", 8),
    ("aug", 8),
    ("august", 8),
    ("sep", 9),
    ("sept", 9),
    ("set", 9),
    ("septiembre", 9),
    ("setiembre", 9),
    ("september", 9),
    ("oct", 10),
    ("octubre", 10),
    ("october", 10),
    ("nov", 11),
    ("noviembre", 11),
    ("november", 11),
    ("dic", 12),
    ("diciembre", 12),
    ("dec", 12),
    ("december", 12),
];

pub(super) fn month_name(s: &str) -> Option<u32> {
    let l = s.to_lowercase();
    let l = l.trim_end_matches('.');
    MONTHS.iter().find(|(n, _)| *n == l).map(|(_, m)| *m)
}

/// Two-digit years as Excel reads them: 00–29 → 2000s, 30–99 → 1900s.
fn full_year(y: &str) -> Option<i32> {
    let n: i32 = y.parse().ok()?;
    match y.len() {
        4 => Some(n),
        2 | 1 => Some(if n < 30 { 2000 + n } else { 1900 + n }),
        _ => None,
    }
}

/// Reads a date typed as text: ISO `2026-01-31` (with or without a time), `31/01/2026`,
/// `31-01-26`, `31.01.2026`, `2026/01/31`, `31-ene-2026`, `Jan 31, 2026`, `20260131`.
/// Day first unless `order` is [`DateOrder::Mdy`].
pub fn parse_text_date(s: &str, order: DateOrder) -> Option<NaiveDate> {
    let s = s.trim();
    if s.len() == 8 && s.bytes().all(|b| b.is_ascii_digit()) {
        return yyyymmdd(s.parse().ok()?);
    }
    // Drop a time part: `2026-01-31T10:00:00`, `31/01/2026 10:00`.
    let date_part = s.split(['T', ' ']).next().unwrap_or(s);
    let candidate = if date_part.len() >= 6 && date_part.chars().any(|c| c == '/' || c == '-' || c == '.') {
        date_part
    } else {
        s
    };
    let tokens: Vec<&str> = candidate
        .split(|c: char| c == '/' || c == '-' || c == '.' || c == ',' || c.is_whitespace())
        .filter(|t| !t.is_empty() && !t.eq_ignore_ascii_case("de") && !t.eq_ignore_ascii_case("of"))
        .collect();
    if tokens.len() == 2 {
        return month_only(tokens[0], tokens[1]);
    }
    if tokens.len() < 3 {
        return None;
    }
    let (a, b, c) = (tokens[0], tokens[1], tokens[2]);
    let num = |x: &str| -> Option<u32> {
        (x.len() <= 2 && x.bytes().all(|b| b.is_ascii_digit())).then(|| x.parse().ok())?
    };
    let (y, m, d) = if a.len() == 4 && a.bytes().all(|b| b.is_ascii_digit()) {
        (a.parse().ok()?, num(b).or_else(|| month_name(b))?, num(c)?)
    } else if let Some(m) = month_name(a) {
        (full_year(c)?, m, num(b)?)
    } else if let Some(m) = month_name(b) {
        (full_year(c)?, m, num(a)?)
    } else {
        let (x, y2) = (num(a)?, num(b)?);
        let year = full_year(c)?;
        match order {
            DateOrder::Dmy => (year, y2, x),
            DateOrder::Mdy => (year, x, y2),
        }
    };
    if tokens.len() > 3
        && !tokens[3..]
            .iter()
            .all(|t| t.contains(':') || t.eq_ignore_ascii_case("am") || t.eq_ignore_ascii_case("pm"))
    {
        return None;
    }
    NaiveDate::from_ymd_opt(y, m, d)
}

/// A month typed without a day (monthly books): `2026-01`, `01/2026`, `ene-26`, `enero 2026`,
/// `Jan 2026` → the first of that month. Two short numbers (`01/26`) are ambiguous: `None`.
fn month_only(a: &str, b: &str) -> Option<NaiveDate> {
    let digits = |x: &str| x.bytes().all(|c| c.is_ascii_digit());
    let (y, m) = if a.len() == 4 && digits(a) && b.len() <= 2 && digits(b) {
        (a.parse().ok()?, b.parse().ok()?)
    } else if b.len() == 4 && digits(b) && a.len() <= 2 && digits(a) {
        (b.parse().ok()?, a.parse().ok()?)
    } else if let Some(m) = month_name(a) {
        (
            if digits(b) {
                full_year(b)?
            } else {
                return None;
            },
            m,
        )
    } else {
        return None;
    };
    NaiveDate::from_ymd_opt(y, m, 1)
}

fn yyyymmdd(n: u32) -> Option<NaiveDate> {
    if !(19_000_101..=21_001_231).contains(&n) {
        return None;
    }
    NaiveDate::from_ymd_opt((n / 10_000) as i32, (n / 100) % 100, n % 100)
}

/// A plain number in a date column: `20260131`, or an Excel serial (1900 system) between
/// 1950 and 2100 — a date cell that lost its format.
pub fn number_as_date(n: f64) -> Option<NaiveDate> {
    if n.fract() != 0.0 {
        if (18_264.0..=73_415.0).contains(&n) {
            return number_as_date(n.floor());
        }
        return None;
    }
    if (19_000_101.0..=21_001_231.0).contains(&n) {
        return yyyymmdd(n as u32);
    }
    if (18_264.0..=73_415.0).contains(&n) {
        let base = NaiveDate::from_ymd_opt(1899, 12, 30)?;
        return base.checked_add_days(chrono::Days::new(n as u64));
    }
    None
}

/// A yes/no flag as typed: `Sí`, `S`, `X`, `Yes`, `TRUE`, `1`, `Estratégico` → true;
/// `No`, `N`, `0`, `FALSE`, blank → false. Anything else: `None`.
pub fn parse_flag(s: &str) -> Option<bool> {
    let n = super::header::normalize(s);
    match n.as_str() {
        "" | "no" | "n" | "0" | "false" | "falso" | "f" | "-" => Some(false),
        "si" | "s" | "x" | "yes" | "y" | "true" | "verdadero" | "v" | "1" | "estrategico" | "estrategica"
        | "strategic" | "ok" => Some(true),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(y, m, day)
    }

    #[test]
    fn text_numbers_in_both_locales() {
        use TextNum::*;
        let cases: &[(&str, TextNum)] = &[
            ("1234", Value(1234.0, None)),
            ("1.234,56", Value(1234.56, Some(Dec::Comma))),
            ("1234,56", Value(1234.56, Some(Dec::Comma))),
            ("1,234.56", Value(1234.56, Some(Dec::Dot))),
            ("1234.56 €", Value(1234.56, Some(Dec::Dot))),
            ("€1.234,56", Value(1234.56, Some(Dec::Comma))),
            ("1.234,56 €", Value(1234.56, Some(Dec::Comma))),
            ("-1.234,56", Value(-1234.56, Some(Dec::Comma))),
            ("(1.234,56)", Value(-1234.56, Some(Dec::Comma))),
            ("1.234,56-", Value(-1234.56, Some(Dec::Comma))),
            ("-€1,234.56", Value(-1234.56, Some(Dec::Dot))),
            ("1 234,56", Value(1234.56, Some(Dec::Comma))),
            ("1\u{a0}234,56", Value(1234.56, Some(Dec::Comma))),
            ("1.234.567", Value(1_234_567.0, Some(Dec::Comma))),
            ("1,234,567", Value(1_234_567.0, Some(Dec::Dot))),
            ("1.234.567,8", Value(1_234_567.8, Some(Dec::Comma))),
            ("12,5", Value(12.5, Some(Dec::Comma))),
            ("12.5", Value(12.5, Some(Dec::Dot))),
            ("0,250", Value(0.25, Some(Dec::Comma))),
            ("1234.567", Value(1234.567, Some(Dec::Dot))),
            ("1.234", Ambiguous { comma: 1234.0, dot: 1.234 }),
            ("1,234", Ambiguous { comma: 1.234, dot: 1234.0 }),
            ("-1.234", Ambiguous { comma: -1234.0, dot: -1.234 }),
            ("  42 EUR ", Value(42.0, None)),
            ("pendiente", Invalid),
            ("", Invalid),
            ("-", Invalid),
            ("12%", Invalid),
            ("1.2.3", Invalid),
            ("1,234.56.7", Invalid),
            ("1.23,4.5", Invalid),
            ("n/a", Invalid),
            ("12abc", Invalid),
            // Two signs: a return written as a negative in parentheses is never guessed.
            ("(-5)", SignConflict),
            ("(5-)", SignConflict),
            ("(-1.234,56 €)", SignConflict),
            ("€(-5)", SignConflict),
            ("(\u{2212}5)", SignConflict),
        ];
        for (text, want) in cases {
            assert_eq!(parse_text_number(text), *want, "{text:?}");
        }
    }

    #[test]
    fn ambiguous_numbers_follow_the_locale() {
        let n = parse_text_number("1.234");
        assert_eq!(n.value(Dec::Comma), Some(1234.0));
        assert_eq!(n.value(Dec::Dot), Some(1.234));
        assert_eq!(parse_text_number("x").value(Dec::Comma), None);
    }

    #[test]
    fn text_dates_day_first_and_month_first() {
        let cases: &[(&str, DateOrder, Option<NaiveDate>)] = &[
            ("2026-01-31", DateOrder::Dmy, d(2026, 1, 31)),
            ("2026-01-31T10:20:00", DateOrder::Dmy, d(2026, 1, 31)),
            ("2026-01-31 10:20", DateOrder::Dmy, d(2026, 1, 31)),
            ("31/01/2026", DateOrder::Dmy, d(2026, 1, 31)),
            ("03/04/2026", DateOrder::Dmy, d(2026, 4, 3)),
            ("03/04/2026", DateOrder::Mdy, d(2026, 3, 4)),
            ("31-01-26", DateOrder::Dmy, d(2026, 1, 31)),
            ("1-2-26", DateOrder::Dmy, d(2026, 2, 1)),
            ("31.01.2026", DateOrder::Dmy, d(2026, 1, 31)),
            ("2026/01/31", DateOrder::Dmy, d(2026, 1, 31)),
            ("31-ene-2026", DateOrder::Dmy, d(2026, 1, 31)),
            ("31 de enero de 2026", DateOrder::Dmy, d(2026, 1, 31)),
            ("Jan 31, 2026", DateOrder::Dmy, d(2026, 1, 31)),
            ("31/01/2026 10:00", DateOrder::Dmy, d(2026, 1, 31)),
            ("20260131", DateOrder::Dmy, d(2026, 1, 31)),
            ("01/01/99", DateOrder::Dmy, d(1999, 1, 1)),
            ("01/01/29", DateOrder::Dmy, d(2029, 1, 1)),
            ("31/02/2026", DateOrder::Dmy, None),
            ("13/13/2026", DateOrder::Dmy, None),
            ("31/01/2026", DateOrder::Mdy, None),
            ("pendiente", DateOrder::Dmy, None),
            ("2026", DateOrder::Dmy, None),
            ("", DateOrder::Dmy, None),
            ("31/01", DateOrder::Dmy, None),
            ("01/26", DateOrder::Dmy, None),
            ("2026-01", DateOrder::Dmy, d(2026, 1, 1)),
            ("01/2026", DateOrder::Dmy, d(2026, 1, 1)),
            ("ene-26", DateOrder::Dmy, d(2026, 1, 1)),
            ("Enero 2026", DateOrder::Dmy, d(2026, 1, 1)),
            ("Sep. 2025", DateOrder::Dmy, d(2025, 9, 1)),
            ("13/2026", DateOrder::Dmy, None),
            ("Total enero 2026", DateOrder::Dmy, None),
        ];
        for (text, order, want) in cases {
            assert_eq!(parse_text_date(text, *order), *want, "{text:?} {order:?}");
        }
    }

    #[test]
    fn plain_numbers_in_date_columns() {
        assert_eq!(number_as_date(46053.0), d(2026, 1, 31));
        assert_eq!(number_as_date(46053.75), d(2026, 1, 31));
        assert_eq!(number_as_date(20260131.0), d(2026, 1, 31));
        assert_eq!(number_as_date(2026.0), None);
        assert_eq!(number_as_date(-5.0), None);
    }

    #[test]
    fn flags_as_typed() {
        for (s, want) in [
            ("Sí", Some(true)),
            ("S", Some(true)),
            ("x", Some(true)),
            ("TRUE", Some(true)),
            ("yes", Some(true)),
            ("1", Some(true)),
            ("No", Some(false)),
            ("", Some(false)),
            ("0", Some(false)),
            ("quizá", None),
        ] {
            assert_eq!(parse_flag(s), want, "{s:?}");
        }
    }
}
