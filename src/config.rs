//! kamplan.toml: every setting of a run, with its default, checked once before any work starts.
//!
//! Every key is documented here and in the commented file `kamplan init` writes
//! (`templates/kamplan.toml`). Unknown keys are an error with a "did you mean" suggestion.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// The whole configuration. Every section is optional in the file.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Language of plans, sentences and labels: "es" (default) or "en".
    pub lang: String,
    /// Folder whose templates replace the embedded defaults of the same name.
    pub templates: Option<PathBuf>,
    /// Output folder for `kamplan run` (default "out").
    pub out: PathBuf,
    /// How numbers, money and dates are written: "es-ES", "en-US" or "en-GB". Unset: the
    /// language's (es → es-ES, en → en-GB).
    pub locale: Option<crate::lang::Locale>,
    /// Currency symbol, after the amount (es-ES) or before it (en-US, en-GB). Unset: the
    /// locale's when `locale` is set (€, $, £), else "€".
    pub currency: Option<String>,
    /// How cells are read.
    pub ingest: IngestConfig,
    /// Explicit header for a column role; wins over the built-in synonyms.
    /// Keys: date, customer_id, customer_name, kam, amount, cost, margin, product, qty,
    /// region, strategic, potential, email, manager, segment, activity, notes, order_id, returned.
    pub columns: BTreeMap<String, String>,
    /// Key-account rules.
    pub classify: ClassifyConfig,
    /// How a KAM is chosen for an account that the master does not assign.
    pub assign: AssignConfig,
    /// Objectives and the meeting method in the plans.
    pub plan: PlanConfig,
    /// Handing the plans over by email (`kamplan send`, `run --send`).
    pub send: SendConfig,
    /// Where plans the KAMs return are read from.
    pub carry: CarryConfig,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            lang: "es".into(),
            templates: None,
            out: PathBuf::from("out"),
            locale: None,
            currency: None,
            ingest: IngestConfig::default(),
            columns: BTreeMap::new(),
            classify: ClassifyConfig::default(),
            assign: AssignConfig::default(),
            plan: PlanConfig::default(),
            send: SendConfig::default(),
            carry: CarryConfig::default(),
        }
    }
}

/// Day-month order of dates typed as text.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "lowercase")]
pub enum DateOrder {
    /// 31/01/2026 (Spanish and most of the world).
    #[default]
    Dmy,
    /// 01/31/2026 (US books).
    Mdy,
}

/// `[ingest]`
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct IngestConfig {
    /// "dmy" (default) or "mdy": how `03/04/2026` typed as text is read.
    pub date_order: DateOrder,
    /// "," or ".": the decimal separator of numbers typed as text when a value is ambiguous
    /// (`1.234`). Unset: what the column's unambiguous values show, else ",".
    pub decimal: Option<char>,
    /// How many rows from the top of a sheet are searched for the header row.
    pub header_rows: u32,
    /// Largest plausible money value or quantity of one line (absolute): a larger one (a pasted
    /// EAN or phone number) is rejected with its cell, never summed. At most 1e15.
    pub max_amount: f64,
    /// Largest size, in MB, one part of a workbook (a sheet's XML, the shared strings) may
    /// inflate to; a larger one is refused as damaged or hostile (a zip bomb).
    pub max_inflated_mb: u64,
    /// Year of month names without one (`Enero`, `Feb`) in monthly books whose sheet name and
    /// titles name no year. Unset: such a sheet is refused with a message asking for it.
    pub year: Option<i32>,
}

/// The highest `max_amount` accepted: with it, sums of cents cannot overflow.
pub const MAX_AMOUNT_LIMIT: f64 = 1e15;

impl Default for IngestConfig {
    fn default() -> Self {
        IngestConfig {
            date_order: DateOrder::Dmy,
            decimal: None,
            header_rows: 30,
            max_amount: 1e12,
            max_inflated_mb: 2048,
            year: None,
        }
    }
}

/// `[classify]`: the method's thresholds.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct ClassifyConfig {
    /// Months in the window that ends with the period.
    pub window_months: u32,
    /// Pareto threshold: accounts are class A (volume) while the share before them is below it.
    pub volume_share: f64,
    /// Class B while the share before the account is below this.
    pub abc_b_share: f64,
    /// Margin / sales at or above which an account is "very profitable".
    pub profitable_margin: f64,
    /// Smallest share of company sales for the profitability and growth reasons.
    pub min_share: f64,
    /// Growth against the prior window at or above which an account is "growing fast".
    pub growth_min: f64,
    /// Customer codes or names that management declares strategic.
    pub strategic: Vec<String>,
    /// With at most this many customers with sales, all of them are key.
    pub all_key_if_accounts_at_most: u32,
    /// KAM for key accounts nobody owns. Empty: "Sin asignar" / "Unassigned".
    pub default_kam: String,
    /// Who holds the key accounts when nothing in the books assigns any account to anyone (no
    /// salesperson, no master KAM, no territory): the owner runs the key accounts, with one
    /// plan and no warning. Empty: "Dirección" / "Management".
    pub owner: String,
    /// Days without a purchase after which an account needs attention.
    pub recency_alert_days: u32,
}

impl Default for ClassifyConfig {
    fn default() -> Self {
        ClassifyConfig {
            window_months: 12,
            volume_share: 0.80,
            abc_b_share: 0.95,
            profitable_margin: 0.40,
            min_share: 0.003,
            growth_min: 0.30,
            strategic: Vec::new(),
            all_key_if_accounts_at_most: 2,
            default_kam: String::new(),
            owner: String::new(),
            recency_alert_days: 60,
        }
    }
}

/// `[assign]`: a territory map, used when the master assigns no KAM.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct AssignConfig {
    /// Column whose value picks the KAM, e.g. "region".
    pub by: Option<String>,
    /// Value of that column → KAM name.
    pub map: BTreeMap<String, String>,
}

/// `[plan]`: objectives and the closer's meeting method.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct PlanConfig {
    /// Sales target for the next period: growth over the window's sales.
    pub target_growth: f64,
    /// Per-reason targets (volume, profitability, growth, strategic, potential,
    /// small_portfolio); the highest of an account's reasons applies.
    pub target_growth_by_reason: BTreeMap<String, f64>,
    /// For an account key by potential: the share of the gap between its sales and its
    /// potential that the target asks to capture.
    pub potential_capture: f64,
    /// For an account key by growth: its recent growth is the target's rate, at most this.
    pub growth_cap: f64,
    /// The company's sales target for the next `window_months` months (the commercial plan);
    /// the summary shows how much of it the key accounts' targets cover.
    pub commercial_target: Option<f64>,
    /// Key accounts one KAM can work well; more gives a capacity warning in the summary.
    pub kam_capacity: u32,
    /// A courtesy call is due this many days after the last contact.
    pub call_every_days: u32,
    /// Most contacts with one account in a month before it turns into harassment.
    pub max_contacts_per_month: u32,
    /// Words in an activity's type or notes that say how a meeting went.
    pub outcome_words: OutcomeWords,
}

impl Default for PlanConfig {
    fn default() -> Self {
        PlanConfig {
            target_growth: 0.05,
            target_growth_by_reason: BTreeMap::new(),
            potential_capture: 0.25,
            growth_cap: 0.30,
            commercial_target: None,
            kam_capacity: 25,
            call_every_days: 30,
            max_contacts_per_month: 4,
            outcome_words: OutcomeWords::default(),
        }
    }
}

/// How `kamplan send` hands messages over.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "lowercase")]
pub enum SendTransport {
    /// An SMTP server: `host`, `port`, `security`, `user`.
    #[default]
    Smtp,
    /// The machine's own mail transfer agent (`sendmail` on the PATH).
    Sendmail,
}

/// How the SMTP connection is protected.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "lowercase")]
pub enum Security {
    /// Plain connection upgraded with STARTTLS, which the server must offer (port 587).
    #[default]
    Starttls,
    /// TLS from the first byte (port 465).
    Tls,
    /// No encryption: only for a relay on this machine (`localhost`, `127.0.0.1`, `::1`).
    None,
}

impl Security {
    /// The usual port of each kind of connection.
    pub fn default_port(self) -> u16 {
        match self {
            Security::Starttls => 587,
            Security::Tls => 465,
            Security::None => 25,
        }
    }
}

/// `[send]`: who gets the month's plans by email and through which server. The password is
/// never here: it comes from the environment variable `KAMPLAN_SMTP_PASSWORD`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct SendConfig {
    /// "smtp" (default) or "sendmail" (the local mail transfer agent).
    pub transport: SendTransport,
    /// SMTP server name.
    pub host: String,
    /// SMTP port. Unset: 587 for starttls, 465 for tls, 25 for none.
    pub port: Option<u16>,
    /// "starttls" (default), "tls", or "none" (only for a relay on localhost).
    pub security: Security,
    /// SMTP login; its password comes from `KAMPLAN_SMTP_PASSWORD`. Empty: no login.
    pub user: String,
    /// Sender, e.g. `"Ventas <ventas@example.com>"`.
    pub from: String,
    /// Where replies go, when not to `from`.
    pub reply_to: String,
    /// Seconds to wait for the server before a try counts as failed.
    pub timeout_s: u64,
    /// Who gets the management summary (and the plan of unassigned key accounts).
    pub management: Vec<String>,
    /// Copy each KAM's manager (the KAM directory's manager column) on their message.
    pub cc_manager: bool,
    /// Largest attachment sent, in MB; a message with a larger file is not sent (a warning).
    pub max_attachment_mb: f64,
    /// `kamplan run` sends right after a successful publish, as with `--send`.
    pub after_run: bool,
    /// Tries again after an unreachable server, a timeout or a 4xx reply, this many times.
    pub retries: u32,
    /// Seconds before the first retry; each next wait doubles.
    pub backoff_s: f64,
}

impl Default for SendConfig {
    fn default() -> Self {
        SendConfig {
            transport: SendTransport::Smtp,
            host: String::new(),
            port: None,
            security: Security::Starttls,
            user: String::new(),
            from: String::new(),
            reply_to: String::new(),
            timeout_s: 30,
            management: Vec::new(),
            cc_manager: true,
            max_attachment_mb: 20.0,
            after_run: false,
            retries: 3,
            backoff_s: 5.0,
        }
    }
}

/// `[plan.outcome_words]`: pieces of words that, found in a meeting's type or notes (case and
/// accents ignored), give its outcome; a closer meeting with none of them was held and done.
/// Checked in this order: no decision, postponed, cancelled.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct OutcomeWords {
    /// The meeting was moved to a later date: the step is still to do.
    pub postponed: Vec<String>,
    /// Held without agreement, or the customer said no: the step must be taken again.
    pub no_decision: Vec<String>,
    /// Called off.
    pub cancelled: Vec<String>,
    /// The customer asks to be contacted less ("don't call so often"): shown beside the
    /// contact cap.
    pub fewer_contacts: Vec<String>,
}

impl Default for OutcomeWords {
    fn default() -> Self {
        let v = |w: &[&str]| w.iter().map(|s| s.to_string()).collect();
        OutcomeWords {
            postponed: v(&["aplaz", "pospu", "pospon", "reprogram", "postpone", "reschedul", "put off"]),
            no_decision: v(&[
                "sin acuerdo",
                "sin decision",
                "rechaz",
                "no acepta",
                "no interesa",
                "no agreement",
                "no decision",
                "rejected",
                "declined",
                "turned down",
                "not interested",
            ]),
            cancelled: v(&["cancel", "anulad", "called off"]),
            fewer_contacts: v(&[
                "no le llamemos",
                "no nos llamen",
                "no llamar tanto",
                "dejen de llamar",
                "dejemos de llamar",
                "menos llamadas",
                "llamemos menos",
                "don't call",
                "don\u{2019}t call",
                "do not call",
                "stop calling",
                "fewer calls",
                "call less",
            ]),
        }
    }
}

/// Hosts where `security = "none"` is allowed: the connection never leaves the machine.
pub const LOCAL_HOSTS: &[&str] = &["localhost", "127.0.0.1", "::1", "[::1]"];

/// The environment variable the SMTP password is read from.
pub const PASSWORD_ENV: &str = "KAMPLAN_SMTP_PASSWORD";
/// `[carry]`: plans the KAMs send back.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct CarryConfig {
    /// Folders (or files) where returned plans are dropped, e.g. `["devueltos/"]`: every
    /// plan workbook inside (subfolders too) is read back. The previous published month and
    /// plan workbooks among the inputs are always read.
    pub returned: Vec<PathBuf>,
}

/// A configuration problem, named so the user can fix the file.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The OS's words once (not chained as a source, so `{:#}` does not repeat them).
    #[error("cannot read {}: {}", .path.display(), crate::publish::os_text(.error))]
    Read { path: PathBuf, error: std::io::Error },
    #[error("{path}: {message}")]
    Parse { path: PathBuf, message: String },
    #[error("{path}: `{key}` {message}")]
    Invalid { path: PathBuf, key: String, message: String },
}

/// Every key the file accepts, dotted; used for "did you mean".
const KNOWN_KEYS: &[&str] = &[
    "lang",
    "templates",
    "out",
    "currency",
    "locale",
    "ingest",
    "columns",
    "classify",
    "assign",
    "plan",
    "date_order",
    "decimal",
    "header_rows",
    "max_amount",
    "max_inflated_mb",
    "year",
    "window_months",
    "volume_share",
    "abc_b_share",
    "profitable_margin",
    "min_share",
    "growth_min",
    "strategic",
    "all_key_if_accounts_at_most",
    "default_kam",
    "owner",
    "recency_alert_days",
    "by",
    "map",
    "target_growth",
    "target_growth_by_reason",
    "potential_capture",
    "growth_cap",
    "commercial_target",
    "kam_capacity",
    "call_every_days",
    "max_contacts_per_month",
    "send",
    "transport",
    "host",
    "port",
    "security",
    "user",
    "from",
    "reply_to",
    "timeout_s",
    "management",
    "cc_manager",
    "max_attachment_mb",
    "after_run",
    "retries",
    "backoff_s",
    "outcome_words",
    "postponed",
    "no_decision",
    "cancelled",
    "fewer_contacts",
    "carry",
    "returned",
];

impl Config {
    /// Parses and checks a config text; `path` only names it in errors.
    pub fn from_toml(text: &str, path: &Path) -> Result<Config, ConfigError> {
        let cfg: Config = toml::from_str(text)
            .map_err(|e| ConfigError::Parse { path: path.to_path_buf(), message: describe_toml_error(&e) })?;
        cfg.validate(path)?;
        Ok(cfg)
    }

    /// Reads `path`, or gives the defaults when `path` is `None`.
    pub fn load(path: Option<&Path>) -> Result<(Config, Option<String>), ConfigError> {
        match path {
            None => Ok((Config::default(), None)),
            Some(p) => {
                let text = std::fs::read_to_string(p)
                    .map_err(|error| ConfigError::Read { path: p.to_path_buf(), error })?;
                Ok((Config::from_toml(&text, p)?, Some(text)))
            }
        }
    }

    /// Checks ranges and values that serde cannot.
    pub fn validate(&self, path: &Path) -> Result<(), ConfigError> {
        let bad = |key: &str, message: String| ConfigError::Invalid {
            path: path.to_path_buf(),
            key: key.into(),
            message,
        };
        if self.lang != "es" && self.lang != "en" {
            return Err(bad("lang", format!("must be \"es\" or \"en\", found {:?}", self.lang)));
        }
        let c = &self.classify;
        for (key, v) in [
            ("classify.volume_share", c.volume_share),
            ("classify.abc_b_share", c.abc_b_share),
            ("classify.profitable_margin", c.profitable_margin),
            ("classify.min_share", c.min_share),
        ] {
            if !(0.0..=1.0).contains(&v) {
                return Err(bad(key, format!("must be between 0 and 1, found {v}")));
            }
        }
        if c.abc_b_share < c.volume_share {
            return Err(bad(
                "classify.abc_b_share",
                format!("must be at least volume_share ({}), found {}", c.volume_share, c.abc_b_share),
            ));
        }
        if !(c.growth_min >= 0.0 && c.growth_min.is_finite()) {
            return Err(bad("classify.growth_min", format!("must be 0 or more, found {}", c.growth_min)));
        }
        if c.window_months == 0 || c.window_months > 120 {
            return Err(bad(
                "classify.window_months",
                format!("must be between 1 and 120, found {}", c.window_months),
            ));
        }
        if let Some(d) = self.ingest.decimal {
            if d != ',' && d != '.' {
                return Err(bad("ingest.decimal", format!("must be \",\" or \".\", found {d:?}")));
            }
        }
        if self.ingest.header_rows == 0 {
            return Err(bad("ingest.header_rows", "must be at least 1".into()));
        }
        let m = self.ingest.max_amount;
        if !(m > 0.0 && m <= MAX_AMOUNT_LIMIT) {
            return Err(bad("ingest.max_amount", format!("must be above 0 and at most 1e15, found {m}")));
        }
        if self.ingest.max_inflated_mb == 0 {
            return Err(bad("ingest.max_inflated_mb", "must be at least 1".into()));
        }
        if let Some(y) = self.ingest.year {
            if !(1990..=2100).contains(&y) {
                return Err(bad("ingest.year", format!("must be a year between 1990 and 2100, found {y}")));
            }
        }
        let p = &self.plan;
        if !(-1.0..=10.0).contains(&p.target_growth) {
            return Err(bad(
                "plan.target_growth",
                format!("must be between -1 and 10, found {}", p.target_growth),
            ));
        }
        for (reason, v) in &p.target_growth_by_reason {
            if !REASONS.contains(&reason.as_str()) {
                return Err(bad(
                    &format!("plan.target_growth_by_reason.{reason}"),
                    format!("is not a reason; reasons are {}", REASONS.join(", ")),
                ));
            }
            if !(-1.0..=10.0).contains(v) {
                return Err(bad(
                    &format!("plan.target_growth_by_reason.{reason}"),
                    format!("must be between -1 and 10, found {v}"),
                ));
            }
        }
        let w = &p.outcome_words;
        for (key, list) in [
            ("postponed", &w.postponed),
            ("no_decision", &w.no_decision),
            ("cancelled", &w.cancelled),
            ("fewer_contacts", &w.fewer_contacts),
        ] {
            if list.iter().any(|x| crate::classify::collate(x).is_empty()) {
                return Err(bad(&format!("plan.outcome_words.{key}"), "has an empty word".into()));
            }
        }
        if !(0.0..=1.0).contains(&p.potential_capture) {
            return Err(bad(
                "plan.potential_capture",
                format!("must be between 0 and 1, found {}", p.potential_capture),
            ));
        }
        if !(0.0..=10.0).contains(&p.growth_cap) {
            return Err(bad("plan.growth_cap", format!("must be between 0 and 10, found {}", p.growth_cap)));
        }
        if let Some(t) = p.commercial_target {
            if !(t.is_finite() && t > 0.0) {
                return Err(bad(
                    "plan.commercial_target",
                    format!("must be a sales amount above 0, found {t}"),
                ));
            }
        }
        if p.kam_capacity == 0 {
            return Err(bad("plan.kam_capacity", "must be at least 1".into()));
        }
        if p.call_every_days == 0 {
            return Err(bad("plan.call_every_days", "must be at least 1".into()));
        }
        if p.max_contacts_per_month == 0 {
            return Err(bad("plan.max_contacts_per_month", "must be at least 1".into()));
        }
        self.validate_send(path)?;
        for key in self.columns.keys() {
            if !COLUMN_KEYS.contains(&key.as_str()) {
                let hint =
                    suggest(key, COLUMN_KEYS).map(|s| format!(" (did you mean `{s}`?)")).unwrap_or_default();
                return Err(bad(
                    &format!("columns.{key}"),
                    format!("is not a column role{hint}; roles are {}", COLUMN_KEYS.join(", ")),
                ));
            }
        }
        // Two roles named by one header: the sheet cannot give one column to both.
        let named: Vec<(&String, String)> =
            self.columns.iter().map(|(k, v)| (k, crate::ingest::header_key(v))).collect();
        for (i, (k, v)) in named.iter().enumerate() {
            if v.is_empty() {
                return Err(bad(&format!("columns.{k}"), "is empty: name the header of the column".into()));
            }
            if let Some((other, _)) = named[..i].iter().find(|(_, w)| w == v) {
                return Err(bad(
                    &format!("columns.{k}"),
                    format!(
                        "names the same header as `columns.{other}` ({:?}): one column cannot be both",
                        self.columns[*k]
                    ),
                ));
            }
        }
        if let Some(by) = &self.assign.by {
            let b = crate::ingest::header_key(by);
            if !ASSIGN_BY.iter().any(|(k, _)| *k == b) {
                let known: Vec<&str> = ASSIGN_BY.iter().map(|(_, shown)| *shown).collect();
                // A territory goes by other words too: they mean the region.
                let territory =
                    ["zone", "zona", "territory", "territorio", "area", "sales area", "provincia"];
                let hint = suggest(&b, &known)
                    .or_else(|| territory.contains(&b.as_str()).then_some("region"))
                    .map(|s| format!(" (did you mean \"{s}\"?)"))
                    .unwrap_or_default();
                return Err(bad(
                    "assign.by",
                    format!("must be \"region\" or \"segment\", found {by:?}{hint}"),
                ));
            }
        }
        Ok(())
    }

    /// Who holds the key accounts when nothing in the books assigns them, in the run's language.
    pub fn owner(&self) -> String {
        if !self.classify.owner.trim().is_empty() {
            self.classify.owner.trim().to_string()
        } else if self.lang == "en" {
            "Management".into()
        } else {
            "Dirección".into()
        }
    }

    /// The locale numbers and dates are written in: `locale`, else the language's.
    pub fn locale(&self) -> crate::lang::Locale {
        self.locale.unwrap_or_else(|| crate::lang::Locale::of_lang(&self.lang))
    }

    /// The currency symbol: `currency`, else the locale's when `locale` is set, else "€".
    pub fn currency(&self) -> String {
        match (&self.currency, self.locale) {
            (Some(c), _) => c.clone(),
            (None, Some(l)) => l.currency().to_string(),
            (None, None) => "€".to_string(),
        }
    }

    /// `[send]`: values serde cannot check. Addresses are checked when a message is built.
    fn validate_send(&self, path: &Path) -> Result<(), ConfigError> {
        let bad = |key: &str, message: String| ConfigError::Invalid {
            path: path.to_path_buf(),
            key: format!("send.{key}"),
            message,
        };
        let s = &self.send;
        if s.security == Security::None && !LOCAL_HOSTS.contains(&s.host.trim()) {
            return Err(bad(
                "security",
                format!(
                    "= \"none\" sends the plans (and the login) unencrypted, so it is only allowed for a relay \
                     on this machine (host = \"localhost\"), and host is {:?}; use \"starttls\" or \"tls\"",
                    s.host
                ),
            ));
        }
        if s.port == Some(0) {
            return Err(bad("port", "must be between 1 and 65535, found 0".into()));
        }
        if s.timeout_s == 0 || s.timeout_s > 3600 {
            return Err(bad(
                "timeout_s",
                format!("must be between 1 and 3600 seconds, found {}", s.timeout_s),
            ));
        }
        if !(s.max_attachment_mb > 0.0 && s.max_attachment_mb.is_finite()) {
            return Err(bad(
                "max_attachment_mb",
                format!("must be more than 0, found {}", s.max_attachment_mb),
            ));
        }
        if s.retries > 20 {
            return Err(bad("retries", format!("must be at most 20, found {}", s.retries)));
        }
        if !(0.0..=3600.0).contains(&s.backoff_s) {
            return Err(bad(
                "backoff_s",
                format!("must be between 0 and 3600 seconds, found {}", s.backoff_s),
            ));
        }
        Ok(())
    }

    /// The KAM name used for key accounts nobody owns, in the run's language.
    pub fn default_kam(&self) -> String {
        if !self.classify.default_kam.trim().is_empty() {
            self.classify.default_kam.trim().to_string()
        } else if self.lang == "en" {
            "Unassigned".into()
        } else {
            "Sin asignar".into()
        }
    }
}

/// What `[assign] by` may name, as headers are compared (accents and case ignored), and as shown.
const ASSIGN_BY: &[(&str, &str)] = &[("region", "region"), ("segment", "segment"), ("segmento", "segment")];

/// The six reasons, in the order they are always listed.
pub const REASONS: &[&str] =
    &["volume", "profitability", "growth", "strategic", "potential", "small_portfolio"];

/// Column roles `[columns]` may map.
pub const COLUMN_KEYS: &[&str] = &[
    "date",
    "customer_id",
    "customer_name",
    "kam",
    "amount",
    "cost",
    "margin",
    "product",
    "qty",
    "region",
    "strategic",
    "potential",
    "email",
    "manager",
    "segment",
    "activity",
    "notes",
    "order_id",
    "returned",
];

/// The closest known word to `word`, when one is close enough to be a typo.
pub fn suggest<'a>(word: &str, known: &[&'a str]) -> Option<&'a str> {
    known
        .iter()
        .map(|k| (strsim::jaro_winkler(word, k), *k))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, k)| k)
}

fn describe_toml_error(e: &toml::de::Error) -> String {
    let msg = e.message().to_string();
    // serde says "unknown field `x`, expected one of ..."; add the closest key.
    if let Some(rest) = msg.strip_prefix("unknown field `") {
        if let Some(end) = rest.find('`') {
            let field = &rest[..end];
            if field.to_lowercase().contains("pass") {
                return format!(
                    "`{field}`: the SMTP password is never read from the config file, where it would sit in \
                     plain text beside the plans; remove it and set the environment variable {PASSWORD_ENV} \
                     (the login name goes in [send] user)"
                );
            }
            let hint =
                suggest(field, KNOWN_KEYS).map(|s| format!("; did you mean `{s}`?")).unwrap_or_default();
            let line = e.span().map(|s| format!(" at byte {}", s.start)).unwrap_or_default();
            return format!("unknown key `{field}`{line}{hint}");
        }
    }
    msg.trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, ConfigError> {
        Config::from_toml(text, Path::new("kamplan.toml"))
    }

    #[test]
    fn empty_file_gives_defaults() {
        assert_eq!(parse("").unwrap(), Config::default());
    }

    #[test]
    fn unknown_key_suggests_the_close_one() {
        let err = parse("[classify]\nvolume_shar = 0.7\n").unwrap_err().to_string();
        assert!(err.contains("unknown key `volume_shar`"), "{err}");
        assert!(err.contains("did you mean `volume_share`"), "{err}");
    }

    #[test]
    fn shares_out_of_range_are_refused() {
        let err = parse("[classify]\nvolume_share = 1.5\n").unwrap_err().to_string();
        assert!(err.contains("classify.volume_share") && err.contains("between 0 and 1"), "{err}");
    }

    #[test]
    fn unknown_column_role_is_refused() {
        let err = parse("[columns]\nammount = \"Base\"\n").unwrap_err().to_string();
        assert!(err.contains("did you mean `amount`"), "{err}");
    }

    #[test]
    fn locale_and_currency_defaults() {
        use crate::lang::Locale;
        let c = parse("").unwrap();
        assert_eq!((c.locale(), c.currency()), (Locale::EsEs, "€".to_string()));
        let c = parse("lang = \"en\"\n").unwrap();
        assert_eq!((c.locale(), c.currency()), (Locale::EnGb, "€".to_string()), "a company's currency stays");
        let c = parse("lang = \"en\"\nlocale = \"en-US\"\n").unwrap();
        assert_eq!((c.locale(), c.currency()), (Locale::EnUs, "$".to_string()));
        let c = parse("locale = \"en-GB\"\ncurrency = \"€\"\n").unwrap();
        assert_eq!((c.locale(), c.currency()), (Locale::EnGb, "€".to_string()));
        let err = parse("locale = \"fr-FR\"\n").unwrap_err().to_string();
        assert!(err.contains("es-ES") && err.contains("en-US") && err.contains("en-GB"), "{err}");
    }

    #[test]
    fn a_password_in_the_file_is_refused_with_the_reason() {
        for text in ["[send]\npassword = \"x\"\n", "[send]\nsmtp_password = \"x\"\n", "password = \"x\"\n"] {
            let err = parse(text).unwrap_err().to_string();
            assert!(err.contains("never read from the config file"), "{err}");
            assert!(err.contains("KAMPLAN_SMTP_PASSWORD"), "{err}");
        }
    }

    #[test]
    fn unencrypted_smtp_only_to_this_machine() {
        assert!(parse("[send]\nhost = \"127.0.0.1\"\nsecurity = \"none\"\n").is_ok());
        assert!(parse("[send]\nhost = \"localhost\"\nsecurity = \"none\"\n").is_ok());
        let err =
            parse("[send]\nhost = \"smtp.example.com\"\nsecurity = \"none\"\n").unwrap_err().to_string();
        assert!(err.contains("send.security") && err.contains("only allowed for a relay"), "{err}");
        let err = parse("[send]\nsecurity = \"ssl\"\n").unwrap_err().to_string();
        assert!(err.contains("starttls"), "{err}");
    }

    #[test]
    fn plan_keys_are_checked() {
        for (text, key) in [
            ("[plan]\npotential_capture = 1.5\n", "plan.potential_capture"),
            ("[plan]\ngrowth_cap = -0.1\n", "plan.growth_cap"),
            ("[plan]\ncommercial_target = 0\n", "plan.commercial_target"),
            ("[plan]\nkam_capacity = 0\n", "plan.kam_capacity"),
            ("[plan.outcome_words]\npostponed = [\"aplaz\", \" \"]\n", "plan.outcome_words.postponed"),
        ] {
            let err = parse(text).unwrap_err().to_string();
            assert!(err.contains(key), "{text}: {err}");
        }
        let cfg =
            parse("[plan]\ncommercial_target = 9000000\n[plan.outcome_words]\npostponed = [\"later\"]\n")
                .unwrap();
        assert_eq!(cfg.plan.commercial_target, Some(9_000_000.0));
        assert_eq!(cfg.plan.outcome_words.postponed, ["later"]);
        // The other lists keep their defaults.
        assert!(cfg.plan.outcome_words.cancelled.contains(&"cancel".to_string()));
    }

    #[test]
    fn per_reason_target_must_name_a_reason() {
        assert!(parse("[plan.target_growth_by_reason]\ngrowth = 0.1\n").is_ok());
        assert!(parse("[plan.target_growth_by_reason]\nbig = 0.1\n").is_err());
    }
}

#[cfg(test)]
mod template_tests {
    use super::*;

    /// The commented file `kamplan init` writes must parse to exactly the defaults, so what it
    /// documents is what a run without a config does.
    #[test]
    fn commented_config_is_the_defaults() {
        let text = include_str!("../templates/kamplan.toml");
        assert_eq!(Config::from_toml(text, Path::new("kamplan.toml")).unwrap(), Config::default());
    }

    /// Every key the structs accept is documented in the commented file.
    #[test]
    fn commented_config_mentions_every_key() {
        let text = include_str!("../templates/kamplan.toml");
        for key in KNOWN_KEYS {
            assert!(text.contains(key), "templates/kamplan.toml does not document `{key}`");
        }
    }
}
