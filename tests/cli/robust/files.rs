//! Which files are read and what they are: duplicates, links, permissions, content over
//! extension, implausible ranges, duplicate headers, and the crashes fuzzing found.

use std::path::Path;

use crate::forge::{self, Part, Piece};
use crate::util::*;

use super::*;

// ---------------------------------------------------------------- 10, 18: which files, what they are

#[test]
fn a_book_named_twice_is_read_once_and_a_broken_link_is_an_error() {
    let dir = tmp();
    let d = dir.path();
    std::fs::create_dir(d.join("libros")).unwrap();
    sales_book(&d.join("libros/ventas.xlsx"), &[(5, "Acme", V::N(100.0))]);
    std::os::unix::fs::symlink("libros/ventas.xlsx", d.join("enlace.xlsx")).unwrap();
    let (v, code, err) =
        json(d, &["libros", "libros/ventas.xlsx", "enlace.xlsx", "./libros/../libros/ventas.xlsx"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(v["files"].as_array().unwrap().len(), 1, "{v}");
    assert_eq!(v["amount_total"], 100.0, "not doubled");
    let notes = v["notes"].to_string();
    assert!(notes.contains("same book: read once"), "{notes}");
    let out = stdout(&kamplan(d, &["check", "libros", "enlace.xlsx"]));
    assert!(out.contains("same book: read once"), "check says so: {out}");

    std::os::unix::fs::symlink("no-existe.xlsx", d.join("libros/roto.xlsx")).unwrap();
    let r = kamplan_limited(d, &["check", "libros"], MB, SECS);
    fails_cleanly(&r, &["roto.xlsx", "broken symbolic link"]);
    std::fs::remove_file(d.join("libros/roto.xlsx")).unwrap();
    std::os::unix::fs::symlink("bucle.xlsx", d.join("libros/bucle.xlsx")).unwrap();
    let r = kamplan_limited(d, &["check", "libros"], MB, SECS);
    fails_cleanly(&r, &["bucle.xlsx", "loops"]);
}

#[test]
fn a_book_without_read_permission_says_permission_denied() {
    use std::os::unix::fs::PermissionsExt;
    use std::os::unix::process::CommandExt;
    let dir = tmp();
    let d = dir.path();
    std::fs::set_permissions(d, std::fs::Permissions::from_mode(0o755)).unwrap();
    let book = sales_book(&d.join("ventas.xlsx"), &[(5, "Acme", V::N(100.0))]);
    std::fs::set_permissions(&book, std::fs::Permissions::from_mode(0o000)).unwrap();
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_kamplan"));
    cmd.args(["check", "ventas.xlsx"]).current_dir(d);
    // Root reads anything: the run drops to nobody, as a scheduled job without access would be.
    if unsafe { libc::geteuid() } == 0 {
        unsafe {
            cmd.pre_exec(|| {
                if libc::setuid(65534) == 0 {
                    Ok(())
                } else {
                    Err(std::io::Error::last_os_error())
                }
            });
        }
    }
    let o = cmd.output().unwrap();
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(3), "{err}");
    assert!(err.contains("ventas.xlsx: cannot read: permission denied"), "{err}");
    assert!(!err.contains("empty"), "{err}");
    assert_eq!(err.matches("ermission denied").count(), 1, "said once: {err}");
}

#[test]
fn books_are_read_by_what_they_are_not_by_their_name() {
    let dir = tmp();
    let d = dir.path();
    // An .xls named .xlsx, and an .xlsx named .xls.
    forge::write_xls(
        &d.join("viejo.xlsx"),
        "Ventas",
        (0, 3, 0, 3),
        &[
            forge::XlsCell::S(0, 0, "Fecha"),
            forge::XlsCell::S(0, 1, "Cliente"),
            forge::XlsCell::S(0, 2, "Importe"),
            forge::XlsCell::S(1, 0, "05/01/2026"),
            forge::XlsCell::S(1, 1, "Acme"),
            forge::XlsCell::N(1, 2, 100.0),
            forge::XlsCell::S(2, 0, "06/01/2026"),
            forge::XlsCell::S(2, 1, "Beta"),
            forge::XlsCell::N(2, 2, 50.0),
        ],
    );
    let (v, code, err) = json(d, &["viejo.xlsx"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(v["amount_total"], 150.0, "{v}");
    assert!(v["notes"].to_string().contains("viejo.xlsx is an .xls file named .xlsx"), "{v}");
    sales_book(&d.join("nuevo.xls"), &[(5, "Acme", V::N(7.0))]);
    let (v, code, err) = json(d, &["nuevo.xls"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(v["amount_total"], 7.0, "{v}");
    assert!(v["notes"].to_string().contains("nuevo.xls is an .xlsx file named .xls"), "{v}");
}

// ---------------------------------------------------------------- 13: ranges

#[test]
fn an_xls_whose_range_is_implausible_is_refused_before_it_is_allocated() {
    let dir = tmp();
    let d = dir.path();
    let header = [
        forge::XlsCell::S(0, 0, "Fecha"),
        forge::XlsCell::S(0, 1, "Cliente"),
        forge::XlsCell::S(0, 2, "Importe"),
        forge::XlsCell::S(1, 0, "05/01/2026"),
        forge::XlsCell::S(1, 1, "Acme"),
        forge::XlsCell::N(1, 2, 100.0),
    ];
    forge::write_xls(&d.join("bien.xls"), "Ventas", (0, 2, 0, 3), &header);
    let ok = kamplan_limited(d, &["check", "bien.xls"], MB, SECS);
    assert_eq!(ok.code, Some(0), "{}", ok.stderr);
    // A flipped byte in a cell's row and column: the box from A1 spans 65,536 × 65,536 cells.
    let mut flipped: Vec<forge::XlsCell> = header.into_iter().collect();
    flipped.push(forge::XlsCell::N(65_535, 65_535, 1.0));
    forge::write_xls(&d.join("celda.xls"), "Ventas", (0, 2, 0, 3), &flipped);
    let r = kamplan_limited(d, &["check", "celda.xls"], MB, SECS);
    fails_cleanly(&r, &["celda.xls", "sheet \"Ventas\"", "damaged"]);
    // A flipped byte in the DIMENSIONS record: four billion rows declared.
    let header = [
        forge::XlsCell::S(0, 0, "Fecha"),
        forge::XlsCell::S(0, 1, "Cliente"),
        forge::XlsCell::S(0, 2, "Importe"),
    ];
    forge::write_xls(&d.join("dim.xls"), "Ventas", (0, u32::MAX, 0, 200), &header);
    let r = kamplan_limited(d, &["check", "dim.xls"], MB, SECS);
    fails_cleanly(&r, &["dim.xls", "damaged"]);
}

#[test]
fn an_ods_with_a_million_repeated_rows_stays_small_and_says_what_it_cut() {
    let dir = tmp();
    let d = dir.path();
    let line = forge::ods_row(&["05/01/2026", "Acme", "1", "a", "b", "c", "d", "e", "f", "g"]);
    let repeat = |n: u64| {
        line.replace("<table:table-row>", &format!(r#"<table:table-row table:number-rows-repeated="{n}">"#))
    };
    let rows = [
        forge::ods_row(&["Fecha", "Cliente", "Importe"]),
        // A line typed three times at once: three lines.
        repeat(3),
        // A million empty rows (calamine expanded them into cells), then lines past Excel's last row.
        r#"<table:table-row table:number-rows-repeated="1048567"><table:table-cell table:number-columns-repeated="1024"/></table:table-row>"#.to_string(),
        repeat(10),
    ]
    .concat();
    forge::write_ods(&d.join("repetido.ods"), &forge::ods_content("Ventas", &rows));
    let r = kamplan_limited(d, &["check", "--format", "json", "repetido.ods"], MB, SECS);
    assert!(!r.timed_out, "{}", r.stderr);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    let sh = &v["sheets"][0];
    // Row 1 the header, rows 2..4 the repeated line, then empty rows up to row 1,048,571 and
    // 5 lines up to row 1,048,576 — the other 5 are cut, and the sheet says so.
    assert_eq!(sh["transactions"], 8, "{sh}");
    assert_eq!(sh["rows"], 1_048_576, "{sh}");
    let notes = sh["notices"].to_string();
    assert!(notes.contains("5 row(s) beyond row 1,048,576"), "{notes}");
}

// ---------------------------------------------------------------- 22: duplicate headers

#[test]
fn a_second_column_with_the_same_header_is_pointed_out() {
    let dir = tmp();
    let d = dir.path();
    let rows = vec![
        vec![s("Fecha"), s("Cliente"), s("Importe"), s("Cliente"), s("Importe")],
        vec![V::D(2026, 1, 5), s("Acme"), V::N(10.0), s("Beta"), V::N(99.0)],
    ];
    write_book(&d.join("doble.xlsx"), &[("Ventas", rows)]);
    let out = stdout(&kamplan(d, &["check", "doble.xlsx"]));
    assert!(out.contains("two columns fit customer_name: B (Cliente) is read, D (Cliente) is not"), "{out}");
    assert!(out.contains("two columns fit amount: C (Importe) is read, E (Importe) is not"), "{out}");
    assert!(out.contains("the leftmost of equally good matches"), "{out}");
}

// ---------------------------------------------------------------- found by fuzzing

/// Fuzz seed 12, case 288: a DIMENSIONS record whose last row comes before its first. calamine
/// subtracts (a debug build panics, a release build reserves four billion rows and aborts).
#[test]
fn an_xls_whose_dimensions_run_backwards_is_damaged_not_a_crash() {
    let dir = tmp();
    let d = dir.path();
    let cells = [
        forge::XlsCell::S(0, 0, "Fecha"),
        forge::XlsCell::S(0, 1, "Cliente"),
        forge::XlsCell::S(0, 2, "Importe"),
    ];
    forge::write_xls(&d.join("atras.xls"), "Ventas", (5, 2, 0, 3), &cells);
    let r = kamplan_limited(d, &["check", "atras.xls"], MB, SECS);
    fails_cleanly(&r, &["atras.xls", "damaged"]);
}

/// Fuzz seed 11, case 448: a defined name (LBL record) whose formula is longer than the record.
/// calamine panics inside; the panic is one clear line, not a backtrace.
#[test]
fn an_xls_with_a_broken_defined_name_is_one_clear_line() {
    let dir = tmp();
    let d = dir.path();
    let mut lbl = vec![0u8; 14];
    lbl[3] = 1; // one character of name
    lbl[4..6].copy_from_slice(&200u16.to_le_bytes()); // a 200-byte formula in a 16-byte record
    lbl.extend([0, b'X']);
    let cells = [
        forge::XlsCell::S(0, 0, "Fecha"),
        forge::XlsCell::S(0, 1, "Cliente"),
        forge::XlsCell::S(0, 2, "Importe"),
    ];
    forge::write_xls_with(
        &d.join("nombre.xls"),
        "Ventas",
        (0, 1, 0, 3),
        &cells,
        &[forge::biff(0x0018, &lbl)],
    );
    let r = kamplan_limited(d, &["check", "nombre.xls"], MB, SECS);
    fails_cleanly(&r, &["nombre.xls", "damaged"]);
}

/// Returned plans are read by calamine (issue 14, 2): a plan in `[carry] returned` whose shared
/// strings inflate to a gigabyte is refused by name in bounded memory, and the run goes on.
#[test]
fn a_returned_plan_that_is_a_zip_bomb_is_refused_in_bounded_memory() {
    let dir = tmp();
    let d = dir.path();
    let book = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/sales_en.xlsx");
    let b = book.to_str().unwrap();
    let o = kamplan(d, &["run", "--period", "2026-10", "-o", "out", "--format", "xlsx", b]);
    assert!(o.status.code().unwrap_or(9) <= 1, "{}", stderr(&o));
    let plan = std::fs::read_dir(d.join("out/2026-10"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .flat_map(|p| std::fs::read_dir(p).unwrap().map(|e| e.unwrap().path()))
        .find(|p| p.extension().is_some_and(|e| e == "xlsx"))
        .expect("a published plan");
    std::fs::create_dir(d.join("devueltos")).unwrap();
    let mut strings = Some(Part::bomb(
        "xl/sharedStrings.xml",
        &[
            Piece::Lit(br#"<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>"#),
            Piece::Repeat(b'A', 1_000_000_000),
            Piece::Lit(b"</t></si></sst>"),
        ],
    ));
    forge::rebuild(&plan, &d.join("devueltos/plan.xlsx"), |n, _| {
        (n == "xl/sharedStrings.xml").then(|| strings.take())
    });
    std::fs::write(d.join("kamplan.toml"), "[carry]\nreturned = [\"devueltos\"]\n").unwrap();
    let r =
        kamplan_limited(d, &["run", "--period", "2026-10", "-o", "out2", "--format", "xlsx", b], MB, SECS);
    assert!(!r.timed_out, "{}", r.stderr);
    assert_eq!(r.code, Some(1), "the month is published, with a warning: {}", r.stderr);
    assert!(r.stderr.contains("plan.xlsx") && r.stderr.contains("xl/sharedStrings.xml"), "{}", r.stderr);
    assert!(d.join("out2/2026-10/manifest.json").is_file());
}
