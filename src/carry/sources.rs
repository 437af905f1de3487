//! Where returned plans come from, read and merged in one call ([`gather`]): the base
//! (`carried.json` of the latest published month up to P), edited plans in the published
//! months, plan workbooks among the inputs and in the `[carry] returned` folders.
//!
//! The caller (the `run` command) says which published files were edited — `publish` owns the
//! manifest that tells — and which folder belongs to which KAM.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

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

/// Reads `paths` now, in parallel, so [`gather_read_ahead`] finds them read. A file the base
/// (the `carried.json` at `base`) already read is not read again, as in [`gather`].
pub fn read_ahead(paths: &[PathBuf], base: Option<&Path>, opts: &ReadOptions) -> ReadAhead {
    let ahead = Ahead::new(paths, base);
    ahead.stop();
    ahead.finish(None, opts)
}

/// Returned plans read while something more urgent runs — `run` reads them while it reads the
/// sales books. A thread of low priority takes them one at a time ([`Ahead::background`]), so
/// it only uses a core the books leave idle and never slows the books down; when the results
/// are needed, [`Ahead::stop`] ends it after the file in hand and [`Ahead::finish`] reads what
/// it had not taken, in parallel.
pub struct Ahead<'a> {
    paths: &'a [PathBuf],
    base: Option<&'a Path>,
    /// The next path to take.
    next: AtomicUsize,
    stopped: AtomicBool,
}

/// What [`Ahead::background`] read: the base's files (read once, for both sides) and the
/// workbooks taken, by index in the paths.
pub struct Taken {
    known: Option<BTreeSet<String>>,
    read: Vec<(usize, ReadOne)>,
}

impl Taken {
    /// How many workbooks the background read.
    pub fn len(&self) -> usize {
        self.read.len()
    }

    /// Whether the background read none.
    pub fn is_empty(&self) -> bool {
        self.read.is_empty()
    }
}

impl<'a> Ahead<'a> {
    /// Nothing taken yet.
    pub fn new(paths: &'a [PathBuf], base: Option<&'a Path>) -> Ahead<'a> {
        Ahead { paths, base, next: AtomicUsize::new(0), stopped: AtomicBool::new(false) }
    }

    /// Reads workbooks one at a time until all are taken or [`Ahead::stop`] is called. Meant
    /// for a thread of its own, whose priority it lowers.
    pub fn background(&self, opts: &ReadOptions) -> Taken {
        lower_this_threads_priority();
        let mut taken = Taken { known: self.known(), read: Vec::new() };
        while !self.stopped.load(Ordering::Acquire) {
            let i = self.next.fetch_add(1, Ordering::AcqRel);
            let Some(path) = self.paths.get(i) else { break };
            taken.read.push((i, read_one(path, taken.known.as_ref(), opts)));
        }
        taken
    }

    /// Tells [`Ahead::background`] to take no more.
    pub fn stop(&self) {
        self.stopped.store(true, Ordering::Release);
    }

    /// What the background `taken` (`None` when none ran), and the paths it did not take,
    /// read now in parallel. Call it after [`Ahead::stop`] and after the background ended.
    pub fn finish(&self, taken: Option<Taken>, opts: &ReadOptions) -> ReadAhead {
        use rayon::prelude::*;
        // Without a background's result (none ran, or it failed), every path is read now.
        let (first, Taken { known, read }) = match taken {
            Some(t) => (self.next.load(Ordering::Acquire).min(self.paths.len()), t),
            None => (0, Taken { known: self.known(), read: Vec::new() }),
        };
        let rest: Vec<(usize, ReadOne)> = (first..self.paths.len())
            .into_par_iter()
            .map(|i| (i, read_one(&self.paths[i], known.as_ref(), opts)))
            .collect();
        ReadAhead(read.into_iter().chain(rest).map(|(i, one)| (self.paths[i].clone(), one)).collect())
    }

    /// The files the base already read (its warnings are the stage's to give, when it reads
    /// the base again).
    fn known(&self) -> Option<BTreeSet<String>> {
        self.base.and_then(|p| read_carried(p, &mut Vec::new())).map(|b| b.files_read)
    }
}

/// Lowers the calling thread's scheduling priority to the lowest (nice 19): work it does
/// waits for every other thread. Linux sets it per thread; elsewhere it would be the whole
/// process, so nothing is done. A failure only costs speed.
fn lower_this_threads_priority() {
    #[cfg(target_os = "linux")]
    let _ = rustix::process::setpriority_process(Some(rustix::thread::gettid()), 19);
}

/// Reads one workbook: its bytes, then (unless the base already read it) the plan in it.
fn read_one(path: &Path, known: Option<&BTreeSet<String>>, opts: &ReadOptions) -> ReadOne {
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
    fn the_background_and_the_finish_share_the_files_once_each() {
        let t = tempfile::tempdir().unwrap();
        let back = t.path().join("devueltos");
        std::fs::create_dir_all(&back).unwrap();
        let plan = super::super::read::tests::published(&back);
        for i in 0..3 {
            std::fs::copy(&plan, back.join(format!("copia-{i}.xlsx"))).unwrap();
        }
        std::fs::write(back.join("roto.xlsx"), b"not a workbook").unwrap();
        let es = super::super::read::tests::es();
        let opts = ReadOptions { langs: vec![&es], date_order: Default::default(), decimal: None };
        let paths = spreadsheets(&back);
        let describe = |a: ReadAhead| {
            let mut v: Vec<(PathBuf, String)> =
                a.0.into_iter().map(|(p, one)| (p, format!("{one:?}"))).collect();
            v.sort();
            v
        };
        let all = describe(read_ahead(&paths, None, &opts));
        assert_eq!(all.len(), 5);
        // The background takes everything; stopped at once, it takes nothing; either way the
        // finish gives every file, each read once.
        let ahead = Ahead::new(&paths, None);
        let taken = ahead.background(&opts);
        assert_eq!(taken.read.len(), 5);
        assert_eq!(describe(ahead.finish(Some(taken), &opts)), all);
        let ahead = Ahead::new(&paths, None);
        ahead.stop();
        let taken = ahead.background(&opts);
        assert!(taken.read.is_empty());
        assert_eq!(describe(ahead.finish(Some(taken), &opts)), all);
        // Stopped half-way, on a thread of its own, as `run` does.
        let ahead = Ahead::new(&paths, None);
        let taken = std::thread::scope(|scope| {
            let bg = scope.spawn(|| ahead.background(&opts));
            ahead.stop();
            bg.join().unwrap()
        });
        assert_eq!(describe(ahead.finish(Some(taken), &opts)), all);
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
