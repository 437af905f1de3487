//! The `cell` and `kpi` functions: a table cell or a headline figure holding a typed value, as
//! the document vocabulary writes them (`<td data-value="1234.5">1.234,50 €</td>`).
//!
//! `{{ cell(v=a.sales, f="money") }}`, `{{ kpi(label=L.sales, v=p.sales, f="money", name="sales") }}`
//! — the arguments are those of the `cell` and `kpi` components in `macros.xhtml.tera`, which
//! call these. They are Rust rather than tera because a plan writes about a thousand of them: a
//! component call builds a context and runs a sub-template each time, which was about 40 % of
//! the time a plan took to template.
//!
//! `f` is the format: `money`, `percent`, `int`, `num`, `date` or `text` (the default). Numbers
//! go to `data-value` as plain numbers (the `raw` filter's form), the text shown is written in
//! the plan's language (the filters' forms). A missing value (`none`) shows as `—`.

use tera::{Kwargs, State, TeraResult, Value};

use super::filters::{escape_xml, Format};
use crate::lang::Lang;

/// The filter that writes a value of the format `f` (`None`: text, printed as it is). A date's
/// `data-value` is the value as written; a number's, the `raw` filter's form.
fn format_of(f: &str) -> Option<Format> {
    Some(match f {
        "money" => Format::Money,
        "percent" => Format::Percent(1),
        "int" => Format::Int,
        "num" => Format::Num(3),
        "date" => Format::Date,
        _ => return None,
    })
}

/// The output under construction, escaped as tera escapes what a template prints.
struct Out<'s> {
    buf: Vec<u8>,
    state: &'s State<'s>,
    /// A formatted number or date before it is escaped into `buf` (one buffer for the call).
    scratch: String,
}

impl Out<'_> {
    fn new<'s>(state: &'s State<'s>) -> Out<'s> {
        Out { buf: Vec::with_capacity(96), state, scratch: String::with_capacity(32) }
    }

    /// ` data-value="…">text`: `v` as `data-value` and, after the tag's end, as text, both
    /// written by `format` (errors as the filters give them, `data-value` first); a KPI's
    /// ` data-format="…"` between the two.
    fn typed(&mut self, lang: &Lang, format: Format, v: &Value, format_name: Option<&str>) -> TeraResult<()> {
        self.raw(" data-value=\"");
        if format == Format::Date {
            self.value(v)?;
        } else {
            self.scratch.clear();
            Format::Raw.push(lang, v, &mut self.scratch)?;
            self.scratch_text();
        }
        self.raw("\"");
        if let Some(name) = format_name {
            self.raw(" data-format=\"");
            self.raw(name);
            self.raw("\"");
        }
        self.raw(">");
        self.scratch.clear();
        format.push(lang, v, &mut self.scratch)?;
        self.scratch_text();
        Ok(())
    }

    fn raw(&mut self, s: &str) {
        self.buf.extend_from_slice(s.as_bytes());
    }

    /// A string the template would print with `{{ }}`.
    fn text(&mut self, s: &str) {
        print_text(&mut self.buf, self.state, s);
    }

    /// The scratch buffer printed as [`Self::text`] prints.
    fn scratch_text(&mut self) {
        print_text(&mut self.buf, self.state, &self.scratch);
    }

    /// A value the template would print with `{{ }}` (a safe string as it is).
    fn value(&mut self, v: &Value) -> TeraResult<()> {
        match v.as_str() {
            Some(s) if !v.is_safe() => self.text(s),
            _ => {
                let s = self.state.escape_if_needed(v)?;
                self.raw(&s);
            }
        }
        Ok(())
    }

    /// ` name="value"` when `v` is truthy (a non-empty string).
    fn attr_if(&mut self, name: &str, prefix: &str, v: &Value) -> TeraResult<()> {
        if v.is_truthy() {
            self.raw(" ");
            self.raw(name);
            self.raw("=\"");
            self.raw(prefix);
            self.value(v)?;
            self.raw("\"");
        }
        Ok(())
    }

    fn done(self) -> Value {
        Value::safe_string(&String::from_utf8_lossy(&self.buf))
    }
}

/// `s` printed into `buf` as a template prints it with `{{ }}`: escaped when autoescaping is on.
fn print_text(buf: &mut Vec<u8>, state: &State, s: &str) {
    if state.autoescaping_enabled() {
        // Writing to a Vec cannot fail.
        let _ = escape_xml(s, buf);
    } else {
        buf.extend_from_slice(s.as_bytes());
    }
}

/// An argument, borrowed (a cell has five: cloning each was a tenth of a cell's time); a
/// missing one is `default`.
fn arg<'k>(kw: &'k Kwargs, name: &'k str, default: &'k Value) -> TeraResult<&'k Value> {
    Ok(kw.get::<&Value>(name)?.unwrap_or(default))
}

fn missing(v: &Value) -> bool {
    v.is_none() || v.is_undefined()
}

/// `<td …>…</td>`: `cell(v, f="text", hl=false, href="", formula="")`.
pub(super) fn cell(lang: &Lang, kw: &Kwargs, state: &State) -> TeraResult<Value> {
    let (no, empty, text) = (Value::from(false), Value::from(""), Value::from("text"));
    let v: &Value = kw.must_get("v")?;
    let f = arg(kw, "f", &text)?;
    let mut out = Out::new(state);
    out.raw("<td");
    if arg(kw, "hl", &no)?.is_truthy() {
        out.raw(" highlight=\"true\"");
    }
    out.attr_if("href", "#", arg(kw, "href", &empty)?)?;
    if !missing(v) {
        out.attr_if("data-formula", "", arg(kw, "formula", &empty)?)?;
    }
    if missing(v) {
        out.raw(">—");
    } else {
        match format_of(f.as_str().unwrap_or("")) {
            Some(format) => out.typed(lang, format, v, None)?,
            None => {
                out.raw(">");
                out.value(v)?;
            }
        }
    }
    out.raw("</td>");
    Ok(out.done())
}

/// `<kpi …>…</kpi>`: `kpi(label, v, f="money", name="", formula="")`.
pub(super) fn kpi(lang: &Lang, kw: &Kwargs, state: &State) -> TeraResult<Value> {
    let (empty, money) = (Value::from(""), Value::from("money"));
    let label: &Value = kw.must_get("label")?;
    let v: &Value = kw.must_get("v")?;
    let f = arg(kw, "f", &money)?;
    let mut out = Out::new(state);
    out.raw("<kpi label=\"");
    out.value(label)?;
    out.raw("\"");
    out.attr_if("data-name", "", arg(kw, "name", &empty)?)?;
    if !missing(v) {
        out.attr_if("data-formula", "", arg(kw, "formula", &empty)?)?;
    }
    let f_str = f.as_str().unwrap_or("");
    // The document's format names: the template's `num` is the vocabulary's `number`.
    let format_name = if f_str == "num" { "number" } else { f_str };
    if missing(v) {
        out.raw(" data-format=\"");
        if f_str == "num" {
            out.raw(format_name);
        } else {
            out.value(f)?;
        }
        out.raw("\">—");
    } else {
        match format_of(f_str) {
            Some(format) => out.typed(lang, format, v, Some(format_name))?,
            None => {
                out.raw(" data-format=\"text\">");
                out.value(v)?;
            }
        }
    }
    out.raw("</kpi>");
    Ok(out.done())
}

#[cfg(test)]
mod tests {
    use tera::{Context, Tera};

    use super::super::filters::{escape_xml, register_filters};
    use crate::lang::Lang;

    /// The `cell` and `kpi` components as they were written in tera before these functions:
    /// the reference the functions must match byte for byte.
    const COMPONENTS: &str = r##"{% component old_cell(v, f = "text", hl = false, href = "", formula = "") -%}
<td{% if hl %} highlight="true"{% endif %}{% if href %} href="#{{ href }}"{% endif %}{% if formula and v is not none and v is not undefined %} data-formula="{{ formula }}"{% endif %}
{%- if v is none or v is undefined %}>—
{%- elif f == "money" %} data-value="{{ v | raw }}">{{ v | money }}
{%- elif f == "percent" %} data-value="{{ v | raw }}">{{ v | percent }}
{%- elif f == "int" %} data-value="{{ v | raw }}">{{ v | int }}
{%- elif f == "num" %} data-value="{{ v | raw }}">{{ v | num }}
{%- elif f == "date" %} data-value="{{ v }}">{{ v | date }}
{%- else %}>{{ v }}
{%- endif %}</td>
{%- endcomponent old_cell %}
{% component old_kpi(label, v, f = "money", name = "", formula = "") -%}
<kpi label="{{ label }}"{% if name %} data-name="{{ name }}"{% endif %}{% if formula and v is not none and v is not undefined %} data-formula="{{ formula }}"{% endif %}
{%- if v is none or v is undefined %} data-format="{% if f == "num" %}number{% else %}{{ f }}{% endif %}">—
{%- elif f == "money" %} data-value="{{ v | raw }}" data-format="money">{{ v | money }}
{%- elif f == "percent" %} data-value="{{ v | raw }}" data-format="percent">{{ v | percent }}
{%- elif f == "int" %} data-value="{{ v | raw }}" data-format="int">{{ v | int }}
{%- elif f == "num" %} data-value="{{ v | raw }}" data-format="number">{{ v | num(decimals=3) }}
{%- elif f == "date" %} data-value="{{ v }}" data-format="date">{{ v | date }}
{%- else %} data-format="text">{{ v }}
{%- endif %}</kpi>
{%- endcomponent old_kpi %}
"##;

    const CALLS: &str = r#"{{ <old_cell v={v} f={f} hl={hl} href={href} formula={formula} /> }}
{{ cell(v=v, f=f, hl=hl, href=href, formula=formula) }}
{{ <old_cell v={v} /> }}
{{ cell(v=v) }}
{{ <old_kpi label={label} v={v} f={f} name={href} formula={formula} /> }}
{{ kpi(label=label, v=v, f=f, name=href, formula=formula) }}
{% if v is not string %}{{ <old_kpi label={label} v={v} /> }}
{{ kpi(label=label, v=v) }}{% else %}-
-{% endif %}"#;

    fn tera(code: &str) -> Tera {
        let mut tera = Tera::default();
        register_filters(&mut tera, &Lang::load(code, "€", None).unwrap());
        tera.autoescape_on([".xhtml"]);
        tera.set_escape_fn(escape_xml);
        tera.add_raw_templates([("calls.xhtml", format!("{COMPONENTS}{CALLS}"))]).unwrap();
        tera
    }

    #[test]
    fn the_functions_write_what_the_components_wrote() {
        let numbers = [
            serde_json::json!(1234.5),
            serde_json::json!(-0.0),
            serde_json::json!(7),
            serde_json::json!(0.4125),
        ];
        let hostile = serde_json::json!("<b>x</b> & \"y\" 'z'");
        let mut cases = Vec::new();
        for f in ["money", "percent", "int", "num", "text", "other"] {
            for v in &numbers {
                cases.push((v.clone(), f));
            }
        }
        for f in ["date", "text"] {
            cases.push((serde_json::json!("2026-10-31"), f));
        }
        for f in ["text", "other", "euros"] {
            cases.push((hostile.clone(), f));
        }
        for f in ["money", "percent", "int", "num", "date", "text", "other"] {
            cases.push((serde_json::Value::Null, f));
        }
        let flags =
            [(false, "", ""), (true, "cuenta-1&2", "sum(sales)"), (true, "", "key_sales / company_sales")];
        for code in ["es", "en"] {
            let tera = tera(code);
            let mut checked = 0;
            for (v, f) in &cases {
                for (hl, href, formula) in flags {
                    let mut ctx = Context::new();
                    ctx.insert("v", v);
                    ctx.insert("f", f);
                    ctx.insert("hl", &hl);
                    ctx.insert("href", href);
                    ctx.insert("formula", formula);
                    ctx.insert("label", "Ventas <netas> & más");
                    let out = tera.render("calls.xhtml", &ctx).unwrap();
                    let lines: Vec<&str> = out.trim().lines().collect();
                    assert_eq!(lines.len(), 8, "{out}");
                    for pair in lines.chunks(2) {
                        assert_eq!(pair[1], pair[0], "{code} v={v} f={f} hl={hl} href={href:?}");
                        checked += 1;
                    }
                }
            }
            assert_eq!(checked, cases.len() * flags.len() * 4);
        }
    }

    #[test]
    fn a_value_of_the_wrong_kind_is_an_error_naming_the_filter() {
        let tera = tera("es");
        let mut ctx = Context::new();
        ctx.insert("v", "abc");
        let e = tera.render_str(r#"{{ cell(v=v, f="money") }}"#, &ctx, true).unwrap_err();
        // As the component did: `data-value` (the `raw` filter) is written first.
        assert!(format!("{e:?}").contains("filter `raw` expects a number, found string"), "{e:?}");
    }
}
