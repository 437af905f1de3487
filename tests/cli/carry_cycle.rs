//! Integration tests for plans that remember over several months: a finished cycle of the
//! closer's four meetings opens a new one with the old in the history, the status a KAM typed
//! beats the one the log implies, the KAM's contact log counts for the courtesy call and the
//! contact cap, and tables a KAM sorted (rows moved, rows inserted above, the sheet renamed)
//! read back onto the right account and step.

use std::path::Path;

use calamine::{Data, Range, Reader, Xlsx};

use crate::carry::*;
use crate::util::*;

/// The activity log: C01's first three meetings, the third postponed by the customer.
fn activity(dir: &Path) {
    let row = |d: (u16, u8, u8), code: &'static str, kind: &'static str, notes: &'static str| {
        vec![V::D(d.0, d.1, d.2), V::S(code), V::S(kind), V::S(notes)]
    };
    let rows = vec![
        vec![V::S("Fecha"), V::S("Cód. cliente"), V::S("Tipo"), V::S("Notas")],
        row((2026, 9, 10), "C01", "Reunión decisores", "Decide Marta Gil (gerencia)"),
        row((2026, 9, 24), "C01", "Reunión competencia", "Ofertan un 5 % menos"),
        row((2026, 10, 8), "C01", "Reunión necesidades", "Aplazada por el cliente"),
    ];
    write_book(&dir.join("libros/actividad.xlsx"), &[("Actividad", rows)]);
}

/// Text without whitespace: the PDF's text breaks lines where the layout did.
fn squash(s: &str) -> String {
    s.split_whitespace().collect()
}

/// A sheet's cells as a calamine range.
fn range(path: &Path, sheet: &str) -> Range<Data> {
    let mut wb: Xlsx<_> = calamine::open_workbook(path).unwrap();
    wb.worksheet_range(sheet).unwrap()
}

/// The meeting table's rows of a sheet, by step: (date, status, notes) as text.
fn meeting_rows(r: &Range<Data>) -> Vec<(u32, String, String, String)> {
    let title = r.rows().position(|row| row[0] == Data::String("Plan de reuniones".into())).unwrap();
    let header = title + r.rows().skip(title).position(|row| row[0] == Data::String("Nº".into())).unwrap();
    let text = |d: &Data| match d {
        Data::DateTime(t) => t.as_datetime().unwrap().date().format("%d/%m/%Y").to_string(),
        Data::Empty => String::new(),
        other => other.to_string(),
    };
    r.rows()
        .skip(header + 1)
        .map_while(|row| match row[0] {
            Data::Float(n) => Some((n as u32, text(&row[2]), text(&row[3]), text(&row[4]))),
            _ => None,
        })
        .collect()
}

#[test]
fn a_finished_cycle_opens_a_new_one_the_kams_status_wins_and_their_contacts_count() {
    let t = tmp();
    write_books(t.path(), Books::default());
    activity(t.path());
    run_month(t.path(), "2026-10", &[]);
    let (xlsx, _) = plan_files(t.path(), "2026-10", "lucia-perez");
    edit(&xlsx, |book| {
        let ws = book.get_sheet_by_name_mut("Hotel Sol Levante S.A.").unwrap();
        let h = row_with(ws, 1, "Nº", row_with(ws, 1, "Plan de reuniones", 1));
        assert_eq!(ws.get_value((4, h + 3)), "Aplazada", "the log says meeting 3 was postponed");
        // The KAM knows better: it took place. And they closed on 29/10.
        ws.get_cell_mut((4, h + 3)).set_value("Hecha");
        ws.get_cell_mut((3, h + 4)).set_value_number(serial(2026, 10, 29));
        ws.get_cell_mut((4, h + 4)).set_value("Hecha");
        ws.get_cell_mut((5, h + 4)).set_value("Firmado el acuerdo anual");
        // Five contacts with C02 in October, in the KAM's log only: over the cap of four.
        let ws = book.get_sheet_by_name_mut("Catering Norte S.L.").unwrap();
        let c = row_with(ws, 1, "Fecha", row_with(ws, 1, "Registro de contactos", 1));
        for (i, day) in [1, 6, 12, 19, 26].into_iter().enumerate() {
            ws.get_cell_mut((1, c + 1 + i as u32)).set_value_number(serial(2026, 10, day));
            ws.get_cell_mut((2, c + 1 + i as u32)).set_value("Llamada");
        }
    });

    run_month(t.path(), "2026-11", &[]);
    let (xlsx, pdf) = plan_files(t.path(), "2026-11", "lucia-perez");
    let c01 = range(&xlsx, "Hotel Sol Levante S.A.");
    // A new cycle: the four steps pending again.
    let steps = meeting_rows(&c01);
    assert_eq!(steps.len(), 4, "{steps:?}");
    assert!(steps.iter().all(|(_, date, status, _)| date.is_empty() && status == "Pendiente"), "{steps:?}");
    // The finished cycle in the history, with the KAM's status on meeting 3.
    let all = cells(&xlsx);
    let sheet_c01 = sheet(&all, "Hotel Sol Levante S.A.");
    for text in ["Ciclos terminados", "Firmado el acuerdo anual", "Aplazada por el cliente"] {
        assert!(has_text(sheet_c01, text), "{text:?} not in the history");
    }
    assert!(!has_text(sheet_c01, "Aplazada"), "the KAM's «Hecha» beats the log's postponement");
    let done = sheet_c01.iter().filter(|c| matches!(c, Data::String(s) if s == "Hecha")).count();
    assert_eq!(done, 4, "four meetings done in cycle 1");
    assert!(has_date(sheet_c01, 2026, 10, 29));
    let text = pdf_text(&pdf);
    for s in [
        "Ciclo 2 del método: el ciclo 1 terminó el 29/10/2026",
        "Ciclos terminados",
        "Firmado el acuerdo anual",
        // The meeting only the KAM recorded is the last contact: the call is due 30 days on.
        "último contacto, el 29/10/2026",
        // The KAM's contact log counts against the cap like the activity log.
        "Catering Norte S.L.: 5 contactos en oct 2026, por encima del máximo de 4",
    ] {
        assert!(squash(&text).contains(&squash(s)), "{s:?} not in the PDF");
    }

    // A month later, untouched: still cycle 2, the history kept once.
    run_month(t.path(), "2026-12", &[]);
    let (xlsx, pdf) = plan_files(t.path(), "2026-12", "lucia-perez");
    let all = cells(&xlsx);
    let firmado = sheet(&all, "Hotel Sol Levante S.A.")
        .iter()
        .filter(|c| matches!(c, Data::String(s) if s == "Firmado el acuerdo anual"))
        .count();
    assert_eq!(firmado, 1);
    assert!(pdf_text(&pdf).contains("Ciclo 2 del método"));
}

#[test]
fn sorted_tables_and_inserted_rows_read_back_onto_the_right_account_and_step() {
    let t = tmp();
    write_books(t.path(), Books::default());
    run_month(t.path(), "2026-10", &[]);
    let (xlsx, _) = plan_files(t.path(), "2026-10", "lucia-perez");
    edit(&xlsx, |book| {
        let ws = book.get_sheet_by_name_mut("Hotel Sol Levante S.A.").unwrap();
        let h = row_with(ws, 1, "Nº", row_with(ws, 1, "Plan de reuniones", 1));
        // Meetings 2 and 3 filled in, then the table sorted by date, latest first (the step
        // without a date last, as Excel sorts): rows 3, 2, 1, 4.
        let objective = |s: u32| ws.get_value((2, h + s));
        let one = (objective(1), ws.get_value((5, h + 1)));
        let rows = [
            (3, objective(3), Some(serial(2026, 11, 18)), "Planificada", String::new()),
            (2, objective(2), Some(serial(2026, 10, 20)), "Hecha", "Ofertan un 5 % menos".to_string()),
            (1, one.0, Some(serial(2026, 9, 10)), "Hecha", one.1),
            (4, objective(4), None, "Pendiente", String::new()),
        ];
        for (i, (step, objective, date, status, notes)) in rows.into_iter().enumerate() {
            let r = h + 1 + i as u32;
            ws.get_cell_mut((1, r)).set_value_number(step);
            ws.get_cell_mut((2, r)).set_value(objective);
            match date {
                Some(d) => ws.get_cell_mut((3, r)).set_value_number(d),
                None => ws.get_cell_mut((3, r)).set_value(""),
            };
            ws.get_cell_mut((4, r)).set_value(status);
            ws.get_cell_mut((5, r)).set_value(notes);
        }
        // Decision makers typed in any order (the first over kamplan's suggestion, its note
        // left), then sorted by name.
        let d = row_with(ws, 1, "Nombre", row_with(ws, 1, "Mapa de decisores", 1));
        for (i, (name, role)) in
            [("Ana Ros", "Jefa de sala"), ("Marta Gil", "Gerente"), ("Pedro Ruiz", "Chef")]
                .into_iter()
                .enumerate()
        {
            ws.get_cell_mut((1, d + 1 + i as u32)).set_value(name);
            ws.get_cell_mut((2, d + 1 + i as u32)).set_value(role);
        }
        // Two rows of the KAM's own inserted at the top: every area moves down.
        ws.insert_new_row(&1, &2);
        ws.get_cell_mut((1, 1)).set_value("Mis notas: revisar antes de la visita");
        let index = book
            .get_sheet_collection()
            .iter()
            .position(|w| w.get_name() == "Hotel Sol Levante S.A.")
            .unwrap();
        book.set_sheet_name(index, "Sol Levante (ordenado)").unwrap();
    });

    let o = run_month(t.path(), "2026-11", &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let (xlsx, pdf) = plan_files(t.path(), "2026-11", "lucia-perez");
    let steps = meeting_rows(&range(&xlsx, "Hotel Sol Levante S.A."));
    let step = |n: u32| steps.iter().find(|s| s.0 == n).cloned().unwrap_or_else(|| panic!("{steps:?}"));
    assert_eq!(step(2), (2, "20/10/2026".into(), "Hecha".into(), "Ofertan un 5 % menos".into()));
    assert_eq!((step(3).1, step(3).2), ("18/11/2026".into(), "Planificada".into()));
    assert_eq!((step(1).1, step(1).2), ("10/09/2026".into(), "Hecha".into()));
    assert_eq!(step(4).2, "Pendiente");
    let all = cells(&xlsx);
    for name in ["Ana Ros", "Marta Gil", "Pedro Ruiz", "Jefa de sala"] {
        assert!(has_text(sheet(&all, "Hotel Sol Levante S.A."), name), "{name:?}");
        let elsewhere = all.iter().filter(|(n, c)| n != "Hotel Sol Levante S.A." && has_text(c, name));
        assert_eq!(elsewhere.count(), 0, "{name:?} on another sheet");
    }
    let text = pdf_text(&pdf);
    assert!(text.contains("planificada para el 18/11/2026"), "the next objective follows the sorted table");
    assert!(text.contains("Ana Ros") && text.contains("Jefa de sala"));
}
