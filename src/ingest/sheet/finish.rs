//! The end of a sheet: pending ambiguous numbers resolved, totals and counts checked, and the
//! sheet's report (columns, counts, rejects, notices) built.

use super::*;

impl SheetReader<'_> {
    /// Resolves pending numbers, totals the sheet and gives its report.
    pub fn finish(mut self, ctx: &mut Ctx) -> SheetReport {
        ctx.sheets_seen += 1;
        if self.phase == Phase::Choosing {
            self.settle(ctx);
        }
        let mut notices = std::mem::take(&mut self.notices);
        if self.phase == Phase::Searching {
            let problem = self.wide_problem.take();
            if let Some((p, _)) = &problem {
                notices.push(format!("skipped: {p}"));
            } else if !self.hidden {
                notices.push(format!(
                    "skipped: no header row in the first {} rows names a date, a customer and an amount (sales), \
                     a customer (master), a KAM with email (directory) or a dated contact (activity)",
                    self.cfg.ingest.header_rows
                ));
            }
            let wide = problem.map(|(p, warn)| wide::WideReport {
                warnings: if warn { vec![format!("{}: {p}", self.sheet_place())] } else { Vec::new() },
                problem: Some(p),
                ..wide::WideReport::default()
            });
            return SheetReport {
                hidden: self.hidden,
                wide,
                ..SheetReport::skipped(self.file, self.sheet, notices)
            };
        }
        // The locale of ambiguous text numbers, per column.
        let mut decisions: BTreeMap<Col, (Dec, &'static str, u64)> = BTreeMap::new();
        for p in std::mem::take(&mut self.pending) {
            let (dec, _) = self.decide(p.col);
            let v = if dec == Dec::Comma { p.comma } else { p.dot };
            decisions
                .entry(p.col)
                .or_insert_with(|| {
                    let (d, why) = self.decide(p.col);
                    (d, why, 0)
                })
                .2 += 1;
            if self.role == Role::Master {
                if p.col == Col::Potential {
                    ctx.ds.master[p.index].potential = Some(v);
                }
            } else if self.role == Role::Returns {
                ctx.ds.returns[p.index].amount = Some(v);
            } else if self.wide.is_some() {
                ctx.wide[p.index].value = v;
            } else {
                let t = &mut ctx.ds.transactions[p.index];
                match p.col {
                    Col::Amount => t.amount = v,
                    Col::Cost => t.cost = v,
                    Col::Margin => t.margin = v,
                    Col::Qty => t.qty = v,
                    _ => {}
                }
            }
        }
        let decimal = if self.text_numbers == 0 {
            None
        } else if decisions.is_empty() {
            let (comma, dot) = self.evidence.iter().fold((0, 0), |a, e| (a.0 + e[0], a.1 + e[1]));
            Some(match (comma > 0, dot > 0) {
                (true, false) => "\",\" as the text numbers show; none ambiguous".to_string(),
                (false, true) => "\".\" as the text numbers show; none ambiguous".to_string(),
                (true, true) => {
                    format!("mixed: {comma} text numbers with \",\", {dot} with \".\"; none ambiguous")
                }
                (false, false) => "text numbers are whole numbers; no decimal separator needed".to_string(),
            })
        } else {
            let parts: Vec<String> = decisions
                .iter()
                .map(|(c, (d, why, n))| {
                    let s = if decisions.len() > 1 { format!("{}: ", c.key()) } else { String::new() };
                    format!("{s}\"{}\" {why}; {n} ambiguous like 1.234 read with it", d.char())
                })
                .collect();
            Some(parts.join(" · "))
        };
        notices.extend(std::mem::take(&mut self.rivals));
        if self.disorder.0 > 0 {
            let (n, row, after) = self.disorder;
            notices.push(format!(
                "{n} row(s) out of order or repeated in the file (first: row {} after row {}); each was \
                 read once, as it came",
                row as u64 + 1,
                after as u64 + 1
            ));
        }
        if self.positive_returns.0 > 0 {
            let (n, cell, raw) = &self.positive_returns;
            let header = self.doc_type.as_ref().map(|(_, h)| h.as_str()).unwrap_or("");
            notices.push(format!(
                "{n} line(s) marked as a return or credit note in {header} have a positive amount, kept as typed \
                 (returns count only when negative; first: {cell} {raw:?})"
            ));
        }
        for (col, (n, cell, raw)) in &self.optional_bad {
            let header = self.headers.get(col).cloned().unwrap_or_default();
            notices.push(format!(
                "{n} value(s) in {} ({header}) unreadable, left empty, not zero (first: {cell} {raw:?})",
                col.key()
            ));
        }
        let amount_total = if self.role == Role::Sales {
            ctx.ds.transactions[self.start..].iter().map(|t| t.amount).sum()
        } else {
            0.0
        };
        // Columns in sheet order, as the user sees them left to right.
        let mut by_col: Vec<(&Col, &u32)> = self.mapping.cols.iter().collect();
        by_col.sort_by_key(|(_, col)| **col);
        let columns = by_col
            .into_iter()
            .map(|(c, col)| (c.key().to_string(), format!("{} ({})", col_letters(*col), self.headers[c])))
            .collect();
        let place = self.sheet_place();
        let wide = self.wide.take().map(|w| w.finish(&place));
        let skipped: u64 = self.skipped.iter().sum();
        let skipped_by_reason = SKIP_NAMES
            .iter()
            .zip(self.skipped)
            .filter(|(_, n)| *n > 0)
            .map(|(k, n)| (k.to_string(), n))
            .collect();
        SheetReport {
            file: self.file,
            sheet: self.sheet,
            role: self.role,
            hidden: self.hidden,
            header_row: Some(self.header_row + 1),
            columns,
            unused_columns: self.unused,
            decimal,
            rows: self.rows,
            transactions: self.records,
            skipped,
            rejected: self.rejects.len() as u64,
            skipped_by_reason,
            amount_total,
            rejects: self.rejects,
            notices,
            wide,
        }
    }
}
