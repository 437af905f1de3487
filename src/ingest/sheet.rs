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

use super::cells::{a1, col_letters, Val};
use super::choose;
use super::header::{self, Col, Mapping, NCOLS};
use super::keys;
use super::value::{self, Dec, TextNum};
use super::{
    Activity, Dataset, FxMap, KamContact, MasterRecord, Reject, ReturnRecord, Role, SheetReport, Sym, Txn,
};
use crate::config::Config;

/// One row's non-empty cells, reused between rows so reading allocates nothing per row.
#[derive(Debug, Default, Clone)]
pub struct RowBuf {
    cells: Vec<(u32, Slot)>,
    text: String,
}

#[derive(Debug, Clone, Copy)]
enum Slot {
    Num(f64),
    Text(u32, u32),
    Date(NaiveDateTime),
    /// A date cell converted only when the row loop reads it (off the XML reader's thread).
    Excel(calamine::ExcelDateTime),
    BadDate(f64),
    Bool(bool),
    Error(&'static str),
    Bad(u32, u32, &'static str),
}

impl RowBuf {
    /// Empties the buffer for the next row.
    pub fn clear(&mut self) {
        self.cells.clear();
        self.text.clear();
    }

    /// Adds a cell; empty cells are not stored.
    pub fn push(&mut self, col: u32, v: Val<'_>) {
        let slot = match v {
            Val::Empty => return,
            Val::Num(n) => Slot::Num(n),
            // A pasted `#N/A` is the same error as the cell it came from.
            Val::Text(s) if excel_error(s).is_some() => Slot::Error(excel_error(s).unwrap_or("#N/A")),
            Val::Text(s) => {
                let start = self.text.len() as u32;
                self.text.push_str(s);
                Slot::Text(start, self.text.len() as u32)
            }
            Val::Date(d) => Slot::Date(d),
            Val::BadDate(n) => Slot::BadDate(n),
            Val::Bool(b) => Slot::Bool(b),
            Val::Error(e) => Slot::Error(e),
            Val::Bad { raw, why } => return self.push_bad(col, raw, why),
        };
        self.cells.push((col, slot));
    }

    /// Adds a cell the file gets wrong: its raw text and why it cannot be read.
    pub fn push_bad(&mut self, col: u32, raw: &str, why: &'static str) {
        let start = self.text.len() as u32;
        self.text.push_str(raw);
        self.cells.push((col, Slot::Bad(start, self.text.len() as u32, why)));
    }

    /// Adds a date cell, converted only when the row loop reads it.
    pub fn push_excel_date(&mut self, col: u32, d: calamine::ExcelDateTime) {
        self.cells.push((col, Slot::Excel(d)));
    }

    /// How many cells are stored.
    pub fn len(&self) -> usize {
        self.cells.len()
    }

    /// Bytes of text stored.
    pub fn text_len(&self) -> usize {
        self.text.len()
    }

    /// Adds a streaming-reader cell; date cells are converted later, by [`RowBuf::iter`].
    pub fn push_ref(&mut self, col: u32, v: &calamine::DataRef<'_>) {
        match v {
            calamine::DataRef::DateTime(d) => self.cells.push((col, Slot::Excel(*d))),
            other => self.push(col, super::cells::from_ref(other)),
        }
    }

    /// True when no cell was stored.
    pub fn is_empty(&self) -> bool {
        self.cells.is_empty()
    }

    /// The cells, in column order as read.
    pub fn iter(&self) -> impl Iterator<Item = (u32, Val<'_>)> {
        self.cells.iter().map(move |&(c, s)| {
            let v = match s {
                Slot::Num(n) => Val::Num(n),
                Slot::Text(a, b) => Val::Text(&self.text[a as usize..b as usize]),
                Slot::Date(d) => Val::Date(d),
                Slot::Excel(d) => super::cells::excel_date(&d),
                Slot::BadDate(n) => Val::BadDate(n),
                Slot::Bool(b) => Val::Bool(b),
                Slot::Error(e) => Val::Error(e),
                Slot::Bad(a, b, why) => Val::Bad { raw: &self.text[a as usize..b as usize], why },
            };
            (c, v)
        })
    }
}

/// The Excel error code a text holds, when it is exactly one (`#N/A`, `#¡VALOR!` too).
fn excel_error(s: &str) -> Option<&'static str> {
    const CODES: &[(&str, &str)] = &[
        ("#N/A", "#N/A"),
        ("#N/D", "#N/A"),
        ("#DIV/0!", "#DIV/0!"),
        ("#VALUE!", "#VALUE!"),
        ("#¡VALOR!", "#VALUE!"),
        ("#REF!", "#REF!"),
        ("#¡REF!", "#REF!"),
        ("#NAME?", "#NAME?"),
        ("#¿NOMBRE?", "#NAME?"),
        ("#NUM!", "#NUM!"),
        ("#¡NUM!", "#NUM!"),
        ("#NULL!", "#NULL!"),
        ("#¡NULO!", "#NULL!"),
        ("#¡DIV/0!", "#DIV/0!"),
    ];
    // Cheap test first: this runs on every text cell of a million-row book.
    if s.as_bytes().iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'#') {
        return None;
    }
    let t = s.trim();
    CODES.iter().find(|(k, _)| k.eq_ignore_ascii_case(t)).map(|(_, v)| *v)
}

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

    /// The row's date, or the reason it has none.
    fn date(&self, v: &Val<'_>) -> Result<NaiveDate, String> {
        match v {
            Val::Date(d) => Ok(d.date()),
            Val::Num(n) => value::number_as_date(*n).ok_or_else(|| "expected a date, found a number".into()),
            Val::Text(s) if s.trim().is_empty() => Err("date is blank".into()),
            Val::Text(s) => value::parse_text_date(s, self.cfg.ingest.date_order)
                .ok_or_else(|| "expected a date, found text that is no valid date".into()),
            Val::Empty => Err("date is blank".into()),
            Val::Error(e) => Err(format!("excel error {e} in the date")),
            Val::Bad { why, .. } => Err((*why).into()),
            Val::BadDate(_) => Err("expected a date, found a time or duration".into()),
            Val::Bool(_) => Err("expected a date, found TRUE/FALSE".into()),
        }
    }

    /// A number cell or text number; `Ok(None)` when blank. Ambiguous text numbers give
    /// `Ok(Some(Err((comma, dot))))` to be resolved at the end of the sheet.
    #[allow(clippy::type_complexity)]
    fn number(&mut self, col: Col, v: &Val<'_>) -> Result<Option<Result<f64, (f64, f64)>>, String> {
        let n = self.raw_number(col, v)?;
        // NaN, infinities (`1e309`, 309 digits) and implausible values (a pasted EAN) are
        // rejected here, so no sum downstream ever sees them.
        let worst = match n {
            Some(Ok(x)) => x.abs(),
            Some(Err((comma, dot))) => comma.abs().max(dot.abs()),
            None => 0.0,
        };
        if worst.is_nan() || worst.is_infinite() {
            return Err("not a finite number".into());
        }
        let bound = self.cfg.ingest.max_amount;
        if worst > bound {
            return Err(format!(
                "{} is beyond the plausible bound of {} (set by [ingest] max_amount)",
                value::plain_number(worst),
                value::plain_number(bound)
            ));
        }
        Ok(n)
    }

    #[allow(clippy::type_complexity)]
    fn raw_number(&mut self, col: Col, v: &Val<'_>) -> Result<Option<Result<f64, (f64, f64)>>, String> {
        match v {
            Val::Num(n) => Ok(Some(Ok(*n))),
            Val::Empty => Ok(None),
            Val::Text(s) if s.trim().is_empty() => Ok(None),
            Val::Text(s) => match value::parse_text_number(s) {
                TextNum::Value(n, dec) => {
                    self.text_numbers += 1;
                    if let Some(d) = dec {
                        self.evidence[col as usize][(d == Dec::Dot) as usize] += 1;
                    }
                    Ok(Some(Ok(n)))
                }
                TextNum::Ambiguous { comma, dot } => {
                    self.text_numbers += 1;
                    Ok(Some(Err((comma, dot))))
                }
                TextNum::SignConflict => {
                    Err("a minus inside parentheses: a negative or a positive number? write -5 or (5)".into())
                }
                TextNum::Invalid => Err("expected a number, found text".into()),
            },
            Val::Error(e) => Err(format!("excel error {e}")),
            Val::Bad { why, .. } => Err((*why).into()),
            Val::Date(_) | Val::BadDate(_) => Err("expected a number, found a date".into()),
            Val::Bool(_) => Err("expected a number, found TRUE/FALSE".into()),
        }
    }

    /// An optional number: NaN when blank; unreadable values are noted, never read as zero.
    fn optional_number(&mut self, r: u32, col: Col, v: &Val<'_>, index: usize) -> f64 {
        if !self.mapping.has(col) {
            return f64::NAN;
        }
        match self.number(col, v) {
            Ok(None) => f64::NAN,
            Ok(Some(Ok(n))) => n,
            Ok(Some(Err((comma, dot)))) => {
                self.pending.push(Pending { index, col, comma, dot });
                f64::NAN
            }
            Err(_) => {
                self.optional_bad(r, col, v);
                f64::NAN
            }
        }
    }

    /// The customer identity and display spelling; `Err` rejects the row.
    fn customer(&mut self, r: u32, f: &[Val<'_>; NCOLS], ctx: &mut Ctx) -> Result<(Sym, Option<Sym>), ()> {
        for col in [Col::CustomerId, Col::CustomerName] {
            if let Val::Error(e) = &f[col as usize] {
                self.reject(r, col, &f[col as usize], format!("excel error {e} in the customer"));
                return Err(());
            }
        }
        // Only text and empty cells are cached; their raw text decides the result.
        let raw = |c: Col| match &f[c as usize] {
            Val::Text(s) => Some(*s),
            Val::Empty => Some(""),
            _ => None,
        };
        if let (Some(rc), Some(rn), Some(hit)) =
            (raw(Col::CustomerId), raw(Col::CustomerName), ctx.last_customer.2)
        {
            if ctx.last_customer.0 == rc && ctx.last_customer.1 == rn {
                if let (key, Some(s)) = hit {
                    *ctx.spellings.entry((key, s)).or_insert(0) += 1;
                }
                return Ok(hit);
            }
        }
        let code = f[Col::CustomerId as usize].text();
        let name = f[Col::CustomerName as usize].text();
        if code.is_none() && name.is_none() {
            let col = if self.mapping.has(Col::CustomerId) { Col::CustomerId } else { Col::CustomerName };
            self.reject(r, col, &f[col as usize], "customer is blank (no code and no name)".into());
            return Err(());
        }
        let Ctx { ds, key_buf, name_buf, .. } = ctx;
        key_buf.clear();
        match &code {
            Some(c) => keys::code_key_into(key_buf, c),
            None => keys::name_key_into(key_buf, name.as_deref().unwrap_or("")),
        }
        let key = ds.strings.intern(key_buf);
        let spelling = name.as_deref().map(|n| {
            name_buf.clear();
            collapse_into(name_buf, n);
            ds.strings.intern(name_buf)
        });
        if let Some(s) = spelling {
            *ctx.spellings.entry((key, s)).or_insert(0) += 1;
        }
        if let (Some(rc), Some(rn)) = (raw(Col::CustomerId), raw(Col::CustomerName)) {
            ctx.last_customer.0.clear();
            ctx.last_customer.0.push_str(rc);
            ctx.last_customer.1.clear();
            ctx.last_customer.1.push_str(rn);
            ctx.last_customer.2 = Some((key, spelling));
        }
        Ok((key, spelling))
    }

    fn sym(ctx: &mut Ctx, col: Col, v: &Val<'_>) -> Option<Sym> {
        if let Val::Text(raw) = v {
            let last = &ctx.last[col as usize];
            if last.set && last.raw == *raw {
                return last.sym;
            }
        }
        let t = v.text();
        let sym = t.map(|t| {
            let Ctx { ds, name_buf, .. } = &mut *ctx;
            name_buf.clear();
            collapse_into(name_buf, &t);
            ds.strings.intern(name_buf)
        });
        if let Val::Text(raw) = v {
            let last = &mut ctx.last[col as usize];
            last.raw.clear();
            last.raw.push_str(raw);
            last.sym = sym;
            last.set = true;
        }
        sym
    }

    fn sales_row(&mut self, r: u32, buf: &RowBuf, f: &[Val<'_>; NCOLS], nonblank: usize, ctx: &mut Ctx) {
        let date = match self.date(&f[Col::Date as usize]) {
            Ok(d) => d,
            Err(reason) => {
                if let Some(why) = self.non_data(buf, f, nonblank) {
                    return self.skip(why);
                }
                return self.reject(r, Col::Date, &f[Col::Date as usize], reason);
            }
        };
        let amount_v = &f[Col::Amount as usize];
        // A lone date (a day heading above that day's lines) carries no sale.
        if nonblank == 1 && amount_v.is_blank() {
            return self.skip(Skip::Title);
        }
        let amount = match self.number(Col::Amount, amount_v) {
            Ok(Some(a)) => a,
            Ok(None) => return self.reject(r, Col::Amount, amount_v, "amount is blank".into()),
            Err(reason) => return self.reject(r, Col::Amount, amount_v, reason),
        };
        let Ok((customer, customer_name)) = self.customer(r, f, ctx) else {
            return;
        };
        let index = ctx.ds.transactions.len();
        let amount = match amount {
            Ok(a) => a,
            Err((comma, dot)) => {
                self.pending.push(Pending { index, col: Col::Amount, comma, dot });
                f64::NAN
            }
        };
        let txn = Txn {
            date,
            customer,
            customer_name,
            kam: Self::sym(ctx, Col::Kam, &f[Col::Kam as usize]),
            product: Self::sym(ctx, Col::Product, &f[Col::Product as usize]),
            region: Self::sym(ctx, Col::Region, &f[Col::Region as usize]),
            amount,
            cost: self.optional_number(r, Col::Cost, &f[Col::Cost as usize], index),
            margin: self.optional_number(r, Col::Margin, &f[Col::Margin as usize], index),
            qty: self.optional_number(r, Col::Qty, &f[Col::Qty as usize], index),
            order: Self::sym(ctx, Col::OrderId, &f[Col::OrderId as usize]),
            month_total: false,
        };
        if let Some((dc, _)) = &self.doc_type {
            if txn.amount > 0.0 {
                let typed = buf.iter().find(|(c, _)| c == dc).and_then(|(_, v)| match v {
                    Val::Text(t) => Some(t),
                    _ => None,
                });
                if let Some(t) = typed.filter(|t| is_return_word(t)) {
                    let pr = &mut self.positive_returns;
                    if pr.0 == 0 {
                        pr.1 = a1(r, *dc);
                        pr.2 = t.to_string();
                    }
                    pr.0 += 1;
                }
            }
        }
        ctx.ds.transactions.push(txn);
        self.records += 1;
    }

    fn activity_row(&mut self, r: u32, buf: &RowBuf, f: &[Val<'_>; NCOLS], nonblank: usize, ctx: &mut Ctx) {
        let date = match self.date(&f[Col::Date as usize]) {
            Ok(d) => d,
            Err(reason) => {
                if let Some(why) = self.non_data(buf, f, nonblank) {
                    return self.skip(why);
                }
                return self.reject(r, Col::Date, &f[Col::Date as usize], reason);
            }
        };
        if nonblank == 1 {
            return self.skip(Skip::Title);
        }
        let Ok((customer, _)) = self.customer(r, f, ctx) else {
            return;
        };
        let text = |c: Col| f[c as usize].text().map(|t| t.into_owned());
        ctx.ds.activities.push(Activity {
            date,
            customer: ctx.ds.strings.resolve(customer).to_string(),
            kind: text(Col::Activity),
            notes: text(Col::Notes),
            kam: text(Col::Kam),
        });
        self.records += 1;
    }

    fn master_row(&mut self, r: u32, buf: &RowBuf, f: &[Val<'_>; NCOLS], nonblank: usize, ctx: &mut Ctx) {
        let no_customer = f[Col::CustomerId as usize].is_blank() && f[Col::CustomerName as usize].is_blank();
        if no_customer || self.header_repeat(f) {
            if let Some(why) = self.non_data(buf, f, nonblank) {
                return self.skip(why);
            }
        }
        // "Total clientes: 58" under the list: a total word where the customer goes, and no
        // code (when the sheet has codes) or nothing else on the row (when it has none).
        let totalish = |v: &Val<'_>| matches!(v, Val::Text(t) if header::normalize(t).split(' ').any(|w| TOTAL_WORDS.contains(&w)));
        let (id, name) = (&f[Col::CustomerId as usize], &f[Col::CustomerName as usize]);
        if totalish(id) || totalish(name) {
            let is_total =
                if self.mapping.has(Col::CustomerId) { id.is_blank() || totalish(id) } else { nonblank == 1 };
            if is_total {
                return self.skip(Skip::Total);
            }
        }
        let Ok((customer, spelling)) = self.customer(r, f, ctx) else {
            return;
        };
        let sv = &f[Col::Strategic as usize];
        let strategic = match sv {
            Val::Bool(b) => *b,
            Val::Num(n) => *n != 0.0,
            Val::Text(s) => value::parse_flag(s).unwrap_or_else(|| {
                self.optional_bad(r, Col::Strategic, sv);
                false
            }),
            Val::Empty => false,
            _ => {
                self.optional_bad(r, Col::Strategic, sv);
                false
            }
        };
        let index = ctx.ds.master.len();
        let potential = self.optional_number(r, Col::Potential, &f[Col::Potential as usize], index);
        let text = |c: Col| f[c as usize].text().map(|t| t.split_whitespace().collect::<Vec<_>>().join(" "));
        ctx.ds.master.push(MasterRecord {
            id: ctx.ds.strings.resolve(customer).to_string(),
            name: spelling.map(|s| ctx.ds.strings.resolve(s).to_string()),
            strategic,
            potential: (!potential.is_nan()).then_some(potential),
            kam: text(Col::Kam),
            segment: text(Col::Segment),
        });
        self.records += 1;
    }

    fn header_repeat(&self, f: &[Val<'_>; NCOLS]) -> bool {
        let same = self
            .header_norms
            .iter()
            .filter(|(c, n)| matches!(&f[**c as usize], Val::Text(s) if header::normalize(s) == **n))
            .count();
        same >= 2.min(self.header_norms.len()) && same > 0
    }

    fn directory_row(&mut self, r: u32, buf: &RowBuf, f: &[Val<'_>; NCOLS], nonblank: usize, ctx: &mut Ctx) {
        let _ = ctx;
        if self.header_repeat(f) {
            return self.skip(Skip::Header);
        }
        let text = |c: Col| f[c as usize].text().map(|t| t.split_whitespace().collect::<Vec<_>>().join(" "));
        let Some(name) = text(Col::Kam) else {
            if let Some(why) = self.non_data(buf, f, nonblank) {
                return self.skip(why);
            }
            return self.reject(r, Col::Kam, &f[Col::Kam as usize], "KAM name is blank".into());
        };
        ctx.ds.directory.push(KamContact {
            name,
            email: text(Col::Email),
            manager: text(Col::Manager),
            region: text(Col::Region),
        });
        self.records += 1;
    }

    /// The sheet, for messages: `file › sheet` (`file` for a CSV).
    fn sheet_place(&self) -> String {
        if self.sheet.is_empty() {
            self.file.clone()
        } else {
            format!("{} › {}", self.file, self.sheet)
        }
    }

    /// Where a row is, for messages: `file › sheet › row 12` (`file › row 12` for a CSV).
    fn place(&self, r: u32) -> String {
        if self.sheet.is_empty() {
            format!("{} › row {}", self.file, r + 1)
        } else {
            format!("{} › {} › row {}", self.file, self.sheet, r + 1)
        }
    }

    fn returns_row(&mut self, r: u32, buf: &RowBuf, f: &[Val<'_>; NCOLS], nonblank: usize, ctx: &mut Ctx) {
        if self.header_repeat(f) {
            return self.skip(Skip::Header);
        }
        let ov = &f[Col::OrderId as usize];
        if let Val::Error(e) = ov {
            return self.reject(r, Col::OrderId, ov, format!("excel error {e} in the order number"));
        }
        let Some(order_text) = ov.text().map(|t| t.into_owned()) else {
            if let Some(why) = self.non_data(buf, f, nonblank) {
                return self.skip(why);
            }
            return self.reject(r, Col::OrderId, ov, "order number is blank".into());
        };
        if header::normalize(&order_text).split(' ').any(|w| TOTAL_WORDS.contains(&w)) {
            return self.skip(Skip::Total);
        }
        let fv = &f[Col::Returned as usize];
        let returned = match fv {
            Val::Empty => true,
            Val::Bool(b) => *b,
            Val::Num(n) => *n != 0.0,
            Val::Text(t) if t.trim().is_empty() => true,
            Val::Text(t) => match value::parse_flag(t) {
                Some(b) => b,
                None => return self.reject(r, Col::Returned, fv, "expected yes or no".into()),
            },
            _ => return self.reject(r, Col::Returned, fv, "expected yes or no".into()),
        };
        let dv = &f[Col::Date as usize];
        let date = if dv.is_blank() {
            None
        } else {
            match self.date(dv) {
                Ok(d) => Some(d),
                Err(reason) => return self.reject(r, Col::Date, dv, reason),
            }
        };
        let index = ctx.ds.returns.len();
        let av = &f[Col::Amount as usize];
        let amount = if !self.mapping.has(Col::Amount) || av.is_blank() {
            None
        } else {
            match self.number(Col::Amount, av) {
                Ok(Some(Ok(a))) => Some(a),
                Ok(Some(Err((comma, dot)))) => {
                    self.pending.push(Pending { index, col: Col::Amount, comma, dot });
                    Some(f64::NAN)
                }
                Ok(None) => None,
                Err(reason) => return self.reject(r, Col::Amount, av, reason),
            }
        };
        ctx.ds.returns.push(ReturnRecord {
            order: keys::code_key(&order_text).unwrap_or_default(),
            order_text,
            date,
            amount,
            returned,
            source: self.place(r),
        });
        self.records += 1;
    }

    /// The decimal separator for ambiguous numbers of `col`, and where it came from.
    fn decide(&self, col: Col) -> (Dec, &'static str) {
        if let Some(d) = self.cfg.ingest.decimal {
            return (if d == '.' { Dec::Dot } else { Dec::Comma }, "set in config ingest.decimal");
        }
        let pick = |e: [u32; 2]| match e[0].cmp(&e[1]) {
            std::cmp::Ordering::Greater => Some(Dec::Comma),
            std::cmp::Ordering::Less => Some(Dec::Dot),
            std::cmp::Ordering::Equal => None,
        };
        if let Some(d) = pick(self.evidence[col as usize]) {
            return (d, "shown by the column's other values");
        }
        let mut all = [0u32; 2];
        for e in &self.evidence {
            all[0] += e[0];
            all[1] += e[1];
        }
        if let Some(d) = pick(all) {
            return (d, "shown by the sheet's other values");
        }
        (Dec::Comma, "default (Spanish)")
    }

    /// Resolves pending numbers, totals the sheet and gives its report.
    pub fn finish(mut self, ctx: &mut Ctx) -> SheetReport {
        ctx.sheets_seen += 1;
        if self.phase == Phase::Choosing {
            self.settle(ctx);
        }
        let mut notices = std::mem::take(&mut self.notices);
        if self.phase == Phase::Searching {
            let problem = self.wide_problem.take();
            if let Some((p, _)) = &problem {
                notices.push(format!("skipped: {p}"));
            } else if !self.hidden {
                notices.push(format!(
                    "skipped: no header row in the first {} rows names a date, a customer and an amount (sales), \
                     a customer (master), a KAM with email (directory) or a dated contact (activity)",
                    self.cfg.ingest.header_rows
                ));
            }
            let wide = problem.map(|(p, warn)| wide::WideReport {
                warnings: if warn { vec![format!("{}: {p}", self.sheet_place())] } else { Vec::new() },
                problem: Some(p),
                ..wide::WideReport::default()
            });
            return SheetReport {
                file: self.file,
                sheet: self.sheet,
                role: Role::Skipped,
                hidden: self.hidden,
                header_row: None,
                columns: Vec::new(),
                unused_columns: Vec::new(),
                decimal: None,
                rows: 0,
                transactions: 0,
                skipped: 0,
                rejected: 0,
                skipped_by_reason: Vec::new(),
                amount_total: 0.0,
                rejects: Vec::new(),
                notices,
                wide,
            };
        }
        // The locale of ambiguous text numbers, per column.
        let mut decisions: BTreeMap<Col, (Dec, &'static str, u64)> = BTreeMap::new();
        for p in std::mem::take(&mut self.pending) {
            let (dec, _) = self.decide(p.col);
            let v = if dec == Dec::Comma { p.comma } else { p.dot };
            decisions
                .entry(p.col)
                .or_insert_with(|| {
                    let (d, why) = self.decide(p.col);
                    (d, why, 0)
                })
                .2 += 1;
            if self.role == Role::Master {
                if p.col == Col::Potential {
                    ctx.ds.master[p.index].potential = Some(v);
                }
            } else if self.role == Role::Returns {
                ctx.ds.returns[p.index].amount = Some(v);
            } else if self.wide.is_some() {
                ctx.wide[p.index].value = v;
            } else {
                let t = &mut ctx.ds.transactions[p.index];
                match p.col {
                    Col::Amount => t.amount = v,
                    Col::Cost => t.cost = v,
                    Col::Margin => t.margin = v,
                    Col::Qty => t.qty = v,
                    _ => {}
                }
            }
        }
        let decimal = if self.text_numbers == 0 {
            None
        } else if decisions.is_empty() {
            let (comma, dot) = self.evidence.iter().fold((0, 0), |a, e| (a.0 + e[0], a.1 + e[1]));
            Some(match (comma > 0, dot > 0) {
                (true, false) => "\",\" as the text numbers show; none ambiguous".to_string(),
                (false, true) => "\".\" as the text numbers show; none ambiguous".to_string(),
                (true, true) => {
                    format!("mixed: {comma} text numbers with \",\", {dot} with \".\"; none ambiguous")
                }
                (false, false) => "text numbers are whole numbers; no decimal separator needed".to_string(),
            })
        } else {
            let parts: Vec<String> = decisions
                .iter()
                .map(|(c, (d, why, n))| {
                    let s = if decisions.len() > 1 { format!("{}: ", c.key()) } else { String::new() };
                    format!("{s}\"{}\" {why}; {n} ambiguous like 1.234 read with it", d.char())
                })
                .collect();
            Some(parts.join(" · "))
        };
        notices.extend(std::mem::take(&mut self.rivals));
        if self.disorder.0 > 0 {
            let (n, row, after) = self.disorder;
            notices.push(format!(
                "{n} row(s) out of order or repeated in the file (first: row {} after row {}); each was \
                 read once, as it came",
                row as u64 + 1,
                after as u64 + 1
            ));
        }
        if self.positive_returns.0 > 0 {
            let (n, cell, raw) = &self.positive_returns;
            let header = self.doc_type.as_ref().map(|(_, h)| h.as_str()).unwrap_or("");
            notices.push(format!(
                "{n} line(s) marked as a return or credit note in {header} have a positive amount, kept as typed \
                 (returns count only when negative; first: {cell} {raw:?})"
            ));
        }
        for (col, (n, cell, raw)) in &self.optional_bad {
            let header = self.headers.get(col).cloned().unwrap_or_default();
            notices.push(format!(
                "{n} value(s) in {} ({header}) unreadable, left empty, not zero (first: {cell} {raw:?})",
                col.key()
            ));
        }
        let amount_total = if self.role == Role::Sales {
            ctx.ds.transactions[self.start..].iter().map(|t| t.amount).sum()
        } else {
            0.0
        };
        // Columns in sheet order, as the user sees them left to right.
        let mut by_col: Vec<(&Col, &u32)> = self.mapping.cols.iter().collect();
        by_col.sort_by_key(|(_, col)| **col);
        let columns = by_col
            .into_iter()
            .map(|(c, col)| (c.key().to_string(), format!("{} ({})", col_letters(*col), self.headers[c])))
            .collect();
        let place = self.sheet_place();
        let wide = self.wide.take().map(|w| w.finish(&place));
        let skipped: u64 = self.skipped.iter().sum();
        let skipped_by_reason = SKIP_NAMES
            .iter()
            .zip(self.skipped)
            .filter(|(_, n)| *n > 0)
            .map(|(k, n)| (k.to_string(), n))
            .collect();
        SheetReport {
            file: self.file,
            sheet: self.sheet,
            role: self.role,
            hidden: self.hidden,
            header_row: Some(self.header_row + 1),
            columns,
            unused_columns: self.unused,
            decimal,
            rows: self.rows,
            transactions: self.records,
            skipped,
            rejected: self.rejects.len() as u64,
            skipped_by_reason,
            amount_total,
            rejects: self.rejects,
            notices,
            wide,
        }
    }
}

/// True when a document type names a return or credit note (`Abono`, `Devolución`, `Credit note`).
fn is_return_word(t: &str) -> bool {
    let l = t.to_lowercase();
    ["abono", "devoluc", "devol.", "rectific", "credit", "return", "nota de cr"].iter().any(|w| l.contains(w))
}

/// Appends `s` trimmed with inner whitespace collapsed, without allocating: how names and
/// KAMs are spelled.
pub fn collapse_into(out: &mut String, s: &str) {
    for (i, w) in s.split_whitespace().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(w);
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
