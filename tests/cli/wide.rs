//! Integration tests for monthly (wide) sales books — one row per customer, one column per
//! month — through the real binary: what `check` says and the plans `run` writes.

use std::fs;
use std::path::{Path, PathBuf};

use calamine::{Data, Reader, Xlsx};
use serde_json::Value;

use crate::util::*;

fn s(x: &'static str) -> V {
    V::S(x)
}

/// Monthly sales of six customers: (code, name, KAM, monthly amount of 2025).
const CUSTOMERS: [(&str, &str, &str, f64); 6] = [
    ("M01", "Talleres Norte S.A.", "Ana Ruiz", 9_000.0),
    ("M02", "Ferralla Sur S.L.", "Ana Ruiz", 4_000.0),
    ("M03", "Envases Centro S.L.", "Luis Gil", 2_500.0),
    ("M04", "Pinturas Este S.L.", "Luis Gil", 600.0),
    ("M05", "Gráficas Oeste S.L.", "Ana Ruiz", 300.0),
    ("M06", "Recambios Costa S.L.", "Luis Gil", 150.0),
];

/// A monthly book as small companies keep it: `2025` with date-cell month headers and a
/// total column, `2026` with month names alone (the year is the sheet's name), quarter and
/// total columns and a totals row, and a `Margen` sheet. `month` replaces one cell of 2026.
fn write_monthly(dir: &Path, month: Option<(usize, usize, V)>) -> PathBuf {
    let mut y25 = vec![vec![s("Ventas por cliente 2025")], vec![]];
    let mut header = vec![s("Código"), s("Cliente"), s("Comercial")];
    header.extend((1..=12).map(|m| V::D(2025, m, 1)));
    header.push(s("Total 2025"));
    y25.push(header);
    for (code, name, kam, v) in CUSTOMERS {
        let mut row = vec![s(code), s(name), s(kam)];
        row.extend((0..12).map(|_| V::N(v)));
        row.push(V::N(v * 12.0));
        y25.push(row);
    }
    let mut y26 = vec![vec![
        s("Código"),
        s("Cliente"),
        s("Comercial"),
        s("Ene"),
        s("Feb"),
        s("Mar"),
        s("T1"),
        s("Abr"),
        s("May"),
        s("Jun"),
        s("T2"),
        s("Jul"),
        s("Ago"),
        s("Sept"),
        s("T3"),
        s("Oct"),
        s("Total año"),
    ]];
    for (i, (code, name, kam, v)) in CUSTOMERS.iter().enumerate() {
        // The first customer grows by half in 2026.
        let v = if i == 0 { v * 1.5 } else { *v };
        let mut row = vec![s(code), s(name), s(kam)];
        for q in 0..3 {
            row.extend([V::N(v), V::N(v), V::N(v), V::N(3.0 * v)]);
            let _ = q;
        }
        row.push(V::N(v));
        row.push(V::N(10.0 * v));
        if let Some((r, c, value)) = &month {
            if *r == i {
                row[*c] = value.clone();
            }
        }
        y26.push(row);
    }
    y26.push(vec![]);
    y26.push(vec![V::Empty, s("Total")]);
    let mut margin = vec![vec![s("Código"), s("Cliente")]];
    margin[0].extend((1..=12).map(|m| V::Str(format!("{m:02}/2025"))));
    for (code, name, _, v) in CUSTOMERS {
        let mut row = vec![s(code), s(name)];
        row.extend((0..12).map(|_| V::N(v * 0.25)));
        margin.push(row);
    }
    write_book(&dir.join("mensual.xlsx"), &[("2025", y25), ("2026", y26), ("Margen", margin)])
}

fn check_json(dir: &Path) -> (Value, i32) {
    let o = kamplan(dir, &["check", "--format", "json", "mensual.xlsx"]);
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap_or_else(|e| panic!("{e}: {}", stderr(&o)));
    (v, o.status.code().unwrap_or(-1))
}

fn sheet<'a>(v: &'a Value, name: &str) -> &'a Value {
    v["sheets"].as_array().unwrap().iter().find(|s| s["sheet"] == name).unwrap()
}

#[test]
fn check_shows_the_monthly_role_the_month_columns_and_rows_as_customers() {
    let t = tmp();
    write_monthly(t.path(), None);
    let o = kamplan(t.path(), &["check", "mensual.xlsx"]);
    let text = stdout(&o);
    assert_eq!(o.status.code(), Some(0), "{text}{}", stderr(&o));
    for want in [
        "mensual.xlsx › 2025\n  role      monthly sales (wide), header in row 3",
        "columns   customer_id A (Código) · customer_name B (Cliente) · kam C (Comercial)",
        "months    12: D (2025-01-01) = 2025-01 … O (2025-12-01) = 2025-12",
        "total     P (Total 2025) = D…O: checked against its 12 months, never read",
        "rows      9 = 6 customers + 3 skipped (1 blank, 1 title, 1 header) + 0 rejected",
        "months    10: D (Ene) = 2026-01 … P (Oct) = 2026-10",
        "year      month names take the year from the sheet name \"2026\"",
        "ignored   G (T1): quarter, not read (its months are)",
        "total     Q (Total año) = D…P: checked against its 10 months, never read",
        "rows      9 = 6 customers + 3 skipped (1 blank, 1 header, 1 total) + 0 rejected",
        "mensual.xlsx › Margen\n  role      monthly margin (wide), header in row 1",
        "margin    12: C (01/2025) = 2025-01 … N (12/2025) = 2025-12",
        "sales     132 lines,",
    ] {
        assert!(text.contains(want), "missing {want:?} in\n{text}");
    }
    let (v, _) = check_json(t.path());
    let y26 = sheet(&v, "2026");
    assert_eq!(y26["role"], "monthly_sales");
    assert_eq!(y26["wide"]["months"].as_array().unwrap().len(), 10);
    assert_eq!(y26["wide"]["ignored"].as_array().unwrap().len(), 3);
    assert_eq!(sheet(&v, "Margen")["role"], "monthly_margin");
    let (rows, recs, skipped, rejected) = (&v["rows"], &v["transactions"], &v["skipped"], &v["rejected"]);
    assert_eq!(
        rows.as_u64(),
        Some(recs.as_u64().unwrap() + skipped.as_u64().unwrap() + rejected.as_u64().unwrap())
    );
}

#[test]
fn a_wrong_total_and_a_text_month_are_pointed_out_with_their_cells() {
    let t = tmp();
    // Acme's (row 2) Feb is "pendiente": the row is rejected and the total is never checked.
    write_monthly(t.path(), Some((0, 4, s("pendiente"))));
    let o = kamplan(t.path(), &["check", "mensual.xlsx"]);
    let text = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{text}");
    assert!(
        text.contains("mensual.xlsx › 2026 › E2  Feb = \"pendiente\": expected a number, found text"),
        "{text}"
    );
    assert!(
        text.contains("rows      9 = 5 customers + 3 skipped (1 blank, 1 header, 1 total) + 1 rejected"),
        "{text}"
    );

    // A total typed over what its months sum.
    write_monthly(t.path(), Some((1, 16, V::N(99_999.0))));
    let o = kamplan(t.path(), &["check", "mensual.xlsx"]);
    let text = stdout(&o);
    assert!(
        text.contains("warning   mensual.xlsx › 2026: 1 total(s) differ from the sum of their months")
            && text.contains("Q3 (Total año) = 99999 but D3:P3 sum 40000.00"),
        "{text}"
    );
    // `check` exits 1 for rejected rows only; `run` publishes and exits 1 with the warning.
    assert_eq!(o.status.code(), Some(0), "{text}");
    let o = kamplan(t.path(), &["run", "--period", "2026-10", "-o", "out", "mensual.xlsx"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("Q3 (Total año) = 99999"), "{}", stderr(&o));
}

#[test]
fn month_names_without_a_year_ask_for_it() {
    let t = tmp();
    let rows = vec![
        vec![s("Cliente"), s("Enero"), s("Febrero"), s("Marzo")],
        vec![s("Acme"), V::N(1.0), V::N(2.0), V::N(3.0)],
    ];
    write_book(&t.path().join("mensual.xlsx"), &[("Hoja1", rows)]);
    let o = kamplan(t.path(), &["check", "mensual.xlsx"]);
    assert_eq!(o.status.code(), Some(3), "{}", stdout(&o));
    let err = stderr(&o);
    assert!(
        err.contains("mensual.xlsx › Hoja1: monthly sales with month names but no year (B1 \"Enero\""),
        "{err}"
    );
    assert!(err.contains("set `year = 2026` under [ingest] in kamplan.toml"), "{err}");
    fs::write(t.path().join("kamplan.toml"), "[ingest]\nyear = 2026\n").unwrap();
    let o = kamplan(t.path(), &["check", "mensual.xlsx"]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("month names take the year from [ingest] year in the config"));
}

/// The string cells of every sheet of a workbook.
fn strings(path: &Path) -> Vec<String> {
    let mut wb: Xlsx<_> = calamine::open_workbook(path).unwrap();
    let mut out = Vec::new();
    for s in wb.sheet_names().to_vec() {
        for c in wb.worksheet_range(&s).unwrap().used_cells() {
            if let Data::String(v) = c.2 {
                out.push(v.clone());
            }
        }
    }
    out
}

fn pdf_text(path: &Path) -> String {
    let pdf = lopdf::Document::load(path).unwrap();
    let n = pdf.get_pages().len() as u32;
    pdf.extract_text(&(1..=n).collect::<Vec<_>>()).unwrap()
}

#[test]
fn run_turns_a_monthly_book_into_plans_that_say_products_are_not_available() {
    let t = tmp();
    write_monthly(t.path(), None);
    for (lang, note) in
        [("es", "No disponible en un libro mensual"), ("en", "Not available in a monthly book")]
    {
        let out = format!("out-{lang}");
        let o =
            kamplan(t.path(), &["run", "--period", "2026-10", "--lang", lang, "-o", &out, "mensual.xlsx"]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let month = t.path().join(&out).join("2026-10");
        let manifest: Value =
            serde_json::from_slice(&fs::read(month.join("manifest.json")).unwrap()).unwrap();
        assert_eq!(manifest["counts"]["rejected"], 0);
        let ana = month.join("ana-ruiz");
        let file = |ext: &str| {
            fs::read_dir(&ana)
                .unwrap()
                .map(|e| e.unwrap().path())
                .find(|p| p.extension().unwrap() == ext)
                .unwrap()
        };
        let text = pdf_text(&file("pdf"));
        assert!(text.contains("Talleres Norte S.A."), "{text}");
        assert!(text.contains(note), "{lang}: {text}");
        assert!(strings(&file("xlsx")).iter().any(|s| s.starts_with(note)), "{lang}: the XLSX says it too");
    }
    // The key accounts as `classify` sees them: sales of the 12 months to 2026-10, growth
    // against the prior 12 (2025-01..10 only), margin from the margin sheet.
    let o = kamplan(t.path(), &["classify", "--period", "2026-10", "--format", "json", "mensual.xlsx"]);
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let acme = v["accounts"].as_array().unwrap().iter().find(|a| a["id"] == "M01").unwrap();
    // Nov–Dec 2025 at 9,000 and Jan–Oct 2026 at 13,500.
    assert_eq!(acme["sales"], 2.0 * 9_000.0 + 10.0 * 13_500.0);
    assert_eq!(acme["last_purchase"], "2026-10-31");
    assert_eq!(acme["kam"], "Ana Ruiz");
}

fn samples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("samples")
}

#[test]
fn the_sample_monthly_book_becomes_plans_and_stays_out_of_the_main_samples() {
    let t = tmp();
    // `run samples/` reads the folder's books, not its sub-folders.
    let o = kamplan(t.path(), &["check", "--format", "json", samples().to_str().unwrap()]);
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let files: Vec<&str> = v["files"].as_array().unwrap().iter().map(|f| f.as_str().unwrap()).collect();
    assert_eq!(files.len(), 4, "{files:?}");
    assert!(files.iter().all(|f| !f.contains("mensual")), "{files:?}");

    let mensual = samples().join("mensual");
    let o = kamplan(t.path(), &["run", "-o", "out", mensual.to_str().unwrap()]);
    // Exit 1: November 2025 is in both fiscal years' sheets, which is worth a warning.
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let month = t.path().join("out/2026-10");
    let manifest: Value = serde_json::from_slice(&fs::read(month.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["counts"]["rejected"], 0);
    let warnings: Vec<&str> =
        manifest["warnings"].as_array().unwrap().iter().map(|w| w.as_str().unwrap()).collect();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].contains(
        "are in both ventas_mensuales.xlsx › 2024-25 and ventas_mensuales.xlsx › 2025-26 (2025-11)"
    ));
    let index = fs::read_to_string(month.join("index.csv")).unwrap();
    assert_eq!(index.lines().count(), 5, "four KAMs: {index}");
    assert!(index.contains("pilar.lasheras@suministros-ebro.example"), "{index}");
}
