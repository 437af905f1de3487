//! The identification sheet: which kamplan document a workbook is, and where its KAM-owned
//! areas are.
//!
//! One struct, two ends. The plan stage fills the header (format version, period, KAM), the
//! XLSX renderer adds each KAM-owned area where it wrote it and writes the sheet with
//! [`PlanIdent::to_rows`] (plus a workbook name per area that Excel and LibreOffice keep
//! pointing at the area when a sheet is renamed or rows are inserted), and `carry` reads it back
//! with [`PlanIdent::from_rows`]. A returned plan is matched by account code and this sheet,
//! never by sheet name or row position.
//!
//! The sheet, hidden, as it is written (every cell is text):
//!
//! ```text
//!    A            B                  C        D            E        F            G       H
//! 1  kamplan      (what this sheet is, do not edit)
//! 2  version      1
//! 3  kind         plan
//! 4  period       2026-10
//! 5  kam          Lucía Pérez
//! 6  document     5f0c…
//! 7  lang         es
//! 8
//! 9  account      area               sheet    sheet_index  range    name         columns labels
//! 10 C0028        meetings           Hotel X  3            A40:E47  _kamplan_1   [JSON]  [JSON]
//! ```

use serde::{Deserialize, Serialize};

use crate::ingest::a1;
use crate::period::Month;

/// Name of the hidden identification sheet.
pub const SHEET: &str = "_kamplan";
/// What cell A1 of the sheet holds.
pub const MARKER: &str = "kamplan";
/// The format version this build writes and reads.
pub const VERSION: u32 = 1;
/// Prefix of the workbook names that point at each area (`_kamplan_1`, …).
pub const NAME_PREFIX: &str = "_kamplan_";

/// A part of an account's section that the KAM owns (or that must survive with it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Area {
    /// The closer's four meetings and the rows the KAM adds.
    Meetings,
    /// Finished meeting cycles (written by kamplan, kept with the account).
    History,
    /// The KAM's contact log.
    Contacts,
    /// The decision-maker map.
    DecisionMakers,
    /// The account strategy: objective agreed with the customer, next steps, agreed target.
    Strategy,
}

impl Area {
    /// Every area.
    pub const ALL: [Area; 5] =
        [Area::Meetings, Area::History, Area::Contacts, Area::DecisionMakers, Area::Strategy];

    /// The stable key, as in the template's `area="…"`.
    pub fn key(self) -> &'static str {
        match self {
            Area::Meetings => "meetings",
            Area::History => "history",
            Area::Contacts => "contacts",
            Area::DecisionMakers => "decision_makers",
            Area::Strategy => "strategy",
        }
    }

    /// The area of a key.
    pub fn from_key(key: &str) -> Option<Area> {
        Area::ALL.into_iter().find(|a| a.key() == key.trim())
    }
}

/// A block of cells, 0-based and inclusive, shown as Excel shows it (`A40:E47`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CellRange {
    pub first_row: u32,
    pub first_col: u32,
    pub last_row: u32,
    pub last_col: u32,
}

impl CellRange {
    /// `A40:E47`.
    pub fn a1(&self) -> String {
        format!("{}:{}", a1(self.first_row, self.first_col), a1(self.last_row, self.last_col))
    }

    /// `$A$40:$E$47`, for a workbook name.
    pub fn absolute(&self) -> String {
        let abs = |r: u32, c: u32| format!("${}${}", crate::ingest::col_letters(c), r as u64 + 1);
        format!("{}:{}", abs(self.first_row, self.first_col), abs(self.last_row, self.last_col))
    }

    /// Reads `A40:E47`, `$A$40:$E$47` or a single cell `B3`; `None` for anything else.
    pub fn parse(s: &str) -> Option<CellRange> {
        let s = s.trim();
        let (a, b) = s.split_once(':').unwrap_or((s, s));
        let (r1, c1) = parse_cell(a)?;
        let (r2, c2) = parse_cell(b)?;
        Some(CellRange {
            first_row: r1.min(r2),
            first_col: c1.min(c2),
            last_row: r1.max(r2),
            last_col: c1.max(c2),
        })
    }
}

/// `B3` / `$B$3` → (row, col), 0-based.
fn parse_cell(s: &str) -> Option<(u32, u32)> {
    let s = s.trim().replace('$', "");
    let split = s.find(|c: char| c.is_ascii_digit())?;
    let (letters, digits) = s.split_at(split);
    if letters.is_empty() || letters.len() > 3 || !letters.chars().all(|c| c.is_ascii_alphabetic()) {
        return None;
    }
    let mut col: u32 = 0;
    for ch in letters.chars() {
        col = col * 26 + (ch.to_ascii_uppercase() as u32 - 'A' as u32 + 1);
    }
    let row: u32 = digits.parse().ok().filter(|r| *r >= 1)?;
    Some((row - 1, col - 1))
}

/// Where one KAM-owned area of one account was written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AreaRef {
    /// The account's code.
    pub account: String,
    pub area: Area,
    /// The sheet's name when published.
    pub sheet: String,
    /// The sheet's position (0-based) when published.
    pub sheet_index: usize,
    /// Header row to the last row written (blank rows to fill in included).
    pub range: CellRange,
    /// The workbook name that points at the range (`_kamplan_3`).
    pub name: String,
    /// One key per column (`date`, `status`, …), in order.
    pub columns: Vec<String>,
    /// The header labels as written, in order.
    pub labels: Vec<String>,
}

/// Which kamplan document a workbook is, and where its KAM-owned areas are.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanIdent {
    pub version: u32,
    /// `plan` (a KAM's plan) or `summary` (the management summary).
    pub kind: String,
    pub period: Month,
    /// The KAM whose plan it is (empty for the summary).
    pub kam: String,
    /// The document's stable id (as in the PDF's `/ID`).
    pub document_id: String,
    pub lang: String,
    pub areas: Vec<AreaRef>,
}

/// What the sheet's area table is headed with, in order.
const AREA_HEADER: [&str; 8] =
    ["account", "area", "sheet", "sheet_index", "range", "name", "columns", "labels"];

/// An identification sheet that cannot be used at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdentError {
    #[error("A1 does not say {MARKER:?}: not a kamplan identification sheet")]
    NotIdent,
    #[error("{cell}: {what} {value:?} {reason}")]
    Damaged { cell: String, what: &'static str, value: String, reason: String },
}

/// A part of the sheet that could not be read; the rest is still used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdentProblem {
    /// The cell, as Excel shows it (`E12`).
    pub cell: String,
    pub value: String,
    pub reason: String,
}

impl PlanIdent {
    /// A plan's header, without areas (the renderer adds them).
    pub fn plan(period: Month, kam: &str, lang: &str) -> PlanIdent {
        PlanIdent {
            version: VERSION,
            kind: "plan".into(),
            period,
            kam: kam.to_string(),
            document_id: String::new(),
            lang: lang.to_string(),
            areas: Vec::new(),
        }
    }

    /// The management summary's header: no KAM, no areas (never read back as a plan).
    pub fn summary(period: Month, lang: &str) -> PlanIdent {
        PlanIdent { kind: "summary".into(), ..PlanIdent::plan(period, "", lang) }
    }

    /// The sheet's cells, row by row, all text.
    pub fn to_rows(&self) -> Vec<Vec<String>> {
        let json = |v: &[String]| serde_json::to_string(v).unwrap_or_else(|_| "[]".into());
        let mut rows = vec![
            vec![
                MARKER.to_string(),
                "Identifica este plan y sus zonas del KAM: no modifique esta hoja. \
                 Identifies this plan and its KAM-owned areas: do not edit this sheet."
                    .to_string(),
            ],
            vec!["version".into(), self.version.to_string()],
            vec!["kind".into(), self.kind.clone()],
            vec!["period".into(), self.period.to_string()],
            vec!["kam".into(), self.kam.clone()],
            vec!["document".into(), self.document_id.clone()],
            vec!["lang".into(), self.lang.clone()],
            vec![],
            AREA_HEADER.iter().map(|h| h.to_string()).collect(),
        ];
        for a in &self.areas {
            rows.push(vec![
                a.account.clone(),
                a.area.key().to_string(),
                a.sheet.clone(),
                a.sheet_index.to_string(),
                a.range.a1(),
                a.name.clone(),
                json(&a.columns),
                json(&a.labels),
            ]);
        }
        rows
    }

    /// Reads the sheet's cells back (row by row, as text; missing cells empty).
    ///
    /// # Errors
    /// [`IdentError::NotIdent`] when A1 is not the marker; [`IdentError::Damaged`] when the
    /// version, kind or period cannot be read (without them nothing can be matched). A
    /// damaged area row is an [`IdentProblem`] and the other areas are still returned.
    pub fn from_rows(rows: &[Vec<String>]) -> Result<(PlanIdent, Vec<IdentProblem>), IdentError> {
        let cell =
            |r: usize, c: usize| rows.get(r).and_then(|row| row.get(c)).map(|s| s.trim()).unwrap_or("");
        if cell(0, 0) != MARKER {
            return Err(IdentError::NotIdent);
        }
        // Header: key/value rows until the area table's header.
        let mut fields = std::collections::HashMap::new();
        let mut r = 1;
        while r < rows.len() && cell(r, 0) != AREA_HEADER[0] {
            if !cell(r, 0).is_empty() {
                fields.insert(cell(r, 0).to_string(), (r, cell(r, 1).to_string()));
            }
            r += 1;
        }
        let get = |key: &str| fields.get(key).cloned();
        let damaged = |key: &'static str, at: Option<(usize, String)>, reason: &str| {
            let (row, value) = at.unwrap_or((0, String::new()));
            IdentError::Damaged {
                cell: if row == 0 { "A:B".into() } else { a1(row as u32, 1) },
                what: key,
                value,
                reason: reason.into(),
            }
        };
        let version = match get("version") {
            Some((_, v)) if v.parse::<u32>().is_ok_and(|n| n >= 1 && n <= VERSION) => {
                v.parse::<u32>().unwrap_or(VERSION)
            }
            Some(at) => {
                return Err(damaged(
                    "version",
                    Some(at),
                    &format!("is not a format this kamplan reads (1 to {VERSION})"),
                ))
            }
            None => return Err(damaged("version", None, "is missing")),
        };
        let kind = match get("kind") {
            Some((_, k)) if k == "plan" || k == "summary" => k,
            Some(at) => return Err(damaged("kind", Some(at), "is not plan or summary")),
            None => return Err(damaged("kind", None, "is missing")),
        };
        let period = match get("period") {
            Some((r, p)) => {
                p.parse::<Month>().map_err(|_| damaged("period", Some((r, p)), "is not a month YYYY-MM"))?
            }
            None => return Err(damaged("period", None, "is missing")),
        };
        let text = |key: &str| get(key).map(|(_, v)| v).unwrap_or_default();
        let mut ident = PlanIdent {
            version,
            kind,
            period,
            kam: text("kam"),
            document_id: text("document"),
            lang: text("lang"),
            areas: Vec::new(),
        };

        let mut problems = Vec::new();
        let list = |r: usize, c: usize, problems: &mut Vec<IdentProblem>| -> Option<Vec<String>> {
            let v = cell(r, c);
            if v.is_empty() {
                return Some(Vec::new());
            }
            match serde_json::from_str::<Vec<String>>(v) {
                Ok(l) => Some(l),
                Err(_) => {
                    problems.push(IdentProblem {
                        cell: a1(r as u32, c as u32),
                        value: v.to_string(),
                        reason: "is not a list of texts".into(),
                    });
                    None
                }
            }
        };
        for (r, row) in rows.iter().enumerate().skip(r + 1) {
            if row.iter().all(|c| c.trim().is_empty()) {
                continue;
            }
            let bad = |c: usize, reason: &str, problems: &mut Vec<IdentProblem>| {
                problems.push(IdentProblem {
                    cell: a1(r as u32, c as u32),
                    value: cell(r, c).to_string(),
                    reason: reason.into(),
                });
            };
            let account = cell(r, 0).to_string();
            if account.is_empty() {
                bad(0, "names no account", &mut problems);
                continue;
            }
            let Some(area) = Area::from_key(cell(r, 1)) else {
                bad(1, "is not a KAM-owned area", &mut problems);
                continue;
            };
            let Some(range) = CellRange::parse(cell(r, 4)) else {
                bad(4, "is not a cell range", &mut problems);
                continue;
            };
            let sheet_index = cell(r, 3).parse::<usize>().unwrap_or(usize::MAX);
            let (Some(columns), Some(labels)) = (list(r, 6, &mut problems), list(r, 7, &mut problems)) else {
                continue;
            };
            ident.areas.push(AreaRef {
                account,
                area,
                sheet: cell(r, 2).to_string(),
                sheet_index,
                range,
                name: cell(r, 5).to_string(),
                columns,
                labels,
            });
        }
        Ok((ident, problems))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn sample() -> PlanIdent {
        PlanIdent {
            document_id: "abc".into(),
            areas: vec![
                AreaRef {
                    account: "C0028".into(),
                    area: Area::Meetings,
                    sheet: "Hotel «Sol» 'Mar'".into(),
                    sheet_index: 3,
                    range: CellRange { first_row: 39, first_col: 0, last_row: 46, last_col: 4 },
                    name: "_kamplan_1".into(),
                    columns: ["number", "objective", "date", "status", "notes"].map(String::from).to_vec(),
                    labels: ["Nº", "Objetivo", "Fecha", "Estado", "Notas | \"x\""].map(String::from).to_vec(),
                },
                AreaRef {
                    account: "=HYPERLINK(\"x\")".into(),
                    area: Area::Strategy,
                    sheet: "Cuentas".into(),
                    sheet_index: 1,
                    range: CellRange { first_row: 0, first_col: 0, last_row: 3, last_col: 1 },
                    name: "_kamplan_2".into(),
                    columns: vec!["objective".into(), "next_steps".into(), "agreed_target".into()],
                    labels: vec![
                        "Objetivo acordado".into(),
                        "Próximos pasos".into(),
                        "Objetivo de ventas".into(),
                    ],
                },
            ],
            ..PlanIdent::plan("2026-10".parse().unwrap(), "Lucía Pérez", "es")
        }
    }

    #[test]
    fn rows_round_trip() {
        let i = sample();
        let (back, problems) = PlanIdent::from_rows(&i.to_rows()).unwrap();
        assert_eq!(back, i);
        assert!(problems.is_empty());
    }

    #[test]
    fn ranges_read_as_excel_writes_them() {
        let r = CellRange { first_row: 39, first_col: 0, last_row: 46, last_col: 27 };
        assert_eq!(r.a1(), "A40:AB47");
        assert_eq!(r.absolute(), "$A$40:$AB$47");
        assert_eq!(CellRange::parse("A40:AB47"), Some(r));
        assert_eq!(CellRange::parse("$A$40:$AB$47"), Some(r));
        assert_eq!(CellRange::parse("b3").map(|c| c.a1()), Some("B3:B3".into()));
        for bad in ["", "A0", "40", "ABCD1", "A1:", "#REF!"] {
            assert_eq!(CellRange::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn damaged_sheets_say_where() {
        let mut rows = sample().to_rows();
        assert_eq!(PlanIdent::from_rows(&rows[1..]).unwrap_err(), IdentError::NotIdent);
        rows[3][1] = "octubre".into();
        let e = PlanIdent::from_rows(&rows).unwrap_err();
        assert_eq!(e.to_string(), "B4: period \"octubre\" is not a month YYYY-MM");
        let mut rows = sample().to_rows();
        rows[1][1] = "99".into();
        assert!(PlanIdent::from_rows(&rows).unwrap_err().to_string().contains("version \"99\""));

        // A damaged area row is reported with its cell; the other area is kept.
        let mut rows = sample().to_rows();
        rows[9][4] = "por ahí".into();
        let (i, problems) = PlanIdent::from_rows(&rows).unwrap();
        assert_eq!(i.areas.len(), 1);
        assert_eq!(i.areas[0].area, Area::Strategy);
        assert_eq!(problems[0].cell, "E10");
        assert_eq!(problems[0].value, "por ahí");
    }
}
