//! How rows and values are read: titles, totals and repeated headers skipped, monthly sheets,
//! numbers typed as text in either locale, dates, name variants, returns.

use crate::util::*;

use super::*;

#[test]
fn titles_above_the_header_totals_and_repeated_headers_are_skipped_and_counted() {
    let dir = tmp();
    write_book(&dir.path().join("ventas.xlsx"), &[("Ene-26", month_sheet(1))]);
    let (v, code) = json_of(dir.path(), &["ventas.xlsx"]);
    assert_eq!(code, 0, "{v}");
    let sh = sheet(&v, "Ene-26");
    assert_eq!(sh["role"], "sales");
    assert_eq!(sh["header_row"], 4);
    assert_eq!(sh["columns"]["date"], "A (Fecha factura)");
    assert_eq!(sh["columns"]["customer_id"], "B (Cód. cliente)");
    assert_eq!(sh["columns"]["customer_name"], "C (Cliente)");
    assert_eq!(sh["columns"]["kam"], "D (Comercial)");
    assert_eq!(sh["columns"]["amount"], "F (Importe)");
    assert_eq!(sh["rows"], 11);
    assert_eq!(sh["transactions"], 4);
    assert_eq!(sh["rejected"], 0);
    assert_eq!(sh["skipped_by_reason"], serde_json::json!({"blank": 2, "title": 2, "header": 2, "total": 1}));
    assert!(close(&sh["amount_total"], 1900.5), "{}", sh["amount_total"]);
    assert!(close(&v["amount_total"], 1900.5));
    let o = kamplan(dir.path(), &["check", "ventas.xlsx"]);
    let out = stdout(&o);
    assert!(out.contains("ventas.xlsx › Ene-26"), "{out}");
    assert!(out.contains("sales lines, header in row 4"), "{out}");
    assert!(
        out.contains("rows      11 = 4 lines + 7 skipped (2 blank, 2 title, 2 header, 1 total) + 0 rejected"),
        "{out}"
    );
    assert!(out.contains("1.900,50 €"), "{out}");
    // Blank salesperson is no KAM; three customers, the two ACME spellings are one (code C001).
    assert!(out.contains("4 lines, 1.900,50 €, 3 customers, 2 KAMs, 1 return"), "{out}");
    assert!(out.contains("nothing rejected"), "{out}");
}

#[test]
fn monthly_sheets_are_all_read_and_added_up() {
    let dir = tmp();
    write_book(
        &dir.path().join("ventas.xlsx"),
        &[("Ene-26", month_sheet(1)), ("Feb-26", month_sheet(2)), ("Mar-26", month_sheet(3))],
    );
    let (v, code) = json_of(dir.path(), &["ventas.xlsx"]);
    assert_eq!(code, 0);
    assert_eq!(v["sheets"].as_array().unwrap().len(), 3);
    assert_eq!(v["transactions"], 12);
    assert_eq!(v["rows"], 33);
    assert!(close(&v["amount_total"], 3.0 * 1900.5));
    let out = stdout(&kamplan(dir.path(), &["check", "ventas.xlsx"]));
    assert!(out.contains("2026-01-03 to 2026-03-25"), "{out}");
}

#[test]
fn text_numbers_in_spanish_books() {
    let dir = tmp();
    let rows = vec![
        vec![s("Fecha"), s("Cliente"), s("Importe")],
        vec![s("01/02/2026"), s("A"), s("1.234,56")],
        vec![s("02/02/2026"), s("A"), s("1234,5")],
        vec![s("03/02/2026"), s("A"), s("€1.000,00")],
        vec![s("04/02/2026"), s("A"), s("(1.000,00)")],
        vec![s("05/02/2026"), s("A"), s("-10,5 €")],
        vec![s("06/02/2026"), s("A"), s("1.234")],
    ];
    write_book(&dir.path().join("es.xlsx"), &[("Ventas", rows)]);
    let (v, _) = json_of(dir.path(), &["es.xlsx"]);
    let sh = sheet(&v, "Ventas");
    assert_eq!(sh["transactions"], 6);
    // 1.234 is one thousand two hundred thirty-four: the column shows a decimal comma.
    assert!(
        close(&sh["amount_total"], 1234.56 + 1234.5 + 1000.0 - 1000.0 - 10.5 + 1234.0),
        "{}",
        sh["amount_total"]
    );
    let dec = sh["decimal"].as_str().unwrap();
    assert!(dec.contains("\",\"") && dec.contains("column") && dec.contains("1 ambiguous"), "{dec}");
}

#[test]
fn text_numbers_in_english_books() {
    let dir = tmp();
    let rows = vec![
        vec![s("Invoice date"), s("Customer"), s("Net sales")],
        vec![s("2026-02-01"), s("A"), s("1,234.56")],
        vec![s("2026-02-02"), s("A"), s("$1,000.00")],
        vec![s("2026-02-03"), s("A"), s("1.234")],
        vec![s("2026-02-04"), s("A"), s("-0.5")],
    ];
    write_book(&dir.path().join("en.xlsx"), &[("Sales", rows)]);
    let (v, _) = json_of(dir.path(), &["en.xlsx"]);
    let sh = sheet(&v, "Sales");
    assert!(close(&sh["amount_total"], 1234.56 + 1000.0 + 1.234 - 0.5), "{}", sh["amount_total"]);
    assert!(sh["decimal"].as_str().unwrap().starts_with("\".\""), "{}", sh["decimal"]);
}

#[test]
fn ambiguous_numbers_follow_the_config_then_spanish() {
    let dir = tmp();
    let rows = vec![
        vec![s("Fecha"), s("Cliente"), s("Importe")],
        vec![s("01/02/2026"), s("A"), s("1.234")],
        vec![s("02/02/2026"), s("A"), s("2.000")],
    ];
    write_book(&dir.path().join("b.xlsx"), &[("Ventas", rows)]);
    let (v, _) = json_of(dir.path(), &["b.xlsx"]);
    let sh = sheet(&v, "Ventas");
    assert!(close(&sh["amount_total"], 3234.0));
    assert!(sh["decimal"].as_str().unwrap().contains("default (Spanish)"), "{}", sh["decimal"]);
    std::fs::write(dir.path().join("kamplan.toml"), "[ingest]\ndecimal = \".\"\n").unwrap();
    let (v, _) = json_of(dir.path(), &["b.xlsx"]);
    let sh = sheet(&v, "Ventas");
    assert!(close(&sh["amount_total"], 3.234));
    assert!(sh["decimal"].as_str().unwrap().contains("config"), "{}", sh["decimal"]);
    let out = stdout(&kamplan(dir.path(), &["check", "b.xlsx"]));
    assert!(out.starts_with("kamplan check: 1 file, 1 sheet · settings from kamplan.toml"), "{out}");
}

#[test]
fn dates_as_cells_and_as_text_in_both_orders() {
    let dir = tmp();
    let rows = vec![
        vec![s("Fecha"), s("Cliente"), s("Importe")],
        vec![V::D(2026, 1, 5), s("A"), V::N(1.0)],
        vec![s("06/01/2026"), s("A"), V::N(1.0)],
        vec![s("07-01-26"), s("A"), V::N(1.0)],
        vec![s("2026-01-08"), s("A"), V::N(1.0)],
        vec![s("2026-01-09T10:30:00"), s("A"), V::N(1.0)],
    ];
    write_book(&dir.path().join("d.xlsx"), &[("Ventas", rows)]);
    let o = kamplan(dir.path(), &["check", "d.xlsx"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(
        stdout(&o).contains("5 lines") && stdout(&o).contains("2026-01-05 to 2026-01-09"),
        "{}",
        stdout(&o)
    );
    // Month first for US books: 01/13/2026 is January 13th.
    let rows = vec![
        vec![s("Date"), s("Customer"), s("Amount")],
        vec![s("01/13/2026"), s("A"), V::N(1.0)],
        vec![s("02/01/2026"), s("A"), V::N(1.0)],
    ];
    write_book(&dir.path().join("us.xlsx"), &[("Sales", rows)]);
    std::fs::write(dir.path().join("us.toml"), "[ingest]\ndate_order = \"mdy\"\n").unwrap();
    let o = kamplan(dir.path(), &["check", "-c", "us.toml", "us.xlsx"]);
    assert!(stdout(&o).contains("2026-01-13 to 2026-02-01"), "{}", stdout(&o));
}

#[test]
fn name_variants_without_a_code_are_one_customer_with_the_most_frequent_spelling() {
    let dir = tmp();
    let rows = vec![
        vec![s("Fecha"), s("Razón social"), s("Vendedor"), s("Ventas")],
        vec![V::D(2026, 1, 5), s("Acme S.A."), s("Ana"), V::N(10.0)],
        vec![V::D(2026, 1, 6), s("ACME  S.A. "), s("Ana"), V::N(10.0)],
        vec![V::D(2026, 1, 7), s("Acme S.A."), s("Ana"), V::N(10.0)],
        vec![V::D(2026, 1, 8), s("acme s.a."), s("Ana"), V::N(10.0)],
    ];
    write_book(&dir.path().join("n.xlsx"), &[("Ventas", rows)]);
    let out = stdout(&kamplan(dir.path(), &["check", "n.xlsx"]));
    assert!(out.contains("4 lines, 40,00 €, 1 customer, 1 KAM"), "{out}");
}

#[test]
fn returns_are_negative_lines() {
    let dir = tmp();
    let rows = vec![
        vec![s("Fecha"), s("Cliente"), s("Importe")],
        vec![V::D(2026, 1, 5), s("A"), V::N(500.0)],
        vec![V::D(2026, 1, 6), s("A"), V::N(-120.0)],
        vec![V::D(2026, 1, 7), s("A"), s("(30,00)")],
        vec![V::D(2026, 1, 8), s("A"), s("-50,00")],
    ];
    write_book(&dir.path().join("r.xlsx"), &[("Ventas", rows)]);
    let (v, _) = json_of(dir.path(), &["r.xlsx"]);
    assert!(close(&v["amount_total"], 300.0));
    assert!(stdout(&kamplan(dir.path(), &["check", "r.xlsx"])).contains("3 returns"));
}
