//! Month headers of monthly (wide) books: which header cells name a month, a quarter or a
//! total, in Spanish or English, and which year or block (sales, margin, cost) a heading,
//! a title or a sheet name gives them.
//!
//! Pure text rules with their own table tests; the layout of a sheet is built from them in
//! `wide.rs`.

use super::cells::Val;
use super::header::normalize;
use super::value;
use crate::config::DateOrder;
use crate::period::Month;

/// What a group of month columns holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Block {
    /// Net sales (the default).
    Sales,
    /// Margin / gross profit in money.
    Margin,
    /// Cost of sales in money.
    Cost,
    /// Something kamplan does not read: units, budget, forecast, last year, a rate (`%`).
    Other,
}

impl Block {
    /// The word shown in reports.
    pub fn name(self) -> &'static str {
        match self {
            Block::Sales => "sales",
            Block::Margin => "margin",
            Block::Cost => "cost",
            Block::Other => "other",
        }
    }
}

/// A month named by a header, with its year or (for a month name alone) without.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MonthRef {
    /// `ene-26`, `2026-01`, a date cell.
    Full(Month),
    /// `Enero`, `Feb`, `Sept.`: 1..=12, the year comes from elsewhere.
    Name(u32),
}

/// What a header cell of a monthly book names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeaderCell {
    /// A month column; `block` when the header itself says what it holds (`Margen ene-26`).
    Month { month: MonthRef, block: Option<Block> },
    /// A quarter column (`T1`, `Q1 2026`, `1T26`, `Trim. 1`, `1er trimestre`).
    Quarter { quarter: u8, year: Option<i32> },
    /// A total column (`Total`, `Total año`, `Acumulado`, `YTD`, `Total 2026`).
    Total { year: Option<i32>, block: Option<Block> },
}

/// Years a title or sheet name gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Year {
    /// No year.
    Unknown,
    /// One year (`Ventas 2026`, sheet `2026`).
    One(i32),
    /// A year that runs into the next (`2025/26`, `2025-2026`): month names start in the first
    /// and move to the second where they wrap from December to January.
    Span(i32),
    /// Several unrelated years: no help.
    Many,
}

/// What a title, a heading above month columns or a sheet name says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hint {
    pub block: Option<Block>,
    pub year: Year,
}

const SALES_WORDS: &[&str] = &[
    "ventas",
    "venta",
    "sales",
    "importe",
    "importes",
    "facturacion",
    "facturado",
    "revenue",
    "revenues",
    "turnover",
    "neto",
    "neta",
    "netas",
    "netos",
    "net",
];
const MARGIN_WORDS: &[&str] = &[
    "margen",
    "margenes",
    "margin",
    "margins",
    "beneficio",
    "beneficios",
    "profit",
    "contribucion",
    "contribution",
];
const COST_WORDS: &[&str] = &["coste", "costes", "costo", "costos", "cost", "costs", "cogs"];
/// Words that say a block holds no money kamplan reads.
const OTHER_WORDS: &[&str] = &[
    "unidades",
    "uds",
    "ud",
    "und",
    "cantidad",
    "cantidades",
    "units",
    "qty",
    "quantity",
    "kilos",
    "kg",
    "litros",
    "presupuesto",
    "presupuestado",
    "budget",
    "objetivo",
    "objetivos",
    "target",
    "targets",
    "previsto",
    "prevision",
    "forecast",
    "cuota",
    "quota",
    "pedidos",
    "orders",
    "pct",
    "porcentaje",
    "variacion",
    "var",
    "diferencia",
    "desviacion",
    "anterior",
    "previous",
    "ly",
    "py",
];
/// Words that change nothing in a month or total header.
const NEUTRAL_WORDS: &[&str] = &[
    "de", "del", "of", "mes", "month", "real", "reales", "actual", "eur", "euros", "en", "in", "el", "la",
    "los", "las", "the", "bruto", "bruta", "gross", "a", "al",
];
/// Words that make a header a total.
const TOTAL_CORE: &[&str] = &[
    "total",
    "totales",
    "acumulado",
    "acumulada",
    "acum",
    "ytd",
    "suma",
    "sum",
    "anual",
    "annual",
    "tot",
    "fy",
];
/// Words a total header may carry beside [`TOTAL_CORE`].
const TOTAL_EXTRA: &[&str] = &[
    "ano",
    "year",
    "general",
    "grand",
    "ejercicio",
    "periodo",
    "period",
    "to",
    "date",
    "fecha",
    "hasta",
    "yr",
];
const QUARTER_MARKERS: &[&str] = &["q", "t", "tr", "trim", "trimestre", "quarter", "qtr"];
const QUARTER_ORDINALS: &[(&str, u8)] = &[
    ("primer", 1),
    ("primero", 1),
    ("first", 1),
    ("segundo", 2),
    ("second", 2),
    ("tercer", 3),
    ("tercero", 3),
    ("third", 3),
    ("cuarto", 4),
    ("fourth", 4),
];
const ORDINAL_SUFFIXES: &[&str] = &["er", "o", "ro", "do", "to", "st", "nd", "rd", "th", "a"];

/// Header text as tokens: normalised (no case, accents or punctuation), and split where
/// letters meet digits, so `1T26` is `1 t 26` and `ene26` is `ene 26`.
fn tokens(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    for w in normalize(s).split(' ').filter(|w| !w.is_empty()) {
        let mut cur = String::new();
        let mut digit = None;
        for c in w.chars() {
            let d = c.is_ascii_digit();
            if digit.is_some_and(|x| x != d) {
                out.push(std::mem::take(&mut cur));
            }
            cur.push(c);
            digit = Some(d);
        }
        if !cur.is_empty() {
            out.push(cur);
        }
    }
    out
}

fn is_num(t: &str) -> bool {
    !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit())
}

/// A four-digit year kamplan believes (1990–2100).
fn year4(t: &str) -> Option<i32> {
    (t.len() == 4 && is_num(t)).then(|| t.parse().ok()).flatten().filter(|y| (1990..=2100).contains(y))
}

/// A two-digit year after a month name, as Excel reads it: 00–29 → 2000s, 30–99 → 1900s.
fn year2(t: &str) -> Option<i32> {
    (t.len() == 2 && is_num(t)).then(|| t.parse::<i32>().ok()).flatten().map(|n| {
        if n < 30 {
            2000 + n
        } else {
            1900 + n
        }
    })
}

/// The block the words of a header or title name, if any. A `%` or a word like budget,
/// units or last year makes it [`Block::Other`]; "ventas y margen" names no single block.
fn block_of(words: &[&str], percent: bool) -> Option<Block> {
    if percent || words.iter().any(|w| OTHER_WORDS.contains(w)) {
        return Some(Block::Other);
    }
    let s = words.iter().any(|w| SALES_WORDS.contains(w));
    let m = words.iter().any(|w| MARGIN_WORDS.contains(w));
    let c = words.iter().any(|w| COST_WORDS.contains(w));
    let conj = words.iter().any(|w| matches!(*w, "y" | "and" | "e"));
    if conj && (s as u8 + m as u8 + c as u8) >= 2 {
        return None;
    }
    if m {
        Some(Block::Margin)
    } else if c {
        Some(Block::Cost)
    } else if s {
        Some(Block::Sales)
    } else {
        None
    }
}

fn known_word(w: &str) -> bool {
    SALES_WORDS.contains(&w)
        || MARGIN_WORDS.contains(&w)
        || COST_WORDS.contains(&w)
        || OTHER_WORDS.contains(&w)
        || NEUTRAL_WORDS.contains(&w)
}

/// What a header cell names, if it is a month, quarter or total header. Date cells are
/// months whatever their number format; plain numbers are not headers.
pub fn header_cell(v: &Val<'_>) -> Option<HeaderCell> {
    match v {
        Val::Date(d) => Some(HeaderCell::Month { month: MonthRef::Full(Month::of(d.date())), block: None }),
        Val::Text(s) => header_text(s),
        _ => None,
    }
}

/// What a header text names: `ene-26`, `Ene 2026`, `enero 2026`, `2026-01`, `01/2026`,
/// `Jan-26`, `January 2026`, `Enero`, `Sept.`, `01/01/2026`; `T1`, `Q1 2026`, `1T26`,
/// `Trim. 1`, `1er trimestre`; `Total`, `Total año`, `Acumulado`, `YTD`, `Total 2026`.
pub fn header_text(s: &str) -> Option<HeaderCell> {
    let percent = s.contains('%');
    let toks = tokens(s);
    if toks.is_empty() || toks.len() > 6 {
        return None;
    }
    let t: Vec<&str> = toks.iter().map(String::as_str).collect();
    let words: Vec<&str> = t.iter().copied().filter(|w| !is_num(w)).collect();
    let nums: Vec<&str> = t.iter().copied().filter(|w| is_num(w)).collect();
    let names: Vec<u32> = words.iter().filter_map(|w| value::month_name(w)).collect();
    let block = block_of(&words, percent);
    let is_total = words.iter().any(|w| TOTAL_CORE.contains(w));
    let marker = t.iter().position(|w| QUARTER_MARKERS.contains(w));

    // A quarter: a marker next to 1–4, or an ordinal word before "trimestre"/"quarter".
    if names.is_empty() && !is_total {
        let ordinal =
            words.iter().find_map(|w| QUARTER_ORDINALS.iter().find(|(o, _)| o == w).map(|(_, q)| *q));
        let q_num =
            |i: usize| t.get(i).filter(|x| x.len() == 1 && is_num(x)).and_then(|x| x.parse::<u8>().ok());
        let quarter = match marker {
            Some(i) => q_num(i + 1)
                .or_else(|| i.checked_sub(1).and_then(q_num))
                .or_else(|| i.checked_sub(2).filter(|j| ORDINAL_SUFFIXES.contains(&t[j + 1])).and_then(q_num))
                .or(ordinal.filter(|_| matches!(t[i], "trimestre" | "quarter"))),
            None => None,
        }
        .filter(|q| (1..=4).contains(q));
        if let Some(quarter) = quarter {
            let rest_ok = words.iter().all(|w| {
                QUARTER_MARKERS.contains(w)
                    || ORDINAL_SUFFIXES.contains(w)
                    || QUARTER_ORDINALS.iter().any(|(o, _)| o == w)
                    || known_word(w)
            });
            let year = nums.iter().find_map(|n| year4(n).or_else(|| year2(n)));
            let stray = nums.iter().filter(|n| n.parse::<u8>().ok() != Some(quarter)).count();
            if rest_ok && stray <= 1 {
                return Some(HeaderCell::Quarter { quarter, year });
            }
        }
    }
    if is_total {
        if !names.is_empty() {
            return None;
        }
        let ok = words.iter().all(|w| TOTAL_CORE.contains(w) || TOTAL_EXTRA.contains(w) || known_word(w));
        let years: Vec<i32> = nums.iter().filter_map(|n| year4(n)).collect();
        if ok && years.len() == nums.len() && years.len() <= 1 {
            return Some(HeaderCell::Total { year: years.first().copied(), block });
        }
        // A fiscal year (`Total 2024-25`): the months since the previous total.
        if ok && nums.len() == 2 && matches!(hint(s).year, Year::Span(_)) {
            return Some(HeaderCell::Total { year: None, block });
        }
        return None;
    }
    if marker.is_some() {
        return None;
    }
    match names.as_slice() {
        [m] => {
            // Unknown words beside a month name are allowed ("Ene-26 (real)"); a second
            // number is not.
            let month = match nums.as_slice() {
                [] => MonthRef::Name(*m),
                [y] => MonthRef::Full(Month { year: year4(y).or_else(|| year2(y))?, month: *m }),
                _ => return None,
            };
            Some(HeaderCell::Month { month, block })
        }
        [] => {
            let unknown = words.iter().any(|w| !known_word(w));
            if unknown {
                return None;
            }
            let month = match nums.as_slice() {
                [a, b] => {
                    let (y, m) = match (year4(a), year4(b)) {
                        (Some(y), None) => (y, *b),
                        (None, Some(y)) => (y, *a),
                        _ => return None,
                    };
                    let m: u32 = (m.len() <= 2).then(|| m.parse().ok()).flatten()?;
                    (1..=12).contains(&m).then_some(Month { year: y, month: m })?
                }
                // A whole date (`01/01/2026`, `2026-01-31`): its month.
                [_, _, _] => Month::of(value::parse_text_date(s, DateOrder::Dmy)?),
                _ => return None,
            };
            Some(HeaderCell::Month { month: MonthRef::Full(month), block })
        }
        _ => None,
    }
}

/// What a title, a heading above month columns or a sheet name says about the block and
/// the year: `Ventas 2026`, `Margen`, `2025/26`, `Presupuesto 2026`.
pub fn hint(s: &str) -> Hint {
    let percent = s.contains('%');
    let toks = tokens(s);
    let words: Vec<&str> = toks.iter().map(String::as_str).filter(|w| !is_num(w)).collect();
    let mut years: Vec<i32> = Vec::new();
    let mut span = None;
    for (i, t) in toks.iter().enumerate() {
        let Some(y) = year4(t) else { continue };
        if let Some(next) = toks.get(i + 1) {
            let two = next.len() == 2 && is_num(next) && next.parse::<i32>().ok() == Some((y + 1) % 100);
            if two || year4(next) == Some(y + 1) {
                span = Some(y);
            }
        }
        if !years.contains(&y) {
            years.push(y);
        }
    }
    let year = match (span, years.as_slice()) {
        (Some(y), [_] | [_, _]) => Year::Span(y),
        (_, []) => Year::Unknown,
        (_, [y]) => Year::One(*y),
        _ => Year::Many,
    };
    // Only words that say so give a block: a company name in a title says nothing.
    Hint { block: block_of(&words, percent), year }
}

/// True when a customer cell is a totals label (`Total`, `TOTAL 2026`, `Total general`,
/// `Suma`, `Subtotal`), not a customer named "Total Energies".
pub fn total_label(s: &str) -> bool {
    let toks = tokens(s);
    let Some(first) = toks.first() else { return false };
    if matches!(first.as_str(), "subtotal" | "subtotales" | "totales" | "suma" | "sumas") {
        return true;
    }
    matches!(header_text(s), Some(HeaderCell::Total { .. }))
}

/// True when a customer cell starts with a totals word but goes on (`Total zona Norte`,
/// `Total Energies`): a totals row only when nothing else on the row says customer.
pub fn starts_total(s: &str) -> bool {
    tokens(s).first().is_some_and(|w| TOTAL_CORE.contains(&w.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn full(y: i32, m: u32) -> Option<HeaderCell> {
        Some(HeaderCell::Month { month: MonthRef::Full(Month { year: y, month: m }), block: None })
    }

    fn name(m: u32) -> Option<HeaderCell> {
        Some(HeaderCell::Month { month: MonthRef::Name(m), block: None })
    }

    #[test]
    fn month_headers_in_spanish_and_english() {
        for (text, want) in [
            ("ene-26", full(2026, 1)),
            ("Ene 2026", full(2026, 1)),
            ("enero 2026", full(2026, 1)),
            ("Enero de 2026", full(2026, 1)),
            ("ENE.-26", full(2026, 1)),
            ("ene26", full(2026, 1)),
            ("2026-01", full(2026, 1)),
            ("2026/1", full(2026, 1)),
            ("01/2026", full(2026, 1)),
            ("1-2026", full(2026, 1)),
            ("Jan-26", full(2026, 1)),
            ("January 2026", full(2026, 1)),
            ("Jan '26", full(2026, 1)),
            ("Sept 2025", full(2025, 9)),
            ("set-25", full(2025, 9)),
            ("dic-99", full(1999, 12)),
            ("01/03/2026", full(2026, 3)),
            ("2026-03-31", full(2026, 3)),
            ("Ene-26 (real)", full(2026, 1)),
            ("Enero", name(1)),
            ("Feb", name(2)),
            ("Sept", name(9)),
            ("Sep.", name(9)),
            ("setiembre", name(9)),
            ("DICIEMBRE", name(12)),
            ("August", name(8)),
        ] {
            assert_eq!(header_text(text), want, "{text:?}");
        }
    }

    #[test]
    fn words_beside_a_month_say_its_block() {
        let block = |s: &str| match header_text(s) {
            Some(HeaderCell::Month { block, .. }) => block,
            other => panic!("{s:?}: {other:?}"),
        };
        assert_eq!(block("Margen ene-26"), Some(Block::Margin));
        assert_eq!(block("Ventas enero 2026"), Some(Block::Sales));
        assert_eq!(block("Coste Feb"), Some(Block::Cost));
        assert_eq!(block("Uds ene-26"), Some(Block::Other));
        assert_eq!(block("Ene-26 previsto"), Some(Block::Other));
        assert_eq!(block("Margen % ene-26"), Some(Block::Other));
        assert_eq!(block("Gross profit Jan 2026"), Some(Block::Margin));
    }

    #[test]
    fn quarters_and_totals() {
        let q = |quarter, year| Some(HeaderCell::Quarter { quarter, year });
        for (text, want) in [
            ("T1", q(1, None)),
            ("Q1", q(1, None)),
            ("1T", q(1, None)),
            ("Trim. 1", q(1, None)),
            ("1er trim.", q(1, None)),
            ("1º Trimestre", q(1, None)),
            ("Primer trimestre", q(1, None)),
            ("Trimestre 4", q(4, None)),
            ("Q3 2026", q(3, Some(2026))),
            ("1T26", q(1, Some(2026))),
            ("Q2-25", q(2, Some(2025))),
            ("2nd quarter", q(2, None)),
        ] {
            assert_eq!(header_text(text), want, "{text:?}");
        }
        let t = |year, block| Some(HeaderCell::Total { year, block });
        for (text, want) in [
            ("Total", t(None, None)),
            ("Total año", t(None, None)),
            ("TOTAL AÑO 2026", t(Some(2026), None)),
            ("Acumulado", t(None, None)),
            ("YTD", t(None, None)),
            ("Total 2025", t(Some(2025), None)),
            ("Total general", t(None, None)),
            ("Total ventas", t(None, Some(Block::Sales))),
            ("Total margen", t(None, Some(Block::Margin))),
            ("Grand total", t(None, None)),
            ("Year to date", None),
            ("Suma", t(None, None)),
            ("Total 2024-25", t(None, None)),
            ("Total ejercicio 2025/2026", t(None, None)),
            ("Total 2024 2026", None),
        ] {
            assert_eq!(header_text(text), want, "{text:?}");
        }
    }

    #[test]
    fn other_headers_are_not_months() {
        for text in [
            "Cliente",
            "Cód. cliente",
            "Comercial",
            "Zona",
            "Fecha",
            "Mes",
            "Total Energies",
            "01/26",
            "2026",
            "T",
            "Q5",
            "Importe",
            "Marzo y abril",
            "Ene-Feb 2026",
            "12",
        ] {
            assert_eq!(header_text(text), None, "{text:?}");
        }
        assert_eq!(header_cell(&Val::Num(46023.0)), None, "a plain number is no header");
        let d = chrono::NaiveDate::from_ymd_opt(2026, 2, 1).unwrap().and_time(chrono::NaiveTime::MIN);
        assert_eq!(header_cell(&Val::Date(d)), full(2026, 2));
    }

    #[test]
    fn hints_from_titles_headings_and_sheet_names() {
        let h = |block, year| Hint { block, year };
        for (text, want) in [
            ("2026", h(None, Year::One(2026))),
            ("Ventas 2026", h(Some(Block::Sales), Year::One(2026))),
            ("Distribuciones Norte S.L. — Ventas por cliente y mes", h(Some(Block::Sales), Year::Unknown)),
            ("Margen", h(Some(Block::Margin), Year::Unknown)),
            ("Margen bruto 2025", h(Some(Block::Margin), Year::One(2025))),
            ("Margen %", h(Some(Block::Other), Year::Unknown)),
            ("Ventas y margen 2026", h(None, Year::One(2026))),
            ("Presupuesto 2026", h(Some(Block::Other), Year::One(2026))),
            ("Unidades", h(Some(Block::Other), Year::Unknown)),
            ("Ejercicio 2025/26", h(None, Year::Span(2025))),
            ("2025-2026", h(None, Year::Span(2025))),
            ("Ventas 2024 y 2026", h(Some(Block::Sales), Year::Many)),
            ("Hoja1", h(None, Year::Unknown)),
            ("Datos a 31/10/2026", h(None, Year::One(2026))),
        ] {
            assert_eq!(hint(text), want, "{text:?}");
        }
    }

    #[test]
    fn totals_labels_in_the_customer_column() {
        for (text, want) in [
            ("Total", true),
            ("TOTAL 2026", true),
            ("Total general", true),
            ("Totales", true),
            ("Subtotal zona Norte", true),
            ("Suma", true),
            ("Total Energies S.A.", false),
            ("Totalgas", false),
            ("Acme", false),
        ] {
            assert_eq!(total_label(text), want, "{text:?}");
        }
        assert!(starts_total("Total zona Norte"));
        assert!(!starts_total("Totalgas"));
    }
}
