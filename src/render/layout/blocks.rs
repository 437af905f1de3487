//! Prose blocks: headings, paragraphs, notes, KPI cards, lists and fill-in form fields.

use super::*;

impl Layout {
    pub(super) fn heading(&mut self, level: u8, text: &str, keep: f32) {
        let (size, color, before, after) = match level {
            1 => (17.0, NAVY, 6.0, 8.0),
            2 => (12.5, NAVY, 6.0, 4.0),
            _ => (10.5, INK, 6.0, 4.0),
        };
        let lh = size * 1.3;
        let lines = self.wrap(&[(text, true)], size, WIDTH);
        let h = lines.len() as f32 * lh;
        // Keep a heading with what follows it (the rule under a title included).
        let rule = if level == 1 { 4.0 } else { 0.0 };
        self.ensure(before + h + rule + after + keep.max(24.0));
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

    pub(super) fn paragraph(&mut self, runs: &[Run]) {
        let links: Vec<(&str, &str)> =
            runs.iter().filter_map(|r| r.link.as_deref().map(|l| (r.text.trim(), l))).collect();
        // A paragraph that is all link reads as one (link colour); in a mixed one the linked
        // words are clickable where they sit.
        let all_link = !links.is_empty() && runs.iter().all(|r| r.link.is_some());
        let color = if all_link { BLUE } else { INK };
        let runs: Vec<(&str, bool)> = runs.iter().map(|r| (r.text.as_str(), r.bold)).collect();
        let lines = self.wrap(&runs, BODY, WIDTH);
        let n = lines.len();
        // A short paragraph stays whole; a longer one never leaves one line alone at the foot
        // of a page or at the top of the next.
        if n <= 3 {
            self.ensure(n as f32 * BODY_LH);
        } else {
            self.ensure(2.0 * BODY_LH);
        }
        for (j, line) in lines.into_iter().enumerate() {
            if n > 3 && j == n - 2 {
                self.ensure(2.0 * BODY_LH);
            }
            self.ensure(BODY_LH);
            let base = self.y + BODY_LH * 0.72;
            self.draw_line(&line, MARGIN_X, base, BODY, color);
            if all_link {
                self.link(MARGIN_X, self.y, line.width, BODY_LH, links[0].1);
            } else {
                for (text, target) in &links {
                    if let Some((x, w)) = self.find_in_line(&line, text, BODY) {
                        self.link(MARGIN_X + x, self.y, w, BODY_LH, target);
                    }
                }
            }
            self.y += BODY_LH;
        }
        self.y += BLOCK_GAP - 2.0;
    }

    /// Where `needle` sits in a wrapped line: its offset from the line's start and its width.
    fn find_in_line(&self, line: &text::Line, needle: &str, size: f32) -> Option<(f32, f32)> {
        if needle.is_empty() {
            return None;
        }
        let joined: String = line.segs.iter().map(|s| s.0.as_str()).collect();
        let at = joined.find(needle)?;
        // Width of the text before byte `upto`, each segment in its own face.
        let width_to = |upto: usize| {
            let (mut w, mut start) = (0.0, 0);
            for (text, bold) in &line.segs {
                let end = start + text.len();
                if upto <= start {
                    break;
                }
                w += self.width(&text[..(upto.min(end) - start)], *bold, size);
                start = end;
            }
            w
        };
        let x = width_to(at);
        Some((x, width_to(at + needle.len()) - x))
    }

    pub(super) fn note(&mut self, kind: NoteKind, text: &str) {
        let (bg, bar) = match kind {
            NoteKind::Info => (Rgb(234, 242, 251), BLUE),
            NoteKind::Warning => (Rgb(253, 237, 222), Rgb(217, 95, 2)),
            NoteKind::Highlight => (Rgb(255, 246, 204), Rgb(212, 160, 0)),
            // The colour of the XLSX cells the KAM fills in.
            NoteKind::Kam => (Rgb(255, 249, 230), Rgb(201, 169, 61)),
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

    pub(super) fn kpis(&mut self, kpis: &[Kpi]) {
        if kpis.is_empty() {
            return;
        }
        // Up to six side by side when every figure reads at 9.5 pt in a card that narrow
        // and every label takes at most three lines; else rows of three or four.
        let (gap, pad) = (6.0, 8.0);
        let narrow = |n: usize| (WIDTH - gap * (n as f32 - 1.0)) / n as f32 - pad - 4.0;
        let fits = |n: usize| {
            kpis.iter().all(|k| {
                self.width(&k.value.text, true, 9.5) <= narrow(n)
                    && self.wrap(&[(&k.label, false)], 7.5, narrow(n)).len() <= 3
            })
        };
        let per_row = match kpis.len() {
            n @ 1..=4 => n,
            n @ (5 | 6) if fits(n) => n,
            5 | 6 | 9 => 3,
            _ => 4,
        };
        // One or two figures make cards of a third, not a full-width slab.
        let w = ((WIDTH - gap * (per_row as f32 - 1.0)) / per_row as f32).min((WIDTH - 2.0 * gap) / 3.0);
        let inner = w - pad - 4.0;
        for row in kpis.chunks(per_row) {
            // Labels wrap to two lines at most (three in a row of five or six, which one row
            // replaces two); the cards of a row share one height.
            let max_lines = if per_row >= 5 { 3 } else { 2 };
            let labels: Vec<Vec<String>> =
                row.iter().map(|k| self.label_lines(&k.label, 7.5, inner, max_lines)).collect();
            let label_lines = labels.iter().map(Vec::len).max().unwrap_or(1).max(1);
            let h = 34.0 + 9.0 * label_lines as f32;
            self.ensure(h);
            let top = self.y;
            // The figures of a row share one size: the largest at which all of them fit.
            let mut size: f32 = 14.0;
            while size > 9.5 && row.iter().any(|k| self.width(&k.value.text, true, size) > inner) {
                size -= 0.5;
            }
            for (i, (k, label)) in row.iter().zip(&labels).enumerate() {
                let x = MARGIN_X + i as f32 * (w + gap);
                self.rect(x, top, w, h, Some(CARD), None);
                self.rect(x, top, 2.5, h, Some(BLUE), None);
                for (j, line) in label.iter().enumerate() {
                    self.text(x + pad, top + 15.0 + 9.0 * j as f32, 7.5, false, MUTED, line, 0.0);
                }
                let value = self.ellipsize(&k.value.text, true, size, inner);
                self.text(x + pad, top + h - 11.0, size, true, NAVY, &value, 0.0);
            }
            self.y = top + h + gap;
        }
        self.y += BLOCK_GAP - gap;
    }

    pub(super) fn list(&mut self, ordered: bool, items: &[String]) {
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

    pub(super) fn fields(&mut self, fields: &[Field]) {
        let gap = 14.0;
        // Three short fields share a row; longer forms go two by two.
        let per_row = if fields.len() <= 3 { fields.len().max(1) } else { 2 };
        let w = (WIDTH - gap * (per_row as f32 - 1.0)) / per_row as f32;
        let h = FIELD_H;
        // A short form stays on one page.
        let total = fields.len().div_ceil(per_row) as f32 * (h + 4.0);
        if total <= 200.0 {
            self.ensure(total);
        }
        for pair in fields.chunks(per_row) {
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
}

#[cfg(test)]
mod tests {
    use super::super::tests::{doc, section};
    use super::*;

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
}
