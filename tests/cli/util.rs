//! Shared helpers: a temp folder, writing small books, running the binary.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A fresh temporary folder, removed when dropped.
pub fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().expect("temp dir")
}

/// Runs `kamplan` with `args` in `dir`.
pub fn kamplan(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kamplan"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("RUST_LOG")
        .output()
        .expect("run kamplan")
}

/// stdout as text.
pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// stderr as text.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A cell value for [`write_book`].
#[derive(Debug, Clone)]
pub enum V {
    S(&'static str),
    Str(String),
    N(f64),
    /// An Excel date cell (yyyy, mm, dd).
    D(u16, u8, u8),
    Empty,
}

/// Writes an xlsx at `path` with `sheets`: (name, rows of cells). Returns the path.
pub fn write_book(path: &Path, sheets: &[(&str, Vec<Vec<V>>)]) -> PathBuf {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let mut wb = Workbook::new();
    let date_fmt = Format::new().set_num_format("dd/mm/yyyy");
    for (name, rows) in sheets {
        let ws = wb.add_worksheet();
        ws.set_name(*name).unwrap();
        for (r, row) in rows.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                let (r, c) = (r as u32, c as u16);
                match v {
                    V::S(s) => {
                        ws.write_string(r, c, *s).unwrap();
                    }
                    V::Str(s) => {
                        ws.write_string(r, c, s).unwrap();
                    }
                    V::N(n) => {
                        ws.write_number(r, c, *n).unwrap();
                    }
                    V::D(y, m, d) => {
                        let dt = ExcelDateTime::from_ymd(*y, *m, *d).unwrap();
                        ws.write_datetime_with_format(r, c, &dt, &date_fmt).unwrap();
                    }
                    V::Empty => {}
                }
            }
        }
    }
    wb.save(path).unwrap();
    path.to_path_buf()
}

/// How a limited run ended.
pub struct Limited {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    /// Killed for taking longer than allowed.
    pub timed_out: bool,
}

/// Runs `kamplan` with `args` in `dir` with at most `mb` MB of address space (so a regression
/// fails instead of eating the machine) and `secs` seconds (so a hang fails instead of hanging).
pub fn kamplan_limited(dir: &Path, args: &[&str], mb: u64, secs: u64) -> Limited {
    use std::io::Read;
    let mut child = Command::new("prlimit")
        .arg(format!("--as={}", mb << 20))
        .arg("--")
        .arg(env!("CARGO_BIN_EXE_kamplan"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        // glibc reserves 64 MB of address space per thread arena: with a few threads that alone
        // would pass the cap, so the cap measures what is used, not what is reserved.
        .env("MALLOC_ARENA_MAX", "2")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run kamplan under prlimit");
    // Pipes are drained by threads so a chatty run never blocks on a full pipe.
    let mut so = child.stdout.take().expect("stdout");
    let mut se = child.stderr.take().expect("stderr");
    let t_out = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = so.read_to_string(&mut s);
        s
    });
    let t_err = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = se.read_to_string(&mut s);
        s
    });
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(secs);
    let mut timed_out = false;
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait") {
            break s;
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            timed_out = true;
            break child.wait().expect("wait");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    let stdout = t_out.join().unwrap_or_default();
    let stderr = t_err.join().unwrap_or_default();
    Limited { code: status.code(), stdout, stderr, timed_out }
}
