//! The closer's meeting method: the four meetings, what each contact is to them (the step it
//! names, its outcome), and the next objective.
//!
//! The input is a list of [`Contact`]s per account — activity-log rows and whatever the KAM
//! recorded in a returned plan, read the same way — so an explicit step or status the KAM chose
//! overrides what the words say, one record at a time.

use serde::{Deserialize, Serialize};

use super::*;
use crate::config::OutcomeWords;

/// The four meetings, in order: (key, …) — labels are `plan.meeting.<key>.title|guide`.
pub(super) const MEETINGS: [&str; 4] = ["decision_makers", "competition", "needs", "close"];

/// Where a [`Contact`] comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContactSource {
    /// A row of an activity-log book.
    Log,
    /// What the KAM wrote in a returned plan: a row of its contact log or of its meeting table.
    Kam,
}

/// One contact with an account — or a meeting the KAM has planned — as the plan stage reads it.
///
/// Every contact counts the same wherever it came from: for the courtesy call, the contact cap
/// and the closer's steps. `step` and `status` are what the KAM chose in a returned plan; left
/// `None`, they are read from `kind` and `notes` ([`read_contact`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Contact {
    /// When it happened (or is planned); `None` when the KAM left the date blank.
    pub date: Option<NaiveDate>,
    /// Meeting or contact type as typed ("Visita", "Llamada", "Reunión cierre", …).
    pub kind: Option<String>,
    pub notes: Option<String>,
    /// The closer step (1..=4) the KAM filed it under.
    pub step: Option<u32>,
    /// The outcome the KAM chose.
    pub status: Option<MeetingStatus>,
    pub source: ContactSource,
}

impl Contact {
    /// An activity-log row as a contact: step and outcome left to its words.
    pub fn from_activity(a: &Activity) -> Contact {
        Contact {
            date: Some(a.date),
            kind: a.kind.clone(),
            notes: a.notes.clone(),
            step: None,
            status: None,
            source: ContactSource::Log,
        }
    }
}

/// Words that make a log entry a call or a mail (lowercase, either language): a contact that
/// never fills a closer step, whatever its notes say.
pub(super) const CALL_WORDS: &[&str] = &[
    "llamada", "llamar", "telef", "teléf", "call", "phone", "email", "e-mail", "mail", "correo", "whatsapp",
    "sms", "mensaje", "message",
];

/// Whether an activity type is a call or a mail.
pub fn is_call(kind: Option<&str>) -> bool {
    kind.map(|k| {
        let k = k.to_lowercase();
        CALL_WORDS.iter().any(|w| k.contains(w))
    })
    .unwrap_or(false)
}

/// Words that name one of the four meetings (accents and case ignored), in the order of
/// [`MEETINGS`].
pub(super) const STEP_WORDS: [&[&str]; 4] = [
    &["decisor", "decision", "stakeholder"],
    &["competen", "competi"],
    &["necesidad", "need", "requisit", "requirement"],
    &["cierre", "cerrar", "clos"],
];

/// Words whose start makes a note's first clause about a meeting ("Reunión de cierre: …").
const MEETING_NOUNS: &[&str] = &["reunion", "meeting", "junta"];

/// Which of the four meetings an activity type names (0-based), if any.
pub fn meeting_step(kind: Option<&str>) -> Option<usize> {
    let k = crate::classify::collate(kind?);
    STEP_WORDS.iter().position(|words| words.iter().any(|w| k.contains(w)))
}

/// Which meeting a note clearly names: its first clause (up to `:` `;` `.` `,` or a dash) is
/// about a meeting and names a step — "Reunión de cierre: acuerdo firmado", "Closing meeting,
/// signed". A note that mentions a step in passing names none.
pub fn notes_step(notes: Option<&str>) -> Option<usize> {
    let n = crate::classify::collate(notes?);
    let first = n.split([':', ';', '.', ',', '—', '–']).next().unwrap_or("");
    let first = first.split(" - ").next().unwrap_or("");
    let about_a_meeting = first
        .split(|c: char| !c.is_alphanumeric())
        .any(|word| MEETING_NOUNS.iter().any(|n| word.starts_with(n)));
    if !about_a_meeting {
        return None;
    }
    STEP_WORDS.iter().position(|words| words.iter().any(|w| first.contains(w)))
}

/// `[plan.outcome_words]` collated once for matching.
#[derive(Debug, Clone)]
pub(super) struct Words {
    /// In the order they are checked: no decision, postponed, cancelled.
    outcomes: [(MeetingStatus, Vec<String>); 3],
    fewer_contacts: Vec<String>,
}

impl Words {
    pub(super) fn new(w: &OutcomeWords) -> Words {
        let c =
            |v: &[String]| v.iter().map(|s| crate::classify::collate(s)).filter(|s| !s.is_empty()).collect();
        Words {
            outcomes: [
                (MeetingStatus::NoDecision, c(&w.no_decision)),
                (MeetingStatus::Postponed, c(&w.postponed)),
                (MeetingStatus::Cancelled, c(&w.cancelled)),
            ],
            fewer_contacts: c(&w.fewer_contacts),
        }
    }

    /// The outcome the words of a type and notes give, if any.
    pub(super) fn outcome(&self, text: &str) -> Option<MeetingStatus> {
        let t = crate::classify::collate(text);
        self.outcomes.iter().find(|(_, words)| words.iter().any(|w| t.contains(w))).map(|(s, _)| *s)
    }

    /// Whether a text asks for fewer contacts.
    pub(super) fn asks_fewer_contacts(&self, text: &str) -> bool {
        let t = crate::classify::collate(text);
        self.fewer_contacts.iter().any(|w| t.contains(w))
    }
}

/// What one contact is to the method.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Reading {
    /// The closer step it fills (0-based); `None`: a plain contact.
    pub(super) step: Option<usize>,
    /// Its outcome (for a step record; a plain contact is `Done`).
    pub(super) status: MeetingStatus,
}

impl Reading {
    /// Whether it counts as a contact with the customer (courtesy call, cap): anything that
    /// happened, not a meeting planned, pending or called off.
    pub(super) fn is_contact(self, c: &Contact, end: NaiveDate) -> bool {
        c.date.is_some_and(|d| d <= end)
            && !matches!(
                self.status,
                MeetingStatus::Planned | MeetingStatus::Pending | MeetingStatus::Cancelled
            )
    }

    /// Whether it is a closer meeting that took place (done, postponed or without agreement).
    pub(super) fn is_meeting_held(self, c: &Contact, end: NaiveDate) -> bool {
        self.step.is_some() && self.is_contact(c, end)
    }
}

/// The step a contact fills and its outcome:
///
/// - **step**: the KAM's (`Contact::step`), else the one its type names ([`meeting_step`]),
///   else the one its notes clearly name ([`notes_step`]); calls and mails ([`is_call`]) and
///   every other contact (visits, deliveries) fill none;
/// - **outcome** of a step record: the KAM's status, else the outcome words found in its type
///   and notes, else `planned` for a date after P, `pending` without a date, `done`.
pub(super) fn read_contact(c: &Contact, words: &Words, end: NaiveDate) -> Reading {
    let step = match c.step {
        Some(s) if (1..=4).contains(&s) => Some(s as usize - 1),
        _ if is_call(c.kind.as_deref()) => None,
        _ => meeting_step(c.kind.as_deref()).or_else(|| notes_step(c.notes.as_deref())),
    };
    let status = c.status.unwrap_or_else(|| {
        if step.is_none() {
            return MeetingStatus::Done;
        }
        let text = format!("{} {}", c.kind.as_deref().unwrap_or(""), c.notes.as_deref().unwrap_or(""));
        match (words.outcome(&text), c.date) {
            (Some(s), _) => s,
            (None, Some(d)) if d > end => MeetingStatus::Planned,
            (None, Some(_)) => MeetingStatus::Done,
            (None, None) => MeetingStatus::Pending,
        }
    });
    Reading { step, status }
}

/// One step's records merged: the meeting a KAM and the log both recorded on one date is one
/// meeting, the KAM's status and notes winning.
#[derive(Debug, Clone)]
struct StepRecord<'a> {
    date: Option<NaiveDate>,
    status: MeetingStatus,
    kind: Option<&'a str>,
    notes: Option<&'a str>,
    source: ContactSource,
}

fn merge_step_records<'a>(mut recs: Vec<(&'a Contact, MeetingStatus)>) -> Vec<StepRecord<'a>> {
    // Undated last; on one date the KAM's record first, so it wins the merge.
    recs.sort_by(|(a, _), (b, _)| {
        (a.date.is_none(), a.date).cmp(&(b.date.is_none(), b.date)).then(b.source.cmp(&a.source))
    });
    let mut out: Vec<StepRecord> = Vec::new();
    for (c, status) in recs {
        match out.last_mut() {
            Some(prev) if prev.date.is_some() && prev.date == c.date => {
                prev.kind = prev.kind.or(c.kind.as_deref());
                prev.notes = prev.notes.or(c.notes.as_deref());
            }
            _ => out.push(StepRecord {
                date: c.date,
                status,
                kind: c.kind.as_deref(),
                notes: c.notes.as_deref(),
                source: c.source,
            }),
        }
    }
    out
}

/// What the contacts say of the four meetings.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct MeetingsView {
    pub(super) list: Vec<Meeting>,
    /// The first step not done (1..=4).
    pub(super) next: Option<u32>,
    pub(super) next_text: String,
    /// The next step's last meeting went wrong (postponed, no decision, cancelled): a sentence
    /// for the attention list.
    pub(super) setback: Option<String>,
    /// Closer meetings held up to the end of P.
    pub(super) held: u32,
}

/// The four meetings from an account's contacts: a step is done when one of its meetings
/// achieved it; it shows that meeting, else its latest one. The next step is the first not
/// done; when its last meeting was a setback, the next objective is to retake it, with the
/// reason the notes give.
pub(super) fn meetings(contacts: &[(&Contact, Reading)], end: NaiveDate, lang: &Lang) -> MeetingsView {
    let mut per_step: [Vec<(&Contact, MeetingStatus)>; 4] = Default::default();
    let mut held = 0;
    for (c, r) in contacts {
        if let Some(s) = r.step {
            per_step[s].push((c, r.status));
            held += u32::from(r.is_meeting_held(c, end));
        }
    }
    let steps: Vec<Vec<StepRecord>> = per_step.into_iter().map(merge_step_records).collect();
    let shown: Vec<Option<&StepRecord>> = steps
        .iter()
        .map(|recs| recs.iter().rev().find(|r| r.status.completes_step()).or_else(|| recs.last()))
        .collect();
    let done: Vec<bool> = shown.iter().map(|r| r.is_some_and(|r| r.status.completes_step())).collect();
    let next = done.iter().position(|d| !d).map(|i| i as u32 + 1);
    let list: Vec<Meeting> = MEETINGS
        .iter()
        .enumerate()
        .map(|(i, key)| {
            let r = shown[i];
            let status = r.map_or(MeetingStatus::Pending, |r| r.status);
            Meeting {
                number: i as u32 + 1,
                key: key.to_string(),
                objective: lang.get(&format!("plan.meeting.{key}.title")).to_string(),
                guide: lang.get(&format!("plan.meeting.{key}.guide")).to_string(),
                date: r.and_then(|r| r.date),
                status: status.label(lang),
                status_key: status.key().to_string(),
                kind: r.and_then(|r| r.kind.map(String::from)),
                notes: r.and_then(|r| r.notes.map(String::from)),
                source: r.map(|r| r.source),
                records: steps[i].len() as u32,
                done: done[i],
                next: next == Some(i as u32 + 1),
            }
        })
        .collect();
    let mut setback = None;
    let next_text = match next {
        None => lang.fill("plan.meeting.complete", &[("held", held.to_string())]),
        Some(n) => {
            let m = &list[n as usize - 1];
            let r = shown[n as usize - 1];
            let args = |extra: Vec<(&'static str, String)>| {
                let mut a = vec![
                    ("number", n.to_string()),
                    ("objective", m.objective.clone()),
                    ("held", held.to_string()),
                ];
                a.extend(extra);
                a
            };
            match r {
                Some(r) if r.status.is_setback() => {
                    let why =
                        r.notes.and_then(reason).map(|w| lang.fill("plan.meeting.reason", &[("reason", w)]));
                    let date = r.date.map(|d| lang.date(d)).unwrap_or_default();
                    let status = r.status.label(lang).to_lowercase();
                    let extra = vec![("status", status), ("date", date), ("why", why.unwrap_or_default())];
                    let key =
                        if r.date.is_some() { "plan.meeting.retake" } else { "plan.meeting.retake_undated" };
                    setback = Some(lang.fill(
                        if r.date.is_some() {
                            "plan.attention.setback"
                        } else {
                            "plan.attention.setback_undated"
                        },
                        &args(extra.clone()),
                    ));
                    lang.fill(key, &args(extra))
                }
                Some(r) if r.status == MeetingStatus::Planned && r.date.is_some() => lang.fill(
                    "plan.meeting.planned",
                    &args(vec![("date", r.date.map(|d| lang.date(d)).unwrap_or_default())]),
                ),
                _ => lang.fill("plan.meeting.next", &args(Vec::new())),
            }
        }
    };
    MeetingsView { list, next, next_text, setback, held }
}

/// The reason a note gives for a setback: what follows its first colon ("Cierre aplazado:
/// quieren revisar precios" → "quieren revisar precios"), else the whole note; no final stop.
pub(super) fn reason(notes: &str) -> Option<String> {
    let text = match notes.split_once(':') {
        Some((_, after)) if !after.trim().is_empty() => after,
        _ => notes,
    };
    let t = text.trim().trim_end_matches(['.', ';', ':', ' ']).trim();
    (!t.is_empty()).then(|| t.to_string())
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::d;
    use super::super::tests::{es, plans};
    use super::*;

    fn words() -> Words {
        Words::new(&OutcomeWords::default())
    }

    fn log(date: &str, kind: &str, notes: &str) -> Contact {
        Contact {
            date: Some(d(date)),
            kind: (!kind.is_empty()).then(|| kind.to_string()),
            notes: (!notes.is_empty()).then(|| notes.to_string()),
            step: None,
            status: None,
            source: ContactSource::Log,
        }
    }

    fn view(contacts: &[Contact]) -> MeetingsView {
        let end = d("2026-10-31");
        let w = words();
        let read: Vec<(&Contact, Reading)> = contacts.iter().map(|c| (c, read_contact(c, &w, end))).collect();
        meetings(&read, end, &es())
    }

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
    fn outcome_is_read_from_type_and_notes() {
        use MeetingStatus::*;
        let end = d("2026-10-31");
        let cases: &[(&str, &str, &str, Option<usize>, MeetingStatus)] = &[
            // (date, type, notes, step, outcome)
            ("2026-09-12", "Reunión cierre", "Acuerdo anual firmado: aceite, rappel del 2 %.", Some(3), Done),
            ("2026-09-12", "Reunión cierre", "Cierre aplazado: quieren revisar precios", Some(3), Postponed),
            ("2026-09-12", "Reunión cierre", "Pospuesta a noviembre", Some(3), Postponed),
            ("2026-09-12", "Closing meeting", "Postponed: budget freeze", Some(3), Postponed),
            ("2026-09-12", "Reunión cierre", "Sin acuerdo: el precio no encaja", Some(3), NoDecision),
            ("2026-09-12", "Reunión cierre", "Rechazan la propuesta", Some(3), NoDecision),
            ("2026-09-12", "Closing meeting", "They declined our offer", Some(3), NoDecision),
            ("2026-09-12", "Reunión necesidades", "Cancelada por el cliente", Some(2), Cancelled),
            ("2026-09-12", "Needs meeting", "Called off: the chef left", Some(2), Cancelled),
            // Setback words in the type count too.
            ("2026-09-12", "Reunión cierre aplazada", "", Some(3), Postponed),
            // A step meeting dated after P is planned.
            ("2026-11-12", "Reunión cierre", "", Some(3), Planned),
            // A routine visit, delivery or call fills no step, whatever its notes.
            ("2026-09-12", "Visita", "Visita a cocina y almacén; revisado stock de aceite.", None, Done),
            ("2026-09-12", "Entrega", "Cierre aplazado hasta nuevo aviso", None, Done),
            ("2026-09-12", "Llamada cortesía", "Reunión de cierre aplazada", None, Done),
            // Notes that clearly name a meeting fill its step.
            ("2026-09-12", "Visita", "Reunión de cierre: acuerdo firmado", Some(3), Done),
            ("2026-09-12", "Visit", "Closing meeting, postponed to January", Some(3), Postponed),
            ("2026-09-12", "", "Reunión con los decisores de compras", Some(0), Done),
            // A step mentioned in passing is not a meeting of that step.
            ("2026-09-12", "Visita", "Visita a cocina; hablamos de la reunión de cierre", None, Done),
            ("2026-09-12", "Reunión", "Presentación del catálogo", None, Done),
        ];
        let w = words();
        for (date, kind, notes, step, status) in cases {
            let r = read_contact(&log(date, kind, notes), &w, end);
            assert_eq!((r.step, r.status), (*step, *status), "{kind:?} {notes:?}");
        }
    }

    #[test]
    fn the_kam_status_and_step_win_over_the_words() {
        let end = d("2026-10-31");
        let w = words();
        let mut c = log("2026-09-12", "Reunión cierre", "Cierre aplazado: revisar precios");
        c.status = Some(MeetingStatus::Done);
        c.source = ContactSource::Kam;
        assert_eq!(read_contact(&c, &w, end), Reading { step: Some(3), status: MeetingStatus::Done });
        // A visit the KAM filed under step 2.
        let mut v = log("2026-09-12", "Visita", "");
        v.step = Some(2);
        assert_eq!(read_contact(&v, &w, end).step, Some(1));
        // A step without date or status: pending.
        let mut p = log("2026-09-12", "", "");
        p.date = None;
        p.step = Some(4);
        assert_eq!(read_contact(&p, &w, end).status, MeetingStatus::Pending);
        // Configured words replace the defaults.
        let mine = Words::new(&OutcomeWords { postponed: vec!["LATER".into()], ..OutcomeWords::default() });
        let c = log("2026-09-12", "Reunión cierre", "later, after summer");
        assert_eq!(read_contact(&c, &mine, end).status, MeetingStatus::Postponed);
        let c = log("2026-09-12", "Reunión cierre", "aplazado");
        assert_eq!(read_contact(&c, &mine, end).status, MeetingStatus::Done);
    }

    #[test]
    fn steps_fill_only_from_their_own_meetings() {
        type Case<'a> = (&'a [(&'a str, &'a str, &'a str)], [&'a str; 4], Option<u32>);
        let cases: &[Case] = &[
            // Visits only: no step is done, the first is next.
            (
                &[
                    ("2026-06-01", "Visita", "Visita a cocina y almacén; revisado stock de menaje."),
                    ("2026-07-08", "Visita", "Visita a cocina y almacén; revisado stock de aceite."),
                    ("2026-09-07", "Visita", "Visita a cocina y almacén; revisado stock de café."),
                    ("2026-10-01", "Visita", "Visita a cocina y almacén; revisado stock de congelados."),
                ],
                ["pending", "pending", "pending", "pending"],
                Some(1),
            ),
            // Three done and the close postponed: the close is next, not a new cycle.
            (
                &[
                    ("2026-01-19", "Reunión decisores", "Decide Jorge Blanco (F&B); firma Nuria Pons"),
                    ("2026-03-02", "Reunión competencia", "Sin ofertas de la competencia"),
                    ("2026-04-20", "Reunión necesidades", "Reposición semanal"),
                    ("2026-09-12", "Reunión cierre", "Cierre aplazado: quieren revisar precios"),
                ],
                ["done", "done", "done", "postponed"],
                Some(4),
            ),
            // Postponed, then held and signed: done.
            (
                &[
                    ("2026-05-12", "Reunión cierre", "Cierre aplazado: revisar precios"),
                    ("2026-07-01", "Reunión cierre", "Acuerdo anual firmado"),
                ],
                ["pending", "pending", "pending", "done"],
                Some(1),
            ),
            // Done once, a later setback on the same step does not undo it.
            (
                &[
                    ("2026-02-01", "Reunión decisores", "Mapa hecho"),
                    ("2026-08-01", "Reunión decisores", "Cancelada"),
                ],
                ["done", "pending", "pending", "pending"],
                Some(2),
            ),
            // All four done: the cycle is complete.
            (
                &[
                    ("2026-01-10", "Decision makers meeting", ""),
                    ("2026-02-10", "Reunión competencia", ""),
                    ("2026-03-10", "Reunión necesidades", ""),
                    ("2026-04-10", "Closing meeting", "Signed"),
                ],
                ["done", "done", "done", "done"],
                None,
            ),
        ];
        for (log_rows, status, next) in cases {
            let v: Vec<Contact> = log_rows.iter().map(|(dt, k, n)| log(dt, k, n)).collect();
            let m = view(&v);
            let got: Vec<&str> = m.list.iter().map(|x| x.status_key.as_str()).collect();
            assert_eq!(got, status, "{log_rows:?}");
            assert_eq!(m.next, *next, "{log_rows:?}");
            assert_eq!(m.list.iter().filter(|x| x.next).count(), usize::from(next.is_some()));
            assert!(!m.next_text.is_empty() && !m.next_text.contains('{'), "{}", m.next_text);
        }
    }

    #[test]
    fn a_setback_makes_the_next_objective_retaking_the_step_with_its_reason() {
        let v = [
            log("2026-01-19", "Reunión decisores", ""),
            log("2026-03-02", "Reunión competencia", ""),
            log("2026-04-20", "Reunión necesidades", ""),
            log("2026-09-14", "Reunión cierre", "Cierre aplazado: quieren revisar precios de limpieza."),
        ];
        let m = view(&v);
        assert_eq!(m.next, Some(4));
        assert_eq!(m.held, 4);
        assert!(m.next_text.contains("Retomar"), "{}", m.next_text);
        assert!(m.next_text.contains("quieren revisar precios de limpieza"), "{}", m.next_text);
        assert!(m.next_text.contains("14/09/2026"), "{}", m.next_text);
        let s = m.setback.unwrap();
        assert!(s.contains("aplazada") && s.contains("quieren revisar precios"), "{s}");
        // Without a setback there is nothing for the attention list.
        assert_eq!(view(&v[..3]).setback, None);
    }

    #[test]
    fn a_log_meeting_and_the_kams_record_of_it_are_one_meeting() {
        let log_row = log("2026-09-14", "Reunión cierre", "Cierre aplazado: revisar precios");
        let mut kam = log("2026-09-14", "", "Firmado al final de la reunión");
        kam.step = Some(4);
        kam.status = Some(MeetingStatus::Done);
        kam.source = ContactSource::Kam;
        let m = view(&[log_row.clone(), kam]);
        let close = &m.list[3];
        assert_eq!((close.status_key.as_str(), close.records), ("done", 1));
        assert_eq!(close.source, Some(ContactSource::Kam));
        assert_eq!(close.notes.as_deref(), Some("Firmado al final de la reunión"));
        assert_eq!(close.kind.as_deref(), Some("Reunión cierre"), "the log's type is kept");
        // A KAM's planned meeting after P: the next objective says when.
        let mut planned = log("2026-11-20", "", "");
        planned.step = Some(4);
        planned.source = ContactSource::Kam;
        let m = view(&[log_row, planned]);
        assert_eq!(m.list[3].status_key, "planned");
        assert_eq!(m.held, 1, "a planned meeting is not held");
    }

    #[test]
    fn the_reason_is_what_follows_the_colon() {
        for (notes, want) in [
            ("Cierre aplazado: quieren revisar precios.", Some("quieren revisar precios")),
            ("Aplazada a petición del cliente.", Some("Aplazada a petición del cliente")),
            ("Aplazada:", Some("Aplazada")),
            ("  ", None),
        ] {
            assert_eq!(reason(notes).as_deref(), want, "{notes:?}");
        }
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
    fn the_fixture_plan_reads_its_log() {
        let p = plans();
        let c001 = &p.kams[0].accounts[0];
        // Meetings 1 and 2 done; the close was tried and postponed, but the needs meeting
        // comes first: it is next, and the postponed close is no setback yet.
        let status: Vec<&str> = c001.meetings.iter().map(|m| m.status_key.as_str()).collect();
        assert_eq!(status, ["done", "done", "pending", "postponed"]);
        assert_eq!(c001.next_meeting, Some(3));
        assert_eq!(c001.meetings[0].date, Some(d("2026-03-10")));
        assert_eq!(c001.meetings[0].status, "Hecha");
        assert_eq!(c001.setback, None);
        assert_eq!(c001.meetings_held, 3);
        // The people meeting 1 names are suggested for the map.
        let names: Vec<&str> = c001.decision_makers.iter().map(|d| d.name.as_str()).collect();
        assert_eq!(names, ["Luis Marín"]);
        // Calls are contacts; entries outside the window or after P are ignored.
        assert_eq!(c001.log.len(), 5);
        assert_eq!(c001.contacts, 5);
    }
}
