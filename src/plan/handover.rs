//! The hand-over record (`handover.json`): per KAM, who gets which files of the published month
//! and what their mail says — key accounts, the ones needing attention and why, the next
//! meeting's objective. Built from the plans (no I/O), written by publish, read by send.
//!
//! `send` runs alone on any published month, so everything its mail needs is here, already in
//! the plan's language; nothing is recomputed from the books. Attention and next objectives are
//! copied from [`KamPlan`] as the plan stage made them.

use serde::{Deserialize, Serialize};

use super::{KamPlan, Plans};
use crate::classify::norm;
use crate::ingest::KamContact;

/// Version of the `handover.json` format; bumped when a field changes meaning.
pub const HANDOVER_VERSION: u32 = 1;

/// `<out>/<P>/handover.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Handover {
    pub version: u32,
    /// `2026-10`.
    pub period: String,
    /// `oct 2026`, in the plans' language.
    pub period_label: String,
    /// `nov 2025 – oct 2026`.
    pub window_label: String,
    /// The plans' language code; the mail is written in it.
    pub lang: String,
    pub currency: String,
    /// Sales of the company in the window and of its key accounts.
    pub company_sales: f64,
    pub key_sales: f64,
    pub key_accounts: u32,
    /// One entry per KAM plan, in the plans' order (the default KAM's plan, if any, last).
    pub kams: Vec<HandoverKam>,
    /// The management summary's files, relative to the month folder.
    pub summary_files: Vec<String>,
}

/// One KAM's entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HandoverKam {
    pub kam: String,
    /// From the KAM directory; `None` when it has none (never guessed).
    pub email: Option<String>,
    /// The directory's manager cell, as a name (`Carmen Ortega`).
    pub manager: Option<String>,
    /// The manager's address: written in the manager cell, or the directory's email of the
    /// person the cell names. `None` when neither gives one.
    pub manager_email: Option<String>,
    /// The default KAM holding key accounts nobody owns: their plan goes to management.
    pub unassigned: bool,
    pub key_accounts: u32,
    pub sales: f64,
    /// Share of company sales.
    pub share: f64,
    /// The plan's files, relative to the month folder (`/`-separated); only files published.
    pub files: Vec<String>,
    /// The key accounts, by rank.
    pub accounts: Vec<HandoverAccount>,
}

/// A key account as the mail names it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HandoverAccount {
    pub id: String,
    pub name: String,
    pub sales: f64,
    /// Why it is key, in words (`volumen, crecimiento`).
    pub reasons_text: String,
    /// Why it needs attention this month (sentences); empty when it does not.
    pub attention: Vec<String>,
    /// Number of the next of the four meetings; `None` when all are held.
    pub next_meeting: Option<u32>,
    /// That meeting's objective (`Identificar a quién decide`).
    pub next_objective: Option<String>,
    /// The next step in words, as the plan writes it.
    pub next_text: String,
}

impl Handover {
    /// The record of a run's plans. `files` gives each KAM plan's published files (same order
    /// as `plans.kams`); `summary_files` the summary's.
    pub fn build(plans: &Plans, files: &[Vec<String>], summary_files: Vec<String>) -> Handover {
        let p = &plans.summary.period;
        let kams = plans
            .kams
            .iter()
            .zip(files.iter().chain(std::iter::repeat(&Vec::new())))
            .map(|(k, files)| kam_entry(k, files.clone()))
            .collect();
        Handover {
            version: HANDOVER_VERSION,
            period: p.period.to_string(),
            period_label: p.period_label.clone(),
            window_label: p.window_label.clone(),
            lang: p.lang.clone(),
            currency: p.currency.clone(),
            company_sales: plans.summary.company_sales,
            key_sales: plans.summary.key_sales,
            key_accounts: plans.summary.key_accounts,
            kams,
            summary_files,
        }
    }

    /// Keeps only the files `present` says were published (a format not written, a file
    /// missing), so the record never names a file the month does not have.
    pub fn retain_files(&mut self, present: impl Fn(&str) -> bool) {
        for k in &mut self.kams {
            k.files.retain(|f| present(f));
        }
        self.summary_files.retain(|f| present(f));
    }
}

fn kam_entry(k: &KamPlan, files: Vec<String>) -> HandoverKam {
    let accounts = k
        .accounts
        .iter()
        .map(|a| HandoverAccount {
            id: a.id.clone(),
            name: a.name.clone(),
            sales: a.sales,
            reasons_text: a.reasons_text.clone(),
            attention: k.attention.iter().find(|x| x.id == a.id).map(|x| x.why.clone()).unwrap_or_default(),
            next_meeting: a.next_meeting,
            next_objective: a
                .next_meeting
                .and_then(|n| a.meetings.iter().find(|m| m.number == n))
                .map(|m| m.objective.clone()),
            next_text: a.next_text.clone(),
        })
        .collect();
    HandoverKam {
        kam: k.kam.clone(),
        email: k.email.clone(),
        manager: k.manager.clone(),
        manager_email: k.manager_email.clone(),
        unassigned: k.unassigned,
        key_accounts: k.key_accounts,
        sales: k.sales,
        share: k.share,
        files: files.into_iter().filter(|f| !f.is_empty()).collect(),
        accounts,
    }
}

/// A KAM's manager from the directory: (name, address). The manager cell may hold a name
/// (`Carmen Ortega`, looked up in the directory for an email), an address, or both
/// (`Carmen Ortega <carmen@example.com>`). No address is ever made up.
pub fn manager_of(kam: &str, directory: &[KamContact]) -> (Option<String>, Option<String>) {
    let Some(cell) = directory
        .iter()
        .find(|d| norm(&d.name) == norm(kam))
        .and_then(|d| d.manager.as_deref())
        .map(str::trim)
        .filter(|m| !m.is_empty())
    else {
        return (None, None);
    };
    let (name, address) = split_mailbox(cell);
    let address = address.or_else(|| {
        let name = name.as_deref()?;
        directory
            .iter()
            .find(|d| norm(&d.name) == norm(name))
            .and_then(|d| d.email.as_deref())
            .map(str::trim)
            .filter(|e| !e.is_empty())
            .map(String::from)
    });
    (name.or_else(|| address.clone()), address)
}

/// `Name <a@b>` → (Name, a@b); `a@b` → (None, a@b); `Name` → (Name, None).
fn split_mailbox(text: &str) -> (Option<String>, Option<String>) {
    let text = text.trim();
    if let (Some(open), true) = (text.find('<'), text.ends_with('>')) {
        let addr = text[open + 1..text.len() - 1].trim();
        let name = text[..open].trim().trim_matches('"').trim();
        let name = (!name.is_empty()).then(|| name.to_string());
        return (name, (!addr.is_empty()).then(|| addr.to_string()));
    }
    if text.contains('@') && !text.contains(char::is_whitespace) {
        return (None, Some(text.to_string()));
    }
    (Some(text.to_string()), None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::Lang;
    use crate::plan::{build, fixtures};

    fn contact(name: &str, email: Option<&str>, manager: Option<&str>) -> KamContact {
        KamContact {
            name: name.into(),
            email: email.map(Into::into),
            manager: manager.map(Into::into),
            region: None,
        }
    }

    #[test]
    fn manager_address_from_the_cell_or_the_directory_never_guessed() {
        let dir = vec![
            contact("Ana Pérez", Some("ana@x.es"), Some("Carmen Ortega")),
            contact("Bruno Díaz", None, Some("Carmen Ortega <carmen@x.es>")),
            contact("Carla Ruiz", None, Some("jefa@x.es")),
            contact("Dani Gil", None, Some("Nadie Conocido")),
            contact("CARMEN  ortega", Some(" carmen.o@x.es "), None),
            contact("Eva", None, Some("  ")),
        ];
        let cases = [
            ("ana pérez", Some("Carmen Ortega"), Some("carmen.o@x.es")),
            ("Bruno Díaz", Some("Carmen Ortega"), Some("carmen@x.es")),
            ("Carla Ruiz", Some("jefa@x.es"), Some("jefa@x.es")),
            ("Dani Gil", Some("Nadie Conocido"), None),
            ("Eva", None, None),
            ("Not listed", None, None),
        ];
        for (kam, name, addr) in cases {
            let (n, a) = manager_of(kam, &dir);
            assert_eq!((n.as_deref(), a.as_deref()), (name, addr), "{kam}");
        }
    }

    #[test]
    fn record_carries_attention_and_next_objective_from_the_plans() {
        let lang = Lang::load("es", "€", None).unwrap();
        let data = fixtures::dataset();
        let inputs = crate::plan::Inputs::from_dataset(&data);
        let plans = build(&fixtures::classification(), &data, &inputs, &fixtures::config(), &lang);
        let files: Vec<Vec<String>> =
            plans.kams.iter().map(|k| vec![format!("{}/a.pdf", k.kam), String::new()]).collect();
        let h = Handover::build(&plans, &files, vec!["Resumen.pdf".into()]);
        assert_eq!(h.period, "2026-10");
        assert_eq!(h.kams.len(), plans.kams.len());
        let ana = &h.kams[0];
        let plan = &plans.kams[0];
        assert_eq!(ana.kam, plan.kam);
        assert_eq!(ana.files, [format!("{}/a.pdf", plan.kam)], "empty paths (format not written) dropped");
        // Attention exactly as the plan has it, per account; accounts without it have none.
        for a in &ana.accounts {
            let want =
                plan.attention.iter().find(|x| x.id == a.id).map(|x| x.why.clone()).unwrap_or_default();
            assert_eq!(a.attention, want, "{}", a.id);
        }
        assert!(ana.accounts.iter().any(|a| !a.attention.is_empty()));
        // The next meeting's objective is the label of the plan's next meeting.
        let c001 = ana.accounts.iter().find(|a| a.id == "C001").unwrap();
        let plan_c001 = plan.accounts.iter().find(|a| a.id == "C001").unwrap();
        let next = plan_c001.meetings.iter().find(|m| m.next).unwrap();
        assert_eq!(c001.next_meeting, Some(next.number));
        assert_eq!(c001.next_objective.as_deref(), Some(next.objective.as_str()));
        assert_eq!(c001.next_text, plan_c001.next_text);

        // Round trip through JSON, as publish writes it and send reads it.
        let json = serde_json::to_string(&h).unwrap();
        assert_eq!(serde_json::from_str::<Handover>(&json).unwrap(), h);

        let mut h2 = h.clone();
        h2.retain_files(|f| f != "Resumen.pdf");
        assert!(h2.summary_files.is_empty());
    }
}
