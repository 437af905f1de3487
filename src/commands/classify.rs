//! `kamplan classify`: the accounts with ABC class, key reasons and KAM, as a table, CSV or JSON.

use anyhow::Context;

use super::{parse_period, print_out, read_books, resolve_period, Settings};
use crate::{classify as stage, cli, Failure, Outcome};

/// `kamplan classify`: print the accounts with classes and reasons.
///
/// Reads the config (`--lang` overrides its language), the books, picks the period (`--period`,
/// else the latest month with data that is not the current calendar month) and prints the
/// classification as a table, CSV or the stable JSON of [`stage::output::json`]. Warnings
/// (growth not available, unassigned key accounts, rejected rows) go to stderr and make the
/// exit code 1.
pub fn classify(args: &cli::ClassifyArgs) -> Result<Outcome, Failure> {
    let Settings { cfg, lang, .. } = Settings::load(&args.common, args.lang, None)?;
    let explicit = parse_period(args.period.as_deref())?;
    let data = read_books(&args.common.inputs, &cfg)?;
    let period = resolve_period(explicit, &data)?;
    let c = stage::classify(&data, &cfg, period, &lang);
    let text = match args.format {
        cli::ClassifyFormat::Table => stage::output::table(&c, &lang),
        cli::ClassifyFormat::Csv => stage::output::csv(&c).context("writing csv").map_err(Failure::Output)?,
        cli::ClassifyFormat::Json => {
            let v = stage::output::json(&c, &data.report);
            serde_json::to_string_pretty(&v).context("writing json").map_err(Failure::Output)? + "\n"
        }
    };
    print_out(&text)?;
    let report = &data.report;
    for w in report.warnings.iter().chain(&c.warnings) {
        super::say(&format!("kamplan: warning: {w}"));
    }
    if report.rejected > 0 {
        super::say(&format!(
            "kamplan: warning: {} rows rejected; `kamplan check` lists them",
            report.rejected
        ));
    }
    Ok(Outcome::from_warnings(!c.warnings.is_empty() || !report.warnings.is_empty() || report.rejected > 0))
}
