//! Command line: clap derive structs only; the doc comments are the help text.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// kamplan — Key Account Plans from Excel sales books.
///
/// Reads the month's sales books (xlsx, xlsm, xlsb, xls, ods), classifies the key accounts
/// (Pareto 80 % plus profitable, strategic, growing and high-potential accounts) and writes a
/// Key Account Plan per KAM as PDF and XLSX, with a management summary.
#[derive(Debug, Parser)]
#[command(name = "kamplan", version, about, long_about, after_help = EXAMPLES)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

const EXAMPLES: &str = "Examples:
  kamplan check samples/                     what kamplan reads from each sheet
  kamplan classify --period 2026-10 samples/ the key accounts, with reasons
  kamplan run samples/                       plans for every KAM into out/<period>/
  kamplan send --dry-run                     what would be emailed from the latest published month
  kamplan init mi-plantilla/                 write templates and a commented kamplan.toml

Exit codes: 0 done; 1 done with warnings; 2 usage or config error; 3 input error;
4 a document could not be rendered or written.";

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Read the books and report what each sheet holds: role, header, columns, counts, rejects.
    #[command(
        after_help = "Example:\n  kamplan check samples/ventas.xlsx samples/maestro.xlsx\n  kamplan check --format json samples/ > check.json"
    )]
    Check(CheckArgs),
    /// Classify the accounts and list the key accounts with their reasons.
    #[command(
        after_help = "Example:\n  kamplan classify --period 2026-10 samples/\n  kamplan classify --format json samples/ > cuentas.json"
    )]
    Classify(ClassifyArgs),
    /// The monthly job: plans per KAM and the summary, published atomically in <out>/<period>/.
    #[command(
        after_help = "Example:\n  kamplan run samples/\n  kamplan run --period 2026-10 --kam \"Lucía Pérez\" --format pdf -o /srv/planes ventas/\n\nExit codes: 0 done; 1 done with warnings (rejected rows, unassigned key accounts, growth not\navailable); 2 usage or config error; 3 input error; 4 a document could not be rendered or\nwritten, or another run holds the lock, or (with --send) messages not sent for now. Nothing is\npublished unless every document was written."
    )]
    Run(RunArgs),
    /// Email each KAM their plan and management the summary, from a published month, exactly once.
    #[command(
        after_help = "Example:\n  kamplan send --dry-run                 list what would be sent (connects to nothing)\n  kamplan send --dry-run correo/         write each message as correo/NN-<kam>.eml\n  kamplan send --to yo@example.com       a test round: everything to one address\n  KAMPLAN_SMTP_PASSWORD=… kamplan send   send the latest published month\n\nThe [send] section of kamplan.toml names the server, the sender and management; the password\ncomes only from KAMPLAN_SMTP_PASSWORD. <out>/<period>/sent.json records every accepted message:\na second send sends only what was not sent yet, or whose file changed since.\n\nExit codes: 0 done; 1 done with warnings (a KAM without email, a bad address, a file too large,\na message refused with a 5xx); 2 usage or config error; 3 the month is not published or its files\ndo not match the manifest; 4 not everything was sent (server unreachable, timeouts, 4xx after the\nretries, a certificate not trusted, a login refused, a failing sendmail), or another run holds\nthe lock."
    )]
    Send(SendArgs),
    /// Write the default templates, language files and a commented kamplan.toml for editing.
    #[command(
        after_help = "Example:\n  kamplan init mi-plantilla/   then: kamplan run --templates mi-plantilla/ samples/"
    )]
    Init(InitArgs),
    /// Print a shell completion script.
    #[command(after_help = "Example:\n  kamplan completions bash > /etc/bash_completion.d/kamplan")]
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
}

/// Options every command that reads books shares.
#[derive(Debug, Args, Clone)]
pub struct Common {
    /// Config file [default: ./kamplan.toml when present].
    #[arg(short, long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Spreadsheets, or folders of them (every .xlsx .xlsm .xlsb .xls .ods inside, sorted).
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub common: Common,
    /// Output format.
    #[arg(long, value_enum, default_value_t = CheckFormat::Text)]
    pub format: CheckFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CheckFormat {
    Text,
    Json,
}

#[derive(Debug, Args)]
pub struct ClassifyArgs {
    #[command(flatten)]
    pub common: Common,
    /// Period YYYY-MM [default: latest month with data, not the current open month].
    #[arg(long, value_name = "YYYY-MM")]
    pub period: Option<String>,
    /// Language of sentences and labels [default: config's, else es].
    #[arg(long, value_enum)]
    pub lang: Option<LangArg>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ClassifyFormat::Table)]
    pub format: ClassifyFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ClassifyFormat {
    Table,
    Csv,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LangArg {
    Es,
    En,
}

impl LangArg {
    pub fn code(self) -> &'static str {
        match self {
            LangArg::Es => "es",
            LangArg::En => "en",
        }
    }
}

#[derive(Debug, Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub common: Common,
    /// Period YYYY-MM [default: latest month with data, not the current open month].
    #[arg(long, value_name = "YYYY-MM")]
    pub period: Option<String>,
    /// Output folder [default: config's `out`, else out].
    #[arg(short, long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Language of the plans [default: config's, else es].
    #[arg(long, value_enum)]
    pub lang: Option<LangArg>,
    /// Formats to write, comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "pdf,xlsx")]
    pub format: Vec<FormatArg>,
    /// Template folder whose files replace the defaults of the same name.
    #[arg(long, value_name = "DIR")]
    pub templates: Option<PathBuf>,
    /// Only this KAM's plan (repeatable). The summary is always written.
    #[arg(long, value_name = "NAME")]
    pub kam: Vec<String>,
    /// Print what would be written; write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Print only errors.
    #[arg(short, long, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Print every step.
    #[arg(short, long)]
    pub verbose: bool,
    /// Parallel jobs for rendering, 1 to 4 × the cores [default: all cores].
    #[arg(long, value_name = "N", value_parser = jobs)]
    pub jobs: Option<usize>,
    /// After publishing, email the plans as `kamplan send` does (also `[send] after_run = true`).
    #[arg(long, conflicts_with = "dry_run")]
    pub send: bool,
}

#[derive(Debug, Args)]
pub struct SendArgs {
    /// Config file [default: ./kamplan.toml when present].
    #[arg(short, long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Published month YYYY-MM [default: the latest month published in the output folder].
    #[arg(long, value_name = "YYYY-MM")]
    pub period: Option<String>,
    /// Output folder the month was published in [default: config's `out`, else out].
    #[arg(short, long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Connect to nothing: list recipients, subject, attachments and sizes; with DIR, write each
    /// message there as an .eml file instead.
    #[arg(long, value_name = "DIR", num_args = 0..=1)]
    pub dry_run: Option<Option<PathBuf>>,
    /// Only this KAM's message (repeatable); the summary is not sent.
    #[arg(long, value_name = "NAME")]
    pub kam: Vec<String>,
    /// A test round: every message to this one address instead of the KAMs and management.
    #[arg(long, value_name = "ADDRESS")]
    pub to: Option<String>,
    /// Send again messages already sent (sent.json) with the same files.
    #[arg(long)]
    pub resend: bool,
    /// Print only errors.
    #[arg(short, long, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Print every step.
    #[arg(short, long)]
    pub verbose: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    Pdf,
    Xlsx,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Folder to write into (created; existing files are not overwritten).
    #[arg(default_value = "kamplan-plantillas")]
    pub dir: PathBuf,
}

/// `--jobs`: a number of threads from 1 to 4 × the machine's cores (rendering is CPU work; more
/// threads only cost memory, and a hundred thousand of them hang the machine).
fn jobs(text: &str) -> Result<usize, String> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let most = 4 * cores;
    match text.trim().parse::<usize>() {
        Ok(n) if (1..=most).contains(&n) => Ok(n),
        Ok(_) | Err(_) => {
            Err(format!("expected a number of jobs from 1 to {most} (4 × the {cores} cores here)"))
        }
    }
}
