//! Reading an area's cells into the KAM's entries: dates (typed, serials or text), statuses
//! in any of the plan's languages, amounts, step numbers; what cannot be used is kept as typed
//! and reported through the caller's warning.

use calamine::{Data, Range};
use chrono::NaiveDate;

use super::locate::AreaSpan;
use super::{AreaContent, ReadOptions};
use crate::carry::ident::Area;
use crate::carry::{ContactEntry, DecisionMaker, MeetingEntry, Strategy};
use crate::ingest::{parse_text_date, parse_text_number, TextNum};
use crate::plan::{MeetingStatus, StatusNames};

/// Reads typed cells of one sheet.
pub(super) struct CellReader<'a> {
    pub(super) grid: &'a Range<Data>,
    pub(super) opts: &'a ReadOptions<'a>,
    pub(super) decimal: char,
    /// The status names of `opts.langs`, collated once for the whole workbook.
    pub(super) statuses: &'a StatusNames,
}

/// A cell read for its purpose: empty, a usable value, or text that is not usable.
pub(super) enum Got<T> {
    Empty,
    Ok(T),
    Bad(String),
}

impl CellReader<'_> {
    fn data(&self, r: u32, c: Option<u32>) -> Option<&Data> {
        c.and_then(|c| self.grid.get_value((r, c)))
    }

    fn text(&self, r: u32, c: Option<u32>) -> Option<String> {
        self.data(r, c).and_then(text_of)
    }

    fn date(&self, r: u32, c: Option<u32>) -> Got<NaiveDate> {
        let Some(d) = self.data(r, c) else { return Got::Empty };
        match d {
            Data::Empty => Got::Empty,
            Data::DateTime(dt) => {
                dt.as_datetime().map(|t| Got::Ok(t.date())).unwrap_or(Got::Bad(d.to_string()))
            }
            Data::DateTimeIso(s) => NaiveDate::parse_from_str(s.get(..10).unwrap_or(s), "%Y-%m-%d")
                .map(Got::Ok)
                .unwrap_or(Got::Bad(s.clone())),
            // A date whose format was rewritten: an Excel serial (1900 system).
            Data::Float(_) | Data::Int(_) => {
                let n = match d {
                    Data::Float(f) => *f,
                    Data::Int(i) => *i as f64,
                    _ => f64::NAN,
                };
                serial_date(n).map(Got::Ok).unwrap_or(Got::Bad(text_of(d).unwrap_or_default()))
            }
            Data::String(s) if s.trim().is_empty() => Got::Empty,
            Data::String(s) => parse_text_date(s, self.opts.date_order)
                .map(Got::Ok)
                .unwrap_or(Got::Bad(s.trim().to_string())),
            other => Got::Bad(text_of(other).unwrap_or_default()),
        }
    }

    fn status(&self, r: u32, c: Option<u32>) -> Got<MeetingStatus> {
        match self.text(r, c) {
            None => Got::Empty,
            Some(t) => self.statuses.find(&t).map(Got::Ok).unwrap_or(Got::Bad(t)),
        }
    }

    fn amount(&self, r: u32, c: Option<u32>) -> Got<f64> {
        let Some(d) = self.data(r, c) else { return Got::Empty };
        match d {
            Data::Empty => Got::Empty,
            Data::Float(f) if f.is_finite() => Got::Ok(*f),
            Data::Int(i) => Got::Ok(*i as f64),
            Data::String(s) if s.trim().is_empty() => Got::Empty,
            Data::String(s) => match parse_text_number(s) {
                TextNum::Value(v, _) if v.is_finite() => Got::Ok(v),
                TextNum::Ambiguous { comma, dot } => Got::Ok(if self.decimal == '.' { dot } else { comma }),
                // Two signs (`(-5)`) or not a finite number: never guessed.
                TextNum::Value(..) | TextNum::SignConflict | TextNum::Invalid => {
                    Got::Bad(s.trim().to_string())
                }
            },
            other => Got::Bad(text_of(other).unwrap_or_default()),
        }
    }

    /// A whole number 1..=n as typed in a number cell (`1`, `1.0`, `"2"`).
    fn small_int(&self, r: u32, c: Option<u32>, max: u32) -> Option<u32> {
        let d = self.data(r, c)?;
        let n = match d {
            Data::Float(f) => *f,
            Data::Int(i) => *i as f64,
            Data::String(s) => s.trim().trim_end_matches('.').parse::<f64>().ok()?,
            _ => return None,
        };
        (n.fract() == 0.0 && n >= 1.0 && n <= max as f64).then_some(n as u32)
    }
}

/// An Excel serial day number (1900 system) as a date, within Excel's range.
fn serial_date(n: f64) -> Option<NaiveDate> {
    if !(1.0..2_958_466.0).contains(&n) {
        return None;
    }
    NaiveDate::from_ymd_opt(1899, 12, 30)?.checked_add_days(chrono::Days::new(n.floor() as u64))
}

/// A cell's text as a person reads it; `None` for an empty or blank cell.
pub(crate) fn text_of(d: &Data) -> Option<String> {
    let t = match d {
        Data::Empty => return None,
        Data::String(s) => s.trim().to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::DateTime(dt) => match dt.as_datetime() {
            Some(t) if t.time() == chrono::NaiveTime::MIN => t.date().to_string(),
            Some(t) => t.to_string(),
            None => d.to_string(),
        },
        other => other.to_string(),
    };
    (!t.is_empty()).then_some(t)
}

/// Reads the rows of one area; returns its entries and the last row read.
pub(super) fn read_area(
    cr: &CellReader,
    area: Area,
    span: &AreaSpan,
    warn: &mut dyn FnMut(u32, u32, String, &str),
) -> (AreaContent, u32) {
    let mut last = span.header;
    let date = |r: u32,
                key: &str,
                warn: &mut dyn FnMut(u32, u32, String, &str)|
     -> (Option<NaiveDate>, Option<String>) {
        match cr.date(r, span.col(key)) {
            Got::Empty => (None, None),
            Got::Ok(d) => (Some(d), None),
            Got::Bad(t) => {
                warn(r, span.col(key).unwrap_or(0), t.clone(), "is not a date");
                (None, Some(t))
            }
        }
    };
    match area {
        Area::Meetings | Area::History => {
            let mut rows = Vec::new();
            for r in span.rows(cr.grid) {
                last = r;
                let number = span.col("number");
                let step = cr.small_int(r, number, 4);
                let (date, date_text) = date(r, "date", warn);
                let (status, status_text) = match cr.status(r, span.col("status")) {
                    Got::Empty => (None, None),
                    Got::Ok(s) => (Some(s), None),
                    Got::Bad(t) => {
                        warn(
                            r,
                            span.col("status").unwrap_or(0),
                            t.clone(),
                            "is not a meeting status of the list",
                        );
                        (None, Some(t))
                    }
                };
                let e = MeetingEntry {
                    step,
                    number_text: if step.is_none() { cr.text(r, number) } else { None },
                    // The four steps' objectives are kamplan's; a row the KAM added keeps its own.
                    objective: if step.is_none() || area == Area::History {
                        cr.text(r, span.col("objective"))
                    } else {
                        None
                    },
                    date,
                    date_text,
                    status,
                    status_text,
                    notes: cr.text(r, span.col("notes")),
                    cycle: if area == Area::History {
                        cr.small_int(r, span.col("cycle"), 9999)
                    } else {
                        None
                    },
                };
                if e.has_content() || (area == Area::History && e.step.is_some()) {
                    rows.push(e);
                }
            }
            let content =
                if area == Area::Meetings { AreaContent::Meetings(rows) } else { AreaContent::History(rows) };
            (content, last)
        }
        Area::Contacts => {
            let mut rows = Vec::new();
            for r in span.rows(cr.grid) {
                last = r;
                let (date, date_text) = date(r, "date", warn);
                let e = ContactEntry {
                    date,
                    date_text,
                    kind: cr.text(r, span.col("kind")),
                    notes: cr.text(r, span.col("notes")),
                };
                if e != ContactEntry::default() {
                    rows.push(e);
                }
            }
            (AreaContent::Contacts(rows), last)
        }
        Area::DecisionMakers => {
            let mut rows = Vec::new();
            for r in span.rows(cr.grid) {
                last = r;
                let t = |k: &str| cr.text(r, span.col(k));
                let e = DecisionMaker {
                    name: t("name"),
                    role: t("role"),
                    influence: t("influence"),
                    stance: t("stance"),
                    notes: t("notes"),
                };
                if e != DecisionMaker::default() {
                    rows.push(e);
                }
            }
            (AreaContent::DecisionMakers(rows), last)
        }
        Area::Strategy => {
            let mut s = Strategy::default();
            let join = |a: &mut Option<String>, b: Option<String>| {
                if let Some(b) = b {
                    *a = Some(match a.take() {
                        Some(x) => format!("{x}\n{b}"),
                        None => b,
                    });
                }
            };
            for r in span.rows(cr.grid) {
                last = r;
                join(&mut s.objective, cr.text(r, span.col("objective")));
                join(&mut s.next_steps, cr.text(r, span.col("next_steps")));
                let c = span.col("agreed_target");
                match cr.amount(r, c) {
                    Got::Empty => {}
                    Got::Ok(v) if s.agreed_target.is_none() && s.agreed_target_text.is_none() => {
                        s.agreed_target = Some(v)
                    }
                    Got::Ok(v) => {
                        warn(r, c.unwrap_or(0), v.to_string(), "is a second agreed target; the first is used")
                    }
                    Got::Bad(t) => {
                        warn(r, c.unwrap_or(0), t.clone(), "is not an amount");
                        if s.agreed_target.is_none() && s.agreed_target_text.is_none() {
                            s.agreed_target_text = Some(t);
                        }
                    }
                }
            }
            (AreaContent::Strategy(s), last)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serials_and_texts_are_dates() {
        assert_eq!(serial_date(46_000.0), NaiveDate::from_ymd_opt(2025, 12, 9));
        assert_eq!(serial_date(0.0), None);
        assert_eq!(text_of(&Data::Float(3.0)).as_deref(), Some("3"));
        assert_eq!(text_of(&Data::Float(3.5)).as_deref(), Some("3.5"));
        assert_eq!(text_of(&Data::String("  ".into())), None);
    }
}
