//! Integration tests for returned plans that are not what they should be — not a plan, a
//! damaged identification sheet, another KAM's folder, a later period, unusable cells — and
//! for plans re-saved by other programs (committed fixtures, see `tests/fixtures/carry/`).

use std::fs;
use std::path::{Path, PathBuf};

use crate::carry::*;
use crate::util::*;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/carry").join(name)
}

/// Publishes 2026-10 and returns Lucía's and Raúl's XLSX.
fn published(dir: &Path) -> (PathBuf, PathBuf) {
    write_books(dir, Books::default());
    run_month(dir, "2026-10", &[]);
    (plan_files(dir, "2026-10", "lucia-perez").0, plan_files(dir, "2026-10", "raul-gomez").0)
}

fn returned_folder(dir: &Path) -> PathBuf {
    fs::write(dir.join("kamplan.toml"), "[carry]\nreturned = [\"devueltos/\"]\n").unwrap();
    let back = dir.join("devueltos");
    fs::create_dir_all(&back).unwrap();
    back
}

fn add_decision_maker(book: &mut umya_spreadsheet::Spreadsheet, sheet: &str, name: &str) {
    let ws = book.get_sheet_by_name_mut(sheet).unwrap();
    let d = row_with(ws, 1, "Nombre", row_with(ws, 1, "Mapa de decisores", 1));
    ws.get_cell_mut((1, d + 1)).set_value(name);
}

#[test]
fn unusable_returned_files_and_cells_are_located_warnings_and_the_rest_is_carried() {
    let t = tmp();
    let (lucia, raul) = published(t.path());
    // A plan of a period after the one being run.
    let later = kamplan(t.path(), &["run", "--period", "2026-12", "-o", "later", "libros"]);
    assert!(later.status.code().is_some_and(|c| c <= 1), "{}", stderr(&later));
    let december = fs::read_dir(t.path().join("later/2026-12/lucia-perez"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "xlsx"))
        .unwrap();
    let back = returned_folder(t.path());
    fs::copy(&december, back.join("diciembre.xlsx")).unwrap();

    // Not a plan: a sales book dropped in the folder.
    fs::copy(t.path().join("libros/ventas.xlsx"), back.join("ventas-copia.xlsx")).unwrap();
    // A damaged identification sheet: its period overwritten.
    let damaged = back.join("danado.xlsx");
    fs::copy(&lucia, &damaged).unwrap();
    edit(&damaged, |book| {
        add_decision_maker(book, "Catering Norte S.L.", "Nunca Leído");
        book.get_sheet_by_name_mut("_kamplan").unwrap().get_cell_mut("B4").set_value("octubre");
    });
    // Raúl's plan in Lucía's folder: a warning, and its entries still go to Raúl's accounts.
    fs::create_dir_all(back.join("lucia-perez")).unwrap();
    let stray = back.join("lucia-perez/plan-raul.xlsx");
    fs::copy(&raul, &stray).unwrap();
    edit(&stray, |book| add_decision_maker(book, "Asador Tajo S.L.", "Tomás Vidal"));
    // Cells that cannot be used, beside one that can.
    let cells_file = back.join("celdas.xlsx");
    fs::copy(&lucia, &cells_file).unwrap();
    edit(&cells_file, |book| {
        add_decision_maker(book, "Residencia Albufera S.L.", "Clara Soler");
        let ws = book.get_sheet_by_name_mut("Residencia Albufera S.L.").unwrap();
        let h = row_with(ws, 1, "Nº", row_with(ws, 1, "Plan de reuniones", 1));
        ws.get_cell_mut((3, h + 1)).set_value("mañana");
        ws.get_cell_mut((4, h + 1)).set_value("quizás");
        let s = row_with(ws, 1, "Objetivo acordado con el cliente", 1);
        ws.get_cell_mut((3, s + 1)).set_value("mucho");
    });

    let o = run_month(t.path(), "2026-11", &[]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    // One located line per problem, never two.
    let line = |needle: &str| -> String {
        let found: Vec<&str> = err.lines().filter(|l| l.contains(needle)).collect();
        assert_eq!(found.len(), 1, "one warning with {needle:?} in:\n{err}");
        found[0].to_string()
    };
    assert!(line("ventas-copia.xlsx").contains("is not a kamplan plan"));
    let d = line("danado.xlsx");
    assert!(d.contains("_kamplan › B4") && d.contains("\"octubre\"") && d.contains("period"), "{d}");
    let s = line("plan-raul.xlsx");
    assert!(s.contains("plan of Raúl Gómez") && s.contains("folder of Lucía Pérez"), "{s}");
    let dec = line("diciembre.xlsx");
    assert!(dec.contains("plan of 2026-12, after the period 2026-11"), "{dec}");
    let m = line("\"mañana\"");
    assert!(m.contains("celdas.xlsx › Residencia Albufera S.L. › C") && m.contains("is not a date"), "{m}");
    assert!(line("\"quizás\"").contains("is not a meeting status"));
    assert!(line("\"mucho\"").contains("is not an amount"));

    // Everything usable was carried, each entry on its own account.
    let (lucia, _) = plan_files(t.path(), "2026-11", "lucia-perez");
    let all = cells(&lucia);
    let albufera = sheet(&all, "Residencia Albufera S.L.");
    for text in ["Clara Soler", "mañana", "quizás", "mucho"] {
        assert!(has_text(albufera, text), "{text:?}: kept as typed");
    }
    assert!(all.iter().all(|(_, c)| !has_text(c, "Nunca Leído") && !has_text(c, "Tomás Vidal")));
    let (raul, _) = plan_files(t.path(), "2026-11", "raul-gomez");
    assert!(has_text(sheet(&cells(&raul), "Asador Tajo S.L."), "Tomás Vidal"));
    let manifest = json(&t.path().join("out/2026-11/manifest.json"));
    let warnings = manifest["warnings"].as_array().unwrap();
    assert!(warnings.iter().any(|w| w.as_str().unwrap().contains("\"mucho\"")));
}

#[test]
fn a_plan_without_its_identification_sheet_is_not_read_and_says_so() {
    let t = tmp();
    let (lucia, _) = published(t.path());
    edit(&lucia, |book| {
        add_decision_maker(book, "Catering Norte S.L.", "Sin Hoja");
        book.remove_sheet_by_name("_kamplan").unwrap();
    });
    let o = run_month(t.path(), "2026-11", &[]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("has no identification sheet"), "{}", stderr(&o));
}

#[test]
fn a_returned_plan_among_the_inputs_is_read_back_never_as_sales() {
    let t = tmp();
    let (lucia, _) = published(t.path());
    let copy = t.path().join("libros/plan-lucia.xlsx");
    fs::copy(&lucia, &copy).unwrap();
    edit(&copy, |book| add_decision_maker(book, "Catering Norte S.L.", "Desde Entradas"));
    let check = kamplan(t.path(), &["check", "libros"]);
    assert!(stdout(&check).contains("plan-lucia.xlsx › _kamplan"), "{}", stdout(&check));
    assert!(stdout(&check).contains("a plan kamplan published"), "{}", stdout(&check));
    let before = json(&t.path().join("out/2026-10/manifest.json"));
    run_month(t.path(), "2026-11", &[]);
    let after = json(&t.path().join("out/2026-11/manifest.json"));
    assert_eq!(after["counts"]["rows"], before["counts"]["rows"], "no row read from the plan");
    let (lucia, _) = plan_files(t.path(), "2026-11", "lucia-perez");
    assert!(has_text(sheet(&cells(&lucia), "Catering Norte S.L."), "Desde Entradas"));
}

/// What the committed fixtures hold (see `tests/fixtures/carry/README.md`): C01's section of
/// Lucía's plan for 2026-10, edited and saved by another program.
fn assert_fixture_entries(dir: &Path, fixture_name: &str) {
    write_books(dir, Books::default());
    let back = returned_folder(dir);
    fs::copy(fixture(fixture_name), back.join(fixture_name)).unwrap();
    let o = run_month(dir, "2026-11", &[]);
    assert_eq!(o.status.code(), Some(0), "{fixture_name}: {}", stderr(&o));
    let (xlsx, pdf) = plan_files(dir, "2026-11", "lucia-perez");
    let all = cells(&xlsx);
    let c01 = sheet(&all, "Hotel Sol Levante S.A.");
    for text in [
        "Marta Gil",
        "Pedro Ruiz",
        "Promotor",
        "Ser su proveedor único de aceite",
        "Ofertan un 5 % menos",
        "Confirma el pedido de Navidad",
        "Hecha",
        "Planificada",
    ] {
        assert!(has_text(c01, text), "{fixture_name}: {text:?} not read back");
    }
    assert!(c01.contains(&calamine::Data::Float(250_000.0)), "{fixture_name}: agreed target");
    for (y, m, d) in [(2026, 10, 20), (2026, 11, 18), (2026, 10, 27)] {
        assert!(has_date(c01, y, m, d), "{fixture_name}: {y}-{m}-{d} read as a date");
    }
    let flat: String = pdf_text(&pdf).split_whitespace().collect();
    for s in [
        "planificada para el 18/11/2026",
        "Marta Gil",
        "Pedro Ruiz",
        "Ser su proveedor único de aceite",
        "Ofertan un 5 % menos",
        "Confirma el pedido de Navidad",
        "27/10/2026",
        "250.000,00",
    ] {
        let s: String = s.split_whitespace().collect();
        assert!(flat.contains(&s), "{fixture_name}: {s:?} not in the PDF");
    }
    // The same entries whichever program saved the file.
    let carried = json(&dir.join("out/2026-11/carried.json"));
    let mut c01 = carried["accounts"]["C01"].clone();
    c01.as_object_mut().unwrap().remove("sources");
    let expected: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(fixture("expected-C01.json")).unwrap()).unwrap();
    assert_eq!(c01, expected, "{fixture_name}");
}

#[test]
fn a_plan_resaved_by_libreoffice_reads_back_the_same() {
    assert_fixture_entries(tmp().path(), "libreoffice.xlsx");
}

#[test]
fn a_plan_resaved_by_another_writer_with_inline_strings_and_no_drop_down_reads_back_the_same() {
    assert_fixture_entries(tmp().path(), "openpyxl-inline.xlsx");
}

/// Not a test: writes the published plan the committed fixtures were made from, into
/// `$KAMPLAN_FIXTURE_OUT/plan.xlsx` (see `tests/fixtures/carry/README.md`).
#[test]
#[ignore]
fn make_carry_fixture_plan() {
    let out = PathBuf::from(std::env::var("KAMPLAN_FIXTURE_OUT").expect("KAMPLAN_FIXTURE_OUT"));
    let t = tmp();
    let (lucia, _) = published(t.path());
    fs::create_dir_all(&out).unwrap();
    fs::copy(lucia, out.join("plan.xlsx")).unwrap();
}
