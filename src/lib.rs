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
pub mod templating;

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

/// The settings of a run: the config (with command-line overrides), where it came from, and
/// the language.
struct Settings {
    cfg: config::Config,
    cfg_path: Option<PathBuf>,
    cfg_text: Option<String>,
    /// Folder the config's relative paths start from.
    cfg_dir: PathBuf,
    templates_dir: Option<PathBuf>,
    lang: lang::Lang,
}

/// Loads the config and the language. Paths in the config file are relative to the file;
/// paths on the command line (`templates`) to the working folder.
fn settings(
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
    let lang = lang::Lang::load(&cfg.lang, &cfg.currency, templates_dir.as_deref())
        .context("language")
        .map_err(Failure::Usage)?;
    Ok(Settings { cfg, cfg_path, cfg_text, cfg_dir, templates_dir, lang })
}

/// `--period`, checked before any book is read.
fn parse_period(arg: Option<&str>) -> Result<Option<period::Month>, Failure> {
    arg.map(|p| p.parse::<period::Month>().context("--period").map_err(Failure::Usage)).transpose()
}

/// The explicit period, else the latest month with data unless it is the current (open) month.
fn resolve_period(explicit: Option<period::Month>, data: &ingest::Dataset) -> Result<period::Month, Failure> {
    match explicit {
        Some(p) => Ok(p),
        None => {
            let latest = classify::latest_month(data)
                .ok_or_else(|| Failure::Input(anyhow::anyhow!("no dated sales lines in the inputs")))?;
            Ok(period::default_period(latest, today()))
        }
    }
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
    print_out(&text)?;
    // Growth needs a line in the prior window of the period `run` would pick: say so once, here
    // as in `classify`, so the month's data can be completed before the run.
    // Its exit code stays about reading (1: rows rejected); `classify` and `run` exit 1 for it.
    if let Some(latest) = classify::latest_month(&ds) {
        let p = period::default_period(latest, today());
        let prior = period::Window::ending(p, cfg.classify.window_months).prior();
        if !ds.transactions.iter().any(|t| prior.contains(t.date)) {
            let lang = lang::Lang::load(&cfg.lang, &cfg.currency, None)
                .context("language")
                .map_err(Failure::Usage)?;
            let msg = lang.fill(
                "warn.growth_unavailable",
                &[("from", prior.from.to_string()), ("to", prior.to.to_string())],
            );
            eprintln!("kamplan: warning: {msg} (period {p})");
        }
    }
    Ok(if ds.report.rejected > 0 { Outcome::Warnings } else { Outcome::Done })
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
    let Settings { cfg, lang, .. } = settings(&args.common, args.lang, None)?;
    let explicit = parse_period(args.period.as_deref())?;
    let data = ingest::ingest(&args.common.inputs, &cfg).map_err(|e| Failure::Input(e.into()))?;
    let period = resolve_period(explicit, &data)?;
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
    print_out(&text)?;
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

/// Writes results to stdout; a closed pipe (`kamplan check | head`) is not an error.
fn print_out(text: &str) -> Result<(), Failure> {
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

/// Today's date from the system clock: the one clock read, used only to pick the default
/// period (the stages get the period as a value).
pub fn today() -> chrono::NaiveDate {
    chrono::DateTime::from_timestamp(now_secs(), 0).map(|d| d.date_naive()).unwrap_or_default()
}

/// Seconds since the Unix epoch by the system clock.
fn now_secs() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// Where a run writes and how chatty it is.
struct Log {
    quiet: bool,
    verbose: bool,
}

impl Log {
    fn info(&self, msg: impl AsRef<str>) {
        if !self.quiet {
            eprintln!("kamplan: {}", msg.as_ref());
        }
    }
    fn detail(&self, msg: impl AsRef<str>) {
        if self.verbose {
            eprintln!("kamplan: {}", msg.as_ref());
        }
    }
    fn warn(&self, msg: impl AsRef<str>) {
        if !self.quiet {
            eprintln!("kamplan: warning: {}", msg.as_ref());
        }
    }
}

/// One document to produce: its template output goes to these files.
struct Job<'a> {
    /// The KAM, or `None` for the summary.
    kam: Option<&'a plan::KamPlan>,
    /// Folder inside the month folder ("" for the summary).
    folder: String,
    /// File name without extension.
    stem: String,
}

impl Job<'_> {
    fn rel(&self, format: render::Format) -> PathBuf {
        let file = format!("{}.{}", self.stem, format.extension());
        if self.folder.is_empty() {
            PathBuf::from(file)
        } else {
            Path::new(&self.folder).join(file)
        }
    }
}

/// The files of one document: (path inside the month folder, bytes).
type Rendered = Vec<(PathBuf, Vec<u8>)>;

/// The manifest written as `<out>/<P>/manifest.json`.
#[derive(serde::Serialize)]
struct Manifest<'a> {
    kamplan_version: &'static str,
    period: period::Month,
    window: period::Window,
    /// When the run happened (UTC; `SOURCE_DATE_EPOCH` when set). Documents carry no clock time.
    when: String,
    inputs: Vec<publish::FileEntry>,
    config: ManifestConfig<'a>,
    counts: ManifestCounts,
    outputs: Vec<publish::FileEntry>,
    warnings: &'a [String],
}

#[derive(serde::Serialize)]
struct ManifestConfig<'a> {
    path: Option<String>,
    sha256: Option<String>,
    effective: &'a config::Config,
}

#[derive(serde::Serialize)]
struct ManifestCounts {
    rows: u64,
    transactions: u64,
    skipped: u64,
    rejected: u64,
    accounts: u32,
    key_accounts: u32,
    kams: usize,
}

/// `kamplan run`: read, classify, plan, render every KAM in parallel, publish atomically.
pub fn run(args: &cli::RunArgs) -> Result<Outcome, Failure> {
    let log = Log { quiet: args.quiet, verbose: args.verbose };
    let Settings { cfg, cfg_path, cfg_text, cfg_dir, templates_dir, lang } =
        settings(&args.common, args.lang, args.templates.as_deref())?;
    let out = match &args.out {
        Some(o) => o.clone(),
        None => cfg_dir.join(&cfg.out),
    };
    let explicit_period = parse_period(args.period.as_deref())?;
    let (templates, template_warnings) = templating::Templates::load(templates_dir.as_deref(), &lang)
        .map_err(|e| Failure::Usage(anyhow::Error::new(e).context("templates")))?;
    let mut warnings: Vec<String> = template_warnings;

    let inputs = &args.common.inputs;
    log.detail(format!("reading {} input(s)", inputs.len()));
    let data = ingest::ingest(inputs, &cfg).map_err(|e| Failure::Input(e.into()))?;
    let rep = &data.report;
    log.info(format!(
        "read {} rows: {} transactions, {} skipped, {} rejected",
        rep.rows, rep.transactions, rep.skipped, rep.rejected
    ));
    if rep.rejected > 0 {
        warnings.push(format!("rejected rows: {} (`kamplan check` lists each cell)", rep.rejected));
    }
    warnings.extend(rep.warnings.iter().cloned());

    let period = resolve_period(explicit_period, &data)?;
    let c = classify::classify(&data, &cfg, period, &lang);
    warnings.extend(c.warnings.iter().cloned());
    log.info(format!(
        "period {period} (window {} to {}): {} accounts, {} key, {} KAMs",
        c.window.from,
        c.window.to,
        c.totals.accounts,
        c.totals.key_accounts,
        c.kams.len()
    ));

    let mut plans = plan::build(&c, &data, &cfg, &lang);
    for wanted in &args.kam {
        if !plans.kams.iter().any(|k| classify::norm(&k.kam) == classify::norm(wanted)) {
            let known: Vec<_> = plans.kams.iter().map(|k| k.kam.as_str()).collect();
            return Err(Failure::Usage(anyhow::anyhow!(
                "--kam {wanted:?}: no KAM of that name has key accounts in {period}; KAMs: {}",
                known.join(", ")
            )));
        }
    }
    let selected = |name: &str| {
        args.kam.is_empty() || args.kam.iter().any(|w| classify::norm(w) == classify::norm(name))
    };

    // Names: a unique slug folder per KAM (never the raw name), a readable file name inside.
    let slugs = publish::unique_slugs(plans.kams.iter().map(|k| k.kam.as_str()));
    let p = period.to_string();
    let formats: Vec<render::Format> = {
        let mut f: Vec<_> = args
            .format
            .iter()
            .map(|f| match f {
                cli::FormatArg::Pdf => render::Format::Pdf,
                cli::FormatArg::Xlsx => render::Format::Xlsx,
            })
            .collect();
        f.sort();
        f.dedup();
        f
    };
    // The plan stage made a hand-over row per KAM, in the same order; add the file paths.
    let rel_if =
        |job: &Job, f: render::Format| if formats.contains(&f) { slash(&job.rel(f)) } else { String::new() };
    let mut jobs: Vec<Job> = Vec::new();
    let handover = &mut plans.summary.handover;
    for ((k, slug), row) in plans.kams.iter().zip(&slugs).zip(handover.iter_mut()) {
        let stem =
            lang.fill("files.plan", &[("kam", publish::safe_file_part(&k.kam, slug)), ("period", p.clone())]);
        let job = Job { kam: Some(k), folder: slug.clone(), stem };
        row.pdf = rel_if(&job, render::Format::Pdf);
        row.xlsx = rel_if(&job, render::Format::Xlsx);
        if selected(&k.kam) {
            jobs.push(job);
        }
    }
    let summary_stem = lang.fill("files.summary", &[("period", p.clone())]);
    let summary_job = Job { kam: None, folder: String::new(), stem: summary_stem };

    if args.dry_run {
        let month = out.join(&p);
        for job in jobs.iter().chain(std::iter::once(&summary_job)) {
            for f in &formats {
                println!("{}", month.join(job.rel(*f)).display());
            }
        }
        println!("{}", month.join("manifest.json").display());
        println!("{}", month.join("index.csv").display());
        log.info("dry run: nothing written");
        return Ok(outcome(&warnings));
    }

    // Render everything in memory first (in parallel), then write: a failure publishes nothing.
    let created = period.last_day().and_hms_opt(0, 0, 0).expect("midnight exists");
    let page_label = lang.get("plan.page").to_string();
    let renderers: Vec<Box<dyn render::Renderer>> = formats.iter().map(|f| render::renderer(*f)).collect();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(args.jobs.unwrap_or(0))
        .build()
        .map_err(|e| Failure::Usage(anyhow::anyhow!("--jobs: {e}")))?;
    let progress = progress_bar(&log, jobs.len() + 1);
    let all_jobs: Vec<&Job> = jobs.iter().chain(std::iter::once(&summary_job)).collect();
    let rendered: Vec<anyhow::Result<Rendered>> = pool.install(|| {
        use rayon::prelude::*;
        all_jobs
            .par_iter()
            .map(|job| {
                let who = match job.kam {
                    Some(k) => format!("plan of KAM {:?}", k.kam),
                    None => "management summary".to_string(),
                };
                let xhtml = match job.kam {
                    Some(k) => templates.render_plan(k),
                    None => templates.render_summary(&plans.summary),
                }
                .with_context(|| format!("{who}: template"))?;
                let doc = document::parse(&xhtml).with_context(|| format!("{who}: template output"))?;
                let ctx = render::RenderContext {
                    created,
                    document_id: publish::sha256_hex(format!("{}|{}", job.stem, p).as_bytes())[..32]
                        .to_string(),
                    page_label: page_label.clone(),
                    lang: lang.code.clone(),
                };
                let mut files = Vec::new();
                for r in &renderers {
                    let bytes =
                        r.render(&doc, &ctx).with_context(|| format!("{who}: {}", r.format().extension()))?;
                    files.push((job.rel(r.format()), bytes));
                }
                if let Some(pb) = &progress {
                    pb.inc(1);
                }
                Ok(files)
            })
            .collect()
    });
    if let Some(pb) = progress {
        pb.finish_and_clear();
    }
    let mut files = Vec::new();
    for r in rendered {
        files.extend(r.map_err(Failure::Output)?);
    }

    // Publish: lock, stage, manifest + index, swap in.
    let lock = publish::Lock::acquire(&out).map_err(|e| Failure::Output(e.into()))?;
    let staging = publish::Staging::new(&out, &p).map_err(|e| Failure::Output(e.into()))?;
    if !args.kam.is_empty() {
        // A partial run keeps the other KAMs' published plans.
        let regenerated: Vec<&str> = jobs.iter().map(|j| j.folder.as_str()).collect();
        let summary_prefix = summary_job.stem.clone();
        staging
            .carry_over(&|name| {
                regenerated.contains(&name)
                    || name == "manifest.json"
                    || name == "index.csv"
                    || name.starts_with(&summary_prefix)
            })
            .map_err(|e| Failure::Output(e.into()))?;
    }
    for (rel, bytes) in &files {
        staging.write(rel, bytes).map_err(|e| Failure::Output(e.into()))?;
        log.detail(format!("wrote {}", rel.display()));
    }
    let index = index_csv(&plans.summary.handover, staging.dir()).map_err(Failure::Output)?;
    staging.write(Path::new("index.csv"), index.as_bytes()).map_err(|e| Failure::Output(e.into()))?;

    let mut input_entries = Vec::new();
    for path in &data.report.files {
        let bytes = std::fs::read(path)
            .with_context(|| format!("reading {path} for the manifest"))
            .map_err(Failure::Input)?;
        input_entries.push(publish::FileEntry {
            path: path.clone(),
            bytes: bytes.len() as u64,
            sha256: publish::sha256_hex(&bytes),
        });
    }
    let outputs =
        publish::list_files(staging.dir(), &["manifest.json"]).map_err(|e| Failure::Output(e.into()))?;
    let manifest = Manifest {
        kamplan_version: env!("CARGO_PKG_VERSION"),
        period,
        window: c.window,
        when: run_time(),
        inputs: input_entries,
        config: ManifestConfig {
            path: cfg_path.as_ref().map(|p| p.display().to_string()),
            sha256: cfg_text.as_ref().map(|t| publish::sha256_hex(t.as_bytes())),
            effective: &cfg,
        },
        counts: ManifestCounts {
            rows: rep.rows,
            transactions: rep.transactions,
            skipped: rep.skipped,
            rejected: rep.rejected,
            accounts: c.totals.accounts,
            key_accounts: c.totals.key_accounts,
            kams: plans.kams.len(),
        },
        outputs,
        warnings: &warnings,
    };
    let json = serde_json::to_string_pretty(&manifest).expect("manifest serialises");
    staging.write(Path::new("manifest.json"), json.as_bytes()).map_err(|e| Failure::Output(e.into()))?;
    let published = staging.commit().map_err(|e| Failure::Output(e.into()))?;
    drop(lock);

    // Results on stdout: what was published, one path per line.
    println!("{}", published.display());
    for (rel, _) in &files {
        println!("{}", published.join(rel).display());
    }
    log.info(format!("published {} documents in {}", files.len(), published.display()));
    for w in &warnings {
        log.warn(w);
    }
    Ok(outcome(&warnings))
}

fn outcome(warnings: &[String]) -> Outcome {
    if warnings.is_empty() {
        Outcome::Done
    } else {
        Outcome::Warnings
    }
}

fn slash(p: &Path) -> String {
    p.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/")
}

/// The hand-over index: a row per KAM; paths only for files present in the month folder.
fn index_csv(rows: &[plan::HandoverRow], month_dir: &Path) -> anyhow::Result<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(["kam", "email", "key_accounts", "sales", "pdf", "xlsx"])?;
    for r in rows {
        let present = |rel: &str| {
            if !rel.is_empty() && month_dir.join(rel).is_file() {
                rel.to_string()
            } else {
                String::new()
            }
        };
        w.write_record([
            r.kam.clone(),
            r.email.clone().unwrap_or_default(),
            r.key_accounts.to_string(),
            format!("{:.2}", r.sales),
            present(&r.pdf),
            present(&r.xlsx),
        ])?;
    }
    Ok(String::from_utf8(w.into_inner()?)?)
}

/// The run's time for the manifest: `SOURCE_DATE_EPOCH` when set (reproducible builds' convention).
fn run_time() -> String {
    let secs = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<i64>().ok())
        .unwrap_or_else(now_secs);
    chrono::DateTime::from_timestamp(secs, 0)
        .map(|d| d.format("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_default()
}

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

// ---------------------------------------------------------------- init (issue 4)

/// `kamplan init`: write the default templates, language files and a commented kamplan.toml.
pub fn init(args: &cli::InitArgs) -> Result<Outcome, Failure> {
    let dir = &args.dir;
    std::fs::create_dir_all(dir)
        .with_context(|| format!("creating {}", dir.display()))
        .map_err(Failure::Output)?;
    let mut files: Vec<(String, &str)> =
        templating::embedded().iter().map(|(n, t)| (n.to_string(), *t)).collect();
    files.extend(lang::embedded_files());
    files.push(("kamplan.toml".into(), CONFIG_TEMPLATE));
    let mut kept = 0;
    for (rel, text) in files {
        let path = dir.join(&rel);
        if path.exists() {
            eprintln!("kamplan: kept {} (exists)", path.display());
            kept += 1;
            continue;
        }
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("creating {}", parent.display()))
                .map_err(Failure::Output)?;
        }
        std::fs::write(&path, text)
            .with_context(|| format!("writing {}", path.display()))
            .map_err(Failure::Output)?;
        println!("{}", path.display());
    }
    eprintln!(
        "kamplan: edit the files, then: kamplan run -c {0}/kamplan.toml --templates {0} <books>{1}",
        dir.display(),
        if kept > 0 { format!(" ({kept} existing files kept)") } else { String::new() }
    );
    Ok(Outcome::Done)
}

/// The commented config `kamplan init` writes: every key with its default.
pub const CONFIG_TEMPLATE: &str = include_str!("../templates/kamplan.toml");
