//! Plans benchmark: 40 KAMs × 10 key accounts, each plan templated, parsed and rendered to PDF
//! and XLSX — on one core, then in parallel across KAMs with rayon. Target: ≤ 10 ms a KAM.
//!
//! `cargo bench --bench plans` (KAMs: `KAMPLAN_BENCH_KAMS`, default 40). The dataset is built in
//! memory (24 months, 400 strategic customers assigned by a master, an activity log), so the
//! numbers are the plan stages alone; ingest has its own benchmark.

use std::time::Instant;

use chrono::NaiveDate;
use kamplan::config::Config;
use kamplan::ingest::{Activity, Dataset, KamContact, MasterRecord, Txn};
use kamplan::lang::Lang;
use kamplan::period::Month;
use kamplan::render::{self, Format, RenderContext};
use kamplan::{classify, document, plan, templating};
use rayon::prelude::*;

fn dataset(kams: usize, per_kam: usize) -> Dataset {
    let mut ds = Dataset::default();
    let products: Vec<_> = (0..40).map(|i| ds.strings.intern(&format!("Artículo {i:02}"))).collect();
    let start = Month { year: 2024, month: 11 };
    let mut seed: u64 = 7;
    let mut next = || {
        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (seed >> 33) as f64 / (1u64 << 31) as f64
    };
    for k in 0..kams {
        let kam_name = format!("Gestora {k:02} Núñez");
        ds.directory.push(KamContact {
            name: kam_name.clone(),
            email: Some(format!("kam{k:02}@example.com")),
            manager: None,
            region: None,
        });
        let kam = ds.strings.intern(&kam_name);
        for a in 0..per_kam {
            let code = format!("C{k:02}{a:02}");
            let name = format!("Hostelería y Restauración Número {k:02}-{a:02} S.L.");
            let id = ds.strings.intern(&code);
            let name_sym = ds.strings.intern(&name);
            ds.customer_names.insert(id, name_sym);
            ds.master.push(MasterRecord {
                id: code.clone(),
                name: Some(name),
                strategic: true,
                potential: None,
                kam: Some(kam_name.clone()),
                segment: Some("Hoteles".into()),
            });
            let size = 2_000.0 + 30_000.0 * next();
            for m in 0..24 {
                let month = start.add(m);
                for line in 0..3 {
                    let amount = (size / 3.0 * (0.7 + 0.6 * next()) * 100.0).round() / 100.0;
                    ds.transactions.push(Txn {
                        date: NaiveDate::from_ymd_opt(month.year, month.month, 3 + line * 9).unwrap(),
                        customer: id,
                        customer_name: Some(name_sym),
                        kam: Some(kam),
                        product: Some(products[(next() * 40.0) as usize % 40]),
                        region: None,
                        amount,
                        cost: amount * 0.7,
                        margin: f64::NAN,
                        qty: 10.0,
                        month_total: false,
                        order: None,
                    });
                }
            }
            for (i, kind) in
                ["Reunión decisores", "Reunión competencia", "Llamada cortesía"].iter().enumerate()
            {
                ds.activities.push(Activity {
                    date: NaiveDate::from_ymd_opt(2026, 6 + i as u32, 10).unwrap(),
                    customer: code.clone(),
                    kind: Some(kind.to_string()),
                    notes: Some("Notas de la reunión con el cliente.".into()),
                    kam: Some(kam_name.clone()),
                });
            }
        }
    }
    ds
}

/// Time spent in a stage: wall clock and this process's CPU time (which other work on a shared
/// machine inflates far less than the wall clock).
#[derive(Debug, Default, Clone, Copy)]
struct Spent {
    wall: f64,
    cpu: f64,
}

/// A started measurement; `stop` adds it to a [`Spent`].
struct Timer(Instant, f64);

impl Timer {
    fn start() -> Timer {
        Timer(Instant::now(), process_cpu())
    }

    fn stop(self, into: &mut Spent) {
        into.wall += self.0.elapsed().as_secs_f64();
        into.cpu += process_cpu() - self.1;
    }
}

/// This process's CPU time in seconds: all its threads', as rust_xlsxwriter assembles each
/// sheet's XML on a thread of its own while it saves (the one-core loop runs nothing else).
fn process_cpu() -> f64 {
    let mut t = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: clock_gettime writes the timespec it is given and nothing else.
    let ok = unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut t) } == 0;
    if ok {
        t.tv_sec as f64 + t.tv_nsec as f64 * 1e-9
    } else {
        0.0
    }
}

fn timed<T>(into: &mut Spent, f: impl FnOnce() -> T) -> T {
    let t = Timer::start();
    let out = f();
    t.stop(into);
    out
}

fn main() {
    let kams: usize = std::env::var("KAMPLAN_BENCH_KAMS").ok().and_then(|s| s.parse().ok()).unwrap_or(40);
    let per_kam = 10;
    let cfg = Config::default();
    let lang = Lang::load("es", "€", None).expect("embedded language");
    let period = Month { year: 2026, month: 10 };

    let t = Instant::now();
    let ds = dataset(kams, per_kam);
    let build_data = t.elapsed();
    let t = Instant::now();
    let c = classify::classify(&ds, &cfg, period, &lang);
    let t_classify = t.elapsed();
    let t = Instant::now();
    let plans = plan::build(&c, &ds, &plan::Inputs::from_dataset(&ds), &cfg, &lang);
    let t_plan = t.elapsed();
    let (templates, _) = templating::Templates::load(None, &lang).expect("embedded templates");
    let ctx = RenderContext {
        created: period.last_day().and_hms_opt(0, 0, 0).unwrap(),
        document_id: "bench".into(),
        page_label: lang.get("plan.page").into(),
        lang: "es".into(),
        ident: None,
    };
    let pdf = render::renderer(Format::Pdf);
    let xlsx = render::renderer(Format::Xlsx);
    let keys: usize = c.kams.iter().map(|k| k.key_accounts as usize).sum();

    // Per stage, one KAM after another on one core.
    let (mut t_tpl, mut t_parse, mut t_pdf, mut t_xlsx) = Default::default();
    let mut bytes = 0usize;
    let mut serial = Spent::default();
    let one = Timer::start();
    for k in &plans.kams {
        let xhtml = timed(&mut t_tpl, || templates.render_plan(k).expect("plan renders"));
        let doc = timed(&mut t_parse, || document::parse(&xhtml).expect("plan parses"));
        bytes += timed(&mut t_pdf, || pdf.render(&doc, &ctx).expect("pdf").len());
        bytes += timed(&mut t_xlsx, || xlsx.render(&doc, &ctx).expect("xlsx").len());
    }
    one.stop(&mut serial);

    // All cores, as `kamplan run` does.
    let par = Instant::now();
    let total: usize = plans
        .kams
        .par_iter()
        .map(|k| {
            let doc = document::parse(&templates.render_plan(k).unwrap()).unwrap();
            pdf.render(&doc, &ctx).unwrap().len() + xlsx.render(&doc, &ctx).unwrap().len()
        })
        .sum();
    let parallel = par.elapsed().as_secs_f64();
    assert_eq!(total, bytes, "parallel output differs in size from serial");

    let n = plans.kams.len() as f64;
    let ms = |s: f64| s * 1000.0;
    println!(
        "plans benchmark: {} KAMs, {keys} key accounts, {} transactions",
        plans.kams.len(),
        ds.transactions.len()
    );
    println!("{:<34} {:>10} {:>12} {:>14}", "stage", "total ms", "ms per KAM", "CPU ms per KAM");
    println!("{:<34} {:>10.1} {:>12}", "build dataset (in memory)", ms(build_data.as_secs_f64()), "");
    println!("{:<34} {:>10.1} {:>12}", "classify (P and P-1)", ms(t_classify.as_secs_f64()), "");
    println!(
        "{:<34} {:>10.1} {:>12.2}",
        "plan::build",
        ms(t_plan.as_secs_f64()),
        ms(t_plan.as_secs_f64()) / n
    );
    let stage = |name: &str, t: Spent| {
        println!("{name:<34} {:>10.1} {:>12.2} {:>14.2}", ms(t.wall), ms(t.wall) / n, ms(t.cpu) / n);
    };
    stage("template (tera)", t_tpl);
    stage("parse XHTML", t_parse);
    stage("PDF render", t_pdf);
    stage("XLSX render", t_xlsx);
    stage("one core: template+parse+PDF+XLSX", serial);
    println!(
        "(target ≤ 10 ms a KAM on one core; CPU time is the process's, which other load inflates far less)"
    );
    println!(
        "{:<34} {:>10.1} {:>12.2}  ({} threads, speed-up {:.2}×)",
        "parallel (rayon)",
        ms(parallel),
        ms(parallel) / n,
        rayon::current_num_threads(),
        serial.wall / parallel
    );
    println!("output: {:.1} MB", bytes as f64 / 1e6);
}
