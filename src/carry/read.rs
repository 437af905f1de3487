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
mod xlsx;

use std::collections::HashMap;
use std::path::Path;

use calamine::{open_workbook_auto_from_rs, Data, Range, Reader};

use super::ident::{Area, CellRange, IdentError, PlanIdent, SHEET};
use super::{CarryWarning, ContactEntry, DecisionMaker, MeetingEntry, Source, Strategy};
use crate::config::DateOrder;
use crate::ingest::a1;
use crate::lang::Lang;
use crate::plan::StatusNames;
pub(crate) use cells::text_of;
use cells::{read_area, CellReader};
use locate::{find_header, header_at, locate, AreaSpan};

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
    // A returned xlsx is read by our own reader, which passes over the rows no area reaches;
    // anything it declines (another format, a part it finds damaged, rows out of order) is
    // read by calamine, whose messages the warnings then carry.
    if bytes.starts_with(b"PK") {
        if let Ok(book) = xlsx::Book::open(bytes) {
            let mut local = Vec::new();
            if let Ok(read) = read_from(Wb::Ours(Box::new(book)), file, opts, &mut local) {
                warnings.extend(local);
                return Ok(read);
            }
        }
    }
    let wb = open_workbook_auto_from_rs(std::io::Cursor::new(bytes))
        .map_err(|e| CarryWarning::file(file, format!("cannot open: {e}")))?;
    read_from(Wb::Calamine(Box::new(wb)), file, opts, warnings).map_err(|e| match e {
        Declined::Warning(w) => w,
        Declined::Ours => CarryWarning::file(file, "cannot read: the workbook is damaged"),
    })
}

/// A workbook being read: by our xlsx reader or by calamine.
enum Wb<'a> {
    Ours(Box<xlsx::Book<'a>>),
    Calamine(Box<calamine::Sheets<std::io::Cursor<&'a [u8]>>>),
}

impl Wb<'_> {
    fn sheet_names(&self) -> Vec<String> {
        match self {
            Wb::Ours(b) => b.sheets.iter().map(|(n, _)| n.clone()).collect(),
            Wb::Calamine(c) => c.sheet_names().to_vec(),
        }
    }

    fn defined_names(&self) -> HashMap<String, String> {
        match self {
            Wb::Ours(b) => b.names.iter().cloned().collect(),
            Wb::Calamine(c) => c.defined_names().iter().cloned().collect(),
        }
    }

    /// A sheet's cells; ours reads only the rows `windows` reach (all when `None`). `Err(None)`:
    /// ours declined the sheet; `Err(Some(_))`: calamine's reason it cannot read it.
    fn range(
        &mut self,
        sheet: &str,
        windows: Option<&[xlsx::Window]>,
    ) -> Result<Range<Data>, Option<String>> {
        match self {
            Wb::Ours(b) => {
                let i = b.sheets.iter().position(|(n, _)| n == sheet).ok_or(None)?;
                b.range(i, windows).ok().flatten().ok_or(None)
            }
            Wb::Calamine(c) => c.worksheet_range(sheet).map_err(|e| Some(e.to_string())),
        }
    }
}

/// Why reading a workbook stopped.
enum Declined {
    /// Our reader cannot read it as calamine would: calamine reads it.
    Ours,
    Warning(CarryWarning),
}

impl From<CarryWarning> for Declined {
    fn from(w: CarryWarning) -> Declined {
        Declined::Warning(w)
    }
}

fn read_from(
    mut wb: Wb<'_>,
    file: &str,
    opts: &ReadOptions,
    warnings: &mut Vec<CarryWarning>,
) -> Result<Read, Declined> {
    let ours = matches!(wb, Wb::Ours(_));
    let sheets = wb.sheet_names();
    if !is_kamplan_workbook(sheets.iter().map(String::as_str)) {
        return Ok(None);
    }
    let range = wb.range(SHEET, None).map_err(|e| match e {
        None => Declined::Ours,
        Some(e) => CarryWarning::file(file, format!("cannot read its identification sheet: {e}")).into(),
    })?;
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
    let names = wb.defined_names();
    let statuses = StatusNames::new(&opts.langs);
    // Where each area is, and so which rows of each sheet are to be read.
    let located: Vec<Option<(String, CellRange)>> =
        ident.areas.iter().map(|a| locate(a, &names, &sheets)).collect();
    let mut windows: HashMap<&str, Vec<xlsx::Window>> = HashMap::new();
    for (a, at) in ident.areas.iter().zip(&located) {
        if let Some((sheet, at)) = at {
            // The columns AreaSpan looks at: the header's, and ten more for a moved column.
            let width = (at.last_col - at.first_col + 1).max(a.labels.len() as u32);
            windows.entry(sheet.as_str()).or_default().push(xlsx::Window {
                first_row: at.first_row,
                last_row: at.last_row,
                first_col: at.first_col,
                last_col: at.first_col + width + 10,
            });
        }
    }
    // Each sheet read once; `true` when only the areas' rows were.
    let mut cache: HashMap<String, (Range<Data>, bool)> = HashMap::new();
    let mut out = Vec::new();
    for (a, at) in ident.areas.iter().zip(&located) {
        let Some((sheet, recorded)) = at.clone() else {
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
        // A header no longer where the area is recorded is searched for on the whole sheet.
        let partial = cache.get(&sheet).map(|(g, partial)| *partial && !header_at(g, a, recorded));
        if partial.is_none_or(|reread| reread) {
            let w =
                if partial.is_none() && ours { windows.get(sheet.as_str()).map(Vec::as_slice) } else { None };
            match wb.range(&sheet, w) {
                Ok(r) => {
                    let partial = w.is_some();
                    let reread = partial && !header_at(&r, a, recorded);
                    let r = if reread { wb.range(&sheet, None).map_err(|_| Declined::Ours)? } else { r };
                    cache.insert(sheet.clone(), (r, partial && !reread));
                }
                Err(None) => return Err(Declined::Ours),
                Err(Some(e)) => {
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
        let grid = &cache[&sheet].0;
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
        let reader = CellReader { grid, opts, decimal, statuses: &statuses };
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

    /// What our reader and calamine read from the same bytes: both must read it, alike.
    fn ours_and_calamine(bytes: &[u8]) -> (String, String) {
        let es = es();
        let opts = ReadOptions { langs: vec![&es], date_order: DateOrder::Dmy, decimal: None };
        let read = |wb: Wb<'_>| {
            let mut w = Vec::new();
            let r = read_from(wb, "plan.xlsx", &opts, &mut w).ok().expect("read");
            format!("{r:?}\n{w:?}")
        };
        let ours = read(Wb::Ours(Box::new(xlsx::Book::open(bytes).expect("ours opens it"))));
        let cal =
            read(Wb::Calamine(Box::new(open_workbook_auto_from_rs(std::io::Cursor::new(bytes)).unwrap())));
        (ours, cal)
    }

    #[test]
    fn our_reader_reads_what_calamine_reads() {
        let t = tempfile::tempdir().unwrap();
        let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/carry");
        for path in
            [published(t.path()), fixtures.join("libreoffice.xlsx"), fixtures.join("openpyxl-inline.xlsx")]
        {
            let bytes = std::fs::read(&path).unwrap();
            let (ours, cal) = ours_and_calamine(&bytes);
            assert_eq!(ours, cal, "{}", path.display());
            assert!(ours.contains("AreaRead"), "{}: areas were read", path.display());
        }
    }

    #[test]
    fn other_formats_are_read_by_calamine() {
        let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/carry");
        let es = es();
        let opts = ReadOptions { langs: vec![&es], date_order: DateOrder::Dmy, decimal: None };
        let ods = std::fs::read(fixtures.join("libreoffice.ods")).unwrap();
        assert!(xlsx::Book::open(&ods).is_err(), "our reader declines an OpenDocument file");
        let areas = |name: &str| {
            let mut w = Vec::new();
            match read_workbook(&fixtures.join(name), name, &opts, &mut w).unwrap() {
                Opened::Plan(p) => {
                    p.areas.into_iter().map(|a| (a.account, a.area, a.content)).collect::<Vec<_>>()
                }
                other => panic!("{name}: {other:?}"),
            }
        };
        let (from_ods, from_xlsx) = (areas("libreoffice.ods"), areas("libreoffice.xlsx"));
        assert!(!from_ods.is_empty());
        assert_eq!(from_ods, from_xlsx);
    }

    #[test]
    fn rows_inserted_above_and_typed_below_read_as_calamine_reads_them() {
        let t = tempfile::tempdir().unwrap();
        let path = published(t.path());
        let mut book = umya_spreadsheet::reader::xlsx::read(&path).unwrap();
        let ws = book.get_sheet_by_name_mut("Hotel O'Sol").unwrap();
        // The KAM typed two meetings below the table and a note far below the sheet's end.
        for (r, text) in [(13, "5"), (14, "6")] {
            ws.get_cell_mut((1, r)).set_value(text);
            ws.get_cell_mut((5, r)).set_value("fila del KAM");
        }
        ws.get_cell_mut((2, 90)).set_value("nota suelta");
        let written = t.path().join("typed.xlsx");
        umya_spreadsheet::writer::xlsx::write(&book, &written).unwrap();
        // Then rows inserted at the top: the header is no longer where it was recorded.
        let mut moved = umya_spreadsheet::reader::xlsx::read(&written).unwrap();
        moved.get_sheet_by_name_mut("Hotel O'Sol").unwrap().insert_new_row(&1, &3);
        let shifted = t.path().join("moved.xlsx");
        umya_spreadsheet::writer::xlsx::write(&moved, &shifted).unwrap();
        for path in [written, shifted] {
            let (ours, cal) = ours_and_calamine(&std::fs::read(&path).unwrap());
            assert_eq!(ours, cal, "{}", path.display());
            assert!(ours.contains("fila del KAM"), "{ours}");
        }
    }

    #[test]
    fn rows_no_area_reaches_are_passed_over() {
        let t = tempfile::tempdir().unwrap();
        let bytes = std::fs::read(published(t.path())).unwrap();
        let mut book = xlsx::Book::open(&bytes).unwrap();
        let i = book.sheets.iter().position(|(n, _)| n == "Hotel O'Sol").unwrap();
        let whole = book.range(i, None).unwrap().unwrap();
        // The meetings' header row (5, 0-based 4) to the recorded end.
        let w = xlsx::Window { first_row: 4, last_row: 11, first_col: 0, last_col: 15 };
        let part = book.range(i, Some(&[w])).unwrap().unwrap();
        assert!(whole.get_value((0, 0)).is_some_and(|v| *v != Data::Empty), "the heading is on row 1");
        assert_eq!(part.get_value((0, 0)), None, "row 1 was not read");
        for r in 4..=11 {
            for c in 0..5 {
                assert_eq!(part.get_value((r, c)), whole.get_value((r, c)), "row {r} col {c}");
            }
        }
        assert_eq!(part.end().map(|e| e.0), whole.end().map(|e| e.0), "the sheet's last row is kept");
    }
}
