//! Fuzzing ingest on the stable toolchain: a seeded mutation harness over the committed books
//! (`samples/*.xlsx` but the 13,000-line `ventas.xlsx`, and `tests/fuzz/corpus/`: the master as
//! LibreOffice saves it in .ods and .xls) and a forged .xlsb (no tool here writes one). Each
//! mutant — bytes flipped in the zip or in an inflated part, a file or part truncated, a part
//! deleted, an XML tag or xlsb record deleted or repeated, a record's length made hostile, a
//! number replaced by a hostile one — is read by `kamplan check` under 768 MB of address space
//! and 30 seconds, and must end with exit 0 or 1 and a report where every sheet's rows add up,
//! or with exit 3 and one line naming the file. Nothing else: no panic, no hang, no abort.
//!
//! `KAMPLAN_FUZZ_CASES` mutants (default 60; `.ci/run` runs more), from `KAMPLAN_FUZZ_SEED`
//! (default fixed; give another to explore). `KAMPLAN_FUZZ_SECS` bounds the time: past it no
//! new mutant starts beyond the first 60 (`.ci/run` gives 90 s, so with a mutant's own 30 s
//! the fuzz step ends within two minutes however loaded the machine is). A failing mutant is kept under
//! `target/fuzz-failures/` and named in the failure; each one found becomes a named test in
//! `robust.rs` (see the tests after `// found by fuzzing` there).

use std::path::{Path, PathBuf};

use crate::forge::{self, Part};
use crate::util::*;

/// SplitMix64: small, seeded, good enough to pick mutations.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

fn corpus() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut v: Vec<PathBuf> = ["maestro.xlsx", "actividad.xlsx", "sales_en.xlsx"]
        .iter()
        .map(|n| root.join("samples").join(n))
        .collect();
    let mut extra: Vec<PathBuf> = std::fs::read_dir(root.join("tests/fuzz/corpus"))
        .expect("tests/fuzz/corpus")
        .map(|e| e.unwrap().path())
        .collect();
    extra.sort();
    v.extend(extra);
    v
}

/// An .xlsb seed (no tool here writes one; forged like the tests' books): a sales sheet with
/// shared and inline strings, numbers, a title row and a total.
fn xlsb_seed(dir: &Path) -> PathBuf {
    use forge::XlsbCell::*;
    let mut cells = vec![S(0, 0, "Ventas 2026"), S(2, 0, "Fecha"), S(2, 1, "Cliente"), S(2, 2, "Importe")];
    let days = ["05/01/2026", "06/01/2026", "07/01/2026", "08/01/2026", "09/01/2026", "10/01/2026"];
    for (i, day) in days.iter().enumerate() {
        let r = 3 + i as u32;
        cells.extend([S(r, 0, day), Shared(r, 1, (i % 3) as u32), N(r, 2, 100.0 * (i + 1) as f64)]);
    }
    cells.extend([S(9, 1, "Total"), N(9, 2, 2100.0)]);
    let path = dir.join("seed.xlsb");
    forge::write_zip(&path, &forge::xlsb_parts("Ventas", &["Acme", "Beta", "Gamma"], &cells));
    path
}

/// Values a clerk, a bug or an attacker might put where a number goes.
const HOSTILE: &[&str] = &[
    "-1",
    "99999999999999999999",
    "4294967296",
    "1048577",
    "NaN",
    "inf",
    "1e309",
    "",
    "0",
    "XFD1048577",
    "&#0;",
    "]]>",
];

/// Flips `n` random bytes of `b`.
fn flip(rng: &mut Rng, b: &mut [u8], n: usize) {
    for _ in 0..n {
        if b.is_empty() {
            return;
        }
        let i = rng.below(b.len());
        b[i] ^= (rng.below(255) + 1) as u8;
    }
}

/// Attributes whose numbers size or place things: crafted values there find the allocations.
const SIZED: &[&str] = &[
    " r=\"",
    "ref=\"",
    "number-rows-repeated=\"",
    "number-columns-repeated=\"",
    "text:c=\"",
    "uniqueCount=\"",
    " s=\"",
    "numFmtId=\"",
];

/// A structural change to an XML part: a tag (often an end tag) deleted or repeated, a number
/// replaced by a hostile one, in an element or in an attribute that sizes or places things.
fn mutate_xml(rng: &mut Rng, x: &mut Vec<u8>) -> String {
    let ends = rng.below(2) == 0;
    let tags: Vec<usize> = x
        .iter()
        .enumerate()
        .filter(|(i, b)| **b == b'<' && (!ends || x.get(i + 1) == Some(&b'/')))
        .map(|(i, _)| i)
        .collect();
    if tags.is_empty() {
        flip(rng, x, 1);
        return "flip (no tags)".into();
    }
    let at = tags[rng.below(tags.len())];
    let end = x[at..].iter().position(|b| *b == b'>').map(|p| at + p + 1).unwrap_or(x.len());
    match rng.below(4) {
        3 => {
            let attr = SIZED[rng.below(SIZED.len())];
            let hits: Vec<usize> = x
                .windows(attr.len())
                .enumerate()
                .filter(|(_, w)| *w == attr.as_bytes())
                .map(|(i, _)| i + attr.len())
                .collect();
            if hits.is_empty() {
                return format!("no {attr}");
            }
            let s = hits[rng.below(hits.len())];
            let e = x[s..].iter().position(|b| *b == b'"').map(|p| s + p).unwrap_or(x.len());
            let v = HOSTILE[rng.below(HOSTILE.len())];
            x.splice(s..e, v.bytes());
            format!("{attr}{v}\" at {s}")
        }
        0 => {
            x.drain(at..end);
            format!("tag deleted at {at}")
        }
        1 => {
            let tag = x[at..end].to_vec();
            let times = 1 + rng.below(3);
            for _ in 0..times {
                x.splice(end..end, tag.iter().copied());
            }
            format!("tag at {at} repeated {times}×")
        }
        _ => {
            // The first run of digits from here.
            let Some(s) = x[at..].iter().position(|b| b.is_ascii_digit()).map(|p| at + p) else {
                return "no digits".into();
            };
            let e = x[s..].iter().position(|b| !b.is_ascii_digit()).map(|p| s + p).unwrap_or(x.len());
            let v = HOSTILE[rng.below(HOSTILE.len())];
            x.splice(s..e, v.bytes());
            format!("number at {s} → {v:?}")
        }
    }
}

/// A structural change to a part of BIFF12 records (xlsb): a record deleted or repeated, or its
/// length made hostile (the most a record may declare, none, one byte short).
fn mutate_records(rng: &mut Rng, b: &mut Vec<u8>) -> String {
    // Each record: (start, where its length starts, where its data starts, its length).
    let mut recs = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let start = i;
        i += if b[i] & 0x80 != 0 { 2 } else { 1 };
        let at = i;
        let mut len = 0usize;
        for k in 0..4 {
            let Some(&x) = b.get(i) else { break };
            i += 1;
            len |= usize::from(x & 0x7f) << (7 * k);
            if x & 0x80 == 0 {
                break;
            }
        }
        recs.push((start, at, i, len));
        i += len;
    }
    if recs.is_empty() {
        flip(rng, b, 1);
        return "flip (no records)".into();
    }
    let (start, at, data, len) = recs[rng.below(recs.len())];
    let end = (data + len).min(b.len());
    match rng.below(4) {
        0 => {
            b.drain(start..end);
            format!("record at {start} deleted")
        }
        1 => {
            let rec = b[start..end].to_vec();
            let times = 1 + rng.below(3);
            for _ in 0..times {
                b.splice(end..end, rec.iter().copied());
            }
            format!("record at {start} repeated {times}×")
        }
        _ => {
            let (v, what): (&[u8], _) = match rng.below(3) {
                0 => (&[0xff, 0xff, 0xff, 0x7f], "2^28 - 1"),
                1 => (&[0], "0"),
                _ => (&[(len.saturating_sub(1) & 0x7f) as u8], "one byte short"),
            };
            b.splice(at..data, v.iter().copied());
            format!("record at {start}: length → {what}")
        }
    }
}

/// One mutant of `seed`, written to `out`; returns what was done.
fn mutant(rng: &mut Rng, seed: &Path, out: &Path) -> String {
    let bytes = std::fs::read(seed).unwrap();
    let is_zip = bytes.starts_with(b"PK");
    let op = rng.below(if is_zip { 7 } else { 3 });
    match (is_zip, op) {
        (_, 0) => {
            let mut b = bytes;
            let n = 1 + rng.below(8);
            flip(rng, &mut b, n);
            std::fs::write(out, b).unwrap();
            format!("{n} byte(s) flipped in the file")
        }
        (_, 1) => {
            let cut = rng.below(bytes.len());
            std::fs::write(out, &bytes[..cut]).unwrap();
            format!("file cut at {cut}")
        }
        (false, _) => {
            // An .xls: bytes flipped inside its workbook stream, written back as a sound CFB.
            use std::io::{Read, Write};
            let mut cf = cfb::open(seed).unwrap();
            let mut wb = Vec::new();
            cf.open_stream("/Workbook").unwrap().read_to_end(&mut wb).unwrap();
            let n = 1 + rng.below(6);
            flip(rng, &mut wb, n);
            let mut c = cfb::create(out).unwrap();
            c.create_stream("/Workbook").unwrap().write_all(&wb).unwrap();
            c.create_stream("/\u{5}SummaryInformation").unwrap().write_all(&[0; 64]).unwrap();
            c.flush().unwrap();
            format!("{n} byte(s) flipped in the workbook stream")
        }
        (true, op) => {
            let mut parts = forge::read_parts(seed);
            // Mostly the parts that hold cells; sometimes any XML part (xlsb: any record part).
            let content =
                |n: &str| n.contains("worksheets/") || n.contains("sharedStrings.") || n == "content.xml";
            let is_xml = |n: &str| n.ends_with(".xml") || n.ends_with(".rels");
            let any = rng.below(4) == 0;
            let xml: Vec<usize> = parts
                .iter()
                .enumerate()
                .filter(|(_, (n, _))| (is_xml(n) || n.ends_with(".bin")) && (any || content(n)))
                .map(|(i, _)| i)
                .collect();
            let i = xml[rng.below(xml.len())];
            let name = parts[i].0.clone();
            let what = match op {
                2 => {
                    let n = 1 + rng.below(8);
                    flip(rng, &mut parts[i].1, n);
                    format!("{n} byte(s) flipped in {name}")
                }
                3 => {
                    let cut = rng.below(parts[i].1.len() + 1);
                    parts[i].1.truncate(cut);
                    format!("{name} cut at {cut}")
                }
                4 => {
                    parts.remove(i);
                    format!("{name} deleted")
                }
                _ if is_xml(&name) => format!("{name}: {}", mutate_xml(rng, &mut parts[i].1)),
                _ => format!("{name}: {}", mutate_records(rng, &mut parts[i].1)),
            };
            let parts: Vec<Part> = parts.iter().map(|(n, b)| Part::stored(n, b)).collect();
            forge::write_zip(out, &parts);
            what
        }
    }
}

/// What is wrong with how a mutant's run ended, if anything.
fn judge(r: &Limited, name: &str) -> Option<String> {
    if r.timed_out {
        return Some("hang (killed after 30 s)".into());
    }
    if r.stderr.contains("panicked") {
        return Some(format!("panic: {}", r.stderr));
    }
    match r.code {
        Some(0 | 1) => {
            let v: serde_json::Value = match serde_json::from_str(&r.stdout) {
                Ok(v) => v,
                Err(e) => return Some(format!("exit {:?} but no JSON report ({e})", r.code)),
            };
            for s in v["sheets"].as_array().into_iter().flatten() {
                let n = |k: &str| s[k].as_u64().unwrap_or(u64::MAX);
                if n("rows") != n("transactions") + n("skipped") + n("rejected") {
                    return Some(format!("rows do not add up in {}: {s}", s["sheet"]));
                }
                // No book of the corpus comes near this; a count beyond it is a count gone wrong.
                if n("rows") > 2 * 1_048_576 {
                    return Some(format!("{} rows in {}", n("rows"), s["sheet"]));
                }
            }
            None
        }
        Some(3) => {
            let lines: Vec<&str> = r.stderr.trim().lines().collect();
            let last = lines.last().copied().unwrap_or("");
            if !last.starts_with("kamplan: error: ") || !last.contains(name) {
                Some(format!("exit 3 without one clear line naming {name}: {}", r.stderr))
            } else if lines.iter().filter(|l| l.starts_with("kamplan: error")).count() != 1 {
                Some(format!("more than one error line: {}", r.stderr))
            } else {
                None
            }
        }
        other => Some(format!("exit {other:?} (a crash, an abort or an allocation failure): {}", r.stderr)),
    }
}

#[test]
fn mutated_books_end_cleanly() {
    let cases: usize = std::env::var("KAMPLAN_FUZZ_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(60);
    let seed: u64 =
        std::env::var("KAMPLAN_FUZZ_SEED").ok().and_then(|v| v.parse().ok()).unwrap_or(0x6b61_6d70);
    let budget = std::env::var("KAMPLAN_FUZZ_SECS")
        .ok()
        .and_then(|v| v.parse().ok())
        .map(std::time::Duration::from_secs);
    let started = std::time::Instant::now();
    let dir = tmp();
    let mut corpus = corpus();
    corpus.push(xlsb_seed(dir.path()));
    // A sound sales book beside each mutant, so a mutant that reads is read to the end.
    let good = dir.path().join("good.xlsx");
    write_book(
        &good,
        &[(
            "Ventas",
            vec![
                vec![V::S("Fecha"), V::S("Cliente"), V::S("Importe")],
                vec![V::D(2026, 1, 5), V::S("Acme"), V::N(10.0)],
            ],
        )],
    );
    let failures = std::sync::Mutex::new(Vec::new());
    let next = std::sync::atomic::AtomicUsize::new(0);
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| loop {
                let case = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if case >= cases || (case >= 60 && budget.is_some_and(|b| started.elapsed() > b)) {
                    break;
                }
                let mut rng = Rng(seed ^ (case as u64).wrapping_mul(0x2545_f491_4f6c_dd1d));
                let src = &corpus[rng.below(corpus.len())];
                let ext = src.extension().unwrap().to_string_lossy();
                let name = format!("m{case}.{ext}");
                let path = dir.path().join(&name);
                let what = mutant(&mut rng, src, &path);
                let r =
                    kamplan_limited(dir.path(), &["check", "--format", "json", &name, "good.xlsx"], 768, 30);
                match judge(&r, &name) {
                    None => {
                        let _ = std::fs::remove_file(&path);
                    }
                    Some(why) => {
                        let keep = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/fuzz-failures");
                        let _ = std::fs::create_dir_all(&keep);
                        let kept = keep.join(format!("{seed}-{name}"));
                        let _ = std::fs::copy(&path, &kept);
                        failures.lock().unwrap().push(format!(
                            "case {case} (seed {seed}) from {}: {what}\n  kept as {}\n  {why}",
                            src.file_name().unwrap().to_string_lossy(),
                            kept.display()
                        ));
                    }
                }
            });
        }
    });
    let failures = failures.into_inner().unwrap();
    assert!(
        failures.is_empty(),
        "{} of {cases} mutants did not end cleanly:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
