//! A hand-built classification, dataset and config for tests of plans and templates.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use crate::classify::{
    Abc, Account, Classification, Concentration, KamSummary, MonthSales, Reason, Totals, TrendBasis,
};
use crate::config::Config;
use crate::ingest::{Activity, Dataset, KamContact};
use crate::period::{Month, Window};

/// A name that must stay text everywhere.
pub const HOSTILE: &str = "<script>alert(\"x\")</script> & 'Hermanos' <b>x</b>";

pub fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn m(s: &str) -> Month {
    s.parse().unwrap()
}

#[allow(clippy::too_many_arguments)]
pub(super) fn account(
    id: &str,
    name: &str,
    kam: &str,
    sales: f64,
    rank: Option<u32>,
    abc: Abc,
    key: bool,
    reasons: &[Reason],
) -> Account {
    let period = m("2026-10");
    Account {
        id: id.into(),
        name: name.into(),
        kam: kam.into(),
        kam_source: "master".into(),
        sales,
        prior_sales: sales * 0.9,
        growth: Some(0.111),
        margin: Some(sales * 0.3),
        margin_pct: Some(0.3),
        share: sales / 1_000_000.0,
        cumulative_share: 0.0,
        rank,
        abc,
        key,
        reasons: reasons.to_vec(),
        explanation: reasons.iter().map(|r| format!("{name} is key by {}.", r.as_str())).collect(),
        was_key: key,
        no_longer_key: Vec::new(),
        first_purchase: Some(d("2019-03-04")),
        last_purchase: Some(d("2026-10-20")),
        days_since: Some(11),
        trend: Some(0.02),
        trend_basis: Some(TrendBasis::YearEarlier),
        exposure_sales: sales / 1_000_000.0,
        exposure_margin: Some(sales * 0.3 / 300_000.0),
        strategic: reasons.contains(&Reason::Strategic),
        potential: None,
        segment: Some("Industria".into()),
        region: None,
        monthly: (0..24)
            .map(|i| MonthSales { month: period.add(i - 23), sales: sales / 12.0 + f64::from(i) * 10.5 })
            .collect(),
        top_products: vec![("Tornillos M8".into(), sales * 0.6), ("Tuercas".into(), sales * 0.25)],
        monthly_book: false,
        new_account: false,
    }
}

pub fn classification() -> Classification {
    let mut a1 = account(
        "C001",
        "Acme Industrial, S.A.",
        "Ana Pérez",
        500_000.0,
        Some(1),
        Abc::A,
        true,
        &[Reason::Volume],
    );
    a1.trend = Some(-0.3);
    // The last three months sell 30 % less than a year earlier.
    for m in a1.monthly.iter_mut().rev().take(3) {
        m.sales = 0.7 * 500_000.0 / 12.0;
    }
    for m in a1.monthly.iter_mut().take(12).skip(9) {
        m.sales = 500_000.0 / 12.0;
    }
    let mut a2 = account(
        "C002",
        HOSTILE,
        "Ana Pérez",
        200_000.0,
        Some(2),
        Abc::A,
        true,
        &[Reason::Growth, Reason::Profitability],
    );
    a2.days_since = Some(90);
    a2.last_purchase = Some(d("2026-08-02"));
    a2.trend = Some(0.3);
    a2.trend_basis = Some(TrendBasis::PreviousMonths);
    let mut a3 = account(
        "C003",
        "Beta Foods",
        "Bruno Díaz",
        150_000.0,
        Some(3),
        Abc::A,
        true,
        &[Reason::Volume, Reason::Strategic],
    );
    a3.was_key = false;
    a3.last_purchase = Some(d("2026-10-05"));
    a3.days_since = Some(26);
    a3.trend = None;
    a3.trend_basis = None;
    let mut a4 = account("C004", "Gamma Logística", "Ana Pérez", 100_000.0, Some(4), Abc::B, false, &[]);
    a4.was_key = true;
    a4.no_longer_key = vec![
        "ya no es clase A: puesto 4, las cuentas anteriores ya suman el 85,0 % de las ventas (umbral 80 %)"
            .into(),
    ];
    let mut a5 =
        account("C005", "Delta Energía", "Sin asignar", 0.0, None, Abc::C, true, &[Reason::Strategic]);
    a5.last_purchase = None;
    a5.first_purchase = None;
    a5.days_since = None;
    a5.margin = None;
    a5.margin_pct = None;
    a5.growth = None;
    a5.exposure_margin = None;
    a5.monthly = Vec::new();
    a5.top_products = Vec::new();
    let a6 = account("C006", "Épsilon", "Bruno Díaz", 50_000.0, Some(5), Abc::C, false, &[]);
    let mut accounts = vec![a1, a2, a3, a4, a6, a5];
    let mut cum = 0.0;
    for a in &mut accounts {
        cum += a.share;
        a.cumulative_share = cum;
    }
    Classification {
        period: m("2026-10"),
        window: Window::ending(m("2026-10"), 12),
        prior_window: Window::ending(m("2025-10"), 12),
        growth_available: true,
        totals: Totals {
            sales: 1_000_000.0,
            net_sales: 1_000_000.0,
            margin: Some(300_000.0),
            accounts: 6,
            active_accounts: 5,
            key_accounts: 4,
        },
        concentration: Concentration {
            pareto_accounts_share: 0.4,
            top1_share: 0.5,
            top5_share: 1.0,
            hhi: 0.335,
            reading: "concentrated".into(),
            reading_text: "concentrada".into(),
        },
        accounts,
        // Out of order on purpose: plans come sorted by name.
        kams: vec![
            KamSummary {
                name: "Sin asignar".into(),
                email: None,
                key_accounts: 1,
                sales: 0.0,
                unassigned: true,
            },
            KamSummary {
                name: "Bruno Díaz".into(),
                email: None,
                key_accounts: 1,
                sales: 150_000.0,
                unassigned: false,
            },
            KamSummary {
                name: "carlos Ruiz".into(),
                email: None,
                key_accounts: 0,
                sales: 0.0,
                unassigned: false,
            },
            KamSummary {
                name: "Ana Pérez".into(),
                email: Some("ana@example.com".into()),
                key_accounts: 2,
                sales: 700_000.0,
                unassigned: false,
            },
        ],
        new_key: vec!["C003".into()],
        lost_key: vec!["C004".into()],
        warnings: vec!["1 key account has no KAM".into()],
        focus: Vec::new(),
    }
}

fn act(date: &str, customer: &str, kind: Option<&str>, notes: Option<&str>) -> Activity {
    Activity {
        date: d(date),
        customer: customer.into(),
        kind: kind.map(Into::into),
        notes: notes.map(Into::into),
        kam: Some("Ana Pérez".into()),
    }
}

pub fn dataset() -> Dataset {
    let directory = vec![KamContact {
        name: "Bruno Díaz".into(),
        email: Some("bruno@example.com".into()),
        manager: Some("Carla Ruiz <carla@example.com>".into()),
        region: None,
    }];
    let activities = vec![
        // C001: meetings 1 and 2 done, a close tried and postponed, then calls; last contact
        // 15/09 → call due 15/10, overdue.
        act("2026-05-12", "C001", Some("Reunión competencia"), Some("Competidor X ofreció un 5 % menos")),
        act(
            "2026-03-10",
            "C001",
            Some("Reunión decisores"),
            Some("Decide Luis Marín (compras); firma <Eva> Sanz"),
        ),
        act("2026-06-01", "C001", Some("Llamada"), None),
        act("2026-07-20", "C001", Some("Reunión cierre"), Some("Cierre aplazado: revisar precios")),
        act("2026-09-15", "C001", Some("Llamada de seguimiento"), None),
        // C002: five contacts in October, above the cap of four.
        act("2026-10-02", "C002", Some("Llamada"), None),
        act("2026-10-03", "C002", Some("Email"), None),
        act("2026-10-05", "C002", Some("Visita"), Some("=HYPERLINK(\"x\")")),
        act("2026-10-06", "C002", Some("Llamada"), None),
        act("2026-10-07", "C002", Some("Llamada"), None),
        // Outside the window or after P: ignored.
        act("2024-01-10", "C001", Some("Visita"), None),
        act("2026-11-02", "C001", Some("Visita"), None),
        act("2026-10-01", "C999", Some("Visita"), None),
    ];
    Dataset { directory, activities, ..Dataset::default() }
}

pub fn config() -> Config {
    let mut cfg = Config::default();
    cfg.plan.target_growth_by_reason = BTreeMap::from([("growth".into(), 0.15), ("strategic".into(), 0.10)]);
    cfg
}

/// The plans of a classification with the fixture's books, log and config.
pub fn build_with(c: &Classification, lang: &crate::lang::Lang) -> super::Plans {
    let data = dataset();
    super::build(c, &data, &super::Inputs::from_dataset(&data), &config(), lang)
}
