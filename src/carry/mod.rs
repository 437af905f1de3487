//! Carry: returned plans in, the KAM's own entries out, by account code — so what a KAM writes
//! in a plan is never lost and next month's plan starts where they left it.
//!
//! A reader beside [`crate::ingest`]: calamine in, plain structs out, never the renderers. What
//! a KAM owns in each account section of the XLSX — the meeting plan, the contact log, the
//! decision-maker map and the account strategy — is read back through the workbook's hidden
//! identification sheet ([`ident`]), which says which account each area belongs to and where
//! it was written. Matching is by account code and that sheet, never by sheet name or row
//! position: a KAM may rename a sheet, sort a table or insert rows.
//!
//! The stage, in order:
//! 1. [`sources`] finds the returned plans: the previous published month's XLSX that differ
//!    from its manifest (KAMs who edit in a shared folder), plan workbooks among the inputs or
//!    in `[carry] returned` folders (KAMs who email theirs back), and, on a re-run of the same
//!    month, its edited XLSX (kept unchanged under `<out>/.replaced/<P>/` by publish). The
//!    last month's `carried.json` is the base, so nothing depends on a workbook surviving.
//! 2. [`read`] reads each workbook: the identification sheet, then every area's cells. An
//!    unusable cell is a [`CarryWarning`] with its `file › sheet › cell`; its text is kept.
//! 3. [`merge`] picks, for each account and area, the returned plan of the latest period;
//!    among several of one period the latest modified file, with a warning naming both when
//!    they disagree. The result is a [`Carried`] that the plan stage merges with the books.
//!
//! The plan stage then writes what each plan shows back into a [`Carried`], published as the
//! month's `carried.json`.

pub mod ident;
pub mod merge;
pub mod read;
pub mod sources;

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::period::Month;
use crate::plan::MeetingStatus;
pub use ident::Area;

/// The format of `carried.json` this build writes.
pub const CARRIED_FORMAT: u32 = 1;

/// Where an area's content came from: the file, the sheet and the cells, the plan's period and
/// when the file was last modified.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Source {
    /// The workbook's path, as found.
    pub file: String,
    pub sheet: String,
    /// The cells read, as Excel shows them (`A40:E47`).
    pub cells: String,
    /// The period of the plan the file is.
    pub period: Month,
    /// The file's modification time, seconds since the epoch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modified: Option<i64>,
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} › {} › {}", self.file, self.sheet, self.cells)
    }
}

/// A row of the meeting plan (or of the history of finished cycles).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MeetingEntry {
    /// The closer's step (1..=4) the row is for; `None` for a row the KAM added without one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step: Option<u32>,
    /// The number cell as typed, when it is not a step (kept, shown again).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number_text: Option<String>,
    /// The objective cell, for rows the KAM added (the four steps' objectives are kamplan's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub objective: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<NaiveDate>,
    /// What the date cell held when it is not a date ("mañana"): kept and shown again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_text: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<MeetingStatus>,
    /// What the status cell held when it is no status of the list: kept and shown again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_text: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    /// The cycle a history row belongs to (1, 2, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cycle: Option<u32>,
}

impl MeetingEntry {
    /// Whether the KAM wrote anything on the row (a step number alone is kamplan's).
    pub fn has_content(&self) -> bool {
        self.date.is_some()
            || self.date_text.is_some()
            || self.status.is_some_and(|s| s != MeetingStatus::Pending)
            || self.status_text.is_some()
            || self.notes.is_some()
            || self.number_text.is_some()
            || self.objective.is_some()
    }
}

/// A row of the KAM's contact log: these count as contacts for the courtesy call and the
/// monthly cap exactly like activity-log rows.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactEntry {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<NaiveDate>,
    /// What the date cell held when it is not a date: kept, not counted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_text: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
}

/// A row of the decision-maker map, as the KAM wrote it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecisionMaker {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub influence: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stance: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
}

/// The account strategy block: how the account fits the commercial plan.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Strategy {
    /// The objective agreed with the customer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub objective: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_steps: Option<String>,
    /// The sales target agreed with the customer for the next 12 months.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agreed_target: Option<f64>,
    /// What the target cell held when it is not an amount ("mucho"): kept and shown again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agreed_target_text: Option<String>,
}

impl Strategy {
    /// Whether anything is written.
    pub fn is_empty(&self) -> bool {
        *self == Strategy::default()
    }
}

/// Everything the KAM owns for one account, and where each part came from.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CarriedAccount {
    /// The account's name when last shown.
    #[serde(default)]
    pub name: String,
    /// The KAM whose plan showed it last.
    #[serde(default)]
    pub kam: String,
    /// Whether it was a key account in that plan.
    #[serde(default)]
    pub key: bool,
    /// The period it stopped being key (its entries are shown for that one period in the
    /// KAM's "accounts no longer key" section, and kept here after).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub left_key: Option<Month>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub meetings: Vec<MeetingEntry>,
    /// The period of the plan whose meeting table these rows are: a cycle whose four meetings
    /// were all done in an earlier period's plan is moved to the history.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meetings_period: Option<Month>,
    /// Finished cycles of the closer's four meetings.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub history: Vec<MeetingEntry>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub contacts: Vec<ContactEntry>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub decision_makers: Vec<DecisionMaker>,
    #[serde(default, skip_serializing_if = "Strategy::is_empty")]
    pub strategy: Strategy,
    /// Per area, the returned file and cells its content came from (absent: from the books).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub sources: BTreeMap<Area, Source>,
}

impl CarriedAccount {
    /// Whether the KAM has written anything for the account.
    pub fn has_entries(&self) -> bool {
        self.meetings.iter().any(MeetingEntry::has_content)
            || !self.contacts.is_empty()
            || !self.decision_makers.is_empty()
            || !self.strategy.is_empty()
            || !self.history.is_empty()
    }
}

/// Everything carried, by account code: what carry hands the plan stage for a period, and what
/// the plans of a period show (published as `carried.json`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Carried {
    /// [`CARRIED_FORMAT`].
    pub format: u32,
    pub period: Option<Month>,
    /// By account code.
    pub accounts: BTreeMap<String, CarriedAccount>,
    /// Files whose content came back edited this run, by KAM (for the summary's follow-up).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub returned: BTreeMap<String, Vec<String>>,
    /// The sha256 of every returned plan whose content this record already holds: a file
    /// found again unchanged is not read again (what it said is here, or was superseded).
    #[serde(default, skip_serializing_if = "std::collections::BTreeSet::is_empty")]
    pub files_read: std::collections::BTreeSet<String>,
}

impl Carried {
    /// Nothing carried, for a period.
    pub fn empty(period: Month) -> Carried {
        Carried { format: CARRIED_FORMAT, period: Some(period), ..Carried::default() }
    }

    /// `carried.json`'s bytes: pretty JSON, accounts sorted by code (deterministic).
    pub fn to_json(&self) -> Vec<u8> {
        let mut v = serde_json::to_vec_pretty(self).unwrap_or_default();
        v.push(b'\n');
        v
    }
}

/// A returned plan or cell that could not be used, and why: one located line.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct CarryWarning {
    pub file: String,
    /// Empty when the problem is the whole file.
    pub sheet: String,
    pub cell: String,
    pub value: String,
    pub reason: String,
}

impl std::fmt::Display for CarryWarning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "returned plan {}", self.file)?;
        if !self.sheet.is_empty() {
            write!(f, " › {}", self.sheet)?;
        }
        if !self.cell.is_empty() {
            write!(f, " › {}", self.cell)?;
        }
        if !self.value.is_empty() {
            write!(f, ": {:?}", self.value)?;
        }
        write!(f, ": {}", self.reason)
    }
}

impl CarryWarning {
    /// A warning about a whole file.
    pub fn file(file: impl Into<String>, reason: impl Into<String>) -> CarryWarning {
        CarryWarning {
            file: file.into(),
            sheet: String::new(),
            cell: String::new(),
            value: String::new(),
            reason: reason.into(),
        }
    }
}
