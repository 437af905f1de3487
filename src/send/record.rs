//! The send record, `<out>/<P>/sent.json`: every message a server accepted — recipients,
//! message-id, files with sha256, time, the server's reply — rewritten after each one (temp
//! file, fsync, rename), so a batch killed halfway resumes without sending anything twice.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

pub use crate::publish::SENT_FILE;

/// Version of the `sent.json` format.
pub const RECORD_VERSION: u32 = 1;

/// `sent.json`: the accepted messages, oldest first. Never rewritten but to add one.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SentRecord {
    pub version: u32,
    pub period: String,
    pub messages: Vec<SentMessage>,
}

/// One accepted message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SentMessage {
    /// What the message hands over: `kam:<name>` or `summary`.
    pub key: String,
    /// The KAM, for a plan's message.
    pub kam: Option<String>,
    pub to: Vec<String>,
    pub cc: Vec<String>,
    pub message_id: String,
    pub subject: String,
    /// The attached files as published: path in the month folder, size and sha256.
    pub files: Vec<SentFile>,
    /// When the server accepted it (UTC).
    pub sent_at: String,
    /// The server's reply (`250 2.0.0 Ok: queued as …`), or what the transport said.
    pub reply: String,
    /// How it went: `smtp host:port`, `sendmail`.
    pub transport: String,
    /// A test round (`--to`): everything went to one address instead of the KAMs.
    pub test: bool,
}

/// An attached file.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct SentFile {
    pub path: String,
    pub bytes: u64,
    pub sha256: String,
}

/// The record cannot be read or written.
#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    /// The OS's words once (not chained as a source, so `{:#}` does not repeat them).
    #[error("{}: {}", .path.display(), crate::publish::os_text(.error))]
    Io { path: PathBuf, error: std::io::Error },
    #[error(
        "{path} is not a send record kamplan can read ({message}); nothing was sent, as kamplan could not \
         tell what was already sent: restore it, or move it aside to send the whole month again"
    )]
    Unreadable { path: PathBuf, message: String },
}

impl SentRecord {
    /// The record of the month folder `dir`; empty when nothing was sent yet.
    pub fn load(dir: &Path, period: &str) -> Result<SentRecord, RecordError> {
        let path = dir.join(SENT_FILE);
        match fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes)
                .map_err(|e| RecordError::Unreadable { path: path.clone(), message: e.to_string() }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                Ok(SentRecord { version: RECORD_VERSION, period: period.to_string(), messages: Vec::new() })
            }
            Err(error) => Err(RecordError::Io { path, error }),
        }
    }

    /// The accepted message that handed over the same thing (`key`) to the same recipients
    /// (`to`, case ignored) with the same files (paths and sha256), if any.
    pub fn find(&self, key: &str, to: &[String], files: &[SentFile]) -> Option<&SentMessage> {
        let to = normalised(to);
        let mut files = files.to_vec();
        files.sort();
        self.messages.iter().rev().find(|m| {
            let mut mf = m.files.clone();
            mf.sort();
            m.key == key && normalised(&m.to) == to && mf == files
        })
    }

    /// The latest accepted message for `key` to real recipients (not a test round).
    pub fn last_for(&self, key: &str) -> Option<&SentMessage> {
        self.messages.iter().rev().find(|m| m.key == key && !m.test)
    }

    /// Adds an accepted message and writes the record at once.
    pub fn add(&mut self, dir: &Path, message: SentMessage) -> Result<(), RecordError> {
        self.messages.push(message);
        self.save(dir)
    }

    /// Writes `sent.json` atomically: a temp file in the same folder, fsync, rename, fsync of
    /// the folder. A crash leaves either the previous record or the new one, never half.
    pub fn save(&self, dir: &Path) -> Result<(), RecordError> {
        let path = dir.join(SENT_FILE);
        let tmp = dir.join(format!(".{SENT_FILE}.{}.tmp", std::process::id()));
        let io = |p: &Path| {
            let p = p.to_path_buf();
            move |error| RecordError::Io { path: p, error }
        };
        let json = serde_json::to_vec_pretty(self)
            .map_err(|e| RecordError::Io { path: path.clone(), error: std::io::Error::other(e) })?;
        {
            let mut f = fs::File::create(&tmp).map_err(io(&tmp))?;
            f.write_all(&json).map_err(io(&tmp))?;
            f.sync_all().map_err(io(&tmp))?;
        }
        if let Err(e) = fs::rename(&tmp, &path) {
            let _ = fs::remove_file(&tmp);
            return Err(io(&path)(e));
        }
        // The rename itself is durable only once the folder is synced (not possible everywhere).
        if let Ok(d) = fs::File::open(dir) {
            let _ = d.sync_all();
        }
        Ok(())
    }
}

fn normalised(addresses: &[String]) -> Vec<String> {
    let mut v: Vec<String> = addresses.iter().map(|a| a.trim().to_lowercase()).collect();
    v.sort();
    v.dedup();
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(key: &str, to: &str, sha: &str) -> SentMessage {
        SentMessage {
            key: key.into(),
            kam: None,
            to: vec![to.into()],
            cc: vec![],
            message_id: "<1@x>".into(),
            subject: "s".into(),
            files: vec![SentFile { path: "a/p.pdf".into(), bytes: 3, sha256: sha.into() }],
            sent_at: "2026-11-02T06:00:00Z".into(),
            reply: "250 OK".into(),
            transport: "smtp".into(),
            test: false,
        }
    }

    #[test]
    fn found_only_with_the_same_recipients_and_files() {
        let tmp = tempfile::tempdir().unwrap();
        let mut r = SentRecord::load(tmp.path(), "2026-10").unwrap();
        assert!(r.messages.is_empty());
        r.add(tmp.path(), msg("kam:Ana", "Ana@X.es", "aa")).unwrap();
        let r = SentRecord::load(tmp.path(), "2026-10").unwrap();
        assert_eq!(r.messages.len(), 1);
        let files = |sha: &str| vec![SentFile { path: "a/p.pdf".into(), bytes: 3, sha256: sha.into() }];
        assert!(
            r.find("kam:Ana", &["ana@x.es".into()], &files("aa")).is_some(),
            "case of the address ignored"
        );
        assert!(
            r.find("kam:Ana", &["ana@x.es".into()], &files("bb")).is_none(),
            "a changed file is sent again"
        );
        assert!(r.find("kam:Ana", &["test@x.es".into()], &files("aa")).is_none(), "other recipients");
        assert!(r.find("kam:Bruno", &["ana@x.es".into()], &files("aa")).is_none());
        // No temp file left behind.
        let names: Vec<_> = fs::read_dir(tmp.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names, [SENT_FILE]);
    }

    #[test]
    fn an_unreadable_record_stops_the_send() {
        let tmp = tempfile::tempdir().unwrap();
        fs::write(tmp.path().join(SENT_FILE), "{ half").unwrap();
        let err = SentRecord::load(tmp.path(), "2026-10").unwrap_err().to_string();
        assert!(err.contains("could not tell what was already sent"), "{err}");
    }
}
