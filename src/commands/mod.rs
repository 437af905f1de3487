//! Commands: one file per `kamplan` command, each reading as its pipeline stages in order, and
//! the few helpers they share (settings, the period, stdout, the log).

pub mod check;
pub mod classify;
pub mod init;
mod returned;
pub mod run;
pub mod send;

use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::CommandFactory;

use crate::cli::{self, Cli, Command};
use crate::{config, ingest, lang, period, Failure, Outcome};

/// Runs the command the command line names.
pub fn dispatch(cli: &Cli) -> Result<Outcome, Failure> {
    match &cli.command {
        Command::Check(a) => check::check(a),
        Command::Classify(a) => classify::classify(a),
        Command::Run(a) => run::run(a),
        Command::Send(a) => send::send(a),
        Command::Init(a) => init::init(a),
        Command::Completions { shell } => {
            let mut out = Vec::new();
            clap_complete::generate(*shell, &mut Cli::command(), "kamplan", &mut out);
            print_out(&String::from_utf8_lossy(&out))?;
            Ok(Outcome::Done)
        }
    }
}

/// The config file to use: `--config`, else `./kamplan.toml` when present. Returns the config,
/// its path and its text (for the manifest's hash).
pub fn load_config(
    explicit: Option<&Path>,
) -> Result<(config::Config, Option<PathBuf>, Option<String>), Failure> {
    let path = explicit.map(Path::to_path_buf).or_else(|| {
        let p = PathBuf::from("kamplan.toml");
        p.is_file().then_some(p)
    });
    let (cfg, text) = config::Config::load(path.as_deref()).context("config").map_err(Failure::Usage)?;
    Ok((cfg, path, text))
}

/// The settings of a command: the config (with command-line overrides), where it came from,
/// and the language.
pub struct Settings {
    pub cfg: config::Config,
    pub cfg_path: Option<PathBuf>,
    pub cfg_text: Option<String>,
    /// Folder the config's relative paths start from.
    pub cfg_dir: PathBuf,
    pub templates_dir: Option<PathBuf>,
    pub lang: lang::Lang,
}

impl Settings {
    /// Loads the config and the language. Paths in the config file are relative to the file;
    /// paths on the command line (`templates`) to the working folder.
    pub fn load(
        common: &cli::Common,
        lang_arg: Option<cli::LangArg>,
        templates: Option<&Path>,
    ) -> Result<Settings, Failure> {
        let (mut cfg, cfg_path, cfg_text) = load_config(common.config.as_deref())?;
        if let Some(l) = lang_arg {
            // The default KAM's name and the file names follow the output language too.
            cfg.lang = l.code().into();
        }
        let cfg_dir = cfg_path.as_deref().and_then(Path::parent).map(Path::to_path_buf).unwrap_or_default();
        let templates_dir = match templates {
            Some(t) => Some(t.to_path_buf()),
            None => cfg.templates.as_ref().map(|t| cfg_dir.join(t)),
        };
        let lang = lang::Lang::load(&cfg.lang, &cfg.currency(), templates_dir.as_deref())
            .context("language")
            .map_err(Failure::Usage)?
            .with_locale(cfg.locale());
        Ok(Settings { cfg, cfg_path, cfg_text, cfg_dir, templates_dir, lang })
    }
}

/// Reads the books: an unreadable input or no sales sheet is an input error (exit 3).
pub fn read_books(inputs: &[PathBuf], cfg: &config::Config) -> Result<ingest::Dataset, Failure> {
    ingest::ingest(inputs, cfg).map_err(|e| match e {
        ingest::IngestError::Columns(_) => Failure::Usage(e.into()),
        _ => Failure::Input(e.into()),
    })
}

/// `--period`, checked before any book is read.
pub fn parse_period(arg: Option<&str>) -> Result<Option<period::Month>, Failure> {
    arg.map(|p| p.parse::<period::Month>().context("--period").map_err(Failure::Usage)).transpose()
}

/// The explicit period, else the latest month with data unless it is the current (open) month.
pub fn resolve_period(
    explicit: Option<period::Month>,
    data: &ingest::Dataset,
) -> Result<period::Month, Failure> {
    match explicit {
        Some(p) => Ok(p),
        None => {
            let latest = crate::classify::latest_month(data)
                .ok_or_else(|| Failure::Input(anyhow::anyhow!("no dated sales lines in the inputs")))?;
            Ok(period::default_period(latest, today()))
        }
    }
}

/// Writes results to stdout; a closed pipe (`kamplan check | head`) is not an error.
pub fn print_out(text: &str) -> Result<(), Failure> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(Failure::Output(anyhow::Error::new(e).context("writing to stdout")))
        }
        _ => Ok(()),
    }
}

/// Writes one line to stderr; a stderr that cannot take it (`2>/dev/full`) loses the line,
/// never the run (`eprintln!` would panic).
pub fn say(line: &str) {
    use std::io::Write;
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "{line}");
}

/// Today's date from the system clock: the one clock read, used only to pick the default
/// period (the stages get the period as a value).
pub fn today() -> chrono::NaiveDate {
    chrono::DateTime::from_timestamp(now_secs(), 0).map(|d| d.date_naive()).unwrap_or_default()
}

/// Seconds since the Unix epoch by the system clock.
pub fn now_secs() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// Hands a published month over (the send stage) and says what happened: stdout the messages
/// sent (or the dry run's listing), stderr the rest. Shared by `send` and `run --send`.
///
/// Exit: [`Outcome::Warnings`] when a message could not be composed or was refused (5xx);
/// [`Failure::Output`] when some were not sent for now (they are sent by the next `send`).
pub fn hand_over(
    month_dir: &Path,
    cfg: &config::Config,
    cfg_dir: &Path,
    templates_dir: Option<&Path>,
    opts: &crate::send::Options,
    log: &Log,
) -> Result<Outcome, Failure> {
    use crate::send::{self, SendError};
    let progress = |line: &str| log.info(line);
    let report =
        send::send(month_dir, cfg, cfg_dir, templates_dir, opts, &progress).map_err(|e| match e {
            SendError::Usage(m) => Failure::Usage(anyhow::anyhow!(m)),
            SendError::Month(m) => Failure::Input(anyhow::anyhow!(m)),
            SendError::Output(m) => Failure::Output(anyhow::anyhow!(m)),
        })?;
    for n in &report.notes {
        log.info(n);
    }
    if report.dry_run {
        print_out(&report.listing)?;
    } else {
        let lines: String = report.sent.iter().map(|(who, to)| format!("sent\t{who}\t{to}\n")).collect();
        print_out(&lines)?;
    }
    if !report.already.is_empty() {
        log.info(format!(
            "{} already sent with the same files, not sent again (--resend sends them again): {}",
            report.already.len(),
            report.already.join("; ")
        ));
    }
    for w in report.warnings.iter().chain(&report.rejected) {
        log.warn(w);
    }
    let verb = if report.dry_run { "would be sent" } else { "sent" };
    let n = report.sent.len();
    log.info(format!(
        "{n} message{} {verb} from {}{}",
        if n == 1 { "" } else { "s" },
        month_dir.display(),
        if report.dry_run { "; dry run: nothing was sent" } else { "" }
    ));
    if !report.not_sent.is_empty() {
        let then = match report.stopped {
            true => "fix the first error, then run `kamplan send` again",
            false => "run `kamplan send` again when the server answers",
        };
        return Err(Failure::Output(anyhow::anyhow!(
            "not sent: {}; {then}: what was sent is not sent again",
            report.not_sent.join("; ")
        )));
    }
    Ok(Outcome::from_warnings(!report.warnings.is_empty() || !report.rejected.is_empty()))
}

/// Progress and warnings on stderr, one line per event, as chatty as `-q`/`-v` ask.
pub struct Log {
    pub quiet: bool,
    pub verbose: bool,
}

impl Log {
    /// A step worth saying unless `--quiet`.
    pub fn info(&self, msg: impl AsRef<str>) {
        if !self.quiet {
            say(&format!("kamplan: {}", msg.as_ref()));
        }
    }
    /// A detail only `--verbose` shows.
    pub fn detail(&self, msg: impl AsRef<str>) {
        if self.verbose {
            say(&format!("kamplan: {}", msg.as_ref()));
        }
    }
    /// A warning someone should read (unless `--quiet`; the manifest keeps them all).
    pub fn warn(&self, msg: impl AsRef<str>) {
        if !self.quiet {
            say(&format!("kamplan: warning: {}", msg.as_ref()));
        }
    }
}
