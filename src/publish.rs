//! Publish: the month's folder written atomically — lock, staging folder, rename, manifest, index.
//!
//! A run writes everything into `<out>/.staging-<P>-<pid>/` and, only when every document is
//! written, swaps it in as `<out>/<P>/`. A failed run removes its staging folder; a killed run's
//! leftovers are cleaned by the next run (under the lock). The swap is two renames (old folder
//! aside, new folder in); if a run dies between them, the next run puts the old folder back.
//! [`publish_month`] does all of it for a run: the documents, `index.csv` and `manifest.json`.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::lang::Lang;
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
    #[error("another kamplan run (pid {pid}) is writing {out}; wait for it to finish, or remove {lock} if that process is gone")]
    Locked { pid: u32, out: PathBuf, lock: PathBuf },
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> PublishError + '_ {
    move |source| PublishError::Io { path: path.to_path_buf(), source }
}

/// Holds `<out>/.kamplan.lock` while alive; removes it when dropped.
#[derive(Debug)]
pub struct Lock {
    path: PathBuf,
}

impl Lock {
    /// Takes the lock on `out` (created if missing). A lock left by a process that no longer
    /// exists is taken over; a live holder is an error naming its pid.
    pub fn acquire(out: &Path) -> Result<Lock, PublishError> {
        fs::create_dir_all(out).map_err(io(out))?;
        let path = out.join(LOCK_FILE);
        for _ in 0..3 {
            match fs::OpenOptions::new().write(true).create_new(true).open(&path) {
                Ok(mut f) => {
                    writeln!(f, "{}", std::process::id()).map_err(io(&path))?;
                    return Ok(Lock { path });
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    let text = fs::read_to_string(&path).unwrap_or_default();
                    match text.trim().parse::<u32>() {
                        Ok(pid) if process_alive(pid) => {
                            return Err(PublishError::Locked { pid, out: out.to_path_buf(), lock: path });
                        }
                        // Stale (dead holder) or unreadable (a holder killed while writing it).
                        _ => {
                            let _ = fs::remove_file(&path);
                        }
                    }
                }
                Err(e) => return Err(io(&path)(e)),
            }
        }
        Err(PublishError::Io {
            path: path.clone(),
            source: std::io::Error::other("could not take the lock after removing a stale one"),
        })
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.path);
    }
}

/// Whether a process with this pid is running. Where `/proc` is not available we cannot tell,
/// and answer yes: a lock is never taken from a live run.
fn process_alive(pid: u32) -> bool {
    if pid == std::process::id() {
        return true;
    }
    let proc_root = Path::new("/proc");
    if !proc_root.join("self").exists() {
        return true;
    }
    // A zombie has exited: treat it as gone.
    match fs::read_to_string(proc_root.join(pid.to_string()).join("stat")) {
        Ok(stat) => !stat.rsplit_once(')').is_some_and(|(_, rest)| rest.trim_start().starts_with('Z')),
        Err(_) => false,
    }
}

/// A staging folder that becomes `<out>/<name>/` on [`Staging::commit`], or vanishes.
#[derive(Debug)]
pub struct Staging {
    out: PathBuf,
    name: String,
    dir: PathBuf,
    committed: bool,
}

impl Staging {
    /// Creates `<out>/.staging-<name>-<pid>/`, after cleaning leftovers of killed runs.
    /// Call with the lock held.
    pub fn new(out: &Path, name: &str) -> Result<Staging, PublishError> {
        recover(out, name)?;
        let dir = out.join(format!(".staging-{name}-{}", std::process::id()));
        if dir.exists() {
            fs::remove_dir_all(&dir).map_err(io(&dir))?;
        }
        fs::create_dir_all(&dir).map_err(io(&dir))?;
        Ok(Staging { out: out.to_path_buf(), name: name.to_string(), dir, committed: false })
    }

    /// The staging folder, to write into.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Writes `bytes` to `rel` inside the staging folder (folders created).
    pub fn write(&self, rel: &Path, bytes: &[u8]) -> Result<(), PublishError> {
        let path = self.dir.join(rel);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(io(parent))?;
        }
        fs::write(&path, bytes).map_err(io(&path))
    }

    /// Copies into staging the files of the published folder not in `except` (top-level names),
    /// so a partial run (`--kam`) keeps the other KAMs' plans.
    pub fn carry_over(&self, except: &dyn Fn(&str) -> bool) -> Result<(), PublishError> {
        let published = self.out.join(&self.name);
        let Ok(entries) = fs::read_dir(&published) else { return Ok(()) };
        let mut entries: Vec<_> = entries.filter_map(|e| e.ok()).collect();
        entries.sort_by_key(|e| e.file_name());
        for e in entries {
            let name = e.file_name().to_string_lossy().into_owned();
            if except(&name) {
                continue;
            }
            copy_tree(&e.path(), &self.dir.join(&name))?;
        }
        Ok(())
    }

    /// Moves the staging folder into place as `<out>/<name>/`, replacing the previous one.
    pub fn commit(mut self) -> Result<PathBuf, PublishError> {
        let target = self.out.join(&self.name);
        let aside = self.out.join(format!(".previous-{}", self.name));
        if aside.exists() {
            fs::remove_dir_all(&aside).map_err(io(&aside))?;
        }
        if target.exists() {
            fs::rename(&target, &aside).map_err(io(&target))?;
        }
        if let Err(e) = fs::rename(&self.dir, &target) {
            // Put the previous month back before reporting.
            let _ = fs::rename(&aside, &target);
            return Err(io(&target)(e));
        }
        self.committed = true;
        if aside.exists() {
            fs::remove_dir_all(&aside).map_err(io(&aside))?;
        }
        Ok(target)
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_dir_all(&self.dir);
        }
    }
}

/// Cleans what killed runs left in `out`: staging folders, and a previous month set aside
/// but not replaced (put back).
fn recover(out: &Path, name: &str) -> Result<(), PublishError> {
    let target = out.join(name);
    let aside = out.join(format!(".previous-{name}"));
    if aside.exists() {
        if target.exists() {
            fs::remove_dir_all(&aside).map_err(io(&aside))?;
        } else {
            fs::rename(&aside, &target).map_err(io(&aside))?;
        }
    }
    let Ok(entries) = fs::read_dir(out) else { return Ok(()) };
    for e in entries.filter_map(|e| e.ok()) {
        if e.file_name().to_string_lossy().starts_with(".staging-") {
            fs::remove_dir_all(e.path()).map_err(io(&e.path()))?;
        }
    }
    Ok(())
}

fn copy_tree(from: &Path, to: &Path) -> Result<(), PublishError> {
    if from.is_dir() {
        fs::create_dir_all(to).map_err(io(to))?;
        let mut entries: Vec<_> = fs::read_dir(from).map_err(io(from))?.filter_map(|e| e.ok()).collect();
        entries.sort_by_key(|e| e.file_name());
        for e in entries {
            copy_tree(&e.path(), &to.join(e.file_name()))?;
        }
        Ok(())
    } else {
        fs::copy(from, to).map(|_| ()).map_err(io(from))
    }
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

/// Where one document goes inside the month folder: a folder (`""` for the summary) and a
/// file name without extension.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocPath {
    pub folder: String,
    pub stem: String,
}

impl DocPath {
    /// The file's path inside the month folder for this extension.
    pub fn rel(&self, extension: &str) -> PathBuf {
        let file = format!("{}.{extension}", self.stem);
        if self.folder.is_empty() {
            PathBuf::from(file)
        } else {
            Path::new(&self.folder).join(file)
        }
    }

    /// [`DocPath::rel`] with `/` separators, as `index.csv` and the manifest write paths.
    pub fn rel_slash(&self, extension: &str) -> String {
        slash(&self.rel(extension))
    }
}

/// The month's document paths: for each KAM (in order) a unique slug folder — never the raw
/// name — with a readable file name inside (`files.plan` of the language), and the summary's
/// path at the top (`files.summary`).
pub fn document_paths<'a>(
    kams: impl IntoIterator<Item = &'a str>,
    lang: &Lang,
    period: Month,
) -> (Vec<DocPath>, DocPath) {
    let p = period.to_string();
    let kams: Vec<&str> = kams.into_iter().collect();
    let slugs = unique_slugs(kams.iter().copied());
    let plans = kams
        .iter()
        .zip(slugs)
        .map(|(kam, slug)| {
            let stem = lang.fill("files.plan", &[("kam", safe_file_part(kam, &slug)), ("period", p.clone())]);
            DocPath { folder: slug, stem }
        })
        .collect();
    let summary = DocPath { folder: String::new(), stem: lang.fill("files.summary", &[("period", p)]) };
    (plans, summary)
}

/// A path relative to the month folder with `/` separators, whatever the platform.
pub fn slash(p: &Path) -> String {
    p.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/")
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
    /// What the returns sheets took out of the sales: every returned order, and those that
    /// matched no sales line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub returns: Option<&'a crate::ingest::returns::ReturnsReport>,
    /// Master rows, activity customers, territory entries and master KAMs that join nothing.
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    pub unmatched: &'a [crate::ingest::joins::Unmatched],
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

/// Publishes a month: takes the lock on `out`, writes the documents, `index.csv` and
/// `manifest.json` into a staging folder and swaps it in as `<out>/<P>/`. Returns the folder.
/// Nothing is published unless everything was written.
pub fn publish_month(out: &Path, month: &MonthContent) -> Result<PathBuf, PublishError> {
    let _lock = Lock::acquire(out)?;
    let name = month.period.to_string();
    let staging = Staging::new(out, &name)?;
    match &month.replaces {
        Some(replaced) => staging.carry_over(&|entry| {
            replaced.iter().any(|r| r == entry)
                || ["manifest.json", "index.csv", HANDOVER_FILE].contains(&entry)
        })?,
        None => staging.carry_over(&|entry| entry != SENT_FILE)?,
    }
    for (rel, bytes) in month.files {
        staging.write(rel, bytes)?;
    }
    let index_path = staging.dir().join("index.csv");
    let index = index_csv(month.handover, staging.dir())
        .map_err(|e| PublishError::Io { path: index_path, source: std::io::Error::other(e) })?;
    staging.write(Path::new("index.csv"), &index)?;
    let mut record = month.record.clone();
    record.retain_files(|rel| !rel.is_empty() && staging.dir().join(rel).is_file());
    let record_json = serde_json::to_string_pretty(&record).map_err(|e| PublishError::Io {
        path: staging.dir().join(HANDOVER_FILE),
        source: std::io::Error::other(e),
    })?;
    staging.write(Path::new(HANDOVER_FILE), record_json.as_bytes())?;

    let mut inputs = Vec::new();
    for path in month.manifest.input_paths {
        let bytes = fs::read(path).map_err(io(Path::new(path)))?;
        inputs.push(FileEntry { path: path.clone(), bytes: bytes.len() as u64, sha256: sha256_hex(&bytes) });
    }
    let outputs = list_files(staging.dir(), &["manifest.json", SENT_FILE])?;
    let manifest = Manifest { run: &month.manifest, inputs, outputs };
    let json = serde_json::to_string_pretty(&manifest).map_err(|e| PublishError::Io {
        path: staging.dir().join("manifest.json"),
        source: std::io::Error::other(e),
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

/// Windows device names that cannot be file names anywhere a plan may be copied to.
const RESERVED: &[&str] = &[
    "con", "prn", "aux", "nul", "com1", "com2", "com3", "com4", "com5", "com6", "com7", "com8", "com9",
    "lpt1", "lpt2", "lpt3", "lpt4", "lpt5", "lpt6", "lpt7", "lpt8", "lpt9",
];

/// A folder name for a KAM: ASCII lowercase letters, digits and dashes, never empty, never a
/// reserved device name. Not unique by itself: see [`unique_slugs`].
pub fn slug(name: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    let mut s = String::new();
    for ch in name.nfd() {
        if ch.is_ascii_alphanumeric() {
            s.push(ch.to_ascii_lowercase());
        } else if unicode_normalization::char::is_combining_mark(ch) {
            continue;
        } else if !s.ends_with('-') && !s.is_empty() {
            s.push('-');
        }
    }
    let mut s = s.trim_matches('-').to_string();
    s.truncate(60);
    let s = s.trim_matches('-').to_string();
    if s.is_empty() {
        "kam".into()
    } else if RESERVED.contains(&s.as_str()) {
        format!("{s}-kam")
    } else {
        s
    }
}

/// Slugs for names in order, made unique (`ana`, `ana-2`, …) so two KAMs never share a folder.
pub fn unique_slugs<'a>(names: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    names
        .into_iter()
        .map(|n| {
            let base = slug(n);
            let mut s = base.clone();
            let mut i = 2;
            while !seen.insert(s.clone()) {
                s = format!("{base}-{i}");
                i += 1;
            }
            s
        })
        .collect()
}

/// A name made safe for a file name: keeps letters (accents too), digits, spaces and `.,-_()&'`;
/// anything else becomes `-`; trimmed, at most 80 characters, never empty.
pub fn safe_file_part(name: &str, fallback: &str) -> String {
    let cleaned: String =
        name.chars().map(|c| if c.is_alphanumeric() || " .,-_()&'".contains(c) { c } else { '-' }).collect();
    let collapsed = cleaned.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut out: String = collapsed.chars().take(80).collect();
    out = out.trim_matches(|c: char| c == '.' || c == ' ' || c == '-').to_string();
    if out.is_empty() || RESERVED.contains(&out.to_lowercase().as_str()) {
        fallback.to_string()
    } else {
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_safe_and_unique() {
        let names = ["Lucía Pérez", "../../x", "CON", "Ana/Juan", "   ", "Ana Juan", "lucia perez"];
        let slugs = unique_slugs(names.iter().copied());
        assert_eq!(slugs, ["lucia-perez", "x", "con-kam", "ana-juan", "kam", "ana-juan-2", "lucia-perez-2"]);
        for s in &slugs {
            assert!(!s.contains('/') && !s.contains('.') && !s.is_empty());
        }
    }

    #[test]
    fn file_parts_keep_accents_drop_separators() {
        assert_eq!(safe_file_part("José Ángel Núñez", "kam"), "José Ángel Núñez");
        assert_eq!(safe_file_part("../../etc/passwd", "kam"), "etc-passwd");
        assert_eq!(safe_file_part("Ana/Juan", "kam"), "Ana-Juan");
        assert_eq!(safe_file_part("  ", "kam"), "kam");
        assert_eq!(safe_file_part("CON", "con-kam"), "con-kam");
        assert_eq!(safe_file_part(&"x".repeat(300), "kam").chars().count(), 80);
    }

    #[test]
    fn staging_commit_replaces_and_drop_cleans() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path();
        fs::create_dir_all(out.join("2026-10")).unwrap();
        fs::write(out.join("2026-10/old.txt"), "old").unwrap();

        // A failed run: staging dropped without commit leaves the old month untouched.
        {
            let s = Staging::new(out, "2026-10").unwrap();
            s.write(Path::new("a/new.txt"), b"new").unwrap();
        }
        assert_eq!(fs::read_to_string(out.join("2026-10/old.txt")).unwrap(), "old");
        assert_eq!(fs::read_dir(out).unwrap().count(), 1, "no staging folder left");

        let s = Staging::new(out, "2026-10").unwrap();
        s.write(Path::new("a/new.txt"), b"new").unwrap();
        let target = s.commit().unwrap();
        assert!(target.join("a/new.txt").is_file());
        assert!(!target.join("old.txt").exists());
        assert_eq!(fs::read_dir(out).unwrap().count(), 1);
    }

    #[test]
    fn recovery_puts_a_month_set_aside_back() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path();
        fs::create_dir_all(out.join(".previous-2026-10")).unwrap();
        fs::write(out.join(".previous-2026-10/plan.pdf"), "x").unwrap();
        fs::create_dir_all(out.join(".staging-2026-10-999999")).unwrap();
        let s = Staging::new(out, "2026-10").unwrap();
        drop(s);
        assert!(out.join("2026-10/plan.pdf").is_file());
        assert!(!out.join(".staging-2026-10-999999").exists());
    }

    #[test]
    fn lock_refuses_a_live_holder_and_takes_a_stale_one() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path();
        let held = Lock::acquire(out).unwrap();
        let err = Lock::acquire(out).unwrap_err().to_string();
        assert!(err.contains(&format!("pid {}", std::process::id())), "{err}");
        drop(held);
        assert!(!out.join(LOCK_FILE).exists());

        // pid far above pid_max: no such process.
        fs::write(out.join(LOCK_FILE), "4294967\n").unwrap();
        let _taken = Lock::acquire(out).unwrap();
        let text = fs::read_to_string(out.join(LOCK_FILE)).unwrap();
        assert_eq!(text.trim(), std::process::id().to_string());
    }

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
        publish_month(tmp.path(), &month_content(&full, None, run_info(&cfg))).unwrap();

        // Only "ana" is regenerated: "ana-2" shares its prefix and must be kept as it was.
        let partial = vec![
            (PathBuf::from("ana/plan.pdf"), b"v2".to_vec()),
            (PathBuf::from("Resumen.pdf"), b"v2".to_vec()),
        ];
        let replaces = Some(vec!["ana".to_string(), "Resumen.pdf".to_string()]);
        let month = publish_month(tmp.path(), &month_content(&partial, replaces, run_info(&cfg))).unwrap();
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
        let month = publish_month(tmp.path(), &month_content(&files, None, run_info(&cfg))).unwrap();
        fs::write(month.join(SENT_FILE), "{\"messages\":[]}").unwrap();
        let month = publish_month(tmp.path(), &month_content(&files, None, run_info(&cfg))).unwrap();
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

    #[test]
    fn document_paths_give_each_kam_its_own_folder_and_a_readable_name() {
        let lang = Lang::load("es", "€", None).unwrap();
        let period: Month = "2026-10".parse().unwrap();
        let (plans, summary) = document_paths(["Lucía Pérez", "lucia perez", "../x"], &lang, period);
        let folders: Vec<&str> = plans.iter().map(|p| p.folder.as_str()).collect();
        assert_eq!(folders, ["lucia-perez", "lucia-perez-2", "x"]);
        assert_eq!(plans[0].rel_slash("pdf"), "lucia-perez/Plan cuentas clave Lucía Pérez 2026-10.pdf");
        assert_eq!(summary.rel_slash("xlsx"), "Resumen 2026-10.xlsx");
    }
}
