//! The closer's meeting method: the four meetings and what the activity log says of them,
//! courtesy calls, and the cap on contacts a month.

use std::collections::BTreeMap;

use serde::Serialize;

use super::*;

/// The four meetings, in order: (key, …) — labels are `plan.meeting.<key>.title|guide`.
pub(super) const MEETINGS: [&str; 4] = ["decision_makers", "competition", "needs", "close"];

/// What became of one of the closer's meetings, as the activity log or the KAM records it.
///
/// The key (`done`, `no_decision`, …) is stable: it is what JSON, the carried plans and the
/// templates use. People see the label `plan.status.<key>` of the output language (the XLSX
/// drop-down offers those labels), and [`MeetingStatus::from_text`] reads either back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, serde::Deserialize)]
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

    /// Reads a status as a KAM typed or picked it: its key or its label in any of `langs`,
    /// ignoring case, accents and surrounding spaces ([`crate::classify::collate`]). `None` for anything else (the caller
    /// reports the cell).
    pub fn from_text(text: &str, langs: &[&Lang]) -> Option<MeetingStatus> {
        let t = crate::classify::collate(text);
        if t.is_empty() {
            return None;
        }
        MeetingStatus::ALL.into_iter().find(|s| {
            crate::classify::collate(s.key()) == t
                || crate::classify::collate(&s.key().replace('_', " ")) == t
                || langs.iter().any(|l| crate::classify::collate(&s.label(l)) == t)
        })
    }
}

/// Words that make a log entry a call or a mail rather than a meeting (lowercase, either language).
pub(super) const CALL_WORDS: &[&str] = &[
    "llamada", "llamar", "telef", "teléf", "call", "phone", "email", "e-mail", "mail", "correo", "whatsapp",
    "sms", "mensaje", "message",
];

/// Whether an activity type is a call or a mail (a contact, not a meeting).
/// An entry without a type counts as a meeting: the log is a meeting log first.
pub fn is_call(kind: Option<&str>) -> bool {
    kind.map(|k| {
        let k = k.to_lowercase();
        CALL_WORDS.iter().any(|w| k.contains(w))
    })
    .unwrap_or(false)
}

/// Words in an activity type that name one of the four meetings (lowercase, either language),
/// in the order of [`MEETINGS`].
pub(super) const STEP_WORDS: [&[&str]; 4] = [
    &["decisor", "decision", "decisión", "stakeholder"],
    &["competen", "competi"],
    &["necesidad", "need", "requisit", "requirement"],
    &["cierre", "cerrar", "clos"],
];

/// Which of the four meetings an activity type names (0-based), if any.
pub fn meeting_step(kind: Option<&str>) -> Option<usize> {
    let k = kind?.to_lowercase();
    STEP_WORDS.iter().position(|words| words.iter().any(|w| k.contains(w)))
}

/// The entry held for each of the four meetings, from the account's meetings (oldest first).
///
/// When some entry names its meeting ("Reunión decisores", "Closing meeting"), entries fill
/// the meeting they name (the latest one wins, its notes being the freshest) and the others
/// are plain contacts. When none does, the meetings fill the steps in date order.
pub(super) fn steps_held<'a>(meetings: &[&'a Activity]) -> [Option<&'a Activity>; 4] {
    let mut held = [None; 4];
    if meetings.iter().any(|m| meeting_step(m.kind.as_deref()).is_some()) {
        for m in meetings {
            if let Some(i) = meeting_step(m.kind.as_deref()) {
                held[i] = Some(*m);
            }
        }
    } else {
        for (slot, m) in held.iter_mut().zip(meetings) {
            *slot = Some(*m);
        }
    }
    held
}

/// The four meetings with those held filled in, the next one (the first not held) and the
/// next step in words.
pub(super) fn meetings(meetings: &[&Activity], lang: &Lang) -> (Vec<Meeting>, Option<u32>, String) {
    let held = steps_held(meetings);
    let done_label = lang.get("plan.status.done").to_string();
    let pending_label = lang.get("plan.status.pending").to_string();
    let next = held.iter().position(Option::is_none).map(|i| i as u32 + 1);
    let count = held.iter().flatten().count();
    let list = MEETINGS
        .iter()
        .zip(held)
        .enumerate()
        .map(|(i, (key, h))| Meeting {
            number: i as u32 + 1,
            key: key.to_string(),
            objective: lang.get(&format!("plan.meeting.{key}.title")).to_string(),
            guide: lang.get(&format!("plan.meeting.{key}.guide")).to_string(),
            date: h.map(|a| a.date),
            status: if h.is_some() { done_label.clone() } else { pending_label.clone() },
            kind: h.and_then(|a| a.kind.clone()),
            notes: h.and_then(|a| a.notes.clone()),
            done: h.is_some(),
            next: next == Some(i as u32 + 1),
        })
        .collect::<Vec<_>>();
    let text = match next {
        Some(n) => lang.fill(
            "plan.meeting.next",
            &[
                ("number", n.to_string()),
                ("objective", list[n as usize - 1].objective.clone()),
                ("held", count.to_string()),
            ],
        ),
        None => lang.fill("plan.meeting.complete", &[("held", count.to_string())]),
    };
    (list, next, text)
}

/// The courtesy call: every `every` days after the last contact (log) or purchase.
pub(super) fn courtesy(
    last_log: Option<NaiveDate>,
    last_purchase: Option<NaiveDate>,
    cfg: &Config,
    end: NaiveDate,
    lang: &Lang,
) -> Courtesy {
    let every = cfg.plan.call_every_days;
    let (basis, last) = match (last_log, last_purchase) {
        (Some(d), _) => ("log", Some(d)),
        (None, Some(d)) => ("purchase", Some(d)),
        (None, None) => ("none", None),
    };
    let next_due = last.and_then(|d| d.checked_add_days(chrono::Days::new(every as u64)));
    let overdue = match next_due {
        Some(d) => d < end,
        None => true,
    };
    let days_overdue = next_due.filter(|_| overdue).map(|d| (end - d).num_days());
    let text = match (next_due, overdue) {
        (Some(d), false) => lang.fill(
            &format!("plan.feedback.due_{basis}"),
            &[
                ("date", lang.date(d)),
                ("last", last.map(|l| lang.date(l)).unwrap_or_default()),
                ("days", every.to_string()),
            ],
        ),
        (Some(d), true) => lang.fill(
            &format!("plan.feedback.overdue_{basis}"),
            &[
                ("date", lang.date(d)),
                ("last", last.map(|l| lang.date(l)).unwrap_or_default()),
                ("days", every.to_string()),
                ("late", days_overdue.unwrap_or(0).to_string()),
            ],
        ),
        (None, _) => lang.get("plan.feedback.no_contact").to_string(),
    };
    let rule = lang.fill(
        "plan.feedback.rule",
        &[("days", every.to_string()), ("max", cfg.plan.max_contacts_per_month.to_string())],
    );
    Courtesy {
        every_days: every,
        basis: basis.into(),
        last_contact: last,
        next_due,
        overdue,
        days_overdue,
        text,
        rule,
    }
}

/// Months where the log holds more than `max` contacts with one account.
pub(super) fn cap_excess(entries: &[&Activity], max: u32, lang: &Lang) -> Vec<CapExcess> {
    let mut per: BTreeMap<Month, u32> = BTreeMap::new();
    for a in entries {
        *per.entry(Month::of(a.date)).or_default() += 1;
    }
    per.into_iter()
        .filter(|(_, n)| *n > max)
        .map(|(m, n)| CapExcess { month: m, label: lang.month(m), contacts: n })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::d;
    use super::super::tests::{es, plans};
    use super::*;
    use crate::config::Config;

    #[test]
    fn a_status_reads_back_from_its_key_or_its_label_in_either_language() {
        let es = Lang::load("es", "€", None).unwrap();
        let en = Lang::load("en", "€", None).unwrap();
        for s in MeetingStatus::ALL {
            assert_eq!(MeetingStatus::from_text(s.key(), &[]), Some(s));
            assert_eq!(MeetingStatus::from_text(&s.label(&es).to_uppercase(), &[&es, &en]), Some(s));
            assert_eq!(MeetingStatus::from_text(&format!("  {} ", s.label(&en)), &[&es, &en]), Some(s));
        }
        assert_eq!(MeetingStatus::from_text("aplazada", &[&es]), Some(MeetingStatus::Postponed));
        assert_eq!(MeetingStatus::from_text("sin acuerdo", &[&es]), Some(MeetingStatus::NoDecision));
        assert_eq!(MeetingStatus::from_text("no decision", &[]), Some(MeetingStatus::NoDecision));
        assert_eq!(MeetingStatus::from_text("mañana", &[&es, &en]), None);
        assert_eq!(MeetingStatus::from_text("", &[&es, &en]), None);
    }

    #[test]
    fn every_status_has_a_distinct_label_in_each_language() {
        for code in ["es", "en"] {
            let l = Lang::load(code, "€", None).unwrap();
            let labels: std::collections::HashSet<String> =
                MeetingStatus::ALL.iter().map(|s| crate::classify::collate(&s.label(&l))).collect();
            assert_eq!(labels.len(), MeetingStatus::ALL.len(), "{code}");
        }
    }

    #[test]
    fn next_meeting_follows_the_log() {
        let e = |date: &str, kind: &str| Activity {
            date: d(date),
            customer: "X".into(),
            kind: Some(kind.into()),
            notes: Some(format!("{kind} {date}")),
            kam: None,
        };
        let lang = es();
        // A log whose types do not name the meetings: meetings fill the steps in date order.
        let generic = [
            e("2026-01-01", "Visita"),
            e("2026-02-01", "Reunión"),
            e("2026-03-01", "Comida de trabajo"),
            e("2026-04-01", "Meeting"),
            e("2026-05-01", "Visita"),
        ];
        for (held, next) in [(0, Some(1)), (1, Some(2)), (2, Some(3)), (3, Some(4)), (4, None), (5, None)] {
            let refs: Vec<&Activity> = generic[..held].iter().collect();
            let (list, n, text) = meetings(&refs, &lang);
            assert_eq!(n, next, "{held} held");
            assert_eq!(list.iter().filter(|m| m.done).count(), held.min(4));
            assert_eq!(list.iter().filter(|m| m.next).count(), usize::from(next.is_some()));
            assert!(!text.is_empty() && !text.contains('{'));
        }
        // Types that name the meetings fill the one they name; other visits are contacts.
        type Case<'a> = (&'a [(&'a str, &'a str)], [bool; 4], Option<u32>);
        let named: &[Case] = &[
            (
                &[("2026-01-10", "Reunión decisores"), ("2026-02-10", "Visita")],
                [true, false, false, false],
                Some(2),
            ),
            (
                &[("2026-01-10", "Reunión decisores"), ("2026-03-10", "Reunión cierre")],
                [true, false, false, true],
                Some(2),
            ),
            (
                &[("2026-01-10", "Competitor review"), ("2026-02-10", "Needs analysis")],
                [false, true, true, false],
                Some(1),
            ),
            (
                &[
                    ("2026-01-10", "Decision makers meeting"),
                    ("2026-02-10", "Reunión competencia"),
                    ("2026-03-10", "Reunión necesidades"),
                    ("2026-04-10", "Closing meeting"),
                ],
                [true, true, true, true],
                None,
            ),
        ];
        for (log, done, next) in named {
            let v: Vec<Activity> = log.iter().map(|(dt, k)| e(dt, k)).collect();
            let refs: Vec<&Activity> = v.iter().collect();
            let (list, n, _) = meetings(&refs, &lang);
            assert_eq!(list.iter().map(|m| m.done).collect::<Vec<_>>(), done, "{log:?}");
            assert_eq!(n, *next, "{log:?}");
        }
        // Two meetings of one step: the latest is shown.
        let v = [e("2026-01-10", "Reunión necesidades"), e("2026-05-10", "Reunión necesidades")];
        let refs: Vec<&Activity> = v.iter().collect();
        let (list, _, _) = meetings(&refs, &lang);
        assert_eq!(list[2].date, Some(d("2026-05-10")));
        // From the fixture: two meetings and two calls → the third meeting is next.
        let p = plans();
        let c001 = &p.kams[0].accounts[0];
        assert_eq!(c001.next_meeting, Some(3));
        assert_eq!(c001.meetings[0].date, Some(d("2026-03-10")));
        assert_eq!(c001.meetings[1].date, Some(d("2026-05-12")));
        assert_eq!(c001.meetings[2].key, "needs");
        assert!(c001.meetings[2].next && !c001.meetings[2].done);
        assert_eq!(c001.meetings[0].status, "Hecha");
        // Calls are contacts, not meetings; entries outside the window or after P are ignored.
        assert_eq!(c001.log.len(), 4);
    }

    #[test]
    fn calls_and_mails_are_not_meetings() {
        for k in ["Llamada", "llamada de seguimiento", "Call", "E-mail", "Correo", "Teléfono"] {
            assert!(is_call(Some(k)), "{k}");
        }
        for k in ["Visita", "Reunión cierre", "Meeting", "Comida"] {
            assert!(!is_call(Some(k)), "{k}");
        }
        assert!(!is_call(None));
    }

    #[test]
    fn courtesy_call_due_and_overdue_at_the_boundary() {
        let lang = es();
        let cfg = Config::default(); // every 30 days
        let end = d("2026-10-31");
        let cases = [
            // (last log, last purchase, next due, overdue, basis)
            (Some("2026-10-01"), None, Some("2026-10-31"), false, "log"),
            (Some("2026-09-30"), None, Some("2026-10-30"), true, "log"),
            (Some("2026-10-20"), Some("2026-01-01"), Some("2026-11-19"), false, "log"),
            (None, Some("2026-10-05"), Some("2026-11-04"), false, "purchase"),
            (None, Some("2026-06-01"), Some("2026-07-01"), true, "purchase"),
            (None, None, None, true, "none"),
        ];
        for (log, buy, due, overdue, basis) in cases {
            let c = courtesy(log.map(d), buy.map(d), &cfg, end, &lang);
            assert_eq!(c.next_due, due.map(d), "{log:?} {buy:?}");
            assert_eq!(c.overdue, overdue, "{log:?} {buy:?}");
            assert_eq!(c.basis, basis);
            assert!(!c.text.is_empty() && !c.text.contains('{'), "{}", c.text);
        }
        let late = courtesy(None, Some(d("2026-06-01")), &cfg, end, &lang);
        assert_eq!(late.days_overdue, Some(122));
    }

    #[test]
    fn contact_cap_warns_only_above_the_limit() {
        let lang = es();
        let mk = |n: u32| -> Vec<Activity> {
            (1..=n)
                .map(|i| Activity {
                    date: d(&format!("2026-10-{i:02}")),
                    customer: "X".into(),
                    kind: None,
                    notes: None,
                    kam: None,
                })
                .collect()
        };
        for (n, warn) in [(3, false), (4, false), (5, true)] {
            let v = mk(n);
            let refs: Vec<&Activity> = v.iter().collect();
            assert_eq!(!cap_excess(&refs, 4, &lang).is_empty(), warn, "{n} contacts");
        }
        let p = plans();
        let ana = &p.kams[0];
        let c002 = ana.accounts.iter().find(|a| a.id == "C002").unwrap();
        assert_eq!(c002.cap_excess.len(), 1);
        assert_eq!(c002.cap_excess[0].contacts, 5);
        assert_eq!(ana.warnings.len(), 1);
        assert!(ana.warnings[0].contains("5 contactos en oct 2026"), "{}", ana.warnings[0]);
    }
}
