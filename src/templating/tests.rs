//! Tests of the templating stage: the embedded templates' output in both languages (well-formed,
//! every part present, hostile text kept as text, snapshots), the user's overrides and errors.

use super::*;
use crate::plan::fixtures::{self, HOSTILE};
use crate::plan::Plans;

fn lang(code: &str) -> Lang {
    Lang::load(code, "€", None).unwrap()
}

fn plans(l: &Lang) -> Plans {
    fixtures::build_with(&fixtures::classification(), l)
}

fn render_all(code: &str) -> (String, String) {
    let l = lang(code);
    let (t, warnings) = Templates::load(None, &l).unwrap();
    assert!(warnings.is_empty());
    let p = plans(&l);
    (t.render_plan(&p.kams[0]).unwrap(), t.render_summary(&p.summary).unwrap())
}

fn parse(xml: &str) -> roxmltree::Document<'_> {
    roxmltree::Document::parse(xml).unwrap_or_else(|e| panic!("not well-formed: {e}\n{xml}"))
}

fn texts<'a>(doc: &'a roxmltree::Document<'a>, tag: &str) -> Vec<String> {
    doc.descendants()
        .filter(|n| n.has_tag_name(tag))
        .map(|n| n.descendants().filter(|t| t.is_text()).filter_map(|t| t.text()).collect::<String>())
        .collect()
}

/// A missing message shows as its key (`plan.cover.x`); a missing value as `{name}`.
fn leaks_a_key(text: &str) -> bool {
    text.contains('{')
        || text.split_whitespace().any(|w| {
            (w.starts_with("plan.") || w.starts_with("summary.") || w.starts_with("reason."))
                && w.len() > 6
                && w.chars().nth(w.find('.').unwrap() + 1).is_some_and(|c| c.is_ascii_lowercase())
        })
}

fn count(doc: &roxmltree::Document<'_>, tag: &str) -> usize {
    doc.descendants().filter(|n| n.has_tag_name(tag)).count()
}

#[test]
fn plan_is_well_formed_with_every_part_in_both_languages() {
    let cases = [
        (
            "es",
            [
                "Plan de reuniones",
                "Identificar a quién decide",
                "Mapa de decisores",
                "Seguimiento",
                "Riesgos",
            ],
        ),
        ("en", ["Meeting plan", "Identify the decision makers", "Decision-maker map", "Follow-up", "Risks"]),
    ];
    for (code, labels) in cases {
        let (plan, _) = render_all(code);
        let doc = parse(&plan);
        let root = doc.root_element();
        assert_eq!(root.tag_name().name(), "document");
        // The locale tag: the renderers write number and date cells by it.
        assert_eq!(root.attribute("lang"), Some(if code == "es" { "es-ES" } else { "en-GB" }));
        // Cover, key-accounts table, agenda, one section per key account (Ana has two).
        assert_eq!(root.children().filter(|n| n.has_tag_name("section")).count(), 5);
        for tag in [
            "h1", "h2", "p", "kpis", "kpi", "table", "thead", "tbody", "tfoot", "chart", "series", "pt",
            "ul", "li", "note",
        ] {
            assert!(count(&doc, tag) > 0, "{code}: no <{tag}>");
        }
        // Every account section has its four KAM-owned areas, each under the line that
        // says so, marked with the account's code for the reader of returned plans.
        for area in ["strategy", "meetings", "contacts", "decision_makers"] {
            let marked: Vec<_> = doc
                .descendants()
                .filter(|n| n.has_tag_name("table") && n.attribute("area") == Some(area))
                .map(|n| n.attribute("account").unwrap_or(""))
                .collect();
            assert_eq!(marked, ["C001", "C002"], "{code}: {area}");
        }
        // The workbook says it above each area; the printed plan once per account.
        let kam_notes = |medium: &str| {
            doc.descendants()
                .filter(|n| n.attribute("kind") == Some("kam"))
                .filter(|n| n.attribute("only").is_none_or(|m| m == medium))
                .count()
        };
        assert_eq!(kam_notes("xlsx"), 8, "{code}: one fill-in line per area");
        assert_eq!(kam_notes("pdf"), 2, "{code}: one fill-in line per account");
        let all: String = doc.descendants().filter(|n| n.is_text()).filter_map(|n| n.text()).collect();
        for l in labels {
            assert!(all.contains(l), "{code}: missing {l:?}");
        }
        assert!(!leaks_a_key(&all), "{code}: a label key or placeholder leaked");
        // The third meeting of Acme is next: its row in the meeting table is highlighted.
        let highlighted: Vec<_> = doc
            .descendants()
            .filter(|n| {
                n.has_tag_name("table") && n.attribute("name").is_some_and(|t| t.starts_with("reuniones"))
            })
            .flat_map(|t| t.descendants())
            .filter(|n| {
                n.has_tag_name("tr") && n.children().any(|c| c.attribute("highlight") == Some("true"))
            })
            .collect();
        assert_eq!(highlighted.len(), 2, "one next meeting per account");
        let status = doc
            .descendants()
            .find(|n| n.has_tag_name("th") && n.attribute("data-choices").is_some())
            .unwrap();
        let want = if code == "es" {
            "Pendiente|Planificada|Hecha|Aplazada|Sin acuerdo|Cancelada"
        } else {
            "Pending|Planned|Done|Postponed|No decision|Cancelled"
        };
        assert_eq!(status.attribute("data-choices"), Some(want));
    }
}

#[test]
fn a_monthly_book_says_products_are_not_available_instead_of_an_empty_table() {
    for (code, want) in
        [("es", "No disponible en un libro mensual"), ("en", "Not available in a monthly book")]
    {
        let l = lang(code);
        let (t, _) = Templates::load(None, &l).unwrap();
        let mut c = fixtures::classification();
        for a in &mut c.accounts {
            a.top_products.clear();
            a.monthly_book = true;
        }
        let p = fixtures::build_with(&c, &l);
        let xml = t.render_plan(&p.kams[0]).unwrap();
        let doc = parse(&xml);
        let notes = texts(&doc, "p").into_iter().filter(|p| p.starts_with(want)).count();
        assert_eq!(notes, p.kams[0].accounts.len(), "{code}: one note per account");
        let tables: Vec<_> = doc
            .descendants()
            .filter(|n| {
                n.has_tag_name("table") && n.attribute("name").is_some_and(|x| x.starts_with("productos"))
            })
            .collect();
        assert!(tables.is_empty(), "{code}: no empty product tables");
        // Invoice lines without a product column: no note, no table.
        for a in &mut c.accounts {
            a.monthly_book = false;
        }
        let p = fixtures::build_with(&c, &l);
        assert!(!t.render_plan(&p.kams[0]).unwrap().contains(want), "{code}");
    }
}

/// The meaning of a plan, not its bytes: the document model both renderers draw from.
/// A change here is a change in what every KAM reads; review the snapshot diff.
#[test]
fn plan_and_summary_document_models_snapshot() {
    let (plan, summary) = render_all("es");
    let doc = crate::document::parse(&plan).expect("default plan template parses");
    insta::assert_json_snapshot!("plan_document_es", doc);
    let doc = crate::document::parse(&summary).expect("default summary template parses");
    insta::assert_json_snapshot!("summary_document_es", doc);
}

#[test]
fn typed_values_are_plain_numbers_and_iso_dates() {
    for code in ["es", "en"] {
        let (plan, summary) = render_all(code);
        for xml in [&plan, &summary] {
            let doc = parse(xml);
            let mut seen = 0;
            for n in doc.descendants() {
                for (attr, v) in [("data-value", n.attribute("data-value")), ("value", n.attribute("value"))]
                {
                    let Some(v) = v else { continue };
                    seen += 1;
                    let number = !v.contains(['e', 'E', ',']) && v.parse::<f64>().is_ok_and(f64::is_finite);
                    let date = chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d").is_ok();
                    // A chart point may be empty: a gap (a month without sales or target).
                    let gap = attr == "value" && v.is_empty() && n.tag_name().name() == "pt";
                    assert!(number || date || gap, "{code}: {attr}={v:?}");
                }
            }
            assert!(seen > 20);
        }
    }
    let (plan, _) = render_all("es");
    assert!(
        plan.contains(r#"data-value="500000" data-format="money">500.000,00 €<"#)
            || plan.contains("data-value=\"500000\">500.000,00\u{a0}€<")
    );
    let (plan, _) = render_all("en");
    assert!(plan.contains("data-value=\"500000\">€500,000.00<"), "en money");
    assert!(plan.contains("data-value=\"2026-10-20\">20/10/2026<"), "en date (en-GB)");
}

#[test]
fn hostile_names_stay_text() {
    let l = lang("es");
    let mut c = fixtures::classification();
    let kam = "Ana <i>&amp;</i> \"Jefa\"";
    for a in &mut c.accounts {
        if a.kam == "Ana Pérez" {
            a.kam = kam.into();
        }
    }
    for k in &mut c.kams {
        if k.name == "Ana Pérez" {
            k.name = kam.into();
        }
    }
    let p = fixtures::build_with(&c, &l);
    let (t, _) = Templates::load(None, &l).unwrap();
    let ana = p.kams.iter().find(|k| k.kam == kam).unwrap();
    for xml in [t.render_plan(ana).unwrap(), t.render_summary(&p.summary).unwrap()] {
        let doc = parse(&xml);
        for tag in ["script", "b", "i"] {
            let inside_cells = doc
                .descendants()
                .filter(|n| n.has_tag_name(tag))
                .filter(|n| n.ancestors().any(|a| a.has_tag_name("td") || a.has_tag_name("h2")))
                .count();
            assert_eq!(inside_cells, 0, "<{tag}> from data became markup");
        }
        let cells = texts(&doc, "td");
        assert!(cells.iter().any(|c| c == HOSTILE), "hostile customer name not kept as text");
        assert!(cells.iter().any(|c| c == kam) || texts(&doc, "h2").iter().any(|h| h.starts_with(kam)));
    }
    let plan = t.render_plan(ana).unwrap();
    let doc = parse(&plan);
    assert!(doc.root_element().attribute("title").unwrap().contains(kam));
    assert!(doc.descendants().any(|n| n.has_tag_name("section") && n.attribute("title") == Some(HOSTILE)));
    // A formula-looking note is still the same text.
    assert!(texts(&doc, "td").iter().any(|c| c == "=HYPERLINK(\"x\")"));
}

#[test]
fn summary_is_well_formed_with_pareto_and_handover() {
    for (code, labels) in [
        (
            "es",
            [
                "Resumen de dirección",
                "Concentración de las ventas",
                "Carga de trabajo por KAM",
                "Entrega de planes",
            ],
        ),
        ("en", ["Management summary", "Sales concentration", "Workload by KAM", "Plan hand-over"]),
    ] {
        let l = lang(code);
        let (t, _) = Templates::load(None, &l).unwrap();
        let mut p = plans(&l);
        for h in &mut p.summary.handover {
            h.pdf = format!("{}/Plan {}.pdf", h.kam, h.kam);
            h.xlsx = format!("{}/Plan {}.xlsx", h.kam, h.kam);
        }
        let xml = t.render_summary(&p.summary).unwrap();
        let doc = parse(&xml);
        // The first chart is the curve over every customer with the ABC bands and the 80 %
        // line; the next, the largest accounts as bars, with no bar for the rest.
        let charts: Vec<_> = doc.descendants().filter(|n| n.has_tag_name("chart")).collect();
        let curve = charts[0];
        assert_eq!(curve.attribute("kind"), Some("line"));
        let pts = |c: roxmltree::Node| c.descendants().filter(|n| n.has_tag_name("pt")).count();
        assert_eq!(pts(curve), p.summary.active_accounts as usize);
        let bands: Vec<_> = curve.children().filter(|n| n.has_tag_name("band")).collect();
        assert_eq!(bands.first().and_then(|b| b.attribute("from")), Some("1"));
        let rule = curve.children().find(|n| n.has_tag_name("rule")).unwrap();
        assert_eq!(rule.attribute("value"), Some("0.8"));
        let bars = charts[1];
        assert_eq!(bars.attribute("kind"), Some("bar"));
        assert_eq!(pts(bars), 5);
        // The workload chart: sales and key accounts by KAM.
        assert!(charts.iter().any(|c| c.children().filter(|n| n.has_tag_name("series")).count() == 2
            && pts(*c) == 2 * p.summary.kams.len()));
        let all: String = doc.descendants().filter(|n| n.is_text()).filter_map(|n| n.text()).collect();
        for label in labels {
            assert!(all.contains(label), "{code}: missing {label:?}");
        }
        assert!(texts(&doc, "td").iter().any(|c| c == "Bruno Díaz/Plan Bruno Díaz.pdf"));
        assert!(!leaks_a_key(&all), "{code}: a label key or placeholder leaked");
    }
}

#[test]
fn a_user_template_replaces_the_default_by_name() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join(PLAN),
        "<document title=\"mine\"><section title=\"x\"><p>{{ plan.kam }} {{ plan.sales | money }} {{ labels.plan.title }}</p></section></document>",
    )
    .unwrap();
    std::fs::create_dir(dir.path().join("i18n")).unwrap();
    std::fs::write(dir.path().join("kamplan.toml"), "").unwrap();
    let l = lang("es");
    let (t, warnings) = Templates::load(Some(dir.path()), &l).unwrap();
    assert!(warnings.is_empty(), "{warnings:?}");
    let p = plans(&l);
    let out = t.render_plan(&p.kams[0]).unwrap();
    assert!(out.contains("Ana Pérez 700.000,00\u{a0}€ Plan de cuentas clave"), "{out}");
    // The summary keeps the default.
    assert!(t.render_summary(&p.summary).unwrap().contains("Resumen de dirección"));
}

#[test]
fn a_missing_template_folder_is_an_error() {
    let err = Templates::load(Some(Path::new("/no/such/kamplan/templates")), &lang("es")).unwrap_err();
    assert!(matches!(err, TemplateError::MissingDir(_)));
    assert_eq!(err.to_string(), "template folder /no/such/kamplan/templates does not exist");
}

#[test]
fn an_unknown_file_is_a_warning_with_a_hint() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("plan.xhtml.tear"), "x").unwrap();
    let (_, warnings) = Templates::load(Some(dir.path()), &lang("es")).unwrap();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].contains("plan.xhtml.tear matches no template"), "{}", warnings[0]);
    assert!(warnings[0].contains("did you mean plan.xhtml.tera"), "{}", warnings[0]);
}

#[test]
fn template_errors_name_the_template_and_line() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join(PLAN),
        "<document>\n<p>ok</p>\n<p>{{ plan.sales | mony }}</p>\n</document>",
    )
    .unwrap();
    let err = Templates::load(Some(dir.path()), &lang("es")).unwrap_err();
    match &err {
        TemplateError::Template { template, line, .. } => {
            assert_eq!(template, PLAN);
            assert_eq!(*line, Some(3), "{err}");
        }
        other => panic!("{other:?}"),
    }
    assert!(err.to_string().contains("mony"), "{err}");

    // An error while rendering: a filter given text where it needs a number.
    std::fs::write(dir.path().join(PLAN), "<document>\n\n<p>{{ plan.kam | money }}</p></document>").unwrap();
    let l = lang("es");
    let (t, _) = Templates::load(Some(dir.path()), &l).unwrap();
    let err = t.render_plan(&plans(&l).kams[0]).unwrap_err();
    let msg = err.to_string();
    assert!(msg.starts_with("template plan.xhtml.tera line 3"), "{msg}");
    assert!(msg.contains("money"), "{msg}");
}

#[test]
fn filters_write_the_plan_language() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join(SUMMARY),
        "{{ 1234.5 | money }}|{{ 0.4126 | percent }}|{{ 0.4126 | percent(decimals=2) }}|{{ \"2026-10-31\" | date }}|{{ 1234 | int }}|{{ 1234.567 | num }}|{{ summary.company_margin | raw }}|{{ 0.1 | raw }}",
    )
    .unwrap();
    for (code, want) in [
        ("es", "1.234,50\u{a0}€|41,3\u{a0}%|41,26\u{a0}%|31/10/2026|1.234|1.234,567|300000|0.1"),
        ("en", "€1,234.50|41.3%|41.26%|31/10/2026|1,234|1,234.567|300000|0.1"),
        ("en-US", "€1,234.50|41.3%|41.26%|10/31/2026|1,234|1,234.567|300000|0.1"),
    ] {
        let l = match code {
            "en-US" => lang("en").with_locale(crate::lang::Locale::EnUs),
            _ => lang(code),
        };
        let (t, _) = Templates::load(Some(dir.path()), &l).unwrap();
        assert_eq!(t.render_summary(&plans(&l).summary).unwrap(), want);
    }
}

#[test]
fn control_characters_from_books_never_break_the_document() {
    let l = lang("es");
    let mut c = fixtures::classification();
    c.accounts[0].name = "Acme\u{1}\u{b} S.A.\u{ffff}\tx & <y>".into();
    let p = fixtures::build_with(&c, &l);
    let (t, _) = Templates::load(None, &l).unwrap();
    let xml = t.render_plan(&p.kams[0]).unwrap();
    let doc = parse(&xml);
    assert!(texts(&doc, "td").iter().any(|c| c == "Acme S.A.\tx & <y>"));
    let mut out = Vec::new();
    escape_xml("a\u{0}b\r\n'\"é€", &mut out).unwrap();
    assert_eq!(String::from_utf8(out).unwrap(), "ab\r\n&#39;&quot;é€");
}

#[test]
fn templates_can_be_shared_across_threads() {
    fn shared<T: Send + Sync>() {}
    shared::<Templates>();
    shared::<Plans>();
}

#[test]
fn embedded_defaults_are_listed_for_init() {
    let names: Vec<&str> = embedded().iter().map(|(n, _)| *n).collect();
    assert_eq!(names, [MACROS, PLAN, SUMMARY, MAIL_SUBJECT, MAIL_TEXT, MAIL_HTML]);
    assert!(embedded().iter().all(|(_, t)| !t.is_empty()));
}
