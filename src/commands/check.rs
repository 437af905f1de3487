//! `kamplan check`: read the books and print what was read from each sheet.

use anyhow::Context;

use super::{load_config, print_out, read_books, today};
use crate::{classify, cli, ingest, lang, period, Failure, Outcome};

/// `kamplan check`: read the books and print what was read.
///
/// Prints, per sheet, its role, header row, column mapping, the decimal separator used for
/// text numbers, rows read = records + skipped + rejected, the amount total and the first
/// rejects; then the totals. `--format json` prints the whole [`ingest::IngestReport`].
/// Exit: [`Outcome::Done`], or [`Outcome::Warnings`] when a row was rejected; an unreadable
/// input or no sales sheet is [`Failure::Input`].
pub fn check(args: &cli::CheckArgs) -> Result<Outcome, Failure> {
    let (cfg, path, _) = load_config(args.common.config.as_deref())?;
    let ds = read_books(&args.common.inputs, &cfg)?;
    let settings = match &path {
        Some(p) => format!("settings from {}", p.display()),
        None => "default settings (no kamplan.toml)".to_string(),
    };
    let text = match args.format {
        cli::CheckFormat::Json => ingest::report::json(&ds.report) + "\n",
        cli::CheckFormat::Text => {
            ingest::report::text(&ds, cfg.locale().comma_decimal(), &cfg.currency(), &settings)
        }
    };
    print_out(&text)?;
    // Growth needs a line in the prior window of the period `run` would pick: say so once, here
    // as in `classify`, so the month's data can be completed before the run.
    // Its exit code stays about reading (1: rows rejected); `classify` and `run` exit 1 for it.
    if let Some(latest) = classify::latest_month(&ds) {
        let p = period::default_period(latest, today());
        let prior = period::Window::ending(p, cfg.classify.window_months).prior();
        if !ds.transactions.iter().any(|t| prior.contains(t.date)) {
            let lang = lang::Lang::load(&cfg.lang, &cfg.currency(), None)
                .context("language")
                .map_err(Failure::Usage)?
                .with_locale(cfg.locale());
            let msg = lang.fill(
                "warn.growth_unavailable",
                &[("from", prior.from.to_string()), ("to", prior.to.to_string())],
            );
            super::say(&format!("kamplan: warning: {msg} (period {p})"));
        }
    }
    Ok(Outcome::from_warnings(ds.report.rejected > 0))
}
