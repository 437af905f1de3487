//! Renders a typical Key Account Plan (cover, key-accounts table, ten account sections with a
//! 24-month chart, meeting plan and decision-maker map) and a management summary with a
//! Pareto of 300 accounts as XLSX, writes them to `target/xlsx_demo/`, and times the renders.
//!
//! ```text
//! cargo run --example xlsx_demo [--release] [-- en]
//! ```

use std::time::Instant;

use chrono::NaiveDate;
use kamplan::document::*;
use kamplan::lang::Lang;
use kamplan::render::xlsx::XlsxRenderer;
use kamplan::render::{RenderContext, Renderer};

struct B {
    lang: Lang,
}

impl B {
    fn money(&self, v: f64) -> Value {
        Value { text: self.lang.money(v), format: ValueFormat::Money, number: Some(v), date: None }
    }
    fn pct(&self, v: f64) -> Value {
        Value { text: self.lang.percent(v, 1), format: ValueFormat::Percent, number: Some(v), date: None }
    }
    fn int(&self, v: i64) -> Value {
        Value { text: v.to_string(), format: ValueFormat::Int, number: Some(v as f64), date: None }
    }
    fn date(&self, d: NaiveDate) -> Value {
        Value { text: self.lang.date(d), format: ValueFormat::Date, number: None, date: Some(d) }
    }
    fn text(&self, s: &str) -> Value {
        Value { text: s.into(), format: ValueFormat::Text, number: None, date: None }
    }
}

fn cell(value: Value) -> Cell {
    Cell { value, highlight: false, link: None, formula: None }
}

fn col(label: &str, format: ValueFormat) -> Column {
    Column { label: label.into(), format, choices: vec![], fill: false, name: None, formula: None }
}

const NAMES: [&str; 10] = [
    "Distribuciones Hermanos García Martínez S.L.",
    "=HYPERLINK(\"http://x\",\"y\")",
    "Ferretería López",
    "+SUM(A1)",
    "Supermercados del Norte S.A.",
    "-2+3",
    "Hostelería Mediterránea",
    "@cmd",
    "Talleres Ruiz & Hijos",
    "Café «El Rincón» — Sevilla",
];

fn plan(b: &B) -> Document {
    let d = |m: u32, day: u32| NaiveDate::from_ymd_opt(2026, m, day).unwrap();
    let sales: Vec<f64> = (0..10).map(|i| 250_000.0 / (1.0 + i as f64 * 0.6)).collect();
    let total: f64 = sales.iter().sum();
    let mut cum = 0.0;
    let rows: Vec<Vec<Cell>> = NAMES
        .iter()
        .zip(&sales)
        .enumerate()
        .map(|(i, (name, s))| {
            cum += s / 1_200_000.0;
            vec![
                cell(b.int(i as i64 + 1)),
                Cell {
                    value: b.text(name),
                    highlight: i == 2,
                    link: None,
                    formula: None,
                },
                cell(b.money(*s)),
                cell(b.pct(s / 1_200_000.0)),
                cell(b.pct(cum)),
                cell(b.text(if i < 4 { "A" } else { "B" })),
                cell(b.pct(0.18 + 0.01 * i as f64)),
                cell(b.pct(-0.05 + 0.03 * i as f64)),
                cell(b.date(d(10, 28 - i as u32))),
                cell(b.text(if i == 0 { "Volumen alto (clase A, 20,8 % de las ventas); crecimiento del 12 % frente a los 12 meses anteriores; margen por encima de la media" } else { "Volumen alto; crecimiento sostenido" })),
            ]
        })
        .collect();
    let accounts = Table {
        name: "cuentas_clave".into(),
        columns: vec![
            col("Rango", ValueFormat::Int),
            col("Cliente", ValueFormat::Text),
            col("Ventas", ValueFormat::Money),
            col("Cuota", ValueFormat::Percent),
            col("Cuota acumulada", ValueFormat::Percent),
            col("ABC", ValueFormat::Text),
            col("Margen %", ValueFormat::Percent),
            col("Crecimiento", ValueFormat::Percent),
            col("Última compra", ValueFormat::Date),
            col("Motivos", ValueFormat::Text),
        ],
        rows,
        totals: Some(vec![
            cell(b.text("Total")),
            cell(b.text("")),
            cell(b.money(total)),
            cell(b.pct(total / 1_200_000.0)),
        ]),
        pdf_last: None,
        area: None,
    };
    let mut sections = vec![
        Section {
            id: None,
            media: Media::All, block_media: Default::default(),
            title: "Resumen".into(),
            sheet: "Resumen".into(),
            page_break: PageBreak::Page,
            blocks: vec![
                Block::Heading { level: 1, text: "Plan de cuentas clave — Ana Pérez".into() },
                Block::Paragraph(vec![
                    Run::text("Periodo: ", false),
                    Run::text("octubre 2026", true),
                    Run::text(" (ventana de 12 meses, nov 2025 – oct 2026). Ana lleva 10 cuentas clave que suman el 61 % de sus ventas; dos han bajado en el último trimestre y una lleva más de 60 días sin comprar.", false),
                ]),
                Block::Kpis(vec![
                    Kpi { label: "Cuentas clave".into(), value: b.int(10), name: None, formula: None },
                    Kpi { label: "Ventas de las cuentas clave".into(), value: b.money(total), name: None, formula: None },
                    Kpi { label: "Cuota de las ventas de la compañía".into(), value: b.pct(0.412), name: None, formula: None },
                    Kpi { label: "Margen".into(), value: b.pct(0.213), name: None, formula: None },
                ]),
                Block::Heading { level: 2, text: "Cambios desde septiembre".into() },
                Block::List {
                    ordered: false,
                    items: vec![
                        "Nueva cuenta clave: Hostelería Mediterránea".into(),
                        "Deja de ser clave: Talleres Ruiz & Hijos".into(),
                    ],
                },
                Block::Note {
                    kind: NoteKind::Warning,
                    text: "Atención: Ferretería López lleva 64 días sin comprar y su tendencia es descendente.".into(),
                },
            ],
        },
        Section {
            id: None,
            media: Media::All, block_media: Default::default(),
            title: "Cuentas clave".into(),
            sheet: "Cuentas clave".into(),
            page_break: PageBreak::Page,
            blocks: vec![
                Block::Heading { level: 1, text: "Cuentas clave".into() },
                Block::Table(accounts),
            ],
        },
    ];
    for (i, name) in NAMES.iter().enumerate() {
        let months: Vec<(String, f64)> = (0..24)
            .map(|m| {
                let month = b.lang.month(kamplan::period::Month {
                    year: 2024 + (10 + m) / 12,
                    month: ((10 + m) % 12 + 1) as u32,
                });
                (month, sales[i] / 12.0 * (0.8 + 0.4 * ((m as f64) / 7.0).sin().abs()))
            })
            .collect();
        let status = vec!["Pendiente".to_string(), "Hecha".into(), "Aplazada".into(), "Cancelada".into()];
        sections.push(Section {
            id: None,
            media: Media::All, block_media: Default::default(),
            title: name.to_string(),
            sheet: name.to_string(),
            page_break: PageBreak::Page,
            blocks: vec![
                Block::Heading { level: 1, text: name.to_string() },
                Block::Kpis(vec![
                    Kpi { label: "Código".into(), value: b.text(&format!("C{:05}", 100 + i)), name: None, formula: None },
                    Kpi { label: "Cliente desde".into(), value: b.date(d(3, 14)), name: None, formula: None },
                    Kpi { label: "Ventas 12 meses".into(), value: b.money(sales[i]), name: None, formula: None },
                    Kpi { label: "Objetivo próximo periodo".into(), value: b.money(sales[i] * 1.05), name: None, formula: None },
                ]),
                Block::Heading { level: 2, text: "Por qué es clave".into() },
                Block::Paragraph(vec![Run::text("Está entre los clientes que suman el 80 % de las ventas de la compañía (clase A) y ha crecido un 12 % respecto a los 12 meses anteriores.", false)]),
                Block::Chart(Chart {
                    kind: ChartKind::Bar,
                    title: "Ventas 24 meses".into(),
                    format: ValueFormat::Money,
                    series: vec![Series {
                        name: "Ventas".into(),
                        kind: SeriesKind::Bar,
                        secondary_axis: false,
                        format: ValueFormat::Money,
                        points: months,
                    }], bands: vec![], rules: vec![] }),
                Block::Heading { level: 2, text: "Plan de reuniones".into() },
                Block::Table(Table {
                    name: format!("reuniones_{}", i + 1),
                    columns: vec![
                        col("Objetivo", ValueFormat::Text),
                        Column { fill: true, ..col("Fecha", ValueFormat::Date) },
                        Column { fill: true, choices: status.clone(), ..col("Estado", ValueFormat::Text) },
                        Column { fill: true, ..col("Notas", ValueFormat::Text) },
                    ],
                    rows: [
                        "1 Identificar a los decisores",
                        "2 Saber si la competencia ha hecho ofertas",
                        "3 Conocer las necesidades del cliente",
                        "4 Cerrar",
                    ]
                    .iter()
                    .enumerate()
                    .map(|(k, o)| {
                        vec![
                            Cell { value: b.text(o), highlight: k == 1, link: None, formula: None },
                            if k == 0 { cell(b.date(d(9, 3))) } else { cell(b.text("")) },
                            cell(b.text(if k == 0 { "Hecha" } else { "Pendiente" })),
                            cell(b.text("")),
                        ]
                    })
                    .collect(),
                    totals: None,
                    pdf_last: None,
                    area: None,
                }),
                Block::Heading { level: 2, text: "Mapa de decisores".into() },
                Block::Table(Table {
                    name: format!("decisores_{}", i + 1),
                    columns: vec![
                        Column { fill: true, ..col("Nombre", ValueFormat::Text) },
                        Column { fill: true, ..col("Cargo", ValueFormat::Text) },
                        Column { fill: true, choices: vec!["Alta".into(), "Media".into(), "Baja".into()], ..col("Influencia", ValueFormat::Text) },
                        Column { fill: true, choices: vec!["A favor".into(), "Neutral".into(), "En contra".into()], ..col("Postura", ValueFormat::Text) },
                    ],
                    rows: vec![],
                    totals: None,
                    pdf_last: None,
                    area: None,
                }),
                Block::Fields(vec![
                    Field { label: "Próxima llamada de cortesía".into(), kind: FieldKind::Date, choices: vec![], value: b.lang.date(d(11, 27)) },
                    Field { label: "Resultado".into(), kind: FieldKind::Choice, choices: status, value: String::new() },
                ]),
            ],
        });
    }
    Document {
        title: "Plan de cuentas clave — Ana Pérez — 2026-10".into(),
        lang: b.lang.code.clone(),
        author: "kamplan".into(),
        subject: "2026-10".into(),
        sections,
    }
}

fn summary(b: &B) -> Document {
    let mut values: Vec<f64> = (0..300).map(|i| 400_000.0 / (1.0 + i as f64).powf(1.1)).collect();
    values.sort_by(|a, b| b.total_cmp(a));
    let total: f64 = values.iter().sum();
    let mut cum = 0.0;
    let bars: Vec<(String, f64)> =
        values.iter().enumerate().map(|(i, v)| (format!("Cliente {}", i + 1), *v)).collect();
    let line: Vec<(String, f64)> = values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            cum += v / total;
            (format!("Cliente {}", i + 1), cum)
        })
        .collect();
    Document {
        title: "Resumen de dirección 2026-10".into(),
        lang: b.lang.code.clone(),
        author: "kamplan".into(),
        subject: "2026-10".into(),
        sections: vec![Section {
            id: None,
            media: Media::All,
            block_media: Default::default(),
            title: "Resumen".into(),
            sheet: "Resumen".into(),
            page_break: PageBreak::Page,
            blocks: vec![
                Block::Heading { level: 1, text: "Resumen de dirección".into() },
                Block::Chart(Chart {
                    kind: ChartKind::Pareto,
                    title: "Pareto de la compañía".into(),
                    format: ValueFormat::Money,
                    series: vec![
                        Series {
                            name: "Ventas".into(),
                            kind: SeriesKind::Bar,
                            secondary_axis: false,
                            format: ValueFormat::Money,
                            points: bars,
                        },
                        Series {
                            name: "Acumulado".into(),
                            kind: SeriesKind::Line,
                            secondary_axis: true,
                            format: ValueFormat::Percent,
                            points: line,
                        },
                    ],
                    bands: vec![],
                    rules: vec![],
                }),
                Block::Table(Table {
                    name: "abc".into(),
                    columns: vec![
                        col("Clase", ValueFormat::Text),
                        col("Clientes", ValueFormat::Int),
                        col("Ventas", ValueFormat::Money),
                        col("Cuota", ValueFormat::Percent),
                    ],
                    rows: vec![
                        vec![
                            cell(b.text("A")),
                            cell(b.int(42)),
                            cell(b.money(total * 0.8)),
                            cell(b.pct(0.8)),
                        ],
                        vec![
                            cell(b.text("B")),
                            cell(b.int(88)),
                            cell(b.money(total * 0.15)),
                            cell(b.pct(0.15)),
                        ],
                        vec![
                            cell(b.text("C")),
                            cell(b.int(170)),
                            cell(b.money(total * 0.05)),
                            cell(b.pct(0.05)),
                        ],
                    ],
                    totals: Some(vec![
                        cell(b.text("Total")),
                        cell(b.int(300)),
                        cell(b.money(total)),
                        cell(b.pct(1.0)),
                    ]),
                    pdf_last: None,
                    area: None,
                }),
            ],
        }],
    }
}

fn main() {
    let code = std::env::args().nth(1).unwrap_or_else(|| "es".into());
    let b = B { lang: Lang::load(&code, "€", None).expect("language") };
    let ctx = RenderContext {
        created: NaiveDate::from_ymd_opt(2026, 11, 1).unwrap().and_hms_opt(0, 0, 0).unwrap(),
        document_id: "demo".into(),
        page_label: if code == "en" { "Page {page} of {pages}" } else { "Página {page} de {pages}" }.into(),
        ident: None,
        lang: code.clone(),
    };
    let out = std::path::Path::new("target/xlsx_demo");
    std::fs::create_dir_all(out).unwrap();
    for (name, doc) in [("plan", plan(&b)), ("summary", summary(&b))] {
        let first = XlsxRenderer.render(&doc, &ctx).expect("render");
        let n = 20;
        let t = Instant::now();
        for _ in 0..n {
            let again = XlsxRenderer.render(&doc, &ctx).expect("render");
            assert!(again == first, "not deterministic");
        }
        let each = t.elapsed().as_secs_f64() * 1000.0 / n as f64;
        let path = out.join(format!("{name}_{code}.xlsx"));
        std::fs::write(&path, &first).unwrap();
        println!(
            "{name}: {} sheets, {} bytes, {each:.1} ms a render -> {}",
            doc.sections.len(),
            first.len(),
            path.display()
        );
    }
}
