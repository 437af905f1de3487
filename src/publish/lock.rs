//! The lock on an output folder: an OS lock (`flock`) on `<out>/.kamplan.lock`, held by a run
//! from before it reads a book until its month is published.
//!
//! The operating system releases the lock when its holder ends, however it ends: a killed run
//! leaves nothing to clean, a reused pid (after a reboot, pid 1 in a container) holds nothing,
//! and there is no moment when a half-written lock file looks stale. The file itself stays:
//! deleting it while a lock is held would let a second run lock a new file of the same name.
//! The pid written in it only names the holder in the error a second run prints.

use std::fs::{self, File};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};

use super::{io, PublishError, LOCK_FILE};

/// Holds the lock on an output folder while alive.
#[derive(Debug)]
pub struct Lock {
    /// The locked file: closing it (dropping the lock) releases the lock.
    file: File,
    path: PathBuf,
}

impl Lock {
    /// Takes the lock on `out` (created if missing) without waiting: when another process
    /// holds it, an error names that process's pid (when it has written it yet).
    pub fn acquire(out: &Path) -> Result<Lock, PublishError> {
        fs::create_dir_all(out).map_err(io(out))?;
        let path = out.join(LOCK_FILE);
        let mut file = fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(io(&path))?;
        match fs4::FileExt::try_lock(&file) {
            Ok(()) => {}
            Err(fs4::TryLockError::WouldBlock) => {
                let mut text = String::new();
                let _ = file.read_to_string(&mut text);
                let pid = text.trim().parse().ok();
                return Err(PublishError::Locked { pid, out: out.to_path_buf() });
            }
            Err(fs4::TryLockError::Error(e)) => return Err(io(&path)(e)),
        }
        // Ours now: say who holds it, for the next run's error message.
        file.set_len(0).and_then(|_| file.rewind()).map_err(io(&path))?;
        writeln!(file, "{}", std::process::id()).and_then(|_| file.flush()).map_err(io(&path))?;
        Ok(Lock { file, path })
    }

    /// The lock file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        // Closing the file releases the lock; unlocking first says so explicitly.
        let _ = fs4::FileExt::unlock(&self.file);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_held_lock_refuses_a_second_taker_and_names_the_holder() {
        let tmp = tempfile::tempdir().unwrap();
        let held = Lock::acquire(tmp.path()).unwrap();
        let err = Lock::acquire(tmp.path()).unwrap_err().to_string();
        assert!(err.contains(&format!("pid {}", std::process::id())), "{err}");
        drop(held);
        // Released, never deleted: the next run takes the same file.
        assert!(tmp.path().join(LOCK_FILE).exists());
        let again = Lock::acquire(tmp.path()).unwrap();
        assert_eq!(fs::read_to_string(again.path()).unwrap().trim(), std::process::id().to_string());
    }

    #[test]
    fn a_pid_in_the_file_holds_nothing() {
        let tmp = tempfile::tempdir().unwrap();
        // A live process that is not kamplan (pid 1), or an empty file: only the OS lock counts.
        for text in ["1\n", "", "garbage"] {
            fs::write(tmp.path().join(LOCK_FILE), text).unwrap();
            drop(Lock::acquire(tmp.path()).unwrap());
        }
    }

    #[test]
    fn a_lock_whose_holder_has_not_written_its_pid_still_holds() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join(LOCK_FILE);
        let f = fs::OpenOptions::new().write(true).create(true).truncate(true).open(&path).unwrap();
        fs4::FileExt::try_lock(&f).unwrap();
        let err = Lock::acquire(tmp.path()).unwrap_err().to_string();
        assert!(err.contains("another kamplan run is writing"), "{err}");
        assert!(path.exists());
    }
}
