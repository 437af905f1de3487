//! Excel 97–2003 files (.xls) and other OLE compound files, looked at before calamine reads
//! them: what the file is (a workbook, or an encrypted xlsx), and whether its sheets' ranges are
//! plausible.
//!
//! calamine reads every .xls sheet into a rectangular range: it reserves the cells its
//! DIMENSIONS record declares and fills the box spanned by its cells. A few flipped bytes turn
//! either into hundreds of megabytes (or an allocation that aborts the process). The range a
//! sheet may span is bounded here by what it holds: at most [`MIN_CELLS`] cells, or
//! [`PER_CELL`] times the cells it has, whichever is more.

use std::io::Read;
use std::path::Path;

/// A sheet may always span this many cells (32 MB of calamine's cells).
pub const MIN_CELLS: u64 = 1 << 20;

/// Beyond [`MIN_CELLS`], a sheet may span this many cells per cell it holds.
pub const PER_CELL: u64 = 16;

/// What an OLE compound file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ole {
    /// An Excel 97–2003 workbook.
    Workbook,
    /// An xlsx saved with a password (the package is encrypted inside).
    Encrypted,
    /// Something else (a Word or PowerPoint document, an Outlook message).
    Other,
}

/// The workbook stream of an OLE file, with what it is.
fn open(path: &Path) -> Result<(Ole, Vec<u8>), String> {
    let f = std::fs::File::open(path).map_err(|e| super::workbook::io_reason(&e))?;
    let mut cf = cfb::CompoundFile::open(std::io::BufReader::new(f))
        .map_err(|e| format!("cannot read: the workbook is damaged ({e})"))?;
    if cf.is_stream("/EncryptedPackage") {
        return Ok((Ole::Encrypted, Vec::new()));
    }
    let name = ["/Workbook", "/Book"].into_iter().find(|n| cf.is_stream(n));
    let Some(name) = name else { return Ok((Ole::Other, Vec::new())) };
    let mut s = cf.open_stream(name).map_err(|e| format!("cannot read: the workbook is damaged ({e})"))?;
    let mut data = Vec::new();
    s.read_to_end(&mut data).map_err(|e| format!("cannot read: the workbook is damaged ({e})"))?;
    Ok((Ole::Workbook, data))
}

/// What the OLE file at `path` holds.
pub fn kind(path: &Path) -> Result<Ole, String> {
    open(path).map(|(k, _)| k)
}

/// BIFF records of a stream: (type, data), stopping at the first one cut short.
fn records(s: &[u8]) -> impl Iterator<Item = (u16, &[u8])> {
    let mut rest = s;
    std::iter::from_fn(move || {
        if rest.len() < 4 {
            return None;
        }
        let t = u16::from_le_bytes([rest[0], rest[1]]);
        let len = u16::from_le_bytes([rest[2], rest[3]]) as usize;
        let data = rest.get(4..4 + len)?;
        rest = &rest[4 + len..];
        Some((t, data))
    })
}

fn u16_at(d: &[u8], i: usize) -> Option<u32> {
    d.get(i..i + 2).map(|b| u16::from_le_bytes([b[0], b[1]]) as u32)
}

fn u32_at(d: &[u8], i: usize) -> Option<u32> {
    d.get(i..i + 4).map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

/// The name in a BOUNDSHEET8 record, as far as it can be read.
fn sheet_name(d: &[u8]) -> String {
    let (Some(&n), Some(&wide)) = (d.get(6), d.get(7)) else { return String::new() };
    let n = n as usize;
    if wide & 1 == 1 {
        let units: Vec<u16> = d
            .get(8..8 + 2 * n)
            .unwrap_or(&[])
            .chunks_exact(2)
            .map(|c| u16::from_le_bytes([c[0], c[1]]))
            .collect();
        String::from_utf16_lossy(&units)
    } else {
        d.get(8..8 + n).unwrap_or(&[]).iter().map(|&b| b as char).collect()
    }
}

/// The cells a sheet holds and the box they and its DIMENSIONS record span.
#[derive(Debug, Default, PartialEq)]
struct Extent {
    cells: u64,
    declared: u64,
    spanned: u64,
}

/// Walks one sheet's substream from its BOF, as calamine does (embedded charts skipped).
fn extent(sheet: &[u8]) -> Extent {
    let mut e = Extent::default();
    let (mut r0, mut r1, mut c0, mut c1) = (u32::MAX, 0u32, u32::MAX, 0u32);
    let mut seen_bof = false;
    let mut depth = 0usize;
    let mut add = |row: u32, col: u32, e: &mut Extent| {
        e.cells += 1;
        r0 = r0.min(row);
        r1 = r1.max(row);
        c0 = c0.min(col);
        c1 = c1.max(col);
    };
    for (t, d) in records(sheet) {
        if depth > 0 {
            match t {
                0x0809 => depth += 1,
                0x000A => depth -= 1,
                _ => {}
            }
            continue;
        }
        match t {
            0x0809 if seen_bof => depth += 1,
            0x0809 => seen_bof = true,
            0x000A => break,
            // DIMENSIONS: BIFF8 (u32 rows) or older (u16 rows); last row and column exclusive.
            0x0200 => {
                let (rf, rl, cf, cl) = if d.len() >= 14 {
                    (u32_at(d, 0), u32_at(d, 4), u16_at(d, 8), u16_at(d, 10))
                } else {
                    (u16_at(d, 0), u16_at(d, 2), u16_at(d, 4), u16_at(d, 6))
                };
                if let (Some(rf), Some(rl), Some(cf), Some(cl)) = (rf, rl, cf, cl) {
                    // calamine's arithmetic, wrapping as a release build does: a last row
                    // before the first is four billion rows, not a negative number.
                    let cf = if cf > 0xFF || cl < cf { 0 } else { cf };
                    let (end_r, end_c) = if rl >= 1 && cl >= 1 { (rl - 1, cl - 1) } else { (rf, cf) };
                    let rows = u64::from(end_r.wrapping_sub(rf).wrapping_add(1));
                    let cols = u64::from(end_c.wrapping_sub(cf).wrapping_add(1));
                    e.declared = e.declared.max(rows.saturating_mul(cols).max(1));
                }
            }
            // Cells: NUMBER, LABEL, BOOLERR, RK, LABELSST, FORMULA, RSTRING.
            0x0203 | 0x0204 | 0x0205 | 0x027E | 0x00FD | 0x0006 | 0x00D6 => {
                if let (Some(r), Some(c)) = (u16_at(d, 0), u16_at(d, 2)) {
                    add(r, c, &mut e);
                }
            }
            // MULRK: one row, a run of columns.
            0x00BD if d.len() >= 6 => {
                if let (Some(r), Some(first), Some(last)) =
                    (u16_at(d, 0), u16_at(d, 2), u16_at(d, d.len() - 2))
                {
                    add(r, first, &mut e);
                    add(r, last.max(first), &mut e);
                    e.cells += u64::from(last.saturating_sub(first)).saturating_sub(1);
                }
            }
            _ => {}
        }
    }
    if e.cells > 0 {
        e.spanned = u64::from(r1 - r0 + 1) * u64::from(c1 - c0 + 1);
    }
    e
}

/// Checks an .xls before calamine reads it: every sheet's declared and spanned range must be
/// plausible for the cells it holds (see the module documentation).
pub fn check(path: &Path) -> Result<(), String> {
    let (kind, stream) = open(path)?;
    if kind != Ole::Workbook {
        return Ok(());
    }
    for (t, d) in records(&stream) {
        match t {
            0x000A => break,
            0x0085 => {
                let Some(pos) = u32_at(d, 0) else { continue };
                let Some(sheet) = stream.get(pos as usize..) else {
                    return Err("cannot read: the workbook is damaged (a sheet lies outside the file)".into());
                };
                let e = extent(sheet);
                let allowed = MIN_CELLS.max(e.cells.saturating_mul(PER_CELL));
                let worst = e.declared.max(e.spanned);
                if worst > allowed {
                    return Err(format!(
                        "sheet {:?}: cannot read: it spans {worst} cells for the {} it holds, which no sound .xls \
                         does: the workbook is damaged (open it in Excel or LibreOffice and save it as .xlsx)",
                        sheet_name(d),
                        e.cells
                    ));
                }
            }
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(t: u16, data: &[u8]) -> Vec<u8> {
        let mut v = t.to_le_bytes().to_vec();
        v.extend((data.len() as u16).to_le_bytes());
        v.extend(data);
        v
    }

    fn number(row: u16, col: u16) -> Vec<u8> {
        let mut d = row.to_le_bytes().to_vec();
        d.extend(col.to_le_bytes());
        d.extend([0, 0]);
        d.extend(1.0f64.to_le_bytes());
        rec(0x0203, &d)
    }

    fn dims(rf: u32, rl: u32, cf: u16, cl: u16) -> Vec<u8> {
        let mut d = rf.to_le_bytes().to_vec();
        d.extend(rl.to_le_bytes());
        d.extend(cf.to_le_bytes());
        d.extend(cl.to_le_bytes());
        d.extend([0, 0]);
        rec(0x0200, &d)
    }

    fn sheet(parts: &[Vec<u8>]) -> Vec<u8> {
        let mut s = rec(0x0809, &[0; 16]);
        for p in parts {
            s.extend(p);
        }
        s.extend(rec(0x000A, &[]));
        s
    }

    #[test]
    fn a_sound_sheet_spans_its_cells() {
        let e = extent(&sheet(&[dims(0, 3, 0, 2), number(0, 0), number(2, 1)]));
        assert_eq!(e, Extent { cells: 2, declared: 6, spanned: 6 });
    }

    #[test]
    fn flipped_bytes_show_as_an_implausible_span() {
        // One cell moved to row 65535, column 255 by a flipped byte.
        let e = extent(&sheet(&[number(0, 0), number(65_535, 255)]));
        assert_eq!(e.spanned, 65_536 * 256);
        assert!(e.spanned > MIN_CELLS.max(e.cells * PER_CELL));
        // A DIMENSIONS record declaring four billion rows.
        let e = extent(&sheet(&[dims(0, u32::MAX, 0, 200), number(0, 0)]));
        assert_eq!(e.declared, u64::from(u32::MAX) * 200);
        // A last row before the first wraps to four billion rows in calamine.
        let e = extent(&sheet(&[dims(5, 2, 0, 3), number(0, 0)]));
        assert_eq!(e.declared, (u64::from(u32::MAX) - 2) * 3);
    }

    #[test]
    fn embedded_charts_are_not_the_sheet() {
        let chart = sheet(&[number(60_000, 200)]);
        let mut parts = vec![number(0, 0)];
        parts.push(chart);
        let e = extent(&sheet(&parts));
        assert_eq!(e.cells, 1);
    }
}
