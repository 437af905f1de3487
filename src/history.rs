//! History: what earlier published months left that a run reads back — the monthly targets each
//! plan set (`manifest.json` › `targets`), so the next plan sets the months elapsed against them.
//!
//! A reader beside `ingest`: files in, plain values out, no other stage imported but the plan's
//! [`TargetBook`] type. A month that cannot be read is an error the caller turns into a warning;
//! it never stops a run.

use std::path::{Path, PathBuf};

use crate::period::Month;
use crate::plan::TargetBook;

/// What the latest earlier published month holds.
#[derive(Debug, Clone, PartialEq)]
pub struct Earlier {
    /// The month it was published for.
    pub period: Month,
    /// Its `targets`, by account id (empty when its manifest predates them).
    pub targets: TargetBook,
}

/// An earlier month that cannot be read back.
#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    #[error("cannot read {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("{path}: not a kamplan manifest ({message})")]
    Parse { path: PathBuf, message: String },
}

/// The latest month before `period` published under `out` — a `YYYY-MM` folder holding a
/// `manifest.json` — and the targets its manifest holds. `Ok(None)` when there is none (the
/// first run, or `out` does not exist yet).
pub fn earlier_targets(out: &Path, period: Month) -> Result<Option<Earlier>, HistoryError> {
    let Ok(entries) = std::fs::read_dir(out) else {
        return Ok(None);
    };
    let latest = entries
        .filter_map(|e| e.ok())
        .filter(|e| e.path().join("manifest.json").is_file())
        .filter_map(|e| e.file_name().to_str()?.parse::<Month>().ok())
        .filter(|m| *m < period)
        .max();
    let Some(month) = latest else {
        return Ok(None);
    };
    let path = out.join(month.to_string()).join("manifest.json");
    let text =
        std::fs::read_to_string(&path).map_err(|source| HistoryError::Read { path: path.clone(), source })?;
    #[derive(serde::Deserialize)]
    struct Manifest {
        period: Month,
        #[serde(default)]
        targets: TargetBook,
    }
    let m: Manifest = serde_json::from_str(&text)
        .map_err(|e| HistoryError::Parse { path: path.clone(), message: e.to_string() })?;
    if m.period != month {
        return Err(HistoryError::Parse {
            path,
            message: format!("its period is {}, not the folder's {month}", m.period),
        });
    }
    Ok(Some(Earlier { period: month, targets: m.targets }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(s: &str) -> Month {
        s.parse().unwrap()
    }

    fn publish(out: &Path, month: &str, body: &str) {
        let dir = out.join(month);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("manifest.json"), body).unwrap();
    }

    #[test]
    fn the_latest_month_before_the_period_is_read() {
        let t = tempfile::tempdir().unwrap();
        let out = t.path();
        assert_eq!(earlier_targets(&out.join("nothing"), m("2026-11")).unwrap(), None);
        publish(
            out,
            "2026-09",
            r#"{"period":"2026-09","targets":{"C1":[{"month":"2026-10","target":5.0,"set_in":"2026-09"}]}}"#,
        );
        publish(
            out,
            "2026-10",
            r#"{"period":"2026-10","targets":{"C1":[{"month":"2026-11","target":7.5,"set_in":"2026-10"}]}}"#,
        );
        // The period itself and later months are not history; neither are other folders.
        publish(out, "2026-11", r#"{"period":"2026-11","targets":{}}"#);
        std::fs::create_dir_all(out.join(".staging-2026-10-1")).unwrap();
        std::fs::create_dir_all(out.join("2026-08")).unwrap(); // no manifest
        let e = earlier_targets(out, m("2026-11")).unwrap().unwrap();
        assert_eq!(e.period, m("2026-10"));
        assert_eq!(e.targets["C1"][0].target, 7.5);
        assert_eq!(e.targets["C1"][0].set_in, m("2026-10"));
        let e = earlier_targets(out, m("2026-10")).unwrap().unwrap();
        assert_eq!(e.period, m("2026-09"));
        assert_eq!(earlier_targets(out, m("2026-09")).unwrap(), None);
        // A manifest from before targets were published: no targets, no error.
        publish(out, "2026-07", r#"{"period":"2026-07","warnings":[]}"#);
        publish(out, "2026-08", r#"{"period":"2026-08","warnings":[]}"#);
        assert!(earlier_targets(out, m("2026-09")).unwrap().unwrap().targets.is_empty());
    }

    #[test]
    fn a_damaged_manifest_is_an_error_naming_the_file() {
        let t = tempfile::tempdir().unwrap();
        publish(t.path(), "2026-10", "{ not json");
        let e = earlier_targets(t.path(), m("2026-11")).unwrap_err().to_string();
        assert!(e.contains("2026-10") && e.contains("manifest.json"), "{e}");
        publish(t.path(), "2026-10", r#"{"period":"2026-09"}"#);
        let e = earlier_targets(t.path(), m("2026-11")).unwrap_err().to_string();
        assert!(e.contains("not the folder's 2026-10"), "{e}");
        publish(
            t.path(),
            "2026-10",
            r#"{"period":"2026-10","targets":{"C1":[{"month":"x","target":1,"set_in":"2026-10"}]}}"#,
        );
        assert!(earlier_targets(t.path(), m("2026-11")).is_err());
    }
}
