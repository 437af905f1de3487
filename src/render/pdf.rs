//! PDF renderer: lays the document model out on A4 pages and draws it with printpdf (the only file that imports printpdf).

use super::{Format, RenderContext, RenderError, Renderer};
use crate::document::Document;

/// Draws documents as PDF with the embedded DejaVu Sans font.
pub struct PdfRenderer;

impl PdfRenderer {
    /// A renderer with the embedded fonts.
    pub fn new() -> Self {
        PdfRenderer
    }
}

impl Default for PdfRenderer {
    fn default() -> Self {
        Self::new()
    }
}

impl Renderer for PdfRenderer {
    fn format(&self) -> Format {
        Format::Pdf
    }
    fn render(&self, doc: &Document, ctx: &RenderContext) -> Result<Vec<u8>, RenderError> {
        let _ = (doc, ctx);
        todo!("issue 4")
    }
}
