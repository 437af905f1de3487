//! Formulas a template gives for a value: `data-formula="sales * (1 + rate)"`, parsed into a
//! small expression tree the XLSX renderer writes as an Excel formula (with its computed value
//! cached) and evaluates itself.
//!
//! The vocabulary is deliberately small: numbers (`.` decimals), names, `+ - * /`, parentheses,
//! unary minus and the functions `sum(column)` (a table column's visible total, written as
//! `SUBTOTAL(109, …)` so that filters work), `min(a, b, …)`, `max(a, b, …)` and
//! `round(x, digits)`. A name is a KPI's `data-name`, or, inside a table, a column's
//! `data-name` (the same row's cell). Formulas come from the template only — book text is never
//! one — and anything outside this vocabulary is an error naming the template line.

use serde::Serialize;

/// An operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Add,
    Sub,
    Mul,
    Div,
}

/// A function.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Func {
    /// The total of a table column's visible rows.
    Sum,
    Min,
    Max,
    /// `round(x, digits)`.
    Round,
}

/// An expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Num(f64),
    Name(String),
    Neg(Box<Expr>),
    Bin(Op, Box<Expr>, Box<Expr>),
    Call(Func, Vec<Expr>),
}

/// A parsed formula and the text it was written as.
#[derive(Debug, Clone, PartialEq)]
pub struct Formula {
    pub source: String,
    pub expr: Expr,
}

impl Serialize for Formula {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.source)
    }
}

impl Formula {
    /// Parses a formula.
    ///
    /// # Errors
    /// A message saying what is wrong, e.g. `unknown function "vlookup"`.
    pub fn parse(source: &str) -> Result<Formula, String> {
        let tokens = tokens(source)?;
        let mut p = ExprParser { tokens, at: 0 };
        let expr = p.expr()?;
        if let Some(t) = p.tokens.get(p.at) {
            return Err(format!("unexpected {} in formula {source:?}", t.describe()));
        }
        Ok(Formula { source: source.trim().to_string(), expr })
    }

    /// Every name the formula uses, with whether it is the argument of `sum`.
    pub fn names(&self) -> Vec<(&str, bool)> {
        fn walk<'a>(e: &'a Expr, in_sum: bool, out: &mut Vec<(&'a str, bool)>) {
            match e {
                Expr::Num(_) => {}
                Expr::Name(n) => out.push((n, in_sum)),
                Expr::Neg(a) => walk(a, in_sum, out),
                Expr::Bin(_, a, b) => {
                    walk(a, in_sum, out);
                    walk(b, in_sum, out);
                }
                Expr::Call(f, args) => {
                    for a in args {
                        walk(a, in_sum || *f == Func::Sum, out);
                    }
                }
            }
        }
        let mut out = Vec::new();
        walk(&self.expr, false, &mut out);
        out
    }

    /// The Excel formula (without `=`): `name` becomes what `cell` returns for it, `sum(col)`
    /// becomes `SUBTOTAL(109,` what `range` returns `)`.
    pub fn to_excel(&self, cell: &dyn Fn(&str) -> String, range: &dyn Fn(&str) -> String) -> String {
        fn go(e: &Expr, cell: &dyn Fn(&str) -> String, range: &dyn Fn(&str) -> String, out: &mut String) {
            match e {
                Expr::Num(v) => out.push_str(&format_number(*v)),
                Expr::Name(n) => out.push_str(&cell(n)),
                Expr::Neg(a) => {
                    out.push('-');
                    go(a, cell, range, out);
                }
                Expr::Bin(op, a, b) => {
                    let (prec, sym) = match op {
                        Op::Add => (1, '+'),
                        Op::Sub => (1, '-'),
                        Op::Mul => (2, '*'),
                        Op::Div => (2, '/'),
                    };
                    let paren = |e: &Expr, right: bool| match e {
                        Expr::Bin(o, ..) => {
                            let p = if matches!(o, Op::Add | Op::Sub) { 1 } else { 2 };
                            p < prec || (right && p == prec && matches!(op, Op::Sub | Op::Div))
                        }
                        _ => false,
                    };
                    for (k, side) in [a, b].into_iter().enumerate() {
                        if k == 1 {
                            out.push(sym);
                        }
                        let wrap = paren(side, k == 1);
                        if wrap {
                            out.push('(');
                        }
                        go(side, cell, range, out);
                        if wrap {
                            out.push(')');
                        }
                    }
                }
                Expr::Call(Func::Sum, args) => {
                    out.push_str("SUBTOTAL(109,");
                    if let Some(Expr::Name(n)) = args.first() {
                        out.push_str(&range(n));
                    }
                    out.push(')');
                }
                Expr::Call(f, args) => {
                    out.push_str(match f {
                        Func::Min => "MIN(",
                        Func::Max => "MAX(",
                        Func::Round => "ROUND(",
                        Func::Sum => unreachable!("handled above"),
                    });
                    for (i, a) in args.iter().enumerate() {
                        if i > 0 {
                            out.push(',');
                        }
                        go(a, cell, range, out);
                    }
                    out.push(')');
                }
            }
        }
        let mut out = String::new();
        go(&self.expr, cell, range, &mut out);
        out
    }

    /// The formula's value, as Excel computes it: `value` gives a name's number, `sum` a
    /// column's total. Excel's errors (a division by zero, a missing value) are `None`.
    pub fn eval(
        &self,
        value: &mut dyn FnMut(&str) -> Option<f64>,
        sum: &mut dyn FnMut(&str) -> Option<f64>,
    ) -> Option<f64> {
        fn go(
            e: &Expr,
            value: &mut dyn FnMut(&str) -> Option<f64>,
            sum: &mut dyn FnMut(&str) -> Option<f64>,
        ) -> Option<f64> {
            let v = match e {
                Expr::Num(v) => *v,
                Expr::Name(n) => value(n)?,
                Expr::Neg(a) => -go(a, value, sum)?,
                Expr::Bin(op, a, b) => {
                    let (a, b) = (go(a, value, sum)?, go(b, value, sum)?);
                    match op {
                        Op::Add => a + b,
                        Op::Sub => a - b,
                        Op::Mul => a * b,
                        Op::Div if b == 0.0 => return None,
                        Op::Div => a / b,
                    }
                }
                Expr::Call(Func::Sum, args) => match args.first() {
                    Some(Expr::Name(n)) => sum(n)?,
                    _ => return None,
                },
                Expr::Call(f, args) => {
                    let vals: Option<Vec<f64>> = args.iter().map(|a| go(a, value, sum)).collect();
                    let vals = vals?;
                    match f {
                        Func::Min => vals.iter().copied().fold(f64::INFINITY, f64::min),
                        Func::Max => vals.iter().copied().fold(f64::NEG_INFINITY, f64::max),
                        Func::Round => excel_round(vals[0], vals[1]),
                        Func::Sum => unreachable!("handled above"),
                    }
                }
            };
            v.is_finite().then_some(v)
        }
        go(&self.expr, value, sum)
    }
}

/// Excel's ROUND: halves away from zero, `digits` may be negative.
fn excel_round(v: f64, digits: f64) -> f64 {
    let f = 10f64.powi(digits.trunc() as i32);
    (v * f).round() / f
}

/// A number as Excel reads it in a formula: plain, `.` decimals, no exponent when avoidable.
fn format_number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Num(f64),
    Ident(String),
    Op(char),
    Open,
    Close,
    Comma,
}

impl Tok {
    fn describe(&self) -> String {
        match self {
            Tok::Num(v) => format!("number {v}"),
            Tok::Ident(s) => format!("name {s:?}"),
            Tok::Op(c) => format!("{c:?}"),
            Tok::Open => "\"(\"".into(),
            Tok::Close => "\")\"".into(),
            Tok::Comma => "\",\"".into(),
        }
    }
}

fn tokens(src: &str) -> Result<Vec<Tok>, String> {
    let mut out = Vec::new();
    let chars: Vec<char> = src.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            ' ' | '\t' | '\n' | '\r' => i += 1,
            '+' | '-' | '*' | '/' => {
                out.push(Tok::Op(c));
                i += 1;
            }
            '(' => {
                out.push(Tok::Open);
                i += 1;
            }
            ')' => {
                out.push(Tok::Close);
                i += 1;
            }
            ',' => {
                out.push(Tok::Comma);
                i += 1;
            }
            '0'..='9' | '.' => {
                let start = i;
                while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
                    i += 1;
                }
                let s: String = chars[start..i].iter().collect();
                let v: f64 =
                    s.parse().map_err(|_| format!("{s:?} is not a number (use '.' for decimals)"))?;
                out.push(Tok::Num(v));
            }
            c if c.is_ascii_alphabetic() || c == '_' => {
                let start = i;
                while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '_') {
                    i += 1;
                }
                out.push(Tok::Ident(chars[start..i].iter().collect()));
            }
            other => return Err(format!("{other:?} is not allowed in a formula")),
        }
    }
    if out.is_empty() {
        return Err("the formula is empty".into());
    }
    Ok(out)
}

struct ExprParser {
    tokens: Vec<Tok>,
    at: usize,
}

impl ExprParser {
    fn peek(&self) -> Option<&Tok> {
        self.tokens.get(self.at)
    }

    fn next(&mut self) -> Option<Tok> {
        let t = self.tokens.get(self.at).cloned();
        self.at += 1;
        t
    }

    fn expr(&mut self) -> Result<Expr, String> {
        let mut left = self.term()?;
        while let Some(Tok::Op(c @ ('+' | '-'))) = self.peek().cloned() {
            self.at += 1;
            let right = self.term()?;
            let op = if c == '+' { Op::Add } else { Op::Sub };
            left = Expr::Bin(op, Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn term(&mut self) -> Result<Expr, String> {
        let mut left = self.unary()?;
        while let Some(Tok::Op(c @ ('*' | '/'))) = self.peek().cloned() {
            self.at += 1;
            let right = self.unary()?;
            let op = if c == '*' { Op::Mul } else { Op::Div };
            left = Expr::Bin(op, Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Expr, String> {
        if let Some(Tok::Op('-')) = self.peek() {
            self.at += 1;
            return Ok(Expr::Neg(Box::new(self.unary()?)));
        }
        self.atom()
    }

    fn atom(&mut self) -> Result<Expr, String> {
        match self.next() {
            Some(Tok::Num(v)) => Ok(Expr::Num(v)),
            Some(Tok::Open) => {
                let e = self.expr()?;
                match self.next() {
                    Some(Tok::Close) => Ok(e),
                    _ => Err("a \"(\" is not closed".into()),
                }
            }
            Some(Tok::Ident(name)) => {
                if self.peek() != Some(&Tok::Open) {
                    return Ok(Expr::Name(name));
                }
                self.at += 1;
                let func = match name.to_ascii_lowercase().as_str() {
                    "sum" => Func::Sum,
                    "min" => Func::Min,
                    "max" => Func::Max,
                    "round" => Func::Round,
                    _ => return Err(format!("unknown function {name:?} (known: sum, min, max, round)")),
                };
                let mut args = Vec::new();
                if self.peek() == Some(&Tok::Close) {
                    self.at += 1;
                } else {
                    loop {
                        args.push(self.expr()?);
                        match self.next() {
                            Some(Tok::Comma) => continue,
                            Some(Tok::Close) => break,
                            _ => return Err(format!("{name}( is not closed")),
                        }
                    }
                }
                let ok = match func {
                    Func::Sum => matches!(args.as_slice(), [Expr::Name(_)]),
                    Func::Round => args.len() == 2,
                    Func::Min | Func::Max => !args.is_empty(),
                };
                if !ok {
                    return Err(match func {
                        Func::Sum => "sum() takes one column name: sum(sales)".into(),
                        Func::Round => "round() takes a value and the digits: round(x, 2)".into(),
                        _ => format!("{name}() needs at least one value"),
                    });
                }
                Ok(Expr::Call(func, args))
            }
            Some(t) => Err(format!("unexpected {} in formula", t.describe())),
            None => Err("the formula ends too early".into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn excel(src: &str) -> String {
        Formula::parse(src).unwrap().to_excel(&|n| format!("<{n}>"), &|n| format!("[{n}]"))
    }

    #[test]
    fn formulas_become_excel_with_the_right_parentheses() {
        let cases = [
            ("sales * (1 + rate)", "<sales>*(1+<rate>)"),
            ("target / 12", "<target>/12"),
            ("a - (b - c)", "<a>-(<b>-<c>)"),
            ("(a - b) - c", "<a>-<b>-<c>"),
            ("a / (b * c)", "<a>/(<b>*<c>)"),
            ("-a * 2.5", "-<a>*2.5"),
            ("sum(sales)", "SUBTOTAL(109,[sales])"),
            ("round(max(a, 0), 2)", "ROUND(MAX(<a>,0),2)"),
            ("SUM(x) / total", "SUBTOTAL(109,[x])/<total>"),
        ];
        for (src, want) in cases {
            assert_eq!(excel(src), want, "{src}");
        }
    }

    #[test]
    fn formulas_evaluate_as_excel_does() {
        let vals = |n: &str| match n {
            "sales" => Some(1000.0),
            "rate" => Some(0.05),
            "zero" => Some(0.0),
            _ => None,
        };
        let eval = |src: &str| Formula::parse(src).unwrap().eval(&mut |n| vals(n), &mut |_| Some(30.0));
        assert_eq!(eval("sales * (1 + rate)"), Some(1050.0));
        assert_eq!(eval("sum(x) / 3"), Some(10.0));
        assert_eq!(eval("round(2.345, 2)"), Some(2.35));
        assert_eq!(eval("round(-2.5, 0)"), Some(-3.0), "halves away from zero");
        assert_eq!(eval("min(sales, rate, 3)"), Some(0.05));
        assert_eq!(eval("sales / zero"), None, "#DIV/0!");
        assert_eq!(eval("missing + 1"), None);
    }

    #[test]
    fn anything_outside_the_vocabulary_is_an_error() {
        let cases = [
            ("", "empty"),
            ("A1 + ", "ends too early"),
            ("vlookup(a, b)", "unknown function \"vlookup\""),
            ("sum(a + b)", "sum() takes one column name"),
            ("round(a)", "round() takes"),
            ("'x'!A1", "not allowed"),
            ("=a", "not allowed"),
            ("a b", "unexpected name \"b\""),
            ("(a", "not closed"),
            ("1.2.3", "not a number"),
            ("HYPERLINK(\"x\")", "not allowed"),
        ];
        for (src, msg) in cases {
            let e = Formula::parse(src).unwrap_err();
            assert!(e.contains(msg), "{src:?}: {e}");
        }
        let f = Formula::parse("sum(sales) / company + rate").unwrap();
        assert_eq!(f.names(), [("sales", true), ("company", false), ("rate", false)]);
    }
}
