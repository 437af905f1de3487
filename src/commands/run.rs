//! `kamplan run`: the monthly job — read, classify, plan, render every KAM in parallel, publish
//! the month atomically.

use anyhow::Context;

use super::{hand_over, now_secs, parse_period, print_out, read_books, resolve_period, Log, Settings};
use crate::period::Month;
use crate::publish::{self, DocPath, MonthFile};
use crate::render::{self, Format};
use crate::{classify, cli, document, ingest, plan, templating, Failure, Outcome};

/// `kamplan run`: settings → ingest → classify → plan → render → publish.
///
/// Exit: [`Outcome::Warnings`] when anything in the manifest's `warnings` needs reading
/// (rejected rows, unassigned key accounts, growth not available); usage errors are checked
/// before any book is read; nothing is published unless every document was rendered.
pub fn run(args: &cli::RunArgs) -> Result<Outcome, Failure> {
    let log = Log { quiet: args.quiet, verbose: args.verbose };
    let s = Settings::load(&args.common, args.lang, args.templates.as_deref())?;
    let out = args.out.clone().unwrap_or_else(|| s.cfg_dir.join(&s.cfg.out));
    let explicit_period = parse_period(args.period.as_deref())?;
    let formats = formats(&args.format);
    let (templates, mut warnings) = templating::Templates::load(s.templates_dir.as_deref(), &s.lang)
        .map_err(|e| Failure::Usage(anyhow::Error::new(e).context("templates")))?;

    log.detail(format!("reading {} input(s)", args.common.inputs.len()));
    let data = read_books(&args.common.inputs, &s.cfg)?;
    warnings.extend(ingest_warnings(&data.report, &log));

    let period = resolve_period(explicit_period, &data)?;
    let c = classify::classify(&data, &s.cfg, period, &s.lang);
    warnings.extend(c.warnings.iter().cloned());
    log.info(format!(
        "period {period} (window {} to {}): {} accounts, {} key, {} KAMs",
        c.window.from,
        c.window.to,
        c.totals.accounts,
        c.totals.key_accounts,
        c.kams.len()
    ));

    let inputs = plan::Inputs::from_dataset(&data);
    let mut plans = plan::build(&c, &data, &inputs, &s.cfg, &s.lang);
    warnings.extend(missing_emails(&plans, &data, &s.cfg.default_kam()));
    let selected = select_kams(&plans, &args.kam, period)?;
    let (paths, summary_path) =
        publish::document_paths(plans.kams.iter().map(|k| k.kam.as_str()), &s.lang, period);
    // The plan stage made a hand-over row per KAM, in the same order; add the file paths.
    for (row, path) in plans.summary.handover.iter_mut().zip(&paths) {
        row.pdf = if formats.contains(&Format::Pdf) { path.rel_slash("pdf") } else { String::new() };
        row.xlsx = if formats.contains(&Format::Xlsx) { path.rel_slash("xlsx") } else { String::new() };
    }
    let mut jobs: Vec<Job> = plans
        .kams
        .iter()
        .zip(&paths)
        .filter(|(k, _)| selected(&k.kam))
        .map(|(k, path)| Job { kam: Some(k), path })
        .collect();
    jobs.push(Job { kam: None, path: &summary_path });

    let month_dir = out.join(period.to_string());
    if args.dry_run {
        let mut text = String::new();
        for job in &jobs {
            for f in &formats {
                text += &format!("{}\n", month_dir.join(job.path.rel(f.extension())).display());
            }
        }
        text += &format!(
            "{}\n{}\n",
            month_dir.join("manifest.json").display(),
            month_dir.join("index.csv").display()
        );
        print_out(&text)?;
        log.info("dry run: nothing written");
        return Ok(Outcome::from_warnings(!warnings.is_empty()));
    }

    let files = Rendering::new(&templates, &s, period, &formats, args.jobs)?
        .render_all(&jobs, &plans, period, &log)?;

    let input_paths = data.report.files.clone();
    let rep = &data.report;
    let month = publish::MonthContent {
        period,
        files: &files,
        replaces: (!args.kam.is_empty()).then(|| {
            let mut names: Vec<String> =
                jobs.iter().filter(|j| j.kam.is_some()).map(|j| j.path.folder.clone()).collect();
            names.extend(Format::ALL.iter().map(|f| summary_path.rel_slash(f.extension())));
            names
        }),
        handover: &plans.summary.handover,
        record: &handover_record(&plans, &summary_path, &formats),
        manifest: publish::ManifestRun {
            kamplan_version: env!("CARGO_PKG_VERSION"),
            period,
            window: c.window,
            when: publish::run_time(now_secs()),
            input_paths: &input_paths,
            config: publish::ManifestConfig {
                path: s.cfg_path.as_ref().map(|p| p.display().to_string()),
                sha256: s.cfg_text.as_ref().map(|t| publish::sha256_hex(t.as_bytes())),
                effective: &s.cfg,
            },
            counts: publish::ManifestCounts {
                rows: rep.rows,
                transactions: rep.transactions,
                skipped: rep.skipped,
                rejected: rep.rejected,
                accounts: c.totals.accounts,
                key_accounts: c.totals.key_accounts,
                kams: plans.kams.len(),
            },
            warnings: &warnings,
            returns: rep.returns.as_ref(),
            unmatched: &rep.unmatched,
        },
    };
    let published = publish::publish_month(&out, &month).map_err(|e| Failure::Output(e.into()))?;

    // Results on stdout: what was published, one path per line.
    let mut text = format!("{}\n", published.display());
    for (rel, _) in &files {
        text += &format!("{}\n", published.join(rel).display());
    }
    print_out(&text)?;
    log.info(format!("published {} documents in {}", files.len(), published.display()));
    for w in &warnings {
        log.warn(w);
    }
    let outcome = Outcome::from_warnings(!warnings.is_empty());
    if args.send || s.cfg.send.after_run {
        // The month is published whatever happens next; the send stage reads it back as
        // `kamplan send` would, and a failure says so.
        let sent = hand_over(&published, &s.cfg, s.templates_dir.as_deref(), &Default::default(), &log)
            .map_err(|f| f.context(format!("published {}, but the hand-over failed", published.display())))?;
        return Ok(outcome.max(sent));
    }
    Ok(outcome)
}

/// The month's hand-over record: each plan's files as the index lists them, the summary's.
fn handover_record(plans: &plan::Plans, summary: &DocPath, formats: &[Format]) -> plan::handover::Handover {
    let files: Vec<Vec<String>> =
        plans.summary.handover.iter().map(|row| vec![row.pdf.clone(), row.xlsx.clone()]).collect();
    let summary_files = formats.iter().map(|f| summary.rel_slash(f.extension())).collect();
    plan::handover::Handover::build(plans, &files, summary_files)
}

/// One document to produce: a KAM's plan (or the summary, `kam: None`) and where it goes.
struct Job<'a> {
    kam: Option<&'a plan::KamPlan>,
    path: &'a DocPath,
}

/// The formats asked for, in a fixed order, each once.
fn formats(args: &[cli::FormatArg]) -> Vec<Format> {
    let mut f: Vec<Format> = args
        .iter()
        .map(|f| match f {
            cli::FormatArg::Pdf => Format::Pdf,
            cli::FormatArg::Xlsx => Format::Xlsx,
        })
        .collect();
    f.sort();
    f.dedup();
    f
}

/// Says what was read and returns the warnings reading left for the manifest.
fn ingest_warnings(rep: &ingest::IngestReport, log: &Log) -> Vec<String> {
    log.info(format!(
        "read {} rows: {} records, {} skipped, {} rejected",
        rep.rows, rep.transactions, rep.skipped, rep.rejected
    ));
    let mut warnings = Vec::new();
    if rep.rejected > 0 {
        warnings.push(format!("rejected rows: {} (`kamplan check` lists each cell)", rep.rejected));
    }
    warnings.extend(rep.warnings.iter().cloned());
    warnings
}

/// KAMs with a plan whose directory gives no email: the hand-over (`index.csv`) leaves it blank.
/// Said only when a KAM or territory directory was read (emails are optional there).
fn missing_emails(plans: &plan::Plans, data: &ingest::Dataset, default_kam: &str) -> Option<String> {
    if data.directory.is_empty() {
        return None;
    }
    let missing: Vec<&str> = plans
        .summary
        .handover
        .iter()
        .filter(|r| r.email.is_none() && classify::norm(&r.kam) != classify::norm(default_kam))
        .map(|r| r.kam.as_str())
        .collect();
    (!missing.is_empty()).then(|| {
        format!(
            "{} KAM(s) have no email in the directory, so the hand-over (index.csv) has none for them: {}",
            missing.len(),
            missing.join(", ")
        )
    })
}

/// `--kam`: every name must be a KAM with key accounts; returns whether a KAM is selected.
fn select_kams<'a>(
    plans: &plan::Plans,
    wanted: &'a [String],
    period: Month,
) -> Result<impl Fn(&str) -> bool + 'a, Failure> {
    for w in wanted {
        if !plans.kams.iter().any(|k| classify::norm(&k.kam) == classify::norm(w)) {
            let known: Vec<_> = plans.kams.iter().map(|k| k.kam.as_str()).collect();
            return Err(Failure::Usage(anyhow::anyhow!(
                "--kam {w:?}: no KAM of that name has key accounts in {period}; KAMs: {}",
                known.join(", ")
            )));
        }
    }
    Ok(move |name: &str| {
        wanted.is_empty() || wanted.iter().any(|w| classify::norm(w) == classify::norm(name))
    })
}

/// What rendering needs besides the plans: the templates, a renderer per format, the fixed
/// render context and the thread pool.
struct Rendering<'a> {
    templates: &'a templating::Templates,
    renderers: Vec<Box<dyn render::Renderer>>,
    base: render::RenderContext,
    pool: rayon::ThreadPool,
}

impl<'a> Rendering<'a> {
    fn new(
        templates: &'a templating::Templates,
        s: &Settings,
        period: Month,
        formats: &[Format],
        threads: Option<usize>,
    ) -> Result<Rendering<'a>, Failure> {
        let base = render::RenderContext {
            created: period.last_day().and_hms_opt(0, 0, 0).unwrap_or_default(),
            document_id: String::new(),
            page_label: s.lang.get("plan.page").to_string(),
            lang: s.lang.code.clone(),
            ident: None,
        };
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads.unwrap_or(0))
            .build()
            .map_err(|e| Failure::Usage(anyhow::anyhow!("--jobs: {e}")))?;
        let renderers = formats.iter().map(|f| render::renderer(*f)).collect();
        Ok(Rendering { templates, renderers, base, pool })
    }

    /// Renders every job in memory, in parallel across KAMs: template → document → each
    /// format. A failure names the KAM (or the summary); nothing is written here.
    fn render_all(
        &self,
        jobs: &[Job],
        plans: &plan::Plans,
        period: Month,
        log: &Log,
    ) -> Result<Vec<MonthFile>, Failure> {
        use rayon::prelude::*;
        let progress = progress_bar(log, jobs.len());
        // Largest documents first (the summary, then KAMs by key accounts), each taken by the
        // next free thread, so no long document starts last and runs alone.
        let mut order: Vec<usize> = (0..jobs.len()).collect();
        order.sort_by_key(|&i| std::cmp::Reverse(jobs[i].kam.map_or(usize::MAX, |k| k.accounts.len())));
        let mut rendered: Vec<(usize, anyhow::Result<Vec<MonthFile>>)> = self.pool.install(|| {
            order
                .into_iter()
                .par_bridge()
                .map(|i| {
                    let files = self.render(&jobs[i], plans, period);
                    if let Some(pb) = &progress {
                        pb.inc(1);
                    }
                    (i, files)
                })
                .collect()
        });
        if let Some(pb) = progress {
            pb.finish_and_clear();
        }
        rendered.sort_by_key(|r| r.0);
        let mut files = Vec::new();
        for (_, r) in rendered {
            files.extend(r.map_err(Failure::Output)?);
        }
        Ok(files)
    }

    fn render(&self, job: &Job, plans: &plan::Plans, period: Month) -> anyhow::Result<Vec<MonthFile>> {
        let who = match job.kam {
            Some(k) => format!("plan of KAM {:?}", k.kam),
            None => "management summary".to_string(),
        };
        let xhtml = match job.kam {
            Some(k) => self.templates.render_plan(k),
            None => self.templates.render_summary(&plans.summary),
        }
        .with_context(|| format!("{who}: template"))?;
        let doc = document::parse(&xhtml).with_context(|| format!("{who}: template output"))?;
        let id = format!("{}|{period}", job.path.stem);
        let ctx = render::RenderContext {
            document_id: publish::sha256_hex(id.as_bytes())[..32].to_string(),
            ..self.base.clone()
        };
        let mut files = Vec::new();
        for r in &self.renderers {
            let bytes = r.render(&doc, &ctx).with_context(|| format!("{who}: {}", r.format().extension()))?;
            files.push((job.path.rel(r.format().extension()), bytes));
        }
        Ok(files)
    }
}

/// A progress bar on a terminal only (never in a scheduled run's log).
fn progress_bar(log: &Log, n: usize) -> Option<indicatif::ProgressBar> {
    use std::io::IsTerminal;
    if log.quiet || !std::io::stderr().is_terminal() {
        return None;
    }
    let pb = indicatif::ProgressBar::new(n as u64);
    if let Ok(style) = indicatif::ProgressStyle::with_template("{pos}/{len} documents {wide_bar} {elapsed}") {
        pb.set_style(style);
    }
    Some(pb)
}
