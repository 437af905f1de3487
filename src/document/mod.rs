//! Document model: the templates' small XHTML vocabulary parsed into typed blocks both renderers share.
//!
//! A template renders XHTML; this module parses it (roxmltree) into a [`Document`]. The PDF
//! renderer lays it out, the XLSX renderer maps it to sheets. Text from the books arrives here
//! already escaped by tera and leaves as plain strings: never markup, never a formula.
//!
//! ## Vocabulary
//! ```xml
//! <document title="Plan de cuentas clave — Ana" lang="es" author="kamplan" subject="2026-10">
//!   <section title="Resumen" sheet="Resumen" id="resumen"> <!-- a sheet in XLSX; break="page|fit|auto" in PDF;
//!                                                          only="xlsx|pdf": one document shows it -->
//!     <h1>Title</h1> <h2>Subtitle</h2> <h3>…</h3>
//!     <p>Text with <b>bold</b> runs and <a href="#cuentas">a link to a section</a>.</p>
//!     <note kind="info|warning|highlight">Short boxed text</note>
//!     <kpis>
//!       <kpi label="Ventas" data-value="1234.5" data-format="money">1.234,50 €</kpi>
//!     </kpis>
//!     <table name="cuentas">                            <!-- name: the Excel table name; pdf-last="6"
//!                                                          pdf-more="{count} more": the PDF shows the last 6 rows -->
//!       <thead><tr><th data-format="money">Ventas</th>
//!                  <th data-format="text" data-choices="Pendiente|Hecha" data-fill="true">Estado</th></tr></thead>
//!       <tbody><tr><td data-value="1234.5">1.234,50 €</td><td highlight="true">Pendiente</td></tr>
//!              <tr><td href="#cuenta-C0012">ACME</td>…</tr></tbody>      <!-- a cell linking to a section -->
//!       <tfoot><tr><td>Total</td><td data-value="1234.5">1.234,50 €</td></tr></tfoot>
//!     </table>
//!     <ul><li>item</li></ul>  <ol><li>item</li></ol>
//!     <chart kind="bar|line|pareto" title="Ventas 24 meses" data-format="money">
//!       <series name="Ventas" kind="bar" data-format="money">
//!         <pt label="nov 2024" value="1234.5"/> …
//!       </series>
//!       <series name="Acumulado" kind="line" axis="secondary" data-format="percent">…</series>
//!       <band label="A" from="1" to="27"/>               <!-- shaded categories 1–27 -->
//!       <rule value="0.8" label="80 %"/>                  <!-- a reference line -->
//!     </chart>
//!     <fields><field label="Nombre" kind="text|date|choice" choices="A|B">prefilled</field></fields>
//!     <note kind="kam">Para completar por el KAM</note>  <!-- the line above a KAM-owned area -->
//!     <table name="reuniones_1" area="meetings" account="C0028"
//!            data-keys="number|objective|date|status|notes">…</table>
//!   </section>
//! </document>
//! ```
//! `data-format` is one of text, money, percent (value is a share: 0.412), int, number, date
//! (value ISO `2026-10-31`). A `td` without `data-value` is text; a `kpi` or `td` with its own
//! `data-format` and no `data-value` is a value of that format that is not available (its
//! text, say "—" or "nueva", says why). A `td`'s `data-format` defaults to its column's.
//!
//! ## Formulas
//! A `kpi` or a column (`th`) may have a `data-name`; a `kpi`, a `th` (every row of the column)
//! or a `td` (a totals row's `sum(sales)`) may have a `data-formula` over those names: the
//! XLSX renderer writes it as an Excel formula with its value cached, the PDF shows the text.
//! See [`formula`] for the vocabulary; every name a formula uses must exist (an error names the
//! line otherwise). A series defaults to its chart's kind (bars, or lines in a line
//! chart) and format; in a pareto chart a line series defaults to the secondary axis and
//! percent (the cumulative share, 0–1). A `pt` with an empty `value` is a gap (stored as NaN):
//! no bar, a break in a line, an empty cell in the chart's data.
//! Any block directly in a section may have `only="xlsx"` or `only="pdf"`: the other
//! document leaves it out (a sheet to filter, a table a printed page states in a sentence).
//! A `td` with a `data-format` but no `data-value` and no
//! text is an empty cell of that format (a blank money cell a KAM fills in).
//!
//! **KAM-owned areas.** A table with `area` (`meetings`, `history`, `contacts`,
//! `decision_makers`, `strategy`) and `account` (the account's code) is a part of the plan the
//! KAM owns: the XLSX renderer records where it wrote it in the workbook's identification sheet
//! ([`crate::carry::ident`]) so the next run reads it back by account code, never by sheet name
//! or row position. `data-keys` names its columns (`|`-separated, in order) for the reader.
//!
//! Links are internal only: `href="#id"` names a section's `id` (every target must exist; an
//! unknown one is an error naming its line). The XLSX renderer makes them hyperlinks to the
//! section's sheet, the PDF renderer link annotations to the section's first page.
//!
//! This file owns the model types. The parser is in `xhtml` (structure, text and errors) and
//! `typed` (tables, typed values and charts).

pub mod formula;
mod tree;
mod typed;
mod xhtml;

use std::borrow::Cow;
use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;

pub use formula::Formula;
pub use xhtml::parse;

/// A whole document (one plan, or the summary).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Document {
    pub title: String,
    pub lang: String,
    pub author: String,
    pub subject: String,
    pub sections: Vec<Section>,
}

impl Document {
    /// The document as one renderer shows it (`Media::Pdf` or `Media::Xlsx`): without the
    /// sections and blocks marked `only` for the other. Borrowed when nothing is marked.
    pub fn for_media(&self, medium: Media) -> Cow<'_, Document> {
        let marked = self.sections.iter().any(|s| s.media != Media::All || !s.block_media.is_empty());
        if !marked {
            return Cow::Borrowed(self);
        }
        let sections = self
            .sections_in(medium)
            .map(|s| Section {
                blocks: s.blocks_in(medium).cloned().collect(),
                block_media: BTreeMap::new(),
                media: Media::All,
                ..s.clone_without_blocks()
            })
            .collect();
        Cow::Owned(Document { sections, ..self.clone_without_sections() })
    }

    /// The sections `medium` shows, borrowed: with [`Section::blocks_in`], the document
    /// [`Document::for_media`] gives, without copying it.
    pub fn sections_in(&self, medium: Media) -> impl Iterator<Item = &Section> {
        self.sections.iter().filter(move |s| s.media.shows_in(medium))
    }

    fn clone_without_sections(&self) -> Document {
        Document {
            title: self.title.clone(),
            lang: self.lang.clone(),
            author: self.author.clone(),
            subject: self.subject.clone(),
            sections: vec![],
        }
    }

    /// The index of the section with `id`, the target of a link.
    pub fn section_index(&self, id: &str) -> Option<usize> {
        self.sections.iter().position(|s| s.id.as_deref() == Some(id))
    }
}

/// A section: a sheet in XLSX, a run of pages in PDF.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Section {
    pub title: String,
    /// The target of links (`href="#id"`) to this section; unique in the document.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// XLSX sheet name (≤ 31 chars, made safe by the renderer); defaults to the title.
    pub sheet: String,
    /// Where the section starts in the PDF.
    pub page_break: PageBreak,
    /// Which documents show the section (`only="xlsx"`: a working sheet, not printed).
    pub media: Media,
    pub blocks: Vec<Block>,
    /// The blocks (by index) that only one document shows (`<table only="xlsx">`: the
    /// monthly targets a PDF page already states in a sentence).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub block_media: BTreeMap<usize, Media>,
}

impl Media {
    /// Whether a document of `medium` (`Pdf` or `Xlsx`) shows what is marked `self`.
    pub fn shows_in(self, medium: Media) -> bool {
        self == Media::All || medium == Media::All || self == medium
    }
}

impl Section {
    /// The blocks `medium` shows, in order, borrowed.
    pub fn blocks_in(&self, medium: Media) -> impl Iterator<Item = &Block> + Clone {
        self.blocks
            .iter()
            .enumerate()
            .filter(move |(i, _)| self.block_media.get(i).is_none_or(|m| m.shows_in(medium)))
            .map(|(_, b)| b)
    }

    fn clone_without_blocks(&self) -> Section {
        Section {
            title: self.title.clone(),
            id: self.id.clone(),
            sheet: self.sheet.clone(),
            page_break: self.page_break,
            media: self.media,
            blocks: vec![],
            block_media: BTreeMap::new(),
        }
    }
}

/// Which renderers show a section or a block.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Media {
    /// Both (the default).
    All,
    /// Only the PDF (`only="pdf"`).
    Pdf,
    /// Only the XLSX (`only="xlsx"`): a sheet to work in, such as an agenda to filter.
    Xlsx,
}

/// Where a section starts in the PDF (`break="…"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PageBreak {
    /// Right after the previous section (`auto`, the default).
    Auto,
    /// On a new page (`page`).
    Page,
    /// Right after the previous section when it fits whole in what is left of the page, else
    /// on a new page (`fit`): an account's pages never start halfway down for nothing.
    Fit,
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
    /// The id of the section this run links to (`<a href="#id">`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
}

impl Run {
    /// A run of plain or bold text, without a link.
    pub fn text(text: impl Into<String>, bold: bool) -> Run {
        Run { text: text.into(), bold, link: None }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum NoteKind {
    Info,
    Warning,
    Highlight,
    /// The one line above a KAM-owned area ("para completar por el KAM"), in the fill colour
    /// of the cells the KAM writes in.
    Kam,
}

/// A headline figure.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Kpi {
    pub label: String,
    pub value: Value,
    /// What formulas call this figure (`data-name`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// How the workbook computes it (`data-formula`); `value` is what it comes to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub formula: Option<Formula>,
}

impl Kpi {
    /// A figure without a name or formula.
    pub fn new(label: impl Into<String>, value: Value) -> Kpi {
        Kpi { label: label.into(), value, name: None, formula: None }
    }
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
    /// What formulas call this column (`data-name`): in a row, that row's cell; in
    /// `sum(name)`, the column.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// How the workbook computes each row's cell (`data-formula` on the `th`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub formula: Option<Formula>,
}

impl Column {
    /// A column with a label and a format, nothing else.
    pub fn new(label: impl Into<String>, format: ValueFormat) -> Column {
        Column { label: label.into(), format, choices: vec![], fill: false, name: None, formula: None }
    }
}

/// A table cell.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cell {
    pub value: Value,
    pub highlight: bool,
    /// The id of the section this cell links to (`<td href="#id">`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
    /// How the workbook computes this cell (`data-formula` on the `td`; a totals row's
    /// `sum(sales)`), overriding the column's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub formula: Option<Formula>,
}

impl Cell {
    /// A cell without highlight, link or formula.
    pub fn new(value: Value) -> Cell {
        Cell { value, highlight: false, link: None, formula: None }
    }
}

/// A table whose cells carry typed values.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Table {
    /// Excel table name hint (made unique and valid by the renderer).
    pub name: String,
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<Cell>>,
    pub totals: Option<Vec<Cell>>,
    /// On paper, only the last rows (`pdf-last="6"`) and a line saying how many more the
    /// workbook holds (`pdf-more="… {count} …"`): a long log prints short, the XLSX keeps all.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pdf_last: Option<PdfLast>,
    /// Set when the table is a KAM-owned area of one account.
    pub area: Option<AreaMark>,
}

impl Table {
    /// The table without its rows (for a renderer that shows only some).
    pub fn clone_without_rows(&self) -> Table {
        Table {
            name: self.name.clone(),
            columns: self.columns.clone(),
            rows: Vec::new(),
            totals: self.totals.clone(),
            pdf_last: self.pdf_last.clone(),
            area: self.area.clone(),
        }
    }
}

/// The rows of a long table the PDF shows: the last `rows`, then `more` with `{count}` the
/// rows left out.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PdfLast {
    pub rows: usize,
    pub more: String,
}

/// Marks a table as a KAM-owned area: which account, which area, and the keys its reader
/// uses for the columns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AreaMark {
    /// `meetings`, `history`, `contacts`, `decision_makers` or `strategy`.
    pub area: String,
    /// The account's code.
    pub account: String,
    /// One key per column, in order (`date`, `status`, …); empty when not given.
    pub columns: Vec<String>,
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
    /// Shaded runs of categories (`<band label="A" from="1" to="27"/>`): the ABC classes
    /// under a Pareto curve.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub bands: Vec<Band>,
    /// Horizontal reference lines on the primary axis (`<rule value="0.8" label="80 %"/>`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<Rule>,
}

/// A run of a chart's categories, 1-based and inclusive, shaded and labelled.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Band {
    pub label: String,
    pub from: usize,
    pub to: usize,
}

/// A horizontal reference line at `value` on a chart's primary axis.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rule {
    pub label: String,
    pub value: f64,
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

#[cfg(test)]
mod tests {
    use super::*;

    pub(super) fn doc(body: &str) -> Result<Document, DocumentError> {
        parse(&format!(
            r#"<document title="T" lang="es" author="kamplan" subject="2026-10"><section title="S">{body}</section></document>"#
        ))
    }

    pub(super) fn block(body: &str) -> Block {
        doc(body).unwrap().sections.remove(0).blocks.remove(0)
    }

    pub(super) fn err(body: &str) -> DocumentError {
        doc(body).unwrap_err()
    }

    #[test]
    fn borrowed_sections_and_blocks_are_what_for_media_keeps() {
        let d = parse(
            r#"<document title="T" lang="es"><section title="A"><p>both</p><p only="pdf">pdf</p><p only="xlsx">xlsx</p></section><section title="B" only="xlsx"><p>b</p></section><section title="C" only="pdf"><p>c</p></section></document>"#,
        )
        .unwrap();
        for medium in [Media::Pdf, Media::Xlsx] {
            let kept = d.for_media(medium);
            let borrowed: Vec<(&str, Vec<&Block>)> =
                d.sections_in(medium).map(|s| (s.title.as_str(), s.blocks_in(medium).collect())).collect();
            let copied: Vec<(&str, Vec<&Block>)> =
                kept.sections.iter().map(|s| (s.title.as_str(), s.blocks.iter().collect())).collect();
            assert_eq!(borrowed, copied, "{medium:?}");
            assert_eq!(borrowed.len(), 2, "{medium:?}");
            assert_eq!(borrowed[0].1.len(), 2, "{medium:?}");
        }
    }
}
