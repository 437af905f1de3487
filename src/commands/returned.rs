//! The carry stage of `run`: where returned plans are looked for — the published months'
//! edited plans (publish tells which), plan workbooks among the inputs, the `[carry] returned`
//! folders — read and merged by [`crate::carry`].

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::{Log, Settings};
use crate::carry::read::ReadOptions;
use crate::carry::sources::{self, Candidate, Gathered, ReadAhead};
use crate::ingest::Dataset;
use crate::lang::Lang;
use crate::period::Month;
use crate::publish;

/// Where the returned plans for `period` are, apart from the inputs: the base, the published
/// months' edited plans, the `[carry] returned` folders and the KAM of each folder.
struct Places {
    base: Option<PathBuf>,
    edited: Vec<Candidate>,
    returned: Vec<PathBuf>,
    kam_folders: BTreeMap<String, String>,
}

fn places(s: &Settings, out: &Path, period: Month) -> Places {
    let months = publish::month_folders(out);
    // The base: what the latest published month up to P carried (a re-run of P: P's own).
    let base = months
        .iter()
        .rev()
        .filter(|(m, _)| *m <= period)
        .map(|(_, d)| d.join("carried.json"))
        .find(|p| p.is_file());
    let previous = months.iter().rev().find(|(m, _)| *m < period);
    let same = months.iter().find(|(m, _)| *m == period);

    let mut edited = Vec::new();
    let mut kam_folders: BTreeMap<String, String> = BTreeMap::new();
    for (_, dir) in previous.into_iter().chain(same) {
        let folders = publish::folder_kams(dir);
        for rel in publish::edited_files(dir) {
            let folder_kam = rel.split_once('/').and_then(|(f, _)| folders.get(f)).cloned();
            edited.push(Candidate { path: dir.join(&rel), folder_kam, must_be_plan: true });
        }
        kam_folders.extend(folders);
    }
    let returned = s.cfg.carry.returned.iter().map(|p| s.cfg_dir.join(p)).collect();
    Places { base, edited, returned, kam_folders }
}

/// How cells are read: a status may be typed in the run's language or either embedded one.
fn with_options<T>(s: &Settings, f: impl FnOnce(&ReadOptions) -> T) -> T {
    let embedded: Vec<Lang> =
        ["es", "en"].iter().filter_map(|code| Lang::load(code, &s.lang.currency, None).ok()).collect();
    let mut langs = vec![&s.lang];
    langs.extend(embedded.iter());
    f(&ReadOptions { langs, date_order: s.cfg.ingest.date_order, decimal: s.cfg.ingest.decimal })
}

/// Runs `books` (reading the sales books) and meanwhile, on a thread of lowest priority, reads
/// the returned plans that do not depend on them — the published months' edited plans and the
/// `[carry] returned` folders — so the carry stage finds them read. The books never wait for
/// them: the plans get only a core the books leave idle, and what is not read when the books
/// are is read then, in parallel — unless the books could not be read: the run stops there.
pub(super) fn read_during<T: Send, E: Send>(
    s: &Settings,
    out: &Path,
    period: Month,
    log: &Log,
    books: impl FnOnce() -> Result<T, E> + Send,
) -> Result<(T, ReadAhead), E> {
    let p = places(s, out, period);
    let mut paths: Vec<PathBuf> = p.edited.into_iter().map(|c| c.path).collect();
    paths.extend(p.returned.iter().filter(|d| d.exists()).flat_map(|d| sources::spreadsheets(d)));
    with_options(s, |opts| {
        let ahead = sources::Ahead::new(&paths, p.base.as_deref());
        std::thread::scope(|scope| {
            let background = scope.spawn(|| ahead.background(opts));
            let data = books();
            ahead.stop();
            // A background that failed is as one that never ran: its files are read now.
            let taken = background.join().ok();
            let data = data?;
            if !paths.is_empty() {
                let n = taken.as_ref().map_or(0, |t| t.len());
                log.detail(format!("{n} of {} returned plans read while the books were", paths.len()));
            }
            Ok((data, ahead.finish(taken, opts)))
        })
    })
}

/// Reads everything the KAMs returned for `period` and last month's `carried.json`; the
/// workbooks in `ahead` were read already.
pub(super) fn read_returned(
    s: &Settings,
    out: &Path,
    period: Month,
    data: &Dataset,
    ahead: ReadAhead,
) -> Gathered {
    let Places { base, edited: mut candidates, returned, kam_folders } = places(s, out, period);
    candidates.extend(data.report.plans.iter().map(|p| Candidate {
        path: PathBuf::from(p),
        folder_kam: None,
        must_be_plan: false,
    }));
    let inputs = sources::Inputs { period, base, candidates, returned: &returned, kam_folders: &kam_folders };
    with_options(s, |opts| sources::gather_read_ahead(&inputs, opts, ahead))
}

/// Says which returned plans were read.
pub(super) fn say_returned(gathered: &Gathered, log: &Log) {
    if !gathered.files.is_empty() {
        log.info(format!("read {} returned plan(s)", gathered.files.len()));
    }
    for f in &gathered.files {
        log.detail(format!("returned plan {f}"));
    }
}
