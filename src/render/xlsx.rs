//! XLSX renderer: maps the document model to sheets, typed cells, tables and charts (the only file that imports rust_xlsxwriter).

use super::{Format, RenderContext, RenderError, Renderer};
use crate::document::Document;

/// Writes documents as Excel workbooks.
pub struct XlsxRenderer;

impl Renderer for XlsxRenderer {
    fn format(&self) -> Format {
        Format::Xlsx
    }
    fn render(&self, doc: &Document, ctx: &RenderContext) -> Result<Vec<u8>, RenderError> {
        let _ = (doc, ctx);
        todo!("issue 4")
    }
}
