//! The carry stage of `run`: where returned plans are looked for — the published months'
//! edited plans (publish tells which), plan workbooks among the inputs, the `[carry] returned`
//! folders — read and merged by [`crate::carry`].

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::{Log, Settings};
use crate::carry::read::ReadOptions;
use crate::carry::sources::{self, Candidate, Gathered};
use crate::ingest::Dataset;
use crate::lang::Lang;
use crate::period::Month;
use crate::publish;

/// Reads everything the KAMs returned for `period` and last month's `carried.json`.
pub(super) fn read_returned(s: &Settings, out: &Path, period: Month, data: &Dataset, log: &Log) -> Gathered {
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

    let mut candidates = Vec::new();
    let mut kam_folders: BTreeMap<String, String> = BTreeMap::new();
    for (_, dir) in previous.into_iter().chain(same) {
        let folders = publish::folder_kams(dir);
        for rel in publish::edited_files(dir) {
            let folder_kam = rel.split_once('/').and_then(|(f, _)| folders.get(f)).cloned();
            candidates.push(Candidate { path: dir.join(&rel), folder_kam, must_be_plan: true });
        }
        kam_folders.extend(folders);
    }
    candidates.extend(data.report.plans.iter().map(|p| Candidate {
        path: PathBuf::from(p),
        folder_kam: None,
        must_be_plan: false,
    }));
    let returned: Vec<PathBuf> = s.cfg.carry.returned.iter().map(|p| s.cfg_dir.join(p)).collect();

    // A status may be typed in the run's language or either embedded one.
    let embedded: Vec<Lang> =
        ["es", "en"].iter().filter_map(|code| Lang::load(code, &s.lang.currency, None).ok()).collect();
    let mut langs = vec![&s.lang];
    langs.extend(embedded.iter());
    let opts = ReadOptions { langs, date_order: s.cfg.ingest.date_order, decimal: s.cfg.ingest.decimal };
    let inputs = sources::Inputs { period, base, candidates, returned: &returned, kam_folders: &kam_folders };
    let gathered = sources::gather(&inputs, &opts);
    if !gathered.files.is_empty() {
        log.info(format!("read {} returned plan(s)", gathered.files.len()));
    }
    for f in &gathered.files {
        log.detail(format!("returned plan {f}"));
    }
    gathered
}
