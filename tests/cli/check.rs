//! Integration tests for `kamplan check`: the real binary on books these tests write.

use std::io::Write;
use std::path::Path;

use serde_json::Value;

use crate::util::*;

fn s(x: &'static str) -> V {
    V::S(x)
}

fn json_of(dir: &Path, args: &[&str]) -> (Value, i32) {
    let mut all = vec!["check", "--format", "json"];
    all.extend_from_slice(args);
    let o = kamplan(dir, &all);
    let v: Value =
        serde_json::from_str(&stdout(&o)).unwrap_or_else(|e| panic!("{e}: {}{}", stdout(&o), stderr(&o)));
    (v, o.status.code().unwrap_or(-1))
}

fn sheet<'a>(v: &'a Value, name: &str) -> &'a Value {
    v["sheets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["sheet"] == name)
        .unwrap_or_else(|| panic!("no sheet {name}: {v}"))
}

fn close(a: &Value, b: f64) -> bool {
    (a.as_f64().unwrap() - b).abs() < 1e-6
}

fn header() -> Vec<V> {
    vec![s("Fecha factura"), s("Cód. cliente"), s("Cliente"), s("Comercial"), s("Artículo"), s("Importe")]
}

fn line(d: V, code: &'static str, name: &'static str, kam: &'static str, amount: V) -> Vec<V> {
    vec![d, s(code), s(name), s(kam), s("Tornillos"), amount]
}

/// A month sheet as clerks keep it: company and title above the header, a total row, a
/// repeated header after a blank row.
fn month_sheet(m: u8) -> Vec<Vec<V>> {
    vec![
        vec![s("Distribuciones Ejemplo S.L.")],
        vec![s("Ventas del mes")],
        vec![],
        header(),
        line(V::D(2026, m, 3), "C001", "Acme S.A.", "Lucía Pérez", V::N(1200.0)),
        line(V::D(2026, m, 10), "C002", "Beta SL", "Íñigo Núñez", V::N(800.5)),
        line(V::D(2026, m, 20), "C001", "ACME  S.A. ", "Lucía Pérez", V::N(-200.0)),
        vec![V::Empty, V::Empty, s("Total mes"), V::Empty, V::Empty, V::N(1800.5)],
        vec![],
        header(),
        line(V::D(2026, m, 25), "C003", "Gamma", "  ", V::N(100.0)),
    ]
}

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

/// A sales sheet with one bad row of each kind; F is the amount column.
fn bad_book(path: &Path) {
    use rust_xlsxwriter::{ExcelDateTime, Format, Formula, Workbook};
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("Ene-26").unwrap();
    let fmt = Format::new().set_num_format("dd/mm/yyyy");
    let heads = ["Fecha", "Cód. cliente", "Cliente", "Comercial", "Artículo", "Importe"];
    for (c, h) in heads.iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    let date = ExcelDateTime::from_ymd(2026, 1, 15).unwrap();
    for r in 1..=5u32 {
        ws.write_datetime_with_format(r, 0, &date, &fmt).unwrap();
        ws.write_string(r, 1, format!("C00{r}")).unwrap();
        if r != 4 {
            ws.write_string(r, 2, format!("Cliente {r}")).unwrap();
        }
        ws.write_number(r, 5, 100.0).unwrap();
    }
    ws.write_string(2, 5, "pendiente").unwrap(); // F3
    ws.write_formula(3, 5, Formula::new("=NA()").set_result("#N/A")).unwrap(); // F4
    ws.write_string(4, 1, " ").unwrap(); // B5: no code, and no name in C5
    ws.write_string(5, 0, "31/02/2026").unwrap(); // A6
    wb.save(path).unwrap();
}

#[test]
fn bad_rows_are_rejected_with_their_cell_and_reason() {
    let dir = tmp();
    bad_book(&dir.path().join("ventas.xlsx"));
    let (v, code) = json_of(dir.path(), &["ventas.xlsx"]);
    assert_eq!(code, 1, "rejects end with warnings");
    let sh = sheet(&v, "Ene-26");
    assert_eq!(sh["transactions"], 1, "{sh}");
    assert_eq!(sh["rejected"], 4);
    assert_eq!(sh["rows"], 6);
    assert!(close(&sh["amount_total"], 100.0), "a bad amount is never read as zero or counted");
    let rejects = sh["rejects"].as_array().unwrap();
    let got: Vec<(u64, &str, &str)> = rejects
        .iter()
        .map(|r| (r["row"].as_u64().unwrap(), r["column"].as_str().unwrap(), r["value"].as_str().unwrap()))
        .collect();
    assert_eq!(
        got,
        vec![
            (3, "F (Importe)", "pendiente"),
            (4, "F (Importe)", "#N/A"),
            (5, "B (Cód. cliente)", " "),
            (6, "A (Fecha)", "31/02/2026"),
        ]
    );
    let keys: Vec<&String> = rejects[0].as_object().unwrap().keys().collect();
    assert_eq!(keys, ["column", "file", "reason", "row", "sheet", "value"]);
    assert_eq!(rejects[0]["file"], "ventas.xlsx");
    assert_eq!(rejects[0]["sheet"], "Ene-26");
    assert!(rejects[0]["reason"].as_str().unwrap().contains("expected a number"));
    assert!(rejects[1]["reason"].as_str().unwrap().contains("#N/A"));
    assert!(rejects[2]["reason"].as_str().unwrap().contains("customer is blank"));
    assert!(rejects[3]["reason"].as_str().unwrap().contains("date"));
    let o = kamplan(dir.path(), &["check", "ventas.xlsx"]);
    let out = stdout(&o);
    assert!(
        out.contains("ventas.xlsx › Ene-26 › F3  Importe = \"pendiente\": expected a number, found text"),
        "{out}"
    );
    assert!(out.contains("ventas.xlsx › Ene-26 › A6  Fecha = \"31/02/2026\""), "{out}");
    assert!(out.contains("4 rows rejected"), "{out}");
    assert!(out.contains("1 × F (Importe): expected a number, found text"), "{out}");
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn more_than_twenty_rejects_are_summarised_in_text_and_all_listed_in_json() {
    let dir = tmp();
    let mut rows = vec![vec![s("Fecha"), s("Cliente"), s("Importe")]];
    for _ in 0..25 {
        rows.push(vec![V::D(2026, 1, 5), s("A"), s("n/d")]);
    }
    rows.push(vec![V::D(2026, 1, 5), s("A"), V::N(1.0)]);
    write_book(&dir.path().join("b.xlsx"), &[("Ventas", rows)]);
    let out = stdout(&kamplan(dir.path(), &["check", "b.xlsx"]));
    assert!(out.contains("and 5 more"), "{out}");
    assert_eq!(out.matches("Importe = \"n/d\": expected a number").count(), 20);
    let (v, _) = json_of(dir.path(), &["b.xlsx"]);
    assert_eq!(sheet(&v, "Ventas")["rejects"].as_array().unwrap().len(), 25);
}

#[test]
fn a_hidden_notes_sheet_is_skipped_silently_and_a_visible_one_with_a_notice() {
    use rust_xlsxwriter::Workbook;
    let dir = tmp();
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet().set_name("Ventas").unwrap();
    for (c, h) in ["Fecha", "Cliente", "Importe"].iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    ws.write_string(1, 0, "2026-01-05").unwrap();
    ws.write_string(1, 1, "A").unwrap();
    ws.write_number(1, 2, 5.0).unwrap();
    let notes = wb.add_worksheet().set_name("Notas").unwrap();
    notes.write_string(0, 0, "recordar revisar devoluciones").unwrap();
    notes.set_hidden(true);
    let readme = wb.add_worksheet().set_name("Léeme").unwrap();
    readme.write_string(0, 0, "Este libro lo mantiene administración").unwrap();
    wb.save(dir.path().join("b.xlsx")).unwrap();
    let out = stdout(&kamplan(dir.path(), &["check", "b.xlsx"]));
    assert!(!out.contains("Notas"), "{out}");
    assert!(out.contains("b.xlsx › Léeme\n  skipped: no header row"), "{out}");
}

#[test]
fn master_directory_and_activity_sheets_get_their_roles() {
    let dir = tmp();
    write_book(
        &dir.path().join("ventas.xlsx"),
        &[("Ventas", vec![header(), line(V::D(2026, 1, 5), "C001", "Acme", "Lucía Pérez", V::N(1.0))])],
    );
    write_book(
        &dir.path().join("maestro.xlsx"),
        &[
            (
                "Clientes",
                vec![
                    vec![
                        s("Código cliente"),
                        s("Razón social"),
                        s("Estratégico"),
                        s("Potencial anual"),
                        s("KAM asignado"),
                        s("Segmento"),
                    ],
                    vec![s("C001"), s("Acme S.A."), s("Sí"), s("250.000"), s("Lucía Pérez"), s("Industria")],
                    vec![s("C002"), s("Beta"), s("No"), V::N(1000.0), V::Empty, s("Retail")],
                    vec![V::Empty, V::Empty, s("Sí")],
                    vec![V::Empty, s("Total clientes: 2")],
                    vec![s("C003"), s("Total Energías S.A."), s("No")],
                ],
            ),
            (
                "Comerciales",
                vec![
                    vec![s("Comercial"), s("Email"), s("Jefe de ventas"), s("Zona")],
                    vec![s("Lucía Pérez"), s("lucia@example.com"), s("Marta Gil"), s("Norte")],
                    vec![s("Íñigo Núñez"), s("inigo@example.com"), s("Marta Gil"), s("Sur")],
                ],
            ),
            (
                "Visitas",
                vec![
                    vec![s("Fecha"), s("Cód. cliente"), s("Tipo"), s("Notas")],
                    vec![V::D(2026, 1, 7), s("C001"), s("Visita"), s("presentación catálogo")],
                ],
            ),
        ],
    );
    let (v, code) = json_of(dir.path(), &["ventas.xlsx", "maestro.xlsx"]);
    assert_eq!(code, 1, "the master row without a customer is rejected");
    assert_eq!(sheet(&v, "Clientes")["role"], "master");
    assert_eq!(sheet(&v, "Clientes")["transactions"], 3, "Total Energías is a customer");
    assert_eq!(sheet(&v, "Clientes")["skipped_by_reason"]["total"], 1);
    assert_eq!(sheet(&v, "Clientes")["rejects"][0]["column"], "A (Código cliente)");
    assert_eq!(sheet(&v, "Comerciales")["role"], "directory");
    assert_eq!(sheet(&v, "Comerciales")["columns"]["region"], "D (Zona)");
    assert_eq!(sheet(&v, "Visitas")["role"], "activity");
    let out = stdout(&kamplan(dir.path(), &["check", "ventas.xlsx", "maestro.xlsx"]));
    assert!(out.contains("master    3 customers, 1 strategic"), "{out}");
    assert!(out.contains("directory 2 KAMs"), "{out}");
    assert!(out.contains("activity  1 contact"), "{out}");
}

#[test]
fn folders_are_read_sorted_and_lock_files_skipped() {
    let dir = tmp();
    let books = dir.path().join("libros");
    std::fs::create_dir(&books).unwrap();
    let rows =
        || vec![vec![s("Fecha"), s("Cliente"), s("Importe")], vec![V::D(2026, 1, 5), s("A"), V::N(1.0)]];
    write_book(&books.join("b.xlsx"), &[("Ventas", rows())]);
    write_book(&books.join("a.xlsx"), &[("Ventas", rows())]);
    std::fs::write(books.join("~$a.xlsx"), b"lock").unwrap();
    std::fs::write(books.join("notas.pdf"), b"hola").unwrap();
    let (v, code) = json_of(dir.path(), &["libros"]);
    assert_eq!(code, 0, "{v}");
    let files: Vec<&str> = v["files"].as_array().unwrap().iter().map(|f| f.as_str().unwrap()).collect();
    assert_eq!(files.len(), 2);
    assert!(files[0].ends_with("a.xlsx") && files[1].ends_with("b.xlsx"), "{files:?}");
    // Read in parallel, merged as one: the same customer in both books is one customer.
    let out = stdout(&kamplan(dir.path(), &["check", "libros"]));
    assert!(out.contains("2 lines, 2,00 €, 1 customer, 0 KAMs"), "{out}");
}

/// A minimal OpenDocument spreadsheet: mimetype, manifest and content.
fn write_ods(path: &Path, rows: &[&[(&str, &str)]]) {
    let f = std::fs::File::create(path).unwrap();
    let mut z = zip::ZipWriter::new(f);
    let stored = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    z.start_file("mimetype", stored).unwrap();
    z.write_all(b"application/vnd.oasis.opendocument.spreadsheet").unwrap();
    z.start_file("META-INF/manifest.xml", stored).unwrap();
    z.write_all(br#"<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">
 <manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>
 <manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>
</manifest:manifest>"#)
        .unwrap();
    let mut xml = String::from(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body><office:spreadsheet><table:table table:name="Ventas">"#,
    );
    for row in rows {
        xml.push_str("<table:table-row>");
        for (kind, val) in *row {
            match *kind {
                "s" => xml.push_str(&format!(r#"<table:table-cell office:value-type="string"><text:p>{val}</text:p></table:table-cell>"#)),
                "n" => xml.push_str(&format!(r#"<table:table-cell office:value-type="float" office:value="{val}"><text:p>{val}</text:p></table:table-cell>"#)),
                "d" => xml.push_str(&format!(r#"<table:table-cell office:value-type="date" office:date-value="{val}"><text:p>{val}</text:p></table:table-cell>"#)),
                _ => xml.push_str("<table:table-cell/>"),
            }
        }
        xml.push_str("</table:table-row>");
    }
    xml.push_str("</table:table></office:spreadsheet></office:body></office:document-content>");
    z.start_file("content.xml", stored).unwrap();
    z.write_all(xml.as_bytes()).unwrap();
    z.finish().unwrap();
}

#[test]
fn an_ods_copy_reads_like_the_xlsx_with_cells_named_as_excel_names_them() {
    let dir = tmp();
    write_ods(
        &dir.path().join("ventas.ods"),
        &[
            &[("s", "Ventas enero")],
            &[],
            &[("e", ""), ("s", "Fecha"), ("s", "Cliente"), ("s", "Importe")],
            &[("e", ""), ("d", "2026-01-05"), ("s", "Acme"), ("n", "100.5")],
            &[("e", ""), ("s", "06/01/2026"), ("s", "Acme"), ("s", "1.000,00")],
            &[("e", ""), ("d", "2026-01-07"), ("s", "Beta"), ("s", "pendiente")],
        ],
    );
    let (v, code) = json_of(dir.path(), &["ventas.ods"]);
    assert_eq!(code, 1, "{v}");
    let sh = sheet(&v, "Ventas");
    assert_eq!(sh["header_row"], 3);
    assert_eq!(sh["columns"]["date"], "B (Fecha)");
    assert_eq!(sh["transactions"], 2);
    assert!(close(&sh["amount_total"], 1100.5));
    assert_eq!(sh["rejects"][0]["row"], 6);
    assert_eq!(sh["rejects"][0]["column"], "D (Importe)");
    assert_eq!(sh["rows"], 6);
}

/// Rewrites an xlsx so its workbook uses the 1904 date system.
fn to_1904(src: &Path, dst: &Path) {
    let mut a = zip::ZipArchive::new(std::fs::File::open(src).unwrap()).unwrap();
    let mut z = zip::ZipWriter::new(std::fs::File::create(dst).unwrap());
    let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for i in 0..a.len() {
        let mut f = a.by_index(i).unwrap();
        let name = f.name().unwrap().to_string();
        let mut data = Vec::new();
        std::io::Read::read_to_end(&mut f, &mut data).unwrap();
        if name == "xl/workbook.xml" {
            let s = String::from_utf8(data).unwrap().replacen("<workbookPr", "<workbookPr date1904=\"1\"", 1);
            data = s.into_bytes();
        }
        z.start_file(name, opts).unwrap();
        z.write_all(&data).unwrap();
    }
    z.finish().unwrap();
}

#[test]
fn date_cells_in_the_1904_system() {
    use rust_xlsxwriter::{Format, Workbook};
    let dir = tmp();
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet().set_name("Ventas").unwrap();
    for (c, h) in ["Fecha", "Cliente", "Importe"].iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    // Serial 44587 is 2026-01-27 counted from 1904 (2022-01-26 from 1900).
    ws.write_number_with_format(1, 0, 44587.0, &Format::new().set_num_format("dd/mm/yyyy")).unwrap();
    ws.write_string(1, 1, "A").unwrap();
    ws.write_number(1, 2, 5.0).unwrap();
    wb.save(dir.path().join("b1900.xlsx")).unwrap();
    to_1904(&dir.path().join("b1900.xlsx"), &dir.path().join("b1904.xlsx"));
    let out = stdout(&kamplan(dir.path(), &["check", "b1904.xlsx"]));
    assert!(out.contains("2026-01-27 to 2026-01-27"), "{out}");
    let out = stdout(&kamplan(dir.path(), &["check", "b1900.xlsx"]));
    assert!(out.contains("2022-01-26 to 2022-01-26"), "{out}");
}

fn one_error_line(dir: &Path, args: &[&str], wants: &[&str]) {
    let mut all = vec!["check"];
    all.extend_from_slice(args);
    let o = kamplan(dir, &all);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(3), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(!err.contains("panicked"), "{err}");
    for w in wants {
        assert!(err.contains(w), "{w:?} not in {err}");
    }
}

#[test]
fn unreadable_files_are_one_clear_line_naming_the_file() {
    let dir = tmp();
    let d = dir.path();
    std::fs::write(d.join("roto.xlsx"), b"this is not a workbook at all").unwrap();
    one_error_line(d, &["roto.xlsx"], &["roto.xlsx", "not a .xlsx spreadsheet"]);
    std::fs::write(d.join("vacio.xlsx"), b"").unwrap();
    one_error_line(d, &["vacio.xlsx"], &["vacio.xlsx", "empty"]);
    // Truncated: the first half of a good book.
    let good = write_book(&d.join("bueno.xlsx"), &[("Ventas", month_sheet(1))]);
    let bytes = std::fs::read(&good).unwrap();
    std::fs::write(d.join("cortado.xlsx"), &bytes[..bytes.len() / 2]).unwrap();
    one_error_line(d, &["cortado.xlsx"], &["cortado.xlsx", "damaged or truncated"]);
    // Password-protected books are OLE containers holding an encrypted package, not zips.
    let mut cf = cfb::create(d.join("clave.xlsx")).unwrap();
    cf.create_stream("/EncryptionInfo").unwrap().write_all(&[4, 0, 4, 0]).unwrap();
    cf.create_stream("/EncryptedPackage").unwrap().write_all(&[0; 64]).unwrap();
    cf.flush().unwrap();
    drop(cf);
    one_error_line(d, &["clave.xlsx"], &["clave.xlsx", "password-protected"]);
    // An OLE header with nothing sound behind it is damaged, not password-protected.
    let mut ole = vec![0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];
    ole.resize(4096, 0);
    std::fs::write(d.join("ole.xlsx"), &ole).unwrap();
    one_error_line(d, &["ole.xlsx"], &["ole.xlsx", "damaged"]);
    std::fs::write(d.join("notas.pdf"), b"hola").unwrap();
    one_error_line(d, &["notas.pdf"], &["notas.pdf", "not a spreadsheet"]);
    // A text export is read as text; one that is binary says so.
    std::fs::write(d.join("binario.csv"), b"PK\x03\x04\x00\x00garbage").unwrap();
    one_error_line(d, &["binario.csv"], &["binario.csv", "not a text file"]);
    std::fs::write(d.join("notas.txt"), b"hola").unwrap();
    one_error_line(d, &["notas.txt"], &["no sales lines found in notas.txt"]);
    one_error_line(d, &["no-existe.xlsx"], &["no-existe.xlsx", "no such file"]);
}

#[test]
fn no_sales_sheet_is_an_input_error() {
    let dir = tmp();
    write_book(
        &dir.path().join("maestro.xlsx"),
        &[("Clientes", vec![vec![s("Código cliente"), s("Razón social")], vec![s("C1"), s("Acme")]])],
    );
    one_error_line(
        dir.path(),
        &["maestro.xlsx"],
        &["no sales lines found in maestro.xlsx (maestro.xlsx › Clientes: customer master)"],
    );
    std::fs::create_dir(dir.path().join("vacia")).unwrap();
    one_error_line(dir.path(), &["vacia"], &["no spreadsheet found in vacia"]);
}

#[test]
fn json_report_has_every_count_for_programs() {
    let dir = tmp();
    bad_book(&dir.path().join("ventas.xlsx"));
    let (v, _) = json_of(dir.path(), &["ventas.xlsx"]);
    for key in ["files", "sheets", "rows", "transactions", "skipped", "rejected", "amount_total", "warnings"]
    {
        assert!(v.get(key).is_some(), "{key} missing in {v}");
    }
    let sh = &v["sheets"][0];
    for key in [
        "file",
        "sheet",
        "role",
        "hidden",
        "header_row",
        "columns",
        "decimal",
        "rows",
        "transactions",
        "skipped",
        "rejected",
        "skipped_by_reason",
        "amount_total",
        "rejects",
        "notices",
    ] {
        assert!(sh.get(key).is_some(), "{key} missing in {sh}");
    }
    let n = |k: &str| v[k].as_u64().unwrap();
    assert_eq!(n("rows"), n("transactions") + n("skipped") + n("rejected"));
}

#[test]
fn english_book_with_columns_named_in_config() {
    let dir = tmp();
    let rows = vec![
        vec![s("Posting"), s("Account ID"), s("Account"), s("Owner"), s("Billed ex VAT")],
        vec![V::D(2026, 3, 1), s("A-1"), s("Acme Inc"), s("Sam"), V::N(10.0)],
    ];
    write_book(&dir.path().join("en.xlsx"), &[("Data", rows)]);
    std::fs::write(
        dir.path().join("kamplan.toml"),
        "[columns]\ndate = \"Posting\"\namount = \"Billed ex VAT\"\n",
    )
    .unwrap();
    let (v, code) = json_of(dir.path(), &["en.xlsx"]);
    assert_eq!(code, 0, "{v}");
    let sh = sheet(&v, "Data");
    assert_eq!(sh["role"], "sales");
    assert_eq!(sh["columns"]["amount"], "E (Billed ex VAT)");
    assert_eq!(sh["columns"]["kam"], "D (Owner)");
}

#[test]
fn a_sheet_starting_at_b3_names_cells_from_a1() {
    // calamine's range starts at the first used cell (B3 here); rejects must still say D4.
    let dir = tmp();
    write_ods(
        &dir.path().join("b3.ods"),
        &[
            &[],
            &[],
            &[("e", ""), ("s", "Fecha"), ("s", "Cliente"), ("s", "Importe")],
            &[("e", ""), ("d", "2026-01-05"), ("s", "Acme"), ("s", "pendiente")],
            &[("e", ""), ("d", "2026-01-06"), ("s", "Acme"), ("n", "7")],
        ],
    );
    let (v, _) = json_of(dir.path(), &["b3.ods"]);
    let sh = sheet(&v, "Ventas");
    assert_eq!(sh["header_row"], 3);
    assert_eq!(sh["columns"]["date"], "B (Fecha)");
    assert_eq!(sh["rejects"][0]["row"], 4);
    assert_eq!(sh["rejects"][0]["column"], "D (Importe)");
    assert_eq!(sh["rows"], 5);
    assert_eq!(sh["skipped_by_reason"], serde_json::json!({"blank": 2, "header": 1}));
}

#[test]
fn credit_notes_typed_positive_are_kept_as_typed_and_pointed_out() {
    let dir = tmp();
    let rows = vec![
        vec![s("Fecha"), s("Tipo doc."), s("Cliente"), s("Importe")],
        vec![V::D(2026, 1, 5), s("Factura"), s("A"), V::N(500.0)],
        vec![V::D(2026, 1, 6), s("Abono"), s("A"), V::N(120.0)],
        vec![V::D(2026, 1, 7), s("Abono"), s("A"), V::N(-30.0)],
    ];
    write_book(&dir.path().join("r.xlsx"), &[("Ventas", rows)]);
    let (v, _) = json_of(dir.path(), &["r.xlsx"]);
    assert!(close(&v["amount_total"], 590.0), "never guessed into a negative");
    let note = v["sheets"][0]["notices"][0].as_str().unwrap();
    assert!(note.contains("1 line(s) marked as a return") && note.contains("B3 \"Abono\""), "{note}");
}

#[test]
fn check_says_once_when_growth_will_not_be_available() {
    let dir = tmp();
    let rows = vec![
        vec![s("Fecha"), s("Cliente"), s("Importe")],
        vec![V::D(2026, 1, 5), s("A"), V::N(10.0)],
        vec![V::D(2026, 2, 5), s("B"), V::N(20.0)],
    ];
    write_book(&dir.path().join("v.xlsx"), &[("Ventas", rows)]);
    let o = kamplan(dir.path(), &["check", "v.xlsx"]);
    let err = stderr(&o);
    assert_eq!(err.matches("crecimiento no disponible").count(), 1, "{err}");
    assert!(err.contains("(2024-03 a 2025-02)"), "names the prior window: {err}");
}
