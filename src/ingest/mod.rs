//! Ingest: workbooks in, clean transactions out — the only code that knows about cells and sheets.
//!
//! Every row read ends as exactly one of: a transaction (or master/directory/activity record),
//! a skipped row with its reason, or a reject carrying its cell. Nothing is read as zero.
//!
//! How a book is read:
//! - **Files**: [`ingest`] (`books.rs`) takes files or folders (every `.xlsx .xlsm .xlsb .xls
//!   .ods .csv .tsv .txt` inside, sorted, `~$` lock files skipped; `workbook.rs` tells each by
//!   its bytes), reads them in parallel and merges them in file order. xlsx (`xlsx/`) and ods
//!   (`ods.rs`) are streamed by our own readers through `package.rs`, which bounds every part
//!   and cell; `.xls` is checked (`xls.rs`) before calamine reads it, xlsb goes through a
//!   calamine range, positions made absolute (`cells.rs`); text exports are decoded and split
//!   by `csv.rs` into the same row loop.
//! - **Roles** (`header.rs`, its vocabulary in `header/synonyms.rs`): the header row is the
//!   first of the first `ingest.header_rows` rows whose cells name a returns sheet (order + a
//!   Returned flag or a returns-like name), a sales sheet (date + customer + amount), an
//!   activity log (date + customer + type/notes), a KAM directory (KAM + email), a territory
//!   directory (KAM + region) or a customer master (customer + anything else, no amount).
//!   Which customer column is the code and which the name may be decided by the first rows'
//!   values (`choose.rs`). Headers match Spanish and English synonyms after dropping case,
//!   accents and punctuation; an exact synonym beats one found inside a longer header;
//!   `[columns]` in kamplan.toml beats both.
//! - **Values** (`value.rs`): date cells (1900/1904), text dates (ISO, `dd/mm/yyyy`,
//!   `dd-mm-yy`, month names, `date_order`), numbers as cells or text in either locale;
//!   `1.234` is read by `ingest.decimal`, else the column's unambiguous values, else Spanish.
//! - **Rows** (`sheet.rs`, the loop; `sheet/`: a row's cells, its values, its record by role,
//!   the sheet's report): blank, title, repeated-header and total rows are skipped and
//!   counted; a row with an unusable required value is a [`Reject`] with its cell.
//! - **Keys** (`keys.rs`): one rule for customer codes and names in every join (`01002` =
//!   `1002`); records that join nothing are listed with a "did you mean" (`joins.rs`).
//! - **Returns** (`returns.rs`): returned orders taken out of the sales, or netted by amount.
//! - **Monthly books** (`wide/`, `months.rs`): one row per customer, one column per month;
//!   each customer-month cell becomes a transaction dated on the month's last day, once
//!   every file is read (the later sheet wins a customer-month found twice).
//!
//! The types below are the interface the later stages use; fields may grow.

mod books;
mod cells;
mod choose;
mod csv;
mod header;
pub mod joins;
pub mod keys;
mod months;
mod ods;
mod package;
pub mod report;
pub mod returns;
mod sheet;
mod value;
mod workbook;
mod xls;
pub(crate) mod xlsx;

pub use books::ingest;
pub use sheet::wide::WideReport;

pub use cells::{a1, col_letters};

/// Checks a zipped workbook (xlsx, ods) that calamine will read — every XML part inflated
/// through the limits of `[ingest] max_inflated_mb` and 1 MB per cell or tag — so a zip bomb
/// is refused in bounded memory. Our own readers need no such pass.
pub fn precheck_zip(path: &std::path::Path, cap_mb: u64) -> Result<(), String> {
    package::precheck(path, cap_mb)
}

/// A header as headers are compared (case, accents and punctuation dropped): `"Cód. Cliente"`
/// → `"cod cliente"`.
pub fn header_key(s: &str) -> String {
    header::normalize(s)
}
pub use value::{parse_text_date, parse_text_number, Dec, TextNum};

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::path::PathBuf;

use chrono::NaiveDate;
use serde::Serialize;

/// An interned string: customer ids and names, KAMs, products, regions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Sym(NonZeroU32);

/// A hash map with a fast, deterministic hasher (FxHash, from rustc-hash) for the interner and
/// the ingest's tallies: keys come from local files, so hash flooding is no concern, and a
/// million lookups per book make SipHash show up.
pub type FxMap<K, V> = rustc_hash::FxHashMap<K, V>;

/// A hash set with the same hasher as [`FxMap`].
pub type FxSet<T> = rustc_hash::FxHashSet<T>;

/// Stores each distinct string once; `Sym` indexes it.
///
/// The texts live end to end in one buffer and the table holds only symbols (hashed by their
/// text): a book with a third of a million invoice numbers costs their bytes and some 12 bytes
/// each, not two small allocations and a map entry each (which doubled the ingest's memory).
#[derive(Debug, Default, Clone)]
pub struct Interner {
    /// Every text, end to end.
    text: String,
    /// Where each symbol's text ends in `text` (symbol n is `ends[n-2]..ends[n-1]`). Full-width
    /// offsets: many books together may hold more than 4 GiB of distinct text.
    ends: Vec<usize>,
    /// The symbols, found by their text's hash.
    table: hashbrown::HashTable<Sym>,
}

impl Interner {
    fn hash(s: &str) -> u64 {
        use std::hash::BuildHasher;
        rustc_hash::FxBuildHasher.hash_one(s)
    }

    /// The text of symbol `sym` in `text`, given `ends`.
    fn span<'a>(text: &'a str, ends: &[usize], sym: Sym) -> &'a str {
        let i = sym.0.get() as usize - 1;
        let start = if i == 0 { 0 } else { ends[i - 1] };
        &text[start..ends[i]]
    }

    /// The symbol of `s`, adding it on first sight.
    ///
    /// # Panics
    /// Past 4 billion distinct strings (a u32 symbol), which memory ends long before.
    pub fn intern(&mut self, s: &str) -> Sym {
        let hash = Self::hash(s);
        let Interner { text, ends, table } = self;
        let found = table.find(hash, |&sym| Self::span(text, ends, sym) == s);
        if let Some(&sym) = found {
            return sym;
        }
        text.push_str(s);
        ends.push(text.len());
        let sym =
            Sym(u32::try_from(ends.len()).ok().and_then(NonZeroU32::new).expect("under 4 billion strings"));
        table.insert_unique(hash, sym, |&sym| Self::hash(Self::span(text, ends, sym)));
        sym
    }

    /// The symbol of `s` if it was interned.
    pub fn get(&self, s: &str) -> Option<Sym> {
        self.table.find(Self::hash(s), |&sym| self.resolve(sym) == s).copied()
    }

    /// The text of a symbol.
    pub fn resolve(&self, sym: Sym) -> &str {
        Self::span(&self.text, &self.ends, sym)
    }

    /// Every text, in symbol order.
    pub fn iter(&self) -> impl Iterator<Item = &str> + '_ {
        (1..=self.ends.len() as u32).map(|n| self.resolve(Sym(NonZeroU32::new(n).expect("from 1"))))
    }

    /// How many distinct strings are stored.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// True when nothing is interned.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }
}

/// One sales line. Kept small (≤ 64 bytes): strings are symbols, absent numbers are NaN.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Txn {
    pub date: NaiveDate,
    /// Customer identity: the code when the sheet has one, else the normalised name
    /// (see [`customer_key`]).
    pub customer: Sym,
    /// The name as written on this line (display; the most frequent spelling wins).
    pub customer_name: Option<Sym>,
    /// Salesperson/KAM on the line; `None` when the cell is blank or whitespace.
    pub kam: Option<Sym>,
    pub product: Option<Sym>,
    pub region: Option<Sym>,
    /// Net amount; returns are negative.
    pub amount: f64,
    /// Cost of the line, NaN when the book has none.
    pub cost: f64,
    /// Margin/profit of the line, NaN when the book has none.
    pub margin: f64,
    /// Quantity, NaN when the book has none.
    pub qty: f64,
    /// Order, invoice or document number, as typed (for returns sheets to find the order).
    pub order: Option<Sym>,
    /// True for a customer's total of a month from a monthly (wide) book, dated on the
    /// month's last day: not an invoice line, so it has no products or quantities of its own.
    pub month_total: bool,
}

impl Txn {
    /// Margin of the line: the margin column, else amount − cost, else `None`.
    pub fn line_margin(&self) -> Option<f64> {
        if !self.margin.is_nan() {
            Some(self.margin)
        } else if !self.cost.is_nan() {
            Some(self.amount - self.cost)
        } else {
            None
        }
    }
}

/// A customer master row.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct MasterRecord {
    /// Same identity rule as [`Txn::customer`].
    pub id: String,
    pub name: Option<String>,
    pub strategic: bool,
    /// Annual potential, when given.
    pub potential: Option<f64>,
    /// Assigned KAM, when given (blank = none).
    pub kam: Option<String>,
    pub segment: Option<String>,
}

/// A KAM directory row.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct KamContact {
    pub name: String,
    pub email: Option<String>,
    pub manager: Option<String>,
    /// Territory the KAM covers (a Zona/Región column): a region → KAM map for `[assign] by = "region"`.
    pub region: Option<String>,
}

/// A returns-sheet row: an order returned, in full or by an amount.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ReturnRecord {
    /// The order number's key (the code rule of [`customer_key`]: `"01002"` = `1002`).
    pub order: String,
    /// The order number as typed.
    pub order_text: String,
    /// When the goods came back, when given.
    pub date: Option<NaiveDate>,
    /// The amount returned, when given: the order is netted by it; else it is taken out whole.
    pub amount: Option<f64>,
    /// False when the sheet's Returned flag says no: read, not applied.
    pub returned: bool,
    /// Where the row is: `file › sheet › row` (`file › row` for a CSV).
    pub source: String,
}

/// An activity-log row: a meeting, call or visit with a customer.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Activity {
    pub date: NaiveDate,
    /// Same identity rule as [`Txn::customer`].
    pub customer: String,
    /// Meeting/contact type as typed ("Visita", "Llamada", "Reunión cierre", ...).
    pub kind: Option<String>,
    pub notes: Option<String>,
    pub kam: Option<String>,
}

/// Everything read from the inputs.
#[derive(Debug, Default)]
pub struct Dataset {
    pub strings: Interner,
    pub transactions: Vec<Txn>,
    /// Display name per customer identity: the most frequent spelling seen.
    pub customer_names: HashMap<Sym, Sym>,
    pub master: Vec<MasterRecord>,
    pub directory: Vec<KamContact>,
    pub activities: Vec<Activity>,
    /// Returns-sheet rows, already applied to `transactions` (see [`returns::ReturnsReport`]).
    pub returns: Vec<ReturnRecord>,
    /// Segment per customer from a sales sheet's segment column (monthly books have one);
    /// the master's segment wins over it.
    pub segments: HashMap<Sym, Sym>,
    pub report: IngestReport,
}

impl Dataset {
    /// The display name of a customer identity.
    pub fn customer_name(&self, id: Sym) -> &str {
        self.strings.resolve(*self.customer_names.get(&id).unwrap_or(&id))
    }
}

/// The identity key of a customer: its code when there is one, else its name — the one rule
/// every join uses (sales, master, activity, the strategic list, territory).
///
/// Codes: trimmed; all digits (optionally with a `.0` tail) compare as the integer, so `1002`,
/// `"01002"` and `"1002.0"` are one customer; other codes compare as text ignoring case and
/// spaces (`" c-17"` = `"C-17"`). Names: trimmed, inner whitespace collapsed, lower-case, so
/// `"ACME  S.A. "` and `"Acme S.A."` are one.
pub fn customer_key(code: Option<&str>, name: Option<&str>) -> Option<String> {
    code.and_then(keys::code_key).or_else(|| name.and_then(keys::name_key))
}

/// What a sheet was taken for.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Sales,
    /// A monthly (wide) book: one row per customer, one column per month.
    MonthlySales,
    /// A monthly book's margin or cost sheet: joins the sales of the same customer-month.
    MonthlyMargin,
    Master,
    Directory,
    /// A KAM directory without emails: person and region, the territory map.
    Territory,
    Activity,
    /// Returned orders: taken out of the sales (or netted by their amount).
    Returns,
    Skipped,
}

impl Role {
    /// True for the roles that give sales: line-level and monthly books.
    pub fn is_sales(self) -> bool {
        matches!(self, Role::Sales | Role::MonthlySales)
    }
}

/// A row that could not be used, with its cell as Excel shows it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Reject {
    pub file: String,
    pub sheet: String,
    /// 1-based row number as Excel shows it.
    pub row: u32,
    /// Column letter and header, e.g. `F (Importe)`.
    pub column: String,
    /// The raw value as found.
    pub value: String,
    pub reason: String,
}

/// Counts and findings for one sheet.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct SheetReport {
    pub file: String,
    pub sheet: String,
    pub role: Role,
    pub hidden: bool,
    /// 1-based header row, when one was found.
    pub header_row: Option<u32>,
    /// Role column → `letter (header)`.
    #[serde(serialize_with = "pairs_as_map")]
    pub columns: Vec<(String, String)>,
    /// Header cells no role uses, as `letter (header)`: kept in the book, not read.
    pub unused_columns: Vec<String>,
    /// Decimal separator used for ambiguous text numbers and why ("config", "column", "default").
    pub decimal: Option<String>,
    pub rows: u64,
    pub transactions: u64,
    pub skipped: u64,
    pub rejected: u64,
    /// Skipped rows by reason (blank, title, header, total).
    #[serde(serialize_with = "pairs_as_map")]
    pub skipped_by_reason: Vec<(String, u64)>,
    pub amount_total: f64,
    pub rejects: Vec<Reject>,
    /// Notices about the sheet (e.g. why it fits no role).
    pub notices: Vec<String>,
    /// A monthly (wide) sheet's month, total and ignored columns and findings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wide: Option<WideReport>,
}

impl SheetReport {
    /// The report of a sheet no row of which was read, with why in `notices`.
    pub fn skipped(file: String, sheet: String, notices: Vec<String>) -> SheetReport {
        SheetReport {
            file,
            sheet,
            role: Role::Skipped,
            hidden: false,
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
            wide: None,
        }
    }

    /// How the sheet is named to a user: `ventas.xlsx › Ene-26`, or `ventas.csv` for a text
    /// file (which has no sheets).
    pub fn place(&self) -> String {
        if self.sheet.is_empty() {
            self.file.clone()
        } else {
            format!("{} › {}", self.file, self.sheet)
        }
    }
}

/// The whole ingest: every sheet, and totals.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct IngestReport {
    /// Every file read, in reading order.
    pub files: Vec<String>,
    pub sheets: Vec<SheetReport>,
    /// Rows read in all sheets with a role: `rows = transactions + skipped + rejected`.
    pub rows: u64,
    /// Records read: sales lines plus master, directory and activity rows.
    pub transactions: u64,
    pub skipped: u64,
    pub rejected: u64,
    /// Sum of the accepted sales lines (returns negative).
    pub amount_total: f64,
    /// Findings across sheets a person should read (e.g. customers keyed by code in one sheet
    /// and by name in another).
    pub warnings: Vec<String>,
    /// Facts about the inputs that change nothing read (a book named twice and read once, a
    /// book whose name says another format than its bytes).
    pub notes: Vec<String>,
    /// Workbooks among the inputs that are plans kamplan published (they carry the hidden
    /// identification sheet): not data, read back by [`crate::carry`].
    pub plans: Vec<String>,
    /// Master rows, activity customers, territory entries and master KAMs that join nothing,
    /// with a "did you mean" (a warning per kind says how many).
    pub unmatched: Vec<joins::Unmatched>,
    /// What the returns sheets did to the sales; absent without a returns sheet.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub returns: Option<returns::ReturnsReport>,
}

/// Why the inputs could not be read at all.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error("{path}: {message}")]
    File { path: PathBuf, message: String },
    #[error(
        "no sales lines found in {0}: no sheet has a date, a customer and an amount column, nor a customer and month \
         columns"
    )]
    NoSales(String),
    #[error("no spreadsheet found in {0}")]
    NoInput(String),
    /// A `[columns]` header that no sheet has: a configuration error, not an input one.
    #[error("{0}")]
    Columns(String),
}

/// Pairs in order as a JSON object (`{"date": "A (Fecha)"}`), keeping the report's order.
fn pairs_as_map<S: serde::Serializer, V: Serialize>(pairs: &[(String, V)], s: S) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    let mut m = s.serialize_map(Some(pairs.len()))?;
    for (k, v) in pairs {
        m.serialize_entry(k, v)?;
    }
    m.end()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn txn_stays_small() {
        assert!(std::mem::size_of::<Txn>() <= 64, "{}", std::mem::size_of::<Txn>());
    }

    #[test]
    fn interner_gives_one_symbol_per_text_and_its_text_back() {
        let mut i = Interner::default();
        let texts: Vec<String> = (0..20_000).map(|n| format!("F-{n:07}")).collect();
        let syms: Vec<Sym> = texts.iter().map(|t| i.intern(t)).collect();
        // Prefixes, the empty text and accents are texts of their own.
        let extra = ["", "F-", "F-0000001 ", "Núñez", "NÚÑEZ"];
        let extra_syms: Vec<Sym> = extra.iter().map(|t| i.intern(t)).collect();
        assert_eq!(i.len(), texts.len() + extra.len());
        for (t, &s) in texts.iter().zip(&syms) {
            assert_eq!(i.intern(t), s, "{t} interned twice");
            assert_eq!(i.get(t), Some(s));
            assert_eq!(i.resolve(s), t);
        }
        for (t, &s) in extra.iter().zip(&extra_syms) {
            assert_eq!(i.resolve(s), *t);
            assert_eq!(i.get(t), Some(s));
        }
        assert_eq!(i.get("F-9999999"), None);
        let all: Vec<&str> = i.iter().collect();
        assert_eq!(all[..texts.len()], texts.iter().map(String::as_str).collect::<Vec<_>>()[..]);
        assert_eq!(all[texts.len()..], extra[..]);
    }

    #[test]
    fn customer_key_collapses_names() {
        assert_eq!(customer_key(None, Some("ACME  S.A. ")), customer_key(None, Some("Acme S.A.")));
        assert_eq!(customer_key(Some(" C001 "), Some("x")).as_deref(), Some("C001"));
        assert_eq!(customer_key(Some(" "), Some("  ")), None);
    }
}
