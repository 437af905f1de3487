//! Follow-up between meetings: the courtesy call, the cap on contacts a month, and the
//! customer's own request to be contacted less.

use std::collections::BTreeMap;

use super::meetings::{Reading, Words};
use super::*;

/// Months before P (and P itself) in which a cap excess or a customer's request still counts:
/// P−2..P.
pub const RECENT_MONTHS: i32 = 3;

/// The first month that is still "recent" at P.
pub(super) fn recent_from(period: Month) -> Month {
    period.add(1 - RECENT_MONTHS)
}

/// The courtesy call: due `[plan] call_every_days` after the last contact (or the last
/// purchase without one). Due on or before the end of P, it is overdue — the month is over —
/// and the next call is the first day after P: the next date is never in the past.
pub(super) fn courtesy(
    last_contact: Option<NaiveDate>,
    last_purchase: Option<NaiveDate>,
    cfg: &Config,
    end: NaiveDate,
    lang: &Lang,
) -> Courtesy {
    let every = cfg.plan.call_every_days;
    let (basis, last) = match (last_contact, last_purchase) {
        (Some(d), _) => ("log", Some(d)),
        (None, Some(d)) => ("purchase", Some(d)),
        (None, None) => ("none", None),
    };
    let due = last.and_then(|d| d.checked_add_days(chrono::Days::new(every as u64)));
    let after = end.succ_opt().unwrap_or(end);
    let overdue = due.is_none_or(|d| d <= end);
    let next_call = match due {
        Some(d) if d > end => d,
        _ => after,
    };
    let days_overdue = due.filter(|_| overdue).map(|d| (end - d).num_days());
    let args = vec![
        ("date", due.map(|d| lang.date(d)).unwrap_or_default()),
        ("last", last.map(|l| lang.date(l)).unwrap_or_default()),
        ("days", every.to_string()),
        ("late", days_overdue.unwrap_or(0).to_string()),
        ("next", lang.date(next_call)),
    ];
    let text = match (due, overdue) {
        (Some(_), false) => lang.fill(&format!("plan.feedback.due_{basis}"), &args),
        (Some(_), true) => {
            let late = days_overdue.unwrap_or(0).max(0) as u64;
            lang.fill_n(&format!("plan.feedback.overdue_{basis}"), late, &args)
        }
        (None, _) => lang.fill("plan.feedback.no_contact", &args),
    };
    let rule = lang.fill(
        "plan.feedback.rule",
        &[("days", every.to_string()), ("max", cfg.plan.max_contacts_per_month.to_string())],
    );
    Courtesy {
        every_days: every,
        basis: basis.into(),
        last_contact: last,
        next_due: due,
        next_call,
        overdue,
        days_overdue,
        text,
        rule,
    }
}

/// Recent months (P−2..P) in which an account had more than `max` contacts.
pub(super) fn cap_excess(contacts: &[NaiveDate], max: u32, period: Month, lang: &Lang) -> Vec<CapExcess> {
    let from = recent_from(period);
    let mut per: BTreeMap<Month, u32> = BTreeMap::new();
    for d in contacts {
        *per.entry(Month::of(*d)).or_default() += 1;
    }
    per.into_iter()
        .filter(|(m, n)| *n > max && *m >= from && *m <= period)
        .map(|(m, n)| CapExcess { month: m, label: lang.month(m), contacts: n })
        .collect()
}

/// The latest contact up to the end of P in which the customer asks to be contacted less
/// (`[plan.outcome_words] fewer_contacts`), with whether it is recent (P−2..P).
pub(super) fn contact_request(
    contacts: &[(&Contact, Reading)],
    words: &Words,
    period: Month,
    lang: &Lang,
) -> Option<ContactRequest> {
    let end = period.last_day();
    let (c, date) = contacts
        .iter()
        .filter_map(|(c, _)| Some((*c, c.date.filter(|d| *d <= end)?)))
        .filter(|(c, _)| {
            let text = format!("{} {}", c.kind.as_deref().unwrap_or(""), c.notes.as_deref().unwrap_or(""));
            words.asks_fewer_contacts(&text)
        })
        .max_by_key(|(_, d)| *d)?;
    let notes = c.notes.clone().or_else(|| c.kind.clone()).unwrap_or_default();
    Some(ContactRequest {
        date,
        text: lang.fill("plan.feedback.request", &[("date", lang.date(date)), ("notes", notes.clone())]),
        notes,
        recent: Month::of(date) >= recent_from(period),
    })
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::d;
    use super::super::tests::{es, plans};
    use super::*;
    use crate::config::{Config, OutcomeWords};

    #[test]
    fn courtesy_call_due_and_overdue_at_the_boundary_never_in_the_past() {
        let lang = es();
        let cfg = Config::default(); // every 30 days
        let end = d("2026-10-31");
        let cases = [
            // (last contact, last purchase, due, overdue, next call, basis)
            (Some("2026-10-02"), None, Some("2026-11-01"), false, "2026-11-01", "log"),
            (Some("2026-10-01"), None, Some("2026-10-31"), true, "2026-11-01", "log"),
            (Some("2026-09-15"), None, Some("2026-10-15"), true, "2026-11-01", "log"),
            (Some("2026-10-20"), Some("2026-01-01"), Some("2026-11-19"), false, "2026-11-19", "log"),
            (None, Some("2026-10-05"), Some("2026-11-04"), false, "2026-11-04", "purchase"),
            (None, Some("2026-06-01"), Some("2026-07-01"), true, "2026-11-01", "purchase"),
            (None, None, None, true, "2026-11-01", "none"),
        ];
        for (log, buy, due, overdue, next, basis) in cases {
            let c = courtesy(log.map(d), buy.map(d), &cfg, end, &lang);
            assert_eq!(c.next_due, due.map(d), "{log:?} {buy:?}");
            assert_eq!(c.overdue, overdue, "{log:?} {buy:?}");
            assert_eq!(c.next_call, d(next), "{log:?} {buy:?}");
            assert!(c.next_call > end, "the next call is never in the past");
            assert_eq!(c.basis, basis);
            assert!(!c.text.is_empty() && !c.text.contains('{'), "{}", c.text);
        }
        let late = courtesy(None, Some(d("2026-06-01")), &cfg, end, &lang);
        assert_eq!(late.days_overdue, Some(122));
        assert!(late.text.contains("vencida desde el 01/07/2026"), "{}", late.text);
        assert!(late.text.contains("01/11/2026"), "{}", late.text);
    }

    #[test]
    fn contact_cap_warns_only_above_the_limit_and_while_recent() {
        let lang = es();
        let p: Month = "2026-10".parse().unwrap();
        let days = |month: &str, n: u32| -> Vec<NaiveDate> {
            (1..=n).map(|i| d(&format!("{month}-{i:02}"))).collect()
        };
        for (month, n, warn) in [
            ("2026-10", 3, false),
            ("2026-10", 4, false),
            ("2026-10", 5, true),
            ("2026-08", 5, true),  // P−2: still recent
            ("2026-07", 9, false), // P−3: old news
        ] {
            let got = cap_excess(&days(month, n), 4, p, &lang);
            assert_eq!(!got.is_empty(), warn, "{n} contacts in {month}");
            if warn {
                assert_eq!(got[0].label, lang.month(month.parse().unwrap()));
            }
        }
        let p = plans();
        let ana = &p.kams[0];
        let c002 = ana.accounts.iter().find(|a| a.id == "C002").unwrap();
        assert_eq!(c002.cap_excess.len(), 1);
        assert_eq!(c002.cap_excess[0].contacts, 5);
        assert!(ana.warnings.iter().any(|w| w.contains("5 contactos en oct 2026")), "{:?}", ana.warnings);
    }

    #[test]
    fn the_customers_request_for_fewer_calls_is_found_and_dated() {
        let lang = es();
        let words = Words::new(&OutcomeWords::default());
        let p: Month = "2026-10".parse().unwrap();
        let c = |date: &str, notes: &str| Contact {
            date: Some(d(date)),
            kind: Some("Llamada cortesía".into()),
            notes: Some(notes.into()),
            step: None,
            status: None,
            source: ContactSource::Log,
        };
        let read = Reading { step: None, status: MeetingStatus::Done };
        for (notes, asks) in [
            ("Nueva llamada para insistir; pide que no le llamemos tanto.", true),
            ("The buyer said: don't call so often", true),
            ("Please stop calling before 10am", true),
            ("Seguimiento: todo correcto con las entregas.", false),
            ("Llamar la semana que viene", false),
        ] {
            let v = [c("2026-09-22", notes)];
            let refs: Vec<(&Contact, Reading)> = v.iter().map(|x| (x, read)).collect();
            assert_eq!(contact_request(&refs, &words, p, &lang).is_some(), asks, "{notes}");
        }
        // The latest request wins; an old one is not recent.
        let v = [c("2026-02-01", "no le llamemos tanto"), c("2026-05-01", "dejen de llamar")];
        let refs: Vec<(&Contact, Reading)> = v.iter().map(|x| (x, read)).collect();
        let r = contact_request(&refs, &words, p, &lang).unwrap();
        assert_eq!((r.date, r.recent), (d("2026-05-01"), false));
        assert!(r.text.contains("01/05/2026") && r.text.contains("dejen de llamar"), "{}", r.text);
    }
}
