//! Cells whose value or place in the sheet is wrong: rejected with their cell, never counted
//! as zero or twice.

use crate::util::*;

use super::*;

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
