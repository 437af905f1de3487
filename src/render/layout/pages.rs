//! Pagination: what goes on which page — new pages, a section's break (or not, under a spill),
//! a whole section tried on what is left of a page, and what a heading or a short introduction
//! keeps with it so neither ends a page.

use super::*;

impl Layout {
    pub(super) fn new_page(&mut self) {
        // Sized as the page before (and the footer): a page's list of items was grown a few
        // hundred times, copied each time it doubled.
        let capacity = self.page().items.len() + FOOTER_ITEMS;
        self.pages.push(Page { items: Vec::with_capacity(capacity), bookmarks: Vec::new() });
        self.y = TOP;
        self.spill = true;
    }

    /// A section's page break: a new page, unless this one is still empty.
    pub(super) fn new_page_unless_empty(&mut self) {
        if !self.page().items.is_empty() {
            self.new_page();
            self.spill = false;
        }
    }

    /// Whether the page holds no more than the tail of the section before (a third of a page
    /// at most) that ran on from the page before.
    pub(super) fn holds_a_spill(&self) -> bool {
        self.spill && self.y - TOP < (BOTTOM - TOP) / 3.0
    }

    /// Lays out a section's blocks, each heading kept with the start of what follows it. With
    /// `stop_after` pages, stops as soon as the layout needs more (a trial); returns whether
    /// it stayed within them.
    pub(super) fn blocks(&mut self, blocks: &[&Block], stop_after: Option<usize>) -> bool {
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
    pub(super) fn fits(&self, blocks: &[&Block]) -> bool {
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
    pub(super) fn keep_after(&self, rest: &[&Block]) -> f32 {
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
    pub(super) fn ensure(&mut self, h: f32) -> bool {
        if self.y + h > BOTTOM && self.y > TOP + 0.5 {
            self.new_page();
            return true;
        }
        false
    }

    /// The height of a block's first unbreakable part: what a heading must keep with it.
    pub(super) fn keep_height(&self, block: &Block) -> f32 {
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
}

#[cfg(test)]
mod tests {
    use super::super::tests::{doc, section};
    use super::*;

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
}
