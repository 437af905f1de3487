//! Publish: the month's folder written atomically — lock, staging folder, swap, manifest, index.
//!
//! A run holds an OS lock on its output folder from before it reads a book ([`Lock`]), writes
//! everything into a staging folder and, only when every document is written, swaps it in as
//! `<out>/<P>/` in one atomic exchange ([`Staging`]). A failed run removes its staging folder; a
//! killed run's leftovers are cleaned by the next run (under the lock). [`publish_month`] does
//! it for a run: the documents, `index.csv`, `handover.json` and `manifest.json`. File and
//! folder names come from [`names`].

pub mod kept;
mod lock;
pub mod names;
mod staging;
mod translit;

pub use kept::{edited_files, folder_kams, month_folders, REPLACED};

pub use lock::Lock;
pub use names::{document_paths, safe_file_part, slash, slug, unique_slugs, DocPath};
pub use staging::{Committed, Staging};

use std::fs;
use std::path::{Path, PathBuf};

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::period::{Month, Window};
use crate::plan::handover::Handover;
use crate::plan::HandoverRow;

/// Name of the lock file inside the output folder.
pub const LOCK_FILE: &str = ".kamplan.lock";

/// The month's hand-over record (see [`crate::plan::handover`]), beside `index.csv`.
pub const HANDOVER_FILE: &str = "handover.json";

/// The record of what `kamplan send` handed over. Publish does not write it but keeps it when
/// the month is published again, so a re-run never makes plans already sent look unsent; it
/// is not among the manifest's outputs (it changes with every message sent).
pub const SENT_FILE: &str = "sent.json";

/// A publishing problem, naming the path.
#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    #[error("another kamplan run{} is writing {}; wait for it to finish", holder(*.pid), .out.display())]
    Locked { pid: Option<u32>, out: PathBuf },
    /// The OS's words once: the error is not chained as a source, so an error chain printed
    /// with its sources (`{:#}`) does not say them twice.
    #[error("{}: {}", .path.display(), os_text(.error))]
    Io { path: PathBuf, error: std::io::Error },
}

fn holder(pid: Option<u32>) -> String {
    pid.map(|p| format!(" (pid {p})")).unwrap_or_default()
}

pub(crate) fn io(path: &Path) -> impl FnOnce(std::io::Error) -> PublishError + '_ {
    move |error| PublishError::Io { path: path.to_path_buf(), error }
}

/// An OS error as a person reads it: `permission denied`, without `(os error 13)`.
pub fn os_text(e: &std::io::Error) -> String {
    let s = e.to_string();
    let s = s.split(" (os error").next().unwrap_or(&s).to_string();
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().chain(c).collect(),
        None => s,
    }
}

/// Size and hex sha256 of a file, read in chunks (a book may be large).
fn hash_file(path: &Path) -> std::io::Result<(u64, String)> {
    use std::io::Read;
    let mut f = fs::File::open(path)?;
    let mut h = Sha256::new();
    let mut buf = vec![0; 1 << 16];
    let mut n = 0u64;
    loop {
        let k = f.read(&mut buf)?;
        if k == 0 {
            break;
        }
        h.update(&buf[..k]);
        n += k as u64;
    }
    Ok((n, h.finalize().iter().map(|b| format!("{b:02x}")).collect()))
}

/// Hex sha256 of bytes.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// A file listed in the manifest.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq)]
pub struct FileEntry {
    /// Path relative to the month folder (outputs) or as given (inputs), `/`-separated.
    pub path: String,
    pub bytes: u64,
    pub sha256: String,
}

/// Every file under `dir`, relative and sorted, with size and hash (skipping `skip` names).
pub fn list_files(dir: &Path, skip: &[&str]) -> Result<Vec<FileEntry>, PublishError> {
    fn walk(root: &Path, dir: &Path, skip: &[&str], out: &mut Vec<FileEntry>) -> Result<(), PublishError> {
        let mut entries: Vec<_> = fs::read_dir(dir).map_err(io(dir))?.filter_map(|e| e.ok()).collect();
        entries.sort_by_key(|e| e.file_name());
        for e in entries {
            let p = e.path();
            if p.is_dir() {
                walk(root, &p, skip, out)?;
            } else {
                let rel = p.strip_prefix(root).unwrap_or(&p);
                let rel =
                    rel.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/");
                if skip.contains(&rel.as_str()) {
                    continue;
                }
                let bytes = fs::read(&p).map_err(io(&p))?;
                out.push(FileEntry { path: rel, bytes: bytes.len() as u64, sha256: sha256_hex(&bytes) });
            }
        }
        Ok(())
    }
    let mut out = Vec::new();
    walk(dir, dir, skip, &mut out)?;
    Ok(out)
}

/// A rendered file: its path inside the month folder and its bytes.
pub type MonthFile = (PathBuf, Vec<u8>);

/// Everything a run publishes as `<out>/<P>/`.
pub struct MonthContent<'a> {
    pub period: Month,
    /// The rendered documents: (path inside the month folder, bytes).
    pub files: &'a [MonthFile],
    /// A partial run (`--kam`): the published month's other entries are kept, except these
    /// top-level names (the regenerated KAM folders and the summary's files), which the new
    /// files replace. `None`: the month is replaced whole.
    pub replaces: Option<Vec<String>>,
    /// The hand-over rows for `index.csv`.
    pub handover: &'a [HandoverRow],
    /// The hand-over record for `handover.json` (its files are kept to those published).
    pub record: &'a Handover,
    /// The manifest's description of the run; its `outputs` are listed from what is written.
    pub manifest: ManifestRun<'a>,
}

/// The manifest's description of a run, everything but the list of outputs.
#[derive(Serialize)]
pub struct ManifestRun<'a> {
    pub kamplan_version: &'static str,
    pub period: Month,
    pub window: Window,
    /// When the run happened (UTC; `SOURCE_DATE_EPOCH` when set). Documents carry no clock time.
    pub when: String,
    /// The books read, as given; hashed when the manifest is written.
    #[serde(skip)]
    pub input_paths: &'a [String],
    pub config: ManifestConfig<'a>,
    pub counts: ManifestCounts,
    pub warnings: &'a [String],
    /// Per output, the returned files and cells its KAM-entered content came from.
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub carried_from: std::collections::BTreeMap<String, Vec<crate::carry::Source>>,
    /// What the returns sheets took out of the sales: every returned order, and those that
    /// matched no sales line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub returns: Option<&'a crate::ingest::returns::ReturnsReport>,
    /// Master rows, activity customers, territory entries and master KAMs that join nothing.
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    pub unmatched: &'a [crate::ingest::joins::Unmatched],
    /// Each key account's monthly targets — the months elapsed its plan showed and the months
    /// of its objective — read back by the next month's run ([`crate::history`]).
    pub targets: &'a crate::plan::TargetBook,
}

/// The config a run used: its file, the file's hash, and every effective setting.
#[derive(Serialize)]
pub struct ManifestConfig<'a> {
    pub path: Option<String>,
    pub sha256: Option<String>,
    pub effective: &'a crate::config::Config,
}

/// What a run read and found.
#[derive(Serialize)]
pub struct ManifestCounts {
    pub rows: u64,
    pub transactions: u64,
    pub skipped: u64,
    pub rejected: u64,
    pub accounts: u32,
    pub key_accounts: u32,
    pub kams: usize,
}

/// `<out>/<P>/manifest.json`: the run, its inputs and every file written, with sha256.
#[derive(Serialize)]
struct Manifest<'a> {
    #[serde(flatten)]
    run: &'a ManifestRun<'a>,
    inputs: Vec<FileEntry>,
    outputs: Vec<FileEntry>,
}

/// Publishes a month, under the `lock` the run holds on `out`: writes the documents,
/// `index.csv`, `handover.json` and `manifest.json` into a staging folder and swaps it in as
/// `<out>/<P>/`. Returns the folder and what could not be cleaned up (warnings: the month is
/// published). Nothing is published unless everything was written.
pub fn publish_month(lock: &Lock, out: &Path, month: &MonthContent) -> Result<Committed, PublishError> {
    debug_assert!(lock.path().starts_with(out));
    let name = month.period.to_string();
    let staging = Staging::new(out, &name)?;
    // A KAM's edits to the month being replaced are kept, unchanged, before it goes.
    kept::keep_replaced(out, &name, &|rel| match &month.replaces {
        None => true,
        Some(r) => r.iter().any(|top| rel == top || rel.starts_with(&format!("{top}/"))),
    })?;
    match &month.replaces {
        Some(replaced) => staging.carry_over(&|entry| {
            replaced.iter().any(|r| r == entry)
                || ["manifest.json", "index.csv", HANDOVER_FILE, "carried.json"].contains(&entry)
        })?,
        None => staging.carry_over(&|entry| entry != SENT_FILE)?,
    }
    for (rel, bytes) in month.files {
        staging.write(rel, bytes)?;
    }
    let index_path = staging.dir().join("index.csv");
    let index = index_csv(month.handover, staging.dir())
        .map_err(|e| PublishError::Io { path: index_path, error: std::io::Error::other(e) })?;
    staging.write(Path::new("index.csv"), &index)?;
    let mut record = month.record.clone();
    record.retain_files(|rel| !rel.is_empty() && staging.dir().join(rel).is_file());
    let record_json = serde_json::to_string_pretty(&record).map_err(|e| PublishError::Io {
        path: staging.dir().join(HANDOVER_FILE),
        error: std::io::Error::other(e),
    })?;
    staging.write(Path::new(HANDOVER_FILE), record_json.as_bytes())?;

    let mut inputs = Vec::new();
    for path in month.manifest.input_paths {
        let (bytes, sha256) = hash_file(Path::new(path)).map_err(io(Path::new(path)))?;
        inputs.push(FileEntry { path: path.clone(), bytes, sha256 });
    }
    let outputs = list_files(staging.dir(), &["manifest.json", SENT_FILE])?;
    let manifest = Manifest { run: &month.manifest, inputs, outputs };
    let json = serde_json::to_string_pretty(&manifest).map_err(|e| PublishError::Io {
        path: staging.dir().join("manifest.json"),
        error: std::io::Error::other(e),
    })?;
    staging.write(Path::new("manifest.json"), json.as_bytes())?;
    staging.commit()
}

/// The hand-over index: a row per KAM; paths only for files present in the month folder.
fn index_csv(rows: &[HandoverRow], month_dir: &Path) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(["kam", "email", "key_accounts", "sales", "pdf", "xlsx"])?;
    for r in rows {
        let present = |rel: &str| {
            if !rel.is_empty() && month_dir.join(rel).is_file() {
                rel.to_string()
            } else {
                String::new()
            }
        };
        w.write_record([
            r.kam.clone(),
            r.email.clone().unwrap_or_default(),
            r.key_accounts.to_string(),
            format!("{:.2}", r.sales),
            present(&r.pdf),
            present(&r.xlsx),
        ])?;
    }
    w.into_inner().map_err(|e| csv::Error::from(e.into_error()))
}

/// The run's time for the manifest: `SOURCE_DATE_EPOCH` when set (reproducible builds'
/// convention), else `now` (seconds since the epoch, read by the caller).
pub fn run_time(now: i64) -> String {
    let secs =
        std::env::var("SOURCE_DATE_EPOCH").ok().and_then(|s| s.trim().parse::<i64>().ok()).unwrap_or(now);
    chrono::DateTime::from_timestamp(secs, 0)
        .map(|d| d.format("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_files_is_sorted_and_hashed() {
        let tmp = tempfile::tempdir().unwrap();
        fs::create_dir_all(tmp.path().join("b")).unwrap();
        fs::write(tmp.path().join("b/z.txt"), "z").unwrap();
        fs::write(tmp.path().join("a.txt"), "abc").unwrap();
        fs::write(tmp.path().join("manifest.json"), "{}").unwrap();
        let files = list_files(tmp.path(), &["manifest.json"]).unwrap();
        let paths: Vec<_> = files.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(paths, ["a.txt", "b/z.txt"]);
        assert_eq!(files[0].sha256, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assert_eq!(files[0].bytes, 3);
    }

    fn month_content<'a>(
        files: &'a [MonthFile],
        replaces: Option<Vec<String>>,
        run: ManifestRun<'a>,
    ) -> MonthContent<'a> {
        MonthContent { period: run.period, files, replaces, handover: &[], record: record(), manifest: run }
    }

    /// A hand-over record naming one plan file and the summary.
    fn record() -> &'static Handover {
        let h = Handover {
            version: 1,
            period: "2026-10".into(),
            period_label: "oct 2026".into(),
            window_label: String::new(),
            lang: "es".into(),
            currency: "€".into(),
            company_sales: 0.0,
            key_sales: 0.0,
            key_accounts: 0,
            kams: vec![],
            summary_files: vec!["Resumen.pdf".into(), "Resumen.xlsx".into()],
        };
        Box::leak(Box::new(h))
    }

    fn run_info(cfg: &crate::config::Config) -> ManifestRun<'_> {
        let period: Month = "2026-10".parse().unwrap();
        ManifestRun {
            kamplan_version: "test",
            period,
            window: Window::ending(period, 12),
            when: String::new(),
            input_paths: &[],
            config: ManifestConfig { path: None, sha256: None, effective: cfg },
            counts: ManifestCounts {
                rows: 0,
                transactions: 0,
                skipped: 0,
                rejected: 0,
                accounts: 0,
                key_accounts: 0,
                kams: 0,
            },
            warnings: &[],
            returns: None,
            unmatched: &[],
            targets: const { &std::collections::BTreeMap::new() },
            carried_from: Default::default(),
        }
    }

    #[test]
    fn a_partial_publish_replaces_exactly_the_named_entries() {
        let tmp = tempfile::tempdir().unwrap();
        let cfg = crate::config::Config::default();
        let full: Vec<MonthFile> = ["ana/plan.pdf", "ana-2/plan.pdf", "Resumen.pdf"]
            .iter()
            .map(|p| (PathBuf::from(p), b"v1".to_vec()))
            .collect();
        publish_month(
            &Lock::acquire(tmp.path()).unwrap(),
            tmp.path(),
            &month_content(&full, None, run_info(&cfg)),
        )
        .unwrap();

        // Only "ana" is regenerated: "ana-2" shares its prefix and must be kept as it was.
        let partial = vec![
            (PathBuf::from("ana/plan.pdf"), b"v2".to_vec()),
            (PathBuf::from("Resumen.pdf"), b"v2".to_vec()),
        ];
        let replaces = Some(vec!["ana".to_string(), "Resumen.pdf".to_string()]);
        let month = publish_month(
            &Lock::acquire(tmp.path()).unwrap(),
            tmp.path(),
            &month_content(&partial, replaces, run_info(&cfg)),
        )
        .unwrap()
        .dir;
        assert_eq!(fs::read(month.join("ana/plan.pdf")).unwrap(), b"v2");
        assert_eq!(fs::read(month.join("ana-2/plan.pdf")).unwrap(), b"v1");
        assert_eq!(fs::read(month.join("Resumen.pdf")).unwrap(), b"v2");
        let manifest: serde_json::Value =
            serde_json::from_slice(&fs::read(month.join("manifest.json")).unwrap()).unwrap();
        let outputs: Vec<&str> =
            manifest["outputs"].as_array().unwrap().iter().map(|o| o["path"].as_str().unwrap()).collect();
        assert_eq!(outputs, ["Resumen.pdf", "ana/plan.pdf", "ana-2/plan.pdf", "handover.json", "index.csv"]);
        assert_eq!(manifest["period"], "2026-10");
    }

    #[test]
    fn the_send_record_survives_a_new_publish_and_is_not_an_output() {
        let tmp = tempfile::tempdir().unwrap();
        let cfg = crate::config::Config::default();
        let files = vec![(PathBuf::from("Resumen.pdf"), b"v1".to_vec())];
        let month = publish_month(
            &Lock::acquire(tmp.path()).unwrap(),
            tmp.path(),
            &month_content(&files, None, run_info(&cfg)),
        )
        .unwrap()
        .dir;
        fs::write(month.join(SENT_FILE), "{\"messages\":[]}").unwrap();
        let month = publish_month(
            &Lock::acquire(tmp.path()).unwrap(),
            tmp.path(),
            &month_content(&files, None, run_info(&cfg)),
        )
        .unwrap()
        .dir;
        assert_eq!(fs::read_to_string(month.join(SENT_FILE)).unwrap(), "{\"messages\":[]}");
        let manifest: serde_json::Value =
            serde_json::from_slice(&fs::read(month.join("manifest.json")).unwrap()).unwrap();
        let outputs: Vec<&str> =
            manifest["outputs"].as_array().unwrap().iter().map(|o| o["path"].as_str().unwrap()).collect();
        assert_eq!(outputs, ["Resumen.pdf", "handover.json", "index.csv"]);
        // The record names only files the month has: no XLSX was written.
        let h: Handover = serde_json::from_slice(&fs::read(month.join(HANDOVER_FILE)).unwrap()).unwrap();
        assert_eq!(h.summary_files, ["Resumen.pdf"]);
    }
}
