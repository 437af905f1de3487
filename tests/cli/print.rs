//! How the published workbooks print: read back from their XML parts (page setup, print area,
//! page breaks, repeated rows, row heights, chart anchors, table ranges) and checked against
//! the A4 page each sheet prints on, one page wide.

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use crate::util::{kamplan, stderr, tmp};

fn samples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("samples")
}

/// A zipped workbook's parts as text.
struct Parts(zip::ZipArchive<std::fs::File>);

impl Parts {
    fn open(path: &Path) -> Parts {
        Parts(zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap())
    }

    fn get(&mut self, name: &str) -> Option<String> {
        let mut f = self.0.by_name(name).ok()?;
        let mut s = String::new();
        f.read_to_string(&mut s).unwrap();
        Some(s)
    }
}

/// `dir/target` as a zip path (`xl/worksheets` + `../drawings/d.xml`).
fn join(dir: &str, target: &str) -> String {
    let mut parts: Vec<&str> = if target.starts_with('/') { vec![] } else { dir.split('/').collect() };
    for p in target.trim_start_matches('/').split('/') {
        match p {
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    parts.join("/")
}

/// Relationship id → target path, from a `_rels/*.rels` part.
fn rels(parts: &mut Parts, dir: &str, file: &str) -> HashMap<String, String> {
    let Some(xml) = parts.get(&format!("{dir}/_rels/{file}.rels")) else { return HashMap::new() };
    let doc = roxmltree::Document::parse(&xml).unwrap();
    doc.descendants()
        .filter(|n| n.has_tag_name("Relationship"))
        .map(|n| (n.attribute("Id").unwrap().to_string(), join(dir, n.attribute("Target").unwrap())))
        .collect()
}

fn r_id(n: &roxmltree::Node) -> String {
    n.attributes().find(|a| a.name() == "id").map(|a| a.value().to_string()).unwrap_or_default()
}

/// A row range `A10:D42` → (9, 41), 0-based.
fn row_range(r: &str) -> (u32, u32) {
    let row = |c: &str| c.trim_start_matches(|ch: char| ch.is_ascii_alphabetic()).parse::<u32>().unwrap() - 1;
    let (a, b) = r.split_once(':').unwrap_or((r, r));
    (row(a), row(b))
}

/// What a printed sheet is made of.
#[derive(Debug)]
struct PrintedSheet {
    name: String,
    landscape: bool,
    fit_to_width: bool,
    /// Columns of the print area (whole columns), when set.
    area_cols: Option<usize>,
    repeat: Option<(u32, u32)>,
    /// Widths of the columns, in pixels (Excel's default for those not set).
    col_px: Vec<f64>,
    heights: HashMap<u32, f64>,
    breaks: Vec<u32>,
    /// Each chart's first row, last row and bottom (points from the top of its first row).
    charts: Vec<(u32, u32, f64)>,
    /// Each Excel table's first and last row.
    tables: Vec<(u32, u32)>,
    last_row: u32,
    used_cols: usize,
    header: String,
    footer: String,
}

impl PrintedSheet {
    fn height(&self, r: u32) -> f64 {
        self.heights.get(&r).copied().unwrap_or(15.0)
    }

    fn rows(&self, a: u32, b_excl: u32) -> f64 {
        (a..b_excl).map(|r| self.height(r)).sum()
    }

    /// Points of rows an A4 page holds, printed one page wide (the scale floored to a percent).
    fn page_points(&self) -> f64 {
        let cols = self.area_cols.unwrap_or(self.col_px.len());
        let width: f64 = (0..cols).map(|j| self.col_px.get(j).copied().unwrap_or(64.0)).sum();
        let (printable_px, printable_pt) =
            if self.landscape { (988.0, 595.28 - 108.0) } else { (659.0, 841.89 - 108.0) };
        let scale = ((printable_px / width).min(1.0) * 100.0).floor() / 100.0;
        printable_pt / scale
    }

    /// The rows starting each printed page.
    fn page_starts(&self) -> Vec<u32> {
        let mut s = vec![0];
        s.extend(&self.breaks);
        s
    }
}

/// The visible sheets of a workbook, as they print.
fn printed_sheets(path: &Path) -> Vec<PrintedSheet> {
    let mut parts = Parts::open(path);
    let wb_xml = parts.get("xl/workbook.xml").unwrap();
    let wb = roxmltree::Document::parse(&wb_xml).unwrap();
    let wb_rels = rels(&mut parts, "xl", "workbook.xml");
    let names: Vec<(String, u32)> = wb
        .descendants()
        .filter(|n| n.has_tag_name("definedName"))
        .filter_map(|n| {
            let id = n.attribute("localSheetId")?.parse().ok()?;
            Some((format!("{}={}", n.attribute("name")?, n.text().unwrap_or("")), id))
        })
        .collect();
    let mut out = Vec::new();
    for (index, sheet) in wb.descendants().filter(|n| n.has_tag_name("sheet")).enumerate() {
        if sheet.attribute("state").is_some_and(|s| s != "visible") {
            continue;
        }
        let name = sheet.attribute("name").unwrap().to_string();
        let path = wb_rels[&r_id(&sheet)].clone();
        let xml = parts.get(&path).unwrap();
        let doc = roxmltree::Document::parse(&xml).unwrap();
        let find = |tag: &str| doc.descendants().find(|n| n.has_tag_name(tag));
        let setup = find("pageSetup");
        let landscape = setup.and_then(|n| n.attribute("orientation")) == Some("landscape");
        let fit_to_width = find("pageSetUpPr").and_then(|n| n.attribute("fitToPage")) == Some("1")
            && setup.and_then(|n| n.attribute("fitToHeight")) == Some("0")
            && setup.and_then(|n| n.attribute("fitToWidth")).is_none_or(|w| w == "1");
        let defined = |what: &str| {
            names
                .iter()
                .find(|(n, id)| *id == index as u32 && n.starts_with(&format!("_xlnm.{what}=")))
                .map(|(n, _)| n.split_once('=').unwrap().1.rsplit('!').next().unwrap().to_string())
        };
        // `$A:$E` → 5 columns.
        let area_cols = defined("Print_Area").map(|a| {
            let last = a.rsplit(':').next().unwrap().trim_start_matches('$');
            last.bytes().fold(0usize, |n, b| n * 26 + usize::from(b - b'A' + 1))
        });
        let repeat = defined("Print_Titles").map(|t| {
            let (a, b) = t.split_once(':').unwrap();
            let n = |s: &str| s.trim_start_matches('$').parse::<u32>().unwrap() - 1;
            (n(a), n(b))
        });
        let mut col_px = Vec::new();
        for c in doc.descendants().filter(|n| n.has_tag_name("col")) {
            let (min, max): (usize, usize) =
                (c.attribute("min").unwrap().parse().unwrap(), c.attribute("max").unwrap().parse().unwrap());
            let w: f64 = c.attribute("width").unwrap().parse().unwrap();
            if col_px.len() < max {
                col_px.resize(max, 64.0);
            }
            for j in min..=max {
                col_px[j - 1] = (w * 7.0).round();
            }
        }
        let mut heights = HashMap::new();
        let mut last_row = 0;
        let mut used_cols = 0;
        for r in doc.descendants().filter(|n| n.has_tag_name("row")) {
            let i: u32 = r.attribute("r").unwrap().parse::<u32>().unwrap() - 1;
            if let Some(h) = r.attribute("ht") {
                heights.insert(i, h.parse().unwrap());
            }
            last_row = last_row.max(i);
            for c in r.children().filter(|n| n.has_tag_name("c")) {
                let col = c.attribute("r").unwrap().chars().take_while(char::is_ascii_alphabetic);
                let n = col.fold(0usize, |n, ch| n * 26 + (ch as usize - 'A' as usize + 1));
                used_cols = used_cols.max(n);
            }
        }
        let breaks: Vec<u32> = doc
            .descendants()
            .filter(|n| n.has_tag_name("rowBreaks"))
            .flat_map(|b| b.children().filter(|n| n.has_tag_name("brk")))
            .map(|b| b.attribute("id").unwrap().parse().unwrap())
            .collect();
        let text_of = |tag: &str| find(tag).and_then(|n| n.text()).unwrap_or("").to_string();
        let (header, footer) = (text_of("oddHeader"), text_of("oddFooter"));
        let (dir, file) = path.rsplit_once('/').unwrap();
        let sheet_rels = rels(&mut parts, dir, file);
        let mut charts = Vec::new();
        let mut tables = Vec::new();
        for n in doc.descendants() {
            if n.has_tag_name("drawing") {
                let drawing_path = sheet_rels[&r_id(&n)].clone();
                let dxml = parts.get(&drawing_path).unwrap();
                let d = roxmltree::Document::parse(&dxml).unwrap();
                for anchor in d.descendants().filter(|n| n.has_tag_name("twoCellAnchor")) {
                    let at = |tag: &str, field: &str| -> f64 {
                        let n = anchor.children().find(|n| n.has_tag_name(tag)).unwrap();
                        n.children().find(|c| c.has_tag_name(field)).unwrap().text().unwrap().parse().unwrap()
                    };
                    let (from, to) = (at("from", "row") as u32, at("to", "row") as u32);
                    let to_off = at("to", "rowOff") / 12_700.0;
                    charts.push((
                        from,
                        to,
                        (from..to).map(|r| heights.get(&r).copied().unwrap_or(15.0)).sum::<f64>() + to_off,
                    ));
                }
            }
            if n.has_tag_name("tablePart") {
                let txml = parts.get(&sheet_rels[&r_id(&n)]).unwrap();
                let t = roxmltree::Document::parse(&txml).unwrap();
                tables.push(row_range(t.root_element().attribute("ref").unwrap()));
            }
        }
        out.push(PrintedSheet {
            name,
            landscape,
            fit_to_width,
            area_cols,
            repeat,
            col_px,
            heights,
            breaks,
            charts,
            tables,
            last_row,
            used_cols,
            header,
            footer,
        });
    }
    out
}

/// The published summary and plans of a run on the samples.
fn sample_workbooks(dir: &Path) -> Vec<PathBuf> {
    let s = samples();
    let o =
        kamplan(dir, &["run", "--period", "2026-10", "-o", "out", "--format", "xlsx", s.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let month = dir.join("out/2026-10");
    let mut books = vec![month.join("Resumen 2026-10.xlsx")];
    let mut rdr = csv::Reader::from_path(month.join("index.csv")).unwrap();
    for r in rdr.records() {
        books.push(month.join(&r.unwrap()[5]));
    }
    books
}

#[test]
fn every_sample_sheet_prints_one_page_wide_with_charts_and_tables_whole() {
    let t = tmp();
    let books = sample_workbooks(t.path());
    assert!(books.len() >= 7, "{books:?}");
    let mut charts = 0;
    let mut later = 0;
    for book in &books {
        let file = book.file_name().unwrap().to_string_lossy().to_string();
        for s in printed_sheets(book) {
            let at = format!("{file} › {}", s.name);
            assert!(s.fit_to_width, "{at}: not fit to one page wide");
            let cols = s.area_cols.unwrap_or_else(|| panic!("{at}: no print area"));
            assert!(
                cols >= s.used_cols,
                "{at}: the print area ({cols} columns) leaves out written cells ({})",
                s.used_cols
            );
            assert!(
                s.header.contains("Resumen de dirección") || s.header.contains("Plan de cuentas clave"),
                "{at}: {:?}",
                s.header
            );
            assert!(s.footer.contains("&P") && s.footer.contains("&N"), "{at}: {:?}", s.footer);
            let page = s.page_points();
            let starts = s.page_starts();
            // Every page holds the rows up to the next break: the printer adds no break of its
            // own, so the pages are the ones the breaks say.
            for w in starts.windows(2) {
                let h = s.rows(w[0], w[1]);
                assert!(
                    h <= page + 0.01,
                    "{at}: rows {}–{} take {h:.1} pt of a {page:.1} pt page",
                    w[0] + 1,
                    w[1]
                );
            }
            let page_of = |r: u32| starts.partition_point(|b| *b <= r);
            for &(first, last, bottom) in &s.charts {
                charts += 1;
                assert_eq!(
                    page_of(first),
                    page_of(last),
                    "{at}: the chart in rows {}–{} is cut",
                    first + 1,
                    last + 1
                );
                let top = starts[page_of(first) - 1];
                let used = s.rows(top, first) + bottom;
                assert!(
                    used <= page,
                    "{at}: the chart in rows {}–{} ends {used:.1} pt down a {page:.1} pt page",
                    first + 1,
                    last + 1
                );
                if page_of(first) > 1 {
                    later += 1;
                }
            }
            for &(first, last) in &s.tables {
                // A table that fits on a page with what introduces it (a heading, a line: the
                // 100 points above it) prints on one page.
                let mut above = first;
                while above > 0 && s.rows(above - 1, first) <= 100.0 {
                    above -= 1;
                }
                if s.rows(above, last + 1) <= page * 0.98 {
                    assert_eq!(
                        page_of(first),
                        page_of(last),
                        "{at}: the table in rows {}–{} is cut",
                        first + 1,
                        last + 1
                    );
                }
            }
            if let Some((h, _)) = s.repeat {
                // A repeated header is a table's, and no page after that table holds anything else.
                let table = s
                    .tables
                    .iter()
                    .find(|(f, _)| *f == h)
                    .unwrap_or_else(|| panic!("{at}: row {} repeats but heads no table", h + 1));
                assert_eq!(
                    page_of(table.1),
                    page_of(s.last_row),
                    "{at}: the repeated header of row {} would label later pages",
                    h + 1
                );
            }
        }
    }
    assert!(charts >= 10, "the samples draw charts: {charts}");
    assert!(later >= 5, "charts past a sheet's first page, where breaks decide: {later}");
}

#[test]
fn the_summary_pareto_starts_a_page_and_long_tables_repeat_their_header() {
    let t = tmp();
    let books = sample_workbooks(t.path());
    let sheets = printed_sheets(&books[0]);
    let first = &sheets[0];
    // The first sheet tells the story: the KPIs and the Pareto curve print on its first page,
    // in portrait (a landscape page would hold the KPIs alone).
    let &(from, _, _) = first.charts.first().expect("the Pareto chart");
    assert!(!first.landscape, "{first:?}");
    assert!(first.breaks.iter().all(|b| *b > from), "the Pareto prints on the first page: {first:?}");
    // A long table ending its sheet repeats its header on every page it runs over.
    let kam = sheets.iter().find(|s| s.name == "KAM").expect("the KAM sheet");
    let (h, _) = kam.repeat.expect("the key accounts by KAM repeat their header");
    let last = kam.tables.iter().find(|(f, _)| *f == h).unwrap();
    assert!(kam.breaks.iter().any(|b| *b > h && *b <= last.1), "the table runs over pages: {kam:?}");
}
