//! A meeting's status: what became of one of the closer's meetings, its stable key and its label
//! in each language, and how a status typed by a KAM is read back.

use serde::{Deserialize, Serialize};

use crate::lang::Lang;

/// What became of one of the closer's meetings, as the activity log or the KAM records it.
///
/// The key (`done`, `no_decision`, …) is stable: it is what JSON, the carried plans and the
/// templates use. People see the label `plan.status.<key>` of the output language (the XLSX
/// drop-down offers those labels), and [`MeetingStatus::from_text`] reads either back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MeetingStatus {
    /// Not held and not scheduled.
    Pending,
    /// Scheduled: a date in the future.
    Planned,
    /// Held, and it achieved its objective.
    Done,
    /// Moved to a later date; the step is still to do.
    Postponed,
    /// Held without a decision or with a refusal: the step must be taken again.
    NoDecision,
    /// Called off.
    Cancelled,
}

impl MeetingStatus {
    /// Every status, in the order the drop-down lists them.
    pub const ALL: [MeetingStatus; 6] = [
        MeetingStatus::Pending,
        MeetingStatus::Planned,
        MeetingStatus::Done,
        MeetingStatus::Postponed,
        MeetingStatus::NoDecision,
        MeetingStatus::Cancelled,
    ];

    /// The stable key: `pending`, `planned`, `done`, `postponed`, `no_decision`, `cancelled`.
    pub fn key(self) -> &'static str {
        match self {
            MeetingStatus::Pending => "pending",
            MeetingStatus::Planned => "planned",
            MeetingStatus::Done => "done",
            MeetingStatus::Postponed => "postponed",
            MeetingStatus::NoDecision => "no_decision",
            MeetingStatus::Cancelled => "cancelled",
        }
    }

    /// The label in a language (`plan.status.<key>`).
    pub fn label(self, lang: &Lang) -> String {
        lang.get(&format!("plan.status.{}", self.key())).to_string()
    }

    /// Only a meeting that achieved its objective completes its step.
    pub fn completes_step(self) -> bool {
        self == MeetingStatus::Done
    }

    /// A meeting that took place or was due and did not achieve its step: it must be retaken.
    pub fn is_setback(self) -> bool {
        matches!(self, MeetingStatus::Postponed | MeetingStatus::NoDecision | MeetingStatus::Cancelled)
    }

    /// Reads a status as a KAM typed or picked it: its key or its label in any of `langs`,
    /// ignoring case, accents and surrounding spaces ([`crate::classify::collate`]). `None` for anything else (the caller
    /// reports the cell).
    pub fn from_text(text: &str, langs: &[&Lang]) -> Option<MeetingStatus> {
        StatusNames::new(langs).find(text)
    }
}

/// Every name a status may be typed as, collated once, for reading many cells (see
/// [`MeetingStatus::from_text`]).
pub struct StatusNames(Vec<(String, MeetingStatus)>);

impl StatusNames {
    /// The names in `langs`: each status's key, its key with spaces, its label in each.
    pub fn new(langs: &[&Lang]) -> StatusNames {
        use crate::classify::collate;
        let mut names = Vec::new();
        for s in MeetingStatus::ALL {
            names.push((collate(s.key()), s));
            names.push((collate(&s.key().replace('_', " ")), s));
            names.extend(langs.iter().map(|l| (collate(&s.label(l)), s)));
        }
        StatusNames(names)
    }

    /// The status `text` names, if any (the first status in [`MeetingStatus::ALL`] order).
    pub fn find(&self, text: &str) -> Option<MeetingStatus> {
        let t = crate::classify::collate(text);
        if t.is_empty() {
            return None;
        }
        self.0.iter().find(|(n, _)| *n == t).map(|(_, s)| *s)
    }
}
