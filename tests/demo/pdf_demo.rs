//! Builds a sample plan document in code (or parses a template's XHTML output), writes it as
//! PDF and times the renderer.
//!
//! `cargo run --example pdf_demo -- out.pdf [runs] [plan.xhtml]`; then look at it with
//! `pdftoppm -r 60 -png out.pdf /tmp/pdfcheck/page`.

use kamplan::document::*;
use kamplan::render::{renderer, Format, RenderContext};

fn v(text: &str, format: ValueFormat, number: Option<f64>) -> Value {
    Value { text: text.into(), format, number, date: None }
}

fn cell(text: &str, format: ValueFormat, number: Option<f64>) -> Cell {
    Cell { value: v(text, format, number), highlight: false, link: None, formula: None }
}

fn col(label: &str, format: ValueFormat) -> Column {
    Column { label: label.into(), format, choices: vec![], fill: false, name: None, formula: None }
}

fn money(x: f64) -> String {
    let s = format!("{:.2}", x).replace('.', ",");
    let (i, d) = s.split_once(',').unwrap();
    let mut g = String::new();
    for (k, ch) in i.chars().enumerate() {
        if k > 0 && (i.len() - k) % 3 == 0 {
            g.push('.');
        }
        g.push(ch);
    }
    format!("{g},{d}\u{a0}€")
}

/// A plan of about ten pages: summary, a 120-row table, charts, meeting plan, fields.
pub fn sample() -> Document {
    let names = [
        "Ferretería Núñez e Hijos, S.L.",
        "Distribuciones Ibáñez «El Águila»",
        "Comercial Peñalver — División Industrial y Suministros Técnicos del Noroeste Peninsular, S.A.",
        "=HYPERLINK(\"http://x\")",
        "<script>alert(1)</script>",
        "Almacenes Muñoz",
    ];
    let mut rows = Vec::new();
    let mut cum = 0.0;
    for i in 0..120 {
        let sales = 250_000.0 / (1.0 + i as f64 * 0.35);
        cum += sales / 2_000_000.0;
        let mut r = vec![
            cell(&(i + 1).to_string(), ValueFormat::Int, Some((i + 1) as f64)),
            cell(&format!("{} {}", names[i % names.len()], i), ValueFormat::Text, None),
            cell(&money(sales), ValueFormat::Money, Some(sales)),
            cell(
                &format!("{:.1}\u{a0}%", sales / 20_000.0).replace('.', ","),
                ValueFormat::Percent,
                Some(sales / 2e6),
            ),
            cell(&format!("{:.1}\u{a0}%", cum * 100.0).replace('.', ","), ValueFormat::Percent, Some(cum)),
            cell(["A", "B", "C"][i % 3], ValueFormat::Text, None),
            cell("31/10/2026", ValueFormat::Date, None),
        ];
        r[5].highlight = i % 17 == 0;
        rows.push(r);
    }
    let months: Vec<(String, f64)> = (0..24)
        .map(|m| {
            (
                format!(
                    "{} {}",
                    ["ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sep", "oct", "nov", "dic"]
                        [m % 12],
                    2025 + m / 12
                ),
                20_000.0 + (m as f64 * 1.3).sin() * 8_000.0 + m as f64 * 500.0,
            )
        })
        .collect();
    let pareto_n = 60;
    let bars: Vec<(String, f64)> =
        (0..pareto_n).map(|i| (format!("Cliente número {i}"), 100_000.0 / (1.0 + i as f64))).collect();
    let total: f64 = bars.iter().map(|b| b.1).sum();
    let mut acc = 0.0;
    let line: Vec<(String, f64)> = bars
        .iter()
        .map(|(l, x)| {
            acc += x / total;
            (l.clone(), acc)
        })
        .collect();

    let summary = Section {
        id: None,
        media: Media::All, block_media: Default::default(),
        title: "Resumen".into(),
        sheet: "Resumen".into(),
        page_break: PageBreak::Auto,
        blocks: vec![
            Block::Heading { level: 1, text: "Plan de cuentas clave — Ana Martínez Ñúñez · octubre 2026".into() },
            Block::Paragraph(vec![
                Run::text("Periodo ", false),
                Run::text("nov 2025 – oct 2026", true),
                Run::text(" (12 meses). Este plan reúne las cuentas clave de la cartera, por qué lo son, los riesgos y los objetivos del próximo periodo. Los importes están en euros (€) y las cuotas se calculan sobre las ventas de toda la compañía; «clave» significa que la cuenta está en la clase A o cumple alguna de las reglas configuradas.", false),
            ]),
            Block::Kpis(vec![
                Kpi { label: "Cuentas clave".into(), value: v("12", ValueFormat::Int, Some(12.0)), name: None, formula: None },
                Kpi { label: "Ventas de las cuentas clave".into(), value: v(&money(1_234_567.89), ValueFormat::Money, Some(1_234_567.89)), name: None, formula: None },
                Kpi { label: "Cuota de la compañía".into(), value: v("41,2 %", ValueFormat::Percent, Some(0.412)), name: None, formula: None },
                Kpi { label: "Margen".into(), value: v("23,5 %", ValueFormat::Percent, Some(0.235)), name: None, formula: None },
            ]),
            Block::Note { kind: NoteKind::Warning, text: "3 cuentas necesitan atención: tendencia a la baja, más de 90 días sin comprar o llamada de cortesía vencida.".into() },
            Block::Note { kind: NoteKind::Highlight, text: "Próximo objetivo con Ferretería Núñez: averiguar si la competencia ha hecho ofertas.".into() },
            Block::Note { kind: NoteKind::Info, text: "Cambios desde septiembre 2026: 2 cuentas nuevas, 1 deja de ser clave.".into() },
            Block::Heading { level: 2, text: "Cambios".into() },
            Block::List { ordered: false, items: vec!["Nueva: Distribuciones Ibáñez «El Águila» (clase A, 4,1 %)".into(), "Deja de ser clave: Almacenes Muñoz — ventas −38 % en el periodo; la explicación de una línea muy larga continúa aquí para comprobar que el texto se ajusta con sangría colgante.".into()] },
            Block::List { ordered: true, items: vec!["Identificar a quien decide".into(), "Averiguar si hay ofertas de la competencia".into(), "Conocer las necesidades".into(), "Cerrar".into()] },
        ],
    };
    let table = Section {
        id: None,
        media: Media::All,
        block_media: Default::default(),
        title: "Cuentas clave".into(),
        sheet: "Cuentas".into(),
        page_break: PageBreak::Page,
        blocks: vec![
            Block::Heading { level: 1, text: "Cuentas clave".into() },
            Block::Table(Table {
                name: "cuentas".into(),
                columns: vec![
                    col("#", ValueFormat::Int),
                    col("Cliente", ValueFormat::Text),
                    col("Ventas", ValueFormat::Money),
                    col("Cuota", ValueFormat::Percent),
                    col("Cuota acumulada", ValueFormat::Percent),
                    col("ABC", ValueFormat::Text),
                    col("Última compra", ValueFormat::Date),
                ],
                rows,
                totals: Some(vec![
                    cell("", ValueFormat::Text, None),
                    cell("Total", ValueFormat::Text, None),
                    cell(&money(2_000_000.0), ValueFormat::Money, Some(2e6)),
                    cell("100,0\u{a0}%", ValueFormat::Percent, Some(1.0)),
                    cell("", ValueFormat::Text, None),
                    cell("", ValueFormat::Text, None),
                    cell("", ValueFormat::Text, None),
                ]),
                pdf_last: None,
                area: None,
            }),
        ],
    };
    let account = Section {
        id: None,
        media: Media::All,
        block_media: Default::default(),
        title: "Ferretería Núñez".into(),
        sheet: "Núñez".into(),
        page_break: PageBreak::Page,
        blocks: vec![
            Block::Heading { level: 1, text: "Ferretería Núñez e Hijos, S.L.".into() },
            Block::Heading { level: 2, text: "Perfil".into() },
            Block::Chart(Chart {
                kind: ChartKind::Bar,
                title: "Ventas 24 meses (€)".into(),
                format: ValueFormat::Money,
                series: vec![Series {
                    name: "Ventas".into(),
                    kind: SeriesKind::Bar,
                    secondary_axis: false,
                    format: ValueFormat::Money,
                    points: months.clone(),
                }],
                bands: vec![],
                rules: vec![],
            }),
            Block::Chart(Chart {
                kind: ChartKind::Line,
                title: "Ventas y objetivo".into(),
                format: ValueFormat::Money,
                series: vec![
                    Series {
                        name: "Ventas".into(),
                        kind: SeriesKind::Line,
                        secondary_axis: false,
                        format: ValueFormat::Money,
                        points: months.clone(),
                    },
                    Series {
                        name: "Objetivo".into(),
                        kind: SeriesKind::Line,
                        secondary_axis: false,
                        format: ValueFormat::Money,
                        points: months.iter().map(|(l, x)| (l.clone(), x * 1.05)).collect(),
                    },
                ],
                bands: vec![],
                rules: vec![],
            }),
            Block::Heading { level: 2, text: "Plan de reuniones".into() },
            Block::Table(Table {
                name: "reuniones".into(),
                columns: vec![
                    col("Reunión", ValueFormat::Text),
                    col("Objetivo", ValueFormat::Text),
                    Column {
                        label: "Fecha".into(),
                        format: ValueFormat::Date,
                        choices: vec![],
                        fill: true,
                        name: None,
                        formula: None,
                    },
                    Column {
                        label: "Estado".into(),
                        format: ValueFormat::Text,
                        choices: vec!["Pendiente".into(), "Hecha".into()],
                        fill: true,
                        name: None,
                        formula: None,
                    },
                    Column {
                        label: "Notas".into(),
                        format: ValueFormat::Text,
                        choices: vec![],
                        fill: true,
                        name: None,
                        formula: None,
                    },
                ],
                rows: (1..=4)
                    .map(|i| {
                        let mut r = vec![
                            cell(&i.to_string(), ValueFormat::Text, None),
                            cell(
                                [
                                    "Identificar a quien decide",
                                    "¿Ofertas de la competencia?",
                                    "Conocer sus necesidades",
                                    "Cerrar",
                                ][i - 1],
                                ValueFormat::Text,
                                None,
                            ),
                            cell(if i == 1 { "02/10/2026" } else { "" }, ValueFormat::Text, None),
                            cell(if i == 1 { "Hecha" } else { "" }, ValueFormat::Text, None),
                            cell("", ValueFormat::Text, None),
                        ];
                        if i == 2 {
                            r[1].highlight = true;
                        }
                        r
                    })
                    .collect(),
                totals: None,
                pdf_last: None,
                area: None,
            }),
            Block::Heading { level: 3, text: "Mapa de decisores".into() },
            Block::Fields(vec![
                Field {
                    label: "Nombre".into(),
                    kind: FieldKind::Text,
                    choices: vec![],
                    value: String::new(),
                },
                Field {
                    label: "Cargo".into(),
                    kind: FieldKind::Text,
                    choices: vec![],
                    value: "Director de compras".into(),
                },
                Field {
                    label: "Influencia".into(),
                    kind: FieldKind::Choice,
                    choices: vec!["Alta".into(), "Media".into(), "Baja".into()],
                    value: String::new(),
                },
                Field {
                    label: "Postura".into(),
                    kind: FieldKind::Choice,
                    choices: vec!["A favor".into(), "Neutral".into(), "En contra".into()],
                    value: String::new(),
                },
                Field {
                    label: "Próxima llamada de cortesía".into(),
                    kind: FieldKind::Date,
                    choices: vec![],
                    value: "30/11/2026".into(),
                },
            ]),
        ],
    };
    let pareto = Section {
        id: None,
        media: Media::All,
        block_media: Default::default(),
        title: "Pareto".into(),
        sheet: "Pareto".into(),
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
        ],
    };
    Document {
        title: "Plan de cuentas clave — Ana Martínez · octubre 2026".into(),
        lang: "es".into(),
        author: "kamplan".into(),
        subject: "2026-10".into(),
        sections: vec![summary, table, account, pareto],
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let out = args.get(1).cloned().unwrap_or_else(|| "pdf_demo.pdf".into());
    let runs: usize = args.get(2).and_then(|r| r.parse().ok()).unwrap_or(1);
    let doc = match args.get(3) {
        Some(path) => {
            let xhtml = std::fs::read_to_string(path).expect("reads the XHTML file");
            let t = std::time::Instant::now();
            let doc = parse(&xhtml).unwrap_or_else(|e| panic!("{path}: {e}"));
            println!("parsed {} bytes of XHTML in {:.2} ms", xhtml.len(), t.elapsed().as_secs_f64() * 1000.0);
            doc
        }
        None => sample(),
    };
    let ctx = RenderContext {
        created: chrono::NaiveDate::from_ymd_opt(2026, 11, 1).unwrap().and_hms_opt(0, 0, 0).unwrap(),
        document_id: "ana-2026-10".into(),
        page_label: "Página {page} de {pages}".into(),
        lang: "es".into(),
        ident: None,
    };
    let r = renderer(Format::Pdf);
    let bytes = r.render(&doc, &ctx).expect("renders");
    let t = std::time::Instant::now();
    for _ in 0..runs {
        r.render(&doc, &ctx).expect("renders");
    }
    let ms = t.elapsed().as_secs_f64() * 1000.0 / runs as f64;
    std::fs::write(&out, &bytes).expect("writes");
    println!("{out}: {} bytes, {ms:.2} ms per render ({runs} runs)", bytes.len());
}
