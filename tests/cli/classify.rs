//! Integration tests for `kamplan classify`: books written here, the real binary, the JSON read
//! back. These need the ingest stage (issue 2).

#[allow(unused_imports)]
use crate::util::*;

use std::path::Path;

use serde_json::Value;

const HEADER: [&str; 7] = ["Fecha", "Cód. cliente", "Cliente", "Comercial", "Importe", "Coste", "Zona"];

/// A sales line: (date, code, name, salesperson, amount, cost, region).
type Line = ((u16, u8, u8), &'static str, &'static str, &'static str, f64, f64, &'static str);

fn sales_sheet(lines: &[Line]) -> Vec<Vec<V>> {
    let mut rows = vec![vec![V::S("Ventas Distribuciones Norte S.L.")], vec![]];
    rows.push(HEADER.iter().map(|h| V::S(h)).collect());
    for &((y, m, d), code, name, kam, amount, cost, zone) in lines {
        rows.push(vec![
            V::D(y, m, d),
            V::S(code),
            V::S(name),
            if kam.is_empty() { V::Empty } else { V::S(kam) },
            V::N(amount),
            V::N(cost),
            V::S(zone),
        ]);
    }
    rows
}

/// Four customers: C1 500 (prior 500), C2 300 (prior 200), C3 150 (prior 150), C4 50 (new),
/// window 2025-11..2026-10. C1 has two salespeople; C4 has none.
fn lines() -> Vec<Line> {
    vec![
        ((2024, 12, 10), "C1", "Áridos Pérez S.A.", "Lucía Gómez", 500.0, 300.0, "Norte"),
        ((2025, 1, 10), "C2", "Bodegas Ruiz", "Íñigo Sáez", 200.0, 100.0, "Sur"),
        ((2025, 2, 10), "C3", "Cafés Luna", "Íñigo Sáez", 150.0, 100.0, "Sur"),
        ((2025, 12, 1), "C1", "Áridos Pérez S.A.", "Lucía Gómez", 300.0, 200.0, "Norte"),
        ((2026, 1, 15), "C1", "Áridos Pérez S.A.", "Íñigo Sáez", 200.0, 150.0, "Norte"),
        ((2026, 2, 1), "C2", "Bodegas Ruiz", "Íñigo Sáez", 320.0, 100.0, "Sur"),
        ((2026, 3, 1), "C2", "Bodegas Ruiz", "Íñigo Sáez", -20.0, 0.0, "Sur"),
        ((2026, 3, 1), "C3", "Cafés Luna", "Íñigo Sáez", 150.0, 120.0, "Sur"),
        ((2026, 10, 20), "C4", "Dulces Mar", "", 50.0, 40.0, "Este"),
    ]
}

fn book(dir: &Path) -> String {
    write_book(&dir.join("ventas.xlsx"), &[("Ventas", sales_sheet(&lines()))]);
    "ventas.xlsx".into()
}

fn json_of(dir: &Path, args: &[&str]) -> (Value, i32, String) {
    let out = kamplan(dir, args);
    let err = stderr(&out);
    let code = out.status.code().unwrap_or(-1);
    let v: Value = serde_json::from_str(&stdout(&out))
        .unwrap_or_else(|e| panic!("not json ({e}); exit {code}; stderr: {err}; stdout: {}", stdout(&out)));
    (v, code, err)
}

fn account<'a>(v: &'a Value, id: &str) -> &'a Value {
    v["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == id)
        .unwrap_or_else(|| panic!("no {id} in {v}"))
}

#[test]
fn classify_json_has_the_stable_shape_and_the_method() {
    let dir = tmp();
    let f = book(dir.path());
    let (v, code, err) = json_of(dir.path(), &["classify", "--format", "json", "--period", "2026-10", &f]);
    assert_eq!(v["period"], "2026-10");
    assert_eq!(v["window"]["from"], "2025-11");
    assert_eq!(v["window"]["to"], "2026-10");
    assert_eq!(v["totals"]["sales"], 1000.0);
    assert_eq!(v["totals"]["accounts"], 4);
    assert_eq!(v["totals"]["key_accounts"], 3);
    assert_eq!(v["ingest"]["transactions"], 9);
    assert_eq!(v["ingest"]["rejected"], 0);
    for k in ["pareto_accounts_share", "top1_share", "top5_share", "hhi"] {
        assert!(v["concentration"][k].is_number(), "{k}");
    }
    assert_eq!(v["concentration"]["top1_share"], 0.5);

    // key accounts first, by rank
    let ids: Vec<&str> =
        v["accounts"].as_array().unwrap().iter().map(|a| a["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["C1", "C2", "C4", "C3"]);

    let c1 = account(&v, "C1");
    assert_eq!(c1["name"], "Áridos Pérez S.A.");
    assert_eq!(c1["rank"], 1);
    assert_eq!(c1["abc"], "A");
    assert_eq!(c1["reasons"], serde_json::json!(["volume"]));
    assert_eq!(c1["growth"], 0.0);
    assert_eq!(c1["margin"], 150.0);
    assert_eq!(c1["margin_pct"], 0.3);
    // Lucía 300 beats Íñigo 200 on C1
    assert_eq!(c1["kam"], "Lucía Gómez");
    assert_eq!(c1["last_purchase"], "2026-01-15");
    assert_eq!(c1["explanation"][0], "Clave por volumen: puesto 1, acumula el 50,0\u{a0}% de las ventas");

    // C2: 320 − 20 = 300, crosses 80 % exactly → A; +50 % over the prior 200 → growth
    let c2 = account(&v, "C2");
    assert_eq!(c2["sales"], 300.0);
    assert_eq!(c2["prior_sales"], 200.0);
    assert_eq!(c2["cumulative_share"], 0.8);
    assert_eq!(c2["reasons"], serde_json::json!(["volume", "profitability", "growth"]));
    assert_eq!(c2["last_purchase"], "2026-02-01", "a return is not a purchase");

    // C3 starts at exactly 80 %: class B, not key
    let c3 = account(&v, "C3");
    assert_eq!((c3["abc"].as_str(), c3["key"].as_bool()), (Some("B"), Some(false)));
    assert_eq!(c3["reasons"], serde_json::json!([]));

    // C4: new account, blank salesperson → the default KAM, and a warning naming it
    let c4 = account(&v, "C4");
    assert_eq!(c4["reasons"], serde_json::json!(["growth"]));
    assert_eq!(c4["growth"], Value::Null);
    assert_eq!(c4["kam"], "Sin asignar");
    assert!(err.contains("Dulces Mar"), "{err}");
    assert_eq!(code, 1, "unassigned key accounts are a warning");

    let kams: Vec<&str> = v["kams"].as_array().unwrap().iter().map(|k| k["name"].as_str().unwrap()).collect();
    assert_eq!(kams, ["Íñigo Sáez", "Lucía Gómez", "Sin asignar"]);
    for k in v["kams"].as_array().unwrap() {
        for key in ["name", "email", "key_accounts", "sales"] {
            assert!(k.get(key).is_some(), "{key}");
        }
    }
}

#[test]
fn classify_in_english_with_a_master_and_a_directory() {
    let dir = tmp();
    let master = vec![
        vec![V::S("Cód. cliente"), V::S("Cliente"), V::S("Estratégico"), V::S("Potencial"), V::S("KAM")],
        vec![V::S("C3"), V::S("Cafés Luna"), V::S("Sí"), V::Empty, V::Empty],
        vec![V::S("C4"), V::S("Dulces Mar"), V::S("No"), V::N(1000.0), V::S("Marta Vidal")],
    ];
    let directory = vec![
        vec![V::S("Comercial"), V::S("Email")],
        vec![V::S("Marta Vidal"), V::S("marta@example.com")],
        vec![V::S("LUCÍA  GÓMEZ"), V::S("lucia@example.com")],
    ];
    write_book(&dir.path().join("ventas.xlsx"), &[("Ventas", sales_sheet(&lines()))]);
    write_book(&dir.path().join("maestro.xlsx"), &[("Clientes", master), ("Comerciales", directory)]);
    let (v, _, _) = json_of(
        dir.path(),
        &[
            "classify",
            "--format",
            "json",
            "--lang",
            "en",
            "--period",
            "2026-10",
            "ventas.xlsx",
            "maestro.xlsx",
        ],
    );
    let c3 = account(&v, "C3");
    assert_eq!(c3["reasons"], serde_json::json!(["strategic"]));
    assert_eq!(c3["explanation"][0], "Key as strategic: flagged strategic in the customer master");
    let c4 = account(&v, "C4");
    assert_eq!(c4["kam"], "Marta Vidal", "the master's KAM wins over everything");
    assert_eq!(c4["reasons"], serde_json::json!(["growth", "potential"]));
    let c2 = account(&v, "C2");
    assert_eq!(c2["explanation"][2], "Key by growth: +50% against the prior 12 months");
    // the directory's spelling and email
    let lucia = v["kams"].as_array().unwrap().iter().find(|k| k["name"] == "LUCÍA GÓMEZ").expect("Lucía");
    assert_eq!(lucia["email"], "lucia@example.com");
}

#[test]
fn classify_reads_rules_from_the_config() {
    let dir = tmp();
    let f = book(dir.path());
    std::fs::write(
        dir.path().join("kamplan.toml"),
        "[classify]\nvolume_share = 0.5\nstrategic = [\"cafés  LUNA\"]\ndefault_kam = \"Dirección\"\n",
    )
    .unwrap();
    let (v, _, _) = json_of(dir.path(), &["classify", "--format", "json", "--period", "2026-10", &f]);
    // with 50 %, C1 alone reaches the threshold
    assert_eq!(account(&v, "C1")["abc"], "A");
    assert_eq!(account(&v, "C2")["abc"], "B");
    assert_eq!(account(&v, "C3")["reasons"], serde_json::json!(["strategic"]));
    assert_eq!(account(&v, "C4")["kam"], "Dirección");
}

#[test]
fn default_period_is_the_latest_month_with_data() {
    let dir = tmp();
    let f = book(dir.path());
    let (v, _, _) = json_of(dir.path(), &["classify", "--format", "json", &f]);
    assert_eq!(v["period"], "2026-10");
}

#[test]
fn growth_not_available_without_prior_data_is_said_once() {
    let dir = tmp();
    let recent: Vec<Line> = lines().into_iter().filter(|l| l.0 .0 >= 2026).collect();
    write_book(&dir.path().join("v.xlsx"), &[("Ventas", sales_sheet(&recent))]);
    let (v, code, err) =
        json_of(dir.path(), &["classify", "--format", "json", "--period", "2026-10", "v.xlsx"]);
    assert!(v["accounts"].as_array().unwrap().iter().all(|a| a["growth"].is_null()));
    assert!(v["accounts"].as_array().unwrap().iter().all(|a| !a["reasons"].to_string().contains("growth")));
    assert_eq!(err.matches("crecimiento no disponible").count(), 1, "{err}");
    assert_eq!(code, 1);
}

#[test]
fn clean_data_exits_zero() {
    let dir = tmp();
    let mut l = lines();
    l.last_mut().unwrap().3 = "Marta Vidal";
    write_book(&dir.path().join("v.xlsx"), &[("Ventas", sales_sheet(&l))]);
    let out = kamplan(dir.path(), &["classify", "--period", "2026-10", "v.xlsx"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let t = stdout(&out);
    assert!(t.contains("Cuentas clave (3)") && t.contains("Puesto") && t.contains("HHI"), "{t}");
    assert!(t.contains("Áridos Pérez S.A. (C1)"), "{t}");
}

#[test]
fn csv_has_one_row_per_account() {
    let dir = tmp();
    let f = book(dir.path());
    let out = kamplan(dir.path(), &["classify", "--format", "csv", "--period", "2026-10", &f]);
    let text = stdout(&out);
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let headers = r.headers().unwrap().clone();
    assert_eq!(&headers[0], "id");
    let rows: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 4);
    assert_eq!(&rows[0][0], "C1");
    let reasons = headers.iter().position(|h| h == "reasons").unwrap();
    assert_eq!(&rows[1][reasons], "volume;profitability;growth");
}

#[test]
fn a_bad_period_is_a_usage_error() {
    let dir = tmp();
    let f = book(dir.path());
    let out = kamplan(dir.path(), &["classify", "--period", "2026-13", &f]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("YYYY-MM"), "{}", stderr(&out));
}
