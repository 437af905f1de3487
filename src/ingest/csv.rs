//! Text exports (`.csv`, `.tsv`, `.txt`): decoded, split and fed to the same row loop as a sheet.
//!
//! What ERPs and Excel write: UTF-8 with or without a byte-order mark, UTF-16 with one (Excel's
//! "Unicode text"), and Windows-1252 (Spanish Excel's "CSV (delimitado por comas)", with `;`
//! between fields and `1.234,56` in them). The encoding is told by the byte-order mark, else by
//! whether the start of the file is valid UTF-8; a stray non-UTF-8 field later in a UTF-8 file
//! is read as Windows-1252 rather than lost. Decoding is encoding_rs's; splitting (quotes,
//! doubled quotes, newlines inside quoted fields) is the csv crate's. The delimiter is sniffed
//! from the first lines: `,` `;` tab or `|`, whichever splits them most consistently.
//!
//! A text file has no sheets: its one "sheet" has an empty name, and its cells are named
//! `file › row › column`, the row being the record as a spreadsheet opening the file shows it.

use std::borrow::Cow;
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;

use encoding_rs::{Decoder, Encoding, UTF_16BE, UTF_16LE, WINDOWS_1252};

use super::cells::Val;
use super::sheet::{Ctx, RowBuf, SheetReader};
use super::workbook::stream_rows;
use super::{IngestError, SheetReport};
use crate::config::Config;

/// Extensions read as delimited text.
pub const EXTENSIONS: &[&str] = &["csv", "tsv", "txt"];

/// Bytes looked at to tell the encoding and the delimiter.
const HEAD: usize = 64 * 1024;

/// True for a file read as delimited text, by its extension.
pub fn is_text(path: &Path) -> bool {
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
    EXTENSIONS.contains(&ext.as_str())
}

/// How the bytes of a text file are decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextEncoding {
    /// UTF-8; `bom` when the file starts with one.
    Utf8 {
        bom: bool,
    },
    Utf16Le,
    Utf16Be,
    Windows1252,
}

impl TextEncoding {
    /// Tells the encoding from the first bytes of a file.
    pub fn sniff(head: &[u8]) -> TextEncoding {
        match Encoding::for_bom(head) {
            Some((e, _)) if e == UTF_16LE => TextEncoding::Utf16Le,
            Some((e, _)) if e == UTF_16BE => TextEncoding::Utf16Be,
            Some(_) => TextEncoding::Utf8 { bom: true },
            None => match std::str::from_utf8(head) {
                Ok(_) => TextEncoding::Utf8 { bom: false },
                // A multi-byte character cut by the end of the sample is still UTF-8.
                Err(e) if e.error_len().is_none() => TextEncoding::Utf8 { bom: false },
                Err(_) => TextEncoding::Windows1252,
            },
        }
    }

    /// Bytes of byte-order mark to skip.
    fn bom_len(self) -> usize {
        match self {
            TextEncoding::Utf8 { bom: true } => 3,
            TextEncoding::Utf16Le | TextEncoding::Utf16Be => 2,
            _ => 0,
        }
    }

    /// A field's text: UTF-16 arrives transcoded to UTF-8; a field that is not UTF-8 is
    /// Windows-1252.
    fn field(self, bytes: &[u8]) -> Cow<'_, str> {
        if self != TextEncoding::Windows1252 {
            if let Ok(s) = std::str::from_utf8(bytes) {
                return Cow::Borrowed(s);
            }
        }
        WINDOWS_1252.decode_without_bom_handling(bytes).0
    }

    /// How `check` names it.
    pub fn name(self) -> &'static str {
        match self {
            TextEncoding::Utf8 { bom: false } => "UTF-8",
            TextEncoding::Utf8 { bom: true } => "UTF-8 with BOM",
            TextEncoding::Utf16Le => "UTF-16LE",
            TextEncoding::Utf16Be => "UTF-16BE",
            TextEncoding::Windows1252 => "Windows-1252",
        }
    }
}

/// The reader the csv parser reads from, remembering the bytes given so far and the last of
/// them: with the parser's position they tell whether a record ended the file without a line
/// break (which the parser's line count does not show).
struct Tail<R> {
    inner: R,
    seen: std::rc::Rc<std::cell::Cell<(u64, Option<u8>)>>,
}

impl<R: Read> Read for Tail<R> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(out)?;
        if n > 0 {
            let (total, _) = self.seen.get();
            self.seen.set((total + n as u64, Some(out[n - 1])));
        }
        Ok(n)
    }
}

/// UTF-16 bytes in, UTF-8 bytes out, through encoding_rs, a buffer at a time.
struct Utf16ToUtf8<R> {
    inner: R,
    decoder: Decoder,
    input: Vec<u8>,
    output: Vec<u8>,
    pos: usize,
    done: bool,
}

impl<R: Read> Utf16ToUtf8<R> {
    fn new(inner: R, encoding: &'static Encoding) -> Self {
        Utf16ToUtf8 {
            inner,
            decoder: encoding.new_decoder_without_bom_handling(),
            input: vec![0; 32 * 1024],
            output: Vec::new(),
            pos: 0,
            done: false,
        }
    }
}

impl<R: Read> Read for Utf16ToUtf8<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.pos == self.output.len() && !self.done {
            let n = self.inner.read(&mut self.input)?;
            let last = n == 0;
            let cap = self.decoder.max_utf8_buffer_length(n).unwrap_or(4 * n + 16);
            self.output.resize(cap, 0);
            let (_, read, written, _) = self.decoder.decode_to_utf8(&self.input[..n], &mut self.output, last);
            debug_assert_eq!(read, n);
            self.output.truncate(written);
            self.pos = 0;
            self.done = last;
        }
        let n = buf.len().min(self.output.len() - self.pos);
        buf[..n].copy_from_slice(&self.output[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

/// The delimiter that splits the first lines of `text` most consistently: the most lines
/// with the same (non-zero) count, then the larger count, then tab, `;`, `|`, `,` (a decimal
/// comma is more common inside a field than the others).
pub fn sniff_delimiter(text: &str, default: u8) -> u8 {
    const CANDIDATES: [u8; 4] = [b'\t', b';', b'|', b','];
    let mut lines: Vec<[u32; 4]> = Vec::new();
    let mut counts = [0u32; 4];
    let mut quoted = false;
    for b in text.bytes() {
        match b {
            b'"' => quoted = !quoted,
            b'\n' if !quoted => {
                if counts.iter().any(|&c| c > 0) {
                    lines.push(counts);
                }
                counts = [0; 4];
                if lines.len() == 50 {
                    break;
                }
            }
            _ if !quoted => {
                if let Some(i) = CANDIDATES.iter().position(|&c| c == b) {
                    counts[i] += 1;
                }
            }
            _ => {}
        }
    }
    if lines.len() < 50 && counts.iter().any(|&c| c > 0) {
        lines.push(counts);
    }
    let mut best: Option<(usize, u32, usize)> = None; // (consistent lines, count, candidate)
    for i in 0..CANDIDATES.len() {
        let mut freq: Vec<(u32, usize)> = Vec::new();
        for l in &lines {
            if l[i] == 0 {
                continue;
            }
            match freq.iter_mut().find(|(c, _)| *c == l[i]) {
                Some(f) => f.1 += 1,
                None => freq.push((l[i], 1)),
            }
        }
        let Some(&(count, n)) = freq.iter().max_by(|a, b| a.1.cmp(&b.1).then(a.0.cmp(&b.0))) else {
            continue;
        };
        let better = match best {
            None => true,
            Some((bn, bc, _)) => n > bn || (n == bn && count > bc),
        };
        if better {
            best = Some((n, count, i));
        }
    }
    best.map(|(_, _, i)| CANDIDATES[i]).unwrap_or(default)
}

fn file_error(path: &Path, message: impl Into<String>) -> IngestError {
    IngestError::File { path: path.to_path_buf(), message: message.into() }
}

/// Reads one delimited text file into `ctx`: one report, with an empty sheet name.
pub fn read_file(
    path: &Path,
    file: &str,
    cfg: &Config,
    ctx: &mut Ctx,
) -> Result<Vec<SheetReport>, IngestError> {
    let io = |e: std::io::Error| file_error(path, format!("cannot read: {e}"));
    let mut f = File::open(path).map_err(io)?;
    let mut head = Vec::with_capacity(HEAD);
    (&mut f).take(HEAD as u64).read_to_end(&mut head).map_err(io)?;
    let enc = TextEncoding::sniff(&head);
    let body = &head[enc.bom_len().min(head.len())..];
    if enc == TextEncoding::Windows1252 || matches!(enc, TextEncoding::Utf8 { .. }) {
        // NUL bytes mean a binary file or UTF-16 without its byte-order mark.
        if body.contains(&0) {
            return Err(file_error(
                path,
                "cannot read: not a text file (NUL bytes; UTF-16 needs a byte-order mark: save as UTF-8)",
            ));
        }
    }
    let sample: Cow<'_, str> = match enc {
        TextEncoding::Utf16Le => UTF_16LE.decode_without_bom_handling(body).0,
        TextEncoding::Utf16Be => UTF_16BE.decode_without_bom_handling(body).0,
        _ => enc.field(body),
    };
    let tsv = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("tsv"));
    let delimiter = sniff_delimiter(&sample, if tsv { b'\t' } else { b',' });
    // The whole file again from its start, past the byte-order mark.
    let mut f = File::open(path).map_err(io)?;
    let mut bom = vec![0; enc.bom_len()];
    f.read_exact(&mut bom).map_err(io)?;
    let inner: Box<dyn Read + Send> = match enc {
        TextEncoding::Utf16Le => Box::new(Utf16ToUtf8::new(BufReader::new(f), UTF_16LE)),
        TextEncoding::Utf16Be => Box::new(Utf16ToUtf8::new(BufReader::new(f), UTF_16BE)),
        _ => Box::new(f),
    };
    let seen = std::rc::Rc::new(std::cell::Cell::new((0, None)));
    let reader = Tail { inner, seen: seen.clone() };
    let mut csv = ::csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .buffer_capacity(256 * 1024)
        .from_reader(reader);
    let mut sr = SheetReader::new(cfg, file, "", false);
    let mut record = ::csv::ByteRecord::new();
    // Rows are numbered as a spreadsheet opening the file shows them: the csv reader passes over
    // empty lines, which are rows there, and a quoted field's line breaks stay inside its row. A
    // record's position is where its read began (before the empty lines it passed over), and the
    // reader's position after it is the next line, so the lines between that are not the
    // record's own are the empty rows before it.
    let mut r: u64 = 0;
    let fill = |buf: &mut RowBuf| -> Result<Option<u32>, String> {
        loop {
            if !csv.read_byte_record(&mut record).map_err(|e| e.to_string())? {
                return Ok(None);
            }
            let breaks: u64 = record.iter().map(|f| f.iter().filter(|&&b| b == b'\n').count() as u64).sum();
            if let Some(start) = record.position().map(|p| p.line()) {
                // A last record without a line break at its end does not reach the next line.
                let (total, last) = seen.get();
                let unended = csv.position().byte() == total && last.is_some_and(|b| b != b'\n');
                let spanned = csv.position().line() - start + u64::from(unended);
                r += spanned.saturating_sub(1 + breaks);
            }
            let row = u32::try_from(r).map_err(|_| "more rows than a sheet can number".to_string())?;
            r += 1;
            for (c, field) in record.iter().enumerate() {
                if field.is_empty() {
                    continue;
                }
                buf.push(c as u32, Val::Text(&enc.field(field)));
            }
            if !buf.is_empty() {
                return Ok(Some(row));
            }
        }
    };
    // The same two-thread row stream as a sheet's: this thread parses, the row loop runs beside it.
    stream_rows(fill, &mut sr, ctx).map_err(|e| file_error(path, format!("cannot read: {e}")))?;
    let mut report = sr.finish(ctx);
    if report.role != super::Role::Skipped {
        let d = match delimiter {
            b'\t' => "tab".to_string(),
            other => format!("\"{}\"", other as char),
        };
        report.notices.insert(0, format!("text file: {}, fields separated by {d}", enc.name()));
    }
    Ok(vec![report])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodings_by_bom_else_by_utf8_validity() {
        assert_eq!(TextEncoding::sniff(b"\xef\xbb\xbfFecha;Cliente"), TextEncoding::Utf8 { bom: true });
        assert_eq!(TextEncoding::sniff(b"\xff\xfeF\x00"), TextEncoding::Utf16Le);
        assert_eq!(TextEncoding::sniff(b"\xfe\xff\x00F"), TextEncoding::Utf16Be);
        assert_eq!(TextEncoding::sniff("Año;Peña".as_bytes()), TextEncoding::Utf8 { bom: false });
        // "Peña" in Windows-1252: ñ is one byte, 0xF1, invalid as UTF-8.
        assert_eq!(TextEncoding::sniff(b"A\xf1o;Pe\xf1a\n"), TextEncoding::Windows1252);
        // A UTF-8 character cut at the end of the sample.
        assert_eq!(TextEncoding::sniff(&"Peña".as_bytes()[..3]), TextEncoding::Utf8 { bom: false });
        assert_eq!(TextEncoding::Windows1252.field(b"Pe\xf1a \x80"), "Peña €");
        assert_eq!(TextEncoding::Utf8 { bom: false }.field(b"Pe\xf1a"), "Peña", "a stray field");
    }

    #[test]
    fn delimiters_sniffed_from_the_first_lines() {
        assert_eq!(sniff_delimiter("Fecha;Cliente;Importe\n05/01/2026;Acme;1.234,56\n", b','), b';');
        assert_eq!(sniff_delimiter("a,b,c\n1,2,3\n", b'\t'), b',');
        assert_eq!(sniff_delimiter("a\tb\tc\n1\t2,5\t3\n", b','), b'\t');
        assert_eq!(sniff_delimiter("a|b|c\n1|2|3\n", b','), b'|');
        // Commas inside quotes and decimal commas don't count against ";".
        let text = "Ventas 2026\n\nFecha;Cliente;Importe\n1/1;\"Acme, S.A.\";1,5\n2/1;Beta;2,5\n";
        assert_eq!(sniff_delimiter(text, b','), b';');
        // A quoted field with a newline in it is one line.
        assert_eq!(sniff_delimiter("a,b\n\"x\ny;z\",2\n3,4\n", b';'), b',');
        assert_eq!(sniff_delimiter("just text\n", b','), b',');
    }

    #[test]
    fn utf16_is_transcoded_in_pieces() {
        let text = "Fecha\tCliente\n05/01/2026\tPeña ñ €\n".repeat(5000);
        let mut bytes = Vec::new();
        for u in text.encode_utf16() {
            bytes.extend(u.to_le_bytes());
        }
        let mut out = String::new();
        Utf16ToUtf8::new(&bytes[..], UTF_16LE).read_to_string(&mut out).unwrap();
        assert_eq!(out, text);
    }

    #[test]
    fn text_extensions() {
        for (name, want) in [("v.csv", true), ("V.TSV", true), ("v.txt", true), ("v.xlsx", false)] {
            assert_eq!(is_text(Path::new(name)), want, "{name}");
        }
    }
}
