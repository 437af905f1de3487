//! The staging folder a run writes into, and the swap that makes it the month.
//!
//! A run writes everything into `<out>/.staging-<P>-<pid>/`; only when every file is written is
//! it swapped in as `<out>/<P>/`. On Linux the swap is one atomic exchange
//! (`renameat2(RENAME_EXCHANGE)`): at every instant `<out>/<P>` is the old month or the new one,
//! never missing. Elsewhere (or on a filesystem without the exchange) it is two renames — old
//! month aside as `.previous-<P>`, new one in — and a run killed between them is repaired by the
//! next. Removing the old copy afterwards is best effort: what cannot be removed (another user's
//! folder inside it) is a warning, never a failure of a month already published.

use std::fs;
use std::path::{Path, PathBuf};

use super::{io, PublishError};

/// A staging folder that becomes `<out>/<name>/` on [`Staging::commit`], or vanishes.
#[derive(Debug)]
pub struct Staging {
    out: PathBuf,
    name: String,
    dir: PathBuf,
    committed: bool,
    /// What could not be cleaned up along the way.
    warnings: Vec<String>,
}

/// A month swapped in: its folder, and what could not be cleaned up.
#[derive(Debug)]
pub struct Committed {
    pub dir: PathBuf,
    pub warnings: Vec<String>,
}

impl Staging {
    /// Creates `<out>/.staging-<name>-<pid>/`, after cleaning what killed runs left.
    /// Call with the lock held.
    pub fn new(out: &Path, name: &str) -> Result<Staging, PublishError> {
        let mut warnings = recover(out, name)?;
        let mut dir = out.join(format!(".staging-{name}-{}", std::process::id()));
        // A leftover that could not be removed keeps its name; this run takes another.
        let mut n = 1;
        while fs::symlink_metadata(&dir).is_ok() {
            dir = out.join(format!(".staging-{name}-{}-{n}", std::process::id()));
            n += 1;
        }
        fs::create_dir_all(&dir).map_err(io(&dir))?;
        warnings.retain(|w| !w.is_empty());
        Ok(Staging { out: out.to_path_buf(), name: name.to_string(), dir, committed: false, warnings })
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
        if !published.is_dir() {
            return Ok(());
        }
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

    /// Swaps the staging folder in as `<out>/<name>/` (see the module documentation).
    pub fn commit(mut self) -> Result<Committed, PublishError> {
        let target = self.out.join(&self.name);
        let mut warnings = std::mem::take(&mut self.warnings);
        if fs::symlink_metadata(&target).is_err() {
            fs::rename(&self.dir, &target).map_err(io(&target))?;
            self.committed = true;
            return Ok(Committed { dir: target, warnings });
        }
        if exchange(&self.dir, &target).map_err(io(&target))? {
            // The staging path now holds the old month.
            self.committed = true;
            warnings.extend(remove_old(&self.dir));
            return Ok(Committed { dir: target, warnings });
        }
        let aside = self.out.join(format!(".previous-{}", self.name));
        if fs::symlink_metadata(&aside).is_ok() {
            remove_any(&aside).map_err(io(&aside))?;
        }
        fs::rename(&target, &aside).map_err(io(&target))?;
        checkpoint("old month aside");
        if let Err(e) = fs::rename(&self.dir, &target) {
            // Put the previous month back before reporting.
            let _ = fs::rename(&aside, &target);
            return Err(io(&target)(e));
        }
        self.committed = true;
        warnings.extend(remove_old(&aside));
        Ok(Committed { dir: target, warnings })
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = remove_any(&self.dir);
        }
    }
}

/// Exchanges two existing paths atomically; `Ok(false)` where the system cannot (then the
/// caller falls back to two renames).
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> std::io::Result<bool> {
    use rustix::fs::{renameat_with, RenameFlags, CWD};
    match renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE) {
        Ok(()) => Ok(true),
        // An old kernel, or a filesystem (some network or FUSE ones) without the exchange.
        Err(e)
            if [rustix::io::Errno::INVAL, rustix::io::Errno::NOSYS, rustix::io::Errno::NOTSUP]
                .contains(&e) =>
        {
            Ok(false)
        }
        Err(e) => Err(e.into()),
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange(_: &Path, _: &Path) -> std::io::Result<bool> {
    Ok(false)
}

/// Removes a file or a folder tree.
fn remove_any(p: &Path) -> std::io::Result<()> {
    match fs::symlink_metadata(p) {
        Ok(m) if m.is_dir() => fs::remove_dir_all(p),
        Ok(_) => fs::remove_file(p),
        Err(e) => Err(e),
    }
}

/// Removes the previous month's copy, best effort: a warning when it cannot.
fn remove_old(p: &Path) -> Option<String> {
    remove_any(p).err().map(|e| {
        format!(
            "the new month is published, but the previous copy could not be fully removed ({}: {}); \
             remove it by hand",
            p.display(),
            super::os_text(&e)
        )
    })
}

/// Repairs what killed runs left in `out` (call with the lock held): a month set aside but not
/// replaced is put back, an old copy beside a month and staging folders are removed — best
/// effort, each leftover that cannot be removed is a warning.
fn recover(out: &Path, name: &str) -> Result<Vec<String>, PublishError> {
    let target = out.join(name);
    let aside = out.join(format!(".previous-{name}"));
    let mut warnings = Vec::new();
    if fs::symlink_metadata(&aside).is_ok() {
        if fs::symlink_metadata(&target).is_ok() {
            warnings.extend(remove_old(&aside));
        } else {
            fs::rename(&aside, &target).map_err(io(&aside))?;
        }
    }
    let Ok(entries) = fs::read_dir(out) else { return Ok(warnings) };
    for e in entries.filter_map(|e| e.ok()) {
        if e.file_name().to_string_lossy().starts_with(".staging-") {
            if let Err(err) = remove_any(&e.path()) {
                warnings.push(format!(
                    "a folder left by an earlier run could not be removed ({}: {}); remove it by hand",
                    e.path().display(),
                    super::os_text(&err)
                ));
            }
        }
    }
    Ok(warnings)
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

/// A test's watcher of the points inside a swap.
#[cfg(test)]
type Watcher = Option<Box<dyn Fn(&str)>>;

#[cfg(test)]
thread_local! {
    /// Called at each point of a swap where a killed run would leave the folder as it is.
    static CHECKPOINT: std::cell::RefCell<Watcher> = const { std::cell::RefCell::new(None) };
}

/// A point inside a swap (tests watch the folder there).
fn checkpoint(_what: &str) {
    #[cfg(test)]
    CHECKPOINT.with(|c| {
        if let Some(f) = c.borrow().as_ref() {
            f(_what)
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let c = s.commit().unwrap();
        assert!(c.dir.join("a/new.txt").is_file());
        assert!(!c.dir.join("old.txt").exists());
        assert!(c.warnings.is_empty());
        assert_eq!(fs::read_dir(out).unwrap().count(), 1);
    }

    /// Issue 14 (16): at no point of a swap is the month missing — on Linux the exchange has no
    /// point in between at all.
    #[test]
    fn the_month_is_never_missing_while_it_is_swapped() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().to_path_buf();
        fs::create_dir_all(out.join("2026-10")).unwrap();
        let target = out.join("2026-10");
        let missing = std::rc::Rc::new(std::cell::Cell::new(Vec::<String>::new()));
        let seen = missing.clone();
        CHECKPOINT.with(|c| {
            *c.borrow_mut() = Some(Box::new(move |what| {
                if !target.exists() {
                    let mut v = seen.take();
                    v.push(what.to_string());
                    seen.set(v);
                }
            }))
        });
        for _ in 0..3 {
            let s = Staging::new(&out, "2026-10").unwrap();
            s.write(Path::new("plan.pdf"), b"x").unwrap();
            s.commit().unwrap();
        }
        CHECKPOINT.with(|c| *c.borrow_mut() = None);
        assert_eq!(missing.take(), Vec::<String>::new(), "the month was missing at these points");
    }

    #[test]
    fn a_file_where_the_month_goes_is_replaced() {
        let tmp = tempfile::tempdir().unwrap();
        fs::write(tmp.path().join("2026-10"), "not a folder").unwrap();
        let s = Staging::new(tmp.path(), "2026-10").unwrap();
        s.write(Path::new("plan.pdf"), b"x").unwrap();
        let c = s.commit().unwrap();
        assert!(c.dir.join("plan.pdf").is_file());
        assert!(c.warnings.is_empty(), "{:?}", c.warnings);
        assert_eq!(fs::read_dir(tmp.path()).unwrap().count(), 1);
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
}
