//! All the inputs into one dataset: every book read in parallel into its own context, merged
//! in file order, then monthly cells resolved, returns applied, display names chosen, joins
//! checked and the cross-sheet warnings given.

use super::*;

/// The `[columns]` entries that name no header of any sheet read: `"No existe"` for amount is a
/// typo or a header from another book, never something to ignore silently.
fn unmatched_columns(cfg: &crate::config::Config, sheets: &[SheetReport]) -> Result<(), IngestError> {
    let header = |cell: &String| cell.split_once(" (").map(|(_, h)| h.trim_end_matches(')').to_string());
    let seen: Vec<String> = sheets
        .iter()
        .flat_map(|s| s.columns.iter().map(|(_, c)| c).chain(&s.unused_columns))
        .filter_map(header)
        .collect();
    for (role, wanted) in &cfg.columns {
        let key = header::normalize(wanted);
        if seen.iter().any(|h| header::normalize(h) == key) {
            continue;
        }
        let mut known: Vec<&str> = seen.iter().map(String::as_str).collect();
        known.sort_unstable();
        known.dedup();
        let hint = crate::config::suggest(wanted, &known)
            .map(|s| format!("; did you mean {s:?}?"))
            .unwrap_or_default();
        return Err(IngestError::Columns(format!(
            "config: [columns] {role} = {wanted:?} matches no header in the books{hint}"
        )));
    }
    Ok(())
}

/// Appends one file's records to `into`, re-interning its symbols.
fn merge(into: &mut sheet::Ctx, local: sheet::Ctx) {
    let d = &into.ds;
    let empty = d.strings.is_empty()
        && d.transactions.is_empty()
        && d.master.is_empty()
        && d.directory.is_empty()
        && d.activities.is_empty()
        && d.returns.is_empty()
        && d.report.sheets.is_empty()
        && into.wide.is_empty()
        && into.spellings.is_empty();
    if empty {
        // The first file is taken as it is: no copy of a million lines.
        *into = local;
        return;
    }
    let sheet::Ctx { ds, spellings, wide, .. } = local;
    let map: Vec<Sym> = ds.strings.iter().map(|s| into.ds.strings.intern(s)).collect();
    let m = |s: Sym| map[s.0.get() as usize - 1];
    // Monthly cells name their sheet by its index: after the sheets already merged.
    let offset = into.ds.report.sheets.len() as u32;
    into.wide.extend(wide.into_iter().map(|c| sheet::wide::WideCell {
        customer: m(c.customer),
        name: c.name.map(m),
        kam: c.kam.map(m),
        region: c.region.map(m),
        product: c.product.map(m),
        segment: c.segment.map(m),
        sheet: c.sheet + offset,
        ..c
    }));
    into.ds.transactions.extend(ds.transactions.into_iter().map(|t| Txn {
        customer: m(t.customer),
        customer_name: t.customer_name.map(m),
        kam: t.kam.map(m),
        product: t.product.map(m),
        region: t.region.map(m),
        order: t.order.map(m),
        ..t
    }));
    for ((k, n), c) in spellings {
        *into.spellings.entry((m(k), m(n))).or_insert(0) += c;
    }
    into.ds.master.extend(ds.master);
    into.ds.directory.extend(ds.directory);
    into.ds.activities.extend(ds.activities);
    into.ds.returns.extend(ds.returns);
}

/// Cross-sheet findings: identities that cannot join, sales without salesperson.
fn warnings(ds: &Dataset, cfg: &crate::config::Config) -> Vec<String> {
    let mut out = Vec::new();
    let name = |s: &SheetReport| s.place();
    let has = |s: &SheetReport, k: &str| s.columns.iter().any(|(c, _)| c == k);
    let sales: Vec<&SheetReport> = ds.report.sheets.iter().filter(|s| s.role.is_sales()).collect();
    let by_code: Vec<String> = sales.iter().filter(|s| has(s, "customer_id")).map(|s| name(s)).collect();
    let by_name: Vec<String> = sales.iter().filter(|s| !has(s, "customer_id")).map(|s| name(s)).collect();
    if !by_code.is_empty() && !by_name.is_empty() {
        out.push(format!(
            "customers are keyed by code in {} but by name in {}: the same customer may count twice",
            by_code.join(", "),
            by_name.join(", ")
        ));
    }
    for m in ds.report.sheets.iter().filter(|s| s.role == Role::Master) {
        if !by_code.is_empty() && !has(m, "customer_id") {
            out.push(format!(
                "the master {} names customers without a code while the sales use codes: they will not match",
                name(m)
            ));
        }
    }
    if let Some(r) = &ds.report.returns {
        if !r.unmatched.is_empty() {
            let no_orders = !sales.iter().any(|s| has(s, "order_id"));
            let why = if no_orders { " (no sales sheet has an order column)" } else { "" };
            out.push(format!(
                "{} returned order(s) match no sales line{why}, so nothing was taken out for them: {}",
                r.unmatched.len(),
                some(&r.unmatched)
            ));
        }
    }
    let no_kam: Vec<String> = sales.iter().filter(|s| !has(s, "kam")).map(|s| name(s)).collect();
    // With a territory map to assign by, lines need no salesperson.
    let territory = !cfg.assign.map.is_empty() || ds.directory.iter().any(|d| d.region.is_some());
    let assigned = cfg.assign.by.is_some() && territory;
    // No sheet names a salesperson and the master assigns no KAM: a small firm whose owner is
    // the KAM (`[classify] owner`), as the method says — nothing to warn about.
    let owner_runs_all = no_kam.len() == sales.len()
        && !ds.master.iter().any(|m| m.kam.as_deref().is_some_and(|k| !k.trim().is_empty()));
    if !no_kam.is_empty() && !assigned && !owner_runs_all {
        out.push(format!(
            "no salesperson column in {}: those lines get their KAM from the master or [assign]",
            no_kam.join(", ")
        ));
    }
    // Monthly books: totals that differ from their months, customer-months found twice, a
    // sheet refused for want of a year.
    for s in &ds.report.sheets {
        out.extend(s.wide.iter().flat_map(|w| w.warnings.iter().cloned()));
    }
    out
}

/// The first ten items joined, then "and N more".
fn some(items: &[String]) -> String {
    let mut s = items.iter().take(10).cloned().collect::<Vec<_>>().join(", ");
    if items.len() > 10 {
        s.push_str(&format!(" and {} more", items.len() - 10));
    }
    s
}

/// Reads every input (files or folders) into a dataset.
///
/// Folders give every `.xlsx .xlsm .xlsb .xls .ods` inside them (not recursive), sorted by
/// name; Excel lock files (`~$*`) are skipped. Each sheet is read by its role (see
/// [`Role`]); every row of it ends as a record, a skipped row or a [`Reject`] in
/// `Dataset::report`.
///
/// # Errors
/// [`IngestError::File`] for the first input that cannot be read (missing, empty, corrupt,
/// truncated, password-protected, not a spreadsheet); [`IngestError::NoInput`] when the inputs
/// hold no spreadsheet; [`IngestError::NoSales`] when no sheet holds sales lines.
pub fn ingest(inputs: &[PathBuf], cfg: &crate::config::Config) -> Result<Dataset, IngestError> {
    let listed = workbook::list_inputs(inputs)?;
    let files = listed.files;
    let named = || inputs.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ");
    if files.is_empty() {
        return Err(IngestError::NoInput(named()));
    }
    // Files are read in parallel, each into its own context, then merged in file order so the
    // result (and the first error reported) does not depend on which thread finished first.
    use rayon::prelude::*;
    let parts: Vec<Result<(sheet::Ctx, workbook::FileRead), IngestError>> = files
        .par_iter()
        .map(|f| {
            let mut ctx = sheet::Ctx::default();
            let read = workbook::read_file(f, cfg, &mut ctx)?;
            Ok((ctx, read))
        })
        .collect();
    let mut ctx = sheet::Ctx::default();
    let mut notes = listed.notes;
    for (f, part) in files.iter().zip(parts) {
        let (local, read) = part?;
        merge(&mut ctx, local);
        if workbook::is_plan_report(&read.sheets) {
            ctx.ds.report.plans.push(f.display().to_string());
        }
        ctx.ds.report.files.push(f.display().to_string());
        ctx.ds.report.sheets.extend(read.sheets);
        notes.extend(read.notes);
    }
    ctx.ds.report.notes = notes;
    unmatched_columns(cfg, &ctx.ds.report.sheets)?;
    sheet::wide::resolve(&mut ctx);
    let sheet::Ctx { mut ds, spellings, .. } = ctx;
    if !ds.report.sheets.iter().any(|s| s.role.is_sales()) {
        // Say what each sheet was taken for, so the user sees which header to fix.
        let seen: Vec<String> = ds
            .report
            .sheets
            .iter()
            .filter(|s| !(s.hidden && s.role == Role::Skipped))
            .map(|s| {
                let problem = s.wide.as_ref().and_then(|w| w.problem.clone());
                let role = match s.role {
                    Role::Master => "customer master",
                    Role::Directory => "KAM directory",
                    Role::Territory => "territory directory",
                    Role::Activity => "activity log",
                    Role::Returns => "returns",
                    Role::MonthlyMargin => "monthly margin or cost without monthly sales",
                    _ => problem.as_deref().unwrap_or("no role"),
                };
                format!("{}: {role}", s.place())
            })
            .collect();
        let what = if seen.is_empty() { named() } else { format!("{} ({})", named(), seen.join("; ")) };
        return Err(IngestError::NoSales(what));
    }
    ds.report.returns = returns::apply(&mut ds);
    // Display names: the most frequent spelling per identity; ties go to the first in text order.
    let mut best: HashMap<Sym, (u32, Sym)> = HashMap::new();
    for (&(key, name), &n) in &spellings {
        let e = best.entry(key).or_insert((n, name));
        if n > e.0 || (n == e.0 && ds.strings.resolve(name) < ds.strings.resolve(e.1)) {
            *e = (n, name);
        }
    }
    ds.customer_names = best.into_iter().map(|(k, (_, v))| (k, v)).collect();
    // Master ids are interned too (so `strings.get(id)` finds customers without sales), and
    // customers only the master names still get their name.
    for i in 0..ds.master.len() {
        let (id, name) = (ds.master[i].id.clone(), ds.master[i].name.clone());
        let k = ds.strings.intern(&id);
        if let Some(name) = name {
            if !ds.customer_names.contains_key(&k) {
                let v = ds.strings.intern(&name);
                ds.customer_names.insert(k, v);
            }
        }
    }
    ds.report.unmatched = joins::check(&mut ds, cfg);
    ds.report.warnings = warnings(&ds, cfg);
    ds.report.warnings.extend(joins::warnings(&ds.report.unmatched));
    let r = &mut ds.report;
    for s in &r.sheets {
        r.rows += s.rows;
        r.transactions += s.transactions;
        r.skipped += s.skipped;
        r.rejected += s.rejected;
        r.amount_total += s.amount_total;
    }
    Ok(ds)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Writes a book of (sheet, rows of text cells; "" = empty) with rust_xlsxwriter.
    fn book(path: &std::path::Path, sheets: &[(&str, &[&[&str]])]) {
        let mut wb = rust_xlsxwriter::Workbook::new();
        for (name, rows) in sheets {
            let ws = wb.add_worksheet().set_name(*name).unwrap();
            for (r, row) in rows.iter().enumerate() {
                for (c, v) in row.iter().enumerate() {
                    if let Ok(n) = v.parse::<f64>() {
                        ws.write_number(r as u32, c as u16, n).unwrap();
                    } else if !v.is_empty() {
                        ws.write_string(r as u32, c as u16, *v).unwrap();
                    }
                }
            }
        }
        wb.save(path).unwrap();
    }

    #[test]
    fn sales_master_and_activity_join_on_one_identity() {
        let dir = tempfile::tempdir().unwrap();
        let sales: &[&[&str]] = &[
            &["Fecha", "Cód. cliente", "Cliente", "Comercial", "Importe"],
            &["2026-01-05", "C1", "Acme S.A.", "Ana", "10"],
            &["2026-01-06", "C1", "ACME  SA", " ", "10"],
            &["2026-01-07", "C1", "Acme S.A.", "Ana", "-5"],
            &["2026-01-08", "", "Beta  SL ", "Ana", "1"],
        ];
        let master: &[&[&str]] = &[
            &["Código cliente", "Razón social", "Estratégico"],
            &["C1", "Acme Sociedad Anónima", "Sí"],
            &["C9", "Solo Maestro", "No"],
        ];
        let dirs: &[&[&str]] = &[&["Nombre", "Email", "Zona"], &["Ana", "ana@example.com", "Norte"]];
        let acts: &[&[&str]] = &[&["Fecha", "Cód. cliente", "Tipo"], &["2026-01-09", "C1", "Visita"]];
        let p = dir.path().join("b.xlsx");
        book(&p, &[("Ventas", sales), ("Clientes", master), ("KAMs", dirs), ("Visitas", acts)]);
        let ds = ingest(&[p], &crate::config::Config::default()).unwrap();
        assert_eq!(ds.transactions.len(), 4);
        let acme = ds.strings.get("C1").unwrap();
        assert!(ds.transactions[..3].iter().all(|t| t.customer == acme));
        assert_eq!(ds.customer_name(acme), "Acme S.A.", "the most frequent spelling");
        assert_eq!(ds.transactions[1].kam, None, "a blank salesperson is no KAM");
        // No code on the line: the normalised name is the identity, the spelling is shown.
        let beta = ds.transactions[3].customer;
        assert_eq!(ds.strings.resolve(beta), "beta sl");
        assert_eq!(ds.customer_name(beta), "Beta SL");
        assert_eq!(ds.master[0].id, "C1");
        assert!(ds.master[0].strategic && !ds.master[1].strategic);
        let solo = ds.strings.get("C9").expect("master ids are interned");
        assert_eq!(ds.customer_name(solo), "Solo Maestro");
        assert_eq!(ds.activities[0].customer, "C1");
        assert_eq!(ds.directory[0].region.as_deref(), Some("Norte"));
        assert_eq!(ds.report.amount_total, 16.0);
        assert_eq!(ds.report.rows, ds.report.transactions + ds.report.skipped + ds.report.rejected);
    }

    #[test]
    fn several_files_merge_in_order_whatever_comes_first() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.xlsx");
        let b = dir.path().join("b.xlsx");
        let c = dir.path().join("c.xlsx");
        book(&a, &[("KAMs", &[&["Comercial", "Email"], &["Ana", "ana@example.com"]])]);
        book(&b, &[("Ventas", &[&["Fecha", "Cliente", "Importe"], &["2026-01-05", "Beta", "2"]])]);
        book(
            &c,
            &[(
                "Ventas",
                &[
                    &["Fecha", "Cliente", "Importe"],
                    &["2026-01-06", "Acme", "3"],
                    &["2026-01-07", "BETA", "4"],
                ],
            )],
        );
        let ds = ingest(&[a, b, c], &crate::config::Config::default()).unwrap();
        assert_eq!(ds.directory.len(), 1);
        let names: Vec<&str> = ds.transactions.iter().map(|t| ds.customer_name(t.customer)).collect();
        // Beta and BETA are one customer; on a tie the first spelling in text order is shown.
        assert_eq!(names, ["BETA", "Acme", "BETA"]);
        assert_eq!(ds.transactions[0].customer, ds.transactions[2].customer);
        assert_eq!(ds.report.files.len(), 3);
    }
}
