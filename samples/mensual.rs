//! The second sample company, **Suministros Ebro S.L.**, whose sales book is monthly (wide):
//! one row per customer, one column per month — `samples/mensual/ventas_mensuales.xlsx`.
//!
//! Included from `make_samples.rs` (`mod mensual;`) and kept apart from the main company's
//! storylines. Deterministic like the rest: its own fixed-seed splitmix64, no clock, a fixed
//! creation time. See `samples/README.md` for what each sheet looks like.

use std::path::Path;

use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, FormatBorder, Workbook, Worksheet, XlsxError};

const COMPANY: &str = "Suministros Ebro S.L.";
const SEED: u64 = 0x4D45_4E53_5541_4C31; // "MENSUAL1"
/// The books hold 24 months: two fiscal years, November to October, 2024-11 … 2026-10.
const MONTHS: usize = 24;
const FIRST: (i32, u32) = (2024, 11);
const ES_MONTHS: [&str; 12] =
    ["ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sept", "oct", "nov", "dic"];

struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in [lo, hi).
    fn uniform(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * ((self.next_u64() >> 11) as f64 / (1u64 << 53) as f64)
    }
    fn chance(&mut self, p: f64) -> bool {
        self.uniform(0.0, 1.0) < p
    }
}

/// (year, month) of month `i` of the books (0 = 2024-11).
fn month(i: usize) -> (i32, u32) {
    let n = FIRST.0 * 12 + FIRST.1 as i32 - 1 + i as i32;
    (n.div_euclid(12), (n.rem_euclid(12) + 1) as u32)
}

const KAMS: [(&str, &str, &str); 4] = [
    ("Pilar Lasheras", "pilar.lasheras@suministros-ebro.example", "Zaragoza"),
    ("Jorge Sanz", "jorge.sanz@suministros-ebro.example", "Huesca y Teruel"),
    ("Marta Goñi", "marta.goni@suministros-ebro.example", "Navarra"),
    ("Iván Ruiz", "ivan.ruiz@suministros-ebro.example", "La Rioja"),
];

/// How a customer's sales move over the 24 months.
#[derive(Clone, Copy, PartialEq)]
enum Story {
    Steady,
    /// Sales in the second year this much above the first.
    Growing(f64),
    /// Sales in the second year this much below the first.
    Falling(f64),
    /// First purchase in month `i`.
    NewFrom(usize),
    /// Last purchase in month `i`.
    StopsAfter(usize),
}

struct Customer {
    code: String,
    name: &'static str,
    kam: usize,
    /// Sales of the first fiscal year, euros.
    annual: f64,
    margin: f64,
    story: Story,
    /// Months with no order, on average.
    gaps: f64,
}

/// (name, KAM, annual sales, margin rate, story, months without order)
const CUSTOMERS: [(&str, usize, f64, f64, Story, f64); 36] = [
    ("Talleres Aragón Industrial S.A.", 0, 520_000.0, 0.22, Story::Steady, 0.0),
    ("Automoción Cinco Villas S.L.", 1, 310_000.0, 0.20, Story::Growing(0.12), 0.0),
    ("Componentes Navarra S.A.", 2, 280_000.0, 0.19, Story::Steady, 0.0),
    ("Bodegas y Envases Rioja S.L.", 3, 190_000.0, 0.24, Story::Falling(0.36), 0.0),
    ("Metalúrgica del Gállego S.L.", 0, 160_000.0, 0.21, Story::Steady, 0.05),
    ("Plásticos Tudela S.A.", 2, 140_000.0, 0.23, Story::Growing(0.55), 0.05),
    ("Estructuras Monegros S.L.", 1, 120_000.0, 0.20, Story::Steady, 0.05),
    ("Conservas Ribera Alta S.A.", 3, 95_000.0, 0.26, Story::Steady, 0.1),
    ("Carpintería Metálica Utebo S.L.", 0, 70_000.0, 0.22, Story::Steady, 0.1),
    ("Mantenimientos Pirineo S.L.", 1, 62_000.0, 0.47, Story::Steady, 0.1),
    ("Hierros Calatayud S.L.", 0, 55_000.0, 0.18, Story::StopsAfter(17), 0.1),
    ("Logística Ebro Norte S.L.", 2, 50_000.0, 0.25, Story::Steady, 0.15),
    ("Calderería Alfaro S.L.", 3, 44_000.0, 0.44, Story::Steady, 0.15),
    ("Agroindustrias Barbastro S.A.", 1, 40_000.0, 0.24, Story::Falling(0.40), 0.15),
    ("Talleres Hermanos Lacasa S.C.", 0, 36_000.0, 0.25, Story::Steady, 0.2),
    ("Montajes Eléctricos Estella S.L.", 2, 33_000.0, 0.23, Story::Growing(0.70), 0.2),
    ("Fundiciones Teruel S.A.", 1, 30_000.0, 0.19, Story::Steady, 0.2),
    ("Vidrios Logroño S.L.", 3, 27_000.0, 0.22, Story::Steady, 0.2),
    ("Ferretería Industrial Delicias S.L.", 0, 25_000.0, 0.28, Story::Steady, 0.25),
    ("Mecanizados Tarazona S.L.", 0, 22_000.0, 0.24, Story::Steady, 0.25),
    ("Papelera del Arga S.A.", 2, 20_000.0, 0.22, Story::Steady, 0.25),
    ("Transformados Jaca S.L.", 1, 18_000.0, 0.26, Story::Steady, 0.3),
    ("Envases Metálicos Haro S.L.", 3, 16_000.0, 0.23, Story::Steady, 0.3),
    ("Recambios Casetas S.L.", 0, 14_000.0, 0.27, Story::Steady, 0.3),
    ("Cerámicas Alcañiz S.A.", 1, 12_000.0, 0.22, Story::Steady, 0.35),
    ("Imprenta Industrial Olite S.L.", 2, 11_000.0, 0.25, Story::Steady, 0.35),
    ("Suministros Agrícolas Calahorra S.L.", 3, 10_000.0, 0.24, Story::Steady, 0.35),
    ("Talleres Zuera S.L.", 0, 9_000.0, 0.26, Story::Steady, 0.4),
    ("Chapistería Monzón S.L.", 1, 8_000.0, 0.25, Story::Steady, 0.4),
    ("Instalaciones Tafalla S.L.", 2, 7_000.0, 0.24, Story::Steady, 0.4),
    ("Mármoles Nájera S.L.", 3, 6_000.0, 0.23, Story::Steady, 0.45),
    ("Cooperativa Cinco Villas", 1, 5_000.0, 0.21, Story::Steady, 0.45),
    ("Electromecánica Cuarte S.L.", 0, 4_000.0, 0.27, Story::Steady, 0.5),
    ("Hidráulica Pamplona S.L.", 2, 0.0, 0.30, Story::NewFrom(16), 0.0),
    ("Talleres La Almozara S.L.", 0, 3_000.0, 0.25, Story::Steady, 0.5),
    ("Reformas Ejea S.L.", 1, 2_500.0, 0.24, Story::Steady, 0.55),
];

fn customers() -> Vec<Customer> {
    CUSTOMERS
        .iter()
        .enumerate()
        .map(|(i, &(name, kam, annual, margin, story, gaps))| Customer {
            code: format!("E{:03}", i + 1),
            name,
            kam,
            // A new customer buys at about 36,000 € a year once it starts.
            annual: if annual == 0.0 { 36_000.0 } else { annual },
            margin,
            story,
            gaps,
        })
        .collect()
}

/// Sales and margin in cents per customer and month; `None` = no order that month.
struct Book {
    sales: Vec<Vec<Option<i64>>>,
    margin: Vec<Vec<Option<i64>>>,
    /// The provisional November 2025 figure typed in the first year's sheet before closing.
    provisional: Vec<Option<i64>>,
}

/// Industrial supplies sell less in August and December.
fn season(m: u32) -> f64 {
    match m {
        8 => 0.55,
        12 => 0.8,
        1 => 0.9,
        3 | 10 => 1.1,
        _ => 1.0,
    }
}

fn book(rng: &mut Rng, cs: &[Customer]) -> Book {
    let mut sales = Vec::new();
    let mut margin = Vec::new();
    let mut provisional = Vec::new();
    for c in cs {
        let (mut s_row, mut m_row) = (Vec::new(), Vec::new());
        for i in 0..MONTHS {
            let (_, m) = month(i);
            let second = i >= 12;
            let factor = match c.story {
                Story::Growing(g) if second => 1.0 + g,
                Story::Falling(f) if second => 1.0 - f,
                Story::NewFrom(from) if i < from => 0.0,
                Story::StopsAfter(last) if i > last => 0.0,
                _ => 1.0,
            };
            if factor == 0.0 || rng.chance(c.gaps) {
                s_row.push(None);
                m_row.push(None);
                continue;
            }
            let base = c.annual / 12.0 * season(m) * factor * rng.uniform(0.8, 1.2);
            let cents = (base * 100.0).round() as i64;
            // Now and then a credit note larger than the month's orders: a negative month.
            let cents = if c.gaps > 0.2 && rng.chance(0.02) { -cents / 4 } else { cents };
            let rate = c.margin * rng.uniform(0.9, 1.1);
            s_row.push(Some(cents));
            m_row.push(Some((cents as f64 * rate).round() as i64));
        }
        // The advance for November 2025 typed in January: most match, some were revised.
        provisional.push(s_row[12].map(|v| {
            if rng.chance(0.25) {
                (v as f64 * rng.uniform(0.9, 1.05)).round() as i64
            } else {
                v
            }
        }));
        sales.push(s_row);
        margin.push(m_row);
    }
    Book { sales, margin, provisional }
}

fn formats() -> [Format; 5] {
    [
        Format::new().set_bold().set_font_size(14),
        Format::new().set_italic().set_font_color("#595959"),
        Format::new().set_bold().set_background_color("#E2EFDA").set_border_bottom(FormatBorder::Thin),
        Format::new().set_num_format("#,##0.00"),
        Format::new().set_bold().set_num_format("#,##0.00"),
    ]
}

/// Writes `v` cents as money, `None` as an empty cell.
fn money(ws: &mut Worksheet, r: u32, c: u16, v: Option<i64>, f: &Format) -> Result<(), XlsxError> {
    if let Some(v) = v {
        ws.write_number_with_format(r, c, v as f64 / 100.0, f)?;
    }
    Ok(())
}

/// The first fiscal year: date cells as month headers (`mmm-yy`), the provisional
/// November 2025 column, a total column and a totals row.
fn first_year(wb: &mut Workbook, cs: &[Customer], b: &Book) -> Result<(), XlsxError> {
    let [title, sub, head, num, bold] = formats();
    let head_date = head.clone().set_num_format("mmm-yy");
    let ws = wb.add_worksheet().set_name("2024-25")?;
    ws.write_string_with_format(0, 0, format!("{COMPANY} — Ventas por cliente, ejercicio 2024-25"), &title)?;
    ws.write_string_with_format(
        1,
        0,
        "Importes netos en euros, sin IVA · el ejercicio va de noviembre a octubre · nov-25: avance provisional",
        &sub,
    )?;
    let hr = 3;
    for (c, h) in ["Código", "Cliente", "Comercial", "Zona"].iter().enumerate() {
        ws.write_string_with_format(hr, c as u16, *h, &head)?;
    }
    // 12 months, the total, then the provisional month.
    for i in 0..13 {
        let (y, m) = month(i);
        let col = if i < 12 { 4 + i as u16 } else { 17 };
        ws.write_datetime_with_format(hr, col, ExcelDateTime::from_ymd(y as u16, m as u8, 1)?, &head_date)?;
    }
    ws.write_string_with_format(hr, 16, "Total 2024-25", &head)?;
    let mut totals = [0i64; 14];
    for (k, c) in cs.iter().enumerate() {
        let r = hr + 1 + k as u32;
        ws.write_string(r, 0, &c.code)?;
        ws.write_string(r, 1, c.name)?;
        ws.write_string(r, 2, KAMS[c.kam].0)?;
        ws.write_string(r, 3, KAMS[c.kam].2)?;
        let mut sum = 0;
        for (i, (v, t)) in b.sales[k][..12].iter().zip(&mut totals).enumerate() {
            money(ws, r, 4 + i as u16, *v, &num)?;
            sum += v.unwrap_or(0);
            *t += v.unwrap_or(0);
        }
        money(ws, r, 16, Some(sum), &bold)?;
        money(ws, r, 17, b.provisional[k], &num)?;
        totals[12] += sum;
        totals[13] += b.provisional[k].unwrap_or(0);
    }
    let r = hr + 2 + cs.len() as u32;
    ws.write_string_with_format(r, 1, "Total", &bold)?;
    for (i, t) in totals[..12].iter().enumerate() {
        money(ws, r, 4 + i as u16, Some(*t), &bold)?;
    }
    money(ws, r, 16, Some(totals[12]), &bold)?;
    money(ws, r, 17, Some(totals[13]), &bold)?;
    ws.set_column_width(1, 34)?;
    ws.set_column_width(2, 15)?;
    ws.set_column_width(3, 15)?;
    ws.set_freeze_panes(hr + 1, 2)?;
    Ok(())
}

/// The second fiscal year: month names alone (the year comes from the sheet name
/// `2025-26`), quarter columns between them, a total column, a totals row, and the habits
/// of a clerk (an amount typed as text, a dash for no sale, a customer spelled in capitals).
fn second_year(wb: &mut Workbook, cs: &[Customer], b: &Book, rng: &mut Rng) -> Result<(), XlsxError> {
    let [title, sub, head, num, bold] = formats();
    let ws = wb.add_worksheet().set_name("2025-26")?;
    ws.write_string_with_format(0, 0, "Ventas por cliente y mes", &title)?;
    ws.write_string_with_format(1, 0, "Ejercicio 2025-26 (noviembre a octubre), euros sin IVA", &sub)?;
    let hr = 2;
    let mut headers: Vec<String> =
        ["Código", "Cliente", "Comercial", "Zona"].iter().map(|s| s.to_string()).collect();
    // (column of each month, column of each quarter)
    let mut month_col = Vec::new();
    for q in 0..4 {
        for k in 0..3 {
            let (_, m) = month(12 + q * 3 + k);
            let name = ES_MONTHS[m as usize - 1];
            month_col.push(headers.len() as u16);
            headers.push(format!("{}{}", name[..1].to_uppercase(), &name[1..]));
        }
        headers.push(format!("T{}", q + 1));
    }
    let total_col = headers.len() as u16;
    headers.push("Total ejercicio".into());
    for (c, h) in headers.iter().enumerate() {
        ws.write_string_with_format(hr, c as u16, h, &head)?;
    }
    let mut totals = vec![0i64; headers.len()];
    for (k, c) in cs.iter().enumerate() {
        let r = hr + 1 + k as u32;
        ws.write_string(r, 0, &c.code)?;
        let name = if k == 0 { c.name.to_uppercase() } else { c.name.to_string() };
        ws.write_string(r, 1, name)?;
        ws.write_string(r, 2, KAMS[c.kam].0)?;
        ws.write_string(r, 3, KAMS[c.kam].2)?;
        let mut sum = 0;
        for q in 0..4 {
            let mut qsum = 0;
            for k2 in 0..3 {
                let i = q * 3 + k2;
                let col = month_col[i];
                let v = b.sales[k][12 + i];
                match v {
                    // The clerk typed a few amounts as text, Spanish style.
                    Some(cents) if rng.chance(0.012) => {
                        ws.write_string(r, col, spanish(cents))?;
                    }
                    None if c.gaps > 0.0 && rng.chance(0.2) => {
                        ws.write_string(r, col, "-")?;
                    }
                    _ => money(ws, r, col, v, &num)?,
                }
                qsum += v.unwrap_or(0);
                totals[col as usize] += v.unwrap_or(0);
            }
            let qcol = month_col[q * 3 + 2] + 1;
            money(ws, r, qcol, Some(qsum), &num)?;
            totals[qcol as usize] += qsum;
            sum += qsum;
        }
        money(ws, r, total_col, Some(sum), &bold)?;
        totals[total_col as usize] += sum;
    }
    let r = hr + 2 + cs.len() as u32;
    ws.write_string_with_format(r, 1, "TOTAL", &bold)?;
    for (c, v) in totals.iter().enumerate().skip(4) {
        money(ws, r, c as u16, Some(*v), &bold)?;
    }
    ws.set_column_width(1, 34)?;
    ws.set_column_width(2, 15)?;
    ws.set_column_width(3, 15)?;
    ws.set_freeze_panes(hr + 1, 2)?;
    Ok(())
}

/// `123456` cents → `"1.234,56"`.
fn spanish(cents: i64) -> String {
    let neg = cents < 0;
    let c = cents.abs();
    let int = (c / 100).to_string();
    let mut grouped = String::new();
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (int.len() - i).is_multiple_of(3) {
            grouped.push('.');
        }
        grouped.push(ch);
    }
    format!("{}{grouped},{:02}", if neg { "-" } else { "" }, c % 100)
}

/// Gross margin per customer and month, 24 months, text headers `nov-24` … `oct-26`.
fn margin_sheet(wb: &mut Workbook, cs: &[Customer], b: &Book) -> Result<(), XlsxError> {
    let [title, _, head, num, _] = formats();
    let ws = wb.add_worksheet().set_name("Margen")?;
    ws.write_string_with_format(0, 0, "Margen bruto por cliente y mes (euros)", &title)?;
    let hr = 2;
    ws.write_string_with_format(hr, 0, "Código", &head)?;
    ws.write_string_with_format(hr, 1, "Cliente", &head)?;
    for i in 0..MONTHS {
        let (y, m) = month(i);
        ws.write_string_with_format(
            hr,
            2 + i as u16,
            format!("{}-{:02}", ES_MONTHS[m as usize - 1], y % 100),
            &head,
        )?;
    }
    for (k, c) in cs.iter().enumerate() {
        let r = hr + 1 + k as u32;
        ws.write_string(r, 0, &c.code)?;
        ws.write_string(r, 1, c.name)?;
        for i in 0..MONTHS {
            money(ws, r, 2 + i as u16, b.margin[k][i], &num)?;
        }
    }
    ws.set_column_width(1, 34)?;
    ws.set_freeze_panes(hr + 1, 2)?;
    Ok(())
}

fn directory(wb: &mut Workbook) -> Result<(), XlsxError> {
    let [title, _, head, _, _] = formats();
    let ws = wb.add_worksheet().set_name("Comerciales")?;
    ws.write_string_with_format(0, 0, "Equipo comercial", &title)?;
    for (c, h) in ["Nombre", "Email", "Zona"].iter().enumerate() {
        ws.write_string_with_format(2, c as u16, *h, &head)?;
    }
    for (k, (name, email, zone)) in KAMS.iter().enumerate() {
        ws.write_string(3 + k as u32, 0, *name)?;
        ws.write_string(3 + k as u32, 1, *email)?;
        ws.write_string(3 + k as u32, 2, *zone)?;
    }
    ws.set_column_width(0, 18)?;
    ws.set_column_width(1, 42)?;
    ws.set_column_width(2, 16)?;
    Ok(())
}

/// Writes `dir/ventas_mensuales.xlsx` and prints what it holds.
pub fn write(dir: &Path) -> Result<(), Box<dyn std::error::Error>> {
    std::fs::create_dir_all(dir)?;
    let mut rng = Rng(SEED);
    let cs = customers();
    let b = book(&mut rng, &cs);
    let mut wb = Workbook::new();
    let created = ExcelDateTime::parse_from_str("2026-11-02T08:00:00")?;
    wb.set_properties(
        &DocProperties::new()
            .set_title("Ventas mensuales por cliente")
            .set_company(COMPANY)
            .set_author("kamplan make_samples")
            .set_creation_datetime(&created),
    );
    first_year(&mut wb, &cs, &b)?;
    second_year(&mut wb, &cs, &b, &mut rng)?;
    margin_sheet(&mut wb, &cs, &b)?;
    directory(&mut wb)?;
    wb.save(dir.join("ventas_mensuales.xlsx"))?;

    let year = |from: usize| -> i64 {
        b.sales.iter().map(|r| r[from..from + 12].iter().flatten().sum::<i64>()).sum()
    };
    let revised = b.provisional.iter().zip(&b.sales).filter(|(p, s)| **p != s[12]).count();
    let cells = b.sales.iter().flatten().flatten().count();
    println!("mensual/ventas_mensuales.xlsx: {} customers, {cells} customer-months", cs.len());
    println!(
        "  2024-25 sales {:.2} €, 2025-26 sales {:.2} €; nov-25 provisional in 2024-25, {revised} revised in 2025-26",
        year(0) as f64 / 100.0,
        year(12) as f64 / 100.0
    );
    Ok(())
}
