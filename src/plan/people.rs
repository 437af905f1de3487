//! Decision makers suggested from the notes of decision-maker meetings ("Decide Jorge Blanco
//! (F&B); firma Nuria Pons") for the KAM to confirm. The KAM's own map, carried from a returned
//! plan, is added beside these by the caller.

use super::meetings::Reading;
use super::*;

/// Words that, in a clause, make the people it names deciders (influence high) or influencers
/// (medium). Collated (lowercase, no accents); matched at the start of words.
const DECIDE_WORDS: &[&str] = &["decide", "firma", "aprueba", "sign", "approv", "autoriza", "authori"];
const INFLUENCE_WORDS: &[&str] = &["influye", "influenc", "recomienda", "recommend", "prescrib", "asesora"];

/// Capitalised words that open a clause without being part of a name.
const LEAD_WORDS: &[&str] = &[
    "decide",
    "decides",
    "firma",
    "firman",
    "signs",
    "aprueba",
    "approves",
    "influye",
    "influences",
    "recomienda",
    "recommends",
    "contacto",
    "contact",
    "reunion",
    "meeting",
    "con",
    "with",
    "el",
    "la",
    "los",
    "las",
    "the",
    "y",
    "and",
    "director",
    "directora",
    "jefe",
    "jefa",
    "sr",
    "sra",
    "mr",
    "mrs",
    "ms",
    "don",
    "dona",
    "met",
    "spoke",
    "visited",
    "called",
    "we",
    "our",
    "nos",
    "conocido",
    "conocida",
    "conocimos",
    "hablamos",
    "hablado",
    "nuevo",
    "nueva",
    "new",
];

/// Small words inside names ("María de la Fuente").
const PARTICLES: &[&str] = &["de", "del", "la", "las", "los", "y", "van", "von", "da", "di", "du"];

/// A name word: starts with a capital and has a lowercase letter ("Blanco", "O'Neill"), so
/// acronyms like "F&B" or "IT" are not names.
fn is_name_word(w: &str) -> bool {
    let mut chars = w.chars();
    chars.next().is_some_and(char::is_uppercase)
        && w.chars().any(char::is_lowercase)
        && w.chars().all(|c| c.is_alphabetic() || c == '\'' || c == '’' || c == '-')
}

/// People named in one note: runs of at least two capitalised words (particles allowed inside),
/// with the words in parentheses right after as their role and the clause's verb as their
/// influence. Names are kept as written.
pub(super) fn people_in(notes: &str) -> Vec<(String, Option<String>, Option<&'static str>)> {
    let mut out: Vec<(String, Option<String>, Option<&'static str>)> = Vec::new();
    for clause in notes.split([';', '.', '\n', '|']) {
        let collated = crate::classify::collate(clause);
        let starts = |list: &[&str]| {
            collated.split(|c: char| !c.is_alphanumeric()).any(|w| list.iter().any(|x| w.starts_with(x)))
        };
        let influence = if starts(DECIDE_WORDS) {
            Some("high")
        } else if starts(INFLUENCE_WORDS) {
            Some("medium")
        } else {
            None
        };
        let tokens: Vec<&str> = clause.split_whitespace().collect();
        let clean = |raw: &str| raw.trim_end_matches([',', ':', ')']).to_string();
        let ends = |raw: &str| raw.ends_with([',', ':', ')']);
        // A particle belongs to a name only when a name word follows it ("de la Fuente").
        let name_after = |k: usize| {
            tokens[k..]
                .iter()
                .map(|t| clean(t))
                .find(|w| !PARTICLES.contains(&w.as_str()))
                .is_some_and(|w| is_name_word(&w))
        };
        let mut i = 0;
        while i < tokens.len() {
            let first = clean(tokens[i]);
            if !is_name_word(&first) || LEAD_WORDS.contains(&crate::classify::collate(&first).as_str()) {
                i += 1;
                continue;
            }
            let mut run = vec![first];
            let mut j = i + 1;
            let mut ended = ends(tokens[i]);
            while !ended && j < tokens.len() && !tokens[j].starts_with('(') {
                let word = clean(tokens[j]);
                let fits = is_name_word(&word) || (PARTICLES.contains(&word.as_str()) && name_after(j + 1));
                if !fits {
                    break;
                }
                ended = ends(tokens[j]);
                run.push(word);
                j += 1;
            }
            if run.iter().filter(|w| !PARTICLES.contains(&w.as_str())).count() >= 2 {
                let role = tokens.get(j).filter(|t| t.starts_with('(') && !ended).map(|_| {
                    let rest = tokens[j..].join(" ");
                    rest.trim_start_matches('(').split(')').next().unwrap_or("").trim().to_string()
                });
                let name = run.join(" ");
                if !out.iter().any(|(n, _, _)| crate::classify::collate(n) == crate::classify::collate(&name))
                {
                    out.push((name, role.filter(|r| !r.is_empty()), influence));
                }
            }
            i = j.max(i + 1);
        }
    }
    out
}

/// The decision makers the log suggests: the people named in the notes of the account's
/// decision-maker meetings (step 1), oldest mention first, one row per person.
pub(super) fn suggested(records: &[(&Contact, Reading)], lang: &Lang) -> Vec<DecisionMaker> {
    let mut out: Vec<DecisionMaker> = Vec::new();
    let mut dated: Vec<&(&Contact, Reading)> = records.iter().filter(|(_, r)| r.step == Some(0)).collect();
    dated.sort_by_key(|(c, _)| (c.date.is_none(), c.date));
    for (c, _) in dated {
        let Some(notes) = c.notes.as_deref() else { continue };
        for (name, role, influence) in people_in(notes) {
            if out.iter().any(|d| crate::classify::collate(&d.name) == crate::classify::collate(&name)) {
                continue;
            }
            let notes = match c.date {
                Some(d) => lang.fill("plan.dm.suggested", &[("date", lang.date(d))]),
                None => lang.get("plan.dm.suggested_undated").to_string(),
            };
            out.push(DecisionMaker {
                name,
                role,
                influence: influence.map(|k| lang.get(&format!("plan.dm.influence.{k}")).to_string()),
                stance: None,
                notes: Some(notes),
                source: ContactSource::Log,
                confirmed: false,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(notes: &str) -> Vec<(String, Option<String>, Option<&'static str>)> {
        people_in(notes)
    }

    #[test]
    fn people_and_roles_are_read_from_notes() {
        let s = |x: &str| Some(x.to_string());
        type Want<'a> = &'a [(&'a str, Option<String>, Option<&'static str>)];
        let cases: &[(&str, Want)] = &[
            (
                "Decide Jorge Blanco (F&B); firma Nuria Pons",
                &[("Jorge Blanco", s("F&B"), Some("high")), ("Nuria Pons", None, Some("high"))],
            ),
            (
                "Decide las compras Ana Ruiz (cocina); firma Andrés Vega (compras). Pedir cita con ambos.",
                &[("Ana Ruiz", s("cocina"), Some("high")), ("Andrés Vega", s("compras"), Some("high"))],
            ),
            (
                "Influye María de la Fuente (chef ejecutiva), muy favorable",
                &[("María de la Fuente", s("chef ejecutiva"), Some("medium"))],
            ),
            (
                "Met Sarah O'Neill and Tom Baker from procurement",
                &[("Sarah O'Neill", None, None), ("Tom Baker", None, None)],
            ),
            // Nobody named: single capitalised words and acronyms are not people.
            ("Pedir cita con ambos. Revisar IT y F&B", &[]),
            ("Sin ofertas de la competencia por ahora", &[]),
        ];
        for (notes, want) in cases {
            let got = names(notes);
            let want: Vec<(String, Option<String>, Option<&'static str>)> =
                want.iter().map(|(n, r, i)| (n.to_string(), r.clone(), *i)).collect();
            assert_eq!(got, want, "{notes}");
        }
    }

    #[test]
    fn suggestions_come_only_from_decision_maker_meetings_once_per_person() {
        let lang = Lang::load("es", "€", None).unwrap();
        let c = |date: &str, kind: &str, notes: &str| Contact {
            date: Some(super::super::fixtures::d(date)),
            kind: Some(kind.into()),
            notes: Some(notes.into()),
            step: None,
            status: None,
            source: ContactSource::Log,
        };
        let rows = [
            c("2026-03-01", "Reunión decisores", "Decide Jorge Blanco (F&B); firma Nuria Pons"),
            c("2026-01-19", "Reunión decisores", "Decide Jorge Blanco (compras)"),
            c("2026-02-01", "Reunión competencia", "Oferta de Grupo Distrihost"),
        ];
        let words = super::super::meetings::Words::new(&crate::config::OutcomeWords::default());
        let end = super::super::fixtures::d("2026-10-31");
        let read: Vec<(&Contact, Reading)> =
            rows.iter().map(|x| (x, super::super::meetings::read_contact(x, &words, end))).collect();
        let dm = suggested(&read, &lang);
        let got: Vec<(&str, Option<&str>)> =
            dm.iter().map(|d| (d.name.as_str(), d.role.as_deref())).collect();
        assert_eq!(got, [("Jorge Blanco", Some("compras")), ("Nuria Pons", None)]);
        assert_eq!(dm[0].influence.as_deref(), Some("Alta"));
        assert!(dm[0].notes.as_deref().unwrap().contains("19/01/2026"), "{:?}", dm[0].notes);
        assert!(dm.iter().all(|d| !d.confirmed && d.source == ContactSource::Log));
    }
}
