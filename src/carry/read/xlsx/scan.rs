//! The tag scanner of [`super`]: a sheet's XML is regular enough that finding its tags by hand
//! (`<row>`, `<c>`, `<v>`, their ends and a few attributes) costs less than a full XML reader's
//! event, attribute checks and allocations per cell, which cost more than the cells' text.

use std::borrow::Cow;

use crate::ingest::xlsx::{ref_col, unescape_x};

/// Finds whether a passed-over row holds a value element (`<v>`, `<is>`, with the prefix the
/// rows are written with) by searching for its start tag alone.
#[derive(Default)]
pub(super) struct Values {
    /// The row element's name the finders were made for, and a finder of each start tag.
    row: Vec<u8>,
    finders: Vec<memchr::memmem::Finder<'static>>,
}

impl Values {
    pub(super) fn has_value(&mut self, inner: &[u8], row: &[u8]) -> bool {
        if self.finders.is_empty() || self.row != row {
            let prefix = row.iter().rposition(|c| *c == b':').map_or(&row[..0], |i| &row[..=i]);
            self.row = row.to_vec();
            self.finders = [&b"v"[..], b"is"]
                .iter()
                .map(|n| memchr::memmem::Finder::new(&[b"<", prefix, n].concat()).into_owned())
                .collect();
        }
        self.finders.iter().any(|f| {
            // The name must end there: `<v>`, `<v xml:space=…>`, not `<vm…`.
            f.find_iter(inner)
                .any(|i| matches!(inner.get(i + f.needle().len()), Some(b'>' | b' ' | b'\t' | b'\r' | b'\n')))
        })
    }
}

/// The column of a passed-over row's first cell that holds a value (`<v>`, `<is>`), found
/// by its tags alone; `None` for a row of blank cells.
pub(super) fn first_value_col(inner: &[u8]) -> Option<u32> {
    let mut col: Option<u32> = None;
    let mut pos = 0;
    while let Some((at, tag)) = next_tag(inner, pos) {
        let tag = tag?;
        pos = at + tag.len;
        match tag.local() {
            b"c" if !tag.closing => {
                col = Some(match tag.attr(b"r") {
                    Some(v) => ref_col(std::str::from_utf8(v).ok()?)?,
                    None => col.map_or(0, |c| c + 1),
                })
            }
            b"v" | b"is" if !tag.closing && !tag.empty => return col,
            _ => {}
        }
    }
    None
}

/// The text of a string that is one plain `<t>` (most are): no entities, no line ends, no
/// runs — read without an XML reader, by the same rules as [`super::rich_text`].
pub(super) fn plain_text(content: &[u8]) -> Option<String> {
    let content = content.trim_ascii();
    let tag = Tag::at(content)?;
    if tag.closing || tag.local() != b"t" {
        return None;
    }
    if tag.empty {
        return (tag.len == content.len()).then(String::new);
    }
    let rest = &content[tag.len..];
    let end = memchr::memchr(b'<', rest)?;
    let close = Tag::at(&rest[end..])?;
    if !close.closing || close.name != tag.name || end + close.len != rest.len() {
        return None;
    }
    let text = std::str::from_utf8(&rest[..end]).ok()?;
    if text.contains(['&', '\r']) {
        return None;
    }
    let preserve = tag.attr(b"space") == Some(b"preserve");
    let v = if preserve { text } else { text.trim_matches([' ', '\t', '\r', '\n']) };
    Some(unescape_x(v).into_owned())
}

pub(super) fn utf8(v: Option<&[u8]>) -> Option<&str> {
    v.and_then(|v| std::str::from_utf8(v).ok())
}

/// A text's content as XML gives it: entities resolved, line ends normalized.
pub(super) fn text_content(raw: &str) -> Result<Cow<'_, str>, String> {
    let t = if raw.contains('&') {
        Cow::Owned(quick_xml::escape::unescape(raw).map_err(|e| e.to_string())?.into_owned())
    } else {
        Cow::Borrowed(raw)
    };
    Ok(if t.contains('\r') { Cow::Owned(t.replace("\r\n", "\n").replace('\r', "\n")) } else { t })
}

/// The next tag at or after `from` in `xml`: where its `<` is, and the tag (`None` when it is
/// not closed). Every loop of the scanner walks its XML with this.
pub(super) fn next_tag(xml: &[u8], from: usize) -> Option<(usize, Option<Tag<'_>>)> {
    let at = from + memchr::memchr(b'<', xml.get(from..)?)?;
    Some((at, Tag::at(&xml[at..])))
}

/// One tag found by hand in a sheet's XML, which is regular enough that a full XML reader
/// (an event, attribute checks and allocations per cell) costs more than the cells' text.
pub(super) struct Tag<'x> {
    /// Qualified name (`c`, `x:c`).
    pub(super) name: &'x [u8],
    attrs: &'x [u8],
    pub(super) closing: bool,
    /// `<… />`.
    pub(super) empty: bool,
    /// Bytes up to and including `>`.
    pub(super) len: usize,
}

impl<'x> Tag<'x> {
    /// The tag at `b[0] == b'<'`; comments and processing instructions come back nameless.
    pub(super) fn at(b: &'x [u8]) -> Option<Tag<'x>> {
        let closing = b.get(1) == Some(&b'/');
        let start = if closing { 2 } else { 1 };
        // The first `>` outside a quoted attribute value.
        let mut i = start;
        let end = loop {
            let j = i + memchr::memchr3(b'>', b'"', b'\'', b.get(i..)?)?;
            match b[j] {
                b'>' => break j,
                q => i = j + 1 + memchr::memchr(q, b.get(j + 1..)?)? + 1,
            }
        };
        let body = &b[start..end];
        let empty = body.last() == Some(&b'/');
        let body = if empty { &body[..body.len() - 1] } else { body };
        let n = body.iter().position(|c| c.is_ascii_whitespace()).unwrap_or(body.len());
        Some(Tag { name: &body[..n], attrs: &body[n..], closing, empty, len: end + 1 })
    }

    pub(super) fn local(&self) -> &'x [u8] {
        self.name.rsplit(|c| *c == b':').next().unwrap_or(self.name)
    }

    /// An attribute's raw value by local name (`r`, `s`, `t` hold no entities).
    pub(super) fn attr(&self, local: &[u8]) -> Option<&'x [u8]> {
        let [v] = self.attrs([local]);
        v
    }

    /// The raw values of several attributes by local name, in one pass over the tag.
    pub(super) fn attrs<const N: usize>(&self, locals: [&[u8]; N]) -> [Option<&'x [u8]>; N] {
        let mut out = [None; N];
        let mut rest = self.attrs;
        while let Some(i) = rest.iter().position(|c| !c.is_ascii_whitespace()) {
            rest = &rest[i..];
            let Some(eq) = rest.iter().position(|c| *c == b'=') else { break };
            let name = rest[..eq].trim_ascii();
            let after = rest[eq + 1..].trim_ascii_start();
            let Some(&q) = after.first() else { break };
            let Some(close) = after[1..].iter().position(|c| *c == q) else { break };
            let local = name.rsplit(|c| *c == b':').next().unwrap_or(name);
            if let Some(k) = locals.iter().position(|l| *l == local) {
                out[k].get_or_insert(&after[1..1 + close]);
            }
            rest = &after[close + 2..];
        }
        out
    }
}

/// Finders of end tags (`</row>`, `</c>`, `</v>`), built once per name.
#[derive(Default)]
pub(super) struct Ends(Vec<(Vec<u8>, memchr::memmem::Finder<'static>)>);

impl Ends {
    /// Where the end tag of `name` starts in `b`.
    pub(super) fn find(&mut self, name: &[u8], b: &[u8]) -> Option<usize> {
        let i = match self.0.iter().position(|(n, _)| n == name) {
            Some(i) => i,
            None => {
                let tag = [b"</", name, b">"].concat();
                self.0.push((name.to_vec(), memchr::memmem::Finder::new(&tag).into_owned()));
                self.0.len() - 1
            }
        };
        self.0[i].1.find(b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_tag_walks_the_tags_and_says_which_is_not_closed() {
        let xml = b"a<row r=\"3\"><c/></row><v";
        let mut pos = 0;
        let mut seen = Vec::new();
        while let Some((at, tag)) = next_tag(xml, pos) {
            let Some(tag) = tag else {
                seen.push((at, "unclosed".to_string()));
                break;
            };
            seen.push((
                at,
                format!("{}{}", if tag.closing { "/" } else { "" }, String::from_utf8_lossy(tag.name)),
            ));
            pos = at + tag.len;
        }
        let want = [(1, "row"), (12, "c"), (16, "/row"), (22, "unclosed")];
        assert_eq!(seen, want.map(|(a, n)| (a, n.to_string())));
        assert!(next_tag(b"no tags", 0).is_none() && next_tag(b"<a>", 9).is_none());
    }

    #[test]
    fn tags_are_found_with_their_names_and_attributes() {
        let t = Tag::at(br#"<c r="B12" s="3" t="s"><v>4</v></c>"#).unwrap();
        assert_eq!((t.name, t.local(), t.closing, t.empty, t.len), (&b"c"[..], &b"c"[..], false, false, 23));
        assert_eq!(t.attrs([b"r", b"s", b"t"]), [Some(&b"B12"[..]), Some(&b"3"[..]), Some(&b"s"[..])]);
        let t = Tag::at(br#"<x:row r="5" x14ac:dyDescent="0.25"/>"#).unwrap();
        assert_eq!(
            (t.local(), t.empty, t.attr(b"r"), t.attr(b"dyDescent")),
            (&b"row"[..], true, Some(&b"5"[..]), Some(&b"0.25"[..]))
        );
        let t = Tag::at(b"</x:row>").unwrap();
        assert!(t.closing && t.local() == b"row");
        // A `>` inside a quoted value does not end the tag.
        let t = Tag::at(br#"<c r="A1" note='a>b'>"#).unwrap();
        assert_eq!(t.attr(b"note"), Some(&b"a>b"[..]));
        assert!(Tag::at(br#"<c r="A1"#).is_none(), "an unclosed tag");
    }

    #[test]
    fn plain_strings_read_as_the_xml_reader_reads_them() {
        for content in [
            &b"<t>Hecha</t>"[..],
            b"<t>  con espacios  </t>",
            br#"<t xml:space="preserve">  con espacios  </t>"#,
            b"<t>Carriage_x000D_return</t>",
            b"<t/>",
            "<t>Ñandú €</t>".as_bytes(),
        ] {
            let mut slow = String::new();
            super::super::rich_text(&mut super::super::reader(content), &mut slow).unwrap();
            assert_eq!(
                plain_text(content).as_deref(),
                Some(slow.as_str()),
                "{}",
                String::from_utf8_lossy(content)
            );
        }
        // Runs, entities and line ends are left to the XML reader.
        for content in [&b"<r><t>a</t></r><r><t>b</t></r>"[..], b"<t>A &amp; B</t>", b"<t>a\r\nb</t>"] {
            assert_eq!(plain_text(content), None, "{}", String::from_utf8_lossy(content));
        }
    }

    #[test]
    fn a_row_holds_a_value_when_a_cell_has_one() {
        let mut v = Values::default();
        assert!(v.has_value(br#"<c r="A1" s="2"/><c r="B1" t="s"><v>3</v></c>"#, b"row"));
        assert!(v.has_value(br#"<c r="A1" t="inlineStr"><is><t>x</t></is></c>"#, b"row"));
        assert!(!v.has_value(br#"<c r="A1" s="2"/><c r="B1" s="4"/>"#, b"row"), "formatted blanks");
        assert!(v.has_value(br#"<x:c r="A1"><x:v>1</x:v></x:c>"#, b"x:row"));
        assert!(!v.has_value(br#"<c r="A1" vm="1"/>"#, b"row"));
        assert_eq!(first_value_col(br#"<c r="A1" s="2"/><c r="C1"><v>1</v></c>"#), Some(2));
    }
}
