//! Letters of a name in plain ASCII for its folder: what Unicode decomposition leaves whole
//! (ø, ł, ß, ı…), and Greek and Cyrillic by their usual romanisations.
//!
//! A KAM's folder is an ASCII slug so it survives every file system, zip tool and mail client;
//! the readable name stays in the file name. Without this, `Søren` became `s-ren` and a name in
//! Cyrillic had no letters left at all.

/// The ASCII spelling of one lowercase letter that decomposition does not reduce to ASCII
/// plus marks, if it has one; `after` is the letter before it (Greek `ου` is `ou`). Scripts not
/// listed (CJK, Arabic, Hebrew…) give `None`: the slug falls back to a neutral name, and the
/// file name inside still carries the KAM's own.
pub fn ascii(letter: char, after: char) -> Option<&'static str> {
    Some(match letter {
        // Latin letters with no decomposition.
        'ø' => "o",
        'ł' => "l",
        'đ' | 'ð' | 'ɖ' => "d",
        'þ' => "th",
        'æ' => "ae",
        'œ' => "oe",
        'ß' => "ss",
        'ı' => "i",
        'ħ' => "h",
        'ŧ' => "t",
        'ĸ' => "k",
        'ŋ' => "n",
        'ƒ' => "f",
        'ə' => "e",
        // Greek (accents are marks, dropped before this).
        'α' => "a",
        'β' => "v",
        'γ' => "g",
        'δ' => "d",
        'ε' => "e",
        'ζ' => "z",
        'η' => "i",
        'θ' => "th",
        'ι' => "i",
        'κ' => "k",
        'λ' => "l",
        'μ' => "m",
        'ν' => "n",
        'ξ' => "x",
        'ο' => "o",
        'π' => "p",
        'ρ' => "r",
        'σ' | 'ς' => "s",
        'τ' => "t",
        'υ' if after == 'ο' => "u",
        'υ' => "y",
        'φ' => "f",
        'χ' => "ch",
        'ψ' => "ps",
        'ω' => "o",
        // Cyrillic: Russian, Ukrainian, Belarusian, Bulgarian, Serbian, Macedonian (ё, й, ї, ў
        // are marked letters and arrive here as е, и, і, у).
        'а' => "a",
        'б' => "b",
        'в' => "v",
        'г' | 'ґ' => "g",
        'д' => "d",
        'е' | 'э' => "e",
        'є' => "ye",
        'ж' => "zh",
        'з' => "z",
        'и' | 'і' => "i",
        'ј' => "j",
        'к' => "k",
        'л' => "l",
        'љ' => "lj",
        'м' => "m",
        'н' => "n",
        'њ' => "nj",
        'о' => "o",
        'п' => "p",
        'р' => "r",
        'с' => "s",
        'т' => "t",
        'ћ' => "c",
        'ђ' => "dj",
        'у' => "u",
        'ф' => "f",
        'х' => "kh",
        'ц' => "ts",
        'ч' => "ch",
        'џ' | 'ѕ' => "dz",
        'ш' => "sh",
        'щ' => "shch",
        'ы' => "y",
        'ю' => "yu",
        'я' => "ya",
        // Hard and soft signs have no letter of their own.
        'ъ' | 'ь' => "",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_spelling_is_lowercase_ascii() {
        let letters = ('\u{00C0}'..='\u{024F}').chain('\u{0370}'..='\u{03FF}').chain('\u{0400}'..='\u{04FF}');
        let mut spelled = 0;
        for c in letters {
            if let Some(s) = ascii(c, ' ') {
                spelled += 1;
                assert!(s.bytes().all(|b| b.is_ascii_lowercase()), "{c:?} → {s:?}");
            }
        }
        assert!(spelled > 60, "{spelled}");
    }

    #[test]
    fn other_scripts_have_no_spelling() {
        for c in ['王', 'ع', 'ש', 'ก', '-', ' '] {
            assert_eq!(ascii(c, ' '), None, "{c:?}");
        }
    }
}
