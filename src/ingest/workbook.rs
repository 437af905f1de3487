//! Workbooks: which files an input names, opening them with clear errors, and feeding each
//! sheet's rows to the row loop (xlsx streamed cell by cell, other formats through a range).

use std::io::Read;
use std::path::{Path, PathBuf};

use calamine::{open_workbook_auto, Reader, SheetType, SheetVisible, Sheets};

use super::cells::{abs_pos, from_data};
use super::sheet::{Ctx, RowBuf, SheetReader};
use super::{IngestError, SheetReport};
use crate::config::Config;

const EXTENSIONS: &[&str] = &["xlsx", "xlsm", "xlsb", "xls", "ods"];

fn file_error(path: &Path, message: impl Into<String>) -> IngestError {
    IngestError::File { path: path.to_path_buf(), message: message.into() }
}

/// True for a book a folder should give: a spreadsheet or text-export extension (see
/// `csv.rs`) and no `~$` lock prefix.
fn is_book(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
    !name.starts_with("~$")
        && !name.starts_with(".~lock")
        && (EXTENSIONS.contains(&ext.as_str()) || super::csv::is_text(path))
}

/// The files the inputs name: files as given, folders as their spreadsheets sorted by name.
pub fn list_inputs(inputs: &[PathBuf]) -> Result<Vec<PathBuf>, IngestError> {
    let mut out = Vec::new();
    for input in inputs {
        if input.is_dir() {
            let entries = std::fs::read_dir(input)
                .map_err(|e| file_error(input, format!("cannot list the folder: {e}")))?;
            let mut books: Vec<PathBuf> = entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.is_file() && is_book(p))
                .collect();
            books.sort();
            out.extend(books);
        } else if input.is_file() {
            out.push(input.clone());
        } else {
            return Err(file_error(input, "no such file or folder"));
        }
    }
    Ok(out)
}

/// Why a file that calamine refused cannot be read, in words a user can act on.
fn explain(path: &Path, err: &calamine::Error) -> String {
    let mut head = [0u8; 8];
    let n = std::fs::File::open(path).and_then(|mut f| f.read(&mut head)).unwrap_or(0);
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
    let zip = head[..n.min(4)] == [0x50, 0x4b, 0x03, 0x04][..n.min(4)] && n >= 4;
    let ole = n >= 8 && head == [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];
    if n == 0 {
        "cannot read: the file is empty (0 bytes)".into()
    } else if ole && matches!(ext.as_str(), "xlsx" | "xlsm" | "xlsb") {
        "cannot read: the workbook is password-protected (encrypted); save a copy without a password".into()
    } else if matches!(ext.as_str(), "xlsx" | "xlsm" | "xlsb" | "ods") && !zip {
        format!("cannot read: not a .{ext} spreadsheet (the file is no zip package)")
    } else if matches!(ext.as_str(), "xlsx" | "xlsm" | "xlsb" | "ods") {
        format!("cannot read: the workbook is damaged or truncated ({err})")
    } else if ext == "xls" && !ole {
        "cannot read: not an .xls spreadsheet".into()
    } else if !EXTENSIONS.contains(&ext.as_str()) {
        format!("cannot read: not a spreadsheet (.xlsx .xlsm .xlsb .xls .ods .csv .tsv .txt): {err}")
    } else {
        format!("cannot read: {err}")
    }
}

/// The name a file goes by in reports: its file name.
fn display_name(path: &Path) -> String {
    path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| path.display().to_string())
}

/// Reads every worksheet of one file into `ctx`, returning the sheets' reports.
pub fn read_file(path: &Path, cfg: &Config, ctx: &mut Ctx) -> Result<Vec<SheetReport>, IngestError> {
    if std::fs::metadata(path).map(|m| m.len() == 0).unwrap_or(false) {
        return Err(file_error(path, "cannot read: the file is empty (0 bytes)"));
    }
    // calamine can panic on some malformed files; a panic must still become one clear line.
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| read_file_inner(path, cfg, ctx)));
    match result {
        Ok(r) => r,
        Err(_) => Err(file_error(path, "cannot read: the workbook is damaged")),
    }
}

fn read_file_inner(path: &Path, cfg: &Config, ctx: &mut Ctx) -> Result<Vec<SheetReport>, IngestError> {
    if super::csv::is_text(path) {
        return super::csv::read_file(path, &display_name(path), cfg, ctx);
    }
    let mut wb = open_workbook_auto(path).map_err(|e| file_error(path, explain(path, &e)))?;
    let file = display_name(path);
    let sheets: Vec<(String, bool, bool)> = wb
        .sheets_metadata()
        .iter()
        .map(|s| (s.name.clone(), s.visible != SheetVisible::Visible, s.typ == SheetType::WorkSheet))
        .collect();
    if sheets.is_empty() {
        return Err(file_error(path, "cannot read: the workbook has no sheets"));
    }
    if crate::carry::read::is_kamplan_workbook(sheets.iter().map(|s| s.0.as_str())) {
        // A plan (or summary) kamplan published: `carry` reads it back, never as data.
        return Ok(vec![plan_marker(&file)]);
    }
    let mut reports = Vec::new();
    for (name, hidden, is_worksheet) in sheets {
        if !is_worksheet {
            continue;
        }
        let mut sr = SheetReader::new(cfg, &file, &name, hidden);
        let sheet_err = |e: String| file_error(path, format!("sheet {name:?}: cannot read: {e}"));
        match &mut wb {
            Sheets::Xlsx(x) => {
                let mut reader = x.worksheet_cells_reader(&name).map_err(|e| sheet_err(e.to_string()))?;
                let next = || reader.next_cell().map_err(|e| e.to_string());
                stream_cells(next, &mut sr, ctx).map_err(sheet_err)?;
            }
            Sheets::Xlsb(x) => {
                let mut reader = x.worksheet_cells_reader(&name).map_err(|e| sheet_err(e.to_string()))?;
                let next = || reader.next_cell().map_err(|e| e.to_string());
                stream_cells(next, &mut sr, ctx).map_err(sheet_err)?;
            }
            other => {
                let range = other.worksheet_range(&name).map_err(|e| sheet_err(e.to_string()))?;
                // Range::rows() counts from range.start(): positions are made absolute here.
                let start = range.start().unwrap_or((0, 0));
                let mut buf = RowBuf::default();
                for (i, row) in range.rows().enumerate() {
                    buf.clear();
                    let mut r = start.0;
                    for (j, d) in row.iter().enumerate() {
                        let (ar, ac) = abs_pos(start, i, j);
                        r = ar;
                        buf.push(ac, from_data(d));
                    }
                    if !buf.is_empty() && !sr.row(r, &buf, ctx) {
                        break;
                    }
                }
            }
        }
        reports.push(sr.finish(ctx));
    }
    Ok(reports)
}

/// The one report of a workbook kamplan published: no rows read, and why.
fn plan_marker(file: &str) -> SheetReport {
    SheetReport {
        file: file.to_string(),
        sheet: crate::carry::ident::SHEET.to_string(),
        role: super::Role::Skipped,
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
        notices: vec![PLAN_NOTICE.to_string()],
        wide: None,
    }
}

/// What `check` says of a workbook kamplan published.
pub const PLAN_NOTICE: &str =
    "a plan kamplan published (it has the identification sheet): `run` reads the KAM's entries back from it, never as sales data";

/// Whether a file's reports say it is a plan kamplan published.
pub fn is_plan_report(sheets: &[SheetReport]) -> bool {
    matches!(sheets, [s] if s.notices.len() == 1 && s.notices[0] == PLAN_NOTICE)
}

/// Rows per batch handed from the XML reader to the row loop.
const BATCH: usize = 512;

/// Streams an xlsx or xlsb sheet cell by cell: this thread parses the file into row buffers
/// while a second thread runs the row loop, so reading costs about what calamine's bare read
/// costs and memory stays flat however long the sheet.
fn stream_cells<'a>(
    mut next_cell: impl FnMut() -> Result<Option<calamine::Cell<calamine::DataRef<'a>>>, String>,
    sr: &mut SheetReader<'_>,
    ctx: &mut Ctx,
) -> Result<(), String> {
    use std::sync::mpsc;
    type Batch = Vec<(u32, RowBuf)>;
    let (tx, rx) = mpsc::sync_channel::<Batch>(4);
    let (back_tx, back_rx) = mpsc::channel::<Batch>();
    std::thread::scope(|scope| {
        let worker = scope.spawn(move || {
            'feed: for mut batch in rx {
                for (r, buf) in &batch {
                    if !sr.row(*r, buf, ctx) {
                        break 'feed;
                    }
                }
                batch.iter_mut().for_each(|(_, b)| b.clear());
                let _ = back_tx.send(batch);
            }
            // Dropping the receiver here tells the reader to stop.
        });
        let mut spare: Vec<RowBuf> = Vec::new();
        let mut batch: Batch = Vec::with_capacity(BATCH);
        let mut buf = RowBuf::default();
        let mut cur: Option<u32> = None;
        let mut result = Ok(());
        loop {
            let cell = match next_cell() {
                Ok(c) => c,
                Err(e) => {
                    result = Err(e);
                    break;
                }
            };
            let Some(cell) = cell else { break };
            let (r, c) = cell.get_position();
            if cur != Some(r) {
                if let Some(pr) = cur {
                    if !buf.is_empty() {
                        let next = spare.pop().unwrap_or_default();
                        batch.push((pr, std::mem::replace(&mut buf, next)));
                        if batch.len() == BATCH {
                            if tx.send(std::mem::take(&mut batch)).is_err() {
                                break;
                            }
                            if let Ok(old) = back_rx.try_recv() {
                                spare.extend(old.into_iter().map(|(_, b)| b));
                            }
                            batch.reserve(BATCH);
                        }
                    }
                }
                buf.clear();
                cur = Some(r);
            }
            buf.push_ref(c, cell.get_value());
        }
        if let (Some(r), false) = (cur, buf.is_empty()) {
            batch.push((r, buf));
        }
        if result.is_ok() && !batch.is_empty() {
            let _ = tx.send(batch);
        }
        drop(tx);
        if worker.join().is_err() {
            result = Err("the row loop failed".into());
        }
        result
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders_give_spreadsheets_without_lock_files() {
        for (name, want) in [
            ("ventas.xlsx", true),
            ("VENTAS.XLSX", true),
            ("old.xls", true),
            ("b.ods", true),
            ("m.xlsm", true),
            ("x.xlsb", true),
            ("~$ventas.xlsx", false),
            ("notes.txt", true),
            ("data.csv", true),
            ("DATA.TSV", true),
            ("~$data.csv", false),
            ("notes.pdf", false),
        ] {
            assert_eq!(is_book(Path::new(name)), want, "{name}");
        }
    }
}
