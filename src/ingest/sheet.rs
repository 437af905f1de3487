//! The row loop: one sheet, row by row, into records, skipped rows and rejects.
//!
//! Rows arrive sparse and in order from either reader (streaming xlsx or a calamine range);
//! rows that never arrive are blank. Every row from 1 to the last non-blank row ends as
//! exactly one of: a record, a skipped row (blank, title, header, total) or a reject.

use std::collections::BTreeMap;

use chrono::{NaiveDate, NaiveDateTime};

// A child of the row loop (it reads rows with the loop's state), kept in its own file.
#[path = "wide/mod.rs"]
pub mod wide;

// The loop's other parts, each an `impl SheetReader` (or a type) of its own: a row's cells,
// its values, its record by role, and the sheet's report.
mod fields;
mod finish;
mod records;
mod rowbuf;

pub use rowbuf::RowBuf;

use super::cells::{a1, col_letters, Val};
use super::choose;
use super::header::{self, Col, Mapping, NCOLS};
use super::keys;
use super::value::{self, Dec, TextNum};
use super::{
    Activity, Dataset, FxMap, KamContact, MasterRecord, Reject, ReturnRecord, Role, SheetReport, Sym, Txn,
};
use crate::config::Config;

/// State shared by all sheets of one ingest.
#[derive(Debug, Default)]
pub struct Ctx {
    pub ds: Dataset,
    /// (customer identity, spelling) → lines, to pick the most frequent spelling.
    pub spellings: FxMap<(Sym, Sym), u32>,
    key_buf: String,
    name_buf: String,
    /// The last raw text and symbol per column: books repeat KAMs, products and customers
    /// line after line, so most lines need no hashing at all.
    last: [LastSym; NCOLS],
    last_customer: (String, String, Option<(Sym, Option<Sym>)>),
    /// Customer-month cells of monthly (wide) sheets, turned into transactions by
    /// [`wide::resolve`] once every file is read.
    pub wide: Vec<wide::WideCell>,
    /// Sheets finished so far in this context: the index of the next sheet's report.
    pub sheets_seen: u32,
}

#[derive(Debug, Default)]
struct LastSym {
    raw: String,
    sym: Option<Sym>,
    set: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Searching,
    /// Header found; the first rows are held until their values say which customer column
    /// is the code and which the name (see `choose.rs`).
    Choosing,
    Data,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Skip {
    Blank = 0,
    Title = 1,
    Header = 2,
    Total = 3,
}

const SKIP_NAMES: [&str; 4] = ["blank", "title", "header", "total"];

/// Where an ambiguous text number (`1.234`) must be written once the sheet's locale is known.
#[derive(Debug, Clone, Copy)]
struct Pending {
    index: usize,
    col: Col,
    comma: f64,
    dot: f64,
}

/// Reads one sheet. Feed it rows with [`SheetReader::row`], then call [`SheetReader::finish`].
pub struct SheetReader<'c> {
    cfg: &'c Config,
    file: String,
    sheet: String,
    hidden: bool,
    phase: Phase,
    /// Non-blank rows seen while looking for the header, in reading order.
    above: Vec<u32>,
    role: Role,
    mapping: Mapping,
    headers: BTreeMap<Col, String>,
    header_norms: BTreeMap<Col, String>,
    lookup: Vec<Option<Col>>,
    header_row: u32,
    unused: Vec<String>,
    /// Notes on header columns that fit a role as well as the one read (duplicates).
    rivals: Vec<String>,
    last_row: Option<u32>,
    /// Rows whose number did not follow the previous one (out of order or repeated in the
    /// file): how many, and the first as (row, after row).
    disorder: (u64, u32, u32),
    /// Row numbers read from the header on (titles above it too), as sorted disjoint
    /// intervals: reading in order only extends the last one. A row that comes late into a gap
    /// already counted blank is that row, not one more; a row read twice is one more.
    seen: Vec<(u32, u32)>,
    rows: u64,
    records: u64,
    skipped: [u64; 4],
    rejects: Vec<Reject>,
    evidence: [[u32; 2]; NCOLS],
    text_numbers: u64,
    pending: Vec<Pending>,
    optional_bad: BTreeMap<Col, (u64, String, String)>,
    /// An unread document-type column ("Tipo", "Clase doc."), to spot credit notes typed positive.
    doc_type: Option<(u32, String)>,
    /// Lines whose document type says return/credit note but whose amount is positive.
    positive_returns: (u64, String, String),
    start: usize,
    /// The header row's text cells, kept while the customer columns are chosen.
    header_texts: Vec<(u32, String)>,
    choice: Option<choose::Candidates>,
    held: Vec<(u32, RowBuf)>,
    notices: Vec<String>,
    /// The rows above the header, for a monthly sheet's titles and headings.
    titles: wide::Titles,
    /// A monthly (wide) sheet's columns and findings.
    wide: Option<Box<wide::WideSheet>>,
    /// Why a monthly header could not be read, and whether sales may be left out.
    wide_problem: Option<(String, bool)>,
}

/// Words that mark a total or subtotal row.
const TOTAL_WORDS: &[&str] =
    &["total", "totales", "subtotal", "subtotales", "suma", "sumas", "sum", "tot", "acumulado"];

impl<'c> SheetReader<'c> {
    /// A reader for `sheet` of `file`.
    pub fn new(cfg: &'c Config, file: &str, sheet: &str, hidden: bool) -> Self {
        SheetReader {
            cfg,
            file: file.to_string(),
            sheet: sheet.to_string(),
            hidden,
            phase: Phase::Searching,
            above: Vec::new(),
            role: Role::Skipped,
            mapping: Mapping::default(),
            headers: BTreeMap::new(),
            header_norms: BTreeMap::new(),
            lookup: Vec::new(),
            header_row: 0,
            unused: Vec::new(),
            rivals: Vec::new(),
            last_row: None,
            disorder: (0, 0, 0),
            seen: Vec::new(),
            rows: 0,
            records: 0,
            skipped: [0; 4],
            rejects: Vec::new(),
            evidence: [[0; 2]; NCOLS],
            text_numbers: 0,
            pending: Vec::new(),
            optional_bad: BTreeMap::new(),
            doc_type: None,
            positive_returns: (0, String::new(), String::new()),
            start: 0,
            header_texts: Vec::new(),
            choice: None,
            held: Vec::new(),
            notices: Vec::new(),
            titles: wide::Titles::default(),
            wide: None,
            wide_problem: None,
        }
    }

    /// Takes the 0-based row `r`. Returns false when the rest of the sheet need not be read
    /// (no header in the first `header_rows` rows).
    pub fn row(&mut self, r: u32, buf: &RowBuf, ctx: &mut Ctx) -> bool {
        match self.phase {
            Phase::Searching => {
                if r >= self.cfg.ingest.header_rows {
                    return false;
                }
                let texts: Vec<(u32, String)> = buf
                    .iter()
                    .filter_map(|(c, v)| match v {
                        Val::Text(s) if !s.trim().is_empty() => Some((c, s.trim().to_string())),
                        _ => None,
                    })
                    .collect();
                // A text file has no sheet name: its file name may say the year (`ventas_2026.csv`).
                let name = match self.sheet.as_str() {
                    "" => {
                        ("file name", self.file.rsplit_once('.').map_or(self.file.as_str(), |(stem, _)| stem))
                    }
                    sheet => ("sheet name", sheet),
                };
                match wide::detect(r, buf, &texts, &self.titles, name, self.cfg) {
                    wide::Detect::Wide(mut w, role, mapping, header_texts) => {
                        w.start(ctx.sheets_seen);
                        self.wide = Some(w);
                        self.start_data(r, role, mapping, &header_texts, ctx);
                        return true;
                    }
                    wide::Detect::Refused { message, warn } => {
                        self.wide_problem = Some((message, warn));
                        return false;
                    }
                    wide::Detect::Not => {}
                }
                // A text file has no sheet name; its file name says what it holds.
                let name = if self.sheet.is_empty() { &self.file } else { &self.sheet };
                let found = header::detect_returns(&texts, &self.cfg.columns, name)
                    .or_else(|| header::detect(&texts, &self.cfg.columns));
                if let Some((role, mapping)) = found {
                    self.start_data(r, role, mapping, &texts, ctx);
                } else if buf.iter().any(|(_, v)| !v.is_blank()) {
                    self.above.push(r);
                    self.titles.push(r, buf);
                }
                true
            }
            Phase::Choosing => {
                self.held.push((r, buf.clone()));
                if self.held.len() >= choose::SAMPLE_ROWS {
                    self.settle(ctx);
                }
                true
            }
            Phase::Data => {
                self.data(r, buf, ctx);
                true
            }
        }
    }

    fn data(&mut self, r: u32, buf: &RowBuf, ctx: &mut Ctx) {
        // Rows are counted as read, never as differences of row numbers: a row that
        // comes out of order (or twice) in the file is one more row read.
        let last = self.last_row.unwrap_or(self.header_row);
        if r > last {
            let gap = (r - last - 1) as u64;
            self.rows += gap + 1;
            self.skipped[Skip::Blank as usize] += gap;
            self.last_row = Some(r);
            match self.seen.last_mut() {
                Some(iv) if iv.1 + 1 == r => iv.1 = r,
                _ => self.seen.push((r, r)),
            }
        } else {
            if self.disorder.0 == 0 {
                self.disorder.1 = r;
                self.disorder.2 = last;
            }
            self.disorder.0 += 1;
            // Inside an interval: read before, so one more row. In a gap: it was
            // counted blank and is this row instead.
            let i = self.seen.partition_point(|iv| iv.1 < r);
            if self.seen.get(i).is_some_and(|iv| iv.0 <= r) {
                self.rows += 1;
            } else {
                let blank = &mut self.skipped[Skip::Blank as usize];
                *blank = blank.saturating_sub(1);
                self.seen.insert(i, (r, r));
            }
        }
        self.data_row(r, buf, ctx);
    }

    /// Chooses the customer columns from the held rows, then reads them.
    fn settle(&mut self, ctx: &mut Ctx) {
        let held = std::mem::take(&mut self.held);
        if let Some(c) = self.choice.take() {
            let values = |col: u32| {
                held.iter()
                    .map(|(_, b)| b.iter().find(|(x, _)| *x == col).map(|(_, v)| v).unwrap_or(Val::Empty))
                    .collect::<Vec<_>>()
            };
            if let Some((m, why)) = choose::choose(c, &self.mapping, &self.header_texts, values) {
                let texts = std::mem::take(&mut self.header_texts);
                self.apply_mapping(m, &texts);
                self.notices.push(why);
            }
        }
        self.header_texts = Vec::new();
        self.phase = Phase::Data;
        for (r, buf) in &held {
            self.data(*r, buf, ctx);
        }
    }

    fn start_data(&mut self, r: u32, role: Role, mapping: Mapping, texts: &[(u32, String)], ctx: &mut Ctx) {
        self.phase = Phase::Data;
        self.role = role;
        self.header_row = r;
        self.choice = choose::candidates(texts, &mapping, role, &self.cfg.columns);
        if self.choice.is_some() {
            self.phase = Phase::Choosing;
            self.header_texts = texts.to_vec();
        }
        self.apply_mapping(mapping, texts);
        // Rows above the header: titles (non-blank) and blank rows, then the header itself.
        // Rows read before the header that are not above it (out of order, or the same row
        // twice) are rows read too, counted with the titles.
        let mut seen = std::collections::BTreeSet::new();
        let mut stray = 0u64;
        let mut prev = 0;
        for &a in &self.above {
            if a >= r || !seen.insert(a) {
                if stray == 0 {
                    self.disorder = (0, a, prev);
                }
                stray += 1;
            }
            prev = a;
        }
        self.disorder.0 = stray;
        let titles = seen.len() as u64;
        self.seen = seen.iter().map(|&a| (a, a)).chain(std::iter::once((r, r))).collect();
        self.rows = r as u64 + 1 + stray;
        self.skipped[Skip::Title as usize] += titles + stray;
        self.skipped[Skip::Blank as usize] += r as u64 - titles;
        self.skipped[Skip::Header as usize] += 1;
        self.last_row = Some(r);
        self.start = match role {
            Role::Master => ctx.ds.master.len(),
            Role::Returns => ctx.ds.returns.len(),
            Role::MonthlySales | Role::MonthlyMargin => ctx.wide.len(),
            _ => ctx.ds.transactions.len(),
        };
    }

    /// Takes `mapping` as the sheet's columns: headers, lookup, unused and document-type columns.
    fn apply_mapping(&mut self, mapping: Mapping, texts: &[(u32, String)]) {
        let role = self.role;
        self.headers.clear();
        self.header_norms.clear();
        self.lookup.clear();
        for (&c, &col) in &mapping.cols {
            let text = texts.iter().find(|(x, _)| *x == col).map(|(_, t)| t.clone()).unwrap_or_default();
            self.header_norms.insert(c, header::normalize(&text));
            self.headers.insert(c, text);
            if self.lookup.len() <= col as usize {
                self.lookup.resize(col as usize + 1, None);
            }
            self.lookup[col as usize] = Some(c);
        }
        if role == Role::Sales {
            self.doc_type = texts
                .iter()
                .filter(|(c, _)| !mapping.cols.values().any(|x| x == c))
                .find(|(_, t)| {
                    header::normalize(t)
                        .split(' ')
                        .any(|w| matches!(w, "tipo" | "type" | "clase" | "documento" | "doc" | "serie"))
                })
                .cloned();
        }
        let header_of =
            |col: u32| texts.iter().find(|(x, _)| *x == col).map(|(_, t)| t.as_str()).unwrap_or("");
        self.rivals = header::rivals(texts, role, &self.cfg.columns, &mapping)
            .into_iter()
            .map(|rv| {
                let (u, o) = (col_letters(rv.used), col_letters(rv.other));
                let (hu, ho) = (header_of(rv.used), header_of(rv.other));
                let fix = if header::normalize(hu) == header::normalize(ho) {
                    "to read the other, rename one of them in the book".to_string()
                } else {
                    format!("to read the other, name it in [columns] {}", rv.col.key())
                };
                format!(
                    "two columns fit {}: {u} ({hu}) is read, {o} ({ho}) is not — {}; {fix}",
                    rv.col.key(),
                    rv.why
                )
            })
            .collect();
        self.unused = texts
            .iter()
            .filter(|(c, _)| !mapping.cols.values().any(|x| x == c))
            .filter(|(c, _)| !self.wide.as_ref().is_some_and(|w| w.uses(*c)))
            .map(|(c, t)| format!("{} ({t})", col_letters(*c)))
            .collect();
        self.mapping = mapping;
    }

    fn cell_name(&self, r: u32, col: Col) -> (String, String) {
        let c = self.mapping.get(col).unwrap_or(0);
        (
            a1(r, c),
            format!("{} ({})", col_letters(c), self.headers.get(&col).map(String::as_str).unwrap_or("")),
        )
    }

    fn reject(&mut self, r: u32, col: Col, v: &Val<'_>, reason: String) {
        let (_, column) = self.cell_name(r, col);
        self.rejects.push(Reject {
            file: self.file.clone(),
            sheet: self.sheet.clone(),
            row: r + 1,
            column,
            value: v.raw(),
            reason,
        });
    }

    fn skip(&mut self, why: Skip) {
        self.skipped[why as usize] += 1;
    }

    fn optional_bad(&mut self, r: u32, col: Col, v: &Val<'_>) {
        let (cell, _) = self.cell_name(r, col);
        let raw = v.raw();
        let e = self.optional_bad.entry(col).or_insert((0, cell, raw));
        e.0 += 1;
    }

    /// Why a row without a usable date is not a data row, if it is not.
    fn non_data(&self, buf: &RowBuf, f: &[Val<'_>; NCOLS], nonblank: usize) -> Option<Skip> {
        let mut same = 0;
        for (c, norm) in &self.header_norms {
            if let Val::Text(s) = &f[*c as usize] {
                if !norm.is_empty() && header::normalize(s) == *norm {
                    same += 1;
                }
            }
        }
        if same >= 2.min(self.header_norms.len()) && same > 0 {
            return Some(Skip::Header);
        }
        let total = buf.iter().any(|(_, v)| match v {
            Val::Text(s) => header::normalize(s).split(' ').any(|w| TOTAL_WORDS.contains(&w)),
            _ => false,
        });
        if total {
            return Some(Skip::Total);
        }
        // A title ("Febrero 2026", "Clientes zona norte") is one or two cells and no amount; in
        // sheets without amounts it must also stay out of the columns read.
        let title = match self.role {
            Role::Sales => f[Col::Amount as usize].is_blank(),
            _ => f.iter().all(|v| v.is_blank()),
        };
        if title && nonblank <= 2 {
            return Some(Skip::Title);
        }
        None
    }

    fn data_row(&mut self, r: u32, buf: &RowBuf, ctx: &mut Ctx) {
        let mut f: [Val<'_>; NCOLS] = std::array::from_fn(|_| Val::Empty);
        let mut nonblank = 0;
        for (c, v) in buf.iter() {
            if !v.is_blank() {
                nonblank += 1;
            }
            if let Some(Some(col)) = self.lookup.get(c as usize) {
                f[*col as usize] = v;
            }
        }
        if nonblank == 0 {
            return self.skip(Skip::Blank);
        }
        // A cell the file itself gets wrong, in a column that is read, rejects its row: reading
        // around it could give the line to another customer.
        let bad = self.mapping.cols.keys().copied().find(|c| matches!(f[*c as usize], Val::Bad { .. }));
        if let Some(c) = bad {
            if let Val::Bad { why, .. } = f[c as usize] {
                return self.reject(r, c, &f[c as usize], why.into());
            }
        }
        match self.role {
            Role::Sales => self.sales_row(r, buf, &f, nonblank, ctx),
            Role::Activity => self.activity_row(r, buf, &f, nonblank, ctx),
            Role::Master => self.master_row(r, buf, &f, nonblank, ctx),
            Role::Directory | Role::Territory => self.directory_row(r, buf, &f, nonblank, ctx),
            Role::Returns => self.returns_row(r, buf, &f, nonblank, ctx),
            Role::MonthlySales | Role::MonthlyMargin => self.wide_row(r, buf, &f, nonblank, ctx),
            Role::Skipped => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn feed(rows: &[(u32, Vec<Val<'static>>)]) -> (SheetReport, Ctx) {
        let cfg = Config::default();
        let mut ctx = Ctx::default();
        let mut sr = SheetReader::new(&cfg, "b.xlsx", "S", false);
        let mut buf = RowBuf::default();
        for (r, cells) in rows {
            buf.clear();
            for (c, v) in cells.iter().enumerate() {
                buf.push(c as u32, v.clone());
            }
            if !buf.is_empty() {
                sr.row(*r, &buf, &mut ctx);
            }
        }
        (sr.finish(&mut ctx), ctx)
    }

    #[test]
    fn every_row_is_counted_once() {
        use Val::*;
        let d = |s: &'static str| Text(s);
        let (rep, ctx) = feed(&[
            (0, vec![d("Ventas 2026")]),
            (2, vec![d("Fecha"), d("Cliente"), d("Importe")]),
            (3, vec![d("01/02/2026"), d("Acme"), d("1.234,50")]),
            (4, vec![d("02/02/2026"), d("ACME "), d("1.234")]),
            (6, vec![d("03/02/2026"), d("Beta"), d("pendiente")]),
            (7, vec![Empty, d("Total"), Num(2469.0)]),
            (8, vec![d("Fecha"), d("Cliente"), d("Importe")]),
            (9, vec![d("31/02/2026"), d("Beta"), Num(5.0)]),
            (10, vec![d("04/02/2026"), d("  "), Num(5.0)]),
            (11, vec![d("05/02/2026"), d("Beta"), Num(-10.0)]),
            (12, vec![d("Marzo")]),
        ]);
        assert_eq!(rep.role, Role::Sales);
        assert_eq!(rep.header_row, Some(3));
        assert_eq!(rep.rows, 13);
        assert_eq!(rep.transactions, 3);
        assert_eq!(rep.rejected, 3);
        assert_eq!(rep.rows, rep.transactions + rep.skipped + rep.rejected);
        let by: BTreeMap<_, _> = rep.skipped_by_reason.iter().cloned().collect();
        assert_eq!(by["blank"], 2);
        assert_eq!(by["title"], 2);
        assert_eq!(by["header"], 2);
        assert_eq!(by["total"], 1);
        // 1.234 is read as 1234 because the column shows a decimal comma elsewhere.
        assert_eq!(rep.amount_total, 1234.5 + 1234.0 - 10.0);
        assert_eq!(ctx.ds.transactions[0].customer, ctx.ds.transactions[1].customer);
        let cells: Vec<(u32, &str)> = rep.rejects.iter().map(|r| (r.row, r.column.as_str())).collect();
        assert_eq!(cells, vec![(7, "C (Importe)"), (10, "A (Fecha)"), (11, "B (Cliente)")]);
    }
}

#[cfg(test)]
mod props {
    use super::*;
    use proptest::prelude::*;

    fn cell() -> impl Strategy<Value = Val<'static>> {
        prop_oneof![
            Just(Val::Empty),
            Just(Val::Text("  ")),
            Just(Val::Text("Total")),
            Just(Val::Text("Fecha")),
            Just(Val::Text("Cliente")),
            Just(Val::Text("Importe")),
            Just(Val::Text("Acme")),
            Just(Val::Text("pendiente")),
            Just(Val::Text("1.234")),
            Just(Val::Text("1.234,5")),
            Just(Val::Text("31/01/2026")),
            Just(Val::Text("31/02/2026")),
            Just(Val::Error("#N/A")),
            (-1e6f64..1e6).prop_map(Val::Num),
            (40_000u32..50_000).prop_map(|n| Val::Num(n as f64)),
        ]
    }

    proptest! {
        /// Rows read = records + skipped + rejected, whatever the rows hold.
        #[test]
        fn every_row_ends_somewhere(rows in proptest::collection::vec((0u32..4, proptest::collection::vec(cell(), 0..5)), 0..40)) {
            let cfg = Config::default();
            let mut ctx = Ctx::default();
            let mut sr = SheetReader::new(&cfg, "b.xlsx", "S", false);
            let mut buf = RowBuf::default();
            buf.push(0, Val::Text("Fecha"));
            buf.push(1, Val::Text("Cliente"));
            buf.push(2, Val::Text("Importe"));
            sr.row(0, &buf, &mut ctx);
            let mut r: u32 = 0;
            for (gap, cells) in &rows {
                // A gap of 3 steps back: rows out of order or repeated, as a damaged file has them.
                r = if *gap == 3 { r.saturating_sub(2) } else { r + 1 + gap };
                buf.clear();
                for (c, v) in cells.iter().enumerate() {
                    buf.push(c as u32, v.clone());
                }
                if !buf.is_empty() {
                    sr.row(r, &buf, &mut ctx);
                }
            }
            let rep = sr.finish(&mut ctx);
            prop_assert_eq!(rep.rows, rep.transactions + rep.skipped + rep.rejected);
            prop_assert_eq!(rep.transactions as usize, ctx.ds.transactions.len());
            prop_assert!(ctx.ds.transactions.iter().all(|t| t.amount.is_finite()));
            let by: u64 = rep.skipped_by_reason.iter().map(|(_, n)| n).sum();
            prop_assert_eq!(by, rep.skipped);
        }
    }
}
