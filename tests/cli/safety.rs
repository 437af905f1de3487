//! Runs that must stay safe (issue 14): names that cannot leave the output folder, the lock and
//! the swap under concurrent runs, a month that cannot be fully removed, full disks, hostile
//! templates and settings — each with the right exit code and one clear line.

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::Value;

use crate::util::*;

/// The small English sales book: a full run on it takes a second or two.
fn sales_en() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/sales_en.xlsx")
}

fn run(dir: &Path, extra: &[&str]) -> Output {
    let book = sales_en();
    let mut args = vec!["run", "--period", "2026-10", "-o", "out", "--format", "xlsx"];
    args.extend_from_slice(extra);
    args.push(book.to_str().unwrap());
    kamplan(dir, &args)
}

fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

/// Every file under `dir` (relative path → bytes).
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, d: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for e in fs::read_dir(d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(root, &p, out);
            } else {
                let rel = p.strip_prefix(root).unwrap().to_string_lossy().into_owned();
                out.insert(rel, fs::read(&p).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

/// The month matches its manifest: the same files (but the manifest and `sent.json`), each with
/// the size and sha256 the manifest lists.
fn matches_manifest(month: &Path) -> Result<(), String> {
    use sha2::Digest;
    let on_disk = files(month);
    let manifest: Value = serde_json::from_slice(on_disk.get("manifest.json").ok_or("no manifest.json")?)
        .map_err(|e| e.to_string())?;
    let listed: BTreeMap<String, (u64, String)> = manifest["outputs"]
        .as_array()
        .ok_or("no outputs")?
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap_or("").to_string(),
                (f["bytes"].as_u64().unwrap_or(0), f["sha256"].as_str().unwrap_or("").to_string()),
            )
        })
        .collect();
    let disk: BTreeMap<String, (u64, String)> = on_disk
        .iter()
        .filter(|(k, _)| *k != "manifest.json" && *k != "sent.json")
        .map(|(k, b)| {
            let h: String = sha2::Sha256::digest(b).iter().map(|x| format!("{x:02x}")).collect();
            (k.clone(), (b.len() as u64, h))
        })
        .collect();
    if listed == disk {
        Ok(())
    } else {
        Err(format!("manifest lists {:?}, the month holds {:?}", listed.keys(), disk.keys()))
    }
}

/// The folder's entries but the lock file.
fn entries(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != ".kamplan.lock")
        .collect();
    v.sort();
    v
}

/// A template folder whose `i18n/es/run.toml` holds `[files]` with these lines.
fn files_override(dir: &Path, lines: &str) -> PathBuf {
    let tpl = dir.join("tpl");
    fs::create_dir_all(tpl.join("i18n/es")).unwrap();
    fs::write(tpl.join("i18n/es/run.toml"), format!("[files]\n{lines}\n")).unwrap();
    tpl
}

/// Runs `cmd` as the unprivileged user `nobody` when the tests run as root (root reads and
/// removes anything), as itself otherwise.
fn unprivileged(cmd: &mut Command) -> &mut Command {
    if unsafe { libc::geteuid() } == 0 {
        unsafe {
            cmd.pre_exec(|| {
                if libc::setgid(65534) == 0 && libc::setuid(65534) == 0 {
                    Ok(())
                } else {
                    Err(std::io::Error::last_os_error())
                }
            });
        }
    }
    cmd
}

/// Gives `path` to `nobody` when running as root (so an unprivileged run may write there).
fn give_to_nobody(path: &Path) {
    use std::os::unix::ffi::OsStrExt;
    if unsafe { libc::geteuid() } == 0 {
        let c = std::ffi::CString::new(path.as_os_str().as_bytes()).unwrap();
        assert_eq!(unsafe { libc::chown(c.as_ptr(), 65534, 65534) }, 0);
    }
}

// ---------------------------------------------------------------- 3, 9: names from i18n

#[test]
fn a_file_name_pattern_that_names_a_path_is_a_config_error() {
    let dir = tmp();
    let d = dir.path();
    for (lines, what) in [
        ("plan = \"../../../fuera {kam}\"", "\"..\""),
        ("plan = \"/tmp/fuera {kam}\"", "'/'"),
        ("plan = \"..\\\\fuera {kam}\"", "\"..\""),
        ("summary = \"\"", "empty"),
    ] {
        let tpl = files_override(d, lines);
        let o = run(d, &["--templates", tpl.to_str().unwrap()]);
        assert_eq!(code(&o), 2, "{lines}: {}", stderr(&o));
        assert!(stderr(&o).contains("[files]") && stderr(&o).contains(what), "{lines}: {}", stderr(&o));
        assert!(!d.join("out").exists(), "{lines}: nothing written");
    }
    let outside: Vec<_> = fs::read_dir(d.parent().unwrap())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with("fuera"))
        .collect();
    assert!(outside.is_empty(), "{outside:?}");
}

#[test]
fn a_kam_run_with_an_empty_summary_name_deletes_nothing() {
    let dir = tmp();
    let d = dir.path();
    assert!(code(&run(d, &[])) <= 1);
    let before = files(&d.join("out/2026-10"));
    let mut rdr = csv::Reader::from_path(d.join("out/2026-10/index.csv")).unwrap();
    let kam = rdr.records().next().unwrap().unwrap()[0].to_string();
    let tpl = files_override(d, "summary = \"\"");
    let o = run(d, &["--kam", &kam, "--templates", tpl.to_str().unwrap()]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert_eq!(files(&d.join("out/2026-10")), before, "every KAM's plan still there");
}

// ---------------------------------------------------------------- 8, 16: the swap

#[test]
fn a_file_where_the_month_goes_is_replaced_by_the_month() {
    let dir = tmp();
    let d = dir.path();
    fs::create_dir_all(d.join("out")).unwrap();
    fs::write(d.join("out/2026-10"), "a file, not a folder").unwrap();
    let o = run(d, &[]);
    assert!(code(&o) <= 1, "{}", stderr(&o));
    assert!(d.join("out/2026-10").is_dir());
    matches_manifest(&d.join("out/2026-10")).unwrap();
    assert_eq!(entries(&d.join("out")), ["2026-10"]);
}

#[test]
fn an_old_month_that_cannot_be_removed_is_a_warning_not_a_failure() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tmp();
    let d = dir.path();
    fs::set_permissions(d, fs::Permissions::from_mode(0o755)).unwrap();
    let book = d.join("sales_en.xlsx");
    fs::copy(sales_en(), &book).unwrap();
    let run_as_nobody = || {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_kamplan"));
        cmd.args(["run", "--period", "2026-10", "-o", "out", "--format", "xlsx", "sales_en.xlsx"])
            .current_dir(d)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        unprivileged(&mut cmd).output().unwrap()
    };
    fs::create_dir_all(d.join("out")).unwrap();
    give_to_nobody(&d.join("out"));
    let first = run_as_nobody();
    assert!(code(&first) <= 1, "{}", stderr(&first));
    // Another user's folder inside the published month, which this run's user cannot empty.
    let theirs = d.join("out/2026-10/notas-de-otro");
    fs::create_dir(&theirs).unwrap();
    fs::write(theirs.join("nota.txt"), "mía").unwrap();
    fs::set_permissions(&theirs, fs::Permissions::from_mode(0o555)).unwrap();
    for round in 0..2 {
        let o = run_as_nobody();
        let err = stderr(&o);
        assert_eq!(code(&o), 1, "round {round}: published, with a warning: {err}");
        assert!(err.contains("could not be") && err.contains("remove it by hand"), "{err}");
        assert!(stdout(&o).contains("2026-10"), "the month is listed: {}", stdout(&o));
        matches_manifest(&d.join("out/2026-10")).unwrap();
        assert!(!d.join("out/.previous-2026-10").exists());
    }
    // Let the temp folder go: every folder writable again.
    let _ = Command::new("chmod").args(["-R", "u+w"]).arg(d).status();
}

/// A small book of two KAMs whose folder names share a prefix ("ana", "ana-ruiz"), each with key
/// accounts in January 2026: a run on it takes well under a second.
fn two_kams_book(d: &Path) -> PathBuf {
    let s = V::S;
    let line = |day: u8, customer: &'static str, kam: &'static str, amount: f64| {
        vec![V::D(2026, 1, day), s(customer), s(kam), V::N(amount)]
    };
    let rows = vec![
        vec![s("Fecha"), s("Cliente"), s("Comercial"), s("Importe")],
        line(5, "Acme", "Ana", 1000.0),
        line(6, "Beta", "Ana Ruiz", 900.0),
        line(7, "Gamma", "Ana", 10.0),
        line(8, "Delta", "Ana Ruiz", 5.0),
    ];
    write_book(&d.join("ventas.xlsx"), &[("Ventas", rows)])
}

/// Issue 14 (9): a `--kam` run replaces exactly that KAM's folder — never another whose name
/// starts the same way — and the summary; every other file of the month is kept as it was.
#[test]
fn a_kam_run_replaces_exactly_that_kams_folder() {
    let dir = tmp();
    let d = dir.path();
    two_kams_book(d);
    let run = |extra: &[&str]| {
        let mut args = vec!["run", "--period", "2026-01", "-o", "out", "--format", "xlsx"];
        args.extend_from_slice(extra);
        args.push("ventas.xlsx");
        kamplan(d, &args)
    };
    let o = run(&[]);
    assert!(code(&o) <= 1, "{}", stderr(&o));
    let before = files(&d.join("out/2026-01"));
    let folders: Vec<&str> = before.keys().filter_map(|k| k.split_once('/')).map(|(f, _)| f).collect();
    assert!(folders.contains(&"ana") && folders.contains(&"ana-ruiz"), "{folders:?}");
    let o = run(&["--kam", "Ana"]);
    assert!(code(&o) <= 1, "{}", stderr(&o));
    let after = files(&d.join("out/2026-01"));
    assert_eq!(before.keys().collect::<Vec<_>>(), after.keys().collect::<Vec<_>>());
    for (k, v) in &before {
        if k.starts_with("ana-ruiz/") {
            assert!(after[k] == *v, "{k} changed by a run for Ana");
        }
    }
    matches_manifest(&d.join("out/2026-01")).unwrap();
}

// ---------------------------------------------------------------- 6, 7, 16: a concurrency soak

/// Five runs at once on one `out`, three times: each ends published (0/1) or refused by the lock
/// (4) — never anything else — at least one publishes, and the month always matches its
/// manifest.
#[test]
fn five_runs_at_once_on_one_folder_leave_a_month_that_matches_its_manifest() {
    let dir = tmp();
    let d = dir.path();
    let book = sales_en();
    for round in 0..3 {
        let children: Vec<_> = (0..5)
            .map(|i| {
                let fmt = if i % 2 == 0 { "xlsx" } else { "pdf" };
                Command::new(env!("CARGO_BIN_EXE_kamplan"))
                    .args(["run", "-q", "--period", "2026-10", "-o", "out", "--format", fmt])
                    .arg(&book)
                    .current_dir(d)
                    .stdout(Stdio::null())
                    .stderr(Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        let codes: Vec<(i32, String)> = children
            .into_iter()
            .map(|c| {
                let o = c.wait_with_output().unwrap();
                (code(&o), stderr(&o))
            })
            .collect();
        for (c, err) in &codes {
            assert!([0, 1, 4].contains(c), "round {round}: exit {c}: {err}");
            if *c == 4 {
                assert!(err.contains("another kamplan run"), "round {round}: {err}");
            }
        }
        assert!(codes.iter().any(|(c, _)| *c <= 1), "round {round}: nobody published: {codes:?}");
        matches_manifest(&d.join("out/2026-10")).unwrap_or_else(|e| panic!("round {round}: {e}"));
        assert_eq!(entries(&d.join("out")), ["2026-10"], "round {round}");
    }
}

/// Issue 14 (16): while a month is replaced, `<out>/<P>` is the old month or the new one at every
/// instant: a reader looking at it as fast as it can, through repeated republishing, never finds
/// it missing. (With two renames — old aside, new in — it was missing between them.)
#[test]
fn a_month_being_replaced_is_never_missing() {
    use std::sync::atomic::{AtomicBool, Ordering};
    let dir = tmp();
    let d = dir.path();
    two_kams_book(d);
    let publish =
        || kamplan(d, &["run", "-q", "--period", "2026-01", "-o", "out", "--format", "xlsx", "ventas.xlsx"]);
    let o = publish();
    assert!(code(&o) <= 1, "{}", stderr(&o));
    let month = d.join("out/2026-01");
    let stop = AtomicBool::new(false);
    let (codes, (looks, missing)) = std::thread::scope(|s| {
        let watcher = s.spawn(|| {
            let (mut looks, mut missing) = (0u64, 0u64);
            while !stop.load(Ordering::Relaxed) {
                looks += 1;
                if fs::symlink_metadata(&month).is_err() {
                    missing += 1;
                }
            }
            (looks, missing)
        });
        let codes: Vec<(i32, String)> = (0..12)
            .map(|_| {
                let o = publish();
                (code(&o), stderr(&o))
            })
            .collect();
        stop.store(true, Ordering::Relaxed);
        (codes, watcher.join().unwrap())
    });
    for (c, err) in &codes {
        assert!(*c <= 1, "exit {c}: {err}");
    }
    assert!(looks > 1000, "the watcher looked only {looks} times");
    assert_eq!(missing, 0, "the month was missing in {missing} of {looks} looks");
    matches_manifest(&month).unwrap();
    assert_eq!(entries(&d.join("out")), ["2026-01"]);
}

// ---------------------------------------------------------------- 11, 19: usage and settings

#[test]
fn jobs_beyond_a_sane_number_are_refused() {
    let dir = tmp();
    // A real book, so a run that accepted the number would go on to spawn its threads (with
    // 100000 it hung, still growing past 300 MB at 60 s).
    let book = sales_en();
    let b = book.to_str().unwrap();
    let too_many = (4 * std::thread::available_parallelism().map_or(1, |n| n.get()) + 1).to_string();
    for jobs in ["100000", &too_many, "0", "many"] {
        let r = kamplan_limited(dir.path(), &["run", "--period", "2026-10", "--jobs", jobs, b], 512, 30);
        assert!(!r.timed_out);
        assert_eq!(r.code, Some(2), "--jobs {jobs}: {}", r.stderr);
        assert!(r.stderr.contains("--jobs"), "{}", r.stderr);
    }
}

#[test]
fn settings_that_would_be_ignored_are_errors() {
    let dir = tmp();
    let d = dir.path();
    let book = sales_en();
    let b = book.to_str().unwrap();
    for (toml, want) in [
        ("[assign]\nby = \"zone\"\n", "did you mean \"region\""),
        ("[columns]\namount = \"Sales\"\ncost = \"sales\"\n", "one column cannot be both"),
        ("[columns]\namount = \"No existe\"\n", "matches no header in the books"),
        ("[columns]\namount = \"Net salse\"\n", "did you mean \"Net sales\""),
    ] {
        fs::write(d.join("kamplan.toml"), toml).unwrap();
        for cmd in ["check", "run"] {
            let o = kamplan(d, &[cmd, b]);
            assert_eq!(code(&o), 2, "{cmd} with {toml:?}: {}", stderr(&o));
            assert!(stderr(&o).contains(want), "{cmd} with {toml:?}: {}", stderr(&o));
        }
    }
    fs::remove_file(d.join("kamplan.toml")).unwrap();
    for period in ["2026-+1", "+026-01", "2026-1 ", "2026- 1"] {
        let o = kamplan(d, &["run", "--period", period, b]);
        assert_eq!(code(&o), 2, "--period {period:?}: {}", stderr(&o));
    }
}

// ---------------------------------------------------------------- 12: hostile templates

fn plan_template(d: &Path, body: &str) -> PathBuf {
    let tpl = d.join("tpl");
    fs::create_dir_all(&tpl).unwrap();
    fs::write(tpl.join("plan.xhtml.tera"), body).unwrap();
    tpl
}

#[test]
fn a_template_nesting_thousands_of_elements_is_an_error_not_a_crash() {
    let dir = tmp();
    let d = dir.path();
    let body = format!(
        "<document title=\"x\"><section title=\"s\"><p>{}x{}</p></section></document>",
        "<b>".repeat(10_000),
        "</b>".repeat(10_000)
    );
    let tpl = plan_template(d, &body);
    let b = sales_en();
    let r = kamplan_limited(
        d,
        &[
            "run",
            "--period",
            "2026-10",
            "-o",
            "out",
            "--templates",
            tpl.to_str().unwrap(),
            b.to_str().unwrap(),
        ],
        1024,
        120,
    );
    assert!(!r.timed_out);
    assert_eq!(r.code, Some(4), "{}", r.stderr);
    assert!(r.stderr.contains("plan.xhtml.tera") && r.stderr.contains("nest deeper"), "{}", r.stderr);
    assert!(!d.join("out/2026-10").exists());
}

#[test]
fn a_template_whose_output_never_ends_is_stopped_by_size_and_by_time() {
    let dir = tmp();
    let d = dir.path();
    let b = sales_en();
    let loops = |inner: &str| {
        format!(
            "<document title=\"x\"><section title=\"s\">{{% for a in range(end=100000) %}}{{% for b in \
             range(end=100000) %}}{inner}{{% endfor %}}{{% endfor %}}</section></document>"
        )
    };
    // Ten billion paragraphs: stopped at 64 MB of output, in bounded memory.
    let tpl = plan_template(d, &loops("<p>x</p>"));
    let args = [
        "run",
        "--period",
        "2026-10",
        "-o",
        "out",
        "--templates",
        tpl.to_str().unwrap(),
        b.to_str().unwrap(),
    ];
    let r = kamplan_limited(d, &args, 1024, 300);
    assert!(!r.timed_out, "{}", r.stderr);
    assert_eq!(r.code, Some(4), "{}", r.stderr);
    assert!(r.stderr.contains("plan.xhtml.tera") && r.stderr.contains("passes 64 MB"), "{}", r.stderr);
    // Ten billion empty turns: no output grows, the time limit stops it.
    plan_template(d, &loops(""));
    let r = kamplan_limited(d, &args, 1024, 300);
    assert!(!r.timed_out, "{}", r.stderr);
    assert_eq!(r.code, Some(4), "{}", r.stderr);
    assert!(r.stderr.contains("took more than 20 s") && r.stderr.contains("plan.xhtml.tera"), "{}", r.stderr);
    assert!(r.stderr.contains("plan of KAM"), "names the KAM: {}", r.stderr);
    assert!(!d.join("out/2026-10").exists());
}

// ---------------------------------------------------------------- 17, 21: output and errors

#[test]
fn a_full_stdout_or_stderr_never_panics() {
    let dir = tmp();
    let d = dir.path();
    let book = sales_en();
    let full = || fs::OpenOptions::new().write(true).open("/dev/full").unwrap();
    let with = |args: &[&str], out: bool| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_kamplan"));
        cmd.args(args).current_dir(d);
        if out {
            cmd.stdout(full()).stderr(Stdio::piped());
        } else {
            cmd.stdout(Stdio::piped()).stderr(full());
        }
        cmd.output().unwrap()
    };
    let b = book.to_str().unwrap();
    let run_args = ["run", "--period", "2026-10", "-o", "out", "--format", "xlsx", b];
    // The month is published: a listing that cannot be printed is a warning (exit 1).
    let o = with(&run_args, true);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("writing to stdout") && stderr(&o).contains("the month is published"),
        "{}",
        stderr(&o)
    );
    matches_manifest(&d.join("out/2026-10")).unwrap();
    // Where stdout is the result, losing it is an error (exit 4), said on stderr.
    for args in [
        &["check", b][..],
        &["classify", "--period", "2026-10", b],
        &["--help"],
        &["--version"],
        &["completions", "bash"],
    ] {
        let o = with(args, true);
        assert_eq!(code(&o), 4, "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains("writing to stdout"), "{args:?}: {}", stderr(&o));
        assert!(!stderr(&o).contains("panicked"), "{args:?}: {}", stderr(&o));
    }
    // A full stderr loses the progress lines, never the run.
    let o = with(&run_args, false);
    assert!(code(&o) <= 1, "exit {}", code(&o));
    let o = with(&["check", "no-existe.xlsx"], false);
    assert_eq!(code(&o), 3);
}

#[test]
fn an_output_folder_without_permission_is_said_once() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tmp();
    let d = dir.path();
    fs::set_permissions(d, fs::Permissions::from_mode(0o755)).unwrap();
    fs::copy(sales_en(), d.join("sales_en.xlsx")).unwrap();
    fs::create_dir(d.join("out")).unwrap();
    fs::set_permissions(d.join("out"), fs::Permissions::from_mode(0o555)).unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kamplan"));
    cmd.args(["run", "--period", "2026-10", "-o", "out", "sales_en.xlsx"]).current_dir(d);
    let o = unprivileged(&mut cmd).output().unwrap();
    let err = stderr(&o);
    assert_eq!(code(&o), 4, "{err}");
    assert!(err.contains("out/.kamplan.lock: permission denied"), "{err}");
    assert_eq!(err.to_lowercase().matches("permission denied").count(), 1, "said once: {err}");
    assert!(!err.contains("os error"), "{err}");
}
