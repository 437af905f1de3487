//! `kamplan send`: a published month handed over by email — each KAM their plan, management the
//! summary — exactly once, with a record.

use std::path::Path;

use super::{hand_over, load_config, parse_period, Log};
use crate::send::{self, DryRun};
use crate::{cli, Failure, Outcome};

/// `kamplan send`: config → the published month (`--period`, else the latest) → send stage.
///
/// Reads nothing but the month folder `run` published. Exit: see [`hand_over`].
pub fn send(args: &cli::SendArgs) -> Result<Outcome, Failure> {
    let log = Log { quiet: args.quiet, verbose: args.verbose };
    let (cfg, cfg_path, _) = load_config(args.config.as_deref())?;
    let cfg_dir = cfg_path.as_deref().and_then(Path::parent).map(Path::to_path_buf).unwrap_or_default();
    let out = args.out.clone().unwrap_or_else(|| cfg_dir.join(&cfg.out));
    let templates_dir = cfg.templates.as_ref().map(|t| cfg_dir.join(t));
    let period = match parse_period(args.period.as_deref())? {
        Some(p) => p,
        None => send::latest_month(&out).ok_or_else(|| {
            Failure::Input(anyhow::anyhow!(
                "no published month in {}: publish one with `kamplan run`, or name the folder with -o",
                out.display()
            ))
        })?,
    };
    let month_dir = out.join(period.to_string());
    log.detail(format!("sending {}", month_dir.display()));
    let opts = send::Options {
        dry_run: args.dry_run.as_ref().map(|d| match d {
            Some(dir) => DryRun::Eml(dir.clone()),
            None => DryRun::List,
        }),
        kams: args.kam.clone(),
        to: args.to.clone(),
        resend: args.resend,
    };
    hand_over(&month_dir, &cfg, &cfg_dir, templates_dir.as_deref(), &opts, &log)
}
