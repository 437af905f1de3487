//! Templating: the tera 2 set-up — kamplan's filters, the embedded default templates, the user's
//! overrides — and rendering a plan or the summary to the XHTML vocabulary of [`crate::document`].
//!
//! Order matters in tera 2, which checks filters when templates load: kamplan's filters are
//! registered first, then the embedded defaults are added with the user's files (from
//! `--templates DIR` / `templates = "DIR"`) replacing defaults of the same name. A configured
//! folder that does not exist is an error; a file in it that matches no known template is a
//! warning (the `i18n/` folder belongs to [`crate::lang`], `fonts/` to the PDF renderer).
//!
//! Autoescaping is on for every template: text from the books (`<b>x</b> & "y"`) stays text.
//!
//! ## Filters, in the plan's language
//! | filter    | input                   | es               | en             |
//! |-----------|-------------------------|------------------|----------------|
//! | `money`   | number                  | `1.234,50 €`     | `€1,234.50`    |
//! | `percent` | share (0.412), `decimals=1` | `41,2 %`     | `41.2%`        |
//! | `date`    | ISO date `2026-10-31`   | `31/10/2026`     | `2026-10-31`   |
//! | `int`     | number                  | `1.234`          | `1,234`        |
//! | `num`     | number, `decimals=2`    | `1.234,50`       | `1,234.50`     |
//! | `raw`     | number                  | `1234.5` — plain `.`-decimal for `data-value` |
//!
//! A missing value (`none`) shows as `—` (and as an empty string with `raw`).
//!
//! The functions `cell(v, f, hl, href, formula)` and `kpi(label, v, f, name, formula)` write a
//! table cell or a headline figure with its typed value (see `templating/cells.rs`); the
//! `cell` and `kpi` components of `macros.xhtml.tera` call them.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use tera::{Context, Tera, Value};

use crate::lang::Lang;
use crate::plan::{KamPlan, Summary};

mod cells;
mod filters;

use filters::register_filters;
pub use filters::{escape_xml, raw_number};

/// The plan template's name.
pub const PLAN: &str = "plan.xhtml.tera";
/// The summary template's name.
pub const SUMMARY: &str = "summary.xhtml.tera";
/// Shared components (cells, lists) both documents use.
pub const MACROS: &str = "macros.xhtml.tera";
/// The subject of a hand-over mail (`kamplan send`), one line.
pub const MAIL_SUBJECT: &str = "mail_subject.txt.tera";
/// The plain-text body of a hand-over mail.
pub const MAIL_TEXT: &str = "mail_body.txt.tera";
/// The HTML alternative of the body (escaped like the documents).
pub const MAIL_HTML: &str = "mail_body.html.tera";

const EMBEDDED: &[(&str, &str)] = &[
    (MACROS, include_str!("../templates/macros.xhtml.tera")),
    (PLAN, include_str!("../templates/plan.xhtml.tera")),
    (SUMMARY, include_str!("../templates/summary.xhtml.tera")),
    (MAIL_SUBJECT, include_str!("../templates/mail_subject.txt.tera")),
    (MAIL_TEXT, include_str!("../templates/mail_body.txt.tera")),
    (MAIL_HTML, include_str!("../templates/mail_body.html.tera")),
];

/// The embedded default templates, (file name, text), for `kamplan init` to write out.
/// The language files are in [`crate::lang::embedded_files`].
pub fn embedded() -> &'static [(&'static str, &'static str)] {
    EMBEDDED
}

/// Entries of a template folder that are not templates and belong to someone else.
const NOT_TEMPLATES: &[&str] = &["i18n", "fonts", "kamplan.toml"];

/// A template problem, with the template's name and line when tera knows them.
#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    #[error("template folder {0} does not exist")]
    MissingDir(PathBuf),
    #[error("cannot read {path}: {message}")]
    Read { path: PathBuf, message: String },
    #[error("template {template}{}: {message}", line.map(|l| format!(" line {l}")).unwrap_or_default())]
    Template { template: String, line: Option<usize>, message: String },
}

impl TemplateError {
    fn from_tera(e: &tera::Error, fallback: &str) -> TemplateError {
        use tera::ErrorKind;
        match e.kind() {
            ErrorKind::SyntaxError(r) | ErrorKind::RenderingError(r) => {
                let name = if r.filename().is_empty() { fallback } else { r.filename() };
                let span = r.span();
                TemplateError::Template {
                    template: name.to_string(),
                    line: Some(span.start_line),
                    message: format!("column {}: {}", span.start_col + 1, lowercase_first(r.message())),
                }
            }
            _ => {
                let mut message = e.to_string();
                let mut src = std::error::Error::source(e);
                while let Some(s) = src {
                    message.push_str(": ");
                    message.push_str(&s.to_string());
                    src = s.source();
                }
                // Validation errors (unknown filter …) carry "--> name:line:col" in their report.
                let (template, line) = locate(&message).unwrap_or((fallback.to_string(), None));
                TemplateError::Template { template, line, message: message.trim().to_string() }
            }
        }
    }
}

fn lowercase_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) if c.clone().next().is_some_and(|n| n.is_lowercase()) => f.to_lowercase().chain(c).collect(),
        _ => s.to_string(),
    }
}

/// The first `--> name:line:col` of a tera report.
fn locate(report: &str) -> Option<(String, Option<usize>)> {
    let at = report.find("--> ")?;
    let rest = report[at + 4..].lines().next()?.trim();
    let mut parts = rest.rsplitn(3, ':');
    let _col = parts.next()?;
    let line = parts.next()?.parse().ok();
    let name = parts.next()?.to_string();
    Some((name, line))
}

/// The loaded templates and the language they render in.
#[derive(Clone)]
pub struct Templates {
    tera: Tera,
    labels: Value,
    lang: String,
    /// The locale tag (`es-ES`, `en-US`, `en-GB`): the documents' `lang`, which the renderers
    /// read for number and date cell formats.
    locale: String,
}

impl std::fmt::Debug for Templates {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Templates").field("lang", &self.lang).finish_non_exhaustive()
    }
}

impl Templates {
    /// Loads the defaults, with files of `override_dir` replacing those of the same name.
    ///
    /// Returns warnings for files in `override_dir` that match no template.
    ///
    /// # Errors
    /// The folder does not exist, a file cannot be read, or a template does not compile
    /// (the error names the template and its line).
    pub fn load(override_dir: Option<&Path>, lang: &Lang) -> Result<(Templates, Vec<String>), TemplateError> {
        let mut texts: BTreeMap<String, String> =
            EMBEDDED.iter().map(|(n, t)| (n.to_string(), t.to_string())).collect();
        let mut warnings = Vec::new();
        if let Some(dir) = override_dir {
            if !dir.is_dir() {
                return Err(TemplateError::MissingDir(dir.to_path_buf()));
            }
            let read_err =
                |e: std::io::Error| TemplateError::Read { path: dir.to_path_buf(), message: e.to_string() };
            let mut entries: Vec<PathBuf> =
                std::fs::read_dir(dir).map_err(read_err)?.filter_map(|e| e.ok()).map(|e| e.path()).collect();
            entries.sort();
            let known: Vec<&str> = EMBEDDED.iter().map(|(n, _)| *n).collect();
            for path in entries {
                let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
                if name.starts_with('.') || NOT_TEMPLATES.contains(&name.as_str()) {
                    continue;
                }
                if !known.contains(&name.as_str()) || !path.is_file() {
                    let hint = crate::config::suggest(&name, &known)
                        .map(|s| format!(" (did you mean {s}?)"))
                        .unwrap_or_default();
                    warnings.push(format!(
                        "template folder {}: {name} matches no template and is ignored{hint}; templates are {}",
                        dir.display(),
                        known.join(", ")
                    ));
                    continue;
                }
                let text = std::fs::read(&path)
                    .map_err(|e| TemplateError::Read { path: path.clone(), message: e.to_string() })
                    .and_then(|b| {
                        String::from_utf8(b).map_err(|_| TemplateError::Read {
                            path: path.clone(),
                            message: "not UTF-8 text".into(),
                        })
                    })?;
                texts.insert(name, text);
            }
        }

        let mut tera = Tera::default();
        register_filters(&mut tera, lang);
        // Every document and HTML template escapes what it prints; the mail's subject and text
        // body (`.txt.tera`) are plain text, where an escape would show as `&amp;`.
        tera.autoescape_on([".xhtml.tera", ".html.tera", ".xhtml", ".html", ".xml"]);
        tera.set_escape_fn(escape_xml);
        tera.add_raw_templates(texts.iter().map(|(n, t)| (n.as_str(), t.as_str())))
            .map_err(|e| TemplateError::from_tera(&e, PLAN))?;
        for name in [PLAN, SUMMARY] {
            if !tera.contains_template(name) {
                return Err(TemplateError::Template {
                    template: name.into(),
                    line: None,
                    message: "missing".into(),
                });
            }
        }
        let labels = Value::from_serializable(lang.tree());
        let locale = lang.locale.tag().to_string();
        Ok((Templates { tera, labels, lang: lang.code.clone(), locale }, warnings))
    }

    fn context(&self) -> Context {
        let mut ctx = Context::new();
        ctx.insert_value("labels", self.labels.clone());
        ctx.insert("lang", &self.lang);
        ctx.insert("locale", &self.locale);
        ctx
    }

    /// Renders `name` with `ctx`, refusing an output beyond [`MAX_OUTPUT`] as it grows (a user's
    /// template with a loop that does not end must not fill the memory).
    fn render_bounded(&self, name: &str, ctx: &Context) -> Result<String, TemplateError> {
        let mut out = Capped::default();
        match self.tera.render_to(name, ctx, &mut out) {
            Ok(()) => String::from_utf8(out.buf).map_err(|e| TemplateError::Template {
                template: name.to_string(),
                line: None,
                message: format!("its output is not UTF-8 ({e})"),
            }),
            Err(_) if out.full => Err(TemplateError::Template {
                template: name.to_string(),
                line: None,
                message: format!(
                    "its output passes {} MB (a loop that does not end, or one nested in another?)",
                    MAX_OUTPUT >> 20
                ),
            }),
            Err(e) => Err(TemplateError::from_tera(&e, name)),
        }
    }

    /// Renders one KAM's plan (`plan.xhtml.tera`, the plan as `plan`).
    pub fn render_plan(&self, plan: &KamPlan) -> Result<String, TemplateError> {
        let mut ctx = self.context();
        ctx.insert("plan", plan);
        self.render_bounded(PLAN, &ctx)
    }

    /// Renders a mail template ([`MAIL_SUBJECT`], [`MAIL_TEXT`], [`MAIL_HTML`]) with `mail` as
    /// its context (see `crate::send::compose`).
    pub fn render_mail(&self, name: &str, mail: &impl serde::Serialize) -> Result<String, TemplateError> {
        let mut ctx = self.context();
        ctx.insert("mail", mail);
        self.render_bounded(name, &ctx)
    }

    /// Renders the management summary (`summary.xhtml.tera`, the summary as `summary`).
    pub fn render_summary(&self, summary: &Summary) -> Result<String, TemplateError> {
        let mut ctx = self.context();
        ctx.insert("summary", summary);
        self.render_bounded(SUMMARY, &ctx)
    }
}

/// Most bytes one rendered document may have: a plan's XHTML is some hundred kilobytes.
pub const MAX_OUTPUT: usize = 64 << 20;

/// A buffer that refuses to grow past [`MAX_OUTPUT`].
#[derive(Default)]
struct Capped {
    buf: Vec<u8>,
    full: bool,
}

impl std::io::Write for Capped {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        if self.buf.len() + b.len() > MAX_OUTPUT {
            self.full = true;
            return Err(std::io::Error::other("template output too large"));
        }
        self.buf.extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests;
