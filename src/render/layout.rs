//! Layout: the document model placed on A4 pages as boxes, lines and text runs — plain data,
//! measured with the embedded font's advance widths, drawn by `pdf.rs` at the end.
//!
//! Coordinates are points from the page's top-left corner, y downwards (`pdf.rs` flips them).
//! Nothing here knows printpdf; everything here is deterministic.

mod chart;
pub mod ttf;

use crate::document::{
    Block, Cell, Chart, ChartKind, Column, Document, Field, FieldKind, Kpi, NoteKind, Run, Series,
    SeriesKind, Table, ValueFormat,
};
use ttf::Face;

/// A4 portrait, in points.
pub const PAGE_W: f32 = 595.28;
pub const PAGE_H: f32 = 841.89;
const MARGIN_X: f32 = 48.0;
const TOP: f32 = 50.0;
/// Content ends here; the footer lives below.
const BOTTOM: f32 = PAGE_H - 58.0;
const WIDTH: f32 = PAGE_W - 2.0 * MARGIN_X;

const BODY: f32 = 9.5;
const BODY_LH: f32 = 13.5;
const BLOCK_GAP: f32 = 8.0;
const CELL_PAD: f32 = 4.0;
const TABLE_FS: f32 = 8.0;
const ROW_H: f32 = 15.0;
/// Extra height per wrapped line in a table cell, and the most lines a cell shows.
const CELL_LH: f32 = 10.0;
const CELL_LINES: usize = 3;
const CHART_H: f32 = 200.0;
const FIELD_H: f32 = 36.0;

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

/// Lays the document out; `page_label` is the footer pattern with `{page}` and `{pages}`.
pub fn layout(doc: &Document, page_label: &str, lang: &str) -> Vec<Page> {
    let (regular, bold) = ttf::faces();
    let mut l = Layout {
        table_fs: TABLE_FS,
        pages: vec![Page::default()],
        y: TOP,
        regular,
        bold,
        comma: lang != "en",
    };
    for section in &doc.sections {
        if section.page_break {
            l.new_page_unless_empty();
        }
        let (start_page, start_items) = (l.pages.len() - 1, l.page().items.len());
        for (i, block) in section.blocks.iter().enumerate() {
            if let Block::Heading { level, text } = block {
                // A heading stays with the start of what follows it.
                let next = section.blocks.get(i + 1).map_or(0.0, |b| l.keep_height(b));
                l.heading(*level, text, next);
            } else {
                l.block(block);
            }
        }
        // The section starts where its first item landed (a kept heading may have moved on).
        if !section.title.is_empty() && l.pages.len() - 1 + l.page().items.len() > start_page + start_items {
            let page =
                if l.pages[start_page].items.len() > start_items { start_page } else { start_page + 1 };
            let page = page.min(l.pages.len() - 1);
            l.pages[page].bookmarks.push(section.title.clone());
        }
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
}

/// A wrapped line: segments of (text, bold) and its width.
#[derive(Debug, Clone, PartialEq)]
struct Line {
    segs: Vec<(String, bool)>,
    width: f32,
}

impl Layout {
    fn face(&self, bold: bool) -> &'static Face {
        if bold {
            self.bold
        } else {
            self.regular
        }
    }

    fn width(&self, s: &str, bold: bool, size: f32) -> f32 {
        self.face(bold).width(s, size)
    }

    fn page(&mut self) -> &mut Page {
        self.pages.last_mut().expect("layout always has a page")
    }

    fn new_page(&mut self) {
        self.pages.push(Page::default());
        self.y = TOP;
    }

    fn new_page_unless_empty(&mut self) {
        if !self.page().items.is_empty() {
            self.new_page();
        }
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

    fn clean(&self, s: &str, bold: bool) -> String {
        let face = self.face(bold);
        s.chars()
            .filter(|c| !c.is_control() || matches!(c, '\t' | '\n' | '\r'))
            .map(|c| {
                if matches!(c, '\t' | '\n' | '\r') {
                    ' '
                } else if face.has(c) {
                    c
                } else {
                    '?'
                }
            })
            .collect()
    }

    fn rect(&mut self, x: f32, y: f32, w: f32, h: f32, fill: Option<Rgb>, stroke: Option<(Rgb, f32)>) {
        self.push(Item::Rect { x, y, w, h, fill, stroke });
    }

    fn hline(&mut self, x0: f32, x1: f32, y: f32, color: Rgb, width: f32) {
        self.push(Item::Line { points: vec![(x0, y), (x1, y)], color, width, dash: false });
    }

    /// `s` cut to `max` points wide with an ellipsis, or whole when it fits.
    fn ellipsize(&self, s: &str, bold: bool, size: f32, max: f32) -> String {
        let face = self.face(bold);
        if face.width(s, size) <= max {
            return s.to_string();
        }
        let budget = max - face.width("…", size);
        let mut w = 0.0;
        let mut out = String::new();
        for ch in s.chars() {
            w += face.char_em(ch) * size;
            if w > budget {
                break;
            }
            out.push(ch);
        }
        let mut out = out.trim_end().to_string();
        out.push('…');
        out
    }

    /// Greedy word wrap of bold/regular runs into lines at most `max` wide; a word longer than
    /// a line is broken between characters. Spaces at line ends are dropped.
    fn wrap(&self, runs: &[(&str, bool)], size: f32, max: f32) -> Vec<Line> {
        let mut lines = Vec::new();
        let mut cur = Line { segs: Vec::new(), width: 0.0 };
        // Width of pending trailing spaces on the current line.
        let mut pending_space = 0.0;
        for &(text, bold) in runs {
            let face = self.face(bold);
            for (i, word) in text.split(' ').enumerate() {
                if i > 0 && !cur.segs.is_empty() {
                    pending_space += face.char_em(' ') * size;
                    push_seg(&mut cur.segs, " ", bold);
                }
                if word.is_empty() {
                    continue;
                }
                let ww = face.width(word, size);
                if !cur.segs.is_empty() && cur.width + pending_space + ww > max + 0.01 {
                    trim_line(&mut cur);
                    lines.push(std::mem::replace(&mut cur, Line { segs: Vec::new(), width: 0.0 }));
                    pending_space = 0.0;
                }
                if ww <= max + 0.01 {
                    cur.width += pending_space + ww;
                    pending_space = 0.0;
                    push_seg(&mut cur.segs, word, bold);
                    continue;
                }
                // A word wider than the line: break it between characters.
                cur.width += pending_space;
                pending_space = 0.0;
                for ch in word.chars() {
                    let cw = face.char_em(ch) * size;
                    if cur.width + cw > max + 0.01 && !cur.segs.is_empty() {
                        trim_line(&mut cur);
                        lines.push(std::mem::replace(&mut cur, Line { segs: Vec::new(), width: 0.0 }));
                    }
                    cur.width += cw;
                    let mut b = [0u8; 4];
                    push_seg(&mut cur.segs, ch.encode_utf8(&mut b), bold);
                }
            }
        }
        trim_line(&mut cur);
        if !cur.segs.is_empty() {
            lines.push(cur);
        }
        lines
    }

    /// Draws a wrapped line's segments from `x` on baseline `y`.
    fn draw_line(&mut self, line: &Line, x: f32, y: f32, size: f32, color: Rgb) {
        let mut x = x;
        for (text, bold) in &line.segs {
            let w = self.width(text, *bold, size);
            self.text(x, y, size, *bold, color, text, 0.0);
            x += w;
        }
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
            Block::Paragraph(_) | Block::List { .. } => 2.0 * BODY_LH,
            Block::Note { .. } => 30.0,
            Block::Kpis(_) => 60.0,
            Block::Table(t) => 24.0 + ROW_H * t.rows.len().clamp(1, 3) as f32,
            Block::Chart(_) => CHART_H,
            Block::Fields(f) => {
                let total = f.len().div_ceil(2) as f32 * (FIELD_H + 4.0);
                if total <= 200.0 {
                    total
                } else {
                    FIELD_H
                }
            }
        }
    }

    fn heading(&mut self, level: u8, text: &str, keep: f32) {
        let (size, color, before, after) = match level {
            1 => (17.0, NAVY, 6.0, 10.0),
            2 => (13.0, NAVY, 10.0, 6.0),
            _ => (10.5, INK, 6.0, 4.0),
        };
        let lh = size * 1.3;
        let lines = self.wrap(&[(text, true)], size, WIDTH);
        let h = lines.len() as f32 * lh;
        // Keep a heading with what follows it.
        self.ensure(before + h + keep.max(24.0));
        if self.y > TOP + 0.5 {
            self.y += before;
        }
        for line in &lines {
            let base = self.y + size;
            self.draw_line(line, MARGIN_X, base, size, color);
            self.y += lh;
        }
        if level == 1 {
            self.y += 2.0;
            self.hline(MARGIN_X, MARGIN_X + WIDTH, self.y, BLUE, 1.2);
            self.y += 2.0;
        }
        self.y += after;
    }

    fn paragraph(&mut self, runs: &[Run]) {
        let runs: Vec<(&str, bool)> = runs.iter().map(|r| (r.text.as_str(), r.bold)).collect();
        for line in self.wrap(&runs, BODY, WIDTH) {
            self.ensure(BODY_LH);
            let base = self.y + BODY_LH * 0.72;
            self.draw_line(&line, MARGIN_X, base, BODY, INK);
            self.y += BODY_LH;
        }
        self.y += BLOCK_GAP - 2.0;
    }

    fn note(&mut self, kind: NoteKind, text: &str) {
        let (bg, bar) = match kind {
            NoteKind::Info => (Rgb(234, 242, 251), BLUE),
            NoteKind::Warning => (Rgb(253, 237, 222), Rgb(217, 95, 2)),
            NoteKind::Highlight => (Rgb(255, 246, 204), Rgb(212, 160, 0)),
        };
        let (size, lh, pad) = (9.0, 12.5, 7.0);
        let lines = self.wrap(&[(text, kind != NoteKind::Info)], size, WIDTH - 2.0 * pad - 4.0);
        // Short notes move whole to the next page; a note taller than the room left
        // continues in a box of its own on the next page.
        let full = lines.len() as f32 * lh + 2.0 * pad - 3.0;
        if full <= BOTTOM - TOP {
            self.ensure(full);
        } else {
            self.ensure(2.0 * lh + 2.0 * pad);
        }
        let mut rest = &lines[..];
        while !rest.is_empty() {
            let room = ((BOTTOM - self.y - 2.0 * pad + 3.0) / lh).floor().max(0.0) as usize;
            if room == 0 {
                self.new_page();
                continue;
            }
            let (now, later) = rest.split_at(room.min(rest.len()));
            let h = now.len() as f32 * lh + 2.0 * pad - 3.0;
            let top = self.y;
            self.rect(MARGIN_X, top, WIDTH, h, Some(bg), None);
            self.rect(MARGIN_X, top, 3.0, h, Some(bar), None);
            let mut base = top + pad + size * 0.85;
            for line in now {
                self.draw_line(line, MARGIN_X + 4.0 + pad, base, size, INK);
                base += lh;
            }
            self.y = top + h;
            rest = later;
            if !rest.is_empty() {
                self.new_page();
            }
        }
        self.y += BLOCK_GAP;
    }

    fn kpis(&mut self, kpis: &[Kpi]) {
        if kpis.is_empty() {
            return;
        }
        let per_row = match kpis.len() {
            n @ 1..=4 => n,
            5 | 6 | 9 => 3,
            _ => 4,
        };
        let gap = 8.0;
        // One or two figures make cards of a third, not a full-width slab.
        let w = ((WIDTH - gap * (per_row as f32 - 1.0)) / per_row as f32).min((WIDTH - 2.0 * gap) / 3.0);
        let inner = w - 16.0;
        for row in kpis.chunks(per_row) {
            // Labels wrap to two lines at most; the cards of a row share one height.
            let labels: Vec<Vec<String>> =
                row.iter().map(|k| self.label_lines(&k.label, 7.5, inner, 2)).collect();
            let label_lines = labels.iter().map(Vec::len).max().unwrap_or(1).max(1);
            let h = 38.0 + 9.0 * label_lines as f32;
            self.ensure(h);
            let top = self.y;
            for (i, (k, label)) in row.iter().zip(&labels).enumerate() {
                let x = MARGIN_X + i as f32 * (w + gap);
                self.rect(x, top, w, h, Some(CARD), None);
                self.rect(x, top, 2.5, h, Some(BLUE), None);
                for (j, line) in label.iter().enumerate() {
                    self.text(x + 10.0, top + 15.0 + 9.0 * j as f32, 7.5, false, MUTED, line, 0.0);
                }
                // The value shrinks to fit its card before it is cut.
                let mut size: f32 = 15.0;
                while size > 9.0 && self.width(&k.value.text, true, size) > inner {
                    size -= 0.5;
                }
                let value = self.ellipsize(&k.value.text, true, size, inner);
                self.text(x + 10.0, top + h - 11.0, size, true, NAVY, &value, 0.0);
            }
            self.y = top + h + gap;
        }
        self.y += BLOCK_GAP - gap;
    }

    /// `text` wrapped to at most `max_lines` lines, the last one cut with an ellipsis.
    fn label_lines(&self, text: &str, size: f32, width: f32, max_lines: usize) -> Vec<String> {
        let mut lines: Vec<String> = self
            .wrap(&[(text, false)], size, width)
            .into_iter()
            .map(|l| l.segs.into_iter().map(|s| s.0).collect())
            .collect();
        if lines.len() > max_lines {
            let rest = lines[max_lines - 1..].join(" ");
            lines.truncate(max_lines - 1);
            lines.push(self.ellipsize(&rest, false, size, width));
        }
        lines
    }

    fn list(&mut self, ordered: bool, items: &[String]) {
        let indent = 16.0;
        for (i, item) in items.iter().enumerate() {
            let marker = if ordered { format!("{}.", i + 1) } else { "•".to_string() };
            let lines = self.wrap(&[(item, false)], BODY, WIDTH - indent);
            for (j, line) in lines.iter().enumerate() {
                self.ensure(BODY_LH);
                let base = self.y + BODY_LH * 0.72;
                if j == 0 {
                    let color = if ordered { INK } else { BLUE };
                    self.text(MARGIN_X + 3.0, base, BODY, false, color, &marker, 0.0);
                }
                self.draw_line(line, MARGIN_X + indent, base, BODY, INK);
                self.y += BODY_LH;
            }
            self.y += 1.5;
        }
        self.y += BLOCK_GAP - 3.0;
    }

    fn fields(&mut self, fields: &[Field]) {
        let gap = 14.0;
        let w = (WIDTH - gap) / 2.0;
        let h = FIELD_H;
        // A short form stays on one page.
        let total = fields.len().div_ceil(2) as f32 * (h + 4.0);
        if total <= 200.0 {
            self.ensure(total);
        }
        for pair in fields.chunks(2) {
            self.ensure(h);
            let top = self.y;
            for (i, f) in pair.iter().enumerate() {
                let x = MARGIN_X + i as f32 * (w + gap);
                let label = self.ellipsize(&f.label, true, 7.5, w);
                self.text(x, top + 8.0, 7.5, true, MUTED, &label, 0.0);
                self.rect(x, top + 12.0, w, 19.0, Some(WHITE), Some((Rgb(190, 197, 207), 0.6)));
                let (text, color, size) = if !f.value.is_empty() {
                    (f.value.clone(), INK, 9.0)
                } else if f.kind == FieldKind::Choice && !f.choices.is_empty() {
                    (f.choices.iter().map(|c| format!("☐ {c}")).collect::<Vec<_>>().join("   "), MUTED, 8.0)
                } else {
                    (String::new(), INK, 9.0)
                };
                let text = self.ellipsize(&text, false, size, w - 10.0);
                self.text(x + 5.0, top + 25.0, size, false, color, &text, 0.0);
            }
            self.y = top + h + 4.0;
        }
        self.y += BLOCK_GAP - 4.0;
    }

    /// Column widths from content. Every column has a natural width (widest cell, or its widest
    /// header word) and a minimum: numbers and dates must show whole, so their minimum is their
    /// widest value (a long header wraps instead); a text column may shrink to its header word
    /// or 40 pt, its cells then wrap and end with an ellipsis. Spare width goes to text columns;
    /// when the natural widths do not fit, numbers get their natural width first, then text
    /// columns share what is left, narrow ones whole (water-filling). Only when even the
    /// minimums overflow is every column scaled down.
    fn column_widths(&self, t: &Table) -> Vec<f32> {
        let pad = 2.0 * CELL_PAD + 0.5;
        let n = t.columns.len();
        let mut natural = Vec::with_capacity(n);
        let mut minimum = Vec::with_capacity(n);
        let mut texty = Vec::with_capacity(n);
        for (i, c) in t.columns.iter().enumerate() {
            let head_word =
                c.label.split(' ').map(|w| self.width(w, true, self.table_fs * 0.975)).fold(0.0f32, f32::max);
            let cells = t
                .rows
                .iter()
                .map(|r| (r, false))
                .chain(t.totals.iter().map(|r| (r, true)))
                .filter_map(|(r, totals)| r.get(i).map(|c| (c, totals)))
                .map(|(cell, totals)| self.width(&cell.value.text, totals || cell.highlight, self.table_fs))
                .fold(0.0f32, f32::max);
            let min_fill = if c.fill { 60.0 } else { 0.0 };
            let is_text = !is_numeric(c.format) && c.format != ValueFormat::Date;
            let nat = head_word.max(cells).max(min_fill).min(WIDTH * 0.6) + pad;
            // A text column keeps room for its longest word (up to 90 pt), so names wrap
            // between words rather than inside them.
            let longest_word = if is_text {
                t.rows
                    .iter()
                    .filter_map(|r| r.get(i))
                    .flat_map(|cell| cell.value.text.split_whitespace())
                    .map(|w| self.width(w, false, self.table_fs))
                    .fold(0.0f32, f32::max)
                    .min(90.0)
            } else {
                0.0
            };
            let min = if is_text {
                head_word.max(40.0f32.min(cells)).max(longest_word).max(min_fill).min(nat - pad) + pad
            } else {
                cells.max(min_fill).clamp(12.0, WIDTH * 0.6) + pad
            };
            natural.push(nat);
            minimum.push(min.min(nat));
            texty.push(is_text);
        }
        let total: f32 = natural.iter().sum();
        let text_total: f32 = natural.iter().zip(&texty).filter(|(_, t)| **t).map(|(w, _)| w).sum();
        if total <= WIDTH {
            let spare = WIDTH - total;
            return natural
                .iter()
                .zip(&texty)
                .map(|(w, t)| {
                    if text_total > 0.0 {
                        w + if *t { spare * w / text_total } else { 0.0 }
                    } else {
                        w + spare * w / total
                    }
                })
                .collect();
        }
        let min_total: f32 = minimum.iter().sum();
        if min_total > WIDTH {
            return minimum.iter().map(|w| w * WIDTH / min_total).collect();
        }
        // Numbers first: from their minimum up to their natural width, as room allows.
        let mut widths = minimum.clone();
        let mut room = WIDTH - min_total;
        let num_gap: f32 = (0..n).filter(|&i| !texty[i]).map(|i| natural[i] - minimum[i]).sum();
        if num_gap > 0.0 {
            let k = (room / num_gap).min(1.0);
            for i in (0..n).filter(|&i| !texty[i]) {
                let add = (natural[i] - minimum[i]) * k;
                widths[i] += add;
                room -= add;
            }
        }
        // Then text columns, water-filling: narrow ones reach their natural width whole.
        let mut order: Vec<usize> = (0..n).filter(|&i| texty[i]).collect();
        order.sort_by(|&a, &b| (natural[a] - minimum[a]).total_cmp(&(natural[b] - minimum[b])));
        let mut left = order.len();
        for &i in &order {
            let want = natural[i] - minimum[i];
            let share = room / left as f32;
            let add = want.min(share);
            widths[i] += add;
            room -= add;
            left -= 1;
        }
        if room > 0.01 {
            // Everything is natural and room is left (cannot happen when total > WIDTH, kept
            // for safety): give it to the text columns.
            let tw: f32 = (0..n).filter(|&i| texty[i]).map(|i| widths[i]).sum();
            for i in (0..n).filter(|&i| texty[i]) {
                widths[i] += room * widths[i] / tw.max(1.0);
            }
        }
        widths
    }

    /// Sum of the columns' natural widths at the current table font size.
    fn natural_total(&self, t: &Table) -> f32 {
        let pad = 2.0 * CELL_PAD + 0.5;
        (0..t.columns.len())
            .map(|i| {
                let c = &t.columns[i];
                let head = c
                    .label
                    .split(' ')
                    .map(|w| self.width(w, true, self.table_fs * 0.975))
                    .fold(0.0f32, f32::max);
                let cells = t
                    .rows
                    .iter()
                    .chain(t.totals.iter())
                    .filter_map(|r| r.get(i))
                    .map(|cell| self.width(&cell.value.text, cell.highlight, self.table_fs))
                    .fold(0.0f32, f32::max);
                head.max(cells).max(if c.fill { 60.0 } else { 0.0 }).min(WIDTH * 0.6) + pad
            })
            .sum()
    }

    #[cfg(test)]
    fn column_widths_for_test(&self, t: &Table) -> Vec<f32> {
        self.column_widths(t)
    }

    fn table(&mut self, t: &Table) {
        if t.columns.is_empty() {
            return;
        }
        // A table wider than the page at the normal size is set smaller (down to 6.5 pt)
        // before any column has to be cut.
        self.table_fs = TABLE_FS;
        let natural = self.natural_total(t);
        if natural > WIDTH {
            self.table_fs = (TABLE_FS * WIDTH / natural).max(6.5);
        }
        let widths = self.column_widths(t);
        let (hfs, hlh) = (self.table_fs * 0.975, self.table_fs * 1.19);
        let headers: Vec<Vec<String>> = t
            .columns
            .iter()
            .zip(&widths)
            .map(|(c, w)| {
                let inner = w - 2.0 * CELL_PAD;
                let mut lines: Vec<String> = self
                    .wrap(&[(&c.label, true)], hfs, inner)
                    .into_iter()
                    .map(|l| l.segs.into_iter().map(|s| s.0).collect())
                    .collect();
                if lines.len() > 3 {
                    let rest = lines[2..].join(" ");
                    lines.truncate(2);
                    lines.push(self.ellipsize(&rest, true, hfs, inner));
                }
                lines
            })
            .collect();
        let header_h = headers.iter().map(Vec::len).max().unwrap_or(1).max(1) as f32 * hlh + 8.0;
        let head = TableHead { widths: &widths, headers: &headers, table: t, h: header_h, fs: hfs, lh: hlh };
        // The header never sits alone at the foot of a page.
        self.ensure(header_h + ROW_H * t.rows.len().min(3) as f32);
        self.table_header(&head);
        for (r, row) in t.rows.iter().enumerate() {
            let (lines, h) = self.row_lines(&head, row, false);
            if self.y + h > BOTTOM {
                self.new_page();
                self.table_header(&head);
            }
            self.table_row(&head, row, &lines, h, r % 2 == 1, false);
        }
        if let Some(totals) = &t.totals {
            let (lines, h) = self.row_lines(&head, totals, true);
            if self.y + h + 2.0 > BOTTOM {
                self.new_page();
                self.table_header(&head);
            }
            self.table_row(&head, totals, &lines, h, false, true);
        }
        self.y += BLOCK_GAP + 2.0;
    }

    fn table_header(&mut self, head: &TableHead) {
        let top = self.y;
        self.rect(MARGIN_X, top, WIDTH, head.h, Some(NAVY), None);
        let mut x = MARGIN_X;
        for ((c, w), lines) in head.table.columns.iter().zip(head.widths).zip(head.headers) {
            let right = is_numeric(c.format) || c.format == ValueFormat::Date;
            let mut base = top + 4.0 + head.fs;
            for line in lines {
                let lw = self.width(line, true, head.fs);
                let lx = if right { x + w - CELL_PAD - lw } else { x + CELL_PAD };
                self.text(lx, base, head.fs, true, WHITE, line, 0.0);
                base += head.lh;
            }
            x += w;
        }
        self.y = top + head.h;
    }

    /// A row's cell lines: text cells wrap to [`CELL_LINES`] lines (the last cut with an
    /// ellipsis), numbers and dates stay on one line; and the row's height.
    fn row_lines(&self, head: &TableHead, row: &[Cell], totals: bool) -> (Vec<Vec<String>>, f32) {
        let lines: Vec<Vec<String>> = row
            .iter()
            .zip(&head.table.columns)
            .zip(head.widths)
            .map(|((cell, c), w)| {
                let bold = totals || cell.highlight;
                let inner = w - 2.0 * CELL_PAD;
                if right_aligned(c, cell) {
                    vec![self.ellipsize(&cell.value.text, bold, self.table_fs, inner)]
                } else {
                    let mut lines: Vec<String> = self
                        .wrap(&[(&cell.value.text, bold)], self.table_fs, inner)
                        .into_iter()
                        .map(|l| l.segs.into_iter().map(|s| s.0).collect())
                        .collect();
                    if lines.len() > CELL_LINES {
                        let rest = lines[CELL_LINES - 1..].join(" ");
                        lines.truncate(CELL_LINES - 1);
                        lines.push(self.ellipsize(&rest, bold, self.table_fs, inner));
                    }
                    lines
                }
            })
            .collect();
        let n = lines.iter().map(Vec::len).max().unwrap_or(1).max(1);
        (lines, ROW_H + (n - 1) as f32 * self.table_fs * (CELL_LH / TABLE_FS))
    }

    fn table_row(
        &mut self,
        head: &TableHead,
        row: &[Cell],
        lines: &[Vec<String>],
        h: f32,
        zebra: bool,
        totals: bool,
    ) {
        let top = self.y;
        if totals {
            self.rect(MARGIN_X, top, WIDTH, h, Some(TOTALS), None);
            self.hline(MARGIN_X, MARGIN_X + WIDTH, top, NAVY, 0.8);
        } else if zebra {
            self.rect(MARGIN_X, top, WIDTH, h, Some(ZEBRA), None);
        }
        let base = top + ROW_H / 2.0 + self.table_fs * 0.36;
        let mut x = MARGIN_X;
        for (((cell, c), w), cell_lines) in row.iter().zip(&head.table.columns).zip(head.widths).zip(lines) {
            let bold = totals || cell.highlight;
            if cell.highlight {
                self.rect(x, top, *w, h, Some(HIGHLIGHT), None);
            }
            let right = right_aligned(c, cell);
            for (k, text) in cell_lines.iter().enumerate() {
                let tw = self.width(text, bold, self.table_fs);
                let tx = if right { x + w - CELL_PAD - tw } else { x + CELL_PAD };
                self.text(
                    tx,
                    base + k as f32 * self.table_fs * (CELL_LH / TABLE_FS),
                    self.table_fs,
                    bold,
                    INK,
                    text,
                    0.0,
                );
            }
            if c.fill && cell.value.text.is_empty() {
                // A fill-in column shows a line to write on.
                self.push(Item::Line {
                    points: vec![(x + CELL_PAD, top + h - 3.5), (x + w - CELL_PAD, top + h - 3.5)],
                    color: Rgb(170, 178, 189),
                    width: 0.5,
                    dash: true,
                });
            }
            x += w;
        }
        if !totals {
            self.hline(MARGIN_X, MARGIN_X + WIDTH, top + h, RULE, 0.4);
        }
        self.y = top + h;
    }

    fn footers(&mut self, title: &str, pattern: &str) {
        let n = self.pages.len();
        for i in 0..n {
            let label = pattern.replace("{page}", &(i + 1).to_string()).replace("{pages}", &n.to_string());
            let lw = self.width(&label, false, 7.5);
            let title = self.ellipsize(title, false, 7.5, WIDTH - lw - 24.0);
            let y = PAGE_H - 30.0;
            let items = [
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

struct TableHead<'a> {
    widths: &'a [f32],
    headers: &'a [Vec<String>],
    table: &'a Table,
    h: f32,
    fs: f32,
    lh: f32,
}

fn push_seg(segs: &mut Vec<(String, bool)>, s: &str, bold: bool) {
    match segs.last_mut() {
        Some((t, b)) if *b == bold => t.push_str(s),
        _ => segs.push((s.to_string(), bold)),
    }
}

fn trim_line(line: &mut Line) {
    while let Some((t, _)) = line.segs.last_mut() {
        let trimmed = t.trim_end_matches(' ').len();
        t.truncate(trimmed);
        if t.is_empty() {
            line.segs.pop();
        } else {
            break;
        }
    }
}

/// Numbers and dates align right (by their column's format, or the cell's own).
fn right_aligned(c: &Column, cell: &Cell) -> bool {
    is_numeric(c.format) || c.format == ValueFormat::Date || is_numeric(cell.value.format)
}

fn is_numeric(f: ValueFormat) -> bool {
    matches!(f, ValueFormat::Money | ValueFormat::Percent | ValueFormat::Int | ValueFormat::Number)
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::document::{Column, Section, Value};

    pub(super) fn lay() -> Layout {
        let (regular, bold) = ttf::faces();
        Layout { table_fs: TABLE_FS, pages: vec![Page::default()], y: TOP, regular, bold, comma: true }
    }

    fn text_cell(s: &str) -> Cell {
        Cell {
            value: Value { text: s.into(), format: ValueFormat::Text, number: None, date: None },
            highlight: false,
        }
    }

    fn money_cell(x: f64) -> Cell {
        Cell {
            value: Value {
                text: format!("{x:.2} €"),
                format: ValueFormat::Money,
                number: Some(x),
                date: None,
            },
            highlight: false,
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
        Section { title: "S".into(), sheet: "S".into(), page_break, blocks }
    }

    fn long_table(rows: usize) -> Table {
        Table {
            name: "cuentas".into(),
            columns: vec![
                Column { label: "Cliente".into(), format: ValueFormat::Text, choices: vec![], fill: false },
                Column { label: "Ventas".into(), format: ValueFormat::Money, choices: vec![], fill: false },
            ],
            rows: (0..rows)
                .map(|i| vec![text_cell(&format!("Cliente {i:03}")), money_cell(1000.0 + i as f64)])
                .collect(),
            totals: Some(vec![text_cell("Total"), money_cell(1.0)]),
        }
    }

    fn line_text(l: &Line) -> String {
        l.segs.iter().map(|s| s.0.as_str()).collect()
    }

    /// Every text run's right edge, to check nothing leaves the content area.
    fn right_edges(pages: &[Page]) -> Vec<(f32, String)> {
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
    fn wrap_fills_lines_and_keeps_every_word() {
        let l = lay();
        let text =
            "Este plan reúne las cuentas clave de la cartera, por qué lo son, los riesgos y los objetivos.";
        for max in [60.0, 120.0, 300.0, 1000.0] {
            let lines = l.wrap(&[(text, false)], BODY, max);
            for line in &lines {
                assert!(line.width <= max + 0.01, "{max}: {line:?}");
                assert!((line.width - l.width(&line_text(line), false, BODY)).abs() < 0.01);
                assert!(!line_text(line).starts_with(' ') && !line_text(line).ends_with(' '));
            }
            let joined: Vec<String> = lines.iter().map(line_text).collect();
            assert_eq!(joined.join(" "), text, "{max}");
        }
        assert_eq!(l.wrap(&[(text, false)], BODY, 1000.0).len(), 1);
    }

    #[test]
    fn wrap_keeps_bold_runs_and_breaks_overlong_words() {
        let l = lay();
        let lines = l.wrap(&[("Ventas de ", false), ("Ferretería Núñez", true), (".", false)], BODY, 500.0);
        assert_eq!(
            lines[0].segs,
            vec![
                ("Ventas de ".to_string(), false),
                ("Ferretería Núñez".to_string(), true),
                (".".to_string(), false)
            ]
        );
        let word = "Supercalifragilisticoespialidoso".repeat(4);
        let lines = l.wrap(&[(&word, false)], BODY, 80.0);
        assert!(lines.len() > 3);
        assert!(lines.iter().all(|x| x.width <= 80.01));
        assert_eq!(lines.iter().map(line_text).collect::<String>(), word);
        // No-break spaces (as in "1.234,50 €") never split.
        let lines =
            l.wrap(&[("aaaa 1.234,50\u{a0}€", false)], BODY, l.width("aaaa 1.234,50", false, BODY) + 1.0);
        assert_eq!(line_text(&lines[1]), "1.234,50\u{a0}€");
    }

    #[test]
    fn ellipsis_cuts_to_width() {
        let l = lay();
        let cases: &[(&str, f32)] =
            &[("Corto", 100.0), ("Comercial Peñalver — División Industrial y Suministros", 80.0), ("x", 1.0)];
        for &(s, max) in cases {
            let out = l.ellipsize(s, false, 8.0, max);
            if l.width(s, false, 8.0) <= max {
                assert_eq!(out, s);
            } else {
                assert!(out.ends_with('…'), "{out}");
                assert!(l.width(&out, false, 8.0) <= max || out == "…", "{out}");
            }
        }
    }

    #[test]
    fn long_table_breaks_pages_and_repeats_its_header() {
        let pages = layout(
            &doc(vec![section(false, vec![Block::Table(long_table(120))])]),
            "Página {page} de {pages}",
            "es",
        );
        assert!(pages.len() >= 3, "{} pages", pages.len());
        let mut seen = Vec::new();
        for (i, p) in pages.iter().enumerate() {
            let texts: Vec<&str> = p.texts().collect();
            assert_eq!(texts.iter().filter(|t| **t == "Cliente").count(), 1, "header once on page {}", i + 1);
            assert_eq!(texts.iter().filter(|t| **t == "Ventas").count(), 1);
            assert!(texts.contains(&format!("Página {} de {}", i + 1, pages.len()).as_str()));
            seen.extend(texts.iter().filter(|t| t.starts_with("Cliente ")).map(|t| t.to_string()));
            for item in &p.items {
                if let Item::Rect { y, h, .. } = item {
                    assert!(y + h <= BOTTOM + 0.01, "rows stay above the footer");
                }
            }
        }
        let want: Vec<String> = (0..120).map(|i| format!("Cliente {i:03}")).collect();
        assert_eq!(seen, want, "every row once, in order");
        assert!(pages.last().unwrap().texts().any(|t| t == "Total"));
    }

    #[test]
    fn long_cell_text_stays_inside_the_page() {
        let mut t = long_table(5);
        t.rows[0][0] = text_cell(&"Comercial Peñalver — División Industrial ".repeat(10));
        t.columns.extend((0..6).map(|i| Column {
            label: format!("Columna con título largo {i}"),
            format: ValueFormat::Money,
            choices: vec![],
            fill: false,
        }));
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
                        Kpi {
                            label: "Ventas de las cuentas clave en el periodo".into(),
                            value: Value {
                                text: "123.456.789.012,00 €".into(),
                                format: ValueFormat::Money,
                                number: None,
                                date: None
                            }
                        };
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
    fn long_text_cells_wrap_to_three_lines_then_cut() {
        let mut t = long_table(2);
        t.columns.push(Column {
            label: "Motivos".into(),
            format: ValueFormat::Text,
            choices: vec![],
            fill: false,
        });
        t.rows[0].push(text_cell("Clase A"));
        t.rows[1].push(text_cell(&"cuenta clave por crecimiento sostenido y margen alto ".repeat(12)));
        t.totals.as_mut().unwrap().push(text_cell(""));
        let pages = layout(&doc(vec![section(false, vec![Block::Table(t)])]), "", "es");
        let cells: Vec<(f32, String)> = pages[0]
            .items
            .iter()
            .filter_map(|i| match i {
                Item::Text { y, text, .. } if text.starts_with("cuenta") || text.contains("margen") => {
                    Some((*y, text.clone()))
                }
                _ => None,
            })
            .collect();
        assert_eq!(cells.len(), 3, "{cells:?}");
        assert!(cells[2].1.ends_with('…'));
        assert!((cells[1].0 - cells[0].0 - CELL_LH).abs() < 0.01, "lines stacked in one row");
        assert!(pages[0].texts().any(|t| t == "Clase A"));
    }

    #[test]
    fn column_widths_fill_the_width_and_keep_short_columns_whole() {
        let l = lay();
        let mut t = long_table(3);
        let w = l.column_widths(&t);
        assert!((w.iter().sum::<f32>() - WIDTH).abs() < 0.5);
        t.columns.push(Column {
            label: "ABC".into(),
            format: ValueFormat::Text,
            choices: vec![],
            fill: false,
        });
        for r in t.rows.iter_mut().chain(t.totals.iter_mut()) {
            r.push(text_cell("A"));
        }
        t.rows[0][0] = text_cell(&"muy largo ".repeat(50));
        let w = l.column_widths(&t);
        assert!((w.iter().sum::<f32>() - WIDTH).abs() < 0.5, "{w:?}");
        assert!(w[2] >= l.width("ABC", true, 7.8) + 2.0 * CELL_PAD, "short text column not squeezed: {w:?}");
    }

    #[test]
    fn numbers_are_never_cut_when_a_wide_table_must_shrink() {
        let l = lay();
        let money = |v: f64| Cell {
            value: Value {
                text: format!("{v:.2} €"),
                format: ValueFormat::Money,
                number: Some(v),
                date: None,
            },
            highlight: false,
        };
        let mut columns =
            vec![Column { label: "Cuenta".into(), format: ValueFormat::Text, choices: vec![], fill: false }];
        for k in 0..6 {
            columns.push(Column {
                label: format!("Importe acumulado {k}"),
                format: ValueFormat::Money,
                choices: vec![],
                fill: false,
            });
        }
        let mut row = vec![text_cell(&"Distribuidora Hostelera Hermanos Ferrer ".repeat(3))];
        row.extend((0..6).map(|_| money(1_178_117.73)));
        let t = Table { name: "t".into(), columns, rows: vec![row], totals: None };
        let w = l.column_widths_for_test(&t);
        assert!((w.iter().sum::<f32>() - WIDTH).abs() < 0.5, "{w:?}");
        let need = l.width("1178117.73 €", false, TABLE_FS) + 2.0 * CELL_PAD;
        for (i, wi) in w.iter().enumerate().skip(1) {
            assert!(*wi >= need, "money column {i} cut: {wi} < {need} ({w:?})");
        }
        assert!(w[0] >= 40.0, "the name column keeps a readable width: {w:?}");
    }

    #[test]
    fn sections_with_page_break_start_new_pages() {
        let p = |t: &str| Block::Paragraph(vec![Run { text: t.into(), bold: false }]);
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
    fn a_heading_moves_with_the_block_it_introduces() {
        let chart = Block::Chart(Chart {
            kind: ChartKind::Bar,
            title: "c".into(),
            format: ValueFormat::Number,
            series: vec![],
        });
        let field =
            Field { label: "Nombre".into(), kind: FieldKind::Text, choices: vec![], value: String::new() };
        let pages = layout(
            &doc(vec![section(
                false,
                vec![
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
    fn a_note_longer_than_a_page_continues_on_the_next() {
        let text = (0..1000).map(|i| format!("palabra{i}")).collect::<Vec<_>>().join(" ");
        let pages =
            layout(&doc(vec![section(false, vec![Block::Note { kind: NoteKind::Info, text }])]), "", "es");
        assert!(pages.len() >= 2);
        let words: Vec<String> = pages
            .iter()
            .flat_map(|p| p.texts().map(str::to_string).collect::<Vec<_>>())
            .collect::<Vec<_>>()
            .join(" ")
            .split(' ')
            .filter(|w| w.starts_with("palabra"))
            .map(str::to_string)
            .collect();
        assert_eq!(words.len(), 1000, "no line of the note is lost");
    }

    #[test]
    fn sections_are_bookmarked_on_their_first_page() {
        let p = |t: &str| Block::Paragraph(vec![Run { text: t.into(), bold: false }]);
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
    fn characters_the_font_lacks_become_question_marks() {
        let l = lay();
        assert_eq!(l.clean("Núñez € «» — 漢\u{7}\tx\ny\u{a0}z", false), "Núñez € «» — ? x y\u{a0}z");
    }
}
