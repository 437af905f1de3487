//! kamplan: Excel sales books in, Key Account Plans out.
//!
//! The pipeline, top to bottom: [`ingest`] → [`classify`] → [`plan`] → [`document`] →
//! [`render`] → [`publish`]. This file runs the stages in order.

pub mod classify;
pub mod cli;
pub mod config;
pub mod document;
pub mod ingest;
pub mod lang;
pub mod period;
pub mod plan;
pub mod publish;
pub mod render;

use std::path::{Path, PathBuf};

use anyhow::Context;

/// How a command ended, as the process exit code. Documented in README and `--help`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// 0: done.
    Done = 0,
    /// 1: done, with warnings someone should read.
    Warnings = 1,
}

/// Errors that choose an exit code other than 0/1.
#[derive(Debug, thiserror::Error)]
pub enum Failure {
    /// 2: usage or configuration error.
    #[error("{0:#}")]
    Usage(anyhow::Error),
    /// 3: input error (no readable book, no sales lines).
    #[error("{0:#}")]
    Input(anyhow::Error),
    /// 4: a document could not be rendered or written.
    #[error("{0:#}")]
    Output(anyhow::Error),
}

impl Failure {
    /// The process exit code.
    pub fn code(&self) -> i32 {
        match self {
            Failure::Usage(_) => 2,
            Failure::Input(_) => 3,
            Failure::Output(_) => 4,
        }
    }
}

/// The config file to use: `--config`, else `./kamplan.toml` when present.
pub fn load_config(explicit: Option<&Path>) -> Result<(config::Config, Option<PathBuf>, Option<String>), Failure> {
    let path = explicit.map(Path::to_path_buf).or_else(|| {
        let p = PathBuf::from("kamplan.toml");
        p.is_file().then_some(p)
    });
    let (cfg, text) = config::Config::load(path.as_deref())
        .context("config")
        .map_err(Failure::Usage)?;
    Ok((cfg, path, text))
}

// ---------------------------------------------------------------- check (issue 2)

/// `kamplan check`: read the books and print what was read.
///
/// Prints, per sheet, its role, header row, column mapping, the decimal separator used for
/// text numbers, rows read = records + skipped + rejected, the amount total and the first
/// rejects; then the totals. `--format json` prints the whole [`ingest::IngestReport`].
/// Exit: [`Outcome::Done`], or [`Outcome::Warnings`] when a row was rejected; an unreadable
/// input or no sales sheet is [`Failure::Input`].
pub fn check(args: &cli::CheckArgs) -> Result<Outcome, Failure> {
    let (cfg, path, _) = load_config(args.common.config.as_deref())?;
    let ds = ingest::ingest(&args.common.inputs, &cfg).map_err(|e| Failure::Input(e.into()))?;
    let settings = match &path {
        Some(p) => format!("settings from {}", p.display()),
        None => "default settings (no kamplan.toml)".to_string(),
    };
    let text = match args.format {
        cli::CheckFormat::Json => ingest::report::json(&ds.report) + "\n",
        cli::CheckFormat::Text => ingest::report::text(&ds, cfg.lang != "en", &cfg.currency, &settings),
    };
    print_out(&text);
    Ok(if ds.report.rejected > 0 { Outcome::Warnings } else { Outcome::Done })
}

/// Writes to stdout; a closed pipe (`kamplan check | head`) is no error.
fn print_out(text: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes()).and_then(|_| out.flush());
}

// ---------------------------------------------------------------- classify (issue 3)

/// `kamplan classify`: print the accounts with classes and reasons.
pub fn classify_cmd(args: &cli::ClassifyArgs) -> Result<Outcome, Failure> {
    let _ = args;
    todo!("issue 3")
}

// ---------------------------------------------------------------- run (issue 5)

/// `kamplan run`: the monthly job.
pub fn run(args: &cli::RunArgs) -> Result<Outcome, Failure> {
    let _ = args;
    todo!("issue 5")
}

// ---------------------------------------------------------------- init (issue 4)

/// `kamplan init`: write the default templates and a commented config.
pub fn init(args: &cli::InitArgs) -> Result<Outcome, Failure> {
    let _ = args;
    todo!("issue 4")
}
