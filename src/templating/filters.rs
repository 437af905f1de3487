//! The filters templates write numbers and dates with, in the plan's language (the table in
//! [`crate::templating`]), and the XML escaping every value goes through.

use std::sync::Arc;

use tera::{Kwargs, State, Tera, TeraResult, Value};

use crate::lang::Lang;

/// Escapes text for XML: the five markup characters, and drops characters XML 1.0 forbids
/// (control characters other than tab and line breaks, U+FFFE, U+FFFF), which a cell of a
/// book can hold and which would make the whole document unreadable.
pub fn escape_xml(input: &str, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let mut start = 0;
    for (i, c) in input.char_indices() {
        let rep: &[u8] = match c {
            '&' => b"&amp;",
            '<' => b"&lt;",
            '>' => b"&gt;",
            '"' => b"&quot;",
            '\'' => b"&#39;",
            '\t' | '\n' | '\r' => continue,
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => b"",
            _ => continue,
        };
        out.write_all(&input.as_bytes()[start..i])?;
        out.write_all(rep)?;
        start = i + c.len_utf8();
    }
    out.write_all(&input.as_bytes()[start..])
}

/// The number in a template value; `Ok(None)` for none/undefined.
fn number(v: &Value, filter: &str) -> TeraResult<Option<f64>> {
    if v.is_none() || v.is_undefined() {
        return Ok(None);
    }
    match v.as_number() {
        Some(n) => Ok(Some(n.as_float())),
        None => Err(tera::Error::message(format!("filter `{filter}` expects a number, found {}", v.name()))),
    }
}

fn decimals(kw: &Kwargs, default: usize) -> TeraResult<usize> {
    Ok(kw.get::<usize>("decimals")?.unwrap_or(default))
}

/// A plain `.`-decimal number, never in exponent form, for `data-value`.
pub fn raw_number(v: f64) -> String {
    let mut out = String::new();
    push_raw_number(&mut out, v);
    out
}

/// [`raw_number`] appended to `out`.
fn push_raw_number(out: &mut String, v: f64) {
    use std::fmt::Write;
    if !v.is_finite() {
        return;
    }
    // Display never uses an exponent; -0 prints as 0.
    if v == 0.0 {
        out.push('0');
    } else {
        let _ = write!(out, "{v}");
    }
}

/// How a filter writes a value: the `money`, `percent`, `int`, `num`, `date` and `raw` filters,
/// shared with the `cell` and `kpi` functions (see [`super::cells`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Format {
    Money,
    /// A share as a percentage, with this many decimals.
    Percent(usize),
    Int,
    /// A plain number, with this many decimals.
    Num(usize),
    Date,
    Raw,
}

const DASH: &str = "—";

impl Format {
    fn filter(self) -> &'static str {
        match self {
            Format::Money => "money",
            Format::Percent(_) => "percent",
            Format::Int => "int",
            Format::Num(_) => "num",
            Format::Date => "date",
            Format::Raw => "raw",
        }
    }

    /// `v` written in `lang`: `—` for none (an empty string for `raw`); an error naming the
    /// filter for a value of the wrong kind.
    pub(super) fn apply(self, lang: &Lang, v: &Value) -> TeraResult<String> {
        let mut out = String::new();
        self.push(lang, v, &mut out)?;
        Ok(out)
    }

    /// [`Self::apply`] appended to `out` (the `cell` function writes a thousand values a plan
    /// into one buffer); nothing is appended on an error.
    pub(super) fn push(self, lang: &Lang, v: &Value, out: &mut String) -> TeraResult<()> {
        if self == Format::Date {
            out.push_str(&date(lang, v)?);
            return Ok(());
        }
        let Some(x) = number(v, self.filter())? else {
            if self != Format::Raw {
                out.push_str(DASH);
            }
            return Ok(());
        };
        match self {
            Format::Money => lang.push_money(out, x),
            Format::Percent(d) => lang.push_percent(out, x, d),
            Format::Int => lang.push_number(out, x, 0),
            Format::Num(d) => lang.push_number(out, x, d),
            Format::Raw => push_raw_number(out, x),
            Format::Date => unreachable!("dates are written above"),
        }
        Ok(())
    }
}

fn date(lang: &Lang, v: &Value) -> TeraResult<String> {
    if v.is_none() || v.is_undefined() {
        return Ok(DASH.into());
    }
    let s = v.as_str().ok_or_else(|| {
        tera::Error::message(format!("filter `date` expects an ISO date, found {}", v.name()))
    })?;
    let d = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| tera::Error::message(format!("filter `date` expects an ISO date, found {s:?}")))?;
    Ok(lang.date(d))
}

/// Registers kamplan's filters, writing in `lang`'s words and locale.
pub(super) fn register_filters(tera: &mut Tera, lang: &Lang) {
    let l = Arc::new(lang.clone());
    let simple =
        [("money", Format::Money), ("int", Format::Int), ("date", Format::Date), ("raw", Format::Raw)];
    for (name, format) in simple {
        let l = l.clone();
        tera.register_filter(name, move |v: Value, _: Kwargs, _: &State| format.apply(&l, &v));
    }
    let lp = l.clone();
    tera.register_filter("percent", move |v: Value, kw: Kwargs, _: &State| {
        Format::Percent(decimals(&kw, 1)?).apply(&lp, &v)
    });
    let ln = l.clone();
    tera.register_filter("num", move |v: Value, kw: Kwargs, _: &State| {
        // Three decimals by default, as the XLSX's number format shows them.
        Format::Num(decimals(&kw, 3)?).apply(&ln, &v)
    });
    // `{{ n | plural(key="plan.table.accounts_count") }}`: the label's form for the count n
    // (`{count}` filled with n as the language writes it), by the language's plural rules.
    let lc = l.clone();
    tera.register_filter("plural", move |v: Value, kw: Kwargs, _: &State| -> TeraResult<String> {
        let key: String = kw.must_get("key")?;
        let n = number(&v, "plural")?.unwrap_or(0.0);
        let count = if n.is_finite() && n >= 0.0 { n.round() as u64 } else { 0 };
        Ok(lc.fill_n(&key, count, &[("count", lc.number(n, 0))]))
    });
    let lk = l.clone();
    tera.register_function("cell", move |kw: Kwargs, state: &State| super::cells::cell(&lk, &kw, state));
    tera.register_function("kpi", move |kw: Kwargs, state: &State| super::cells::kpi(&l, &kw, state));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_plural_filter_picks_the_form_for_the_count() {
        for (code, one, many) in [("es", "1 cuenta", "1.300 cuentas"), ("en", "1 account", "1,300 accounts")]
        {
            let mut tera = Tera::new();
            register_filters(&mut tera, &Lang::load(code, "€", None).unwrap());
            let render = |n: u32| {
                let mut ctx = tera::Context::new();
                ctx.insert("n", &n);
                tera.render_str(r#"{{ n | plural(key="plan.table.accounts_count") }}"#, &ctx, false).unwrap()
            };
            assert_eq!(render(1), one);
            assert_eq!(render(1300), many);
        }
    }

    #[test]
    fn raw_numbers_never_use_exponents() {
        let cases = [
            (1234.5, "1234.5"),
            (1e21, "1000000000000000000000"),
            (1e-7, "0.0000001"),
            (-0.0, "0"),
            (-12.25, "-12.25"),
            (f64::NAN, ""),
            (f64::INFINITY, ""),
        ];
        for (v, want) in cases {
            assert_eq!(raw_number(v), want, "{v}");
        }
    }
}
