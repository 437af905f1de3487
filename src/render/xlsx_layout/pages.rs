//! Printed pages of a sheet: where each page starts, from the rows the renderer wrote and their
//! heights, so a chart, a table that fits a page or a heading with what it introduces is never
//! cut across pages; and which table's header repeats on the pages it runs over.
//!
//! A sheet prints one page wide: scaled by printable width ÷ sheet width (never enlarged), so a
//! page holds printable height ÷ scale points of rows. Every page start the model finds becomes
//! a manual page break, so a printer follows this pagination instead of its own whenever a page
//! holds at least what the model puts on it — which is why the model fills a page only to
//! [`FILL`] of its height: LibreOffice without Calibri draws text wider and so scales the sheet
//! down further, leaving more room, never less.

use super::widths::{orientation, Orientation, LANDSCAPE_PX, MIN_SCALE, PORTRAIT_PX};

/// Printable height of an A4 page in portrait, in points: 297 mm less the 0.75-inch top and
/// bottom margins (the header and footer sit inside them).
pub const PORTRAIT_PT: f64 = 841.89 - 108.0;
/// Printable height of an A4 page in landscape, in points.
pub const LANDSCAPE_PT: f64 = 595.28 - 108.0;
/// Share of a page's height the model fills: room for a viewer's rounding of row heights.
pub const FILL: f64 = 0.98;
/// Excel's default row height, in points.
pub const DEFAULT_ROW_PT: f64 = 15.0;
/// Excel's limit on manual page breaks in a sheet.
pub const MAX_BREAKS: usize = 1023;

/// How a sheet of a given width prints.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PageSetup {
    pub orientation: Orientation,
    /// The scale a one-page-wide print uses, floored to a whole percent as Excel does.
    pub scale: f64,
    /// Points of rows a page holds at that scale, less the model's margin (`FILL`).
    pub capacity: f64,
}

impl PageSetup {
    /// The setup of a sheet `width_px` pixels wide (its columns, or a wider chart), in the
    /// orientation its width suggests ([`orientation`]).
    pub fn of(width_px: f64) -> PageSetup {
        PageSetup::oriented(width_px, orientation(width_px))
    }

    /// The setup of a sheet `width_px` pixels wide printed in `orientation`.
    pub fn oriented(width_px: f64, orientation: Orientation) -> PageSetup {
        let (width, height) = match orientation {
            Orientation::Portrait => (PORTRAIT_PX, PORTRAIT_PT),
            Orientation::Landscape => (LANDSCAPE_PX, LANDSCAPE_PT),
        };
        let fit = if width_px > 0.0 { (width / width_px).min(1.0) } else { 1.0 };
        let scale = ((fit * 100.0).floor() / 100.0).max(0.1);
        PageSetup { orientation, scale, capacity: height / scale * FILL }
    }
}

/// How a sheet prints: its setup, the rows that start its pages, the header row repeated.
#[derive(Debug, Clone, PartialEq)]
pub struct Printed {
    pub setup: PageSetup,
    pub starts: Vec<u32>,
    pub repeat: Option<u32>,
}

impl Printed {
    /// Pages printed.
    pub fn pages(&self) -> usize {
        self.starts.len() + 1
    }
}

/// How a sheet `width_px` wide with blocks `spans` prints ([`page_starts`],
/// [`repeated_header`]; `main`: its main table's header row): in the orientation that takes
/// fewer pages — portrait only when its text stays at 8 pt or more — and, on a tie, the one
/// its width suggests. A sheet of prose, cards and a chart a little too wide for a portrait
/// page at 85 % prints on fewer portrait pages than landscape ones.
pub fn print_layout(
    spans: &[Span],
    height: &dyn Fn(u32) -> f64,
    width_px: f64,
    main: Option<u32>,
) -> Printed {
    let paginate = |setup: PageSetup| {
        let mut starts = page_starts(spans, height, setup.capacity, None);
        let mut repeat = repeated_header(spans, &starts, main);
        if let Some(header) = repeat {
            // The repeated header takes its height on every later page: paginate again with it.
            let with = page_starts(spans, height, setup.capacity, Some((header, height(header))));
            if repeated_header(spans, &with, main) == Some(header) {
                starts = with;
            } else {
                repeat = None;
            }
        }
        Printed { setup, starts, repeat }
    };
    let preferred = paginate(PageSetup::of(width_px));
    let other = match preferred.setup.orientation {
        Orientation::Portrait => Orientation::Landscape,
        Orientation::Landscape => Orientation::Portrait,
    };
    let other = PageSetup::oriented(width_px, other);
    if other.orientation == Orientation::Portrait && other.scale < MIN_SCALE {
        return preferred;
    }
    let other = paginate(other);
    if other.pages() < preferred.pages() {
        other
    } else {
        preferred
    }
}

/// What a block on a sheet is, for where a page may start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpanKind {
    /// A heading: kept with what follows it.
    Heading,
    /// A paragraph, note or list: a short one introducing a table or chart keeps with it.
    Text,
    /// An Excel table, its header in the span's first row: kept whole when it fits a page,
    /// else its header with the first data rows.
    Table,
    /// A chart over its rows, or KPI cards (a label row over a figure row): never cut.
    Whole,
    /// Fill-in fields and anything else: kept whole when they fit a page.
    Other,
}

/// The rows one block was written on.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Span {
    pub first: u32,
    /// Inclusive.
    pub last: u32,
    pub kind: SpanKind,
    /// The height the block prints, in points, when less than its rows' (a chart drawn over
    /// rows it does not fill): what must fit on the page it starts.
    pub drawn: Option<f64>,
}

/// Data rows a table that runs over pages keeps with its header.
const TABLE_KEEP_ROWS: u32 = 2;
/// Paragraphs or KPI cards between a heading and its block that move with them.
const LEAD_IN_TEXTS: usize = 2;
/// The most a lead-in (a heading, a short introduction) may take to move with its block.
const LEAD_IN_MAX_PT: f64 = 100.0;

/// The rows that start a printed page (0-based; the first page's row 0 not included), for
/// blocks `spans` in row order, `height(row)` in points and pages of `capacity` points. A
/// page after `reserve`'s row holds its height less (a header repeated on it).
///
/// A block that does not fit what is left of the page starts the next one when it fits a
/// page (a table: when its header and first rows do not fit), taking along the headings and
/// short introduction just above it; a block longer than a page runs on, each page
/// starting at the row that does not fit. A chart's or KPI cards' rows are one piece.
pub fn page_starts(
    spans: &[Span],
    height: &dyn Fn(u32) -> f64,
    capacity: f64,
    reserve: Option<(u32, f64)>,
) -> Vec<u32> {
    let rows = |a: u32, b: u32| -> f64 { (a..=b).map(height).sum() };
    let cap = |page_first: u32| match reserve {
        Some((row, h)) if page_first > row => (capacity - h).max(capacity / 2.0),
        _ => capacity,
    };
    let mut starts: Vec<u32> = Vec::new();
    let mut page_first = 0u32;
    let mut used = 0.0;
    let mut prev_last: Option<u32> = None;
    for (i, span) in spans.iter().enumerate() {
        let gap_first = prev_last.map_or(0, |l| l + 1);
        let gap = if span.first > gap_first { rows(gap_first, span.first - 1) } else { 0.0 };
        let whole = rows(span.first, span.last);
        // What must go with the block's start: a table or form that fits a page is kept whole
        // — unless it does not fit one with the heading or introduction above it (or that
        // lead-in starts this page and so cannot move), which would then end a page alone:
        // such a block runs on from under its lead-in.
        let lead = lead_in(spans, i, height);
        let lead_at_top = lead.is_some_and(|j| spans[j].first <= page_first);
        let lead_h = lead.map_or(0.0, |j| rows(spans[j].first, span.first.saturating_sub(1)));
        let whole_page = cap(lead.map_or(span.first, |j| spans[j].first));
        let long = whole > cap(span.first) || lead_at_top || (lead.is_some() && lead_h + whole > whole_page);
        let keep = match span.kind {
            SpanKind::Table if long => rows(span.first, (span.first + TABLE_KEEP_ROWS).min(span.last)),
            SpanKind::Other if long => height(span.first),
            _ => span.drawn.map_or(whole, |d| d.min(whole)),
        };
        // A chart's last row, which it barely enters, must still be on the page itself (a row
        // past the page's end would start a page of its own), within the margin [`FILL`] keeps.
        let rows_fit = span.drawn.is_none() || used + gap + whole <= cap(page_first) / FILL;
        if used > 0.0 && (used + gap + keep > cap(page_first) || !rows_fit) {
            // The page ends here: this block starts the next one, with its lead-in.
            let start = match lead {
                Some(j) if !lead_at_top && lead_h + keep <= cap(spans[j].first) => spans[j].first,
                // A blank row that does not fit would start a page of its own.
                _ if used + gap > cap(page_first) => gap_first,
                _ => span.first,
            };
            starts.push(start);
            page_first = start;
            used = if start < span.first { rows(start, span.first - 1) } else { 0.0 };
        } else {
            used += gap;
        }
        // The block's rows, a page starting at the first that does not fit.
        if span.kind == SpanKind::Whole {
            used += whole;
        } else {
            for r in span.first..=span.last {
                let h = height(r);
                let table_head = span.kind == SpanKind::Table && r <= span.first + 1;
                if used > 0.0 && used + h > cap(page_first) && r > page_first && !table_head {
                    starts.push(r);
                    page_first = r;
                    used = 0.0;
                }
                used += h;
            }
        }
        prev_last = Some(span.last);
    }
    starts.dedup();
    starts.retain(|r| *r > 0);
    starts
}

/// The first of the blocks just above `spans[i]` that go with it to a new page: the headings
/// above it with the short paragraphs or KPI cards between them and the block (at most
/// [`LEAD_IN_TEXTS`]), so a section's last lines never print alone under its heading's page;
/// or — without a heading — the one paragraph introducing a table, chart or form; together at
/// most [`LEAD_IN_MAX_PT`]. A heading itself takes nothing along.
fn lead_in(spans: &[Span], i: usize, height: &dyn Fn(u32) -> f64) -> Option<usize> {
    if spans[i].kind == SpanKind::Heading {
        return None;
    }
    let h = |s: &Span| -> f64 { (s.first..=s.last).map(height).sum() };
    let short_text = |s: &Span| s.kind == SpanKind::Text && s.first == s.last;
    // KPI cards: a whole block drawn in its rows (a chart is drawn over them).
    let cards = |s: &Span| s.kind == SpanKind::Whole && s.drawn.is_none();
    let mut k = i;
    let mut total = 0.0;
    while k > 0
        && i - k < LEAD_IN_TEXTS
        && (short_text(&spans[k - 1]) || cards(&spans[k - 1]))
        && total + h(&spans[k - 1]) <= LEAD_IN_MAX_PT
    {
        total += h(&spans[k - 1]);
        k -= 1;
    }
    let mut j = k;
    while j > 0 && spans[j - 1].kind == SpanKind::Heading && total + h(&spans[j - 1]) <= LEAD_IN_MAX_PT {
        total += h(&spans[j - 1]);
        j -= 1;
    }
    if j < k {
        return Some(j);
    }
    let introduces = matches!(spans[i].kind, SpanKind::Table | SpanKind::Whole | SpanKind::Other);
    if introduces && k < i && short_text(&spans[i - 1]) {
        Some(i - 1)
    } else {
        None
    }
}

/// The page (0 = first) that `row` prints on, given the page starts.
pub fn page_of(starts: &[u32], row: u32) -> usize {
    starts.partition_point(|s| *s <= row)
}

/// The header row to repeat on printed pages, among the tables (`spans` of kind
/// [`SpanKind::Table`], header in their first row): the last table that runs over two pages
/// or more — or `main`, the sheet's main table, when it ends the sheet — provided no page
/// starts after it. Excel repeats one set of rows on every page after it, so a header repeated
/// above another block's page would mislabel it.
pub fn repeated_header(spans: &[Span], starts: &[u32], main: Option<u32>) -> Option<u32> {
    let last_row = spans.last()?.last;
    let table = spans.iter().rev().find(|s| s.kind == SpanKind::Table)?;
    let runs_over = page_of(starts, table.first) < page_of(starts, table.last);
    let ends_sheet = last_row <= table.last + 4;
    let nothing_after = page_of(starts, table.last) == page_of(starts, last_row);
    let wanted = runs_over || (main == Some(table.first) && ends_sheet);
    (wanted && nothing_after).then_some(table.first)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(first: u32, last: u32, kind: SpanKind) -> Span {
        Span { first, last, kind, drawn: None }
    }

    const H: &dyn Fn(u32) -> f64 = &|_| DEFAULT_ROW_PT;

    #[test]
    fn a_chart_that_would_be_cut_starts_the_next_page_with_its_heading() {
        // 40 rows of 15 pt a page. Rows 0–29 text, heading at 31, chart 33–49.
        let spans = [
            span(0, 29, SpanKind::Other),
            span(31, 31, SpanKind::Heading),
            span(33, 49, SpanKind::Whole),
            span(51, 52, SpanKind::Text),
        ];
        let starts = page_starts(&spans, H, 600.0, None);
        assert_eq!(starts, [31], "the heading goes with its chart");
    }

    #[test]
    fn a_sections_last_line_takes_its_heading_and_cards_along() {
        // The line under the KPI cards does not fit the page: it does not print alone on the
        // next one, its heading and cards go with it.
        let spans = [
            span(0, 34, SpanKind::Other),
            span(36, 36, SpanKind::Heading),
            span(38, 39, SpanKind::Whole),
            span(41, 41, SpanKind::Text),
        ];
        assert_eq!(page_starts(&spans, H, 600.0, None), [36]);
        // Without a heading above them, cards stay: only the line moves.
        let spans =
            [span(0, 35, SpanKind::Other), span(37, 38, SpanKind::Whole), span(40, 40, SpanKind::Text)];
        assert_eq!(page_starts(&spans, H, 600.0, None), [40]);
    }

    #[test]
    fn a_short_introduction_moves_with_its_table_and_a_long_table_runs_on() {
        let spans = [
            span(0, 34, SpanKind::Other),
            span(36, 36, SpanKind::Text),
            span(38, 45, SpanKind::Table),
            span(47, 140, SpanKind::Table),
        ];
        let starts = page_starts(&spans, H, 600.0, None);
        // The intro and the table that fits move; the long table starts on that page (its
        // header and rows fit) and runs on, a page every 40 rows.
        assert_eq!(starts[0], 36);
        assert!(starts[1..].iter().all(|s| (47..=140).contains(s)), "{starts:?}");
        for w in starts.windows(2) {
            assert!(w[1] - w[0] <= 40, "{starts:?}");
        }
    }

    #[test]
    fn a_table_keeps_its_header_with_rows_and_a_page_start_never_strands_a_blank_row() {
        // The table's header and first two rows do not fit after 38 rows: it moves whole
        // although it is longer than a page.
        let spans = [span(0, 37, SpanKind::Other), span(39, 120, SpanKind::Table)];
        let starts = page_starts(&spans, H, 600.0, None);
        assert_eq!(starts[0], 39);
        // A block that fits exactly: no break.
        let spans = [span(0, 19, SpanKind::Other), span(21, 39, SpanKind::Whole)];
        assert!(page_starts(&spans, H, 600.0, None).is_empty());
        // The blank row does not fit either: the page starts at the blank row.
        let spans = [span(0, 39, SpanKind::Other), span(41, 45, SpanKind::Table)];
        assert_eq!(page_starts(&spans, H, 600.0, None), [40]);
    }

    #[test]
    fn a_table_that_fits_a_page_only_without_its_heading_runs_on_under_it() {
        // 38 rows fit a page of 40, not with the heading and introduction above them: moved,
        // they would leave the heading alone at the foot of the page. They run on under it.
        let spans = [
            span(0, 2, SpanKind::Other),
            span(4, 4, SpanKind::Heading),
            span(6, 6, SpanKind::Text),
            span(8, 45, SpanKind::Table),
        ];
        assert_eq!(page_starts(&spans, H, 600.0, None), [40]);
        // With room for the heading and the table together on a page, both move.
        let spans =
            [span(0, 30, SpanKind::Other), span(32, 32, SpanKind::Heading), span(34, 70, SpanKind::Table)];
        assert_eq!(page_starts(&spans, H, 600.0, None), [32]);
        // A heading that starts a page cannot move: its table runs on under it.
        let spans = [span(0, 0, SpanKind::Heading), span(2, 40, SpanKind::Table)];
        assert_eq!(page_starts(&spans, H, 600.0, None), [40]);
    }

    #[test]
    fn a_reserved_header_takes_room_on_later_pages() {
        let spans = [span(0, 100, SpanKind::Table)];
        let plain = page_starts(&spans, H, 600.0, None);
        let reserved = page_starts(&spans, H, 600.0, Some((0, 15.0)));
        assert_eq!(plain[..2], [40, 80]);
        assert_eq!(reserved[..2], [40, 79]);
    }

    #[test]
    fn the_header_repeats_only_for_the_last_table_and_only_when_nothing_follows_it() {
        let spans = [span(0, 60, SpanKind::Table), span(62, 140, SpanKind::Table)];
        let starts = page_starts(&spans, H, 600.0, None);
        assert_eq!(repeated_header(&spans, &starts, None), Some(62));
        // A page of prose after it: its header would sit above the prose.
        let mut more = spans.to_vec();
        more.push(span(142, 190, SpanKind::Other));
        let starts = page_starts(&more, H, 600.0, None);
        assert_eq!(repeated_header(&more, &starts, None), None);
        // A short main table ending the sheet repeats (rows the KAM adds run over).
        let short = [span(0, 1, SpanKind::Heading), span(3, 8, SpanKind::Table)];
        assert_eq!(repeated_header(&short, &[], Some(3)), Some(3));
        assert_eq!(repeated_header(&short, &[], None), None);
    }

    #[test]
    fn setup_scales_a_wide_sheet_and_holds_more_rows() {
        let narrow = PageSetup::of(600.0);
        assert_eq!(narrow.orientation, Orientation::Portrait);
        assert_eq!(narrow.scale, 1.0);
        assert!((narrow.capacity - PORTRAIT_PT * FILL).abs() < 1e-9);
        let wide = PageSetup::of(1200.0);
        assert_eq!(wide.orientation, Orientation::Landscape);
        assert_eq!(wide.scale, 0.82, "988 / 1200 floored to a percent");
        assert!(wide.capacity > LANDSCAPE_PT);
    }
}
