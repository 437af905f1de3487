//! The quick scan against roxmltree: the same tree wherever the scan reads the text, and a
//! hand-over (`None`) wherever roxmltree would refuse it.

use super::*;

/// The tree in words: one line per node, with its depth, position, name, attributes and text.
fn dump(tree: &Tree<'_>) -> Vec<String> {
    fn walk(n: Node<'_, '_>, depth: usize, out: &mut Vec<String>) {
        let attrs: Vec<_> = n.attributes().iter().map(|a| (&*a.name, &*a.value, a.namespaced)).collect();
        out.push(format!("{depth} @{} <{}> {attrs:?} {:?}", n.pos(), n.name(), n.text()));
        for c in n.children() {
            walk(c, depth + 1, out);
        }
    }
    let mut out = Vec::new();
    walk(Node { tree, id: 0 }, 0, &mut out);
    out
}

fn roxml(xml: &str) -> Option<Vec<String>> {
    roxmltree::Document::parse(xml).ok().map(|d| dump(&Tree::from_roxmltree(&d)))
}

/// Either the scan hands the text over, or it reads what roxmltree reads; returns whether it read.
fn agrees(xml: &str) -> bool {
    match Tree::scan(xml) {
        None => false,
        Some(t) => {
            assert_eq!(Some(dump(&t)), roxml(xml), "{xml:?}");
            true
        }
    }
}

#[test]
fn the_scan_reads_the_plain_subset_as_roxmltree_does() {
    let read = [
        "<d/>",
        "<d></d>",
        "\n <!-- c --> <d a=\"1\" b='2'>x</d>\n<!-- after -->\n",
        "<d><p>a <b>b</b> c</p><p/>\n  <q  x = \"1\"\t/></d>",
        "<d>&lt;b&gt; &amp; &quot;x&quot; &apos;y&apos; &#160;&#xA0;&#10;&#9;</d>",
        "<d t=\"a&amp;b &lt;c&gt; &#10;&#9;x\"/>",
        "<d t=\"a\tb\nc\r\nd\re\"/>",
        "<d>a\r\nb\rc\r</d>",
        "<d>a<!-- c -->b<!---->c</d>",
        "<d>\u{e9}\u{20ac} \u{1f600} > ]] </d>",
        "<d data-value=\"1.5\" data-x_y.z=\"\"/>",
        "<d>\n<e>\n</e></d>\n\n",
        "<d a=\"x>y\" b='say \"hi\"' c=\"it's\"/>",
    ];
    for xml in read {
        assert!(agrees(xml), "the scan should read {xml:?}");
    }
}

#[test]
fn the_scan_hands_over_what_is_not_plain_or_not_well_formed() {
    let handed_over = [
        // Beyond the subset, though XML: roxmltree reads these.
        "<?xml version=\"1.0\"?><d/>",
        "\u{feff}<d/>",
        "<d><![CDATA[x]]></d>",
        "<d><?pi x?></d>",
        "<x:d xmlns:x=\"u\"/>",
        "<d xmlns=\"u\"/>",
        "<d xml:lang=\"es\"/>",
        "<d>a&amp;\r\nb</d>",
        "<d t=\"&amp;\t\"/>",
        "<d>&#xD800;</d>",
        "<\u{e9}/>",
        // Not well formed: roxmltree's message says why.
        "",
        "  ",
        "<d>",
        "<d></e>",
        "<d></d><e/>",
        "<d/>x",
        "x<d/>",
        "</d>",
        "<d a=\"1\" a=\"2\"/>",
        "<d a=\"1\"b=\"2\"/>",
        "<d a=1/>",
        "<d a=\"<\"/>",
        "<d a=\"1/>",
        "<d>&nbsp;</d>",
        "<d>&#0;</d>",
        "<d>&#x;</d>",
        "<d>& b</d>",
        "<d>\u{1}</d>",
        "<d>]]></d>",
        "<d><!-- a -- b --></d>",
        "<d><!-- a ---></d>",
        "<d><!-- a </d>",
        "<!DOCTYPE d [<!ENTITY x \"y\">]><d>&x;</d>",
        "<d><e></d></e>",
        "<1d/>",
        "< d/>",
        "<d/ >",
    ];
    for xml in handed_over {
        assert!(!agrees(xml), "the scan should hand {xml:?} to roxmltree");
    }
}

#[test]
fn nesting_past_the_limit_is_handed_over() {
    let n = crate::document::xhtml::MAX_DEPTH;
    let deep = |levels: usize| format!("{}{}", "<d>".repeat(levels), "</d>".repeat(levels));
    assert!(agrees(&deep(n)));
    assert!(Tree::scan(&deep(n + 1)).is_none());
}

#[test]
fn the_scan_reads_the_templates_output_as_roxmltree_does() {
    for code in ["es", "en"] {
        let lang = crate::lang::Lang::load(code, "€", None).unwrap();
        let plans = crate::plan::fixtures::build_with(&crate::plan::fixtures::classification(), &lang);
        let (t, _) = crate::templating::Templates::load(None, &lang).unwrap();
        let mut docs: Vec<String> = plans.kams.iter().map(|k| t.render_plan(k).unwrap()).collect();
        docs.push(t.render_summary(&plans.summary).unwrap());
        for xml in &docs {
            assert!(agrees(xml), "{code}: the scan handed a template's output to roxmltree");
            // The documents too, field by field (as text: a chart's gap is a NaN, never equal).
            let quick = format!("{:?}", crate::document::parse(xml).unwrap());
            let slow = format!("{:?}", crate::document::xhtml::parse_with_roxmltree(xml).unwrap());
            assert_eq!(quick, slow, "{code}");
        }
    }
}
