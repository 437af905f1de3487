//! Render: a document model in, file bytes out — one small trait, one file per format.
//!
//! Renderers return bytes so that the `run` command and `publish` alone name, write and move
//! files atomically.

use chrono::NaiveDateTime;

use crate::document::Document;

mod layout;
pub mod pdf;
mod pdf_content;
pub mod xlsx;
pub mod xlsx_layout;

/// An output format; also the `--format` value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Pdf,
    Xlsx,
}

impl Format {
    /// Every format, in `--format` order.
    pub const ALL: [Format; 2] = [Format::Pdf, Format::Xlsx];

    /// The file extension, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Pdf => "pdf",
            Format::Xlsx => "xlsx",
        }
    }
}

/// What a renderer needs besides the document: fixed so output is byte-for-byte repeatable.
#[derive(Debug, Clone, PartialEq)]
pub struct RenderContext {
    /// Creation time written into the file's properties: derived from the period, never the clock.
    pub created: NaiveDateTime,
    /// Stable document id (PDF `/ID`), e.g. a hash of the plan's name and period.
    pub document_id: String,
    /// Page footer pattern with `{page}` and `{pages}`: "Página {page} de {pages}".
    pub page_label: String,
    /// The run's locale tag ("es-ES", "en-US", "en-GB"), or a bare language code; a
    /// document's own `lang` wins over it.
    pub lang: String,
    /// What the XLSX's hidden identification sheet says (a plan's period and KAM, …); the
    /// renderer adds where it wrote each KAM-owned area. `None`: no identification sheet.
    pub ident: Option<crate::carry::ident::PlanIdent>,
}

/// A document that could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("pdf: {0}")]
    Pdf(String),
    #[error("xlsx: {0}")]
    Xlsx(String),
}

/// Turns a document into the bytes of one file format.
pub trait Renderer: Send + Sync {
    /// The format this renderer writes.
    fn format(&self) -> Format;
    /// Renders the whole document.
    fn render(&self, doc: &Document, ctx: &RenderContext) -> Result<Vec<u8>, RenderError>;
}

/// The renderer of a format.
pub fn renderer(format: Format) -> Box<dyn Renderer> {
    match format {
        Format::Pdf => Box::new(pdf::PdfRenderer::new()),
        Format::Xlsx => Box::new(xlsx::XlsxRenderer),
    }
}
