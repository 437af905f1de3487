//! The XHTML parser: the template's output checked element by element against the vocabulary
//! (unknown elements and attributes, stray text) into sections and blocks, errors naming the line.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};

use super::{
    Block, Document, DocumentError, Field, FieldKind, Kpi, Media, NoteKind, PageBreak, Run, Section,
};

/// Parses a template's XHTML output into a document.
///
/// Strict, so that a template mistake shows up as an error naming its line rather than as a
/// quietly wrong file: the XML must be well formed, every element and attribute must belong to
/// the vocabulary above, and every `data-value` must parse (numbers with `.` as the decimal
/// separator, dates as ISO `YYYY-MM-DD`). Text is kept as plain strings with runs of
/// whitespace collapsed to one space; entities such as `&lt;` stay the characters they stand
/// for and never become markup. Comments are ignored. HTML-only entities such as `&nbsp;` are
/// not XML: write `&#160;` or the character itself.
///
/// # Errors
/// [`DocumentError`] with the 1-based line of the offending element, e.g.
/// `template output line 12: td data-value "1,5" is not a number (use '.' for decimals)`.
///
/// # Example
/// ```
/// let doc = kamplan::document::parse(
///     r#"<document title="Plan"><section title="Resumen"><p>Hola <b>Ana</b></p></section></document>"#,
/// ).unwrap();
/// assert_eq!(doc.sections[0].title, "Resumen");
/// ```
pub fn parse(xhtml: &str) -> Result<Document, DocumentError> {
    // The quick scan reads what templates write; anything else is roxmltree's (see `tree`).
    match Tree::scan(xhtml) {
        Some(tree) => walk(xhtml, &tree),
        None => parse_with_roxmltree(xhtml),
    }
}

/// [`parse`] through roxmltree, which checks all of XML and names the line of what is wrong.
pub(super) fn parse_with_roxmltree(xhtml: &str) -> Result<Document, DocumentError> {
    // roxmltree parses nested elements recursively: a template that nests thousands of them
    // would overflow the stack and abort the run, so depth is checked first, without recursion.
    check_depth(xhtml, MAX_DEPTH)?;
    let xml = roxmltree::Document::parse(xhtml)
        .map_err(|e| DocumentError { line: e.pos().row, message: format!("not well-formed XML: {e}") })?;
    walk(xhtml, &Tree::from_roxmltree(&xml))
}

fn walk(xhtml: &str, tree: &Tree<'_>) -> Result<Document, DocumentError> {
    Parser::new(xhtml).document(tree.root_element())
}

/// Deepest element nesting a document may have: kamplan's vocabulary needs under ten levels.
pub const MAX_DEPTH: usize = 64;

pub(super) use super::tree::Node;
use super::tree::{check_depth, Tree};

/// Parsing state: the line index, so line numbers cost a binary search, not a rescan; and the
/// links seen, checked against the section ids once the whole document is read.
pub(super) struct Parser {
    line_starts: Vec<usize>,
    links: RefCell<Vec<(u32, String)>>,
    /// Names formulas use that must be a KPI's `data-name` somewhere in the document.
    kpi_refs: RefCell<Vec<(u32, String)>>,
    /// Every KPI name, checked against `kpi_refs` at the end.
    kpi_names: RefCell<BTreeSet<String>>,
}

impl Parser {
    fn new(text: &str) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Parser {
            line_starts,
            links: RefCell::new(Vec::new()),
            kpi_refs: RefCell::new(Vec::new()),
            kpi_names: RefCell::new(BTreeSet::new()),
        }
    }

    /// Notes a name a formula uses that must be some KPI's `data-name`.
    pub(super) fn kpi_ref(&self, node: Node, name: &str) {
        self.kpi_refs.borrow_mut().push((self.line(node), name.to_string()));
    }

    /// The section id an `href` names: `#id`, internal links only.
    pub(super) fn href(&self, node: Node) -> Result<Option<String>, DocumentError> {
        let Some(raw) = node.attribute("href") else { return Ok(None) };
        let id = raw.trim().strip_prefix('#').map(str::trim).unwrap_or("");
        if id.is_empty() {
            return Err(self.err(
                node,
                format!("href {raw:?} is not an internal link: write href=\"#id\" with a section's id"),
            ));
        }
        self.links.borrow_mut().push((self.line(node), id.to_string()));
        Ok(Some(id.to_string()))
    }

    fn line(&self, node: Node) -> u32 {
        let pos = node.pos();
        let idx = self.line_starts.partition_point(|&s| s <= pos);
        idx.max(1) as u32
    }

    pub(super) fn err(&self, node: Node, message: impl Into<String>) -> DocumentError {
        DocumentError { line: self.line(node), message: message.into() }
    }

    /// Rejects attributes outside `allowed`, naming the first unknown one.
    pub(super) fn check_attrs(&self, node: Node, allowed: &[&str]) -> Result<(), DocumentError> {
        // `only` is read on every block of a section (see `section`).
        let in_section = node.parent_element().is_some_and(|p| name(p) == "section");
        for a in node.attributes() {
            if a.is_namespaced() || !(allowed.contains(&a.name()) || in_section && a.name() == "only") {
                let known = if allowed.is_empty() { "none".to_string() } else { allowed.join(", ") };
                return Err(self.err(
                    node,
                    format!("unknown attribute {:?} on <{}> (known: {known})", a.name(), name(node)),
                ));
            }
        }
        Ok(())
    }

    /// The element children, rejecting stray non-blank text between them.
    pub(super) fn elements<'a, 'i>(&self, node: Node<'a, 'i>) -> Result<Vec<Node<'a, 'i>>, DocumentError> {
        // Sized once (children include the blanks between elements): growing it from empty
        // was several reallocations for every row of a table.
        let mut out = Vec::with_capacity(node.children().count());
        for c in node.children() {
            if c.is_element() {
                out.push(c);
            } else if c.is_text() && !c.text().unwrap_or("").trim().is_empty() {
                return Err(self.err(
                    c,
                    format!(
                        "text {:?} directly inside <{}>; put it in an element",
                        short(c.text().unwrap_or("")),
                        name(node)
                    ),
                ));
            }
        }
        Ok(out)
    }

    /// Text-only content: any child element is an error.
    pub(super) fn text(&self, node: Node) -> Result<String, DocumentError> {
        let mut children = node.children();
        let (first, second) = (children.next(), children.next());
        match (first, second) {
            (None, _) => return Ok(String::new()),
            // Most cells hold one text that is already collapsed and trimmed: copied once.
            (Some(only), None) if only.text().is_some_and(is_collapsed) => {
                return Ok(only.text().unwrap_or("").to_string())
            }
            _ => {}
        }
        let mut out = String::with_capacity(node.children().filter_map(|c| c.text()).map(str::len).sum());
        let mut in_ws = false;
        for c in node.children() {
            if c.is_element() {
                return Err(
                    self.err(c, format!("<{}> is not allowed inside <{}>; only text", name(c), name(node)))
                );
            }
            // Comments and processing instructions are not content (the tree has none).
            collapse_ws_into(c.text().unwrap_or(""), &mut out, &mut in_ws);
        }
        // Collapsed and trimmed (of any Unicode blank, as `str::trim`) in one buffer: this runs
        // for every cell of a plan.
        let end = out.trim_end().len();
        out.truncate(end);
        let start = out.len() - out.trim_start().len();
        out.drain(..start);
        Ok(out)
    }

    pub(super) fn unknown(&self, node: Node, parent: &str, known: &str) -> DocumentError {
        self.err(node, format!("unknown element <{}> inside <{parent}> (known: {known})", name(node)))
    }

    fn document(&self, root: Node) -> Result<Document, DocumentError> {
        if name(root) != "document" {
            return Err(
                self.err(root, format!("the root element must be <document>, found <{}>", name(root)))
            );
        }
        self.check_attrs(root, &["title", "lang", "author", "subject"])?;
        let attr = |k: &str| root.attribute(k).map(normalize_ws).unwrap_or_default();
        let mut sections: Vec<Section> = Vec::new();
        let mut ids = BTreeSet::new();
        for c in self.elements(root)? {
            if name(c) != "section" {
                return Err(self.unknown(c, "document", "section"));
            }
            let section = self.section(c)?;
            if let Some(id) = &section.id {
                if !ids.insert(id.clone()) {
                    return Err(self.err(c, format!("section id {id:?} is used twice")));
                }
            }
            sections.push(section);
        }
        let names = self.kpi_names.borrow();
        for (line, name) in self.kpi_refs.borrow().iter() {
            if !names.contains(name) {
                return Err(DocumentError {
                    line: *line,
                    message: format!("formula uses {name:?}: no KPI or column has data-name {name:?}"),
                });
            }
        }
        for (line, id) in self.links.borrow().iter() {
            if !ids.contains(id) {
                return Err(DocumentError {
                    line: *line,
                    message: format!("link to #{id}: no section has id {id:?}"),
                });
            }
        }
        Ok(Document {
            title: attr("title"),
            lang: attr("lang"),
            author: attr("author"),
            subject: attr("subject"),
            sections,
        })
    }

    fn section(&self, node: Node) -> Result<Section, DocumentError> {
        self.check_attrs(node, &["title", "sheet", "break", "id", "only"])?;
        let media = self.media(node)?;
        let title = node.attribute("title").map(normalize_ws).unwrap_or_default();
        let id = match node.attribute("id").map(|i| i.trim()) {
            None => None,
            Some("") => return Err(self.err(node, "section id is empty")),
            Some(i) => Some(i.to_string()),
        };
        let sheet = node.attribute("sheet").map(normalize_ws).unwrap_or_else(|| title.clone());
        let page_break = match node.attribute("break") {
            None | Some("auto") => PageBreak::Auto,
            Some("page") => PageBreak::Page,
            Some("fit") => PageBreak::Fit,
            Some(other) => {
                return Err(self.err(node, format!("section break {other:?} is not one of page, fit, auto")))
            }
        };
        let mut blocks = Vec::new();
        // KPI names are unique within a section (formulas look there first).
        let mut section_names = BTreeSet::new();
        let mut block_media = BTreeMap::new();
        for c in self.elements(node)? {
            let m = self.media(c)?;
            if m != Media::All {
                block_media.insert(blocks.len(), m);
            }
            blocks.push(self.block(c, &mut section_names)?);
        }
        Ok(Section { title, id, sheet, page_break, media, blocks, block_media })
    }

    /// A section's or a block's `only` attribute: which document shows it.
    fn media(&self, node: Node) -> Result<Media, DocumentError> {
        match node.attribute("only") {
            None => Ok(Media::All),
            Some("pdf") => Ok(Media::Pdf),
            Some("xlsx") => Ok(Media::Xlsx),
            Some(other) => Err(self.err(node, format!("only {other:?} is not one of pdf, xlsx"))),
        }
    }

    fn block(&self, node: Node, section_names: &mut BTreeSet<String>) -> Result<Block, DocumentError> {
        match name(node) {
            h @ ("h1" | "h2" | "h3") => {
                self.check_attrs(node, &[])?;
                Ok(Block::Heading { level: h.as_bytes()[1] - b'0', text: self.text(node)? })
            }
            "p" => {
                self.check_attrs(node, &[])?;
                Ok(Block::Paragraph(self.runs(node)?))
            }
            "note" => {
                self.check_attrs(node, &["kind"])?;
                let kind = match node.attribute("kind") {
                    None | Some("info") => NoteKind::Info,
                    Some("warning") => NoteKind::Warning,
                    Some("highlight") => NoteKind::Highlight,
                    Some("kam") => NoteKind::Kam,
                    Some(o) => {
                        return Err(self.err(
                            node,
                            format!("note kind {o:?} is not one of info, warning, highlight, kam"),
                        ))
                    }
                };
                Ok(Block::Note { kind, text: self.text(node)? })
            }
            "kpis" => {
                self.check_attrs(node, &[])?;
                let mut kpis = Vec::new();
                for c in self.elements(node)? {
                    if name(c) != "kpi" {
                        return Err(self.unknown(c, "kpis", "kpi"));
                    }
                    self.check_attrs(
                        c,
                        &["label", "data-value", "data-format", "data-name", "data-formula"],
                    )?;
                    let label = c.attribute("label").map(normalize_ws).unwrap_or_default();
                    let value = self.value(c, self.text(c)?, None)?;
                    let name = self.name_attr(c)?;
                    if let Some(n) = &name {
                        if !section_names.insert(n.clone()) {
                            return Err(self.err(c, format!("KPI name {n:?} is used twice in this section")));
                        }
                        self.kpi_names.borrow_mut().insert(n.clone());
                    }
                    let formula = self.formula_attr(c, value.format)?;
                    for (n, in_sum) in formula.iter().flat_map(|f| f.names()) {
                        if in_sum {
                            return Err(self.err(c, format!("sum({n}) sums a table column: not in a KPI")));
                        }
                        self.kpi_ref(c, n);
                    }
                    kpis.push(Kpi { label, value, name, formula });
                }
                Ok(Block::Kpis(kpis))
            }
            "table" => self.table(node).map(Block::Table),
            l @ ("ul" | "ol") => {
                self.check_attrs(node, &[])?;
                let mut items = Vec::new();
                for c in self.elements(node)? {
                    if name(c) != "li" {
                        return Err(self.unknown(c, l, "li"));
                    }
                    self.check_attrs(c, &[])?;
                    items.push(self.text(c)?);
                }
                Ok(Block::List { ordered: l == "ol", items })
            }
            "chart" => self.chart(node).map(Block::Chart),
            "fields" => {
                self.check_attrs(node, &[])?;
                let mut fields = Vec::new();
                for c in self.elements(node)? {
                    if name(c) != "field" {
                        return Err(self.unknown(c, "fields", "field"));
                    }
                    self.check_attrs(c, &["label", "kind", "choices"])?;
                    let kind = match c.attribute("kind") {
                        None | Some("text") => FieldKind::Text,
                        Some("date") => FieldKind::Date,
                        Some("choice") => FieldKind::Choice,
                        Some(o) => {
                            return Err(
                                self.err(c, format!("field kind {o:?} is not one of text, date, choice"))
                            )
                        }
                    };
                    fields.push(Field {
                        label: c.attribute("label").map(normalize_ws).unwrap_or_default(),
                        kind,
                        choices: choices(c.attribute("choices")),
                        value: self.text(c)?,
                    });
                }
                Ok(Block::Fields(fields))
            }
            _ => {
                Err(self.unknown(node, "section", "h1, h2, h3, p, note, kpis, table, ul, ol, chart, fields"))
            }
        }
    }

    /// A paragraph's runs: text, `<b>` and `<a href="#id">` children, whitespace collapsed
    /// across run borders.
    fn runs(&self, node: Node) -> Result<Vec<Run>, DocumentError> {
        let mut runs: Vec<Run> = Vec::new();
        for c in node.children() {
            let (text, bold, link) = if c.is_element() {
                let el = name(c);
                if el != "b" && el != "a" {
                    return Err(
                        self.err(c, format!("<{el}> is not allowed inside <p>; only text, <b> and <a>"))
                    );
                }
                let link = if el == "a" {
                    self.check_attrs(c, &["href"])?;
                    let Some(link) = self.href(c)? else {
                        return Err(self.err(c, "<a> needs href=\"#id\""));
                    };
                    Some(link)
                } else {
                    self.check_attrs(c, &[])?;
                    None
                };
                let mut t = String::new();
                for g in c.children() {
                    if g.is_element() {
                        return Err(
                            self.err(g, format!("<{}> is not allowed inside <{el}>; only text", name(g)))
                        );
                    }
                    if g.is_text() {
                        t.push_str(g.text().unwrap_or(""));
                    }
                }
                (normalize_ws(&t), el == "b", link)
            } else if c.is_text() {
                (normalize_ws(c.text().unwrap_or("")), false, None)
            } else {
                continue;
            };
            // One space between runs at most; none at the paragraph's start.
            let ends_in_space = runs.last().is_none_or(|r| r.text.ends_with(' '));
            let text = if ends_in_space { text.trim_start_matches(' ').to_string() } else { text };
            if text.is_empty() {
                continue;
            }
            match runs.last_mut() {
                Some(last) if last.bold == bold && last.link == link => last.text.push_str(&text),
                _ => runs.push(Run { text, bold, link }),
            }
        }
        if let Some(last) = runs.last_mut() {
            let trimmed = last.text.trim_end_matches(' ').len();
            last.text.truncate(trimmed);
            if last.text.is_empty() {
                runs.pop();
            }
        }
        Ok(runs)
    }
}

pub(super) fn name<'a>(node: Node<'a, '_>) -> &'a str {
    node.name()
}

/// The first characters of stray text, for an error message.
fn short(s: &str) -> String {
    let s = normalize_ws(s);
    let s = s.trim();
    if s.chars().count() > 30 {
        format!("{}…", s.chars().take(30).collect::<String>())
    } else {
        s.to_string()
    }
}

pub(super) fn choices(attr: Option<&str>) -> Vec<String> {
    attr.map(|a| a.split('|').map(|c| normalize_ws(c).trim().to_string()).filter(|c| !c.is_empty()).collect())
        .unwrap_or_default()
}

/// Whether [`Parser::text`] would give `s` back as it is: no XML whitespace but single spaces
/// between words, nothing to trim at either end.
fn is_collapsed(s: &str) -> bool {
    s.trim().len() == s.len() && !s.contains(['\t', '\n', '\r']) && !s.contains("  ")
}

/// Collapses every run of XML whitespace (space, tab, CR, LF) to one space; keeps no-break spaces.
pub(super) fn normalize_ws(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    collapse_ws_into(s, &mut out, &mut false);
    out
}

/// Appends `s` to `out` with whitespace collapsed, `in_ws` carrying over whether the text
/// before ended in whitespace.
fn collapse_ws_into(s: &str, out: &mut String, in_ws: &mut bool) {
    // Runs without whitespace are copied whole, not character by character.
    let mut rest = s;
    while let Some(at) = rest.find([' ', '\t', '\n', '\r']) {
        if at > 0 {
            out.push_str(&rest[..at]);
            *in_ws = false;
        }
        if !*in_ws {
            out.push(' ');
            *in_ws = true;
        }
        rest = &rest[at + 1..];
    }
    if !rest.is_empty() {
        out.push_str(rest);
        *in_ws = false;
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{block, doc, err};
    use super::*;

    #[test]
    fn document_and_section_attributes() {
        let d = parse(
            r#"<document title="Plan  de cuentas — Ana" lang="es" author="kamplan" subject="2026-10">
                 <section title="Resumen"/>
                 <section title="Cuentas clave" sheet="Cuentas" break="page"><h1>x</h1></section>
               </document>"#,
        )
        .unwrap();
        assert_eq!(d.title, "Plan de cuentas — Ana");
        assert_eq!((d.lang.as_str(), d.author.as_str(), d.subject.as_str()), ("es", "kamplan", "2026-10"));
        assert_eq!(d.sections[0].sheet, "Resumen", "sheet defaults to the title");
        assert_eq!(d.sections[0].page_break, PageBreak::Auto);
        assert_eq!(d.sections[1].sheet, "Cuentas");
        assert_eq!(d.sections[1].page_break, PageBreak::Page);
    }

    #[test]
    fn headings_paragraphs_and_notes() {
        assert_eq!(
            block("<h2>  Cuentas\n   clave </h2>"),
            Block::Heading { level: 2, text: "Cuentas clave".into() }
        );
        assert_eq!(
            block("<p>\n  Ventas de <b>Ferretería  Núñez</b>, con\n <b>41 %</b> del total. </p>"),
            Block::Paragraph(vec![
                Run::text("Ventas de ", false),
                Run::text("Ferretería Núñez", true),
                Run::text(", con ", false),
                Run::text("41 %", true),
                Run::text(" del total.", false),
            ])
        );
        assert_eq!(
            block(r#"<note kind="warning">Llamada   vencida</note>"#),
            Block::Note { kind: NoteKind::Warning, text: "Llamada vencida".into() }
        );
        assert_eq!(block("<note>i</note>"), Block::Note { kind: NoteKind::Info, text: "i".into() });
    }

    #[test]
    fn whitespace_collapses_as_character_by_character() {
        // The reference: the rule as first written, one character at a time.
        let reference = |s: &str| {
            let mut out = String::new();
            let mut in_ws = false;
            for ch in s.chars() {
                let ws = matches!(ch, ' ' | '\t' | '\n' | '\r');
                if !(ws && in_ws) {
                    out.push(if ws { ' ' } else { ch });
                }
                in_ws = ws;
            }
            out
        };
        for s in ["", " ", "a", "  a \t\n b\r\n", "Núñez\u{a0} \u{a0}x  ", "\n\nx\ny\n", "€ 1.234,50"] {
            assert_eq!(normalize_ws(s), reference(s), "{s:?}");
        }
        // Text is trimmed of any Unicode blank at its ends, collapsed across comments.
        assert_eq!(
            block("<h2>\u{a0} Cuentas <!-- c --> \n clave\u{2003}</h2>"),
            Block::Heading { level: 2, text: "Cuentas clave".into() }
        );
    }

    #[test]
    fn comments_are_not_content() {
        let d = doc("<!-- resumen --><p>Hola <!-- nombre --><b>Ana<!-- x --></b></p><ul><!-- c --><li>a<!-- y --></li></ul>").unwrap();
        assert_eq!(
            d.sections[0].blocks,
            vec![
                Block::Paragraph(vec![Run::text("Hola ", false), Run::text("Ana", true)]),
                Block::List { ordered: false, items: vec!["a".into()] },
            ]
        );
    }

    #[test]
    fn escaped_markup_stays_text() {
        let b = block("<p>&lt;script&gt;alert(1)&lt;/script&gt; &amp; =HYPERLINK(\"x\")</p>");
        assert_eq!(
            b,
            Block::Paragraph(vec![Run::text("<script>alert(1)</script> & =HYPERLINK(\"x\")", false)])
        );
        let Block::Table(t) = block(
            r#"<table><thead><tr><th>Cliente</th></tr></thead><tbody><tr><td>&lt;b&gt;x&lt;/b&gt;</td></tr></tbody></table>"#,
        ) else {
            panic!()
        };
        assert_eq!(t.rows[0][0].value.text, "<b>x</b>");
    }

    #[test]
    fn errors_name_the_line() {
        let cases: &[(&str, u32, &str)] = &[
            ("<p>a</p>\n<blink>x</blink>", 2, "unknown element <blink> inside <section>"),
            ("\n\n<p class=\"x\">a</p>", 3, "unknown attribute \"class\" on <p>"),
            ("<p>a <i>b</i></p>", 1, "<i> is not allowed inside <p>"),
            ("\n<kpis><kpi data-value=\"1,5\" data-format=\"money\">x</kpi></kpis>", 2, "kpi data-value \"1,5\" is not a number"),
            ("<kpis><kpi data-value=\"\" data-format=\"int\">x</kpi></kpis>", 1, "is not a number"),
            ("<kpis><kpi data-value=\"1.5\" data-format=\"int\">x</kpi></kpis>", 1, "not a whole number"),
            ("<kpis><kpi data-value=\"31/10/2026\" data-format=\"date\">x</kpi></kpis>", 1, "\"31/10/2026\" is not a date"),
            ("<kpis><kpi data-value=\"1\" data-format=\"euros\">x</kpi></kpis>", 1, "data-format \"euros\""),
            ("<kpis><kpi data-value=\"1\">x</kpi></kpis>", 1, "needs a data-format"),
            ("<table><thead><tr><th>a</th></tr></thead><tbody>\n<tr><td>1</td><td>2</td></tr></tbody></table>", 2, "row has 2 cells, the table has 1 columns"),
            ("<table><tbody><tr><td>1</td></tr></tbody></table>", 1, "before <thead>"),
            ("<note kind=\"danger\">x</note>", 1, "note kind \"danger\""),
            ("<chart><series><pt label=\"a\" value=\"NaN\"/></series></chart>", 1, "pt value \"NaN\""),
            ("<ul>stray<li>a</li></ul>", 1, "text \"stray\" directly inside <ul>"),
        ];
        for (body, line, msg) in cases {
            let e = err(body);
            assert_eq!(e.line, *line, "{body}: {e}");
            assert!(e.to_string().contains(msg), "{body}: {e}");
        }
    }

    #[test]
    fn links_name_section_ids() {
        let d = parse(
            r##"<document title="T">
                 <section title="Cuentas" id="cuentas">
                   <table><thead><tr><th>Cuenta</th></tr></thead>
                     <tbody><tr><td href="#c-1">ACME</td></tr><tr><td>Otra</td></tr></tbody></table>
                 </section>
                 <section title="ACME" id=" c-1 "><p><a href="#cuentas">← Cuentas clave</a> y <b>más</b></p></section>
               </document>"##,
        )
        .unwrap();
        assert_eq!(d.sections[0].id.as_deref(), Some("cuentas"));
        assert_eq!(d.sections[1].id.as_deref(), Some("c-1"), "ids are trimmed");
        assert_eq!(d.section_index("c-1"), Some(1));
        let Block::Table(t) = &d.sections[0].blocks[0] else { panic!() };
        assert_eq!(t.rows[0][0].link.as_deref(), Some("c-1"));
        assert_eq!(t.rows[1][0].link, None);
        let Block::Paragraph(runs) = &d.sections[1].blocks[0] else { panic!() };
        assert_eq!(
            runs,
            &vec![
                Run { text: "← Cuentas clave".into(), bold: false, link: Some("cuentas".into()) },
                Run::text(" y ", false),
                Run::text("más", true),
            ]
        );
    }

    #[test]
    fn a_link_to_nowhere_is_an_error_naming_its_line() {
        let cases: &[(&str, u32, &str)] = &[
            (
                r##"<section title="a"><p>x</p>
<p><a href="#b">b</a></p></section>"##,
                2,
                "link to #b: no section has id \"b\"",
            ),
            (r#"<section title="a"><p><a href="http://x">b</a></p></section>"#, 1, "not an internal link"),
            (r#"<section title="a"><p><a>b</a></p></section>"#, 1, "<a> needs href"),
            (r##"<section title="a"><p><a href="#">b</a></p></section>"##, 1, "not an internal link"),
            (
                r#"<section title="a" id="x"/>
<section title="b" id="x"/>"#,
                2,
                "section id \"x\" is used twice",
            ),
            (r#"<section title="a" id=" "/>"#, 1, "section id is empty"),
            (
                r##"<section title="a" id="a"><p><a href="#a"><b>x</b></a></p></section>"##,
                1,
                "<b> is not allowed inside <a>",
            ),
        ];
        for (body, line, msg) in cases {
            let e = parse(&format!("<document>{body}</document>")).unwrap_err();
            assert_eq!(e.line, *line, "{body}: {e}");
            assert!(e.to_string().contains(msg), "{body}: {e}");
        }
    }

    #[test]
    fn malformed_xml_and_wrong_root_are_errors() {
        let e = parse("<document>\n<section>\n<p>a</section></document>").unwrap_err();
        assert_eq!(e.line, 3);
        assert!(e.message.starts_with("not well-formed XML"), "{e}");
        let e = parse("<html/>").unwrap_err();
        assert!(e.message.contains("root element must be <document>"), "{e}");
        // No DTD, so no entity expansion from a template.
        assert!(parse("<!DOCTYPE d [<!ENTITY x \"y\">]><document/>").is_err());
    }
}
