//! Layout: the document model placed on A4 pages as boxes, lines and text runs — plain data,
//! measured with the embedded font's advance widths, drawn by `pdf.rs` at the end.
//!
//! Coordinates are points from the page's top-left corner, y downwards (`pdf.rs` flips them).
//! Nothing here knows printpdf; everything here is deterministic.
//!
//! This file owns the page model: the walk over the document's sections, bookmarks, links and
//! footers. `pages` decides what goes on which page (section breaks, headings kept with what
//! follows); the other siblings draw the blocks: `text` (measuring and line breaking),
//! `blocks` (prose, notes, KPIs, lists, fields), `table` and `chart`.

use std::collections::HashMap;

mod blocks;
mod chart;
mod pages;
mod table;
mod text;
pub mod ttf;

use crate::document::{
    Block, Cell, Chart, ChartKind, Column, Document, Field, FieldKind, Kpi, Media, NoteKind, PageBreak, Run,
    Series, SeriesKind, Table, ValueFormat,
};
use ttf::Face;

/// A4 portrait, in points.
pub const PAGE_W: f32 = 595.28;
pub const PAGE_H: f32 = 841.89;
const MARGIN_X: f32 = 48.0;
const TOP: f32 = 42.0;
/// Content ends here; the footer lives below.
const BOTTOM: f32 = PAGE_H - 50.0;
const WIDTH: f32 = PAGE_W - 2.0 * MARGIN_X;

const BODY: f32 = 9.5;
const BODY_LH: f32 = 13.0;
const BLOCK_GAP: f32 = 6.0;
const CELL_PAD: f32 = 4.0;
const TABLE_FS: f32 = 8.0;
const ROW_H: f32 = 14.0;
/// Extra height per wrapped line in a table cell, and the most lines a cell shows.
const CELL_LH: f32 = 10.0;
const CELL_LINES: usize = 3;
const CHART_H: f32 = 115.0;
const FIELD_H: f32 = 36.0;
/// Items of a page's footer.
const FOOTER_ITEMS: usize = 3;

/// An sRGB colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rgb(pub u8, pub u8, pub u8);

const INK: Rgb = Rgb(33, 37, 41);
const MUTED: Rgb = Rgb(108, 117, 125);
const NAVY: Rgb = Rgb(31, 58, 95);
const BLUE: Rgb = Rgb(46, 109, 180);
const ORANGE: Rgb = Rgb(230, 126, 34);
const GREEN: Rgb = Rgb(39, 150, 96);
const RULE: Rgb = Rgb(222, 226, 232);
const GRID: Rgb = Rgb(230, 233, 238);
const ZEBRA: Rgb = Rgb(245, 247, 250);
const CARD: Rgb = Rgb(243, 246, 250);
const HIGHLIGHT: Rgb = Rgb(255, 236, 170);
const TOTALS: Rgb = Rgb(230, 237, 246);
const WHITE: Rgb = Rgb(255, 255, 255);
const PALETTE: [Rgb; 4] = [BLUE, ORANGE, GREEN, Rgb(140, 140, 140)];

/// Something to draw.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    /// A text run; `y` is its baseline; `angle` in degrees, counter-clockwise.
    Text { x: f32, y: f32, size: f32, bold: bool, color: Rgb, text: String, angle: f32 },
    /// A rectangle with its top-left corner at (x, y).
    Rect { x: f32, y: f32, w: f32, h: f32, fill: Option<Rgb>, stroke: Option<(Rgb, f32)> },
    /// An open polyline.
    Line { points: Vec<(f32, f32)>, color: Rgb, width: f32, dash: bool },
    /// A clickable area (top-left corner at (x, y)) that goes to the first page of the
    /// section with id `target`: `page` (0-based), resolved once the whole document is laid out.
    Link { x: f32, y: f32, w: f32, h: f32, target: String, page: usize },
}

/// One page's items, in drawing order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Page {
    pub items: Vec<Item>,
    /// Titles of the sections that start on this page (the PDF outline).
    pub bookmarks: Vec<String>,
}

impl Page {
    /// The page's text runs in drawing order (for tests and text checks).
    #[cfg(test)]
    pub fn texts(&self) -> impl Iterator<Item = &str> {
        self.items.iter().filter_map(|i| match i {
            Item::Text { text, .. } => Some(text.as_str()),
            _ => None,
        })
    }
}

/// Lays the document out as the PDF shows it (without what is marked `only="xlsx"`);
/// `page_label` is the footer pattern with `{page}` and `{pages}`.
pub fn layout(doc: &Document, page_label: &str, lang: &str) -> Vec<Page> {
    let (regular, bold) = ttf::faces();
    let mut l = Layout {
        table_fs: TABLE_FS,
        pages: vec![Page::default()],
        y: TOP,
        regular,
        bold,
        comma: crate::lang::Locale::of_document(lang).comma_decimal(),
        spill: false,
    };
    let mut anchors: HashMap<&str, usize> = HashMap::new();
    // The PDF's sections and blocks picked here, borrowed: `Document::for_media` would copy
    // the whole document for it.
    for section in doc.sections.iter().filter(|s| s.media.shows_in(Media::Pdf)) {
        let blocks: Vec<&Block> = section
            .blocks
            .iter()
            .enumerate()
            .filter(|(i, _)| section.block_media.get(i).is_none_or(|m| m.shows_in(Media::Pdf)))
            .map(|(_, b)| b)
            .collect();
        match section.page_break {
            // A page holding only the last lines of the section before is no page to leave
            // nearly blank: a section that fits whole in the rest of it starts there.
            PageBreak::Page if l.holds_a_spill() && l.fits(&blocks) => {}
            PageBreak::Page => l.new_page_unless_empty(),
            PageBreak::Fit if !l.fits(&blocks) => l.new_page_unless_empty(),
            PageBreak::Fit | PageBreak::Auto => {}
        }
        let (start_page, start_items) = (l.pages.len() - 1, l.page().items.len());
        l.blocks(&blocks, None);
        // The section starts where its first item landed (a kept heading may have moved on).
        if !section.title.is_empty() && l.pages.len() - 1 + l.page().items.len() > start_page + start_items {
            let page =
                if l.pages[start_page].items.len() > start_items { start_page } else { start_page + 1 };
            let page = page.min(l.pages.len() - 1);
            l.pages[page].bookmarks.push(section.title.clone());
        }
        if let Some(id) = section.id.as_deref() {
            let page =
                if l.pages[start_page].items.len() > start_items { start_page } else { start_page + 1 };
            anchors.insert(id, page.min(l.pages.len() - 1));
        }
    }
    // Links go to their section's first page; a link to no section is no link.
    for page in &mut l.pages {
        page.items.retain_mut(|item| match item {
            Item::Link { target, page, .. } => match anchors.get(target.as_str()) {
                Some(p) => {
                    *page = *p;
                    true
                }
                None => false,
            },
            _ => true,
        });
    }
    l.footers(&doc.title, page_label);
    l.pages
}

struct Layout {
    pages: Vec<Page>,
    y: f32,
    regular: &'static Face,
    bold: &'static Face,
    /// Decimal comma (es) or point (en) in axis labels.
    comma: bool,
    /// Font size of the table being laid out: smaller for tables too wide for the page.
    table_fs: f32,
    /// The current page was begun by a section running on, not by a section's page break.
    spill: bool,
}
impl Layout {
    fn page(&mut self) -> &mut Page {
        self.pages.last_mut().expect("layout always has a page")
    }

    fn push(&mut self, item: Item) {
        self.page().items.push(item);
    }

    /// Places text, replacing characters the font cannot draw so nothing renders as a box.
    #[allow(clippy::too_many_arguments)]
    fn text(&mut self, x: f32, y: f32, size: f32, bold: bool, color: Rgb, text: &str, angle: f32) {
        let text = self.clean(text, bold);
        if text.trim().is_empty() {
            return;
        }
        self.push(Item::Text { x, y, size, bold, color, text, angle });
    }

    /// [`Self::text`] for a string of the layout's own, moved into the page as it is when it
    /// needs no cleaning (a table has thousands of cells: one copy fewer each).
    #[allow(clippy::too_many_arguments)]
    fn text_owned(&mut self, x: f32, y: f32, size: f32, bold: bool, color: Rgb, text: String, angle: f32) {
        let text = if self.is_clean(&text, bold) { text } else { self.clean(&text, bold) };
        if text.trim().is_empty() {
            return;
        }
        self.push(Item::Text { x, y, size, bold, color, text, angle });
    }

    fn rect(&mut self, x: f32, y: f32, w: f32, h: f32, fill: Option<Rgb>, stroke: Option<(Rgb, f32)>) {
        self.push(Item::Rect { x, y, w, h, fill, stroke });
    }

    /// A clickable area going to the section `target` (resolved at the end of the layout).
    fn link(&mut self, x: f32, y: f32, w: f32, h: f32, target: &str) {
        self.push(Item::Link { x, y, w, h, target: target.to_string(), page: 0 });
    }

    fn hline(&mut self, x0: f32, x1: f32, y: f32, color: Rgb, width: f32) {
        self.push(Item::Line { points: vec![(x0, y), (x1, y)], color, width, dash: false });
    }

    fn block(&mut self, block: &Block) {
        match block {
            Block::Heading { level, text } => self.heading(*level, text, 0.0),
            Block::Paragraph(runs) => self.paragraph(runs),
            Block::Note { kind, text } => self.note(*kind, text),
            Block::Kpis(kpis) => self.kpis(kpis),
            Block::Table(t) => self.table(t),
            Block::List { ordered, items } => self.list(*ordered, items),
            Block::Chart(c) => self.chart(c),
            Block::Fields(f) => self.fields(f),
        }
    }

    /// Each page's footer: a rule, the title and the page number ([`FOOTER_ITEMS`] items).
    fn footers(&mut self, title: &str, pattern: &str) {
        let n = self.pages.len();
        for i in 0..n {
            let label = pattern.replace("{page}", &(i + 1).to_string()).replace("{pages}", &n.to_string());
            let lw = self.width(&label, false, 7.5);
            let title = self.ellipsize(title, false, 7.5, WIDTH - lw - 24.0);
            let y = PAGE_H - 30.0;
            let items: [Item; FOOTER_ITEMS] = [
                Item::Line {
                    points: vec![(MARGIN_X, y - 10.0), (MARGIN_X + WIDTH, y - 10.0)],
                    color: RULE,
                    width: 0.6,
                    dash: false,
                },
                Item::Text {
                    x: MARGIN_X,
                    y,
                    size: 7.5,
                    bold: false,
                    color: MUTED,
                    text: self.clean(&title, false),
                    angle: 0.0,
                },
                Item::Text {
                    x: MARGIN_X + WIDTH - lw,
                    y,
                    size: 7.5,
                    bold: false,
                    color: MUTED,
                    text: self.clean(&label, false),
                    angle: 0.0,
                },
            ];
            self.pages[i].items.extend(items);
        }
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::document::{Column, Media, PageBreak, Section, Value};

    pub(super) fn lay() -> Layout {
        let (regular, bold) = ttf::faces();
        Layout {
            table_fs: TABLE_FS,
            pages: vec![Page::default()],
            y: TOP,
            regular,
            bold,
            comma: true,
            spill: false,
        }
    }

    pub(super) fn text_cell(s: &str) -> Cell {
        Cell {
            value: Value { text: s.into(), format: ValueFormat::Text, number: None, date: None },
            highlight: false,
            link: None,
            formula: None,
        }
    }

    pub(super) fn money_cell(x: f64) -> Cell {
        Cell {
            value: Value {
                text: format!("{x:.2} €"),
                format: ValueFormat::Money,
                number: Some(x),
                date: None,
            },
            highlight: false,
            link: None,
            formula: None,
        }
    }

    pub(super) fn doc(sections: Vec<Section>) -> Document {
        Document {
            title: "Plan — Ana".into(),
            lang: "es".into(),
            author: String::new(),
            subject: String::new(),
            sections,
        }
    }

    pub(super) fn section(page_break: bool, blocks: Vec<Block>) -> Section {
        let page_break = if page_break { PageBreak::Page } else { PageBreak::Auto };
        Section {
            id: None,
            media: Media::All,
            block_media: Default::default(),
            title: "S".into(),
            sheet: "S".into(),
            page_break,
            blocks,
        }
    }

    pub(in crate::render) fn long_table(rows: usize) -> Table {
        Table {
            name: "cuentas".into(),
            columns: vec![
                Column {
                    label: "Cliente".into(),
                    format: ValueFormat::Text,
                    choices: vec![],
                    fill: false,
                    name: None,
                    formula: None,
                },
                Column {
                    label: "Ventas".into(),
                    format: ValueFormat::Money,
                    choices: vec![],
                    fill: false,
                    name: None,
                    formula: None,
                },
            ],
            rows: (0..rows)
                .map(|i| vec![text_cell(&format!("Cliente {i:03}")), money_cell(1000.0 + i as f64)])
                .collect(),
            totals: Some(vec![text_cell("Total"), money_cell(1.0)]),
            pdf_last: None,
            area: None,
        }
    }

    /// Every text run's right edge, to check nothing leaves the content area.
    pub(super) fn right_edges(pages: &[Page]) -> Vec<(f32, String)> {
        let l = lay();
        pages
            .iter()
            .flat_map(|p| &p.items)
            .filter_map(|i| match i {
                Item::Text { x, size, bold, text, angle, .. } if *angle == 0.0 => {
                    Some((x + l.width(text, *bold, *size), text.clone()))
                }
                _ => None,
            })
            .collect()
    }

    #[test]
    fn long_cell_text_stays_inside_the_page() {
        let mut t = long_table(5);
        t.rows[0][0] = text_cell(&"Comercial Peñalver — División Industrial ".repeat(10));
        t.columns
            .extend((0..6).map(|i| Column::new(format!("Columna con título largo {i}"), ValueFormat::Money)));
        for r in t.rows.iter_mut().chain(t.totals.iter_mut()) {
            r.extend((0..6).map(|_| money_cell(123456789.0)));
        }
        let pages = layout(
            &doc(vec![section(
                false,
                vec![
                    Block::Table(t),
                    Block::Heading { level: 1, text: "Título ".repeat(30) },
                    Block::Kpis(vec![
                        Kpi::new(
                            "Ventas de las cuentas clave en el periodo",
                            Value {
                                text: "123.456.789.012,00 €".into(),
                                format: ValueFormat::Money,
                                number: None,
                                date: None
                            }
                        );
                        5
                    ]),
                    Block::Note { kind: NoteKind::Warning, text: "Aviso ".repeat(80) },
                    Block::List { ordered: true, items: vec!["Elemento ".repeat(40)] },
                    Block::Fields(vec![Field {
                        label: "Nombre ".repeat(20),
                        kind: FieldKind::Choice,
                        choices: vec!["Muy alta".into(); 12],
                        value: String::new(),
                    }]),
                ],
            )]),
            "Página {page} de {pages}",
            "es",
        );
        for (right, text) in right_edges(&pages) {
            assert!(right <= MARGIN_X + WIDTH + 0.5, "{text:?} ends at {right}");
        }
    }

    #[test]
    fn sections_are_bookmarked_on_their_first_page() {
        let p = |t: &str| Block::Paragraph(vec![Run::text(t, false)]);
        let mut a = section(false, vec![p("uno")]);
        a.title = "Resumen".into();
        let mut b = section(true, vec![p("dos")]);
        b.title = "Cuentas".into();
        let mut c = section(false, vec![]);
        c.title = "Vacía".into();
        let pages = layout(&doc(vec![a, b, c]), "", "es");
        assert_eq!(pages[0].bookmarks, vec!["Resumen"]);
        assert_eq!(pages[1].bookmarks, vec!["Cuentas"], "an empty section gets no bookmark");
    }

    #[test]
    fn what_only_the_workbook_shows_is_left_out() {
        let p = |t: &str| Block::Paragraph(vec![Run::text(t, false)]);
        let link = |to: &str| {
            Block::Paragraph(vec![Run { text: format!("a {to}"), bold: false, link: Some(to.into()) }])
        };
        let mut a = section(
            false,
            vec![p("both"), p("sheet only"), p("paper only"), link("agenda"), link("printed")],
        );
        a.title = "Resumen".into();
        a.block_media = [(1, Media::Xlsx), (2, Media::Pdf)].into();
        let mut b = section(true, vec![p("agenda rows")]);
        (b.title, b.id, b.media) = ("Agenda".into(), Some("agenda".into()), Media::Xlsx);
        let mut c = section(true, vec![p("printed text")]);
        (c.title, c.id, c.media) = ("Impreso".into(), Some("printed".into()), Media::Pdf);
        let pages = layout(&doc(vec![a, b, c]), "", "es");
        let texts: Vec<&str> = pages.iter().flat_map(Page::texts).collect();
        for shown in ["both", "paper only", "printed text"] {
            assert!(texts.contains(&shown), "{shown} missing: {texts:?}");
        }
        for left_out in ["sheet only", "agenda rows"] {
            assert!(!texts.contains(&left_out), "{left_out} shown");
        }
        assert_eq!(pages.len(), 2, "the workbook's section takes no page");
        assert_eq!(pages[1].bookmarks, vec!["Impreso"]);
        let links: Vec<usize> = pages[0]
            .items
            .iter()
            .filter_map(|i| match i {
                Item::Link { page, .. } => Some(*page),
                _ => None,
            })
            .collect();
        assert_eq!(links, vec![1], "the link to the workbook's section is no link");
    }
}
