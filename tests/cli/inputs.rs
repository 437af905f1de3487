//! Inputs as companies really keep them: CSV exports in their encodings, codes typed every
//! way, a customer column of codes, a directory without emails, returns sheets, records that
//! join nothing. The committed fixtures are in `tests/fixtures/` (made by
//! `cargo run --example make_fixtures`); the rest are books these tests write.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::util::*;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

fn s(x: &'static str) -> V {
    V::S(x)
}

/// `kamplan ARGS` whose stdout is JSON; (json, exit code, stderr).
fn json(dir: &Path, args: &[&str]) -> (Value, i32, String) {
    let o = kamplan(dir, args);
    let v: Value =
        serde_json::from_str(&stdout(&o)).unwrap_or_else(|e| panic!("{e}: {}{}", stdout(&o), stderr(&o)));
    (v, o.status.code().unwrap_or(-1), stderr(&o))
}

/// Account id → (name, sales) of `classify --format json`.
fn accounts(v: &Value) -> BTreeMap<String, (String, f64)> {
    v["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["id"].as_str().unwrap().to_string(),
                (a["name"].as_str().unwrap().to_string(), a["sales"].as_f64().unwrap()),
            )
        })
        .collect()
}

fn account<'a>(v: &'a Value, id: &str) -> &'a Value {
    v["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == id)
        .unwrap_or_else(|| panic!("no account {id}: {v}"))
}

#[test]
fn a_spanish_excel_csv_in_windows_1252_reads_like_a_sheet() {
    let dir = tmp();
    let csv = fixture("ventas_cp1252.csv");
    let (v, code, _) = json(dir.path(), &["check", "--format", "json", csv.to_str().unwrap()]);
    assert_eq!(code, 1, "one row is rejected");
    let sh = &v["sheets"][0];
    assert_eq!(sh["file"], "ventas_cp1252.csv");
    assert_eq!(sh["sheet"], "", "a text file has no sheets");
    assert_eq!(sh["role"], "sales");
    assert_eq!(sh["header_row"], 2, "a title row above the header");
    // rows = 4 lines + title + header + total + 1 rejected; the quoted name with a newline is one row.
    assert_eq!((sh["rows"].as_u64(), sh["transactions"].as_u64()), (Some(8), Some(4)));
    assert!((sh["amount_total"].as_f64().unwrap() - 3999.99).abs() < 1e-9, "1.234,56 read as 1234.56");
    let r = &sh["rejects"][0];
    assert_eq!(
        (r["row"].as_u64(), r["column"].as_str(), r["value"].as_str()),
        (Some(7), Some("E (Importe)"), Some("pendiente"))
    );

    let out = stdout(&kamplan(dir.path(), &["check", csv.to_str().unwrap()]));
    assert!(out.contains("\nventas_cp1252.csv\n  role      sales lines, header in row 2"), "{out}");
    assert!(
        out.contains("ventas_cp1252.csv › row 7 › E  Importe = \"pendiente\""),
        "file › row › column: {out}"
    );
    assert!(out.contains("text file: Windows-1252, fields separated by \";\""), "{out}");

    let (v, _, _) =
        json(dir.path(), &["classify", "--format", "json", "--period", "2026-01", csv.to_str().unwrap()]);
    let got = accounts(&v);
    // Accents decoded, the quoted ";" and newline kept inside their fields, "0003" = 3.
    // Two spellings once each: the first in text order is shown.
    assert_eq!(got["1002"], ("PEÑA HERMANOS S.L.".to_string(), 1000.0));
    assert_eq!(got["C-17"].0, "Distribuciones Ñandú; S.A.");
    assert_eq!(got["3"], ("Café \"El Rincón\" Sucursal 2".to_string(), 999.99));
    assert_eq!(got.len(), 3);
}

#[test]
fn a_utf16_csv_gives_the_same_accounts() {
    let dir = tmp();
    let period = ["classify", "--format", "json", "--period", "2026-01"];
    let a = fixture("ventas_cp1252.csv");
    let b = fixture("sales_utf16.csv");
    let (va, _, _) = json(dir.path(), &[&period[..], &[a.to_str().unwrap()]].concat());
    let (vb, _, _) = json(dir.path(), &[&period[..], &[b.to_str().unwrap()]].concat());
    assert_eq!(accounts(&va), accounts(&vb));
    let out = stdout(&kamplan(dir.path(), &["check", b.to_str().unwrap()]));
    assert!(out.contains("text file: UTF-16LE, fields separated by \",\""), "{out}");
    assert!(out.contains("sales_utf16.csv › row 6 › E  Net sales = \"pendiente\""), "{out}");
}

#[test]
fn csv_rows_are_numbered_as_a_spreadsheet_shows_them() {
    // Empty lines are rows when the file is opened in Excel; a quoted field's line break is not.
    let dir = tmp();
    let csv = dir.path().join("ventas.csv");
    let text = "Ventas octubre 2026\n\nFecha;Cliente;Importe\n01/10/2026;Bar Pepe;10\n\n\
                02/10/2026;\"Bar\nPepe\";abc\n03/10/2026;Casa Luis;mucho\n\n\n04/10/2026;Casa Luis;fatal";
    std::fs::write(&csv, text).unwrap();
    let out = stdout(&kamplan(dir.path(), &["check", csv.to_str().unwrap()]));
    assert!(out.contains("header in row 3"), "{out}");
    assert!(out.contains("ventas.csv › row 6 › C  Importe = \"abc\""), "{out}");
    assert!(out.contains("ventas.csv › row 7 › C  Importe = \"mucho\""), "{out}");
    // The last line, after two empty ones and without a line break at its end.
    assert!(out.contains("ventas.csv › row 10 › C  Importe = \"fatal\""), "{out}");
}

#[test]
fn folders_give_csv_tsv_and_txt_exports() {
    let dir = tmp();
    let books = dir.path().join("books");
    std::fs::create_dir(&books).unwrap();
    // UTF-8 with a byte-order mark, as Excel's "CSV UTF-8" writes it: the header still matches.
    std::fs::write(books.join("a.csv"), "\u{feff}Fecha,Cliente,Importe\n2026-01-05,Acme,10\n").unwrap();
    std::fs::write(books.join("b.TSV"), "Fecha\tCliente\tImporte\n2026-01-06\tBeta\t2,5\n").unwrap();
    std::fs::write(books.join("c.txt"), "Fecha|Cliente|Importe\n2026-01-07|\"Gamma|Delta\"|3\n").unwrap();
    std::fs::write(books.join("~$a.csv"), "lock").unwrap();
    let (v, code, _) = json(dir.path(), &["check", "--format", "json", "books"]);
    assert_eq!(code, 0);
    let files: Vec<&str> = v["files"].as_array().unwrap().iter().map(|f| f.as_str().unwrap()).collect();
    assert_eq!(files.len(), 3, "{files:?}");
    assert_eq!(v["transactions"], 3);
    assert!((v["amount_total"].as_f64().unwrap() - 15.5).abs() < 1e-9);
}

#[test]
fn a_zero_padded_master_flags_the_real_customer() {
    let dir = tmp();
    let csv = fixture("ventas_cp1252.csv");
    let master = fixture("maestro_ceros.xlsx");
    let args = [
        "classify",
        "--format",
        "json",
        "--period",
        "2026-01",
        csv.to_str().unwrap(),
        master.to_str().unwrap(),
    ];
    let (v, _, err) = json(dir.path(), &args);
    // "01002" in the master is customer 1002 of the sales: strategic, no phantom account.
    let acc = account(&v, "1002");
    assert_eq!(acc["strategic"], true);
    assert!(acc["reasons"].as_array().unwrap().iter().any(|r| r == "strategic"), "{acc}");
    assert!(!accounts(&v).contains_key("01002"));
    // "c-17" and "0003" matched too: every master customer with sales has its master row.
    assert_eq!(accounts(&v).len(), 3);
    // The master customers nobody sold to are named, with a suggestion when one is close.
    assert!(err.contains("2 customer master row(s) match no customer in the sales"), "{err}");
    assert!(err.contains("9999 «Sin Ventas S.A.»"), "{err}");
    let (c, _, _) =
        json(dir.path(), &["check", "--format", "json", csv.to_str().unwrap(), master.to_str().unwrap()]);
    let unmatched: Vec<&str> =
        c["unmatched"].as_array().unwrap().iter().map(|u| u["value"].as_str().unwrap()).collect();
    assert_eq!(unmatched, ["1005 «Óptica Ibérica»", "9999 «Sin Ventas S.A.»"]);
}

#[test]
fn a_customer_column_of_codes_beside_names_is_the_code() {
    let dir = tmp();
    write_book(
        &dir.path().join("v.xlsx"),
        &[
            (
                "Ventas",
                vec![
                    vec![s("Fecha"), s("Cliente"), s("Nombre"), s("Importe")],
                    vec![V::D(2026, 1, 5), V::N(1002.0), s("Acme S.A."), V::N(100.0)],
                    vec![V::D(2026, 1, 6), s("01002"), s("ACME SA"), V::N(50.0)],
                    vec![V::D(2026, 1, 7), V::N(1003.0), s("Beta SL"), V::N(10.0)],
                    vec![V::D(2026, 1, 8), V::N(1002.0), s("Acme S.A."), V::N(0.0)],
                ],
            ),
            ("Clientes", vec![vec![s("Cliente"), s("Estratégico")], vec![s("1002.0"), s("Sí")]]),
        ],
    );
    let out = stdout(&kamplan(dir.path(), &["check", "v.xlsx"]));
    assert!(out.contains("customer_id B (Cliente) · customer_name C (Nombre)"), "{out}");
    assert!(
        out.contains("customer_id is B (Cliente): it holds codes (4 of 4 values, like \"1002\"), and C (Nombre) holds the names"),
        "{out}"
    );
    let (v, _, _) = json(dir.path(), &["classify", "--format", "json", "--period", "2026-01", "v.xlsx"]);
    let got = accounts(&v);
    assert_eq!(got.keys().collect::<Vec<_>>(), ["1002", "1003"]);
    assert_eq!(
        got["1002"],
        ("Acme S.A.".to_string(), 150.0),
        "the number, the padded text and the name spelling"
    );
    assert_eq!(account(&v, "1002")["strategic"], true, "the master's lone code column of 1002.0");
}

#[test]
fn superstore_people_are_the_territory_and_returns_come_out() {
    let dir = tmp();
    let book = fixture("superstore.xlsx");
    let out = stdout(&kamplan(dir.path(), &["check", book.to_str().unwrap()]));
    assert!(out.contains("superstore.xlsx › People\n  role      territory directory"), "{out}");
    assert!(out.contains("superstore.xlsx › Returns\n  role      returns, header in row 1"), "{out}");
    assert!(out.contains("returns   3 orders returned, 7.974,43 € removed (5 lines taken out)"), "{out}");

    std::fs::write(dir.path().join("kamplan.toml"), "lang = \"en\"\n[assign]\nby = \"region\"\n").unwrap();
    let (v, code, err) =
        json(dir.path(), &["classify", "--format", "json", "--period", "2017-12", book.to_str().unwrap()]);
    assert_eq!(code, 0, "no warning: {err}");
    let person = |region: &str| match region {
        "West" => "Anna Andreadi",
        "East" => "Chuck Magee",
        "Central" => "Kelly Williams",
        "South" => "Cassandra Brandow",
        other => panic!("region {other}"),
    };
    let key: Vec<&Value> = v["accounts"].as_array().unwrap().iter().filter(|a| a["key"] == true).collect();
    assert!(key.len() >= 4);
    for a in &key {
        assert_eq!(a["kam_source"], "territory", "{a}");
        assert_eq!(a["kam"], person(a["region"].as_str().unwrap()), "{a}");
    }
    // Claire Gute ordered once in the West: her most frequent region, the South, decides.
    assert_eq!(account(&v, "CG-12520")["kam"], "Cassandra Brandow");
    let kams: Vec<&str> = v["kams"].as_array().unwrap().iter().map(|k| k["name"].as_str().unwrap()).collect();
    assert_eq!(
        kams,
        ["Anna Andreadi", "Cassandra Brandow", "Chuck Magee", "Kelly Williams"],
        "none unassigned"
    );

    let o = kamplan(dir.path(), &["run", "-q", "--period", "2017-12", book.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let m: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("out/2017-12/manifest.json")).unwrap())
            .unwrap();
    let orders: Vec<&str> =
        m["returns"]["orders"].as_array().unwrap().iter().map(|o| o["order"].as_str().unwrap()).collect();
    assert_eq!(orders, ["CA-2017-100005", "CA-2017-100506", "CA-2017-101107"]);
    assert_eq!(m["returns"]["amount_removed"], 7974.43);
    // The one thing to read: People has no emails, so the hand-over has none.
    assert_eq!(
        m["warnings"],
        serde_json::json!([
            "4 KAM(s) have no email in the directory, so the hand-over (index.csv) has none for them: \
             Anna Andreadi, Cassandra Brandow, Chuck Magee, Kelly Williams"
        ])
    );
    for p in ["Anna Andreadi", "Cassandra Brandow", "Chuck Magee", "Kelly Williams"] {
        let slug = p.to_lowercase().replace(' ', "-");
        assert!(dir.path().join("out/2017-12").join(&slug).is_dir(), "{slug}");
    }
}

#[test]
fn a_returns_sheet_nets_amounts_and_names_orders_it_cannot_find() {
    let dir = tmp();
    write_book(
        &dir.path().join("v.xlsx"),
        &[
            (
                "Ventas",
                vec![
                    vec![s("Fecha"), s("Nº pedido"), s("Cliente"), s("Importe"), s("Margen")],
                    vec![V::D(2026, 1, 5), s("P-1"), s("Acme"), V::N(100.0), V::N(40.0)],
                    vec![V::D(2026, 1, 6), s("P-2"), s("Beta"), V::N(300.0), V::N(30.0)],
                ],
            ),
            (
                "Devoluciones",
                vec![
                    vec![s("Nº pedido"), s("Fecha devolución"), s("Importe")],
                    vec![s("p-1"), V::D(2026, 2, 2), V::N(25.0)],
                    vec![s("P-9"), V::D(2026, 2, 3), V::N(5.0)],
                ],
            ),
        ],
    );
    let out = stdout(&kamplan(dir.path(), &["check", "v.xlsx"]));
    assert!(out.contains("v.xlsx › Devoluciones\n  role      returns"), "{out}");
    assert!(out.contains("returns   1 order returned, 25,00 € removed (0 lines taken out, 1 order netted by amount); 1 match no sales line"), "{out}");
    assert!(out.contains("1 returned order(s) match no sales line, so nothing was taken out for them: P-9 (v.xlsx › Devoluciones › row 3)"), "{out}");
    let (v, code, _) = json(dir.path(), &["classify", "--format", "json", "--period", "2026-02", "v.xlsx"]);
    assert_eq!(code, 1, "the unmatched return is a warning");
    let acme = account(&v, "acme");
    assert_eq!(acme["sales"], 75.0);
    assert_eq!(acme["margin"], 30.0, "the netted line keeps the order's margin share");
}

#[test]
fn records_that_join_nothing_warn_in_check_and_in_the_manifest() {
    let dir = tmp();
    write_book(
        &dir.path().join("v.xlsx"),
        &[
            (
                "Ventas",
                vec![
                    vec![
                        s("Fecha"),
                        s("Cód. cliente"),
                        s("Cliente"),
                        s("Comercial"),
                        s("Zona"),
                        s("Importe"),
                    ],
                    vec![
                        V::D(2026, 1, 5),
                        s("C-17"),
                        s("Beta Distribución"),
                        s("Ana Gil"),
                        s("Norte"),
                        V::N(100.0),
                    ],
                    vec![V::D(2026, 1, 6), s("C-20"), s("Gamma"), s("Ana Gil"), s("Sur"), V::N(50.0)],
                ],
            ),
            (
                "Clientes",
                vec![
                    vec![s("Cód. cliente"), s("Razón social"), s("KAM asignado")],
                    vec![s("C-71"), s("Beta Distribucion"), s("Ana  Gil")],
                    vec![s("C-20"), s("Gamma"), s("Luis Mora")],
                ],
            ),
            (
                "Visitas",
                vec![
                    vec![s("Fecha"), s("Cód. cliente"), s("Tipo")],
                    vec![V::D(2026, 1, 9), s("C-71"), s("Visita")],
                ],
            ),
            (
                "Comerciales",
                vec![
                    vec![s("Comercial"), s("Email"), s("Zona")],
                    vec![s("Ana Gil"), s("ana@x.es"), s("Nortte")],
                ],
            ),
        ],
    );
    let out = stdout(&kamplan(dir.path(), &["check", "v.xlsx"]));
    for want in [
        "1 customer master row(s) match no customer in the sales (by code or name): C-71 «Beta Distribucion» (did you mean C-17 «Beta Distribución»?)",
        "1 customer(s) of the activity log match no customer in the sales; their contacts are left out: C-71 (did you mean C-17 «Beta Distribución»?)",
        "1 territory entr(ies) name a region no sales line has: Nortte (did you mean Norte?)",
        "1 KAM name(s) of the customer master are not in the KAM directory: Luis Mora",
    ] {
        assert!(out.contains(want), "{want}\n{out}");
    }
    let o = kamplan(dir.path(), &["run", "-q", "--period", "2026-01", "--format", "xlsx", "v.xlsx"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let m: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("out/2026-01/manifest.json")).unwrap())
            .unwrap();
    let warnings = m["warnings"].to_string();
    assert!(warnings.contains("did you mean C-17"), "{warnings}");
    let kinds: Vec<&str> =
        m["unmatched"].as_array().unwrap().iter().map(|u| u["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["master", "activity", "territory", "master_kam"]);
}

#[test]
fn a_us_locale_writes_us_dates_and_dollars() {
    let dir = tmp();
    let book = fixture("superstore.xlsx");
    std::fs::write(
        dir.path().join("kamplan.toml"),
        "lang = \"en\"\nlocale = \"en-US\"\n[assign]\nby = \"region\"\n",
    )
    .unwrap();
    let table = stdout(&kamplan(dir.path(), &["classify", "--period", "2017-12", book.to_str().unwrap()]));
    // Darrin Van Huff: the largest account, last bought on 2017-11-17.
    assert!(table.contains("$12,776.08") && table.contains("11/17/2017"), "{table}");
    let o = kamplan(dir.path(), &["run", "-q", "--period", "2017-12", book.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let folder = dir.path().join("out/2017-12/anna-andreadi");
    let file = |ext: &str| {
        std::fs::read_dir(&folder)
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.extension().is_some_and(|e| e == ext))
            .unwrap()
    };
    let pdf = lopdf::Document::load(file("pdf")).unwrap();
    let pages: Vec<u32> = pdf.get_pages().keys().copied().collect();
    let text = pdf.extract_text(&pages).unwrap();
    assert!(text.contains("$12,776.08"), "{text}");
    assert!(text.contains("11/17/2017"), "{text}");
    // The XLSX's typed cells carry US formats: month first, the dollar before the amount.
    let mut zip = zip::ZipArchive::new(std::fs::File::open(file("xlsx")).unwrap()).unwrap();
    let mut styles = String::new();
    std::io::Read::read_to_string(&mut zip.by_name("xl/styles.xml").unwrap(), &mut styles).unwrap();
    assert!(styles.contains("mm/dd/yyyy"), "{styles}");
    assert!(styles.contains("&quot;$&quot;#,##0.00"), "{styles}");

    // The same book in the default Spanish locale.
    std::fs::write(dir.path().join("kamplan.toml"), "[assign]\nby = \"region\"\n").unwrap();
    let table = stdout(&kamplan(dir.path(), &["classify", "--period", "2017-12", book.to_str().unwrap()]));
    assert!(table.contains("12.776,08\u{a0}€") && table.contains("17/11/2017"), "{table}");
}
