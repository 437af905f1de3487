//! Carry benchmark: what reading back returned plans adds to a monthly run. Target: 40 returned
//! plans of 10 accounts add at most 10 % to a run of the sample-sized company.
//!
//! `cargo bench --bench carry` (plans: `KAMPLAN_BENCH_RETURNED`, default 40; runs per case:
//! `KAMPLAN_BENCH_RUNS`, default 15). The returned plans are made with kamplan's own stages from
//! the committed samples (period 2026-09, every account section with decision makers, a
//! strategy, contacts and meetings to read), then the release binary runs 2026-10 on the
//! samples without and with them in `[carry] returned`, the two cases one after the other in
//! each round, so a change in the machine's load touches both. The medians are compared, and
//! the median of each round's ratio is given too; the carry stage alone (read and merge, in
//! process) is timed as well. No test asserts a time.

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
        // The cover's lists link to account sections: keep only this plan's accounts.
        let ids: std::collections::HashSet<String> = k.accounts.iter().map(|a| a.id.clone()).collect();
        k.attention.retain(|x| ids.contains(&x.id));
        k.actions.retain(|x| ids.contains(&x.id));
        k.agenda.retain(|x| ids.contains(&x.id));
        k.new_key.retain(|x| ids.contains(&x.id));
        k.lost_key.clear();
        k.dropped.clear();
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

/// CPU time (user + system) of this process's finished (waited-for) children.
fn children_cpu() -> Duration {
    rusage_cpu(libc::RUSAGE_CHILDREN)
}

/// CPU time (user + system) of this process's threads so far.
fn self_cpu() -> Duration {
    rusage_cpu(libc::RUSAGE_SELF)
}

/// User + system CPU time that getrusage gives for `who`.
fn rusage_cpu(who: libc::c_int) -> Duration {
    // SAFETY: getrusage fills the struct it is given and nothing else.
    let mut u: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(who, &mut u) };
    let tv =
        |t: libc::timeval| Duration::from_secs(t.tv_sec as u64) + Duration::from_micros(t.tv_usec as u64);
    tv(u.ru_utime) + tv(u.ru_stime)
}

/// One `kamplan run` on the samples in `dir` (fresh output): wall time, and CPU time —
/// steadier when other work shares the machine.
fn one_run(dir: &Path, label: &str) -> (Duration, Duration) {
    let out = dir.join(format!("out-{label}"));
    let _ = std::fs::remove_dir_all(&out);
    let before = children_cpu();
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
    (elapsed, children_cpu() - before)
}

fn median<T: Ord + Copy>(mut v: Vec<T>) -> T {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    let n: usize = std::env::var("KAMPLAN_BENCH_RETURNED").ok().and_then(|s| s.parse().ok()).unwrap_or(40);
    let runs: usize = std::env::var("KAMPLAN_BENCH_RUNS").ok().and_then(|s| s.parse().ok()).unwrap_or(15);
    // KAMPLAN_BENCH_DIR keeps the returned plans and outputs there, for a closer look.
    let tmp = tempfile::tempdir().unwrap();
    let root =
        std::env::var("KAMPLAN_BENCH_DIR").map(PathBuf::from).unwrap_or_else(|_| tmp.path().to_path_buf());
    let base = root.join("sin");
    let with = root.join("con");
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
    let mut stage_cpu = Vec::new();
    let mut stage: Vec<Duration> = (0..runs)
        .map(|_| {
            let (t, c) = (Instant::now(), self_cpu());
            let g = sources::gather(&inputs, &opts);
            stage_cpu.push(self_cpu() - c);
            assert_eq!(g.files.len(), n);
            assert!(g.warnings.is_empty(), "{:?}", g.warnings.first().map(|w| w.to_string()));
            t.elapsed()
        })
        .collect();
    stage.sort();
    stage_cpu.sort();
    let t_stage = stage[runs / 2];
    let c_stage = stage_cpu[runs / 2];

    // Warm the file cache and the binary once, then measure in rounds: without, then with.
    one_run(&base, "warm");
    one_run(&with, "warm");
    let rounds: Vec<((Duration, Duration), (Duration, Duration))> =
        (0..runs).map(|_| (one_run(&base, "base"), one_run(&with, "with"))).collect();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let pct = |a: Duration, b: Duration| (ms(a) - ms(b)) / ms(b) * 100.0;
    let t_base = median(rounds.iter().map(|r| r.0 .0).collect());
    let c_base = median(rounds.iter().map(|r| r.0 .1).collect());
    let t_with = median(rounds.iter().map(|r| r.1 .0).collect());
    let c_with = median(rounds.iter().map(|r| r.1 .1).collect());
    // Each round's ratio, in tenths of a per cent (an integer, to take the median of).
    let ratios = |f: fn(&(Duration, Duration)) -> Duration| {
        median(rounds.iter().map(|r| (pct(f(&r.1), f(&r.0)) * 10.0).round() as i64).collect()) as f64 / 10.0
    };

    println!(
        "carry benchmark: {n} returned plans of 10 accounts ({:.1} MB), samples company, period 2026-10",
        bytes as f64 / 1e6
    );
    println!("  made the returned plans in {:.0} ms (not part of the run)", ms(t_make));
    println!("| case | wall, median of {runs} | CPU, median of {runs} |");
    println!("| --- | --- | --- |");
    println!("| run without returned plans | {:.0} ms | {:.0} ms |", ms(t_base), ms(c_base));
    println!("| run with {n} returned plans | {:.0} ms | {:.0} ms |", ms(t_with), ms(c_with));
    println!(
        "| added by the returned plans (medians) | {:+.1} % | {:+.1} % | target ≤ 10 %",
        pct(t_with, t_base),
        pct(c_with, c_base)
    );
    println!(
        "| added, median of the rounds' ratios | {:+.1} % | {:+.1} % |",
        ratios(|c| c.0),
        ratios(|c| c.1)
    );
    println!(
        "| carry stage alone, in process (read + merge) | {:.0} ms = {:.1} % of the run without | {:.0} ms = {:.2} ms a plan |",
        ms(t_stage),
        ms(t_stage) / ms(t_base) * 100.0,
        ms(c_stage),
        ms(c_stage) / n as f64
    );
}
