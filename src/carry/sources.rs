//! Where returned plans come from, read and merged in one call ([`gather`]): the base
//! (`carried.json` of the latest published month up to P), edited plans in the published
//! months, plan workbooks among the inputs and in the `[carry] returned` folders.
//!
//! The caller (the `run` command) says which published files were edited — `publish` owns the
//! manifest that tells — and which folder belongs to which KAM.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use super::merge::merge;
use super::read::{read_bytes, FileBytes, Opened, ReadOptions, ReturnedPlan};
use super::{Carried, CarryWarning, CARRIED_FORMAT};
use crate::classify::norm;
use crate::period::Month;

/// Spreadsheet extensions a returned plan may have.
const EXTENSIONS: &[&str] = &["xlsx", "xlsm", "xlsb", "ods"];

/// A workbook that may be a returned plan, and where it was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub path: PathBuf,
    /// The KAM whose folder it was found in, when the folder is a KAM's.
    pub folder_kam: Option<String>,
    /// Whether a workbook without identification sheet here deserves a warning (a returned
    /// folder or an edited published file) or is just not a plan (an input book).
    pub must_be_plan: bool,
}

/// What the carry stage reads.
pub struct Inputs<'a> {
    pub period: Month,
    /// `carried.json` of the latest published month up to the period, when there is one.
    pub base: Option<PathBuf>,
    /// The candidates: edited published plans, plan workbooks among the inputs.
    pub candidates: Vec<Candidate>,
    /// `[carry] returned` folders (and files), read recursively.
    pub returned: &'a [PathBuf],
    /// Folder name → KAM, for the KAMs of this run and of the published months.
    pub kam_folders: &'a BTreeMap<String, String>,
}

/// The result: everything carried into the period, the files read, and the warnings.
#[derive(Debug, Default)]
pub struct Gathered {
    pub carried: Carried,
    /// Every returned plan read, in the order found.
    pub files: Vec<String>,
    pub warnings: Vec<CarryWarning>,
}

/// A workbook read: what it turned out to be, and the warnings of its cells.
type ReadOne = (Result<Opened, CarryWarning>, Vec<CarryWarning>);

/// Workbooks read ahead of the carry stage, by path (see [`read_ahead`]).
#[derive(Default)]
pub struct ReadAhead(HashMap<PathBuf, ReadOne>);

/// Reads `paths` now, in parallel — `run` does this while the sales books are read, on the
/// core ingest leaves free — so [`gather_read_ahead`] finds them read. A file the base (the
/// `carried.json` at `base`) already read is not read again, as in [`gather`].
pub fn read_ahead(paths: &[PathBuf], base: Option<&Path>, opts: &ReadOptions) -> ReadAhead {
    use rayon::prelude::*;
    // The base's warnings are the stage's to give, when it reads the base again.
    let base = base.and_then(|p| read_carried(p, &mut Vec::new()));
    let known = base.as_ref().map(|b| &b.files_read);
    ReadAhead(paths.par_iter().map(|p| (p.clone(), read_one(p, known, opts))).collect())
}

/// Reads one workbook: its bytes, then (unless the base already read it) the plan in it.
fn read_one(path: &Path, known: Option<&std::collections::BTreeSet<String>>, opts: &ReadOptions) -> ReadOne {
    let mut local = Vec::new();
    let file = path.display().to_string();
    let opened = FileBytes::read(path, &file).and_then(|f| {
        if known.is_some_and(|k| k.contains(&f.sha256)) {
            return Ok(Opened::AlreadyRead);
        }
        read_bytes(&f, &file, opts, &mut local)
    });
    (opened, local)
}

/// Reads the base and every returned plan and merges them ([`merge`]).
pub fn gather(inputs: &Inputs, opts: &ReadOptions) -> Gathered {
    gather_read_ahead(inputs, opts, ReadAhead::default())
}

/// [`gather`], taking the workbooks `ahead` holds as read.
pub fn gather_read_ahead(inputs: &Inputs, opts: &ReadOptions, mut ahead: ReadAhead) -> Gathered {
    let mut warnings = Vec::new();
    let base = inputs.base.as_deref().and_then(|p| read_carried(p, &mut warnings));

    let mut candidates = inputs.candidates.clone();
    for dir in inputs.returned {
        if !dir.exists() {
            warnings.push(CarryWarning::file(
                dir.display().to_string(),
                "the [carry] returned folder does not exist",
            ));
            continue;
        }
        for path in spreadsheets(dir) {
            let folder_kam = path
                .parent()
                .filter(|p| *p != dir.as_path())
                .and_then(|p| p.file_name())
                .and_then(|n| inputs.kam_folders.get(&n.to_string_lossy().to_string()))
                .cloned();
            candidates.push(Candidate { path, folder_kam, must_be_plan: true });
        }
    }

    // Workbooks are read in parallel, then taken in the order found, so the result and the
    // warnings never depend on which thread finished first.
    // A file the base already holds (same sha256) is not read again.
    use rayon::prelude::*;
    let known = base.as_ref().map(|b| &b.files_read);
    let done: Vec<Option<ReadOne>> = candidates.iter().map(|c| ahead.0.remove(&c.path)).collect();
    let read: Vec<ReadOne> = candidates
        .par_iter()
        .zip(done)
        .map(|(c, done)| done.unwrap_or_else(|| read_one(&c.path, known, opts)))
        .collect();
    let mut seen = HashSet::new();
    let mut plans: Vec<ReturnedPlan> = Vec::new();
    let mut files = Vec::new();
    for (c, (opened, local)) in candidates.iter().zip(read) {
        let file = c.path.display().to_string();
        warnings.extend(local);
        match opened {
            Ok(Opened::Plan(p)) => {
                if !seen.insert(p.sha256.clone()) {
                    continue; // the same file found twice (a copy of an edited plan)
                }
                if let Some(k) = &c.folder_kam {
                    if norm(k) != norm(&p.ident.kam) {
                        warnings.push(CarryWarning::file(
                            &file,
                            format!(
                                "is the plan of {} but is in the folder of {k}: its entries go to their accounts whoever holds them",
                                p.ident.kam
                            ),
                        ));
                    }
                }
                files.push(file);
                plans.push(*p);
            }
            Ok(Opened::Summary | Opened::AlreadyRead) => {}
            Ok(Opened::NotAPlan) if c.must_be_plan => warnings.push(CarryWarning::file(
                &file,
                "is not a kamplan plan (it has no identification sheet): nothing read from it",
            )),
            Ok(Opened::NotAPlan) => {}
            Err(w) => warnings.push(w),
        }
    }
    let carried = merge(base.as_ref(), &plans, inputs.period, &mut warnings);
    Gathered { carried, files, warnings }
}

/// `carried.json`, or a warning when it cannot be read (the returned plans still are).
fn read_carried(path: &Path, warnings: &mut Vec<CarryWarning>) -> Option<Carried> {
    let file = path.display().to_string();
    let text = match std::fs::read(path) {
        Ok(t) => t,
        Err(e) => {
            warnings.push(CarryWarning::file(file, format!("cannot read: {e}")));
            return None;
        }
    };
    match serde_json::from_slice::<Carried>(&text) {
        Ok(c) if c.format <= CARRIED_FORMAT && c.period.is_some() => Some(c),
        Ok(c) => {
            warnings.push(CarryWarning::file(
                file,
                format!("is of format {} (this kamplan reads up to {CARRIED_FORMAT}): not used", c.format),
            ));
            None
        }
        Err(e) => {
            warnings.push(CarryWarning::file(file, format!("is damaged ({e}): not used")));
            None
        }
    }
}

/// Spreadsheets under a folder (or the file itself), recursively, sorted; lock files skipped.
pub fn spreadsheets(dir: &Path) -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else { return };
        for e in entries.filter_map(|e| e.ok()) {
            let p = e.path();
            if p.is_dir() {
                walk(&p, out);
            } else if is_spreadsheet(&p) {
                out.push(p);
            }
        }
    }
    let mut out = Vec::new();
    if dir.is_file() {
        out.push(dir.to_path_buf());
    } else {
        walk(dir, &mut out);
    }
    out.sort();
    out
}

/// A spreadsheet a KAM may return, not an office program's lock file.
pub fn is_spreadsheet(p: &Path) -> bool {
    let name = p.file_name().map(|n| n.to_string_lossy()).unwrap_or_default();
    let ext = p.extension().map(|e| e.to_string_lossy().to_ascii_lowercase()).unwrap_or_default();
    !name.starts_with("~$") && !name.starts_with(".~lock") && EXTENSIONS.contains(&ext.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spreadsheets_are_found_recursively_without_lock_files() {
        let t = tempfile::tempdir().unwrap();
        let d = t.path();
        std::fs::create_dir_all(d.join("ana")).unwrap();
        for f in ["b.xlsx", "ana/a.XLSX", "~$b.xlsx", "ana/.~lock.a.xlsx#", "notes.txt", "c.ods"] {
            std::fs::write(d.join(f), b"x").unwrap();
        }
        let found: Vec<String> = spreadsheets(d)
            .iter()
            .map(|p| p.strip_prefix(d).unwrap().to_string_lossy().replace('\\', "/"))
            .collect();
        assert_eq!(found, ["ana/a.XLSX", "b.xlsx", "c.ods"]);
    }

    #[test]
    fn a_returned_plan_already_read_is_not_read_again() {
        let t = tempfile::tempdir().unwrap();
        let back = t.path().join("devueltos");
        std::fs::create_dir_all(&back).unwrap();
        super::super::read::tests::published(&back);
        let es = super::super::read::tests::es();
        let opts = ReadOptions { langs: vec![&es], date_order: Default::default(), decimal: None };
        let returned = vec![back];
        let folders = BTreeMap::new();
        let period: Month = "2026-11".parse().unwrap();
        let inputs =
            Inputs { period, base: None, candidates: Vec::new(), returned: &returned, kam_folders: &folders };
        let first = gather(&inputs, &opts);
        assert_eq!(first.files.len(), 1);
        assert_eq!(first.carried.files_read.len(), 1);
        assert!(first.carried.accounts["C2"].decision_makers[0].name.is_some());
        // Next month the base holds it: the unchanged file is skipped, its entries stay.
        let base = t.path().join("carried.json");
        std::fs::write(&base, first.carried.to_json()).unwrap();
        let inputs = Inputs { base: Some(base), period: period.add(1), ..inputs };
        let second = gather(&inputs, &opts);
        assert!(second.files.is_empty() && second.warnings.is_empty());
        assert_eq!(second.carried.accounts, first.carried.accounts);
    }

    #[test]
    fn plans_read_ahead_are_taken_as_read() {
        let t = tempfile::tempdir().unwrap();
        let back = t.path().join("devueltos");
        std::fs::create_dir_all(&back).unwrap();
        let plan = super::super::read::tests::published(&back);
        let es = super::super::read::tests::es();
        let opts = ReadOptions { langs: vec![&es], date_order: Default::default(), decimal: None };
        let returned = vec![back.clone()];
        let folders = BTreeMap::new();
        let inputs = Inputs {
            period: "2026-11".parse().unwrap(),
            base: None,
            candidates: Vec::new(),
            returned: &returned,
            kam_folders: &folders,
        };
        let expected = gather(&inputs, &opts);
        assert_eq!(expected.files.len(), 1, "{:?}", expected.warnings);
        let ahead = read_ahead(&spreadsheets(&back), None, &opts);
        // The file changes after it was read ahead: what was read is what counts.
        std::fs::write(&plan, b"no longer a workbook").unwrap();
        let got = gather_read_ahead(&inputs, &opts, ahead);
        assert_eq!((&got.files, &got.warnings), (&expected.files, &expected.warnings));
        assert_eq!(got.carried, expected.carried);
        // Without reading ahead, the file is read now (and is no plan any more).
        let now = gather(&inputs, &opts);
        assert!(now.files.is_empty(), "{:?}", now.files);
        assert!(now.warnings.iter().any(|w| w.to_string().contains("plan.xlsx")), "{:?}", now.warnings);
    }

    #[test]
    fn a_damaged_carried_json_is_a_warning() {
        let t = tempfile::tempdir().unwrap();
        let p = t.path().join("carried.json");
        std::fs::write(&p, b"{ not json").unwrap();
        let mut w = Vec::new();
        assert!(read_carried(&p, &mut w).is_none());
        assert!(w[0].to_string().contains("is damaged"), "{}", w[0]);
        let good = Carried::empty("2026-10".parse().unwrap());
        std::fs::write(&p, good.to_json()).unwrap();
        assert_eq!(read_carried(&p, &mut Vec::new()), Some(good));
    }
}
