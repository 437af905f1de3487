//! Ingest and full-run benchmark: a generated 1,000,000-row sales book (5,000 customers, 40 KAMs)
//! read by calamine alone and by `kamplan::ingest::ingest`, then the whole `kamplan run` on it
//! (read, classify, plan, render every KAM's PDF and XLSX, publish), with times, the ratio to
//! the bare read and each part's peak memory.
//!
//! `cargo bench --bench ingest` (rows: `KAMPLAN_BENCH_ROWS`, default 1,000,000). Each part runs
//! in a child process of this binary so its peak memory (VmHWM) is its own; `--child PART BOOK`
//! runs one part alone (stream, range, ingest, run).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

const HEADERS: [&str; 10] = [
    "Fecha factura",
    "Cód. cliente",
    "Cliente",
    "Comercial",
    "Artículo",
    "Uds.",
    "Importe",
    "Coste",
    "Zona",
    "Nº factura",
];

/// 40 KAM names: every first name with every surname.
fn kam_names() -> Vec<String> {
    let first = ["Lucía", "Íñigo", "María", "José Ángel", "Sofía", "Raúl", "Carmen", "Andrés"];
    let last = ["Pérez", "Goñi", "Ibáñez", "Núñez", "Martín"];
    first.iter().flat_map(|f| last.iter().map(move |l| format!("{f} {l}"))).collect()
}

/// Writes the book with rust_xlsxwriter in constant-memory mode: a title, the header, `rows` lines
/// over two years to 2026-10-31. Customers buy with Zipf-like frequencies (customer k about
/// 1/k^0.94), so sales concentrate as in a real book: about 1,150 of the 5,000 make 80 %.
fn generate(path: &Path, rows: u32) {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let mut wb = Workbook::new();
    let date_fmt = Format::new().set_num_format("dd/mm/yyyy");
    let kams = kam_names();
    let zones = ["Norte", "Sur", "Este", "Centro", "Costa", "Islas"];
    let products: Vec<String> = (0..400).map(|i| format!("Artículo {i:03}")).collect();
    let names: Vec<String> = (0..5000).map(|i| format!("Cliente {i:04} S.L.")).collect();
    // Cumulative weights of the customers, drawn by binary search; customer codes are
    // scrambled so the largest are not the first codes.
    let mut cumulative = Vec::with_capacity(5000);
    let mut total = 0.0;
    for k in 0..5000 {
        total += 1.0 / (k as f64 + 1.0).powf(0.94);
        cumulative.push(total);
    }
    let ws = wb.add_worksheet_with_constant_memory().unwrap();
    ws.set_name("Ventas").unwrap();
    ws.write_string(0, 0, "Distribuciones Ejemplo S.L. — ventas").unwrap();
    for (c, h) in HEADERS.iter().enumerate() {
        ws.write_string(2, c as u16, *h).unwrap();
    }
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = || {
        seed = seed.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = seed;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    };
    let dates: Vec<ExcelDateTime> = (0..730)
        .map(|d| ExcelDateTime::from_serial_datetime(45597.0 + d as f64).unwrap()) // from 2024-11-01
        .collect();
    for i in 0..rows {
        let r = i + 3;
        let x = next();
        let u = (next() >> 11) as f64 / (1u64 << 53) as f64 * total;
        let rank = cumulative.partition_point(|&c| c < u).min(4999);
        let cust = (rank * 2221) % 5000; // 2221 is coprime with 5000: a fixed shuffle
        ws.write_datetime_with_format(r, 0, &dates[(i as usize * 730) / rows as usize], &date_fmt).unwrap();
        ws.write_string(r, 1, format!("C{cust:04}")).unwrap();
        ws.write_string(r, 2, &names[cust]).unwrap();
        ws.write_string(r, 3, &kams[cust % kams.len()]).unwrap();
        ws.write_string(r, 4, &products[(x >> 20) as usize % 400]).unwrap();
        let qty = ((x >> 32) % 50 + 1) as f64;
        let amount = qty * (((x >> 40) % 9000) as f64 / 100.0 + 1.0);
        ws.write_number(r, 5, qty).unwrap();
        ws.write_number(r, 6, (amount * 100.0).round() / 100.0).unwrap();
        ws.write_number(r, 7, (amount * 70.0).round() / 100.0).unwrap();
        ws.write_string(r, 8, zones[cust % 6]).unwrap();
        ws.write_string(r, 9, format!("F-{:07}", i / 3)).unwrap();
    }
    wb.save(path).unwrap();
}

/// Peak resident memory of this process in KiB.
fn peak_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .map(|l| l.split_whitespace().nth(1).unwrap_or("0").parse().unwrap_or(0))
        })
        .unwrap_or(0)
}

/// One measured part, in this (child) process; prints `seconds peak_kib detail`.
fn child(part: &str, path: &Path) {
    use calamine::{open_workbook, DataRef, Reader, Xlsx};
    let t = Instant::now();
    let detail = match part {
        "stream" => {
            let mut wb: Xlsx<_> = open_workbook(path).unwrap();
            let mut reader = wb.worksheet_cells_reader("Ventas").unwrap();
            let (mut cells, mut sum, mut bytes) = (0u64, 0f64, 0usize);
            while let Some(c) = reader.next_cell().unwrap() {
                cells += 1;
                match c.get_value() {
                    DataRef::Float(f) => sum += f,
                    DataRef::String(s) => bytes += s.len(),
                    DataRef::SharedString(s) => bytes += s.len(),
                    _ => {}
                }
            }
            format!("{cells} cells, {bytes} text bytes, {sum:.0}")
        }
        "range" => {
            let mut wb: Xlsx<_> = open_workbook(path).unwrap();
            let range = wb.worksheet_range("Ventas").unwrap();
            format!("{} cells", range.used_cells().count())
        }
        "ingest" => {
            let cfg = kamplan::config::Config::default();
            let ds = kamplan::ingest::ingest(&[path.to_path_buf()], &cfg).unwrap();
            let r = &ds.report;
            format!("{} lines, {} rejected, total {:.2}", r.transactions, r.rejected, r.amount_total)
        }
        "run" => {
            // Exactly what the binary does: parse the command line, dispatch.
            use clap::Parser;
            let out = path.with_file_name("out");
            let args = ["kamplan", "run", "-q", "--period", "2026-10", "-o"];
            let cli = kamplan::cli::Cli::parse_from(
                args.iter().map(|s| s.into()).chain([out.clone().into_os_string(), path.into()]),
            );
            kamplan::commands::dispatch(&cli).unwrap();
            let manifest: serde_json::Value =
                serde_json::from_slice(&std::fs::read(out.join("2026-10/manifest.json")).unwrap()).unwrap();
            let c = &manifest["counts"];
            format!(
                "{} KAMs, {} key accounts, {} files",
                c["kams"],
                c["key_accounts"],
                manifest["outputs"].as_array().map_or(0, |o| o.len())
            )
        }
        _ => unreachable!(),
    };
    println!("{:.3} {} {detail}", t.elapsed().as_secs_f64(), peak_kib());
}

fn unzipped_xml_bytes(path: &Path) -> u64 {
    let mut a = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    (0..a.len()).map(|i| a.by_index(i).map(|f| f.size()).unwrap_or(0)).sum()
}

fn run_child(part: &str, path: &Path) -> (f64, u64, String) {
    let out =
        // In the book's folder, so no ./kamplan.toml of the caller's is read.
        Command::new(std::env::current_exe().unwrap())
            .args(["--child", part])
            .arg(path)
            .current_dir(path.parent().unwrap())
            .output()
            .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "{part}: {text}{}", String::from_utf8_lossy(&out.stderr));
    // The measurement is the last line (a run prints the files it published before it).
    let mut it = text.trim().lines().last().unwrap_or("").splitn(3, ' ');
    let secs = it.next().unwrap().parse().unwrap();
    let kib = it.next().unwrap().parse().unwrap();
    (secs, kib, it.next().unwrap_or("").to_string())
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--child") {
        return child(&args[i + 1], Path::new(&args[i + 2]));
    }
    let rows: u32 =
        std::env::var("KAMPLAN_BENCH_ROWS").ok().and_then(|v| v.parse().ok()).unwrap_or(1_000_000);
    let dir = tempfile::tempdir().unwrap();
    // KAMPLAN_BENCH_BOOK keeps the book at that path (for profiling the children by hand).
    let path: PathBuf = std::env::var_os("KAMPLAN_BENCH_BOOK")
        .map(PathBuf::from)
        .unwrap_or_else(|| dir.path().join("ventas_1m.xlsx"));
    let t = Instant::now();
    generate(&path, rows);
    let path = path.canonicalize().unwrap();
    let size = std::fs::metadata(&path).unwrap().len();
    let xml = unzipped_xml_bytes(&path);
    println!(
        "book: {rows} rows × {} columns, {:.1} MB xlsx, {:.1} MB unzipped XML, written in {:.1} s",
        HEADERS.len(),
        size as f64 / 1e6,
        xml as f64 / 1e6,
        t.elapsed().as_secs_f64()
    );
    let (stream_s, stream_kib, stream_d) = run_child("stream", &path);
    let (range_s, range_kib, range_d) = run_child("range", &path);
    let (ingest_s, ingest_kib, ingest_d) = run_child("ingest", &path);
    let (run_s, run_kib, run_d) = run_child("run", &path);
    println!();
    println!("{:<42} {:>9} {:>12} {:>9}  what", "read", "seconds", "peak MiB", "vs bare");
    let row = |name: &str, s: f64, kib: u64, d: &str| {
        println!("{name:<42} {s:>9.2} {:>12.1} {:>8.2}×  {d}", kib as f64 / 1024.0, s / stream_s);
    };
    row("calamine bare read (worksheet_cells_reader)", stream_s, stream_kib, &stream_d);
    row("calamine worksheet_range (whole Range)", range_s, range_kib, &range_d);
    row("kamplan::ingest::ingest", ingest_s, ingest_kib, &ingest_d);
    row("kamplan run (read … publish)", run_s, run_kib, &run_d);
    println!();
    println!(
        "ingest / bare read = {:.2}× (target ≤ 1.20×); ingest peak {:.0} MiB = {:.0}% of the unzipped XML",
        ingest_s / stream_s,
        ingest_kib as f64 / 1024.0,
        100.0 * ingest_kib as f64 * 1024.0 / xml as f64
    );
    println!(
        "run / bare read = {:.2}× (target ≤ 1.60×) on {} threads; run peak {:.0} MiB (target < 200)",
        run_s / stream_s,
        std::thread::available_parallelism().map_or(1, |n| n.get()),
        run_kib as f64 / 1024.0
    );
}
