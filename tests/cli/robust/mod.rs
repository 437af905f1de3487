//! Damaged and hostile books (issue 14): each ends with one clear line naming the file (and the
//! part, sheet or cell), the right exit code, bounded time and memory — and nothing lost or
//! invented. Every book is built here; the bombs are a few megabytes that inflate to gigabytes.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::forge::{self, Part};
use crate::util::*;

/// Address space for runs that must stay small: pre-fix, each of these cases took gigabytes.
pub(super) const MB: u64 = 512;
/// Seconds a run may take before it counts as a hang.
pub(super) const SECS: u64 = 60;

pub(super) fn s(x: &'static str) -> V {
    V::S(x)
}

/// A small sales book: header, then (day, customer, amount) lines in January 2026.
pub(super) fn sales_book(path: &Path, lines: &[(u8, &'static str, V)]) -> PathBuf {
    let mut rows = vec![vec![s("Fecha"), s("Cliente"), s("Importe")]];
    for (d, c, a) in lines {
        rows.push(vec![V::D(2026, 1, *d), s(c), a.clone()]);
    }
    write_book(path, &[("Ventas", rows)])
}

pub(super) fn json(dir: &Path, args: &[&str]) -> (Value, i32, String) {
    let mut all = vec!["check", "--format", "json"];
    all.extend_from_slice(args);
    let o = kamplan(dir, &all);
    let v = serde_json::from_str(&stdout(&o)).unwrap_or(Value::Null);
    (v, o.status.code().unwrap_or(-1), stderr(&o))
}

/// The run ended with exit 3 and one line on stderr holding every `wants`, in time and memory.
pub(super) fn fails_cleanly(r: &Limited, wants: &[&str]) {
    assert!(!r.timed_out, "hang: killed after {SECS} s\n{}", r.stderr);
    assert_eq!(r.code, Some(3), "stderr: {}", r.stderr);
    assert_eq!(r.stderr.trim().lines().count(), 1, "{}", r.stderr);
    assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
    for w in wants {
        assert!(r.stderr.contains(w), "{w:?} not in {}", r.stderr);
    }
}

/// Rebuilds `src` into `dst` with its first sheet's XML replaced by `sheet`.
pub(super) fn with_sheet(src: &Path, dst: &Path, sheet: Part) {
    let mut sheet = Some(sheet);
    forge::rebuild(src, dst, |n, _| (n == "xl/worksheets/sheet1.xml").then(|| sheet.take()));
}

/// Rebuilds `src` into `dst` with its first sheet's XML edited by `edit`.
pub(super) fn edit_sheet(src: &Path, dst: &Path, edit: impl Fn(&str) -> String) {
    forge::rebuild(src, dst, |n, b| {
        (n == "xl/worksheets/sheet1.xml")
            .then(|| Some(Part::stored(n, edit(std::str::from_utf8(b).unwrap()).as_bytes())))
    });
}

pub(super) const SHEET_HEAD: &[u8] = br#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#;
pub(super) const SHEET_TAIL: &[u8] = b"</sheetData></worksheet>";

mod bombs;
mod files;
mod values;
