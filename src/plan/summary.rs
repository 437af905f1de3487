//! The management summary: the company's Pareto, ABC, concentration, KAM workload and hand-over.

use super::*;

pub(super) fn summary(
    c: &Classification,
    cfg: &Config,
    lang: &Lang,
    period: &PeriodInfo,
    by_id: &HashMap<&str, &Account>,
    plans: &[KamPlan],
) -> Summary {
    let company = c.totals.sales;
    let mut ranked: Vec<&Account> = c.accounts.iter().filter(|a| a.sales > 0.0).collect();
    ranked.sort_by(|a, b| rank_order(a, b));

    let mut pareto = Vec::new();
    let mut cum = 0.0;
    for a in ranked.iter().take(PARETO_BARS) {
        cum += a.sales;
        pareto.push(ParetoPoint {
            label: a.name.clone(),
            sales: a.sales,
            cumulative_share: ratio(cum, company).unwrap_or(0.0),
        });
    }
    if ranked.len() > PARETO_BARS {
        let rest: f64 = ranked[PARETO_BARS..].iter().map(|a| a.sales).sum();
        cum += rest;
        pareto.push(ParetoPoint {
            label: lang.fill("summary.pareto.rest", &[("count", (ranked.len() - PARETO_BARS).to_string())]),
            sales: rest,
            cumulative_share: ratio(cum, company).unwrap_or(0.0),
        });
    }

    let abc = [Abc::A, Abc::B, Abc::C]
        .iter()
        .map(|&cl| {
            let of: Vec<&&Account> = ranked.iter().filter(|a| a.abc == cl).collect();
            let sales: f64 = of.iter().map(|a| a.sales).sum();
            AbcRow {
                class: abc_str(cl).into(),
                accounts: of.len() as u32,
                sales,
                share: ratio(sales, company).unwrap_or(0.0),
            }
        })
        .collect();

    let k = &c.concentration;
    let volume = lang.percent(cfg.classify.volume_share, 0);
    let reading_label = lang.get(&format!("summary.concentration.reading.{}", k.reading)).to_string();
    let concentration = ConcentrationView {
        pareto_accounts_share: k.pareto_accounts_share,
        top1_share: k.top1_share,
        top5_share: k.top5_share,
        hhi: k.hhi,
        reading: k.reading.clone(),
        text: lang.fill(
            &format!("summary.concentration.text.{}", k.reading),
            &[
                ("pareto", lang.percent(k.pareto_accounts_share, 1)),
                ("top1", lang.percent(k.top1_share, 1)),
                ("top5", lang.percent(k.top5_share, 1)),
                ("hhi", lang.number(k.hhi, 3)),
                ("volume", volume.clone()),
            ],
        ),
        pareto_label: lang.fill("summary.concentration.pareto", &[("volume", volume)]),
        reading_label,
    };

    let kams: Vec<KamRow> = plans
        .iter()
        .map(|p| {
            let meetings = p.accounts.iter().map(|a| a.meetings_held).sum();
            let contacts = p.accounts.iter().map(|a| a.contacts).sum();
            KamRow {
                kam: p.kam.clone(),
                email: p.email.clone(),
                unassigned: p.unassigned,
                key_accounts: p.key_accounts,
                sales: p.sales,
                share: p.share,
                meetings,
                contacts,
            }
        })
        .collect();

    let key_accounts_by_kam = plans
        .iter()
        .flat_map(|p| {
            p.accounts.iter().map(|a| SummaryAccount {
                rank: a.rank,
                id: a.id.clone(),
                name: a.name.clone(),
                kam: p.kam.clone(),
                sales: a.sales,
                share: a.share,
                abc: a.abc.clone(),
                reasons_text: a.reasons_text.clone(),
                new: a.new,
            })
        })
        .collect();

    let unassigned = plans
        .iter()
        .filter(|p| p.unassigned)
        .flat_map(|p| {
            p.accounts.iter().map(|a| AccountRef {
                id: a.id.clone(),
                name: a.name.clone(),
                kam: p.kam.clone(),
                sales: a.sales,
            })
        })
        .collect();
    let listed = |ids: &[String]| -> Vec<AccountRef> {
        ids.iter()
            .map(|id| match by_id.get(id.as_str()) {
                Some(a) => account_ref(a),
                None => AccountRef { id: id.clone(), name: id.clone(), kam: String::new(), sales: 0.0 },
            })
            .collect()
    };

    let key_sales: f64 = plans.iter().map(|p| p.sales).sum();
    let key_share = ratio(key_sales, company).unwrap_or(0.0);
    let key_count: u32 = plans.iter().map(|p| p.key_accounts).sum();
    let intro = lang.fill(
        "summary.intro",
        &[
            ("accounts", c.totals.active_accounts.to_string()),
            ("key", key_count.to_string()),
            ("sales", lang.money(company)),
            ("key_share", lang.percent(key_share, 1)),
            ("kams", plans.iter().filter(|p| !p.unassigned).count().to_string()),
            ("window", period.window_label.clone()),
        ],
    );

    Summary {
        period: period.clone(),
        company_sales: company,
        company_margin: c.totals.margin,
        margin_pct: c.totals.margin.and_then(|m| ratio(m, company)),
        accounts: c.totals.accounts,
        active_accounts: c.totals.active_accounts,
        key_accounts: key_count,
        key_sales,
        key_share,
        intro,
        pareto,
        abc,
        concentration,
        kams,
        key_accounts_by_kam,
        unassigned,
        new_key: listed(&c.new_key),
        lost_key: listed(&c.lost_key),
        warnings: c.warnings.clone(),
        handover: plans
            .iter()
            .map(|p| HandoverRow {
                kam: p.kam.clone(),
                email: p.email.clone(),
                key_accounts: p.key_accounts,
                sales: p.sales,
                pdf: String::new(),
                xlsx: String::new(),
            })
            .collect(),
        follow_up: FollowUpView::default(),
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::plans;

    #[test]
    fn summary_abc_and_pareto_add_up() {
        let p = plans();
        let s = &p.summary;
        let abc_sales: f64 = s.abc.iter().map(|r| r.sales).sum();
        assert!((abc_sales - 1_000_000.0).abs() < 1e-6);
        assert_eq!(s.abc.iter().map(|r| r.accounts).sum::<u32>(), 5);
        assert!((s.pareto.last().unwrap().cumulative_share - 1.0).abs() < 1e-9);
        // Meetings are closer meetings only (C001: decision makers, competition, a postponed
        // close); contacts are all, calls and mails included.
        assert_eq!(s.kams[0].meetings, 3);
        assert_eq!(s.kams[0].contacts, 10);
        assert_eq!(s.key_accounts, 4);
        assert!(s.concentration.text.contains("50,0"), "{}", s.concentration.text);
    }
}
