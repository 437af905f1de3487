//! Integration tests for `kamplan check`: the real binary on books these tests write.

use std::path::Path;

use serde_json::Value;

use crate::util::*;

pub(super) fn s(x: &'static str) -> V {
    V::S(x)
}

pub(super) fn json_of(dir: &Path, args: &[&str]) -> (Value, i32) {
    let mut all = vec!["check", "--format", "json"];
    all.extend_from_slice(args);
    let o = kamplan(dir, &all);
    let v: Value =
        serde_json::from_str(&stdout(&o)).unwrap_or_else(|e| panic!("{e}: {}{}", stdout(&o), stderr(&o)));
    (v, o.status.code().unwrap_or(-1))
}

pub(super) fn sheet<'a>(v: &'a Value, name: &str) -> &'a Value {
    v["sheets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["sheet"] == name)
        .unwrap_or_else(|| panic!("no sheet {name}: {v}"))
}

pub(super) fn close(a: &Value, b: f64) -> bool {
    (a.as_f64().unwrap() - b).abs() < 1e-6
}

pub(super) fn header() -> Vec<V> {
    vec![s("Fecha factura"), s("Cód. cliente"), s("Cliente"), s("Comercial"), s("Artículo"), s("Importe")]
}

pub(super) fn line(d: V, code: &'static str, name: &'static str, kam: &'static str, amount: V) -> Vec<V> {
    vec![d, s(code), s(name), s(kam), s("Tornillos"), amount]
}

/// A month sheet as clerks keep it: company and title above the header, a total row, a
/// repeated header after a blank row.
pub(super) fn month_sheet(m: u8) -> Vec<Vec<V>> {
    vec![
        vec![s("Distribuciones Ejemplo S.L.")],
        vec![s("Ventas del mes")],
        vec![],
        header(),
        line(V::D(2026, m, 3), "C001", "Acme S.A.", "Lucía Pérez", V::N(1200.0)),
        line(V::D(2026, m, 10), "C002", "Beta SL", "Íñigo Núñez", V::N(800.5)),
        line(V::D(2026, m, 20), "C001", "ACME  S.A. ", "Lucía Pérez", V::N(-200.0)),
        vec![V::Empty, V::Empty, s("Total mes"), V::Empty, V::Empty, V::N(1800.5)],
        vec![],
        header(),
        line(V::D(2026, m, 25), "C003", "Gamma", "  ", V::N(100.0)),
    ]
}

/// A sales sheet with one bad row of each kind; F is the amount column.
pub(super) fn bad_book(path: &Path) {
    use rust_xlsxwriter::{ExcelDateTime, Format, Formula, Workbook};
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("Ene-26").unwrap();
    let fmt = Format::new().set_num_format("dd/mm/yyyy");
    let heads = ["Fecha", "Cód. cliente", "Cliente", "Comercial", "Artículo", "Importe"];
    for (c, h) in heads.iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    let date = ExcelDateTime::from_ymd(2026, 1, 15).unwrap();
    for r in 1..=5u32 {
        ws.write_datetime_with_format(r, 0, &date, &fmt).unwrap();
        ws.write_string(r, 1, format!("C00{r}")).unwrap();
        if r != 4 {
            ws.write_string(r, 2, format!("Cliente {r}")).unwrap();
        }
        ws.write_number(r, 5, 100.0).unwrap();
    }
    ws.write_string(2, 5, "pendiente").unwrap(); // F3
    ws.write_formula(3, 5, Formula::new("=NA()").set_result("#N/A")).unwrap(); // F4
    ws.write_string(4, 1, " ").unwrap(); // B5: no code, and no name in C5
    ws.write_string(5, 0, "31/02/2026").unwrap(); // A6
    wb.save(path).unwrap();
}

mod files;
mod rejects;
mod values;
