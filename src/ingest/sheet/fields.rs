//! A row's values as the row loop reads them: dates, amounts (with the sheet's decimal
//! separator, bounded and finite), optional numbers, and customers and names interned.

use super::*;

impl SheetReader<'_> {
    /// The row's date, or the reason it has none.
    pub(super) fn date(&self, v: &Val<'_>) -> Result<NaiveDate, String> {
        match v {
            Val::Date(d) => Ok(d.date()),
            Val::Num(n) => value::number_as_date(*n).ok_or_else(|| "expected a date, found a number".into()),
            Val::Text(s) if s.trim().is_empty() => Err("date is blank".into()),
            Val::Text(s) => value::parse_text_date(s, self.cfg.ingest.date_order)
                .ok_or_else(|| "expected a date, found text that is no valid date".into()),
            Val::Empty => Err("date is blank".into()),
            Val::Error(e) => Err(format!("excel error {e} in the date")),
            Val::Bad { why, .. } => Err((*why).into()),
            Val::BadDate(_) => Err("expected a date, found a time or duration".into()),
            Val::Bool(_) => Err("expected a date, found TRUE/FALSE".into()),
        }
    }

    /// A number cell or text number; `Ok(None)` when blank. Ambiguous text numbers give
    /// `Ok(Some(Err((comma, dot))))` to be resolved at the end of the sheet.
    #[allow(clippy::type_complexity)]
    pub(super) fn number(
        &mut self,
        col: Col,
        v: &Val<'_>,
    ) -> Result<Option<Result<f64, (f64, f64)>>, String> {
        let n = self.raw_number(col, v)?;
        // NaN, infinities (`1e309`, 309 digits) and implausible values (a pasted EAN) are
        // rejected here, so no sum downstream ever sees them.
        let worst = match n {
            Some(Ok(x)) => x.abs(),
            Some(Err((comma, dot))) => comma.abs().max(dot.abs()),
            None => 0.0,
        };
        if worst.is_nan() || worst.is_infinite() {
            return Err("not a finite number".into());
        }
        let bound = self.cfg.ingest.max_amount;
        if worst > bound {
            return Err(format!(
                "{} is beyond the plausible bound of {} (set by [ingest] max_amount)",
                value::plain_number(worst),
                value::plain_number(bound)
            ));
        }
        Ok(n)
    }

    #[allow(clippy::type_complexity)]
    pub(super) fn raw_number(
        &mut self,
        col: Col,
        v: &Val<'_>,
    ) -> Result<Option<Result<f64, (f64, f64)>>, String> {
        match v {
            Val::Num(n) => Ok(Some(Ok(*n))),
            Val::Empty => Ok(None),
            Val::Text(s) if s.trim().is_empty() => Ok(None),
            Val::Text(s) => match value::parse_text_number(s) {
                TextNum::Value(n, dec) => {
                    self.text_numbers += 1;
                    if let Some(d) = dec {
                        self.evidence[col as usize][(d == Dec::Dot) as usize] += 1;
                    }
                    Ok(Some(Ok(n)))
                }
                TextNum::Ambiguous { comma, dot } => {
                    self.text_numbers += 1;
                    Ok(Some(Err((comma, dot))))
                }
                TextNum::SignConflict => {
                    Err("a minus inside parentheses: a negative or a positive number? write -5 or (5)".into())
                }
                TextNum::Invalid => Err("expected a number, found text".into()),
            },
            Val::Error(e) => Err(format!("excel error {e}")),
            Val::Bad { why, .. } => Err((*why).into()),
            Val::Date(_) | Val::BadDate(_) => Err("expected a number, found a date".into()),
            Val::Bool(_) => Err("expected a number, found TRUE/FALSE".into()),
        }
    }

    /// An optional number: NaN when blank; unreadable values are noted, never read as zero.
    pub(super) fn optional_number(&mut self, r: u32, col: Col, v: &Val<'_>, index: usize) -> f64 {
        if !self.mapping.has(col) {
            return f64::NAN;
        }
        match self.number(col, v) {
            Ok(None) => f64::NAN,
            Ok(Some(Ok(n))) => n,
            Ok(Some(Err((comma, dot)))) => {
                self.pending.push(Pending { index, col, comma, dot });
                f64::NAN
            }
            Err(_) => {
                self.optional_bad(r, col, v);
                f64::NAN
            }
        }
    }

    /// The customer identity and display spelling; `Err` rejects the row.
    pub(super) fn customer(
        &mut self,
        r: u32,
        f: &[Val<'_>; NCOLS],
        ctx: &mut Ctx,
    ) -> Result<(Sym, Option<Sym>), ()> {
        for col in [Col::CustomerId, Col::CustomerName] {
            if let Val::Error(e) = &f[col as usize] {
                self.reject(r, col, &f[col as usize], format!("excel error {e} in the customer"));
                return Err(());
            }
        }
        // Only text and empty cells are cached; their raw text decides the result.
        let raw = |c: Col| match &f[c as usize] {
            Val::Text(s) => Some(*s),
            Val::Empty => Some(""),
            _ => None,
        };
        if let (Some(rc), Some(rn), Some(hit)) =
            (raw(Col::CustomerId), raw(Col::CustomerName), ctx.last_customer.2)
        {
            if ctx.last_customer.0 == rc && ctx.last_customer.1 == rn {
                if let (key, Some(s)) = hit {
                    *ctx.spellings.entry((key, s)).or_insert(0) += 1;
                }
                return Ok(hit);
            }
        }
        let code = f[Col::CustomerId as usize].text();
        let name = f[Col::CustomerName as usize].text();
        if code.is_none() && name.is_none() {
            let col = if self.mapping.has(Col::CustomerId) { Col::CustomerId } else { Col::CustomerName };
            self.reject(r, col, &f[col as usize], "customer is blank (no code and no name)".into());
            return Err(());
        }
        let Ctx { ds, key_buf, name_buf, .. } = ctx;
        key_buf.clear();
        match &code {
            Some(c) => keys::code_key_into(key_buf, c),
            None => keys::name_key_into(key_buf, name.as_deref().unwrap_or("")),
        }
        let key = ds.strings.intern(key_buf);
        let spelling = name.as_deref().map(|n| {
            name_buf.clear();
            collapse_into(name_buf, n);
            ds.strings.intern(name_buf)
        });
        if let Some(s) = spelling {
            *ctx.spellings.entry((key, s)).or_insert(0) += 1;
        }
        if let (Some(rc), Some(rn)) = (raw(Col::CustomerId), raw(Col::CustomerName)) {
            ctx.last_customer.0.clear();
            ctx.last_customer.0.push_str(rc);
            ctx.last_customer.1.clear();
            ctx.last_customer.1.push_str(rn);
            ctx.last_customer.2 = Some((key, spelling));
        }
        Ok((key, spelling))
    }

    pub(super) fn sym(ctx: &mut Ctx, col: Col, v: &Val<'_>) -> Option<Sym> {
        if let Val::Text(raw) = v {
            let last = &ctx.last[col as usize];
            if last.set && last.raw == *raw {
                return last.sym;
            }
        }
        let t = v.text();
        let sym = t.map(|t| {
            let Ctx { ds, name_buf, .. } = &mut *ctx;
            name_buf.clear();
            collapse_into(name_buf, &t);
            ds.strings.intern(name_buf)
        });
        if let Val::Text(raw) = v {
            let last = &mut ctx.last[col as usize];
            last.raw.clear();
            last.raw.push_str(raw);
            last.sym = sym;
            last.set = true;
        }
        sym
    }

    /// The decimal separator for ambiguous numbers of `col`, and where it came from.
    pub(super) fn decide(&self, col: Col) -> (Dec, &'static str) {
        if let Some(d) = self.cfg.ingest.decimal {
            return (if d == '.' { Dec::Dot } else { Dec::Comma }, "set in config ingest.decimal");
        }
        let pick = |e: [u32; 2]| match e[0].cmp(&e[1]) {
            std::cmp::Ordering::Greater => Some(Dec::Comma),
            std::cmp::Ordering::Less => Some(Dec::Dot),
            std::cmp::Ordering::Equal => None,
        };
        if let Some(d) = pick(self.evidence[col as usize]) {
            return (d, "shown by the column's other values");
        }
        let mut all = [0u32; 2];
        for e in &self.evidence {
            all[0] += e[0];
            all[1] += e[1];
        }
        if let Some(d) = pick(all) {
            return (d, "shown by the sheet's other values");
        }
        (Dec::Comma, "default (Spanish)")
    }
}

/// Appends `s` trimmed with inner whitespace collapsed, without allocating: how names and
/// KAMs are spelled.
pub fn collapse_into(out: &mut String, s: &str) {
    for (i, w) in s.split_whitespace().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(w);
    }
}
