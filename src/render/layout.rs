//! Layout: the document model placed on A4 pages as boxes, lines and text runs — plain data,
//! measured with the embedded font's advance widths, drawn by `pdf.rs` at the end.
//!
//! Coordinates are points from the page's top-left corner, y downwards (`pdf.rs` flips them).
//! Nothing here knows printpdf; everything here is deterministic.
//!
//! This file owns the page model and pagination: the walk over the document's sections, page
//! breaks, headings kept with what follows, bookmarks and footers. Its siblings draw the
//! blocks: `text` (measuring and line breaking), `blocks` (prose, notes, KPIs, lists, fields),
//! `table` and `chart`.

use std::collections::HashMap;

mod blocks;
mod chart;
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

    fn new_page(&mut self) {
        // Sized as the page before (and the footer): a page's list of items was grown a few
        // hundred times, copied each time it doubled.
        let capacity = self.page().items.len() + FOOTER_ITEMS;
        self.pages.push(Page { items: Vec::with_capacity(capacity), bookmarks: Vec::new() });
        self.y = TOP;
        self.spill = true;
    }

    /// A section's page break: a new page, unless this one is still empty.
    fn new_page_unless_empty(&mut self) {
        if !self.page().items.is_empty() {
            self.new_page();
            self.spill = false;
        }
    }

    /// Whether the page holds no more than the tail of the section before (a third of a page
    /// at most) that ran on from the page before.
    fn holds_a_spill(&self) -> bool {
        self.spill && self.y - TOP < (BOTTOM - TOP) / 3.0
    }

    /// Lays out a section's blocks, each heading kept with the start of what follows it. With
    /// `stop_after` pages, stops as soon as the layout needs more (a trial); returns whether
    /// it stayed within them.
    fn blocks(&mut self, blocks: &[&Block], stop_after: Option<usize>) -> bool {
        for (i, &block) in blocks.iter().enumerate() {
            if let Block::Heading { level, text } = block {
                let next = self.keep_after(&blocks[i + 1..]);
                self.heading(*level, text, next);
            } else if let (Block::Paragraph(_), Some(next @ (Block::Table(_) | Block::Chart(_)))) =
                (block, blocks.get(i + 1).copied())
            {
                // A short paragraph introducing a table or a chart (a lead in bold, "Objetivo
                // por mes. …") moves with its start, as a heading does.
                let own = self.keep_height(block);
                if own <= 3.0 * BODY_LH + BLOCK_GAP {
                    self.ensure(own + self.keep_height(next));
                }
                self.block(block);
            } else {
                self.block(block);
            }
            if stop_after.is_some_and(|n| self.pages.len() > n) {
                return false;
            }
        }
        true
    }

    /// Whether a whole section (its blocks) fits in what is left of the current page: laid
    /// out on a scratch page at the same height, stopping at the first overflow.
    fn fits(&self, blocks: &[&Block]) -> bool {
        if self.y <= TOP + 0.5 {
            return true;
        }
        // Less than a fifth of a page left: nothing worth trying fits.
        if BOTTOM - self.y < (BOTTOM - TOP) / 5.0 {
            return false;
        }
        let mut trial = Layout {
            pages: vec![Page::default()],
            y: self.y,
            regular: self.regular,
            bold: self.bold,
            comma: self.comma,
            table_fs: self.table_fs,
            spill: false,
        };
        trial.blocks(blocks, Some(1))
    }

    /// What a heading must keep with it: three lines of the prose that follows it, or — when
    /// the prose is a shorter introduction — also the first part of the block it introduces (a
    /// table's header and first rows, a chart, the KPI cards, a form). So a heading never ends
    /// a page, and a table never starts one without its introduction. At most half a page.
    fn keep_after(&self, rest: &[&Block]) -> f32 {
        let enough = 3.0 * BODY_LH;
        let mut h = 0.0;
        for &b in rest {
            match b {
                Block::Paragraph(_) | Block::Note { .. } | Block::List { .. } | Block::Heading { .. } => {
                    h += self.keep_height(b).min(enough);
                    if h >= enough {
                        break;
                    }
                }
                _ => {
                    h += self.keep_height(b);
                    break;
                }
            }
        }
        h.min((BOTTOM - TOP) / 2.0)
    }

    /// Starts a new page when `h` more points do not fit (and the page is not fresh).
    fn ensure(&mut self, h: f32) -> bool {
        if self.y + h > BOTTOM && self.y > TOP + 0.5 {
            self.new_page();
            return true;
        }
        false
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

    /// The height of a block's first unbreakable part: what a heading must keep with it.
    fn keep_height(&self, block: &Block) -> f32 {
        match block {
            Block::Heading { .. } => 30.0,
            Block::Paragraph(runs) => {
                let runs: Vec<(&str, bool)> = runs.iter().map(|r| (r.text.as_str(), r.bold)).collect();
                self.wrap(&runs, BODY, WIDTH).len() as f32 * BODY_LH + BLOCK_GAP - 2.0
            }
            Block::List { items, .. } => items
                .iter()
                .map(|i| self.wrap(&[(i, false)], BODY, WIDTH - 16.0).len() as f32 * BODY_LH + 1.5)
                .sum::<f32>()
                .max(BODY_LH),
            Block::Note { text, .. } => {
                self.wrap(&[(text, true)], 9.0, WIDTH - 18.0).len() as f32 * 12.5 + 19.0
            }
            Block::Kpis(_) => 60.0,
            Block::Table(t) => {
                // A blank form keeps one row with its header; a table with content, three.
                let blank = t.rows.iter().all(|r| r.iter().all(|c| c.value.text.trim().is_empty()));
                24.0 + ROW_H * if blank { 1 } else { t.rows.len().clamp(1, 2) } as f32
            }
            Block::Chart(_) => CHART_H,
            Block::Fields(f) => {
                let per_row = if f.len() <= 3 { f.len().max(1) } else { 2 };
                let total = f.len().div_ceil(per_row) as f32 * (FIELD_H + 4.0);
                if total <= 200.0 {
                    total
                } else {
                    FIELD_H
                }
            }
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
    fn sections_with_page_break_start_new_pages() {
        let p = |t: &str| Block::Paragraph(vec![Run::text(t, false)]);
        let pages = layout(
            &doc(vec![
                section(true, vec![p("uno")]),
                section(true, vec![p("dos")]),
                section(false, vec![p("tres")]),
            ]),
            "{page}/{pages}",
            "es",
        );
        assert_eq!(pages.len(), 2, "a break on the first section adds no blank page");
        assert!(pages[0].texts().any(|t| t == "uno"));
        assert!(pages[1].texts().any(|t| t == "dos") && pages[1].texts().any(|t| t == "tres"));
        assert!(pages[1].texts().any(|t| t == "2/2"));
        // An empty document still has one page with its footer.
        let empty = layout(&doc(vec![]), "Página {page} de {pages}", "es");
        assert_eq!(empty.len(), 1);
        assert!(empty[0].texts().any(|t| t == "Página 1 de 1"));
    }

    #[test]
    fn a_section_fills_a_page_holding_only_the_last_lines_of_the_one_before() {
        let p = |t: &str| Block::Paragraph(vec![Run::text(t, false)]);
        let lines = |n: usize| -> Vec<Block> { (0..n).map(|i| p(&format!("línea {i}"))).collect() };
        // A section a few lines longer than a page spills onto page 2.
        let per_page = ((BOTTOM - TOP) / (BODY_LH + BLOCK_GAP)) as usize;
        let cover = section(true, lines(per_page + 3));
        let short = section(true, vec![p("breve")]);
        let long = section(true, lines(per_page * 3 / 4));
        let pages = layout(&doc(vec![cover.clone(), short.clone(), long]), "{page}", "es");
        assert_eq!(pages.len(), 3, "the short section follows the spill; the long one breaks");
        assert!(pages[1].texts().any(|t| t == "breve"));
        assert!(pages[2].texts().any(|t| t == "línea 0"));
        // A page the section broke to itself is never shared: the next section breaks again.
        let pages = layout(&doc(vec![short.clone(), short]), "{page}", "es");
        assert_eq!(pages.len(), 2);
    }

    #[test]
    fn a_paragraph_never_leaves_one_line_alone_across_a_page_break() {
        let para =
            |word: &str, words: usize| Block::Paragraph(vec![Run::text(vec![word; words].join(" "), false)]);
        // Filler of every length, then a paragraph of about five lines: wherever the break
        // falls, each page holds none, or at least two, of its lines.
        for filler in 40..=70 {
            let pages = layout(
                &doc(vec![section(false, vec![para("relleno", filler * 12), para("zeta", 100)])]),
                "",
                "es",
            );
            let total: usize = pages.iter().map(|p| p.texts().filter(|t| t.contains("zeta")).count()).sum();
            assert!(total >= 4, "{total} lines");
            for (i, p) in pages.iter().enumerate() {
                let here = p.texts().filter(|t| t.contains("zeta")).count();
                assert!(here != 1, "filler {filler}: page {} holds one line of the paragraph", i + 1);
            }
        }
    }

    #[test]
    fn a_heading_moves_with_the_block_it_introduces() {
        let chart = Block::Chart(Chart {
            kind: ChartKind::Bar,
            title: "c".into(),
            format: ValueFormat::Number,
            series: vec![],
            bands: vec![],
            rules: vec![],
        });
        let field =
            Field { label: "Nombre".into(), kind: FieldKind::Text, choices: vec![], value: String::new() };
        let pages = layout(
            &doc(vec![section(
                false,
                vec![
                    chart.clone(),
                    chart.clone(),
                    chart.clone(),
                    chart.clone(),
                    chart.clone(),
                    chart,
                    Block::Heading { level: 3, text: "Mapa de decisores".into() },
                    Block::Fields(vec![field; 5]),
                ],
            )]),
            "",
            "es",
        );
        assert_eq!(pages.len(), 2);
        assert!(
            pages[1].texts().any(|t| t == "Mapa de decisores"),
            "heading not left alone at the foot of page 1"
        );
        assert_eq!(pages[1].texts().filter(|t| *t == "Nombre").count(), 5, "the short form is kept together");
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
