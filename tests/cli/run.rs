//! Integration tests for `kamplan run`: the monthly unattended job on the committed samples.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use crate::util::*;

fn samples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("samples")
}

/// Every file under `dir` (relative path → bytes).
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, d: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for e in fs::read_dir(d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(root, &p, out);
            } else {
                out.insert(
                    p.strip_prefix(root).unwrap().to_string_lossy().into_owned(),
                    fs::read(&p).unwrap(),
                );
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

fn run_samples(dir: &Path, out: &str, extra: &[&str]) -> std::process::Output {
    let s = samples();
    let mut args = vec!["run", "--period", "2026-10", "-o", out];
    args.extend_from_slice(extra);
    args.push(s.to_str().unwrap());
    kamplan(dir, &args)
}

#[test]
fn full_run_on_samples_publishes_every_plan_with_manifest_and_index() {
    let t = tmp();
    let o = run_samples(t.path(), "out", &[]);
    // The samples are clean: nothing rejected, growth available, every key account has a KAM.
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let month = t.path().join("out/2026-10");
    let manifest: serde_json::Value =
        serde_json::from_slice(&fs::read(month.join("manifest.json")).unwrap()).unwrap();

    // Counts agree with `classify` on the same inputs.
    let c = kamplan(
        t.path(),
        &["classify", "--period", "2026-10", "--format", "json", samples().to_str().unwrap()],
    );
    let cj: serde_json::Value = serde_json::from_slice(&c.stdout).unwrap();
    assert_eq!(manifest["counts"]["key_accounts"], cj["totals"]["key_accounts"]);
    assert_eq!(manifest["counts"]["accounts"], cj["totals"]["accounts"]);
    assert_eq!(manifest["counts"]["rows"], cj["ingest"]["rows"]);
    assert_eq!(manifest["counts"]["rejected"], cj["ingest"]["rejected"]);
    assert_eq!(manifest["period"], "2026-10");
    assert_eq!(manifest["inputs"].as_array().unwrap().len(), 4, "the four sample books");

    // One index row per KAM with key accounts, and every listed file exists with the hash the manifest gives.
    let kams: Vec<String> = cj["kams"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|k| k["key_accounts"].as_u64().unwrap() > 0)
        .map(|k| k["name"].as_str().unwrap().to_string())
        .collect();
    assert!(kams.len() >= 5, "{kams:?}");
    let mut rdr = csv::Reader::from_path(month.join("index.csv")).unwrap();
    let rows: Vec<csv::StringRecord> = rdr.records().map(|r| r.unwrap()).collect();
    let index_kams: Vec<&str> = rows.iter().map(|r| &r[0]).collect();
    let mut sorted = kams.clone();
    sorted.sort();
    let mut index_sorted: Vec<String> = index_kams.iter().map(|s| s.to_string()).collect();
    index_sorted.sort();
    assert_eq!(index_sorted, sorted);
    for r in &rows {
        assert!(r[4].ends_with(".pdf") && month.join(&r[4]).is_file(), "{r:?}");
        assert!(r[5].ends_with(".xlsx") && month.join(&r[5]).is_file(), "{r:?}");
    }
    let on_disk = files(&month);
    for f in manifest["outputs"].as_array().unwrap() {
        let bytes = &on_disk[f["path"].as_str().unwrap()];
        assert_eq!(f["bytes"].as_u64().unwrap(), bytes.len() as u64);
    }
    assert!(
        on_disk.keys().any(|k| k.starts_with("Resumen 2026-10") && k.ends_with(".pdf")),
        "{:?}",
        on_disk.keys()
    );
    // Nothing left behind but the month (and the lock file, which is never deleted).
    assert_eq!(entries(&t.path().join("out")), ["2026-10"]);
}

#[test]
fn rerunning_the_same_inputs_gives_identical_bytes() {
    let t = tmp();
    let a = run_samples(t.path(), "a", &["--lang", "en"]);
    let b = run_samples(t.path(), "b", &["--lang", "en", "--jobs", "1"]);
    assert!(a.status.code().unwrap() <= 1 && b.status.code().unwrap() <= 1, "{}", stderr(&a));
    let (fa, fb) = (files(&t.path().join("a/2026-10")), files(&t.path().join("b/2026-10")));
    assert_eq!(fa.keys().collect::<Vec<_>>(), fb.keys().collect::<Vec<_>>());
    for (k, v) in &fa {
        if k != "manifest.json" {
            assert!(v == &fb[k], "{k} differs between two runs");
        }
    }
    assert!(fa.keys().any(|k| k.starts_with("Summary 2026-10")), "English file names: {:?}", fa.keys());
}

#[test]
fn dry_run_lists_and_writes_nothing() {
    let t = tmp();
    let o = run_samples(t.path(), "out", &["--dry-run"]);
    assert!(o.status.code().unwrap() <= 1, "{}", stderr(&o));
    let listed = stdout(&o);
    assert!(
        listed.contains("manifest.json") && listed.contains(".pdf") && listed.contains(".xlsx"),
        "{listed}"
    );
    assert!(!t.path().join("out").exists());
}

/// The entries of a folder, sorted, without the lock file (which stays, unlocked).
fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != ".kamplan.lock")
        .collect();
    names.sort();
    names
}

/// Holds the OS lock on `out` as another run would, with `pid` written in the file.
fn hold_lock(out: &Path, pid: &str) -> fs::File {
    fs::create_dir_all(out).unwrap();
    let f = fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(true)
        .open(out.join(".kamplan.lock"))
        .unwrap();
    fs4::FileExt::try_lock(&f).unwrap();
    fs::write(out.join(".kamplan.lock"), pid).unwrap();
    f
}

#[test]
fn a_live_lock_stops_a_second_run_and_names_the_holder() {
    let t = tmp();
    // The test process plays the other run: it holds the lock.
    let held = hold_lock(&t.path().join("out"), &format!("{}\n", std::process::id()));
    let o = run_samples(t.path(), "out", &[]);
    assert_eq!(o.status.code(), Some(4), "{}", stderr(&o));
    assert!(stderr(&o).contains(&format!("pid {}", std::process::id())), "{}", stderr(&o));
    assert!(!t.path().join("out/2026-10").exists());
    drop(held);
}

/// Issue 14 (6): a holder that has locked but not yet written its pid (an empty file) holds the
/// lock all the same; before, the empty file was taken as stale, deleted, and both runs published.
#[test]
fn a_lock_whose_pid_is_not_written_yet_still_stops_a_second_run() {
    let t = tmp();
    let held = hold_lock(&t.path().join("out"), "");
    let o = run_samples(t.path(), "out", &[]);
    assert_eq!(o.status.code(), Some(4), "{}", stderr(&o));
    assert!(stderr(&o).contains("another kamplan run is writing"), "{}", stderr(&o));
    assert!(t.path().join("out/.kamplan.lock").exists(), "never deleted while held");
    assert!(!t.path().join("out/2026-10").exists());
    drop(held);
}

/// Issue 14 (7): a pid in the file holds nothing — not a dead one, and not a live process that
/// is not kamplan (pid 1, or a pid reused after a reboot); only the OS lock counts.
#[test]
fn a_lock_file_nobody_holds_is_taken_whatever_pid_it_names() {
    let t = tmp();
    for pid in ["4294967\n", "1\n"] {
        fs::create_dir_all(t.path().join("out")).unwrap();
        fs::write(t.path().join("out/.kamplan.lock"), pid).unwrap();
        let o = run_samples(t.path(), "out", &["--format", "xlsx"]);
        assert!(o.status.code().unwrap() <= 1, "{pid:?}: {}", stderr(&o));
        assert!(t.path().join("out/2026-10/manifest.json").is_file());
        // Released: this process can take it now.
        let f = fs::OpenOptions::new().write(true).open(t.path().join("out/.kamplan.lock")).unwrap();
        fs4::FileExt::try_lock(&f).expect("lock released");
    }
}

#[test]
fn a_failing_document_publishes_nothing_and_keeps_the_previous_month() {
    let t = tmp();
    let first = run_samples(t.path(), "out", &["--format", "xlsx"]);
    assert!(first.status.code().unwrap() <= 1, "{}", stderr(&first));
    let before = files(&t.path().join("out/2026-10"));

    // A user template that cannot render: the run must fail with exit 4 and publish nothing.
    let tpl = t.path().join("tpl");
    fs::create_dir_all(&tpl).unwrap();
    fs::write(tpl.join("plan.xhtml.tera"), "<document title=\"x\">{{ no_such_variable.field }}</document>")
        .unwrap();
    let o = run_samples(t.path(), "out", &["--templates", tpl.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(4), "{}", stderr(&o));
    assert!(stderr(&o).contains("plan of KAM"), "the error names the KAM: {}", stderr(&o));
    assert_eq!(files(&t.path().join("out/2026-10")), before, "previous month untouched");
    assert_eq!(entries(&t.path().join("out")), ["2026-10"], "no temp folder left behind");
}

#[test]
fn a_run_for_one_kam_keeps_the_other_plans() {
    let t = tmp();
    let first = run_samples(t.path(), "out", &["--format", "xlsx"]);
    assert!(first.status.code().unwrap() <= 1, "{}", stderr(&first));
    let before = files(&t.path().join("out/2026-10"));
    let mut rdr = csv::Reader::from_path(t.path().join("out/2026-10/index.csv")).unwrap();
    let kam = rdr.records().next().unwrap().unwrap()[0].to_string();
    let o = run_samples(t.path(), "out", &["--format", "xlsx", "--kam", &kam]);
    assert!(o.status.code().unwrap() <= 1, "{}", stderr(&o));
    let after = files(&t.path().join("out/2026-10"));
    assert_eq!(before.keys().collect::<Vec<_>>(), after.keys().collect::<Vec<_>>());
}

#[test]
fn unknown_kam_is_a_usage_error() {
    let t = tmp();
    let o = run_samples(t.path(), "out", &["--kam", "Nadie Nobody"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("Nadie Nobody"));
}

#[test]
fn a_bad_config_key_is_exit_2_with_a_suggestion() {
    let t = tmp();
    fs::write(t.path().join("kamplan.toml"), "[classify]\nvolumen_share = 0.7\n").unwrap();
    let o = run_samples(t.path(), "out", &[]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("did you mean `volume_share`"), "{}", stderr(&o));
}

#[test]
fn a_bad_period_is_exit_2() {
    let t = tmp();
    let s = samples();
    let o = kamplan(t.path(), &["run", "--period", "2026/10", s.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("YYYY-MM"), "{}", stderr(&o));
}

#[test]
fn no_readable_book_is_exit_3() {
    let t = tmp();
    fs::write(t.path().join("ventas.xlsx"), "this is not a workbook").unwrap();
    let o = kamplan(t.path(), &["run", "ventas.xlsx"]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(stderr(&o).contains("ventas.xlsx"), "{}", stderr(&o));
    // The run locked its output folder before reading; nothing was published in it.
    assert_eq!(entries(&t.path().join("out")), Vec::<String>::new());
}

#[test]
fn a_book_without_sales_lines_is_exit_3() {
    let t = tmp();
    write_book(&t.path().join("notas.xlsx"), &[("Notas", vec![vec![V::S("Reunión del lunes")]])]);
    let o = kamplan(t.path(), &["run", "notas.xlsx"]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
}

#[test]
fn init_writes_templates_and_a_config_that_runs() {
    let t = tmp();
    let o = kamplan(t.path(), &["init", "tpl"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(t.path().join("tpl/kamplan.toml").is_file());
    assert!(t.path().join("tpl/plan.xhtml.tera").is_file());
    assert!(t.path().join("tpl/i18n/es/plan.toml").is_file());
    // The written folder is a valid override: a run with it works.
    let o = run_samples(
        t.path(),
        "out",
        &["-c", "tpl/kamplan.toml", "--templates", "tpl", "--format", "xlsx", "--dry-run"],
    );
    assert!(o.status.code().unwrap() <= 1, "{}", stderr(&o));
    // Existing files are kept, never overwritten.
    fs::write(t.path().join("tpl/kamplan.toml"), "lang = \"en\"\n").unwrap();
    let o = kamplan(t.path(), &["init", "tpl"]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(fs::read_to_string(t.path().join("tpl/kamplan.toml")).unwrap(), "lang = \"en\"\n");
}

#[test]
fn completions_are_printed_for_bash() {
    let t = tmp();
    let o = kamplan(t.path(), &["completions", "bash"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).contains("kamplan"));
}

#[test]
fn rejected_rows_make_exit_1_and_are_in_the_manifest() {
    let t = tmp();
    let mut rows = vec![vec![V::S("Fecha"), V::S("Cliente"), V::S("Comercial"), V::S("Importe")]];
    for m in 1..=12u8 {
        rows.push(vec![V::D(2025, m, 10), V::S("Acme S.A."), V::S("Ana"), V::N(1000.0)]);
        rows.push(vec![V::D(2026, m.min(10), 10), V::S("Beta S.L."), V::S("Ana"), V::N(500.0)]);
    }
    rows.push(vec![V::D(2026, 10, 11), V::S("Acme S.A."), V::S("Ana"), V::S("pendiente")]);
    write_book(&t.path().join("ventas.xlsx"), &[("Ventas", rows)]);
    let o = kamplan(t.path(), &["run", "--period", "2026-10", "--format", "xlsx", "ventas.xlsx"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("rejected rows: 1"), "{}", stderr(&o));
    let manifest: serde_json::Value =
        serde_json::from_slice(&fs::read(t.path().join("out/2026-10/manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["counts"]["rejected"], 1);
    assert!(!manifest["warnings"].as_array().unwrap().is_empty());
}

#[test]
fn a_killed_run_never_leaves_a_half_month() {
    let t = tmp();
    let first = run_samples(t.path(), "out", &["--format", "xlsx"]);
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    let before = files(&t.path().join("out/2026-10"));
    let s = samples();
    for delay_ms in [50u64, 250, 600] {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_kamplan"))
            .args(["run", "-q", "--period", "2026-10", "-o", "out", s.to_str().unwrap()])
            .current_dir(t.path())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        let _ = child.kill();
        let _ = child.wait();
        // Whenever the kill landed, the month is either the previous one untouched or a
        // complete new one whose manifest matches every file.
        // The swap is one atomic exchange: whenever the kill landed, the month is there.
        let month = t.path().join("out/2026-10");
        assert!(month.is_dir(), "the month is missing after a kill at {delay_ms} ms");
        let now = files(&month);
        if now != before {
            let manifest: serde_json::Value = serde_json::from_slice(&now["manifest.json"]).unwrap();
            let listed: Vec<&str> =
                manifest["outputs"].as_array().unwrap().iter().map(|f| f["path"].as_str().unwrap()).collect();
            let mut on_disk: Vec<&str> =
                now.keys().map(String::as_str).filter(|k| *k != "manifest.json").collect();
            on_disk.sort();
            assert_eq!(listed, on_disk, "after a kill at {delay_ms} ms");
        }
    }
    // The next run cleans whatever a killed run left and publishes normally.
    let again = run_samples(t.path(), "out", &["--format", "xlsx"]);
    assert_eq!(again.status.code(), Some(0), "{}", stderr(&again));
    assert_eq!(entries(&t.path().join("out")), ["2026-10"], "no staging folder left");
}

/// The text of each page of a PDF.
fn page_texts(path: &Path) -> Vec<String> {
    let pdf = lopdf::Document::load(path).expect("a readable PDF");
    let n = pdf.get_pages().len() as u32;
    (1..=n).map(|p| pdf.extract_text(&[p]).expect("text extracts")).collect()
}

#[test]
fn the_sample_plans_print_in_two_pages_per_account() {
    let t = tmp();
    let o = run_samples(t.path(), "out", &["--format", "pdf"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let month = t.path().join("out/2026-10");
    let mut rdr = csv::Reader::from_path(month.join("index.csv")).unwrap();
    let rows: Vec<csv::StringRecord> = rdr.records().map(|r| r.unwrap()).collect();
    let mut largest = 0;
    for r in &rows {
        let accounts: usize = r[2].parse().unwrap();
        let pages = page_texts(&month.join(&r[4]));
        // Each account's section opens with its link back to the table; the cover and the
        // table come before the first.
        let starts: Vec<usize> =
            pages.iter().enumerate().filter(|(_, p)| p.contains("← Cuentas clave")).map(|(i, _)| i).collect();
        assert_eq!(starts.len(), accounts, "{}: every account starts a page", &r[0]);
        assert!(starts[0] <= 3, "{}: cover and table take {} pages", &r[0], starts[0]);
        // No page holds a lone heading or only an empty form: every page has body text
        // beyond its footer (a footer line alone is about 60 characters).
        for (i, p) in pages.iter().enumerate() {
            assert!(p.trim().len() > 200, "{} page {}: {p:?}", &r[0], i + 1);
        }
        largest = largest.max(accounts);
        if accounts >= 13 {
            // The large sample plans (13 and 14 accounts): at most two pages per account,
            // plus the cover and the table.
            assert!(
                pages.len() <= starts[0] + 2 * accounts,
                "{}: {} pages for {accounts} accounts after {} of cover and table; starts {starts:?}",
                &r[0],
                pages.len(),
                starts[0]
            );
        }
    }
    assert!(largest >= 13, "the samples have a KAM with 13 key accounts or more");
}

#[test]
fn the_sample_workbooks_hold_typed_rounded_numbers_and_live_totals() {
    use calamine::{Data, Reader, Xlsx};
    let t = tmp();
    let o = run_samples(t.path(), "out", &["--format", "xlsx"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let month = t.path().join("out/2026-10");
    let mut rdr = csv::Reader::from_path(month.join("index.csv")).unwrap();
    let rows: Vec<csv::StringRecord> = rdr.records().map(|r| r.unwrap()).collect();
    let lucia = rows.iter().find(|r| &r[2] == "13").expect("the plan of 13 key accounts");
    let mut wb: Xlsx<_> = calamine::open_workbook(month.join(&lucia[5])).unwrap();

    // Sheet names: Excel's 31 characters at most, unique, cut at a word (never "… Hnos. F").
    let names = wb.sheet_names().to_vec();
    let mut seen = std::collections::BTreeSet::new();
    for n in &names {
        assert!(n.chars().count() <= 31 && seen.insert(n.to_lowercase()), "{n:?} in {names:?}");
    }
    assert!(names.iter().any(|n| n == "Distribuidora Hostelera Ferrer"), "{names:?}");

    // The key accounts table: numbers typed and rounded, no text in a numeric column, and the
    // totals row SUBTOTAL formulas with their values cached for readers that do not calculate.
    let sheet = "Cuentas clave";
    let cells = wb.worksheet_range(sheet).unwrap();
    let formulas = wb.worksheet_formula(sheet).unwrap();
    let header = (0..cells.height() as u32)
        .find(|&r| cells.get_value((r, 0)) == Some(&Data::String("Nº".into())))
        .expect("the table's header row");
    let col = |label: &str| {
        (0..cells.width() as u32)
            .find(|&c| cells.get_value((header, c)) == Some(&Data::String(label.into())))
            .unwrap_or_else(|| panic!("no column {label:?}"))
    };
    let (sales, share, growth) = (col("Ventas"), col("Peso"), col("Crecim."));
    let body: Vec<u32> = (header + 1..header + 14).collect();
    let mut sum = 0.0;
    for &r in &body {
        let Some(Data::Float(v)) = cells.get_value((r, sales)) else { panic!("row {r}: sales not a number") };
        assert_eq!((v * 100.0).round() / 100.0, *v, "money to the cent: {v}");
        sum += v;
        let Some(Data::Float(s)) = cells.get_value((r, share)) else { panic!("row {r}: share not a number") };
        assert_eq!((s * 1e5).round() / 1e5, *s, "a share to what it shows plus two digits: {s}");
        // A growth that is not a number (a new account) is an empty cell, never "nueva".
        match cells.get_value((r, growth)) {
            None | Some(Data::Empty) | Some(Data::Float(_)) => {}
            Some(other) => panic!("row {r}: text in the growth column: {other:?}"),
        }
    }
    let total = header + 14;
    assert_eq!(cells.get_value((total, 0)), Some(&Data::String("Total".into())));
    let f = formulas.get_value((total, sales)).cloned().unwrap_or_default();
    assert!(f.starts_with("SUBTOTAL(109,"), "{f}");
    let Some(Data::Float(cached)) = cells.get_value((total, sales)) else { panic!("no cached total") };
    assert!((cached - sum).abs() < 0.005, "cached {cached} against the rows' {sum}");
    let company: f64 = lucia[3].parse().unwrap();
    assert!((cached - company).abs() < 0.005, "the total is the KAM's sales in index.csv");
}
