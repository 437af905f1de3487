//! Integration tests for the plans `kamplan run` writes: what a KAM reads in the PDF and works
//! with in the XLSX, on books the tests write — including names that must stay data.

use std::fs;
use std::path::{Path, PathBuf};

use calamine::{Data, Reader, Xlsx};

use crate::util::*;

/// A small company: 14 customers over 24 months, two KAMs — one with a hostile name — and a
/// customer whose name looks like a formula.
fn write_company(dir: &Path) -> PathBuf {
    let customers: Vec<(String, &str, f64)> = vec![
        ("=HYPERLINK(\"http://x\",\"y\")".to_string(), "../../x", 90_000.0),
        ("+SUM(A1)".to_string(), "Lucía Pérez", 60_000.0),
        ("<b>Acme</b> & \"Hijos\"".to_string(), "Lucía Pérez", 40_000.0),
        ("@cmd".to_string(), "../../x", 30_000.0),
    ]
    .into_iter()
    .chain((0..10).map(|i| (format!("Cliente pequeño {i:02}"), "Lucía Pérez", 1_000.0 + i as f64 * 100.0)))
    .collect();
    let mut rows = vec![
        vec![V::S("Comercial Ejemplo S.L. — ventas")],
        vec![],
        vec![
            V::S("Fecha"),
            V::S("Cód. cliente"),
            V::S("Cliente"),
            V::S("Comercial"),
            V::S("Importe"),
            V::S("Coste"),
        ],
    ];
    for m in 0..24u32 {
        let (y, mo) = (2024 + (10 + m) / 12, (10 + m) % 12 + 1);
        for (i, (name, kam, yearly)) in customers.iter().enumerate() {
            let amount = (yearly / 12.0 * (1.0 + (m as f64) / 40.0) * 100.0).round() / 100.0;
            rows.push(vec![
                V::D(y as u16, mo as u8, 15),
                V::Str(format!("C{:03}", i + 1)),
                V::Str(name.clone()),
                V::Str(kam.to_string()),
                V::N(amount),
                V::N((amount * 0.7 * 100.0).round() / 100.0),
            ]);
        }
    }
    write_book(&dir.join("ventas.xlsx"), &[("Ventas", rows)])
}

fn run_company(dir: &Path, extra: &[&str]) -> PathBuf {
    write_company(dir);
    let mut args = vec!["run", "--period", "2026-10", "-o", "out"];
    args.extend_from_slice(extra);
    args.push("ventas.xlsx");
    let o = kamplan(dir, &args);
    assert!(o.status.code().unwrap() <= 1, "{}", stderr(&o));
    dir.join("out/2026-10")
}

fn find(dir: &Path, ext: &str, folder: &str) -> PathBuf {
    let d = dir.join(folder);
    fs::read_dir(&d)
        .unwrap_or_else(|e| panic!("{}: {e}", d.display()))
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == ext))
        .unwrap_or_else(|| panic!("no .{ext} in {}", d.display()))
}

fn page_texts(path: &Path) -> Vec<String> {
    let pdf = lopdf::Document::load(path).expect("a readable PDF");
    let n = pdf.get_pages().len() as u32;
    (1..=n).map(|p| pdf.extract_text(&[p]).expect("text extracts")).collect()
}

#[test]
fn kam_names_never_become_paths() {
    let t = tmp();
    let month = run_company(t.path(), &["--format", "xlsx"]);
    let mut folders: Vec<String> = fs::read_dir(&month)
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    folders.sort();
    assert_eq!(folders, ["lucia-perez", "x"]);
    // Nothing escaped the output folder.
    assert!(!t.path().join("x").exists() && !t.path().join("out/x").exists());
    let file = find(&month, "xlsx", "x");
    let name = file.file_name().unwrap().to_string_lossy().into_owned();
    assert!(!name.contains('/') && name.contains("2026-10"), "{name}");
}

#[test]
fn the_pdf_plan_names_the_kam_and_its_accounts_with_page_footers() {
    let t = tmp();
    let month = run_company(t.path(), &["--format", "pdf"]);
    let pages = page_texts(&find(&month, "pdf", "lucia-perez"));
    let n = pages.len();
    assert!(n >= 3, "{n} pages");
    for (i, text) in pages.iter().enumerate() {
        assert!(text.contains(&format!("Página {} de {n}", i + 1)), "page {}: {text}", i + 1);
    }
    let all = pages.join("\n");
    assert!(all.contains("Lucía Pérez"));
    assert!(all.contains("<b>Acme</b> & \"Hijos\""), "markup from a book stays text");
    for label in ["Plan de reuniones", "Identificar a quién decide", "Mapa de decisores"] {
        assert!(all.contains(label), "missing {label:?}");
    }
}

#[test]
fn the_english_plan_is_in_english() {
    let t = tmp();
    let month = run_company(t.path(), &["--format", "pdf", "--lang", "en"]);
    let pdf = find(&month, "pdf", "lucia-perez");
    assert!(pdf.file_name().unwrap().to_string_lossy().starts_with("Key Account Plan"));
    let all = page_texts(&pdf).join("\n");
    assert!(all.contains("Page 1 of") && all.contains("Meeting plan"), "{all}");
}

/// Whether a formula is one of kamplan's own: cell references (on a sheet named in quotes),
/// numbers, arithmetic and SUBTOTAL/MIN/MAX/ROUND — nothing else, so no text of a book.
fn is_kamplan_formula(f: &str) -> bool {
    let mut rest = f.to_string();
    // Drop quoted sheet names: `'Resumen'!$B$7`.
    while let Some(a) = rest.find('\'') {
        let Some(b) = rest[a + 1..].find("'!") else { return false };
        rest.replace_range(a..a + 1 + b + 2, "");
    }
    let words: Vec<&str> = rest.split(|c: char| !c.is_ascii_alphabetic()).filter(|w| !w.is_empty()).collect();
    rest.chars().all(|c| c.is_ascii_alphanumeric() || "$:+-*/(),.".contains(c))
        && words.iter().all(|w| {
            matches!(*w, "SUBTOTAL" | "MIN" | "MAX" | "ROUND")
                || (w.len() <= 3 && w.chars().all(|c| c.is_ascii_uppercase()))
        })
}

/// Every string cell and the count of number cells of a workbook; asserts its only formulas
/// are kamplan's own.
fn strings_and_floats(path: &Path) -> (Vec<String>, usize) {
    let mut wb: Xlsx<_> = calamine::open_workbook(path).unwrap();
    let sheets = wb.sheet_names().to_vec();
    assert!(sheets.len() >= 3, "{sheets:?}");
    let (mut strings, mut floats) = (Vec::new(), 0);
    for s in &sheets {
        let range = wb.worksheet_range(s).unwrap();
        for cell in range.used_cells() {
            match cell.2 {
                Data::String(v) => strings.push(v.clone()),
                Data::Float(_) => floats += 1,
                _ => {}
            }
        }
        let formulas = wb.worksheet_formula(s).unwrap();
        for (_, _, f) in formulas.used_cells() {
            assert!(
                f.is_empty() || is_kamplan_formula(f),
                "a formula that is not kamplan's in sheet {s}: {f}"
            );
        }
    }
    (strings, floats)
}

#[test]
fn the_xlsx_plan_keeps_numbers_numbers_and_formulas_text() {
    let t = tmp();
    let month = run_company(t.path(), &["--format", "xlsx"]);
    let (x_strings, x_floats) = strings_and_floats(&find(&month, "xlsx", "x"));
    let (l_strings, _) = strings_and_floats(&find(&month, "xlsx", "lucia-perez"));
    assert!(x_strings.iter().any(|v| v == "=HYPERLINK(\"http://x\",\"y\")"), "{x_strings:?}");
    assert!(l_strings.iter().any(|v| v == "+SUM(A1)"), "{l_strings:?}");
    assert!(l_strings.iter().any(|v| v == "<b>Acme</b> & \"Hijos\""));
    assert!(x_floats > 20, "money and shares are numbers ({x_floats} float cells)");
}

#[test]
fn the_summary_lists_every_kam_for_hand_over() {
    let t = tmp();
    let month = run_company(t.path(), &["--format", "xlsx,pdf"]);
    let summary = fs::read_dir(&month)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| {
            p.file_name().unwrap().to_string_lossy().starts_with("Resumen") && p.extension().unwrap() == "pdf"
        })
        .unwrap();
    let all = page_texts(&summary).join("\n");
    assert!(all.contains("Lucía Pérez") && all.contains("../../x"), "both KAMs, names as typed");
    let index = fs::read_to_string(month.join("index.csv")).unwrap();
    assert_eq!(index.lines().count(), 3, "{index}");
}
