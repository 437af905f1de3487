//! Reading one returned plan: its identification sheet, then each KAM-owned area's cells into
//! plain entries, every unusable cell a located warning with its text kept.
//!
//! An area is found through its workbook name (which Excel, LibreOffice and other programs
//! keep pointing at it when a sheet is renamed or rows are inserted), else the sheet and range
//! the identification sheet recorded, else the sheet at the recorded position; its header row
//! must show the recorded labels, else it is searched for on that sheet (one match only). Its
//! columns are found by their header labels, so an inserted or moved column is read right;
//! rows the KAM typed right below the area are read too.

use std::collections::HashMap;
use std::path::Path;

use calamine::{open_workbook_auto_from_rs, Data, Range, Reader};
use chrono::NaiveDate;

use super::ident::{Area, AreaRef, CellRange, IdentError, PlanIdent, SHEET};
use super::{CarryWarning, ContactEntry, DecisionMaker, MeetingEntry, Source, Strategy};
use crate::classify::collate;
use crate::config::DateOrder;
use crate::ingest::{a1, parse_text_date, parse_text_number, TextNum};
use crate::lang::Lang;
use crate::plan::MeetingStatus;

/// Rows read below an area's recorded end at most (the KAM's own rows), so a sheet full of
/// other content is never read as the area.
const MAX_EXTRA_ROWS: u32 = 500;

/// How cells are read: the languages a status may be typed in and how text dates and amounts
/// are read.
pub struct ReadOptions<'a> {
    /// Status labels are read in any of these (the run's language and the embedded es/en).
    pub langs: Vec<&'a Lang>,
    pub date_order: DateOrder,
    /// `,` or `.` for ambiguous text amounts ("120.000"); `None`: by the plan's language.
    pub decimal: Option<char>,
}

/// One area's entries as read.
#[derive(Debug, Clone, PartialEq)]
pub enum AreaContent {
    Meetings(Vec<MeetingEntry>),
    History(Vec<MeetingEntry>),
    Contacts(Vec<ContactEntry>),
    DecisionMakers(Vec<DecisionMaker>),
    Strategy(Strategy),
}

/// One area of one account, read from a returned plan.
#[derive(Debug, Clone, PartialEq)]
pub struct AreaRead {
    pub account: String,
    pub area: Area,
    pub content: AreaContent,
    pub source: Source,
}

/// A workbook that is a kamplan plan, read.
#[derive(Debug, Clone, PartialEq)]
pub struct ReturnedPlan {
    /// The path as found, for messages and provenance.
    pub file: String,
    pub sha256: String,
    /// Modification time, seconds since the epoch.
    pub modified: Option<i64>,
    pub ident: PlanIdent,
    pub areas: Vec<AreaRead>,
}

/// What a workbook turned out to be.
#[derive(Debug, Clone, PartialEq)]
pub enum Opened {
    Plan(Box<ReturnedPlan>),
    /// A kamplan management summary: nothing of a KAM's to read.
    Summary,
    /// No identification sheet.
    NotAPlan,
    /// A returned plan an earlier run already read (its sha256 is in the base).
    AlreadyRead,
}

/// Whether a workbook with these sheet names is a kamplan document (plan or summary).
pub fn is_kamplan_workbook<'a>(sheet_names: impl IntoIterator<Item = &'a str>) -> bool {
    sheet_names.into_iter().any(|n| n == SHEET)
}

/// A file's bytes, their sha256 and when it was last modified.
pub struct FileBytes {
    /// Where it was read from.
    pub path: std::path::PathBuf,
    pub bytes: Vec<u8>,
    pub sha256: String,
    /// Seconds since the epoch.
    pub modified: Option<i64>,
}

impl FileBytes {
    /// Reads a file whole.
    ///
    /// # Errors
    /// A [`CarryWarning`] naming the file when it cannot be read.
    pub fn read(path: &Path, file: &str) -> Result<FileBytes, CarryWarning> {
        let bytes = std::fs::read(path).map_err(|e| CarryWarning::file(file, format!("cannot read: {e}")))?;
        let sha256 = crate::publish::sha256_hex(&bytes);
        let modified = std::fs::metadata(path)
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map(|d| d.as_secs() as i64);
        Ok(FileBytes { path: path.to_path_buf(), bytes, sha256, modified })
    }
}

/// Reads a workbook from disk ([`FileBytes::read`], then [`read_bytes`]).
///
/// # Errors
/// As [`read_bytes`], and when the file cannot be read.
pub fn read_workbook(
    path: &Path,
    file: &str,
    opts: &ReadOptions,
    warnings: &mut Vec<CarryWarning>,
) -> Result<Opened, CarryWarning> {
    read_bytes(&FileBytes::read(path, file)?, file, opts, warnings)
}

/// Reads a workbook already in memory. Unusable cells and areas that cannot be found are
/// added to `warnings`; the rest of the file is still read.
///
/// # Errors
/// A [`CarryWarning`] naming the file when it cannot be opened or its identification sheet is
/// damaged beyond use (no version, kind or period).
pub fn read_bytes(
    f: &FileBytes,
    file: &str,
    opts: &ReadOptions,
    warnings: &mut Vec<CarryWarning>,
) -> Result<Opened, CarryWarning> {
    // calamine can panic on some malformed files; that is one warning, never a crash.
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let mut local = Vec::new();
        let r = read_inner(&f.path, &f.bytes, file, opts, &mut local);
        (r, local)
    }));
    let (opened, local) =
        result.map_err(|_| CarryWarning::file(file, "cannot read: the workbook is damaged"))?;
    warnings.extend(local);
    Ok(match opened? {
        Some((ident, areas)) if ident.kind == "plan" => {
            let areas = areas
                .into_iter()
                .map(|mut a| {
                    a.source.modified = f.modified;
                    a
                })
                .collect();
            Opened::Plan(Box::new(ReturnedPlan {
                file: file.to_string(),
                sha256: f.sha256.clone(),
                modified: f.modified,
                ident,
                areas,
            }))
        }
        Some(_) => Opened::Summary,
        None => Opened::NotAPlan,
    })
}

type Read = Option<(PlanIdent, Vec<AreaRead>)>;

fn read_inner(
    path: &Path,
    bytes: &[u8],
    file: &str,
    opts: &ReadOptions,
    warnings: &mut Vec<CarryWarning>,
) -> Result<Read, CarryWarning> {
    // calamine reads a whole part at once: a zip bomb among the returned plans stops here first.
    if bytes.starts_with(b"PK") {
        let cap = crate::config::IngestConfig::default().max_inflated_mb;
        crate::ingest::precheck_zip(path, cap).map_err(|e| CarryWarning::file(file, e))?;
    }
    let mut wb = open_workbook_auto_from_rs(std::io::Cursor::new(bytes))
        .map_err(|e| CarryWarning::file(file, format!("cannot open: {e}")))?;
    let sheets: Vec<String> = wb.sheet_names().to_vec();
    if !is_kamplan_workbook(sheets.iter().map(String::as_str)) {
        return Ok(None);
    }
    let range = wb
        .worksheet_range(SHEET)
        .map_err(|e| CarryWarning::file(file, format!("cannot read its identification sheet: {e}")))?;
    let rows = grid_rows(&range);
    let (ident, problems) = PlanIdent::from_rows(&rows).map_err(|e| match e {
        IdentError::NotIdent => CarryWarning {
            file: file.into(),
            sheet: SHEET.into(),
            cell: "A1".into(),
            value: rows.first().and_then(|r| r.first()).cloned().unwrap_or_default(),
            reason: "the identification sheet is damaged: nothing can be matched to an account".into(),
        },
        IdentError::Damaged { cell, value, reason, what } => CarryWarning {
            file: file.into(),
            sheet: SHEET.into(),
            cell,
            value,
            reason: format!("the identification sheet's {what} {reason}: nothing can be matched"),
        },
    })?;
    for p in problems {
        warnings.push(CarryWarning {
            file: file.into(),
            sheet: SHEET.into(),
            cell: p.cell,
            value: p.value,
            reason: format!("{}: that area of the identification sheet is damaged and was skipped", p.reason),
        });
    }
    if ident.kind != "plan" {
        return Ok(Some((ident, Vec::new())));
    }
    let names: HashMap<String, String> = wb.defined_names().iter().cloned().collect();
    let mut cache: HashMap<String, Range<Data>> = HashMap::new();
    let mut out = Vec::new();
    for a in &ident.areas {
        let Some((sheet, recorded)) = locate(a, &names, &sheets) else {
            warnings.push(CarryWarning {
                file: file.into(),
                sheet: a.sheet.clone(),
                cell: a.range.a1(),
                value: String::new(),
                reason: format!(
                    "the {} of account {} is not in the workbook any more (sheet deleted?); last month's entries are kept",
                    a.area.key(),
                    a.account
                ),
            });
            continue;
        };
        if !cache.contains_key(&sheet) {
            match wb.worksheet_range(&sheet) {
                Ok(r) => {
                    cache.insert(sheet.clone(), r);
                }
                Err(e) => {
                    warnings.push(CarryWarning {
                        file: file.into(),
                        sheet: sheet.clone(),
                        cell: String::new(),
                        value: String::new(),
                        reason: format!("cannot read the sheet: {e}"),
                    });
                    continue;
                }
            }
        }
        let grid = &cache[&sheet];
        let Some(header_row) = find_header(grid, a, recorded) else {
            warnings.push(CarryWarning {
                file: file.into(),
                sheet: sheet.clone(),
                cell: recorded.a1(),
                value: String::new(),
                reason: format!(
                    "the {} of account {} has lost its header row ({}); last month's entries are kept",
                    a.area.key(),
                    a.account,
                    a.labels.join(", ")
                ),
            });
            continue;
        };
        let span = AreaSpan::new(grid, a, header_row, recorded);
        let mut cell_warn = |r: u32, c: u32, value: String, reason: &str| {
            warnings.push(CarryWarning {
                file: file.into(),
                sheet: sheet.clone(),
                cell: a1(r, c),
                value,
                reason: format!("{reason} (account {}, kept as text)", a.account),
            });
        };
        let decimal = opts.decimal.unwrap_or(if ident.lang == "en" { '.' } else { ',' });
        let reader = CellReader { grid, opts, decimal };
        let (content, last) = read_area(&reader, a.area, &span, &mut cell_warn);
        out.push(AreaRead {
            account: a.account.clone(),
            area: a.area,
            content,
            source: Source {
                file: file.into(),
                sheet: sheet.clone(),
                cells: CellRange { first_row: header_row, last_row: last.max(header_row), ..span.range() }
                    .a1(),
                period: ident.period,
                modified: None,
            },
        });
    }
    Ok(Some((ident, out)))
}

/// Every cell of a range as text, row by row from A1 (what [`PlanIdent::from_rows`] reads).
fn grid_rows(range: &Range<Data>) -> Vec<Vec<String>> {
    let Some((r1, c1)) = range.end() else { return Vec::new() };
    (0..=r1)
        .map(|r| (0..=c1).map(|c| range.get_value((r, c)).and_then(text_of).unwrap_or_default()).collect())
        .collect()
}

/// `'Hotel O''Sol'!$A$3:$C$7` → (sheet, range).
fn parse_reference(formula: &str) -> Option<(String, CellRange)> {
    let f = formula.trim().trim_start_matches('=');
    let (sheet, cells) = f.rsplit_once('!')?;
    let sheet = match sheet.strip_prefix('\'').and_then(|s| s.strip_suffix('\'')) {
        Some(q) => q.replace("''", "'"),
        None => sheet.to_string(),
    };
    Some((sheet, CellRange::parse(cells)?))
}

/// The sheet and range an area is at now: the workbook name's target, else the recorded
/// sheet, else the sheet at the recorded position.
fn locate(a: &AreaRef, names: &HashMap<String, String>, sheets: &[String]) -> Option<(String, CellRange)> {
    let exists = |s: &str| sheets.iter().any(|n| n == s);
    if let Some((sheet, range)) = names.get(&a.name).and_then(|f| parse_reference(f)) {
        if exists(&sheet) {
            return Some((sheet, range));
        }
    }
    if exists(&a.sheet) {
        return Some((a.sheet.clone(), a.range));
    }
    sheets.get(a.sheet_index).filter(|s| s.as_str() != SHEET).map(|s| (s.clone(), a.range))
}

/// How many of the recorded labels a row shows, starting at `col`.
fn header_matches(grid: &Range<Data>, labels: &[String], row: u32, col: u32) -> usize {
    labels
        .iter()
        .enumerate()
        .filter(|(j, l)| {
            grid.get_value((row, col + *j as u32))
                .and_then(text_of)
                .is_some_and(|t| collate(&t) == collate(l))
        })
        .count()
}

/// The area's header row: where it was recorded when it still shows the labels, else the one
/// row of the sheet that does (none or several: not found, so nothing lands on another account).
fn find_header(grid: &Range<Data>, a: &AreaRef, at: CellRange) -> Option<u32> {
    let need = a.labels.len().div_ceil(2).max(1);
    if header_matches(grid, &a.labels, at.first_row, at.first_col) >= need {
        return Some(at.first_row);
    }
    let (end_row, _) = grid.end()?;
    let found: Vec<u32> = (0..=end_row)
        .filter(|r| header_matches(grid, &a.labels, *r, at.first_col) == a.labels.len())
        .collect();
    match found.as_slice() {
        [one] => Some(*one),
        _ => None,
    }
}

/// Where an area's columns are and how far down it goes.
struct AreaSpan {
    header: u32,
    first_col: u32,
    /// The recorded last row, moved with the header.
    last_row: u32,
    /// The sheet's last row.
    end_row: u32,
    /// Column of each key.
    cols: HashMap<String, u32>,
    width: u32,
}

impl AreaSpan {
    fn new(grid: &Range<Data>, a: &AreaRef, header: u32, at: CellRange) -> AreaSpan {
        let width = (at.last_col - at.first_col + 1).max(a.labels.len() as u32);
        let mut cols = HashMap::new();
        for (j, key) in a.columns.iter().enumerate() {
            let label = a.labels.get(j).map(|l| collate(l)).unwrap_or_default();
            // By its header label anywhere near (a column may have been inserted or moved),
            // else where it was written.
            let found = (at.first_col..at.first_col + width + 10).find(|c| {
                grid.get_value((header, *c)).and_then(text_of).is_some_and(|t| collate(&t) == label)
            });
            cols.insert(key.clone(), found.unwrap_or(at.first_col + j as u32));
        }
        AreaSpan {
            header,
            first_col: at.first_col,
            last_row: header + (at.last_row - at.first_row),
            end_row: grid.end().map(|e| e.0).unwrap_or(0),
            cols,
            width,
        }
    }

    fn range(&self) -> CellRange {
        CellRange {
            first_row: self.header,
            first_col: self.first_col,
            last_row: self.last_row,
            last_col: self.first_col + self.width - 1,
        }
    }

    /// The body rows to read: the recorded ones, then any the KAM typed right below, up to the
    /// first blank row.
    fn rows<'g>(&self, grid: &'g Range<Data>) -> impl Iterator<Item = u32> + 'g {
        let (header, last, first_col, width, end) =
            (self.header, self.last_row, self.first_col, self.width, self.end_row);
        let blank = move |r: u32| {
            (first_col..first_col + width).all(|c| grid.get_value((r, c)).and_then(text_of).is_none())
        };
        (header + 1..=end.min(last + MAX_EXTRA_ROWS)).take_while(move |r| *r <= last || !blank(*r))
    }

    fn col(&self, key: &str) -> Option<u32> {
        self.cols.get(key).copied()
    }
}

/// Reads typed cells of one sheet.
struct CellReader<'a> {
    grid: &'a Range<Data>,
    opts: &'a ReadOptions<'a>,
    decimal: char,
}

/// A cell read for its purpose: empty, a usable value, or text that is not usable.
enum Got<T> {
    Empty,
    Ok(T),
    Bad(String),
}

impl CellReader<'_> {
    fn data(&self, r: u32, c: Option<u32>) -> Option<&Data> {
        c.and_then(|c| self.grid.get_value((r, c)))
    }

    fn text(&self, r: u32, c: Option<u32>) -> Option<String> {
        self.data(r, c).and_then(text_of)
    }

    fn date(&self, r: u32, c: Option<u32>) -> Got<NaiveDate> {
        let Some(d) = self.data(r, c) else { return Got::Empty };
        match d {
            Data::Empty => Got::Empty,
            Data::DateTime(dt) => {
                dt.as_datetime().map(|t| Got::Ok(t.date())).unwrap_or(Got::Bad(d.to_string()))
            }
            Data::DateTimeIso(s) => NaiveDate::parse_from_str(s.get(..10).unwrap_or(s), "%Y-%m-%d")
                .map(Got::Ok)
                .unwrap_or(Got::Bad(s.clone())),
            // A date whose format was rewritten: an Excel serial (1900 system).
            Data::Float(_) | Data::Int(_) => {
                let n = match d {
                    Data::Float(f) => *f,
                    Data::Int(i) => *i as f64,
                    _ => f64::NAN,
                };
                serial_date(n).map(Got::Ok).unwrap_or(Got::Bad(text_of(d).unwrap_or_default()))
            }
            Data::String(s) if s.trim().is_empty() => Got::Empty,
            Data::String(s) => parse_text_date(s, self.opts.date_order)
                .map(Got::Ok)
                .unwrap_or(Got::Bad(s.trim().to_string())),
            other => Got::Bad(text_of(other).unwrap_or_default()),
        }
    }

    fn status(&self, r: u32, c: Option<u32>) -> Got<MeetingStatus> {
        match self.text(r, c) {
            None => Got::Empty,
            Some(t) => MeetingStatus::from_text(&t, &self.opts.langs).map(Got::Ok).unwrap_or(Got::Bad(t)),
        }
    }

    fn amount(&self, r: u32, c: Option<u32>) -> Got<f64> {
        let Some(d) = self.data(r, c) else { return Got::Empty };
        match d {
            Data::Empty => Got::Empty,
            Data::Float(f) if f.is_finite() => Got::Ok(*f),
            Data::Int(i) => Got::Ok(*i as f64),
            Data::String(s) if s.trim().is_empty() => Got::Empty,
            Data::String(s) => match parse_text_number(s) {
                TextNum::Value(v, _) if v.is_finite() => Got::Ok(v),
                TextNum::Ambiguous { comma, dot } => Got::Ok(if self.decimal == '.' { dot } else { comma }),
                // Two signs (`(-5)`) or not a finite number: never guessed.
                TextNum::Value(..) | TextNum::SignConflict | TextNum::Invalid => {
                    Got::Bad(s.trim().to_string())
                }
            },
            other => Got::Bad(text_of(other).unwrap_or_default()),
        }
    }

    /// A whole number 1..=n as typed in a number cell (`1`, `1.0`, `"2"`).
    fn small_int(&self, r: u32, c: Option<u32>, max: u32) -> Option<u32> {
        let d = self.data(r, c)?;
        let n = match d {
            Data::Float(f) => *f,
            Data::Int(i) => *i as f64,
            Data::String(s) => s.trim().trim_end_matches('.').parse::<f64>().ok()?,
            _ => return None,
        };
        (n.fract() == 0.0 && n >= 1.0 && n <= max as f64).then_some(n as u32)
    }
}

/// An Excel serial day number (1900 system) as a date, within Excel's range.
fn serial_date(n: f64) -> Option<NaiveDate> {
    if !(1.0..2_958_466.0).contains(&n) {
        return None;
    }
    NaiveDate::from_ymd_opt(1899, 12, 30)?.checked_add_days(chrono::Days::new(n.floor() as u64))
}

/// A cell's text as a person reads it; `None` for an empty or blank cell.
pub(crate) fn text_of(d: &Data) -> Option<String> {
    let t = match d {
        Data::Empty => return None,
        Data::String(s) => s.trim().to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::DateTime(dt) => match dt.as_datetime() {
            Some(t) if t.time() == chrono::NaiveTime::MIN => t.date().to_string(),
            Some(t) => t.to_string(),
            None => d.to_string(),
        },
        other => other.to_string(),
    };
    (!t.is_empty()).then_some(t)
}

/// Reads the rows of one area; returns its entries and the last row read.
fn read_area(
    cr: &CellReader,
    area: Area,
    span: &AreaSpan,
    warn: &mut dyn FnMut(u32, u32, String, &str),
) -> (AreaContent, u32) {
    let mut last = span.header;
    let date = |r: u32,
                key: &str,
                warn: &mut dyn FnMut(u32, u32, String, &str)|
     -> (Option<NaiveDate>, Option<String>) {
        match cr.date(r, span.col(key)) {
            Got::Empty => (None, None),
            Got::Ok(d) => (Some(d), None),
            Got::Bad(t) => {
                warn(r, span.col(key).unwrap_or(0), t.clone(), "is not a date");
                (None, Some(t))
            }
        }
    };
    match area {
        Area::Meetings | Area::History => {
            let mut rows = Vec::new();
            for r in span.rows(cr.grid) {
                last = r;
                let number = span.col("number");
                let step = cr.small_int(r, number, 4);
                let (date, date_text) = date(r, "date", warn);
                let (status, status_text) = match cr.status(r, span.col("status")) {
                    Got::Empty => (None, None),
                    Got::Ok(s) => (Some(s), None),
                    Got::Bad(t) => {
                        warn(
                            r,
                            span.col("status").unwrap_or(0),
                            t.clone(),
                            "is not a meeting status of the list",
                        );
                        (None, Some(t))
                    }
                };
                let e = MeetingEntry {
                    step,
                    number_text: if step.is_none() { cr.text(r, number) } else { None },
                    // The four steps' objectives are kamplan's; a row the KAM added keeps its own.
                    objective: if step.is_none() || area == Area::History {
                        cr.text(r, span.col("objective"))
                    } else {
                        None
                    },
                    date,
                    date_text,
                    status,
                    status_text,
                    notes: cr.text(r, span.col("notes")),
                    cycle: if area == Area::History {
                        cr.small_int(r, span.col("cycle"), 9999)
                    } else {
                        None
                    },
                };
                if e.has_content() || (area == Area::History && e.step.is_some()) {
                    rows.push(e);
                }
            }
            let content =
                if area == Area::Meetings { AreaContent::Meetings(rows) } else { AreaContent::History(rows) };
            (content, last)
        }
        Area::Contacts => {
            let mut rows = Vec::new();
            for r in span.rows(cr.grid) {
                last = r;
                let (date, date_text) = date(r, "date", warn);
                let e = ContactEntry {
                    date,
                    date_text,
                    kind: cr.text(r, span.col("kind")),
                    notes: cr.text(r, span.col("notes")),
                };
                if e != ContactEntry::default() {
                    rows.push(e);
                }
            }
            (AreaContent::Contacts(rows), last)
        }
        Area::DecisionMakers => {
            let mut rows = Vec::new();
            for r in span.rows(cr.grid) {
                last = r;
                let t = |k: &str| cr.text(r, span.col(k));
                let e = DecisionMaker {
                    name: t("name"),
                    role: t("role"),
                    influence: t("influence"),
                    stance: t("stance"),
                    notes: t("notes"),
                };
                if e != DecisionMaker::default() {
                    rows.push(e);
                }
            }
            (AreaContent::DecisionMakers(rows), last)
        }
        Area::Strategy => {
            let mut s = Strategy::default();
            let join = |a: &mut Option<String>, b: Option<String>| {
                if let Some(b) = b {
                    *a = Some(match a.take() {
                        Some(x) => format!("{x}\n{b}"),
                        None => b,
                    });
                }
            };
            for r in span.rows(cr.grid) {
                last = r;
                join(&mut s.objective, cr.text(r, span.col("objective")));
                join(&mut s.next_steps, cr.text(r, span.col("next_steps")));
                let c = span.col("agreed_target");
                match cr.amount(r, c) {
                    Got::Empty => {}
                    Got::Ok(v) if s.agreed_target.is_none() && s.agreed_target_text.is_none() => {
                        s.agreed_target = Some(v)
                    }
                    Got::Ok(v) => {
                        warn(r, c.unwrap_or(0), v.to_string(), "is a second agreed target; the first is used")
                    }
                    Got::Bad(t) => {
                        warn(r, c.unwrap_or(0), t.clone(), "is not an amount");
                        if s.agreed_target.is_none() && s.agreed_target_text.is_none() {
                            s.agreed_target_text = Some(t);
                        }
                    }
                }
            }
            (AreaContent::Strategy(s), last)
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::super::ident::PlanIdent;
    use super::*;
    use crate::render::{xlsx::XlsxRenderer, RenderContext, Renderer};

    /// A plan with every KAM-owned area of two accounts, some cells filled as carried
    /// content (a bad date and status kept as text among them).
    pub(crate) const XHTML: &str = r#"<document title="Plan" lang="es" author="kamplan" subject="2026-10">
<section title="Hotel O'Sol">
  <h1>Hotel O'Sol</h1>
  <note kind="kam">Para completar por el KAM</note>
  <table name="reuniones_1" area="meetings" account="C1" data-keys="number|objective|date|status|notes">
    <thead><tr><th data-format="int">Nº</th><th>Objetivo</th><th data-format="date" data-fill="true">Fecha</th>
      <th data-fill="true" data-choices="Pendiente|Planificada|Hecha">Estado</th><th data-fill="true">Notas</th></tr></thead>
    <tbody>
      <tr><td data-value="1">1</td><td>Identificar a quién decide</td><td data-value="2026-09-03">03/09/2026</td><td>Hecha</td><td>=Decide Jorge</td></tr>
      <tr><td data-value="2">2</td><td>Competencia</td><td>mañana</td><td>quizás</td><td></td></tr>
      <tr><td data-value="3">3</td><td>Necesidades</td><td data-format="date"></td><td>Pendiente</td><td></td></tr>
      <tr><td>2 bis</td><td>Repetir la 2</td><td data-value="2026-11-10">10/11/2026</td><td>Planificada</td><td></td></tr>
    </tbody>
  </table>
  <table name="contactos_1" area="contacts" account="C1" data-keys="date|kind|notes">
    <thead><tr><th data-format="date" data-fill="true">Fecha</th><th data-fill="true">Tipo</th><th data-fill="true">Notas</th></tr></thead>
    <tbody><tr><td data-value="2026-10-02">02/10/2026</td><td>Llamada</td><td>pide precios</td></tr></tbody>
  </table>
  <table name="estrategia_1" area="strategy" account="C1" data-keys="objective|next_steps|agreed_target">
    <thead><tr><th data-fill="true">Objetivo acordado con el cliente</th><th data-fill="true">Próximos pasos</th><th data-format="money" data-fill="true">Objetivo de ventas acordado</th></tr></thead>
    <tbody><tr><td>Ser su proveedor único</td><td></td><td data-value="120000.5">120.000,50 €</td></tr></tbody>
  </table>
</section>
<section title="Otra">
  <table name="decisores_2" area="decision_makers" account="C2" data-keys="name|role|influence|stance|notes">
    <thead><tr><th data-fill="true">Nombre</th><th data-fill="true">Cargo</th><th data-fill="true">Influencia</th><th data-fill="true">Postura</th><th data-fill="true">Notas</th></tr></thead>
    <tbody><tr><td>Nuria Pons</td><td>Compras</td><td>Alta</td><td>Favorable</td><td></td></tr><tr><td></td><td></td><td></td><td></td><td></td></tr></tbody>
  </table>
</section>
</document>"#;

    pub(crate) fn published(dir: &Path) -> std::path::PathBuf {
        let doc = crate::document::parse(XHTML).unwrap();
        let ctx = RenderContext {
            created: NaiveDate::from_ymd_opt(2026, 10, 31).unwrap().and_hms_opt(0, 0, 0).unwrap(),
            document_id: "id".into(),
            page_label: "{page}/{pages}".into(),
            lang: "es".into(),
            ident: Some(PlanIdent::plan("2026-10".parse().unwrap(), "Ana", "es")),
        };
        let path = dir.join("plan.xlsx");
        std::fs::write(&path, XlsxRenderer.render(&doc, &ctx).unwrap()).unwrap();
        path
    }

    pub(crate) fn es() -> Lang {
        Lang::load("es", "€", None).unwrap()
    }

    #[test]
    fn what_the_renderer_wrote_reads_back() {
        let t = tempfile::tempdir().unwrap();
        let path = published(t.path());
        let es = es();
        let opts = ReadOptions { langs: vec![&es], date_order: DateOrder::Dmy, decimal: None };
        let mut w = Vec::new();
        let Opened::Plan(p) = read_workbook(&path, "plan.xlsx", &opts, &mut w).unwrap() else { panic!() };
        assert_eq!((p.ident.kam.as_str(), p.ident.period.to_string()), ("Ana", "2026-10".to_string()));
        let got: Vec<(&str, Area)> = p.areas.iter().map(|a| (a.account.as_str(), a.area)).collect();
        assert_eq!(
            got,
            [
                ("C1", Area::Meetings),
                ("C1", Area::Contacts),
                ("C1", Area::Strategy),
                ("C2", Area::DecisionMakers)
            ]
        );
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d);
        let AreaContent::Meetings(m) = &p.areas[0].content else { panic!() };
        assert_eq!(m.len(), 3, "{m:?}");
        assert_eq!((m[0].step, m[0].date, m[0].status), (Some(1), d(2026, 9, 3), Some(MeetingStatus::Done)));
        assert_eq!(m[0].notes.as_deref(), Some("=Decide Jorge"), "text stays text");
        assert_eq!(m[0].objective, None, "the steps' objectives are kamplan's");
        assert_eq!(
            (m[1].date_text.as_deref(), m[1].status_text.as_deref()),
            (Some("mañana"), Some("quizás"))
        );
        assert_eq!((m[2].step, m[2].number_text.as_deref()), (None, Some("2 bis")));
        assert_eq!(
            (m[2].objective.as_deref(), m[2].status),
            (Some("Repetir la 2"), Some(MeetingStatus::Planned))
        );
        let AreaContent::Contacts(c) = &p.areas[1].content else { panic!() };
        assert_eq!(c[0].date, d(2026, 10, 2));
        let AreaContent::Strategy(s) = &p.areas[2].content else { panic!() };
        assert_eq!(
            (s.objective.as_deref(), s.agreed_target),
            (Some("Ser su proveedor único"), Some(120000.5))
        );
        let AreaContent::DecisionMakers(dm) = &p.areas[3].content else { panic!() };
        assert_eq!(dm.len(), 1);
        assert_eq!(dm[0].stance.as_deref(), Some("Favorable"));
        // The bad date and status: one located warning each, the text kept.
        let ws: Vec<String> = w.iter().map(|w| w.to_string()).collect();
        assert_eq!(ws.len(), 2, "{ws:?}");
        assert!(
            ws[0].starts_with("returned plan plan.xlsx › Hotel O'Sol › C7: \"mañana\": is not a date"),
            "{}",
            ws[0]
        );
        assert!(ws[1].contains("› D7: \"quizás\": is not a meeting status"), "{}", ws[1]);
        assert_eq!(p.areas[0].source.cells, "A5:E12");
        assert_eq!(p.areas[0].source.sheet, "Hotel O'Sol");
    }

    #[test]
    fn references_read_as_programs_write_them() {
        let r = CellRange { first_row: 2, first_col: 0, last_row: 6, last_col: 2 };
        assert_eq!(parse_reference("'Hotel O''Sol'!$A$3:$C$7"), Some(("Hotel O'Sol".into(), r)));
        assert_eq!(parse_reference("=Cuentas!A3:C7"), Some(("Cuentas".into(), r)));
        assert_eq!(parse_reference("#REF!"), None);
        assert_eq!(parse_reference("'x'!#REF!"), None);
    }

    #[test]
    fn serials_and_texts_are_dates() {
        assert_eq!(serial_date(46_000.0), NaiveDate::from_ymd_opt(2025, 12, 9));
        assert_eq!(serial_date(0.0), None);
        assert_eq!(text_of(&Data::Float(3.0)).as_deref(), Some("3"));
        assert_eq!(text_of(&Data::Float(3.5)).as_deref(), Some("3.5"));
        assert_eq!(text_of(&Data::String("  ".into())), None);
    }
}
