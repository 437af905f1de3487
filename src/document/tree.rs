//! The XML tree the parser walks: elements with their attributes and text, built by a quick
//! scan of the well-formed XML templates write, or from roxmltree for anything else.
//!
//! roxmltree is the parser of record: it checks everything XML asks and its errors name the
//! line. But building its tree was half the time of parsing a plan, so [`Tree::scan`] first
//! reads the plain subset kamplan's templates produce — elements, attributes, text, the five
//! entities and character references, comments — in one pass, and gives up (`None`) at the first
//! thing outside that subset or anything not well formed: a declaration, a DOCTYPE, CDATA, a
//! processing instruction, a namespace prefix, an unknown entity, a mismatched tag, a control
//! character, nesting past [`super::xhtml::MAX_DEPTH`]. The caller then parses with roxmltree,
//! which accepts or rejects the text with its own message ([`Tree::from_roxmltree`]). Both make
//! the same tree of what they both accept (tested below): text with entities decoded and line
//! ends normalised as XML says, attribute values normalised, comments left out (the text on
//! either side of one stays two text nodes, as in roxmltree).

use std::borrow::Cow;

use super::DocumentError;

const NONE: u32 = u32::MAX;

/// A parsed XML document: its nodes in document order, the root first.
pub(super) struct Tree<'i> {
    nodes: Vec<NodeData<'i>>,
    attrs: Vec<Attr<'i>>,
}

struct NodeData<'i> {
    kind: Kind<'i>,
    /// Byte offset in the text: the `<` of an element, the first character of a text.
    pos: usize,
    parent: u32,
    first_child: u32,
    last_child: u32,
    next_sibling: u32,
}

enum Kind<'i> {
    Root,
    /// The element's name and its attributes (a range of `Tree::attrs`).
    Element {
        name: Cow<'i, str>,
        attrs: (u32, u32),
    },
    Text(Cow<'i, str>),
}

/// An attribute, its value normalised.
#[derive(Debug, PartialEq)]
pub(super) struct Attr<'i> {
    name: Cow<'i, str>,
    value: Cow<'i, str>,
    /// The name has a namespace (`xml:lang`): never one of the vocabulary's.
    namespaced: bool,
}

impl Attr<'_> {
    pub(super) fn name(&self) -> &str {
        &self.name
    }

    pub(super) fn is_namespaced(&self) -> bool {
        self.namespaced
    }
}

/// A node of a [`Tree`].
#[derive(Clone, Copy)]
pub(super) struct Node<'a, 'i> {
    tree: &'a Tree<'i>,
    id: u32,
}

impl<'a, 'i> Node<'a, 'i> {
    fn data(&self) -> &'a NodeData<'i> {
        &self.tree.nodes[self.id as usize]
    }

    fn at(&self, id: u32) -> Option<Node<'a, 'i>> {
        (id != NONE).then_some(Node { tree: self.tree, id })
    }

    /// The element's name (local, without a prefix); empty for text.
    pub(super) fn name(&self) -> &'a str {
        match &self.data().kind {
            Kind::Element { name, .. } => name,
            _ => "",
        }
    }

    pub(super) fn attributes(&self) -> &'a [Attr<'i>] {
        match self.data().kind {
            Kind::Element { attrs: (from, to), .. } => &self.tree.attrs[from as usize..to as usize],
            _ => &[],
        }
    }

    /// The value of the attribute `name` (without a namespace).
    pub(super) fn attribute(&self, name: &str) -> Option<&'a str> {
        self.attributes().iter().find(|a| !a.namespaced && a.name == name).map(|a| &*a.value)
    }

    pub(super) fn is_element(&self) -> bool {
        matches!(self.data().kind, Kind::Element { .. })
    }

    pub(super) fn is_text(&self) -> bool {
        matches!(self.data().kind, Kind::Text(_))
    }

    /// A text node's text.
    pub(super) fn text(&self) -> Option<&'a str> {
        match &self.data().kind {
            Kind::Text(t) => Some(t),
            _ => None,
        }
    }

    /// Where the node starts in the text (a byte offset).
    pub(super) fn pos(&self) -> usize {
        self.data().pos
    }

    pub(super) fn parent_element(&self) -> Option<Node<'a, 'i>> {
        self.at(self.data().parent).filter(|p| p.is_element())
    }

    pub(super) fn children(&self) -> impl Iterator<Item = Node<'a, 'i>> {
        std::iter::successors(self.at(self.data().first_child), |n| n.at(n.data().next_sibling))
    }
}

impl<'i> Tree<'i> {
    fn new(capacity: usize) -> Tree<'i> {
        let mut nodes = Vec::with_capacity(capacity);
        nodes.push(NodeData {
            kind: Kind::Root,
            pos: 0,
            parent: NONE,
            first_child: NONE,
            last_child: NONE,
            next_sibling: NONE,
        });
        Tree { nodes, attrs: Vec::with_capacity(capacity) }
    }

    /// Appends a node as the last child of `parent`, returning its id.
    fn push(&mut self, parent: u32, kind: Kind<'i>, pos: usize) -> u32 {
        let id = self.nodes.len() as u32;
        self.nodes.push(NodeData {
            kind,
            pos,
            parent,
            first_child: NONE,
            last_child: NONE,
            next_sibling: NONE,
        });
        let p = &mut self.nodes[parent as usize];
        let prev = std::mem::replace(&mut p.last_child, id);
        if prev == NONE {
            p.first_child = id;
        } else {
            self.nodes[prev as usize].next_sibling = id;
        }
        id
    }

    /// The document element.
    pub(super) fn root_element(&self) -> Node<'_, 'i> {
        let root = Node { tree: self, id: 0 };
        root.children().find(|n| n.is_element()).expect("a parsed document has a root element")
    }

    /// The same tree from a document roxmltree parsed (comments and processing instructions
    /// left out).
    pub(super) fn from_roxmltree(doc: &roxmltree::Document<'_>) -> Tree<'static> {
        fn add(tree: &mut Tree<'static>, parent: u32, node: roxmltree::Node<'_, '_>) {
            let pos = node.range().start;
            if node.is_text() {
                tree.push(parent, Kind::Text(Cow::Owned(node.text().unwrap_or("").to_string())), pos);
            } else if node.is_element() {
                let from = tree.attrs.len() as u32;
                tree.attrs.extend(node.attributes().map(|a| Attr {
                    name: Cow::Owned(a.name().to_string()),
                    value: Cow::Owned(a.value().to_string()),
                    namespaced: a.namespace().is_some(),
                }));
                let attrs = (from, tree.attrs.len() as u32);
                let name = Cow::Owned(node.tag_name().name().to_string());
                let id = tree.push(parent, Kind::Element { name, attrs }, pos);
                // Depth is bounded (`check_depth` runs before roxmltree), so recursion is too.
                for c in node.children() {
                    add(tree, id, c);
                }
            }
        }
        let mut tree = Tree::new(doc.descendants().len());
        for c in doc.root().children() {
            add(&mut tree, 0, c);
        }
        tree
    }

    /// Reads the plain well-formed XML templates write; `None` for anything else (see the
    /// module's doc), which roxmltree then reads or rejects.
    pub(super) fn scan(xml: &'i str) -> Option<Tree<'i>> {
        // Characters XML forbids, and what the subset leaves to roxmltree wherever it is. The
        // first look is one branch-free pass (vectorised): a control character, or 0xEF, the
        // first byte of U+FEFF, U+FFFE and U+FFFF (and of other characters, looked at next).
        let suspect = xml
            .bytes()
            .fold(false, |acc, b| acc | (b < 0x20 && b != b'\t' && b != b'\n' && b != b'\r') | (b == 0xef));
        let forbidden = |c: char| {
            c < '\u{20}' && !matches!(c, '\t' | '\n' | '\r')
                || matches!(c, '\u{feff}' | '\u{fffe}' | '\u{ffff}')
        };
        if suspect && xml.contains(forbidden) || xml.contains("]]>") {
            return None;
        }
        let mut s = Scanner { xml, b: xml.as_bytes(), i: 0 };
        let mut tree = Tree::new(xml.len() / 16);
        let mut open: Vec<u32> = Vec::with_capacity(super::xhtml::MAX_DEPTH);
        let mut root_done = false;
        while s.i < s.b.len() {
            let parent = open.last().copied().unwrap_or(0);
            if s.b[s.i] != b'<' {
                let start = s.i;
                let end = xml[start..].find('<').map_or(xml.len(), |p| start + p);
                let raw = &xml[start..end];
                s.i = end;
                if open.is_empty() {
                    // Outside the root only blanks.
                    if !raw.bytes().all(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r')) {
                        return None;
                    }
                    continue;
                }
                tree.push(parent, Kind::Text(text(raw)?), start);
            } else if s.eat("<!--") {
                let end = s.i + xml[s.i..].find("-->")?;
                let body = &xml[s.i..end];
                if body.contains("--") || body.ends_with('-') {
                    return None;
                }
                s.i = end + 3;
            } else if s.eat("</") {
                let name = s.name()?;
                s.blanks();
                if !s.eat(">") {
                    return None;
                }
                let id = open.pop()?;
                if tree.nodes[id as usize].element_name() != Some(name) {
                    return None;
                }
                root_done = open.is_empty();
            } else {
                if root_done {
                    return None;
                }
                let start = s.i;
                s.i += 1;
                let name = s.name()?;
                let from = tree.attrs.len();
                let empty = loop {
                    let had_blank = s.blanks();
                    if s.eat("/>") {
                        break true;
                    }
                    if s.eat(">") {
                        break false;
                    }
                    if !had_blank {
                        return None;
                    }
                    let attr = s.attribute()?;
                    if tree.attrs[from..].iter().any(|a| a.name == attr.name) {
                        return None;
                    }
                    tree.attrs.push(attr);
                };
                let attrs = (from as u32, tree.attrs.len() as u32);
                let id = tree.push(parent, Kind::Element { name: Cow::Borrowed(name), attrs }, start);
                if empty {
                    root_done = open.is_empty();
                } else {
                    if open.len() == super::xhtml::MAX_DEPTH {
                        return None;
                    }
                    open.push(id);
                }
            }
        }
        (root_done && open.is_empty()).then_some(tree)
    }
}

impl NodeData<'_> {
    fn element_name(&self) -> Option<&str> {
        match &self.kind {
            Kind::Element { name, .. } => Some(name),
            _ => None,
        }
    }
}

struct Scanner<'i> {
    xml: &'i str,
    b: &'i [u8],
    i: usize,
}

impl<'i> Scanner<'i> {
    fn eat(&mut self, s: &str) -> bool {
        let ok = self.b[self.i..].starts_with(s.as_bytes());
        if ok {
            self.i += s.len();
        }
        ok
    }

    /// Skips blanks, saying whether there were any.
    fn blanks(&mut self) -> bool {
        let start = self.i;
        while self.i < self.b.len() && matches!(self.b[self.i], b' ' | b'\t' | b'\n' | b'\r') {
            self.i += 1;
        }
        self.i > start
    }

    /// An ASCII name without a prefix (`td`, `data-value`); other names are roxmltree's.
    fn name(&mut self) -> Option<&'i str> {
        let start = self.i;
        let first = *self.b.get(self.i)?;
        if !(first.is_ascii_alphabetic() || first == b'_') {
            return None;
        }
        while self.i < self.b.len()
            && matches!(self.b[self.i], b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'_' | b'-' | b'.')
        {
            self.i += 1;
        }
        Some(&self.xml[start..self.i])
    }

    /// `name="value"` (or `'value'`), the value normalised.
    fn attribute(&mut self) -> Option<Attr<'i>> {
        let name = self.name()?;
        if name == "xmlns" {
            return None;
        }
        self.blanks();
        if !self.eat("=") {
            return None;
        }
        self.blanks();
        let quote = *self.b.get(self.i)?;
        if quote != b'"' && quote != b'\'' {
            return None;
        }
        let start = self.i + 1;
        let end = start + self.b[start..].iter().position(|&c| c == quote)?;
        self.i = end + 1;
        let raw = &self.xml[start..end];
        if raw.contains('<') {
            return None;
        }
        Some(Attr { name: Cow::Borrowed(name), value: attr_value(raw)?, namespaced: false })
    }
}

/// Text content: references decoded, line ends made `\n` (`None` when both occur, a case left
/// to roxmltree).
fn text(raw: &str) -> Option<Cow<'_, str>> {
    match (raw.contains('&'), raw.contains('\r')) {
        (false, false) => Some(Cow::Borrowed(raw)),
        (true, false) => decode(raw).map(Cow::Owned),
        (false, true) => Some(Cow::Owned(raw.replace("\r\n", "\n").replace('\r', "\n"))),
        (true, true) => None,
    }
}

/// An attribute value: references decoded, each tab and line end (`\r\n` as one) a space, as
/// XML normalises attributes; a character written as a reference stays itself.
fn attr_value(raw: &str) -> Option<Cow<'_, str>> {
    let blank = |c: char| matches!(c, '\t' | '\n' | '\r');
    match (raw.contains('&'), raw.contains(blank)) {
        (false, false) => Some(Cow::Borrowed(raw)),
        (true, false) => decode(raw).map(Cow::Owned),
        (false, true) => Some(Cow::Owned(raw.replace("\r\n", " ").replace(blank, " "))),
        (true, true) => None,
    }
}

/// Decodes the five entities and character references; `None` for any other `&`.
fn decode(raw: &str) -> Option<String> {
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        let semi = after.find(';')?;
        let name = &after[..semi];
        let c = match name {
            "lt" => '<',
            "gt" => '>',
            "amp" => '&',
            "quot" => '"',
            "apos" => '\'',
            _ => char_ref(name)?,
        };
        out.push(c);
        rest = &after[semi + 1..];
    }
    out.push_str(rest);
    Some(out)
}

/// `#160` or `#xA0` as a character XML allows.
fn char_ref(name: &str) -> Option<char> {
    let digits = name.strip_prefix('#')?;
    let (digits, radix) = match digits.strip_prefix('x') {
        Some(hex) => (hex, 16),
        None => (digits, 10),
    };
    if digits.is_empty() || !digits.bytes().all(|b| (b as char).is_digit(radix)) {
        return None;
    }
    let c = char::from_u32(u32::from_str_radix(digits, radix).ok()?)?;
    let xml_char =
        matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}' | '\u{10000}'..);
    xml_char.then_some(c)
}

/// Fails when elements nest deeper than `most`, scanning the text once (comments, CDATA,
/// processing instructions and quoted attribute values skipped; well-formedness is roxmltree's, which this guards: it reads nested elements recursively).
pub(super) fn check_depth(xml: &str, most: usize) -> Result<(), DocumentError> {
    let b = xml.as_bytes();
    let (mut i, mut depth) = (0, 0usize);
    let skip_to = |from: usize, end: &[u8]| -> usize {
        b[from..].windows(end.len()).position(|w| w == end).map_or(b.len(), |p| from + p + end.len())
    };
    while i < b.len() {
        match b[i] {
            b'<' if b[i + 1..].starts_with(b"!--") => i = skip_to(i, b"-->"),
            b'<' if b[i + 1..].starts_with(b"![CDATA[") => i = skip_to(i, b"]]>"),
            b'<' if matches!(b.get(i + 1), Some(b'?' | b'!')) => i = skip_to(i, b">"),
            b'<' if b.get(i + 1) == Some(&b'/') => {
                depth = depth.saturating_sub(1);
                i = skip_to(i, b">");
            }
            b'<' => {
                // An element: find its end outside quoted values; `/>` closes it at once.
                let mut j = i + 1;
                let mut quote = None;
                while j < b.len() {
                    match (b[j], quote) {
                        (q @ (b'"' | b'\''), None) => quote = Some(q),
                        (c, Some(q)) if c == q => quote = None,
                        (b'>', None) => break,
                        _ => {}
                    }
                    j += 1;
                }
                if b.get(j.wrapping_sub(1)) != Some(&b'/') {
                    depth += 1;
                    if depth > most {
                        let line = xml[..i].matches('\n').count() as u32 + 1;
                        return Err(DocumentError {
                            line,
                            message: format!("elements nest deeper than {most} levels"),
                        });
                    }
                }
                i = j + 1;
            }
            _ => i += 1,
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
