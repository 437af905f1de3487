//! Which files and sheets are read and as what: roles, folders, ods, the 1904 date system,
//! unreadable files, the JSON report, columns named in the config, sheets not starting at A1.

use std::io::Write;
use std::path::Path;

use crate::util::*;

use super::*;

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
