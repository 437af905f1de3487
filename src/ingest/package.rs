//! Zip packages (xlsx, ods, xlsb) opened with limits, so a damaged or hostile book stops with
//! one clear line before it costs memory.
//!
//! Every part is inflated through a [`Guard`] that counts what it lets through: the part may
//! inflate to at most `[ingest] max_inflated_mb` (counted while streaming, never trusting the
//! size the zip declares), and no single XML event — a cell's text, a run of whitespace, a tag —
//! may pass [`MAX_EVENT`] bytes, because the XML reader buffers a whole event. Readers call
//! [`Guard::mark`] after each event and bound the text they build from several events
//! themselves ([`MAX_CELL`]).

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;

use zip::read::ZipFile;
use zip::ZipArchive;

/// Most text one cell (or one shared string) may hold: 1 MB. Excel's own limit is 32,767
/// characters; a longer value is damage or an attack, and would otherwise be buffered whole.
pub const MAX_CELL: usize = 1 << 20;

/// Read-ahead of the buffered reader between a part and its XML reader.
const BUF: usize = 64 * 1024;

/// Most bytes one XML event may span, read-ahead included.
pub const MAX_EVENT: u64 = MAX_CELL as u64 + 2 * BUF as u64;

/// A zip package with case-insensitive part names (`xl\Workbook.xml` finds `xl/workbook.xml`).
pub struct Package {
    zip: ZipArchive<BufReader<File>>,
    /// Lowercased, `/`-separated name → name as stored.
    names: HashMap<String, String>,
    /// Most bytes a part may inflate to.
    cap: u64,
    cap_mb: u64,
}

/// A part's bytes as they inflate, counted; see the module documentation.
pub struct Guard<'a> {
    inner: ZipFile<'a, BufReader<File>>,
    part: String,
    total: u64,
    since_mark: u64,
    cap: u64,
    cap_mb: u64,
    /// Why reading stopped, when a limit did it (the XML reader only sees an I/O error).
    tripped: Option<String>,
}

/// The XML reader of one part.
pub type PartXml<'a> = quick_xml::Reader<BufReader<Guard<'a>>>;

impl Package {
    /// Opens the zip at `path`; `cap_mb` bounds what each part may inflate to.
    pub fn open(path: &Path, cap_mb: u64) -> Result<Package, String> {
        let file = File::open(path).map_err(|e| super::workbook::io_reason(&e))?;
        let zip = ZipArchive::new(BufReader::new(file))
            .map_err(|e| format!("cannot read: the workbook is damaged or truncated ({e})"))?;
        let names = zip.file_names().flatten().map(|n| (norm_name(&n), n.into_owned())).collect();
        Ok(Package { zip, names, cap: cap_mb.saturating_mul(1 << 20), cap_mb })
    }

    /// Most memory the book's shared strings may take: see [`strings_budget`].
    pub fn strings_budget(&self) -> u64 {
        strings_budget(self.cap_mb)
    }

    /// True when the package has a part of that name (case and `\` ignored).
    pub fn has(&self, name: &str) -> bool {
        self.names.contains_key(&norm_name(name))
    }

    /// The stored names of every part, sorted.
    pub fn part_names(&self) -> Vec<String> {
        let mut v: Vec<String> = self.names.values().cloned().collect();
        v.sort();
        v
    }

    /// The part `name` as a guarded byte stream; `Ok(None)` when there is no such part.
    pub fn part(&mut self, name: &str) -> Result<Option<Guard<'_>>, String> {
        let Some(stored) = self.names.get(&norm_name(name)).cloned() else {
            return Ok(None);
        };
        let f = self.zip.by_name(&stored).map_err(|e| format!("part {stored}: cannot read: {e}"))?;
        // A declared size above the cap is refused before inflating anything; a smaller one is
        // not trusted (the guard counts, and zip stops at the declared size too).
        if f.size() > self.cap {
            return Err(too_large(&stored, self.cap_mb));
        }
        Ok(Some(Guard {
            inner: f,
            part: stored,
            total: 0,
            since_mark: 0,
            cap: self.cap,
            cap_mb: self.cap_mb,
            tripped: None,
        }))
    }

    /// The part `name` as an XML reader (no end-name checks, so no stack of open elements grows
    /// with the document's depth); `Ok(None)` when there is no such part.
    pub fn xml(&mut self, name: &str) -> Result<Option<PartXml<'_>>, String> {
        Ok(self.part(name)?.map(|g| {
            let mut r = quick_xml::Reader::from_reader(BufReader::with_capacity(BUF, g));
            let c = r.config_mut();
            c.check_end_names = false;
            c.trim_text(false);
            c.check_comments = false;
            c.expand_empty_elements = true;
            r
        }))
    }
}

/// Reads every XML part and every xlsb record part of the zip at `path` through the limits,
/// keeping nothing, and checks every other part's declared size: for a book another reader
/// (calamine) opens afterwards, so a zip bomb, a gigabyte cell or a gigabyte record stops here,
/// in bounded memory (zip then holds each part to what it declares). It costs one more
/// inflating pass: cheap for the books it guards (plans returned by KAMs, the rare xlsb).
pub fn precheck(path: &Path, cap_mb: u64) -> Result<(), String> {
    let mut pkg = Package::open(path, cap_mb)?;
    for name in pkg.part_names() {
        let lower = norm_name(&name);
        if is_record_part(&lower) {
            if let Some(g) = pkg.part(&name)? {
                let budget = (lower == "xl/sharedstrings.bin").then(|| strings_budget(cap_mb));
                walk_records(g, budget)?;
            }
            continue;
        }
        if !(lower.ends_with(".xml") || lower.ends_with(".rels")) {
            pkg.part(&name)?;
            continue;
        }
        // The shared strings are what calamine keeps: their text and a `String` each.
        let strings = lower.ends_with("sharedstrings.xml");
        let (budget, mut kept) = (strings_budget(cap_mb), 0u64);
        let Some(mut xml) = pkg.xml(&name)? else { continue };
        let mut buf = Vec::new();
        loop {
            buf.clear();
            use quick_xml::events::Event;
            match xml.read_event_into(&mut buf) {
                Ok(Event::Eof) => break,
                Ok(e) => {
                    if strings {
                        kept += match &e {
                            Event::Text(t) => t.len() as u64,
                            Event::CData(t) => t.len() as u64,
                            Event::Start(t) if t.local_name().as_ref() == "si" => STRING_COST,
                            _ => 0,
                        };
                        if kept > budget {
                            return Err(too_many_strings(&name, budget));
                        }
                    }
                    mark(&mut xml)
                }
                Err(e) => return Err(xml_error(&xml, &e)),
            }
        }
    }
    Ok(())
}

/// The parts of an xlsb that are BIFF12 record streams calamine reads: the workbook, its
/// styles and shared strings, and the sheets. Other `.bin` parts (a VBA project, printer
/// settings) are no records.
fn is_record_part(lower: &str) -> bool {
    matches!(lower, "xl/workbook.bin" | "xl/styles.bin" | "xl/sharedstrings.bin")
        || (lower.starts_with("xl/worksheets/") && lower.ends_with(".bin"))
}

/// Walks a part's BIFF12 records, keeping nothing: each record's head (a type of one or two
/// bytes, a length of up to four) is read and its data skipped. A record longer than
/// [`MAX_CELL`] is refused: calamine buffers a whole record (and the string in it), and Excel's
/// longest — a 32,767-character string with its formatting runs — is far shorter. A part cut
/// inside a record ends the walk; calamine says what is damaged. With a `budget` (the shared
/// strings), the records together may cost no more than that once read.
fn walk_records(g: Guard<'_>, budget: Option<u64>) -> Result<(), String> {
    let mut kept = 0u64;
    let part = g.part().to_string();
    let mut r = BufReader::with_capacity(BUF, g);
    let fail = |r: &BufReader<Guard<'_>>, e: std::io::Error| match r.get_ref().tripped() {
        Some(t) => t.to_string(),
        None => format!("cannot read: part {part} is damaged ({e})"),
    };
    let mut byte = [0u8];
    let mut next = |r: &mut BufReader<Guard<'_>>| -> Result<Option<u8>, String> {
        match r.read(&mut byte) {
            Ok(0) => Ok(None),
            Ok(_) => Ok(Some(byte[0])),
            Err(e) => Err(fail(r, e)),
        }
    };
    loop {
        let Some(t) = next(&mut r)? else { return Ok(()) };
        if t & 0x80 != 0 && next(&mut r)?.is_none() {
            return Ok(());
        }
        let mut len = 0u64;
        for i in 0..4 {
            let Some(b) = next(&mut r)? else { return Ok(()) };
            len |= u64::from(b & 0x7f) << (7 * i);
            if b & 0x80 == 0 {
                break;
            }
        }
        if len > MAX_CELL as u64 {
            return Err(format!(
                "cannot read: part {part} holds a cell, text or record longer than 1 MB: the workbook is \
                 damaged or hostile"
            ));
        }
        if let Some(budget) = budget {
            // UTF-16 in the record, UTF-8 in memory: at most 3 bytes for every 2.
            kept += len * 3 / 2 + STRING_COST;
            if kept > budget {
                return Err(too_many_strings(&part, budget));
            }
        }
        let skipped =
            std::io::copy(&mut (&mut r).take(len), &mut std::io::sink()).map_err(|e| fail(&r, e))?;
        if skipped < len {
            return Ok(());
        }
        r.get_mut().mark();
    }
}

/// What a reader keeps per shared string besides its text (an offset, or a `String`).
pub const STRING_COST: u64 = 24;

/// Most memory a book's shared strings may take once read: an eighth of `[ingest]
/// max_inflated_mb` (256 MB by default). Unlike a sheet, which streams, they are all kept while
/// the sheets are read, so a few megabytes of zip that inflate to a gigabyte of distinct short
/// strings would cost that gigabyte; a real book's are far smaller (each distinct text once).
pub fn strings_budget(cap_mb: u64) -> u64 {
    cap_mb.saturating_mul(1 << 20) / 8
}

/// The error for shared strings past their budget.
pub fn too_many_strings(part: &str, budget: u64) -> String {
    let size =
        if budget >= 1 << 20 { format!("{} MB", budget >> 20) } else { format!("{} KB", budget >> 10) };
    format!(
        "cannot read: part {part} holds more than {size} of shared strings (an eighth of [ingest] \
         max_inflated_mb): the workbook is damaged or hostile"
    )
}

fn too_large(part: &str, cap_mb: u64) -> String {
    format!(
        "cannot read: part {part} inflates to more than {cap_mb} MB ([ingest] max_inflated_mb): \
         the workbook is damaged or hostile (a zip bomb)"
    )
}

/// A zip entry name as looked up: lowercase, `/`-separated, no leading `/`.
fn norm_name(n: &str) -> String {
    n.replace('\\', "/").trim_start_matches('/').to_ascii_lowercase()
}

impl Guard<'_> {
    /// Marks the end of an XML event: the next one is counted from here.
    pub fn mark(&mut self) {
        self.since_mark = 0;
    }

    /// The part's name as stored in the zip.
    pub fn part(&self) -> &str {
        &self.part
    }

    /// Why reading stopped, if a limit stopped it.
    pub fn tripped(&self) -> Option<&str> {
        self.tripped.as_deref()
    }
}

impl Read for Guard<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if let Some(t) = &self.tripped {
            return Err(std::io::Error::other(t.clone()));
        }
        let n = self.inner.read(buf)?;
        self.total += n as u64;
        self.since_mark += n as u64;
        let trip = if self.total > self.cap {
            Some(too_large(&self.part, self.cap_mb))
        } else if self.since_mark > MAX_EVENT {
            Some(format!(
                "cannot read: part {} holds a cell, text or tag longer than 1 MB (near byte {}): the workbook \
                 is damaged or hostile",
                self.part,
                self.total - self.since_mark
            ))
        } else {
            None
        };
        if let Some(t) = trip {
            self.tripped = Some(t.clone());
            return Err(std::io::Error::other(t));
        }
        Ok(n)
    }
}

/// Marks an event boundary on the guard under an XML reader.
pub fn mark(xml: &mut PartXml<'_>) {
    xml.get_mut().get_mut().mark();
}

/// The message for an XML reader error: the guard's reason when a limit stopped it.
pub fn xml_error(xml: &PartXml<'_>, e: &quick_xml::Error) -> String {
    let g = xml.get_ref().get_ref();
    match g.tripped() {
        Some(t) => t.to_string(),
        None => format!("cannot read: part {} is damaged ({e})", g.part()),
    }
}

/// Appends `piece` to a cell's text, refusing to grow it past [`MAX_CELL`].
pub fn push_text(out: &mut String, piece: &str, part: &str) -> Result<(), String> {
    if out.len() + piece.len() > MAX_CELL {
        return Err(format!(
            "cannot read: part {part} holds a cell longer than 1 MB: the workbook is damaged or hostile"
        ));
    }
    out.push_str(piece);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn zip_with(dir: &Path, parts: &[(&str, &[u8])]) -> std::path::PathBuf {
        let p = dir.join("t.zip");
        let mut w = zip::ZipWriter::new(File::create(&p).unwrap());
        let o = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        for (n, b) in parts {
            w.start_file(*n, o).unwrap();
            w.write_all(b).unwrap();
        }
        w.finish().unwrap();
        p
    }

    #[test]
    fn parts_are_found_whatever_their_case() {
        let dir = tempfile::tempdir().unwrap();
        let p = zip_with(dir.path(), &[("xl/Workbook.xml", b"<a/>")]);
        let mut pk = Package::open(&p, 1).unwrap();
        assert!(pk.has("xl/workbook.xml") && pk.has("XL\\WORKBOOK.XML") && !pk.has("xl/x.xml"));
        let mut text = String::new();
        pk.part("/xl/workbook.xml").unwrap().unwrap().read_to_string(&mut text).unwrap();
        assert_eq!(text, "<a/>");
    }

    #[test]
    fn a_part_beyond_the_cap_stops_while_inflating() {
        let dir = tempfile::tempdir().unwrap();
        let big = vec![b'<'; 3 << 20];
        let p = zip_with(dir.path(), &[("big.xml", &big)]);
        let mut pk = Package::open(&p, 2).unwrap();
        let err = pk.part("big.xml").err().expect("declared 3 MB > 2 MB");
        assert!(err.contains("big.xml") && err.contains("more than 2 MB"), "{err}");
        let mut pk = Package::open(&p, 4).unwrap();
        let mut g = pk.part("big.xml").unwrap().unwrap();
        // Within the cap, but one event (no mark) longer than 1 MB.
        let e = std::io::copy(&mut g, &mut std::io::sink()).unwrap_err().to_string();
        assert!(e.contains("longer than 1 MB"), "{e}");
    }

    #[test]
    fn marked_events_keep_a_long_part_readable() {
        let dir = tempfile::tempdir().unwrap();
        let big = vec![b'x'; 3 << 20];
        let p = zip_with(dir.path(), &[("big.xml", &big)]);
        let mut pk = Package::open(&p, 4).unwrap();
        let mut g = pk.part("big.xml").unwrap().unwrap();
        let mut buf = vec![0; 4096];
        let mut n = 0;
        loop {
            let k = g.read(&mut buf).unwrap();
            if k == 0 {
                break;
            }
            n += k;
            g.mark();
        }
        assert_eq!(n, 3 << 20);
    }

    #[test]
    fn cell_text_is_bounded() {
        let mut s = String::new();
        push_text(&mut s, &"a".repeat(MAX_CELL), "p").unwrap();
        assert!(push_text(&mut s, "b", "p").unwrap_err().contains("longer than 1 MB"));
    }
}
