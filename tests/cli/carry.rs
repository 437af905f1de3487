//! Integration tests for plans that remember: publish a month, edit the XLSX as a KAM would
//! (with another xlsx library: umya-spreadsheet), run the next month or the same one again,
//! and find every entry in the new XLSX and PDF — never lost, never on another account.

use std::fs;
use std::path::{Path, PathBuf};

use calamine::{Data, DataType, Reader, Xlsx};
use chrono::NaiveDate;
use umya_spreadsheet::{Spreadsheet, Worksheet};

use crate::util::*;

/// The test company's customers: (code, name, KAM, yearly sales, strategic).
pub const CUSTOMERS: [(&str, &str, &str, f64, bool); 8] = [
    ("C01", "Hotel Sol Levante S.A.", "Lucía Pérez", 300_000.0, false),
    ("C02", "Catering Norte S.L.", "Lucía Pérez", 200_000.0, false),
    ("C03", "Residencia Albufera S.L.", "Lucía Pérez", 150_000.0, false),
    ("C04", "Asador Tajo S.L.", "Raúl Gómez", 120_000.0, false),
    ("C05", "Bodega Ruiz C.B.", "Lucía Pérez", 40_000.0, true),
    ("C06", "Hostal Mar S.L.", "Raúl Gómez", 30_000.0, true),
    ("C07", "Bar Centro", "Raúl Gómez", 12_000.0, false),
    ("C08", "Café Plaza", "Raúl Gómez", 8_000.0, false),
];

/// What changes in the books between two months of a test.
#[derive(Clone, Copy)]
pub struct Books {
    /// C02's KAM in the master.
    pub c02_kam: &'static str,
    /// C05 strategic in the master (its only reason to be key).
    pub c05_strategic: bool,
}

impl Default for Books {
    fn default() -> Books {
        Books { c02_kam: "Lucía Pérez", c05_strategic: true }
    }
}

/// Writes the books into `dir/libros/`: 24 months of sales to 2026-10, the master (KAM and
/// strategic flag per customer) and an activity log with C01's decision-maker meeting.
pub fn write_books(dir: &Path, books: Books) -> PathBuf {
    let folder = dir.join("libros");
    fs::create_dir_all(&folder).unwrap();
    let mut sales =
        vec![vec![V::S("Fecha"), V::S("Cód. cliente"), V::S("Cliente"), V::S("Comercial"), V::S("Importe")]];
    for m in 0..24u32 {
        let (y, mo) = (2024 + (10 + m) / 12, (10 + m) % 12 + 1);
        for (code, name, kam, yearly, _) in CUSTOMERS {
            sales.push(vec![
                V::D(y as u16, mo as u8, 15),
                V::S(code),
                V::S(name),
                V::S(kam),
                V::N((yearly / 12.0 * 100.0).round() / 100.0),
            ]);
        }
    }
    write_book(&folder.join("ventas.xlsx"), &[("Ventas", sales)]);
    let mut master =
        vec![vec![V::S("Código cliente"), V::S("Razón social"), V::S("Comercial"), V::S("Estratégico")]];
    for (code, name, kam, _, strategic) in CUSTOMERS {
        let kam = if code == "C02" { books.c02_kam } else { kam };
        let strategic = if code == "C05" { books.c05_strategic } else { strategic };
        master.push(vec![V::S(code), V::S(name), V::S(kam), V::S(if strategic { "Sí" } else { "No" })]);
    }
    write_book(&folder.join("maestro.xlsx"), &[("Clientes", master)]);
    let activity = vec![
        vec![V::S("Fecha"), V::S("Cód. cliente"), V::S("Tipo"), V::S("Notas")],
        vec![V::D(2026, 9, 10), V::S("C01"), V::S("Reunión decisores"), V::S("Decide Marta Gil (gerencia)")],
    ];
    write_book(&folder.join("actividad.xlsx"), &[("Actividad", activity)]);
    folder
}

/// `kamplan run --period P -o out libros/ [extra…]` in `dir`; asserts it published.
pub fn run_month(dir: &Path, period: &str, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["run", "--period", period, "-o", "out"];
    args.extend_from_slice(extra);
    args.push("libros");
    let o = kamplan(dir, &args);
    assert!(o.status.code().is_some_and(|c| c <= 1), "{}", stderr(&o));
    o
}

/// The plan of a KAM in a published month: (xlsx, pdf).
pub fn plan_files(dir: &Path, period: &str, folder: &str) -> (PathBuf, PathBuf) {
    let d = dir.join("out").join(period).join(folder);
    let pick = |ext: &str| {
        fs::read_dir(&d)
            .unwrap_or_else(|e| panic!("{}: {e}", d.display()))
            .map(|e| e.unwrap().path())
            .find(|p| {
                p.extension().is_some_and(|e| e == ext)
                    && p.file_name().unwrap().to_string_lossy().starts_with("Plan")
            })
            .unwrap_or_else(|| panic!("no .{ext} plan in {}", d.display()))
    };
    (pick("xlsx"), pick("pdf"))
}

/// An Excel serial day (1900 system).
pub fn serial(y: i32, m: u32, d: u32) -> f64 {
    let base = NaiveDate::from_ymd_opt(1899, 12, 30).unwrap();
    (NaiveDate::from_ymd_opt(y, m, d).unwrap() - base).num_days() as f64
}

/// First row (1-based) at or after `from` whose column `col` (1-based) holds `text`.
pub fn row_with(ws: &Worksheet, col: u32, text: &str, from: u32) -> u32 {
    (from..=ws.get_highest_row())
        .find(|r| ws.get_value((col, *r)) == text)
        .unwrap_or_else(|| panic!("{text:?} not in column {col} of {}", ws.get_name()))
}

/// Opens a workbook with umya, edits it, saves it in place.
pub fn edit(path: &Path, f: impl FnOnce(&mut Spreadsheet)) {
    let mut book = umya_spreadsheet::reader::xlsx::read(path).unwrap();
    f(&mut book);
    umya_spreadsheet::writer::xlsx::write(&book, path).unwrap();
}

/// What a KAM writes in C01's section of Lucía's plan: meetings 2 and 3, two decision
/// makers (typed, then sorted by name), the strategy with an agreed target, a contact — and
/// the sheet renamed.
pub fn kam_edits_c01(book: &mut Spreadsheet) {
    let ws = book.get_sheet_by_name_mut("Hotel Sol Levante S.A.").unwrap();
    let h = row_with(ws, 1, "Nº", row_with(ws, 1, "Plan de reuniones", 1));
    assert_eq!(ws.get_value((2, h + 2)), "Conocer las ofertas de la competencia");
    ws.get_cell_mut((3, h + 2)).set_value_number(serial(2026, 10, 20));
    ws.get_cell_mut((4, h + 2)).set_value("Hecha");
    ws.get_cell_mut((5, h + 2)).set_value("Ofertan un 5 % menos");
    ws.get_cell_mut((3, h + 3)).set_value_number(serial(2026, 11, 18));
    ws.get_cell_mut((4, h + 3)).set_value("Planificada");

    let d = row_with(ws, 1, "Nombre", row_with(ws, 1, "Mapa de decisores", 1));
    // Typed Pedro first, then sorted by name: Marta comes first.
    for (i, (name, role, influence, stance)) in
        [("Marta Gil", "Gerente", "Alta", "Promotor"), ("Pedro Ruiz", "Chef", "Media", "Neutral")]
            .iter()
            .enumerate()
    {
        let r = d + 1 + i as u32;
        ws.get_cell_mut((1, r)).set_value(*name);
        ws.get_cell_mut((2, r)).set_value(*role);
        ws.get_cell_mut((3, r)).set_value(*influence);
        ws.get_cell_mut((4, r)).set_value(*stance);
    }

    let s = row_with(ws, 1, "Objetivo acordado con el cliente", 1);
    ws.get_cell_mut((1, s + 1)).set_value("Ser su proveedor único de aceite");
    ws.get_cell_mut((2, s + 1)).set_value("Visita con el chef en noviembre");
    ws.get_cell_mut((3, s + 1)).set_value_number(250_000.0);

    let c = row_with(ws, 1, "Fecha", row_with(ws, 1, "Registro de contactos", 1));
    ws.get_cell_mut((1, c + 1)).set_value_number(serial(2026, 10, 27));
    ws.get_cell_mut((2, c + 1)).set_value("Llamada");
    ws.get_cell_mut((3, c + 1)).set_value("Confirma el pedido de Navidad");
    let index =
        book.get_sheet_collection().iter().position(|w| w.get_name() == "Hotel Sol Levante S.A.").unwrap();
    book.set_sheet_name(index, "Hotel Sol (mío)").unwrap();
}

/// Every string and number of a workbook's visible sheets, by sheet.
pub fn cells(path: &Path) -> Vec<(String, Vec<Data>)> {
    let mut wb: Xlsx<_> = calamine::open_workbook(path).unwrap();
    let names = wb.sheet_names().to_vec();
    names
        .into_iter()
        .filter(|n| n != "_kamplan")
        .map(|n| {
            let r = wb.worksheet_range(&n).unwrap();
            (n, r.used_cells().map(|c| c.2.clone()).collect())
        })
        .collect()
}

/// The cells of one sheet.
pub fn sheet<'a>(all: &'a [(String, Vec<Data>)], name: &str) -> &'a [Data] {
    &all.iter().find(|(n, _)| n == name).unwrap_or_else(|| panic!("no sheet {name:?}")).1
}

pub fn has_text(cells: &[Data], text: &str) -> bool {
    cells.iter().any(|c| matches!(c, Data::String(s) if s == text))
}

pub fn has_date(cells: &[Data], y: i32, m: u32, d: u32) -> bool {
    let want = NaiveDate::from_ymd_opt(y, m, d).unwrap();
    cells.iter().any(|c| matches!(c, Data::DateTime(t) if t.as_datetime().map(|x| x.date()) == Some(want)))
}

pub fn pdf_text(path: &Path) -> String {
    let pdf = lopdf::Document::load(path).unwrap();
    let n = pdf.get_pages().len() as u32;
    (1..=n).map(|p| pdf.extract_text(&[p]).unwrap()).collect::<Vec<_>>().join("\n")
}

pub fn json(path: &Path) -> serde_json::Value {
    serde_json::from_slice(&fs::read(path).unwrap()).unwrap()
}

#[test]
fn a_kams_entries_come_back_next_month_in_both_formats() {
    let t = tmp();
    write_books(t.path(), Books::default());
    run_month(t.path(), "2026-10", &[]);
    let (xlsx, _) = plan_files(t.path(), "2026-10", "lucia-perez");
    edit(&xlsx, kam_edits_c01);

    let o = run_month(t.path(), "2026-11", &[]);
    assert!(stderr(&o).contains("read 1 returned plan"), "{}", stderr(&o));
    let (xlsx, pdf) = plan_files(t.path(), "2026-11", "lucia-perez");
    let all = cells(&xlsx);
    let c01 = sheet(&all, "Hotel Sol Levante S.A.");
    for text in [
        "Marta Gil",
        "Pedro Ruiz",
        "Gerente",
        "Promotor",
        "Ser su proveedor único de aceite",
        "Visita con el chef en noviembre",
        "Ofertan un 5 % menos",
        "Confirma el pedido de Navidad",
        "Planificada",
    ] {
        assert!(has_text(c01, text), "{text:?} not in the new plan");
    }
    assert!(c01.contains(&Data::Float(250_000.0)), "the agreed target is a number");
    assert!(
        c01.iter().any(|c| matches!(c, Data::String(s) if s.starts_with("Objetivo de ventas acordado con el cliente: 250.000,00"))),
        "the agreed target set against the computed one in the XLSX"
    );
    for (y, m, d) in [(2026, 9, 10), (2026, 10, 20), (2026, 11, 18), (2026, 10, 27)] {
        assert!(has_date(c01, y, m, d), "{y}-{m}-{d} is a date cell");
    }
    // The log's meeting 1 and the plan's are one meeting, not two rows.
    let decide =
        c01.iter().filter(|c| matches!(c, Data::String(s) if s == "Decide Marta Gil (gerencia)")).count();
    assert_eq!(decide, 2, "the meeting table and the activity log, each once");

    let text = pdf_text(&pdf);
    let flat: String = text.split_whitespace().collect();
    for s in [
        "Marta Gil",
        "Pedro Ruiz",
        "Gerente",
        "Promotor",
        "Chef",
        "Neutral",
        "Ser su proveedor único de aceite",
        "Visita con el chef en noviembre",
        "Ofertan un 5 % menos",
        "20/10/2026",
        "18/11/2026",
        "Planificada",
        "Confirma el pedido de Navidad",
        "27/10/2026",
        // The agreed target beside the computed one.
        "Objetivo de ventas acordado con el cliente: 250.000,00 €, frente a",
    ] {
        let s: String = s.split_whitespace().collect();
        assert!(flat.contains(&s), "{s:?} not in the PDF");
    }
    // Meeting 3 planned: the next objective says so.
    assert!(text.contains("planificada para el 18/11/2026"), "next objective");

    // carried.json holds it all by account code; the manifest says where it came from.
    let month = t.path().join("out/2026-11");
    let carried = json(&month.join("carried.json"));
    let c01 = &carried["accounts"]["C01"];
    assert_eq!(c01["strategy"]["agreed_target"], 250_000.0);
    assert_eq!(c01["decision_makers"].as_array().unwrap().len(), 2);
    assert_eq!(c01["sources"]["strategy"]["sheet"], "Hotel Sol (mío)");
    assert_eq!(c01["sources"]["strategy"]["period"], "2026-10");
    let manifest = json(&month.join("manifest.json"));
    let rel = xlsx.strip_prefix(&month).unwrap().to_string_lossy().replace('\\', "/");
    let from = manifest["carried_from"][&rel].as_array().unwrap_or_else(|| panic!("{manifest}"));
    assert!(from.iter().any(|s| s["file"]
        .as_str()
        .unwrap()
        .ends_with("Plan cuentas clave Lucía Pérez 2026-10.xlsx")
        && s["sheet"] == "Hotel Sol (mío)"
        && s["cells"].as_str().unwrap().starts_with('A')));
    assert!(from.iter().all(|s| s["sheet"] == "Hotel Sol (mío)"), "only the areas with entries: {from:?}");
    // The summary's follow-up counts the agreed target and the returned plan.
    let summary = fs::read_dir(&month)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "pdf"))
        .unwrap();
    let s = pdf_text(&summary);
    assert!(s.contains("Seguimiento de los planes") && s.contains("250.000,00"), "{s}");
    // Lucía's rows: decision makers mapped on C01 only; C01 at meeting 3 (1 and 2 done), the
    // others at 1; her plan came back edited; the agreed target counted in the plan's target.
    let mut book: Xlsx<_> = calamine::open_workbook(summary.with_extension("xlsx")).unwrap();
    let follow = book.worksheet_range("Seguimiento").unwrap();
    let rows: Vec<&[Data]> = follow.rows().filter(|r| r[0] == Data::String("Lucía Pérez".into())).collect();
    assert_eq!(rows.len(), 2, "one row in each table");
    let n = |v: &[Data]| v.iter().map(|d| d.as_f64().unwrap_or(-1.0)).collect::<Vec<_>>();
    assert_eq!(n(&rows[0][1..=8]), [4.0, 1.0, 2.0, 3.0, 0.0, 1.0, 0.0, 0.0], "{:?}", rows[0]);
    assert_eq!(rows[0][10], Data::Float(1.0), "plans returned");
    let (computed, agreed, plan) = (n(&rows[1][2..3])[0], n(&rows[1][4..5])[0], n(&rows[1][5..6])[0]);
    assert_eq!((rows[1][3].as_f64(), agreed), (Some(1.0), 250_000.0));
    let c01_computed: f64 = manifest["targets"]["C01"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["set_in"] == "2026-11")
        .map(|m| m["target"].as_f64().unwrap())
        .sum();
    assert!((plan - (computed - c01_computed + 250_000.0)).abs() < 0.01, "{plan} {computed} {c01_computed}");
    let listed =
        |c: &Data| matches!(c, Data::String(s) if s.ends_with("Plan cuentas clave Lucía Pérez 2026-10.xlsx"));
    assert!(follow.used_cells().any(|c| listed(c.2)), "the returned file is listed");

    // The month after, untouched: carried.json alone carries everything on.
    run_month(t.path(), "2026-12", &[]);
    let (xlsx, _) = plan_files(t.path(), "2026-12", "lucia-perez");
    let all = cells(&xlsx);
    let c01 = sheet(&all, "Hotel Sol Levante S.A.");
    for text in
        ["Marta Gil", "Pedro Ruiz", "Ser su proveedor único de aceite", "Confirma el pedido de Navidad"]
    {
        assert!(has_text(c01, text), "{text:?} not carried two months on");
    }
}

#[test]
fn a_rerun_of_the_month_keeps_the_kams_entries_and_the_edited_file() {
    let t = tmp();
    write_books(t.path(), Books::default());
    run_month(t.path(), "2026-10", &[]);
    let (xlsx, _) = plan_files(t.path(), "2026-10", "lucia-perez");
    edit(&xlsx, kam_edits_c01);
    let edited = fs::read(&xlsx).unwrap();

    run_month(t.path(), "2026-10", &[]);
    let (again, _) = plan_files(t.path(), "2026-10", "lucia-perez");
    let all = cells(&again);
    let c01 = sheet(&all, "Hotel Sol Levante S.A.");
    for text in
        ["Marta Gil", "Pedro Ruiz", "Ser su proveedor único de aceite", "Confirma el pedido de Navidad"]
    {
        assert!(has_text(c01, text), "{text:?} lost by the re-run");
    }
    assert!(c01.contains(&Data::Float(250_000.0)));
    let rel = xlsx.strip_prefix(t.path().join("out/2026-10")).unwrap();
    let kept = t.path().join("out/.replaced/2026-10").join(rel);
    assert_eq!(fs::read(&kept).unwrap(), edited, "the edited file is kept unchanged");

    // A third run changes nothing: the same plan, nothing new kept.
    let before = fs::read(&again).unwrap();
    run_month(t.path(), "2026-10", &[]);
    let (third, _) = plan_files(t.path(), "2026-10", "lucia-perez");
    assert_eq!(fs::read(third).unwrap(), before, "same inputs, same bytes");
    let kept_dir = kept.parent().unwrap();
    assert_eq!(fs::read_dir(kept_dir).unwrap().count(), 1);
}

#[test]
fn entries_follow_an_account_to_its_new_kam_or_stay_when_it_stops_being_key() {
    let t = tmp();
    write_books(t.path(), Books::default());
    run_month(t.path(), "2026-10", &[]);
    let (xlsx, _) = plan_files(t.path(), "2026-10", "lucia-perez");
    edit(&xlsx, |book| {
        for (sheet, who) in
            [("Catering Norte S.L.", "Jefa de compras Norte"), ("Bodega Ruiz C.B.", "Enólogo Ruiz")]
        {
            let ws = book.get_sheet_by_name_mut(sheet).unwrap();
            let d = row_with(ws, 1, "Nombre", row_with(ws, 1, "Mapa de decisores", 1));
            ws.get_cell_mut((1, d + 1)).set_value(who);
            let s = row_with(ws, 1, "Objetivo acordado con el cliente", 1);
            ws.get_cell_mut((1, s + 1)).set_value(format!("Estrategia de {sheet}"));
        }
    });
    // Next month C02 is Raúl's and C05 is no longer strategic (so no longer key).
    write_books(t.path(), Books { c02_kam: "Raúl Gómez", c05_strategic: false });
    run_month(t.path(), "2026-11", &[]);

    let (raul, raul_pdf) = plan_files(t.path(), "2026-11", "raul-gomez");
    let all = cells(&raul);
    let c02 = sheet(&all, "Catering Norte S.L.");
    assert!(has_text(c02, "Jefa de compras Norte") && has_text(c02, "Estrategia de Catering Norte S.L."));
    assert!(pdf_text(&raul_pdf).contains("Cuenta recibida de Lucía Pérez"));

    let (lucia, lucia_pdf) = plan_files(t.path(), "2026-11", "lucia-perez");
    let all = cells(&lucia);
    assert!(all.iter().all(|(n, _)| n != "Catering Norte S.L."), "not in the old KAM's plan");
    let dropped = sheet(&all, "Dejan de ser clave");
    assert!(has_text(dropped, "Enólogo Ruiz") && has_text(dropped, "Estrategia de Bodega Ruiz C.B."));
    let text: String = pdf_text(&lucia_pdf).split_whitespace().collect();
    assert!(text.contains("Cuentasquedejandeserclave"));
    assert!(text.contains("BodegaRuizC.B.(C05)yanoescuentaclave"), "the section says why");
    assert!(!text.contains("Cuentasquedejandeserclave:ninguna"), "the cover lists it among the changes");
    let carried = json(&t.path().join("out/2026-11/carried.json"));
    assert_eq!(carried["accounts"]["C05"]["key"], false);
    assert_eq!(carried["accounts"]["C05"]["left_key"], "2026-11");
    assert_eq!(carried["accounts"]["C02"]["kam"], "Raúl Gómez");

    // A month later C05 is no longer shown, and its entries are still in carried.json.
    run_month(t.path(), "2026-12", &[]);
    let (lucia, _) = plan_files(t.path(), "2026-12", "lucia-perez");
    assert!(cells(&lucia).iter().all(|(n, _)| n != "Dejan de ser clave"));
    let carried = json(&t.path().join("out/2026-12/carried.json"));
    assert_eq!(carried["accounts"]["C05"]["decision_makers"][0]["name"], "Enólogo Ruiz");
}

#[test]
fn two_returned_copies_that_disagree_the_latest_wins_with_a_warning() {
    let t = tmp();
    write_books(t.path(), Books::default());
    run_month(t.path(), "2026-10", &[]);
    let (xlsx, _) = plan_files(t.path(), "2026-10", "lucia-perez");
    let back = t.path().join("devueltos");
    fs::create_dir_all(&back).unwrap();
    for (file, name) in [("copia-a.xlsx", "Ana Sala"), ("copia-b.xlsx", "Berta Ortiz")] {
        let p = back.join(file);
        fs::copy(&xlsx, &p).unwrap();
        edit(&p, |book| {
            let ws = book.get_sheet_by_name_mut("Catering Norte S.L.").unwrap();
            let d = row_with(ws, 1, "Nombre", row_with(ws, 1, "Mapa de decisores", 1));
            ws.get_cell_mut((1, d + 1)).set_value(name);
        });
    }
    // b was saved last.
    let older = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    fs::File::options().write(true).open(back.join("copia-a.xlsx")).unwrap().set_modified(older).unwrap();
    fs::write(t.path().join("kamplan.toml"), "[carry]\nreturned = [\"devueltos/\"]\n").unwrap();

    let o = run_month(t.path(), "2026-11", &[]);
    assert_eq!(o.status.code(), Some(1), "a warning to read");
    let err = stderr(&o);
    let warning = err.lines().find(|l| l.contains("disagrees")).unwrap_or_else(|| panic!("{err}"));
    assert!(
        warning.contains("copia-a.xlsx") && warning.contains("copia-b.xlsx") && warning.contains("C02"),
        "{warning}"
    );
    let (lucia, _) = plan_files(t.path(), "2026-11", "lucia-perez");
    let all = cells(&lucia);
    let c02 = sheet(&all, "Catering Norte S.L.");
    assert!(has_text(c02, "Berta Ortiz") && !has_text(c02, "Ana Sala"));
    let manifest = json(&t.path().join("out/2026-11/manifest.json"));
    assert!(manifest["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|w| w.as_str().unwrap().contains("disagrees")));
}
