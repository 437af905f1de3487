//! Typed content: tables whose cells take their column's format, `data-value`/`data-format`
//! values parsed strictly (never a bad number read as zero), and charts with their series.

use chrono::NaiveDate;

use super::xhtml::{choices, name, normalize_ws, Node, Parser};
use super::{
    AreaMark, Band, Cell, Chart, ChartKind, Column, DocumentError, Formula, PdfLast, Rule, Series,
    SeriesKind, Table, Value, ValueFormat,
};

/// The KAM-owned areas a table may be marked as.
pub const AREAS: [&str; 5] = ["meetings", "history", "contacts", "decision_makers", "strategy"];

impl Parser {
    pub(super) fn table(&self, node: Node) -> Result<Table, DocumentError> {
        self.check_attrs(node, &["name", "area", "account", "data-keys", "pdf-last", "pdf-more"])?;
        let area = self.area_mark(node)?;
        let pdf_last = match node.attribute("pdf-last") {
            None => None,
            Some(raw) => match raw.trim().parse::<usize>() {
                Ok(rows) if rows > 0 => Some(PdfLast {
                    rows,
                    more: node.attribute("pdf-more").map(normalize_ws).unwrap_or_else(|| "… {count}".into()),
                }),
                _ => return Err(self.err(node, format!("pdf-last {raw:?} is not a number of rows"))),
            },
        };
        let mut columns: Option<Vec<Column>> = None;
        let mut rows = Vec::new();
        let mut totals = None;
        for part in self.elements(node)? {
            match name(part) {
                "thead" => {
                    self.check_attrs(part, &[])?;
                    let trs = self.elements(part)?;
                    if trs.len() != 1 || name(trs[0]) != "tr" {
                        return Err(self.err(part, "<thead> must hold exactly one <tr>"));
                    }
                    self.check_attrs(trs[0], &[])?;
                    let mut cols = Vec::new();
                    for th in self.elements(trs[0])? {
                        if name(th) != "th" {
                            return Err(self.unknown(th, "thead tr", "th"));
                        }
                        self.check_attrs(
                            th,
                            &["data-format", "data-choices", "data-fill", "data-name", "data-formula"],
                        )?;
                        let format = match th.attribute("data-format") {
                            None => ValueFormat::Text,
                            Some(f) => self.format(th, f)?,
                        };
                        let fill = match th.attribute("data-fill") {
                            None | Some("false") => false,
                            Some("true") => true,
                            Some(o) => {
                                return Err(self.err(th, format!("data-fill {o:?} is not true or false")))
                            }
                        };
                        let name = self.name_attr(th)?;
                        if let Some(n) = &name {
                            if cols.iter().any(|c: &Column| c.name.as_ref() == Some(n)) {
                                return Err(self.err(th, format!("column name {n:?} is used twice")));
                            }
                        }
                        let formula = self.formula_attr(th, format)?;
                        cols.push(Column {
                            label: self.text(th)?,
                            format,
                            choices: choices(th.attribute("data-choices")),
                            fill,
                            name,
                            formula,
                        });
                    }
                    columns = Some(cols);
                }
                p @ ("tbody" | "tfoot") => {
                    let Some(cols) = columns.as_ref() else {
                        return Err(self.err(part, format!("<{p}> before <thead>: the columns come first")));
                    };
                    self.check_attrs(part, &[])?;
                    for tr in self.elements(part)? {
                        if name(tr) != "tr" {
                            return Err(self.unknown(tr, p, "tr"));
                        }
                        let row = self.row(tr, cols)?;
                        self.check_row_formulas(tr, cols, &row, p == "tfoot")?;
                        if p == "tbody" {
                            rows.push(row);
                        } else if totals.is_some() {
                            return Err(self.err(tr, "<tfoot> holds one <tr> only"));
                        } else {
                            totals = Some(row);
                        }
                    }
                }
                _ => return Err(self.unknown(part, "table", "thead, tbody, tfoot")),
            }
        }
        let Some(columns) = columns else {
            return Err(self.err(node, "<table> without <thead>: the columns are needed"));
        };
        if let Some(a) = &area {
            if !a.columns.is_empty() && a.columns.len() != columns.len() {
                return Err(self.err(
                    node,
                    format!("data-keys names {} columns, the table has {}", a.columns.len(), columns.len()),
                ));
            }
        }
        Ok(Table {
            name: node.attribute("name").map(normalize_ws).unwrap_or_default(),
            columns,
            rows,
            totals,
            pdf_last,
            area,
        })
    }

    /// `area` + `account` (both or neither) with the optional `data-keys`.
    fn area_mark(&self, node: Node) -> Result<Option<AreaMark>, DocumentError> {
        let keys = node
            .attribute("data-keys")
            .map(|a| a.split('|').map(|k| k.trim().to_string()).collect::<Vec<_>>())
            .filter(|v| !(v.len() == 1 && v[0].is_empty()))
            .unwrap_or_default();
        match (node.attribute("area"), node.attribute("account")) {
            (None, None) => {
                if node.attribute("data-keys").is_some() {
                    return Err(self.err(node, "data-keys needs area and account"));
                }
                Ok(None)
            }
            (Some(area), Some(account)) => {
                let area = area.trim();
                if !AREAS.contains(&area) {
                    return Err(
                        self.err(node, format!("table area {area:?} is not one of {}", AREAS.join(", ")))
                    );
                }
                let account = normalize_ws(account).trim().to_string();
                if account.is_empty() {
                    return Err(self.err(node, "table account is empty: the area needs its account's code"));
                }
                Ok(Some(AreaMark { area: area.to_string(), account, columns: keys }))
            }
            _ => Err(self.err(node, "a KAM-owned table needs both area and account")),
        }
    }

    pub(super) fn row(&self, tr: Node, cols: &[Column]) -> Result<Vec<Cell>, DocumentError> {
        self.check_attrs(tr, &[])?;
        let tds = self.elements(tr)?;
        if tds.len() != cols.len() {
            return Err(
                self.err(tr, format!("row has {} cells, the table has {} columns", tds.len(), cols.len()))
            );
        }
        // Pushed into a vector of the row's size: collecting the `Result`s grew it from empty.
        let mut cells = Vec::with_capacity(tds.len());
        for (&td, col) in tds.iter().zip(cols) {
            if name(td) != "td" {
                return Err(self.unknown(td, "tr", "td"));
            }
            self.check_attrs(td, &["data-value", "data-format", "highlight", "href", "data-formula"])?;
            let highlight = match td.attribute("highlight") {
                None | Some("false") => false,
                Some("true") => true,
                Some(o) => return Err(self.err(td, format!("highlight {o:?} is not true or false"))),
            };
            let link = self.href(td)?;
            let value = self.value(td, self.text(td)?, Some(col.format))?;
            let format = if value.format == ValueFormat::Text { col.format } else { value.format };
            let formula = self.formula_attr(td, format)?;
            cells.push(Cell { value, highlight, link, formula });
        }
        Ok(cells)
    }

    /// A `data-name`: a plain identifier formulas can use.
    pub(super) fn name_attr(&self, node: Node) -> Result<Option<String>, DocumentError> {
        let Some(raw) = node.attribute("data-name") else { return Ok(None) };
        let n = raw.trim();
        let ok = n.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
            && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            && !matches!(n.to_ascii_lowercase().as_str(), "sum" | "min" | "max" | "round");
        if !ok {
            return Err(self.err(
                node,
                format!("data-name {raw:?} is not a name (letters, digits and _, not a function name)"),
            ));
        }
        Ok(Some(n.to_string()))
    }

    /// A `data-formula`, parsed; only numbers are computed.
    pub(super) fn formula_attr(
        &self,
        node: Node,
        format: ValueFormat,
    ) -> Result<Option<Formula>, DocumentError> {
        let Some(raw) = node.attribute("data-formula") else { return Ok(None) };
        if matches!(format, ValueFormat::Text | ValueFormat::Date) {
            return Err(self.err(
                node,
                format!("data-formula needs a number format (money, percent, int, number), not {format:?}"),
            ));
        }
        let f = Formula::parse(raw).map_err(|m| self.err(node, format!("data-formula: {m}")))?;
        Ok(Some(f))
    }

    /// Names in a table's formulas: a row's formula uses its columns' names for the same row;
    /// a totals row can only sum a column (`sum(sales)`); both may use KPI names.
    fn check_row_formulas(
        &self,
        tr: Node,
        cols: &[Column],
        row: &[Cell],
        totals: bool,
    ) -> Result<(), DocumentError> {
        let formulas = row
            .iter()
            .zip(cols)
            .filter_map(|(c, col)| c.formula.as_ref().or(if totals { None } else { col.formula.as_ref() }));
        for f in formulas {
            for (name, in_sum) in f.names() {
                let is_col = cols.iter().any(|c| c.name.as_deref() == Some(name));
                if in_sum && !is_col {
                    return Err(
                        self.err(tr, format!("sum({name}): no column of this table has data-name {name:?}"))
                    );
                }
                if totals && is_col && !in_sum {
                    return Err(self.err(
                        tr,
                        format!("{name} is a column: a totals row uses sum({name}), not a single cell"),
                    ));
                }
                if !is_col && !in_sum {
                    self.kpi_ref(tr, name);
                }
            }
        }
        Ok(())
    }

    pub(super) fn format(&self, node: Node, f: &str) -> Result<ValueFormat, DocumentError> {
        Ok(match f {
            "text" => ValueFormat::Text,
            "money" => ValueFormat::Money,
            "percent" => ValueFormat::Percent,
            "int" => ValueFormat::Int,
            "number" => ValueFormat::Number,
            "date" => ValueFormat::Date,
            o => {
                return Err(self.err(
                    node,
                    format!("data-format {o:?} is not one of text, money, percent, int, number, date"),
                ))
            }
        })
    }

    /// A typed value from `data-value`/`data-format`; without `data-value` it is text.
    pub(super) fn value(
        &self,
        node: Node,
        text: String,
        column: Option<ValueFormat>,
    ) -> Result<Value, DocumentError> {
        let format = match node.attribute("data-format") {
            Some(f) => self.format(node, f)?,
            None => column.unwrap_or(ValueFormat::Text),
        };
        let el = name(node);
        let Some(raw) = node.attribute("data-value") else {
            // No number: text, unless the element says what it would be (a KPI's "—" is a
            // money figure that is not available).
            let own = if node.attribute("data-format").is_some() { format } else { ValueFormat::Text };
            return Ok(Value { text, format: own, number: None, date: None });
        };
        let raw = raw.trim();
        match format {
            ValueFormat::Text => Err(self.err(
                node,
                format!("{el} data-value {raw:?} needs a data-format (money, percent, int, number, date)"),
            )),
            ValueFormat::Date => {
                match NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
                    Ok(d) if raw.len() == 10 => Ok(Value { text, format, number: None, date: Some(d) }),
                    _ => Err(self
                        .err(node, format!("{el} data-value {raw:?} is not a date (expected YYYY-MM-DD)"))),
                }
            }
            _ => {
                let n = parse_number(raw).ok_or_else(|| {
                    self.err(node, format!("{el} data-value {raw:?} is not a number (use '.' for decimals)"))
                })?;
                if format == ValueFormat::Int && n.fract() != 0.0 {
                    return Err(
                        self.err(node, format!("{el} data-value {raw:?} is not a whole number (int)"))
                    );
                }
                Ok(Value { text, format, number: Some(n), date: None })
            }
        }
    }

    pub(super) fn chart(&self, node: Node) -> Result<Chart, DocumentError> {
        self.check_attrs(node, &["kind", "title", "data-format"])?;
        let kind = match node.attribute("kind") {
            None | Some("bar") => ChartKind::Bar,
            Some("line") => ChartKind::Line,
            Some("pareto") => ChartKind::Pareto,
            Some(o) => {
                return Err(self.err(node, format!("chart kind {o:?} is not one of bar, line, pareto")))
            }
        };
        let format = match node.attribute("data-format") {
            None => ValueFormat::Number,
            Some(f) => self.format(node, f)?,
        };
        let mut series = Vec::new();
        let (mut bands, mut rules) = (Vec::new(), Vec::new());
        for s in self.elements(node)? {
            if name(s) == "band" {
                self.check_attrs(s, &["label", "from", "to"])?;
                let at = |a: &str| {
                    let raw = s.attribute(a).unwrap_or("").trim();
                    raw.parse::<usize>().ok().filter(|n| *n >= 1).ok_or_else(|| {
                        self.err(s, format!("band {a} {raw:?} is not a category number (1, 2, …)"))
                    })
                };
                let (from, to) = (at("from")?, at("to")?);
                if to < from {
                    return Err(self.err(s, format!("band ends ({to}) before it starts ({from})")));
                }
                bands.push(Band {
                    label: s.attribute("label").map(normalize_ws).unwrap_or_default(),
                    from,
                    to,
                });
                continue;
            }
            if name(s) == "rule" {
                self.check_attrs(s, &["label", "value"])?;
                let raw = s.attribute("value").unwrap_or("").trim();
                let value = parse_number(raw).ok_or_else(|| {
                    self.err(s, format!("rule value {raw:?} is not a number (use '.' for decimals)"))
                })?;
                rules.push(Rule { label: s.attribute("label").map(normalize_ws).unwrap_or_default(), value });
                continue;
            }
            if name(s) != "series" {
                return Err(self.unknown(s, "chart", "series, band, rule"));
            }
            self.check_attrs(s, &["name", "kind", "axis", "data-format"])?;
            let skind = match s.attribute("kind") {
                None if kind == ChartKind::Line => SeriesKind::Line,
                None | Some("bar") => SeriesKind::Bar,
                Some("line") => SeriesKind::Line,
                Some(o) => return Err(self.err(s, format!("series kind {o:?} is not one of bar, line"))),
            };
            // In a pareto chart the line is the cumulative share: secondary axis, percent.
            let cumulative = kind == ChartKind::Pareto && skind == SeriesKind::Line;
            let secondary_axis = match s.attribute("axis") {
                None => cumulative,
                Some("primary") => false,
                Some("secondary") => true,
                Some(o) => {
                    return Err(self.err(s, format!("series axis {o:?} is not one of primary, secondary")))
                }
            };
            let sformat = match s.attribute("data-format") {
                None if cumulative => ValueFormat::Percent,
                None => format,
                Some(f) => self.format(s, f)?,
            };
            let mut points = Vec::new();
            for pt in self.elements(s)? {
                if name(pt) != "pt" {
                    return Err(self.unknown(pt, "series", "pt"));
                }
                self.check_attrs(pt, &["label", "value"])?;
                self.text(pt)?;
                let raw = pt.attribute("value").unwrap_or("").trim();
                // An empty value is a gap: a month without sales data or without a target.
                let v = if raw.is_empty() {
                    f64::NAN
                } else {
                    parse_number(raw).ok_or_else(|| {
                        self.err(pt, format!("pt value {raw:?} is not a number (use '.' for decimals)"))
                    })?
                };
                points.push((pt.attribute("label").map(normalize_ws).unwrap_or_default(), v));
            }
            series.push(Series {
                name: s.attribute("name").map(normalize_ws).unwrap_or_default(),
                kind: skind,
                secondary_axis,
                format: sformat,
                points,
            });
        }
        Ok(Chart {
            kind,
            title: node.attribute("title").map(normalize_ws).unwrap_or_default(),
            format,
            series,
            bands,
            rules,
        })
    }
}

/// A plain decimal number: optional minus, digits, optional `.` and digits, optional exponent.
/// Rejects `1,5`, `1.234,5`, `inf`, `NaN`, `+1` and empty text so that none is read as zero.
fn parse_number(raw: &str) -> Option<f64> {
    let b = raw.as_bytes();
    let mut i = usize::from(b.first() == Some(&b'-'));
    let digits = |i: &mut usize| {
        let s = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i - s
    };
    let int = digits(&mut i);
    let mut frac = 0;
    if i < b.len() && b[i] == b'.' {
        i += 1;
        frac = digits(&mut i);
    }
    if int + frac == 0 {
        return None;
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if i < b.len() && (b[i] == b'-' || b[i] == b'+') {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return None;
        }
    }
    if i != b.len() {
        return None;
    }
    raw.parse::<f64>().ok().filter(|v| v.is_finite())
}

#[cfg(test)]
mod tests {
    use super::super::tests::block;
    use super::*;
    use crate::document::{Block, Field, FieldKind};

    #[test]
    fn kpis_are_typed() {
        let Block::Kpis(k) = block(
            r#"<kpis><kpi label="Ventas" data-value="1234.5" data-format="money">1.234,50 €</kpi>
                     <kpi label="Cuota" data-value="0.412" data-format="percent">41,2 %</kpi>
                     <kpi label="Desde">—</kpi></kpis>"#,
        ) else {
            panic!()
        };
        assert_eq!(k[0].label, "Ventas");
        assert_eq!(
            k[0].value,
            Value {
                text: "1.234,50 €".into(), format: ValueFormat::Money, number: Some(1234.5), date: None
            }
        );
        assert_eq!(k[1].value.number, Some(0.412));
        assert_eq!(k[2].value.format, ValueFormat::Text);
    }

    #[test]
    fn table_cells_take_the_column_format() {
        let Block::Table(t) = block(
            r#"<table name="cuentas">
                 <thead><tr><th>Cliente</th><th data-format="money">Ventas</th><th data-format="date">Última</th>
                   <th data-format="text" data-choices="Pendiente | Hecha" data-fill="true">Estado</th></tr></thead>
                 <tbody>
                   <tr><td>Núñez</td><td data-value="1234.5">1.234,50 €</td><td data-value="2026-10-31">31/10/2026</td><td highlight="true">Pendiente</td></tr>
                   <tr><td>B</td><td>—</td><td data-value="2026-01-02">x</td><td data-value="0.5" data-format="percent">50 %</td></tr>
                 </tbody>
                 <tfoot><tr><td>Total</td><td data-value="-1e3">-1.000</td><td></td><td></td></tr></tfoot>
               </table>"#,
        ) else {
            panic!()
        };
        assert_eq!(t.name, "cuentas");
        assert_eq!(t.columns.len(), 4);
        assert_eq!(t.columns[3].choices, vec!["Pendiente", "Hecha"]);
        assert!(t.columns[3].fill && !t.columns[1].fill);
        assert_eq!(t.rows[0][1].value.format, ValueFormat::Money);
        assert_eq!(t.rows[0][1].value.number, Some(1234.5));
        assert_eq!(t.rows[0][2].value.date, NaiveDate::from_ymd_opt(2026, 10, 31));
        assert!(t.rows[0][3].highlight && !t.rows[0][0].highlight);
        assert_eq!(t.rows[1][1].value.format, ValueFormat::Text, "no data-value: text");
        assert_eq!(t.rows[1][3].value.format, ValueFormat::Percent, "own data-format wins");
        assert_eq!(t.totals.as_ref().unwrap()[1].value.number, Some(-1000.0));
    }

    #[test]
    fn lists_charts_and_fields() {
        assert_eq!(
            block("<ol><li>uno</li><li> dos\n tres</li></ol>"),
            Block::List { ordered: true, items: vec!["uno".into(), "dos tres".into()] }
        );
        let Block::Chart(c) = block(
            r#"<chart kind="pareto" title="Pareto" data-format="money">
                 <series name="Ventas"><pt label="A" value="10"/><pt label="B" value="5.5"/></series>
                 <series name="Acumulado" kind="line" axis="secondary" data-format="percent"><pt label="A" value="0.6"/></series>
               </chart>"#,
        ) else {
            panic!()
        };
        assert_eq!(c.kind, ChartKind::Pareto);
        assert_eq!(c.series[0].kind, SeriesKind::Bar);
        assert_eq!(c.series[0].format, ValueFormat::Money);
        assert_eq!(c.series[0].points, vec![("A".to_string(), 10.0), ("B".to_string(), 5.5)]);
        assert!(c.series[1].secondary_axis);
        assert_eq!(c.series[1].format, ValueFormat::Percent);
        let Block::Chart(p) = block(
            r#"<chart kind="pareto" data-format="money"><series name="v"/><series name="c" kind="line"/></chart>"#,
        ) else {
            panic!()
        };
        assert!(!p.series[0].secondary_axis && p.series[1].secondary_axis);
        assert_eq!((p.series[0].format, p.series[1].format), (ValueFormat::Money, ValueFormat::Percent));
        let Block::Chart(l) = block(r#"<chart kind="line"><series name="s"/></chart>"#) else { panic!() };
        assert_eq!(l.series[0].kind, SeriesKind::Line, "a line chart's series are lines");
        // An empty value is a gap, kept in its place so series stay aligned by month.
        let Block::Chart(g) = block(
            r#"<chart kind="bar"><series name="t" kind="line"><pt label="A" value=""/><pt label="B" value="2"/></series></chart>"#,
        ) else {
            panic!()
        };
        assert!(g.series[0].points[0].1.is_nan() && g.series[0].points[1].1 == 2.0);

        let Block::Fields(f) = block(
            r#"<fields><field label="Nombre"/><field label="Fecha" kind="date">2026-11-02</field>
               <field label="Postura" kind="choice" choices="A favor|Neutral|En contra"/></fields>"#,
        ) else {
            panic!()
        };
        assert_eq!(
            f[0],
            Field { label: "Nombre".into(), kind: FieldKind::Text, choices: vec![], value: String::new() }
        );
        assert_eq!(f[1].value, "2026-11-02");
        assert_eq!(f[2].choices.len(), 3);
    }

    #[test]
    fn numbers_parse_strictly() {
        let cases: &[(&str, Option<f64>)] = &[
            ("0", Some(0.0)),
            ("-12.50", Some(-12.5)),
            (".5", Some(0.5)),
            ("1e3", Some(1000.0)),
            ("1,5", None),
            ("1.234,5", None),
            ("", None),
            ("-", None),
            ("+1", None),
            ("inf", None),
            ("1e", None),
            ("1 000", None),
        ];
        for (raw, want) in cases {
            assert_eq!(parse_number(raw), *want, "{raw:?}");
        }
    }
}
