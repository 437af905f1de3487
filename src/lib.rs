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
pub fn check(args: &cli::CheckArgs) -> Result<Outcome, Failure> {
    let _ = args;
    todo!("issue 2")
}

// ---------------------------------------------------------------- classify (issue 3)

/// `kamplan classify`: print the accounts with classes and reasons.
///
/// Reads the config (`--lang` overrides its language), the books, picks the period (`--period`,
/// else the latest month with data that is not the current calendar month) and prints the
/// classification as a table, CSV or the stable JSON of [`classify::output::json`]. Warnings
/// (growth not available, unassigned key accounts, rejected rows) go to stderr and make the
/// exit code 1.
pub fn classify_cmd(args: &cli::ClassifyArgs) -> Result<Outcome, Failure> {
    let (mut cfg, _, _) = load_config(args.common.config.as_deref())?;
    if let Some(l) = args.lang {
        // The default KAM's name follows the output language too.
        cfg.lang = l.code().to_string();
    }
    let lang = lang::Lang::load(&cfg.lang, &cfg.currency, cfg.templates.as_deref())
        .context("language")
        .map_err(Failure::Usage)?;
    let explicit = match args.period.as_deref() {
        Some(p) => Some(p.parse::<period::Month>().context("--period").map_err(Failure::Usage)?),
        None => None,
    };
    let data = ingest::ingest(&args.common.inputs, &cfg).map_err(|e| Failure::Input(e.into()))?;
    let period = match explicit {
        Some(p) => p,
        None => {
            let latest = classify::latest_month(&data)
                .ok_or_else(|| Failure::Input(anyhow::anyhow!("no sales lines to classify")))?;
            period::default_period(latest, classify_today())
        }
    };
    let c = classify::classify(&data, &cfg, period, &lang);
    let text = match args.format {
        cli::ClassifyFormat::Table => classify::output::table(&c, &lang),
        cli::ClassifyFormat::Csv => {
            classify::output::csv(&c).context("writing csv").map_err(Failure::Output)?
        }
        cli::ClassifyFormat::Json => {
            let v = classify::output::json(&c, &data.report);
            serde_json::to_string_pretty(&v).context("writing json").map_err(Failure::Output)? + "\n"
        }
    };
    classify_print(&text)?;
    let report = &data.report;
    for w in report.warnings.iter().chain(&c.warnings) {
        eprintln!("kamplan: warning: {w}");
    }
    if report.rejected > 0 {
        eprintln!("kamplan: warning: {} rows rejected; `kamplan check` lists them", report.rejected);
    }
    let warned = !c.warnings.is_empty() || !report.warnings.is_empty() || report.rejected > 0;
    Ok(if warned { Outcome::Warnings } else { Outcome::Done })
}

/// Today's date (UTC) from the system clock: the only clock read, used for the default period.
fn classify_today() -> chrono::NaiveDate {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    chrono::DateTime::from_timestamp(secs, 0).map(|d| d.date_naive()).unwrap_or_default()
}

/// Writes to stdout; a closed pipe (`| head`) is not an error.
fn classify_print(text: &str) -> Result<(), Failure> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(Failure::Output(anyhow::Error::new(e).context("writing to stdout")))
        }
        _ => Ok(()),
    }
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
