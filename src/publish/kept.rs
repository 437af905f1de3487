//! What the published months hold that a run reads or keeps: the month folders, the plans
//! edited since they were published (their sha256 no longer the manifest's), which folder is
//! whose (`index.csv`), and the copies of edited files a re-run keeps under
//! `<out>/.replaced/<P>/`.

use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::path::{Path, PathBuf};

use super::{io, sha256_hex, slash, PublishError};
use crate::period::Month;

/// Folder under `<out>` where a re-run keeps the edited files of the month it replaces.
pub const REPLACED: &str = ".replaced";

/// Extensions of the workbooks a KAM may edit in place.
const WORKBOOKS: &[&str] = &["xlsx", "xlsm", "xlsb", "ods"];

/// The published month folders of `out` (named `YYYY-MM`), oldest first.
pub fn month_folders(out: &Path) -> Vec<(Month, PathBuf)> {
    let Ok(entries) = fs::read_dir(out) else { return Vec::new() };
    let mut v: Vec<(Month, PathBuf)> = entries
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir())
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            (name.len() == 7).then(|| name.parse::<Month>().ok()).flatten().map(|m| (m, e.path()))
        })
        .collect();
    v.sort();
    v
}

/// The manifest's outputs of a month folder: path → sha256 (empty when there is none).
fn published_hashes(month_dir: &Path) -> HashMap<String, String> {
    let Ok(text) = fs::read(month_dir.join("manifest.json")) else { return HashMap::new() };
    let Ok(json) = serde_json::from_slice::<serde_json::Value>(&text) else { return HashMap::new() };
    json["outputs"]
        .as_array()
        .map(|outs| {
            outs.iter()
                .filter_map(|o| Some((o["path"].as_str()?.to_string(), o["sha256"].as_str()?.to_string())))
                .collect()
        })
        .unwrap_or_default()
}

/// The workbooks of a month folder that are not as published: changed since (their sha256 is
/// not the manifest's) or added to it. Paths relative to the folder, `/`-separated, sorted.
pub fn edited_files(month_dir: &Path) -> Vec<String> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = fs::read_dir(dir) else { return };
        for e in entries.filter_map(|e| e.ok()) {
            let p = e.path();
            let name = e.file_name().to_string_lossy().into_owned();
            if p.is_dir() {
                walk(root, &p, out);
            } else if !name.starts_with("~$") && !name.starts_with(".~lock") {
                let ext = p.extension().map(|x| x.to_string_lossy().to_ascii_lowercase()).unwrap_or_default();
                if WORKBOOKS.contains(&ext.as_str()) {
                    out.push(p.strip_prefix(root).unwrap_or(&p).to_path_buf());
                }
            }
        }
    }
    if !month_dir.is_dir() {
        return Vec::new();
    }
    let published = published_hashes(month_dir);
    let mut found = Vec::new();
    walk(month_dir, month_dir, &mut found);
    let mut edited: Vec<String> = found
        .into_iter()
        .map(|rel| slash(&rel))
        .filter(|rel| match (published.get(rel), fs::read(month_dir.join(rel))) {
            (Some(sha), Ok(bytes)) => sha256_hex(&bytes) != *sha,
            (None, Ok(_)) => true,
            (_, Err(_)) => false,
        })
        .collect();
    edited.sort();
    edited
}

/// Folder → KAM of a month, from its `index.csv` (the first folder of each plan's path).
pub fn folder_kams(month_dir: &Path) -> BTreeMap<String, String> {
    let mut map = BTreeMap::new();
    let Ok(mut r) = csv::Reader::from_path(month_dir.join("index.csv")) else { return map };
    let headers = r.headers().cloned().unwrap_or_default();
    let col = |name: &str| headers.iter().position(|h| h == name);
    let (Some(kam), Some(xlsx), pdf) = (col("kam"), col("xlsx"), col("pdf")) else { return map };
    for rec in r.records().filter_map(|r| r.ok()) {
        let path = rec.get(xlsx).filter(|p| !p.is_empty()).or_else(|| pdf.and_then(|c| rec.get(c)));
        if let (Some(k), Some(folder)) = (rec.get(kam), path.and_then(|p| p.split('/').next())) {
            if path.is_some_and(|p| p.contains('/')) {
                map.insert(folder.to_string(), k.to_string());
            }
        }
    }
    map
}

/// Copies the edited workbooks of `<out>/<name>/` that are about to be replaced into
/// `<out>/.replaced/<name>/`, unchanged; a file already kept with other content gets a
/// numbered name beside it (`… (2).xlsx`), so no earlier copy is overwritten. Returns where
/// each was kept (relative to `out`).
pub fn keep_replaced(
    out: &Path,
    name: &str,
    replaced: &dyn Fn(&str) -> bool,
) -> Result<Vec<String>, PublishError> {
    let month = out.join(name);
    let mut kept = Vec::new();
    for rel in edited_files(&month).into_iter().filter(|r| replaced(r)) {
        let from = month.join(&rel);
        let bytes = fs::read(&from).map_err(io(&from))?;
        let target = out.join(REPLACED).join(name).join(&rel);
        let Some(dest) = free_name(&target, &bytes) else { continue };
        if let Some(parent) = dest.parent() {
            fs::create_dir_all(parent).map_err(io(parent))?;
        }
        fs::write(&dest, &bytes).map_err(io(&dest))?;
        kept.push(slash(dest.strip_prefix(out).unwrap_or(&dest)));
    }
    Ok(kept)
}

/// `target`, or `stem (n).ext` when `target` holds other bytes; `None` when an identical copy
/// is already kept.
fn free_name(target: &Path, bytes: &[u8]) -> Option<PathBuf> {
    let stem = target.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    let ext = target.extension().map(|s| format!(".{}", s.to_string_lossy())).unwrap_or_default();
    for n in 1.. {
        let candidate =
            if n == 1 { target.to_path_buf() } else { target.with_file_name(format!("{stem} ({n}){ext}")) };
        match fs::read(&candidate) {
            Ok(existing) if existing == bytes => return None,
            Ok(_) => continue,
            Err(_) => return Some(candidate),
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest(dir: &Path, files: &[(&str, &[u8])]) {
        let outputs: Vec<serde_json::Value> = files
            .iter()
            .map(|(p, b)| serde_json::json!({"path": p, "bytes": b.len(), "sha256": sha256_hex(b)}))
            .collect();
        fs::write(dir.join("manifest.json"), serde_json::json!({ "outputs": outputs }).to_string()).unwrap();
    }

    #[test]
    fn edited_workbooks_are_those_not_as_published() {
        let t = tempfile::tempdir().unwrap();
        let m = t.path().join("2026-09");
        fs::create_dir_all(m.join("ana")).unwrap();
        for (p, b) in [("ana/plan.xlsx", b"v1"), ("ana/plan.pdf", b"p1"), ("Resumen.xlsx", b"s1")] {
            fs::write(m.join(p), b).unwrap();
        }
        manifest(&m, &[("ana/plan.xlsx", b"v1"), ("ana/plan.pdf", b"p1"), ("Resumen.xlsx", b"s1")]);
        assert!(edited_files(&m).is_empty());
        fs::write(m.join("ana/plan.xlsx"), b"v2").unwrap();
        fs::write(m.join("ana/copia.xlsx"), b"c").unwrap();
        fs::write(m.join("ana/~$plan.xlsx"), b"lock").unwrap();
        assert_eq!(edited_files(&m), ["ana/copia.xlsx", "ana/plan.xlsx"]);
        assert_eq!(
            month_folders(t.path()).iter().map(|(m, _)| m.to_string()).collect::<Vec<_>>(),
            ["2026-09"]
        );
    }

    #[test]
    fn replaced_files_are_kept_never_overwritten() {
        let t = tempfile::tempdir().unwrap();
        let m = t.path().join("2026-10");
        fs::create_dir_all(m.join("ana")).unwrap();
        manifest(&m, &[("ana/plan.xlsx", b"published")]);
        fs::write(m.join("ana/plan.xlsx"), b"edit 1").unwrap();
        let kept = keep_replaced(t.path(), "2026-10", &|_| true).unwrap();
        assert_eq!(kept, [".replaced/2026-10/ana/plan.xlsx"]);
        // The same edit again: nothing new; another edit: a numbered copy beside the first.
        assert!(keep_replaced(t.path(), "2026-10", &|_| true).unwrap().is_empty());
        fs::write(m.join("ana/plan.xlsx"), b"edit 2").unwrap();
        let kept = keep_replaced(t.path(), "2026-10", &|_| true).unwrap();
        assert_eq!(kept, [".replaced/2026-10/ana/plan (2).xlsx"]);
        assert_eq!(fs::read(t.path().join(".replaced/2026-10/ana/plan.xlsx")).unwrap(), b"edit 1");
        assert!(keep_replaced(t.path(), "2026-10", &|r| !r.starts_with("ana/")).unwrap().is_empty());
    }

    #[test]
    fn folders_belong_to_the_kams_the_index_names() {
        let t = tempfile::tempdir().unwrap();
        fs::write(
            t.path().join("index.csv"),
            "kam,email,key_accounts,sales,pdf,xlsx\nLucía Pérez,,3,1.00,lucia-perez/a.pdf,lucia-perez/a.xlsx\n../../x,,1,1.00,x/b.pdf,\n",
        )
        .unwrap();
        let m = folder_kams(t.path());
        assert_eq!(m.get("lucia-perez").map(String::as_str), Some("Lucía Pérez"));
        assert_eq!(m.get("x").map(String::as_str), Some("../../x"));
    }
}
