//! Send: hands a published month over by email — each KAM their plan, management the summary —
//! exactly once, with a record.
//!
//! Reads only what publish wrote: `manifest.json` (every file with its sha256, all checked
//! before anything is sent), `handover.json` (who gets which files, what the mail says) and the
//! files; so it runs alone on any published month. The stage, top to bottom:
//! [`Month::open`] (check the month) → [`compose::compose`] (the messages, from the mail
//! templates) → [`deliver`] through a [`transport::Transport`] (SMTP, sendmail, or a dry run),
//! recording each accepted message at once in `sent.json` ([`record`]) under the out folder's
//! lock. A message already recorded with the same recipients and the same files is not sent
//! again (unless `--resend`); one whose file changed since is.

pub mod compose;
pub mod record;
pub mod tls;
pub mod transport;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use crate::config::{Config, SendTransport, PASSWORD_ENV};
use crate::plan::handover::Handover;
use crate::publish::{self, FileEntry, HANDOVER_FILE};
use compose::{Outgoing, Sender};
use record::{SentMessage, SentRecord};
use transport::{Transport, TransportError};

/// What a send was asked to do.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Connect to nothing: list the messages, or write them as `.eml` files.
    pub dry_run: Option<DryRun>,
    /// Only these KAMs' messages (no summary).
    pub kams: Vec<String>,
    /// A test round: every message to this one address instead.
    pub to: Option<String>,
    /// Send again what was already sent.
    pub resend: bool,
}

/// The two dry runs.
#[derive(Debug, Clone, PartialEq)]
pub enum DryRun {
    /// Print recipients, subject, attachments and sizes.
    List,
    /// Write each message as an `.eml` file in this folder.
    Eml(PathBuf),
}

/// Why a send could not start or had to stop; the command turns each into an exit code.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    /// Configuration or command line (exit 2).
    #[error("{0}")]
    Usage(String),
    /// The published month cannot be sent as it is (exit 3).
    #[error("{0}")]
    Month(String),
    /// The out folder is locked or the record cannot be written (exit 4).
    #[error("{0}")]
    Output(String),
}

impl SendError {
    /// A `[send]` key with what is wrong with it.
    pub fn config(key: &str, message: &str) -> SendError {
        SendError::Usage(format!("[send] {key} {message}"))
    }
}

/// A published month, checked: every file the manifest lists has its size and sha256.
pub struct Month {
    pub dir: PathBuf,
    pub period: String,
    pub handover: Handover,
    /// The manifest's outputs by path.
    outputs: BTreeMap<String, FileEntry>,
}

#[derive(Deserialize)]
struct ManifestOutputs {
    period: String,
    outputs: Vec<FileEntry>,
}

impl Month {
    /// Opens `<out>/<P>/` and checks every output against the manifest.
    ///
    /// # Errors
    /// No manifest or hand-over record; a file missing, or whose bytes are not those published
    /// (tampered or half-copied): the error names the file.
    pub fn open(dir: &Path) -> Result<Month, SendError> {
        let manifest_path = dir.join("manifest.json");
        let bytes = std::fs::read(&manifest_path).map_err(|e| {
            SendError::Month(format!(
                "{} is not a published month ({}: {e}); publish it with `kamplan run`",
                dir.display(),
                manifest_path.display()
            ))
        })?;
        let m: ManifestOutputs = serde_json::from_slice(&bytes).map_err(|e| {
            SendError::Month(format!("{}: not a kamplan manifest ({e})", manifest_path.display()))
        })?;
        let mut outputs = BTreeMap::new();
        for f in m.outputs {
            check_file(dir, &f)?;
            outputs.insert(f.path.clone(), f);
        }
        if !outputs.contains_key(HANDOVER_FILE) {
            return Err(SendError::Month(format!(
                "{} has no {HANDOVER_FILE}: it was published by an older kamplan; publish it again with \
                 `kamplan run --period {}` before sending",
                dir.display(),
                m.period
            )));
        }
        let h_path = dir.join(HANDOVER_FILE);
        let handover: Handover = std::fs::read(&h_path)
            .map_err(|e| e.to_string())
            .and_then(|b| serde_json::from_slice(&b).map_err(|e| e.to_string()))
            .map_err(|e| SendError::Month(format!("{}: {e}", h_path.display())))?;
        let month = Month { dir: dir.to_path_buf(), period: m.period, handover, outputs };
        let named = month.handover.kams.iter().flat_map(|k| &k.files).chain(&month.handover.summary_files);
        for f in named {
            if !month.outputs.contains_key(f) {
                return Err(SendError::Month(format!(
                    "{}: {f} is in {HANDOVER_FILE} but not in the manifest's outputs; publish the month again",
                    dir.display()
                )));
            }
        }
        Ok(month)
    }

    /// The published size of a file of the month.
    pub fn size(&self, rel: &str) -> Result<u64, SendError> {
        self.outputs.get(rel).map(|f| f.bytes).ok_or_else(|| self.unlisted(rel))
    }

    /// A file's bytes and sha256, checked again against the manifest as they are read for sending.
    pub fn read(&self, rel: &str) -> Result<(Vec<u8>, String), SendError> {
        let entry = self.outputs.get(rel).ok_or_else(|| self.unlisted(rel))?;
        let bytes = std::fs::read(self.dir.join(rel))
            .map_err(|e| SendError::Month(format!("{}: {e}", self.dir.join(rel).display())))?;
        let sha = publish::sha256_hex(&bytes);
        if sha != entry.sha256 {
            return Err(tampered(&self.dir, rel));
        }
        Ok((bytes, sha))
    }

    fn unlisted(&self, rel: &str) -> SendError {
        SendError::Month(format!("{}: {rel} is not in the manifest", self.dir.display()))
    }
}

fn check_file(dir: &Path, f: &FileEntry) -> Result<(), SendError> {
    let path = dir.join(&f.path);
    let bytes = std::fs::read(&path).map_err(|e| {
        SendError::Month(format!(
            "{}: {} is in the manifest but cannot be read ({e}); nothing was sent: copy the month again \
             or publish it again with `kamplan run`",
            dir.display(),
            f.path
        ))
    })?;
    if bytes.len() as u64 != f.bytes || publish::sha256_hex(&bytes) != f.sha256 {
        return Err(tampered(dir, &f.path));
    }
    Ok(())
}

fn tampered(dir: &Path, rel: &str) -> SendError {
    SendError::Month(format!(
        "{}: {rel} does not match its sha256 in the manifest: it was changed or half-copied after publishing; \
         nothing was sent: publish the month again with `kamplan run` (or copy it again), then send",
        dir.display()
    ))
}

/// What a send did.
#[derive(Debug, Default)]
pub struct Report {
    /// Accepted now: (who, recipients).
    pub sent: Vec<(String, String)>,
    /// Already sent with the same recipients and files: who.
    pub already: Vec<String>,
    /// Refused for good (5xx): who and the reply.
    pub rejected: Vec<String>,
    /// Not sent for now (server unreachable, timeouts, 4xx after the retries): who and why.
    pub not_sent: Vec<String>,
    /// The send stopped at an error no retry mends (a certificate not trusted, a login refused,
    /// a mail agent that fails): it must be fixed before the next send.
    pub stopped: bool,
    /// Messages not composed (no email, bad address, file too large), copies left out.
    pub warnings: Vec<String>,
    pub notes: Vec<String>,
    /// What a dry run shows on stdout: the listing, or the `.eml` files written.
    pub listing: String,
    pub dry_run: bool,
}

/// Sends the month in `month_dir` as `opts` asks. `cfg_dir` is the folder the config's relative
/// paths start from (`[send] ca_file`). `progress` gets one line per event (stderr).
///
/// # Errors
/// See [`SendError`]: a config problem (a `ca_file` that is not PEM certificates among them), a
/// month that fails its check, a lock held by another run, or a record that cannot be written.
/// Messages that fail are in the [`Report`].
pub fn send(
    month_dir: &Path,
    cfg: &Config,
    cfg_dir: &Path,
    templates_dir: Option<&Path>,
    opts: &Options,
    progress: &dyn Fn(&str),
) -> Result<Report, SendError> {
    let month = Month::open(month_dir)?;
    let h = &month.handover;
    let lang = crate::lang::Lang::load(&h.lang, &h.currency, templates_dir)
        .map_err(|e| SendError::Usage(format!("language: {e}")))?;
    let (templates, template_warnings) = crate::templating::Templates::load(templates_dir, &lang)
        .map_err(|e| SendError::Usage(format!("templates: {e}")))?;
    for w in template_warnings {
        progress(&format!("warning: {w}"));
    }
    let sender = Sender::from_config(&cfg.send)?;
    let composed = compose::compose(&month, &cfg.send, opts, &sender, &templates)?;
    let mut transport = transport_for(cfg, cfg_dir, opts)?;

    let _lock = match transport.delivers() {
        true => Some(
            publish::Lock::acquire(month_dir.parent().unwrap_or(Path::new(".")))
                .map_err(|e| SendError::Output(e.to_string()))?,
        ),
        false => None,
    };
    let mut record =
        SentRecord::load(month_dir, &month.period).map_err(|e| SendError::Output(e.to_string()))?;
    let mut report = Report {
        warnings: composed.warnings,
        notes: composed.notes,
        dry_run: opts.dry_run.is_some(),
        ..Report::default()
    };
    let mut todo = Vec::new();
    for m in composed.messages {
        let files = m.record_files();
        match record.find(&m.key, &m.to_addresses(), &files) {
            Some(prev) if !opts.resend => {
                report.already.push(format!("{} ({}, {})", m.who, prev.to.join(", "), prev.sent_at))
            }
            _ => {
                if let Some(prev) = record.last_for(&m.key).filter(|_| !opts.resend && opts.to.is_none()) {
                    progress(&format!(
                        "{}: changed since it was sent on {}: sending again",
                        m.who, prev.sent_at
                    ));
                }
                todo.push(m)
            }
        }
    }
    let mut d = Delivery {
        transport: &mut *transport,
        record: &mut record,
        dir: month_dir,
        sender: &sender,
        policy: Retry { retries: cfg.send.retries, backoff: Duration::from_secs_f64(cfg.send.backoff_s) },
        test_round: opts.to.is_some(),
    };
    let result = d.deliver(&todo, &mut report, progress);
    transport.close();
    report.listing = transport.output();
    result.map(|_| report)
}

/// The latest month published in `out`: the greatest `YYYY-MM` folder holding a manifest.
pub fn latest_month(out: &Path) -> Option<crate::period::Month> {
    std::fs::read_dir(out)
        .ok()?
        .filter_map(|e| e.ok())
        .filter(|e| e.path().join("manifest.json").is_file())
        .filter_map(|e| e.file_name().to_str()?.parse::<crate::period::Month>().ok())
        .max()
}

/// The transport `[send]` and the options ask for; a dry run never connects.
fn transport_for(cfg: &Config, cfg_dir: &Path, opts: &Options) -> Result<Box<dyn Transport>, SendError> {
    let s = &cfg.send;
    // Read in a dry run too, so the try before the real send finds a bad file.
    let ca = match (s.transport, &s.ca_file) {
        (SendTransport::Smtp, Some(path)) => {
            Some(tls::CaFile::read(&cfg_dir.join(path)).map_err(SendError::Usage)?)
        }
        _ => None,
    };
    match &opts.dry_run {
        Some(DryRun::List) => return Ok(Box::new(transport::Listing::default())),
        Some(DryRun::Eml(dir)) => {
            return Ok(Box::new(transport::EmlFiles { dir: dir.clone(), written: Vec::new() }))
        }
        None => {}
    }
    match s.transport {
        SendTransport::Sendmail => Ok(Box::new(transport::Sendmail { command: "sendmail".into() })),
        SendTransport::Smtp => {
            if s.host.trim().is_empty() {
                return Err(SendError::config(
                    "host",
                    "is not set: name your SMTP server (or set transport = \"sendmail\" to use this machine's \
                     mail agent); try `kamplan send --dry-run` first",
                ));
            }
            let password = std::env::var(PASSWORD_ENV).ok().filter(|p| !p.is_empty());
            let login = match (s.user.trim(), password) {
                ("", _) => None,
                (user, Some(password)) => Some(transport::Login { user: user.to_string(), password }),
                (user, None) => {
                    return Err(SendError::Usage(format!(
                        "[send] user is {user:?} but {PASSWORD_ENV} is not set: export the SMTP password in \
                         the environment kamplan runs in (it is never read from the config file)"
                    )))
                }
            };
            Ok(Box::new(transport::Smtp::new(s, login, ca).map_err(SendError::Usage)?))
        }
    }
}

/// How often and how patiently a message is tried.
pub struct Retry {
    /// Tries after the first.
    pub retries: u32,
    /// Wait before the first retry; doubled before each next one.
    pub backoff: Duration,
}

/// Where and how messages are handed over.
pub struct Delivery<'a> {
    pub transport: &'a mut dyn Transport,
    /// The month's record, written to `dir` after each accepted message.
    pub record: &'a mut SentRecord,
    pub dir: &'a Path,
    pub sender: &'a Sender,
    pub policy: Retry,
    /// `--to`: recorded as a test round.
    pub test_round: bool,
}

impl Delivery<'_> {
    /// Hands the messages over in order, recording each accepted one before the next.
    ///
    /// A 5xx refuses that message only. An unreachable server, a timeout or a 4xx is tried again
    /// `policy.retries` times with a doubling wait; if the server itself stays unreachable, the
    /// remaining messages are not tried (listed as not sent). A login refused stops at once.
    ///
    /// # Errors
    /// A message was accepted but the record could not be written: stop, say so.
    pub fn deliver(
        &mut self,
        messages: &[Outgoing],
        report: &mut Report,
        progress: &dyn Fn(&str),
    ) -> Result<(), SendError> {
        let (transport, record, sender, policy, test_round) =
            (&mut *self.transport, &mut *self.record, self.sender, &self.policy, self.test_round);
        let domain = sender.from.email.domain().to_string();
        let mut stopped: Option<String> = None;
        for (i, m) in messages.iter().enumerate() {
            if let Some(why) = &stopped {
                report.not_sent.push(format!("{}: not tried ({why})", m.who));
                continue;
            }
            let message_id = message_id(i, &domain);
            let msg = m.message(sender, &message_id).map_err(SendError::Usage)?;
            let raw = msg.formatted();
            let envelope = msg.envelope().clone();
            let mut attempt = 0;
            loop {
                match transport.send(m, &envelope, &raw) {
                    Ok(reply) => {
                        let to = m.to.iter().map(|x| x.to_string()).collect::<Vec<_>>().join(", ");
                        let mut whom = m.to_addresses().join(", ");
                        if !m.cc.is_empty() {
                            whom += &format!(", cc {}", m.cc_addresses().join(", "));
                        }
                        if transport.delivers() {
                            let entry = SentMessage {
                                key: m.key.clone(),
                                kam: m.kam.clone(),
                                to: m.to_addresses(),
                                cc: m.cc_addresses(),
                                message_id: message_id.clone(),
                                subject: m.subject.clone(),
                                files: m.record_files(),
                                sent_at: now_utc(),
                                reply: reply.clone(),
                                transport: transport.name(),
                                test: test_round,
                            };
                            record.add(self.dir, entry).map_err(|e| {
                            SendError::Output(format!(
                                "{} was sent but the record could not be written ({e}); it would be sent again \
                                 by the next `kamplan send`: fix the folder, then send",
                                m.who
                            ))
                        })?;
                            progress(&format!("sent {} ({whom}): {reply}", m.who));
                        }
                        report.sent.push((m.who.clone(), to));
                        break;
                    }
                    Err(TransportError::Reject(why)) => {
                        report.rejected.push(format!("{} not sent: {why}", m.who));
                        break;
                    }
                    Err(TransportError::Fatal(why)) => {
                        report.not_sent.push(format!("{}: {why}", m.who));
                        report.stopped = true;
                        stopped = Some("stopped after the error above".into());
                        break;
                    }
                    Err(TransportError::Retry { reason, connection }) => {
                        if attempt < policy.retries {
                            let wait = policy.backoff * 2u32.saturating_pow(attempt);
                            progress(&format!(
                                "{}: {reason}; trying again in {:.1} s ({}/{})",
                                m.who,
                                wait.as_secs_f64(),
                                attempt + 1,
                                policy.retries
                            ));
                            std::thread::sleep(wait);
                            attempt += 1;
                            continue;
                        }
                        report.not_sent.push(format!("{}: {reason} (tried {} times)", m.who, attempt + 1));
                        if connection {
                            stopped = Some("the server was unreachable".into());
                        }
                        break;
                    }
                }
            }
        }
        Ok(())
    }
}

/// A unique Message-ID in the sender's domain.
fn message_id(i: usize, domain: &str) -> String {
    let nanos =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
    let token = publish::sha256_hex(format!("{nanos}.{}.{i}", std::process::id()).as_bytes());
    format!("<kamplan.{}@{domain}>", &token[..24])
}

/// Now, UTC, to the second.
fn now_utc() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    chrono::DateTime::from_timestamp(secs, 0)
        .map(|d| d.format("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_default()
}
