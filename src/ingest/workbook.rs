//! Workbooks: which files the inputs name, what each file really is (by its bytes, not its
//! name), opening it with clear errors, and feeding each sheet's rows to the row loop (xlsx and
//! ods through our streaming readers, xlsb cell by cell, xls through a calamine range).

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use calamine::{Reader, SheetType, SheetVisible};

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

/// Why a file or folder cannot be opened, in words (never the OS's text twice).
pub fn io_reason(e: &std::io::Error) -> String {
    use std::io::ErrorKind as K;
    match e.kind() {
        K::PermissionDenied => "cannot read: permission denied".into(),
        K::NotFound => "no such file or folder".into(),
        _ if e.raw_os_error() == Some(40) => "cannot read: a symbolic link that loops (ELOOP)".into(),
        _ => format!("cannot read: {}", strip_os_code(&e.to_string())),
    }
}

/// `No such device (os error 19)` → `no such device`.
fn strip_os_code(s: &str) -> String {
    let s = s.split(" (os error").next().unwrap_or(s);
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().chain(c).collect(),
        None => String::new(),
    }
}

/// Why a path that names nothing readable cannot be read: a broken or looping symbolic link,
/// no such file, no permission.
fn missing(path: &Path, e: &std::io::Error) -> IngestError {
    if let Ok(m) = std::fs::symlink_metadata(path) {
        if m.file_type().is_symlink() {
            let target = std::fs::read_link(path).map(|t| t.display().to_string()).unwrap_or_default();
            let why = if e.raw_os_error() == Some(40) {
                "a symbolic link that loops".to_string()
            } else {
                format!(
                    "a broken symbolic link (its target {target} {})",
                    io_reason(e).replace("cannot read: ", "")
                )
            };
            return file_error(path, format!("cannot read: {why}"));
        }
    }
    file_error(path, io_reason(e))
}

/// The files the inputs name, each once, and notes for the report.
#[derive(Debug, Default)]
pub struct Listed {
    /// Files in reading order: files as given, folders as their spreadsheets sorted by name.
    pub files: Vec<PathBuf>,
    /// What a person should know about the list (the same book named twice).
    pub notes: Vec<String>,
}

/// The files the inputs name: files as given, folders as their spreadsheets sorted by name.
/// A book reached twice (a folder and a file in it, a symbolic link to it) is read once; an
/// entry of a folder that looks like a book but cannot be read (a broken link) is an error.
pub fn list_inputs(inputs: &[PathBuf]) -> Result<Listed, IngestError> {
    let mut all = Vec::new();
    for input in inputs {
        let meta = std::fs::metadata(input).map_err(|e| missing(input, &e))?;
        if meta.is_dir() {
            let entries = std::fs::read_dir(input)
                .map_err(|e| file_error(input, format!("cannot list the folder: {}", io_reason(&e))))?;
            let mut books = Vec::new();
            for entry in entries {
                let p = entry
                    .map_err(|e| file_error(input, format!("cannot list the folder: {}", io_reason(&e))))?
                    .path();
                if !is_book(&p) {
                    continue;
                }
                match std::fs::metadata(&p) {
                    Ok(m) if m.is_file() => books.push(p),
                    Ok(_) => {}
                    Err(e) => return Err(missing(&p, &e)),
                }
            }
            books.sort();
            all.extend(books);
        } else {
            all.push(input.clone());
        }
    }
    let mut out = Listed::default();
    let mut seen: HashMap<PathBuf, PathBuf> = HashMap::new();
    for f in all {
        let key = std::fs::canonicalize(&f).unwrap_or_else(|_| f.clone());
        match seen.get(&key) {
            Some(first) => out.notes.push(format!(
                "{} and {} are the same book: read once",
                first.display(),
                f.display()
            )),
            None => {
                seen.insert(key, f.clone());
                out.files.push(f);
            }
        }
    }
    Ok(out)
}

/// What a file is, by its first bytes and, for packages, its parts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Xlsx,
    Xlsb,
    Ods,
    Xls,
}

impl Format {
    fn ext(self) -> &'static str {
        match self {
            Format::Xlsx => "xlsx",
            Format::Xlsb => "xlsb",
            Format::Ods => "ods",
            Format::Xls => "xls",
        }
    }
}

/// What the file at `path` is, read from its bytes; the error says what is true instead.
fn sniff(path: &Path) -> Result<Format, String> {
    let mut f = std::fs::File::open(path).map_err(|e| io_reason(&e))?;
    let mut head = [0u8; 8];
    let mut n = 0;
    while n < head.len() {
        match f.read(&mut head[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) => return Err(io_reason(&e)),
        }
    }
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
    if n == 0 {
        return Err("cannot read: the file is empty (0 bytes)".into());
    }
    if head[..n].starts_with(b"PK\x03\x04") || head[..n].starts_with(b"PK\x05\x06") {
        let zip = zip::ZipArchive::new(std::io::BufReader::new(f))
            .map_err(|e| format!("cannot read: the workbook is damaged or truncated ({e})"))?;
        let names: Vec<String> =
            zip.file_names().flatten().map(|n| n.replace('\\', "/").to_ascii_lowercase()).collect();
        let has = |n: &str| names.iter().any(|x| x.trim_start_matches('/') == n);
        return if has("xl/workbook.bin") {
            Ok(Format::Xlsb)
        } else if has("content.xml") && (has("mimetype") || ext == "ods") {
            Ok(Format::Ods)
        } else if has("[content_types].xml") || names.iter().any(|x| x.ends_with("workbook.xml")) {
            Ok(Format::Xlsx)
        } else if matches!(ext.as_str(), "xlsx" | "xlsm" | "ods") {
            Err("cannot read: the workbook is damaged: the package holds no workbook".into())
        } else {
            Err("cannot read: a zip file, not a spreadsheet".into())
        };
    }
    if n == 8 && head == [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1] {
        drop(f);
        return match super::xls::kind(path)? {
            super::xls::Ole::Workbook => Ok(Format::Xls),
            super::xls::Ole::Encrypted => Err(
                "cannot read: the workbook is password-protected (encrypted); save a copy without a password"
                    .into(),
            ),
            super::xls::Ole::Other => {
                Err("cannot read: an Office file but no spreadsheet (a Word or PowerPoint document?)".into())
            }
        };
    }
    Err(match ext.as_str() {
        "xlsx" | "xlsm" | "xlsb" | "ods" => {
            format!("cannot read: not a .{ext} spreadsheet (the file is no zip package)")
        }
        "xls" => "cannot read: not an .xls spreadsheet".into(),
        _ => "cannot read: not a spreadsheet (.xlsx .xlsm .xlsb .xls .ods .csv .tsv .txt)".into(),
    })
}

/// The name a file goes by in reports: its file name.
fn display_name(path: &Path) -> String {
    path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| path.display().to_string())
}

/// One file read: its sheets' reports and notes for the report (a book named as another format).
pub struct FileRead {
    pub sheets: Vec<SheetReport>,
    pub notes: Vec<String>,
}

/// Reads every worksheet of one file into `ctx`.
pub fn read_file(path: &Path, cfg: &Config, ctx: &mut Ctx) -> Result<FileRead, IngestError> {
    // A text export is read as text, unless its bytes are a workbook (then as that, below).
    let text = super::csv::is_text(path);
    let format = match sniff(path) {
        Ok(f) => f,
        Err(_) if text => {
            let sheets = super::csv::read_file(path, &display_name(path), cfg, ctx)?;
            return Ok(FileRead { sheets, notes: Vec::new() });
        }
        Err(m) => return Err(file_error(path, m)),
    };
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
    let named_as = match ext.as_str() {
        "xlsx" | "xlsm" => Some(Format::Xlsx),
        "xlsb" => Some(Format::Xlsb),
        "ods" => Some(Format::Ods),
        "xls" => Some(Format::Xls),
        _ => None,
    };
    let mut notes = Vec::new();
    if named_as != Some(format) {
        let article = if format == Format::Xls || format == Format::Xlsx || format == Format::Xlsb {
            "an"
        } else {
            "a"
        };
        notes.push(format!(
            "{} is {article} .{} file named .{ext}: read as .{}",
            display_name(path),
            format.ext(),
            format.ext()
        ));
    }
    // A reader can still panic on a malformed file (calamine for xls and xlsb); a panic must
    // become one clear line too, without the panic's own message.
    let result = quietly(|| read_format(path, format, cfg, ctx));
    match result {
        Ok(r) => r.map(|sheets| FileRead { sheets, notes }),
        Err(_) => Err(file_error(path, "cannot read: the workbook is damaged")),
    }
}

thread_local! {
    /// Set while this thread reads a file: a panic here is a damaged file, said in one line.
    static READING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs `f`, catching a panic; while it runs, a panic on this thread prints nothing (the
/// caller turns it into one error line). Panics elsewhere print as before.
fn quietly<T>(f: impl FnOnce() -> T) -> std::thread::Result<T> {
    static HOOK: std::sync::Once = std::sync::Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !READING.with(|r| r.get()) {
                previous(info);
            }
        }));
    });
    READING.with(|r| r.set(true));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    READING.with(|r| r.set(false));
    result
}

fn read_format(
    path: &Path,
    format: Format,
    cfg: &Config,
    ctx: &mut Ctx,
) -> Result<Vec<SheetReport>, IngestError> {
    let file = display_name(path);
    let err = |m: String| file_error(path, m);
    let sheet_err = |name: &str, m: String| {
        let m = m.strip_prefix("cannot read: ").map(str::to_string).unwrap_or(m);
        file_error(path, format!("sheet {name:?}: cannot read: {m}"))
    };
    let cap = cfg.ingest.max_inflated_mb;
    let mut reports = Vec::new();
    match format {
        Format::Xlsx => {
            let mut book = super::xlsx::Book::open(path, cap).map_err(err)?;
            if book.sheets.is_empty() {
                return Err(file_error(path, "cannot read: the workbook has no sheets"));
            }
            if crate::carry::read::is_kamplan_workbook(book.sheets.iter().map(|s| s.name.as_str())) {
                // A plan (or summary) kamplan published: `carry` reads it back, never as data.
                return Ok(vec![plan_marker(&file)]);
            }
            for i in 0..book.sheets.len() {
                let info = book.sheets[i].clone();
                if !info.worksheet {
                    continue;
                }
                let mut sr = SheetReader::new(cfg, &file, &info.name, info.hidden);
                if let Some(mut rows) = book.rows(i).map_err(|m| sheet_err(&info.name, m))? {
                    stream_rows(|buf| rows.next_row(buf), &mut sr, ctx)
                        .map_err(|m| sheet_err(&info.name, m))?;
                }
                reports.push(sr.finish(ctx));
            }
        }
        Format::Ods => {
            let mut ods = super::ods::Ods::open(path, cap).map_err(err)?;
            let mut content = ods.content().map_err(err)?;
            while let Some((name, hidden)) = content.next_table().map_err(err)? {
                let mut sr = SheetReader::new(cfg, &file, &name, hidden);
                stream_rows(|buf| content.next_row(buf), &mut sr, ctx).map_err(|m| sheet_err(&name, m))?;
                let mut rep = sr.finish(ctx);
                rep.notices.extend(content.cut_notice());
                reports.push(rep);
            }
            if reports.is_empty() {
                return Err(file_error(path, "cannot read: the workbook has no sheets"));
            }
        }
        Format::Xlsb => {
            // calamine streams an xlsb's records but buffers each whole record (and its XML
            // parts' events): every part goes through the limits first.
            super::package::precheck(path, cap).map_err(err)?;
            let f = std::fs::File::open(path).map_err(|e| err(io_reason(&e)))?;
            let mut wb = calamine::Xlsb::new(std::io::BufReader::new(f))
                .map_err(|e| err(format!("cannot read: the workbook is damaged or truncated ({e})")))?;
            if crate::carry::read::is_kamplan_workbook(wb.sheet_names().iter().map(String::as_str)) {
                return Ok(vec![plan_marker(&file)]);
            }
            for (name, hidden) in sheet_list(wb.sheets_metadata()).map_err(err)? {
                let mut sr = SheetReader::new(cfg, &file, &name, hidden);
                let mut reader =
                    wb.worksheet_cells_reader(&name).map_err(|e| sheet_err(&name, e.to_string()))?;
                let mut pending: Pending<'_> = None;
                // Past the sheet's end calamine would read on into the next records and fail at
                // the end of the part: once it has said "no more cells", it is not asked again.
                let mut ended = false;
                let next = |buf: &mut RowBuf| {
                    cells_to_rows(&mut pending, buf, || {
                        if ended {
                            return Ok(None);
                        }
                        let cell = reader.next_cell().map_err(|e| e.to_string())?;
                        ended = cell.is_none();
                        Ok(cell)
                    })
                };
                stream_rows(next, &mut sr, ctx).map_err(|m| sheet_err(&name, m))?;
                reports.push(sr.finish(ctx));
            }
        }
        Format::Xls => {
            super::xls::check(path).map_err(err)?;
            let f = std::fs::File::open(path).map_err(|e| err(io_reason(&e)))?;
            let mut wb = calamine::Xls::new(std::io::BufReader::new(f))
                .map_err(|e| err(format!("cannot read: the workbook is damaged or truncated ({e})")))?;
            if crate::carry::read::is_kamplan_workbook(wb.sheet_names().iter().map(String::as_str)) {
                return Ok(vec![plan_marker(&file)]);
            }
            for (name, hidden) in sheet_list(wb.sheets_metadata()).map_err(err)? {
                let mut sr = SheetReader::new(cfg, &file, &name, hidden);
                let range = wb.worksheet_range(&name).map_err(|e| sheet_err(&name, e.to_string()))?;
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
                reports.push(sr.finish(ctx));
            }
        }
    }
    Ok(reports)
}

/// The worksheets (name, hidden) of a calamine workbook; an error when it has no sheet.
fn sheet_list(meta: &[calamine::Sheet]) -> Result<Vec<(String, bool)>, String> {
    if meta.is_empty() {
        return Err("cannot read: the workbook has no sheets".into());
    }
    Ok(meta
        .iter()
        .filter(|s| s.typ == SheetType::WorkSheet)
        .map(|s| (s.name.clone(), s.visible != SheetVisible::Visible))
        .collect())
}

/// The one report of a workbook kamplan published: no rows read, and why.
fn plan_marker(file: &str) -> SheetReport {
    SheetReport::skipped(
        file.to_string(),
        crate::carry::ident::SHEET.to_string(),
        vec![PLAN_NOTICE.to_string()],
    )
}

/// What `check` says of a workbook kamplan published.
pub const PLAN_NOTICE: &str =
    "a plan kamplan published (it has the identification sheet): `run` reads the KAM's entries back from it, never as sales data";

/// Whether a file's reports say it is a plan kamplan published.
pub fn is_plan_report(sheets: &[SheetReport]) -> bool {
    matches!(sheets, [s] if s.notices.len() == 1 && s.notices[0] == PLAN_NOTICE)
}

/// A cell read one too far: the first of the next row.
type Pending<'a> = Option<calamine::Cell<calamine::DataRef<'a>>>;

/// Groups a cell stream (xlsb) into rows: fills `buf` with the next row's cells and gives its
/// number; consecutive cells with one row number are one row.
fn cells_to_rows<'a>(
    pending: &mut Pending<'a>,
    buf: &mut RowBuf,
    mut next_cell: impl FnMut() -> Result<Option<calamine::Cell<calamine::DataRef<'a>>>, String>,
) -> Result<Option<u32>, String> {
    buf.clear();
    let mut row = None;
    if let Some(cell) = pending.take() {
        let (r, c) = cell.get_position();
        buf.push_ref(c, cell.get_value());
        row = Some(r);
    }
    loop {
        let Some(cell) = next_cell()? else { return Ok(row) };
        let (r, c) = cell.get_position();
        match row {
            Some(cur) if cur != r => {
                *pending = Some(cell);
                return Ok(Some(cur));
            }
            _ => {
                row = Some(r);
                buf.push_ref(c, cell.get_value());
            }
        }
    }
}

/// Rows per batch handed from the reader to the row loop, and most text in one batch.
const BATCH: usize = 512;
const BATCH_TEXT: usize = 4 << 20;

/// Streams a sheet row by row: this thread reads the file into row buffers while a second
/// thread runs the row loop, so reading costs about what the bare read costs and memory stays
/// flat however long the sheet (batches are bounded in rows and in bytes). Text files
/// ([`super::csv`]) stream through it too.
pub(super) fn stream_rows(
    mut next_row: impl FnMut(&mut RowBuf) -> Result<Option<u32>, String>,
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
        let mut text = 0;
        let mut buf = RowBuf::default();
        let mut result = Ok(());
        loop {
            let r = match next_row(&mut buf) {
                Ok(Some(r)) => r,
                Ok(None) => break,
                Err(e) => {
                    result = Err(e);
                    break;
                }
            };
            if buf.is_empty() {
                continue;
            }
            text += buf.text_len();
            let next = spare.pop().unwrap_or_default();
            batch.push((r, std::mem::replace(&mut buf, next)));
            if batch.len() == BATCH || text > BATCH_TEXT {
                if tx.send(std::mem::take(&mut batch)).is_err() {
                    break;
                }
                text = 0;
                if let Ok(old) = back_rx.try_recv() {
                    spare.extend(old.into_iter().map(|(_, b)| b));
                }
                batch.reserve(BATCH);
            }
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
