//! The settings of each stage: `[ingest]`, `[classify]`, `[assign]`, `[plan]` (with its outcome
//! words) and `[carry]`, each with its defaults.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

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
    /// inflate to; a larger one is refused as damaged or hostile (a zip bomb). The shared
    /// strings, kept while the sheets are read, may take an eighth of it.
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

/// `[carry]`: plans the KAMs send back.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct CarryConfig {
    /// Folders (or files) where returned plans are dropped, e.g. `["devueltos/"]`: every
    /// plan workbook inside (subfolders too) is read back. The previous published month and
    /// plan workbooks among the inputs are always read.
    pub returned: Vec<PathBuf>,
}
