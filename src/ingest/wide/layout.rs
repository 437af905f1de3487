//! The layout of a monthly sheet from its header row: month, quarter, total and year columns,
//! what each group of months holds and which year month names alone belong to.

use std::collections::{BTreeSet, HashMap, HashSet};

use super::super::super::months::{self, Block, HeaderCell, Hint, MonthRef, Year};
use super::super::super::Role;
use super::super::RowBuf;
use super::{Column, Detect, Titles, Use, WideReport, WideSheet};
use crate::config::Config;
use crate::ingest::cells::{a1, col_letters, Val};
use crate::ingest::header::{self, Col, Mapping};
use crate::period::Month;

/// How month names of one group take their year, left to right.
#[derive(Debug, Default)]
struct GroupYears {
    prev: u32,
    seen: HashSet<u32>,
    /// The span's source when the group's year is a span (2025/26).
    span: Option<String>,
    wrapped: bool,
}

/// The first few cells of a list, as `D3 "Enero", E3 "Febrero", …`.
fn some_cells(r: u32, cells: &[(u32, String)]) -> String {
    let mut s: Vec<String> = cells.iter().take(3).map(|(c, t)| format!("{} {t:?}", a1(r, *c))).collect();
    if cells.len() > 3 {
        s.push("…".into());
    }
    s.join(", ")
}

/// Reads a header row as a monthly book's, when it is one. `texts` are the row's text cells,
/// `titles` the rows above it, `name` what names the sheet: `("sheet name", "2026")`, or
/// `("file name", "ventas_2026")` for a text file.
pub fn detect(
    r: u32,
    buf: &RowBuf,
    texts: &[(u32, String)],
    titles: &Titles,
    name: (&str, &str),
    cfg: &Config,
) -> Detect {
    let (what, sheet) = name;
    // (column, header as shown, what it names, a date cell)
    let heads: Vec<(u32, String, HeaderCell, bool)> = buf
        .iter()
        .filter_map(|(c, v)| {
            let h = months::header_cell(&v)?;
            let (shown, date) = match v {
                Val::Date(d) => (d.date().to_string(), true),
                other => (other.raw().trim().to_string(), false),
            };
            Some((c, shown, h, date))
        })
        .collect();
    let is_month = |h: &HeaderCell| matches!(h, HeaderCell::Month { .. });
    let Some(first) = heads.iter().filter(|h| is_month(&h.2)).map(|h| h.0).min() else {
        return Detect::Not;
    };
    if heads.iter().filter(|h| is_month(&h.2)).count() < 3 {
        return Detect::Not;
    }
    // A year column (`Año`) gives month names their year row by row.
    let year_col = texts
        .iter()
        .find(|(_, t)| {
            matches!(
                header::normalize(t).as_str(),
                "ano" | "anio" | "year" | "ejercicio" | "ano fiscal" | "fiscal year"
            )
        })
        .map(|(c, t)| (*c, t.clone()));
    let rest: Vec<(u32, String)> = texts
        .iter()
        .filter(|(c, _)| !heads.iter().any(|h| h.0 == *c) && year_col.as_ref().is_none_or(|y| y.0 != *c))
        .cloned()
        .collect();
    let has_customer = |m: &Mapping| m.has(Col::CustomerId) || m.has(Col::CustomerName);
    let (mut mapping, _) = header::assign(&rest, Role::MonthlySales, &cfg.columns);
    let mut header_texts = texts.to_vec();
    if !has_customer(&mapping) {
        // A two-row header: `Cliente` above, the months below it and to its right.
        let above: Vec<(u32, String)> = titles
            .rows
            .iter()
            .find(|(row, _)| row + 1 == r)
            .map(|(_, cells)| {
                cells.iter().filter(|(c, _)| *c < first && !rest.iter().any(|x| x.0 == *c)).cloned().collect()
            })
            .unwrap_or_default();
        let mut both = rest.clone();
        both.extend(above.iter().cloned());
        both.sort();
        let (m, _) = header::assign(&both, Role::MonthlySales, &cfg.columns);
        if !has_customer(&m) {
            return Detect::Not;
        }
        mapping = m;
        header_texts.extend(above);
        header_texts.sort();
    }

    // Headings over month groups (the row just above, from the first month column on), then
    // titles (everything else above), then the sheet name.
    let heading: Vec<(u32, String, Hint)> = titles
        .rows
        .iter()
        .find(|(row, _)| row + 1 == r)
        .map(|(_, cells)| {
            cells.iter().filter(|(c, _)| *c >= first).map(|(c, t)| (*c, t.clone(), months::hint(t))).collect()
        })
        .unwrap_or_default();
    let is_heading = |row: u32, c: u32| row + 1 == r && c >= first;
    let mut title_block = None;
    let mut title_year: Option<(Year, String)> = None;
    for (row, cells) in titles.rows.iter().rev() {
        for (c, t) in cells.iter().filter(|(c, _)| !is_heading(*row, *c)) {
            let h = months::hint(t);
            if title_block.is_none() && matches!(h.block, Some(Block::Margin | Block::Cost | Block::Sales)) {
                title_block = h.block;
            }
            if title_year.is_none() && matches!(h.year, Year::One(_) | Year::Span(_)) {
                title_year = Some((h.year, format!("the title {} {t:?}", a1(*row, *c))));
            }
        }
    }
    let sheet_hint = months::hint(sheet);
    let default_block = sheet_hint.block.or(title_block).unwrap_or(Block::Sales);
    let group = |c: u32| heading.iter().rposition(|h| h.0 <= c);
    let base_year = |g: Option<usize>| -> Option<(Year, String)> {
        if let Some(h) = g.map(|g| &heading[g]) {
            if matches!(h.2.year, Year::One(_) | Year::Span(_)) {
                return Some((h.2.year, format!("the heading {} {:?}", a1(r - 1, h.0), h.1)));
            }
        }
        if matches!(sheet_hint.year, Year::One(_) | Year::Span(_)) {
            return Some((sheet_hint.year, format!("the {what} {sheet:?}")));
        }
        if let Some(t) = &title_year {
            return Some(t.clone());
        }
        cfg.ingest.year.map(|y| (Year::One(y), "[ingest] year in the config".to_string()))
    };

    // Months, their blocks and years, left to right.
    let mut cols: Vec<Column> = Vec::new();
    let mut missing: Vec<(u32, String)> = Vec::new();
    let mut year_from: BTreeSet<String> = BTreeSet::new();
    let mut groups: HashMap<(Option<usize>, Block), GroupYears> = HashMap::new();
    let mut seen: HashMap<(Month, Block), u32> = HashMap::new();
    let mut last_date: Option<(u32, Month, Block)> = None;
    let mut totals: Vec<(usize, Option<i32>, Block)> = Vec::new();
    let mut ignored: Vec<String> = Vec::new();
    let block_at = |c: u32, own: Option<Block>| {
        own.or_else(|| group(c).and_then(|g| heading[g].2.block)).unwrap_or(default_block)
    };
    for (c, shown, h, date) in &heads {
        let (c, shown) = (*c, shown.clone());
        match *h {
            HeaderCell::Month { month, block } => {
                let block = block_at(c, block);
                let month = match month {
                    MonthRef::Full(m) => m,
                    MonthRef::Name(n) if year_col.is_some() => Month { year: 0, month: n },
                    MonthRef::Name(n) => {
                        let Some((year, from)) = base_year(group(c)) else {
                            missing.push((c, shown));
                            continue;
                        };
                        let st = groups.entry((group(c), block)).or_default();
                        let wraps = st.prev > n && !st.seen.contains(&n);
                        st.prev = n;
                        st.seen.insert(n);
                        let y = match year {
                            Year::Span(y) => {
                                st.span = Some(from.clone());
                                st.wrapped |= wraps;
                                y + st.wrapped as i32
                            }
                            Year::One(y) if wraps => {
                                return Detect::Refused {
                                    message: format!(
                                        "the month names wrap from December to January at {} {shown:?} under one \
                                         year ({y}, from {from}): write the years in the headers (jul-25 … jun-26)",
                                        a1(r, c)
                                    ),
                                    warn: true,
                                };
                            }
                            Year::One(y) => y,
                            _ => unreachable!("base_year gives one year or a span"),
                        };
                        year_from.insert(from);
                        Month { year: y, month: n }
                    }
                };
                // Two date cells of one month side by side: weekly or daily columns, no monthly book.
                if *date {
                    if last_date.is_some_and(|(lc, lm, lb)| lc + 1 == c && lm == month && lb == block) {
                        return Detect::Not;
                    }
                    last_date = Some((c, month, block));
                }
                let header = shown;
                if block == Block::Other {
                    ignored.push(format!(
                        "{} ({header}): month column holding no sales, margin or cost (units, budget, last year or a \
                         rate)",
                        col_letters(c)
                    ));
                    cols.push(Column { col: c, header, what: Use::Ignored });
                } else if let Some(prev) = seen.get(&(month, block)) {
                    ignored.push(format!(
                        "{} ({header}): repeats the month of {} with no heading saying what it holds",
                        col_letters(c),
                        col_letters(*prev)
                    ));
                    cols.push(Column { col: c, header, what: Use::Ignored });
                } else {
                    seen.insert((month, block), c);
                    cols.push(Column { col: c, header, what: Use::Month(month, block) });
                }
            }
            HeaderCell::Quarter { .. } => {
                ignored.push(format!("{} ({shown}): quarter, not read (its months are)", col_letters(c)));
                cols.push(Column { col: c, header: shown, what: Use::Ignored });
            }
            HeaderCell::Total { year, block } => {
                totals.push((cols.len(), year, block_at(c, block)));
                cols.push(Column { col: c, header: shown, what: Use::Ignored });
            }
        }
    }
    // A span (2025/26) whose month names never wrap does not say which year they are in.
    if let Some(from) = groups.values().find(|g| !g.wrapped).and_then(|g| g.span.clone()) {
        return Detect::Refused {
            message: format!(
                "the month names under two years ({from}) never wrap from December to January, so their year is \
                 unclear: write the years in the headers (ene-26)"
            ),
            warn: true,
        };
    }
    if !missing.is_empty() {
        missing.sort();
        missing.dedup();
        return Detect::Refused {
            message: format!(
                "monthly sales with month names but no year ({}): write the year in the sheet name (2026) or in a \
                 title above the header (Ventas 2026), or set `year = 2026` under [ingest] in kamplan.toml",
                some_cells(r, &missing)
            ),
            warn: true,
        };
    }
    // Each total sums the months of its block since the previous total (or, for a total
    // before its months, up to the next one); a total naming a year sums that year's months.
    let mut described_totals = Vec::new();
    for (k, &(i, year, block)) in totals.iter().enumerate() {
        let prev = totals[..k].iter().rev().find(|t| t.2 == block).map(|t| t.0);
        let next = totals[k + 1..].iter().find(|t| t.2 == block).map(|t| t.0);
        let of_block = |j: &usize| matches!(cols[*j].what, Use::Month(m, b) if b == block && year.is_none_or(|y| m.year == y));
        let mut covered: Vec<usize> = if year.is_some() {
            (0..cols.len()).filter(of_block).collect()
        } else {
            (prev.map_or(0, |p| p + 1)..i).filter(of_block).collect()
        };
        if covered.is_empty() {
            covered = (i + 1..next.unwrap_or(cols.len())).filter(of_block).collect();
        }
        let c = &cols[i];
        if block == Block::Other || covered.is_empty() {
            ignored.push(format!(
                "{} ({}): total of nothing kamplan reads, not checked",
                col_letters(c.col),
                c.header
            ));
            continue;
        }
        let (a, b) = (cols[covered[0]].col, cols[covered[covered.len() - 1]].col);
        described_totals.push(format!(
            "{} ({}) = {}…{}: checked against its {} months, never read",
            col_letters(c.col),
            c.header,
            col_letters(a),
            col_letters(b),
            covered.len()
        ));
        cols[i].what = Use::Total(covered);
    }
    if let Some((c, t)) = &year_col {
        if cols.iter().any(|x| matches!(x.what, Use::Month(m, _) if m.year == 0)) {
            year_from.insert(format!("column {} ({t}) of each row", col_letters(*c)));
            cols.push(Column { col: *c, header: t.clone(), what: Use::Year });
        }
    }
    let list = |want: Block| -> Vec<String> {
        cols.iter()
            .filter_map(|c| match c.what {
                Use::Month(m, b) if b == want && m.year == 0 => Some(format!(
                    "{} ({}) = month {:02} of the row's year",
                    col_letters(c.col),
                    c.header,
                    m.month
                )),
                Use::Month(m, b) if b == want => Some(format!("{} ({}) = {m}", col_letters(c.col), c.header)),
                _ => None,
            })
            .collect()
    };
    let report = WideReport {
        months: list(Block::Sales),
        margin_months: list(Block::Margin),
        cost_months: list(Block::Cost),
        totals: described_totals,
        ignored,
        year: (!year_from.is_empty()).then(|| year_from.into_iter().collect::<Vec<_>>().join("; ")),
        ..WideReport::default()
    };
    let role = if !report.months.is_empty() {
        Role::MonthlySales
    } else if !report.margin_months.is_empty() || !report.cost_months.is_empty() {
        Role::MonthlyMargin
    } else {
        return Detect::Refused {
            message: format!(
                "month columns found ({}) but none holds sales, margin or cost: not read",
                some_cells(r, &heads.iter().map(|h| (h.0, h.1.clone())).collect::<Vec<_>>())
            ),
            warn: false,
        };
    };
    let mut index = Vec::new();
    for (i, c) in cols.iter().enumerate() {
        if index.len() <= c.col as usize {
            index.resize(c.col as usize + 1, None);
        }
        index[c.col as usize] = Some(i);
    }
    let year_col = cols.iter().find(|c| matches!(c.what, Use::Year)).map(|c| c.col);
    let sheet =
        WideSheet { cols, index, report, sheet: 0, year_col, bad_totals: (0, Vec::new()), row: Vec::new() };
    Detect::Wide(Box::new(sheet), role, mapping, header_texts)
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::super::testbook::{C::*, *};
    use crate::config::Config;
    use crate::ingest::{ingest, Role};

    fn names_sheet(title: Option<&'static str>) -> Vec<Vec<C>> {
        let mut rows = Vec::new();
        if let Some(t) = title {
            rows.push(vec![S(t)]);
        }
        rows.push(vec![S("Cliente"), S("Enero"), S("Febrero"), S("Marzo"), S("Abril")]);
        rows.push(vec![S("Acme"), N(1.0), N(2.0), N(3.0), N(4.0)]);
        rows
    }

    #[test]
    fn text_months_in_spanish_and_english_with_the_header_below_row_one() {
        let dir = tempfile::tempdir().unwrap();
        let heads = [
            "ene-26",
            "Feb 2026",
            "marzo 2026",
            "2026-04",
            "05/2026",
            "Jun-26",
            "July 2026",
            "Aug-26",
            "Sept 2026",
            "Oct. 2026",
        ];
        let mut header = vec![S("Cliente")];
        header.extend(heads.iter().map(|h| S(h)));
        let mut row = vec![S("Acme")];
        row.extend((1..=10).map(|m| N(m as f64)));
        let p = book(&dir.path().join("m.xlsx"), &[("Hoja1", vec![vec![], vec![S("Resumen")], header, row])]);
        let ds = read(&[p], &Config::default());
        let months: Vec<(u32, f64)> =
            ds.transactions.iter().map(|t| (chrono::Datelike::month(&t.date), t.amount)).collect();
        assert_eq!(months, (1..=10).map(|m| (m, m as f64)).collect::<Vec<_>>());
        assert!(ds.transactions.iter().all(|t| chrono::Datelike::year(&t.date) == 2026));
        assert_eq!(sheet(&ds, "Hoja1").header_row, Some(3));
    }

    #[test]
    fn month_names_take_the_year_from_the_sheet_name_a_title_or_the_config() {
        let dir = tempfile::tempdir().unwrap();
        let p = book(
            &dir.path().join("a.xlsx"),
            &[("2025", names_sheet(None)), ("Resumen", names_sheet(Some("Ventas 2024")))],
        );
        let ds = read(&[p], &Config::default());
        let years: Vec<i32> = ds.transactions.iter().map(|t| chrono::Datelike::year(&t.date)).collect();
        assert_eq!(years, [2025, 2025, 2025, 2025, 2024, 2024, 2024, 2024]);
        assert_eq!(
            sheet(&ds, "2025").wide.as_ref().unwrap().year.as_deref(),
            Some("the sheet name \"2025\"")
        );
        assert_eq!(
            sheet(&ds, "Resumen").wide.as_ref().unwrap().year.as_deref(),
            Some("the title A1 \"Ventas 2024\"")
        );

        // No year anywhere: the sheet is refused with a message asking for it.
        let q = book(
            &dir.path().join("b.xlsx"),
            &[("Hoja1", names_sheet(None)), ("Otra", names_sheet(Some("2026")))],
        );
        let ds = read(std::slice::from_ref(&q), &Config::default());
        let s = sheet(&ds, "Hoja1");
        assert_eq!(s.role, Role::Skipped);
        let problem = s.wide.as_ref().unwrap().problem.clone().unwrap();
        assert!(problem.contains("B1 \"Enero\"") && problem.contains("[ingest]"), "{problem}");
        assert!(
            ds.report.warnings.iter().any(|w| w.contains("b.xlsx › Hoja1") && w.contains("year")),
            "{:?}",
            ds.report.warnings
        );
        assert_eq!(ds.transactions.len(), 4, "the other sheet is read");
        // With `[ingest] year` it is read; a year in the sheet still wins.
        let mut cfg = Config::default();
        cfg.ingest.year = Some(2023);
        let ds = read(&[q], &cfg);
        let years: Vec<i32> = ds.transactions.iter().map(|t| chrono::Datelike::year(&t.date)).collect();
        assert_eq!(years, [2023, 2023, 2023, 2023, 2026, 2026, 2026, 2026]);
    }

    #[test]
    fn the_only_sheet_without_a_year_is_an_input_error_that_says_why() {
        let dir = tempfile::tempdir().unwrap();
        let p = book(&dir.path().join("a.xlsx"), &[("Hoja1", names_sheet(None))]);
        let err = ingest(&[p], &Config::default()).unwrap_err().to_string();
        assert!(err.contains("a.xlsx › Hoja1: monthly sales with month names but no year"), "{err}");
    }

    #[test]
    fn a_fiscal_year_span_moves_to_the_next_year_where_the_months_wrap() {
        let dir = tempfile::tempdir().unwrap();
        let p = book(
            &dir.path().join("a.xlsx"),
            &[(
                "Ejercicio 2025-26",
                vec![
                    vec![S("Cliente"), S("Nov"), S("Dic"), S("Ene"), S("Feb")],
                    vec![S("Acme"), N(1.0), N(2.0), N(3.0), N(4.0)],
                ],
            )],
        );
        let ds = read(&[p], &Config::default());
        let dates: Vec<NaiveDate> = ds.transactions.iter().map(|t| t.date).collect();
        assert_eq!(dates, [date(2025, 11, 30), date(2025, 12, 31), date(2026, 1, 31), date(2026, 2, 28)]);
    }

    #[test]
    fn quarters_are_ignored_and_a_wrong_total_is_a_warning_with_its_cell() {
        let dir = tempfile::tempdir().unwrap();
        let p = book(
            &dir.path().join("m.xlsx"),
            &[(
                "2026",
                vec![
                    vec![
                        S("Cliente"),
                        S("Ene"),
                        S("Feb"),
                        S("Mar"),
                        S("T1"),
                        S("Abr"),
                        S("May"),
                        S("Jun"),
                        S("2T"),
                        S("Total año"),
                    ],
                    vec![S("Acme"), N(1.0), N(2.0), N(3.0), N(6.0), N(4.0), N(5.0), N(6.0), N(15.0), N(21.0)],
                    vec![S("Beta"), N(1.0), N(1.0), N(1.0), N(99.0), N(1.0), N(1.0), N(1.0), N(3.0), N(7.0)],
                ],
            )],
        );
        let ds = read(&[p], &Config::default());
        let s = sheet(&ds, "2026");
        let w = s.wide.as_ref().unwrap();
        assert_eq!(w.months.len(), 6);
        assert!(w.ignored.iter().any(|i| i.starts_with("E (T1): quarter")), "{w:?}");
        assert!(w.ignored.iter().any(|i| i.starts_with("I (2T): quarter")), "{w:?}");
        assert!(w.totals[0].starts_with("J (Total año) = B…H"), "{w:?}");
        // Quarters are never added in: 21 + 6 months of 1.
        assert_eq!(s.amount_total, 27.0);
        let warn = ds.report.warnings.join("\n");
        assert!(warn.contains("m.xlsx › 2026: 1 total(s) differ"), "{warn}");
        assert!(warn.contains("J3 (Total año) = 7 but B3:H3 sum 6.00"), "{warn}");
    }

    #[test]
    fn repeated_months_without_a_heading_and_budget_blocks_are_not_read() {
        let dir = tempfile::tempdir().unwrap();
        let rows = vec![
            vec![E, E, E, E, S("Presupuesto 2026")],
            vec![
                S("Cliente"),
                S("ene-26"),
                S("feb-26"),
                S("mar-26"),
                S("ene-26"),
                S("feb-26"),
                S("mar-26"),
                S("ene-26"),
            ],
            vec![S("Acme"), N(1.0), N(2.0), N(3.0), N(100.0), N(100.0), N(100.0), N(100.0)],
        ];
        let p = book(&dir.path().join("a.xlsx"), &[("2026", rows)]);
        let ds = read(&[p], &Config::default());
        assert_eq!(ds.report.amount_total, 6.0);
        let w = sheet(&ds, "2026").wide.clone().unwrap();
        assert_eq!(w.ignored.len(), 4, "{w:?}");
        assert!(w.ignored[0].starts_with("E (ene-26): month column holding no sales"), "{w:?}");
    }

    #[test]
    fn weekly_date_columns_are_no_monthly_book() {
        let dir = tempfile::tempdir().unwrap();
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet();
        let fmt = rust_xlsxwriter::Format::new().set_num_format("dd/mm/yyyy");
        ws.write_string(0, 0, "Cliente").unwrap();
        for (i, d) in [5u8, 12, 19, 26].iter().enumerate() {
            let dt = rust_xlsxwriter::ExcelDateTime::from_ymd(2026, 1, *d).unwrap();
            ws.write_datetime_with_format(0, i as u16 + 1, &dt, &fmt).unwrap();
        }
        ws.write_string(1, 0, "Acme").unwrap();
        ws.write_number(1, 1, 5.0).unwrap();
        let p = dir.path().join("w.xlsx");
        wb.save(&p).unwrap();
        assert!(ingest(&[p], &Config::default()).is_err(), "weekly columns are not read as months");
    }

    #[test]
    fn a_pivot_table_with_years_above_its_months() {
        let dir = tempfile::tempdir().unwrap();
        let p = book(
            &dir.path().join("tabla.xlsx"),
            &[(
                "Hoja2",
                vec![
                    vec![S("Suma de Importe"), S("Etiquetas de columna")],
                    vec![E, S("2025"), E, S("Total 2025"), S("2026"), E, S("Total general")],
                    vec![S("Etiquetas de fila"), S("nov"), S("dic"), E, S("ene"), S("feb")],
                    vec![S("Acme"), N(1.0), N(2.0), N(3.0), N(4.0), N(5.0), N(12.0)],
                    vec![S("Beta"), E, N(7.0), N(7.0), E, N(8.0), N(15.0)],
                    vec![S("Total general"), N(1.0), N(9.0), N(10.0), N(4.0), N(13.0), N(27.0)],
                ],
            )],
        );
        let ds = read(&[p], &Config::default());
        let s = sheet(&ds, "Hoja2");
        assert_eq!((s.role, s.transactions, s.rejected), (Role::MonthlySales, 2, 0));
        identity(s);
        let got: Vec<(String, NaiveDate, f64)> = txns(&ds);
        assert_eq!(
            got,
            [
                ("acme".into(), date(2025, 11, 30), 1.0),
                ("acme".into(), date(2025, 12, 31), 2.0),
                ("acme".into(), date(2026, 1, 31), 4.0),
                ("acme".into(), date(2026, 2, 28), 5.0),
                ("beta".into(), date(2025, 12, 31), 7.0),
                ("beta".into(), date(2026, 2, 28), 8.0),
            ]
        );
    }

    #[test]
    fn a_year_column_dates_each_rows_month_names() {
        let dir = tempfile::tempdir().unwrap();
        let p = book(
            &dir.path().join("a.xlsx"),
            &[(
                "Ventas",
                vec![
                    vec![S("Cliente"), S("Año"), S("Enero"), S("Febrero"), S("Marzo")],
                    vec![S("Acme"), N(2025.0), N(1.0), N(2.0), N(3.0)],
                    vec![S("Acme"), S("2026"), N(4.0), E, E],
                    vec![S("Beta"), S("pronto"), N(4.0), E, E],
                ],
            )],
        );
        let ds = read(&[p], &Config::default());
        let s = sheet(&ds, "Ventas");
        assert_eq!((s.transactions, s.rejected), (2, 1));
        assert_eq!(s.rejects[0].column, "B (Año)");
        assert!(s.unused_columns.is_empty(), "{:?}", s.unused_columns);
        let dates: Vec<NaiveDate> = ds.transactions.iter().map(|t| t.date).collect();
        assert_eq!(dates, [date(2025, 1, 31), date(2025, 2, 28), date(2025, 3, 31), date(2026, 1, 31)]);
        let w = s.wide.as_ref().unwrap();
        assert_eq!(w.year.as_deref(), Some("column B (Año) of each row"));
        assert_eq!(w.months[0], "C (Enero) = month 01 of the row's year");
    }

    #[test]
    fn a_two_row_header_names_the_customer_above_the_months() {
        let dir = tempfile::tempdir().unwrap();
        let p = book(
            &dir.path().join("a.xlsx"),
            &[(
                "2026",
                vec![
                    vec![S("Cliente"), S("Comercial"), S("Ventas")],
                    vec![E, E, S("ene-26"), S("feb-26"), S("mar-26")],
                    vec![S("Acme"), S("Ana"), N(1.0), N(2.0), N(3.0)],
                ],
            )],
        );
        let ds = read(&[p], &Config::default());
        let s = sheet(&ds, "2026");
        assert_eq!((s.role, s.header_row), (Role::MonthlySales, Some(2)));
        assert_eq!(
            s.columns,
            [
                ("customer_name".to_string(), "A (Cliente)".to_string()),
                ("kam".into(), "B (Comercial)".into())
            ]
        );
        assert_eq!(ds.transactions.len(), 3);
    }

    #[test]
    fn a_csv_export_takes_the_year_from_its_file_name() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("ventas_2026.csv");
        std::fs::write(&p, "Cliente;Comercial;Enero;Febrero;Marzo;Total\nAcme;Ana;1.234,50;200;;1434,5\nBeta;Ana;pendiente;1;1;2\n")
            .unwrap();
        let ds = read(std::slice::from_ref(&p), &Config::default());
        let s = &ds.report.sheets[0];
        assert_eq!((s.role, s.transactions, s.rejected), (Role::MonthlySales, 1, 1));
        assert_eq!(s.wide.as_ref().unwrap().year.as_deref(), Some("the file name \"ventas_2026\""));
        assert_eq!(
            txns(&ds),
            [("acme".into(), date(2026, 1, 31), 1234.5), ("acme".into(), date(2026, 2, 28), 200.0)]
        );
        assert!(ds.report.warnings.is_empty(), "the total matches: {:?}", ds.report.warnings);
    }
}
