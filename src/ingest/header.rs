//! Header rows: column roles from Spanish and English synonyms, and the sheet's role from them.

use std::collections::BTreeMap;

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

use super::Role;

mod synonyms;

use synonyms::{synonyms, vetoes, Syn};

/// A column role; the keys are `config::COLUMN_KEYS`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Col {
    Date,
    CustomerId,
    CustomerName,
    Kam,
    Amount,
    Cost,
    Margin,
    Product,
    Qty,
    Region,
    Strategic,
    Potential,
    Email,
    Manager,
    Segment,
    Activity,
    Notes,
    /// Order, invoice or document number: joins a returns sheet to the sales lines.
    OrderId,
    /// A returns sheet's yes/no "Returned" flag.
    Returned,
}

/// How many column roles there are.
pub const NCOLS: usize = 19;

impl Col {
    /// Every role, in report order.
    #[cfg(test)]
    pub const ALL: [Col; NCOLS] = [
        Col::Date,
        Col::CustomerId,
        Col::CustomerName,
        Col::Kam,
        Col::Amount,
        Col::Cost,
        Col::Margin,
        Col::Product,
        Col::Qty,
        Col::Region,
        Col::Strategic,
        Col::Potential,
        Col::Email,
        Col::Manager,
        Col::Segment,
        Col::Activity,
        Col::Notes,
        Col::OrderId,
        Col::Returned,
    ];

    /// The `[columns]` key of the role.
    pub fn key(self) -> &'static str {
        match self {
            Col::Date => "date",
            Col::CustomerId => "customer_id",
            Col::CustomerName => "customer_name",
            Col::Kam => "kam",
            Col::Amount => "amount",
            Col::Cost => "cost",
            Col::Margin => "margin",
            Col::Product => "product",
            Col::Qty => "qty",
            Col::Region => "region",
            Col::Strategic => "strategic",
            Col::Potential => "potential",
            Col::Email => "email",
            Col::Manager => "manager",
            Col::Segment => "segment",
            Col::Activity => "activity",
            Col::Notes => "notes",
            Col::OrderId => "order_id",
            Col::Returned => "returned",
        }
    }
}

/// Header text reduced for matching: accents, case and punctuation gone, spaces collapsed.
/// `"Cód. Cliente"` → `"cod cliente"`, `"Nº"` → `"no"`.
pub fn normalize(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = true;
    for c in s.nfkd() {
        if is_combining_mark(c) {
            continue;
        }
        if c.is_alphanumeric() {
            for l in c.to_lowercase() {
                out.push(l);
            }
            space = false;
        } else if !space {
            out.push(' ');
            space = true;
        }
    }
    if out.ends_with(' ') {
        out.pop();
    }
    out
}

/// The columns a sheet role reads.
pub fn role_cols(role: Role) -> &'static [Col] {
    match role {
        Role::Sales => &[
            Col::Date,
            Col::CustomerId,
            Col::CustomerName,
            Col::Kam,
            Col::Amount,
            Col::Cost,
            Col::Margin,
            Col::Product,
            Col::Qty,
            Col::Region,
            Col::OrderId,
        ],
        Role::Activity => {
            &[Col::Date, Col::CustomerId, Col::CustomerName, Col::Kam, Col::Activity, Col::Notes]
        }
        Role::Master => &[
            Col::CustomerId,
            Col::CustomerName,
            Col::Strategic,
            Col::Potential,
            Col::Kam,
            Col::Segment,
            Col::Region,
        ],
        Role::Directory | Role::Territory => &[Col::Kam, Col::Email, Col::Manager, Col::Region],
        Role::Returns => &[Col::OrderId, Col::Returned, Col::Date, Col::Amount],
        // Beside the month columns of a monthly book.
        Role::MonthlySales | Role::MonthlyMargin => {
            &[Col::CustomerId, Col::CustomerName, Col::Kam, Col::Region, Col::Segment, Col::Product]
        }
        Role::Skipped => &[],
    }
}

/// How well a header text fits `col` in a sheet of `role` by the synonyms alone; 0 is no fit.
pub fn fit(col: Col, header: &str, role: Role) -> u32 {
    score(col, header, &normalize(header), role, None)
}

/// How well `header` (raw text) fits `col`; 0 is no fit.
fn score(col: Col, header: &str, norm: &str, role: Role, explicit: Option<&str>) -> u32 {
    // `[columns]` wins; a sheet without that header still gets the synonyms.
    if explicit.is_some_and(|want| normalize(want) == norm) {
        return 10_000;
    }
    if norm.is_empty() {
        return 0;
    }
    // A margin or cost given as a percentage is a rate, not money.
    if matches!(col, Col::Margin | Col::Cost | Col::Amount) && header.contains('%') {
        return 0;
    }
    let mut best = 0;
    let extra: Syn = if matches!(role, Role::Directory | Role::Territory) && col == Col::Kam {
        &[
            ("nombre", 40),
            ("name", 40),
            ("nombre y apellidos", 50),
            ("full name", 50),
            ("empleado", 40),
            ("employee", 40),
        ]
    } else {
        &[]
    };
    let tokens: Vec<&str> = norm.split(' ').collect();
    for &(phrase, weight) in synonyms(col).iter().chain(extra) {
        let s = if norm == phrase {
            1_000 + weight as u32
        } else if contains_phrase(&tokens, phrase) {
            if tokens.iter().any(|t| vetoes(col).contains(t)) {
                if col == Col::Date {
                    100
                } else {
                    0
                }
            } else {
                // A longer phrase found is a more specific fit.
                500 + weight as u32 + phrase.len() as u32
            }
        } else {
            0
        };
        best = best.max(s);
    }
    best
}

fn contains_phrase(tokens: &[&str], phrase: &str) -> bool {
    let p: Vec<&str> = phrase.split(' ').collect();
    // Single short tokens like "u" or "id" only count on their own.
    if p.len() == 1 && p[0].len() <= 2 {
        return false;
    }
    tokens.windows(p.len()).any(|w| w == p.as_slice())
}

/// The columns of a header row for one sheet role: role → 0-based column.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Mapping {
    pub cols: BTreeMap<Col, u32>,
}

impl Mapping {
    /// The column of a role.
    pub fn get(&self, c: Col) -> Option<u32> {
        self.cols.get(&c).copied()
    }

    /// True when the role has a column.
    pub fn has(&self, c: Col) -> bool {
        self.cols.contains_key(&c)
    }
}

/// Assigns header cells `(column, text)` to the roles of `role`: best fit first, each role and
/// each column used once, leftmost column on ties.
pub fn assign(cells: &[(u32, String)], role: Role, explicit: &BTreeMap<String, String>) -> (Mapping, u32) {
    let norms: Vec<String> = cells.iter().map(|(_, t)| normalize(t)).collect();
    let mut cands: Vec<(u32, usize, u32, Col)> = Vec::new();
    for (i, (col, text)) in cells.iter().enumerate() {
        for (ri, &c) in role_cols(role).iter().enumerate() {
            let s = score(c, text, &norms[i], role, explicit.get(c.key()).map(String::as_str));
            if s > 0 {
                cands.push((s, ri, *col, c));
            }
        }
    }
    cands.sort_by(|a, b| b.0.cmp(&a.0).then(a.2.cmp(&b.2)).then(a.1.cmp(&b.1)));
    let mut m = Mapping::default();
    let mut used = std::collections::HashSet::new();
    let mut total = 0;
    for (s, _, col, c) in cands {
        if m.cols.contains_key(&c) || used.contains(&col) {
            continue;
        }
        m.cols.insert(c, col);
        used.insert(col);
        total += s;
    }
    drop_foreign_code(cells, &norms, &mut m, explicit);
    (m, total)
}

/// A bare "Código"/"Code"/"ID" column is the customer's only when it sits next to the customer
/// name (before it, or after it with no product description following). Otherwise it is
/// probably a product or invoice code, and keying customers by it would merge strangers.
fn drop_foreign_code(
    cells: &[(u32, String)],
    norms: &[String],
    m: &mut Mapping,
    explicit: &BTreeMap<String, String>,
) {
    const GENERIC: &[&str] = &["codigo", "cod", "code", "id", "cuenta"];
    let Some(idc) = m.get(Col::CustomerId) else {
        return;
    };
    let Some(i) = cells.iter().position(|(c, _)| *c == idc) else {
        return;
    };
    let norm = &norms[i];
    let configured = explicit.get(Col::CustomerId.key()).is_some_and(|w| normalize(w) == *norm);
    if !GENERIC.contains(&norm.as_str()) || configured {
        return;
    }
    let name = m.get(Col::CustomerName);
    let next_is_product = m.get(Col::Product) == Some(idc + 1)
        || cells.iter().zip(norms).any(|((c, t), n)| {
            *c == idc + 1
                && (score(Col::Product, t, n, Role::Sales, None) > 0
                    || n.split(' ').any(|w| w == "descripcion" || w == "description"))
        });
    let keep = name == Some(idc + 1) || (idc > 0 && name == Some(idc - 1) && !next_is_product);
    if !keep {
        m.cols.remove(&Col::CustomerId);
    }
}

/// A header cell that fits a role as well as the column read for it (a second "Importe").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rival {
    /// The role.
    pub col: Col,
    /// The column read for it.
    pub used: u32,
    /// The column that also fits it, not read.
    pub other: u32,
    /// Why `used` was read.
    pub why: &'static str,
}

/// Header cells that fit a mapped role as well as the column the mapping read for it, and are
/// read for no other role: duplicates a person should hear about (which one was used, and why).
pub fn rivals(
    cells: &[(u32, String)],
    role: Role,
    explicit: &BTreeMap<String, String>,
    m: &Mapping,
) -> Vec<Rival> {
    let norms: Vec<String> = cells.iter().map(|(_, t)| normalize(t)).collect();
    let mut out = Vec::new();
    for (&c, &used) in &m.cols {
        let Some(ui) = cells.iter().position(|(col, _)| *col == used) else { continue };
        let want = explicit.get(c.key()).map(String::as_str);
        let best = score(c, &cells[ui].1, &norms[ui], role, want);
        for (i, (col, text)) in cells.iter().enumerate() {
            if m.cols.values().any(|v| v == col) {
                continue;
            }
            let s = score(c, text, &norms[i], role, want);
            if s > 0 && (s >= best || norms[i] == norms[ui]) {
                let why = if want.is_some() && best >= 10_000 {
                    "named in [columns]"
                } else {
                    "the leftmost of equally good matches"
                };
                out.push(Rival { col: c, used, other: *col, why });
            }
        }
    }
    out
}

/// True when a customer column was matched by something more specific than "Nombre"/"Name".
fn specific_customer(cells: &[(u32, String)], m: &Mapping) -> bool {
    if m.has(Col::CustomerId) {
        return true;
    }
    m.get(Col::CustomerName).is_some_and(|c| {
        cells
            .iter()
            .find(|(col, _)| *col == c)
            .is_some_and(|(_, t)| !matches!(normalize(t).as_str(), "nombre" | "name"))
    })
}

/// True when the KAM column was matched by a KAM or person word, not only "Nombre"/"Name".
fn kam_by_synonym(cells: &[(u32, String)], m: &Mapping) -> bool {
    m.get(Col::Kam).is_some_and(|c| {
        cells.iter().find(|(col, _)| *col == c).is_some_and(|(_, t)| {
            let n = normalize(t);
            synonyms(Col::Kam)
                .iter()
                .any(|(p, _)| n == *p || contains_phrase(&n.split(' ').collect::<Vec<_>>(), p))
        })
    })
}

/// Words in a sheet's name that say it lists returns.
const RETURNS_SHEET_WORDS: &[&str] =
    &["returns", "return", "returned", "devoluciones", "devolucion", "devol", "abonos", "rma"];

/// A returns sheet: an order column and either a sheet named for returns (`Returns`,
/// `Devoluciones`) or a "Returned" flag column on a sheet without customers (a sales sheet
/// with such a flag stays sales). Tried before [`detect`], so a "Devoluciones" sheet with
/// order, date and amount nets orders rather than adding sales.
pub fn detect_returns(
    cells: &[(u32, String)],
    explicit: &BTreeMap<String, String>,
    sheet: &str,
) -> Option<(Role, Mapping)> {
    let (m, _) = assign(cells, Role::Returns, explicit);
    if !m.has(Col::OrderId) {
        return None;
    }
    let named = normalize(sheet).split(' ').any(|w| RETURNS_SHEET_WORDS.contains(&w));
    let (sales, _) = assign(cells, Role::Sales, explicit);
    let customers = sales.has(Col::CustomerId) || sales.has(Col::CustomerName);
    (named || (m.has(Col::Returned) && !customers)).then_some((Role::Returns, m))
}

/// The role of a sheet whose header row holds `cells`, with its column mapping; `None` when
/// the row is no header.
pub fn detect(cells: &[(u32, String)], explicit: &BTreeMap<String, String>) -> Option<(Role, Mapping)> {
    if cells.len() < 2 {
        return None;
    }
    let (sales, _) = assign(cells, Role::Sales, explicit);
    let customer = |m: &Mapping| m.has(Col::CustomerId) || m.has(Col::CustomerName);
    if sales.has(Col::Date) && sales.has(Col::Amount) && customer(&sales) {
        return Some((Role::Sales, sales));
    }
    let (act, _) = assign(cells, Role::Activity, explicit);
    if act.has(Col::Date)
        && customer(&act)
        && (act.has(Col::Activity) || act.has(Col::Notes))
        && !sales.has(Col::Amount)
    {
        return Some((Role::Activity, act));
    }
    let (master, _) = assign(cells, Role::Master, explicit);
    let (dir, _) = assign(cells, Role::Directory, explicit);
    if dir.has(Col::Kam) && dir.has(Col::Email) && !specific_customer(cells, &master) {
        return Some((Role::Directory, dir));
    }
    // Person and region, no email (Superstore's People): the territory map.
    if dir.has(Col::Region)
        && kam_by_synonym(cells, &dir)
        && !customer(&master)
        && !sales.has(Col::Date)
        && !sales.has(Col::Amount)
    {
        return Some((Role::Territory, dir));
    }
    if customer(&master) && !sales.has(Col::Amount) && master.cols.len() >= 2 && !sales.has(Col::Date) {
        return Some((Role::Master, master));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(h: &[&str]) -> Vec<(u32, String)> {
        h.iter().enumerate().map(|(i, s)| (i as u32, s.to_string())).collect()
    }

    fn none() -> BTreeMap<String, String> {
        BTreeMap::new()
    }

    #[test]
    fn a_second_column_with_the_same_header_is_a_rival() {
        let cells = row(&["Fecha", "Cliente", "Importe", "Cliente", "Importe", "Coste"]);
        let (role, m) = detect(&cells, &none()).unwrap();
        assert_eq!((m.get(Col::CustomerName), m.get(Col::Amount)), (Some(1), Some(2)));
        let r = rivals(&cells, role, &none(), &m);
        let pairs: Vec<(Col, u32, u32)> = r.iter().map(|r| (r.col, r.used, r.other)).collect();
        assert_eq!(pairs, [(Col::CustomerName, 1, 3), (Col::Amount, 2, 4)]);
        // Named in [columns]: the named one is read and the reason says so.
        let mut cfg = none();
        cfg.insert("amount".into(), "Importe".into());
        let r = rivals(&cells, role, &cfg, &m);
        assert!(r.iter().any(|r| r.col == Col::Amount && r.why == "named in [columns]"), "{r:?}");
        // Different, weaker headers are no rivals.
        let cells = row(&["Fecha factura", "Fecha pedido", "Cliente", "Importe"]);
        let (role, m) = detect(&cells, &none()).unwrap();
        assert!(rivals(&cells, role, &none(), &m).is_empty());
    }

    #[test]
    fn normalize_drops_accents_case_and_punctuation() {
        for (raw, want) in [
            ("Cód. Cliente", "cod cliente"),
            ("  Razón   social ", "razon social"),
            ("Nº cliente", "no cliente"),
            ("E-mail", "e mail"),
            ("Uds.", "uds"),
            ("IMPORTE (€)", "importe"),
            ("F. factura", "f factura"),
        ] {
            assert_eq!(normalize(raw), want, "{raw:?}");
        }
    }

    #[test]
    fn spanish_sales_header() {
        let (role, m) = detect(
            &row(&[
                "Fecha factura",
                "Cód. cliente",
                "Cliente",
                "Comercial",
                "Artículo",
                "Uds.",
                "Importe neto",
                "Coste",
            ]),
            &none(),
        )
        .unwrap();
        assert_eq!(role, Role::Sales);
        assert_eq!(m.get(Col::Date), Some(0));
        assert_eq!(m.get(Col::CustomerId), Some(1));
        assert_eq!(m.get(Col::CustomerName), Some(2));
        assert_eq!(m.get(Col::Kam), Some(3));
        assert_eq!(m.get(Col::Product), Some(4));
        assert_eq!(m.get(Col::Qty), Some(5));
        assert_eq!(m.get(Col::Amount), Some(6));
        assert_eq!(m.get(Col::Cost), Some(7));
    }

    #[test]
    fn english_sales_header() {
        let (role, m) = detect(
            &row(&[
                "Invoice date",
                "Account ID",
                "Account",
                "Sales rep",
                "SKU",
                "Qty",
                "Net sales",
                "Profit",
                "Territory",
            ]),
            &none(),
        )
        .unwrap();
        assert_eq!(role, Role::Sales);
        assert_eq!(m.get(Col::CustomerId), Some(1));
        assert_eq!(m.get(Col::CustomerName), Some(2));
        assert_eq!(m.get(Col::Amount), Some(6));
        assert_eq!(m.get(Col::Margin), Some(7));
        assert_eq!(m.get(Col::Region), Some(8));
    }

    #[test]
    fn best_fit_wins_over_first_fit() {
        // "Base imponible" is the net amount; "Total factura" includes VAT.
        let (_, m) =
            detect(&row(&["Fecha", "Cliente", "Total factura", "Base imponible", "Importe IVA"]), &none())
                .unwrap();
        assert_eq!(m.get(Col::Amount), Some(3));
        // "Fecha" beats "Fecha vencimiento"; "Nombre comercial" is the customer, "Vendedor" the KAM.
        let (_, m) =
            detect(&row(&["Fecha vencimiento", "Fecha", "Nombre comercial", "Vendedor", "Ventas"]), &none())
                .unwrap();
        assert_eq!(m.get(Col::Date), Some(1));
        assert_eq!(m.get(Col::CustomerName), Some(2));
        assert_eq!(m.get(Col::Kam), Some(3));
        // A margin percentage is no money column.
        let (_, m) = detect(&row(&["Fecha", "Cliente", "Importe", "Margen %"]), &none()).unwrap();
        assert_eq!(m.get(Col::Margin), None);
    }

    #[test]
    fn other_sheet_roles() {
        let r = |h: &[&str]| detect(&row(h), &none()).map(|(r, _)| r);
        assert_eq!(
            r(&["Código cliente", "Razón social", "Estratégico", "Potencial anual", "KAM"]),
            Some(Role::Master)
        );
        assert_eq!(r(&["Customer", "Segment", "Strategic"]), Some(Role::Master));
        assert_eq!(r(&["Comercial", "Email", "Jefe de ventas", "Zona"]), Some(Role::Directory));
        assert_eq!(r(&["Nombre", "Correo"]), Some(Role::Directory));
        let (_, m) = detect(&row(&["Nombre", "Email", "Responsable", "Zona"]), &none()).unwrap();
        assert_eq!((m.get(Col::Kam), m.get(Col::Manager), m.get(Col::Region)), (Some(0), Some(2), Some(3)));
        // In a sales sheet "Responsable" is the salesperson.
        let (_, m) = detect(&row(&["Fecha", "Cliente", "Responsable", "Importe"]), &none()).unwrap();
        assert_eq!(m.get(Col::Kam), Some(2));
        assert_eq!(r(&["Fecha", "Cliente", "Tipo", "Notas", "Comercial"]), Some(Role::Activity));
        assert_eq!(r(&["Notas internas", "Pendiente"]), None);
        assert_eq!(r(&["Ventas 2026"]), None);
    }

    #[test]
    fn a_bare_code_column_is_the_customers_only_beside_the_customer() {
        let id = |h: &[&str]| detect(&row(h), &none()).and_then(|(_, m)| m.get(Col::CustomerId));
        assert_eq!(id(&["Fecha", "Código", "Cliente", "Importe"]), Some(1));
        assert_eq!(id(&["Fecha", "Cliente", "Código", "Importe"]), Some(2));
        assert_eq!(id(&["Fecha", "Cliente", "Código", "Artículo", "Importe"]), None);
        assert_eq!(id(&["Fecha", "Cliente", "Código", "Descripción", "Importe"]), None);
        assert_eq!(id(&["Fecha", "Código", "Descripción", "Cliente", "Importe"]), None);
        assert_eq!(id(&["Fecha", "Cód. cliente", "Artículo", "Cliente", "Importe"]), Some(1));
        let mut cfg = BTreeMap::new();
        cfg.insert("customer_id".to_string(), "Código".to_string());
        let (_, m) = detect(&row(&["Fecha", "Cliente", "Código", "Artículo", "Importe"]), &cfg).unwrap();
        assert_eq!(m.get(Col::CustomerId), Some(2));
    }

    #[test]
    fn config_header_wins_over_synonyms() {
        let mut cfg = BTreeMap::new();
        cfg.insert("amount".to_string(), "Facturado sin IVA".to_string());
        let (role, m) = detect(&row(&["Fecha", "Cliente", "Importe", "Facturado sin IVA"]), &cfg).unwrap();
        assert_eq!(role, Role::Sales);
        assert_eq!(m.get(Col::Amount), Some(3));
    }

    #[test]
    fn superstore_sheets() {
        let orders = row(&[
            "Row ID",
            "Order ID",
            "Order Date",
            "Ship Date",
            "Ship Mode",
            "Customer ID",
            "Customer Name",
            "Segment",
            "Country",
            "City",
            "State",
            "Postal Code",
            "Region",
            "Product ID",
            "Category",
            "Sub-Category",
            "Product Name",
            "Sales",
            "Quantity",
            "Discount",
            "Profit",
        ]);
        let (role, m) = detect(&orders, &none()).unwrap();
        assert_eq!(role, Role::Sales);
        let got: Vec<(Col, u32)> = m.cols.iter().map(|(c, x)| (*c, *x)).collect();
        use Col::*;
        assert_eq!(
            got,
            [
                (Date, 2),
                (CustomerId, 5),
                (CustomerName, 6),
                (Amount, 17),
                (Margin, 20),
                (Product, 16),
                (Qty, 18),
                (Region, 12),
                (OrderId, 1)
            ]
        );
        let (role, m) = detect(&row(&["Person", "Region"]), &none()).unwrap();
        assert_eq!((role, m.get(Kam), m.get(Region)), (Role::Territory, Some(0), Some(1)));
        let returns = row(&["Returned", "Order ID"]);
        let (role, m) = detect_returns(&returns, &none(), "Returns").unwrap();
        assert_eq!((role, m.get(OrderId), m.get(Returned)), (Role::Returns, Some(1), Some(0)));
        assert!(detect_returns(&returns, &none(), "Hoja1").is_some(), "the flag is enough");
    }

    #[test]
    fn territory_and_returns_only_when_clear() {
        let r = |h: &[&str]| detect(&row(h), &none()).map(|(r, _)| r);
        assert_eq!(r(&["Comercial", "Zona"]), Some(Role::Territory));
        assert_eq!(r(&["Vendedor", "Región", "Jefe de ventas"]), Some(Role::Territory));
        // A bare "Nombre" beside a zone may be customers: the master, as before.
        assert_eq!(r(&["Nombre", "Zona"]), Some(Role::Master));
        assert_eq!(r(&["Cliente", "Comercial", "Zona"]), Some(Role::Master));
        assert_eq!(r(&["Comercial", "Email", "Zona"]), Some(Role::Directory));
        // A returns sheet by its name: order, date and amount net the orders.
        let dev = row(&["Nº pedido", "Fecha devolución", "Importe"]);
        let (role, m) = detect_returns(&dev, &none(), "Devoluciones 2026").unwrap();
        assert_eq!(
            (role, m.get(Col::OrderId), m.get(Col::Date), m.get(Col::Amount)),
            (Role::Returns, Some(0), Some(1), Some(2))
        );
        // A sales sheet is no returns sheet, even with a Returned flag; an order list is neither.
        let sales = row(&["Fecha", "Nº pedido", "Cliente", "Importe", "Devuelto"]);
        assert!(detect_returns(&sales, &none(), "Ventas").is_none());
        assert!(detect_returns(&row(&["Nº pedido", "Fecha"]), &none(), "Pedidos").is_none());
        assert!(
            detect_returns(&row(&["Fecha", "Importe"]), &none(), "Devoluciones").is_none(),
            "no order column"
        );
    }

    #[test]
    fn column_keys_match_config() {
        let keys: Vec<&str> = Col::ALL.iter().map(|c| c.key()).collect();
        assert_eq!(keys, crate::config::COLUMN_KEYS);
    }
}
