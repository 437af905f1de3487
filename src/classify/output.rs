//! Output of `kamplan classify`: the terminal table, the CSV and the stable JSON.
//!
//! The JSON is the interface other tools and the tests use:
//!
//! ```text
//! {"period", "window": {"from", "to"},
//!  "totals": {"sales", "margin", "accounts", "key_accounts", ...},
//!  "concentration": {"pareto_accounts_share", "top1_share", "top5_share", "hhi", "reading"},
//!  "accounts": [{"id", "name", "kam", "sales", "prior_sales", "growth", "margin", "margin_pct",
//!                "share", "cumulative_share", "rank", "abc", "key", "reasons", "explanation",
//!                "was_key", "last_purchase", ...}],
//!  "kams": [{"name", "email", "key_accounts", "sales"}],
//!  "ingest": {"rows", "transactions", "skipped", "rejected"}}
//! ```
//!
//! Numbers are plain JSON numbers (shares as fractions, 0.412 = 41.2 %), dates `YYYY-MM-DD`,
//! months `YYYY-MM`, and `null` where a value is not available. Extra keys may be added; the
//! keys above stay.

use serde_json::{json, Value};

use super::{Account, Classification, Reason};
use crate::ingest::IngestReport;
use crate::lang::Lang;

/// The stable JSON document of a classification and the ingest counts.
pub fn json(c: &Classification, report: &IngestReport) -> Value {
    json!({
        "period": c.period.to_string(),
        "window": {"from": c.window.from.to_string(), "to": c.window.to.to_string()},
        "prior_window": {"from": c.prior_window.from.to_string(), "to": c.prior_window.to.to_string()},
        "growth_available": c.growth_available,
        "totals": {
            "sales": c.totals.sales,
            "net_sales": c.totals.net_sales,
            "margin": c.totals.margin,
            "accounts": c.totals.accounts,
            "active_accounts": c.totals.active_accounts,
            "key_accounts": c.totals.key_accounts,
        },
        "concentration": {
            "pareto_accounts_share": c.concentration.pareto_accounts_share,
            "top1_share": c.concentration.top1_share,
            "top5_share": c.concentration.top5_share,
            "hhi": c.concentration.hhi,
            "reading": c.concentration.reading,
        },
        "accounts": c.accounts.iter().map(account_json).collect::<Vec<_>>(),
        "kams": c.kams.iter().map(|k| json!({
            "name": k.name,
            "email": k.email,
            "key_accounts": k.key_accounts,
            "sales": k.sales,
            "unassigned": k.unassigned,
        })).collect::<Vec<_>>(),
        "new_key": c.new_key,
        "lost_key": c.lost_key,
        "focus": c.focus,
        "warnings": c.warnings,
        "ingest": {
            "rows": report.rows,
            "transactions": report.transactions,
            "skipped": report.skipped,
            "rejected": report.rejected,
        },
    })
}

fn account_json(a: &Account) -> Value {
    json!({
        "id": a.id,
        "name": a.name,
        "kam": a.kam,
        "kam_source": a.kam_source,
        "sales": a.sales,
        "prior_sales": a.prior_sales,
        "growth": a.growth,
        "new_account": a.new_account,
        "margin": a.margin,
        "margin_pct": a.margin_pct,
        "share": a.share,
        "cumulative_share": a.cumulative_share,
        "rank": a.rank,
        "abc": format!("{:?}", a.abc),
        "key": a.key,
        "reasons": a.reasons.iter().map(|r| r.as_str()).collect::<Vec<_>>(),
        "explanation": a.explanation,
        "was_key": a.was_key,
        "no_longer_key": a.no_longer_key,
        "first_purchase": a.first_purchase.map(|d| d.to_string()),
        "last_purchase": a.last_purchase.map(|d| d.to_string()),
        "days_since": a.days_since,
        "trend": a.trend,
        "trend_basis": a.trend_basis.map(|b| b.as_str()),
        "exposure_sales": a.exposure_sales,
        "exposure_margin": a.exposure_margin,
        "strategic": a.strategic,
        "potential": a.potential,
        "segment": a.segment,
        "region": a.region,
    })
}

/// Column names of [`csv`], in order.
pub const CSV_HEADER: &[&str] = &[
    "id",
    "name",
    "kam",
    "kam_source",
    "sales",
    "prior_sales",
    "growth",
    "margin",
    "margin_pct",
    "share",
    "cumulative_share",
    "rank",
    "abc",
    "key",
    "reasons",
    "was_key",
    "first_purchase",
    "last_purchase",
    "days_since",
    "trend",
    "trend_basis",
    "strategic",
    "potential",
    "segment",
    "region",
    "explanation",
];

/// One row per account, in the order of the classification. Numbers with a `.` decimal point and
/// no grouping, empty cells where not available, reasons joined with `;`, explanation sentences
/// joined with ` | `.
pub fn csv(c: &Classification) -> Result<String, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(CSV_HEADER)?;
    let num = |v: Option<f64>| v.map(|x| x.to_string()).unwrap_or_default();
    for a in &c.accounts {
        w.write_record([
            a.id.clone(),
            a.name.clone(),
            a.kam.clone(),
            a.kam_source.clone(),
            a.sales.to_string(),
            a.prior_sales.to_string(),
            num(a.growth),
            num(a.margin),
            num(a.margin_pct),
            a.share.to_string(),
            a.cumulative_share.to_string(),
            a.rank.map(|r| r.to_string()).unwrap_or_default(),
            format!("{:?}", a.abc),
            a.key.to_string(),
            a.reasons.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(";"),
            a.was_key.to_string(),
            a.first_purchase.map(|d| d.to_string()).unwrap_or_default(),
            a.last_purchase.map(|d| d.to_string()).unwrap_or_default(),
            a.days_since.map(|d| d.to_string()).unwrap_or_default(),
            num(a.trend),
            a.trend_basis.map(|b| b.as_str().to_string()).unwrap_or_default(),
            a.strategic.to_string(),
            num(a.potential),
            a.segment.clone().unwrap_or_default(),
            a.region.clone().unwrap_or_default(),
            a.explanation.join(" | "),
        ])?;
    }
    let bytes = w.into_inner().map_err(|e| csv::Error::from(e.into_error()))?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// Longest account name shown in the table; longer names are cut with "…".
const NAME_WIDTH: usize = 34;

/// A readable terminal table: title, key accounts, then the other accounts, then totals,
/// concentration, new and lost key accounts and the KAMs. Labels come from the language file
/// (`classify.*`).
pub fn table(c: &Classification, lang: &Lang) -> String {
    let none = lang.get("classify.none");
    let pct = |v: Option<f64>| v.map(|x| lang.percent(x, 1)).unwrap_or_else(|| none.to_string());
    let h = |k: &str| lang.get(&format!("classify.header.{k}")).to_string();
    let header = vec![
        h("rank"),
        h("account"),
        h("kam"),
        h("sales"),
        h("share"),
        h("cumulative"),
        h("abc"),
        h("margin_pct"),
        h("growth"),
        h("last_purchase"),
        h("reasons"),
    ];
    // Numbers are right-aligned.
    let right = [true, false, false, true, true, true, false, true, true, false, false];
    let row = |a: &Account| {
        let growth = if a.new_account {
            lang.get("classify.growth_new").to_string()
        } else {
            a.growth
                .map(|g| format!("{}{}", if g > 0.0 { "+" } else { "" }, lang.percent(g, 0)))
                .unwrap_or_else(|| none.to_string())
        };
        vec![
            a.rank.map(|r| r.to_string()).unwrap_or_else(|| none.to_string()),
            // A book without codes uses the normalised name as id: no need to repeat it.
            if super::norm(&a.name) == a.id {
                cut(&a.name, NAME_WIDTH)
            } else {
                cut(&format!("{} ({})", a.name, a.id), NAME_WIDTH)
            },
            a.kam.clone(),
            lang.money(a.sales),
            if a.rank.is_some() { pct(Some(a.share)) } else { none.to_string() },
            if a.rank.is_some() { pct(Some(a.cumulative_share)) } else { none.to_string() },
            format!("{:?}", a.abc),
            pct(a.margin_pct),
            growth,
            a.last_purchase.map(|d| lang.date(d)).unwrap_or_else(|| none.to_string()),
            a.reasons.iter().map(|r| reason_word(lang, *r)).collect::<Vec<_>>().join(", "),
        ]
    };
    let key: Vec<Vec<String>> = c.accounts.iter().filter(|a| a.key).map(row).collect();
    let other: Vec<Vec<String>> = c.accounts.iter().filter(|a| !a.key).map(row).collect();
    let mut widths: Vec<usize> = header.iter().map(|s| s.chars().count()).collect();
    for r in key.iter().chain(&other) {
        for (w, cell) in widths.iter_mut().zip(r) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: &[String]| {
        let parts: Vec<String> =
            cells.iter().zip(&widths).zip(right).map(|((cell, w), r)| pad(cell, *w, r)).collect();
        parts.join("  ").trim_end().to_string() + "\n"
    };
    let rule = widths.iter().map(|w| "─".repeat(*w)).collect::<Vec<_>>().join("  ") + "\n";

    let mut out = lang.fill(
        "classify.title",
        &[
            ("period", c.period.to_string()),
            ("from", c.window.from.to_string()),
            ("to", c.window.to.to_string()),
        ],
    );
    out.push_str("\n\n");
    for (title, rows) in [("classify.key_section", &key), ("classify.other_section", &other)] {
        if rows.is_empty() && title == "classify.other_section" {
            continue;
        }
        out.push_str(&lang.fill(title, &[("count", rows.len().to_string())]));
        out.push('\n');
        out.push_str(&line(&header));
        out.push_str(&rule);
        for r in rows.iter() {
            out.push_str(&line(r));
        }
        out.push('\n');
    }
    out.push_str(&lang.fill(
        "classify.totals",
        &[
            ("sales", lang.money(c.totals.sales)),
            ("accounts", c.totals.active_accounts.to_string()),
            ("key", c.totals.key_accounts.to_string()),
            ("margin", c.totals.margin.map(|m| lang.money(m)).unwrap_or_else(|| none.to_string())),
        ],
    ));
    out.push('\n');
    let k = &c.concentration;
    out.push_str(&lang.fill(
        "classify.concentration",
        &[
            ("pareto", lang.percent(k.pareto_accounts_share, 1)),
            ("volume", lang.percent(volume_reached(c), 1)),
            ("top1", lang.percent(k.top1_share, 1)),
            ("top5", lang.percent(k.top5_share, 1)),
            ("hhi", lang.number(k.hhi, 3)),
            ("reading", k.reading_text.clone()),
        ],
    ));
    out.push('\n');
    let names = |ids: &[String]| {
        ids.iter()
            .map(|id| c.accounts.iter().find(|a| &a.id == id).map_or(id.clone(), |a| a.name.clone()))
            .collect::<Vec<_>>()
            .join(", ")
    };
    if !c.new_key.is_empty() {
        out.push_str(&lang.fill("classify.new_key", &[("list", names(&c.new_key))]));
        out.push('\n');
    }
    if !c.lost_key.is_empty() {
        out.push_str(&lang.fill("classify.lost_key", &[("list", names(&c.lost_key))]));
        out.push('\n');
    }
    if !c.kams.is_empty() {
        let list = c
            .kams
            .iter()
            .map(|k| format!("{} ({}, {})", k.name, k.key_accounts, lang.money(k.sales)))
            .collect::<Vec<_>>()
            .join("; ");
        out.push_str(&lang.fill("classify.kams", &[("list", list)]));
        out.push('\n');
    }
    out
}

/// The cumulative share of the class-A accounts (what "the accounts that make 80 %" make).
fn volume_reached(c: &Classification) -> f64 {
    c.accounts.iter().filter(|a| a.abc == super::Abc::A).map(|a| a.cumulative_share).fold(0.0, f64::max)
}

/// A reason in the output language (`reason.*`).
pub fn reason_word(lang: &Lang, r: Reason) -> String {
    lang.get(&format!("reason.{}", r.as_str())).to_string()
}

fn cut(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        s.chars().take(max - 1).collect::<String>() + "…"
    }
}

fn pad(s: &str, width: usize, right: bool) -> String {
    let fill = " ".repeat(width.saturating_sub(s.chars().count()));
    if right {
        fill + s
    } else {
        s.to_string() + &fill
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::*;
    use crate::classify::{classify, output};
    use crate::config::Config;
    use crate::lang::Lang;

    #[test]
    fn json_has_the_stable_shape() {
        let d = four();
        let c = run(&d, &Config::default(), "2026-10");
        let v = output::json(&c, &d.report);
        for k in ["period", "window", "totals", "concentration", "accounts", "kams", "ingest"] {
            assert!(v.get(k).is_some(), "{k}");
        }
        assert_eq!(v["period"], "2026-10");
        assert_eq!(v["window"]["from"], "2025-11");
        let a = &v["accounts"][0];
        for k in [
            "id",
            "name",
            "kam",
            "sales",
            "prior_sales",
            "growth",
            "margin",
            "margin_pct",
            "share",
            "cumulative_share",
            "rank",
            "abc",
            "key",
            "reasons",
            "explanation",
            "was_key",
            "last_purchase",
        ] {
            assert!(a.get(k).is_some(), "{k}");
        }
        assert_eq!(a["abc"], "A");
        assert_eq!(a["margin"], serde_json::Value::Null);
        assert_eq!(a["last_purchase"], "2025-12-01");
        assert_eq!(v["accounts"][1]["reasons"], serde_json::json!(["volume", "growth"]));
        for k in ["rows", "transactions", "skipped", "rejected"] {
            assert!(v["ingest"].get(k).is_some(), "{k}");
        }
    }

    #[test]
    fn table_and_csv_list_every_account() {
        let d = four();
        let c = run(&d, &Config::default(), "2026-10");
        let t = output::table(&c, &es());
        assert!(t.contains("Cuentas clave (3)") && t.contains("Resto de cuentas (1)"), "{t}");
        assert!(t.contains("Puesto") && t.contains("HHI"), "{t}");
        // the ids here are the normalised names: shown once
        assert!(!t.contains("(a)"), "{t}");
        let en = Lang::load("en", "€", None).unwrap();
        let t = output::table(&classify(&d, &Config::default(), m("2026-10"), &en), &en);
        assert!(t.contains("Key accounts (3)") && t.contains("€1,000.00"), "{t}");
        let csv = output::csv(&c).unwrap();
        assert_eq!(csv.lines().count(), 1 + c.accounts.len());
        assert!(csv.starts_with("id,name,kam,"));
    }
}
