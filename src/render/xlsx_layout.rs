//! XLSX layout rules as pure functions: valid sheet and table names, column widths, number
//! formats, page labels and printed pages — everything the XLSX renderer decides around the
//! cells it writes.
//!
//! Kept apart from `xlsx.rs` so each rule is tested without building a workbook.

use std::collections::BTreeSet;

use unicode_normalization::UnicodeNormalization;

mod pages;
mod text;
mod widths;
pub use pages::{
    page_of, page_starts, print_layout, repeated_header, PageSetup, Printed, Span, SpanKind, DEFAULT_ROW_PT,
    MAX_BREAKS,
};
pub use text::{text_width, wrapped_lines};
pub use widths::{
    column_px, column_widths, kpi_columns, orientation, print_width_px, text_span, Orientation,
};

use crate::document::{Block, Document, Media, Value, ValueFormat};
use crate::lang::Locale;

/// Excel's limit on a sheet name, in UTF-16 code units.
pub const SHEET_NAME_MAX: usize = 31;
/// Narrowest column we set, in characters.
pub const MIN_WIDTH: f64 = 6.0;
/// Widest a text column grows for its content, in characters: longer texts wrap.
pub const TEXT_CAP: f64 = 40.0;
/// Narrowest a text column shrinks to when a sheet is too wide to print, in characters.
pub const TEXT_MIN: f64 = 12.0;
/// Widest column we set, in characters.
pub const MAX_WIDTH: f64 = 50.0;
/// Excel's default column width, in characters.
pub const DEFAULT_WIDTH: f64 = 8.43;
/// Characters a line of wrapped text (paragraphs, notes, lists) aims for.
pub const TEXT_WIDTH: f64 = 90.0;
/// Blank rows added to a table with fill-in columns, for the KAM's own entries.
pub const EXTRA_FILL_ROWS: usize = 3;
/// Width given to a fill-in field's input cell, in characters.
pub const FIELD_INPUT_WIDTH: f64 = 24.0;

/// Words of the workbook that depend on the language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Words {
    /// Name of a sheet with no title: "Hoja" → "Hoja 2".
    pub sheet: &'static str,
    /// Name of the chart-data sheet.
    pub data_sheet: &'static str,
    /// Header of a column with no label: "Columna" → "Columna 3".
    pub column: &'static str,
    /// A table with no name hint.
    pub table: &'static str,
    /// Name of a Pareto's computed cumulative-share series.
    pub cumulative: &'static str,
    /// Note on a number that is not available.
    pub not_available: &'static str,
}

impl Words {
    /// The words for a language code; anything but "en" is Spanish, the default language.
    pub fn of(lang: &str) -> Words {
        if lang.starts_with("en") {
            Words {
                sheet: "Sheet",
                data_sheet: "Data",
                column: "Column",
                table: "Table",
                cumulative: "Cumulative",
                not_available: "n/a",
            }
        } else {
            Words {
                sheet: "Hoja",
                data_sheet: "Datos",
                column: "Columna",
                table: "Tabla",
                cumulative: "Acumulado",
                not_available: "n/d",
            }
        }
    }
}

fn utf16_len(s: &str) -> usize {
    s.chars().map(char::len_utf16).sum()
}

/// `s` cut to at most `max` UTF-16 units, on a character boundary.
fn cut_utf16(s: &str, max: usize) -> &str {
    let mut used = 0;
    for (i, ch) in s.char_indices() {
        used += ch.len_utf16();
        if used > max {
            return &s[..i];
        }
    }
    s
}

/// `s` cut to at most `max` characters.
pub fn cut_chars(s: &str, max: usize) -> &str {
    match s.char_indices().nth(max) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

/// A sheet name Excel accepts, before making it unique: invalid characters (`[]:*?/\`) become
/// `-`, control characters and runs of spaces one space, no leading or trailing apostrophe,
/// at most 31 UTF-16 units, shortened by words ([`shorten_words`]). Empty when nothing usable
/// is left.
pub fn clean_sheet_name(wanted: &str) -> String {
    let mut out = String::new();
    for ch in wanted.chars() {
        let ch = match ch {
            '[' | ']' | ':' | '*' | '?' | '/' | '\\' => '-',
            c if c.is_control() || c.is_whitespace() => ' ',
            c => c,
        };
        if ch == ' ' && (out.is_empty() || out.ends_with(' ')) {
            continue;
        }
        out.push(ch);
    }
    trim_sheet_name(&shorten_words(out.trim(), SHEET_NAME_MAX))
}

/// Legal forms and abbreviations a long name can lose first ("S.L.", "Hnos.", "GmbH"), compared
/// without dots and case.
const DROPPABLE: &[&str] = &[
    "sl", "sa", "slu", "sau", "cb", "sc", "scoop", "sll", "slne", "ltd", "llc", "inc", "plc", "gmbh", "co",
    "corp", "bv", "nv", "srl", "spa", "sarl", "sas", "ag",
];

/// Words a shortened name does not end on ("Cuentas clave de" → "Cuentas clave").
const CONNECTORS: &[&str] = &[
    "de", "del", "la", "las", "el", "los", "y", "e", "o", "and", "of", "the", "for", "&", "-", "—", "–", "+",
];

/// `name` in at most `max` UTF-16 units, readable: when too long it first loses abbreviations
/// and legal forms (a word with a dot, or one of [`DROPPABLE`]), the last first; then whole
/// words from the end, never ending on a connector such as "de" or "&"; only a single word
/// longer than `max` is cut inside. "Distribuidora Hostelera Hnos. Ferrer S.L." →
/// "Distribuidora Hostelera Ferrer".
pub fn shorten_words(name: &str, max: usize) -> String {
    if utf16_len(name) <= max {
        return name.to_string();
    }
    let mut words: Vec<&str> = name.split(' ').filter(|w| !w.is_empty()).collect();
    let joined = |w: &[&str]| w.join(" ");
    let droppable = |w: &str| {
        let bare: String = w.chars().filter(|c| c.is_alphanumeric()).collect::<String>().to_lowercase();
        (w.contains('.') && w.chars().any(char::is_alphabetic)) || DROPPABLE.contains(&bare.as_str())
    };
    while utf16_len(&joined(&words)) > max && words.len() > 1 {
        match (1..words.len()).rev().find(|&i| droppable(words[i])) {
            Some(i) => {
                words.remove(i);
            }
            None => break,
        }
    }
    while utf16_len(&joined(&words)) > max && words.len() > 1 {
        words.pop();
        while words.len() > 1
            && words.last().is_some_and(|w| CONNECTORS.contains(&w.to_lowercase().trim_end_matches(',')))
        {
            words.pop();
        }
    }
    let out = joined(&words);
    let out = out.trim_end_matches([',', ';', ' ']);
    cut_utf16(out, max).trim_end().to_string()
}

fn trim_sheet_name(s: &str) -> String {
    s.trim_matches(|c: char| c == '\'' || c == ' ').to_string()
}

/// The `internal:` hyperlink to cell A1 of a sheet: `internal:'Cuentas clave'!A1`, the name
/// quoted with its apostrophes doubled.
pub fn sheet_anchor(sheet: &str) -> String {
    format!("internal:'{}'!A1", sheet.replace('\'', "''"))
}

/// Valid sheet names, unique case-insensitively, one per wanted name, in order. An empty
/// name becomes "`fallback` n" (n = its position from 1); a repeated one gets " (2)", " (3)"…
/// with its text shortened to keep within 31 units. Excel's reserved "History" is renamed too.
pub fn sheet_names(wanted: &[&str], fallback: &str) -> Vec<String> {
    let mut taken: BTreeSet<String> = BTreeSet::new();
    let mut out = Vec::with_capacity(wanted.len());
    for (i, w) in wanted.iter().enumerate() {
        let mut base = clean_sheet_name(w);
        if base.is_empty() {
            base = format!("{fallback} {}", i + 1);
        }
        let mut name = base.clone();
        let mut n = 1;
        while taken.contains(&name.to_lowercase()) || name.eq_ignore_ascii_case("history") {
            n += 1;
            let suffix = format!(" ({n})");
            let room = SHEET_NAME_MAX - suffix.len();
            name = format!("{}{suffix}", trim_sheet_name(&shorten_words(&base, room)));
        }
        taken.insert(name.to_lowercase());
        out.push(name);
    }
    out
}

/// Whether `name` would read as a cell reference (`AB12`, `R1C1`, `rc`): Excel refuses those
/// as table names.
fn looks_like_cell_ref(name: &str) -> bool {
    let letters = name.chars().take_while(char::is_ascii_alphabetic).count();
    let next_is_digit = name[letters..].starts_with(|c: char| c.is_ascii_digit());
    let upper = name.to_ascii_uppercase();
    ((1..=3).contains(&letters) && next_is_digit) || matches!(upper.as_str(), "R" | "C" | "RC")
}

/// A valid Excel table name from a hint, not in `taken` (lowercase names, updated): ASCII
/// letters, digits and `_` only (accents dropped: "Año" → "Ano"), starting with a letter or `_`,
/// never like a cell reference, at most 40 characters; repeats get `_2`, `_3`…
pub fn table_name(hint: &str, fallback: &str, taken: &mut BTreeSet<String>) -> String {
    let mut base = String::with_capacity(hint.len());
    let push = |ch: char| {
        if ch.is_ascii_alphanumeric() {
            base.push(ch);
        } else if !base.ends_with('_') {
            base.push('_');
        }
    };
    // ASCII has nothing to decompose: the NFD pass is for accented letters ("ó" → "o").
    if hint.is_ascii() {
        hint.chars().for_each(push);
    } else {
        hint.nfd().filter(|ch| !unicode_normalization::char::is_combining_mark(*ch)).for_each(push);
    }
    let mut base = cut_chars(base.trim_matches('_'), 40).trim_end_matches('_').to_string();
    if base.is_empty() {
        base = fallback.to_string();
    }
    if !base.starts_with(|c: char| c.is_ascii_alphabetic()) || looks_like_cell_ref(&base) {
        base = format!("T_{base}");
    }
    let mut name = base.clone();
    let mut lower = name.to_lowercase();
    let mut n = 1;
    while taken.contains(&lower) {
        n += 1;
        name = format!("{base}_{n}");
        lower = name.to_lowercase();
    }
    taken.insert(lower);
    name
}

/// Table headers Excel accepts: non-empty (an empty label becomes "`fallback` n"), one line,
/// at most 255 characters, unique case-insensitively (repeats get " 2", " 3"…).
pub fn unique_headers(labels: &[&str], fallback: &str) -> Vec<String> {
    // A table has a handful of columns: a list is quicker to search than a set is to build.
    let mut taken: Vec<String> = Vec::with_capacity(labels.len());
    let mut out = Vec::with_capacity(labels.len());
    for (j, label) in labels.iter().enumerate() {
        let one_line: std::borrow::Cow<str> = if label.chars().any(char::is_control) {
            label.chars().map(|c| if c.is_control() { ' ' } else { c }).collect::<String>().into()
        } else {
            (*label).into()
        };
        let mut base = cut_chars(one_line.trim(), 250).trim().to_string();
        if base.is_empty() {
            base = format!("{fallback} {}", j + 1);
        }
        let mut name = base.clone();
        let mut lower = name.to_lowercase();
        let mut n = 1;
        while taken.contains(&lower) {
            n += 1;
            name = format!("{base} {n}");
            lower = name.to_lowercase();
        }
        taken.push(lower);
        out.push(name);
    }
    out
}

/// The currency symbol the document's money values are written with ("1.234,50 €" → "€"),
/// or "€" when none shows one. Only what the workbook shows counts (`only="pdf"` does not).
pub fn currency_symbol(doc: &Document) -> String {
    let symbol_of = |v: &Value| -> Option<String> {
        if v.format != ValueFormat::Money || !v.number.is_some_and(f64::is_finite) {
            return None;
        }
        let s: String = v
            .text
            .chars()
            .filter(|c| !c.is_ascii_digit())
            .filter(|c| !matches!(c, '.' | ',' | '-' | '+' | '"' | '\'' | '—' | '–' | '(' | ')'))
            .filter(|c| !c.is_whitespace() && *c != '\u{a0}' && *c != '\u{202f}')
            .collect();
        (!s.is_empty() && s.chars().count() <= 4).then_some(s)
    };
    let mut found = None;
    for block in doc.sections_in(Media::Xlsx).flat_map(|s| s.blocks_in(Media::Xlsx)) {
        let v = match block {
            Block::Kpis(k) => k.iter().find_map(|k| symbol_of(&k.value)),
            Block::Table(t) => {
                t.rows.iter().chain(t.totals.iter()).flatten().find_map(|c| symbol_of(&c.value))
            }
            _ => None,
        };
        if v.is_some() {
            found = v;
            break;
        }
    }
    found.unwrap_or_else(|| "€".to_string())
}

/// Excel number format of a value format in a document's locale: money `#,##0.00 "€"` (es-ES)
/// / `"$"#,##0.00` (en), percent `0.0%`, int `#,##0`, number `#,##0.00`, date `dd/mm/yyyy`
/// (es-ES, en-GB) / `mm/dd/yyyy` (en-US), text `@`-free general. Excel shows the separators
/// of the reader's own settings; the order of day and month and the symbol's place are ours.
pub fn num_format(format: ValueFormat, lang: &str, currency: &str) -> String {
    num_format_decimals(format, lang, currency, None)
}

/// [`num_format`] with the decimals a percent or number shows (`Some(0)`: `0%`, `#,##0`);
/// `None` keeps the defaults (percent 1; number 3, as the templates' `num` filter writes them:
/// an HHI of 0.095 is not "0.10").
pub fn num_format_decimals(format: ValueFormat, lang: &str, currency: &str, decimals: Option<u8>) -> String {
    let loc = Locale::of_document(lang);
    let frac = |d: u8| if d == 0 { String::new() } else { format!(".{}", "0".repeat(usize::from(d))) };
    match format {
        ValueFormat::Text => String::new(),
        ValueFormat::Money => loc.excel_money(currency),
        ValueFormat::Percent => format!("0{}%", frac(decimals.unwrap_or(1))),
        ValueFormat::Int => "#,##0".into(),
        ValueFormat::Number => format!("#,##0{}", frac(decimals.unwrap_or(3))),
        ValueFormat::Date => loc.excel_date().into(),
    }
}

/// The decimals a percent or number value's text shows (`41,2 %` → 1, `0,094` → 3, `41 %` →
/// 0), so the workbook shows what the PDF shows; None for other formats or an unreadable text.
pub fn shown_decimals(v: &Value, lang: &str) -> Option<u8> {
    if !matches!(v.format, ValueFormat::Percent | ValueFormat::Number) {
        return None;
    }
    let sep = if Locale::of_document(lang).comma_decimal() { ',' } else { '.' };
    // The digits after the last separator, counted as the text is read (no copy of its digits:
    // every figure written asks).
    let (mut any_digit, mut after_sep) = (false, 0usize);
    for c in v.text.chars() {
        if c.is_ascii_digit() {
            any_digit = true;
            after_sep += 1;
        } else if c == sep {
            after_sep = 0;
        }
    }
    if !any_digit {
        return None;
    }
    let d = if v.text.contains(sep) { after_sep } else { 0 };
    u8::try_from(d.min(10)).ok()
}

/// The number stored for a value: money to the cent, a percent or number to the decimals it
/// shows plus two, an int whole; None when the value has no finite number.
pub fn stored_number(v: &Value, lang: &str) -> Option<f64> {
    let n = v.number.filter(|n| n.is_finite())?;
    Some(match stored_decimals(v, lang) {
        Some(d) => round_to(n, d),
        None => n,
    })
}

/// The decimals [`stored_number`] keeps for a value: money 2, a percent what it shows + 4 (a
/// share shown as 41,2 % is 0.412: three decimals, plus two), a number what it shows + 2, an
/// int 0; None for text and dates.
pub fn stored_decimals(v: &Value, lang: &str) -> Option<i32> {
    match v.format {
        ValueFormat::Money => Some(2),
        ValueFormat::Percent => Some(i32::from(shown_decimals(v, lang).unwrap_or(1)) + 4),
        ValueFormat::Number => Some(i32::from(shown_decimals(v, lang).unwrap_or(2)) + 2),
        ValueFormat::Int => Some(0),
        ValueFormat::Text | ValueFormat::Date => None,
    }
}

/// `v` rounded to `decimals` (halves away from zero), never a negative zero.
pub fn round_to(v: f64, decimals: i32) -> f64 {
    let f = 10f64.powi(decimals);
    let r = (v * f).round() / f;
    if r == 0.0 {
        0.0
    } else {
        r
    }
}

/// Excel's number format for a chart axis showing values of `format`: whole units.
pub fn axis_format(format: ValueFormat, lang: &str, currency: &str) -> String {
    match format {
        ValueFormat::Money if !Locale::of_document(lang).comma_decimal() => format!("\"{currency}\"#,##0"),
        ValueFormat::Money => format!("#,##0 \"{currency}\""),
        ValueFormat::Percent => "0%".into(),
        ValueFormat::Date => num_format(format, lang, currency),
        _ => "#,##0".into(),
    }
}

/// Text for an Excel header/footer section: `&` doubled so it shows as itself, cut to
/// `max` characters.
pub fn header_text(s: &str, max: usize) -> String {
    let one_line: String = s.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    cut_chars(&one_line, max).replace('&', "&&")
}

/// A page label pattern ("Página {page} de {pages}") as Excel header/footer codes
/// ("Página &P de &N"); "&P / &N" when the pattern is empty.
pub fn page_label_codes(label: &str) -> String {
    if label.trim().is_empty() {
        return "&P / &N".into();
    }
    header_text(label, 100).replace("{pages}", "&N").replace("{page}", "&P")
}

/// Rows a chart of `height` pixels covers at Excel's default 20-pixel rows, plus one.
pub fn chart_rows(height: u32) -> u32 {
    height.div_ceil(20) + 1
}

/// Cumulative shares of `values` (each running total over the grand total), for a Pareto
/// line when the document gives only the bars; all zero when the total is not positive.
pub fn cumulative_shares(values: &[f64]) -> Vec<f64> {
    let total: f64 = values.iter().filter(|v| v.is_finite()).sum();
    let mut run = 0.0;
    values
        .iter()
        .map(|v| {
            if v.is_finite() {
                run += v;
            }
            if total > 0.0 {
                run / total
            } else {
                0.0
            }
        })
        .collect()
}

/// Whether a drop-down list can be written inline in the validation rule: Excel splits inline
/// lists at commas and limits them to 255 characters; other lists go to the data sheet.
pub fn inline_list(choices: &[String]) -> bool {
    let len: usize = choices.iter().map(|c| utf16_len(c) + 1).sum();
    len <= 255 && choices.iter().all(|c| !c.contains(',') && !c.is_empty())
}

/// Whether the document needs the chart-data sheet: it has a chart with points, or a
/// drop-down list too long or with commas for an inline rule, in what the workbook shows.
pub fn needs_data_sheet(doc: &Document) -> bool {
    doc.sections_in(Media::Xlsx).flat_map(|s| s.blocks_in(Media::Xlsx)).any(|b| match b {
        Block::Chart(c) => c.series.iter().any(|s| !s.points.is_empty()),
        Block::Table(t) => t.columns.iter().any(|c| !c.choices.is_empty() && !inline_list(&c.choices)),
        Block::Fields(f) => f.iter().any(|f| !f.choices.is_empty() && !inline_list(&f.choices)),
        _ => false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::{Kpi, PageBreak, Section};

    #[test]
    fn sheet_names_are_valid_and_unique() {
        let long = "Cuentas clave de Distribuciones Hermanos García";
        let names = sheet_names(
            &[
                "Resumen",
                "resumen",
                "a/b:c*d?e[f]g\\h",
                "'Quoted'",
                "",
                long,
                long,
                "History",
                "  spaced\tout  ",
                "''",
            ],
            "Hoja",
        );
        assert_eq!(names[0], "Resumen");
        assert_eq!(names[1], "resumen (2)");
        assert_eq!(names[2], "a-b-c-d-e-f-g-h");
        assert_eq!(names[3], "Quoted");
        assert_eq!(names[4], "Hoja 5");
        assert_eq!(names[5], "Cuentas clave de Distribuciones");
        assert_eq!(names[6], "Cuentas clave (2)", "cut at a word, not after \"de\"");
        assert_eq!(names[7], "History (2)");
        assert_eq!(names[8], "spaced out");
        assert_eq!(names[9], "Hoja 10");
        let mut lower: Vec<String> = names.iter().map(|n| n.to_lowercase()).collect();
        lower.sort();
        lower.dedup();
        assert_eq!(lower.len(), names.len());
        for n in &names {
            assert!(utf16_len(n) <= 31, "{n}");
            assert!(!n.starts_with('\'') && !n.ends_with('\''), "{n}");
        }
    }

    #[test]
    fn long_names_lose_legal_forms_then_words_never_letters() {
        let cases = [
            ("Distribuidora Hostelera Hnos. Ferrer S.L.", "Distribuidora Hostelera Ferrer"),
            ("Residencias Mayores Albufera S.L.", "Residencias Mayores Albufera"),
            ("Cash & Carry Levante S.A.", "Cash & Carry Levante S.A."),
            ("Autoservicio Hostelero Herrera S.L.", "Autoservicio Hostelero Herrera"),
            ("Comercial de Suministros Industriales del Mediterráneo", "Comercial de Suministros"),
            ("Restaurante Casa López, Hijos y Nietos", "Restaurante Casa López, Hijos"),
            ("International Widgets Holdings GmbH & Co KG", "International Widgets Holdings"),
            ("Supercalifragilisticoespialidosamente", "Supercalifragilisticoespialidos"),
        ];
        for (name, want) in cases {
            let got = sheet_names(&[name], "Hoja").remove(0);
            assert_eq!(got, want, "{name}");
            assert!(utf16_len(&got) <= 31);
        }
        let two = sheet_names(
            &["Distribuidora Hostelera Hnos. Ferrer S.L.", "Distribuidora Hostelera Hnos. Ferrer S.A."],
            "Hoja",
        );
        assert_eq!(two, ["Distribuidora Hostelera Ferrer", "Distribuidora Hostelera (2)"]);
    }

    #[test]
    fn sheet_names_count_utf16_and_never_end_in_apostrophe_after_cut() {
        let emoji = "😀".repeat(20); // 40 UTF-16 units
        let n = &sheet_names(&[&emoji], "Hoja")[0];
        assert_eq!(utf16_len(n), 30);
        let tricky = format!("{}'{}", "x".repeat(30), "yyyy");
        assert_eq!(sheet_names(&[&tricky], "Hoja")[0], "x".repeat(30));
    }

    #[test]
    fn table_names_follow_excel_rules() {
        let mut taken = BTreeSet::new();
        let cases = [
            ("cuentas", "cuentas"),
            ("Cuentas", "Cuentas_2"),
            ("Reuniones año 2026", "Reuniones_ano_2026"),
            ("2026 ventas", "T_2026_ventas"),
            ("A1", "T_A1"),
            ("abc12", "T_abc12"),
            ("R1C1", "T_R1C1"),
            ("rc", "T_rc"),
            ("", "Tabla"),
            ("—", "Tabla_2"),
            ("mapa de decisores", "mapa_de_decisores"),
        ];
        for (hint, want) in cases {
            assert_eq!(table_name(hint, "Tabla", &mut taken), want, "{hint:?}");
        }
        let long = table_name(&"x".repeat(300), "Tabla", &mut taken);
        assert_eq!(long.len(), 40);
    }

    #[test]
    fn headers_are_unique_and_non_empty() {
        let h = unique_headers(&["Ventas", "ventas", "", "  ", "a\nb"], "Columna");
        assert_eq!(h, ["Ventas", "ventas 2", "Columna 3", "Columna 4", "a b"]);
    }

    #[test]
    fn number_formats_by_locale() {
        assert_eq!(num_format(ValueFormat::Money, "es", "€"), "#,##0.00 \"€\"");
        assert_eq!(num_format(ValueFormat::Money, "en", "€"), "\"€\"#,##0.00");
        assert_eq!(num_format(ValueFormat::Percent, "es", "€"), "0.0%");
        assert_eq!(num_format(ValueFormat::Int, "en", "€"), "#,##0");
        assert_eq!(num_format(ValueFormat::Number, "es", "€"), "#,##0.000");
        assert_eq!(num_format(ValueFormat::Date, "es", "€"), "dd/mm/yyyy");
        assert_eq!(num_format(ValueFormat::Date, "en", "€"), "dd/mm/yyyy", "en is en-GB");
        assert_eq!(num_format(ValueFormat::Date, "en-US", "$"), "mm/dd/yyyy");
        assert_eq!(num_format(ValueFormat::Money, "en-US", "$"), "\"$\"#,##0.00");
        assert_eq!(num_format(ValueFormat::Money, "es-ES", "€"), "#,##0.00 \"€\"");
        assert_eq!(axis_format(ValueFormat::Percent, "es", "€"), "0%");
    }

    #[test]
    fn page_labels_become_excel_codes() {
        assert_eq!(page_label_codes("Página {page} de {pages}"), "Página &P de &N");
        assert_eq!(page_label_codes("Page {page} of {pages}"), "Page &P of &N");
        assert_eq!(page_label_codes(""), "&P / &N");
        assert_eq!(header_text("Smith & Co", 100), "Smith && Co");
        assert_eq!(header_text("abcdef", 3), "abc");
    }

    fn val(text: &str, format: ValueFormat, number: Option<f64>) -> Value {
        Value { text: text.into(), format, number, date: None }
    }

    #[test]
    fn shown_decimals_count_the_digits_after_the_last_separator() {
        // As the text was read before: its digits and separators kept, the part after the last
        // separator counted.
        let by_copy = |text: &str, sep: char| {
            let digits: String = text.chars().filter(|c| c.is_ascii_digit() || *c == sep).collect();
            if !digits.chars().any(|c| c.is_ascii_digit()) {
                return None;
            }
            u8::try_from(digits.rsplit_once(sep).map_or(0, |(_, f)| f.len()).min(10)).ok()
        };
        let texts = [
            "41,2 %",
            "1.234,567",
            "5 %",
            "—",
            "",
            ",",
            "1,",
            "0,123456789012 %",
            "12.5%",
            "1,234.50",
            "a,b",
        ];
        for (lang, sep) in [("es", ','), ("en-US", '.')] {
            for t in texts {
                for format in [ValueFormat::Percent, ValueFormat::Number] {
                    assert_eq!(shown_decimals(&val(t, format, None), lang), by_copy(t, sep), "{t:?} {lang}");
                }
            }
        }
        assert_eq!(shown_decimals(&val("41,2 %", ValueFormat::Percent, None), "es"), Some(1));
        assert_eq!(shown_decimals(&val("41,2", ValueFormat::Money, None), "es"), None);
    }

    #[test]
    fn cumulative_shares_reach_one() {
        assert_eq!(cumulative_shares(&[2.0, 1.0, 1.0]), [0.5, 0.75, 1.0]);
        assert_eq!(cumulative_shares(&[0.0, 0.0]), [0.0, 0.0]);
    }

    #[test]
    fn currency_comes_from_money_texts() {
        let doc = |texts: &[(&str, Option<f64>)]| Document {
            title: String::new(),
            lang: "es".into(),
            author: String::new(),
            subject: String::new(),
            sections: vec![Section {
                id: None,
                media: Media::All,
                block_media: Default::default(),
                title: "s".into(),
                sheet: "s".into(),
                page_break: PageBreak::Auto,
                blocks: vec![Block::Kpis(
                    texts
                        .iter()
                        .map(|(t, n)| Kpi {
                            label: "k".into(),
                            value: val(t, ValueFormat::Money, *n),
                            name: None,
                            formula: None,
                        })
                        .collect(),
                )],
            }],
        };
        assert_eq!(currency_symbol(&doc(&[("1.234,50\u{a0}€", Some(1234.5))])), "€");
        assert_eq!(currency_symbol(&doc(&[("-$1,234.50", Some(-1234.5))])), "$");
        assert_eq!(currency_symbol(&doc(&[("—", None), ("1 234,50 CHF", Some(1.0))])), "CHF");
        assert_eq!(currency_symbol(&doc(&[])), "€");
    }

    #[test]
    fn inline_lists_avoid_commas_and_long_lists() {
        assert!(inline_list(&["Pendiente".into(), "Hecha".into()]));
        assert!(!inline_list(&["Sí, pronto".into()]));
        assert!(!inline_list(&vec!["x".repeat(30); 10]));
    }
}
