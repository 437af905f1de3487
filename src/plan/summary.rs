//! The management summary: the company's Pareto, ABC, concentration, KAM workload and targets
//! inside the commercial plan, the company-wide attention list, the changes (and why an account
//! stopped being key), key accounts without contact, capacity, and the hand-over.

use super::*;

pub(super) fn summary(
    c: &Classification,
    cfg: &Config,
    lang: &Lang,
    period: &PeriodInfo,
    by_id: &HashMap<&str, &Account>,
    plans: &[KamPlan],
    contacts_known: bool,
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
    let curve = pareto_curve(&ranked, company, cfg.classify.volume_share, lang);

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
            let commercial_share = cfg.plan.commercial_target.and_then(|t| ratio(p.target, t));
            KamRow {
                kam: p.kam.clone(),
                email: p.email.clone(),
                unassigned: p.unassigned,
                key_accounts: p.key_accounts,
                sales: p.sales,
                share: p.share,
                meetings,
                contacts,
                target: p.target,
                commercial_share,
                over_capacity: p.key_accounts > cfg.plan.kam_capacity,
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
    let key_target: f64 = plans.iter().map(|p| p.target).sum();
    let commercial = cfg
        .plan
        .commercial_target
        .map(|target| commercial(target, key_target, company - key_sales, period, lang));
    let attention: Vec<SummaryAttention> = plans
        .iter()
        .flat_map(|p| {
            p.attention.iter().map(|a| SummaryAttention {
                kam: p.kam.clone(),
                id: a.id.clone(),
                name: a.name.clone(),
                sales: by_id.get(a.id.as_str()).map_or(0.0, |x| x.sales),
                why: a.why.join("; "),
            })
        })
        .collect();
    // The first page names the few with most at stake; the attention page lists them all.
    let mut top_attention = attention.clone();
    top_attention.sort_by(|a, b| b.sales.total_cmp(&a.sales).then_with(|| a.id.cmp(&b.id)));
    top_attention.truncate(TOP_ATTENTION);
    let lost_key = c
        .lost_key
        .iter()
        .map(|id| match by_id.get(id.as_str()) {
            Some(a) => LostAccount {
                id: a.id.clone(),
                name: a.name.clone(),
                kam: a.kam.clone(),
                sales: a.sales,
                why: a.no_longer_key.join("; "),
            },
            None => LostAccount {
                id: id.clone(),
                name: id.clone(),
                kam: String::new(),
                sales: 0.0,
                why: String::new(),
            },
        })
        .collect();
    let alert = cfg.classify.recency_alert_days as i64;
    let no_contact = if contacts_known {
        plans
            .iter()
            .flat_map(|p| {
                p.accounts.iter().filter_map(|a| {
                    let last = (a.courtesy.basis == "log").then_some(a.courtesy.last_contact).flatten();
                    let days = last.map(|d| (period.period_end - d).num_days());
                    days.is_none_or(|d| d > alert).then(|| NoContact {
                        kam: p.kam.clone(),
                        id: a.id.clone(),
                        name: a.name.clone(),
                        last_contact: last,
                        days,
                    })
                })
            })
            .collect()
    } else {
        Vec::new()
    };
    let capacity: Vec<String> = plans
        .iter()
        .filter(|p| p.key_accounts > cfg.plan.kam_capacity)
        .map(|p| {
            lang.fill(
                "summary.capacity.over",
                &[
                    ("kam", p.kam.clone()),
                    ("count", p.key_accounts.to_string()),
                    ("capacity", cfg.plan.kam_capacity.to_string()),
                ],
            )
        })
        .collect();
    let focus = if capacity.is_empty() {
        Vec::new()
    } else {
        c.focus
            .iter()
            .map(|f| {
                let decimals = if f.setting.ends_with("min_share") { 3 } else { 2 };
                lang.fill(
                    "summary.capacity.option",
                    &[
                        ("setting", f.setting.clone()),
                        ("value", lang.number(f.value, decimals)),
                        ("count", f.key_accounts.to_string()),
                        ("max", f.max_per_kam.to_string()),
                    ],
                )
            })
            .collect()
    };
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
    let intro = match net_sales_note(c, company, lang) {
        Some(note) => format!("{intro} {note}"),
        None => intro,
    };

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
        top_attention,
        curve,
        abc,
        concentration,
        kams,
        key_accounts_by_kam,
        unassigned,
        new_key: listed(&c.new_key),
        lost_key,
        key_target,
        commercial,
        attention,
        no_contact,
        contacts_known,
        no_contact_title: lang.fill("summary.attention.no_contact_title", &[("days", alert.to_string())]),
        no_contact_text: lang.fill(
            if contacts_known {
                "summary.attention.no_contact_none"
            } else {
                "summary.attention.no_contact_unknown"
            },
            &[("days", alert.to_string())],
        ),
        capacity,
        focus,
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

/// Attention items on the summary's first page.
const TOP_ATTENTION: usize = 5;

/// The cumulative curve over every ranked customer, labelled at each tenth of the customers,
/// with the runs of classes A, B and C.
fn pareto_curve(ranked: &[&Account], company: f64, volume_share: f64, lang: &Lang) -> ParetoCurve {
    let n = ranked.len();
    let mut cum = 0.0;
    let points = ranked
        .iter()
        .enumerate()
        .map(|(i, a)| {
            cum += a.sales;
            let (tenth, before) = ((10 * (i + 1)) / n, (10 * i) / n);
            CurvePoint {
                label: if tenth > before { lang.percent(tenth as f64 / 10.0, 0) } else { String::new() },
                customer_share: (i + 1) as f64 / n as f64,
                cumulative_share: ratio(cum, company).unwrap_or(0.0),
            }
        })
        .collect();
    let mut bands: Vec<CurveBand> = Vec::new();
    for (i, a) in ranked.iter().enumerate() {
        let class = abc_str(a.abc);
        match bands.last_mut() {
            Some(b) if b.label == class => b.to = i + 1,
            _ => bands.push(CurveBand { label: class.to_string(), from: i + 1, to: i + 1 }),
        }
    }
    for b in &mut bands {
        b.label = lang.fill(
            "summary.pareto.band",
            &[("class", b.label.clone()), ("count", (b.to - b.from + 1).to_string())],
        );
    }
    ParetoCurve { points, volume_share, volume_label: lang.percent(volume_share, 0), bands }
}

/// The key accounts' targets inside the commercial plan: coverage and what the rest must make.
fn commercial(target: f64, key_target: f64, rest_sales: f64, period: &PeriodInfo, lang: &Lang) -> Commercial {
    let gap = target - key_target;
    let rest_growth = (rest_sales > 0.0 && gap > 0.0).then(|| gap / rest_sales - 1.0);
    let coverage = ratio(key_target, target).unwrap_or(0.0);
    let args = [
        ("target", lang.money(target)),
        ("next", period.next_label.clone()),
        ("key_target", lang.money(key_target)),
        ("coverage", lang.percent(coverage, 1)),
        ("gap", lang.money(gap.abs())),
        ("rest_sales", lang.money(rest_sales)),
        ("rest_growth", rest_growth.map(|g| lang.percent(g, 1)).unwrap_or_default()),
    ];
    let key = match rest_growth {
        _ if gap <= 0.0 => "summary.commercial.covered",
        Some(g) if g >= 0.0 => "summary.commercial.rest_grow",
        Some(_) => "summary.commercial.rest_less",
        None => "summary.commercial.rest_none",
    };
    Commercial { target, key_target, coverage, gap, rest_sales, rest_growth, text: lang.fill(key, &args) }
}

/// What the company's sales leave out, when they do: shares are of the customers with sales,
/// so customers whose returns exceed their purchases in the window are not subtracted from
/// them — said, with the net total, so the figure reconciles with the books' (`check`'s) total.
fn net_sales_note(c: &Classification, company: f64, lang: &Lang) -> Option<String> {
    let below = c.accounts.iter().filter(|a| a.sales < 0.0).count() as u64;
    (below > 0).then(|| {
        lang.fill_n(
            "summary.net",
            below,
            &[
                ("count", below.to_string()),
                ("negative", lang.money(c.totals.net_sales - company)),
                ("net", lang.money(c.totals.net_sales)),
            ],
        )
    })
}

#[cfg(test)]
mod tests {
    use super::super::fixtures;
    use super::super::tests::{es, plans};
    use super::*;
    use crate::classify::FocusOption;

    #[test]
    fn summary_abc_and_pareto_add_up() {
        let p = plans();
        let s = &p.summary;
        let abc_sales: f64 = s.abc.iter().map(|r| r.sales).sum();
        assert!((abc_sales - 1_000_000.0).abs() < 1e-6);
        assert_eq!(s.abc.iter().map(|r| r.accounts).sum::<u32>(), 5);
        // The bars are the largest accounts themselves, never a bar for the rest; the curve
        // has every customer with sales and ends at 100 % of customers and of sales.
        assert!(s.pareto.len() <= PARETO_BARS);
        assert!(s.pareto.windows(2).all(|w| w[0].sales >= w[1].sales), "largest first");
        let curve = &s.curve.points;
        assert_eq!(curve.len() as u32, s.active_accounts);
        assert!((curve.last().unwrap().cumulative_share - 1.0).abs() < 1e-9);
        assert!((curve.last().unwrap().customer_share - 1.0).abs() < 1e-9);
        assert!(curve.windows(2).all(|w| w[0].cumulative_share <= w[1].cumulative_share));
        // The ABC bands cover the curve in order, each the size of its class.
        let mut next = 1;
        for (b, row) in s.curve.bands.iter().zip(s.abc.iter().filter(|r| r.accounts > 0)) {
            assert_eq!(b.from, next);
            assert_eq!(b.to - b.from + 1, row.accounts as usize, "{b:?}");
            assert!(b.label.starts_with(&row.class), "{b:?}");
            next = b.to + 1;
        }
        assert_eq!(next - 1, curve.len());
        // Meetings are closer meetings only (C001: decision makers, competition, a postponed
        // close); contacts are all, calls and mails included.
        assert_eq!(s.kams[0].meetings, 3);
        assert_eq!(s.kams[0].contacts, 10);
        assert_eq!(s.key_accounts, 4);
        assert!(s.concentration.text.contains("50,0"), "{}", s.concentration.text);
    }

    #[test]
    fn customers_below_zero_are_named_with_the_net_sales() {
        let lang = es();
        let mut c = fixtures::classification();
        assert_eq!(net_sales_note(&c, 1_000_000.0, &lang), None, "no customer below zero: nothing to say");
        let mut below =
            fixtures::account("C009", "Devoluciones SL", "Ana Pérez", -350.0, None, Abc::C, false, &[]);
        below.share = 0.0;
        c.accounts.push(below);
        c.totals.net_sales = 999_650.0;
        let note = net_sales_note(&c, 1_000_000.0, &lang).unwrap();
        assert!(note.starts_with("1 cliente terminó"), "{note}");
        assert!(note.contains("-350,00") && note.contains("999.650,00"), "{note}");
        c.accounts.push(fixtures::account("C010", "Otra", "Ana Pérez", -50.0, None, Abc::C, false, &[]));
        c.totals.net_sales = 999_600.0;
        let note = net_sales_note(&c, 1_000_000.0, &lang).unwrap();
        assert!(note.starts_with("2 clientes terminaron") && note.contains("-400,00"), "{note}");
        let p = fixtures::build_with(&c, &lang);
        assert!(p.summary.intro.ends_with(&note), "{}", p.summary.intro);
    }

    #[test]
    fn the_pareto_curve_is_labelled_at_each_tenth_of_the_customers() {
        let accounts: Vec<Account> = (0..25)
            .map(|i| {
                let abc = if i < 5 { Abc::A } else { Abc::C };
                fixtures::account(&format!("C{i:02}"), "x", "Ana", 1000.0 - i as f64, None, abc, false, &[])
            })
            .collect();
        let ranked: Vec<&Account> = accounts.iter().collect();
        let total: f64 = accounts.iter().map(|a| a.sales).sum();
        let c = pareto_curve(&ranked, total, 0.8, &es());
        assert_eq!(c.volume_label, "80\u{a0}%");
        let labels: Vec<(usize, &str)> = c
            .points
            .iter()
            .enumerate()
            .filter(|(_, p)| !p.label.is_empty())
            .map(|(i, p)| (i + 1, p.label.as_str()))
            .collect();
        // 25 customers: the 3rd is the first past 10 % (2.5 customers), the 25th is 100 %.
        assert_eq!(labels.len(), 10, "{labels:?}");
        assert_eq!(labels[0], (3, "10\u{a0}%"));
        assert_eq!(labels[9], (25, "100\u{a0}%"));
        assert_eq!(c.bands.len(), 2);
        assert_eq!((c.bands[0].from, c.bands[0].to), (1, 5));
        assert_eq!((c.bands[1].from, c.bands[1].to), (6, 25));
        assert_eq!(c.bands[1].label, "C (20)");
    }

    #[test]
    fn the_commercial_plan_in_numbers_at_each_boundary() {
        let lang = es();
        let period = super::super::period_info(&fixtures::classification(), &lang, None);
        // (plan, key targets, rest's sales) → (coverage, gap, rest growth, sentence key word)
        let cases = [
            (1_000.0, 600.0, 200.0, 0.6, 400.0, Some(1.0), "un 100,0"),
            (1_000.0, 600.0, 500.0, 0.6, 400.0, Some(-0.2), "−20,0"),
            (1_000.0, 600.0, 0.0, 0.6, 400.0, None, "no hay más clientes"),
            (1_000.0, 1_000.0, 300.0, 1.0, 0.0, None, "superan"),
            (1_000.0, 1_200.0, 300.0, 1.2, -200.0, None, "superan en 200,00"),
        ];
        for (target, key, rest, coverage, gap, growth, words) in cases {
            let c = commercial(target, key, rest, &period, &lang);
            assert!((c.coverage - coverage).abs() < 1e-9 && (c.gap - gap).abs() < 1e-9, "{c:?}");
            match (c.rest_growth, growth) {
                (Some(g), Some(w)) => assert!((g - w).abs() < 1e-9, "{c:?}"),
                (g, w) => assert_eq!(g, w, "{c:?}"),
            }
            assert!(c.text.replace('-', "−").contains(words), "{}", c.text);
        }
        // Through the build: per KAM and in total.
        let mut cfg = fixtures::config();
        cfg.plan.commercial_target = Some(1_000_000.0);
        let data = fixtures::dataset();
        let p = build(&fixtures::classification(), &data, &Inputs::from_dataset(&data), &cfg, &lang);
        let s = &p.summary;
        let c = s.commercial.as_ref().unwrap();
        assert_eq!(c.key_target, s.key_target);
        assert!((s.kams[0].commercial_share.unwrap() - s.kams[0].target / 1_000_000.0).abs() < 1e-12);
        assert!((c.rest_sales - (s.company_sales - s.key_sales)).abs() < 1e-6);
        assert!(plans().summary.commercial.is_none());
    }

    #[test]
    fn the_company_view_gathers_attention_changes_contact_and_capacity() {
        let p = plans();
        let s = &p.summary;
        // Every plan's attention, with its KAM.
        let n: usize = p.kams.iter().map(|k| k.attention.len()).sum();
        assert_eq!(s.attention.len(), n);
        assert_eq!(s.attention[0].kam, "Ana Pérez");
        // Why C004 stopped being key, from the classification.
        assert_eq!(s.lost_key.len(), 1);
        assert!(s.lost_key[0].why.starts_with("ya no es clase A"), "{:?}", s.lost_key[0]);
        // No contact: C001's last was on 15/09 (46 days, under 60), C002 in October; C003
        // (Bruno) and C005 have none.
        let ids: Vec<&str> = s.no_contact.iter().map(|x| x.id.as_str()).collect();
        assert_eq!(ids, ["C003", "C005"]);
        assert!(s.no_contact_title.contains("60 días"), "{}", s.no_contact_title);
        // Without any contact record, nothing is claimed.
        let data = crate::ingest::Dataset::default();
        let q = build(&fixtures::classification(), &data, &Inputs::default(), &fixtures::config(), &es());
        assert!(q.summary.no_contact.is_empty() && !q.summary.contacts_known);
        assert!(q.summary.no_contact_text.contains("No se ha leído"), "{}", q.summary.no_contact_text);
        // Capacity: within it, nothing; over it, a sentence per KAM and the focus options.
        assert!(s.capacity.is_empty() && s.focus.is_empty());
        let mut cfg = fixtures::config();
        cfg.plan.kam_capacity = 1;
        let mut c = fixtures::classification();
        c.focus = vec![FocusOption {
            setting: "classify.volume_share".into(),
            value: 0.7,
            key_accounts: 3,
            max_per_kam: 1,
        }];
        let data = fixtures::dataset();
        let q = build(&c, &data, &Inputs::from_dataset(&data), &cfg, &es());
        assert_eq!(q.summary.capacity.len(), 1, "{:?}", q.summary.capacity);
        assert!(
            q.summary.capacity[0].starts_with("Ana Pérez tiene 2 cuentas clave"),
            "{:?}",
            q.summary.capacity
        );
        assert!(q.summary.kams[0].over_capacity);
        assert_eq!(
            q.summary.focus,
            ["con classify.volume_share = 0,70 habría 3 cuentas clave (el KAM con más, 1)"]
        );
    }
}
