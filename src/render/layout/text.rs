//! Text measuring and line breaking: kerned widths from the embedded font, characters the
//! font lacks, ellipsis cuts and the greedy word wrap every block uses.

use super::*;

/// A wrapped line: segments of (text, bold) and its width.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Line {
    pub(super) segs: Vec<(String, bool)>,
    pub(super) width: f32,
}

impl Layout {
    pub(super) fn face(&self, bold: bool) -> &'static Face {
        if bold {
            self.bold
        } else {
            self.regular
        }
    }

    pub(super) fn width(&self, s: &str, bold: bool, size: f32) -> f32 {
        self.face(bold).width(s, size)
    }

    /// Width of `s` in em: `size * em` is [`Self::width`] at `size`, to the bit.
    pub(super) fn em(&self, s: &str, bold: bool) -> f32 {
        self.face(bold).width_em(s)
    }

    /// Whether [`Self::clean`] leaves `s` as it is: no control character, every character in
    /// the face.
    pub(super) fn is_clean(&self, s: &str, bold: bool) -> bool {
        let face = self.face(bold);
        s.chars().all(|c| !c.is_control() && face.has(c))
    }

    pub(super) fn clean(&self, s: &str, bold: bool) -> String {
        let face = self.face(bold);
        // Most text needs no change: copied whole rather than rebuilt character by character.
        if self.is_clean(s, bold) {
            return s.to_string();
        }
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

    /// `s` cut to `max` points wide with an ellipsis, or whole when it fits.
    pub(super) fn ellipsize(&self, s: &str, bold: bool, size: f32, max: f32) -> String {
        let face = self.face(bold);
        if face.width(s, size) <= max {
            return s.to_string();
        }
        let ellipsis = face.char_em('…') * size;
        let mut w = 0.0;
        let mut last = None;
        let mut out = String::new();
        for ch in s.chars() {
            let cw = face.char_em(ch) * size + last.map_or(0.0, |p| face.kern_em(p, ch) * size);
            if w + cw + face.kern_em(ch, '…') * size + ellipsis > max {
                break;
            }
            w += cw;
            last = Some(ch);
            out.push(ch);
        }
        // Trimming a space changes the pair before the ellipsis: check the kerned whole.
        loop {
            out.truncate(out.trim_end().len());
            let cut = format!("{out}…");
            if out.is_empty() || face.width(&cut, size) <= max {
                return cut;
            }
            out.pop();
        }
    }

    /// Greedy word wrap of bold/regular runs into lines at most `max` wide; a word longer than
    /// a line is broken between characters. Spaces at line ends are dropped. Widths are kerned
    /// as the line is drawn: pairs inside a run of one face, none across faces.
    pub(super) fn wrap(&self, runs: &[(&str, bool)], size: f32, max: f32) -> Vec<Line> {
        let mut lines = Vec::new();
        let mut cur = Line { segs: Vec::new(), width: 0.0 };
        // Width of pending trailing spaces on the current line.
        let mut pending_space = 0.0;
        // The line's last character and its face, for the kerning of what comes next.
        let mut last: Option<(char, bool)> = None;
        for &(text, bold) in runs {
            let face = self.face(bold);
            let kern = |last: Option<(char, bool)>, ch: char| match last {
                Some((p, b)) if b == bold => face.kern_em(p, ch) * size,
                _ => 0.0,
            };
            let mut word_at = 0;
            for (i, word) in text.split(' ').enumerate() {
                // What is left of the run from this word on: room for a segment it starts.
                let left = text.len() - word_at + 1;
                word_at += word.len() + 1;
                if i > 0 && !cur.segs.is_empty() {
                    pending_space += kern(last, ' ') + face.char_em(' ') * size;
                    last = Some((' ', bold));
                    push_seg(&mut cur.segs, " ", bold, left);
                }
                let Some(first) = word.chars().next() else { continue };
                let ww = face.width(word, size);
                if !cur.segs.is_empty() && cur.width + pending_space + kern(last, first) + ww > max + 0.01 {
                    trim_line(&mut cur);
                    lines.push(std::mem::replace(&mut cur, Line { segs: Vec::new(), width: 0.0 }));
                    pending_space = 0.0;
                    last = None;
                }
                if ww <= max + 0.01 {
                    cur.width += pending_space + kern(last, first) + ww;
                    pending_space = 0.0;
                    last = word.chars().next_back().map(|c| (c, bold));
                    push_seg(&mut cur.segs, word, bold, left);
                    continue;
                }
                // A word wider than the line: break it between characters.
                for ch in word.chars() {
                    let mut cw = pending_space + kern(last, ch) + face.char_em(ch) * size;
                    if cur.width + cw > max + 0.01 && !cur.segs.is_empty() {
                        trim_line(&mut cur);
                        lines.push(std::mem::replace(&mut cur, Line { segs: Vec::new(), width: 0.0 }));
                        cw = face.char_em(ch) * size;
                    }
                    pending_space = 0.0;
                    cur.width += cw;
                    last = Some((ch, bold));
                    let mut b = [0u8; 4];
                    push_seg(&mut cur.segs, ch.encode_utf8(&mut b), bold, left);
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
    pub(super) fn draw_line(&mut self, line: &Line, x: f32, y: f32, size: f32, color: Rgb) {
        let mut x = x;
        for (i, (text, bold)) in line.segs.iter().enumerate() {
            self.text(x, y, size, *bold, color, text, 0.0);
            // The next segment starts after this one (the last one's width is not needed).
            if i + 1 < line.segs.len() {
                x += self.width(text, *bold, size);
            }
        }
    }

    /// `text` wrapped to at most `max_lines` lines, the last one cut with an ellipsis.
    pub(super) fn label_lines(&self, text: &str, size: f32, width: f32, max_lines: usize) -> Vec<String> {
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
}

/// Whether `text`, `width` wide as drawn (kerned), is one line that [`Layout::wrap`] at `max`
/// would give back whole: it has no spaces to drop at either end and fits with a margin far
/// above the rounding between measuring it whole and word by word. Lets a table take most
/// cells as they are, without wrapping them.
pub(super) fn fits_one_line(text: &str, width: f32, max: f32) -> bool {
    !text.is_empty()
        && !text.starts_with(' ')
        && !text.ends_with(' ')
        && width <= max + 0.01 - ONE_LINE_MARGIN
}

/// Points below `wrap`'s own tolerance that [`fits_one_line`] keeps: f32 sums of a line's
/// words differ from its whole width by far less.
const ONE_LINE_MARGIN: f32 = 0.01;

/// Appends `s` to the line's last segment when it has the same face, else starts one with
/// room for `room` bytes (what is left of the run, up to a line's worth: a segment grows word
/// by word, and growing it from each word's size reallocated it several times a line).
fn push_seg(segs: &mut Vec<(String, bool)>, s: &str, bold: bool, room: usize) {
    match segs.last_mut() {
        Some((t, b)) if *b == bold => t.push_str(s),
        _ => {
            let mut t = String::with_capacity(room.clamp(s.len(), SEG_ROOM.max(s.len())));
            t.push_str(s);
            segs.push((t, bold));
        }
    }
}

/// Most bytes a segment is given room for when it starts: more than a line of body text.
const SEG_ROOM: usize = 160;

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

#[cfg(test)]
mod tests {
    use super::super::tests::lay;
    use super::*;

    fn line_text(l: &Line) -> String {
        l.segs.iter().map(|s| s.0.as_str()).collect()
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
    fn line_breaks_use_kerned_widths() {
        let l = lay();
        let text = "VAT AVATAR WAVE Tú";
        let kerned = l.width(text, false, BODY);
        let unkerned: f32 = text.chars().map(|c| l.regular.char_em(c) * BODY).sum();
        assert!(kerned < unkerned - 1.0, "{kerned} vs {unkerned}");
        // Wide enough for the kerned line, too narrow for the same letters unkerned: one line.
        let lines = l.wrap(&[(text, false)], BODY, kerned + 0.001);
        assert_eq!(lines.len(), 1);
        assert!((lines[0].width - kerned).abs() < 0.01);
        assert_eq!(l.wrap(&[(text, false)], BODY, kerned - 0.5).len(), 2);
    }

    #[test]
    fn a_text_that_fits_one_line_is_what_wrap_gives() {
        let l = lay();
        let texts = [
            "Hostelería y Restauración Número 01-02 S.L.",
            "VAT  AVATAR WAVE Tú",
            "Llamada de cortesía «vencida» — 31/10/2026",
            "x",
            "Supercalifragilisticoespialidoso",
            " leading",
            "trailing ",
            "",
        ];
        let mut fast = 0;
        for text in texts {
            for bold in [false, true] {
                let width = l.em(text, bold) * TABLE_FS;
                // Widths around the text's own, to a hundredth of a point.
                for step in -300..=300 {
                    let max = width + step as f32 * 0.001;
                    if fits_one_line(text, width, max) {
                        fast += 1;
                        let lines = l.wrap(&[(text, bold)], TABLE_FS, max);
                        assert_eq!(lines.len(), 1, "{text:?} at {max}");
                        assert_eq!(lines[0].segs, vec![(text.to_string(), bold)], "{text:?} at {max}");
                    }
                }
            }
        }
        assert!(fast > 1000, "the fast path was taken {fast} times");
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
    fn characters_the_font_lacks_become_question_marks() {
        let l = lay();
        assert_eq!(l.clean("Núñez € «» — 漢\u{7}\tx\ny\u{a0}z", false), "Núñez € «» — ? x y\u{a0}z");
    }
}
