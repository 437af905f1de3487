//! One data row into its record, by the sheet's role: a sales line, an activity, a master
//! customer, a KAM or territory entry, a returned order — or a skipped row or a reject.

use super::*;

impl SheetReader<'_> {
    /// The row's date. A row without a readable date is skipped when it is no data row (a
    /// title, a totals row), else rejected with its date cell; `None` either way.
    fn dated(&mut self, r: u32, buf: &RowBuf, f: &[Val<'_>; NCOLS], nonblank: usize) -> Option<NaiveDate> {
        match self.date(&f[Col::Date as usize]) {
            Ok(d) => Some(d),
            Err(reason) => {
                match self.non_data(buf, f, nonblank) {
                    Some(why) => self.skip(why),
                    None => self.reject(r, Col::Date, &f[Col::Date as usize], reason),
                }
                None
            }
        }
    }

    pub(super) fn sales_row(
        &mut self,
        r: u32,
        buf: &RowBuf,
        f: &[Val<'_>; NCOLS],
        nonblank: usize,
        ctx: &mut Ctx,
    ) {
        let Some(date) = self.dated(r, buf, f, nonblank) else {
            return;
        };
        let amount_v = &f[Col::Amount as usize];
        // A lone date (a day heading above that day's lines) carries no sale.
        if nonblank == 1 && amount_v.is_blank() {
            return self.skip(Skip::Title);
        }
        let amount = match self.number(Col::Amount, amount_v) {
            Ok(Some(a)) => a,
            Ok(None) => return self.reject(r, Col::Amount, amount_v, "amount is blank".into()),
            Err(reason) => return self.reject(r, Col::Amount, amount_v, reason),
        };
        let Ok((customer, customer_name)) = self.customer(r, f, ctx) else {
            return;
        };
        let index = ctx.ds.transactions.len();
        let amount = match amount {
            Ok(a) => a,
            Err((comma, dot)) => {
                self.pending.push(Pending { index, col: Col::Amount, comma, dot });
                f64::NAN
            }
        };
        let txn = Txn {
            date,
            customer,
            customer_name,
            kam: Self::sym(ctx, Col::Kam, &f[Col::Kam as usize]),
            product: Self::sym(ctx, Col::Product, &f[Col::Product as usize]),
            region: Self::sym(ctx, Col::Region, &f[Col::Region as usize]),
            amount,
            cost: self.optional_number(r, Col::Cost, &f[Col::Cost as usize], index),
            margin: self.optional_number(r, Col::Margin, &f[Col::Margin as usize], index),
            qty: self.optional_number(r, Col::Qty, &f[Col::Qty as usize], index),
            order: Self::sym(ctx, Col::OrderId, &f[Col::OrderId as usize]),
            month_total: false,
        };
        if let Some((dc, _)) = &self.doc_type {
            if txn.amount > 0.0 {
                let typed = buf.iter().find(|(c, _)| c == dc).and_then(|(_, v)| match v {
                    Val::Text(t) => Some(t),
                    _ => None,
                });
                if let Some(t) = typed.filter(|t| is_return_word(t)) {
                    let pr = &mut self.positive_returns;
                    if pr.0 == 0 {
                        pr.1 = a1(r, *dc);
                        pr.2 = t.to_string();
                    }
                    pr.0 += 1;
                }
            }
        }
        ctx.ds.transactions.push(txn);
        self.records += 1;
    }

    pub(super) fn activity_row(
        &mut self,
        r: u32,
        buf: &RowBuf,
        f: &[Val<'_>; NCOLS],
        nonblank: usize,
        ctx: &mut Ctx,
    ) {
        let Some(date) = self.dated(r, buf, f, nonblank) else {
            return;
        };
        if nonblank == 1 {
            return self.skip(Skip::Title);
        }
        let Ok((customer, _)) = self.customer(r, f, ctx) else {
            return;
        };
        let text = |c: Col| f[c as usize].text().map(|t| t.into_owned());
        ctx.ds.activities.push(Activity {
            date,
            customer: ctx.ds.strings.resolve(customer).to_string(),
            kind: text(Col::Activity),
            notes: text(Col::Notes),
            kam: text(Col::Kam),
        });
        self.records += 1;
    }

    pub(super) fn master_row(
        &mut self,
        r: u32,
        buf: &RowBuf,
        f: &[Val<'_>; NCOLS],
        nonblank: usize,
        ctx: &mut Ctx,
    ) {
        let no_customer = f[Col::CustomerId as usize].is_blank() && f[Col::CustomerName as usize].is_blank();
        if no_customer || self.header_repeat(f) {
            if let Some(why) = self.non_data(buf, f, nonblank) {
                return self.skip(why);
            }
        }
        // "Total clientes: 58" under the list: a total word where the customer goes, and no
        // code (when the sheet has codes) or nothing else on the row (when it has none).
        let totalish = |v: &Val<'_>| matches!(v, Val::Text(t) if header::normalize(t).split(' ').any(|w| TOTAL_WORDS.contains(&w)));
        let (id, name) = (&f[Col::CustomerId as usize], &f[Col::CustomerName as usize]);
        if totalish(id) || totalish(name) {
            let is_total =
                if self.mapping.has(Col::CustomerId) { id.is_blank() || totalish(id) } else { nonblank == 1 };
            if is_total {
                return self.skip(Skip::Total);
            }
        }
        let Ok((customer, spelling)) = self.customer(r, f, ctx) else {
            return;
        };
        let sv = &f[Col::Strategic as usize];
        let strategic = match sv {
            Val::Bool(b) => *b,
            Val::Num(n) => *n != 0.0,
            Val::Text(s) => value::parse_flag(s).unwrap_or_else(|| {
                self.optional_bad(r, Col::Strategic, sv);
                false
            }),
            Val::Empty => false,
            _ => {
                self.optional_bad(r, Col::Strategic, sv);
                false
            }
        };
        let index = ctx.ds.master.len();
        let potential = self.optional_number(r, Col::Potential, &f[Col::Potential as usize], index);
        let text = |c: Col| f[c as usize].text().map(|t| t.split_whitespace().collect::<Vec<_>>().join(" "));
        ctx.ds.master.push(MasterRecord {
            id: ctx.ds.strings.resolve(customer).to_string(),
            name: spelling.map(|s| ctx.ds.strings.resolve(s).to_string()),
            strategic,
            potential: (!potential.is_nan()).then_some(potential),
            kam: text(Col::Kam),
            segment: text(Col::Segment),
        });
        self.records += 1;
    }

    pub(super) fn header_repeat(&self, f: &[Val<'_>; NCOLS]) -> bool {
        let same = self
            .header_norms
            .iter()
            .filter(|(c, n)| matches!(&f[**c as usize], Val::Text(s) if header::normalize(s) == **n))
            .count();
        same >= 2.min(self.header_norms.len()) && same > 0
    }

    pub(super) fn directory_row(
        &mut self,
        r: u32,
        buf: &RowBuf,
        f: &[Val<'_>; NCOLS],
        nonblank: usize,
        ctx: &mut Ctx,
    ) {
        let _ = ctx;
        if self.header_repeat(f) {
            return self.skip(Skip::Header);
        }
        let text = |c: Col| f[c as usize].text().map(|t| t.split_whitespace().collect::<Vec<_>>().join(" "));
        let Some(name) = text(Col::Kam) else {
            if let Some(why) = self.non_data(buf, f, nonblank) {
                return self.skip(why);
            }
            return self.reject(r, Col::Kam, &f[Col::Kam as usize], "KAM name is blank".into());
        };
        ctx.ds.directory.push(KamContact {
            name,
            email: text(Col::Email),
            manager: text(Col::Manager),
            region: text(Col::Region),
        });
        self.records += 1;
    }

    /// The sheet, for messages: `file › sheet` (`file` for a CSV).
    pub(super) fn sheet_place(&self) -> String {
        if self.sheet.is_empty() {
            self.file.clone()
        } else {
            format!("{} › {}", self.file, self.sheet)
        }
    }

    /// Where a row is, for messages: `file › sheet › row 12` (`file › row 12` for a CSV).
    pub(super) fn place(&self, r: u32) -> String {
        if self.sheet.is_empty() {
            format!("{} › row {}", self.file, r + 1)
        } else {
            format!("{} › {} › row {}", self.file, self.sheet, r + 1)
        }
    }

    pub(super) fn returns_row(
        &mut self,
        r: u32,
        buf: &RowBuf,
        f: &[Val<'_>; NCOLS],
        nonblank: usize,
        ctx: &mut Ctx,
    ) {
        if self.header_repeat(f) {
            return self.skip(Skip::Header);
        }
        let ov = &f[Col::OrderId as usize];
        if let Val::Error(e) = ov {
            return self.reject(r, Col::OrderId, ov, format!("excel error {e} in the order number"));
        }
        let Some(order_text) = ov.text().map(|t| t.into_owned()) else {
            if let Some(why) = self.non_data(buf, f, nonblank) {
                return self.skip(why);
            }
            return self.reject(r, Col::OrderId, ov, "order number is blank".into());
        };
        if header::normalize(&order_text).split(' ').any(|w| TOTAL_WORDS.contains(&w)) {
            return self.skip(Skip::Total);
        }
        let fv = &f[Col::Returned as usize];
        let returned = match fv {
            Val::Empty => true,
            Val::Bool(b) => *b,
            Val::Num(n) => *n != 0.0,
            Val::Text(t) if t.trim().is_empty() => true,
            Val::Text(t) => match value::parse_flag(t) {
                Some(b) => b,
                None => return self.reject(r, Col::Returned, fv, "expected yes or no".into()),
            },
            _ => return self.reject(r, Col::Returned, fv, "expected yes or no".into()),
        };
        let dv = &f[Col::Date as usize];
        let date = if dv.is_blank() {
            None
        } else {
            match self.date(dv) {
                Ok(d) => Some(d),
                Err(reason) => return self.reject(r, Col::Date, dv, reason),
            }
        };
        let index = ctx.ds.returns.len();
        let av = &f[Col::Amount as usize];
        let amount = if !self.mapping.has(Col::Amount) || av.is_blank() {
            None
        } else {
            match self.number(Col::Amount, av) {
                Ok(Some(Ok(a))) => Some(a),
                Ok(Some(Err((comma, dot)))) => {
                    self.pending.push(Pending { index, col: Col::Amount, comma, dot });
                    Some(f64::NAN)
                }
                Ok(None) => None,
                Err(reason) => return self.reject(r, Col::Amount, av, reason),
            }
        };
        ctx.ds.returns.push(ReturnRecord {
            order: keys::code_key(&order_text).unwrap_or_default(),
            order_text,
            date,
            amount,
            returned,
            source: self.place(r),
        });
        self.records += 1;
    }
}

/// True when a document type names a return or credit note (`Abono`, `Devolución`, `Credit note`).
fn is_return_word(t: &str) -> bool {
    let l = t.to_lowercase();
    ["abono", "devoluc", "devol.", "rectific", "credit", "return", "nota de cr"].iter().any(|w| l.contains(w))
}
