//! kamplan.toml: every setting of a run, with its default, checked once before any work starts.
//!
//! Every key is documented here and in the commented file `kamplan init` writes
//! (`templates/kamplan.toml`). Unknown keys are an error with a "did you mean" suggestion.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

mod sections;
mod send;

pub use sections::*;
pub use send::*;

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
    "ca_file",
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
pub(super) mod tests {
    use super::*;

    pub(in crate::config) fn parse(text: &str) -> Result<Config, ConfigError> {
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
        let text = include_str!("../../templates/kamplan.toml");
        assert_eq!(Config::from_toml(text, Path::new("kamplan.toml")).unwrap(), Config::default());
    }

    /// Every key the structs accept is documented in the commented file.
    #[test]
    fn commented_config_mentions_every_key() {
        let text = include_str!("../../templates/kamplan.toml");
        for key in KNOWN_KEYS {
            assert!(text.contains(key), "templates/kamplan.toml does not document `{key}`");
        }
    }
}
