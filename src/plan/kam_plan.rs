//! One KAM's plan: the cover (share, target, changes, attention, warnings) and each key
//! account's page (objective, meetings, courtesy call, risks, products, log).

use super::followup::{cap_excess, contact_request, courtesy};
use super::meetings::{meetings, read_contact, Reading};
use super::*;

#[allow(clippy::too_many_arguments)]
pub(super) fn kam_plan(
    ctx: &Ctx,
    choices: &Choices,
    log: &HashMap<&str, Vec<&Contact>>,
    by_id: &HashMap<&str, &Account>,
    kam: &str,
    email: Option<String>,
    unassigned: bool,
    keys: &[&Account],
) -> KamPlan {
    let (c, lang, period) = (ctx.c, ctx.lang, ctx.period);
    let sales: f64 = keys.iter().map(|a| a.sales).sum();
    let margin = keys.iter().map(|a| a.margin).sum::<Option<f64>>();
    let company = c.totals.sales;
    let share = ratio(sales, company).unwrap_or(0.0);
    let margin_pct = margin.and_then(|m| ratio(m, sales));
    let margin_share = match (margin, c.totals.margin) {
        (Some(m), Some(t)) if t > 0.0 => Some(m / t),
        _ => None,
    };
    let accounts: Vec<AccountPlan> = keys
        .iter()
        .map(|a| {
            let mut plan =
                account_plan(ctx, a, log.get(a.id.as_str()).map(Vec::as_slice).unwrap_or(&[]), sales);
            owned::fill(ctx, kam, &mut plan);
            plan
        })
        .collect();
    let target: f64 = accounts.iter().map(|a| a.objective.target).sum();
    let increase: f64 = accounts.iter().map(|a| a.objective.increase).sum();

    let listed = |ids: &[String]| -> Vec<AccountRef> {
        ids.iter()
            .filter_map(|id| by_id.get(id.as_str()))
            .filter(|a| a.kam == kam)
            .map(|a| account_ref(a))
            .collect()
    };
    let new_key = listed(&c.new_key);
    let mut lost_key = listed(&c.lost_key);
    // An account of this KAM's last plan that is no longer key is a change since last month
    // even when, on today's books, it was not key last month either (its master changed).
    let dropped = owned::dropped(ctx, kam, by_id);
    for d in &dropped {
        if !lost_key.iter().any(|a| a.id == d.id) {
            let name = d.name.clone();
            let sales = by_id.get(d.id.as_str()).map_or(0.0, |a| a.sales);
            lost_key.push(AccountRef { id: d.id.clone(), name, kam: kam.to_string(), sales });
        }
    }

    let attention = accounts
        .iter()
        .filter_map(|a| {
            let mut why = Vec::new();
            if a.flags.falling {
                let key = if a.trend_basis.as_deref() == Some("previous_months") {
                    "plan.attention.falling"
                } else {
                    "plan.attention.falling_yoy"
                };
                why.push(lang.fill(key, &[("trend", pct(lang, a.trend.map(f64::abs)))]));
            }
            if let Some(t) = &a.behind_text {
                why.push(t.clone());
            }
            if a.flags.stale {
                why.push(match a.days_since {
                    Some(d) => lang.fill("plan.attention.stale", &[("days", d.to_string())]),
                    None => lang.get("plan.attention.never").to_string(),
                });
            }
            if a.flags.call_overdue {
                why.push(match a.courtesy.next_due {
                    Some(d) => lang.fill("plan.attention.call_overdue", &[("date", lang.date(d))]),
                    None => lang.get("plan.attention.call_now").to_string(),
                });
            }
            if a.flags.over_contacted {
                let months: Vec<String> = a.cap_excess.iter().map(|x| x.label.clone()).collect();
                why.push(lang.fill("plan.attention.over_contacted", &[("months", months.join(", "))]));
            }
            if let Some(s) = &a.setback {
                why.push(s.clone());
            }
            (!why.is_empty()).then(|| Attention { id: a.id.clone(), name: a.name.clone(), why })
        })
        .collect();
    // The cap warnings, each with the customer's own recent request beside it.
    let actions = actions::actions(&accounts, period, lang);
    let agenda = actions::agenda(&accounts, lang);
    let warnings = accounts
        .iter()
        .flat_map(|a| {
            let request =
                a.contact_request.as_ref().filter(|r| r.recent).map(|r| format!("{}: {}", a.name, r.text));
            a.cap_warnings.iter().cloned().chain(request)
        })
        .collect();

    let intro = lang.fill_n(
        if unassigned { "plan.cover.intro_unassigned" } else { "plan.cover.intro" },
        keys.len() as u64,
        &[
            ("kam", kam.to_string()),
            ("count", keys.len().to_string()),
            ("sales", lang.money(sales)),
            ("share", lang.percent(share, 1)),
            ("window", period.window_label.clone()),
        ],
    );

    let target_text = lang.fill(
        "plan.cover.target_text",
        &[
            ("next", period.next_label.clone()),
            ("target", lang.money(target)),
            ("increase", lang.money(increase)),
        ],
    );

    KamPlan {
        kam: kam.to_string(),
        email,
        manager: None,
        manager_email: None,
        unassigned,
        period: period.clone(),
        key_accounts: keys.len() as u32,
        sales,
        company_sales: company,
        share,
        margin,
        margin_pct,
        margin_share,
        target,
        intro,
        target_text,
        new_key,
        lost_key,
        attention,
        actions,
        agenda,
        accounts,
        warnings,
        choices: choices.clone(),
        dropped,
        returned: ctx
            .inputs
            .carried
            .returned
            .iter()
            .filter(|(k, _)| norm(k) == norm(kam))
            .flat_map(|(_, files)| files.iter().cloned())
            .collect(),
    }
}

fn account_plan(ctx: &Ctx, a: &Account, entries: &[&Contact], kam_sales: f64) -> AccountPlan {
    let (c, cfg, lang, period) = (ctx.c, ctx.cfg, ctx.lang, ctx.period);
    let end = period.period_end;
    let read: Vec<(&Contact, Reading)> =
        entries.iter().map(|e| (*e, read_contact(e, ctx.words, end))).collect();
    // Only the current cycle's meetings fill its steps (a finished cycle is in the history).
    let mv = meetings(&owned::in_cycle(&read, ctx.inputs.cycle_start(&a.id)), end, lang);
    let contact_dates: Vec<NaiveDate> =
        read.iter().filter(|(e, r)| r.is_contact(e, end)).filter_map(|(e, _)| e.date).collect();
    let courtesy = courtesy(contact_dates.iter().max().copied(), a.last_purchase, cfg, end, lang);
    let max = cfg.plan.max_contacts_per_month;
    let cap_excess = cap_excess(&contact_dates, max, period.period, lang);
    let contact_request = contact_request(&read, ctx.words, period.period, lang);
    let mut decision_makers: Vec<DecisionMaker> =
        ctx.inputs.decision_makers.get(&a.id).cloned().unwrap_or_default();
    for s in people::suggested(&read, lang) {
        if !decision_makers.iter().any(|d| collate(&d.name) == collate(&s.name)) {
            decision_makers.push(s);
        }
    }
    let decision_makers_note = (mv.list[0].done && decision_makers.is_empty())
        .then(|| lang.get("plan.dm.step_done_empty").to_string());
    let cap_warnings = cap_excess
        .iter()
        .map(|x| {
            lang.fill(
                "plan.feedback.cap_warning",
                &[
                    ("name", a.name.clone()),
                    ("month", x.label.clone()),
                    ("count", x.contacts.to_string()),
                    ("max", max.to_string()),
                ],
            )
        })
        .collect();

    let falling = a.trend.is_some_and(|t| t <= FALLING_TREND);
    let mut objective = objective(a, cfg, lang, period);
    let season = targets::season(&a.monthly);
    objective.seasonal = season.is_some();
    objective.monthly = targets::split(objective.target, period.period, objective.months, season.as_ref())
        .into_iter()
        .map(|(month, target)| TargetMonth { month, label: lang.month(month), target })
        .collect();
    let earlier = ctx.inputs.earlier_targets.get(&a.id).map(Vec::as_slice).unwrap_or(&[]);
    let actual_vs_target = targets::actual_vs_target(a, earlier, period, lang);
    let (asked, sold): (f64, f64) =
        actual_vs_target.iter().fold((0.0, 0.0), |(t, s), x| (t + x.target, s + x.actual));
    let behind = !actual_vs_target.is_empty() && sold < asked;
    let months: Vec<String> = actual_vs_target.iter().map(|x| x.label.clone()).collect();
    let args = [
        ("months", months.join(", ")),
        ("sold", lang.money(sold)),
        ("asked", lang.money(asked)),
        ("gap", lang.money((asked - sold).abs())),
        ("ratio", pct(lang, ratio(sold, asked))),
    ];
    let actual_text = (!actual_vs_target.is_empty())
        .then(|| lang.fill(if behind { "plan.target.behind" } else { "plan.target.on_track" }, &args));
    let behind_text = behind.then(|| lang.fill("plan.attention.behind", &args));
    let stale = match a.days_since {
        Some(d) => d > cfg.classify.recency_alert_days as i64,
        None => true,
    };
    let flags = Flags {
        falling,
        stale,
        call_overdue: courtesy.overdue,
        over_contacted: !cap_excess.is_empty(),
        setback: mv.setback.is_some(),
        behind,
    };

    let mut risks = vec![match a.exposure_margin {
        _ if a.sales <= 0.0 => lang.get("plan.risk.no_exposure").to_string(),
        Some(m) => lang.fill(
            "plan.risk.exposure_margin",
            &[
                ("share", lang.percent(a.exposure_sales, 1)),
                ("sales", lang.money(a.sales)),
                ("margin", lang.percent(m, 1)),
            ],
        ),
        None => lang.fill(
            "plan.risk.exposure",
            &[("share", lang.percent(a.exposure_sales, 1)), ("sales", lang.money(a.sales))],
        ),
    }];
    let yoy = if a.trend_basis == Some(crate::classify::TrendBasis::PreviousMonths) { "" } else { "_yoy" };
    risks.push(match a.trend {
        Some(t) if t <= FALLING_TREND => {
            lang.fill(&format!("plan.risk.trend_falling{yoy}"), &[("trend", lang.percent(t.abs(), 1))])
        }
        Some(t) if t >= RISING_TREND => {
            lang.fill(&format!("plan.risk.trend_rising{yoy}"), &[("trend", lang.percent(t, 1))])
        }
        Some(_) => lang.get(&format!("plan.risk.trend_stable{yoy}")).to_string(),
        None => lang.get("plan.risk.trend_unknown").to_string(),
    });
    risks.push(match (a.last_purchase, a.days_since) {
        (Some(d), Some(days)) if stale => lang.fill(
            "plan.risk.recency_alert",
            &[
                ("date", lang.date(d)),
                ("days", days.to_string()),
                ("alert", cfg.classify.recency_alert_days.to_string()),
            ],
        ),
        (Some(d), Some(days)) => {
            let n = days.max(0) as u64;
            lang.fill_n("plan.risk.recency", n, &[("date", lang.date(d)), ("days", days.to_string())])
        }
        _ => lang.get("plan.risk.never").to_string(),
    });

    let top_products = a
        .top_products
        .iter()
        .map(|(name, s)| ProductLine {
            name: name.clone(),
            sales: *s,
            share: ratio(*s, a.sales).unwrap_or(0.0),
        })
        .collect();
    let monthly: Vec<MonthPoint> = a
        .monthly
        .iter()
        .map(|m| MonthPoint { month: m.month, label: lang.month(m.month), sales: m.sales })
        .collect();
    let chart = chart(&monthly, &actual_vs_target, &objective.monthly);
    let since = since(a.first_purchase, period.data_from, lang);

    AccountPlan {
        rank: a.rank,
        id: a.id.clone(),
        name: a.name.clone(),
        sales: a.sales,
        prior_sales: a.prior_sales,
        share: a.share,
        cumulative_share: a.cumulative_share,
        share_of_kam: ratio(a.sales, kam_sales).unwrap_or(0.0),
        abc: abc_str(a.abc).into(),
        margin: a.margin,
        margin_pct: a.margin_pct,
        growth: a.growth,
        trend: a.trend,
        trend_basis: a.trend_basis.map(|b| b.as_str().to_string()),
        first_purchase: a.first_purchase,
        since,
        last_purchase: a.last_purchase,
        days_since: a.days_since,
        reasons: a.reasons.iter().map(|r| r.as_str().to_string()).collect(),
        reasons_text: reasons_text(&a.reasons, lang),
        explanation: a.explanation.clone(),
        exposure_sales: a.exposure_sales,
        exposure_margin: a.exposure_margin,
        strategic: a.strategic,
        potential: a.potential,
        segment: a.segment.clone(),
        region: a.region.clone(),
        new: c.new_key.contains(&a.id),
        top_products,
        monthly_book: a.monthly_book,
        monthly,
        chart,
        risks,
        objective,
        actual_vs_target,
        actual_text,
        behind_text,
        meetings: mv.list,
        next_meeting: mv.next,
        next_text: mv.next_text,
        setback: mv.setback,
        meetings_held: mv.held,
        contacts: contact_dates.len() as u32,
        log: read
            .iter()
            .map(|(e, r)| LogEntry {
                date: e.date,
                kind: e.kind.clone(),
                notes: e.notes.clone(),
                step: r.step.map(|s| s as u32 + 1),
                status_key: r.step.map(|_| r.status.key().to_string()),
                source: e.source,
            })
            .collect(),
        courtesy,
        cap_excess,
        cap_warnings,
        contact_request,
        decision_makers,
        decision_makers_note,
        flags,
        owned: KamOwned::default(),
    }
}

/// "Customer since", true of the data: a first purchase in the first month the books hold may
/// not be the first ever, so it reads "<month> or earlier".
fn since(first: Option<NaiveDate>, data_from: Option<Month>, lang: &Lang) -> String {
    match (first, data_from) {
        (Some(d), Some(from)) if Month::of(d) <= from => {
            lang.fill("plan.account.since_before", &[("month", lang.month(from))])
        }
        (Some(d), _) => lang.date(d),
        (None, _) => "—".to_string(),
    }
}

/// The chart's months: the 24 to P with their sales and the targets earlier plans set for them,
/// then the objective's months with their targets.
fn chart(monthly: &[MonthPoint], elapsed: &[ActualVsTarget], ahead: &[TargetMonth]) -> Vec<ChartPoint> {
    monthly
        .iter()
        .map(|m| ChartPoint {
            month: m.month,
            label: m.label.clone(),
            sales: Some(m.sales),
            target: elapsed.iter().find(|x| x.month == m.month).map(|x| x.target),
        })
        .chain(ahead.iter().map(|t| ChartPoint {
            month: t.month,
            label: t.label.clone(),
            sales: None,
            target: Some(t.target),
        }))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::d;
    use super::super::tests::{es, plans};

    #[test]
    fn customer_since_is_true_of_the_data() {
        let lang = es();
        let nov: crate::period::Month = "2024-11".parse().unwrap();
        let cases = [
            (Some("2024-11-04"), Some(nov), "nov 2024 o antes"),
            (Some("2024-12-01"), Some(nov), "01/12/2024"),
            (Some("2024-11-30"), None, "30/11/2024"),
            (None, Some(nov), "—"),
        ];
        for (first, from, want) in cases {
            assert_eq!(super::since(first.map(d), from, &lang), want, "{first:?}");
        }
    }

    #[test]
    fn cover_lists_changes_attention_and_emails() {
        let p = plans();
        let ana = &p.kams[0];
        assert_eq!(ana.email.as_deref(), Some("ana@example.com"));
        // Email from the directory when the classification has none; so is the manager.
        assert_eq!(p.kams[1].email.as_deref(), Some("bruno@example.com"));
        assert_eq!(p.kams[1].manager.as_deref(), Some("Carla Ruiz"));
        assert_eq!(p.kams[1].manager_email.as_deref(), Some("carla@example.com"));
        assert_eq!((ana.manager.as_deref(), ana.manager_email.as_deref()), (None, None));
        assert_eq!(ana.lost_key.iter().map(|a| a.id.as_str()).collect::<Vec<_>>(), ["C004"]);
        assert!(ana.new_key.is_empty());
        assert_eq!(p.kams[1].new_key[0].id, "C003");
        assert!(p.kams[1].accounts[0].new);
        let att: Vec<(&str, usize)> = ana.attention.iter().map(|a| (a.id.as_str(), a.why.len())).collect();
        // C001: falling and call overdue; C002: 90 days without buying, over-contacted.
        assert_eq!(att, [("C001", 2), ("C002", 2)]);
        assert!((ana.share - 0.7).abs() < 1e-9);
        assert!(p.kams[2].unassigned);
        assert_eq!(p.summary.unassigned.len(), 1);
    }
}
