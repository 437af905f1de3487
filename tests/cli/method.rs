//! Integration tests for what a plan tells a KAM to do, through the binary: meetings as they
//! really went, targets by the account's situation, actual against target across two runs,
//! one action list, the owner as KAM, and the summary's commercial plan and capacity.

use std::fs;
use std::path::{Path, PathBuf};

use calamine::{Data, Reader, Xlsx};

use crate::util::*;

/// Month `m` of the books (0 = 2024-11 … 23 = 2026-10) as (year, month).
fn ym(m: u32) -> (u16, u8) {
    let k = 10 + m;
    ((2024 + k / 12) as u16, (k % 12 + 1) as u8)
}

/// Monthly sales of the company's accounts (see each line).
fn monthly(id: &str, m: u32) -> f64 {
    match id {
        "A001" => 8000.0,           // steady
        "A002" if m < 21 => 6000.0, // falling: the last three months
        "A002" => 2500.0,           //   sell much less
        "A003" if m < 12 => 800.0,  // growing: ×3 this year
        "A003" => 2500.0,
        "A004" => 3000.0,            // steady, visits only
        "A005" if m >= 14 => 2000.0, // new in 2026-01
        "A005" => 0.0,
        "A006" => 40.0, // tiny, with a big potential
        _ => 300.0,     // twelve small customers
    }
}

const IDS: [&str; 6] = ["A001", "A002", "A003", "A004", "A005", "A006"];

/// Sales (24 months, Ana Pérez sells to everybody; `salesperson: false` leaves the column
/// out), a master with A006's potential, and an activity log.
fn write_company(dir: &Path, salesperson: bool, log: &[(&str, &str, &str, &str)]) -> Vec<PathBuf> {
    let mut ids: Vec<String> = IDS.iter().map(|s| s.to_string()).collect();
    ids.extend((1..=12).map(|i| format!("S{i:02}")));
    let mut header = vec![V::S("Fecha"), V::S("Cód. cliente"), V::S("Cliente")];
    if salesperson {
        header.push(V::S("Comercial"));
    }
    header.push(V::S("Importe"));
    let mut rows = vec![header];
    for m in 0..24 {
        let (y, mo) = ym(m);
        for id in &ids {
            let v = monthly(id, m);
            if v == 0.0 {
                continue;
            }
            let mut row = vec![V::D(y, mo, 10), V::Str(id.clone()), V::Str(format!("Cliente {id}"))];
            if salesperson {
                row.push(V::S("Ana Pérez"));
            }
            row.push(V::N(v));
            rows.push(row);
        }
    }
    let mut files = vec![write_book(&dir.join("ventas.xlsx"), &[("Ventas", rows)])];
    files.push(write_book(
        &dir.join("maestro.xlsx"),
        &[(
            "Clientes",
            vec![
                vec![V::S("Código cliente"), V::S("Razón social"), V::S("Potencial anual")],
                vec![V::S("A006"), V::S("Cliente A006"), V::N(200_000.0)],
            ],
        )],
    ));
    if !log.is_empty() {
        let mut rows = vec![vec![V::S("Fecha"), V::S("Cód. cliente"), V::S("Tipo"), V::S("Notas")]];
        for (date, id, kind, notes) in log {
            let d: Vec<u32> = date.split('-').map(|x| x.parse().unwrap()).collect();
            rows.push(vec![
                V::D(d[0] as u16, d[1] as u8, d[2] as u8),
                V::Str(id.to_string()),
                V::Str(kind.to_string()),
                V::Str(notes.to_string()),
            ]);
        }
        files.push(write_book(&dir.join("actividad.xlsx"), &[("Actividad", rows)]));
    }
    files
}

/// The activity log of the storylines.
const LOG: &[(&str, &str, &str, &str)] = &[
    // A001: three meetings done, the close postponed; its last contact 10/09 → call overdue.
    ("2026-02-10", "A001", "Reunión decisores", "Decide Jorge Blanco (F&B); firma Nuria Pons"),
    ("2026-04-10", "A001", "Reunión competencia", "Sin ofertas de la competencia"),
    ("2026-06-10", "A001", "Reunión necesidades", "Reposición semanal de café"),
    ("2026-09-10", "A001", "Reunión cierre", "Cierre aplazado: quieren revisar precios"),
    // A002: its close ended without agreement.
    ("2026-03-02", "A002", "Reunión decisores", "Reunión con compras; no se sabe quién firma"),
    ("2026-05-04", "A002", "Reunión competencia", ""),
    ("2026-07-06", "A002", "Reunión necesidades", ""),
    ("2026-10-05", "A002", "Reunión cierre", "Sin acuerdo: el precio no encaja"),
    // A004: routine visits only, then too many contacts in October and a request to stop.
    ("2026-03-03", "A004", "Visita", "Visita a cocina y almacén; revisado stock de aceite."),
    ("2026-05-05", "A004", "Visita", "Visita a cocina y almacén; revisado stock de café."),
    ("2026-07-07", "A004", "Visita", "Visita a cocina y almacén; revisado stock de menaje."),
    ("2026-09-09", "A004", "Visita", "Visita a cocina y almacén; revisado stock de limpieza."),
    ("2026-10-01", "A004", "Llamada cortesía", "Seguimiento de la oferta."),
    ("2026-10-05", "A004", "Visita", "Otra vez la oferta."),
    ("2026-10-08", "A004", "Llamada cortesía", "Sigue sin decidir."),
    ("2026-10-13", "A004", "Llamada cortesía", "Pide que no le llamemos tanto."),
    ("2026-10-20", "A004", "Visita", "Entrega de muestras."),
];

fn run(dir: &Path, period: &str, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["run", "--period", period, "-o", "out"];
    args.extend_from_slice(extra);
    args.extend(["ventas.xlsx", "maestro.xlsx"]);
    if dir.join("actividad.xlsx").exists() {
        args.push("actividad.xlsx");
    }
    kamplan(dir, &args)
}

fn find(dir: &Path, ext: &str) -> PathBuf {
    fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == ext))
        .unwrap_or_else(|| panic!("no .{ext} in {}", dir.display()))
}

/// The PDF's text without any whitespace: the extracted text loses the space at a line break,
/// so sentences are compared with [`has`] the same way.
fn pdf_text(path: &Path) -> String {
    let pdf = lopdf::Document::load(path).expect("a readable PDF");
    let n = pdf.get_pages().len() as u32;
    let text: Vec<String> = (1..=n).map(|p| pdf.extract_text(&[p]).expect("text extracts")).collect();
    text.concat().chars().filter(|c| !c.is_whitespace()).collect()
}

/// Whether `text` (from [`pdf_text`]) holds `words`, whitespace ignored.
fn has(text: &str, words: &str) -> bool {
    text.contains(&words.chars().filter(|c| !c.is_whitespace()).collect::<String>())
}

/// The part of a plan's text about one account: from its code to the next account's.
fn section<'a>(all: &'a str, id: &str) -> &'a str {
    let start = all.find(&format!("Código:{id}")).unwrap_or_else(|| panic!("no section for {id}"));
    let rest = &all[start + 5..];
    let end = rest.find("Código:").map_or(all.len(), |e| start + 5 + e);
    &all[start..end]
}

/// Every row of a sheet as text cells.
fn sheet_rows(path: &Path, sheet: &str) -> Vec<Vec<String>> {
    let mut wb: Xlsx<_> = calamine::open_workbook(path).unwrap();
    let range = wb.worksheet_range(sheet).unwrap_or_else(|e| panic!("sheet {sheet}: {e}"));
    range
        .rows()
        .map(|r| {
            r.iter()
                .map(|c| match c {
                    Data::String(s) => s.clone(),
                    Data::Float(f) => f.to_string(),
                    Data::DateTime(d) => d.as_datetime().map(|x| x.date().to_string()).unwrap_or_default(),
                    Data::Empty => String::new(),
                    other => other.to_string(),
                })
                .collect()
        })
        .collect()
}

#[test]
fn meetings_outcomes_decision_makers_and_follow_up_read_from_the_log() {
    let t = tmp();
    write_company(t.path(), true, LOG);
    let o = run(t.path(), "2026-10", &[]);
    assert!(o.status.code().unwrap() <= 1, "{}", stderr(&o));
    let folder = t.path().join("out/2026-10/ana-perez");
    let all = pdf_text(&find(&folder, "pdf"));

    // A postponed close is not a finished cycle: retake it, with the note's reason.
    let a001 = section(&all, "A001");
    assert!(has(a001, "Retomar la reunión nº 4, Cerrar el acuerdo: aplazada el 10/09/2026"), "{a001}");
    assert!(has(a001, "«quieren revisar precios»"), "{a001}");
    assert!(!has(a001, "nuevo ciclo"), "{a001}");
    // The people the decision-maker meeting names are suggested for the map.
    assert!(has(a001, "Jorge Blanco") && has(a001, "Nuria Pons"), "{a001}");
    assert!(has(a001, "Sugerido: nombrado en la reunión del 10/02/2026"), "{a001}");
    // The courtesy call fell due on 10/10: overdue since then, next call 01/11, never a past date.
    assert!(has(a001, "vencida desde el 10/10/2026") && has(a001, "01/11/2026"), "{a001}");

    // A close without agreement, and meeting 1 done with nobody named.
    let a002 = section(&all, "A002");
    assert!(has(a002, "sin acuerdo el 05/10/2026 — «el precio no encaja»"), "{a002}");
    assert!(has(a002, "nadie ha anotado quién decide"), "{a002}");

    // Visits fill no step: all four meetings pending, the first is next.
    let a004 = section(&all, "A004");
    assert!(has(a004, "Próxima reunión: nº 1, Identificar a quién decide"), "{a004}");
    assert!(has(a004, "Reuniones del método celebradas en la ventana: 0"), "{a004}");
    // Five contacts in October, with the customer's own request beside the warning.
    assert!(has(a004, "5 contactos en oct 2026"), "{a004}");
    assert!(has(a004, "pidió que le contacten menos: «Pide que no le llamemos tanto.»"), "{a004}");

    // The XLSX meeting tables say the same, as the drop-down's labels.
    let xlsx = find(&folder, "xlsx");
    let wb: Xlsx<_> = calamine::open_workbook(&xlsx).unwrap();
    let names = wb.sheet_names().to_vec();
    assert!(names.iter().any(|n| n == "Agenda"), "{names:?}");
    let agenda = sheet_rows(&xlsx, "Agenda");
    let status_of = |id: &str, what: &str| -> String {
        agenda
            .iter()
            .find(|r| r[0] == format!("Cliente {id}") && r[1].starts_with(what))
            .unwrap_or_else(|| panic!("no {what} for {id} in the agenda"))[3]
            .clone()
    };
    assert_eq!(status_of("A001", "Reunión 4"), "Aplazada");
    assert_eq!(status_of("A001", "Reunión 1"), "Hecha");
    assert_eq!(status_of("A002", "Reunión 4"), "Sin acuerdo");
    for step in 1..=4 {
        assert_eq!(status_of("A004", &format!("Reunión {step}")), "Pendiente");
    }
    assert_eq!(status_of("A001", "Llamada"), "Vencida");
    // Every agenda row links to its account's sheet.
    let sheet_xml = xlsx_part(&xlsx, "Agenda");
    assert!(sheet_xml.matches("<hyperlink ").count() >= agenda.len() - 5, "agenda rows link to their sheets");
}

/// The XML of a workbook's sheet, found by its name.
fn xlsx_part(path: &Path, sheet: &str) -> String {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(fs::File::open(path).unwrap()).unwrap();
    let mut book = String::new();
    zip.by_name("xl/workbook.xml").unwrap().read_to_string(&mut book).unwrap();
    let names: Vec<&str> = book.split("<sheet ").skip(1).map(|s| s.split('"').nth(1).unwrap()).collect();
    let i = names.iter().position(|n| *n == sheet).unwrap() + 1;
    let mut xml = String::new();
    zip.by_name(&format!("xl/worksheets/sheet{i}.xml")).unwrap().read_to_string(&mut xml).unwrap();
    xml
}

#[test]
fn the_cover_starts_with_this_months_actions() {
    let t = tmp();
    write_company(t.path(), true, LOG);
    let o = run(t.path(), "2026-10", &["--format", "xlsx"]);
    assert!(o.status.code().unwrap() <= 1, "{}", stderr(&o));
    let xlsx = find(&t.path().join("out/2026-10/ana-perez"), "xlsx");
    let cover = sheet_rows(&xlsx, "Resumen");
    let title = cover.iter().position(|r| r[0] == "Acciones de este mes").expect("the actions come first");
    let intro = cover.iter().position(|r| r[0].starts_with("Ana Pérez gestiona")).unwrap();
    assert!(title < intro, "the actions open the cover");
    let header = cover.iter().position(|r| r[0] == "Cuenta" && r[1] == "Acción").unwrap();
    let actions: Vec<(&str, &str)> = cover[header + 1..]
        .iter()
        .take_while(|r| !r[0].is_empty())
        .map(|r| (r[0].as_str(), r[1].as_str()))
        .collect();
    // Overdue calls first, then the meetings to retake, naming their step.
    assert!(actions[0].1.starts_with("Llamada de cortesía vencida"), "{actions:?}");
    let retake: Vec<&(&str, &str)> = actions.iter().filter(|a| a.1.starts_with("Retomar")).collect();
    assert_eq!(retake.len(), 2, "{actions:?}");
    assert!(retake.iter().any(|a| a.0 == "Cliente A001" && a.1.contains("reunión nº 4")), "{actions:?}");
    let first_retake = actions.iter().position(|a| a.1.starts_with("Retomar")).unwrap();
    assert!(
        actions[..first_retake].iter().all(|a| a.1.contains("Llamada de cortesía vencida")),
        "{actions:?}"
    );
    // A falling account and the next meeting of each account are there too.
    assert!(
        actions.iter().any(|a| a.0 == "Cliente A002" && a.1.starts_with("Ventas a la baja")),
        "{actions:?}"
    );
    assert!(actions.iter().any(|a| a.0 == "Cliente A004" && a.1.contains("reunión nº 1")), "{actions:?}");
}

#[test]
fn targets_follow_the_accounts_situation() {
    let t = tmp();
    write_company(t.path(), true, LOG);
    let o = run(t.path(), "2026-10", &[]);
    assert!(o.status.code().unwrap() <= 1, "{}", stderr(&o));
    let month = t.path().join("out/2026-10");
    let manifest: serde_json::Value =
        serde_json::from_slice(&fs::read(month.join("manifest.json")).unwrap()).unwrap();
    let target = |id: &str| -> f64 {
        let months = manifest["targets"][id].as_array().unwrap_or_else(|| panic!("no targets for {id}"));
        assert_eq!(months.len(), 12, "{id}: the twelve months after P");
        assert_eq!(months[0]["month"], "2026-11");
        assert!(months.iter().all(|m| m["set_in"] == "2026-10"));
        months.iter().map(|m| m["target"].as_f64().unwrap()).sum()
    };
    let close = |got: f64, want: f64| (got - want).abs() < 0.02;
    // Steady: the window's sales (96,000) × 1.05.
    assert!(close(target("A001"), 100_800.0), "{}", target("A001"));
    // Growing +212 %: capped at 30 % → 30,000 × 1.30, above its pace (30,000).
    assert!(close(target("A003"), 39_000.0), "{}", target("A003"));
    // New in January: 20,000 × 1.30, above its pace (24,000).
    assert!(close(target("A005"), 26_000.0), "{}", target("A005"));
    // Key only by potential: 480 + 25 % of (200,000 − 480).
    assert!(close(target("A006"), 50_360.0), "{}", target("A006"));
    // Falling: 61,500 × 1.05, and the plan says what recovering means.
    assert!(close(target("A002"), 64_575.0), "{}", target("A002"));
    let all = pdf_text(&find(&month.join("ana-perez"), "pdf"));
    let a002 = section(&all, "A002");
    assert!(
        has(a002, "recuperar el nivel del año anterior supone volver a vender 5.125,00 € al mes, 2.625,00 € más que su ritmo actual de 2.500,00 €"),
        "{a002}"
    );
    // Each sentence names the rule that produced the number.
    assert!(has(section(&all, "A003"), "su crecimiento reciente (212,5 %) limitado al 30 %"), "{all}");
    assert!(has(section(&all, "A005"), "(cuenta nueva) limitado al 30 %"));
    assert!(has(section(&all, "A006"), "más el 25 % de la distancia hasta su potencial (200.000,00 €"));
    // One trend definition, named on the KPI.
    assert!(has(a002, "Tendencia (3 meses frente a un año antes)"), "{a002}");
    // Customer since: the first month of the books is "or earlier".
    assert!(has(section(&all, "A001"), "Cliente desde: nov 2024 o antes"));
    assert!(has(section(&all, "A005"), "Cliente desde: 10/01/2026"));
}

#[test]
fn next_months_plan_shows_actual_against_target() {
    let t = tmp();
    write_company(t.path(), true, LOG);
    let first = run(t.path(), "2026-09", &["--format", "xlsx"]);
    assert!(first.status.code().unwrap() <= 1, "{}", stderr(&first));
    let m1: serde_json::Value =
        serde_json::from_slice(&fs::read(t.path().join("out/2026-09/manifest.json")).unwrap()).unwrap();
    let oct = m1["targets"]["A002"].as_array().unwrap()[0].clone();
    assert_eq!((oct["month"].as_str(), oct["set_in"].as_str()), (Some("2026-10"), Some("2026-09")));
    let asked = oct["target"].as_f64().unwrap();

    let second = run(t.path(), "2026-10", &[]);
    assert!(second.status.code().unwrap() <= 1, "{}", stderr(&second));
    let month = t.path().join("out/2026-10");
    let m2: serde_json::Value =
        serde_json::from_slice(&fs::read(month.join("manifest.json")).unwrap()).unwrap();
    // October as run 1 set it, kept with its origin; then the twelve new months.
    let a002 = m2["targets"]["A002"].as_array().unwrap();
    assert_eq!(a002.len(), 13);
    assert_eq!(a002[0], oct);
    // The plan sets October's sales (2,500) against it: behind, and on the cover's actions.
    let all = pdf_text(&find(&month.join("ana-perez"), "pdf"));
    let s = section(&all, "A002");
    assert!(has(s, "Ventas frente al objetivo"), "{s}");
    let fmt = |v: f64| {
        let cents = (v * 100.0).round() as i64;
        let int = (cents / 100).to_string();
        let mut g = String::new();
        for (i, ch) in int.chars().enumerate() {
            if i > 0 && (int.len() - i).is_multiple_of(3) {
                g.push('.');
            }
            g.push(ch);
        }
        format!("{g},{:02}", cents % 100)
    };
    assert!(
        has(
            s,
            &format!("Por debajo del objetivo: en oct 2026 ha vendido 2.500,00 € frente a {} €", fmt(asked))
        ),
        "{s}"
    );
    assert!(has(&all, "Por debajo del objetivo: 2.500,00 € vendidos"), "on the cover's actions");
    // The XLSX has the months elapsed as a table of numbers.
    let xlsx = find(&month.join("ana-perez"), "xlsx");
    let rows = sheet_rows(&xlsx, "Cliente A002");
    let row =
        rows.iter().find(|r| r[0] == "oct 2026" && r.len() > 2 && r[2] == "2500").expect("October's row");
    assert!((row[1].parse::<f64>().unwrap() - asked).abs() < 1e-6, "{row:?}");

    // A damaged earlier month: a warning, the plan without actual vs target, exit 1.
    fs::write(t.path().join("out/2026-09/manifest.json"), "{ broken").unwrap();
    let third = run(t.path(), "2026-10", &["--format", "xlsx"]);
    assert_eq!(third.status.code(), Some(1), "{}", stderr(&third));
    assert!(stderr(&third).contains("earlier targets not read"), "{}", stderr(&third));
}

#[test]
fn the_owner_is_the_kam_of_a_small_firm() {
    let t = tmp();
    write_company(t.path(), false, &[]);
    let o = run(t.path(), "2026-10", &["--format", "xlsx"]);
    // No salesperson, no master KAM, no territory: one plan for management, and no warning.
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let month = t.path().join("out/2026-10");
    let folders: Vec<String> = fs::read_dir(&month)
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(folders, ["direccion"]);
    assert!(!stderr(&o).contains("sin KAM"), "{}", stderr(&o));
}

#[test]
fn the_summary_sets_key_targets_inside_the_commercial_plan_and_warns_on_capacity() {
    let t = tmp();
    write_company(t.path(), true, LOG);
    fs::write(t.path().join("kamplan.toml"), "[plan]\ncommercial_target = 400000\nkam_capacity = 3\n")
        .unwrap();
    let o = run(t.path(), "2026-10", &["--format", "pdf"]);
    assert!(o.status.code().unwrap() <= 1, "{}", stderr(&o));
    let all = pdf_text(&find(&t.path().join("out/2026-10"), "pdf"));
    assert!(has(&all, "El plan comercial pide 400.000,00 €"), "{all}");
    assert!(has(&all, "el resto de clientes"), "{all}");
    assert!(has(&all, "Ana Pérez tiene 6 cuentas clave, más de las 3"), "{all}");
    assert!(has(&all, "con classify.volume_share = 0,70 habría"), "{all}");
    // The accounts without contact in recency_alert_days.
    assert!(has(&all, "Cuentas clave sin contacto en los últimos 60 días"), "{all}");
}
