//! PDF renderer: lays the document model out on A4 pages and draws it with printpdf (the only file that imports printpdf).
//!
//! The layout is done by [`super::layout`] (plain, tested code) and each page's content stream
//! — its boxes, lines and kerned text runs — by [`super::pdf_content`]; printpdf builds the
//! document around them: the pages, a subset of DejaVu Sans with its widths and ToUnicode
//! map, links, the outline and metadata. This file also fixes everything printpdf would
//! otherwise randomise (font ids, the trailer `/ID`), so the same document and context always
//! give the same bytes.

use std::collections::{BTreeMap, BTreeSet};

use printpdf::{
    Actions, BorderArray, ColorArray, CustomPdfConformance, Destination, FontId, FontMetrics, FontType,
    HighlightingMode, LinkAnnotation, Mm, Op, ParsedFont, PdfConformance, PdfDocument, PdfDocumentInfo,
    PdfFont, PdfFontHandle, PdfFontMetricsStub, PdfPage, PdfSaveOptions, Pt, Rect, TextItem,
};

use super::layout::{self, ttf, Item};
use super::pdf_content::{self, FONT_NAMES};
use super::{Format, RenderContext, RenderError, Renderer};
use crate::document::Document;

/// Draws documents as PDF with the embedded DejaVu Sans font.
pub struct PdfRenderer;

impl PdfRenderer {
    /// A renderer with the embedded fonts.
    pub fn new() -> Self {
        PdfRenderer
    }
}

impl Default for PdfRenderer {
    fn default() -> Self {
        Self::new()
    }
}

impl Renderer for PdfRenderer {
    fn format(&self) -> Format {
        Format::Pdf
    }

    /// Renders A4 pages with a footer ("Página 1 de 3" from `ctx.page_label`, and the title)
    /// on each; title, author and subject go into the PDF's metadata.
    ///
    /// # Errors
    /// [`RenderError::Pdf`] when the embedded font cannot be subset or the file not written.
    fn render(&self, doc: &Document, ctx: &RenderContext) -> Result<Vec<u8>, RenderError> {
        let lang = if doc.lang.is_empty() { ctx.lang.as_str() } else { doc.lang.as_str() };
        let pages = layout::layout(doc, &ctx.page_label, lang);
        let (regular, bold) = ttf::faces();

        // The characters each face shows (Latin-1 checked in a table first: this runs per glyph).
        let mut used: [BTreeSet<char>; 2] = Default::default();
        let mut seen = [[false; 256]; 2];
        for page in &pages {
            for item in &page.items {
                if let Item::Text { text, bold, .. } = item {
                    let face = usize::from(*bold);
                    for ch in text.chars() {
                        match ch as usize {
                            c if c < 256 && seen[face][c] => {}
                            c => {
                                if c < 256 {
                                    seen[face][c] = true;
                                }
                                used[face].insert(ch);
                            }
                        }
                    }
                }
            }
        }

        let mut pdf = PdfDocument::new(&doc.title);
        pdf.metadata.info = info(doc, ctx);
        let mut maps: [Vec<(char, u16)>; 2] = Default::default();
        for (i, (face, name)) in [(regular, "DejaVuSans"), (bold, "DejaVuSans-Bold")].into_iter().enumerate()
        {
            if used[i].is_empty() {
                continue;
            }
            let (font, map) = embed(face, name, i, &used[i])?;
            maps[i] = map;
            pdf.resources.fonts.map.insert(font_id(i == 1), PdfFont::new(font));
        }
        // The outline: one entry per section, with fixed ids (printpdf's are random).
        for (i, page) in pages.iter().enumerate() {
            for title in &page.bookmarks {
                let id = printpdf::PageAnnotId(format!("B{:05}", pdf.bookmarks.map.len()));
                pdf.bookmarks.map.insert(id, printpdf::PageAnnotation { name: title.clone(), page: i + 1 });
            }
        }
        // printpdf gets each page's links, and on the first page one text operation per font
        // with every character the document uses: from it, printpdf embeds the fonts with the
        // widths and ToUnicode entries of exactly those glyphs. The content streams it writes
        // are then replaced by ours.
        pdf.pages = pages
            .iter()
            .enumerate()
            .map(|(i, p)| PdfPage::new(Mm(210.0), Mm(297.0), printpdf_ops(p, (i == 0).then_some(&used))))
            .collect();

        let opts =
            PdfSaveOptions { optimize: true, subset_fonts: false, secure: true, image_optimization: None };
        let mut warnings = Vec::new();
        let mut lo = pdf.to_lopdf_document(&opts, &mut warnings);
        let glyphs = pdf_content::GlyphIds::new([&maps[0], &maps[1]]);
        for (n, page_id) in lo.get_pages() {
            let content = pages
                .get(n as usize - 1)
                .map(|p| pdf_content::page(p, &glyphs, (regular, bold)))
                .ok_or_else(|| {
                RenderError::Pdf(format!("printpdf wrote a page {n} we did not lay out"))
            })?;
            let stream = lo
                .get_dictionary(page_id)
                .and_then(|d| d.get(b"Contents"))
                .and_then(|c| c.as_reference())
                .and_then(|id| lo.get_object_mut(id))
                .and_then(|o| o.as_stream_mut())
                .map_err(|e| RenderError::Pdf(format!("page {n}: no content stream to fill ({e})")))?;
            stream.set_content(content);
        }
        // printpdf writes a random /ID; ours comes from the context.
        let id = stable_id(&ctx.document_id);
        if let Ok(arr) = lo.trailer.get_mut(b"ID").and_then(|o| o.as_array_mut()) {
            for s in arr.iter_mut() {
                if let Ok(bytes) = s.as_str_mut() {
                    *bytes = id.clone().into_bytes();
                }
            }
        }
        // printpdf marks every file as PDF/X (an empty /GTS_PDFXVersion); this one is not.
        if let Ok(info) = lo.trailer.get(b"Info").and_then(|o| o.as_reference()) {
            if let Ok(dict) = lo.get_object_mut(info).and_then(|o| o.as_dict_mut()) {
                dict.remove(b"GTS_PDFXVersion");
            }
        }
        // printpdf's ToUnicode maps carry /CMapVersion and /WMode lines, optional for a
        // ToUnicode map, that stricter readers (lopdf 0.38, and tools built on it) reject;
        // without them every reader can extract the text.
        for obj in lo.objects.values_mut() {
            if let Ok(stream) = obj.as_stream_mut() {
                if stream.content.starts_with(b"/CIDInit") {
                    let text = String::from_utf8_lossy(&stream.content);
                    let kept: Vec<&str> = text
                        .lines()
                        .filter(|l| !l.starts_with("/CMapVersion") && !l.starts_with("/WMode"))
                        .collect();
                    stream.set_content(kept.join("\n").into_bytes());
                }
            }
        }
        // Every stream deflated by one compressor, reset between streams (a new one per stream
        // cleared its window each time), at the fastest level: deflating was a third of the
        // PDF's time at the default level, for files 15 % smaller. lopdf's own `compress`
        // takes the best level, twice the default's time again.
        PACKER.with_borrow_mut(|packer| -> Result<(), RenderError> {
            for obj in lo.objects.values_mut() {
                if let Ok(stream) = obj.as_stream_mut() {
                    if stream.allows_compression && stream.dict.get(b"Filter").is_err() {
                        let packed = packer.deflate(&stream.content)?;
                        if packed.len() + 19 < stream.content.len() {
                            stream.dict.set("Filter", "FlateDecode");
                            stream.set_content(packed);
                        }
                    }
                }
            }
            Ok(())
        })?;
        // Sized for the streams and the objects around them: growing it copied the file over
        // and over as it was written.
        let streams: usize =
            lo.objects.values().filter_map(|o| o.as_stream().ok()).map(|s| s.content.len()).sum();
        let mut out = Vec::with_capacity(streams + lo.objects.len() * 256 + 4096);
        lo.save_to(&mut out).map_err(|e| RenderError::Pdf(format!("writing the file: {e}")))?;
        Ok(out)
    }
}

thread_local! {
    /// The thread's compressor, kept from one document to the next (setting one up was 2 % of
    /// a plan's PDF); each stream starts from a reset, so the output is the same.
    static PACKER: std::cell::RefCell<Deflater> = std::cell::RefCell::new(Deflater::new());
}

/// A zlib compressor at the fastest level, reused for each stream of a file.
struct Deflater(flate2::Compress);

impl Deflater {
    fn new() -> Deflater {
        Deflater(flate2::Compress::new(flate2::Compression::fast(), true))
    }

    /// `bytes` as a zlib stream (what `/FlateDecode` reads).
    fn deflate(&mut self, bytes: &[u8]) -> Result<Vec<u8>, RenderError> {
        let c = &mut self.0;
        c.reset();
        let mut out = Vec::with_capacity(bytes.len() / 2 + 64);
        loop {
            // Room to make progress: with space for output, deflate always moves on.
            if out.capacity() - out.len() < 1024 {
                out.reserve(out.capacity() / 2 + 1024);
            }
            let read = c.total_in() as usize;
            match c.compress_vec(&bytes[read..], &mut out, flate2::FlushCompress::Finish) {
                Ok(flate2::Status::StreamEnd) => return Ok(out),
                Ok(_) => {}
                Err(e) => return Err(RenderError::Pdf(format!("compressing: {e}"))),
            }
        }
    }
}

/// 32 hex digits derived from the context's id (the trailer `/ID` must be a fixed-size string).
fn stable_id(document_id: &str) -> String {
    use sha2::{Digest, Sha256};
    let h = Sha256::digest(document_id.as_bytes());
    h[..16].iter().map(|b| format!("{b:02X}")).collect()
}

fn font_id(bold: bool) -> FontId {
    FontId(FONT_NAMES[usize::from(bold)].to_string())
}

fn info(doc: &Document, ctx: &RenderContext) -> PdfDocumentInfo {
    use chrono::{Datelike, Timelike};
    let c = ctx.created;
    let date = printpdf::OffsetDateTime::new_in_offset(
        printpdf::Date { year: c.year(), month: c.month() as u8, day: c.day() as u8 },
        printpdf::Time {
            hour: c.hour() as u8,
            minute: c.minute() as u8,
            second: c.second() as u8,
            millisecond: 0,
        },
        printpdf::Offset { hours: 0, minutes: 0, seconds: 0, milliseconds: 0 },
    );
    PdfDocumentInfo {
        document_title: doc.title.clone(),
        author: doc.author.clone(),
        subject: doc.subject.clone(),
        creator: "kamplan".into(),
        producer: "kamplan".into(),
        identifier: ctx.document_id.clone(),
        creation_date: date,
        modification_date: date,
        metadata_date: date,
        // No XMP: printpdf gives the XMP packet a random instance id.
        conformance: PdfConformance::Custom(CustomPdfConformance {
            requires_xmp_metadata: false,
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// The face as a printpdf font holding only the used glyphs, renumbered densely, and each
/// used character's glyph id in it.
fn embed(
    face: &ttf::Face,
    name: &str,
    index: usize,
    chars: &BTreeSet<char>,
) -> Result<(ParsedFont, Vec<(char, u16)>), RenderError> {
    let glyphs: BTreeSet<u16> = chars.iter().filter_map(|&ch| face.glyph(ch)).collect();
    let (bytes, renumber) =
        face.subset(&glyphs).map_err(|e| RenderError::Pdf(format!("font subset: {e}")))?;
    // Text is encoded with the subset's glyph ids; widths are the same glyphs' advances.
    let mut cmap = BTreeMap::new();
    let mut widths = BTreeMap::new();
    let mut map = Vec::with_capacity(chars.len());
    for &ch in chars {
        if let Some(&new) = face.glyph(ch).and_then(|old| renumber.get(&old)) {
            let old = face.glyph(ch).unwrap_or(0);
            cmap.insert(ch as u32, new);
            widths.insert(new, face.advance(old));
            map.push((ch, new));
        }
    }
    // A subset font carries a six-letter tag (ISO 32000-1, 9.6.4); fixed, for repeatable output.
    let tag = if index == 0 { "KAMPLA" } else { "KAMPLB" };
    let font = ParsedFont {
        original_bytes: bytes,
        font_index: 0,
        font_name: Some(format!("{tag}+{name}")),
        codepoint_to_glyph: cmap,
        glyph_widths: widths,
        units_per_em: face.units_per_em,
        font_metrics: FontMetrics { ascent: face.ascent, descent: face.descent },
        font_type: FontType::TrueType,
        pdf_font_metrics: PdfFontMetricsStub {
            units_per_em: face.units_per_em,
            x_min: face.bbox[0],
            y_min: face.bbox[1],
            x_max: face.bbox[2],
            y_max: face.bbox[3],
            caret_slope_rise: face.caret.0,
            caret_slope_run: face.caret.1,
            us_weight_class: face.weight,
        },
    };
    Ok((font, map))
}

/// printpdf operations for one page: its links (printpdf writes them as annotations) and, for
/// the first page, one text operation per font showing every character the document uses.
fn printpdf_ops(page: &layout::Page, used: Option<&[BTreeSet<char>; 2]>) -> Vec<Op> {
    let mut ops = Vec::new();
    if let Some(used) = used {
        ops.push(Op::StartTextSection);
        for (i, chars) in used.iter().enumerate().filter(|(_, c)| !c.is_empty()) {
            ops.push(Op::SetFont { font: PdfFontHandle::External(font_id(i == 1)), size: Pt(10.0) });
            ops.push(Op::ShowText { items: vec![TextItem::Text(chars.iter().collect())] });
        }
        ops.push(Op::EndTextSection);
    }
    for item in &page.items {
        if let Item::Link { x, y, w, h, page, .. } = item {
            // No border, no highlight colour: the text's colour says it is a link.
            ops.push(Op::LinkAnnotation {
                link: LinkAnnotation::new(
                    Rect {
                        x: Pt(round(*x, 100.0)),
                        y: Pt(round(layout::PAGE_H - y - h, 100.0)),
                        width: Pt(round(*w, 100.0)),
                        height: Pt(round(*h, 100.0)),
                        mode: None,
                        winding_order: None,
                    },
                    Actions::go_to(Destination::Xyz {
                        page: page + 1,
                        left: Some(0.0),
                        top: Some(layout::PAGE_H),
                        zoom: None,
                    }),
                    Some(BorderArray::Solid([0.0, 0.0, 0.0])),
                    Some(ColorArray::Transparent),
                    Some(HighlightingMode::Invert),
                ),
            });
        }
    }
    ops
}

/// Rounded so the annotations' rectangles stay short.
fn round(v: f32, scale: f32) -> f32 {
    (v * scale).round() / scale
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::{
        Block, Cell, Kpi, Media, NoteKind, PageBreak, Run, Section, Table, Value, ValueFormat,
    };

    fn ctx() -> RenderContext {
        RenderContext {
            created: chrono::NaiveDate::from_ymd_opt(2026, 11, 1).unwrap().and_hms_opt(0, 0, 0).unwrap(),
            document_id: "ana-2026-10".into(),
            page_label: "Página {page} de {pages}".into(),
            lang: "es".into(),
            ident: None,
        }
    }

    fn cell(text: &str, format: ValueFormat, number: Option<f64>) -> Cell {
        Cell {
            value: Value { text: text.into(), format, number, date: None },
            highlight: false,
            link: None,
            formula: None,
        }
    }

    fn plan() -> Document {
        let names = [
            "Ferretería Núñez",
            "Distribuciones Ibáñez «El Águila»",
            "<script>alert(1)</script>",
            "=HYPERLINK(\"x\")",
        ];
        let rows = (0..120)
            .map(|i| {
                vec![
                    cell(&format!("{} {i}", names[i % names.len()]), ValueFormat::Text, None),
                    cell(&format!("{i}.000,00\u{a0}€"), ValueFormat::Money, Some(i as f64 * 1000.0)),
                ]
            })
            .collect();
        Document {
            title: "Plan de cuentas clave — Ana Martínez".into(),
            lang: "es".into(),
            author: "kamplan".into(),
            subject: "2026-10".into(),
            sections: vec![
                Section {
                    id: None,
                    media: Media::All,
                    block_media: Default::default(),
                    title: "Resumen".into(),
                    sheet: "Resumen".into(),
                    page_break: PageBreak::Auto,
                    blocks: vec![
                        Block::Heading { level: 1, text: "Resumen — año 2026".into() },
                        Block::Paragraph(vec![
                            Run::text("Ventas de ", false),
                            Run::text("Ferretería Núñez", true),
                        ]),
                        Block::Kpis(vec![Kpi::new(
                            "Ventas",
                            Value {
                                text: "1.234,50\u{a0}€".into(),
                                format: ValueFormat::Money,
                                number: Some(1234.5),
                                date: None,
                            },
                        )]),
                        Block::Note { kind: NoteKind::Warning, text: "Llamada de cortesía vencida".into() },
                    ],
                },
                Section {
                    id: None,
                    media: Media::All,
                    block_media: Default::default(),
                    title: "Cuentas".into(),
                    sheet: "Cuentas".into(),
                    page_break: PageBreak::Page,
                    // The layout tests' two-column table, with this plan's rows and no totals.
                    blocks: vec![Block::Table(Table { rows, totals: None, ..layout::tests::long_table(0) })],
                },
            ],
        }
    }

    /// The text of each page, as a PDF reader extracts it.
    fn page_texts(bytes: &[u8]) -> Vec<String> {
        let pdf = lopdf::Document::load_mem(bytes).expect("a readable PDF");
        let n = pdf.get_pages().len() as u32;
        (1..=n).map(|p| pdf.extract_text(&[p]).expect("text extracts")).collect()
    }

    #[test]
    fn pdf_text_has_names_footers_and_repeated_headers() {
        let bytes = PdfRenderer::new().render(&plan(), &ctx()).unwrap();
        assert!(bytes.starts_with(b"%PDF-"));
        let pages = page_texts(&bytes);
        let n = pages.len();
        assert!(n >= 4, "{n} pages");
        for (i, text) in pages.iter().enumerate() {
            assert!(text.contains(&format!("Página {} de {n}", i + 1)), "footer on page {}: {text}", i + 1);
            assert!(text.contains("Plan de cuentas clave — Ana Martínez"), "title in footer");
        }
        assert!(
            pages[0].contains("Ferretería Núñez") && pages[0].contains("1.234,50\u{a0}€"),
            "{}",
            pages[0]
        );
        for (i, text) in pages.iter().enumerate().skip(1) {
            assert!(text.contains("Cliente") && text.contains("Ventas"), "table header on page {}", i + 1);
        }
        let all = pages.join("\n");
        for name in
            ["Distribuciones Ibáñez «El Águila» 1", "<script>alert(1)</script> 2", "=HYPERLINK(\"x\") 119"]
        {
            assert!(all.contains(name), "{name} missing");
        }
    }

    #[test]
    fn same_document_same_bytes() {
        let r = PdfRenderer::new();
        let a = r.render(&plan(), &ctx()).unwrap();
        let b = r.render(&plan(), &ctx()).unwrap();
        assert!(a == b, "two renders differ");
        let other = RenderContext { document_id: "juan-2026-10".into(), ..ctx() };
        assert_ne!(a, r.render(&plan(), &other).unwrap(), "the id comes from the context");
    }

    #[test]
    fn metadata_comes_from_the_document_and_context() {
        let bytes = PdfRenderer::new().render(&plan(), &ctx()).unwrap();
        let pdf = lopdf::Document::load_mem(&bytes).unwrap();
        let info_ref = pdf.trailer.get(b"Info").unwrap().as_reference().unwrap();
        let info = pdf.get_dictionary(info_ref).unwrap();
        let text = |k: &[u8]| lopdf::decode_text_string(info.get(k).unwrap()).unwrap();
        assert_eq!(text(b"Title"), "Plan de cuentas clave — Ana Martínez");
        assert_eq!(text(b"Author"), "kamplan");
        assert_eq!(text(b"Subject"), "2026-10");
        assert_eq!(info.get(b"CreationDate").unwrap().as_str().unwrap(), b"D:20261101000000+00'00'");
        assert!(info.get(b"GTS_PDFXVersion").is_err(), "not marked PDF/X");
        let catalog = pdf.catalog().unwrap();
        let outlines = pdf.get_dictionary(catalog.get(b"Outlines").unwrap().as_reference().unwrap()).unwrap();
        assert_eq!(outlines.get(b"Count").unwrap().as_i64().unwrap(), 2, "one outline entry per section");
        let id = pdf.trailer.get(b"ID").unwrap().as_array().unwrap();
        assert_eq!(id[0].as_str().unwrap(), stable_id("ana-2026-10").as_bytes());
    }

    #[test]
    fn renders_in_parallel_to_the_same_bytes() {
        use rayon::prelude::*;
        let doc = plan();
        let one = PdfRenderer::new().render(&doc, &ctx()).unwrap();
        let many: Vec<Vec<u8>> =
            (0..4).into_par_iter().map(|_| PdfRenderer::new().render(&doc, &ctx()).unwrap()).collect();
        assert!(many.iter().all(|b| *b == one));
    }

    #[test]
    fn template_xhtml_renders_every_element_as_text() {
        let doc = crate::document::parse(
            r#"<document title="Plan &lt;b&gt;" lang="es" author="kamplan" subject="2026-10">
                 <section title="Uno">
                   <h1>Título — «uno»</h1><h2>Dos</h2><h3>Tres</h3>
                   <p>Texto con <b>negrita</b> y &lt;script&gt;alert(1)&lt;/script&gt;</p>
                   <note kind="highlight">Nota destacada</note>
                   <kpis><kpi label="Ventas" data-value="1234.5" data-format="money">1.234,50 €</kpi></kpis>
                   <ul><li>Punto</li></ul><ol><li>Paso</li></ol>
                   <table name="t"><thead><tr><th>Cliente</th><th data-format="percent">Cuota</th></tr></thead>
                     <tbody><tr><td highlight="true">=SUM(A1)</td><td data-value="0.412">41,2 %</td></tr></tbody>
                     <tfoot><tr><td>Total</td><td data-value="1">100 %</td></tr></tfoot></table>
                   <chart kind="line" title="Evolución"><series name="Ventas"><pt label="ene" value="1"/><pt label="feb" value="2"/></series></chart>
                   <fields><field label="Decisor">Ana</field><field label="Postura" kind="choice" choices="A favor|En contra"/></fields>
                 </section>
               </document>"#,
        )
        .unwrap();
        let bytes = PdfRenderer::new().render(&doc, &ctx()).unwrap();
        let text = page_texts(&bytes).join("\n");
        for want in [
            "Título — «uno»",
            "Dos",
            "Tres",
            "negrita",
            "<script>alert(1)</script>",
            "Nota destacada",
            "Ventas",
            "1.234,50 €",
            "Punto",
            "Paso",
            "=SUM(A1)",
            "41,2 %",
            "Total",
            "Evolución",
            "ene",
            "Decisor",
            "Ana",
            "☐ A favor",
            "Página 1 de 1",
            "Plan <b>",
        ] {
            assert!(text.contains(want), "{want:?} missing from {text}");
        }
    }

    #[test]
    fn links_go_to_the_first_page_of_their_section() {
        let mut doc = plan();
        doc.sections[1].id = Some("cuentas".into());
        doc.sections[0].blocks.push(Block::Paragraph(vec![Run {
            text: "Ver cuentas".into(),
            bold: false,
            link: Some("cuentas".into()),
        }]));
        doc.sections[0].blocks.push(Block::Paragraph(vec![Run {
            text: "Sin destino".into(),
            bold: false,
            link: Some("nowhere".into()),
        }]));
        let bytes = PdfRenderer::new().render(&doc, &ctx()).unwrap();
        let pdf = lopdf::Document::load_mem(&bytes).unwrap();
        let pages = pdf.get_pages();
        let first = pdf.get_dictionary(pages[&1]).unwrap();
        let annots = first.get(b"Annots").unwrap().as_array().unwrap();
        assert_eq!(annots.len(), 1, "one link; the one to no section is dropped");
        let annot = match &annots[0] {
            lopdf::Object::Reference(r) => pdf.get_dictionary(*r).unwrap(),
            lopdf::Object::Dictionary(d) => d,
            o => panic!("{o:?}"),
        };
        let action = annot.get(b"A").unwrap().as_dict().unwrap();
        assert_eq!(action.get(b"S").unwrap().as_name().unwrap(), b"GoTo");
        let dest = action.get(b"D").unwrap().as_array().unwrap();
        assert_eq!(dest[0].as_reference().unwrap(), pages[&2], "to the section's first page");
    }

    #[test]
    fn embedded_font_is_a_small_subset() {
        let bytes = PdfRenderer::new().render(&plan(), &ctx()).unwrap();
        assert!(bytes.len() < 150_000, "{} bytes: the whole font was embedded", bytes.len());
    }

    #[test]
    fn one_compressor_deflates_each_stream_whole() {
        use std::io::Read;
        // Text, nothing, and incompressible bytes larger than the first buffer, one after
        // another through the same compressor: each decodes to itself alone.
        let mut noise = Vec::new();
        let mut x: u32 = 1;
        for _ in 0..300_000 {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            noise.push((x >> 16) as u8);
        }
        let inputs: [&[u8]; 4] = [b"BT /F1 9 Tf 10 20 Td <0012> Tj ET\n", b"", &noise, b"q 1 0 0 1 0 0 cm Q"];
        let mut packer = Deflater::new();
        for input in inputs {
            let packed = packer.deflate(input).unwrap();
            let mut back = Vec::new();
            flate2::read::ZlibDecoder::new(&packed[..]).read_to_end(&mut back).unwrap();
            assert_eq!(back, input);
        }
    }
}
