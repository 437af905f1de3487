//! Damaged and hostile books (issue 14): each ends with one clear line naming the file (and the
//! part, sheet or cell), the right exit code, bounded time and memory — and nothing lost or
//! invented. Every book is built here; the bombs are a few megabytes that inflate to gigabytes.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::forge::{self, Part, Piece};
use crate::util::*;

/// Address space for runs that must stay small: pre-fix, each of these cases took gigabytes.
const MB: u64 = 512;
/// Seconds a run may take before it counts as a hang.
const SECS: u64 = 60;

fn s(x: &'static str) -> V {
    V::S(x)
}

/// A small sales book: header, then (day, customer, amount) lines in January 2026.
fn sales_book(path: &Path, lines: &[(u8, &'static str, V)]) -> PathBuf {
    let mut rows = vec![vec![s("Fecha"), s("Cliente"), s("Importe")]];
    for (d, c, a) in lines {
        rows.push(vec![V::D(2026, 1, *d), s(c), a.clone()]);
    }
    write_book(path, &[("Ventas", rows)])
}

fn json(dir: &Path, args: &[&str]) -> (Value, i32, String) {
    let mut all = vec!["check", "--format", "json"];
    all.extend_from_slice(args);
    let o = kamplan(dir, &all);
    let v = serde_json::from_str(&stdout(&o)).unwrap_or(Value::Null);
    (v, o.status.code().unwrap_or(-1), stderr(&o))
}

/// The run ended with exit 3 and one line on stderr holding every `wants`, in time and memory.
fn fails_cleanly(r: &Limited, wants: &[&str]) {
    assert!(!r.timed_out, "hang: killed after {SECS} s\n{}", r.stderr);
    assert_eq!(r.code, Some(3), "stderr: {}", r.stderr);
    assert_eq!(r.stderr.trim().lines().count(), 1, "{}", r.stderr);
    assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
    for w in wants {
        assert!(r.stderr.contains(w), "{w:?} not in {}", r.stderr);
    }
}

/// Rebuilds `src` into `dst` with its first sheet's XML replaced by `sheet`.
fn with_sheet(src: &Path, dst: &Path, sheet: Part) {
    let mut sheet = Some(sheet);
    forge::rebuild(src, dst, |n, _| (n == "xl/worksheets/sheet1.xml").then(|| sheet.take()));
}

/// Rebuilds `src` into `dst` with its first sheet's XML edited by `edit`.
fn edit_sheet(src: &Path, dst: &Path, edit: impl Fn(&str) -> String) {
    forge::rebuild(src, dst, |n, b| {
        (n == "xl/worksheets/sheet1.xml")
            .then(|| Some(Part::stored(n, edit(std::str::from_utf8(b).unwrap()).as_bytes())))
    });
}

const SHEET_HEAD: &[u8] = br#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#;
const SHEET_TAIL: &[u8] = b"</sheetData></worksheet>";

// ---------------------------------------------------------------- 1: the ods that never ends

#[test]
fn an_ods_whose_table_never_ends_is_damaged_not_a_hang() {
    let dir = tmp();
    let d = dir.path();
    let rows = [
        forge::ods_row(&["Fecha", "Cliente", "Importe"]),
        forge::ods_row(&["05/01/2026", "Acme", "100"]),
        forge::ods_row(&["06/01/2026", "Beta", "200"]),
    ]
    .concat();
    let good = forge::ods_content("Ventas", &rows);
    forge::write_ods(&d.join("bien.ods"), &good);
    let ok = kamplan_limited(d, &["check", "bien.ods"], MB, SECS);
    assert_eq!(ok.code, Some(0), "{}", ok.stderr);
    // The end of the table missing, misspelt, or the file cut inside a row or a comment.
    let cases = [
        ("sin-fin.ods", good.replace("</table:table>", "")),
        ("mal-fin.ods", good.replace("</table:table>", "</table:tablX>")),
        ("cortado.ods", good[..good.find("Beta").unwrap()].to_string()),
        ("nota.ods", good.replace("<text:p>Acme</text:p>", "<office:annotation><text:p>x</text:p>")),
    ];
    for (name, content) in cases {
        forge::write_ods(&d.join(name), &content);
        let r = kamplan_limited(d, &["check", name], MB, SECS);
        fails_cleanly(&r, &[name, "damaged"]);
    }
}

// ---------------------------------------------------------------- 2: zip bombs

#[test]
fn a_sheet_of_gigabytes_of_whitespace_stops_at_the_first_megabyte() {
    let dir = tmp();
    let d = dir.path();
    let base = sales_book(&d.join("base.xlsx"), &[(5, "Acme", V::N(100.0))]);
    // 1.5 GB of spaces: under the 2048 MB part cap, so only the 1 MB event bound stops it.
    let bomb = Part::bomb(
        "xl/worksheets/sheet1.xml",
        &[Piece::Lit(SHEET_HEAD), Piece::Repeat(b' ', 1_500_000_000), Piece::Lit(SHEET_TAIL)],
    );
    assert!(bomb.data.len() < 16 << 20, "the bomb itself stays small");
    with_sheet(&base, &d.join("bomba.xlsx"), bomb);
    let r = kamplan_limited(d, &["check", "bomba.xlsx"], MB, SECS);
    fails_cleanly(&r, &["bomba.xlsx", "xl/worksheets/sheet1.xml", "longer than 1 MB"]);
}

#[test]
fn a_gigabyte_cell_is_refused_in_a_sheet_and_in_the_shared_strings() {
    let dir = tmp();
    let d = dir.path();
    let base = sales_book(&d.join("base.xlsx"), &[(5, "Acme", V::N(100.0))]);
    let inline = Part::bomb(
        "xl/worksheets/sheet1.xml",
        &[
            Piece::Lit(SHEET_HEAD),
            Piece::Lit(br#"<row r="1"><c r="A1" t="inlineStr"><is><t>"#),
            Piece::Repeat(b'A', 1_000_000_000),
            Piece::Lit(b"</t></is></c></row>"),
            Piece::Lit(SHEET_TAIL),
        ],
    );
    with_sheet(&base, &d.join("celda.xlsx"), inline);
    let r = kamplan_limited(d, &["check", "celda.xlsx"], MB, SECS);
    fails_cleanly(&r, &["celda.xlsx", "xl/worksheets/sheet1.xml", "longer than 1 MB"]);

    let mut strings = Some(Part::bomb(
        "xl/sharedStrings.xml",
        &[
            Piece::Lit(br#"<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>"#),
            Piece::Repeat(b'A', 1_000_000_000),
            Piece::Lit(b"</t></si></sst>"),
        ],
    ));
    forge::rebuild(&base, &d.join("cadenas.xlsx"), |n, _| {
        (n == "xl/sharedStrings.xml").then(|| strings.take())
    });
    let r = kamplan_limited(d, &["check", "cadenas.xlsx"], MB, SECS);
    fails_cleanly(&r, &["cadenas.xlsx", "xl/sharedStrings.xml", "longer than 1 MB"]);
}

/// The .ods reader is bounded as the xlsx one is: a `content.xml` whose one cell inflates to a
/// gigabyte stops at its first megabyte.
#[test]
fn an_ods_cell_of_a_gigabyte_is_refused_in_bounded_memory() {
    let dir = tmp();
    let d = dir.path();
    let rows =
        [forge::ods_row(&["Fecha", "Cliente", "Importe"]), forge::ods_row(&["05/01/2026", "MARK", "1"])];
    let content = forge::ods_content("Ventas", &rows.concat());
    let (head, tail) = content.split_once("MARK").unwrap();
    let bomb = Part::bomb(
        "content.xml",
        &[Piece::Lit(head.as_bytes()), Piece::Repeat(b'A', 1_000_000_000), Piece::Lit(tail.as_bytes())],
    );
    assert!(bomb.data.len() < 16 << 20, "the bomb itself stays small");
    forge::write_ods_part(&d.join("bomba.ods"), bomb);
    let r = kamplan_limited(d, &["check", "bomba.ods"], MB, SECS);
    fails_cleanly(&r, &["bomba.ods", "content.xml", "longer than 1 MB"]);
}

/// The .xlsb path (calamine's reader) is bounded too: a sound xlsb reads, and a shared string
/// of 200 MB in one record, or a relationships part of a gigabyte of whitespace, is refused by
/// name before calamine buffers it.
#[test]
fn an_xlsb_string_or_xml_part_of_gigabytes_is_refused_in_bounded_memory() {
    use forge::XlsbCell::*;
    let dir = tmp();
    let d = dir.path();
    let cells = [
        S(0, 0, "Fecha"),
        S(0, 1, "Cliente"),
        S(0, 2, "Importe"),
        S(1, 0, "05/01/2026"),
        Shared(1, 1, 0),
        N(1, 2, 100.0),
        S(2, 0, "06/01/2026"),
        S(2, 1, "Beta"),
        N(2, 2, 50.0),
    ];
    let parts = || forge::xlsb_parts("Ventas", &["Acme"], &cells);
    forge::write_zip(&d.join("bien.xlsb"), &parts());
    let (v, code, err) = json(d, &["bien.xlsb"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!((v["transactions"].as_u64(), v["amount_total"].as_f64()), (Some(2), Some(150.0)), "{v}");
    let with = |name: &str, part: Part| {
        let mut all: Vec<Part> = parts().into_iter().filter(|p| p.name != part.name).collect();
        all.push(part);
        forge::write_zip(&d.join(name), &all);
    };

    // BrtBeginSst (1 string), then one BrtSSTItem: flags, 100 million UTF-16 characters.
    let begin = forge::biff12(0x009f, &[1, 0, 0, 0, 1, 0, 0, 0]);
    let chars: u32 = 100_000_000;
    let mut item = forge::biff12_head(0x0013, 1 + 4 + 2 * chars);
    item.push(0);
    item.extend(chars.to_le_bytes());
    let strings = Part::bomb(
        "xl/sharedStrings.bin",
        &[Piece::Lit(&begin), Piece::Lit(&item), Piece::Repeat(0x41, 2 * chars as u64)],
    );
    with("cadenas.xlsb", strings);
    let r = kamplan_limited(d, &["check", "cadenas.xlsb"], MB, SECS);
    fails_cleanly(&r, &["cadenas.xlsb", "xl/sharedStrings.bin", "longer than 1 MB"]);

    let rels = Part::bomb(
        "xl/_rels/workbook.bin.rels",
        &[
            Piece::Lit(br#"<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">"#),
            Piece::Repeat(b' ', 1_500_000_000),
            Piece::Lit(b"</Relationships>"),
        ],
    );
    with("rels.xlsb", rels);
    let r = kamplan_limited(d, &["check", "rels.xlsb"], MB, SECS);
    fails_cleanly(&r, &["rels.xlsb", "xl/_rels/workbook.bin.rels", "longer than 1 MB"]);
}

/// Shared strings are kept while the sheets are read, so their total is bounded too (an eighth
/// of `max_inflated_mb`): a 9 MB book whose strings inflate to 900 distinct-looking megabytes,
/// each under the 1 MB cell bound, is refused by name instead of costing 900 MB.
#[test]
fn shared_strings_of_hundreds_of_megabytes_are_refused_in_bounded_memory() {
    let dir = tmp();
    let d = dir.path();
    let base = sales_book(&d.join("base.xlsx"), &[(5, "Acme", V::N(100.0))]);
    let mut pieces = vec![Piece::Lit(
        br#"<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>Fecha</t></si><si><t>Cliente</t></si><si><t>Importe</t></si><si><t>Acme</t></si>"#,
    )];
    for _ in 0..900 {
        pieces.extend([Piece::Lit(b"<si><t>"), Piece::Repeat(b'A', 1_000_000), Piece::Lit(b"</t></si>")]);
    }
    pieces.push(Piece::Lit(b"</sst>"));
    let mut strings = Some(Part::bomb("xl/sharedStrings.xml", &pieces));
    forge::rebuild(&base, &d.join("muchas.xlsx"), |n, _| {
        (n == "xl/sharedStrings.xml").then(|| strings.take())
    });
    assert!(std::fs::metadata(d.join("muchas.xlsx")).unwrap().len() < 16 << 20);
    // 1024 MB per part: the 900 MB part passes, its 128 MB of strings do not.
    std::fs::write(d.join("kamplan.toml"), "[ingest]\nmax_inflated_mb = 1024\n").unwrap();
    let r = kamplan_limited(d, &["check", "muchas.xlsx"], MB, SECS);
    fails_cleanly(&r, &["muchas.xlsx", "xl/sharedStrings.xml", "more than 128 MB of shared strings"]);
    // The same in an .xlsb (records of half a million characters), with the default 256 MB.
    std::fs::remove_file(d.join("kamplan.toml")).unwrap();
    let chars: u32 = 499_000;
    let mut item = forge::biff12_head(0x0013, 1 + 4 + 2 * chars);
    item.push(0);
    item.extend(chars.to_le_bytes());
    let begin = forge::biff12(0x009f, &900u32.to_le_bytes().repeat(2));
    let mut pieces = vec![Piece::Lit(&begin)];
    for _ in 0..900 {
        pieces.extend([Piece::Lit(&item), Piece::Repeat(0x41, 2 * chars as u64)]);
    }
    let strings = Part::bomb("xl/sharedStrings.bin", &pieces);
    let mut parts: Vec<Part> = forge::xlsb_parts("Ventas", &[], &[forge::XlsbCell::S(0, 0, "Fecha")])
        .into_iter()
        .filter(|p| p.name != strings.name)
        .collect();
    parts.push(strings);
    forge::write_zip(&d.join("muchas.xlsb"), &parts);
    let r = kamplan_limited(d, &["check", "muchas.xlsb"], MB, SECS);
    fails_cleanly(&r, &["muchas.xlsb", "xl/sharedStrings.bin", "more than 256 MB of shared strings"]);
}

#[test]
fn a_part_beyond_max_inflated_mb_is_refused_by_name() {
    let dir = tmp();
    let d = dir.path();
    let base = sales_book(&d.join("base.xlsx"), &[(5, "Acme", V::N(100.0))]);
    // Declares 3 GB: beyond the 2048 MB default, refused before anything is inflated.
    let big = Part::bomb(
        "xl/worksheets/sheet1.xml",
        &[Piece::Lit(SHEET_HEAD), Piece::Repeat(b' ', 3_000_000_000), Piece::Lit(SHEET_TAIL)],
    );
    with_sheet(&base, &d.join("grande.xlsx"), big);
    let r = kamplan_limited(d, &["check", "grande.xlsx"], MB, SECS);
    fails_cleanly(&r, &["grande.xlsx", "xl/worksheets/sheet1.xml", "more than 2048 MB", "zip bomb"]);

    // A declared size is never trusted: this part says 1 KB and inflates to 1.5 GB.
    let mut liar = Part::bomb(
        "xl/worksheets/sheet1.xml",
        &[Piece::Lit(SHEET_HEAD), Piece::Repeat(b' ', 1_500_000_000), Piece::Lit(SHEET_TAIL)],
    );
    liar.size = 1024;
    with_sheet(&base, &d.join("miente.xlsx"), liar);
    let r = kamplan_limited(d, &["check", "miente.xlsx"], MB, SECS);
    fails_cleanly(&r, &["miente.xlsx", "damaged"]);

    // The cap is a setting: a 2 MB sheet is too much with max_inflated_mb = 1.
    let lines: Vec<(u8, &'static str, V)> =
        (0..20_000).map(|i| (1 + (i % 28) as u8, "Acme", V::N(1.0))).collect();
    sales_book(&d.join("largo.xlsx"), &lines);
    std::fs::write(d.join("kamplan.toml"), "[ingest]\nmax_inflated_mb = 1\n").unwrap();
    let r = kamplan_limited(d, &["check", "largo.xlsx"], MB, SECS);
    fails_cleanly(&r, &["largo.xlsx", "xl/worksheets/sheet1.xml", "more than 1 MB"]);
}

// ---------------------------------------------------------------- 4, 5, 20: values

#[test]
fn a_pasted_ean_in_the_amount_is_rejected_and_the_totals_stay_true() {
    let dir = tmp();
    let d = dir.path();
    let lines = |ean: bool| {
        let mut l: Vec<(u8, &'static str, V)> = Vec::new();
        for (i, c) in ["Acme", "Beta", "Gamma", "Delta", "Epsilon", "Zeta"].iter().enumerate() {
            l.push((5 + i as u8, c, V::N(1000.0 * (i + 1) as f64)));
        }
        if ean {
            l.push((20, "Beta", V::N(12_345_678_901_234_567_890.0)));
            l.push((21, "Gamma", s("98765432109876543210")));
            l.push((22, "Delta", V::N(-1e13)));
        }
        l
    };
    sales_book(&d.join("ean.xlsx"), &lines(true));
    let (v, code, err) = json(d, &["ean.xlsx"]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(v["rejected"], 3, "{v}");
    assert_eq!(v["amount_total"], 21_000.0, "{v}");
    let rejects = v["sheets"][0]["rejects"].as_array().unwrap();
    let cells: Vec<String> = rejects.iter().map(|r| format!("C{}", r["row"])).collect();
    assert_eq!(cells, ["C8", "C9", "C10"]);
    assert!(rejects.iter().all(|r| r["reason"].as_str().unwrap().contains("[ingest] max_amount")), "{v}");
    // Classification is the one the book without those lines gives: all shares positive.
    sales_book(&d.join("sin.xlsx"), &lines(false));
    let classify = |book: &str| {
        let o = kamplan(d, &["classify", "--period", "2026-01", "--format", "json", book]);
        let v: Value = serde_json::from_str(&stdout(&o)).unwrap_or_else(|e| panic!("{e}: {}", stderr(&o)));
        v["accounts"].clone()
    };
    let with = classify("ean.xlsx");
    assert_eq!(with, classify("sin.xlsx"));
    assert!(with.as_array().unwrap().iter().all(|a| a["share"].as_f64().unwrap() > 0.0), "{with}");
}

#[test]
fn non_finite_amounts_are_rejected_never_counted_as_zero() {
    let dir = tmp();
    let d = dir.path();
    let digits: &'static str = Box::leak("9".repeat(309).into_boxed_str());
    let base = sales_book(
        &d.join("base.xlsx"),
        &[
            (5, "Acme", V::N(111.0)),
            (6, "Acme", V::N(222.0)),
            (7, "Acme", V::N(333.0)),
            (8, "Acme", V::N(444.0)),
            (9, "Acme", s(digits)),
            (10, "Acme", V::N(50.0)),
        ],
    );
    edit_sheet(&base, &d.join("nan.xlsx"), |x| {
        x.replace("<v>111</v>", "<v>NaN</v>")
            .replace("<v>222</v>", "<v>inf</v>")
            .replace("<v>333</v>", "<v>-infinity</v>")
            .replace("<v>444</v>", "<v>1e309</v>")
    });
    let (v, code, err) = json(d, &["nan.xlsx"]);
    assert_eq!(code, 1, "{err}");
    assert_eq!((v["transactions"].as_u64(), v["rejected"].as_u64()), (Some(1), Some(5)), "{v}");
    assert_eq!(v["amount_total"], 50.0);
    for r in v["sheets"][0]["rejects"].as_array().unwrap() {
        assert_eq!(r["reason"], "not a finite number", "{r}");
    }
}

#[test]
fn a_negative_in_parentheses_is_ambiguous_and_rejected() {
    let dir = tmp();
    let d = dir.path();
    sales_book(
        &d.join("signo.xlsx"),
        &[(5, "Acme", s("(-5)")), (6, "Acme", s("(5)")), (7, "Acme", s("-5")), (8, "Acme", s("(5-)"))],
    );
    let (v, code, _) = json(d, &["signo.xlsx"]);
    assert_eq!(code, 1);
    assert_eq!(v["amount_total"], -10.0, "(5) and -5 are the returns; (-5) and (5-) are not guessed");
    let rejects = v["sheets"][0]["rejects"].as_array().unwrap();
    let got: Vec<(u64, &str)> =
        rejects.iter().map(|r| (r["row"].as_u64().unwrap(), r["value"].as_str().unwrap())).collect();
    assert_eq!(got, [(2, "(-5)"), (5, "(5-)")]);
    assert!(rejects[0]["reason"].as_str().unwrap().contains("minus inside parentheses"), "{v}");
}

// ---------------------------------------------------------------- 14, 15: the sheet's XML

#[test]
fn rows_out_of_order_or_repeated_are_each_counted_once() {
    let dir = tmp();
    let d = dir.path();
    let base = sales_book(
        &d.join("base.xlsx"),
        &[(5, "Acme", V::N(1.0)), (6, "Beta", V::N(2.0)), (7, "Gamma", V::N(4.0)), (8, "Delta", V::N(8.0))],
    );
    // Rows 2..5 hold the lines: move row 5 first and repeat row 3.
    edit_sheet(&base, &d.join("desorden.xlsx"), |x| {
        let start = x.find("<row r=\"2\"").unwrap();
        let end = x.find("</sheetData>").unwrap();
        let rows: Vec<String> = x[start..end].split_inclusive("</row>").map(str::to_string).collect();
        let (r2, r3, r4, r5) = (&rows[0], &rows[1], &rows[2], &rows[3]);
        format!("{}{r5}{r2}{r3}{r3}{r4}{}", &x[..start], &x[end..])
    });
    let (v, code, err) = json(d, &["desorden.xlsx"]);
    assert_eq!(code, 0, "{err}");
    let sh = &v["sheets"][0];
    // Header + 5 row elements read: nothing wraps, nothing merges, every row ends somewhere.
    assert_eq!(sh["rows"], 6, "{sh}");
    assert_eq!(sh["transactions"], 5, "{sh}");
    assert_eq!(v["amount_total"], 1.0 + 2.0 + 2.0 + 4.0 + 8.0, "row 3 read twice is two lines");
    let notes = sh["notices"].to_string();
    assert!(notes.contains("out of order or repeated"), "{notes}");
}

#[test]
fn a_shared_string_index_outside_the_table_is_rejected_with_its_cell() {
    let dir = tmp();
    let d = dir.path();
    let base = sales_book(
        &d.join("base.xlsx"),
        &[(5, "Acme", V::N(1.0)), (6, "Beta", V::N(2.0)), (7, "Gamma", V::N(4.0)), (8, "Delta", V::N(8.0))],
    );
    edit_sheet(&base, &d.join("indice.xlsx"), |x| {
        // Rows 3..5: the customer cell (B) points at string -1, an index past u64 and one past the end.
        let mut x = x.to_string();
        for (row, idx) in [(3, "-1"), (4, "99999999999999999999"), (5, "4000")] {
            let cell = format!("<c r=\"B{row}\" t=\"s\"><v>");
            let at = x.find(&cell).unwrap() + cell.len();
            let end = at + x[at..].find("</v>").unwrap();
            x.replace_range(at..end, idx);
        }
        x
    });
    let (v, code, err) = json(d, &["indice.xlsx"]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(v["transactions"], 1, "only row 2 is sound: {v}");
    let rejects = v["sheets"][0]["rejects"].as_array().unwrap();
    let got: Vec<(u64, &str, &str)> = rejects
        .iter()
        .map(|r| (r["row"].as_u64().unwrap(), r["column"].as_str().unwrap(), r["value"].as_str().unwrap()))
        .collect();
    assert_eq!(
        got,
        [(3, "B (Cliente)", "-1"), (4, "B (Cliente)", "99999999999999999999"), (5, "B (Cliente)", "4000")]
    );
    assert!(rejects[0]["reason"].as_str().unwrap().contains("shared string index"), "{v}");
}

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
