//! Bad rows rejected with their cell and reason, summarised when many; notes sheets skipped.

use crate::util::*;

use super::*;

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
