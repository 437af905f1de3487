//! Ingest and full-run benchmark: a generated 1,000,000-row sales book (5,000 customers, 40 KAMs)
//! read by calamine alone and by `kamplan::ingest::ingest`, with wall and CPU times, the ratios and each
//! part's peak memory; the same rows as a Spanish Excel CSV export (`;`, `1234,56`, `dd/mm/yyyy`,
//! Windows-1252) read by `kamplan::ingest::ingest`, against the xlsx; then the whole `kamplan run`
//! on the book (read, classify, plan, render every KAM's PDF and XLSX, publish) against the bare
//! read.
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

const ZONES: [&str; 6] = ["Norte", "Sur", "Este", "Centro", "Costa", "Islas"];

/// One generated sales line: (day 0..730 from 2024-11-01, customer 0..5000, product, qty, amount, cost).
struct Line {
    day: usize,
    cust: usize,
    product: usize,
    qty: f64,
    amount: f64,
    cost: f64,
}

/// The `rows` lines of the book, the same for the xlsx and the CSV: over two years to 2026-10-31,
/// customers buying with Zipf-like frequencies (customer k about 1/k^0.94), so sales concentrate
/// as in a real book: about 1,150 of the 5,000 make 80 %.
fn lines(rows: u32) -> impl Iterator<Item = Line> {
    // Cumulative weights of the customers, drawn by binary search; customer codes are
    // scrambled so the largest are not the first codes.
    let mut cumulative = Vec::with_capacity(5000);
    let mut total = 0.0;
    for k in 0..5000 {
        total += 1.0 / (k as f64 + 1.0).powf(0.94);
        cumulative.push(total);
    }
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        seed = seed.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = seed;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    };
    (0..rows).map(move |i| {
        let x = next();
        let u = (next() >> 11) as f64 / (1u64 << 53) as f64 * total;
        let rank = cumulative.partition_point(|&c| c < u).min(4999);
        let qty = ((x >> 32) % 50 + 1) as f64;
        let amount = qty * (((x >> 40) % 9000) as f64 / 100.0 + 1.0);
        Line {
            day: (i as usize * 730) / rows as usize,
            cust: (rank * 2221) % 5000, // 2221 is coprime with 5000: a fixed shuffle
            product: (x >> 20) as usize % 400,
            qty,
            amount: (amount * 100.0).round() / 100.0,
            cost: (amount * 70.0).round() / 100.0,
        }
    })
}

/// Writes the book with rust_xlsxwriter in constant-memory mode: a title, the header, `rows` lines.
fn generate(path: &Path, rows: u32) {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let mut wb = Workbook::new();
    let kams = kam_names();
    let date_fmt = Format::new().set_num_format("dd/mm/yyyy");
    let products: Vec<String> = (0..400).map(|i| format!("Artículo {i:03}")).collect();
    let names: Vec<String> = (0..5000).map(|i| format!("Cliente {i:04} S.L.")).collect();
    let ws = wb.add_worksheet_with_constant_memory().unwrap();
    ws.set_name("Ventas").unwrap();
    ws.write_string(0, 0, "Distribuciones Ejemplo S.L. — ventas").unwrap();
    for (c, h) in HEADERS.iter().enumerate() {
        ws.write_string(2, c as u16, *h).unwrap();
    }
    let dates: Vec<ExcelDateTime> = (0..730)
        .map(|d| ExcelDateTime::from_serial_datetime(45597.0 + d as f64).unwrap()) // from 2024-11-01
        .collect();
    for (i, l) in lines(rows).enumerate() {
        let r = i as u32 + 3;
        ws.write_datetime_with_format(r, 0, &dates[l.day], &date_fmt).unwrap();
        ws.write_string(r, 1, format!("C{:04}", l.cust)).unwrap();
        ws.write_string(r, 2, &names[l.cust]).unwrap();
        ws.write_string(r, 3, &kams[l.cust % kams.len()]).unwrap();
        ws.write_string(r, 4, &products[l.product]).unwrap();
        ws.write_number(r, 5, l.qty).unwrap();
        ws.write_number(r, 6, l.amount).unwrap();
        ws.write_number(r, 7, l.cost).unwrap();
        ws.write_string(r, 8, ZONES[l.cust % 6]).unwrap();
        ws.write_string(r, 9, format!("F-{:07}", i / 3)).unwrap();
    }
    wb.save(path).unwrap();
}

/// The same rows as Spanish Excel's "CSV (delimitado por comas)": Windows-1252, `;`, decimal
/// comma, `dd/mm/yyyy` dates, CRLF; the title above the header as in the book.
fn generate_csv(path: &Path, rows: u32) {
    use std::io::Write;
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    let mut line = String::new();
    let kams = kam_names();
    let mut put = |line: &str| {
        let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(line);
        out.write_all(&bytes).unwrap();
    };
    put("Distribuciones Ejemplo S.L. — ventas;;;;;;;;;\r\n;;;;;;;;;\r\n");
    put(&(HEADERS.join(";") + "\r\n"));
    let start = chrono::NaiveDate::from_ymd_opt(2024, 11, 1).unwrap();
    let comma = |v: f64| format!("{v:.2}").replace('.', ",");
    for (i, l) in lines(rows).enumerate() {
        use std::fmt::Write as _;
        line.clear();
        let d = start + chrono::Days::new(l.day as u64);
        let _ = write!(
            line,
            "{};C{:04};Cliente {:04} S.L.;{};Artículo {:03};{};{};{};{};F-{:07}\r\n",
            d.format("%d/%m/%Y"),
            l.cust,
            l.cust,
            kams[l.cust % kams.len()],
            l.product,
            l.qty,
            comma(l.amount),
            comma(l.cost),
            ZONES[l.cust % 6],
            i / 3
        );
        put(&line);
    }
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

/// CPU time of this process so far (user + system, every thread), in seconds: on a machine
/// shared with other work the wall clock of a part stretches with the load, its CPU time far
/// less.
fn cpu_seconds() -> f64 {
    // SAFETY: getrusage writes the rusage it is given and nothing else.
    let mut u: libc::rusage = unsafe { std::mem::zeroed() };
    if unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut u) } != 0 {
        return 0.0;
    }
    let secs = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 * 1e-6;
    secs(u.ru_utime) + secs(u.ru_stime)
}

/// One measured part, in this (child) process; prints `seconds cpu_seconds peak_kib detail`.
fn child(part: &str, path: &Path) {
    use calamine::{open_workbook, DataRef, Reader, Xlsx};
    let t = Instant::now();
    let cpu0 = cpu_seconds();
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
    println!("{:.3} {:.3} {} {detail}", t.elapsed().as_secs_f64(), cpu_seconds() - cpu0, peak_kib());
}

fn unzipped_xml_bytes(path: &Path) -> u64 {
    let mut a = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    (0..a.len()).map(|i| a.by_index(i).map(|f| f.size()).unwrap_or(0)).sum()
}

/// One part's measurement: wall and CPU seconds, peak resident memory, what it read.
struct Measured {
    wall: f64,
    cpu: f64,
    kib: u64,
    detail: String,
}

fn run_child(part: &str, path: &Path) -> Measured {
    // In the book's folder, so no ./kamplan.toml of the caller's is read.
    let out = Command::new(std::env::current_exe().unwrap())
        .args(["--child", part])
        .arg(path)
        .current_dir(path.parent().unwrap())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "{part}: {text}{}", String::from_utf8_lossy(&out.stderr));
    // The measurement is the last line (a run prints the files it published before it).
    let mut it = text.trim().lines().last().unwrap_or("").splitn(4, ' ');
    let wall = it.next().unwrap().parse().unwrap();
    let cpu = it.next().unwrap().parse().unwrap();
    let kib = it.next().unwrap().parse().unwrap();
    Measured { wall, cpu, kib, detail: it.next().unwrap_or("").to_string() }
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
    let csv_path = path.with_extension("csv");
    let t = Instant::now();
    generate_csv(&csv_path, rows);
    let csv_size = std::fs::metadata(&csv_path).unwrap().len();
    println!(
        "csv:  the same rows, Windows-1252, \";\", decimal comma, {:.1} MB, written in {:.1} s",
        csv_size as f64 / 1e6,
        t.elapsed().as_secs_f64()
    );
    let stream = run_child("stream", &path);
    let range = run_child("range", &path);
    let ingest = run_child("ingest", &path);
    let csv = run_child("ingest", &csv_path);
    let run = run_child("run", &path);
    println!();
    println!(
        "{:<42} {:>8} {:>8} {:>9} {:>8} {:>9}  what",
        "read", "wall s", "vs bare", "CPU s", "vs bare", "peak MiB"
    );
    let row = |name: &str, m: &Measured| {
        println!(
            "{name:<42} {:>8.2} {:>7.2}× {:>9.2} {:>7.2}× {:>9.1}  {}",
            m.wall,
            m.wall / stream.wall,
            m.cpu,
            m.cpu / stream.cpu,
            m.kib as f64 / 1024.0,
            m.detail
        );
    };
    row("calamine bare read (worksheet_cells_reader)", &stream);
    row("calamine worksheet_range (whole Range)", &range);
    row("kamplan::ingest::ingest (xlsx)", &ingest);
    row("kamplan::ingest::ingest (same rows as CSV)", &csv);
    row("kamplan run (read … publish)", &run);
    println!(
        "(CPU: user + system of every thread; on a machine shared with other work the wall clock \
         stretches with the load, the CPU time far less)"
    );
    println!();
    println!(
        "ingest / bare read = {:.2}× wall, {:.2}× CPU (target ≤ 1.20×); ingest peak {:.0} MiB = {:.0}% of the \
         unzipped XML",
        ingest.wall / stream.wall,
        ingest.cpu / stream.cpu,
        ingest.kib as f64 / 1024.0,
        100.0 * ingest.kib as f64 * 1024.0 / xml as f64
    );
    println!(
        "csv / xlsx ingest = {:.2}× wall, {:.2}× CPU (target ≤ 1.00×: a CSV export reads at least as fast as \
         the book)",
        csv.wall / ingest.wall,
        csv.cpu / ingest.cpu
    );
    println!(
        "run / bare read = {:.2}× wall, {:.2}× CPU (target ≤ 1.60× wall) on {} threads; run peak {:.0} MiB \
         (target < 200)",
        run.wall / stream.wall,
        run.cpu / stream.cpu,
        std::thread::available_parallelism().map_or(1, |n| n.get()),
        run.kib as f64 / 1024.0
    );
}
