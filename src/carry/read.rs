//! Reading one returned plan: its identification sheet, then each KAM-owned area's cells into
//! plain entries, every unusable cell a located warning with its text kept.
//!
//! An area is found through its workbook name (which Excel, LibreOffice and other programs
//! keep pointing at it when a sheet is renamed or rows are inserted), else the sheet and range
//! the identification sheet recorded, else the sheet at the recorded position; its header row
//! must show the recorded labels, else it is searched for on that sheet (one match only). Its
//! columns are found by their header labels, so an inserted or moved column is read right;
//! rows the KAM typed right below the area are read too. Here the workbook and its
//! identification sheet; in `locate` where an area is now, in `cells` its cells as entries.

mod cells;
mod locate;

use std::collections::HashMap;
use std::path::Path;

use calamine::{open_workbook_auto_from_rs, Data, Range, Reader};

use super::ident::{Area, CellRange, IdentError, PlanIdent, SHEET};
use super::{CarryWarning, ContactEntry, DecisionMaker, MeetingEntry, Source, Strategy};
use crate::config::DateOrder;
use crate::ingest::a1;
use crate::lang::Lang;
pub(crate) use cells::text_of;
use cells::{read_area, CellReader};
use locate::{find_header, locate, AreaSpan};

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
    // calamine reads a whole part at once. zip stops each part at the size the archive
    // declares for it, so a workbook that declares little in all (a plan: under a megabyte) is
    // bounded as it stands; one that declares more, or does not say, is first inflated part by
    // part through `[ingest] max_inflated_mb`, so a zip bomb stops here.
    if bytes.starts_with(b"PK") && declared_size(bytes).is_none_or(|n| n > SMALL_PACKAGE) {
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

/// The most a zipped workbook may declare its parts inflate to, in all, to be read without
/// the part-by-part check first: 64 times a published plan's size.
const SMALL_PACKAGE: u128 = 64 << 20;

/// What a zip archive's central directory says its parts inflate to, in all (the size zip
/// holds each part to when it reads it, data descriptor or not); `None` when it cannot be read.
fn declared_size(bytes: &[u8]) -> Option<u128> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).ok()?;
    (0..zip.len()).try_fold(0u128, |n, i| Some(n + u128::from(zip.by_index_raw(i).ok()?.size())))
}

/// Every cell of a range as text, row by row from A1 (what [`PlanIdent::from_rows`] reads).
fn grid_rows(range: &Range<Data>) -> Vec<Vec<String>> {
    let Some((r1, c1)) = range.end() else { return Vec::new() };
    (0..=r1)
        .map(|r| (0..=c1).map(|c| range.get_value((r, c)).and_then(text_of).unwrap_or_default()).collect())
        .collect()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::super::ident::PlanIdent;
    use super::*;
    use crate::plan::MeetingStatus;
    use crate::render::{xlsx::XlsxRenderer, RenderContext, Renderer};
    use chrono::NaiveDate;

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
}
