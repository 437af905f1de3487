//! `kamplan run`: the monthly job — read, classify, plan, render every KAM in parallel, publish
//! the month atomically.

use anyhow::Context;

use super::{hand_over, now_secs, parse_period, print_out, read_books, resolve_period, Log, Settings};
use crate::period::Month;
use crate::publish::{self, DocPath, MonthFile};
use crate::render::{self, Format};
use crate::{classify, cli, document, history, ingest, plan, templating, Failure, Outcome};

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
    publish::names::check_patterns(&s.lang)
        .map_err(|e| Failure::Usage(anyhow::anyhow!("language file names: {e}")))?;
    // The output folder is locked from here until the month is published: a second run on the
    // same folder stops now, before any work (a dry run writes nothing and takes no lock).
    let lock = match args.dry_run {
        true => None,
        false => Some(publish::Lock::acquire(&out).map_err(|e| Failure::Output(e.into()))?),
    };

    log.detail(format!("reading {} input(s)", args.common.inputs.len()));
    // With the period given, the returned plans that do not depend on the books are read while
    // the books are, on the core reading the books leaves idle.
    let (data, ahead) = match explicit_period {
        Some(p) => {
            super::returned::read_during(&s, &out, p, &log, || read_books(&args.common.inputs, &s.cfg))?
        }
        None => (read_books(&args.common.inputs, &s.cfg)?, Default::default()),
    };
    warnings.extend(ingest_warnings(&data.report, &log));

    let period = resolve_period(explicit_period, &data)?;
    // Classifying and the carry stage (what the KAMs wrote in the plans they returned, by
    // account code) both need only the books: they run side by side.
    let (c, returned) = rayon::join(
        || classify::classify(&data, &s.cfg, period, &s.lang),
        || super::returned::read_returned(&s, &out, period, &data, ahead),
    );
    warnings.extend(c.warnings.iter().cloned());
    log.info(format!(
        "period {period} (window {} to {}): {} accounts, {} key, {} KAMs",
        c.window.from,
        c.window.to,
        c.totals.accounts,
        c.totals.key_accounts,
        c.kams.len()
    ));

    super::returned::say_returned(&returned, &log);
    warnings.extend(returned.warnings.iter().map(|w| w.to_string()));
    let mut inputs = plan::Inputs::from_dataset(&data).with_carried(returned.carried, period, &s.lang);
    // The targets the latest earlier month published: this plan sets the months elapsed
    // against them. An unreadable month is a warning, never a stop.
    match history::earlier_targets(&out, period) {
        Ok(Some(e)) => {
            log.detail(format!("targets of {} read back for {} accounts", e.period, e.targets.len()));
            inputs.earlier_targets = e.targets;
        }
        Ok(None) => {}
        Err(e) => warnings.push(format!("earlier targets not read: {e}")),
    }
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
            "{}\n{}\n{}\n",
            month_dir.join(CARRIED).display(),
            month_dir.join("manifest.json").display(),
            month_dir.join("index.csv").display()
        );
        print_out(&text)?;
        log.info("dry run: nothing written");
        return Ok(Outcome::from_warnings(!warnings.is_empty()));
    }

    let mut files = Rendering::new(&templates, &s, period, &formats, args.jobs)?
        .render_all(&jobs, &plans, period, &log)?;
    files.push((CARRIED.into(), plans.carried.to_json()));
    // Per output, the returned files and cells its KAM's entries came from.
    let carried_from = jobs
        .iter()
        .filter_map(|j| j.kam.map(|k| (j.path, plan::plan_sources(k))))
        .filter(|(_, sources)| !sources.is_empty())
        .flat_map(|(path, sources)| {
            formats.iter().map(move |f| (path.rel_slash(f.extension()), sources.clone()))
        })
        .collect();

    let input_paths = data.report.files.clone();
    let rep = &data.report;
    let month = publish::MonthContent {
        period,
        files: &files,
        replaces: (!args.kam.is_empty()).then(|| {
            let mut names: Vec<String> =
                jobs.iter().filter(|j| j.kam.is_some()).map(|j| j.path.folder.clone()).collect();
            names.extend(Format::ALL.iter().map(|f| summary_path.rel_slash(f.extension())));
            names.push(CARRIED.into());
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
            targets: &plans.targets,
            carried_from,
        },
    };
    let Some(lock) = lock else {
        return Err(Failure::Output(anyhow::anyhow!("{}: not locked", out.display())));
    };
    let committed = publish::publish_month(&lock, &out, &month).map_err(|e| Failure::Output(e.into()))?;
    // Published: from here nothing can unpublish the month, and the exit code says so.
    drop(lock);
    let published = committed.dir;
    warnings.extend(committed.warnings);

    // Results on stdout: what was published, one path per line. A stdout that cannot take them
    // (a full disk, `>/dev/full`) loses the listing, not the month.
    let mut text = format!("{}\n", published.display());
    for (rel, _) in &files {
        text += &format!("{}\n", published.join(rel).display());
    }
    if let Err(e) = print_out(&text) {
        warnings.push(format!("{e}; the month is published in {}", published.display()));
    }
    let documents = files.iter().filter(|(rel, _)| rel.as_path() != std::path::Path::new(CARRIED)).count();
    log.info(format!("published {documents} documents in {}", published.display()));
    for w in &warnings {
        log.warn(w);
    }
    let outcome = Outcome::from_warnings(!warnings.is_empty());
    if args.send || s.cfg.send.after_run {
        // The month is published whatever happens next; the send stage reads it back as
        // `kamplan send` would, and a failure says so.
        let sent =
            hand_over(&published, &s.cfg, &s.cfg_dir, s.templates_dir.as_deref(), &Default::default(), &log)
                .map_err(|f| {
                    f.context(format!("published {}, but the hand-over failed", published.display()))
                })?;
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

/// The month's record of everything the KAMs own, by account code.
const CARRIED: &str = "carried.json";

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
            lang: s.lang.locale.tag().to_string(),
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
        use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
        let progress = progress_bar(log, jobs.len());
        // When each document started rendering (ms from `t0`, 0: not rendering): a watchdog
        // stops the run when one takes longer than RENDER_LIMIT — a user's template can loop
        // without end, and no thread can be stopped from outside.
        let t0 = std::time::Instant::now();
        let started: Vec<AtomicU64> = jobs.iter().map(|_| AtomicU64::new(0)).collect();
        let done = AtomicBool::new(false);
        // Largest documents first (the summary, then KAMs by key accounts), each taken by the
        // next free thread, so no long document starts last and runs alone.
        let mut order: Vec<usize> = (0..jobs.len()).collect();
        order.sort_by_key(|&i| std::cmp::Reverse(jobs[i].kam.map_or(usize::MAX, |k| k.accounts.len())));
        let mut rendered: Vec<(usize, anyhow::Result<Vec<MonthFile>>)> = std::thread::scope(|scope| {
            let watchdog = scope.spawn(|| watch(jobs, &started, &done, t0));
            let rendered = self.pool.install(|| {
                order
                    .into_iter()
                    .par_bridge()
                    .map(|i| {
                        started[i].store(t0.elapsed().as_millis() as u64 + 1, Ordering::Relaxed);
                        // A panic while rendering (a renderer's bug, no memory for a thread) is
                        // this document's error: it must not leave the watchdog to report it, 20 s
                        // later, as a template that loops.
                        let files = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                            self.render(&jobs[i], plans, period)
                        }))
                        .unwrap_or_else(|p| {
                            let why = p
                                .downcast_ref::<&str>()
                                .map(|s| s.to_string())
                                .or_else(|| p.downcast_ref::<String>().cloned())
                                .unwrap_or_else(|| "a panic".into());
                            let who = match jobs[i].kam {
                                Some(k) => format!("plan of KAM {:?}", k.kam),
                                None => "management summary".to_string(),
                            };
                            Err(anyhow::anyhow!("{who}: rendering failed: {why}"))
                        });
                        started[i].store(0, Ordering::Relaxed);
                        if let Some(pb) = &progress {
                            pb.inc(1);
                        }
                        (i, files)
                    })
                    .collect()
            });
            done.store(true, Ordering::Relaxed);
            watchdog.thread().unpark();
            rendered
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
        let (who, template) = match job.kam {
            Some(k) => (format!("plan of KAM {:?}", k.kam), templating::PLAN),
            None => ("management summary".to_string(), templating::SUMMARY),
        };
        let xhtml = match job.kam {
            Some(k) => self.templates.render_plan(k),
            None => self.templates.render_summary(&plans.summary),
        }
        .with_context(|| who.clone())?;
        let doc = document::parse(&xhtml).with_context(|| format!("{who}: {template}"))?;
        let id = format!("{}|{period}", job.path.stem);
        let ident = match job.kam {
            Some(k) => crate::carry::ident::PlanIdent::plan(period, &k.kam, &self.base.lang),
            None => crate::carry::ident::PlanIdent::summary(period, &self.base.lang),
        };
        let ctx = render::RenderContext {
            document_id: publish::sha256_hex(id.as_bytes())[..32].to_string(),
            ident: Some(ident),
            ..self.base.clone()
        };
        // A document's formats render in parallel too: a thread left with no document to start
        // takes the other format of one in hand, rather than idling while the last documents end
        // one format after the other. Files stay in the renderers' order.
        use rayon::prelude::*;
        self.renderers
            .par_iter()
            .map(|r| {
                let mut bytes =
                    r.render(&doc, &ctx).with_context(|| format!("{who}: {}", r.format().extension()))?;
                // Held until the month is published: without the slack of the buffer it grew in
                // (up to half of it), which on a large book is tens of megabytes.
                bytes.shrink_to_fit();
                Ok((job.path.rel(r.format().extension()), bytes))
            })
            .collect()
    }
}

/// Most time one document may take to render: a plan takes some tens of milliseconds.
const RENDER_LIMIT: std::time::Duration = std::time::Duration::from_secs(20);

/// Watches the documents being rendered until `done`; one that takes longer than
/// [`RENDER_LIMIT`] ends the process with exit 4 naming it (nothing is published then: the
/// month is only written after every document is rendered, and the OS releases the lock).
fn watch(
    jobs: &[Job],
    started: &[std::sync::atomic::AtomicU64],
    done: &std::sync::atomic::AtomicBool,
    t0: std::time::Instant,
) {
    use std::sync::atomic::Ordering;
    while !done.load(Ordering::Relaxed) {
        std::thread::park_timeout(std::time::Duration::from_millis(250));
        let now = t0.elapsed().as_millis() as u64 + 1;
        for (job, slot) in jobs.iter().zip(started) {
            let since = slot.load(Ordering::Relaxed);
            if since > 0 && now - since > RENDER_LIMIT.as_millis() as u64 {
                let (who, template) = match job.kam {
                    Some(k) => (format!("plan of KAM {:?}", k.kam), templating::PLAN),
                    None => ("management summary".to_string(), templating::SUMMARY),
                };
                super::say(&format!(
                    "kamplan: error: {who}: rendering took more than {} s (does template {template} loop without \
                     end?); nothing was published",
                    RENDER_LIMIT.as_secs()
                ));
                std::process::exit(4);
            }
        }
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
