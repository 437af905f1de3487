//! The `check` report: what was read from each sheet, as text for a person or JSON for a program.

use std::collections::BTreeSet;
use std::fmt::Write;

use super::{Dataset, IngestReport, Reject, Role, SheetReport};

/// How many rejects are listed per sheet in the text report.
pub const REJECTS_SHOWN: usize = 20;

/// A number grouped by thousands: `1.234.567,89` (`comma` true) or `1,234,567.89`.
pub fn number(v: f64, decimals: usize, comma: bool) -> String {
    crate::lang::group_number(v, decimals, comma)
}

fn count(n: u64, comma: bool) -> String {
    number(n as f64, 0, comma)
}

/// `1 customer`, `2 customers`.
fn many(n: u64, one: &str, other: &str, comma: bool) -> String {
    format!("{} {}", count(n, comma), if n == 1 { one } else { other })
}

fn money(v: f64, comma: bool, currency: &str) -> String {
    if comma {
        format!("{} {currency}", number(v, 2, true))
    } else {
        format!("{currency}{}", number(v, 2, false))
    }
}

fn role_name(r: Role) -> &'static str {
    match r {
        Role::Sales => "sales lines",
        Role::MonthlySales => "monthly sales (wide)",
        Role::MonthlyMargin => "monthly margin (wide)",
        Role::Master => "customer master",
        Role::Directory => "KAM directory",
        Role::Territory => "territory directory (KAM by region, no emails)",
        Role::Activity => "activity log",
        Role::Returns => "returns",
        Role::Skipped => "skipped",
    }
}

/// What one record of a sheet role is called: (one, many).
fn records_name(r: Role) -> (&'static str, &'static str) {
    match r {
        Role::Sales => ("line", "lines"),
        Role::Master | Role::MonthlySales | Role::MonthlyMargin => ("customer", "customers"),
        Role::Directory | Role::Territory => ("KAM", "KAMs"),
        Role::Activity => ("contact", "contacts"),
        Role::Returns => ("returned order", "returned orders"),
        Role::Skipped => ("record", "records"),
    }
}

fn sheet_text(out: &mut String, s: &SheetReport, comma: bool, currency: &str) {
    let _ = writeln!(out, "{}{}", s.place(), if s.hidden { " (hidden)" } else { "" });
    if s.role == Role::Skipped {
        for n in &s.notices {
            let _ = writeln!(out, "  {n}");
        }
        return;
    }
    let _ = writeln!(out, "  role      {}, header in row {}", role_name(s.role), s.header_row.unwrap_or(0));
    let cols: Vec<String> = s.columns.iter().map(|(k, v)| format!("{k} {v}")).collect();
    let _ = writeln!(out, "  columns   {}", cols.join(" · "));
    if let Some(w) = &s.wide {
        wide_text(out, w);
    }
    if !s.unused_columns.is_empty() {
        let _ = writeln!(out, "  not used  {}", s.unused_columns.join(" · "));
    }
    if let Some(d) = &s.decimal {
        let _ = writeln!(out, "  decimal   {d}");
    }
    let mut skipped = count(s.skipped, comma) + " skipped";
    if !s.skipped_by_reason.is_empty() {
        let parts: Vec<String> =
            s.skipped_by_reason.iter().map(|(k, n)| format!("{} {k}", count(*n, comma))).collect();
        skipped = format!("{skipped} ({})", parts.join(", "));
    }
    let _ = writeln!(
        out,
        "  rows      {} = {} + {} + {} rejected",
        count(s.rows, comma),
        many(s.transactions, records_name(s.role).0, records_name(s.role).1, comma),
        skipped,
        count(s.rejected, comma)
    );
    if s.role == Role::Sales {
        let _ = writeln!(
            out,
            "  amount    {} (returns included as negative lines)",
            money(s.amount_total, comma, currency)
        );
    }
    if let (Role::MonthlySales, Some(w)) = (s.role, &s.wide) {
        let _ = writeln!(
            out,
            "  amount    {} in {} (a transaction each, dated on the month's last day)",
            money(s.amount_total, comma, currency),
            many(w.kept, "customer-month", "customer-months", comma)
        );
    }
    if s.rejects.len() > 1 {
        // At a glance: how many rows for each reason, most frequent first.
        let mut by: Vec<(String, u64)> = Vec::new();
        for r in &s.rejects {
            let key = format!("{}: {}", r.column, r.reason);
            match by.iter_mut().find(|(k, _)| *k == key) {
                Some(e) => e.1 += 1,
                None => by.push((key, 1)),
            }
        }
        by.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let parts: Vec<String> = by.iter().map(|(k, n)| format!("{} × {k}", count(*n, comma))).collect();
        let _ = writeln!(out, "  why       {}", parts.join(" · "));
    }
    for (i, r) in s.rejects.iter().take(REJECTS_SHOWN).enumerate() {
        let letter = r.column.split(' ').next().unwrap_or("");
        let header =
            r.column.get(letter.len()..).unwrap_or("").trim().trim_start_matches('(').trim_end_matches(')');
        let label = if i == 0 { "rejected" } else { "" };
        let _ = writeln!(out, "  {label:<9} {}  {header} = {:?}: {}", location(r), r.value, r.reason);
    }
    if s.rejects.len() > REJECTS_SHOWN {
        let _ = writeln!(
            out,
            "            and {} more (kamplan check --format json lists them all)",
            count((s.rejects.len() - REJECTS_SHOWN) as u64, comma)
        );
    }
    for n in &s.notices {
        let _ = writeln!(out, "  note      {n}");
    }
}

/// Where a reject is, as the user finds it: `ventas.xlsx › Ene-26 › F214` in a workbook,
/// `ventas.csv › row 214 › F` in a text file (no sheets; the column letter as a spreadsheet
/// opening it shows).
pub fn location(r: &Reject) -> String {
    let letter = r.column.split(' ').next().unwrap_or("");
    if r.sheet.is_empty() {
        format!("{} › row {} › {letter}", r.file, r.row)
    } else {
        format!("{} › {} › {letter}{}", r.file, r.sheet, r.row)
    }
}

/// A list of month columns: all of them when few, else the first and the last.
fn month_list(ms: &[String]) -> String {
    match ms {
        [] => String::new(),
        [a, b, c] => format!("3: {a} · {b} · {c}"),
        [a] => format!("1: {a}"),
        [a, b] => format!("2: {a} · {b}"),
        [a, .., z] => format!("{}: {a} … {z}", ms.len()),
    }
}

/// The month, total and ignored columns of a monthly sheet.
fn wide_text(out: &mut String, w: &super::WideReport) {
    if !w.months.is_empty() {
        let _ = writeln!(out, "  months    {}", month_list(&w.months));
    }
    if !w.margin_months.is_empty() {
        let _ = writeln!(out, "  margin    {}", month_list(&w.margin_months));
    }
    if !w.cost_months.is_empty() {
        let _ = writeln!(out, "  cost      {}", month_list(&w.cost_months));
    }
    if let Some(y) = &w.year {
        let _ = writeln!(out, "  year      month names take the year from {y}");
    }
    for t in &w.totals {
        let _ = writeln!(out, "  total     {t}");
    }
    for t in &w.ignored {
        let _ = writeln!(out, "  ignored   {t}");
    }
}

/// The text report: every sheet (hidden sheets without a role left out), then the totals.
/// `settings` names where the settings came from (`kamplan.toml`, or the defaults).
pub fn text(ds: &Dataset, comma: bool, currency: &str, settings: &str) -> String {
    let rep: &IngestReport = &ds.report;
    let mut out = String::new();
    let shown: Vec<&SheetReport> =
        rep.sheets.iter().filter(|s| !(s.hidden && s.role == Role::Skipped)).collect();
    let _ = writeln!(
        out,
        "kamplan check: {}, {} · {settings}\n",
        many(rep.files.len() as u64, "file", "files", comma),
        many(shown.len() as u64, "sheet", "sheets", comma)
    );
    for s in &shown {
        sheet_text(&mut out, s, comma, currency);
        out.push('\n');
    }
    let _ = writeln!(out, "total");
    let _ = writeln!(
        out,
        "  rows      {} = {} records + {} skipped + {} rejected",
        count(rep.rows, comma),
        count(rep.transactions, comma),
        count(rep.skipped, comma),
        count(rep.rejected, comma)
    );
    let t = &ds.transactions;
    let customers: BTreeSet<_> = t.iter().map(|x| x.customer).collect();
    let kams: BTreeSet<_> = t.iter().filter_map(|x| x.kam).collect();
    let returns = t.iter().filter(|x| x.amount < 0.0).count() as u64;
    // After the returns sheets, when there are any: what the plans will count.
    let total: f64 = if rep.returns.is_some() { t.iter().map(|x| x.amount).sum() } else { rep.amount_total };
    let _ = write!(
        out,
        "  sales     {}, {}, {}, {}, {}",
        many(t.len() as u64, "line", "lines", comma),
        money(total, comma, currency),
        many(customers.len() as u64, "customer", "customers", comma),
        many(kams.len() as u64, "KAM", "KAMs", comma),
        many(returns, "return", "returns", comma)
    );
    if let (Some(first), Some(last)) = (t.iter().map(|x| x.date).min(), t.iter().map(|x| x.date).max()) {
        let _ = write!(out, ", {first} to {last}");
    }
    out.push('\n');
    if !ds.master.is_empty() {
        let strategic = ds.master.iter().filter(|m| m.strategic).count() as u64;
        let _ = writeln!(
            out,
            "  master    {}, {} strategic",
            many(ds.master.len() as u64, "customer", "customers", comma),
            count(strategic, comma)
        );
    }
    if !ds.directory.is_empty() {
        let _ = writeln!(out, "  directory {}", many(ds.directory.len() as u64, "KAM", "KAMs", comma));
    }
    if let Some(r) = &rep.returns {
        let netted = r.orders.iter().filter(|o| o.how == "netted").count() as u64;
        let mut line = format!(
            "  returns   {} returned, {} removed ({} taken out",
            many(r.orders.len() as u64, "order", "orders", comma),
            money(r.amount_removed, comma, currency),
            many(r.lines_removed, "line", "lines", comma)
        );
        if netted > 0 {
            let _ = write!(line, ", {} netted by amount", many(netted, "order", "orders", comma));
        }
        line.push(')');
        if !r.unmatched.is_empty() {
            let _ = write!(line, "; {} match no sales line", count(r.unmatched.len() as u64, comma));
        }
        if r.not_returned > 0 {
            let _ = write!(line, "; {} marked not returned", count(r.not_returned, comma));
        }
        let _ = writeln!(out, "{line}");
    }
    if !ds.activities.is_empty() {
        let _ =
            writeln!(out, "  activity  {}", many(ds.activities.len() as u64, "contact", "contacts", comma));
    }
    for w in &rep.warnings {
        let _ = writeln!(out, "  warning   {w}");
    }
    for n in &rep.notes {
        let _ = writeln!(out, "  note      {n}");
    }
    if rep.rejected > 0 {
        let _ = writeln!(
            out,
            "\n{} rejected and left out: fix them in the books, or they stay out of every plan",
            many(rep.rejected, "row", "rows", comma)
        );
    } else {
        let _ = writeln!(out, "\nnothing rejected: every row is a record or a skipped row");
    }
    out
}

/// The whole report as JSON, rejects as `{"file","sheet","row","column","value","reason"}`.
pub fn json(rep: &IngestReport) -> String {
    serde_json::to_string_pretty(rep).unwrap_or_else(|e| format!("{{\"error\": {:?}}}", e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_group_thousands_in_both_locales() {
        for (v, d, comma, want) in [
            (1234567.891, 2, true, "1.234.567,89"),
            (1234567.891, 2, false, "1,234,567.89"),
            (-1234.5, 2, true, "-1.234,50"),
            (999.0, 0, true, "999"),
            (1000.0, 0, true, "1.000"),
            (-0.001, 2, true, "0,00"),
            (0.0, 0, false, "0"),
        ] {
            assert_eq!(number(v, d, comma), want, "{v}");
        }
    }
}
