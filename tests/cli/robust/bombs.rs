//! Books that never end or inflate to gigabytes: each stops early, by name, in bounded memory.

use crate::forge::{self, Part, Piece};
use crate::util::*;

use super::*;

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
