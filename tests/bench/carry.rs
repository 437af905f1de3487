//! Carry benchmark: what reading back returned plans adds to a monthly run. Target: 40 returned
//! plans of 10 accounts add at most 10 % to a run of the sample-sized company.
//!
//! `cargo bench --bench carry` (plans: `KAMPLAN_BENCH_RETURNED`, default 40; runs per case:
//! `KAMPLAN_BENCH_RUNS`, default 5). The returned plans are made with kamplan's own stages from
//! the committed samples (period 2026-09, every account section with decision makers, a
//! strategy, contacts and meetings to read), then the release binary runs 2026-10 on the
//! samples without and with them in `[carry] returned`. The medians are compared; the carry
//! stage alone (read and merge, in process) is timed too. No test asserts a time.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use kamplan::carry::ident::PlanIdent;
use kamplan::carry::read::ReadOptions;
use kamplan::carry::{sources, ContactEntry};
use kamplan::config::Config;
use kamplan::lang::Lang;
use kamplan::period::Month;
use kamplan::plan::{ContactSource, DecisionMaker};
use kamplan::render::{self, Format, RenderContext};
use kamplan::{classify, document, ingest, plan, templating};

fn samples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("samples")
}

/// Writes `n` returned plans of 10 accounts each into `dir`: the samples' plans of 2026-09,
/// regrouped ten accounts a plan, every KAM-owned area filled.
fn returned_plans(dir: &Path, n: usize) {
    let cfg = Config::default();
    let lang = Lang::load("es", "€", None).unwrap();
    let period = Month { year: 2026, month: 9 };
    let data = ingest::ingest(&[samples()], &cfg).unwrap();
    let c = classify::classify(&data, &cfg, period, &lang);
    let plans = plan::build(&c, &data, &plan::Inputs::from_dataset(&data), &cfg, &lang);
    let pool: Vec<plan::AccountPlan> = plans.kams.iter().flat_map(|k| k.accounts.iter().cloned()).collect();
    let (templates, _) = templating::Templates::load(None, &lang).unwrap();
    let xlsx = render::renderer(Format::Xlsx);
    for i in 0..n {
        let mut k = plans.kams[i % plans.kams.len()].clone();
        k.accounts = (0..10).map(|j| pool[(i * 10 + j) % pool.len()].clone()).collect();
        for a in &mut k.accounts {
            // The same entries for an account in every plan: no copy disagrees with another.
            a.decision_makers = ["Marta Gil", "Pedro Ruiz"]
                .iter()
                .map(|name| DecisionMaker {
                    name: format!("{name} ({})", a.id),
                    role: Some("Gerencia".into()),
                    influence: Some("Alta".into()),
                    stance: Some("Favorable".into()),
                    notes: None,
                    source: ContactSource::Kam,
                    confirmed: true,
                })
                .collect();
            a.owned.strategy.objective = Some(format!("Crecer con {}", a.name));
            a.owned.strategy.agreed_target = Some(a.objective.target.round());
            a.owned.contacts = (1..=3)
                .map(|d| ContactEntry {
                    date: chrono::NaiveDate::from_ymd_opt(2026, 9, d * 7),
                    kind: Some("Llamada".into()),
                    notes: Some("Seguimiento del pedido".into()),
                    date_text: None,
                })
                .collect();
        }
        let doc = document::parse(&templates.render_plan(&k).unwrap()).unwrap();
        let ctx = RenderContext {
            created: period.last_day().and_hms_opt(0, 0, 0).unwrap(),
            document_id: format!("bench-{i}"),
            page_label: lang.get("plan.page").into(),
            lang: "es".into(),
            ident: Some(PlanIdent::plan(period, &k.kam, "es")),
        };
        std::fs::write(dir.join(format!("plan-{i:02}.xlsx")), xlsx.render(&doc, &ctx).unwrap()).unwrap();
    }
}

/// Median wall time of `runs` runs of `kamplan run` on the samples in `dir` (fresh output each).
fn time_runs(dir: &Path, runs: usize, label: &str) -> Duration {
    let mut times: Vec<Duration> = (0..runs)
        .map(|i| {
            let out = dir.join(format!("out-{label}-{i}"));
            let t = Instant::now();
            let o = Command::new(env!("CARGO_BIN_EXE_kamplan"))
                .args(["run", "-q", "--period", "2026-10", "-o"])
                .arg(&out)
                .arg(samples())
                .current_dir(dir)
                .output()
                .expect("kamplan runs");
            let elapsed = t.elapsed();
            assert!(o.status.code().is_some_and(|c| c <= 1), "{}", String::from_utf8_lossy(&o.stderr));
            elapsed
        })
        .collect();
    times.sort();
    times[runs / 2]
}

fn main() {
    let n: usize = std::env::var("KAMPLAN_BENCH_RETURNED").ok().and_then(|s| s.parse().ok()).unwrap_or(40);
    let runs: usize = std::env::var("KAMPLAN_BENCH_RUNS").ok().and_then(|s| s.parse().ok()).unwrap_or(5);
    let tmp = tempfile::tempdir().unwrap();
    let base = tmp.path().join("sin");
    let with = tmp.path().join("con");
    std::fs::create_dir_all(&base).unwrap();
    std::fs::create_dir_all(with.join("devueltos")).unwrap();
    let t = Instant::now();
    returned_plans(&with.join("devueltos"), n);
    let t_make = t.elapsed();
    std::fs::write(with.join("kamplan.toml"), "[carry]\nreturned = [\"devueltos/\"]\n").unwrap();
    let bytes: u64 = std::fs::read_dir(with.join("devueltos"))
        .unwrap()
        .map(|e| e.unwrap().metadata().unwrap().len())
        .sum();

    // The carry stage alone, in process: read every returned plan and merge.
    let lang = Lang::load("es", "€", None).unwrap();
    let returned = vec![with.join("devueltos")];
    let folders = Default::default();
    let inputs = sources::Inputs {
        period: Month { year: 2026, month: 10 },
        base: None,
        candidates: Vec::new(),
        returned: &returned,
        kam_folders: &folders,
    };
    let opts = ReadOptions { langs: vec![&lang], date_order: Default::default(), decimal: None };
    let mut stage: Vec<Duration> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            let g = sources::gather(&inputs, &opts);
            assert_eq!(g.files.len(), n);
            assert!(g.warnings.is_empty(), "{:?}", g.warnings.first().map(|w| w.to_string()));
            t.elapsed()
        })
        .collect();
    stage.sort();
    let t_stage = stage[runs / 2];

    // Warm the file cache and the binary once, then measure.
    time_runs(&base, 1, "warm");
    let t_base = time_runs(&base, runs, "base");
    let t_with = time_runs(&with, runs, "with");
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let overhead = (ms(t_with) - ms(t_base)) / ms(t_base) * 100.0;

    println!(
        "carry benchmark: {n} returned plans of 10 accounts ({:.1} MB), samples company, period 2026-10",
        bytes as f64 / 1e6
    );
    println!("  made the returned plans in {:.0} ms (not part of the run)", ms(t_make));
    println!("| case | median of {runs} | note |");
    println!("| --- | --- | --- |");
    println!("| run without returned plans | {:.0} ms | baseline |", ms(t_base));
    println!("| run with {n} returned plans | {:.0} ms | {:+.1} % (target ≤ 10 %) |", ms(t_with), overhead);
    println!(
        "| carry stage alone (read + merge) | {:.0} ms | {:.1} % of the baseline run |",
        ms(t_stage),
        ms(t_stage) / ms(t_base) * 100.0
    );
}
