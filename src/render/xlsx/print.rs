//! Print setup of a section's sheet: A4 in the orientation its width fits, one page wide, the
//! print area over the columns that hold something, a manual page break wherever a printed page
//! starts (so no chart, table that fits a page or heading is cut from what follows it), the
//! header of the table that runs over pages repeated, the document and section in the page
//! header and the page number in the footer.

use rust_xlsxwriter::XlsxError;

use super::SectionWriter;
use crate::document::{Block, Section};
use crate::render::xlsx_layout::{
    self as layout, header_text, page_label_codes, print_layout, text_width, Orientation, Printed,
    DEFAULT_ROW_PT, MAX_BREAKS,
};

/// Excel's last row (0-based): a print area over whole columns ends there.
const LAST_ROW: u32 = 1_048_575;

/// The width a heading's text takes, in pixels: it runs over the empty cells to its right, in a
/// font larger than the body's (H1 15 pt, H2 13, H3 11, bold).
pub(super) fn heading_px(level: u8, text: &str) -> f64 {
    let size = match level {
        0 | 1 => 1.5,
        2 => 1.3,
        _ => 1.1,
    };
    layout::column_px(text_width(text) * size)
}

/// How far right a text block merged over `span` shows, in pixels: the whole span for a note (its
/// box) or text that wraps, else the width of its longest line.
pub(super) fn text_px(block: &Block, widths: &[f64], span: (usize, f64)) -> f64 {
    let full = columns_px(widths, span.0);
    let longest = match block {
        Block::Paragraph(runs) => runs.iter().map(|r| text_width(&r.text)).sum::<f64>(),
        Block::List { items, .. } => items.iter().map(|i| text_width(i) + 4.0).fold(0.0, f64::max),
        _ => return full,
    };
    // The measure a wrapped line uses, so a text that wraps is never cut by the print area.
    full.min(layout::column_px(longest * 1.1 + 1.0))
}

/// The width of the sheet's first `n` columns, in pixels (columns not set count Excel's default).
pub(super) fn columns_px(widths: &[f64], n: usize) -> f64 {
    (0..n).map(|j| layout::column_px(widths.get(j).copied().unwrap_or(layout::DEFAULT_WIDTH))).sum()
}

impl SectionWriter<'_> {
    /// Sets a row's height, remembered for the printed pages.
    pub(super) fn row_height(&mut self, row: u32, points: f64) -> Result<(), XlsxError> {
        self.ws.set_row_height(row, points)?;
        self.heights.insert(row, points);
        Ok(())
    }

    /// Prints the sheet: `reach` is how far right its content goes (pixels); `main` the header
    /// row of its main table, if any.
    pub(super) fn print_setup(
        &mut self,
        section: &Section,
        reach: f64,
        main: Option<u32>,
    ) -> Result<(), XlsxError> {
        // The print area: whole columns up to the last that holds something, so rows a KAM
        // adds below print too and no empty column widens the page.
        let mut cols = self.widths.len().max(1);
        while columns_px(&self.widths, cols) < reach - 0.5 && cols < 16_384 {
            cols += 1;
        }
        let width = columns_px(&self.widths, cols);
        let heights = &self.heights;
        let height = |r: u32| heights.get(&r).copied().unwrap_or(DEFAULT_ROW_PT);
        let Printed { setup, mut starts, repeat } = print_layout(&self.spans, &height, width, main);
        starts.truncate(MAX_BREAKS);

        let ws = &mut *self.ws;
        ws.set_paper_size(9); // A4
        if setup.orientation == Orientation::Landscape {
            ws.set_landscape();
        }
        ws.set_print_fit_to_pages(1, 0);
        ws.set_print_area(0, 0, LAST_ROW, (cols - 1) as u16)?;
        ws.set_page_breaks(&starts)?;
        if let Some(h) = repeat {
            ws.set_repeat_rows(h, h)?;
        }
        let title = header_text(&self.doc.title, 90);
        let part = header_text(&section.title, 60);
        ws.set_header(format!("&L{title}&R{part}"));
        ws.set_footer(format!("&C{}", page_label_codes(&self.ctx.page_label)));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::*;
    use crate::document::{Block, Chart, ChartKind, Document, Run, Series, SeriesKind, Table, ValueFormat};

    fn line(s: &str) -> Block {
        Block::Paragraph(vec![Run::text(s, false)])
    }

    fn chart() -> Block {
        Block::Chart(Chart {
            kind: ChartKind::Bar,
            title: "Ventas".into(),
            format: ValueFormat::Money,
            series: vec![Series {
                name: "Ventas".into(),
                kind: SeriesKind::Bar,
                secondary_axis: false,
                format: ValueFormat::Money,
                points: (1..=12).map(|m| (format!("m{m}"), 100.0 * m as f64)).collect(),
            }],
            bands: vec![],
            rules: vec![],
        })
    }

    fn doc(sections: Vec<crate::document::Section>) -> Document {
        Document { sections, ..plan() }
    }

    /// The `<brk id>`s of a sheet's row breaks.
    fn breaks(sheet: &str) -> Vec<u32> {
        sheet.split("<brk id=\"").skip(1).map(|s| s.split('"').next().unwrap().parse().unwrap()).collect()
    }

    #[test]
    fn a_chart_that_would_be_cut_starts_the_next_page_with_its_heading() {
        // Twenty lines take rows 0–39 (600 pt of a portrait page's 734), the heading row 40 and
        // the chart rows 42–58: the chart does not fit below them.
        let mut blocks: Vec<Block> = (0..20).map(|i| line(&format!("Línea {i}"))).collect();
        blocks.push(Block::Heading { level: 2, text: "Ventas por mes".into() });
        blocks.push(chart());
        blocks.push(line("Después del gráfico."));
        let bytes = render(&doc(vec![section("s", blocks)]));
        let sheet = part(&bytes, "xl/worksheets/sheet1.xml");
        assert_eq!(breaks(&sheet), [40], "the page starts at the heading: {sheet}");
        let drawing = part(&bytes, "xl/drawings/drawing1.xml");
        assert!(
            drawing.contains("<xdr:from><xdr:col>0</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>42</xdr:row>"),
            "{drawing}"
        );
        // One page wide, A4, portrait as the sheet is narrow.
        assert!(sheet.contains(r#"<pageSetUpPr fitToPage="1"/>"#), "{sheet}");
        assert!(sheet.contains(r#"<pageSetup paperSize="9" fitToHeight="0""#), "{sheet}");
        assert!(!sheet.contains("landscape"), "{sheet}");
        assert!(
            sheet.contains("<oddHeader>&amp;LPlan de cuentas clave — Ana &amp;&amp; Co&amp;Rs</oddHeader>"),
            "{sheet}"
        );
        assert!(sheet.contains("<oddFooter>&amp;CPágina &amp;P de &amp;N</oddFooter>"), "{sheet}");
        // The same blocks with room for the chart: no break.
        let mut short: Vec<Block> = (0..5).map(|i| line(&format!("Línea {i}"))).collect();
        short.push(chart());
        let sheet = part(&render(&doc(vec![section("s", short)])), "xl/worksheets/sheet1.xml");
        assert!(breaks(&sheet).is_empty(), "{sheet}");
    }

    #[test]
    fn the_print_area_covers_the_columns_that_hold_something() {
        let long = "Una explicación que ocupa varias líneas del ancho de lectura. ".repeat(4);
        let bytes = render(&doc(vec![
            // A two-column table and a short line: the line runs into column C, no further.
            section("corta", vec![sales_table(3), line("Texto después de la tabla.")]),
            // A paragraph that wraps fills its merged span (90 characters: columns A–J).
            section("larga", vec![sales_table(3), line(&long)]),
            // A chart is 720 pixels wide: it reaches column L at Excel's default width.
            section("grafico", vec![chart()]),
            // A heading runs over empty cells up to the text span, no further: a long name
            // does not shrink the page.
            section("titulo", vec![Block::Heading { level: 1, text: "Nombre ".repeat(40) }, sales_table(3)]),
        ]));
        let workbook = part(&bytes, "xl/workbook.xml");
        let area = |sheet: &str| {
            let key = format!("{sheet}!$A:$");
            let at = workbook.find(&key).unwrap_or_else(|| panic!("{sheet}: {workbook}"));
            workbook[at + key.len()..].split('<').next().unwrap().to_string()
        };
        assert_eq!(area("corta"), "C");
        assert_eq!(area("larga"), "J");
        assert_eq!(area("grafico"), "L");
        assert_eq!(area("titulo"), "J");
    }

    #[test]
    fn a_sheet_prints_portrait_when_that_takes_fewer_pages_and_its_text_stays_readable() {
        // Columns of 30 characters: four are 888 pixels (portrait at 74 %, text 8 pt or more;
        // landscape at 100 %), five are 1,110 (portrait at 59 %: too small).
        let wide = |n: usize| {
            Block::Table(Table {
                name: "w".into(),
                columns: (0..n).map(|i| col(&format!("Columna {i}"), ValueFormat::Text)).collect(),
                rows: vec![(0..n).map(|_| cell(text(&"x".repeat(30)))).collect()],
                totals: None,
                pdf_last: None,
                area: None,
            })
        };
        let blocks = |n: usize| {
            let mut b = vec![wide(n)];
            b.extend((0..10).map(|i| line(&format!("Línea {i}"))));
            b.push(chart());
            b
        };
        // Landscape would take two pages (the chart does not fit below the lines), portrait one.
        let sheet = part(&render(&doc(vec![section("s", blocks(4))])), "xl/worksheets/sheet1.xml");
        assert!(!sheet.contains("landscape") && breaks(&sheet).is_empty(), "one portrait page: {sheet}");
        let sheet = part(&render(&doc(vec![section("s", blocks(5))])), "xl/worksheets/sheet1.xml");
        assert!(sheet.contains(r#"orientation="landscape""#) && breaks(&sheet).len() == 1, "{sheet}");
    }
}
