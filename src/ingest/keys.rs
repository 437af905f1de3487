//! Identity keys: one rule for customer codes, names and order numbers, used by every join.
//!
//! The same customer is typed many ways across an ERP export, a master kept by hand and a
//! strategic list in the config: `1002` (a number cell), `"1002"`, `"01002"` (zero-padded),
//! `1002.0`, `" c-17 "`. The rule, applied wherever a customer is matched:
//!
//! - **codes**: trimmed, inner whitespace collapsed; all digits (optionally with a `.0` tail)
//!   compare as the integer (`"01002"` = `1002` = `"1002.0"`); other codes compare as text,
//!   case-insensitive (kept upper-case, as ERPs print them: `"c-17"` → `C-17`);
//! - **names**: trimmed, inner whitespace collapsed, lower-case (`"ACME  S.A. "` = `"Acme S.A."`).

use super::cells::Val;

/// Appends the key of a customer (or order) code to `out`; see the module rule.
pub fn code_key_into(out: &mut String, code: &str) {
    let t = code.trim();
    let digits = t.strip_suffix(".0").or_else(|| t.strip_suffix(".00")).unwrap_or(t);
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        // Compared as the integer, written without the zero padding; textually, so a
        // 25-digit code never overflows.
        let s = digits.trim_start_matches('0');
        out.push_str(if s.is_empty() { "0" } else { s });
        return;
    }
    for (i, w) in t.split_whitespace().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        if w.is_ascii() {
            out.extend(w.bytes().map(|b| b.to_ascii_uppercase() as char));
        } else {
            for c in w.chars() {
                out.extend(c.to_uppercase());
            }
        }
    }
}

/// Appends the key of a customer name to `out`: trimmed, spaces collapsed, lower-case.
pub fn name_key_into(out: &mut String, name: &str) {
    for (i, w) in name.split_whitespace().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        for c in w.chars() {
            out.extend(c.to_lowercase());
        }
    }
}

/// The key of a code; `None` when blank.
pub fn code_key(code: &str) -> Option<String> {
    let mut s = String::new();
    code_key_into(&mut s, code);
    (!s.is_empty()).then_some(s)
}

/// The key of a name; `None` when blank.
pub fn name_key(name: &str) -> Option<String> {
    let mut s = String::new();
    name_key_into(&mut s, name);
    (!s.is_empty()).then_some(s)
}

/// True when a cell looks like a code rather than a name: a whole number, or one word of at
/// most 20 characters with a digit in it (`C001`, `CG-12520`, `B12345678`, `01002`).
pub fn looks_like_code(v: &Val<'_>) -> bool {
    match v {
        Val::Num(n) => n.fract() == 0.0,
        Val::Text(s) => {
            let t = s.trim();
            !t.is_empty()
                && t.chars().count() <= 20
                && !t.contains(char::is_whitespace)
                && t.chars().any(|c| c.is_ascii_digit())
        }
        _ => false,
    }
}

/// True when a cell reads as a name: text with at least two letters that is no code.
pub fn looks_like_name(v: &Val<'_>) -> bool {
    matches!(v, Val::Text(s) if s.chars().filter(|c| c.is_alphabetic()).count() >= 2) && !looks_like_code(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_typed_as_numbers_text_and_zero_padded_are_one() {
        for raw in ["1002", " 1002 ", "01002", "0001002", "1002.0", "1002.00"] {
            assert_eq!(code_key(raw).as_deref(), Some("1002"), "{raw:?}");
        }
        // A number cell reaches the rule as Excel shows it: 1002, never "1002.0".
        assert_eq!(code_key(&Val::Num(1002.0).text().unwrap()).as_deref(), Some("1002"));
        assert_eq!(code_key("0000").as_deref(), Some("0"));
        assert_eq!(code_key("1002.5").as_deref(), Some("1002.5"), "a decimal is no integer code");
        assert_eq!(code_key("12345678901234567890123").as_deref(), Some("12345678901234567890123"));
    }

    #[test]
    fn other_codes_compare_as_text_ignoring_case_and_spaces() {
        assert_eq!(code_key(" c-17 "), code_key("C-17"));
        assert_eq!(code_key("cg  12520").as_deref(), Some("CG 12520"));
        assert_eq!(code_key("ñu01").as_deref(), Some("ÑU01"));
        assert_ne!(code_key("C017"), code_key("C17"), "zeros inside a text code are kept");
        assert_eq!(code_key("   "), None);
    }

    #[test]
    fn names_ignore_case_and_spaces() {
        assert_eq!(name_key("ACME  S.A. "), name_key("Acme s.a."));
        assert_eq!(name_key("Ñandú  Álvarez").as_deref(), Some("ñandú álvarez"));
        assert_eq!(name_key(" "), None);
    }

    #[test]
    fn codes_and_names_told_apart() {
        for code in [Val::Num(1002.0), Val::Text("C001"), Val::Text("CG-12520"), Val::Text("01002")] {
            assert!(looks_like_code(&code), "{code:?}");
            assert!(!looks_like_name(&code), "{code:?}");
        }
        for name in [Val::Text("Acme S.A."), Val::Text("Claire Gute"), Val::Text("Bar Pepe 2")] {
            assert!(!looks_like_code(&name), "{name:?}");
            assert!(looks_like_name(&name), "{name:?}");
        }
        assert!(!looks_like_code(&Val::Num(3.5)));
    }
}
