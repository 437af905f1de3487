//! Plans benchmark: 40 KAMs × 10 key accounts, each plan templated, parsed and rendered to PDF
//! and XLSX — on one core, then in parallel across KAMs with rayon. Target: ≤ 30 ms a KAM.
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
    let (mut t_tpl, mut t_parse, mut t_pdf, mut t_xlsx) = (0.0, 0.0, 0.0, 0.0);
    let mut bytes = 0usize;
    let one = Instant::now();
    for k in &plans.kams {
        let t = Instant::now();
        let xhtml = templates.render_plan(k).expect("plan renders");
        t_tpl += t.elapsed().as_secs_f64();
        let t = Instant::now();
        let doc = document::parse(&xhtml).expect("plan parses");
        t_parse += t.elapsed().as_secs_f64();
        let t = Instant::now();
        bytes += pdf.render(&doc, &ctx).expect("pdf").len();
        t_pdf += t.elapsed().as_secs_f64();
        let t = Instant::now();
        bytes += xlsx.render(&doc, &ctx).expect("xlsx").len();
        t_xlsx += t.elapsed().as_secs_f64();
    }
    let serial = one.elapsed().as_secs_f64();

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
    println!("{:<34} {:>10} {:>12}", "stage", "total ms", "ms per KAM");
    println!("{:<34} {:>10.1} {:>12}", "build dataset (in memory)", ms(build_data.as_secs_f64()), "");
    println!("{:<34} {:>10.1} {:>12}", "classify (P and P-1)", ms(t_classify.as_secs_f64()), "");
    println!(
        "{:<34} {:>10.1} {:>12.2}",
        "plan::build",
        ms(t_plan.as_secs_f64()),
        ms(t_plan.as_secs_f64()) / n
    );
    println!("{:<34} {:>10.1} {:>12.2}", "template (tera)", ms(t_tpl), ms(t_tpl) / n);
    println!("{:<34} {:>10.1} {:>12.2}", "parse XHTML", ms(t_parse), ms(t_parse) / n);
    println!("{:<34} {:>10.1} {:>12.2}", "PDF render", ms(t_pdf), ms(t_pdf) / n);
    println!("{:<34} {:>10.1} {:>12.2}", "XLSX render", ms(t_xlsx), ms(t_xlsx) / n);
    println!(
        "{:<34} {:>10.1} {:>12.2}  (target ≤ 30)",
        "one core: template+parse+PDF+XLSX",
        ms(serial),
        ms(serial) / n
    );
    println!(
        "{:<34} {:>10.1} {:>12.2}  ({} threads, speed-up {:.2}×)",
        "parallel (rayon)",
        ms(parallel),
        ms(parallel) / n,
        rayon::current_num_threads(),
        serial / parallel
    );
    println!("output: {:.1} MB", bytes as f64 / 1e6);
}
