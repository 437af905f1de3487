//! Measuring text as Excel lays it out: its width in characters of the default font and the
//! lines it wraps to in a column span.
//!
//! Every cell's text is measured (column widths, row heights), so a width is counted over
//! bytes, decoding only the characters that may be wide.

/// Width of a text in Excel characters: wide (CJK) characters count two; the widest of its
/// lines (`\n` or `\r\n` ends a line).
pub fn text_width(s: &str) -> f64 {
    // Counted over bytes, not decoded characters: a character is a byte that does not continue
    // one (0b10xx_xxxx), and only one whose UTF-8 starts at 0xE1 or above (U+1000 and up) can
    // be wide, so only those are decoded.
    // One line (no `\n`): counted in passes the compiler vectorises, characters that may be
    // wide decoded only when a byte says there are some.
    let (newline, maybe_wide) =
        s.bytes().fold((false, false), |(n, w), b| (n | (b == b'\n'), w | (b >= 0xE1)));
    if !newline {
        let chars = s.bytes().filter(|b| b & 0xC0 != 0x80).count();
        let wide =
            if maybe_wide { s.chars().filter(|c| (*c as u32) >= 0x1100 && is_wide(*c)).count() } else { 0 };
        return (chars + wide) as f64;
    }
    let mut widest = 0u32;
    let mut line = 0u32;
    let mut after_cr = false;
    for (i, &b) in s.as_bytes().iter().enumerate() {
        if b == b'\n' {
            // As `str::lines`: a `\r` before the `\n` is part of the line ending.
            widest = widest.max(line - u32::from(after_cr));
            line = 0;
        } else if b & 0xC0 != 0x80 {
            let wide = b >= 0xE1 && s[i..].chars().next().is_some_and(|c| (c as u32) >= 0x1100 && is_wide(c));
            line += if wide { 2 } else { 1 };
        }
        after_cr = b == b'\r';
    }
    f64::from(widest.max(line))
}

fn is_wide(c: char) -> bool {
    matches!(c as u32, 0x1100..=0x115F | 0x2E80..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF
        | 0xFE30..=0xFE4F | 0xFF00..=0xFF60 | 0xFFE0..=0xFFE6 | 0x20000..=0x3FFFD)
}

/// Lines a wrapped text takes in a span `width` characters wide (a little slack for
/// proportional fonts and word breaks).
pub fn wrapped_lines(text: &str, width: f64) -> u32 {
    let width = width.max(1.0);
    text.split('\n').map(|line| ((text_width(line) * 1.1) / width).ceil().max(1.0) as u32).sum::<u32>().max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The measure by characters and lines, as `text_width` was written before its fast path.
    fn by_chars(s: &str) -> f64 {
        s.lines()
            .map(|line| {
                line.chars().map(|c| if (c as u32) >= 0x1100 && is_wide(c) { 2.0 } else { 1.0 }).sum::<f64>()
            })
            .fold(0.0, f64::max)
    }

    #[test]
    fn the_byte_count_measures_as_the_characters_do() {
        let texts = [
            "",
            "a",
            "Hostelería y Restauración Número 00-01 S.L.",
            "1.234,50 €",
            "• Ventas — estables · 5,0 %",
            "línea uno\nlínea dos más larga\n",
            "a\r\nbb\r\n",
            "\r",
            "x\r",
            "\r\n\r\n",
            "ab\rcd\n\re",
            "中文名称 ACME",
            "ｆｕｌｌ",
            "Ünïcödé\u{301}",
            "\n\n\n",
            "tab\there",
        ];
        for t in texts {
            assert_eq!(text_width(t), by_chars(t), "{t:?}");
        }
        assert_eq!(text_width("ñandú"), 5.0);
        assert_eq!(text_width("中文"), 4.0);
        assert_eq!(text_width("ab\r\nc"), 2.0);
    }

    #[test]
    fn wrapped_line_counts() {
        assert_eq!(wrapped_lines("", 90.0), 1);
        assert_eq!(wrapped_lines(&"a".repeat(100), 90.0), 2);
        assert_eq!(wrapped_lines("a\nb", 90.0), 2);
    }
}
