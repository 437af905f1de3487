//! Document model: the templates' small XHTML vocabulary parsed into typed blocks both renderers share.
//!
//! A template renders XHTML; this module parses it (roxmltree) into a [`Document`]. The PDF
//! renderer lays it out, the XLSX renderer maps it to sheets. Text from the books arrives here
//! already escaped by tera and leaves as plain strings: never markup, never a formula.
//!
//! ## Vocabulary
//! ```xml
//! <document title="Plan de cuentas clave — Ana" lang="es" author="kamplan" subject="2026-10">
//!   <section title="Resumen" sheet="Resumen">          <!-- a sheet in XLSX; break="page" in PDF -->
//!     <h1>Title</h1> <h2>Subtitle</h2> <h3>…</h3>
//!     <p>Text with <b>bold</b> runs.</p>
//!     <note kind="info|warning|highlight">Short boxed text</note>
//!     <kpis>
//!       <kpi label="Ventas" data-value="1234.5" data-format="money">1.234,50 €</kpi>
//!     </kpis>
//!     <table name="cuentas">                            <!-- name: the Excel table name -->
//!       <thead><tr><th data-format="money">Ventas</th>
//!                  <th data-format="text" data-choices="Pendiente|Hecha" data-fill="true">Estado</th></tr></thead>
//!       <tbody><tr><td data-value="1234.5">1.234,50 €</td><td highlight="true">Pendiente</td></tr></tbody>
//!       <tfoot><tr><td>Total</td><td data-value="1234.5">1.234,50 €</td></tr></tfoot>
//!     </table>
//!     <ul><li>item</li></ul>  <ol><li>item</li></ol>
//!     <chart kind="bar|line|pareto" title="Ventas 24 meses" data-format="money">
//!       <series name="Ventas" kind="bar" data-format="money">
//!         <pt label="nov 2024" value="1234.5"/> …
//!       </series>
//!       <series name="Acumulado" kind="line" axis="secondary" data-format="percent">…</series>
//!     </chart>
//!     <fields><field label="Nombre" kind="text|date|choice" choices="A|B">prefilled</field></fields>
//!   </section>
//! </document>
//! ```
//! `data-format` is one of text, money, percent (value is a share: 0.412), int, number, date
//! (value ISO `2026-10-31`). A `td` without `data-value` is text. A `td`'s `data-format`
//! defaults to its column's. A series defaults to its chart's kind (bars, or lines in a line
//! chart) and format; in a pareto chart a line series defaults to the secondary axis and
//! percent (the cumulative share, 0–1).

use chrono::NaiveDate;
use serde::Serialize;

/// A whole document (one plan, or the summary).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Document {
    pub title: String,
    pub lang: String,
    pub author: String,
    pub subject: String,
    pub sections: Vec<Section>,
}

/// A section: a sheet in XLSX, a run of pages in PDF.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Section {
    pub title: String,
    /// XLSX sheet name (≤ 31 chars, made safe by the renderer); defaults to the title.
    pub sheet: String,
    /// Start the section on a new PDF page.
    pub page_break: bool,
    pub blocks: Vec<Block>,
}

/// A piece of content.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Block {
    Heading { level: u8, text: String },
    Paragraph(Vec<Run>),
    Note { kind: NoteKind, text: String },
    Kpis(Vec<Kpi>),
    Table(Table),
    List { ordered: bool, items: Vec<String> },
    Chart(Chart),
    Fields(Vec<Field>),
}

/// A run of paragraph text.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Run {
    pub text: String,
    pub bold: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum NoteKind {
    Info,
    Warning,
    Highlight,
}

/// A headline figure.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Kpi {
    pub label: String,
    pub value: Value,
}

/// How a value is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ValueFormat {
    Text,
    Money,
    Percent,
    Int,
    Number,
    Date,
}

/// A typed value with the text the template wrote for it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Value {
    /// What the template displays (already in the plan's language).
    pub text: String,
    pub format: ValueFormat,
    /// The number (money, share, int, number), when typed.
    pub number: Option<f64>,
    /// The date, when `format` is Date.
    pub date: Option<NaiveDate>,
}

/// A table column.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Column {
    pub label: String,
    pub format: ValueFormat,
    /// Allowed values (XLSX drop-down list).
    pub choices: Vec<String>,
    /// A column the KAM fills in.
    pub fill: bool,
}

/// A table cell.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cell {
    pub value: Value,
    pub highlight: bool,
}

/// A table whose cells carry typed values.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Table {
    /// Excel table name hint (made unique and valid by the renderer).
    pub name: String,
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<Cell>>,
    pub totals: Option<Vec<Cell>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ChartKind {
    Bar,
    Line,
    /// Bars by value with a cumulative-share line on a secondary axis.
    Pareto,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SeriesKind {
    Bar,
    Line,
}

/// A series of labelled points.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Series {
    pub name: String,
    pub kind: SeriesKind,
    pub secondary_axis: bool,
    pub format: ValueFormat,
    pub points: Vec<(String, f64)>,
}

/// A chart given as data; each renderer draws it natively.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Chart {
    pub kind: ChartKind,
    pub title: String,
    pub format: ValueFormat,
    pub series: Vec<Series>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FieldKind {
    Text,
    Date,
    Choice,
}

/// A labelled blank for the reader to fill in.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Field {
    pub label: String,
    pub kind: FieldKind,
    pub choices: Vec<String>,
    pub value: String,
}

/// The template's output is not the vocabulary above.
#[derive(Debug, thiserror::Error, PartialEq)]
#[error("template output line {line}: {message}")]
pub struct DocumentError {
    pub line: u32,
    pub message: String,
}

/// Parses a template's XHTML output into a document.
///
/// Strict, so that a template mistake shows up as an error naming its line rather than as a
/// quietly wrong file: the XML must be well formed, every element and attribute must belong to
/// the vocabulary above, and every `data-value` must parse (numbers with `.` as the decimal
/// separator, dates as ISO `YYYY-MM-DD`). Text is kept as plain strings with runs of
/// whitespace collapsed to one space; entities such as `&lt;` stay the characters they stand
/// for and never become markup. Comments are ignored. HTML-only entities such as `&nbsp;` are
/// not XML: write `&#160;` or the character itself.
///
/// # Errors
/// [`DocumentError`] with the 1-based line of the offending element, e.g.
/// `template output line 12: td data-value "1,5" is not a number (use '.' for decimals)`.
///
/// # Example
/// ```
/// let doc = kamplan::document::parse(
///     r#"<document title="Plan"><section title="Resumen"><p>Hola <b>Ana</b></p></section></document>"#,
/// ).unwrap();
/// assert_eq!(doc.sections[0].title, "Resumen");
/// ```
pub fn parse(xhtml: &str) -> Result<Document, DocumentError> {
    let xml = roxmltree::Document::parse(xhtml)
        .map_err(|e| DocumentError { line: e.pos().row, message: format!("not well-formed XML: {e}") })?;
    let p = Parser::new(xhtml);
    p.document(xml.root_element())
}

type Node<'a, 'i> = roxmltree::Node<'a, 'i>;

/// Parsing state: only the line index, so line numbers cost a binary search, not a rescan.
struct Parser {
    line_starts: Vec<usize>,
}

impl Parser {
    fn new(text: &str) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Parser { line_starts }
    }

    fn line(&self, node: Node) -> u32 {
        let pos = node.range().start;
        let idx = self.line_starts.partition_point(|&s| s <= pos);
        idx.max(1) as u32
    }

    fn err(&self, node: Node, message: impl Into<String>) -> DocumentError {
        DocumentError { line: self.line(node), message: message.into() }
    }

    /// Rejects attributes outside `allowed`, naming the first unknown one.
    fn check_attrs(&self, node: Node, allowed: &[&str]) -> Result<(), DocumentError> {
        for a in node.attributes() {
            if a.namespace().is_some() || !allowed.contains(&a.name()) {
                let known = if allowed.is_empty() { "none".to_string() } else { allowed.join(", ") };
                return Err(self.err(
                    node,
                    format!("unknown attribute {:?} on <{}> (known: {known})", a.name(), name(node)),
                ));
            }
        }
        Ok(())
    }

    /// The element children, rejecting stray non-blank text between them.
    fn elements<'a, 'i>(&self, node: Node<'a, 'i>) -> Result<Vec<Node<'a, 'i>>, DocumentError> {
        let mut out = Vec::new();
        for c in node.children() {
            if c.is_element() {
                out.push(c);
            } else if c.is_text() && !c.text().unwrap_or("").trim().is_empty() {
                return Err(self.err(
                    c,
                    format!(
                        "text {:?} directly inside <{}>; put it in an element",
                        short(c.text().unwrap_or("")),
                        name(node)
                    ),
                ));
            }
        }
        Ok(out)
    }

    /// Text-only content: any child element is an error.
    fn text(&self, node: Node) -> Result<String, DocumentError> {
        let mut s = String::new();
        for c in node.children() {
            if c.is_element() {
                return Err(
                    self.err(c, format!("<{}> is not allowed inside <{}>; only text", name(c), name(node)))
                );
            }
            // Comments and processing instructions are not content.
            if c.is_text() {
                s.push_str(c.text().unwrap_or(""));
            }
        }
        Ok(normalize_ws(&s).trim().to_string())
    }

    fn unknown(&self, node: Node, parent: &str, known: &str) -> DocumentError {
        self.err(node, format!("unknown element <{}> inside <{parent}> (known: {known})", name(node)))
    }

    fn document(&self, root: Node) -> Result<Document, DocumentError> {
        if name(root) != "document" {
            return Err(
                self.err(root, format!("the root element must be <document>, found <{}>", name(root)))
            );
        }
        self.check_attrs(root, &["title", "lang", "author", "subject"])?;
        let attr = |k: &str| root.attribute(k).map(normalize_ws).unwrap_or_default();
        let mut sections = Vec::new();
        for c in self.elements(root)? {
            if name(c) != "section" {
                return Err(self.unknown(c, "document", "section"));
            }
            sections.push(self.section(c)?);
        }
        Ok(Document {
            title: attr("title"),
            lang: attr("lang"),
            author: attr("author"),
            subject: attr("subject"),
            sections,
        })
    }

    fn section(&self, node: Node) -> Result<Section, DocumentError> {
        self.check_attrs(node, &["title", "sheet", "break"])?;
        let title = node.attribute("title").map(normalize_ws).unwrap_or_default();
        let sheet = node.attribute("sheet").map(normalize_ws).unwrap_or_else(|| title.clone());
        let page_break = match node.attribute("break") {
            None | Some("auto") => false,
            Some("page") => true,
            Some(other) => {
                return Err(self.err(node, format!("section break {other:?} is not one of page, auto")))
            }
        };
        let mut blocks = Vec::new();
        for c in self.elements(node)? {
            blocks.push(self.block(c)?);
        }
        Ok(Section { title, sheet, page_break, blocks })
    }

    fn block(&self, node: Node) -> Result<Block, DocumentError> {
        match name(node) {
            h @ ("h1" | "h2" | "h3") => {
                self.check_attrs(node, &[])?;
                Ok(Block::Heading { level: h.as_bytes()[1] - b'0', text: self.text(node)? })
            }
            "p" => {
                self.check_attrs(node, &[])?;
                Ok(Block::Paragraph(self.runs(node)?))
            }
            "note" => {
                self.check_attrs(node, &["kind"])?;
                let kind = match node.attribute("kind") {
                    None | Some("info") => NoteKind::Info,
                    Some("warning") => NoteKind::Warning,
                    Some("highlight") => NoteKind::Highlight,
                    Some(o) => {
                        return Err(
                            self.err(node, format!("note kind {o:?} is not one of info, warning, highlight"))
                        )
                    }
                };
                Ok(Block::Note { kind, text: self.text(node)? })
            }
            "kpis" => {
                self.check_attrs(node, &[])?;
                let mut kpis = Vec::new();
                for c in self.elements(node)? {
                    if name(c) != "kpi" {
                        return Err(self.unknown(c, "kpis", "kpi"));
                    }
                    self.check_attrs(c, &["label", "data-value", "data-format"])?;
                    let label = c.attribute("label").map(normalize_ws).unwrap_or_default();
                    let value = self.value(c, self.text(c)?, None)?;
                    kpis.push(Kpi { label, value });
                }
                Ok(Block::Kpis(kpis))
            }
            "table" => self.table(node).map(Block::Table),
            l @ ("ul" | "ol") => {
                self.check_attrs(node, &[])?;
                let mut items = Vec::new();
                for c in self.elements(node)? {
                    if name(c) != "li" {
                        return Err(self.unknown(c, l, "li"));
                    }
                    self.check_attrs(c, &[])?;
                    items.push(self.text(c)?);
                }
                Ok(Block::List { ordered: l == "ol", items })
            }
            "chart" => self.chart(node).map(Block::Chart),
            "fields" => {
                self.check_attrs(node, &[])?;
                let mut fields = Vec::new();
                for c in self.elements(node)? {
                    if name(c) != "field" {
                        return Err(self.unknown(c, "fields", "field"));
                    }
                    self.check_attrs(c, &["label", "kind", "choices"])?;
                    let kind = match c.attribute("kind") {
                        None | Some("text") => FieldKind::Text,
                        Some("date") => FieldKind::Date,
                        Some("choice") => FieldKind::Choice,
                        Some(o) => {
                            return Err(
                                self.err(c, format!("field kind {o:?} is not one of text, date, choice"))
                            )
                        }
                    };
                    fields.push(Field {
                        label: c.attribute("label").map(normalize_ws).unwrap_or_default(),
                        kind,
                        choices: choices(c.attribute("choices")),
                        value: self.text(c)?,
                    });
                }
                Ok(Block::Fields(fields))
            }
            _ => {
                Err(self.unknown(node, "section", "h1, h2, h3, p, note, kpis, table, ul, ol, chart, fields"))
            }
        }
    }

    /// A paragraph's runs: text and `<b>` children, whitespace collapsed across run borders.
    fn runs(&self, node: Node) -> Result<Vec<Run>, DocumentError> {
        let mut runs: Vec<Run> = Vec::new();
        for c in node.children() {
            let (text, bold) = if c.is_element() {
                if name(c) != "b" {
                    return Err(
                        self.err(c, format!("<{}> is not allowed inside <p>; only text and <b>", name(c)))
                    );
                }
                self.check_attrs(c, &[])?;
                let mut t = String::new();
                for g in c.children() {
                    if g.is_element() {
                        return Err(
                            self.err(g, format!("<{}> is not allowed inside <b>; only text", name(g)))
                        );
                    }
                    if g.is_text() {
                        t.push_str(g.text().unwrap_or(""));
                    }
                }
                (normalize_ws(&t), true)
            } else if c.is_text() {
                (normalize_ws(c.text().unwrap_or("")), false)
            } else {
                continue;
            };
            // One space between runs at most; none at the paragraph's start.
            let ends_in_space = runs.last().is_none_or(|r| r.text.ends_with(' '));
            let text = if ends_in_space { text.trim_start_matches(' ').to_string() } else { text };
            if text.is_empty() {
                continue;
            }
            match runs.last_mut() {
                Some(last) if last.bold == bold => last.text.push_str(&text),
                _ => runs.push(Run { text, bold }),
            }
        }
        if let Some(last) = runs.last_mut() {
            let trimmed = last.text.trim_end_matches(' ').len();
            last.text.truncate(trimmed);
            if last.text.is_empty() {
                runs.pop();
            }
        }
        Ok(runs)
    }

    fn table(&self, node: Node) -> Result<Table, DocumentError> {
        self.check_attrs(node, &["name"])?;
        let mut columns: Option<Vec<Column>> = None;
        let mut rows = Vec::new();
        let mut totals = None;
        for part in self.elements(node)? {
            match name(part) {
                "thead" => {
                    self.check_attrs(part, &[])?;
                    let trs = self.elements(part)?;
                    if trs.len() != 1 || name(trs[0]) != "tr" {
                        return Err(self.err(part, "<thead> must hold exactly one <tr>"));
                    }
                    self.check_attrs(trs[0], &[])?;
                    let mut cols = Vec::new();
                    for th in self.elements(trs[0])? {
                        if name(th) != "th" {
                            return Err(self.unknown(th, "thead tr", "th"));
                        }
                        self.check_attrs(th, &["data-format", "data-choices", "data-fill"])?;
                        let format = match th.attribute("data-format") {
                            None => ValueFormat::Text,
                            Some(f) => self.format(th, f)?,
                        };
                        let fill = match th.attribute("data-fill") {
                            None | Some("false") => false,
                            Some("true") => true,
                            Some(o) => {
                                return Err(self.err(th, format!("data-fill {o:?} is not true or false")))
                            }
                        };
                        cols.push(Column {
                            label: self.text(th)?,
                            format,
                            choices: choices(th.attribute("data-choices")),
                            fill,
                        });
                    }
                    columns = Some(cols);
                }
                p @ ("tbody" | "tfoot") => {
                    let Some(cols) = columns.as_ref() else {
                        return Err(self.err(part, format!("<{p}> before <thead>: the columns come first")));
                    };
                    self.check_attrs(part, &[])?;
                    for tr in self.elements(part)? {
                        if name(tr) != "tr" {
                            return Err(self.unknown(tr, p, "tr"));
                        }
                        let row = self.row(tr, cols)?;
                        if p == "tbody" {
                            rows.push(row);
                        } else if totals.is_some() {
                            return Err(self.err(tr, "<tfoot> holds one <tr> only"));
                        } else {
                            totals = Some(row);
                        }
                    }
                }
                _ => return Err(self.unknown(part, "table", "thead, tbody, tfoot")),
            }
        }
        let Some(columns) = columns else {
            return Err(self.err(node, "<table> without <thead>: the columns are needed"));
        };
        Ok(Table {
            name: node.attribute("name").map(normalize_ws).unwrap_or_default(),
            columns,
            rows,
            totals,
        })
    }

    fn row(&self, tr: Node, cols: &[Column]) -> Result<Vec<Cell>, DocumentError> {
        self.check_attrs(tr, &[])?;
        let tds = self.elements(tr)?;
        if tds.len() != cols.len() {
            return Err(
                self.err(tr, format!("row has {} cells, the table has {} columns", tds.len(), cols.len()))
            );
        }
        tds.iter()
            .zip(cols)
            .map(|(&td, col)| {
                if name(td) != "td" {
                    return Err(self.unknown(td, "tr", "td"));
                }
                self.check_attrs(td, &["data-value", "data-format", "highlight"])?;
                let highlight = match td.attribute("highlight") {
                    None | Some("false") => false,
                    Some("true") => true,
                    Some(o) => return Err(self.err(td, format!("highlight {o:?} is not true or false"))),
                };
                Ok(Cell { value: self.value(td, self.text(td)?, Some(col.format))?, highlight })
            })
            .collect()
    }

    fn format(&self, node: Node, f: &str) -> Result<ValueFormat, DocumentError> {
        Ok(match f {
            "text" => ValueFormat::Text,
            "money" => ValueFormat::Money,
            "percent" => ValueFormat::Percent,
            "int" => ValueFormat::Int,
            "number" => ValueFormat::Number,
            "date" => ValueFormat::Date,
            o => {
                return Err(self.err(
                    node,
                    format!("data-format {o:?} is not one of text, money, percent, int, number, date"),
                ))
            }
        })
    }

    /// A typed value from `data-value`/`data-format`; without `data-value` it is text.
    fn value(&self, node: Node, text: String, column: Option<ValueFormat>) -> Result<Value, DocumentError> {
        let format = match node.attribute("data-format") {
            Some(f) => self.format(node, f)?,
            None => column.unwrap_or(ValueFormat::Text),
        };
        let el = name(node);
        let Some(raw) = node.attribute("data-value") else {
            return Ok(Value { text, format: ValueFormat::Text, number: None, date: None });
        };
        let raw = raw.trim();
        match format {
            ValueFormat::Text => Err(self.err(
                node,
                format!("{el} data-value {raw:?} needs a data-format (money, percent, int, number, date)"),
            )),
            ValueFormat::Date => {
                match NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
                    Ok(d) if raw.len() == 10 => Ok(Value { text, format, number: None, date: Some(d) }),
                    _ => Err(self
                        .err(node, format!("{el} data-value {raw:?} is not a date (expected YYYY-MM-DD)"))),
                }
            }
            _ => {
                let n = parse_number(raw).ok_or_else(|| {
                    self.err(node, format!("{el} data-value {raw:?} is not a number (use '.' for decimals)"))
                })?;
                if format == ValueFormat::Int && n.fract() != 0.0 {
                    return Err(
                        self.err(node, format!("{el} data-value {raw:?} is not a whole number (int)"))
                    );
                }
                Ok(Value { text, format, number: Some(n), date: None })
            }
        }
    }

    fn chart(&self, node: Node) -> Result<Chart, DocumentError> {
        self.check_attrs(node, &["kind", "title", "data-format"])?;
        let kind = match node.attribute("kind") {
            None | Some("bar") => ChartKind::Bar,
            Some("line") => ChartKind::Line,
            Some("pareto") => ChartKind::Pareto,
            Some(o) => {
                return Err(self.err(node, format!("chart kind {o:?} is not one of bar, line, pareto")))
            }
        };
        let format = match node.attribute("data-format") {
            None => ValueFormat::Number,
            Some(f) => self.format(node, f)?,
        };
        let mut series = Vec::new();
        for s in self.elements(node)? {
            if name(s) != "series" {
                return Err(self.unknown(s, "chart", "series"));
            }
            self.check_attrs(s, &["name", "kind", "axis", "data-format"])?;
            let skind = match s.attribute("kind") {
                None if kind == ChartKind::Line => SeriesKind::Line,
                None | Some("bar") => SeriesKind::Bar,
                Some("line") => SeriesKind::Line,
                Some(o) => return Err(self.err(s, format!("series kind {o:?} is not one of bar, line"))),
            };
            // In a pareto chart the line is the cumulative share: secondary axis, percent.
            let cumulative = kind == ChartKind::Pareto && skind == SeriesKind::Line;
            let secondary_axis = match s.attribute("axis") {
                None => cumulative,
                Some("primary") => false,
                Some("secondary") => true,
                Some(o) => {
                    return Err(self.err(s, format!("series axis {o:?} is not one of primary, secondary")))
                }
            };
            let sformat = match s.attribute("data-format") {
                None if cumulative => ValueFormat::Percent,
                None => format,
                Some(f) => self.format(s, f)?,
            };
            let mut points = Vec::new();
            for pt in self.elements(s)? {
                if name(pt) != "pt" {
                    return Err(self.unknown(pt, "series", "pt"));
                }
                self.check_attrs(pt, &["label", "value"])?;
                self.text(pt)?;
                let raw = pt.attribute("value").unwrap_or("").trim();
                let v = parse_number(raw).ok_or_else(|| {
                    self.err(pt, format!("pt value {raw:?} is not a number (use '.' for decimals)"))
                })?;
                points.push((pt.attribute("label").map(normalize_ws).unwrap_or_default(), v));
            }
            series.push(Series {
                name: s.attribute("name").map(normalize_ws).unwrap_or_default(),
                kind: skind,
                secondary_axis,
                format: sformat,
                points,
            });
        }
        Ok(Chart {
            kind,
            title: node.attribute("title").map(normalize_ws).unwrap_or_default(),
            format,
            series,
        })
    }
}

fn name<'a>(node: Node<'a, '_>) -> &'a str {
    node.tag_name().name()
}

/// The first characters of stray text, for an error message.
fn short(s: &str) -> String {
    let s = normalize_ws(s);
    let s = s.trim();
    if s.chars().count() > 30 {
        format!("{}…", s.chars().take(30).collect::<String>())
    } else {
        s.to_string()
    }
}

fn choices(attr: Option<&str>) -> Vec<String> {
    attr.map(|a| a.split('|').map(|c| normalize_ws(c).trim().to_string()).filter(|c| !c.is_empty()).collect())
        .unwrap_or_default()
}

/// Collapses every run of XML whitespace (space, tab, CR, LF) to one space; keeps no-break spaces.
fn normalize_ws(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut in_ws = false;
    for ch in s.chars() {
        if matches!(ch, ' ' | '\t' | '\n' | '\r') {
            if !in_ws {
                out.push(' ');
            }
            in_ws = true;
        } else {
            out.push(ch);
            in_ws = false;
        }
    }
    out
}

/// A plain decimal number: optional minus, digits, optional `.` and digits, optional exponent.
/// Rejects `1,5`, `1.234,5`, `inf`, `NaN`, `+1` and empty text so that none is read as zero.
fn parse_number(raw: &str) -> Option<f64> {
    let b = raw.as_bytes();
    let mut i = usize::from(b.first() == Some(&b'-'));
    let digits = |i: &mut usize| {
        let s = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i - s
    };
    let int = digits(&mut i);
    let mut frac = 0;
    if i < b.len() && b[i] == b'.' {
        i += 1;
        frac = digits(&mut i);
    }
    if int + frac == 0 {
        return None;
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if i < b.len() && (b[i] == b'-' || b[i] == b'+') {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return None;
        }
    }
    if i != b.len() {
        return None;
    }
    raw.parse::<f64>().ok().filter(|v| v.is_finite())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(body: &str) -> Result<Document, DocumentError> {
        parse(&format!(
            r#"<document title="T" lang="es" author="kamplan" subject="2026-10"><section title="S">{body}</section></document>"#
        ))
    }

    fn block(body: &str) -> Block {
        doc(body).unwrap().sections.remove(0).blocks.remove(0)
    }

    fn err(body: &str) -> DocumentError {
        doc(body).unwrap_err()
    }

    #[test]
    fn document_and_section_attributes() {
        let d = parse(
            r#"<document title="Plan  de cuentas — Ana" lang="es" author="kamplan" subject="2026-10">
                 <section title="Resumen"/>
                 <section title="Cuentas clave" sheet="Cuentas" break="page"><h1>x</h1></section>
               </document>"#,
        )
        .unwrap();
        assert_eq!(d.title, "Plan de cuentas — Ana");
        assert_eq!((d.lang.as_str(), d.author.as_str(), d.subject.as_str()), ("es", "kamplan", "2026-10"));
        assert_eq!(d.sections[0].sheet, "Resumen", "sheet defaults to the title");
        assert!(!d.sections[0].page_break);
        assert_eq!(d.sections[1].sheet, "Cuentas");
        assert!(d.sections[1].page_break);
    }

    #[test]
    fn headings_paragraphs_and_notes() {
        assert_eq!(
            block("<h2>  Cuentas\n   clave </h2>"),
            Block::Heading { level: 2, text: "Cuentas clave".into() }
        );
        assert_eq!(
            block("<p>\n  Ventas de <b>Ferretería  Núñez</b>, con\n <b>41 %</b> del total. </p>"),
            Block::Paragraph(vec![
                Run { text: "Ventas de ".into(), bold: false },
                Run { text: "Ferretería Núñez".into(), bold: true },
                Run { text: ", con ".into(), bold: false },
                Run { text: "41 %".into(), bold: true },
                Run { text: " del total.".into(), bold: false },
            ])
        );
        assert_eq!(
            block(r#"<note kind="warning">Llamada   vencida</note>"#),
            Block::Note { kind: NoteKind::Warning, text: "Llamada vencida".into() }
        );
        assert_eq!(block("<note>i</note>"), Block::Note { kind: NoteKind::Info, text: "i".into() });
    }

    #[test]
    fn comments_are_not_content() {
        let d = doc("<!-- resumen --><p>Hola <!-- nombre --><b>Ana<!-- x --></b></p><ul><!-- c --><li>a<!-- y --></li></ul>").unwrap();
        assert_eq!(
            d.sections[0].blocks,
            vec![
                Block::Paragraph(vec![
                    Run { text: "Hola ".into(), bold: false },
                    Run { text: "Ana".into(), bold: true }
                ]),
                Block::List { ordered: false, items: vec!["a".into()] },
            ]
        );
    }

    #[test]
    fn escaped_markup_stays_text() {
        let b = block("<p>&lt;script&gt;alert(1)&lt;/script&gt; &amp; =HYPERLINK(\"x\")</p>");
        assert_eq!(
            b,
            Block::Paragraph(vec![Run {
                text: "<script>alert(1)</script> & =HYPERLINK(\"x\")".into(),
                bold: false
            }])
        );
        let Block::Table(t) = block(
            r#"<table><thead><tr><th>Cliente</th></tr></thead><tbody><tr><td>&lt;b&gt;x&lt;/b&gt;</td></tr></tbody></table>"#,
        ) else {
            panic!()
        };
        assert_eq!(t.rows[0][0].value.text, "<b>x</b>");
    }

    #[test]
    fn kpis_are_typed() {
        let Block::Kpis(k) = block(
            r#"<kpis><kpi label="Ventas" data-value="1234.5" data-format="money">1.234,50 €</kpi>
                     <kpi label="Cuota" data-value="0.412" data-format="percent">41,2 %</kpi>
                     <kpi label="Desde">—</kpi></kpis>"#,
        ) else {
            panic!()
        };
        assert_eq!(k[0].label, "Ventas");
        assert_eq!(
            k[0].value,
            Value {
                text: "1.234,50 €".into(), format: ValueFormat::Money, number: Some(1234.5), date: None
            }
        );
        assert_eq!(k[1].value.number, Some(0.412));
        assert_eq!(k[2].value.format, ValueFormat::Text);
    }

    #[test]
    fn table_cells_take_the_column_format() {
        let Block::Table(t) = block(
            r#"<table name="cuentas">
                 <thead><tr><th>Cliente</th><th data-format="money">Ventas</th><th data-format="date">Última</th>
                   <th data-format="text" data-choices="Pendiente | Hecha" data-fill="true">Estado</th></tr></thead>
                 <tbody>
                   <tr><td>Núñez</td><td data-value="1234.5">1.234,50 €</td><td data-value="2026-10-31">31/10/2026</td><td highlight="true">Pendiente</td></tr>
                   <tr><td>B</td><td>—</td><td data-value="2026-01-02">x</td><td data-value="0.5" data-format="percent">50 %</td></tr>
                 </tbody>
                 <tfoot><tr><td>Total</td><td data-value="-1e3">-1.000</td><td></td><td></td></tr></tfoot>
               </table>"#,
        ) else {
            panic!()
        };
        assert_eq!(t.name, "cuentas");
        assert_eq!(t.columns.len(), 4);
        assert_eq!(t.columns[3].choices, vec!["Pendiente", "Hecha"]);
        assert!(t.columns[3].fill && !t.columns[1].fill);
        assert_eq!(t.rows[0][1].value.format, ValueFormat::Money);
        assert_eq!(t.rows[0][1].value.number, Some(1234.5));
        assert_eq!(t.rows[0][2].value.date, NaiveDate::from_ymd_opt(2026, 10, 31));
        assert!(t.rows[0][3].highlight && !t.rows[0][0].highlight);
        assert_eq!(t.rows[1][1].value.format, ValueFormat::Text, "no data-value: text");
        assert_eq!(t.rows[1][3].value.format, ValueFormat::Percent, "own data-format wins");
        assert_eq!(t.totals.as_ref().unwrap()[1].value.number, Some(-1000.0));
    }

    #[test]
    fn lists_charts_and_fields() {
        assert_eq!(
            block("<ol><li>uno</li><li> dos\n tres</li></ol>"),
            Block::List { ordered: true, items: vec!["uno".into(), "dos tres".into()] }
        );
        let Block::Chart(c) = block(
            r#"<chart kind="pareto" title="Pareto" data-format="money">
                 <series name="Ventas"><pt label="A" value="10"/><pt label="B" value="5.5"/></series>
                 <series name="Acumulado" kind="line" axis="secondary" data-format="percent"><pt label="A" value="0.6"/></series>
               </chart>"#,
        ) else {
            panic!()
        };
        assert_eq!(c.kind, ChartKind::Pareto);
        assert_eq!(c.series[0].kind, SeriesKind::Bar);
        assert_eq!(c.series[0].format, ValueFormat::Money);
        assert_eq!(c.series[0].points, vec![("A".to_string(), 10.0), ("B".to_string(), 5.5)]);
        assert!(c.series[1].secondary_axis);
        assert_eq!(c.series[1].format, ValueFormat::Percent);
        let Block::Chart(p) = block(
            r#"<chart kind="pareto" data-format="money"><series name="v"/><series name="c" kind="line"/></chart>"#,
        ) else {
            panic!()
        };
        assert!(!p.series[0].secondary_axis && p.series[1].secondary_axis);
        assert_eq!((p.series[0].format, p.series[1].format), (ValueFormat::Money, ValueFormat::Percent));
        let Block::Chart(l) = block(r#"<chart kind="line"><series name="s"/></chart>"#) else { panic!() };
        assert_eq!(l.series[0].kind, SeriesKind::Line, "a line chart's series are lines");

        let Block::Fields(f) = block(
            r#"<fields><field label="Nombre"/><field label="Fecha" kind="date">2026-11-02</field>
               <field label="Postura" kind="choice" choices="A favor|Neutral|En contra"/></fields>"#,
        ) else {
            panic!()
        };
        assert_eq!(
            f[0],
            Field { label: "Nombre".into(), kind: FieldKind::Text, choices: vec![], value: String::new() }
        );
        assert_eq!(f[1].value, "2026-11-02");
        assert_eq!(f[2].choices.len(), 3);
    }

    #[test]
    fn errors_name_the_line() {
        let cases: &[(&str, u32, &str)] = &[
            ("<p>a</p>\n<blink>x</blink>", 2, "unknown element <blink> inside <section>"),
            ("\n\n<p class=\"x\">a</p>", 3, "unknown attribute \"class\" on <p>"),
            ("<p>a <i>b</i></p>", 1, "<i> is not allowed inside <p>"),
            ("\n<kpis><kpi data-value=\"1,5\" data-format=\"money\">x</kpi></kpis>", 2, "kpi data-value \"1,5\" is not a number"),
            ("<kpis><kpi data-value=\"\" data-format=\"int\">x</kpi></kpis>", 1, "is not a number"),
            ("<kpis><kpi data-value=\"1.5\" data-format=\"int\">x</kpi></kpis>", 1, "not a whole number"),
            ("<kpis><kpi data-value=\"31/10/2026\" data-format=\"date\">x</kpi></kpis>", 1, "\"31/10/2026\" is not a date"),
            ("<kpis><kpi data-value=\"1\" data-format=\"euros\">x</kpi></kpis>", 1, "data-format \"euros\""),
            ("<kpis><kpi data-value=\"1\">x</kpi></kpis>", 1, "needs a data-format"),
            ("<table><thead><tr><th>a</th></tr></thead><tbody>\n<tr><td>1</td><td>2</td></tr></tbody></table>", 2, "row has 2 cells, the table has 1 columns"),
            ("<table><tbody><tr><td>1</td></tr></tbody></table>", 1, "before <thead>"),
            ("<note kind=\"danger\">x</note>", 1, "note kind \"danger\""),
            ("<chart><series><pt label=\"a\" value=\"NaN\"/></series></chart>", 1, "pt value \"NaN\""),
            ("<ul>stray<li>a</li></ul>", 1, "text \"stray\" directly inside <ul>"),
        ];
        for (body, line, msg) in cases {
            let e = err(body);
            assert_eq!(e.line, *line, "{body}: {e}");
            assert!(e.to_string().contains(msg), "{body}: {e}");
        }
    }

    #[test]
    fn malformed_xml_and_wrong_root_are_errors() {
        let e = parse("<document>\n<section>\n<p>a</section></document>").unwrap_err();
        assert_eq!(e.line, 3);
        assert!(e.message.starts_with("not well-formed XML"), "{e}");
        let e = parse("<html/>").unwrap_err();
        assert!(e.message.contains("root element must be <document>"), "{e}");
        // No DTD, so no entity expansion from a template.
        assert!(parse("<!DOCTYPE d [<!ENTITY x \"y\">]><document/>").is_err());
    }

    #[test]
    fn numbers_parse_strictly() {
        let cases: &[(&str, Option<f64>)] = &[
            ("0", Some(0.0)),
            ("-12.50", Some(-12.5)),
            (".5", Some(0.5)),
            ("1e3", Some(1000.0)),
            ("1,5", None),
            ("1.234,5", None),
            ("", None),
            ("-", None),
            ("+1", None),
            ("inf", None),
            ("1e", None),
            ("1 000", None),
        ];
        for (raw, want) in cases {
            assert_eq!(parse_number(raw), *want, "{raw:?}");
        }
    }
}
