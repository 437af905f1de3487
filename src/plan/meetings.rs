//! The closer's meeting method: the four meetings and what the activity log says of them,
//! courtesy calls, and the cap on contacts a month.

use super::*;

/// The four meetings, in order: (key, …) — labels are `plan.meeting.<key>.title|guide`.
pub(super) const MEETINGS: [&str; 4] = ["decision_makers", "competition", "needs", "close"];

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
