//! Writes the committed sample books in `samples/`: a fictional Spanish food-service
//! distributor's sales book, customer master, activity log and export book.
//!
//! ```text
//! cargo run --example make_samples            # writes into samples/
//! cargo run --example make_samples -- DIR     # writes into DIR
//! ```
//!
//! Deterministic: a hand-written splitmix64 generator with a fixed seed, no clock, and a fixed
//! creation time in the document properties, so every run writes the same bytes. The books
//! carry the habits a robust reader must absorb without rejects (title rows, text dates, text
//! amounts in the book's locale, name spelling variants, blank salesperson cells, total rows,
//! a hidden notes sheet). See `samples/README.md` for what each sheet looks like.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

// The second company, whose book is monthly (wide): written into `mensual/`.
#[path = "mensual.rs"]
mod mensual;

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook, Worksheet, XlsxError};

const COMPANY: &str = "Distribuciones Levante S.L.";
const SEED: u64 = 0x4B41_4D50_4C41_4E31; // "KAMPLAN1"
/// First month of the books (2024-11); the books hold `MONTHS` months, ending 2026-10.
const FIRST_YEAR: i32 = 2024;
const FIRST_MONTH: u32 = 11;
const MONTHS: usize = 24;

// ---------------------------------------------------------------------------------------------
// Random numbers: splitmix64, enough for sample data and identical on every platform.

struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed)
    }
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in [0, 1).
    fn f(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
    /// Uniform in [lo, hi).
    fn uniform(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.f()
    }
    /// Uniform integer in [lo, hi] (inclusive).
    fn int(&mut self, lo: i64, hi: i64) -> i64 {
        lo + (self.next_u64() % ((hi - lo + 1) as u64)) as i64
    }
    fn chance(&mut self, p: f64) -> bool {
        self.f() < p
    }
    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.int(0, xs.len() as i64 - 1) as usize]
    }
    /// Index drawn with probability proportional to `weights`.
    fn weighted(&mut self, weights: &[f64]) -> usize {
        let total: f64 = weights.iter().sum();
        let mut x = self.f() * total;
        for (i, w) in weights.iter().enumerate() {
            if x < *w {
                return i;
            }
            x -= w;
        }
        weights.len() - 1
    }
    fn shuffle<T>(&mut self, xs: &mut [T]) {
        for i in (1..xs.len()).rev() {
            let j = self.int(0, i as i64) as usize;
            xs.swap(i, j);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The company: KAMs, zones, products, customers.

const ZONES: [&str; 6] = ["Norte", "Sur", "Este", "Centro", "Costa", "Islas"];
/// KAM of each zone, same index as `ZONES`.
const KAMS: [&str; 6] =
    ["Iñaki Goñi", "María Ibáñez", "Lucía Pérez", "José Ángel Núñez", "Sofía Martín", "Raúl Gómez"];
const KAM_EMAILS: [&str; 6] = [
    "inaki.goni@distribuciones-levante.example",
    "maria.ibanez@distribuciones-levante.example",
    "lucia.perez@distribuciones-levante.example",
    "joseangel.nunez@distribuciones-levante.example",
    "sofia.martin@distribuciones-levante.example",
    "raul.gomez@distribuciones-levante.example",
];
const SALES_MANAGER: &str = "Carmen Ortega";
const SALES_MANAGER_EMAIL: &str = "carmen.ortega@distribuciones-levante.example";
const EXPORT_KAM: usize = 4; // Sofía Martín also runs the export desk

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Segment {
    Hotel,
    Restauracion,
    Catering,
    CashCarry,
    Colectividades,
    BarCafe,
}

impl Segment {
    fn label(self) -> &'static str {
        match self {
            Segment::Hotel => "Hoteles",
            Segment::Restauracion => "Restauración",
            Segment::Catering => "Catering",
            Segment::CashCarry => "Cash & Carry",
            Segment::Colectividades => "Colectividades",
            Segment::BarCafe => "Bares y cafeterías",
        }
    }
    /// Weight of each product category (see `Cat`) in this segment's purchases.
    fn mix(self) -> [f64; 7] {
        match self {
            Segment::Hotel => [0.12, 0.14, 0.08, 0.10, 0.16, 0.12, 0.28],
            Segment::Restauracion => [0.30, 0.16, 0.20, 0.10, 0.12, 0.10, 0.02],
            Segment::Catering => [0.24, 0.10, 0.20, 0.26, 0.10, 0.10, 0.0],
            Segment::CashCarry => [0.26, 0.18, 0.16, 0.14, 0.12, 0.08, 0.06],
            Segment::Colectividades => [0.34, 0.06, 0.24, 0.16, 0.14, 0.06, 0.0],
            Segment::BarCafe => [0.14, 0.36, 0.14, 0.16, 0.10, 0.10, 0.0],
        }
    }
}

/// Product categories, index into `Segment::mix`.
#[derive(Clone, Copy)]
enum Cat {
    Alim = 0,
    Bebida = 1,
    Cong = 2,
    Desech = 3,
    Limp = 4,
    Menaje = 5,
    Lenc = 6,
}

struct Product {
    es: &'static str,
    en: &'static str,
    cat: Cat,
    /// List price in euros (2025); 2026 prices are 3 % up.
    price: f64,
    /// Gross margin on the list price.
    margin: f64,
}

const fn p(es: &'static str, en: &'static str, cat: Cat, price: f64, margin: f64) -> Product {
    Product { es, en, cat, price, margin }
}

#[rustfmt::skip]
const PRODUCTS: [Product; 40] = [
    p("Aceite de oliva virgen extra 5 L", "Extra virgin olive oil 5 L", Cat::Alim, 32.50, 0.18),
    p("Aceite de girasol alto oleico 25 L", "High-oleic sunflower oil 25 L", Cat::Alim, 58.00, 0.15),
    p("Arroz bomba 5 kg", "Bomba rice 5 kg", Cat::Alim, 21.90, 0.28),
    p("Harina de trigo 25 kg", "Wheat flour 25 kg", Cat::Alim, 16.40, 0.17),
    p("Tomate triturado 5 kg", "Crushed tomato 5 kg", Cat::Alim, 6.80, 0.24),
    p("Atún en aceite de oliva 1 kg", "Tuna in olive oil 1 kg", Cat::Alim, 14.20, 0.22),
    p("Jamón serrano reserva pieza 7 kg", "Serrano ham, whole 7 kg", Cat::Alim, 96.00, 0.26),
    p("Café en grano natural 1 kg", "Whole bean coffee 1 kg", Cat::Bebida, 17.50, 0.42),
    p("Café descafeinado molido 1 kg", "Decaf ground coffee 1 kg", Cat::Bebida, 19.80, 0.45),
    p("Infusiones surtidas (caja 100)", "Assorted herbal teas (box 100)", Cat::Bebida, 9.60, 0.52),
    p("Azúcar en sobres (caja 1000)", "Sugar sachets (box 1000)", Cat::Bebida, 11.20, 0.38),
    p("Leche UHT entera 6 x 1 L", "Whole UHT milk 6 x 1 L", Cat::Bebida, 5.90, 0.16),
    p("Agua mineral 1,5 L (pack 6)", "Mineral water 1.5 L (6 pack)", Cat::Bebida, 2.40, 0.20),
    p("Vino tinto crianza D.O. (caja 6)", "Red wine crianza (case of 6)", Cat::Bebida, 38.40, 0.29),
    p("Cerveza barril 30 L", "Draught beer keg 30 L", Cat::Bebida, 79.00, 0.19),
    p("Gambón congelado 2 kg", "Frozen king prawns 2 kg", Cat::Cong, 24.90, 0.25),
    p("Patatas prefritas 4 x 2,5 kg", "Frozen fries 4 x 2.5 kg", Cat::Cong, 19.50, 0.21),
    p("Croquetas de jamón 1 kg", "Ham croquettes 1 kg", Cat::Cong, 8.90, 0.35),
    p("Calamar a la romana 1 kg", "Battered squid rings 1 kg", Cat::Cong, 11.40, 0.30),
    p("Servilletas papel 40x40 (caja 1200)", "Paper napkins 40x40 (box 1200)", Cat::Desech, 21.00, 0.48),
    p("Vasos de cartón 250 ml (caja 1000)", "Paper cups 250 ml (box 1000)", Cat::Desech, 39.00, 0.44),
    p("Envases kraft para llevar (caja 300)", "Kraft takeaway boxes (box 300)", Cat::Desech, 46.00, 0.50),
    p("Film transparente 300 m", "Cling film 300 m", Cat::Desech, 12.50, 0.40),
    p("Papel de aluminio 300 m", "Aluminium foil 300 m", Cat::Desech, 18.40, 0.37),
    p("Guantes de nitrilo (caja 100)", "Nitrile gloves (box 100)", Cat::Desech, 6.20, 0.55),
    p("Mantel de papel 100x100 (caja 400)", "Paper tablecloths 100x100 (box 400)", Cat::Desech, 29.50, 0.46),
    p("Detergente lavavajillas industrial 20 L", "Industrial dishwasher detergent 20 L", Cat::Limp, 42.00, 0.46),
    p("Abrillantador lavavajillas 10 L", "Dishwasher rinse aid 10 L", Cat::Limp, 31.00, 0.49),
    p("Desengrasante de cocina 5 L", "Kitchen degreaser 5 L", Cat::Limp, 14.50, 0.47),
    p("Lejía 5 L (pack 3)", "Bleach 5 L (3 pack)", Cat::Limp, 7.80, 0.30),
    p("Gel higienizante de manos 5 L", "Hand sanitiser 5 L", Cat::Limp, 16.90, 0.52),
    p("Vaso de vidrio 36 cl (caja 24)", "Tumbler glass 36 cl (box 24)", Cat::Menaje, 28.80, 0.38),
    p("Copa de vino 47 cl (caja 6)", "Wine glass 47 cl (box 6)", Cat::Menaje, 17.40, 0.41),
    p("Plato llano porcelana 27 cm (caja 6)", "Porcelain dinner plate 27 cm (box 6)", Cat::Menaje, 34.20, 0.43),
    p("Cubertería acero 18/10 (72 piezas)", "Cutlery set 18/10 (72 pieces)", Cat::Menaje, 89.00, 0.45),
    p("Cubeta gastronorm GN 1/1 inox", "Stainless gastronorm pan GN 1/1", Cat::Menaje, 19.90, 0.36),
    p("Toalla de baño 100x150 (pack 10)", "Bath towel 100x150 (10 pack)", Cat::Lenc, 74.00, 0.34),
    p("Sábana algodón 180x280 (pack 5)", "Cotton bed sheet 180x280 (5 pack)", Cat::Lenc, 68.00, 0.31),
    p("Kit de amenities hotel (caja 250)", "Hotel amenity kit (box 250)", Cat::Lenc, 96.00, 0.53),
    p("Papel higiénico industrial (pack 18)", "Industrial toilet paper (18 pack)", Cat::Lenc, 19.60, 0.27),
];

/// How a customer's sales move over the 24 months.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Trend {
    Steady,
    /// Sales ramp up to this factor over the last 12 months.
    Grows(f64),
    /// Sales fall to this factor over the last 12 months.
    Falls(f64),
    /// First purchase in this month index (0 = 2024-11).
    StartsAt(usize),
    /// Last purchase in this month index.
    StopsAfter(usize),
}

struct Customer {
    code: String,
    name: String,
    zone: usize,
    segment: Segment,
    /// Typical yearly sales at the start, in euros.
    annual: f64,
    trend: Trend,
    /// Discount on list prices (big accounts negotiate).
    discount: f64,
    profitable: bool,
    /// Products bought, with their weights.
    products: Vec<(usize, f64)>,
    kam: usize,
    /// A second KAM who serves part of the account, with the share of invoices.
    second_kam: Option<(usize, f64)>,
    /// Clerks spell this one in several ways.
    name_variants: bool,
    // Master data.
    strategic: bool,
    potential: Option<f64>,
}

// The largest accounts, written by hand: (name, zone, segment).
#[rustfmt::skip]
const BIG: [(&str, usize, Segment); 22] = [
    ("Grupo Hotelero Mediterráneo S.A.", 4, Segment::Hotel),
    ("Cash & Carry Levante S.A.", 2, Segment::CashCarry),
    ("Catering Alameda S.L.", 1, Segment::Catering),
    ("Hoteles Insulares Baleares S.A.", 5, Segment::Hotel),
    ("Restauración Colectiva Meseta S.A.", 3, Segment::Colectividades),
    ("Tabernas del Norte S.L.", 0, Segment::Restauracion),
    ("Distribuidora Hostelera Hnos. Ferrer S.L.", 2, Segment::CashCarry),
    ("Hotel Palacio de la Castellana S.A.", 3, Segment::Hotel),
    ("Eventos y Banquetes Giralda S.L.", 1, Segment::Catering),
    ("Resort Costa Blanca S.A.", 4, Segment::Hotel),
    ("Canarias Hospitality Group S.L.", 5, Segment::Hotel),
    ("Hoteles Cantábrico S.A.", 0, Segment::Hotel),
    ("Cervecerías El Puerto S.L.", 1, Segment::Restauracion),
    ("Comedores Escolares Tajo S.L.", 3, Segment::Colectividades),
    ("Hnos. Carrasco Alimentación S.L.", 1, Segment::CashCarry),
    ("Apartamentos Turísticos Marina Sol S.L.", 4, Segment::Hotel),
    ("Txoko Gastronomía Bilbao S.L.", 0, Segment::Restauracion),
    ("Residencias Mayores Albufera S.L.", 2, Segment::Colectividades),
    ("Hotel Teide Mar S.A.", 5, Segment::Hotel),
    ("Arrocerías La Malvarrosa S.L.", 2, Segment::Restauracion),
    ("Cafeterías Gran Vía S.L.", 3, Segment::BarCafe),
    ("Catering Aeroportuario del Centro S.A.", 3, Segment::Catering),
];

/// Place names per zone, for the generated customer names.
#[rustfmt::skip]
const PLACES: [[&str; 12]; 6] = [
    ["Donosti", "Urdaibai", "La Concha", "Getxo", "Arriaga", "Gorbea", "El Sardinero", "Covadonga", "Deusto", "Zarautz", "Llanes", "Comillas"],
    ["Triana", "La Giralda", "Alhambra", "Guadalquivir", "La Mezquita", "Sierra Nevada", "Albaicín", "La Macarena", "Doñana", "Los Califas", "Jerez", "Úbeda"],
    ["Ruzafa", "El Carmen", "La Lonja", "Turia", "Sagunto", "Xàtiva", "Elche", "Santa Bárbara", "El Segura", "La Huerta", "Morella", "Benicàssim"],
    ["Retiro", "Plaza Mayor", "Lavapiés", "Chamberí", "Alcázar", "Guadarrama", "La Latina", "Moncloa", "Aranjuez", "Tordesillas", "Sigüenza", "Chinchón"],
    ["Marbella", "Sitges", "Calpe", "Nerja", "Altea", "Salou", "Tossa", "Jávea", "Estepona", "Peñíscola", "Cadaqués", "Mojácar"],
    ["Alcúdia", "Formentor", "Es Trenc", "Maspalomas", "Timanfaya", "Sóller", "Corralejo", "Cala d'Or", "La Graciosa", "Ciutadella", "Garachico", "Teguise"],
];

const SURNAMES: [&str; 18] = [
    "García",
    "Fernández",
    "López",
    "Martínez",
    "Sánchez",
    "Romero",
    "Navarro",
    "Torres",
    "Domínguez",
    "Vázquez",
    "Ramos",
    "Gil",
    "Serrano",
    "Molina",
    "Ortiz",
    "Castillo",
    "Herrera",
    "Medina",
];

/// A generated name for a smaller customer.
fn small_name(rng: &mut Rng, zone: usize) -> (String, Segment) {
    let place = *rng.pick(&PLACES[zone]);
    let surname = *rng.pick(&SURNAMES);
    let legal = *rng.pick(&["S.L.", "S.L.", "S.L.", "S.A.", "C.B.", "S.L.U."]);
    match rng.int(0, 13) {
        0 => (format!("Hotel {place} {legal}"), Segment::Hotel),
        1 => (format!("Hostal {place} {legal}"), Segment::Hotel),
        2 => (format!("Apartamentos {place} {legal}"), Segment::Hotel),
        3 => (format!("Restaurante {place} {legal}"), Segment::Restauracion),
        4 => (format!("Asador {place} {legal}"), Segment::Restauracion),
        5 => (format!("Marisquería {place} {legal}"), Segment::Restauracion),
        6 => (format!("Restaurante Casa {surname} {legal}"), Segment::Restauracion),
        7 => (format!("Catering {place} {legal}"), Segment::Catering),
        8 => (format!("Hnos. {surname} Hostelería {legal}"), Segment::Restauracion),
        9 => (format!("Cafetería {place} {legal}"), Segment::BarCafe),
        10 => (format!("Bar {surname} e Hijos {legal}"), Segment::BarCafe),
        11 => (format!("Residencia {place} {legal}"), Segment::Colectividades),
        12 => (format!("Taberna {place} {legal}"), Segment::Restauracion),
        _ => (format!("Autoservicio Hostelero {surname} {legal}"), Segment::CashCarry),
    }
}

/// The products a customer buys: a handful per category, following its segment's mix.
fn product_basket(rng: &mut Rng, segment: Segment, profitable: bool, size: usize) -> Vec<(usize, f64)> {
    let mix = segment.mix();
    let mut basket: Vec<(usize, f64)> = Vec::new();
    let mut tries = 0;
    while basket.len() < size && tries < 500 {
        tries += 1;
        let cat = rng.weighted(&mix);
        let candidates: Vec<usize> = (0..PRODUCTS.len())
            .filter(|&i| PRODUCTS[i].cat as usize == cat)
            .filter(|&i| !profitable || PRODUCTS[i].margin >= 0.36)
            .collect();
        if candidates.is_empty() {
            continue;
        }
        let i = *rng.pick(&candidates);
        if basket.iter().all(|(j, _)| *j != i) {
            basket.push((i, mix[cat] * rng.uniform(0.3, 1.7)));
        }
    }
    basket
}

/// The 150 domestic customers, largest first (the order is the size rank, codes are not).
fn customers(rng: &mut Rng) -> Vec<Customer> {
    const N: usize = 150;
    let mut names = BTreeSet::new();
    let mut out = Vec::with_capacity(N);
    for rank in 0..N {
        let (name, zone, segment) = if let Some(&(n, z, s)) = BIG.get(rank) {
            (n.to_string(), z, s)
        } else {
            let zone = rng.int(0, 5) as usize;
            loop {
                let (n, s) = small_name(rng, zone);
                // Unique without the legal form, so no two customers read alike.
                let base = n.rsplit_once(' ').map_or(n.as_str(), |(b, _)| b).to_string();
                if names.insert(base) {
                    break (n, zone, s);
                }
            }
        };
        // Zipf-like sizes with a little noise: ~20 % of the customers make ~80 % of sales.
        let annual = (3_600_000.0 * (rank as f64 + 2.5).powf(-1.4) * rng.uniform(0.88, 1.12)).round();
        let discount = match rank {
            0..=4 => rng.uniform(0.13, 0.17),
            5..=19 => rng.uniform(0.07, 0.11),
            _ => rng.uniform(0.0, 0.05),
        };
        out.push(Customer {
            code: String::new(),
            name,
            zone,
            segment,
            annual,
            trend: Trend::Steady,
            discount: (discount * 1000.0).round() / 1000.0,
            profitable: false,
            products: Vec::new(),
            kam: zone,
            second_kam: None,
            name_variants: false,
            strategic: false,
            potential: None,
        });
    }
    // The storylines the plans should surface.
    out[9].trend = Trend::Grows(1.5);
    out[24].trend = Trend::Grows(2.1);
    out[38].trend = Trend::Grows(2.4);
    out[55].trend = Trend::Grows(2.2);
    out[6].trend = Trend::Falls(0.5);
    out[31].trend = Trend::Falls(0.4);
    out[70].trend = Trend::Falls(0.45);
    out[23].trend = Trend::StartsAt(15); // 2026-02
    out[90].trend = Trend::StartsAt(19); // 2026-06
    out[27].trend = Trend::StopsAfter(18); // last purchase 2026-05
    out[64].trend = Trend::StopsAfter(15); // last purchase 2026-02
    for r in [26, 29, 33, 36, 39] {
        out[r].profitable = true;
        out[r].discount = 0.0;
    }
    out[1].second_kam = Some((3, 0.35)); // the cash & carry also buys for its Madrid shop
    out[10].second_kam = Some((4, 0.25));
    for r in [2, 13, 26, 44, 81, 120] {
        out[r].name_variants = true;
    }
    for r in [0, 7, 45, 112] {
        out[r].strategic = true;
    }
    for c in out.iter_mut() {
        let size = if c.annual > 100_000.0 {
            18
        } else if c.annual > 20_000.0 {
            12
        } else {
            7
        };
        c.products = product_basket(rng, c.segment, c.profitable, size);
    }
    // Codes in the order customers were signed up: shuffled, the 2026 newcomers last.
    let mut order: Vec<usize> = (0..N).filter(|&i| !matches!(out[i].trend, Trend::StartsAt(_))).collect();
    rng.shuffle(&mut order);
    order.extend((0..N).filter(|&i| matches!(out[i].trend, Trend::StartsAt(_))));
    for (k, &i) in order.iter().enumerate() {
        out[i].code = format!("C{:04}", k + 1);
    }
    out
}

/// The export desk's foreign customers, largest first.
fn export_customers(rng: &mut Rng) -> Vec<Customer> {
    #[rustfmt::skip]
    let list: [(&str, Segment); 15] = [
        ("Algarve Resorts S.A.", Segment::Hotel),
        ("Hotel Lisboa Lda", Segment::Hotel),
        ("Café de Paris SARL", Segment::BarCafe),
        ("Amsterdam Hospitality B.V.", Segment::Hotel),
        ("Brewhouse Ltd", Segment::Restauracion),
        ("Trattoria Bella Napoli S.r.l.", Segment::Restauracion),
        ("Bistro Lyonnais SAS", Segment::Restauracion),
        ("Porto Gourmet Lda", Segment::Catering),
        ("The Dublin Grill Ltd", Segment::Restauracion),
        ("Hotel Am Rhein GmbH", Segment::Hotel),
        ("Marseille Traiteur SARL", Segment::Catering),
        ("Brasserie Bruxelles SRL", Segment::Restauracion),
        ("Casa Lusitana Lda", Segment::Restauracion),
        ("Alpine Hotels AG", Segment::Hotel),
        ("London Catering Co. Ltd", Segment::Catering),
    ];
    list.iter()
        .enumerate()
        .map(|(rank, (name, segment))| {
            let annual = (150_000.0 * ((rank + 1) as f64).powf(-0.9) * rng.uniform(0.9, 1.1)).round();
            let trend = match rank {
                3 => Trend::Grows(1.9),
                8 => Trend::StartsAt(7), // 2025-06
                12 => Trend::Falls(0.5),
                _ => Trend::Steady,
            };
            Customer {
                code: format!("EX{:03}", rank + 1),
                name: name.to_string(),
                zone: EXPORT_KAM,
                segment: *segment,
                annual,
                trend,
                discount: if rank < 3 { 0.06 } else { 0.0 },
                profitable: false,
                products: product_basket(rng, *segment, false, 10),
                kam: EXPORT_KAM,
                second_kam: None,
                name_variants: false,
                strategic: false,
                potential: None,
            }
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Sales lines.

fn month_start(m: usize) -> NaiveDate {
    let k = (FIRST_MONTH - 1) as usize + m;
    NaiveDate::from_ymd_opt(FIRST_YEAR + (k / 12) as i32, (k % 12) as u32 + 1, 1).expect("valid month")
}

fn days_in_month(m: usize) -> i64 {
    (month_start(m + 1) - month_start(m)).num_days()
}

/// Hospitality buys more in summer and at Christmas; coast and islands much more.
fn seasonality(month: u32, zone: usize) -> f64 {
    const BASE: [f64; 12] = [0.80, 0.82, 0.95, 1.00, 1.05, 1.15, 1.25, 1.20, 1.05, 0.95, 0.88, 1.10];
    let s = BASE[month as usize - 1];
    if zone == 4 || zone == 5 {
        1.0 + (s - 1.0) * 2.2
    } else {
        s
    }
}

fn trend_factor(t: Trend, m: usize) -> f64 {
    let ramp = ((m as f64 - 10.0) / 10.0).clamp(0.0, 1.0);
    match t {
        Trend::Steady => 1.0,
        Trend::Grows(g) | Trend::Falls(g) => 1.0 + (g - 1.0) * ramp,
        Trend::StartsAt(s) => {
            if m >= s {
                1.0
            } else {
                0.0
            }
        }
        Trend::StopsAfter(s) => {
            if m <= s {
                1.0
            } else {
                0.0
            }
        }
    }
}

#[derive(Clone, Debug)]
struct Line {
    date: NaiveDate,
    /// Global invoice id, for grouping; numbers are given after sorting.
    invoice: u32,
    is_return: bool,
    customer: usize,
    kam: Option<usize>,
    product: usize,
    qty: i64,
    amount: i64, // cents
    cost: i64,   // cents
    // Clerk habits.
    date_as_text: bool,
    amount_as_text: bool,
    cost_as_text: bool,
    name_variant: u8,
}

/// A working day of month `m` (no Sundays, New Year's Day or Christmas: the warehouse is closed).
fn invoice_day(rng: &mut Rng, m: usize) -> NaiveDate {
    let d = month_start(m) + Duration::days(rng.int(0, days_in_month(m) - 1));
    let holiday = (d.month(), d.day()) == (1, 1) || (d.month(), d.day()) == (12, 25);
    if d.weekday() == Weekday::Sun || holiday {
        if d.day() == 1 {
            d + Duration::days(1)
        } else {
            d - Duration::days(1)
        }
    } else {
        d
    }
}

struct Habits {
    date_text: f64,
    amount_text: f64,
    cost_text: f64,
    blank_kam: f64,
    returns: f64,
}

fn sales_lines(rng: &mut Rng, cs: &[Customer], habits: &Habits, lines_per_k: f64) -> Vec<Line> {
    let mut lines = Vec::new();
    let mut invoice = 0u32;
    for m in 0..MONTHS {
        let month = month_start(m);
        let company_growth = 1.0 + 0.05 * m as f64 / 12.0;
        let price_rise = if month.year() >= 2026 { 1.03 } else { 1.0 };
        for (ci, c) in cs.iter().enumerate() {
            let target = c.annual / 12.0
                * seasonality(month.month(), c.zone)
                * trend_factor(c.trend, m)
                * company_growth
                * rng.uniform(0.8, 1.2);
            if target <= 0.0 {
                continue;
            }
            // Small customers buy every few months, big ones several times a week.
            let expect = (lines_per_k * (target / 1000.0).powf(0.55)).max(0.35);
            let mut n = expect.floor() as usize + usize::from(rng.chance(expect.fract()));
            if matches!(c.trend, Trend::StartsAt(s) | Trend::StopsAfter(s) if s == m) {
                n = n.max(1); // the first and last purchase months are never empty
            }
            let per_line = target / n.max(1) as f64;
            let mut returns: Vec<Line> = Vec::new();
            let mut left = n;
            while left > 0 {
                let size = (rng.int(1, 5) as usize).min(left);
                left -= size;
                invoice += 1;
                let date = invoice_day(rng, m);
                let kam = match c.second_kam {
                    Some((k, share)) if rng.chance(share) => k,
                    _ if rng.chance(0.04) => rng.int(0, 5) as usize,
                    _ => c.kam,
                };
                for _ in 0..size {
                    let weights: Vec<f64> = c.products.iter().map(|(_, w)| *w).collect();
                    let product = c.products[rng.weighted(&weights)].0;
                    let pr = &PRODUCTS[product];
                    let unit = pr.price * price_rise * (1.0 - c.discount);
                    let value = per_line * rng.uniform(0.4, 1.6);
                    let qty = ((value / unit).round() as i64).max(1);
                    let line = Line {
                        date,
                        invoice,
                        is_return: false,
                        customer: ci,
                        kam: (!rng.chance(habits.blank_kam)).then_some(kam),
                        product,
                        qty,
                        amount: (qty as f64 * unit * 100.0).round() as i64,
                        cost: (qty as f64 * pr.price * price_rise * (1.0 - pr.margin) * 100.0).round() as i64,
                        date_as_text: rng.chance(habits.date_text),
                        amount_as_text: rng.chance(habits.amount_text),
                        cost_as_text: rng.chance(habits.cost_text),
                        name_variant: if c.name_variants && rng.chance(0.25) {
                            rng.int(1, 2) as u8
                        } else {
                            0
                        },
                    };
                    if rng.chance(habits.returns) {
                        // A credit note for part of what was delivered, a few days later.
                        let back = rng.int(1, (qty / 3).max(1));
                        let later = (date + Duration::days(rng.int(2, 12)))
                            .min(month_start(m + 1) - Duration::days(1));
                        returns.push(Line {
                            date: later,
                            is_return: true,
                            qty: -back,
                            amount: -(back as f64 * unit * 100.0).round() as i64,
                            cost: -(back as f64 * pr.price * price_rise * (1.0 - pr.margin) * 100.0).round()
                                as i64,
                            ..line.clone()
                        });
                    }
                    lines.push(line);
                }
            }
            for mut r in returns {
                invoice += 1;
                r.invoice = invoice;
                lines.push(r);
            }
        }
    }
    lines.sort_by_key(|l| (l.date, l.invoice));
    lines
}

/// Invoice numbers in date order, per year: `F25-00001`, credit notes `R25-0001` (with the
/// series letters given).
fn invoice_numbers(lines: &[Line], invoice: &str, credit: &str) -> Vec<String> {
    let mut out = Vec::with_capacity(lines.len());
    let (mut year, mut last, mut seq_f, mut seq_r) = (0, 0u32, 0, 0);
    let mut current = String::new();
    for l in lines {
        if l.date.year() != year {
            year = l.date.year();
            seq_f = 0;
            seq_r = 0;
        }
        if l.invoice != last {
            last = l.invoice;
            let yy = year % 100;
            current = if l.is_return {
                seq_r += 1;
                format!("{credit}{yy:02}-{seq_r:04}")
            } else {
                seq_f += 1;
                format!("{invoice}{yy:02}-{seq_f:05}")
            };
        }
        out.push(current.clone());
    }
    out
}

/// `1234567` cents → `12.345,67` (Spanish) or `12,345.67` (English).
fn money_text(cents: i64, spanish: bool) -> String {
    let (thousands, decimal) = if spanish { ('.', ',') } else { (',', '.') };
    let sign = if cents < 0 { "-" } else { "" };
    let c = cents.unsigned_abs();
    let int = (c / 100).to_string();
    let mut grouped = String::new();
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (int.len() - i).is_multiple_of(3) {
            grouped.push(thousands);
        }
        grouped.push(ch);
    }
    format!("{sign}{grouped}{decimal}{:02}", c % 100)
}

/// The same name as a hurried clerk types it: upper case with a double space and a trailing
/// space, or all lower case.
fn variant(name: &str, kind: u8) -> String {
    match kind {
        1 => format!("{} ", name.to_uppercase().replacen(' ', "  ", 1)),
        2 => name.to_lowercase(),
        _ => name.to_string(),
    }
}

// ---------------------------------------------------------------------------------------------
// Writing.

fn excel_date(d: NaiveDate) -> Result<ExcelDateTime, XlsxError> {
    ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8)
}

/// A workbook whose bytes depend only on its content: fixed creation time.
fn new_book(title: &str) -> Result<Workbook, XlsxError> {
    let mut wb = Workbook::new();
    let created = ExcelDateTime::parse_from_str("2026-11-02T08:00:00")?;
    let props = DocProperties::new()
        .set_title(title)
        .set_company(COMPANY)
        .set_author("kamplan make_samples")
        .set_creation_datetime(&created);
    wb.set_properties(&props);
    Ok(wb)
}

struct Formats {
    title: Format,
    subtitle: Format,
    header: Format,
    date: Format,
    money: Format,
    int: Format,
    total: Format,
    total_money: Format,
}

fn formats() -> Formats {
    Formats {
        title: Format::new().set_bold().set_font_size(14),
        subtitle: Format::new().set_italic().set_font_color("#595959"),
        header: Format::new()
            .set_bold()
            .set_background_color("#DDEBF7")
            .set_border_bottom(rust_xlsxwriter::FormatBorder::Thin),
        date: Format::new().set_num_format("dd/mm/yyyy"),
        money: Format::new().set_num_format("#,##0.00"),
        int: Format::new().set_num_format("#,##0"),
        total: Format::new().set_bold(),
        total_money: Format::new().set_bold().set_num_format("#,##0.00"),
    }
}

fn write_header(
    ws: &mut Worksheet,
    row: u32,
    headers: &[&str],
    widths: &[f64],
    f: &Formats,
) -> Result<(), XlsxError> {
    for (c, (h, w)) in headers.iter().zip(widths).enumerate() {
        ws.write_string_with_format(row, c as u16, *h, &f.header)?;
        ws.set_column_width(c as u16, *w)?;
    }
    ws.set_freeze_panes(row + 1, 0)?;
    Ok(())
}

/// Per-year figures, for the report.
#[derive(Default, Debug)]
struct YearStats {
    lines: usize,
    returns: usize,
    amount: i64,
    cost: i64,
}

/// One sheet of sales lines: title rows, header, lines, a blank row and the clerk's total row.
#[allow(clippy::too_many_arguments)]
fn write_sales_sheet(
    ws: &mut Worksheet,
    title: &str,
    subtitle: Option<&str>,
    headers: &[&str],
    total_label: &str,
    lines: &[&Line],
    numbers: &[&String],
    cs: &[Customer],
    spanish: bool,
    region: Option<&str>,
    f: &Formats,
) -> Result<YearStats, XlsxError> {
    ws.write_string_with_format(0, 0, title, &f.title)?;
    if let Some(s) = subtitle {
        ws.write_string_with_format(1, 0, s, &f.subtitle)?;
    }
    let header_row = 2;
    write_header(ws, header_row, headers, &[12.0, 12.0, 11.0, 42.0, 18.0, 40.0, 8.0, 12.0, 12.0, 9.0], f)?;
    let mut st = YearStats::default();
    let mut qty_total = 0i64;
    for (i, (l, number)) in lines.iter().zip(numbers).enumerate() {
        let r = header_row + 1 + i as u32;
        let c = &cs[l.customer];
        if l.date_as_text {
            let text = if spanish { l.date.format("%d/%m/%Y") } else { l.date.format("%Y-%m-%d") };
            ws.write_string(r, 0, text.to_string())?;
        } else {
            ws.write_datetime_with_format(r, 0, excel_date(l.date)?, &f.date)?;
        }
        ws.write_string(r, 1, number.as_str())?;
        ws.write_string(r, 2, &c.code)?;
        ws.write_string(r, 3, variant(&c.name, l.name_variant))?;
        if let Some(k) = l.kam {
            ws.write_string(r, 4, KAMS[k])?;
        }
        let pr = &PRODUCTS[l.product];
        ws.write_string(r, 5, if spanish { pr.es } else { pr.en })?;
        ws.write_number_with_format(r, 6, l.qty as f64, &f.int)?;
        if l.amount_as_text {
            ws.write_string(r, 7, money_text(l.amount, spanish))?;
        } else {
            ws.write_number_with_format(r, 7, l.amount as f64 / 100.0, &f.money)?;
        }
        if l.cost_as_text {
            ws.write_string(r, 8, money_text(l.cost, spanish))?;
        } else {
            ws.write_number_with_format(r, 8, l.cost as f64 / 100.0, &f.money)?;
        }
        ws.write_string(r, 9, region.unwrap_or(ZONES[c.zone]))?;
        st.lines += 1;
        st.returns += usize::from(l.is_return);
        st.amount += l.amount;
        st.cost += l.cost;
        qty_total += l.qty;
    }
    let r = header_row + 2 + lines.len() as u32;
    ws.write_string_with_format(r, 0, total_label, &f.total)?;
    ws.write_number_with_format(r, 6, qty_total as f64, &f.total)?;
    ws.write_number_with_format(r, 7, st.amount as f64 / 100.0, &f.total_money)?;
    ws.write_number_with_format(r, 8, st.cost as f64 / 100.0, &f.total_money)?;
    ws.autofilter(header_row, 0, header_row + lines.len() as u32, headers.len() as u16 - 1)?;
    Ok(st)
}

fn write_ventas(dir: &Path, cs: &[Customer], lines: &[Line]) -> Result<Vec<(i32, YearStats)>, XlsxError> {
    let f = formats();
    let mut wb = new_book(&format!("{COMPANY} — Ventas"))?;
    let numbers = invoice_numbers(lines, "F", "R");
    let headers = [
        "Fecha factura",
        "Nº factura",
        "Cód. cliente",
        "Cliente",
        "Comercial",
        "Artículo",
        "Uds.",
        "Importe",
        "Coste",
        "Zona",
    ];
    let mut stats = Vec::new();
    for year in FIRST_YEAR..=FIRST_YEAR + 2 {
        let idx: Vec<usize> = (0..lines.len()).filter(|&i| lines[i].date.year() == year).collect();
        let ls: Vec<&Line> = idx.iter().map(|&i| &lines[i]).collect();
        let ns: Vec<&String> = idx.iter().map(|&i| &numbers[i]).collect();
        let ws = wb.add_worksheet();
        ws.set_name(year.to_string())?;
        // The 2024 sheet was started by another clerk: a blank row instead of a subtitle.
        let subtitle = (year != FIRST_YEAR).then_some("Líneas de factura · importes en euros sin IVA");
        let st = write_sales_sheet(
            ws,
            &format!("{COMPANY} — Ventas {year}"),
            subtitle,
            &headers,
            &format!("Total {year}"),
            &ls,
            &ns,
            cs,
            true,
            None,
            &f,
        )?;
        stats.push((year, st));
    }
    wb.worksheet_from_index(2)?.set_active(true);
    let notes = wb.add_worksheet();
    notes.set_name("Notas")?.set_hidden(true);
    notes.set_column_width(0, 100)?;
    let stopped: Vec<&str> =
        cs.iter().filter(|c| matches!(c.trend, Trend::StopsAfter(_))).map(|c| c.name.as_str()).collect();
    let new: Vec<&str> =
        cs.iter().filter(|c| matches!(c.trend, Trend::StartsAt(_))).map(|c| c.name.as_str()).collect();
    let text = [
        "Notas internas de facturación (no imprimir)".to_string(),
        String::new(),
        "Tarifas 2026 aplicadas desde el 2 de enero: subida media del 3 % sobre tarifa 2025.".to_string(),
        "Algunas líneas se copiaron a mano desde albaranes: fechas e importes escritos como texto, revisar antes del cierre.".to_string(),
        format!("Clientes dados de alta en 2026: {}", new.join("; ")),
        format!("Sin pedidos desde hace meses (avisar a los comerciales): {}", stopped.join("; ")),
        "Los abonos (serie R) restan de la venta del mes en que se emiten.".to_string(),
        format!("Consultas sobre este libro: {SALES_MANAGER}, dirección comercial."),
    ];
    for (r, t) in text.iter().enumerate() {
        notes.write_string(r as u32, 0, t)?;
    }
    wb.save(dir.join("ventas.xlsx"))?;
    Ok(stats)
}

fn write_sales_en(dir: &Path, cs: &[Customer], lines: &[Line]) -> Result<YearStats, XlsxError> {
    let f = formats();
    let mut wb = new_book(&format!("{COMPANY} — Export sales"))?;
    let numbers = invoice_numbers(lines, "INV", "CN");
    let headers = [
        "Invoice date",
        "Invoice no.",
        "Customer ID",
        "Customer",
        "Sales rep",
        "Product",
        "Qty",
        "Net sales",
        "Cost",
        "Region",
    ];
    let ls: Vec<&Line> = lines.iter().collect();
    let ns: Vec<&String> = numbers.iter().collect();
    let ws = wb.add_worksheet();
    ws.set_name("Export sales")?;
    let st = write_sales_sheet(
        ws,
        &format!("{COMPANY} — Export desk sales book"),
        Some("Invoice lines, net of VAT, in EUR · Nov 2024 – Oct 2026"),
        &headers,
        "Total",
        &ls,
        &ns,
        cs,
        false,
        Some("Export"),
        &f,
    )?;
    wb.save(dir.join("sales_en.xlsx"))?;
    Ok(st)
}

fn write_maestro(dir: &Path, cs: &[Customer], rng: &mut Rng) -> Result<usize, XlsxError> {
    let f = formats();
    let mut wb = new_book(&format!("{COMPANY} — Maestro de clientes"))?;
    let ws = wb.add_worksheet();
    ws.set_name("Clientes")?;
    ws.write_string_with_format(0, 0, format!("{COMPANY} — Maestro de clientes"), &f.title)?;
    ws.write_string_with_format(1, 0, "Actualizado por dirección comercial, octubre 2026", &f.subtitle)?;
    let headers =
        ["Código cliente", "Razón social", "Segmento", "Estratégico", "Potencial anual", "KAM asignado"];
    write_header(ws, 3, &headers, &[15.0, 42.0, 20.0, 12.0, 16.0, 20.0], &f)?;
    // The 40 largest accounts, the storyline accounts and a few small ones: ~60 rows.
    let mut chosen: BTreeSet<usize> = (0..40).collect();
    chosen.extend([42, 45, 47, 52, 55, 64, 70, 81, 90, 97, 101, 112, 118, 126, 133, 140, 144, 149]);
    let mut rows: Vec<usize> = chosen.into_iter().collect();
    rows.sort_by(|a, b| cs[*a].code.cmp(&cs[*b].code));
    for (i, &ci) in rows.iter().enumerate() {
        let c = &cs[ci];
        let r = 4 + i as u32;
        ws.write_string(r, 0, &c.code)?;
        ws.write_string(r, 1, &c.name)?;
        ws.write_string(r, 2, c.segment.label())?;
        if c.strategic {
            ws.write_string(r, 3, "Sí")?;
        } else if rng.chance(0.6) {
            ws.write_string(r, 3, "No")?;
        }
        if let Some(p) = c.potential {
            ws.write_number_with_format(r, 4, p, &f.int)?;
        }
        // Management assigned KAMs to the larger accounts; the rest follow the sales lines.
        if ci < 30 || rng.chance(0.3) {
            ws.write_string(r, 5, KAMS[c.kam])?;
        }
    }
    let dir_ws = wb.add_worksheet();
    dir_ws.set_name("Comerciales")?;
    dir_ws.write_string_with_format(0, 0, "Equipo comercial", &f.title)?;
    write_header(dir_ws, 2, &["Nombre", "Email", "Responsable", "Zona"], &[20.0, 44.0, 18.0, 18.0], &f)?;
    for (k, kam) in KAMS.iter().enumerate() {
        let r = 3 + k as u32;
        dir_ws.write_string(r, 0, *kam)?;
        dir_ws.write_string(r, 1, KAM_EMAILS[k])?;
        dir_ws.write_string(r, 2, SALES_MANAGER)?;
        dir_ws.write_string(r, 3, ZONES[k])?;
    }
    // The manager has a row too, so `kamplan send` can copy her on each KAM's plan.
    let r = 3 + KAMS.len() as u32;
    dir_ws.write_string(r, 0, SALES_MANAGER)?;
    dir_ws.write_string(r, 1, SALES_MANAGER_EMAIL)?;
    wb.save(dir.join("maestro.xlsx"))?;
    Ok(rows.len())
}

// ---------------------------------------------------------------------------------------------
// Activity log.

const MEETINGS: [&str; 4] =
    ["Reunión decisores", "Reunión competencia", "Reunión necesidades", "Reunión cierre"];
const CALL: &str = "Llamada cortesía";
const VISIT: &str = "Visita";

struct Event {
    date: NaiveDate,
    customer: usize,
    kind: &'static str,
    notes: String,
}

fn note(rng: &mut Rng, kind: &str, c: &Customer) -> String {
    let people = [
        "Ana Ruiz",
        "Jorge Blanco",
        "Marta Vidal",
        "Pedro Lozano",
        "Elena Campos",
        "Javier Soler",
        "Nuria Pons",
        "Andrés Vega",
    ];
    let roles = ["compras", "gerencia", "cocina", "F&B", "economato", "dirección"];
    let rivals =
        ["Suministros Hosteleros del Sur", "Grupo Distrihost", "Comercial Hostelera Ibérica", "MayoHost"];
    let cats = ["aceite", "café", "desechables", "limpieza", "menaje", "congelados"];
    let product = PRODUCTS[c.products[0].0].es;
    match kind {
        "Reunión decisores" => format!(
            "Decide las compras {} ({}); firma {} ({}). Pedir cita con ambos.",
            rng.pick(&people[..4]),
            rng.pick(&roles),
            rng.pick(&people[4..]),
            rng.pick(&roles)
        ),
        "Reunión competencia" => {
            if rng.chance(0.35) {
                "Sin ofertas de la competencia por ahora; valoran el servicio y la puntualidad.".to_string()
            } else {
                format!(
                    "Tiene oferta de {} en {}: un {} % por debajo. Pesa más el plazo de entrega.",
                    rng.pick(&rivals),
                    rng.pick(&cats),
                    rng.int(4, 12)
                )
            }
        }
        "Reunión necesidades" => format!(
            "Necesita reposición semanal de {} y {}; pide propuesta antes de fin de mes.",
            rng.pick(&cats),
            product.to_lowercase()
        ),
        "Reunión cierre" => {
            if rng.chance(0.7) {
                format!("Acuerdo anual firmado: {}, rappel del {} %.", product, rng.int(1, 3))
            } else {
                format!("Cierre aplazado: quieren revisar precios de {}.", rng.pick(&cats))
            }
        }
        "Llamada cortesía" => rng
            .pick(&[
                "Seguimiento: todo correcto con las entregas.",
                "Consulta por un retraso en el último pedido; resuelto.",
                "Sin incidencias. Pregunta por novedades del catálogo.",
                "Felicitación por el servicio en temporada alta.",
                "Pide factura duplicada; enviada por correo.",
            ])
            .to_string(),
        _ => format!("Visita a cocina y almacén; revisado stock de {}.", rng.pick(&cats)),
    }
}

fn working_day(d: NaiveDate) -> NaiveDate {
    match d.weekday() {
        Weekday::Sat => d + Duration::days(2),
        Weekday::Sun => d + Duration::days(1),
        _ => d,
    }
}

/// Meetings and calls with ~25 key-looking accounts in 2026, following the closer's method.
fn activity(rng: &mut Rng, cs: &[Customer]) -> Vec<Event> {
    let last_day = NaiveDate::from_ymd_opt(2026, 10, 30).expect("date");
    let mut chosen: Vec<usize> = (0..=13).collect();
    chosen.extend([16, 23, 24, 27, 29, 31, 33, 38, 45, 101, 112]);
    let mut events = Vec::new();
    for (j, &ci) in chosen.iter().enumerate() {
        let c = &cs[ci];
        let first = match c.trend {
            Trend::StartsAt(m) => month_start(m) + Duration::days(3),
            _ => NaiveDate::from_ymd_opt(2026, 1, 8).expect("date") + Duration::days(rng.int(0, 60)),
        };
        // How far along the four meetings this account is; the largest are furthest.
        let stage = match j {
            0..=3 => 4,
            4..=8 => 3,
            _ => rng.int(0, 3) as usize,
        };
        // A few accounts nobody has called since early summer.
        let until = if [5, 12, 29, 27].contains(&ci) {
            NaiveDate::from_ymd_opt(2026, 7, 10).expect("date") - Duration::days(rng.int(0, 30))
        } else {
            last_day - Duration::days(rng.int(0, 20))
        };
        let mut d = first;
        for kind in MEETINGS.iter().take(stage) {
            if d > until {
                break;
            }
            events.push(Event { date: working_day(d), customer: ci, kind, notes: note(rng, kind, c) });
            d += Duration::days(rng.int(21, 50));
        }
        let mut d = first + Duration::days(rng.int(10, 25));
        while d <= until {
            let kind = if rng.chance(0.2) { VISIT } else { CALL };
            events.push(Event { date: working_day(d), customer: ci, kind, notes: note(rng, kind, c) });
            d += Duration::days(rng.int(24, 40));
        }
    }
    // Persistence that turns into harassment: more than 4 contacts in one month.
    const PUSHY: [&str; 4] = [
        "Nueva llamada para insistir en la propuesta de temporada; pide que no le llamemos tanto.",
        "Visita sin cita para presentar otra vez la oferta; el cliente no tenía tiempo.",
        "Llamada de seguimiento de la oferta enviada hace tres días.",
        "Visita para dejar catálogo y muestras; volver a llamar la semana que viene.",
    ];
    for (rank, month, extra) in [(3usize, 9u32, 5usize), (23, 3, 4)] {
        for k in 0..extra {
            let mut d = working_day(NaiveDate::from_ymd_opt(2026, month, 2 + 5 * k as u32).expect("date"));
            while events.iter().any(|e| e.customer == rank && e.date == d) {
                d = working_day(d + Duration::days(1));
            }
            let kind = if k % 2 == 0 { CALL } else { VISIT };
            let notes = PUSHY[k % PUSHY.len()].to_string();
            events.push(Event { date: d, customer: rank, kind, notes });
        }
    }
    events.retain(|e| e.date <= last_day);
    storylines(&mut events);
    events.sort_by(|a, b| (a.date, &cs[a.customer].code).cmp(&(b.date, &cs[b.customer].code)));
    events
}

/// Meetings that went as meetings really go, written by hand over what the generator drew (the
/// random stream stays the same, so the rest of the log does not move). By size rank:
/// 0 `C0090` and 3 `C0083` have their close postponed, 1 `C0028` ends its close without
/// agreement (and names its decision makers as the issue's example does), 2 `C0034` signs,
/// 4 holds its decision-maker meeting without learning who decides, 5 has its needs meeting
/// called off. `C0112` (rank 38) only gets routine visits and calls: no closer step.
fn storylines(events: &mut [Event]) {
    let rewrite = |events: &mut [Event], rank: usize, kind: &str, notes: &str| {
        for e in events.iter_mut().filter(|e| e.customer == rank && e.kind == kind) {
            e.notes = notes.to_string();
        }
    };
    rewrite(
        events,
        0,
        MEETINGS[3],
        "Cierre aplazado: quieren revisar precios de desechables antes de firmar.",
    );
    rewrite(
        events,
        1,
        MEETINGS[0],
        "Decide Jorge Blanco (F&B); firma Nuria Pons (gerencia). Pedir cita con ambos.",
    );
    rewrite(
        events,
        1,
        MEETINGS[3],
        "Sin acuerdo: piden un rappel del 8 % que no podemos dar; volver a plantearlo en enero.",
    );
    rewrite(events, 2, MEETINGS[3], "Acuerdo anual firmado: aceite y desechables, rappel del 2 %.");
    rewrite(events, 3, MEETINGS[3], "Cierre aplazado: esperan a cerrar la temporada para decidir.");
    rewrite(events, 4, MEETINGS[0], "Reunión con el equipo de compras; no ha quedado claro quién firma.");
    rewrite(events, 5, MEETINGS[2], "Reunión cancelada por el cliente: cambio de jefe de cocina.");
}

fn write_actividad(dir: &Path, cs: &[Customer], events: &[Event]) -> Result<(), XlsxError> {
    let f = formats();
    let mut wb = new_book(&format!("{COMPANY} — Actividad comercial"))?;
    let ws = wb.add_worksheet();
    ws.set_name("Actividad")?;
    ws.write_string_with_format(0, 0, "Registro de actividad comercial 2026", &f.title)?;
    write_header(
        ws,
        2,
        &["Fecha", "Cód. cliente", "Cliente", "Comercial", "Tipo", "Notas"],
        &[12.0, 12.0, 42.0, 18.0, 22.0, 90.0],
        &f,
    )?;
    for (i, e) in events.iter().enumerate() {
        let r = 3 + i as u32;
        let c = &cs[e.customer];
        ws.write_datetime_with_format(r, 0, excel_date(e.date)?, &f.date)?;
        ws.write_string(r, 1, &c.code)?;
        ws.write_string(r, 2, &c.name)?;
        ws.write_string(r, 3, KAMS[c.kam])?;
        ws.write_string(r, 4, e.kind)?;
        ws.write_string(r, 5, &e.notes)?;
    }
    wb.save(dir.join("actividad.xlsx"))?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------

fn euros(cents: i64) -> String {
    money_text(cents, true)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::args_os().nth(1).map(PathBuf::from).unwrap_or_else(|| PathBuf::from("samples"));
    std::fs::create_dir_all(&dir)?;
    let mut rng = Rng::new(SEED);

    let mut cs = customers(&mut rng);
    // Master potentials: above current sales for some larger accounts, and two small
    // accounts whose potential dwarfs what they buy today.
    for r in [0, 3, 8, 14, 21, 33, 39] {
        cs[r].potential = Some((cs[r].annual * rng.uniform(1.2, 1.8) / 1000.0).round() * 1000.0);
    }
    cs[97].potential = Some(240_000.0);
    cs[126].potential = Some(180_000.0);

    let es_habits =
        Habits { date_text: 0.012, amount_text: 0.004, cost_text: 0.002, blank_kam: 0.004, returns: 0.022 };
    let lines = sales_lines(&mut rng, &cs, &es_habits, 2.6);
    let stats = write_ventas(&dir, &cs, &lines)?;

    let ex = export_customers(&mut rng);
    let en_habits =
        Habits { date_text: 0.3, amount_text: 0.01, cost_text: 0.005, blank_kam: 0.0, returns: 0.015 };
    let ex_lines = sales_lines(&mut rng, &ex, &en_habits, 2.0);
    let ex_stats = write_sales_en(&dir, &ex, &ex_lines)?;

    let master_rows = write_maestro(&dir, &cs, &mut rng)?;
    let events = activity(&mut rng, &cs);
    write_actividad(&dir, &cs, &events)?;

    println!("wrote {}", dir.display());
    println!("ventas.xlsx: {} customers", cs.len());
    for (year, st) in &stats {
        println!(
            "  {year}: {} lines ({} returns), sales {} €, cost {} €",
            st.lines,
            st.returns,
            euros(st.amount),
            euros(st.cost)
        );
    }
    println!(
        "  text dates {}, text amounts {}, text costs {}, blank salesperson {}, name variants {}",
        lines.iter().filter(|l| l.date_as_text).count(),
        lines.iter().filter(|l| l.amount_as_text).count(),
        lines.iter().filter(|l| l.cost_as_text).count(),
        lines.iter().filter(|l| l.kam.is_none()).count(),
        lines.iter().filter(|l| l.name_variant > 0).count(),
    );
    // Pareto over the last 12 months (2025-11 .. 2026-10).
    let from = month_start(MONTHS - 12);
    let mut by_customer = vec![0i64; cs.len()];
    for l in lines.iter().filter(|l| l.date >= from) {
        by_customer[l.customer] += l.amount;
    }
    by_customer.sort_unstable_by(|a, b| b.cmp(a));
    let total: i64 = by_customer.iter().filter(|v| **v > 0).sum();
    let top = by_customer.iter().take(cs.len() / 5).sum::<i64>() as f64 / total as f64;
    println!("  last 12 months: sales {} €, top 20 % of customers make {:.1} %", euros(total), top * 100.0);
    println!(
        "sales_en.xlsx: {} customers, {} lines ({} returns), sales {} €",
        ex.len(),
        ex_stats.lines,
        ex_stats.returns,
        euros(ex_stats.amount)
    );
    println!("maestro.xlsx: {master_rows} customers, {} KAMs", KAMS.len());
    println!("actividad.xlsx: {} contacts", events.len());
    mensual::write(&dir.join("mensual"))?;
    Ok(())
}
